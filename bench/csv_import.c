/*
 * Benchmark of the readings CSV import: writes a file of N rows (default
 * 100,000) of mixed kinds, with about 1% bad rows and 0.5% repeated rows;
 * parses it the way an upload is parsed (readings_csv.c, in 64 KB
 * chunks) and stores the good rows for one patient of a cocare database
 * in one write (reading_import(), as the import page's confirm does).
 * Reports the time of each step and the process's peak resident memory.
 * Usage: csv_import DATABASE PATIENT_ID [ROWS]; run by bench/run on a
 * fresh demo database. `csv_import --write FILE [ROWS]` only writes the
 * file, for the run through the import page.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "measures/reading_store.h"
#include "measures/readings_csv.h"
#include "store/store.h"
#include "core/banned.h"

#define CHUNK (64 << 10)

struct count {
	struct reading *rows;	/* the good rows, to store */
	size_t n, cap;
	size_t problems;
};

static enum err
on_row(void *ud, const struct readings_csv_row *r)
{
	struct count *c = ud;
	struct reading *x;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;

		if (!(x = realloc(c->rows, cap * sizeof(*x))))
			return ERR_NOMEM;
		c->rows = x;
		c->cap = cap;
	}
	x = &c->rows[c->n++];
	memset(x, 0, sizeof(*x));
	x->kind = reading_def(r->value.kind)->key;
	x->at_ms = r->time * 1000;
	if (!reading_to_milli(&r->value, &x->value_milli, &x->value2_milli))
		return ERR_INVALID;
	return ERR_OK;
}

static enum err
on_problem(void *ud, const struct readings_csv_problem *p)
{
	struct count *c = ud;

	c->problems++;
	return ERR_OK;
}

/* Row i, of kind i % 8, 10 minutes before row i - 1; about 1% bad. */
static int
format_row(char *line, size_t cap, size_t i, int64_t now, unsigned *seed)
{
	char date[32], tm[16];
	time_t tt = (time_t)(now - 3600 - (int64_t)i * 600);
	struct tm g;
	unsigned r;

	*seed = *seed * 1103515245u + 12345u;
	r = *seed >> 8;
	gmtime_r(&tt, &g);
	strftime(date, sizeof(date), "%Y-%m-%d", &g);
	strftime(tm, sizeof(tm), "%H:%M", &g);
	if (r % 100 == 0)		/* impossible value */
		return snprintf(line, cap, "%s,%s,weight,900,kg\n", date, tm);
	switch (i % 8) {
	case 0:
		return snprintf(line, cap, "%s,%s,blood-pressure,%u/%u,mmHg\n",
				date, tm, 110 + r % 50, 65 + r % 25);
	case 1:
		return snprintf(line, cap, "%s,%s,Heart rate,%u,bpm\n", date,
				tm, 55 + r % 50);
	case 2:
		return snprintf(line, cap, "%s,%s,weight,\"%u,%u\",kg\n", date,
				tm, 70 + r % 20, r % 10);
	case 3:
		return snprintf(line, cap, "%s,%s,glucose,%u,mg/dL\n", date, tm,
				80 + r % 80);
	case 4:
		return snprintf(line, cap, "%s,%s,spo2,%u,%%\n", date, tm,
				90 + r % 10);
	case 5:
		return snprintf(line, cap, "%s,%s,temperature,36.%u,\n", date,
				tm, r % 10);
	case 6:
		return snprintf(line, cap, "%s,,steps,%u,\n", date,
				1000 + r % 15000);
	default:
		return snprintf(line, cap, "%s,,sleep,%u:%02u,h\n", date,
				5 + r % 4, r % 60);
	}
}

static double
parse_file(const char *path, int64_t now, struct count *c, size_t *used,
	   struct readings_csv_totals *t)
{
	static char chunk[CHUNK];
	struct readings_csv_opts o;
	struct readings_csv *p;
	struct arena *a;
	uint64_t start;
	size_t n;
	FILE *f;
	enum err e = ERR_OK;

	f = fopen(path, "rb");
	if (!f)
		return -1;
	memset(&o, 0, sizeof(o));
	o.now = now;
	o.on_row = on_row;
	o.on_problem = on_problem;
	o.ud = c;
	a = arena_new(64 << 20);
	start = clock_mono_ns();
	p = readings_csv_new(a, &o);
	while (p && e == ERR_OK && (n = fread(chunk, 1, sizeof(chunk), f)))
		e = readings_csv_feed(p, chunk, n);
	if (p && e == ERR_OK)
		e = readings_csv_finish(p, t);
	start = clock_mono_ns() - start;
	*used = arena_used(a);
	arena_free(a);
	fclose(f);
	if (!p || e != ERR_OK) {
		fprintf(stderr, "csv_import: %s\n", err_str(e));
		return -1;
	}
	return (double)start / 1e6;
}

/* Writes the benchmark's file of `rows` rows; its size, or -1. */
static long
write_file(const char *path, size_t rows, int64_t now)
{
	unsigned seed = 42;
	char line[128];
	size_t i;
	long bytes;
	FILE *f = fopen(path, "wb");

	if (!f) {
		perror(path);
		return -1;
	}
	fputs("\xef\xbb\xbf" "date,time,measure,value,unit\n", f);
	/* Every 200th row is written twice: a repeat to spot. */
	for (i = 0; i < rows; i++) {
		format_row(line, sizeof(line), i, now, &seed);
		fputs(line, f);
		if (i % 200 == 199 && ++i < rows)
			fputs(line, f);
	}
	bytes = ftell(f);
	fclose(f);
	return bytes;
}

/* The patient's organisation, for the rows. */
static int64_t
org_of(struct store *st, int64_t patient_id)
{
	struct db *db = store_acquire(st);
	struct stmt *q = db ? db_prepare(db, "SELECT org_id FROM patient "
					     "WHERE id = $1")
			    : NULL;
	int64_t org = 0;

	if (q) {
		stmt_bind_int(q, 1, patient_id);
		if (stmt_row(q))
			org = stmt_int(q, 0);
		stmt_done(q);
	}
	if (db)
		store_release(st, db);
	return org;
}

int
main(int argc, char **argv)
{
	struct store_options so = {.backend = STORE_SQLITE, .pool_size = 1,
				   .async_delay_ms = 50};
	struct readings_csv_totals t;
	struct reading_import_job j;
	struct store *st;
	struct rusage ru;
	struct count c;
	char path[] = "/tmp/cocare-bench-csv-XXXXXX";
	int64_t now = clock_now(), pid;
	double parse_ms, store_ms;
	uint64_t start;
	size_t rows, used = 0;
	long bytes;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: csv_import DATABASE PATIENT_ID [ROWS]\n"
				"       csv_import --write FILE [ROWS]\n");
		return 2;
	}
	if (!strcmp(argv[1], "--write")) {
		size_t n = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 100000;

		return write_file(argv[2], n, now) < 0;
	}
	so.sqlite_path = argv[1];
	pid = strtoll(argv[2], NULL, 10);
	rows = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 100000;
	if ((fd = mkstemp(path)) < 0) {
		perror(path);
		return 1;
	}
	close(fd);
	if ((bytes = write_file(path, rows, now)) < 0)
		return 1;
	if (store_open(&so, &st, NULL, 0) != ERR_OK) {
		fprintf(stderr, "csv_import: cannot open %s\n", argv[1]);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	parse_ms = parse_file(path, now, &c, &used, &t);
	remove(path);
	if (parse_ms < 0)
		return 1;
	memset(&j, 0, sizeof(j));
	j.org_id = org_of(st, pid);
	j.patient_id = pid;
	j.rows = c.rows;
	j.n = c.n;
	j.source = "csv";
	j.entered_by = 0;
	j.at_ms = now * 1000;
	start = clock_mono_ns();
	if (!j.org_id || store_write(st, reading_import, &j) != ERR_OK) {
		fprintf(stderr, "csv_import: the rows were not stored\n");
		return 1;
	}
	store_ms = (double)(clock_mono_ns() - start) / 1e6;
	store_close(st);
	getrusage(RUSAGE_SELF, &ru);
	printf("csv import: %zu rows, %.1f MB: parse %.0f ms, store %.0f ms, "
	       "total %.2f s; peak RSS %.1f MB (whole process)\n",
	       t.rows, (double)bytes / 1e6, parse_ms, store_ms,
	       (parse_ms + store_ms) / 1e3, (double)ru.ru_maxrss / 1024);
	printf("  %zu good, %zu refused (%zu repeats), %zu problems "
	       "reported; %zu stored, %zu already there; parser arena "
	       "%.2f MB\n",
	       t.good, t.bad, t.repeated, c.problems, j.imported, j.skipped,
	       (double)used / 1e6);
	free(c.rows);
	return j.imported ? 0 : 1;
}

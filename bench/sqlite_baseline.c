/*
 * The physical limit that cocare's durable writes are measured against
 * (issue 14): a plain C loop on the same SQLite library, in the same
 * kind of database (WAL, synchronous=FULL), inserting rows the size of an
 * audit event with ids that grow, for a few seconds each way:
 *   one   one row per commit, so one fdatasync per row;
 *   many  64 rows per commit (the connections of the wrk runs).
 * Prints "one ROWS_PER_SECOND" and "many ROWS_PER_SECOND", one a line.
 * Usage: sqlite_baseline DIRECTORY [SECONDS] (default 10, each way);
 * the directory must exist and is left with the database in it.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/banned.h"

#define MANY 64

static void
die(sqlite3 *h, const char *what)
{
	fprintf(stderr, "sqlite_baseline: %s: %s\n", what,
		h ? sqlite3_errmsg(h) : "out of memory");
	exit(1);
}

static void
exec(sqlite3 *h, const char *sql)
{
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(h, sql);
}

/* Rows a second, inserting `per_commit` rows per transaction. */
static double
run(sqlite3 *h, sqlite3_stmt *ins, int per_commit, double seconds,
    int64_t *next_id)
{
	static const char body[] =
		"{\"action\":\"update\",\"resource\":\"Setting\",\"detail\":"
		"\"language\",\"outcome\":\"success\",\"actor\":1234567890}";
	uint64_t t0 = clock_mono_ns(), t;
	int64_t rows = 0;
	int i;

	do {
		exec(h, "BEGIN IMMEDIATE");
		for (i = 0; i < per_commit; i++) {
			sqlite3_bind_int64(ins, 1, (*next_id)++);
			sqlite3_bind_int64(ins, 2, (int64_t)time(NULL));
			sqlite3_bind_text(ins, 3, body, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die(h, "insert");
			sqlite3_reset(ins);
		}
		exec(h, "COMMIT");
		rows += per_commit;
		t = clock_mono_ns();
	} while ((double)(t - t0) / 1e9 < seconds);
	return (double)rows / ((double)(t - t0) / 1e9);
}

int
main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 10;
	char path[4096];
	sqlite3 *h = NULL;
	sqlite3_stmt *ins;
	int64_t next_id = 1;

	if (argc < 2 || seconds <= 0) {
		fprintf(stderr, "usage: sqlite_baseline DIRECTORY [SECONDS]\n");
		return 2;
	}
	if (snprintf(path, sizeof(path), "%s/baseline.db", argv[1]) >=
	    (int)sizeof(path))
		return 2;
	remove(path);
	if (sqlite3_open(path, &h) != SQLITE_OK)
		die(h, path);
	exec(h, "PRAGMA journal_mode = WAL");
	exec(h, "PRAGMA synchronous = FULL");
	exec(h, "CREATE TABLE event (id INTEGER PRIMARY KEY, at INTEGER, "
		"body TEXT)");
	if (sqlite3_prepare_v2(h,
			       "INSERT INTO event (id, at, body) "
			       "VALUES (?, ?, ?)",
			       -1, &ins, NULL) != SQLITE_OK)
		die(h, "prepare");
	printf("one %.0f\n", run(h, ins, 1, seconds, &next_id));
	printf("many %.0f\n", run(h, ins, MANY, seconds, &next_id));
	sqlite3_finalize(ins);
	sqlite3_close(h);
	return 0;
}

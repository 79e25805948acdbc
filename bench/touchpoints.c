/*
 * Benchmark of the touchpoint analytics (issue 10, (c)): stores one
 * organisation with a unit of 2,000 patients (groups spread as in the
 * demo) and N touchpoints (default 1,000,000) over the past year, with
 * a consultation for one touchpoint in 10, a message thread for one in
 * 20, a rating for one consultation in 5 and an appointment for one in
 * 10; then times journey_analytics() for the unit over that year, the
 * function behind /touchpoints and /touchpoints.csv, without a split
 * and with each split, several times.
 * Usage: touchpoints DATABASE [N] (SQLite, a new file) or
 *        touchpoints --pg CONNINFO [N] (an empty PostgreSQL database).
 * A database that already holds the benchmark's organisation is timed
 * again as it is. The store is closed and opened again after storing,
 * so SQLite's write-ahead log is checkpointed into the database file as
 * it would be over a year of ordinary writes; on PostgreSQL the tables
 * are vacuumed and analysed, as autovacuum would have done by then.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contact/journey.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define PATIENTS 2000
#define RUNS 5
#define YEAR (365 * 86400LL)

struct fixture {
	int64_t org, unit, now;
	int64_t patient[PATIENTS];
	size_t n;		/* touchpoints */
	uint64_t seed;
};

static uint64_t
rnd(struct fixture *f)
{
	f->seed ^= f->seed << 13;
	f->seed ^= f->seed >> 7;
	f->seed ^= f->seed << 17;
	return f->seed;
}

static unsigned
below(struct fixture *f, unsigned n)
{
	return (unsigned)(rnd(f) % n);
}

static enum err
exec(struct stmt *st)
{
	return st ? stmt_exec(st) : ERR_DB;
}

static enum err
add_people(struct db *db, struct fixture *f)
{
	static const char *const langs[] = {"en", "en", "en", "es", "pl",
					    "ar", "ur", "ro"};
	static const char *const dis[] = {"", "none", "none", "none", "yes",
					  "prefer_not"};
	static const char *const dig[] = {"", "low", "some", "some", "high",
					  "high"};
	struct stmt *st;
	char birth[16], name[32];
	enum err e;
	size_t i;

	st = db_prepare(db, "INSERT INTO organisation (id, name, created_at) "
			    "VALUES ($1, 'Bench', 1)");
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->org);
	if ((e = exec(st)) != ERR_OK)
		return e;
	st = db_prepare(db, "INSERT INTO unit (id, org_id, name, created_at) "
			    "VALUES ($1, $2, 'Bench unit', 1)");
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, f->unit);
	stmt_bind_int(st, 2, f->org);
	if ((e = exec(st)) != ERR_OK)
		return e;
	for (i = 0; i < PATIENTS; i++) {
		st = db_prepare(db,
				"INSERT INTO patient (id, org_id, unit_id, "
				"given_name, family_name, search_name, "
				"birth_date, gender, preferred_language, "
				"interpreter_needed, disability, "
				"digital_confidence, deprivation_decile, "
				"created_at, updated_at) VALUES ($1, $2, $3, "
				"$4, 'Bench', $4, $5, 'female', $6, $7, $8, "
				"$9, $10, 1, 1)");
		if (!st)
			return ERR_DB;
		f->patient[i] = id_new();
		snprintf(birth, sizeof(birth), "%04u-%02u-%02u",
			 1930 + below(f, 88), 1 + below(f, 12),
			 1 + below(f, 28));
		snprintf(name, sizeof(name), "p%zu", i);
		stmt_bind_int(st, 1, f->patient[i]);
		stmt_bind_int(st, 2, f->org);
		stmt_bind_int(st, 3, f->unit);
		stmt_bind_str(st, 4, name);
		stmt_bind_str(st, 5, birth);
		stmt_bind_str(st, 6, langs[below(f, 8)]);
		stmt_bind_int(st, 7, below(f, 10) == 0);
		stmt_bind_str(st, 8, dis[below(f, 6)]);
		stmt_bind_str(st, 9, dig[below(f, 6)]);
		stmt_bind_int(st, 10, below(f, 11));
		if ((e = exec(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
add_consultation(struct db *db, struct fixture *f, int64_t pid, int64_t at,
		 const char *channel)
{
	static const char *const kinds[] = {"condition", "new_problem",
					    "prescription", "admin"};
	int64_t id = id_new(), first = at + 600 + below(f, 3 * 86400);
	char key[32];
	struct stmt *st;
	enum err e;

	st = db_prepare(db,
			"INSERT INTO consultation (id, org_id, patient_id, "
			"unit_id, kind, channel, submitted_by, submitted_at, "
			"answers, status, due_at, first_response_at, "
			"closed_at, outcome, request_key, updated_at) VALUES "
			"($1, $2, $3, $4, $5, $6, $3, $7, '{}', 'closed', $8, "
			"$9, $10, $11, $12, $7)");
	if (!st)
		return ERR_DB;
	snprintf(key, sizeof(key), "b%lld", (long long)id);
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, f->org);
	stmt_bind_int(st, 3, pid);
	stmt_bind_int(st, 4, f->unit);
	stmt_bind_str(st, 5, kinds[below(f, 4)]);
	stmt_bind_str(st, 6, channel);
	stmt_bind_int(st, 7, at);
	stmt_bind_int(st, 8, at + 86400);
	stmt_bind_int(st, 9, first);
	stmt_bind_int(st, 10, first + below(f, 86400));
	stmt_bind_str(st, 11, below(f, 10) ? "reply" : "appointment");
	stmt_bind_str(st, 12, key);
	if ((e = exec(st)) != ERR_OK)
		return e;
	if (below(f, 5) == 0) {
		st = db_prepare(db,
				"INSERT INTO consultation_rating "
				"(consultation_id, org_id, patient_id, "
				"rated_at, ease, helped) VALUES ($1, $2, $3, "
				"$4, $5, $6)");
		if (!st)
			return ERR_DB;
		stmt_bind_int(st, 1, id);
		stmt_bind_int(st, 2, f->org);
		stmt_bind_int(st, 3, pid);
		stmt_bind_int(st, 4, first);
		stmt_bind_int(st, 5, 1 + below(f, 5));
		stmt_bind_int(st, 6, 1 + below(f, 5));
		if ((e = exec(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
add_thread(struct db *db, struct fixture *f, int64_t pid, int64_t at,
	   const char *channel)
{
	struct stmt *st = db_prepare(
		db, "INSERT INTO message_thread (id, org_id, patient_id, "
		    "unit_id, subject, started_by, started_side, channel, "
		    "created_at, first_reply_at, last_message_at) VALUES "
		    "($1, $2, $3, $4, 'Bench', $3, $5, $6, $7, $8, $8)");

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, f->org);
	stmt_bind_int(st, 3, pid);
	stmt_bind_int(st, 4, f->unit);
	stmt_bind_str(st, 5, below(f, 4) ? "patient" : "staff");
	stmt_bind_str(st, 6, channel);
	stmt_bind_int(st, 7, at);
	stmt_bind_int(st, 8, at + 60 + below(f, 2 * 86400));
	return exec(st);
}

static enum err
add_touchpoints(struct db *db, void *arg)
{
	static const char *const channels[] = {"web", "web", "web", "web",
					       "web", "web", "phone", "phone",
					       "desk", "api"};
	struct fixture *f = arg;
	struct stmt *st;
	enum err e;
	size_t i;

	if ((e = add_people(db, f)) != ERR_OK)
		return e;
	for (i = 0; i < f->n; i++) {
		int64_t pid = f->patient[below(f, PATIENTS)];
		int64_t at = f->now - YEAR + (int64_t)(rnd(f) % YEAR);
		const char *ch = channels[below(f, 10)];
		bool patient = below(f, 100) < 55;

		st = db_prepare(db,
				"INSERT INTO touchpoint (id, org_id, at_ms, "
				"patient_id, channel, direction, initiator_id, "
				"initiator_side, kind, resource_type, "
				"resource_id) VALUES ($1, $2, $3, $4, $5, $6, "
				"$4, $7, 'message', 'Message', '1')");
		if (!st)
			return ERR_DB;
		stmt_bind_int(st, 1, id_new());
		stmt_bind_int(st, 2, f->org);
		stmt_bind_int(st, 3, at * 1000 + below(f, 1000));
		stmt_bind_int(st, 4, pid);
		stmt_bind_str(st, 5, ch);
		stmt_bind_str(st, 6, patient ? "patient-to-staff"
					     : "staff-to-patient");
		stmt_bind_str(st, 7, patient ? "patient" : "staff");
		if ((e = exec(st)) != ERR_OK)
			return e;
		if (i % 10 == 0 &&
		    (e = add_consultation(db, f, pid, at, ch)) != ERR_OK)
			return e;
		if (i % 20 == 5 && (e = add_thread(db, f, pid, at, ch)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* CPU time of this thread in ms: what the analytics cost, whatever
 * else the machine runs (the reads happen on this thread). */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The organisation and unit of an earlier run, if any. */
static bool
find_earlier(struct store *st, struct fixture *f)
{
	struct db *db = store_acquire(st);
	struct stmt *q = db ? db_prepare(db, "SELECT o.id, u.id, "
					     "(SELECT COUNT(*) FROM touchpoint) "
					     "FROM organisation o JOIN unit u "
					     "ON u.org_id = o.id WHERE o.name = "
					     "'Bench'")
			    : NULL;
	bool found = false;

	if (q && stmt_row(q)) {
		f->org = stmt_int(q, 0);
		f->unit = stmt_int(q, 1);
		f->n = (size_t)stmt_int(q, 2);
		found = true;
	}
	if (q)
		stmt_done(q);
	if (db)
		store_release(st, db);
	return found;
}

/*
 * PostgreSQL: what autovacuum does within minutes of a bulk load (and
 * a year of ordinary writes would long since have had): the planner's
 * statistics, and the visibility map that index-only scans rely on.
 */
static enum err
vacuum(struct store *st)
{
	struct db *db = store_acquire(st);
	uint64_t start = clock_mono_ns();
	enum err e;

	if (!db)
		return ERR_DB;
	e = exec(db_prepare(db, "VACUUM ANALYZE"));
	store_release(st, db);
	if (e == ERR_OK)
		printf("  vacuumed and analysed in %.1f s, as autovacuum "
		       "would have by now\n",
		       (double)(clock_mono_ns() - start) / 1e9);
	return e;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct store_options so = {.backend = STORE_SQLITE, .pool_size = 1,
				   .async_delay_ms = 50};
	static struct fixture f;
	struct journey_filter jf;
	struct store *st;
	struct db *db;
	uint64_t start;
	int arg = 1, s, k;

	if (argc > 2 && !strcmp(argv[1], "--pg")) {
		so.backend = STORE_PG;
		so.pg_conninfo = argv[2];
		arg = 3;
	} else if (argc > 1) {
		so.sqlite_path = argv[1];
		arg = 2;
	} else {
		fprintf(stderr, "usage: touchpoints DATABASE [N]\n"
				"       touchpoints --pg CONNINFO [N]\n");
		return 2;
	}
	f.n = argc > arg ? (size_t)strtoul(argv[arg], NULL, 10) : 1000000;
	f.seed = 0x2545f4914f6cdd1dULL;
	f.now = clock_now();
	f.org = id_new();
	f.unit = id_new();
	if (store_open(&so, &st, NULL, 0) != ERR_OK) {
		fprintf(stderr, "touchpoints: cannot open the database\n");
		return 1;
	}
	start = clock_mono_ns();
	if (find_earlier(st, &f)) {
		printf("touchpoint analytics (%s): %zu touchpoints of an "
		       "earlier run\n",
		       so.backend == STORE_PG ? "PostgreSQL" : "SQLite", f.n);
	} else {
		if (store_write(st, add_touchpoints, &f) != ERR_OK) {
			fprintf(stderr, "touchpoints: the fixture was not "
					"stored\n");
			return 1;
		}
		printf("touchpoint analytics (%s): %zu touchpoints, %zu "
		       "consultations, %zu threads, %d patients in one unit, "
		       "stored in %.1f s\n",
		       so.backend == STORE_PG ? "PostgreSQL" : "SQLite", f.n,
		       (f.n + 9) / 10, (f.n + 14) / 20, PATIENTS,
		       (double)(clock_mono_ns() - start) / 1e9);
		store_close(st);
		if (store_open(&so, &st, NULL, 0) != ERR_OK) {
			fprintf(stderr, "touchpoints: cannot open the "
					"database again\n");
			return 1;
		}
		if (so.backend == STORE_PG && vacuum(st) != ERR_OK) {
			fprintf(stderr, "touchpoints: VACUUM ANALYZE failed\n");
			return 1;
		}
	}
	fflush(stdout);
	db = store_acquire(st);
	memset(&jf, 0, sizeof(jf));
	jf.org_id = f.org;
	jf.unit_id = f.unit;
	jf.to = f.now + 1;
	jf.from = jf.to - YEAR;
	jf.now = f.now;
	for (s = 0; s < TS_SPLIT__MAX; s++) {
		double ms[RUNS], cpu[RUNS];
		struct ts_report *r = NULL;

		jf.split = (enum ts_split)s;
		for (k = 0; k < RUNS; k++) {
			/* The cap of a request's arena (http/server.c). */
			struct arena *a = arena_new(56 << 20);

			enum err e = ERR_NOMEM;

			r = arena_alloc(a, sizeof(*r));
			cpu[k] = cpu_ms();
			start = clock_mono_ns();
			if (!r || (e = journey_analytics(db, a, &jf, r)) != ERR_OK) {
				fprintf(stderr, "touchpoints: analytics failed: %s\n",
					err_str(e));
				return 1;
			}
			ms[k] = (double)(clock_mono_ns() - start) / 1e6;
			cpu[k] = cpu_ms() - cpu[k];
			if (k == RUNS - 1)
				printf("  split %-22s %zu groups, %lld contacts: ",
				       *ts_split_name(jf.split)
					       ? ts_split_name(jf.split)
					       : "(none)",
				       r->ngroups,
				       (long long)r->all.n[TS_N_CONTACTS].n);
			arena_free(a);
		}
		qsort(ms, RUNS, sizeof(ms[0]), cmp_double);
		qsort(cpu, RUNS, sizeof(cpu[0]), cmp_double);
		printf("median %.0f ms (CPU %.0f ms), slowest %.0f ms of %d "
		       "runs\n",
		       ms[RUNS / 2], cpu[RUNS / 2], ms[RUNS - 1], RUNS);
		fflush(stdout);
	}
	store_release(st, db);
	store_close(st);
	return 0;
}

/*
 * Unit tests for src/store on SQLite, and on PostgreSQL when
 * COCARE_TEST_PG is set: migrations, the statement cache, value round
 * trips, errors, group commit with failing and async jobs, backup,
 * integrity, advisory locks and reconnection.
 */
#include "support.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/arena.h"
#include "core/embed.h"
#include "core/err.h"
#include "core/id.h"
#include "store/store.h"

static const char sql_create[] =
	"CREATE TABLE item (id BIGINT PRIMARY KEY, body TEXT, n BIGINT)";
static const char sql_insert[] =
	"INSERT INTO item (id, body, n) VALUES ($1, $2, $3)";
static const char sql_get[] = "SELECT body, n FROM item WHERE id = $1";
static const char sql_count[] = "SELECT count(*) FROM item";
static const char sql_ids[] = "SELECT id FROM item ORDER BY id";

struct item {
	int64_t id;
	const char *body;	/* NULL stores SQL NULL */
	size_t len;
	int64_t n;
	enum err fail_with;	/* returned after a successful insert */
	bool twice;		/* inserts the same id again */
};

static void
make_table(struct db *db)
{
	struct stmt *st = db_prepare(db, sql_create);

	assert_non_null(st);
	assert_int_equal(stmt_exec(st), ERR_OK);
}

static enum err
insert_item(struct db *db, void *arg)
{
	struct item *it = arg;
	struct stmt *st = db_prepare(db, sql_insert);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, it->id);
	if (it->body)
		stmt_bind_text(st, 2, it->body, it->len);
	else
		stmt_bind_null(st, 2);
	stmt_bind_int(st, 3, it->n);
	e = stmt_exec(st);
	if (e == ERR_OK && it->twice)
		e = insert_item(db, &(struct item){.id = it->id, .n = 1});
	if (e == ERR_OK && it->fail_with != ERR_OK)
		return it->fail_with;
	return e;
}

static void
options_for(const struct test_db *t, struct store_options *o, char *path,
	    size_t pathlen)
{
	memset(o, 0, sizeof(*o));
	o->pool_size = 2;
	o->async_delay_ms = 5;
	if (test_on_pg()) {
		o->backend = STORE_PG;
		o->pg_conninfo = getenv("COCARE_TEST_PG");
	} else {
		o->backend = STORE_SQLITE;
		snprintf(path, pathlen, "%s/cocare.db", t->dir);
		o->sqlite_path = path;
	}
}

/* Closes and opens the same database again (no reset). */
static void
reopen(struct test_db *t)
{
	struct store_options o;
	char path[512];

	store_release(t->store, t->db);
	store_close(t->store);
	options_for(t, &o, path, sizeof(path));
	assert_int_equal(store_open(&o, &t->store, NULL, 0), ERR_OK);
	t->db = store_acquire(t->store);
	assert_non_null(t->db);
}

static int
embedded_migrations(void)
{
	const struct embedded_file *f;
	size_t n, i;
	int k = 0;

	f = embed_all(&n);
	for (i = 0; i < n; i++)
		if (strncmp(f[i].name, "migrations/", 11) == 0)
			k++;
	return k;
}

static void
test_migrations_once(void **state)
{
	static const char sql_first[] = "SELECT version, name, applied_at "
					"FROM schema_migrations "
					"ORDER BY version";
	static const char sql_n[] = "SELECT count(*) FROM schema_migrations";
	struct test_db t;
	struct stmt *st;
	int64_t applied;

	test_db_open(&t);
	assert_true(embedded_migrations() >= 1);
	assert_int_equal(test_count(t.db, sql_n), embedded_migrations());
	st = db_prepare(t.db, sql_first);
	assert_true(stmt_row(st));
	assert_int_equal(stmt_int(st, 0), 1);
	assert_string_equal(stmt_text(st, 1), "001_foundation.sql");
	applied = stmt_int(st, 2);
	assert_true(applied > 0);
	assert_int_equal(stmt_done(st), ERR_OK);
	/* A row in a migrated table survives the reopen untouched. */
	assert_int_equal(test_count(t.db, "SELECT count(*) FROM setting"), 0);
	reopen(&t);
	assert_int_equal(test_count(t.db, sql_n), embedded_migrations());
	st = db_prepare(t.db, sql_first);
	assert_true(stmt_row(st));
	assert_int_equal(stmt_int(st, 2), applied);
	assert_int_equal(stmt_done(st), ERR_OK);
	test_db_close(&t);
}

static void
pg_run(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, sql);

	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
}

/* A clash with an existing table fails store_open and records nothing. */
static void
test_migration_failure(void **state)
{
	struct store_options o;
	struct store *s = (struct store *)&o;	/* any non-NULL value */
	char path[512];
	char *dir = test_tmpdir();
	struct test_db t = {.dir = dir};
	sqlite3 *h;

	options_for(&t, &o, path, sizeof(path));
	if (test_on_pg()) {
		pg_run(o.pg_conninfo,
		       "SET client_min_messages = warning;"
		       "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
		       "CREATE TABLE setting (x INTEGER)");
	} else {
		assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "CREATE TABLE setting (x)",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(h);
	}
	assert_int_equal(store_open(&o, &s, NULL, 0), ERR_DB);
	assert_null(s);
	/* The same again: the failed migration was rolled back entirely. */
	assert_int_equal(store_open(&o, &s, NULL, 0), ERR_DB);
	assert_null(s);
	test_rmdir(dir);
}

static void
test_stmt_cache(void **state)
{
	static const char sql_echo[] = "SELECT $1, '$2 is text', $2 AS \"$3\"";
	struct test_db t;
	struct stmt *st, *st2;
	char built[32];

	test_db_open(&t);
	st = db_prepare(t.db, sql_echo);
	assert_non_null(st);
	stmt_bind_str(st, 1, "a");
	stmt_bind_int(st, 2, 7);
	assert_true(stmt_row(st));
	assert_string_equal(stmt_text(st, 0), "a");
	assert_string_equal(stmt_text(st, 1), "$2 is text");
	assert_int_equal(stmt_int(st, 2), 7);
	assert_false(stmt_row(st));
	assert_int_equal(stmt_done(st), ERR_OK);
	/* The same text address gives the same statement, rebound. */
	st2 = db_prepare(t.db, sql_echo);
	assert_ptr_equal(st, st2);
	stmt_bind_str(st2, 1, "b");
	assert_true(stmt_row(st2));
	assert_string_equal(stmt_text(st2, 0), "b");
	/* Bindings do not survive into the next use: $2 is NULL. */
	assert_true(stmt_is_null(st2, 2));
	assert_int_equal(stmt_done(st2), ERR_OK);
	/* Text changed at a cached address runs the new text. */
	snprintf(built, sizeof(built), "SELECT 1");
	st = db_prepare(t.db, built);
	assert_true(stmt_row(st));
	assert_int_equal(stmt_int(st, 0), 1);
	assert_int_equal(stmt_done(st), ERR_OK);
	snprintf(built, sizeof(built), "SELECT 2");
	st = db_prepare(t.db, built);
	assert_true(stmt_row(st));
	assert_int_equal(stmt_int(st, 0), 2);
	assert_int_equal(stmt_done(st), ERR_OK);
	/* Malformed placeholders and bad SQL are refused. */
	assert_null(db_prepare(t.db, "SELECT $0"));
	assert_null(db_prepare(t.db, "SELEKT 1"));
	/* Many statements grow the cache; all stay usable. */
	{
		static char texts[200][32];
		int i;

		for (i = 0; i < 200; i++) {
			snprintf(texts[i], sizeof(texts[i]), "SELECT %d", i);
			st = db_prepare(t.db, texts[i]);
			assert_non_null(st);
			assert_true(stmt_row(st));
			assert_int_equal(stmt_int(st, 0), i);
			assert_int_equal(stmt_done(st), ERR_OK);
		}
		for (i = 0; i < 200; i++) {
			st = db_prepare(t.db, texts[i]);
			assert_true(stmt_row(st));
			assert_int_equal(stmt_int(st, 0), i);
			assert_int_equal(stmt_done(st), ERR_OK);
		}
	}
	test_db_close(&t);
}

static void
check_item(struct db *db, int64_t id, const char *body, size_t len,
	   int64_t n)
{
	struct arena *a = arena_new(4u << 20);
	struct stmt *st = db_prepare(db, sql_get);
	char *dup;

	stmt_bind_int(st, 1, id);
	assert_true(stmt_row(st));
	if (!body) {
		assert_true(stmt_is_null(st, 0));
		assert_null(stmt_text(st, 0));
		assert_null(stmt_text_dup(st, 0, a));
	} else {
		assert_false(stmt_is_null(st, 0));
		dup = stmt_text_dup(st, 0, a);
		assert_non_null(dup);
		assert_int_equal(strlen(dup), len);
		assert_memory_equal(dup, body, len);
		assert_memory_equal(stmt_text(st, 0), body, len);
	}
	assert_int_equal(stmt_int(st, 1), n);
	assert_false(stmt_row(st));
	assert_int_equal(stmt_done(st), ERR_OK);
	arena_free(a);
}

static void
test_round_trips(void **state)
{
	static const char *const texts[] = {
		"",
		"O'Brien said \"hello\" \\ back`tick",
		"'; DROP TABLE item; --",
		"Zoë, 患者, Ελληνικά, 🙂",
		"$1 ?1 :a @b",
	};
	size_t big = 1u << 20, i;
	char *mb = malloc(big);
	struct test_db t;
	struct item it;

	test_db_open(&t);
	make_table(t.db);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		it = (struct item){.id = (int64_t)i + 1, .body = texts[i],
				   .len = strlen(texts[i]), .n = (int64_t)i};
		assert_int_equal(store_write(t.store, insert_item, &it),
				 ERR_OK);
	}
	/* NULL, extreme integers, counted text cut out of a longer string. */
	it = (struct item){.id = 100, .n = INT64_MIN};
	assert_int_equal(store_write(t.store, insert_item, &it), ERR_OK);
	it = (struct item){.id = 101, .body = "hello world", .len = 5,
			   .n = INT64_MAX};
	assert_int_equal(store_write(t.store, insert_item, &it), ERR_OK);
	for (i = 0; i < big; i++)
		mb[i] = (char)('a' + i % 26);
	it = (struct item){.id = 102, .body = mb, .len = big, .n = -1};
	assert_int_equal(store_write(t.store, insert_item, &it), ERR_OK);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_item(t.db, (int64_t)i + 1, texts[i], strlen(texts[i]),
			   (int64_t)i);
	check_item(t.db, 100, NULL, 0, INT64_MIN);
	check_item(t.db, 101, "hello", 5, INT64_MAX);
	check_item(t.db, 102, mb, big, -1);
	/* The table survived its would-be injection. */
	assert_int_equal(test_count(t.db, sql_count), 8);
	/* A NUL inside text is refused rather than cut short. */
	it = (struct item){.id = 103, .body = "a\0b", .len = 3};
	assert_int_equal(store_write(t.store, insert_item, &it), ERR_DB);
	assert_int_equal(test_count(t.db, sql_count), 8);
	free(mb);
	test_db_close(&t);
}

static void
test_exists_and_changes(void **state)
{
	static const char sql_bump[] =
		"UPDATE item SET n = n + 1 WHERE id > $1";
	struct item it = {.id = 1, .body = "x", .len = 1};
	struct test_db t;
	struct stmt *st;
	int i;

	test_db_open(&t);
	make_table(t.db);
	assert_int_equal(store_write(t.store, insert_item, &it), ERR_OK);
	assert_int_equal(store_write(t.store, insert_item, &it), ERR_EXISTS);
	/* Directly on a pooled connection too. */
	assert_int_equal(insert_item(t.db, &it), ERR_EXISTS);
	for (i = 2; i <= 4; i++) {
		it.id = i;
		assert_int_equal(insert_item(t.db, &it), ERR_OK);
	}
	st = db_prepare(t.db, sql_bump);
	stmt_bind_int(st, 1, 1);
	assert_int_equal(stmt_exec(st), ERR_OK);
	assert_int_equal(stmt_changes(st), 3);
	assert_int_equal(test_count(t.db, sql_count), 4);
	assert_true(store_db_time_ns(t.store) > 0);
	test_db_close(&t);
}

static void
test_explicit_transactions(void **state)
{
	struct item it = {.id = 1, .body = "x", .len = 1};
	struct test_db t;

	test_db_open(&t);
	make_table(t.db);
	assert_int_equal(db_begin(t.db), ERR_OK);
	assert_int_equal(insert_item(t.db, &it), ERR_OK);
	assert_int_equal(db_rollback(t.db), ERR_OK);
	assert_int_equal(test_count(t.db, sql_count), 0);
	assert_int_equal(db_begin(t.db), ERR_OK);
	assert_int_equal(insert_item(t.db, &it), ERR_OK);
	assert_int_equal(db_commit(t.db), ERR_OK);
	assert_int_equal(test_count(t.db, sql_count), 1);
	/* A failed statement, then commit: nothing half-done is kept. */
	assert_int_equal(db_begin(t.db), ERR_OK);
	it.id = 2;
	assert_int_equal(insert_item(t.db, &it), ERR_OK);
	it.id = 1;
	assert_int_equal(insert_item(t.db, &it), ERR_EXISTS);
	if (test_on_pg())
		assert_int_equal(db_commit(t.db), ERR_DB);
	else
		assert_int_equal(db_commit(t.db), ERR_OK);
	assert_int_equal(test_count(t.db, sql_count), test_on_pg() ? 1 : 2);
	test_db_close(&t);
}

struct writer_arg {
	struct store *store;
	int thread;
	int count;
	bool with_failures;
	enum err *status;	/* count entries */
};

static int64_t
writer_id(int thread, int k)
{
	return (int64_t)thread * 100000 + k + 1;
}

static void *
writer_thread(void *p)
{
	struct writer_arg *w = p;
	int k;

	for (k = 0; k < w->count; k++) {
		struct item it = {.id = writer_id(w->thread, k), .body = "w",
				  .len = 1, .n = k};

		if (w->with_failures && k % 7 == 3)
			it.fail_with = ERR_CONFLICT;
		else if (w->with_failures && k % 11 == 5)
			it.twice = true;
		w->status[k] = store_write(w->store, insert_item, &it);
	}
	return NULL;
}

static double
run_writers(struct store *s, int nthreads, int count, bool failures,
	    struct writer_arg *w)
{
	pthread_t th[16];
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct writer_arg){s, i, count, failures,
					   calloc((size_t)count,
						  sizeof(enum err))};
		assert_int_equal(pthread_create(&th[i], NULL, writer_thread,
						&w[i]),
				 0);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) +
	       (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* Failing jobs in shared batches undo only themselves. */
static void
test_batch_isolation(void **state)
{
	struct writer_arg w[8];
	struct test_db t;
	struct stmt *st;
	int i, k, expected = 0;
	int64_t want;

	test_db_open(&t);
	make_table(t.db);
	run_writers(t.store, 8, 200, true, w);
	for (i = 0; i < 8; i++) {
		for (k = 0; k < 200; k++) {
			enum err e = k % 7 == 3	   ? ERR_CONFLICT
				     : k % 11 == 5 ? ERR_EXISTS
						   : ERR_OK;

			assert_int_equal(w[i].status[k], e);
			expected += e == ERR_OK;
		}
	}
	assert_int_equal(test_count(t.db, sql_count), expected);
	/* Exactly the successful ids, in order. */
	st = db_prepare(t.db, sql_ids);
	for (i = 0; i < 8; i++) {
		for (k = 0; k < 200; k++) {
			if (w[i].status[k] != ERR_OK)
				continue;
			want = writer_id(i, k);
			assert_true(stmt_row(st));
			assert_int_equal(stmt_int(st, 0), want);
		}
		free(w[i].status);
	}
	assert_false(stmt_row(st));
	assert_int_equal(stmt_done(st), ERR_OK);
	test_db_close(&t);
}

/* 8 threads x 500 writes, all acknowledged, all there after reopening. */
static void
test_concurrent_durable(void **state)
{
	struct writer_arg w[8];
	struct test_db t;
	double secs;
	int i, k;

	test_db_open(&t);
	make_table(t.db);
	secs = run_writers(t.store, 8, 500, false, w);
	for (i = 0; i < 8; i++) {
		for (k = 0; k < 500; k++)
			assert_int_equal(w[i].status[k], ERR_OK);
		free(w[i].status);
	}
	print_message("store: %s: 4000 writes from 8 threads: %.0f/s\n",
		      test_on_pg() ? "postgresql" : "sqlite", 4000 / secs);
	reopen(&t);
	assert_int_equal(test_count(t.db, sql_count), 4000);
	test_db_close(&t);
}

struct deferred_arg {
	struct item it;
	atomic_int calls;
	atomic_int failed;
};

static void
on_durable(void *arg, enum err e)
{
	struct deferred_arg *d = arg;

	if (e != ERR_OK)
		atomic_fetch_add(&d->failed, 1);
	atomic_fetch_add(&d->calls, 1);
}

/*
 * Deferred writes: each returns once committed and is reported durable
 * exactly once later, unless it already was. Every row is there after
 * reopening, and store_close leaves no report outstanding.
 */
static void
test_deferred_writes(void **state)
{
	enum { N = 200 };
	struct deferred_arg *d = calloc(N, sizeof(*d));
	struct test_db t;
	int i, deferred_count = 0;

	test_db_open(&t);
	make_table(t.db);
	for (i = 0; i < N; i++) {
		bool deferred = false;

		d[i].it.id = i + 1;
		d[i].it.body = "deferred";
		d[i].it.len = 8;
		assert_int_equal(store_write_deferred(t.store, insert_item,
						      &d[i].it, on_durable,
						      &d[i], &deferred),
				 ERR_OK);
		deferred_count += deferred;
		if (!deferred)
			on_durable(&d[i], ERR_OK);
	}
	/*
	 * A write refused as a repeat saw the first one, which may not be
	 * on disk yet: it reports its status, and when that first one is
	 * still on its way the answer is deferred until it is durable.
	 */
	struct deferred_arg bad = {0};
	bool bad_deferred = true;

	bad.it.id = N;	/* duplicate key of the last write */
	bad.it.body = "x";
	bad.it.len = 1;
	assert_int_equal(store_write_deferred(t.store, insert_item, &bad.it,
					      on_durable, &bad, &bad_deferred),
			 ERR_EXISTS);
	reopen(&t);
	for (i = 0; i < N; i++) {
		assert_int_equal(atomic_load(&d[i].calls), 1);
		assert_int_equal(atomic_load(&d[i].failed), 0);
	}
	assert_int_equal(atomic_load(&bad.calls), bad_deferred ? 1 : 0);
	assert_int_equal(atomic_load(&bad.failed), 0);
	assert_int_equal(test_count(t.db, sql_count), N);
	print_message("store: %d of %d writes answered before their flush\n",
		      deferred_count, N);
	test_db_close(&t);
	free(d);
}

/*
 * The barrier of a form that only read waits for the commits made so
 * far, reported once. On PostgreSQL those of another process too (here
 * a second store on the database): the barrier always waits for a
 * flush that begins after it.
 */
static void
test_durable_barrier(void **state)
{
	struct deferred_arg d = {0}, b = {0}, c = {0};
	bool deferred = false, b_deferred = true, c_deferred = false;
	struct store_options o;
	struct store *other;
	struct test_db t;
	char path[512];

	test_db_open(&t);
	make_table(t.db);
	d.it.id = 1;
	d.it.body = "b";
	d.it.len = 1;
	assert_int_equal(store_write_deferred(t.store, insert_item, &d.it,
					      on_durable, &d, &deferred),
			 ERR_OK);
	assert_int_equal(store_durable_barrier(t.store, on_durable, &b,
					       &b_deferred),
			 ERR_OK);
	if (test_on_pg()) {
		options_for(&t, &o, path, sizeof(path));
		assert_int_equal(store_open(&o, &other, NULL, 0), ERR_OK);
		assert_int_equal(store_durable_barrier(other, on_durable, &c,
						       &c_deferred),
				 ERR_OK);
		assert_true(b_deferred);
		assert_true(c_deferred);
		store_close(other);
		assert_int_equal(atomic_load(&c.calls), 1);
	}
	reopen(&t);
	assert_int_equal(atomic_load(&d.calls), deferred ? 1 : 0);
	assert_int_equal(atomic_load(&b.calls), b_deferred ? 1 : 0);
	assert_int_equal(atomic_load(&d.failed) + atomic_load(&b.failed) +
				 atomic_load(&c.failed),
			 0);
	test_db_close(&t);
}

/*
 * Health: a fresh store takes writes; on SQLite one that must keep more
 * space free than the disk has says the disk is full, in words fit for a
 * public page (no path).
 */
static void
test_writable(void **state)
{
	struct store_options o;
	struct store *s;
	struct test_db t;
	char path[512], why[128] = "";

	test_db_open(&t);
	assert_true(store_writable(t.store, why, sizeof(why)));
	assert_string_equal(why, "");
	if (!test_on_pg()) {
		options_for(&t, &o, path, sizeof(path));
		o.min_free_bytes = INT64_MAX;
		assert_int_equal(store_open(&o, &s, NULL, 0), ERR_OK);
		assert_false(store_writable(s, why, sizeof(why)));
		assert_string_equal(why, "the disk is full");
		store_close(s);
	}
	test_db_close(&t);
}

static atomic_int released;

static void
release_item(void *p)
{
	free(p);
	atomic_fetch_add(&released, 1);
}

/* Async jobs past the queue bound wait; store_close commits them all. */
static void
test_async_drained_by_close(void **state)
{
	enum { N = 10500 };
	struct test_db t;
	int i;

	atomic_store(&released, 0);
	test_db_open(&t);
	make_table(t.db);
	for (i = 0; i < N; i++) {
		struct item *it = calloc(1, sizeof(*it));

		it->id = i + 1;
		it->body = "async";
		it->len = 5;
		assert_int_equal(store_write_async(t.store, insert_item, it,
						   release_item),
				 ERR_OK);
	}
	reopen(&t);
	assert_int_equal(atomic_load(&released), N);
	assert_int_equal(test_count(t.db, sql_count), N);
	test_db_close(&t);
}

static const char sql_orphan[] =
	"INSERT INTO child (id, parent_id) VALUES (1, 999)";

static enum err
insert_orphan(struct db *db, void *arg)
{
	/* Fine until the deferred foreign key is checked at COMMIT. */
	return stmt_exec(db_prepare(db, sql_orphan));
}

/*
 * A commit that fails fails every synchronous job of the batch and
 * stores nothing of it; async jobs of that batch are run again.
 */
static void
test_commit_failure(void **state)
{
	static const char sql_child[] =
		"CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT "
		"REFERENCES item (id) DEFERRABLE INITIALLY DEFERRED)";
	struct test_db t;
	int i;

	atomic_store(&released, 0);
	test_db_open(&t);
	make_table(t.db);
	assert_int_equal(stmt_exec(db_prepare(t.db, sql_child)), ERR_OK);
	for (i = 0; i < 20; i++) {
		struct item *it = calloc(1, sizeof(*it));

		it->id = i + 1;
		assert_int_equal(store_write_async(t.store, insert_item, it,
						   release_item),
				 ERR_OK);
		if (i % 5 == 0)
			assert_int_equal(store_write(t.store, insert_orphan,
						     NULL),
					 ERR_DB);
	}
	reopen(&t);
	assert_int_equal(atomic_load(&released), 20);
	assert_int_equal(test_count(t.db, sql_count), 20);
	assert_int_equal(test_count(t.db, "SELECT count(*) FROM child"), 0);
	test_db_close(&t);
}

/* A job may not write through store_write itself. */
static enum err
nested_write(struct db *db, void *arg)
{
	struct item it = {.id = 9, .body = "x", .len = 1};

	return store_write(arg, insert_item, &it);
}

static void
test_nested_write_refused(void **state)
{
	struct test_db t;

	test_db_open(&t);
	make_table(t.db);
	assert_int_equal(store_write(t.store, nested_write, t.store),
			 ERR_INTERNAL);
	assert_int_equal(test_count(t.db, sql_count), 0);
	test_db_close(&t);
}

struct backup_arg {
	struct store *store;
	atomic_bool stop;
	int written;
};

static void *
backup_writer(void *p)
{
	struct backup_arg *b = p;

	while (!atomic_load(&b->stop)) {
		struct item it = {.id = 1000 + b->written, .body = "b",
				  .len = 1};

		if (store_write(b->store, insert_item, &it) == ERR_OK)
			b->written++;
	}
	return NULL;
}

static void
test_backup(void **state)
{
	struct backup_arg b = {0};
	struct test_db t;
	char path[512];
	pthread_t th;
	sqlite3 *h;
	sqlite3_stmt *st;
	int i;

	test_db_open(&t);
	make_table(t.db);
	snprintf(path, sizeof(path), "%s/backup.db", t.dir);
	if (test_on_pg()) {
		assert_int_equal(store_backup(t.store, path), ERR_INVALID);
		test_db_close(&t);
		return;
	}
	for (i = 0; i < 100; i++) {
		struct item it = {.id = i + 1, .body = "x", .len = 1};

		assert_int_equal(store_write(t.store, insert_item, &it),
				 ERR_OK);
	}
	b.store = t.store;
	assert_int_equal(pthread_create(&th, NULL, backup_writer, &b), 0);
	assert_int_equal(store_backup(t.store, path), ERR_OK);
	atomic_store(&b.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(store_backup(t.store, path), ERR_EXISTS);
	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1,
					    &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT count(*) FROM item "
					    "WHERE id <= 100",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 100);
	sqlite3_finalize(st);
	sqlite3_close(h);
	test_db_close(&t);
}

static void
test_integrity(void **state)
{
	struct test_db t;
	char msg[256];
	char path[512];
	sqlite3 *h;

	test_db_open(&t);
	assert_int_equal(store_check_integrity(t.store, msg, sizeof(msg)),
			 ERR_OK);
	assert_string_equal(msg, "ok");
	if (!test_on_pg()) {
		/* A row whose parent is missing, written behind our back. */
		snprintf(path, sizeof(path), "%s/cocare.db", t.dir);
		assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
		sqlite3_busy_timeout(h, 5000);
		assert_int_equal(sqlite3_exec(h,
					      "INSERT INTO unit VALUES "
					      "(1, 999, 'ward', 0)",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(h);
		assert_int_equal(store_check_integrity(t.store, msg,
						       sizeof(msg)),
				 ERR_DB);
		assert_non_null(strstr(msg, "foreign key"));
	}
	test_db_close(&t);
}

/*
 * PostgreSQL: a write transaction holds the write lock from its start,
 * as SQLite's BEGIN IMMEDIATE does, until it ends: no other process can
 * write meanwhile, and none can hold a lock this one will wait for.
 */
static void
test_pg_write_lock(void **state)
{
	static const char sql_try[] = "SELECT pg_try_advisory_xact_lock($1)";
	struct test_db t;
	struct db *other;
	struct stmt *st;
	int i;

	if (!test_on_pg())
		skip();
	test_db_open(&t);
	other = store_acquire(t.store);
	assert_non_null(other);
	assert_int_equal(db_begin(t.db), ERR_OK);
	for (i = 0; i < 2; i++) {
		if (i == 1)
			assert_int_equal(db_commit(t.db), ERR_OK);
		st = db_prepare(other, sql_try);
		stmt_bind_int(st, 1, STORE_PG_WRITE_LOCK);
		assert_true(stmt_row(st));
		assert_int_equal(stmt_int(st, 0), i);	/* taken once free */
		assert_int_equal(stmt_done(st), ERR_OK);
	}
	store_release(t.store, other);
	test_db_close(&t);
}

/* PostgreSQL: a connection killed by the server is reset on acquire. */
static void
test_pg_reconnect(void **state)
{
	static const char sql_pid[] = "SELECT pg_backend_pid()";
	static const char sql_kill[] = "SELECT pg_terminate_backend($1)";
	struct test_db t;
	struct db *other;
	struct stmt *st;
	int64_t pid;

	if (!test_on_pg())
		skip();
	test_db_open(&t);
	st = db_prepare(t.db, sql_pid);
	assert_true(stmt_row(st));
	pid = stmt_int(st, 0);
	assert_int_equal(stmt_done(st), ERR_OK);
	other = store_acquire(t.store);
	st = db_prepare(other, sql_kill);
	stmt_bind_int(st, 1, pid);
	assert_int_equal(stmt_exec(st), ERR_OK);
	store_release(t.store, other);
	st = db_prepare(t.db, sql_pid);
	assert_false(stmt_row(st));
	assert_int_equal(stmt_done(st), ERR_DB);
	store_release(t.store, t.db);
	t.db = store_acquire(t.store);
	assert_non_null(t.db);
	st = db_prepare(t.db, sql_pid);
	assert_non_null(st);
	assert_true(stmt_row(st));
	assert_true(stmt_int(st, 0) != pid);
	assert_int_equal(stmt_done(st), ERR_OK);
	test_db_close(&t);
}

static void
count_failure(void *arg)
{
	atomic_fetch_add((atomic_int *)arg, 1);
}

/*
 * PostgreSQL: with the syncer's connection lost, no commit waiting for
 * the disk can be confirmed (the server may have lost it): the store
 * fails closed as after a failed flush on SQLite. The write waiting is
 * unconfirmed, later ones are refused, and the owner is told once.
 */
static void
test_pg_flush_lost(void **state)
{
	static const char sql_kill[] =
		"SELECT count(pg_terminate_backend(pid, 5000)) "
		"FROM pg_stat_activity WHERE application_name = $1";
	static const char app[] = "cocare-flush-lost";
	struct store_options o;
	struct test_db t;
	struct store *s;
	struct stmt *st;
	char path[512], conninfo[1024], why[128];
	atomic_int failures = 0;

	if (!test_on_pg())
		skip();
	test_db_open(&t);
	make_table(t.db);
	options_for(&t, &o, path, sizeof(path));
	snprintf(conninfo, sizeof(conninfo), "%s application_name=%s",
		 o.pg_conninfo, app);
	o.pg_conninfo = conninfo;
	o.on_failure = count_failure;
	o.failure_arg = &failures;
	assert_int_equal(store_open(&o, &s, NULL, 0), ERR_OK);
	st = db_prepare(t.db, sql_kill);
	stmt_bind_text(st, 1, app, strlen(app));
	assert_true(stmt_row(st));
	assert_true(stmt_int(st, 0) >= 2);	/* the writer and the syncer */
	assert_int_equal(stmt_done(st), ERR_OK);
	assert_int_equal(store_write(s, insert_item,
				     &(struct item){.id = 1, .body = "x",
						    .len = 1}),
			 ERR_UNCONFIRMED);
	assert_int_equal(store_write(s, insert_item,
				     &(struct item){.id = 2, .body = "y",
						    .len = 1}),
			 ERR_UNAVAILABLE);
	assert_false(store_writable(s, why, sizeof(why)));
	store_close(s);
	assert_int_equal(atomic_load(&failures), 1);
	test_db_close(&t);
}

static int
id_node_of(int64_t id)
{
	return (int)((id >> 11) & (ID_NODES - 1));
}

/* Whether `id` was made from the clock (a random one almost never is
 * within a minute of now). */
static bool
id_is_timed(int64_t id)
{
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - ID_EPOCH_MS;
	return llabs((id >> ID_TIME_SHIFT) - now) < 60000;
}

/*
 * Two stores on one database hold different id nodes, so two processes
 * (here two stores of one) never make the same id at the same moment.
 */
static void
test_id_nodes(void **state)
{
	struct store_options o;
	struct test_db t;
	struct store *second;
	char path[512];
	int64_t a, b;

	test_db_open(&t);
	a = id_new();
	assert_true(id_is_timed(a));
	options_for(&t, &o, path, sizeof(path));
	assert_int_equal(store_open(&o, &second, NULL, 0), ERR_OK);
	b = id_new();
	assert_true(id_is_timed(b));
	assert_true(b > a);
	assert_int_not_equal(id_node_of(a), id_node_of(b));
	store_close(second);
	/* Without a node of its own a process makes random ids. */
	reopen(&t);
	assert_true(id_is_timed(id_new()));
	test_db_close(&t);
	assert_false(id_is_timed(id_new()));
}

static enum err
insert_big(struct db *db, void *arg)
{
	static char body[400 * 1024];
	struct item it = {.id = id_new(), .body = body, .len = sizeof(body)};

	(void)arg;
	memset(body, 'x', sizeof(body));
	return insert_item(db, &it);
}

/*
 * SQLite: the log is copied into the database by the checkpointer while
 * the writer goes on, and stays bounded: 150 commits of 100 pages each
 * would make a log of 15,000 pages (62 MB) without checkpoints. (It
 * stays near 2,000 pages here; the bound is the one held however slowly
 * the checkpointer runs.)
 */
static void
test_wal_bounded(void **state)
{
	char path[512];
	struct stat sb;
	struct test_db t;
	int i;

	if (test_on_pg())
		skip();
	test_db_open(&t);
	make_table(t.db);
	snprintf(path, sizeof(path), "%s/cocare.db-wal", t.dir);
	for (i = 0; i < 150; i++)
		assert_int_equal(store_write(t.store, insert_big, NULL),
				 ERR_OK);
	assert_int_equal(stat(path, &sb), 0);
	/* At most 10,000 pages, and the commit that went past them. */
	assert_true(sb.st_size <= (10000 + 200) * (4096 + 24));
	reopen(&t);
	assert_int_equal(test_count(t.db, sql_count), 150);
	test_db_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_once),
		cmocka_unit_test(test_migration_failure),
		cmocka_unit_test(test_stmt_cache),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_exists_and_changes),
		cmocka_unit_test(test_explicit_transactions),
		cmocka_unit_test(test_batch_isolation),
		cmocka_unit_test(test_concurrent_durable),
		cmocka_unit_test(test_async_drained_by_close),
		cmocka_unit_test(test_deferred_writes),
		cmocka_unit_test(test_durable_barrier),
		cmocka_unit_test(test_writable),
		cmocka_unit_test(test_commit_failure),
		cmocka_unit_test(test_nested_write_refused),
		cmocka_unit_test(test_backup),
		cmocka_unit_test(test_integrity),
		cmocka_unit_test(test_pg_write_lock),
		cmocka_unit_test(test_pg_reconnect),
		cmocka_unit_test(test_pg_flush_lost),
		cmocka_unit_test(test_id_nodes),
		cmocka_unit_test(test_wal_bounded),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

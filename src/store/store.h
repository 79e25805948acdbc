/*
 * One database API over two backends, SQLite (default) and PostgreSQL.
 *
 * Reads: a handler takes a connection from the pool with store_acquire(),
 * runs prepared statements, and gives it back with store_release().
 *
 * Writes: every write goes through store_write(): the function runs on
 * the single writer thread of this process inside a transaction that it
 * shares with the other writes queued at the same moment (group commit),
 * each inside its own savepoint so one failing write does not undo the
 * others. store_write() returns only after the commit is durable (a
 * flush of the log that began after it ended: see store.c's syncer).
 * Audit events for
 * reads use store_write_async(), committed within async_delay_ms.
 *
 * SQL is written once for both backends with $1, $2, ... parameters and
 * portable types (BIGINT, INTEGER, TEXT); statements are prepared once
 * per connection and cached by the address of their SQL text, so pass
 * string constants (a module's static statement table), never built text.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct store;
struct db;
struct stmt;

enum store_backend { STORE_SQLITE, STORE_PG };

struct store_options {
	enum store_backend backend;
	const char *sqlite_path;	/* STORE_SQLITE: database file */
	const char *pg_conninfo;	/* STORE_PG: libpq connection string */
	int pool_size;			/* read connections, at least 1 */
	int async_delay_ms;		/* bound on async-write latency */
	int64_t min_free_bytes;		/* SQLite: less free disk space than
					   this and store_writable() says no */
	/*
	 * Called once, from the store's own thread, when a flush to disk
	 * failed (see "Failing closed" below); NULL for none.
	 */
	void (*on_failure)(void *arg);
	void *failure_arg;
};

/*
 * Opens the database, applies pending migrations (embedded
 * migrations/NNN_*.sql, in order, each recorded in schema_migrations)
 * and starts the writer thread. On error nothing is left open and, when
 * `why` is not NULL, it holds one line for the person starting cocare:
 * the path, the system's reason and what to do (a read-only database
 * file or file system is refused here, before anything is written).
 */
enum err store_open(const struct store_options *o, struct store **out,
		    char *why, size_t whylen);

/* Finishes queued writes, stops the writer and closes every connection. */
void store_close(struct store *s);

enum store_backend store_backend(const struct store *s);

/* The backend of a connection's store (for the rare query that must be
 * written differently for each: SQLite has no hash aggregation). */
enum store_backend db_backend(const struct db *db);

/* A connection for this thread's reads; NULL if none can be opened. */
struct db *store_acquire(struct store *s);
void store_release(struct store *s, struct db *db);

/*
 * Runs `fn(db, arg)` in the writer's transaction and waits until it is
 * committed. Returns fn's status when it fails (its changes are rolled
 * back, others' are kept), ERR_DB when the commit fails, else ERR_OK.
 * ERR_UNAVAILABLE after store_close() began. `fn` must not call
 * store_write() itself (ERR_INTERNAL) nor commit or roll back.
 * ERR_FULL when the disk is full (nothing of it stored); ERR_UNCONFIRMED
 * when its flush failed (see "Failing closed").
 */
enum err store_write(struct store *s, enum err (*fn)(struct db *, void *),
		     void *arg);

/*
 * Like store_write(), but returns as soon as the write is committed
 * (other requests can see it) without waiting for the disk: `durable(
 * durable_arg, e)` is called later, from another thread, once the commit
 * is on disk (ERR_OK) or cannot be made so (ERR_DB). `*deferred` tells
 * whether that call will come; when it is false (the commit was already
 * durable, the store commits durably without a syncer, or the write
 * failed) nothing is
 * called. An HTTP request uses this to answer only once its write is
 * durable without holding a worker thread meanwhile.
 */
enum err store_write_deferred(struct store *s,
			      enum err (*fn)(struct db *, void *), void *arg,
			      void (*durable)(void *, enum err),
			      void *durable_arg, bool *deferred);

/*
 * Failing closed. When a flush of committed writes to disk fails, the
 * operating system may have dropped the unflushed pages, so nothing the
 * process holds can be trusted as saved (PostgreSQL's fsync lesson of
 * 2018). The store then takes no more writes: writes waiting for that
 * flush get ERR_UNCONFIRMED (they may or may not be stored), later ones
 * ERR_UNAVAILABLE (nothing stored), and o->on_failure is called so that
 * the process can exit and be restarted, when SQLite recovers from what
 * reached its write-ahead log. Every write, whatever its status, answers
 * only once the state it saw is durable: an ERR_EXISTS or ERR_CONFLICT
 * found against an earlier write that is not on disk yet waits for it.
 */

/*
 * Makes the answer to a request that read stored state wait until that
 * state is durable: every commit made so far. Like store_write_deferred:
 * `*deferred` tells whether `durable(arg, e)` will be called later (with
 * ERR_OK, or ERR_UNCONFIRMED after a failed flush); when false, the
 * return value is the answer now (ERR_OK, or ERR_UNCONFIRMED).
 */
enum err store_durable_barrier(struct store *s,
			       void (*durable)(void *, enum err), void *arg,
			       bool *deferred);

/*
 * Whether a write would be stored now, for /healthz; when not, `why`
 * gets a few plain words without paths ("the disk is full"). False after
 * a failed flush, while the last write failed for want of space or by a
 * database error less than 10 s ago with none stored since, and (SQLite)
 * when the data directory's file system is read-only or has less than
 * o->min_free_bytes free, or the database file cannot be written (the
 * disk is looked at again at most every 100 ms). Cheap: a lock, and two
 * system calls now and then; no database work.
 */
bool store_writable(struct store *s, char *why, size_t whylen);

/*
 * Queues `fn(db, arg)` without waiting; `release(arg)` runs afterwards
 * on the writer thread (or at once if the queue is refused). Used for
 * audit events of reads. Returns ERR_UNAVAILABLE after store_close began.
 * While 10,000 async writes are queued it blocks until the writer takes
 * them: audit events are never dropped and the queue never grows further.
 */
enum err store_write_async(struct store *s,
			   enum err (*fn)(struct db *, void *), void *arg,
			   void (*release)(void *));

/*
 * A read snapshot for one request. On SQLite the statements between
 * db_read_begin() and db_read_end() share one read transaction (cheaper
 * than one each) and see one consistent state of the database; a write
 * committed meanwhile through store_write() is seen only after
 * db_read_refresh(), which the single write path calls. On PostgreSQL
 * these do nothing: each statement reads the newest committed state.
 * store_release() ends a snapshot left open.
 */
enum err db_read_begin(struct db *db);
enum err db_read_refresh(struct db *db);
void db_read_end(struct db *db);

/*
 * Explicit transactions, for command-line tools and tests that own a
 * pooled `db` and write through it directly (not inside store_write()).
 * db_begin() takes the database's write lock, as every write transaction
 * does, so write transactions run one at a time across every process
 * (the audit chain counts on it): SQLite's BEGIN IMMEDIATE, and on
 * PostgreSQL the transaction advisory lock STORE_PG_WRITE_LOCK, taken
 * first so that no two writers each hold a lock the other waits for. It
 * waits for the writer's transaction and the writer for it (on SQLite
 * for at most the 5 s busy timeout): keep such transactions short.
 */
#define STORE_PG_WRITE_LOCK 7165054802351978354	/* "cocarewr" */
enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
enum err db_rollback(struct db *db);

/*
 * The cached prepared statement for `sql` on this connection, reset and
 * with no bindings, or NULL (logged) when it does not compile. Each use
 * ends with stmt_done() (or stmt_exec(), which includes it).
 */
struct stmt *db_prepare(struct db *db, const char *sql);

/* Bindings; index from 1. Text must stay valid until stmt_done(). */
void stmt_bind_int(struct stmt *st, int idx, int64_t v);
void stmt_bind_text(struct stmt *st, int idx, const char *s, size_t len);
void stmt_bind_str(struct stmt *st, int idx, const char *s); /* NULL=null */
void stmt_bind_null(struct stmt *st, int idx);

/* Steps to the next row; false at the end or on error (see stmt_done). */
bool stmt_row(struct stmt *st);

/* Column access for the current row; index from 0. */
int64_t stmt_int(struct stmt *st, int col);
const char *stmt_text(struct stmt *st, int col); /* NULL for SQL NULL;
						    valid until next step */
bool stmt_is_null(struct stmt *st, int col);
char *stmt_text_dup(struct stmt *st, int col, struct arena *a);

/*
 * Resets the statement for reuse and returns how it went: ERR_OK,
 * ERR_EXISTS for a unique or primary key violation, ERR_DB otherwise.
 */
enum err stmt_done(struct stmt *st);

/* Runs a statement that returns no rows to completion; stmt_done's result. */
enum err stmt_exec(struct stmt *st);

/* Rows changed by the last completed INSERT/UPDATE/DELETE on `st`. */
int64_t stmt_changes(struct stmt *st);

/*
 * Runs an UPDATE or DELETE that must change exactly one row: ERR_OK,
 * ERR_NOT_FOUND when it changed none (the row is not there, or not the
 * caller's), or stmt_done's error.
 */
enum err stmt_exec_one(struct stmt *st);

/*
 * Reads a statement's rows into records with `read(st, a, record)`, the
 * one place that turns a row into a module's struct:
 * - stmt_get() fills `out` from the first row; ERR_NOT_FOUND when there
 *   is none;
 * - stmt_list() fills a new arena array of at most `max` records of
 *   `size` bytes (`*out`, `*count`); ERR_NOMEM when it cannot.
 * Both end the statement (stmt_done) and return its error otherwise.
 */
enum err stmt_get(struct stmt *st, struct arena *a,
		  void (*read)(struct stmt *, struct arena *, void *),
		  void *out);
enum err stmt_list(struct stmt *st, struct arena *a, size_t size,
		   size_t max,
		   void (*read)(struct stmt *, struct arena *, void *),
		   void *out, size_t *count);

/*
 * Consistent online copy of the whole database to `path` (SQLite; the
 * file must not exist). PostgreSQL answers ERR_INVALID: use pg_dump.
 */
enum err store_backup(struct store *s, const char *path);

/* Database integrity check (SQLite integrity_check + foreign keys). */
enum err store_check_integrity(struct store *s, char *msg, size_t msglen);

/* Nanoseconds spent in the database so far, for /metrics. */
uint64_t store_db_time_ns(const struct store *s);

#endif

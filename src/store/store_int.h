/*
 * Private to src/store: the backend interface (a struct of function
 * pointers, one instance per backend, like SQLite's VFS or curl's
 * struct Curl_ssl) and the parts of a connection and a statement that
 * every backend shares. A backend's connection and statement structs
 * start with struct db and struct stmt, so the public API in store.c and
 * stmt.c dispatches through db->ops without knowing the backend.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/*
 * Prepared statements of one connection, keyed by the address of their
 * SQL text: open addressing with linear probing on a power-of-two table
 * that doubles when half full. There is no eviction: statements come from
 * static tables, so the set is bounded by the program. Each entry keeps a
 * copy of its text, and a lookup whose text differs (an address reused by
 * built text, which the API forbids) replaces the statement instead of
 * running the wrong one.
 */
struct stmt_cache {
	struct stmt **slots;
	size_t cap;	/* 0 or a power of two */
	size_t count;
};

/* The shared head of every backend connection. */
struct db {
	const struct store_ops *ops;
	struct store *store;
	struct stmt_cache cache;
	struct db *next_free;	/* pool free list (pool lock) */
	unsigned sessions;	/* PostgreSQL: reconnections so far */
};

/* The shared head of every backend statement. */
struct stmt {
	struct db *db;
	const char *key;	/* the caller's SQL pointer */
	char *sql;		/* malloc'd copy of the caller's text */
	enum err err;		/* sticky binding or column error */
	int64_t changes;	/* rows changed by the last completed run */
	uint64_t t0;		/* when the run's first step began; 0 before */
};

struct store_ops {
	const char *name;
	/* SQL that starts a write transaction (takes the write lock). */
	const char *begin_sql;

	/* A new connection with its session settings; NULL (logged). */
	struct db *(*open)(struct store *s, const struct store_options *o);
	/* Closes the connection; the statement cache is already empty. */
	void (*close)(struct db *db);
	/*
	 * Makes sure the connection is usable, reconnecting a broken one;
	 * a reconnection empties the statement cache (store_cache_clear).
	 */
	enum err (*ensure)(struct db *db);
	/* PostgreSQL: tries to take the id node `node` (core/id.h) for the
	 * connection's session; NULL on SQLite (store.c locks a file). */
	enum err (*node_lock)(struct db *db, int node, bool *taken);
	/* Runs SQL text without parameters, possibly several statements. */
	enum err (*exec)(struct db *db, const char *sql);
	/* True inside a transaction (BEGIN seen, no COMMIT/ROLLBACK yet). */
	bool (*in_txn)(struct db *db);
	/* True when the transaction can only be rolled back (or is gone). */
	bool (*txn_failed)(struct db *db);
	/* Holds (true) or frees (false) the cross-process migration lock. */
	enum err (*migrate_lock)(struct db *db, bool hold);

	/* A new statement for `sql` with no bindings; NULL (logged). */
	struct stmt *(*stmt_new)(struct db *db, const char *sql);
	void (*stmt_free)(struct stmt *st);
	/* Makes a cached statement ready for a new use: no bindings. */
	void (*stmt_reset)(struct stmt *st);
	void (*bind_int)(struct stmt *st, int idx, int64_t v);
	/* `terminated`: s[len] is a NUL the backend may rely on. */
	void (*bind_text)(struct stmt *st, int idx, const char *s, size_t len,
			  bool terminated);
	void (*bind_null)(struct stmt *st, int idx);
	bool (*row)(struct stmt *st);
	int64_t (*col_int)(struct stmt *st, int col);
	const char *(*col_text)(struct stmt *st, int col, size_t *len);
	bool (*col_null)(struct stmt *st, int col);
	/* Ends the use: the statement's status (ERR_OK/ERR_EXISTS/ERR_DB). */
	enum err (*done)(struct stmt *st);

	/*
	 * Before the first connection, NULL when not needed: whether the
	 * database, in directory `dir`, can be written (ERR_IO with one
	 * line in `why`, naming the path, the system's reason and the fix),
	 * so that a read-only file or file system is refused at start
	 * instead of failing each write. read_only() asks an open
	 * connection the same.
	 */
	enum err (*preflight)(const struct store_options *o, const char *dir,
			      char *why, size_t whylen);
	bool (*read_only)(struct db *db);

	/*
	 * SQLite, NULL on PostgreSQL: wal_watch() turns the connection's
	 * automatic checkpoints off and has wal_frames() tell the frames in
	 * the write-ahead log after its last commit; checkpoint() copies
	 * them into the database without blocking readers or the writer,
	 * and tells how many of the log's frames are copied now.
	 */
	void (*wal_watch)(struct db *db);
	int (*wal_frames)(struct db *db);
	enum err (*checkpoint)(struct db *db, int *copied);

	/* store_backup() and store_check_integrity(). */
	enum err (*backup)(struct store *s, const char *path);
	enum err (*check)(struct db *db, char *msg, size_t msglen);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* The options the store was opened with (paths, conninfo). */
const struct store_options *store_options(const struct store *s);

/* Adds to the time spent in the database (store_db_time_ns). */
void store_add_time(struct store *s, uint64_t ns);

/* Frees every cached statement of the connection. */
void store_cache_clear(struct db *db);

/*
 * Scans SQL written with $1..$n placeholders, skipping string literals,
 * quoted identifiers and comments. Returns the highest parameter number
 * (0 when none) or -1 when a placeholder is malformed ($0, or more than
 * 32766). When `rewrite` is not NULL it receives a copy of the text of
 * the same length with each placeholder's '$' turned into '?' (SQLite's
 * ?NNN form).
 */
int store_sql_params(const char *sql, char *rewrite);

/*
 * The start of a statement's text on one line, for log messages (the
 * text holds placeholders, never values).
 */
#define STORE_SNIPPET 64
const char *store_sql_snippet(const char *sql, char out[STORE_SNIPPET]);

#endif

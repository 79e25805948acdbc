/*
 * The SQLite backend of store_int.h: one connection per pool slot (and
 * one for the writer) on a WAL database with synchronous=FULL, foreign
 * keys on and a busy timeout; statements written with $N placeholders
 * are rewritten to ?N and prepared once per connection as persistent.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/log.h"
#include "core/oserr.h"

#include "core/banned.h"

#define BUSY_TIMEOUT_MS 5000

struct sqlite_db {
	struct db base;
	sqlite3 *h;
	int wal_frames;		/* after the last commit (sq_wal_watch) */
};

struct sqlite_stmt {
	struct stmt base;
	sqlite3_stmt *h;
	enum err e;		/* result of the last step */
	bool on_row;		/* the last step returned a row */
	bool finished;		/* stepped to the end or failed */
};

static sqlite3 *
sq_handle(struct db *db)
{
	return ((struct sqlite_db *)db)->h;
}

static struct sqlite_stmt *
sq_stmt(struct stmt *st)
{
	return (struct sqlite_stmt *)st;
}

/*
 * Maps a failed call's result code. The message is SQLite's (names of
 * tables and constraints, never values) and the start of the statement
 * text, which holds placeholders only.
 */
static bool
sq_is_duplicate(int rc)
{
	return rc == SQLITE_CONSTRAINT_UNIQUE ||
	       rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

/* A full disk is logged once by the store, not at every statement. */
static bool
sq_is_full(int rc)
{
	return (rc & 0xff) == SQLITE_FULL;
}

static enum err
sq_err(sqlite3 *h, int rc, const char *sql)
{
	char snip[STORE_SNIPPET];

	if (sq_is_duplicate(rc))
		return ERR_EXISTS;
	if (sq_is_full(rc))
		return ERR_FULL;
	log_error("store: sqlite error: %s (%s) in \"%s\"",
		  sqlite3_errmsg(h), sqlite3_errstr(rc),
		  store_sql_snippet(sql, snip));
	return ERR_DB;
}

static int
sq_mode_cb(void *arg, int ncol, char **val, char **name)
{
	char *mode = arg;

	if (ncol > 0 && val[0])
		snprintf(mode, 16, "%s", val[0]);
	return 0;
}

/*
 * SQLite keeps memory statistics behind one process-wide mutex, taken on
 * every allocation; with a connection per worker that mutex was the
 * hottest lock of a page view. cocare does not read the statistics.
 */
static pthread_once_t sq_config_once = PTHREAD_ONCE_INIT;

static void
sq_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static struct db *
sq_open(struct store *s, const struct store_options *o)
{
	struct sqlite_db *d;
	char mode[16] = "";
	char *msg = NULL;
	int rc;

	if (!sqlite3_threadsafe()) {
		log_error("store: sqlite is built without thread support");
		return NULL;
	}
	pthread_once(&sq_config_once, sq_config);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	rc = sqlite3_open_v2(o->sqlite_path, &d->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open database \"%s\": %s",
			  o->sqlite_path,
			  d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	rc = sqlite3_exec(d->h, "PRAGMA journal_mode = WAL", sq_mode_cb, mode,
			  &msg);
	if (rc == SQLITE_OK && strcmp(mode, "wal") != 0) {
		log_error("store: database \"%s\" cannot use WAL (mode %s)",
			  o->sqlite_path, mode);
		goto fail;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(d->h,
				  "PRAGMA synchronous = FULL;"
				  "PRAGMA foreign_keys = ON;"
				  /*
				   * Each job of a group commit runs in a
				   * savepoint, whose statement journal would
				   * otherwise be a temporary file created and
				   * deleted on every batch: the largest cost
				   * of a write after the log itself
				   * (bench/RESULTS.md, issue 14).
				   */
				  "PRAGMA temp_store = MEMORY;"
				  /*
				   * No memory-mapped reads: every page view
				   * writes its audit event, and after each
				   * commit a reading connection unmaps and
				   * maps the whole file again.
				   */
				  "PRAGMA mmap_size = 0;",
				  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("store: cannot set up database \"%s\": %s",
			  o->sqlite_path, msg ? msg : sqlite3_errstr(rc));
		goto fail;
	}
	d->base.ops = &store_sqlite_ops;
	d->base.store = s;
	return &d->base;
fail:
	sqlite3_free(msg);
	sqlite3_close(d->h);
	free(d);
	return NULL;
}

static int
sq_wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	((struct sqlite_db *)arg)->wal_frames = frames;
	return SQLITE_OK;
}

/* Replaces the connection's automatic checkpoints: see store.c. */
static void
sq_wal_watch(struct db *db)
{
	sqlite3_wal_hook(sq_handle(db), sq_wal_hook, db);
}

static int
sq_wal_frames(struct db *db)
{
	return ((struct sqlite_db *)db)->wal_frames;
}

/* A passive checkpoint: copies what it can without blocking anyone. */
static enum err
sq_checkpoint(struct db *db, int *copied)
{
	int rc = sqlite3_wal_checkpoint_v2(sq_handle(db), NULL,
					   SQLITE_CHECKPOINT_PASSIVE, NULL,
					   copied);

	if (rc == SQLITE_OK || rc == SQLITE_BUSY)
		return ERR_OK;	/* busy: another checkpoint is running */
	return sq_err(sq_handle(db), rc, "checkpoint");
}

static void
sq_close(struct db *db)
{
	/* Every statement was finalized with the cache, so this succeeds. */
	if (sqlite3_close(sq_handle(db)) != SQLITE_OK)
		log_error("store: sqlite connection did not close cleanly");
	free(db);
}

static enum err
sq_ensure(struct db *db)
{
	return ERR_OK;
}

static enum err
sq_exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sq_handle(db), sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return ERR_OK;
	if (sq_is_duplicate(rc) || sq_is_full(rc)) {
		sqlite3_free(msg);
		return sq_is_duplicate(rc) ? ERR_EXISTS : ERR_FULL;
	}
	log_error("store: sqlite error: %s (%s)", msg ? msg : "",
		  sqlite3_errstr(rc));
	sqlite3_free(msg);
	return ERR_DB;
}

static bool
sq_in_txn(struct db *db)
{
	return !sqlite3_get_autocommit(sq_handle(db));
}

static bool
sq_txn_failed(struct db *db)
{
	/* SQLite rolls a whole transaction back on some errors (I/O, full). */
	return sqlite3_get_autocommit(sq_handle(db)) != 0;
}

/*
 * SQLite opens a file it cannot write read-only without a word, and then
 * every write fails. access() rather than open(): closing a descriptor of
 * the database would drop this process's locks on it (POSIX locks).
 */
static enum err
sq_preflight(const struct store_options *o, const char *dir, char *why,
	     size_t whylen)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char path[4096];
	struct statvfs fs;
	size_t i;
	int err;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if (snprintf(path, sizeof(path), "%s%s", o->sqlite_path,
			     suffix[i]) >= (int)sizeof(path)) {
			snprintf(why, whylen, "the database path is too long");
			return ERR_INVALID;
		}
		if (access(path, W_OK) == 0 || (err = errno) == ENOENT)
			continue;
		snprintf(why, whylen, "cannot write to the database file "
			 "'%s': %s; %s", path, strerror(err), oserr_fix(err));
		return ERR_IO;
	}
	/* The write-ahead log and its index are made in the directory. */
	if (statvfs(dir, &fs) == 0 && (fs.f_flag & ST_RDONLY)) {
		snprintf(why, whylen, "cannot write in the data directory "
			 "'%s': %s; %s", dir, strerror(EROFS),
			 oserr_fix(EROFS));
		return ERR_IO;
	}
	if (access(dir, W_OK | X_OK) != 0 && (err = errno) != ENOENT) {
		snprintf(why, whylen, "cannot create files in the data "
			 "directory '%s': %s; %s", dir, strerror(err),
			 oserr_fix(err));
		return ERR_IO;
	}
	return ERR_OK;
}

static bool
sq_read_only(struct db *db)
{
	return sqlite3_db_readonly(sq_handle(db), "main") == 1;
}

static enum err
sq_migrate_lock(struct db *db, bool hold)
{
	/* BEGIN IMMEDIATE around each migration serialises processes. */
	return ERR_OK;
}

static struct stmt *
sq_stmt_new(struct db *db, const char *sql)
{
	char snip[STORE_SNIPPET];
	struct sqlite_stmt *st;
	const char *tail = NULL;
	size_t n = strlen(sql);
	char *text;
	int rc;

	text = malloc(n + 1);
	st = calloc(1, sizeof(*st));
	if (!text || !st)
		goto fail;
	if (store_sql_params(sql, text) < 0) {
		log_error("store: bad placeholder in \"%s\"",
			  store_sql_snippet(sql, snip));
		goto fail;
	}
	rc = sqlite3_prepare_v3(sq_handle(db), text, (int)n + 1,
				SQLITE_PREPARE_PERSISTENT, &st->h, &tail);
	if (rc != SQLITE_OK) {
		sq_err(sq_handle(db), rc, sql);
		goto fail;
	}
	while (tail && (*tail == ' ' || *tail == '\t' || *tail == '\n' ||
			*tail == '\r' || *tail == ';'))
		tail++;
	if (!st->h || (tail && *tail)) {
		log_error("store: not exactly one statement in \"%s\"",
			  store_sql_snippet(sql, snip));
		goto fail;
	}
	free(text);
	return &st->base;
fail:
	if (st)
		sqlite3_finalize(st->h);
	free(st);
	free(text);
	return NULL;
}

static void
sq_stmt_free(struct stmt *st)
{
	sqlite3_finalize(sq_stmt(st)->h);
	free(st);
}

static void
sq_stmt_reset(struct stmt *st)
{
	struct sqlite_stmt *s = sq_stmt(st);

	sqlite3_reset(s->h);
	sqlite3_clear_bindings(s->h);
	s->e = ERR_OK;
	s->on_row = false;
	s->finished = false;
}

static void
sq_bind_check(struct stmt *st, int idx, int rc)
{
	char snip[STORE_SNIPPET];

	if (rc == SQLITE_OK)
		return;
	log_error("store: cannot bind parameter %d of \"%s\": %s", idx,
		  store_sql_snippet(st->sql, snip), sqlite3_errstr(rc));
	st->err = ERR_DB;
}

static void
sq_bind_int(struct stmt *st, int idx, int64_t v)
{
	sq_bind_check(st, idx, sqlite3_bind_int64(sq_stmt(st)->h, idx, v));
}

static void
sq_bind_text(struct stmt *st, int idx, const char *s, size_t len,
	     bool terminated)
{
	/* SQLITE_STATIC: the caller keeps the text until stmt_done(). */
	sq_bind_check(st, idx,
		      sqlite3_bind_text64(sq_stmt(st)->h, idx, s, len,
					  SQLITE_STATIC, SQLITE_UTF8));
}

static void
sq_bind_null(struct stmt *st, int idx)
{
	sq_bind_check(st, idx, sqlite3_bind_null(sq_stmt(st)->h, idx));
}

static bool
sq_row(struct stmt *st)
{
	struct sqlite_stmt *s = sq_stmt(st);
	int rc;

	/* A finished statement would restart on the next step: it must not. */
	if (s->finished)
		return false;
	rc = sqlite3_step(s->h);
	s->on_row = rc == SQLITE_ROW;
	if (s->on_row)
		return true;
	s->finished = true;
	if (rc == SQLITE_DONE) {
		if (!sqlite3_stmt_readonly(s->h))
			st->changes = sqlite3_changes64(sq_handle(st->db));
		return false;
	}
	s->e = sq_err(sq_handle(st->db), rc, st->sql);
	return false;
}

static bool
sq_col_ok(struct stmt *st, int col)
{
	struct sqlite_stmt *s = sq_stmt(st);

	return s->on_row && col >= 0 && col < sqlite3_column_count(s->h);
}

static int64_t
sq_col_int(struct stmt *st, int col)
{
	if (!sq_col_ok(st, col))
		return 0;
	return sqlite3_column_int64(sq_stmt(st)->h, col);
}

static const char *
sq_col_text(struct stmt *st, int col, size_t *len)
{
	sqlite3_stmt *h = sq_stmt(st)->h;
	const unsigned char *p;

	*len = 0;
	if (!sq_col_ok(st, col))
		return NULL;
	p = sqlite3_column_text(h, col);
	if (p)
		*len = (size_t)sqlite3_column_bytes(h, col);
	return (const char *)p;
}

static bool
sq_col_null(struct stmt *st, int col)
{
	if (!sq_col_ok(st, col))
		return true;
	return sqlite3_column_type(sq_stmt(st)->h, col) == SQLITE_NULL;
}

static enum err
sq_done(struct stmt *st)
{
	struct sqlite_stmt *s = sq_stmt(st);
	enum err e = s->e;

	/* Resetting ends the statement's read transaction (WAL snapshot). */
	sqlite3_reset(s->h);
	s->e = ERR_OK;
	s->on_row = false;
	s->finished = false;
	return e;
}

/*
 * Claims `path` (which must not exist) and copies the database into it
 * in one backup step from a connection of its own: one read snapshot,
 * so the copy is consistent while the writer keeps committing.
 */
static enum err
sq_backup(struct store *s, const char *path)
{
	const struct store_options *o = store_options(s);
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	enum err e = ERR_DB;
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return ERR_EXISTS;
		log_error("store: cannot create backup \"%s\": %s", path,
			  strerror(errno));
		return ERR_IO;
	}
	close(fd);
	rc = sqlite3_open_v2(o->sqlite_path, &src,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail_open;
	sqlite3_busy_timeout(src, BUSY_TIMEOUT_MS);
	rc = sqlite3_open_v2(path, &dst,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail_open;
	sqlite3_busy_timeout(dst, BUSY_TIMEOUT_MS);
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		log_error("store: backup failed: %s", sqlite3_errmsg(dst));
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		log_error("store: backup failed: %s", sqlite3_errmsg(dst));
		goto out;
	}
	e = ERR_OK;
	goto out;
fail_open:
	log_error("store: backup cannot open a database: %s",
		  sqlite3_errstr(rc));
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (e != ERR_OK)
		unlink(path);
	return e;
}

static enum err
sq_check(struct db *db, char *msg, size_t msglen)
{
	static const char integrity[] = "PRAGMA integrity_check";
	static const char fkeys[] = "PRAGMA foreign_key_check";
	struct stmt *st;
	enum err e;
	bool bad = false;

	st = db_prepare(db, integrity);
	if (!st)
		return ERR_DB;
	if (stmt_row(st)) {
		const char *r = stmt_text(st, 0);

		if (!r || strcmp(r, "ok") != 0) {
			snprintf(msg, msglen, "integrity check: %s",
				 r ? r : "no answer");
			bad = true;
		}
	}
	e = stmt_done(st);
	if (e != ERR_OK || bad)
		return e != ERR_OK ? e : ERR_DB;
	st = db_prepare(db, fkeys);
	if (!st)
		return ERR_DB;
	if (stmt_row(st)) {
		const char *t = stmt_text(st, 0);

		snprintf(msg, msglen,
			 "foreign key check: row %lld of \"%s\" has no parent",
			 (long long)stmt_int(st, 1), t ? t : "?");
		bad = true;
	}
	e = stmt_done(st);
	if (e != ERR_OK || bad)
		return e != ERR_OK ? e : ERR_DB;
	snprintf(msg, msglen, "ok");
	return ERR_OK;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.begin_sql = "BEGIN IMMEDIATE",
	.open = sq_open,
	.close = sq_close,
	.ensure = sq_ensure,
	.exec = sq_exec,
	.in_txn = sq_in_txn,
	.txn_failed = sq_txn_failed,
	.migrate_lock = sq_migrate_lock,
	.stmt_new = sq_stmt_new,
	.stmt_free = sq_stmt_free,
	.stmt_reset = sq_stmt_reset,
	.bind_int = sq_bind_int,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.row = sq_row,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.col_null = sq_col_null,
	.done = sq_done,
	.preflight = sq_preflight,
	.read_only = sq_read_only,
	.backup = sq_backup,
	.check = sq_check,
	.wal_watch = sq_wal_watch,
	.wal_frames = sq_wal_frames,
	.checkpoint = sq_checkpoint,
};

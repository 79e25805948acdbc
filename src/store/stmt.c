/*
 * The per-connection half of store.h, shared by both backends: the
 * prepared-statement cache keyed by the address of the SQL text, the
 * $N placeholder scanner, explicit transactions and the stmt_* calls,
 * which time the database work and dispatch through db->ops.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"

#include "core/banned.h"

#define CACHE_MIN 64
#define PARAM_MAX 32766	/* SQLite's default SQLITE_MAX_VARIABLE_NUMBER */

static size_t
cache_hash(const char *key, size_t cap)
{
	/* Fibonacci hashing spreads the low, aligned bits of an address. */
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

/* The slot holding `key`, or the empty slot where it belongs. */
static struct stmt **
cache_slot(struct stmt_cache *c, const char *key)
{
	size_t i = cache_hash(key, c->cap);

	while (c->slots[i] && c->slots[i]->key != key)
		i = (i + 1) & (c->cap - 1);
	return &c->slots[i];
}

static bool
cache_grow(struct stmt_cache *c)
{
	struct stmt_cache n;
	size_t i;

	n.cap = c->cap ? c->cap * 2 : CACHE_MIN;
	n.count = c->count;
	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (!n.slots)
		return false;
	for (i = 0; i < c->cap; i++)
		if (c->slots[i])
			*cache_slot(&n, c->slots[i]->key) = c->slots[i];
	free(c->slots);
	*c = n;
	return true;
}

static void
cache_free_stmt(struct db *db, struct stmt *st)
{
	char *sql = st->sql;

	db->ops->stmt_free(st);
	free(sql);
}

void
store_cache_clear(struct db *db)
{
	struct stmt_cache *c = &db->cache;
	size_t i;

	for (i = 0; i < c->cap; i++)
		if (c->slots[i])
			cache_free_stmt(db, c->slots[i]);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

/* Skips a quoted run starting at sql[i] (the opening quote). */
static size_t
skip_quoted(const char *sql, size_t i)
{
	char q = sql[i++];

	while (sql[i]) {
		if (sql[i] == q) {
			if (sql[i + 1] != q)
				return i + 1;
			i++;	/* a doubled quote stands for itself */
		}
		i++;
	}
	return i;
}

static size_t
skip_comment(const char *sql, size_t i)
{
	if (sql[i] == '-') {
		while (sql[i] && sql[i] != '\n')
			i++;
		return i;
	}
	for (i += 2; sql[i]; i++)
		if (sql[i] == '*' && sql[i + 1] == '/')
			return i + 2;
	return i;
}

int
store_sql_params(const char *sql, char *rewrite)
{
	size_t i = 0, j;
	int max = 0;

	if (rewrite)
		memcpy(rewrite, sql, strlen(sql) + 1);
	while (sql[i]) {
		char c = sql[i];

		if (c == '\'' || c == '"' || c == '`') {
			i = skip_quoted(sql, i);
		} else if ((c == '-' && sql[i + 1] == '-') ||
			   (c == '/' && sql[i + 1] == '*')) {
			i = skip_comment(sql, i);
		} else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			int n = 0;

			for (j = i + 1; sql[j] >= '0' && sql[j] <= '9'; j++) {
				n = n * 10 + (sql[j] - '0');
				if (n > PARAM_MAX)
					return -1;
			}
			if (n == 0)
				return -1;
			if (n > max)
				max = n;
			if (rewrite)
				rewrite[i] = '?';
			i = j;
		} else {
			i++;
		}
	}
	return max;
}

const char *
store_sql_snippet(const char *sql, char out[STORE_SNIPPET])
{
	size_t i;

	for (i = 0; sql && sql[i] && i < STORE_SNIPPET - 1; i++)
		out[i] = (unsigned char)sql[i] < ' ' ? ' ' : sql[i];
	out[i] = '\0';
	return out;
}

struct stmt *
db_prepare(struct db *db, const char *sql)
{
	struct stmt_cache *c = &db->cache;
	struct stmt **slot;
	struct stmt *st;
	char *copy;

	slot = c->cap ? cache_slot(c, sql) : NULL;
	if (slot && *slot && strcmp((*slot)->sql, sql) == 0) {
		st = *slot;
		db->ops->stmt_reset(st);
		st->err = ERR_OK;
		st->t0 = 0;
		return st;
	}
	if (!(slot && *slot) && (c->count + 1) * 2 > c->cap &&
	    !cache_grow(c)) {
		log_error("store: out of memory caching a statement");
		return NULL;
	}
	copy = strdup(sql);
	if (!copy) {
		log_error("store: out of memory caching a statement");
		return NULL;
	}
	st = db->ops->stmt_new(db, sql);
	if (!st) {
		free(copy);
		return NULL;
	}
	st->db = db;
	st->key = sql;
	st->sql = copy;
	st->err = ERR_OK;
	st->changes = 0;
	/* The table may have grown: look again. */
	slot = cache_slot(c, sql);
	if (*slot) {
		/* Same address, other text: the old text is gone. */
		log_warn("store: statement text changed at a cached address");
		cache_free_stmt(db, *slot);
	} else {
		c->count++;
	}
	*slot = st;
	return st;
}

void
stmt_bind_int(struct stmt *st, int idx, int64_t v)
{
	st->db->ops->bind_int(st, idx, v);
}

void
stmt_bind_text(struct stmt *st, int idx, const char *s, size_t len)
{
	if (!s) {
		st->db->ops->bind_null(st, idx);
		return;
	}
	/* Text is NUL-free in both backends (PostgreSQL cannot store it). */
	if (memchr(s, '\0', len)) {
		log_error("store: text parameter %d holds a NUL byte", idx);
		st->err = ERR_DB;
		return;
	}
	st->db->ops->bind_text(st, idx, s, len, false);
}

void
stmt_bind_str(struct stmt *st, int idx, const char *s)
{
	if (!s)
		st->db->ops->bind_null(st, idx);
	else
		st->db->ops->bind_text(st, idx, s, strlen(s), true);
}

void
stmt_bind_null(struct stmt *st, int idx)
{
	st->db->ops->bind_null(st, idx);
}

/* A statement's database time runs from its first step to stmt_done():
 * two clock readings a run, not two a row (a chart reads thousands). */
bool
stmt_row(struct stmt *st)
{
	if (st->err != ERR_OK)
		return false;
	if (!st->t0)
		st->t0 = clock_mono_ns();
	return st->db->ops->row(st);
}

int64_t
stmt_int(struct stmt *st, int col)
{
	return st->db->ops->col_int(st, col);
}

const char *
stmt_text(struct stmt *st, int col)
{
	size_t len;

	return st->db->ops->col_text(st, col, &len);
}

bool
stmt_is_null(struct stmt *st, int col)
{
	return st->db->ops->col_null(st, col);
}

char *
stmt_text_dup(struct stmt *st, int col, struct arena *a)
{
	size_t len;
	const char *s = st->db->ops->col_text(st, col, &len);

	return s ? arena_strndup(a, s, len) : NULL;
}

enum err
stmt_done(struct stmt *st)
{
	enum err e = st->db->ops->done(st);

	if (st->t0) {
		store_add_time(st->db->store, clock_mono_ns() - st->t0);
		st->t0 = 0;
	}

	return st->err != ERR_OK ? st->err : e;
}

enum err
stmt_exec(struct stmt *st)
{
	while (stmt_row(st))
		continue;
	return stmt_done(st);
}

int64_t
stmt_changes(struct stmt *st)
{
	return st->changes;
}

enum err
stmt_exec_one(struct stmt *st)
{
	enum err e = stmt_exec(st);

	if (e != ERR_OK)
		return e;
	return stmt_changes(st) == 1 ? ERR_OK : ERR_NOT_FOUND;
}

enum err
stmt_get(struct stmt *st, struct arena *a,
	 void (*read)(struct stmt *, struct arena *, void *), void *out)
{
	bool found = false;
	enum err e;

	if (stmt_row(st)) {
		read(st, a, out);
		found = true;
	}
	e = stmt_done(st);
	if (e != ERR_OK)
		return e;
	return found ? ERR_OK : ERR_NOT_FOUND;
}

enum err
stmt_list(struct stmt *st, struct arena *a, size_t size, size_t max,
	  void (*read)(struct stmt *, struct arena *, void *), void *out,
	  size_t *count)
{
	/* Grown by doubling, so a generous `max` costs nothing until the
	 * rows are there. */
	size_t cap = max < 16 ? (max ? max : 1) : 16, n = 0;
	char *rows = arena_calloc(a, cap, size);

	*(void **)out = rows;
	*count = 0;
	if (!rows) {
		stmt_done(st);
		return ERR_NOMEM;
	}
	while (n < max && stmt_row(st)) {
		if (n == cap) {
			size_t bigger = cap * 2 < max ? cap * 2 : max;
			char *more = arena_calloc(a, bigger, size);

			if (!more) {
				stmt_done(st);
				return ERR_NOMEM;
			}
			memcpy(more, rows, n * size);
			rows = more;
			cap = bigger;
		}
		read(st, a, rows + n++ * size);
	}
	*(void **)out = rows;
	*count = n;
	return stmt_done(st);
}

static const char sql_read_begin[] = "BEGIN";
static const char sql_read_end[] = "COMMIT";

static bool
read_snapshots(const struct db *db)
{
	return store_backend(db->store) == STORE_SQLITE;
}

enum err
db_read_begin(struct db *db)
{
	struct stmt *st;

	if (!read_snapshots(db) || db->ops->in_txn(db))
		return ERR_OK;
	st = db_prepare(db, sql_read_begin);
	return st ? stmt_exec(st) : ERR_DB;
}

void
db_read_end(struct db *db)
{
	struct stmt *st;

	if (!read_snapshots(db) || !db->ops->in_txn(db))
		return;
	st = db_prepare(db, sql_read_end);
	if (!st || stmt_exec(st) != ERR_OK)
		db->ops->exec(db, "ROLLBACK");
}

enum err
db_read_refresh(struct db *db)
{
	if (!read_snapshots(db) || !db->ops->in_txn(db))
		return ERR_OK;
	db_read_end(db);
	return db_read_begin(db);
}

enum err
db_begin(struct db *db)
{
	return db->ops->exec(db, db->ops->begin_sql);
}

enum err
db_commit(struct db *db)
{
	uint64_t t0;
	enum err e;

	if (db->ops->txn_failed(db)) {
		log_error("store: commit of a failed transaction; rolled back");
		if (db->ops->in_txn(db))
			db->ops->exec(db, "ROLLBACK");
		return ERR_DB;
	}
	t0 = clock_mono_ns();
	e = db->ops->exec(db, "COMMIT");
	store_add_time(db->store, clock_mono_ns() - t0);
	if (e != ERR_OK && db->ops->in_txn(db))
		db->ops->exec(db, "ROLLBACK");
	return e;
}

enum err
db_rollback(struct db *db)
{
	return db->ops->exec(db, "ROLLBACK");
}

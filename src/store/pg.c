/*
 * The PostgreSQL backend of store_int.h over libpq: statements are
 * prepared once per connection (PQprepare, named "s1", "s2", ...) and
 * run with PQexecPrepared and text parameters; each run's result is
 * fetched whole and freed by stmt_done(). A connection found broken is
 * reset on the next acquire, which also forgets its statements.
 */
#include "store/store_int.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/str.h"

#include "core/banned.h"

/* pg_advisory_lock key held while migrating: "cocare" in ASCII. */
#define MIGRATE_LOCK_KEY 0x636f63617265ll
#define NODE_LOCK_KEY 0x636f636172650000ll	/* + the id node */
/* A number macro's digits, for SQL text. */
#define PG_TEXT_(n) #n
#define PG_TEXT(n) PG_TEXT_(n)

struct pg_db {
	struct db base;
	PGconn *conn;
	unsigned next_name;
};

struct pg_stmt {
	struct stmt base;
	char name[16];
	int nparams;
	const char **values;	/* NULL for SQL NULL */
	char (*ints)[24];	/* decimal text of integer parameters */
	char **owned;		/* NUL-terminated copies of counted text */
	PGresult *res;
	int row;		/* current row; -1 before the first */
	int nrows;
	enum err e;		/* result of the execution */
	bool ran;
};

static PGconn *
pg_conn(struct db *db)
{
	return ((struct pg_db *)db)->conn;
}

static struct pg_stmt *
pg_stmt(struct stmt *st)
{
	return (struct pg_stmt *)st;
}

/* The first line of a libpq message: the log has one line per event. */
static int
msg_len(const char *m)
{
	size_t n = strcspn(m, "\n");

	while (n && m[n - 1] == ' ')
		n--;
	return (int)n;
}

/*
 * Maps a failed result. A unique violation (23505) is ERR_EXISTS and not
 * logged. Otherwise the SQLSTATE and primary message are logged, except
 * for data exceptions (class 22), whose messages quote the offending
 * value: those log only the SQLSTATE and the column, as bound values may
 * be health data. DETAIL is never logged for the same reason. `sql` is
 * the statement's text for the log, or NULL when the caller names it.
 */
static enum err
pg_err(PGconn *c, const PGresult *r, const char *sql)
{
	char snip[STORE_SNIPPET];
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *prim = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
			     : NULL;
	const char *col = r ? PQresultErrorField(r, PG_DIAG_COLUMN_NAME) : NULL;
	char where[80] = "";
	const char *m;

	if (sql)
		snprintf(where, sizeof(where), " in \"%s\"",
			 store_sql_snippet(sql, snip));
	if (state && strcmp(state, "23505") == 0)
		return ERR_EXISTS;
	/* disk_full: logged once by the store, not at every statement. */
	if (state && strcmp(state, "53100") == 0)
		return ERR_FULL;
	if (!state) {
		m = PQerrorMessage(c);
		log_error("store: postgresql error: %.*s%s", msg_len(m), m,
			  where);
	} else if (strncmp(state, "22", 2) == 0) {
		log_error("store: postgresql data error %s (column %s)%s",
			  state, col ? col : "?", where);
	} else {
		log_error("store: postgresql error %s: %s%s", state,
			  prim ? prim : "", where);
	}
	return ERR_DB;
}

static void
pg_notice(void *arg, const char *message)
{
	/* Notices ("relation exists, skipping") are not errors. */
	log_debug("store: postgresql notice: %.*s", msg_len(message), message);
}

static struct db *
pg_open(struct store *s, const struct store_options *o)
{
	static const char *const keys[] = {"dbname", "client_encoding",
					   "fallback_application_name", NULL};
	const char *vals[] = {o->pg_conninfo, "UTF8", "cocare", NULL};
	struct pg_db *d = calloc(1, sizeof(*d));
	const char *m;

	if (!d)
		return NULL;
	/* dbname with expand_dbname=1 takes the whole connection string. */
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		m = d->conn ? PQerrorMessage(d->conn) : "out of memory";
		log_error("store: cannot connect to postgresql: %.*s",
			  msg_len(m), m);
		PQfinish(d->conn);
		free(d);
		return NULL;
	}
	PQsetNoticeProcessor(d->conn, pg_notice, NULL);
	d->base.ops = &store_pg_ops;
	d->base.store = s;
	return &d->base;
}

static void
pg_close(struct db *db)
{
	PQfinish(pg_conn(db));
	free(db);
}

static enum err
pg_ensure(struct db *db)
{
	PGconn *c = pg_conn(db);
	const char *m;

	if (PQstatus(c) == CONNECTION_OK)
		return ERR_OK;
	/* The server forgot our prepared statements with the session. */
	store_cache_clear(db);
	PQreset(c);
	if (PQstatus(c) != CONNECTION_OK) {
		m = PQerrorMessage(c);
		log_error("store: cannot reconnect to postgresql: %.*s",
			  msg_len(m), m);
		return ERR_DB;
	}
	db->sessions++;
	log_warn("store: reconnected to postgresql");
	return ERR_OK;
}

static enum err
pg_exec(struct db *db, const char *sql)
{
	PGresult *r = PQexec(pg_conn(db), sql);
	ExecStatusType t = PQresultStatus(r);
	enum err e = ERR_OK;

	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		e = pg_err(pg_conn(db), r, NULL);
	PQclear(r);
	return e;
}

static bool
pg_in_txn(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(pg_conn(db));

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static bool
pg_txn_failed(struct db *db)
{
	/* A COMMIT in the INERROR state would answer "ROLLBACK", not fail. */
	return PQtransactionStatus(pg_conn(db)) != PQTRANS_INTRANS;
}

static enum err
pg_run_key(struct db *db, const char *sql, int64_t key)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, key);
	return stmt_exec(st);
}

static enum err
pg_migrate_lock(struct db *db, bool hold)
{
	static const char lock[] = "SELECT pg_advisory_lock($1)";
	static const char unlock[] = "SELECT pg_advisory_unlock($1)";

	return pg_run_key(db, hold ? lock : unlock, MIGRATE_LOCK_KEY);
}

static enum err
pg_node_lock(struct db *db, int node, bool *taken)
{
	static const char sql[] = "SELECT pg_try_advisory_lock($1)::int";
	struct stmt *st = db_prepare(db, sql);

	*taken = false;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, NODE_LOCK_KEY + node);
	if (stmt_row(st))
		*taken = stmt_int(st, 0) != 0;
	return stmt_done(st);
}

static struct stmt *
pg_stmt_new(struct db *db, const char *sql)
{
	char snip[STORE_SNIPPET];
	struct pg_db *d = (struct pg_db *)db;
	struct pg_stmt *st;
	PGresult *r;
	size_t n;
	int np = store_sql_params(sql, NULL);

	if (np < 0) {
		log_error("store: bad placeholder in \"%s\"",
			  store_sql_snippet(sql, snip));
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	n = np ? (size_t)np : 1;
	st->nparams = np;
	st->values = calloc(n, sizeof(*st->values));
	st->ints = calloc(n, sizeof(*st->ints));
	st->owned = calloc(n, sizeof(*st->owned));
	if (!st->values || !st->ints || !st->owned)
		goto fail;
	snprintf(st->name, sizeof(st->name), "s%u", ++d->next_name);
	st->row = -1;
	r = PQprepare(d->conn, st->name, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_err(d->conn, r, sql);
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	return &st->base;
fail:
	free(st->values);
	free(st->ints);
	free(st->owned);
	free(st);
	return NULL;
}

static void
pg_clear(struct pg_stmt *st)
{
	int i;

	PQclear(st->res);
	st->res = NULL;
	for (i = 0; i < st->nparams; i++) {
		free(st->owned[i]);
		st->owned[i] = NULL;
	}
	st->row = -1;
	st->nrows = 0;
	st->e = ERR_OK;
	st->ran = false;
}

static void
pg_stmt_free(struct stmt *st)
{
	struct pg_stmt *s = pg_stmt(st);

	/* The server side goes with the session (or already went). */
	pg_clear(s);
	free(s->values);
	free(s->ints);
	free(s->owned);
	free(s);
}

static void
pg_stmt_reset(struct stmt *st)
{
	struct pg_stmt *s = pg_stmt(st);
	int i;

	pg_clear(s);
	for (i = 0; i < s->nparams; i++)
		s->values[i] = NULL;
}

/* The slot of parameter `idx`, or -1 (and a sticky error). */
static int
pg_param(struct stmt *st, int idx)
{
	char snip[STORE_SNIPPET];
	struct pg_stmt *s = pg_stmt(st);

	if (idx < 1 || idx > s->nparams) {
		log_error("store: no parameter %d in \"%s\"", idx,
			  store_sql_snippet(st->sql, snip));
		st->err = ERR_DB;
		return -1;
	}
	free(s->owned[idx - 1]);
	s->owned[idx - 1] = NULL;
	return idx - 1;
}

static void
pg_bind_int(struct stmt *st, int idx, int64_t v)
{
	struct pg_stmt *s = pg_stmt(st);
	int i = pg_param(st, idx);

	if (i < 0)
		return;
	snprintf(s->ints[i], sizeof(s->ints[i]), "%" PRId64, v);
	s->values[i] = s->ints[i];
}

static void
pg_bind_text(struct stmt *st, int idx, const char *p, size_t len,
	     bool terminated)
{
	struct pg_stmt *s = pg_stmt(st);
	int i = pg_param(st, idx);

	if (i < 0)
		return;
	if (terminated) {
		s->values[i] = p;
		return;
	}
	/* Text parameters are C strings in libpq: copy counted text. */
	s->owned[i] = malloc(len + 1);
	if (!s->owned[i]) {
		log_error("store: out of memory binding parameter %d", idx);
		st->err = ERR_DB;
		return;
	}
	memcpy(s->owned[i], p, len);
	s->owned[i][len] = '\0';
	s->values[i] = s->owned[i];
}

static void
pg_bind_null(struct stmt *st, int idx)
{
	struct pg_stmt *s = pg_stmt(st);
	int i = pg_param(st, idx);

	if (i >= 0)
		s->values[i] = NULL;
}

static void
pg_run(struct stmt *st)
{
	struct pg_stmt *s = pg_stmt(st);
	PGconn *c = pg_conn(st->db);
	ExecStatusType t;
	const char *n;
	int64_t v;

	s->ran = true;
	s->res = PQexecPrepared(c, s->name, s->nparams, s->values, NULL, NULL,
				0);
	t = PQresultStatus(s->res);
	if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
		s->e = pg_err(c, s->res, st->sql);
		return;
	}
	s->nrows = PQntuples(s->res);
	if (strncmp(PQcmdStatus(s->res), "SELECT", 6) == 0)
		return;
	n = PQcmdTuples(s->res);
	if (*n && str_to_i64(str_c(n), 0, INT64_MAX, &v))
		st->changes = v;
}

static bool
pg_row(struct stmt *st)
{
	struct pg_stmt *s = pg_stmt(st);

	if (!s->ran)
		pg_run(st);
	if (s->e != ERR_OK || s->row >= s->nrows)
		return false;
	s->row++;
	return s->row < s->nrows;
}

static bool
pg_col_ok(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 &&
	       col < PQnfields(s->res);
}

static int64_t
pg_col_int(struct stmt *st, int col)
{
	char snip[STORE_SNIPPET];
	struct pg_stmt *s = pg_stmt(st);
	const char *v;
	int64_t n;

	if (!pg_col_ok(s, col) || PQgetisnull(s->res, s->row, col))
		return 0;
	v = PQgetvalue(s->res, s->row, col);
	/* Comparisons are booleans in PostgreSQL, integers in SQLite. */
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	if (str_to_i64(str_c(v), INT64_MIN, INT64_MAX, &n))
		return n;
	log_error("store: column %d of \"%s\" is not an integer", col,
		  store_sql_snippet(st->sql, snip));
	st->err = ERR_DB;
	return 0;
}

static const char *
pg_col_text(struct stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = pg_stmt(st);

	*len = 0;
	if (!pg_col_ok(s, col) || PQgetisnull(s->res, s->row, col))
		return NULL;
	*len = (size_t)PQgetlength(s->res, s->row, col);
	return PQgetvalue(s->res, s->row, col);
}

static bool
pg_col_null(struct stmt *st, int col)
{
	struct pg_stmt *s = pg_stmt(st);

	return !pg_col_ok(s, col) || PQgetisnull(s->res, s->row, col);
}

static enum err
pg_done(struct stmt *st)
{
	struct pg_stmt *s = pg_stmt(st);
	enum err e = s->e;

	pg_clear(s);
	return e;
}

static enum err
pg_backup(struct store *s, const char *path)
{
	return ERR_INVALID;
}

static enum err
pg_check(struct db *db, char *msg, size_t msglen)
{
	static const char ping[] = "SELECT 1";
	struct stmt *st = db_prepare(db, ping);
	enum err e;

	if (!st)
		return ERR_DB;
	e = stmt_exec(st);
	snprintf(msg, msglen, "%s", e == ERR_OK ? "ok" : "server unreachable");
	return e;
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	/* store.h: the write lock first, as SQLite's BEGIN IMMEDIATE. */
	.begin_sql = "BEGIN; SELECT pg_advisory_xact_lock("
		     PG_TEXT(STORE_PG_WRITE_LOCK) ")",
	.open = pg_open,
	.close = pg_close,
	.ensure = pg_ensure,
	.node_lock = pg_node_lock,
	.exec = pg_exec,
	.in_txn = pg_in_txn,
	.txn_failed = pg_txn_failed,
	.migrate_lock = pg_migrate_lock,
	.stmt_new = pg_stmt_new,
	.stmt_free = pg_stmt_free,
	.stmt_reset = pg_stmt_reset,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.row = pg_row,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_null = pg_col_null,
	.done = pg_done,
	.backup = pg_backup,
	.check = pg_check,
};

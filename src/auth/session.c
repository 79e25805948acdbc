/*
 * Session storage (see session.h).
 */
#include "auth/session.h"

#include <string.h>

#include "store/store.h"
#include "core/banned.h"

static const char sql_insert[] =
	"INSERT INTO session (id, token_hash, account_id, org_id, csrf_token, "
	"second_factor_done, created_at, last_seen) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
static const char sql_lookup[] =
	"SELECT id, account_id, org_id, csrf_token, second_factor_done, "
	"created_at, last_seen FROM session WHERE token_hash = $1";
static const char sql_touch[] =
	"UPDATE session SET last_seen = $2 WHERE id = $1";
static const char sql_delete[] = "DELETE FROM session WHERE id = $1";
static const char sql_delete_account[] =
	"DELETE FROM session WHERE account_id = $1";
static const char sql_second_factor[] =
	"UPDATE session SET second_factor_done = 1 WHERE id = $1";
static const char sql_delete_expired[] =
	"DELETE FROM session WHERE last_seen < $1 OR created_at < $2";
static const char sql_count_open[] =
	"SELECT count(*) FROM session WHERE last_seen >= $1";
static const char sql_count_account[] =
	"SELECT count(*) FROM session WHERE account_id = $1 "
	"AND last_seen >= $2";

enum err
session_insert(struct db *db, int64_t account_id, int64_t org_id,
	       bool second_factor_done, int64_t now,
	       char token[TOKEN_HEX_LEN + 1], struct session *out)
{
	char hash[TOKEN_HEX_LEN + 1];
	struct stmt *st;

	token_new(token);
	token_hash(token, TOKEN_HEX_LEN, hash);
	memset(out, 0, sizeof(*out));
	out->id = id_new();
	out->account_id = account_id;
	out->org_id = org_id;
	token_new(out->csrf);
	out->second_factor_done = second_factor_done;
	out->created_at = now;
	out->last_seen = now;
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, out->id);
	stmt_bind_str(st, 2, hash);
	stmt_bind_int(st, 3, account_id);
	stmt_bind_int(st, 4, org_id);
	stmt_bind_str(st, 5, out->csrf);
	stmt_bind_int(st, 6, second_factor_done);
	stmt_bind_int(st, 7, now);
	return stmt_exec(st);
}

static bool
token_well_formed(const char *t)
{
	size_t i;

	for (i = 0; i < TOKEN_HEX_LEN; i++)
		if (!((t[i] >= '0' && t[i] <= '9') ||
		      (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return t[TOKEN_HEX_LEN] == '\0';
}

enum err
session_lookup(struct db *db, const char *token, int64_t now, int idle,
	       int lifetime, struct session *out)
{
	char hash[TOKEN_HEX_LEN + 1];
	struct stmt *st;
	bool found = false;
	enum err e;

	if (!token || strlen(token) != TOKEN_HEX_LEN ||
	    !token_well_formed(token))
		return ERR_UNAUTHENTICATED;
	token_hash(token, TOKEN_HEX_LEN, hash);
	if (!(st = db_prepare(db, sql_lookup)))
		return ERR_DB;
	stmt_bind_str(st, 1, hash);
	if (stmt_row(st)) {
		const char *csrf = stmt_text(st, 3);

		found = true;
		out->id = stmt_int(st, 0);
		out->account_id = stmt_int(st, 1);
		out->org_id = stmt_int(st, 2);
		if (!csrf || strlen(csrf) != TOKEN_HEX_LEN)
			found = false;
		else
			memcpy(out->csrf, csrf, TOKEN_HEX_LEN + 1);
		out->second_factor_done = stmt_int(st, 4) != 0;
		out->created_at = stmt_int(st, 5);
		out->last_seen = stmt_int(st, 6);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!found || now - out->last_seen > idle ||
	    now - out->created_at > lifetime)
		return ERR_UNAUTHENTICATED;
	return ERR_OK;
}

bool
session_needs_touch(const struct session *s, int64_t now)
{
	return now - s->last_seen >= SESSION_TOUCH_INTERVAL;
}

static enum err
exec_id(struct db *db, const char *sql, int64_t id)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_exec(st);
}

enum err
session_touch(struct db *db, int64_t id, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_touch);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, now);
	return stmt_exec(st);
}

enum err
session_delete(struct db *db, int64_t id)
{
	return exec_id(db, sql_delete, id);
}

enum err
session_delete_for_account(struct db *db, int64_t account_id)
{
	return exec_id(db, sql_delete_account, account_id);
}

enum err
session_set_second_factor(struct db *db, int64_t id)
{
	return exec_id(db, sql_second_factor, id);
}

enum err
session_delete_expired(struct db *db, int64_t now, int idle, int lifetime)
{
	struct stmt *st = db_prepare(db, sql_delete_expired);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, now - idle);
	stmt_bind_int(st, 2, now - lifetime);
	return stmt_exec(st);
}

static enum err
count_query(struct stmt *st, int64_t *count)
{
	*count = 0;
	if (stmt_row(st))
		*count = stmt_int(st, 0);
	return stmt_done(st);
}

enum err
session_count_open(struct db *db, int64_t now, int idle, int64_t *count)
{
	struct stmt *st = db_prepare(db, sql_count_open);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, now - idle);
	return count_query(st, count);
}

enum err
session_count_for_account(struct db *db, int64_t account_id, int64_t now,
			  int idle, int64_t *count)
{
	struct stmt *st = db_prepare(db, sql_count_account);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	stmt_bind_int(st, 2, now - idle);
	return count_query(st, count);
}

/*
 * API token storage (see apitoken.h).
 */
#include "auth/apitoken.h"

#include <stdio.h>
#include <string.h>

#include "auth/scope.h"
#include "core/arena.h"
#include "store/store.h"
#include "core/banned.h"

#define TOKEN_COLS                                                         \
	"id, account_id, org_id, label, scopes, created_at, expires_at, "  \
	"revoked_at, last_used_at "

static const char sql_insert[] =
	"INSERT INTO api_token (id, org_id, account_id, label, token_hash, "
	"scopes, created_at, expires_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char sql_list[] =
	"SELECT " TOKEN_COLS "FROM api_token WHERE account_id = $1 "
	"ORDER BY created_at DESC, id LIMIT 100";
static const char sql_revoke[] =
	"UPDATE api_token SET revoked_at = $3 WHERE id = $1 "
	"AND account_id = $2 AND revoked_at = 0";
static const char sql_lookup[] =
	"SELECT " TOKEN_COLS "FROM api_token WHERE token_hash = $1";

bool
apitoken_scopes_valid(const char *scopes)
{
	struct scopes s;

	return scopes_parse(scopes, &s, NULL) &&
	       !scopes_have_context(&s, SCOPE_SYSTEM);
}

enum err
apitoken_insert(struct db *db, int64_t account_id, int64_t org_id,
		const char *label, const char *scopes, int64_t expires_at,
		int64_t now, char secret[TOKEN_HEX_LEN + 5], int64_t *id)
{
	char raw[TOKEN_HEX_LEN + 1], hash[TOKEN_HEX_LEN + 1];
	struct stmt *st;

	token_new(raw);
	snprintf(secret, TOKEN_HEX_LEN + 5, APITOKEN_PREFIX "%s", raw);
	token_hash(secret, strlen(secret), hash);
	*id = id_new();
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, *id);
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, account_id);
	stmt_bind_str(st, 4, label);
	stmt_bind_str(st, 5, hash);
	stmt_bind_str(st, 6, scopes);
	stmt_bind_int(st, 7, now);
	stmt_bind_int(st, 8, expires_at);
	return stmt_exec(st);
}

static void
read_row(struct stmt *st, struct arena *a, void *record)
{
	struct apitoken *t = record;

	t->id = stmt_int(st, 0);
	t->account_id = stmt_int(st, 1);
	t->org_id = stmt_int(st, 2);
	t->label = stmt_text_dup(st, 3, a);
	t->scopes = stmt_text_dup(st, 4, a);
	t->created_at = stmt_int(st, 5);
	t->expires_at = stmt_int(st, 6);
	t->revoked_at = stmt_int(st, 7);
	t->last_used_at = stmt_int(st, 8);
}

enum err
apitoken_list(struct db *db, struct arena *a, int64_t account_id,
	      struct apitoken **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	*out = NULL;
	*count = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	return stmt_list(st, a, sizeof(**out), 100, read_row, out, count);
}

enum err
apitoken_revoke(struct db *db, int64_t account_id, int64_t id, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_revoke);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, account_id);
	stmt_bind_int(st, 3, now);
	return stmt_exec_one(st);
}

enum err
apitoken_lookup(struct db *db, struct arena *a, const char *secret,
		int64_t now, struct apitoken *out)
{
	char hash[TOKEN_HEX_LEN + 1];
	struct stmt *st;
	enum err e;

	if (strlen(secret) != TOKEN_HEX_LEN + 4 ||
	    strncmp(secret, APITOKEN_PREFIX, 4) != 0)
		return ERR_UNAUTHENTICATED;
	token_hash(secret, strlen(secret), hash);
	if (!(st = db_prepare(db, sql_lookup)))
		return ERR_DB;
	stmt_bind_str(st, 1, hash);
	e = stmt_get(st, a, read_row, out);
	if (e == ERR_NOT_FOUND)
		return ERR_UNAUTHENTICATED;
	if (e != ERR_OK)
		return e;
	if (out->revoked_at ||
	    (out->expires_at && out->expires_at <= now))
		return ERR_UNAUTHENTICATED;
	return ERR_OK;
}

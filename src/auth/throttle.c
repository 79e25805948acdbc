/*
 * Sign-in throttling (see throttle.h). Names are stored hashed: the
 * throttle table must not become a list of who tried to sign in.
 */
#include "auth/throttle.h"

#include <string.h>

#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

static const char sql_get[] =
	"SELECT failures, last_failure FROM login_throttle WHERE key = $1";
static const char sql_fail[] =
	"INSERT INTO login_throttle (key, failures, last_failure) "
	"VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET "
	"failures = login_throttle.failures + 1, last_failure = $2";
static const char sql_clear[] = "DELETE FROM login_throttle WHERE key = $1";

static char *
hashed_key(struct arena *a, const char *prefix, const char *s)
{
	char h[TOKEN_HEX_LEN + 1];

	token_hash(s, strlen(s), h);
	return arena_printf(a, "%s:%.32s", prefix, h);
}

char *
throttle_key_name(struct arena *a, const char *username)
{
	return hashed_key(a, "n", username);
}

char *
throttle_key_address(struct arena *a, const char *address)
{
	return hashed_key(a, "a", address);
}

int64_t
throttle_delay(int64_t failures, int64_t free_tries)
{
	int64_t over = failures - free_tries, d = 1;

	if (over < 0)
		return 0;
	while (over-- > 0 && d < THROTTLE_MAX_WAIT)
		d *= 2;
	return d < THROTTLE_MAX_WAIT ? d : THROTTLE_MAX_WAIT;
}

enum err
throttle_wait(struct db *db, const char *key, int64_t free_tries,
	      int64_t now, int64_t *wait)
{
	struct stmt *st = db_prepare(db, sql_get);
	int64_t until;

	*wait = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, key);
	if (stmt_row(st)) {
		until = stmt_int(st, 1) +
			throttle_delay(stmt_int(st, 0), free_tries);
		if (until > now && throttle_delay(stmt_int(st, 0),
						  free_tries) > 0)
			*wait = until - now;
	}
	return stmt_done(st);
}

enum err
throttle_fail(struct db *db, const char *key, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_fail);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, key);
	stmt_bind_int(st, 2, now);
	return stmt_exec(st);
}

enum err
throttle_clear(struct db *db, const char *key)
{
	struct stmt *st = db_prepare(db, sql_clear);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, key);
	return stmt_exec(st);
}

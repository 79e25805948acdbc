/*
 * Sign-in sessions. The browser holds a 256-bit random token; the
 * database holds only its hash, so a copy of the database cannot be used
 * to sign in. A session ends after `idle` seconds without use or
 * `lifetime` seconds after sign-in, whichever comes first. Each session
 * has its own CSRF token for forms. Sessions live in the database, so any
 * cocare process can serve any request.
 */
#ifndef AUTH_SESSION_H
#define AUTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"

struct db;

struct session {
	int64_t id;
	int64_t account_id;
	int64_t org_id;
	char csrf[TOKEN_HEX_LEN + 1];
	bool second_factor_done;
	int64_t created_at;
	int64_t last_seen;
};

/* How often last_seen is refreshed: keeps reads from becoming writes. */
#define SESSION_TOUCH_INTERVAL 60

/*
 * Creates a session (inside a write transaction). `token` receives the
 * secret for the cookie; `out` the stored session.
 */
enum err session_insert(struct db *db, int64_t account_id, int64_t org_id,
			bool second_factor_done, int64_t now,
			char token[TOKEN_HEX_LEN + 1], struct session *out);

/*
 * Finds the live session for a cookie token. ERR_UNAUTHENTICATED when the
 * token is unknown, malformed or expired (idle or lifetime).
 */
enum err session_lookup(struct db *db, const char *token, int64_t now,
			int idle, int lifetime, struct session *out);

/* True when last_seen is old enough to be refreshed. */
bool session_needs_touch(const struct session *s, int64_t now);

/* Writes, inside a write transaction. */
enum err session_touch(struct db *db, int64_t id, int64_t now);
enum err session_delete(struct db *db, int64_t id);
enum err session_delete_for_account(struct db *db, int64_t account_id);
enum err session_set_second_factor(struct db *db, int64_t id);
enum err session_delete_expired(struct db *db, int64_t now, int idle,
				int lifetime);

/* Sessions in use now (for /metrics). */
enum err session_count_open(struct db *db, int64_t now, int idle,
			    int64_t *count);

/* Sessions of one account in use now (for "sign out everywhere"). */
enum err session_count_for_account(struct db *db, int64_t account_id,
				   int64_t now, int idle, int64_t *count);

#endif

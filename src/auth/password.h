/*
 * Passwords: the policy a new password must meet, and Argon2id hashing
 * with libsodium's crypto_pwhash_str at (at least) the interactive
 * limits. Only the hash string is ever stored.
 */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 256
#define PASSWORD_HASH_MAX 128	/* >= crypto_pwhash_STRBYTES */

enum password_problem {
	PASSWORD_OK,
	PASSWORD_TOO_SHORT,
	PASSWORD_TOO_LONG,
	PASSWORD_NOT_TEXT,
	PASSWORD_COMMON,
	PASSWORD_LIKE_USERNAME,
};

/* Checks a proposed password for `username` against the policy. */
enum password_problem password_check(const char *pw, const char *username);

/* A sentence for the person (an English msgid). */
const char *password_problem_str(enum password_problem p);

/* True when `pw` is in the bundled list of common passwords. */
bool password_is_common(const char *pw);

/* Hashes `pw` into `out`; ERR_NOMEM if Argon2 cannot get its memory. */
enum err password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* True when `pw` matches `hash`. Takes as long for a wrong password. */
bool password_verify(const char *hash, const char *pw);

/* Spends the time of a verification without a hash, so a sign-in with
 * an unknown name takes as long as one with a wrong password. */
void password_verify_dummy(const char *pw);

#endif

/*
 * Sign-in throttling. Failed attempts are counted per account name and
 * per client address in the database (shared by every process); after a
 * few free attempts each further one must wait twice as long as the last,
 * up to 15 minutes. Names that do not exist are counted the same way, so
 * the answer never tells whether an account exists.
 */
#ifndef AUTH_THROTTLE_H
#define AUTH_THROTTLE_H

#include <stdint.h>

#include "core/err.h"

struct db;
struct arena;

#define THROTTLE_FREE_PER_NAME 5
#define THROTTLE_FREE_PER_ADDRESS 20
#define THROTTLE_MAX_WAIT 900

/* The keys for a user name and for a client address. */
char *throttle_key_name(struct arena *a, const char *username);
char *throttle_key_address(struct arena *a, const char *address);

/* Seconds to wait before `failures` + 1st attempt with `free` free tries. */
int64_t throttle_delay(int64_t failures, int64_t free_tries);

/* Seconds the key must still wait at `now` (0 = may try). */
enum err throttle_wait(struct db *db, const char *key, int64_t free_tries,
		       int64_t now, int64_t *wait);

/* Writes, inside a write transaction. */
enum err throttle_fail(struct db *db, const char *key, int64_t now);
enum err throttle_clear(struct db *db, const char *key);

#endif

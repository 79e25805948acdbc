/*
 * Second factor: time-based one-time passwords (RFC 6238, 30-second
 * steps, 6 digits) with liboath, as used by common authenticator apps.
 * Secrets are 160 random bits, kept in base32.
 */
#ifndef AUTH_TOTP_H
#define AUTH_TOTP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct arena;

#define TOTP_SECRET_MAX 64

/* Calls oath_init(); once at start. */
enum err totp_init(void);
void totp_done(void);

/* A new base32 secret. */
enum err totp_new_secret(char out[TOTP_SECRET_MAX]);

/* True when `code` (6 digits; spaces ignored) is valid at `now`, one
 * step either side allowed for clock drift. */
bool totp_verify(const char *secret, const char *code, int64_t now);

/* The current code, for tests and the demo. */
enum err totp_code(const char *secret, int64_t now, char out[8]);

/* The otpauth:// URI an authenticator app reads. */
char *totp_uri(struct arena *a, const char *issuer, const char *account,
	       const char *secret);

#endif

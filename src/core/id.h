/*
 * Identifiers and secrets from libsodium's CSPRNG. Record ids are random
 * positive 62-bit integers made by the application, so any number of
 * processes (and a sharded PostgreSQL) can insert without a sequence.
 * Call sodium_init() once at start (main does) before using these.
 */
#ifndef CORE_ID_H
#define CORE_ID_H

#include <stddef.h>
#include <stdint.h>

/* A new record id in [1, 2^62). */
int64_t id_new(void);

/* Random secret: 32 bytes as 64 lowercase hex characters plus NUL. */
#define TOKEN_HEX_LEN 64
void token_new(char out[TOKEN_HEX_LEN + 1]);

/*
 * The stored form of a token: hex BLAKE2b-256 of it. Tokens have 256
 * bits of entropy, so a fast hash is enough (no password stretching).
 */
void token_hash(const char *token, size_t len, char out[TOKEN_HEX_LEN + 1]);

/* Lowercase hex of `len` bytes into `out` (2 * len + 1 bytes). */
void hex_encode(const unsigned char *in, size_t len, char *out);

#endif

/*
 * Record ids, and secrets from libsodium's CSPRNG.
 *
 * Record ids are positive 62-bit integers made by the application, so
 * any number of processes can insert without a sequence. They are
 * ordered by time: the milliseconds since 2026-01-01 UTC (41 bits, until
 * 2095), the process's node (10 bits) and a count within the millisecond
 * (11 bits). Records made together are neighbours in every index keyed by
 * id, so a commit of many writes changes a few pages at the end of each
 * table instead of one page per row: on SQLite that is most of the cost
 * of a durable write. The store gives each process a node that no other
 * running process on the same database holds (store.c); until it has
 * one, ids are random, as they all were before. Ids are not secrets:
 * they tell when a record was made, and every request is checked by the
 * access policy whatever id it names.
 *
 * Call sodium_init() once at start (main does) before using these.
 */
#ifndef CORE_ID_H
#define CORE_ID_H

#include <stddef.h>
#include <stdint.h>

/* A new record id in [1, 2^62), greater than the last one this process
 * made while it has a node. */
int64_t id_new(void);

#define ID_NODES 1024	/* node numbers 0 .. ID_NODES - 1 */
#define ID_EPOCH_MS 1767225600000ll	/* 2026-01-01T00:00:00Z */
#define ID_TIME_SHIFT 21	/* id >> ID_TIME_SHIFT: ms since the epoch */

/* Sets this process's node (0 .. ID_NODES - 1), or -1: random ids. */
void id_set_node(int node);

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

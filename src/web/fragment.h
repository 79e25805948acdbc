/*
 * A small cache of rendered page fragments, per process, for pages whose
 * heavy part changes only when stored data does (the care plan of a long
 * plan). Each entry keeps the token it was made for, built by the caller
 * from version numbers read from the database on every request, so a
 * change made through any cocare process is seen at once; nothing here
 * is needed by another process. Access checks and audit events stay
 * per request: only the HTML is reused.
 */
#ifndef WEB_FRAGMENT_H
#define WEB_FRAGMENT_H

#include <stddef.h>

struct arena;
struct fragment_cache;

/* A cache of at most `slots` fragments of at most `max_bytes` each
 * (larger ones are not kept). NULL when out of memory. */
struct fragment_cache *fragment_cache_new(size_t slots, size_t max_bytes);
void fragment_cache_free(struct fragment_cache *c);

/* A copy, in `a`, of the fragment stored under `key` for exactly
 * `token`; NULL when there is none (or `c` is NULL). Thread-safe. */
char *fragment_cache_get(struct fragment_cache *c, const char *key,
			 const char *token, struct arena *a);

/* Stores `html` under `key` for `token`, replacing what the key's slot
 * held. Thread-safe; a failed copy just leaves the slot empty. */
void fragment_cache_put(struct fragment_cache *c, const char *key,
			const char *token, const char *html);

#endif

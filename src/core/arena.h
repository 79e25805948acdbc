/*
 * Region allocator: one arena per request (or per command), freed in one
 * place. Allocations never need freeing one by one. Every arena has a cap;
 * past it allocation fails and the sticky `failed` flag is set, which the
 * request code checks at stage boundaries and turns into a 413/500 instead
 * of running the process out of memory.
 */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

/* A new arena that will hand out at most `cap` bytes; NULL when out of memory. */
struct arena *arena_new(size_t cap);

/* Runs the deferred releases in reverse order, then frees every block. */
void arena_free(struct arena *a);

/* Zeroed memory of `n` bytes aligned for any type, or NULL (sets failed). */
void *arena_alloc(struct arena *a, size_t n);

/* Like arena_alloc() without zeroing, for memory about to be overwritten
 * (buffer growth). */
void *arena_alloc_uninit(struct arena *a, size_t n);

/* Zeroed array of `count` elements of `size` bytes; NULL on overflow. */
void *arena_calloc(struct arena *a, size_t count, size_t size);

/* A NUL-terminated copy of `len` bytes of `s`, or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* A NUL-terminated copy of `s` (may be NULL, giving NULL). */
char *arena_strdup(struct arena *a, const char *s);

/* printf into the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Registers `fn(p)` to run when the arena is freed: used for library
 * objects (json_t, statements) whose lifetime is the request's.
 * Returns false (and runs nothing) when out of memory; the caller then
 * releases `p` itself.
 */
bool arena_defer(struct arena *a, void (*fn)(void *), void *p);

/* True once any allocation from this arena has failed. */
bool arena_failed(const struct arena *a);

/* Bytes handed out so far. */
size_t arena_used(const struct arena *a);

#endif

/*
 * Growable byte buffer backed by an arena. Invariants (after buf_init):
 * `p` is never NULL and always NUL-terminated, `len` excludes the NUL,
 * the content is binary-safe, and it never grows past `max` bytes: an
 * append that would is refused and sets the sticky `failed` flag, so
 * callers may append freely and check once at the end.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

struct buf {
	struct arena *a;
	char *p;
	size_t len;
	size_t cap;
	size_t max;
	bool failed;
};

void buf_init(struct buf *b, struct arena *a, size_t max);
void buf_reset(struct buf *b);

bool buf_add(struct buf *b, const void *s, size_t len);
bool buf_adds(struct buf *b, const char *s);
bool buf_addc(struct buf *b, char c);
bool buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends `s` escaped for HTML text and quoted attributes (& < > " '). */
bool buf_add_html(struct buf *b, const char *s, size_t len);

/* Appends `s` percent-encoded for a URL query component. */
bool buf_add_urlenc(struct buf *b, const char *s, size_t len);

/* Appends `len` bytes as lowercase hex. */
bool buf_add_hex(struct buf *b, const unsigned char *s, size_t len);

#endif

/*
 * struct buf: append-only text building for pages, SQL-free messages and
 * JSON-free formats (CSV, Prometheus text). Growth doubles inside the arena.
 */
#include "core/buf.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/banned.h"

static char buf_empty[1];

void
buf_init(struct buf *b, struct arena *a, size_t max)
{
	b->a = a;
	b->p = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->failed = false;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->p[0] = '\0';
}

static bool
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return false;
	if (extra > b->max || b->len > b->max - extra) {
		b->failed = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = arena_alloc_uninit(b->a, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	memcpy(p, b->p, b->len + 1);
	b->p = p;
	b->cap = cap;
	return true;
}

bool
buf_add(struct buf *b, const void *s, size_t len)
{
	if (!buf_grow(b, len))
		return false;
	if (len)
		memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
	return true;
}

bool
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

bool
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

bool
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_grow(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

bool
buf_add_html(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_add(b, s + start, i - start);
		buf_adds(b, rep);
		start = i + 1;
	}
	return buf_add(b, s + start, len - start);
}

bool
buf_add_urlenc(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
	return !b->failed;
}

bool
buf_add_hex(struct buf *b, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		buf_addc(b, hex[s[i] >> 4]);
		buf_addc(b, hex[s[i] & 15]);
	}
	return !b->failed;
}

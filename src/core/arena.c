/*
 * Arena implementation: a list of blocks, bump allocation inside the
 * newest, large requests in blocks of their own.
 */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t used;
	size_t size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct arena_block *blocks;
	struct arena_defer *defers;
	size_t cap;
	size_t used;
	bool failed;
};

struct arena *
arena_new(size_t cap)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cap = cap;
	return a;
}

void
arena_free(struct arena *a)
{
	struct arena_defer *d;
	struct arena_block *b;

	if (!a)
		return;
	/* Defers run before any block goes, so they may still read arena data. */
	while ((d = a->defers)) {
		a->defers = d->next;
		d->fn(d->p);
	}
	while ((b = a->blocks)) {
		a->blocks = b->next;
		free(b);
	}
	free(a);
}

static void *
arena_grab(struct arena *a, size_t n)
{
	struct arena_block *b = a->blocks;
	size_t size;
	void *p;

	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	if (a->failed || n > a->cap - a->used || a->used > a->cap) {
		a->failed = true;
		return NULL;
	}
	if (!b || b->size - b->used < n) {
		size = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
		b = malloc(sizeof(*b) + size);
		if (!b) {
			a->failed = true;
			return NULL;
		}
		b->size = size;
		b->used = 0;
		/* A big block goes second so the current block keeps filling. */
		if (size > ARENA_BLOCK && a->blocks) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	p = b->data + b->used;
	b->used += n;
	a->used += n;
	return p;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_grab(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

void *
arena_alloc_uninit(struct arena *a, size_t n)
{
	return arena_grab(a, n);
}

void *
arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		a->failed = true;
		return NULL;
	}
	return arena_alloc(a, count * size);
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = arena_grab(a, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	p = arena_grab(a, (size_t)n + 1);
	if (!p)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

bool
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_defer *d = arena_grab(a, sizeof(*d));

	if (!d)
		return false;
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
	return true;
}

bool
arena_failed(const struct arena *a)
{
	return a->failed;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}

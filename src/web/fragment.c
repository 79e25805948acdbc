/*
 * Cache of rendered fragments (see fragment.h): a fixed table of slots,
 * one per key hash, under one mutex; a colliding key replaces the slot.
 */
#include "web/fragment.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/banned.h"

struct slot {
	char *key;
	char *token;
	char *html;
	size_t len;
};

struct fragment_cache {
	pthread_mutex_t lock;
	size_t nslots;
	size_t max_bytes;
	struct slot *slots;
};

struct fragment_cache *
fragment_cache_new(size_t slots, size_t max_bytes)
{
	struct fragment_cache *c = calloc(1, sizeof(*c));

	if (!c || !(c->slots = calloc(slots ? slots : 1, sizeof(*c->slots)))) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->nslots = slots ? slots : 1;
	c->max_bytes = max_bytes;
	return c;
}

static void
slot_clear(struct slot *s)
{
	free(s->key);
	free(s->token);
	free(s->html);
	memset(s, 0, sizeof(*s));
}

void
fragment_cache_free(struct fragment_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nslots; i++)
		slot_clear(&c->slots[i]);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

/* FNV-1a: keys are ours, not an attacker's, and short. */
static struct slot *
slot_of(struct fragment_cache *c, const char *key)
{
	uint64_t h = 1469598103934665603ull;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return &c->slots[h % c->nslots];
}

char *
fragment_cache_get(struct fragment_cache *c, const char *key,
		   const char *token, struct arena *a)
{
	struct slot *s;
	char *out = NULL;

	if (!c)
		return NULL;
	pthread_mutex_lock(&c->lock);
	s = slot_of(c, key);
	if (s->key && !strcmp(s->key, key) && !strcmp(s->token, token))
		out = arena_strndup(a, s->html, s->len);
	pthread_mutex_unlock(&c->lock);
	return out;
}

void
fragment_cache_put(struct fragment_cache *c, const char *key,
		   const char *token, const char *html)
{
	size_t len = strlen(html);
	struct slot *s;

	if (!c || len > c->max_bytes)
		return;
	pthread_mutex_lock(&c->lock);
	s = slot_of(c, key);
	slot_clear(s);
	s->key = strdup(key);
	s->token = strdup(token);
	s->html = malloc(len + 1);
	if (s->key && s->token && s->html) {
		memcpy(s->html, html, len + 1);
		s->len = len;
	} else {
		slot_clear(s);
	}
	pthread_mutex_unlock(&c->lock);
}

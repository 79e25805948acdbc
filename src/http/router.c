/*
 * The router: modules contribute tables of routes, each pattern split
 * once into literal and ":param" segments. Matching walks every route of
 * the same segment count and keeps the most specific one, so there is no
 * central switch and no order dependence between tables.
 */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "core/banned.h"

struct seg {
	const char *p;		/* into the pattern, after a param's ':' */
	size_t len;
	bool param;
};

struct entry {
	const struct http_route *route;
	size_t nsegs;
	struct seg segs[HTTP_MAX_SEGMENTS];
};

struct http_router {
	struct entry *e;
	size_t n;
	size_t cap;
};

struct http_router *
http_router_new(void)
{
	return calloc(1, sizeof(struct http_router));
}

void
http_router_free(struct http_router *r)
{
	if (!r)
		return;
	free(r->e);
	free(r);
}

size_t
http_router_count(const struct http_router *r)
{
	return r->n;
}

const char *
http_route_label(const struct http_router *r, size_t index)
{
	const struct http_route *rt = r->e[index].route;

	return rt->name ? rt->name : rt->pattern;
}

/*
 * Splits "/a/b/" into "a", "b", "" (a trailing slash is an empty last
 * segment, so it is significant). "/" is one empty segment. False past
 * HTTP_MAX_SEGMENTS.
 */
static bool
split(const char *p, size_t len, struct seg *segs, size_t *nsegs)
{
	size_t i = 1, start = 1, n = 0;

	for (;;) {
		if (i == len || p[i] == '/') {
			if (n == HTTP_MAX_SEGMENTS)
				return false;
			segs[n].p = p + start;
			segs[n].len = i - start;
			segs[n].param = false;
			n++;
			if (i == len)
				break;
			start = i + 1;
		}
		i++;
	}
	*nsegs = n;
	return true;
}

static enum err
parse_pattern(const struct http_route *rt, struct entry *e)
{
	size_t i, j, len, nparams = 0;

	if (!rt->pattern || rt->pattern[0] != '/' || !rt->handler ||
	    rt->method >= HTTP_METHOD__MAX)
		return ERR_INVALID;
	len = strlen(rt->pattern);
	e->route = rt;
	if (!split(rt->pattern, len, e->segs, &e->nsegs))
		return ERR_INVALID;
	for (i = 0; i < e->nsegs; i++) {
		struct seg *s = &e->segs[i];

		if (s->len == 0 || s->p[0] != ':')
			continue;
		s->param = true;
		s->p++;
		s->len--;
		if (s->len == 0 || ++nparams > HTTP_MAX_PARAMS)
			return ERR_INVALID;
		for (j = 0; j < i; j++)
			if (e->segs[j].param && e->segs[j].len == s->len &&
			    memcmp(e->segs[j].p, s->p, s->len) == 0)
				return ERR_INVALID;
	}
	return ERR_OK;
}

static bool
same_shape(const struct entry *a, const struct entry *b)
{
	size_t i;

	if (a->nsegs != b->nsegs || a->route->method != b->route->method)
		return false;
	for (i = 0; i < a->nsegs; i++) {
		if (a->segs[i].param != b->segs[i].param)
			return false;
		if (!a->segs[i].param &&
		    (a->segs[i].len != b->segs[i].len ||
		     memcmp(a->segs[i].p, b->segs[i].p, a->segs[i].len) != 0))
			return false;
	}
	return true;
}

enum err
http_router_add(struct http_router *r, const struct http_route *table,
		size_t count)
{
	struct entry *e;
	size_t i, j, cap;
	enum err rc;

	if (count > ((size_t)-1) / sizeof(*e) - r->n)
		return ERR_NOMEM;
	if (r->n + count > r->cap) {
		cap = r->cap ? r->cap : 16;
		while (cap < r->n + count)
			cap *= 2;
		e = realloc(r->e, cap * sizeof(*e));
		if (!e)
			return ERR_NOMEM;
		r->e = e;
		r->cap = cap;
	}
	/* Entries are built past the end and committed only when all parse. */
	for (i = 0; i < count; i++) {
		rc = parse_pattern(&table[i], &r->e[r->n + i]);
		if (rc != ERR_OK)
			return rc;
		/*
		 * Two patterns differing only in parameter names would be
		 * ambiguous, so they count as the same route.
		 */
		for (j = 0; j < r->n + i; j++)
			if (same_shape(&r->e[j], &r->e[r->n + i]))
				return ERR_EXISTS;
	}
	r->n += count;
	return ERR_OK;
}

/*
 * Compares how specific two matching entries are: the first segment
 * where one is literal and the other a parameter decides. Positive when
 * `a` is more specific.
 */
static int
specificity(const struct entry *a, const struct entry *b)
{
	size_t i;

	for (i = 0; i < a->nsegs; i++)
		if (a->segs[i].param != b->segs[i].param)
			return a->segs[i].param ? -1 : 1;
	return 0;
}

static bool
entry_matches(const struct entry *e, const struct seg *path, size_t n)
{
	size_t i;

	if (e->nsegs != n)
		return false;
	for (i = 0; i < n; i++) {
		if (e->segs[i].param) {
			if (path[i].len == 0)
				return false;
		} else if (e->segs[i].len != path[i].len ||
			   memcmp(e->segs[i].p, path[i].p, path[i].len) != 0) {
			return false;
		}
	}
	return true;
}

static bool
method_fits(enum http_method route, enum http_method req)
{
	return route == req || (route == HTTP_GET && req == HTTP_HEAD);
}

enum err
http_router_match(const struct http_router *r, enum http_method method,
		  const char *path, size_t len, struct http_match *out)
{
	struct seg segs[HTTP_MAX_SEGMENTS];
	const struct entry *best = NULL;
	size_t nsegs, i;
	bool other = false;

	memset(out, 0, sizeof(*out));
	if (len == 0 || path[0] != '/' || !split(path, len, segs, &nsegs))
		return ERR_NOT_FOUND;
	for (i = 0; i < r->n; i++) {
		const struct entry *e = &r->e[i];

		if (!entry_matches(e, segs, nsegs))
			continue;
		if (!method_fits(e->route->method, method)) {
			other = true;
			continue;
		}
		/* An exact HEAD route beats the GET it would borrow. */
		if (!best || specificity(e, best) > 0 ||
		    (specificity(e, best) == 0 && e->route->method == method))
			best = e;
	}
	if (!best)
		return other ? ERR_METHOD : ERR_NOT_FOUND;
	out->route = best->route;
	out->index = (size_t)(best - r->e);
	for (i = 0; i < nsegs; i++) {
		if (!best->segs[i].param)
			continue;
		out->params[out->nparams].name.p = best->segs[i].p;
		out->params[out->nparams].name.len = best->segs[i].len;
		out->params[out->nparams].value.p = segs[i].p;
		out->params[out->nparams].value.len = segs[i].len;
		out->nparams++;
	}
	return ERR_OK;
}

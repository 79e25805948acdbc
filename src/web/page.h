/*
 * Pages: a handler fills a jansson context for its template and calls
 * page_render(), which adds what every page has (language, title, the
 * person, navigation, CSRF token, a notice), renders the template into
 * the shared layout and answers. Pages of signed-in people are never
 * cached (Cache-Control: no-store).
 */
#ifndef WEB_PAGE_H
#define WEB_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/problem.h"

struct web;

/* A new context with the page title (an English msgid). */
json_t *page_new(struct web *w, const char *title_msgid);

/*
 * Renders templates/<name>.html inside the layout with `ctx` (stolen)
 * and answers with `status`. ERR_OK once answered.
 */
enum err page_render(struct web *w, int status, const char *name,
		     json_t *ctx);

/*
 * Renders templates/<name>.html alone with `ctx` (borrowed) in the
 * page's language, into the request arena: a fragment to put into a page
 * with tpl_trusted_html(). NULL on failure.
 */
char *page_fragment(struct web *w, const char *name, json_t *ctx);

/* Redirects to `path` after a POST, with an optional notice code that the
 * next page shows (see page.c notices[]). */
enum err page_redirect(struct web *w, const char *path, const char *notice);

/* Puts validation problems into `ctx`: "problems" (a list for the summary
 * at the top) and "error_<field>" beside each field, translated. */
void page_problems(struct web *w, json_t *ctx, const struct problems *ps);

/* Setters; jstr leaves out NULL and empty strings. */
void jstr(json_t *o, const char *key, const char *value);
void jint(json_t *o, const char *key, int64_t value);
void jbool(json_t *o, const char *key, bool value);
/* A decimal id as text (ids pass JSON safely as strings). */
void jid(json_t *o, const char *key, int64_t id);
/* A new array or object set under `key`; borrowed. */
json_t *jarr(json_t *o, const char *key);
json_t *jobj(json_t *o, const char *key);
/* A new object appended to array `arr`; borrowed. */
json_t *jpush(json_t *arr);

/* The twelve short month names of the page's language ("Jan", "ene"). */
const char *const *page_months(struct web *w);

/* A date for people, "22 Nov 2026", in the page's language. */
const char *page_date(struct web *w, int64_t t);
/* A date and time, "22 Nov 2026, 14:05" (UTC). */
const char *page_datetime(struct web *w, int64_t t);

#endif

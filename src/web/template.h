/*
 * Mustache templates: compiled once at start into a struct tpl_set, then
 * rendered by many threads at once against jansson data. Every
 * substitution is HTML-escaped; in strict (production) mode the only raw
 * output is a value made by tpl_trusted_html(). Sections named `_` are
 * translated through a callback before they are rendered.
 */
#ifndef WEB_TEMPLATE_H
#define WEB_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

struct buf;
struct tpl_set;

/* Limits that keep a hostile template or context from exhausting the stack. */
#define TPL_MAX_NESTING 64	/* sections open at once in one template */
#define TPL_MAX_PARTIAL_DEPTH 32	/* partials inside partials */
#define TPL_MAX_DEPTH 256	/* sections and partials open in a render */
#define TPL_MAX_SOURCE (1u << 20)	/* bytes of one template's source */

struct tpl_options {
	/*
	 * False: the mustache spec exactly ({{{x}}} and {{&x}} are raw).
	 * True: {{{x}}} and {{&x}} escape plain strings too; only
	 * tpl_trusted_html() values are ever emitted raw.
	 */
	bool strict;
	/*
	 * Called for each {{#_}}...{{/_}} with the section's source text
	 * (exactly the bytes between the tags) as `msgid`; returns the
	 * translated template text (never NULL; return `msgid` itself when
	 * there is no translation). The result must stay valid for the whole
	 * render and is treated as trusted template text, not data. NULL
	 * renders the section's own text. Must be safe to call from many
	 * threads at once.
	 */
	const char *(*translate)(void *ud, const char *msgid);
	void *translate_ud;
};

/* An empty set; NULL when out of memory. */
struct tpl_set *tpl_set_new(void);

/* Frees the set and every template in it; NULL is allowed. */
void tpl_set_free(struct tpl_set *set);

/*
 * Compiles `len` bytes of `src` and adds them as template `name` (both are
 * copied). On a syntax error returns ERR_INVALID and writes
 * "name:line: message" to `errbuf` (truncated to `errlen`, may be 0);
 * ERR_EXISTS when `name` is already there; ERR_TOO_LARGE over
 * TPL_MAX_SOURCE; ERR_NOMEM. Nothing changes on error. Not thread-safe:
 * add everything before the first render.
 */
enum err tpl_set_add(struct tpl_set *set, const char *name, const char *src,
    size_t len, char *errbuf, size_t errlen);

/*
 * Adds every embedded file "templates/<name>.html" (core/embed.h) as
 * <name>, e.g. "layout", "admin/users". Stops at the first error, with the
 * message of tpl_set_add(); templates added before it stay.
 */
enum err tpl_set_load_embedded(struct tpl_set *set, char *errbuf,
    size_t errlen);

/* True when the set has a template called `name`. */
bool tpl_set_has(const struct tpl_set *set, const char *name);

/*
 * Renders template `name` with `ctx` (borrowed; NULL is an empty context)
 * and appends the output to `out`, using out's arena for scratch space.
 * `o` may be NULL (strict, no translation). A missing partial renders
 * empty (spec). Returns ERR_NOT_FOUND for a missing top template,
 * ERR_INVALID when a TPL_MAX_* limit is passed (partials or sections
 * nested too deeply while rendering), ERR_TOO_LARGE when `out` hit its cap and
 * ERR_NOMEM when its arena failed; on error `out` holds partial output.
 * Safe to call from many threads on the same set.
 */
enum err tpl_render(const struct tpl_set *set, const char *name, json_t *ctx,
    const struct tpl_options *o, struct buf *out);

/*
 * A new reference to {"$trusted_html": html}: rendered raw by {{x}} and
 * {{{x}}} in both modes. This is the one way to emit raw HTML; only pass
 * HTML the program built itself (e.g. cmark's safe output). Any object of
 * exactly that shape renders raw, so never put a client-supplied JSON
 * document into a context without picking its fields out first.
 * NULL when out of memory.
 */
json_t *tpl_trusted_html(const char *html);

#endif

/*
 * Mustache engine (see template.h). A template compiles into a flat array
 * of nodes in which a section's children follow it up to its `end` index;
 * nodes point into the template's own copy of its source. Rendering walks
 * that array with an explicit context stack and a depth counter, so
 * neither a hostile template nor hostile data can recurse without bound.
 * Written here rather than taken from a library so that strict escaping,
 * trusted HTML and translation sections are part of the engine itself.
 */
#include "web/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/str.h"
#include "core/banned.h"

#define TRUSTED_KEY "$trusted_html"

enum node_type {
	NODE_TEXT,
	NODE_VAR,		/* {{x}}, {{{x}}} and {{&x}} */
	NODE_SECTION,		/* {{#x}} */
	NODE_INVERTED,		/* {{^x}} */
	NODE_TRANSLATE,		/* {{#_}} */
	NODE_PARTIAL		/* {{>x}} */
};

struct node {
	enum node_type type;
	bool raw;		/* VAR: triple mustache or ampersand */
	bool standalone;	/* PARTIAL: alone on its line */
	struct str s;		/* TEXT: the text; otherwise the name */
	struct str indent;	/* PARTIAL: its line's indentation */
	size_t end;		/* sections: index past the last child */
	size_t at;		/* sections: offset of the opening tag */
	char *msgid;		/* TRANSLATE: text between tags (owned) */
	struct str otag;	/* TRANSLATE: delimiters in force at the tag */
	struct str ctag;
};

struct tpl {
	char *name;
	char *src;		/* owned copy; NULL for a translation */
	struct node *nodes;
	size_t n;
};

struct tpl_set {
	struct tpl **t;		/* sorted by name for bsearch */
	size_t n;
	size_t cap;
};

struct compiler {
	struct tpl *t;
	const char *src;
	size_t len;
	size_t cap;		/* of t->nodes */
	size_t open[TPL_MAX_NESTING];
	size_t nopen;
	struct str otag;
	struct str ctag;
	char *errbuf;
	size_t errlen;
};

struct render {
	const struct tpl_set *set;
	const struct tpl_options *o;
	struct buf *out;
	json_t *ctx[TPL_MAX_DEPTH + 1];
	size_t nctx;
	size_t depth;		/* sections and partials open */
	size_t partials;
	struct str indent;	/* prefix of a standalone partial's lines */
	bool bol;		/* output is at the start of a line */
	enum err err;
};

static const struct tpl_options default_options = {true, NULL, NULL};

static void render_nodes(struct render *r, const struct tpl *t, size_t from,
    size_t to);

/* Compiling. */

static size_t
line_of(const char *src, size_t pos)
{
	size_t i, line = 1;

	for (i = 0; i < pos; i++)
		if (src[i] == '\n')
			line++;
	return line;
}

/* Writes "name:line: what \"arg\"" (arg capped so the line survives). */
static enum err
compile_error(struct compiler *c, size_t pos, const char *what,
    struct str arg)
{
	if (c->errlen)
		snprintf(c->errbuf, c->errlen, "%s:%zu: %s%s%.*s%s",
		    c->t->name, line_of(c->src, pos), what,
		    arg.len ? " \"" : "", (int)(arg.len > 60 ? 60 : arg.len),
		    arg.p ? arg.p : "", arg.len ? "\"" : "");
	return ERR_INVALID;
}

static void
nodes_free(struct tpl *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->nodes[i].msgid);
	free(t->nodes);
	t->nodes = NULL;
	t->n = 0;
}

static struct node *
node_add(struct compiler *c, enum node_type type, struct str s)
{
	struct node *p;
	size_t cap;

	if (c->t->n == c->cap) {
		cap = c->cap ? c->cap * 2 : 16;
		p = realloc(c->t->nodes, cap * sizeof(*p));
		if (!p)
			return NULL;
		c->t->nodes = p;
		c->cap = cap;
	}
	p = &c->t->nodes[c->t->n++];
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->s = s;
	return p;
}

static enum err
text_add(struct compiler *c, size_t from, size_t to)
{
	if (to <= from)
		return ERR_OK;
	if (!node_add(c, NODE_TEXT, (struct str){c->src + from, to - from}))
		return ERR_NOMEM;
	return ERR_OK;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool
is_space(char ch)
{
	return is_blank(ch) || ch == '\n' || ch == '\r' || ch == '\v' ||
	    ch == '\f';
}

/* Position of `needle` in src[from, len), or `len` when absent. */
static size_t
find(const char *src, size_t len, size_t from, struct str needle)
{
	const char *p;

	if (from >= len)
		return len;
	p = memmem(src + from, len - from, needle.p, needle.len);
	return p ? (size_t)(p - src) : len;
}

/*
 * Position of the closing delimiter that directly follows `before`
 * ('}' for a triple mustache, '=' for a delimiter change), or `len`.
 */
static size_t
find_close_after(const struct compiler *c, size_t from, char before)
{
	size_t q = from;

	for (;;) {
		q = find(c->src, c->len, q, c->ctag);
		if (q == c->len || (q > from && c->src[q - 1] == before))
			return q;
		q++;
	}
}

static bool
has_space(struct str s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		if (is_space(s.p[i]))
			return true;
	return false;
}

/* Parses the trimmed "<% %>" of {{=<% %>=}} into new delimiters. */
static bool
set_delimiters(struct compiler *c, struct str spec)
{
	size_t i = 0;
	struct str o, cl;

	while (i < spec.len && !is_space(spec.p[i]))
		i++;
	o = (struct str){spec.p, i};
	cl = str_trim((struct str){spec.p + i, spec.len - i});
	if (!o.len || !cl.len || has_space(cl) || memchr(o.p, '=', o.len) ||
	    memchr(cl.p, '=', cl.len))
		return false;
	c->otag = o;
	c->ctag = cl;
	return true;
}

static enum err
open_section(struct compiler *c, size_t ts, size_t body, char kind,
    struct str name)
{
	enum node_type type = NODE_SECTION;
	struct node *n;

	if (c->nopen == TPL_MAX_NESTING)
		return compile_error(c, ts, "sections nested too deeply at",
		    name);
	if (kind == '^')
		type = NODE_INVERTED;
	else if (str_eq_c(name, "_"))
		type = NODE_TRANSLATE;
	n = node_add(c, type, name);
	if (!n)
		return ERR_NOMEM;
	n->at = ts;
	/* Until the section closes, `end` holds where its source starts. */
	n->end = body;
	n->otag = c->otag;
	n->ctag = c->ctag;
	c->open[c->nopen++] = c->t->n - 1;
	return ERR_OK;
}

static enum err
close_section(struct compiler *c, size_t ts, struct str name)
{
	struct node *n;
	char what[120];
	size_t start;

	if (!c->nopen)
		return compile_error(c, ts, "unexpected closing tag", name);
	n = &c->t->nodes[c->open[c->nopen - 1]];
	if (!str_eq(n->s, name)) {
		snprintf(what, sizeof(what), "section \"%.*s\" opened on "
		    "line %zu is closed by", (int)(n->s.len > 40 ? 40 :
		    n->s.len), n->s.p, line_of(c->src, n->at));
		return compile_error(c, ts, what, name);
	}
	start = n->end;
	if (n->type == NODE_TRANSLATE) {
		n->msgid = malloc(ts - start + 1);
		if (!n->msgid)
			return ERR_NOMEM;
		memcpy(n->msgid, c->src + start, ts - start);
		n->msgid[ts - start] = '\0';
	}
	n->end = c->t->n;
	c->nopen--;
	return ERR_OK;
}

/*
 * Standalone lines: a section, inverted, closing, partial, comment or
 * delimiter tag alone on its line (apart from blanks) is removed together
 * with the line's indentation and its line ending. Sets *ls to the start
 * of the line and *next to where the following text begins.
 */
static bool
standalone(const struct compiler *c, size_t text_start, size_t ts,
    size_t te, size_t *ls, size_t *next)
{
	size_t i = ts, p = te;

	while (i > text_start && is_blank(c->src[i - 1]))
		i--;
	/* Also false when another tag ended earlier on this line. */
	if (i > 0 && c->src[i - 1] != '\n')
		return false;
	while (p < c->len && is_blank(c->src[p]))
		p++;
	if (p < c->len && c->src[p] == '\r' && p + 1 < c->len &&
	    c->src[p + 1] == '\n')
		p++;
	if (p < c->len && c->src[p] != '\n')
		return false;
	*ls = i;
	*next = p < c->len ? p + 1 : p;
	return true;
}

/* One tag at `ts`; advances *text_start past it (and past its line). */
static enum err
compile_tag(struct compiler *c, size_t ts, size_t *text_start)
{
	size_t p = ts + c->otag.len, q, te, ls, next;
	char kind = p < c->len ? c->src[p] : '\0';
	struct str name;
	struct node *n;
	bool alone;
	enum err e;

	if (kind != '\0' && strchr("#^/>!={&", kind))
		p++;
	else
		kind = '\0';
	if (kind == '{')
		q = find_close_after(c, p, '}');
	else if (kind == '=')
		q = find_close_after(c, p, '=');
	else
		q = find(c->src, c->len, p, c->ctag);
	if (q == c->len)
		return compile_error(c, ts, "unclosed tag", (struct str){0});
	te = q + c->ctag.len;
	name = str_trim((struct str){c->src + p,
	    q - p - (kind == '{' || kind == '=')});
	if (kind != '!' && kind != '=' && (!name.len || has_space(name)))
		return compile_error(c, ts, "invalid tag name",
		    name.len ? name : STR_LIT("?"));
	if (kind == '=' && !set_delimiters(c, name))
		return compile_error(c, ts, "invalid delimiters", name);

	if (kind == '\0' || kind == '{' || kind == '&') {
		e = text_add(c, *text_start, ts);
		if (e)
			return e;
		n = node_add(c, NODE_VAR, name);
		if (!n)
			return ERR_NOMEM;
		n->raw = kind != '\0';
		*text_start = te;
		return ERR_OK;
	}
	alone = standalone(c, *text_start, ts, te, &ls, &next);
	if (!alone) {
		ls = ts;
		next = te;
	}
	e = text_add(c, *text_start, ls);
	if (e)
		return e;
	*text_start = next;
	switch (kind) {
	case '#':
	case '^':
		return open_section(c, ts, te, kind, name);
	case '/':
		return close_section(c, ts, name);
	case '>':
		n = node_add(c, NODE_PARTIAL, name);
		if (!n)
			return ERR_NOMEM;
		n->standalone = alone;
		n->indent = (struct str){c->src + ls, ts - ls};
		return ERR_OK;
	default:
		return ERR_OK;
	}
}

/*
 * Compiles c->src into c->t->nodes. The caller frees the nodes on error.
 */
static enum err
compile(struct compiler *c)
{
	size_t pos = 0, text_start = 0, ts;
	enum err e;

	for (;;) {
		ts = find(c->src, c->len, pos, c->otag);
		if (ts == c->len)
			break;
		e = compile_tag(c, ts, &text_start);
		if (e)
			return e;
		pos = text_start;
	}
	if (c->nopen) {
		struct node *n = &c->t->nodes[c->open[c->nopen - 1]];

		return compile_error(c, n->at, "unclosed section", n->s);
	}
	return text_add(c, text_start, c->len);
}

/* Compiles `len` bytes of `src` (kept, not copied) into `t`. */
static enum err
tpl_compile(struct tpl *t, const char *src, size_t len, struct str otag,
    struct str ctag, char *errbuf, size_t errlen)
{
	struct compiler c;
	enum err e;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.src = src;
	c.len = len;
	c.otag = otag;
	c.ctag = ctag;
	c.errbuf = errbuf;
	c.errlen = errlen;
	e = compile(&c);
	if (e)
		nodes_free(t);
	return e;
}

static void
tpl_free(struct tpl *t)
{
	if (!t)
		return;
	nodes_free(t);
	free(t->src);
	free(t->name);
	free(t);
}

/* The template called `name`, by binary search, or NULL. */
static const struct tpl *
set_find(const struct tpl_set *set, struct str name)
{
	size_t lo = 0, hi = set->n, mid, tlen;
	const struct tpl *t;
	int cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		t = set->t[mid];
		tlen = strlen(t->name);
		cmp = memcmp(t->name, name.p,
		    tlen < name.len ? tlen : name.len);
		if (cmp == 0)
			cmp = tlen < name.len ? -1 : tlen > name.len;
		if (cmp == 0)
			return t;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Rendering. */

static bool
is_falsy(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v) ||
	    (json_is_array(v) && json_array_size(v) == 0);
}

static const json_t *
trusted_html(const json_t *v)
{
	const json_t *h;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return NULL;
	h = json_object_get(v, TRUSTED_KEY);
	return json_is_string(h) ? h : NULL;
}

/*
 * Spec lookup: "." is the top of the stack; the first part of a dotted
 * name is looked up from the top of the stack down, the other parts only
 * inside what the first part found.
 */
static json_t *
lookup(const struct render *r, struct str name)
{
	const char *p = name.p, *end = name.p + name.len, *dot;
	json_t *v = NULL;
	size_t i, seg;

	if (str_eq_c(name, "."))
		return r->nctx ? r->ctx[r->nctx - 1] : NULL;
	dot = memchr(p, '.', name.len);
	seg = dot ? (size_t)(dot - p) : name.len;
	for (i = r->nctx; i-- > 0 && !v;)
		if (json_is_object(r->ctx[i]))
			v = json_object_getn(r->ctx[i], p, seg);
	while (v && dot) {
		p = dot + 1;
		dot = memchr(p, '.', (size_t)(end - p));
		seg = dot ? (size_t)(dot - p) : (size_t)(end - p);
		v = json_is_object(v) ? json_object_getn(v, p, seg) : NULL;
	}
	return v;
}

static void
emit_indent(struct render *r)
{
	if (r->bol && r->indent.len)
		buf_add(r->out, r->indent.p, r->indent.len);
	r->bol = false;
}

/* Template text: inside a standalone partial each non-empty line is
 * indented like the partial's tag. */
static void
emit_text(struct render *r, const char *p, size_t len)
{
	const char *nl;
	size_t n;

	if (!r->indent.len) {
		buf_add(r->out, p, len);
		return;
	}
	while (len) {
		if (*p != '\n' && *p != '\r')
			emit_indent(r);
		nl = memchr(p, '\n', len);
		n = nl ? (size_t)(nl - p) + 1 : len;
		buf_add(r->out, p, n);
		r->bol = nl != NULL;
		p += n;
		len -= n;
	}
}

/* The shortest "%g" form that reads back as the same double. */
static void
emit_real(struct buf *out, double d)
{
	char tmp[40];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
	buf_adds(out, tmp);
}

static void
emit_value(struct render *r, const json_t *v, bool raw)
{
	const json_t *h;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (raw && !r->o->strict)
			buf_add(r->out, json_string_value(v),
			    json_string_length(v));
		else
			buf_add_html(r->out, json_string_value(v),
			    json_string_length(v));
		break;
	case JSON_INTEGER:
		buf_printf(r->out, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		emit_real(r->out, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_adds(r->out, "true");
		break;
	case JSON_FALSE:
		buf_adds(r->out, "false");
		break;
	case JSON_OBJECT:
		h = trusted_html(v);
		if (h)
			buf_add(r->out, json_string_value(h),
			    json_string_length(h));
		break;
	default:
		break;
	}
}

static bool
enter(struct render *r)
{
	if (r->depth == TPL_MAX_DEPTH) {
		r->err = ERR_INVALID;
		return false;
	}
	r->depth++;
	return true;
}

/* Renders children once per list item, or once for another truthy value. */
static void
render_section(struct render *r, const struct tpl *t, size_t from,
    size_t to, json_t *v)
{
	size_t i, n;

	if (json_is_array(v)) {
		n = json_array_size(v);
		for (i = 0; i < n && !r->err && !r->out->failed; i++) {
			r->ctx[r->nctx++] = json_array_get(v, i);
			render_nodes(r, t, from, to);
			r->nctx--;
		}
		return;
	}
	r->ctx[r->nctx++] = v;
	render_nodes(r, t, from, to);
	r->nctx--;
}

/*
 * {{#_}}: the translation replaces the section's text. Identity (English,
 * or no translation) reuses the compiled children; text without tags is
 * emitted as is; anything else is compiled for this render only, which
 * keeps the set immutable and needs no locks.
 */
static void
render_translate(struct render *r, const struct tpl *t, const struct node *n,
    size_t from)
{
	struct tpl frag;
	const char *s;
	size_t len;
	char err[160];

	s = r->o->translate ? r->o->translate(r->o->translate_ud, n->msgid) :
	    NULL;
	if (!s || s == n->msgid || strcmp(s, n->msgid) == 0) {
		render_nodes(r, t, from, n->end);
		return;
	}
	len = strlen(s);
	if (!memmem(s, len, n->otag.p, n->otag.len)) {
		emit_text(r, s, len);
		return;
	}
	memset(&frag, 0, sizeof(frag));
	frag.name = t->name;
	if (tpl_compile(&frag, s, len, n->otag, n->ctag, err, sizeof(err))) {
		log_warn("template \"%s\": bad translation: %s", t->name, err);
		render_nodes(r, t, from, n->end);
		return;
	}
	render_nodes(r, &frag, 0, frag.n);
	nodes_free(&frag);
}

static void
render_partial(struct render *r, const struct node *n)
{
	const struct tpl *p = set_find(r->set, n->s);
	struct str saved = r->indent;
	char *ind;

	if (!p)
		return;
	if (r->partials == TPL_MAX_PARTIAL_DEPTH) {
		r->err = ERR_INVALID;
		return;
	}
	if (n->standalone) {
		/* Indentation adds up through nested standalone partials. */
		if (n->indent.len) {
			ind = arena_alloc(r->out->a, saved.len + n->indent.len);
			if (!ind) {
				r->err = ERR_NOMEM;
				return;
			}
			memcpy(ind, saved.p, saved.len);
			memcpy(ind + saved.len, n->indent.p, n->indent.len);
			r->indent = (struct str){ind,
			    saved.len + n->indent.len};
		}
		r->bol = true;
	} else {
		/* An inline partial sits inside one line of its parent. */
		emit_indent(r);
		r->indent = (struct str){"", 0};
	}
	r->partials++;
	render_nodes(r, p, 0, p->n);
	r->partials--;
	r->indent = saved;
	r->bol = n->standalone;
}

static void
render_nodes(struct render *r, const struct tpl *t, size_t from, size_t to)
{
	const struct node *n;
	json_t *v;
	size_t i = from;

	while (i < to && !r->err && !r->out->failed) {
		n = &t->nodes[i];
		switch (n->type) {
		case NODE_TEXT:
			emit_text(r, n->s.p, n->s.len);
			i++;
			continue;
		case NODE_VAR:
			emit_indent(r);
			v = lookup(r, n->s);
			if (v)
				emit_value(r, v, n->raw);
			i++;
			continue;
		case NODE_PARTIAL:
			if (enter(r)) {
				render_partial(r, n);
				r->depth--;
			}
			i++;
			continue;
		case NODE_SECTION:
		case NODE_INVERTED:
		case NODE_TRANSLATE:
			break;
		}
		if (!enter(r))
			return;
		if (n->type == NODE_TRANSLATE) {
			render_translate(r, t, n, i + 1);
		} else {
			v = lookup(r, n->s);
			if (n->type == NODE_INVERTED && is_falsy(v))
				render_nodes(r, t, i + 1, n->end);
			else if (n->type == NODE_SECTION && !is_falsy(v))
				render_section(r, t, i + 1, n->end, v);
		}
		r->depth--;
		i = n->end;
	}
}

/* The set. */

struct tpl_set *
tpl_set_new(void)
{
	return calloc(1, sizeof(struct tpl_set));
}

void
tpl_set_free(struct tpl_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		tpl_free(set->t[i]);
	free(set->t);
	free(set);
}

enum err
tpl_set_add(struct tpl_set *set, const char *name, const char *src,
    size_t len, char *errbuf, size_t errlen)
{
	struct tpl *t, **grown;
	size_t pos, cap;
	enum err e = ERR_NOMEM;

	if (errlen)
		errbuf[0] = '\0';
	if (!*name || set_find(set, str_c(name))) {
		if (errlen)
			snprintf(errbuf, errlen, "%s: %s", name,
			    *name ? "template already exists" :
			    "empty template name");
		return *name ? ERR_EXISTS : ERR_INVALID;
	}
	if (len > TPL_MAX_SOURCE) {
		if (errlen)
			snprintf(errbuf, errlen, "%s: template too large",
			    name);
		return ERR_TOO_LARGE;
	}
	if (set->n == set->cap) {
		cap = set->cap ? set->cap * 2 : 16;
		grown = realloc(set->t, cap * sizeof(*grown));
		if (!grown)
			return ERR_NOMEM;
		set->t = grown;
		set->cap = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_NOMEM;
	t->name = strdup(name);
	t->src = malloc(len + 1);
	if (!t->name || !t->src)
		goto fail;
	memcpy(t->src, src, len);
	t->src[len] = '\0';
	e = tpl_compile(t, t->src, len, STR_LIT("{{"), STR_LIT("}}"), errbuf,
	    errlen);
	if (e)
		goto fail;
	for (pos = set->n; pos > 0 && strcmp(set->t[pos - 1]->name, name) > 0;
	    pos--)
		set->t[pos] = set->t[pos - 1];
	set->t[pos] = t;
	set->n++;
	return ERR_OK;
fail:
	tpl_free(t);
	return e;
}

enum err
tpl_set_load_embedded(struct tpl_set *set, char *errbuf, size_t errlen)
{
	static const char prefix[] = "templates/", suffix[] = ".html";
	const struct embedded_file *f;
	size_t i, count, nlen, plen = sizeof(prefix) - 1;
	size_t slen = sizeof(suffix) - 1;
	char name[256];
	enum err e;

	f = embed_all(&count);
	for (i = 0; i < count; i++) {
		nlen = strlen(f[i].name);
		if (nlen <= plen + slen ||
		    strncmp(f[i].name, prefix, plen) != 0 ||
		    strcmp(f[i].name + nlen - slen, suffix) != 0)
			continue;
		if (nlen - plen - slen >= sizeof(name)) {
			if (errlen)
				snprintf(errbuf, errlen, "%s: name too long",
				    f[i].name);
			return ERR_INVALID;
		}
		memcpy(name, f[i].name + plen, nlen - plen - slen);
		name[nlen - plen - slen] = '\0';
		e = tpl_set_add(set, name, (const char *)f[i].data, f[i].len,
		    errbuf, errlen);
		if (e)
			return e;
	}
	return ERR_OK;
}

bool
tpl_set_has(const struct tpl_set *set, const char *name)
{
	return set_find(set, str_c(name)) != NULL;
}

enum err
tpl_render(const struct tpl_set *set, const char *name, json_t *ctx,
    const struct tpl_options *o, struct buf *out)
{
	const struct tpl *t = set_find(set, str_c(name));
	struct render *r;
	enum err e;

	if (!t)
		return ERR_NOT_FOUND;
	/* The context stack is too big for a small thread stack. */
	r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->set = set;
	r->o = o ? o : &default_options;
	r->out = out;
	r->indent = (struct str){"", 0};
	r->bol = true;
	if (ctx)
		r->ctx[r->nctx++] = ctx;
	render_nodes(r, t, 0, t->n);
	e = r->err;
	if (!e && out->failed)
		e = arena_failed(out->a) ? ERR_NOMEM : ERR_TOO_LARGE;
	free(r);
	return e;
}

json_t *
tpl_trusted_html(const char *html)
{
	return json_pack("{s:s}", TRUSTED_KEY, html);
}

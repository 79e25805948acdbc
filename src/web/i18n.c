/*
 * gettext .po catalogues (see i18n.h). Each catalogue keeps its strings in
 * its own arena and its entries in an array sorted by msgid for bsearch;
 * the plural rule is compiled into a small, size-capped expression tree.
 * libintl is not used: it picks the language from the process or thread
 * locale, which does not fit one language per request.
 */
#include "web/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/embed.h"
#include "core/str.h"
#include "core/banned.h"

#define PLURAL_MAX_NODES 128
#define PLURAL_MAX_DEPTH 32
#define LANG_MAX 15
#define ACCEPT_MAX_ITEMS 32

enum pop {
	P_N, P_NUM, P_NOT, P_OR, P_AND, P_EQ, P_NE, P_LT, P_LE, P_GT, P_GE,
	P_ADD, P_SUB, P_MUL, P_DIV, P_MOD, P_COND
};

struct pnode {
	enum pop op;
	unsigned long v;	/* P_NUM */
	int a, b, c;		/* operands, indexes into the node array */
};

struct msg {
	const char *key;	/* msgid, or msgctxt "\004" msgid */
	const char **str;	/* msgstr, or msgstr[0 .. nstr) */
	size_t nstr;
	bool plural;
	size_t line;
};

struct catalog {
	char lang[LANG_MAX + 1];
	struct arena *a;
	struct msg *msgs;	/* sorted by key */
	size_t n;
	unsigned nplurals;
	struct pnode plural[PLURAL_MAX_NODES];
	int root;
};

struct i18n {
	struct catalog **c;
	size_t n;
};

/* Plural expressions. */

struct pparser {
	const char *p;
	const char *end;
	struct catalog *cat;
	int n;
	int depth;
	bool bad;
};

static int pexpr(struct pparser *pp);

static void
pskip(struct pparser *pp)
{
	while (pp->p < pp->end && (*pp->p == ' ' || *pp->p == '\t'))
		pp->p++;
}

/* Consumes `tok` (after blanks) when it is next; "<" never eats "<=". */
static bool
paccept(struct pparser *pp, const char *tok)
{
	size_t len = strlen(tok);

	pskip(pp);
	if ((size_t)(pp->end - pp->p) < len || memcmp(pp->p, tok, len) != 0)
		return false;
	if (len == 1 && strchr("<>!=", *tok) && pp->p + 1 < pp->end &&
	    pp->p[1] == '=')
		return false;
	pp->p += len;
	return true;
}

static int
pnode_new(struct pparser *pp, enum pop op, int a, int b, int c)
{
	struct pnode *n;

	if (pp->bad || a < 0 || b < 0 || c < 0 ||
	    pp->n == PLURAL_MAX_NODES) {
		pp->bad = true;
		return -1;
	}
	n = &pp->cat->plural[pp->n];
	n->op = op;
	n->v = 0;
	n->a = a;
	n->b = b;
	n->c = c;
	return pp->n++;
}

static int
pprimary(struct pparser *pp)
{
	unsigned long v = 0;
	int i;

	pskip(pp);
	if (paccept(pp, "!")) {
		if (++pp->depth > PLURAL_MAX_DEPTH) {
			pp->bad = true;
			return -1;
		}
		i = pprimary(pp);
		pp->depth--;
		return pnode_new(pp, P_NOT, i, 0, 0);
	}
	if (paccept(pp, "(")) {
		i = pexpr(pp);
		if (!paccept(pp, ")"))
			pp->bad = true;
		return i;
	}
	if (pp->p < pp->end && *pp->p == 'n') {
		pp->p++;
		return pnode_new(pp, P_N, 0, 0, 0);
	}
	if (pp->p == pp->end || *pp->p < '0' || *pp->p > '9') {
		pp->bad = true;
		return -1;
	}
	while (pp->p < pp->end && *pp->p >= '0' && *pp->p <= '9') {
		if (v > 100000000)
			pp->bad = true;
		v = v * 10 + (unsigned long)(*pp->p++ - '0');
	}
	i = pnode_new(pp, P_NUM, 0, 0, 0);
	if (i >= 0)
		pp->cat->plural[i].v = v;
	return i;
}

/* One level of left-associative binary operators, lowest level first. */
static const struct {
	const char *tok;
	enum pop op;
} plevels[][4] = {
	{{"||", P_OR}},
	{{"&&", P_AND}},
	{{"==", P_EQ}, {"!=", P_NE}},
	{{"<=", P_LE}, {">=", P_GE}, {"<", P_LT}, {">", P_GT}},
	{{"+", P_ADD}, {"-", P_SUB}},
	{{"*", P_MUL}, {"/", P_DIV}, {"%", P_MOD}},
};

#define PLEVELS (sizeof(plevels) / sizeof(plevels[0]))

static int
pbinary(struct pparser *pp, size_t level)
{
	int left, right;
	size_t k;
	bool found;

	if (level == PLEVELS)
		return pprimary(pp);
	left = pbinary(pp, level + 1);
	do {
		found = false;
		for (k = 0; k < 4 && plevels[level][k].tok && !pp->bad; k++) {
			if (!paccept(pp, plevels[level][k].tok))
				continue;
			right = pbinary(pp, level + 1);
			left = pnode_new(pp, plevels[level][k].op, left,
			    right, 0);
			found = true;
			break;
		}
	} while (found && !pp->bad);
	return left;
}

static int
pexpr(struct pparser *pp)
{
	int cond, yes, no;

	if (++pp->depth > PLURAL_MAX_DEPTH) {
		pp->bad = true;
		return -1;
	}
	cond = pbinary(pp, 0);
	if (paccept(pp, "?")) {
		yes = pexpr(pp);
		if (!paccept(pp, ":"))
			pp->bad = true;
		no = pexpr(pp);
		cond = pnode_new(pp, P_COND, cond, yes, no);
	}
	pp->depth--;
	return cond;
}

/*
 * Evaluation: C semantics on unsigned long, as in GNU gettext, except
 * that division by zero gives 0. The tree has at most PLURAL_MAX_NODES
 * nodes, which bounds the recursion.
 */
static unsigned long
peval(const struct pnode *t, int i, unsigned long n)
{
	const struct pnode *x = &t[i];
	unsigned long a, b;

	switch (x->op) {
	case P_N:
		return n;
	case P_NUM:
		return x->v;
	case P_NOT:
		return !peval(t, x->a, n);
	case P_OR:
		return peval(t, x->a, n) || peval(t, x->b, n);
	case P_AND:
		return peval(t, x->a, n) && peval(t, x->b, n);
	case P_COND:
		return peval(t, x->a, n) ? peval(t, x->b, n) :
		    peval(t, x->c, n);
	default:
		break;
	}
	a = peval(t, x->a, n);
	b = peval(t, x->b, n);
	switch (x->op) {
	case P_EQ: return a == b;
	case P_NE: return a != b;
	case P_LT: return a < b;
	case P_LE: return a <= b;
	case P_GT: return a > b;
	case P_GE: return a >= b;
	case P_ADD: return a + b;
	case P_SUB: return a - b;
	case P_MUL: return a * b;
	case P_DIV: return b ? a / b : 0;
	case P_MOD: return b ? a % b : 0;
	default: return 0;
	}
}

/* Compiles "nplurals=N; plural=EXPR;" into the catalogue. */
static bool
plural_forms(struct catalog *cat, const char *p, const char *end)
{
	struct pparser pp = {0};
	int64_t np;
	const char *q;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 9 || memcmp(p, "nplurals=", 9) != 0)
		return false;
	p += 9;
	for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
		;
	if (!str_to_i64((struct str){p, (size_t)(q - p)}, 1,
	    I18N_MAX_PLURALS, &np))
		return false;
	p = q;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != ';')
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) < 7 || memcmp(p, "plural=", 7) != 0)
		return false;
	pp.p = p + 7;
	pp.end = end;
	pp.cat = cat;
	cat->root = pexpr(&pp);
	pskip(&pp);
	if (pp.p < pp.end && *pp.p == ';')
		pp.p++;
	pskip(&pp);
	if (pp.bad || cat->root < 0 || pp.p != pp.end)
		return false;
	cat->nplurals = (unsigned)np;
	return true;
}

static void
plural_default(struct catalog *cat)
{
	static const char rule[] = "nplurals=2; plural=(n != 1);";

	plural_forms(cat, rule, rule + sizeof(rule) - 1);
}

static unsigned long
plural_index(const struct catalog *cat, unsigned long n)
{
	unsigned long i = peval(cat->plural, cat->root, n);

	return i < cat->nplurals ? i : 0;
}

/* Reading .po files. */

enum field { F_NONE, F_CTXT, F_ID, F_PLURAL, F_STR };

struct po {
	struct catalog *cat;
	const char *p;
	const char *end;
	size_t line;
	char *errbuf;
	size_t errlen;
	size_t cap;		/* of cat->msgs */
	/* The entry being read. */
	struct buf ctxt, id, id_plural, str[I18N_MAX_PLURALS];
	struct buf key;		/* scratch for msgctxt "\004" msgid */
	bool has_ctxt, has_id, has_plural;
	size_t nstr;		/* msgstr strings seen */
	bool fuzzy;
	bool header_seen;
	size_t entry_line;
	struct buf *last;	/* where a continuation line goes */
};

static enum err
po_error(struct po *po, const char *msg)
{
	if (po->errlen)
		snprintf(po->errbuf, po->errlen, "po/%s.po:%zu: %s",
		    po->cat->lang, po->line, msg);
	return ERR_INVALID;
}

static void
entry_reset(struct po *po)
{
	size_t i;

	buf_reset(&po->ctxt);
	buf_reset(&po->id);
	buf_reset(&po->id_plural);
	for (i = 0; i < I18N_MAX_PLURALS; i++)
		buf_reset(&po->str[i]);
	po->has_ctxt = false;
	po->has_id = false;
	po->has_plural = false;
	po->nstr = 0;
	po->fuzzy = false;
	po->last = NULL;
}

/* The header entry: only Plural-Forms matters here. */
static enum err
header(struct po *po)
{
	const char *p = po->str[0].p, *end = p + po->str[0].len, *eol;
	static const char key[] = "Plural-Forms:";

	po->header_seen = true;
	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) < sizeof(key) - 1 ||
		    strncasecmp(p, key, sizeof(key) - 1) != 0)
			continue;
		if (!plural_forms(po->cat, p + sizeof(key) - 1, eol)) {
			po->line = po->entry_line;
			return po_error(po, "invalid Plural-Forms in header");
		}
		return ERR_OK;
	}
	return ERR_OK;
}

static char *
cat_dup(struct po *po, const struct buf *b)
{
	return arena_strndup(po->cat->a, b->p, b->len);
}

/* Stores the finished entry unless it is fuzzy or untranslated. */
static enum err
entry_end(struct po *po)
{
	struct catalog *cat = po->cat;
	struct msg *m;
	size_t i, cap;

	if (!po->has_id && !po->has_ctxt)
		return ERR_OK;
	if (!po->nstr)
		return po_error(po, "entry has no msgstr");
	if (!po->has_ctxt && !po->id.len) {
		if (po->header_seen)
			return po_error(po, "duplicate header entry");
		return header(po);
	}
	if (po->fuzzy || !po->str[0].len)
		return ERR_OK;
	if (cat->n == po->cap) {
		cap = po->cap ? po->cap * 2 : 64;
		m = realloc(cat->msgs, cap * sizeof(*m));
		if (!m)
			return ERR_NOMEM;
		cat->msgs = m;
		po->cap = cap;
	}
	m = &cat->msgs[cat->n];
	buf_reset(&po->key);
	if (po->has_ctxt) {
		buf_add(&po->key, po->ctxt.p, po->ctxt.len);
		buf_addc(&po->key, '\004');
	}
	buf_add(&po->key, po->id.p, po->id.len);
	m->key = cat_dup(po, &po->key);
	m->nstr = po->nstr;
	m->plural = po->has_plural;
	m->line = po->entry_line;
	m->str = arena_calloc(cat->a, po->nstr, sizeof(*m->str));
	if (!m->key || !m->str || po->key.failed)
		return ERR_NOMEM;
	for (i = 0; i < po->nstr; i++) {
		m->str[i] = cat_dup(po, &po->str[i]);
		if (!m->str[i])
			return ERR_NOMEM;
	}
	cat->n++;
	return ERR_OK;
}

/* Appends the quoted string at po->p (escapes decoded) to `b`. */
static enum err
read_string(struct po *po, const char *eol, struct buf *b)
{
	const char *p = po->p;
	char c;

	if (p == eol || *p != '"')
		return po_error(po, "expected a quoted string");
	for (p++; p < eol && *p != '"'; p++) {
		c = *p;
		if (c == '\\') {
			if (++p == eol)
				break;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'v': c = '\v'; break;
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			default:
				return po_error(po, "unknown escape sequence");
			}
		}
		buf_addc(b, c);
	}
	if (p == eol)
		return po_error(po, "unterminated string");
	for (p++; p < eol && (*p == ' ' || *p == '\t' || *p == '\r'); p++)
		;
	if (p != eol)
		return po_error(po, "text after the closing quote");
	if (b->failed)
		return ERR_NOMEM;
	po->last = b;
	return ERR_OK;
}

/* "#, fuzzy, c-format": flags apply to the entry that follows. */
static enum err
comment(struct po *po, const char *eol)
{
	struct str flags, f;
	const char *p, *comma;
	enum err e;

	if ((po->has_id || po->has_ctxt) && !po->nstr)
		return po_error(po, "comment inside an entry");
	if (po->nstr) {
		e = entry_end(po);
		if (e)
			return e;
		entry_reset(po);
	}
	if (eol - po->p < 2 || po->p[1] != ',')
		return ERR_OK;
	flags = (struct str){po->p + 2, (size_t)(eol - po->p - 2)};
	for (p = flags.p; p < flags.p + flags.len; p = comma + 1) {
		comma = memchr(p, ',', (size_t)(flags.p + flags.len - p));
		if (!comma)
			comma = flags.p + flags.len;
		f = str_trim((struct str){p, (size_t)(comma - p)});
		if (str_eq_c(f, "fuzzy"))
			po->fuzzy = true;
	}
	return ERR_OK;
}

/* One "keyword "string"" line. */
static enum err
keyword(struct po *po, const char *eol)
{
	const char *p = po->p;
	struct str kw;
	size_t idx;
	enum err e;

	while (p < eol && ((*p >= 'a' && *p <= 'z') || *p == '_'))
		p++;
	kw = (struct str){po->p, (size_t)(p - po->p)};
	if (str_eq_c(kw, "msgctxt") || str_eq_c(kw, "msgid")) {
		if (po->nstr) {
			e = entry_end(po);
			if (e)
				return e;
			entry_reset(po);
		}
		if (po->has_id || (po->has_ctxt && kw.len == 7))
			return po_error(po, "msgid or msgctxt out of order");
		if (!po->has_ctxt)
			po->entry_line = po->line;
	}
	po->p = p;
	while (po->p < eol && (*po->p == ' ' || *po->p == '\t'))
		po->p++;
	if (str_eq_c(kw, "msgctxt")) {
		po->has_ctxt = true;
		return read_string(po, eol, &po->ctxt);
	}
	if (str_eq_c(kw, "msgid")) {
		po->has_id = true;
		return read_string(po, eol, &po->id);
	}
	if (str_eq_c(kw, "msgid_plural")) {
		if (!po->has_id || po->has_plural || po->nstr)
			return po_error(po, "msgid_plural out of order");
		po->has_plural = true;
		return read_string(po, eol, &po->id_plural);
	}
	if (!str_eq_c(kw, "msgstr"))
		return po_error(po, "unknown keyword");
	if (!po->has_id)
		return po_error(po, "msgstr without msgid");
	if (!po->has_plural) {
		if (p < eol && *p == '[')
			return po_error(po, "msgstr[] without msgid_plural");
		if (po->nstr)
			return po_error(po, "msgstr out of order");
		po->nstr = 1;
		return read_string(po, eol, &po->str[0]);
	}
	/* msgstr[N], in order from 0. */
	if (p == eol || *p != '[')
		return po_error(po, "msgstr without an index after "
		    "msgid_plural");
	for (p++, idx = 0; p < eol && *p >= '0' && *p <= '9' && idx < 100; p++)
		idx = idx * 10 + (size_t)(*p - '0');
	if (p == eol || *p != ']' || idx != po->nstr)
		return po_error(po, "msgstr index out of order");
	if (idx >= I18N_MAX_PLURALS)
		return po_error(po, "too many plural forms");
	po->nstr++;
	for (po->p = p + 1; po->p < eol && (*po->p == ' ' || *po->p == '\t');
	    po->p++)
		;
	return read_string(po, eol, &po->str[idx]);
}

static enum err
po_line(struct po *po, const char *eol)
{
	while (po->p < eol && (*po->p == ' ' || *po->p == '\t' ||
	    *po->p == '\r'))
		po->p++;
	if (po->p == eol)
		return ERR_OK;
	if (*po->p == '#')
		return comment(po, eol);
	if (*po->p == '"') {
		if (!po->last)
			return po_error(po, "string without a keyword");
		return read_string(po, eol, po->last);
	}
	return keyword(po, eol);
}

static int
msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->key,
	    ((const struct msg *)b)->key);
}

/* Sorts the entries and checks what needs all of them (and the header). */
static enum err
po_finish(struct po *po)
{
	struct catalog *cat = po->cat;
	char msg[96];
	size_t i;

	if (cat->n)
		qsort(cat->msgs, cat->n, sizeof(cat->msgs[0]), msg_cmp);
	for (i = 0; i < cat->n; i++) {
		po->line = cat->msgs[i].line;
		if (i && strcmp(cat->msgs[i - 1].key, cat->msgs[i].key) == 0)
			return po_error(po, "duplicate entry");
		if (cat->msgs[i].plural && cat->msgs[i].nstr !=
		    cat->nplurals) {
			snprintf(msg, sizeof(msg), "%zu plural forms where "
			    "the header has nplurals=%u", cat->msgs[i].nstr,
			    cat->nplurals);
			return po_error(po, msg);
		}
	}
	return ERR_OK;
}

static enum err
po_parse(struct po *po)
{
	const char *eol;
	enum err e;
	size_t i;

	while (po->p < po->end) {
		po->line++;
		eol = memchr(po->p, '\n', (size_t)(po->end - po->p));
		if (!eol)
			eol = po->end;
		/* No sequence spans a newline, so lines check alone. */
		if (!utf8_valid(po->p, (size_t)(eol - po->p)))
			return po_error(po, "not valid UTF-8");
		e = po_line(po, eol);
		if (e)
			return e;
		po->p = eol + (eol < po->end);
	}
	if (po->has_id && !po->nstr)
		return po_error(po, "entry has no msgstr");
	e = entry_end(po);
	if (e)
		return e;
	if (arena_failed(po->cat->a) || po->id.failed || po->ctxt.failed ||
	    po->id_plural.failed)
		return ERR_NOMEM;
	for (i = 0; i < I18N_MAX_PLURALS; i++)
		if (po->str[i].failed)
			return ERR_NOMEM;
	return po_finish(po);
}

/* Catalogues. */

static void
catalog_free(struct catalog *cat)
{
	if (!cat)
		return;
	arena_free(cat->a);
	free(cat->msgs);
	free(cat);
}

/* Language names compare ignoring case, with '-' and '_' the same. */
static bool
lang_eq(const char *a, size_t alen, const char *b)
{
	size_t i;
	char x, y;

	for (i = 0; i < alen && b[i]; i++) {
		x = a[i] == '_' ? '-' : a[i];
		y = b[i] == '_' ? '-' : b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return i == alen && !b[i];
}

static const struct catalog *
catalog_find(const struct i18n *t, const char *lang, size_t len)
{
	size_t i;

	if (!t)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (lang_eq(lang, len, t->c[i]->lang))
			return t->c[i];
	return NULL;
}

static bool
lang_valid(const char *lang)
{
	size_t i;

	for (i = 0; lang[i]; i++) {
		if (i == LANG_MAX)
			return false;
		if (!((lang[i] >= 'a' && lang[i] <= 'z') ||
		    (lang[i] >= 'A' && lang[i] <= 'Z') ||
		    (lang[i] >= '0' && lang[i] <= '9') ||
		    lang[i] == '_' || lang[i] == '-'))
			return false;
	}
	return i > 0;
}

struct i18n *
i18n_new(void)
{
	return calloc(1, sizeof(struct i18n));
}

void
i18n_free(struct i18n *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		catalog_free(t->c[i]);
	free(t->c);
	free(t);
}

enum err
i18n_add_po(struct i18n *t, const char *lang, const char *src, size_t len,
    char *errbuf, size_t errlen)
{
	struct catalog *cat, **grown;
	struct arena *scratch = NULL;
	struct po po;
	enum err e = ERR_NOMEM;
	size_t i;

	if (errlen)
		errbuf[0] = '\0';
	if (!lang_valid(lang)) {
		if (errlen)
			snprintf(errbuf, errlen, "invalid language name");
		return ERR_INVALID;
	}
	if (catalog_find(t, lang, strlen(lang))) {
		if (errlen)
			snprintf(errbuf, errlen, "po/%s.po: language "
			    "already loaded", lang);
		return ERR_EXISTS;
	}
	if (len > I18N_MAX_PO) {
		if (errlen)
			snprintf(errbuf, errlen, "po/%s.po: file too large",
			    lang);
		return ERR_TOO_LARGE;
	}
	cat = calloc(1, sizeof(*cat));
	if (!cat)
		return ERR_NOMEM;
	memcpy(cat->lang, lang, strlen(lang) + 1);
	/*
	 * Decoded strings are never longer than the file; the factors leave
	 * room for alignment and for the buffers' doubling.
	 */
	cat->a = arena_new(4 * len + (1u << 16));
	scratch = arena_new(6 * len + (1u << 16));
	if (!cat->a || !scratch)
		goto out;
	plural_default(cat);
	memset(&po, 0, sizeof(po));
	po.cat = cat;
	po.p = src;
	po.end = src + len;
	po.errbuf = errbuf;
	po.errlen = errlen;
	buf_init(&po.ctxt, scratch, len);
	buf_init(&po.id, scratch, len);
	buf_init(&po.id_plural, scratch, len);
	buf_init(&po.key, scratch, 2 * len + 1);
	for (i = 0; i < I18N_MAX_PLURALS; i++)
		buf_init(&po.str[i], scratch, len);
	e = po_parse(&po);
	if (e)
		goto out;
	grown = realloc(t->c, (t->n + 1) * sizeof(*grown));
	if (!grown) {
		e = ERR_NOMEM;
		goto out;
	}
	t->c = grown;
	t->c[t->n++] = cat;
	cat = NULL;
out:
	arena_free(scratch);
	catalog_free(cat);
	return e;
}

enum err
i18n_load_embedded(struct i18n **out, char *errbuf, size_t errlen)
{
	const struct embedded_file *f;
	struct i18n *t = i18n_new();
	char lang[LANG_MAX + 1];
	size_t i, count, n;
	enum err e;

	if (!t)
		return ERR_NOMEM;
	f = embed_all(&count);
	for (i = 0; i < count; i++) {
		n = strlen(f[i].name);
		if (n < 7 || strncmp(f[i].name, "po/", 3) != 0 ||
		    strcmp(f[i].name + n - 3, ".po") != 0)
			continue;
		n -= 6;
		if (n > LANG_MAX)
			n = LANG_MAX + 1;
		if (n <= LANG_MAX) {
			memcpy(lang, f[i].name + 3, n);
			lang[n] = '\0';
		}
		if (n > LANG_MAX || !lang_valid(lang)) {
			if (errlen)
				snprintf(errbuf, errlen, "%s: invalid "
				    "language name", f[i].name);
			i18n_free(t);
			return ERR_INVALID;
		}
		e = i18n_add_po(t, lang, (const char *)f[i].data, f[i].len,
		    errbuf, errlen);
		if (e) {
			i18n_free(t);
			return e;
		}
	}
	*out = t;
	return ERR_OK;
}

static const struct msg *
msg_find(const struct i18n *t, const char *lang, const char *msgid)
{
	const struct catalog *cat;
	struct msg key;

	if (!lang || !msgid)
		return NULL;
	cat = catalog_find(t, lang, strlen(lang));
	if (!cat || !cat->n)
		return NULL;
	key.key = msgid;
	return bsearch(&key, cat->msgs, cat->n, sizeof(cat->msgs[0]),
	    msg_cmp);
}

const char *
i18n_get(const struct i18n *t, const char *lang, const char *msgid)
{
	const struct msg *m = msg_find(t, lang, msgid);

	return m ? m->str[0] : msgid;
}

const char *
i18n_nget(const struct i18n *t, const char *lang, const char *msgid,
    const char *msgid_plural, unsigned long n)
{
	const struct msg *m = msg_find(t, lang, msgid);
	const struct catalog *cat;
	unsigned long i;

	if (m && m->plural) {
		cat = catalog_find(t, lang, strlen(lang));
		i = plural_index(cat, n);
		if (i < m->nstr && m->str[i][0])
			return m->str[i];
	}
	return n == 1 ? msgid : msgid_plural;
}

bool
i18n_has(const struct i18n *t, const char *lang, const char *msgid)
{
	return msg_find(t, lang, msgid) != NULL;
}

/* "en" or any "en-XX" is the source language. */
static bool
is_english(const char *lang, size_t len)
{
	return len >= 2 && (lang[0] | 0x20) == 'e' && (lang[1] | 0x20) == 'n'
	    && (len == 2 || lang[2] == '-' || lang[2] == '_');
}

/* The supported language for a tag: exact, else its primary subtag. */
static const char *
lang_match(const struct i18n *t, const char *tag, size_t len)
{
	const struct catalog *cat = catalog_find(t, tag, len);
	size_t i;

	if (cat)
		return cat->lang;
	if (is_english(tag, len))
		return "en";
	for (i = 0; i < len && tag[i] != '-' && tag[i] != '_'; i++)
		;
	if (i == len)
		return NULL;
	cat = catalog_find(t, tag, i);
	return cat ? cat->lang : NULL;
}

bool
i18n_supported(const struct i18n *t, const char *lang)
{
	size_t len = lang ? strlen(lang) : 0;

	return len && ((len == 2 && is_english(lang, len)) ||
	    catalog_find(t, lang, len));
}

/* Parses a q-value ("1", "0.8", "1.000") into thousandths; -1 if bad. */
static int
parse_q(struct str s)
{
	size_t i;
	int q, scale = 100;

	if (!s.len || (s.p[0] != '0' && s.p[0] != '1'))
		return -1;
	q = (s.p[0] - '0') * 1000;
	if (s.len == 1)
		return q;
	if (s.p[1] != '.' || s.len > 5)
		return -1;
	for (i = 2; i < s.len; i++, scale /= 10) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		q += (s.p[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

struct accept_item {
	struct str tag;
	int q;
};

/* Splits an Accept-Language value into at most ACCEPT_MAX_ITEMS tags. */
static size_t
accept_parse(const char *s, struct accept_item *items)
{
	const char *p = s, *end = s + strlen(s), *comma, *semi;
	struct str item, tag, param;
	size_t n = 0;
	int q;

	for (; p < end && n < ACCEPT_MAX_ITEMS; p = comma + 1) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		item = (struct str){p, (size_t)(comma - p)};
		semi = memchr(item.p, ';', item.len);
		tag = str_trim((struct str){item.p, semi ?
		    (size_t)(semi - item.p) : item.len});
		q = 1000;
		if (semi) {
			param = str_trim((struct str){semi + 1,
			    (size_t)(comma - semi - 1)});
			if (param.len < 2 || (param.p[0] | 0x20) != 'q' ||
			    param.p[1] != '=')
				continue;
			q = parse_q(str_trim((struct str){param.p + 2,
			    param.len - 2}));
		}
		if (q <= 0 || !tag.len || tag.len > 35 || tag.p[0] == '*')
			continue;
		items[n].tag = tag;
		items[n].q = q;
		n++;
	}
	return n;
}

const char *
i18n_negotiate(const struct i18n *t, const char *preferred,
    const char *accept_language)
{
	struct accept_item items[ACCEPT_MAX_ITEMS], tmp;
	const char *lang;
	size_t i, j, n;

	if (preferred && *preferred) {
		lang = lang_match(t, preferred, strlen(preferred));
		if (lang)
			return lang;
	}
	if (!accept_language)
		return "en";
	n = accept_parse(accept_language, items);
	/* Insertion sort keeps the header's order among equal q-values. */
	for (i = 1; i < n; i++) {
		tmp = items[i];
		for (j = i; j > 0 && items[j - 1].q < tmp.q; j--)
			items[j] = items[j - 1];
		items[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		lang = lang_match(t, items[i].tag.p, items[i].tag.len);
		if (lang)
			return lang;
	}
	return "en";
}

const char *
i18n_translate(void *ud, const char *msgid)
{
	const struct i18n_lang *l = ud;

	return i18n_get(l->t, l->lang, msgid);
}

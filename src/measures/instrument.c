/*
 * The instrument library (see instrument.h): embedded instrument files
 * parsed once into a table that lives as long as the process. The
 * table is built under pthread_once(), so the first reader on any
 * thread builds it and every later one only reads.
 */
#include "measures/instrument.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/banned.h"

#define DIR_PREFIX "instruments/"
#define LIB_ARENA_CAP (256u << 20)
#define LANG_MAX 12

struct table {
	struct instrument *p;
	size_t n, cap;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct arena *lib_arena;
static struct table base;	/* English, sorted by id */
static struct table variants;	/* translations */
static enum err load_err = ERR_OK;
static const char *load_why;

/* Splits "dir/phq-9.es.json" into id "phq-9" and lang "es" ("en" when
 * there is none). False for a name that is not an instrument file. */
static bool
split_name(const char *name, char *id, char *lang)
{
	const char *base_name = strrchr(name, '/'), *end, *dot;
	size_t len, i;

	base_name = base_name ? base_name + 1 : name;
	len = strlen(base_name);
	if (len < 6 || strcmp(base_name + len - 5, ".json"))
		return false;
	end = base_name + len - 5;
	dot = memchr(base_name, '.', (size_t)(end - base_name));
	if (!dot)
		dot = end;
	if (dot == base_name || (size_t)(dot - base_name) > INSTRUMENT_ID_MAX)
		return false;
	for (i = 0; base_name + i < dot; i++) {
		char c = base_name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	memcpy(id, base_name, (size_t)(dot - base_name));
	id[dot - base_name] = '\0';
	if (dot == end) {
		memcpy(lang, "en", 3);
		return true;
	}
	len = (size_t)(end - dot - 1);
	if (len < 2 || len > LANG_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = dot[1 + i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-'))
			return false;
	}
	memcpy(lang, dot + 1, len);
	lang[len] = '\0';
	return strcmp(lang, "en") != 0;
}

/* The entry of `t` with `id` and `lang`, or NULL. */
static struct instrument *
find(const struct table *t, const char *id, const char *lang)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->p[i].id, id) && !strcmp(t->p[i].lang, lang))
			return &t->p[i];
	return NULL;
}

static bool
options_same(const struct q_item *x, const struct q_item *y)
{
	size_t i;

	if (x->n_options != y->n_options)
		return false;
	for (i = 0; i < x->n_options; i++) {
		const struct q_option *a = &x->options[i], *b = &y->options[i];

		if (a->kind != b->kind || strcmp(a->code, b->code) ||
		    a->has_value != b->has_value || a->value != b->value)
			return false;
	}
	return true;
}

static bool
str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* What a translation changes that it must not, or NULL. */
static const char *
variant_differs(const struct questionnaire *en, const struct questionnaire *v)
{
	size_t i, j;

	if (!str_same(en->url, v->url) || !str_same(en->version, v->version))
		return "its url or version differs from the English file";
	if (en->n_all != v->n_all)
		return "its items differ from the English file";
	for (i = 0; i < en->n_all; i++) {
		const struct q_item *a = en->all[i], *b = v->all[i];

		if (strcmp(a->link_id, b->link_id) || a->type != b->type ||
		    !str_same(a->code, b->code) ||
		    a->n_enable_when != b->n_enable_when)
			return "its items differ from the English file";
		if (!options_same(a, b))
			return "its answer codes or values differ from the "
			       "English file";
	}
	if (en->n_scores != v->n_scores || en->n_flags != v->n_flags)
		return "its scoring differs from the English file";
	for (i = 0; i < en->n_scores; i++) {
		const struct q_score *a = &en->scores[i], *b = &v->scores[i];

		if (strcmp(a->name, b->name) || a->method != b->method ||
		    a->n_items != b->n_items || a->n_bands != b->n_bands ||
		    a->multiplier != b->multiplier ||
		    a->min_answered != b->min_answered ||
		    a->prorate != b->prorate)
			return "its scoring differs from the English file";
		for (j = 0; j < a->n_items; j++)
			if (a->items[j]->index != b->items[j]->index ||
			    a->reverse[j] != b->reverse[j] ||
			    a->weights[j] != b->weights[j])
				return "its scoring differs from the "
				       "English file";
		for (j = 0; j < a->n_bands; j++)
			if (a->bands[j].min != b->bands[j].min ||
			    a->bands[j].max != b->bands[j].max ||
			    strcmp(a->bands[j].code, b->bands[j].code))
				return "its scoring differs from the "
				       "English file";
	}
	for (i = 0; i < en->n_flags; i++) {
		const struct q_flag *a = &en->flags[i], *b = &v->flags[i];

		if (a->above != b->above || a->urgent != b->urgent ||
		    strcmp(a->code, b->code) ||
		    (a->item ? !b->item || a->item->index != b->item->index
			     : !b->score ||
			       strcmp(a->score->name, b->score->name)))
			return "its flags differ from the English file";
	}
	return NULL;
}

static int
cmp_id(const void *x, const void *y)
{
	const struct instrument *a = x, *b = y;

	return strcmp(a->id, b->id);
}

/* Puts `in` into `t`, replacing an entry with the same id and lang. */
static enum err
table_put(struct table *t, const struct instrument *in)
{
	struct instrument *old = find(t, in->id, in->lang), *grown;

	if (old) {
		*old = *in;
		return ERR_OK;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;

		if (!(grown = arena_calloc(lib_arena, cap, sizeof(*grown))))
			return ERR_NOMEM;
		if (t->n)
			memcpy(grown, t->p, t->n * sizeof(*grown));
		t->p = grown;
		t->cap = cap;
	}
	t->p[t->n++] = *in;
	return ERR_OK;
}

/* FNV-1a of a file from outside the binary, as its cache key. */
static const char *
hash_of(const char *data, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ULL;
	}
	return arena_printf(lib_arena, "%016llx", (unsigned long long)h);
}

/*
 * Parses and files one instrument. `*why` gets a process-lifetime
 * message naming the file on error.
 */
static enum err
add_one(const char *name, const char *data, size_t len, const char *hash,
	const char **why)
{
	char id[INSTRUMENT_ID_MAX + 1], lang[LANG_MAX + 1];
	struct questionnaire *q;
	struct instrument in = {0};
	struct instrument *en;
	const char *msg;
	enum err e;
	size_t i;

	if (!split_name(name, id, lang)) {
		*why = arena_printf(lib_arena, "%s: not named <id>.json or "
					       "<id>.<lang>.json", name);
		return *why ? ERR_INVALID : ERR_NOMEM;
	}
	if ((e = q_parse(lib_arena, data, len, &q, &msg)) != ERR_OK) {
		*why = arena_printf(lib_arena, "%s: %s", name, msg);
		return *why ? e : ERR_NOMEM;
	}
	in.id = arena_strdup(lib_arena, id);
	in.lang = arena_strdup(lib_arena, lang);
	in.file = arena_strdup(lib_arena, name);
	in.hash = hash ? hash : hash_of(data, len);
	in.q = q;
	if (!in.id || !in.lang || !in.file || !in.hash)
		return ERR_NOMEM;
	if (!strcmp(lang, "en")) {
		for (i = 0; q->url && i < base.n; i++)
			if (base.p[i].q->url && strcmp(base.p[i].id, id) &&
			    !strcmp(base.p[i].q->url, q->url)) {
				*why = arena_printf(lib_arena, "%s: instrument "
						    "'%s' has the same url",
						    name, base.p[i].id);
				return *why ? ERR_INVALID : ERR_NOMEM;
			}
		if ((e = table_put(&base, &in)) != ERR_OK)
			return e;
		qsort(base.p, base.n, sizeof(*base.p), cmp_id);
		return ERR_OK;
	}
	if (!(en = find(&base, id, "en")))
		msg = "there is no English file for it";
	else
		msg = variant_differs(en->q, q);
	if (msg) {
		*why = arena_printf(lib_arena, "%s: %s", name, msg);
		return *why ? ERR_INVALID : ERR_NOMEM;
	}
	return table_put(&variants, &in);
}

/* Files one embedded file, logging and remembering the first error. */
static void
load_file(const struct embedded_file *f)
{
	const char *why = NULL;
	enum err e;

	e = add_one(f->name, (const char *)f->data, f->len, f->hash, &why);
	if (e == ERR_OK)
		return;
	log_error("instrument library: %s", why ? why : err_str(e));
	if (load_err == ERR_OK) {
		load_err = e;
		load_why = why ? why : err_str(e);
	}
}

static void
load_all(void)
{
	const struct embedded_file *f;
	size_t count, i, pass;

	if (!(lib_arena = arena_new(LIB_ARENA_CAP))) {
		load_err = ERR_NOMEM;
		load_why = err_str(ERR_NOMEM);
		return;
	}
	f = embed_all(&count);
	/* English files first: each translation is checked against its
	 * English file. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < count; i++) {
			const char *n = f[i].name;
			char id[INSTRUMENT_ID_MAX + 1], lang[LANG_MAX + 1];
			size_t len = strlen(n);
			bool english;

			/* Files in folders below (sources, licences) are
			 * not instruments. */
			if (strncmp(n, DIR_PREFIX, strlen(DIR_PREFIX)) ||
			    strchr(n + strlen(DIR_PREFIX), '/') || len < 5 ||
			    strcmp(n + len - 5, ".json"))
				continue;
			/* A badly named file is reported in the first pass. */
			english = !split_name(n, id, lang) ||
				  !strcmp(lang, "en");
			if (english != (pass == 0))
				continue;
			load_file(&f[i]);
		}
}

enum err
instrument_load(const char **why)
{
	pthread_once(&once, load_all);
	*why = load_why;
	return load_err;
}

/* The variant of English entry `en` for `lang`, else `en`. */
static const struct instrument *
in_lang(const struct instrument *en, const char *lang)
{
	const struct instrument *v;
	char primary[LANG_MAX + 1];
	size_t n;

	if (!en || !lang || !strcmp(lang, "en"))
		return en;
	if ((v = find(&variants, en->id, lang)))
		return v;
	/* "es-MX" falls back to "es". */
	n = strcspn(lang, "-_");
	if (n < strlen(lang) && n <= LANG_MAX) {
		memcpy(primary, lang, n);
		primary[n] = '\0';
		if ((v = find(&variants, en->id, primary)))
			return v;
	}
	return en;
}

const struct instrument *
instrument_get(const char *id, const char *lang)
{
	pthread_once(&once, load_all);
	if (!id)
		return NULL;
	return in_lang(find(&base, id, "en"), lang);
}

const struct instrument *
instrument_by_url(const char *canonical, const char *lang)
{
	const char *bar, *version = NULL;
	size_t len, i;

	pthread_once(&once, load_all);
	if (!canonical)
		return NULL;
	bar = strchr(canonical, '|');
	len = bar ? (size_t)(bar - canonical) : strlen(canonical);
	if (bar)
		version = bar + 1;
	for (i = 0; i < base.n; i++) {
		const struct questionnaire *q = base.p[i].q;

		if (!q->url || strlen(q->url) != len ||
		    strncmp(q->url, canonical, len))
			continue;
		if (version && (!q->version || strcmp(q->version, version)))
			return NULL;
		return in_lang(&base.p[i], lang);
	}
	return NULL;
}

const struct instrument *
instrument_list(size_t *count)
{
	pthread_once(&once, load_all);
	*count = base.n;
	return base.p;
}

const struct instrument *
instrument_match(const struct questionnaire *imported,
		 const struct instrument *list, size_t n)
{
	size_t i;

	if (imported->code)
		for (i = 0; i < n; i++)
			if (list[i].q->code &&
			    !strcmp(list[i].q->code, imported->code))
				return &list[i];
	if (imported->url)
		for (i = 0; i < n; i++)
			if (list[i].q->url &&
			    !strcmp(list[i].q->url, imported->url))
				return &list[i];
	return NULL;
}

enum err
instrument_add(const char *name, const char *json, size_t len,
	       const char **why)
{
	pthread_once(&once, load_all);
	*why = NULL;
	if (!lib_arena) {
		*why = err_str(ERR_NOMEM);
		return ERR_NOMEM;
	}
	return add_one(name, json, len, NULL, why);
}

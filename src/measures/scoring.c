/*
 * Scores, flags and adopted rules (see scoring.h). The steps follow
 * docs/measures.md in its order: item values (reversed where
 * listed), minAnswered, the method, prorating, the multiplier; then the
 * band and the flags.
 */
#include "measures/scoring.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "core/banned.h"

/* Values this close count as equal: answer values are small decimals
 * written by hand, and sums of them pick up binary rounding. */
#define EPSILON 1e-9

/* The lowest and highest value an answer to `it` can have. */
static bool
item_range(const struct q_item *it, double *lo, double *hi)
{
	size_t i;
	bool any = false;

	if (it->type == Q_BOOLEAN) {
		*lo = 0;
		*hi = 1;
		return true;
	}
	for (i = 0; i < it->n_options; i++) {
		const struct q_option *o = &it->options[i];

		if (!o->has_value)
			continue;
		if (!any || o->value < *lo)
			*lo = o->value;
		if (!any || o->value > *hi)
			*hi = o->value;
		any = true;
	}
	if (any)
		return true;
	*lo = it->min;
	*hi = it->max;
	return it->has_min && it->has_max;
}

/* The value of the (first) answer to `it`; false when unanswered or
 * without a number. */
static bool
answer_value(const struct q_answers *ans, const struct q_item *it,
	     double *out)
{
	const struct q_answer *an = q_answers_get(ans, it);

	return an && an->n && q_value_number(&an->values[0], out);
}

static const struct q_band *
band_of(const struct q_score *s, double v)
{
	size_t i;

	for (i = 0; i < s->n_bands; i++)
		if (v >= s->bands[i].min - EPSILON &&
		    v <= s->bands[i].max + EPSILON)
			return &s->bands[i];
	return NULL;
}

/* Why a score with `answered` items answered is not computed. */
static char *
not_computed(struct arena *a, const struct q_score *s, size_t answered)
{
	if (s->n_items == 1)
		return arena_strdup(a, "its item is not answered");
	if (s->min_answered == s->n_items)
		return arena_printf(a, "%zu of %zu items answered; all %zu "
				       "are needed", answered, s->n_items,
				    s->n_items);
	return arena_printf(a, "%zu of %zu items answered; at least %zu %s "
			       "needed", answered, s->n_items,
			    s->min_answered,
			    s->min_answered == 1 ? "is" : "are");
}

static enum err
score_one(struct arena *a, const struct q_score *s,
	  const struct q_answers *ans, struct score_result *r)
{
	double total = 0, v, lo = 0, hi = 0;
	bool all_top = true;
	size_t i;

	r->score = s;
	for (i = 0; i < s->n_items; i++) {
		if (!answer_value(ans, s->items[i], &v))
			continue;
		if (s->reverse[i] && item_range(s->items[i], &lo, &hi))
			v = lo + hi - v;
		if (s->method == Q_TOP_BOX && fabs(v - s->top) > EPSILON)
			all_top = false;
		total += s->method == Q_WEIGHTED ? v * s->weights[i] : v;
		r->answered++;
	}
	if (r->answered < s->min_answered) {
		r->reason = not_computed(a, s, r->answered);
		return r->reason ? ERR_OK : ERR_NOMEM;
	}
	switch (s->method) {
	case Q_MEAN:
		total /= (double)r->answered;
		break;
	case Q_TOP_BOX:
		total = all_top ? 1 : 0;
		break;
	default:
		/* Each missing item counted as the mean of those answered. */
		if (s->prorate && r->answered < s->n_items)
			total = total / (double)r->answered *
				(double)s->n_items;
		break;
	}
	r->value = total * s->multiplier;
	r->computed = true;
	r->band = band_of(s, r->value);
	return ERR_OK;
}

enum err
score_response(struct arena *a, const struct questionnaire *q,
	       const struct q_answers *ans, struct score_report *out)
{
	size_t i, k;
	double v;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (!(out->scores = arena_calloc(a, q->n_scores ? q->n_scores : 1,
					 sizeof(*out->scores))) ||
	    !(out->flags = arena_calloc(a, q->n_flags ? q->n_flags : 1,
					sizeof(*out->flags))))
		return ERR_NOMEM;
	for (i = 0; i < q->n_scores; i++)
		if ((e = score_one(a, &q->scores[i], ans,
				   &out->scores[i])) != ERR_OK)
			return e;
	out->n_scores = q->n_scores;
	for (i = 0; i < q->n_flags; i++) {
		const struct q_flag *f = &q->flags[i];

		if (f->item) {
			if (!answer_value(ans, f->item, &v))
				continue;
		} else {
			k = (size_t)(f->score - q->scores);
			if (!out->scores[k].computed)
				continue;
			v = out->scores[k].value;
		}
		if (v <= f->above + EPSILON)
			continue;
		out->flags[out->n_flags].flag = f;
		out->flags[out->n_flags++].value = v;
		if (f->urgent)
			out->urgent = true;
	}
	return ERR_OK;
}

char *
score_format(char *buf, size_t size, double v)
{
	double r = round(v * 100) / 100;
	size_t len;

	if (r == 0)
		r = 0; /* no "-0" */
	snprintf(buf, size, "%.2f", r);
	len = strlen(buf);
	while (len && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '.')
		buf[--len] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* Adopting the library's rules                                        */

struct adopt {
	struct arena *a;
	struct questionnaire *imp;
	const struct questionnaire *lib;
	const char *why;
	/* For each library item (by index): the imported item it maps to. */
	struct q_item **map;
	/* For each imported item (by index): its new options, or NULL. */
	struct q_option **new_opts;
	size_t *new_n;
	/* Value differences, one entry per answer and pair of values; a
	 * file with more than 64 kinds has bigger problems than a list. */
	struct diff {
		const char *display;
		double file, published;
		size_t items;
	} diffs[64];
	size_t n_diffs;
};

static bool
afail(struct adopt *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool
afail(struct adopt *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	d->why = arena_vprintf(d->a, fmt, ap);
	va_end(ap);
	if (!d->why)
		d->why = err_str(ERR_NOMEM);
	return false;
}

/* A name for the library instrument in messages. */
static const char *
lib_name(const struct questionnaire *lib)
{
	return lib->title ? lib->title : lib->name ? lib->name :
	       lib->url ? lib->url : "the library instrument";
}

/* True when `it` is among the items of the library's scores and flags. */
static bool
in_rules(const struct questionnaire *q, const struct q_item *it)
{
	size_t i, j;

	for (i = 0; i < q->n_scores; i++)
		for (j = 0; j < q->scores[i].n_items; j++)
			if (q->scores[i].items[j] == it)
				return true;
	for (i = 0; i < q->n_flags; i++)
		if (q->flags[i].item == it)
			return true;
	return false;
}

/* The kinds of item in-order matching lines up. */
static bool
matchable(const struct q_item *it)
{
	if (!q_item_is_question(it))
		return false;
	switch (it->type) {
	case Q_CHOICE:
	case Q_OPEN_CHOICE:
		return it->n_options || it->value_set;
	case Q_BOOLEAN:
	case Q_INTEGER:
	case Q_DECIMAL:
		return true;
	default:
		return false;
	}
}

static bool
types_fit(const struct q_item *lib, const struct q_item *imp)
{
	bool lc = lib->type == Q_CHOICE || lib->type == Q_OPEN_CHOICE;
	bool ic = imp->type == Q_CHOICE || imp->type == Q_OPEN_CHOICE;
	bool ln = lib->type == Q_INTEGER || lib->type == Q_DECIMAL;
	bool in = imp->type == Q_INTEGER || imp->type == Q_DECIMAL;

	return (lc && ic) || (ln && in) ||
	       (lib->type == Q_BOOLEAN && imp->type == Q_BOOLEAN);
}

/* Maps by item code: true when every rule item found its code. */
static bool
map_by_code(struct adopt *d, size_t *found)
{
	const struct questionnaire *lib = d->lib, *imp = d->imp;
	bool *used = arena_calloc(d->a, imp->n_all, sizeof(bool));
	size_t i, j;

	*found = 0;
	if (!used)
		return false;
	for (i = 0; i < lib->n_all; i++) {
		const struct q_item *l = lib->all[i];

		if (!in_rules(lib, l) || !l->code)
			continue;
		for (j = 0; j < imp->n_all; j++) {
			const struct q_item *m = imp->all[j];

			if (used[j] || !m->code || strcmp(m->code, l->code) ||
			    !q_item_is_question(m) ||
			    (m->code_system && l->code_system &&
			     strcmp(m->code_system, l->code_system)))
				continue;
			used[j] = true;
			d->map[i] = (struct q_item *)m;
			(*found)++;
			break;
		}
	}
	return true;
}

/* Counts the items of `q` in-order matching uses: `rules_only` the
 * library's rule items, else all matchable questions. */
static size_t
count_matchable(const struct questionnaire *q, bool rules_only)
{
	size_t i, n = 0;

	for (i = 0; i < q->n_all; i++)
		if (matchable(q->all[i]) &&
		    (!rules_only || in_rules(q, q->all[i])))
			n++;
	return n;
}

/* Pairs library items with imported ones in document order. */
static void
map_in_order(struct adopt *d, bool rules_only)
{
	const struct questionnaire *lib = d->lib, *imp = d->imp;
	size_t i, j = 0;

	for (i = 0; i < lib->n_all; i++) {
		const struct q_item *l = lib->all[i];

		if (!matchable(l) || (rules_only && !in_rules(lib, l)))
			continue;
		while (j < imp->n_all && !matchable(imp->all[j]))
			j++;
		if (j == imp->n_all)
			return;
		if (in_rules(lib, l))
			d->map[i] = (struct q_item *)imp->all[j];
		j++;
	}
}

static bool
map_items(struct adopt *d)
{
	const struct questionnaire *lib = d->lib, *imp = d->imp;
	size_t i, found, rules = 0, n_imp;

	for (i = 0; i < lib->n_all; i++)
		if (in_rules(lib, lib->all[i]))
			rules++;
	if (!rules)
		return afail(d, "%s has no scoring rules to adopt",
			     lib_name(lib));
	if (!map_by_code(d, &found))
		return afail(d, "%s", err_str(ERR_NOMEM));
	if (found && found < rules) {
		for (i = 0; i < lib->n_all; i++)
			if (in_rules(lib, lib->all[i]) && !d->map[i])
				return afail(d, "the file has no item with "
						"code '%s' (\"%s\" of %s)",
					     lib->all[i]->code ?
					     lib->all[i]->code : "(none)",
					     lib->all[i]->text ?
					     lib->all[i]->text :
					     lib->all[i]->link_id,
					     lib_name(lib));
	}
	if (!found) {
		n_imp = count_matchable(imp, false);
		if (n_imp == rules)
			map_in_order(d, true);
		else if (n_imp == count_matchable(lib, false))
			map_in_order(d, false);
		else
			return afail(d, "the file has %zu questions that can "
					"be scored; %s scores %zu, so they "
					"cannot be matched in order", n_imp,
				     lib_name(lib), rules);
	}
	for (i = 0; i < lib->n_all; i++)
		if (d->map[i] && !types_fit(lib->all[i], d->map[i]))
			return afail(d, "item '%s' is of type %s, but the "
					"published item it matches is of "
					"type %s", d->map[i]->link_id,
				     d->map[i]->type_name,
				     lib->all[i]->type_name);
	return true;
}

/* Text folded for comparing displays: lower case, no accents, single
 * spaces, no spaces at the ends. */
static char *
fold_display(struct arena *a, const char *s)
{
	char *f = str_fold(a, s, strlen(s)), *r, *w;
	bool space = false;

	if (!f)
		return NULL;
	for (r = w = f; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			space = w != f;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
	return f;
}

static const struct q_option *
match_option(struct arena *a, const struct q_item *l,
	     const struct q_option *o)
{
	char *fo, *fl;
	size_t i;

	for (i = 0; i < l->n_options; i++) {
		const struct q_option *p = &l->options[i];

		if (p->kind == o->kind && !strcmp(p->code, o->code) &&
		    (!p->system || !o->system || !strcmp(p->system, o->system)))
			return p;
	}
	if (!(fo = fold_display(a, o->display)))
		return NULL;
	for (i = 0; i < l->n_options; i++)
		if ((fl = fold_display(a, l->options[i].display)) &&
		    !strcmp(fl, fo))
			return &l->options[i];
	return NULL;
}

static void
note_diff(struct adopt *d, const struct q_option *o, double published)
{
	size_t i;

	for (i = 0; i < d->n_diffs; i++)
		if (!strcmp(d->diffs[i].display, o->display) &&
		    d->diffs[i].file == o->value &&
		    d->diffs[i].published == published) {
			d->diffs[i].items++;
			return;
		}
	if (d->n_diffs < sizeof(d->diffs) / sizeof(d->diffs[0])) {
		d->diffs[d->n_diffs].display = o->display;
		d->diffs[d->n_diffs].file = o->value;
		d->diffs[d->n_diffs].published = published;
		d->diffs[d->n_diffs++].items = 1;
	}
}

/* New answers for imported item `m` with the values of library item `l`. */
static bool
adopt_options(struct adopt *d, const struct q_item *l, const struct q_item *m)
{
	struct q_option *opts;
	bool *taken;
	size_t i, n;

	if (!l->n_options)
		return true;
	n = m->n_options ? m->n_options : l->n_options;
	if (!(opts = arena_calloc(d->a, n, sizeof(*opts))) ||
	    !(taken = arena_calloc(d->a, l->n_options, sizeof(bool))))
		return afail(d, "%s", err_str(ERR_NOMEM));
	if (!m->n_options) {
		/* An external answer list: the published one stands in. */
		memcpy(opts, l->options, n * sizeof(*opts));
	} else if (m->n_options != l->n_options) {
		return afail(d, "item '%s' has %zu answers; the published "
				"item has %zu", m->link_id, m->n_options,
			     l->n_options);
	}
	for (i = 0; m->n_options && i < n; i++) {
		const struct q_option *p = match_option(d->a, l,
							&m->options[i]);

		if (!p)
			return afail(d, "item '%s': answer '%s' matches no "
					"published answer", m->link_id,
				     m->options[i].display);
		if (taken[p - l->options])
			return afail(d, "item '%s': two answers match the "
					"published answer '%s'", m->link_id,
				     p->display);
		taken[p - l->options] = true;
		opts[i] = m->options[i];
		if (m->options[i].has_value &&
		    fabs(m->options[i].value - p->value) > EPSILON)
			note_diff(d, &m->options[i], p->value);
		opts[i].value = p->value;
		opts[i].has_value = p->has_value;
	}
	d->new_opts[m->index] = opts;
	d->new_n[m->index] = n;
	return true;
}

static bool
notes_make(struct adopt *d, struct adopt_notes *notes)
{
	char fv[32], pv[32];
	size_t i;

	notes->n = 0;
	if (!(notes->msg = arena_calloc(d->a, d->n_diffs ? d->n_diffs : 1,
					sizeof(char *))))
		return false;
	for (i = 0; i < d->n_diffs; i++) {
		const struct diff *x = &d->diffs[i];

		notes->msg[i] = arena_printf(
			d->a, "answer '%s' has the value %s in this file; "
			"the published value is %s (%zu item%s)", x->display,
			score_format(fv, sizeof(fv), x->file),
			score_format(pv, sizeof(pv), x->published), x->items,
			x->items == 1 ? "" : "s");
		if (!notes->msg[i])
			return false;
	}
	notes->n = d->n_diffs;
	return true;
}

/* The library's scores and flags, pointing at the imported items. */
static bool
copy_rules(struct adopt *d, struct q_score **scores, struct q_flag **flags)
{
	const struct questionnaire *lib = d->lib;
	size_t i, j;

	if (!(*scores = arena_calloc(d->a, lib->n_scores ? lib->n_scores : 1,
				     sizeof(**scores))) ||
	    !(*flags = arena_calloc(d->a, lib->n_flags ? lib->n_flags : 1,
				    sizeof(**flags))))
		return false;
	for (i = 0; i < lib->n_scores; i++) {
		const struct q_score *ls = &lib->scores[i];
		struct q_score *s = &(*scores)[i];

		*s = *ls;
		if (!(s->items = arena_calloc(d->a, ls->n_items,
					      sizeof(*s->items))))
			return false;
		for (j = 0; j < ls->n_items; j++)
			s->items[j] = d->map[ls->items[j]->index];
	}
	for (i = 0; i < lib->n_flags; i++) {
		const struct q_flag *lf = &lib->flags[i];
		struct q_flag *f = &(*flags)[i];

		*f = *lf;
		if (lf->item)
			f->item = d->map[lf->item->index];
		if (lf->score)
			f->score = &(*scores)[lf->score - lib->scores];
	}
	return true;
}

enum err
instrument_adopt(struct arena *a, struct questionnaire *imported,
		 const struct questionnaire *library,
		 struct adopt_notes *notes, const char **why)
{
	struct adopt d = {.a = a, .imp = imported, .lib = library};
	struct q_score *scores;
	struct q_flag *flags;
	size_t i;

	*why = NULL;
	notes->msg = NULL;
	notes->n = 0;
	if (!(d.map = arena_calloc(a, library->n_all, sizeof(*d.map))) ||
	    !(d.new_opts = arena_calloc(a, imported->n_all,
					sizeof(*d.new_opts))) ||
	    !(d.new_n = arena_calloc(a, imported->n_all, sizeof(*d.new_n))))
		return ERR_NOMEM;
	if (!map_items(&d)) {
		*why = d.why;
		return arena_failed(a) ? ERR_NOMEM : ERR_INVALID;
	}
	for (i = 0; i < library->n_all; i++)
		if (d.map[i] && !adopt_options(&d, library->all[i], d.map[i])) {
			*why = d.why;
			return arena_failed(a) ? ERR_NOMEM : ERR_INVALID;
		}
	if (!copy_rules(&d, &scores, &flags) || !notes_make(&d, notes))
		return ERR_NOMEM;
	/* Nothing can fail from here: commit. */
	for (i = 0; i < library->n_all; i++) {
		const struct q_item *l = library->all[i];
		struct q_item *m = d.map[i];

		if (!m)
			continue;
		if (d.new_opts[m->index]) {
			m->options = d.new_opts[m->index];
			m->n_options = d.new_n[m->index];
		}
		/* The published range, for reversing numbers. */
		if (!m->has_min && l->has_min) {
			m->has_min = true;
			m->min = l->min;
		}
		if (!m->has_max && l->has_max) {
			m->has_max = true;
			m->max = l->max;
		}
	}
	imported->scores = scores;
	imported->n_scores = library->n_scores;
	imported->flags = flags;
	imported->n_flags = library->n_flags;
	imported->rules_from = library;
	return ERR_OK;
}

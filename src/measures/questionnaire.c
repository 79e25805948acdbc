/*
 * FHIR Questionnaires and their answers (see questionnaire.h): the parser
 * of the subset in docs/measures.md, enableWhen, form values,
 * and QuestionnaireResponse JSON both ways. Every rule a file breaks is
 * refused with a sentence naming the item, because a questionnaire that
 * loads with a silently wrong answer list would score people wrongly.
 */
#include "measures/questionnaire.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/msgid.h"
#include "core/problem.h"
#include "core/str.h"
#include "core/banned.h"

#define EXT_ORDINAL "http://hl7.org/fhir/StructureDefinition/ordinalValue"
#define EXT_ITEM_WEIGHT "http://hl7.org/fhir/StructureDefinition/itemWeight"
#define EXT_MIN "http://hl7.org/fhir/StructureDefinition/minValue"
#define EXT_MAX "http://hl7.org/fhir/StructureDefinition/maxValue"
#define EXT_CALCULATED "http://hl7.org/fhir/uv/sdc/StructureDefinition/" \
		       "sdc-questionnaire-calculatedExpression"
#define EXT_CQF_EXPRESSION "http://hl7.org/fhir/StructureDefinition/" \
			   "cqf-expression"
/* R5 concept properties carried back to R4 expansions (the SDC IG's
 * PHQ-9 puts its item weights there). */
#define EXT_CONTAINS_PROPERTY "http://hl7.org/fhir/5.0/StructureDefinition/" \
			      "extension-ValueSet.expansion.contains.property"

#define LINK_ID_MAX 255		/* FHIR's own limit */
#define TEXT_NUMBER_MAX 32	/* characters of a typed number */
#define WHOLE_MAX 9007199254740992.0 /* 2^53: exact in a double */

static const char *const type_names[Q_TYPE__MAX] = {
	[Q_GROUP] = "group",	 [Q_DISPLAY] = "display",
	[Q_BOOLEAN] = "boolean", [Q_INTEGER] = "integer",
	[Q_DECIMAL] = "decimal", [Q_STRING] = "string",
	[Q_TEXT] = "text",	 [Q_DATE] = "date",
	[Q_CHOICE] = "choice",	 [Q_OPEN_CHOICE] = "open-choice",
	[Q_OTHER] = "other",
};

/* FHIR R4 item types outside cocare's subset. */
static const char *const other_types[] = {
	"quantity", "dateTime", "time", "url", "attachment", "reference",
};

static const char *const op_names[Q_OP__MAX] = {
	[Q_OP_EXISTS] = "exists", [Q_OP_EQ] = "=",  [Q_OP_NE] = "!=",
	[Q_OP_GT] = ">",	  [Q_OP_LT] = "<",  [Q_OP_GE] = ">=",
	[Q_OP_LE] = "<=",
};

const char *
q_type_name(enum q_type t)
{
	return t < Q_TYPE__MAX ? type_names[t] : "?";
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

struct parse {
	struct arena *a;
	struct questionnaire *q;
	json_t *contained;
	const char *why;
	enum err err;
	struct q_item **all;		/* Q_MAX_ITEMS */
	json_t **ew;			/* each item's enableWhen array */
	size_t n;
	struct {			/* contained ValueSets read so far */
		json_t *vs;
		struct q_option *options;
		size_t n;
	} vs[32];
	size_t n_vs;
};

static bool
fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records the first problem; always returns false for `return fail()`. */
static bool
fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->why)
		return false;
	va_start(ap, fmt);
	p->why = arena_vprintf(p->a, fmt, ap);
	va_end(ap);
	p->err = p->why ? ERR_INVALID : ERR_NOMEM;
	if (!p->why)
		p->why = err_str(ERR_NOMEM);
	return false;
}

static bool
oom(struct parse *p)
{
	if (!p->why) {
		p->why = err_str(ERR_NOMEM);
		p->err = ERR_NOMEM;
	}
	return false;
}

static char *
jdup(struct parse *p, json_t *s)
{
	char *r = arena_strndup(p->a, json_string_value(s),
				json_string_length(s));

	if (!r)
		oom(p);
	return r;
}

/*
 * Reads optional string `key` of `o` into *out (NULL when absent or
 * null). False, naming `where`, when it is there but not a string.
 */
static bool
get_str(struct parse *p, json_t *o, const char *key, const char *where,
	const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return fail(p, "%s: '%s' is not text", where, key);
	return (*out = jdup(p, v)) != NULL;
}

static bool
get_bool(struct parse *p, json_t *o, const char *key, const char *where,
	 bool *out)
{
	json_t *v = json_object_get(o, key);

	*out = false;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_boolean(v))
		return fail(p, "%s: '%s' is not true or false", where, key);
	*out = json_is_true(v);
	return true;
}

/* Optional array `key`: NULL when absent; false when not an array. */
static bool
get_array(struct parse *p, json_t *o, const char *key, const char *where,
	  json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v))
		return fail(p, "%s: '%s' is not a list", where, key);
	*out = v;
	return true;
}

static bool
is_number(json_t *v)
{
	return json_is_integer(v) || json_is_real(v);
}

/* The first extension of `o` with `url`, or NULL. */
static json_t *
ext_find(json_t *o, const char *url)
{
	json_t *exts = json_object_get(o, "extension"), *e;
	size_t i;

	if (!json_is_array(exts))
		return NULL;
	json_array_foreach(exts, i, e) {
		json_t *u = json_object_get(e, "url");

		if (json_is_string(u) && !strcmp(json_string_value(u), url))
			return e;
	}
	return NULL;
}

/* The value of an R5 "itemWeight" (or "ordinalValue") concept property
 * carried in extension `e`, or NULL when `e` is not one. */
static json_t *
property_value(json_t *e)
{
	json_t *subs = json_object_get(e, "extension"), *sub, *v = NULL;
	const char *u = json_string_value(json_object_get(e, "url"));
	bool weight = false;
	size_t j;

	if (!u || strcmp(u, EXT_CONTAINS_PROPERTY))
		return NULL;
	json_array_foreach(subs, j, sub) {
		const char *su = json_string_value(json_object_get(sub, "url"));
		const char *code = json_string_value(
			json_object_get(sub, "valueCode"));

		if (!su)
			continue;
		if (!strcmp(su, "code") && code &&
		    (!strcmp(code, "itemWeight") ||
		     !strcmp(code, "ordinalValue")))
			weight = true;
		else if (!strcmp(su, "value[x]"))
			v = json_object_get(sub, "valueDecimal");
	}
	return weight ? v : NULL;
}

/*
 * The answer value of an option or concept: ordinalValue, else
 * itemWeight, else an R5 concept property. False when a value is there
 * but not a number.
 */
static bool
read_answer_value(struct parse *p, json_t *o, const char *link_id,
		  double *value, bool *has)
{
	json_t *e, *v = NULL;
	size_t i;

	*has = false;
	if ((e = ext_find(o, EXT_ORDINAL)) ||
	    (e = ext_find(o, EXT_ITEM_WEIGHT))) {
		if (!(v = json_object_get(e, "valueDecimal")))
			v = json_object_get(e, "valueInteger");
	} else {
		json_array_foreach(json_object_get(o, "extension"), i, e)
			if ((v = property_value(e)))
				break;
		if (!v)
			return true;
	}
	if (!is_number(v))
		return fail(p, "item '%s': an answer value is not a number",
			    link_id);
	*value = json_number_value(v);
	*has = true;
	return true;
}

/* True for "YYYY-MM-DD" naming a real day. */
static bool
is_date(const char *s)
{
	int64_t t;

	return strlen(s) == 10 && clock_parse_date(s, &t);
}

static bool
read_option(struct parse *p, struct q_item *it, json_t *jo,
	    struct q_option *o)
{
	const char *where = it->link_id;
	json_t *v;
	char num[32];

	if (!json_is_object(jo))
		return fail(p, "item '%s': an answer option is not an object",
			    where);
	if ((v = json_object_get(jo, "valueCoding"))) {
		o->kind = QV_CODING;
		if (!json_is_object(v))
			return fail(p, "item '%s': valueCoding is not an "
				       "object", where);
		if (!get_str(p, v, "system", where, &o->system) ||
		    !get_str(p, v, "code", where, &o->code) ||
		    !get_str(p, v, "display", where, &o->display))
			return false;
		if (!o->code || !*o->code)
			return fail(p, "item '%s': an answer option has no "
				       "code", where);
	} else if ((v = json_object_get(jo, "valueInteger"))) {
		o->kind = QV_INTEGER;
		if (!json_is_integer(v))
			return fail(p, "item '%s': valueInteger is not a whole "
				       "number", where);
		o->num = (double)json_integer_value(v);
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		if (!(o->code = arena_strdup(p->a, num)))
			return oom(p);
	} else if ((v = json_object_get(jo, "valueString"))) {
		o->kind = QV_STRING;
		if (!json_is_string(v) || !json_string_length(v))
			return fail(p, "item '%s': valueString is not text",
				    where);
		if (!(o->code = jdup(p, v)))
			return false;
	} else if ((v = json_object_get(jo, "valueDate"))) {
		o->kind = QV_DATE;
		if (!json_is_string(v) || !is_date(json_string_value(v)))
			return fail(p, "item '%s': valueDate is not a date "
				       "YYYY-MM-DD", where);
		if (!(o->code = jdup(p, v)))
			return false;
	} else {
		return fail(p, "item '%s': an answer option has no "
			       "valueCoding, valueInteger, valueString or "
			       "valueDate", where);
	}
	if (!o->display)
		o->display = o->code;
	if (!read_answer_value(p, jo, where, &o->value, &o->has_value))
		return false;
	/* A number offered as an answer scores as itself unless given an
	 * ordinalValue. */
	if (o->kind == QV_INTEGER && !o->has_value) {
		o->value = o->num;
		o->has_value = true;
	}
	return true;
}

/* True when options `x` and `y` are the same answer. */
static bool
option_same(const struct q_option *x, const struct q_option *y)
{
	if (x->kind != y->kind || strcmp(x->code, y->code))
		return false;
	return !x->system || !y->system || !strcmp(x->system, y->system);
}

static bool
check_options_unique(struct parse *p, const struct q_item *it)
{
	size_t i, j;

	for (i = 0; i < it->n_options; i++)
		for (j = 0; j < i; j++)
			if (option_same(&it->options[i], &it->options[j]))
				return fail(p, "item '%s': answer '%s' is "
					       "listed twice", it->link_id,
					    it->options[i].code);
	return true;
}

static bool
read_answer_options(struct parse *p, struct q_item *it, json_t *arr)
{
	size_t i, n = json_array_size(arr);

	if (n > Q_MAX_OPTIONS)
		return fail(p, "item '%s': more than %d answer options",
			    it->link_id, Q_MAX_OPTIONS);
	if (!(it->options = arena_calloc(p->a, n ? n : 1,
					 sizeof(*it->options))))
		return oom(p);
	for (i = 0; i < n; i++)
		if (!read_option(p, it, json_array_get(arr, i),
				 &it->options[i]))
			return false;
	it->n_options = n;
	return check_options_unique(p, it);
}

/* The contained ValueSet with id `id`, or NULL. */
static json_t *
contained_value_set(struct parse *p, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(p->contained, i, r) {
		const char *rt = json_string_value(
			json_object_get(r, "resourceType"));
		const char *rid = json_string_value(json_object_get(r, "id"));

		if (rt && rid && !strcmp(rt, "ValueSet") && !strcmp(rid, id))
			return r;
	}
	return NULL;
}

/* Adds one concept (of compose or expansion) as an option of `it`. */
static bool
add_concept(struct parse *p, struct q_item *it, json_t *c,
	    const char *system)
{
	struct q_option *o;

	if (it->n_options >= Q_MAX_OPTIONS)
		return fail(p, "item '%s': more than %d answer options",
			    it->link_id, Q_MAX_OPTIONS);
	if (!json_is_object(c))
		return fail(p, "item '%s': a concept of its ValueSet is not "
			       "an object", it->link_id);
	o = &it->options[it->n_options];
	o->kind = QV_CODING;
	if (!get_str(p, c, "system", it->link_id, &o->system) ||
	    !get_str(p, c, "code", it->link_id, &o->code) ||
	    !get_str(p, c, "display", it->link_id, &o->display))
		return false;
	if (!o->system && system && !(o->system = arena_strdup(p->a, system)))
		return oom(p);
	if (!o->code || !*o->code)
		return fail(p, "item '%s': a concept of its ValueSet has no "
			       "code", it->link_id);
	if (!o->display)
		o->display = o->code;
	if (!read_answer_value(p, c, it->link_id, &o->value, &o->has_value))
		return false;
	it->n_options++;
	return true;
}

/*
 * Fills the options of `it` from contained ValueSet `vs`. The concepts
 * compose lists are the definition; an expansion only lends its values
 * to the same system and code, or is the list when compose does not
 * enumerate its concepts (a whole code system, a filter). Codes are
 * case-sensitive, so the SDC example's expansion entry "not-at-all"
 * lends nothing to its compose code "Not-at-all".
 */
static bool
read_value_set(struct parse *p, struct q_item *it, json_t *vs,
	       const char *ref)
{
	json_t *includes = json_object_get(json_object_get(vs, "compose"),
					   "include");
	json_t *contains = json_object_get(json_object_get(vs, "expansion"),
					   "contains");
	bool enumerated = json_array_size(includes) > 0;
	struct q_option *all;
	json_t *inc, *c;
	size_t i, j, k;

	for (i = 0; i < p->n_vs; i++)
		if (p->vs[i].vs == vs) {
			it->options = p->vs[i].options;
			it->n_options = p->vs[i].n;
			return true;
		}
	if (!(it->options = arena_calloc(p->a, Q_MAX_OPTIONS,
					 sizeof(*it->options))))
		return oom(p);
	json_array_foreach(includes, i, inc)
		if (!json_is_array(json_object_get(inc, "concept")))
			enumerated = false;
	if (enumerated) {
		json_array_foreach(includes, i, inc) {
			const char *sys = json_string_value(
				json_object_get(inc, "system"));

			json_array_foreach(json_object_get(inc, "concept"), j,
					   c)
				if (!add_concept(p, it, c, sys))
					return false;
		}
	} else {
		json_array_foreach(contains, j, c)
			if (!add_concept(p, it, c, NULL))
				return false;
	}
	if (!it->n_options)
		return fail(p, "item '%s': ValueSet '%s' lists no concepts",
			    it->link_id, ref);
	for (k = 0; enumerated && k < it->n_options; k++) {
		struct q_option *o = &it->options[k];

		json_array_foreach(contains, j, c) {
			const char *sys = json_string_value(
				json_object_get(c, "system"));
			const char *code = json_string_value(
				json_object_get(c, "code"));

			if (o->has_value || !code || strcmp(code, o->code) ||
			    (sys && o->system && strcmp(sys, o->system)))
				continue;
			if (!read_answer_value(p, c, it->link_id, &o->value,
					       &o->has_value))
				return false;
		}
	}
	if (!check_options_unique(p, it))
		return false;
	/* Shrink to size and share with the other items using `vs`. */
	all = it->options;
	if (!(it->options = arena_calloc(p->a, it->n_options,
					 sizeof(*it->options))))
		return oom(p);
	memcpy(it->options, all, it->n_options * sizeof(*all));
	if (p->n_vs < sizeof(p->vs) / sizeof(p->vs[0])) {
		p->vs[p->n_vs].vs = vs;
		p->vs[p->n_vs].options = it->options;
		p->vs[p->n_vs++].n = it->n_options;
	}
	return true;
}

/* minValue / maxValue extension `url` of `jit` into the item. */
static bool
read_limit(struct parse *p, struct q_item *it, json_t *jit, const char *url,
	   bool is_max)
{
	json_t *e = ext_find(jit, url), *v;

	if (!e)
		return true;
	if ((v = json_object_get(e, "valueInteger")) ||
	    (v = json_object_get(e, "valueDecimal"))) {
		if (!is_number(v))
			return fail(p, "item '%s': %s is not a number",
				    it->link_id, is_max ? "maxValue" :
				    "minValue");
		if (is_max) {
			it->has_max = true;
			it->max = json_number_value(v);
		} else {
			it->has_min = true;
			it->min = json_number_value(v);
		}
	} else if ((v = json_object_get(e, "valueDate"))) {
		if (!json_is_string(v) || !is_date(json_string_value(v)))
			return fail(p, "item '%s': %s is not a date "
				       "YYYY-MM-DD", it->link_id,
				    is_max ? "maxValue" : "minValue");
		if (!(*(is_max ? &it->max_date : &it->min_date) = jdup(p, v)))
			return false;
	}
	return true;
}

static bool
read_limits(struct parse *p, struct q_item *it, json_t *jit)
{
	json_t *ml = json_object_get(jit, "maxLength");

	if (!read_limit(p, it, jit, EXT_MIN, false) ||
	    !read_limit(p, it, jit, EXT_MAX, true))
		return false;
	if (it->has_min && it->has_max && it->min > it->max)
		return fail(p, "item '%s': minValue is above maxValue",
			    it->link_id);
	if (it->min_date && it->max_date && strcmp(it->min_date,
						   it->max_date) > 0)
		return fail(p, "item '%s': minValue is after maxValue",
			    it->link_id);
	if (ml && !json_is_null(ml)) {
		if (!json_is_integer(ml) || json_integer_value(ml) < 1 ||
		    json_integer_value(ml) > Q_TEXT_MAX)
			return fail(p, "item '%s': maxLength is not a number "
				       "from 1 to %d", it->link_id,
				    Q_TEXT_MAX);
		it->max_length = (size_t)json_integer_value(ml);
	}
	return true;
}

/* The item's code: its LOINC code, else its first. */
static bool
read_item_code(struct parse *p, struct q_item *it, json_t *jit)
{
	json_t *codes, *c, *pick = NULL;
	size_t i;

	if (!get_array(p, jit, "code", it->link_id, &codes))
		return false;
	json_array_foreach(codes, i, c) {
		const char *sys = json_string_value(json_object_get(c,
								    "system"));

		if (!json_is_string(json_object_get(c, "code")))
			continue;
		if (!pick)
			pick = c;
		if (sys && !strcmp(sys, Q_LOINC)) {
			pick = c;
			break;
		}
	}
	if (!pick)
		return true;
	return get_str(p, pick, "system", it->link_id, &it->code_system) &&
	       get_str(p, pick, "code", it->link_id, &it->code) &&
	       get_str(p, pick, "display", it->link_id, &it->code_display);
}

static bool
read_type(struct parse *p, struct q_item *it, json_t *jit)
{
	json_t *t = json_object_get(jit, "type");
	size_t i;

	if (!json_is_string(t))
		return fail(p, "item '%s' has no type", it->link_id);
	if (!(it->type_name = jdup(p, t)))
		return false;
	for (i = 0; i < Q_OTHER; i++)
		if (!strcmp(it->type_name, type_names[i])) {
			it->type = (enum q_type)i;
			return true;
		}
	for (i = 0; i < sizeof(other_types) / sizeof(other_types[0]); i++)
		if (!strcmp(it->type_name, other_types[i])) {
			it->type = Q_OTHER;
			return true;
		}
	return fail(p, "item '%s' has unknown type '%s'", it->link_id,
		    it->type_name);
}

static bool read_items(struct parse *p, json_t *arr, struct q_item *parent,
		       unsigned depth, struct q_item **out, size_t *n_out);

/* The answer list: answerOption, or answerValueSet "#id" resolved. */
static bool
read_answers_of(struct parse *p, struct q_item *it, json_t *jit)
{
	json_t *opts, *vsr = json_object_get(jit, "answerValueSet"), *vs;
	bool choice = it->type == Q_CHOICE || it->type == Q_OPEN_CHOICE;
	const char *ref;

	if (!get_array(p, jit, "answerOption", it->link_id, &opts))
		return false;
	if ((opts || vsr) && !choice)
		return fail(p, "item '%s': only choice and open-choice items "
			       "may have answer options", it->link_id);
	if (opts && vsr)
		return fail(p, "item '%s' has both answerOption and "
			       "answerValueSet", it->link_id);
	if (opts)
		return read_answer_options(p, it, opts);
	if (!vsr)
		return true;
	if (!json_is_string(vsr))
		return fail(p, "item '%s': answerValueSet is not text",
			    it->link_id);
	ref = json_string_value(vsr);
	if (ref[0] != '#') {
		/* Another server's list: kept to show, never guessed at. */
		return (it->value_set = jdup(p, vsr)) != NULL;
	}
	if (!(vs = contained_value_set(p, ref + 1)))
		return fail(p, "item '%s': answerValueSet '%s' names no "
			       "contained ValueSet", it->link_id, ref);
	return read_value_set(p, it, vs, ref);
}

static bool
read_item(struct parse *p, json_t *jit, struct q_item *parent,
	  unsigned depth, struct q_item *it)
{
	json_t *lid, *kids, *beh;
	const char *where;

	if (!json_is_object(jit))
		return fail(p, "an item is not an object");
	lid = json_object_get(jit, "linkId");
	if (!json_is_string(lid) || !json_string_length(lid))
		return fail(p, "an item has no linkId");
	if (json_string_length(lid) > LINK_ID_MAX)
		return fail(p, "a linkId is longer than %d characters",
			    LINK_ID_MAX);
	if (!(it->link_id = jdup(p, lid)))
		return false;
	where = it->link_id;
	if (p->n >= Q_MAX_ITEMS)
		return fail(p, "more than %d items", Q_MAX_ITEMS);
	it->index = p->n;
	it->depth = depth;
	it->parent = parent;
	p->all[p->n] = it;
	p->ew[p->n++] = NULL;
	if (!read_type(p, it, jit) ||
	    !get_str(p, jit, "text", where, &it->text) ||
	    !get_str(p, jit, "prefix", where, &it->prefix) ||
	    !get_bool(p, jit, "required", where, &it->required) ||
	    !get_bool(p, jit, "repeats", where, &it->repeats) ||
	    !get_bool(p, jit, "readOnly", where, &it->read_only) ||
	    !read_item_code(p, it, jit) || !read_limits(p, it, jit))
		return false;
	it->calculated = ext_find(jit, EXT_CALCULATED) ||
			 ext_find(jit, EXT_CQF_EXPRESSION);
	if (it->type == Q_OTHER && !it->calculated && !it->read_only)
		return fail(p, "item '%s' has type '%s', which cocare cannot "
			       "ask", where, it->type_name);
	if (it->type == Q_GROUP && it->repeats)
		return fail(p, "group '%s' repeats; cocare does not support "
			       "repeating groups", where);
	if (!read_answers_of(p, it, jit))
		return false;
	if (!get_array(p, jit, "enableWhen", where, &p->ew[it->index]))
		return false;
	if (json_array_size(p->ew[it->index]) > Q_MAX_ENABLE_WHEN)
		return fail(p, "item '%s': more than %d enableWhen conditions",
			    where, Q_MAX_ENABLE_WHEN);
	beh = json_object_get(jit, "enableBehavior");
	if (beh && !json_is_null(beh)) {
		if (!json_is_string(beh) ||
		    (strcmp(json_string_value(beh), "all") &&
		     strcmp(json_string_value(beh), "any")))
			return fail(p, "item '%s': enableBehavior is not "
				       "'all' or 'any'", where);
		it->enable_any = !strcmp(json_string_value(beh), "any");
	}
	if (!get_array(p, jit, "item", where, &kids))
		return false;
	if (!json_array_size(kids))
		return true;
	if (it->type == Q_DISPLAY)
		return fail(p, "display item '%s' has items inside", where);
	if (depth + 1 >= Q_MAX_DEPTH)
		return fail(p, "items are nested more than %d levels deep "
			       "(at '%s')", Q_MAX_DEPTH, where);
	return read_items(p, kids, it, depth + 1, &it->children,
			  &it->n_children);
}

static bool
read_items(struct parse *p, json_t *arr, struct q_item *parent,
	   unsigned depth, struct q_item **out, size_t *n_out)
{
	size_t i, n = json_array_size(arr);

	*n_out = 0;
	if (n > Q_MAX_ITEMS)
		return fail(p, "more than %d items", Q_MAX_ITEMS);
	if (!n)
		return true;
	if (!(*out = arena_calloc(p->a, n, sizeof(**out))))
		return oom(p);
	for (i = 0; i < n; i++)
		if (!read_item(p, json_array_get(arr, i), parent, depth,
			       &(*out)[i]))
			return false;
	*n_out = n;
	return true;
}

static int
cmp_link_id(const void *x, const void *y)
{
	const struct q_item *const *a = x, *const *b = y;

	return strcmp((*a)->link_id, (*b)->link_id);
}

/* The by_id index; refuses duplicate linkIds. */
static bool
index_items(struct parse *p)
{
	struct questionnaire *q = p->q;
	size_t i;

	q->all = (const struct q_item **)p->all;
	q->n_all = p->n;
	if (!(q->by_id = arena_calloc(p->a, p->n ? p->n : 1,
				      sizeof(*q->by_id))))
		return oom(p);
	memcpy(q->by_id, p->all, p->n * sizeof(*q->by_id));
	qsort(q->by_id, p->n, sizeof(*q->by_id), cmp_link_id);
	for (i = 1; i < p->n; i++)
		if (!strcmp(q->by_id[i]->link_id, q->by_id[i - 1]->link_id))
			return fail(p, "linkId '%s' is used twice",
				    q->by_id[i]->link_id);
	return true;
}

const struct q_item *
q_item_get(const struct questionnaire *q, const char *link_id)
{
	size_t lo = 0, hi = q->n_all;

	if (!link_id)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(link_id, q->by_id[mid]->link_id);

		if (!c)
			return q->by_id[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct q_item *const *
q_item_list(const struct questionnaire *q, size_t *count)
{
	*count = q->n_all;
	return q->all;
}

bool
q_item_is_question(const struct q_item *item)
{
	return item->type != Q_GROUP && item->type != Q_DISPLAY &&
	       item->type != Q_OTHER && !item->calculated && !item->read_only;
}

/* The kinds of value an answer to `it` may be. */
static bool
kind_fits(const struct q_item *it, enum q_kind k)
{
	size_t i;

	switch (it->type) {
	case Q_BOOLEAN:
		return k == QV_BOOLEAN;
	case Q_INTEGER:
	case Q_DECIMAL:
		return k == QV_INTEGER || k == QV_DECIMAL;
	case Q_STRING:
	case Q_TEXT:
		return k == QV_STRING;
	case Q_DATE:
		return k == QV_DATE;
	case Q_OPEN_CHOICE:
		if (k == QV_STRING)
			return true;
		/* fall through */
	case Q_CHOICE:
		if (!it->n_options)
			return k == QV_CODING;
		for (i = 0; i < it->n_options; i++)
			if (it->options[i].kind == k ||
			    (k == QV_DECIMAL &&
			     it->options[i].kind == QV_INTEGER))
				return true;
		return false;
	default:
		return false;
	}
}

static const struct {
	const char *key;
	enum q_kind kind;
} answer_keys[] = {
	{"answerBoolean", QV_BOOLEAN}, {"answerInteger", QV_INTEGER},
	{"answerDecimal", QV_DECIMAL}, {"answerString", QV_STRING},
	{"answerDate", QV_DATE},       {"answerCoding", QV_CODING},
};

/* Reads enableWhen `jew` of item `it` into `ew`. */
static bool
read_enable_when(struct parse *p, struct q_item *it, json_t *jew,
		 struct q_enable_when *ew)
{
	const char *where = it->link_id, *key;
	json_t *q, *op, *v = NULL, *jv;
	size_t i;
	bool numeric;

	if (!json_is_object(jew))
		return fail(p, "item '%s': an enableWhen is not an object",
			    where);
	q = json_object_get(jew, "question");
	if (!json_is_string(q))
		return fail(p, "item '%s': an enableWhen has no question",
			    where);
	if (!(ew->question = q_item_get(p->q, json_string_value(q))))
		return fail(p, "item '%s': enableWhen names '%s', which is "
			       "not in the questionnaire", where,
			    json_string_value(q));
	if (ew->question->type == Q_GROUP || ew->question->type == Q_DISPLAY)
		return fail(p, "item '%s': enableWhen names %s '%s', which "
			       "has no answer", where,
			    type_names[ew->question->type],
			    ew->question->link_id);
	op = json_object_get(jew, "operator");
	for (i = 0; i < Q_OP__MAX; i++)
		if (json_is_string(op) &&
		    !strcmp(json_string_value(op), op_names[i]))
			break;
	if (i == Q_OP__MAX)
		return fail(p, "item '%s': enableWhen has an unknown "
			       "operator", where);
	ew->op = (enum q_op)i;
	json_object_foreach(jew, key, jv) {
		if (strncmp(key, "answer", 6))
			continue;
		if (v)
			return fail(p, "item '%s': an enableWhen has two "
				       "answers", where);
		v = jv;
		for (i = 0; i < sizeof(answer_keys) / sizeof(answer_keys[0]);
		     i++)
			if (!strcmp(key, answer_keys[i].key))
				break;
		if (i == sizeof(answer_keys) / sizeof(answer_keys[0]))
			return fail(p, "item '%s': enableWhen %s is not "
				       "supported", where, key);
		ew->answer.kind = answer_keys[i].kind;
	}
	if (!v)
		return fail(p, "item '%s': an enableWhen has no answer",
			    where);
	switch (ew->answer.kind) {
	case QV_BOOLEAN:
		if (!json_is_boolean(v))
			return fail(p, "item '%s': answerBoolean is not true "
				       "or false", where);
		ew->answer.b = json_is_true(v);
		break;
	case QV_INTEGER:
	case QV_DECIMAL:
		if (!is_number(v) || (ew->answer.kind == QV_INTEGER &&
				      !json_is_integer(v)))
			return fail(p, "item '%s': the enableWhen answer is "
				       "not a number", where);
		ew->answer.num = json_number_value(v);
		break;
	case QV_STRING:
	case QV_DATE:
		if (!json_is_string(v) || (ew->answer.kind == QV_DATE &&
					   !is_date(json_string_value(v))))
			return fail(p, "item '%s': the enableWhen answer is "
				       "not %s", where,
				    ew->answer.kind == QV_DATE ?
				    "a date YYYY-MM-DD" : "text");
		if (!(ew->answer.text = jdup(p, v)))
			return false;
		break;
	case QV_CODING:
		if (!json_is_object(v) ||
		    !get_str(p, v, "system", where, &ew->answer.system) ||
		    !get_str(p, v, "code", where, &ew->answer.code) ||
		    !get_str(p, v, "display", where, &ew->answer.display))
			return p->why ? false :
			       fail(p, "item '%s': answerCoding is not an "
				       "object", where);
		if (!ew->answer.code)
			return fail(p, "item '%s': answerCoding has no code",
				    where);
		break;
	default:
		break;
	}
	if (ew->op == Q_OP_EXISTS) {
		if (ew->answer.kind != QV_BOOLEAN)
			return fail(p, "item '%s': 'exists' needs "
				       "answerBoolean", where);
		return true;
	}
	if (!kind_fits(ew->question, ew->answer.kind))
		return fail(p, "item '%s': enableWhen compares %s '%s' with "
			       "a value of the wrong type", where,
			    ew->question->type_name, ew->question->link_id);
	numeric = ew->answer.kind == QV_INTEGER ||
		  ew->answer.kind == QV_DECIMAL ||
		  ew->answer.kind == QV_DATE || ew->answer.kind == QV_STRING;
	if (ew->op != Q_OP_EQ && ew->op != Q_OP_NE && !numeric)
		return fail(p, "item '%s': '%s' cannot compare %s", where,
			    op_names[ew->op],
			    ew->answer.kind == QV_CODING ? "codings" :
			    "true or false");
	return true;
}

static bool
read_all_enable_when(struct parse *p)
{
	size_t i, j, n;

	for (i = 0; i < p->n; i++) {
		struct q_item *it = p->all[i];

		if (!(n = json_array_size(p->ew[i])))
			continue;
		if (!(it->enable_when = arena_calloc(p->a, n,
						     sizeof(*it->enable_when))))
			return oom(p);
		for (j = 0; j < n; j++)
			if (!read_enable_when(p, it,
					      json_array_get(p->ew[i], j),
					      &it->enable_when[j]))
				return false;
		it->n_enable_when = n;
	}
	return true;
}

/*
 * Depth-first search for a cycle among "is enabled" dependencies (an
 * item depends on its group and on the questions its enableWhen names):
 * a cycle would make q_item_enabled() undefined. `mark` is 0 unseen, 1 on
 * the current path, 2 done.
 */
static bool
no_cycle_from(struct parse *p, const struct q_item *it, unsigned char *mark)
{
	size_t j;

	if (mark[it->index] == 2)
		return true;
	if (mark[it->index] == 1)
		return fail(p, "enableWhen conditions of '%s' depend on "
			       "themselves", it->link_id);
	mark[it->index] = 1;
	if (it->parent && !no_cycle_from(p, it->parent, mark))
		return false;
	for (j = 0; j < it->n_enable_when; j++)
		if (!no_cycle_from(p, it->enable_when[j].question, mark))
			return false;
	mark[it->index] = 2;
	return true;
}

static bool
no_cycles(struct parse *p)
{
	unsigned char mark[Q_MAX_ITEMS] = {0};
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!no_cycle_from(p, p->all[i], mark))
			return false;
	return true;
}

/* --- scores and flags ------------------------------------------------ */

/* The number of `part` (valueDecimal or valueInteger). */
static bool
part_number(struct parse *p, json_t *part, const char *where,
	    const char *name, double *out)
{
	json_t *v = json_object_get(part, "valueDecimal");

	if (!v)
		v = json_object_get(part, "valueInteger");
	if (!is_number(v))
		return fail(p, "%s: '%s' is not a number", where, name);
	*out = json_number_value(v);
	return true;
}

static bool
part_text(struct parse *p, json_t *part, const char *key, const char *where,
	  const char *name, const char **out)
{
	json_t *v = json_object_get(part, key);

	if (!json_is_string(v) || !json_string_length(v))
		return fail(p, "%s: '%s' has no %s", where, name, key);
	return (*out = jdup(p, v)) != NULL;
}

static const char *
part_url(json_t *part)
{
	const char *u = json_string_value(json_object_get(part, "url"));

	return u ? u : "";
}

/* An item a score or flag may use: it has a number for every answer. */
static bool
scorable(struct parse *p, const struct q_item *it, const char *where)
{
	size_t i;

	if (!q_item_is_question(it))
		return fail(p, "%s: item '%s' takes no answer", where,
			    it->link_id);
	if (it->repeats)
		return fail(p, "%s: item '%s' repeats", where, it->link_id);
	switch (it->type) {
	case Q_BOOLEAN:
	case Q_INTEGER:
	case Q_DECIMAL:
		return true;
	case Q_CHOICE:
		/* An answer without a value ("Does not apply") counts as
		 * unanswered, but some answer must have one. */
		for (i = 0; i < it->n_options; i++)
			if (it->options[i].has_value)
				return true;
		return fail(p, "%s: no answer of item '%s' has a value",
			    where, it->link_id);
	default:
		return fail(p, "%s: item '%s' is a %s item, which has no "
			       "value to score", where, it->link_id,
			    it->type_name);
	}
}

static bool
find_item(struct parse *p, json_t *part, const char *where,
	  const struct q_item **out)
{
	json_t *v = json_object_get(part, "valueString");

	if (!json_is_string(v))
		return fail(p, "%s: 'item' has no valueString", where);
	if (!(*out = q_item_get(p->q, json_string_value(v))))
		return fail(p, "%s: item '%s' is not in the questionnaire",
			    where, json_string_value(v));
	return true;
}

/* Index of `it` in score `s`, or s->n_items. */
static size_t
score_index(const struct q_score *s, const struct q_item *it)
{
	size_t i;

	for (i = 0; i < s->n_items; i++)
		if (s->items[i] == it)
			break;
	return i;
}

static bool
read_band(struct parse *p, json_t *jb, struct q_score *s, const char *where)
{
	struct q_band *b = &s->bands[s->n_bands];
	bool has_min = false, has_max = false;
	json_t *part;
	size_t i;

	json_array_foreach(json_object_get(jb, "extension"), i, part) {
		const char *u = part_url(part);

		if (!strcmp(u, "min")) {
			if (!part_number(p, part, where, "band min", &b->min))
				return false;
			has_min = true;
		} else if (!strcmp(u, "max")) {
			if (!part_number(p, part, where, "band max", &b->max))
				return false;
			has_max = true;
		} else if (!strcmp(u, "code")) {
			if (!part_text(p, part, "valueCode", where, "band code",
				       &b->code))
				return false;
		} else if (!strcmp(u, "label")) {
			if (!part_text(p, part, "valueString", where,
				       "band label", &b->label))
				return false;
		} else {
			return fail(p, "%s: a band has an unknown part '%s'",
				    where, u);
		}
	}
	if (!has_min || !has_max || !b->code || !b->label)
		return fail(p, "%s: a band needs min, max, code and label",
			    where);
	if (b->min > b->max)
		return fail(p, "%s: band '%s' has min above max", where,
			    b->code);
	s->n_bands++;
	return true;
}

static bool
check_bands(struct parse *p, const struct q_score *s, const char *where)
{
	size_t i, j;

	for (i = 0; i < s->n_bands; i++) {
		const struct q_band *b = &s->bands[i];

		if ((s->has_min && b->min < s->min) ||
		    (s->has_max && b->max > s->max))
			return fail(p, "%s: band '%s' goes beyond the score's "
				       "range", where, b->code);
		for (j = 0; j < i; j++) {
			const struct q_band *o = &s->bands[j];

			if (!strcmp(b->code, o->code))
				return fail(p, "%s: band '%s' is listed "
					       "twice", where, b->code);
			if (b->min <= o->max && o->min <= b->max)
				return fail(p, "%s: bands '%s' and '%s' "
					       "overlap", where, o->code,
					    b->code);
		}
	}
	return true;
}

/* An item can be reversed when its lowest and highest values are known. */
static bool
reversible(const struct q_item *it)
{
	return it->type == Q_BOOLEAN || it->n_options ||
	       (it->has_min && it->has_max);
}

static bool
read_weight(struct parse *p, json_t *jw, const struct q_item **witems,
	    double *wvals, size_t *nw, const char *where)
{
	const struct q_item *it = NULL;
	bool has_value = false;
	json_t *part;
	size_t i;

	json_array_foreach(json_object_get(jw, "extension"), i, part) {
		const char *u = part_url(part);

		if (!strcmp(u, "item")) {
			if (!find_item(p, part, where, &it))
				return false;
		} else if (!strcmp(u, "value")) {
			if (!part_number(p, part, where, "weight", &wvals[*nw]))
				return false;
			has_value = true;
		} else {
			return fail(p, "%s: a weight has an unknown part '%s'",
				    where, u);
		}
	}
	if (!it || !has_value)
		return fail(p, "%s: a weight needs item and value", where);
	witems[(*nw)++] = it;
	return true;
}

/* The parts of one score, after a first pass counted the repeats. */
struct score_parts {
	const struct q_item **items, **rev, **witems;
	double *wvals;
	size_t n_items, n_rev, n_w;
	bool has_min_answered, has_method;
	int64_t min_answered;
};

static bool
read_score_part(struct parse *p, json_t *part, struct q_score *s,
		struct score_parts *sp, const char *where)
{
	const char *u = part_url(part), *code;
	json_t *v;

	if (!strcmp(u, "name"))
		return true; /* read first, by read_score() */
	if (!strcmp(u, "title"))
		return part_text(p, part, "valueString", where, "title",
				 &s->title);
	if (!strcmp(u, "code")) {
		v = json_object_get(part, "valueCoding");
		return get_str(p, v, "system", where, &s->code_system) &&
		       get_str(p, v, "code", where, &s->code);
	}
	if (!strcmp(u, "method")) {
		if (!part_text(p, part, "valueCode", where, "method", &code))
			return false;
		sp->has_method = true;
		if (!strcmp(code, "sum"))
			s->method = Q_SUM;
		else if (!strcmp(code, "mean"))
			s->method = Q_MEAN;
		else if (!strcmp(code, "weighted"))
			s->method = Q_WEIGHTED;
		else if (!strcmp(code, "top-box"))
			s->method = Q_TOP_BOX;
		else
			return fail(p, "%s: unknown method '%s'", where, code);
		return true;
	}
	if (!strcmp(u, "item"))
		return find_item(p, part, where, &sp->items[sp->n_items++]);
	if (!strcmp(u, "reverse"))
		return find_item(p, part, where, &sp->rev[sp->n_rev++]);
	if (!strcmp(u, "weight"))
		return read_weight(p, part, sp->witems, sp->wvals, &sp->n_w,
				   where);
	if (!strcmp(u, "topValue")) {
		s->has_top = true;
		return part_number(p, part, where, "topValue", &s->top);
	}
	if (!strcmp(u, "multiplier"))
		return part_number(p, part, where, "multiplier",
				   &s->multiplier);
	if (!strcmp(u, "minAnswered")) {
		v = json_object_get(part, "valueInteger");
		if (!json_is_integer(v))
			return fail(p, "%s: minAnswered is not a whole number",
				    where);
		sp->has_min_answered = true;
		sp->min_answered = json_integer_value(v);
		return true;
	}
	if (!strcmp(u, "missing")) {
		if (!part_text(p, part, "valueCode", where, "missing", &code))
			return false;
		if (strcmp(code, "none") && strcmp(code, "prorate"))
			return fail(p, "%s: missing is not 'none' or "
				       "'prorate'", where);
		s->prorate = !strcmp(code, "prorate");
		return true;
	}
	if (!strcmp(u, "min")) {
		s->has_min = true;
		return part_number(p, part, where, "min", &s->min);
	}
	if (!strcmp(u, "max")) {
		s->has_max = true;
		return part_number(p, part, where, "max", &s->max);
	}
	if (!strcmp(u, "band")) {
		if (s->n_bands >= Q_MAX_BANDS)
			return fail(p, "%s: more than %d bands", where,
				    Q_MAX_BANDS);
		return read_band(p, part, s, where);
	}
	return fail(p, "%s: unknown part '%s'", where, u);
}

/* Cross-checks of one score once all its parts are read. */
static bool
finish_score(struct parse *p, struct q_score *s, struct score_parts *sp,
	     const char *where)
{
	size_t i, k;

	if (!sp->has_method)
		return fail(p, "%s has no method", where);
	if (!sp->n_items)
		return fail(p, "%s has no items", where);
	s->items = sp->items;
	s->n_items = sp->n_items;
	if (!(s->reverse = arena_calloc(p->a, s->n_items, sizeof(bool))) ||
	    !(s->weights = arena_calloc(p->a, s->n_items, sizeof(double))))
		return oom(p);
	for (i = 0; i < s->n_items; i++) {
		if (!scorable(p, s->items[i], where))
			return false;
		if (score_index(s, s->items[i]) != i)
			return fail(p, "%s: item '%s' is listed twice", where,
				    s->items[i]->link_id);
		s->weights[i] = 1;
	}
	for (i = 0; i < sp->n_rev; i++) {
		if ((k = score_index(s, sp->rev[i])) == s->n_items)
			return fail(p, "%s: reverse item '%s' is not one of "
				       "its items", where, sp->rev[i]->link_id);
		if (!reversible(sp->rev[i]))
			return fail(p, "%s: reverse item '%s' has no lowest "
				       "and highest value", where,
				    sp->rev[i]->link_id);
		s->reverse[k] = true;
	}
	if (sp->n_w && s->method != Q_WEIGHTED)
		return fail(p, "%s: weights are only for the weighted method",
			    where);
	for (i = 0; i < sp->n_w; i++) {
		if ((k = score_index(s, sp->witems[i])) == s->n_items)
			return fail(p, "%s: weighted item '%s' is not one of "
				       "its items", where,
				    sp->witems[i]->link_id);
		s->weights[k] = sp->wvals[i];
	}
	if (s->method == Q_WEIGHTED && sp->n_w != s->n_items)
		return fail(p, "%s: the weighted method needs one weight for "
			       "each item", where);
	if (s->method == Q_TOP_BOX && !s->has_top)
		return fail(p, "%s: top-box needs topValue", where);
	if (s->prorate && s->method != Q_SUM && s->method != Q_WEIGHTED)
		return fail(p, "%s: missing 'prorate' is only for sum and "
			       "weighted scores", where);
	s->min_answered = s->n_items;
	if (sp->has_min_answered) {
		if (sp->min_answered < 1 ||
		    sp->min_answered > (int64_t)s->n_items)
			return fail(p, "%s: minAnswered is not from 1 to the "
				       "%zu items", where, s->n_items);
		s->min_answered = (size_t)sp->min_answered;
	}
	if (!isfinite(s->multiplier) || s->multiplier == 0)
		return fail(p, "%s: multiplier is not a number other than 0",
			    where);
	if (s->has_min && s->has_max && s->min > s->max)
		return fail(p, "%s: min is above max", where);
	return check_bands(p, s, where);
}

static bool
read_score(struct parse *p, json_t *ext, struct q_score *s)
{
	struct score_parts sp = {0};
	json_t *parts = json_object_get(ext, "extension"), *part;
	size_t i, n = json_array_size(parts);
	const char *where;

	s->multiplier = 1;
	json_array_foreach(parts, i, part)
		if (!strcmp(part_url(part), "name") &&
		    !part_text(p, part, "valueCode", "a score", "name",
			       &s->name))
			return false;
	if (!s->name)
		return fail(p, "a score has no name");
	if (!(where = arena_printf(p->a, "score '%s'", s->name)))
		return oom(p);
	for (i = 0; i < p->q->n_scores; i++)
		if (!strcmp(p->q->scores[i].name, s->name))
			return fail(p, "%s is defined twice", where);
	if (!(sp.items = arena_calloc(p->a, n ? n : 1, sizeof(*sp.items))) ||
	    !(sp.rev = arena_calloc(p->a, n ? n : 1, sizeof(*sp.rev))) ||
	    !(sp.witems = arena_calloc(p->a, n ? n : 1, sizeof(*sp.witems))) ||
	    !(sp.wvals = arena_calloc(p->a, n ? n : 1, sizeof(*sp.wvals))) ||
	    !(s->bands = arena_calloc(p->a, Q_MAX_BANDS, sizeof(*s->bands))))
		return oom(p);
	json_array_foreach(parts, i, part) {
		if (!json_is_object(part))
			return fail(p, "%s: a part is not an object", where);
		if (!read_score_part(p, part, s, &sp, where))
			return false;
	}
	return finish_score(p, s, &sp, where);
}

static bool
read_flag(struct parse *p, json_t *ext, struct q_flag *f, size_t index)
{
	bool has_above = false;
	const char *where, *name;
	json_t *part;
	size_t i;

	if (!(where = arena_printf(p->a, "flag %zu", index + 1)))
		return oom(p);
	json_array_foreach(json_object_get(ext, "extension"), i, part) {
		const char *u = part_url(part);

		if (!strcmp(u, "item")) {
			if (!find_item(p, part, where, &f->item) ||
			    !scorable(p, f->item, where))
				return false;
		} else if (!strcmp(u, "score")) {
			if (!part_text(p, part, "valueCode", where, "score",
				       &name))
				return false;
			if (!(f->score = q_score_get(p->q, name)))
				return fail(p, "%s: score '%s' is not defined",
					    where, name);
		} else if (!strcmp(u, "above")) {
			if (!part_number(p, part, where, "above", &f->above))
				return false;
			has_above = true;
		} else if (!strcmp(u, "code")) {
			if (!part_text(p, part, "valueCode", where, "code",
				       &f->code))
				return false;
		} else if (!strcmp(u, "label")) {
			if (!part_text(p, part, "valueString", where, "label",
				       &f->label))
				return false;
		} else if (!strcmp(u, "urgent")) {
			json_t *v = json_object_get(part, "valueBoolean");

			if (!json_is_boolean(v))
				return fail(p, "%s: urgent is not true or "
					       "false", where);
			f->urgent = json_is_true(v);
		} else {
			return fail(p, "%s: unknown part '%s'", where, u);
		}
	}
	if (!f->item == !f->score)
		return fail(p, "%s needs an item or a score (one of them)",
			    where);
	if (!has_above || !f->code || !f->label)
		return fail(p, "%s needs above, code and label", where);
	return true;
}

/* Counts the extensions of `q` with `url`. */
static size_t
count_ext(json_t *root, const char *url)
{
	json_t *e;
	size_t i, n = 0;

	json_array_foreach(json_object_get(root, "extension"), i, e)
		if (!strcmp(part_url(e), url))
			n++;
	return n;
}

static bool
read_rules(struct parse *p, json_t *root)
{
	struct questionnaire *q = p->q;
	size_t ns = count_ext(root, Q_EXT_SCORE);
	size_t nf = count_ext(root, Q_EXT_FLAG), i;
	json_t *e;

	if (ns > Q_MAX_SCORES)
		return fail(p, "more than %d scores", Q_MAX_SCORES);
	if (nf > Q_MAX_FLAGS)
		return fail(p, "more than %d flags", Q_MAX_FLAGS);
	q->scores = arena_calloc(p->a, ns ? ns : 1, sizeof(*q->scores));
	q->flags = arena_calloc(p->a, nf ? nf : 1, sizeof(*q->flags));
	if (!q->scores || !q->flags)
		return oom(p);
	/* Scores first, so a flag may name any of them. */
	json_array_foreach(json_object_get(root, "extension"), i, e) {
		if (strcmp(part_url(e), Q_EXT_SCORE))
			continue;
		if (!read_score(p, e, &q->scores[q->n_scores]))
			return false;
		q->n_scores++;
	}
	json_array_foreach(json_object_get(root, "extension"), i, e) {
		if (strcmp(part_url(e), Q_EXT_FLAG))
			continue;
		if (!read_flag(p, e, &q->flags[q->n_flags], q->n_flags))
			return false;
		q->n_flags++;
	}
	return true;
}

/* The LOINC panel code from `code`, else from `identifier`. */
static bool
read_panel_code(struct parse *p, json_t *root)
{
	struct questionnaire *q = p->q;
	json_t *codes, *ids, *c;
	size_t i;

	if (!get_array(p, root, "code", "the questionnaire", &codes) ||
	    !get_array(p, root, "identifier", "the questionnaire", &ids))
		return false;
	json_array_foreach(codes, i, c) {
		const char *sys = json_string_value(json_object_get(c,
								    "system"));

		if (sys && !strcmp(sys, Q_LOINC) &&
		    json_is_string(json_object_get(c, "code")))
			return get_str(p, c, "code", "code", &q->code) &&
			       get_str(p, c, "display", "code",
				       &q->code_display);
	}
	json_array_foreach(ids, i, c) {
		const char *sys = json_string_value(json_object_get(c,
								    "system"));

		if (sys && !strcmp(sys, Q_LOINC) &&
		    json_is_string(json_object_get(c, "value")))
			return get_str(p, c, "value", "identifier", &q->code);
	}
	return true;
}

static bool
read_missing_lang(struct parse *p, json_t *root)
{
	struct questionnaire *q = p->q;
	size_t n = count_ext(root, Q_EXT_TRANSLATION_MISSING), i;
	json_t *e;

	if (!n)
		return true;
	if (!(q->missing_lang = arena_calloc(p->a, n, sizeof(char *))))
		return oom(p);
	json_array_foreach(json_object_get(root, "extension"), i, e) {
		if (strcmp(part_url(e), Q_EXT_TRANSLATION_MISSING))
			continue;
		if (!part_text(p, e, "valueCode", "translation-missing",
			       "language", &q->missing_lang[q->n_missing_lang]))
			return false;
		q->n_missing_lang++;
	}
	return true;
}

static bool
read_questionnaire(struct parse *p, json_t *root)
{
	struct questionnaire *q = p->q;
	json_t *items, *exts;
	const char *rt;

	if (!json_is_object(root))
		return fail(p, "not a Questionnaire: the JSON is not an "
			       "object");
	rt = json_string_value(json_object_get(root, "resourceType"));
	if (!rt || strcmp(rt, "Questionnaire"))
		return fail(p, "not a Questionnaire (resourceType is '%s')",
			    rt ? rt : "missing");
	if (!get_array(p, root, "contained", "the questionnaire",
		       &p->contained) ||
	    !get_array(p, root, "item", "the questionnaire", &items) ||
	    !get_array(p, root, "extension", "the questionnaire", &exts) ||
	    !get_str(p, root, "id", "id", &q->id) ||
	    !get_str(p, root, "url", "url", &q->url) ||
	    !get_str(p, root, "version", "version", &q->version) ||
	    !get_str(p, root, "name", "name", &q->name) ||
	    !get_str(p, root, "title", "title", &q->title) ||
	    !get_str(p, root, "description", "description",
		     &q->description) ||
	    !get_str(p, root, "copyright", "copyright", &q->copyright) ||
	    !get_str(p, root, "language", "language", &q->language) ||
	    !read_panel_code(p, root) || !read_missing_lang(p, root))
		return false;
	if (q->url && strchr(q->url, '|'))
		return fail(p, "the url holds '|'");
	items = json_object_get(root, "item");
	if (!json_array_size(items))
		return fail(p, "the questionnaire has no items");
	if (!(p->all = arena_calloc(p->a, Q_MAX_ITEMS, sizeof(*p->all))) ||
	    !(p->ew = arena_calloc(p->a, Q_MAX_ITEMS, sizeof(*p->ew))))
		return oom(p);
	return read_items(p, items, NULL, 0, &q->items, &q->n_items) &&
	       index_items(p) && read_all_enable_when(p) && no_cycles(p) &&
	       read_rules(p, root);
}

enum err
q_parse_json(struct arena *a, json_t *root, struct questionnaire **out,
	     const char **why)
{
	struct parse p = {.a = a, .err = ERR_OK};

	if (!(p.q = arena_alloc(a, sizeof(*p.q)))) {
		*why = err_str(ERR_NOMEM);
		return ERR_NOMEM;
	}
	if (!read_questionnaire(&p, root)) {
		*why = p.why;
		return p.err;
	}
	*out = p.q;
	*why = NULL;
	return ERR_OK;
}

enum err
q_parse(struct arena *a, const char *json, size_t len,
	struct questionnaire **out, const char **why)
{
	json_error_t jerr;
	json_t *root;
	enum err e;

	if (len > Q_MAX_JSON) {
		*why = "the questionnaire is larger than 4 MiB";
		return ERR_TOO_LARGE;
	}
	if (!(root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr))) {
		*why = arena_printf(a, "not JSON: %s (line %d)", jerr.text,
				    jerr.line);
		if (!*why)
			*why = "not JSON";
		return ERR_INVALID;
	}
	e = q_parse_json(a, root, out, why);
	json_decref(root);
	return e;
}

const struct q_score *
q_score_get(const struct questionnaire *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->n_scores; i++)
		if (!strcmp(q->scores[i].name, name))
			return &q->scores[i];
	return NULL;
}

bool
q_is_named(const struct questionnaire *q, const char *ref)
{
	const char *bar = strchr(ref, '|'), *slash;
	size_t len = bar ? (size_t)(bar - ref) : strlen(ref);

	if (q->url && strlen(q->url) == len && !strncmp(ref, q->url, len))
		return !bar || !q->version || !strcmp(bar + 1, q->version);
	if (!q->id || bar)
		return false;
	/* "Questionnaire/gcs", or an absolute address ending so. */
	slash = strrchr(ref, '/');
	if (!slash || strcmp(slash + 1, q->id))
		return false;
	return (size_t)(slash - ref) >= 13 &&
	       !strncmp(slash - 13, "Questionnaire", 13) &&
	       (slash - ref == 13 || slash[-14] == '/');
}

char *
q_canonical(struct arena *a, const struct questionnaire *q)
{
	if (!q->url)
		return NULL;
	if (!q->version)
		return arena_strdup(a, q->url);
	return arena_printf(a, "%s|%s", q->url, q->version);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */

void
q_answers_init(struct q_answers *ans)
{
	memset(ans, 0, sizeof(*ans));
}

enum err
q_answers_set(struct arena *a, struct q_answers *ans,
	      const struct q_item *item, struct q_value *values, size_t n)
{
	struct q_answer *grown;
	size_t i;

	for (i = 0; i < ans->n; i++) {
		if (ans->p[i].item != item)
			continue;
		if (n) {
			ans->p[i].values = values;
			ans->p[i].n = n;
		} else {
			memmove(&ans->p[i], &ans->p[i + 1],
				(ans->n - i - 1) * sizeof(ans->p[0]));
			ans->n--;
		}
		return ERR_OK;
	}
	if (!n)
		return ERR_OK;
	if (ans->n >= Q_MAX_ITEMS)
		return ERR_TOO_LARGE;
	if (ans->n == ans->cap) {
		size_t cap = ans->cap ? ans->cap * 2 : 16;

		if (!(grown = arena_calloc(a, cap, sizeof(*grown))))
			return ERR_NOMEM;
		if (ans->n)
			memcpy(grown, ans->p, ans->n * sizeof(*grown));
		ans->p = grown;
		ans->cap = cap;
	}
	ans->p[ans->n].item = item;
	ans->p[ans->n].values = values;
	ans->p[ans->n++].n = n;
	return ERR_OK;
}

const struct q_answer *
q_answers_get(const struct q_answers *ans, const struct q_item *item)
{
	size_t i;

	for (i = 0; i < ans->n; i++)
		if (ans->p[i].item == item)
			return &ans->p[i];
	return NULL;
}

bool
q_value_number(const struct q_value *v, double *out)
{
	if (v->option) {
		*out = v->option->value;
		return v->option->has_value;
	}
	switch (v->kind) {
	case QV_INTEGER:
	case QV_DECIMAL:
		*out = v->num;
		return true;
	case QV_BOOLEAN:
		*out = v->b ? 1 : 0;
		return true;
	default:
		return false;
	}
}

/* --- enableWhen -------------------------------------------------------- */

static bool
is_num_kind(enum q_kind k)
{
	return k == QV_INTEGER || k == QV_DECIMAL;
}

static bool
value_eq(const struct q_value *x, const struct q_value *y)
{
	if (is_num_kind(x->kind) && is_num_kind(y->kind))
		return x->num == y->num;
	if (x->kind != y->kind)
		return false;
	switch (x->kind) {
	case QV_BOOLEAN:
		return x->b == y->b;
	case QV_STRING:
	case QV_DATE:
		return !strcmp(x->text, y->text);
	case QV_CODING:
		return !strcmp(x->code, y->code) &&
		       (!x->system || !y->system ||
			!strcmp(x->system, y->system));
	default:
		return false;
	}
}

/* Orders `x` against `y` into *out; false when they have no order. */
static bool
value_cmp(const struct q_value *x, const struct q_value *y, int *out)
{
	if (is_num_kind(x->kind) && is_num_kind(y->kind)) {
		*out = x->num < y->num ? -1 : x->num > y->num;
		return true;
	}
	if (x->kind != y->kind ||
	    (x->kind != QV_STRING && x->kind != QV_DATE))
		return false;
	*out = strcmp(x->text, y->text);
	return true;
}

/* One evaluation of enabled states, memoised: a condition's question may
 * be shared by many items, and chains of conditions would otherwise be
 * evaluated again and again. */
struct enabled {
	const struct questionnaire *q;
	const struct q_answer *by_index[Q_MAX_ITEMS];
	unsigned char memo[Q_MAX_ITEMS];	/* 0 unknown, 1 off, 2 on */
};

static void
enabled_init(struct enabled *e, const struct questionnaire *q,
	     const struct q_answers *ans)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	e->q = q;
	for (i = 0; ans && i < ans->n; i++) {
		const struct q_item *it = ans->p[i].item;

		if (it->index < q->n_all && q->all[it->index] == it)
			e->by_index[it->index] = &ans->p[i];
	}
}

static bool enabled_item(struct enabled *e, const struct q_item *it);

static bool
condition_holds(struct enabled *e, const struct q_enable_when *w)
{
	const struct q_answer *a = NULL;
	size_t i, n;
	int c;

	/* A disabled question counts as unanswered (FHIR R4). */
	if (enabled_item(e, w->question))
		a = e->by_index[w->question->index];
	n = a ? a->n : 0;
	switch (w->op) {
	case Q_OP_EXISTS:
		return (n > 0) == w->answer.b;
	case Q_OP_EQ:
		for (i = 0; i < n; i++)
			if (value_eq(&a->values[i], &w->answer))
				return true;
		return false;
	case Q_OP_NE:
		for (i = 0; i < n; i++)
			if (value_eq(&a->values[i], &w->answer))
				return false;
		return true;
	default:
		for (i = 0; i < n; i++) {
			if (!value_cmp(&a->values[i], &w->answer, &c))
				continue;
			if ((w->op == Q_OP_GT && c > 0) ||
			    (w->op == Q_OP_LT && c < 0) ||
			    (w->op == Q_OP_GE && c >= 0) ||
			    (w->op == Q_OP_LE && c <= 0))
				return true;
		}
		return false;
	}
}

static bool
enabled_item(struct enabled *e, const struct q_item *it)
{
	bool on = true;
	size_t i;

	if (it->index >= e->q->n_all || e->q->all[it->index] != it)
		return false;
	if (e->memo[it->index])
		return e->memo[it->index] == 2;
	if (it->parent && !enabled_item(e, it->parent))
		on = false;
	else if (it->n_enable_when) {
		/* Parsing refused cycles, so this recursion ends. */
		on = !it->enable_any;
		for (i = 0; i < it->n_enable_when; i++) {
			bool holds = condition_holds(e, &it->enable_when[i]);

			if (it->enable_any && holds) {
				on = true;
				break;
			}
			if (!it->enable_any && !holds) {
				on = false;
				break;
			}
		}
	}
	e->memo[it->index] = on ? 2 : 1;
	return on;
}

bool
q_item_enabled(const struct questionnaire *q, const struct q_answers *ans,
	       const struct q_item *item)
{
	struct enabled e;	/* 4.5 KiB: Q_MAX_ITEMS bounds it */

	enabled_init(&e, q, ans);
	return enabled_item(&e, item);
}

/* --- checking values ---------------------------------------------------- */

/* Why a value is not allowed for an item. */
enum bad {
	BAD_NONE,
	BAD_TYPE,	/* the wrong kind of value */
	BAD_OPTION,	/* not one of the options */
	BAD_NO_LIST,	/* a choice without options cocare can offer */
	BAD_WHOLE,	/* not a whole number */
	BAD_LOW,
	BAD_HIGH,
	BAD_EARLY,
	BAD_LATE,
	BAD_DATE,	/* not a real date */
	BAD_LONG,
	BAD_CONTROL,	/* control characters or invalid UTF-8 */
	BAD_EMPTY,
	BAD__MAX
};

/* For people filling in a form (msgids, translated by the page). */
static const char *const bad_form[BAD__MAX] = {
	[BAD_TYPE] = N_("Choose one of the answers offered."),
	[BAD_OPTION] = N_("Choose one of the answers offered."),
	[BAD_NO_LIST] = N_("This question cannot be answered here."),
	[BAD_WHOLE] = N_("Enter a whole number."),
	[BAD_LOW] = N_("Enter a larger number."),
	[BAD_HIGH] = N_("Enter a smaller number."),
	[BAD_EARLY] = N_("Enter a later date."),
	[BAD_LATE] = N_("Enter an earlier date."),
	[BAD_DATE] = N_("Enter a real date, for example 2027-03-31."),
	[BAD_LONG] = N_("Shorten this answer."),
	[BAD_CONTROL] = N_("Remove the special characters from this text."),
	[BAD_EMPTY] = N_("Answer this question."),
};

/* For messages about a QuestionnaireResponse: "item 'x': ...". */
static const char *const bad_response[BAD__MAX] = {
	[BAD_TYPE] = "the answer is of the wrong type",
	[BAD_OPTION] = "the answer is not one of its options",
	[BAD_NO_LIST] = "the item has no answer list",
	[BAD_WHOLE] = "the answer is not a whole number",
	[BAD_LOW] = "the answer is below its minValue",
	[BAD_HIGH] = "the answer is above its maxValue",
	[BAD_EARLY] = "the answer is before its minValue",
	[BAD_LATE] = "the answer is after its maxValue",
	[BAD_DATE] = "the answer is not a date YYYY-MM-DD",
	[BAD_LONG] = "the answer is too long",
	[BAD_CONTROL] = "the answer holds control characters",
	[BAD_EMPTY] = "the answer is empty",
};

/* The option of `it` that `v` names, or NULL. */
static const struct q_option *
option_of(const struct q_item *it, const struct q_value *v)
{
	size_t i;

	for (i = 0; i < it->n_options; i++) {
		const struct q_option *o = &it->options[i];

		if (v->kind == QV_CODING && o->kind == QV_CODING) {
			if (!strcmp(v->code, o->code) &&
			    (!v->system || !o->system ||
			     !strcmp(v->system, o->system)))
				return o;
		} else if (o->kind == QV_INTEGER && is_num_kind(v->kind)) {
			if (v->num == o->num)
				return o;
		} else if (o->kind == v->kind && v->text &&
			   (v->kind == QV_STRING || v->kind == QV_DATE)) {
			if (!strcmp(v->text, o->code))
				return o;
		}
	}
	return NULL;
}

static enum bad
text_allowed(const struct q_item *it, const char *s)
{
	size_t len = strlen(s), i;
	size_t max = it->max_length ? it->max_length : Q_TEXT_MAX;

	if (!len)
		return BAD_EMPTY;
	if (!utf8_valid(s, len))
		return BAD_CONTROL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return BAD_CONTROL;
	}
	return utf8_length(s, len) > max ? BAD_LONG : BAD_NONE;
}

/*
 * Whether `v` may answer `it`; sets v->option (and a coding's missing
 * display) for choices, and an integer item's kind.
 */
static enum bad
value_allowed(const struct q_item *it, struct q_value *v)
{
	int64_t t;

	v->option = NULL;
	switch (it->type) {
	case Q_BOOLEAN:
		return v->kind == QV_BOOLEAN ? BAD_NONE : BAD_TYPE;
	case Q_INTEGER:
	case Q_DECIMAL:
		if (!is_num_kind(v->kind) || !isfinite(v->num))
			return BAD_TYPE;
		if (it->type == Q_INTEGER &&
		    (v->num != floor(v->num) || fabs(v->num) > WHOLE_MAX))
			return BAD_WHOLE;
		v->kind = it->type == Q_INTEGER ? QV_INTEGER : QV_DECIMAL;
		if (it->has_min && v->num < it->min)
			return BAD_LOW;
		if (it->has_max && v->num > it->max)
			return BAD_HIGH;
		return BAD_NONE;
	case Q_DATE:
		if (v->kind != QV_DATE)
			return BAD_TYPE;
		if (!v->text || strlen(v->text) != 10 ||
		    !clock_parse_date(v->text, &t))
			return BAD_DATE;
		if (it->min_date && strcmp(v->text, it->min_date) < 0)
			return BAD_EARLY;
		if (it->max_date && strcmp(v->text, it->max_date) > 0)
			return BAD_LATE;
		return BAD_NONE;
	case Q_STRING:
	case Q_TEXT:
		return v->kind == QV_STRING ? text_allowed(it, v->text)
					    : BAD_TYPE;
	case Q_CHOICE:
	case Q_OPEN_CHOICE:
		if (!it->n_options) {
			/* An external list cocare cannot check: a coding is
			 * kept as given, and never has a value to score. */
			if (v->kind == QV_CODING && v->code && *v->code)
				return BAD_NONE;
			if (it->type == Q_OPEN_CHOICE && v->kind == QV_STRING)
				return text_allowed(it, v->text);
			return BAD_NO_LIST;
		}
		if ((v->option = option_of(it, v))) {
			if (v->kind == QV_CODING && !v->display)
				v->display = v->option->display;
			if (v->option->kind == QV_INTEGER)
				v->kind = QV_INTEGER;
			return BAD_NONE;
		}
		if (it->type == Q_OPEN_CHOICE && v->kind == QV_STRING)
			return text_allowed(it, v->text);
		return BAD_OPTION;
	default:
		return BAD_TYPE;
	}
}

/* --- form values ------------------------------------------------------- */

/*
 * Parses a decimal "-12.50" without strtod(), whose decimal point
 * follows the locale. Up to 15 significant digits, so the value is the
 * nearest double to what was typed.
 */
static bool
parse_decimal(const char *s, double *out)
{
	const char *c = s;
	int64_t mant = 0;
	int digits = 0, frac = 0;
	bool neg = false, point = false;

	if (*c == '-') {
		neg = true;
		c++;
	}
	if (!(*c >= '0' && *c <= '9'))
		return false;
	for (; *c; c++) {
		if (*c == '.' && !point) {
			point = true;
			if (!(c[1] >= '0' && c[1] <= '9'))
				return false;
			continue;
		}
		if (!(*c >= '0' && *c <= '9'))
			return false;
		if (mant == 0 && *c == '0' && !point)
			continue;
		if (++digits > 15)
			return false;
		mant = mant * 10 + (*c - '0');
		if (point)
			frac++;
	}
	*out = (double)mant;
	while (frac--)
		*out /= 10;
	if (neg)
		*out = -*out;
	return true;
}

/* Copies `s` trimmed, with CRLF and lone CR made LF. */
static char *
clean_text(struct arena *a, const char *s)
{
	struct str t = str_trim(str_c(s));
	char *out = arena_alloc(a, t.len + 1), *w = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < t.len; i++) {
		if (t.p[i] == '\r') {
			*w++ = '\n';
			if (i + 1 < t.len && t.p[i + 1] == '\n')
				i++;
		} else {
			*w++ = t.p[i];
		}
	}
	*w = '\0';
	return out;
}

/* One form string for `it` into `v`; a bad-value reason. */
static enum bad
form_value(struct arena *a, const struct q_item *it, const char *raw,
	   struct q_value *v)
{
	struct str t = str_trim(str_c(raw));
	char *s = str_dup(a, t);
	int64_t i64;
	size_t k;

	if (!s)
		return BAD__MAX;
	switch (it->type) {
	case Q_BOOLEAN:
		if (strcmp(s, "true") && strcmp(s, "false"))
			return BAD_TYPE;
		v->kind = QV_BOOLEAN;
		v->b = !strcmp(s, "true");
		break;
	case Q_INTEGER:
		if (t.len > TEXT_NUMBER_MAX ||
		    !str_to_i64(t, -(int64_t)WHOLE_MAX, (int64_t)WHOLE_MAX,
				&i64))
			return BAD_WHOLE;
		v->kind = QV_INTEGER;
		v->num = (double)i64;
		break;
	case Q_DECIMAL:
		if (t.len > TEXT_NUMBER_MAX || !parse_decimal(s, &v->num))
			return BAD_TYPE;
		v->kind = QV_DECIMAL;
		break;
	case Q_DATE:
		v->kind = QV_DATE;
		v->text = s;
		break;
	case Q_STRING:
	case Q_TEXT:
		v->kind = QV_STRING;
		if (!(v->text = clean_text(a, raw)))
			return BAD__MAX;
		break;
	case Q_CHOICE:
	case Q_OPEN_CHOICE:
		if (!it->n_options)
			return BAD_NO_LIST;
		for (k = 0; k < it->n_options; k++) {
			const struct q_option *o = &it->options[k];

			if (strcmp(o->code, s))
				continue;
			v->kind = o->kind;
			v->system = o->system;
			v->code = o->kind == QV_CODING ? o->code : NULL;
			v->display = o->kind == QV_CODING ? o->display : NULL;
			v->text = o->kind == QV_CODING ? NULL : o->code;
			v->num = o->num;
			break;
		}
		if (k == it->n_options) {
			if (it->type == Q_CHOICE)
				return BAD_OPTION;
			v->kind = QV_STRING;
			if (!(v->text = clean_text(a, raw)))
				return BAD__MAX;
		}
		break;
	default:
		return BAD_TYPE;
	}
	return value_allowed(it, v);
}

enum err
q_answer_from_form(struct arena *a, const struct q_item *item,
		   const char *const *strings, size_t n,
		   struct q_value **out, size_t *n_out, const char **why)
{
	struct q_value *vals;
	size_t i, j, k = 0;
	enum bad b;

	*out = NULL;
	*n_out = 0;
	*why = NULL;
	for (i = 0; i < n; i++)
		if (strings[i] && str_trim(str_c(strings[i])).len)
			k++;
	if (!k)
		return ERR_OK;
	if (!q_item_is_question(item)) {
		*why = N_("This question does not take an answer.");
		return ERR_INVALID;
	}
	if (k > 1 && !item->repeats) {
		*why = N_("Choose only one answer.");
		return ERR_INVALID;
	}
	if (k > Q_MAX_ANSWERS) {
		*why = N_("Choose fewer answers.");
		return ERR_INVALID;
	}
	if (!(vals = arena_calloc(a, k, sizeof(*vals))))
		return ERR_NOMEM;
	k = 0;
	for (i = 0; i < n; i++) {
		if (!strings[i] || !str_trim(str_c(strings[i])).len)
			continue;
		b = form_value(a, item, strings[i], &vals[k]);
		if (b == BAD__MAX)
			return ERR_NOMEM;
		if (b != BAD_NONE) {
			*why = bad_form[b];
			return ERR_INVALID;
		}
		/* A box ticked twice is one answer. */
		for (j = 0; j < k; j++)
			if (value_eq(&vals[j], &vals[k]))
				break;
		if (j == k)
			k++;
	}
	*out = vals;
	*n_out = k;
	return ERR_OK;
}

/* --- checking a set of answers ---------------------------------------- */

/* True when a question under `it` (or `it`) is answered. */
static bool
answered_inside(const struct enabled *e, const struct q_item *it)
{
	size_t i;

	if (e->by_index[it->index])
		return true;
	for (i = 0; i < it->n_children; i++)
		if (answered_inside(e, &it->children[i]))
			return true;
	return false;
}

enum err
q_answers_check(struct arena *a, const struct questionnaire *q,
		struct q_answers *ans, bool complete, struct problems *ps)
{
	struct enabled en, *e = &en;
	size_t i, j, before = ps->n;
	bool bad = false;
	enum bad b;

	enabled_init(e, q, ans);
	for (i = 0; i < ans->n;) {
		struct q_answer *an = &ans->p[i];
		const struct q_item *it = an->item;

		if (it->index >= q->n_all || q->all[it->index] != it) {
			problems_add(ps, it->link_id,
				     N_("This question is not part of the "
					"questionnaire."));
			bad = true;
		} else if (!q_item_is_question(it)) {
			problems_add(ps, it->link_id,
				     N_("This question does not take an "
					"answer."));
			bad = true;
		} else if (!enabled_item(e, it)) {
			/* Hidden by an earlier answer: dropped, not wrong. */
			memmove(an, an + 1, (ans->n - i - 1) * sizeof(*an));
			ans->n--;
			continue;
		} else if (an->n > 1 && !it->repeats) {
			problems_add(ps, it->link_id,
				     N_("Choose only one answer."));
			bad = true;
		} else if (an->n > Q_MAX_ANSWERS) {
			problems_add(ps, it->link_id,
				     N_("Choose fewer answers."));
			bad = true;
		} else {
			for (j = 0; j < an->n; j++)
				if ((b = value_allowed(it, &an->values[j])) !=
				    BAD_NONE) {
					problems_add(ps, it->link_id,
						     bad_form[b]);
					bad = true;
					break;
				}
		}
		i++;
	}
	/* The memo saw the answers before the drop: rebuild the index. */
	enabled_init(e, q, ans);
	for (i = 0; complete && i < q->n_all; i++) {
		const struct q_item *it = q->all[i];

		if (!it->required || !enabled_item(e, it))
			continue;
		if (it->type == Q_GROUP && !answered_inside(e, it)) {
			problems_add(ps, it->link_id,
				     N_("Answer at least one question "
					"here."));
			bad = true;
		} else if (q_item_is_question(it) && !e->by_index[i]) {
			problems_add(ps, it->link_id,
				     N_("Answer this question."));
			bad = true;
		}
	}
	return bad || ps->n > before ? ERR_INVALID : ERR_OK;
}

/* --- QuestionnaireResponse in ------------------------------------------ */

struct reader {
	struct arena *a;
	const struct questionnaire *q;
	struct q_answers *out;
	bool *seen;
	const char *why;
	enum err err;
};

static bool
rfail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool
rfail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->why)
		return false;
	va_start(ap, fmt);
	r->why = arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	r->err = ERR_INVALID;
	if (!r->why) {
		r->why = err_str(ERR_NOMEM);
		r->err = ERR_NOMEM;
	}
	return false;
}

static bool
room(struct reader *r)
{
	if (!r->why) {
		r->why = err_str(ERR_NOMEM);
		r->err = ERR_NOMEM;
	}
	return false;
}

static char *
rdup(struct reader *r, json_t *s)
{
	char *c = arena_strndup(r->a, json_string_value(s),
				json_string_length(s));

	if (!c)
		room(r);
	return c;
}

/* Reads the value[x] of answer `ja` to `it` into `v`. */
static bool
read_value(struct reader *r, const struct q_item *it, json_t *ja,
	   struct q_value *v)
{
	const char *key, *vkey = NULL;
	json_t *jv, *val = NULL;

	json_object_foreach(ja, key, jv) {
		if (strncmp(key, "value", 5))
			continue;
		if (val)
			return rfail(r, "item '%s': an answer has two values",
				     it->link_id);
		vkey = key;
		val = jv;
	}
	if (!val)
		return rfail(r, "item '%s': an answer has no value",
			     it->link_id);
	if (!strcmp(vkey, "valueBoolean") && json_is_boolean(val)) {
		v->kind = QV_BOOLEAN;
		v->b = json_is_true(val);
	} else if (!strcmp(vkey, "valueInteger") && json_is_integer(val)) {
		v->kind = QV_INTEGER;
		v->num = (double)json_integer_value(val);
	} else if (!strcmp(vkey, "valueDecimal") && is_number(val)) {
		v->kind = QV_DECIMAL;
		v->num = json_number_value(val);
	} else if (!strcmp(vkey, "valueString") && json_is_string(val)) {
		v->kind = QV_STRING;
		if (!(v->text = rdup(r, val)))
			return false;
	} else if (!strcmp(vkey, "valueDate") && json_is_string(val)) {
		v->kind = QV_DATE;
		if (!(v->text = rdup(r, val)))
			return false;
	} else if (!strcmp(vkey, "valueCoding") && json_is_object(val)) {
		json_t *sys = json_object_get(val, "system");
		json_t *code = json_object_get(val, "code");
		json_t *disp = json_object_get(val, "display");

		v->kind = QV_CODING;
		if (!json_is_string(code) || !json_string_length(code) ||
		    (sys && !json_is_string(sys)) ||
		    (disp && !json_is_string(disp)))
			return rfail(r, "item '%s': a valueCoding without a "
					"code", it->link_id);
		if (!(v->code = rdup(r, code)) ||
		    (sys && !(v->system = rdup(r, sys))) ||
		    (disp && !(v->display = rdup(r, disp))))
			return false;
	} else if (!strcmp(vkey, "valueBoolean") ||
		   !strcmp(vkey, "valueInteger") ||
		   !strcmp(vkey, "valueDecimal") ||
		   !strcmp(vkey, "valueString") ||
		   !strcmp(vkey, "valueDate") ||
		   !strcmp(vkey, "valueCoding")) {
		return rfail(r, "item '%s': %s is not of its type",
			     it->link_id, vkey);
	} else {
		return rfail(r, "item '%s': a %s answer, but it is a %s item",
			     it->link_id, vkey, it->type_name);
	}
	return true;
}

static bool read_response_items(struct reader *r, json_t *arr,
				const struct q_item *parent);

static bool
read_question(struct reader *r, const struct q_item *it, json_t *answers)
{
	size_t i, n = json_array_size(answers);
	struct q_value *vals;
	enum bad b;
	json_t *ja;

	if (n > Q_MAX_ANSWERS)
		return rfail(r, "item '%s': more than %d answers",
			     it->link_id, Q_MAX_ANSWERS);
	if (n > 1 && !it->repeats)
		return rfail(r, "item '%s': %zu answers, but it takes one",
			     it->link_id, n);
	if (!n)
		return true;
	if (!(vals = arena_calloc(r->a, n, sizeof(*vals))))
		return room(r);
	json_array_foreach(answers, i, ja) {
		json_t *kids;

		if (!json_is_object(ja))
			return rfail(r, "item '%s': an answer is not an "
					"object", it->link_id);
		if (!read_value(r, it, ja, &vals[i]))
			return false;
		if ((b = value_allowed(it, &vals[i])) != BAD_NONE)
			return rfail(r, "item '%s': %s", it->link_id,
				     bad_response[b]);
		kids = json_object_get(ja, "item");
		if (kids && !read_response_items(r, kids, it))
			return false;
	}
	if (q_answers_set(r->a, r->out, it, vals, n) != ERR_OK)
		return room(r);
	return true;
}

static bool
read_response_item(struct reader *r, json_t *ji, const struct q_item *parent)
{
	const struct q_item *it;
	json_t *lid, *answers, *kids;

	if (!json_is_object(ji))
		return rfail(r, "an item is not an object");
	lid = json_object_get(ji, "linkId");
	if (!json_is_string(lid))
		return rfail(r, "an item has no linkId");
	if (!(it = q_item_get(r->q, json_string_value(lid))))
		return rfail(r, "item '%s' is not in the questionnaire",
			     json_string_value(lid));
	if (it->parent != parent)
		return rfail(r, "item '%s' is not where the questionnaire "
				"puts it", it->link_id);
	if (r->seen[it->index])
		return rfail(r, "item '%s' is given twice", it->link_id);
	r->seen[it->index] = true;
	answers = json_object_get(ji, "answer");
	kids = json_object_get(ji, "item");
	if ((answers && !json_is_array(answers)) ||
	    (kids && !json_is_array(kids)))
		return rfail(r, "item '%s': answer or item is not a list",
			     it->link_id);
	if (it->type == Q_GROUP) {
		if (json_array_size(answers))
			return rfail(r, "group '%s' has answers", it->link_id);
		return !kids || read_response_items(r, kids, it);
	}
	if (!q_item_is_question(it)) {
		/* A stored total or a display text: recomputed or shown by
		 * cocare itself, never taken from the response. */
		return true;
	}
	if (!read_question(r, it, answers))
		return false;
	/* Items under a question belong under its answers (FHIR), but
	 * some writers put them beside; both are read. */
	return !kids || read_response_items(r, kids, it);
}

static bool
read_response_items(struct reader *r, json_t *arr,
		    const struct q_item *parent)
{
	json_t *ji;
	size_t i;

	if (!json_is_array(arr))
		return rfail(r, "'item' is not a list");
	json_array_foreach(arr, i, ji)
		if (!read_response_item(r, ji, parent))
			return false;
	return true;
}

enum err
q_answers_from_json(struct arena *a, const struct questionnaire *q,
		    json_t *root, struct q_answers *out, const char **why)
{
	struct reader r = {.a = a, .q = q, .err = ERR_OK};
	struct q_answers ans;
	const char *rt, *canon;
	json_t *items;

	q_answers_init(&ans);
	r.out = &ans;
	*why = NULL;
	if (!json_is_object(root) ||
	    !(rt = json_string_value(json_object_get(root, "resourceType"))) ||
	    strcmp(rt, "QuestionnaireResponse")) {
		*why = "not a QuestionnaireResponse";
		return ERR_INVALID;
	}
	canon = json_string_value(json_object_get(root, "questionnaire"));
	if (canon && !q_is_named(q, canon)) {
		*why = arena_printf(a, "the response is for questionnaire "
				       "'%s', not this one", canon);
		return *why ? ERR_INVALID : ERR_NOMEM;
	}
	if (!(r.seen = arena_calloc(a, q->n_all ? q->n_all : 1, sizeof(bool))))
		return ERR_NOMEM;
	items = json_object_get(root, "item");
	if (items && !read_response_items(&r, items, NULL)) {
		*why = r.why;
		return r.err;
	}
	*out = ans;
	return ERR_OK;
}

enum err
q_answers_from_response(struct arena *a, const struct questionnaire *q,
			const char *json, size_t len, struct q_answers *out,
			const char **why)
{
	json_error_t jerr;
	json_t *root;
	enum err e;

	if (len > Q_MAX_RESPONSE_JSON) {
		*why = "the response is larger than 1 MiB";
		return ERR_TOO_LARGE;
	}
	if (!(root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr))) {
		*why = arena_printf(a, "not JSON: %s (line %d)", jerr.text,
				    jerr.line);
		if (!*why)
			*why = "not JSON";
		return ERR_INVALID;
	}
	e = q_answers_from_json(a, q, root, out, why);
	json_decref(root);
	return e;
}

/* --- QuestionnaireResponse out ----------------------------------------- */

static json_t *
value_json(const struct q_value *v)
{
	json_t *o = json_object(), *c;

	if (!o)
		return NULL;
	switch (v->kind) {
	case QV_BOOLEAN:
		json_object_set_new(o, "valueBoolean", json_boolean(v->b));
		break;
	case QV_INTEGER:
		json_object_set_new(o, "valueInteger",
				    json_integer((json_int_t)v->num));
		break;
	case QV_DECIMAL:
		json_object_set_new(o, "valueDecimal", json_real(v->num));
		break;
	case QV_STRING:
		json_object_set_new(o, "valueString", json_string(v->text));
		break;
	case QV_DATE:
		json_object_set_new(o, "valueDate", json_string(v->text));
		break;
	case QV_CODING:
		if (!(c = json_object()))
			break;
		if (v->system)
			json_object_set_new(c, "system",
					    json_string(v->system));
		json_object_set_new(c, "code", json_string(v->code));
		if (v->display)
			json_object_set_new(c, "display",
					    json_string(v->display));
		json_object_set_new(o, "valueCoding", c);
		break;
	default:
		break;
	}
	return o;
}

static json_t *items_json(const struct q_item *items, size_t n,
			  const struct q_answers *ans);

/* The response item for `it`, or NULL when there is nothing to say. */
static json_t *
item_json(const struct q_item *it, const struct q_answers *ans)
{
	const struct q_answer *an = q_answers_get(ans, it);
	json_t *o, *arr, *kids = NULL;
	size_t i;

	if (it->type == Q_DISPLAY)
		return NULL;
	if (it->type == Q_GROUP) {
		kids = items_json(it->children, it->n_children, ans);
		if (!kids)
			return NULL;
	} else if (!an || !q_item_is_question(it)) {
		return NULL;
	}
	if (!(o = json_object()))
		return NULL;
	json_object_set_new(o, "linkId", json_string(it->link_id));
	if (it->text)
		json_object_set_new(o, "text", json_string(it->text));
	if (it->type == Q_GROUP) {
		json_object_set_new(o, "item", kids);
		return o;
	}
	arr = json_array();
	for (i = 0; arr && i < an->n; i++)
		json_array_append_new(arr, value_json(&an->values[i]));
	/* Children of a question go under (its first) answer. */
	if (arr && (kids = items_json(it->children, it->n_children, ans)))
		json_object_set_new(json_array_get(arr, 0), "item", kids);
	json_object_set_new(o, "answer", arr);
	return o;
}

static json_t *
items_json(const struct q_item *items, size_t n, const struct q_answers *ans)
{
	json_t *arr = NULL, *o;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(o = item_json(&items[i], ans)))
			continue;
		if (!arr && !(arr = json_array())) {
			json_decref(o);
			return NULL;
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

enum err
q_answers_to_json(struct arena *a, const struct questionnaire *q,
		  const struct q_answers *ans,
		  const struct q_response_info *info, char **out)
{
	json_t *root = json_object(), *items;
	char *canon = q_canonical(a, q), *text;

	*out = NULL;
	if (!root)
		return ERR_NOMEM;
	json_object_set_new(root, "resourceType",
			    json_string("QuestionnaireResponse"));
	if (info && info->id)
		json_object_set_new(root, "id", json_string(info->id));
	if (canon)
		json_object_set_new(root, "questionnaire", json_string(canon));
	json_object_set_new(root, "status",
			    json_string(info && info->status ? info->status :
					"in-progress"));
	if (info && info->subject) {
		json_t *ref = json_object();

		json_object_set_new(ref, "reference",
				    json_string(info->subject));
		json_object_set_new(root, "subject", ref);
	}
	if (info && info->authored)
		json_object_set_new(root, "authored",
				    json_string(info->authored));
	if ((items = items_json(q->items, q->n_items, ans)))
		json_object_set_new(root, "item", items);
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
				JSON_REAL_PRECISION(15));
	json_decref(root);
	if (!text)
		return ERR_NOMEM;
	*out = arena_strdup(a, text);
	free(text);
	return *out ? ERR_OK : ERR_NOMEM;
}

const char *
q_title(const struct questionnaire *q)
{
	if (q->title && *q->title)
		return q->title;
	if (q->name && *q->name)
		return q->name;
	return q->url ? q->url : "";
}

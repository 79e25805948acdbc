/*
 * Shared search parameters (see search.h).
 */
#include "fhir/search.h"

#include <inttypes.h>
#include <string.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "core/str.h"
#include "fhir/datetime.h"
#include "people/patient.h"
#include "core/banned.h"

bool
fhir_date_param(struct fhir_call *c, const char *name, const char *v,
		int64_t *from, int64_t *to)
{
	static const char *const prefixes[] = {"eq", "ge", "gt", "le", "lt"};
	int64_t lo, hi;
	size_t i = 0;

	if (strlen(v) > 2 && v[0] >= 'a' && v[0] <= 'z') {
		for (i = 0; i < 5; i++)
			if (strncmp(v, prefixes[i], 2) == 0)
				break;
		if (i == 5) {
			fhir_fail(&c->oo, 400, "not-supported", name,
				  "Use the prefixes eq, ge, gt, le or lt with "
				  "a date.");
			return false;
		}
		v += 2;
	}
	if (!fhir_datetime_parse(v, &lo, &hi, NULL)) {
		fhir_fail(&c->oo, 400, "value", name,
			  "Write the date as YYYY, YYYY-MM, YYYY-MM-DD or a "
			  "date and time with its zone, like "
			  "2024-03-05T10:20:30Z.");
		return false;
	}
	/* A stored time is one instant: it matches a range that holds it. */
	switch (i) {
	case 0: /* eq */
		*from = lo > *from ? lo : *from;
		*to = hi < *to ? hi : *to;
		break;
	case 1: /* ge */
		*from = lo > *from ? lo : *from;
		break;
	case 2: /* gt */
		*from = hi > *from ? hi : *from;
		break;
	case 3: /* le */
		*to = hi < *to ? hi : *to;
		break;
	case 4: /* lt */
		*to = lo < *to ? lo : *to;
		break;
	}
	return true;
}

bool
fhir_ref_param(struct fhir_call *c, const char *name, const char *v,
	       const char *type, int64_t *out)
{
	if (fhir_ref_parse(v, type, out) || fhir_id_parse(v, out))
		return true;
	fhir_fail(&c->oo, 400, "value", name,
		  "Give the reference as Type/<id>, for example Patient/123.");
	return false;
}

const char *
fhir_cursor_make(struct fhir_call *c, int64_t key, int64_t id)
{
	return arena_printf(c->ctx->a, "%" PRId64 ".%" PRId64, key, id);
}

bool
fhir_cursor_parse(struct fhir_call *c, const struct fhir_search *q,
		  bool *has, int64_t *key, int64_t *id)
{
	const char *s = q->cursor, *dot;

	*has = false;
	if (!s)
		return true;
	dot = strchr(s, '.');
	if (dot && str_to_i64((struct str){s, (size_t)(dot - s)}, INT64_MIN,
			      INT64_MAX, key) &&
	    str_to_i64(str_c(dot + 1), 1, INT64_MAX, id)) {
		*has = true;
		return true;
	}
	fhir_fail(&c->oo, 400, "value", "_cursor",
		  "Follow the next link as it is.");
	return false;
}

/* Whether `v` sorts type `t`: one of its date parameters, with '-'
 * before it for newest first. */
static bool
sort_param(const struct fhir_type *t, const char *v)
{
	size_t k;

	if (v[0] == '-')
		v++;
	for (k = 0; t->params && t->params[k].name; k++)
		if (!strcmp(t->params[k].type, "date") &&
		    !strcmp(t->params[k].name, v))
			return true;
	return false;
}

enum err
fhir_search_parse(struct fhir_call *c, const struct fhir_type *t,
		  const struct fhir_kv *f, size_t n, struct fhir_search *q)
{
	struct fhir_param *p;
	size_t i;
	int64_t v;

	memset(q, 0, sizeof(*q));
	q->count = FHIR_COUNT_DEFAULT;
	if (!(p = arena_alloc(c->ctx->a, (n + 1) * sizeof(*p))))
		return ERR_NOMEM;
	q->p = p;
	for (i = 0; i < n; i++) {
		const char *name = f[i].name, *val = f[i].value;
		const char *colon = strchr(name, ':');

		if (!strcmp(name, "_format") || !strcmp(name, "_pretty"))
			continue;
		if (!strcmp(name, "_count")) {
			if (!str_to_i64(str_c(val), 0, FHIR_COUNT_MAX, &v)) {
				fhir_fail(&c->oo, 400, "value", "_count",
					  "_count is a whole number from 0 "
					  "to 1000.");
				return ERR_INVALID;
			}
			q->count = (int)v;
		} else if (!strcmp(name, "_summary")) {
			if (strcmp(val, "count") != 0) {
				fhir_fail(&c->oo, 400, "not-supported",
					  "_summary",
					  "Only _summary=count is supported.");
				return ERR_INVALID;
			}
			q->summary_count = true;
		} else if (!strcmp(name, "_sort")) {
			if (!sort_param(t, val)) {
				fhir_fail(&c->oo, 400, "not-supported",
					  "_sort",
					  "Sort by the type's date parameter, "
					  "such as date or -date (newest "
					  "first, the default).");
				return ERR_INVALID;
			}
			q->sort_oldest = val[0] != '-';
			q->sorted = true;
		} else if (!strcmp(name, "_cursor")) {
			q->cursor = val;
		} else if (!strcmp(name, "_include")) {
			size_t k;

			for (k = 0; t->includes && t->includes[k]; k++)
				if (!strcmp(t->includes[k], val))
					break;
			if (!t->includes || !t->includes[k]) {
				fhir_fail(&c->oo, 400, "not-supported",
					  "_include",
					  "That _include is not supported "
					  "(see /fhir/metadata).");
				return ERR_INVALID;
			}
			q->include_patient = true;
		} else {
			p[q->n].name = colon ? arena_strndup(c->ctx->a, name,
							     (size_t)(colon -
								      name))
					     : name;
			p[q->n].modifier = colon ? colon + 1 : NULL;
			p[q->n].value = val;
			if (!p[q->n].name)
				return ERR_NOMEM;
			q->n++;
		}
	}
	if (q->count == 0)
		q->summary_count = true;
	return ERR_OK;
}


bool
fhir_no_sort(struct fhir_call *c, const struct fhir_search *q, const char *why)
{
	if (!q->sorted)
		return true;
	fhir_fail(&c->oo, 400, "not-supported", "_sort", why);
	return false;
}

enum err
fhir_org_patient(struct fhir_call *c, int64_t pid, struct patient *out)
{
	enum err e = patient_get(c->ctx->db, c->ctx->a, pid, out);

	/* Another organisation's patient does not exist for this one. */
	if (e == ERR_OK && out->org_id != c->ctx->actor.org_id)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND)
		fhir_fail(&c->oo, 404, "not-found", "patient",
			  "There is no such patient.");
	return e;
}

bool
fhir_patient_param(struct fhir_call *c, const struct fhir_param *x,
		   int64_t *pid, bool *no_match)
{
	int64_t v;

	if (x->modifier) {
		fhir_fail(&c->oo, 400, "not-supported", x->name,
			  "No modifiers on patient or subject.");
		return false;
	}
	if (!fhir_ref_param(c, x->name, x->value, "Patient", &v))
		return false;
	if (*pid && *pid != v)
		*no_match = true;
	*pid = v;
	return true;
}

enum err
fhir_search_patient(struct fhir_call *c, const char *type, int64_t pid,
		    enum resource res, const char *ask, int64_t *out)
{
	struct patient p;
	enum err e;

	/* A patient's token searches their own record. */
	if (!pid)
		pid = c->ctx->actor.patient_id;
	if (!pid) {
		fhir_fail(&c->oo, 400, "required", "patient", ask);
		return ERR_INVALID;
	}
	if ((e = fhir_org_patient(c, pid, &p)) != ERR_OK ||
	    (e = fhir_allow(c, type, SCOPE_SEARCH, pid, res, ACT_READ)) !=
		    ERR_OK)
		return e;
	fhir_audit_read(c, type, 0, pid);
	*out = pid;
	return ERR_OK;
}

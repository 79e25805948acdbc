/*
 * CarePlan: a patient's shared care plan (care/plan.h, with "what
 * matters to me" and the plan's reviews) and their crisis plan
 * (care/crisis.h), each one CarePlan with its own category. Read, and
 * search by patient, category and _lastUpdated, through the same domain
 * reads and the same policy resource as the plan and crisis pages.
 */
#include <string.h>

#include "auth/actor.h"
#include "care/crisis.h"
#include "care/matters.h"
#include "care/plan.h"
#include "fhir/care_int.h"
#include "fhir/care_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "people/patient.h"
#include "core/banned.h"

#define USCORE_CATEGORY \
	"http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
#define COCARE_CATEGORY "https://cocare.org/fhir/CodeSystem/careplan-category"

const struct fhir_search_param fhir_careplan_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{"category", "token",
	 "assess-plan (" USCORE_CATEGORY ") for the shared care plan, "
	 "crisis-plan (" COCARE_CATEGORY ") for the crisis plan."},
	{"_lastUpdated", "date",
	 "When the plan last changed, with the prefixes eq, ge, gt, le and "
	 "lt; repeat it for a range."},
	{NULL, NULL, NULL},
};

/* The shared care plan of patient `pid` as the plan page reads it, with
 * what matters and the reviews; ERR_NOT_FOUND when it has nothing. */
static enum err
shared_load(struct fhir_call *c, int64_t pid, json_t **out,
	    int64_t *updated_ms)
{
	struct db *db = c->ctx->db;
	struct arena *a = c->ctx->a;
	struct fhir_plan p = {.patient_id = pid};
	struct plan_item *items;
	struct plan_review *reviews;
	struct plan_step *last;
	struct matters m;
	size_t nlast;
	enum err e;

	if ((e = plan_version(db, pid, &p.plan_version)) != ERR_OK ||
	    (e = plan_items_list(db, a, pid, &items, &p.nitems)) != ERR_OK ||
	    (e = matters_get(db, a, pid, &m)) != ERR_OK ||
	    (e = plan_review_list(db, a, pid, &reviews, &p.nreviews)) !=
		    ERR_OK ||
	    (e = plan_review_count(db, pid, &p.review_count)) != ERR_OK ||
	    (e = plan_history(db, a, pid, 1, &last, &nlast)) != ERR_OK)
		return e;
	p.items = items;
	p.matters = &m;
	p.reviews = reviews;
	/* The newest step: a removed item leaves the list, not the plan's
	 * history. */
	p.changed_ms = nlast ? last[0].at_ms : 0;
	if (!fhir_plan_exists(&p))
		return ERR_NOT_FOUND;
	*updated_ms = fhir_plan_updated_ms(&p);
	*out = fhir_plan_json(&p);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The crisis plan of patient `pid`; ERR_NOT_FOUND when none was ever
 * written. */
static enum err
crisis_load(struct fhir_call *c, int64_t pid, json_t **out,
	    int64_t *updated_ms)
{
	struct crisis_plan cp;
	enum err e;

	if ((e = crisis_plan_get(c->ctx->db, c->ctx->a, pid, &cp)) != ERR_OK)
		return e;
	if (cp.doc.version == 0)
		return ERR_NOT_FOUND;
	*updated_ms = cp.doc.updated_ms;
	*out = fhir_crisis_json(c->ctx->a, pid, &cp);
	return *out ? ERR_OK : ERR_NOMEM;
}

static enum err
plan_load(struct fhir_call *c, int64_t pid, bool crisis, json_t **out,
	  int64_t *updated_ms)
{
	return crisis ? crisis_load(c, pid, out, updated_ms)
		      : shared_load(c, pid, out, updated_ms);
}

/* GET /fhir/CarePlan/<id>: 200; 403 (scopes or policy); 404 no such plan
 * or another organisation's patient. */
enum err
fhir_careplan_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct patient p;
	int64_t pid, updated;
	bool crisis;
	enum err e;

	if (!fhir_careplan_id_split(id, &pid, &crisis))
		return ERR_NOT_FOUND;
	if ((e = patient_get(c->ctx->db, c->ctx->a, pid, &p)) != ERR_OK)
		return e;
	if (p.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "CarePlan", SCOPE_READ, pid, RES_CARE_RECORD,
			    ACT_READ)) != ERR_OK ||
	    (e = plan_load(c, pid, crisis, out, &updated)) != ERR_OK)
		return e;
	fhir_audit_read(c, "CarePlan", id, pid);
	return ERR_OK;
}

/* The plans (bit 0 the shared plan, bit 1 the crisis plan) a category
 * parameter names. */
static unsigned
category_plans(const char *v)
{
	unsigned k = 0;

	if (fhir_care_token_matches(v, USCORE_CATEGORY, "assess-plan"))
		k |= 1;
	if (fhir_care_token_matches(v, COCARE_CATEGORY, "crisis-plan"))
		k |= 2;
	return k;
}

/*
 * GET /fhir/CarePlan?patient=...: 200 with the shared plan, then the
 * crisis plan (ids in that order), those that exist and match; 400 for
 * a parameter cocare does not answer; 403; 404 no such patient.
 */
enum err
fhir_careplan_search(struct fhir_call *c, const struct fhir_search *q,
		     struct fhir_page *out)
{
	int64_t pid = 0, from = INT64_MIN, to = INT64_MAX, key, after = 0;
	int64_t updated, id, last = 0;
	unsigned plans = 3;
	bool no_match = false, has_after, crisis;
	int n = 0, k;
	size_t i;
	json_t *r;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient") || !strcmp(x->name, "subject")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "category") && !x->modifier) {
			plans &= category_plans(x->value);
		} else if (!strcmp(x->name, "_lastUpdated") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value, &from, &to))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "CarePlan is searched by patient, subject, "
				  "category and _lastUpdated only.");
			return ERR_INVALID;
		}
	}
	if (!fhir_no_sort(c, q,
			       "Care plans come in one order: the shared "
			       "care plan, then the crisis plan."))
		return ERR_INVALID;
	if ((e = fhir_search_patient(
		     c, "CarePlan", pid, RES_CARE_RECORD,
		     "Say whose care plans: add patient=Patient/<id>.",
		     &pid)) != ERR_OK)
		return e;
	if (!fhir_cursor_parse(c, q, &has_after, &key, &after))
		return ERR_INVALID;
	out->total = 0;
	if (no_match || from >= to)
		return ERR_OK;
	for (k = 0; k < 2; k++) {
		crisis = k == 1;
		id = fhir_careplan_id(pid, crisis);
		if (!(plans & (1u << k)) ||
		    (has_after && !q->summary_count && id <= after))
			continue;
		e = plan_load(c, pid, crisis, &r, &updated);
		if (e == ERR_NOT_FOUND)
			continue;
		if (e != ERR_OK)
			return e;
		if (updated < from || updated >= to || q->summary_count) {
			out->total += updated >= from && updated < to;
			json_decref(r);
			continue;
		}
		if (n == q->count) {
			/* Another follows: this page ends before it. */
			out->next = fhir_cursor_make(c, 0, last);
			json_decref(r);
			break;
		}
		json_array_append_new(out->match, r);
		last = id;
		n++;
	}
	if (!q->summary_count)
		out->total = -1;
	return ERR_OK;
}

/*
 * Goal: the goals of a patient's shared care plan (care/plan.h), in the
 * patient's words with their clinical wording, sign of progress, target
 * date and agreement. Read, and search by patient, lifecycle-status and
 * _lastUpdated in the plan's order, through the same domain reads and
 * the same policy resource as the plan pages.
 */
#include <string.h>

#include "auth/actor.h"
#include "care/plan.h"
#include "care/version.h"
#include "fhir/care_int.h"
#include "fhir/care_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "core/banned.h"

#define GOAL_STATUS "http://hl7.org/fhir/goal-status"

const struct fhir_search_param fhir_goal_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{"lifecycle-status", "token",
	 "active (working on it), completed (achieved) or cancelled (no "
	 "longer a goal)."},
	{"_lastUpdated", "date",
	 "When the goal last changed, with the prefixes eq, ge, gt, le and "
	 "lt; repeat it for a range."},
	{NULL, NULL, NULL},
};

/* The lifecycle codes goals have, in the order of their bits. */
static const char *const lifecycles[] = {"active", "completed", "cancelled"};
#define LIFECYCLES (sizeof(lifecycles) / sizeof(lifecycles[0]))

static bool
is_goal(const struct plan_item *it)
{
	return it->kind && !strcmp(it->kind, CARE_GOAL);
}

/* A goal of a patient in the caller's organisation (perhaps taken off
 * the plan), or not found (an action, another organisation's). */
static enum err
load(struct fhir_call *c, int64_t id, struct plan_item *g)
{
	int64_t pid;
	enum err e;

	if ((e = plan_item_patient(c->ctx->db, id, &pid)) != ERR_OK ||
	    (e = plan_item_get(c->ctx->db, c->ctx->a, pid, id, g)) != ERR_OK)
		return e;
	if (g->org_id != c->ctx->actor.org_id || !is_goal(g))
		return ERR_NOT_FOUND;
	return ERR_OK;
}

/* GET /fhir/Goal/<id>: 200; 403 (scopes or policy); 404. */
enum err
fhir_goal_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct plan_item g;
	enum err e;

	if ((e = load(c, id, &g)) != ERR_OK)
		return e;
	if ((e = fhir_allow(c, "Goal", SCOPE_READ, g.patient_id,
			    RES_CARE_RECORD, ACT_READ)) != ERR_OK)
		return e;
	if (g.removed) {
		fhir_fail(&c->oo, 410, "deleted", NULL,
			  "This goal was taken off the plan.");
		return ERR_NOT_FOUND;
	}
	fhir_audit_read(c, "Goal", id, g.patient_id);
	*out = fhir_goal_json(&g);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The lifecycle codes (bits of `lifecycles`) a parameter names. */
static unsigned
lifecycle_bits(const char *v)
{
	unsigned k = 0;
	size_t i;

	for (i = 0; i < LIFECYCLES; i++)
		if (fhir_care_token_matches(v, GOAL_STATUS, lifecycles[i]))
			k |= 1u << i;
	return k;
}

static unsigned
lifecycle_bit(const struct plan_item *g)
{
	const char *code = fhir_goal_lifecycle(g->status);
	size_t i;

	for (i = 0; i < LIFECYCLES; i++)
		if (!strcmp(code, lifecycles[i]))
			return 1u << i;
	return 0;
}

/* Whether goal `g` comes after the cursor (position, id) in the plan. */
static bool
after_cursor(const struct plan_item *g, bool has, int64_t pos, int64_t id)
{
	return !has || g->position > pos || (g->position == pos && g->id > id);
}

/*
 * GET /fhir/Goal?patient=...: 200 with the goals in the plan's order,
 * pages continuing after the last goal shown; 400 for a parameter
 * cocare does not answer; 403; 404 no such patient.
 */
enum err
fhir_goal_search(struct fhir_call *c, const struct fhir_search *q,
		 struct fhir_page *out)
{
	int64_t pid = 0, from = INT64_MIN, to = INT64_MAX, pos, after;
	unsigned want = (1u << LIFECYCLES) - 1;
	bool no_match = false, has_after;
	struct plan_item *items, g;
	const struct plan_item *last = NULL;
	size_t i, n, shown = 0;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient") || !strcmp(x->name, "subject")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "lifecycle-status") &&
			   !x->modifier) {
			want &= lifecycle_bits(x->value);
		} else if (!strcmp(x->name, "_lastUpdated") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value, &from, &to))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Goal is searched by patient, subject, "
				  "lifecycle-status and _lastUpdated only.");
			return ERR_INVALID;
		}
	}
	if (!fhir_no_sort(c, q, "Goals come in the plan's order."))
		return ERR_INVALID;
	if ((e = fhir_search_patient(
		     c, "Goal", pid, RES_CARE_RECORD,
		     "Say whose goals: add patient=Patient/<id>.", &pid)) !=
	    ERR_OK)
		return e;
	if (!fhir_cursor_parse(c, q, &has_after, &pos, &after))
		return ERR_INVALID;
	out->total = 0;
	if (no_match || !want || from >= to)
		return ERR_OK;
	/* The plan page's list: goals in order, each with its actions. */
	if ((e = plan_items_list(c->ctx->db, c->ctx->a, pid, &items, &n)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		const struct plan_item *it = &items[i];

		if (!is_goal(it) || !(lifecycle_bit(it) & want) ||
		    it->updated_ms < from || it->updated_ms >= to)
			continue;
		if (q->summary_count) {
			out->total++;
			continue;
		}
		if (!after_cursor(it, has_after, pos, after))
			continue;
		if (shown == (size_t)q->count) {
			/* Another follows: this page ends before it. */
			out->next = fhir_cursor_make(c, last->position,
						     last->id);
			break;
		}
		/* Read in full, for who proposed and who disputes it. */
		if ((e = plan_item_get(c->ctx->db, c->ctx->a, pid, it->id,
				       &g)) != ERR_OK)
			return e;
		json_array_append_new(out->match, fhir_goal_json(&g));
		last = it;
		shown++;
	}
	if (!q->summary_count)
		out->total = -1;
	return ERR_OK;
}

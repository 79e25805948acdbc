/*
 * AuditEvent: the audit chain (auth/audit.h), read-only, with each
 * entry's place in the chain so an auditor can check it. A patient's
 * entries are for whom the access policy lets read their access log
 * (the patient, the privacy officers); the whole organisation's only for
 * the privacy officers (ORG_REVIEW_ACCESS), as on the pages /patients/
 * <id>/access and /privacy. A patient sees every entry of their record,
 * but not the records they may not read themselves (a withheld note)
 * nor why a note was withheld. Reading the log is audited too.
 */
#include <string.h>

#include "auth/actor.h"
#include "auth/audit.h"
#include "care/note.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "fhir/trail.h"
#include "people/patient.h"
#include "core/banned.h"

const struct fhir_search_param fhir_audit_event_params[] = {
	{"patient", "reference",
	 "Whose record: Patient/<id> or <id>. Needed, except with a "
	 "patient's own token and for a privacy officer, who may search the "
	 "whole organisation's log."},
	{"date", "date",
	 "When it happened, with the prefixes eq, ge, gt, le and lt; repeat "
	 "it for a range."},
	{"agent", "reference",
	 "Who did it: Practitioner/<id>, Patient/<id> (the patient's own "
	 "account) or <id> (any account)."},
	{NULL, NULL, NULL},
};

/* Whether the caller reviews access across the organisation. */
static bool
reviews_access(struct fhir_call *c)
{
	return policy_org_allows(&c->ctx->actor, c->ctx->actor.org_id,
				 ORG_REVIEW_ACCESS);
}

/*
 * What of entry `r` the caller is shown. A patient of another
 * organisation (an outsider's refused attempt) is shown to no one here,
 * nor their record; a privacy officer sees the rest; anyone else (the
 * patient) the records they may read themselves, and a note's withheld
 * reason only if they may read withheld notes.
 */
static enum err
view_of(struct fhir_call *c, const struct audit_row *r, bool reviewer,
	struct fhir_audit_view *v)
{
	struct decision d;
	enum err e;

	memset(v, 0, sizeof(*v));
	if (r->patient_id && r->patient_org_id != c->ctx->actor.org_id)
		return ERR_OK;
	v->patient = r->patient_id != 0;
	if (reviewer || !r->patient_id) {
		v->record = v->detail = true;
		return ERR_OK;
	}
	if ((e = fhir_record_visible(c, r->patient_id, r->resource_type,
				     r->resource_id, r->action,
				     &v->record)) != ERR_OK ||
	    !v->record)
		return e;
	v->detail = true;
	if (note_reason_label(r->detail)[0]) {
		if ((e = policy_check(c->ctx, r->patient_id,
				      RES_WITHHELD_NOTES, ACT_READ, &d)) !=
		    ERR_OK)
			return e;
		v->detail = d.allow;
	}
	return ERR_OK;
}

enum err
fhir_audit_event_read(struct fhir_call *c, int64_t seq, json_t **out)
{
	struct fhir_audit_view v;
	struct audit_row r;
	bool ours;
	enum err e = audit_get(c->ctx->db, c->ctx->a, seq, &r);

	if (e != ERR_OK)
		return e;
	ours = r.patient_id && r.patient_org_id == c->ctx->actor.org_id;
	if (ours)
		e = fhir_allow(c, "AuditEvent", SCOPE_READ, r.patient_id,
			       RES_ACCESS_LOG, ACT_READ);
	else if (r.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	else
		e = fhir_allow_org(c, "AuditEvent", SCOPE_READ,
				   ORG_REVIEW_ACCESS);
	if (e != ERR_OK ||
	    (e = view_of(c, &r, reviews_access(c), &v)) != ERR_OK)
		return e;
	fhir_audit_read(c, "AuditEvent", seq, ours ? r.patient_id : 0);
	*out = fhir_audit_json(&r, &v);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* An agent parameter: Practitioner/<id> or <id> (an account), or
 * Patient/<id> (that record's own account). False with an issue. */
static bool
agent_param(struct fhir_call *c, const char *v, struct audit_query *aq,
	    bool *no_match)
{
	int64_t id;

	if (fhir_ref_parse(v, "Patient", &id)) {
		if (aq->actor_patient_id && aq->actor_patient_id != id)
			*no_match = true;
		aq->actor_patient_id = id;
		return true;
	}
	if (fhir_ref_parse(v, "Practitioner", &id) || fhir_id_parse(v, &id)) {
		if (aq->actor_id && aq->actor_id != id)
			*no_match = true;
		aq->actor_id = id;
		return true;
	}
	fhir_fail(&c->oo, 400, "value", "agent",
		  "Give the agent as Practitioner/<id>, Patient/<id> or an "
		  "account's <id>.");
	return false;
}

static bool
read_params(struct fhir_call *c, const struct fhir_search *q,
	    struct audit_query *aq, bool *no_match)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (x->modifier) {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "AuditEvent takes no search modifiers.");
			return false;
		}
		if (!strcmp(x->name, "patient")) {
			if (!fhir_patient_param(c, x, &aq->patient_id,
						no_match))
				return false;
		} else if (!strcmp(x->name, "date")) {
			if (!fhir_date_param(c, "date", x->value, &aq->from_ms,
					     &aq->to_ms))
				return false;
		} else if (!strcmp(x->name, "agent")) {
			if (!agent_param(c, x->value, aq, no_match))
				return false;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "AuditEvent is searched by patient, date and "
				  "agent only.");
			return false;
		}
	}
	return true;
}

/* Whose log the search reads: one patient's, or (aq->patient_id 0)
 * the organisation's, each with its access check. */
static enum err
allow_search(struct fhir_call *c, struct audit_query *aq)
{
	struct patient p;
	enum err e;

	if (!aq->patient_id)
		aq->patient_id = c->ctx->actor.patient_id;
	if (!aq->patient_id) {
		aq->org_id = c->ctx->actor.org_id;
		return fhir_allow_org(c, "AuditEvent", SCOPE_SEARCH,
				      ORG_REVIEW_ACCESS);
	}
	if ((e = fhir_org_patient(c, aq->patient_id, &p)) != ERR_OK)
		return e;
	return fhir_allow(c, "AuditEvent", SCOPE_SEARCH, aq->patient_id,
			  RES_ACCESS_LOG, ACT_READ);
}

enum err
fhir_audit_event_search(struct fhir_call *c, const struct fhir_search *q,
			struct fhir_page *out)
{
	struct fhir_audit_view v;
	struct audit_query aq;
	struct audit_row *rows;
	bool no_match = false, has_after, reviewer = reviews_access(c);
	int64_t at_ms;
	size_t i, n;
	enum err e;

	memset(&aq, 0, sizeof(aq));
	aq.from_ms = INT64_MIN;
	aq.to_ms = INT64_MAX;
	if (!read_params(c, q, &aq, &no_match))
		return ERR_INVALID;
	if ((e = allow_search(c, &aq)) != ERR_OK)
		return e;
	fhir_audit_read(c, "AuditEvent", 0, aq.patient_id);
	aq.oldest_first = q->sort_oldest;
	/* The cursor is "<time>.<seq>"; the seq alone places the page. */
	if (!fhir_cursor_parse(c, q, &has_after, &at_ms, &aq.after_seq))
		return ERR_INVALID;
	if (no_match || aq.from_ms >= aq.to_ms) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return audit_search_count(c->ctx->db, &aq, &out->total);
	/* One more than asked tells whether another page follows. */
	aq.limit = (size_t)q->count + 1;
	if ((e = audit_search(c->ctx->db, c->ctx->a, &aq, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, rows[n - 1].at_ms,
					     rows[n - 1].seq);
	}
	for (i = 0; i < n; i++) {
		if ((e = view_of(c, &rows[i], reviewer, &v)) != ERR_OK)
			return e;
		json_array_append_new(out->match,
				      fhir_audit_json(&rows[i], &v));
	}
	return ERR_OK;
}

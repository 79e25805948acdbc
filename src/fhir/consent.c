/*
 * Consent: caregiver grants (people/careteam.h) as what they are, a
 * patient's consent to let a caregiver see or change parts of their
 * record, from a date, until a date or until withdrawn; and research
 * consents (people/research.h), each agreement from when it was given
 * until it was withdrawn, with ids FHIR_RESEARCH_CONSENT_BASE and up. A
 * grant has the same id as its RelatedPerson. The same readers for
 * both: the patient and the professionals of their care team, never a
 * caregiver. Every read is audited. Read-only here: both are given and
 * withdrawn on the patient's "People who help me" page.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "people/research.h"
#include "core/banned.h"

const struct fhir_search_param fhir_consent_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"status", "token",
	 "active (in force) or inactive (ended or withdrawn); other codes of "
	 "http://hl7.org/fhir/consent-state-codes match nothing."},
	{"date", "date",
	 "When it was granted, with the prefixes eq, ge, gt, le and lt; "
	 "repeat it for a range."},
	{"scope", "token",
	 "patient-privacy (caregiver grants) or research (research "
	 "consents), of http://terminology.hl7.org/CodeSystem/consentscope; "
	 "without it, both: grants first."},
	{NULL, NULL, NULL},
};

#define CONSENT_SCOPE_SYSTEM \
	"http://terminology.hl7.org/CodeSystem/consentscope"

/* The research agreement whose row is `rows[i]` of a patient's answers
 * (newest first), and the withdrawal that ended it, if any. */
static const struct research_consent *
ended_by(const struct research_consent *rows, size_t i)
{
	return i > 0 && !rows[i - 1].given ? &rows[i - 1] : NULL;
}

/* GET /fhir/Consent/<id> of a research consent. */
static enum err
research_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct research_consent r, *rows;
	size_t n, i;
	enum err e;

	if ((e = research_consent_get(c->ctx->db, c->ctx->a,
				      id - FHIR_RESEARCH_CONSENT_BASE, &r)) !=
	    ERR_OK)
		return e;
	if (!r.given || r.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "Consent", SCOPE_READ, r.patient_id,
			    RES_GRANTS, ACT_READ)) != ERR_OK ||
	    (e = research_consent_history(c->ctx->db, c->ctx->a,
					  r.patient_id, &rows, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n && rows[i].id != r.id; i++)
		;
	fhir_audit_read(c, "Consent", id, r.patient_id);
	*out = fhir_research_consent_json(&r, i < n ? ended_by(rows, i)
						    : NULL);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* What a research search keeps: state and when given. */
struct research_filter {
	enum grant_state state;
	int64_t from_ms, to_ms;
	bool has_after;
	int64_t after_ms, after_id;	/* the FHIR id */
};

/*
 * Patient `pid`'s research agreements that pass `f`, after its cursor,
 * in the search's order: counted into out->total, or added to out->match
 * up to `room`, with the next page's cursor when more follow.
 */
static enum err
research_page(struct fhir_call *c, const struct fhir_search *q, int64_t pid,
	      const struct research_filter *f, size_t room,
	      struct fhir_page *out)
{
	struct research_consent *rows;
	const struct research_consent *last = NULL;
	size_t n, k, shown = 0;
	enum err e;

	if ((e = research_consent_history(c->ctx->db, c->ctx->a, pid, &rows,
					  &n)) != ERR_OK)
		return e;
	for (k = 0; k < n; k++) {
		/* Newest first, or oldest first with _sort=date. */
		size_t i = q->sort_oldest ? n - 1 - k : k;
		const struct research_consent *r = &rows[i];
		int64_t fid = r->id + FHIR_RESEARCH_CONSENT_BASE;
		bool active = !ended_by(rows, i);

		if (!r->given || r->at_ms < f->from_ms || r->at_ms >= f->to_ms ||
		    (f->state == GRANT_ACTIVE && !active) ||
		    (f->state == GRANT_INACTIVE && active))
			continue;
		if (q->summary_count) {
			out->total++;
			continue;
		}
		if (f->has_after &&
		    (q->sort_oldest
			     ? (r->at_ms < f->after_ms ||
				(r->at_ms == f->after_ms && fid <= f->after_id))
			     : (r->at_ms > f->after_ms ||
				(r->at_ms == f->after_ms &&
				 fid >= f->after_id))))
			continue;
		if (shown == room) {
			if (last)
				out->next = fhir_cursor_make(
					c, last->at_ms,
					last->id + FHIR_RESEARCH_CONSENT_BASE);
			else	/* a full page of grants before it */
				out->next = fhir_cursor_make(
					c, q->sort_oldest ? INT64_MIN
							  : INT64_MAX,
					FHIR_RESEARCH_CONSENT_BASE);
			break;
		}
		json_array_append_new(out->match,
				      fhir_research_consent_json(
					      r, ended_by(rows, i)));
		last = r;
		shown++;
	}
	return ERR_OK;
}

enum err
fhir_consent_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct grant g;
	enum err e;

	if (id >= FHIR_RESEARCH_CONSENT_BASE)
		return research_read(c, id, out);
	if ((e = fhir_grant_read(c, "Consent", id, &g)) != ERR_OK)
		return e;
	*out = fhir_consent_json(&g, c->ctx->now);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The least Unix second at or after `ms` (no overflow at the ends). */
static int64_t
ceil_seconds(int64_t ms)
{
	return ms / 1000 + (ms % 1000 > 0);
}

enum err
fhir_consent_search(struct fhir_call *c, const struct fhir_search *q,
		    struct fhir_page *out)
{
	struct grant_query gq = {0};
	int64_t pid = 0, v, from_ms = INT64_MIN, to_ms = INT64_MAX;
	enum grant_state want = GRANT_ANY;
	struct research_filter rf = {0};
	bool no_match = false, grants = true, research = true;
	const char *code;
	size_t i, room;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!fhir_no_modifier(c, x))
			return ERR_INVALID;
		if (!strcmp(x->name, "patient")) {
			if (!fhir_ref_param(c, x->name, x->value, "Patient",
					    &v))
				return ERR_INVALID;
			if (pid && pid != v)
				no_match = true;
			pid = v;
		} else if (!strcmp(x->name, "status")) {
			code = fhir_token_code(x, FHIR_CONSENT_STATE_SYSTEM);
			if (code && !strcmp(code, "active"))
				want = GRANT_ACTIVE;
			else if (code && !strcmp(code, "inactive"))
				want = GRANT_INACTIVE;
			else
				no_match = true;	/* no grant has it */
			if (!no_match && gq.state != GRANT_ANY &&
			    gq.state != want)
				no_match = true;
			if (!no_match)
				gq.state = want;
		} else if (!strcmp(x->name, "scope")) {
			code = fhir_token_code(x, CONSENT_SCOPE_SYSTEM);
			grants &= code && !strcmp(code, "patient-privacy");
			research &= code && !strcmp(code, "research");
		} else if (!strcmp(x->name, "date")) {
			if (!fhir_date_param(c, "date", x->value, &from_ms,
					     &to_ms))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Consent is searched by patient, status and "
				  "date only.");
			return ERR_INVALID;
		}
	}
	/* Grants keep whole seconds: a second matches when its instant is
	 * in [from_ms, to_ms). */
	gq.from = ceil_seconds(from_ms);
	gq.to = ceil_seconds(to_ms);
	rf.state = gq.state;
	rf.from_ms = from_ms;
	rf.to_ms = to_ms;
	if (!fhir_cursor_parse(c, q, &rf.has_after, &rf.after_ms,
			       &rf.after_id))
		return ERR_INVALID;
	/* A cursor past the grants: research consents only. */
	if (rf.has_after && rf.after_id >= FHIR_RESEARCH_CONSENT_BASE)
		grants = false;
	else
		rf.has_after = false;
	if (grants) {
		/* The grants' page first (it checks access and audits). */
		if ((e = fhir_grant_search(c, "Consent", q, pid, &gq,
					   no_match || !grants,
					   fhir_consent_json, out)) != ERR_OK)
			return e;
		pid = gq.patient_id;
		if (out->next || no_match || !research)
			return ERR_OK;
	} else if ((e = fhir_search_patient(c, "Consent", pid, RES_GRANTS,
					    "Say whose consents: add "
					    "patient=Patient/<id>.",
					    &pid)) != ERR_OK) {
		return e;
	}
	if (no_match || !research) {
		out->total = q->summary_count ? 0 : out->total;
		return ERR_OK;
	}
	if (!grants && q->summary_count)
		out->total = 0;
	room = q->summary_count ? 0
				: (size_t)q->count - json_array_size(out->match);
	return research_page(c, q, pid, &rf, room, out);
}

/*
 * QuestionnaireResponse: a patient's answers to questionnaires
 * (measures/response.h), with who entered them in which voice and the
 * scores cocare computed. Read; search by patient, questionnaire,
 * status, authored and _lastUpdated, newest first, with pages that
 * continue after the last response shown; and create through the same
 * checks, scoring and write as the questionnaire pages: answers read and
 * checked against the questionnaire they name, scored, durable before
 * the answer, audited with their provenance, raising the care team's
 * alerts for flags.
 */
#include <inttypes.h>
#include <string.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/problem.h"
#include "fhir/measures_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "fhir/shape.h"
#include "measures/org_instrument.h"
#include "measures/questionnaire.h"
#include "measures/response.h"
#include "measures/scoring.h"
#include "people/patient.h"
#include "core/banned.h"

#define TYPE "QuestionnaireResponse"

const struct fhir_search_param fhir_response_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{"questionnaire", "reference",
	 "The questionnaire answered: its canonical url (url|version for "
	 "one version) or Questionnaire/<id>."},
	{"status", "token", "in-progress or completed."},
	{"authored", "date",
	 "When the answers were completed (or last saved, while in "
	 "progress), with the prefixes eq, ge, gt, le and lt; repeat it for "
	 "a range."},
	{"_lastUpdated", "date",
	 "When the response last changed, with the same prefixes."},
	{NULL, NULL, NULL},
};

/* The response with its scores, as FHIR. */
static enum err
response_json(struct fhir_call *c, const struct measure_response *r,
	      json_t **out)
{
	struct response_score *s = NULL;
	size_t n = 0;
	enum err e;

	if (!strcmp(r->status, "completed") &&
	    (e = response_scores(c->ctx->db, c->ctx->a, r->id, &s, &n)) !=
		    ERR_OK)
		return e;
	*out = fhir_response_json(r, s, n);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* GET /fhir/QuestionnaireResponse/<id>: 200; 403 (scopes or policy);
 * 404. */
enum err
fhir_response_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct measure_response r;
	enum err e;

	if ((e = response_by_id(c->ctx->db, c->ctx->a, id, &r)) != ERR_OK)
		return e;
	if (r.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, TYPE, SCOPE_READ, r.patient_id, RES_MEASURES,
			    ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, TYPE, id, r.patient_id);
	return response_json(c, &r, out);
}

/* A questionnaire parameter into url and version; an unknown
 * Questionnaire/<id> matches nothing. */
static enum err
questionnaire_param(struct fhir_call *c, const char *v,
		    struct response_query *rq, bool *no_match)
{
	const char *bar;
	int64_t id;
	enum err e;

	if (fhir_ref_parse(v, "Questionnaire", &id) && !strchr(v, ':')) {
		e = fhir_questionnaire_canonical(c, id, &rq->url,
						 &rq->version);
		if (e == ERR_NOT_FOUND)
			*no_match = true;
		return e == ERR_NOT_FOUND ? ERR_OK : e;
	}
	bar = strchr(v, '|');
	rq->url = bar ? arena_strndup(c->ctx->a, v, (size_t)(bar - v)) : v;
	rq->version = bar ? bar + 1 : "";
	return rq->url ? ERR_OK : ERR_NOMEM;
}

/* The status parameter: one of the two kept, "" for both. */
static void
status_param(const char *v, struct response_query *rq, bool *no_match)
{
	bool prog = false, done = false;
	const char *p = v;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == strlen("completed") && !strncmp(p, "completed", n))
			done = true;
		else if (n == strlen("in-progress") &&
			 !strncmp(p, "in-progress", n))
			prog = true;
		p += n + (p[n] == ',');
	}
	if (!prog && !done)
		*no_match = true;
	else if (prog != done) {
		const char *want = done ? "completed" : "in-progress";

		if (rq->status && *rq->status && strcmp(rq->status, want))
			*no_match = true;
		rq->status = want;
	}
}

/*
 * GET /fhir/QuestionnaireResponse?patient=...: 200 with the patient's
 * responses, newest first; 400 for a parameter cocare does not answer;
 * 403; 404 no such patient.
 */
enum err
fhir_response_search(struct fhir_call *c, const struct fhir_search *q,
		     struct fhir_page *out)
{
	struct response_query rq = {
		.from_ms = INT64_MIN,
		.to_ms = INT64_MAX,
		.upd_from_ms = INT64_MIN,
		.upd_to_ms = INT64_MAX,
	};
	struct measure_response *rows;
	int64_t pid = 0;
	bool no_match = false;
	size_t i, n;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient") || !strcmp(x->name, "subject")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "questionnaire") && !x->modifier) {
			if ((e = questionnaire_param(c, x->value, &rq,
						     &no_match)) != ERR_OK)
				return e;
		} else if (!strcmp(x->name, "status") && !x->modifier) {
			status_param(x->value, &rq, &no_match);
		} else if (!strcmp(x->name, "authored") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value,
					     &rq.from_ms, &rq.to_ms))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "_lastUpdated") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value,
					     &rq.upd_from_ms, &rq.upd_to_ms))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "QuestionnaireResponse is searched by "
				  "patient, subject, questionnaire, status, "
				  "authored and _lastUpdated only.");
			return ERR_INVALID;
		}
	}
	if (!fhir_no_sort(c, q, "Responses come newest first."))
		return ERR_INVALID;
	if ((e = fhir_search_patient(c, TYPE, pid, RES_MEASURES,
				     "Say whose answers: add "
				     "patient=Patient/<id>.",
				     &pid)) != ERR_OK)
		return e;
	if (q->include_patient &&
	    (e = fhir_allow(c, "Patient", SCOPE_READ, pid, RES_PROFILE,
			    ACT_READ)) != ERR_OK)
		return e;
	rq.patient_id = pid;
	if (!fhir_cursor_parse(c, q, &rq.has_after, &rq.after_ms,
			       &rq.after_id))
		return ERR_INVALID;
	if (no_match || rq.from_ms >= rq.to_ms ||
	    rq.upd_from_ms >= rq.upd_to_ms) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return response_search_count(c->ctx->db, &rq, &out->total);
	/* One more than asked tells whether another page follows. */
	rq.limit = (size_t)q->count + 1;
	if ((e = response_search(c->ctx->db, c->ctx->a, &rq, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(
			c, response_answered_ms(&rows[n - 1]), rows[n - 1].id);
	}
	for (i = 0; i < n; i++) {
		json_t *r;

		if ((e = response_json(c, &rows[i], &r)) != ERR_OK)
			return e;
		json_array_append_new(out->match, r);
	}
	if (q->include_patient && n) {
		json_t *pr;

		if ((e = fhir_patient_read(c, pid, &pr)) != ERR_OK)
			return e;
		json_array_append_new(out->include, pr);
	}
	return ERR_OK;
}

static enum err
response_result(struct fhir_call *c, struct fhir_write *w, json_t **out)
{
	struct measure_response r;
	enum err e;

	if ((e = response_by_id(c->ctx->db, c->ctx->a, w->id, &r)) != ERR_OK)
		return e;
	return response_json(c, &r, out);
}

/* The questionnaire a response names (canonical or Questionnaire/<id>),
 * or an issue at QuestionnaireResponse.questionnaire. */
static enum err
named_questionnaire(struct fhir_call *c, const char *ref, const char *lang,
		    const struct questionnaire **q, const char **lang_out)
{
	const char *canonical = ref, *url, *version;
	int64_t id;
	enum err e = ERR_OK;

	if (fhir_ref_parse(ref, "Questionnaire", &id) && !strchr(ref, ':')) {
		e = fhir_questionnaire_canonical(c, id, &url, &version);
		if (e == ERR_OK)
			canonical = *version ? arena_printf(c->ctx->a, "%s|%s",
							    url, version)
					     : url;
	}
	if (e == ERR_OK)
		e = org_instrument_resolve(c->ctx->db, c->ctx->a,
					   c->ctx->actor.org_id, canonical,
					   lang, q, lang_out, NULL);
	if (e == ERR_NOT_FOUND)
		fhir_fail(&c->oo, 422, "not-found",
			  TYPE ".questionnaire",
			  "cocare has no such questionnaire: name one of the "
			  "library's or the organisation's by its canonical "
			  "url, or Questionnaire/<id>.");
	return e == ERR_NOT_FOUND ? ERR_INVALID : e;
}

/* Reads and checks the answers as the pages do; issues at the item. */
static enum err
read_answers(struct fhir_call *c, const struct questionnaire *q, json_t *in,
	     bool complete, struct q_answers *ans)
{
	struct problems ps = {0};
	const char *why = NULL, *canonical = q_canonical(c->ctx->a, q);
	size_t i;
	enum err e;

	/* Named by the canonical now, whichever way the client named it. */
	if (canonical)
		json_object_set_new(in, "questionnaire",
				    json_string(canonical));
	if ((e = q_answers_from_json(c->ctx->a, q, in, ans, &why)) != ERR_OK) {
		if (e == ERR_NOMEM)
			return e;
		fhir_fail(&c->oo, e == ERR_TOO_LARGE ? 413 : 422,
			  e == ERR_TOO_LARGE ? "too-costly" : "invalid",
			  TYPE ".item",
			  why ? why : "The answers do not fit the "
				      "questionnaire.");
		return ERR_INVALID;
	}
	if (q_answers_check(c->ctx->a, q, ans, complete, &ps) == ERR_OK)
		return ERR_OK;
	for (i = 0; i < ps.n; i++)
		fhir_failf(&c->oo, 422,
			   complete ? "required" : "invalid", ps.p[i].msg,
			   TYPE ".item.where(linkId='%s')",
			   ps.p[i].field ? ps.p[i].field : "");
	return ERR_INVALID;
}

/*
 * POST /fhir/QuestionnaireResponse: the answers to a library or
 * organisation questionnaire, completed (scored, flags raised) or in
 * progress. 400 unknown elements or wrong types; 403 scopes or policy;
 * 422 no such patient or questionnaire, or answers that do not fit it.
 */
enum err
fhir_response_create(struct fhir_call *c, json_t *in, struct fhir_write *w)
{
	struct response_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	struct q_response_info info = {0};
	const struct questionnaire *q;
	struct fhir_response_in fr;
	struct score_report rep;
	struct q_answers ans;
	struct patient p;
	const char *lang = NULL;
	bool complete;
	char *json;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	if (!fhir_response_parse(in, &fr, &c->oo))
		return ERR_INVALID;
	e = patient_get(c->ctx->db, c->ctx->a, fr.patient_id, &p);
	if (e == ERR_OK && p.org_id != c->ctx->actor.org_id)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND) {
		fhir_fail(&c->oo, 422, "not-found", TYPE ".subject",
			  "The subject is not a patient of this "
			  "organisation.");
		return ERR_INVALID;
	}
	if (e != ERR_OK ||
	    (e = fhir_allow(c, TYPE, SCOPE_CREATE, p.id, RES_MEASURES,
			    ACT_WRITE)) != ERR_OK)
		return e;
	if ((e = named_questionnaire(c, fr.questionnaire,
				     fhir_string_of(in, "language"), &q,
				     &lang)) != ERR_OK)
		return e;
	complete = !strcmp(fr.status, "completed");
	if ((e = read_answers(c, q, in, complete, &ans)) != ERR_OK)
		return e;
	info.status = fr.status;
	info.subject = arena_printf(c->ctx->a, "Patient/%" PRId64, p.id);
	info.authored = clock_iso(c->ctx->a, c->ctx->now);
	if ((e = q_answers_to_json(c->ctx->a, q, &ans, &info, &json)) !=
	    ERR_OK)
		return e;
	j->op = complete ? RESPONSE_SUBMIT : RESPONSE_START;
	j->r.id = w->id;
	j->r.org_id = p.org_id;
	j->r.patient_id = p.id;
	j->r.instrument_url = q->url;
	j->r.instrument_version = q->version ? q->version : "";
	j->r.lang = lang;
	/* A professional entering answers does it with the patient. */
	j->r.mode = !strcmp(role_voice(c->ctx->actor.role), "professional")
			    ? "with-professional"
			    : "self";
	j->r.answers = json;
	j->r.entered_by = c->ctx->actor.account_id;
	j->at_ms = c->ctx->now * 1000;
	j->today = clock_date(c->ctx->a, c->ctx->now);
	if (complete &&
	    ((e = score_response(c->ctx->a, q, &ans, &rep)) != ERR_OK ||
	     (e = response_job_report(c->ctx->a, j, &rep)) != ERR_OK))
		return e;
	w->wi.action = "create";
	w->wi.resource_type = RESPONSE_RES;
	w->wi.detail = complete ? "questionnaire-answered"
				: "questionnaire-started";
	w->wi.touchpoint_kind = complete ? "questionnaire-answered" : NULL;
	w->wi.patient_id = p.id;
	w->wi.resource_id = arena_printf(c->ctx->a, "%" PRId64, w->id);
	w->step.fn = response_write;
	w->step.arg = j;
	w->job = j;
	w->result = response_result;
	return ERR_OK;
}

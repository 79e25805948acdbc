/*
 * Observation: home readings (measures/reading_store.h). Read, search
 * by patient, code and date with pages that continue after the last
 * reading shown, and create through the same write as the readings
 * page: validated the same way, durable before the answer, audited,
 * with its provenance and touchpoint, raising the care team's alert
 * when it falls outside the agreed target.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/str.h"
#include "fhir/datetime.h"
#include "fhir/reading_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "measures/reading.h"
#include "measures/reading_store.h"
#include "people/patient.h"
#include "core/banned.h"

const struct fhir_search_param fhir_observation_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{"code", "token",
	 "A LOINC code of a home reading, as http://loinc.org|<code> or "
	 "<code>."},
	{"date", "date",
	 "When the reading was taken, with the prefixes eq, ge, gt, le and "
	 "lt; repeat it for a range."},
	{NULL, NULL, NULL},
};

/* A reading of a patient in the caller's organisation, or not found. */
static enum err
load(struct fhir_call *c, int64_t id, struct reading *r)
{
	enum err e = reading_by_id(c->ctx->db, c->ctx->a, id, r);

	if (e == ERR_OK && r->org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	return e;
}

enum err
fhir_observation_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct reading r;
	enum err e;

	if ((e = load(c, id, &r)) != ERR_OK)
		return e;
	if ((e = fhir_allow(c, "Observation", SCOPE_READ, r.patient_id,
			    RES_MEASURES, ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Observation", id, r.patient_id);
	*out = fhir_reading_json(&r);
	return ERR_OK;
}

/* A reading never changes once stored: its only version is 1. */
enum err
fhir_observation_vread(struct fhir_call *c, int64_t id, int64_t version,
		       json_t **out)
{
	enum err e = fhir_observation_read(c, id, out);

	if (e == ERR_OK && version != 1) {
		json_decref(*out);
		*out = NULL;
		fhir_fail(&c->oo, 404, "not-found", NULL,
			  "A reading has one version only: 1.");
		return ERR_NOT_FOUND;
	}
	return e;
}

enum err
fhir_observation_history(struct fhir_call *c, int64_t id, int64_t before,
			 int count, struct fhir_page *out)
{
	json_t *r = NULL;
	enum err e;

	(void)count;
	if ((e = fhir_observation_read(c, id, &r)) != ERR_OK)
		return e;
	if (before && before <= 1)
		json_decref(r);
	else
		json_array_append_new(out->match, r);
	return ERR_OK;
}

/* The reading kind of a code parameter, or false with an issue. */
static bool
code_param(struct fhir_call *c, const char *v, const char **kind)
{
	const char *bar = strchr(v, '|');
	const struct reading_def *d;

	if (bar) {
		if ((size_t)(bar - v) != strlen("http://loinc.org") ||
		    strncmp(v, "http://loinc.org", (size_t)(bar - v)) != 0) {
			/* No reading has a code of another system. */
			*kind = "";
			return true;
		}
		v = bar + 1;
	}
	d = reading_find_loinc(str_c(v));
	*kind = d ? d->key : "";
	return true;
}

enum err
fhir_observation_search(struct fhir_call *c, const struct fhir_search *q,
			struct fhir_page *out)
{
	struct reading_query rq;
	struct reading *rows;
	const char *kind = NULL;
	int64_t pid = 0;
	size_t i, n;
	bool no_match = false;
	enum err e;

	memset(&rq, 0, sizeof(rq));
	rq.from_ms = INT64_MIN;
	rq.to_ms = INT64_MAX;
	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient") || !strcmp(x->name, "subject")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "code") && !x->modifier) {
			const char *k;

			code_param(c, x->value, &k);
			if (kind && strcmp(kind, k) != 0)
				no_match = true;
			kind = k;
			if (!k[0])
				no_match = true;
		} else if (!strcmp(x->name, "date") && !x->modifier) {
			if (!fhir_date_param(c, "date", x->value, &rq.from_ms,
					     &rq.to_ms))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Observation is searched by patient, "
				  "subject, code and date only.");
			return ERR_INVALID;
		}
	}
	if ((e = fhir_search_patient(c, "Observation", pid, RES_MEASURES,
				     "Say whose readings: add "
				     "patient=Patient/<id>.",
				     &pid)) != ERR_OK)
		return e;
	if (q->include_patient &&
	    (e = fhir_allow(c, "Patient", SCOPE_READ, pid, RES_PROFILE,
			    ACT_READ)) != ERR_OK)
		return e;
	rq.patient_id = pid;
	rq.kind = kind;
	rq.oldest_first = q->sort_oldest;
	rq.limit = (size_t)q->count;
	if (!fhir_cursor_parse(c, q, &rq.has_after, &rq.after_ms,
			       &rq.after_id))
		return ERR_INVALID;
	if (no_match || rq.from_ms >= rq.to_ms) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return reading_search_count(c->ctx->db, &rq, &out->total);
	/* One more than asked tells whether another page follows. */
	rq.limit = (size_t)q->count + 1;
	if ((e = reading_search(c->ctx->db, c->ctx->a, &rq, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, rows[n - 1].at_ms,
					     rows[n - 1].id);
	}
	for (i = 0; i < n; i++)
		json_array_append_new(out->match, fhir_reading_json(&rows[i]));
	if (q->include_patient && n) {
		json_t *pr;

		if ((e = fhir_patient_read(c, pid, &pr)) != ERR_OK)
			return e;
		json_array_append_new(out->include, pr);
	}
	return ERR_OK;
}

/* The reading stored, or the same one stored before. */
static enum err
reading_result(struct fhir_call *c, struct fhir_write *w, json_t **out)
{
	struct reading_add_job *j = w->job;
	struct reading same;
	enum err e;

	if (w->step.existed) {
		if ((e = reading_find_same(c->ctx->db, c->ctx->a, &j->r,
					   &same)) != ERR_OK)
			return e;
		j->r = same;
		w->id = same.id;
	}
	*out = fhir_reading_json(&j->r);
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err
fhir_observation_create(struct fhir_call *c, json_t *in, struct fhir_write *w)
{
	struct reading_add_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	struct patient p;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	if (!fhir_reading_parse(in, c->ctx->now * 1000, &j->r, &c->oo))
		return ERR_INVALID;
	e = patient_get(c->ctx->db, c->ctx->a, j->r.patient_id, &p);
	if (e == ERR_OK && p.org_id != c->ctx->actor.org_id)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND) {
		fhir_fail(&c->oo, 422, "not-found", "Observation.subject",
			  "The subject is not a patient of this "
			  "organisation.");
		return ERR_INVALID;
	}
	if (e != ERR_OK ||
	    (e = fhir_allow(c, "Observation", SCOPE_CREATE, p.id,
			    RES_MEASURES, ACT_WRITE)) != ERR_OK)
		return e;
	j->r.id = w->id;
	j->r.org_id = p.org_id;
	j->r.source = "api";
	j->r.entered_by = c->ctx->actor.account_id;
	j->r.entered_ms = c->ctx->now * 1000;
	w->wi.action = "create";
	w->wi.resource_type = READING_RES;
	w->wi.detail = "reading";
	w->wi.touchpoint_kind = "reading";
	w->wi.patient_id = p.id;
	w->wi.resource_id = arena_printf(c->ctx->a, "%" PRId64, j->r.id);
	w->step.fn = reading_add;
	w->step.arg = j;
	/* Sent twice: the first is the one kept. */
	w->step.exists_ok = true;
	w->job = j;
	w->result = reading_result;
	return ERR_OK;
}

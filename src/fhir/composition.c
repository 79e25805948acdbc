/*
 * Composition: progress notes (care/note.h), each with its paragraphs
 * and who wrote them, the views and correction requests beside it.
 * Read, and search by patient, date and _lastUpdated with pages that
 * continue after the last note shown. A note withheld from the patient
 * is read and listed only when the access policy lets the caller read
 * withheld notes, asked exactly as the note pages ask it (note_web.c),
 * and hidden by the same domain reads: a patient or a caregiver never
 * gets one, not even as a count.
 */
#include <string.h>

#include "auth/actor.h"
#include "auth/policy.h"
#include "care/note.h"
#include "fhir/care_int.h"
#include "fhir/care_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "people/patient.h"
#include "core/banned.h"

const struct fhir_search_param fhir_composition_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{"date", "date",
	 "When the note was written, with the prefixes eq, ge, gt, le and "
	 "lt; repeat it for a range."},
	{"_lastUpdated", "date",
	 "When the note last changed (written, changed or corrected), with "
	 "the same prefixes."},
	{NULL, NULL, NULL},
};

/* Whether notes withheld from patient `pid` may be read here: the note
 * pages' question (sees_withheld() in note_web.c), the policy's answer. */
static bool
sees_withheld(struct fhir_call *c, int64_t pid)
{
	struct decision d;

	return policy_check(c->ctx, pid, RES_WITHHELD_NOTES, ACT_READ, &d) ==
		       ERR_OK &&
	       d.allow;
}

/* Note `n` with what the note page shows with it, as a Composition. */
static enum err
note_resource(struct fhir_call *c, const struct note *n, json_t **out)
{
	struct db *db = c->ctx->db;
	struct arena *a = c->ctx->a;
	struct fhir_note fn = {.note = n};
	struct note_paragraph *p = NULL;
	struct note_view *v;
	struct note_amendment *m;
	enum err e;

	if (n->cowritten &&
	    (e = note_paragraph_list(db, a, n->id, &p, &fn.nparagraphs)) !=
		    ERR_OK)
		return e;
	if ((e = note_view_list(db, a, n->id, &v, &fn.nviews)) != ERR_OK ||
	    (e = note_amendment_list(db, a, n->id, &m, &fn.namendments)) !=
		    ERR_OK)
		return e;
	fn.paragraphs = p;
	fn.views = v;
	fn.amendments = m;
	*out = fhir_note_json(a, &fn);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* GET /fhir/Composition/<id>: 200; 403 (scopes or policy); 404 no such
 * note, another organisation's, or one withheld from the caller. */
enum err
fhir_composition_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct patient p;
	struct note n;
	int64_t pid;
	enum err e;

	if ((e = note_patient(c->ctx->db, id, &pid)) != ERR_OK ||
	    (e = patient_get(c->ctx->db, c->ctx->a, pid, &p)) != ERR_OK)
		return e;
	if (p.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "Composition", SCOPE_READ, pid, RES_NOTES,
			    ACT_READ)) != ERR_OK ||
	    (e = note_get(c->ctx->db, c->ctx->a, pid, id,
			  sees_withheld(c, pid), &n)) != ERR_OK ||
	    (e = note_resource(c, &n, out)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Composition", id, pid);
	return ERR_OK;
}

/*
 * GET /fhir/Composition?patient=...: 200 with the notes newest first
 * (_sort=date: oldest first), at most NOTE_LIST_MAX a page; 400 for a
 * parameter cocare does not answer; 403; 404 no such patient.
 */
enum err
fhir_composition_search(struct fhir_call *c, const struct fhir_search *q,
			struct fhir_page *out)
{
	struct note_query nq;
	struct note *rows;
	json_t *r;
	int64_t pid = 0;
	size_t i, n, page;
	bool no_match = false;
	enum err e;

	memset(&nq, 0, sizeof(nq));
	nq.from_ms = nq.changed_from_ms = INT64_MIN;
	nq.to_ms = nq.changed_to_ms = INT64_MAX;
	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient") || !strcmp(x->name, "subject")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "date") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value, &nq.from_ms,
					     &nq.to_ms))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "_lastUpdated") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value,
					     &nq.changed_from_ms,
					     &nq.changed_to_ms))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Composition is searched by patient, "
				  "subject, date and _lastUpdated only.");
			return ERR_INVALID;
		}
	}
	if ((e = fhir_search_patient(
		     c, "Composition", pid, RES_NOTES,
		     "Say whose notes: add patient=Patient/<id>.", &pid)) !=
	    ERR_OK)
		return e;
	nq.patient_id = pid;
	nq.with_withheld = sees_withheld(c, pid);
	nq.oldest_first = q->sort_oldest;
	if (!fhir_cursor_parse(c, q, &nq.has_after, &nq.after_ms,
			       &nq.after_id))
		return ERR_INVALID;
	if (no_match || nq.from_ms >= nq.to_ms ||
	    nq.changed_from_ms >= nq.changed_to_ms) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return note_search_count(c->ctx->db, &nq, &out->total);
	/* Whole notes are large: a page holds at most NOTE_LIST_MAX, and one
	 * more read tells whether another page follows. */
	page = (size_t)q->count < NOTE_LIST_MAX ? (size_t)q->count
						: NOTE_LIST_MAX;
	nq.limit = page + 1;
	if ((e = note_search(c->ctx->db, c->ctx->a, &nq, &rows, &n)) != ERR_OK)
		return e;
	if (n > page) {
		n = page;
		out->next = fhir_cursor_make(c, rows[n - 1].written_ms,
					     rows[n - 1].id);
	}
	for (i = 0; i < n; i++) {
		if ((e = note_resource(c, &rows[i], &r)) != ERR_OK)
			return e;
		json_array_append_new(out->match, r);
	}
	return ERR_OK;
}

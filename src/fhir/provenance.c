/*
 * Provenance: who wrote each change to a patient's record, when, and in
 * which voice (auth/provenance.h), read-only. Reading a patient's
 * provenance takes leave to read their profile, and each row is shown
 * only to whom the access policy lets read the record it names
 * (fhir_record_visible()): a withheld note's history stays with the
 * professionals who may read it. Pages continue after the last row
 * shown, and leave out what the caller may not see.
 */
#include <string.h>

#include "auth/actor.h"
#include "auth/provenance.h"
#include "care/note.h"
#include "core/arena.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "fhir/trail.h"
#include "people/patient.h"
#include "core/banned.h"

/* Rows read for one page at most: past it, the page ends early and its
 * next link continues from the last row read. */
#define SCAN_MAX 5000

const struct fhir_search_param fhir_provenance_params[] = {
	{"patient", "reference",
	 "Whose record: Patient/<id> or <id>. Needed, except with a "
	 "patient's own token."},
	{"target", "reference",
	 "One record: <Type>/<id>, such as Observation/123, Patient/456 or "
	 "one of cocare's record types (Goal/789, ProgressNote/12)."},
	{"recorded", "date",
	 "When the change was written, with the prefixes eq, ge, gt, le and "
	 "lt; repeat it for a range."},
	{NULL, NULL, NULL},
};

enum err
fhir_provenance_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct provenance p;
	bool seen;
	enum err e = provenance_get(c->ctx->db, c->ctx->a, id, &p);

	if (e == ERR_OK && p.org_id != c->ctx->actor.org_id)
		e = ERR_NOT_FOUND;
	if (e != ERR_OK ||
	    (e = fhir_allow(c, "Provenance", SCOPE_READ, p.patient_id,
			    RES_PROFILE, ACT_READ)) != ERR_OK ||
	    (e = fhir_record_visible(c, p.patient_id, p.resource_type,
				     p.resource_id, p.activity, &seen)) !=
		    ERR_OK)
		return e;
	/* Not there for this reader, as a withheld note is not. */
	if (!seen)
		return ERR_NOT_FOUND;
	fhir_audit_read(c, "Provenance", id, p.patient_id);
	*out = fhir_provenance_json(&p);
	return *out ? ERR_OK : ERR_NOMEM;
}

/*
 * A target parameter: "<Type>/<id>", or a URL ending so. The type is
 * letters, the id letters, digits, '-' and '.' (FHIR's id). False, with
 * an issue, otherwise; the parts are in the arena.
 */
static bool
target_param(struct fhir_call *c, const char *v, const char **type,
	     const char **id)
{
	const char *slash = strrchr(v, '/'), *start;
	size_t tn, in;

	if (slash) {
		start = slash;
		while (start > v && start[-1] != '/')
			start--;
		tn = (size_t)(slash - start);
		in = strlen(slash + 1);
		if (tn > 0 && tn <= SCOPE_TYPE_MAX &&
		    strspn(start, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz") == tn &&
		    start[0] >= 'A' && start[0] <= 'Z' && in > 0 && in <= 64 &&
		    strspn(slash + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
				      "nopqrstuvwxyz0123456789-.") == in) {
			*type = arena_strndup(c->ctx->a, start, tn);
			*id = slash + 1;
			return *type != NULL;
		}
	}
	fhir_fail(&c->oo, 400, "value", "target",
		  "Give the target as Type/<id>, for example "
		  "Observation/123.");
	return false;
}

/* Reads the parameters into `pq` (patient 0 when not given); false with
 * an issue. `*no_match` when they cannot all hold. */
static bool
read_params(struct fhir_call *c, const struct fhir_search *q,
	    struct provenance_query *pq, bool *no_match)
{
	const char *type, *id;
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (x->modifier) {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Provenance takes no search modifiers.");
			return false;
		}
		if (!strcmp(x->name, "patient")) {
			if (!fhir_patient_param(c, x, &pq->patient_id,
						no_match))
				return false;
		} else if (!strcmp(x->name, "target")) {
			if (!target_param(c, x->value, &type, &id))
				return false;
			if (pq->resource_type &&
			    (strcmp(pq->resource_type, type) ||
			     strcmp(pq->resource_id, id)))
				*no_match = true;
			pq->resource_type = type;
			pq->resource_id = id;
		} else if (!strcmp(x->name, "recorded")) {
			if (!fhir_date_param(c, "recorded", x->value,
					     &pq->from_ms, &pq->to_ms))
				return false;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Provenance is searched by patient, target "
				  "and recorded only.");
			return false;
		}
	}
	return true;
}

/* The rows the caller may see, counted as the pages would show them. */
static enum err
count_visible(struct fhir_call *c, const struct provenance_query *pq,
	      int64_t *total)
{
	struct provenance_group *g;
	struct decision d;
	size_t n, i;
	bool seen;
	enum err e;

	/* Notes are counted one by one only for who may not read them all. */
	if ((e = policy_check(c->ctx, pq->patient_id, RES_WITHHELD_NOTES,
			      ACT_READ, &d)) != ERR_OK ||
	    (e = provenance_count(c->ctx->db, c->ctx->a, pq,
				  d.allow ? NULL : NOTE_RES_NOTE, &g, &n)) !=
		    ERR_OK)
		return e;
	*total = 0;
	for (i = 0; i < n; i++) {
		if ((e = fhir_record_visible(c, pq->patient_id,
					     g[i].resource_type,
					     g[i].resource_id, g[i].activity,
					     &seen)) != ERR_OK)
			return e;
		if (seen)
			*total += g[i].n;
	}
	return ERR_OK;
}

/*
 * Fills `out` with up to q->count rows the caller may see, reading on
 * past those they may not; the next link follows the last row shown
 * when another visible row follows, or the last row read when SCAN_MAX
 * rows were read first.
 */
static enum err
fill_page(struct fhir_call *c, const struct fhir_search *q,
	  struct provenance_query *pq, struct fhir_page *out)
{
	const struct provenance *last_shown = NULL, *last_read = NULL;
	struct provenance *rows;
	size_t n, i, shown = 0, read = 0;
	bool seen, more = false;
	enum err e;

	pq->limit = (size_t)q->count + 1;
	for (;;) {
		if ((e = provenance_search(c->ctx->db, c->ctx->a, pq, &rows,
					   &n)) != ERR_OK)
			return e;
		for (i = 0; i < n && !more; i++) {
			if ((e = fhir_record_visible(
				     c, pq->patient_id, rows[i].resource_type,
				     rows[i].resource_id, rows[i].activity,
				     &seen)) != ERR_OK)
				return e;
			if (seen && shown == (size_t)q->count) {
				more = true;
				break;
			}
			last_read = &rows[i];
			read++;
			if (!seen)
				continue;
			json_array_append_new(out->match,
					      fhir_provenance_json(&rows[i]));
			last_shown = &rows[i];
			shown++;
		}
		if (more || n < pq->limit)
			break;
		if (read >= SCAN_MAX) {
			out->next = fhir_cursor_make(c, last_read->at_ms,
						     last_read->id);
			return ERR_OK;
		}
		pq->has_after = true;
		pq->after_ms = rows[n - 1].at_ms;
		pq->after_id = rows[n - 1].id;
	}
	if (more)
		out->next = fhir_cursor_make(c, last_shown->at_ms,
					     last_shown->id);
	return ERR_OK;
}

enum err
fhir_provenance_search(struct fhir_call *c, const struct fhir_search *q,
		       struct fhir_page *out)
{
	struct provenance_query pq;
	bool no_match = false;
	enum err e;

	memset(&pq, 0, sizeof(pq));
	pq.from_ms = INT64_MIN;
	pq.to_ms = INT64_MAX;
	if (!read_params(c, q, &pq, &no_match))
		return ERR_INVALID;
	if ((e = fhir_search_patient(c, "Provenance", pq.patient_id,
				     RES_PROFILE,
				     "Say whose record: add "
				     "patient=Patient/<id>.",
				     &pq.patient_id)) != ERR_OK)
		return e;
	pq.oldest_first = q->sort_oldest;
	if (!fhir_cursor_parse(c, q, &pq.has_after, &pq.after_ms,
			       &pq.after_id))
		return ERR_INVALID;
	if (no_match || pq.from_ms >= pq.to_ms) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return count_visible(c, &pq, &out->total);
	return fill_page(c, q, &pq, out);
}

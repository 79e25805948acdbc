/*
 * Appointment: a patient's appointments (contact/appointment.h), with
 * whom, when, how (in person, by phone, by video link), and what became
 * of them: booked, cancelled (late or not), attended or missed. Read and
 * searched by patient, date and status, under the access rules of the
 * appointments page (the contact part of the record). Booking, moving
 * and cancelling stay on that page, where the unit's rules are shown.
 */
#include <inttypes.h>
#include <string.h>

#include "contact/appointment.h"
#include "core/arena.h"
#include "fhir/elements.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "core/banned.h"

#define APPOINTMENTS_MAX 1000	/* one patient's, read at once */

const struct fhir_search_param fhir_appointment_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"date", "date",
	 "When it starts, with the prefixes eq, ge, gt, le and lt; repeat it "
	 "for a range."},
	{"status", "token",
	 "booked, cancelled, fulfilled (attended) or noshow; a comma for "
	 "several."},
	{NULL, NULL, NULL},
};

/* cocare's status and R4's (appointmentstatus). */
static const struct {
	const char *cocare, *fhir;
} statuses[] = {
	{"booked", "booked"},
	{"cancelled", "cancelled"},
	{"attended", "fulfilled"},
	{"no_show", "noshow"},
};
#define STATUSES (sizeof(statuses) / sizeof(statuses[0]))

static const char *
status_of(const char *cocare)
{
	size_t i;

	for (i = 0; i < STATUSES; i++)
		if (!strcmp(statuses[i].cocare, cocare))
			return statuses[i].fhir;
	return "proposed";
}

static json_t *
appointment_json(const struct appointment *ap)
{
	json_t *r, *exts = json_array(), *who = json_array();
	const char *where = ap->link && *ap->link ? ap->link : ap->place;

	fhir_ext_add(exts, "modality", "valueCode", json_string(ap->modality));
	fhir_ext_add(exts, "channel", "valueCode", json_string(ap->channel));
	if (ap->moved_count)
		fhir_ext_add(exts, "times-moved", "valueInteger",
		    json_integer(ap->moved_count));
	if (ap->cancelled_at) {
		fhir_ext_add(exts, "cancelled", "valueDateTime",
		    fhir_instant_json(ap->cancelled_at));
		fhir_ext_add(exts, "late-cancellation", "valueBoolean",
		    json_boolean(ap->late_cancel));
	}
	json_array_append_new(
		who, json_pack("{s:o,s:s,s:s}", "actor",
			       fhir_ref_json("Patient", ap->patient_id,
				   ap->patient_name),
			       "required", "required", "status", "accepted"));
	if (ap->professional_id)
		json_array_append_new(
			who, json_pack("{s:o,s:s,s:s}", "actor",
				       fhir_ref_json("Practitioner", ap->professional_id,
					   ap->professional_name),
				       "required", "required", "status",
				       "accepted"));
	r = json_pack("{s:s,s:o,s:{s:o,s:o},s:o,s:s,s:o,s:o,s:o,s:o}",
		      "resourceType", "Appointment", "id",
		      json_sprintf("%" PRId64, ap->id), "meta", "versionId",
		      json_sprintf("%d", ap->version), "lastUpdated",
		      fhir_instant_json(ap->cancelled_at ? ap->cancelled_at
					       : ap->booked_at),
		      "extension", exts, "status", status_of(ap->status),
		      "start", fhir_instant_json(ap->starts_at), "end",
		      fhir_instant_json(ap->ends_at), "created", fhir_instant_json(ap->booked_at),
		      "participant", who);
	if (r && ap->reason && *ap->reason)
		json_object_set_new(r, "reasonCode",
				    json_pack("[{s:s}]", "text", ap->reason));
	if (r && where && *where)
		json_object_set_new(r, "patientInstruction",
				    json_string(where));
	return r;
}

/* GET /fhir/Appointment/<id>: 200; 403; 404. */
enum err
fhir_appointment_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct appointment ap;
	enum err e;

	if ((e = appointment_get(c->ctx->db, c->ctx->a, c->ctx->actor.org_id,
				 id, &ap)) != ERR_OK)
		return e;
	if ((e = fhir_allow(c, "Appointment", SCOPE_READ, ap.patient_id,
			    RES_CONTACT, ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Appointment", id, ap.patient_id);
	*out = appointment_json(&ap);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The status bits a parameter names (comma-separated codes). */
static unsigned
status_bits(const char *v)
{
	unsigned bits = 0;
	size_t i, n;

	while (*v) {
		n = strcspn(v, ",");
		for (i = 0; i < STATUSES; i++)
			if (strlen(statuses[i].fhir) == n &&
			    !strncmp(v, statuses[i].fhir, n))
				bits |= 1u << i;
		v += n;
		if (*v)
			v++;
	}
	return bits;
}

static unsigned
status_bit(const char *cocare)
{
	size_t i;

	for (i = 0; i < STATUSES; i++)
		if (!strcmp(statuses[i].cocare, cocare))
			return 1u << i;
	return 0;
}

/* GET /fhir/Appointment?patient=...: newest start first (oldest with
 * _sort=date), pages continuing after the last one shown. */
enum err
fhir_appointment_search(struct fhir_call *c, const struct fhir_search *q,
			struct fhir_page *out)
{
	struct appointment *rows;
	int64_t pid = 0, from = INT64_MIN, to = INT64_MAX, after_at, after_id;
	unsigned want = (1u << STATUSES) - 1;
	bool no_match = false, has_after;
	size_t i, k, n, shown = 0;
	const struct appointment *last = NULL;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "date") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value, &from, &to))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "status") && !x->modifier) {
			want &= status_bits(x->value);
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Appointment is searched by patient, date "
				  "and status only.");
			return ERR_INVALID;
		}
	}
	if ((e = fhir_search_patient(c, "Appointment", pid, RES_CONTACT,
				     "Say whose appointments: add "
				     "patient=Patient/<id>.",
				     &pid)) != ERR_OK)
		return e;
	if (!fhir_cursor_parse(c, q, &has_after, &after_at, &after_id))
		return ERR_INVALID;
	out->total = 0;
	if (no_match || !want || from >= to)
		return ERR_OK;
	if ((e = appointment_list_patient(c->ctx->db, c->ctx->a, pid,
					  APPOINTMENTS_MAX, &rows, &n)) !=
	    ERR_OK)
		return e;
	for (k = 0; k < n; k++) {
		/* The list is newest start first. */
		const struct appointment *ap =
			&rows[q->sort_oldest ? n - 1 - k : k];
		int64_t ms = ap->starts_at * 1000;

		if (ms < from || ms >= to || !(status_bit(ap->status) & want))
			continue;
		if (q->summary_count) {
			out->total++;
			continue;
		}
		if (has_after &&
		    (q->sort_oldest
			     ? (ap->starts_at < after_at ||
				(ap->starts_at == after_at &&
				 ap->id <= after_id))
			     : (ap->starts_at > after_at ||
				(ap->starts_at == after_at &&
				 ap->id >= after_id))))
			continue;
		if (shown == (size_t)q->count) {
			out->next = fhir_cursor_make(c, last->starts_at,
						     last->id);
			break;
		}
		json_array_append_new(out->match, appointment_json(ap));
		last = ap;
		shown++;
	}
	if (!q->summary_count)
		out->total = -1;
	return ERR_OK;
}

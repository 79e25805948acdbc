/*
 * The record's trail as FHIR: a provenance row (auth/provenance.h) as a
 * Provenance, an audit chain entry (auth/audit.h) as an AuditEvent, the
 * References to the people and records they name, and the one rule on
 * which of them a caller may see. Provenance and AuditEvent are how
 * other systems see who contributed what, in which voice: they must never
 * show more of a patient's record than the access policy lets the
 * caller read (docs/fhir.md).
 */
#ifndef FHIR_TRAIL_H
#define FHIR_TRAIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/audit.h"
#include "auth/provenance.h"
#include "core/err.h"

struct fhir_call;

/* cocare's extensions, code systems and identifier systems. */
#define FHIR_EXT_VOICE "https://cocare.org/fhir/StructureDefinition/voice"
#define FHIR_EXT_AUDIT_EVENT \
	"https://cocare.org/fhir/StructureDefinition/audit-event"
#define FHIR_EXT_AUDIT_CHAIN \
	"https://cocare.org/fhir/StructureDefinition/audit-chain"
#define FHIR_CS_AUDIT_ACTION "https://cocare.org/fhir/CodeSystem/audit-action"
#define FHIR_ID_ACCOUNT "https://cocare.org/fhir/identifier/account"
#define FHIR_ID_RECORD "https://cocare.org/fhir/record/"

/*
 * A Reference to the person behind account `account_id` (a new
 * reference): Patient/<own_patient_id> for a patient, Practitioner/<id>
 * for staff, a RelatedPerson by the account's identifier for a
 * caregiver, and a Device shown as "cocare" for cocare itself (account
 * 0, or a role that is not a person's). `role` is a role_name(); `name`
 * the display name, or "".
 */
json_t *fhir_account_ref(int64_t account_id, const char *role,
			 const char *name, int64_t own_patient_id);

/*
 * A Reference to record `id` of cocare's record type `type` (a new
 * reference): "Patient/<id>" and the like for a type the API serves
 * under those ids, else the record's identifier (system
 * FHIR_ID_RECORD<type>) with the type as display; only the display when
 * `id` is "". NULL when `type` is "".
 */
json_t *fhir_record_ref(const char *type, const char *id);

/*
 * Whether the call's actor may see that patient `pid`'s record
 * `type`/`id` exists and what `action` was done to it: when the access
 * policy lets them read the part of the record it belongs to
 * (provenance_resource()), and, for a progress note, when the note is
 * shared with the patient or they may read withheld notes. A type the
 * table does not know is never shown. ERR_OK with *out set, or ERR_DB.
 */
enum err fhir_record_visible(struct fhir_call *c, int64_t pid,
			     const char *type, const char *id,
			     const char *action, bool *out);

/* The Provenance for `p` (a new reference). */
json_t *fhir_provenance_json(const struct provenance *p);

/* What of an audit entry a caller is shown (see auditevent.c). */
struct fhir_audit_view {
	bool record;	/* the record acted on */
	bool detail;	/* the entry's detail code (with the record) */
	bool patient;	/* the patient whose record it is */
};

/* The AuditEvent for `r`, showing what `v` says (a new reference). */
json_t *fhir_audit_json(const struct audit_row *r,
			const struct fhir_audit_view *v);

#endif

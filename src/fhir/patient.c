/*
 * Patient: the patient record (people/patient.h) as a FHIR Patient.
 * Communication and accessibility needs, and the patient groups of the
 * touchpoint analytics, are free text or local codes with no place in
 * the base resource: they go out as cocare extensions (docs/fhir.md).
 */
#include <stdio.h>
#include <string.h>

#include "auth/actor.h"
#include "fhir/datetime.h"
#include "fhir/resource.h"
#include "people/patient.h"
#include "core/banned.h"

#define ID_SYSTEM "https://cocare.org/fhir/identifier/"
#define EXT "https://cocare.org/fhir/StructureDefinition/"
#define EXT_INTERPRETER \
	"http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"

const struct fhir_search_param fhir_patient_params[] = {{NULL, NULL, NULL}};

static json_t *
patient_json(const struct patient *p)
{
	char id[24], ver[24], updated[FHIR_INSTANT_LEN];
	json_t *r, *ids = json_array(), *given = json_array(), *ext;
	size_t i;

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	/* The version the edit form checks, as FHIR's versionId. */
	snprintf(ver, sizeof(ver), "%lld", (long long)p->version);
	fhir_instant_format(p->updated_at * 1000, updated);
	for (i = 0; i < p->nids; i++)
		json_array_append_new(
			ids, json_pack("{s:s+,s:s}", "system", ID_SYSTEM,
				       p->ids[i].system, "value",
				       p->ids[i].value));
	if (p->given_name[0])
		json_array_append_new(given, json_string(p->given_name));
	ext = json_pack("[{s:s,s:b}]", "url", EXT_INTERPRETER, "valueBoolean",
			p->interpreter_needed);
	if (p->communication_needs[0])
		json_array_append_new(
			ext, json_pack("{s:s,s:s}", "url",
				       EXT "communication-needs", "valueString",
				       p->communication_needs));
	if (p->accessibility_needs[0])
		json_array_append_new(
			ext, json_pack("{s:s,s:s}", "url",
				       EXT "accessibility-needs", "valueString",
				       p->accessibility_needs));
	r = json_pack("{s:s,s:s,s:{s:s,s:s},s:o,s:o,s:[{s:s,s:s,s:o}],s:s}",
		      "resourceType", "Patient", "id", id, "meta", "versionId",
		      ver, "lastUpdated", updated, "extension", ext,
		      "identifier", ids, "name", "use", "usual", "family",
		      p->family_name, "given", given, "gender",
		      p->gender[0] ? p->gender : "unknown");
	if (p->birth_date[0])
		json_object_set_new(r, "birthDate",
				    json_string(p->birth_date));
	if (p->preferred_language[0])
		json_object_set_new(
			r, "communication",
			json_pack("[{s:{s:[{s:s,s:s}]},s:b}]", "language",
				  "coding", "system", "urn:ietf:bcp:47", "code",
				  p->preferred_language, "preferred", 1));
	snprintf(id, sizeof(id), "Organization/%lld", (long long)p->org_id);
	json_object_set_new(r, "managingOrganization",
			    json_pack("{s:s}", "reference", id));
	return r;
}

enum err
fhir_patient_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct patient p;
	enum err e;

	if ((e = patient_get(c->ctx->db, c->ctx->a, id, &p)) != ERR_OK)
		return e;
	/* Another organisation's patient does not exist for this one. */
	if (p.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "Patient", SCOPE_READ, id, RES_PROFILE,
			    ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Patient", id, id);
	*out = patient_json(&p);
	return ERR_OK;
}

/*
 * Staff, organisations, care teams and caregiver grants as FHIR R4
 * resources (see people_map.h). Only what the pages show the same
 * readers goes out: no contact details, no sign-in data.
 */
#include "fhir/people_map.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/actor.h"
#include "auth/policy.h"
#include "fhir/datetime.h"
#include "people/research.h"
#include "core/banned.h"

#define EXT "https://cocare.org/fhir/StructureDefinition/"
#define ACCOUNT_ID_SYSTEM "https://cocare.org/fhir/identifier/account"
#define ORG_TYPE_SYSTEM \
	"http://terminology.hl7.org/CodeSystem/organization-type"
#define CONSENT_SCOPE_SYSTEM \
	"http://terminology.hl7.org/CodeSystem/consentscope"
#define CONSENT_ACTION_SYSTEM \
	"http://terminology.hl7.org/CodeSystem/consentaction"
#define ACT_CODE_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#define ROLE_CLASS_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-RoleClass"

/* Every "Type/<id>" and id fits: 12 + 1 + 19 digits. */
#define REF_LEN 48

/* Stored text is never NULL, but a NULL must not make json_pack fail. */
static const char *
txt(const char *s)
{
	return s ? s : "";
}

static json_t *
id_json(int64_t id)
{
	return json_sprintf("%" PRId64, id);
}

static json_t *
ref_json(const char *type, int64_t id, const char *display)
{
	char ref[REF_LEN];
	json_t *r;

	snprintf(ref, sizeof(ref), "%s/%" PRId64, type, id);
	r = json_pack("{s:s}", "reference", ref);
	if (r && display && display[0])
		json_object_set_new(r, "display", json_string(display));
	return r;
}

/* Unix seconds as an instant. */
static json_t *
instant_json(int64_t s)
{
	char t[FHIR_INSTANT_LEN];

	fhir_instant_format(s * 1000, t);
	return json_string(t);
}

/* resourceType, id and meta: versionId "1" (none of these records keeps
 * a version) and lastUpdated when `updated` (Unix seconds) is known. */
static json_t *
resource_new(const char *type, int64_t id, int64_t updated)
{
	json_t *meta = json_pack("{s:s}", "versionId", "1");

	if (meta && updated)
		json_object_set_new(meta, "lastUpdated", instant_json(updated));
	return json_pack("{s:s,s:o,s:o}", "resourceType", type, "id",
			 id_json(id), "meta", meta);
}

/* --- staff ---------------------------------------------------------------- */

json_t *
fhir_practitioner_json(const struct account *acc)
{
	json_t *r = resource_new("Practitioner", acc->id, acc->updated_at);

	if (!r)
		return NULL;
	json_object_set_new(r, "active", json_boolean(!acc->disabled));
	json_object_set_new(r, "name", json_pack("[{s:s}]", "text",
						 txt(acc->display_name)));
	return r;
}

json_t *
fhir_practitioner_role_json(const struct account *acc)
{
	json_t *r = resource_new("PractitionerRole", acc->id,
				 acc->updated_at);

	if (!r)
		return NULL;
	json_object_set_new(r, "active", json_boolean(!acc->disabled));
	json_object_set_new(r, "practitioner",
			    ref_json("Practitioner", acc->id,
				     acc->display_name));
	/* The unit is the most precise organisation the account works in. */
	json_object_set_new(r, "organization",
			    ref_json("Organization",
				     acc->unit_id ? acc->unit_id : acc->org_id,
				     NULL));
	json_object_set_new(r, "code",
			    json_pack("[{s:[{s:s,s:s,s:s}]}]", "coding",
				      "system", FHIR_ROLE_SYSTEM, "code",
				      role_name(acc->role), "display",
				      role_label(acc->role)));
	if (acc->discipline && acc->discipline[0])
		json_object_set_new(r, "specialty",
				    json_pack("[{s:s}]", "text",
					      acc->discipline));
	return r;
}

/* --- organisations -------------------------------------------------------- */

static json_t *
org_type_json(const char *code, const char *display)
{
	return json_pack("[{s:[{s:s,s:s,s:s}]}]", "coding", "system",
			 ORG_TYPE_SYSTEM, "code", code, "display", display);
}

json_t *
fhir_organization_json(const struct organisation *o)
{
	json_t *r = resource_new("Organization", o->id, 0);

	if (!r)
		return NULL;
	/* Not a contact of the organisation: the number its patients call
	 * in an emergency, as their crisis plans show it. */
	if (o->emergency_number && o->emergency_number[0])
		json_object_set_new(r, "extension",
				    json_pack("[{s:s,s:s}]", "url",
					      EXT "emergency-number",
					      "valueString",
					      o->emergency_number));
	json_object_set_new(r, "active", json_true());
	json_object_set_new(r, "type",
			    org_type_json("prov", "Healthcare Provider"));
	json_object_set_new(r, "name", json_string(txt(o->name)));
	return r;
}

json_t *
fhir_unit_json(const struct unit *u)
{
	json_t *r = resource_new("Organization", u->id, u->created_at);

	if (!r)
		return NULL;
	json_object_set_new(r, "active", json_true());
	json_object_set_new(r, "type",
			    org_type_json("dept", "Hospital Department"));
	json_object_set_new(r, "name", json_string(txt(u->name)));
	json_object_set_new(r, "partOf",
			    ref_json("Organization", u->org_id, NULL));
	return r;
}

/* --- care team ------------------------------------------------------------ */

static json_t *
participant_json(const struct team_member *m)
{
	json_t *p = json_pack("{s:o,s:[{s:s}],s:o,s:{s:o}}", "id",
			      id_json(m->id), "role", "text",
			      txt(m->team_role), "member",
			      ref_json("Practitioner", m->account_id,
				       m->name),
			      "period", "start", instant_json(m->since));

	if (p && m->discipline && m->discipline[0])
		json_object_set_new(p, "extension",
				    json_pack("[{s:s,s:s}]", "url",
					      EXT "discipline", "valueString",
					      m->discipline));
	return p;
}

json_t *
fhir_care_team_json(int64_t patient_id, int64_t org_id,
		    const struct team_member *m, size_t n)
{
	/* The team as a whole keeps no time of its last change: members
	 * removed leave no row behind. */
	json_t *r = resource_new("CareTeam", patient_id, 0), *parts;
	size_t i;

	if (!r)
		return NULL;
	json_object_set_new(r, "status", json_string("active"));
	json_object_set_new(r, "subject",
			    ref_json("Patient", patient_id, NULL));
	parts = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(parts, participant_json(&m[i]));
	if (json_array_size(parts))
		json_object_set_new(r, "participant", parts);
	else
		json_decref(parts);
	json_object_set_new(r, "managingOrganization",
			    json_pack("[o]", ref_json("Organization", org_id,
						      NULL)));
	return r;
}

/* --- caregiver grants ----------------------------------------------------- */

/* A grant changes once at most: when it is withdrawn. */
static int64_t
grant_updated(const struct grant *g)
{
	return g->revoked_at ? g->revoked_at : g->granted_at;
}

json_t *
fhir_related_person_json(const struct grant *g, int64_t now)
{
	json_t *r = resource_new("RelatedPerson", g->id, grant_updated(g));
	json_t *period;
	int64_t end = g->revoked_at ? g->revoked_at : g->expires_at;

	if (!r)
		return NULL;
	json_object_set_new(r, "identifier",
			    json_pack("[{s:s,s:o}]", "system",
				      ACCOUNT_ID_SYSTEM, "value",
				      id_json(g->caregiver_id)));
	json_object_set_new(r, "active",
			    json_boolean(grant_is_active(g, now)));
	json_object_set_new(r, "patient",
			    ref_json("Patient", g->patient_id,
				     g->patient_name));
	json_object_set_new(r, "relationship",
			    json_pack("[{s:s}]", "text",
				      txt(g->relationship)));
	json_object_set_new(r, "name", json_pack("[{s:s}]", "text",
						 txt(g->caregiver_name)));
	period = json_pack("{s:o}", "start", instant_json(g->granted_at));
	if (period && end)
		json_object_set_new(period, "end", instant_json(end));
	json_object_set_new(r, "period", period);
	return r;
}

/* Who granted it: the patient themself, or a professional. */
static json_t *
performer_json(const struct grant *g)
{
	enum role role;

	if (g->granted_by_role && role_parse(g->granted_by_role, &role)) {
		if (role == ROLE_PATIENT)
			return ref_json("Patient", g->patient_id,
					g->granted_by_name);
		if (role_is_staff(role))
			return ref_json("Practitioner", g->granted_by,
					g->granted_by_name);
	}
	/* Anyone else (the command line's system actor): a name only. */
	return json_pack("{s:s}", "display", txt(g->granted_by_name));
}

static json_t *
action_json(const char *code)
{
	return json_pack("{s:[{s:s,s:s}]}", "coding", "system",
			 CONSENT_ACTION_SYSTEM, "code", code);
}

/* A permit per part of the record, with what the caregiver may do. */
static json_t *
permits_json(unsigned scopes)
{
	json_t *list = json_array(), *actions, *p;
	int r;

	for (r = 0; r < RES__MAX; r++) {
		enum resource res = (enum resource)r;

		actions = json_array();
		if (scopes & policy_scope_bit(res, ACT_READ))
			json_array_append_new(actions, action_json("access"));
		if (scopes & policy_scope_bit(res, ACT_WRITE))
			json_array_append_new(actions,
					      action_json("correct"));
		if (!json_array_size(actions)) {
			json_decref(actions);
			continue;
		}
		p = json_pack("{s:s,s:o,s:[{s:s,s:s,s:s}]}", "type", "permit",
			      "action", actions, "class", "system",
			      FHIR_RECORD_PART_SYSTEM, "code",
			      resource_name(res), "display",
			      resource_label(res));
		json_array_append_new(list, p);
	}
	return list;
}

json_t *
fhir_consent_json(const struct grant *g, int64_t now)
{
	json_t *r = resource_new("Consent", g->id, grant_updated(g));
	json_t *prov, *period, *permits;

	if (!r)
		return NULL;
	if (g->revoked_at)
		json_object_set_new(r, "extension",
				    json_pack("[{s:s,s:o}]", "url",
					      EXT "revoked", "valueDateTime",
					      instant_json(g->revoked_at)));
	json_object_set_new(r, "status",
			    json_string(grant_is_active(g, now)
						? "active"
						: "inactive"));
	json_object_set_new(r, "scope",
			    json_pack("{s:[{s:s,s:s}]}", "coding", "system",
				      CONSENT_SCOPE_SYSTEM, "code",
				      "patient-privacy"));
	json_object_set_new(r, "category",
			    json_pack("[{s:[{s:s,s:s,s:s}],s:s}]", "coding",
				      "system", FHIR_CONSENT_CATEGORY_SYSTEM,
				      "code", "caregiver-access", "display",
				      "Caregiver access", "text",
				      "caregiver access"));
	json_object_set_new(r, "patient",
			    ref_json("Patient", g->patient_id,
				     g->patient_name));
	json_object_set_new(r, "dateTime", instant_json(g->granted_at));
	json_object_set_new(r, "performer", json_pack("[o]",
						      performer_json(g)));
	json_object_set_new(r, "organization",
			    json_pack("[o]", ref_json("Organization",
						      g->org_id, NULL)));
	json_object_set_new(r, "policyRule",
			    json_pack("{s:[{s:s,s:s}]}", "coding", "system",
				      ACT_CODE_SYSTEM, "code", "OPTIN"));
	period = json_pack("{s:o}", "start", instant_json(g->granted_at));
	if (period && g->expires_at)
		json_object_set_new(period, "end",
				    instant_json(g->expires_at));
	prov = json_pack("{s:o,s:[{s:{s:[{s:s,s:s,s:s}]},s:o}]}", "period",
			 period, "actor", "role", "coding", "system",
			 ROLE_CLASS_SYSTEM, "code", "CAREGIVER", "display",
			 "caregiver", "reference",
			 ref_json("RelatedPerson", g->id, g->caregiver_name));
	permits = permits_json(g->scopes);
	if (prov && json_array_size(permits))
		json_object_set_new(prov, "provision", permits);
	else
		json_decref(permits);
	json_object_set_new(r, "provision", prov);
	return r;
}

/* Who recorded a research answer: the patient, or a member of staff. */
static json_t *
recorder_json(const struct research_consent *r)
{
	if (r->voice && !strcmp(r->voice, "patient"))
		return ref_json("Patient", r->patient_id, r->recorded_by_name);
	return ref_json("Practitioner", r->recorded_by, r->recorded_by_name);
}

json_t *
fhir_research_consent_json(const struct research_consent *given,
			   const struct research_consent *ended)
{
	json_t *r = resource_new("Consent",
				 given->id + FHIR_RESEARCH_CONSENT_BASE,
				 (ended ? ended->at_ms : given->at_ms) / 1000);
	json_t *period, *exts = json_array();

	if (!r) {
		json_decref(exts);
		return NULL;
	}
	json_array_append_new(exts, json_pack("{s:s,s:s}", "url",
					      EXT "voice", "valueCode",
					      txt(given->voice)));
	if (ended)
		json_array_append_new(
			exts, json_pack("{s:s,s:o}", "url", EXT "revoked",
					"valueDateTime",
					instant_json(ended->at_ms / 1000)));
	json_object_set_new(r, "extension", exts);
	json_object_set_new(r, "status",
			    json_string(ended ? "inactive" : "active"));
	json_object_set_new(r, "scope",
			    json_pack("{s:[{s:s,s:s}]}", "coding", "system",
				      CONSENT_SCOPE_SYSTEM, "code",
				      "research"));
	json_object_set_new(r, "category",
			    json_pack("[{s:[{s:s,s:s,s:s}],s:s}]", "coding",
				      "system", FHIR_CONSENT_CATEGORY_SYSTEM,
				      "code", "research", "display",
				      "Research use", "text",
				      "research use"));
	json_object_set_new(r, "patient",
			    ref_json("Patient", given->patient_id, NULL));
	json_object_set_new(r, "dateTime",
			    instant_json(given->at_ms / 1000));
	json_object_set_new(r, "performer",
			    json_pack("[o]", recorder_json(given)));
	json_object_set_new(r, "organization",
			    json_pack("[o]", ref_json("Organization",
						      given->org_id, NULL)));
	json_object_set_new(r, "policyRule",
			    json_pack("{s:[{s:s,s:s}]}", "coding", "system",
				      ACT_CODE_SYSTEM, "code", "OPTIN"));
	period = json_pack("{s:o}", "start",
			   instant_json(given->at_ms / 1000));
	if (period && ended)
		json_object_set_new(period, "end",
				    instant_json(ended->at_ms / 1000));
	json_object_set_new(r, "provision",
			    json_pack("{s:s,s:o}", "type", "permit", "period",
				      period));
	return r;
}

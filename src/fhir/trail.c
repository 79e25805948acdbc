/*
 * Provenance and AuditEvent resources, the References they share, and
 * who may see which record they name (see trail.h).
 */
#include "fhir/trail.h"

#include <stdio.h>
#include <string.h>

#include "auth/actor.h"
#include "auth/policy.h"
#include "care/note.h"
#include "fhir/datetime.h"
#include "fhir/resource.h"
#include "core/banned.h"

/* R5's Provenance.patient, in R4 (the cross-version extension). */
#define EXT_R5_PATIENT                                                     \
	"http://hl7.org/fhir/5.0/StructureDefinition/"                     \
	"extension-Provenance.patient"
#define CS_TERMINOLOGY "http://terminology.hl7.org/CodeSystem/"
#define CS_PARTICIPANT CS_TERMINOLOGY "provenance-participant-type"
#define CS_DATA_OPERATION CS_TERMINOLOGY "v3-DataOperation"
#define CS_EVENT_TYPE CS_TERMINOLOGY "audit-event-type"
#define CS_SOURCE_TYPE CS_TERMINOLOGY "security-source-type"
#define CS_ENTITY_TYPE CS_TERMINOLOGY "audit-entity-type"
#define CS_OBJECT_ROLE CS_TERMINOLOGY "object-role"
#define CS_INTERACTION "http://hl7.org/fhir/restful-interaction"

/*
 * Record types whose ids in the audit chain and the provenance are the
 * ids the API serves them under. Others (a care plan goal, a progress
 * note, ...) are named by identifier until the API serves them: the
 * pages audit some types under the patient's id instead of the record's
 * (AuditEvent, CarePlan), which must not look like a resource's id.
 */
static const char *const served_types[] = {"Patient", "Observation",
					   "Provenance"};

json_t *
fhir_account_ref(int64_t account_id, const char *role, const char *name,
		 int64_t own_patient_id)
{
	char ref[48], id[24];
	enum role r;
	json_t *o;

	if (!account_id || !role || !role_parse(role, &r))
		return json_pack("{s:s,s:s}", "type", "Device", "display",
				 "cocare");
	snprintf(id, sizeof(id), "%lld", (long long)account_id);
	if (r == ROLE_PATIENT && own_patient_id) {
		snprintf(ref, sizeof(ref), "Patient/%lld",
			 (long long)own_patient_id);
		o = json_pack("{s:s}", "reference", ref);
	} else if (role_is_staff(r)) {
		snprintf(ref, sizeof(ref), "Practitioner/%s", id);
		o = json_pack("{s:s}", "reference", ref);
	} else {
		/* A caregiver: the API serves no RelatedPerson yet. */
		o = json_pack("{s:s,s:{s:s,s:s}}", "type",
			      r == ROLE_CAREGIVER ? "RelatedPerson" : "Patient",
			      "identifier", "system", FHIR_ID_ACCOUNT, "value",
			      id);
	}
	if (o && name && name[0])
		json_object_set_new(o, "display", json_string(name));
	return o;
}

json_t *
fhir_record_ref(const char *type, const char *id)
{
	int64_t n;
	size_t i;

	if (!type || !type[0])
		return NULL;
	if (!id || !id[0])
		return json_pack("{s:s}", "display", type);
	for (i = 0; i < sizeof(served_types) / sizeof(served_types[0]); i++)
		if (strcmp(type, served_types[i]) == 0 &&
		    fhir_id_parse(id, &n))
			return json_pack("{s:o}", "reference",
					 json_sprintf("%s/%s", type, id));
	return json_pack("{s:{s:s+,s:s},s:s}", "identifier", "system",
			 FHIR_ID_RECORD, type, "value", id, "display", type);
}

enum err
fhir_record_visible(struct fhir_call *c, int64_t pid, const char *type,
		    const char *id, const char *action, bool *out)
{
	enum resource res;
	struct decision d;
	int64_t note_id;
	bool shared;
	enum err e;

	*out = false;
	if (!provenance_resource(type, action, &res))
		return ERR_OK;
	if ((e = policy_check(c->ctx, pid, res, ACT_READ, &d)) != ERR_OK ||
	    !d.allow)
		return e;
	/* A note withheld from the patient is a part of its own. */
	if (res != RES_NOTES || strcmp(type, NOTE_RES_NOTE) != 0 ||
	    !fhir_id_parse(id, &note_id)) {
		*out = true;
		return ERR_OK;
	}
	if ((e = policy_check(c->ctx, pid, RES_WITHHELD_NOTES, ACT_READ,
			      &d)) != ERR_OK)
		return e;
	if (d.allow) {
		*out = true;
		return ERR_OK;
	}
	e = note_sharing_get(c->ctx->db, pid, note_id, &shared);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	*out = e == ERR_OK && shared;
	return e;
}

/* --- Provenance ---------------------------------------------------------- */

/* An agent of a Provenance, in `voice`, as "author" or "enterer". */
static json_t *
agent_json(const char *voice, bool author, json_t *who)
{
	return json_pack("{s:[{s:s,s:s}],s:{s:[{s:s,s:s,s:s}]},s:o}",
			 "extension", "url", FHIR_EXT_VOICE, "valueCode", voice,
			 "type", "coding", "system", CS_PARTICIPANT, "code",
			 author ? "author" : "enterer", "display",
			 author ? "Author" : "Enterer", "who", who);
}

/* The activity as text, coded where HL7's data operations say the same. */
static json_t *
activity_json(const char *activity)
{
	static const char *const ops[][2] = {
		{"create", "CREATE"},
		{"update", "UPDATE"},
		{"delete", "DELETE"},
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(activity, ops[i][0]) == 0)
			return json_pack("{s:[{s:s,s:s}],s:s}", "coding",
					 "system", CS_DATA_OPERATION, "code",
					 ops[i][1], "text", activity);
	return json_pack("{s:s}", "text", activity);
}

json_t *
fhir_provenance_json(const struct provenance *p)
{
	char id[24], patient[40], audit[40], at[FHIR_INSTANT_LEN];
	enum role role;
	bool known = role_parse(p->author_role, &role);
	/* The author wrote in a voice not their own: someone else's words,
	 * such as a patient's, entered by a professional. */
	bool author = !strcmp(p->voice, known ? role_voice(role) : "system");
	bool self = known && role == ROLE_PATIENT &&
		    p->author_patient_id == p->patient_id;
	json_t *agents = json_array(), *first, *target;

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	snprintf(patient, sizeof(patient), "Patient/%lld",
		 (long long)p->patient_id);
	snprintf(audit, sizeof(audit), "AuditEvent/%lld",
		 (long long)p->audit_seq);
	fhir_instant_format(p->at_ms, at);
	first = agent_json(p->voice, author,
			   fhir_account_ref(p->author_id, p->author_role,
					    p->author_name,
					    p->author_patient_id));
	if (first && !self)
		json_object_set_new(first, "onBehalfOf",
				    json_pack("{s:s}", "reference", patient));
	json_array_append_new(agents, first);
	if (!self && !author && strcmp(p->voice, "patient") == 0)
		json_array_append_new(
			agents, agent_json("patient", true,
					   json_pack("{s:s}", "reference",
						     patient)));
	target = fhir_record_ref(p->resource_type, p->resource_id);
	if (!target)
		target = json_pack("{s:s}", "display", "record");
	return json_pack("{s:s,s:s,s:{s:s,s:s},s:[{s:s,s:{s:s}},{s:s,s:{s:s}}],"
			 "s:[o],s:s,s:o,s:o}",
			 "resourceType", "Provenance", "id", id, "meta",
			 "versionId", "1", "lastUpdated", at, "extension",
			 "url", EXT_R5_PATIENT, "valueReference", "reference",
			 patient, "url", FHIR_EXT_AUDIT_EVENT, "valueReference",
			 "reference", audit, "target", target, "recorded", at,
			 "activity", activity_json(p->activity), "agent",
			 agents);
}

/* --- AuditEvent ---------------------------------------------------------- */

/* C, R, U or D for what they name; E for every other action. */
static const char *
action_code(const char *action)
{
	if (!strcmp(action, "create"))
		return "C";
	if (!strcmp(action, "read"))
		return "R";
	if (!strcmp(action, "update"))
		return "U";
	if (!strcmp(action, "delete"))
		return "D";
	return "E";
}

/* The action as a RESTful interaction, where it is one; else NULL. */
static const char *
interaction(const char *action)
{
	static const char *const same[] = {"create", "read", "update",
					   "delete"};
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (!strcmp(action, same[i]))
			return same[i];
	return !strcmp(action, "search") ? "search-type" : NULL;
}

/* 0 success, 4 refused by the access policy (a minor failure), 8 a
 * failure. */
static const char *
outcome_code(const char *outcome)
{
	if (!strcmp(outcome, "success"))
		return "0";
	return !strcmp(outcome, "denied") ? "4" : "8";
}

static json_t *
subtypes(const char *action)
{
	json_t *a = json_array();
	const char *i = interaction(action);

	if (i)
		json_array_append_new(a, json_pack("{s:s,s:s}", "system",
						   CS_INTERACTION, "code", i));
	if (action[0])
		json_array_append_new(a, json_pack("{s:s,s:s}", "system",
						   FHIR_CS_AUDIT_ACTION,
						   "code", action));
	return a;
}

/* The chain's values, for an auditor to check with `cocare verify`. */
static json_t *
chain_json(const struct audit_row *r, const char *seq)
{
	json_t *parts = json_array();

	json_array_append_new(parts, json_pack("{s:s,s:s}", "url", "seq",
					       "valueString", seq));
	if (r->prev_hash[0])
		json_array_append_new(parts,
				      json_pack("{s:s,s:s}", "url",
						"previousHash", "valueString",
						r->prev_hash));
	if (r->hash[0])
		json_array_append_new(parts,
				      json_pack("{s:s,s:s}", "url", "hash",
						"valueString", r->hash));
	return json_pack("[{s:s,s:o}]", "url", FHIR_EXT_AUDIT_CHAIN,
			 "extension", parts);
}

static json_t *
entities(const struct audit_row *r, const struct fhir_audit_view *v)
{
	json_t *a = json_array(), *what, *e;
	char patient[40];

	what = v->record ? fhir_record_ref(r->resource_type, r->resource_id)
			 : NULL;
	if (what) {
		e = json_pack("{s:o,s:{s:s,s:s,s:s}}", "what", what, "type",
			      "system", CS_ENTITY_TYPE, "code", "2", "display",
			      "System Object");
		if (e && v->detail && r->detail[0])
			json_object_set_new(
				e, "detail",
				json_pack("[{s:s,s:s}]", "type", "detail",
					  "valueString", r->detail));
		json_array_append_new(a, e);
	}
	if (v->patient && r->patient_id) {
		snprintf(patient, sizeof(patient), "Patient/%lld",
			 (long long)r->patient_id);
		e = json_pack("{s:{s:s},s:{s:s,s:s,s:s},s:{s:s,s:s,s:s}}",
			      "what", "reference", patient, "type", "system",
			      CS_ENTITY_TYPE, "code", "1", "display", "Person",
			      "role", "system", CS_OBJECT_ROLE, "code", "1",
			      "display", "Patient");
		json_array_append_new(a, e);
	}
	return a;
}

json_t *
fhir_audit_json(const struct audit_row *r, const struct fhir_audit_view *v)
{
	char seq[24], at[FHIR_INSTANT_LEN];
	json_t *o, *agent, *ents, *sub;

	snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
	fhir_instant_format(r->at_ms, at);
	agent = json_pack("{s:o,s:b}", "who",
			  fhir_account_ref(r->actor_id, r->actor_role,
					   r->actor_name, r->actor_patient_id),
			  "requestor", 1);
	if (agent && r->actor_role[0])
		json_object_set_new(agent, "role",
				    json_pack("[{s:s}]", "text",
					      r->actor_role));
	o = json_pack("{s:s,s:s,s:{s:s,s:s},s:o,s:{s:s,s:s,s:s},s:s,s:s,"
		      "s:s,s:s,s:[o],s:{s:{s:s},s:[{s:s,s:s,s:s}]}}",
		      "resourceType", "AuditEvent", "id", seq, "meta",
		      "versionId", "1", "lastUpdated", at, "extension",
		      chain_json(r, seq), "type", "system", CS_EVENT_TYPE,
		      "code", "rest", "display", "Restful Operation", "action",
		      action_code(r->action), "recorded", at, "outcome",
		      outcome_code(r->outcome), "outcomeDesc", r->outcome,
		      "agent", agent, "source", "observer", "display",
		      "cocare", "type", "system", CS_SOURCE_TYPE, "code", "4",
		      "display", "Application Server");
	if (!o)
		return NULL;
	sub = subtypes(r->action);
	if (json_array_size(sub))
		json_object_set_new(o, "subtype", sub);
	else
		json_decref(sub);
	ents = entities(r, v);
	if (json_array_size(ents))
		json_object_set_new(o, "entity", ents);
	else
		json_decref(ents);
	return o;
}

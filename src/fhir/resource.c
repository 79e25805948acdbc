/*
 * The table of resource types, the access check every type calls, and
 * the CapabilityStatement made from the table (see resource.h).
 */
#include "fhir/resource.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/actor.h"
#include "auth/audit.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/banned.h"

static const char *const observation_includes[] = {
	"Observation:patient", "Observation:subject", NULL};
static const char *const response_includes[] = {
	"QuestionnaireResponse:patient", "QuestionnaireResponse:subject",
	NULL};

#define PROFILE(t) "http://hl7.org/fhir/StructureDefinition/" t
#define BULK "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"

const struct fhir_type fhir_types[] = {
	{.name = "Appointment",
	 .profile = PROFILE("Appointment"),
	 .read = fhir_appointment_read,
	 .search = fhir_appointment_search,
	 .params = fhir_appointment_params},
	{.name = "AuditEvent",
	 .profile = PROFILE("AuditEvent"),
	 .read = fhir_audit_event_read,
	 .search = fhir_audit_event_search,
	 .params = fhir_audit_event_params},
	{.name = "CarePlan",
	 .profile = PROFILE("CarePlan"),
	 .read = fhir_careplan_read,
	 .search = fhir_careplan_search,
	 .params = fhir_careplan_params},
	{.name = "CareTeam",
	 .profile = PROFILE("CareTeam"),
	 .read = fhir_care_team_read,
	 .search = fhir_care_team_search,
	 .params = fhir_care_team_params},
	{.name = "Communication",
	 .profile = PROFILE("Communication"),
	 .read = fhir_communication_read,
	 .search = fhir_communication_search,
	 .create = fhir_communication_create,
	 .params = fhir_communication_params},
	{.name = "Composition",
	 .profile = PROFILE("Composition"),
	 .read = fhir_composition_read,
	 .search = fhir_composition_search,
	 .params = fhir_composition_params},
	{.name = "Consent",
	 .profile = PROFILE("Consent"),
	 .read = fhir_consent_read,
	 .search = fhir_consent_search,
	 .params = fhir_consent_params},
	{.name = "Goal",
	 .profile = PROFILE("Goal"),
	 .read = fhir_goal_read,
	 .search = fhir_goal_search,
	 .create = fhir_goal_create,
	 .update = fhir_goal_update,
	 .remove = fhir_goal_delete,
	 .params = fhir_goal_params},
	{.name = "Observation",
	 .profile = PROFILE("Observation"),
	 .read = fhir_observation_read,
	 .search = fhir_observation_search,
	 .create = fhir_observation_create,
	 .vread = fhir_observation_vread,
	 .history = fhir_observation_history,
	 .params = fhir_observation_params,
	 .includes = observation_includes},
	{.name = "Organization",
	 .profile = PROFILE("Organization"),
	 .read = fhir_organization_read,
	 .search = fhir_organization_search,
	 .params = fhir_organization_params},
	{.name = "Patient",
	 .profile = PROFILE("Patient"),
	 .read = fhir_patient_read,
	 .search = fhir_patient_search,
	 .create = fhir_patient_create,
	 .update = fhir_patient_update,
	 .vread = fhir_patient_vread,
	 .history = fhir_patient_history,
	 .history_type = fhir_patient_type_history,
	 .params = fhir_patient_params},
	{.name = "Practitioner",
	 .profile = PROFILE("Practitioner"),
	 .read = fhir_practitioner_read,
	 .search = fhir_practitioner_search,
	 .params = fhir_practitioner_params},
	{.name = "PractitionerRole",
	 .profile = PROFILE("PractitionerRole"),
	 .read = fhir_practitioner_role_read,
	 .search = fhir_practitioner_role_search,
	 .params = fhir_practitioner_role_params},
	{.name = "Provenance",
	 .profile = PROFILE("Provenance"),
	 .read = fhir_provenance_read,
	 .search = fhir_provenance_search,
	 .params = fhir_provenance_params},
	{.name = "Questionnaire",
	 .profile = PROFILE("Questionnaire"),
	 .read = fhir_questionnaire_read,
	 .search = fhir_questionnaire_search,
	 .create = fhir_questionnaire_create,
	 .params = fhir_questionnaire_params},
	{.name = "QuestionnaireResponse",
	 .profile = PROFILE("QuestionnaireResponse"),
	 .read = fhir_response_read,
	 .search = fhir_response_search,
	 .create = fhir_response_create,
	 .params = fhir_response_params,
	 .includes = response_includes},
	{.name = "RelatedPerson",
	 .profile = PROFILE("RelatedPerson"),
	 .read = fhir_related_person_read,
	 .search = fhir_related_person_search,
	 .params = fhir_related_person_params},
	{.name = NULL},
};

const struct fhir_type *
fhir_type_find(const char *name)
{
	size_t i;

	for (i = 0; fhir_types[i].name; i++)
		if (strcmp(fhir_types[i].name, name) == 0)
			return &fhir_types[i];
	return NULL;
}

static const char *
op_name(unsigned op)
{
	switch (op) {
	case SCOPE_CREATE:
		return "create";
	case SCOPE_UPDATE:
		return "update";
	case SCOPE_DELETE:
		return "delete";
	case SCOPE_SEARCH:
		return "search";
	default:
		return "read";
	}
}

static void
audit_denied(struct fhir_call *c, const char *type, unsigned op, int64_t pid,
	     const char *why)
{
	struct audit_event e = audit_event_for(c->ctx, op_name(op), type, "",
					       pid, "denied");

	e.detail = why;
	if (audit_record_async(c->ctx, &e) != ERR_OK)
		log_warn("fhir: refusal audit event not queued");
}

static enum err
scope_refused(struct fhir_call *c, const char *type, unsigned op,
	      int64_t pid)
{
	audit_denied(c, type, op, pid, "scope");
	fhir_fail(&c->oo, 403, "forbidden", NULL,
		  "The token's scopes do not allow this. Ask for a token "
		  "with a scope for this resource type and operation.");
	return ERR_FORBIDDEN;
}

enum err
fhir_scope_precheck(struct fhir_call *c, const char *type, unsigned op)
{
	const struct actor *who = &c->ctx->actor;

	if (scopes_allowed(&c->scopes, who, who->patient_id, type) & op)
		return ERR_OK;
	return scope_refused(c, type, op, 0);
}

bool
fhir_may(struct fhir_call *c, const char *type, unsigned op, int64_t pid,
	 enum resource res)
{
	struct decision d;

	return (scopes_allowed(&c->scopes, &c->ctx->actor, pid, type) & op) &&
	       policy_check(c->ctx, pid, res, ACT_READ, &d) == ERR_OK &&
	       d.allow;
}

enum err
fhir_allow(struct fhir_call *c, const char *type, unsigned op, int64_t pid,
	   enum resource res, enum action act)
{
	struct decision d;
	enum err e;

	if (!(scopes_allowed(&c->scopes, &c->ctx->actor, pid, type) & op))
		return scope_refused(c, type, op, pid);
	if (!pid)
		return ERR_OK;
	if ((e = policy_check(c->ctx, pid, res, act, &d)) != ERR_OK)
		return e;
	if (d.allow)
		return ERR_OK;
	audit_denied(c, type, op, pid, d.reason);
	fhir_fail(&c->oo, 403, "forbidden", NULL,
		  "The access policy does not let this person do this with "
		  "this patient's record.");
	return ERR_FORBIDDEN;
}

enum err
fhir_make_writes(struct fhir_call *c, struct fhir_write *w, size_t n,
		 json_t **out)
{
	struct write_step *steps = arena_alloc(c->ctx->a, n * sizeof(*steps));
	size_t i;
	enum err e;

	if (!steps)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		steps[i] = w[i].step;
		steps[i].w = &w[i].wi;
	}
	e = write_commit_all(c->ctx, steps, n);
	if (e == ERR_CONFLICT)
		fhir_fail(&c->oo, 412, "conflict", NULL,
			  "Someone changed this at the same time. Read it "
			  "again and send your change with the new version "
			  "in If-Match.");
	else if (e == ERR_EXISTS)
		fhir_fail(&c->oo, 409, "duplicate", NULL,
			  "This would repeat something that must be unique "
			  "(a patient's number, for example).");
	if (e != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		w[i].step.existed = steps[i].existed;
		out[i] = NULL;
		if ((e = w[i].result(c, &w[i], &out[i])) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
fhir_allow_org(struct fhir_call *c, const char *type, unsigned op,
	       enum org_permission perm)
{
	const struct actor *who = &c->ctx->actor;

	if (!(scopes_allowed(&c->scopes, who, 0, type) & op))
		return scope_refused(c, type, op, 0);
	if (policy_org_allows(who, who->org_id, perm))
		return ERR_OK;
	audit_denied(c, type, op, 0, "organisation-permission");
	fhir_fail(&c->oo, 403, "forbidden", NULL,
		  "The access policy does not let this person do this across "
		  "the organisation; for one patient's record, say whose.");
	return ERR_FORBIDDEN;
}

bool
fhir_id_parse(const char *s, int64_t *out)
{
	size_t n = s ? strlen(s) : 0;

	/* FHIR ids are at most 64 characters; cocare's are digits. */
	return n > 0 && n <= 19 && strspn(s, "0123456789") == n &&
	       str_to_i64(str_c(s), 1, INT64_MAX, out);
}

bool
fhir_ref_parse(const char *ref, const char *type, int64_t *out)
{
	const char *slash;
	size_t tl = strlen(type);

	if (!ref || !(slash = strrchr(ref, '/')))
		return false;
	if ((size_t)(slash - ref) < tl ||
	    strncmp(slash - tl, type, tl) != 0 ||
	    (slash - tl != ref && slash[-(ptrdiff_t)tl - 1] != '/'))
		return false;
	return fhir_id_parse(slash + 1, out);
}

void
fhir_audit_read(struct fhir_call *c, const char *type, int64_t id,
		int64_t pid)
{
	char rid[24];
	struct audit_event e;

	/* A search names no one resource. */
	rid[0] = '\0';
	if (id)
		snprintf(rid, sizeof(rid), "%lld", (long long)id);
	e = audit_event_for(c->ctx, "read", type, rid, pid, "success");
	if (audit_record_async(c->ctx, &e) != ERR_OK)
		log_warn("fhir: read audit event not queued");
}

/* The interactions type `t` supports, by its table entry. */
static json_t *
interactions(const struct fhir_type *t)
{
	json_t *a = json_array();

	if (t->read)
		json_array_append_new(a, json_pack("{s:s}", "code", "read"));
	if (t->vread)
		json_array_append_new(a, json_pack("{s:s}", "code", "vread"));
	if (t->history)
		json_array_append_new(a, json_pack("{s:s}", "code",
						   "history-instance"));
	if (t->history_type)
		json_array_append_new(a, json_pack("{s:s}", "code",
						   "history-type"));
	if (t->search)
		json_array_append_new(a, json_pack("{s:s}", "code",
						   "search-type"));
	if (t->create)
		json_array_append_new(a, json_pack("{s:s}", "code", "create"));
	if (t->update) {
		json_array_append_new(a, json_pack("{s:s}", "code", "update"));
		json_array_append_new(a, json_pack("{s:s}", "code", "patch"));
	}
	if (t->remove)
		json_array_append_new(a, json_pack("{s:s}", "code", "delete"));
	return a;
}

json_t *
fhir_capability(const char *base, int64_t now)
{
	char date[32];
	json_t *cs, *rest, *res = json_array();
	time_t tt = (time_t)now;
	struct tm tm;
	size_t i, k;

	gmtime_r(&tt, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	for (i = 0; fhir_types[i].name; i++) {
		const struct fhir_type *t = &fhir_types[i];
		json_t *r = json_pack("{s:s,s:s,s:o,s:s,s:b,s:b,s:b}", "type",
				      t->name, "profile", t->profile,
				      "interaction", interactions(t),
				      "versioning",
				      t->update ? "versioned-update"
						: "versioned",
				      "readHistory", 0, "updateCreate", 0,
				      /* If-None-Exist runs the search. */
				      "conditionalCreate",
				      t->create && t->search);
		json_t *sp = json_array(), *inc;

		for (k = 0; t->search && t->params[k].name; k++)
			json_array_append_new(
				sp, json_pack("{s:s,s:s,s:s}", "name",
					      t->params[k].name, "type",
					      t->params[k].type,
					      "documentation",
					      t->params[k].doc));
		if (json_array_size(sp))
			json_object_set_new(r, "searchParam", sp);
		else
			json_decref(sp);
		if (t->includes) {
			inc = json_array();
			for (k = 0; t->includes[k]; k++)
				json_array_append_new(
					inc, json_string(t->includes[k]));
			json_object_set_new(r, "searchInclude", inc);
		}
		json_array_append_new(res, r);
	}
	rest = json_pack(
		"{s:s,s:{s:[{s:[{s:s,s:s}],s:s}],s:s},s:o}",
		"mode", "server", "security", "service", "coding", "system",
		"http://terminology.hl7.org/CodeSystem/restful-security-service",
		"code", "SMART-on-FHIR", "text", "SMART on FHIR",
		"description",
		"Send a cocare API token as 'Authorization: Bearer cct_...'. "
		"Its SMART v2 scopes (patient/, user/) narrow what its owner "
		"may do; they never widen it.",
		"resource", res);
	json_object_set_new(rest, "interaction",
			    json_pack("[{s:s},{s:s}]", "code", "transaction",
				      "code", "batch"));
	/* Bulk data: every level is made by src/fhir/export.c. */
	json_object_set_new(
		rest, "operation",
		json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "name", "export",
			  "definition", BULK "export", "name",
			  "patient-export", "definition",
			  BULK "patient-export", "name", "group-export",
			  "definition", BULK "group-export"));
	cs = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s},s:{s:s,s:s},s:s,"
		       "s:[s,s],s:[o]}",
		       "resourceType", "CapabilityStatement", "status",
		       "active", "date", date, "kind", "instance",
		       "publisher", "cocare", "software", "name", "cocare",
		       "version", "1", "implementation", "description",
		       "cocare FHIR API", "url", base, "fhirVersion", "4.0.1",
		       "format", "application/fhir+json", "json", "rest",
		       rest);
	return cs;
}

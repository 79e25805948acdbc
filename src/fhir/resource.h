/*
 * Inside the FHIR API: one call's state, and the table of resource
 * types with what each can do. The table is the only list: routing, the
 * scope checks and the CapabilityStatement all read it, so /metadata
 * states exactly what is implemented. Nothing here knows HTTP.
 */
#ifndef FHIR_RESOURCE_H
#define FHIR_RESOURCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/policy.h"
#include "auth/scope.h"
#include "auth/write.h"
#include "core/err.h"
#include "fhir/outcome.h"

struct ctx;
struct patient;

#define FHIR_COUNT_DEFAULT 50
#define FHIR_COUNT_MAX 1000

/* One search parameter as sent: "date=ge2024-01-01" gives name "date",
 * modifier NULL, value "ge2024-01-01". */
struct fhir_param {
	const char *name;
	const char *modifier;	/* after ':', or NULL */
	const char *value;
};

struct fhir_search {
	const struct fhir_param *p;	/* every parameter but the ones
					   below */
	size_t n;
	int count;		/* _count */
	bool summary_count;	/* _summary=count */
	bool sort_oldest;	/* _sort=date (else newest first) */
	bool sorted;		/* _sort was given */
	const char *cursor;	/* _cursor: where the last page ended */
	bool include_patient;	/* _include=<Type>:patient or :subject */
};

/* A page of results: resources matched, resources included, and the
 * cursor of the next page (NULL: last page). */
struct fhir_page {
	json_t *match;		/* array */
	json_t *include;	/* array */
	const char *next;
	int64_t total;		/* -1 when not counted */
};

struct fhir_call {
	struct ctx *ctx;
	struct scopes scopes;
	struct fhir_outcome oo;
};

/*
 * A write checked and prepared but not made: a step of the single write
 * path (auth/write.h), made alone or with the other entries of a
 * transaction, and what answers it once made.
 */
struct fhir_write {
	struct write_step step;
	struct write_info wi;
	int64_t id;		/* the resource's id */
	void *job;		/* the type's own */
	/* The resource as stored (the one stored before when
	 * step.existed). */
	enum err (*result)(struct fhir_call *c, struct fhir_write *w,
			   json_t **out);
};

/* A search parameter a type answers, for the CapabilityStatement. */
struct fhir_search_param {
	const char *name;
	const char *type;	/* FHIR SearchParamType */
	const char *doc;
};

struct fhir_type {
	const char *name;
	const char *profile;	/* base definition URL */
	enum err (*read)(struct fhir_call *c, int64_t id, json_t **out);
	enum err (*search)(struct fhir_call *c, const struct fhir_search *q,
			   struct fhir_page *out);
	/* Checks `in` and prepares its creation as resource `w->id`
	 * (set by the caller, so that a transaction can refer to it).
	 * The prepared write may point into `in`: keep it until the write
	 * is made. */
	enum err (*create)(struct fhir_call *c, json_t *in,
			   struct fhir_write *w);
	/* Checks `in` and prepares it to replace resource `id` if its
	 * version is still `version` (If-Match; 412 in the outcome when
	 * it is not). */
	enum err (*update)(struct fhir_call *c, int64_t id, int64_t version,
			   json_t *in, struct fhir_write *w);
	/* Prepares taking resource `id` away where the domain allows it
	 * (If-Match `version`, 0 when not sent); leaves w->step.fn NULL
	 * when it is gone already. A type with update also takes PATCH. */
	enum err (*remove)(struct fhir_call *c, int64_t id, int64_t version,
			   struct fhir_write *w);
	/* Version `version` of resource `id` (vread): ERR_NOT_FOUND, with
	 * an issue saying so, for a version not kept. */
	enum err (*vread)(struct fhir_call *c, int64_t id, int64_t version,
			  json_t **out);
	/* Instance history: resource `id`'s versions older than `before`
	 * (0: from the current one), newest first, at most `count`, into
	 * out->match, with out->next when older ones follow. */
	enum err (*history)(struct fhir_call *c, int64_t id, int64_t before,
			    int count, struct fhir_page *out);
	/* Type history: every version of every resource of the type the
	 * caller may read, made at or after `since_ms`, newest first, a
	 * page of q->count after q->cursor. */
	enum err (*history_type)(struct fhir_call *c,
				 const struct fhir_search *q,
				 int64_t since_ms, struct fhir_page *out);
	const struct fhir_search_param *params;	/* ends with {NULL} */
	const char *const *includes;		/* ends with NULL */
};

/* The types, ending with {NULL}. */
extern const struct fhir_type fhir_types[];

/* The type named `name`, or NULL. */
const struct fhir_type *fhir_type_find(const char *name);

/*
 * Whether the policy lets the caller read `res` of patient `pid` and
 * the scopes allow `op` on `type`, without a word or an audit event:
 * for leaving out of a search what the caller may not see.
 */
bool fhir_may(struct fhir_call *c, const char *type, unsigned op, int64_t pid,
	      enum resource res);

/*
 * Whether the call may do `op` on a `type` resource of patient `pid`:
 * the token's scopes first (scope.h), then the access policy for `res`
 * and `act`. ERR_FORBIDDEN (with an issue added and the refusal
 * audited) when either says no; ERR_NOT_FOUND when there is no such
 * patient; ERR_DB.
 */
enum err fhir_allow(struct fhir_call *c, const char *type, unsigned op,
		    int64_t pid, enum resource res, enum action act);

/*
 * Whether the call may do `op` on `type` across the organisation (no
 * one patient's record): the token's scopes, then organisation
 * permission `perm` (policy_org_allows()). ERR_FORBIDDEN, with an issue
 * added and the refusal audited, when either says no.
 */
enum err fhir_allow_org(struct fhir_call *c, const char *type, unsigned op,
			enum org_permission perm);

/*
 * Whether the token's scopes could allow `op` on `type` at all (for
 * some record the actor may reach), checked before the request is read:
 * ERR_FORBIDDEN with an issue when not.
 */
enum err fhir_scope_precheck(struct fhir_call *c, const char *type,
			     unsigned op);

/*
 * Makes the prepared writes `w` (all or none) and fills `out[i]` with
 * each resource as stored. A failure leaves an issue in the outcome.
 */
enum err fhir_make_writes(struct fhir_call *c, struct fhir_write *w, size_t n,
			  json_t **out);

/* Parses a positive decimal id ("123"); false otherwise. */
bool fhir_id_parse(const char *s, int64_t *out);

/* "Patient/123" (or an absolute URL ending so) with `type`; false
 * otherwise. */
bool fhir_ref_parse(const char *ref, const char *type, int64_t *out);

/* Records the read of a patient's resource in the audit chain (`id` 0:
 * a search; `pid` 0: no one patient's). */
void fhir_audit_read(struct fhir_call *c, const char *type, int64_t id,
		     int64_t pid);

/* The CapabilityStatement (a new reference); `base` is the API's URL. */
json_t *fhir_capability(const char *base, int64_t now);

/* Per type (patient.c, observation.c). */
json_t *fhir_patient_json(const struct patient *p);
enum err fhir_patient_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_patient_search(struct fhir_call *c, const struct fhir_search *q,
			     struct fhir_page *out);
enum err fhir_patient_create(struct fhir_call *c, json_t *in,
			     struct fhir_write *w);
enum err fhir_patient_update(struct fhir_call *c, int64_t id, int64_t version,
			     json_t *in, struct fhir_write *w);
extern const struct fhir_search_param fhir_patient_params[];
enum err fhir_patient_vread(struct fhir_call *c, int64_t id, int64_t version,
			    json_t **out);
enum err fhir_patient_history(struct fhir_call *c, int64_t id, int64_t before,
			      int count, struct fhir_page *out);
enum err fhir_patient_type_history(struct fhir_call *c,
				   const struct fhir_search *q,
				   int64_t since_ms, struct fhir_page *out);
enum err fhir_observation_read(struct fhir_call *c, int64_t id,
			       json_t **out);
enum err fhir_observation_search(struct fhir_call *c,
				 const struct fhir_search *q,
				 struct fhir_page *out);
enum err fhir_observation_create(struct fhir_call *c, json_t *in,
				 struct fhir_write *w);
extern const struct fhir_search_param fhir_observation_params[];
enum err fhir_observation_vread(struct fhir_call *c, int64_t id,
				int64_t version, json_t **out);
enum err fhir_observation_history(struct fhir_call *c, int64_t id,
				  int64_t before, int count,
				  struct fhir_page *out);

/*
 * People (practitioner.c, practitionerrole.c, organization.c,
 * careteam.c, relatedperson.c, consent.c; shared parts in
 * people_search.c): read and search only.
 */
enum err fhir_practitioner_read(struct fhir_call *c, int64_t id,
				json_t **out);
enum err fhir_practitioner_search(struct fhir_call *c,
				  const struct fhir_search *q,
				  struct fhir_page *out);
extern const struct fhir_search_param fhir_practitioner_params[];
enum err fhir_practitioner_role_read(struct fhir_call *c, int64_t id,
				     json_t **out);
enum err fhir_practitioner_role_search(struct fhir_call *c,
				       const struct fhir_search *q,
				       struct fhir_page *out);
extern const struct fhir_search_param fhir_practitioner_role_params[];
enum err fhir_organization_read(struct fhir_call *c, int64_t id,
				json_t **out);
enum err fhir_organization_search(struct fhir_call *c,
				  const struct fhir_search *q,
				  struct fhir_page *out);
extern const struct fhir_search_param fhir_organization_params[];
enum err fhir_care_team_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_care_team_search(struct fhir_call *c,
			       const struct fhir_search *q,
			       struct fhir_page *out);
extern const struct fhir_search_param fhir_care_team_params[];
enum err fhir_related_person_read(struct fhir_call *c, int64_t id,
				  json_t **out);
enum err fhir_related_person_search(struct fhir_call *c,
				    const struct fhir_search *q,
				    struct fhir_page *out);
extern const struct fhir_search_param fhir_related_person_params[];
enum err fhir_consent_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_consent_search(struct fhir_call *c, const struct fhir_search *q,
			     struct fhir_page *out);
extern const struct fhir_search_param fhir_consent_params[];

/* The care record (careplan.c, goal.c, composition.c). */
enum err fhir_careplan_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_careplan_search(struct fhir_call *c,
			      const struct fhir_search *q,
			      struct fhir_page *out);
extern const struct fhir_search_param fhir_careplan_params[];
enum err fhir_goal_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_goal_search(struct fhir_call *c, const struct fhir_search *q,
			  struct fhir_page *out);
extern const struct fhir_search_param fhir_goal_params[];
/* Goal writes (goal_write.c): through the plan's own write. */
enum err fhir_goal_create(struct fhir_call *c, json_t *in,
			  struct fhir_write *w);
enum err fhir_goal_update(struct fhir_call *c, int64_t id, int64_t version,
			  json_t *in, struct fhir_write *w);
enum err fhir_goal_delete(struct fhir_call *c, int64_t id, int64_t version,
			  struct fhir_write *w);
enum err fhir_composition_read(struct fhir_call *c, int64_t id,
			       json_t **out);
enum err fhir_composition_search(struct fhir_call *c,
				 const struct fhir_search *q,
				 struct fhir_page *out);
extern const struct fhir_search_param fhir_composition_params[];

/* Questionnaires and answers (questionnaire.c,
 * questionnaireresponse.c). */
enum err fhir_questionnaire_read(struct fhir_call *c, int64_t id,
				 json_t **out);
enum err fhir_questionnaire_search(struct fhir_call *c,
				   const struct fhir_search *q,
				   struct fhir_page *out);
enum err fhir_questionnaire_create(struct fhir_call *c, json_t *in,
				   struct fhir_write *w);
extern const struct fhir_search_param fhir_questionnaire_params[];
/* The url and version ("" for none) of Questionnaire `id`, the
 * library's or the organisation's; ERR_NOT_FOUND when there is none. */
enum err fhir_questionnaire_canonical(struct fhir_call *c, int64_t id,
				      const char **url, const char **version);
enum err fhir_response_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_response_search(struct fhir_call *c,
			      const struct fhir_search *q,
			      struct fhir_page *out);
enum err fhir_response_create(struct fhir_call *c, json_t *in,
			      struct fhir_write *w);
extern const struct fhir_search_param fhir_response_params[];

/* Appointment (appointment.c): read and search. */
enum err fhir_appointment_read(struct fhir_call *c, int64_t id,
			       json_t **out);
enum err fhir_appointment_search(struct fhir_call *c,
				 const struct fhir_search *q,
				 struct fhir_page *out);
extern const struct fhir_search_param fhir_appointment_params[];

/* Communication (communication.c): secure messages. */
enum err fhir_communication_read(struct fhir_call *c, int64_t id,
				 json_t **out);
enum err fhir_communication_search(struct fhir_call *c,
				   const struct fhir_search *q,
				   struct fhir_page *out);
enum err fhir_communication_create(struct fhir_call *c, json_t *in,
				   struct fhir_write *w);
extern const struct fhir_search_param fhir_communication_params[];

/* Provenance (provenance.c): read-only. */
enum err fhir_provenance_read(struct fhir_call *c, int64_t id, json_t **out);
enum err fhir_provenance_search(struct fhir_call *c,
				const struct fhir_search *q,
				struct fhir_page *out);
extern const struct fhir_search_param fhir_provenance_params[];

/* AuditEvent (auditevent.c): read-only; the id is the chain's seq. */
enum err fhir_audit_event_read(struct fhir_call *c, int64_t seq,
			       json_t **out);
enum err fhir_audit_event_search(struct fhir_call *c,
				 const struct fhir_search *q,
				 struct fhir_page *out);
extern const struct fhir_search_param fhir_audit_event_params[];

#endif

/*
 * What an API token allows, as SMART App Launch v2 scopes:
 * "<context>/<type>.<operations>", e.g. "patient/Observation.rs" or
 * "user/Patient.rs". The context says whose data: the token's own
 * patient record (patient/), whatever the person may see (user/), or an
 * organisation's system (system/); the type is a FHIR resource type or
 * "*" for every type; the operations are c(reate), r(ead), u(pdate),
 * d(elete) and s(earch), in that order. SMART v1's ".read", ".write"
 * and ".*" are read as "rs", "cud" and "cruds".
 *
 * Scopes only narrow: the access policy (policy.h) still decides what
 * the person may do, and a scope can never widen it.
 */
#ifndef AUTH_SCOPE_H
#define AUTH_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct actor;

enum scope_context { SCOPE_PATIENT, SCOPE_USER, SCOPE_SYSTEM };

enum scope_op {
	SCOPE_CREATE = 1 << 0,
	SCOPE_READ = 1 << 1,
	SCOPE_UPDATE = 1 << 2,
	SCOPE_DELETE = 1 << 3,
	SCOPE_SEARCH = 1 << 4,
};

#define SCOPES_MAX 32
#define SCOPE_TYPE_MAX 40	/* longest FHIR type name is 34 */
#define SCOPES_TEXT_MAX 1000	/* a token's whole scope text */

struct scope {
	enum scope_context context;
	char type[SCOPE_TYPE_MAX];	/* a resource type, or "*" */
	unsigned ops;			/* enum scope_op bits */
};

struct scopes {
	struct scope s[SCOPES_MAX];
	size_t n;
	/* "research": the token only makes bulk exports, pseudonymised,
	 * of the patients who agreed to research (fhir/export.h). */
	bool research;
};

/*
 * Parses space-separated scopes, and the word "research" (with user/ or
 * system/ read scopes only). False for an empty text, more than
 * SCOPES_MAX scopes or SCOPES_TEXT_MAX bytes, or any scope that is not
 * "context/type.ops" as above (including scopes with query parameters,
 * which cocare does not apply); then `*why` (may be NULL) is an English
 * sentence saying what is wrong.
 */
bool scopes_parse(const char *text, struct scopes *out, const char **why);

/* True when some scope has context `c`. */
bool scopes_have_context(const struct scopes *s, enum scope_context c);

/*
 * The operations `s` allows `who` on resources of `type` of patient
 * `patient_id` (0: not one patient's record, or a search not yet tied
 * to one): user/ scopes always count, patient/ scopes only on the
 * actor's own patient record, system/ scopes only for the system actor.
 */
unsigned scopes_allowed(const struct scopes *s, const struct actor *who,
			int64_t patient_id, const char *type);

#endif

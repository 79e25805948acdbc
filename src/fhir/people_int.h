/*
 * What the FHIR types about people share (practitioner.c,
 * practitionerrole.c, organization.c, careteam.c, relatedperson.c,
 * consent.c): the scope check of organisation-level types, search
 * parameters of the kinds they take, the patient a per-patient search
 * is about, and caregiver grants read and searched as RelatedPerson or
 * Consent. Each adds an issue to the call's outcome when it refuses.
 */
#ifndef FHIR_PEOPLE_INT_H
#define FHIR_PEOPLE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/account.h"
#include "fhir/resource.h"
#include "people/careteam.h"

/*
 * Whether the token's scopes allow `op` on `type` outside any one
 * patient's record: staff and organisations, which every signed-in
 * person of the organisation may see (the caller keeps to its own
 * organisation). patient/ scopes never reach them. ERR_FORBIDDEN with
 * the refusal audited.
 */
enum err fhir_org_allow(struct fhir_call *c, const char *type, unsigned op);

/* Staff account `id` of the caller's organisation; ERR_NOT_FOUND for
 * another organisation's, a patient's or a caregiver's account. */
enum err fhir_staff_get(struct fhir_call *c, int64_t id,
			struct account *out);

/*
 * Reads a parameter that Practitioner and PractitionerRole share (name,
 * active) into `aq`; false with an issue. *other is true for any other
 * parameter, left to the caller.
 */
bool fhir_staff_param(struct fhir_call *c, const struct fhir_param *x,
		      struct account_query *aq, bool *no_match, bool *other);

/*
 * A search of the caller's organisation's staff as `type`, each mapped
 * by `map`: the scope for searching `type`, then `aq` (its filters set
 * by the caller) in pages by id, or only the total with _summary=count;
 * `no_match` answers an empty page.
 */
enum err fhir_staff_search(struct fhir_call *c, const char *type,
			   const struct fhir_search *q,
			   struct account_query *aq, bool no_match,
			   json_t *(*map)(const struct account *),
			   struct fhir_page *out);

/* False, with a 400 issue, when `x` has a modifier (none is taken). */
bool fhir_no_modifier(struct fhir_call *c, const struct fhir_param *x);

/*
 * A reference parameter to `type`: "Type/<id>" or "<id>" gives the id;
 * a well-formed reference to another type ("Patient/12" where an
 * Organization is asked) can match nothing and gives 0. False, with a
 * 400 issue, for anything else.
 */
bool fhir_any_ref_param(struct fhir_call *c, const struct fhir_param *x,
			const char *type, int64_t *out);

/*
 * A boolean token: "true" or "false" in *out. A value with a system
 * ("x|true") can match nothing: *no_match, and *out false. False, with
 * a 400 issue, for any other value.
 */
bool fhir_bool_param(struct fhir_call *c, const struct fhir_param *x,
		     bool *out, bool *no_match);

/*
 * A token parameter's code: "code" (any system) or "<system>|code";
 * NULL for another system or "|code" (no system), which can match
 * nothing.
 */
const char *fhir_token_code(const struct fhir_param *x, const char *system);

/* The id after which a page ordered by id goes on (0: the first page);
 * false, with a 400 issue, for a cursor that is not cocare's. */
bool fhir_id_cursor(struct fhir_call *c, const struct fhir_search *q,
		    int64_t *after_id);

/* Sets the search parameter once: false, with a 400 issue, when it is
 * given again. */
bool fhir_param_once(struct fhir_call *c, const struct fhir_param *x,
		     const char **slot);

/*
 * Grant `id` read as `type` (RelatedPerson or Consent): ERR_NOT_FOUND
 * for another organisation's, 403 unless the access policy lets the
 * caller read the patient's caregiver grants; audited.
 */
enum err fhir_grant_read(struct fhir_call *c, const char *type, int64_t id,
			 struct grant *out);

/*
 * A search of patient `pid`'s grants as `type`, each mapped by `map`:
 * fhir_search_patient(), then `gq` (its filters set by the caller) in
 * pages that continue after the last grant shown, or only the total
 * with _summary=count; `no_match` answers an empty page.
 */
enum err fhir_grant_search(struct fhir_call *c, const char *type,
			   const struct fhir_search *q, int64_t pid,
			   struct grant_query *gq, bool no_match,
			   json_t *(*map)(const struct grant *, int64_t),
			   struct fhir_page *out);

/* What fhir_no_sort() says for these types. */
#define NO_DATE                                                            \
	"These resources have no date to sort by: leave out _sort."

#endif

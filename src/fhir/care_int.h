/*
 * What the care record's FHIR types (careplan.c, goal.c, composition.c)
 * share when they search: the patient and subject parameters, whose
 * records a search reads (with its access check and audit), and token
 * parameters. Private to those files; nothing here knows HTTP.
 */
#ifndef FHIR_CARE_INT_H
#define FHIR_CARE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fhir/resource.h"

/*
 * Reads a patient or subject parameter `x` into *pid. False with an
 * issue (400) for a modifier or a value that is no Patient reference. A
 * second parameter naming another patient sets *no_match: no record is
 * two patients'.
 */
bool fhir_care_patient_param(struct fhir_call *c, const struct fhir_param *x,
			     int64_t *pid, bool *no_match);

/*
 * The patient whose `type` records a search reads: `pid` from its
 * parameters (0: none), else the token's own patient record. 400
 * "required" saying `ask` (static text) when there is neither;
 * 404 when there is no such patient in the caller's organisation; then
 * fhir_allow() with SCOPE_SEARCH for `res` and ACT_READ (403), and the
 * read audited. ERR_OK with *out set.
 */
enum err fhir_care_search_patient(struct fhir_call *c, const char *type,
				  int64_t pid, enum resource res,
				  const char *ask, int64_t *out);

/*
 * Whether a token parameter's value names code `code` of `system`: any
 * of its comma-separated values "code", "system|code" or "system|"
 * (every code of the system). "|code" (a code without a system) never
 * matches: every code here has one.
 */
bool fhir_care_token_matches(const char *value, const char *system,
			     const char *code);

#endif

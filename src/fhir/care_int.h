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
 * Whether a token parameter's value names code `code` of `system`: any
 * of its comma-separated values "code", "system|code" or "system|"
 * (every code of the system). "|code" (a code without a system) never
 * matches: every code here has one.
 */
bool fhir_care_token_matches(const char *value, const char *system,
			     const char *code);

#endif

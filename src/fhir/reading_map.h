/*
 * A stored home reading as a FHIR R4 Observation and back: the resource
 * cocare serves for a reading, and the checks that turn an Observation a
 * client creates into a reading cocare can store, with every problem
 * reported as an OperationOutcome issue. Pure code: no HTTP, no
 * database.
 */
#ifndef FHIR_READING_MAP_H
#define FHIR_READING_MAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "fhir/outcome.h"
#include "measures/reading_store.h"

/*
 * The Observation for `r` (a new reference; NULL when r->kind is not a
 * reading_def key or memory runs out): id, meta (versionId "1",
 * lastUpdated from entered_ms), status "final", category "vital-signs"
 * ("activity" for steps and sleep), the kind's LOINC code, subject
 * "Patient/<patient_id>", effectiveDateTime from at_ms, and the value in
 * the kind's storage unit: valueQuantity, or for blood pressure two
 * components (systolic 8480-6, diastolic 8462-4) in mm[Hg].
 *
 * Whole values are JSON integers; others are JSON reals, which print as
 * the stored thousandths only when dumped with 15 significant digits:
 * json_dumps(..., JSON_REAL_PRECISION(15)) writes 72.1, while jansson's
 * default of 17 digits writes 72.099999999999994 (fewer than 15 would
 * round 199.999 away).
 */
json_t *fhir_reading_json(const struct reading *r);

/*
 * Reads the Observation `in` that a client sends to create a reading.
 * On success returns true with *out zeroed and then kind (a reading_def
 * key, static storage), patient_id (from subject "Patient/<id>"), at_ms
 * (from effectiveDateTime or effectiveInstant) and value_milli /
 * value2_milli (in the kind's storage unit) set; the caller sets the
 * rest. The result passes reading_is_storable() at `now_ms`.
 *
 * Otherwise returns false, leaves *out unchanged and adds an issue to
 * `oo` for every problem found, each with the FHIRPath of the element
 * ("Observation.component[1].valueQuantity.code"): 400 for JSON that is
 * not an R4 Observation (unknown elements, wrong JSON types, empty
 * strings or arrays), 422 for one cocare cannot keep (a status other
 * than final, amended or corrected; a code that is no reading kind; a
 * subject that is not a Patient; a time without seconds or in the
 * future; a value missing, in an unknown unit or outside what is
 * physiologically possible; modifier extensions). The elements cocare
 * does not keep are accepted and dropped (see reading_map.c).
 */
bool fhir_reading_parse(json_t *in, int64_t now_ms, struct reading *out,
			struct fhir_outcome *oo);

#endif

/*
 * The small JSON elements every FHIR mapping writes: an instant, a
 * reference, a cocare extension. Pure code: no HTTP, no database.
 */
#ifndef FHIR_ELEMENTS_H
#define FHIR_ELEMENTS_H

#include <jansson.h>
#include <stdint.h>

#define FHIR_EXT "https://cocare.org/fhir/StructureDefinition/"

/* The instant of Unix second `s` ("2024-03-05T10:20:30.000Z"). */
json_t *fhir_instant_json(int64_t s);

/* {"reference": "<type>/<id>", "display": ...}; no display when NULL or
 * empty. */
json_t *fhir_ref_json(const char *type, int64_t id, const char *display);

/* Appends the cocare extension `name` with value[x] `type` = `v` (taken)
 * to array `exts`. */
void fhir_ext_add(json_t *exts, const char *name, const char *type,
		  json_t *v);

#endif

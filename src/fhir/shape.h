/*
 * Checking what a client sends against the R4 definition of its type:
 * each JSON object is compared with the element list of its FHIR type,
 * so a misspelt or unknown element, or a value of the wrong JSON type,
 * is an error (400) instead of data dropped without a word, and a
 * modifier extension, which cocare cannot understand, is refused (422).
 * The element lists of the common data types are here; each resource
 * keeps its own. Pure code: no HTTP, no database.
 */
#ifndef FHIR_SHAPE_H
#define FHIR_SHAPE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "fhir/outcome.h"

/* The JSON a FHIR element may take, primitives first. FHIR JSON has no
 * empty strings, empty arrays or nulls, so those are refused too. */
enum fhir_shape {
	FHIR_STRING,		/* a non-empty string */
	FHIR_BOOL,
	FHIR_INTEGER,
	FHIR_NUMBER,
	FHIR_OBJECT,
	FHIR_ARRAY,		/* a non-empty array of objects */
	FHIR_STRINGS,		/* a non-empty array of strings */
	FHIR_SHAPE__MAX
};

struct fhir_element {
	const char *name;
	enum fhir_shape shape;
};

/* The members every resource has (Resource and DomainResource), first
 * in each resource's element list. */
#define FHIR_RESOURCE_ELEMENTS                                             \
	{"resourceType", FHIR_STRING}, {"id", FHIR_STRING},                \
	{"meta", FHIR_OBJECT}, {"implicitRules", FHIR_STRING},             \
	{"language", FHIR_STRING}, {"text", FHIR_OBJECT},                  \
	{"contained", FHIR_ARRAY}, {"extension", FHIR_ARRAY},              \
	{"modifierExtension", FHIR_ARRAY}

/* A FHIR type's members, and a choice list shared by several types
 * (Observation's value[x]), or NULL. */
struct fhir_def {
	const struct fhir_element *el;
	size_t n;
	const struct fhir_element *more;
	size_t nmore;
};

#define FHIR_DEF(el) {el, sizeof(el) / sizeof((el)[0]), NULL, 0}
#define FHIR_DEF_MORE(el, more)                                            \
	{el, sizeof(el) / sizeof((el)[0]), more,                           \
	 sizeof(more) / sizeof((more)[0])}

/* The common data types. */
extern const struct fhir_def fhir_concept_def;	/* CodeableConcept */
extern const struct fhir_def fhir_coding_def;
extern const struct fhir_def fhir_reference_def;
extern const struct fhir_def fhir_quantity_def;
extern const struct fhir_def fhir_identifier_def;
extern const struct fhir_def fhir_human_name_def;
extern const struct fhir_def fhir_extension_def;	/* checks value[x] */

/*
 * Reports each member of `obj` (at FHIRPath `path`) that `t` does not
 * have, or whose JSON shape is wrong, and modifier extensions. What
 * callers read afterwards they read only when it has the right shape,
 * so nothing is reported twice. False when something was reported.
 */
bool fhir_check_members(struct fhir_outcome *oo, json_t *obj,
			const struct fhir_def *t, const char *path);

/* Checks a CodeableConcept and its codings; false when reported. */
bool fhir_check_concept(struct fhir_outcome *oo, json_t *cc,
			const char *path);

/* Checks every object of array `arr` as `t`, at "<path>[i]". */
bool fhir_check_each(struct fhir_outcome *oo, json_t *arr,
		     const struct fhir_def *t, const char *path);

bool fhir_has_shape(json_t *v, enum fhir_shape shape);

/* A string FHIR allows: not empty, no NUL inside. */
bool fhir_is_string(json_t *v);

/* Member `key` of `obj` when it is a valid FHIR string, else NULL. */
const char *fhir_string_of(json_t *obj, const char *key);

#endif

/*
 * JSON Patch (RFC 6902) over jansson, with JSON Pointers (RFC 6901):
 * how a FHIR PATCH changes a resource. Pure code: no HTTP, no database.
 */
#ifndef FHIR_JSONPATCH_H
#define FHIR_JSONPATCH_H

#include <jansson.h>

enum jsonpatch_result {
	JSONPATCH_OK,
	JSONPATCH_BAD,		/* the patch document is malformed, or an
				   operation names a place that is not
				   there */
	JSONPATCH_TEST_FAILED,	/* a "test" operation did not hold */
	JSONPATCH_NOMEM,
};

/*
 * Applies `patch` (an array of operations) to `*doc`, which may be
 * replaced (an operation on the whole document, path ""). All or
 * nothing: on any failure `*doc` is left as it was. `why` (when not
 * NULL) gets a sentence for the person, `at` the index of the operation
 * that failed (-1: the document itself).
 */
enum jsonpatch_result jsonpatch_apply(json_t **doc, json_t *patch,
				      const char **why, int *at);

#endif

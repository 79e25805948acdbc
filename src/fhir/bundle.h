/*
 * Batch and transaction Bundles, and conditional create (see bundle.c).
 */
#ifndef FHIR_BUNDLE_H
#define FHIR_BUNDLE_H

#include <jansson.h>

#include "fhir/resource.h"

#define FHIR_BUNDLE_MAX 1000	/* entries in one Bundle */

/*
 * Runs the Bundle `in` (a transaction or a batch) and answers it in
 * `*out` (a transaction-response or batch-response Bundle). A failed
 * transaction changes nothing: ERR_* with the issues in the call's
 * outcome, their paths naming the entry ("Bundle.entry[2].resource...").
 * `in` is changed (references resolved) and must live until it returns.
 */
enum err fhir_bundle(struct fhir_call *c, json_t *in, const char *base,
		     json_t **out);

/*
 * If-None-Exist: the one resource of type `t` matching `query` (a
 * search's query string) in *found (a new reference), NULL when none;
 * ERR_CONFLICT with a 412 issue when several match.
 */
enum err fhir_conditional_find(struct fhir_call *c, const struct fhir_type *t,
			       const char *query, json_t **found);

#endif

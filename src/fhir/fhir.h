/*
 * The HL7 FHIR R4 REST API under /fhir (docs/fhir.md). It calls the same
 * domain functions as the pages: one access policy, one validation, one
 * write path with its audit and provenance. Programs authenticate with
 * a bearer API token whose SMART scopes narrow what its owner may do.
 */
#ifndef FHIR_FHIR_H
#define FHIR_FHIR_H

#include <stdbool.h>

#include "core/err.h"

struct http_router;
struct req;

/* Adds the API's routes. */
enum err fhir_web_routes(struct http_router *r);

/* True for a path of the API ("/fhir" and below). */
bool fhir_owns(const char *path);

/* Answers error `e` of an API request as an OperationOutcome. */
void fhir_error(struct req *req, enum err e);

#endif

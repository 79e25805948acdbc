/*
 * FHIR OperationOutcome: what was wrong with a request, as FHIR says it.
 * Each issue has a code from the IssueType value set ("structure",
 * "required", "value", "invariant", "code-invalid", "not-found",
 * "conflict", "forbidden", "security", "too-costly", "not-supported",
 * "processing", "exception"), the FHIRPath of the offending element
 * ("Observation.valueQuantity.value") and a sentence in plain English
 * saying what to do. Validators add issues; the HTTP layer answers with
 * all of them and the status the first one set. Pure code: no HTTP, no
 * database.
 */
#ifndef FHIR_OUTCOME_H
#define FHIR_OUTCOME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define FHIR_ISSUES_MAX 16
#define FHIR_PATH_MAX 160

struct fhir_issue {
	const char *severity;	/* "error", "warning", "information" */
	const char *code;	/* IssueType */
	char expression[FHIR_PATH_MAX];	/* "" when the whole request */
	const char *diagnostics;	/* static English text */
};

struct fhir_outcome {
	int status;		/* HTTP status of the first error; 0 none */
	struct fhir_issue issue[FHIR_ISSUES_MAX];
	size_t n;
};

/*
 * Adds an error issue. `status` is the HTTP status it calls for (400
 * for a malformed resource, 422 for one that breaks a rule, 404, 409,
 * 412, ...); the outcome keeps the first. `expression` may be NULL;
 * past FHIR_ISSUES_MAX issues the rest are dropped (the status stays).
 */
void fhir_fail(struct fhir_outcome *o, int status, const char *code,
	       const char *expression, const char *diagnostics);

/* The same with an expression made like printf ("Patient.name[%zu]"). */
void fhir_failf(struct fhir_outcome *o, int status, const char *code,
		const char *diagnostics, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* True when an error has been added. */
static inline bool
fhir_failed(const struct fhir_outcome *o)
{
	return o->status != 0;
}

/* The OperationOutcome resource (a new reference). */
json_t *fhir_outcome_json(const struct fhir_outcome *o);

#endif

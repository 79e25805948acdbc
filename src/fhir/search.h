/*
 * What every FHIR search shares: date parameters with their prefixes,
 * the cursor that continues a page after its last row, and reference
 * parameters. Each adds an issue to the call's outcome when the value is
 * wrong. No HTTP here.
 */
#ifndef FHIR_SEARCH_H
#define FHIR_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "fhir/resource.h"

/* One parameter as sent ("_count", "20"). */
struct fhir_kv {
	const char *name;
	const char *value;
};

/*
 * Reads a search's parameters: its own (_count, _summary, _sort,
 * _cursor, _include: checked here against `t`) into `q`, the others
 * split into name, modifier and value for the type. _format and
 * _pretty are the HTTP side's. ERR_INVALID with an issue when one of
 * the search's own is wrong.
 */
enum err fhir_search_parse(struct fhir_call *c, const struct fhir_type *t,
			   const struct fhir_kv *kv, size_t n,
			   struct fhir_search *q);

/*
 * Narrows [*from, *to) (Unix ms) by one date parameter: "ge2024-01-01",
 * "lt2024-02", "2024-03-05T10:20:30Z" (eq). False, with an issue at
 * `name`, for another prefix or a value that is no FHIR date.
 */
bool fhir_date_param(struct fhir_call *c, const char *name, const char *v,
		     int64_t *from, int64_t *to);

/* A reference parameter to `type`: "Type/123" or "123". False, with an
 * issue at `name`, otherwise. */
bool fhir_ref_param(struct fhir_call *c, const char *name, const char *v,
		    const char *type, int64_t *out);

/* The cursor "<key>.<id>" after the last row of a page (arena string). */
const char *fhir_cursor_make(struct fhir_call *c, int64_t key, int64_t id);

/* Reads q->cursor when set: true with *has, or false with an issue. */
bool fhir_cursor_parse(struct fhir_call *c, const struct fhir_search *q,
		       bool *has, int64_t *key, int64_t *id);

/* Patient `pid` of the caller's organisation into *out; ERR_NOT_FOUND
 * (with a 404 issue at "patient") for none or another organisation's. */
enum err fhir_org_patient(struct fhir_call *c, int64_t pid,
			  struct patient *out);

/*
 * Reads a patient or subject parameter `x` into *pid. False with an
 * issue (400) for a modifier or a value that is no Patient reference. A
 * second parameter naming another patient sets *no_match: no record is
 * two patients'.
 */
bool fhir_patient_param(struct fhir_call *c, const struct fhir_param *x,
			int64_t *pid, bool *no_match);

/*
 * The patient a search of `type` is about: `pid` (from its patient
 * parameter), else with a patient's token their own record; 400
 * "required" saying `ask` without either, 404 when it is no patient of
 * the caller's organisation, 403 when the scopes or the access policy
 * for `res` say no. Then the search is audited as a read of that
 * patient's record, and *out is the patient.
 */
enum err fhir_search_patient(struct fhir_call *c, const char *type,
			     int64_t pid, enum resource res, const char *ask,
			     int64_t *out);

/* False with an issue (400 at _sort, saying `why`) when _sort was asked
 * of a type that has an order of its own. */
bool fhir_no_sort(struct fhir_call *c, const struct fhir_search *q,
		  const char *why);

#endif

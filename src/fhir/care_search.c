/*
 * Search parameters the care record's FHIR types share (see
 * care_int.h).
 */
#include "fhir/care_int.h"

#include <string.h>

#include "auth/actor.h"
#include "fhir/search.h"
#include "people/patient.h"
#include "core/banned.h"

bool
fhir_care_patient_param(struct fhir_call *c, const struct fhir_param *x,
			int64_t *pid, bool *no_match)
{
	int64_t v;

	if (x->modifier) {
		fhir_fail(&c->oo, 400, "not-supported", x->name,
			  "No modifiers on patient or subject.");
		return false;
	}
	if (!fhir_ref_param(c, x->name, x->value, "Patient", &v))
		return false;
	if (*pid && *pid != v)
		*no_match = true;
	*pid = v;
	return true;
}

enum err
fhir_care_search_patient(struct fhir_call *c, const char *type, int64_t pid,
			 enum resource res, const char *ask, int64_t *out)
{
	struct patient p;
	enum err e;

	/* A patient's token searches their own record. */
	if (!pid)
		pid = c->ctx->actor.patient_id;
	if (!pid) {
		fhir_fail(&c->oo, 400, "required", "patient", ask);
		return ERR_INVALID;
	}
	e = patient_get(c->ctx->db, c->ctx->a, pid, &p);
	if (e == ERR_OK && p.org_id != c->ctx->actor.org_id)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND) {
		fhir_fail(&c->oo, 404, "not-found", "patient",
			  "There is no such patient.");
		return ERR_NOT_FOUND;
	}
	if (e != ERR_OK ||
	    (e = fhir_allow(c, type, SCOPE_SEARCH, pid, res, ACT_READ)) !=
		    ERR_OK)
		return e;
	fhir_audit_read(c, type, 0, pid);
	*out = pid;
	return ERR_OK;
}

/* Whether one value [s, end) names `code` of `system`. */
static bool
one_matches(const char *s, const char *end, const char *system,
	    const char *code)
{
	const char *bar = memchr(s, '|', (size_t)(end - s));
	size_t n;

	if (bar) {
		n = (size_t)(bar - s);
		if (n == 0 || n != strlen(system) || strncmp(s, system, n))
			return false;
		s = bar + 1;
		if (s == end)
			return true;
	}
	n = (size_t)(end - s);
	return n == strlen(code) && !strncmp(s, code, n);
}

bool
fhir_care_token_matches(const char *value, const char *system,
			const char *code)
{
	const char *s = value, *comma;

	for (;;) {
		comma = strchr(s, ',');
		if (one_matches(s, comma ? comma : s + strlen(s), system,
				code))
			return true;
		if (!comma)
			return false;
		s = comma + 1;
	}
}

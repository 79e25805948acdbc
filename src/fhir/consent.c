/*
 * Consent: caregiver grants (people/careteam.h) as what they are, a
 * patient's consent to let a caregiver see or change parts of their
 * record, from a date, until a date or until withdrawn. The same id as
 * the grant's RelatedPerson; the same readers: the patient and the
 * professionals of their care team, never a caregiver. Every read is
 * audited. Read-only here: grants are given and withdrawn on the
 * patient's "People who help me" page.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "core/banned.h"

const struct fhir_search_param fhir_consent_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"status", "token",
	 "active (in force) or inactive (ended or withdrawn); other codes of "
	 "http://hl7.org/fhir/consent-state-codes match nothing."},
	{"date", "date",
	 "When it was granted, with the prefixes eq, ge, gt, le and lt; "
	 "repeat it for a range."},
	{NULL, NULL, NULL},
};

enum err
fhir_consent_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct grant g;
	enum err e;

	if ((e = fhir_grant_read(c, "Consent", id, &g)) != ERR_OK)
		return e;
	*out = fhir_consent_json(&g, c->ctx->now);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The least Unix second at or after `ms` (no overflow at the ends). */
static int64_t
ceil_seconds(int64_t ms)
{
	return ms / 1000 + (ms % 1000 > 0);
}

enum err
fhir_consent_search(struct fhir_call *c, const struct fhir_search *q,
		    struct fhir_page *out)
{
	struct grant_query gq = {0};
	int64_t pid = 0, v, from_ms = INT64_MIN, to_ms = INT64_MAX;
	enum grant_state want = GRANT_ANY;
	bool no_match = false;
	const char *code;
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!fhir_no_modifier(c, x))
			return ERR_INVALID;
		if (!strcmp(x->name, "patient")) {
			if (!fhir_ref_param(c, x->name, x->value, "Patient",
					    &v))
				return ERR_INVALID;
			if (pid && pid != v)
				no_match = true;
			pid = v;
		} else if (!strcmp(x->name, "status")) {
			code = fhir_token_code(x, FHIR_CONSENT_STATE_SYSTEM);
			if (code && !strcmp(code, "active"))
				want = GRANT_ACTIVE;
			else if (code && !strcmp(code, "inactive"))
				want = GRANT_INACTIVE;
			else
				no_match = true;	/* no grant has it */
			if (!no_match && gq.state != GRANT_ANY &&
			    gq.state != want)
				no_match = true;
			if (!no_match)
				gq.state = want;
		} else if (!strcmp(x->name, "date")) {
			if (!fhir_date_param(c, "date", x->value, &from_ms,
					     &to_ms))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Consent is searched by patient, status and "
				  "date only.");
			return ERR_INVALID;
		}
	}
	/* Grants keep whole seconds: a second matches when its instant is
	 * in [from_ms, to_ms). */
	gq.from = ceil_seconds(from_ms);
	gq.to = ceil_seconds(to_ms);
	return fhir_grant_search(c, "Consent", q, pid, &gq, no_match,
				 fhir_consent_json, out);
}

/*
 * RelatedPerson: the caregivers a patient let in (people/careteam.h),
 * one per caregiver grant with the grant's id, active while the grant
 * is in force. Read and searched by patient under the access policy's
 * "caregiver access" part of the record: the patient and the
 * professionals of their care team, never a caregiver, who must not
 * learn who else helps. Every read is audited.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "core/banned.h"

const struct fhir_search_param fhir_related_person_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"active", "token",
	 "true for caregivers whose access is in force, false for those "
	 "whose access ended or was withdrawn."},
	{NULL, NULL, NULL},
};

enum err
fhir_related_person_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct grant g;
	enum err e;

	if ((e = fhir_grant_read(c, "RelatedPerson", id, &g)) != ERR_OK)
		return e;
	*out = fhir_related_person_json(&g, c->ctx->now);
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err
fhir_related_person_search(struct fhir_call *c, const struct fhir_search *q,
			   struct fhir_page *out)
{
	struct grant_query gq = {.from = INT64_MIN, .to = INT64_MAX};
	enum grant_state want;
	int64_t pid = 0, v;
	bool no_match = false, active;
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
		} else if (!strcmp(x->name, "active")) {
			if (!fhir_bool_param(c, x, &active, &no_match))
				return ERR_INVALID;
			want = active ? GRANT_ACTIVE : GRANT_INACTIVE;
			if (gq.state != GRANT_ANY && gq.state != want)
				no_match = true;
			gq.state = want;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "RelatedPerson is searched by patient and "
				  "active only.");
			return ERR_INVALID;
		}
	}
	/* Newest first, as the grants page lists them. */
	if (!fhir_no_sort(c, q, NO_DATE))
		return ERR_INVALID;
	return fhir_grant_search(c, "RelatedPerson", q, pid, &gq, no_match,
				 fhir_related_person_json, out);
}

/*
 * Practitioner: the staff of the caller's organisation (auth/account.h),
 * professionals and the other staff roles, read and searched by name.
 * Every signed-in person of the organisation may see who works there,
 * as the pages show them: a name, nothing to contact them by. Another
 * organisation's staff, patients and caregivers are not found.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "core/banned.h"

const struct fhir_search_param fhir_practitioner_params[] = {
	{"name", "string",
	 "A word of the name starts with it, ignoring case: name=oka finds "
	 "Amara Okafor."},
	{"active", "token",
	 "true for accounts in use, false for disabled ones."},
	{NULL, NULL, NULL},
};

enum err
fhir_practitioner_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct account acc;
	enum err e;

	if ((e = fhir_org_allow(c, "Practitioner", SCOPE_READ)) != ERR_OK ||
	    (e = fhir_staff_get(c, id, &acc)) != ERR_OK)
		return e;
	*out = fhir_practitioner_json(&acc);
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err
fhir_practitioner_search(struct fhir_call *c, const struct fhir_search *q,
			 struct fhir_page *out)
{
	struct account_query aq = {.disabled = -1};
	bool no_match = false, other;
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!fhir_no_modifier(c, x) ||
		    !fhir_staff_param(c, x, &aq, &no_match, &other))
			return ERR_INVALID;
		if (other) {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Practitioner is searched by name and "
				  "active only.");
			return ERR_INVALID;
		}
	}
	return fhir_staff_search(c, "Practitioner", q, &aq, no_match,
				 fhir_practitioner_json, out);
}

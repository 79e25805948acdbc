/*
 * PractitionerRole: what a staff account does in the caller's
 * organisation (auth/account.h): its role, its discipline and the unit
 * it works in. One per account, with the account's id, so
 * PractitionerRole/<id> is the role of Practitioner/<id>. The same
 * people see it as the Practitioner.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "core/banned.h"

const struct fhir_search_param fhir_practitioner_role_params[] = {
	{"practitioner", "reference",
	 "The role of this Practitioner: Practitioner/<id>."},
	{"organization", "reference",
	 "Organization/<id> of a unit gives its staff; of the organisation, "
	 "all of its staff."},
	{"role", "token",
	 "The role: https://cocare.org/fhir/CodeSystem/role|<code> or "
	 "<code>, as professional or receptionist."},
	{"name", "string",
	 "A word of the practitioner's name starts with it, ignoring case."},
	{"active", "token",
	 "true for accounts in use, false for disabled ones."},
	{NULL, NULL, NULL},
};

enum err
fhir_practitioner_role_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct account acc;
	enum err e;

	if ((e = fhir_org_allow(c, "PractitionerRole", SCOPE_READ)) !=
		    ERR_OK ||
	    (e = fhir_staff_get(c, id, &acc)) != ERR_OK)
		return e;
	*out = fhir_practitioner_role_json(&acc);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* Keeps the first value of a filter; a second, different one can match
 * nothing. */
static void
narrow(int64_t *slot, int64_t v, bool *no_match)
{
	if (*slot && *slot != v)
		*no_match = true;
	*slot = v;
}

/* The role a role parameter names, or NULL when it can match no staff
 * account. */
static const char *
role_param(const struct fhir_param *x)
{
	const char *code = fhir_token_code(x, FHIR_ROLE_SYSTEM);
	enum role r;

	if (!code || !role_parse(code, &r) || !role_is_staff(r))
		return NULL;
	return role_name(r);
}

enum err
fhir_practitioner_role_search(struct fhir_call *c,
			      const struct fhir_search *q,
			      struct fhir_page *out)
{
	struct account_query aq = {.disabled = -1};
	int64_t v, org = 0;
	bool no_match = false, other;
	const char *role;
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!fhir_no_modifier(c, x) ||
		    !fhir_staff_param(c, x, &aq, &no_match, &other))
			return ERR_INVALID;
		if (!other)
			continue;
		if (!strcmp(x->name, "practitioner")) {
			if (!fhir_any_ref_param(c, x, "Practitioner", &v))
				return ERR_INVALID;
			narrow(&aq.id, v, &no_match);
			no_match = no_match || !v;
		} else if (!strcmp(x->name, "organization")) {
			if (!fhir_any_ref_param(c, x, "Organization", &v))
				return ERR_INVALID;
			narrow(&org, v, &no_match);
			no_match = no_match || !v;
		} else if (!strcmp(x->name, "role")) {
			role = role_param(x);
			if (!role || (aq.role && strcmp(aq.role, role) != 0))
				no_match = true;
			aq.role = role;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "PractitionerRole is searched by "
				  "practitioner, organization, role, name and "
				  "active only.");
			return ERR_INVALID;
		}
	}
	/* The organisation holds every unit: its id asks for all of its
	 * staff. Any other id is a unit's (or matches nothing). */
	if (org && org != c->ctx->actor.org_id)
		aq.unit_id = org;
	return fhir_staff_search(c, "PractitionerRole", q, &aq, no_match,
				 fhir_practitioner_role_json, out);
}

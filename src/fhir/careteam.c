/*
 * CareTeam: the professionals who look after a patient
 * (people/careteam.h), one CareTeam per patient whose id is the
 * patient's id: CareTeam/<id> is the team of Patient/<id>. Read and
 * searched by patient under the access policy's "care team" part of the
 * record, as the patient page shows the team; every read is audited.
 * Caregivers are not on it: they are the patient's grants
 * (RelatedPerson, Consent), which fewer people may see.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "people/careteam.h"
#include "people/patient.h"
#include "core/banned.h"

const struct fhir_search_param fhir_care_team_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{NULL, NULL, NULL},
};

/* The team of patient `pid` (of organisation `org`). */
static enum err
team_json(struct fhir_call *c, int64_t pid, int64_t org, json_t **out)
{
	struct team_member *m;
	size_t n;
	enum err e;

	if ((e = team_list(c->ctx->db, c->ctx->a, pid, &m, &n)) != ERR_OK)
		return e;
	*out = fhir_care_team_json(pid, org, m, n);
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err
fhir_care_team_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct patient p;
	enum err e;

	if ((e = patient_get(c->ctx->db, c->ctx->a, id, &p)) != ERR_OK)
		return e;
	if (p.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	if ((e = fhir_allow(c, "CareTeam", SCOPE_READ, id, RES_CARE_TEAM,
			    ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, "CareTeam", id, id);
	return team_json(c, id, p.org_id, out);
}

enum err
fhir_care_team_search(struct fhir_call *c, const struct fhir_search *q,
		      struct fhir_page *out)
{
	int64_t pid = 0, v, after;
	bool no_match = false;
	json_t *r;
	size_t i;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!fhir_no_modifier(c, x))
			return ERR_INVALID;
		if (!strcmp(x->name, "patient") ||
		    !strcmp(x->name, "subject")) {
			if (!fhir_ref_param(c, x->name, x->value, "Patient",
					    &v))
				return ERR_INVALID;
			if (pid && pid != v)
				no_match = true;
			pid = v;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "CareTeam is searched by patient and "
				  "subject only.");
			return ERR_INVALID;
		}
	}
	if ((e = fhir_search_patient(c, "CareTeam", pid, RES_CARE_TEAM,
				     "Say whose care team: add "
				     "patient=Patient/<id>.",
				     &pid)) != ERR_OK)
		return e;
	if (!fhir_no_sort(c, q, NO_DATE) || !fhir_id_cursor(c, q, &after))
		return ERR_INVALID;
	/* One team a patient: a page that goes on after it is empty. */
	if (no_match || after >= pid) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count) {
		out->total = 1;
		return ERR_OK;
	}
	if ((e = team_json(c, pid, c->ctx->actor.org_id, &r)) != ERR_OK)
		return e;
	json_array_append_new(out->match, r);
	return ERR_OK;
}

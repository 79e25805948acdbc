/*
 * The parts the FHIR types about people share (see people_int.h).
 */
#include "fhir/people_int.h"

#include <string.h>

#include "auth/actor.h"
#include "fhir/search.h"
#include "people/patient.h"
#include "core/banned.h"

enum err
fhir_org_allow(struct fhir_call *c, const char *type, unsigned op)
{
	/* No patient: only the scopes are asked; the resource and action
	 * are not looked at. */
	return fhir_allow(c, type, op, 0, RES_PROFILE, ACT_READ);
}

enum err
fhir_staff_get(struct fhir_call *c, int64_t id, struct account *out)
{
	enum err e = account_get(c->ctx->db, c->ctx->a, id, out);

	if (e != ERR_OK)
		return e;
	/* Patients and caregivers are no practitioners: not found, as
	 * another organisation's staff. */
	if (out->org_id != c->ctx->actor.org_id || !role_is_staff(out->role))
		return ERR_NOT_FOUND;
	return ERR_OK;
}

bool
fhir_staff_param(struct fhir_call *c, const struct fhir_param *x,
		 struct account_query *aq, bool *no_match, bool *other)
{
	bool active;

	*other = false;
	if (!strcmp(x->name, "name"))
		return fhir_param_once(c, x, &aq->name);
	if (!strcmp(x->name, "active")) {
		if (!fhir_bool_param(c, x, &active, no_match))
			return false;
		if (aq->disabled >= 0 && aq->disabled != !active)
			*no_match = true;
		aq->disabled = !active;
		return true;
	}
	*other = true;
	return true;
}

enum err
fhir_staff_search(struct fhir_call *c, const char *type,
		  const struct fhir_search *q, struct account_query *aq,
		  bool no_match, json_t *(*map)(const struct account *),
		  struct fhir_page *out)
{
	struct account *rows;
	size_t i, n;
	enum err e;

	if ((e = fhir_org_allow(c, type, SCOPE_SEARCH)) != ERR_OK)
		return e;
	if (!fhir_no_sort(c, q, NO_DATE) ||
	    !fhir_id_cursor(c, q, &aq->after_id))
		return ERR_INVALID;
	aq->org_id = c->ctx->actor.org_id;
	if (no_match) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return account_staff_count(c->ctx->db, c->ctx->a, aq,
					   &out->total);
	/* One more than asked tells whether another page follows. */
	aq->limit = (size_t)q->count + 1;
	if ((e = account_staff_search(c->ctx->db, c->ctx->a, aq, &rows,
				      &n)) != ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, 0, rows[n - 1].id);
	}
	for (i = 0; i < n; i++)
		json_array_append_new(out->match, map(&rows[i]));
	return ERR_OK;
}

bool
fhir_no_modifier(struct fhir_call *c, const struct fhir_param *x)
{
	if (!x->modifier)
		return true;
	fhir_fail(&c->oo, 400, "not-supported", x->name,
		  "This parameter takes no modifier.");
	return false;
}

/* "Type/<id>" with any type name, or an absolute URL ending so. */
static bool
is_reference(const char *v)
{
	const char *slash = strrchr(v, '/'), *t;
	int64_t id;

	if (!slash || !fhir_id_parse(slash + 1, &id))
		return false;
	for (t = slash; t > v && t[-1] != '/'; t--)
		;
	if (t == slash || t[0] < 'A' || t[0] > 'Z')
		return false;
	for (; t < slash; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z')))
			return false;
	return true;
}

bool
fhir_any_ref_param(struct fhir_call *c, const struct fhir_param *x,
		   const char *type, int64_t *out)
{
	if (fhir_ref_parse(x->value, type, out) ||
	    fhir_id_parse(x->value, out))
		return true;
	if (is_reference(x->value)) {
		*out = 0;
		return true;
	}
	return fhir_ref_param(c, x->name, x->value, type, out);
}

bool
fhir_bool_param(struct fhir_call *c, const struct fhir_param *x, bool *out,
		bool *no_match)
{
	*out = false;
	if (strchr(x->value, '|')) {
		*no_match = true;
		return true;
	}
	if (!strcmp(x->value, "true") || !strcmp(x->value, "false")) {
		*out = x->value[0] == 't';
		return true;
	}
	fhir_fail(&c->oo, 400, "value", x->name, "Give true or false.");
	return false;
}

const char *
fhir_token_code(const struct fhir_param *x, const char *system)
{
	const char *bar = strchr(x->value, '|');
	size_t n;

	if (!bar)
		return x->value;
	/* "|code" asks for a code without a system: cocare has none. */
	n = (size_t)(bar - x->value);
	if (n != strlen(system) || strncmp(x->value, system, n) != 0)
		return NULL;
	return bar + 1;
}

bool
fhir_id_cursor(struct fhir_call *c, const struct fhir_search *q,
	       int64_t *after_id)
{
	int64_t key;
	bool has;

	*after_id = 0;
	if (!fhir_cursor_parse(c, q, &has, &key, after_id))
		return false;
	return true;
}

bool
fhir_param_once(struct fhir_call *c, const struct fhir_param *x,
		const char **slot)
{
	if (*slot) {
		fhir_fail(&c->oo, 400, "not-supported", x->name,
			  "Give this parameter once.");
		return false;
	}
	*slot = x->value;
	return true;
}

enum err
fhir_grant_read(struct fhir_call *c, const char *type, int64_t id,
		struct grant *out)
{
	enum err e = grant_get(c->ctx->db, c->ctx->a, id, out);

	if (e == ERR_OK && out->org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	/* Caregiver grants are the patient's to see (and their care
	 * team's, who may manage them): never another caregiver's. */
	if (e != ERR_OK ||
	    (e = fhir_allow(c, type, SCOPE_READ, out->patient_id, RES_GRANTS,
			    ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, type, id, out->patient_id);
	return ERR_OK;
}

enum err
fhir_grant_search(struct fhir_call *c, const char *type,
		  const struct fhir_search *q, int64_t pid,
		  struct grant_query *gq, bool no_match,
		  json_t *(*map)(const struct grant *, int64_t),
		  struct fhir_page *out)
{
	struct grant *rows;
	size_t i, n;
	enum err e;

	if ((e = fhir_search_patient(c, type, pid, RES_GRANTS,
				     "Say whose caregivers: add "
				     "patient=Patient/<id>.",
				     &gq->patient_id)) != ERR_OK)
		return e;
	if (!fhir_cursor_parse(c, q, &gq->has_after, &gq->after_at,
			       &gq->after_id))
		return ERR_INVALID;
	gq->now = c->ctx->now;
	gq->oldest_first = q->sort_oldest;
	if (no_match || gq->from >= gq->to) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return grant_search_count(c->ctx->db, gq, &out->total);
	/* One more than asked tells whether another page follows. */
	gq->limit = (size_t)q->count + 1;
	if ((e = grant_search(c->ctx->db, c->ctx->a, gq, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, rows[n - 1].granted_at,
					     rows[n - 1].id);
	}
	for (i = 0; i < n; i++)
		json_array_append_new(out->match, map(&rows[i], c->ctx->now));
	return ERR_OK;
}

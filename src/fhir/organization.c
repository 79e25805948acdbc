/*
 * Organization: the caller's organisation and its units (people/org.h)
 * read and searched; each unit is an Organization partOf the
 * organisation. Every signed-in person of the organisation may see
 * them; another organisation's are not found.
 */
#include <string.h>

#include "auth/actor.h"
#include "fhir/people_int.h"
#include "fhir/people_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "people/org.h"
#include "core/banned.h"

const struct fhir_search_param fhir_organization_params[] = {
	{"name", "string",
	 "A word of the name starts with it, ignoring case."},
	{"partof", "reference",
	 "The units of this organisation: Organization/<id>."},
	{NULL, NULL, NULL},
};

/* Node `id` of the caller's organisation as an Organization. */
static enum err
node_json(struct fhir_call *c, int64_t id, json_t **out)
{
	struct organisation o;
	struct unit u;
	enum err e;

	/* Ids are unique across tables: an id is the organisation's or a
	 * unit's. */
	e = org_get(c->ctx->db, c->ctx->a, id, &o);
	if (e == ERR_OK) {
		if (o.id != c->ctx->actor.org_id)
			return ERR_NOT_FOUND;
		*out = fhir_organization_json(&o);
		return *out ? ERR_OK : ERR_NOMEM;
	}
	if (e != ERR_NOT_FOUND)
		return e;
	if ((e = unit_get(c->ctx->db, c->ctx->a, id, &u)) != ERR_OK)
		return e;
	if (u.org_id != c->ctx->actor.org_id)
		return ERR_NOT_FOUND;
	*out = fhir_unit_json(&u);
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err
fhir_organization_read(struct fhir_call *c, int64_t id, json_t **out)
{
	enum err e;

	if ((e = fhir_org_allow(c, "Organization", SCOPE_READ)) != ERR_OK)
		return e;
	return node_json(c, id, out);
}

enum err
fhir_organization_search(struct fhir_call *c, const struct fhir_search *q,
			 struct fhir_page *out)
{
	struct org_query oq = {0};
	struct org_node *rows;
	bool no_match = false;
	size_t i, n;
	int64_t v;
	json_t *r;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!fhir_no_modifier(c, x))
			return ERR_INVALID;
		if (!strcmp(x->name, "name")) {
			if (!fhir_param_once(c, x, &oq.name))
				return ERR_INVALID;
		} else if (!strcmp(x->name, "partof")) {
			if (!fhir_any_ref_param(c, x, "Organization", &v))
				return ERR_INVALID;
			if (!v || (oq.part_of && oq.part_of != v))
				no_match = true;
			oq.part_of = v;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Organization is searched by name and "
				  "partof only.");
			return ERR_INVALID;
		}
	}
	if ((e = fhir_org_allow(c, "Organization", SCOPE_SEARCH)) != ERR_OK)
		return e;
	if (!fhir_no_sort(c, q, NO_DATE) || !fhir_id_cursor(c, q, &oq.after_id))
		return ERR_INVALID;
	oq.org_id = c->ctx->actor.org_id;
	if (no_match) {
		out->total = 0;
		return ERR_OK;
	}
	if (q->summary_count)
		return org_tree_count(c->ctx->db, c->ctx->a, &oq, &out->total);
	/* One more than asked tells whether another page follows. */
	oq.limit = (size_t)q->count + 1;
	if ((e = org_tree_search(c->ctx->db, c->ctx->a, &oq, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, 0, rows[n - 1].id);
	}
	for (i = 0; i < n; i++) {
		struct unit u = {rows[i].id, rows[i].part_of, rows[i].name,
				 rows[i].created_at};

		/* The organisation has more to show than its node. */
		if (!rows[i].part_of) {
			if ((e = node_json(c, rows[i].id, &r)) != ERR_OK)
				return e;
		} else {
			r = fhir_unit_json(&u);
		}
		json_array_append_new(out->match, r);
	}
	return ERR_OK;
}

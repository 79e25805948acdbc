/*
 * Questionnaire: the questionnaires an organisation holds, its own
 * (measures/org_instrument.h) as the Questionnaire JSON it added and the
 * library's (measures/instrument.h) as built into cocare. Read, search
 * by url, name, title, status and _lastUpdated, the organisation's
 * newest first and then the library's, and create by those who may add
 * questionnaires on the administration page, with the same checks and
 * the same write.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "fhir/measures_map.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "fhir/shape.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/scoring.h"
#include "core/banned.h"

const struct fhir_search_param fhir_questionnaire_params[] = {
	{"url", "uri", "The questionnaire's canonical url, exactly."},
	{"name", "string",
	 "Its name: starts with the value, ignoring case (:exact for the "
	 "whole name)."},
	{"title", "string",
	 "Its title: starts with the value, ignoring case (:exact for the "
	 "whole title)."},
	{"status", "token", "draft, active, retired or unknown, as sent."},
	{"_lastUpdated", "date",
	 "When the organisation added it, with the prefixes eq, ge, gt, le "
	 "and lt; repeat it for a range (the library's have no such time)."},
	{NULL, NULL, NULL},
};

/* The library instrument whose Questionnaire id is `id`, or NULL. */
static const struct instrument *
library_by_id(int64_t id)
{
	const struct instrument *list;
	size_t n, i;

	if (id < FHIR_LIBRARY_BASE)
		return NULL;
	list = instrument_list(&n);
	for (i = 0; i < n; i++)
		if (fhir_library_questionnaire_id(list[i].id) == id)
			return &list[i];
	return NULL;
}

enum err
fhir_questionnaire_canonical(struct fhir_call *c, int64_t id,
			     const char **url, const char **version)
{
	const struct instrument *lib = library_by_id(id);
	struct org_instrument oi;
	enum err e;

	if (lib) {
		*url = lib->q->url;
		*version = lib->q->version ? lib->q->version : "";
		return ERR_OK;
	}
	if ((e = org_instrument_by_id(c->ctx->db, c->ctx->a,
				      c->ctx->actor.org_id, id, &oi)) != ERR_OK)
		return e;
	*url = oi.url;
	*version = oi.version;
	return ERR_OK;
}

/* GET /fhir/Questionnaire/<id>: 200; 403 (scopes); 404. */
enum err
fhir_questionnaire_read(struct fhir_call *c, int64_t id, json_t **out)
{
	const struct instrument *lib = library_by_id(id);
	struct org_instrument oi;
	enum err e;

	/* Not any one patient's: a patient's app reads what it answers. */
	if ((e = fhir_scope_precheck(c, "Questionnaire", SCOPE_READ)) !=
	    ERR_OK)
		return e;
	if (!lib && (e = org_instrument_by_id(c->ctx->db, c->ctx->a,
					      c->ctx->actor.org_id, id,
					      &oi)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Questionnaire", id, 0);
	*out = lib ? fhir_library_questionnaire_json(lib)
		   : fhir_questionnaire_json(&oi);
	return *out ? ERR_OK : lib ? ERR_NOT_FOUND : ERR_INTERNAL;
}

/* A string parameter: starts with `v` ignoring case, or with :exact
 * equal. */
static bool
string_matches(const char *have, const struct fhir_param *x)
{
	if (!have)
		return false;
	if (x->modifier)
		return !strcmp(have, x->value);
	return !strncasecmp(have, x->value, strlen(x->value));
}

/* A questionnaire a search may show: the organisation's (`own`, its
 * time `at`) or the library's (`lib`, at 0: after every one of the
 * organisation's). */
struct candidate {
	int64_t at;
	int64_t id;
	const struct org_instrument *own;
	const struct instrument *lib;
};

static int
newest_first(const void *pa, const void *pb)
{
	const struct candidate *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? 1 : -1;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

/* The organisation's questionnaires, then the library's unless only those
 * of a time were asked for. */
static enum err
candidates(struct fhir_call *c, bool dated, struct candidate **out,
	   size_t *count)
{
	const struct instrument *lib;
	struct org_instrument *own;
	struct candidate *v;
	size_t no, nl, i, n = 0;
	enum err e;

	if ((e = org_instrument_list(c->ctx->db, c->ctx->a,
				     c->ctx->actor.org_id, &own, &no)) !=
	    ERR_OK)
		return e;
	lib = instrument_list(&nl);
	if (dated)
		nl = 0;
	if (!(v = arena_calloc(c->ctx->a, no + nl + 1, sizeof(*v))))
		return ERR_NOMEM;
	for (i = 0; i < no; i++)
		v[n++] = (struct candidate){own[i].added_ms, own[i].id, &own[i],
					    NULL};
	for (i = 0; i < nl; i++)
		v[n++] = (struct candidate){
			0, fhir_library_questionnaire_id(lib[i].id), NULL,
			&lib[i]};
	qsort(v, n, sizeof(*v), newest_first);
	*out = v;
	*count = n;
	return ERR_OK;
}

/* The Questionnaire of a candidate, read in full. */
static enum err
candidate_json(struct fhir_call *c, const struct candidate *k, json_t **out)
{
	struct org_instrument oi;
	enum err e;

	if (k->lib) {
		*out = fhir_library_questionnaire_json(k->lib);
		return ERR_OK;
	}
	if ((e = org_instrument_by_id(c->ctx->db, c->ctx->a,
				      c->ctx->actor.org_id, k->id, &oi)) !=
	    ERR_OK)
		return e;
	*out = fhir_questionnaire_json(&oi);
	return *out ? ERR_OK : ERR_INTERNAL;
}

/* Whether questionnaire `r` (its JSON) passes every parameter. */
static bool
matches(json_t *r, const struct fhir_search *q)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];
		const char *have;

		if (!strcmp(x->name, "_lastUpdated"))
			continue;	/* checked on the row */
		have = fhir_string_of(r, x->name);
		if (!strcmp(x->name, "url") || !strcmp(x->name, "status")) {
			if (!have || strcmp(have, x->value) != 0)
				return false;
		} else if (!string_matches(have, x)) {
			return false;
		}
	}
	return true;
}

/* The parameters this type answers, with their modifiers. */
static bool
check_params(struct fhir_call *c, const struct fhir_search *q, int64_t *from,
	     int64_t *to)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];
		bool text = !strcmp(x->name, "name") ||
			    !strcmp(x->name, "title");

		if (!strcmp(x->name, "_lastUpdated") && !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value, from, to))
				return false;
		} else if (!((text && (!x->modifier ||
				       !strcmp(x->modifier, "exact"))) ||
			     ((!strcmp(x->name, "url") ||
			       !strcmp(x->name, "status")) &&
			      !x->modifier))) {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Questionnaire is searched by url, name, "
				  "title (with :exact), status and "
				  "_lastUpdated only.");
			return false;
		}
	}
	return true;
}

/*
 * GET /fhir/Questionnaire: 200 with the organisation's questionnaires,
 * newest first, then the library's, pages continuing after the last one
 * shown; 400 for a parameter cocare does not answer; 403.
 */
enum err
fhir_questionnaire_search(struct fhir_call *c, const struct fhir_search *q,
			  struct fhir_page *out)
{
	int64_t from = INT64_MIN, to = INT64_MAX, at, after;
	const struct candidate *last = NULL;
	struct candidate *v;
	size_t i, n, shown = 0;
	bool has_after;
	enum err e;

	if (!check_params(c, q, &from, &to) ||
	    !fhir_no_sort(c, q, "Questionnaires come newest first.") ||
	    !fhir_cursor_parse(c, q, &has_after, &at, &after))
		return ERR_INVALID;
	if ((e = candidates(c, from != INT64_MIN || to != INT64_MAX, &v,
			    &n)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Questionnaire", 0, 0);
	out->total = 0;
	for (i = 0; i < n; i++) {
		json_t *r;

		if ((v[i].own && (v[i].at < from || v[i].at >= to)) ||
		    (has_after && !q->summary_count &&
		     (v[i].at > at || (v[i].at == at && v[i].id >= after))))
			continue;
		if ((e = candidate_json(c, &v[i], &r)) != ERR_OK)
			return e;
		if (!r)
			continue;	/* a library file not built in */
		if (!matches(r, q)) {
			json_decref(r);
			continue;
		}
		if (q->summary_count) {
			json_decref(r);
			out->total++;
			continue;
		}
		if (shown == (size_t)q->count) {
			json_decref(r);
			out->next = fhir_cursor_make(c, last->at, last->id);
			break;
		}
		json_array_append_new(out->match, r);
		last = &v[i];
		shown++;
	}
	if (!q->summary_count)
		out->total = -1;
	return ERR_OK;
}

static enum err
questionnaire_result(struct fhir_call *c, struct fhir_write *w, json_t **out)
{
	(void)c;
	*out = fhir_questionnaire_json(w->job);
	return *out ? ERR_OK : ERR_NOMEM;
}

/*
 * How the questionnaire is scored, as chosen on the upload page: the
 * scored-as extension's code ("own", or a library id), else "auto" (the
 * library instrument it matches, if any).
 */
static const char *
scored_as(json_t *in)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(in, "extension"), i, x) {
		const char *url = fhir_string_of(x, "url");
		const char *code = fhir_string_of(x, "valueCode");

		if (url && code && !strcmp(url, FHIR_EXT_SCORED_AS))
			return code;
	}
	return "auto";
}

/* The outcome of a questionnaire org_instrument_prepare() refused. */
static void
refused(struct fhir_call *c, enum org_instrument_refusal r, const char *why)
{
	switch (r) {
	case OI_UNREADABLE:
		fhir_fail(&c->oo, 422, "invalid", "Questionnaire.item",
			  arena_printf(c->ctx->a,
				       "This is not a questionnaire cocare "
				       "can read (docs/measures.md): %s",
				       why ? why : "?"));
		break;
	case OI_NO_URL:
		fhir_fail(&c->oo, 422, "required", "Questionnaire.url",
			  "The questionnaire needs a url that names it, so "
			  "answers can say which questionnaire they belong "
			  "to.");
		break;
	case OI_IN_LIBRARY:
		fhir_fail(&c->oo, 409, "duplicate", "Questionnaire.url",
			  "This questionnaire is already in cocare's "
			  "library: answer it by its url.");
		break;
	case OI_UNKNOWN_RULES:
		fhir_fail(&c->oo, 422, "code-invalid", "Questionnaire.extension",
			  "The scored-as extension names no instrument of "
			  "cocare's library: give a library id such as "
			  "phq-9, or own.");
		break;
	default:
		fhir_fail(&c->oo, 422, "invalid", "Questionnaire.item",
			  arena_printf(c->ctx->a,
				       "Its questions or answers do not match "
				       "the library instrument that scores "
				       "it: %s",
				       why ? why : "?"));
		break;
	}
}

/*
 * POST /fhir/Questionnaire: checked as the administration page checks an
 * uploaded file, scored as its scored-as extension says (else by the
 * library instrument it matches, if any),
 * stored as sent without id and meta. 403 without the permission to add
 * questionnaires; 400 for unknown elements; 409 when the organisation has
 * it already or it is the library's; 422 for one cocare cannot read.
 */
enum err
fhir_questionnaire_create(struct fhir_call *c, json_t *in,
			  struct fhir_write *w)
{
	struct adopt_notes notes = {0};
	enum org_instrument_refusal refusal;
	struct org_instrument *oi = arena_calloc(c->ctx->a, 1, sizeof(*oi));
	struct questionnaire *q;
	const char *why = NULL;
	char *text, *json;
	enum err e;

	if (!oi)
		return ERR_NOMEM;
	if ((e = fhir_allow_org(c, "Questionnaire", SCOPE_CREATE,
				ORG_ADMINISTER)) != ERR_OK)
		return e;
	if (!fhir_questionnaire_check(&c->oo, in))
		return ERR_INVALID;
	w->wi.action = "create";
	w->wi.resource_type = ORG_INSTRUMENT_RES;
	w->wi.detail = "questionnaire-added";
	w->wi.resource_id = arena_printf(c->ctx->a, "%" PRId64, w->id);
	/* The server gives the id and meta. */
	json_object_del(in, "id");
	json_object_del(in, "meta");
	if (!(text = json_dumps(in, JSON_COMPACT)))
		return ERR_NOMEM;
	json = arena_strdup(c->ctx->a, text);
	free(text);
	if (!json)
		return ERR_NOMEM;
	e = org_instrument_prepare(c->ctx->a, json, strlen(json), scored_as(in), oi,
				   &q, &notes, &refusal, &why);
	if (e == ERR_INVALID) {
		if (refusal == OI_UNREADABLE || refusal == OI_RULES_MISMATCH)
			write_refused(c->ctx, &w->wi);
		refused(c, refusal, why);
		return ERR_INVALID;
	}
	if (e != ERR_OK)
		return e;
	oi->id = w->id;
	oi->org_id = c->ctx->actor.org_id;
	oi->added_by = c->ctx->actor.account_id;
	oi->added_ms = c->ctx->now * 1000;
	w->step.fn = org_instrument_add;
	w->step.arg = oi;
	w->job = oi;
	w->result = questionnaire_result;
	return ERR_OK;
}

/*
 * Instrument pages: the questionnaires cocare has (the library and the
 * organisation's own), each shown whole (its questions, the value of
 * every answer, how it is scored, what the bands mean and where it comes
 * from), and for administrators adding a questionnaire written
 * elsewhere: a FHIR Questionnaire file, scored by its own rules or by a
 * library instrument's published ones.
 */
#include "measures/measures_web.h"

#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/care_web.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/msgid.h"
#include "core/str.h"
#include "http/http.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/questionnaire.h"
#include "measures/scoring.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

static const char *const method_names[Q_METHOD__MAX] = {
	[Q_SUM] = N_("the sum of the answers' values"),
	[Q_MEAN] = N_("the average of the answers' values"),
	[Q_WEIGHTED] = N_("the sum of each answer's value times its weight"),
	[Q_TOP_BOX] = N_("1 when every answer has the top value, else 0"),
};

static bool
admin_allowed(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->account.org_id,
				 ORG_ADMINISTER);
}

/* Staff look at instruments; patients meet them by answering. */
static bool
may_look(struct web *w)
{
	return role_is_staff(w->ctx.actor.role);
}

static void
add_items(struct web *w, json_t *ctx, const struct questionnaire *q)
{
	json_t *arr = jarr(ctx, "items");
	size_t i, k;

	for (i = 0; i < q->n_all; i++) {
		const struct q_item *it = q->all[i];
		json_t *o = jpush(arr), *opts;

		jstr(o, "prefix", it->prefix);
		jstr(o, "text", it->text ? it->text : it->link_id);
		jstr(o, "link_id", it->link_id);
		jstr(o, "type", it->type_name);
		jstr(o, "code", it->code);
		jbool(o, "group", it->type == Q_GROUP || it->type == Q_DISPLAY);
		jbool(o, "required", it->required);
		jbool(o, "conditional", it->n_enable_when > 0);
		jint(o, "depth", it->depth);
		opts = jarr(o, "options");
		for (k = 0; k < it->n_options; k++) {
			json_t *x = jpush(opts);

			jstr(x, "display", it->options[k].display);
			jstr(x, "code", it->options[k].code);
			if (it->options[k].has_value)
				jstr(x, "value", measures_number(
							 w, it->options[k].value));
		}
		jbool(o, "has_options", it->n_options > 0);
	}
}

static void
add_scores(struct web *w, json_t *ctx, const struct questionnaire *q)
{
	json_t *arr = jarr(ctx, "scores"), *fl = jarr(ctx, "flags");
	size_t i, k;

	for (i = 0; i < q->n_scores; i++) {
		const struct q_score *s = &q->scores[i];
		json_t *o = jpush(arr), *bands = jarr(o, "bands");

		jstr(o, "title", s->title ? s->title : s->name);
		jstr(o, "method", tr(w, method_names[s->method]));
		jint(o, "items", (int64_t)s->n_items);
		jint(o, "min_answered", (int64_t)s->min_answered);
		jbool(o, "prorate", s->prorate);
		if (s->multiplier != 1)
			jstr(o, "multiplier", measures_number(w, s->multiplier));
		for (k = 0; k < s->n_items; k++)
			if (s->reverse[k])
				jbool(o, "has_reverse", true);
		for (k = 0; k < s->n_bands; k++) {
			json_t *b = jpush(bands);

			jstr(b, "range",
			     arena_printf(w->ctx.a, "%s–%s",
					  measures_number(w, s->bands[k].min),
					  measures_number(w, s->bands[k].max)));
			jstr(b, "label", s->bands[k].label);
		}
		jbool(o, "has_bands", s->n_bands > 0);
	}
	for (i = 0; i < q->n_flags; i++) {
		const struct q_flag *f = &q->flags[i];
		json_t *o = jpush(fl);

		jstr(o, "label", f->label);
		jstr(o, "above", measures_number(w, f->above));
		jbool(o, "urgent", f->urgent);
	}
	jbool(ctx, "has_flags", q->n_flags > 0);
}

/* The page of one questionnaire; `notes` are adopt warnings. */
static enum err
instrument_page(struct web *w, const struct questionnaire *q,
		const char *lang, const struct adopt_notes *notes,
		const char *scored_as, const char *back)
{
	json_t *ctx = page_new(w, N_("Questionnaire"));
	json_t *arr;
	size_t i;

	jstr(ctx, "heading", measures_title(q));
	jstr(ctx, "description", q->description);
	jstr(ctx, "copyright", q->copyright);
	jstr(ctx, "url", q->url);
	jstr(ctx, "version", q->version);
	jstr(ctx, "language", lang);
	jstr(ctx, "loinc", q->code);
	jstr(ctx, "scored_as", scored_as);
	jstr(ctx, "back", back);
	arr = jarr(ctx, "missing");
	for (i = 0; i < q->n_missing_lang; i++)
		jstr(jpush(arr), "lang", q->missing_lang[i]);
	arr = jarr(ctx, "notes");
	for (i = 0; notes && i < notes->n; i++)
		jstr(jpush(arr), "text", notes->msg[i]);
	add_items(w, ctx, q);
	add_scores(w, ctx, q);
	return page_render(w, 200, "instrument", ctx);
}

/* GET /instruments: the library and the organisation's own. 200; 403. */
static enum err
get_instruments(struct req *req)
{
	struct web *w = web_of(req);
	const struct instrument *lib;
	struct org_instrument *own;
	json_t *ctx, *arr;
	size_t n, no, i;
	enum err e;

	if (!may_look(w))
		return ERR_FORBIDDEN;
	ctx = page_new(w, N_("Questionnaires in cocare"));
	arr = jarr(ctx, "library");
	lib = instrument_list(&n);
	for (i = 0; i < n; i++) {
		const struct instrument *es = instrument_get(lib[i].id, "es");
		json_t *o = jpush(arr);

		jstr(o, "id", lib[i].id);
		jstr(o, "title", measures_title(lib[i].q));
		jstr(o, "loinc", lib[i].q->code);
		jbool(o, "spanish", es && !strcmp(es->lang, "es"));
	}
	if ((e = org_instrument_list(w->ctx.db, w->ctx.a, w->account.org_id,
				     &own, &no)) != ERR_OK)
		return e;
	arr = jarr(ctx, "own");
	for (i = 0; i < no; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", own[i].id);
		jstr(o, "title", own[i].title);
		jstr(o, "lang", own[i].lang);
		jstr(o, "scored_as", own[i].scored_as);
		jstr(o, "added", page_date(w, own[i].added_ms / 1000));
		jstr(o, "by", own[i].added_by_name);
	}
	jbool(ctx, "has_own", no > 0);
	jbool(ctx, "admin", admin_allowed(w));
	return page_render(w, 200, "instruments", ctx);
}

/* GET /instruments/:iid[?lang=es]: a library instrument. 200; 403; 404. */
static enum err
get_library_instrument(struct req *req)
{
	struct web *w = web_of(req);
	const struct instrument *in;
	const char *lang = web_field(w, "lang");

	if (!may_look(w))
		return ERR_FORBIDDEN;
	if (!(in = instrument_get(http_param(req, "iid"), *lang ? lang
								: w->lang)))
		return ERR_NOT_FOUND;
	return instrument_page(w, in->q, in->lang, NULL, NULL, "/instruments");
}

/* An organisation's questionnaire by its id. */
static enum err
own_by_id(struct web *w, int64_t id, struct org_instrument *out)
{
	return org_instrument_by_id(w->ctx.db, w->ctx.a, w->account.org_id,
				    id, out);
}

/* GET /instruments/own/:iid: one of the organisation's. 200; 403; 404. */
static enum err
get_own_instrument(struct req *req)
{
	struct web *w = web_of(req);
	struct org_instrument oi;
	struct adopt_notes notes = {0};
	const struct instrument *lib = NULL;
	struct questionnaire *q;
	const char *why = NULL;
	int64_t id;
	enum err e;

	if (!may_look(w))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "iid", &id)) != ERR_OK ||
	    (e = own_by_id(w, id, &oi)) != ERR_OK)
		return e;
	if ((e = q_parse(w->ctx.a, oi.body, strlen(oi.body), &q, &why)) !=
	    ERR_OK)
		return e == ERR_NOMEM ? e : ERR_INTERNAL;
	if (*oi.scored_as && (!(lib = instrument_get(oi.scored_as, NULL)) ||
			      instrument_adopt(w->ctx.a, q, lib->q, &notes,
					       &why) != ERR_OK))
		return ERR_INTERNAL;
	return instrument_page(w, q, oi.lang, &notes,
			       lib ? measures_title(lib->q) : NULL,
			       "/instruments");
}

/* The add form again with a message and what was chosen. */
static enum err
add_form(struct web *w, int status, const char *error, const char *detail)
{
	json_t *ctx = page_new(w, N_("Add a questionnaire"));
	json_t *arr = jarr(ctx, "library");
	const struct instrument *lib;
	const char *chosen = web_field(w, "scored_as");
	size_t n, i;

	lib = instrument_list(&n);
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "id", lib[i].id);
		jstr(o, "title", measures_title(lib[i].q));
		jbool(o, "selected", !strcmp(chosen, lib[i].id));
	}
	jbool(ctx, "auto", !*chosen || !strcmp(chosen, "auto"));
	jbool(ctx, "own_rules", !strcmp(chosen, "own"));
	if (error)
		jstr(ctx, "error", tr(w, error));
	jstr(ctx, "detail", detail);
	return page_render(w, status, "admin_instrument", ctx);
}

/* GET /admin/instruments/new: 200; 403. */
static enum err
get_add(struct req *req)
{
	struct web *w = web_of(req);

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	return add_form(w, 200, NULL, NULL);
}

/* The uploaded file ("file"), else the pasted text ("json"). */
static const char *
uploaded_json(struct web *w, size_t *len)
{
	const struct http_upload *u;
	size_t n, i;

	u = http_uploads(w->req, &n);
	for (i = 0; i < n; i++)
		if (!strcmp(u[i].name, "file") && u[i].len) {
			*len = u[i].len;
			return arena_strndup(w->ctx.a, (const char *)u[i].data,
					     u[i].len);
		}
	return http_field_len(w->req, "json", len);
}

/*
 * POST /admin/instruments/new with a Questionnaire file and "scored_as"
 * ("auto": the library instrument it matches, if any; "own": its own
 * score extensions; or a library id): 303 to its page, which lists any
 * difference from the published values; 400 with what is wrong; 409
 * when the organisation has it already; 403.
 */
static enum err
post_add(struct req *req)
{
	static const char *const refusals[OI_REFUSAL__MAX] = {
		[OI_UNREADABLE] = N_("This file is not a questionnaire cocare "
				     "can read. Check it against the format "
				     "in the guide and try again:"),
		[OI_NO_URL] = N_("The questionnaire needs a \"url\" that "
				 "names it, so answers can say which "
				 "questionnaire they belong to."),
		[OI_IN_LIBRARY] = N_("This questionnaire is already in the "
				     "library."),
		[OI_UNKNOWN_RULES] = N_("Choose how it is scored from the "
					"list."),
		[OI_RULES_MISMATCH] = N_("Its questions or answers do not "
					 "match the library instrument chosen "
					 "to score it:"),
	};
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = ORG_INSTRUMENT_RES,
		.detail = "questionnaire-added",
	};
	const char *why = NULL, *json;
	enum org_instrument_refusal refusal;
	struct adopt_notes notes = {0};
	struct org_instrument *oi;
	struct questionnaire *q;
	size_t len = 0;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if (!(json = uploaded_json(w, &len)) || !len)
		return add_form(w, 400,
				N_("Choose a FHIR Questionnaire file (JSON) "
				   "to add."),
				NULL);
	if (!(oi = arena_calloc(w->ctx.a, 1, sizeof(*oi))))
		return ERR_NOMEM;
	e = org_instrument_prepare(w->ctx.a, json, len,
				   web_field(w, "scored_as"), oi, &q, &notes,
				   &refusal, &why);
	if (e == ERR_INVALID) {
		if (refusal == OI_UNREADABLE || refusal == OI_RULES_MISMATCH)
			write_refused(&w->ctx, &wi);
		return add_form(w, 400, refusals[refusal], why);
	}
	if (e != ERR_OK)
		return e;
	oi->id = id_new();
	oi->org_id = w->account.org_id;
	oi->added_by = w->account.id;
	oi->added_ms = w->ctx.now * 1000;
	wi.resource_id = care_id_text(w, oi->id);
	e = write_commit(&w->ctx, &wi, org_instrument_add, oi);
	if (e == ERR_EXISTS)
		return add_form(w, 409,
				N_("Your organisation has this questionnaire, "
				   "in this version and language, already."),
				q->url);
	if (e != ERR_OK)
		return e;
	return page_redirect(w,
			     arena_printf(w->ctx.a, "/instruments/own/%lld",
					  (long long)oi->id),
			     "instrument-added");
}

static const struct http_route instrument_routes[] = {
	{HTTP_GET, "/instruments", get_instruments, 0, NULL},
	{HTTP_GET, "/instruments/own/:iid", get_own_instrument, 0, NULL},
	{HTTP_GET, "/instruments/:iid", get_library_instrument, 0, NULL},
	{HTTP_GET, "/admin/instruments/new", get_add, 0, NULL},
	{HTTP_POST, "/admin/instruments/new", post_add, HTTP_ROUTE_UPLOAD,
	 NULL},
};

enum err
instrument_web_routes(struct http_router *r)
{
	return http_router_add(r, instrument_routes,
			       sizeof(instrument_routes) /
				       sizeof(instrument_routes[0]));
}

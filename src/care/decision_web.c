/*
 * Shared decision pages: the organisation's decision aids (option grids)
 * kept by administrators, and for a patient the list of decisions, a new
 * decision on an aid (the grid with the questions that matter most to
 * them ticked, the options considered, the choice, the reasons, who took
 * part and when to revisit), one decision with its history, and editing
 * it (a stale form comes back with both versions). Domain rules live in
 * decision.c; access in the policy.
 */
#include "care/care_web.h"

#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/decision.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

/* What a decision's history compares (decision.c stores these keys). */
static const struct care_field decision_fields[] = {
	{"choice", N_("Choice")},
	{"considered", N_("Options considered")},
	{"matters", N_("What matters most")},
	{"reasons", N_("Reasons")},
	{"participants", N_("Who took part")},
	{"revisit_date", N_("Date to look at it again")},
};

static const char *
decision_path(struct web *w, int64_t pid, int64_t did)
{
	return arena_printf(w->ctx.a, "/patients/%lld/decisions/%lld",
			    (long long)pid, (long long)did);
}

/* Lines of a list joined for a textarea. */
static const char *
joined(struct web *w, const char *const *s, size_t n)
{
	const char *out = "";
	size_t i;

	for (i = 0; i < n && out; i++)
		out = arena_printf(w->ctx.a, "%s%s%s", out, i ? "\n" : "",
				   s[i]);
	return out ? out : "";
}

static const char *
choice_text(struct web *w, const struct shared_decision *d)
{
	if (d->choice >= 0 && (size_t)d->choice < d->aid.noptions)
		return d->aid.options[d->choice];
	return tr(w, N_("Not decided yet"));
}

/*
 * The grid as a table: options across, questions down. With `matters`,
 * the questions that matter most to the patient are marked (and with
 * `form`, offered as checkboxes ticked as typed).
 */
static void
add_grid(struct web *w, json_t *ctx, const struct decision_aid *aid,
	 const bool *matters, int choice)
{
	json_t *opts = jarr(ctx, "grid_options"), *rows = jarr(ctx,
							       "grid_rows");
	size_t q, o;

	for (o = 0; o < aid->noptions; o++) {
		json_t *x = jpush(opts);

		jstr(x, "text", aid->options[o]);
		jbool(x, "chosen", choice == (int)o);
	}
	for (q = 0; q < aid->nquestions; q++) {
		json_t *r = jpush(rows), *cells = jarr(r, "cells");

		jint(r, "n", (int64_t)q + 1);
		jstr(r, "question", aid->questions[q]);
		jbool(r, "matters", matters && matters[q]);
		for (o = 0; o < aid->noptions; o++) {
			json_t *c = jpush(cells);

			jstr(c, "option", aid->options[o]);
			jstr(c, "text", aid->cells[q][o]);
		}
	}
}

/* ===================== the organisation's decision aids ================ */

static bool
admin_allowed(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->account.org_id,
				 ORG_ADMINISTER);
}

/* GET /admin/decision-aids: 200; 403. */
static enum err
get_aids(struct req *req)
{
	struct web *w = web_of(req);
	struct decision_aid *aids;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = decision_aid_list(w->ctx.db, w->ctx.a, w->account.org_id,
				   false, &aids, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Decision aids"));
	arr = jarr(ctx, "aids");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", aids[i].id);
		jstr(o, "title", aids[i].title);
		jint(o, "options", (int64_t)aids[i].noptions);
		jint(o, "questions", (int64_t)aids[i].nquestions);
		jbool(o, "active", aids[i].active);
		jstr(o, "updated", page_date(w, aids[i].updated_ms / 1000));
		jstr(o, "by", aids[i].updated_by_name);
	}
	return page_render(w, 200, "admin_decision_aids", ctx);
}

/* The aid as typed in the form (grid cells "cell_<q>_<o>", from 1). */
static void
aid_from_form(struct web *w, struct decision_aid *aid, struct problems *ps)
{
	size_t q, o;

	aid->title = web_field(w, "title");
	decision_aid_parse(w->ctx.a, web_field(w, "options"),
			   web_field(w, "questions"), aid, ps);
	for (q = 0; q < aid->nquestions; q++)
		for (o = 0; o < aid->noptions; o++)
			aid->cells[q][o] = web_field(
				w, arena_printf(w->ctx.a, "cell_%zu_%zu", q + 1,
						o + 1));
	aid->source = web_field(w, "source");
	aid->active = http_field(w->req, "active") != NULL;
}

static bool
grid_shape_ok(const struct decision_aid *aid)
{
	return aid->noptions >= DECISION_OPTIONS_MIN &&
	       aid->noptions <= DECISION_OPTIONS_MAX &&
	       aid->nquestions >= DECISION_QUESTIONS_MIN &&
	       aid->nquestions <= DECISION_QUESTIONS_MAX;
}

/* The grid's boxes for the aid form: one group per question. */
static void
add_grid_fields(struct web *w, json_t *ctx, const struct decision_aid *aid,
		const struct problems *ps)
{
	json_t *rows = jarr(ctx, "cells");
	size_t q, o;

	if (!grid_shape_ok(aid))
		return;
	jbool(ctx, "grid", true);
	for (q = 0; q < aid->nquestions; q++) {
		json_t *r = jpush(rows), *cells = jarr(r, "boxes");

		jint(r, "n", (int64_t)q + 1);
		jstr(r, "question", aid->questions[q]);
		for (o = 0; o < aid->noptions; o++) {
			json_t *c = jpush(cells);
			const char *name = arena_printf(w->ctx.a,
							"cell_%zu_%zu", q + 1,
							o + 1);
			const char *m = problems_for(ps, name);

			jstr(c, "name", name);
			jstr(c, "option", aid->options[o]);
			care_jform(c, "value", aid->cells[q][o]);
			if (m)
				jstr(c, "error", tr(w, m));
		}
	}
}

static enum err
aid_page(struct web *w, int status, const struct decision_aid *typed,
	 const char *options_text, const char *questions_text,
	 const struct decision_aid *stored, const struct problems *ps)
{
	struct problems none = {0};
	json_t *ctx = page_new(w, typed->id ? N_("Change a decision aid")
					    : N_("New decision aid"));
	json_t *f = jobj(ctx, "form");

	jstr(ctx, "action",
	     typed->id ? arena_printf(w->ctx.a, "/admin/decision-aids/%lld",
				      (long long)typed->id)
		       : "/admin/decision-aids/new");
	jbool(ctx, "editing", typed->id != 0);
	care_jform(f, "title", typed->title);
	care_jform(f, "options", options_text);
	care_jform(f, "questions", questions_text);
	care_jform(f, "source", typed->source);
	jbool(f, "active", typed->active);
	jint(f, "version", typed->version);
	add_grid_fields(w, ctx, typed, ps ? ps : &none);
	if (stored) {
		json_t *s = jobj(ctx, "stored");

		jbool(ctx, "conflict", true);
		jstr(s, "title", stored->title);
		jstr(s, "by", stored->updated_by_name);
		jstr(s, "when", page_datetime(w, stored->updated_ms / 1000));
		jstr(s, "source", stored->source);
		jbool(s, "active", stored->active);
		add_grid(w, s, stored, NULL, DECISION_UNDECIDED);
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "admin_decision_aid", ctx);
}

/* GET /admin/decision-aids/new: 200; 403. */
static enum err
get_aid_new(struct req *req)
{
	struct web *w = web_of(req);
	struct decision_aid aid;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	memset(&aid, 0, sizeof(aid));
	aid.active = true;
	return aid_page(w, 200, &aid, "", "", NULL, NULL);
}

/* GET /admin/decision-aids/:aid: 200; 403; 404. */
static enum err
get_aid(struct req *req)
{
	struct web *w = web_of(req);
	struct decision_aid aid;
	int64_t id;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "aid", &id)) != ERR_OK ||
	    (e = decision_aid_get(w->ctx.db, w->ctx.a, w->account.org_id, id,
				  &aid)) != ERR_OK)
		return e;
	return aid_page(w, 200, &aid, joined(w, aid.options, aid.noptions),
			joined(w, aid.questions, aid.nquestions), NULL, NULL);
}

/*
 * POST /admin/decision-aids/new and /admin/decision-aids/:aid. Step
 * "grid": 200 the form with the grid for the options and questions as
 * typed. Step "save": 303 to the list; 400 invalid (everything typed
 * kept); 409 changed by someone else (both shown). 403; 404.
 */
static enum err
post_aid(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = DECISION_AID_RES,
		.resource_id = "",
		.detail = "decision-aid",
	};
	struct decision_aid_job *j;
	struct decision_aid stored;
	struct problems ps = {0};
	const char *options = web_field(w, "options");
	const char *questions = web_field(w, "questions");
	bool create = http_param(req, "aid") == NULL;
	int64_t id = 0, version = 0;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	if (!create) {
		if ((e = web_param_id(w, "aid", &id)) != ERR_OK ||
		    (e = decision_aid_get(w->ctx.db, w->ctx.a,
					  w->account.org_id, id, &stored)) !=
			    ERR_OK)
			return e;
		if (!care_form_version(w, &version))
			return ERR_INVALID;
		wi.action = "update";
	}
	aid_from_form(w, &j->aid, &ps);
	j->aid.id = create ? 0 : id;
	j->aid.org_id = w->account.org_id;
	j->aid.version = (int)version;
	if (strcmp(web_field(w, "step"), "save"))
		return aid_page(w, ps.n ? 400 : 200, &j->aid, options,
				questions, NULL, ps.n ? &ps : NULL);
	decision_aid_validate(w->ctx.a, &j->aid, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return aid_page(w, 400, &j->aid, options, questions, NULL,
				&ps);
	}
	if (!create && version != stored.version) {
		j->aid.version = stored.version;
		return aid_page(w, 409, &j->aid, options, questions, &stored,
				NULL);
	}
	if (create)
		j->aid.id = id_new();
	j->create = create;
	j->author_id = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	wi.resource_id = care_id_text(w, j->aid.id);
	e = write_commit(&w->ctx, &wi, decision_aid_write, j);
	if (e == ERR_CONFLICT &&
	    decision_aid_get(w->ctx.db, w->ctx.a, w->account.org_id, id,
			     &stored) == ERR_OK) {
		j->aid.version = stored.version;
		return aid_page(w, 409, &j->aid, options, questions, &stored,
				NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, "/admin/decision-aids", "saved");
}

/* ===================== a patient's decisions ============================== */

/* GET /patients/:id/decisions: 200; 403; 404. */
static enum err
get_decisions(struct req *req)
{
	struct web *w = web_of(req);
	struct shared_decision *d;
	struct decision_aid *aids;
	struct patient p;
	json_t *ctx, *arr;
	size_t n, na, i;
	int64_t pid;
	bool can_write;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK ||
	    (e = decision_list(w->ctx.db, w->ctx.a, pid, &d, &n)) != ERR_OK ||
	    (e = decision_aid_list(w->ctx.db, w->ctx.a, p.org_id, true, &aids,
				   &na)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Decisions"), "decisions", &e)))
		return e;
	can_write = patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE);
	jbool(ctx, "can_write", can_write);
	arr = jarr(ctx, "decisions");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "href", decision_path(w, pid, d[i].id));
		jstr(o, "title", d[i].aid.title);
		jstr(o, "date", page_date(w, d[i].at_ms / 1000));
		jstr(o, "choice", choice_text(w, &d[i]));
		jbool(o, "undecided", d[i].choice == DECISION_UNDECIDED);
		jstr(o, "revisit", care_date_label(w, d[i].revisit_date));
	}
	arr = jarr(ctx, "aids");
	for (i = 0; can_write && i < na; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", aids[i].id);
		jstr(o, "title", aids[i].title);
	}
	web_audit_read(w, DECISION_RES, "", pid);
	return page_render(w, 200, "decisions", ctx);
}

/* The decision as typed: fields "matters_<q>", "considered_<o>" (from
 * 1), "choice" ("none" or an option number), "reasons",
 * "revisit_date". */
static void
decision_from_form(struct web *w, struct shared_decision *d)
{
	const char *choice = web_field(w, "choice");
	int64_t c;
	size_t i;

	for (i = 0; i < d->aid.nquestions; i++)
		d->matters[i] = http_field(w->req,
					   arena_printf(w->ctx.a, "matters_%zu",
							i + 1)) != NULL;
	for (i = 0; i < d->aid.noptions; i++)
		d->considered[i] =
			http_field(w->req, arena_printf(w->ctx.a,
							"considered_%zu",
							i + 1)) != NULL;
	if (!strcmp(choice, "none"))
		d->choice = DECISION_UNDECIDED;
	else if (str_to_i64(str_c(choice), 1, (int64_t)d->aid.noptions, &c))
		d->choice = (int)c - 1;
	else
		d->choice = DECISION_OPTIONS_MAX;	/* refused below */
	d->reasons = web_field(w, "reasons");
	d->revisit_date = web_field(w, "revisit_date");
}

/* Ticks the participant boxes as stored (care_participants_choices()
 * ticks the patient and the signed-in person). */
static void
check_stored_participants(json_t *ctx, const char *stored)
{
	json_t *list = json_loads(stored ? stored : "[]", 0, NULL);
	json_t *arr = json_object_get(ctx, "participants"), *o, *v;
	size_t i, k;

	json_array_foreach(arr, i, o) {
		const char *field = json_string_value(json_object_get(o,
								      "field"));
		bool on = false;

		json_array_foreach(list, k, v) {
			const char *id = json_string_value(
				json_object_get(v, "id"));

			if (id && field &&
			    ((!strcmp(id, "patient") &&
			      !strcmp(field, "part_patient")) ||
			     (!strncmp(field, "part_", 5) &&
			      !strcmp(field + 5, id))))
				on = true;
		}
		json_object_set_new(o, "checked", json_boolean(on));
	}
	json_decref(list);
}

static void
add_form_grid(struct web *w, json_t *ctx, const struct shared_decision *d)
{
	json_t *opts = jarr(ctx, "choices");
	size_t o;

	add_grid(w, ctx, &d->aid, d->matters, d->choice);
	for (o = 0; o < d->aid.noptions; o++) {
		json_t *x = jpush(opts);

		jint(x, "n", (int64_t)o + 1);
		jstr(x, "text", d->aid.options[o]);
		jbool(x, "considered", d->considered[o]);
		jbool(x, "chosen", d->choice == (int)o);
	}
	jbool(ctx, "undecided", d->choice == DECISION_UNDECIDED);
}

/* The ticked items' texts, separated by semicolons. */
static const char *
ticked_text(struct web *w, const char *const *s, const bool *flags,
	    size_t n)
{
	const char *out = "";
	size_t i;

	for (i = 0; i < n && out; i++)
		if (flags[i])
			out = arena_printf(w->ctx.a, "%s%s%s", out,
					   *out ? "; " : "", s[i]);
	return out ? out : "";
}

static void
add_stored_decision(struct web *w, json_t *ctx,
		    const struct shared_decision *d)
{
	json_t *s = jobj(ctx, "stored");

	jstr(s, "by", d->updated_by_name);
	jstr(s, "when", page_datetime(w, d->updated_ms / 1000));
	jstr(s, "choice", choice_text(w, d));
	jstr(s, "considered", ticked_text(w, d->aid.options, d->considered,
					  d->aid.noptions));
	jstr(s, "matters", ticked_text(w, d->aid.questions, d->matters,
				       d->aid.nquestions));
	jstr(s, "reasons", d->reasons);
	jstr(s, "revisit", care_date_label(w, d->revisit_date));
	care_participants_show(w, s, "participants", d->participants);
	jbool(ctx, "conflict", true);
}

/*
 * The decision form (new or edit) with `typed` as the values. For an
 * edit, `stored_participants` ticks the people as stored unless the form
 * was sent; `theirs` is the stored record after a conflict.
 */
static enum err
decision_page(struct web *w, int status, int64_t pid,
	      const struct shared_decision *typed, bool from_form,
	      const char *stored_participants,
	      const struct shared_decision *theirs,
	      const struct problems *ps)
{
	json_t *ctx, *f;
	enum err e;

	if (!(ctx = care_page_new(w, pid, typed->id ? N_("Change a decision")
						    : N_("Record a decision"),
				  "decisions", &e)))
		return e;
	jstr(ctx, "aid_title", typed->aid.title);
	jstr(ctx, "aid_source", typed->aid.source);
	jstr(ctx, "action",
	     typed->id ? arena_printf(w->ctx.a, "%s/edit",
				      decision_path(w, pid, typed->id))
		       : arena_printf(w->ctx.a, "/patients/%lld/decisions/new",
				      (long long)pid));
	jstr(ctx, "back", typed->id ? decision_path(w, pid, typed->id)
				    : arena_printf(w->ctx.a,
						   "/patients/%lld/decisions",
						   (long long)pid));
	f = jobj(ctx, "form");
	jid(f, "aid", typed->aid_id);
	jint(f, "version", typed->version);
	care_jform(f, "reasons", typed->reasons);
	care_jform(f, "revisit_date", typed->revisit_date);
	jbool(ctx, "editing", typed->id != 0);
	add_form_grid(w, ctx, typed);
	if ((e = care_participants_choices(w, ctx, pid, from_form)) !=
	    ERR_OK) {
		json_decref(ctx);
		return e;
	}
	if (!from_form && stored_participants)
		check_stored_participants(ctx, stored_participants);
	if (theirs)
		add_stored_decision(w, ctx, theirs);
	if (typed->reasons && *typed->reasons)
		care_plain_words(w, ctx, N_("Reasons"), typed->reasons);
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, DECISION_RES,
		       typed->id ? care_id_text(w, typed->id) : "", pid);
	return page_render(w, status, "decision_form", ctx);
}

/* GET /patients/:id/decisions/new[?aid=ID]: 200 the aids to choose
 * from, or the form on aid ID; 403; 404 (no such aid, or not offered). */
static enum err
get_decision_new(struct req *req)
{
	struct web *w = web_of(req);
	struct shared_decision d;
	struct decision_aid *aids;
	struct patient p;
	const char *aid = web_field(w, "aid");
	json_t *ctx, *arr;
	int64_t pid, aid_id;
	size_t n, i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!*aid) {
		if ((e = decision_aid_list(w->ctx.db, w->ctx.a, p.org_id, true,
					   &aids, &n)) != ERR_OK)
			return e;
		if (!(ctx = care_page_new(w, pid, N_("Record a decision"),
					  "decisions", &e)))
			return e;
		arr = jarr(ctx, "aids");
		for (i = 0; i < n; i++) {
			json_t *o = jpush(arr);

			jid(o, "id", aids[i].id);
			jstr(o, "title", aids[i].title);
		}
		return page_render(w, 200, "decision_choose", ctx);
	}
	if (!str_to_i64(str_c(aid), 1, INT64_MAX, &aid_id))
		return ERR_NOT_FOUND;
	memset(&d, 0, sizeof(d));
	if ((e = decision_aid_get(w->ctx.db, w->ctx.a, p.org_id, aid_id,
				  &d.aid)) != ERR_OK)
		return e;
	if (!d.aid.active)
		return ERR_NOT_FOUND;
	d.aid_id = aid_id;
	d.choice = DECISION_UNDECIDED;
	return decision_page(w, 200, pid, &d, false, NULL, NULL, NULL);
}

/* Participants from the form into `d`, or a problem. */
static enum err
participants_from_form(struct web *w, int64_t pid, struct shared_decision *d,
		       struct problems *ps)
{
	bool patient_side, professional;
	enum err e = care_participants_from_form(w, pid, &d->participants,
						 &patient_side, &professional);

	if (e == ERR_INVALID) {
		problems_add(ps, "participants",
			     N_("Tick who took part in the decision."));
		return ERR_OK;
	}
	return e;
}

/* POST /patients/:id/decisions/new: 303 to the decision; 400 invalid
 * (everything typed kept); 403; 404 (no such aid, or not offered). */
static enum err
post_decision_new(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = DECISION_RES,
		.resource_id = "",
		.detail = "shared-decision",
		.touchpoint_kind = "shared-decision",
	};
	struct decision_job *j;
	struct problems ps = {0};
	struct patient p;
	int64_t pid, aid_id;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!str_to_i64(str_c(web_field(w, "aid")), 1, INT64_MAX, &aid_id))
		return ERR_NOT_FOUND;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	if ((e = decision_aid_get(w->ctx.db, w->ctx.a, p.org_id, aid_id,
				  &j->d.aid)) != ERR_OK)
		return e;
	if (!j->d.aid.active)
		return ERR_NOT_FOUND;
	j->d.aid_id = aid_id;
	decision_from_form(w, &j->d);
	decision_validate(&j->d, &ps);
	if ((e = participants_from_form(w, pid, &j->d, &ps)) != ERR_OK)
		return e;
	wi.patient_id = pid;
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return decision_page(w, 400, pid, &j->d, true, NULL, NULL,
				     &ps);
	}
	j->d.id = id_new();
	j->d.org_id = p.org_id;
	j->d.patient_id = pid;
	j->create = true;
	j->author_id = w->account.id;
	j->voice = role_voice(w->ctx.actor.role);
	j->at_ms = w->ctx.now * 1000;
	wi.resource_id = care_id_text(w, j->d.id);
	if ((e = write_commit(&w->ctx, &wi, decision_write, j)) != ERR_OK)
		return e;
	return page_redirect(w, decision_path(w, pid, j->d.id), "saved");
}

/* Loads decision :did of patient :id after the access check. */
static enum err
load_decision(struct web *w, enum action act, int64_t *pid,
	      struct shared_decision *d, bool *answered)
{
	int64_t did;
	enum err e = care_record_ids_or_respond(w, "did", act, pid, &did,
						answered);

	if (e != ERR_OK || *answered)
		return e;
	return decision_get(w->ctx.db, w->ctx.a, *pid, did, d);
}

static enum err
add_history(struct web *w, json_t *ctx, const struct shared_decision *d)
{
	struct care_version *v;
	json_t *arr = jarr(ctx, "history");
	size_t n, i;
	enum err e;

	if ((e = care_version_list(w->ctx.db, w->ctx.a, CARE_DECISION,
				   d->id, &v, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "when", page_datetime(w, v[i].at_ms / 1000));
		jstr(o, "who", v[i].author_name);
		jstr(o, "voice", care_voice_label(w, v[i].voice));
		jbool(o, "created", !strcmp(v[i].change, "create"));
		if ((e = care_diff_fields(w, jarr(o, "changes"),
					  decision_fields,
					  sizeof(decision_fields) /
						  sizeof(decision_fields[0]),
					  i + 1 < n ? v[i + 1].fields : NULL,
					  v[i].fields)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* GET /patients/:id/decisions/:did: 200; 403; 404. */
static enum err
get_decision(struct req *req)
{
	struct web *w = web_of(req);
	struct shared_decision d;
	json_t *ctx, *arr;
	bool answered;
	int64_t pid;
	size_t i;
	enum err e;

	e = load_decision(w, ACT_READ, &pid, &d, &answered);
	if (e != ERR_OK || answered)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Decision"), "decisions", &e)))
		return e;
	jstr(ctx, "aid_title", d.aid.title);
	jstr(ctx, "aid_source", d.aid.source);
	jstr(ctx, "date", page_date(w, d.at_ms / 1000));
	jstr(ctx, "by", d.recorded_by_name);
	jstr(ctx, "choice", choice_text(w, &d));
	jbool(ctx, "undecided", d.choice == DECISION_UNDECIDED);
	jstr(ctx, "reasons", d.reasons);
	jstr(ctx, "revisit", care_date_label(w, d.revisit_date));
	if (d.version > 1) {
		jstr(ctx, "updated", page_date(w, d.updated_ms / 1000));
		jstr(ctx, "updated_by", d.updated_by_name);
	}
	arr = jarr(ctx, "considered");
	for (i = 0; i < d.aid.noptions; i++)
		if (d.considered[i])
			jstr(jpush(arr), "text", d.aid.options[i]);
	arr = jarr(ctx, "matters");
	for (i = 0; i < d.aid.nquestions; i++)
		if (d.matters[i])
			jstr(jpush(arr), "text", d.aid.questions[i]);
	care_participants_show(w, ctx, "participants", d.participants);
	add_grid(w, ctx, &d.aid, d.matters, d.choice);
	jbool(ctx, "can_write",
	      patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE));
	jstr(ctx, "edit_href", arena_printf(w->ctx.a, "%s/edit",
					    decision_path(w, pid, d.id)));
	jstr(ctx, "list_href", arena_printf(w->ctx.a,
					    "/patients/%lld/decisions",
					    (long long)pid));
	if ((e = add_history(w, ctx, &d)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	care_plain_words(w, ctx, N_("Reasons"), d.reasons);
	web_audit_read(w, DECISION_RES, care_id_text(w, d.id), pid);
	return page_render(w, 200, "decision", ctx);
}

/* GET /patients/:id/decisions/:did/edit: 200; 403; 404. */
static enum err
get_decision_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct shared_decision d;
	bool answered;
	int64_t pid;
	enum err e;

	e = load_decision(w, ACT_WRITE, &pid, &d, &answered);
	if (e != ERR_OK || answered)
		return e;
	return decision_page(w, 200, pid, &d, false, d.participants, NULL,
			     NULL);
}

/* POST /patients/:id/decisions/:did/edit: 303 to the decision; 400
 * invalid; 409 changed by someone else since the form was opened (both
 * versions shown, nothing typed lost); 403; 404. */
static enum err
post_decision_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = DECISION_RES,
		.detail = "shared-decision",
		.touchpoint_kind = "shared-decision",
	};
	struct shared_decision stored;
	struct decision_job *j;
	struct problems ps = {0};
	int64_t pid, version = 0;
	bool answered;
	enum err e;

	e = load_decision(w, ACT_WRITE, &pid, &stored, &answered);
	if (e != ERR_OK || answered)
		return e;
	if (!care_form_version(w, &version))
		return ERR_INVALID;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	j->d = stored;
	memset(j->d.matters, 0, sizeof(j->d.matters));
	memset(j->d.considered, 0, sizeof(j->d.considered));
	decision_from_form(w, &j->d);
	j->d.version = (int)version;
	decision_validate(&j->d, &ps);
	if ((e = participants_from_form(w, pid, &j->d, &ps)) != ERR_OK)
		return e;
	wi.resource_id = care_id_text(w, stored.id);
	wi.patient_id = pid;
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return decision_page(w, 400, pid, &j->d, true, NULL, NULL,
				     &ps);
	}
	if (version != stored.version) {
		j->d.version = stored.version;
		return decision_page(w, 409, pid, &j->d, true, NULL, &stored,
				     NULL);
	}
	j->create = false;
	j->author_id = w->account.id;
	j->voice = role_voice(w->ctx.actor.role);
	j->at_ms = w->ctx.now * 1000;
	e = write_commit(&w->ctx, &wi, decision_write, j);
	if (e == ERR_CONFLICT &&
	    decision_get(w->ctx.db, w->ctx.a, pid, stored.id, &stored) ==
		    ERR_OK) {
		j->d.version = stored.version;
		return decision_page(w, 409, pid, &j->d, true, NULL, &stored,
				     NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, decision_path(w, pid, stored.id), "saved");
}

static const struct http_route decision_routes[] = {
	{HTTP_GET, "/admin/decision-aids", get_aids, 0, NULL},
	{HTTP_GET, "/admin/decision-aids/new", get_aid_new, 0, NULL},
	{HTTP_POST, "/admin/decision-aids/new", post_aid, 0, NULL},
	{HTTP_GET, "/admin/decision-aids/:aid", get_aid, 0, NULL},
	{HTTP_POST, "/admin/decision-aids/:aid", post_aid, 0, NULL},
	{HTTP_GET, "/patients/:id/decisions", get_decisions, 0, NULL},
	{HTTP_GET, "/patients/:id/decisions/new", get_decision_new, 0, NULL},
	{HTTP_POST, "/patients/:id/decisions/new", post_decision_new, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/decisions/:did", get_decision, 0, NULL},
	{HTTP_GET, "/patients/:id/decisions/:did/edit", get_decision_edit, 0,
	 NULL},
	{HTTP_POST, "/patients/:id/decisions/:did/edit", post_decision_edit,
	 0, NULL},
};

enum err
decision_web_routes(struct http_router *r)
{
	return http_router_add(r, decision_routes,
			       sizeof(decision_routes) /
				       sizeof(decision_routes[0]));
}

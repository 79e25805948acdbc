/*
 * Review conversation pages (in the manner of DIALOG+): the list with
 * each area's ratings over time, step 1 (rate the eleven areas, each
 * beside its rating last time), step 2 (choose up to three areas, then
 * talk each through and agree actions, which go into the care plan in
 * the same write) and one conversation. No JavaScript: each step is a
 * plain form.
 */
#include "care/care_web.h"

#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/dialog.h"
#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "people/careteam.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define OVER_TIME_COLUMNS 6	/* conversations in the over-time table */

static const char *const step_names[4] = {"understanding", "looking_forward",
					  "options", "agreed"};

static const char *
reviews_path(struct web *w, int64_t pid)
{
	return arena_printf(w->ctx.a, "/patients/%lld/reviews",
			    (long long)pid);
}

static const char *
review_path(struct web *w, int64_t pid, int64_t rid)
{
	return arena_printf(w->ctx.a, "/patients/%lld/reviews/%lld",
			    (long long)pid, (long long)rid);
}

static const char *
rating_text(struct web *w, int rating)
{
	if (rating < DIALOG_RATING_MIN || rating > DIALOG_RATING_MAX)
		return "";
	return arena_printf(w->ctx.a, "%d (%s)", rating,
			    tr(w, dialog_scale_labels[rating]));
}

static const char *
date_of(struct web *w, int64_t at_ms)
{
	return page_date(w, at_ms / 1000);
}

/* The conversation before `id` in the newest-first list (or the newest
 * one when `id` is 0), or NULL. */
static const struct dialog_conversation *
previous_of(const struct dialog_conversation *list, size_t n, int64_t id)
{
	size_t i;

	if (!id)
		return n ? &list[0] : NULL;
	for (i = 0; i + 1 < n; i++)
		if (list[i].id == id)
			return &list[i + 1];
	return NULL;
}

/* Up or down since the time before: a marker people see, and words
 * for screen readers (in the template). */
static void
add_change(json_t *o, int now, int before)
{
	if (before < DIALOG_RATING_MIN || now < DIALOG_RATING_MIN)
		return;
	jbool(o, "changed", true);
	if (now > before) {
		jstr(o, "mark", "▲");
		jbool(o, "up", true);
	} else if (now < before) {
		jstr(o, "mark", "▼");
		jbool(o, "down", true);
	} else {
		jstr(o, "mark", "=");
		jbool(o, "same", true);
	}
	jint(o, "delta", now > before ? now - before : before - now);
}

static const char *
status_label(struct web *w, const char *status)
{
	return strcmp(status, DIALOG_COMPLETE) ? tr(w, N_("Ratings done"))
					       : tr(w, N_("Complete"));
}

/* --- the list ------------------------------------------------------------ */

static void
add_over_time(struct web *w, json_t *ctx,
	      const struct dialog_conversation *c, size_t n)
{
	json_t *cols = jarr(ctx, "columns"), *rows = jarr(ctx, "rows");
	size_t shown = n < OVER_TIME_COLUMNS ? n : OVER_TIME_COLUMNS;
	size_t k;
	int i;

	/* Oldest on the left, as people read a trend. */
	for (k = shown; k-- > 0;)
		jstr(jpush(cols), "date", date_of(w, c[k].at_ms));
	for (i = 0; i < DIALOG_AREAS; i++) {
		json_t *row = jpush(rows), *cells = jarr(row, "cells");

		jstr(row, "label", tr(w, dialog_areas[i].label));
		for (k = shown; k-- > 0;) {
			json_t *cell = jpush(cells);
			int r = c[k].ratings[i].rating;

			if (r < DIALOG_RATING_MIN)
				continue;
			jint(cell, "rating", r);
			jbool(cell, "rated", true);
			jbool(cell, "more_help", c[k].ratings[i].more_help);
			if (k + 1 < n)
				add_change(cell, r, c[k + 1].ratings[i].rating);
		}
	}
}

/* GET /patients/:id/reviews: 200; 403; 404. */
static enum err
get_reviews(struct req *req)
{
	struct web *w = web_of(req);
	struct dialog_conversation *c;
	size_t n, i;
	json_t *ctx, *arr;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if ((e = dialog_list(w->ctx.db, w->ctx.a, pid, &c, &n)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Review conversations"),
				  "reviews", &e)))
		return e;
	jbool(ctx, "can_write",
	      patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE));
	arr = jarr(ctx, "conversations");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "href", review_path(w, pid, c[i].id));
		jstr(o, "date", date_of(w, c[i].at_ms));
		jstr(o, "by", c[i].recorded_by_name);
		jstr(o, "voice", care_voice_label(w, c[i].voice));
		jstr(o, "status", status_label(w, c[i].status));
		jbool(o, "rated", !strcmp(c[i].status, DIALOG_RATED));
	}
	if (n)
		add_over_time(w, ctx, c, n);
	web_audit_read(w, DIALOG_RES, "", pid);
	return page_render(w, 200, "reviews", ctx);
}

/* --- step 1: the ratings -------------------------------------------------- */

static void
ratings_from_form(struct web *w, struct dialog_rating *r)
{
	int i;

	for (i = 0; i < DIALOG_AREAS; i++) {
		const char *help = web_field(
			w, arena_printf(w->ctx.a, "help_%s",
					dialog_areas[i].code));
		const char *rating = web_field(w, dialog_areas[i].field);
		int64_t v;

		/* Anything but 1..7 is "not rated", which the check refuses. */
		r[i].rating = str_to_i64(str_c(rating), DIALOG_RATING_MIN,
					 DIALOG_RATING_MAX, &v)
				      ? (int)v
				      : 0;
		r[i].more_help = !strcmp(help, "yes");
	}
}

static void
add_rating_area(struct web *w, json_t *arr, int i,
		const struct dialog_rating *typed,
		const struct dialog_conversation *last, bool from_form,
		const struct problems *ps)
{
	const struct dialog_area *ar = &dialog_areas[i];
	json_t *o = jpush(arr), *pts = jarr(o, "points");
	const char *err = problems_for(ps, ar->field);
	int v;

	jstr(o, "code", ar->code);
	jstr(o, "field", ar->field);
	jstr(o, "label", tr(w, ar->label));
	if (err)
		jstr(o, "error", tr(w, err));
	if (last && last->ratings[i].rating >= DIALOG_RATING_MIN) {
		jstr(o, "last", arena_printf(w->ctx.a, "%d",
						 last->ratings[i].rating));
		jstr(o, "last_date", date_of(w, last->at_ms));
	}
	for (v = DIALOG_RATING_MIN; v <= DIALOG_RATING_MAX; v++) {
		json_t *p = jpush(pts);

		jstr(p, "id", v == DIALOG_RATING_MIN
				      ? ar->field
				      : arena_printf(w->ctx.a, "%s_%d",
						     ar->field, v));
		jint(p, "value", v);
		jstr(p, "text", rating_text(w, v));
		jbool(p, "checked", typed[i].rating == v);
	}
	if (from_form) {
		const char *help = web_field(
			w, arena_printf(w->ctx.a, "help_%s", ar->code));

		jbool(o, "help_yes", !strcmp(help, "yes"));
		jbool(o, "help_no", !strcmp(help, "no"));
	}
}

static enum err
rate_page(struct web *w, int status, int64_t pid,
	  const struct dialog_rating *typed, bool from_form,
	  const struct problems *ps)
{
	struct dialog_conversation *c;
	const struct dialog_conversation *last;
	struct problems none = {0};
	json_t *ctx, *life, *treatment;
	size_t n;
	enum err e;
	int i;

	if ((e = dialog_list(w->ctx.db, w->ctx.a, pid, &c, &n)) != ERR_OK)
		return e;
	last = previous_of(c, n, 0);
	if (!(ctx = care_page_new(w, pid, N_("New review conversation"),
				  "reviews", &e)))
		return e;
	life = jarr(ctx, "life");
	treatment = jarr(ctx, "treatment");
	for (i = 0; i < DIALOG_AREAS; i++)
		add_rating_area(w, dialog_areas[i].treatment ? treatment : life,
				i, typed, last, from_form, ps ? ps : &none);
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, DIALOG_RES, "", pid);
	return page_render(w, status, "review_new", ctx);
}

/* GET /patients/:id/reviews/new: 200; 403; 404. */
static enum err
get_review_new(struct req *req)
{
	struct web *w = web_of(req);
	struct dialog_rating none[DIALOG_AREAS] = {{0, false}};
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	return rate_page(w, 200, pid, none, false, NULL);
}

/* POST /patients/:id/reviews/new: 303 to step 2; 400 a rating missing
 * or not 1-7 (the form keeps every choice); 403; 404. */
static enum err
post_review_new(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = DIALOG_RES,
		.resource_id = "",
		.detail = "review-ratings",
		.touchpoint_kind = "review-conversation",
	};
	struct dialog_rate_job j;
	struct problems ps = {0};
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	memset(&j, 0, sizeof(j));
	ratings_from_form(w, j.ratings);
	dialog_ratings_validate(j.ratings, &ps);
	wi.patient_id = pid;
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return rate_page(w, 400, pid, j.ratings, true, &ps);
	}
	j.id = id_new();
	j.org_id = p.org_id;
	j.patient_id = pid;
	j.author_id = w->account.id;
	j.voice = role_voice(w->ctx.actor.role);
	j.at_ms = w->ctx.now * 1000;
	wi.resource_id = care_id_text(w, j.id);
	if ((e = write_commit(&w->ctx, &wi, dialog_rate_write, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "%s/focus",
					     review_path(w, pid, j.id)),
			     "saved");
}

/* --- step 2: choosing and talking through --------------------------------- */

/* Owners people can choose: the patient, caregivers with an active
 * grant and the care team, as "patient", "caregiver:<id>",
 * "professional:<id>". */
struct owner_choice {
	const char *value;
	const char *label;
};

static enum err
owner_choices(struct web *w, int64_t pid, struct owner_choice **out,
	      size_t *count)
{
	struct team_member *team;
	struct grant *g;
	struct owner_choice *o;
	size_t nt, ng, i, k = 0;
	enum err e;

	if ((e = team_list(w->ctx.db, w->ctx.a, pid, &team, &nt)) != ERR_OK ||
	    (e = grant_list_for_patient(w->ctx.db, w->ctx.a, pid, &g, &ng)) !=
		    ERR_OK)
		return e;
	if (!(o = arena_calloc(w->ctx.a, 1 + nt + ng, sizeof(*o))))
		return ERR_NOMEM;
	o[k].value = "patient";
	o[k++].label = arena_printf(w->ctx.a, "%s (%s)",
				    care_patient_name(w, pid),
				    tr(w, N_("the patient")));
	for (i = 0; i < ng; i++) {
		if (!grant_is_active(&g[i], w->ctx.now))
			continue;
		o[k].value = arena_printf(w->ctx.a, "caregiver:%lld",
					  (long long)g[i].caregiver_id);
		o[k++].label = arena_printf(w->ctx.a, "%s (%s)",
					    g[i].caregiver_name,
					    g[i].relationship);
	}
	for (i = 0; i < nt; i++) {
		o[k].value = arena_printf(w->ctx.a, "professional:%lld",
					  (long long)team[i].account_id);
		o[k++].label = team[i].discipline && *team[i].discipline
				       ? arena_printf(w->ctx.a, "%s (%s)",
						      team[i].name,
						      team[i].discipline)
				       : team[i].name;
	}
	*out = o;
	*count = k;
	return ERR_OK;
}

/* Parses an owner value; false when it is not in that form. */
static bool
owner_parse(const char *v, const char **kind, int64_t *id)
{
	*id = 0;
	*kind = "";
	if (!strcmp(v, "patient")) {
		*kind = "patient";
		return true;
	}
	if (!strncmp(v, "caregiver:", 10) &&
	    str_to_i64(str_c(v + 10), 1, INT64_MAX, id)) {
		*kind = "caregiver";
		return true;
	}
	if (!strncmp(v, "professional:", 13) &&
	    str_to_i64(str_c(v + 13), 1, INT64_MAX, id)) {
		*kind = "professional";
		return true;
	}
	*id = 0;
	return false;
}

static const char *
field_name(struct web *w, const char *prefix, const char *code, size_t n,
	   const char *suffix)
{
	return arena_printf(w->ctx.a, "%s_%s_%zu_%s", prefix, code, n,
			    suffix);
}

/* The areas ticked in the form ("focus_<code>"), in the order asked;
 * returns how many (all of them, even past `max`). */
static size_t
chosen_from_form(struct web *w, int *areas, size_t max)
{
	size_t n = 0;
	int i;

	for (i = 0; i < DIALOG_AREAS; i++)
		if (http_field(w->req, arena_printf(w->ctx.a, "focus_%s",
						    dialog_areas[i].code))) {
			if (n < max)
				areas[n] = i;
			n++;
		}
	return n;
}

/* The talk-through step as typed: steps and actions of each chosen
 * area (empty action rows left out). */
static void
focus_from_form(struct web *w, const int *areas, size_t n,
		struct dialog_focus *f)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const char *code = dialog_areas[areas[i]].code;
		const char **text[4];
		size_t s;

		memset(&f[i], 0, sizeof(f[i]));
		f[i].area = areas[i];
		text[0] = &f[i].understanding;
		text[1] = &f[i].looking_forward;
		text[2] = &f[i].options;
		text[3] = &f[i].agreed;
		for (s = 0; s < 4; s++)
			*text[s] = web_field(w, arena_printf(w->ctx.a, "%s_%s",
							     step_names[s],
							     code));
		for (k = 1; k <= DIALOG_ACTIONS_MAX; k++) {
			const char *t = web_field(
				w, field_name(w, "action", code, k, "text"));
			const char *o = web_field(
				w, field_name(w, "action", code, k, "owner"));
			const char *d = web_field(
				w, field_name(w, "action", code, k, "due"));
			struct dialog_action *x;

			if (!*t && !*o && !*d)
				continue;
			x = &f[i].actions[f[i].nactions++];
			x->text = t;
			x->due_date = d;
			owner_parse(o, &x->owner_kind, &x->owner_id);
		}
	}
}

static void
add_owner_select(struct web *w, json_t *act, const struct owner_choice *oc,
		 size_t noc, const char *chosen)
{
	json_t *arr = jarr(act, "owners");
	size_t i;

	for (i = 0; i < noc; i++) {
		json_t *o = jpush(arr);

		jstr(o, "value", oc[i].value);
		jstr(o, "label", oc[i].label);
		jbool(o, "selected", !strcmp(chosen, oc[i].value));
	}
}

static void
add_field_error(struct web *w, json_t *o, const char *key,
		const struct problems *ps, const char *field)
{
	const char *m = problems_for(ps, field);

	if (m)
		jstr(o, key, tr(w, m));
}

/* One chosen area of the talk-through step, with what was typed. */
static void
add_talk_area(struct web *w, json_t *arr, int area,
	      const struct dialog_conversation *c,
	      const struct dialog_conversation *last,
	      const struct owner_choice *oc, size_t noc,
	      const struct problems *ps)
{
	const char *code = dialog_areas[area].code;
	json_t *o = jpush(arr), *acts = jarr(o, "actions");
	size_t s, k;

	jstr(o, "code", code);
	jstr(o, "label", tr(w, dialog_areas[area].label));
	jstr(o, "rating", rating_text(w, c->ratings[area].rating));
	if (last)
		jstr(o, "last", rating_text(w, last->ratings[area].rating));
	for (s = 0; s < 4; s++) {
		const char *field = arena_printf(w->ctx.a, "%s_%s",
						 step_names[s], code);

		jstr(o, arena_printf(w->ctx.a, "%s_id", step_names[s]), field);
		care_jform(o, step_names[s], web_field(w, field));
		add_field_error(w, o,
				arena_printf(w->ctx.a, "error_%s",
					     step_names[s]),
				ps, field);
	}
	for (k = 1; k <= DIALOG_ACTIONS_MAX; k++) {
		json_t *x = jpush(acts);
		const char *tf = field_name(w, "action", code, k, "text");
		const char *of = field_name(w, "action", code, k, "owner");
		const char *df = field_name(w, "action", code, k, "due");

		jint(x, "n", (int64_t)k);
		jstr(x, "text_id", tf);
		jstr(x, "owner_id", of);
		jstr(x, "due_id", df);
		care_jform(x, "text", web_field(w, tf));
		care_jform(x, "due", web_field(w, df));
		add_owner_select(w, x, oc, noc, web_field(w, of));
		add_field_error(w, x, "error_text", ps, tf);
		add_field_error(w, x, "error_owner", ps, of);
		add_field_error(w, x, "error_due", ps, df);
	}
}

enum focus_step { STEP_CHOOSE, STEP_TALK };

/* The stored chosen areas, shown when someone else finished first. */
static void
add_stored_focus(struct web *w, json_t *ctx,
		 const struct dialog_conversation *c)
{
	json_t *s = jobj(ctx, "stored"), *arr = jarr(s, "areas");
	size_t i;

	jstr(s, "by", c->completed_by_name);
	jstr(s, "when", page_datetime(w, c->completed_ms / 1000));
	for (i = 0; i < c->nfocus; i++) {
		json_t *o = jpush(arr);

		jstr(o, "label", tr(w, dialog_areas[c->focus[i].area].label));
		jstr(o, "agreed", c->focus[i].agreed);
	}
}

static enum err
focus_page(struct web *w, int status, int64_t pid,
	   const struct dialog_conversation *c, enum focus_step step,
	   const struct problems *ps, const struct dialog_conversation *stored)
{
	struct dialog_conversation *list;
	const struct dialog_conversation *last;
	struct owner_choice *oc;
	struct problems none = {0};
	int areas[DIALOG_AREAS];
	size_t n, noc, nchosen, i;
	json_t *ctx, *arr;
	enum err e;

	if ((e = dialog_list(w->ctx.db, w->ctx.a, pid, &list, &n)) != ERR_OK ||
	    (e = owner_choices(w, pid, &oc, &noc)) != ERR_OK)
		return e;
	last = previous_of(list, n, c->id);
	if (!ps)
		ps = &none;
	if (!(ctx = care_page_new(w, pid, N_("Talk about what matters most"),
				  "reviews", &e)))
		return e;
	jstr(ctx, "action", arena_printf(w->ctx.a, "%s/focus",
					 review_path(w, pid, c->id)));
	jstr(ctx, "back", review_path(w, pid, c->id));
	jstr(ctx, "date", date_of(w, c->at_ms));
	jint(ctx, "version", c->version);
	nchosen = chosen_from_form(w, areas, DIALOG_AREAS);
	if (step == STEP_CHOOSE) {
		jbool(ctx, "choose", true);
		arr = jarr(ctx, "areas");
		for (i = 0; i < DIALOG_AREAS; i++) {
			json_t *o = jpush(arr);
			int r = c->ratings[i].rating;

			jstr(o, "code", dialog_areas[i].code);
			jstr(o, "label", tr(w, dialog_areas[i].label));
			jint(o, "rating", r);
			jstr(o, "rating_text", rating_text(w, r));
			if (last && last->ratings[i].rating)
				jint(o, "last", last->ratings[i].rating);
			if (last)
				add_change(o, r, last->ratings[i].rating);
			jbool(o, "more_help", c->ratings[i].more_help);
			jbool(o, "checked",
			      http_field(w->req,
					 arena_printf(w->ctx.a, "focus_%s",
						      dialog_areas[i].code)) !=
				      NULL);
		}
		jbool(ctx, "has_last", last != NULL);
		if (last)
			jstr(ctx, "last_date", date_of(w, last->at_ms));
	} else {
		jbool(ctx, "talk", true);
		arr = jarr(ctx, "chosen");
		for (i = 0; i < nchosen && i < DIALOG_FOCUS_MAX; i++)
			add_talk_area(w, arr, areas[i], c, last, oc, noc, ps);
	}
	if (stored) {
		jbool(ctx, "conflict", true);
		add_stored_focus(w, ctx, stored);
	}
	if (ps->n)
		page_problems(w, ctx, ps);
	web_audit_read(w, DIALOG_RES, care_id_text(w, c->id), pid);
	return page_render(w, status, "review_focus", ctx);
}

/* Loads conversation :rid of patient :id after the access check. */
static enum err
load_conversation(struct web *w, enum action act, int64_t *pid,
		  struct dialog_conversation *c, bool *answered)
{
	int64_t rid;
	enum err e = care_record_ids_or_respond(w, "rid", act, pid, &rid,
						answered);

	if (e != ERR_OK || *answered)
		return e;
	return dialog_get(w->ctx.db, w->ctx.a, *pid, rid, c);
}

/* GET /patients/:id/reviews/:rid/focus: 200; 303 to the conversation
 * when it is complete already; 403; 404. */
static enum err
get_review_focus(struct req *req)
{
	struct web *w = web_of(req);
	struct dialog_conversation c;
	bool answered;
	int64_t pid;
	enum err e;

	e = load_conversation(w, ACT_WRITE, &pid, &c, &answered);
	if (e != ERR_OK || answered)
		return e;
	if (strcmp(c.status, DIALOG_RATED))
		return http_redirect(req, review_path(w, pid, c.id));
	return focus_page(w, 200, pid, &c, STEP_CHOOSE, NULL, NULL);
}

/* Owners outside the choices offered are refused here, with the field. */
static void
owners_validate(struct web *w, int64_t pid, const struct dialog_focus *f,
		size_t n, struct problems *ps)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < f[i].nactions; k++) {
			const struct dialog_action *x = &f[i].actions[k];
			const char *field = field_name(
				w, "action", dialog_areas[f[i].area].code,
				k + 1, "owner");

			if (!*x->owner_kind || problems_for(ps, field))
				continue;
			if (!dialog_owner_ok(w->ctx.db, pid, x->owner_kind,
					     x->owner_id, w->ctx.now))
				problems_add(ps, field,
					     N_("Choose someone from the "
						"list: only the patient, "
						"their caregivers and the "
						"care team can own an "
						"action."));
		}
}

/* POST /patients/:id/reviews/:rid/focus with step "choose": 200 the
 * talk-through step; 400 more than three areas. With step "save": 303 to
 * the conversation; 400 invalid (the form keeps everything typed); 409
 * finished by someone else meanwhile (what they saved is shown beside
 * what was typed). 403; 404. */
static enum err
post_review_focus(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = DIALOG_RES,
		.detail = "review-focus",
		.touchpoint_kind = "review-conversation",
	};
	struct dialog_conversation c, now;
	struct dialog_focus_job *j;
	struct problems ps = {0};
	int areas[DIALOG_FOCUS_MAX];
	const char *step = web_field(w, "step");
	int64_t pid, version = 0;
	bool answered;
	size_t n, i;
	enum err e;

	e = load_conversation(w, ACT_WRITE, &pid, &c, &answered);
	if (e != ERR_OK || answered)
		return e;
	wi.resource_id = care_id_text(w, c.id);
	wi.patient_id = pid;
	if (!care_form_version(w, &version))
		return ERR_INVALID;
	n = chosen_from_form(w, areas, DIALOG_FOCUS_MAX);
	if (n > DIALOG_FOCUS_MAX) {
		problems_add(&ps, "focus",
			     N_("Choose up to three areas to talk about."));
		write_refused(&w->ctx, &wi);
		return focus_page(w, 400, pid, &c, STEP_CHOOSE, &ps, NULL);
	}
	if (strcmp(c.status, DIALOG_RATED) || version != c.version)
		return focus_page(w, 409, pid, &c, STEP_TALK, NULL, &c);
	if (strcmp(step, "save"))
		return focus_page(w, 200, pid, &c, STEP_TALK, NULL, NULL);
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	focus_from_form(w, areas, n, j->focus);
	dialog_focus_validate(w->ctx.a, j->focus, n, &ps);
	owners_validate(w, pid, j->focus, n, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return focus_page(w, 400, pid, &c, STEP_TALK, &ps, NULL);
	}
	j->org_id = c.org_id;
	j->patient_id = pid;
	j->conversation_id = c.id;
	j->version = (int)version;
	j->author_id = w->account.id;
	j->voice = role_voice(w->ctx.actor.role);
	j->at_ms = w->ctx.now * 1000;
	j->now = w->ctx.now;
	j->nfocus = n;
	for (i = 0; i < n; i++) {
		j->goal_text[i] = tr(w, dialog_areas[areas[i]].label);
		j->progress_sign[i] = tr(w, N_("A higher rating for this "
					       "area at the next review "
					       "conversation"));
	}
	e = write_commit(&w->ctx, &wi, dialog_focus_write, j);
	if (e == ERR_CONFLICT &&
	    dialog_get(w->ctx.db, w->ctx.a, pid, c.id, &now) == ERR_OK)
		return focus_page(w, 409, pid, &c, STEP_TALK, NULL, &now);
	if (e == ERR_INVALID) {
		/* An owner lost their place meanwhile (a grant ended). */
		problems_add(&ps, "focus",
			     N_("Someone chosen to own an action is no "
				"longer on the care team. Choose again."));
		return focus_page(w, 400, pid, &c, STEP_TALK, &ps, NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, review_path(w, pid, c.id), "saved");
}

/* --- one conversation ----------------------------------------------------- */

static const char *
owner_text(struct web *w, const struct plan_item *it, int64_t pid)
{
	if (!strcmp(it->owner_kind, "patient"))
		return care_patient_name(w, pid);
	return it->owner_name;
}

static void
add_focus(struct web *w, json_t *ctx, int64_t pid,
	  const struct dialog_conversation *c, const struct plan_item *items,
	  size_t nitems)
{
	static const char *const step_labels[4] = {
		N_("Understanding"), N_("Looking forward"),
		N_("Exploring options"), N_("Agreeing actions")};
	json_t *arr = jarr(ctx, "focus");
	size_t i, k;

	for (i = 0; i < c->nfocus; i++) {
		const struct dialog_focus *f = &c->focus[i];
		const char *text[4] = {f->understanding, f->looking_forward,
				       f->options, f->agreed};
		json_t *o = jpush(arr), *steps = jarr(o, "steps");
		json_t *acts = jarr(o, "actions");
		const char *all = "";

		jstr(o, "label", tr(w, dialog_areas[f->area].label));
		jstr(o, "code", dialog_areas[f->area].code);
		for (k = 0; k < 4; k++) {
			json_t *s = jpush(steps);

			jstr(s, "label", tr(w, step_labels[k]));
			jstr(s, "text", text[k]);
			if (text[k] && *text[k])
				all = arena_printf(w->ctx.a, "%s%s\n\n", all,
						   text[k]);
		}
		if (f->goal_id)
			jstr(o, "goal_href",
			     arena_printf(w->ctx.a,
					  "/patients/%lld/plan/items/%lld",
					  (long long)pid,
					  (long long)f->goal_id));
		for (k = 0; k < nitems; k++) {
			json_t *x;

			if (!f->goal_id || items[k].goal_id != f->goal_id ||
			    strcmp(items[k].kind, CARE_ACTION))
				continue;
			x = jpush(acts);
			jstr(x, "text", items[k].text);
			jstr(x, "owner", owner_text(w, &items[k], pid));
			jstr(x, "due", care_date_label(w, items[k].due_date));
			jstr(x, "status",
			     tr(w, plan_choice_label(plan_action_statuses,
						     items[k].status)));
			all = arena_printf(w->ctx.a, "%s%s\n", all,
					   items[k].text);
		}
		if (all)
			care_plain_words(w, ctx, dialog_areas[f->area].label,
					 all);
	}
}

/* GET /patients/:id/reviews/:rid: 200; 403; 404. */
static enum err
get_review(struct req *req)
{
	struct web *w = web_of(req);
	struct dialog_conversation c, *list;
	const struct dialog_conversation *last;
	struct plan_item *items;
	size_t n, nitems;
	json_t *ctx, *arr;
	bool answered;
	int64_t pid;
	enum err e;
	int i;

	e = load_conversation(w, ACT_READ, &pid, &c, &answered);
	if (e != ERR_OK || answered)
		return e;
	if ((e = dialog_list(w->ctx.db, w->ctx.a, pid, &list, &n)) != ERR_OK ||
	    (e = plan_items_list(w->ctx.db, w->ctx.a, pid, &items,
				 &nitems)) != ERR_OK)
		return e;
	last = previous_of(list, n, c.id);
	if (!(ctx = care_page_new(w, pid, N_("Review conversation"),
				  "reviews", &e)))
		return e;
	jstr(ctx, "date", date_of(w, c.at_ms));
	jstr(ctx, "by", c.recorded_by_name);
	jstr(ctx, "voice", care_voice_label(w, c.voice));
	jstr(ctx, "status", status_label(w, c.status));
	jbool(ctx, "rated", !strcmp(c.status, DIALOG_RATED));
	jbool(ctx, "complete", !strcmp(c.status, DIALOG_COMPLETE));
	if (c.completed_ms) {
		jstr(ctx, "completed_by", c.completed_by_name);
		jstr(ctx, "completed_voice",
		     care_voice_label(w, c.completed_voice));
		jstr(ctx, "completed", date_of(w, c.completed_ms));
	}
	jbool(ctx, "can_write",
	      patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE));
	jstr(ctx, "focus_href", arena_printf(w->ctx.a, "%s/focus",
					     review_path(w, pid, c.id)));
	if (last)
		jstr(ctx, "last_date", date_of(w, last->at_ms));
	arr = jarr(ctx, "ratings");
	for (i = 0; i < DIALOG_AREAS; i++) {
		json_t *o = jpush(arr);
		int r = c.ratings[i].rating;

		jstr(o, "label", tr(w, dialog_areas[i].label));
		jint(o, "rating", r);
		jstr(o, "rating_text", rating_text(w, r));
		if (last && last->ratings[i].rating) {
			jstr(o, "last", rating_text(w,
						    last->ratings[i].rating));
			add_change(o, r, last->ratings[i].rating);
		}
		jbool(o, "more_help", c.ratings[i].more_help);
	}
	add_focus(w, ctx, pid, &c, items, nitems);
	jstr(ctx, "list_href", reviews_path(w, pid));
	web_audit_read(w, DIALOG_RES, care_id_text(w, c.id), pid);
	return page_render(w, 200, "review", ctx);
}

static const struct http_route dialog_routes[] = {
	{HTTP_GET, "/patients/:id/reviews", get_reviews, 0, NULL},
	{HTTP_GET, "/patients/:id/reviews/new", get_review_new, 0, NULL},
	{HTTP_POST, "/patients/:id/reviews/new", post_review_new, 0, NULL},
	{HTTP_GET, "/patients/:id/reviews/:rid", get_review, 0, NULL},
	{HTTP_GET, "/patients/:id/reviews/:rid/focus", get_review_focus, 0,
	 NULL},
	{HTTP_POST, "/patients/:id/reviews/:rid/focus", post_review_focus, 0,
	 NULL},
};

enum err
dialog_web_routes(struct http_router *r)
{
	return http_router_add(r, dialog_routes,
			       sizeof(dialog_routes) /
				       sizeof(dialog_routes[0]));
}

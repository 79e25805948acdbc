/*
 * The shared care plan's pages: the plan with its co-production figures,
 * each goal and action with its agreement, comments and history, forms
 * to propose and change items (a stale form gets both versions to merge),
 * plan reviews, the plan's history with the difference between any two
 * versions, and a professional's panel of co-production figures.
 */
#include "care/care_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/policy.h"
#include "auth/write.h"
#include "care/comment.h"
#include "care/coproduction.h"
#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "people/careteam.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/fragment.h"
#include "web/page.h"
#include "web/template.h"
#include "core/banned.h"

#define HISTORY_STEPS 200
#define DAY_MS (86400 * 1000LL)

static const struct care_field goal_fields[] = {
	{"text", N_("Goal, in the patient's words")},
	{"clinical", N_("Clinical wording")},
	{"progress_sign", N_("Sign of progress")},
	{"due_date", N_("Target date")},
	{"status", N_("Status")},
};

static const struct care_field action_fields[] = {
	{"text", N_("Action")},
	{"owner", N_("Who does it")},
	{"due_date", N_("Due or review date")},
	{"status", N_("Status")},
};

static bool
is_goal(const struct plan_item *it)
{
	return !strcmp(it->kind, CARE_GOAL);
}

static const char *
voice_of(struct web *w)
{
	return role_voice(w->ctx.actor.role);
}

static const char *
item_path(struct web *w, int64_t pid, int64_t item)
{
	return arena_printf(w->ctx.a, "/patients/%lld/plan/items/%lld",
			    (long long)pid, (long long)item);
}

static const char *
status_label(struct web *w, const char *kind, const char *status)
{
	return tr(w, plan_choice_label(strcmp(kind, CARE_GOAL)
					       ? plan_action_statuses
					       : plan_goal_statuses,
				       status));
}

static const char *
owner_text(struct web *w, const struct plan_item *it, const char *patient)
{
	if (!strcmp(it->owner_kind, "patient"))
		return patient;
	return it->owner_name;
}

/* Who proposed and who disputes an item (its state is in the summary). */
static void
add_agreement(struct web *w, json_t *o, const struct plan_item *it)
{
	enum agreement_state s = agreement_state(&it->agreement);

	jstr(o, "proposed_by", it->proposed_by_name);
	jstr(o, "proposed_voice", care_voice_label(w, it->proposed_voice));
	if (s == AGREEMENT_DISPUTED) {
		jstr(o, "disputed_by", it->disputed_by_name);
		jstr(o, "dispute_comment", it->dispute_comment);
	}
}

/* What the plan page shows of an item. */
static void
add_summary(struct web *w, json_t *o, const struct plan_item *it,
	    const char *patient)
{
	enum agreement_state s = agreement_state(&it->agreement);

	jid(o, "id", it->id);
	jstr(o, "text", it->text);
	jstr(o, "due", care_date_label(w, it->due_date));
	jstr(o, "status_label", status_label(w, it->kind, it->status));
	jstr(o, "state", agreement_state_name(s));
	jstr(o, "state_label", tr(w, agreement_state_label(s)));
	if (is_goal(it)) {
		jstr(o, "clinical", it->clinical);
		jstr(o, "progress_sign", it->progress_sign);
	} else {
		jstr(o, "owner", owner_text(w, it, patient));
	}
}

/* Everything about an item, for its own page and forms. */
static void
add_item(struct web *w, json_t *o, const struct plan_item *it,
	 const char *patient)
{
	add_summary(w, o, it, patient);
	jstr(o, "kind", it->kind);
	jbool(o, "goal", is_goal(it));
	jstr(o, "status", it->status);
	jint(o, "version", it->version);
	add_agreement(w, o, it);
}

/* Whether the signed-in person's side still has to agree. */
static bool
can_agree(struct web *w, const struct plan_item *it)
{
	const char *v = voice_of(w);

	if (!agreement_voice_can_agree(v))
		return false;
	return !strcmp(v, "patient") ? !it->agreement.patient
				     : !it->agreement.professional;
}

/* --- the plan ------------------------------------------------------------ */

static void
add_figures(struct web *w, json_t *o, const struct coproduction *c)
{
	jint(o, "items", c->items);
	jint(o, "patient_written", c->patient_written);
	jint(o, "patient_pct",
	     coproduction_percent(c->patient_written, c->items));
	jint(o, "agreed", c->agreed_both);
	jint(o, "agreed_pct", coproduction_percent(c->agreed_both, c->items));
	jint(o, "disputed", c->disputed);
	if (c->last_joint_review_ms) {
		jbool(o, "reviewed", true);
		jint(o, "review_days",
		     (w->ctx.now * 1000 - c->last_joint_review_ms) / DAY_MS);
	}
}

static void
add_reviews(struct web *w, json_t *ctx, int64_t pid, size_t max)
{
	struct plan_review *r;
	json_t *arr = jarr(ctx, "reviews");
	size_t n, i;

	if (plan_review_list(w->ctx.db, w->ctx.a, pid, &r, &n) != ERR_OK)
		return;
	for (i = 0; i < n && i < max; i++) {
		json_t *o = jpush(arr);

		jstr(o, "when", page_date(w, r[i].at_ms / 1000));
		jstr(o, "by", r[i].recorded_by_name);
		jstr(o, "summary", r[i].summary);
		jint(o, "from", r[i].from_version);
		jint(o, "to", r[i].to_version);
		jbool(o, "joint",
		      r[i].patient_took_part && r[i].professional_took_part);
		care_participants_show(w, o, "participants", r[i].participants);
	}
}

static const char sql_plan_token[] =
	"SELECT COALESCE((SELECT version FROM care_plan WHERE patient_id = $1), "
	"0), (SELECT count(*) FROM plan_review WHERE patient_id = $1), "
	"(SELECT COALESCE(MAX(at_ms), 0) FROM plan_review "
	"WHERE patient_id = $1), (SELECT version FROM patient WHERE id = $1), "
	"(SELECT COALESCE(MAX(updated_at), 0) FROM account "
	"WHERE org_id = $2)";

/*
 * What the plan's body shows depends on: the plan's version (every item
 * change), its reviews, the patient's and the accounts' names, and the
 * day (days since the last review).
 */
static const char *
plan_token(struct web *w, int64_t pid)
{
	struct stmt *st = db_prepare(w->ctx.db, sql_plan_token);
	const char *t = NULL;

	if (!st)
		return NULL;
	stmt_bind_int(st, 1, pid);
	stmt_bind_int(st, 2, w->account.org_id);
	if (stmt_row(st))
		t = arena_printf(w->ctx.a, "%lld.%lld.%lld.%lld.%lld.%lld",
				 (long long)stmt_int(st, 0),
				 (long long)stmt_int(st, 1),
				 (long long)stmt_int(st, 2),
				 (long long)stmt_int(st, 3),
				 (long long)stmt_int(st, 4),
				 (long long)(w->ctx.now / 86400));
	return stmt_done(st) == ERR_OK ? t : NULL;
}

/* The goals, actions, figures and recent reviews, rendered. */
static char *
plan_body(struct web *w, int64_t pid, bool can_edit)
{
	struct plan_item *items;
	struct coproduction cp;
	json_t *ctx, *goals, *goal, *actions = NULL;
	const char *patient = care_patient_name(w, pid);
	char *html;
	size_t n, i;

	if (plan_items_list(w->ctx.db, w->ctx.a, pid, &items, &n) != ERR_OK ||
	    coproduction_for_patient(w->ctx.db, w->ctx.a, pid, &cp) != ERR_OK)
		return NULL;
	ctx = json_object();
	jid(ctx, "patient_id", pid);
	jbool(ctx, "can_edit", can_edit);
	add_figures(w, jobj(ctx, "figures"), &cp);
	goals = jarr(ctx, "goals");
	for (i = 0; i < n; i++) {
		if (is_goal(&items[i])) {
			goal = jpush(goals);
			add_summary(w, goal, &items[i], patient);
			actions = jarr(goal, "actions");
		} else if (actions) {
			add_summary(w, jpush(actions), &items[i], patient);
		}
	}
	add_reviews(w, ctx, pid, 3);
	html = page_fragment(w, "plan_body", ctx);
	json_decref(ctx);
	return html;
}

/* GET /patients/:id/plan */
static enum err
get_plan(struct req *req)
{
	struct web *w = web_of(req);
	const char *token, *key;
	bool can_edit;
	json_t *ctx;
	char *body;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if (!(ctx = care_page_new(w, pid, N_("Care plan"), "plan", &e)))
		return e;
	can_edit = patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE);
	key = arena_printf(w->ctx.a, "plan:%lld:%s:%d", (long long)pid,
			   w->lang, can_edit);
	token = plan_token(w, pid);
	body = token ? fragment_cache_get(w->app->fragments, key, token,
					  w->ctx.a)
		     : NULL;
	if (!body) {
		if (!(body = plan_body(w, pid, can_edit))) {
			json_decref(ctx);
			return ERR_INTERNAL;
		}
		if (token)
			fragment_cache_put(w->app->fragments, key, token,
					   body);
	}
	jbool(ctx, "can_edit", can_edit);
	jbool(ctx, "professional", w->account.role == ROLE_PROFESSIONAL);
	json_object_set_new(ctx, "body", tpl_trusted_html(body));
	web_audit_read(w, "CarePlan", http_param(req, "id"), pid);
	return page_render(w, 200, "plan", ctx);
}

/* --- one item ------------------------------------------------------------- */

static enum err
load_item(struct web *w, int64_t *pid, struct plan_item *it)
{
	int64_t id;
	enum err e;

	if ((e = web_param_id(w, "id", pid)) != ERR_OK ||
	    (e = web_param_id(w, "item", &id)) != ERR_OK)
		return e;
	e = plan_item_get(w->ctx.db, w->ctx.a, *pid, id, it);
	if (e == ERR_OK && it->removed)
		e = ERR_NOT_FOUND;
	return e;
}

/* Field JSON with the status and date in words, for differences. */
static const char *
readable_fields(struct web *w, const char *kind, const char *fields)
{
	json_t *o = json_loads(fields ? fields : "{}", 0, NULL);
	const char *s, *out;
	char *text;

	if (!o)
		return fields;
	if ((s = json_string_value(json_object_get(o, "status"))))
		json_object_set_new(o, "status",
				    json_string(status_label(w, kind, s)));
	if ((s = json_string_value(json_object_get(o, "due_date"))))
		json_object_set_new(o, "due_date",
				    json_string(care_date_label(w, s)));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	out = text ? arena_strdup(w->ctx.a, text) : fields;
	free(text);
	return out;
}

static const char *
change_label(struct web *w, const char *change)
{
	static const struct {
		const char *code, *label;
	} changes[] = {
		{"create", N_("proposed it")},
		{"edit", N_("changed it")},
		{"agree", N_("agreed")},
		{"dispute", N_("disputed it")},
		{"status", N_("changed the status")},
		{"remove", N_("removed it")},
	};
	size_t i;

	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		if (!strcmp(changes[i].code, change))
			return tr(w, changes[i].label);
	return change;
}

static enum err
add_item_history(struct web *w, json_t *ctx, const struct plan_item *it)
{
	const struct care_field *f = is_goal(it) ? goal_fields : action_fields;
	size_t nf = is_goal(it) ? 5 : 4;
	struct care_version *v;
	json_t *arr = jarr(ctx, "versions");
	size_t n, i;
	enum err e;

	if ((e = care_version_list(w->ctx.db, w->ctx.a, it->kind, it->id, &v,
				   &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jint(o, "version", v[i].version);
		jstr(o, "when", page_datetime(w, v[i].at_ms / 1000));
		jstr(o, "author", v[i].author_name);
		jstr(o, "voice", care_voice_label(w, v[i].voice));
		jstr(o, "change", change_label(w, v[i].change));
		jstr(o, "comment", v[i].comment);
		if (i + 1 < n &&
		    (e = care_diff_fields(
			     w, jarr(o, "diff"), f, nf,
			     readable_fields(w, it->kind, v[i + 1].fields),
			     readable_fields(w, it->kind, v[i].fields))) !=
			    ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
add_comments(struct web *w, json_t *ctx, const struct plan_item *it)
{
	struct care_comment *c;
	json_t *arr = jarr(ctx, "comments");
	size_t n, i;
	enum err e;

	if ((e = care_comment_list(w->ctx.db, w->ctx.a, it->kind, it->id, &c,
				   &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "author", c[i].author_name);
		jstr(o, "voice", care_voice_label(w, c[i].voice));
		jstr(o, "when", page_datetime(w, c[i].at_ms / 1000));
		jstr(o, "body", c[i].body);
	}
	return ERR_OK;
}

/* The status choices of an item's kind, `chosen` selected. */
static void
add_status_choices(struct web *w, json_t *ctx, const char *kind,
		   const char *chosen)
{
	const struct plan_choice *list = strcmp(kind, CARE_GOAL)
						 ? plan_action_statuses
						 : plan_goal_statuses;
	json_t *arr = jarr(ctx, "statuses");
	size_t i;

	for (i = 0; list[i].code; i++) {
		json_t *o = jpush(arr);

		jstr(o, "code", list[i].code);
		jstr(o, "label", tr(w, list[i].label));
		jbool(o, "selected", chosen && !strcmp(chosen, list[i].code));
	}
}

static enum err
item_page(struct web *w, int status, int64_t pid, const struct plan_item *it,
	  const struct problems *ps)
{
	json_t *ctx, *item;
	bool can_edit = patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE);
	enum err e;

	if (!(ctx = care_page_new(w, pid,
				  is_goal(it) ? N_("Goal") : N_("Action"),
				  "plan", &e)))
		return e;
	item = jobj(ctx, "item");
	add_item(w, item, it, care_patient_name(w, pid));
	jbool(ctx, "can_edit", can_edit);
	jbool(ctx, "can_agree", can_edit && can_agree(w, it));
	jbool(ctx, "can_dispute", can_edit &&
					  agreement_voice_can_agree(voice_of(w)));
	if (!is_goal(it)) {
		struct plan_item goal;

		if (plan_item_get(w->ctx.db, w->ctx.a, pid, it->goal_id,
				  &goal) == ERR_OK) {
			jid(ctx, "goal_id", goal.id);
			jstr(ctx, "goal_text", goal.text);
		}
	}
	add_status_choices(w, ctx, it->kind, it->status);
	if ((e = add_comments(w, ctx, it)) != ERR_OK ||
	    (e = add_item_history(w, ctx, it)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	care_plain_words(w, ctx, is_goal(it) ? N_("Goal") : N_("Action"),
			 it->text);
	if (is_goal(it))
		care_plain_words(w, ctx, N_("Sign of progress"),
				 it->progress_sign);
	if (ps) {
		page_problems(w, ctx, ps);
		jstr(ctx, "typed_comment", web_field(w, "body"));
		jstr(ctx, "typed_dispute", web_field(w, "comment"));
	}
	web_audit_read(w, is_goal(it) ? PLAN_RES_GOAL : PLAN_RES_ACTION,
		       http_param(w->req, "item"), pid);
	return page_render(w, status, "plan_item", ctx);
}

/* GET /patients/:id/plan/items/:item */
static enum err
get_item(struct req *req)
{
	struct web *w = web_of(req);
	struct plan_item it;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if ((e = load_item(w, &pid, &it)) != ERR_OK)
		return e;
	return item_page(w, 200, pid, &it, NULL);
}

/* --- proposing and changing -------------------------------------------- */

/* The owner choices: the patient, caregivers with an active grant, the
 * care team; `chosen` is "patient", "caregiver:<id>" or
 * "professional:<id>". */
static enum err
add_owner_choices(struct web *w, json_t *ctx, int64_t pid, const char *chosen)
{
	struct team_member *team;
	struct grant *g;
	json_t *arr = jarr(ctx, "owners");
	size_t nt, ng, i;
	json_t *o;
	enum err e;

	if ((e = team_list(w->ctx.db, w->ctx.a, pid, &team, &nt)) != ERR_OK ||
	    (e = grant_list_for_patient(w->ctx.db, w->ctx.a, pid, &g, &ng)) !=
		    ERR_OK)
		return e;
	o = jpush(arr);
	jstr(o, "value", "patient");
	jstr(o, "label", arena_printf(w->ctx.a, "%s (%s)",
				      care_patient_name(w, pid),
				      tr(w, N_("the patient"))));
	jbool(o, "selected", !chosen || !strcmp(chosen, "patient"));
	for (i = 0; i < ng; i++) {
		const char *v;

		if (!grant_is_active(&g[i], w->ctx.now))
			continue;
		v = arena_printf(w->ctx.a, "caregiver:%lld",
				 (long long)g[i].caregiver_id);
		o = jpush(arr);
		jstr(o, "value", v);
		jstr(o, "label", arena_printf(w->ctx.a, "%s (%s)",
					      g[i].caregiver_name,
					      g[i].relationship));
		jbool(o, "selected", chosen && !strcmp(chosen, v));
	}
	for (i = 0; i < nt; i++) {
		const char *v = arena_printf(w->ctx.a, "professional:%lld",
					     (long long)team[i].account_id);

		o = jpush(arr);
		jstr(o, "value", v);
		jstr(o, "label", arena_printf(w->ctx.a, "%s (%s)",
					      team[i].name,
					      team[i].discipline));
		jbool(o, "selected", chosen && !strcmp(chosen, v));
	}
	return ERR_OK;
}

static const char *
owner_value(struct web *w, const struct plan_item *it)
{
	if (!strcmp(it->owner_kind, "patient"))
		return "patient";
	return arena_printf(w->ctx.a, "%s:%lld", it->owner_kind,
			    (long long)it->owner_id);
}

/* The item as typed in the form (kind and ids from `base`). */
static void
item_from_form(struct web *w, struct plan_item *it, struct problems *ps)
{
	const char *owner = web_field(w, "owner");
	int64_t id = 0;

	it->text = web_field(w, "text");
	it->clinical = web_field(w, "clinical");
	it->progress_sign = web_field(w, "progress_sign");
	it->due_date = web_field(w, "due_date");
	it->status = web_field(w, "status");
	if (is_goal(it))
		return;
	it->owner_id = 0;
	if (!strcmp(owner, "patient")) {
		it->owner_kind = "patient";
	} else if (!strncmp(owner, "caregiver:", 10) &&
		   str_to_i64(str_c(owner + 10), 1, INT64_MAX, &id)) {
		it->owner_kind = "caregiver";
		it->owner_id = id;
	} else if (!strncmp(owner, "professional:", 13) &&
		   str_to_i64(str_c(owner + 13), 1, INT64_MAX, &id)) {
		it->owner_kind = "professional";
		it->owner_id = id;
	} else {
		it->owner_kind = "";
		problems_add(ps, "owner", N_("Choose who will do this."));
	}
}

/*
 * The form to propose or change an item. `theirs` (a 409) is the stored
 * version that changed since the person opened the form: it is shown
 * beside what they typed, which stays in the form.
 */
static enum err
form_page(struct web *w, int status, int64_t pid, const struct plan_item *it,
	  const struct plan_item *theirs, const struct problems *ps)
{
	bool goal = is_goal(it);
	json_t *ctx, *f;
	enum err e;

	if (!(ctx = care_page_new(w, pid,
				  it->id ? (goal ? N_("Change a goal")
						 : N_("Change an action"))
					 : (goal ? N_("Propose a goal")
						 : N_("Propose an action")),
				  "plan", &e)))
		return e;
	f = jobj(ctx, "form");
	jbool(f, "goal", goal);
	jstr(f, "text", it->text);
	jstr(f, "clinical", it->clinical);
	jstr(f, "progress_sign", it->progress_sign);
	jstr(f, "due_date", it->due_date);
	jint(f, "version", it->version);
	jstr(ctx, "action",
	     it->id ? arena_printf(w->ctx.a, "%s/edit",
				   item_path(w, pid, it->id))
		    : goal ? arena_printf(w->ctx.a,
					  "/patients/%lld/plan/goals/new",
					  (long long)pid)
			   : arena_printf(w->ctx.a,
					  "/patients/%lld/plan/goals/%lld/"
					  "actions/new",
					  (long long)pid,
					  (long long)it->goal_id));
	jstr(ctx, "back", it->id ? item_path(w, pid, it->id)
				 : arena_printf(w->ctx.a, "/patients/%lld/plan",
						(long long)pid));
	jbool(ctx, "professional", w->account.role == ROLE_PROFESSIONAL);
	add_status_choices(w, ctx, it->kind, it->status);
	if (!goal &&
	    (e = add_owner_choices(w, ctx, pid,
				   it->owner_kind && *it->owner_kind
					   ? owner_value(w, it)
					   : NULL)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	if (theirs) {
		json_t *t = jobj(ctx, "theirs");

		struct care_version *v;
		size_t nv;

		add_item(w, t, theirs, care_patient_name(w, pid));
		jstr(t, "when", page_datetime(w, theirs->updated_ms / 1000));
		/* Who made the change the person did not see. */
		if (care_version_list(w->ctx.db, w->ctx.a, theirs->kind,
				      theirs->id, &v, &nv) == ERR_OK && nv)
			jstr(t, "changed_by", v[0].author_name);
		jint(f, "version", theirs->version);
	}
	if (ps)
		page_problems(w, ctx, ps);
	care_plain_words(w, ctx, goal ? N_("Goal") : N_("Action"), it->text);
	return page_render(w, status, "plan_item_form", ctx);
}

/* Commits one plan change by the signed-in person. */
static enum err
commit_change(struct web *w, int64_t pid, struct plan_change *c)
{
	char id[24];
	struct write_info wi = {
		.action = c->change,
		.resource_type = strcmp(c->item.kind, CARE_GOAL)
					 ? PLAN_RES_ACTION
					 : PLAN_RES_GOAL,
		.resource_id = id,
		.patient_id = pid,
		.touchpoint_kind = "care-plan",
	};

	c->org_id = w->account.org_id;
	c->patient_id = pid;
	c->author_id = w->account.id;
	c->voice = voice_of(w);
	c->at_ms = clock_now_ms();
	c->now = w->ctx.now;
	if (!c->item.id)
		c->item.id = id_new();
	snprintf(id, sizeof(id), "%lld", (long long)c->item.id);
	return write_commit(&w->ctx, &wi, plan_write, c);
}

/* The goal named by the route's :item, which must be a live goal of
 * patient `pid` (else 404). */
static enum err
goal_of_route(struct web *w, int64_t pid, int64_t *goal_id)
{
	struct plan_item goal;
	enum err e;

	if ((e = web_param_id(w, "item", goal_id)) != ERR_OK ||
	    (e = plan_item_get(w->ctx.db, w->ctx.a, pid, *goal_id, &goal)) !=
		    ERR_OK)
		return e;
	return is_goal(&goal) && !goal.removed ? ERR_OK : ERR_NOT_FOUND;
}

static enum err
new_item_page(struct req *req, const char *kind)
{
	struct web *w = web_of(req);
	struct plan_item it = {0};
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	it.kind = kind;
	it.status = strcmp(kind, CARE_GOAL) ? "planned" : "active";
	if (strcmp(kind, CARE_GOAL) &&
	    (e = goal_of_route(w, pid, &it.goal_id)) != ERR_OK)
		return e;
	return form_page(w, 200, pid, &it, NULL, NULL);
}

static enum err
get_goal_new(struct req *req)
{
	return new_item_page(req, CARE_GOAL);
}

static enum err
get_action_new(struct req *req)
{
	return new_item_page(req, CARE_ACTION);
}

/* The answer to a refused or failed plan change with the form. */
static enum err
form_error(struct web *w, int64_t pid, struct plan_item *typed, enum err e)
{
	struct problems ps = {0};
	struct plan_item theirs;

	if (e == ERR_CONFLICT &&
	    plan_item_get(w->ctx.db, w->ctx.a, pid, typed->id, &theirs) ==
		    ERR_OK) {
		problems_add(&ps, "text",
			     N_("Someone changed this since you opened it. "
				"Their version is shown; what you typed is "
				"still in the form. Merge the two and save "
				"again."));
		return form_page(w, 409, pid, typed, &theirs, &ps);
	}
	if (e == ERR_INVALID) {
		problems_add(&ps, "owner",
			     N_("Choose someone from the list: the patient, "
				"a caregiver they chose or a member of the "
				"care team."));
		return form_page(w, 400, pid, typed, NULL, &ps);
	}
	return e;
}

static enum err
post_new_item(struct req *req, const char *kind)
{
	struct web *w = web_of(req);
	struct plan_change c = {0};
	struct problems ps = {0};
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	c.change = "create";
	c.item.kind = kind;
	if (strcmp(kind, CARE_GOAL) &&
	    (e = goal_of_route(w, pid, &c.item.goal_id)) != ERR_OK)
		return e;
	item_from_form(w, &c.item, &ps);
	plan_item_validate(&c.item, &ps);
	if (ps.n)
		return form_page(w, 400, pid, &c.item, NULL, &ps);
	c.item.id = 0;
	if ((e = commit_change(w, pid, &c)) != ERR_OK) {
		c.item.id = 0;
		return form_error(w, pid, &c.item, e);
	}
	return page_redirect(w, item_path(w, pid, c.new_id), "saved");
}

static enum err
post_goal_new(struct req *req)
{
	return post_new_item(req, CARE_GOAL);
}

static enum err
post_action_new(struct req *req)
{
	return post_new_item(req, CARE_ACTION);
}

/* GET /patients/:id/plan/items/:item/edit */
static enum err
get_item_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct plan_item it;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = load_item(w, &pid, &it)) != ERR_OK)
		return e;
	return form_page(w, 200, pid, &it, NULL, NULL);
}

/* The version the person saw, from the form; 0 when missing. */
static int
form_version(struct web *w)
{
	int64_t v = 0;

	if (!str_to_i64(str_c(web_field(w, "version")), 1, INT32_MAX, &v))
		return 0;
	return (int)v;
}

/* POST /patients/:id/plan/items/:item/edit */
static enum err
post_item_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct plan_change c = {0};
	struct problems ps = {0};
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = load_item(w, &pid, &c.item)) != ERR_OK)
		return e;
	if (!(c.item.version = form_version(w)))
		return ERR_INVALID;
	c.change = "edit";
	item_from_form(w, &c.item, &ps);
	plan_item_validate(&c.item, &ps);
	if (ps.n)
		return form_page(w, 400, pid, &c.item, NULL, &ps);
	if ((e = commit_change(w, pid, &c)) != ERR_OK)
		return form_error(w, pid, &c.item, e);
	return page_redirect(w, item_path(w, pid, c.item.id), "saved");
}

/*
 * Agree, dispute, status and remove: small forms on the item's page with
 * the version the person saw. A stale one shows the page again with a
 * message (nothing typed beyond a comment, which is kept).
 */
static enum err
post_item_change(struct req *req, const char *change)
{
	struct web *w = web_of(req);
	struct plan_change c = {0};
	struct problems ps = {0};
	struct plan_item it;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = load_item(w, &pid, &it)) != ERR_OK)
		return e;
	c.change = change;
	c.item = it;
	if (!(c.item.version = form_version(w)))
		return ERR_INVALID;
	if (!strcmp(change, "dispute")) {
		c.comment = web_field(w, "comment");
		if (!*c.comment)
			problems_add(&ps, "comment",
				     N_("Say what you disagree with, so the "
					"others can answer."));
		else
			care_text_ok(&ps, "comment", c.comment, CARE_LONG_MAX);
	}
	if (!strcmp(change, "status"))
		c.item.status = web_field(w, "status");
	if ((!strcmp(change, "agree") || !strcmp(change, "dispute")) &&
	    !agreement_voice_can_agree(voice_of(w)))
		return ERR_FORBIDDEN;
	if (ps.n)
		return item_page(w, 400, pid, &it, &ps);
	e = commit_change(w, pid, &c);
	if (e == ERR_CONFLICT) {
		problems_add(&ps, "comment",
			     N_("Someone changed this since you opened it. "
				"Look at it again below, then try once "
				"more."));
		return item_page(w, 409, pid, &it, &ps);
	}
	if (e == ERR_EXISTS) {
		problems_add(&ps, "remove",
			     N_("Remove this goal's actions first."));
		return item_page(w, 409, pid, &it, &ps);
	}
	if (e != ERR_OK)
		return e;
	if (!strcmp(change, "remove"))
		return page_redirect(w,
				     arena_printf(w->ctx.a,
						  "/patients/%lld/plan",
						  (long long)pid),
				     "saved");
	return page_redirect(w, item_path(w, pid, it.id), "saved");
}

static enum err
post_item_agree(struct req *req)
{
	return post_item_change(req, "agree");
}

static enum err
post_item_dispute(struct req *req)
{
	return post_item_change(req, "dispute");
}

static enum err
post_item_status(struct req *req)
{
	return post_item_change(req, "status");
}

static enum err
post_item_remove(struct req *req)
{
	return post_item_change(req, "remove");
}

/* POST /patients/:id/plan/items/:item/comments */
static enum err
post_item_comment(struct req *req)
{
	struct web *w = web_of(req);
	struct care_comment c = {0};
	struct problems ps = {0};
	struct plan_item it;
	char id[24];
	struct write_info wi = {
		.action = "comment",
		.resource_type = PLAN_RES_COMMENT,
		.resource_id = id,
		.touchpoint_kind = "care-plan-comment",
	};
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = load_item(w, &pid, &it)) != ERR_OK)
		return e;
	c.body = web_field(w, "body");
	if (!*c.body)
		problems_add(&ps, "body", N_("Write your comment first."));
	else
		care_text_ok(&ps, "body", c.body, CARE_LONG_MAX);
	if (ps.n)
		return item_page(w, 400, pid, &it, &ps);
	c.org_id = w->account.org_id;
	c.patient_id = pid;
	c.subject_type = it.kind;
	c.subject_id = it.id;
	c.at_ms = clock_now_ms();
	c.author_id = w->account.id;
	c.voice = voice_of(w);
	snprintf(id, sizeof(id), "%lld", (long long)it.id);
	wi.patient_id = pid;
	if ((e = write_commit(&w->ctx, &wi, care_comment_write, &c)) !=
	    ERR_OK)
		return e;
	return page_redirect(w, item_path(w, pid, it.id), "saved");
}

/* --- history and comparing versions ----------------------------------- */

static enum err
add_compare(struct web *w, json_t *ctx, int64_t pid, int from, int to)
{
	struct plan_snapshot_item *b, *a;
	json_t *arr = jarr(ctx, "changes");
	size_t n, i;
	enum err e;

	if ((e = plan_compare(w->ctx.db, w->ctx.a, pid, from, to, &b, &a,
			      &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		bool goal = !strcmp(a[i].kind, CARE_GOAL);
		const char *bf = b[i].fields, *af = a[i].fields;
		json_t *o;

		if ((!bf && !af) || (bf && af && !strcmp(bf, af)))
			continue;
		o = jpush(arr);
		jstr(o, "kind", goal ? tr(w, N_("Goal")) : tr(w, N_("Action")));
		jstr(o, "text", care_version_field(w->ctx.a, af ? af : bf,
						   "text"));
		jbool(o, "added", !bf);
		jbool(o, "removed", !af);
		if (bf && af &&
		    (e = care_diff_fields(
			     w, jarr(o, "diff"),
			     goal ? goal_fields : action_fields,
			     goal ? 5 : 4, readable_fields(w, a[i].kind, bf),
			     readable_fields(w, a[i].kind, af))) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* A version number from the query, within 0..latest; `def` if absent. */
static enum err
version_param(struct web *w, const char *name, int latest, int def, int *out)
{
	const char *s = http_field(w->req, name);
	int64_t v;

	if (!s || !*s) {
		*out = def;
		return ERR_OK;
	}
	if (!str_to_i64(str_c(s), 0, latest, &v))
		return ERR_INVALID;
	*out = (int)v;
	return ERR_OK;
}

/* GET /patients/:id/plan/history[?from=N&to=M] */
static enum err
get_history(struct req *req)
{
	struct web *w = web_of(req);
	struct plan_step *s;
	json_t *ctx, *arr, *vs;
	int latest, from, to, v;
	int64_t pid;
	size_t n, i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if ((e = plan_version(w->ctx.db, pid, &latest)) != ERR_OK ||
	    (e = version_param(w, "to", latest, latest, &to)) != ERR_OK ||
	    (e = version_param(w, "from", latest, to > 0 ? to - 1 : 0,
			       &from)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Care plan history"), "plan",
				  &e)))
		return e;
	if ((e = plan_history(w->ctx.db, w->ctx.a, pid, HISTORY_STEPS, &s,
			      &n)) != ERR_OK ||
	    (latest > 0 && (e = add_compare(w, ctx, pid, from, to)) != ERR_OK)) {
		json_decref(ctx);
		return e;
	}
	jint(ctx, "from", from);
	jint(ctx, "to", to);
	jbool(ctx, "has_versions", latest > 0);
	vs = jarr(ctx, "version_choices");
	for (v = latest; v >= 0 && latest - v < HISTORY_STEPS; v--) {
		json_t *o = jpush(vs);

		jint(o, "v", v);
		jbool(o, "from_selected", v == from);
		jbool(o, "to_selected", v == to);
	}
	arr = jarr(ctx, "steps");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jint(o, "version", s[i].plan_version);
		jint(o, "previous", s[i].plan_version - 1);
		jstr(o, "when", page_datetime(w, s[i].at_ms / 1000));
		jstr(o, "author", s[i].author_name);
		jstr(o, "voice", care_voice_label(w, s[i].voice));
		jstr(o, "change", change_label(w, s[i].change));
		jstr(o, "kind", strcmp(s[i].kind, CARE_GOAL)
					? tr(w, N_("action"))
					: tr(w, N_("goal")));
		jstr(o, "text", s[i].text);
		jstr(o, "comment", s[i].comment);
	}
	web_audit_read(w, "CarePlan", http_param(req, "id"), pid);
	return page_render(w, 200, "plan_history", ctx);
}

/* --- reviews ---------------------------------------------------------------- */

static enum err
review_page(struct web *w, int status, int64_t pid, bool from_form,
	    const struct problems *ps)
{
	struct plan_review *r;
	json_t *ctx;
	int latest, last = 0;
	size_t n;
	enum err e;

	if (!(ctx = care_page_new(w, pid, N_("Review the care plan"), "plan",
				  &e)))
		return e;
	if ((e = plan_version(w->ctx.db, pid, &latest)) != ERR_OK ||
	    (e = plan_review_list(w->ctx.db, w->ctx.a, pid, &r, &n)) !=
		    ERR_OK ||
	    (e = care_participants_choices(w, ctx, pid, from_form)) !=
		    ERR_OK) {
		json_decref(ctx);
		return e;
	}
	if (n > 0) {
		last = r[0].to_version;
		jstr(ctx, "last_review", page_date(w, r[0].at_ms / 1000));
	}
	if ((e = add_compare(w, ctx, pid, last, latest)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	jstr(ctx, "summary", web_field(w, "summary"));
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, "CarePlan", http_param(w->req, "id"), pid);
	return page_render(w, status, "plan_review", ctx);
}

/* GET /patients/:id/plan/review */
static enum err
get_review(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	return review_page(w, 200, pid, false, NULL);
}

/* POST /patients/:id/plan/review */
static enum err
post_review(struct req *req)
{
	struct web *w = web_of(req);
	struct plan_review r = {0};
	struct problems ps = {0};
	struct write_info wi = {
		.action = "review",
		.resource_type = PLAN_RES_REVIEW,
		.resource_id = "",
		.touchpoint_kind = "care-plan-review",
	};
	bool patient_side, professional;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	r.summary = web_field(w, "summary");
	care_text_ok(&ps, "summary", r.summary, CARE_LONG_MAX);
	e = care_participants_from_form(w, pid, &r.participants,
					&patient_side, &professional);
	if (e == ERR_INVALID)
		problems_add(&ps, "participants",
			     N_("Tick everyone who took part in the "
				"review."));
	else if (e != ERR_OK)
		return e;
	if (ps.n)
		return review_page(w, 400, pid, true, &ps);
	r.org_id = w->account.org_id;
	r.patient_id = pid;
	r.at_ms = clock_now_ms();
	r.recorded_by = w->account.id;
	r.patient_took_part = patient_side;
	r.professional_took_part = professional;
	wi.patient_id = pid;
	if ((e = write_commit(&w->ctx, &wi, plan_review_write, &r)) != ERR_OK)
		return e;
	return page_redirect(w,
			     arena_printf(w->ctx.a, "/patients/%lld/plan",
					  (long long)pid),
			     "saved");
}

/* --- a professional's panel ------------------------------------------- */

/* GET /panel: co-production figures of every patient on the
 * professional's care teams. */
static enum err
get_panel(struct req *req)
{
	struct web *w = web_of(req);
	struct coproduction *rows, total;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (w->account.role != ROLE_PROFESSIONAL)
		return ERR_FORBIDDEN;
	if ((e = coproduction_for_panel(w->ctx.db, w->ctx.a, w->account.id,
					&rows, &n, &total)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Co-production in my panel"));
	add_figures(w, jobj(ctx, "total"), &total);
	arr = jarr(ctx, "patients");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", rows[i].patient_id);
		jstr(o, "name", rows[i].patient_name);
		add_figures(w, o, &rows[i]);
		/* One audit event per patient whose figures are shown. */
		web_audit_read(w, "CarePlan",
			       arena_printf(w->ctx.a, "%lld",
					    (long long)rows[i].patient_id),
			       rows[i].patient_id);
	}
	return page_render(w, 200, "panel", ctx);
}

static const struct http_route plan_routes[] = {
	{HTTP_GET, "/patients/:id/plan", get_plan, 0, NULL},
	{HTTP_GET, "/patients/:id/plan/goals/new", get_goal_new, 0, NULL},
	{HTTP_POST, "/patients/:id/plan/goals/new", post_goal_new, 0, NULL},
	{HTTP_GET, "/patients/:id/plan/goals/:item/actions/new",
	 get_action_new, 0, NULL},
	{HTTP_POST, "/patients/:id/plan/goals/:item/actions/new",
	 post_action_new, 0, NULL},
	{HTTP_GET, "/patients/:id/plan/items/:item", get_item, 0, NULL},
	{HTTP_GET, "/patients/:id/plan/items/:item/edit", get_item_edit, 0,
	 NULL},
	{HTTP_POST, "/patients/:id/plan/items/:item/edit", post_item_edit, 0,
	 NULL},
	{HTTP_POST, "/patients/:id/plan/items/:item/agree", post_item_agree,
	 0, NULL},
	{HTTP_POST, "/patients/:id/plan/items/:item/dispute",
	 post_item_dispute, 0, NULL},
	{HTTP_POST, "/patients/:id/plan/items/:item/status",
	 post_item_status, 0, NULL},
	{HTTP_POST, "/patients/:id/plan/items/:item/remove",
	 post_item_remove, 0, NULL},
	{HTTP_POST, "/patients/:id/plan/items/:item/comments",
	 post_item_comment, 0, NULL},
	{HTTP_GET, "/patients/:id/plan/history", get_history, 0, NULL},
	{HTTP_GET, "/patients/:id/plan/review", get_review, 0, NULL},
	{HTTP_POST, "/patients/:id/plan/review", post_review, 0, NULL},
	{HTTP_GET, "/panel", get_panel, 0, NULL},
};

enum err
plan_web_routes(struct http_router *r)
{
	return http_router_add(r, plan_routes,
			       sizeof(plan_routes) / sizeof(plan_routes[0]));
}

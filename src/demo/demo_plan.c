/*
 * Demo care plans: goals and actions proposed by the patient, their
 * caregiver and their professionals, at every state of agreement (agreed
 * by both, waiting for one side, disputed), with comments and a review
 * together, written day by day through the plan's own write function.
 */
#include "demo/demo_care.h"

#include <stdio.h>
#include <string.h>

#include "auth/write.h"
#include "care/comment.h"
#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/banned.h"

#define RICH_PLANS 20	/* patients with a plan, after María */

/* Who acts in a scripted step. */
enum demo_who { BY_PATIENT, BY_DOCTOR, BY_NURSE, BY_CAREGIVER };

static bool
who_present(const struct demo_care_patient *p, enum demo_who who)
{
	switch (who) {
	case BY_PATIENT:
		return true;
	case BY_DOCTOR:
		return p->nteam > 0;
	case BY_NURSE:
		return p->nteam > 1;
	default:
		return p->caregiver_id != 0 && p->caregiver_writes;
	}
}

static struct ctx *
act_as(struct demo_care *d, const struct demo_care_patient *p,
       enum demo_who who, int days_ago)
{
	switch (who) {
	case BY_PATIENT:
		return demo_care_as(d, p->account_id, ROLE_PATIENT, p,
				    days_ago, 0);
	case BY_DOCTOR:
		return demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p,
				    days_ago, 0);
	case BY_NURSE:
		return demo_care_as(d, p->team[p->nteam > 1 ? 1 : 0],
				    ROLE_PROFESSIONAL, p, days_ago, 0);
	default:
		return demo_care_as(d, p->caregiver_id, ROLE_CAREGIVER, p,
				    days_ago, 0);
	}
}

/* One change by `who`, `days_ago`, through plan_write(). */
static enum err
change(struct demo_care *d, const struct demo_care_patient *p,
       enum demo_who who, int days_ago, struct plan_change *c)
{
	struct ctx *ctx = act_as(d, p, who, days_ago);
	char *id;
	struct write_info wi = {
		.action = c->change,
		.resource_type = strcmp(c->item.kind, CARE_GOAL)
					 ? PLAN_RES_ACTION
					 : PLAN_RES_GOAL,
		.patient_id = p->id,
		.touchpoint_kind = "care-plan",
	};
	enum err e;

	c->org_id = d->org_id;
	c->patient_id = p->id;
	c->author_id = ctx->actor.account_id;
	c->voice = role_voice(ctx->actor.role);
	c->at_ms = ctx->now * 1000;
	c->now = ctx->now;
	if (!c->item.id)
		c->item.id = id_new();
	id = arena_printf(d->a, "%lld", (long long)c->item.id);
	wi.resource_id = id;
	if ((e = write_within(d->db, ctx, &wi, plan_write, c)) != ERR_OK)
		return e;
	c->item.version = c->new_version;
	return ERR_OK;
}

/* A goal proposed by `who`; `*out` keeps it for later steps. */
static enum err
goal(struct demo_care *d, const struct demo_care_patient *p,
     enum demo_who who, int days_ago, const char *text, const char *clinical,
     const char *sign, const char *due, struct plan_change *out)
{
	memset(out, 0, sizeof(*out));
	out->change = "create";
	out->item.kind = CARE_GOAL;
	out->item.text = text;
	out->item.clinical = clinical;
	out->item.progress_sign = sign;
	out->item.due_date = due;
	out->item.status = "active";
	return change(d, p, who, days_ago, out);
}

/* An action under `g`, owned by `owner`. */
static enum err
action(struct demo_care *d, const struct demo_care_patient *p,
       enum demo_who who, int days_ago, const struct plan_change *g,
       const char *text, enum demo_who owner, const char *due,
       const char *status, struct plan_change *out)
{
	memset(out, 0, sizeof(*out));
	out->change = "create";
	out->item.kind = CARE_ACTION;
	out->item.goal_id = g->item.id;
	out->item.text = text;
	out->item.due_date = due;
	out->item.status = status;
	switch (owner) {
	case BY_PATIENT:
		out->item.owner_kind = "patient";
		break;
	case BY_CAREGIVER:
		out->item.owner_kind = "caregiver";
		out->item.owner_id = p->caregiver_id;
		break;
	default:
		out->item.owner_kind = "professional";
		out->item.owner_id = owner == BY_DOCTOR || p->nteam < 2
					     ? p->team[0]
					     : p->team[1];
	}
	return change(d, p, who, days_ago, out);
}

/* A later step on an existing item: agree, dispute, status, edit. */
static enum err
step(struct demo_care *d, const struct demo_care_patient *p,
     enum demo_who who, int days_ago, struct plan_change *it,
     const char *what, const char *arg)
{
	struct plan_change c = *it;

	c.change = what;
	c.comment = NULL;
	if (!strcmp(what, "dispute"))
		c.comment = arg;
	else if (!strcmp(what, "status"))
		c.item.status = arg;
	else if (!strcmp(what, "edit"))
		c.item.text = arg;
	if (!who_present(p, who))
		return ERR_OK;
	if (change(d, p, who, days_ago, &c) != ERR_OK)
		return ERR_DB;
	*it = c;
	it->change = "create";
	return ERR_OK;
}

static enum err
comment(struct demo_care *d, const struct demo_care_patient *p,
	enum demo_who who, int days_ago, const struct plan_change *it,
	const char *body)
{
	struct ctx *ctx;
	struct care_comment c = {0};
	struct write_info wi = {
		.action = "comment",
		.resource_type = PLAN_RES_COMMENT,
		.patient_id = p->id,
		.touchpoint_kind = "care-plan-comment",
	};

	if (!who_present(p, who))
		return ERR_OK;
	ctx = act_as(d, p, who, days_ago);
	c.org_id = d->org_id;
	c.patient_id = p->id;
	c.subject_type = it->item.kind;
	c.subject_id = it->item.id;
	c.at_ms = ctx->now * 1000;
	c.author_id = ctx->actor.account_id;
	c.voice = role_voice(ctx->actor.role);
	c.body = body;
	wi.resource_id = arena_printf(d->a, "%lld", (long long)it->item.id);
	return write_within(d->db, ctx, &wi, care_comment_write, &c);
}

static enum err
review(struct demo_care *d, const struct demo_care_patient *p, int days_ago,
       const char *summary)
{
	struct ctx *ctx = act_as(d, p, BY_DOCTOR, days_ago);
	struct plan_review r = {0};
	struct write_info wi = {
		.action = "review",
		.resource_type = PLAN_RES_REVIEW,
		.resource_id = "",
		.patient_id = p->id,
		.touchpoint_kind = "care-plan-review",
	};

	r.org_id = d->org_id;
	r.patient_id = p->id;
	r.at_ms = ctx->now * 1000;
	r.recorded_by = p->team[0];
	r.participants = arena_printf(
		d->a,
		"[{\"id\":\"patient\",\"name\":\"%s\",\"voice\":\"patient\"},"
		"{\"id\":\"%lld\",\"name\":\"%s\",\"voice\":\"professional\"}]",
		p->name, (long long)p->team[0], p->team_names[0]);
	r.patient_took_part = true;
	r.professional_took_part = true;
	r.summary = summary;
	return write_within(d->db, ctx, &wi, plan_review_write, &r);
}

/* A date `days` from now, YYYY-MM-DD. */
static const char *
date_in(struct demo_care *d, int days)
{
	int64_t t = d->now + (int64_t)days * DEMO_CARE_DAY;
	int64_t z = t / DEMO_CARE_DAY + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned day = doy - (153 * mp + 2) / 5 + 1;
	unsigned month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = (int64_t)yoe + era * 400 + (month <= 2);

	return arena_printf(d->a, "%04lld-%02u-%02u", (long long)year, month,
			    day);
}

/* María's plan: every state, several voices, a review. */
static enum err
rich_plan(struct demo_care *d, const struct demo_care_patient *p)
{
	struct plan_change g1, g2, g3, g4, a;
	bool carer = p->caregiver_id != 0;

	DEMO_TRY(goal(d, p, BY_PATIENT, 120, "Sleep through the night more often",
		      "Improve sleep; fewer night-time awakenings",
		      "Sleeping 6 hours or more on 5 nights a week",
		      date_in(d, 60), &g1));
	DEMO_TRY(step(d, p, BY_DOCTOR, 118, &g1, "agree", NULL));
	DEMO_TRY(action(d, p, BY_NURSE, 118, &g1, "Keep a sleep diary for two weeks",
		        BY_PATIENT, date_in(d, -100), "planned", &a));
	DEMO_TRY(step(d, p, BY_PATIENT, 117, &a, "agree", NULL));
	DEMO_TRY(step(d, p, BY_PATIENT, 100, &a, "status", "done"));
	DEMO_TRY(action(d, p, BY_DOCTOR, 95, &g1,
		        "Take the evening tablet at 8 pm instead of at bedtime",
		        BY_PATIENT, date_in(d, 14), "in_progress", &a));
	DEMO_TRY(step(d, p, BY_PATIENT, 94, &a, "agree", NULL));
	DEMO_TRY(action(d, p, BY_PATIENT, 40, &g1,
		        "Listen to the relaxation recording before bed",
		        BY_PATIENT, "", "in_progress", &a));
	DEMO_TRY(step(d, p, BY_NURSE, 39, &a, "agree", NULL));

	DEMO_TRY(goal(d, p, BY_NURSE, 90, "Walk further without getting out of breath",
		      "Increase exercise tolerance",
		      "Walking 20 minutes, 3 times a week", date_in(d, 90), &g2));
	DEMO_TRY(step(d, p, BY_PATIENT, 85, &g2, "edit",
		      "Walk to the park and back without stopping"));
	DEMO_TRY(step(d, p, BY_NURSE, 80, &g2, "agree", NULL));
	DEMO_TRY(comment(d, p, BY_PATIENT, 84, &g2,
		         "The park is 15 minutes away, so that is 30 minutes in "
		         "all. Some days my knee hurts."));
	DEMO_TRY(comment(d, p, BY_NURSE, 80, &g2,
		         "That sounds right. On bad knee days, half way and back "
		         "still counts."));
	DEMO_TRY(action(d, p, BY_NURSE, 80, &g2, "Physiotherapy assessment for the knee",
		        BY_NURSE, date_in(d, 21), "planned", &a));
	DEMO_TRY(step(d, p, BY_PATIENT, 79, &a, "agree", NULL));
	if (carer) {
		DEMO_TRY(action(d, p, BY_PATIENT, 20, &g2,
			        "Walk together on Sunday mornings", BY_CAREGIVER,
			        "", "planned", &a));
	}

	DEMO_TRY(review(d, p, 60,
		        "Sleep is a little better. We agreed to keep the sleep "
		        "plan and add the walking goal."));

	DEMO_TRY(goal(d, p, BY_PATIENT, 30, "Feel less alone in the evenings", "",
		      "Talking to someone most evenings", "", &g3));
	DEMO_TRY(step(d, p, BY_DOCTOR, 28, &g3, "agree", NULL));
	DEMO_TRY(action(d, p, BY_DOCTOR, 28, &g3,
		        "Join the Tuesday afternoon community group", BY_PATIENT,
		        date_in(d, 7), "planned", &a));
	DEMO_TRY(step(d, p, BY_PATIENT, 26, &a, "dispute",
		      "On Tuesdays I look after my grandson. Another day would "
		      "work."));

	DEMO_TRY(goal(d, p, BY_DOCTOR, 10,
		      "Take my medicines without feeling foggy",
		      "Review polypharmacy; reduce anticholinergic burden",
		      "Feeling clear-headed in the mornings", date_in(d, 45), &g4));
	DEMO_TRY(action(d, p, BY_DOCTOR, 10, &g4,
		        "Medicines review with the pharmacist", BY_DOCTOR,
		        date_in(d, 10), "planned", &a));
	return ERR_OK;
}

/* Shorter plans for other patients, in different states. */
static enum err
simple_plan(struct demo_care *d, const struct demo_care_patient *p, int k)
{
	static const char *const goals[][2] = {
		{"Get back to my allotment", "Be out in the garden twice a week"},
		{"Keep my blood sugar steadier", "Fewer readings above 10"},
		{"Manage the stairs at home safely", "No falls in 3 months"},
		{"Go back to work part time", "Working 2 days a week"},
		{"Cook for myself again", "Cooking a hot meal 4 days a week"},
	};
	static const char *const actions[] = {
		"Book the occupational therapy home visit",
		"Try the new meal plan for two weeks",
		"Ask the housing officer about a second handrail",
		"Phone the employment adviser",
		"Make a shopping list with my daughter",
	};
	struct plan_change g, a;
	enum demo_who by = k % 3 == 0 ? BY_PATIENT : BY_DOCTOR;

	DEMO_TRY(goal(d, p, by, 50 + k, goals[k % 5][0], "", goals[k % 5][1],
		      date_in(d, 60 + k), &g));
	if (k % 4 != 3)
		DEMO_TRY(step(d, p, by == BY_PATIENT ? BY_DOCTOR : BY_PATIENT,
			      48 + k, &g, "agree", NULL));
	DEMO_TRY(action(d, p, k % 2 ? BY_PATIENT : BY_NURSE, 40, &g,
		        actions[k % 5], k % 2 ? BY_PATIENT : BY_NURSE,
		        date_in(d, 10 + k), "planned", &a));
	if (k % 5 == 1)
		DEMO_TRY(step(d, p, BY_NURSE, 35, &a, "dispute",
			      "Not yet: the assessment comes first."));
	if (who_present(p, BY_CAREGIVER)) {
		DEMO_TRY(action(d, p, BY_CAREGIVER, 20, &g,
			        "Drive to the appointments on Thursdays",
			        BY_CAREGIVER, "", "planned", &a));
		if (k % 2)
			DEMO_TRY(step(d, p, BY_PATIENT, 19, &a, "agree", NULL));
	}
	if (k % 3 == 1)
		DEMO_TRY(review(d, p, 30, "Plan looked at together."));
	return ERR_OK;
}

enum err
demo_care_plan(struct demo_care *d)
{
	size_t i;

	for (i = 0; i < d->n && i <= RICH_PLANS; i++) {
		const struct demo_care_patient *p = &d->patients[i];

		if (p->nteam == 0)
			continue;
		DEMO_TRY(i == 0 ? rich_plan(d, p) : simple_plan(d, p, (int)i));
	}
	return ERR_OK;
}

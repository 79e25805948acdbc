/*
 * Demo review conversations: María López has two complete ones three
 * months apart (her ratings change, and the actions agreed in the first
 * are in her care plan with their owners); a few other patients have one
 * each, one of them only rated so far. Written through the same
 * functions as the pages (dialog_rate_write, dialog_focus_write).
 */
#include "demo/demo_care.h"

#include <string.h>

#include "auth/write.h"
#include "care/dialog.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/banned.h"

#define OTHER_PATIENTS 9	/* after María, each with one conversation */

/* Who owns a scripted action. */
enum owner { OWN_PATIENT, OWN_DOCTOR, OWN_NURSE, OWN_CAREGIVER };

struct demo_action {
	const char *text;
	enum owner owner;
	int due_in_days;	/* after the conversation; 0: no date */
};

struct demo_area {
	const char *code;
	const char *goal;
	const char *steps[4];
	struct demo_action actions[DIALOG_ACTIONS_MAX];
};

/* María's first conversation, with her doctor. */
static const int first_ratings[DIALOG_AREAS] = {3, 4, 2, 5, 3, 5,
						3, 6, 4, 5, 5};
static const bool first_help[DIALOG_AREAS] = {true,  false, true,  false,
					      true,  false, false, false,
					      true,  false, false};
static const struct demo_area first_focus[] = {
	{"mental_health",
	 "Mental health",
	 {"Mornings are the hardest. Walking the dog helps. Sleep has been "
	  "broken for weeks.",
	  "Getting up at the same time most days and feeling less tired.",
	  "María could keep a short sleep diary. The doctor could look at "
	  "when she takes her tablets. Her daughter could join her for an "
	  "evening walk.",
	  "A sleep diary for four weeks, then look at it together."},
	 {{"Keep a short sleep diary for four weeks", OWN_PATIENT, 28},
	  {"Look at the sleep diary together and at when the tablets are "
	   "taken",
	   OWN_DOCTOR, 35},
	  {NULL, OWN_PATIENT, 0}}},
	{"leisure",
	 "Leisure activities (free time)",
	 {"She used to sing in a choir and stopped when she felt low.",
	  "Singing with other people again, even once a month.",
	  "Find a choir close to home. Her daughter could come along the "
	  "first time.",
	  "Go to one open rehearsal of the community choir."},
	 {{"Find the times of the community choir rehearsals", OWN_CAREGIVER,
	   14},
	  {"Go to one open rehearsal of the community choir", OWN_PATIENT,
	   42},
	  {NULL, OWN_PATIENT, 0}}},
	{"medication",
	 "Medication",
	 {"Not sure the tablets help. Worried about putting on weight.",
	  "Knowing what the tablets are for and what else could help.",
	  "Talk it through with the nurse before changing anything.",
	  "An appointment with the nurse about side effects and other "
	  "options."},
	 {{"Talk through side effects and other options with María", OWN_NURSE,
	   21},
	  {NULL, OWN_PATIENT, 0},
	  {NULL, OWN_PATIENT, 0}}},
};

/* Her second, three months later: rated by María herself. */
static const int second_ratings[DIALOG_AREAS] = {5, 4, 3, 5, 5, 6,
						 4, 6, 5, 5, 6};
static const bool second_help[DIALOG_AREAS] = {false, false, true,  false,
					       false, false, false, false,
					       false, false, false};
static const struct demo_area second_focus[] = {
	{"job",
	 "Job situation",
	 {"She misses work but worries that full days would be too much.",
	  "Going back to work for a few hours a week.",
	  "A phased return agreed with her employer, with a letter from the "
	  "doctor.",
	  "Ask about a phased return and get a letter for the employer."},
	 {{"Ask the employer about a phased return", OWN_PATIENT, 14},
	  {"Write a letter for the employer about a phased return",
	   OWN_DOCTOR, 10},
	  {NULL, OWN_PATIENT, 0}}},
};

static bool
owner_present(const struct demo_care_patient *p, enum owner o)
{
	switch (o) {
	case OWN_PATIENT:
		return true;
	case OWN_DOCTOR:
		return p->nteam > 0;
	case OWN_NURSE:
		return p->nteam > 1;
	default:
		return p->caregiver_id != 0;
	}
}

static void
set_owner(const struct demo_care_patient *p, enum owner o,
	  struct dialog_action *x)
{
	switch (o) {
	case OWN_PATIENT:
		x->owner_kind = "patient";
		x->owner_id = 0;
		break;
	case OWN_DOCTOR:
		x->owner_kind = "professional";
		x->owner_id = p->team[0];
		break;
	case OWN_NURSE:
		x->owner_kind = "professional";
		x->owner_id = p->team[1];
		break;
	default:
		x->owner_kind = "caregiver";
		x->owner_id = p->caregiver_id;
		break;
	}
}

/* "YYYY-MM-DD" `days` after `c`'s time. */
static const char *
due(struct demo_care *d, const struct ctx *c, int days)
{
	return clock_date(d->a, c->now + (int64_t)days * DEMO_CARE_DAY);
}

/* Step 1 by `c`'s actor; the conversation's id in `*id`. */
static enum err
rate(struct demo_care *d, struct ctx *c, const struct demo_care_patient *p,
     const int *ratings, const bool *help, int64_t *id)
{
	struct dialog_rate_job j;
	struct write_info wi = {
		.action = "create",
		.resource_type = DIALOG_RES,
		.patient_id = p->id,
		.detail = "review-ratings",
		.touchpoint_kind = "review-conversation",
	};
	int i;

	memset(&j, 0, sizeof(j));
	j.id = *id = id_new();
	j.org_id = d->org_id;
	j.patient_id = p->id;
	j.author_id = c->actor.account_id;
	j.voice = role_voice(c->actor.role);
	j.at_ms = c->now * 1000;
	for (i = 0; i < DIALOG_AREAS; i++) {
		j.ratings[i].rating = ratings[i];
		j.ratings[i].more_help = help[i];
	}
	wi.resource_id = arena_printf(d->a, "%lld", (long long)j.id);
	return write_within(d->db, c, &wi, dialog_rate_write, &j);
}

/* Step 2 by `c`'s actor on conversation `id` (version 1). */
static enum err
talk(struct demo_care *d, struct ctx *c, const struct demo_care_patient *p,
     int64_t id, const struct demo_area *areas, size_t n)
{
	struct dialog_focus_job j;
	struct write_info wi = {
		.action = "update",
		.resource_type = DIALOG_RES,
		.patient_id = p->id,
		.detail = "review-focus",
		.touchpoint_kind = "review-conversation",
	};
	size_t i, k;

	memset(&j, 0, sizeof(j));
	j.org_id = d->org_id;
	j.patient_id = p->id;
	j.conversation_id = id;
	j.version = 1;
	j.author_id = c->actor.account_id;
	j.voice = role_voice(c->actor.role);
	j.at_ms = c->now * 1000;
	j.now = c->now;
	for (i = 0; i < n && j.nfocus < DIALOG_FOCUS_MAX; i++) {
		struct dialog_focus *f = &j.focus[j.nfocus];

		f->area = dialog_area_find(areas[i].code);
		f->understanding = areas[i].steps[0];
		f->looking_forward = areas[i].steps[1];
		f->options = areas[i].steps[2];
		f->agreed = areas[i].steps[3];
		for (k = 0; k < DIALOG_ACTIONS_MAX && areas[i].actions[k].text;
		     k++) {
			const struct demo_action *a = &areas[i].actions[k];
			struct dialog_action *x = &f->actions[f->nactions];

			if (!owner_present(p, a->owner))
				continue;
			x->text = a->text;
			set_owner(p, a->owner, x);
			x->due_date = a->due_in_days
					      ? due(d, c, a->due_in_days)
					      : "";
			f->nactions++;
		}
		j.goal_text[j.nfocus] = areas[i].goal;
		j.progress_sign[j.nfocus] =
			"A higher rating for this area at the next review "
			"conversation";
		j.nfocus++;
	}
	wi.resource_id = arena_printf(d->a, "%lld", (long long)id);
	return write_within(d->db, c, &wi, dialog_focus_write, &j);
}

static enum err
maria(struct demo_care *d, const struct demo_care_patient *p)
{
	struct ctx *c;
	int64_t id;
	enum err e;

	if (p->nteam < 1)
		return ERR_OK;
	c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 95, 0);
	if ((e = rate(d, c, p, first_ratings, first_help, &id)) != ERR_OK)
		return e;
	c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 95, 25);
	if ((e = talk(d, c, p, id, first_focus,
		      sizeof(first_focus) / sizeof(first_focus[0]))) != ERR_OK)
		return e;
	c = p->account_id
		    ? demo_care_as(d, p->account_id, ROLE_PATIENT, p, 4, 0)
		    : demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 4, 0);
	if ((e = rate(d, c, p, second_ratings, second_help, &id)) != ERR_OK)
		return e;
	c = demo_care_as(d, p->team[p->nteam > 1 ? 1 : 0], ROLE_PROFESSIONAL,
			 p, 3, 0);
	return talk(d, c, p, id, second_focus,
		    sizeof(second_focus) / sizeof(second_focus[0]));
}

/* Another patient's one conversation: only rated (the first of them),
 * talked through without actions, or with one action of their own. */
static enum err
other(struct demo_care *d, const struct demo_care_patient *p, size_t i)
{
	static const struct demo_area areas[] = {
		{"physical_health",
		 "Physical health",
		 {"Getting out of breath on the stairs.",
		  "Walking to the shops without stopping.",
		  "A short walk every day, building up slowly.",
		  "Walk for ten minutes every day."},
		 {{"Walk for ten minutes every day", OWN_PATIENT, 30},
		  {NULL, OWN_PATIENT, 0},
		  {NULL, OWN_PATIENT, 0}}},
		{"friendships",
		 "Friendships",
		 {"Sees few people since moving house.",
		  "Having someone to talk to most weeks.",
		  "The community centre has a weekly coffee morning.",
		  "Think about the coffee morning; no action yet."},
		 {{NULL, OWN_PATIENT, 0},
		  {NULL, OWN_PATIENT, 0},
		  {NULL, OWN_PATIENT, 0}}},
	};
	int ratings[DIALOG_AREAS];
	bool help[DIALOG_AREAS];
	bool by_patient = p->account_id && i % 2 == 0;
	int days = (int)(5 + (i * 11) % 60), k;
	struct ctx *c;
	int64_t id;
	enum err e;

	if (p->nteam < 1)
		return ERR_OK;
	for (k = 0; k < DIALOG_AREAS; k++) {
		ratings[k] = 1 + (int)((i * 3 + (size_t)k * 5) % 7);
		help[k] = ratings[k] <= 2;
	}
	if (by_patient)
		c = demo_care_as(d, p->account_id, ROLE_PATIENT, p, days, 0);
	else
		c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, days, 0);
	if ((e = rate(d, c, p, ratings, help, &id)) != ERR_OK)
		return e;
	if (i == 1)
		return ERR_OK;
	c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, days, 30);
	return talk(d, c, p, id, &areas[i % 3 == 0 ? 0 : 1], 1);
}

enum err
demo_care_dialog(struct demo_care *d)
{
	size_t i;
	enum err e;

	if (d->n == 0)
		return ERR_OK;
	if ((e = maria(d, &d->patients[0])) != ERR_OK)
		return e;
	for (i = 1; i < d->n && i <= OTHER_PATIENTS; i++)
		if ((e = other(d, &d->patients[i], i)) != ERR_OK)
			return e;
	return ERR_OK;
}

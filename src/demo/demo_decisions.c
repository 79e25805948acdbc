/*
 * Demo shared decisions: two decision aids of the demo organisation
 * (low mood or depression; knee pain from osteoarthritis), written in
 * plain, cautious words; María López's decision about low mood, made
 * with her doctor and later added to by her, with a date to look at it
 * again; and another patient's decision not made yet. Written through
 * decision_aid_write and decision_write, as the pages do.
 */
#include "demo/demo_care.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/write.h"
#include "care/decision.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/banned.h"

#define CAUTION                                                         \
	"General information only: talk to your care team about what is "  \
	"right for you."

struct demo_aid {
	const char *title;
	const char *options[4];
	const char *questions[5];
	const char *cells[5][4];
	const char *source;
};

static const struct demo_aid mood_aid = {
	"Treatment for low mood or depression",
	{"Talking therapy", "Antidepressant medicine", "Both together",
	 "Wait and review in 4 weeks"},
	{"What does it involve?", "How soon might I feel better?",
	 "What are the side effects or downsides?",
	 "How often will I need appointments?", "What happens if I stop?"},
	{{"Regular sessions with a trained therapist, in person, by phone or "
	  "online, to talk about thoughts, feelings and what you do.",
	  "Taking a tablet every day, usually for several months after you "
	  "feel better.",
	  "Talking therapy sessions and a daily tablet at the same time.",
	  "No new treatment for now. You keep in touch with your care team "
	  "and look at how you feel again in 4 weeks."},
	 {"Many people notice a change after several weeks of sessions. It "
	  "is different for everyone.",
	  "It usually takes a few weeks to start working, and longer for the "
	  "full effect.",
	  "For some people, especially when depression is more severe, the "
	  "two together help more than either one alone.",
	  "Mild low mood sometimes gets better on its own. If it does not, "
	  "the other options are still open."},
	 {"Talking about difficult things can feel hard at first. It takes "
	  "time and some work between sessions.",
	  "Some people have side effects, such as feeling sick or changes in "
	  "sleep. Many ease after the first weeks. Your doctor or pharmacist "
	  "can tell you more.",
	  "The downsides of both: time for the sessions and possible side "
	  "effects of the medicine.",
	  "You may feel low for longer. Tell your care team straight away "
	  "if you feel worse."},
	 {"Usually once a week or every two weeks, for a few months.",
	  "A check with your doctor or nurse a few weeks after starting, "
	  "then less often.",
	  "Therapy sessions and checks on the medicine.",
	  "One review in about 4 weeks, sooner if you need it."},
	 {"You can stop at any time. It helps to talk to your therapist "
	  "first.",
	  "Stopping suddenly can cause unpleasant effects. Talk to your "
	  "doctor first: the dose is usually lowered slowly.",
	  "Talk to your care team before stopping either one.",
	  "There is nothing to stop. You can choose a treatment at any "
	  "time."}},
	"Written in plain words by the care team from national guidance on "
	"depression in adults. " CAUTION,
};

static const struct demo_aid knee_aid = {
	"Managing knee pain from osteoarthritis",
	{"Exercise and physiotherapy", "Painkillers", "Steroid injection",
	 "Knee replacement surgery"},
	{"What does it involve?", "How soon might it help?",
	 "What are the side effects or downsides?",
	 "How long does the benefit last?",
	 "How often will I need appointments?"},
	{{"Exercises to make the muscles around the knee stronger, shown by "
	  "a physiotherapist and done at home most days.",
	  "Tablets or gels, such as paracetamol or an anti-inflammatory gel, "
	  "used when the pain is bad.",
	  "An injection into the knee joint, given in a clinic.",
	  "An operation to replace the worn surfaces of the knee joint, with "
	  "a hospital stay and weeks of exercises afterwards."},
	 {"Often a few weeks of regular exercise before the knee feels "
	  "better.",
	  "Usually within an hour.", "Usually within a few days.",
	  "Recovery takes months. Most people have less pain once they have "
	  "recovered."},
	 {"The knee may ache at first. It needs regular effort.",
	  "It depends on the medicine. Some can upset the stomach or affect "
	  "the kidneys or heart, so ask your doctor or pharmacist.",
	  "The knee can be sore for a day or two. There is a small risk of "
	  "infection. Injections are not usually given often.",
	  "The risks of any operation, such as infection or blood clots. "
	  "Some people still have some pain or stiffness."},
	 {"As long as you keep exercising.", "Only while you take them.",
	  "Usually a few weeks to a few months.",
	  "Most knee replacements last many years."},
	 {"A few physiotherapy sessions, then exercise on your own.",
	  "A review with your doctor or pharmacist from time to time.",
	  "A clinic visit for each injection.",
	  "Checks before the operation, the hospital stay, then "
	  "physiotherapy and check-ups."}},
	"Written in plain words by the care team from national guidance on "
	"osteoarthritis. " CAUTION,
};

/* The aid `src` as stored with id `id` (version 1, offered). */
static void
load_aid(const struct demo_aid *src, int64_t id, struct decision_aid *aid)
{
	size_t q, o;

	memset(aid, 0, sizeof(*aid));
	aid->id = id;
	aid->title = src->title;
	aid->noptions = 4;
	aid->nquestions = 5;
	for (o = 0; o < 4; o++)
		aid->options[o] = src->options[o];
	for (q = 0; q < 5; q++) {
		aid->questions[q] = src->questions[q];
		for (o = 0; o < 4; o++)
			aid->cells[q][o] = src->cells[q][o];
	}
	aid->source = src->source;
	aid->active = true;
	aid->version = 1;
}

/* Stores an aid as cocare itself; its id in `*id`. */
static enum err
add_aid(struct demo_care *d, const struct demo_aid *src, int64_t *id)
{
	struct decision_aid_job j;
	struct write_info wi = {
		.action = "create",
		.resource_type = DECISION_AID_RES,
		.detail = "decision-aid",
	};
	struct ctx *c = demo_care_as(d, 0, ROLE_SYSTEM, NULL, 200, 0);

	memset(&j, 0, sizeof(j));
	load_aid(src, *id = id_new(), &j.aid);
	j.aid.org_id = d->org_id;
	j.create = true;
	j.at_ms = c->now * 1000;
	wi.resource_id = arena_printf(d->a, "%lld", (long long)*id);
	return write_within(d->db, c, &wi, decision_aid_write, &j);
}

/* Participants JSON as the pages store it: the patient and, when
 * `pro` is set, that professional. */
static const char *
participants(struct demo_care *d, const struct demo_care_patient *p,
	     int64_t pro, const char *pro_name)
{
	json_t *arr = json_array(), *o;
	char *s, *copy;

	o = json_object();
	json_object_set_new(o, "id", json_string("patient"));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "voice", json_string("patient"));
	json_array_append_new(arr, o);
	if (pro) {
		o = json_object();
		json_object_set_new(o, "id",
				    json_string(arena_printf(d->a, "%lld",
							     (long long)pro)));
		json_object_set_new(o, "name", json_string(pro_name));
		json_object_set_new(o, "voice", json_string("professional"));
		json_array_append_new(arr, o);
	}
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	copy = s ? arena_strdup(d->a, s) : NULL;
	free(s);
	return copy ? copy : "[]";
}

static enum err
write_decision(struct demo_care *d, struct ctx *c,
	       const struct demo_care_patient *p, struct decision_job *j)
{
	struct write_info wi = {
		.action = j->create ? "create" : "update",
		.resource_type = DECISION_RES,
		.patient_id = p->id,
		.detail = "shared-decision",
		.touchpoint_kind = "shared-decision",
	};

	j->author_id = c->actor.account_id;
	j->voice = role_voice(c->actor.role);
	j->at_ms = c->now * 1000;
	wi.resource_id = arena_printf(d->a, "%lld", (long long)j->d.id);
	return write_within(d->db, c, &wi, decision_write, j);
}

/* A new decision of `p` on aid `aid` (`src`), with the first three
 * options considered, `p` and their first team member taking part and a
 * date to look at it again in `revisit_days`. */
static void
decision_init(struct demo_care *d, const struct demo_care_patient *p,
	      const struct demo_aid *src, int64_t aid, int revisit_days,
	      struct decision_job *j)
{
	memset(j, 0, sizeof(*j));
	load_aid(src, aid, &j->d.aid);
	j->d.id = id_new();
	j->d.org_id = d->org_id;
	j->d.patient_id = p->id;
	j->d.aid_id = aid;
	j->d.considered[0] = j->d.considered[1] = j->d.considered[2] = true;
	j->d.participants = participants(d, p, p->team[0], p->team_names[0]);
	j->d.revisit_date = clock_date(d->a, d->now + (int64_t)revisit_days *
							      DEMO_CARE_DAY);
	j->create = true;
}

/* María chooses talking therapy with her doctor; three weeks later she
 * adds to the reasons herself. */
static enum err
maria(struct demo_care *d, const struct demo_care_patient *p, int64_t aid)
{
	struct decision_job j;
	struct ctx *c;
	enum err e;

	if (p->nteam < 1)
		return ERR_OK;
	decision_init(d, p, &mood_aid, aid, 30, &j);
	j.d.matters[1] = j.d.matters[2] = true;
	j.d.choice = 0;
	j.d.reasons = "I would like to try talking first, and I am worried "
		      "about putting on weight with tablets.";
	c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 40, 0);
	if ((e = write_decision(d, c, p, &j)) != ERR_OK || !p->account_id)
		return e;
	j.create = false;
	j.d.reasons = "I would like to try talking first, and I am worried "
		      "about putting on weight with tablets. If I do not "
		      "feel better by the review date, we will look at "
		      "medicine again.";
	c = demo_care_as(d, p->account_id, ROLE_PATIENT, p, 19, 0);
	return write_decision(d, c, p, &j);
}

/* A decision about knee pain, talked about but not made yet. */
static enum err
undecided(struct demo_care *d, const struct demo_care_patient *p,
	  int64_t aid)
{
	struct decision_job j;
	struct ctx *c;

	if (p->nteam < 1)
		return ERR_OK;
	decision_init(d, p, &knee_aid, aid, 14, &j);
	j.d.matters[0] = j.d.matters[3] = true;
	j.d.choice = DECISION_UNDECIDED;
	j.d.reasons = "Wants to talk it over with family first.";
	c = demo_care_as(d, p->team[0], ROLE_PROFESSIONAL, p, 6, 0);
	return write_decision(d, c, p, &j);
}

enum err
demo_care_decisions(struct demo_care *d)
{
	int64_t mood, knee;
	enum err e;

	if ((e = add_aid(d, &mood_aid, &mood)) != ERR_OK ||
	    (e = add_aid(d, &knee_aid, &knee)) != ERR_OK)
		return e;
	if (d->n > 0 && (e = maria(d, &d->patients[0], mood)) != ERR_OK)
		return e;
	if (d->n > 1 && (e = undecided(d, &d->patients[1], knee)) != ERR_OK)
		return e;
	return ERR_OK;
}

/*
 * Demo records of "what matters to me" and the crisis plan, written
 * through the same domain functions as the pages: María López (the
 * "patient" login) has both, written together with her nurse and doctor
 * over several versions; other patients have them at different stages
 * (words waiting for the patient's confirmation, a plan by the
 * professional only, no crisis plan yet). Phone numbers are the ranges
 * kept for drama (0161 496 0xxx, 07700 900xxx), a made-up crisis line
 * and 999.
 */
#include "demo/demo_care.h"

#include <string.h>

#include "auth/write.h"
#include "care/crisis.h"
#include "care/matters.h"
#include "core/arena.h"
#include "core/banned.h"

#define RICH 5		/* patients with fuller stories */
#define LIGHT 20	/* patients after them with a little */

static enum err
write_matters(struct demo_care *d, const struct demo_care_patient *p,
	      int64_t author, enum role role, int days_ago, int *version,
	      const char *const text[MATTERS__MAX])
{
	struct ctx *c = demo_care_as(d, author, role, p, days_ago, 0);
	struct write_info wi = {
		.action = *version ? "update" : "create",
		.resource_type = MATTERS_RES,
		.resource_id = arena_printf(d->a, "%lld", (long long)p->id),
		.patient_id = p->id,
		.detail = "what-matters",
		.touchpoint_kind = "matters-updated",
		.voice = role == ROLE_PATIENT ? NULL : "patient",
	};
	struct matters_change m = {
		.org_id = d->org_id,
		.patient_id = p->id,
		.author_id = author,
		.at_ms = c->now * 1000,
		.by_patient = role == ROLE_PATIENT,
		.with_patient = role != ROLE_PATIENT,
		.version = *version,
	};
	enum err e;

	memcpy(m.text, text, sizeof(m.text));
	if ((e = write_within(d->db, c, &wi, matters_write, &m)) != ERR_OK)
		return e;
	*version = m.new_version;
	return ERR_OK;
}

static enum err
confirm_matters(struct demo_care *d, const struct demo_care_patient *p,
		int days_ago, int *version)
{
	struct ctx *c = demo_care_as(d, p->account_id, ROLE_PATIENT, p,
				     days_ago, 0);
	struct write_info wi = {
		.action = "update",
		.resource_type = MATTERS_RES,
		.resource_id = arena_printf(d->a, "%lld", (long long)p->id),
		.patient_id = p->id,
		.detail = "matters-confirmed",
		.touchpoint_kind = "matters-confirmed",
	};
	struct matters_confirm m = {
		.org_id = d->org_id,
		.patient_id = p->id,
		.author_id = p->account_id,
		.at_ms = c->now * 1000,
		.by_patient = true,
		.version = *version,
	};
	enum err e;

	if ((e = write_within(d->db, c, &wi, matters_confirm, &m)) != ERR_OK)
		return e;
	*version = m.new_version;
	return ERR_OK;
}

static enum err
write_crisis(struct demo_care *d, const struct demo_care_patient *p,
	     int64_t author, enum role role, int days_ago, int *version,
	     const char *const text[CRISIS__MAX])
{
	struct ctx *c = demo_care_as(d, author, role, p, days_ago, 30);
	struct write_info wi = {
		.action = *version ? "update" : "create",
		.resource_type = CRISIS_RES,
		.resource_id = arena_printf(d->a, "%lld", (long long)p->id),
		.patient_id = p->id,
		.detail = "crisis-plan",
		.touchpoint_kind = "crisis-plan-updated",
	};
	struct crisis_change m = {
		.org_id = d->org_id,
		.patient_id = p->id,
		.author_id = author,
		.voice = role_voice(role),
		.at_ms = c->now * 1000,
		.version = *version,
	};
	enum err e;

	memcpy(m.text, text, sizeof(m.text));
	if ((e = write_within(d->db, c, &wi, crisis_write, &m)) != ERR_OK)
		return e;
	*version = m.new_version;
	return ERR_OK;
}

/* María: what matters written with the nurse, confirmed, then changed
 * by herself; the crisis plan over four versions by her and the
 * doctor. */
static enum err
maria(struct demo_care *d, const struct demo_care_patient *p)
{
	const char *doctor = p->team_names[0];
	const char *nurse = p->nteam > 1 ? p->team_names[1] : doctor;
	int64_t nurse_id = p->nteam > 1 ? p->team[1] : p->team[0];
	const char *m[MATTERS__MAX] = {
		"My daughter Lucía and my grandson Mateo.\n"
		"My garden, and my tomatoes in the summer.\n"
		"The Spanish group at the community centre on Thursdays.",
		"I sleep well and I am up before nine.\n"
		"I walk by the river and stop for a coffee.\n"
		"I cook a proper meal and talk to Lucía on the phone.",
		"I do not give up easily.\n"
		"I am a good listener: friends come to me with their "
		"problems.\n"
		"I have got through hard times before.",
		"Spanish is my first language. When I am upset my English "
		"gets worse: please speak slowly.\n"
		"Please ask before you touch me.\n"
		"Mornings are my best time for appointments.",
	};
	const char *c[CRISIS__MAX] = {0};
	int mv = 0, cv = 0, i;
	enum err e;

	if ((e = write_matters(d, p, nurse_id, ROLE_PROFESSIONAL, 60, &mv,
			       m)) != ERR_OK)
		return e;
	if (p->account_id &&
	    (e = confirm_matters(d, p, 58, &mv)) != ERR_OK)
		return e;
	m[MATTERS_WHAT] = "My daughter Lucía and my grandson Mateo.\n"
			  "My cat, Luna.\n"
			  "My garden, and my tomatoes in the summer.\n"
			  "The Spanish group at the community centre on "
			  "Thursdays.";
	m[MATTERS_GOOD_DAY] = "I sleep well and I am up before nine.\n"
			      "I walk by the river with Carmen and stop "
			      "for a coffee.\n"
			      "I cook a proper meal and talk to Lucía on the "
			      "phone.";
	if (p->account_id &&
	    (e = write_matters(d, p, p->account_id, ROLE_PATIENT, 20, &mv,
			       m)) != ERR_OK)
		return e;

	for (i = 0; i < CRISIS__MAX; i++)
		c[i] = "";
	c[CRISIS_WARNING_SIGNS] =
		"I stop answering the phone.\n"
		"I stay in bed all day and stop eating.\n"
		"I start to think everyone would be better off without me.";
	c[CRISIS_PROFESSIONALS] = arena_printf(
		d->a,
		"%s at the clinic (weekdays): 0161 496 0000\n"
		"Crisis line, day and night: 0800 555 0199\n"
		"Emergency: 999",
		doctor);
	c[CRISIS_SAFE_ENVIRONMENT] =
		"Lucía keeps my spare tablets at her house.";
	if ((e = write_crisis(d, p, p->team[0], ROLE_PROFESSIONAL, 56, &cv,
			      c)) != ERR_OK)
		return e;
	c[CRISIS_COPING] = "Listen to my old flamenco records.\n"
			   "Water the garden, even for ten minutes.\n"
			   "Have a hot shower and put on clean clothes.";
	c[CRISIS_DISTRACTIONS] = "Lucía's house: 07700 900123\n"
				 "The café at the community centre.\n"
				 "A cup of tea with my neighbour Carmen.";
	c[CRISIS_REASONS] = "My grandson Mateo.\n"
			    "Seeing my tomatoes grow every summer.\n"
			    "Lucía needs me, and I need her.";
	if (p->account_id &&
	    (e = write_crisis(d, p, p->account_id, ROLE_PATIENT, 50, &cv,
			      c)) != ERR_OK)
		return e;
	c[CRISIS_HELP_PEOPLE] = "Lucía, my daughter: 07700 900123\n"
				"Carmen, my neighbour: 07700 900456";
	c[CRISIS_PROFESSIONALS] = arena_printf(
		d->a,
		"%s at the clinic (weekdays): 0161 496 0000\n"
		"%s, my community nurse: 0161 496 0001\n"
		"Crisis line, day and night: 0800 555 0199\n"
		"Emergency: 999",
		doctor, nurse);
	c[CRISIS_SAFE_ENVIRONMENT] =
		"Lucía keeps my spare tablets at her house.\n"
		"I get my tablets each week, not each month.";
	if ((e = write_crisis(d, p, p->team[0], ROLE_PROFESSIONAL, 30, &cv,
			      c)) != ERR_OK)
		return e;
	c[CRISIS_WHAT_HELPS] = "Speak to me in Spanish if you can.\n"
			       "Sit with me quietly: I do not always need "
			       "to talk.";
	c[CRISIS_WHAT_DOES_NOT_HELP] = "Being told to cheer up.\n"
				       "Lots of people in the room at once.";
	c[CRISIS_WHO_TO_CONTACT] = "Lucía first: 07700 900123\n"
				   "Please do not contact my former husband.";
	c[CRISIS_TREATMENT] =
		"If I need to stay in hospital, I would like the unit near "
		"Lucía's house.\n"
		"One medicine made me sleep all day: please talk to me "
		"before trying it again.\n"
		"Please let Lucía bring my own clothes and my photos.";
	if (p->account_id)
		return write_crisis(d, p, p->account_id, ROLE_PATIENT, 10, &cv,
				    c);
	return write_crisis(d, p, p->team[0], ROLE_PROFESSIONAL, 10, &cv, c);
}

static const char *const good_days[] = {
	"I have slept and I have something to do in the morning.",
	"I see my friends and I get outside, even in the rain.",
	"I feel useful: I help someone or finish a job.",
};
static const char *const strengths[] = {
	"I am honest and I keep trying.",
	"I make people laugh.",
	"I am good with my hands and I like to fix things.",
};
static const char *const warning_signs[] = {
	"I stop sleeping.\nI stop seeing my friends.",
	"I drink more than usual.\nI get angry over small things.",
	"I stop going out.\nI feel nobody understands me.",
};

/* A few words by patient `i`, about themself. */
static void
fill_matters(struct demo_care *d, const struct demo_care_patient *p,
	     size_t i, const char *text[MATTERS__MAX])
{
	text[MATTERS_WHAT] = arena_printf(
		d->a, "My family and friends.\nStaying in my own home, %s.",
		i % 2 ? "near the people I know" : "with my dog");
	text[MATTERS_GOOD_DAY] = good_days[i % 3];
	text[MATTERS_STRENGTHS] = strengths[i % 3];
	text[MATTERS_KNOW] = p->age >= 70
				     ? "I hear better on my left side."
				     : "Please text before you call me.";
}

static void
fill_crisis(size_t i, const char *text[CRISIS__MAX], bool full)
{
	int k;

	for (k = 0; k < CRISIS__MAX; k++)
		text[k] = "";
	text[CRISIS_WARNING_SIGNS] = warning_signs[i % 3];
	text[CRISIS_PROFESSIONALS] =
		"The clinic (weekdays): 0161 496 0000\n"
		"Crisis line, day and night: 0800 555 0199\n"
		"Emergency: 999";
	if (!full)
		return;
	text[CRISIS_COPING] = "Go for a walk.\nPlay music loud.";
	text[CRISIS_HELP_PEOPLE] = "My sister: 07700 900789";
	text[CRISIS_SAFE_ENVIRONMENT] =
		"Keep only a week of tablets at home.";
	text[CRISIS_REASONS] = "My children.\nMy dog.";
	text[CRISIS_WHAT_HELPS] = "Tell me clearly what is happening.";
	text[CRISIS_WHO_TO_CONTACT] = "My sister: 07700 900789";
}

/* The other patients, at different stages. */
static enum err
others(struct demo_care *d)
{
	const char *m[MATTERS__MAX], *c[CRISIS__MAX];
	size_t i;
	enum err e;

	for (i = 1; i < d->n && i < RICH + LIGHT; i++) {
		const struct demo_care_patient *p = &d->patients[i];
		int mv = 0, cv = 0;

		if (!p->nteam)
			continue;
		fill_matters(d, p, i, m);
		fill_crisis(i, c, i < RICH);
		switch (i % 4) {
		case 1:
			/* Written with a professional, not yet confirmed;
			 * a plan started by the professional. */
			if ((e = write_matters(d, p, p->team[0],
					       ROLE_PROFESSIONAL, 12, &mv,
					       m)) != ERR_OK ||
			    (e = write_crisis(d, p, p->team[0],
					      ROLE_PROFESSIONAL, 11, &cv,
					      c)) != ERR_OK)
				return e;
			break;
		case 2:
			/* In their own words; no crisis plan yet. */
			if (p->account_id)
				e = write_matters(d, p, p->account_id,
						  ROLE_PATIENT, 25, &mv, m);
			else
				e = write_matters(d, p, p->team[0],
						  ROLE_PROFESSIONAL, 25, &mv,
						  m);
			if (e != ERR_OK)
				return e;
			break;
		case 3:
			/* A plan by the professional, then the patient's
			 * additions. */
			if ((e = write_crisis(d, p, p->team[0],
					      ROLE_PROFESSIONAL, 40, &cv,
					      c)) != ERR_OK)
				return e;
			if (p->account_id) {
				c[CRISIS_COPING] = "Phone a friend.\n"
						   "Cook something.";
				if ((e = write_crisis(d, p, p->account_id,
						      ROLE_PATIENT, 35, &cv,
						      c)) != ERR_OK)
					return e;
			}
			break;
		default:
			/* Written together and confirmed; a short plan. */
			if ((e = write_matters(d, p, p->team[0],
					       ROLE_PROFESSIONAL, 30, &mv,
					       m)) != ERR_OK)
				return e;
			if (p->account_id &&
			    (e = confirm_matters(d, p, 29, &mv)) != ERR_OK)
				return e;
			fill_crisis(i, c, false);
			if ((e = write_crisis(d, p, p->team[0],
					      ROLE_PROFESSIONAL, 28, &cv,
					      c)) != ERR_OK)
				return e;
			break;
		}
	}
	return ERR_OK;
}

enum err
demo_care_crisis(struct demo_care *d)
{
	enum err e;

	if (d->n > 0 && d->patients[0].nteam > 0 &&
	    (e = maria(d, &d->patients[0])) != ERR_OK)
		return e;
	return others(d);
}

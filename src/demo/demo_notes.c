/*
 * Demo progress notes: notes by each patient's care team over the last
 * months (most shared, one withheld for information about another
 * person), a note María López wrote together with her nurse, her view
 * beside a note, a correction she asked for and got, and one still
 * waiting. Everything is written through the notes' own write functions.
 */
#include "demo/demo_care.h"

#include <string.h>

#include "auth/write.h"
#include "care/note.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/banned.h"

#define RICH_NOTES 5	/* patients with several notes, María first */
#define LIGHT_NOTES 12	/* patients after them with one or two */

/* Stores note `nw`, filled but for who and when, as written by team
 * member `t` of `p`, `days_ago`, with a new id; audited as the note
 * pages do it. */
static enum err
note_store(struct demo_care *d, const struct demo_care_patient *p, size_t t,
	   int days_ago, struct note_write *nw)
{
	struct ctx *c = demo_care_as(d, p->team[t], ROLE_PROFESSIONAL, p,
				     days_ago, 0);
	struct write_info wi = {
		.action = "create",
		.resource_type = NOTE_RES_NOTE,
		.patient_id = p->id,
		.detail = nw->shared ? (nw->cowritten ? "cowritten" : NULL)
				     : nw->withheld_reason,
		.touchpoint_kind = nw->shared ? "note-shared" : NULL,
	};

	nw->org_id = d->org_id;
	nw->patient_id = p->id;
	nw->author_id = p->team[t];
	nw->voice = "professional";
	nw->at_ms = c->now * 1000;
	nw->id = id_new();
	wi.resource_id = arena_printf(d->a, "%lld", (long long)nw->id);
	return write_within(d->db, c, &wi, note_create, nw);
}

/* A note by team member `t` of `p`, `days_ago`; shared unless `reason`
 * is given. `out` keeps the id and version for later steps. */
static enum err
note(struct demo_care *d, const struct demo_care_patient *p, size_t t,
     int days_ago, const char *title, const char *body, const char *reason,
     struct note_write *out)
{
	memset(out, 0, sizeof(*out));
	out->title = title;
	out->body = body;
	out->shared = reason == NULL;
	out->withheld_reason = reason ? reason : "";
	DEMO_TRY(note_store(d, p, t, days_ago, out));
	out->version = out->new_version;
	return ERR_OK;
}

/* "My view" (`request` false) or a correction request by the patient. */
static enum err
beside(struct demo_care *d, const struct demo_care_patient *p, int days_ago,
       const struct note_write *n, bool request, const char *text,
       int64_t *id)
{
	struct ctx *c = demo_care_as(d, p->account_id, ROLE_PATIENT, p,
				     days_ago, 0);
	struct write_info wi = {
		.action = "create",
		.resource_type = request ? NOTE_RES_AMENDMENT : NOTE_RES_VIEW,
		.patient_id = p->id,
		.touchpoint_kind = request ? "amendment-request" : "note-view",
	};
	struct note_beside b = {
		.org_id = d->org_id,
		.patient_id = p->id,
		.note_id = n->id,
		.author_id = p->account_id,
		.voice = "patient",
		.at_ms = c->now * 1000,
		.text = text,
		.id = id_new(),
	};

	wi.resource_id = arena_printf(d->a, "%lld", (long long)b.id);
	DEMO_TRY(write_within(d->db, c, &wi,
			      request ? note_amend_request : note_view_add, &b));
	if (id)
		*id = b.id;
	return ERR_OK;
}

/* The author's answer: the corrected `body`, or (NULL) an explanation. */
static enum err
answer(struct demo_care *d, const struct demo_care_patient *p, int days_ago,
       struct note_write *n, int64_t aid, const char *text, const char *body)
{
	struct ctx *c = demo_care_as(d, n->author_id, ROLE_PROFESSIONAL, p,
				     days_ago, 0);
	struct write_info wi = {
		.action = "update",
		.resource_type = NOTE_RES_AMENDMENT,
		.patient_id = p->id,
		.detail = body ? "accepted" : "explained",
		.touchpoint_kind = "amendment-answer",
	};
	struct note_answer na = {
		.org_id = d->org_id,
		.patient_id = p->id,
		.note_id = n->id,
		.amendment_id = aid,
		.answered_by = n->author_id,
		.voice = "professional",
		.at_ms = c->now * 1000,
		.accept = body != NULL,
		.answer = text,
		.body = body,
		.version = n->version,
	};

	wi.resource_id = arena_printf(d->a, "%lld", (long long)aid);
	DEMO_TRY(write_within(d->db, c, &wi, note_amend_answer, &na));
	if (body)
		n->version = na.new_version;
	return ERR_OK;
}

/* The note María wrote with her nurse at a visit. */
static enum err
cowritten(struct demo_care *d, const struct demo_care_patient *p, size_t t,
	  int days_ago)
{
	static const struct {
		const char *voice;
		const char *text;
	} said[] = {
		{"patient", "The evenings are the hardest part. After dinner "
			    "the flat is very quiet and I start to worry "
			    "about my sleep."},
		{"professional", "We talked about what helps. Phoning her "
				 "sister and having the radio on both make "
				 "the evenings easier."},
		{"patient", "I would like to try the community group, but "
			    "not on Tuesdays: I look after my grandson "
			    "then."},
		{"professional", "We agreed to look for a group on another "
				 "day and to talk about it at the next "
				 "visit. **No change to her medicines.**"},
	};
	struct note_paragraph para[sizeof(said) / sizeof(said[0])];
	struct note_write nw;
	size_t i;

	for (i = 0; i < sizeof(said) / sizeof(said[0]); i++) {
		para[i].position = (int)i + 1;
		para[i].voice = said[i].voice;
		para[i].author_id = p->team[t];
		para[i].body = said[i].text;
	}
	memset(&nw, 0, sizeof(nw));
	nw.title = "Home visit: evenings and feeling alone";
	nw.shared = true;
	nw.withheld_reason = "";
	nw.cowritten = true;
	nw.patient_confirmed = true;
	nw.paragraphs = para;
	nw.nparagraphs = i;
	if (!(nw.body = note_join_paragraphs(d->a, para, i)))
		return ERR_NOMEM;
	return note_store(d, p, t, days_ago, &nw);
}

/* María López: the demo patient login, with the doctor and the nurse. */
static enum err
maria(struct demo_care *d, const struct demo_care_patient *p)
{
	size_t nurse = p->nteam > 1 ? 1 : 0;
	struct note_write n;
	int64_t aid;

	DEMO_TRY(note(d, p, 0, 150, "First appointment",
		      "María came because she **wakes up three or four times a "
		      "night** and feels tired all day.\n\n"
		      "We talked about:\n\n"
		      "- what a good night looks like for her\n"
		      "- her evening routine\n"
		      "- her medicines, which she sometimes takes late\n\n"
		      "Plan: keep a sleep diary for two weeks and meet again.",
		      NULL, &n));
	DEMO_TRY(note(d, p, nurse, 118, "Sleep diary",
		      "We went through the sleep diary together. She sleeps "
		      "about five hours on most nights and falls asleep more "
		      "easily when she takes the evening tablet earlier.\n\n"
		      "She will try taking it at 8 pm for a month.",
		      NULL, &n));
	DEMO_TRY(note(d, p, 0, 80, "Knee pain and walking",
		      "María's right knee hurts after about ten minutes of "
		      "walking. No swelling today.\n\n"
		      "I asked the physiotherapy team to see her. Walking is "
		      "still good for her: shorter walks on bad days are fine.",
		      NULL, &n));
	DEMO_TRY(beside(d, p, 78, &n, true,
		        "It is my left knee, not my right one. Please correct it "
		        "so the physiotherapist looks at the right knee.",
		        &aid));
	DEMO_TRY(answer(d, p, 77, &n, aid,
		        "Thank you, you are right. I have corrected the note and "
		        "told the physiotherapy team.",
		        "María's left knee hurts after about ten minutes of "
		        "walking. No swelling today.\n\n"
		        "I asked the physiotherapy team to see her. Walking is "
		        "still good for her: shorter walks on bad days are "
		        "fine."));
	DEMO_TRY(cowritten(d, p, nurse, 40));
	DEMO_TRY(note(d, p, 0, 20, "Medicines review",
		      "We reviewed all her medicines with the pharmacist's "
		      "advice. She feels foggy in the mornings.\n\n"
		      "1. Stop the allergy tablet she takes at night.\n"
		      "2. Keep the other medicines as they are.\n"
		      "3. Check again in six weeks how clear-headed she feels.\n\n"
		      "More about medicines and sleep: "
		      "[NHS advice](https://www.nhs.uk/live-well/sleep-and-"
		      "tiredness/)",
		      NULL, &n));
	DEMO_TRY(beside(d, p, 18, &n, false,
		        "I am glad we stopped the night tablet. Two weeks on, my "
		        "mornings are clearer, but I still wake up once or twice.",
		        NULL));
	DEMO_TRY(note(d, p, nurse, 5, "Phone call",
		      "Short call to see how things are going. She says she "
		      "sleeps about seven hours now and walks to the park twice "
		      "a week.",
		      NULL, &n));
	return beside(d, p, 2, &n, true,
		      "I said I sleep about six hours, not seven. Seven is "
		      "what I am hoping for.",
		      NULL);
}

/* Several notes for the next patients; one withheld for patients[1]. */
static enum err
rich(struct demo_care *d, const struct demo_care_patient *p, size_t i)
{
	size_t other = p->nteam > 1 ? 1 : 0;
	struct note_write n;
	int64_t aid;

	DEMO_TRY(note(d, p, 0, 120 - (int)i * 7, "Getting to know each other",
		      arena_printf(d->a,
			           "First meeting with %s. We talked about what "
			           "matters most right now and what has helped "
			           "before.\n\nWe agreed to meet every month and "
			           "to write the care plan together.",
			           p->given_name),
		      NULL, &n));
	DEMO_TRY(note(d, p, other, 75 - (int)i * 5, "Check-in",
		      arena_printf(d->a,
			           "%s says the last weeks were **mixed**: better "
			           "sleep, but more worry about money.\n\n"
			           "- Gave the number of the advice service\n"
			           "- Next check-in in four weeks",
			           p->given_name),
		      NULL, &n));
	if (i == 1)
		DEMO_TRY(note(d, p, 0, 60, "Call from a relative",
			      "A relative phoned with worries about the family "
			      "situation. What they said is about them, so it is "
			      "kept in this note only and not shared.",
			      "third-party", &n));
	DEMO_TRY(note(d, p, 0, 30 - (int)i * 3, "Review",
		      arena_printf(d->a,
			           "We looked at the plan together. %s feels the "
			           "walking goal is going well and wants to keep "
			           "it.",
			           p->given_name),
		      NULL, &n));
	/* A question answered with an explanation, where the patient has a
	 * login to ask it. */
	if (i == 2 && p->account_id) {
		DEMO_TRY(beside(d, p, 20, &n, true,
			        "I do not think I said the walking goal is going "
			        "well. Some weeks I did not walk at all.",
			        &aid));
		DEMO_TRY(answer(d, p, 19, &n, aid,
			        "You are right that some weeks were hard. I wrote "
			        "what you said at the end of the visit, so I have "
			        "kept the note, and your request stays beside it "
			        "for everyone to read.",
			        NULL));
	}
	return ERR_OK;
}

/* One or two notes for the patients after them. */
static enum err
light(struct demo_care *d, const struct demo_care_patient *p, size_t i)
{
	struct note_write n;

	DEMO_TRY(note(d, p, 0, 40 + (int)(i % 20), "Check-in",
		      arena_printf(d->a,
			           "%s is doing about the same as last time. We "
			           "agreed to keep the plan as it is.",
			           p->given_name),
		      NULL, &n));
	if (i % 2)
		return ERR_OK;
	return note(d, p, p->nteam > 1 ? 1 : 0, 10 + (int)(i % 7),
		    "Phone call",
		    arena_printf(d->a,
				 "Called %s about the next appointment. No "
				 "new worries.",
				 p->given_name),
		    NULL, &n);
}

enum err
demo_care_notes(struct demo_care *d)
{
	size_t i;

	for (i = 0; i < d->n && i < RICH_NOTES + LIGHT_NOTES; i++) {
		const struct demo_care_patient *p = &d->patients[i];

		if (p->nteam == 0)
			continue;
		if (i == 0 && p->account_id)
			DEMO_TRY(maria(d, p));
		else if (i < RICH_NOTES)
			DEMO_TRY(rich(d, p, i));
		else
			DEMO_TRY(light(d, p, i));
	}
	return ERR_OK;
}

/*
 * Unit tests for review conversations and shared decisions: rating and
 * focus validation, agreed actions becoming plan items with their owners
 * and source in the same transaction (and nothing at all stored when an
 * owner is refused or a later row fails), decision-aid validation and
 * versions, and decision choices.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/write.h"
#include "care/decision.h"
#include "care/dialog.h"
#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"

/* --- pure validation ------------------------------------------------------ */

static void
all_ratings(struct dialog_rating *r, int v)
{
	int i;

	for (i = 0; i < DIALOG_AREAS; i++) {
		r[i].rating = v;
		r[i].more_help = false;
	}
}

static void
test_rating_validation(void **state)
{
	struct dialog_rating r[DIALOG_AREAS];
	struct problems ps = {0};

	(void)state;
	assert_int_equal(dialog_area_find("mental_health"), 0);
	assert_int_equal(dialog_area_find("meetings"), DIALOG_AREAS - 1);
	assert_int_equal(dialog_area_find("nope"), -1);
	assert_true(dialog_areas[8].treatment);
	assert_false(dialog_areas[7].treatment);
	all_ratings(r, 1);
	dialog_ratings_validate(r, &ps);
	assert_int_equal(ps.n, 0);
	all_ratings(r, 7);
	dialog_ratings_validate(r, &ps);
	assert_int_equal(ps.n, 0);
	r[0].rating = 0;
	r[3].rating = 8;
	r[10].rating = -1;
	dialog_ratings_validate(r, &ps);
	assert_int_equal(ps.n, 3);
	assert_non_null(problems_for(&ps, "rating_mental_health"));
	assert_non_null(problems_for(&ps, "rating_accommodation"));
	assert_non_null(problems_for(&ps, "rating_meetings"));
	assert_null(problems_for(&ps, "rating_job"));
}

static void
test_focus_validation(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct dialog_focus f[4];
	struct problems ps = {0};
	char long_text[CARE_SHORT_MAX + 2];

	(void)state;
	memset(f, 0, sizeof(f));
	f[0].area = 0;
	f[1].area = 2;
	f[2].area = 5;
	f[3].area = 6;
	dialog_focus_validate(a, f, 4, &ps);
	assert_non_null(problems_for(&ps, "focus"));
	memset(&ps, 0, sizeof(ps));
	dialog_focus_validate(a, f, 3, &ps);
	assert_int_equal(ps.n, 0);
	/* The same area twice is refused. */
	f[1].area = 0;
	dialog_focus_validate(a, f, 2, &ps);
	assert_non_null(problems_for(&ps, "focus"));
	memset(&ps, 0, sizeof(ps));
	f[1].area = 2;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	f[0].nactions = 2;
	f[0].actions[0].text = long_text;
	f[0].actions[0].owner_kind = "patient";
	f[0].actions[1].text = "";
	f[0].actions[1].owner_kind = "neighbour";
	f[0].actions[1].due_date = "2027-02-30";
	f[1].agreed = "Ring\x01";
	dialog_focus_validate(a, f, 2, &ps);
	assert_non_null(problems_for(&ps, "action_mental_health_1_text"));
	assert_non_null(problems_for(&ps, "action_mental_health_2_text"));
	assert_non_null(problems_for(&ps, "action_mental_health_2_owner"));
	assert_non_null(problems_for(&ps, "action_mental_health_2_due"));
	assert_non_null(problems_for(&ps, "agreed_job"));
	assert_null(problems_for(&ps, "action_mental_health_1_owner"));
	arena_free(a);
}

/* A valid 2 x 2 aid. */
static void
small_aid(struct decision_aid *aid)
{
	memset(aid, 0, sizeof(*aid));
	aid->title = "Knee pain";
	aid->options[0] = "Exercise";
	aid->options[1] = "Tablets";
	aid->noptions = 2;
	aid->questions[0] = "What does it involve?";
	aid->questions[1] = "How soon might it help?";
	aid->nquestions = 2;
	aid->cells[0][0] = "Exercises at home.";
	aid->cells[0][1] = "A tablet when needed.";
	aid->cells[1][0] = "A few weeks.";
	aid->cells[1][1] = "Within an hour.";
	aid->source = "National guidance";
	aid->active = true;
}

static void
test_aid_validation(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct decision_aid aid;
	struct problems ps = {0};
	char cell[DECISION_CELL_MAX + 2];

	(void)state;
	small_aid(&aid);
	decision_aid_validate(a, &aid, &ps);
	assert_int_equal(ps.n, 0);
	/* Lines: blank ones skipped, spaces trimmed, too many refused. */
	memset(&aid, 0, sizeof(aid));
	decision_aid_parse(a, "  A \n\nB\r\nC\n", "Q1\nQ2", &aid, &ps);
	assert_int_equal(ps.n, 0);
	assert_int_equal(aid.noptions, 3);
	assert_string_equal(aid.options[0], "A");
	assert_string_equal(aid.options[1], "B");
	assert_int_equal(aid.nquestions, 2);
	decision_aid_parse(a, "1\n2\n3\n4\n5\n6\n7",
			   "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11", &aid, &ps);
	assert_non_null(problems_for(&ps, "options"));
	assert_non_null(problems_for(&ps, "questions"));
	assert_int_equal(aid.noptions, DECISION_OPTIONS_MAX);
	assert_int_equal(aid.nquestions, DECISION_QUESTIONS_MAX);
	/* Too few, a title on two lines, an empty cell, a long cell. */
	memset(&ps, 0, sizeof(ps));
	small_aid(&aid);
	aid.noptions = 1;
	aid.nquestions = 1;
	aid.title = "Two\nlines";
	decision_aid_validate(a, &aid, &ps);
	assert_non_null(problems_for(&ps, "options"));
	assert_non_null(problems_for(&ps, "questions"));
	assert_non_null(problems_for(&ps, "title"));
	memset(&ps, 0, sizeof(ps));
	small_aid(&aid);
	memset(cell, 'x', sizeof(cell) - 1);
	cell[sizeof(cell) - 1] = '\0';
	aid.cells[0][1] = "";
	aid.cells[1][0] = cell;
	decision_aid_validate(a, &aid, &ps);
	assert_int_equal(ps.n, 2);
	assert_non_null(problems_for(&ps, "cell_1_2"));
	assert_non_null(problems_for(&ps, "cell_2_1"));
	/* Exactly the limit is fine. */
	memset(&ps, 0, sizeof(ps));
	cell[DECISION_CELL_MAX] = '\0';
	aid.cells[0][1] = "Fine.";
	decision_aid_validate(a, &aid, &ps);
	assert_int_equal(ps.n, 0);
	arena_free(a);
}

static void
test_decision_choice(void **state)
{
	struct shared_decision d;
	struct problems ps = {0};

	(void)state;
	memset(&d, 0, sizeof(d));
	small_aid(&d.aid);
	d.choice = DECISION_UNDECIDED;
	decision_validate(&d, &ps);
	assert_non_null(problems_for(&ps, "considered"));
	memset(&ps, 0, sizeof(ps));
	d.considered[0] = true;
	decision_validate(&d, &ps);
	assert_int_equal(ps.n, 0);
	d.choice = 0;
	decision_validate(&d, &ps);
	assert_int_equal(ps.n, 0);
	/* Not considered, out of range, below "not decided". */
	d.choice = 1;
	decision_validate(&d, &ps);
	assert_non_null(problems_for(&ps, "choice"));
	memset(&ps, 0, sizeof(ps));
	d.choice = 2;
	decision_validate(&d, &ps);
	assert_non_null(problems_for(&ps, "choice"));
	memset(&ps, 0, sizeof(ps));
	d.choice = -2;
	decision_validate(&d, &ps);
	assert_non_null(problems_for(&ps, "choice"));
	memset(&ps, 0, sizeof(ps));
	d.choice = 0;
	d.revisit_date = "2027-13-01";
	decision_validate(&d, &ps);
	assert_non_null(problems_for(&ps, "revisit_date"));
}

/* --- in a database -------------------------------------------------------- */

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER | TEST_CARE_STRANGERS);
}

static void
act_as(struct test_care *f, int64_t who, enum role role)
{
	test_act_as(&f->ctx, f->org, f->patient, who, role);
}

/* Runs `fn` on `arg` through write_commit() as `who`, audited with `wi`
 * naming record `id`. */
static enum err
commit_as(struct test_care *f, int64_t who, enum role role,
	  struct write_info *wi, int64_t id,
	  enum err (*fn)(struct db *, void *), void *arg)
{
	char text[24];

	act_as(f, who, role);
	snprintf(text, sizeof(text), "%lld", (long long)id);
	wi->resource_id = text;
	return write_commit(&f->ctx, wi, fn, arg);
}

/* A write of review conversation `id` (`action`) as `who`. */
static enum err
dialog_commit(struct test_care *f, int64_t who, enum role role,
	      const char *action, int64_t id,
	      enum err (*fn)(struct db *, void *), void *arg)
{
	struct write_info wi = {
		.action = action,
		.resource_type = DIALOG_RES,
		.patient_id = f->patient,
		.touchpoint_kind = "review-conversation",
	};

	return commit_as(f, who, role, &wi, id, fn, arg);
}

static const char sql_count_items[] =
	"SELECT count(*) FROM care_item WHERE patient_id = $1";
static const char sql_count_focus[] =
	"SELECT count(*) FROM review_focus WHERE conversation_id = $1";
static const char sql_count_conv[] =
	"SELECT count(*) FROM review_conversation WHERE patient_id = $1";
static const char sql_count_ratings[] =
	"SELECT count(*) FROM review_rating r JOIN review_conversation c "
	"ON c.id = r.conversation_id WHERE c.patient_id = $1";
static const char sql_count_touch[] =
	"SELECT count(*) FROM touchpoint WHERE patient_id = $1 "
	"AND kind = 'review-conversation'";
static const char sql_count_decisions[] =
	"SELECT count(*) FROM shared_decision WHERE patient_id = $1";
static const char sql_count_versions[] =
	"SELECT count(*) FROM care_version WHERE subject_type = 'decision' "
	"AND subject_id = $1";

static int64_t
count(struct test_care *f, const char *sql, int64_t id)
{
	return test_count_of(f->t.db, sql, id);
}

/* Rates every area `v` as `who`; the new conversation's id. */
static int64_t
rate(struct test_care *f, int64_t who, enum role role, int v, enum err want)
{
	struct dialog_rate_job j;

	memset(&j, 0, sizeof(j));
	j.id = id_new();
	j.org_id = f->org;
	j.patient_id = f->patient;
	j.author_id = who;
	j.voice = role_voice(role);
	j.at_ms = clock_now_ms();
	all_ratings(j.ratings, v);
	j.ratings[0].more_help = true;
	assert_int_equal(dialog_commit(f, who, role, "create", j.id,
				       dialog_rate_write, &j),
			 want);
	return j.id;
}

static void
focus_init(struct test_care *f, struct dialog_focus_job *j, int64_t conv,
	   int64_t who, enum role role)
{
	memset(j, 0, sizeof(*j));
	j->org_id = f->org;
	j->patient_id = f->patient;
	j->conversation_id = conv;
	j->version = 1;
	j->author_id = who;
	j->voice = role_voice(role);
	j->at_ms = clock_now_ms();
	j->now = clock_now();
}

static void
add_area(struct dialog_focus_job *j, const char *code, const char *goal)
{
	struct dialog_focus *fo = &j->focus[j->nfocus];

	fo->area = dialog_area_find(code);
	fo->understanding = "Mornings are hard.";
	fo->looking_forward = "Sleeping better.";
	fo->options = "A diary.";
	fo->agreed = "Keep a diary.";
	j->goal_text[j->nfocus] = goal;
	j->progress_sign[j->nfocus] = "A higher rating";
	j->nfocus++;
}

static void
add_action(struct dialog_focus_job *j, const char *text, const char *kind,
	   int64_t owner)
{
	struct dialog_focus *fo = &j->focus[j->nfocus - 1];
	struct dialog_action *x = &fo->actions[fo->nactions++];

	x->text = text;
	x->owner_kind = kind;
	x->owner_id = owner;
	x->due_date = "2027-03-01";
}

static enum err
talk(struct test_care *f, struct dialog_focus_job *j, int64_t who,
     enum role role)
{
	return dialog_commit(f, who, role, "update", j->conversation_id,
			     dialog_focus_write, j);
}

static void
test_ratings_stored(void **state)
{
	struct test_care *f = *state;
	struct dialog_conversation c, *list;
	size_t n;
	int64_t id, id2;

	/* Out of range: refused, nothing stored (not even a touchpoint). */
	rate(f, f->patient_acc, ROLE_PATIENT, 8, ERR_INVALID);
	rate(f, f->patient_acc, ROLE_PATIENT, 0, ERR_INVALID);
	assert_int_equal(count(f, sql_count_conv, f->patient), 0);
	assert_int_equal(count(f, sql_count_ratings, f->patient), 0);
	assert_int_equal(count(f, sql_count_touch, f->patient), 0);
	id = rate(f, f->patient_acc, ROLE_PATIENT, 3, ERR_OK);
	assert_int_equal(count(f, sql_count_ratings, f->patient), DIALOG_AREAS);
	assert_int_equal(count(f, sql_count_touch, f->patient), 1);
	assert_int_equal(dialog_get(f->t.db, f->a, f->patient, id, &c), ERR_OK);
	assert_string_equal(c.status, DIALOG_RATED);
	assert_string_equal(c.voice, "patient");
	assert_int_equal(c.version, 1);
	assert_int_equal(c.ratings[0].rating, 3);
	assert_true(c.ratings[0].more_help);
	assert_false(c.ratings[1].more_help);
	assert_int_equal(c.nfocus, 0);
	/* Another patient's id is not found. */
	assert_int_equal(dialog_get(f->t.db, f->a, f->patient + 1, id, &c),
			 ERR_NOT_FOUND);
	id2 = rate(f, f->pro, ROLE_PROFESSIONAL, 5, ERR_OK);
	assert_int_equal(dialog_list(f->t.db, f->a, f->patient, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_true(list[0].id == id2 || list[1].id == id2);
	assert_int_equal(list[0].id == id2 ? list[0].ratings[5].rating
					   : list[1].ratings[5].rating,
			 5);
}

static void
test_actions_become_plan_items(void **state)
{
	struct test_care *f = *state;
	struct dialog_focus_job j;
	struct dialog_conversation c;
	struct plan_item *items;
	char source[40];
	size_t n, i, goals = 0, actions = 0;
	int64_t conv = rate(f, f->pro, ROLE_PROFESSIONAL, 4, ERR_OK);

	focus_init(f, &j, conv, f->pro, ROLE_PROFESSIONAL);
	add_area(&j, "mental_health", "Mental health");
	add_action(&j, "Keep a sleep diary", "patient", 0);
	add_action(&j, "Look at the diary together", "professional", f->pro);
	add_area(&j, "leisure", "Leisure activities");
	add_action(&j, "Find choir times", "caregiver", f->carer);
	assert_int_equal(talk(f, &j, f->pro, ROLE_PROFESSIONAL), ERR_OK);
	snprintf(source, sizeof(source), "review:%lld", (long long)conv);
	assert_int_equal(plan_items_list(f->t.db, f->a, f->patient, &items, &n),
			 ERR_OK);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		assert_string_equal(items[i].source, source);
		assert_string_equal(items[i].proposed_voice, "professional");
		if (!strcmp(items[i].kind, CARE_GOAL)) {
			goals++;
			assert_true(items[i].id == j.goal_ids[0] ||
				    items[i].id == j.goal_ids[1]);
			continue;
		}
		actions++;
		if (!strcmp(items[i].text, "Keep a sleep diary")) {
			assert_string_equal(items[i].owner_kind, "patient");
			assert_int_equal(items[i].goal_id, j.goal_ids[0]);
			assert_string_equal(items[i].due_date, "2027-03-01");
		} else if (!strcmp(items[i].text, "Find choir times")) {
			assert_string_equal(items[i].owner_kind, "caregiver");
			assert_int_equal(items[i].owner_id, f->carer);
			assert_int_equal(items[i].goal_id, j.goal_ids[1]);
		} else {
			assert_string_equal(items[i].owner_kind,
					    "professional");
			assert_int_equal(items[i].owner_id, f->pro);
		}
	}
	assert_int_equal(goals, 2);
	assert_int_equal(actions, 3);
	assert_int_equal(dialog_get(f->t.db, f->a, f->patient, conv, &c),
			 ERR_OK);
	assert_string_equal(c.status, DIALOG_COMPLETE);
	assert_int_equal(c.version, 2);
	assert_int_equal(c.completed_by, f->pro);
	assert_int_equal(c.nfocus, 2);
	assert_int_equal(c.focus[0].area, 0);
	assert_int_equal(c.focus[0].goal_id, j.goal_ids[0]);
	assert_string_equal(c.focus[1].agreed, "Keep a diary.");
	/* Done already: a second save (same or stale version) is refused and
	 * adds nothing to the plan. */
	focus_init(f, &j, conv, f->pro, ROLE_PROFESSIONAL);
	add_area(&j, "job", "Job");
	assert_int_equal(talk(f, &j, f->pro, ROLE_PROFESSIONAL), ERR_CONFLICT);
	j.version = 2;
	assert_int_equal(talk(f, &j, f->pro, ROLE_PROFESSIONAL), ERR_CONFLICT);
	assert_int_equal(count(f, sql_count_items, f->patient), 5);
	/* No such conversation for this patient. */
	focus_init(f, &j, conv + 1, f->pro, ROLE_PROFESSIONAL);
	assert_int_equal(talk(f, &j, f->pro, ROLE_PROFESSIONAL),
			 ERR_NOT_FOUND);
}

static void
assert_nothing_stored(struct test_care *f, int64_t conv)
{
	struct dialog_conversation c;

	assert_int_equal(count(f, sql_count_items, f->patient), 0);
	assert_int_equal(count(f, sql_count_focus, conv), 0);
	assert_int_equal(dialog_get(f->t.db, f->a, f->patient, conv, &c),
			 ERR_OK);
	assert_string_equal(c.status, DIALOG_RATED);
	assert_int_equal(c.version, 1);
}

/* The patient's focus on conversation `conv`: their first area, with an
 * action of their own. */
static void
patient_focus(struct test_care *f, struct dialog_focus_job *j, int64_t conv)
{
	focus_init(f, j, conv, f->patient_acc, ROLE_PATIENT);
	add_area(j, "mental_health", "A");
	add_action(j, "Mine", "patient", 0);
}

static enum err
patient_talk(struct test_care *f, struct dialog_focus_job *j)
{
	return talk(f, j, f->patient_acc, ROLE_PATIENT);
}

static void
test_refusals_roll_back(void **state)
{
	struct test_care *f = *state;
	struct dialog_focus_job j;
	int64_t conv = rate(f, f->patient_acc, ROLE_PATIENT, 2, ERR_OK);
	int64_t touch = count(f, sql_count_touch, f->patient);

	/* More than three areas. */
	focus_init(f, &j, conv, f->patient_acc, ROLE_PATIENT);
	add_area(&j, "mental_health", "A");
	add_area(&j, "job", "B");
	add_area(&j, "family", "C");
	j.nfocus = 4;
	assert_int_equal(patient_talk(f, &j), ERR_INVALID);
	assert_nothing_stored(f, conv);
	/* An owner not on the care team, in the second area. */
	patient_focus(f, &j, conv);
	add_area(&j, "job", "B");
	add_action(&j, "Theirs", "professional", f->other_pro);
	assert_false(dialog_owner_ok(f->t.db, f->patient, "professional",
				     f->other_pro, clock_now()));
	assert_true(dialog_owner_ok(f->t.db, f->patient, "professional",
				    f->pro, clock_now()));
	assert_int_equal(patient_talk(f, &j), ERR_INVALID);
	assert_nothing_stored(f, conv);
	/* A caregiver without a grant; the patient with an account id. */
	j.focus[1].actions[0].owner_kind = "caregiver";
	j.focus[1].actions[0].owner_id = f->stranger_carer;
	assert_int_equal(patient_talk(f, &j), ERR_INVALID);
	j.focus[1].actions[0].owner_kind = "patient";
	j.focus[1].actions[0].owner_id = f->patient_acc;
	assert_int_equal(patient_talk(f, &j), ERR_INVALID);
	assert_nothing_stored(f, conv);
	/* A failure after the first area's goal and actions are written
	 * (the same area twice) undoes them too. */
	patient_focus(f, &j, conv);
	add_area(&j, "mental_health", "A again");
	assert_int_not_equal(patient_talk(f, &j), ERR_OK);
	assert_nothing_stored(f, conv);
	assert_int_equal(count(f, sql_count_touch, f->patient), touch);
	/* And then the right one goes through, in the patient's voice. */
	patient_focus(f, &j, conv);
	assert_int_equal(patient_talk(f, &j), ERR_OK);
	assert_int_equal(count(f, sql_count_items, f->patient), 2);
	assert_int_equal(count(f, sql_count_touch, f->patient), touch + 1);
}

/* --- decision aids and decisions ------------------------------------------ */

static enum err
aid_write(struct test_care *f, struct decision_aid_job *j)
{
	struct write_info wi = {
		.action = j->create ? "create" : "update",
		.resource_type = DECISION_AID_RES,
	};

	j->author_id = f->pro;
	j->at_ms = clock_now_ms();
	return commit_as(f, f->pro, ROLE_ADMINISTRATOR, &wi, j->aid.id,
			 decision_aid_write, j);
}

static enum err
decision_save(struct test_care *f, struct decision_job *j)
{
	struct write_info wi = {
		.action = j->create ? "create" : "update",
		.resource_type = DECISION_RES,
		.patient_id = f->patient,
		.touchpoint_kind = "shared-decision",
	};

	j->author_id = f->pro;
	j->voice = "professional";
	j->at_ms = clock_now_ms();
	return commit_as(f, f->pro, ROLE_PROFESSIONAL, &wi, j->d.id,
			 decision_write, j);
}

static void
test_aids_and_decisions(void **state)
{
	struct test_care *f = *state;
	struct decision_aid_job aj;
	struct decision_job dj;
	struct decision_aid got, *list;
	struct shared_decision d, *ds;
	struct care_version *v;
	size_t n;

	memset(&aj, 0, sizeof(aj));
	small_aid(&aj.aid);
	aj.aid.id = id_new();
	aj.aid.org_id = f->org;
	aj.create = true;
	aj.aid.cells[1][1] = "";
	assert_int_equal(aid_write(f, &aj), ERR_INVALID);
	aj.aid.cells[1][1] = "Within an hour.";
	assert_int_equal(aid_write(f, &aj), ERR_OK);
	assert_int_equal(decision_aid_get(f->t.db, f->a, f->org, aj.aid.id,
					  &got),
			 ERR_OK);
	assert_int_equal(got.version, 1);
	assert_int_equal(got.noptions, 2);
	assert_string_equal(got.cells[1][1], "Within an hour.");
	assert_int_equal(decision_aid_get(f->t.db, f->a, f->other_org,
					  aj.aid.id, &got),
			 ERR_NOT_FOUND);
	/* A decision on version 1 of the aid. */
	memset(&dj, 0, sizeof(dj));
	dj.d.id = id_new();
	dj.d.org_id = f->org;
	dj.d.patient_id = f->patient;
	dj.d.aid_id = aj.aid.id;
	assert_int_equal(decision_aid_get(f->t.db, f->a, f->org, aj.aid.id,
					  &dj.d.aid),
			 ERR_OK);
	dj.d.considered[0] = true;
	dj.d.choice = 1;	/* not considered */
	dj.d.matters[1] = true;
	dj.d.participants = "[{\"id\":\"patient\",\"name\":\"Ana\","
			    "\"voice\":\"patient\"}]";
	dj.d.revisit_date = "2027-05-01";
	dj.create = true;
	assert_int_equal(decision_save(f, &dj), ERR_INVALID);
	assert_int_equal(count(f, sql_count_decisions, f->patient), 0);
	dj.d.choice = 0;
	assert_int_equal(decision_save(f, &dj), ERR_OK);
	assert_int_equal(count(f, sql_count_versions, dj.d.id), 1);
	/* The organisation edits the aid; a stale edit is refused. */
	aj.create = false;
	aj.aid.options[0] = "Exercise and physiotherapy";
	assert_int_equal(aid_write(f, &aj), ERR_OK);
	assert_int_equal(aj.aid.version, 2);
	aj.aid.version = 1;
	assert_int_equal(aid_write(f, &aj), ERR_CONFLICT);
	aj.aid.org_id = f->other_org;
	aj.aid.version = 2;
	assert_int_equal(aid_write(f, &aj), ERR_NOT_FOUND);
	/* The record keeps the grid it was decided on. */
	assert_int_equal(decision_get(f->t.db, f->a, f->patient, dj.d.id, &d),
			 ERR_OK);
	assert_string_equal(d.aid.options[0], "Exercise");
	assert_string_equal(d.aid.title, "Knee pain");
	assert_int_equal(d.choice, 0);
	assert_true(d.considered[0]);
	assert_false(d.considered[1]);
	assert_true(d.matters[1]);
	assert_false(d.matters[0]);
	assert_string_equal(d.revisit_date, "2027-05-01");
	/* Editing: undecided now; a stale version is refused. */
	dj.create = false;
	dj.d = d;
	dj.d.choice = DECISION_UNDECIDED;
	dj.d.reasons = "Wants to think about it.";
	assert_int_equal(decision_save(f, &dj), ERR_OK);
	assert_int_equal(dj.d.version, 2);
	dj.d.version = 1;
	dj.d.reasons = "Lost update";
	assert_int_equal(decision_save(f, &dj), ERR_CONFLICT);
	assert_int_equal(decision_list(f->t.db, f->a, f->patient, &ds, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ds[0].choice, DECISION_UNDECIDED);
	assert_string_equal(ds[0].reasons, "Wants to think about it.");
	assert_int_equal(care_version_list(f->t.db, f->a, CARE_DECISION,
					   dj.d.id, &v, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(care_version_field(f->a, v[1].fields, "choice"),
			    "Exercise");
	assert_string_equal(care_version_field(f->a, v[0].fields, "choice"),
			    "");
	assert_string_equal(care_version_field(f->a, v[0].fields,
					       "participants"),
			    "Ana");
	/* An aid of another organisation cannot be used. */
	dj.create = true;
	dj.d.id = id_new();
	dj.d.org_id = f->other_org;
	assert_int_equal(decision_save(f, &dj), ERR_INVALID);
	assert_int_equal(decision_aid_list(f->t.db, f->a, f->org, true, &list,
					   &n),
			 ERR_OK);
	assert_int_equal(n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rating_validation),
		cmocka_unit_test(test_focus_validation),
		cmocka_unit_test(test_aid_validation),
		cmocka_unit_test(test_decision_choice),
		cmocka_unit_test_setup_teardown(test_ratings_stored, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_actions_become_plan_items,
						up, test_care_down),
		cmocka_unit_test_setup_teardown(test_refusals_roll_back, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_aids_and_decisions, up,
						test_care_down),
	};

	test_init();
	return cmocka_run_group_tests_name("care_dialog", tests, NULL, NULL);
}

/*
 * Unit tests for the shared care plan: agreement states, item validation,
 * versions and conflicts, owners, removing goals, comparing plan
 * versions, the co-production indicators from provenance, and the
 * audit, provenance and touchpoint rows of every write.
 */
#include "support.h"

#include <string.h>

#include "auth/audit.h"
#include "auth/write.h"
#include "care/agreement.h"
#include "care/comment.h"
#include "care/coproduction.h"
#include "care/plan.h"
#include "care/version.h"
#include "care/worklist.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"

/* --- agreement (pure) --------------------------------------------------- */

static enum agreement_state
replay(const char *const *events)
{
	struct agreement a = {0};
	size_t i;

	for (i = 0; events[i]; i += 2)
		agreement_apply(&a, events[i], events[i + 1]);
	return agreement_state(&a);
}

static void
test_agreement_states(void **state)
{
	const char *const proposed_by_patient[] = {"create", "patient", NULL};
	const char *const both[] = {"create", "patient", "agree",
				    "professional", NULL};
	const char *const edited[] = {"create",	      "patient", "agree",
				      "professional", "edit",	 "patient",
				      NULL};
	const char *const by_carer[] = {"create", "caregiver", NULL};
	const char *const disputed[] = {"create",  "professional",
					"dispute", "patient", NULL};
	const char *const settled[] = {"create",  "professional", "dispute",
				       "patient", "agree",	  "patient",
				       NULL};
	const char *const other_side[] = {"create",  "professional",
					  "dispute", "patient",
					  "agree",   "professional",
					  NULL};
	const char *const reworded[] = {"create", "professional", "dispute",
					"patient", "edit",	  "professional",
					NULL};
	const char *const status[] = {"create", "patient", "status",
				      "professional", "comment", "caregiver",
				      NULL};
	struct agreement a = {0};

	assert_int_equal(replay(proposed_by_patient), AGREEMENT_PATIENT_ONLY);
	assert_int_equal(replay(both), AGREEMENT_BOTH);
	/* A change of content needs the other side again. */
	assert_int_equal(replay(edited), AGREEMENT_PATIENT_ONLY);
	assert_int_equal(replay(by_carer), AGREEMENT_PROPOSED);
	assert_int_equal(replay(disputed), AGREEMENT_DISPUTED);
	/* The side that disputed settles it by agreeing. */
	assert_int_equal(replay(settled), AGREEMENT_BOTH);
	/* The other side agreeing does not end someone else's dispute. */
	assert_int_equal(replay(other_side), AGREEMENT_DISPUTED);
	/* Rewording answers a dispute: only the writer agrees now. */
	assert_int_equal(replay(reworded), AGREEMENT_PROFESSIONAL_ONLY);
	assert_int_equal(replay(status), AGREEMENT_PATIENT_ONLY);
	/* Caregivers and staff do not agree on the patient's behalf. */
	assert_false(agreement_apply(&a, "agree", "caregiver"));
	assert_false(agreement_apply(&a, "dispute", "staff"));
	assert_int_equal(agreement_state(&a), AGREEMENT_PROPOSED);
	assert_true(agreement_voice_can_agree("patient"));
	assert_false(agreement_voice_can_agree("caregiver"));
	assert_string_equal(agreement_state_name(AGREEMENT_BOTH), "both");
}

/* --- indicators (pure) ----------------------------------------------------- */

static void
test_coproduction_fold(void **state)
{
	struct arena *a = arena_new(1 << 16);
	const struct coproduction_event ev[] = {
		{1, "g1", "patient", "create"},
		{1, "g1", "professional", "agree"},
		{1, "a1", "professional", "create"},
		{1, "a1", "patient", "dispute"},
		{1, "a2", "caregiver", "create"},
		{1, "a3", "professional", "create"},
		{1, "a3", "professional", "remove"},
		{2, "g9", "professional", "create"},
		{2, "g9", "patient", "agree"},
		{2, "g9", "professional", "edit"},
	};
	struct coproduction *c;
	size_t n;

	assert_int_equal(coproduction_fold(a, ev, sizeof(ev) / sizeof(ev[0]),
					   &c, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].patient_id, 1);
	assert_int_equal(c[0].items, 3);	/* a3 was removed */
	assert_int_equal(c[0].patient_written, 2);	/* g1, a2 */
	assert_int_equal(c[0].agreed_both, 1);
	assert_int_equal(c[0].disputed, 1);
	assert_int_equal(c[1].items, 1);
	assert_int_equal(c[1].agreed_both, 0);	/* edited after agreeing */
	assert_int_equal(coproduction_percent(2, 3), 67);
	assert_int_equal(coproduction_percent(0, 0), 0);
	assert_int_equal(coproduction_fold(a, ev, 0, &c, &n), ERR_OK);
	assert_int_equal(n, 0);
	arena_free(a);
}

static void
test_validation(void **state)
{
	struct plan_item it = {0};
	struct problems ps = {0};
	char long_text[400];

	it.kind = CARE_GOAL;
	it.text = "";
	it.status = "active";
	plan_item_validate(&it, &ps);
	assert_non_null(problems_for(&ps, "text"));
	memset(&ps, 0, sizeof(ps));
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	it.text = long_text;
	it.due_date = "2026-02-30";
	it.status = "done";	/* an action's status, not a goal's */
	plan_item_validate(&it, &ps);
	assert_non_null(problems_for(&ps, "text"));
	assert_non_null(problems_for(&ps, "due_date"));
	assert_non_null(problems_for(&ps, "status"));
	memset(&ps, 0, sizeof(ps));
	it.kind = CARE_ACTION;
	it.text = "Walk";
	it.due_date = "2027-01-31";
	it.owner_kind = "neighbour";
	plan_item_validate(&it, &ps);
	assert_null(problems_for(&ps, "text"));
	assert_null(problems_for(&ps, "status"));
	assert_non_null(problems_for(&ps, "owner"));
	memset(&ps, 0, sizeof(ps));
	it.text = "Ring\x01";
	it.owner_kind = "patient";
	plan_item_validate(&it, &ps);
	assert_non_null(problems_for(&ps, "text"));
}

/* --- the plan in a database ------------------------------------------------- */

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER);
}

/* Acts as `who` in `role` and commits one change through write_commit. */
static enum err
write_as(struct test_care *f, int64_t who, enum role role,
	 struct plan_change *c)
{
	char id[24];
	struct write_info wi = {
		.action = c->change,
		.resource_type = strcmp(c->item.kind, CARE_GOAL)
					 ? PLAN_RES_ACTION
					 : PLAN_RES_GOAL,
		.resource_id = id,
		.patient_id = f->patient,
		.touchpoint_kind = "care-plan",
	};

	test_act_as(&f->ctx, f->org, f->patient, who, role);
	c->org_id = f->org;
	c->patient_id = f->patient;
	c->author_id = who;
	c->voice = role_voice(role);
	c->at_ms = clock_now_ms();
	c->now = clock_now();
	if (!c->item.id)
		c->item.id = id_new();
	snprintf(id, sizeof(id), "%lld", (long long)c->item.id);
	return write_commit(&f->ctx, &wi, plan_write, c);
}

static struct plan_change
new_goal(const char *text)
{
	struct plan_change c = {0};

	c.change = "create";
	c.item.kind = CARE_GOAL;
	c.item.text = text;
	c.item.status = "active";
	return c;
}

static struct plan_change
new_action(int64_t goal, const char *text, const char *owner_kind,
	   int64_t owner)
{
	struct plan_change c = {0};

	c.change = "create";
	c.item.kind = CARE_ACTION;
	c.item.goal_id = goal;
	c.item.text = text;
	c.item.owner_kind = owner_kind;
	c.item.owner_id = owner;
	c.item.status = "planned";
	return c;
}

/* A later change to item `id` seen at `version`. */
static struct plan_change
later(struct test_care *f, int64_t id, int version, const char *what)
{
	struct plan_change c = {0};

	assert_int_equal(plan_item_get(f->t.db, f->a, f->patient, id, &c.item),
			 ERR_OK);
	c.item.version = version;
	c.change = what;
	return c;
}

static int64_t
count(struct test_care *f, const char *sql)
{
	return test_count_of(f->t.db, sql, f->patient);
}

static void
test_propose_edit_agree(void **state)
{
	struct test_care *f = *state;
	struct plan_change g = new_goal("Walk to the shop");
	struct plan_change c;
	struct plan_item it;
	struct care_version *v;
	size_t n;
	int pv;

	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &g), ERR_OK);
	assert_int_equal(g.new_version, 1);
	assert_int_equal(g.plan_version, 1);
	assert_int_equal(plan_item_get(f->t.db, f->a, f->patient, g.new_id,
				       &it),
			 ERR_OK);
	assert_int_equal(agreement_state(&it.agreement),
			 AGREEMENT_PROFESSIONAL_ONLY);
	assert_string_equal(it.proposed_voice, "professional");

	/* The patient rewords it: only the patient agrees now. */
	c = later(f, g.new_id, 1, "edit");
	c.item.text = "Walk to the shop and back on my own";
	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &c),
			 ERR_OK);
	assert_int_equal(plan_item_get(f->t.db, f->a, f->patient, g.new_id,
				       &it),
			 ERR_OK);
	assert_int_equal(it.version, 2);
	assert_int_equal(agreement_state(&it.agreement),
			 AGREEMENT_PATIENT_ONLY);

	/* A second edit from the version-1 form is refused, nothing kept. */
	c = later(f, g.new_id, 1, "edit");
	c.item.text = "Stale words";
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c),
			 ERR_CONFLICT);
	assert_int_equal(plan_item_get(f->t.db, f->a, f->patient, g.new_id,
				       &it),
			 ERR_OK);
	assert_string_equal(it.text, "Walk to the shop and back on my own");

	c = later(f, g.new_id, 2, "agree");
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c), ERR_OK);
	assert_int_equal(plan_item_get(f->t.db, f->a, f->patient, g.new_id,
				       &it),
			 ERR_OK);
	assert_int_equal(agreement_state(&it.agreement), AGREEMENT_BOTH);

	/* A dispute needs words. */
	c = later(f, g.new_id, 3, "dispute");
	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &c),
			 ERR_INVALID);
	c.comment = "Not on my own yet";
	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &c),
			 ERR_OK);
	assert_int_equal(plan_item_get(f->t.db, f->a, f->patient, g.new_id,
				       &it),
			 ERR_OK);
	assert_int_equal(agreement_state(&it.agreement), AGREEMENT_DISPUTED);
	assert_string_equal(it.dispute_comment, "Not on my own yet");
	assert_string_equal(it.disputed_by_name, "ana");

	/* Every version is kept with its author and voice. */
	assert_int_equal(care_version_list(f->t.db, f->a, CARE_GOAL, g.new_id,
					   &v, &n),
			 ERR_OK);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].change, "dispute");
	assert_string_equal(v[0].comment, "Not on my own yet");
	assert_string_equal(v[2].voice, "patient");
	assert_string_equal(care_version_field(f->a, v[2].fields, "text"),
			    "Walk to the shop and back on my own");
	assert_string_equal(care_version_field(f->a, v[3].fields, "text"),
			    "Walk to the shop");
	assert_int_equal(plan_version(f->t.db, f->patient, &pv), ERR_OK);
	assert_int_equal(pv, 4);
}

static void
test_owners_and_removal(void **state)
{
	struct test_care *f = *state;
	struct plan_change g = new_goal("Sleep better");
	struct plan_change a, c;
	struct plan_item *items;
	size_t n;

	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &g),
			 ERR_OK);
	/* Owners must be around the patient. */
	a = new_action(g.new_id, "Ring the clinic", "professional",
		       f->other_pro);
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &a),
			 ERR_INVALID);
	a = new_action(g.new_id, "Ring the clinic", "caregiver", f->pro);
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &a),
			 ERR_INVALID);
	a = new_action(id_new(), "No such goal", "patient", 0);
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &a),
			 ERR_INVALID);
	assert_int_equal(count(f, "SELECT count(*) FROM care_item "
				  "WHERE patient_id = $1"),
			 1);
	a = new_action(g.new_id, "Drive me to the clinic", "caregiver",
		       f->carer);
	assert_int_equal(write_as(f, f->carer, ROLE_CAREGIVER, &a), ERR_OK);
	a = new_action(g.new_id, "Sleep diary", "professional", f->pro);
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &a), ERR_OK);

	/* A caregiver cannot agree for the patient. */
	c = later(f, a.new_id, 1, "agree");
	assert_int_equal(write_as(f, f->carer, ROLE_CAREGIVER, &c),
			 ERR_INVALID);

	assert_int_equal(plan_items_list(f->t.db, f->a, f->patient, &items,
					 &n),
			 ERR_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].kind, CARE_GOAL);
	assert_int_equal(items[1].goal_id, g.new_id);
	assert_string_equal(items[1].owner_name, "son");

	/* A goal with actions stays until they are gone. */
	c = later(f, g.new_id, 1, "remove");
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c),
			 ERR_EXISTS);
	c = later(f, items[1].id, 1, "remove");
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c), ERR_OK);
	c = later(f, items[2].id, 1, "status");
	c.item.status = "finished";
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c),
			 ERR_INVALID);
	c.item.status = "done";
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c), ERR_OK);
	assert_int_equal(plan_items_list(f->t.db, f->a, f->patient, &items,
					 &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[1].status, "done");
}

static void
test_compare_and_indicators(void **state)
{
	struct test_care *f = *state;
	struct plan_change g1 = new_goal("Eat well");
	struct plan_change g2 = new_goal("See friends");
	struct plan_change c;
	struct plan_snapshot_item *b, *a;
	struct coproduction cp;
	struct plan_review r = {0};
	struct write_info wi = {
		.action = "review",
		.resource_type = PLAN_RES_REVIEW,
		.resource_id = "",
		.patient_id = f->patient,
	};
	struct audit_problem problem;
	int64_t entries = 0;
	size_t n;

	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &g1),
			 ERR_OK);
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &g2), ERR_OK);
	c = later(f, g1.new_id, 1, "edit");
	c.item.text = "Eat well most days";
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c), ERR_OK);
	c = later(f, g2.new_id, 1, "agree");
	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &c),
			 ERR_OK);

	/* Version 1 had only g1, in its first words; version 3 both. */
	assert_int_equal(plan_compare(f->t.db, f->a, f->patient, 1, 3, &b, &a,
				      &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(care_version_field(f->a, b[0].fields, "text"),
			    "Eat well");
	assert_string_equal(care_version_field(f->a, a[0].fields, "text"),
			    "Eat well most days");
	assert_null(b[1].fields);
	assert_non_null(a[1].fields);

	/* From provenance: g1 written by the patient, g2 agreed by both. */
	assert_int_equal(coproduction_for_patient(f->t.db, f->a, f->patient,
						  &cp),
			 ERR_OK);
	assert_int_equal(cp.items, 2);
	assert_int_equal(cp.patient_written, 1);
	assert_int_equal(cp.agreed_both, 1);
	assert_int_equal(cp.disputed, 0);
	assert_int_equal(cp.last_joint_review_ms, 0);

	r.org_id = f->org;
	r.patient_id = f->patient;
	r.at_ms = clock_now_ms();
	r.recorded_by = f->pro;
	r.participants = "[]";
	r.patient_took_part = true;
	r.professional_took_part = true;
	assert_int_equal(write_commit(&f->ctx, &wi, plan_review_write, &r),
			 ERR_OK);
	assert_int_equal(r.from_version, 0);
	assert_int_equal(r.to_version, 4);
	assert_int_equal(coproduction_for_patient(f->t.db, f->a, f->patient,
						  &cp),
			 ERR_OK);
	assert_int_equal(cp.last_joint_review_ms, r.at_ms);

	/* Every write has its audit event, provenance and touchpoint. */
	assert_int_equal(count(f, "SELECT count(*) FROM provenance "
				  "WHERE patient_id = $1 AND resource_type "
				  "IN ('Goal', 'CarePlanActivity')"),
			 4);
	assert_int_equal(count(f, "SELECT count(*) FROM touchpoint "
				  "WHERE patient_id = $1"),
			 4);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event "
				  "WHERE patient_id = $1"),
			 5);
	db_read_refresh(f->t.db);
	assert_int_equal(audit_verify(f->t.db, &f->key, &entries, &problem),
			 ERR_OK);
	assert_int_equal(entries, 5);
}

static void
test_comments(void **state)
{
	struct test_care *f = *state;
	struct plan_change g = new_goal("Garden");
	struct care_comment c = {0}, *list;
	size_t n;

	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &g),
			 ERR_OK);
	c.org_id = f->org;
	c.patient_id = f->patient;
	c.subject_type = CARE_GOAL;
	c.subject_id = g.new_id;
	c.at_ms = 5;
	c.author_id = f->pro;
	c.voice = "professional";
	c.body = "<script>alert(1)</script> stored as typed";
	assert_int_equal(store_write(f->t.store, care_comment_write, &c),
			 ERR_OK);
	db_read_refresh(f->t.db);
	assert_int_equal(care_comment_list(f->t.db, f->a, CARE_GOAL, g.new_id,
					   &list, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].body,
			    "<script>alert(1)</script> stored as typed");
	assert_string_equal(list[0].author_name, "dr");
}

/* The professional's home lists what waits for them. */
static void
test_worklist(void **state)
{
	struct test_care *f = *state;
	struct plan_change g = new_goal("Garden again");
	struct plan_change h = new_goal("Sleep");
	struct plan_change c;
	struct work_item *w;
	size_t n;

	assert_int_equal(worklist_for(f->t.db, f->a, f->pro, 5, &w, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
	/* The patient's own goal waits for the team; so does a dispute. */
	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &g),
			 ERR_OK);
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &h), ERR_OK);
	c = later(f, h.new_id, 1, "dispute");
	c.comment = "Not now";
	assert_int_equal(write_as(f, f->patient_acc, ROLE_PATIENT, &c),
			 ERR_OK);
	assert_int_equal(worklist_for(f->t.db, f->a, f->pro, 5, &w, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].kind, WORK_DISPUTED);
	assert_string_equal(w[0].text, "Sleep");
	assert_int_equal(w[1].kind, WORK_AGREE);
	assert_int_equal(w[1].subject_id, g.new_id);
	assert_string_equal(w[1].patient_name, "Ana Ruiz");
	/* Agreed by the team: no longer waiting. Not on the team: nothing. */
	c = later(f, g.new_id, 1, "agree");
	assert_int_equal(write_as(f, f->pro, ROLE_PROFESSIONAL, &c), ERR_OK);
	assert_int_equal(worklist_for(f->t.db, f->a, f->pro, 5, &w, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(worklist_for(f->t.db, f->a, f->other_pro, 5, &w, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agreement_states),
		cmocka_unit_test(test_coproduction_fold),
		cmocka_unit_test(test_validation),
		cmocka_unit_test_setup_teardown(test_propose_edit_agree, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_owners_and_removal, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_compare_and_indicators,
						up, test_care_down),
		cmocka_unit_test_setup_teardown(test_comments, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_worklist, up,
						test_care_down),
	};

	test_init();
	return cmocka_run_group_tests_name("care_plan", tests, NULL, NULL);
}

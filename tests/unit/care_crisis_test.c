/*
 * Unit tests for "what matters to me" and the crisis plan: validation,
 * versions and conflicts, words written with the patient (voice, flag,
 * confirmation), a professional writing without the patient refused,
 * splitting sections into items, finding phone numbers, and the
 * provenance and touchpoint rows of their writes, on SQLite and
 * PostgreSQL.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/write.h"
#include "care/care.h"
#include "care/crisis.h"
#include "care/matters.h"
#include "care/pocketcard.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/clock.h"

/* --- pure ----------------------------------------------------------------- */

static char *
repeat(struct arena *a, const char *unit, size_t times)
{
	size_t len = strlen(unit), i;
	char *s = arena_alloc(a, len * times + 1);

	assert_non_null(s);
	for (i = 0; i < times; i++)
		memcpy(s + i * len, unit, len);
	s[len * times] = '\0';
	return s;
}

static void
test_validation(void **state)
{
	struct arena *a = arena_new(1 << 20);
	const char *c[CRISIS__MAX] = {0};
	const char *m[MATTERS__MAX] = {0};
	struct problems ps = {0};
	int i;

	(void)state;
	for (i = 0; i < CRISIS__MAX; i++)
		c[i] = "";
	/* 4,000 characters are fine, counted as characters not bytes. */
	c[CRISIS_COPING] = repeat(a, "ñ", CARE_LONG_MAX);
	c[CRISIS_WARNING_SIGNS] = "One\nTwo\r\n\tThree";
	assert_true(crisis_validate(c, &ps));
	assert_int_equal(ps.n, 0);
	c[CRISIS_COPING] = repeat(a, "x", CARE_LONG_MAX + 1);
	c[CRISIS_REASONS] = "bell\x07";
	c[CRISIS_TREATMENT] = "\xff\xfe not UTF-8";
	assert_false(crisis_validate(c, &ps));
	assert_int_equal(ps.n, 3);
	assert_non_null(problems_for(&ps, "coping"));
	assert_non_null(problems_for(&ps, "reasons_for_living"));
	assert_non_null(problems_for(&ps, "treatment_preferences"));
	assert_null(problems_for(&ps, "warning_signs"));
	/* The same check as the rest of the care record. */
	memset(&ps, 0, sizeof(ps));
	assert_false(care_text_ok(&ps, "coping", c[CRISIS_COPING],
				  CARE_LONG_MAX));
	assert_true(care_text_ok(&ps, "x", repeat(a, "é", CARE_LONG_MAX),
				 CARE_LONG_MAX));

	memset(&ps, 0, sizeof(ps));
	m[MATTERS_WHAT] = "My garden";
	assert_true(matters_validate(m, &ps));	/* NULL parts are empty */
	m[MATTERS_KNOW] = repeat(a, "y", CARE_LONG_MAX + 1);
	assert_false(matters_validate(m, &ps));
	assert_non_null(problems_for(&ps, "know_about_me"));
	assert_string_equal(matters_part_info(MATTERS_GOOD_DAY)->key,
			    "good_day");
	assert_string_equal(crisis_section_info(CRISIS_TREATMENT)->key,
			    "treatment_preferences");
	assert_true(crisis_section_info(CRISIS_PROFESSIONALS)->phones);
	assert_false(crisis_section_info(CRISIS_WARNING_SIGNS)->phones);
	arena_free(a);
}

static void
test_lines_and_phones(void **state)
{
	struct arena *a = arena_new(1 << 16);
	const char **l;
	size_t n, s, len;

	(void)state;
	l = crisis_lines(a, "  Walk \r\n\n\t\nCall Ana: 07700 900123\nend", &n);
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "Walk");
	assert_string_equal(l[1], "Call Ana: 07700 900123");
	assert_string_equal(l[2], "end");
	assert_null(crisis_lines(a, " \n\t\n", &n));
	assert_int_equal(n, 0);
	assert_null(crisis_lines(a, "", &n));
	assert_true(pocketcard_find_phone(l[1], &s, &len));
	assert_int_equal(len, strlen("07700 900123"));
	assert_memory_equal(l[1] + s, "07700 900123", len);
	assert_true(pocketcard_find_phone("Emergency: 999", &s, &len));
	assert_int_equal(len, 3);
	assert_false(pocketcard_find_phone("Walk for 20 minutes", &s, &len));
	arena_free(a);
}

/* --- in a database ------------------------------------------------------ */

static int
up(void **state)
{
	return test_care_up(state, 0);
}

static void
act_as(struct test_care *f, int64_t who, enum role role)
{
	test_act_as(&f->ctx, f->org, f->patient, who, role);
}

static int64_t
count(struct test_care *f, const char *sql)
{
	return test_count_of(f->t.db, sql, f->patient);
}

/* Commits `arg` with `fn` as `who`, as the pages do: `wi` says what and
 * is completed with the patient's record. */
static enum err
commit_as(struct test_care *f, int64_t who, enum role role,
	  struct write_info *wi, enum err (*fn)(struct db *, void *),
	  void *arg)
{
	char id[24];

	act_as(f, who, role);
	snprintf(id, sizeof(id), "%lld", (long long)f->patient);
	wi->resource_id = id;
	wi->patient_id = f->patient;
	return write_commit(&f->ctx, wi, fn, arg);
}

/* One crisis plan change by `who` through write_commit, as the page
 * makes it. */
static enum err
crisis_as(struct test_care *f, int64_t who, enum role role, int version,
	  const char *section_text, enum crisis_section s, int *new_version)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = CRISIS_RES,
		.detail = "crisis-plan",
		.touchpoint_kind = "crisis-plan-updated",
	};
	struct crisis_change c = {0};
	struct crisis_plan now;
	enum err e;
	int i;

	assert_int_equal(crisis_plan_get(f->t.db, f->a, f->patient, &now),
			 ERR_OK);
	for (i = 0; i < CRISIS__MAX; i++)
		c.text[i] = now.text[i];
	c.text[s] = section_text;
	c.org_id = f->org;
	c.patient_id = f->patient;
	c.author_id = who;
	c.voice = role_voice(role);
	c.at_ms = clock_now_ms();
	c.version = version;
	e = commit_as(f, who, role, &wi, crisis_write, &c);
	if (new_version)
		*new_version = c.new_version;
	return e;
}

static void
test_crisis_versions_and_conflict(void **state)
{
	struct test_care *f = *state;
	struct crisis_plan cp;
	struct care_version *v;
	const char *huge;
	size_t n;
	int nv = 0;

	assert_int_equal(crisis_plan_get(f->t.db, f->a, f->patient, &cp),
			 ERR_OK);
	assert_int_equal(cp.doc.version, 0);
	assert_true(crisis_plan_is_empty(&cp));
	assert_string_equal(cp.text[CRISIS_COPING], "");

	assert_int_equal(crisis_as(f, f->pro, ROLE_PROFESSIONAL, 0,
				   "Crisis line: 0800 555 0199",
				   CRISIS_PROFESSIONALS, &nv),
			 ERR_OK);
	assert_int_equal(nv, 1);
	/* A second "first" save, from a form opened before: stale. */
	assert_int_equal(crisis_as(f, f->patient_acc, ROLE_PATIENT, 0,
				   "Walk", CRISIS_COPING, NULL),
			 ERR_CONFLICT);
	assert_int_equal(crisis_as(f, f->patient_acc, ROLE_PATIENT, 1,
				   "Walk\nMusic", CRISIS_COPING, &nv),
			 ERR_OK);
	assert_int_equal(nv, 2);
	/* Stale again: the professional still had version 1 open. */
	assert_int_equal(crisis_as(f, f->pro, ROLE_PROFESSIONAL, 1,
				   "Overwritten?", CRISIS_COPING, NULL),
			 ERR_CONFLICT);
	/* Too long: refused by the domain too, nothing stored. */
	huge = repeat(f->a, "z", CARE_LONG_MAX + 1);
	assert_int_equal(crisis_as(f, f->pro, ROLE_PROFESSIONAL, 2, huge,
				   CRISIS_COPING, NULL),
			 ERR_INVALID);

	assert_int_equal(crisis_plan_get(f->t.db, f->a, f->patient, &cp),
			 ERR_OK);
	assert_int_equal(cp.doc.version, 2);
	assert_false(crisis_plan_is_empty(&cp));
	assert_string_equal(cp.text[CRISIS_COPING], "Walk\nMusic");
	assert_string_equal(cp.text[CRISIS_PROFESSIONALS],
			    "Crisis line: 0800 555 0199");
	assert_string_equal(cp.doc.voice, "patient");
	assert_string_equal(cp.doc.updated_by_name, "ana");

	assert_int_equal(care_version_list(f->t.db, f->a, CARE_CRISIS,
					   f->patient, &v, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].version, 2);
	assert_string_equal(v[0].voice, "patient");
	assert_string_equal(v[0].change, "edit");
	assert_string_equal(v[1].voice, "professional");
	assert_string_equal(v[1].change, "create");
	assert_string_equal(v[1].author_name, "dr");
	assert_string_equal(care_version_field(f->a, v[1].fields, "coping"),
			    "");
	assert_string_equal(care_version_field(f->a, v[0].fields, "coping"),
			    "Walk\nMusic");
	/* Every write has its provenance (both voices) and touchpoints. */
	assert_int_equal(count(f, "SELECT count(*) FROM provenance WHERE "
				  "patient_id = $1 AND resource_type = "
				  "'CrisisPlan'"),
			 2);
	assert_int_equal(count(f, "SELECT count(*) FROM provenance WHERE "
				  "patient_id = $1 AND voice = 'patient'"),
			 1);
	assert_int_equal(count(f, "SELECT count(*) FROM touchpoint WHERE "
				  "patient_id = $1 AND kind = "
				  "'crisis-plan-updated'"),
			 2);
}

static enum err
matters_as(struct test_care *f, int64_t who, enum role role, bool with,
	   int version, const char *what, struct matters_change *out)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = MATTERS_RES,
		.detail = "what-matters",
		.touchpoint_kind = "matters-updated",
		.voice = role == ROLE_PATIENT ? NULL : "patient",
	};

	memset(out, 0, sizeof(*out));
	out->org_id = f->org;
	out->patient_id = f->patient;
	out->author_id = who;
	out->at_ms = clock_now_ms();
	out->by_patient = role == ROLE_PATIENT;
	out->with_patient = with;
	out->version = version;
	out->text[MATTERS_WHAT] = what;
	out->text[MATTERS_GOOD_DAY] = "Sun and a walk";
	return commit_as(f, who, role, &wi, matters_write, out);
}

static enum err
confirm_as(struct test_care *f, int64_t who, enum role role, int version)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = MATTERS_RES,
		.detail = "matters-confirmed",
		.touchpoint_kind = "matters-confirmed",
	};
	struct matters_confirm c = {0};

	c.org_id = f->org;
	c.patient_id = f->patient;
	c.author_id = who;
	c.at_ms = clock_now_ms();
	c.by_patient = role == ROLE_PATIENT;
	c.version = version;
	return commit_as(f, who, role, &wi, matters_confirm, &c);
}

static void
test_matters_only_patient_words(void **state)
{
	struct test_care *f = *state;
	struct matters_change c;
	struct matters m;

	/* A professional without "with the patient": refused. */
	assert_int_equal(matters_as(f, f->pro, ROLE_PROFESSIONAL, false, 0,
				    "Their medication", &c),
			 ERR_INVALID);
	assert_int_equal(matters_get(f->t.db, f->a, f->patient, &m), ERR_OK);
	assert_int_equal(m.doc.version, 0);
	assert_false(matters_awaits_confirmation(&m));
	assert_int_equal(count(f, "SELECT count(*) FROM care_version WHERE "
				  "patient_id = $1"),
			 0);
	assert_int_equal(count(f, "SELECT count(*) FROM provenance WHERE "
				  "patient_id = $1"),
			 0);
	/* Nothing to confirm yet. */
	assert_int_equal(confirm_as(f, f->patient_acc, ROLE_PATIENT, 0),
			 ERR_NOT_FOUND);
}

static void
test_matters_with_patient_and_confirm(void **state)
{
	struct test_care *f = *state;
	struct matters_change c;
	struct care_version *v;
	struct matters m;
	size_t n;

	assert_int_equal(matters_as(f, f->pro, ROLE_PROFESSIONAL, true, 0,
				    "My grandchildren", &c),
			 ERR_OK);
	assert_int_equal(c.new_version, 1);
	assert_int_equal(matters_get(f->t.db, f->a, f->patient, &m), ERR_OK);
	assert_int_equal(m.doc.version, 1);
	assert_string_equal(m.doc.voice, "patient");
	assert_true(m.written_with_patient);
	assert_int_equal(m.confirmed_ms, 0);
	assert_true(matters_awaits_confirmation(&m));
	assert_string_equal(m.doc.updated_by_name, "dr");
	assert_string_equal(m.text[MATTERS_WHAT], "My grandchildren");
	assert_string_equal(m.text[MATTERS_STRENGTHS], "");
	/* The professional's write is in the patient's voice. */
	assert_int_equal(count(f, "SELECT count(*) FROM provenance WHERE "
				  "patient_id = $1 AND voice = 'patient' "
				  "AND resource_type = 'WhatMatters'"),
			 1);

	/* Only the patient confirms, and only what they read. */
	assert_int_equal(confirm_as(f, f->pro, ROLE_PROFESSIONAL, 1),
			 ERR_FORBIDDEN);
	assert_int_equal(confirm_as(f, f->patient_acc, ROLE_PATIENT, 0),
			 ERR_CONFLICT);
	assert_int_equal(confirm_as(f, f->patient_acc, ROLE_PATIENT, 1),
			 ERR_OK);
	assert_int_equal(matters_get(f->t.db, f->a, f->patient, &m), ERR_OK);
	assert_int_equal(m.doc.version, 2);
	assert_true(m.confirmed_ms > 0);
	assert_false(matters_awaits_confirmation(&m));
	assert_true(m.written_with_patient);
	/* Still their pen. */
	assert_string_equal(m.doc.updated_by_name, "dr");
	/* Confirmed already: nothing waits. */
	assert_int_equal(confirm_as(f, f->patient_acc, ROLE_PATIENT, 2),
			 ERR_INVALID);
	assert_int_equal(count(f, "SELECT count(*) FROM touchpoint WHERE "
				  "patient_id = $1 AND kind = "
				  "'matters-confirmed'"),
			 1);

	/* A stale edit is refused; the patient's own edit is theirs. */
	assert_int_equal(matters_as(f, f->patient_acc, ROLE_PATIENT, false, 1,
				    "Stale", &c),
			 ERR_CONFLICT);
	assert_int_equal(matters_as(f, f->patient_acc, ROLE_PATIENT, false, 2,
				    "My grandchildren and my dog", &c),
			 ERR_OK);
	assert_int_equal(matters_get(f->t.db, f->a, f->patient, &m), ERR_OK);
	assert_int_equal(m.doc.version, 3);
	assert_false(m.written_with_patient);
	assert_true(m.confirmed_ms > 0);
	assert_false(matters_awaits_confirmation(&m));
	/* Written with them again: waits for them again. */
	assert_int_equal(matters_as(f, f->pro, ROLE_PROFESSIONAL, true, 3,
				    "<script>alert(1)</script>", &c),
			 ERR_OK);
	assert_int_equal(matters_get(f->t.db, f->a, f->patient, &m), ERR_OK);
	assert_true(matters_awaits_confirmation(&m));
	assert_string_equal(m.text[MATTERS_WHAT],
			    "<script>alert(1)</script>");

	assert_int_equal(care_version_list(f->t.db, f->a, CARE_MATTERS,
					   f->patient, &v, &n),
			 ERR_OK);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].change, "edit");
	assert_string_equal(v[1].change, "edit");
	assert_string_equal(v[2].change, "confirm");
	assert_string_equal(v[3].change, "create");
	assert_int_equal(v[2].author_id, f->patient_acc);
	assert_string_equal(care_version_field(f->a, v[2].fields,
					       "what_matters"),
			    "My grandchildren");
	assert_non_null(strstr(v[3].fields, "\"with_patient\":true"));
	assert_non_null(strstr(v[1].fields, "\"with_patient\":false"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_lines_and_phones),
		cmocka_unit_test_setup_teardown(
			test_crisis_versions_and_conflict, up, test_care_down),
		cmocka_unit_test_setup_teardown(
			test_matters_only_patient_words, up, test_care_down),
		cmocka_unit_test_setup_teardown(
			test_matters_with_patient_and_confirm, up,
			test_care_down),
	};

	test_init();
	return cmocka_run_group_tests_name("care_crisis", tests, NULL, NULL);
}

/*
 * Unit tests for src/people: patient validation, search (own patients,
 * accents, record numbers), version conflicts, care teams, caregiver
 * grants and break-the-glass, on SQLite and PostgreSQL.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "people/careteam.h"
#include "people/org.h"
#include "people/patient.h"

struct fixture {
	struct test_db t;
	struct arena *a;
	int64_t org, other_org, pro, other_pro, carer, p1, p2, p3;
};

static enum err
setup_fn(struct db *db, void *arg)
{
	struct fixture *f = arg;
	enum err e = ERR_OK;

	if ((e = test_add_org(db, f->org, "Org A")) ||
	    (e = test_add_org(db, f->other_org, "Org B")))
		return e;
	if ((e = test_add_patient(db, f->p1, f->org, "José", "Núñez")) ||
	    (e = test_add_patient(db, f->p2, f->org, "Ana", "Nunes")) ||
	    (e = test_add_patient(db, f->p3, f->other_org, "José", "Núñez")))
		return e;
	if ((e = patient_identifier_insert(db, f->org, f->p1, "mrn",
					   "MRN-000777")))
		return e;
	if ((e = test_add_account(db, f->pro, f->org, "dr.a",
				  ROLE_PROFESSIONAL, 0)) ||
	    (e = test_add_account(db, f->other_pro, f->org, "dr.b",
				  ROLE_PROFESSIONAL, 0)) ||
	    (e = test_add_account(db, f->carer, f->org, "carer",
				  ROLE_CAREGIVER, 0)))
		return e;
	return team_add(db, f->org, f->p1, f->pro, "Named nurse", 10);
}

static int
up(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_db_open(&f->t);
	f->a = arena_new(1 << 20);
	f->org = id_new();
	f->other_org = id_new();
	f->pro = id_new();
	f->other_pro = id_new();
	f->carer = id_new();
	f->p1 = id_new();
	f->p2 = id_new();
	f->p3 = id_new();
	assert_int_equal(store_write(f->t.store, setup_fn, f), ERR_OK);
	*state = f;
	return 0;
}

static int
down(void **state)
{
	struct fixture *f = *state;

	test_teardown(&f->t, f->a, f);
	return 0;
}

static size_t
search(struct fixture *f, const char *q, bool mine, int64_t who)
{
	struct patient *p;
	size_t n = 99;

	assert_int_equal(patient_search(f->t.db, f->a, f->org, q, mine, who,
					25, 0, &p, &n),
			 ERR_OK);
	return n;
}

static void
test_search(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(search(f, "", false, 0), 2);	/* not org B's */
	assert_int_equal(search(f, "nunez", false, 0), 1);
	assert_int_equal(search(f, "JOSÉ NÚÑEZ", false, 0), 1);
	assert_int_equal(search(f, "jose", false, 0), 1);
	assert_int_equal(search(f, "nun", false, 0), 2);
	assert_int_equal(search(f, "mrn-000777", false, 0), 1);
	assert_int_equal(search(f, "MRN-000", false, 0), 0); /* exact only */
	assert_int_equal(search(f, "%", false, 0), 2);	/* no wildcards */
	assert_int_equal(search(f, "'; DROP TABLE patient; --", false, 0), 0);
	/* A professional's own patients (62-bit ids bind as BIGINT). */
	assert_int_equal(search(f, "", true, f->pro), 1);
	assert_int_equal(search(f, "", true, f->other_pro), 0);
}

static void
test_validation(void **state)
{
	struct patient p = test_patient(1, 1, "Ana", "Pérez");
	struct problems ps = {0};
	int64_t now;

	assert_true(clock_parse_date("2026-01-01", &now));
	patient_validate(&p, now, &ps);
	assert_int_equal(ps.n, 0);
	p.birth_date = "2027-01-01";
	p.gender = "robot";
	p.preferred_language = "Spanish";
	p.given_name = "";
	patient_validate(&p, now, &ps);
	assert_int_equal(ps.n, 4);
	assert_non_null(problems_for(&ps, "birth_date"));
	assert_non_null(problems_for(&ps, "gender"));
	assert_non_null(problems_for(&ps, "preferred_language"));
	assert_non_null(problems_for(&ps, "given_name"));
	/* The analytics' patient groups: fixed words, '' or 0 not known. */
	p = test_patient(1, 1, "Ana", "Pérez");
	ps.n = 0;
	p.disability = "prefer_not";
	p.digital_confidence = "";
	p.deprivation_decile = 10;
	patient_validate(&p, now, &ps);
	assert_int_equal(ps.n, 0);
	p.disability = "maybe";
	p.digital_confidence = "expert";
	p.deprivation_decile = 11;
	patient_validate(&p, now, &ps);
	assert_int_equal(ps.n, 3);
	assert_non_null(problems_for(&ps, "disability"));
	assert_non_null(problems_for(&ps, "digital_confidence"));
	assert_non_null(problems_for(&ps, "deprivation_decile"));
	ps.n = 0;
	patient_identifier_validate("mrn", "A/12-3.4", &ps);
	assert_int_equal(ps.n, 0);
	patient_identifier_validate("passport", "<b>", &ps);
	assert_int_equal(ps.n, 2);
}

struct update_job {
	struct patient p;
};

static enum err
update_fn(struct db *db, void *arg)
{
	return patient_update(db, &((struct update_job *)arg)->p, 50);
}

static void
test_version_conflict(void **state)
{
	struct fixture *f = *state;
	struct update_job j;
	struct patient now;

	assert_int_equal(patient_get(f->t.db, f->a, f->p1, &j.p), ERR_OK);
	assert_int_equal(j.p.version, 1);
	assert_int_equal(j.p.nids, 1);
	j.p.communication_needs = "Large print";
	j.p.disability = "yes";
	j.p.digital_confidence = "low";
	j.p.deprivation_decile = 2;
	assert_int_equal(store_write(f->t.store, update_fn, &j), ERR_OK);
	/* The same stale version again: refused, nothing changes. */
	j.p.communication_needs = "Overwrite";
	assert_int_equal(store_write(f->t.store, update_fn, &j), ERR_CONFLICT);
	assert_int_equal(patient_get(f->t.db, f->a, f->p1, &now), ERR_OK);
	assert_string_equal(now.communication_needs, "Large print");
	assert_string_equal(now.disability, "yes");
	assert_string_equal(now.digital_confidence, "low");
	assert_int_equal(now.deprivation_decile, 2);
	assert_int_equal(now.version, 2);
}

/* Each version replaced is kept as it was, numbers included; a refused
 * update keeps nothing. */
static void
test_versions_kept(void **state)
{
	struct fixture *f = *state;
	struct update_job j;
	struct patient v1, old, *list;
	size_t n;

	assert_int_equal(patient_get(f->t.db, f->a, f->p1, &v1), ERR_OK);
	j.p = v1;
	j.p.given_name = "Second";
	assert_int_equal(store_write(f->t.store, update_fn, &j), ERR_OK);
	j.p.version = v1.version + 1;
	j.p.given_name = "Third";
	assert_int_equal(store_write(f->t.store, update_fn, &j), ERR_OK);
	/* Stale: refused, and no version kept for it. */
	assert_int_equal(store_write(f->t.store, update_fn, &j), ERR_CONFLICT);

	assert_int_equal(patient_version_get(f->t.db, f->a, f->p1, v1.version,
					     &old),
			 ERR_OK);
	assert_string_equal(old.given_name, v1.given_name);
	assert_string_equal(old.family_name, v1.family_name);
	assert_int_equal(old.version, v1.version);
	assert_int_equal(old.nids, v1.nids);
	assert_string_equal(old.ids[0].system, v1.ids[0].system);
	assert_string_equal(old.ids[0].value, v1.ids[0].value);
	assert_int_equal(patient_version_get(f->t.db, f->a, f->p1,
					     v1.version + 1, &old),
			 ERR_OK);
	assert_string_equal(old.given_name, "Second");
	/* The current version is the record itself, not a kept one. */
	assert_int_equal(patient_version_get(f->t.db, f->a, f->p1,
					     v1.version + 2, &old),
			 ERR_NOT_FOUND);
	assert_int_equal(patient_versions(f->t.db, f->a, f->p1,
					  v1.version + 2, 10, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].version, v1.version + 1);
	assert_int_equal(list[1].version, v1.version);
	assert_int_equal(patient_versions(f->t.db, f->a, f->p1,
					  v1.version + 1, 10, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 1);

	/* The organisation's history: the two kept and the current one of
	 * p1 among the others', newest first, in pages; none of the other
	 * organisation's. */
	{
		struct patient_version_key *keys, after;
		size_t i, mine = 0, total;

		assert_int_equal(patient_history_of_org(f->t.db, f->a, f->org,
							0, NULL, 100, &keys,
							&n),
				 ERR_OK);
		for (i = 0; i < n; i++) {
			if (i)
				assert_true(keys[i].at <= keys[i - 1].at);
			assert_true(keys[i].patient_id != f->p3);
			mine += keys[i].patient_id == f->p1;
		}
		assert_int_equal(mine, 3);
		after = keys[0];
		total = n;
		assert_int_equal(patient_history_of_org(f->t.db, f->a, f->org,
							0, &after, 100, &keys,
							&n),
				 ERR_OK);
		assert_int_equal(n, total - 1);
		/* Since after the last change: nothing. */
		assert_int_equal(patient_history_of_org(f->t.db, f->a, f->org,
							INT64_MAX / 2, NULL,
							100, &keys, &n),
				 ERR_OK);
		assert_int_equal(n, 0);
	}
}

struct grant_job {
	struct grant g;
	int64_t id, now;
};

static enum err
grant_fn(struct db *db, void *arg)
{
	return grant_insert(db, &((struct grant_job *)arg)->g);
}

static enum err
revoke_fn(struct db *db, void *arg)
{
	struct grant_job *j = arg;

	return grant_revoke(db, j->g.patient_id, j->g.id, j->now);
}

static void
test_grants(void **state)
{
	struct fixture *f = *state;
	struct grant_job j = {0};
	struct grant *list;
	struct problems ps = {0};
	size_t n;

	j.g.id = id_new();
	j.g.org_id = f->org;
	j.g.patient_id = f->p1;
	j.g.caregiver_id = f->carer;
	j.g.relationship = "son";
	j.g.scopes = policy_scope_bit(RES_PROFILE, ACT_READ);
	j.g.granted_by = f->pro;
	j.g.granted_at = 100;
	j.g.expires_at = 1000;
	grant_validate(&j.g, policy_grantable_scopes(), 100, &ps);
	assert_int_equal(ps.n, 0);
	assert_int_equal(store_write(f->t.store, grant_fn, &j), ERR_OK);
	assert_int_equal(grant_list_for_caregiver(f->t.db, f->a, f->carer, 500,
						  &list, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].patient_name, "José Núñez");
	/* Expired at 1000. */
	assert_int_equal(grant_list_for_caregiver(f->t.db, f->a, f->carer,
						  1000, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
	/* Revoking someone else's grant finds nothing; the real one works. */
	j.now = 200;
	j.g.patient_id = f->p2;
	assert_int_equal(store_write(f->t.store, revoke_fn, &j), ERR_NOT_FOUND);
	j.g.patient_id = f->p1;
	assert_int_equal(store_write(f->t.store, revoke_fn, &j), ERR_OK);
	assert_int_equal(store_write(f->t.store, revoke_fn, &j), ERR_NOT_FOUND);
	assert_int_equal(grant_list_for_patient(f->t.db, f->a, f->p1, &list,
						&n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_false(grant_is_active(&list[0], 300));
	/* Validation: no scopes, care-team writing, a past end. */
	j.g.scopes = 0;
	j.g.expires_at = 50;
	grant_validate(&j.g, policy_grantable_scopes(), 100, &ps);
	assert_int_equal(ps.n, 2);
	ps.n = 0;
	j.g.scopes = policy_scope_bit(RES_CARE_TEAM, ACT_WRITE);
	j.g.expires_at = 0;
	grant_validate(&j.g, policy_grantable_scopes(), 100, &ps);
	assert_int_equal(ps.n, 1);
}

struct team_job {
	struct fixture *f;
	int64_t member;
	int64_t bg;
};

static enum err
team_dup_fn(struct db *db, void *arg)
{
	struct team_job *j = arg;

	return team_add(db, j->f->org, j->f->p1, j->f->pro, "again", 20);
}

static enum err
team_remove_fn(struct db *db, void *arg)
{
	struct team_job *j = arg;

	return team_remove(db, j->f->p2, j->member);
}

static enum err
glass_fn(struct db *db, void *arg)
{
	struct team_job *j = arg;

	return break_glass_insert(db, j->f->org, j->f->p1, j->f->other_pro,
				  "Crisis at the walk-in clinic", 1000, &j->bg);
}

static void
test_team_and_glass(void **state)
{
	struct fixture *f = *state;
	struct team_job j = {f, 0, 0};
	struct team_member *m;
	struct break_glass *bg;
	struct problems ps = {0};
	size_t n;

	assert_int_equal(store_write(f->t.store, team_dup_fn, &j), ERR_EXISTS);
	assert_int_equal(team_list(f->t.db, f->a, f->p1, &m, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].team_role, "Named nurse");
	/* A member id of another patient's team is not removed. */
	j.member = m[0].id;
	assert_int_equal(store_write(f->t.store, team_remove_fn, &j),
			 ERR_NOT_FOUND);
	break_glass_validate("short", &ps);
	assert_int_equal(ps.n, 1);
	assert_int_equal(store_write(f->t.store, glass_fn, &j), ERR_OK);
	assert_int_equal(break_glass_list_for_patient(f->t.db, f->a, f->p1,
						      &bg, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(bg[0].expires_at, 1000 + BREAK_GLASS_SECONDS);
	assert_int_equal(break_glass_list_for_org(f->t.db, f->a, f->other_org,
						  10, &bg, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
}

static void
test_emergency_number(void **state)
{
	assert_true(org_emergency_number_valid("999"));
	assert_true(org_emergency_number_valid("112"));
	assert_true(org_emergency_number_valid("+44 800-123"));
	assert_false(org_emergency_number_valid(""));
	assert_false(org_emergency_number_valid("9"));
	assert_false(org_emergency_number_valid("call 999"));
	assert_false(org_emergency_number_valid("+ -"));
	assert_false(org_emergency_number_valid("123456789012345678901"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_emergency_number),
		cmocka_unit_test_setup_teardown(test_search, up, down),
		cmocka_unit_test_setup_teardown(test_version_conflict, up, down),
		cmocka_unit_test_setup_teardown(test_versions_kept, up, down),
		cmocka_unit_test_setup_teardown(test_grants, up, down),
		cmocka_unit_test_setup_teardown(test_team_and_glass, up, down),
	};

	test_init();
	return cmocka_run_group_tests_name("people", tests, NULL, NULL);
}

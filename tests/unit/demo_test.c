/*
 * Unit tests for src/demo on SQLite, and on PostgreSQL when
 * COCARE_TEST_PG is set: what the demo organisation holds, the advertised
 * logins, the audit chain over it, refusal on a database that is not
 * empty, and that the same seed gives the same people.
 */
#include "support.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/account.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "demo/demo.h"
#include "people/careteam.h"
#include "people/org.h"
#include "people/patient.h"
#include "store/store.h"

#define NOW 1780000000		/* 2026-05-28 */
#define DAY 86400

static const char sql_orgs[] = "SELECT count(*) FROM organisation";
static const char sql_units[] = "SELECT count(*) FROM unit";
static const char sql_patients[] = "SELECT count(*) FROM patient";
static const char sql_accounts[] = "SELECT count(*) FROM account";
static const char sql_professionals[] =
	"SELECT count(*) FROM account WHERE role = 'professional' "
	"AND discipline <> '' AND unit_id IS NOT NULL";
static const char sql_disciplines[] =
	"SELECT count(DISTINCT discipline) FROM account "
	"WHERE role = 'professional'";
static const char sql_caregivers[] =
	"SELECT count(*) FROM account WHERE role = 'caregiver'";
static const char sql_identifiers[] =
	"SELECT count(DISTINCT value) FROM patient_identifier";
static const char sql_team_min[] =
	"SELECT min(n) FROM (SELECT count(m.id) AS n FROM patient p "
	"LEFT JOIN care_team_member m ON m.patient_id = p.id "
	"GROUP BY p.id) t";
static const char sql_team_max[] =
	"SELECT max(n) FROM (SELECT count(m.id) AS n FROM patient p "
	"LEFT JOIN care_team_member m ON m.patient_id = p.id "
	"GROUP BY p.id) t";
static const char sql_team_misfit[] =
	"SELECT count(*) FROM care_team_member m "
	"JOIN account a ON a.id = m.account_id "
	"JOIN patient p ON p.id = m.patient_id "
	"WHERE a.role <> 'professional' OR a.unit_id <> p.unit_id";
static const char sql_patients_without_account[] =
	"SELECT count(*) FROM patient p WHERE NOT EXISTS (SELECT 1 FROM "
	"account a WHERE a.patient_id = p.id AND a.role = 'patient')";
static const char sql_grants_revoked[] =
	"SELECT count(*) FROM caregiver_grant WHERE revoked_at <> 0";
static const char sql_grants_expired[] =
	"SELECT count(*) FROM caregiver_grant WHERE revoked_at = 0 "
	"AND expires_at <> 0 AND expires_at <= $1";
static const char sql_grants_limited[] =
	"SELECT count(*) FROM caregiver_grant WHERE revoked_at = 0 "
	"AND expires_at > $1";
static const char sql_grants_open[] =
	"SELECT count(*) FROM caregiver_grant WHERE revoked_at = 0 "
	"AND expires_at = 0";
static const char sql_grants_by_patient[] =
	"SELECT count(*) FROM caregiver_grant g JOIN account a "
	"ON a.id = g.granted_by WHERE a.patient_id = g.patient_id";
/* Times that could not have happened by $1 (now), or out of order. */
static const char sql_bad_times[] =
	"SELECT (SELECT count(*) FROM care_team_member WHERE since > $1) "
	"+ (SELECT count(*) FROM caregiver_grant WHERE granted_at > $1 "
	"OR revoked_at > $1 OR (expires_at <> 0 AND expires_at <= granted_at) "
	"OR (revoked_at <> 0 AND revoked_at <= granted_at)) "
	"+ (SELECT count(*) FROM account WHERE created_at > $1) "
	"+ (SELECT count(*) FROM patient WHERE created_at > $1)";
static const char sql_languages[] =
	"SELECT count(DISTINCT preferred_language) FROM patient";
static const char sql_lang_en[] =
	"SELECT count(*) FROM patient WHERE preferred_language = 'en'";
static const char sql_lang_es[] =
	"SELECT count(*) FROM patient WHERE preferred_language = 'es'";
static const char sql_genders[] = "SELECT count(DISTINCT gender) FROM patient";
static const char sql_interpreters[] =
	"SELECT count(*) FROM patient WHERE interpreter_needed <> 0";
static const char sql_comm_needs[] =
	"SELECT count(*) FROM patient WHERE communication_needs <> ''";
static const char sql_access_needs[] =
	"SELECT count(*) FROM patient WHERE accessibility_needs <> ''";
static const char sql_accented[] =
	"SELECT count(*) FROM patient WHERE family_name LIKE '%ú%' "
	"OR family_name LIKE '%é%' OR given_name LIKE '%é%'";
static const char sql_setting[] =
	"SELECT count(*) FROM setting WHERE key = 'demo' AND value = '1'";
static const char sql_records[] =
	"SELECT (SELECT count(*) FROM organisation) "
	"+ (SELECT count(*) FROM unit) + (SELECT count(*) FROM account) "
	"+ (SELECT count(*) FROM patient) "
	"+ (SELECT count(*) FROM patient_identifier) "
	"+ (SELECT count(*) FROM care_team_member) "
	"+ (SELECT count(*) FROM caregiver_grant) "
	"+ (SELECT count(*) FROM break_glass) "
	"+ (SELECT count(*) FROM setting)";
static const char sql_audit_system[] =
	"SELECT count(*) FROM audit_event WHERE actor_id = 0 "
	"AND actor_role = 'system'";
static const char sql_people[] =
	"SELECT p.given_name, p.family_name, p.birth_date, p.gender, "
	"p.preferred_language, p.interpreter_needed, p.communication_needs, "
	"p.accessibility_needs, u.name, i.value, n.value, a.username "
	"FROM patient p JOIN unit u ON u.id = p.unit_id "
	"JOIN patient_identifier i ON i.patient_id = p.id "
	"AND i.system = 'mrn' "
	"JOIN patient_identifier n ON n.patient_id = p.id "
	"AND n.system = 'national' "
	"JOIN account a ON a.patient_id = p.id ORDER BY a.username";
static const char sql_carers[] =
	"SELECT a.username, a.display_name, g.relationship, g.scopes, "
	"g.expires_at - g.granted_at, g.revoked_at, p.given_name "
	"FROM caregiver_grant g JOIN account a ON a.id = g.caregiver_id "
	"JOIN patient p ON p.id = g.patient_id ORDER BY a.username";
static const char sql_teams[] =
	"SELECT pa.username, sa.username, m.team_role "
	"FROM care_team_member m JOIN account pa "
	"ON pa.patient_id = m.patient_id AND pa.role = 'patient' "
	"JOIN account sa ON sa.id = m.account_id "
	"ORDER BY pa.username, sa.username";

static struct audit_key key;

/* test_count() for a statement whose $1 is a time. */
static int64_t
count_at(struct db *db, const char *sql, int64_t t)
{
	struct stmt *st = db_prepare(db, sql);
	int64_t n = -1;

	assert_non_null(st);
	stmt_bind_int(st, 1, t);
	if (stmt_row(st))
		n = stmt_int(st, 0);
	assert_int_equal(stmt_done(st), ERR_OK);
	return n;
}

static int64_t
audit_count(struct db *db)
{
	struct audit_problem problem;
	int64_t n = 0;

	assert_int_equal(audit_verify(db, &key, &n, &problem), ERR_OK);
	return n;
}

static void
load(struct test_db *t, uint32_t seed, struct demo_summary *sum)
{
	uint64_t t0 = clock_mono_ns();
	/*
	 * The brief: a few seconds at most, Argon2 included (about 1 s on
	 * SQLite). On PostgreSQL each of the year of contact history's
	 * statements is a round trip to the server, so a guard against a
	 * runaway load only.
	 */
	uint64_t limit = db_backend(t->db) == STORE_PG ? 60 : 10;

	assert_int_equal(demo_load(t->store, &key, seed, NOW, sum), ERR_OK);
	assert_true(clock_mono_ns() - t0 < limit * 1000 * 1000 * 1000);
}

static void
test_counts(void **state)
{
	struct demo_summary sum;
	struct test_db t;

	test_db_open(&t);
	load(&t, 1, &sum);
	assert_true(sum.org_id > 0);
	assert_int_equal(sum.units, 2);
	assert_true(sum.professionals >= 12);
	assert_int_equal(sum.patients, 200);
	assert_int_equal(sum.caregivers, 40);
	assert_int_equal(sum.grants, 40);
	assert_int_equal(sum.accounts, test_count(t.db, sql_accounts));

	assert_int_equal(test_count(t.db, sql_orgs), 1);
	assert_int_equal(test_count(t.db, sql_units), 2);
	assert_int_equal(test_count(t.db, sql_patients), 200);
	assert_int_equal(test_count(t.db, sql_professionals),
			 sum.professionals);
	assert_true(test_count(t.db, sql_disciplines) >= 11);
	assert_int_equal(test_count(t.db, sql_caregivers), 40);
	assert_int_equal(test_count(t.db, sql_identifiers), 400);
	assert_int_equal(test_count(t.db, sql_team_min), 2);
	assert_int_equal(test_count(t.db, sql_team_max), 3);
	assert_int_equal(test_count(t.db, sql_team_misfit), 0);
	assert_int_equal(test_count(t.db, sql_patients_without_account), 0);
	assert_int_equal(test_count(t.db, sql_setting), 1);

	/* Grants in every state, all given by the patient. */
	assert_true(test_count(t.db, sql_grants_revoked) >= 3);
	assert_true(count_at(t.db, sql_grants_expired, NOW) >= 3);
	assert_true(count_at(t.db, sql_grants_limited, NOW) >= 3);
	assert_true(test_count(t.db, sql_grants_open) >= 10);
	assert_int_equal(test_count(t.db, sql_grants_by_patient), 40);
	assert_int_equal(count_at(t.db, sql_bad_times, NOW), 0);

	/* Variety a newcomer sees in the lists. */
	assert_true(test_count(t.db, sql_languages) >= 6);
	assert_true(test_count(t.db, sql_lang_en) >= 80);
	assert_true(test_count(t.db, sql_lang_es) >= 15);
	assert_int_equal(test_count(t.db, sql_genders), 4);
	assert_true(test_count(t.db, sql_interpreters) >= 5);
	assert_true(test_count(t.db, sql_comm_needs) >= 20);
	assert_true(test_count(t.db, sql_access_needs) >= 20);
	assert_true(test_count(t.db, sql_accented) >= 5);
	test_db_close(&t);
}

/* Every patient passes the same validation as one typed into the form. */
static void
test_patients_valid(void **state)
{
	struct arena *a = arena_new(16 * 1024 * 1024);
	struct demo_summary sum;
	struct patient *rows, p;
	struct test_db t;
	size_t n, i, k;

	assert_non_null(a);
	test_db_open(&t);
	load(&t, 2, &sum);
	assert_int_equal(patient_search(t.db, a, sum.org_id, "", false, 0, 500,
					0, &rows, &n), ERR_OK);
	assert_int_equal(n, 200);
	for (i = 0; i < n; i++) {
		struct problems probs = {0};
		int64_t birth;
		int age;

		patient_validate(&rows[i], NOW, &probs);
		assert_int_equal(probs.n, 0);
		assert_true(clock_parse_date(rows[i].birth_date, &birth));
		age = clock_age_years(birth, NOW);
		assert_true(age >= 18 && age <= 95);
		assert_true(rows[i].unit_id != 0);
		assert_int_equal(patient_get(t.db, a, rows[i].id, &p), ERR_OK);
		assert_int_equal(p.nids, 2);
		for (k = 0; k < p.nids; k++) {
			patient_identifier_validate(p.ids[k].system,
						    p.ids[k].value, &probs);
			assert_int_equal(probs.n, 0);
		}
	}
	test_db_close(&t);
	arena_free(a);
}

struct login {
	const char *username;
	enum role role;
	const char *discipline;
};

static const struct login logins[] = {
	{"patient", ROLE_PATIENT, ""},
	{"caregiver", ROLE_CAREGIVER, ""},
	{"nurse", ROLE_PROFESSIONAL, "mental health nursing"},
	{"doctor", ROLE_PROFESSIONAL, "psychiatry"},
	{"reception", ROLE_RECEPTIONIST, ""},
	{"admin", ROLE_ADMINISTRATOR, ""},
	{"privacy", ROLE_PRIVACY_OFFICER, ""},
	{"improvement", ROLE_IMPROVEMENT_LEAD, ""},
	{"facilitator", ROLE_FACILITATOR, ""},
	{"researcher", ROLE_RESEARCHER, ""},
};

static bool
on_team(const struct team_member *m, size_t n, int64_t account_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (m[i].account_id == account_id)
			return true;
	return false;
}

static void
test_logins(void **state)
{
	struct arena *a = arena_new(4 * 1024 * 1024);
	struct account acc, pat, nurse, doctor, carer;
	struct demo_summary sum;
	struct test_db t;
	struct patient p;
	size_t i;

	assert_non_null(a);
	test_db_open(&t);
	load(&t, 3, &sum);
	for (i = 0; i < sizeof(logins) / sizeof(logins[0]); i++) {
		const struct login *l = &logins[i];

		assert_int_equal(account_get_by_username(t.db, a, l->username,
							 &acc), ERR_OK);
		assert_int_equal(acc.role, l->role);
		assert_string_equal(acc.discipline, l->discipline);
		assert_int_equal(acc.org_id, sum.org_id);
		assert_false(acc.disabled);
		/* A person's name, not a role word. */
		assert_non_null(strchr(acc.display_name, ' '));
		assert_null(strcasestr(acc.display_name, l->username));
		assert_true(password_verify(acc.password_hash, DEMO_PASSWORD));
	}
	assert_int_equal(account_get_by_username(t.db, a, "p200", &acc),
			 ERR_OK);
	assert_int_equal(acc.role, ROLE_PATIENT);
	assert_false(password_verify(acc.password_hash, "wrong-password-1"));
	assert_int_equal(account_get_by_username(t.db, a, "p201", &acc),
			 ERR_NOT_FOUND);

	/* María López, 46, Spanish-speaking, on the nurse's and doctor's
	 * team. */
	assert_int_equal(account_get_by_username(t.db, a, "patient", &pat),
			 ERR_OK);
	/* Her pages follow the browser's language: she reads both. */
	assert_string_equal(pat.language, "");
	assert_int_equal(patient_get(t.db, a, pat.patient_id, &p), ERR_OK);
	assert_string_equal(p.preferred_language, "es");
	assert_string_equal(p.given_name, "María");
	assert_string_equal(p.family_name, "López");
	assert_string_equal(p.gender, "female");
	assert_string_equal(p.preferred_language, "es");
	{
		int64_t birth;

		assert_true(clock_parse_date(p.birth_date, &birth));
		assert_int_equal(clock_age_years(birth, NOW), 46);
	}
	{
		struct team_member *m;
		size_t n;

		assert_int_equal(account_get_by_username(t.db, a, "nurse",
							 &nurse), ERR_OK);
		assert_int_equal(account_get_by_username(t.db, a, "doctor",
							 &doctor), ERR_OK);
		assert_int_equal(team_list(t.db, a, p.id, &m, &n), ERR_OK);
		assert_true(n >= 2 && n <= 3);
		assert_true(on_team(m, n, nurse.id));
		assert_true(on_team(m, n, doctor.id));
	}

	/* Her daughter's grant, in force, with exactly the brief's scopes. */
	{
		unsigned want = policy_scope_bit(RES_PROFILE, ACT_READ) |
				policy_scope_bit(RES_CARE_TEAM, ACT_READ) |
				policy_scope_bit(RES_CARE_RECORD, ACT_READ) |
				policy_scope_bit(RES_MEASURES, ACT_READ) |
				policy_scope_bit(RES_MEASURES, ACT_WRITE) |
				policy_scope_bit(RES_NOTES, ACT_READ);
		struct grant *g;
		size_t n;

		assert_int_equal(account_get_by_username(t.db, a, "caregiver",
							 &carer), ERR_OK);
		assert_int_equal(grant_list_for_caregiver(t.db, a, carer.id,
							  NOW, &g, &n), ERR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(g[0].patient_id, p.id);
		assert_string_equal(g[0].relationship, "daughter");
		assert_int_equal(g[0].scopes, want);
		assert_int_equal(g[0].granted_by, pat.id);
		assert_true(grant_is_active(&g[0], NOW));
	}

	/* The break-the-glass opening, by someone not on her team, is in
	 * her access list. */
	{
		struct break_glass *bg;
		struct team_member *m;
		struct audit_row *rows;
		size_t n, nm, k;
		bool seen = false;

		assert_int_equal(break_glass_list_for_patient(t.db, a, p.id,
							      &bg, &n), ERR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(bg[0].opened_at, NOW - 3 * DAY);
		assert_non_null(strstr(bg[0].reason, "walk-in clinic"));
		assert_int_equal(team_list(t.db, a, p.id, &m, &nm), ERR_OK);
		assert_false(on_team(m, nm, bg[0].account_id));
		assert_int_equal(account_get(t.db, a, bg[0].account_id, &acc),
				 ERR_OK);
		assert_int_equal(acc.role, ROLE_PROFESSIONAL);
		assert_int_equal(audit_list_for_patient(t.db, a, p.id, 0, 1000,
							&rows, &n), ERR_OK);
		for (k = 0; k < n; k++)
			if (strcmp(rows[k].action, "break-glass") == 0) {
				seen = true;
				assert_int_equal(rows[k].actor_id, acc.id);
				assert_string_equal(rows[k].resource_type,
						    "Patient");
			}
		assert_true(seen);
	}
	test_db_close(&t);
	arena_free(a);
}

static void
test_audit(void **state)
{
	struct demo_summary sum;
	struct test_db t;
	int64_t records;

	test_db_open(&t);
	load(&t, 4, &sum);
	records = test_count(t.db, sql_records);
	assert_true(records > 1000);
	assert_true(audit_count(t.db) >= records);
	/* All but the break-glass story are the system's. */
	assert_true(test_count(t.db, sql_audit_system) >= records - 1);
	test_db_close(&t);
}

static enum err
insert_org(struct db *db, void *arg)
{
	struct organisation o = {.id = 77, .name = "Existing Trust",
				 .created_at = NOW};

	return org_insert(db, &o);
}

static void
test_not_empty(void **state)
{
	struct demo_summary sum;
	struct test_db t;
	int64_t records, audits;

	/* A second load is refused and changes nothing. */
	test_db_open(&t);
	load(&t, 5, &sum);
	records = test_count(t.db, sql_records);
	audits = audit_count(t.db);
	assert_int_equal(demo_load(t.store, &key, 5, NOW, &sum), ERR_EXISTS);
	assert_int_equal(sum.patients, 0);
	assert_int_equal(test_count(t.db, sql_records), records);
	assert_int_equal(audit_count(t.db), audits);
	assert_int_equal(test_count(t.db, sql_orgs), 1);
	test_db_close(&t);

	/* So is a load into any database that has an organisation. */
	test_db_open(&t);
	assert_int_equal(store_write(t.store, insert_org, NULL), ERR_OK);
	assert_int_equal(demo_load(t.store, &key, 5, NOW, NULL), ERR_EXISTS);
	assert_int_equal(test_count(t.db, sql_records), 1);
	assert_int_equal(audit_count(t.db), 0);
	test_db_close(&t);
}

/* Every row of `sql` as text, one line per row, in a malloc'd string. */
static char *
dump(struct db *db, const char *sql, int cols)
{
	struct arena *a = arena_new(4 * 1024 * 1024);
	struct stmt *st = db_prepare(db, sql);
	struct buf b;
	char *out;
	int c;

	assert_non_null(a);
	assert_non_null(st);
	buf_init(&b, a, 2 * 1024 * 1024);
	while (stmt_row(st)) {
		for (c = 0; c < cols; c++) {
			const char *s = stmt_text(st, c);

			buf_printf(&b, "%s|", s ? s : "NULL");
		}
		buf_addc(&b, '\n');
	}
	assert_int_equal(stmt_done(st), ERR_OK);
	assert_false(b.failed);
	out = strdup(b.p);
	assert_non_null(out);
	arena_free(a);
	return out;
}

struct snapshot {
	char *people;
	char *carers;
	char *teams;
};

static void
snapshot_take(uint32_t seed, struct snapshot *s)
{
	struct demo_summary sum;
	struct test_db t;

	test_db_open(&t);
	load(&t, seed, &sum);
	s->people = dump(t.db, sql_people, 12);
	s->carers = dump(t.db, sql_carers, 7);
	s->teams = dump(t.db, sql_teams, 3);
	test_db_close(&t);
}

static void
snapshot_free(struct snapshot *s)
{
	free(s->people);
	free(s->carers);
	free(s->teams);
}

static void
test_deterministic(void **state)
{
	struct snapshot a, b, c;

	snapshot_take(42, &a);
	snapshot_take(42, &b);
	snapshot_take(43, &c);
	assert_string_equal(a.people, b.people);
	assert_string_equal(a.carers, b.carers);
	assert_string_equal(a.teams, b.teams);
	assert_string_not_equal(a.people, c.people);
	assert_string_not_equal(a.carers, c.carers);
	/* The advertised example is the same whatever the seed. */
	assert_non_null(strstr(a.people, "María|López|"));
	assert_non_null(strstr(c.people, "María|López|"));
	snapshot_free(&a);
	snapshot_free(&b);
	snapshot_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_patients_valid),
		cmocka_unit_test(test_logins),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_not_empty),
		cmocka_unit_test(test_deterministic),
	};

	test_init();
	randombytes_buf(key.k, sizeof(key.k));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

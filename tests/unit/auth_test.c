/*
 * Unit tests for src/auth: passwords, throttling, TOTP, sessions, API
 * tokens, and the audit chain with the single write path (provenance and
 * touchpoints in the same transaction; tampering found by verify).
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/account.h"
#include "auth/apitoken.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "auth/totp.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/id.h"

static void
test_password_policy(void **state)
{
	char hash[PASSWORD_HASH_MAX];

	assert_int_equal(password_check("short", "ana"), PASSWORD_TOO_SHORT);
	/* 11 characters but 13 bytes: counted in characters. */
	assert_int_equal(password_check("ñandúes1234", "ana"),
			 PASSWORD_TOO_SHORT);
	assert_int_equal(password_check("password1234", "ana"),
			 PASSWORD_COMMON);
	assert_int_equal(password_check("PassWord1234", "ana"),
			 PASSWORD_COMMON);
	assert_int_equal(password_check("my name is mariaelena", "mariaelena"),
			 PASSWORD_LIKE_USERNAME);
	assert_int_equal(password_check("bad\x01control chars", "ana"),
			 PASSWORD_NOT_TEXT);
	assert_int_equal(password_check("green kettle harbour", "ana"),
			 PASSWORD_OK);
	assert_int_equal(password_hash("green kettle harbour", hash), ERR_OK);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_true(password_verify(hash, "green kettle harbour"));
	assert_false(password_verify(hash, "green kettle harbouR"));
}

static void
test_throttle_delay(void **state)
{
	assert_int_equal(throttle_delay(0, 5), 0);
	assert_int_equal(throttle_delay(4, 5), 0);
	assert_int_equal(throttle_delay(5, 5), 1);
	assert_int_equal(throttle_delay(6, 5), 2);
	assert_int_equal(throttle_delay(9, 5), 16);
	assert_int_equal(throttle_delay(100, 5), THROTTLE_MAX_WAIT);
}

static void
test_totp(void **state)
{
	char secret[TOTP_SECRET_MAX], code[8];
	int64_t now = 1700000000;

	assert_int_equal(totp_new_secret(secret), ERR_OK);
	assert_int_equal(totp_code(secret, now, code), ERR_OK);
	assert_int_equal(strlen(code), 6);
	assert_true(totp_verify(secret, code, now));
	assert_true(totp_verify(secret, code, now + 30));	/* drift */
	assert_false(totp_verify(secret, code, now + 300));
	assert_false(totp_verify(secret, "12345", now));
	assert_false(totp_verify(secret, "abcdef", now));
	assert_false(totp_verify("", code, now));
}

struct fixture {
	struct test_db t;
	struct arena *a;
	struct audit_key key;
	struct ctx ctx;
	int64_t org, patient, patient_account, pro_account;
};

static enum err
setup_fn(struct db *db, void *arg)
{
	struct fixture *f = arg;
	enum err e;

	if ((e = test_add_org(db, f->org, "Test org")) != ERR_OK)
		return e;
	if ((e = test_add_patient(db, f->patient, f->org, "Ana", "Pérez")) !=
	    ERR_OK)
		return e;
	if ((e = test_add_account(db, f->patient_account, f->org, "ana",
				  ROLE_PATIENT, f->patient)) != ERR_OK)
		return e;
	return test_add_account(db, f->pro_account, f->org, "dr.lee",
				ROLE_PROFESSIONAL, 0);
}

static int
fixture_up(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_db_open(&f->t);
	f->a = arena_new(1 << 20);
	f->org = id_new();
	f->patient = id_new();
	f->patient_account = id_new();
	f->pro_account = id_new();
	assert_int_equal(store_write(f->t.store, setup_fn, f), ERR_OK);
	test_ctx_init(&f->ctx, &f->t, f->a, &f->key);
	*state = f;
	return 0;
}

static int
fixture_down(void **state)
{
	struct fixture *f = *state;

	test_teardown(&f->t, f->a, f);
	return 0;
}

static void
act_as(struct fixture *f, int64_t account, enum role role)
{
	test_act_as(&f->ctx, f->org, f->patient, account, role);
}

static enum err
language_fn(struct db *db, void *arg)
{
	struct fixture *f = arg;

	return account_set_language(db, f->patient_account, "es", 5);
}

static enum err
failing_fn(struct db *db, void *arg)
{
	struct fixture *f = arg;
	enum err e = account_set_language(db, f->patient_account, "en", 6);

	return e == ERR_OK ? ERR_INVALID : e;
}

static int64_t
count_rows(struct fixture *f, const char *sql)
{
	return test_count(f->t.db, sql);
}

static void
test_write_path_records_everything(void **state)
{
	struct fixture *f = *state;
	struct write_info wi = {"update", "Patient", "1", f->patient, NULL,
				"profile-update", NULL};
	struct audit_problem p;
	struct account acc;
	int64_t n;

	act_as(f, f->patient_account, ROLE_PATIENT);
	assert_int_equal(write_commit(&f->ctx, &wi, language_fn, f), ERR_OK);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM audit_event"), 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM provenance "
				       "WHERE voice = 'patient'"),
			 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM touchpoint "
				       "WHERE direction = 'patient-to-staff'"),
			 1);
	/* A failing write stores nothing but its failure event. */
	assert_int_equal(write_commit(&f->ctx, &wi, failing_fn, f),
			 ERR_INVALID);
	assert_int_equal(account_get(f->t.db, f->a, f->patient_account, &acc),
			 ERR_OK);
	assert_string_equal(acc.language, "es");
	assert_int_equal(count_rows(f, "SELECT count(*) FROM provenance"), 1);
	/* Staff voice, staff-to-patient direction. */
	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(write_commit(&f->ctx, &wi, language_fn, f), ERR_OK);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM touchpoint "
				       "WHERE direction = 'staff-to-patient'"),
			 1);
	store_close(f->t.store);	/* flushes the async failure event */
	f->t.store = NULL;
	{
		struct store_options o = {0};
		char path[512];

		o.pool_size = 1;
		o.async_delay_ms = 1;
		if (test_on_pg()) {
			o.backend = STORE_PG;
			o.pg_conninfo = getenv("COCARE_TEST_PG");
		} else {
			o.backend = STORE_SQLITE;
			snprintf(path, sizeof(path), "%s/cocare.db", f->t.dir);
			o.sqlite_path = path;
		}
		assert_int_equal(store_open(&o, &f->t.store, NULL, 0), ERR_OK);
		f->t.db = store_acquire(f->t.store);
	}
	assert_int_equal(audit_verify(f->t.db, &f->key, &n, &p), ERR_OK);
	assert_int_equal(n, 3);
}

static enum err
audit_many_fn(struct db *db, void *arg)
{
	struct fixture *f = arg;
	struct audit_event e = audit_event_for(&f->ctx, "read", "Patient",
					       "x", f->patient, "success");
	enum err err = ERR_OK;
	int i;

	for (i = 0; i < 10 && err == ERR_OK; i++)
		err = audit_append(db, &f->key, &e, NULL);
	return err;
}

static void
expect_broken(struct fixture *f, int64_t seq)
{
	struct audit_problem p;
	int64_t n;

	assert_int_equal(audit_verify(f->t.db, &f->key, &n, &p), ERR_INVALID);
	assert_int_equal(p.seq, seq);
}

static enum err
exec_sql(struct db *db, void *arg)
{
	struct stmt *st = db_prepare(db, arg);

	return st ? stmt_exec(st) : ERR_DB;
}

static void
test_audit_tamper_edit(void **state)
{
	struct fixture *f = *state;
	struct audit_problem p;
	int64_t n;

	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(store_write(f->t.store, audit_many_fn, f), ERR_OK);
	assert_int_equal(audit_verify(f->t.db, &f->key, &n, &p), ERR_OK);
	assert_int_equal(n, 10);
	assert_int_equal(store_write(f->t.store, exec_sql,
				     "UPDATE audit_event SET action = 'x' "
				     "WHERE seq = 4"),
			 ERR_OK);
	expect_broken(f, 4);
}

static void
test_audit_tamper_delete_middle(void **state)
{
	struct fixture *f = *state;

	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(store_write(f->t.store, audit_many_fn, f), ERR_OK);
	assert_int_equal(store_write(f->t.store, exec_sql,
				     "DELETE FROM audit_event WHERE seq = 6"),
			 ERR_OK);
	expect_broken(f, 6);
}

static void
test_audit_tamper_delete_last(void **state)
{
	struct fixture *f = *state;

	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(store_write(f->t.store, audit_many_fn, f), ERR_OK);
	assert_int_equal(store_write(f->t.store, exec_sql,
				     "DELETE FROM audit_event WHERE seq = 10"),
			 ERR_OK);
	expect_broken(f, 10);
}

static void
test_audit_tamper_head_missing(void **state)
{
	struct fixture *f = *state;

	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(store_write(f->t.store, audit_many_fn, f), ERR_OK);
	assert_int_equal(store_write(f->t.store, exec_sql,
				     "DELETE FROM audit_head"),
			 ERR_OK);
	expect_broken(f, 1);
}

/* A head behind the newest entry is what a check sees while a server
 * appends; entries after it are still verified. */
static void
test_audit_rewound_head_still_checks_all(void **state)
{
	struct fixture *f = *state;
	struct audit_problem p;
	int64_t n;

	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(store_write(f->t.store, audit_many_fn, f), ERR_OK);
	assert_int_equal(store_write(f->t.store, exec_sql,
				     "UPDATE audit_head SET seq = 5, hash = "
				     "(SELECT hash FROM audit_event "
				     "WHERE seq = 5)"),
			 ERR_OK);
	assert_int_equal(audit_verify(f->t.db, &f->key, &n, &p), ERR_OK);
	assert_int_equal(n, 10);
	assert_int_equal(store_write(f->t.store, exec_sql,
				     "UPDATE audit_event SET detail = 'x' "
				     "WHERE seq = 8"),
			 ERR_OK);
	expect_broken(f, 8);
}

static void
test_audit_tamper_wrong_key(void **state)
{
	struct fixture *f = *state;
	struct audit_key other;
	struct audit_problem p;
	int64_t n;

	act_as(f, f->pro_account, ROLE_PROFESSIONAL);
	assert_int_equal(store_write(f->t.store, audit_many_fn, f), ERR_OK);
	memset(&other, 7, sizeof(other));
	assert_int_equal(audit_verify(f->t.db, &other, &n, &p), ERR_INVALID);
	assert_int_equal(p.seq, 1);
}

static void
test_audit_key_file(void **state)
{
	char *dir = test_tmpdir(), path[512], msg[256];
	struct audit_key a, b;

	snprintf(path, sizeof(path), "%s/audit.key", dir);
	assert_int_equal(audit_key_load(path, false, &a, msg, sizeof(msg)),
			 ERR_IO);
	assert_int_equal(audit_key_load(path, true, &a, msg, sizeof(msg)),
			 ERR_OK);
	assert_int_equal(audit_key_load(path, false, &b, msg, sizeof(msg)),
			 ERR_OK);
	assert_memory_equal(a.k, b.k, sizeof(a.k));
	test_rmdir(dir);
}

struct session_job {
	struct fixture *f;
	char token[TOKEN_HEX_LEN + 1];
	struct session s;
};

static enum err
session_fn(struct db *db, void *arg)
{
	struct session_job *j = arg;

	return session_insert(db, j->f->patient_account, j->f->org, false,
			      1000, j->token, &j->s);
}

static enum err
session_del_fn(struct db *db, void *arg)
{
	struct session_job *j = arg;

	return session_delete_for_account(db, j->f->patient_account);
}

static void
test_sessions(void **state)
{
	struct fixture *f = *state;
	struct session_job j = {f, "", {0}};
	struct session s;
	char bad[TOKEN_HEX_LEN + 1];
	int64_t n = 0;

	assert_int_equal(store_write(f->t.store, session_fn, &j), ERR_OK);
	assert_int_equal(session_lookup(f->t.db, j.token, 1100, 600, 3600, &s),
			 ERR_OK);
	assert_int_equal(s.account_id, f->patient_account);
	assert_string_equal(s.csrf, j.s.csrf);
	/* The stored value is a hash, not the token. */
	assert_int_equal(count_rows(f, "SELECT count(*) FROM session WHERE "
				       "token_hash <> ''"),
			 1);
	/* Idle and absolute timeouts. */
	assert_int_equal(session_lookup(f->t.db, j.token, 1000 + 601, 600,
					3600, &s),
			 ERR_UNAUTHENTICATED);
	assert_int_equal(session_lookup(f->t.db, j.token, 1000 + 3601, 1 << 30,
					3600, &s),
			 ERR_UNAUTHENTICATED);
	/* A malformed or unknown token. */
	assert_int_equal(session_lookup(f->t.db, "zz", 1100, 600, 3600, &s),
			 ERR_UNAUTHENTICATED);
	memcpy(bad, j.token, sizeof(bad));
	bad[0] = bad[0] == 'a' ? 'b' : 'a';
	assert_int_equal(session_lookup(f->t.db, bad, 1100, 600, 3600, &s),
			 ERR_UNAUTHENTICATED);
	assert_int_equal(session_count_for_account(f->t.db,
						   f->patient_account, 1100,
						   600, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	/* Sign out everywhere. */
	assert_int_equal(store_write(f->t.store, session_del_fn, &j), ERR_OK);
	assert_int_equal(session_lookup(f->t.db, j.token, 1100, 600, 3600, &s),
			 ERR_UNAUTHENTICATED);
}

struct token_job {
	struct fixture *f;
	char secret[TOKEN_HEX_LEN + 5];
	int64_t id;
};

static enum err
token_fn(struct db *db, void *arg)
{
	struct token_job *j = arg;

	return apitoken_insert(db, j->f->pro_account, j->f->org, "sync",
			       "user/*.rs", 5000, 1000, j->secret, &j->id);
}

static enum err
token_revoke_fn(struct db *db, void *arg)
{
	struct token_job *j = arg;

	return apitoken_revoke(db, j->f->pro_account, j->id, 1200);
}

static enum err
token_revoke_other_fn(struct db *db, void *arg)
{
	struct token_job *j = arg;

	return apitoken_revoke(db, j->f->patient_account, j->id, 1200);
}

static void
test_api_tokens(void **state)
{
	struct fixture *f = *state;
	struct token_job j = {f, "", 0};
	struct apitoken t;

	assert_true(apitoken_scopes_valid("user/*.rs patient/Observation.c"));
	assert_false(apitoken_scopes_valid("user/*.rs admin"));
	assert_false(apitoken_scopes_valid(""));
	/* A person's token never speaks for a system. */
	assert_false(apitoken_scopes_valid("system/*.rs"));
	assert_int_equal(store_write(f->t.store, token_fn, &j), ERR_OK);
	assert_int_equal(strncmp(j.secret, "cct_", 4), 0);
	assert_int_equal(apitoken_lookup(f->t.db, f->a, j.secret, 1100, &t),
			 ERR_OK);
	assert_string_equal(t.scopes, "user/*.rs");
	assert_int_equal(apitoken_lookup(f->t.db, f->a, j.secret, 6000, &t),
			 ERR_UNAUTHENTICATED);
	/* Only the owner can revoke it. */
	assert_int_equal(store_write(f->t.store, token_revoke_other_fn, &j),
			 ERR_NOT_FOUND);
	assert_int_equal(store_write(f->t.store, token_revoke_fn, &j), ERR_OK);
	assert_int_equal(apitoken_lookup(f->t.db, f->a, j.secret, 1100, &t),
			 ERR_UNAUTHENTICATED);
}

static void
test_username_rules(void **state)
{
	const char *why;

	assert_true(account_username_valid("maria.lopez", &why));
	assert_true(account_username_valid("p002", &why));
	assert_false(account_username_valid("ab", &why));
	assert_false(account_username_valid(".dot", &why));
	assert_false(account_username_valid("María", &why));
	assert_false(account_username_valid("a b", &why));
	assert_false(account_username_valid("x'; DROP TABLE account; --",
					    &why));
	assert_true(account_display_name_valid("María José Núñez"));
	assert_false(account_display_name_valid("   "));
	assert_false(account_display_name_valid("tab\x01"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_throttle_delay),
		cmocka_unit_test(test_totp),
		cmocka_unit_test(test_audit_key_file),
		cmocka_unit_test(test_username_rules),
		cmocka_unit_test_setup_teardown(test_write_path_records_everything,
						fixture_up, fixture_down),
		cmocka_unit_test_setup_teardown(test_audit_tamper_edit,
						fixture_up, fixture_down),
		cmocka_unit_test_setup_teardown(test_audit_tamper_delete_middle,
						fixture_up, fixture_down),
		cmocka_unit_test_setup_teardown(test_audit_tamper_delete_last,
						fixture_up, fixture_down),
		cmocka_unit_test_setup_teardown(test_audit_tamper_head_missing,
						fixture_up, fixture_down),
		cmocka_unit_test_setup_teardown(
			test_audit_rewound_head_still_checks_all, fixture_up,
			fixture_down),
		cmocka_unit_test_setup_teardown(test_audit_tamper_wrong_key,
						fixture_up, fixture_down),
		cmocka_unit_test_setup_teardown(test_sessions, fixture_up,
						fixture_down),
		cmocka_unit_test_setup_teardown(test_api_tokens, fixture_up,
						fixture_down),
	};

	test_init();
	totp_init();
	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}

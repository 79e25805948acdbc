/*
 * Shared fixtures for the cmocka unit tests: temp directories and a fresh
 * store per test, on SQLite or, when COCARE_TEST_PG is set (make unit-pg),
 * on the PostgreSQL server it names, with the schema emptied first.
 */
#ifndef TESTS_SUPPORT_H
#define TESTS_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/actor.h"
#include "auth/audit.h"
#include "people/patient.h"
#include "store/store.h"

struct arena;

/* Initialises libsodium; call first in main(). */
void test_init(void);

/* A new empty directory under /tmp (malloc'd path). */
char *test_tmpdir(void);

/* Removes a directory tree made by test_tmpdir() and frees `dir`. */
void test_rmdir(char *dir);

/* True when the tests run against PostgreSQL. */
bool test_on_pg(void);

struct test_db {
	char *dir;
	struct store *store;
	struct db *db;		/* a read connection, held for the test */
};

/* A freshly migrated, empty database; fails the test on error. */
void test_db_open(struct test_db *t);
void test_db_close(struct test_db *t);

/* The text of a source-tree file relative to the repository root
 * (malloc'd, NUL-terminated), or NULL. Tests run from the root. */
char *test_read_file(const char *path, size_t *len);

/*
 * Rows for a fixture's setup, inside a write transaction: an organisation
 * called `name`; a patient of `org` (test_patient()); an account whose user
 * and display name are `name`, password hash "x", `patient_id` its record
 * for a patient, else 0; a grant from `granted_by` to `caregiver` with no
 * scopes and no end. All created at 1.
 */
enum err test_add_org(struct db *db, int64_t id, const char *name);
enum err test_add_patient(struct db *db, int64_t id, int64_t org,
			  const char *given, const char *family);
enum err test_add_account(struct db *db, int64_t id, int64_t org,
			  const char *name, enum role role,
			  int64_t patient_id);
enum err test_add_grant(struct db *db, int64_t org, int64_t patient_id,
			int64_t caregiver, const char *relationship,
			int64_t granted_by);

/* The patient test_add_patient() inserts: born 1960-01-01, female, "en". */
struct patient test_patient(int64_t id, int64_t org, const char *given,
			    const char *family);

/* Points `c` at `t` and `a` for writes through the web channel now, the
 * audit chain signed with a new random key put in `*key`. */
void test_ctx_init(struct ctx *c, struct test_db *t, struct arena *a,
		   struct audit_key *key);

/* Makes `c` act as account `who` in `role` in `org`; a patient acts for
 * the record `patient_id`. */
void test_act_as(struct ctx *c, int64_t org, int64_t patient_id, int64_t who,
		 enum role role);

/* A teardown's work: closes `t`, frees `a`, then `fixture` (calloc'd, the
 * struct that holds them). */
void test_teardown(struct test_db *t, struct arena *a, void *fixture);

/*
 * The care record tests' fixture: a database, an arena, a context for
 * writes and one patient's people. test_care_up() gives every id a new
 * value and stores organisation "Org A" (`org`), patient Ana Ruiz
 * (`patient`) signing in as "ana" (`patient_acc`) and professional "dr"
 * (`pro`) on her team as "Doctor"; with TEST_CARE_CARER also professional
 * "dr2" (`other_pro`, not on the team) and caregiver "son" (`carer`) with a
 * grant from Ana; with TEST_CARE_STRANGERS as well organisation "Other
 * org" (`other_org`) and caregiver "neighbour" (`stranger_carer`), who has
 * no grant.
 */
#define TEST_CARE_CARER 0x1
#define TEST_CARE_STRANGERS 0x2

struct test_care {
	struct test_db t;
	struct arena *a;
	struct audit_key key;
	struct ctx ctx;
	unsigned people;	/* TEST_CARE_* */
	int64_t org, other_org, patient, patient_acc, pro, other_pro, carer,
		stranger_carer;
};

/* A cmocka setup's work: a new struct test_care in `*state`. */
int test_care_up(void **state, unsigned people);

/* A cmocka teardown for test_care_up(). */
int test_care_down(void **state);

/* The first column of the first row of `sql`, or -1 when there is none. */
int64_t test_count(struct db *db, const char *sql);

/* The first column of `sql` with `arg` as $1; fails the test without a
 * row. */
int64_t test_count_of(struct db *db, const char *sql, int64_t arg);

#endif

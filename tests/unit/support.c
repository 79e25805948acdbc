/*
 * Test fixtures (see support.h).
 */
#include "support.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/account.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "people/careteam.h"
#include "people/org.h"

void
test_init(void)
{
	if (sodium_init() < 0)
		abort();
}

char *
test_tmpdir(void)
{
	char tmpl[] = "/tmp/cocare-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	if (!d)
		abort();
	return strdup(d);
}

void
test_rmdir(char *dir)
{
	char cmd[512];

	if (!dir)
		return;
	if (strncmp(dir, "/tmp/cocare-test.", 17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	free(dir);
}

bool
test_on_pg(void)
{
	const char *pg = getenv("COCARE_TEST_PG");

	return pg && *pg;
}

static void
pg_reset_schema(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pg: %s", PQerrorMessage(c));
		abort();
	}
	r = PQexec(c, "SET client_min_messages = warning; "
		      "DROP SCHEMA IF EXISTS public CASCADE; "
		      "CREATE SCHEMA public;");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "pg: %s", PQerrorMessage(c));
		abort();
	}
	PQclear(r);
	PQfinish(c);
}

void
test_db_open(struct test_db *t)
{
	struct store_options o = {0};
	char path[512];

	memset(t, 0, sizeof(*t));
	t->dir = test_tmpdir();
	o.pool_size = 2;
	o.async_delay_ms = 5;
	if (test_on_pg()) {
		o.backend = STORE_PG;
		o.pg_conninfo = getenv("COCARE_TEST_PG");
		pg_reset_schema(o.pg_conninfo);
	} else {
		o.backend = STORE_SQLITE;
		snprintf(path, sizeof(path), "%s/cocare.db", t->dir);
		o.sqlite_path = path;
	}
	assert_int_equal(store_open(&o, &t->store, NULL, 0), ERR_OK);
	t->db = store_acquire(t->store);
	assert_non_null(t->db);
}

void
test_db_close(struct test_db *t)
{
	if (t->db)
		store_release(t->store, t->db);
	if (t->store)
		store_close(t->store);
	test_rmdir(t->dir);
	memset(t, 0, sizeof(*t));
}

char *
test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	if (p) {
		p[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	fclose(f);
	return p;
}

/* An organisation row (see support.h). */
enum err
test_add_org(struct db *db, int64_t id, const char *name)
{
	struct organisation o = {0};

	o.id = id;
	o.name = (char *)name;
	o.created_at = 1;
	return org_insert(db, &o);
}

/* The fixtures' patient, not yet stored. */
struct patient
test_patient(int64_t id, int64_t org, const char *given, const char *family)
{
	struct patient p = {0};

	p.id = id;
	p.org_id = org;
	p.given_name = (char *)given;
	p.family_name = (char *)family;
	p.birth_date = "1960-01-01";
	p.gender = "female";
	p.preferred_language = "en";
	p.created_at = 1;
	return p;
}

/* Stores test_patient(). */
enum err
test_add_patient(struct db *db, int64_t id, int64_t org, const char *given,
		 const char *family)
{
	struct patient p = test_patient(id, org, given, family);

	return patient_insert(db, &p);
}

/* An account row with a stand-in password hash (see support.h). */
enum err
test_add_account(struct db *db, int64_t id, int64_t org, const char *name,
		 enum role role, int64_t patient_id)
{
	struct account acc = {0};

	acc.id = id;
	acc.org_id = org;
	acc.username = (char *)name;
	acc.display_name = (char *)name;
	acc.role = role;
	acc.patient_id = patient_id;
	acc.password_hash = "x";
	acc.created_at = 1;
	return account_insert(db, &acc);
}

/* A caregiver grant in force, with a new id (see support.h). */
enum err
test_add_grant(struct db *db, int64_t org, int64_t patient_id,
	       int64_t caregiver, const char *relationship, int64_t granted_by)
{
	struct grant g = {0};

	g.id = id_new();
	g.org_id = org;
	g.patient_id = patient_id;
	g.caregiver_id = caregiver;
	g.relationship = (char *)relationship;
	g.scopes = 0;
	g.granted_by = granted_by;
	g.granted_at = 1;
	return grant_insert(db, &g);
}

/* A request context over a test database (see support.h). */
void
test_ctx_init(struct ctx *c, struct test_db *t, struct arena *a,
	      struct audit_key *key)
{
	randombytes_buf(key->k, sizeof(key->k));
	c->store = t->store;
	c->db = t->db;
	c->a = a;
	c->audit_key = key;
	c->now = clock_now();
	c->channel = "web";
}

/* Sets the actor of `c`. */
void
test_act_as(struct ctx *c, int64_t org, int64_t patient_id, int64_t who,
	    enum role role)
{
	c->actor.account_id = who;
	c->actor.org_id = org;
	c->actor.role = role;
	c->actor.patient_id = role == ROLE_PATIENT ? patient_id : 0;
}

/* Undoes a fixture's test_db_open() and arena, and frees the fixture. */
void
test_teardown(struct test_db *t, struct arena *a, void *fixture)
{
	test_db_close(t);
	arena_free(a);
	free(fixture);
}

/* Stores the people of a struct test_care (see support.h). */
static enum err
care_setup(struct db *db, void *arg)
{
	struct test_care *f = arg;
	enum err e;

	if ((e = test_add_org(db, f->org, "Org A")) ||
	    (e = test_add_patient(db, f->patient, f->org, "Ana", "Ruiz")) ||
	    (e = test_add_account(db, f->patient_acc, f->org, "ana",
				  ROLE_PATIENT, f->patient)) ||
	    (e = test_add_account(db, f->pro, f->org, "dr", ROLE_PROFESSIONAL,
				  0)) ||
	    (e = team_add(db, f->org, f->patient, f->pro, "Doctor", 10)))
		return e;
	if ((f->people & TEST_CARE_CARER) &&
	    ((e = test_add_account(db, f->other_pro, f->org, "dr2",
				   ROLE_PROFESSIONAL, 0)) ||
	     (e = test_add_account(db, f->carer, f->org, "son",
				   ROLE_CAREGIVER, 0)) ||
	     (e = test_add_grant(db, f->org, f->patient, f->carer, "son",
				 f->patient_acc))))
		return e;
	if ((f->people & TEST_CARE_STRANGERS) &&
	    ((e = test_add_org(db, f->other_org, "Other org")) ||
	     (e = test_add_account(db, f->stranger_carer, f->org, "neighbour",
				   ROLE_CAREGIVER, 0))))
		return e;
	return ERR_OK;
}

/* The care record tests' setup (see support.h). */
int
test_care_up(void **state, unsigned people)
{
	struct test_care *f = calloc(1, sizeof(*f));

	test_db_open(&f->t);
	f->a = arena_new(1 << 22);
	f->people = people;
	f->org = id_new();
	f->other_org = id_new();
	f->patient = id_new();
	f->patient_acc = id_new();
	f->pro = id_new();
	f->other_pro = id_new();
	f->carer = id_new();
	f->stranger_carer = id_new();
	assert_int_equal(store_write(f->t.store, care_setup, f), ERR_OK);
	test_ctx_init(&f->ctx, &f->t, f->a, &f->key);
	*state = f;
	return 0;
}

/* Frees what test_care_up() made. */
int
test_care_down(void **state)
{
	struct test_care *f = *state;

	test_teardown(&f->t, f->a, f);
	return 0;
}

/* A count with no parameters. */
int64_t
test_count(struct db *db, const char *sql)
{
	struct stmt *st = db_prepare(db, sql);
	int64_t n = -1;

	assert_non_null(st);
	if (stmt_row(st))
		n = stmt_int(st, 0);
	assert_int_equal(stmt_done(st), ERR_OK);
	return n;
}

/* A count with one id. */
int64_t
test_count_of(struct db *db, const char *sql, int64_t arg)
{
	struct stmt *st = db_prepare(db, sql);
	int64_t n;

	assert_non_null(st);
	stmt_bind_int(st, 1, arg);
	assert_true(stmt_row(st));
	n = stmt_int(st, 0);
	assert_int_equal(stmt_done(st), ERR_OK);
	return n;
}

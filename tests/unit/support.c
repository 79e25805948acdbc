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
	assert_int_equal(store_open(&o, &t->store), ERR_OK);
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

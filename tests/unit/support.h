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

#include "store/store.h"

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

#endif

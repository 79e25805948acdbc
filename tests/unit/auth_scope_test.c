/*
 * Unit tests for src/auth/scope.c: SMART v2 scopes parsed strictly, and
 * what they allow a person, a patient and a system.
 */
#include "support.h"

#include <string.h>

#include "auth/actor.h"
#include "auth/scope.h"

static void
test_parse(void **state)
{
	struct scopes s;
	const char *why = NULL;

	assert_true(scopes_parse("patient/Observation.rs  user/*.cruds "
				 "system/Patient.read", &s, &why));
	assert_int_equal(s.n, 3);
	assert_int_equal(s.s[0].context, SCOPE_PATIENT);
	assert_string_equal(s.s[0].type, "Observation");
	assert_int_equal(s.s[0].ops, SCOPE_READ | SCOPE_SEARCH);
	assert_int_equal(s.s[1].context, SCOPE_USER);
	assert_string_equal(s.s[1].type, "*");
	assert_int_equal(s.s[1].ops, SCOPE_CREATE | SCOPE_READ |
					     SCOPE_UPDATE | SCOPE_DELETE |
					     SCOPE_SEARCH);
	assert_int_equal(s.s[2].context, SCOPE_SYSTEM);
	assert_int_equal(s.s[2].ops, SCOPE_READ | SCOPE_SEARCH);
	assert_true(scopes_have_context(&s, SCOPE_SYSTEM));
	/* v1 names. */
	assert_true(scopes_parse("user/Observation.write user/Patient.*", &s,
				 NULL));
	assert_int_equal(s.s[0].ops, SCOPE_CREATE | SCOPE_UPDATE |
					     SCOPE_DELETE);
	assert_int_equal(s.s[1].ops, 0x1f);
	assert_false(scopes_have_context(&s, SCOPE_SYSTEM));
	assert_true(scopes_parse("user/Patient.c", &s, NULL));
	assert_int_equal(s.s[0].ops, SCOPE_CREATE);
	assert_false(s.research);
	/* The research word, beside read scopes only. */
	assert_true(scopes_parse("user/*.rs research", &s, NULL));
	assert_true(s.research);
	assert_int_equal(s.n, 1);
	assert_true(scopes_parse("research system/Patient.r", &s, NULL));
	assert_true(s.research);
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "   ", "read", "write", "user/*", "user/*.", "user/*.sr",
		"user/*.rr", "user/*.x", "user/.rs", "user/observation.rs",
		"user/Obs-ervation.rs", "admin/*.rs", "patient*.rs",
		"patient/Observation.rs?category=vital-signs",
		"user/Patient.rs openid", "user/Patient.READ",
		"user/AVeryLongResourceTypeNameThatIsTooLongForAnyFhir.rs",
		"user/*.cruds\tuser/*.rs",
		"research", "user/*.rs research2", "user/*.cruds research",
		"patient/*.rs research", "user/*.rs patient/*.r research",
	};
	struct scopes s;
	const char *why;
	char many[2000] = "";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_false(scopes_parse(bad[i], &s, &why));
		assert_non_null(why);
	}
	for (i = 0; i < SCOPES_MAX + 1; i++)
		strcat(many, "user/*.r ");
	assert_false(scopes_parse(many, &s, &why));
	assert_false(scopes_parse(NULL, &s, &why));
}

static void
test_allowed(void **state)
{
	struct actor patient = {10, 1, ROLE_PATIENT, 77, "P"};
	struct actor nurse = {11, 1, ROLE_PROFESSIONAL, 0, "N"};
	struct actor sys = {0, 1, ROLE_SYSTEM, 0, "S"};
	struct scopes s;

	assert_true(scopes_parse("patient/Observation.rs patient/Patient.r",
				 &s, NULL));
	/* Only the patient's own record, only those types. */
	assert_int_equal(scopes_allowed(&s, &patient, 77, "Observation"),
			 SCOPE_READ | SCOPE_SEARCH);
	assert_int_equal(scopes_allowed(&s, &patient, 78, "Observation"), 0);
	assert_int_equal(scopes_allowed(&s, &patient, 0, "Observation"), 0);
	assert_int_equal(scopes_allowed(&s, &patient, 77, "Patient"),
			 SCOPE_READ);
	assert_int_equal(scopes_allowed(&s, &patient, 77, "CarePlan"), 0);
	/* A professional has no record of their own. */
	assert_int_equal(scopes_allowed(&s, &nurse, 0, "Observation"), 0);
	assert_true(scopes_parse("user/*.rs user/Observation.c", &s, NULL));
	assert_int_equal(scopes_allowed(&s, &nurse, 5, "Observation"),
			 SCOPE_CREATE | SCOPE_READ | SCOPE_SEARCH);
	assert_int_equal(scopes_allowed(&s, &nurse, 5, "Patient"),
			 SCOPE_READ | SCOPE_SEARCH);
	/* user/ is a person's; system/ a system's. */
	assert_int_equal(scopes_allowed(&s, &sys, 5, "Patient"), 0);
	assert_true(scopes_parse("system/*.rs", &s, NULL));
	assert_int_equal(scopes_allowed(&s, &sys, 5, "Patient"),
			 SCOPE_READ | SCOPE_SEARCH);
	assert_int_equal(scopes_allowed(&s, &nurse, 5, "Patient"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

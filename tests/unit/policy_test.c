/*
 * The access policy over every role x relationship x resource x action.
 * The expected matrix is written out by hand below, one row per role and
 * relationship, so a change to the rules must change this table too.
 */
#include "support.h"

#include <string.h>

#include "auth/policy.h"

/*
 * For each (role, relation): 18 characters, two per resource in the
 * order of RESOURCE_MAP (profile, care_team, care_record, measures,
 * contact, access_log, grants, notes, withheld_notes), read then write. 'y' allowed, 'n'
 * refused, 'b' refused but break-the-glass possible. Caregivers are
 * tested with every scope granted here and scope by scope below.
 */
static const struct {
	enum role role;
	enum relation rel;
	const char *expect;
} matrix[] = {
	{ROLE_PATIENT, REL_SELF, "yyynyyyyyyynyyynnn"},
	{ROLE_PATIENT, REL_CAREGIVER, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PATIENT, REL_CARE_TEAM, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PATIENT, REL_BREAK_GLASS, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PATIENT, REL_SAME_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PATIENT, REL_OTHER_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_CAREGIVER, REL_SELF, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_CAREGIVER, REL_CAREGIVER, "yyynyyyyyynnnnynnn"},
	{ROLE_CAREGIVER, REL_CARE_TEAM, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_CAREGIVER, REL_BREAK_GLASS, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_CAREGIVER, REL_SAME_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_CAREGIVER, REL_OTHER_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PROFESSIONAL, REL_SELF, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PROFESSIONAL, REL_CAREGIVER, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PROFESSIONAL, REL_CARE_TEAM, "yyyyyyyyyynnyyyyyy"},
	{ROLE_PROFESSIONAL, REL_BREAK_GLASS, "yyynyyyyyynnnnyyyy"},
	{ROLE_PROFESSIONAL, REL_SAME_ORG, "bbbnbbbbbbnnnnbbbb"},
	{ROLE_PROFESSIONAL, REL_OTHER_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_RECEPTIONIST, REL_SAME_ORG, "ynynnnnnyynnnnnnnn"},
	{ROLE_RECEPTIONIST, REL_OTHER_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_ADMINISTRATOR, REL_SAME_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_ADMINISTRATOR, REL_OTHER_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_PRIVACY_OFFICER, REL_SAME_ORG, "nnnnnnnnnnynnnnnnn"},
	{ROLE_PRIVACY_OFFICER, REL_OTHER_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_IMPROVEMENT_LEAD, REL_SAME_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_FACILITATOR, REL_SAME_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_RESEARCHER, REL_SAME_ORG, "nnnnnnnnnnnnnnnnnn"},
	{ROLE_SYSTEM, REL_SAME_ORG, "yyyyyyyyyyyyyyyyyy"},
	{ROLE_SYSTEM, REL_OTHER_ORG, "yyyyyyyyyyyyyyyyyy"},
};

static void
test_matrix(void **state)
{
	size_t i;
	int r, a;

	for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		assert_int_equal(strlen(matrix[i].expect), RES__MAX * ACT__MAX);
		for (r = 0; r < RES__MAX; r++) {
			for (a = 0; a < ACT__MAX; a++) {
				struct decision d = policy_decide(
					matrix[i].role, matrix[i].rel, ~0u,
					(enum resource)r, (enum action)a);
				char want = matrix[i].expect[r * 2 + a];
				char got = d.allow		    ? 'y'
					   : d.break_glass_possible ? 'b'
								    : 'n';

				if (want != got)
					fail_msg("%s as %s: %s %s: want %c "
						 "got %c (%s)",
						 role_name(matrix[i].role),
						 relation_name(matrix[i].rel),
						 resource_name((enum resource)r),
						 a ? "write" : "read", want,
						 got, d.reason);
				assert_non_null(d.reason);
			}
		}
	}
}

/* Every role appears in the matrix with every relation that matters to
 * it: the rows above must cover each role at least once. */
static void
test_matrix_covers_every_role(void **state)
{
	bool seen[ROLE__MAX] = {0};
	size_t i;
	int r;

	for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++)
		seen[matrix[i].role] = true;
	for (r = 0; r < ROLE__MAX; r++)
		if (!seen[r])
			fail_msg("role %s is not in the matrix",
				 role_name((enum role)r));
}

/* Roles without a row for a relation must refuse everything there. */
static void
test_unlisted_combinations_refuse(void **state)
{
	int role, rel, r, a;
	size_t i;

	for (role = 0; role < ROLE_SYSTEM; role++) {
		for (rel = 0; rel < REL__MAX; rel++) {
			bool listed = false;

			for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++)
				if (matrix[i].role == (enum role)role &&
				    matrix[i].rel == (enum relation)rel)
					listed = true;
			if (listed)
				continue;
			for (r = 0; r < RES__MAX; r++)
				for (a = 0; a < ACT__MAX; a++)
					assert_false(
						policy_decide(
							(enum role)role,
							(enum relation)rel, ~0u,
							(enum resource)r,
							(enum action)a)
							.allow);
		}
	}
}

/* A caregiver gets exactly the scopes granted, one by one. */
static void
test_caregiver_scopes(void **state)
{
	int gr, ga, r, a;

	for (gr = 0; gr < RES__MAX; gr++) {
		for (ga = 0; ga < ACT__MAX; ga++) {
			unsigned one = policy_scope_bit((enum resource)gr,
							(enum action)ga);

			for (r = 0; r < RES__MAX; r++)
				for (a = 0; a < ACT__MAX; a++) {
					struct decision d = policy_decide(
						ROLE_CAREGIVER, REL_CAREGIVER,
						one, (enum resource)r,
						(enum action)a);
					bool want = r == gr && a == ga &&
						    r != RES_ACCESS_LOG &&
						    r != RES_GRANTS &&
						    r != RES_WITHHELD_NOTES &&
						    !((r == RES_CARE_TEAM ||
						       r == RES_NOTES) &&
						      a == ACT_WRITE);

					assert_int_equal(d.allow, want);
				}
		}
	}
	assert_int_equal(policy_grantable_scopes() &
				 (policy_scope_bit(RES_ACCESS_LOG, ACT_READ) |
				  policy_scope_bit(RES_GRANTS, ACT_WRITE)),
			 0);
}

static void
test_org_permissions(void **state)
{
	struct actor admin = {1, 10, ROLE_ADMINISTRATOR, 0, "a"};
	struct actor priv = {2, 10, ROLE_PRIVACY_OFFICER, 0, "p"};
	struct actor pro = {3, 10, ROLE_PROFESSIONAL, 0, "d"};
	struct actor pat = {4, 10, ROLE_PATIENT, 9, "m"};

	assert_true(policy_org_allows(&admin, 10, ORG_ADMINISTER));
	assert_false(policy_org_allows(&admin, 10, ORG_LIST_PATIENTS));
	assert_false(policy_org_allows(&admin, 11, ORG_ADMINISTER));
	assert_false(policy_org_allows(&admin, 10, ORG_REVIEW_ACCESS));
	assert_true(policy_org_allows(&priv, 10, ORG_REVIEW_ACCESS));
	assert_false(policy_org_allows(&priv, 10, ORG_LIST_PATIENTS));
	assert_true(policy_org_allows(&pro, 10, ORG_LIST_PATIENTS));
	assert_false(policy_org_allows(&pro, 10, ORG_ADMINISTER));
	assert_false(policy_org_allows(&pat, 10, ORG_LIST_PATIENTS));
	assert_true(policy_org_allows(&pro, 10, ORG_SCHEDULE));
	assert_false(policy_org_allows(&pro, 11, ORG_SCHEDULE));
	assert_false(policy_org_allows(&admin, 10, ORG_SCHEDULE));
	assert_false(policy_org_allows(&pat, 10, ORG_SCHEDULE));
	assert_true(policy_org_allows(&pro, 10, ORG_MESSAGE_TEMPLATES));
	assert_false(policy_org_allows(&pro, 11, ORG_MESSAGE_TEMPLATES));
	assert_false(policy_org_allows(&pat, 10, ORG_MESSAGE_TEMPLATES));
	assert_false(policy_org_allows(&admin, 10, ORG_MESSAGE_TEMPLATES));
}

/* The online-consultation queue: professionals and receptionists of the
 * organisation, nobody else. */
static void
test_org_triage(void **state)
{
	struct actor pro = {3, 10, ROLE_PROFESSIONAL, 0, "d"};
	struct actor rec = {5, 10, ROLE_RECEPTIONIST, 0, "r"};
	struct actor admin = {1, 10, ROLE_ADMINISTRATOR, 0, "a"};
	struct actor pat = {4, 10, ROLE_PATIENT, 9, "m"};
	struct actor carer = {6, 10, ROLE_CAREGIVER, 0, "c"};
	struct actor sys = {0, 0, ROLE_SYSTEM, 0, "s"};

	(void)state;
	assert_true(policy_org_allows(&pro, 10, ORG_TRIAGE));
	assert_true(policy_org_allows(&rec, 10, ORG_TRIAGE));
	assert_false(policy_org_allows(&pro, 11, ORG_TRIAGE));
	assert_false(policy_org_allows(&rec, 11, ORG_TRIAGE));
	assert_false(policy_org_allows(&admin, 10, ORG_TRIAGE));
	assert_false(policy_org_allows(&pat, 10, ORG_TRIAGE));
	assert_false(policy_org_allows(&carer, 10, ORG_TRIAGE));
	assert_true(policy_org_allows(&sys, 10, ORG_TRIAGE));
}

/* Touchpoint analytics: aggregate figures for improvement leads,
 * researchers, administrators and the unit's own professionals. */
static void
test_contact_analytics(void **state)
{
	struct actor lead = {1, 10, ROLE_IMPROVEMENT_LEAD, 0, "l"};
	struct actor res = {2, 10, ROLE_RESEARCHER, 0, "r"};
	struct actor admin = {3, 10, ROLE_ADMINISTRATOR, 0, "a"};
	struct actor pro = {4, 10, ROLE_PROFESSIONAL, 0, "p"};
	struct actor pat = {5, 10, ROLE_PATIENT, 9, "m"};
	struct actor care = {6, 10, ROLE_CAREGIVER, 0, "c"};
	struct actor rec = {7, 10, ROLE_RECEPTIONIST, 0, "d"};
	struct actor priv = {8, 10, ROLE_PRIVACY_OFFICER, 0, "o"};
	struct actor fac = {9, 10, ROLE_FACILITATOR, 0, "f"};

	(void)state;
	assert_true(policy_org_allows(&lead, 10, ORG_CONTACT_ANALYTICS));
	assert_true(policy_org_allows(&res, 10, ORG_CONTACT_ANALYTICS));
	assert_true(policy_org_allows(&admin, 10, ORG_CONTACT_ANALYTICS));
	assert_true(policy_org_allows(&pro, 10, ORG_CONTACT_ANALYTICS));
	assert_false(policy_org_allows(&lead, 11, ORG_CONTACT_ANALYTICS));
	assert_false(policy_org_allows(&pat, 10, ORG_CONTACT_ANALYTICS));
	/* Research exports: researchers and administrators only. */
	assert_true(policy_org_allows(&res, 10, ORG_RESEARCH_EXPORT));
	assert_true(policy_org_allows(&admin, 10, ORG_RESEARCH_EXPORT));
	assert_false(policy_org_allows(&pro, 10, ORG_RESEARCH_EXPORT));
	assert_false(policy_org_allows(&lead, 10, ORG_RESEARCH_EXPORT));
	assert_false(policy_org_allows(&pat, 10, ORG_RESEARCH_EXPORT));
	assert_false(policy_org_allows(&res, 11, ORG_RESEARCH_EXPORT));
	assert_false(policy_org_allows(&care, 10, ORG_CONTACT_ANALYTICS));
	assert_false(policy_org_allows(&rec, 10, ORG_CONTACT_ANALYTICS));
	assert_false(policy_org_allows(&priv, 10, ORG_CONTACT_ANALYTICS));
	assert_false(policy_org_allows(&fac, 10, ORG_CONTACT_ANALYTICS));
	/* Any unit or the whole organisation, but only their own. */
	assert_true(policy_analytics_allows(&lead, 10, 0, 0));
	assert_true(policy_analytics_allows(&lead, 10, 0, 77));
	assert_true(policy_analytics_allows(&admin, 10, 0, 77));
	assert_false(policy_analytics_allows(&res, 11, 0, 77));
	/* Professionals: their own unit only. */
	assert_true(policy_analytics_allows(&pro, 10, 77, 77));
	assert_false(policy_analytics_allows(&pro, 10, 77, 78));
	assert_false(policy_analytics_allows(&pro, 10, 77, 0));
	assert_false(policy_analytics_allows(&pro, 10, 0, 0));
	assert_false(policy_analytics_allows(&pat, 10, 77, 77));
	assert_false(policy_analytics_allows(&rec, 10, 77, 77));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_org_triage),
		cmocka_unit_test(test_matrix_covers_every_role),
		cmocka_unit_test(test_unlisted_combinations_refuse),
		cmocka_unit_test(test_caregiver_scopes),
		cmocka_unit_test(test_org_permissions),
		cmocka_unit_test(test_contact_analytics),
	};

	test_init();
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}

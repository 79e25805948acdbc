/*
 * Unit tests for the FHIR people types: staff accounts as Practitioner
 * and PractitionerRole, the organisation and its units as Organization,
 * care teams as CareTeam and caregiver grants as RelatedPerson and
 * Consent, field by field and against the shape of the official HL7
 * Consent examples; and the domain queries they page with (staff,
 * organisation tree, grants), on a database.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "auth/account.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/id.h"
#include "fhir/people_map.h"
#include "people/careteam.h"
#include "people/org.h"

#define EXAMPLES "../shared/testdata/fhir-r4-examples/"
#define T0 1709634030		/* 2024-03-05T10:20:30Z */
#define T0_TEXT "2024-03-05T10:20:30.000Z"
#define DAY 86400

/* --- a small path into JSON ----------------------------------------------- */

/* The value at `path` ("a.b.0.c": keys, and array indexes as digits), or
 * NULL. */
static json_t *
at(json_t *j, const char *path)
{
	char buf[256], *part, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && j;
	     part = strtok_r(NULL, ".", &save)) {
		if (part[0] >= '0' && part[0] <= '9')
			j = json_array_get(j, strtoul(part, NULL, 10));
		else
			j = json_object_get(j, part);
	}
	return j;
}

static void
expect_str(json_t *j, const char *path, const char *want)
{
	const char *got = json_string_value(at(j, path));

	if (!got || strcmp(got, want) != 0)
		fail_msg("%s: \"%s\", want \"%s\"", path, got ? got : "(none)",
			 want);
}

static void
expect_none(json_t *j, const char *path)
{
	if (at(j, path))
		fail_msg("%s is there", path);
}

/* The object's keys, sorted and joined by spaces (a static buffer). */
static const char *
keys(json_t *o)
{
	static char out[512];
	const char *names[32];
	const char *k;
	json_t *v;
	size_t n = 0, i, j, len = 0;

	json_object_foreach(o, k, v) {
		if (n < 32)
			names[n++] = k;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			k = names[j];
			names[j] = names[j - 1];
			names[j - 1] = k;
		}
	out[0] = '\0';
	for (i = 0; i < n && len < sizeof(out); i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
					i ? " " : "", names[i]);
	return out;
}

/* --- staff ---------------------------------------------------------------- */

static struct account
doctor(void)
{
	struct account a = {0};

	a.id = 61228548099727362LL;
	a.org_id = 61228548097630208LL;
	a.username = "doctor";
	a.display_name = "Amara Okafor";
	a.role = ROLE_PROFESSIONAL;
	a.discipline = "psychiatry";
	a.unit_id = 61228548099727360LL;
	a.email = "doctor@riverside.example";
	a.language = "en";
	a.password_hash = "secret-hash";
	a.totp_secret = "JBSWY3DPEHPK3PXP";
	a.created_at = T0 - DAY;
	a.updated_at = T0;
	return a;
}

static void
test_practitioner(void **state)
{
	struct account a = doctor();
	json_t *r = fhir_practitioner_json(&a);
	char *text;

	(void)state;
	assert_non_null(r);
	/* A name and whether the account is in use: nothing to contact or
	 * sign in with. */
	assert_string_equal(keys(r), "active id meta name resourceType");
	expect_str(r, "resourceType", "Practitioner");
	expect_str(r, "id", "61228548099727362");
	expect_str(r, "meta.versionId", "1");
	expect_str(r, "meta.lastUpdated", T0_TEXT);
	expect_str(r, "name.0.text", "Amara Okafor");
	assert_true(json_is_true(at(r, "active")));
	text = json_dumps(r, 0);
	assert_null(strstr(text, "riverside.example"));
	assert_null(strstr(text, "secret-hash"));
	assert_null(strstr(text, "JBSWY3DPEHPK3PXP"));
	assert_null(strstr(text, "\"doctor\""));
	free(text);
	json_decref(r);

	a.disabled = true;
	r = fhir_practitioner_json(&a);
	assert_true(json_is_false(at(r, "active")));
	json_decref(r);
}

static void
test_practitioner_role(void **state)
{
	struct account a = doctor();
	json_t *r = fhir_practitioner_role_json(&a);

	(void)state;
	assert_string_equal(keys(r), "active code id meta organization "
				     "practitioner resourceType specialty");
	expect_str(r, "resourceType", "PractitionerRole");
	expect_str(r, "id", "61228548099727362");
	expect_str(r, "meta.lastUpdated", T0_TEXT);
	expect_str(r, "practitioner.reference",
		   "Practitioner/61228548099727362");
	expect_str(r, "practitioner.display", "Amara Okafor");
	expect_str(r, "organization.reference",
		   "Organization/61228548099727360");
	expect_str(r, "code.0.coding.0.system", FHIR_ROLE_SYSTEM);
	expect_str(r, "code.0.coding.0.code", "professional");
	expect_str(r, "code.0.coding.0.display", "Professional");
	expect_str(r, "specialty.0.text", "psychiatry");
	assert_true(json_is_true(at(r, "active")));
	json_decref(r);

	/* No unit: the organisation; no discipline: no specialty. */
	a.unit_id = 0;
	a.discipline = "";
	a.role = ROLE_RECEPTIONIST;
	a.disabled = true;
	r = fhir_practitioner_role_json(&a);
	expect_str(r, "organization.reference",
		   "Organization/61228548097630208");
	expect_str(r, "code.0.coding.0.code", "receptionist");
	expect_str(r, "code.0.coding.0.display",
		   "Receptionist or care navigator");
	expect_none(r, "specialty");
	assert_true(json_is_false(at(r, "active")));
	json_decref(r);
}

/* --- organisations -------------------------------------------------------- */

static void
test_organization(void **state)
{
	struct organisation o = {0};
	struct unit u = {0};
	json_t *r;

	(void)state;
	o.id = 7;
	o.name = "Riverside Community Health";
	o.require_staff_2fa = true;
	o.created_at = T0;
	o.emergency_number = "112";
	r = fhir_organization_json(&o);
	/* Its settings are the administrators' business. */
	assert_string_equal(keys(r), "active extension id meta name "
				     "resourceType type");
	expect_str(r, "id", "7");
	expect_str(r, "meta.versionId", "1");
	expect_none(r, "meta.lastUpdated");
	expect_str(r, "name", "Riverside Community Health");
	expect_str(r, "type.0.coding.0.code", "prov");
	expect_str(r, "extension.0.url",
		   "https://cocare.org/fhir/StructureDefinition/"
		   "emergency-number");
	expect_str(r, "extension.0.valueString", "112");
	json_decref(r);
	o.emergency_number = "";
	r = fhir_organization_json(&o);
	expect_none(r, "extension");
	json_decref(r);

	u.id = 8;
	u.org_id = 7;
	u.name = "Hillview Clinic";
	u.created_at = T0;
	r = fhir_unit_json(&u);
	assert_string_equal(keys(r), "active id meta name partOf "
				     "resourceType type");
	expect_str(r, "resourceType", "Organization");
	expect_str(r, "id", "8");
	expect_str(r, "meta.lastUpdated", T0_TEXT);
	expect_str(r, "partOf.reference", "Organization/7");
	expect_str(r, "type.0.coding.0.code", "dept");
	expect_str(r, "name", "Hillview Clinic");
	json_decref(r);
}

/* --- care team ------------------------------------------------------------ */

static void
test_care_team(void **state)
{
	struct team_member m[2] = {
		{11, 5, 21, "Amara Okafor", "psychiatry", "Lead clinician",
		 T0},
		{12, 5, 22, "Jamie Fletcher", "", "Peer support worker",
		 T0 + 60},
	};
	json_t *r = fhir_care_team_json(5, 7, m, 2);

	(void)state;
	expect_str(r, "resourceType", "CareTeam");
	expect_str(r, "id", "5");
	expect_str(r, "status", "active");
	expect_str(r, "subject.reference", "Patient/5");
	expect_str(r, "managingOrganization.0.reference", "Organization/7");
	assert_int_equal(json_array_size(at(r, "participant")), 2);
	expect_str(r, "participant.0.id", "11");
	expect_str(r, "participant.0.role.0.text", "Lead clinician");
	expect_str(r, "participant.0.member.reference", "Practitioner/21");
	expect_str(r, "participant.0.member.display", "Amara Okafor");
	expect_str(r, "participant.0.period.start", T0_TEXT);
	expect_str(r, "participant.0.extension.0.url",
		   "https://cocare.org/fhir/StructureDefinition/discipline");
	expect_str(r, "participant.0.extension.0.valueString", "psychiatry");
	expect_str(r, "participant.1.member.reference", "Practitioner/22");
	expect_str(r, "participant.1.period.start",
		   "2024-03-05T10:21:30.000Z");
	expect_none(r, "participant.1.extension");
	json_decref(r);

	/* A patient with no team yet has one without participants. */
	r = fhir_care_team_json(5, 7, NULL, 0);
	expect_str(r, "id", "5");
	expect_none(r, "participant");
	json_decref(r);
}

/* --- caregiver grants ----------------------------------------------------- */

static struct grant
daughter(void)
{
	struct grant g = {0};

	g.id = 100;
	g.org_id = 7;
	g.patient_id = 5;
	g.patient_name = "María López";
	g.caregiver_id = 30;
	g.caregiver_name = "Lucía Romero López";
	g.relationship = "daughter";
	g.scopes = policy_scope_bit(RES_PROFILE, ACT_READ) |
		   policy_scope_bit(RES_MEASURES, ACT_READ) |
		   policy_scope_bit(RES_MEASURES, ACT_WRITE) |
		   policy_scope_bit(RES_CONTACT, ACT_WRITE);
	g.granted_by = 40;
	g.granted_by_name = "María López";
	g.granted_by_role = "patient";
	g.granted_at = T0;
	return g;
}

static void
test_related_person(void **state)
{
	struct grant g = daughter();
	json_t *r = fhir_related_person_json(&g, T0 + DAY);

	(void)state;
	assert_string_equal(keys(r), "active id identifier meta name patient "
				     "period relationship resourceType");
	expect_str(r, "resourceType", "RelatedPerson");
	expect_str(r, "id", "100");
	expect_str(r, "meta.lastUpdated", T0_TEXT);
	expect_str(r, "identifier.0.system",
		   "https://cocare.org/fhir/identifier/account");
	expect_str(r, "identifier.0.value", "30");
	assert_true(json_is_true(at(r, "active")));
	expect_str(r, "patient.reference", "Patient/5");
	expect_str(r, "patient.display", "María López");
	expect_str(r, "relationship.0.text", "daughter");
	expect_str(r, "name.0.text", "Lucía Romero López");
	expect_str(r, "period.start", T0_TEXT);
	expect_none(r, "period.end");
	json_decref(r);

	/* Ended: inactive, the end as period.end. */
	g.expires_at = T0 + 2 * DAY;
	r = fhir_related_person_json(&g, T0 + DAY);
	assert_true(json_is_true(at(r, "active")));
	expect_str(r, "period.end", "2024-03-07T10:20:30.000Z");
	json_decref(r);
	r = fhir_related_person_json(&g, T0 + 2 * DAY);
	assert_true(json_is_false(at(r, "active")));
	json_decref(r);

	/* Withdrawn before its end: that is when it ended, and changed. */
	g.revoked_at = T0 + 3600;
	r = fhir_related_person_json(&g, T0 + 7200);
	assert_true(json_is_false(at(r, "active")));
	expect_str(r, "period.end", "2024-03-05T11:20:30.000Z");
	expect_str(r, "meta.lastUpdated", "2024-03-05T11:20:30.000Z");
	json_decref(r);
}

static void
test_consent(void **state)
{
	struct grant g = daughter();
	json_t *r = fhir_consent_json(&g, T0 + DAY), *p;

	(void)state;
	assert_string_equal(keys(r), "category dateTime id meta organization "
				     "patient performer policyRule provision "
				     "resourceType scope status");
	expect_str(r, "resourceType", "Consent");
	expect_str(r, "id", "100");
	expect_str(r, "status", "active");
	expect_str(r, "scope.coding.0.code", "patient-privacy");
	expect_str(r, "category.0.coding.0.system",
		   FHIR_CONSENT_CATEGORY_SYSTEM);
	expect_str(r, "category.0.coding.0.code", "caregiver-access");
	expect_str(r, "category.0.text", "caregiver access");
	expect_str(r, "patient.reference", "Patient/5");
	expect_str(r, "dateTime", T0_TEXT);
	expect_str(r, "performer.0.reference", "Patient/5");
	expect_str(r, "performer.0.display", "María López");
	expect_str(r, "organization.0.reference", "Organization/7");
	expect_str(r, "policyRule.coding.0.code", "OPTIN");
	expect_str(r, "provision.period.start", T0_TEXT);
	expect_none(r, "provision.period.end");
	expect_none(r, "provision.type");
	expect_str(r, "provision.actor.0.role.coding.0.code", "CAREGIVER");
	expect_str(r, "provision.actor.0.reference.reference",
		   "RelatedPerson/100");
	expect_str(r, "provision.actor.0.reference.display",
		   "Lucía Romero López");
	/* One permit a part of the record, in the policy's order. */
	p = at(r, "provision.provision");
	assert_int_equal(json_array_size(p), 3);
	expect_str(p, "0.type", "permit");
	expect_str(p, "0.class.0.system", FHIR_RECORD_PART_SYSTEM);
	expect_str(p, "0.class.0.code", "profile");
	expect_str(p, "0.class.0.display", "Profile and needs");
	expect_str(p, "0.action.0.coding.0.code", "access");
	assert_int_equal(json_array_size(at(p, "0.action")), 1);
	expect_str(p, "1.class.0.code", "measures");
	expect_str(p, "1.action.0.coding.0.code", "access");
	expect_str(p, "1.action.1.coding.0.code", "correct");
	expect_str(p, "2.class.0.code", "contact");
	expect_str(p, "2.action.0.coding.0.code", "correct");
	assert_int_equal(json_array_size(at(p, "2.action")), 1);
	json_decref(r);

	/* Granted by a professional, until a date, then withdrawn. */
	g.granted_by_role = "professional";
	g.granted_by_name = "Amara Okafor";
	g.expires_at = T0 + 30 * DAY;
	g.revoked_at = T0 + DAY;
	r = fhir_consent_json(&g, T0 + 2 * DAY);
	expect_str(r, "status", "inactive");
	expect_str(r, "performer.0.reference", "Practitioner/40");
	expect_str(r, "provision.period.end", "2024-04-04T10:20:30.000Z");
	expect_str(r, "extension.0.url",
		   "https://cocare.org/fhir/StructureDefinition/revoked");
	expect_str(r, "extension.0.valueDateTime",
		   "2024-03-06T10:20:30.000Z");
	expect_str(r, "meta.lastUpdated", "2024-03-06T10:20:30.000Z");
	json_decref(r);

	/* Ended on its date; by the command line: a name only. */
	g.revoked_at = 0;
	g.granted_by_role = "system";
	g.granted_by_name = "";
	g.scopes = 0;
	r = fhir_consent_json(&g, T0 + 30 * DAY);
	expect_str(r, "status", "inactive");
	expect_none(r, "performer.0.reference");
	expect_str(r, "performer.0.display", "");
	expect_none(r, "provision.provision");
	expect_none(r, "extension");
	json_decref(r);
}

/*
 * Every element `mine` shares with the official example `ex` has the
 * same JSON type, down through objects and the first items of arrays.
 */
static void
same_shape(json_t *mine, json_t *ex, const char *path)
{
	char sub[256];
	const char *k;
	json_t *v, *w;

	if (json_typeof(mine) != json_typeof(ex) &&
	    !(json_is_boolean(mine) && json_is_boolean(ex)))
		fail_msg("%s: JSON type %d, the example has %d", path,
			 json_typeof(mine), json_typeof(ex));
	if (json_is_object(mine)) {
		json_object_foreach(mine, k, v) {
			if (!(w = json_object_get(ex, k)))
				continue;
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			same_shape(v, w, sub);
		}
	} else if (json_is_array(mine) && json_array_size(mine) &&
		   json_array_size(ex)) {
		snprintf(sub, sizeof(sub), "%s[0]", path);
		same_shape(json_array_get(mine, 0), json_array_get(ex, 0), sub);
	}
}

static json_t *
example(const char *name)
{
	char path[256];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), EXAMPLES "%s", name);
	j = json_load_file(path, 0, &err);
	if (!j)
		fail_msg("%s: %s", path, err.text);
	return j;
}

static void
test_consent_shape(void **state)
{
	static const char *const names[] = {
		"Consent-consent-example-smartonfhir.json",
		"Consent-consent-example-pkb.json",
		"Consent-consent-example-basic.json",
	};
	struct grant g = daughter();
	json_t *mine, *ex;
	size_t i;

	(void)state;
	g.expires_at = T0 + DAY;
	mine = fhir_consent_json(&g, T0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ex = example(names[i]);
		same_shape(mine, ex, "Consent");
		json_decref(ex);
	}
	/* The nested permits follow the SMART on FHIR example's form. */
	ex = example(names[0]);
	assert_string_equal(keys(at(mine, "provision.provision.0")),
			    keys(at(ex, "provision.provision.0")));
	expect_str(mine, "provision.provision.0.action.0.coding.0.system",
		   json_string_value(at(ex, "provision.provision.0.action.0."
					    "coding.0.system")));
	json_decref(ex);
	json_decref(mine);
}

/* --- the domain queries, on a database ------------------------------------ */

struct fixture {
	struct test_db t;
	struct arena *a;
	int64_t org, other_org, unit_a, unit_b, other_unit;
	int64_t pro, nurse, reception, admin, stranger, patient_acc, carer,
		carer2, carer3;
	int64_t patient, other_patient;
	int64_t g_old, g_mid, g_revoked, g_ended, g_other;
};

static enum err
add_staff(struct db *db, int64_t id, int64_t org, const char *username,
	  const char *name, enum role role, int64_t unit, bool disabled)
{
	struct account acc = {0};

	acc.id = id;
	acc.org_id = org;
	acc.username = (char *)username;
	acc.display_name = (char *)name;
	acc.role = role;
	acc.discipline = role == ROLE_PROFESSIONAL ? "nursing" : "";
	acc.unit_id = unit;
	acc.email = "";
	acc.language = "";
	acc.password_hash = "x";
	acc.totp_secret = "";
	acc.disabled = disabled;
	acc.created_at = 5;
	return account_insert(db, &acc);
}

static enum err
add_unit(struct db *db, int64_t id, int64_t org, const char *name)
{
	struct unit u = {id, org, (char *)name, 3};

	return unit_insert(db, &u);
}

static enum err
add_grant(struct db *db, struct fixture *f, int64_t id, int64_t patient,
	  int64_t carer, int64_t granted_at, int64_t expires_at)
{
	struct grant g = {0};

	g.id = id;
	g.org_id = f->org;
	g.patient_id = patient;
	g.caregiver_id = carer;
	g.relationship = "son";
	g.scopes = policy_scope_bit(RES_PROFILE, ACT_READ);
	g.granted_by = f->patient_acc;
	g.granted_at = granted_at;
	g.expires_at = expires_at;
	return grant_insert(db, &g);
}

static enum err
setup_fn(struct db *db, void *arg)
{
	struct fixture *f = arg;
	enum err e;

	if ((e = test_add_org(db, f->org, "Org A")) ||
	    (e = test_add_org(db, f->other_org, "Org B")) ||
	    (e = add_unit(db, f->unit_a, f->org, "Hillview Clinic")) ||
	    (e = add_unit(db, f->unit_b, f->org, "Riverside Team")) ||
	    (e = add_unit(db, f->other_unit, f->other_org, "Hill Ward")))
		return e;
	if ((e = test_add_patient(db, f->patient, f->org, "Ana", "Ruiz")) ||
	    (e = test_add_patient(db, f->other_patient, f->org, "Bo", "Li")))
		return e;
	if ((e = add_staff(db, f->pro, f->org, "dr", "Amara Okafor",
			   ROLE_PROFESSIONAL, f->unit_a, false)) ||
	    (e = add_staff(db, f->nurse, f->org, "nurse", "Tom O'Kane",
			   ROLE_PROFESSIONAL, f->unit_b, true)) ||
	    (e = add_staff(db, f->reception, f->org, "desk", "Joanne Okoro",
			   ROLE_RECEPTIONIST, 0, false)) ||
	    (e = add_staff(db, f->admin, f->org, "admin", "Sam Admin",
			   ROLE_ADMINISTRATOR, 0, false)) ||
	    (e = add_staff(db, f->stranger, f->other_org, "north", "Oka North",
			   ROLE_PROFESSIONAL, f->other_unit, false)))
		return e;
	if ((e = test_add_account(db, f->patient_acc, f->org, "ana",
				  ROLE_PATIENT, f->patient)) ||
	    (e = test_add_account(db, f->carer, f->org, "Okafor Junior",
				  ROLE_CAREGIVER, 0)) ||
	    (e = test_add_account(db, f->carer2, f->org, "carer2",
				  ROLE_CAREGIVER, 0)) ||
	    (e = test_add_account(db, f->carer3, f->org, "carer3",
				  ROLE_CAREGIVER, 0)))
		return e;
	/* Ana's grants: two in force, one withdrawn, one ended; Bo's one. */
	if ((e = add_grant(db, f, f->g_old, f->patient, f->carer, 100, 0)) ||
	    (e = add_grant(db, f, f->g_mid, f->patient, f->carer2, 200,
			   0)) ||
	    (e = add_grant(db, f, f->g_revoked, f->patient, f->carer3, 200,
			   0)) ||
	    (e = add_grant(db, f, f->g_ended, f->patient, f->carer, 300,
			   400)) ||
	    (e = add_grant(db, f, f->g_other, f->other_patient, f->carer, 250,
			   0)))
		return e;
	return grant_revoke(db, f->patient, f->g_revoked, 350);
}

static int
up(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int64_t *ids[] = {
		&f->org, &f->other_org, &f->unit_a, &f->unit_b,
		&f->other_unit, &f->pro, &f->nurse, &f->reception, &f->admin,
		&f->stranger, &f->patient_acc, &f->carer, &f->carer2,
		&f->carer3, &f->patient, &f->other_patient, &f->g_old,
		&f->g_mid, &f->g_revoked, &f->g_ended, &f->g_other,
	};
	size_t i;

	test_db_open(&f->t);
	f->a = arena_new(1 << 20);
	/* Increasing ids, in the order above, whatever the clock does. */
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		*ids[i] = (i ? *ids[i - 1] : id_new()) + 1;
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

/* The ids a staff query finds, in order, in `out` (at most `max`);
 * on a first whole page its count must agree. */
static size_t
staff(struct fixture *f, struct account_query *q, int64_t *out, size_t max)
{
	struct account *rows;
	int64_t total = -1;
	size_t n = 99, i;

	q->org_id = f->org;
	if (!q->limit)
		q->limit = 100;
	assert_int_equal(account_staff_search(f->t.db, f->a, q, &rows, &n),
			 ERR_OK);
	assert_true(n <= max);
	for (i = 0; i < n; i++)
		out[i] = rows[i].id;
	if (!q->after_id && q->limit >= 100) {
		assert_int_equal(account_staff_count(f->t.db, f->a, q,
						     &total),
				 ERR_OK);
		assert_int_equal(total, (int64_t)n);
	}
	return n;
}

static void
test_staff_search(void **state)
{
	struct fixture *f = *state;
	struct account_query q = {.disabled = -1};
	int64_t got[8];
	struct account acc;

	/* Staff of Org A only, by id: no patient, no caregiver, not Org B's. */
	assert_int_equal(staff(f, &q, got, 8), 4);
	assert_true(got[0] == f->pro && got[1] == f->nurse &&
		    got[2] == f->reception && got[3] == f->admin);
	/* A word of the name starts with it, whatever the case of A-Z. */
	q.name = "oka";
	assert_int_equal(staff(f, &q, got, 8), 1);
	assert_true(got[0] == f->pro);
	q.name = "O";
	assert_int_equal(staff(f, &q, got, 8), 3);
	q.name = "kafor";
	assert_int_equal(staff(f, &q, got, 8), 0);
	q.name = "%";	/* wildcards are dropped, not obeyed */
	assert_int_equal(staff(f, &q, got, 8), 4);
	q.name = "'; DROP TABLE account; --";
	assert_int_equal(staff(f, &q, got, 8), 0);
	q.name = NULL;
	q.disabled = 1;
	assert_int_equal(staff(f, &q, got, 8), 1);
	assert_true(got[0] == f->nurse);
	q.disabled = 0;
	assert_int_equal(staff(f, &q, got, 8), 3);
	q.disabled = -1;
	q.role = "receptionist";
	assert_int_equal(staff(f, &q, got, 8), 1);
	assert_true(got[0] == f->reception);
	q.role = "patient";	/* not staff */
	assert_int_equal(staff(f, &q, got, 8), 0);
	q.role = NULL;
	q.unit_id = f->unit_b;
	assert_int_equal(staff(f, &q, got, 8), 1);
	assert_true(got[0] == f->nurse);
	q.unit_id = f->other_unit;	/* Org B's unit */
	assert_int_equal(staff(f, &q, got, 8), 0);
	q.unit_id = 0;
	q.id = f->reception;
	assert_int_equal(staff(f, &q, got, 8), 1);
	q.id = f->carer;
	assert_int_equal(staff(f, &q, got, 8), 0);
	q.id = 0;
	/* Pages: after the last id shown. */
	q.limit = 2;
	assert_int_equal(staff(f, &q, got, 2), 2);
	q.after_id = got[1];
	assert_int_equal(staff(f, &q, got, 2), 2);
	assert_true(got[0] == f->reception && got[1] == f->admin);
	q.after_id = got[1];
	assert_int_equal(staff(f, &q, got, 2), 0);
	/* The time of the last change comes with the account. */
	assert_int_equal(account_get(f->t.db, f->a, f->pro, &acc), ERR_OK);
	assert_int_equal(acc.updated_at, 5);
}

static size_t
tree(struct fixture *f, struct org_query *q, struct org_node **rows)
{
	int64_t total = -1;
	size_t n = 99;

	q->org_id = f->org;
	if (!q->limit)
		q->limit = 100;
	assert_int_equal(org_tree_search(f->t.db, f->a, q, rows, &n),
			 ERR_OK);
	if (!q->after_id && q->limit >= 100) {
		assert_int_equal(org_tree_count(f->t.db, f->a, q, &total),
				 ERR_OK);
		assert_int_equal(total, (int64_t)n);
	}
	return n;
}

static void
test_org_tree(void **state)
{
	struct fixture *f = *state;
	struct org_query q = {0};
	struct org_node *r;

	assert_int_equal(tree(f, &q, &r), 3);
	assert_true(r[0].id == f->org && r[0].part_of == 0);
	assert_string_equal(r[0].name, "Org A");
	assert_true(r[1].id == f->unit_a && r[1].part_of == f->org);
	assert_string_equal(r[1].name, "Hillview Clinic");
	assert_int_equal(r[1].created_at, 3);
	assert_true(r[2].id == f->unit_b);
	q.part_of = f->org;
	assert_int_equal(tree(f, &q, &r), 2);
	assert_true(r[0].id == f->unit_a);
	q.part_of = f->unit_a;	/* units have no units */
	assert_int_equal(tree(f, &q, &r), 0);
	q.part_of = f->other_org;	/* not ours */
	assert_int_equal(tree(f, &q, &r), 0);
	q.part_of = 0;
	q.name = "HILL";
	assert_int_equal(tree(f, &q, &r), 1);	/* not Org B's Hill Ward */
	assert_true(r[0].id == f->unit_a);
	q.name = "a";
	assert_int_equal(tree(f, &q, &r), 1);
	assert_true(r[0].id == f->org);
	q.name = NULL;
	q.limit = 1;
	assert_int_equal(tree(f, &q, &r), 1);
	q.after_id = r[0].id;
	assert_int_equal(tree(f, &q, &r), 1);
	assert_true(r[0].id == f->unit_a);
}

static size_t
grants(struct fixture *f, struct grant_query *q, int64_t *out)
{
	struct grant *rows;
	int64_t total = -1;
	size_t n = 99, i;

	q->patient_id = f->patient;
	if (!q->limit)
		q->limit = 100;
	if (!q->to)
		q->to = INT64_MAX;
	assert_int_equal(grant_search(f->t.db, f->a, q, &rows, &n), ERR_OK);
	for (i = 0; i < n; i++) {
		out[i] = rows[i].id;
		assert_string_equal(rows[i].granted_by_role, "patient");
	}
	if (!q->has_after && q->limit >= 100) {
		assert_int_equal(grant_search_count(f->t.db, q, &total),
				 ERR_OK);
		assert_int_equal(total, (int64_t)n);
	}
	return n;
}

static void
test_grant_search(void **state)
{
	struct fixture *f = *state;
	struct grant_query q = {.now = 360, .from = INT64_MIN};
	int64_t got[8];

	/* Newest granted first, then the larger id: Bo's is not Ana's. */
	assert_int_equal(grants(f, &q, got), 4);
	assert_true(got[0] == f->g_ended && got[1] == f->g_revoked &&
		    got[2] == f->g_mid && got[3] == f->g_old);
	q.oldest_first = true;
	assert_int_equal(grants(f, &q, got), 4);
	assert_true(got[0] == f->g_old && got[1] == f->g_mid &&
		    got[2] == f->g_revoked && got[3] == f->g_ended);
	q.oldest_first = false;
	/* In force at 360: the ended one still is (until 400). */
	q.state = GRANT_ACTIVE;
	assert_int_equal(grants(f, &q, got), 3);
	q.state = GRANT_INACTIVE;
	assert_int_equal(grants(f, &q, got), 1);
	assert_true(got[0] == f->g_revoked);
	q.now = 400;
	assert_int_equal(grants(f, &q, got), 2);
	q.state = GRANT_ANY;
	/* Granted in [200, 300). */
	q.from = 200;
	q.to = 300;
	assert_int_equal(grants(f, &q, got), 2);
	q.from = INT64_MIN;
	q.to = 0;
	/* Pages after (granted_at, id), ties at 200 split by id. */
	q.limit = 2;
	assert_int_equal(grants(f, &q, got), 2);
	q.has_after = true;
	q.after_at = 200;
	q.after_id = f->g_revoked;
	assert_int_equal(grants(f, &q, got), 2);
	assert_true(got[0] == f->g_mid && got[1] == f->g_old);
	q.oldest_first = true;
	q.after_at = 200;
	q.after_id = f->g_mid;
	assert_int_equal(grants(f, &q, got), 2);
	assert_true(got[0] == f->g_revoked && got[1] == f->g_ended);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_practitioner),
		cmocka_unit_test(test_practitioner_role),
		cmocka_unit_test(test_organization),
		cmocka_unit_test(test_care_team),
		cmocka_unit_test(test_related_person),
		cmocka_unit_test(test_consent),
		cmocka_unit_test(test_consent_shape),
		cmocka_unit_test_setup_teardown(test_staff_search, up, down),
		cmocka_unit_test_setup_teardown(test_org_tree, up, down),
		cmocka_unit_test_setup_teardown(test_grant_search, up, down),
	};

	test_init();
	return cmocka_run_group_tests_name("fhir_people", tests, NULL, NULL);
}

/*
 * Unit tests for pseudonymised research resources: ids and references
 * hashed alike across resources, another key giving other pseudonyms,
 * one patient's dates all moved by the same whole days at the precision
 * they had, and only the allow list kept (no names, numbers, narrative
 * or free text).
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhir/pseudonym.h"

static const unsigned char key1[PSEUDONYM_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const unsigned char key2[PSEUDONYM_KEY_LEN] = "fedcba9876543210fedcba987654321";

static json_t *
load(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

static const char patient_json[] =
	"{\"resourceType\":\"Patient\",\"id\":\"42\",\"meta\":{\"versionId\":\"3\"},"
	"\"text\":{\"status\":\"generated\",\"div\":\"<div>María López</div>\"},"
	"\"identifier\":[{\"system\":\"https://cocare.org/fhir/identifier/mrn\",\"value\":\"MRN-1\"}],"
	"\"name\":[{\"family\":\"López\",\"given\":[\"María\"]}],"
	"\"telecom\":[{\"system\":\"phone\",\"value\":\"600\"}],"
	"\"address\":[{\"city\":\"Madrid\"}],\"gender\":\"female\",\"birthDate\":\"1980-01-04\","
	"\"extension\":[{\"url\":\"x\",\"valueString\":\"Prefers calls\"}],"
	"\"communication\":[{\"language\":{\"coding\":[{\"system\":\"urn:ietf:bcp:47\",\"code\":\"es\"}],\"text\":\"Spanish, some English\"},\"preferred\":true}],"
	"\"managingOrganization\":{\"reference\":\"Organization/7\",\"display\":\"Clinic\"}}";

static const char obs_json[] =
	"{\"resourceType\":\"Observation\",\"id\":\"900\",\"status\":\"final\","
	"\"category\":[{\"coding\":[{\"system\":\"c\",\"code\":\"vital-signs\"}],\"text\":\"my words\"}],"
	"\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\",\"display\":\"Body weight\"}],\"text\":\"weight after breakfast\"},"
	"\"subject\":{\"reference\":\"Patient/42\",\"display\":\"María López\"},"
	"\"effectiveDateTime\":\"2024-03-05T10:20:30Z\",\"issued\":\"2024-03-05T10:21:00.000Z\","
	"\"performer\":[{\"reference\":\"Patient/42\"}],"
	"\"note\":[{\"text\":\"felt dizzy\"}],"
	"\"valueQuantity\":{\"value\":71.5,\"unit\":\"kg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"}}";

static void
test_ids(void **state)
{
	char a[PSEUDONYM_ID_LEN + 1], b[PSEUDONYM_ID_LEN + 1];
	char c[PSEUDONYM_ID_LEN + 1];

	(void)state;
	fhir_pseudonym_id(key1, "Patient", "42", a);
	fhir_pseudonym_id(key1, "Patient", "42", b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), PSEUDONYM_ID_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), PSEUDONYM_ID_LEN);
	fhir_pseudonym_id(key2, "Patient", "42", c);
	assert_string_not_equal(a, c);
	fhir_pseudonym_id(key1, "Observation", "42", c);
	assert_string_not_equal(a, c);
	fhir_pseudonym_id(key1, "Patient", "43", c);
	assert_string_not_equal(a, c);
}

static void
test_shift(void **state)
{
	int64_t pid;
	bool differ = false;
	int first = fhir_pseudonym_shift(key1, 1);

	(void)state;
	for (pid = 1; pid < 2000; pid++) {
		int d = fhir_pseudonym_shift(key1, pid);

		assert_int_not_equal(d, 0);
		assert_true(d >= -PSEUDONYM_SHIFT_MAX &&
			    d <= PSEUDONYM_SHIFT_MAX);
		assert_int_equal(d, fhir_pseudonym_shift(key1, pid));
		differ |= d != first;
	}
	assert_true(differ);
}

static void
test_patient_kept(void **state)
{
	json_t *in = load(patient_json), *out;
	char id[PSEUDONYM_ID_LEN + 1], org[PSEUDONYM_ID_LEN + 1];
	char *text;
	int days = fhir_pseudonym_shift(key1, 42);
	struct tm tm = {.tm_year = 80, .tm_mon = 0, .tm_mday = 4 + days,
			.tm_hour = 12};
	time_t t = timegm(&tm);
	char want[16];

	(void)state;
	out = fhir_pseudonymise(key1, in, 42);
	assert_non_null(out);
	fhir_pseudonym_id(key1, "Patient", "42", id);
	fhir_pseudonym_id(key1, "Organization", "7", org);
	assert_string_equal(json_string_value(json_object_get(out, "id")), id);
	assert_string_equal(json_string_value(json_object_get(out, "gender")),
			    "female");
	gmtime_r(&t, &tm);
	strftime(want, sizeof(want), "%Y-%m-%d", &tm);
	assert_string_equal(
		json_string_value(json_object_get(out, "birthDate")), want);
	assert_non_null(strstr(json_string_value(json_object_get(
				       json_object_get(out, "managingOrganization"),
				       "reference")),
			       org));
	text = json_dumps(out, 0);
	/* Nothing that names the person, nor any words. */
	assert_null(strstr(text, "Mar"));
	assert_null(strstr(text, "pez"));
	assert_null(strstr(text, "MRN"));
	assert_null(strstr(text, "600"));
	assert_null(strstr(text, "Madrid"));
	assert_null(strstr(text, "Prefers"));
	assert_null(strstr(text, "Spanish"));
	assert_null(strstr(text, "Clinic"));
	assert_null(strstr(text, "\"42\""));
	assert_null(json_object_get(out, "meta"));
	assert_null(json_object_get(out, "text"));
	assert_non_null(strstr(text, "\"code\": \"es\""));
	free(text);
	json_decref(out);
	json_decref(in);
}

static void
test_observation(void **state)
{
	json_t *in = load(obs_json), *out, *pat = load(patient_json), *p;
	const char *when, *issued;
	char *text;

	(void)state;
	out = fhir_pseudonymise(key1, in, 42);
	p = fhir_pseudonymise(key1, pat, 42);
	assert_non_null(out);
	/* The subject is the Patient's pseudonym. */
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(out, "subject"),
						  "reference")) + 8,
		json_string_value(json_object_get(p, "id")));
	/* The time of day and zone kept; the date moved. */
	when = json_string_value(json_object_get(out, "effectiveDateTime"));
	issued = json_string_value(json_object_get(out, "issued"));
	assert_non_null(when);
	assert_non_null(issued);
	assert_string_equal(when + 10, "T10:20:30Z");
	assert_string_equal(issued + 10, "T10:21:00.000Z");
	assert_memory_equal(when, issued, 10);
	assert_memory_not_equal(when, "2024-03-05", 10);
	text = json_dumps(out, 0);
	assert_null(strstr(text, "dizzy"));
	assert_null(strstr(text, "breakfast"));
	assert_null(strstr(text, "my words"));
	assert_null(strstr(text, "Mar"));
	assert_null(json_object_get(out, "performer"));
	assert_non_null(strstr(text, "29463-7"));
	assert_non_null(strstr(text, "71.5"));
	free(text);
	/* Another key: other pseudonyms. */
	json_decref(p);
	p = fhir_pseudonymise(key2, pat, 42);
	assert_string_not_equal(
		json_string_value(json_object_get(json_object_get(out, "subject"),
						  "reference")) + 8,
		json_string_value(json_object_get(p, "id")));
	json_decref(p);
	json_decref(pat);
	json_decref(out);
	json_decref(in);
}

/* Dates at the precision they have; types not on the list: nothing. */
static void
test_precision_and_types(void **state)
{
	json_t *in = load("{\"resourceType\":\"Patient\",\"id\":\"1\","
			  "\"birthDate\":\"1980\"}");
	json_t *out = fhir_pseudonymise(key1, in, 1), *other;
	const char *b;

	(void)state;
	b = json_string_value(json_object_get(out, "birthDate"));
	assert_non_null(b);
	assert_int_equal(strlen(b), 4);
	json_decref(out);
	json_decref(in);
	in = load("{\"resourceType\":\"Patient\",\"id\":\"1\","
		  "\"birthDate\":\"1980-06\"}");
	out = fhir_pseudonymise(key1, in, 1);
	assert_int_equal(strlen(json_string_value(
				 json_object_get(out, "birthDate"))),
			 7);
	json_decref(out);
	json_decref(in);
	in = load("{\"resourceType\":\"Patient\",\"id\":\"1\","
		  "\"birthDate\":\"not a date\"}");
	out = fhir_pseudonymise(key1, in, 1);
	assert_null(json_object_get(out, "birthDate"));
	json_decref(out);
	json_decref(in);
	other = load("{\"resourceType\":\"Composition\",\"id\":\"1\"}");
	assert_null(fhir_pseudonymise(key1, other, 1));
	json_decref(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_patient_kept),
		cmocka_unit_test(test_observation),
		cmocka_unit_test(test_precision_and_types),
	};

	test_init();
	return cmocka_run_group_tests_name("fhir_pseudonym", tests, NULL,
					   NULL);
}

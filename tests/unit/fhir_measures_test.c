/*
 * Unit tests for questionnaires and their answers as FHIR
 * (fhir/measures_map.c): an organisation's questionnaire as the
 * Questionnaire it uploaded, a stored response as a
 * QuestionnaireResponse with every field and the scores, the checks of
 * what a client sends (the HL7 examples pass, unknown elements and bad
 * codes do not); and the domain's search of responses (measures/
 * response.c) with its filters and pages, and a response sent whole
 * (RESPONSE_SUBMIT), on SQLite and PostgreSQL.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/id.h"
#include "fhir/measures_map.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/response.h"
#include "store/store.h"

#define EXAMPLES "../shared/testdata/fhir-r4-examples/"
#define T0 1767225600000LL	/* 2026-01-01T00:00:00.000Z */
#define DAY 86400000LL
#define PHQ9_ID 4611948166325433774LL
#define PHQ9_ID_TEXT "4611948166325433774"

static json_t *
example(const char *name)
{
	char path[256];
	size_t len;
	char *text;
	json_t *j;

	snprintf(path, sizeof(path), EXAMPLES "%s", name);
	text = test_read_file(path, &len);
	assert_non_null(text);
	j = json_loadb(text, len, 0, NULL);
	free(text);
	assert_non_null(j);
	return j;
}

static const char *
str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
test_questionnaire_json(void **state)
{
	struct org_instrument oi = {
		.id = 42,
		.added_ms = T0,
		.body = "{\"resourceType\":\"Questionnaire\",\"id\":\"gcs\","
			"\"meta\":{\"versionId\":\"9\"},\"url\":\"http://x/q\","
			"\"status\":\"draft\",\"item\":[{\"linkId\":\"1\","
			"\"type\":\"boolean\"}]}",
	};
	json_t *q = fhir_questionnaire_json(&oi);

	(void)state;
	assert_non_null(q);
	assert_string_equal(str_at(q, "id"), "42");
	assert_string_equal(str_at(json_object_get(q, "meta"), "versionId"),
			    "1");
	assert_string_equal(str_at(json_object_get(q, "meta"), "lastUpdated"),
			    "2026-01-01T00:00:00.000Z");
	assert_string_equal(str_at(q, "url"), "http://x/q");
	assert_string_equal(str_at(q, "status"), "draft");
	assert_int_equal(json_array_size(json_object_get(q, "item")), 1);
	json_decref(q);
	oi.body = "not json";
	assert_null(fhir_questionnaire_json(&oi));
}

static void
test_library_questionnaire(void **state)
{
	const struct instrument *in = instrument_get("phq-9", NULL);
	const struct instrument *list;
	json_t *q;
	size_t n, i, k;

	(void)state;
	assert_non_null(in);
	/* Fixed by the library id, so it stays from one release to the
	 * next. */
	assert_int_equal(fhir_library_questionnaire_id("phq-9"), PHQ9_ID);
	q = fhir_library_questionnaire_json(in);
	assert_non_null(q);
	assert_string_equal(str_at(q, "id"), PHQ9_ID_TEXT);
	assert_string_equal(str_at(q, "url"),
			    "https://cocare.org/fhir/Questionnaire/phq-9");
	assert_string_equal(str_at(json_object_get(q, "meta"), "versionId"),
			    "1");
	assert_null(json_object_get(json_object_get(q, "meta"),
				    "lastUpdated"));
	assert_true(json_array_size(json_object_get(q, "item")) > 0);
	json_decref(q);
	/* Every instrument its own id, above every id_new() id. */
	list = instrument_list(&n);
	for (i = 0; i < n; i++) {
		assert_true(fhir_library_questionnaire_id(list[i].id) >=
			    FHIR_LIBRARY_BASE);
		assert_true(id_new() < FHIR_LIBRARY_BASE);
		for (k = 0; k < i; k++)
			assert_true(fhir_library_questionnaire_id(list[i].id) !=
				    fhir_library_questionnaire_id(list[k].id));
	}
}

static void
test_questionnaire_check(void **state)
{
	const char *names[] = {"Questionnaire-3141.json",
			       "Questionnaire-f201.json",
			       "Questionnaire-gcs.json",
			       "Questionnaire-phq-9-questionnaire.json"};
	struct fhir_outcome oo;
	json_t *q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&oo, 0, sizeof(oo));
		q = example(names[i]);
		assert_true(fhir_questionnaire_check(&oo, q));
		assert_int_equal(oo.status, 0);
		json_decref(q);
	}
	memset(&oo, 0, sizeof(oo));
	q = example("Questionnaire-gcs.json");
	json_object_set_new(q, "titel", json_string("x"));
	json_object_set_new(q, "status", json_integer(1));
	assert_false(fhir_questionnaire_check(&oo, q));
	assert_int_equal(oo.status, 400);
	assert_int_equal(oo.n, 2);
	/* In the object's order: status was there before. */
	assert_string_equal(oo.issue[0].expression, "Questionnaire.status");
	assert_string_equal(oo.issue[1].expression, "Questionnaire.titel");
	json_decref(q);
}

static struct measure_response
response(const char *status, const char *mode)
{
	struct measure_response r = {
		.id = 7,
		.org_id = 1,
		.patient_id = 1000,
		.request_id = 0,
		.instrument_url = "https://cocare.org/fhir/Questionnaire/phq-9",
		.instrument_version = "1.0.0",
		.lang = "es",
		.status = status,
		.mode = mode,
		.answers = "{\"resourceType\":\"QuestionnaireResponse\","
			   "\"item\":[{\"linkId\":\"a\",\"answer\":[{"
			   "\"valueInteger\":3}]}]}",
		.entered_by = 55,
		.entered_by_name = "Ana Ruiz",
		.entered_by_role = "patient",
		.started_ms = T0,
		.updated_ms = T0 + DAY,
		.completed_ms = T0 + DAY,
		.version = 2,
	};

	return r;
}

/* The score-result extension named `name`, or NULL. */
static json_t *
score(json_t *qr, const char *name)
{
	json_t *x, *s;
	size_t i, k;

	json_array_foreach(json_object_get(qr, "extension"), i, x) {
		if (strcmp(str_at(x, "url"), FHIR_EXT_SCORE))
			continue;
		json_array_foreach(json_object_get(x, "extension"), k, s)
			if (!strcmp(str_at(s, "url"), "name") &&
			    !strcmp(str_at(s, "valueString"), name))
				return x;
	}
	return NULL;
}

static json_t *
sub(json_t *ext, const char *url)
{
	json_t *s;
	size_t k;

	json_array_foreach(json_object_get(ext, "extension"), k, s)
		if (!strcmp(str_at(s, "url"), url))
			return s;
	return NULL;
}

static void
test_response_json(void **state)
{
	struct measure_response r = response("completed", "self");
	struct response_score s[2] = {
		{.name = "total", .computed = true, .value_milli = 13500,
		 .band = "moderate", .reason = ""},
		{.name = "other", .computed = false, .band = "",
		 .reason = "3 of 9 items answered"},
	};
	json_t *qr = fhir_response_json(&r, s, 2), *x, *ext;

	(void)state;
	assert_string_equal(str_at(qr, "resourceType"),
			    "QuestionnaireResponse");
	assert_string_equal(str_at(qr, "id"), "7");
	assert_string_equal(str_at(json_object_get(qr, "meta"), "versionId"),
			    "2");
	assert_string_equal(str_at(qr, "status"), "completed");
	assert_string_equal(str_at(qr, "language"), "es");
	assert_string_equal(str_at(qr, "questionnaire"),
			    "https://cocare.org/fhir/Questionnaire/phq-9|1.0.0");
	assert_string_equal(str_at(json_object_get(qr, "subject"),
				   "reference"),
			    "Patient/1000");
	assert_string_equal(str_at(json_object_get(qr, "source"), "reference"),
			    "Patient/1000");
	assert_string_equal(str_at(qr, "authored"),
			    "2026-01-02T00:00:00.000Z");
	x = json_object_get(qr, "author");
	assert_string_equal(str_at(x, "display"), "Ana Ruiz");
	assert_string_equal(str_at(x, "type"), "Patient");
	assert_string_equal(str_at(x, "reference"), "Patient/1000");
	assert_string_equal(
		str_at(json_array_get(json_object_get(x, "extension"), 0),
		       "valueCode"),
		"patient");
	assert_string_equal(str_at(json_object_get(x, "identifier"), "value"),
			    "55");
	assert_string_equal(str_at(json_object_get(x, "identifier"), "system"),
			    FHIR_ID_ACCOUNT_SYSTEM);
	ext = json_array_get(json_object_get(qr, "extension"), 0);
	assert_string_equal(str_at(ext, "url"), FHIR_EXT_MODE);
	assert_string_equal(str_at(ext, "valueCode"), "self");
	ext = json_array_get(json_object_get(qr, "extension"), 1);
	assert_string_equal(str_at(ext, "url"), FHIR_EXT_STARTED);
	assert_string_equal(str_at(ext, "valueDateTime"),
			    "2026-01-01T00:00:00.000Z");
	x = score(qr, "total");
	assert_non_null(x);
	assert_true(json_real_value(json_object_get(sub(x, "value"),
						    "valueDecimal")) == 13.5);
	assert_string_equal(str_at(sub(x, "band"), "valueCode"), "moderate");
	assert_null(sub(x, "not-computed"));
	x = score(qr, "other");
	assert_non_null(x);
	assert_null(sub(x, "value"));
	assert_null(sub(x, "band"));
	assert_string_equal(str_at(sub(x, "not-computed"), "valueString"),
			    "3 of 9 items answered");
	x = json_array_get(json_object_get(qr, "item"), 0);
	assert_string_equal(str_at(x, "linkId"), "a");
	json_decref(qr);

	/* In progress, with a professional, for a request: authored is
	 * when last saved; no source. */
	r = response("in-progress", "with-professional");
	r.completed_ms = 0;
	r.updated_ms = T0 + 2 * DAY;
	r.request_id = 99;
	r.instrument_version = "";
	r.entered_by_role = "professional";
	r.entered_by_name = "";
	qr = fhir_response_json(&r, NULL, 0);
	assert_string_equal(str_at(qr, "status"), "in-progress");
	assert_string_equal(str_at(qr, "authored"),
			    "2026-01-03T00:00:00.000Z");
	/* The patient answered; the professional entered the answers. */
	assert_string_equal(str_at(json_object_get(qr, "source"), "reference"),
			    "Patient/1000");
	x = json_object_get(qr, "author");
	assert_string_equal(str_at(x, "type"), "Practitioner");
	assert_null(json_object_get(x, "reference"));
	assert_null(json_object_get(x, "display"));
	assert_string_equal(
		str_at(json_array_get(json_object_get(x, "extension"), 0),
		       "valueCode"),
		"professional");
	assert_string_equal(str_at(qr, "questionnaire"),
			    "https://cocare.org/fhir/Questionnaire/phq-9");
	ext = json_object_get(qr, "extension");
	assert_int_equal(json_array_size(ext), 3);
	assert_string_equal(str_at(json_array_get(ext, 0), "valueCode"),
			    "with-professional");
	assert_string_equal(str_at(json_array_get(ext, 2), "url"),
			    FHIR_EXT_REQUEST);
	assert_string_equal(str_at(json_array_get(ext, 2), "valueString"),
			    "99");
	json_decref(qr);

	/* A caregiver answering alone: for the patient, no source. */
	r.mode = "self";
	r.entered_by_role = "caregiver";
	qr = fhir_response_json(&r, NULL, 0);
	assert_null(json_object_get(qr, "source"));
	assert_string_equal(str_at(json_object_get(qr, "author"), "type"),
			    "RelatedPerson");
	json_decref(qr);
}

/* Parses `in` (stolen); the outcome's first issue in `oo`. */
static bool
parse(json_t *in, struct fhir_response_in *out, struct fhir_outcome *oo)
{
	bool ok;

	memset(oo, 0, sizeof(*oo));
	ok = fhir_response_parse(in, out, oo);
	json_decref(in);
	return ok;
}

static void
test_response_parse(void **state)
{
	struct fhir_response_in in;
	struct fhir_outcome oo;
	json_t *ex;

	(void)state;
	ex = example("QuestionnaireResponse-gcs.json");
	json_object_set_new(ex, "subject",
			    json_pack("{s:s}", "reference", "Patient/12"));
	assert_true(parse(json_incref(ex), &in, &oo));
	assert_string_equal(in.status, "completed");
	assert_string_equal(in.questionnaire, "Questionnaire/gcs");
	assert_int_equal(in.patient_id, 12);

	/* The HL7 example's own subject is no number: refused. */
	json_object_set_new(ex, "subject",
			    json_pack("{s:s}", "reference", "Patient/example"));
	assert_false(parse(json_incref(ex), &in, &oo));
	assert_int_equal(oo.status, 422);
	assert_string_equal(oo.issue[0].expression,
			    "QuestionnaireResponse.subject.reference");
	json_object_set_new(ex, "subject",
			    json_pack("{s:s}", "reference", "Patient/12"));

	json_object_set_new(ex, "status", json_string("amended"));
	assert_false(parse(json_incref(ex), &in, &oo));
	assert_int_equal(oo.status, 422);
	assert_string_equal(oo.issue[0].code, "code-invalid");
	assert_string_equal(oo.issue[0].expression,
			    "QuestionnaireResponse.status");
	json_object_set_new(ex, "status", json_string("in-progress"));
	assert_true(parse(json_incref(ex), &in, &oo));

	json_object_set_new(ex, "answer", json_array());
	assert_false(parse(json_incref(ex), &in, &oo));
	assert_int_equal(oo.status, 400);
	assert_string_equal(oo.issue[0].expression,
			    "QuestionnaireResponse.answer");
	json_object_del(ex, "answer");

	json_object_del(ex, "questionnaire");
	json_object_del(ex, "subject");
	assert_false(parse(json_incref(ex), &in, &oo));
	assert_int_equal(oo.n, 2);
	assert_string_equal(oo.issue[0].code, "required");
	assert_string_equal(oo.issue[0].expression,
			    "QuestionnaireResponse.questionnaire");
	assert_string_equal(oo.issue[1].expression,
			    "QuestionnaireResponse.subject");
	json_decref(ex);
}

/* A response of patient `pid` stored whole at `at_ms`. */
static int64_t
submit(struct test_care *f, const char *url, const char *status,
       int64_t at_ms)
{
	struct response_job j;

	memset(&j, 0, sizeof(j));
	j.op = strcmp(status, "completed") ? RESPONSE_START : RESPONSE_SUBMIT;
	j.r.id = id_new();
	j.r.org_id = f->org;
	j.r.patient_id = f->patient;
	j.r.instrument_url = url;
	j.r.instrument_version = "1";
	j.r.lang = "en";
	j.r.mode = "self";
	j.r.answers = "{}";
	j.r.entered_by = f->patient_acc;
	j.at_ms = at_ms;
	j.today = "2026-01-01";
	j.nscores = 1;
	j.scores[0].name = "total";
	j.scores[0].computed = true;
	j.scores[0].value_milli = 4000;
	j.scores[0].band = "";
	j.scores[0].reason = "";
	assert_int_equal(store_write(f->t.store, response_write, &j), ERR_OK);
	return j.r.id;
}

static void
test_response_search(void **state)
{
	struct test_care *f = *state;
	struct response_query q;
	struct measure_response *rows, r;
	struct response_score *s;
	int64_t ids[5], n64;
	size_t n, i;

	for (i = 0; i < 5; i++)
		ids[i] = submit(f, i == 4 ? "http://x/other" : "http://x/q",
				i == 3 ? "in-progress" : "completed",
				T0 + (int64_t)i * DAY);
	/* Sent whole: completed at once, version 2, with its score. */
	assert_int_equal(response_by_id(f->t.db, f->a, ids[0], &r), ERR_OK);
	assert_string_equal(r.status, "completed");
	assert_int_equal(r.completed_ms, T0);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.patient_id, f->patient);
	assert_int_equal(response_scores(f->t.db, f->a, ids[0], &s, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].value_milli, 4000);
	assert_int_equal(response_by_id(f->t.db, f->a, ids[3], &r), ERR_OK);
	assert_string_equal(r.status, "in-progress");
	assert_int_equal(response_answered_ms(&r), T0 + 3 * DAY);

	memset(&q, 0, sizeof(q));
	q.patient_id = f->patient;
	q.from_ms = q.upd_from_ms = INT64_MIN;
	q.to_ms = q.upd_to_ms = INT64_MAX;
	q.limit = 2;
	/* Newest first, two by two, each page after the last. */
	assert_int_equal(response_search(f->t.db, f->a, &q, &rows, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, ids[4]);
	assert_int_equal(rows[1].id, ids[3]);
	q.has_after = true;
	q.after_ms = response_answered_ms(&rows[1]);
	q.after_id = rows[1].id;
	assert_int_equal(response_search(f->t.db, f->a, &q, &rows, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, ids[2]);
	assert_int_equal(rows[1].id, ids[1]);
	q.has_after = false;
	q.limit = 10;
	q.status = "completed";
	q.url = "http://x/q";
	q.from_ms = T0 + DAY;
	assert_int_equal(response_search(f->t.db, f->a, &q, &rows, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, ids[2]);
	assert_int_equal(rows[1].id, ids[1]);
	assert_int_equal(response_search_count(f->t.db, &q, &n64), ERR_OK);
	assert_int_equal(n64, 2);
	q.version = "2";
	assert_int_equal(response_search_count(f->t.db, &q, &n64), ERR_OK);
	assert_int_equal(n64, 0);
	q.version = "";
	q.status = "in-progress";
	q.from_ms = INT64_MIN;
	assert_int_equal(response_search_count(f->t.db, &q, &n64), ERR_OK);
	assert_int_equal(n64, 1);
	/* Another patient's: none. */
	q.status = "";
	q.url = "";
	q.patient_id = f->patient + 1;
	assert_int_equal(response_search_count(f->t.db, &q, &n64), ERR_OK);
	assert_int_equal(n64, 0);
}

static int
up(void **state)
{
	return test_care_up(state, 0);
}

static int
down(void **state)
{
	return test_care_down(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_questionnaire_json),
		cmocka_unit_test(test_library_questionnaire),
		cmocka_unit_test(test_questionnaire_check),
		cmocka_unit_test(test_response_json),
		cmocka_unit_test(test_response_parse),
		cmocka_unit_test_setup_teardown(test_response_search, up,
						down),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

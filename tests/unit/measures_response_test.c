/*
 * Unit tests for questionnaires as stored: when requests are due (once,
 * before an appointment, on a repeat schedule) and how answering moves
 * them on; answers saved to resume, refused when stale or already sent,
 * completed with their scores and the alert of an urgent flag; the visit
 * agenda; and an organisation's own questionnaires scored by a library
 * instrument's published rules. Every refusal leaves the stored rows as
 * they were.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/write.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/problem.h"
#include "measures/agenda.h"
#include "measures/alert.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/questionnaire.h"
#include "measures/reading_store.h"
#include "measures/response.h"
#include "measures/schedule.h"
#include "measures/scoring.h"

/* --- pure: the schedule ---------------------------------------------------- */

static struct measure_request
req(const char *schedule, const char *due, int every, const char *visit,
    int before)
{
	struct measure_request r;

	memset(&r, 0, sizeof(r));
	r.schedule = schedule;
	r.due_date = due;
	r.every_days = every;
	r.appointment_date = visit;
	r.days_before = before;
	r.status = "open";
	return r;
}

static void
test_schedule_rules(void **state)
{
	struct arena *a = arena_new(1 << 20);
	struct problems ps = {0};
	struct measure_request r;

	(void)state;
	/* Once, from today when no date is given. */
	r = req("once", "", 0, "", 0);
	assert_true(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_string_equal(r.due_date, "2026-11-22");
	assert_true(schedule_is_due(&r, "2026-11-22"));
	assert_false(schedule_is_due(&r, "2026-11-21"));
	/* Before an appointment: the visit less the days, not before today. */
	r = req("before", "", 0, "2026-12-10", 3);
	assert_true(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_string_equal(r.due_date, "2026-12-07");
	r = req("before", "", 0, "2026-11-24", 7);
	assert_true(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_string_equal(r.due_date, "2026-11-22");
	/* Refusals name their field. */
	r = req("before", "", 0, "2026-11-21", 3);
	assert_false(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_non_null(problems_for(&ps, "appointment_date"));
	ps.n = 0;
	r = req("before", "", 0, "2026-12-10", 61);
	assert_false(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_non_null(problems_for(&ps, "days_before"));
	ps.n = 0;
	r = req("repeat", "2026-11-22", 0, "", 0);
	assert_false(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_non_null(problems_for(&ps, "every_days"));
	ps.n = 0;
	r = req("repeat", "2026-02-30", 7, "", 0);
	assert_false(schedule_validate(a, &r, "2026-01-01", &ps));
	assert_non_null(problems_for(&ps, "due_date"));
	ps.n = 0;
	r = req("weekly", "2026-11-22", 7, "", 0);
	assert_false(schedule_validate(a, &r, "2026-11-22", &ps));
	assert_non_null(problems_for(&ps, "schedule"));
	/* The next date after an answer, on a 14-day schedule. */
	assert_string_equal(schedule_next_due(a, "2026-11-01", 14, "2026-11-01"),
			    "2026-11-15");
	assert_string_equal(schedule_next_due(a, "2026-11-01", 14, "2026-11-14"),
			    "2026-11-15");
	assert_string_equal(schedule_next_due(a, "2026-11-01", 14, "2026-11-15"),
			    "2026-11-29");
	assert_string_equal(schedule_next_due(a, "2026-11-01", 14, "2027-01-10"),
			    "2027-01-24");
	/* Answered early: the due date stays. */
	assert_string_equal(schedule_next_due(a, "2026-12-01", 7, "2026-11-28"),
			    "2026-12-01");
	assert_null(schedule_next_due(a, "2026-11-01", 0, "2026-11-02"));
	assert_null(schedule_next_due(a, "junk", 7, "2026-11-02"));
	arena_free(a);
}

/* --- stored ---------------------------------------------------------------- */

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER | TEST_CARE_STRANGERS);
}

static enum err
commit_as(struct test_care *f, int64_t who, enum role role,
	  const char *type, int64_t id, enum err (*fn)(struct db *, void *),
	  void *arg)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = type,
		.patient_id = f->patient,
		.detail = "test",
	};
	char text[24];

	test_act_as(&f->ctx, f->org, f->patient, who, role);
	snprintf(text, sizeof(text), "%lld", (long long)id);
	wi.resource_id = text;
	return write_commit(&f->ctx, &wi, fn, arg);
}

static int64_t
count_of(struct test_care *f, const char *sql)
{
	return test_count_of(f->t.db, sql, f->patient);
}

/* PHQ-9 answers with the given values (9 items), for `q`. */
static void
phq9_answers(struct arena *a, const struct questionnaire *q,
	     const int *values, struct q_answers *ans)
{
	size_t i, k = 0, o;

	q_answers_init(ans);
	for (i = 0; i < q->n_all && k < 9; i++) {
		const struct q_item *it = q->all[i];
		struct q_value *v;

		if (!q_item_is_question(it) || !it->n_options)
			continue;
		v = arena_calloc(a, 1, sizeof(*v));
		for (o = 0; o < it->n_options; o++)
			if (it->options[o].value == values[k])
				break;
		assert_true(o < it->n_options);
		v->kind = QV_CODING;
		v->system = it->options[o].system;
		v->code = it->options[o].code;
		v->display = it->options[o].display;
		v->option = &it->options[o];
		assert_int_equal(q_answers_set(a, ans, it, v, 1), ERR_OK);
		k++;
	}
}

static void
test_request_answered(void **state)
{
	struct test_care *f = *state;
	const struct instrument *phq = instrument_get("phq-9", NULL);
	static const int values[9] = {1, 1, 1, 1, 1, 1, 1, 1, 2};
	struct schedule_job sj;
	struct response_job *j;
	struct measure_request *rq;
	struct score_report rep;
	struct alert_event al;
	struct q_answers ans;
	struct q_response_info info = {.status = "completed"};
	struct measure_response got;
	struct score_point *pts;
	size_t n;
	char *json;

	assert_non_null(phq);
	/* The doctor sends the PHQ-9 every 14 days from 2026-11-01. */
	memset(&sj, 0, sizeof(sj));
	sj.r = req("repeat", "2026-11-01", 14, "", 0);
	sj.r.id = id_new();
	sj.r.org_id = f->org;
	sj.r.patient_id = f->patient;
	sj.r.instrument_url = phq->q->url;
	sj.by = f->pro;
	sj.at_ms = 1000;
	assert_int_equal(commit_as(f, f->pro, ROLE_PROFESSIONAL, SCHEDULE_RES,
				   sj.r.id, schedule_write, &sj),
			 ERR_OK);

	/* Ana starts it, saves half-way, and sends it on 2026-11-02. */
	j = arena_calloc(f->a, 1, sizeof(*j));
	j->op = RESPONSE_START;
	j->r.id = id_new();
	j->r.org_id = f->org;
	j->r.patient_id = f->patient;
	j->r.request_id = sj.r.id;
	j->r.instrument_url = phq->q->url;
	j->r.instrument_version = phq->q->version;
	j->r.lang = "en";
	j->r.mode = "self";
	j->r.answers = "{}";
	j->r.entered_by = f->patient_acc;
	j->at_ms = 2000;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT,
				   RESPONSE_RES, j->r.id, response_write, j),
			 ERR_OK);
	assert_int_equal(j->r.version, 1);
	assert_int_equal(response_open_for(f->t.db, f->a, f->patient,
					   sj.r.id, &got),
			 ERR_OK);
	assert_true(got.id == j->r.id);
	j->op = RESPONSE_SAVE;
	j->r.screen = 4;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT,
				   RESPONSE_RES, j->r.id, response_write, j),
			 ERR_OK);
	assert_int_equal(j->r.version, 2);
	/* A stale save is refused and changes nothing. */
	j->r.version = 1;
	j->r.screen = 7;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT,
				   RESPONSE_RES, j->r.id, response_write, j),
			 ERR_CONFLICT);
	assert_int_equal(count_of(f, "SELECT screen FROM measure_response "
				     "WHERE patient_id = $1"),
			 4);
	/* Sent, with its score and the urgent flag of item 9. */
	phq9_answers(f->a, phq->q, values, &ans);
	assert_int_equal(score_response(f->a, phq->q, &ans, &rep), ERR_OK);
	assert_true(rep.urgent);
	assert_int_equal(q_answers_to_json(f->a, phq->q, &ans, &info, &json),
			 ERR_OK);
	j->op = RESPONSE_COMPLETE;
	j->r.version = 2;
	j->r.answers = json;
	j->today = "2026-11-02";
	j->nscores = 1;
	j->scores[0].name = "total";
	j->scores[0].computed = true;
	j->scores[0].value_milli = (int64_t)(rep.scores[0].value * 1000);
	j->scores[0].band = rep.scores[0].band->code;
	j->scores[0].reason = "";
	memset(&al, 0, sizeof(al));
	al.org_id = f->org;
	al.patient_id = f->patient;
	al.measure = "flag:phq-9#self-harm";
	al.kind = "flag";
	al.urgent = true;
	al.label = rep.flags[0].flag->label;
	al.value_text = "2";
	al.at_ms = 3000;
	al.response_id = j->r.id;
	j->alerts = &al;
	j->nalerts = 1;
	j->at_ms = 3000;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT,
				   RESPONSE_RES, j->r.id, response_write, j),
			 ERR_OK);
	/* 8 x 1 + 2 = 10: moderate (Kroenke 2001: 10-14). */
	assert_int_equal(response_score_series(f->t.db, f->a, f->patient,
					       phq->q->url, "total", &pts, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pts[0].value_milli, 10000);
	assert_string_equal(pts[0].band, "moderate");
	assert_int_equal(count_of(f, "SELECT COUNT(*) FROM measure_alert "
				     "WHERE patient_id = $1 AND urgent = 1 "
				     "AND status = 'open'"),
			 1);
	/* The repeating request moved past the day it was answered. */
	assert_int_equal(schedule_list(f->t.db, f->a, f->patient, &rq, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rq[0].due_date, "2026-11-15");
	/* A completed response takes no more answers. */
	j->op = RESPONSE_SAVE;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT,
				   RESPONSE_RES, j->r.id, response_write, j),
			 ERR_NOT_FOUND);
	/* Nor is it another patient's to read. */
	assert_int_equal(response_get(f->t.db, f->a, f->patient + 1, j->r.id,
				      &got),
			 ERR_NOT_FOUND);
	/* Stopped requests are no longer listed. */
	sj.stop = true;
	assert_int_equal(commit_as(f, f->pro, ROLE_PROFESSIONAL, SCHEDULE_RES,
				   sj.r.id, schedule_write, &sj),
			 ERR_OK);
	assert_int_equal(schedule_list(f->t.db, f->a, f->patient, &rq, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(commit_as(f, f->pro, ROLE_PROFESSIONAL, SCHEDULE_RES,
				   sj.r.id, schedule_write, &sj),
			 ERR_NOT_FOUND);
}

static enum err
add_item(struct test_care *f, const char *text, int64_t *id)
{
	struct agenda_job j;

	memset(&j, 0, sizeof(j));
	j.org_id = f->org;
	j.item.id = id_new();
	j.item.patient_id = f->patient;
	j.item.text = text;
	j.by = f->patient_acc;
	j.at_ms = 5000;
	if (id)
		*id = j.item.id;
	return commit_as(f, f->patient_acc, ROLE_PATIENT, AGENDA_RES,
			 j.item.id, agenda_write, &j);
}

static void
test_agenda(void **state)
{
	struct test_care *f = *state;
	struct agenda_item *it;
	struct agenda_job j;
	char big[1400];
	int64_t id, i;
	size_t n;

	assert_int_equal(add_item(f, "My sleep", &id), ERR_OK);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(add_item(f, big, NULL), ERR_INVALID);
	assert_int_equal(add_item(f, "  \n ", NULL), ERR_INVALID);
	assert_int_equal(add_item(f, "bad\x01text", NULL), ERR_INVALID);
	assert_int_equal(count_of(f, "SELECT COUNT(*) FROM visit_agenda WHERE "
				     "patient_id = $1"),
			 1);
	/* Marked as talked about once; a second time is not found. */
	memset(&j, 0, sizeof(j));
	j.item.id = id;
	j.item.patient_id = f->patient;
	j.discussed = true;
	j.by = f->pro;
	j.at_ms = 6000;
	assert_int_equal(commit_as(f, f->pro, ROLE_PROFESSIONAL, AGENDA_RES,
				   id, agenda_write, &j),
			 ERR_OK);
	assert_int_equal(commit_as(f, f->pro, ROLE_PROFESSIONAL, AGENDA_RES,
				   id, agenda_write, &j),
			 ERR_NOT_FOUND);
	/* At most AGENDA_OPEN_MAX open items. */
	for (i = 0; i < AGENDA_OPEN_MAX; i++)
		assert_int_equal(add_item(f, "again", NULL), ERR_OK);
	assert_int_equal(add_item(f, "one too many", NULL), ERR_INVALID);
	assert_int_equal(agenda_list(f->t.db, f->a, f->patient, &it, &n),
			 ERR_OK);
	assert_int_equal(n, AGENDA_OPEN_MAX + 1);
	assert_int_equal(it[0].discussed_ms, 0);
	assert_true(it[n - 1].discussed_ms > 0);
	assert_string_equal(it[n - 1].text, "My sleep");
}

static void
test_org_instrument_scored_by_library(void **state)
{
	struct test_care *f = *state;
	size_t len = 0;
	char *json = test_read_file(
		"../shared/testdata/fhir-questionnaires/sdc-phq9-questionnaire.json",
		&len);
	struct org_instrument oi, got, *list;
	struct questionnaire *q;
	const char *why = NULL;
	size_t n;

	assert_non_null(json);
	memset(&oi, 0, sizeof(oi));
	oi.id = id_new();
	oi.org_id = f->org;
	oi.url = "http://hl7.org/fhir/uv/sdc/Questionnaire/"
		 "questionnaire-sdc-profile-example-PHQ9";
	oi.version = "";
	oi.lang = "en";
	oi.title = "SDC PHQ-9";
	oi.scored_as = "phq-9";
	oi.body = json;
	oi.added_by = f->pro;
	oi.added_ms = 1;
	assert_int_equal(commit_as(f, f->pro, ROLE_ADMINISTRATOR,
				   ORG_INSTRUMENT_RES, oi.id,
				   org_instrument_add, &oi),
			 ERR_OK);
	/* The same url, version and language twice is refused. */
	oi.id = id_new();
	assert_int_equal(commit_as(f, f->pro, ROLE_ADMINISTRATOR,
				   ORG_INSTRUMENT_RES, oi.id,
				   org_instrument_add, &oi),
			 ERR_EXISTS);
	assert_int_equal(org_instrument_list(f->t.db, f->a, f->org, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_null(list[0].body);
	assert_int_equal(org_instrument_get(f->t.db, f->a, f->org, oi.url, "es",
					    &got),
			 ERR_OK);
	assert_int_equal(org_instrument_get(f->t.db, f->a, f->org + 1, oi.url,
					    "en", &got),
			 ERR_NOT_FOUND);
	assert_int_equal(org_instrument_load(f->a, &got, &q, &why), ERR_OK);
	/* Scored by the library's published PHQ-9 rules. */
	assert_non_null(q->rules_from);
	assert_non_null(q_score_get(q, "total"));
	free(json);
}

/* A readings file kept between preview and confirm: only its owner may
 * confirm it, once; the confirming import deletes it. */
static void
test_reading_upload(void **state)
{
	struct test_care *f = *state;
	static const char csv[] = "date,measure,value\n2026-01-02,weight,80\n";
	struct reading_upload u, got;
	struct reading_import_job j;
	struct reading row;

	memset(&u, 0, sizeof(u));
	u.id = id_new();
	u.org_id = f->org;
	u.patient_id = f->patient;
	u.account_id = f->patient_acc;
	u.filename = "mine.csv";
	u.body = csv;
	u.len = strlen(csv);
	u.created_ms = clock_now_ms();
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT,
				   READING_UPLOAD_RES, u.id,
				   reading_upload_stage, &u),
			 ERR_OK);
	assert_int_equal(reading_upload_get(f->t.db, f->a, u.id, f->patient,
					    f->patient_acc, &got),
			 ERR_OK);
	assert_string_equal(got.body, csv);
	assert_int_equal(reading_upload_get(f->t.db, f->a, u.id, f->patient,
					    f->pro, &got),
			 ERR_NOT_FOUND);
	memset(&row, 0, sizeof(row));
	row.kind = "weight";
	row.at_ms = 1767312000000LL;
	row.value_milli = 80000;
	memset(&j, 0, sizeof(j));
	j.org_id = f->org;
	j.patient_id = f->patient;
	j.rows = &row;
	j.n = 1;
	j.source = "csv";
	j.entered_by = f->patient_acc;
	j.at_ms = clock_now_ms();
	j.upload_id = u.id;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				   0, reading_import, &j),
			 ERR_OK);
	assert_int_equal(j.imported, 1);
	assert_int_equal(count_of(f, "SELECT COUNT(*) FROM reading_upload "
				     "WHERE patient_id = $1"),
			 0);
	/* Confirmed twice: refused, nothing more stored. */
	row.value_milli = 81000;
	assert_int_equal(commit_as(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				   0, reading_import, &j),
			 ERR_NOT_FOUND);
	assert_int_equal(count_of(f, "SELECT COUNT(*) FROM reading WHERE "
				     "patient_id = $1"),
			 1);
}

/* The worked example of docs/measures.md scores as the guide says:
 * 2 + (3 - 1) + 3 = 7, "worth talking about", and flags waking. */
static void
test_docs_example(void **state)
{
	struct arena *a = arena_new(8 << 20);
	size_t len = 0;
	char *json = test_read_file("docs/examples/sleep-check.json", &len);
	static const char resp[] =
		"{\"resourceType\":\"QuestionnaireResponse\",\"item\":["
		"{\"linkId\":\"falling-asleep\",\"answer\":[{\"valueCoding\":"
		"{\"code\":\"2\"}}]},{\"linkId\":\"rested\",\"answer\":[{"
		"\"valueCoding\":{\"code\":\"1\"}}]},{\"linkId\":\"waking\","
		"\"answer\":[{\"valueCoding\":{\"code\":\"3\"}}]}]}";
	struct questionnaire *q;
	struct q_answers ans;
	struct score_report rep;
	const char *why = NULL;

	(void)state;
	assert_non_null(json);
	assert_int_equal(q_parse(a, json, len, &q, &why), ERR_OK);
	assert_int_equal(q_answers_from_response(a, q, resp, strlen(resp), &ans,
						 &why),
			 ERR_OK);
	assert_int_equal(score_response(a, q, &ans, &rep), ERR_OK);
	assert_true(rep.scores[0].computed);
	assert_true(rep.scores[0].value == 7);
	assert_string_equal(rep.scores[0].band->code, "some");
	assert_int_equal(rep.n_flags, 1);
	/* The optional question shows only after waking was answered. */
	assert_true(q_item_enabled(q, &ans, q_item_get(q, "what-helps")));
	free(json);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_rules),
		cmocka_unit_test(test_docs_example),
		cmocka_unit_test_setup_teardown(test_request_answered, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_agenda, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_reading_upload, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(
			test_org_instrument_scored_by_library, up,
			test_care_down),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_response", tests, NULL,
					   NULL);
}

/*
 * Unit tests for stored readings, targets and the care team's alerts, on
 * a real database (SQLite, or PostgreSQL under make unit-pg): a double
 * submit stored once, an import that leaves out what is already stored,
 * series in time order, the agreement of each side cleared by the
 * other's change, alerts grouped while open and a new one after closing,
 * and refused writes that change nothing.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "auth/write.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "measures/alert.h"
#include "measures/reading_store.h"
#include "measures/target_store.h"

#define MS 1000
#define HOUR_MS (3600 * MS)
#define DAY_MS (24 * HOUR_MS)

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER);
}

static int64_t
count(struct test_care *f, const char *sql, int64_t id)
{
	return test_count_of(f->t.db, sql, id);
}

static const char sql_readings[] =
	"SELECT count(*) FROM reading WHERE patient_id = $1";
static const char sql_reading_prov[] =
	"SELECT count(*) FROM provenance WHERE patient_id = $1 "
	"AND resource_type = 'Observation'";
static const char sql_alerts[] =
	"SELECT count(*) FROM measure_alert WHERE patient_id = $1";
static const char sql_open_alerts[] =
	"SELECT count(*) FROM measure_alert WHERE patient_id = $1 "
	"AND status = 'open'";
static const char sql_open_count[] =
	"SELECT count FROM measure_alert WHERE patient_id = $1 "
	"AND status = 'open'";
static const char sql_target_version[] =
	"SELECT version FROM measure_target WHERE patient_id = $1";

/* --- writing through the single write path -------------------------------- */

static enum err
commit(struct test_care *f, int64_t who, enum role role,
       const char *resource_type, const char *resource_id,
       enum err (*fn)(struct db *, void *), void *arg)
{
	struct write_info wi = {
		.action = "create",
		.resource_type = resource_type,
		.resource_id = resource_id,
		.patient_id = f->patient,
		.detail = "test",
	};

	test_act_as(&f->ctx, f->org, role == ROLE_PATIENT ? f->patient : 0,
		    who, role);
	return write_commit(&f->ctx, &wi, fn, arg);
}

/* A blood pressure of the patient taken at `at_ms`, typed by her. */
static enum err
add_bp(struct test_care *f, int64_t at_ms, int sys, int dia,
       struct reading_add_job *out)
{
	struct reading_add_job j;
	char id[24];
	enum err e;

	memset(&j, 0, sizeof(j));
	j.r.id = id_new();
	j.r.org_id = f->org;
	j.r.patient_id = f->patient;
	j.r.kind = "blood-pressure";
	j.r.at_ms = at_ms;
	j.r.value_milli = (int64_t)sys * MS;
	j.r.value2_milli = (int64_t)dia * MS;
	j.r.source = "web";
	j.r.entered_by = f->patient_acc;
	j.r.entered_ms = clock_now_ms();
	j.value_text = "";
	snprintf(id, sizeof(id), "%lld", (long long)j.r.id);
	e = commit(f, f->patient_acc, ROLE_PATIENT, READING_RES, id,
		   reading_add, &j);
	if (out)
		*out = j;
	return e;
}

/* Sets the patient's blood-pressure target 90/60 to high/high2 as
 * `who` speaking in `voice`, on the form's `version`. */
static enum err
set_bp_target(struct test_care *f, int64_t who, enum role role,
	      const char *voice, int version, int high, int high2,
	      const char *advice)
{
	struct target_job j;

	memset(&j, 0, sizeof(j));
	j.t.patient_id = f->patient;
	j.t.org_id = f->org;
	j.t.measure = "blood-pressure";
	j.t.has_low = j.t.has_low2 = true;
	j.t.low_milli = 90 * MS;
	j.t.low2_milli = 60 * MS;
	j.t.has_high = j.t.has_high2 = true;
	j.t.high_milli = (int64_t)high * MS;
	j.t.high2_milli = (int64_t)high2 * MS;
	j.t.advice = advice;
	j.version = version;
	j.voice = voice;
	j.by = who;
	j.at_ms = clock_now_ms();
	return commit(f, who, role, TARGET_RES, "blood-pressure", target_write,
		      &j);
}

static enum err
agree_bp_target(struct test_care *f, int64_t who, enum role role,
		const char *voice, int version)
{
	struct target_job j;

	memset(&j, 0, sizeof(j));
	j.t.patient_id = f->patient;
	j.t.org_id = f->org;
	j.t.measure = "blood-pressure";
	j.agree = true;
	j.version = version;
	j.voice = voice;
	j.by = who;
	j.at_ms = clock_now_ms();
	return commit(f, who, role, TARGET_RES, "blood-pressure", target_write,
		      &j);
}

static struct measure_target
bp_target(struct test_care *f)
{
	struct measure_target t;

	assert_int_equal(target_get(f->t.db, f->a, f->patient,
				    "blood-pressure", &t),
			 ERR_OK);
	return t;
}

/* --- readings ------------------------------------------------------------- */

static void
test_double_submit_stored_once(void **state)
{
	struct test_care *f = *state;
	int64_t at = clock_now_ms() - HOUR_MS;
	struct reading_add_job first, again;
	struct reading same;

	assert_int_equal(add_bp(f, at, 128, 82, &first), ERR_OK);
	assert_false(first.outside);
	/* The same reading again (a second click): already saved. */
	assert_int_equal(add_bp(f, at, 128, 82, &again), ERR_EXISTS);
	assert_int_equal(count(f, sql_readings, f->patient), 1);
	assert_int_equal(count(f, sql_reading_prov, f->patient), 1);
	assert_int_equal(reading_find_same(f->t.db, f->a, &again.r, &same),
			 ERR_OK);
	assert_int_equal(same.id, first.r.id);
	assert_int_equal(same.value_milli, 128 * MS);
	assert_int_equal(same.value2_milli, 82 * MS);
	assert_string_equal(same.entered_by_name, "ana");
	/* Another value at the same time is another reading. */
	assert_int_equal(add_bp(f, at, 129, 82, NULL), ERR_OK);
	assert_int_equal(count(f, sql_readings, f->patient), 2);
}

static void
test_import_skips_stored(void **state)
{
	struct test_care *f = *state;
	int64_t now = clock_now_ms();
	struct reading rows[4];
	struct reading_import_job j;
	struct reading_point *pts;
	struct reading *list;
	size_t n;
	int64_t total;
	int i;

	assert_int_equal(add_bp(f, now - 3 * DAY_MS, 130, 80, NULL), ERR_OK);
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < 4; i++) {
		rows[i].kind = "blood-pressure";
		rows[i].at_ms = now - (int64_t)(4 - i) * DAY_MS;
		rows[i].value_milli = (int64_t)(125 + i * 5) * MS;
		rows[i].value2_milli = 80 * MS;
	}
	/* rows[1] is the reading stored above. */
	memset(&j, 0, sizeof(j));
	j.org_id = f->org;
	j.patient_id = f->patient;
	j.rows = rows;
	j.n = 4;
	j.source = "csv";
	j.entered_by = f->patient_acc;
	j.at_ms = now;
	assert_int_equal(commit(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				"", reading_import, &j),
			 ERR_OK);
	assert_int_equal(j.imported, 3);
	assert_int_equal(j.skipped, 1);
	assert_int_equal(count(f, sql_readings, f->patient), 4);
	/* The same file again stores nothing more. */
	assert_int_equal(commit(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				"", reading_import, &j),
			 ERR_OK);
	assert_int_equal(j.imported, 0);
	assert_int_equal(j.skipped, 4);
	assert_int_equal(count(f, sql_readings, f->patient), 4);
	/* Series in time order; a range; the table newest first. */
	assert_int_equal(reading_series(f->t.db, f->a, f->patient,
					"blood-pressure", &pts, &n),
			 ERR_OK);
	assert_int_equal(n, 4);
	for (i = 1; i < 4; i++)
		assert_true(pts[i - 1].at_ms < pts[i].at_ms);
	assert_int_equal(pts[0].value_milli, 125 * MS);
	assert_int_equal(pts[3].value_milli, 140 * MS);
	assert_int_equal(reading_series_range(f->t.db, f->a, f->patient,
					      "blood-pressure",
					      rows[1].at_ms, rows[2].at_ms,
					      &pts, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(pts[0].at_ms, rows[1].at_ms);
	assert_int_equal(reading_series(f->t.db, f->a, f->patient, "weight",
					&pts, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
	assert_null(pts);
	assert_int_equal(reading_list(f->t.db, f->a, f->patient,
				      "blood-pressure", 2, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].at_ms, rows[3].at_ms);
	assert_int_equal(reading_count(f->t.db, f->patient, "blood-pressure",
				       &total),
			 ERR_OK);
	assert_int_equal(total, 4);
}

/* --- targets -------------------------------------------------------------- */

static void
test_target_agreement(void **state)
{
	struct test_care *f = *state;
	struct measure_target t;
	struct measure_target *list;
	size_t n;

	assert_int_equal(target_get(f->t.db, f->a, f->patient,
				    "blood-pressure", &t),
			 ERR_NOT_FOUND);
	/* The professional sets it: the team agrees, not yet the patient. */
	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 0, 140, 90, "Call us"),
			 ERR_OK);
	t = bp_target(f);
	assert_int_equal(t.version, 1);
	assert_true(t.team_agreed_ms > 0);
	assert_int_equal(t.patient_agreed_ms, 0);
	assert_string_equal(t.team_agreed_by_name, "dr");
	assert_true(t.has_high2);
	assert_int_equal(t.high2_milli, 90 * MS);
	/* A caregiver cannot agree for anyone. */
	assert_int_equal(agree_bp_target(f, f->carer, ROLE_CAREGIVER,
					 "caregiver", 1),
			 ERR_FORBIDDEN);
	assert_int_equal(bp_target(f).version, 1);
	/* The patient agrees: both. */
	assert_int_equal(agree_bp_target(f, f->patient_acc, ROLE_PATIENT,
					 "patient", 1),
			 ERR_OK);
	t = bp_target(f);
	assert_int_equal(t.version, 2);
	assert_true(t.patient_agreed_ms > 0 && t.team_agreed_ms > 0);
	assert_string_equal(t.updated_by_name, "dr");
	/* The patient changes it: her agreement only, the team's cleared. */
	assert_int_equal(set_bp_target(f, f->patient_acc, ROLE_PATIENT,
				       "patient", 2, 145, 90, "Call us"),
			 ERR_OK);
	t = bp_target(f);
	assert_int_equal(t.version, 3);
	assert_true(t.patient_agreed_ms > 0);
	assert_int_equal(t.team_agreed_ms, 0);
	assert_int_equal(t.high_milli, 145 * MS);
	/* A form opened on version 2 is stale; one for a new target too. */
	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 2, 150, 95, "x"),
			 ERR_CONFLICT);
	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 0, 150, 95, "x"),
			 ERR_CONFLICT);
	assert_int_equal(bp_target(f).high_milli, 145 * MS);
	/* The professional saves it unchanged: agreeing, both again. */
	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 3, 145, 90, "Call us"),
			 ERR_OK);
	t = bp_target(f);
	assert_true(t.patient_agreed_ms > 0 && t.team_agreed_ms > 0);
	assert_string_equal(t.team_agreed_by_name, "dr");
	/* A caregiver's proposal clears both sides. */
	assert_int_equal(set_bp_target(f, f->carer, ROLE_CAREGIVER,
				       "caregiver", 4, 138, 88, "Call us"),
			 ERR_OK);
	t = bp_target(f);
	assert_int_equal(t.patient_agreed_ms, 0);
	assert_int_equal(t.team_agreed_ms, 0);
	assert_int_equal(t.version, 5);
	assert_int_equal(target_list(f->t.db, f->a, f->patient, &list, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].measure, "blood-pressure");
}

static void
test_target_validation(void **state)
{
	struct measure_target t;
	struct problems ps = {0};

	(void)state;
	memset(&t, 0, sizeof(t));
	t.measure = "weight";
	target_validate(&t, &ps);
	assert_non_null(problems_for(&ps, "low"));
	memset(&ps, 0, sizeof(ps));
	t.has_low = t.has_high = true;
	t.low_milli = 90 * MS;
	t.high_milli = 80 * MS;
	target_validate(&t, &ps);
	assert_non_null(problems_for(&ps, "high"));
	memset(&ps, 0, sizeof(ps));
	t.high_milli = 2000 * MS;	/* not a weight anyone has */
	target_validate(&t, &ps);
	assert_non_null(problems_for(&ps, "high"));
	memset(&ps, 0, sizeof(ps));
	t.measure = "shoe-size";
	target_validate(&t, &ps);
	assert_non_null(problems_for(&ps, "measure"));
	/* Scores: any numbers, a well-formed key. */
	memset(&ps, 0, sizeof(ps));
	t.measure = "score:http://loinc.org/q/44249-1#total";
	t.low_milli = 0;
	t.high_milli = 9 * MS;
	target_validate(&t, &ps);
	assert_int_equal(ps.n, 0);
	assert_true(target_measure_is_score(t.measure));
	assert_false(target_measure_is_score("score:#total"));
	assert_false(target_measure_is_score("score:http://x#"));
	assert_false(target_measure_is_score("score:http://x y#t"));
	/* Blood pressure needs both numbers at each end. */
	memset(&ps, 0, sizeof(ps));
	memset(&t, 0, sizeof(t));
	t.measure = "blood-pressure";
	t.has_high = true;
	t.high_milli = 140 * MS;
	target_validate(&t, &ps);
	assert_non_null(problems_for(&ps, "high"));
}

/* --- alerts --------------------------------------------------------------- */

static void
test_alert_grouping(void **state)
{
	struct test_care *f = *state;
	int64_t now = clock_now_ms();
	struct reading_add_job j;
	struct measure_alert *q, a;
	struct alert_close_job c;
	size_t n;
	char id[24];

	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 0, 140, 90, "Rest"),
			 ERR_OK);
	/* Within range: nothing for the team. */
	assert_int_equal(add_bp(f, now - 4 * HOUR_MS, 130, 80, &j), ERR_OK);
	assert_false(j.outside);
	assert_int_equal(count(f, sql_alerts, f->patient), 0);
	/* Three above it: one open alert with a count of three. */
	assert_int_equal(add_bp(f, now - 3 * HOUR_MS, 150, 85, &j), ERR_OK);
	assert_true(j.outside);
	assert_true(j.alerted);
	assert_int_equal(add_bp(f, now - 2 * HOUR_MS, 135, 95, &j), ERR_OK);
	assert_true(j.outside);
	assert_int_equal(add_bp(f, now - HOUR_MS, 160, 100, &j), ERR_OK);
	assert_int_equal(count(f, sql_alerts, f->patient), 1);
	assert_int_equal(count(f, sql_open_count, f->patient), 3);
	/* A double submit of one of them counts nothing. */
	assert_int_equal(add_bp(f, now - HOUR_MS, 160, 100, NULL), ERR_EXISTS);
	assert_int_equal(count(f, sql_open_count, f->patient), 3);
	/* The professional on her team sees it; one off the team does not. */
	assert_int_equal(alert_queue(f->t.db, f->a, f->pro, &q, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(q[0].measure, "blood-pressure");
	assert_string_equal(q[0].kind, "reading");
	assert_string_equal(q[0].label, "Blood pressure");
	assert_string_equal(q[0].last_value, "160/100 mmHg");
	assert_int_equal(q[0].count, 3);
	assert_int_equal(q[0].first_ms, now - 3 * HOUR_MS);
	assert_int_equal(q[0].last_ms, now - HOUR_MS);
	assert_string_equal(q[0].patient_name, "Ana Ruiz");
	assert_int_equal(alert_queue(f->t.db, f->a, f->other_pro, &q, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
	/* Closed with a note; the next one opens a new alert. */
	assert_int_equal(alert_queue(f->t.db, f->a, f->pro, &q, &n), ERR_OK);
	memset(&c, 0, sizeof(c));
	c.id = q[0].id;
	c.patient_id = f->patient;
	c.note = "Rang her; she is resting.";
	c.by = f->pro;
	c.at_ms = now;
	snprintf(id, sizeof(id), "%lld", (long long)c.id);
	assert_int_equal(commit(f, f->pro, ROLE_PROFESSIONAL, ALERT_RES, id,
				alert_close, &c),
			 ERR_OK);
	assert_int_equal(alert_get(f->t.db, f->a, c.id, &a), ERR_OK);
	assert_false(a.open);
	assert_string_equal(a.closing_note, "Rang her; she is resting.");
	assert_string_equal(a.closed_by_name, "dr");
	assert_int_equal(count(f, sql_open_alerts, f->patient), 0);
	assert_int_equal(add_bp(f, now - HOUR_MS / 2, 155, 92, &j), ERR_OK);
	assert_int_equal(count(f, sql_alerts, f->patient), 2);
	assert_int_equal(count(f, sql_open_alerts, f->patient), 1);
	assert_int_equal(count(f, sql_open_count, f->patient), 1);
	/* Closing twice: the second finds nothing open. */
	assert_int_equal(commit(f, f->pro, ROLE_PROFESSIONAL, ALERT_RES, id,
				alert_close, &c),
			 ERR_NOT_FOUND);
}

/* alert_raise() as a write of its own (the questionnaire code calls it
 * inside one). */
static enum err
raise_flag(struct db *db, void *arg)
{
	return alert_raise(db, arg);
}

static void
test_alert_old_and_urgent(void **state)
{
	struct test_care *f = *state;
	int64_t now = clock_now_ms();
	struct reading_add_job j;
	struct measure_alert *q;
	struct alert_event ev;
	size_t n;

	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 0, 140, 90, "Rest"),
			 ERR_OK);
	/* A reading taken weeks ago is outside, but not news. */
	assert_int_equal(add_bp(f, now - 20 * DAY_MS, 170, 100, &j), ERR_OK);
	assert_true(j.outside);
	assert_false(j.alerted);
	assert_int_equal(count(f, sql_alerts, f->patient), 0);
	assert_int_equal(add_bp(f, now - HOUR_MS, 150, 95, NULL), ERR_OK);
	/* A questionnaire flag, urgent: first in the queue. */
	memset(&ev, 0, sizeof(ev));
	ev.org_id = f->org;
	ev.patient_id = f->patient;
	ev.measure = "flag:phq-9#item9";
	ev.kind = "flag";
	ev.urgent = true;
	ev.label = "Thoughts of self-harm";
	ev.value_text = "Several days";
	ev.at_ms = now - 2 * HOUR_MS;
	assert_int_equal(store_write(f->t.store, raise_flag, &ev),
			 ERR_OK);
	db_read_refresh(f->t.db);
	assert_int_equal(alert_queue(f->t.db, f->a, f->pro, &q, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_true(q[0].urgent);
	assert_string_equal(q[0].kind, "flag");
	assert_false(q[1].urgent);
	/* An event without a label is refused. */
	ev.label = "";
	assert_int_equal(store_write(f->t.store, raise_flag, &ev),
			 ERR_INVALID);
}

/* --- refusals change nothing ---------------------------------------------- */

static const char sql_snapshot[] =
	"SELECT (SELECT count(*) FROM reading WHERE patient_id = $1) * 1000000 "
	"+ (SELECT count(*) FROM measure_alert WHERE patient_id = $1) * 1000 "
	"+ (SELECT COALESCE(sum(count), 0) FROM measure_alert "
	"WHERE patient_id = $1)";

static void
test_refusals_change_nothing(void **state)
{
	struct test_care *f = *state;
	int64_t now = clock_now_ms(), before, version;
	struct reading_add_job j;
	struct reading_import_job im;
	struct reading rows[2];
	struct measure_alert *q;
	struct alert_close_job c;
	char note[ALERT_NOTE_MAX + 2];
	size_t n;

	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 0, 140, 90, "Rest"),
			 ERR_OK);
	assert_int_equal(add_bp(f, now - HOUR_MS, 150, 95, NULL), ERR_OK);
	before = count(f, sql_snapshot, f->patient);
	version = count(f, sql_target_version, f->patient);
	/* Impossible values, the future, an unknown kind. */
	assert_int_equal(add_bp(f, now - HOUR_MS, 400, 95, NULL), ERR_INVALID);
	assert_int_equal(add_bp(f, now - HOUR_MS, 120, 130, NULL),
			 ERR_INVALID);
	assert_int_equal(add_bp(f, now + DAY_MS, 150, 95, NULL), ERR_INVALID);
	memset(&j, 0, sizeof(j));
	j.r.id = id_new();
	j.r.org_id = f->org;
	j.r.patient_id = f->patient;
	j.r.kind = "shoe-size";
	j.r.at_ms = now - HOUR_MS;
	j.r.value_milli = 42 * MS;
	j.r.entered_ms = now;
	assert_int_equal(commit(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				"", reading_add, &j),
			 ERR_INVALID);
	/* Weight with a diastolic is not a weight. */
	j.r.kind = "weight";
	j.r.value_milli = 80 * MS;
	j.r.value2_milli = 1;
	assert_int_equal(commit(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				"", reading_add, &j),
			 ERR_INVALID);
	/* An import with one bad row stores none of it. */
	memset(rows, 0, sizeof(rows));
	rows[0].kind = "blood-pressure";
	rows[0].at_ms = now - 2 * HOUR_MS;
	rows[0].value_milli = 150 * MS;
	rows[0].value2_milli = 96 * MS;
	rows[1] = rows[0];
	rows[1].value_milli = 9 * MS;
	memset(&im, 0, sizeof(im));
	im.org_id = f->org;
	im.patient_id = f->patient;
	im.rows = rows;
	im.n = 2;
	im.source = "csv";
	im.entered_by = f->patient_acc;
	im.at_ms = now;
	assert_int_equal(commit(f, f->patient_acc, ROLE_PATIENT, READING_RES,
				"", reading_import, &im),
			 ERR_INVALID);
	/* A target with its ends the wrong way round. */
	assert_int_equal(set_bp_target(f, f->pro, ROLE_PROFESSIONAL,
				       "professional", 1, 80, 50, "x"),
			 ERR_INVALID);
	/* A closing note that is too long. */
	assert_int_equal(alert_queue(f->t.db, f->a, f->pro, &q, &n), ERR_OK);
	assert_int_equal(n, 1);
	memset(note, 'x', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	memset(&c, 0, sizeof(c));
	c.id = q[0].id;
	c.patient_id = f->patient;
	c.note = note;
	c.by = f->pro;
	c.at_ms = now;
	assert_int_equal(commit(f, f->pro, ROLE_PROFESSIONAL, ALERT_RES, "",
				alert_close, &c),
			 ERR_INVALID);
	/* Another patient's alert id. */
	c.note = "";
	c.patient_id = id_new();
	assert_int_equal(commit(f, f->pro, ROLE_PROFESSIONAL, ALERT_RES, "",
				alert_close, &c),
			 ERR_NOT_FOUND);
	assert_int_equal(count(f, sql_snapshot, f->patient), before);
	assert_int_equal(count(f, sql_target_version, f->patient), version);
	assert_int_equal(count(f, sql_open_alerts, f->patient), 1);
	assert_int_equal(bp_target(f).high_milli, 140 * MS);
}

static void
test_milli(void **state)
{
	struct reading_value v = {.kind = READING_WEIGHT, .v = {81.2, 0}};
	int64_t a = 0, b = 1;

	(void)state;
	assert_int_equal(reading_milli(81.2), 81200);
	assert_int_equal(reading_milli(-0.0005), -1);
	assert_int_equal(reading_milli(36.8499999), 36850);
	assert_true(reading_to_milli(&v, &a, &b));
	assert_int_equal(a, 81200);
	assert_int_equal(b, 0);
	v = reading_from_milli(READING_BLOOD_PRESSURE, 128000, 82000);
	assert_true(v.v[0] == 128.0 && v.v[1] == 82.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_milli),
		cmocka_unit_test(test_target_validation),
		cmocka_unit_test_setup_teardown(test_double_submit_stored_once,
						up, test_care_down),
		cmocka_unit_test_setup_teardown(test_import_skips_stored, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_target_agreement, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_alert_grouping, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_alert_old_and_urgent, up,
						test_care_down),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing,
						up, test_care_down),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_store", tests, NULL,
					   NULL);
}

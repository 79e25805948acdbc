/*
 * Unit tests for src/contact/appointment.c and slot.c: the rule
 * arithmetic (how far ahead, notice, the late window, the reminder),
 * slot patterns, two bookings of one slot at the same moment from two
 * stores (as from two cocare processes: exactly one wins), a move that
 * gives the old slot back and moves the reminder, a cancellation that
 * withdraws the reminder and records a late one, attendance only after
 * the start, and another patient's appointment refused, on SQLite and
 * PostgreSQL.
 */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contact/appointment.h"
#include "contact/slot.h"
#include "core/arena.h"
#include "core/id.h"
#include "people/patient.h"

#define HOUR 3600
#define DAY 86400
#define NOW 1800000000LL	/* a Friday, 2027-01-15 08:00 UTC */

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER | TEST_CARE_STRANGERS);
}

static enum err
put(struct test_care *f, enum err (*fn)(struct db *, void *), void *arg)
{
	return store_write(f->t.store, fn, arg);
}

static int64_t
count(struct test_care *f, const char *sql)
{
	return test_count(f->t.db, sql);
}

static enum err
set_email(struct db *db, void *arg)
{
	static const char sql[] =
		"UPDATE account SET email = 'ana@example.org' WHERE id = $1";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, *(int64_t *)arg);
	return stmt_exec(st);
}

/* `n` slots of the fixture's professional, from `first` (seconds from
 * NOW's midnight) on day NOW + `days`, 20 minutes each. */
static size_t
add_slots(struct test_care *f, int days, int start_min, int n,
	  const char *modality)
{
	struct slot_pattern p = {
		.org_id = f->org,
		.professional_id = f->pro,
		.created_by = f->pro,
		.now = NOW,
		.first_day = (NOW / DAY + days) * DAY,
		.start_min = start_min,
		.end_min = start_min + 20 * n,
		.length_min = 20,
		.weeks = 1,
		.modality = modality,
		.place = "Room 2",
		.link = "https://video.example.org/room",
	};

	assert_int_equal(put(f, slot_pattern_add, &p), ERR_OK);
	return p.added;
}

/* The open slots of the patient from NOW on, earliest first. */
static struct slot *
open_slots(struct test_care *f, size_t *n)
{
	struct slot *s;

	assert_int_equal(slot_list_for_patient(f->t.db, f->a, f->patient, NOW,
					       NOW + 400 * DAY, 100, &s, n),
			 ERR_OK);
	return s;
}

static struct appointment_change
change(struct test_care *f, int64_t id, int64_t slot_id, bool patient_side)
{
	struct appointment_change c;

	memset(&c, 0, sizeof(c));
	c.org_id = f->org;
	c.patient_id = f->patient;
	c.actor_id = patient_side ? f->patient_acc : f->pro;
	c.patient_side = patient_side;
	c.channel = "web";
	c.now = NOW;
	c.id = id;
	c.slot_id = slot_id;
	c.reason = "Check-up";
	return c;
}

static void
test_rules(void **state)
{
	struct appointment_rule r = {
		.book_ahead_days = 30,
		.min_notice_hours = 24,
		.cancel_notice_hours = 2,
		.late_cancel_hours = 48,
		.reminder_hours = 24,
		.patients_book = true,
	};
	struct problems ps = {0};

	(void)state;
	assert_int_equal(appointment_may_book(&r, NOW, NOW - 1), APPT_PAST);
	assert_int_equal(appointment_may_book(&r, NOW, NOW), APPT_PAST);
	assert_int_equal(appointment_may_book(&r, NOW, NOW + 24 * HOUR - 1),
			 APPT_TOO_SOON);
	assert_int_equal(appointment_may_book(&r, NOW, NOW + 24 * HOUR),
			 APPT_NONE);
	assert_int_equal(appointment_may_book(&r, NOW, NOW + 30 * DAY),
			 APPT_NONE);
	assert_int_equal(appointment_may_book(&r, NOW, NOW + 30 * DAY + 1),
			 APPT_TOO_FAR);
	assert_int_equal(appointment_may_cancel(&r, NOW, NOW + 2 * HOUR),
			 APPT_NONE);
	assert_int_equal(appointment_may_cancel(&r, NOW, NOW + 2 * HOUR - 1),
			 APPT_CANCEL_TOO_SOON);
	assert_int_equal(appointment_may_move_from(&r, NOW, NOW + HOUR),
			 APPT_TOO_SOON);
	assert_true(appointment_is_late_cancel(&r, NOW, NOW + 48 * HOUR - 1));
	assert_false(appointment_is_late_cancel(&r, NOW, NOW + 48 * HOUR));
	assert_int_equal(appointment_reminder_at(&r, NOW, NOW + 3 * DAY),
			 NOW + 2 * DAY);
	assert_int_equal(appointment_reminder_at(&r, NOW, NOW + HOUR), 0);
	r.reminder_hours = 0;
	assert_int_equal(appointment_reminder_at(&r, NOW, NOW + 3 * DAY), 0);
	r.patients_book = false;
	assert_int_equal(appointment_may_book(&r, NOW, NOW + 3 * DAY),
			 APPT_SELF_OFF);

	r.book_ahead_days = 0;
	r.min_notice_hours = 337;
	r.late_cancel_hours = -1;
	appointment_rule_validate(&r, &ps);
	assert_non_null(problems_for(&ps, "book_ahead_days"));
	assert_non_null(problems_for(&ps, "min_notice_hours"));
	assert_non_null(problems_for(&ps, "late_cancel_hours"));
	assert_null(problems_for(&ps, "reminder_hours"));
}

static void
test_patterns(void **state)
{
	struct test_care *f = *state;
	struct slot_pattern p = {
		.org_id = f->org,
		.professional_id = f->pro,
		.now = NOW,
		.first_day = (NOW / DAY + 4) * DAY,	/* a Tuesday */
		.start_min = 9 * 60,
		.end_min = 12 * 60,
		.length_min = 20,
		.weeks = 8,
		.modality = "phone",
	};
	struct problems ps = {0};

	assert_int_equal(slot_pattern_count(&p), 72);
	assert_int_equal(put(f, slot_pattern_add, &p), ERR_OK);
	assert_int_equal(p.added, 72);
	/* The same again: every slot overlaps, nothing is stored. */
	assert_int_equal(put(f, slot_pattern_add, &p), ERR_INVALID);
	assert_int_equal(p.overlapping, 72);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment_slot"),
			 72);

	p.modality = "carrier-pigeon";
	p.first_day = (NOW / DAY - 1) * DAY;
	p.end_min = 9 * 60;
	p.weeks = 53;
	p.place = "";
	slot_pattern_validate(&p, &ps);
	assert_non_null(problems_for(&ps, "modality"));
	assert_non_null(problems_for(&ps, "end"));
	assert_non_null(problems_for(&ps, "weeks"));
	assert_non_null(problems_for(&ps, "day"));
	memset(&ps, 0, sizeof(ps));
	p = (struct slot_pattern){.now = NOW, .first_day = NOW / DAY * DAY +
					       DAY, .start_min = 0,
				  .end_min = 24 * 60, .length_min = 5,
				  .weeks = 2, .modality = "video",
				  .link = "http://x"};
	slot_pattern_validate(&p, &ps);
	assert_non_null(problems_for(&ps, "weeks"));	/* 576 slots */
	assert_non_null(problems_for(&ps, "link"));	/* not https */
	memset(&ps, 0, sizeof(ps));
	p.modality = "in_person";
	p.weeks = 1;
	slot_pattern_validate(&p, &ps);
	assert_non_null(problems_for(&ps, "place"));
}

/* Two stores on one database book the same slot: one booking each. */
struct race {
	struct store *store;
	struct appointment_change c;
	enum err e;
	pthread_barrier_t *go;
};

static void *
race_run(void *arg)
{
	struct race *r = arg;

	pthread_barrier_wait(r->go);
	r->e = store_write(r->store, appointment_book, &r->c);
	return NULL;
}

static struct store *
second_store(struct test_care *f)
{
	struct store_options o = {0};
	struct store *s = NULL;
	char path[512];

	o.pool_size = 1;
	o.async_delay_ms = 5;
	if (test_on_pg()) {
		o.backend = STORE_PG;
		o.pg_conninfo = getenv("COCARE_TEST_PG");
	} else {
		o.backend = STORE_SQLITE;
		snprintf(path, sizeof(path), "%s/cocare.db", f->t.dir);
		o.sqlite_path = path;
	}
	assert_int_equal(store_open(&o, &s, NULL, 0), ERR_OK);
	return s;
}

static void
test_race_one_wins(void **state)
{
	struct test_care *f = *state;
	struct store *other = second_store(f);
	pthread_barrier_t go;
	struct slot *s;
	size_t n, i, won = 0;

	add_slots(f, 3, 9 * 60, 10, "phone");
	s = open_slots(f, &n);
	assert_int_equal(n, 10);
	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < n; i++) {
		struct race r[2];
		pthread_t th[2];
		int k;

		for (k = 0; k < 2; k++) {
			r[k].store = k ? other : f->t.store;
			r[k].c = change(f, id_new(), s[i].id, true);
			r[k].go = &go;
			pthread_create(&th[k], NULL, race_run, &r[k]);
		}
		for (k = 0; k < 2; k++)
			pthread_join(th[k], NULL);
		/* Exactly one wins; the other is told the slot is taken. */
		assert_true((r[0].e == ERR_OK) != (r[1].e == ERR_OK));
		for (k = 0; k < 2; k++)
			if (r[k].e == ERR_OK)
				won++;
			else {
				assert_int_equal(r[k].e, ERR_CONFLICT);
				assert_int_equal(r[k].c.refusal, APPT_TAKEN);
			}
	}
	pthread_barrier_destroy(&go);
	store_close(other);
	assert_int_equal(won, n);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment"),
			 (int64_t)n);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment_slot "
				  "WHERE status = 'booked'"),
			 (int64_t)n);
}

static void
test_book_move_cancel(void **state)
{
	struct test_care *f = *state;
	struct appointment_change c, m, x;
	struct appointment ap;
	struct slot *s;
	size_t n;
	int64_t id = id_new();

	assert_int_equal(put(f, set_email, &f->patient_acc), ERR_OK);
	add_slots(f, 3, 9 * 60, 3, "in_person");
	s = open_slots(f, &n);
	assert_int_equal(n, 3);

	c = change(f, id, s[0].id, true);
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);
	/* A reminder 24 hours before, pending. */
	assert_int_equal(test_count_of(f->t.db,
				       "SELECT next_at FROM outbox WHERE "
				       "event = 'reminder' AND status = "
				       "'pending' AND account_id = $1",
				       f->patient_acc),
			 s[0].starts_at - DAY);
	/* The same slot again: taken, nothing more stored. */
	x = change(f, id_new(), s[0].id, true);
	assert_int_equal(put(f, appointment_book, &x), ERR_CONFLICT);
	assert_int_equal(x.refusal, APPT_TAKEN);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment"), 1);

	/* Move to the third slot: the first is open again, the reminder
	 * moved with it. */
	m = change(f, id, s[2].id, true);
	assert_int_equal(put(f, appointment_move, &m), ERR_OK);
	assert_int_equal(test_count_of(f->t.db,
				       "SELECT COUNT(*) FROM appointment_slot "
				       "WHERE id = $1 AND status = 'open'",
				       s[0].id),
			 1);
	assert_int_equal(test_count_of(f->t.db,
				       "SELECT COUNT(*) FROM appointment_slot "
				       "WHERE id = $1 AND status = 'booked'",
				       s[2].id),
			 1);
	assert_int_equal(appointment_get(f->t.db, f->a, f->org, id, &ap),
			 ERR_OK);
	assert_int_equal(ap.slot_id, s[2].id);
	assert_int_equal(ap.moved_count, 1);
	assert_string_equal(ap.place, "Room 2");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE event = "
				  "'reminder' AND status = 'pending'"),
			 1);
	assert_int_equal(count(f, "SELECT next_at FROM outbox WHERE event = "
				  "'reminder' AND status = 'pending'"),
			 s[2].starts_at - DAY);

	/* Cancel two days ahead with a 24-hour window: not late; the
	 * reminder is withdrawn and the slot open again. */
	x = change(f, id, 0, true);
	assert_int_equal(put(f, appointment_cancel, &x), ERR_OK);
	assert_false(x.late);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE event = "
				  "'reminder' AND status = 'pending'"),
			 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE event = "
				  "'reminder' AND status = 'withdrawn'"),
			 2);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment_slot "
				  "WHERE status = 'open'"),
			 3);
	/* Cancelled already: nothing to change. */
	assert_int_equal(put(f, appointment_cancel, &x), ERR_CONFLICT);
	assert_int_equal(x.refusal, APPT_NOT_BOOKED);
}

static void
test_late_cancel_and_staff(void **state)
{
	struct test_care *f = *state;
	struct appointment_change c;
	struct appointment ap;
	struct slot *s;
	size_t n;
	int64_t id = id_new();

	add_slots(f, 0, 10 * 60, 2, "phone");	/* today, 10:00 (in 2 h) */
	s = open_slots(f, &n);
	assert_int_equal(n, 2);
	/* Too soon for the patient... */
	c = change(f, id, s[0].id, true);
	assert_int_equal(put(f, appointment_book, &c), ERR_FORBIDDEN);
	assert_int_equal(c.refusal, APPT_TOO_SOON);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment"), 0);
	/* ...staff book it at any time, and the patient hears of it. */
	c = change(f, id, s[0].id, false);
	c.channel = "phone";
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);
	/* The patient cannot cancel online 2 h ahead with the default
	 * 2-hour notice: exactly 2 h is allowed, one second less is not. */
	c = change(f, id, 0, true);
	c.now = NOW + 1;
	assert_int_equal(put(f, appointment_cancel, &c), ERR_FORBIDDEN);
	assert_int_equal(c.refusal, APPT_CANCEL_TOO_SOON);
	c = change(f, id, 0, false);
	assert_int_equal(put(f, appointment_cancel, &c), ERR_OK);
	assert_true(c.late);
	assert_int_equal(appointment_get(f->t.db, f->a, f->org, id, &ap),
			 ERR_OK);
	assert_string_equal(ap.status, "cancelled");
	assert_true(ap.late_cancel);
	assert_string_equal(ap.channel, "phone");
	assert_int_equal(ap.cancelled_by, f->pro);
}

static void
test_attendance(void **state)
{
	struct test_care *f = *state;
	struct appointment_change c;
	struct appointment_mark m;
	struct appointment ap;
	struct slot *s;
	size_t n;
	int64_t id = id_new();

	add_slots(f, 1, 9 * 60, 1, "phone");
	s = open_slots(f, &n);
	c = change(f, id, s[0].id, false);
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);
	memset(&m, 0, sizeof(m));
	m.org_id = f->org;
	m.patient_id = f->patient;
	m.id = id;
	m.actor_id = f->pro;
	m.now = s[0].starts_at - 1;
	assert_int_equal(put(f, appointment_mark, &m), ERR_FORBIDDEN);
	assert_int_equal(m.refusal, APPT_NOT_STARTED);
	m.now = s[0].starts_at;
	assert_int_equal(put(f, appointment_mark, &m), ERR_OK);
	assert_int_equal(appointment_get(f->t.db, f->a, f->org, id, &ap),
			 ERR_OK);
	assert_string_equal(ap.status, "no_show");
	m.attended = true;
	assert_int_equal(put(f, appointment_mark, &m), ERR_OK);
	assert_int_equal(appointment_get(f->t.db, f->a, f->org, id, &ap),
			 ERR_OK);
	assert_string_equal(ap.status, "attended");
	/* Staff cannot cancel after the start either. */
	c = change(f, id, 0, false);
	c.now = s[0].starts_at + 1;
	assert_int_equal(put(f, appointment_cancel, &c), ERR_CONFLICT);
}

static void
test_other_patient(void **state)
{
	struct test_care *f = *state;
	struct appointment_change c;
	struct appointment_mark m;
	struct slot *s;
	size_t n;
	int64_t id = id_new(), other = id_new();
	struct patient p = test_patient(other, f->org, "Bea", "Other");

	assert_int_equal(db_begin(f->t.db), ERR_OK);
	assert_int_equal(patient_insert(f->t.db, &p), ERR_OK);
	assert_int_equal(db_commit(f->t.db), ERR_OK);
	add_slots(f, 3, 9 * 60, 2, "phone");
	s = open_slots(f, &n);
	c = change(f, id, s[0].id, true);
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);

	/* Bea's side cannot cancel or move Ana's appointment. */
	c = change(f, id, 0, true);
	c.patient_id = other;
	assert_int_equal(put(f, appointment_cancel, &c), ERR_NOT_FOUND);
	c.slot_id = s[1].id;
	assert_int_equal(put(f, appointment_move, &c), ERR_NOT_FOUND);
	memset(&m, 0, sizeof(m));
	m.org_id = f->org;
	m.patient_id = other;
	m.id = id;
	m.now = s[0].starts_at + 1;
	assert_int_equal(put(f, appointment_mark, &m), ERR_NOT_FOUND);
	/* Nor book a slot that is not her team's or unit's. */
	c = change(f, id_new(), s[1].id, true);
	c.patient_id = other;
	assert_int_equal(put(f, appointment_book, &c), ERR_NOT_FOUND);
	/* Another organisation's view of the slot: none. */
	c.org_id = f->other_org;
	c.patient_side = false;
	assert_int_equal(put(f, appointment_book, &c), ERR_NOT_FOUND);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment"), 1);
	assert_int_equal(test_count_of(f->t.db,
				       "SELECT COUNT(*) FROM appointment "
				       "WHERE id = $1 AND status = 'booked'",
				       id),
			 1);
}

static void
test_withdraw_and_rule_save(void **state)
{
	struct test_care *f = *state;
	struct appointment_rule r, got;
	struct slot_withdraw w;
	struct appointment_change c;
	struct slot *s;
	size_t n;

	add_slots(f, 3, 9 * 60, 2, "phone");
	s = open_slots(f, &n);
	c = change(f, id_new(), s[0].id, false);
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);
	memset(&w, 0, sizeof(w));
	w.org_id = f->org;
	w.slot_id = s[0].id;
	assert_int_equal(put(f, slot_withdraw, &w), ERR_CONFLICT);
	w.slot_id = s[1].id;
	w.professional_id = f->other_pro;	/* not theirs */
	assert_int_equal(put(f, slot_withdraw, &w), ERR_FORBIDDEN);
	w.professional_id = f->pro;
	assert_int_equal(put(f, slot_withdraw, &w), ERR_OK);
	assert_int_equal(put(f, slot_withdraw, &w), ERR_CONFLICT);
	w.slot_id = 12345;
	assert_int_equal(put(f, slot_withdraw, &w), ERR_NOT_FOUND);

	assert_int_equal(appointment_rule_get(f->t.db, 99, &r), ERR_OK);
	assert_int_equal(r.book_ahead_days, 60);
	r.org_id = f->org;
	r.book_ahead_days = 14;
	r.updated_at = NOW;
	/* No such unit: nothing stored. */
	assert_int_equal(put(f, appointment_rule_save, &r), ERR_NOT_FOUND);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM appointment_rule"), 0);
	r.book_ahead_days = 0;
	assert_int_equal(put(f, appointment_rule_save, &r), ERR_INVALID);
	assert_int_equal(appointment_rule_get(f->t.db, 99, &got), ERR_OK);
	assert_int_equal(got.book_ahead_days, 60);
}

static enum err
add_consultation(struct db *db, void *arg)
{
	static const char sql[] =
		"INSERT INTO consultation (id, org_id, patient_id, kind, "
		"channel, submitted_by, submitted_at, answers, status, "
		"request_key, updated_at) VALUES ($1, $2, $3, 'admin', 'web', "
		"1, 1, '{}', 'triaged', $4, 1)";
	const int64_t *v = arg;	/* id, org, patient */
	struct stmt *st = db_prepare(db, sql);
	char key[32];

	if (!st)
		return ERR_DB;
	snprintf(key, sizeof(key), "k%lld", (long long)v[0]);
	stmt_bind_int(st, 1, v[0]);
	stmt_bind_int(st, 2, v[1]);
	stmt_bind_int(st, 3, v[2]);
	stmt_bind_str(st, 4, key);
	return stmt_exec(st);
}

/* A booking from an online consultation keeps its id only when it is a
 * consultation of the same patient. */
static void
test_consultation_link(void **state)
{
	struct test_care *f = *state;
	struct appointment_change c;
	struct appointment ap;
	struct slot *s;
	size_t n;
	int64_t mine[3] = {id_new(), f->org, f->patient};
	int64_t other_pid = id_new();
	int64_t theirs[3] = {id_new(), f->org, other_pid};
	struct patient p = test_patient(other_pid, f->org, "Bea", "Other");

	assert_int_equal(db_begin(f->t.db), ERR_OK);
	assert_int_equal(patient_insert(f->t.db, &p), ERR_OK);
	assert_int_equal(db_commit(f->t.db), ERR_OK);
	assert_int_equal(put(f, add_consultation, mine), ERR_OK);
	assert_int_equal(put(f, add_consultation, theirs), ERR_OK);
	add_slots(f, 3, 9 * 60, 2, "video");
	s = open_slots(f, &n);
	assert_int_equal(n, 2);
	c = change(f, id_new(), s[0].id, false);
	c.consultation_id = mine[0];
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);
	assert_int_equal(appointment_get(f->t.db, f->a, f->org, c.id, &ap),
			 ERR_OK);
	assert_int_equal(ap.consultation_id, mine[0]);
	assert_string_equal(ap.modality, "video");
	assert_string_equal(ap.link, "https://video.example.org/room");
	c = change(f, id_new(), s[1].id, false);
	c.consultation_id = theirs[0];
	assert_int_equal(put(f, appointment_book, &c), ERR_OK);
	assert_int_equal(appointment_get(f->t.db, f->a, f->org, c.id, &ap),
			 ERR_OK);
	assert_int_equal(ap.consultation_id, 0);
}

int
main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, up, test_care_down)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		TEST(test_patterns),
		TEST(test_race_one_wins),
		TEST(test_book_move_cancel),
		TEST(test_late_cancel_and_staff),
		TEST(test_attendance),
		TEST(test_other_patient),
		TEST(test_withdraw_and_rule_save),
		TEST(test_consultation_link),
	};

	test_init();
	return cmocka_run_group_tests_name("contact_appointment", tests, NULL,
					   NULL);
}

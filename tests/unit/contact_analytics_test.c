/*
 * Unit tests for touchpoint analytics: medians and nearest-rank 90th
 * percentiles, the within-service-level share, a split by patient group
 * with small numbers hidden (never found by subtraction), the warning
 * rule, age bands and deprivation quintiles, hours of the day in local
 * time across summer time, all on a hand-built fixture with known
 * answers; then the same figures read from a store (SQLite and
 * PostgreSQL) and a patient's journey in time order.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contact/journey.h"
#include "contact/touchstats.h"
#include "contact/touchstats_svg.h"
#include "core/buf.h"
#include "core/arena.h"
#include "core/id.h"

#define H 3600
#define T0 1781075700	/* 2026-06-10T07:15:00Z */

static int
count_of(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static void
test_times(void **state)
{
	int64_t even[] = {40, 10, 30, 20};
	int64_t ten[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
	int64_t three[] = {3, 1, 2};
	int64_t one[] = {5};
	struct ts_times t;

	(void)state;
	t = ts_times_of(even, 4);
	assert_true(t.median == 25);	/* mean of the two middle ones */
	assert_true(t.p90 == 40);	/* rank ceil(3.6) = 4 */
	t = ts_times_of(ten, 10);
	assert_true(t.median == 5.5);
	assert_true(t.p90 == 9);	/* rank 9 of 10 */
	t = ts_times_of(three, 3);
	assert_true(t.median == 2);
	assert_true(t.p90 == 3);	/* rank ceil(2.7) = 3 */
	t = ts_times_of(one, 1);
	assert_true(t.median == 5 && t.p90 == 5);
	t = ts_times_of(NULL, 0);
	assert_true(t.median == 0 && t.p90 == 0);
}

static void
test_groups(void **state)
{
	struct ts_person p = {17, "es", true, "yes", "low", 3};
	char k[TS_KEY_MAX];
	enum ts_split s;

	(void)state;
	ts_group_key(TS_SPLIT_AGE, &p, k);
	assert_string_equal(k, "0-17");
	p.age = 18;
	ts_group_key(TS_SPLIT_AGE, &p, k);
	assert_string_equal(k, "18-29");
	p.age = 74;
	ts_group_key(TS_SPLIT_AGE, &p, k);
	assert_string_equal(k, "65-74");
	p.age = 75;
	ts_group_key(TS_SPLIT_AGE, &p, k);
	assert_string_equal(k, "75+");
	p.age = -1;
	ts_group_key(TS_SPLIT_AGE, &p, k);
	assert_string_equal(k, "");
	ts_group_key(TS_SPLIT_QUINTILE, &p, k);
	assert_string_equal(k, "2");	/* deciles 3 and 4 */
	ts_group_key(TS_SPLIT_DECILE, &p, k);
	assert_string_equal(k, "3");
	p.decile = 0;
	ts_group_key(TS_SPLIT_DECILE, &p, k);
	assert_string_equal(k, "");	/* not known */
	ts_group_key(TS_SPLIT_INTERPRETER, &p, k);
	assert_string_equal(k, "yes");
	ts_group_key(TS_SPLIT_LANGUAGE, &p, k);
	assert_string_equal(k, "es");
	p.language = "<script>";
	ts_group_key(TS_SPLIT_LANGUAGE, &p, k);
	assert_string_equal(k, "");	/* never a stray code in a page */
	ts_group_key_raw(TS_SPLIT_AGE, "45", k);
	assert_string_equal(k, "45-64");
	ts_group_key_raw(TS_SPLIT_QUINTILE, "10", k);
	assert_string_equal(k, "5");
	assert_true(ts_split_parse("digital", &s) && s == TS_SPLIT_DIGITAL);
	assert_true(ts_split_parse("", &s) && s == TS_SPLIT_NONE);
	assert_false(ts_split_parse("religion", &s));
	assert_false(ts_split_parse("AGE", &s));
}

/*
 * The fixture, split by digital confidence:
 * - "high": 10 online requests about a condition, answered after 1..10
 *   hours, closed an hour later, due after 5 hours; 1..5 ended in an
 *   appointment and were rated (ease 4, helped 5); 20 patients, 15 of
 *   whom started a contact online; 30 touchpoints online at 9:00.
 * - "low": 10 phone requests for prescriptions, answered after 3, 6, ..
 *   30 hours; 1..5 rated (2, 3); 20 patients, 6 online; 12 phone
 *   touchpoints at 14:00 and 3 by staff online at 10:00.
 * - not known: 6 requests at the desk, answered after an hour; 10
 *   patients, 5 online; 7 touchpoints at the desk at 9:00.
 */
static void
fixture(struct ts_report *r, struct arena *a)
{
	struct ts_consult c;
	int k;

	ts_report_init(r, a, TS_SPLIT_DIGITAL, T0 + 1000 * H);
	for (k = 1; k <= 10; k++) {
		memset(&c, 0, sizeof(c));
		c.channel = "web";
		c.kind = "condition";
		c.status = "closed";
		c.outcome = k <= 5 ? "appointment" : "reply";
		c.submitted_at = T0;
		c.first_response_at = T0 + k * H;
		c.closed_at = T0 + (k + 1) * H;
		c.due_at = T0 + 5 * H;
		c.ease = k <= 5 ? 4 : 0;
		c.helped = k <= 5 ? 5 : 0;
		ts_add_consult(r, "high", &c);
		c.channel = "phone";
		c.kind = "prescription";
		c.outcome = "reply";
		c.first_response_at = T0 + 3 * k * H;
		c.closed_at = T0 + (3 * k + 1) * H;
		c.ease = k <= 5 ? 2 : 0;
		c.helped = k <= 5 ? 3 : 0;
		ts_add_consult(r, "low", &c);
	}
	for (k = 0; k < 6; k++) {
		memset(&c, 0, sizeof(c));
		c.channel = "desk";
		c.kind = "admin";
		c.status = "closed";
		c.outcome = "self_care";
		c.submitted_at = T0;
		c.first_response_at = T0 + H;
		c.closed_at = T0 + 2 * H;
		c.due_at = T0 + 5 * H;
		ts_add_consult(r, "", &c);
	}
	/* A red flag: counted as a request, never as waiting for an answer. */
	memset(&c, 0, sizeof(c));
	c.channel = "web";
	c.kind = "new_problem";
	c.status = "red_flag";
	c.submitted_at = T0;
	c.due_at = T0 + H;
	ts_add_consult(r, "high", &c);
	ts_add_patients(r, "high", 20, 15);
	ts_add_patients(r, "low", 20, 6);
	ts_add_patients(r, "", 10, 5);
	ts_add_touchpoints(r, "high", "web", "patient", 9, 30);
	ts_add_touchpoints(r, "low", "phone", "patient", 14, 12);
	ts_add_touchpoints(r, "low", "web", "staff", 10, 3);
	ts_add_touchpoints(r, "", "desk", "patient", 9, 7);
}

static const struct ts_slice *
group(const struct ts_report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].key, key) == 0)
			return &r->groups[i];
	fail_msg("no group \"%s\"", key);
	return NULL;
}

static void
test_fixture_figures(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct ts_report r;
	const struct ts_slice *all = &r.all, *hi, *lo, *unk;

	(void)state;
	fixture(&r, a);
	assert_int_equal(ts_report_finish(&r), ERR_OK);
	hi = group(&r, "high");
	lo = group(&r, "low");
	unk = group(&r, "");
	/* Display order: low, some, high, not known last. */
	assert_int_equal(r.ngroups, 3);
	assert_string_equal(r.groups[r.order[0]].key, "low");
	assert_string_equal(r.groups[r.order[1]].key, "high");
	assert_string_equal(r.groups[r.order[2]].key, "");

	/* Requests: 27, the red flag included. */
	assert_int_equal(all->n[TS_N_CONSULTS].n, 27);
	assert_false(all->n[TS_N_CONSULTS].hidden);
	/*
	 * First response over 26 answered requests, in hours:
	 * 1 x7, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 12, 15 ... 30;
	 * median (6 + 6) / 2, 90th percentile the 24th of 26: 24 hours.
	 */
	assert_int_equal(all->n[TS_N_TIMES0 + TS_T_FIRST].n, 26);
	assert_true(all->t[TS_T_FIRST].median == 6 * H);
	assert_true(all->t[TS_T_FIRST].p90 == 24 * H);
	assert_true(hi->t[TS_T_FIRST].median == 5.5 * H);
	assert_true(hi->t[TS_T_FIRST].p90 == 9 * H);
	assert_true(lo->t[TS_T_FIRST].median == 16.5 * H);
	assert_true(lo->t[TS_T_FIRST].p90 == 27 * H);
	/* By channel and by kind. */
	assert_true(all->t[TS_T_FIRST_CH0 + TS_CH_PHONE].median == 16.5 * H);
	assert_true(all->t[TS_T_FIRST_KIND0 + TS_KIND_CONDITION].median ==
		    5.5 * H);
	assert_true(all->t[TS_T_RESOLVE_KIND0 + TS_KIND_ADMIN].median ==
		    2 * H);
	assert_true(all->t[TS_T_RESOLVE].median == 7 * H);

	/* Within the service level (answered by the due time). The red
	 * flag is not counted. */
	assert_int_equal(all->n[TS_N_SLA_BASE].n, 26);
	assert_int_equal(all->n[TS_N_SLA_MET].n, 12);
	assert_false(all->sla.hidden);
	assert_true(all->sla.value == 12.0 / 26.0);
	assert_false(hi->sla.hidden);
	assert_true(hi->sla.value == 0.5);	/* 5 of 10 */
	assert_true(lo->sla.hidden);		/* 1 of 10: fewer than 5 */
	assert_true(unk->sla.hidden);		/* 6 of 6: the rest is 0 */

	/* Ended in an appointment: 5 of high's 11 requests. */
	assert_int_equal(all->n[TS_N_APPOINTMENTS].n, 5);
	assert_false(hi->appointment.hidden);
	assert_true(hi->appointment.value == 5.0 / 11.0);

	/*
	 * Ratings: high 5 and low 5, none not known (0, hidden); high's 5 is
	 * hidden too, or 10 - 5 would give the hidden group's count.
	 */
	assert_int_equal(all->n[TS_N_RATINGS].n, 10);
	assert_false(all->ease.hidden);
	assert_true(all->ease.value == 3.0);
	assert_true(all->helped.value == 4.0);
	assert_true(unk->n[TS_N_RATINGS].hidden);
	assert_true(hi->n[TS_N_RATINGS].hidden);
	assert_true(hi->ease.hidden);
	assert_false(lo->ease.hidden);
	assert_true(lo->ease.value == 2.0);

	/* Touchpoints: 52; staff started 3 (hidden), so patient-started 49
	 * is hidden as well (52 - 49). */
	assert_int_equal(all->n[TS_N_CONTACTS].n, 52);
	assert_true(all->n[TS_N_STAFF_STARTED].hidden);
	assert_true(all->n[TS_N_PATIENT_STARTED].hidden);
	assert_false(all->n[TS_N_CONTACTS].hidden);
	assert_int_equal(all->n[TS_N_HOUR0 + 9].n, 37);
	assert_false(all->n[TS_N_HOUR0 + 9].hidden);
	assert_true(all->n[TS_N_HOUR0 + 10].hidden);	/* 3 */
	assert_true(all->n[TS_N_HOUR0 + 3].hidden);	/* 0 */
	assert_int_equal(all->n[TS_N_CH0 + TS_CH_WEB].n, 33);

	/* Uptake: 26 of 50 overall; low 6 of 20 = 30% < 80% of 52%. */
	assert_true(all->uptake.value == 26.0 / 50.0);
	assert_false(lo->uptake.hidden);
	assert_true(lo->uptake.value == 0.3);
	assert_true(lo->warn & TS_WARN_UPTAKE);
	/* Median first response 16.5 h > 125% of 6 h. */
	assert_true(lo->warn & TS_WARN_RESPONSE);
	assert_int_equal(hi->warn, 0);
	assert_int_equal(unk->warn, 0);		/* not a group of patients */
	arena_free(a);
}

/* Every line that adds up has no single hidden count. */
static void
check_no_single_hidden(const struct ts_report *r)
{
	int k;
	size_t g;

	for (k = 0; k < TS_N__MAX; k++) {
		int hidden = r->all.n[k].hidden;

		for (g = 0; g < r->ngroups; g++)
			hidden += r->groups[g].n[k].hidden;
		assert_true(hidden != 1);
	}
}

static void
test_no_subtraction(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct ts_report r;

	(void)state;
	fixture(&r, a);
	assert_int_equal(ts_report_finish(&r), ERR_OK);
	check_no_single_hidden(&r);
	/* Groups of 3, 10 and 20: the 3 is hidden, so is the 10. */
	ts_report_init(&r, a, TS_SPLIT_AGE, 0);
	ts_add_touchpoints(&r, "18-29", "web", "patient", 9, 3);
	ts_add_touchpoints(&r, "30-44", "web", "patient", 9, 10);
	ts_add_touchpoints(&r, "45-64", "web", "patient", 9, 20);
	assert_int_equal(ts_report_finish(&r), ERR_OK);
	assert_true(group(&r, "18-29")->n[TS_N_CONTACTS].hidden);
	assert_true(group(&r, "30-44")->n[TS_N_CONTACTS].hidden);
	assert_false(group(&r, "45-64")->n[TS_N_CONTACTS].hidden);
	assert_false(r.all.n[TS_N_CONTACTS].hidden);
	check_no_single_hidden(&r);
	/* Every count under 5 hidden, zero included, whatever the split. */
	ts_report_init(&r, a, TS_SPLIT_NONE, 0);
	ts_add_touchpoints(&r, "all", "phone", "patient", 9, 4);
	assert_int_equal(ts_report_finish(&r), ERR_OK);
	assert_true(r.all.n[TS_N_CONTACTS].hidden);
	assert_true(r.all.n[TS_N_CH0 + TS_CH_WEB].hidden);
	arena_free(a);
}

/* Uptake and response warnings need TS_WARN_MIN in the group. */
static void
test_warning_rule(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct ts_report r;

	(void)state;
	ts_report_init(&r, a, TS_SPLIT_INTERPRETER, 0);
	ts_add_patients(&r, "no", 100, 60);
	ts_add_patients(&r, "yes", 10, 5);	/* 50% vs 59%: fine */
	assert_int_equal(ts_report_finish(&r), ERR_OK);
	assert_int_equal(group(&r, "yes")->warn, 0);
	ts_report_init(&r, a, TS_SPLIT_INTERPRETER, 0);
	ts_add_patients(&r, "no", 100, 80);
	ts_add_patients(&r, "yes", 20, 5);	/* 25% vs 69%: behind */
	ts_add_patients(&r, "", 10, 5);
	assert_int_equal(ts_report_finish(&r), ERR_OK);
	assert_int_equal(group(&r, "yes")->warn, TS_WARN_UPTAKE);
	assert_int_equal(group(&r, "no")->warn, 0);
	arena_free(a);
}

static void
test_local_hours(void **state)
{
	struct ts_zone z;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "Europe/Madrid", 1);
	tzset();
	/* 2026: CET, CEST from 29 March 01:00 UTC, CET from 25 October. */
	assert_true(ts_zone_spans(1767225600, 1798761600, &z));
	assert_int_equal(z.n, 3);
	assert_int_equal(z.until[0], 1774746000);
	assert_int_equal(z.until[1], 1792890000);
	assert_int_equal(z.offset[0], 3600);
	assert_int_equal(z.offset[1], 7200);
	assert_int_equal(z.offset[2], 3600);
	assert_int_equal(ts_local_hour(&z, 1782894600), 10);	/* 08:30Z */
	assert_int_equal(ts_local_hour(&z, 1768465800), 9);
	assert_int_equal(ts_local_hour(&z, 1774746000 - 1), 1);
	assert_int_equal(ts_local_hour(&z, 1774746000), 3);
	assert_int_equal(journey_local_midnight(1780272000),
			 1780272000 - 7200);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_true(ts_zone_spans(1767225600, 1798761600, &z));
	assert_int_equal(z.n, 1);
	assert_false(ts_zone_spans(10, 10, &z));
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

/* The bar chart: escaped text, no bar for a hidden figure, refusals. */
static void
test_bars_svg(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct ts_bar bars[3] = {
		{"Online <b>", "120", 120, false, true, 300, false},
		{"Phone", "fewer than 5", 0, true, false, 0, false},
		{"Desk", "60", 60, false, false, 0, true},
	};
	struct ts_bars c = {"Contacts & more", "A bar per channel", "90th",
			    bars, 3};
	struct buf b;

	(void)state;
	buf_init(&b, a, 1 << 15);
	assert_int_equal(ts_bars_svg(&b, &c), ERR_OK);
	assert_non_null(strstr(b.p, "role=\"img\""));
	assert_non_null(strstr(b.p, "<title>Contacts &amp; more</title>"));
	assert_non_null(strstr(b.p, "Online &lt;b&gt;"));
	assert_null(strstr(b.p, "<b>"));
	assert_null(strstr(b.p, "style="));
	assert_null(strstr(b.p, "<script"));
	/* Two bars (the hidden one has none), one tick and its legend. */
	assert_non_null(strstr(b.p, "fewer than 5"));
	assert_int_equal(count_of(b.p, "<rect"), 2);
	assert_non_null(strstr(b.p, "! 60"));	/* a warning, not by colour alone */
	buf_reset(&b);
	bars[0].value = -1;
	assert_int_equal(ts_bars_svg(&b, &c), ERR_INVALID);
	bars[0].value = 1;
	c.n = 0;
	assert_int_equal(ts_bars_svg(&b, &c), ERR_INVALID);
	c.n = 3;
	c.title = "\xff";
	assert_int_equal(ts_bars_svg(&b, &c), ERR_INVALID);
	arena_free(a);
}

/* --- from the store ----------------------------------------------------- */

struct store_fx {
	int64_t org, unit, other_unit, pro, pat[3];
};

static enum err
exec(struct db *db, const char *sql, const int64_t *v, size_t n,
     const char *const *s, size_t ns)
{
	struct stmt *st = db_prepare(db, sql);
	size_t i;

	if (!st)
		return ERR_DB;
	for (i = 0; i < n; i++)
		stmt_bind_int(st, (int)i + 1, v[i]);
	for (i = 0; i < ns; i++)
		stmt_bind_str(st, (int)(n + i) + 1, s[i]);
	return stmt_exec(st);
}

static enum err
touch(struct db *db, struct store_fx *f, int64_t pid, int64_t at,
      const char *channel, const char *side)
{
	static const char sql[] =
		"INSERT INTO touchpoint (id, org_id, at_ms, patient_id, "
		"initiator_id, channel, direction, initiator_side, kind, "
		"resource_type, resource_id) VALUES ($1, $2, $3, $4, $5, $6, "
		"$7, $8, 'message', 'Message', '1')";
	int64_t v[] = {id_new(), f->org, at * 1000, pid, f->pro};
	const char *s[] = {channel,
			   strcmp(side, "staff") ? "patient-to-staff"
						 : "staff-to-patient",
			   side};

	return exec(db, sql, v, 5, s, 3);
}

static enum err
consult(struct db *db, struct store_fx *f, int64_t pid, int64_t answer)
{
	static const char sql[] =
		"INSERT INTO consultation (id, org_id, patient_id, submitted_by, "
		"submitted_at, first_response_at, closed_at, due_at, "
		"updated_at, kind, channel, answers, status, request_key) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5, 'condition', "
		"'web', '{}', 'closed', $9)";
	int64_t id = id_new();
	char key[32];
	int64_t v[] = {id, f->org, pid, pid, T0, T0 + answer, T0 + 2 * answer,
		       T0 + 5 * H};
	const char *s[] = {key};

	snprintf(key, sizeof(key), "k%lld", (long long)id);
	return exec(db, sql, v, 8, s, 1);
}

static enum err
store_fixture(struct db *db, void *arg)
{
	struct store_fx *f = arg;
	static const char unit_sql[] =
		"INSERT INTO unit (id, org_id, name, created_at) "
		"VALUES ($1, $2, $3, 1)";
	static const char groups_sql[] =
		"UPDATE patient SET unit_id = $2, birth_date = $3, "
		"digital_confidence = $4 WHERE id = $1";
	const char *births[] = {"2000-06-11", "2000-06-10", "1950-01-01"};
	const char *digital[] = {"high", "low", "low"};
	enum err e;
	int i, k;

	if ((e = test_add_org(db, f->org, "Org A")) != ERR_OK)
		return e;
	for (i = 0; i < 2; i++) {
		int64_t v[] = {i ? f->other_unit : f->unit, f->org};
		const char *s[] = {i ? "Other" : "Heart"};

		if ((e = exec(db, unit_sql, v, 2, s, 1)) != ERR_OK)
			return e;
	}
	if ((e = test_add_account(db, f->pro, f->org, "dr",
				  ROLE_PROFESSIONAL, 0)) != ERR_OK)
		return e;
	for (i = 0; i < 3; i++) {
		int64_t v[] = {f->pat[i], i == 2 ? f->other_unit : f->unit};
		const char *s[] = {births[i], digital[i]};

		if ((e = test_add_patient(db, f->pat[i], f->org, "P",
					  "Q")) != ERR_OK ||
		    (e = exec(db, groups_sql, v, 2, s, 2)) != ERR_OK)
			return e;
	}
	/* Patient 0: 6 online at 07:15Z = 09:15 in Madrid (summer), and a
	 * staff reply at 23:30Z = 01:30 the next day; patient 1: 5 by
	 * phone; patient 2 (another unit): 9 online; one out of the
	 * period. */
	for (k = 0; k < 6; k++)
		if ((e = touch(db, f, f->pat[0], T0 + k * 60, "web",
			       "patient")) != ERR_OK)
			return e;
	if ((e = touch(db, f, f->pat[0], 1781134200, "web", "staff")) !=
	    ERR_OK)
		return e;
	for (k = 0; k < 5; k++)
		if ((e = touch(db, f, f->pat[1], T0 + k, "phone",
			       "patient")) != ERR_OK)
			return e;
	for (k = 0; k < 9; k++)
		if ((e = touch(db, f, f->pat[2], T0 + k, "web", "patient")) !=
		    ERR_OK)
			return e;
	if ((e = touch(db, f, f->pat[0], 1767225600 - 1, "web",
		       "patient")) != ERR_OK)
		return e;
	/* Answers after 1..6 hours (patient 0) and 10 hours (patient 1). */
	for (k = 1; k <= 6; k++)
		if ((e = consult(db, f, f->pat[0], k * H)) != ERR_OK)
			return e;
	return consult(db, f, f->pat[1], 10 * H);
}

static void
test_from_store(void **state)
{
	struct test_db t;
	struct arena *a = arena_new(1 << 16);
	struct store_fx f;
	struct journey_filter jf;
	struct journey_item *items;
	struct ts_report r;
	size_t n, i;
	bool more;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "Europe/Madrid", 1);
	tzset();
	test_db_open(&t);
	f.org = id_new();
	f.unit = id_new();
	f.other_unit = id_new();
	f.pro = id_new();
	for (i = 0; i < 3; i++)
		f.pat[i] = id_new();
	assert_int_equal(store_write(t.store, store_fixture, &f), ERR_OK);
	db_read_refresh(t.db);

	memset(&jf, 0, sizeof(jf));
	jf.org_id = f.org;
	jf.unit_id = f.unit;
	jf.from = 1767225600;
	jf.to = 1798761600;
	jf.split = TS_SPLIT_AGE;	/* at the period's end, 2026-12-31 */
	jf.now = T0 + 100 * H;
	assert_int_equal(journey_analytics(t.db, a, &jf, &r), ERR_OK);
	assert_int_equal(r.all.n[TS_N_CONTACTS].n, 12);
	assert_int_equal(r.all.n[TS_N_CH0 + TS_CH_WEB].n, 7);
	assert_int_equal(r.all.n[TS_N_CH0 + TS_CH_PHONE].n, 5);
	assert_int_equal(r.all.n[TS_N_HOUR0 + 9].n, 11);
	assert_int_equal(r.all.n[TS_N_HOUR0 + 1].n, 1);
	assert_int_equal(r.all.n[TS_N_PATIENTS].n, 2);
	assert_int_equal(r.all.n[TS_N_DIGITAL].n, 1);
	/* Both 26 at the end of 2026: one band. */
	assert_int_equal(r.ngroups, 1);
	assert_string_equal(r.groups[0].key, "18-29");
	assert_int_equal(r.all.n[TS_N_CONSULTS].n, 7);
	/* 1, 2, 3, 4, 5, 6, 10 hours: median 4, 90th percentile 10. */
	assert_true(r.all.t[TS_T_FIRST].median == 4 * H);
	assert_true(r.all.t[TS_T_FIRST].p90 == 10 * H);
	assert_int_equal(r.all.n[TS_N_SLA_MET].n, 5);
	assert_int_equal(r.all.n[TS_N_SLA_BASE].n, 7);

	/* Split by digital confidence; the whole organisation. */
	jf.unit_id = 0;
	jf.split = TS_SPLIT_DIGITAL;
	assert_int_equal(journey_analytics(t.db, a, &jf, &r), ERR_OK);
	assert_int_equal(r.all.n[TS_N_CONTACTS].n, 21);
	assert_int_equal(group(&r, "low")->n[TS_N_CONTACTS].n, 14);
	assert_int_equal(group(&r, "high")->n[TS_N_CONTACTS].n, 7);

	/* Refused: an empty or too long period. */
	jf.to = jf.from;
	assert_int_equal(journey_analytics(t.db, a, &jf, &r), ERR_INVALID);
	jf.to = jf.from + (TS_PERIOD_DAYS_MAX + 1) * 86400LL;
	assert_int_equal(journey_analytics(t.db, a, &jf, &r), ERR_INVALID);

	/* The journey: every touchpoint of patient 0, oldest first. */
	assert_int_equal(journey_list(t.db, a, f.pat[0], &items, &n, &more),
			 ERR_OK);
	assert_int_equal(n, 8);
	assert_false(more);
	assert_int_equal(items[0].at_ms, (1767225600 - 1) * 1000LL);
	assert_int_equal(items[7].at_ms, 1781134200 * 1000LL);
	assert_string_equal(items[7].initiator_side, "staff");
	assert_string_equal(items[7].initiator_name, "dr");
	for (i = 1; i < n; i++)
		assert_true(items[i - 1].at_ms <= items[i].at_ms);

	test_db_close(&t);
	arena_free(a);
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_fixture_figures),
		cmocka_unit_test(test_no_subtraction),
		cmocka_unit_test(test_warning_rule),
		cmocka_unit_test(test_local_hours),
		cmocka_unit_test(test_bars_svg),
		cmocka_unit_test(test_from_store),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

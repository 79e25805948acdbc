/*
 * Unit tests for src/contact/servicelevel.c: due times with working
 * hours, weekends and holidays (before, within and after hours, Friday
 * evening, a run of holidays), calendar arithmetic across the changes
 * to and from summer time, whether the service is open, the colour
 * state of a due time and the checks of the settings.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contact/servicelevel.h"

/* Local wall-clock time in the process's zone. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int
utc(void **state)
{
	(void)state;
	zone("UTC0");
	return 0;
}

/* Monday 30 November 2026 to Friday 4 December: an ordinary week. */
static void
test_working_week(void **state)
{
	struct service_hours h = servicelevel_default();

	(void)state;
	/* Within hours: by the end of the next working day. */
	assert_int_equal(servicelevel_due(&h, at(2026, 11, 30, 10, 0)),
			 at(2026, 12, 1, 18, 0));
	/* Before opening counts from that morning. */
	assert_int_equal(servicelevel_due(&h, at(2026, 11, 30, 7, 0)),
			 at(2026, 12, 1, 18, 0));
	assert_int_equal(servicelevel_due(&h, at(2026, 11, 30, 0, 0)),
			 at(2026, 12, 1, 18, 0));
	/* At and after closing: received the next working day. */
	assert_int_equal(servicelevel_due(&h, at(2026, 11, 30, 18, 0)),
			 at(2026, 12, 2, 18, 0));
	assert_int_equal(servicelevel_due(&h, at(2026, 11, 30, 17, 59)),
			 at(2026, 12, 1, 18, 0));
	/* Friday evening: received Monday, due Tuesday. */
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 4, 19, 30)),
			 at(2026, 12, 8, 18, 0));
	/* Friday within hours: due Monday. */
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 4, 11, 0)),
			 at(2026, 12, 7, 18, 0));
	/* The weekend. */
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 5, 12, 0)),
			 at(2026, 12, 8, 18, 0));
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 6, 23, 59)),
			 at(2026, 12, 8, 18, 0));

	/* The same day, and three days. */
	h.due_working_days = 0;
	assert_int_equal(servicelevel_due(&h, at(2026, 11, 30, 10, 0)),
			 at(2026, 11, 30, 18, 0));
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 5, 10, 0)),
			 at(2026, 12, 7, 18, 0));
	h.due_working_days = 3;
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 3, 10, 0)),
			 at(2026, 12, 8, 18, 0));
}

static void
test_other_weeks(void **state)
{
	struct service_hours h = servicelevel_default();

	(void)state;
	/* Open Saturday mornings too, 09:00 to 13:00. */
	h.work_days = "123456";
	h.day_start_min = 540;
	h.day_end_min = 780;
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 4, 12, 0)),
			 at(2026, 12, 5, 13, 0));
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 4, 13, 0)),
			 at(2026, 12, 7, 13, 0));
	/* Every day, until midnight. */
	h.work_days = "1234567";
	h.day_start_min = 0;
	h.day_end_min = 1440;
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 5, 23, 0)),
			 at(2026, 12, 7, 0, 0));
}

static void
test_holidays(void **state)
{
	static const char *const christmas[] = {
		"2026-12-24", "2026-12-25", "2026-12-28", "2027-01-01",
	};
	struct service_hours h = servicelevel_default();

	(void)state;
	h.holidays = christmas;
	h.nholidays = 4;
	/* Wednesday 23rd: the next working day after it is Tuesday 29th. */
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 23, 10, 0)),
			 at(2026, 12, 29, 18, 0));
	/* On a holiday: received Tuesday 29th, due Wednesday 30th. */
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 24, 10, 0)),
			 at(2026, 12, 30, 18, 0));
	/* Wednesday 30th after hours: Thursday 31st received, New Year's
	 * Day and the weekend skipped. */
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 30, 20, 0)),
			 at(2027, 1, 4, 18, 0));
	assert_false(servicelevel_is_working_day(&h, at(2026, 12, 25, 9, 0)));
	assert_true(servicelevel_is_working_day(&h, at(2026, 12, 29, 9, 0)));
	assert_false(servicelevel_in_hours(&h, at(2026, 12, 24, 10, 0)));

	/* No working day at all: no due time. */
	h.work_days = "";
	assert_int_equal(servicelevel_due(&h, at(2026, 12, 23, 10, 0)), 0);
}

/* Central European time: summer time ends on Sunday 25 October 2026 and
 * begins on Sunday 29 March 2026. Days are calendar days, so the due
 * time stays at 18:00 local although the days between are 23 or 25
 * hours long. */
static void
test_summer_time(void **state)
{
	struct service_hours h = servicelevel_default();
	int64_t due;
	time_t tt;
	struct tm tm;

	(void)state;
	zone("CET-1CEST,M3.5.0,M10.5.0/3");
	h.work_days = "1234567";
	due = servicelevel_due(&h, at(2026, 10, 24, 19, 0));
	/* Received Sunday 25th (25 hours long), due Monday 18:00 CET. */
	assert_int_equal(due, at(2026, 10, 26, 18, 0));
	tt = (time_t)due;
	localtime_r(&tt, &tm);
	assert_int_equal(tm.tm_hour, 18);
	assert_int_equal(tm.tm_mday, 26);
	/* 18:00 CEST on Saturday to 18:00 CET on Monday is 49 hours. */
	assert_int_equal(due - at(2026, 10, 24, 18, 0), 49 * 3600);

	due = servicelevel_due(&h, at(2026, 3, 28, 19, 0));
	assert_int_equal(due, at(2026, 3, 30, 18, 0));
	assert_int_equal(due - at(2026, 3, 28, 18, 0), 47 * 3600);
	zone("UTC0");
}

static void
test_open(void **state)
{
	struct service_hours h = servicelevel_default();

	(void)state;
	assert_true(servicelevel_open(&h, true, false,
				      at(2026, 12, 5, 3, 0)));
	assert_false(servicelevel_open(&h, false, false,
				       at(2026, 12, 1, 10, 0)));
	assert_true(servicelevel_open(&h, true, true,
				      at(2026, 12, 1, 10, 0)));
	assert_true(servicelevel_open(&h, true, true,
				      at(2026, 12, 1, 8, 0)));
	assert_false(servicelevel_open(&h, true, true,
				       at(2026, 12, 1, 7, 59)));
	assert_false(servicelevel_open(&h, true, true,
				       at(2026, 12, 1, 18, 0)));
	assert_false(servicelevel_open(&h, true, true,
				       at(2026, 12, 5, 10, 0)));
}

static void
test_state(void **state)
{
	int64_t due = at(2026, 12, 1, 18, 0);

	(void)state;
	assert_int_equal(servicelevel_state(due, due - 3 * 3600),
			 DUE_ON_TIME);
	assert_int_equal(servicelevel_state(due, due - 2 * 3600 - 1),
			 DUE_ON_TIME);
	assert_int_equal(servicelevel_state(due, due - 2 * 3600), DUE_SOON);
	assert_int_equal(servicelevel_state(due, due), DUE_SOON);
	assert_int_equal(servicelevel_state(due, due + 1), DUE_OVERDUE);
	assert_int_equal(servicelevel_state(0, due), DUE_ON_TIME);
	assert_string_equal(servicelevel_state_name(DUE_OVERDUE), "overdue");
	assert_string_equal(servicelevel_state_name(DUE_SOON), "due-soon");
}

static void
test_validate(void **state)
{
	static const char *const bad_day[] = {"2026-12-25", "2026-02-30"};
	static const char *const good_days[] = {"2026-12-25", "2027-01-01"};
	struct service_hours h = servicelevel_default();
	struct problems ps;

	(void)state;
	memset(&ps, 0, sizeof(ps));
	servicelevel_validate(&h, &ps);
	assert_int_equal(ps.n, 0);
	h.holidays = good_days;
	h.nholidays = 2;
	servicelevel_validate(&h, &ps);
	assert_int_equal(ps.n, 0);

	h.work_days = "1238";
	h.day_start_min = 600;
	h.day_end_min = 600;
	h.due_working_days = 31;
	h.holidays = bad_day;
	servicelevel_validate(&h, &ps);
	assert_non_null(problems_for(&ps, "work_days"));
	assert_non_null(problems_for(&ps, "day_end"));
	assert_non_null(problems_for(&ps, "due_working_days"));
	assert_non_null(problems_for(&ps, "holidays"));
	assert_null(problems_for(&ps, "day_start"));

	memset(&ps, 0, sizeof(ps));
	h = servicelevel_default();
	h.work_days = "11";
	h.day_start_min = -1;
	h.day_end_min = 1441;
	servicelevel_validate(&h, &ps);
	assert_non_null(problems_for(&ps, "work_days"));
	assert_non_null(problems_for(&ps, "day_start"));
	assert_non_null(problems_for(&ps, "day_end"));
	memset(&ps, 0, sizeof(ps));
	h.work_days = "";
	h.day_start_min = 0;
	h.day_end_min = 1440;
	servicelevel_validate(&h, &ps);
	assert_non_null(problems_for(&ps, "work_days"));
	assert_int_equal(ps.n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_working_week, utc),
		cmocka_unit_test_setup(test_other_weeks, utc),
		cmocka_unit_test_setup(test_holidays, utc),
		cmocka_unit_test_setup(test_summer_time, utc),
		cmocka_unit_test_setup(test_open, utc),
		cmocka_unit_test_setup(test_state, utc),
		cmocka_unit_test_setup(test_validate, utc),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

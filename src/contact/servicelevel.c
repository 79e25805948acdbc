/*
 * Service-level arithmetic (see servicelevel.h): calendar days are
 * counted as day numbers (days since 1970-01-01, through timegm() and
 * gmtime_r(), which know no summer time) and turned back into local
 * instants through mktime(), which knows the zone's.
 */
#include "contact/servicelevel.h"

#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/msgid.h"
#include "core/banned.h"

/* Ten years of days: no sensible settings look further for a working
 * day; settings that would are refused by servicelevel_validate(). */
#define SEARCH_DAYS 3660

struct service_hours
servicelevel_default(void)
{
	struct service_hours h = {
		.work_days = "12345",
		.day_start_min = 480,
		.day_end_min = 1080,
		.holidays = NULL,
		.nholidays = 0,
		.due_working_days = 1,
	};

	return h;
}

/* ISO weekday (1 Monday ... 7 Sunday) of a day number; day 0 was a
 * Thursday. */
static int
iso_weekday(int64_t day)
{
	int64_t r = (day + 3) % 7;

	if (r < 0)
		r += 7;
	return (int)r + 1;
}

/* The local day number and minute of the day of instant `t`. */
static void
local_day(int64_t t, int64_t *day, int *minute)
{
	time_t tt = (time_t)t;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	localtime_r(&tt, &tm);
	*minute = tm.tm_hour * 60 + tm.tm_min;
	/* The calendar date as a day number: its midnight in UTC. */
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	*day = (int64_t)timegm(&tm) / 86400;
}

/* The instant of local wall-clock `minute` (0 to 1440) of day `day`. */
static int64_t
local_instant(int64_t day, int minute)
{
	time_t midnight = (time_t)(day * 86400);
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&midnight, &tm);	/* the day's calendar date */
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;	/* let the zone say whether it is summer */
	return (int64_t)mktime(&tm);
}

static bool
is_holiday(const struct service_hours *h, int64_t day)
{
	size_t i;
	int64_t t;

	for (i = 0; i < h->nholidays; i++)
		if (clock_parse_date(h->holidays[i], &t) && t / 86400 == day)
			return true;
	return false;
}

static bool
working_day(const struct service_hours *h, int64_t day)
{
	char wd = (char)('0' + iso_weekday(day));

	return h->work_days && strchr(h->work_days, wd) &&
	       !is_holiday(h, day);
}

bool
servicelevel_is_working_day(const struct service_hours *h, int64_t t)
{
	int64_t day;
	int minute;

	local_day(t, &day, &minute);
	return working_day(h, day);
}

bool
servicelevel_in_hours(const struct service_hours *h, int64_t t)
{
	int64_t day;
	int minute;

	local_day(t, &day, &minute);
	return working_day(h, day) && minute >= h->day_start_min &&
	       minute < h->day_end_min;
}

/* The first working day from `day` on (inclusive); -1 when none. */
static int64_t
next_working_day(const struct service_hours *h, int64_t day)
{
	int i;

	for (i = 0; i < SEARCH_DAYS; i++, day++)
		if (working_day(h, day))
			return day;
	return -1;
}

int64_t
servicelevel_due(const struct service_hours *h, int64_t t)
{
	int64_t day, received;
	int minute, n;

	local_day(t, &day, &minute);
	/* After closing time the request is received the next working
	 * day; before opening, that same morning. */
	if (minute >= h->day_end_min)
		day++;
	if ((received = next_working_day(h, day)) < 0)
		return 0;
	day = received;
	for (n = 0; n < h->due_working_days; n++)
		if ((day = next_working_day(h, day + 1)) < 0)
			return 0;
	return local_instant(day, h->day_end_min);
}

bool
servicelevel_open(const struct service_hours *h, bool consult_open,
		  bool hours_only, int64_t now)
{
	if (!consult_open)
		return false;
	return !hours_only || servicelevel_in_hours(h, now);
}

enum due_state
servicelevel_state(int64_t due, int64_t now)
{
	if (due <= 0)
		return DUE_ON_TIME;
	if (now > due)
		return DUE_OVERDUE;
	if (due - now <= SERVICE_DUE_SOON_SECONDS)
		return DUE_SOON;
	return DUE_ON_TIME;
}

const char *
servicelevel_state_name(enum due_state s)
{
	static const char *const names[DUE__MAX] = {
		"on-time", "due-soon", "overdue",
	};

	return (unsigned)s < DUE__MAX ? names[s] : "on-time";
}

static bool
work_days_ok(const char *s)
{
	bool seen[8] = {false};
	size_t i;

	if (!s || !*s || strlen(s) > 7)
		return false;
	for (i = 0; s[i]; i++) {
		if (s[i] < '1' || s[i] > '7' || seen[s[i] - '0'])
			return false;
		seen[s[i] - '0'] = true;
	}
	return true;
}

void
servicelevel_validate(const struct service_hours *h, struct problems *out)
{
	size_t i;
	int64_t t;

	if (!work_days_ok(h->work_days))
		problems_add(out, "work_days",
			     N_("Choose at least one working day."));
	if (h->day_start_min < 0 || h->day_start_min >= 1440)
		problems_add(out, "day_start",
			     N_("Give the opening time as hours and minutes, "
				"for example 08:00."));
	if (h->day_end_min <= h->day_start_min || h->day_end_min > 1440)
		problems_add(out, "day_end",
			     N_("Give a closing time after the opening "
				"time, for example 18:00."));
	if (h->due_working_days < 0 ||
	    h->due_working_days > SERVICE_DUE_DAYS_MAX)
		problems_add(out, "due_working_days",
			     N_("Give a number of working days from 0 to "
				"30."));
	if (h->nholidays > SERVICE_HOLIDAYS_MAX) {
		problems_add(out, "holidays",
			     N_("Give at most 400 holidays."));
		return;
	}
	for (i = 0; i < h->nholidays; i++)
		if (!clock_parse_date(h->holidays[i], &t)) {
			problems_add(out, "holidays",
				     N_("Write each holiday on its own line "
					"as a date, for example "
					"2026-12-25."));
			return;
		}
}

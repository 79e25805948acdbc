/*
 * The service level of online consultations, as pure arithmetic: when a
 * request submitted at a time is due, whether the service is open now,
 * and how near its due time a request is (on time, due soon, overdue).
 * No database: the caller passes the organisation's settings
 * (contact_service and contact_holiday rows).
 *
 * Local time is the server's local time zone (localtime_r() and
 * mktime(), so the TZ environment variable of the cocare process): an
 * organisation's working hours are its wall-clock hours, and days are
 * counted on the calendar, never as 86,400 seconds, so a due time stays
 * at the end of the working day across a change to or from summer time.
 */
#ifndef CONTACT_SERVICELEVEL_H
#define CONTACT_SERVICELEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/problem.h"

#define SERVICE_HOLIDAYS_MAX 400	/* holidays one organisation keeps */
#define SERVICE_DUE_DAYS_MAX 30		/* the longest service level */
#define SERVICE_DUE_SOON_SECONDS 7200	/* see servicelevel_state() */

/*
 * An organisation's working week and service level.
 * - work_days: ISO weekdays that are working days, "12345" for Monday to
 *   Friday (1 Monday ... 7 Sunday);
 * - day_start_min, day_end_min: working hours in minutes from local
 *   midnight, 0 <= start < end <= 1440;
 * - holidays: `nholidays` dates "YYYY-MM-DD" that are not working days;
 * - due_working_days: a request is due by the end of this many working
 *   days after the working day it is received on (0: the same day).
 */
struct service_hours {
	const char *work_days;
	int day_start_min;
	int day_end_min;
	const char *const *holidays;
	size_t nholidays;
	int due_working_days;
};

/* The settings cocare starts with: Monday to Friday, 08:00 to 18:00, no
 * holidays, due by the end of the next working day. */
struct service_hours servicelevel_default(void);

/*
 * Checks settings before they are stored. Problems name the form fields
 * "work_days", "day_start", "day_end", "due_working_days" and
 * "holidays".
 */
void servicelevel_validate(const struct service_hours *h,
			   struct problems *out);

/* True when the local day of `t` is a working day (its weekday is in
 * work_days and it is not a holiday). */
bool servicelevel_is_working_day(const struct service_hours *h, int64_t t);

/* True when `t` falls within working hours on a working day. */
bool servicelevel_in_hours(const struct service_hours *h, int64_t t);

/*
 * The due time of a request submitted at `t`. The request is received
 * on the day of `t` when that is a working day and `t` is before the end
 * of its working hours (a request that comes before opening counts from
 * that morning), else on the next working day; it is due at the end of
 * working hours of the due_working_days-th working day after that.
 * Friday evening with a level of 1: received Monday, due Tuesday at the
 * end of the day. 0 only when no working day is found within ten years
 * (settings that servicelevel_validate() refuses).
 */
int64_t servicelevel_due(const struct service_hours *h, int64_t t);

/*
 * Whether patients may submit a request at `now`: the service is on
 * and, when `hours_only`, `now` is within working hours.
 */
bool servicelevel_open(const struct service_hours *h, bool consult_open,
		       bool hours_only, int64_t now);

/*
 * How near its due time an open request is. Due soon: within the last
 * two hours before the due time (SERVICE_DUE_SOON_SECONDS). As a due time
 * is the end of a working day, these are the last two working hours of
 * that day: a signal staff can still act on the same afternoon, which a
 * share of the window would not be for a window of several days.
 * Overdue: after the due time. A request without a due time (0) is on
 * time.
 */
enum due_state { DUE_ON_TIME, DUE_SOON, DUE_OVERDUE, DUE__MAX };

enum due_state servicelevel_state(int64_t due, int64_t now);

/* "on-time", "due-soon", "overdue": a class name and a stable code. */
const char *servicelevel_state_name(enum due_state s);

#endif

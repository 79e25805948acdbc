/*
 * Agreed target ranges and alerts. A target range is what the patient and
 * their team agreed for a measure ("systolic below 140"); a reading is
 * below, within or above it. An out-of-range reading raises an alert for
 * the team, and the grouping rule here keeps a run of such readings to
 * one alert instead of one per reading. Pure code: the caller stores
 * targets and alerts.
 */
#ifndef MEASURES_TARGET_H
#define MEASURES_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "measures/reading.h"

/* A target for one number; either end may be missing. Inclusive. */
struct target_range {
	bool has_low;
	bool has_high;
	double low;		/* storage unit of the kind */
	double high;
};

enum target_status {
	TARGET_WITHIN,		/* also: no end set */
	TARGET_BELOW,
	TARGET_ABOVE
};

/*
 * Where `v` lies against `r`. The ends count as within, with a tolerance
 * of a millionth of the end's size so that a value converted from
 * another unit (140 mmHg typed in kPa) does not fall out by rounding.
 */
enum target_status target_check(const struct target_range *r, double v);

/*
 * Checks each part of `v` (blood pressure: systolic against ranges[0],
 * diastolic against ranges[1]) and writes the results to `out` (may be
 * NULL). True when any part is outside its range.
 */
bool target_check_reading(const struct target_range
			  ranges[READING_PARTS_MAX],
			  const struct reading_value *v,
			  enum target_status out[READING_PARTS_MAX]);

/*
 * The rule for grouping alerts.
 *
 * An alert is about one patient and one measure. It stays open until
 * someone on the care team closes it; readings coming back within range
 * do not close it. While it is open, every new out-of-range reading of
 * that measure joins it: the count goes up and the first and last times
 * widen to take the reading in (an imported older reading moves `first`
 * back). With no open alert, an out-of-range reading opens a new one,
 * unless it was taken more than TARGET_ALERT_STALE seconds before it
 * arrived: old readings (a year of history imported from a CSV file) are
 * not news for the team and open nothing. Readings within range never
 * touch alerts.
 */
#define TARGET_ALERT_STALE (7 * 24 * 3600)

struct target_alert {
	int64_t first;		/* time of its earliest reading */
	int64_t last;		/* time of its latest reading */
	uint32_t count;		/* readings in it, >= 1 */
};

enum target_alert_action {
	TARGET_ALERT_NONE,	/* nothing to do */
	TARGET_ALERT_JOIN,	/* update the open alert to *out */
	TARGET_ALERT_OPEN	/* store a new alert, *out */
};

/*
 * Applies the rule to one reading taken at `taken` and arriving at `now`:
 * `open` is the open alert for this patient and measure, or NULL;
 * `out_of_range` is target_check_reading()'s answer. For JOIN and OPEN
 * *out holds the alert to store (for JOIN, `open` updated; the count
 * stops at UINT32_MAX); for NONE *out is unchanged.
 */
enum target_alert_action target_alert_apply(const struct target_alert *open,
					    bool out_of_range, int64_t taken,
					    int64_t now,
					    struct target_alert *out);

#endif

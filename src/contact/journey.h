/*
 * Journeys and touchpoint analytics, read from the store: one patient's
 * touchpoints in time order, and the figures of a unit or the whole
 * organisation over a period (counted with GROUP BY in SQL, then split
 * by patient group and finished by touchstats.c). Read only; access is
 * the caller's (journey_web.c asks the policy first).
 */
#ifndef CONTACT_JOURNEY_H
#define CONTACT_JOURNEY_H

#include <stddef.h>
#include <stdint.h>

#include "contact/touchstats.h"
#include "core/err.h"

struct arena;
struct db;

#define JOURNEY_MAX 1000	/* touchpoints one timeline shows */

/* One touchpoint of a patient; strings owned by the arena. */
struct journey_item {
	int64_t at_ms;
	const char *channel;		/* web, api, phone, desk, ... */
	const char *direction;		/* patient-to-staff, staff-to-patient */
	const char *initiator_side;	/* patient, staff */
	int64_t initiator_id;
	const char *initiator_name;	/* "" when the account is gone */
	const char *kind;		/* "message", "consultation", ... */
	const char *resource_type;
	const char *resource_id;
};

/*
 * The latest JOURNEY_MAX touchpoints of `patient_id`, oldest first;
 * `*more` is set when older ones were left out.
 */
enum err journey_list(struct db *db, struct arena *a, int64_t patient_id,
		      struct journey_item **out, size_t *n, bool *more);

/* What the analytics cover. */
struct journey_filter {
	int64_t org_id;
	int64_t unit_id;	/* patients of this unit; 0: everyone */
	int64_t from;		/* Unix seconds, inclusive */
	int64_t to;		/* exclusive; at most TS_PERIOD_DAYS_MAX on */
	enum ts_split split;
	int64_t now;
};

/*
 * The finished report for `f` into `*out`. Touchpoints are counted by
 * patient, channel, side and local hour in SQL; consultations and
 * message threads are read one row each (their times make the medians).
 * ERR_INVALID for an empty or too long period or a time zone with too
 * many changes in it; ERR_DB; ERR_NOMEM.
 */
enum err journey_analytics(struct db *db, struct arena *a,
			   const struct journey_filter *f,
			   struct ts_report *out);

/* Unix seconds of local midnight starting the day whose UTC midnight is
 * `utc_midnight` (from clock_parse_date). */
int64_t journey_local_midnight(int64_t utc_midnight);

#endif

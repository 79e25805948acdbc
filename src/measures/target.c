/*
 * Target ranges and the alert grouping rule (see target.h for the rule
 * itself, which the care team relies on and so is stated once there).
 */
#include "measures/target.h"

#include <math.h>
#include <stddef.h>

#include "core/banned.h"

static double
tolerance(double end)
{
	return 1e-6 * fmax(1, fabs(end));
}

enum target_status
target_check(const struct target_range *r, double v)
{
	if (r->has_low && v < r->low - tolerance(r->low))
		return TARGET_BELOW;
	if (r->has_high && v > r->high + tolerance(r->high))
		return TARGET_ABOVE;
	return TARGET_WITHIN;
}

bool
target_check_reading(const struct target_range ranges[READING_PARTS_MAX],
		     const struct reading_value *v,
		     enum target_status out[READING_PARTS_MAX])
{
	const struct reading_def *d = reading_def(v->kind);
	enum target_status s;
	bool outside = false;
	size_t i;

	for (i = 0; i < READING_PARTS_MAX; i++) {
		s = i < d->n_parts ? target_check(&ranges[i], v->v[i])
				   : TARGET_WITHIN;
		if (out)
			out[i] = s;
		if (s != TARGET_WITHIN)
			outside = true;
	}
	return outside;
}

enum target_alert_action
target_alert_apply(const struct target_alert *open, bool out_of_range,
		   int64_t taken, int64_t now, struct target_alert *out)
{
	struct target_alert a;

	if (!out_of_range)
		return TARGET_ALERT_NONE;
	if (open) {
		a = *open;
		if (taken < a.first)
			a.first = taken;
		if (taken > a.last)
			a.last = taken;
		if (a.count < UINT32_MAX)
			a.count++;
		*out = a;
		return TARGET_ALERT_JOIN;
	}
	/* Compared this way round so no subtraction can overflow. */
	if (now >= INT64_MIN + TARGET_ALERT_STALE &&
	    taken < now - TARGET_ALERT_STALE)
		return TARGET_ALERT_NONE;
	out->first = taken;
	out->last = taken;
	out->count = 1;
	return TARGET_ALERT_OPEN;
}

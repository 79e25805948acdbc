/*
 * Thinning a time series for a chart: largest-triangle-three-buckets
 * (Steinarsson, 2013), which keeps the points that shape the line, changed
 * so that the first point, the last point, the lowest and the highest are
 * always kept: a chart that hid a patient's worst reading would mislead.
 */
#ifndef MEASURES_DOWNSAMPLE_H
#define MEASURES_DOWNSAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* One point of a time series: when, and the value (finite). */
struct ts_point {
	int64_t t;		/* Unix seconds */
	double y;
};

#define DOWNSAMPLE_MIN 4	/* first, last, lowest, highest */

/*
 * Picks at most `threshold` of the `n` points `in` (sorted by t; equal
 * times are fine) and writes their indices, ascending, to `out_idx`,
 * which must hold min(n, max(threshold, DOWNSAMPLE_MIN)) entries; returns
 * how many it wrote.
 *
 * - threshold >= n: every index, 0 .. n-1 (the input as it is).
 * - Otherwise the first and last points, the first lowest and the first
 *   highest point are always among those picked, and the count never
 *   exceeds threshold: when the two extremes would fall in the same
 *   bucket the run uses one bucket fewer, so both fit. A threshold below
 *   DOWNSAMPLE_MIN counts as DOWNSAMPLE_MIN, the least that keeps all
 *   four.
 *
 * Indices rather than points let the caller thin a second series (a
 * blood pressure's diastolic) at the same times.
 */
size_t downsample_lttb(const struct ts_point *in, size_t n,
		       size_t threshold, size_t *out_idx);

#endif

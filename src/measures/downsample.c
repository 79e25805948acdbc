/*
 * Largest-triangle-three-buckets with the extremes kept. The points
 * between the first and the last are cut into equal buckets; each bucket
 * gives the point that makes the largest triangle with the point picked
 * before it and the average of the next bucket, except a bucket holding
 * the lowest or highest point, which gives that point instead.
 */
#include "measures/downsample.h"

#include <math.h>
#include <stdbool.h>

#include "core/banned.h"

/* The first interior index of bucket j of `nb` over n points. */
static size_t
bucket_start(size_t j, size_t nb, size_t n)
{
	return 1 + j * (n - 2) / nb;
}

static bool
in_bucket(size_t i, size_t j, size_t nb, size_t n)
{
	return i >= bucket_start(j, nb, n) && i < bucket_start(j + 1, nb, n);
}

static bool
interior(size_t i, size_t n)
{
	return i > 0 && i < n - 1;
}

/* Twice the area of the triangle a, b, c. */
static double
area2(double ax, double ay, double bx, double by, double cx, double cy)
{
	return fabs((ax - cx) * (by - ay) - (ax - bx) * (cy - ay));
}

/*
 * The point the triangle of bucket j aims at: the next bucket's forced
 * extreme if it has one (that point will be drawn), else the next
 * bucket's average, else the last point.
 */
static void
aim(const struct ts_point *in, size_t n, size_t j, size_t nb, size_t lo,
    size_t hi, double t0, double *x, double *y)
{
	size_t s, e, i;
	double sx = 0, sy = 0;

	if (j + 1 >= nb) {
		*x = (double)in[n - 1].t - t0;
		*y = in[n - 1].y;
		return;
	}
	s = bucket_start(j + 1, nb, n);
	e = bucket_start(j + 2, nb, n);
	for (i = s; i < e; i++) {
		if ((i == lo && interior(lo, n)) ||
		    (i == hi && interior(hi, n))) {
			*x = (double)in[i].t - t0;
			*y = in[i].y;
			return;
		}
		sx += (double)in[i].t - t0;
		sy += in[i].y;
	}
	*x = sx / (double)(e - s);
	*y = sy / (double)(e - s);
}

size_t
downsample_lttb(const struct ts_point *in, size_t n, size_t threshold,
		size_t *out_idx)
{
	size_t lo = 0, hi = 0, nb, j, i, s, e, best, prev, m = 0;
	double t0, ax, ay, cx, cy, a, best_a;
	bool forced;

	if (threshold < DOWNSAMPLE_MIN)
		threshold = DOWNSAMPLE_MIN;
	if (threshold >= n) {
		for (i = 0; i < n; i++)
			out_idx[i] = i;
		return n;
	}
	for (i = 1; i < n; i++) {
		if (in[i].y < in[lo].y)
			lo = i;
		if (in[i].y > in[hi].y)
			hi = i;
	}
	nb = threshold - 2;
	/* Two extremes in one bucket would give threshold + 1 points: one
	 * bucket fewer leaves room for both. */
	for (j = 0; j < nb; j++)
		if (interior(lo, n) && interior(hi, n) && lo != hi &&
		    in_bucket(lo, j, nb, n) && in_bucket(hi, j, nb, n)) {
			nb--;
			break;
		}
	t0 = (double)in[0].t;
	out_idx[m++] = 0;
	prev = 0;
	for (j = 0; j < nb; j++) {
		s = bucket_start(j, nb, n);
		e = bucket_start(j + 1, nb, n);
		forced = false;
		for (i = s; i < e; i++)
			if ((i == lo || i == hi) && interior(i, n)) {
				out_idx[m++] = i;
				prev = i;
				forced = true;
			}
		if (forced)
			continue;
		ax = (double)in[prev].t - t0;
		ay = in[prev].y;
		aim(in, n, j, nb, lo, hi, t0, &cx, &cy);
		best = s;
		best_a = -1;
		for (i = s; i < e; i++) {
			a = area2(ax, ay, (double)in[i].t - t0, in[i].y, cx,
				  cy);
			if (a > best_a) {
				best_a = a;
				best = i;
			}
		}
		out_idx[m++] = best;
		prev = best;
	}
	out_idx[m++] = n - 1;
	return m;
}

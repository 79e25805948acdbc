/*
 * Server-rendered SVG line charts of readings and questionnaire scores,
 * for pages with no JavaScript: one or two series over time, an agreed
 * target range, labelled interpretation bands (PHQ-9 "Mild", ...), dated
 * markers for care-plan changes, and date and value axes. The SVG has a
 * fixed viewBox and scales to the width it is given (readable at 320 px),
 * carries role="img" with a <title> and a <desc> text alternative, has no
 * script, no event handlers and no style attributes (presentation
 * attributes and classes only, so a strict CSP holds), and tells series
 * apart by dash and point shape as well as colour. Every string comes
 * from the caller, already translated, and is HTML-escaped here.
 */
#ifndef MEASURES_CHART_H
#define MEASURES_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "measures/downsample.h"

struct buf;

#define CHART_WIDTH 400		/* viewBox units */
#define CHART_HEIGHT 240
#define CHART_POINTS_MAX 5000	/* per series; thin with downsample_lttb() */
#define CHART_BANDS_MAX 8
#define CHART_MARKERS_MAX 16
#define CHART_DOTS_MAX 40	/* series this short also draw each point */

/* A range whose two ends are each optional (inclusive). */
struct chart_range {
	bool has_low;
	bool has_high;
	double low;
	double high;
};

struct chart_series {
	const char *label;	/* "Systolic"; legend when there are two */
	const struct ts_point *p;	/* sorted by t */
	size_t n;
	struct chart_range target;	/* shaded agreed range; neither end
					 * set: none */
};

/* A light horizontal area with a label: a questionnaire's band. */
struct chart_band {
	double low;
	double high;
	const char *label;	/* "Moderate" */
};

/* A dated vertical line with a short label: a care-plan change. */
struct chart_marker {
	int64_t t;
	const char *label;	/* a few words; long labels are cut */
};

struct chart {
	const char *id;		/* prefix for element ids, unique in the
				 * page: [A-Za-z0-9_-], 1-32 bytes; NULL:
				 * no ids (title/desc still present) */
	const char *title;	/* <title>: "Weight" */
	const char *desc;	/* <desc>: "Weight: 12 readings from 3 Jan
				 * to 2 Mar 2026, latest 81.2 kg" */
	const char *unit;	/* over the value axis: "kg"; may be NULL */
	const char *target_label;	/* legend of the shaded range,
					 * "Agreed range"; may be NULL */
	const char *empty;	/* shown when no series has a point */
	struct chart_series series[2];
	size_t n_series;	/* 1, or 2 (blood pressure) */
	bool y_fixed;		/* use y_min..y_max exactly (a score's
				 * range); else fit the data, targets and
				 * bands with padding */
	double y_min;
	double y_max;
	int decimals;		/* of the value axis labels, 0-3 */
	bool decimal_comma;	/* "81,5" */
	const struct chart_band *bands;
	size_t n_bands;
	const struct chart_marker *markers;
	size_t n_markers;
	const char *const *months;	/* 12 short month names, "Jan";
					 * NULL: English */
	int32_t utc_offset;	/* seconds east of UTC, for date ticks */
};

/*
 * Appends the chart as one <svg> element to `b`. Coordinates have at most
 * one decimal; with one series of 300 points the element stays under
 * 6 KB. The date axis picks hours, days, months or years for its ticks
 * from the span; points outside the y range are drawn clamped to it.
 *
 * ERR_OK; ERR_INVALID for a NULL title or desc, n_series not 1 or 2, a
 * bad id, a series longer than CHART_POINTS_MAX or not sorted by time,
 * a time outside the years 0-9999, more bands or markers
 * than the maxima, y_fixed with y_max <= y_min, decimals outside 0-3,
 * text that is not valid UTF-8, or a value that is not finite;
 * ERR_TOO_LARGE or ERR_NOMEM when the buffer refused to grow. On error
 * `b` may hold part of a chart: reset it or drop it.
 */
enum err chart_svg(struct buf *b, const struct chart *c);

#endif

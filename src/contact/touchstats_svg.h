/*
 * Horizontal bar charts of the touchpoint analytics, drawn on the server
 * as one <svg> (no script, no style attributes): a label and a bar per
 * row, its value written at the bar's end, and an optional tick for a
 * second value (a 90th percentile beside a median). Rows sit one under
 * another, so the chart stays readable at 320 px however many there are
 * (24 hours). A hidden figure (suppressed) gets no bar, only its text.
 * The page shows the same figures in a table beside it. Every string
 * comes from the caller, translated; it is HTML-escaped here.
 *
 * measures/chart.c draws lines over time; these are categories, so they
 * share nothing but the idea.
 */
#ifndef CONTACT_TOUCHSTATS_SVG_H
#define CONTACT_TOUCHSTATS_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct buf;

#define TS_BARS_MAX 40

struct ts_bar {
	const char *label;	/* "Online" */
	const char *text;	/* written after the bar: "120", "fewer than 5" */
	double value;		/* >= 0; ignored when hidden */
	bool hidden;
	bool has_mark;		/* draw a tick at `mark` too */
	double mark;
	bool warn;		/* drawn in the warning colour, with a "!" */
};

struct ts_bars {
	const char *title;	/* <title> */
	const char *desc;	/* <desc>: a sentence saying what it shows */
	const char *mark_label;	/* legend of the tick ("90th percentile") */
	const struct ts_bar *bar;
	size_t n;		/* 1..TS_BARS_MAX */
};

/*
 * Appends the chart to `b`. ERR_INVALID for no title or desc, no rows or
 * more than TS_BARS_MAX, a negative or non-finite value, or text that is
 * not UTF-8; ERR_NOMEM when the buffer would not grow.
 */
enum err ts_bars_svg(struct buf *b, const struct ts_bars *c);

#endif

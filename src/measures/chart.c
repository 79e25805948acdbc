/*
 * The SVG line chart. Coordinates are computed in tenths of a viewBox
 * unit and written as integers with one implied decimal, and a series is
 * one path of relative moves, which keeps 300 points to about 2.5 KB.
 * Calendar arithmetic for the date ticks runs on "local" seconds (Unix
 * seconds plus the fixed offset) through gmtime_r and timegm.
 */
#include "measures/chart.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/str.h"
#include "measures/reading.h"
#include "core/banned.h"

/* The plot area inside the viewBox. */
#define PL 46
#define PR 392
#define PT 24
#define PB 214
#define X_TICKS_MAX 6
#define MARKER_LABEL_MAX 24	/* code points */

#define INK "#333"
#define GRID "#d9d9d9"
#define TARGET_FILL "#dcefdc"
#define TARGET_EDGE "#2e7031"

/* Series colours, both above 7:1 on white; series 1 also dashes. */
static const char *const series_colour[2] = {"#1c46a6", "#9a3412"};

static const char *const english_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* The chart being drawn: its scales and output. */
struct draw {
	struct buf *b;
	const struct chart *c;
	int64_t tmin, tmax;
	double ylo, yhi, ystep;
	int ydec;
	bool empty;
};

static bool
text_ok(const char *s)
{
	return !s || utf8_valid(s, strlen(s));
}

static void
html(struct buf *b, const char *s)
{
	if (s)
		buf_add_html(b, s, strlen(s));
}

/* x, in tenths of a unit, for time t. */
static long
tx(const struct draw *d, int64_t t)
{
	double f = d->tmax > d->tmin
			   ? (double)(t - d->tmin) / (double)(d->tmax - d->tmin)
			   : 0.5;

	return lround((PL + f * (PR - PL)) * 10);
}

/* y, in tenths, for value v, clamped to the plot area. */
static long
ty(const struct draw *d, double v)
{
	double f = (v - d->ylo) / (d->yhi - d->ylo);

	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return lround((PB - f * (PB - PT)) * 10);
}

/* Tenths as the shortest SVG number: 125 "12.5", 120 "12", -5 "-.5". */
static void
num(struct buf *b, long tenths)
{
	long a = tenths < 0 ? -tenths : tenths;

	if (tenths < 0)
		buf_addc(b, '-');
	if (a % 10 == 0)
		buf_printf(b, "%ld", a / 10);
	else if (a < 10)
		buf_printf(b, ".%ld", a % 10);
	else
		buf_printf(b, "%ld.%ld", a / 10, a % 10);
}

/* A number after another in a list: a space unless a '-' separates. */
static void
num_next(struct buf *b, long tenths)
{
	if (tenths >= 0)
		buf_addc(b, ' ');
	num(b, tenths);
}

/* name="value" for a coordinate in tenths. */
static void
attr(struct buf *b, const char *name, long tenths)
{
	buf_printf(b, " %s=\"", name);
	num(b, tenths);
	buf_addc(b, '"');
}

static double
nice_step(double span)
{
	double e = pow(10, floor(log10(span))), f = span / e;

	if (f < 1.5)
		return e;
	if (f < 3)
		return 2 * e;
	if (f < 7)
		return 5 * e;
	return 10 * e;
}

/* Decimals that tell ticks `step` apart. */
static int
step_decimals(double step)
{
	int dec = 0;

	while (dec < 3 && fabs(step * pow(10, dec) -
			       round(step * pow(10, dec))) > 1e-6)
		dec++;
	return dec;
}

static void
widen(double *lo, double *hi, bool *any, double v)
{
	if (!*any || v < *lo)
		*lo = v;
	if (!*any || v > *hi)
		*hi = v;
	*any = true;
}

/* The value range: given, or the data and targets with padding. */
static void
y_scale(struct draw *d)
{
	const struct chart *c = d->c;
	double lo = 0, hi = 0, pad;
	bool any = false, nonneg;
	size_t s, i;

	if (c->y_fixed) {
		d->ylo = c->y_min;
		d->yhi = c->y_max;
		d->ystep = nice_step((d->yhi - d->ylo) / 4);
		d->ydec = step_decimals(d->ystep);
		if (d->ydec < c->decimals)
			d->ydec = c->decimals;
		return;
	}
	for (s = 0; s < c->n_series; s++) {
		for (i = 0; i < c->series[s].n; i++)
			widen(&lo, &hi, &any, c->series[s].p[i].y);
		if (c->series[s].target.has_low)
			widen(&lo, &hi, &any, c->series[s].target.low);
		if (c->series[s].target.has_high)
			widen(&lo, &hi, &any, c->series[s].target.high);
	}
	if (!any) {
		lo = 0;
		hi = 1;
	}
	nonneg = lo >= 0;
	if (hi - lo < 1e-9) {
		pad = fabs(lo) * 0.05;
		pad = pad > 0 ? pad : 1;
		lo -= pad;
		hi += pad;
	}
	pad = (hi - lo) * 0.08;
	lo -= pad;
	hi += pad;
	if (nonneg && lo < 0)
		lo = 0;		/* no axis below 0 for steps or sleep */
	d->ystep = nice_step((hi - lo) / 4);
	d->ylo = floor(lo / d->ystep) * d->ystep;
	d->yhi = ceil(hi / d->ystep) * d->ystep;
	d->ydec = step_decimals(d->ystep);
	if (d->ydec < c->decimals)
		d->ydec = c->decimals;
}

static void
x_scale(struct draw *d)
{
	const struct chart *c = d->c;
	bool any = false;
	size_t s;

	for (s = 0; s < c->n_series; s++) {
		if (!c->series[s].n)
			continue;
		if (!any || c->series[s].p[0].t < d->tmin)
			d->tmin = c->series[s].p[0].t;
		if (!any || c->series[s].p[c->series[s].n - 1].t > d->tmax)
			d->tmax = c->series[s].p[c->series[s].n - 1].t;
		any = true;
	}
	d->empty = !any;
	if (any && d->tmax == d->tmin) {
		/* One moment: a day either side, so it sits in the middle. */
		d->tmin -= 86400;
		d->tmax += 86400;
	}
}

/* Date ticks. */
enum tick_unit { TICK_HOUR, TICK_DAY, TICK_MONTH, TICK_YEAR };

struct tick_plan {
	enum tick_unit unit;
	int step;
};

static const struct tick_plan plans[] = {
	{TICK_HOUR, 1}, {TICK_HOUR, 2}, {TICK_HOUR, 3}, {TICK_HOUR, 6},
	{TICK_HOUR, 12}, {TICK_DAY, 1}, {TICK_DAY, 2}, {TICK_DAY, 7},
	{TICK_DAY, 14}, {TICK_MONTH, 1}, {TICK_MONTH, 2}, {TICK_MONTH, 3},
	{TICK_MONTH, 6}, {TICK_YEAR, 1}, {TICK_YEAR, 2}, {TICK_YEAR, 5},
	{TICK_YEAR, 10}, {TICK_YEAR, 20}, {TICK_YEAR, 50}
};

static bool
to_tm(int64_t local, struct tm *tm)
{
	time_t t = (time_t)local;

	return gmtime_r(&t, tm) != NULL;
}

/* The first tick at or after local time `from`. */
static int64_t
first_tick(const struct tick_plan *p, int64_t from)
{
	struct tm tm;
	int64_t day, t;

	if (!to_tm(from, &tm))
		return from;
	day = from - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	switch (p->unit) {
	case TICK_HOUR:
		t = day + (int64_t)((tm.tm_hour / p->step) * p->step) * 3600;
		while (t < from)
			t += (int64_t)p->step * 3600;
		return t;
	case TICK_DAY:
		return day < from ? day + 86400 : day;
	case TICK_MONTH:
	case TICK_YEAR:
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mday = 1;
		if (p->unit == TICK_YEAR)
			tm.tm_mon = 0;
		t = (int64_t)timegm(&tm);
		if (t < from) {
			if (p->unit == TICK_YEAR)
				tm.tm_year++;
			else
				tm.tm_mon++;
		}
		if (p->unit == TICK_MONTH)
			tm.tm_mon += (p->step - tm.tm_mon % p->step) % p->step;
		else
			tm.tm_year += (p->step - (tm.tm_year + 1900) % p->step)
				      % p->step;
		return (int64_t)timegm(&tm);
	}
	return from;
}

static int64_t
next_tick(const struct tick_plan *p, int64_t t)
{
	struct tm tm;

	switch (p->unit) {
	case TICK_HOUR:
		return t + (int64_t)p->step * 3600;
	case TICK_DAY:
		return t + (int64_t)p->step * 86400;
	case TICK_MONTH:
	case TICK_YEAR:
		if (!to_tm(t, &tm))
			return INT64_MAX;
		if (p->unit == TICK_MONTH)
			tm.tm_mon += p->step;
		else
			tm.tm_year += p->step;
		return (int64_t)timegm(&tm);
	}
	return INT64_MAX;
}

static size_t
count_ticks(const struct tick_plan *p, int64_t lo, int64_t hi)
{
	size_t n = 0;
	int64_t t;

	for (t = first_tick(p, lo); t <= hi && n <= X_TICKS_MAX;
	     t = next_tick(p, t))
		n++;
	return n;
}

static void
tick_label(struct draw *d, const struct tick_plan *p, int64_t local,
	   bool first)
{
	const char *const *mon = d->c->months ? d->c->months : english_months;
	struct tm tm;

	if (!to_tm(local, &tm))
		return;
	switch (p->unit) {
	case TICK_HOUR:
		if (tm.tm_hour == 0) {
			buf_printf(d->b, "%d ", tm.tm_mday);
			html(d->b, mon[tm.tm_mon]);
		} else {
			buf_printf(d->b, "%02d:00", tm.tm_hour);
		}
		break;
	case TICK_DAY:
		buf_printf(d->b, "%d ", tm.tm_mday);
		html(d->b, mon[tm.tm_mon]);
		break;
	case TICK_MONTH:
		html(d->b, mon[tm.tm_mon]);
		if (first || tm.tm_mon == 0)
			buf_printf(d->b, " %d", tm.tm_year + 1900);
		break;
	case TICK_YEAR:
		buf_printf(d->b, "%d", tm.tm_year + 1900);
		break;
	}
}

static void
x_axis(struct draw *d)
{
	int64_t off = d->c->utc_offset, lo = d->tmin + off, hi = d->tmax + off;
	const struct tick_plan *p = &plans[0];
	size_t i;
	int64_t t;
	long x;
	bool first = true;

	buf_printf(d->b, "<path stroke=\"#767676\" d=\"M%d %dH%d\"/>", PL, PB,
		   PR);
	if (d->empty)
		return;
	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		p = &plans[i];
		if (count_ticks(p, lo, hi) <= X_TICKS_MAX)
			break;
	}
	buf_adds(d->b, "<g text-anchor=\"middle\" fill=\"" INK "\">");
	for (t = first_tick(p, lo); t <= hi; t = next_tick(p, t)) {
		x = tx(d, t - off);
		buf_adds(d->b, "<text");
		attr(d->b, "x", x);
		/* Labels at the ends grow inwards, clear of the value axis. */
		if (x < (PL + 20) * 10)
			buf_adds(d->b, " text-anchor=\"start\"");
		else if (x > (PR - 20) * 10)
			buf_adds(d->b, " text-anchor=\"end\"");
		buf_printf(d->b, " y=\"%d\">", PB + 15);
		tick_label(d, p, t, first);
		buf_adds(d->b, "</text>");
		first = false;
	}
	buf_adds(d->b, "</g>");
}

static void
y_axis(struct draw *d)
{
	double v;
	int i, n = (int)lround((d->yhi - d->ylo) / d->ystep);
	unsigned flags = d->c->decimal_comma ? READING_FMT_COMMA : 0;

	if (n > 20)
		n = 20;		/* a given range with a tiny step */
	buf_adds(d->b, "<path stroke=\"" GRID "\" d=\"");
	for (i = 0; i <= n; i++) {
		v = d->ylo + i * d->ystep;
		if (v > d->yhi + d->ystep * 1e-6)
			break;
		buf_printf(d->b, "M%d ", PL);
		num(d->b, ty(d, v));
		buf_printf(d->b, "H%d", PR);
	}
	buf_adds(d->b, "\"/><g text-anchor=\"end\" fill=\"" INK "\">");
	for (i = 0; i <= n; i++) {
		v = d->ylo + i * d->ystep;
		if (v > d->yhi + d->ystep * 1e-6)
			break;
		buf_printf(d->b, "<text x=\"%d\"", PL - 5);
		attr(d->b, "y", ty(d, v) + 45);
		buf_addc(d->b, '>');
		reading_format_number(d->b, v, d->ydec, flags);
		buf_adds(d->b, "</text>");
	}
	buf_adds(d->b, "</g>");
	if (d->c->unit && *d->c->unit) {
		buf_printf(d->b, "<text x=\"4\" y=\"14\" fill=\"" INK "\">");
		html(d->b, d->c->unit);
		buf_adds(d->b, "</text>");
	}
}

static void
rect(struct buf *b, long y_top, long y_bottom)
{
	buf_printf(b, "<rect x=\"%d\"", PL);
	attr(b, "y", y_top);
	buf_printf(b, " width=\"%d\"", PR - PL);
	attr(b, "height", y_bottom - y_top);
}

static void
bands(struct draw *d)
{
	static const char *const fill[2] = {"#f2f2f2", "#e6e6e6"};
	const struct chart_band *bd;
	long top, bottom;
	size_t i;

	for (i = 0; i < d->c->n_bands; i++) {
		bd = &d->c->bands[i];
		if (bd->high <= d->ylo || bd->low >= d->yhi)
			continue;
		top = ty(d, bd->high);
		bottom = ty(d, bd->low);
		rect(d->b, top, bottom);
		buf_printf(d->b, " fill=\"%s\"/>", fill[i % 2]);
		/* A label needs 12 units of height to be read. */
		if (bd->label && bottom - top >= 120) {
			buf_printf(d->b, "<text x=\"%d\"", PL + 4);
			attr(d->b, "y", top + 110);
			buf_adds(d->b, " font-size=\"11\" fill=\"#555\">");
			html(d->b, bd->label);
			buf_adds(d->b, "</text>");
		}
	}
}

/* The shaded area of a target range, drawn under the grid. */
static void
target_fill(struct draw *d, const struct chart_range *r)
{
	long top, bottom;

	if (!r->has_low && !r->has_high)
		return;
	top = ty(d, r->has_high ? r->high : d->yhi);
	bottom = ty(d, r->has_low ? r->low : d->ylo);
	if (bottom <= top)
		return;
	rect(d->b, top, bottom);
	buf_adds(d->b, " fill=\"" TARGET_FILL "\"/>");
}

/* Its dashed edges, over the grid: the range still shows in grey. */
static void
target_edges(struct draw *d, const struct chart_range *r)
{
	long top, bottom;

	if (!r->has_low && !r->has_high)
		return;
	top = ty(d, r->has_high ? r->high : d->yhi);
	bottom = ty(d, r->has_low ? r->low : d->ylo);
	if (bottom <= top)
		return;
	buf_adds(d->b, "<path stroke=\"" TARGET_EDGE "\" "
		       "stroke-dasharray=\"4 3\" d=\"");
	if (r->has_high) {
		buf_printf(d->b, "M%d ", PL);
		num(d->b, top);
		buf_printf(d->b, "H%d", PR);
	}
	if (r->has_low) {
		buf_printf(d->b, "M%d ", PL);
		num(d->b, bottom);
		buf_printf(d->b, "H%d", PR);
	}
	buf_adds(d->b, "\"/>");
}

/* Appends `s` cut to MARKER_LABEL_MAX code points, with "…" if cut. */
static void
html_cut(struct buf *b, const char *s)
{
	size_t i = 0, cps = 0, len = strlen(s);

	while (i < len && cps < MARKER_LABEL_MAX) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		cps++;
	}
	buf_add_html(b, s, i);
	if (i < len)
		buf_adds(b, "…");
}

static void
markers(struct draw *d)
{
	const struct chart_marker *m;
	long x;
	size_t i, row = 0;

	for (i = 0; i < d->c->n_markers; i++) {
		m = &d->c->markers[i];
		if (d->empty || m->t < d->tmin || m->t > d->tmax)
			continue;
		x = tx(d, m->t);
		buf_adds(d->b, "<path stroke=\"#555\" stroke-dasharray=\"2 2\" "
			       "d=\"M");
		num(d->b, x);
		buf_printf(d->b, " %dV%d\"/>", PT, PB);
		/* A small triangle at the top: a shape, not just a line. */
		buf_adds(d->b, "<path fill=\"#555\" d=\"M");
		num(d->b, x - 40);
		buf_printf(d->b, " %dh8l-4 6z\"/>", PT);
		if (!m->label || !*m->label)
			continue;
		buf_adds(d->b, "<text");
		if (x > (PL + PR) * 5) {
			attr(d->b, "x", x - 30);
			buf_adds(d->b, " text-anchor=\"end\"");
		} else {
			attr(d->b, "x", x + 30);
		}
		/* Two rows, so neighbouring labels do not overlap. */
		buf_printf(d->b, " y=\"%d\" font-size=\"11\" fill=\"" INK "\" "
				 "stroke=\"#fff\" stroke-width=\"3\" "
				 "paint-order=\"stroke\">",
			   PT + 16 + (int)(row % 2) * 12);
		html_cut(d->b, m->label);
		buf_adds(d->b, "</text>");
		row++;
	}
}

static void
series(struct draw *d, size_t s)
{
	const struct chart_series *se = &d->c->series[s];
	long x, y, px = 0, py = 0;
	size_t i;

	if (!se->n)
		return;
	buf_printf(d->b, "<path class=\"chart-s%zu\" fill=\"none\" "
			 "stroke=\"%s\" stroke-width=\"2\" "
			 "stroke-linejoin=\"round\"%s d=\"",
		   s, series_colour[s],
		   s ? " stroke-dasharray=\"6 3\"" : "");
	for (i = 0; i < se->n; i++) {
		x = tx(d, se->p[i].t);
		y = ty(d, se->p[i].y);
		if (i == 0) {
			buf_addc(d->b, 'M');
			num(d->b, x);
			num_next(d->b, y);
			if (se->n > 1)
				buf_addc(d->b, 'l');
		} else {
			if (i > 1)
				num_next(d->b, x - px);
			else
				num(d->b, x - px);
			num_next(d->b, y - py);
		}
		px = x;
		py = y;
	}
	buf_adds(d->b, "\"/>");
	if (se->n > CHART_DOTS_MAX)
		return;
	/* Few points: mark each, circles for one series, squares for the
	 * other. */
	buf_printf(d->b, "<g fill=\"%s\">", series_colour[s]);
	for (i = 0; i < se->n; i++) {
		x = tx(d, se->p[i].t);
		y = ty(d, se->p[i].y);
		if (s == 0) {
			buf_adds(d->b, "<circle");
			attr(d->b, "cx", x);
			attr(d->b, "cy", y);
			buf_adds(d->b, " r=\"3\"/>");
		} else {
			buf_adds(d->b, "<rect");
			attr(d->b, "x", x - 28);
			attr(d->b, "y", y - 28);
			buf_adds(d->b, " width=\"5.6\" height=\"5.6\"/>");
		}
	}
	buf_adds(d->b, "</g>");
}

/* Rough width of `s` at font size 12: enough to place the next item. */
static int
text_width(const char *s)
{
	return (int)utf8_length(s, strlen(s)) * 7;
}

static void
legend(struct draw *d)
{
	const struct chart *c = d->c;
	bool targets = false;
	int x = PL + 14;
	size_t s;

	for (s = 0; s < c->n_series; s++)
		if (c->series[s].target.has_low || c->series[s].target.has_high)
			targets = true;
	if (c->n_series < 2 && !(targets && c->target_label))
		return;
	buf_adds(d->b, "<g font-size=\"12\" fill=\"" INK "\">");
	for (s = 0; c->n_series == 2 && s < 2; s++) {
		buf_printf(d->b, "<path stroke=\"%s\" stroke-width=\"2\"%s "
				 "d=\"M%d 10h18\"/>",
			   series_colour[s],
			   s ? " stroke-dasharray=\"6 3\"" : "", x);
		if (s == 0)
			buf_printf(d->b, "<circle fill=\"%s\" cx=\"%d\" "
					 "cy=\"10\" r=\"3\"/>",
				   series_colour[s], x + 9);
		else
			buf_printf(d->b, "<rect fill=\"%s\" x=\"%d.2\" "
					 "y=\"7.2\" width=\"5.6\" "
					 "height=\"5.6\"/>",
				   series_colour[s], x + 6);
		buf_printf(d->b, "<text x=\"%d\" y=\"14\">", x + 22);
		html(d->b, c->series[s].label);
		buf_adds(d->b, "</text>");
		x += 22 + (c->series[s].label ? text_width(c->series[s].label)
					      : 0) + 12;
	}
	if (targets && c->target_label) {
		buf_printf(d->b, "<rect x=\"%d\" y=\"5\" width=\"18\" "
				 "height=\"10\" fill=\"" TARGET_FILL "\" "
				 "stroke=\"" TARGET_EDGE "\" "
				 "stroke-dasharray=\"4 3\"/>", x);
		buf_printf(d->b, "<text x=\"%d\" y=\"14\">", x + 22);
		html(d->b, c->target_label);
		buf_adds(d->b, "</text>");
	}
	buf_adds(d->b, "</g>");
}

static bool
id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n < 1 || n > 32)
		return false;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		      id[i] == '_'))
			return false;
	return true;
}

/* Years 0-9999: keeps the tick arithmetic far from overflow. */
static bool
t_ok(int64_t t)
{
	return t >= -62167219200 && t <= 253402300799;
}

static bool
valid(const struct chart *c)
{
	size_t s, i;

	if (!c->title || !c->desc || c->n_series < 1 || c->n_series > 2 ||
	    (c->id && !id_ok(c->id)) || c->decimals < 0 || c->decimals > 3 ||
	    c->n_bands > CHART_BANDS_MAX || c->n_markers > CHART_MARKERS_MAX ||
	    (c->n_bands && !c->bands) || (c->n_markers && !c->markers))
		return false;
	if (c->y_fixed && (!isfinite(c->y_min) || !isfinite(c->y_max) ||
			   c->y_max <= c->y_min))
		return false;
	if (!text_ok(c->title) || !text_ok(c->desc) || !text_ok(c->unit) ||
	    !text_ok(c->target_label) || !text_ok(c->empty))
		return false;
	for (s = 0; s < c->n_series; s++) {
		const struct chart_series *se = &c->series[s];

		if (se->n > CHART_POINTS_MAX || (se->n && !se->p) ||
		    !text_ok(se->label))
			return false;
		if ((se->target.has_low && !isfinite(se->target.low)) ||
		    (se->target.has_high && !isfinite(se->target.high)))
			return false;
		for (i = 0; i < se->n; i++)
			if (!isfinite(se->p[i].y) || !t_ok(se->p[i].t) ||
			    (i && se->p[i].t < se->p[i - 1].t))
				return false;
	}
	for (i = 0; i < c->n_bands; i++)
		if (!isfinite(c->bands[i].low) || !isfinite(c->bands[i].high) ||
		    !text_ok(c->bands[i].label))
			return false;
	for (i = 0; i < c->n_markers; i++)
		if (!text_ok(c->markers[i].label) || !t_ok(c->markers[i].t))
			return false;
	for (i = 0; c->months && i < 12; i++)
		if (!c->months[i] || !text_ok(c->months[i]))
			return false;
	return true;
}

enum err
chart_svg(struct buf *b, const struct chart *c)
{
	struct draw d;
	size_t s;

	if (!c || !valid(c))
		return ERR_INVALID;
	memset(&d, 0, sizeof(d));
	d.b = b;
	d.c = c;
	x_scale(&d);
	y_scale(&d);
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		      "viewBox=\"0 0 %d %d\" role=\"img\" class=\"chart\" "
		      "font-family=\"sans-serif\" font-size=\"13\"",
		   CHART_WIDTH, CHART_HEIGHT);
	if (c->id)
		buf_printf(b, " aria-labelledby=\"%s-t %s-d\"", c->id, c->id);
	buf_adds(b, "><title");
	if (c->id)
		buf_printf(b, " id=\"%s-t\"", c->id);
	buf_addc(b, '>');
	html(b, c->title);
	buf_adds(b, "</title><desc");
	if (c->id)
		buf_printf(b, " id=\"%s-d\"", c->id);
	buf_addc(b, '>');
	html(b, c->desc);
	buf_adds(b, "</desc>");
	bands(&d);
	for (s = 0; s < c->n_series; s++)
		target_fill(&d, &c->series[s].target);
	y_axis(&d);
	for (s = 0; s < c->n_series; s++)
		target_edges(&d, &c->series[s].target);
	x_axis(&d);
	markers(&d);
	for (s = 0; s < c->n_series; s++)
		series(&d, s);
	legend(&d);
	if (d.empty && c->empty) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			      "fill=\"" INK "\">",
			   (PL + PR) / 2, (PT + PB) / 2);
		html(b, c->empty);
		buf_adds(b, "</text>");
	}
	buf_adds(b, "</svg>");
	if (b->failed)
		return arena_failed(b->a) ? ERR_NOMEM : ERR_TOO_LARGE;
	return ERR_OK;
}

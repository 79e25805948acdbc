/*
 * Unit tests for the chart helpers: LTTB thinning (first, last, lowest
 * and highest kept, the count bounded, order kept), the SVG chart (well
 * formed, accessible, escaped, small) and target ranges with the alert
 * grouping rule.
 */
#include "support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "measures/chart.h"
#include "measures/downsample.h"
#include "measures/target.h"

#define ARENA_CAP (16 << 20)
#define DAY 86400
#define T0 1767427200		/* 2026-01-03T00:00:00Z */

/* A deterministic pseudo-random walk with spikes. */
static struct ts_point *
walk(size_t n, unsigned seed, int64_t step)
{
	struct ts_point *p = calloc(n ? n : 1, sizeof(*p));
	double y = 80;
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		y += ((double)((seed >> 16) % 200) - 100) / 100;
		if ((seed >> 8) % 97 == 0)
			y += (seed & 1) ? 15 : -15;
		p[i].t = T0 + (int64_t)i * step;
		p[i].y = y;
	}
	return p;
}

static size_t
arg_min(const struct ts_point *p, size_t n)
{
	size_t i, m = 0;

	for (i = 1; i < n; i++)
		if (p[i].y < p[m].y)
			m = i;
	return m;
}

static size_t
arg_max(const struct ts_point *p, size_t n)
{
	size_t i, m = 0;

	for (i = 1; i < n; i++)
		if (p[i].y > p[m].y)
			m = i;
	return m;
}

static bool
has(const size_t *idx, size_t m, size_t want)
{
	size_t i;

	for (i = 0; i < m; i++)
		if (idx[i] == want)
			return true;
	return false;
}

/* Checks the promises of downsample_lttb() on one input. */
static void
check_lttb(const struct ts_point *p, size_t n, size_t threshold)
{
	size_t *idx = calloc(n + DOWNSAMPLE_MIN, sizeof(*idx));
	size_t m, i, cap = threshold < DOWNSAMPLE_MIN ? DOWNSAMPLE_MIN
						      : threshold;

	m = downsample_lttb(p, n, threshold, idx);
	if (cap >= n) {
		assert_int_equal(m, n);
		for (i = 0; i < n; i++)
			assert_int_equal(idx[i], i);
		free(idx);
		return;
	}
	if (m > cap)
		fail_msg("n %zu threshold %zu gave %zu points", n, threshold,
			 m);
	assert_true(m >= DOWNSAMPLE_MIN - 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[m - 1], n - 1);
	for (i = 1; i < m; i++)
		assert_true(idx[i] > idx[i - 1]);
	assert_true(has(idx, m, arg_min(p, n)));
	assert_true(has(idx, m, arg_max(p, n)));
	free(idx);
}

static void
test_lttb(void **state)
{
	static const size_t ns[] = {0, 1, 2, 3, 4, 5, 6, 7, 10, 50, 301, 1000,
				    5000};
	static const size_t ths[] = {0, 1, 3, 4, 5, 6, 7, 10, 100, 300, 5000};
	struct ts_point *p;
	size_t a, b;
	unsigned seed;

	for (seed = 1; seed < 40; seed++)
		for (a = 0; a < sizeof(ns) / sizeof(ns[0]); a++) {
			p = walk(ns[a], seed, 3600);
			for (b = 0; b < sizeof(ths) / sizeof(ths[0]); b++)
				check_lttb(p, ns[a], ths[b]);
			free(p);
		}
}

static void
test_lttb_extremes(void **state)
{
	struct ts_point p[100];
	size_t idx[100], m, i;

	/* Lowest and highest side by side in one bucket: both kept, and
	 * still no more than the threshold. */
	for (i = 0; i < 100; i++) {
		p[i].t = (int64_t)i * 60;
		p[i].y = 50 + (double)(i % 3);
	}
	p[40].y = 10;
	p[41].y = 99;
	for (i = DOWNSAMPLE_MIN; i < 20; i++) {
		m = downsample_lttb(p, 100, i, idx);
		assert_true(m <= i);
		assert_true(has(idx, m, 40));
		assert_true(has(idx, m, 41));
		assert_int_equal(idx[0], 0);
		assert_int_equal(idx[m - 1], 99);
	}
	/* Extremes at the ends; equal times; a flat line. */
	p[0].y = 0;
	p[99].y = 200;
	m = downsample_lttb(p, 100, 10, idx);
	assert_true(m <= 10 && has(idx, m, 0) && has(idx, m, 99));
	for (i = 0; i < 100; i++) {
		p[i].t = 1000;
		p[i].y = 5;
	}
	m = downsample_lttb(p, 100, 10, idx);
	assert_true(m <= 10 && m >= 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[m - 1], 99);

	/* A spike LTTB keeps anyway: a sine with one peak. */
	for (i = 0; i < 100; i++) {
		p[i].t = (int64_t)i;
		p[i].y = sin((double)i / 5);
	}
	p[57].y = 30;
	m = downsample_lttb(p, 100, 12, idx);
	assert_true(m <= 12 && has(idx, m, 57));
}

/*
 * A small checker of the SVG's XML: tags balance, attributes are quoted,
 * text has no raw '<' or '&' outside entities, and nothing active
 * appears. Returns the number of elements.
 */
static size_t
check_svg(const char *s)
{
	const char *stack[64], *p = s, *q;
	size_t lens[64], depth = 0, elements = 0, n;

	assert_true(strncmp(s, "<svg ", 5) == 0);
	while (*p) {
		if (*p == '&') {
			q = strchr(p, ';');
			assert_non_null(q);
			assert_true(q - p <= 6);
			p = q + 1;
			continue;
		}
		if (*p != '<') {
			assert_true(*p != '>');
			p++;
			continue;
		}
		if (p[1] == '/') {
			p += 2;
			n = strcspn(p, ">");
			assert_true(depth > 0);
			depth--;
			if (n != lens[depth] || strncmp(p, stack[depth], n))
				fail_msg("</%.*s> closes <%.*s>", (int)n, p,
					 (int)lens[depth], stack[depth]);
			p += n + 1;
			continue;
		}
		p++;
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
		assert_true(n > 0);
		elements++;
		stack[depth] = p;
		lens[depth] = n;
		p += n;
		/* Attributes: name="value" with no '<' or '"' inside. */
		for (;;) {
			while (*p == ' ')
				p++;
			if (*p == '>' || (p[0] == '/' && p[1] == '>'))
				break;
			n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ-:");
			assert_true(n > 0);
			assert_false(n > 2 && p[0] == 'o' && p[1] == 'n');
			assert_false(n == 5 && strncmp(p, "style", 5) == 0);
			p += n;
			assert_true(p[0] == '=' && p[1] == '"');
			p += 2;
			q = strchr(p, '"');
			assert_non_null(q);
			for (; p < q; p++)
				assert_true(*p != '<');
			p++;
		}
		if (*p == '/') {
			p += 2;
		} else {
			p++;
			depth++;
			assert_true(depth < 64);
		}
	}
	assert_int_equal(depth, 0);
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "javascript:"));
	assert_null(strstr(s, "href"));
	return elements;
}

static const char *
render(struct arena *a, const struct chart *c)
{
	struct buf b;

	buf_init(&b, a, 1 << 20);
	assert_int_equal(chart_svg(&b, c), ERR_OK);
	check_svg(b.p);
	return b.p;
}

static void
base(struct chart *c)
{
	memset(c, 0, sizeof(*c));
	c->id = "weight-chart";
	c->title = "Weight";
	c->desc = "Weight: 12 readings from 3 Jan to 2 Mar 2026, latest "
		  "81.2 kg";
	c->unit = "kg";
	c->n_series = 1;
	c->decimals = 1;
}

static void
test_chart_basic(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct ts_point *p = walk(12, 7, 5 * DAY);
	struct chart c;
	const char *svg;

	base(&c);
	c.series[0].label = "Weight";
	c.series[0].p = p;
	c.series[0].n = 12;
	c.series[0].target.has_high = true;
	c.series[0].target.high = 85;
	c.target_label = "Agreed range";
	svg = render(a, &c);
	assert_non_null(strstr(svg, "role=\"img\""));
	assert_non_null(strstr(svg, "viewBox=\"0 0 400 240\""));
	assert_non_null(strstr(svg, "aria-labelledby=\"weight-chart-t "
				    "weight-chart-d\""));
	assert_non_null(strstr(svg, "<title id=\"weight-chart-t\">Weight"
				    "</title>"));
	assert_non_null(strstr(svg, "<desc id=\"weight-chart-d\">Weight: 12 "
				    "readings from 3 Jan to 2 Mar 2026, "
				    "latest 81.2 kg</desc>"));
	assert_null(strstr(svg, "width=\"400\""));	/* scales to fit */
	/* Few points: each is a circle; dates in days and months. */
	assert_non_null(strstr(svg, "<circle"));
	assert_non_null(strstr(svg, "Jan"));
	assert_non_null(strstr(svg, "Feb"));
	assert_non_null(strstr(svg, "Agreed range"));
	assert_non_null(strstr(svg, "stroke-dasharray"));
	/* One decimal at most in every number. */
	assert_null(strstr(svg, ".00"));
	free(p);
	arena_free(a);
}

static void
test_chart_escapes(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct ts_point p[3] = {{T0, 1}, {T0 + DAY, 2}, {T0 + 2 * DAY, 3}};
	struct chart_band band = {0, 2, "<script>alert(1)</script>"};
	struct chart_marker mk = {T0 + DAY, "\"><img src=x onerror=alert(1)>"};
	struct chart c;
	const char *svg;

	base(&c);
	c.id = NULL;
	c.title = "<script>alert('t')</script>";
	c.desc = "a & b <b>";
	c.unit = "</text><script>";
	c.series[0].p = p;
	c.series[0].n = 3;
	c.bands = &band;
	c.n_bands = 1;
	c.y_fixed = true;
	c.y_min = 0;
	c.y_max = 4;
	c.markers = &mk;
	c.n_markers = 1;
	svg = render(a, &c);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "<img"));
	assert_non_null(strstr(svg, "&lt;script&gt;alert(&#39;t&#39;)"));
	assert_non_null(strstr(svg, "a &amp; b &lt;b&gt;"));
	assert_null(strstr(svg, "aria-labelledby"));
	arena_free(a);
}

static void
test_chart_size(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct ts_point *p = walk(300, 3, DAY);
	struct ts_point *q = walk(300, 4, DAY);
	struct chart_marker mk[3] = {
		{T0 + 30 * DAY, "New tablets"},
		{T0 + 120 * DAY, "Dose up"},
		{T0 + 200 * DAY, "A very long label that goes on and on and on"}
	};
	struct chart c;
	const char *svg;
	size_t i;

	base(&c);
	c.series[0].label = "Weight";
	c.series[0].p = p;
	c.series[0].n = 300;
	c.series[0].target.has_low = true;
	c.series[0].target.low = 70;
	c.series[0].target.has_high = true;
	c.series[0].target.high = 85;
	c.target_label = "Agreed range";
	c.markers = mk;
	c.n_markers = 3;
	svg = render(a, &c);
	if (strlen(svg) >= 6 * 1024)
		fail_msg("300 points: %zu bytes", strlen(svg));
	assert_null(strstr(svg, "<circle"));	/* too many to mark */
	assert_non_null(strstr(svg, "New tablets"));
	assert_non_null(strstr(svg, "…"));
	assert_null(strstr(svg, "on and on and on"));

	/* Blood pressure: two series, two targets, a legend that tells them
	 * apart by dash and shape. */
	for (i = 0; i < 300; i++) {
		p[i].y += 50;
		q[i].y = p[i].y - 45;
	}
	c.title = "Blood pressure";
	c.unit = "mmHg";
	c.n_series = 2;
	c.series[0].label = "Systolic";
	c.series[0].target.low = 90;
	c.series[0].target.high = 140;
	c.series[1].label = "Diastolic";
	c.series[1].p = q;
	c.series[1].n = 300;
	c.series[1].target.has_high = true;
	c.series[1].target.high = 90;
	c.decimals = 0;
	svg = render(a, &c);
	if (strlen(svg) >= 10 * 1024)
		fail_msg("2 x 300 points: %zu bytes", strlen(svg));
	assert_non_null(strstr(svg, "Systolic"));
	assert_non_null(strstr(svg, "Diastolic"));
	assert_non_null(strstr(svg, "stroke-dasharray=\"6 3\""));
	free(p);
	free(q);
	arena_free(a);
}

static void
test_chart_axes(void **state)
{
	static const char *const es[12] = {
		"ene", "feb", "mar", "abr", "may", "jun",
		"jul", "ago", "sept", "oct", "nov", "dic"
	};
	struct arena *a = arena_new(ARENA_CAP);
	struct ts_point *p;
	struct chart_band bands[4] = {
		{0, 5, "Minimal"}, {5, 10, "Mild"}, {10, 15, "Moderate"},
		{15, 27, "Severe"}
	};
	struct chart c;
	const char *svg;

	/* Hours: one day of readings. */
	base(&c);
	p = walk(8, 1, 3 * 3600);
	c.series[0].p = p;
	c.series[0].n = 8;
	svg = render(a, &c);
	assert_non_null(strstr(svg, ":00<"));
	free(p);

	/* Years; a score's range with labelled bands. */
	base(&c);
	p = walk(40, 2, 60 * DAY);
	c.title = "PHQ-9";
	c.unit = NULL;
	c.decimals = 0;
	c.series[0].p = p;
	c.series[0].n = 40;
	c.y_fixed = true;
	c.y_min = 0;
	c.y_max = 27;
	c.bands = bands;
	c.n_bands = 4;
	svg = render(a, &c);
	assert_non_null(strstr(svg, ">2027<"));
	assert_non_null(strstr(svg, ">2032<"));
	assert_non_null(strstr(svg, "Moderate"));
	assert_non_null(strstr(svg, ">25<"));
	free(p);

	/* Months in Spanish with a decimal comma. */
	base(&c);
	p = walk(30, 3, 7 * DAY);
	c.series[0].p = p;
	c.series[0].n = 30;
	c.months = es;
	c.decimal_comma = true;
	c.decimals = 1;
	svg = render(a, &c);
	assert_non_null(strstr(svg, ">feb 2026<"));
	assert_non_null(strstr(svg, ">mar<"));
	assert_non_null(strstr(svg, ",0<"));
	assert_null(strstr(svg, ">Feb"));
	free(p);

	/* One point; no points at all. */
	base(&c);
	{
		struct ts_point one = {T0, 81.2};

		c.series[0].p = &one;
		c.series[0].n = 1;
		svg = render(a, &c);
		assert_non_null(strstr(svg, "<circle"));
	}
	base(&c);
	c.empty = "No readings yet";
	svg = render(a, &c);
	assert_non_null(strstr(svg, "No readings yet"));
	arena_free(a);
}

static void
test_chart_invalid(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct ts_point p[2] = {{T0 + DAY, 1}, {T0, 2}};
	struct ts_point ok[2] = {{T0, 1}, {T0 + DAY, NAN}};
	struct chart c;
	struct buf b;

	buf_init(&b, a, 1 << 20);
	base(&c);
	c.title = NULL;
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	base(&c);
	c.n_series = 3;
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	base(&c);
	c.id = "bad id\"";
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	base(&c);
	c.series[0].p = p;	/* not sorted */
	c.series[0].n = 2;
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	base(&c);
	c.series[0].p = ok;	/* NaN */
	c.series[0].n = 2;
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	base(&c);
	c.desc = "bad \xff utf-8";
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	base(&c);
	c.y_fixed = true;
	c.y_min = 5;
	c.y_max = 5;
	assert_int_equal(chart_svg(&b, &c), ERR_INVALID);
	assert_int_equal(b.len, 0);

	/* A buffer too small. */
	buf_init(&b, a, 100);
	base(&c);
	assert_int_equal(chart_svg(&b, &c), ERR_TOO_LARGE);
	arena_free(a);
}

static void
test_target_check(void **state)
{
	struct target_range r = {true, true, 70, 85};
	struct target_range open_r = {false, false, 0, 0};
	struct target_range bp[READING_PARTS_MAX] = {
		{false, true, 0, 140}, {false, true, 0, 90}
	};
	struct reading_value v = {READING_BLOOD_PRESSURE, {140, 90}, NULL};
	enum target_status st[READING_PARTS_MAX];

	assert_int_equal(target_check(&r, 70), TARGET_WITHIN);
	assert_int_equal(target_check(&r, 85), TARGET_WITHIN);
	assert_int_equal(target_check(&r, 69.9), TARGET_BELOW);
	assert_int_equal(target_check(&r, 85.1), TARGET_ABOVE);
	assert_int_equal(target_check(&r, 85.00001), TARGET_WITHIN);
	assert_int_equal(target_check(&open_r, -1e9), TARGET_WITHIN);
	r.has_low = false;
	assert_int_equal(target_check(&r, -5), TARGET_WITHIN);
	r.has_low = true;
	r.has_high = false;
	assert_int_equal(target_check(&r, 1e9), TARGET_WITHIN);
	assert_int_equal(target_check(&r, 60), TARGET_BELOW);

	/* Blood pressure: each number against its own range. */
	assert_false(target_check_reading(bp, &v, st));
	assert_int_equal(st[0], TARGET_WITHIN);
	assert_int_equal(st[1], TARGET_WITHIN);
	v.v[1] = 91;
	assert_true(target_check_reading(bp, &v, st));
	assert_int_equal(st[0], TARGET_WITHIN);
	assert_int_equal(st[1], TARGET_ABOVE);
	v.v[0] = 150;
	v.v[1] = 50;
	bp[1].has_low = true;
	bp[1].low = 60;
	assert_true(target_check_reading(bp, &v, st));
	assert_int_equal(st[0], TARGET_ABOVE);
	assert_int_equal(st[1], TARGET_BELOW);
	assert_true(target_check_reading(bp, &v, NULL));
	/* A one-number kind ignores the second range. */
	v.kind = READING_WEIGHT;
	v.v[0] = 100;
	assert_false(target_check_reading(bp, &v, st));
	assert_int_equal(st[1], TARGET_WITHIN);
}

static void
test_alert_rule(void **state)
{
	const int64_t now = T0 + 30 * DAY;
	struct target_alert open = {now - 3 * DAY, now - DAY, 2}, out;
	struct target_alert before = {0, 0, 0};

	out = before;
	/* In range: nothing, open or not. */
	assert_int_equal(target_alert_apply(&open, false, now, now, &out),
			 TARGET_ALERT_NONE);
	assert_int_equal(target_alert_apply(NULL, false, now, now, &out),
			 TARGET_ALERT_NONE);
	assert_int_equal(out.count, 0);
	/* No open alert: a new one. */
	assert_int_equal(target_alert_apply(NULL, true, now - 60, now, &out),
			 TARGET_ALERT_OPEN);
	assert_int_equal(out.count, 1);
	assert_int_equal(out.first, now - 60);
	assert_int_equal(out.last, now - 60);
	/* Open: joins and counts, however long it has been open. */
	assert_int_equal(target_alert_apply(&open, true, now, now, &out),
			 TARGET_ALERT_JOIN);
	assert_int_equal(out.count, 3);
	assert_int_equal(out.first, now - 3 * DAY);
	assert_int_equal(out.last, now);
	open.first = now - 400 * DAY;
	assert_int_equal(target_alert_apply(&open, true, now, now, &out),
			 TARGET_ALERT_JOIN);
	/* An older imported reading widens the alert back. */
	open.first = now - 3 * DAY;
	assert_int_equal(target_alert_apply(&open, true, now - 20 * DAY, now,
					    &out),
			 TARGET_ALERT_JOIN);
	assert_int_equal(out.first, now - 20 * DAY);
	assert_int_equal(out.last, now - DAY);
	/* Stale history opens nothing; exactly at the limit still does. */
	out = before;
	assert_int_equal(target_alert_apply(NULL, true,
					    now - TARGET_ALERT_STALE - 1, now,
					    &out),
			 TARGET_ALERT_NONE);
	assert_int_equal(out.count, 0);
	assert_int_equal(target_alert_apply(NULL, true,
					    now - TARGET_ALERT_STALE, now,
					    &out),
			 TARGET_ALERT_OPEN);
	assert_int_equal(target_alert_apply(NULL, true, INT64_MIN, now, &out),
			 TARGET_ALERT_NONE);
	/* The count saturates. */
	open.count = UINT32_MAX;
	assert_int_equal(target_alert_apply(&open, true, now, now, &out),
			 TARGET_ALERT_JOIN);
	assert_int_equal(out.count, UINT32_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lttb),
		cmocka_unit_test(test_lttb_extremes),
		cmocka_unit_test(test_chart_basic),
		cmocka_unit_test(test_chart_escapes),
		cmocka_unit_test(test_chart_size),
		cmocka_unit_test(test_chart_axes),
		cmocka_unit_test(test_chart_invalid),
		cmocka_unit_test(test_target_check),
		cmocka_unit_test(test_alert_rule),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_chart", tests, NULL,
					   NULL);
}

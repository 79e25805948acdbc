/*
 * Unit tests for the CSV import of readings: good files in every
 * accepted shape (BOM, CRLF, semicolons, quotes), each kind of refusal
 * with its row, column and message, repeats, caps, and feeding the same
 * file in chunks of every size.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "measures/readings_csv.h"

#define ARENA_CAP (64 << 20)
#define NOW 1773144000		/* 2026-03-10T12:00:00Z */
#define T_0301_0830 1772353800	/* 2026-03-01T08:30:00Z */
#define T_0301 1772323200	/* 2026-03-01T00:00:00Z */
#define KEEP 64

struct seen_problem {
	enum readings_csv_level level;
	size_t row;
	char column[64];
	char text[64];
	size_t same_as;
	const char *msg;
};

/* What the callbacks saw. */
struct got {
	struct readings_csv_row rows[KEEP];
	size_t n_rows;
	struct seen_problem p[KEEP];
	size_t n_p;
	size_t stop_after;	/* on_row fails after this many; 0: never */
	struct readings_csv_totals t;
	enum err e;
};

static void
copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static enum err
on_row(void *ud, const struct readings_csv_row *r)
{
	struct got *g = ud;

	if (g->n_rows < KEEP)
		g->rows[g->n_rows] = *r;
	g->n_rows++;
	if (g->stop_after && g->n_rows >= g->stop_after)
		return ERR_DB;
	return ERR_OK;
}

static enum err
on_problem(void *ud, const struct readings_csv_problem *p)
{
	struct got *g = ud;
	struct seen_problem *s;

	assert_non_null(p->msg);
	if (g->n_p < KEEP) {
		s = &g->p[g->n_p];
		s->level = p->level;
		s->row = p->row;
		copy(s->column, sizeof(s->column), p->column);
		copy(s->text, sizeof(s->text), p->text);
		s->same_as = p->same_as;
		s->msg = p->msg;
	}
	g->n_p++;
	return ERR_OK;
}

static void
opts(struct readings_csv_opts *o, struct got *g)
{
	memset(o, 0, sizeof(*o));
	o->now = NOW;
	o->on_row = on_row;
	o->on_problem = on_problem;
	o->ud = g;
}

/* Parses `len` bytes of `csv` in one call. */
static void
parse_n(struct got *g, const char *csv, size_t len)
{
	struct readings_csv_opts o;
	struct arena *a = arena_new(ARENA_CAP);

	opts(&o, g);
	g->e = readings_csv_parse(a, &o, csv, len, &g->t);
	arena_free(a);
}

static struct got *
parse(const char *csv)
{
	struct got *g = calloc(1, sizeof(*g));

	parse_n(g, csv, strlen(csv));
	return g;
}

static void
expect_problem(const struct got *g, size_t i, enum readings_csv_level level,
	       size_t row, const char *column, const char *msg_part)
{
	if (i >= g->n_p)
		fail_msg("problem %zu missing (%zu seen)", i, g->n_p);
	assert_int_equal(g->p[i].level, level);
	if (g->p[i].row != row)
		fail_msg("problem %zu on row %zu, want %zu: %s", i, g->p[i].row,
			 row, g->p[i].msg);
	assert_string_equal(g->p[i].column, column ? column : "");
	if (msg_part && !strstr(g->p[i].msg, msg_part))
		fail_msg("problem %zu: \"%s\" lacks \"%s\"", i, g->p[i].msg,
			 msg_part);
}

static void
test_good_file(void **state)
{
	struct got *g = parse(
		"date,time,measure,value,unit\n"
		"2026-03-01,08:30,blood-pressure,128/82,mmHg\n"
		"2026-03-01,08:31,Heart rate,72,\n"
		"2026-03-01,,weight,81.2,kg\n"
		"2026-03-02,7:05,weight,180,lb\n"
		"2026-03-02,07:05:30,glucose,101,mg/dL\n"
		"2026-03-03,21:15,spo2,97,%\n"
		"2026-03-03,21:15,temperature,98.6,°F\n"
		"2026-03-03,,steps,\"10,000\",\n"
		"2026-03-04,,Sleep,7:30,h\n"
		"2026-03-05T06:00,,temperature,36.6,\n"
		"2026-03-05 06:00:01,,temperature,36.7,\n");

	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_p, 0);
	assert_int_equal(g->n_rows, 11);
	assert_int_equal(g->t.rows, 11);
	assert_int_equal(g->t.good, 11);
	assert_int_equal(g->t.bad, 0);
	assert_int_equal(g->rows[0].row, 2);
	assert_int_equal(g->rows[0].value.kind, READING_BLOOD_PRESSURE);
	assert_true(g->rows[0].value.v[0] == 128 &&
		    g->rows[0].value.v[1] == 82);
	assert_int_equal(g->rows[0].time, T_0301_0830);
	assert_true(g->rows[0].has_time);
	assert_int_equal(g->rows[1].value.kind, READING_HEART_RATE);
	assert_int_equal(g->rows[2].time, T_0301);
	assert_false(g->rows[2].has_time);
	assert_string_equal(g->rows[3].value.entered->label, "lb");
	assert_true(g->rows[3].value.v[0] > 81.6 &&
		    g->rows[3].value.v[0] < 81.7);
	assert_int_equal(g->rows[3].time, T_0301 + 86400 + 7 * 3600 + 300);
	assert_int_equal(g->rows[4].time, T_0301 + 86400 + 7 * 3600 + 330);
	assert_true(g->rows[6].value.v[0] > 36.99 &&
		    g->rows[6].value.v[0] < 37.01);
	assert_true(g->rows[7].value.v[0] == 10000);
	assert_true(g->rows[8].value.v[0] == 7.5);
	assert_int_equal(g->rows[9].time, T_0301 + 4 * 86400 + 6 * 3600);
	assert_true(g->rows[9].has_time);
	assert_int_equal(g->rows[10].row, 12);
	free(g);
}

static void
test_bom_crlf_semicolons(void **state)
{
	struct got *g;

	/* BOM, CRLF, semicolons, decimal comma without quotes, columns in
	 * another order, names in capitals, no unit column. */
	g = parse("\xef\xbb\xbf" "Measure;Value;Date;Time\r\n"
		  "weight;81,2;2026-03-01;08:30\r\n"
		  "temperature;36,9;2026-03-01;08:30\r\n");
	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_p, 0);
	assert_int_equal(g->n_rows, 2);
	assert_true(g->rows[0].value.v[0] == 81.2);
	assert_int_equal(g->rows[0].time, T_0301_0830);
	assert_int_equal(g->rows[1].row, 3);
	free(g);

	/* Lone CRs (old Mac), no line break at the end. */
	g = parse("date,measure,value\r2026-03-01,weight,80\r"
		  "2026-03-02,weight,81");
	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_rows, 2);
	assert_int_equal(g->rows[1].row, 3);
	free(g);

	/* Tabs. */
	g = parse("date\tmeasure\tvalue\n2026-03-01\tweight\t80\n");
	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_rows, 1);
	free(g);
}

static void
test_quotes(void **state)
{
	struct got *g;

	/* Quoted fields, "" escapes, a quoted line break in an ignored
	 * column: the row after it is still row 4 as a spreadsheet shows. */
	g = parse("date,measure,value,note\n"
		  "\"2026-03-01\",\"weight\",\"81,2\",\"said \"\"hi\"\"\"\n"
		  "2026-03-02,weight,82,\"two\nlines\"\n"
		  "2026-03-03,weight,83,\"x, y\"\n"
		  "2026-03-04, \"weight\" ,84,\n"
		  "2026-03-05,weight,5'10\",\n");
	assert_int_equal(g->e, ERR_OK);
	expect_problem(g, 0, READINGS_CSV_WARNING, 1, "note", "ignored");
	assert_string_equal(g->p[0].text, "note");
	assert_int_equal(g->n_rows, 4);
	assert_true(g->rows[0].value.v[0] == 81.2);
	assert_int_equal(g->rows[1].row, 3);
	assert_int_equal(g->rows[2].row, 4);
	assert_int_equal(g->rows[3].row, 5);
	/* A quote inside an unquoted field is text: a bad value. */
	expect_problem(g, 1, READINGS_CSV_ROW, 6, "value", NULL);
	assert_string_equal(g->p[1].text, "5'10\"");
	assert_int_equal(g->n_p, 2);
	assert_int_equal(g->t.warnings, 1);
	free(g);

	/* Text after a closing quote; a quote never closed. */
	g = parse("date,measure,value\n"
		  "2026-03-01,\"weight\"x,80\n"
		  "2026-03-02,weight,81\n"
		  "2026-03-03,weight,\"82\n");
	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_rows, 1);
	expect_problem(g, 0, READINGS_CSV_ROW, 2, NULL, "closing quote");
	expect_problem(g, 1, READINGS_CSV_ROW, 4, NULL, "never");
	free(g);
}

static void
test_columns(void **state)
{
	struct got *g;

	g = parse("when,measure,reading,unit\n2026-03-01,weight,80,kg\n");
	assert_int_equal(g->e, ERR_INVALID);
	assert_int_equal(g->n_rows, 0);
	expect_problem(g, 0, READINGS_CSV_WARNING, 1, "when", "ignored");
	expect_problem(g, 1, READINGS_CSV_WARNING, 1, "reading", "ignored");
	expect_problem(g, 2, READINGS_CSV_FATAL, 1, "date", "“date” column");
	expect_problem(g, 3, READINGS_CSV_FATAL, 1, "value", "“value” column");
	assert_non_null(strstr(g->p[3].msg, "date, time, measure, value and "
					    "unit"));
	assert_int_equal(g->n_p, 4);
	free(g);

	/* A file that starts with data. */
	g = parse("2026-03-01,weight,80\n2026-03-02,weight,81\n");
	assert_int_equal(g->e, ERR_INVALID);
	expect_problem(g, 0, READINGS_CSV_FATAL, 1, NULL, "starts with a "
							  "reading");
	assert_int_equal(g->n_p, 1);
	free(g);

	/* A column twice. */
	g = parse("date,measure,value,Value\n");
	assert_int_equal(g->e, ERR_INVALID);
	expect_problem(g, 0, READINGS_CSV_FATAL, 1, "value", "twice");
	free(g);

	/* Blank rows before the header; empty-named columns are silent. */
	g = parse("\n\n,date,,measure,value,\n,2026-03-01,,weight,80,\n");
	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_p, 0);
	assert_int_equal(g->n_rows, 1);
	assert_int_equal(g->rows[0].row, 4);
	free(g);

	/* Empty, blank, header only. */
	g = parse("");
	assert_int_equal(g->e, ERR_INVALID);
	expect_problem(g, 0, READINGS_CSV_FATAL, 0, NULL, "empty");
	free(g);
	g = parse("\r\n ,, \r\n");
	assert_int_equal(g->e, ERR_INVALID);
	expect_problem(g, 0, READINGS_CSV_FATAL, 0, NULL, "empty");
	free(g);
	g = parse("date,measure,value\r\n\r\n");
	assert_int_equal(g->e, ERR_INVALID);
	expect_problem(g, 0, READINGS_CSV_FATAL, 0, NULL, "no readings");
	free(g);
}

static void
test_encoding(void **state)
{
	struct got *g;

	/* Latin-1 "º" (0xBA) on row 3 after a good row. */
	g = parse("date,measure,value,unit\n"
		  "2026-03-01,weight,80,kg\n"
		  "2026-03-01,temperature,37,\xba" "C\n"
		  "2026-03-02,weight,81,kg\n");
	assert_int_equal(g->e, ERR_BAD_UTF8);
	assert_int_equal(g->n_rows, 1);
	expect_problem(g, 0, READINGS_CSV_FATAL, 3, NULL, "UTF-8");
	assert_non_null(strstr(g->p[0].msg, "Latin-1"));
	assert_int_equal(g->n_p, 1);
	free(g);

	/* Windows-1252 in the header ("Medición"). */
	g = parse("date,measure,value,Medici\xf3n\n");
	assert_int_equal(g->e, ERR_BAD_UTF8);
	expect_problem(g, 0, READINGS_CSV_FATAL, 1, NULL, "Windows-1252");
	free(g);

	/* UTF-16, with and without a byte-order mark. */
	{
		static const char le[] = "\xff\xfe" "d\0a\0t\0e\0";
		static const char nobom[] = "d\0a\0t\0e\0\n\0";
		struct got h;

		memset(&h, 0, sizeof(h));
		parse_n(&h, le, sizeof(le) - 1);
		assert_int_equal(h.e, ERR_BAD_UTF8);
		expect_problem(&h, 0, READINGS_CSV_FATAL, 1, NULL, "UTF-16");
		memset(&h, 0, sizeof(h));
		parse_n(&h, nobom, sizeof(nobom) - 1);
		assert_int_equal(h.e, ERR_BAD_UTF8);
		expect_problem(&h, 0, READINGS_CSV_FATAL, 1, NULL, "UTF-16");
	}

	/* Valid UTF-8 beyond ASCII is fine. */
	g = parse("date,measure,value,unit,nota\n"
		  "2026-03-01,temperature,37,°C,¿qué tal? 🙂\n");
	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_rows, 1);
	free(g);
}

static void
test_bad_rows(void **state)
{
	struct got *g = parse(
		"date,time,measure,value,unit\n"			/* 1 */
		"2026-03-01,08:30,weight,80\n"				/* 2 */
		"2026-03-01,08:30,weight,80,kg,extra\n"			/* 3 */
		"2026-03-01,08:30,pulse rate,80,\n"			/* 4 */
		"2026-03-01,08:30,weight,80,stone\n"			/* 5 */
		"2026-03-01,08:30,weight,800,kg\n"			/* 6 */
		"2026-03-01,08:30,blood-pressure,82/128,\n"		/* 7 */
		"01/03/2026,08:30,weight,80,\n"				/* 8 */
		"2026-02-30,08:30,weight,80,\n"				/* 9 */
		"2026-03-01,8.30pm,weight,80,\n"			/* 10 */
		"2026-03-01,24:00,weight,80,\n"				/* 11 */
		"2026-03-11,,weight,80,\n"				/* 12 */
		"2026-03-10,12:06,weight,80,\n"				/* 13 */
		"2026-03-01T08:30,09:00,weight,80,\n"			/* 14 */
		"2026-03-01,08:30,weight,,\n"				/* 15 */
		",,,,\n"						/* 16 */
		"2026-03-10,12:04,weight,80,\n"				/* 17 */
		"2026-03-01,08:30,weight,81 kg,lb\n");			/* 18 */

	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_rows, 1);
	assert_int_equal(g->rows[0].row, 17);	/* within the 5-minute grace */
	expect_problem(g, 0, READINGS_CSV_ROW, 2, NULL, "number of fields");
	expect_problem(g, 1, READINGS_CSV_ROW, 3, NULL, "number of fields");
	expect_problem(g, 2, READINGS_CSV_ROW, 4, "measure", "blood-pressure");
	assert_string_equal(g->p[2].text, "pulse rate");
	expect_problem(g, 3, READINGS_CSV_ROW, 5, "unit", "kg or lb");
	assert_string_equal(g->p[3].text, "stone");
	expect_problem(g, 4, READINGS_CSV_ROW, 6, "value", "above 500 kg");
	assert_string_equal(g->p[4].text, "800");
	expect_problem(g, 5, READINGS_CSV_ROW, 7, "value", "diastolic");
	expect_problem(g, 6, READINGS_CSV_ROW, 8, "date", "year-month-day");
	assert_string_equal(g->p[6].text, "01/03/2026");
	expect_problem(g, 7, READINGS_CSV_ROW, 9, "date", "year-month-day");
	expect_problem(g, 8, READINGS_CSV_ROW, 10, "time", "24-hour");
	expect_problem(g, 9, READINGS_CSV_ROW, 11, "time", "24-hour");
	expect_problem(g, 10, READINGS_CSV_ROW, 12, "date", "future");
	expect_problem(g, 11, READINGS_CSV_ROW, 13, "date", "future");
	expect_problem(g, 12, READINGS_CSV_ROW, 14, "time", "Leave one");
	expect_problem(g, 13, READINGS_CSV_ROW, 15, "value", "81.2");
	expect_problem(g, 14, READINGS_CSV_ROW, 18, "unit", "kg or lb");
	assert_int_equal(g->n_p, 15);
	assert_int_equal(g->t.rows, 16);	/* the blank row 16 is not */
	assert_int_equal(g->t.bad, 15);
	assert_int_equal(g->t.good, 1);
	free(g);
}

static void
test_time_zone(void **state)
{
	struct readings_csv_opts o;
	struct got g;
	struct arena *a = arena_new(ARENA_CAP);
	static const char csv[] = "date,time,measure,value\n"
				  "2026-03-01,08:30,weight,80\n"
				  "2026-03-10,13:03,weight,80\n"
				  "2026-03-10,13:06,weight,80\n";

	/* Madrid in winter: 08:30 there is 07:30 UTC; 13:03 is 12:03 UTC,
	 * within the grace; 13:06 is not. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	o.utc_offset = 3600;
	g.e = readings_csv_parse(a, &o, csv, sizeof(csv) - 1, &g.t);
	assert_int_equal(g.e, ERR_OK);
	assert_int_equal(g.n_rows, 2);
	assert_int_equal(g.rows[0].time, T_0301_0830 - 3600);
	expect_problem(&g, 0, READINGS_CSV_ROW, 4, "date", "future");
	/* A zone in the file wins over the option. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	o.utc_offset = 3600;
	{
		static const char z[] = "date,time,measure,value\n"
					"2026-03-01,08:30Z,weight,80\n"
					"2026-03-01T08:30:00-05:00,,weight,80\n"
					"2026-03-01,08:30+0530,weight,80\n"
					"2026-03-01,08:30+01,weight,81\n"
					"2026-03-01,08:30+1:00,weight,80\n"
					"2026-03-01,08:30Z+01,weight,80\n";

		g.e = readings_csv_parse(a, &o, z, sizeof(z) - 1, &g.t);
	}
	assert_int_equal(g.e, ERR_OK);
	assert_int_equal(g.n_rows, 4);
	assert_int_equal(g.rows[0].time, T_0301_0830);
	assert_int_equal(g.rows[1].time, T_0301_0830 + 5 * 3600);
	assert_int_equal(g.rows[2].time, T_0301_0830 - 5 * 3600 - 1800);
	assert_int_equal(g.rows[3].time, T_0301_0830 - 3600);
	expect_problem(&g, 0, READINGS_CSV_ROW, 6, "time", "24-hour");
	expect_problem(&g, 1, READINGS_CSV_ROW, 7, "time", "24-hour");
	arena_free(a);
}

static void
test_repeats(void **state)
{
	struct got *g = parse(
		"date,time,measure,value,unit\n"
		"2026-03-01,08:30,weight,81.2,kg\n"		/* 2 */
		"2026-03-01,08:30,weight,\"81,2\",\n"		/* 3: same */
		"2026-03-01,08:30,weight,81.3,kg\n"		/* 4 */
		"2026-03-01,08:31,weight,81.2,kg\n"		/* 5 */
		"2026-03-01,08:30,blood-pressure,120/80,\n"	/* 6 */
		"2026-03-01,08:30,blood-pressure,120/81,\n"	/* 7 */
		"2026-03-01,08:30,Blood pressure,120/80,mmHg\n"	/* 8: = 6 */
		"2026-03-01,08:30,heart-rate,81.2,\n"		/* 9 */
		"2026-03-01,08:30,weight,81.2,kg\n");		/* 10: = 2 */

	assert_int_equal(g->e, ERR_OK);
	assert_int_equal(g->n_rows, 6);
	assert_int_equal(g->t.repeated, 3);
	assert_int_equal(g->t.bad, 3);
	expect_problem(g, 0, READINGS_CSV_ROW, 3, NULL, "only once");
	assert_int_equal(g->p[0].same_as, 2);
	expect_problem(g, 1, READINGS_CSV_ROW, 8, NULL, "only once");
	assert_int_equal(g->p[1].same_as, 6);
	expect_problem(g, 2, READINGS_CSV_ROW, 10, NULL, "only once");
	assert_int_equal(g->p[2].same_as, 2);
	free(g);
}

static void
test_caps(void **state)
{
	struct readings_csv_opts o;
	struct readings_csv *c;
	struct buf b;
	struct got g;
	struct arena *a = arena_new(ARENA_CAP);
	size_t i;

	/* Row cap: 3 rows allowed, the 4th stops the import. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	o.max_rows = 3;
	buf_init(&b, a, 1 << 20);
	buf_adds(&b, "date,measure,value\n");
	for (i = 0; i < 5; i++)
		buf_printf(&b, "2026-03-0%zu,weight,8%zu\n", i + 1, i);
	g.e = readings_csv_parse(a, &o, b.p, b.len, &g.t);
	assert_int_equal(g.e, ERR_TOO_LARGE);
	assert_int_equal(g.n_rows, 3);
	expect_problem(&g, 0, READINGS_CSV_FATAL, 5, NULL, "200,000");

	/* Byte cap, counted across chunks; later calls repeat the error. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	o.max_bytes = 40;
	c = readings_csv_new(a, &o);
	assert_non_null(c);
	assert_int_equal(readings_csv_feed(c, "date,measure,value\n", 19),
			 ERR_OK);
	assert_int_equal(readings_csv_feed(c, "2026-03-01,weight,80\n", 21),
			 ERR_OK);
	assert_int_equal(readings_csv_feed(c, "x", 1), ERR_TOO_LARGE);
	expect_problem(&g, 0, READINGS_CSV_FATAL, 0, NULL, "20 MB");
	assert_int_equal(readings_csv_feed(c, "", 0), ERR_TOO_LARGE);
	assert_int_equal(readings_csv_finish(c, &g.t), ERR_TOO_LARGE);
	assert_int_equal(g.n_p, 1);
	assert_int_equal(g.n_rows, 1);

	/* A field over READINGS_CSV_MAX_FIELD; a row over the row cap; a
	 * quote left open until the row cap: each is one bad row and the
	 * rows after are read. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	buf_init(&b, a, 1 << 20);
	buf_adds(&b, "date,measure,value,unit\n2026-03-01,weight,80,");
	for (i = 0; i < READINGS_CSV_MAX_FIELD + 1; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\n2026-03-01,weight,81,");
	for (i = 0; i < READINGS_CSV_MAX_ROW; i++)
		buf_addc(&b, i % 100 ? 'y' : ',');
	buf_adds(&b, "\n2026-03-01,weight,82,\"");
	for (i = 0; i < READINGS_CSV_MAX_ROW; i++)
		buf_addc(&b, i % 50 ? 'z' : '\n');
	buf_adds(&b, "\n2026-03-02,weight,83,kg\n");
	assert_false(b.failed);
	g.e = readings_csv_parse(a, &o, b.p, b.len, &g.t);
	assert_int_equal(g.e, ERR_OK);
	expect_problem(&g, 0, READINGS_CSV_ROW, 2, NULL, "1,000 characters");
	expect_problem(&g, 1, READINGS_CSV_ROW, 3, NULL, "16,000");
	expect_problem(&g, 2, READINGS_CSV_ROW, 4, NULL, "never");
	assert_int_equal(g.n_p, 3);
	assert_int_equal(g.n_rows, 1);
	assert_true(g.rows[0].value.v[0] == 83);
	assert_int_equal(g.rows[0].row, 5);

	/* A header longer than a row may be. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	buf_init(&b, a, 1 << 20);
	for (i = 0; i < READINGS_CSV_MAX_ROW + 10; i++)
		buf_addc(&b, 'h');
	g.e = readings_csv_parse(a, &o, b.p, b.len, &g.t);
	assert_int_equal(g.e, ERR_INVALID);
	expect_problem(&g, 0, READINGS_CSV_FATAL, 1, NULL, "too long");

	/* Too many columns in the header. */
	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	buf_init(&b, a, 1 << 20);
	buf_adds(&b, "date,measure,value");
	for (i = 0; i < READINGS_CSV_MAX_COLUMNS; i++)
		buf_addc(&b, ',');
	g.e = readings_csv_parse(a, &o, b.p, b.len, &g.t);
	assert_int_equal(g.e, ERR_INVALID);
	expect_problem(&g, 0, READINGS_CSV_FATAL, 1, NULL, "too many "
							  "columns");
	arena_free(a);
}

static void
test_callback_stops(void **state)
{
	struct readings_csv_opts o;
	struct got g;
	struct arena *a = arena_new(ARENA_CAP);
	static const char csv[] = "date,measure,value\n"
				  "2026-03-01,weight,80\n"
				  "2026-03-02,weight,81\n"
				  "2026-03-03,weight,82\n";

	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	opts(&o, &g);
	g.e = readings_csv_parse(a, &o, csv, sizeof(csv) - 1, &g.t);
	assert_int_equal(g.e, ERR_DB);
	assert_int_equal(g.n_rows, 2);
	arena_free(a);
}

/* The same file fed in chunks of every size from 1 to 40 bytes gives
 * the same rows and problems as in one call. */
static void
test_chunks(void **state)
{
	static const char csv[] =
		"\xef\xbb\xbf" "date;time;measure;value;note\r\n"
		"2026-03-01;08:30;weight;81,2;\"a;b\r\nc\"\r\n"
		"2026-03-01;08:30;weight;81,2;\"\"\"\"\r\n"
		"2026-03-02;08:30;pulse;81;\r\n"
		"\r\n"
		"2026-03-03;08:30;blood-pressure;120/80;x\r"
		"2026-03-04;09:00;sleep;7:45;";
	struct readings_csv_opts o;
	struct readings_csv *c;
	struct got whole, g;
	struct arena *a;
	size_t step, i, n;

	memset(&whole, 0, sizeof(whole));
	parse_n(&whole, csv, sizeof(csv) - 1);
	assert_int_equal(whole.e, ERR_OK);
	assert_int_equal(whole.n_rows, 3);
	assert_int_equal(whole.n_p, 3);
	expect_problem(&whole, 0, READINGS_CSV_WARNING, 1, "note", NULL);
	expect_problem(&whole, 1, READINGS_CSV_ROW, 3, NULL, "only once");
	expect_problem(&whole, 2, READINGS_CSV_ROW, 4, "measure", NULL);
	assert_int_equal(whole.rows[1].row, 6);
	assert_int_equal(whole.rows[2].row, 7);
	for (step = 1; step <= 40; step++) {
		a = arena_new(ARENA_CAP);
		memset(&g, 0, sizeof(g));
		opts(&o, &g);
		c = readings_csv_new(a, &o);
		assert_non_null(c);
		for (i = 0; i < sizeof(csv) - 1; i += n) {
			n = sizeof(csv) - 1 - i < step ? sizeof(csv) - 1 - i
						       : step;
			assert_int_equal(readings_csv_feed(c, csv + i, n),
					 ERR_OK);
		}
		assert_int_equal(readings_csv_finish(c, &g.t), ERR_OK);
		assert_int_equal(g.n_rows, whole.n_rows);
		assert_int_equal(g.n_p, whole.n_p);
		for (i = 0; i < g.n_rows; i++) {
			assert_int_equal(g.rows[i].row, whole.rows[i].row);
			assert_int_equal(g.rows[i].time, whole.rows[i].time);
			assert_true(g.rows[i].value.v[0] ==
				    whole.rows[i].value.v[0]);
		}
		for (i = 0; i < g.n_p; i++) {
			assert_int_equal(g.p[i].row, whole.p[i].row);
			assert_ptr_equal(g.p[i].msg, whole.p[i].msg);
		}
		arena_free(a);
	}
}

/* Many rows through a small arena: the repeat table grows and the
 * memory stays bounded. */
static void
test_many_rows(void **state)
{
	struct readings_csv_opts o;
	struct readings_csv *c;
	struct got g;
	struct arena *a = arena_new(8 << 20);
	char line[96];
	size_t i;
	int n;

	memset(&g, 0, sizeof(g));
	opts(&o, &g);
	c = readings_csv_new(a, &o);
	assert_non_null(c);
	assert_int_equal(readings_csv_feed(c, "date,time,measure,value\n", 24),
			 ERR_OK);
	for (i = 0; i < 50000; i++) {
		n = snprintf(line, sizeof(line),
			     "2025-%02zu-%02zu,%02zu:%02zu,weight,%zu.%zu\n",
			     i % 12 + 1, i % 28 + 1, i / 60 % 24, i % 60,
			     60 + i % 40, i % 10);
		assert_int_equal(readings_csv_feed(c, line, (size_t)n),
				 ERR_OK);
	}
	assert_int_equal(readings_csv_finish(c, &g.t), ERR_OK);
	assert_int_equal(g.t.rows, 50000);
	assert_int_equal(g.t.good + g.t.repeated, 50000);
	assert_int_equal(g.n_rows, g.t.good);
	assert_true(arena_used(a) < (6u << 20));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bom_crlf_semicolons),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_time_zone),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_many_rows),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_csv", tests, NULL, NULL);
}

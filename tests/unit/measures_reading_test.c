/*
 * Unit tests for the reading kinds: the table, parsing of every kind,
 * unit conversions both ways, impossible values and their messages,
 * blood pressure order, decimal commas and display.
 */
#include "support.h"

#include <math.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "measures/reading.h"

#define ARENA_CAP (1 << 20)

/* Parses `value` with `unit` as kind k; fails the test on refusal. */
static struct reading_value
ok(enum reading_kind k, const char *value, const char *unit)
{
	struct reading_value v;
	const char *why = NULL;

	if (!reading_parse(k, str_c(value), str_c(unit), &v, &why))
		fail_msg("\"%s\" \"%s\" refused: %s", value, unit ? unit : "",
			 why ? why : "(no reason)");
	assert_int_equal(v.kind, k);
	assert_non_null(v.entered);
	return v;
}

/* Parses and expects refusal with message `want` (NULL: any). */
static void
refused(enum reading_kind k, const char *value, const char *unit,
	const char *want)
{
	struct reading_value v;
	const char *why = NULL;

	memset(&v, 0x5a, sizeof(v));
	if (reading_parse(k, str_c(value), str_c(unit), &v, &why))
		fail_msg("\"%s\" \"%s\" accepted", value, unit ? unit : "");
	assert_non_null(why);
	if (want)
		assert_string_equal(why, want);
	/* Nothing written on refusal. */
	assert_int_equal(((unsigned char *)&v)[0], 0x5a);
}

static void
near(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("got %.9g, want %.9g", got, want);
}

static const char *
fmt(struct arena *a, const struct reading_value *v,
    const struct reading_unit *u, unsigned flags)
{
	struct buf b;

	buf_init(&b, a, 256);
	assert_true(reading_format(&b, v, u, flags));
	return b.p;
}

static void
test_table(void **state)
{
	const struct reading_def *d;
	size_t k, i, j;
	static const char *const keys[READING__MAX] = {
		"blood-pressure", "heart-rate", "weight", "glucose", "spo2",
		"temperature", "steps", "sleep"
	};

	for (k = 0; k < READING__MAX; k++) {
		d = reading_def((enum reading_kind)k);
		assert_int_equal(d->kind, k);
		assert_string_equal(d->key, keys[k]);
		assert_non_null(d->label);
		assert_non_null(d->loinc);
		assert_non_null(d->example);
		assert_non_null(d->bad_unit);
		assert_true(d->n_parts >= 1 && d->n_parts <= READING_PARTS_MAX);
		assert_true(d->n_units >= 1 && d->n_units <= READING_UNITS_MAX);
		for (i = 0; i < d->n_parts; i++) {
			assert_true(d->parts[i].min < d->parts[i].max);
			assert_non_null(d->parts[i].too_low);
			assert_non_null(d->parts[i].too_high);
		}
		/* The storage unit converts to itself. */
		assert_true(d->units[0].add == 0 && d->units[0].mul == 1 &&
			    d->units[0].div == 1);
		for (i = 0; i < d->n_units; i++)
			for (j = 0; j < d->n_units; j++)
				if (i != j)
					assert_ptr_not_equal(&d->units[i],
							     &d->units[j]);
		assert_ptr_equal(reading_find(str_c(d->key)), d);
		assert_ptr_equal(reading_find(str_c(d->label)), d);
		assert_ptr_equal(reading_find_loinc(str_c(d->loinc)), d);
		assert_ptr_equal(reading_storage_unit(d->kind), &d->units[0]);
	}
	d = reading_def(READING_BLOOD_PRESSURE);
	assert_string_equal(d->loinc, "85354-9");
	assert_string_equal(d->parts[0].loinc, "8480-6");
	assert_string_equal(d->parts[1].loinc, "8462-4");
	assert_string_equal(d->units[0].ucum, "mm[Hg]");
	assert_string_equal(reading_def(READING_HEART_RATE)->loinc, "8867-4");
	assert_string_equal(reading_def(READING_WEIGHT)->units[0].ucum, "kg");
	assert_string_equal(reading_def(READING_GLUCOSE)->loinc, "15074-8");
	assert_string_equal(reading_def(READING_GLUCOSE)->units[0].ucum,
			    "mmol/L");
	assert_string_equal(reading_def(READING_TEMPERATURE)->units[0].ucum,
			    "Cel");
	assert_string_equal(reading_def(READING_SLEEP)->loinc, "93832-4");
	assert_ptr_equal(reading_find_loinc(STR_LIT("2708-6")),
			 reading_def(READING_SPO2));
	assert_ptr_equal(reading_find_loinc(STR_LIT("55423-8")),
			 reading_def(READING_STEPS));
	assert_null(reading_find_loinc(STR_LIT("1234-5")));

	/* Names: case, spaces and '-'/'_' between words. */
	assert_ptr_equal(reading_find(STR_LIT("  BLOOD_pressure ")),
			 reading_def(READING_BLOOD_PRESSURE));
	assert_ptr_equal(reading_find(STR_LIT("blood   pressure")),
			 reading_def(READING_BLOOD_PRESSURE));
	assert_ptr_equal(reading_find(STR_LIT("Heart Rate")),
			 reading_def(READING_HEART_RATE));
	assert_ptr_equal(reading_find(STR_LIT("SpO2")),
			 reading_def(READING_SPO2));
	assert_ptr_equal(reading_find(STR_LIT("blood glucose")),
			 reading_def(READING_GLUCOSE));
	assert_null(reading_find(STR_LIT("bloodpressure")));
	assert_null(reading_find(STR_LIT("blood-pressure-x")));
	assert_null(reading_find(STR_LIT("")));
	assert_null(reading_find(STR_LIT("   ")));
}

static void
test_units(void **state)
{
	const struct reading_def *w = reading_def(READING_WEIGHT);
	const struct reading_def *t = reading_def(READING_TEMPERATURE);
	const struct reading_def *g = reading_def(READING_GLUCOSE);

	assert_ptr_equal(reading_unit_find(w, STR_LIT("")), &w->units[0]);
	assert_ptr_equal(reading_unit_find(w, STR_LIT("  ")), &w->units[0]);
	assert_ptr_equal(reading_unit_find(w, STR_LIT("KG")), &w->units[0]);
	assert_ptr_equal(reading_unit_find(w, STR_LIT("lbs")), &w->units[1]);
	assert_ptr_equal(reading_unit_find(w, STR_LIT("[lb_av]")),
			 &w->units[1]);
	assert_null(reading_unit_find(w, STR_LIT("st")));
	assert_ptr_equal(reading_unit_find(t, STR_LIT("°F")), &t->units[1]);
	assert_ptr_equal(reading_unit_find(t, STR_LIT("° c")), &t->units[0]);
	assert_ptr_equal(reading_unit_find(t, STR_LIT("ºC")), &t->units[0]);
	assert_ptr_equal(reading_unit_find(t, STR_LIT("Cel")), &t->units[0]);
	assert_ptr_equal(reading_unit_find(g, STR_LIT("mg/dl")), &g->units[1]);
	assert_ptr_equal(reading_unit_find(g, STR_LIT("mmol/l")),
			 &g->units[0]);
	assert_null(reading_unit_find(g, STR_LIT("kg")));

	/* Both ways. */
	near(reading_unit_convert(&w->units[1], &w->units[0], 1), 0.45359237,
	     1e-12);
	near(reading_unit_convert(&w->units[0], &w->units[1], 100),
	     220.462262185, 1e-6);
	near(reading_unit_convert(&t->units[1], &t->units[0], 98.6), 37,
	     1e-9);
	near(reading_unit_convert(&t->units[0], &t->units[1], 37), 98.6,
	     1e-9);
	near(reading_unit_convert(&t->units[1], &t->units[0], 32), 0, 1e-12);
	near(reading_unit_convert(&t->units[0], &t->units[1], -40), -40,
	     1e-12);
	near(reading_unit_convert(&g->units[1], &g->units[0], 180.16), 10,
	     1e-9);
	near(reading_unit_convert(&g->units[0], &g->units[1], 5.5), 99.088,
	     1e-9);
	near(reading_unit_convert(&g->units[0], &g->units[0], 5.5), 5.5, 0);
	/* There and back. */
	near(reading_unit_convert(&w->units[0], &w->units[1],
				  reading_unit_convert(&w->units[1],
						       &w->units[0], 180)),
	     180, 1e-9);
}

static void
test_parse_each_kind(void **state)
{
	struct reading_value v;

	v = ok(READING_BLOOD_PRESSURE, "128/82", NULL);
	near(v.v[0], 128, 0);
	near(v.v[1], 82, 0);
	v = ok(READING_BLOOD_PRESSURE, " 128 / 82 mmHg ", "");
	near(v.v[0], 128, 0);
	near(v.v[1], 82, 0);
	v = ok(READING_BLOOD_PRESSURE, "17/11", "kPa");
	near(v.v[0], 127.5, 0.1);
	near(v.v[1], 82.5, 0.1);

	v = ok(READING_HEART_RATE, "72", "bpm");
	near(v.v[0], 72, 0);
	assert_true(v.v[1] == 0);
	v = ok(READING_HEART_RATE, "72", "/min");
	near(v.v[0], 72, 0);

	v = ok(READING_WEIGHT, "81.2", "kg");
	near(v.v[0], 81.2, 1e-12);
	v = ok(READING_WEIGHT, "81,2", NULL);
	near(v.v[0], 81.2, 1e-12);
	v = ok(READING_WEIGHT, "179 lb", NULL);
	near(v.v[0], 81.193, 1e-3);
	assert_string_equal(v.entered->label, "lb");

	v = ok(READING_GLUCOSE, "5.6", NULL);
	near(v.v[0], 5.6, 1e-12);
	v = ok(READING_GLUCOSE, "101", "mg/dL");
	near(v.v[0], 101 / 18.016, 1e-12);

	v = ok(READING_SPO2, "97", "%");
	near(v.v[0], 97, 0);
	v = ok(READING_SPO2, "97%", "");
	near(v.v[0], 97, 0);

	v = ok(READING_TEMPERATURE, "36,8", "°C");
	near(v.v[0], 36.8, 1e-12);
	v = ok(READING_TEMPERATURE, "98.6 °F", NULL);
	near(v.v[0], 37, 1e-9);

	v = ok(READING_STEPS, "8500", NULL);
	near(v.v[0], 8500, 0);
	v = ok(READING_STEPS, "10,000", "steps");
	near(v.v[0], 10000, 0);
	v = ok(READING_STEPS, "12.345", NULL);
	near(v.v[0], 12345, 0);
	v = ok(READING_STEPS, "1 234", NULL);
	near(v.v[0], 1234, 0);
	refused(READING_STEPS, "1 234 567", NULL,
		reading_def(READING_STEPS)->parts[0].too_high);
	v = ok(READING_STEPS, "8500.0", NULL);
	near(v.v[0], 8500, 0);
	v = ok(READING_STEPS, "0", NULL);
	near(v.v[0], 0, 0);

	v = ok(READING_SLEEP, "7.5", NULL);
	near(v.v[0], 7.5, 0);
	v = ok(READING_SLEEP, "7:30", "h");
	near(v.v[0], 7.5, 1e-12);
	v = ok(READING_SLEEP, "0:45", NULL);
	near(v.v[0], 0.75, 1e-12);
	v = ok(READING_SLEEP, "450", "min");
	near(v.v[0], 7.5, 1e-12);
}

static void
test_refusals(void **state)
{
	const struct reading_def *bp = reading_def(READING_BLOOD_PRESSURE);
	const struct reading_def *w = reading_def(READING_WEIGHT);
	const struct reading_def *t = reading_def(READING_TEMPERATURE);
	const struct reading_def *s = reading_def(READING_STEPS);

	/* Impossible values say which number and what to do. */
	refused(READING_BLOOD_PRESSURE, "900/80", NULL, bp->parts[0].too_high);
	assert_non_null(strstr(bp->parts[0].too_high, "Check the number"));
	refused(READING_BLOOD_PRESSURE, "40/30", NULL, bp->parts[0].too_low);
	refused(READING_BLOOD_PRESSURE, "250/210", NULL, bp->parts[1].too_high);
	refused(READING_BLOOD_PRESSURE, "120/10", NULL, bp->parts[1].too_low);
	/* Order: diastolic must be below systolic. */
	refused(READING_BLOOD_PRESSURE, "82/128", NULL, NULL);
	refused(READING_BLOOD_PRESSURE, "100/100", NULL, NULL);
	ok(READING_BLOOD_PRESSURE, "101/100", NULL);
	/* Shape. */
	refused(READING_BLOOD_PRESSURE, "128", NULL, bp->example);
	refused(READING_BLOOD_PRESSURE, "128/", NULL, bp->example);
	refused(READING_BLOOD_PRESSURE, "128/82/70", NULL, bp->example);
	refused(READING_BLOOD_PRESSURE, "128-82", NULL, bp->example);
	refused(READING_BLOOD_PRESSURE, "128/82", "kg", bp->bad_unit);

	/* Limits are inclusive, in any unit. */
	ok(READING_HEART_RATE, "20", NULL);
	ok(READING_HEART_RATE, "300", NULL);
	refused(READING_HEART_RATE, "19", NULL,
		reading_def(READING_HEART_RATE)->parts[0].too_low);
	refused(READING_HEART_RATE, "301", NULL,
		reading_def(READING_HEART_RATE)->parts[0].too_high);
	ok(READING_SPO2, "100", NULL);
	ok(READING_SPO2, "50", NULL);
	refused(READING_SPO2, "100.1", NULL,
		reading_def(READING_SPO2)->parts[0].too_high);
	refused(READING_SPO2, "49", NULL, NULL);
	ok(READING_TEMPERATURE, "45", NULL);
	ok(READING_TEMPERATURE, "113", "F");	/* exactly 45 °C */
	ok(READING_TEMPERATURE, "86", "F");	/* exactly 30 °C */
	refused(READING_TEMPERATURE, "113.1", "F", t->parts[0].too_high);
	refused(READING_TEMPERATURE, "98.6", NULL, t->parts[0].too_high);
	refused(READING_TEMPERATURE, "29.9", NULL, t->parts[0].too_low);
	ok(READING_WEIGHT, "2", NULL);
	ok(READING_WEIGHT, "500", NULL);
	refused(READING_WEIGHT, "501", NULL, w->parts[0].too_high);
	refused(READING_WEIGHT, "1200", "lb", w->parts[0].too_high);
	refused(READING_WEIGHT, "-5", NULL, w->parts[0].too_low);
	ok(READING_GLUCOSE, "0.5", NULL);
	ok(READING_GLUCOSE, "60", NULL);
	refused(READING_GLUCOSE, "61", NULL, NULL);
	refused(READING_GLUCOSE, "5", "mg/dL", NULL);	/* 0.28 mmol/L */
	ok(READING_STEPS, "200000", NULL);
	ok(READING_STEPS, "200,000", NULL);
	refused(READING_STEPS, "200001", NULL, s->parts[0].too_high);
	refused(READING_STEPS, "-1", NULL, s->parts[0].too_low);
	ok(READING_SLEEP, "24", NULL);
	ok(READING_SLEEP, "0", NULL);
	refused(READING_SLEEP, "24:01", NULL, NULL);
	refused(READING_SLEEP, "25", NULL, NULL);

	/* Not numbers. */
	refused(READING_WEIGHT, "", NULL, w->example);
	refused(READING_WEIGHT, "  ", NULL, w->example);
	refused(READING_WEIGHT, "abc", NULL, w->example);
	refused(READING_WEIGHT, "81..2", NULL, w->example);
	refused(READING_WEIGHT, "8.1.2", NULL, w->example);
	refused(READING_WEIGHT, "1e2", NULL, w->bad_unit);
	refused(READING_WEIGHT, "0x50", NULL, w->bad_unit);
	refused(READING_WEIGHT, "inf", NULL, w->example);
	refused(READING_WEIGHT, "nan", NULL, w->example);
	refused(READING_WEIGHT, "1234567890123456", NULL, w->example);
	refused(READING_WEIGHT, "1,234.5", NULL, w->example);
	refused(READING_WEIGHT, "81.2 kg", "lb", w->bad_unit);
	refused(READING_WEIGHT, "81.2", "stone", w->bad_unit);
	refused(READING_WEIGHT, "81.2 parsecs", NULL, w->bad_unit);
	ok(READING_WEIGHT, "81.2 kg", "kg");
	refused(READING_STEPS, "10.5", NULL, s->example);
	refused(READING_STEPS, "10,5", NULL, s->example);
	refused(READING_STEPS, "1,000.5", NULL, s->example);
	ok(READING_STEPS, "1,000.00", NULL);
	refused(READING_SLEEP, "7:3", NULL, NULL);
	refused(READING_SLEEP, "7:60", NULL, NULL);
	refused(READING_SLEEP, "7.5:30", NULL, NULL);
	refused(READING_SLEEP, "7:30", "min", NULL);
	refused(READING_HEART_RATE, "72", "kg",
		reading_def(READING_HEART_RATE)->bad_unit);
	/* A why pointer is optional. */
	{
		struct reading_value v;

		assert_false(reading_parse(READING_WEIGHT, STR_LIT("x"),
					   STR_LIT(""), &v, NULL));
	}
}

static void
test_check(void **state)
{
	struct reading_value v = {READING_BLOOD_PRESSURE, {120, 80}, NULL};
	const char *why = NULL;

	assert_true(reading_check(&v, &why));
	v.v[1] = 130;
	assert_false(reading_check(&v, &why));
	assert_non_null(why);
	v.v[0] = NAN;
	assert_false(reading_check(&v, &why));
	v.kind = READING_WEIGHT;
	v.v[0] = INFINITY;
	assert_false(reading_check(&v, &why));
	v.v[0] = 70;
	assert_true(reading_check(&v, &why));
}

static void
test_format(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const struct reading_def *w = reading_def(READING_WEIGHT);
	const struct reading_def *t = reading_def(READING_TEMPERATURE);
	const struct reading_def *g = reading_def(READING_GLUCOSE);
	struct reading_value v;
	struct buf b;

	v = ok(READING_BLOOD_PRESSURE, "128/82", NULL);
	assert_string_equal(fmt(a, &v, NULL, 0), "128/82");
	assert_string_equal(fmt(a, &v, NULL, READING_FMT_UNIT),
			    "128/82 mmHg");
	v = ok(READING_WEIGHT, "81,24", NULL);
	assert_string_equal(fmt(a, &v, NULL, 0), "81.2");
	assert_string_equal(fmt(a, &v, NULL, READING_FMT_COMMA), "81,2");
	assert_string_equal(fmt(a, &v, &w->units[1], READING_FMT_UNIT),
			    "179.1 lb");
	v = ok(READING_WEIGHT, "180", "lb");
	assert_string_equal(fmt(a, &v, &w->units[1], 0), "180.0");
	assert_string_equal(fmt(a, &v, v.entered, 0), "180.0");
	v = ok(READING_TEMPERATURE, "37", NULL);
	assert_string_equal(fmt(a, &v, &t->units[1], READING_FMT_UNIT),
			    "98.6 °F");
	v = ok(READING_GLUCOSE, "5.5", NULL);
	assert_string_equal(fmt(a, &v, &g->units[1], READING_FMT_UNIT),
			    "99 mg/dL");
	v = ok(READING_STEPS, "10,000", NULL);
	assert_string_equal(fmt(a, &v, NULL, READING_FMT_UNIT),
			    "10000 steps");

	/* Rounding never prints "-0". */
	buf_init(&b, a, 64);
	reading_format_number(&b, -0.04, 1, 0);
	buf_addc(&b, ' ');
	reading_format_number(&b, -0.0, 0, 0);
	buf_addc(&b, ' ');
	reading_format_number(&b, 2.25, 1, READING_FMT_COMMA);
	buf_addc(&b, ' ');
	reading_format_number(&b, 7, 0, 0);
	assert_string_equal(b.p, "0.0 0 2,3 7");

	/* A full buffer reports failure. */
	buf_init(&b, a, 3);
	v = ok(READING_BLOOD_PRESSURE, "128/82", NULL);
	assert_false(reading_format(&b, &v, NULL, 0));
	assert_true(b.failed);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_parse_each_kind),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_format),
	};

	test_init();
	return cmocka_run_group_tests_name("measures_reading", tests, NULL,
					   NULL);
}

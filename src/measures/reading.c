/*
 * The table of reading kinds and the parser of typed values. Numbers are
 * read by a small scanner (no strtod: it follows the C locale, accepts
 * hex, "inf" and exponents, none of which a person means by a weight).
 */
#include "measures/reading.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/msgid.h"
#include "core/banned.h"

/*
 * LOINC codes, checked against the FHIR vital-signs value set and
 * published implementation guides. Steps use 41950-7 "Number of steps in
 * 24 hour Measured" (UCUM /d), since a reading is one day's count;
 * 55423-8 (steps by pedometer, unspecified time) is read on import.
 */
static const struct reading_def defs[READING__MAX] = {
	[READING_BLOOD_PRESSURE] = {
		READING_BLOOD_PRESSURE, "blood-pressure",
		N_("Blood pressure"), "85354-9", NULL,
		{{"8480-6", N_("Systolic"), 50, 300,
		  N_("A systolic pressure (the first number) below 50 mmHg "
		     "is not possible. Check the number and try again."),
		  N_("A systolic pressure (the first number) above 300 mmHg "
		     "is not possible. Check the number and try again.")},
		 {"8462-4", N_("Diastolic"), 20, 200,
		  N_("A diastolic pressure (the second number) below 20 mmHg "
		     "is not possible. Check the number and try again."),
		  N_("A diastolic pressure (the second number) above 200 "
		     "mmHg is not possible. Check the number and try "
		     "again.")}}, 2,
		{{"mm[Hg]", "mmHg", 0, 1, 1, 0, {NULL}},
		 /* 1 kPa = 1000 / 133.322387415 mmHg. */
		 {"kPa", "kPa", 0, 7.50061683, 1, 1, {NULL}}}, 2,
		N_("Type the blood pressure as two numbers with a slash, for "
		   "example 128/82."),
		N_("Blood pressure is measured in mmHg. Leave the unit empty "
		   "or type mmHg (kPa also works)."),
		false},
	[READING_HEART_RATE] = {
		READING_HEART_RATE, "heart-rate", N_("Heart rate"),
		"8867-4", NULL,
		{{"8867-4", N_("Heart rate"), 20, 300,
		  N_("A heart rate below 20 beats a minute is not possible. "
		     "Check the number and try again."),
		  N_("A heart rate above 300 beats a minute is not possible. "
		     "Check the number and try again.")}}, 1,
		{{"/min", "bpm", 0, 1, 1, 0,
		  {"beats/min", "{beats}/min", "beats per minute", "1/min",
		   "beats", "pulse", "ppm", "lpm"}}}, 1,
		N_("Type the heart rate as a number of beats a minute, for "
		   "example 72."),
		N_("Heart rate is counted in beats a minute. Leave the unit "
		   "empty or type bpm."),
		false},
	[READING_WEIGHT] = {
		READING_WEIGHT, "weight", N_("Weight"), "29463-7", NULL,
		{{"29463-7", N_("Weight"), 2, 500,
		  N_("A weight below 2 kg is not possible. Check the number "
		     "and try again."),
		  N_("A weight above 500 kg is not possible. Check the number "
		     "and try again.")}}, 1,
		{{"kg", "kg", 0, 1, 1, 1,
		  {"kgs", "kilo", "kilos", "kilogram", "kilograms"}},
		 /* The international avoirdupois pound, exactly. */
		 {"[lb_av]", "lb", 0, 0.45359237, 1, 1,
		  {"lbs", "pound", "pounds", "lb_av"}}}, 2,
		N_("Type the weight as a number, for example 81.2."),
		N_("Weight is measured in kg or lb. Leave the unit empty for "
		   "kg."),
		false},
	[READING_GLUCOSE] = {
		READING_GLUCOSE, "glucose", N_("Blood glucose"), "15074-8",
		"2339-0",
		{{"15074-8", N_("Blood glucose"), 0.5, 60,
		  N_("A blood glucose below 0.5 mmol/L (9 mg/dL) is not "
		     "possible. Check the number and try again."),
		  N_("A blood glucose above 60 mmol/L (1081 mg/dL) is not "
		     "possible. Check the number and try again.")}}, 1,
		{{"mmol/L", "mmol/L", 0, 1, 1, 1, {"mmol"}},
		 /* mg/dL to mmol/L: divide by a tenth of glucose's molar
		  * mass, 180.16 g/mol. */
		 {"mg/dL", "mg/dL", 0, 1, 18.016, 0, {"mg", "mg/100mL"}}}, 2,
		N_("Type the blood glucose as a number, for example 5.6."),
		N_("Blood glucose is measured in mmol/L or mg/dL. Leave the "
		   "unit empty for mmol/L."),
		false},
	[READING_SPO2] = {
		READING_SPO2, "spo2", N_("Oxygen saturation"), "59408-5",
		"2708-6",
		{{"59408-5", N_("Oxygen saturation"), 50, 100,
		  N_("An oxygen saturation below 50 percent is not "
		     "possible. Check the number and try again."),
		  N_("An oxygen saturation above 100 percent is not "
		     "possible. Check the number and try again.")}}, 1,
		{{"%", "%", 0, 1, 1, 0, {"percent", "pct"}}},
		1,
		N_("Type the oxygen saturation as a percentage, for example "
		   "97."),
		N_("Oxygen saturation is a percentage. Leave the unit empty "
		   "or type %."),
		false},
	[READING_TEMPERATURE] = {
		READING_TEMPERATURE, "temperature", N_("Temperature"),
		"8310-5", NULL,
		{{"8310-5", N_("Temperature"), 30, 45,
		  N_("A body temperature below 30 °C (86 °F) is not "
		     "possible. Check the number and try again."),
		  N_("A body temperature above 45 °C (113 °F) is not "
		     "possible. Check the number and try again.")}}, 1,
		/* "º" (the ordinal sign) is a common stand-in for "°". */
		{{"Cel", "°C", 0, 1, 1, 1,
		  {"C", "degC", "celsius", "centigrade", "ºC"}},
		 {"[degF]", "°F", -32, 5, 9, 1,
		  {"F", "degF", "fahrenheit", "ºF"}}}, 2,
		N_("Type the temperature as a number, for example 36.8."),
		N_("Temperature is measured in °C or °F. Leave the unit "
		   "empty for °C."),
		false},
	[READING_STEPS] = {
		READING_STEPS, "steps", N_("Steps"), "41950-7", "55423-8",
		{{"41950-7", N_("Steps"), 0, 200000,
		  N_("A number of steps cannot be below 0. Check the number "
		     "and try again."),
		  N_("More than 200,000 steps in a day is not possible. "
		     "Check the number and try again.")}}, 1,
		{{"/d", "steps", 0, 1, 1, 0,
		  {"{steps}/d", "steps/day", "steps/d", "{steps}",
		   "steps per day", "1/d", "step"}}}, 1,
		N_("Type the number of steps as a whole number, for example "
		   "8500."),
		N_("Steps are a count. Leave the unit empty or type steps."),
		true},
	[READING_SLEEP] = {
		READING_SLEEP, "sleep", N_("Sleep"), "93832-4", NULL,
		{{"93832-4", N_("Sleep"), 0, 24,
		  N_("Sleep cannot be less than 0 hours. Check the number "
		     "and try again."),
		  N_("More than 24 hours of sleep in a day is not possible. "
		     "Check the number and try again.")}}, 1,
		{{"h", "h", 0, 1, 1, 1,
		  {"hours", "hour", "hrs", "hr", "hs"}},
		 {"min", "min", 0, 1, 60, 0,
		  {"minutes", "minute", "mins"}}}, 2,
		N_("Type the hours slept as a number, for example 7.5, or as "
		   "hours and minutes, for example 7:30."),
		N_("Sleep is measured in hours or minutes. Leave the unit "
		   "empty for hours."),
		false},
};

static const char bp_order[] =
	N_("The second number (diastolic) must be lower than the first "
	   "(systolic). Check the order and try again.");

#define VALUE_TEXT_MAX 64	/* longer than any number a person types */
#define DIGITS_MAX 15		/* exact in a double */

const struct reading_def *
reading_def(enum reading_kind k)
{
	return &defs[k < READING__MAX ? k : 0];
}

const struct reading_unit *
reading_storage_unit(enum reading_kind k)
{
	return &reading_def(k)->units[0];
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_sep(char c)
{
	return c == ' ' || c == '-' || c == '_' || c == '\t';
}

/* Kind names: case folded, runs of ' ', '-', '_' read as one space. */
static bool
name_eq(struct str a, const char *b)
{
	size_t i = 0;

	while (i < a.len || *b) {
		if (i < a.len && *b && is_sep(a.p[i]) && is_sep(*b)) {
			while (i < a.len && is_sep(a.p[i]))
				i++;
			while (is_sep(*b))
				b++;
			continue;
		}
		if (i == a.len || !*b || lower(a.p[i]) != lower(*b))
			return false;
		i++;
		b++;
	}
	return true;
}

const struct reading_def *
reading_find(struct str name)
{
	size_t k;

	name = str_trim(name);
	if (!name.len)
		return NULL;
	for (k = 0; k < READING__MAX; k++)
		if (name_eq(name, defs[k].key) || name_eq(name, defs[k].label))
			return &defs[k];
	return NULL;
}

const struct reading_def *
reading_find_loinc(struct str code)
{
	size_t k;

	code = str_trim(code);
	for (k = 0; k < READING__MAX; k++)
		if (str_eq_c(code, defs[k].loinc) ||
		    (defs[k].loinc_alt && str_eq_c(code, defs[k].loinc_alt)))
			return &defs[k];
	return NULL;
}

/* Unit names: ASCII case folded, spaces ignored ("mm Hg" is "mmhg"). */
static bool
unit_eq(struct str a, const char *b)
{
	size_t i = 0;

	for (;;) {
		while (i < a.len && a.p[i] == ' ')
			i++;
		while (*b == ' ')
			b++;
		if (i == a.len || !*b)
			return i == a.len && !*b;
		if (lower(a.p[i]) != lower(*b))
			return false;
		i++;
		b++;
	}
}

const struct reading_unit *
reading_unit_find(const struct reading_def *d, struct str text)
{
	const struct reading_unit *u;
	size_t i, j;

	text = str_trim(text);
	if (!text.len)
		return &d->units[0];
	for (i = 0; i < d->n_units; i++) {
		u = &d->units[i];
		if (unit_eq(text, u->ucum) || unit_eq(text, u->label))
			return u;
		for (j = 0; j < READING_ALIASES_MAX && u->aliases[j]; j++)
			if (unit_eq(text, u->aliases[j]))
				return u;
	}
	return NULL;
}

double
reading_unit_convert(const struct reading_unit *from,
		     const struct reading_unit *to, double v)
{
	double storage;

	if (from == to)
		return v;
	storage = (v + from->add) * from->mul / from->div;
	return storage * to->div / to->mul - to->add;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A scanned number before scaling: mant / 10^scale. */
struct num {
	int64_t mant;
	int scale;
	int digits;
};

static bool
add_digit(struct num *n, char c)
{
	if (n->digits == DIGITS_MAX)
		return false;
	n->mant = n->mant * 10 + (c - '0');
	n->digits++;
	return true;
}

/* True when p[0] is a separator followed by exactly three digits. */
static bool
group_at(const char *p, const char *end, char sep)
{
	return end - p >= 4 && p[0] == sep && is_digit(p[1]) &&
	       is_digit(p[2]) && is_digit(p[3]) &&
	       (end - p == 4 || !is_digit(p[4]));
}

/*
 * Scans a number at *pp and advances past it. Whole numbers may group
 * thousands with '.', ',' or ' ' (one kind throughout) and may end in a
 * fraction of zeros ("8500.0", as spreadsheets write it); other numbers
 * take one '.' or ',' before their fraction. False when there is no
 * number or it has too many digits.
 */
static bool
scan_number(const char **pp, const char *end, bool whole, double *out)
{
	const char *p = *pp;
	struct num n = {0, 0, 0};
	bool neg = false;
	int lead = 0;
	char sep = 0;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	for (; p < end && is_digit(*p); p++, lead++)
		if (!add_digit(&n, *p))
			return false;
	if (whole && lead >= 1 && lead <= 3 && p < end &&
	    (*p == '.' || *p == ',' || *p == ' ') && group_at(p, end, *p)) {
		sep = *p;
		while (group_at(p, end, sep)) {
			if (!add_digit(&n, p[1]) || !add_digit(&n, p[2]) ||
			    !add_digit(&n, p[3]))
				return false;
			p += 4;
		}
	}
	if (p + 1 < end && (*p == '.' || *p == ',') && *p != sep &&
	    is_digit(p[1])) {
		const char *f = p + 1;

		if (whole) {
			while (f < end && *f == '0')
				f++;
			if (f < end && is_digit(*f))
				return false;
			p = f;
		} else {
			for (p = f; p < end && is_digit(*p); p++) {
				if (!add_digit(&n, *p))
					return false;
				n.scale++;
			}
		}
	}
	if (!n.digits)
		return false;
	/* Both exact below 2^53 and 10^22, so one rounding: the nearest
	 * double to what was typed. */
	*out = (double)n.mant / pow(10, n.scale);
	if (neg)
		*out = -*out;
	*pp = p;
	return true;
}

static const char *
skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Minutes after "7:" in a sleep value: exactly two digits, 00-59. */
static bool
scan_minutes(const char **pp, const char *end, double *hours)
{
	const char *p = *pp;
	int m;

	if (end - p < 3 || p[0] != ':' || !is_digit(p[1]) || !is_digit(p[2]) ||
	    (end - p > 3 && is_digit(p[3])))
		return false;
	m = (p[1] - '0') * 10 + (p[2] - '0');
	if (m > 59 || *hours < 0 || *hours != floor(*hours))
		return false;
	*hours += m / 60.0;
	*pp = p + 3;
	return true;
}

static bool
fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return false;
}

/* Room for conversion noise: 113 °F is 45 °C, not 45.0000001. */
static double
slack(double limit)
{
	return 1e-9 * fmax(1, fabs(limit));
}

bool
reading_check(const struct reading_value *v, const char **why)
{
	const struct reading_def *d;
	const struct reading_part *pt;
	size_t i;

	if (v->kind >= READING__MAX)
		return fail(why, defs[0].example);
	d = &defs[v->kind];
	for (i = 0; i < d->n_parts; i++) {
		pt = &d->parts[i];
		if (!isfinite(v->v[i]))
			return fail(why, d->example);
		if (v->v[i] < pt->min - slack(pt->min))
			return fail(why, pt->too_low);
		if (v->v[i] > pt->max + slack(pt->max))
			return fail(why, pt->too_high);
	}
	if (v->kind == READING_BLOOD_PRESSURE && v->v[1] >= v->v[0])
		return fail(why, bp_order);
	return true;
}

bool
reading_parse(enum reading_kind k, struct str value, struct str unit,
	      struct reading_value *out, const char **why)
{
	const struct reading_def *d = reading_def(k);
	const struct reading_unit *u_arg = NULL, *u_val = NULL, *u;
	struct reading_value r;
	struct str rest;
	const char *p, *end;
	double typed[READING_PARTS_MAX] = {0, 0};
	bool clock = false;
	size_t i;

	value = str_trim(value);
	unit = str_trim(unit);
	if (!value.len || value.len > VALUE_TEXT_MAX)
		return fail(why, d->example);
	p = value.p;
	end = value.p + value.len;
	for (i = 0; i < d->n_parts; i++) {
		if (i) {
			p = skip_spaces(p, end);
			if (p == end || *p != '/')
				return fail(why, d->example);
			p = skip_spaces(p + 1, end);
		}
		if (!scan_number(&p, end, d->whole, &typed[i]))
			return fail(why, d->example);
	}
	if (k == READING_SLEEP && p < end && *p == ':') {
		if (!scan_minutes(&p, end, &typed[0]))
			return fail(why, d->example);
		clock = true;
	}
	rest = str_trim((struct str){p, (size_t)(end - p)});
	if (rest.len) {
		/* More digits or a separator: a malformed number, not a
		 * unit ("1.2.3", "10,5" in steps, "128/82/70"). */
		if (is_digit(rest.p[0]) || rest.p[0] == '/' ||
		    rest.p[0] == '.' || rest.p[0] == ',' || rest.p[0] == ':')
			return fail(why, d->example);
		u_val = reading_unit_find(d, rest);
		if (!u_val)
			return fail(why, d->bad_unit);
	}
	if (unit.len) {
		u_arg = reading_unit_find(d, unit);
		if (!u_arg || (u_val && u_val != u_arg))
			return fail(why, d->bad_unit);
	}
	u = u_arg ? u_arg : u_val ? u_val : &d->units[0];
	if (clock && u != &d->units[0])
		return fail(why, d->example);
	memset(&r, 0, sizeof(r));
	r.kind = d->kind;
	r.entered = u;
	for (i = 0; i < d->n_parts; i++)
		r.v[i] = reading_unit_convert(u, &d->units[0], typed[i]);
	if (!reading_check(&r, why))
		return false;
	*out = r;
	return true;
}

bool
reading_format_number(struct buf *b, double x, int decimals, unsigned flags)
{
	char tmp[64];
	double scale;
	int n, i;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	scale = pow(10, decimals);
	x = round(x * scale) / scale;
	if (x == 0 || !isfinite(x))
		x = 0;		/* no "-0"; NaN is a bug upstream */
	n = snprintf(tmp, sizeof(tmp), "%.*f", decimals, x);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return buf_adds(b, "?");
	if (flags & READING_FMT_COMMA)
		for (i = 0; i < n; i++)
			if (tmp[i] == '.')
				tmp[i] = ',';
	return buf_add(b, tmp, (size_t)n);
}

bool
reading_format(struct buf *b, const struct reading_value *v,
	       const struct reading_unit *unit, unsigned flags)
{
	const struct reading_def *d = reading_def(v->kind);
	size_t i;

	if (!unit)
		unit = &d->units[0];
	for (i = 0; i < d->n_parts; i++) {
		if (i)
			buf_addc(b, '/');
		reading_format_number(b, reading_unit_convert(&d->units[0],
							      unit, v->v[i]),
				      unit->decimals, flags);
	}
	if (flags & READING_FMT_UNIT) {
		buf_addc(b, ' ');
		buf_adds(b, unit->label);
	}
	return !b->failed;
}

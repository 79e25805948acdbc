/*
 * FHIR date-time values (see datetime.h). Days are counted from
 * 0001-01-01 in the proleptic Gregorian calendar, where every day count
 * is non-negative and C's truncating division is plain floor division.
 */
#include "fhir/datetime.h"

#include "core/banned.h"

#define MS_PER_DAY 86400000LL
#define YEAR_MIN 1
#define YEAR_MAX 9999
#define ZONE_HOURS_MAX 14	/* FHIR allows -14:00 to +14:00 */
#define FRACTION_DIGITS_MAX 9

static const int month_days[12] = {
	31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
};

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	return m == 2 && is_leap(y) ? 29 : month_days[m - 1];
}

/* Days from 0001-01-01 to January 1st of year y (y >= 1). */
static int64_t
days_before_year(int y)
{
	int64_t n = y - 1;

	return 365 * n + n / 4 - n / 100 + n / 400;
}

/* Days from 0001-01-01 to y-m-d, a valid date. */
static int64_t
day_number(int y, int m, int d)
{
	int64_t n = days_before_year(y);
	int i;

	for (i = 1; i < m; i++)
		n += days_in_month(y, i);
	return n + d - 1;
}

/* 1970-01-01, the Unix epoch, counted as above. */
static int64_t
epoch_day(void)
{
	return day_number(1970, 1, 1);
}

/* UTC milliseconds at the start of day y-m-d; month 13 is January of
 * the next year. */
static int64_t
day_ms(int y, int m, int d)
{
	if (m == 13) {
		y++;
		m = 1;
	}
	return (day_number(y, m, d) - epoch_day()) * MS_PER_DAY;
}

/* Reads exactly n digits at *pp into *out and advances past them. */
static bool
digits(const char **pp, int n, int *out)
{
	const char *p = *pp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return true;
}

/* Reads `c` at *pp and advances past it. */
static bool
expect(const char **pp, char c)
{
	if (**pp != c)
		return false;
	(*pp)++;
	return true;
}

/* A fraction of a second after the '.': milliseconds, truncated. */
static bool
fraction(const char **pp, int *ms)
{
	const char *p = *pp;
	int n = 0, v = 0;

	for (; *p >= '0' && *p <= '9'; p++, n++)
		if (n < 3)
			v = v * 10 + (*p - '0');
	if (n < 1 || n > FRACTION_DIGITS_MAX)
		return false;
	for (; n < 3; n++)
		v *= 10;
	*ms = v;
	*pp = p;
	return true;
}

/* "Z" or ±hh:mm: minutes east of UTC. */
static bool
zone(const char **pp, int *minutes)
{
	int sign, h, m;

	if (expect(pp, 'Z')) {
		*minutes = 0;
		return true;
	}
	if (**pp == '+')
		sign = 1;
	else if (**pp == '-')
		sign = -1;
	else
		return false;
	(*pp)++;
	if (!digits(pp, 2, &h) || !expect(pp, ':') || !digits(pp, 2, &m) ||
	    m > 59 || h > ZONE_HOURS_MAX || (h == ZONE_HOURS_MAX && m))
		return false;
	*minutes = sign * (h * 60 + m);
	return true;
}

/* The time after 'T': hh:mm:ss[.f]zone, into UTC ms from the day start. */
static bool
time_of_day(const char **pp, int64_t *ms, int *precision)
{
	int h, mi, s, frac = 0, off;

	if (!digits(pp, 2, &h) || !expect(pp, ':') || !digits(pp, 2, &mi) ||
	    !expect(pp, ':') || !digits(pp, 2, &s) || h > 23 || mi > 59 ||
	    s > 59)
		return false;
	*precision = FHIR_PREC_SECOND;
	if (expect(pp, '.')) {
		if (!fraction(pp, &frac))
			return false;
		*precision = FHIR_PREC_MILLI;
	}
	if (!zone(pp, &off))
		return false;
	*ms = ((int64_t)h * 3600 + mi * 60 + s - (int64_t)off * 60) * 1000 +
	      frac;
	return true;
}

/* The span and precision of the value at p; see fhir_datetime_parse(). */
static bool
parse_span(const char *p, int64_t *lo, int64_t *hi, int *prec)
{
	int y, m, d;
	int64_t t;

	if (!digits(&p, 4, &y) || y < YEAR_MIN || y > YEAR_MAX)
		return false;
	if (!*p) {
		*prec = FHIR_PREC_YEAR;
		*lo = day_ms(y, 1, 1);
		*hi = day_ms(y + 1, 1, 1);
		return true;
	}
	if (!expect(&p, '-') || !digits(&p, 2, &m) || m < 1 || m > 12)
		return false;
	if (!*p) {
		*prec = FHIR_PREC_MONTH;
		*lo = day_ms(y, m, 1);
		*hi = day_ms(y, m + 1, 1);
		return true;
	}
	if (!expect(&p, '-') || !digits(&p, 2, &d) || d < 1 ||
	    d > days_in_month(y, m))
		return false;
	*lo = day_ms(y, m, d);
	if (!*p) {
		*prec = FHIR_PREC_DAY;
		*hi = *lo + MS_PER_DAY;
		return true;
	}
	if (!expect(&p, 'T') || !time_of_day(&p, &t, prec) || *p)
		return false;
	*lo += t;
	*hi = *lo + (*prec == FHIR_PREC_SECOND ? 1000 : 1);
	return true;
}

bool
fhir_datetime_parse(const char *s, int64_t *lo_ms, int64_t *hi_ms,
		    int *precision)
{
	int64_t lo, hi;
	int prec;

	if (!s || !parse_span(s, &lo, &hi, &prec))
		return false;
	if (lo_ms)
		*lo_ms = lo;
	if (hi_ms)
		*hi_ms = hi;
	if (precision)
		*precision = prec;
	return true;
}

/* Floor division: -1 ms is in the day before the epoch. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Writes v (0 <= v < 10^width) as exactly `width` digits. */
static void
put_digits(char *out, int v, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
fhir_instant_format(int64_t ms, char out[FHIR_INSTANT_LEN])
{
	int64_t first = -epoch_day() * MS_PER_DAY;
	int64_t last = (days_before_year(YEAR_MAX + 1) - epoch_day()) *
		       MS_PER_DAY - 1;
	int64_t n, rem;
	int y, m;

	if (ms < first)
		ms = first;
	if (ms > last)
		ms = last;
	n = floor_div(ms, MS_PER_DAY);
	rem = ms - n * MS_PER_DAY;
	n += epoch_day();
	/* No year has more than 366 days, so this starts at or before the
	 * year of day n; the loop then takes fewer than 30 steps. */
	y = (int)(n / 366) + 1;
	while (days_before_year(y + 1) <= n)
		y++;
	n -= days_before_year(y);
	for (m = 1; n >= days_in_month(y, m); m++)
		n -= days_in_month(y, m);
	put_digits(out, y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, (int)n + 1, 2);
	out[10] = 'T';
	put_digits(out + 11, (int)(rem / 3600000), 2);
	out[13] = ':';
	put_digits(out + 14, (int)(rem / 60000 % 60), 2);
	out[16] = ':';
	put_digits(out + 17, (int)(rem / 1000 % 60), 2);
	out[19] = '.';
	put_digits(out + 20, (int)(rem % 1000), 3);
	out[23] = 'Z';
	out[24] = '\0';
}

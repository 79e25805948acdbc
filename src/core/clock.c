/*
 * Time helpers on top of clock_gettime, gmtime_r and timegm.
 */
#include "core/clock.h"

#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/banned.h"

int64_t
clock_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static char *
clock_fmt(struct arena *a, int64_t t, const char *fmt)
{
	char out[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || !strftime(out, sizeof(out), fmt, &tm))
		return arena_strdup(a, "");
	return arena_strdup(a, out);
}

char *
clock_iso(struct arena *a, int64_t t)
{
	return clock_fmt(a, t, "%Y-%m-%dT%H:%M:%SZ");
}

char *
clock_date(struct arena *a, int64_t t)
{
	return clock_fmt(a, t, "%Y-%m-%d");
}

static bool
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool
clock_parse_date(const char *s, int64_t *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	struct tm tm;
	int y, m, d, dim;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d))
		return false;
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	if (d > dim)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = (int64_t)timegm(&tm);
	return true;
}

int
clock_age_years(int64_t birth, int64_t now)
{
	struct tm b, n;
	time_t tb = (time_t)birth, tn = (time_t)now;
	int age;

	if (!gmtime_r(&tb, &b) || !gmtime_r(&tn, &n))
		return 0;
	age = n.tm_year - b.tm_year;
	if (n.tm_mon < b.tm_mon ||
	    (n.tm_mon == b.tm_mon && n.tm_mday < b.tm_mday))
		age--;
	return age < 0 ? 0 : age;
}

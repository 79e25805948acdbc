/*
 * Wall-clock and monotonic time, and ISO 8601 formatting and parsing.
 * Domain code takes "now" as a parameter (from the request context) so
 * tests can move time without sleeping.
 */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct arena;

int64_t clock_now(void);	/* Unix seconds */
int64_t clock_now_ms(void);	/* Unix milliseconds */
uint64_t clock_mono_ns(void);	/* for durations only */

/* "2026-11-22T10:04:05Z" for Unix seconds `t`. */
char *clock_iso(struct arena *a, int64_t t);

/* "2026-11-22" for Unix seconds `t`. */
char *clock_date(struct arena *a, int64_t t);

/*
 * Parses a calendar date "YYYY-MM-DD" between 1900-01-01 and 2200-12-31
 * into Unix seconds at midnight UTC. False for anything else, including
 * days that do not exist (2023-02-29).
 */
bool clock_parse_date(const char *s, int64_t *out);

/* Whole years between birth date `birth` and `now` (both Unix seconds). */
int clock_age_years(int64_t birth, int64_t now);

#endif

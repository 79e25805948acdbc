/*
 * FHIR date, dateTime and instant values: parsing the text into the span
 * of UTC milliseconds it covers, and writing an instant. Our own calendar
 * arithmetic (proleptic Gregorian, years 0001-9999), so nothing depends
 * on the locale, the TZ variable or the C library's time functions. Pure
 * code: no HTTP, no database.
 */
#ifndef FHIR_DATETIME_H
#define FHIR_DATETIME_H

#include <stdbool.h>
#include <stdint.h>

/* How much of a date-time value was given. */
enum fhir_precision {
	FHIR_PREC_YEAR,		/* "2024" */
	FHIR_PREC_MONTH,	/* "2024-03" */
	FHIR_PREC_DAY,		/* "2024-03-05" */
	FHIR_PREC_SECOND,	/* "2024-03-05T10:20:30Z" */
	FHIR_PREC_MILLI		/* "2024-03-05T10:20:30.123Z" */
};

/*
 * Parses the whole of `s` as a FHIR date, dateTime or instant:
 * YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss with an optional
 * fraction of 1-9 digits and a zone, which a value with a time must have:
 * "Z" or +hh:mm / -hh:mm up to 14:00. Years 0001-9999; months, days
 * (leap years included), hours 00-23, minutes and seconds 00-59 are
 * checked; a time without seconds ("T10:20Z"), a leap second, white
 * space or anything after the value is refused.
 *
 * *lo_ms is the first UTC millisecond the value covers and *hi_ms the
 * first after it (exclusive): "2024" covers the whole year, "...:30Z" one
 * second, "...:30.1234Z" one millisecond (digits after the third are
 * dropped). A value without a time has no zone and is taken as UTC.
 * *precision is an enum fhir_precision. Any out pointer may be NULL.
 *
 * True on success; false on any error, and then nothing is written.
 */
bool fhir_datetime_parse(const char *s, int64_t *lo_ms, int64_t *hi_ms,
			 int *precision);

/* "2024-03-05T10:20:30.123Z" and its NUL. */
#define FHIR_INSTANT_LEN 25

/*
 * Writes `ms` (UTC Unix milliseconds) as an instant in UTC with
 * milliseconds: "2024-03-05T10:20:30.123Z". A time before year 0001 or
 * after 9999 is written as the first or last millisecond of that range,
 * which an instant can hold.
 */
void fhir_instant_format(int64_t ms, char out[FHIR_INSTANT_LEN]);

#endif

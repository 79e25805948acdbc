/*
 * Rules every part of the care record shares: how long its texts may be
 * and what a date looks like. Validators add a problem for the form
 * field and say what to do.
 */
#ifndef CARE_CARE_H
#define CARE_CARE_H

#include <stdbool.h>
#include <stddef.h>

struct problems;

/* Length limits of care-record text, in characters. */
#define CARE_SHORT_MAX 300	/* a goal, an action, a one-line answer */
#define CARE_LONG_MAX 4000	/* a section of a plan, a comment, a view */
#define CARE_NOTE_MAX 20000	/* a progress note */

/* A form text field checked for its length (one of the limits above)
 * and control characters other than line breaks and tabs: adds a
 * problem for `field` and returns false when it is not acceptable. */
bool care_text_ok(struct problems *ps, const char *field, const char *text,
		  size_t max);

/* A YYYY-MM-DD date (or "" when optional): false with a problem when it
 * is not a real calendar date. */
bool care_date_ok(struct problems *ps, const char *field, const char *date,
		  bool required);

#endif

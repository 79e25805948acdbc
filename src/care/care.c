/*
 * Shared rules of the care record (see care.h).
 */
#include "care/care.h"

#include <string.h>

#include "core/clock.h"
#include "core/msgid.h"
#include "core/problem.h"
#include "core/str.h"
#include "core/banned.h"

bool
care_text_ok(struct problems *ps, const char *field, const char *text,
	     size_t max)
{
	size_t len = strlen(text), i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
		    c == 0x7f) {
			problems_add(ps, field,
				     N_("Remove the special characters "
					"from this text."));
			return false;
		}
	}
	if (utf8_length(text, len) <= max)
		return true;
	problems_add(ps, field,
		     max <= CARE_SHORT_MAX  ? N_("Keep this under 300 "
						 "characters.")
		     : max <= CARE_LONG_MAX ? N_("Keep this under 4,000 "
						 "characters.")
					    : N_("Keep this under 20,000 "
						 "characters."));
	return false;
}

bool
care_date_ok(struct problems *ps, const char *field, const char *date,
	     bool required)
{
	int64_t t;

	if (!*date && !required)
		return true;
	if (!*date) {
		problems_add(ps, field, N_("Enter a date."));
		return false;
	}
	if (!clock_parse_date(date, &t)) {
		problems_add(ps, field,
			     N_("Enter a real date, for example "
				"2027-03-31."));
		return false;
	}
	return true;
}

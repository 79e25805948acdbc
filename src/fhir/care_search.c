/*
 * Search parameters the care record's FHIR types share (see
 * care_int.h).
 */
#include "fhir/care_int.h"

#include <string.h>

#include "auth/actor.h"
#include "fhir/search.h"
#include "core/banned.h"

/* Whether one value [s, end) names `code` of `system`. */
static bool
one_matches(const char *s, const char *end, const char *system,
	    const char *code)
{
	const char *bar = memchr(s, '|', (size_t)(end - s));
	size_t n;

	if (bar) {
		n = (size_t)(bar - s);
		if (n == 0 || n != strlen(system) || strncmp(s, system, n))
			return false;
		s = bar + 1;
		if (s == end)
			return true;
	}
	n = (size_t)(end - s);
	return n == strlen(code) && !strncmp(s, code, n);
}

bool
fhir_care_token_matches(const char *value, const char *system,
			const char *code)
{
	const char *s = value, *comma;

	for (;;) {
		comma = strchr(s, ',');
		if (one_matches(s, comma ? comma : s + strlen(s), system,
				code))
			return true;
		if (!comma)
			return false;
		s = comma + 1;
	}
}

/*
 * Shared search parameters (see search.h).
 */
#include "fhir/search.h"

#include <inttypes.h>
#include <string.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "core/str.h"
#include "fhir/datetime.h"
#include "core/banned.h"

bool
fhir_date_param(struct fhir_call *c, const char *name, const char *v,
		int64_t *from, int64_t *to)
{
	static const char *const prefixes[] = {"eq", "ge", "gt", "le", "lt"};
	int64_t lo, hi;
	size_t i = 0;

	if (strlen(v) > 2 && v[0] >= 'a' && v[0] <= 'z') {
		for (i = 0; i < 5; i++)
			if (strncmp(v, prefixes[i], 2) == 0)
				break;
		if (i == 5) {
			fhir_fail(&c->oo, 400, "not-supported", name,
				  "Use the prefixes eq, ge, gt, le or lt with "
				  "a date.");
			return false;
		}
		v += 2;
	}
	if (!fhir_datetime_parse(v, &lo, &hi, NULL)) {
		fhir_fail(&c->oo, 400, "value", name,
			  "Write the date as YYYY, YYYY-MM, YYYY-MM-DD or a "
			  "date and time with its zone, like "
			  "2024-03-05T10:20:30Z.");
		return false;
	}
	/* A stored time is one instant: it matches a range that holds it. */
	switch (i) {
	case 0: /* eq */
		*from = lo > *from ? lo : *from;
		*to = hi < *to ? hi : *to;
		break;
	case 1: /* ge */
		*from = lo > *from ? lo : *from;
		break;
	case 2: /* gt */
		*from = hi > *from ? hi : *from;
		break;
	case 3: /* le */
		*to = hi < *to ? hi : *to;
		break;
	case 4: /* lt */
		*to = lo < *to ? lo : *to;
		break;
	}
	return true;
}

bool
fhir_ref_param(struct fhir_call *c, const char *name, const char *v,
	       const char *type, int64_t *out)
{
	if (fhir_ref_parse(v, type, out) || fhir_id_parse(v, out))
		return true;
	fhir_fail(&c->oo, 400, "value", name,
		  "Give the reference as Type/<id>, for example Patient/123.");
	return false;
}

const char *
fhir_cursor_make(struct fhir_call *c, int64_t key, int64_t id)
{
	return arena_printf(c->ctx->a, "%" PRId64 ".%" PRId64, key, id);
}

bool
fhir_cursor_parse(struct fhir_call *c, const struct fhir_search *q,
		  bool *has, int64_t *key, int64_t *id)
{
	const char *s = q->cursor, *dot;

	*has = false;
	if (!s)
		return true;
	dot = strchr(s, '.');
	if (dot && str_to_i64((struct str){s, (size_t)(dot - s)}, INT64_MIN,
			      INT64_MAX, key) &&
	    str_to_i64(str_c(dot + 1), 1, INT64_MAX, id)) {
		*has = true;
		return true;
	}
	fhir_fail(&c->oo, 400, "value", "_cursor",
		  "Follow the next link as it is.");
	return false;
}

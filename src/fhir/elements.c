/* The small JSON elements every FHIR mapping writes. */
#include <inttypes.h>

#include "fhir/datetime.h"
#include "fhir/elements.h"
#include "core/banned.h"

json_t *
fhir_instant_json(int64_t s)
{
	char t[FHIR_INSTANT_LEN];

	fhir_instant_format(s * 1000, t);
	return json_string(t);
}

json_t *
fhir_ref_json(const char *type, int64_t id, const char *display)
{
	json_t *r = json_pack("{s:o}", "reference",
			      json_sprintf("%s/%" PRId64, type, id));

	if (r && display && *display)
		json_object_set_new(r, "display", json_string(display));
	return r;
}

void
fhir_ext_add(json_t *exts, const char *name, const char *type, json_t *v)
{
	json_array_append_new(exts, json_pack("{s:s+,s:o}", "url", FHIR_EXT,
					      name, type, v));
}

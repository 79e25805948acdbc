/*
 * OperationOutcome (see outcome.h).
 */
#include "fhir/outcome.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static struct fhir_issue *
add(struct fhir_outcome *o, int status, const char *code,
    const char *diagnostics)
{
	struct fhir_issue *i;

	if (!o->status)
		o->status = status;
	if (o->n == FHIR_ISSUES_MAX)
		return NULL;
	i = &o->issue[o->n++];
	i->severity = "error";
	i->code = code;
	i->expression[0] = '\0';
	i->diagnostics = diagnostics;
	return i;
}

void
fhir_fail(struct fhir_outcome *o, int status, const char *code,
	  const char *expression, const char *diagnostics)
{
	struct fhir_issue *i = add(o, status, code, diagnostics);

	if (i && expression)
		snprintf(i->expression, sizeof(i->expression), "%s",
			 expression);
}

void
fhir_failf(struct fhir_outcome *o, int status, const char *code,
	   const char *diagnostics, const char *fmt, ...)
{
	struct fhir_issue *i = add(o, status, code, diagnostics);
	va_list ap;

	if (!i)
		return;
	va_start(ap, fmt);
	vsnprintf(i->expression, sizeof(i->expression), fmt, ap);
	va_end(ap);
}

json_t *
fhir_outcome_json(const struct fhir_outcome *o)
{
	json_t *r = json_object(), *arr = json_array();
	size_t k;

	json_object_set_new(r, "resourceType", json_string("OperationOutcome"));
	for (k = 0; k < o->n; k++) {
		const struct fhir_issue *i = &o->issue[k];
		json_t *x = json_object();

		json_object_set_new(x, "severity", json_string(i->severity));
		json_object_set_new(x, "code", json_string(i->code));
		if (i->diagnostics)
			json_object_set_new(x, "diagnostics",
					    json_string(i->diagnostics));
		if (i->expression[0])
			json_object_set_new(x, "expression",
					    json_pack("[s]", i->expression));
		json_array_append_new(arr, x);
	}
	if (!o->n)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s}",
						     "severity", "information",
						     "code", "informational",
						     "diagnostics", "All OK"));
	json_object_set_new(r, "issue", arr);
	return r;
}

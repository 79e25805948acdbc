/*
 * The R4 element lists of the common data types and the check of a
 * JSON object against its type (see shape.h).
 */
#include "fhir/shape.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static const char *const shape_msg[FHIR_SHAPE__MAX] = {
	[FHIR_STRING] = "This element must be a non-empty JSON string.",
	[FHIR_BOOL] = "This element must be true or false.",
	[FHIR_INTEGER] = "This element must be a whole JSON number.",
	[FHIR_NUMBER] = "This element must be a JSON number, not a string.",
	[FHIR_OBJECT] = "This element must be a JSON object.",
	[FHIR_ARRAY] = "This element must be a non-empty JSON array of "
		       "objects.",
	[FHIR_STRINGS] = "This element must be a non-empty JSON array of "
			 "strings.",
};

static const char msg_unknown[] =
	"This is not an element of this FHIR R4 type. Remove it or check its "
	"spelling (names are case-sensitive).";
static const char msg_primitive_ext[] =
	"Send the extensions of a primitive element as a JSON object.";
static const char msg_modifier[] =
	"cocare cannot understand modifier extensions, so it cannot keep "
	"this. Send it without modifierExtension.";

static const struct fhir_element concept_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"coding", FHIR_ARRAY},
	{"text", FHIR_STRING},
};

static const struct fhir_element coding_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"system", FHIR_STRING},
	{"version", FHIR_STRING},
	{"code", FHIR_STRING},
	{"display", FHIR_STRING},
	{"userSelected", FHIR_BOOL},
};

static const struct fhir_element reference_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"reference", FHIR_STRING},
	{"type", FHIR_STRING},
	{"identifier", FHIR_OBJECT},
	{"display", FHIR_STRING},
};

static const struct fhir_element quantity_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"value", FHIR_NUMBER},
	{"comparator", FHIR_STRING},
	{"unit", FHIR_STRING},
	{"system", FHIR_STRING},
	{"code", FHIR_STRING},
};

static const struct fhir_element identifier_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"use", FHIR_STRING},
	{"type", FHIR_OBJECT},
	{"system", FHIR_STRING},
	{"value", FHIR_STRING},
	{"period", FHIR_OBJECT},
	{"assigner", FHIR_OBJECT},
};

static const struct fhir_element human_name_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"use", FHIR_STRING},
	{"text", FHIR_STRING},
	{"family", FHIR_STRING},
	{"given", FHIR_STRINGS},
	{"prefix", FHIR_STRINGS},
	{"suffix", FHIR_STRINGS},
	{"period", FHIR_OBJECT},
};

/* An extension has a url and at most one value[x]; the value types are
 * many, so only their JSON shape class is checked here. */
static const struct fhir_element extension_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"url", FHIR_STRING},
	{"valueBoolean", FHIR_BOOL},
	{"valueInteger", FHIR_INTEGER},
	{"valueDecimal", FHIR_NUMBER},
	{"valueString", FHIR_STRING},
	{"valueCode", FHIR_STRING},
	{"valueUri", FHIR_STRING},
	{"valueUrl", FHIR_STRING},
	{"valueDate", FHIR_STRING},
	{"valueDateTime", FHIR_STRING},
	{"valueInstant", FHIR_STRING},
	{"valueCodeableConcept", FHIR_OBJECT},
	{"valueCoding", FHIR_OBJECT},
	{"valueReference", FHIR_OBJECT},
	{"valueQuantity", FHIR_OBJECT},
	{"valuePeriod", FHIR_OBJECT},
	{"valueIdentifier", FHIR_OBJECT},
	{"valueAddress", FHIR_OBJECT},
	{"valueHumanName", FHIR_OBJECT},
	{"valueContactPoint", FHIR_OBJECT},
	{"valueAttachment", FHIR_OBJECT},
};

const struct fhir_def fhir_concept_def = FHIR_DEF(concept_el);
const struct fhir_def fhir_coding_def = FHIR_DEF(coding_el);
const struct fhir_def fhir_reference_def = FHIR_DEF(reference_el);
const struct fhir_def fhir_quantity_def = FHIR_DEF(quantity_el);
const struct fhir_def fhir_identifier_def = FHIR_DEF(identifier_el);
const struct fhir_def fhir_human_name_def = FHIR_DEF(human_name_el);
const struct fhir_def fhir_extension_def = FHIR_DEF(extension_el);

static const struct fhir_element *
element_find(const struct fhir_def *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->el[i].name, name))
			return &t->el[i];
	for (i = 0; i < t->nmore; i++)
		if (!strcmp(t->more[i].name, name))
			return &t->more[i];
	return NULL;
}

/* Primitive elements may carry extensions in a "_" twin; resourceType
 * is no element, so it has none. */
static bool
is_primitive(const struct fhir_element *e)
{
	return (e->shape <= FHIR_NUMBER || e->shape == FHIR_STRINGS) &&
	       strcmp(e->name, "resourceType");
}

bool
fhir_is_string(json_t *v)
{
	const char *s = json_string_value(v);

	return s && *s && strlen(s) == json_string_length(v);
}

bool
fhir_has_shape(json_t *v, enum fhir_shape shape)
{
	json_t *item;
	size_t i;

	switch (shape) {
	case FHIR_STRING:
		return fhir_is_string(v);
	case FHIR_BOOL:
		return json_is_boolean(v);
	case FHIR_INTEGER:
		return json_is_integer(v);
	case FHIR_NUMBER:
		return json_is_number(v);
	case FHIR_OBJECT:
		return json_is_object(v);
	case FHIR_ARRAY:
	case FHIR_STRINGS:
		if (!json_is_array(v) || !json_array_size(v))
			return false;
		json_array_foreach(v, i, item)
			if (shape == FHIR_ARRAY ? !json_is_object(item)
						: !fhir_is_string(item))
				return false;
		return true;
	case FHIR_SHAPE__MAX:
		break;
	}
	return false;
}

/* Checks member `key` (value v) of an object of type `t` at `path`. */
static bool
check_member(struct fhir_outcome *oo, const struct fhir_def *t,
	     const char *path, const char *key, json_t *v)
{
	const struct fhir_element *e = element_find(t, key);

	if (e && !strcmp(key, "modifierExtension")) {
		fhir_failf(oo, 422, "not-supported", msg_modifier, "%s.%s",
			   path, key);
		return false;
	}
	if (e) {
		if (fhir_has_shape(v, e->shape))
			return true;
		fhir_failf(oo, 400, "structure", shape_msg[e->shape], "%s.%s",
			   path, key);
		return false;
	}
	/* "_status" holds the id and extensions of primitive "status". */
	if (key[0] == '_')
		e = element_find(t, key + 1);
	if (!e || !is_primitive(e))
		fhir_failf(oo, 400, "structure", msg_unknown, "%s.%s", path,
			   key);
	else if (!json_is_object(v) && !json_is_array(v))
		fhir_failf(oo, 400, "structure", msg_primitive_ext, "%s.%s",
			   path, key);
	else
		return true;
	return false;
}

bool
fhir_check_members(struct fhir_outcome *oo, json_t *obj,
		   const struct fhir_def *t, const char *path)
{
	const char *key;
	json_t *v;
	bool ok = true;

	json_object_foreach(obj, key, v)
		ok &= check_member(oo, t, path, key, v);
	return ok;
}

bool
fhir_check_each(struct fhir_outcome *oo, json_t *arr,
		const struct fhir_def *t, const char *path)
{
	char sub[FHIR_PATH_MAX];
	json_t *x;
	size_t i;
	bool ok = true;

	if (!fhir_has_shape(arr, FHIR_ARRAY))
		return true;
	json_array_foreach(arr, i, x) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		ok &= fhir_check_members(oo, x, t, sub);
	}
	return ok;
}

bool
fhir_check_concept(struct fhir_outcome *oo, json_t *cc, const char *path)
{
	char sub[FHIR_PATH_MAX];
	bool ok = fhir_check_members(oo, cc, &fhir_concept_def, path);

	snprintf(sub, sizeof(sub), "%s.coding", path);
	return fhir_check_each(oo, json_object_get(cc, "coding"),
			       &fhir_coding_def, sub) && ok;
}

const char *
fhir_string_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return fhir_is_string(v) ? json_string_value(v) : NULL;
}

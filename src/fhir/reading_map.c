/*
 * Readings as FHIR R4 Observations (see reading_map.h). The parser checks
 * every JSON object it reads against the R4 element list of its type, so
 * a misspelt or unknown element is an error instead of data lost without
 * a word, then takes what cocare keeps and reports everything else that
 * stops the reading from being stored.
 */
#include "fhir/reading_map.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "fhir/datetime.h"
#include "fhir/shape.h"
#include "core/banned.h"

#define LOINC_SYSTEM "http://loinc.org"
#define UCUM_SYSTEM "http://unitsofmeasure.org"
#define CATEGORY_SYSTEM \
	"http://terminology.hl7.org/CodeSystem/observation-category"
#define EARLIEST_MS (-2208988800000LL)	/* 1900, as reading_is_storable() */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* --- reading to Observation ----------------------------------------------- */

/* The kind whose key is exactly `key`, or NULL. */
static const struct reading_def *
kind_of(const char *key)
{
	const struct reading_def *d = reading_find(str_c(key));

	return d && key && !strcmp(d->key, key) ? d : NULL;
}

/* Thousandths as a JSON number: an integer when whole, exact however it
 * is dumped; see reading_map.h for how reals must be dumped. */
static json_t *
milli_json(int64_t m)
{
	if (m % 1000 == 0)
		return json_integer(m / 1000);
	return json_real((double)m / 1000.0);
}

static json_t *
quantity_json(const struct reading_unit *u, int64_t milli)
{
	return json_pack("{s:o,s:s,s:s,s:s}", "value", milli_json(milli),
			 "unit", u->label, "system", UCUM_SYSTEM, "code",
			 u->ucum);
}

static json_t *
concept_json(const char *loinc, const char *label)
{
	return json_pack("{s:[{s:s,s:s,s:s}],s:s}", "coding", "system",
			 LOINC_SYSTEM, "code", loinc, "display", label, "text",
			 label);
}

static json_t *
components_json(const struct reading_def *d, const struct reading *r)
{
	const struct reading_unit *u = &d->units[0];

	return json_pack("[{s:o,s:o},{s:o,s:o}]",
			 "code", concept_json(d->parts[0].loinc,
					      d->parts[0].label),
			 "valueQuantity", quantity_json(u, r->value_milli),
			 "code", concept_json(d->parts[1].loinc,
					      d->parts[1].label),
			 "valueQuantity", quantity_json(u, r->value2_milli));
}

json_t *
fhir_reading_json(const struct reading *r)
{
	const struct reading_def *d = kind_of(r->kind);
	char id[24], subject[32];
	char at[FHIR_INSTANT_LEN], updated[FHIR_INSTANT_LEN];
	json_t *o, *value;
	bool activity;

	if (!d)
		return NULL;
	/* Steps and sleep are what FHIR calls activity, not vital signs. */
	activity = d->kind == READING_STEPS || d->kind == READING_SLEEP;
	snprintf(id, sizeof(id), "%" PRId64, r->id);
	snprintf(subject, sizeof(subject), "Patient/%" PRId64, r->patient_id);
	fhir_instant_format(r->at_ms, at);
	fhir_instant_format(r->entered_ms, updated);
	o = json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:[{s:[{s:s,s:s,s:s}]}],"
		      "s:o,s:{s:s},s:s}",
		      "resourceType", "Observation",
		      "id", id,
		      "meta", "versionId", "1", "lastUpdated", updated,
		      "status", "final",
		      "category", "coding", "system", CATEGORY_SYSTEM,
		      "code", activity ? "activity" : "vital-signs",
		      "display", activity ? "Activity" : "Vital Signs",
		      "code", concept_json(d->loinc, d->label),
		      "subject", "reference", subject,
		      "effectiveDateTime", at);
	if (!o)
		return NULL;
	if (d->n_parts > 1)
		value = components_json(d, r);
	else
		value = quantity_json(&d->units[0], r->value_milli);
	if (json_object_set_new(o, d->n_parts > 1 ? "component"
						  : "valueQuantity", value)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* --- the element lists ---------------------------------------------------- */

static const struct fhir_element value_x[] = {
	{"valueQuantity", FHIR_OBJECT},
	{"valueCodeableConcept", FHIR_OBJECT},
	{"valueString", FHIR_STRING},
	{"valueBoolean", FHIR_BOOL},
	{"valueInteger", FHIR_INTEGER},
	{"valueRange", FHIR_OBJECT},
	{"valueRatio", FHIR_OBJECT},
	{"valueSampledData", FHIR_OBJECT},
	{"valueTime", FHIR_STRING},
	{"valueDateTime", FHIR_STRING},
	{"valuePeriod", FHIR_OBJECT},
};

/*
 * Every element of an R4 Observation. cocare keeps status, code,
 * subject, effectiveDateTime or effectiveInstant, valueQuantity and, for
 * blood pressure, the systolic and diastolic components. It accepts and
 * drops: id and meta (the server assigns its own), language, text,
 * contained, extension, identifier, basedOn, partOf, category (the code
 * implies it), encounter, issued, performer, interpretation, note,
 * bodySite, method, specimen, device, referenceRange, hasMember,
 * derivedFrom, a blood pressure's dataAbsentReason and components with
 * other codes, other kinds' components, and the "_" extensions of
 * primitive elements. It refuses what would change the meaning of what
 * it keeps: implicitRules and modifierExtension (modifiers it cannot
 * understand), focus (the reading would not be the patient's), and
 * effectivePeriod, effectiveTiming, a comparator, dataAbsentReason and
 * value types other than Quantity (not one exact value at one moment).
 */
static const struct fhir_element observation_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"identifier", FHIR_ARRAY},
	{"basedOn", FHIR_ARRAY},
	{"partOf", FHIR_ARRAY},
	{"status", FHIR_STRING},
	{"category", FHIR_ARRAY},
	{"code", FHIR_OBJECT},
	{"subject", FHIR_OBJECT},
	{"focus", FHIR_ARRAY},
	{"encounter", FHIR_OBJECT},
	{"effectiveDateTime", FHIR_STRING},
	{"effectivePeriod", FHIR_OBJECT},
	{"effectiveTiming", FHIR_OBJECT},
	{"effectiveInstant", FHIR_STRING},
	{"issued", FHIR_STRING},
	{"performer", FHIR_ARRAY},
	{"dataAbsentReason", FHIR_OBJECT},
	{"interpretation", FHIR_ARRAY},
	{"note", FHIR_ARRAY},
	{"bodySite", FHIR_OBJECT},
	{"method", FHIR_OBJECT},
	{"specimen", FHIR_OBJECT},
	{"device", FHIR_OBJECT},
	{"referenceRange", FHIR_ARRAY},
	{"hasMember", FHIR_ARRAY},
	{"derivedFrom", FHIR_ARRAY},
	{"component", FHIR_ARRAY},
};

static const struct fhir_element component_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"code", FHIR_OBJECT},
	{"dataAbsentReason", FHIR_OBJECT},
	{"interpretation", FHIR_ARRAY},
	{"referenceRange", FHIR_ARRAY},
};





static const struct fhir_def observation_type =
	FHIR_DEF_MORE(observation_el, value_x);
static const struct fhir_def component_type =
	FHIR_DEF_MORE(component_el, value_x);

static const char *const effective_x[] = {
	"effectiveDateTime", "effectivePeriod", "effectiveTiming",
	"effectiveInstant"
};

static const char *const statuses[] = {
	"registered", "preliminary", "final", "amended", "corrected",
	"cancelled", "entered-in-error", "unknown"
};

/* --- what to tell the client ---------------------------------------------- */

static const char msg_not_object[] =
	"Send one FHIR Observation as a JSON object.";
static const char msg_resource_type[] =
	"Send a resource with resourceType Observation.";
static const char msg_implicit_rules[] =
	"cocare cannot apply implicitRules. Send the reading without them.";
static const char msg_focus[] =
	"cocare keeps readings about the patient themselves. Send the "
	"reading without focus.";
static const char msg_status_code[] =
	"Use an Observation status code: registered, preliminary, final, "
	"amended, corrected, cancelled, entered-in-error or unknown.";
static const char msg_status_final[] =
	"cocare keeps only final readings. Send status final (or amended or "
	"corrected) once the reading is done.";
static const char msg_status_missing[] =
	"Give the reading's status: final.";
static const char msg_code[] =
	"Code the observation with a LOINC code (system http://loinc.org) of "
	"a reading cocare keeps: 85354-9 blood pressure (components 8480-6 "
	"and 8462-4), 8867-4 heart rate, 29463-7 body weight, 15074-8 or "
	"2339-0 blood glucose, 59408-5 or 2708-6 oxygen saturation, 8310-5 "
	"body temperature, 41950-7 or 55423-8 steps, 93832-4 sleep.";
static const char msg_code_mixed[] =
	"The LOINC codes name different kinds of reading. Send one "
	"observation for each kind.";
static const char msg_subject[] =
	"Refer to the patient as Patient/ followed by their cocare number, "
	"for example Patient/123.";
static const char msg_time[] =
	"Give the day the reading was taken as effectiveDateTime, best with "
	"the time and its zone, for example 2024-03-05T10:20:30Z.";
static const char msg_time_syntax[] =
	"This is not a valid FHIR dateTime. Write it with seconds and a zone, "
	"for example 2024-03-05T10:20:30Z or 2024-03-05T10:20:30+01:00.";
static const char msg_time_span[] =
	"cocare keeps the moment a reading was taken. Send effectiveDateTime "
	"instead of a period or a timing.";
static const char msg_time_range[] =
	"cocare keeps readings taken from 1900 until now. Check the date, the "
	"time and its zone.";
static const char msg_one_effective[] =
	"Send only one effective[x] element.";
static const char msg_one_value[] =
	"Send only one value[x] element.";
static const char msg_value[] =
	"Send the reading's value as valueQuantity with a number and a UCUM "
	"unit code.";
static const char msg_value_type[] =
	"cocare keeps readings as numbers. Send the value as valueQuantity "
	"with a UCUM unit code.";
static const char msg_value_absent[] =
	"cocare keeps only readings with a value. Send valueQuantity instead "
	"of dataAbsentReason.";
static const char msg_value_and_absent[] =
	"An observation with a value cannot also give a dataAbsentReason. "
	"Remove dataAbsentReason.";
static const char msg_number[] =
	"Give the value as a JSON number.";
static const char msg_comparator[] =
	"cocare keeps exact readings. Send the value without a comparator.";
static const char msg_ucum[] =
	"Give the unit as a UCUM code: system http://unitsofmeasure.org.";
static const char msg_bp_shape[] =
	"Send a blood pressure as two components, systolic (LOINC 8480-6) and "
	"diastolic (8462-4), each with valueQuantity in mm[Hg].";
static const char msg_bp_twice[] =
	"Send one systolic and one diastolic component.";
static const char msg_component_code[] =
	"Give each component a code.";
static const char msg_not_storable[] =
	"cocare cannot store this reading. Check its time and values.";

/* Which units a kind takes, said the FHIR way. */
static const char *const unit_hint[] = {
	[READING_BLOOD_PRESSURE] = "Give blood pressure in mmHg: UCUM code "
				   "mm[Hg] (kPa also works).",
	[READING_HEART_RATE] = "Give heart rate in beats a minute: UCUM code "
			       "/min.",
	[READING_WEIGHT] = "Give body weight in kilograms or pounds: UCUM code "
			   "kg or [lb_av].",
	[READING_GLUCOSE] = "Give blood glucose in mmol/L or mg/dL: UCUM code "
			    "mmol/L or mg/dL.",
	[READING_SPO2] = "Give oxygen saturation as a percentage: UCUM code %.",
	[READING_TEMPERATURE] = "Give body temperature in degrees Celsius or "
				"Fahrenheit: UCUM code Cel or [degF].",
	[READING_STEPS] = "Give steps as a count a day: UCUM code /d.",
	[READING_SLEEP] = "Give sleep in hours or minutes: UCUM code h or min.",
};

_Static_assert(ARRAY_LEN(unit_hint) == READING__MAX,
	       "a unit hint for every reading kind");

/* --- Observation to reading ----------------------------------------------- */

struct parse {
	struct fhir_outcome *oo;
	bool failed;
	const struct reading_def *d;	/* from the code; NULL: none known */
	int64_t patient_id;		/* 0: none */
	bool have_at;
	int64_t at_ms;
	char at_path[FHIR_PATH_MAX];
	bool have[READING_PARTS_MAX];
	double v[READING_PARTS_MAX];	/* in the storage unit */
	char v_path[READING_PARTS_MAX][FHIR_PATH_MAX];
};

/* Writes the path of a child element; one longer than FHIR_PATH_MAX is
 * cut short, as outcome.c cuts an issue's expression. */
static void __attribute__((format(printf, 2, 3)))
path_of(char out[FHIR_PATH_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, FHIR_PATH_MAX, fmt, ap);
	va_end(ap);
}

/* Adds an issue at `path`, or at `path`.`child` when child is not NULL. */
static void
bad(struct parse *p, int status, const char *code, const char *diagnostics,
    const char *path, const char *child)
{
	p->failed = true;
	if (child)
		fhir_failf(p->oo, status, code, diagnostics, "%s.%s", path,
			   child);
	else
		fhir_fail(p->oo, status, code, path, diagnostics);
}

/* The checks of shape.h, remembered as a failure of the parse. */
static void
check_members(struct parse *p, json_t *obj, const struct fhir_def *t,
	      const char *path)
{
	if (!fhir_check_members(p->oo, obj, t, path))
		p->failed = true;
}

static void
check_concept(struct parse *p, json_t *cc, const char *path)
{
	if (!fhir_check_concept(p->oo, cc, path))
		p->failed = true;
}

/* The LOINC code of coding `c`, or NULL. */
static const char *
loinc_of(json_t *c)
{
	const char *system = fhir_string_of(c, "system");

	return system && !strcmp(system, LOINC_SYSTEM) ? fhir_string_of(c, "code")
						       : NULL;
}

static void
parse_status(struct parse *p, json_t *in)
{
	const char *s = fhir_string_of(in, "status");
	size_t i;

	if (!json_object_get(in, "status")) {
		bad(p, 422, "required", msg_status_missing,
		    "Observation.status", NULL);
		return;
	}
	if (!s)
		return;
	for (i = 0; i < ARRAY_LEN(statuses); i++)
		if (!strcmp(s, statuses[i]))
			break;
	if (i == ARRAY_LEN(statuses))
		bad(p, 400, "code-invalid", msg_status_code,
		    "Observation.status", NULL);
	else if (strcmp(s, "final") && strcmp(s, "amended") &&
		 strcmp(s, "corrected"))
		bad(p, 422, "business-rule", msg_status_final,
		    "Observation.status", NULL);
}

/* The reading kind from the code's LOINC codings; others are ignored. */
static void
parse_code(struct parse *p, json_t *in)
{
	json_t *cc = json_object_get(in, "code"), *coding, *c;
	const struct reading_def *d;
	const char *loinc;
	size_t i;

	if (!cc) {
		bad(p, 422, "required", msg_code, "Observation.code", NULL);
		return;
	}
	if (!json_is_object(cc))
		return;
	check_concept(p, cc, "Observation.code");
	coding = json_object_get(cc, "coding");
	if (fhir_has_shape(coding, FHIR_ARRAY)) {
		json_array_foreach(coding, i, c) {
			loinc = loinc_of(c);
			d = loinc ? reading_find_loinc(str_c(loinc)) : NULL;
			if (!d)
				continue;
			if (p->d && p->d != d) {
				bad(p, 422, "code-invalid", msg_code_mixed,
				    "Observation.code", NULL);
				p->d = NULL;
				return;
			}
			p->d = d;
		}
	}
	if (!p->d)
		bad(p, 422, "code-invalid", msg_code, "Observation.code", NULL);
}

/* "Patient/<id>", the id a positive number without leading zeros (so
 * that it reads back the same). */
static bool
patient_ref(const char *s, int64_t *id)
{
	struct str ref = str_c(s);
	struct str num;

	if (!str_starts_with(ref, "Patient/"))
		return false;
	num = (struct str){ref.p + 8, ref.len - 8};
	return num.len && num.p[0] >= '1' && num.p[0] <= '9' &&
	       str_to_i64(num, 1, INT64_MAX, id);
}

static void
parse_subject(struct parse *p, json_t *in)
{
	json_t *ref = json_object_get(in, "subject"), *s;
	const char *type;

	if (!ref) {
		bad(p, 422, "required", msg_subject, "Observation.subject",
		    NULL);
		return;
	}
	if (!json_is_object(ref))
		return;
	check_members(p, ref, &fhir_reference_def, "Observation.subject");
	type = fhir_string_of(ref, "type");
	if (type && strcmp(type, "Patient"))
		bad(p, 422, "invalid", msg_subject, "Observation.subject.type",
		    NULL);
	s = json_object_get(ref, "reference");
	if (!s)
		bad(p, 422, "required", msg_subject,
		    "Observation.subject.reference", NULL);
	else if (fhir_is_string(s) &&
		 !patient_ref(json_string_value(s), &p->patient_id))
		bad(p, 422, "invalid", msg_subject,
		    "Observation.subject.reference", NULL);
}

static void
parse_effective(struct parse *p, json_t *in)
{
	const char *name = NULL, *s;
	int64_t lo;
	size_t i;
	int prec;

	for (i = 0; i < ARRAY_LEN(effective_x); i++) {
		if (!json_object_get(in, effective_x[i]))
			continue;
		if (name)
			bad(p, 400, "structure", msg_one_effective,
			    "Observation", effective_x[i]);
		else
			name = effective_x[i];
	}
	if (!name) {
		bad(p, 422, "required", msg_time, "Observation.effective",
		    NULL);
		return;
	}
	path_of(p->at_path, "Observation.%s", name);
	if (!strcmp(name, "effectivePeriod") ||
	    !strcmp(name, "effectiveTiming")) {
		bad(p, 422, "not-supported", msg_time_span, p->at_path, NULL);
		return;
	}
	s = fhir_string_of(in, name);
	if (!s)
		return;
	if (!fhir_datetime_parse(s, &lo, NULL, &prec))
		bad(p, 400, "structure", msg_time_syntax, p->at_path, NULL);
	else if (prec < FHIR_PREC_DAY)
		/* A day alone is kept as its first moment in UTC (as many
		 * HL7 examples give it); a month or year is too vague. */
		bad(p, 422, "value", msg_time, p->at_path, NULL);
	else {
		p->at_ms = lo;
		p->have_at = true;
	}
}

/* The unit of kind d named by `key` ("code" or "unit") of quantity q;
 * NULL when it names none. Blank text is no unit, though
 * reading_unit_find() would take it for the storage unit. */
static const struct reading_unit *
unit_of(const struct reading_def *d, json_t *q, const char *key)
{
	const char *s = fhir_string_of(q, key);

	if (!s || !str_trim(str_c(s)).len)
		return NULL;
	return reading_unit_find(d, str_c(s));
}

/*
 * Reads quantity `q` at `path` as part `part` of the reading, in the
 * storage unit of p->d (only its shape when the kind is unknown). The
 * unit comes from `code` or, without one, from the human `unit` label.
 */
static void
parse_quantity(struct parse *p, json_t *q, const char *path, size_t part)
{
	const struct reading_unit *u;
	const char *system = fhir_string_of(q, "system");
	json_t *value = json_object_get(q, "value");
	const char *key = "code";

	check_members(p, q, &fhir_quantity_def, path);
	if (json_object_get(q, "comparator"))
		bad(p, 422, "not-supported", msg_comparator, path,
		    "comparator");
	if (!value)
		bad(p, 422, "required", msg_number, path, "value");
	if (system && strcmp(system, UCUM_SYSTEM)) {
		bad(p, 422, "code-invalid", msg_ucum, path, "system");
		return;
	}
	if (!p->d)
		return;
	if (!json_object_get(q, "code") && json_object_get(q, "unit"))
		key = "unit";
	if (!json_object_get(q, key)) {
		bad(p, 422, "required", unit_hint[p->d->kind], path, key);
		return;
	}
	u = unit_of(p->d, q, key);
	if (!u) {
		/* One that is no string at all is reported already. */
		if (fhir_is_string(json_object_get(q, key)))
			bad(p, 422, "code-invalid", unit_hint[p->d->kind],
			    path, key);
		return;
	}
	if (!json_is_number(value) || json_object_get(q, "comparator"))
		return;
	p->v[part] = reading_unit_convert(u, &p->d->units[0],
					  json_number_value(value));
	p->have[part] = true;
	path_of(p->v_path[part], "%s.value", path);
}

/* The value[x] member of `obj` at `path`, or NULL; a second is
 * reported. */
static const char *
value_choice(struct parse *p, json_t *obj, const char *path)
{
	const char *name = NULL;
	size_t i;

	for (i = 0; i < ARRAY_LEN(value_x); i++) {
		if (!json_object_get(obj, value_x[i].name))
			continue;
		if (name)
			bad(p, 400, "structure", msg_one_value, path,
			    value_x[i].name);
		else
			name = value_x[i].name;
	}
	return name;
}

/*
 * The value of the Observation or of a component (`obj` at `path`) as
 * part `part`: a valueQuantity, not a dataAbsentReason or another type.
 * `required`: whether a missing value is an error (not when the kind is
 * unknown, which is reported already).
 */
static void
parse_value_of(struct parse *p, json_t *obj, const char *path, size_t part,
	       bool required)
{
	const char *name = value_choice(p, obj, path);
	json_t *absent = json_object_get(obj, "dataAbsentReason");
	char sub[FHIR_PATH_MAX];
	json_t *q;

	if (absent && name)
		bad(p, 422, "invariant", msg_value_and_absent, path,
		    "dataAbsentReason");
	else if (absent)
		bad(p, 422, "required", msg_value_absent, path,
		    "dataAbsentReason");
	else if (!name && required)
		bad(p, 422, "required", msg_value, path, "value");
	if (!name)
		return;
	if (strcmp(name, "valueQuantity")) {
		bad(p, 422, "value", msg_value_type, path, name);
		return;
	}
	q = json_object_get(obj, name);
	if (!json_is_object(q))
		return;
	path_of(sub, "%s.valueQuantity", path);
	parse_quantity(p, q, sub, part);
}

/* Which part of blood pressure the component's code names, or -1. */
static int
part_of(const struct reading_def *d, json_t *code)
{
	json_t *coding = json_object_get(code, "coding"), *c;
	const char *loinc;
	size_t i, k;

	if (!fhir_has_shape(coding, FHIR_ARRAY))
		return -1;
	json_array_foreach(coding, i, c) {
		loinc = loinc_of(c);
		if (!loinc)
			continue;
		for (k = 0; k < d->n_parts; k++)
			if (!strcmp(loinc, d->parts[k].loinc))
				return (int)k;
	}
	return -1;
}

/*
 * The components: for blood pressure, the systolic and diastolic values;
 * for other kinds only checked, then dropped. Components with other
 * codes are dropped too (a device may add a mean pressure).
 */
static void
parse_components(struct parse *p, json_t *in, bool bp)
{
	json_t *arr = json_object_get(in, "component"), *c, *code;
	bool seen[READING_PARTS_MAX] = {false, false};
	char path[FHIR_PATH_MAX], sub[FHIR_PATH_MAX];
	size_t i, k;
	int part;

	if (fhir_has_shape(arr, FHIR_ARRAY)) {
		json_array_foreach(arr, i, c) {
			path_of(path, "Observation.component[%zu]", i);
			check_members(p, c, &component_type, path);
			code = json_object_get(c, "code");
			if (!code)
				bad(p, 422, "required", msg_component_code,
				    path, "code");
			if (!json_is_object(code))
				continue;
			path_of(sub, "%s.code", path);
			check_concept(p, code, sub);
			if (!bp)
				continue;
			part = part_of(p->d, code);
			if (part < 0)
				continue;
			if (seen[part]) {
				bad(p, 422, "value", msg_bp_twice, sub, NULL);
				continue;
			}
			seen[part] = true;
			parse_value_of(p, c, path, (size_t)part, true);
		}
	}
	for (k = 0; bp && k < p->d->n_parts; k++)
		if (!seen[k]) {
			bad(p, 422, "required", msg_bp_shape,
			    "Observation.component", NULL);
			break;
		}
}

static void
parse_value(struct parse *p, json_t *in)
{
	bool bp = p->d && p->d->n_parts > 1;
	const char *name;

	if (bp) {
		/* The panel has no value of its own; a dataAbsentReason on
		 * it is dropped, since the components carry the values. */
		name = value_choice(p, in, "Observation");
		if (name)
			bad(p, 422, "value", msg_bp_shape, "Observation",
			    name);
	} else
		parse_value_of(p, in, "Observation", 0, p->d != NULL);
	parse_components(p, in, bp);
}

/* Where the value that reading_check() refused with `why` came from. */
static const char *
why_path(const struct parse *p, const char *why)
{
	size_t k;

	for (k = 0; k < p->d->n_parts; k++)
		if (why == p->d->parts[k].too_low ||
		    why == p->d->parts[k].too_high)
			return p->v_path[k];
	return p->d->n_parts > 1 ? "Observation.component" : p->v_path[0];
}

/* The values as stored, in thousandths, checked against the limits. */
static void
check_values(struct parse *p, int64_t *m1, int64_t *m2)
{
	const struct reading_def *d = p->d;
	struct reading_value v;
	const char *why = d->example;
	size_t k;

	for (k = 0; k < d->n_parts; k++)
		if (!p->have[k])
			return;
	memset(&v, 0, sizeof(v));
	v.kind = d->kind;
	for (k = 0; k < d->n_parts; k++)
		v.v[k] = p->v[k];
	if (d->whole && v.v[0] != floor(v.v[0])) {
		bad(p, 422, "value", d->example, p->v_path[0], NULL);
		return;
	}
	/* Judge what will be stored: 120.0004/120.0001 passes as doubles but
	 * stores as 120/120. Values too big for thousandths are far beyond
	 * every limit, so the doubles then give the reason. */
	if (reading_to_milli(&v, m1, m2))
		v = reading_from_milli(d->kind, *m1, *m2);
	if (!reading_check(&v, &why))
		bad(p, 422, "value", why, why_path(p, why), NULL);
}

bool
fhir_reading_parse(json_t *in, int64_t now_ms, struct reading *out,
		   struct fhir_outcome *oo)
{
	struct parse p;
	struct reading r;
	int64_t m1 = 0, m2 = 0;
	const char *rt;

	if (!json_is_object(in)) {
		fhir_fail(oo, 400, "structure", NULL, msg_not_object);
		return false;
	}
	rt = fhir_string_of(in, "resourceType");
	if (!rt || strcmp(rt, "Observation")) {
		fhir_fail(oo, 400, "invalid", NULL, msg_resource_type);
		return false;
	}
	memset(&p, 0, sizeof(p));
	p.oo = oo;
	check_members(&p, in, &observation_type, "Observation");
	if (json_object_get(in, "implicitRules"))
		bad(&p, 422, "not-supported", msg_implicit_rules,
		    "Observation.implicitRules", NULL);
	if (json_object_get(in, "focus"))
		bad(&p, 422, "not-supported", msg_focus, "Observation.focus",
		    NULL);
	parse_status(&p, in);
	parse_code(&p, in);
	parse_subject(&p, in);
	parse_effective(&p, in);
	parse_value(&p, in);
	if (p.d)
		check_values(&p, &m1, &m2);
	if (p.have_at && (p.at_ms > now_ms + READING_FUTURE_GRACE_MS ||
			  p.at_ms < EARLIEST_MS))
		bad(&p, 422, "business-rule", msg_time_range, p.at_path, NULL);
	if (p.failed)
		return false;
	memset(&r, 0, sizeof(r));
	r.kind = p.d->key;
	r.patient_id = p.patient_id;
	r.at_ms = p.at_ms;
	r.value_milli = m1;
	r.value2_milli = m2;
	/* The store's own rule has the last word, should it ever grow
	 * stricter than the checks above. */
	if (!reading_is_storable(&r, now_ms)) {
		fhir_fail(oo, 422, "business-rule", NULL, msg_not_storable);
		return false;
	}
	*out = r;
	return true;
}

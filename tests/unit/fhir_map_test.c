/*
 * Unit tests for FHIR date-times and the mapping between readings and
 * Observations: dates valid and invalid with the spans they cover, the
 * instant format, every reading kind out to JSON and back, the official
 * HL7 R4 examples read in place, and hostile Observations, each refused
 * with its status, issue code and FHIRPath.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/datetime.h"
#include "fhir/outcome.h"
#include "fhir/reading_map.h"
#include "measures/reading.h"
#include "measures/reading_store.h"

#define NOW_MS 1767225600000LL		/* 2026-01-01T00:00:00Z */
#define T_MS 1709634030000LL		/* 2024-03-05T10:20:30Z */
#define DAY_MS 86400000LL
#define EXAMPLES "../shared/testdata/fhir-r4-examples/"

/* --- date-times ----------------------------------------------------------- */

static void
dt_ok(const char *s, int64_t lo, int64_t hi, int precision)
{
	int64_t got_lo = 0, got_hi = 0;
	int got_prec = -1;

	if (!fhir_datetime_parse(s, &got_lo, &got_hi, &got_prec))
		fail_msg("\"%s\" refused", s);
	if (got_lo != lo || got_hi != hi || got_prec != precision)
		fail_msg("\"%s\": [%lld, %lld) precision %d, want [%lld, %lld) "
			 "%d", s, (long long)got_lo, (long long)got_hi,
			 got_prec, (long long)lo, (long long)hi, precision);
}

static void
dt_bad(const char *s)
{
	int64_t lo = 7, hi = 8;
	int prec = 9;

	if (fhir_datetime_parse(s, &lo, &hi, &prec))
		fail_msg("\"%s\" accepted", s ? s : "(null)");
	/* Nothing written on refusal. */
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 8);
	assert_int_equal(prec, 9);
}

static void
test_datetime_spans(void **state)
{
	/* Each precision covers its whole span, end exclusive. */
	dt_ok("2024", 1704067200000LL, 1735689600000LL, FHIR_PREC_YEAR);
	dt_ok("2024-02", 1706745600000LL, 1709251200000LL, FHIR_PREC_MONTH);
	dt_ok("2023-02", 1675209600000LL, 1677628800000LL, FHIR_PREC_MONTH);
	dt_ok("2024-12", 1733011200000LL, 1735689600000LL, FHIR_PREC_MONTH);
	dt_ok("2024-03-05", 1709596800000LL, 1709596800000LL + DAY_MS,
	      FHIR_PREC_DAY);
	dt_ok("2024-03-05T10:20:30Z", T_MS, T_MS + 1000, FHIR_PREC_SECOND);
	dt_ok("2024-03-05T10:20:30.123Z", T_MS + 123, T_MS + 124,
	      FHIR_PREC_MILLI);

	/* Zones: local time minus the offset is UTC. */
	dt_ok("2024-03-05T10:20:30.123+01:00", 1709630430123LL,
	      1709630430124LL, FHIR_PREC_MILLI);
	dt_ok("2024-03-05T10:20:30.1-05:30", 1709653830100LL,
	      1709653830101LL, FHIR_PREC_MILLI);
	dt_ok("2024-03-05T10:20:30-00:00", T_MS, T_MS + 1000,
	      FHIR_PREC_SECOND);
	dt_ok("2024-03-05T23:59:59+14:00", 1709632799000LL, 1709632800000LL,
	      FHIR_PREC_SECOND);
	dt_ok("2024-03-05T00:00:00-14:00", 1709647200000LL, 1709647201000LL,
	      FHIR_PREC_SECOND);

	/* Fractions of 1-9 digits; digits after the third are dropped. */
	dt_ok("2024-03-05T10:20:30.1Z", T_MS + 100, T_MS + 101,
	      FHIR_PREC_MILLI);
	dt_ok("2024-03-05T10:20:30.12Z", T_MS + 120, T_MS + 121,
	      FHIR_PREC_MILLI);
	dt_ok("2024-03-05T10:20:30.123456789Z", T_MS + 123, T_MS + 124,
	      FHIR_PREC_MILLI);

	/* Around the epoch and at both ends of the calendar. */
	dt_ok("1970-01-01T00:00:00Z", 0, 1000, FHIR_PREC_SECOND);
	dt_ok("1969-12-31T23:59:59.999Z", -1, 0, FHIR_PREC_MILLI);
	dt_ok("0001", -62135596800000LL, -62104060800000LL, FHIR_PREC_YEAR);
	dt_ok("0001-01-01T00:00:00Z", -62135596800000LL,
	      -62135596799000LL, FHIR_PREC_SECOND);
	dt_ok("9999", 253370764800000LL, 253402300800000LL, FHIR_PREC_YEAR);
	dt_ok("9999-12-31T23:59:59.999Z", 253402300799999LL,
	      253402300800000LL, FHIR_PREC_MILLI);
	dt_ok("1900", -2208988800000LL, -2177452800000LL, FHIR_PREC_YEAR);

	/* Every out pointer may be NULL. */
	assert_true(fhir_datetime_parse("2024", NULL, NULL, NULL));
}

static void
test_datetime_leap(void **state)
{
	/* Divisible by 4 leaps, by 100 does not, by 400 does. */
	dt_ok("2024-02-29", 1709164800000LL, 1709164800000LL + DAY_MS,
	      FHIR_PREC_DAY);
	dt_ok("2000-02-29", 951782400000LL, 951782400000LL + DAY_MS,
	      FHIR_PREC_DAY);
	dt_bad("2023-02-29");
	dt_bad("1900-02-29");
	dt_bad("2100-02-29");
	dt_bad("2024-02-30");
	dt_ok("2023-02", 1675209600000LL, 1675209600000LL + 28 * DAY_MS,
	      FHIR_PREC_MONTH);
	dt_ok("2000-02", 949363200000LL, 949363200000LL + 29 * DAY_MS,
	      FHIR_PREC_MONTH);
	dt_ok("1900", -2208988800000LL, -2208988800000LL + 365 * DAY_MS,
	      FHIR_PREC_YEAR);
	dt_ok("2000", 946684800000LL, 946684800000LL + 366 * DAY_MS,
	      FHIR_PREC_YEAR);
}

static void
test_datetime_invalid(void **state)
{
	static const char *const bad[] = {
		"", "202", "20245", "-2024", "+2024", "0000", "10000",
		"2024-", "2024-1", "2024-001", "2024-00", "2024-13",
		"2024-03-", "2024-03-5", "2024-03-00", "2024-03-32",
		"2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31",
		"2024/03/05", "2024-03-05Z", "2024-03-05+01:00", "2024-03-05T",
		"2024-03-05T10Z", "2024-03-05T10:20Z", "2024-03-05T10:20",
		"2024-03-05T10:20:30", "2024-03-05T10:20:30.123",
		"2024-03-05 10:20:30Z", "2024-03-05t10:20:30Z",
		"2024-03-05T10:20:30z", "2024-03-05T24:00:00Z",
		"2024-03-05T10:60:00Z", "2024-03-05T10:20:60Z",
		"2024-03-05T10:20:61Z", "2024-03-05T1:20:30Z",
		"2024-03-05T10:20:30.Z", "2024-03-05T10:20:30.1234567890Z",
		"2024-03-05T10:20:30,5Z", "2024-03-05T10:20:30+15:00",
		"2024-03-05T10:20:30+14:01", "2024-03-05T10:20:30+01:60",
		"2024-03-05T10:20:30+0100", "2024-03-05T10:20:30+01",
		"2024-03-05T10:20:30+1:00", "2024-03-05T10:20:30UTC",
		"2024-03-05T10:20:30ZZ", "2024-03-05T10:20:30Z ",
		" 2024-03-05", "2024-03-05 ", "2024-03-05T10:20:30.123+01:00x",
		"２０２４", "2024-03-05T10:20:30.-1Z", NULL
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		dt_bad(bad[i]);
}

static void
fmt_is(int64_t ms, const char *want)
{
	char out[FHIR_INSTANT_LEN];

	memset(out, 'x', sizeof(out));
	fhir_instant_format(ms, out);
	assert_string_equal(out, want);
}

static void
test_instant_format(void **state)
{
	char out[FHIR_INSTANT_LEN];
	int64_t ms, lo, hi;
	int prec;

	fmt_is(0, "1970-01-01T00:00:00.000Z");
	fmt_is(-1, "1969-12-31T23:59:59.999Z");
	fmt_is(T_MS + 123, "2024-03-05T10:20:30.123Z");
	fmt_is(1709164800000LL, "2024-02-29T00:00:00.000Z");
	fmt_is(1709164800000LL + DAY_MS, "2024-03-01T00:00:00.000Z");
	fmt_is(951782400000LL - 1, "2000-02-28T23:59:59.999Z");
	fmt_is(-2208988800000LL, "1900-01-01T00:00:00.000Z");
	fmt_is(-62135596800000LL, "0001-01-01T00:00:00.000Z");
	fmt_is(253402300799999LL, "9999-12-31T23:59:59.999Z");
	/* Beyond what an instant can hold: clamped. */
	fmt_is(INT64_MIN, "0001-01-01T00:00:00.000Z");
	fmt_is(INT64_MAX, "9999-12-31T23:59:59.999Z");
	fmt_is(-62135596800001LL, "0001-01-01T00:00:00.000Z");
	fmt_is(253402300800000LL, "9999-12-31T23:59:59.999Z");

	/* Round trips across the calendar, at odd times of day. */
	for (ms = -62135596800000LL; ms < 253402300800000LL;
	     ms += 86400000LL * 97 + 3723123) {
		fhir_instant_format(ms, out);
		assert_true(fhir_datetime_parse(out, &lo, &hi, &prec));
		assert_int_equal(lo, ms);
		assert_int_equal(hi, ms + 1);
		assert_int_equal(prec, FHIR_PREC_MILLI);
	}
	/* Every day from 1899 to 2101 starts one day after the last. */
	for (ms = -2240524800000LL; ms < 4133980800000LL; ms += DAY_MS) {
		fhir_instant_format(ms, out);
		out[10] = '\0';
		assert_true(fhir_datetime_parse(out, &lo, &hi, &prec));
		assert_int_equal(lo, ms);
		assert_int_equal(hi, ms + DAY_MS);
	}
}

/* --- helpers for Observations --------------------------------------------- */

/* JSON written with ' for " (readable in C); fails the test if bad. */
static json_t *
J(const char *text)
{
	char *s = strdup(text), *p;
	json_error_t err;
	json_t *j;

	assert_non_null(s);
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(s, JSON_DECODE_ANY, &err);
	if (!j)
		fail_msg("bad test JSON: %s: %s", err.text, s);
	free(s);
	return j;
}

/* The member at `path` of `root`: keys and array indexes split by '.'. */
static json_t *
get(json_t *root, const char *path)
{
	char buf[256], *key, *save = NULL;
	json_t *j = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (key = strtok_r(buf, ".", &save); key && j;
	     key = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(key, NULL, 10))
				     : json_object_get(j, key);
	if (!j)
		fail_msg("no %s", path);
	return j;
}

/* Sets the member at `path` (its parent must exist) to `v` (taken);
 * NULL removes it. */
static void
set(json_t *root, const char *path, json_t *v)
{
	char parent[256];
	const char *dot = strrchr(path, '.');
	json_t *obj = root;

	if (dot) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path),
			 path);
		obj = get(root, parent);
	}
	if (v)
		assert_int_equal(json_object_set_new(obj, dot ? dot + 1 : path,
						     v), 0);
	else
		assert_int_equal(json_object_del(obj, dot ? dot + 1 : path),
				 0);
}

static void
print_issues(const struct fhir_outcome *oo)
{
	size_t i;

	for (i = 0; i < oo->n; i++)
		print_message("  issue %s at %s: %s\n", oo->issue[i].code,
			      oo->issue[i].expression,
			      oo->issue[i].diagnostics);
}

/* Parses `in` (taken) at `now`, which must succeed with no issue. */
static struct reading
parsed_at(json_t *in, int64_t now)
{
	struct fhir_outcome oo;
	struct reading r;

	memset(&oo, 0, sizeof(oo));
	memset(&r, 0x5a, sizeof(r));
	if (!fhir_reading_parse(in, now, &r, &oo)) {
		print_issues(&oo);
		fail_msg("refused, status %d", oo.status);
	}
	json_decref(in);
	assert_int_equal(oo.n, 0);
	assert_int_equal(oo.status, 0);
	/* What the caller sets is left zeroed. */
	assert_int_equal(r.id, 0);
	assert_int_equal(r.org_id, 0);
	assert_null(r.source);
	assert_int_equal(r.entered_by, 0);
	assert_int_equal(r.entered_ms, 0);
	assert_true(reading_is_storable(&r, now));
	return r;
}

static struct reading
parsed(json_t *in)
{
	return parsed_at(in, NOW_MS);
}

/* Whether `oo` has an issue with `code` at `expr` ("" for none). */
static bool
has_issue(const struct fhir_outcome *oo, const char *code, const char *expr)
{
	size_t i;

	for (i = 0; i < oo->n; i++)
		if (!strcmp(oo->issue[i].code, code) &&
		    !strcmp(oo->issue[i].expression, expr))
			return true;
	return false;
}

/*
 * Parses `in` (taken), expecting refusal with HTTP `status` and, among
 * the issues, `code` at `expr`; every issue must have a sentence. The
 * outcome is returned for further checks.
 */
static struct fhir_outcome
refused_at(json_t *in, int64_t now, int status, const char *code,
	   const char *expr)
{
	struct fhir_outcome oo;
	struct reading r;
	size_t i;

	memset(&oo, 0, sizeof(oo));
	memset(&r, 0x5a, sizeof(r));
	if (fhir_reading_parse(in, now, &r, &oo))
		fail_msg("accepted; wanted %s at %s", code, expr);
	json_decref(in);
	/* Nothing written on refusal. */
	assert_int_equal(((unsigned char *)&r)[0], 0x5a);
	assert_int_equal(r.value_milli, (int64_t)0x5a5a5a5a5a5a5a5aLL);
	if (oo.status != status || !has_issue(&oo, code, expr)) {
		print_issues(&oo);
		fail_msg("status %d; wanted %d with %s at %s", oo.status,
			 status, code, expr);
	}
	assert_true(oo.n > 0);
	for (i = 0; i < oo.n; i++) {
		assert_non_null(oo.issue[i].diagnostics);
		assert_true(strlen(oo.issue[i].diagnostics) > 10);
		assert_string_equal(oo.issue[i].severity, "error");
	}
	return oo;
}

static struct fhir_outcome
refused(json_t *in, int status, const char *code, const char *expr)
{
	return refused_at(in, NOW_MS, status, code, expr);
}

/* The same, with that the only issue. */
static void
refused_only(json_t *in, int status, const char *code, const char *expr)
{
	struct fhir_outcome oo = refused(in, status, code, expr);

	if (oo.n != 1) {
		print_issues(&oo);
		fail_msg("%zu issues, wanted only %s at %s", oo.n, code, expr);
	}
}

/* A heart rate of 72/min at T_MS for Patient/123. */
static json_t *
heart_rate(void)
{
	return J("{'resourceType':'Observation','status':'final',"
		 "'code':{'coding':[{'system':'http://loinc.org',"
		 "'code':'8867-4'}]},"
		 "'subject':{'reference':'Patient/123'},"
		 "'effectiveDateTime':'2024-03-05T10:20:30Z',"
		 "'valueQuantity':{'value':72,'unit':'beats/minute',"
		 "'system':'http://unitsofmeasure.org','code':'/min'}}");
}

/* A blood pressure of 128/82 mmHg at T_MS for Patient/123. */
static json_t *
blood_pressure(void)
{
	return J("{'resourceType':'Observation','status':'final',"
		 "'code':{'coding':[{'system':'http://loinc.org',"
		 "'code':'85354-9'}]},"
		 "'subject':{'reference':'Patient/123'},"
		 "'effectiveDateTime':'2024-03-05T10:20:30Z',"
		 "'component':["
		 "{'code':{'coding':[{'system':'http://loinc.org',"
		 "'code':'8480-6'}]},"
		 "'valueQuantity':{'value':128,"
		 "'system':'http://unitsofmeasure.org','code':'mm[Hg]'}},"
		 "{'code':{'coding':[{'system':'http://loinc.org',"
		 "'code':'8462-4'}]},"
		 "'valueQuantity':{'value':82,"
		 "'system':'http://unitsofmeasure.org','code':'mm[Hg]'}}]}");
}

/* The heart rate made the kind of `loinc`, with `value` (taken) in UCUM
 * unit `ucum` and no unit label. */
static json_t *
of_kind(const char *loinc, const char *ucum, json_t *value)
{
	json_t *o = heart_rate();

	set(o, "code.coding.0.code", json_string(loinc));
	set(o, "valueQuantity.code", json_string(ucum));
	set(o, "valueQuantity.value", value);
	set(o, "valueQuantity.unit", NULL);
	return o;
}

/* --- reading to Observation and back -------------------------------------- */

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));

	assert_non_null(s);
	return s;
}

static void
test_reading_json(void **state)
{
	struct reading r;
	json_t *j;
	char *s;

	memset(&r, 0, sizeof(r));
	r.id = 42;
	r.patient_id = 123;
	r.kind = "heart-rate";
	r.at_ms = T_MS + 123;
	r.value_milli = 72000;
	r.entered_ms = T_MS + 1000;
	j = fhir_reading_json(&r);
	assert_non_null(j);
	s = dump(j);
	assert_string_equal(s,
		"{\"resourceType\":\"Observation\",\"id\":\"42\","
		"\"meta\":{\"versionId\":\"1\","
		"\"lastUpdated\":\"2024-03-05T10:20:31.000Z\"},"
		"\"status\":\"final\","
		"\"category\":[{\"coding\":[{\"system\":"
		"\"http://terminology.hl7.org/CodeSystem/"
		"observation-category\","
		"\"code\":\"vital-signs\",\"display\":\"Vital Signs\"}]}],"
		"\"code\":{\"coding\":[{\"system\":\"http://loinc.org\","
		"\"code\":\"8867-4\",\"display\":\"Heart rate\"}],"
		"\"text\":\"Heart rate\"},"
		"\"subject\":{\"reference\":\"Patient/123\"},"
		"\"effectiveDateTime\":\"2024-03-05T10:20:30.123Z\","
		"\"valueQuantity\":{\"value\":72,\"unit\":\"bpm\","
		"\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}");
	free(s);
	json_decref(j);

	/* Blood pressure: two components in mm[Hg], no value of its own. */
	r.kind = "blood-pressure";
	r.value_milli = 128500;
	r.value2_milli = 82000;
	j = fhir_reading_json(&r);
	assert_non_null(j);
	assert_null(json_object_get(j, "valueQuantity"));
	assert_int_equal(json_array_size(get(j, "component")), 2);
	assert_string_equal(json_string_value(get(j, "code.coding.0.code")),
			    "85354-9");
	assert_string_equal(json_string_value(
		get(j, "component.0.code.coding.0.code")), "8480-6");
	assert_string_equal(json_string_value(
		get(j, "component.1.code.coding.0.code")), "8462-4");
	assert_string_equal(json_string_value(
		get(j, "component.1.valueQuantity.code")), "mm[Hg]");
	s = dump(get(j, "component"));
	assert_non_null(strstr(s, "\"value\":128.5,"));
	assert_non_null(strstr(s, "\"value\":82,"));
	free(s);
	json_decref(j);

	/* Decimals print without float noise at 15 digits. */
	r.kind = "weight";
	r.value_milli = 72100;
	r.value2_milli = 0;
	j = fhir_reading_json(&r);
	s = dump(j);
	assert_non_null(strstr(s, "\"value\":72.1,\"unit\":\"kg\","));
	free(s);
	json_decref(j);
	r.value_milli = 199999;
	j = fhir_reading_json(&r);
	s = dump(j);
	assert_non_null(strstr(s, "\"value\":199.999,"));
	free(s);
	json_decref(j);

	/* Steps and sleep are activity. */
	r.kind = "steps";
	r.value_milli = 8500000;
	j = fhir_reading_json(&r);
	assert_string_equal(json_string_value(
		get(j, "category.0.coding.0.code")), "activity");
	assert_string_equal(json_string_value(
		get(j, "category.0.coding.0.display")), "Activity");
	json_decref(j);

	/* Not a kind: no resource. */
	r.kind = "Heart rate";
	assert_null(fhir_reading_json(&r));
	r.kind = "height";
	assert_null(fhir_reading_json(&r));
	r.kind = NULL;
	assert_null(fhir_reading_json(&r));
}

static void
test_round_trip(void **state)
{
	static const struct {
		const char *kind;
		int64_t v1, v2;
	} cases[] = {
		{"blood-pressure", 128500, 82000},
		{"blood-pressure", 300000, 20000},
		{"heart-rate", 72000, 0},
		{"heart-rate", 20000, 0},
		{"weight", 81234, 0},
		{"weight", 500000, 0},
		{"glucose", 5600, 0},
		{"glucose", 500, 0},
		{"spo2", 97000, 0},
		{"spo2", 100000, 0},
		{"temperature", 36800, 0},
		{"temperature", 44999, 0},
		{"steps", 8500000, 0},
		{"steps", 0, 0},
		{"sleep", 7250, 0},
		{"sleep", 1, 0},
	};
	bool seen[READING__MAX] = {false};
	struct reading r, back;
	json_error_t err;
	json_t *j;
	size_t i, k;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.id = (int64_t)i + 1;
		r.patient_id = 9007199254740993LL;	/* above 2^53 */
		r.kind = cases[i].kind;
		r.at_ms = T_MS + 987;
		r.value_milli = cases[i].v1;
		r.value2_milli = cases[i].v2;
		r.entered_ms = T_MS;
		j = fhir_reading_json(&r);
		assert_non_null(j);
		/* Through text, as a client would see and send it. */
		s = dump(j);
		json_decref(j);
		j = json_loads(s, 0, &err);
		assert_non_null(j);
		free(s);
		back = parsed(j);
		assert_string_equal(back.kind, r.kind);
		assert_int_equal(back.patient_id, r.patient_id);
		assert_int_equal(back.at_ms, r.at_ms);
		assert_int_equal(back.value_milli, r.value_milli);
		assert_int_equal(back.value2_milli, r.value2_milli);
		seen[reading_find(str_c(r.kind))->kind] = true;
	}
	for (k = 0; k < READING__MAX; k++)
		assert_true(seen[k]);
}

/* --- the official HL7 R4 examples ----------------------------------------- */

/* Example `name`, its subject made Patient/123 (they name
 * Patient/example, which is no cocare number). */
static json_t *
example(const char *name)
{
	char path[256];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), EXAMPLES "%s", name);
	j = json_load_file(path, 0, &err);
	if (!j)
		fail_msg("%s: %s", path, err.text);
	set(j, "subject.reference", json_string("Patient/123"));
	return j;
}

/* The file's value at `path` (a Quantity) in the storage unit of `kind`,
 * in thousandths. */
static int64_t
file_milli(json_t *j, const char *path, enum reading_kind kind)
{
	const struct reading_def *d = reading_def(kind);
	char sub[128];
	const struct reading_unit *u;

	snprintf(sub, sizeof(sub), "%s.code", path);
	u = reading_unit_find(d, str_c(json_string_value(get(j, sub))));
	assert_non_null(u);
	snprintf(sub, sizeof(sub), "%s.value", path);
	return reading_milli(reading_unit_convert(u, &d->units[0],
		json_number_value(get(j, sub))));
}

/*
 * Most vital-signs examples give only a day ("1999-07-02"), kept as its
 * first moment in UTC; given a time on that day, they keep the time.
 */
static struct reading
example_with_time(const char *name, const char *day, int64_t day_ms)
{
	char when[32];
	json_t *j = example(name);
	struct reading r;

	assert_string_equal(json_string_value(get(j, "effectiveDateTime")),
			    day);
	r = parsed(json_deep_copy(j));
	assert_int_equal(r.at_ms, day_ms);
	snprintf(when, sizeof(when), "%sT08:15:00+02:00", day);
	set(j, "effectiveDateTime", json_string(when));
	r = parsed(json_incref(j));
	assert_int_equal(r.patient_id, 123);
	assert_int_equal(r.at_ms, day_ms + 6 * 3600000 + 15 * 60000);
	json_decref(j);
	return r;
}

static void
test_examples_parsed(void **state)
{
	struct reading r;
	json_t *j;

	/* Oxygen saturation: the one example with a full time. Its codes
	 * 2708-6 and 59408-5 both name the kind. */
	j = example("Observation-satO2.json");
	r = parsed(json_incref(j));
	assert_string_equal(r.kind, "spo2");
	assert_int_equal(r.patient_id, 123);
	assert_int_equal(r.at_ms, 1417768210000LL);	/* 09:30:10+01:00 */
	assert_int_equal(r.value_milli, 95000);
	assert_int_equal(r.value_milli,
			 file_milli(j, "valueQuantity", READING_SPO2));
	assert_int_equal(r.value2_milli, 0);
	json_decref(j);

	r = example_with_time("Observation-body-temperature.json",
			      "1999-07-02", 930873600000LL);
	assert_string_equal(r.kind, "temperature");
	assert_int_equal(r.value_milli, 36500);
	j = example("Observation-body-temperature.json");
	assert_int_equal(r.value_milli,
			 file_milli(j, "valueQuantity", READING_TEMPERATURE));
	json_decref(j);

	r = example_with_time("Observation-heart-rate.json", "1999-07-02",
			      930873600000LL);
	assert_string_equal(r.kind, "heart-rate");
	assert_int_equal(r.value_milli, 44000);
	j = example("Observation-heart-rate.json");
	assert_int_equal(r.value_milli,
			 file_milli(j, "valueQuantity", READING_HEART_RATE));
	json_decref(j);

	/* Body weight 185 [lb_av] = 83.91458845 kg. */
	r = example_with_time("Observation-example.json", "2016-03-28",
			      1459123200000LL);
	assert_string_equal(r.kind, "weight");
	assert_int_equal(r.value_milli, 83915);
	j = example("Observation-example.json");
	assert_int_equal(r.value_milli,
			 file_milli(j, "valueQuantity", READING_WEIGHT));
	json_decref(j);

	/* Blood pressure 107/60; its identifier, basedOn, performer,
	 * interpretation and bodySite are dropped. */
	r = example_with_time("Observation-blood-pressure.json", "2012-09-17",
			      1347840000000LL);
	assert_string_equal(r.kind, "blood-pressure");
	assert_int_equal(r.value_milli, 107000);
	assert_int_equal(r.value2_milli, 60000);
	j = example("Observation-blood-pressure.json");
	assert_int_equal(r.value_milli,
			 file_milli(j, "component.0.valueQuantity",
				    READING_BLOOD_PRESSURE));
	assert_int_equal(r.value2_milli,
			 file_milli(j, "component.1.valueQuantity",
				    READING_BLOOD_PRESSURE));
	json_decref(j);
}

static void
test_examples_refused(void **state)
{
	static const char *const not_kinds[] = {
		"Observation-body-height.json",		/* 8302-2, [in_i] */
		"Observation-bmi.json",			/* 39156-5, kg/m2 */
		"Observation-respiratory-rate.json",	/* 9279-1 */
		"Observation-vitals-panel.json",	/* 85353-1 */
	};
	struct fhir_outcome oo;
	json_t *j;
	size_t i;

	/* No cocare kind: the code alone. */
	for (i = 0; i < sizeof(not_kinds) / sizeof(not_kinds[0]); i++) {
		refused_only(example(not_kinds[i]), 422, "code-invalid",
			     "Observation.code");
		j = example(not_kinds[i]);
		set(j, "effectiveDateTime",
		    json_string("1999-07-02T10:00:00Z"));
		refused_only(j, 422, "code-invalid", "Observation.code");
	}

	/* The cancelled blood pressure: its status and each component's
	 * missing value. */
	oo = refused(example("Observation-blood-pressure-cancel.json"), 422,
		     "business-rule", "Observation.status");
	assert_int_equal(oo.n, 3);
	assert_string_equal(oo.issue[0].expression, "Observation.status");
	assert_true(has_issue(&oo, "required",
			      "Observation.component[0].dataAbsentReason"));
	assert_true(has_issue(&oo, "required",
			      "Observation.component[1].dataAbsentReason"));

	/* As the examples are, with Patient/example: not a cocare patient. */
	j = example("Observation-satO2.json");
	set(j, "subject.reference", json_string("Patient/example"));
	refused_only(j, 422, "invalid", "Observation.subject.reference");
}

/* --- hostile and broken Observations -------------------------------------- */

static void
test_refuse_structure(void **state)
{
	struct fhir_outcome oo;
	json_t *j;
	size_t i;
	char key[16];

	/* Not an Observation at all. */
	refused_only(J("[1,2]"), 400, "structure", "");
	refused_only(J("'final'"), 400, "structure", "");
	refused_only(json_null(), 400, "structure", "");
	j = heart_rate();
	set(j, "resourceType", json_string("Patient"));
	refused_only(j, 400, "invalid", "");
	j = heart_rate();
	set(j, "resourceType", NULL);
	refused_only(j, 400, "invalid", "");
	j = heart_rate();
	set(j, "resourceType", json_integer(1));
	refused_only(j, 400, "invalid", "");

	/* Unknown elements, at every level parsed. */
	j = heart_rate();
	set(j, "foo", json_true());
	refused_only(j, 400, "structure", "Observation.foo");
	j = heart_rate();
	set(j, "Status", json_string("final"));
	refused_only(j, 400, "structure", "Observation.Status");
	j = heart_rate();
	set(j, "code.coding.0.Code", json_string("x"));
	refused_only(j, 400, "structure", "Observation.code.coding[0].Code");
	j = heart_rate();
	set(j, "code.foo", json_string("x"));
	refused_only(j, 400, "structure", "Observation.code.foo");
	j = heart_rate();
	set(j, "subject.foo", json_string("x"));
	refused_only(j, 400, "structure", "Observation.subject.foo");
	j = heart_rate();
	set(j, "valueQuantity.precision", json_integer(2));
	refused_only(j, 400, "structure",
		     "Observation.valueQuantity.precision");
	j = blood_pressure();
	set(j, "component.1.valueQuantity.foo", json_integer(2));
	refused_only(j, 400, "structure",
		     "Observation.component[1].valueQuantity.foo");
	j = blood_pressure();
	set(j, "component.0.status", json_string("final"));
	refused_only(j, 400, "structure", "Observation.component[0].status");

	/* Extensions of primitives are dropped; of others refused. */
	j = heart_rate();
	set(j, "_status", J("{'extension':[{'url':'http://x','valueString':"
			    "'y'}]}"));
	set(j, "valueQuantity._value", J("{'id':'v'}"));
	set(j, "code.coding.0._code", J("{}"));
	parsed(j);
	j = heart_rate();
	set(j, "_code", J("{}"));
	refused_only(j, 400, "structure", "Observation._code");
	j = heart_rate();
	set(j, "_foo", J("{}"));
	refused_only(j, 400, "structure", "Observation._foo");
	j = heart_rate();
	set(j, "_resourceType", J("{}"));
	refused_only(j, 400, "structure", "Observation._resourceType");
	j = heart_rate();
	set(j, "_status", json_string("x"));
	refused_only(j, 400, "structure", "Observation._status");

	/* Wrong JSON types. */
	j = heart_rate();
	set(j, "status", json_integer(1));
	refused_only(j, 400, "structure", "Observation.status");
	j = heart_rate();
	set(j, "valueQuantity.value", json_string("72"));
	refused_only(j, 400, "structure", "Observation.valueQuantity.value");
	j = heart_rate();
	set(j, "valueQuantity.value", json_string("NaN"));
	refused_only(j, 400, "structure", "Observation.valueQuantity.value");
	j = heart_rate();
	set(j, "valueQuantity.value", json_null());
	refused_only(j, 400, "structure", "Observation.valueQuantity.value");
	j = heart_rate();
	set(j, "valueQuantity.value", json_true());
	refused_only(j, 400, "structure", "Observation.valueQuantity.value");
	j = heart_rate();
	set(j, "code.coding", J("{'system':'http://loinc.org','code':"
				"'8867-4'}"));
	oo = refused(j, 400, "structure", "Observation.code.coding");
	assert_true(has_issue(&oo, "code-invalid", "Observation.code"));
	j = heart_rate();
	set(j, "code.coding", J("['8867-4']"));
	refused(j, 400, "structure", "Observation.code.coding");
	j = heart_rate();
	set(j, "code", J("['8867-4']"));
	refused_only(j, 400, "structure", "Observation.code");
	j = heart_rate();
	set(j, "subject", json_string("Patient/123"));
	refused_only(j, 400, "structure", "Observation.subject");
	j = heart_rate();
	set(j, "effectiveDateTime", json_integer(1709634030));
	refused_only(j, 400, "structure", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "valueQuantity", J("[72]"));
	refused_only(j, 400, "structure", "Observation.valueQuantity");
	j = blood_pressure();
	set(j, "component", J("{}"));
	oo = refused(j, 400, "structure", "Observation.component");
	assert_true(has_issue(&oo, "required", "Observation.component"));
	j = blood_pressure();
	set(j, "component", J("[1,2]"));
	refused(j, 400, "structure", "Observation.component");
	j = heart_rate();
	set(j, "code.coding.0.userSelected", json_string("true"));
	refused_only(j, 400, "structure",
		     "Observation.code.coding[0].userSelected");

	/* FHIR JSON has no empty strings, empty arrays or nulls. */
	j = heart_rate();
	set(j, "status", json_string(""));
	refused_only(j, 400, "structure", "Observation.status");
	j = heart_rate();
	set(j, "category", J("[]"));
	refused_only(j, 400, "structure", "Observation.category");
	j = heart_rate();
	set(j, "note", json_null());
	refused_only(j, 400, "structure", "Observation.note");
	/* A NUL inside a string would make "final" of "final\0x". */
	j = heart_rate();
	set(j, "status", json_stringn("final\0x", 7));
	refused_only(j, 400, "structure", "Observation.status");
	j = heart_rate();
	set(j, "subject.reference", json_stringn("Patient/1\0" "23", 12));
	refused_only(j, 400, "structure", "Observation.subject.reference");

	/* Two of a choice. */
	j = heart_rate();
	set(j, "effectiveInstant", json_string("2024-03-05T10:20:30Z"));
	refused_only(j, 400, "structure", "Observation.effectiveInstant");
	j = heart_rate();
	set(j, "valueString", json_string("72"));
	refused(j, 400, "structure", "Observation.valueString");

	/* A flood of unknown members: issues capped, status kept. */
	j = heart_rate();
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "junk%zu", i);
		set(j, key, json_integer((json_int_t)i));
	}
	oo = refused(j, 400, "structure", "Observation.junk0");
	assert_int_equal(oo.n, FHIR_ISSUES_MAX);
}

static void
test_refuse_rules(void **state)
{
	json_t *j;

	/* The elements cocare drops are fine. */
	j = heart_rate();
	set(j, "id", json_string("abc"));
	set(j, "meta", J("{'versionId':'7'}"));
	set(j, "text", J("{'status':'generated','div':'<div/>'}"));
	set(j, "identifier", J("[{'value':'x'}]"));
	set(j, "performer", J("[{'reference':'Practitioner/1'}]"));
	set(j, "interpretation", J("[{'text':'normal'}]"));
	set(j, "referenceRange", J("[{'text':'60-100'}]"));
	set(j, "note", J("[{'text':'after a walk'}]"));
	set(j, "bodySite", J("{'text':'wrist'}"));
	set(j, "issued", json_string("2024-03-05T10:21:00Z"));
	set(j, "extension", J("[{'url':'http://x','valueString':'y'}]"));
	set(j, "category", J("[{'text':'whatever'}]"));
	set(j, "device", J("{'display':'watch'}"));
	assert_int_equal(parsed(j).value_milli, 72000);

	/* Modifiers cocare cannot understand. */
	j = heart_rate();
	set(j, "modifierExtension", J("[{'url':'http://x','valueBoolean':"
				      "true}]"));
	refused_only(j, 422, "not-supported",
		     "Observation.modifierExtension");
	j = blood_pressure();
	set(j, "component.0.modifierExtension",
	    J("[{'url':'http://x','valueBoolean':true}]"));
	refused_only(j, 422, "not-supported",
		     "Observation.component[0].modifierExtension");
	j = heart_rate();
	set(j, "valueQuantity.modifierExtension", J("[{'url':'http://x'}]"));
	refused_only(j, 400, "structure",
		     "Observation.valueQuantity.modifierExtension");
	j = heart_rate();
	set(j, "implicitRules", json_string("http://example.org/rules"));
	refused_only(j, 422, "not-supported", "Observation.implicitRules");
	j = heart_rate();
	set(j, "focus", J("[{'reference':'Patient/124'}]"));
	refused_only(j, 422, "not-supported", "Observation.focus");

	/* Status: the required binding, then cocare's rule. */
	j = heart_rate();
	set(j, "status", json_string("done"));
	refused_only(j, 400, "code-invalid", "Observation.status");
	j = heart_rate();
	set(j, "status", json_string("FINAL"));
	refused_only(j, 400, "code-invalid", "Observation.status");
	j = heart_rate();
	set(j, "status", json_string("preliminary"));
	refused_only(j, 422, "business-rule", "Observation.status");
	j = heart_rate();
	set(j, "status", json_string("entered-in-error"));
	refused_only(j, 422, "business-rule", "Observation.status");
	j = heart_rate();
	set(j, "status", NULL);
	refused_only(j, 422, "required", "Observation.status");
	j = heart_rate();
	set(j, "status", json_string("amended"));
	parsed(j);
	j = heart_rate();
	set(j, "status", json_string("corrected"));
	parsed(j);

	/* Code. */
	j = heart_rate();
	set(j, "code", NULL);
	refused_only(j, 422, "required", "Observation.code");
	j = heart_rate();
	set(j, "code.coding.0.system", json_string("http://snomed.info/sct"));
	refused_only(j, 422, "code-invalid", "Observation.code");
	j = heart_rate();
	set(j, "code.coding.0.system", NULL);
	refused_only(j, 422, "code-invalid", "Observation.code");
	j = heart_rate();
	set(j, "code", J("{'text':'Heart rate'}"));
	refused_only(j, 422, "code-invalid", "Observation.code");
	/* Two kinds in one. */
	j = heart_rate();
	json_array_append_new(get(j, "code.coding"),
			      J("{'system':'http://loinc.org',"
				"'code':'29463-7'}"));
	refused_only(j, 422, "code-invalid", "Observation.code");
	/* Other codings beside the kind's are fine. */
	j = heart_rate();
	json_array_insert_new(get(j, "code.coding"), 0,
			      J("{'system':'http://snomed.info/sct',"
				"'code':'364075005'}"));
	parsed(j);

	/* Subject. */
	j = heart_rate();
	set(j, "subject", NULL);
	refused_only(j, 422, "required", "Observation.subject");
	j = heart_rate();
	set(j, "subject", J("{'display':'Ana'}"));
	refused_only(j, 422, "required", "Observation.subject.reference");
	j = heart_rate();
	set(j, "subject.type", json_string("Group"));
	refused_only(j, 422, "invalid", "Observation.subject.type");
	j = heart_rate();
	set(j, "subject.type", json_string("Patient"));
	assert_int_equal(parsed(j).patient_id, 123);
}

static void
bad_subject(const char *ref)
{
	json_t *j = heart_rate();

	set(j, "subject.reference", json_string(ref));
	refused_only(j, 422, "invalid", "Observation.subject.reference");
}

static void
test_refuse_subject_time(void **state)
{
	json_t *j;

	bad_subject("Patient/abc");
	bad_subject("Group/1");
	bad_subject("Practitioner/123");
	bad_subject("patient/123");
	bad_subject("Patient/");
	bad_subject("Patient/0");
	bad_subject("Patient/-1");
	bad_subject("Patient/+1");
	bad_subject("Patient/007");
	bad_subject("Patient/1 ");
	bad_subject("Patient/12x");
	bad_subject("Patient/123/_history/1");
	bad_subject("Patient/99999999999999999999");
	bad_subject("Patient/9223372036854775808");
	bad_subject("http://example.org/fhir/Patient/123");
	bad_subject("#p1");
	j = heart_rate();
	set(j, "subject.reference", json_string("Patient/9223372036854775807"));
	assert_int_equal(parsed(j).patient_id, INT64_MAX);

	/* A day at least; a time needs seconds and a zone. */
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("2024-03"));
	refused_only(j, 422, "value", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("2024-03-05T10:20Z"));
	refused_only(j, 400, "structure", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("2024-03-05T10:20:30"));
	refused_only(j, 400, "structure", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("2024-02-30T10:20:30Z"));
	refused_only(j, 400, "structure", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("yesterday"));
	refused_only(j, 400, "structure", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", NULL);
	refused_only(j, 422, "required", "Observation.effective");
	j = heart_rate();
	set(j, "effectiveDateTime", NULL);
	set(j, "effectivePeriod", J("{'start':'2024-03-05T10:20:30Z'}"));
	refused_only(j, 422, "not-supported", "Observation.effectivePeriod");
	j = heart_rate();
	set(j, "effectiveDateTime", NULL);
	set(j, "effectiveTiming", J("{'event':['2024-03-05T10:20:30Z']}"));
	refused_only(j, 422, "not-supported", "Observation.effectiveTiming");
	j = heart_rate();
	set(j, "effectiveDateTime", NULL);
	set(j, "effectiveInstant", json_string("2024-03-05T11:20:30.5+01:00"));
	assert_int_equal(parsed(j).at_ms, T_MS + 500);

	/* Not in the future beyond the grace for clocks, not before 1900. */
	j = heart_rate();
	parsed_at(j, T_MS - READING_FUTURE_GRACE_MS);
	j = heart_rate();
	refused_at(j, T_MS - READING_FUTURE_GRACE_MS - 1, 422,
		   "business-rule", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("9999-12-31T23:59:59Z"));
	refused_only(j, 422, "business-rule", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("1899-12-31T23:59:59Z"));
	refused_only(j, 422, "business-rule", "Observation.effectiveDateTime");
	j = heart_rate();
	set(j, "effectiveDateTime", json_string("1900-01-01T00:00:00Z"));
	assert_int_equal(parsed(j).at_ms, -2208988800000LL);
}

static void
test_refuse_values(void **state)
{
	const struct reading_def *hr = reading_def(READING_HEART_RATE);
	struct fhir_outcome oo;
	json_t *j, *bp;

	/* Impossible values, with reading_check()'s sentence. */
	j = heart_rate();
	set(j, "valueQuantity.value", json_real(1e300));
	oo = refused(j, 422, "value", "Observation.valueQuantity.value");
	assert_string_equal(oo.issue[0].diagnostics, hr->parts[0].too_high);
	j = heart_rate();
	set(j, "valueQuantity.value", json_integer(INT64_MAX));
	refused_only(j, 422, "value", "Observation.valueQuantity.value");
	j = heart_rate();
	set(j, "valueQuantity.value", json_integer(-72));
	oo = refused(j, 422, "value", "Observation.valueQuantity.value");
	assert_string_equal(oo.issue[0].diagnostics, hr->parts[0].too_low);
	j = heart_rate();
	set(j, "valueQuantity.value", json_real(-1e-300));
	refused_only(j, 422, "value", "Observation.valueQuantity.value");
	j = of_kind("41950-7", "/d", json_integer(-5));
	refused_only(j, 422, "value", "Observation.valueQuantity.value");
	j = of_kind("41950-7", "/d", json_real(8500.5));
	oo = refused(j, 422, "value", "Observation.valueQuantity.value");
	assert_string_equal(oo.issue[0].diagnostics,
			    reading_def(READING_STEPS)->example);
	/* Judged as stored, in thousandths. */
	j = of_kind("59408-5", "%", json_real(100.001));
	refused_only(j, 422, "value", "Observation.valueQuantity.value");
	j = of_kind("59408-5", "%", json_real(100.0004));
	assert_int_equal(parsed(j).value_milli, 100000);
	j = of_kind("59408-5", "%", json_real(99.9996));
	assert_int_equal(parsed(j).value_milli, 100000);

	/* Units: by UCUM code, else by the label; converted. */
	j = of_kind("8310-5", "[degF]", json_real(98.6));
	assert_int_equal(parsed(j).value_milli, 37000);
	j = of_kind("15074-8", "mg/dL", json_integer(100));
	assert_int_equal(parsed(j).value_milli, 5551);
	j = of_kind("93832-4", "min", json_integer(450));
	assert_int_equal(parsed(j).value_milli, 7500);
	j = heart_rate();
	set(j, "valueQuantity.code", NULL);
	set(j, "valueQuantity.system", NULL);
	set(j, "valueQuantity.unit", json_string("bpm"));
	assert_int_equal(parsed(j).value_milli, 72000);
	j = heart_rate();
	set(j, "valueQuantity.code", json_string("kg"));
	oo = refused(j, 422, "code-invalid", "Observation.valueQuantity.code");
	assert_int_equal(oo.n, 1);
	j = heart_rate();
	set(j, "valueQuantity.code", json_string("  "));
	refused_only(j, 422, "code-invalid", "Observation.valueQuantity.code");
	j = heart_rate();
	set(j, "valueQuantity.code", NULL);
	set(j, "valueQuantity.unit", json_string("beats/minute"));
	refused_only(j, 422, "code-invalid", "Observation.valueQuantity.unit");
	j = heart_rate();
	set(j, "valueQuantity.code", NULL);
	set(j, "valueQuantity.unit", NULL);
	refused_only(j, 422, "required", "Observation.valueQuantity.code");
	j = heart_rate();
	set(j, "valueQuantity.system", json_string("http://snomed.info/sct"));
	refused_only(j, 422, "code-invalid",
		     "Observation.valueQuantity.system");
	j = heart_rate();
	set(j, "valueQuantity.comparator", json_string("<"));
	refused_only(j, 422, "not-supported",
		     "Observation.valueQuantity.comparator");

	/* A value, and only a number. */
	j = heart_rate();
	set(j, "valueQuantity", NULL);
	refused_only(j, 422, "required", "Observation.value");
	j = heart_rate();
	set(j, "valueQuantity.value", NULL);
	refused_only(j, 422, "required", "Observation.valueQuantity.value");
	j = heart_rate();
	set(j, "valueQuantity", NULL);
	set(j, "valueString", json_string("72"));
	refused_only(j, 422, "value", "Observation.valueString");
	j = heart_rate();
	set(j, "valueQuantity", NULL);
	set(j, "valueInteger", json_integer(72));
	refused_only(j, 422, "value", "Observation.valueInteger");
	j = heart_rate();
	set(j, "valueQuantity", NULL);
	set(j, "dataAbsentReason", J("{'text':'not measured'}"));
	refused_only(j, 422, "required", "Observation.dataAbsentReason");
	j = heart_rate();
	set(j, "dataAbsentReason", J("{'text':'not measured'}"));
	refused_only(j, 422, "invariant", "Observation.dataAbsentReason");
	/* Components do not stand in for the value of a kind without. */
	j = heart_rate();
	bp = blood_pressure();
	set(j, "valueQuantity", NULL);
	set(j, "component", json_incref(get(bp, "component")));
	json_decref(bp);
	refused_only(j, 422, "required", "Observation.value");
}

static void
test_refuse_blood_pressure(void **state)
{
	const struct reading_def *bp = reading_def(READING_BLOOD_PRESSURE);
	struct fhir_outcome oo;
	struct reading r;
	json_t *j;

	r = parsed(blood_pressure());
	assert_string_equal(r.kind, "blood-pressure");
	assert_int_equal(r.value_milli, 128000);
	assert_int_equal(r.value2_milli, 82000);

	/* Either order; kPa; a third component dropped. */
	j = blood_pressure();
	json_array_append(get(j, "component"), get(j, "component.0"));
	json_array_remove(get(j, "component"), 0);
	json_array_append_new(get(j, "component"),
			      J("{'code':{'coding':[{'system':"
				"'http://loinc.org','code':'8478-0'}]},"
				"'valueQuantity':{'value':97,'code':"
				"'mm[Hg]'}}"));
	set(j, "component.1.valueQuantity.code", json_string("kPa"));
	set(j, "component.1.valueQuantity.value", json_real(17.1));
	set(j, "dataAbsentReason", J("{'text':'panel'}"));
	r = parsed(j);
	assert_int_equal(r.value_milli, 128261);	/* 17.1 kPa */
	assert_int_equal(r.value2_milli, 82000);

	/* Missing or doubled parts. */
	j = blood_pressure();
	json_array_remove(get(j, "component"), 1);
	refused_only(j, 422, "required", "Observation.component");
	j = blood_pressure();
	set(j, "component", NULL);
	refused_only(j, 422, "required", "Observation.component");
	j = blood_pressure();
	set(j, "component.1.code.coding.0.code", json_string("8480-6"));
	oo = refused(j, 422, "value", "Observation.component[1].code");
	assert_true(has_issue(&oo, "required", "Observation.component"));
	j = blood_pressure();
	set(j, "component.0.code", NULL);
	oo = refused(j, 422, "required", "Observation.component[0].code");
	assert_true(has_issue(&oo, "required", "Observation.component"));
	j = blood_pressure();
	set(j, "valueQuantity", J("{'value':128,'code':'mm[Hg]'}"));
	refused_only(j, 422, "value", "Observation.valueQuantity");

	/* Each component's value, unit and limits. */
	j = blood_pressure();
	set(j, "component.1.valueQuantity.code", json_string("mmol/L"));
	refused_only(j, 422, "code-invalid",
		     "Observation.component[1].valueQuantity.code");
	j = blood_pressure();
	set(j, "component.0.valueQuantity.value", json_integer(400));
	oo = refused(j, 422, "value",
		     "Observation.component[0].valueQuantity.value");
	assert_string_equal(oo.issue[0].diagnostics, bp->parts[0].too_high);
	j = blood_pressure();
	set(j, "component.1.valueQuantity.value", json_integer(5));
	oo = refused(j, 422, "value",
		     "Observation.component[1].valueQuantity.value");
	assert_string_equal(oo.issue[0].diagnostics, bp->parts[1].too_low);
	j = blood_pressure();
	set(j, "component.1.valueQuantity.value", json_integer(128));
	refused_only(j, 422, "value", "Observation.component");
	/* Different as numbers, equal once stored in thousandths. */
	j = blood_pressure();
	set(j, "component.0.valueQuantity.value", json_real(120.0004));
	set(j, "component.1.valueQuantity.value", json_real(120.0001));
	refused_only(j, 422, "value", "Observation.component");
	j = blood_pressure();
	set(j, "component.1.valueQuantity", NULL);
	set(j, "component.1.dataAbsentReason", J("{'text':'asked'}"));
	refused_only(j, 422, "required",
		     "Observation.component[1].dataAbsentReason");
	j = blood_pressure();
	set(j, "component.1.valueQuantity", NULL);
	refused_only(j, 422, "required", "Observation.component[1].value");
	j = blood_pressure();
	set(j, "component.0.valueQuantity", NULL);
	set(j, "component.0.valueString", json_string("128"));
	refused_only(j, 422, "value", "Observation.component[0].valueString");
}

/* The sentences list what cocare takes, so they must follow reading.h. */
static void
test_messages_follow_table(void **state)
{
	const struct reading_def *d;
	struct fhir_outcome oo;
	const char *loinc;
	size_t k, u;
	json_t *j;

	j = heart_rate();
	set(j, "code.coding.0.code", json_string("9279-1"));
	oo = refused(j, 422, "code-invalid", "Observation.code");
	for (k = 0; k < READING__MAX; k++) {
		d = reading_def((enum reading_kind)k);
		if (!strstr(oo.issue[0].diagnostics, d->loinc) ||
		    (d->loinc_alt &&
		     !strstr(oo.issue[0].diagnostics, d->loinc_alt)))
			fail_msg("%s not in the code sentence", d->key);
		for (u = 0; u < d->n_parts && d->n_parts > 1; u++)
			assert_non_null(strstr(oo.issue[0].diagnostics,
					       d->parts[u].loinc));
	}
	for (k = 0; k < READING__MAX; k++) {
		d = reading_def((enum reading_kind)k);
		loinc = d->n_parts > 1 ? "85354-9" : d->loinc;
		if (d->n_parts > 1) {
			j = blood_pressure();
			set(j, "component.0.valueQuantity.code",
			    json_string("furlong"));
			oo = refused(j, 422, "code-invalid",
				     "Observation.component[0].valueQuantity"
				     ".code");
		} else {
			j = of_kind(loinc, "furlong", json_integer(1));
			oo = refused(j, 422, "code-invalid",
				     "Observation.valueQuantity.code");
		}
		for (u = 0; u < d->n_units; u++)
			if (!strstr(oo.issue[0].diagnostics, d->units[u].ucum))
				fail_msg("%s: %s not in \"%s\"", d->key,
					 d->units[u].ucum,
					 oo.issue[0].diagnostics);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datetime_spans),
		cmocka_unit_test(test_datetime_leap),
		cmocka_unit_test(test_datetime_invalid),
		cmocka_unit_test(test_instant_format),
		cmocka_unit_test(test_reading_json),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_examples_parsed),
		cmocka_unit_test(test_examples_refused),
		cmocka_unit_test(test_refuse_structure),
		cmocka_unit_test(test_refuse_rules),
		cmocka_unit_test(test_refuse_subject_time),
		cmocka_unit_test(test_refuse_values),
		cmocka_unit_test(test_refuse_blood_pressure),
		cmocka_unit_test(test_messages_follow_table),
	};

	test_init();
	return cmocka_run_group_tests_name("fhir_map", tests, NULL, NULL);
}

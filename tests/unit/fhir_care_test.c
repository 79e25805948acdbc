/*
 * Unit tests for the care record as FHIR resources (fhir/care_map.c):
 * the CarePlan ids, a goal as a Goal, the shared care plan and the
 * crisis plan as CarePlans, notes (plain, withheld, co-written and
 * corrected, with views and requests) as Compositions, every field and
 * extension checked, no empty element anywhere, and the same shape as
 * the official HL7 R4 examples; token parameters (fhir/care_search.c);
 * and the domain reads the API added (note_search with its pages and
 * withheld notes, the owners of items and notes, the review count), on
 * SQLite and PostgreSQL.
 */
#include "support.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "care/agreement.h"
#include "care/crisis.h"
#include "care/matters.h"
#include "care/note.h"
#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/id.h"
#include "fhir/care_int.h"
#include "fhir/care_map.h"

#define EXAMPLES "../shared/testdata/fhir-r4-examples/"
#define EXT "https://cocare.org/fhir/StructureDefinition/"
#define ACCOUNT "https://cocare.org/fhir/identifier/account"
#define T0 1767225600000LL	/* 2026-01-01T00:00:00.000Z */
#define DAY 86400000LL
#define PID 1000LL

/* --- reading the JSON --------------------------------------------------- */

/*
 * The value at `path` in `j`: names separated by dots, each with an
 * optional [n] ("activity[1].detail.performer[0].reference"); NULL when
 * there is none.
 */
static json_t *
at(json_t *j, const char *path)
{
	char name[64];
	const char *p = path;

	while (j && *p) {
		size_t n = strcspn(p, ".[");

		assert_true(n < sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (n)
			j = json_object_get(j, name);
		while (j && *p == '[') {
			j = json_array_get(j, strtoul(p + 1, NULL, 10));
			p = strchr(p, ']') + 1;
		}
		if (*p == '.')
			p++;
	}
	return j;
}

static const char *
str(json_t *j, const char *path)
{
	const char *s = json_string_value(at(j, path));

	if (!s)
		fail_msg("no string at %s", path);
	return s;
}

static void
str_is(json_t *j, const char *path, const char *want)
{
	assert_string_equal(str(j, path), want);
}

/* The extensions of `j` (in its "extension") with url `url`, the n-th. */
static json_t *
ext_n(json_t *j, const char *url, size_t n)
{
	json_t *arr = json_object_get(j, "extension"), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		const char *u = json_string_value(json_object_get(e, "url"));

		if (u && !strcmp(u, url) && n-- == 0)
			return e;
	}
	return NULL;
}

static json_t *
ext(json_t *j, const char *url)
{
	return ext_n(j, url, 0);
}

/* The valueInteger of `j`'s extension `url`. */
static int64_t
ext_int(json_t *j, const char *url)
{
	return json_integer_value(at(ext(j, url), "valueInteger"));
}

static size_t
ext_count(json_t *j, const char *url)
{
	size_t n = 0;

	while (ext_n(j, url, n))
		n++;
	return n;
}

/* FHIR has no empty strings, arrays or objects. */
static void
no_empty(json_t *j, const char *where)
{
	const char *k;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_STRING:
		if (!json_string_length(j))
			fail_msg("empty string in %s", where);
		break;
	case JSON_ARRAY:
		if (!json_array_size(j))
			fail_msg("empty array in %s", where);
		json_array_foreach(j, i, v)
			no_empty(v, where);
		break;
	case JSON_OBJECT:
		if (!json_object_size(j))
			fail_msg("empty object in %s", where);
		json_object_foreach(j, k, v)
			no_empty(v, k);
		break;
	default:
		break;
	}
}

/* JSON types, with every number one type. */
static int
kind(json_t *j)
{
	return json_is_number(j) ? JSON_INTEGER : (int)json_typeof(j);
}

/* Every element `mine` shares with an official example has the same
 * JSON type there, all the way down. */
static void
same_shape(json_t *mine, json_t *theirs, const char *path)
{
	const char *k;
	json_t *v, *t;

	if (kind(mine) != kind(theirs))
		fail_msg("%s: a %d here, a %d in the example", path,
			 kind(mine), kind(theirs));
	if (json_is_array(mine) && json_array_size(mine) &&
	    json_array_size(theirs))
		same_shape(json_array_get(mine, 0), json_array_get(theirs, 0),
			   path);
	if (!json_is_object(mine))
		return;
	json_object_foreach(mine, k, v)
		if ((t = json_object_get(theirs, k)))
			same_shape(v, t, k);
}

static json_t *
example(const char *name)
{
	char path[256];
	size_t len;
	char *text;
	json_t *j;

	snprintf(path, sizeof(path), EXAMPLES "%s", name);
	text = test_read_file(path, &len);
	if (!text)
		fail_msg("cannot read %s", path);
	j = json_loadb(text, len, 0, NULL);
	free(text);
	assert_non_null(j);
	return j;
}

/* --- records to map ----------------------------------------------------- */

static struct plan_item
goal_item(int64_t id, int position, const char *status)
{
	struct plan_item g;

	memset(&g, 0, sizeof(g));
	g.id = id;
	g.org_id = 7;
	g.patient_id = PID;
	g.kind = CARE_GOAL;
	g.position = position;
	g.text = "Walk to the shop";
	g.clinical = "Improve exercise tolerance";
	g.progress_sign = "Walks there without stopping";
	g.due_date = "2026-06-30";
	g.owner_kind = "";
	g.owner_name = "";
	g.status = status;
	g.source = "";
	g.proposed_by = 31;
	g.proposed_by_name = "María López";
	g.proposed_voice = "patient";
	g.agreement.patient = true;
	g.agreement.professional = true;
	g.dispute_comment = "";
	g.disputed_by_name = "";
	g.version = 3;
	g.created_ms = T0;
	g.updated_ms = T0 + DAY;
	return g;
}

static struct plan_item
action_item(int64_t id, int64_t goal, const char *owner_kind, int64_t owner,
	    const char *status)
{
	struct plan_item a = goal_item(id, 1, status);

	a.kind = CARE_ACTION;
	a.goal_id = goal;
	a.text = "Walk ten minutes a day";
	a.clinical = "";
	a.progress_sign = "";
	a.due_date = "";
	a.owner_kind = owner_kind;
	a.owner_id = owner;
	a.owner_name = owner ? "Tom Gallagher" : "";
	a.proposed_by_name = "";
	a.proposed_voice = "professional";
	a.version = 1;
	a.updated_ms = T0 + 2 * DAY;
	return a;
}

static void
matters_fill(struct matters *m)
{
	static const char *const words[MATTERS__MAX] = {
		"My garden", "", "I do not give up", "Speak slowly"};
	int i;

	memset(m, 0, sizeof(*m));
	m->doc.patient_id = PID;
	m->doc.version = 4;
	m->doc.updated_ms = T0 + 3 * DAY;
	m->doc.updated_by = 55;
	m->doc.updated_by_name = "Tom Gallagher";
	m->doc.voice = "patient";
	for (i = 0; i < MATTERS__MAX; i++)
		m->text[i] = words[i];
	m->written_with_patient = true;
	m->confirmed_ms = T0 + 5 * DAY;
}

/* --- ids ---------------------------------------------------------------- */

static void
test_careplan_ids(void **state)
{
	int64_t big = ((int64_t)1 << 62) - 1, pid;
	bool crisis;

	(void)state;
	assert_int_equal(fhir_careplan_id(PID, false), PID);
	assert_int_equal(fhir_careplan_id(PID, true),
			 FHIR_CRISIS_PLAN_BASE + PID);
	assert_true(fhir_careplan_id_split(PID, &pid, &crisis));
	assert_int_equal(pid, PID);
	assert_false(crisis);
	assert_true(fhir_careplan_id_split(fhir_careplan_id(big, true), &pid,
					   &crisis));
	assert_int_equal(pid, big);
	assert_true(crisis);
	/* The largest record id still has a crisis plan id that is an
	 * int64 and a FHIR id of at most 19 digits. */
	assert_true(fhir_careplan_id(big, true) > 0);
	assert_false(fhir_careplan_id_split(0, &pid, &crisis));
	assert_false(fhir_careplan_id_split(-5, &pid, &crisis));
	assert_false(fhir_careplan_id_split(FHIR_CRISIS_PLAN_BASE, &pid,
					    &crisis));
}

/* --- Goal --------------------------------------------------------------- */

static void
test_goal_json(void **state)
{
	struct plan_item g = goal_item(42, 1, "active");
	json_t *r, *x;

	(void)state;
	r = fhir_goal_json(&g);
	assert_non_null(r);
	no_empty(r, "Goal");
	str_is(r, "resourceType", "Goal");
	str_is(r, "id", "42");
	str_is(r, "meta.versionId", "3");
	str_is(r, "meta.lastUpdated", "2026-01-02T00:00:00.000Z");
	str_is(r, "lifecycleStatus", "active");
	assert_null(at(r, "achievementStatus"));
	str_is(r, "description.text", "Walk to the shop");
	str_is(r, "subject.reference", "Patient/1000");
	str_is(r, "target[0].measure.text", "Walks there without stopping");
	str_is(r, "target[0].dueDate", "2026-06-30");
	str_is(r, "expressedBy.identifier.system", ACCOUNT);
	str_is(r, "expressedBy.identifier.value", "31");
	str_is(r, "expressedBy.display", "María López");
	assert_null(at(r, "expressedBy.type"));
	str_is(ext(r, EXT "clinical-wording"), "valueString",
	       "Improve exercise tolerance");
	str_is(ext(r, EXT "voice"), "valueCode", "patient");
	str_is(ext(r, EXT "proposed-by"), "valueReference.identifier.value",
	       "31");
	str_is(ext(r, EXT "created"), "valueInstant",
	       "2026-01-01T00:00:00.000Z");
	assert_null(ext(r, EXT "source"));
	x = ext(r, EXT "agreement");
	str_is(ext(x, "state"), "valueCode", "both");
	assert_true(json_is_true(at(ext(x, "patient"), "valueBoolean")));
	assert_true(json_is_true(at(ext(x, "professional"), "valueBoolean")));
	assert_null(ext(x, "disputed-by"));
	json_decref(r);

	/* Achieved, disputed by the patient, from a review, no target. */
	g.status = "achieved";
	g.progress_sign = "";
	g.due_date = "";
	g.clinical = "";
	g.source = "review:9";
	g.agreement.patient = false;
	g.agreement.disputed = true;
	g.agreement.disputed_by_patient = true;
	g.disputed_by = 31;
	g.disputed_by_name = "María López";
	g.dispute_comment = "Not this month";
	r = fhir_goal_json(&g);
	no_empty(r, "Goal");
	str_is(r, "lifecycleStatus", "completed");
	str_is(r, "achievementStatus.coding[0].system",
	       "http://terminology.hl7.org/CodeSystem/goal-achievement");
	str_is(r, "achievementStatus.coding[0].code", "achieved");
	assert_null(at(r, "target"));
	assert_null(ext(r, EXT "clinical-wording"));
	str_is(ext(r, EXT "source"), "valueString", "review:9");
	x = ext(r, EXT "agreement");
	str_is(ext(x, "state"), "valueCode", "disputed");
	assert_true(json_is_false(at(ext(x, "patient"), "valueBoolean")));
	str_is(ext(x, "disputed-by"), "valueReference.display",
	       "María López");
	str_is(ext(x, "disputed-voice"), "valueCode", "patient");
	str_is(ext(x, "comment"), "valueString", "Not this month");
	json_decref(r);

	/* Only a target date: a target without a measure. */
	g.status = "stopped";
	g.due_date = "2026-12-01";
	r = fhir_goal_json(&g);
	str_is(r, "lifecycleStatus", "cancelled");
	assert_null(at(r, "target[0].measure"));
	str_is(r, "target[0].dueDate", "2026-12-01");
	json_decref(r);

	assert_string_equal(fhir_goal_lifecycle("active"), "active");
	assert_string_equal(fhir_goal_lifecycle("achieved"), "completed");
	assert_string_equal(fhir_goal_lifecycle("stopped"), "cancelled");
	assert_string_equal(fhir_goal_lifecycle(NULL), "active");
}

/* --- the shared care plan ----------------------------------------------- */

static void
test_plan_json(void **state)
{
	struct plan_item items[5];
	struct plan_review rev[2];
	struct matters m;
	struct fhir_plan p;
	json_t *r, *a, *x, *w;

	(void)state;
	items[0] = goal_item(10, 1, "active");
	items[1] = action_item(11, 10, "patient", 0, "planned");
	items[2] = action_item(12, 10, "professional", 55, "in_progress");
	items[3] = goal_item(20, 2, "achieved");
	items[4] = action_item(21, 20, "caregiver", 66, "done");
	items[4].due_date = "2026-03-01";
	items[4].source = "review:5";
	items[4].owner_name = "Luis López";
	memset(rev, 0, sizeof(rev));
	rev[0].id = 501;
	rev[0].at_ms = T0 + 9 * DAY;
	rev[0].recorded_by = 55;
	rev[0].recorded_by_name = "Tom Gallagher";
	rev[0].participants =
		"[{\"id\":\"patient\",\"name\":\"María López\","
		"\"voice\":\"patient\"},{\"id\":\"66\",\"name\":\"Luis\","
		"\"voice\":\"caregiver\"},{\"id\":\"55\",\"name\":\"Tom\","
		"\"voice\":\"professional\"}]";
	rev[0].patient_took_part = true;
	rev[0].professional_took_part = true;
	rev[0].summary = "Going well";
	rev[0].from_version = 3;
	rev[0].to_version = 8;
	rev[1] = rev[0];
	rev[1].id = 500;
	rev[1].at_ms = T0 + 4 * DAY;
	rev[1].summary = "";
	rev[1].participants = "not json";
	matters_fill(&m);
	memset(&p, 0, sizeof(p));
	p.patient_id = PID;
	p.plan_version = 8;
	p.items = items;
	p.nitems = 5;
	p.matters = &m;
	p.reviews = rev;
	p.nreviews = 2;
	p.review_count = 2;
	p.changed_ms = T0 + 6 * DAY;

	r = fhir_plan_json(&p);
	assert_non_null(r);
	no_empty(r, "CarePlan");
	str_is(r, "resourceType", "CarePlan");
	str_is(r, "id", "1000");
	/* Plan 8 + what matters 4 + 2 reviews. */
	str_is(r, "meta.versionId", "14");
	/* The newest: the second review, past the confirmation. */
	str_is(r, "meta.lastUpdated", "2026-01-10T00:00:00.000Z");
	str_is(r, "status", "active");
	str_is(r, "intent", "plan");
	str_is(r, "category[0].coding[0].system",
	       "http://hl7.org/fhir/us/core/CodeSystem/careplan-category");
	str_is(r, "category[0].coding[0].code", "assess-plan");
	str_is(r, "subject.reference", "Patient/1000");
	assert_int_equal(ext_int(r, EXT "plan-version"), 8);
	assert_int_equal(json_array_size(at(r, "goal")), 2);
	str_is(r, "goal[0].reference", "Goal/10");
	str_is(r, "goal[1].reference", "Goal/20");

	/* Actions as activities, in the plan's order. */
	assert_int_equal(json_array_size(at(r, "activity")), 3);
	a = at(r, "activity[0]");
	str_is(a, "id", "11");
	str_is(a, "detail.status", "not-started");
	str_is(a, "detail.description", "Walk ten minutes a day");
	str_is(a, "detail.goal[0].reference", "Goal/10");
	str_is(a, "detail.performer[0].reference", "Patient/1000");
	assert_null(at(a, "detail.scheduledPeriod"));
	str_is(ext(a, EXT "voice"), "valueCode", "professional");
	/* The plan's list carries no proposer names: the account only. */
	str_is(ext(a, EXT "proposed-by"), "valueReference.identifier.value",
	       "31");
	assert_null(at(ext(a, EXT "proposed-by"), "valueReference.display"));
	assert_int_equal(ext_int(a, EXT "item-version"), 1);
	str_is(ext(a, EXT "updated"), "valueInstant",
	       "2026-01-03T00:00:00.000Z");
	str_is(ext(a, EXT "created"), "valueInstant",
	       "2026-01-01T00:00:00.000Z");
	assert_non_null(ext(a, EXT "agreement"));
	a = at(r, "activity[1]");
	str_is(a, "detail.status", "in-progress");
	str_is(a, "detail.performer[0].type", "Practitioner");
	str_is(a, "detail.performer[0].identifier.value", "55");
	str_is(a, "detail.performer[0].display", "Tom Gallagher");
	a = at(r, "activity[2]");
	str_is(a, "detail.status", "completed");
	str_is(a, "detail.goal[0].reference", "Goal/20");
	str_is(a, "detail.performer[0].type", "RelatedPerson");
	str_is(a, "detail.performer[0].display", "Luis López");
	str_is(a, "detail.scheduledPeriod.end", "2026-03-01");
	str_is(ext(a, EXT "source"), "valueString", "review:5");

	/* What matters, in the patient's words. */
	w = ext(r, EXT "what-matters");
	assert_non_null(w);
	str_is(ext(w, "what_matters"), "valueString", "My garden");
	assert_null(ext(w, "good_day"));	/* empty: left out */
	str_is(ext(w, "strengths"), "valueString", "I do not give up");
	str_is(ext(w, "know_about_me"), "valueString", "Speak slowly");
	assert_int_equal(ext_int(w, "version"), 4);
	str_is(ext(w, "updated"), "valueInstant", "2026-01-04T00:00:00.000Z");
	str_is(ext(w, "updated-by"), "valueReference.display",
	       "Tom Gallagher");
	str_is(ext(w, "voice"), "valueCode", "patient");
	assert_true(json_is_true(at(ext(w, "written-with-patient"),
				    "valueBoolean")));
	str_is(ext(w, "confirmed"), "valueInstant",
	       "2026-01-06T00:00:00.000Z");

	/* Reviews, newest first, with who took part. */
	assert_int_equal(ext_count(r, EXT "review"), 2);
	x = ext(r, EXT "review");
	str_is(x, "id", "501");
	str_is(ext(x, "date"), "valueInstant", "2026-01-10T00:00:00.000Z");
	str_is(ext(x, "recorded-by"), "valueReference.identifier.value", "55");
	assert_int_equal(ext_count(x, "participant"), 3);
	str_is(ext_n(x, "participant", 0), "valueReference.reference",
	       "Patient/1000");
	str_is(ext_n(x, "participant", 0), "valueReference.display",
	       "María López");
	str_is(ext_n(x, "participant", 1), "valueReference.type",
	       "RelatedPerson");
	str_is(ext_n(x, "participant", 1), "valueReference.identifier.value",
	       "66");
	str_is(ext_n(x, "participant", 2), "valueReference.type",
	       "Practitioner");
	assert_true(json_is_true(at(ext(x, "patient-took-part"),
				    "valueBoolean")));
	assert_true(json_is_true(at(ext(x, "professional-took-part"),
				    "valueBoolean")));
	str_is(ext(x, "summary"), "valueString", "Going well");
	assert_int_equal(ext_int(x, "from-version"), 3);
	assert_int_equal(ext_int(x, "to-version"), 8);
	/* Participants that cannot be read are left out, not guessed. */
	x = ext_n(r, EXT "review", 1);
	assert_int_equal(ext_count(x, "participant"), 0);
	assert_null(ext(x, "summary"));
	json_decref(r);
}

static void
test_plan_versions_and_times(void **state)
{
	struct plan_item g = goal_item(10, 1, "active");
	struct matters m;
	struct fhir_plan p;
	json_t *r;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.patient_id = PID;
	memset(&m, 0, sizeof(m));
	p.matters = &m;
	/* Nothing written: no plan. */
	assert_false(fhir_plan_exists(&p));
	p.review_count = 1;
	assert_true(fhir_plan_exists(&p));
	p.review_count = 0;
	m.doc.version = 1;
	assert_true(fhir_plan_exists(&p));
	m.doc.version = 0;
	p.plan_version = 2;	/* every item removed: still a plan */
	assert_true(fhir_plan_exists(&p));
	p.changed_ms = T0 + 7 * DAY;
	assert_int_equal(fhir_plan_updated_ms(&p), T0 + 7 * DAY);

	/* The newest of the items, the history and what matters. */
	p.items = &g;
	p.nitems = 1;
	g.updated_ms = T0 + 8 * DAY;
	assert_int_equal(fhir_plan_updated_ms(&p), T0 + 8 * DAY);
	matters_fill(&m);
	m.confirmed_ms = T0 + 9 * DAY;
	assert_int_equal(fhir_plan_updated_ms(&p), T0 + 9 * DAY);
	/* Without what matters or reviews: the plan's version alone. */
	memset(&m, 0, sizeof(m));
	r = fhir_plan_json(&p);
	no_empty(r, "CarePlan");
	str_is(r, "meta.versionId", "2");
	assert_null(ext(r, EXT "what-matters"));
	assert_null(ext(r, EXT "review"));
	assert_null(at(r, "activity"));
	json_decref(r);
}

/* --- the crisis plan ---------------------------------------------------- */

static void
test_crisis_json(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct crisis_plan cp;
	json_t *r;
	int i;

	(void)state;
	memset(&cp, 0, sizeof(cp));
	for (i = 0; i < CRISIS__MAX; i++)
		cp.text[i] = "";
	cp.doc.patient_id = PID;
	cp.doc.version = 4;
	cp.doc.updated_ms = T0 + DAY;
	cp.doc.updated_by = 31;
	cp.doc.updated_by_name = "María López";
	cp.doc.voice = "patient";
	cp.text[CRISIS_WARNING_SIGNS] = "  I stop eating \r\n\n\tI stay in bed";
	cp.text[CRISIS_HELP_PEOPLE] = "Lucía: 07700 900123";
	cp.text[CRISIS_REASONS] = "   \n ";
	cp.text[CRISIS_TREATMENT] = "No hospital if it can be helped";

	r = fhir_crisis_json(a, PID, &cp);
	assert_non_null(r);
	no_empty(r, "CarePlan");
	str_is(r, "resourceType", "CarePlan");
	str_is(r, "id", "4611686018427388904");	/* 2^62 + 1000 */
	str_is(r, "meta.versionId", "4");
	str_is(r, "meta.lastUpdated", "2026-01-02T00:00:00.000Z");
	str_is(r, "status", "active");
	str_is(r, "intent", "plan");
	str_is(r, "category[0].coding[0].system",
	       "https://cocare.org/fhir/CodeSystem/careplan-category");
	str_is(r, "category[0].coding[0].code", "crisis-plan");
	str_is(r, "subject.reference", "Patient/1000");
	str_is(ext(r, EXT "updated-by"), "valueReference.identifier.value",
	       "31");
	str_is(ext(r, EXT "voice"), "valueCode", "patient");
	/* One activity per item: blank lines and white space dropped. */
	assert_int_equal(json_array_size(at(r, "activity")), 4);
	str_is(r, "activity[0].detail.code.coding[0].system",
	       "https://cocare.org/fhir/CodeSystem/crisis-plan-section");
	str_is(r, "activity[0].detail.code.coding[0].code", "warning_signs");
	str_is(r, "activity[0].detail.code.coding[0].display",
	       "My warning signs");
	str_is(r, "activity[0].detail.description", "I stop eating");
	str_is(r, "activity[0].detail.status", "unknown");
	str_is(r, "activity[1].detail.description", "I stay in bed");
	str_is(r, "activity[2].detail.code.coding[0].code", "help_people");
	str_is(r, "activity[3].detail.code.coding[0].code",
	       "treatment_preferences");
	json_decref(r);

	/* Emptied: still the plan, with no activity. */
	for (i = 0; i < CRISIS__MAX; i++)
		cp.text[i] = "";
	r = fhir_crisis_json(a, PID, &cp);
	no_empty(r, "CarePlan");
	assert_null(at(r, "activity"));
	json_decref(r);
	arena_free(a);
}

/* --- notes -------------------------------------------------------------- */

static struct note
note_of(int64_t id, const char *body)
{
	struct note n;

	memset(&n, 0, sizeof(n));
	n.id = id;
	n.org_id = 7;
	n.patient_id = PID;
	n.author_id = 55;
	n.author_name = "Tom Gallagher";
	n.written_ms = T0;
	n.updated_ms = T0;
	n.title = "Visit";
	n.body = body;
	n.shared = true;
	n.withheld_reason = "";
	n.version = 1;
	return n;
}

static void
test_note_json(void **state)
{
	struct arena *a = arena_new(1 << 18);
	struct note n = note_of(77, "We talked about **sleep** & walks.");
	struct fhir_note fn = {.note = &n};
	json_t *r, *s;

	(void)state;
	r = fhir_note_json(a, &fn);
	assert_non_null(r);
	no_empty(r, "Composition");
	str_is(r, "resourceType", "Composition");
	str_is(r, "id", "77");
	str_is(r, "meta.versionId", "1");
	str_is(r, "meta.lastUpdated", "2026-01-01T00:00:00.000Z");
	str_is(r, "status", "final");
	str_is(r, "type.coding[0].system", "http://loinc.org");
	str_is(r, "type.coding[0].code", "11506-3");
	str_is(r, "subject.reference", "Patient/1000");
	str_is(r, "date", "2026-01-01T00:00:00.000Z");
	str_is(r, "author[0].type", "Practitioner");
	str_is(r, "author[0].identifier.value", "55");
	str_is(r, "author[0].display", "Tom Gallagher");
	str_is(r, "title", "Visit");
	assert_true(json_is_false(at(ext(r, EXT "cowritten"),
				     "valueBoolean")));
	assert_true(json_is_true(at(ext(r, EXT "shared-with-patient"),
				    "valueBoolean")));
	assert_null(ext(r, EXT "withheld-reason"));
	assert_int_equal(json_array_size(at(r, "section")), 1);
	s = at(r, "section[0]");
	str_is(s, "code.coding[0].code", "note");
	str_is(s, "author[0].identifier.value", "55");
	str_is(s, "text.status", "extensions");
	/* The page's rendering, escaped for XHTML. */
	str_is(s, "text.div",
	       "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>We talked "
	       "about <strong>sleep</strong> &amp; walks.</p>\n</div>");
	str_is(ext(s, EXT "markdown"), "valueMarkdown",
	       "We talked about **sleep** & walks.");
	json_decref(r);

	/* Withheld, untitled, changed since: the reason as a coding. */
	n.shared = false;
	n.withheld_reason = "third-party";
	n.title = "";
	n.version = 2;
	n.updated_ms = T0 + DAY;
	r = fhir_note_json(a, &fn);
	no_empty(r, "Composition");
	str_is(r, "status", "amended");
	str_is(r, "title", "Progress note");
	str_is(r, "meta.versionId", "2");
	str_is(r, "meta.lastUpdated", "2026-01-02T00:00:00.000Z");
	str_is(r, "date", "2026-01-01T00:00:00.000Z");
	assert_true(json_is_false(at(ext(r, EXT "shared-with-patient"),
				     "valueBoolean")));
	str_is(ext(r, EXT "withheld-reason"), "valueCoding.system",
	       "https://cocare.org/fhir/CodeSystem/note-withheld-reason");
	str_is(ext(r, EXT "withheld-reason"), "valueCoding.code",
	       "third-party");
	str_is(ext(r, EXT "withheld-reason"), "valueCoding.display",
	       "It contains information about another person");
	json_decref(r);
	arena_free(a);
}

static void
test_note_cowritten_json(void **state)
{
	struct arena *a = arena_new(1 << 18);
	struct note n = note_of(78, "My words.\n\nHis words.");
	struct note_paragraph para[2] = {
		{1, "patient", 55, "My words."},
		{3, "professional", 55, "His words."},
	};
	struct note_view views[1] = {
		{901, 78, 31, "María López", "patient", T0 + DAY, "I agree"},
	};
	struct note_amendment req[2] = {
		{902, 78, 31, "María López", T0 + 2 * DAY, "Left knee", "open",
		 0, "", 0, ""},
		{903, 78, 31, "María López", T0 + 2 * DAY, "Six hours",
		 "explained", 55, "Tom Gallagher", T0 + 3 * DAY,
		 "You said seven"},
	};
	struct fhir_note fn = {&n, para, 2, views, 1, req, 2};
	json_t *r, *x;

	(void)state;
	n.cowritten = true;
	r = fhir_note_json(a, &fn);
	assert_non_null(r);
	no_empty(r, "Composition");
	assert_true(json_is_true(at(ext(r, EXT "cowritten"),
				    "valueBoolean")));
	/* As the page shows it: the paragraphs, each with whose words. */
	assert_int_equal(json_array_size(at(r, "section")), 2);
	str_is(r, "section[0].code.coding[0].code", "paragraph");
	str_is(r, "section[0].author[0].reference", "Patient/1000");
	str_is(ext(at(r, "section[0]"), EXT "voice"), "valueCode", "patient");
	assert_int_equal(ext_int(at(r, "section[0]"), EXT "position"), 1);
	str_is(ext(at(r, "section[0]"), EXT "typed-by"),
	       "valueReference.display", "Tom Gallagher");
	str_is(r, "section[0].text.div",
	       "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>My words.</p>\n"
	       "</div>");
	str_is(r, "section[1].author[0].identifier.value", "55");
	str_is(ext(at(r, "section[1]"), EXT "voice"), "valueCode",
	       "professional");
	assert_int_equal(ext_int(at(r, "section[1]"), EXT "position"), 3);

	/* Beside it: the view and the requests with their answers. */
	x = ext(r, EXT "view");
	str_is(x, "id", "901");
	str_is(ext(x, "author"), "valueReference.identifier.value", "31");
	str_is(ext(x, "voice"), "valueCode", "patient");
	str_is(ext(x, "date"), "valueInstant", "2026-01-02T00:00:00.000Z");
	str_is(ext(x, "text"), "valueString", "I agree");
	assert_int_equal(ext_count(r, EXT "amendment"), 2);
	x = ext_n(r, EXT "amendment", 0);
	str_is(x, "id", "902");
	str_is(ext(x, "status"), "valueCode", "open");
	str_is(ext(x, "request"), "valueString", "Left knee");
	str_is(ext(x, "requested"), "valueInstant",
	       "2026-01-03T00:00:00.000Z");
	assert_null(ext(x, "answered-by"));
	assert_null(ext(x, "answer"));
	x = ext_n(r, EXT "amendment", 1);
	str_is(ext(x, "status"), "valueCode", "explained");
	str_is(ext(x, "answered-by"), "valueReference.display",
	       "Tom Gallagher");
	str_is(ext(x, "answered"), "valueInstant",
	       "2026-01-04T00:00:00.000Z");
	str_is(ext(x, "answer"), "valueString", "You said seven");
	json_decref(r);

	/* Corrected after a request: the corrected text first. */
	n.version = 2;
	n.body = "My corrected words.";
	r = fhir_note_json(a, &fn);
	no_empty(r, "Composition");
	assert_int_equal(json_array_size(at(r, "section")), 3);
	str_is(r, "section[0].code.coding[0].code", "note");
	str_is(ext(at(r, "section[0]"), EXT "markdown"), "valueMarkdown",
	       "My corrected words.");
	str_is(r, "section[1].code.coding[0].code", "paragraph");
	json_decref(r);
	arena_free(a);
}

/* --- the official examples' shape --------------------------------------- */

static void
test_examples_shape(void **state)
{
	struct arena *a = arena_new(1 << 18);
	struct plan_item items[2];
	struct crisis_plan cp;
	struct fhir_plan p;
	json_t *mine, *ex;
	int i;

	(void)state;
	items[0] = goal_item(10, 1, "achieved");
	items[1] = action_item(11, 10, "professional", 55, "done");
	items[1].due_date = "2026-03-01";
	memset(&p, 0, sizeof(p));
	p.patient_id = PID;
	p.plan_version = 2;
	p.items = items;
	p.nitems = 2;
	mine = fhir_plan_json(&p);
	ex = example("CarePlan-example.json");
	same_shape(mine, ex, "CarePlan");
	json_decref(ex);
	ex = example("CarePlan-f201.json");
	same_shape(mine, ex, "CarePlan");
	json_decref(ex);
	ex = example("CarePlan-gpvisit.json");
	same_shape(mine, ex, "CarePlan");
	json_decref(ex);
	json_decref(mine);

	memset(&cp, 0, sizeof(cp));
	for (i = 0; i < CRISIS__MAX; i++)
		cp.text[i] = "Call Lucía";
	cp.doc.version = 1;
	cp.doc.voice = "professional";
	mine = fhir_crisis_json(a, PID, &cp);
	ex = example("CarePlan-example.json");
	same_shape(mine, ex, "CarePlan");
	json_decref(ex);
	json_decref(mine);

	mine = fhir_goal_json(&items[0]);
	ex = example("Goal-example.json");
	same_shape(mine, ex, "Goal");
	json_decref(ex);
	ex = example("Goal-stop-smoking.json");
	same_shape(mine, ex, "Goal");
	json_decref(ex);
	json_decref(mine);
	arena_free(a);
}

/* --- token parameters --------------------------------------------------- */

static void
test_token_matches(void **state)
{
	const char *sys = "http://hl7.org/fhir/goal-status";

	(void)state;
	assert_true(fhir_care_token_matches("active", sys, "active"));
	assert_true(fhir_care_token_matches(
		"http://hl7.org/fhir/goal-status|active", sys, "active"));
	assert_true(fhir_care_token_matches(
		"http://hl7.org/fhir/goal-status|", sys, "completed"));
	assert_true(fhir_care_token_matches("completed,active", sys,
					    "active"));
	assert_false(fhir_care_token_matches("completed", sys, "active"));
	assert_false(fhir_care_token_matches("|active", sys, "active"));
	assert_false(fhir_care_token_matches("http://other|active", sys,
					     "active"));
	assert_false(fhir_care_token_matches("http://loinc.org|8867-4", sys,
					     "active"));
	assert_false(fhir_care_token_matches("", sys, "active"));
	assert_false(fhir_care_token_matches("activ", sys, "active"));
	assert_false(fhir_care_token_matches("actives", sys, "active"));
	assert_false(fhir_care_token_matches(",", sys, "active"));
}

/* --- domain reads on a database ----------------------------------------- */

static int
up(void **state)
{
	return test_care_up(state, TEST_CARE_CARER);
}

static int
down(void **state)
{
	return test_care_down(state);
}

/* A note of the fixture's patient written at `at_ms`, shared or not. */
static int64_t
add_note(struct test_care *f, int64_t at_ms, bool shared)
{
	struct note_write nw;

	memset(&nw, 0, sizeof(nw));
	nw.org_id = f->org;
	nw.patient_id = f->patient;
	nw.author_id = f->pro;
	nw.voice = "professional";
	nw.at_ms = at_ms;
	nw.id = id_new();
	nw.title = "Visit";
	nw.body = "We talked.";
	nw.shared = shared;
	nw.withheld_reason = shared ? "" : "legal";
	assert_int_equal(store_write(f->t.store, note_create, &nw), ERR_OK);
	return nw.id;
}

static struct note_query
all_notes(struct test_care *f, bool with_withheld)
{
	struct note_query q;

	memset(&q, 0, sizeof(q));
	q.patient_id = f->patient;
	q.with_withheld = with_withheld;
	q.from_ms = q.changed_from_ms = INT64_MIN;
	q.to_ms = q.changed_to_ms = INT64_MAX;
	q.limit = 100;
	return q;
}

/* Every note the query finds, page by page of `size`, into ids[]. */
static size_t
walk(struct test_care *f, struct note_query q, size_t size, int64_t *ids)
{
	struct note *rows;
	size_t n, i, got = 0, pages = 0;

	q.limit = size;
	for (;;) {
		assert_int_equal(note_search(f->t.db, f->a, &q, &rows, &n),
				 ERR_OK);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			ids[got++] = rows[i].id;
		q.has_after = true;
		q.after_ms = rows[n - 1].written_ms;
		q.after_id = rows[n - 1].id;
		assert_true(++pages < 20);
	}
	return got;
}

static void
test_note_search(void **state)
{
	struct test_care *f = *state;
	int64_t id[6], got[10];
	struct note_query q;
	struct note *rows;
	int64_t total;
	size_t n;

	/* Two notes at the same time, one withheld, in time order. */
	id[0] = add_note(f, T0, true);
	id[1] = add_note(f, T0 + DAY, true);
	id[2] = add_note(f, T0 + DAY, true);
	id[3] = add_note(f, T0 + 2 * DAY, false);
	id[4] = add_note(f, T0 + 3 * DAY, true);

	/* Newest first, the withheld note only when asked for. */
	q = all_notes(f, false);
	assert_int_equal(walk(f, q, 2, got), 4);
	assert_int_equal(got[0], id[4]);
	assert_int_equal(got[1], id[2]);
	assert_int_equal(got[2], id[1]);
	assert_int_equal(got[3], id[0]);
	assert_int_equal(note_search_count(f->t.db, &q, &total), ERR_OK);
	assert_int_equal(total, 4);
	q = all_notes(f, true);
	assert_int_equal(walk(f, q, 1, got), 5);
	assert_int_equal(got[1], id[3]);
	assert_int_equal(note_search_count(f->t.db, &q, &total), ERR_OK);
	assert_int_equal(total, 5);

	/* Oldest first; a page of one still steps over equal times. */
	q.oldest_first = true;
	assert_int_equal(walk(f, q, 1, got), 5);
	assert_int_equal(got[0], id[0]);
	assert_int_equal(got[1], id[1]);
	assert_int_equal(got[2], id[2]);
	assert_int_equal(got[4], id[4]);

	/* Whole bodies, and a written time range. */
	q = all_notes(f, false);
	q.from_ms = T0 + DAY;
	q.to_ms = T0 + 3 * DAY;
	assert_int_equal(note_search(f->t.db, f->a, &q, &rows, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].body, "We talked.");
	assert_int_equal(note_search_count(f->t.db, &q, &total), ERR_OK);
	assert_int_equal(total, 2);

	/* Changed in a range (all were written as they were changed). */
	q = all_notes(f, true);
	q.changed_from_ms = T0 + 2 * DAY;
	assert_int_equal(note_search(f->t.db, f->a, &q, &rows, &n), ERR_OK);
	assert_int_equal(n, 2);

	/* The limit is capped one past a page of NOTE_LIST_MAX. */
	q = all_notes(f, true);
	q.limit = 100000;
	assert_int_equal(note_search(f->t.db, f->a, &q, &rows, &n), ERR_OK);
	assert_int_equal(n, 5);

	/* Another patient's notes are not in it. */
	q.patient_id = f->patient + 1;
	assert_int_equal(note_search(f->t.db, f->a, &q, &rows, &n), ERR_OK);
	assert_int_equal(n, 0);
}

static void
test_owners_and_counts(void **state)
{
	struct test_care *f = *state;
	struct plan_change c;
	struct plan_review r;
	int64_t pid = 0, note, n = -1;

	note = add_note(f, T0, false);
	assert_int_equal(note_patient(f->t.db, note, &pid), ERR_OK);
	assert_int_equal(pid, f->patient);
	assert_int_equal(note_patient(f->t.db, note + 1, &pid),
			 ERR_NOT_FOUND);

	memset(&c, 0, sizeof(c));
	c.org_id = f->org;
	c.patient_id = f->patient;
	c.author_id = f->pro;
	c.voice = "professional";
	c.at_ms = T0;
	c.change = "create";
	c.item.kind = CARE_GOAL;
	c.item.text = "Sleep better";
	c.item.status = "active";
	assert_int_equal(store_write(f->t.store, plan_write, &c), ERR_OK);
	pid = 0;
	assert_int_equal(plan_item_patient(f->t.db, c.new_id, &pid), ERR_OK);
	assert_int_equal(pid, f->patient);
	assert_int_equal(plan_item_patient(f->t.db, c.new_id + 1, &pid),
			 ERR_NOT_FOUND);

	assert_int_equal(plan_review_count(f->t.db, f->patient, &n), ERR_OK);
	assert_int_equal(n, 0);
	memset(&r, 0, sizeof(r));
	r.org_id = f->org;
	r.patient_id = f->patient;
	r.at_ms = T0;
	r.recorded_by = f->pro;
	r.participants = "[]";
	r.summary = "First";
	assert_int_equal(store_write(f->t.store, plan_review_write, &r),
			 ERR_OK);
	assert_int_equal(store_write(f->t.store, plan_review_write, &r),
			 ERR_OK);
	assert_int_equal(plan_review_count(f->t.db, f->patient, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(plan_review_count(f->t.db, f->patient + 1, &n),
			 ERR_OK);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_careplan_ids),
		cmocka_unit_test(test_goal_json),
		cmocka_unit_test(test_plan_json),
		cmocka_unit_test(test_plan_versions_and_times),
		cmocka_unit_test(test_crisis_json),
		cmocka_unit_test(test_note_json),
		cmocka_unit_test(test_note_cowritten_json),
		cmocka_unit_test(test_examples_shape),
		cmocka_unit_test(test_token_matches),
		cmocka_unit_test_setup_teardown(test_note_search, up, down),
		cmocka_unit_test_setup_teardown(test_owners_and_counts, up,
						down),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

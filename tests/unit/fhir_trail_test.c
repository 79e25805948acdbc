/*
 * Unit tests for the record's trail in FHIR: provenance rows and audit
 * chain entries read back (auth/provenance.c, auth/audit.c) and served
 * as Provenance and AuditEvent (src/fhir/trail.c, provenance.c,
 * auditevent.c). Who wrote what in which voice, as each reader may see
 * it: a withheld note's history stays with who may read the note, a
 * caregiver and a receptionist see the parts of the record they may
 * read, only the patient and the privacy officer read the access log,
 * pages never repeat or skip a row and counts match the pages. Every
 * record type the domain modules name is in the table. On SQLite and
 * PostgreSQL.
 */
#include "support.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/policy.h"
#include "auth/provenance.h"
#include "auth/scope.h"
#include "auth/write.h"
#include "care/crisis.h"
#include "care/decision.h"
#include "care/dialog.h"
#include "care/matters.h"
#include "care/note.h"
#include "care/plan.h"
#include "contact/appointment.h"
#include "contact/consult.h"
#include "contact/message.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "demo/demo.h"
#include "fhir/datetime.h"
#include "fhir/resource.h"
#include "fhir/trail.h"
#include "measures/agenda.h"
#include "measures/alert.h"
#include "measures/reading_store.h"
#include "measures/response.h"
#include "measures/schedule.h"
#include "measures/target_store.h"

#define VOICE FHIR_EXT_VOICE

/* The fixture: test_care's people, a privacy officer, a receptionist, a
 * patient of another organisation, and a history of writes. */
struct trail {
	struct test_care *f;
	int64_t privacy, reception, far_patient;
	int64_t withheld_note, shared_note;
	int64_t end_ms;		/* the last entry written by the setup */
	char end[FHIR_INSTANT_LEN];
};

static struct trail T;

static enum err
noop(struct db *db, void *arg)
{
	(void)db;
	(void)arg;
	return ERR_OK;
}

/* A write of `type`/`rid` to Ana's record by `who`, in `voice` (NULL:
 * their role's), through the single write path. */
static void
wrote(int64_t who, enum role role, const char *action, const char *type,
      const char *rid, const char *voice, const char *detail,
      enum err (*fn)(struct db *, void *), void *arg)
{
	struct test_care *f = T.f;
	struct write_info wi = {
		.action = action,
		.resource_type = type,
		.resource_id = rid,
		.patient_id = f->patient,
		.detail = detail,
		.voice = voice,
	};

	static int64_t last_ms;

	/* One write a millisecond: the pages' order is then the setup's. */
	while (clock_now_ms() <= last_ms)
		;
	last_ms = clock_now_ms();
	test_act_as(&f->ctx, f->org, f->patient, who, role);
	assert_int_equal(write_commit(&f->ctx, &wi, fn ? fn : noop, arg),
			 ERR_OK);
}

struct entry {
	const struct audit_key *key;
	struct audit_event e;
};

static enum err
append_fn(struct db *db, void *arg)
{
	struct entry *x = arg;

	return audit_append(db, x->key, &x->e, NULL);
}

/* An entry in the chain as the pages make one for a read or refusal. */
static void
logged(int64_t who, const char *role, const char *action, const char *type,
       const char *rid, int64_t pid, const char *outcome, const char *detail)
{
	struct test_care *f = T.f;
	struct entry x = {&f->key,
			  {f->org, who, role, action, type, rid, pid, outcome,
			   detail, clock_now_ms()}};

	assert_int_equal(store_write(f->t.store, append_fn, &x), ERR_OK);
}

static enum err
people_fn(struct db *db, void *arg)
{
	struct test_care *f = arg;
	enum err e;
	struct stmt *st;

	if ((e = test_add_account(db, T.privacy, f->org, "privacy",
				  ROLE_PRIVACY_OFFICER, 0)) ||
	    (e = test_add_account(db, T.reception, f->org, "desk",
				  ROLE_RECEPTIONIST, 0)) ||
	    (e = test_add_patient(db, T.far_patient, f->other_org, "Far",
				  "Away")))
		return e;
	/* The son may see Ana's profile, care record and notes. */
	st = db_prepare(db, "UPDATE caregiver_grant SET scopes = $1 "
			    "WHERE caregiver_id = $2");
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1,
		      policy_scope_bit(RES_PROFILE, ACT_READ) |
			      policy_scope_bit(RES_CARE_RECORD, ACT_READ) |
			      policy_scope_bit(RES_NOTES, ACT_READ));
	stmt_bind_int(st, 2, f->carer);
	return stmt_exec(st);
}

static struct note_write
note(bool shared, const char *reason)
{
	struct note_write nw;

	memset(&nw, 0, sizeof(nw));
	nw.org_id = T.f->org;
	nw.patient_id = T.f->patient;
	nw.author_id = T.f->pro;
	nw.voice = "professional";
	nw.at_ms = clock_now_ms();
	nw.id = id_new();
	nw.title = "Visit";
	nw.body = "We talked.";
	nw.shared = shared;
	nw.withheld_reason = reason;
	return nw;
}

static char *
id_text(int64_t id)
{
	return arena_printf(T.f->a, "%lld", (long long)id);
}

/*
 * Ana's history, oldest first:
 *   1 Ana records a reading (Observation/777)
 *   2 Dr writes what matters to Ana, in her words
 *   3 Dr writes a note withheld from Ana, for safeguarding
 *   4 Dr writes a note shared with her
 *   5 her son (caregiver) sends a message
 *   6 Ana grants access (Consent)
 *   7 Dr2 opens her record in an emergency
 *   8 Dr changes the care team
 * and in the chain besides: Dr reads both notes, the son is refused,
 * the privacy officer signs in (no patient), and Dr reads the record of
 * a patient of another organisation.
 */
static int
up(void **state)
{
	struct note_write withheld, shared;
	struct test_care *f;

	test_care_up(state, TEST_CARE_CARER | TEST_CARE_STRANGERS);
	f = *state;
	memset(&T, 0, sizeof(T));
	T.f = f;
	T.privacy = id_new();
	T.reception = id_new();
	T.far_patient = id_new();
	assert_int_equal(store_write(f->t.store, people_fn, f), ERR_OK);
	withheld = note(false, "safeguarding");
	shared = note(true, "");
	T.withheld_note = withheld.id;
	T.shared_note = shared.id;

	wrote(f->patient_acc, ROLE_PATIENT, "create", "Observation", "777",
	      NULL, "reading", NULL, NULL);
	wrote(f->pro, ROLE_PROFESSIONAL, "update", "WhatMatters", "",
	      "patient", "what-matters", NULL, NULL);
	wrote(f->pro, ROLE_PROFESSIONAL, "create", NOTE_RES_NOTE,
	      id_text(withheld.id), NULL, "safeguarding", note_create,
	      &withheld);
	wrote(f->pro, ROLE_PROFESSIONAL, "create", NOTE_RES_NOTE,
	      id_text(shared.id), NULL, NULL, note_create, &shared);
	wrote(f->carer, ROLE_CAREGIVER, "create", "Message", "5", NULL,
	      "new-thread", NULL, NULL);
	wrote(f->patient_acc, ROLE_PATIENT, "create", "Consent", "",
	      NULL, "caregiver-grant", NULL, NULL);
	wrote(f->other_pro, ROLE_PROFESSIONAL, "break-glass", "Patient",
	      id_text(f->patient), NULL, NULL, NULL, NULL);
	wrote(f->pro, ROLE_PROFESSIONAL, "create", "CareTeam", "", NULL,
	      NULL, NULL, NULL);
	logged(f->pro, "professional", "read", NOTE_RES_NOTE,
	       id_text(withheld.id), f->patient, "success", "");
	logged(f->pro, "professional", "read", NOTE_RES_NOTE,
	       id_text(shared.id), f->patient, "success", "");
	logged(f->carer, "caregiver", "read", "Patient", id_text(f->patient),
	       f->patient, "denied", "scope-not-granted");
	logged(T.privacy, "privacy_officer", "login", "Session", "", 0,
	       "success", "");
	logged(f->pro, "professional", "read", "Patient",
	       id_text(T.far_patient), T.far_patient, "denied",
	       "other-organisation");
	T.end_ms = clock_now_ms();
	fhir_instant_format(T.end_ms, T.end);
	/* What the tests' own reads add to the chain comes later. */
	while (clock_now_ms() <= T.end_ms + 1)
		;
	return 0;
}

static int
down(void **state)
{
	return test_care_down(state);
}

/* A call by `who` in `role` with token scopes `scopes`. */
static void
as(struct fhir_call *c, int64_t who, enum role role, const char *scopes)
{
	struct test_care *f = T.f;

	memset(c, 0, sizeof(*c));
	test_act_as(&f->ctx, f->org, f->patient, who, role);
	f->ctx.memo_patient = 0;
	c->ctx = &f->ctx;
	assert_true(scopes_parse(scopes, &c->scopes, NULL));
}

#define COUNT 0x1	/* _summary=count */
#define OLDEST 0x2	/* _sort=date */

/* A search with parameters "name=value" (no modifiers, NULL-terminated)
 * and `how` (COUNT, OLDEST). */
static enum err
search(struct fhir_call *c,
       enum err (*fn)(struct fhir_call *, const struct fhir_search *,
		      struct fhir_page *),
       const char *const *kv, int count, const char *cursor, unsigned how,
       struct fhir_page *page)
{
	struct fhir_param p[8];
	struct fhir_search q;
	size_t n = 0;

	memset(&q, 0, sizeof(q));
	for (; kv && kv[n]; n++) {
		const char *eq = strchr(kv[n], '=');

		p[n].name = arena_strndup(T.f->a, kv[n],
					  (size_t)(eq - kv[n]));
		p[n].modifier = NULL;
		p[n].value = eq + 1;
	}
	q.p = p;
	q.n = n;
	q.count = count;
	q.cursor = cursor;
	q.summary_count = how & COUNT;
	q.sort_oldest = how & OLDEST;
	memset(page, 0, sizeof(*page));
	page->match = json_array();
	page->include = json_array();
	page->total = -1;
	return fn(c, &q, page);
}

static void
page_free(struct fhir_page *page)
{
	json_decref(page->match);
	json_decref(page->include);
}

static const char *
jstr(json_t *o, const char *path)
{
	json_t *v = o;
	char key[64];
	const char *p = path;

	while (v && *p) {
		size_t n = strcspn(p, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		if (key[0] >= '0' && key[0] <= '9')
			v = json_array_get(v, (size_t)(key[0] - '0'));
		else
			v = json_object_get(v, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return json_string_value(v);
}

/* The target type of each Provenance of a page, in page order, joined
 * by spaces ("Observation WhatMatters ..."). */
static const char *
targets(json_t *match)
{
	char *s = "";
	json_t *r;
	size_t i;

	json_array_foreach(match, i, r) {
		const char *t = jstr(r, "target.0.display");

		if (!t)	/* a literal reference */
			t = jstr(r, "target.0.reference");
		s = arena_printf(T.f->a, "%s%s%.*s", s, i ? " " : "",
				 (int)strcspn(t, "/"), t);
	}
	return s;
}

static void
test_types_mapped(void **state)
{
	static const char *const types[] = {
		CRISIS_RES, DECISION_RES, DIALOG_RES, MATTERS_RES,
		NOTE_RES_NOTE, NOTE_RES_VIEW, NOTE_RES_AMENDMENT,
		PLAN_RES_GOAL, PLAN_RES_ACTION, PLAN_RES_REVIEW,
		PLAN_RES_COMMENT, APPT_RES, CONSULT_RES, MESSAGE_RES,
		MESSAGE_RES_READ, MESSAGE_RES_ATTACHMENT, AGENDA_RES,
		ALERT_RES, READING_RES, READING_UPLOAD_RES, RESPONSE_RES,
		SCHEDULE_RES, TARGET_RES,
	};
	enum resource res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_true(provenance_resource(types[i], "create", &res));
	assert_true(provenance_resource(NOTE_RES_NOTE, "update", &res));
	assert_int_equal(res, RES_NOTES);
	assert_true(provenance_resource("Patient", "break-glass", &res));
	assert_int_equal(res, RES_ACCESS_LOG);
	/* A type no one listed is never shown. */
	assert_false(provenance_resource("Secret", "create", &res));
}

/* Every record type and action the demo writes or audits with a patient
 * is in the table. */
static void
test_demo_types_mapped(void **state)
{
	struct test_db t;
	struct audit_key key;
	struct stmt *st;
	enum resource res;
	int n = 0;

	(void)state;
	test_db_open(&t);
	randombytes_buf(key.k, sizeof(key.k));
	assert_int_equal(demo_load(t.store, &key, 7, clock_now(), NULL),
			 ERR_OK);
	st = db_prepare(t.db, "SELECT DISTINCT resource_type, activity FROM "
			      "provenance UNION SELECT DISTINCT resource_type, "
			      "action FROM audit_event WHERE patient_id <> 0");
	assert_non_null(st);
	while (stmt_row(st)) {
		if (!provenance_resource(stmt_text(st, 0), stmt_text(st, 1),
					 &res))
			fail_msg("'%s' is not in provenance.c's table",
				 stmt_text(st, 0));
		n++;
	}
	assert_int_equal(stmt_done(st), ERR_OK);
	assert_true(n > 10);
	test_db_close(&t);
}

static void
test_provenance_json(void **state)
{
	struct test_care *f = *state;
	struct provenance p = {
		.id = 42, .at_ms = 1735891200123,
		.resource_type = "WhatMatters",
		.resource_id = "", .patient_id = f->patient,
		.author_id = f->pro, .voice = "patient", .activity = "update",
		.author_role = "professional", .author_name = "Dr Who",
	};
	char pref[48], prac[48];
	json_t *r;

	snprintf(pref, sizeof(pref), "Patient/%lld", (long long)f->patient);
	snprintf(prac, sizeof(prac), "Practitioner/%lld", (long long)f->pro);
	/* A professional writing the patient's words: the enterer, and the
	 * patient the author. */
	r = fhir_provenance_json(&p);
	assert_string_equal(jstr(r, "resourceType"), "Provenance");
	assert_string_equal(jstr(r, "id"), "42");
	assert_string_equal(jstr(r, "recorded"), "2025-01-03T08:00:00.123Z");
	assert_string_equal(jstr(r, "extension.0.valueReference.reference"),
			    pref);
	assert_string_equal(jstr(r, "target.0.display"), "WhatMatters");
	assert_string_equal(jstr(r, "activity.coding.0.code"), "UPDATE");
	assert_string_equal(jstr(r, "activity.coding.0.system"),
			    "http://terminology.hl7.org/CodeSystem/"
			    "v3-DataOperation");
	assert_string_equal(jstr(r, "agent.0.who.reference"), prac);
	assert_string_equal(jstr(r, "agent.0.who.display"), "Dr Who");
	assert_string_equal(jstr(r, "agent.0.type.coding.0.code"), "enterer");
	assert_string_equal(jstr(r, "agent.0.type.coding.0.system"),
			    "http://terminology.hl7.org/CodeSystem/"
			    "provenance-participant-type");
	assert_string_equal(jstr(r, "agent.0.extension.0.url"), VOICE);
	assert_string_equal(jstr(r, "agent.0.extension.0.valueCode"),
			    "patient");
	assert_string_equal(jstr(r, "agent.0.onBehalfOf.reference"), pref);
	assert_string_equal(jstr(r, "agent.1.who.reference"), pref);
	assert_string_equal(jstr(r, "agent.1.type.coding.0.code"), "author");
	json_decref(r);

	/* The patient on their own record: the author, on no one's behalf. */
	p.author_id = f->patient_acc;
	p.author_role = "patient";
	p.author_patient_id = f->patient;
	p.activity = "agree";
	p.resource_type = "Observation";
	p.resource_id = "777";
	r = fhir_provenance_json(&p);
	assert_string_equal(jstr(r, "agent.0.who.reference"), pref);
	assert_string_equal(jstr(r, "agent.0.type.coding.0.code"), "author");
	assert_null(json_object_get(json_array_get(json_object_get(r, "agent"),
						   0),
				    "onBehalfOf"));
	assert_int_equal(json_array_size(json_object_get(r, "agent")), 1);
	assert_string_equal(jstr(r, "target.0.reference"), "Observation/777");
	assert_string_equal(jstr(r, "activity.text"), "agree");
	assert_null(json_object_get(json_object_get(r, "activity"), "coding"));
	json_decref(r);

	/* A caregiver, by their account; cocare itself, as a device. */
	p.author_id = f->carer;
	p.author_role = "caregiver";
	p.author_patient_id = 0;
	p.voice = "caregiver";
	p.resource_type = NOTE_RES_NOTE;
	p.resource_id = "12";
	r = fhir_provenance_json(&p);
	assert_string_equal(jstr(r, "agent.0.who.type"), "RelatedPerson");
	assert_string_equal(jstr(r, "agent.0.who.identifier.system"),
			    FHIR_ID_ACCOUNT);
	assert_string_equal(jstr(r, "agent.0.who.identifier.value"),
			    id_text(f->carer));
	assert_string_equal(jstr(r, "agent.0.type.coding.0.code"), "author");
	assert_string_equal(jstr(r, "agent.0.onBehalfOf.reference"), pref);
	assert_string_equal(jstr(r, "target.0.identifier.system"),
			    FHIR_ID_RECORD "ProgressNote");
	assert_string_equal(jstr(r, "target.0.identifier.value"), "12");
	json_decref(r);
	p.author_id = 0;
	p.author_role = "";
	p.voice = "system";
	r = fhir_provenance_json(&p);
	assert_string_equal(jstr(r, "agent.0.who.type"), "Device");
	assert_string_equal(jstr(r, "agent.0.who.display"), "cocare");
	assert_string_equal(jstr(r, "agent.0.type.coding.0.code"), "author");
	json_decref(r);
}

static const char *entity_names(json_t *r);

/* The JSON kind of `v`: numbers as one, booleans as one. */
static int
kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
	case JSON_REAL:
		return JSON_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return JSON_TRUE;
	default:
		return (int)json_typeof(v);
	}
}

/* Every element `ours` shares with the HL7 example `theirs` has the same
 * JSON kind (object, array, string, ...), all the way down. */
static void
same_shape(json_t *ours, json_t *theirs, const char *path)
{
	const char *key;
	json_t *v, *t;

	if (json_is_array(ours) && json_is_array(theirs)) {
		if (json_array_size(ours) && json_array_size(theirs))
			same_shape(json_array_get(ours, 0),
				   json_array_get(theirs, 0), path);
		return;
	}
	if (!json_is_object(ours) || !json_is_object(theirs))
		return;
	json_object_foreach(ours, key, v) {
		const char *at = arena_printf(T.f->a, "%s.%s", path, key);

		if (!(t = json_object_get(theirs, key)))
			continue;
		if (kind(v) != kind(t))
			fail_msg("%s is not shaped as in the HL7 example", at);
		same_shape(v, t, at);
	}
}

/* The elements of `o` are among `allowed` (R4's, space-separated). */
static void
only_elements(json_t *o, const char *allowed, const char *path)
{
	const char *key;
	char word[48];
	json_t *v;

	json_object_foreach(o, key, v) {
		snprintf(word, sizeof(word), " %s ", key);
		if (!strstr(allowed, word))
			fail_msg("%s.%s is no R4 element", path, key);
	}
}

static json_t *
example(const char *name)
{
	char *path = arena_printf(T.f->a, "../shared/testdata/"
				  "fhir-r4-examples/%s", name);
	char *text = test_read_file(path, NULL);
	json_t *j;

	assert_non_null(text);
	j = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(j);
	return j;
}

#define META " id meta implicitRules language text contained extension " \
	"modifierExtension "

/* Provenance and AuditEvent as R4 defines them, shaped as HL7's own
 * examples. */
static void
test_r4_shape(void **state)
{
	struct test_care *f = *state;
	struct provenance p = {
		.id = 42, .at_ms = 1735891200123, .audit_seq = 7,
		.resource_type = "WhatMatters", .resource_id = "",
		.patient_id = f->patient, .author_id = f->pro,
		.voice = "patient", .activity = "update",
		.author_role = "professional", .author_name = "Dr Who",
	};
	struct audit_row r = {
		.seq = 8, .at_ms = 1735891200123, .actor_id = f->pro,
		.actor_name = "Dr Who", .actor_role = "professional",
		.action = "read", .resource_type = "Observation",
		.resource_id = "777", .patient_id = f->patient,
		.patient_org_id = f->org, .outcome = "success",
		.detail = "reading", .prev_hash = "ab", .hash = "cd",
	};
	struct fhir_audit_view v = {true, true, true};
	const char *const audits[] = {
		"AuditEvent-example-rest.json", "AuditEvent-example-search.json",
		"AuditEvent-example-login.json",
		"AuditEvent-example-disclosure.json",
	};
	json_t *ours, *theirs, *x;
	size_t i;

	ours = fhir_provenance_json(&p);
	only_elements(ours, " resourceType" META "target occurredPeriod "
		      "occurredDateTime recorded policy location reason "
		      "activity agent entity signature ", "Provenance");
	json_array_foreach(json_object_get(ours, "agent"), i, x)
		only_elements(x, " id extension modifierExtension type role who "
			      "onBehalfOf ", "Provenance.agent");
	assert_string_equal(jstr(ours, "extension.1.valueReference.reference"),
			    "AuditEvent/7");
	theirs = example("Provenance-example.json");
	same_shape(ours, theirs, "Provenance");
	json_decref(theirs);
	json_decref(ours);

	ours = fhir_audit_json(&r, &v);
	only_elements(ours, " resourceType" META "type subtype action period "
		      "recorded outcome outcomeDesc purposeOfEvent agent source "
		      "entity ", "AuditEvent");
	only_elements(json_array_get(json_object_get(ours, "agent"), 0),
		      " id extension modifierExtension type role who altId name "
		      "requestor location policy media network purposeOfUse ",
		      "AuditEvent.agent");
	only_elements(json_object_get(ours, "source"),
		      " id extension modifierExtension site observer type ",
		      "AuditEvent.source");
	json_array_foreach(json_object_get(ours, "entity"), i, x) {
		only_elements(x, " id extension modifierExtension what type role "
			      "lifecycle securityLabel name description query "
			      "detail ", "AuditEvent.entity");
		if (json_object_get(x, "detail"))
			only_elements(json_array_get(json_object_get(x,
								     "detail"),
						     0),
				      " id extension modifierExtension type "
				      "valueString valueBase64Binary ",
				      "AuditEvent.entity.detail");
	}
	assert_string_equal(entity_names(ours), "Observation(reading) Patient");
	for (i = 0; i < sizeof(audits) / sizeof(audits[0]); i++) {
		theirs = example(audits[i]);
		same_shape(ours, theirs, audits[i]);
		json_decref(theirs);
	}
	json_decref(ours);
}

/* What each reader sees of Ana's provenance, newest first. */
static void
test_provenance_readers(void **state)
{
	const char *const all[] = {NULL};
	struct fhir_page page;
	struct fhir_call c;
	const char *const pat[] = {
		arena_printf(T.f->a, "patient=Patient/%lld",
			     (long long)T.f->patient),
		NULL};

	(void)state;
	as(&c, T.f->patient_acc, ROLE_PATIENT, "patient/Provenance.rs");
	assert_int_equal(search(&c, fhir_provenance_search, all, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_string_equal(targets(page.match),
			    "CareTeam Patient Consent Message ProgressNote "
			    "WhatMatters Observation");
	assert_null(page.next);
	page_free(&page);

	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/*.rs");
	assert_int_equal(search(&c, fhir_provenance_search, pat, 50, NULL,
				0, &page),
			 ERR_OK);
	/* The team reads the withheld note, not the access log. */
	assert_string_equal(targets(page.match),
			    "CareTeam Consent Message ProgressNote "
			    "ProgressNote WhatMatters Observation");
	page_free(&page);

	as(&c, T.f->carer, ROLE_CAREGIVER, "user/*.rs");
	assert_int_equal(search(&c, fhir_provenance_search, pat, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_string_equal(targets(page.match), "ProgressNote WhatMatters");
	page_free(&page);

	as(&c, T.reception, ROLE_RECEPTIONIST, "user/*.rs");
	assert_int_equal(search(&c, fhir_provenance_search, pat, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_string_equal(targets(page.match), "CareTeam Message");
	page_free(&page);

	/* The privacy officer reads access logs, not records. */
	as(&c, T.privacy, ROLE_PRIVACY_OFFICER, "user/*.rs");
	assert_int_equal(search(&c, fhir_provenance_search, pat, 50, NULL,
				0, &page),
			 ERR_FORBIDDEN);
	page_free(&page);
	/* Nor does a token without the type. */
	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/Observation.rs");
	assert_int_equal(search(&c, fhir_provenance_search, pat, 50, NULL,
				0, &page),
			 ERR_FORBIDDEN);
	page_free(&page);
	/* Whose record must be said, unless it is one's own. */
	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/*.rs");
	assert_int_equal(search(&c, fhir_provenance_search, all, 50, NULL,
				0, &page),
			 ERR_INVALID);
	page_free(&page);
}

/* Pages of two, with rows the reader may not see between them: every
 * visible row once, in order, and counts that match the pages. */
static void
test_provenance_pages(void **state)
{
	const char *const all[] = {NULL};
	const char *cursor = NULL, *seen = "";
	struct fhir_page page;
	struct fhir_call c;
	int pages = 0;

	(void)state;
	as(&c, T.f->carer, ROLE_CAREGIVER, "user/*.rs");
	/* A caregiver has no record of their own: say whose. */
	assert_int_equal(search(&c, fhir_provenance_search, all, 1, NULL,
				0, &page),
			 ERR_INVALID);
	page_free(&page);

	as(&c, T.f->patient_acc, ROLE_PATIENT, "patient/*.rs");
	do {
		assert_int_equal(search(&c, fhir_provenance_search, all, 2,
					cursor, 0, &page),
				 ERR_OK);
		assert_true(json_array_size(page.match) <= 2);
		seen = arena_printf(T.f->a, "%s%s%s", seen, *seen ? " " : "",
				    targets(page.match));
		cursor = page.next;
		pages++;
		page_free(&page);
	} while (cursor && pages < 10);
	assert_string_equal(seen, "CareTeam Patient Consent Message "
				  "ProgressNote WhatMatters Observation");
	assert_int_equal(pages, 4);

	assert_int_equal(search(&c, fhir_provenance_search, all, 0, NULL, COUNT,
				&page),
			 ERR_OK);
	assert_int_equal(page.total, 7);
	page_free(&page);
	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/*.rs");
	{
		const char *const pat[] = {
			arena_printf(T.f->a, "patient=%lld",
				     (long long)T.f->patient),
			NULL};

		assert_int_equal(search(&c, fhir_provenance_search, pat, 0,
					NULL, COUNT, &page),
				 ERR_OK);
		assert_int_equal(page.total, 7);
		page_free(&page);
	}
}

static void
test_provenance_target_and_read(void **state)
{
	struct fhir_page page;
	struct fhir_call c;
	const char *const hidden[] = {
		arena_printf(T.f->a, "target=ProgressNote/%lld",
			     (long long)T.withheld_note),
		NULL};
	const char *const bad[] = {"target=nonsense", NULL};
	const char *const old[] = {"recorded=lt2000", NULL};
	int64_t id;
	json_t *r;

	(void)state;
	as(&c, T.f->patient_acc, ROLE_PATIENT, "patient/*.rs");
	assert_int_equal(search(&c, fhir_provenance_search, hidden, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_int_equal(json_array_size(page.match), 0);
	page_free(&page);
	assert_int_equal(search(&c, fhir_provenance_search, hidden, 0, NULL,
				COUNT, &page),
			 ERR_OK);
	assert_int_equal(page.total, 0);
	page_free(&page);
	assert_int_equal(search(&c, fhir_provenance_search, old, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_int_equal(json_array_size(page.match), 0);
	page_free(&page);
	assert_int_equal(search(&c, fhir_provenance_search, bad, 50, NULL,
				0, &page),
			 ERR_INVALID);
	page_free(&page);

	/* Read by id: the note's provenance is not there for Ana. */
	id = test_count_of(T.f->t.db,
			   "SELECT id FROM provenance WHERE resource_id = "
			   "CAST($1 AS TEXT)",
			   T.withheld_note);
	memset(&c.oo, 0, sizeof(c.oo));
	assert_int_equal(fhir_provenance_read(&c, id, &r), ERR_NOT_FOUND);
	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/*.rs");
	/* Whose record must be said. */
	assert_int_equal(search(&c, fhir_provenance_search, hidden, 50, NULL,
				0, &page),
			 ERR_INVALID);
	page_free(&page);
	assert_int_equal(fhir_provenance_read(&c, id, &r), ERR_OK);
	assert_string_equal(jstr(r, "agent.0.type.coding.0.code"), "author");
	assert_string_equal(jstr(r, "agent.0.extension.0.valueCode"),
			    "professional");
	json_decref(r);
	assert_int_equal(fhir_provenance_read(&c, 999, &r), ERR_NOT_FOUND);
}

/* The entities' references and identifiers of an AuditEvent. */
static const char *
entity_names(json_t *r)
{
	json_t *e;
	size_t i;
	char *s = "";

	json_array_foreach(json_object_get(r, "entity"), i, e) {
		const char *n = jstr(e, "what.reference");

		if (!n)
			n = jstr(e, "what.display");
		s = arena_printf(T.f->a, "%s%s%.*s", s, i ? " " : "",
				 (int)strcspn(n, "/"), n);
		if (jstr(e, "detail.0.valueString"))
			s = arena_printf(T.f->a, "%s(%s)", s,
					 jstr(e, "detail.0.valueString"));
	}
	return s;
}

static void
test_audit_patient(void **state)
{
	const char *const mine[] = {
		arena_printf(T.f->a, "date=le%s", T.end), NULL};
	const char *const other[] = {
		arena_printf(T.f->a, "patient=%lld",
			     (long long)T.far_patient), NULL};
	char prac[48];
	struct fhir_page page;
	struct fhir_call c;
	json_t *r;

	(void)state;
	snprintf(prac, sizeof(prac), "Practitioner/%lld", (long long)T.f->pro);
	as(&c, T.f->patient_acc, ROLE_PATIENT, "patient/AuditEvent.rs");
	assert_int_equal(search(&c, fhir_audit_event_search, mine, 50, NULL,
				0, &page),
			 ERR_OK);
	/* Every entry of her record, the withheld note's too... */
	assert_int_equal(json_array_size(page.match), 11);
	r = json_array_get(page.match, 0);
	assert_string_equal(jstr(r, "resourceType"), "AuditEvent");
	assert_string_equal(jstr(r, "action"), "R");
	assert_string_equal(jstr(r, "outcome"), "4");
	assert_string_equal(jstr(r, "type.code"), "rest");
	assert_string_equal(jstr(r, "source.observer.display"), "cocare");
	assert_string_equal(jstr(r, "agent.0.role.0.text"), "caregiver");
	assert_string_equal(jstr(r, "agent.0.who.type"), "RelatedPerson");
	/* ... but not the note, nor why it was withheld. */
	r = json_array_get(page.match, 2);
	assert_string_equal(jstr(r, "agent.0.who.reference"), prac);
	assert_string_equal(entity_names(r), "Patient");
	r = json_array_get(page.match, 1);
	assert_string_equal(entity_names(r), "ProgressNote Patient");
	r = json_array_get(page.match, 8);
	assert_string_equal(jstr(r, "action"), "C");
	assert_string_equal(jstr(r, "subtype.0.code"), "create");
	assert_string_equal(entity_names(r), "Patient");
	r = json_array_get(page.match, 10);
	assert_string_equal(entity_names(r), "Observation(reading) Patient");
	assert_string_equal(jstr(r, "outcome"), "0");
	/* The break-glass of Dr2 is hers to see. */
	r = json_array_get(page.match, 4);
	assert_string_equal(jstr(r, "action"), "E");
	assert_string_equal(jstr(r, "subtype.0.code"), "break-glass");
	assert_string_equal(entity_names(r), "Patient Patient");
	page_free(&page);

	assert_int_equal(search(&c, fhir_audit_event_search, mine, 0, NULL,
				COUNT, &page),
			 ERR_OK);
	assert_int_equal(page.total, 11);
	page_free(&page);
	/* Another patient's log is not hers, nor is the organisation's. */
	assert_int_equal(search(&c, fhir_audit_event_search, other, 50, NULL,
				0, &page),
			 ERR_NOT_FOUND);
	page_free(&page);

	/* Her care team reads her record, not who looked at it. */
	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/*.rs");
	{
		const char *const pat[] = {
			arena_printf(T.f->a, "patient=%lld",
				     (long long)T.f->patient), NULL};

		assert_int_equal(search(&c, fhir_audit_event_search, pat, 50,
					NULL, 0, &page),
				 ERR_FORBIDDEN);
		page_free(&page);
	}
	assert_int_equal(search(&c, fhir_audit_event_search, mine, 50, NULL,
				0, &page),
			 ERR_FORBIDDEN);
	page_free(&page);
}

static void
test_audit_privacy_officer(void **state)
{
	const char *const pat[] = {
		arena_printf(T.f->a, "patient=Patient/%lld",
			     (long long)T.f->patient),
		arena_printf(T.f->a, "date=le%s", T.end), NULL};
	const char *const org[] = {
		arena_printf(T.f->a, "date=le%s", T.end), NULL};
	const char *const dr[] = {
		arena_printf(T.f->a, "date=le%s", T.end),
		arena_printf(T.f->a, "agent=Practitioner/%lld",
			     (long long)T.f->pro), NULL};
	const char *const ana[] = {
		arena_printf(T.f->a, "agent=Patient/%lld",
			     (long long)T.f->patient),
		arena_printf(T.f->a, "date=le%s", T.end), NULL};
	struct fhir_page page;
	struct fhir_call c;
	json_t *r;
	size_t i;

	(void)state;
	as(&c, T.privacy, ROLE_PRIVACY_OFFICER, "user/AuditEvent.rs");
	assert_int_equal(search(&c, fhir_audit_event_search, pat, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_int_equal(json_array_size(page.match), 11);
	/* The reviewer sees which note and why it was withheld. */
	assert_string_equal(entity_names(json_array_get(page.match, 2)),
			    "ProgressNote Patient");
	assert_string_equal(entity_names(json_array_get(page.match, 8)),
			    "ProgressNote(safeguarding) Patient");
	page_free(&page);

	/* The whole organisation: sign-ins too, and an outsider's patient
	 * shown as no one. */
	assert_int_equal(search(&c, fhir_audit_event_search, org, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_int_equal(json_array_size(page.match), 13);
	r = json_array_get(page.match, 0);
	assert_string_equal(jstr(r, "outcomeDesc"), "denied");
	assert_string_equal(entity_names(r), "");
	r = json_array_get(page.match, 1);
	assert_string_equal(jstr(r, "subtype.0.code"), "login");
	assert_string_equal(entity_names(r), "Session");
	/* The chain as stored, for an auditor to check. */
	json_array_foreach(page.match, i, r) {
		const char *seq =
			jstr(r, "extension.0.extension.0.valueString");
		int64_t n = 0;

		assert_string_equal(jstr(r, "extension.0.url"),
				    FHIR_EXT_AUDIT_CHAIN);
		assert_string_equal(seq, jstr(r, "id"));
		sscanf(seq, "%lld", (long long *)&n);
		assert_int_equal(test_count_of(T.f->t.db,
					       "SELECT count(*) FROM "
					       "audit_event WHERE seq = $1 "
					       "AND hash = (SELECT hash FROM "
					       "audit_event WHERE seq = $1)",
					       n),
				 1);
	}
	page_free(&page);

	assert_int_equal(search(&c, fhir_audit_event_search, dr, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_int_equal(json_array_size(page.match), 7);
	page_free(&page);
	assert_int_equal(search(&c, fhir_audit_event_search, ana, 50, NULL,
				0, &page),
			 ERR_OK);
	assert_int_equal(json_array_size(page.match), 2);
	page_free(&page);

	/* A token without AuditEvent, or without user/ context. */
	as(&c, T.privacy, ROLE_PRIVACY_OFFICER, "user/Patient.rs");
	assert_int_equal(search(&c, fhir_audit_event_search, org, 50, NULL,
				0, &page),
			 ERR_FORBIDDEN);
	page_free(&page);
}

/* Pages of three, newest first and oldest first, each entry once. */
static void
test_audit_pages(void **state)
{
	const char *const org[] = {
		arena_printf(T.f->a, "date=le%s", T.end), NULL};
	struct fhir_page page;
	struct fhir_call c;
	unsigned how;

	(void)state;
	as(&c, T.privacy, ROLE_PRIVACY_OFFICER, "user/*.rs");
	for (how = 0; how <= OLDEST; how += OLDEST) {
		int64_t last = how ? 0 : INT64_MAX, seq = 0;
		const char *cursor = NULL;
		size_t n = 0, i;
		json_t *r;

		do {
			assert_int_equal(search(&c, fhir_audit_event_search,
						org, 3, cursor, how, &page),
					 ERR_OK);
			assert_true(json_array_size(page.match) <= 3);
			json_array_foreach(page.match, i, r) {
				sscanf(jstr(r, "id"), "%lld",
				       (long long *)&seq);
				assert_true(how ? seq > last : seq < last);
				last = seq;
				n++;
			}
			cursor = page.next;
			page_free(&page);
		} while (cursor);
		assert_int_equal(n, 13);
	}
}

static void
test_audit_read(void **state)
{
	struct fhir_call c;
	int64_t note_seq, login_seq, far_seq;
	json_t *r;

	(void)state;
	note_seq = test_count_of(T.f->t.db,
				 "SELECT seq FROM audit_event WHERE action = "
				 "'read' AND resource_id = CAST($1 AS TEXT)",
				 T.withheld_note);
	login_seq = test_count(T.f->t.db, "SELECT seq FROM audit_event "
					  "WHERE action = 'login'");
	far_seq = test_count_of(T.f->t.db,
				"SELECT seq FROM audit_event WHERE "
				"patient_id = $1",
				T.far_patient);

	as(&c, T.f->patient_acc, ROLE_PATIENT, "patient/*.rs");
	assert_int_equal(fhir_audit_event_read(&c, note_seq, &r), ERR_OK);
	assert_string_equal(entity_names(r), "Patient");
	json_decref(r);
	assert_int_equal(fhir_audit_event_read(&c, login_seq, &r),
			 ERR_FORBIDDEN);
	assert_int_equal(fhir_audit_event_read(&c, far_seq, &r),
			 ERR_FORBIDDEN);
	assert_int_equal(fhir_audit_event_read(&c, 1000000, &r),
			 ERR_NOT_FOUND);

	as(&c, T.privacy, ROLE_PRIVACY_OFFICER, "user/*.rs");
	assert_int_equal(fhir_audit_event_read(&c, note_seq, &r), ERR_OK);
	assert_string_equal(entity_names(r), "ProgressNote Patient");
	json_decref(r);
	assert_int_equal(fhir_audit_event_read(&c, login_seq, &r), ERR_OK);
	assert_string_equal(jstr(r, "agent.0.who.reference"),
			    arena_printf(T.f->a, "Practitioner/%lld",
					 (long long)T.privacy));
	json_decref(r);
	assert_int_equal(fhir_audit_event_read(&c, far_seq, &r), ERR_OK);
	assert_string_equal(entity_names(r), "");
	json_decref(r);

	as(&c, T.f->pro, ROLE_PROFESSIONAL, "user/*.rs");
	assert_int_equal(fhir_audit_event_read(&c, note_seq, &r),
			 ERR_FORBIDDEN);
	assert_int_equal(fhir_audit_event_read(&c, login_seq, &r),
			 ERR_FORBIDDEN);
}

/* Reading the log is in the log. */
static void
test_audit_read_audited(void **state)
{
	const char *const all[] = {NULL};
	struct fhir_page page;
	struct fhir_call c;
	struct timespec ts = {0, 10 * 1000 * 1000};
	int64_t n = 0;
	int i;

	(void)state;
	as(&c, T.f->patient_acc, ROLE_PATIENT, "patient/*.rs");
	assert_int_equal(search(&c, fhir_audit_event_search, all, 5, NULL,
				0, &page),
			 ERR_OK);
	page_free(&page);
	for (i = 0; i < 300 && n == 0; i++) {
		nanosleep(&ts, NULL);
		n = test_count_of(T.f->t.db,
				  "SELECT count(*) FROM audit_event WHERE "
				  "resource_type = 'AuditEvent' AND actor_id "
				  "= $1 AND action = 'read'",
				  T.f->patient_acc);
	}
	assert_int_equal(n, 1);
}

int
main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, up, down)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_mapped),
		cmocka_unit_test(test_demo_types_mapped),
		TEST(test_provenance_json),
		TEST(test_r4_shape),
		TEST(test_provenance_readers),
		TEST(test_provenance_pages),
		TEST(test_provenance_target_and_read),
		TEST(test_audit_patient),
		TEST(test_audit_privacy_officer),
		TEST(test_audit_pages),
		TEST(test_audit_read),
		TEST(test_audit_read_audited),
	};

	test_init();
	return cmocka_run_group_tests_name("fhir_trail", tests, NULL, NULL);
}

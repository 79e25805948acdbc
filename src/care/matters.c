/*
 * "What matters to me" (see matters.h): its parts and statements as a
 * document (document.h), saving a change or the patient's confirmation
 * with its version in one transaction. The rule that these are only ever
 * the patient's words lives here, so the pages, the demo and any later
 * API keep it alike.
 */
#include "care/matters.h"

#include <jansson.h>

#include "care/version.h"
#include "core/msgid.h"
#include "store/store.h"
#include "core/banned.h"

static const struct document_part parts[] = {
	[MATTERS_WHAT] = {
		"what_matters", N_("What matters to me"),
		N_("The people, things and activities that are most "
		   "important to me."),
		false},
	[MATTERS_GOOD_DAY] = {
		"good_day", N_("What a good day looks like for me"),
		N_("What I do, who I see and how I feel on a good day."),
		false},
	[MATTERS_STRENGTHS] = {
		"strengths", N_("My strengths"),
		N_("What I am good at and what helps me get through hard "
		   "times."),
		false},
	[MATTERS_KNOW] = {
		"know_about_me", N_("What others should know about me"),
		N_("What helps people support me well, and what to "
		   "avoid."),
		false},
};
_Static_assert(sizeof(parts) / sizeof(parts[0]) == MATTERS__MAX,
	       "every part of what matters has its words");
_Static_assert(MATTERS__MAX <= DOCUMENT_PARTS_MAX, "parts fit a document");

/* The columns of its own, in sql_get, sql_state and the writes. */
enum own { OWN_WITH_PATIENT, OWN_CONFIRMED_MS, OWN__MAX };
_Static_assert(OWN__MAX <= DOCUMENT_EXTRA_MAX, "own columns fit");

static const char sql_get[] =
	"SELECT m.org_id, m.version, m.updated_ms, m.updated_by, "
	"COALESCE(a.display_name, ''), m.voice, m.written_with_patient, "
	"m.confirmed_ms, m.what_matters, m.good_day, m.strengths, "
	"m.know_about_me FROM what_matters m "
	"LEFT JOIN account a ON a.id = m.updated_by WHERE m.patient_id = $1";
static const char sql_state[] =
	"SELECT version, written_with_patient, confirmed_ms "
	"FROM what_matters WHERE patient_id = $1";
static const char sql_insert[] =
	"INSERT INTO what_matters (patient_id, org_id, version, updated_ms, "
	"updated_by, voice, written_with_patient, confirmed_ms, "
	"what_matters, good_day, strengths, know_about_me) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
static const char sql_update[] =
	"UPDATE what_matters SET org_id = $2, version = $3, updated_ms = $4, "
	"updated_by = $5, voice = $6, written_with_patient = $7, "
	"confirmed_ms = $8, what_matters = $9, good_day = $10, "
	"strengths = $11, know_about_me = $12 "
	"WHERE patient_id = $1 AND version = $13";
/* A confirmation changes no words and leaves the writer as it was. */
static const char sql_confirm[] =
	"UPDATE what_matters SET version = $2, confirmed_ms = $3 "
	"WHERE patient_id = $1 AND version = $4";

/*
 * "with_patient" travels in each version's fields so the history can
 * say how each version was written; the differences compare only the
 * parts' keys.
 */
const struct document_kind matters_document = {
	CARE_MATTERS, parts, MATTERS__MAX, OWN__MAX, "with_patient",
	sql_get, sql_state, sql_insert, sql_update,
};

const struct document_part *
matters_part_info(enum matters_part p)
{
	return &parts[p < MATTERS__MAX ? p : 0];
}

bool
matters_awaits_confirmation(const struct matters *m)
{
	return m->doc.version > 0 && m->written_with_patient &&
	       m->confirmed_ms == 0;
}

enum err
matters_get(struct db *db, struct arena *a, int64_t patient_id,
	    struct matters *out)
{
	int64_t own[DOCUMENT_EXTRA_MAX];
	enum err e;

	e = document_get(db, a, &matters_document, patient_id, &out->doc,
			 out->text, own);
	out->written_with_patient = own[OWN_WITH_PATIENT] != 0;
	out->confirmed_ms = own[OWN_CONFIRMED_MS];
	return e;
}

bool
matters_validate(const char *const text[MATTERS__MAX], struct problems *out)
{
	return document_validate(&matters_document, text, out);
}

/* A change by `author_id`: always in the patient's voice. */
static struct document_change
in_patient_voice(int64_t org_id, int64_t patient_id, int64_t author_id,
		 int64_t at_ms)
{
	return (struct document_change){
		.org_id = org_id,
		.patient_id = patient_id,
		.author_id = author_id,
		.at_ms = at_ms,
		.voice = "patient",
	};
}

enum err
matters_write(struct db *db, void *arg)
{
	struct matters_change *c = arg;
	struct document_change d = in_patient_voice(
		c->org_id, c->patient_id, c->author_id, c->at_ms);
	enum err e;

	/* Only ever the patient's words. */
	if (!c->by_patient && !c->with_patient)
		return ERR_INVALID;
	d.version = c->version;
	d.text = c->text;
	/* By the patient: theirs and confirmed. With them: waits for them. */
	d.extra[OWN_WITH_PATIENT] = c->by_patient ? 0 : 1;
	d.extra[OWN_CONFIRMED_MS] = c->by_patient ? c->at_ms : 0;
	d.flag = !c->by_patient;
	d.new_version = c->new_version;
	e = document_write(db, &matters_document, &d);
	c->new_version = d.new_version;
	return e;
}

enum err
matters_confirm(struct db *db, void *arg)
{
	struct matters_confirm *c = arg;
	struct document_change d = in_patient_voice(
		c->org_id, c->patient_id, c->author_id, c->at_ms);
	int64_t own[DOCUMENT_EXTRA_MAX];
	json_t *fields;
	struct stmt *st;
	int stored;
	enum err e;

	if (!c->by_patient)
		return ERR_FORBIDDEN;
	if ((e = document_state(db, &matters_document, c->patient_id, &stored,
				own)) != ERR_OK)
		return e;
	if (stored == 0)
		return ERR_NOT_FOUND;
	if (stored != c->version)
		return ERR_CONFLICT;
	if (!own[OWN_WITH_PATIENT] || own[OWN_CONFIRMED_MS] != 0)
		return ERR_INVALID;
	c->new_version = d.new_version = stored + 1;
	if (!(st = db_prepare(db, sql_confirm)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	stmt_bind_int(st, 2, c->new_version);
	stmt_bind_int(st, 3, c->at_ms);
	stmt_bind_int(st, 4, stored);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	if ((e = document_fields_get(db, &matters_document, c->patient_id,
				     true, &fields)) != ERR_OK)
		return e;
	return document_version_insert(db, &matters_document, &d, "confirm",
				       fields);
}

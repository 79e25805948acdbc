/*
 * "What matters to me" (see matters.h): its parts, reading it, and
 * saving a change or the patient's confirmation with its version in one
 * transaction. The rule that these are only ever the patient's words
 * lives here, so the pages, the demo and any later API keep it alike.
 */
#include "care/matters.h"

#include <string.h>

#include <jansson.h>

#include "care/care.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

static const struct matters_part_info parts[] = {
	[MATTERS_WHAT] = {
		"what_matters", N_("What matters to me"),
		N_("The people, things and activities that are most "
		   "important to me.")},
	[MATTERS_GOOD_DAY] = {
		"good_day", N_("What a good day looks like for me"),
		N_("What I do, who I see and how I feel on a good day.")},
	[MATTERS_STRENGTHS] = {
		"strengths", N_("My strengths"),
		N_("What I am good at and what helps me get through hard "
		   "times.")},
	[MATTERS_KNOW] = {
		"know_about_me", N_("What others should know about me"),
		N_("What helps people support me well, and what to "
		   "avoid.")},
};
_Static_assert(sizeof(parts) / sizeof(parts[0]) == MATTERS__MAX,
	       "every part of what matters has its words");

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
static const char sql_texts[] =
	"SELECT what_matters, good_day, strengths, know_about_me "
	"FROM what_matters WHERE patient_id = $1";

#define GET_TEXT_COL 8

const struct matters_part_info *
matters_part_info(enum matters_part p)
{
	return &parts[p < MATTERS__MAX ? p : 0];
}

bool
matters_awaits_confirmation(const struct matters *m)
{
	return m->version > 0 && m->written_with_patient &&
	       m->confirmed_ms == 0;
}

static void
read_matters(struct stmt *st, struct arena *a, void *out)
{
	struct matters *m = out;
	int i;

	m->org_id = stmt_int(st, 0);
	m->version = (int)stmt_int(st, 1);
	m->updated_ms = stmt_int(st, 2);
	m->updated_by = stmt_int(st, 3);
	m->updated_by_name = stmt_text_dup(st, 4, a);
	m->voice = stmt_text_dup(st, 5, a);
	m->written_with_patient = stmt_int(st, 6) != 0;
	m->confirmed_ms = stmt_int(st, 7);
	for (i = 0; i < MATTERS__MAX; i++)
		m->text[i] = stmt_text_dup(st, GET_TEXT_COL + i, a);
}

enum err
matters_get(struct db *db, struct arena *a, int64_t patient_id,
	    struct matters *out)
{
	struct stmt *st = db_prepare(db, sql_get);
	enum err e;
	int i;

	memset(out, 0, sizeof(*out));
	out->patient_id = patient_id;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	e = stmt_get(st, a, read_matters, out);
	if (e == ERR_NOT_FOUND) {
		out->version = 0;
		e = ERR_OK;
	}
	for (i = 0; i < MATTERS__MAX; i++)
		if (!out->text[i])
			out->text[i] = "";
	if (!out->voice)
		out->voice = "";
	if (!out->updated_by_name)
		out->updated_by_name = "";
	return e;
}

bool
matters_validate(const char *const text[MATTERS__MAX], struct problems *out)
{
	size_t before = out->n;
	int i;

	for (i = 0; i < MATTERS__MAX; i++) {
		const char *t = text[i] ? text[i] : "";
		size_t len = strlen(t);

		/* Forms are valid UTF-8 already; other callers may not be. */
		if (!utf8_valid(t, len))
			problems_add(out, parts[i].key,
				     N_("Remove the special characters "
					"from this text."));
		else
			care_text_ok(out, parts[i].key, t, CARE_LONG_MAX);
	}
	return out->n == before;
}

struct state {
	int version;
	bool with_patient;
	int64_t confirmed_ms;
};

static enum err
stored_state(struct db *db, int64_t patient_id, struct state *out)
{
	struct stmt *st = db_prepare(db, sql_state);

	memset(out, 0, sizeof(*out));
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st)) {
		out->version = (int)stmt_int(st, 0);
		out->with_patient = stmt_int(st, 1) != 0;
		out->confirmed_ms = stmt_int(st, 2);
	}
	return stmt_done(st);
}

/*
 * The fields of one version. "with_patient" travels in them so the
 * history can say how each version was written; the differences compare
 * only the parts' keys. NULL when out of memory.
 */
static json_t *
fields_new(const char *const text[MATTERS__MAX], bool with_patient)
{
	json_t *fields = json_object();
	int i;

	if (!fields)
		return NULL;
	for (i = 0; i < MATTERS__MAX; i++)
		json_object_set_new(fields, parts[i].key,
				    json_string(text[i] ? text[i] : ""));
	json_object_set_new(fields, "with_patient",
			    json_boolean(with_patient));
	return fields;
}

/* Stores one version row and releases `fields`. */
static enum err
store_version(struct db *db, const struct care_version_new *v,
	      json_t *fields)
{
	struct care_version_new nv = *v;
	enum err e;

	if (!fields)
		return ERR_NOMEM;
	nv.subject_type = CARE_MATTERS;
	nv.subject_id = v->patient_id;
	nv.voice = "patient";
	nv.fields = fields;
	e = care_version_insert(db, &nv);
	json_decref(fields);
	return e;
}

enum err
matters_write(struct db *db, void *arg)
{
	struct matters_change *c = arg;
	struct care_version_new v;
	struct problems ps = {0};
	struct state s;
	struct stmt *st;
	int i;
	enum err e;

	/* Only ever the patient's words. */
	if (!c->by_patient && !c->with_patient)
		return ERR_INVALID;
	if (!matters_validate(c->text, &ps))
		return ERR_INVALID;
	if ((e = stored_state(db, c->patient_id, &s)) != ERR_OK)
		return e;
	if (s.version != c->version)
		return ERR_CONFLICT;
	c->new_version = s.version + 1;
	st = db_prepare(db, s.version == 0 ? sql_insert : sql_update);
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_int(st, 3, c->new_version);
	stmt_bind_int(st, 4, c->at_ms);
	stmt_bind_int(st, 5, c->author_id);
	stmt_bind_str(st, 6, "patient");
	stmt_bind_int(st, 7, c->by_patient ? 0 : 1);
	stmt_bind_int(st, 8, c->by_patient ? c->at_ms : 0);
	for (i = 0; i < MATTERS__MAX; i++)
		stmt_bind_str(st, 9 + i, c->text[i] ? c->text[i] : "");
	if (s.version == 0) {
		e = stmt_exec(st);
		if (e == ERR_EXISTS)
			e = ERR_CONFLICT;
	} else {
		stmt_bind_int(st, 13, s.version);
		e = stmt_exec_one(st);
		if (e == ERR_NOT_FOUND)
			e = ERR_CONFLICT;
	}
	if (e != ERR_OK)
		return e;
	v = (struct care_version_new){
		.org_id = c->org_id,
		.patient_id = c->patient_id,
		.version = c->new_version,
		.at_ms = c->at_ms,
		.author_id = c->author_id,
		.change = s.version == 0 ? "create" : "edit",
	};
	return store_version(db, &v, fields_new(c->text, !c->by_patient));
}

enum err
matters_confirm(struct db *db, void *arg)
{
	struct matters_confirm *c = arg;
	const char *text[MATTERS__MAX];
	struct care_version_new v;
	json_t *fields;
	struct state s;
	struct stmt *st;
	enum err e;
	int i;

	if (!c->by_patient)
		return ERR_FORBIDDEN;
	if ((e = stored_state(db, c->patient_id, &s)) != ERR_OK)
		return e;
	if (s.version == 0)
		return ERR_NOT_FOUND;
	if (s.version != c->version)
		return ERR_CONFLICT;
	if (!s.with_patient || s.confirmed_ms != 0)
		return ERR_INVALID;
	c->new_version = s.version + 1;
	if (!(st = db_prepare(db, sql_confirm)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	stmt_bind_int(st, 2, c->new_version);
	stmt_bind_int(st, 3, c->at_ms);
	stmt_bind_int(st, 4, s.version);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	if (!(st = db_prepare(db, sql_texts)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	if (!stmt_row(st)) {
		stmt_done(st);
		return ERR_DB;
	}
	for (i = 0; i < MATTERS__MAX; i++)
		text[i] = stmt_text(st, i);
	/* The JSON copies the words before the statement lets them go. */
	fields = fields_new(text, true);
	if ((e = stmt_done(st)) != ERR_OK) {
		json_decref(fields);
		return e;
	}
	v = (struct care_version_new){
		.org_id = c->org_id,
		.patient_id = c->patient_id,
		.version = c->new_version,
		.at_ms = c->at_ms,
		.author_id = c->author_id,
		.change = "confirm",
	};
	return store_version(db, &v, fields);
}

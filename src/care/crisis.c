/*
 * The crisis plan (see crisis.h): its sections, reading it, checking and
 * saving a change with its version in one transaction, and splitting a
 * section into its items.
 */
#include "care/crisis.h"

#include <string.h>

#include <jansson.h>

#include "care/care.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

static const struct crisis_section_info sections[] = {
	[CRISIS_WARNING_SIGNS] = {
		"warning_signs", N_("My warning signs"),
		N_("Thoughts, feelings, situations or things I do that tell "
		   "me a crisis may be starting."),
		false},
	[CRISIS_COPING] = {
		"coping", N_("Things I can do on my own to cope"),
		N_("Things that take my mind off my problems without "
		   "contacting anyone."),
		false},
	[CRISIS_DISTRACTIONS] = {
		"distractions", N_("People and places that take my mind off "
				   "things"),
		N_("People I can be with and places I can go."),
		true},
	[CRISIS_HELP_PEOPLE] = {
		"help_people", N_("People I can ask for help"),
		N_("One person per line, with their phone number."),
		true},
	[CRISIS_PROFESSIONALS] = {
		"professionals", N_("Professionals and services I can "
				    "contact"),
		N_("One per line, with the phone number. Include the "
		   "emergency number and crisis lines."),
		true},
	[CRISIS_SAFE_ENVIRONMENT] = {
		"safe_environment", N_("Making my surroundings safe"),
		N_("What I and others can do to keep me safe, for example "
		   "asking someone to look after my medicines."),
		false},
	[CRISIS_REASONS] = {
		"reasons_for_living", N_("My reasons for living"),
		N_("The people and things that matter most to me and are "
		   "worth living for."),
		false},
	[CRISIS_WHAT_HELPS] = {
		"what_helps", N_("What helps me in a crisis"),
		N_("What other people can do or say that helps."),
		false},
	[CRISIS_WHAT_DOES_NOT_HELP] = {
		"what_does_not_help", N_("What does not help me"),
		N_("What other people should avoid doing or saying."),
		false},
	[CRISIS_WHO_TO_CONTACT] = {
		"who_to_contact", N_("Who to contact if I am in crisis"),
		N_("Who should be told, with phone numbers, and anyone who "
		   "should not be contacted."),
		true},
	[CRISIS_TREATMENT] = {
		"treatment_preferences", N_("My treatment preferences"),
		N_("For example medicines, where I would like to be cared "
		   "for and anything I do not want. This tells others my "
		   "wishes in advance."),
		false},
};
_Static_assert(sizeof(sections) / sizeof(sections[0]) == CRISIS__MAX,
	       "every crisis plan section has its words");

/* The columns follow enum crisis_section (keys and columns are the same
 * names). */
#define CRISIS_COLUMNS                                                     \
	"warning_signs, coping, distractions, help_people, professionals, " \
	"safe_environment, reasons_for_living, what_helps, "                \
	"what_does_not_help, who_to_contact, treatment_preferences"

static const char sql_get[] =
	"SELECT c.org_id, c.version, c.updated_ms, c.updated_by, "
	"COALESCE(a.display_name, ''), c.voice, " CRISIS_COLUMNS
	" FROM crisis_plan c LEFT JOIN account a ON a.id = c.updated_by "
	"WHERE c.patient_id = $1";
static const char sql_version[] =
	"SELECT version FROM crisis_plan WHERE patient_id = $1";
static const char sql_insert[] =
	"INSERT INTO crisis_plan (patient_id, org_id, version, updated_ms, "
	"updated_by, voice, " CRISIS_COLUMNS ") VALUES ($1, $2, $3, $4, $5, "
	"$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
static const char sql_update[] =
	"UPDATE crisis_plan SET org_id = $2, version = $3, updated_ms = $4, "
	"updated_by = $5, voice = $6, warning_signs = $7, coping = $8, "
	"distractions = $9, help_people = $10, professionals = $11, "
	"safe_environment = $12, reasons_for_living = $13, what_helps = $14, "
	"what_does_not_help = $15, who_to_contact = $16, "
	"treatment_preferences = $17 WHERE patient_id = $1 AND version = $18";

/* The first column of the sections in sql_get. */
#define GET_TEXT_COL 6

const struct crisis_section_info *
crisis_section_info(enum crisis_section s)
{
	return &sections[s < CRISIS__MAX ? s : 0];
}

static void
read_plan(struct stmt *st, struct arena *a, void *out)
{
	struct crisis_plan *p = out;
	int i;

	p->org_id = stmt_int(st, 0);
	p->version = (int)stmt_int(st, 1);
	p->updated_ms = stmt_int(st, 2);
	p->updated_by = stmt_int(st, 3);
	p->updated_by_name = stmt_text_dup(st, 4, a);
	p->voice = stmt_text_dup(st, 5, a);
	for (i = 0; i < CRISIS__MAX; i++)
		p->text[i] = stmt_text_dup(st, GET_TEXT_COL + i, a);
}

enum err
crisis_plan_get(struct db *db, struct arena *a, int64_t patient_id,
		struct crisis_plan *out)
{
	struct stmt *st = db_prepare(db, sql_get);
	enum err e;
	int i;

	memset(out, 0, sizeof(*out));
	out->patient_id = patient_id;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	e = stmt_get(st, a, read_plan, out);
	if (e == ERR_NOT_FOUND) {
		out->version = 0;
		e = ERR_OK;
	}
	for (i = 0; i < CRISIS__MAX; i++)
		if (!out->text[i])
			out->text[i] = "";
	if (!out->voice)
		out->voice = "";
	if (!out->updated_by_name)
		out->updated_by_name = "";
	return e;
}

static bool
blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

bool
crisis_plan_is_empty(const struct crisis_plan *p)
{
	int i;

	for (i = 0; i < CRISIS__MAX; i++)
		if (!blank(p->text[i]))
			return false;
	return true;
}

bool
crisis_validate(const char *const text[CRISIS__MAX], struct problems *out)
{
	size_t before = out->n;
	int i;

	for (i = 0; i < CRISIS__MAX; i++) {
		const char *t = text[i] ? text[i] : "";
		size_t len = strlen(t);

		/* Forms are valid UTF-8 already; other callers may not be. */
		if (!utf8_valid(t, len))
			problems_add(out, sections[i].key,
				     N_("Remove the special characters "
					"from this text."));
		else
			care_text_ok(out, sections[i].key, t, CARE_LONG_MAX);
	}
	return out->n == before;
}

/* The stored version inside the transaction: 0 when there is no plan. */
static enum err
stored_version(struct db *db, int64_t patient_id, int *out)
{
	struct stmt *st = db_prepare(db, sql_version);

	*out = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st))
		*out = (int)stmt_int(st, 0);
	return stmt_done(st);
}

static enum err
store_version(struct db *db, const struct crisis_change *c)
{
	struct care_version_new v;
	json_t *fields = json_object();
	enum err e;
	int i;

	if (!fields)
		return ERR_NOMEM;
	for (i = 0; i < CRISIS__MAX; i++)
		json_object_set_new(fields, sections[i].key,
				    json_string(c->text[i] ? c->text[i] : ""));
	memset(&v, 0, sizeof(v));
	v.org_id = c->org_id;
	v.patient_id = c->patient_id;
	v.subject_type = CARE_CRISIS;
	v.subject_id = c->patient_id;
	v.version = c->new_version;
	v.at_ms = c->at_ms;
	v.author_id = c->author_id;
	v.voice = c->voice;
	v.change = c->version == 0 ? "create" : "edit";
	v.fields = fields;
	e = care_version_insert(db, &v);
	json_decref(fields);
	return e;
}

enum err
crisis_write(struct db *db, void *arg)
{
	struct crisis_change *c = arg;
	struct problems ps = {0};
	struct stmt *st;
	int stored, i;
	enum err e;

	if (!crisis_validate(c->text, &ps) || !c->voice)
		return ERR_INVALID;
	if ((e = stored_version(db, c->patient_id, &stored)) != ERR_OK)
		return e;
	if (stored != c->version)
		return ERR_CONFLICT;
	c->new_version = stored + 1;
	st = db_prepare(db, stored == 0 ? sql_insert : sql_update);
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_int(st, 3, c->new_version);
	stmt_bind_int(st, 4, c->at_ms);
	stmt_bind_int(st, 5, c->author_id);
	stmt_bind_str(st, 6, c->voice);
	for (i = 0; i < CRISIS__MAX; i++)
		stmt_bind_str(st, 7 + i, c->text[i] ? c->text[i] : "");
	if (stored == 0) {
		e = stmt_exec(st);
		/* Another first save won the race: the same as a stale form. */
		if (e == ERR_EXISTS)
			e = ERR_CONFLICT;
	} else {
		stmt_bind_int(st, 18, stored);
		e = stmt_exec_one(st);
		if (e == ERR_NOT_FOUND)
			e = ERR_CONFLICT;
	}
	if (e != ERR_OK)
		return e;
	return store_version(db, c);
}

const char **
crisis_lines(struct arena *a, const char *text, size_t *n)
{
	const char **out, *p, *end;
	size_t count = 1, k = 0;

	*n = 0;
	if (!text || blank(text))
		return NULL;
	for (p = text; *p; p++)
		count += *p == '\n';
	if (!(out = arena_calloc(a, count, sizeof(*out))))
		return NULL;
	for (p = text; *p; p = *end ? end + 1 : end) {
		const char *s = p, *e;

		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		e = end;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' ||
				 e[-1] == '\r'))
			e--;
		if (e > s && !(out[k++] = arena_strndup(a, s, (size_t)(e - s))))
			return NULL;
	}
	*n = k;
	return out;
}

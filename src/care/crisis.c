/*
 * The crisis plan (see crisis.h): its sections and statements as a
 * document (document.h does the reading, checking and saving with its
 * version), whether it is empty, and splitting a section into its items.
 */
#include "care/crisis.h"

#include <string.h>

#include "care/version.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "core/banned.h"

static const struct document_part sections[] = {
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
_Static_assert(CRISIS__MAX <= DOCUMENT_PARTS_MAX, "sections fit a document");

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
static const char sql_state[] =
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

const struct document_kind crisis_document = {
	CARE_CRISIS, sections, CRISIS__MAX, 0, NULL,
	sql_get, sql_state, sql_insert, sql_update,
};

const struct document_part *
crisis_section_info(enum crisis_section s)
{
	return &sections[s < CRISIS__MAX ? s : 0];
}

enum err
crisis_plan_get(struct db *db, struct arena *a, int64_t patient_id,
		struct crisis_plan *out)
{
	return document_get(db, a, &crisis_document, patient_id, &out->doc,
			    out->text, NULL);
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
	return document_validate(&crisis_document, text, out);
}

enum err
crisis_write(struct db *db, void *arg)
{
	struct crisis_change *c = arg;
	struct document_change d = {
		.org_id = c->org_id,
		.patient_id = c->patient_id,
		.author_id = c->author_id,
		.at_ms = c->at_ms,
		.voice = c->voice,
		.version = c->version,
		.text = c->text,
		.new_version = c->new_version,
	};
	enum err e;

	e = document_write(db, &crisis_document, &d);
	c->new_version = d.new_version;
	return e;
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

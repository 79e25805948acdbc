/*
 * Patient records (see patient.h).
 */
#include "people/patient.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/msgid.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

const char *const patient_identifier_systems[] = {"national", "mrn", NULL};
const char *const patient_genders[] = {"female", "male", "other", "unknown",
				       NULL};

const struct patient_choice patient_language_choices[] = {
	{"en", N_("English")},	  {"es", N_("Spanish")},
	{"pt", N_("Portuguese")}, {"fr", N_("French")},
	{"ar", N_("Arabic")},	  {"pl", N_("Polish")},
	{"ro", N_("Romanian")},	  {"uk", N_("Ukrainian")},
	{"zh", N_("Chinese")},	  {"so", N_("Somali")},
	{"ur", N_("Urdu")},	  {"de", N_("German")},
	{"it", N_("Italian")},	  {"tr", N_("Turkish")},
	{"bn", N_("Bengali")},	  {NULL, NULL},
};

const struct patient_choice patient_gender_choices[] = {
	{"female", N_("Female")},
	{"male", N_("Male")},
	{"other", N_("Other")},
	{"unknown", N_("Prefer not to say")},
	{NULL, NULL},
};

const struct patient_choice patient_disability_choices[] = {
	{"", N_("Not known")},
	{"none", N_("No disability")},
	{"yes", N_("Has a disability")},
	{"prefer_not", N_("Prefers not to say")},
	{NULL, NULL},
};

const struct patient_choice patient_digital_choices[] = {
	{"", N_("Not known")},
	{"low", N_("Low: rarely uses the internet or needs help")},
	{"some", N_("Some: uses it with a little help")},
	{"high", N_("High: uses it confidently")},
	{NULL, NULL},
};

const char *
patient_choice_label(const struct patient_choice *list, const char *code)
{
	for (; code && list->code; list++)
		if (strcmp(list->code, code) == 0)
			return list->label;
	return code;
}

#define PATIENT_COLS                                                       \
	"p.id, p.org_id, COALESCE(p.unit_id, 0), COALESCE(u.name, ''), "   \
	"p.given_name, p.family_name, p.birth_date, p.gender, "            \
	"p.preferred_language, p.interpreter_needed, p.communication_needs, " \
	"p.accessibility_needs, p.version, p.created_at, p.updated_at, "   \
	"p.disability, p.digital_confidence, p.deprivation_decile "

static const char sql_get[] =
	"SELECT " PATIENT_COLS "FROM patient p "
	"LEFT JOIN unit u ON u.id = p.unit_id WHERE p.id = $1";
static const char sql_ids[] =
	"SELECT id, system, value FROM patient_identifier "
	"WHERE patient_id = $1 ORDER BY system, value";
/* The record as it is, kept as a past version before it changes. */
static const char sql_version_keep[] =
	"INSERT INTO patient_version (patient_id, version, org_id, "
	"given_name, family_name, birth_date, gender, preferred_language, "
	"interpreter_needed, communication_needs, accessibility_needs, "
	"disability, digital_confidence, deprivation_decile, identifiers, "
	"created_at, updated_at) "
	"SELECT id, version, org_id, given_name, family_name, birth_date, "
	"gender, preferred_language, interpreter_needed, "
	"communication_needs, accessibility_needs, disability, "
	"digital_confidence, deprivation_decile, $2, created_at, updated_at "
	"FROM patient WHERE id = $1";
/* In read_row's order, then the numbers then. */
#define VERSION_COLS                                                       \
	"patient_id, org_id, 0, '', given_name, family_name, birth_date, " \
	"gender, preferred_language, interpreter_needed, "                 \
	"communication_needs, accessibility_needs, version, created_at, "  \
	"updated_at, disability, digital_confidence, deprivation_decile, " \
	"identifiers FROM patient_version "
static const char sql_version_get[] =
	"SELECT " VERSION_COLS "WHERE patient_id = $1 AND version = $2";
static const char sql_versions[] =
	"SELECT " VERSION_COLS "WHERE patient_id = $1 AND version < $2 "
	"ORDER BY version DESC LIMIT $3";
/* Every version of an organisation's patients (current and kept) made
 * at or after $2, newest first, after the cursor ($4, $5, $6) when $3. */
static const char sql_org_history[] =
	"SELECT id, version, updated_at FROM ("
	"SELECT id, version, updated_at FROM patient "
	"WHERE org_id = $1 AND updated_at >= $2 UNION ALL "
	"SELECT patient_id, version, updated_at FROM patient_version "
	"WHERE org_id = $1 AND updated_at >= $2) AS h "
	"WHERE $3 = 0 OR updated_at < $4 OR (updated_at = $4 AND (id < $5 "
	"OR (id = $5 AND version < $6))) "
	"ORDER BY updated_at DESC, id DESC, version DESC LIMIT $7";
static const char sql_search[] =
	"SELECT " PATIENT_COLS "FROM patient p "
	"LEFT JOIN unit u ON u.id = p.unit_id "
	"WHERE p.org_id = $1 AND ($2 = '' OR p.search_name LIKE $2 "
	"OR EXISTS (SELECT 1 FROM patient_identifier i "
	"WHERE i.patient_id = p.id AND lower(i.value) = $3)) "
	"AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM care_team_member m "
	"WHERE m.patient_id = p.id AND m.account_id = $4)) "
	"ORDER BY p.family_name, p.given_name, p.id LIMIT $5 OFFSET $6";
/* The FHIR API's search: by id order after the last row of a page. A
 * name matches when one of its words starts with $4 ($5: "% x%"). */
static const char sql_find[] =
	"SELECT " PATIENT_COLS "FROM patient p "
	"LEFT JOIN unit u ON u.id = p.unit_id "
	"WHERE p.org_id = $1 AND p.id > $2 "
	"AND (CAST($3 AS BIGINT) = 0 OR p.id = $3) "
	"AND ($4 = '' OR p.search_name LIKE $4 OR p.search_name LIKE $5) "
	"AND ($6 = '' OR EXISTS (SELECT 1 FROM patient_identifier i "
	"WHERE i.patient_id = p.id AND ($7 = '' OR i.system = $7) "
	"AND i.value = $6)) "
	"AND ($8 = '' OR p.gender = $8) "
	"AND ($9 = '' OR (p.birth_date <> '' AND p.birth_date >= $9 "
	"AND p.birth_date < $10)) "
	"AND (CAST($12 AS BIGINT) = 0 OR p.unit_id = $12) "
	"ORDER BY p.id LIMIT $11";
static const char sql_insert[] =
	"INSERT INTO patient (id, org_id, unit_id, given_name, family_name, "
	"search_name, birth_date, gender, preferred_language, "
	"interpreter_needed, communication_needs, accessibility_needs, "
	"version, created_at, updated_at, disability, digital_confidence, "
	"deprivation_decile) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	"$8, $9, $10, $11, $12, 1, $13, $13, $14, $15, $16)";
static const char sql_update[] =
	"UPDATE patient SET given_name = $3, family_name = $4, "
	"search_name = $5, birth_date = $6, gender = $7, "
	"preferred_language = $8, interpreter_needed = $9, "
	"communication_needs = $10, accessibility_needs = $11, "
	"disability = $13, digital_confidence = $14, "
	"deprivation_decile = $15, "
	"version = version + 1, updated_at = $12 "
	"WHERE id = $1 AND version = $2";
static const char sql_id_insert[] =
	"INSERT INTO patient_identifier (id, org_id, patient_id, system, "
	"value) VALUES ($1, $2, $3, $4, $5)";

static bool
text_ok(const char *s, size_t max_chars, bool required)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || str_trim(str_c(s)).len == 0)
		return !required;
	return utf8_valid(s, n) && utf8_length(s, n) <= max_chars &&
	       !str_has_control(s, n);
}

static bool
in_list(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool
choice_ok(const struct patient_choice *list, const char *code)
{
	for (; list->code; list++)
		if (strcmp(list->code, code ? code : "") == 0)
			return true;
	return false;
}

static bool
language_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n < 2 || n > 3)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return true;
}

void
patient_validate(const struct patient *p, int64_t now, struct problems *out)
{
	int64_t birth;

	if (!text_ok(p->given_name, PATIENT_NAME_MAX, true))
		problems_add(out, "given_name",
			     "Enter the first name (up to 100 characters).");
	if (!text_ok(p->family_name, PATIENT_NAME_MAX, true))
		problems_add(out, "family_name",
			     "Enter the family name (up to 100 characters).");
	if (!p->birth_date || !clock_parse_date(p->birth_date, &birth))
		problems_add(out, "birth_date",
			     "Enter the date of birth as year-month-day, for "
			     "example 1980-04-23.");
	else if (birth > now)
		problems_add(out, "birth_date",
			     "The date of birth cannot be in the future.");
	if (!in_list(p->gender, patient_genders))
		problems_add(out, "gender", "Choose one of the options.");
	if (!language_ok(p->preferred_language))
		problems_add(out, "preferred_language",
			     "Choose a language from the list.");
	if (!text_ok(p->communication_needs, PATIENT_NEEDS_MAX, false))
		problems_add(out, "communication_needs",
			     "Use at most 1000 characters.");
	if (!text_ok(p->accessibility_needs, PATIENT_NEEDS_MAX, false))
		problems_add(out, "accessibility_needs",
			     "Use at most 1000 characters.");
	if (!choice_ok(patient_disability_choices, p->disability))
		problems_add(out, "disability", "Choose one of the options.");
	if (!choice_ok(patient_digital_choices, p->digital_confidence))
		problems_add(out, "digital_confidence",
			     "Choose one of the options.");
	if (p->deprivation_decile < 0 ||
	    p->deprivation_decile > PATIENT_DECILE_MAX)
		problems_add(out, "deprivation_decile",
			     "Choose a decile from 1 to 10, or not known.");
}

void
patient_identifier_validate(const char *system, const char *value,
			    struct problems *out)
{
	size_t n = value ? strlen(value) : 0, i;

	if (!in_list(system, patient_identifier_systems))
		problems_add(out, "system", "Choose a kind of number.");
	if (n == 0 || n > IDENTIFIER_MAX) {
		problems_add(out, "value",
			     "Enter the number (up to 64 characters).");
		return;
	}
	for (i = 0; i < n; i++) {
		char c = value[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '/' ||
		      c == '.')) {
			problems_add(out, "value",
				     "Use only letters, digits, dashes, dots "
				     "and slashes.");
			return;
		}
	}
}

static void
read_row(struct stmt *st, struct arena *a, void *record)
{
	struct patient *p = record;

	p->id = stmt_int(st, 0);
	p->org_id = stmt_int(st, 1);
	p->unit_id = stmt_int(st, 2);
	p->unit_name = stmt_text_dup(st, 3, a);
	p->given_name = stmt_text_dup(st, 4, a);
	p->family_name = stmt_text_dup(st, 5, a);
	p->birth_date = stmt_text_dup(st, 6, a);
	p->gender = stmt_text_dup(st, 7, a);
	p->preferred_language = stmt_text_dup(st, 8, a);
	p->interpreter_needed = stmt_int(st, 9) != 0;
	p->communication_needs = stmt_text_dup(st, 10, a);
	p->accessibility_needs = stmt_text_dup(st, 11, a);
	p->version = stmt_int(st, 12);
	p->created_at = stmt_int(st, 13);
	p->updated_at = stmt_int(st, 14);
	p->disability = stmt_text_dup(st, 15, a);
	p->digital_confidence = stmt_text_dup(st, 16, a);
	p->deprivation_decile = (int)stmt_int(st, 17);
}

static void
read_identifier(struct stmt *st, struct arena *a, void *record)
{
	struct patient_identifier *i = record;

	i->id = stmt_int(st, 0);
	i->system = stmt_text_dup(st, 1, a);
	i->value = stmt_text_dup(st, 2, a);
}

enum err
patient_get(struct db *db, struct arena *a, int64_t id, struct patient *out)
{
	struct stmt *st = db_prepare(db, sql_get);
	enum err e;

	if (!st)
		return ERR_DB;
	memset(out, 0, sizeof(*out));
	stmt_bind_int(st, 1, id);
	if ((e = stmt_get(st, a, read_row, out)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_ids)))
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_list(st, a, sizeof(*out->ids), IDENTIFIERS_MAX,
			 read_identifier, &out->ids, &out->nids);
}

/* "given family" folded (lowercase, accents removed), for searching:
 * "Lopez" finds "López", "MARIA" finds "María". */
static char *
search_name(struct arena *a, const struct patient *p)
{
	char *s = arena_printf(a, "%s %s", p->given_name, p->family_name);

	return s ? str_fold(a, s, strlen(s)) : NULL;
}

enum err
patient_search(struct db *db, struct arena *a, int64_t org_id, const char *q,
	       bool mine, int64_t account_id, int limit, int offset,
	       struct patient **out, size_t *count)
{
	struct stmt *st;
	char *pattern = "", *exact = "";

	*out = NULL;
	*count = 0;
	if (limit <= 0 || limit > 500 || offset < 0)
		return ERR_INVALID;
	if (q && *q) {
		struct str t = str_trim(str_c(q));
		char *lower = str_fold(a, t.p, t.len);
		size_t i, j = 0;

		if (!lower)
			return ERR_NOMEM;
		exact = str_lower(a, t.p, t.len);
		if (!exact)
			return ERR_NOMEM;
		pattern = arena_alloc(a, strlen(lower) + 3);
		if (!pattern)
			return ERR_NOMEM;
		pattern[j++] = '%';
		for (i = 0; lower[i]; i++)
			if (lower[i] != '%' && lower[i] != '_')
				pattern[j++] = lower[i];
		pattern[j++] = '%';
		pattern[j] = '\0';
	}
	if (!(st = db_prepare(db, sql_search)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_str(st, 2, pattern);
	stmt_bind_str(st, 3, exact);
	stmt_bind_int(st, 4, mine ? account_id : 0);
	stmt_bind_int(st, 5, limit);
	stmt_bind_int(st, 6, offset);
	return stmt_list(st, a, sizeof(**out), (size_t)limit, read_row, out,
			 count);
}

enum err
patient_find(struct db *db, struct arena *a, const struct patient_query *q,
	     struct patient **out, size_t *count)
{
	struct stmt *st;
	char *start = "", *word = "";

	*out = NULL;
	*count = 0;
	if (q->limit == 0 || q->limit > 1000)
		return ERR_INVALID;
	if (q->name && *q->name) {
		char *f = str_fold(a, q->name, strlen(q->name));
		size_t i, j = 0;

		if (!f || !(start = arena_alloc(a, strlen(f) + 2)) ||
		    !(word = arena_alloc(a, strlen(f) + 4)))
			return ERR_NOMEM;
		/* LIKE's wildcards in a name are matched as nothing. */
		for (i = 0; f[i]; i++)
			if (f[i] != '%' && f[i] != '_')
				start[j++] = f[i];
		start[j] = '\0';
		snprintf(word, strlen(f) + 4, "%% %s%%", start);
		start[j++] = '%';
		start[j] = '\0';
	}
	if (!(st = db_prepare(db, sql_find)))
		return ERR_DB;
	stmt_bind_int(st, 1, q->org_id);
	stmt_bind_int(st, 2, q->after_id);
	stmt_bind_int(st, 3, q->id);
	stmt_bind_str(st, 4, start);
	stmt_bind_str(st, 5, word);
	stmt_bind_str(st, 6, q->identifier ? q->identifier : "");
	stmt_bind_str(st, 7, q->identifier_system ? q->identifier_system : "");
	stmt_bind_str(st, 8, q->gender ? q->gender : "");
	stmt_bind_str(st, 9, q->born_from ? q->born_from : "");
	stmt_bind_str(st, 10, q->born_before ? q->born_before : "9999-99-99");
	stmt_bind_int(st, 11, (int64_t)q->limit);
	stmt_bind_int(st, 12, q->unit_id);
	return stmt_list(st, a, sizeof(**out), q->limit, read_row, out, count);
}

static void
bind_unit(struct stmt *st, int idx, int64_t unit)
{
	if (unit)
		stmt_bind_int(st, idx, unit);
	else
		stmt_bind_null(st, idx);
}

enum err
patient_insert(struct db *db, const struct patient *p)
{
	struct arena *a = arena_new(4096);
	struct stmt *st;
	char *sn;
	enum err e = ERR_NOMEM;

	if (!a)
		return ERR_NOMEM;
	if (!(sn = search_name(a, p)))
		goto out;
	e = ERR_DB;
	if (!(st = db_prepare(db, sql_insert)))
		goto out;
	stmt_bind_int(st, 1, p->id);
	stmt_bind_int(st, 2, p->org_id);
	bind_unit(st, 3, p->unit_id);
	stmt_bind_str(st, 4, p->given_name);
	stmt_bind_str(st, 5, p->family_name);
	stmt_bind_str(st, 6, sn);
	stmt_bind_str(st, 7, p->birth_date);
	stmt_bind_str(st, 8, p->gender);
	stmt_bind_str(st, 9, p->preferred_language);
	stmt_bind_int(st, 10, p->interpreter_needed);
	stmt_bind_str(st, 11, p->communication_needs ? p->communication_needs
						     : "");
	stmt_bind_str(st, 12, p->accessibility_needs ? p->accessibility_needs
						     : "");
	stmt_bind_int(st, 13, p->created_at);
	stmt_bind_str(st, 14, p->disability ? p->disability : "");
	stmt_bind_str(st, 15, p->digital_confidence ? p->digital_confidence
						   : "");
	stmt_bind_int(st, 16, p->deprivation_decile);
	e = stmt_exec(st);
out:
	arena_free(a);
	return e;
}

/* "system\tvalue\n" for each number the record has now. */
static char *
identifiers_text(struct db *db, struct arena *a, int64_t id)
{
	struct patient_identifier *ids;
	size_t n, i;
	char *out = "";
	struct stmt *st = db_prepare(db, sql_ids);

	if (!st)
		return NULL;
	stmt_bind_int(st, 1, id);
	if (stmt_list(st, a, sizeof(*ids), IDENTIFIERS_MAX, read_identifier,
		      &ids, &n) != ERR_OK)
		return NULL;
	for (i = 0; out && i < n; i++)
		out = arena_printf(a, "%s%s\t%s\n", out, ids[i].system,
				   ids[i].value);
	return out;
}

/* Keeps patient `id` as it is now among its past versions. */
static enum err
version_keep(struct db *db, struct arena *a, int64_t id)
{
	char *ids = identifiers_text(db, a, id);
	struct stmt *st;

	if (!ids)
		return ERR_DB;
	if (!(st = db_prepare(db, sql_version_keep)))
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, ids);
	return stmt_exec(st);
}

/* A past version's row, with the numbers it had. */
static void
read_version(struct stmt *st, struct arena *a, void *record)
{
	struct patient *p = record;
	const char *t;
	size_t n = 0, k = 0;

	read_row(st, a, record);
	p->unit_name = "";
	p->ids = NULL;
	p->nids = 0;
	if (!(t = stmt_text(st, 18)))
		return;
	for (const char *c = t; *c; c++)
		n += *c == '\n';
	if (!n || !(p->ids = arena_alloc(a, n * sizeof(*p->ids))))
		return;
	while (*t && k < n) {
		const char *tab = strchr(t, '\t'), *nl = strchr(t, '\n');

		if (!tab || !nl || tab > nl)
			break;
		p->ids[k].id = 0;
		p->ids[k].system = arena_strndup(a, t, (size_t)(tab - t));
		p->ids[k].value = arena_strndup(a, tab + 1,
						(size_t)(nl - tab - 1));
		k++;
		t = nl + 1;
	}
	p->nids = k;
}

enum err
patient_version_get(struct db *db, struct arena *a, int64_t id,
		    int64_t version, struct patient *out)
{
	struct stmt *st = db_prepare(db, sql_version_get);

	if (!st)
		return ERR_DB;
	memset(out, 0, sizeof(*out));
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, version);
	return stmt_get(st, a, read_version, out);
}

enum err
patient_versions(struct db *db, struct arena *a, int64_t id, int64_t before,
		 size_t limit, struct patient **out, size_t *n)
{
	struct stmt *st = db_prepare(db, sql_versions);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, before);
	stmt_bind_int(st, 3, (int64_t)limit);
	return stmt_list(st, a, sizeof(**out), limit, read_version, out, n);
}

static void
read_history_key(struct stmt *st, struct arena *a, void *record)
{
	struct patient_version_key *k = record;

	(void)a;
	k->patient_id = stmt_int(st, 0);
	k->version = stmt_int(st, 1);
	k->at = stmt_int(st, 2);
}

enum err
patient_history_of_org(struct db *db, struct arena *a, int64_t org_id,
		       int64_t since, const struct patient_version_key *after,
		       size_t limit, struct patient_version_key **out,
		       size_t *n)
{
	struct stmt *st = db_prepare(db, sql_org_history);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, since);
	stmt_bind_int(st, 3, after != NULL);
	stmt_bind_int(st, 4, after ? after->at : 0);
	stmt_bind_int(st, 5, after ? after->patient_id : 0);
	stmt_bind_int(st, 6, after ? after->version : 0);
	stmt_bind_int(st, 7, (int64_t)limit);
	return stmt_list(st, a, sizeof(**out), limit, read_history_key, out,
			 n);
}

enum err
patient_update(struct db *db, const struct patient *p, int64_t now)
{
	struct arena *a = arena_new(4096);
	struct stmt *st;
	char *sn;
	enum err e = ERR_NOMEM;

	if (!a)
		return ERR_NOMEM;
	if (!(sn = search_name(a, p)))
		goto out;
	/* The version being replaced is kept first (a stale one changes
	 * nothing: the update below finds no row and the whole write is
	 * undone). */
	if ((e = version_keep(db, a, p->id)) != ERR_OK)
		goto out;
	e = ERR_DB;
	if (!(st = db_prepare(db, sql_update)))
		goto out;
	stmt_bind_int(st, 1, p->id);
	stmt_bind_int(st, 2, p->version);
	stmt_bind_str(st, 3, p->given_name);
	stmt_bind_str(st, 4, p->family_name);
	stmt_bind_str(st, 5, sn);
	stmt_bind_str(st, 6, p->birth_date);
	stmt_bind_str(st, 7, p->gender);
	stmt_bind_str(st, 8, p->preferred_language);
	stmt_bind_int(st, 9, p->interpreter_needed);
	stmt_bind_str(st, 10, p->communication_needs ? p->communication_needs
						     : "");
	stmt_bind_str(st, 11, p->accessibility_needs ? p->accessibility_needs
						     : "");
	stmt_bind_int(st, 12, now);
	stmt_bind_str(st, 13, p->disability ? p->disability : "");
	stmt_bind_str(st, 14, p->digital_confidence ? p->digital_confidence
						   : "");
	stmt_bind_int(st, 15, p->deprivation_decile);
	e = stmt_exec(st);
	if (e == ERR_OK && stmt_changes(st) != 1)
		e = ERR_CONFLICT;
out:
	arena_free(a);
	return e;
}

enum err
patient_identifier_insert(struct db *db, int64_t org_id, int64_t patient_id,
			  const char *system, const char *value)
{
	struct stmt *st = db_prepare(db, sql_id_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, patient_id);
	stmt_bind_str(st, 4, system);
	stmt_bind_str(st, 5, value);
	return stmt_exec(st);
}

/*
 * Decision aids and shared decision records (see decision.h): parsing
 * and checking an aid, its JSON form, the writes (each record change
 * also stored as a version) and reading them back.
 */
#include "care/decision.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "care/version.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

/* --- parsing and checking --------------------------------------------- */

/* Non-blank trimmed lines of `text` into `out` (at most `max`); returns
 * how many there are in all. */
static size_t
split_lines(struct arena *a, const char *text, const char **out, size_t max)
{
	const char *p = text ? text : "";
	size_t n = 0;

	while (*p) {
		const char *end = strchr(p, '\n');
		struct str line;

		if (!end)
			end = p + strlen(p);
		line = str_trim((struct str){p, (size_t)(end - p)});
		if (line.len) {
			if (n < max)
				out[n] = str_dup(a, line);
			n++;
		}
		p = *end ? end + 1 : end;
	}
	return n;
}

void
decision_aid_parse(struct arena *a, const char *options_text,
		   const char *questions_text, struct decision_aid *aid,
		   struct problems *out)
{
	size_t n;

	n = split_lines(a, options_text, aid->options, DECISION_OPTIONS_MAX);
	aid->noptions = n < DECISION_OPTIONS_MAX ? n : DECISION_OPTIONS_MAX;
	if (n > DECISION_OPTIONS_MAX)
		problems_add(out, "options",
			     N_("Write 2 to 6 options, one on each line."));
	n = split_lines(a, questions_text, aid->questions,
			DECISION_QUESTIONS_MAX);
	aid->nquestions = n < DECISION_QUESTIONS_MAX ? n
						     : DECISION_QUESTIONS_MAX;
	if (n > DECISION_QUESTIONS_MAX)
		problems_add(out, "questions",
			     N_("Write 2 to 10 questions, one on each "
				"line."));
}

/* One line of at most `max` characters, without control characters. */
static bool
line_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return s && utf8_valid(s, n) && !str_has_control(s, n) &&
	       !strpbrk(s, "\t\r\n") && utf8_length(s, n) <= max;
}

static bool
lines_ok(const char *const *s, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!s[i] || !*s[i] || !line_ok(s[i], max))
			return false;
	return true;
}

static void
cells_validate(struct arena *a, const struct decision_aid *aid,
	       struct problems *out)
{
	size_t q, o;

	for (q = 0; q < aid->nquestions; q++)
		for (o = 0; o < aid->noptions; o++) {
			const char *c = aid->cells[q][o];
			const char *field = arena_printf(a, "cell_%zu_%zu",
							 q + 1, o + 1);

			if (!c || !*c)
				problems_add(out, field,
					     N_("Write a short answer in "
						"every box of the grid, or "
						"\"Not known\"."));
			else
				care_text_ok(out, field, c,
					     DECISION_CELL_MAX);
		}
}

void
decision_aid_validate(struct arena *a, const struct decision_aid *aid,
		      struct problems *out)
{
	if (!aid->title || !*aid->title ||
	    !line_ok(aid->title, DECISION_TITLE_MAX))
		problems_add(out, "title",
			     N_("Enter a title of up to 200 characters on "
				"one line."));
	if (aid->noptions < DECISION_OPTIONS_MIN ||
	    aid->noptions > DECISION_OPTIONS_MAX)
		problems_add(out, "options",
			     N_("Write 2 to 6 options, one on each line."));
	else if (!lines_ok(aid->options, aid->noptions, DECISION_LINE_MAX))
		problems_add(out, "options",
			     N_("Keep each option under 150 characters."));
	if (aid->nquestions < DECISION_QUESTIONS_MIN ||
	    aid->nquestions > DECISION_QUESTIONS_MAX)
		problems_add(out, "questions",
			     N_("Write 2 to 10 questions, one on each "
				"line."));
	else if (!lines_ok(aid->questions, aid->nquestions,
			   DECISION_LINE_MAX))
		problems_add(out, "questions",
			     N_("Keep each question under 150 characters."));
	if (aid->source && *aid->source &&
	    !line_ok(aid->source, DECISION_SOURCE_MAX))
		problems_add(out, "source",
			     N_("Keep the source to one line under 300 "
				"characters."));
	if (aid->noptions <= DECISION_OPTIONS_MAX &&
	    aid->nquestions <= DECISION_QUESTIONS_MAX)
		cells_validate(a, aid, out);
}

void
decision_validate(const struct shared_decision *d, struct problems *out)
{
	size_t o, n = 0;

	for (o = 0; o < d->aid.noptions && o < DECISION_OPTIONS_MAX; o++)
		n += d->considered[o];
	if (n == 0)
		problems_add(out, "considered",
			     N_("Tick the options you talked about."));
	if (d->choice != DECISION_UNDECIDED &&
	    (d->choice < 0 || (size_t)d->choice >= d->aid.noptions ||
	     d->choice >= DECISION_OPTIONS_MAX ||
	     !d->considered[d->choice]))
		problems_add(out, "choice",
			     N_("Choose one of the options you talked "
				"about, or \"Not decided yet\"."));
	care_text_ok(out, "reasons", d->reasons ? d->reasons : "",
		     CARE_LONG_MAX);
	care_date_ok(out, "revisit_date",
		     d->revisit_date ? d->revisit_date : "", false);
}

/* --- JSON ----------------------------------------------------------------- */

static json_t *
strings_json(const char *const *s, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(s[i] ? s[i] : ""));
	return arr;
}

static json_t *
cells_json(const struct decision_aid *aid)
{
	json_t *rows = json_array();
	size_t q;

	for (q = 0; rows && q < aid->nquestions; q++)
		json_array_append_new(rows, strings_json(aid->cells[q],
							 aid->noptions));
	return rows;
}

/* Index lists (JSON arrays of numbers) of the true flags. */
static json_t *
flags_json(const bool *flags, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++)
		if (flags[i])
			json_array_append_new(arr, json_integer((json_int_t)i));
	return arr;
}

/* JSON text in `a` (stealing `v`); NULL when out of memory. */
static char *
dump(struct arena *a, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	char *copy = s ? arena_strdup(a, s) : NULL;

	free(s);
	json_decref(v);
	return copy;
}

static size_t
strings_from(struct arena *a, json_t *arr, const char **out, size_t max)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (n >= max)
			break;
		out[n++] = arena_strdup(a, json_string_value(v)
						   ? json_string_value(v)
						   : "");
	}
	return n;
}

static void
flags_from(const char *json, bool *flags, size_t n)
{
	json_t *arr = json_loads(json ? json : "[]", 0, NULL), *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		json_int_t k = json_integer_value(v);

		if (json_is_integer(v) && k >= 0 && (size_t)k < n)
			flags[k] = true;
	}
	json_decref(arr);
}

/* Options, questions and cells of an aid from their JSON texts. */
static void
grid_from(struct arena *a, const char *options, const char *questions,
	  const char *cells, struct decision_aid *aid)
{
	json_t *o = json_loads(options ? options : "[]", 0, NULL);
	json_t *q = json_loads(questions ? questions : "[]", 0, NULL);
	json_t *c = json_loads(cells ? cells : "[]", 0, NULL), *row;
	size_t i;

	aid->noptions = strings_from(a, o, aid->options,
				     DECISION_OPTIONS_MAX);
	aid->nquestions = strings_from(a, q, aid->questions,
				       DECISION_QUESTIONS_MAX);
	json_array_foreach(c, i, row) {
		if (i >= aid->nquestions)
			break;
		strings_from(a, row, aid->cells[i], aid->noptions);
	}
	json_decref(o);
	json_decref(q);
	json_decref(c);
}

static const char *
text_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

char *
decision_aid_snapshot(struct arena *a, const struct decision_aid *aid)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "title", json_string(aid->title));
	json_object_set_new(o, "options",
			    strings_json(aid->options, aid->noptions));
	json_object_set_new(o, "questions",
			    strings_json(aid->questions, aid->nquestions));
	json_object_set_new(o, "cells", cells_json(aid));
	json_object_set_new(o, "source",
			    json_string(aid->source ? aid->source : ""));
	json_object_set_new(o, "version", json_integer(aid->version));
	return dump(a, o);
}

enum err
decision_aid_from_snapshot(struct arena *a, const char *json,
			   struct decision_aid *out)
{
	json_t *o = json_loads(json ? json : "", 0, NULL);
	char *opt, *q, *c;

	if (!json_is_object(o)) {
		json_decref(o);
		return ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	out->title = arena_strdup(a, text_of(o, "title"));
	out->source = arena_strdup(a, text_of(o, "source"));
	out->version = (int)json_integer_value(json_object_get(o, "version"));
	opt = json_dumps(json_object_get(o, "options"), JSON_COMPACT);
	q = json_dumps(json_object_get(o, "questions"), JSON_COMPACT);
	c = json_dumps(json_object_get(o, "cells"), JSON_COMPACT);
	grid_from(a, opt, q, c, out);
	free(opt);
	free(q);
	free(c);
	json_decref(o);
	return out->title ? ERR_OK : ERR_NOMEM;
}

/* --- statements ----------------------------------------------------------- */

#define SELECT_AID                                                         \
	"SELECT a.id, a.org_id, a.title, a.options, a.questions, a.cells, " \
	"a.source, a.active, a.version, a.updated_ms, a.updated_by, "      \
	"COALESCE(u.display_name, '') FROM decision_aid a "                \
	"LEFT JOIN account u ON u.id = a.updated_by "

static const char sql_aid_get[] = SELECT_AID
	"WHERE a.id = $1 AND a.org_id = $2";
static const char sql_aid_list[] = SELECT_AID
	"WHERE a.org_id = $1 AND (CAST($2 AS BIGINT) = 0 OR a.active = 1) "
	"ORDER BY a.title, a.id LIMIT $3";
static const char sql_aid_insert[] =
	"INSERT INTO decision_aid (id, org_id, title, options, questions, "
	"cells, source, active, version, updated_ms, updated_by) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)";
static const char sql_aid_update[] =
	"UPDATE decision_aid SET title = $3, options = $4, questions = $5, "
	"cells = $6, source = $7, active = $8, version = version + 1, "
	"updated_ms = $9, updated_by = $10 "
	"WHERE id = $1 AND org_id = $2 AND version = $11";
static const char sql_aid_count[] =
	"SELECT count(*) FROM decision_aid WHERE id = $1 AND org_id = $2";

#define SELECT_DECISION                                                    \
	"SELECT d.id, d.org_id, d.patient_id, d.aid_id, d.aid_snapshot, "  \
	"d.at_ms, d.recorded_by, COALESCE(r.display_name, ''), "           \
	"d.updated_by, COALESCE(u.display_name, ''), d.matters_most, "     \
	"d.considered, d.choice, d.reasons, d.participants, "              \
	"d.revisit_date, d.version, d.updated_ms FROM shared_decision d "  \
	"LEFT JOIN account r ON r.id = d.recorded_by "                     \
	"LEFT JOIN account u ON u.id = d.updated_by "

static const char sql_get[] = SELECT_DECISION
	"WHERE d.id = $1 AND d.patient_id = $2";
static const char sql_list[] = SELECT_DECISION
	"WHERE d.patient_id = $1 ORDER BY d.at_ms DESC, d.id DESC LIMIT $2";
static const char sql_insert[] =
	"INSERT INTO shared_decision (id, org_id, patient_id, aid_id, "
	"aid_snapshot, at_ms, recorded_by, updated_by, matters_most, "
	"considered, choice, reasons, participants, revisit_date, version, "
	"updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, "
	"$11, $12, $13, 1, $6)";
static const char sql_update[] =
	"UPDATE shared_decision SET updated_by = $3, matters_most = $4, "
	"considered = $5, choice = $6, reasons = $7, participants = $8, "
	"revisit_date = $9, version = version + 1, updated_ms = $10 "
	"WHERE id = $1 AND patient_id = $2 AND version = $11";
static const char sql_count[] =
	"SELECT count(*) FROM shared_decision "
	"WHERE id = $1 AND patient_id = $2";

/* `sql` with $1 and $2 bound; NULL when it does not compile. */
static struct stmt *
prepare2(struct db *db, const char *sql, int64_t a1, int64_t a2)
{
	struct stmt *st = db_prepare(db, sql);

	if (st) {
		stmt_bind_int(st, 1, a1);
		stmt_bind_int(st, 2, a2);
	}
	return st;
}

static enum err
count_of(struct db *db, const char *sql, int64_t a1, int64_t a2,
	 int64_t *out)
{
	struct stmt *st = prepare2(db, sql, a1, a2);

	if (!st)
		return ERR_DB;
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

/*
 * Runs a prepared INSERT (`create`; the version is then 1) or versioned
 * UPDATE (the version goes up by one) of row `id` of `owner`. An UPDATE
 * that changed nothing is ERR_CONFLICT when `count_sql` ($1 id, $2 owner)
 * still finds the row, else ERR_NOT_FOUND.
 */
static enum err
write_versioned(struct db *db, struct stmt *st, bool create,
		const char *count_sql, int64_t id, int64_t owner, int *version)
{
	int64_t n = 0;
	enum err e;

	if (create) {
		if ((e = stmt_exec(st)) == ERR_OK)
			*version = 1;
		return e;
	}
	if ((e = stmt_exec_one(st)) == ERR_OK) {
		(*version)++;
		return ERR_OK;
	}
	if (e != ERR_NOT_FOUND ||
	    (e = count_of(db, count_sql, id, owner, &n)) != ERR_OK)
		return e;
	return n ? ERR_CONFLICT : ERR_NOT_FOUND;
}

/* --- aids ---------------------------------------------------------------- */

enum err
decision_aid_write(struct db *db, void *arg)
{
	struct decision_aid_job *j = arg;
	struct decision_aid *aid = &j->aid;
	struct problems ps = {0};
	struct arena *a = arena_new(256 * 1024);
	char *options, *questions, *cells;
	struct stmt *st;
	enum err e;

	if (!a)
		return ERR_NOMEM;
	decision_aid_validate(a, aid, &ps);
	options = dump(a, strings_json(aid->options, aid->noptions));
	questions = dump(a, strings_json(aid->questions, aid->nquestions));
	cells = dump(a, cells_json(aid));
	e = ps.n ? ERR_INVALID : ERR_OK;
	if (e == ERR_OK && (!options || !questions || !cells))
		e = ERR_NOMEM;
	if (e != ERR_OK)
		goto out;
	if (!(st = db_prepare(db, j->create ? sql_aid_insert
					    : sql_aid_update))) {
		e = ERR_DB;
		goto out;
	}
	stmt_bind_int(st, 1, aid->id);
	stmt_bind_int(st, 2, aid->org_id);
	stmt_bind_str(st, 3, aid->title);
	stmt_bind_str(st, 4, options);
	stmt_bind_str(st, 5, questions);
	stmt_bind_str(st, 6, cells);
	stmt_bind_str(st, 7, aid->source ? aid->source : "");
	stmt_bind_int(st, 8, aid->active);
	stmt_bind_int(st, 9, j->at_ms);
	stmt_bind_int(st, 10, j->author_id);
	if (!j->create)
		stmt_bind_int(st, 11, aid->version);
	e = write_versioned(db, st, j->create, sql_aid_count, aid->id,
			    aid->org_id, &aid->version);
out:
	arena_free(a);
	return e;
}

static void
read_aid(struct stmt *st, struct arena *a, void *out)
{
	struct decision_aid *aid = out;

	memset(aid, 0, sizeof(*aid));
	aid->id = stmt_int(st, 0);
	aid->org_id = stmt_int(st, 1);
	aid->title = stmt_text_dup(st, 2, a);
	grid_from(a, stmt_text(st, 3), stmt_text(st, 4), stmt_text(st, 5),
		  aid);
	aid->source = stmt_text_dup(st, 6, a);
	aid->active = stmt_int(st, 7) != 0;
	aid->version = (int)stmt_int(st, 8);
	aid->updated_ms = stmt_int(st, 9);
	aid->updated_by = stmt_int(st, 10);
	aid->updated_by_name = stmt_text_dup(st, 11, a);
}

enum err
decision_aid_get(struct db *db, struct arena *a, int64_t org_id, int64_t id,
		 struct decision_aid *out)
{
	struct stmt *st = prepare2(db, sql_aid_get, id, org_id);

	return st ? stmt_get(st, a, read_aid, out) : ERR_DB;
}

enum err
decision_aid_list(struct db *db, struct arena *a, int64_t org_id,
		  bool active_only, struct decision_aid **out, size_t *count)
{
	struct stmt *st = prepare2(db, sql_aid_list, org_id, active_only);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 3, DECISION_AIDS_MAX);
	return stmt_list(st, a, sizeof(**out), DECISION_AIDS_MAX, read_aid,
			 out, count);
}

/* --- decision records ----------------------------------------------------- */

/* Texts of the chosen items, separated by semicolons. */
static const char *
chosen_lines(struct arena *a, const char *const *s, const bool *flags,
	     size_t n)
{
	const char *out = "";
	size_t i;

	for (i = 0; i < n && out; i++)
		if (flags[i])
			out = arena_printf(a, "%s%s%s", out, *out ? "; " : "",
					   s[i]);
	return out ? out : "";
}

static const char *
participant_names(struct arena *a, const char *json)
{
	json_t *arr = json_loads(json ? json : "[]", 0, NULL), *v;
	const char *out = "";
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(json_object_get(v,
								     "name"));

		if (name && out)
			out = arena_printf(a, "%s%s%s", out, *out ? ", " : "",
					   name);
	}
	json_decref(arr);
	return out ? out : "";
}

/* A record's fields as people read them in its history. */
static json_t *
decision_fields(struct arena *a, const struct shared_decision *d)
{
	json_t *o = json_object();
	const char *choice = d->choice >= 0 &&
					     (size_t)d->choice < d->aid.noptions
				     ? d->aid.options[d->choice]
				     : "";

	if (!o)
		return NULL;
	json_object_set_new(o, "matters",
			    json_string(chosen_lines(a, d->aid.questions,
						     d->matters,
						     d->aid.nquestions)));
	json_object_set_new(o, "considered",
			    json_string(chosen_lines(a, d->aid.options,
						     d->considered,
						     d->aid.noptions)));
	json_object_set_new(o, "choice", json_string(choice));
	json_object_set_new(o, "reasons",
			    json_string(d->reasons ? d->reasons : ""));
	json_object_set_new(o, "participants",
			    json_string(participant_names(a,
							  d->participants)));
	json_object_set_new(o, "revisit_date",
			    json_string(d->revisit_date ? d->revisit_date
							: ""));
	return o;
}

static enum err
store_version(struct db *db, struct arena *a, const struct decision_job *j)
{
	struct care_version_new v = {
		.org_id = j->d.org_id,
		.patient_id = j->d.patient_id,
		.subject_type = CARE_DECISION,
		.subject_id = j->d.id,
		.version = j->d.version,
		.plan_version = 0,
		.at_ms = j->at_ms,
		.author_id = j->author_id,
		.voice = j->voice,
		.change = j->create ? "create" : "edit",
		.fields = decision_fields(a, &j->d),
		.comment = NULL,
	};
	enum err e;

	if (!v.fields)
		return ERR_NOMEM;
	e = care_version_insert(db, &v);
	json_decref(v.fields);
	return e;
}

static enum err
bind_record(struct db *db, struct arena *a, const struct decision_job *j,
	    struct stmt **out)
{
	const struct shared_decision *d = &j->d;
	char *matters = dump(a, flags_json(d->matters, d->aid.nquestions));
	char *considered = dump(a, flags_json(d->considered,
					      d->aid.noptions));
	char *snapshot = j->create ? decision_aid_snapshot(a, &d->aid) : "";
	struct stmt *st;

	if (!matters || !considered || !snapshot)
		return ERR_NOMEM;
	if (!(st = db_prepare(db, j->create ? sql_insert : sql_update)))
		return ERR_DB;
	stmt_bind_int(st, 1, d->id);
	if (j->create) {
		stmt_bind_int(st, 2, d->org_id);
		stmt_bind_int(st, 3, d->patient_id);
		stmt_bind_int(st, 4, d->aid_id);
		stmt_bind_str(st, 5, snapshot);
		stmt_bind_int(st, 6, j->at_ms);
		stmt_bind_int(st, 7, j->author_id);
		stmt_bind_str(st, 8, matters);
		stmt_bind_str(st, 9, considered);
		stmt_bind_int(st, 10, d->choice);
		stmt_bind_str(st, 11, d->reasons ? d->reasons : "");
		stmt_bind_str(st, 12, d->participants ? d->participants : "[]");
		stmt_bind_str(st, 13, d->revisit_date ? d->revisit_date : "");
	} else {
		stmt_bind_int(st, 2, d->patient_id);
		stmt_bind_int(st, 3, j->author_id);
		stmt_bind_str(st, 4, matters);
		stmt_bind_str(st, 5, considered);
		stmt_bind_int(st, 6, d->choice);
		stmt_bind_str(st, 7, d->reasons ? d->reasons : "");
		stmt_bind_str(st, 8, d->participants ? d->participants : "[]");
		stmt_bind_str(st, 9, d->revisit_date ? d->revisit_date : "");
		stmt_bind_int(st, 10, j->at_ms);
		stmt_bind_int(st, 11, d->version);
	}
	*out = st;
	return ERR_OK;
}

enum err
decision_write(struct db *db, void *arg)
{
	struct decision_job *j = arg;
	struct problems ps = {0};
	struct arena *a = arena_new(256 * 1024);
	struct stmt *st = NULL;
	int64_t n = 0;
	enum err e;

	if (!a)
		return ERR_NOMEM;
	decision_validate(&j->d, &ps);
	if (ps.n) {
		e = ERR_INVALID;
		goto out;
	}
	if (j->create) {
		/* Only an aid of the patient's organisation. */
		if ((e = count_of(db, sql_aid_count, j->d.aid_id, j->d.org_id,
				  &n)) != ERR_OK)
			goto out;
		if (!n) {
			e = ERR_INVALID;
			goto out;
		}
	}
	if ((e = bind_record(db, a, j, &st)) != ERR_OK)
		goto out;
	if ((e = write_versioned(db, st, j->create, sql_count, j->d.id,
				 j->d.patient_id, &j->d.version)) != ERR_OK)
		goto out;
	e = store_version(db, a, j);
out:
	arena_free(a);
	return e;
}

static void
read_decision(struct stmt *st, struct arena *a, void *out)
{
	struct shared_decision *d = out;

	memset(d, 0, sizeof(*d));
	d->id = stmt_int(st, 0);
	d->org_id = stmt_int(st, 1);
	d->patient_id = stmt_int(st, 2);
	d->aid_id = stmt_int(st, 3);
	if (decision_aid_from_snapshot(a, stmt_text(st, 4), &d->aid) !=
	    ERR_OK)
		memset(&d->aid, 0, sizeof(d->aid));
	d->aid.id = d->aid_id;
	d->at_ms = stmt_int(st, 5);
	d->recorded_by = stmt_int(st, 6);
	d->recorded_by_name = stmt_text_dup(st, 7, a);
	d->updated_by = stmt_int(st, 8);
	d->updated_by_name = stmt_text_dup(st, 9, a);
	flags_from(stmt_text(st, 10), d->matters, d->aid.nquestions);
	flags_from(stmt_text(st, 11), d->considered, d->aid.noptions);
	d->choice = (int)stmt_int(st, 12);
	d->reasons = stmt_text_dup(st, 13, a);
	d->participants = stmt_text_dup(st, 14, a);
	d->revisit_date = stmt_text_dup(st, 15, a);
	d->version = (int)stmt_int(st, 16);
	d->updated_ms = stmt_int(st, 17);
}

enum err
decision_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	     struct shared_decision *out)
{
	struct stmt *st = prepare2(db, sql_get, id, patient_id);

	return st ? stmt_get(st, a, read_decision, out) : ERR_DB;
}

enum err
decision_list(struct db *db, struct arena *a, int64_t patient_id,
	      struct shared_decision **out, size_t *count)
{
	struct stmt *st = prepare2(db, sql_list, patient_id, DECISION_LIST_MAX);

	if (!st)
		return ERR_DB;
	return stmt_list(st, a, sizeof(**out), DECISION_LIST_MAX,
			 read_decision, out, count);
}

/*
 * Progress notes (see note.h): validation, the write functions run
 * inside write_commit() (a note, an edit, "my view", a correction request
 * and its answer, each with its version in care_version where the note's
 * text changes) and reading notes with what was written beside them.
 */
#include "care/note.h"

#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "care/care.h"
#include "care/markdown.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "store/store.h"
#include "core/banned.h"

const struct note_reason note_withheld_reasons[] = {
	{"third-party", N_("It contains information about another person")},
	{"serious-harm", N_("Sharing it now could cause serious harm, in the "
			    "author's judgement")},
	{"legal", N_("A legal restriction applies")},
	{"safeguarding", N_("A safeguarding enquiry is in progress")},
	{NULL, NULL},
};

const char *
note_reason_label(const char *code)
{
	size_t i;

	for (i = 0; code && note_withheld_reasons[i].code; i++)
		if (!strcmp(note_withheld_reasons[i].code, code))
			return note_withheld_reasons[i].label;
	return "";
}

/* --- validation ----------------------------------------------------------- */

/* Markdown that is safe to render: the checker's message beside the
 * field when it is not. */
static void
markdown_ok(const char *field, const char *md, struct problems *out)
{
	const char *why = NULL;

	if (markdown_check(md, strlen(md), &why) != ERR_OK)
		problems_add(out, field,
			     why ? why
				 : N_("Remove the HTML or the unsafe link "
				      "from this text."));
}

static void
sharing_validate(const char *title, bool shared, const char *reason,
		 struct problems *out)
{
	if (title)
		care_text_ok(out, "title", title, CARE_SHORT_MAX);
	if (!shared && !*note_reason_label(reason))
		problems_add(out, "reason",
			     N_("Choose why the patient cannot see this "
				"note, or share it with them."));
}

void
note_validate(const char *title, const char *body, bool shared,
	      const char *reason, struct problems *out)
{
	sharing_validate(title, shared, reason, out);
	if (!body || !*body)
		problems_add(out, "body", N_("Write the note."));
	else if (care_text_ok(out, "body", body, CARE_NOTE_MAX))
		markdown_ok("body", body, out);
}

static const char *const paragraph_fields[NOTE_PARAGRAPHS_MAX] = {
	"p1", "p2", "p3", "p4", "p5", "p6",
};
static const char *const voice_fields[NOTE_PARAGRAPHS_MAX] = {
	"voice1", "voice2", "voice3", "voice4", "voice5", "voice6",
};

static bool
is_voice(const char *v, const char *want)
{
	return v && !strcmp(v, want);
}

void
note_paragraphs_validate(const struct note_paragraph *p, size_t n,
			 struct problems *out)
{
	size_t i;

	if (n == 0) {
		problems_add(out, "p1", N_("Write at least one paragraph."));
		return;
	}
	if (n > NOTE_PARAGRAPHS_MAX) {
		problems_add(out, "p1", N_("Write at most six paragraphs."));
		return;
	}
	for (i = 0; i < n; i++) {
		int k = p[i].position;
		const char *field;

		/* Positions name the form's boxes; an unknown one is a bug. */
		if (k < 1 || k > NOTE_PARAGRAPHS_MAX) {
			problems_add(out, "p1",
				     N_("Write at most six paragraphs."));
			continue;
		}
		field = paragraph_fields[k - 1];
		if (!is_voice(p[i].voice, "patient") &&
		    !is_voice(p[i].voice, "professional"))
			problems_add(out, voice_fields[k - 1],
				     N_("Choose whose words these are."));
		if (!p[i].body || !*p[i].body)
			problems_add(out, field,
				     N_("Write this paragraph or leave it "
					"out."));
		else if (care_text_ok(out, field, p[i].body, CARE_LONG_MAX))
			markdown_ok(field, p[i].body, out);
	}
}

void
note_text_validate(const char *field, const char *text, bool required,
		   struct problems *out)
{
	if (!text || !*text) {
		if (required)
			problems_add(out, field, N_("Write a few words."));
		return;
	}
	care_text_ok(out, field, text, CARE_LONG_MAX);
}

char *
note_join_paragraphs(struct arena *a, const struct note_paragraph *p,
		     size_t n)
{
	char *s = arena_strdup(a, "");
	size_t i;

	for (i = 0; s && i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "\n\n" : "", p[i].body);
	return s;
}

/* --- statements ----------------------------------------------------------- */

#define SELECT_NOTE(body)                                                  \
	"SELECT n.id, n.org_id, n.patient_id, n.author_id, "               \
	"COALESCE(a.display_name, ''), n.written_ms, n.updated_ms, "       \
	"n.title, " body ", n.cowritten, n.shared, n.withheld_reason, "    \
	"n.version, (SELECT COUNT(*) FROM note_view v "                    \
	"WHERE v.note_id = n.id), (SELECT COUNT(*) FROM note_amendment m " \
	"WHERE m.note_id = n.id AND m.status = 'open') FROM note n "        \
	"LEFT JOIN account a ON a.id = n.author_id "

/* Lists carry only the first 300 characters of each body: enough for
 * its first line. */
#define SELECT_NOTE_BRIEF SELECT_NOTE("substr(n.body, 1, 300)")
#define SELECT_NOTE_FULL SELECT_NOTE("n.body")

static const char sql_list_all[] = SELECT_NOTE_BRIEF
	"WHERE n.patient_id = $1 ORDER BY n.written_ms DESC, n.id DESC "
	"LIMIT $2";
static const char sql_list_shared[] = SELECT_NOTE_BRIEF
	"WHERE n.patient_id = $1 AND n.shared = 1 "
	"ORDER BY n.written_ms DESC, n.id DESC LIMIT $2";
static const char sql_get_all[] = SELECT_NOTE_FULL
	"WHERE n.id = $1 AND n.patient_id = $2";
static const char sql_get_shared[] = SELECT_NOTE_FULL
	"WHERE n.id = $1 AND n.patient_id = $2 AND n.shared = 1";
static const char sql_patient[] = "SELECT patient_id FROM note WHERE id = $1";
/* A page after the last note shown ($6, $7: written time and id), so
 * that pages stay right while notes are added. */
#define SEARCH_WHERE(shared)                                               \
	"WHERE n.patient_id = $1 " shared "AND n.written_ms >= $2 "         \
	"AND n.written_ms < $3 AND n.updated_ms >= $4 AND n.updated_ms < $5 "
#define SEARCH_SHARED "AND n.shared = 1 "
#define SEARCH_DESC                                                        \
	"AND (n.written_ms < $6 OR (n.written_ms = $6 AND n.id < $7)) "     \
	"ORDER BY n.written_ms DESC, n.id DESC LIMIT $8"
#define SEARCH_ASC                                                         \
	"AND (n.written_ms > $6 OR (n.written_ms = $6 AND n.id > $7)) "     \
	"ORDER BY n.written_ms, n.id LIMIT $8"
/* Indexed [with_withheld][oldest_first]. */
static const char *const sql_search[2][2] = {
	{SELECT_NOTE_FULL SEARCH_WHERE(SEARCH_SHARED) SEARCH_DESC,
	 SELECT_NOTE_FULL SEARCH_WHERE(SEARCH_SHARED) SEARCH_ASC},
	{SELECT_NOTE_FULL SEARCH_WHERE("") SEARCH_DESC,
	 SELECT_NOTE_FULL SEARCH_WHERE("") SEARCH_ASC},
};
static const char *const sql_search_count[2] = {
	"SELECT count(*) FROM note n " SEARCH_WHERE(SEARCH_SHARED),
	"SELECT count(*) FROM note n " SEARCH_WHERE(""),
};
static const char sql_state[] =
	"SELECT author_id, version, cowritten, shared FROM note "
	"WHERE id = $1 AND patient_id = $2";
static const char sql_insert[] =
	"INSERT INTO note (id, org_id, patient_id, author_id, written_ms, "
	"updated_ms, title, body, cowritten, shared, withheld_reason, "
	"version) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, 1)";
static const char sql_update[] =
	"UPDATE note SET title = $3, body = $4, shared = $5, "
	"withheld_reason = $6, version = version + 1, updated_ms = $7 "
	"WHERE id = $1 AND patient_id = $2 AND version = $8";
/* A correction keeps the title when none is given ($3 NULL). */
static const char sql_correct[] =
	"UPDATE note SET title = COALESCE($3, title), body = $4, "
	"version = version + 1, updated_ms = $5 "
	"WHERE id = $1 AND patient_id = $2 AND version = $6";
static const char sql_title[] = "SELECT title FROM note WHERE id = $1";
static const char sql_insert_paragraph[] =
	"INSERT INTO note_paragraph (note_id, position, org_id, voice, "
	"author_id, body) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_paragraphs[] =
	"SELECT position, voice, author_id, body FROM note_paragraph "
	"WHERE note_id = $1 ORDER BY position";
static const char sql_insert_view[] =
	"INSERT INTO note_view (id, org_id, patient_id, note_id, author_id, "
	"voice, at_ms, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char sql_views[] =
	"SELECT v.id, v.note_id, v.author_id, COALESCE(a.display_name, ''), "
	"v.voice, v.at_ms, v.body FROM note_view v "
	"LEFT JOIN account a ON a.id = v.author_id "
	"WHERE v.note_id = $1 ORDER BY v.at_ms, v.id LIMIT $2";
static const char sql_insert_amendment[] =
	"INSERT INTO note_amendment (id, org_id, patient_id, note_id, "
	"requested_by, requested_ms, request, status) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')";
#define SELECT_AMENDMENT                                                   \
	"SELECT m.id, m.note_id, m.requested_by, "                         \
	"COALESCE(r.display_name, ''), m.requested_ms, m.request, "        \
	"m.status, m.answered_by, COALESCE(b.display_name, ''), "          \
	"m.answered_ms, m.answer FROM note_amendment m "                   \
	"LEFT JOIN account r ON r.id = m.requested_by "                    \
	"LEFT JOIN account b ON b.id = m.answered_by "
static const char sql_amendments[] = SELECT_AMENDMENT
	"WHERE m.note_id = $1 ORDER BY m.requested_ms, m.id LIMIT $2";
static const char sql_amendment_get[] = SELECT_AMENDMENT
	"WHERE m.note_id = $1 AND m.id = $2";
static const char sql_amendment_state[] =
	"SELECT status FROM note_amendment "
	"WHERE id = $1 AND note_id = $2 AND patient_id = $3";
static const char sql_amendment_answer[] =
	"UPDATE note_amendment SET status = $3, answered_by = $4, "
	"answered_ms = $5, answer = $6 "
	"WHERE id = $1 AND note_id = $2 AND status = 'open'";

/* The first row of `sql` with $1 and $2 bound, read by `read` into
 * `out`; ERR_NOT_FOUND when there is none. */
static enum err
row_get(struct db *db, struct arena *a, const char *sql, int64_t a1,
	int64_t a2, void (*read)(struct stmt *, struct arena *, void *),
	void *out)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a1);
	stmt_bind_int(st, 2, a2);
	return stmt_get(st, a, read, out);
}

/* --- writing -------------------------------------------------------------- */

/* What the write functions need to know of a stored note. */
struct note_state {
	int64_t author_id;
	int version;
	bool cowritten;
	bool shared;
};

static void
read_state(struct stmt *st, struct arena *a, void *out)
{
	struct note_state *s = out;

	(void)a;
	s->author_id = stmt_int(st, 0);
	s->version = (int)stmt_int(st, 1);
	s->cowritten = stmt_int(st, 2) != 0;
	s->shared = stmt_int(st, 3) != 0;
}

static enum err
state_get(struct db *db, int64_t patient_id, int64_t id,
	  struct note_state *out)
{
	return row_get(db, NULL, sql_state, id, patient_id, read_state, out);
}

/* Stores version `version` of the note's text. */
static enum err
version_store(struct db *db, int64_t org_id, int64_t patient_id,
	      int64_t note_id, int version, int64_t at_ms, int64_t author_id,
	      const char *voice, const char *change, const char *title,
	      const char *body, const char *comment)
{
	struct care_version_new v;
	json_t *fields = json_object();
	enum err e;

	if (!fields)
		return ERR_NOMEM;
	if (json_object_set_new(fields, "title", json_string(title)) ||
	    json_object_set_new(fields, "body", json_string(body))) {
		json_decref(fields);
		return ERR_INVALID;	/* not UTF-8 */
	}
	memset(&v, 0, sizeof(v));
	v.org_id = org_id;
	v.patient_id = patient_id;
	v.subject_type = CARE_NOTE;
	v.subject_id = note_id;
	v.version = version;
	v.at_ms = at_ms;
	v.author_id = author_id;
	v.voice = voice;
	v.change = change;
	v.fields = fields;
	v.comment = comment;
	e = care_version_insert(db, &v);
	json_decref(fields);
	return e;
}

/* Stores the note's text after a create or an edit as `version`. */
static enum err
write_version(struct db *db, struct note_write *nw, int version,
	      const char *change)
{
	nw->new_version = version;
	return version_store(db, nw->org_id, nw->patient_id, nw->id, version,
			     nw->at_ms, nw->author_id, nw->voice, change,
			     nw->title ? nw->title : "", nw->body, NULL);
}

static enum err
paragraphs_store(struct db *db, const struct note_write *nw)
{
	size_t i;
	enum err e;

	for (i = 0; i < nw->nparagraphs; i++) {
		const struct note_paragraph *p = &nw->paragraphs[i];
		struct stmt *st = db_prepare(db, sql_insert_paragraph);

		if (!st)
			return ERR_DB;
		stmt_bind_int(st, 1, nw->id);
		stmt_bind_int(st, 2, p->position);
		stmt_bind_int(st, 3, nw->org_id);
		stmt_bind_str(st, 4, p->voice);
		stmt_bind_int(st, 5, p->author_id);
		stmt_bind_str(st, 6, p->body);
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
note_create(struct db *db, void *arg)
{
	struct note_write *nw = arg;
	const char *reason = nw->shared ? "" : nw->withheld_reason;
	struct problems ps = {0};
	struct stmt *st;
	enum err e;

	if (!nw->voice)
		return ERR_INVALID;
	if (nw->cowritten) {
		/* The patient read it at the visit: it is theirs to see. */
		if (!nw->patient_confirmed || !nw->shared)
			return ERR_INVALID;
		sharing_validate(nw->title, true, "", &ps);
		note_paragraphs_validate(nw->paragraphs, nw->nparagraphs,
					 &ps);
		if (!nw->body || !*nw->body)
			return ERR_INVALID;
	} else {
		if (nw->nparagraphs)
			return ERR_INVALID;
		note_validate(nw->title, nw->body, nw->shared, reason, &ps);
	}
	if (ps.n)
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, nw->id);
	stmt_bind_int(st, 2, nw->org_id);
	stmt_bind_int(st, 3, nw->patient_id);
	stmt_bind_int(st, 4, nw->author_id);
	stmt_bind_int(st, 5, nw->at_ms);
	stmt_bind_str(st, 6, nw->title ? nw->title : "");
	stmt_bind_str(st, 7, nw->body);
	stmt_bind_int(st, 8, nw->cowritten);
	stmt_bind_int(st, 9, nw->shared);
	stmt_bind_str(st, 10, reason ? reason : "");
	if ((e = stmt_exec(st)) != ERR_OK ||
	    (e = paragraphs_store(db, nw)) != ERR_OK)
		return e;
	return write_version(db, nw, 1, "create");
}

enum err
note_edit(struct db *db, void *arg)
{
	struct note_write *nw = arg;
	const char *reason = nw->shared ? "" : nw->withheld_reason;
	struct problems ps = {0};
	struct note_state s;
	struct stmt *st;
	enum err e;

	if (!nw->voice)
		return ERR_INVALID;
	if ((e = state_get(db, nw->patient_id, nw->id, &s)) != ERR_OK)
		return e;
	if (s.author_id != nw->author_id)
		return ERR_FORBIDDEN;
	if (s.cowritten)
		return ERR_INVALID;
	note_validate(nw->title, nw->body, nw->shared, reason, &ps);
	if (ps.n)
		return ERR_INVALID;
	if (s.version != nw->version)
		return ERR_CONFLICT;
	if (!(st = db_prepare(db, sql_update)))
		return ERR_DB;
	stmt_bind_int(st, 1, nw->id);
	stmt_bind_int(st, 2, nw->patient_id);
	stmt_bind_str(st, 3, nw->title ? nw->title : "");
	stmt_bind_str(st, 4, nw->body);
	stmt_bind_int(st, 5, nw->shared);
	stmt_bind_str(st, 6, reason ? reason : "");
	stmt_bind_int(st, 7, nw->at_ms);
	stmt_bind_int(st, 8, nw->version);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	return write_version(db, nw, nw->version + 1, "edit");
}

/* A text beside a note: only the patient's side writes one, and only on
 * a note shared with them. */
static enum err
beside_check(struct db *db, const struct note_beside *b)
{
	struct problems ps = {0};
	struct note_state s;
	enum err e;

	if (!is_voice(b->voice, "patient") && !is_voice(b->voice, "caregiver"))
		return ERR_FORBIDDEN;
	if ((e = state_get(db, b->patient_id, b->note_id, &s)) != ERR_OK)
		return e;
	if (!s.shared)
		return ERR_NOT_FOUND;
	note_text_validate("text", b->text, true, &ps);
	return ps.n ? ERR_INVALID : ERR_OK;
}

/* Stores a text beside a note with `sql`: a view keeps its voice ($6)
 * before the time and the text, a request does not. */
static enum err
beside_write(struct db *db, const struct note_beside *b, const char *sql,
	     bool with_voice)
{
	struct stmt *st;
	enum err e;
	int k = 6;

	if ((e = beside_check(db, b)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql)))
		return ERR_DB;
	stmt_bind_int(st, 1, b->id);
	stmt_bind_int(st, 2, b->org_id);
	stmt_bind_int(st, 3, b->patient_id);
	stmt_bind_int(st, 4, b->note_id);
	stmt_bind_int(st, 5, b->author_id);
	if (with_voice)
		stmt_bind_str(st, k++, b->voice);
	stmt_bind_int(st, k++, b->at_ms);
	stmt_bind_str(st, k, b->text);
	return stmt_exec(st);
}

enum err
note_view_add(struct db *db, void *arg)
{
	return beside_write(db, arg, sql_insert_view, true);
}

enum err
note_amend_request(struct db *db, void *arg)
{
	return beside_write(db, arg, sql_insert_amendment, false);
}

static void
read_open(struct stmt *st, struct arena *a, void *out)
{
	(void)a;
	*(bool *)out = is_voice(stmt_text(st, 0), "open");
}

static enum err
amendment_is_open(struct db *db, const struct note_answer *na)
{
	struct stmt *st = db_prepare(db, sql_amendment_state);
	bool open = false;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, na->amendment_id);
	stmt_bind_int(st, 2, na->note_id);
	stmt_bind_int(st, 3, na->patient_id);
	if ((e = stmt_get(st, NULL, read_open, &open)) != ERR_OK)
		return e;
	return open ? ERR_OK : ERR_CONFLICT;
}

/* Accepting: the corrected text becomes the note's next version; its
 * sharing stays as it is. */
static enum err
correct_note(struct db *db, struct note_answer *na,
	     const struct note_state *s)
{
	struct stmt *st;
	enum err e;

	if (s->version != na->version)
		return ERR_CONFLICT;
	if (!(st = db_prepare(db, sql_correct)))
		return ERR_DB;
	stmt_bind_int(st, 1, na->note_id);
	stmt_bind_int(st, 2, na->patient_id);
	stmt_bind_str(st, 3, na->title);	/* NULL keeps the title */
	stmt_bind_str(st, 4, na->body);
	stmt_bind_int(st, 5, na->at_ms);
	stmt_bind_int(st, 6, na->version);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	na->new_version = na->version + 1;
	return ERR_OK;
}

static void
read_title(struct stmt *st, struct arena *a, void *out)
{
	*(char **)out = stmt_text_dup(st, 0, a);
}

/* The note's title after a correction, for its version row. */
static enum err
title_get(struct db *db, int64_t note_id, struct arena *a, char **out)
{
	struct stmt *st = db_prepare(db, sql_title);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, note_id);
	if ((e = stmt_get(st, a, read_title, out)) != ERR_OK)
		return e;
	return *out ? ERR_OK : ERR_NOMEM;
}

enum err
note_amend_answer(struct db *db, void *arg)
{
	struct note_answer *na = arg;
	struct problems ps = {0};
	struct note_state s;
	struct arena *a;
	struct stmt *st;
	char *title = NULL, *comment;
	enum err e;

	if ((e = state_get(db, na->patient_id, na->note_id, &s)) != ERR_OK)
		return e;
	if (s.author_id != na->answered_by)
		return ERR_FORBIDDEN;
	if ((e = amendment_is_open(db, na)) != ERR_OK)
		return e;
	if (!na->voice)
		return ERR_INVALID;
	note_text_validate("answer", na->answer, !na->accept, &ps);
	if (na->accept)
		note_validate(na->title, na->body, true, "", &ps);
	if (ps.n)
		return ERR_INVALID;
	if (na->accept && (e = correct_note(db, na, &s)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_amendment_answer)))
		return ERR_DB;
	stmt_bind_int(st, 1, na->amendment_id);
	stmt_bind_int(st, 2, na->note_id);
	stmt_bind_str(st, 3, na->accept ? "accepted" : "explained");
	stmt_bind_int(st, 4, na->answered_by);
	stmt_bind_int(st, 5, na->at_ms);
	stmt_bind_str(st, 6, na->answer ? na->answer : "");
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	if (!na->accept)
		return ERR_OK;
	/* A small arena of its own: this runs on the writer thread. */
	if (!(a = arena_new(CARE_SHORT_MAX * 4 + 256)))
		return ERR_NOMEM;
	comment = arena_printf(a, "amendment:%lld",
			       (long long)na->amendment_id);
	e = comment ? title_get(db, na->note_id, a, &title) : ERR_NOMEM;
	if (e == ERR_OK)
		e = version_store(db, na->org_id, na->patient_id, na->note_id,
				  na->new_version, na->at_ms, na->answered_by,
				  na->voice, "correct", title, na->body,
				  comment);
	arena_free(a);
	return e;
}

/* --- reading -------------------------------------------------------------- */

static void
read_note(struct stmt *st, struct arena *a, void *out)
{
	struct note *n = out;

	memset(n, 0, sizeof(*n));
	n->id = stmt_int(st, 0);
	n->org_id = stmt_int(st, 1);
	n->patient_id = stmt_int(st, 2);
	n->author_id = stmt_int(st, 3);
	n->author_name = stmt_text_dup(st, 4, a);
	n->written_ms = stmt_int(st, 5);
	n->updated_ms = stmt_int(st, 6);
	n->title = stmt_text_dup(st, 7, a);
	n->body = stmt_text_dup(st, 8, a);
	n->cowritten = stmt_int(st, 9) != 0;
	n->shared = stmt_int(st, 10) != 0;
	n->withheld_reason = stmt_text_dup(st, 11, a);
	n->version = (int)stmt_int(st, 12);
	n->views = (int)stmt_int(st, 13);
	n->open_requests = (int)stmt_int(st, 14);
}

enum err
note_list(struct db *db, struct arena *a, int64_t patient_id,
	  bool with_withheld, size_t max, struct note **out, size_t *count)
{
	struct stmt *st = db_prepare(db, with_withheld ? sql_list_all
						       : sql_list_shared);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_note, out, count);
}

enum err
note_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	 bool with_withheld, struct note *out)
{
	return row_get(db, a, with_withheld ? sql_get_all : sql_get_shared, id,
		       patient_id, read_note, out);
}

enum err
note_sharing_get(struct db *db, int64_t patient_id, int64_t id, bool *shared)
{
	struct note_state s;
	enum err e = state_get(db, patient_id, id, &s);

	if (e == ERR_OK)
		*shared = s.shared;
	return e;
}

static void
read_patient(struct stmt *st, struct arena *a, void *out)
{
	(void)a;
	*(int64_t *)out = stmt_int(st, 0);
}

enum err
note_patient(struct db *db, int64_t id, int64_t *patient_id)
{
	struct stmt *st = db_prepare(db, sql_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, NULL, read_patient, patient_id);
}

static void
bind_search(struct stmt *st, const struct note_query *q)
{
	stmt_bind_int(st, 1, q->patient_id);
	stmt_bind_int(st, 2, q->from_ms);
	stmt_bind_int(st, 3, q->to_ms);
	stmt_bind_int(st, 4, q->changed_from_ms);
	stmt_bind_int(st, 5, q->changed_to_ms);
}

enum err
note_search(struct db *db, struct arena *a, const struct note_query *q,
	    struct note **out, size_t *count)
{
	struct stmt *st =
		db_prepare(db, sql_search[q->with_withheld][q->oldest_first]);
	size_t max = q->limit > NOTE_LIST_MAX + 1 ? NOTE_LIST_MAX + 1
						  : q->limit;

	if (!st)
		return ERR_DB;
	bind_search(st, q);
	if (q->has_after) {
		stmt_bind_int(st, 6, q->after_ms);
		stmt_bind_int(st, 7, q->after_id);
	} else {
		/* Before the first note of either order. */
		stmt_bind_int(st, 6, q->oldest_first ? INT64_MIN : INT64_MAX);
		stmt_bind_int(st, 7, 0);
	}
	stmt_bind_int(st, 8, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_note, out, count);
}

enum err
note_search_count(struct db *db, const struct note_query *q, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_search_count[q->with_withheld]);

	if (!st)
		return ERR_DB;
	bind_search(st, q);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

static void
read_paragraph(struct stmt *st, struct arena *a, void *out)
{
	struct note_paragraph *p = out;

	p->position = (int)stmt_int(st, 0);
	p->voice = stmt_text_dup(st, 1, a);
	p->author_id = stmt_int(st, 2);
	p->body = stmt_text_dup(st, 3, a);
}

enum err
note_paragraph_list(struct db *db, struct arena *a, int64_t note_id,
		    struct note_paragraph **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_paragraphs);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, note_id);
	return stmt_list(st, a, sizeof(**out), NOTE_PARAGRAPHS_MAX,
			 read_paragraph, out, count);
}

/* What is written beside note `note_id` ($1), oldest first, at most
 * NOTE_THREAD_MAX ($2): rows of `sql` read by `read`. */
static enum err
thread_list(struct db *db, struct arena *a, const char *sql, int64_t note_id,
	    size_t size, void (*read)(struct stmt *, struct arena *, void *),
	    void *out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, note_id);
	stmt_bind_int(st, 2, NOTE_THREAD_MAX);
	return stmt_list(st, a, size, NOTE_THREAD_MAX, read, out, count);
}

static void
read_view(struct stmt *st, struct arena *a, void *out)
{
	struct note_view *v = out;

	v->id = stmt_int(st, 0);
	v->note_id = stmt_int(st, 1);
	v->author_id = stmt_int(st, 2);
	v->author_name = stmt_text_dup(st, 3, a);
	v->voice = stmt_text_dup(st, 4, a);
	v->at_ms = stmt_int(st, 5);
	v->body = stmt_text_dup(st, 6, a);
}

enum err
note_view_list(struct db *db, struct arena *a, int64_t note_id,
	       struct note_view **out, size_t *count)
{
	return thread_list(db, a, sql_views, note_id, sizeof(**out), read_view,
			   out, count);
}

static void
read_amendment(struct stmt *st, struct arena *a, void *out)
{
	struct note_amendment *m = out;

	m->id = stmt_int(st, 0);
	m->note_id = stmt_int(st, 1);
	m->requested_by = stmt_int(st, 2);
	m->requested_by_name = stmt_text_dup(st, 3, a);
	m->requested_ms = stmt_int(st, 4);
	m->request = stmt_text_dup(st, 5, a);
	m->status = stmt_text_dup(st, 6, a);
	m->answered_by = stmt_int(st, 7);
	m->answered_by_name = stmt_text_dup(st, 8, a);
	m->answered_ms = stmt_int(st, 9);
	m->answer = stmt_text_dup(st, 10, a);
}

enum err
note_amendment_list(struct db *db, struct arena *a, int64_t note_id,
		    struct note_amendment **out, size_t *count)
{
	return thread_list(db, a, sql_amendments, note_id, sizeof(**out),
			   read_amendment, out, count);
}

enum err
note_amendment_get(struct db *db, struct arena *a, int64_t note_id,
		   int64_t id, struct note_amendment *out)
{
	return row_get(db, a, sql_amendment_get, note_id, id, read_amendment,
		       out);
}

/*
 * Per-patient documents of text parts with versions (see document.h):
 * reading one, checking its texts and writing a change with its version
 * row, for any kind, from the kind's parts and statements.
 */
#include "care/document.h"

#include <string.h>

#include "care/care.h"
#include "care/version.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

/* Columns of sql_get before the kind's own: org_id ... voice. */
#define GET_COMMON_COLS 6

struct row {
	const struct document_kind *k;
	struct document *doc;
	const char **text;
	int64_t *extra;
};

static void
read_row(struct stmt *st, struct arena *a, void *out)
{
	struct row *r = out;
	int col = GET_COMMON_COLS;
	size_t i;

	r->doc->org_id = stmt_int(st, 0);
	r->doc->version = (int)stmt_int(st, 1);
	r->doc->updated_ms = stmt_int(st, 2);
	r->doc->updated_by = stmt_int(st, 3);
	r->doc->updated_by_name = stmt_text_dup(st, 4, a);
	r->doc->voice = stmt_text_dup(st, 5, a);
	for (i = 0; i < r->k->nextra; i++)
		r->extra[i] = stmt_int(st, col++);
	for (i = 0; i < r->k->nparts; i++)
		r->text[i] = stmt_text_dup(st, col++, a);
}

enum err
document_get(struct db *db, struct arena *a, const struct document_kind *k,
	     int64_t patient_id, struct document *out, const char **text,
	     int64_t *extra)
{
	int64_t own[DOCUMENT_EXTRA_MAX];
	struct row r = {k, out, text, extra ? extra : own};
	struct stmt *st = db_prepare(db, k->sql_get);
	enum err e;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->patient_id = patient_id;
	for (i = 0; i < k->nparts; i++)
		text[i] = NULL;
	for (i = 0; i < k->nextra; i++)
		r.extra[i] = 0;
	if (!st)
		e = ERR_DB;
	else {
		stmt_bind_int(st, 1, patient_id);
		e = stmt_get(st, a, read_row, &r);
	}
	if (e == ERR_NOT_FOUND) {
		out->version = 0;
		e = ERR_OK;
	}
	for (i = 0; i < k->nparts; i++)
		if (!text[i])
			text[i] = "";
	if (!out->voice)
		out->voice = "";
	if (!out->updated_by_name)
		out->updated_by_name = "";
	return e;
}

bool
document_validate(const struct document_kind *k, const char *const *text,
		  struct problems *out)
{
	size_t before = out->n, i;

	for (i = 0; i < k->nparts; i++) {
		const char *t = text[i] ? text[i] : "";
		const char *key = k->parts[i].key;

		/* Forms are valid UTF-8 already; other callers may not be. */
		if (!utf8_valid(t, strlen(t)))
			problems_add(out, key,
				     N_("Remove the special characters "
					"from this text."));
		else
			care_text_ok(out, key, t, CARE_LONG_MAX);
	}
	return out->n == before;
}

enum err
document_state(struct db *db, const struct document_kind *k,
	       int64_t patient_id, int *version, int64_t *extra)
{
	struct stmt *st = db_prepare(db, k->sql_state);
	size_t i;

	*version = 0;
	for (i = 0; i < k->nextra; i++)
		extra[i] = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st)) {
		*version = (int)stmt_int(st, 0);
		for (i = 0; i < k->nextra; i++)
			extra[i] = stmt_int(st, 1 + (int)i);
	}
	return stmt_done(st);
}

/* The fields of one version; NULL when out of memory. */
static json_t *
fields_new(const struct document_kind *k, const char *const *text, bool flag)
{
	json_t *fields = json_object();
	size_t i;

	if (!fields)
		return NULL;
	for (i = 0; i < k->nparts; i++)
		json_object_set_new(fields, k->parts[i].key,
				    json_string(text[i] ? text[i] : ""));
	if (k->flag)
		json_object_set_new(fields, k->flag, json_boolean(flag));
	return fields;
}

enum err
document_version_insert(struct db *db, const struct document_kind *k,
			const struct document_change *c, const char *change,
			json_t *fields)
{
	struct care_version_new v = {
		.org_id = c->org_id,
		.patient_id = c->patient_id,
		.subject_type = k->subject,
		.subject_id = c->patient_id,
		.version = c->new_version,
		.at_ms = c->at_ms,
		.author_id = c->author_id,
		.voice = c->voice,
		.change = change,
		.fields = fields,
	};
	enum err e;

	if (!fields)
		return ERR_NOMEM;
	e = care_version_insert(db, &v);
	json_decref(fields);
	return e;
}

enum err
document_write(struct db *db, const struct document_kind *k,
	       struct document_change *c)
{
	int64_t extra[DOCUMENT_EXTRA_MAX];
	struct problems ps = {0};
	struct stmt *st;
	int stored, col = 7;
	size_t i;
	enum err e;

	if (!document_validate(k, c->text, &ps) || !c->voice)
		return ERR_INVALID;
	if ((e = document_state(db, k, c->patient_id, &stored, extra)) !=
	    ERR_OK)
		return e;
	if (stored != c->version)
		return ERR_CONFLICT;
	c->new_version = stored + 1;
	st = db_prepare(db, stored == 0 ? k->sql_insert : k->sql_update);
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_int(st, 3, c->new_version);
	stmt_bind_int(st, 4, c->at_ms);
	stmt_bind_int(st, 5, c->author_id);
	stmt_bind_str(st, 6, c->voice);
	for (i = 0; i < k->nextra; i++)
		stmt_bind_int(st, col++, c->extra[i]);
	for (i = 0; i < k->nparts; i++)
		stmt_bind_str(st, col++, c->text[i] ? c->text[i] : "");
	if (stored == 0) {
		e = stmt_exec(st);
		/* Another first save won the race: the same as a stale form. */
		if (e == ERR_EXISTS)
			e = ERR_CONFLICT;
	} else {
		stmt_bind_int(st, col, stored);
		e = stmt_exec_one(st);
		if (e == ERR_NOT_FOUND)
			e = ERR_CONFLICT;
	}
	if (e != ERR_OK)
		return e;
	return document_version_insert(db, k, c, stored == 0 ? "create"
							    : "edit",
				       fields_new(k, c->text, c->flag));
}

enum err
document_fields_get(struct db *db, const struct document_kind *k,
		    int64_t patient_id, bool flag, json_t **out)
{
	const char *text[DOCUMENT_PARTS_MAX];
	struct stmt *st = db_prepare(db, k->sql_get);
	size_t i;
	enum err e;

	*out = NULL;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (!stmt_row(st)) {
		stmt_done(st);
		return ERR_DB;
	}
	for (i = 0; i < k->nparts; i++)
		text[i] = stmt_text(st, GET_COMMON_COLS + (int)(k->nextra + i));
	/* The JSON copies the words before the statement lets them go. */
	*out = fields_new(k, text, flag);
	if ((e = stmt_done(st)) != ERR_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

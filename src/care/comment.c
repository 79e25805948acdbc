/*
 * Comments on parts of the care record (see comment.h).
 */
#include "care/comment.h"

#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define COMMENTS_MAX 500

static const char sql_insert[] =
	"INSERT INTO care_comment (id, org_id, patient_id, subject_type, "
	"subject_id, at_ms, author_id, voice, body) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char sql_list[] =
	"SELECT c.id, c.org_id, c.patient_id, c.subject_type, c.subject_id, "
	"c.at_ms, c.author_id, COALESCE(a.display_name, ''), c.voice, c.body "
	"FROM care_comment c LEFT JOIN account a ON a.id = c.author_id "
	"WHERE c.subject_type = $1 AND c.subject_id = $2 "
	"ORDER BY c.at_ms, c.id";

static void
read_comment(struct stmt *st, struct arena *a, void *out)
{
	struct care_comment *c = out;

	c->id = stmt_int(st, 0);
	c->org_id = stmt_int(st, 1);
	c->patient_id = stmt_int(st, 2);
	c->subject_type = stmt_text_dup(st, 3, a);
	c->subject_id = stmt_int(st, 4);
	c->at_ms = stmt_int(st, 5);
	c->author_id = stmt_int(st, 6);
	c->author_name = stmt_text_dup(st, 7, a);
	c->voice = stmt_text_dup(st, 8, a);
	c->body = stmt_text_dup(st, 9, a);
}

enum err
care_comment_write(struct db *db, void *arg)
{
	struct care_comment *c = arg;
	struct stmt *st = db_prepare(db, sql_insert);

	if (!st)
		return ERR_DB;
	c->id = id_new();
	stmt_bind_int(st, 1, c->id);
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_int(st, 3, c->patient_id);
	stmt_bind_str(st, 4, c->subject_type);
	stmt_bind_int(st, 5, c->subject_id);
	stmt_bind_int(st, 6, c->at_ms);
	stmt_bind_int(st, 7, c->author_id);
	stmt_bind_str(st, 8, c->voice);
	stmt_bind_str(st, 9, c->body);
	return stmt_exec(st);
}

enum err
care_comment_list(struct db *db, struct arena *a, const char *subject_type,
		  int64_t subject_id, struct care_comment **out,
		  size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, subject_type);
	stmt_bind_int(st, 2, subject_id);
	return stmt_list(st, a, sizeof(**out), COMMENTS_MAX, read_comment,
			 out, count);
}

/*
 * Stored versions of care-record parts (see version.h).
 */
#include "care/version.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define VERSIONS_MAX 1000

static const char sql_insert[] =
	"INSERT INTO care_version (id, org_id, patient_id, subject_type, "
	"subject_id, version, plan_version, at_ms, author_id, voice, change, "
	"fields, comment) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

#define SELECT_VERSION                                                     \
	"SELECT v.id, v.subject_type, v.subject_id, v.version, "           \
	"v.plan_version, v.at_ms, v.author_id, "                           \
	"COALESCE(a.display_name, ''), v.voice, v.change, v.fields, "      \
	"v.comment FROM care_version v "                                   \
	"LEFT JOIN account a ON a.id = v.author_id "

static const char sql_list[] = SELECT_VERSION
	"WHERE v.subject_type = $1 AND v.subject_id = $2 "
	"ORDER BY v.version DESC, v.at_ms DESC";
static const char sql_get[] = SELECT_VERSION
	"WHERE v.subject_type = $1 AND v.subject_id = $2 AND v.version = $3 "
	"ORDER BY v.at_ms DESC";

static void
read_version(struct stmt *st, struct arena *a, void *out)
{
	struct care_version *v = out;

	v->id = stmt_int(st, 0);
	v->subject_type = stmt_text_dup(st, 1, a);
	v->subject_id = stmt_int(st, 2);
	v->version = (int)stmt_int(st, 3);
	v->plan_version = (int)stmt_int(st, 4);
	v->at_ms = stmt_int(st, 5);
	v->author_id = stmt_int(st, 6);
	v->author_name = stmt_text_dup(st, 7, a);
	v->voice = stmt_text_dup(st, 8, a);
	v->change = stmt_text_dup(st, 9, a);
	v->fields = stmt_text_dup(st, 10, a);
	v->comment = stmt_text_dup(st, 11, a);
}

enum err
care_version_insert(struct db *db, const struct care_version_new *v)
{
	struct stmt *st = db_prepare(db, sql_insert);
	char *fields = json_dumps(v->fields, JSON_COMPACT | JSON_SORT_KEYS);
	enum err e;

	if (!fields)
		return ERR_NOMEM;
	if (!st) {
		free(fields);
		return ERR_DB;
	}
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, v->org_id);
	stmt_bind_int(st, 3, v->patient_id);
	stmt_bind_str(st, 4, v->subject_type);
	stmt_bind_int(st, 5, v->subject_id);
	stmt_bind_int(st, 6, v->version);
	stmt_bind_int(st, 7, v->plan_version);
	stmt_bind_int(st, 8, v->at_ms);
	stmt_bind_int(st, 9, v->author_id);
	stmt_bind_str(st, 10, v->voice);
	stmt_bind_str(st, 11, v->change);
	stmt_bind_str(st, 12, fields);
	stmt_bind_str(st, 13, v->comment ? v->comment : "");
	e = stmt_exec(st);
	free(fields);
	return e;
}

enum err
care_version_list(struct db *db, struct arena *a, const char *subject_type,
		  int64_t subject_id, struct care_version **out,
		  size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, subject_type);
	stmt_bind_int(st, 2, subject_id);
	return stmt_list(st, a, sizeof(**out), VERSIONS_MAX, read_version,
			 out, count);
}

enum err
care_version_get(struct db *db, struct arena *a, const char *subject_type,
		 int64_t subject_id, int version, struct care_version *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, subject_type);
	stmt_bind_int(st, 2, subject_id);
	stmt_bind_int(st, 3, version);
	return stmt_get(st, a, read_version, out);
}

const char *
care_version_field(struct arena *a, const char *fields_json, const char *key)
{
	json_t *o = json_loads(fields_json ? fields_json : "{}", 0, NULL);
	const char *v = o ? json_string_value(json_object_get(o, key)) : NULL;
	char *copy = arena_strdup(a, v ? v : "");

	json_decref(o);
	return copy ? copy : "";
}

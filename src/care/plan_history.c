/*
 * The plan's reviews and history (see plan.h): who reviewed it with
 * whom, each change in order, and the plan as it stood at any version.
 */
#include "care/plan.h"

#include <string.h>

#include "care/version.h"
#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define REVIEWS_MAX 100
#define VERSIONS_MAX 20000

static const char sql_last_review[] =
	"SELECT COALESCE(MAX(to_version), 0) FROM plan_review "
	"WHERE patient_id = $1";
static const char sql_review_insert[] =
	"INSERT INTO plan_review (id, org_id, patient_id, at_ms, recorded_by, "
	"participants, patient_took_part, professional_took_part, summary, "
	"from_version, to_version) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
static const char sql_review_list[] =
	"SELECT r.id, r.org_id, r.patient_id, r.at_ms, r.recorded_by, "
	"COALESCE(a.display_name, ''), r.participants, r.patient_took_part, "
	"r.professional_took_part, r.summary, r.from_version, r.to_version "
	"FROM plan_review r LEFT JOIN account a ON a.id = r.recorded_by "
	"WHERE r.patient_id = $1 ORDER BY r.at_ms DESC, r.id";
static const char sql_review_count[] =
	"SELECT count(*) FROM plan_review WHERE patient_id = $1";
static const char sql_history[] =
	"SELECT v.plan_version, v.at_ms, COALESCE(a.display_name, ''), "
	"v.voice, v.change, v.subject_type, v.subject_id, v.fields, "
	"v.comment FROM care_version v "
	"LEFT JOIN account a ON a.id = v.author_id "
	"WHERE v.patient_id = $1 AND v.subject_type IN ('goal', 'action') "
	"ORDER BY v.plan_version DESC, v.at_ms DESC LIMIT $2";
/* Each item's versions up to plan version $2, oldest first. */
static const char sql_upto[] =
	"SELECT subject_id, subject_type, change, fields, plan_version "
	"FROM care_version WHERE patient_id = $1 "
	"AND subject_type IN ('goal', 'action') AND plan_version <= $2 "
	"ORDER BY plan_version, at_ms";

static void
read_review(struct stmt *st, struct arena *a, void *out)
{
	struct plan_review *r = out;

	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->patient_id = stmt_int(st, 2);
	r->at_ms = stmt_int(st, 3);
	r->recorded_by = stmt_int(st, 4);
	r->recorded_by_name = stmt_text_dup(st, 5, a);
	r->participants = stmt_text_dup(st, 6, a);
	r->patient_took_part = stmt_int(st, 7) != 0;
	r->professional_took_part = stmt_int(st, 8) != 0;
	r->summary = stmt_text_dup(st, 9, a);
	r->from_version = (int)stmt_int(st, 10);
	r->to_version = (int)stmt_int(st, 11);
}

enum err
plan_review_write(struct db *db, void *arg)
{
	struct plan_review *r = arg;
	struct stmt *st = db_prepare(db, sql_last_review);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, r->patient_id);
	r->from_version = stmt_row(st) ? (int)stmt_int(st, 0) : 0;
	if ((e = stmt_done(st)) != ERR_OK ||
	    (e = plan_version(db, r->patient_id, &r->to_version)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_review_insert)))
		return ERR_DB;
	r->id = id_new();
	stmt_bind_int(st, 1, r->id);
	stmt_bind_int(st, 2, r->org_id);
	stmt_bind_int(st, 3, r->patient_id);
	stmt_bind_int(st, 4, r->at_ms);
	stmt_bind_int(st, 5, r->recorded_by);
	stmt_bind_str(st, 6, r->participants);
	stmt_bind_int(st, 7, r->patient_took_part);
	stmt_bind_int(st, 8, r->professional_took_part);
	stmt_bind_str(st, 9, r->summary ? r->summary : "");
	stmt_bind_int(st, 10, r->from_version);
	stmt_bind_int(st, 11, r->to_version);
	return stmt_exec(st);
}

enum err
plan_review_list(struct db *db, struct arena *a, int64_t patient_id,
		 struct plan_review **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_review_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_list(st, a, sizeof(**out), REVIEWS_MAX, read_review, out,
			 count);
}

enum err
plan_review_count(struct db *db, int64_t patient_id, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_review_count);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

static void
read_step(struct stmt *st, struct arena *a, void *out)
{
	struct plan_step *s = out;

	s->plan_version = (int)stmt_int(st, 0);
	s->at_ms = stmt_int(st, 1);
	s->author_name = stmt_text_dup(st, 2, a);
	s->voice = stmt_text_dup(st, 3, a);
	s->change = stmt_text_dup(st, 4, a);
	s->kind = stmt_text_dup(st, 5, a);
	s->item_id = stmt_int(st, 6);
	s->text = care_version_field(a, stmt_text(st, 7), "text");
	s->comment = stmt_text_dup(st, 8, a);
}

enum err
plan_history(struct db *db, struct arena *a, int64_t patient_id, size_t max,
	     struct plan_step **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_history);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_step, out, count);
}

struct version_row {
	int64_t item_id;
	const char *kind;
	bool removed;
	const char *fields;
	int plan_version;
};

static void
read_version_row(struct stmt *st, struct arena *a, void *out)
{
	struct version_row *r = out;

	r->item_id = stmt_int(st, 0);
	r->kind = stmt_text_dup(st, 1, a);
	r->removed = !strcmp(stmt_text(st, 2), "remove");
	r->fields = stmt_text_dup(st, 3, a);
	r->plan_version = (int)stmt_int(st, 4);
}

/* Index of `id` among the first `n` items, or n. */
static size_t
find_item(const struct plan_snapshot_item *s, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].item_id == id)
			break;
	return i;
}

enum err
plan_compare(struct db *db, struct arena *a, int64_t patient_id, int from,
	     int to, struct plan_snapshot_item **before,
	     struct plan_snapshot_item **after, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_upto);
	struct plan_snapshot_item *b, *f;
	struct version_row *rows;
	size_t n, i, k = 0, j;
	int hi = from > to ? from : to;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, hi);
	if ((e = stmt_list(st, a, sizeof(*rows), VERSIONS_MAX,
			   read_version_row, &rows, &n)) != ERR_OK)
		return e;
	b = arena_calloc(a, n ? n : 1, sizeof(*b));
	f = arena_calloc(a, n ? n : 1, sizeof(*f));
	if (!b || !f)
		return ERR_NOMEM;
	/* Rows are oldest first: the last one at or before each version
	 * is how the item stood then. */
	for (i = 0; i < n; i++) {
		j = find_item(b, k, rows[i].item_id);
		if (j == k) {
			b[k].item_id = f[k].item_id = rows[i].item_id;
			b[k].kind = f[k].kind = rows[i].kind;
			k++;
		}
		if (rows[i].plan_version <= from)
			b[j].fields = rows[i].removed ? NULL : rows[i].fields;
		if (rows[i].plan_version <= to)
			f[j].fields = rows[i].removed ? NULL : rows[i].fields;
	}
	*before = b;
	*after = f;
	*count = k;
	return ERR_OK;
}

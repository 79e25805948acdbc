/*
 * Stored home readings (see reading_store.h): the checks before storing,
 * one reading or a file's worth in one write with the care team's alerts
 * for those outside the agreed target, and reading them back.
 */
#include "measures/reading_store.h"

#include <math.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/id.h"
#include "measures/alert.h"
#include "measures/measure_version.h"
#include "measures/target.h"
#include "measures/target_store.h"
#include "store/store.h"
#include "core/banned.h"

/* 1900-01-01T00:00:00Z in milliseconds: nothing is measured before. */
#define READING_EARLIEST_MS (-2208988800000LL)

static const char sql_insert[] =
	"INSERT INTO reading (id, org_id, patient_id, kind, at_ms, "
	"value_milli, value2_milli, source, entered_by, entered_ms) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
	"ON CONFLICT (patient_id, kind, at_ms, value_milli, value2_milli) "
	"DO NOTHING";

#define SELECT_READING                                                     \
	"SELECT r.id, r.org_id, r.patient_id, r.kind, r.at_ms, "           \
	"r.value_milli, r.value2_milli, r.source, r.entered_by, "          \
	"COALESCE(a.display_name, ''), r.entered_ms FROM reading r "       \
	"LEFT JOIN account a ON a.id = r.entered_by "

static const char sql_same[] = SELECT_READING
	"WHERE r.patient_id = $1 AND r.kind = $2 AND r.at_ms = $3 "
	"AND r.value_milli = $4 AND r.value2_milli = $5";
static const char sql_get[] = SELECT_READING
	"WHERE r.id = $1 AND r.patient_id = $2";
static const char sql_by_id[] = SELECT_READING "WHERE r.id = $1";
/* A page of a patient's readings after the last one shown ($6, $7:
 * time and id), so that pages stay right while readings are added;
 * $5: stored since (an export's _since). */
#define SEARCH_WHERE                                                       \
	"WHERE r.patient_id = $1 AND ($2 = '' OR r.kind = $2) "            \
	"AND r.at_ms >= $3 AND r.at_ms < $4 AND r.entered_ms >= $5 "
static const char sql_search_desc[] = SELECT_READING SEARCH_WHERE
	"AND (r.at_ms < $6 OR (r.at_ms = $6 AND r.id < $7)) "
	"ORDER BY r.at_ms DESC, r.id DESC LIMIT $8";
static const char sql_search_asc[] = SELECT_READING SEARCH_WHERE
	"AND (r.at_ms > $6 OR (r.at_ms = $6 AND r.id > $7)) "
	"ORDER BY r.at_ms, r.id LIMIT $8";
static const char sql_search_count[] =
	"SELECT count(*) FROM reading r " SEARCH_WHERE;
static const char sql_list[] = SELECT_READING
	"WHERE r.patient_id = $1 AND r.kind = $2 "
	"ORDER BY r.at_ms DESC, r.id DESC LIMIT $3";
static const char sql_count[] =
	"SELECT count(*) FROM reading WHERE patient_id = $1 AND kind = $2";
/* Newest first, so that a cap keeps the latest; reversed in C. */
static const char sql_series[] =
	"SELECT at_ms, value_milli, value2_milli FROM reading "
	"WHERE patient_id = $1 AND kind = $2 AND at_ms >= $3 AND at_ms <= $4 "
	"ORDER BY at_ms DESC, value_milli DESC, value2_milli DESC LIMIT $5";

/* --- values --------------------------------------------------------------- */

int64_t
reading_milli(double x)
{
	return (int64_t)llround(x * 1000.0);
}

/* Beyond any value a reading kind allows, and far inside int64_t. */
#define MILLI_LIMIT 1e15

bool
reading_to_milli(const struct reading_value *v, int64_t *value_milli,
		 int64_t *value2_milli)
{
	double a = v->v[0] * 1000.0, b = v->v[1] * 1000.0;

	if (!isfinite(a) || !isfinite(b) || fabs(a) > MILLI_LIMIT ||
	    fabs(b) > MILLI_LIMIT)
		return false;
	*value_milli = reading_milli(v->v[0]);
	*value2_milli = reading_def(v->kind)->n_parts > 1
				? reading_milli(v->v[1])
				: 0;
	return true;
}

struct reading_value
reading_from_milli(enum reading_kind k, int64_t value_milli,
		   int64_t value2_milli)
{
	struct reading_value v;

	memset(&v, 0, sizeof(v));
	v.kind = k;
	v.v[0] = (double)value_milli / 1000.0;
	v.v[1] = (double)value2_milli / 1000.0;
	return v;
}

/* The kind whose key is exactly `key`, or NULL. */
static const struct reading_def *
kind_of(const char *key)
{
	const struct reading_def *d;

	if (!key || !*key)
		return NULL;
	d = reading_find(str_c(key));
	return d && !strcmp(d->key, key) ? d : NULL;
}

bool
reading_is_storable(const struct reading *r, int64_t now_ms)
{
	const struct reading_def *d = kind_of(r->kind);
	struct reading_value v;

	if (!d || r->patient_id <= 0 || r->at_ms < READING_EARLIEST_MS ||
	    r->at_ms > now_ms + READING_FUTURE_GRACE_MS ||
	    (d->n_parts < 2 && r->value2_milli != 0) ||
	    r->value_milli > (int64_t)MILLI_LIMIT ||
	    r->value_milli < -(int64_t)MILLI_LIMIT ||
	    r->value2_milli > (int64_t)MILLI_LIMIT ||
	    r->value2_milli < -(int64_t)MILLI_LIMIT)
		return false;
	v = reading_from_milli(d->kind, r->value_milli, r->value2_milli);
	return reading_check(&v, NULL);
}

/* --- storing -------------------------------------------------------------- */

/* Inserts `r` unless the same reading is there: `*inserted` says which. */
static enum err
insert(struct db *db, const struct reading *r, bool *inserted)
{
	struct stmt *st = db_prepare(db, sql_insert);
	enum err e;

	*inserted = false;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, r->id ? r->id : id_new());
	stmt_bind_int(st, 2, r->org_id);
	stmt_bind_int(st, 3, r->patient_id);
	stmt_bind_str(st, 4, r->kind);
	stmt_bind_int(st, 5, r->at_ms);
	stmt_bind_int(st, 6, r->value_milli);
	stmt_bind_int(st, 7, r->value2_milli);
	stmt_bind_str(st, 8, r->source ? r->source : "web");
	stmt_bind_int(st, 9, r->entered_by);
	stmt_bind_int(st, 10, r->entered_ms);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	*inserted = stmt_changes(st) > 0;
	return ERR_OK;
}

/* The patient's target ranges per kind, read once per write. */
struct targets_seen {
	bool loaded[READING__MAX];
	bool found[READING__MAX];
	struct target_range ranges[READING__MAX][READING_PARTS_MAX];
};

/* "162/95 mmHg": the value in the storage unit, for an alert. */
static const char *
value_text(struct arena *a, const struct reading_value *v)
{
	struct buf b;

	buf_init(&b, a, 64);
	if (!reading_format(&b, v, NULL, READING_FMT_UNIT))
		return "";
	return b.p;
}

/*
 * Checks stored reading `r` against the patient's target and raises the
 * alert when it is outside: `*outside`, `*alerted` say what happened.
 * `text` is the value as people read it, NULL to format it here.
 */
static enum err
check_target(struct db *db, struct targets_seen *seen,
	     const struct reading *r, const char *text, int64_t now_ms,
	     bool *outside, bool *alerted)
{
	const struct reading_def *d = kind_of(r->kind);
	struct reading_value v;
	struct alert_event ev;
	struct arena *a;
	enum err e;

	*outside = false;
	*alerted = false;
	if (!d)
		return ERR_INVALID;
	if (!seen->loaded[d->kind]) {
		if ((e = target_ranges_get(db, r->patient_id, d->key,
					   seen->ranges[d->kind],
					   &seen->found[d->kind])) != ERR_OK)
			return e;
		seen->loaded[d->kind] = true;
	}
	v = reading_from_milli(d->kind, r->value_milli, r->value2_milli);
	if (!seen->found[d->kind] ||
	    !target_check_reading(seen->ranges[d->kind], &v, NULL))
		return ERR_OK;
	*outside = true;
	if (!(a = arena_new(4096)))
		return ERR_NOMEM;
	memset(&ev, 0, sizeof(ev));
	ev.org_id = r->org_id;
	ev.patient_id = r->patient_id;
	ev.measure = d->key;
	ev.kind = "reading";
	ev.label = d->label;
	ev.value_text = text && *text ? text : value_text(a, &v);
	ev.at_ms = r->at_ms;
	e = alert_raise_at(db, &ev, now_ms, alerted);
	arena_free(a);
	return e;
}

enum err
reading_add(struct db *db, void *arg)
{
	struct reading_add_job *j = arg;
	struct targets_seen seen;
	bool inserted;
	enum err e;

	j->outside = false;
	j->alerted = false;
	if (!reading_is_storable(&j->r, j->r.entered_ms))
		return ERR_INVALID;
	if ((e = insert(db, &j->r, &inserted)) != ERR_OK)
		return e;
	if (!inserted)
		return ERR_EXISTS;
	if ((e = measure_version_bump(db, j->r.patient_id)) != ERR_OK)
		return e;
	memset(&seen, 0, sizeof(seen));
	return check_target(db, &seen, &j->r, j->value_text, j->r.entered_ms,
			    &j->outside, &j->alerted);
}

static enum err upload_delete(struct db *db, int64_t id, int64_t patient_id);

enum err
reading_import(struct db *db, void *arg)
{
	struct reading_import_job *j = arg;
	struct targets_seen seen;
	struct reading r;
	bool inserted, outside, alerted;
	size_t i;
	enum err e;

	j->imported = j->skipped = j->alerted = 0;
	if (j->n > READING_IMPORT_ROWS_MAX)
		return ERR_INVALID;
	if (j->upload_id && (e = upload_delete(db, j->upload_id,
					       j->patient_id)) != ERR_OK)
		return e;
	for (i = 0; i < j->n; i++) {
		r = j->rows[i];
		r.org_id = j->org_id;
		r.patient_id = j->patient_id;
		if (!reading_is_storable(&r, j->at_ms))
			return ERR_INVALID;
	}
	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < j->n; i++) {
		r = j->rows[i];
		r.id = id_new();
		r.org_id = j->org_id;
		r.patient_id = j->patient_id;
		r.source = j->source;
		r.entered_by = j->entered_by;
		r.entered_ms = j->at_ms;
		if ((e = insert(db, &r, &inserted)) != ERR_OK)
			return e;
		if (!inserted) {
			j->skipped++;
			continue;
		}
		j->imported++;
		if ((e = check_target(db, &seen, &r, NULL, j->at_ms, &outside,
				      &alerted)) != ERR_OK)
			return e;
		j->alerted += alerted;
	}
	return j->imported ? measure_version_bump(db, j->patient_id) : ERR_OK;
}

/* --- files between preview and confirmation -------------------------------- */

static const char sql_upload_insert[] =
	"INSERT INTO reading_upload (id, org_id, patient_id, account_id, "
	"filename, body, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)";

static const char sql_upload_expire[] =
	"DELETE FROM reading_upload WHERE created_ms < $1";

static const char sql_upload_delete[] =
	"DELETE FROM reading_upload WHERE id = $1 AND patient_id = $2";

static const char sql_upload_get[] =
	"SELECT id, org_id, patient_id, account_id, filename, body, "
	"created_ms FROM reading_upload WHERE id = $1 AND patient_id = $2 "
	"AND account_id = $3 AND created_ms >= $4";

enum err
reading_upload_stage(struct db *db, void *arg)
{
	struct reading_upload *u = arg;
	struct stmt *st = db_prepare(db, sql_upload_expire);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, u->created_ms - READING_UPLOAD_KEEP_MS);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_upload_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, u->id);
	stmt_bind_int(st, 2, u->org_id);
	stmt_bind_int(st, 3, u->patient_id);
	stmt_bind_int(st, 4, u->account_id);
	stmt_bind_str(st, 5, u->filename);
	stmt_bind_text(st, 6, u->body, u->len);
	stmt_bind_int(st, 7, u->created_ms);
	return stmt_exec(st);
}

static enum err
upload_delete(struct db *db, int64_t id, int64_t patient_id)
{
	struct stmt *st = db_prepare(db, sql_upload_delete);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	return stmt_exec_one(st);
}

static void
read_upload(struct stmt *st, struct arena *a, void *out)
{
	struct reading_upload *u = out;

	u->id = stmt_int(st, 0);
	u->org_id = stmt_int(st, 1);
	u->patient_id = stmt_int(st, 2);
	u->account_id = stmt_int(st, 3);
	u->filename = stmt_text_dup(st, 4, a);
	u->body = stmt_text_dup(st, 5, a);
	u->len = u->body ? strlen(u->body) : 0;
	u->created_ms = stmt_int(st, 6);
}

enum err
reading_upload_get(struct db *db, struct arena *a, int64_t id,
		   int64_t patient_id, int64_t account_id,
		   struct reading_upload *out)
{
	struct stmt *st = db_prepare(db, sql_upload_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	stmt_bind_int(st, 3, account_id);
	stmt_bind_int(st, 4, clock_now_ms() - READING_UPLOAD_KEEP_MS);
	return stmt_get(st, a, read_upload, out);
}

/* --- reading back --------------------------------------------------------- */

static void
read_reading(struct stmt *st, struct arena *a, void *out)
{
	struct reading *r = out;

	memset(r, 0, sizeof(*r));
	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->patient_id = stmt_int(st, 2);
	r->kind = stmt_text_dup(st, 3, a);
	r->at_ms = stmt_int(st, 4);
	r->value_milli = stmt_int(st, 5);
	r->value2_milli = stmt_int(st, 6);
	r->source = stmt_text_dup(st, 7, a);
	r->entered_by = stmt_int(st, 8);
	r->entered_by_name = stmt_text_dup(st, 9, a);
	r->entered_ms = stmt_int(st, 10);
}

enum err
reading_find_same(struct db *db, struct arena *a, const struct reading *r,
		  struct reading *out)
{
	struct stmt *st = db_prepare(db, sql_same);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, r->patient_id);
	stmt_bind_str(st, 2, r->kind ? r->kind : "");
	stmt_bind_int(st, 3, r->at_ms);
	stmt_bind_int(st, 4, r->value_milli);
	stmt_bind_int(st, 5, r->value2_milli);
	return stmt_get(st, a, read_reading, out);
}

enum err
reading_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	    struct reading *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	return stmt_get(st, a, read_reading, out);
}

enum err
reading_list(struct db *db, struct arena *a, int64_t patient_id,
	     const char *kind, size_t max, struct reading **out,
	     size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	if (max > READING_LIST_MAX)
		max = READING_LIST_MAX;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_str(st, 2, kind ? kind : "");
	stmt_bind_int(st, 3, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_reading, out, count);
}

enum err
reading_by_id(struct db *db, struct arena *a, int64_t id,
	      struct reading *out)
{
	struct stmt *st = db_prepare(db, sql_by_id);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_reading, out);
}

static void
bind_search(struct stmt *st, const struct reading_query *q)
{
	stmt_bind_int(st, 1, q->patient_id);
	stmt_bind_str(st, 2, q->kind ? q->kind : "");
	stmt_bind_int(st, 3, q->from_ms);
	stmt_bind_int(st, 4, q->to_ms);
	stmt_bind_int(st, 5, q->entered_from_ms);
}

enum err
reading_search(struct db *db, struct arena *a, const struct reading_query *q,
	       struct reading **out, size_t *count)
{
	struct stmt *st = db_prepare(db, q->oldest_first ? sql_search_asc
							 : sql_search_desc);
	size_t max = q->limit > READING_LIST_MAX ? READING_LIST_MAX : q->limit;

	if (!st)
		return ERR_DB;
	bind_search(st, q);
	if (q->has_after) {
		stmt_bind_int(st, 6, q->after_ms);
		stmt_bind_int(st, 7, q->after_id);
	} else {
		stmt_bind_int(st, 6, q->oldest_first ? INT64_MIN : INT64_MAX);
		stmt_bind_int(st, 7, 0);
	}
	stmt_bind_int(st, 8, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_reading, out, count);
}

enum err
reading_search_count(struct db *db, const struct reading_query *q,
		     int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_search_count);

	if (!st)
		return ERR_DB;
	bind_search(st, q);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

enum err
reading_count(struct db *db, int64_t patient_id, const char *kind,
	      int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_count);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_str(st, 2, kind ? kind : "");
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

static void
read_point(struct stmt *st, struct arena *a, void *out)
{
	struct reading_point *p = out;

	(void)a;
	p->at_ms = stmt_int(st, 0);
	p->value_milli = stmt_int(st, 1);
	p->value2_milli = stmt_int(st, 2);
}

enum err
reading_series_range(struct db *db, struct arena *a, int64_t patient_id,
		     const char *kind, int64_t from_ms, int64_t to_ms,
		     struct reading_point **out, size_t *n)
{
	struct stmt *st = db_prepare(db, sql_series);
	struct reading_point tmp;
	size_t i;
	enum err e;

	*out = NULL;
	*n = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_str(st, 2, kind ? kind : "");
	stmt_bind_int(st, 3, from_ms);
	stmt_bind_int(st, 4, to_ms);
	stmt_bind_int(st, 5, READING_SERIES_MAX);
	if ((e = stmt_list(st, a, sizeof(**out), READING_SERIES_MAX,
			   read_point, out, n)) != ERR_OK)
		return e;
	for (i = 0; i < *n / 2; i++) {
		tmp = (*out)[i];
		(*out)[i] = (*out)[*n - 1 - i];
		(*out)[*n - 1 - i] = tmp;
	}
	if (!*n)
		*out = NULL;
	return ERR_OK;
}

enum err
reading_series(struct db *db, struct arena *a, int64_t patient_id,
	       const char *kind, struct reading_point **out, size_t *n)
{
	return reading_series_range(db, a, patient_id, kind, INT64_MIN,
				    INT64_MAX, out, n);
}

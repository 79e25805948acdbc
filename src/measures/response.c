/*
 * Stored answers to questionnaires (see response.h).
 */
#include "measures/response.h"

#include <string.h>

#include "core/arena.h"
#include "measures/alert.h"
#include "measures/scoring.h"
#include "measures/measure_version.h"
#include "measures/schedule.h"
#include "store/store.h"
#include "core/banned.h"

#define SERIES_MAX 5000	/* points of one score: years of weekly answers */

static const char sql_insert[] =
	"INSERT INTO measure_response (id, org_id, patient_id, request_id, "
	"instrument_url, instrument_version, lang, status, mode, answers, "
	"screen, entered_by, started_ms, updated_ms) VALUES ($1, $2, $3, $4, "
	"$5, $6, $7, 'in-progress', $8, $9, $10, $11, $12, $12)";

static const char sql_save[] =
	"UPDATE measure_response SET answers = $1, screen = $2, "
	"updated_ms = $3, entered_by = $4, version = version + 1 "
	"WHERE id = $5 AND patient_id = $6 AND version = $7 "
	"AND status = 'in-progress'";

static const char sql_complete[] =
	"UPDATE measure_response SET answers = $1, screen = $2, "
	"updated_ms = $3, entered_by = $4, version = version + 1, "
	"status = 'completed', completed_ms = $3 "
	"WHERE id = $5 AND patient_id = $6 AND version = $7 "
	"AND status = 'in-progress'";

static const char sql_exists[] =
	"SELECT status FROM measure_response WHERE id = $1 "
	"AND patient_id = $2";

static const char sql_score_insert[] =
	"INSERT INTO measure_score (response_id, name, patient_id, "
	"instrument_url, at_ms, value_milli, band, reason) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/* The columns read_response() reads; `answers` is r.answers or '' for
 * lists. */
#define RESPONSE_SELECT(answers)                                           \
	"SELECT r.id, r.org_id, r.patient_id, r.request_id, "                 \
	"r.instrument_url, r.instrument_version, r.lang, r.status, r.mode, "  \
	answers ", r.screen, r.entered_by, a.display_name, r.started_ms, "   \
	"r.updated_ms, r.completed_ms, r.version, a.role "                    \
	"FROM measure_response r "                                            \
	"LEFT JOIN account a ON a.id = r.entered_by "

static const char sql_get[] = RESPONSE_SELECT("r.answers")
	"WHERE r.patient_id = $1 AND r.id = $2";

static const char sql_by_id[] = RESPONSE_SELECT("r.answers")
	"WHERE r.id = $1";

#define ANSWERED_MS                                                        \
	"(CASE WHEN r.status = 'completed' THEN r.completed_ms "               \
	"ELSE r.updated_ms END)"

/* The filters of response_search(), in the order bound by
 * bind_query(). */
#define SEARCH_WHERE                                                       \
	"WHERE r.patient_id = $1 AND " ANSWERED_MS " >= $2 AND "             \
	ANSWERED_MS " < $3 AND r.updated_ms >= $4 AND r.updated_ms < $5 "    \
	"AND ($6 = '' OR r.status = $6) "                                     \
	"AND ($7 = '' OR r.instrument_url = $7) "                             \
	"AND ($8 = '' OR r.instrument_version = $8) "

static const char sql_search[] = RESPONSE_SELECT("r.answers")
	SEARCH_WHERE "AND ($9 = 0 OR " ANSWERED_MS " < $10 OR ("
	ANSWERED_MS " = $10 AND r.id < $11)) "
	"ORDER BY " ANSWERED_MS " DESC, r.id DESC LIMIT $12";

static const char sql_search_count[] =
	"SELECT COUNT(*) FROM measure_response r " SEARCH_WHERE;

static const char sql_list[] = RESPONSE_SELECT("''")
	"WHERE r.patient_id = $1 "
	"ORDER BY r.status = 'in-progress' DESC, r.updated_ms DESC, r.id "
	"LIMIT $2";

static const char sql_open_for[] = RESPONSE_SELECT("r.answers")
	"WHERE r.patient_id = $1 AND r.request_id = $2 "
	"AND r.status = 'in-progress' ORDER BY r.started_ms DESC LIMIT 1";

static const char sql_series[] =
	"SELECT at_ms, response_id, value_milli, band FROM measure_score "
	"WHERE patient_id = $1 AND instrument_url = $2 AND name = $3 "
	"ORDER BY at_ms, response_id LIMIT $4";

static const char sql_scores[] =
	"SELECT name, value_milli, band, reason FROM measure_score "
	"WHERE response_id = $1 ORDER BY name";

static const char sql_instruments[] =
	"SELECT instrument_url, MAX(completed_ms) AS last "
	"FROM measure_response WHERE patient_id = $1 "
	"AND status = 'completed' GROUP BY instrument_url "
	"ORDER BY last DESC LIMIT 50";

/* Why an UPDATE of an in-progress response changed nothing. */
static enum err
why_unchanged(struct db *db, int64_t id, int64_t patient_id)
{
	struct stmt *st = db_prepare(db, sql_exists);
	bool in_progress = false, found = false;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	if (stmt_row(st)) {
		found = true;
		in_progress = !strcmp(stmt_text(st, 0), "in-progress");
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	return found && in_progress ? ERR_CONFLICT : ERR_NOT_FOUND;
}

static enum err
insert_scores(struct db *db, const struct response_job *j)
{
	size_t i;
	enum err e;

	for (i = 0; i < j->nscores; i++) {
		const struct response_score *s = &j->scores[i];
		struct stmt *st = db_prepare(db, sql_score_insert);

		if (!st)
			return ERR_DB;
		stmt_bind_int(st, 1, j->r.id);
		stmt_bind_str(st, 2, s->name);
		stmt_bind_int(st, 3, j->r.patient_id);
		stmt_bind_str(st, 4, j->r.instrument_url);
		stmt_bind_int(st, 5, j->at_ms);
		if (s->computed)
			stmt_bind_int(st, 6, s->value_milli);
		else
			stmt_bind_null(st, 6);
		stmt_bind_str(st, 7, s->band ? s->band : "");
		stmt_bind_str(st, 8, s->reason ? s->reason : "");
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
complete(struct db *db, struct response_job *j)
{
	struct arena *a;
	size_t i;
	enum err e;

	if ((e = insert_scores(db, j)) != ERR_OK ||
	    (e = measure_version_bump(db, j->r.patient_id)) != ERR_OK)
		return e;
	for (i = 0; i < j->nalerts; i++)
		if ((e = alert_raise(db, &j->alerts[i])) != ERR_OK)
			return e;
	if (!j->r.request_id)
		return ERR_OK;
	if (!(a = arena_new(64 * 1024)))
		return ERR_NOMEM;
	e = schedule_answered(db, a, j->r.request_id, j->r.patient_id,
			      j->today);
	arena_free(a);
	return e;
}

enum err
response_write(struct db *db, void *arg)
{
	struct response_job *j = arg;
	struct measure_response *r = &j->r;
	struct stmt *st;
	enum err e;

	if (j->op == RESPONSE_START || j->op == RESPONSE_SUBMIT) {
		if (!(st = db_prepare(db, sql_insert)))
			return ERR_DB;
		stmt_bind_int(st, 1, r->id);
		stmt_bind_int(st, 2, r->org_id);
		stmt_bind_int(st, 3, r->patient_id);
		if (r->request_id)
			stmt_bind_int(st, 4, r->request_id);
		else
			stmt_bind_null(st, 4);
		stmt_bind_str(st, 5, r->instrument_url);
		stmt_bind_str(st, 6, r->instrument_version);
		stmt_bind_str(st, 7, r->lang);
		stmt_bind_str(st, 8, r->mode);
		stmt_bind_str(st, 9, r->answers);
		stmt_bind_int(st, 10, r->screen);
		stmt_bind_int(st, 11, r->entered_by);
		stmt_bind_int(st, 12, j->at_ms);
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
		r->version = 1;
		if (j->op == RESPONSE_START)
			return ERR_OK;
	}
	if (!(st = db_prepare(db, j->op == RESPONSE_SAVE ? sql_save
							 : sql_complete)))
		return ERR_DB;
	stmt_bind_str(st, 1, r->answers);
	stmt_bind_int(st, 2, r->screen);
	stmt_bind_int(st, 3, j->at_ms);
	stmt_bind_int(st, 4, r->entered_by);
	stmt_bind_int(st, 5, r->id);
	stmt_bind_int(st, 6, r->patient_id);
	stmt_bind_int(st, 7, r->version);
	if ((e = stmt_exec_one(st)) == ERR_NOT_FOUND)
		return why_unchanged(db, r->id, r->patient_id);
	if (e != ERR_OK)
		return e;
	r->version++;
	return j->op == RESPONSE_SAVE ? ERR_OK : complete(db, j);
}

static void
read_response(struct stmt *st, struct arena *a, void *out)
{
	struct measure_response *r = out;

	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->patient_id = stmt_int(st, 2);
	r->request_id = stmt_is_null(st, 3) ? 0 : stmt_int(st, 3);
	r->instrument_url = stmt_text_dup(st, 4, a);
	r->instrument_version = stmt_text_dup(st, 5, a);
	r->lang = stmt_text_dup(st, 6, a);
	r->status = stmt_text_dup(st, 7, a);
	r->mode = stmt_text_dup(st, 8, a);
	r->answers = stmt_text_dup(st, 9, a);
	r->screen = (int)stmt_int(st, 10);
	r->entered_by = stmt_int(st, 11);
	r->entered_by_name = stmt_text_dup(st, 12, a);
	r->started_ms = stmt_int(st, 13);
	r->updated_ms = stmt_int(st, 14);
	r->completed_ms = stmt_int(st, 15);
	r->version = (int)stmt_int(st, 16);
	r->entered_by_role = stmt_text_dup(st, 17, a);
}

static struct stmt *
prepare_pid_id(struct db *db, const char *sql, int64_t pid, int64_t id)
{
	struct stmt *st = db_prepare(db, sql);

	if (st) {
		stmt_bind_int(st, 1, pid);
		stmt_bind_int(st, 2, id);
	}
	return st;
}

enum err
response_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	     struct measure_response *out)
{
	struct stmt *st = prepare_pid_id(db, sql_get, patient_id, id);

	return st ? stmt_get(st, a, read_response, out) : ERR_DB;
}

enum err
response_by_id(struct db *db, struct arena *a, int64_t id,
	       struct measure_response *out)
{
	struct stmt *st = db_prepare(db, sql_by_id);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_response, out);
}

int64_t
response_answered_ms(const struct measure_response *r)
{
	return !strcmp(r->status, "completed") ? r->completed_ms
					       : r->updated_ms;
}

static void
bind_query(struct stmt *st, const struct response_query *q)
{
	stmt_bind_int(st, 1, q->patient_id);
	stmt_bind_int(st, 2, q->from_ms);
	stmt_bind_int(st, 3, q->to_ms);
	stmt_bind_int(st, 4, q->upd_from_ms);
	stmt_bind_int(st, 5, q->upd_to_ms);
	stmt_bind_str(st, 6, q->status ? q->status : "");
	stmt_bind_str(st, 7, q->url ? q->url : "");
	stmt_bind_str(st, 8, q->version ? q->version : "");
}

enum err
response_search(struct db *db, struct arena *a, const struct response_query *q,
		struct measure_response **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_search);

	if (!st)
		return ERR_DB;
	bind_query(st, q);
	stmt_bind_int(st, 9, q->has_after);
	stmt_bind_int(st, 10, q->after_ms);
	stmt_bind_int(st, 11, q->after_id);
	stmt_bind_int(st, 12, (int64_t)q->limit);
	return stmt_list(st, a, sizeof(**out), q->limit, read_response, out,
			 count);
}

enum err
response_search_count(struct db *db, const struct response_query *q,
		      int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_search_count);

	if (!st)
		return ERR_DB;
	bind_query(st, q);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

enum err
response_job_report(struct arena *a, struct response_job *j,
		    const struct score_report *rep)
{
	struct alert_event *al;
	char num[40];
	size_t i;

	if (!(al = arena_calloc(a, RESPONSE_ALERTS_MAX + 1, sizeof(*al))))
		return ERR_NOMEM;
	for (i = 0; i < rep->n_scores && i < RESPONSE_SCORES_MAX; i++) {
		const struct score_result *r = &rep->scores[i];
		struct response_score *o = &j->scores[j->nscores++];

		o->name = r->score->name;
		o->computed = r->computed;
		o->value_milli = r->computed ? (int64_t)(r->value * 1000 +
							 (r->value < 0 ? -0.5
								       : 0.5))
					     : 0;
		o->band = r->band ? r->band->code : "";
		o->reason = r->reason ? r->reason : "";
	}
	for (i = 0; i < rep->n_flags && i < RESPONSE_ALERTS_MAX; i++) {
		const struct score_flag *f = &rep->flags[i];

		al[i].org_id = j->r.org_id;
		al[i].patient_id = j->r.patient_id;
		al[i].measure = arena_printf(a, "flag:%s#%s",
					     j->r.instrument_url,
					     f->flag->code);
		al[i].kind = "flag";
		al[i].urgent = f->flag->urgent;
		al[i].label = f->flag->label;
		al[i].value_text = arena_strdup(
			a, score_format(num, sizeof(num), f->value));
		al[i].at_ms = j->at_ms;
		al[i].response_id = j->r.id;
		j->nalerts++;
	}
	j->alerts = al;
	return ERR_OK;
}

enum err
response_open_for(struct db *db, struct arena *a, int64_t patient_id,
		  int64_t request_id, struct measure_response *out)
{
	struct stmt *st = prepare_pid_id(db, sql_open_for, patient_id,
					 request_id);

	return st ? stmt_get(st, a, read_response, out) : ERR_DB;
}

enum err
response_list(struct db *db, struct arena *a, int64_t patient_id,
	      struct measure_response **out, size_t *count)
{
	struct stmt *st = prepare_pid_id(db, sql_list, patient_id,
					 RESPONSE_LIST_MAX);

	return st ? stmt_list(st, a, sizeof(**out), RESPONSE_LIST_MAX,
			      read_response, out, count)
		  : ERR_DB;
}

static void
read_point(struct stmt *st, struct arena *a, void *out)
{
	struct score_point *p = out;

	p->at_ms = stmt_int(st, 0);
	p->response_id = stmt_int(st, 1);
	p->computed = !stmt_is_null(st, 2);
	p->value_milli = p->computed ? stmt_int(st, 2) : 0;
	p->band = stmt_text_dup(st, 3, a);
}

enum err
response_score_series(struct db *db, struct arena *a, int64_t patient_id,
		      const char *url, const char *name,
		      struct score_point **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_series);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_str(st, 2, url);
	stmt_bind_str(st, 3, name);
	stmt_bind_int(st, 4, SERIES_MAX);
	return stmt_list(st, a, sizeof(**out), SERIES_MAX, read_point, out,
			 count);
}

static void
read_score(struct stmt *st, struct arena *a, void *out)
{
	struct response_score *s = out;

	s->name = stmt_text_dup(st, 0, a);
	s->computed = !stmt_is_null(st, 1);
	s->value_milli = s->computed ? stmt_int(st, 1) : 0;
	s->band = stmt_text_dup(st, 2, a);
	s->reason = stmt_text_dup(st, 3, a);
}

enum err
response_scores(struct db *db, struct arena *a, int64_t response_id,
		struct response_score **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_scores);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, response_id);
	return stmt_list(st, a, sizeof(**out), RESPONSE_SCORES_MAX, read_score,
			 out, count);
}

static void
read_url(struct stmt *st, struct arena *a, void *out)
{
	*(const char **)out = stmt_text_dup(st, 0, a);
}

enum err
response_instruments(struct db *db, struct arena *a, int64_t patient_id,
		     const char ***urls, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_instruments);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_list(st, a, sizeof(**urls), 50, read_url, urls, count);
}

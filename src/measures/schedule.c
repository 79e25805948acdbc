/*
 * When questionnaires are due (see schedule.h).
 */
#include "measures/schedule.h"

#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/msgid.h"
#include "core/problem.h"
#include "store/store.h"
#include "core/banned.h"

#define DAY_S 86400

static const char sql_insert[] =
	"INSERT INTO measure_request (id, org_id, patient_id, "
	"instrument_url, schedule, due_date, every_days, appointment_date, "
	"days_before, status, sent_by, sent_ms) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11)";

static const char sql_stop[] =
	"UPDATE measure_request SET status = 'stopped', "
	"version = version + 1 WHERE id = $1 AND patient_id = $2 "
	"AND status = 'open'";

static const char sql_done[] =
	"UPDATE measure_request SET status = 'done', version = version + 1 "
	"WHERE id = $1 AND patient_id = $2 AND status = 'open'";

static const char sql_move[] =
	"UPDATE measure_request SET due_date = $1, version = version + 1 "
	"WHERE id = $2 AND patient_id = $3 AND status = 'open'";

#define REQUEST_COLUMNS                                                    \
	"SELECT r.id, r.org_id, r.patient_id, r.instrument_url, r.schedule, " \
	"r.due_date, r.every_days, r.appointment_date, r.days_before, "       \
	"r.status, r.sent_by, a.display_name, r.sent_ms, r.version "          \
	"FROM measure_request r LEFT JOIN account a ON a.id = r.sent_by "

static const char sql_list[] = REQUEST_COLUMNS
	"WHERE r.patient_id = $1 AND r.status = 'open' "
	"ORDER BY r.due_date, r.id LIMIT $2";

static const char sql_get[] = REQUEST_COLUMNS
	"WHERE r.patient_id = $1 AND r.id = $2";

static bool
one_of(const char *s, const char *a, const char *b, const char *c)
{
	return s && (!strcmp(s, a) || !strcmp(s, b) || !strcmp(s, c));
}

bool
schedule_validate(struct arena *a, struct measure_request *r,
		  const char *today, struct problems *ps)
{
	int64_t t_today, t_due, t_visit;
	size_t before = ps->n;

	if (!clock_parse_date(today, &t_today))
		return false;
	if (!one_of(r->schedule, "once", "before", "repeat")) {
		problems_add(ps, "schedule", N_("Choose when to send it."));
		return false;
	}
	if (!strcmp(r->schedule, "before")) {
		if (!clock_parse_date(r->appointment_date, &t_visit) ||
		    t_visit < t_today)
			problems_add(ps, "appointment_date",
				     N_("Enter the date of the appointment, "
					"today or later, for example "
					"2027-03-31."));
		else if (r->days_before < 0 ||
			 r->days_before > SCHEDULE_BEFORE_MAX)
			problems_add(ps, "days_before",
				     N_("Enter a number of days from 0 to "
					"60."));
		else {
			t_due = t_visit - (int64_t)r->days_before * DAY_S;
			r->due_date = clock_date(a, t_due < t_today ? t_today
								    : t_due);
		}
		return ps->n == before;
	}
	if (!*r->due_date)
		r->due_date = today;
	if (!clock_parse_date(r->due_date, &t_due) || t_due < t_today)
		problems_add(ps, "due_date",
			     N_("Enter the first date it is due, today or "
				"later, for example 2027-03-31."));
	if (!strcmp(r->schedule, "repeat") &&
	    (r->every_days < 1 || r->every_days > SCHEDULE_EVERY_MAX))
		problems_add(ps, "every_days",
			     N_("Enter how often, from every 1 to every 365 "
				"days."));
	return ps->n == before;
}

const char *
schedule_next_due(struct arena *a, const char *due, int every,
		  const char *answered)
{
	int64_t t_due, t_ans, steps;

	if (every < 1 || !clock_parse_date(due, &t_due) ||
	    !clock_parse_date(answered, &t_ans))
		return NULL;
	if (t_due > t_ans)
		return clock_date(a, t_due);
	steps = (t_ans - t_due) / ((int64_t)every * DAY_S) + 1;
	return clock_date(a, t_due + steps * every * DAY_S);
}

bool
schedule_is_due(const struct measure_request *r, const char *today)
{
	return !strcmp(r->status, "open") && strcmp(r->due_date, today) <= 0;
}

enum err
schedule_write(struct db *db, void *arg)
{
	struct schedule_job *j = arg;
	struct measure_request *r = &j->r;
	struct stmt *st;

	if (j->stop) {
		if (!(st = db_prepare(db, sql_stop)))
			return ERR_DB;
		stmt_bind_int(st, 1, r->id);
		stmt_bind_int(st, 2, r->patient_id);
		return stmt_exec_one(st);
	}
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, r->id);
	stmt_bind_int(st, 2, r->org_id);
	stmt_bind_int(st, 3, r->patient_id);
	stmt_bind_str(st, 4, r->instrument_url);
	stmt_bind_str(st, 5, r->schedule);
	stmt_bind_str(st, 6, r->due_date);
	stmt_bind_int(st, 7, r->every_days);
	stmt_bind_str(st, 8, r->appointment_date ? r->appointment_date : "");
	stmt_bind_int(st, 9, r->days_before);
	stmt_bind_int(st, 10, j->by);
	stmt_bind_int(st, 11, j->at_ms);
	return stmt_exec(st);
}

enum err
schedule_answered(struct db *db, struct arena *a, int64_t id,
		  int64_t patient_id, const char *answered)
{
	struct measure_request r;
	const char *next;
	struct stmt *st;
	enum err e;

	if ((e = schedule_get(db, a, patient_id, id, &r)) != ERR_OK)
		return e;
	if (strcmp(r.status, "open"))
		return ERR_OK;	/* stopped meanwhile: the answer still counts */
	if (strcmp(r.schedule, "repeat")) {
		if (!(st = db_prepare(db, sql_done)))
			return ERR_DB;
		stmt_bind_int(st, 1, id);
		stmt_bind_int(st, 2, patient_id);
		return stmt_exec(st);
	}
	if (!(next = schedule_next_due(a, r.due_date, r.every_days, answered)))
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_move)))
		return ERR_DB;
	stmt_bind_str(st, 1, next);
	stmt_bind_int(st, 2, id);
	stmt_bind_int(st, 3, patient_id);
	return stmt_exec(st);
}

static void
read_request(struct stmt *st, struct arena *a, void *out)
{
	struct measure_request *r = out;

	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->patient_id = stmt_int(st, 2);
	r->instrument_url = stmt_text_dup(st, 3, a);
	r->schedule = stmt_text_dup(st, 4, a);
	r->due_date = stmt_text_dup(st, 5, a);
	r->every_days = (int)stmt_int(st, 6);
	r->appointment_date = stmt_text_dup(st, 7, a);
	r->days_before = (int)stmt_int(st, 8);
	r->status = stmt_text_dup(st, 9, a);
	r->sent_by = stmt_int(st, 10);
	r->sent_by_name = stmt_text_dup(st, 11, a);
	r->sent_ms = stmt_int(st, 12);
	r->version = (int)stmt_int(st, 13);
}

enum err
schedule_list(struct db *db, struct arena *a, int64_t patient_id,
	      struct measure_request **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, SCHEDULE_LIST_MAX);
	return stmt_list(st, a, sizeof(**out), SCHEDULE_LIST_MAX,
			 read_request, out, count);
}

enum err
schedule_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	     struct measure_request *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, id);
	return stmt_get(st, a, read_request, out);
}

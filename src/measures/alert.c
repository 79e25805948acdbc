/*
 * The care team's queue of alerts (see alert.h): raising one inside a
 * write, following the grouping rule of target.h, listing them for a
 * professional or a patient, and closing one.
 */
#include "measures/alert.h"

#include <string.h>

#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "measures/target.h"
#include "store/store.h"
#include "core/banned.h"

static const char sql_open_get[] =
	"SELECT id, first_ms, last_ms, count FROM measure_alert "
	"WHERE patient_id = $1 AND measure = $2 AND status = 'open' "
	"ORDER BY last_ms DESC, id LIMIT 1";
static const char sql_insert[] =
	"INSERT INTO measure_alert (id, org_id, patient_id, measure, kind, "
	"urgent, label, last_value, count, first_ms, last_ms, response_id) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
/* $9 non-zero: the event is the newest of the alert, whose label, value
 * and response it then shows. */
static const char sql_join[] =
	"UPDATE measure_alert SET count = $2, first_ms = $3, last_ms = $4, "
	"urgent = CASE WHEN CAST($5 AS INTEGER) <> 0 THEN 1 ELSE urgent END, "
	"label = CASE WHEN CAST($9 AS INTEGER) <> 0 THEN CAST($6 AS TEXT) "
	"ELSE label END, "
	"last_value = CASE WHEN CAST($9 AS INTEGER) <> 0 THEN CAST($7 AS TEXT) "
	"ELSE last_value END, "
	"response_id = CASE WHEN CAST($9 AS INTEGER) <> 0 "
	"THEN CAST($8 AS BIGINT) ELSE response_id END "
	"WHERE id = $1 AND status = 'open'";
static const char sql_close[] =
	"UPDATE measure_alert SET status = 'closed', closed_by = $3, "
	"closed_ms = $4, closing_note = $5 "
	"WHERE id = $1 AND patient_id = $2 AND status = 'open'";

#define SELECT_ALERT                                                       \
	"SELECT a.id, a.org_id, a.patient_id, "                            \
	"p.given_name || ' ' || p.family_name, a.measure, a.kind, "        \
	"a.urgent, a.label, a.last_value, a.count, a.first_ms, a.last_ms, " \
	"COALESCE(a.response_id, 0), a.status, COALESCE(a.closed_by, 0), " \
	"COALESCE(u.display_name, ''), a.closed_ms, a.closing_note "       \
	"FROM measure_alert a JOIN patient p ON p.id = a.patient_id "      \
	"LEFT JOIN account u ON u.id = a.closed_by "

static const char sql_get[] = SELECT_ALERT "WHERE a.id = $1";
static const char sql_queue[] = SELECT_ALERT
	"JOIN care_team_member t ON t.patient_id = a.patient_id "
	"WHERE t.account_id = $1 AND a.status = 'open' "
	"ORDER BY a.urgent DESC, a.last_ms DESC, a.id LIMIT $2";
static const char sql_queue_count[] =
	"SELECT count(*) FROM measure_alert a "
	"JOIN care_team_member t ON t.patient_id = a.patient_id "
	"WHERE t.account_id = $1 AND a.status = 'open'";
static const char sql_for_patient[] = SELECT_ALERT
	"WHERE a.patient_id = $1 ORDER BY "
	"CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, "
	"CASE WHEN a.status = 'open' THEN a.urgent ELSE 0 END DESC, "
	"CASE WHEN a.status = 'open' THEN a.last_ms ELSE a.closed_ms END DESC, "
	"a.id LIMIT $2";

/* --- raising -------------------------------------------------------------- */

static bool
event_ok(const struct alert_event *ev)
{
	return ev && ev->patient_id > 0 && ev->measure && *ev->measure &&
	       ev->kind && *ev->kind && ev->label && *ev->label;
}

/* The open alert of a patient's measure, as stored. */
struct open_alert {
	int64_t id;
	int64_t first_ms, last_ms;
	struct target_alert rule;	/* the same in the rule's terms */
};

static enum err
open_get(struct db *db, const struct alert_event *ev, struct open_alert *o,
	 bool *found)
{
	struct stmt *st = db_prepare(db, sql_open_get);
	int64_t count;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, ev->patient_id);
	stmt_bind_str(st, 2, ev->measure);
	*found = stmt_row(st);
	if (*found) {
		o->id = stmt_int(st, 0);
		o->first_ms = stmt_int(st, 1);
		o->last_ms = stmt_int(st, 2);
		count = stmt_int(st, 3);
		o->rule.first = o->first_ms / 1000;
		o->rule.last = o->last_ms / 1000;
		o->rule.count = count < 1 ? 1
				: count > (int64_t)UINT32_MAX
					? UINT32_MAX
					: (uint32_t)count;
	}
	return stmt_done(st);
}

static enum err
insert(struct db *db, const struct alert_event *ev)
{
	struct stmt *st = db_prepare(db, sql_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, ev->org_id);
	stmt_bind_int(st, 3, ev->patient_id);
	stmt_bind_str(st, 4, ev->measure);
	stmt_bind_str(st, 5, ev->kind);
	stmt_bind_int(st, 6, ev->urgent);
	stmt_bind_str(st, 7, ev->label);
	stmt_bind_str(st, 8, ev->value_text ? ev->value_text : "");
	stmt_bind_int(st, 9, 1);
	stmt_bind_int(st, 10, ev->at_ms);
	stmt_bind_int(st, 11, ev->at_ms);
	if (ev->response_id)
		stmt_bind_int(st, 12, ev->response_id);
	else
		stmt_bind_null(st, 12);
	return stmt_exec(st);
}

/*
 * Adds the event to open alert `o` with the rule's new count. The rule
 * works in seconds; the stored times stay in milliseconds, so an end
 * moves only when the event lies beyond it. The newest event is the one
 * the alert shows.
 */
static enum err
join(struct db *db, const struct alert_event *ev, const struct open_alert *o,
     uint32_t count)
{
	struct stmt *st = db_prepare(db, sql_join);
	bool newest = ev->at_ms >= o->last_ms;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, o->id);
	stmt_bind_int(st, 2, (int64_t)count);
	stmt_bind_int(st, 3, ev->at_ms < o->first_ms ? ev->at_ms : o->first_ms);
	stmt_bind_int(st, 4, newest ? ev->at_ms : o->last_ms);
	stmt_bind_int(st, 5, ev->urgent);
	stmt_bind_str(st, 6, ev->label);
	stmt_bind_str(st, 7, ev->value_text ? ev->value_text : "");
	if (ev->response_id)
		stmt_bind_int(st, 8, ev->response_id);
	else
		stmt_bind_null(st, 8);
	stmt_bind_int(st, 9, newest);
	return stmt_exec_one(st);
}

enum err
alert_raise_at(struct db *db, const struct alert_event *ev, int64_t now_ms,
	       bool *raised)
{
	struct open_alert o;
	struct target_alert to;
	bool found = false;
	enum err e = ERR_OK;

	if (raised)
		*raised = false;
	if (!event_ok(ev))
		return ERR_INVALID;
	memset(&o, 0, sizeof(o));
	if ((e = open_get(db, ev, &o, &found)) != ERR_OK)
		return e;
	switch (target_alert_apply(found ? &o.rule : NULL, true,
				   ev->at_ms / 1000, now_ms / 1000, &to)) {
	case TARGET_ALERT_NONE:
		return ERR_OK;
	case TARGET_ALERT_OPEN:
		e = insert(db, ev);
		break;
	case TARGET_ALERT_JOIN:
		e = join(db, ev, &o, to.count);
		break;
	}
	if (e == ERR_OK && raised)
		*raised = true;
	return e;
}

enum err
alert_raise(struct db *db, const struct alert_event *ev)
{
	return alert_raise_at(db, ev, ev ? ev->at_ms : 0, NULL);
}

/* --- reading -------------------------------------------------------------- */

static void
read_alert(struct stmt *st, struct arena *a, void *out)
{
	struct measure_alert *m = out;
	const char *status = stmt_text(st, 13);

	memset(m, 0, sizeof(*m));
	m->id = stmt_int(st, 0);
	m->org_id = stmt_int(st, 1);
	m->patient_id = stmt_int(st, 2);
	m->patient_name = stmt_text_dup(st, 3, a);
	m->measure = stmt_text_dup(st, 4, a);
	m->kind = stmt_text_dup(st, 5, a);
	m->urgent = stmt_int(st, 6) != 0;
	m->label = stmt_text_dup(st, 7, a);
	m->last_value = stmt_text_dup(st, 8, a);
	m->count = stmt_int(st, 9);
	m->first_ms = stmt_int(st, 10);
	m->last_ms = stmt_int(st, 11);
	m->response_id = stmt_int(st, 12);
	m->open = status && !strcmp(status, "open");
	m->closed_by = stmt_int(st, 14);
	m->closed_by_name = stmt_text_dup(st, 15, a);
	m->closed_ms = stmt_int(st, 16);
	m->closing_note = stmt_text_dup(st, 17, a);
}

enum err
alert_get(struct db *db, struct arena *a, int64_t id,
	  struct measure_alert *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_alert, out);
}

enum err
alert_queue(struct db *db, struct arena *a, int64_t account_id,
	    struct measure_alert **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_queue);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	stmt_bind_int(st, 2, ALERT_LIST_MAX);
	return stmt_list(st, a, sizeof(**out), ALERT_LIST_MAX, read_alert,
			 out, count);
}

enum err
alert_queue_count(struct db *db, int64_t account_id, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_queue_count);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

enum err
alert_list_for_patient(struct db *db, struct arena *a, int64_t patient_id,
		       size_t max, struct measure_alert **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_for_patient);

	if (!st)
		return ERR_DB;
	if (max > ALERT_LIST_MAX)
		max = ALERT_LIST_MAX;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_alert, out, count);
}

/* --- closing -------------------------------------------------------------- */

bool
alert_note_ok(struct problems *ps, const char *note)
{
	return care_text_ok(ps, "note", note ? note : "", ALERT_NOTE_MAX);
}

enum err
alert_close(struct db *db, void *arg)
{
	struct alert_close_job *j = arg;
	struct problems ps = {0};
	struct stmt *st;

	if (!alert_note_ok(&ps, j->note))
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_close)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->id);
	stmt_bind_int(st, 2, j->patient_id);
	stmt_bind_int(st, 3, j->by);
	stmt_bind_int(st, 4, j->at_ms);
	stmt_bind_str(st, 5, j->note ? j->note : "");
	return stmt_exec_one(st);
}

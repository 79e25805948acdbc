/*
 * Appointments: the unit's rules and their arithmetic, booking, moving,
 * cancelling and recording attendance, each with its reminder in the
 * outbox (see appointment.h).
 */
#include "contact/appointment.h"

#include <stdio.h>
#include <string.h>

#include "contact/outbox.h"
#include "contact/slot.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

#define HOUR 3600
#define DAY 86400
#define NOTICE_MAX 336		/* two weeks, in hours */

static const char *const refusal_text[APPT__MAX] = {
	[APPT_NONE] = "",
	[APPT_PAST] = N_("This time has already passed. Please choose "
			 "another time."),
	[APPT_TOO_FAR] = N_("This time is further ahead than you can book "
			    "online. Please choose an earlier time, or call "
			    "reception."),
	[APPT_TOO_SOON] = N_("This time is too soon to book or move online. "
			     "Please call reception: they can still help."),
	[APPT_CANCEL_TOO_SOON] = N_("It is too late to cancel online. Please "
				    "call reception as soon as you can."),
	[APPT_SELF_OFF] = N_("Your team books these appointments for you. "
			     "Please call reception or send your team a "
			     "message."),
	[APPT_TAKEN] = N_("Someone else booked this time a moment ago. "
			  "Nothing was booked for you: please choose another "
			  "time."),
	[APPT_NOT_BOOKED] = N_("This appointment is no longer booked, so it "
			       "cannot be changed."),
	[APPT_NOT_STARTED] = N_("You can record whether the patient came "
				"only once the appointment has started."),
};
_Static_assert(sizeof(refusal_text) / sizeof(refusal_text[0]) == APPT__MAX,
	       "a text for every refusal");

const char *
appointment_refusal_text(enum appt_refusal r)
{
	return (unsigned)r < APPT__MAX ? refusal_text[r] : "";
}

/* --- rules ---------------------------------------------------------------- */

static const struct appointment_rule rule_defaults = {
	.book_ahead_days = 60,
	.min_notice_hours = 24,
	.cancel_notice_hours = 2,
	.late_cancel_hours = 24,
	.reminder_hours = 24,
	.patients_book = true,
};

enum err
appointment_rule_get(struct db *db, int64_t unit_id,
		     struct appointment_rule *out)
{
	static const char sql[] =
		"SELECT org_id, book_ahead_days, min_notice_hours, "
		"cancel_notice_hours, late_cancel_hours, reminder_hours, "
		"patients_book, updated_at FROM appointment_rule "
		"WHERE unit_id = $1";
	struct stmt *st;

	*out = rule_defaults;
	out->unit_id = unit_id;
	if (!unit_id)
		return ERR_OK;
	if (!(st = db_prepare(db, sql)))
		return ERR_DB;
	stmt_bind_int(st, 1, unit_id);
	if (stmt_row(st)) {
		out->org_id = stmt_int(st, 0);
		out->book_ahead_days = (int)stmt_int(st, 1);
		out->min_notice_hours = (int)stmt_int(st, 2);
		out->cancel_notice_hours = (int)stmt_int(st, 3);
		out->late_cancel_hours = (int)stmt_int(st, 4);
		out->reminder_hours = (int)stmt_int(st, 5);
		out->patients_book = stmt_int(st, 6) != 0;
		out->updated_at = stmt_int(st, 7);
	}
	return stmt_done(st);
}

void
appointment_rule_validate(const struct appointment_rule *r,
			  struct problems *out)
{
	if (r->book_ahead_days < 1 || r->book_ahead_days > 365)
		problems_add(out, "book_ahead_days",
			     N_("Enter a number of days from 1 to 365."));
	if (r->min_notice_hours < 0 || r->min_notice_hours > NOTICE_MAX)
		problems_add(out, "min_notice_hours",
			     N_("Enter a number of hours from 0 to 336."));
	if (r->cancel_notice_hours < 0 ||
	    r->cancel_notice_hours > NOTICE_MAX)
		problems_add(out, "cancel_notice_hours",
			     N_("Enter a number of hours from 0 to 336."));
	if (r->late_cancel_hours < 0 || r->late_cancel_hours > NOTICE_MAX)
		problems_add(out, "late_cancel_hours",
			     N_("Enter a number of hours from 0 to 336."));
	if (r->reminder_hours < 0 || r->reminder_hours > NOTICE_MAX)
		problems_add(out, "reminder_hours",
			     N_("Enter a number of hours from 0 to 336."));
}

enum err
appointment_rule_save(struct db *db, void *arg)
{
	static const char sql_update[] =
		"UPDATE appointment_rule SET book_ahead_days = $2, "
		"min_notice_hours = $3, cancel_notice_hours = $4, "
		"late_cancel_hours = $5, reminder_hours = $6, "
		"patients_book = $7, updated_at = $8 "
		"WHERE unit_id = $1 AND org_id = $9";
	static const char sql_insert[] =
		"INSERT INTO appointment_rule (unit_id, book_ahead_days, "
		"min_notice_hours, cancel_notice_hours, late_cancel_hours, "
		"reminder_hours, patients_book, updated_at, org_id) "
		"SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM unit "
		"WHERE id = $1 AND org_id = $9";
	const struct appointment_rule *r = arg;
	struct problems ps = {0};
	const char *sqls[2] = {sql_update, sql_insert};
	size_t i;

	appointment_rule_validate(r, &ps);
	if (ps.n)
		return ERR_INVALID;
	for (i = 0; i < 2; i++) {
		struct stmt *st = db_prepare(db, sqls[i]);
		enum err e;

		if (!st)
			return ERR_DB;
		stmt_bind_int(st, 1, r->unit_id);
		stmt_bind_int(st, 2, r->book_ahead_days);
		stmt_bind_int(st, 3, r->min_notice_hours);
		stmt_bind_int(st, 4, r->cancel_notice_hours);
		stmt_bind_int(st, 5, r->late_cancel_hours);
		stmt_bind_int(st, 6, r->reminder_hours);
		stmt_bind_int(st, 7, r->patients_book);
		stmt_bind_int(st, 8, r->updated_at);
		stmt_bind_int(st, 9, r->org_id);
		/* Update the stored rule, else insert it for a unit of the
		 * organisation; neither: no such unit. */
		if ((e = stmt_exec_one(st)) != ERR_NOT_FOUND)
			return e;
	}
	return ERR_NOT_FOUND;
}

enum appt_refusal
appointment_may_book(const struct appointment_rule *r, int64_t now,
		     int64_t starts_at)
{
	/* The notice to book is the notice to move away. */
	enum appt_refusal no = appointment_may_move_from(r, now, starts_at);

	if (no != APPT_NONE)
		return no;
	if (starts_at - now > (int64_t)r->book_ahead_days * DAY)
		return APPT_TOO_FAR;
	return APPT_NONE;
}

enum appt_refusal
appointment_may_cancel(const struct appointment_rule *r, int64_t now,
		       int64_t starts_at)
{
	if (starts_at <= now)
		return APPT_PAST;
	if (starts_at - now < (int64_t)r->cancel_notice_hours * HOUR)
		return APPT_CANCEL_TOO_SOON;
	return APPT_NONE;
}

enum appt_refusal
appointment_may_move_from(const struct appointment_rule *r, int64_t now,
			  int64_t starts_at)
{
	if (starts_at <= now)
		return APPT_PAST;
	if (!r->patients_book)
		return APPT_SELF_OFF;
	if (starts_at - now < (int64_t)r->min_notice_hours * HOUR)
		return APPT_TOO_SOON;
	return APPT_NONE;
}

bool
appointment_is_late_cancel(const struct appointment_rule *r, int64_t now,
			   int64_t starts_at)
{
	return starts_at - now < (int64_t)r->late_cancel_hours * HOUR;
}

int64_t
appointment_reminder_at(const struct appointment_rule *r, int64_t now,
			int64_t starts_at)
{
	int64_t at = starts_at - (int64_t)r->reminder_hours * HOUR;

	return r->reminder_hours > 0 && at > now ? at : 0;
}

/* --- writes --------------------------------------------------------------- */

const char *
appointment_link(struct arena *a, int64_t id)
{
	return arena_printf(a, "/appointments/%lld", (long long)id);
}

void
appointment_reason_validate(const char *reason, struct problems *out)
{
	if (reason && utf8_length(reason, strlen(reason)) > APPT_REASON_MAX)
		problems_add(out, "reason",
			     N_("Write the reason in at most 500 "
				"characters."));
}

#define LINK_MAX 48	/* "/appointments/" and up to 20 digits */

/* The link of appointment `id` in `buf`: the write functions run on the
 * writer's thread and have no arena of their own. */
static const char *
link_of(char buf[LINK_MAX], int64_t id)
{
	snprintf(buf, LINK_MAX, "/appointments/%lld", (long long)id);
	return buf;
}

/*
 * Takes slot `s` for change `c`: the rules (patient side) and the
 * conditional update that only one booking can win.
 */
static enum err
take_slot(struct db *db, struct appointment_change *c, const struct slot *s,
	  struct appointment_rule *rule)
{
	static const char sql_take[] =
		"UPDATE appointment_slot SET status = 'booked', "
		"version = version + 1 WHERE id = $1 AND status = 'open'";
	struct stmt *st;
	bool ours;
	enum err e;

	if ((e = appointment_rule_get(db, s->unit_id, rule)) != ERR_OK)
		return e;
	c->starts_at = s->starts_at;
	if (s->starts_at <= c->now) {
		c->refusal = APPT_PAST;
		return ERR_FORBIDDEN;
	}
	if (c->patient_side) {
		if ((e = slot_is_for_patient(db, c->patient_id, s, &ours)) !=
		    ERR_OK)
			return e;
		if (!ours)
			return ERR_NOT_FOUND;
		c->refusal = appointment_may_book(rule, c->now, s->starts_at);
		if (c->refusal != APPT_NONE)
			return ERR_FORBIDDEN;
	}
	if (!(st = db_prepare(db, sql_take)))
		return ERR_DB;
	stmt_bind_int(st, 1, s->id);
	if ((e = stmt_exec_one(st)) == ERR_NOT_FOUND) {
		c->refusal = APPT_TAKEN;
		return ERR_CONFLICT;
	}
	return e;
}

/* The reminder of appointment `id` starting at `starts_at` (withdrawn,
 * then scheduled again when `remind`), and a word to the patient when
 * staff made the change. */
static enum err
notify(struct db *db, const struct appointment_change *c,
       const struct appointment_rule *rule, int64_t id, int64_t starts_at,
       bool remind)
{
	char buf[LINK_MAX];
	const char *link = link_of(buf, id);
	int64_t at = appointment_reminder_at(rule, c->now, starts_at);
	enum err e;

	if ((e = outbox_withdraw(db, OUTBOX_REMINDER, link)) != ERR_OK)
		return e;
	if (remind && at &&
	    (e = outbox_notify_patient_at(db, c->patient_id, OUTBOX_REMINDER,
					  link, c->now, at)) != ERR_OK)
		return e;
	if (!c->patient_side)
		return outbox_notify_patient(db, c->patient_id,
					     OUTBOX_APPOINTMENT, link, c->now);
	return ERR_OK;
}

enum err
appointment_consultation_is_patients(struct db *db, int64_t consultation_id,
				     int64_t patient_id, bool *out)
{
	static const char sql[] =
		"SELECT 1 FROM consultation WHERE id = $1 AND patient_id = $2";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, consultation_id);
	stmt_bind_int(st, 2, patient_id);
	*out = stmt_row(st);
	return stmt_done(st);
}

enum err
appointment_book(struct db *db, void *arg)
{
	static const char sql_insert[] =
		"INSERT INTO appointment (id, org_id, patient_id, slot_id, "
		"professional_id, unit_id, starts_at, ends_at, modality, "
		"reason, channel, booked_by, booked_at, consultation_id) "
		"SELECT $1, $2, $3, $4, $5, $6, $7, $8, modality, $9, $10, "
		"$11, $12, $13 FROM appointment_slot WHERE id = $4";
	struct appointment_change *c = arg;
	struct appointment_rule rule;
	struct problems ps = {0};
	struct slot s;
	struct stmt *st;
	bool valid = false;
	enum err e;

	c->refusal = APPT_NONE;
	appointment_reason_validate(c->reason, &ps);
	if (ps.n)
		return ERR_INVALID;
	if ((e = slot_get(db, NULL, c->org_id, c->slot_id, &s)) != ERR_OK)
		return e;
	if ((e = take_slot(db, c, &s, &rule)) != ERR_OK)
		return e;
	if (c->consultation_id &&
	    (e = appointment_consultation_is_patients(db, c->consultation_id,
						      c->patient_id,
						      &valid)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->id);
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_int(st, 3, c->patient_id);
	stmt_bind_int(st, 4, s.id);
	stmt_bind_int(st, 5, s.professional_id);
	stmt_bind_int(st, 6, s.unit_id);
	stmt_bind_int(st, 7, s.starts_at);
	stmt_bind_int(st, 8, s.ends_at);
	stmt_bind_str(st, 9, c->reason ? c->reason : "");
	stmt_bind_str(st, 10, c->channel ? c->channel : "web");
	stmt_bind_int(st, 11, c->actor_id);
	stmt_bind_int(st, 12, c->now);
	stmt_bind_int(st, 13, valid ? c->consultation_id : 0);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	return notify(db, c, &rule, c->id, s.starts_at, true);
}

/* The numbers of appointment `id` of the patient, for a change. */
struct current {
	int64_t slot_id;
	int64_t unit_id;
	int64_t starts_at;
	bool booked;
	bool marked;		/* attended or no_show */
};

static enum err
current_get(struct db *db, const struct appointment_change *c, int64_t id,
	    int64_t patient_id, struct current *out)
{
	static const char sql[] =
		"SELECT slot_id, unit_id, starts_at, status FROM appointment "
		"WHERE id = $1 AND patient_id = $2 AND org_id = $3";
	struct stmt *st = db_prepare(db, sql);
	bool found;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	stmt_bind_int(st, 3, c->org_id);
	if ((found = stmt_row(st))) {
		const char *status = stmt_text(st, 3);

		out->slot_id = stmt_int(st, 0);
		out->unit_id = stmt_int(st, 1);
		out->starts_at = stmt_int(st, 2);
		out->booked = status && !strcmp(status, "booked");
		out->marked = status && (!strcmp(status, "attended") ||
					 !strcmp(status, "no_show"));
	}
	e = stmt_done(st);
	return e != ERR_OK ? e : found ? ERR_OK : ERR_NOT_FOUND;
}

static enum err
release_slot(struct db *db, int64_t slot_id)
{
	static const char sql[] =
		"UPDATE appointment_slot SET status = 'open', "
		"version = version + 1 WHERE id = $1 AND status = 'booked'";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, slot_id);
	return stmt_exec(st);
}

/*
 * Whether booked appointment `c->id` may be changed: found (`cur`), still
 * booked, and not started; on the patient's side also within the rule
 * `patient_may` of its unit (`rule`). Sets c->refusal and c->starts_at.
 */
static enum err
may_change(struct db *db, struct appointment_change *c,
	   enum appt_refusal (*patient_may)(const struct appointment_rule *,
					    int64_t, int64_t),
	   struct current *cur, struct appointment_rule *rule)
{
	enum err e;

	c->refusal = APPT_NONE;
	if ((e = current_get(db, c, c->id, c->patient_id, cur)) != ERR_OK)
		return e;
	if (!cur->booked) {
		c->refusal = APPT_NOT_BOOKED;
		return ERR_CONFLICT;
	}
	if ((e = appointment_rule_get(db, cur->unit_id, rule)) != ERR_OK)
		return e;
	c->starts_at = cur->starts_at;
	c->refusal = c->patient_side ? patient_may(rule, c->now, cur->starts_at)
		     : cur->starts_at <= c->now ? APPT_PAST
						: APPT_NONE;
	return c->refusal == APPT_NONE ? ERR_OK : ERR_FORBIDDEN;
}

enum err
appointment_move(struct db *db, void *arg)
{
	static const char sql_move[] =
		"UPDATE appointment SET slot_id = $2, professional_id = $3, "
		"unit_id = $4, starts_at = $5, ends_at = $6, "
		"modality = (SELECT modality FROM appointment_slot "
		"WHERE id = $2), moved_count = moved_count + 1, "
		"version = version + 1 WHERE id = $1 AND status = 'booked'";
	struct appointment_change *c = arg;
	struct appointment_rule rule;
	struct current cur;
	struct slot s;
	struct stmt *st;
	enum err e;

	if ((e = may_change(db, c, appointment_may_move_from, &cur, &rule)) !=
	    ERR_OK)
		return e;
	if ((e = slot_get(db, NULL, c->org_id, c->slot_id, &s)) != ERR_OK)
		return e;
	if ((e = take_slot(db, c, &s, &rule)) != ERR_OK)
		return e;
	if ((e = release_slot(db, cur.slot_id)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_move)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->id);
	stmt_bind_int(st, 2, s.id);
	stmt_bind_int(st, 3, s.professional_id);
	stmt_bind_int(st, 4, s.unit_id);
	stmt_bind_int(st, 5, s.starts_at);
	stmt_bind_int(st, 6, s.ends_at);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e;
	return notify(db, c, &rule, c->id, s.starts_at, true);
}

enum err
appointment_cancel(struct db *db, void *arg)
{
	static const char sql_cancel[] =
		"UPDATE appointment SET status = 'cancelled', "
		"cancelled_by = $2, cancelled_at = $3, late_cancel = $4, "
		"version = version + 1 WHERE id = $1 AND status = 'booked'";
	struct appointment_change *c = arg;
	struct appointment_rule rule;
	struct current cur;
	struct stmt *st;
	enum err e;

	if ((e = may_change(db, c, appointment_may_cancel, &cur, &rule)) !=
	    ERR_OK)
		return e;
	c->late = appointment_is_late_cancel(&rule, c->now, cur.starts_at);
	if (!(st = db_prepare(db, sql_cancel)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->id);
	stmt_bind_int(st, 2, c->actor_id);
	stmt_bind_int(st, 3, c->now);
	stmt_bind_int(st, 4, c->late);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e;
	if ((e = release_slot(db, cur.slot_id)) != ERR_OK)
		return e;
	return notify(db, c, &rule, c->id, cur.starts_at, false);
}

enum err
appointment_mark(struct db *db, void *arg)
{
	static const char sql_mark[] =
		"UPDATE appointment SET status = $2, marked_by = $3, "
		"marked_at = $4, version = version + 1 WHERE id = $1 "
		"AND status IN ('booked', 'attended', 'no_show')";
	struct appointment_mark *m = arg;
	struct appointment_change c = {.org_id = m->org_id};
	struct current cur;
	struct stmt *st;
	enum err e;

	m->refusal = APPT_NONE;
	if ((e = current_get(db, &c, m->id, m->patient_id, &cur)) != ERR_OK)
		return e;
	if (!cur.booked && !cur.marked) {
		m->refusal = APPT_NOT_BOOKED;
		return ERR_CONFLICT;
	}
	if (m->now < cur.starts_at) {
		m->refusal = APPT_NOT_STARTED;
		return ERR_FORBIDDEN;
	}
	if (!(st = db_prepare(db, sql_mark)))
		return ERR_DB;
	stmt_bind_int(st, 1, m->id);
	stmt_bind_str(st, 2, m->attended ? "attended" : "no_show");
	stmt_bind_int(st, 3, m->actor_id);
	stmt_bind_int(st, 4, m->now);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e;
	/* Once attendance is known the reminder has no more use. */
	{
		char buf[LINK_MAX];

		return outbox_withdraw(db, OUTBOX_REMINDER,
				       link_of(buf, m->id));
	}
}

/* --- reads ---------------------------------------------------------------- */

#define APPT_COLS                                                         \
	"ap.id, ap.org_id, ap.patient_id, "                                 \
	"pa.given_name || ' ' || pa.family_name, ap.slot_id, "             \
	"ap.professional_id, COALESCE(pr.display_name, ''), ap.unit_id, "  \
	"ap.starts_at, ap.ends_at, ap.modality, COALESCE(s.place, ''), "   \
	"COALESCE(s.link, ''), ap.reason, ap.status, ap.channel, "         \
	"ap.booked_by, ap.booked_at, ap.cancelled_by, ap.cancelled_at, "   \
	"ap.late_cancel, ap.consultation_id, ap.version, ap.moved_count "  \
	"FROM appointment ap JOIN patient pa ON pa.id = ap.patient_id "    \
	"LEFT JOIN account pr ON pr.id = ap.professional_id "              \
	"LEFT JOIN appointment_slot s ON s.id = ap.slot_id "

static void
read_appointment(struct stmt *st, struct arena *a, void *out)
{
	struct appointment *p = out;

	p->id = stmt_int(st, 0);
	p->org_id = stmt_int(st, 1);
	p->patient_id = stmt_int(st, 2);
	p->patient_name = stmt_text_dup(st, 3, a);
	p->slot_id = stmt_int(st, 4);
	p->professional_id = stmt_int(st, 5);
	p->professional_name = stmt_text_dup(st, 6, a);
	p->unit_id = stmt_int(st, 7);
	p->starts_at = stmt_int(st, 8);
	p->ends_at = stmt_int(st, 9);
	p->modality = stmt_text_dup(st, 10, a);
	p->place = stmt_text_dup(st, 11, a);
	p->link = stmt_text_dup(st, 12, a);
	p->reason = stmt_text_dup(st, 13, a);
	p->status = stmt_text_dup(st, 14, a);
	p->channel = stmt_text_dup(st, 15, a);
	p->booked_by = stmt_int(st, 16);
	p->booked_at = stmt_int(st, 17);
	p->cancelled_by = stmt_int(st, 18);
	p->cancelled_at = stmt_int(st, 19);
	p->late_cancel = stmt_int(st, 20) != 0;
	p->consultation_id = stmt_int(st, 21);
	p->version = (int)stmt_int(st, 22);
	p->moved_count = (int)stmt_int(st, 23);
}

enum err
appointment_get(struct db *db, struct arena *a, int64_t org_id, int64_t id,
		struct appointment *out)
{
	static const char sql[] =
		"SELECT " APPT_COLS "WHERE ap.id = $1 AND ap.org_id = $2";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, org_id);
	return stmt_get(st, a, read_appointment, out);
}

enum err
appointment_list_patient(struct db *db, struct arena *a, int64_t patient_id,
			 size_t max, struct appointment **out, size_t *count)
{
	static const char sql[] =
		"SELECT " APPT_COLS "WHERE ap.patient_id = $1 "
		"ORDER BY ap.starts_at DESC, ap.id DESC LIMIT $2";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_appointment, out,
			 count);
}

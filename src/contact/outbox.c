/*
 * Writing notifications into the outbox (see outbox.h).
 */
#include "contact/outbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

static const char *const event_names[OUTBOX__MAX] = {
#define OUTBOX_EVENT_NAME(id, name) [OUTBOX_##id] = name,
	OUTBOX_EVENT_MAP(OUTBOX_EVENT_NAME)
#undef OUTBOX_EVENT_NAME
};

const char *
outbox_event_name(enum outbox_event e)
{
	return (unsigned)e < OUTBOX__MAX ? event_names[e] : "message";
}

/* The first moment at or after `now` outside quiet hours [start, end)
 * (minutes from local midnight; the span may cross midnight). */
static int64_t
after_quiet_hours(int64_t now, int start, int end)
{
	struct tm tm;
	time_t t = (time_t)now;
	int min, wait;

	if (start == end || !localtime_r(&t, &tm))
		return now;
	min = tm.tm_hour * 60 + tm.tm_min;
	if (start < end ? (min < start || min >= end)
			: (min < start && min >= end))
		return now;
	wait = (end - min + 24 * 60) % (24 * 60);
	return now + (int64_t)wait * 60 - tm.tm_sec;
}

static enum err
add(struct db *db, int64_t org_id, int64_t account_id, const char *channel,
    const char *address, enum outbox_event event, const char *link,
    int64_t now, int64_t next_at)
{
	static const char sql[] =
		"INSERT INTO outbox (id, org_id, account_id, channel, address, "
		"event, link, created_at, next_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, account_id);
	stmt_bind_str(st, 4, channel);
	stmt_bind_str(st, 5, address);
	stmt_bind_str(st, 6, outbox_event_name(event));
	stmt_bind_str(st, 7, link);
	stmt_bind_int(st, 8, now);
	stmt_bind_int(st, 9, next_at);
	return stmt_exec(st);
}

enum err
outbox_notify(struct db *db, int64_t account_id, enum outbox_event event,
	      const char *link, int64_t now)
{
	return outbox_notify_at(db, account_id, event, link, now, now);
}

enum err
outbox_notify_at(struct db *db, int64_t account_id, enum outbox_event event,
		 const char *link, int64_t now, int64_t at)
{
	static const char sql[] =
		"SELECT a.org_id, a.email, COALESCE(p.by_email, 1), "
		"COALESCE(p.by_sms, 0), COALESCE(p.phone, ''), "
		"COALESCE(p.quiet_start_min, 0), COALESCE(p.quiet_end_min, 0) "
		"FROM account a LEFT JOIN notification_pref p "
		"ON p.account_id = a.id WHERE a.id = $1 AND a.disabled = 0";
	struct stmt *st = db_prepare(db, sql);
	char email[256] = "", phone[64] = "";
	int64_t org_id, next_at;
	bool by_email, by_sms;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	if (!stmt_row(st))
		return stmt_done(st);
	org_id = stmt_int(st, 0);
	snprintf(email, sizeof(email), "%s", stmt_text(st, 1));
	by_email = stmt_int(st, 2) != 0;
	by_sms = stmt_int(st, 3) != 0;
	snprintf(phone, sizeof(phone), "%s", stmt_text(st, 4));
	next_at = after_quiet_hours(at > now ? at : now, (int)stmt_int(st, 5),
				    (int)stmt_int(st, 6));
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (by_email && email[0] &&
	    (e = add(db, org_id, account_id, "email", email, event, link, now,
		     next_at)) != ERR_OK)
		return e;
	if (by_sms && phone[0] &&
	    (e = add(db, org_id, account_id, "sms", phone, event, link, now,
		     next_at)) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err
outbox_notify_patient(struct db *db, int64_t patient_id,
		      enum outbox_event event, const char *link, int64_t now)
{
	return outbox_notify_patient_at(db, patient_id, event, link, now, now);
}

enum err
outbox_notify_patient_at(struct db *db, int64_t patient_id,
			 enum outbox_event event, const char *link,
			 int64_t now, int64_t at)
{
	static const char sql[] =
		"SELECT id FROM account WHERE patient_id = $1 AND "
		"role = 'patient' AND disabled = 0 ORDER BY id LIMIT 4";
	struct stmt *st = db_prepare(db, sql);
	int64_t ids[4];
	size_t n = 0, i;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	while (n < 4 && stmt_row(st))
		ids[n++] = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((e = outbox_notify_at(db, ids[i], event, link, now,
					  at)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
outbox_withdraw(struct db *db, enum outbox_event event, const char *link)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'withdrawn' WHERE event = $1 AND "
		"link = $2 AND status = 'pending'";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, outbox_event_name(event));
	stmt_bind_str(st, 2, link);
	return stmt_exec(st);
}

/*
 * The delivery state of the outbox (see outbox.h): which rows are due,
 * a worker's claim on one, and what became of each try. The worker in
 * deliver.c calls these inside its own writes; the administrator's page
 * reads the counts and the dead-letter list and tries dead rows again.
 */
#include "contact/outbox.h"

#include <string.h>

#include "core/arena.h"
#include "store/store.h"
#include "core/banned.h"

static const char *const status_names[OUTBOX_STATUS__MAX] = {
#define OUTBOX_STATUS_NAME(id, name) [OUTBOX_STATUS_##id] = name,
	OUTBOX_STATUS_MAP(OUTBOX_STATUS_NAME)
#undef OUTBOX_STATUS_NAME
};

const char *
outbox_status_name(enum outbox_status s)
{
	return (unsigned)s < OUTBOX_STATUS__MAX ? status_names[s] : "pending";
}

int64_t
outbox_backoff(int attempts, int64_t min_s, int64_t max_s, uint32_t rnd)
{
	int64_t wait = min_s < 1 ? 1 : min_s;
	int i;

	if (max_s < wait)
		max_s = wait;
	for (i = 1; i < attempts && wait < max_s; i++)
		wait *= 2;
	if (wait > max_s)
		wait = max_s;
	/* Jitter: take off up to a quarter, never below 1 s. */
	wait -= (int64_t)(rnd % 1024) * (wait / 4) / 1024;
	return wait < 1 ? 1 : wait;
}

enum err
outbox_due(struct db *db, int64_t now, size_t max, int64_t *ids, size_t *n)
{
	static const char sql[] =
		"SELECT id FROM outbox WHERE status = 'pending' AND "
		"next_at <= $1 AND claimed_until < $1 "
		"ORDER BY next_at, id LIMIT $2";
	struct stmt *st = db_prepare(db, sql);

	*n = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, now);
	stmt_bind_int(st, 2, (int64_t)max);
	while (*n < max && stmt_row(st))
		ids[(*n)++] = stmt_int(st, 0);
	return stmt_done(st);
}

enum err
outbox_claim(struct db *db, int64_t id, int64_t now, int64_t until)
{
	static const char sql[] =
		"UPDATE outbox SET claimed_until = $3 WHERE id = $1 AND "
		"status = 'pending' AND next_at <= $2 AND claimed_until < $2";
	struct stmt *st = db_prepare(db, sql);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, now);
	stmt_bind_int(st, 3, until);
	e = stmt_exec_one(st);
	return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

static void
read_row(struct stmt *st, struct arena *a, void *out)
{
	struct outbox_row *r = out;

	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->account_id = stmt_int(st, 2);
	r->channel = stmt_text_dup(st, 3, a);
	r->address = stmt_text_dup(st, 4, a);
	r->event = stmt_text_dup(st, 5, a);
	r->link = stmt_text_dup(st, 6, a);
	r->status = stmt_text_dup(st, 7, a);
	r->last_error = stmt_text_dup(st, 8, a);
	r->created_at = stmt_int(st, 9);
	r->next_at = stmt_int(st, 10);
	r->claimed_until = stmt_int(st, 11);
	r->sent_at = stmt_int(st, 12);
	r->last_attempt_at = stmt_int(st, 13);
	r->attempts = (int)stmt_int(st, 14);
	r->language = "";
}

static void
read_row_lang(struct stmt *st, struct arena *a, void *out)
{
	struct outbox_row *r = out;

	read_row(st, a, out);
	r->language = stmt_text_dup(st, 15, a);
}

enum err
outbox_get(struct db *db, struct arena *a, int64_t id,
	   struct outbox_row *out)
{
	/* The account's own choice, else its patient record's. */
	static const char sql[] =
		"SELECT o.id, o.org_id, o.account_id, o.channel, o.address, "
		"o.event, o.link, o.status, o.last_error, o.created_at, "
		"o.next_at, o.claimed_until, o.sent_at, o.last_attempt_at, "
		"o.attempts, COALESCE(NULLIF(a.language, ''), "
		"p.preferred_language, '') FROM outbox o "
		"LEFT JOIN account a ON a.id = o.account_id "
		"LEFT JOIN patient p ON p.id = a.patient_id WHERE o.id = $1";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_row_lang, out);
}

enum err
outbox_mark_sent(struct db *db, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'sent', sent_at = $2, "
		"last_attempt_at = $2, attempts = attempts + 1, "
		"claimed_until = 0 WHERE id = $1 AND status = 'pending'";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, now);
	return stmt_exec_one(st);
}

enum err
outbox_mark_failed(struct db *db, int64_t id, int64_t now, const char *why,
		   int64_t next_at, int max_attempts, bool *dead)
{
	static const char sql[] =
		"UPDATE outbox SET attempts = attempts + 1, last_error = $3, "
		"last_attempt_at = $2, next_at = $4, claimed_until = 0, "
		"status = CASE WHEN attempts + 1 >= $5 THEN 'dead' "
		"ELSE 'pending' END WHERE id = $1 AND status = 'pending'";
	static const char sql_status[] =
		"SELECT status FROM outbox WHERE id = $1";
	struct stmt *st = db_prepare(db, sql);
	enum err e;

	*dead = false;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, now);
	stmt_bind_str(st, 3, why);
	stmt_bind_int(st, 4, next_at);
	stmt_bind_int(st, 5, max_attempts);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_status)))
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	if (stmt_row(st))
		*dead = stmt_text(st, 0) && !strcmp(stmt_text(st, 0), "dead");
	return stmt_done(st);
}

enum err
outbox_release(struct db *db, int64_t id)
{
	static const char sql[] =
		"UPDATE outbox SET claimed_until = 0 WHERE id = $1 AND "
		"status = 'pending'";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_exec(st);
}

enum err
outbox_retry(struct db *db, int64_t org_id, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'pending', attempts = 0, "
		"next_at = $3, claimed_until = 0 WHERE id = $1 AND "
		"org_id = $2 AND status = 'dead'";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, now);
	return stmt_exec_one(st);
}

enum err
outbox_retry_all(struct db *db, int64_t org_id, int64_t now, int64_t *n)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'pending', attempts = 0, "
		"next_at = $2, claimed_until = 0 WHERE org_id = $1 AND "
		"status = 'dead'";
	struct stmt *st = db_prepare(db, sql);
	enum err e;

	*n = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, now);
	if ((e = stmt_exec(st)) == ERR_OK)
		*n = stmt_changes(st);
	return e;
}

enum err
outbox_count(struct db *db, int64_t org_id,
	     int64_t counts[OUTBOX_STATUS__MAX])
{
	static const char sql_org[] =
		"SELECT status, COUNT(*) FROM outbox WHERE org_id = $1 "
		"GROUP BY status";
	static const char sql_all[] =
		"SELECT status, COUNT(*) FROM outbox GROUP BY status";
	struct stmt *st = db_prepare(db, org_id ? sql_org : sql_all);
	int s;

	memset(counts, 0, sizeof(int64_t) * OUTBOX_STATUS__MAX);
	if (!st)
		return ERR_DB;
	if (org_id)
		stmt_bind_int(st, 1, org_id);
	while (stmt_row(st)) {
		const char *name = stmt_text(st, 0);

		for (s = 0; name && s < OUTBOX_STATUS__MAX; s++)
			if (!strcmp(name, status_names[s]))
				counts[s] = stmt_int(st, 1);
	}
	return stmt_done(st);
}

enum err
outbox_dead_list(struct db *db, struct arena *a, int64_t org_id, size_t max,
		 struct outbox_row **rows, size_t *n)
{
	static const char sql[] =
		"SELECT o.id, o.org_id, o.account_id, o.channel, o.address, "
		"o.event, o.link, o.status, o.last_error, o.created_at, "
		"o.next_at, o.claimed_until, o.sent_at, o.last_attempt_at, "
		"o.attempts FROM outbox o WHERE o.org_id = $1 AND "
		"o.status = 'dead' ORDER BY o.last_attempt_at DESC, o.id DESC "
		"LIMIT $2";
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, (int64_t)max);
	return stmt_list(st, a, sizeof(**rows), max, read_row, rows, n);
}

const char *
outbox_mask(struct arena *a, const char *channel, const char *address)
{
	size_t n = strlen(address);
	const char *at = strchr(address, '@');

	if (!strcmp(channel, "email") && at && at > address &&
	    !(address[0] & 0x80))
		return arena_printf(a, "%c\u2022\u2022\u2022%s", address[0],
				    at);
	if (n > 4)
		return arena_printf(a, "\u2022\u2022\u2022\u2022%s",
				    address + n - 4);
	return "\u2022\u2022\u2022\u2022";
}

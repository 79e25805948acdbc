/*
 * Demo notifications. A third of the demo patients asked for text
 * messages (made-up Spanish mobile numbers), some with quiet hours at
 * night; over the past year each was told of something new a couple of
 * times a month, every notification handed over to the gateway within
 * seconds or, now and then, after a few tries. Three from this week are
 * on the dead-letter list (the gateway refused them) and two wait, so
 * the administrator's Notifications page shows something at once. The
 * preferences are written as the patients, the deliveries as the system,
 * through write_within().
 */
#include "demo/demo_care.h"

#include <string.h>

#include "auth/write.h"
#include "contact/outbox.h"
#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define EVERY_NTH 3
#define PER_YEAR 24

static uint32_t
next_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

struct pref_job {
	int64_t org_id, account_id, now;
	struct outbox_pref p;
};

static enum err
pref_fn(struct db *db, void *arg)
{
	struct pref_job *j = arg;

	return outbox_pref_set(db, j->org_id, j->account_id, &j->p, j->now);
}

/* The year of one person's text messages. */
struct history_job {
	struct demo_care *d;
	int64_t account_id;
	const char *phone;
	const char *link;	/* the patient's record */
	uint32_t seed;
	int dead;		/* how many end on the dead-letter list */
	int pending;
};

static enum err
history_fn(struct db *db, void *arg)
{
	static const char sql[] =
		"INSERT INTO outbox (id, org_id, account_id, channel, "
		"address, event, link, created_at, next_at, attempts, "
		"status, last_error, sent_at, last_attempt_at) VALUES ($1, "
		"$2, $3, 'sms', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
	static const char *const events[] = {"message", "message",
					     "consultation", "appointment",
					     "reminder"};
	struct history_job *j = arg;
	int64_t now = j->d->now, created, done;
	int i, n = PER_YEAR + j->dead + j->pending, tries;
	const char *event, *status, *error;
	struct stmt *st;
	enum err e;

	for (i = 0; i < n; i++) {
		if (!(st = db_prepare(db, sql)))
			return ERR_DB;
		event = events[next_rand(&j->seed) % 5];
		tries = next_rand(&j->seed) % 10 == 0
				? 2 + (int)(next_rand(&j->seed) % 3)
				: 1;
		status = "sent";
		error = "";
		if (i < PER_YEAR) {
			created = now - (int64_t)(365 - i * 15) * 86400 +
				  (int64_t)(next_rand(&j->seed) % 36000);
			done = created + 2 + (tries - 1) * 180;
		} else if (i < PER_YEAR + j->dead) {
			created = now - (int64_t)(1 + i % 5) * 86400;
			tries = 10;
			status = "dead";
			error = "the SMS gateway answered 503";
			done = created + 6 * 3600;
		} else {
			created = now - 60;
			tries = 0;
			status = "pending";
			done = 0;
		}
		stmt_bind_int(st, 1, id_new());
		stmt_bind_int(st, 2, j->d->org_id);
		stmt_bind_int(st, 3, j->account_id);
		stmt_bind_str(st, 4, j->phone);
		stmt_bind_str(st, 5, event);
		stmt_bind_str(st, 6, j->link);
		stmt_bind_int(st, 7, created);
		stmt_bind_int(st, 8, status[0] == 'p' ? now + 30 : created);
		stmt_bind_int(st, 9, tries);
		stmt_bind_str(st, 10, status);
		stmt_bind_str(st, 11, error);
		stmt_bind_int(st, 12, status[0] == 's' ? done : 0);
		stmt_bind_int(st, 13, done);
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
demo_contact_outbox(struct demo_care *d)
{
	struct write_info pw = {"update", "NotificationPreference", "", 0,
				"notifications", NULL, NULL};
	struct write_info hw = {"deliver", "Notification", "", 0,
				"demo-history", NULL, NULL};
	uint32_t seed = 1010;
	int dead_left = 3, pending_left = 2;
	size_t i;

	for (i = 1; i < d->n; i++) {
		const struct demo_care_patient *p = &d->patients[i];
		struct pref_job pj = {d->org_id, p->account_id, 0, {0}};
		struct history_job hj = {d, p->account_id, NULL, NULL, 0, 0, 0};
		struct ctx *c;
		int k;

		if (!p->account_id || i % EVERY_NTH != 0)
			continue;
		pj.p.by_email = true;
		pj.p.by_sms = true;
		memcpy(pj.p.phone, "+34600", 6);
		for (k = 6; k < 12; k++)
			pj.p.phone[k] = (char)('0' + next_rand(&seed) % 10);
		pj.p.phone[12] = '\0';
		if (i % 4 == 0) {
			pj.p.quiet_start = 22 * 60;
			pj.p.quiet_end = 8 * 60;
		}
		c = demo_care_as(d, p->account_id, ROLE_PATIENT, p, 370, 0);
		pj.now = c->now;
		pw.resource_id = arena_printf(d->a, "%lld",
					      (long long)p->account_id);
		DEMO_TRY(write_within(d->db, c, &pw, pref_fn, &pj));
		hj.phone = pj.p.phone;
		hj.link = arena_printf(d->a, "/patients/%lld",
				       (long long)p->id);
		if (!hj.link)
			return ERR_NOMEM;
		hj.seed = seed + (uint32_t)i;
		if (dead_left > 0) {
			hj.dead = 1;
			dead_left--;
		} else if (pending_left > 0) {
			hj.pending = 1;
			pending_left--;
		}
		c = demo_care_as(d, 0, ROLE_SYSTEM, NULL, 0, 0);
		DEMO_TRY(write_within(d->db, c, &hw, history_fn, &hj));
	}
	return ERR_OK;
}

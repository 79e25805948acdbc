/*
 * The notification outbox. A notification is written in the same
 * transaction as the event that caused it (a message, a consultation
 * step, an appointment), so it is stored exactly when the event is;
 * a worker delivers it later by email or SMS, with retries. It never
 * carries health details: the text is made from the event's kind and a
 * link alone.
 */
#ifndef CONTACT_OUTBOX_H
#define CONTACT_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

/* What a notification tells of (the text is chosen from this alone). */
#define OUTBOX_EVENT_MAP(X)                                               \
	X(MESSAGE, "message")                                              \
	X(CONSULTATION, "consultation")                                    \
	X(APPOINTMENT, "appointment")                                      \
	X(REMINDER, "reminder")

enum outbox_event {
#define OUTBOX_EVENT_ENUM(id, name) OUTBOX_##id,
	OUTBOX_EVENT_MAP(OUTBOX_EVENT_ENUM)
#undef OUTBOX_EVENT_ENUM
	OUTBOX__MAX
};

const char *outbox_event_name(enum outbox_event e);

/*
 * In the caller's write transaction: one outbox row for each channel
 * account `account_id` chose (email by default when they gave an
 * address; SMS when they turned it on and gave a number), due at `now`
 * or at the end of their quiet hours. `link` is a path such as
 * "/messages/12" (the worker puts the site's address before it). An
 * account with no channel gets nothing and that is not an error.
 */
enum err outbox_notify(struct db *db, int64_t account_id,
		       enum outbox_event event, const char *link,
		       int64_t now);

/* The same for every active account of patient `patient_id` (the
 * patient's own login). */
enum err outbox_notify_patient(struct db *db, int64_t patient_id,
			       enum outbox_event event, const char *link,
			       int64_t now);

/* outbox_notify() due at `at` rather than now (an appointment's
 * reminder), still moved out of the person's quiet hours. */
enum err outbox_notify_at(struct db *db, int64_t account_id,
			  enum outbox_event event, const char *link,
			  int64_t now, int64_t at);

/* outbox_notify_patient() due at `at`. */
enum err outbox_notify_patient_at(struct db *db, int64_t patient_id,
				  enum outbox_event event, const char *link,
				  int64_t now, int64_t at);

/* Withdraws the notifications of `event` about `link` not yet sent (a
 * cancelled appointment's reminder), in the caller's transaction. */
enum err outbox_withdraw(struct db *db, enum outbox_event event,
			 const char *link);

/* --- Delivery state (outbox_queue.c) --------------------------------- */

/* A row's status: waiting (or being tried again), handed over to the
 * SMTP server or SMS gateway, given up (the dead-letter list), or
 * withdrawn before it was sent. */
#define OUTBOX_STATUS_MAP(X)                                               \
	X(PENDING, "pending")                                              \
	X(SENT, "sent")                                                    \
	X(DEAD, "dead")                                                    \
	X(WITHDRAWN, "withdrawn")

enum outbox_status {
#define OUTBOX_STATUS_ENUM(id, name) OUTBOX_STATUS_##id,
	OUTBOX_STATUS_MAP(OUTBOX_STATUS_ENUM)
#undef OUTBOX_STATUS_ENUM
	OUTBOX_STATUS__MAX
};

const char *outbox_status_name(enum outbox_status s);

/* One notification as stored; strings are in the caller's arena. */
struct outbox_row {
	int64_t id;
	int64_t org_id;
	int64_t account_id;
	const char *channel;	/* "email", "sms" */
	const char *address;	/* an email address or a phone number */
	const char *event;	/* outbox_event_name() */
	const char *link;	/* a path such as "/messages/12" */
	const char *status;	/* outbox_status_name() */
	const char *last_error;	/* "" or a few words, never health data */
	const char *language;	/* the person's: "en", "es" ("" unknown) */
	int64_t created_at;
	int64_t next_at;
	int64_t claimed_until;
	int64_t sent_at;
	int64_t last_attempt_at;
	int attempts;
};

/*
 * Seconds to wait after the `attempts`-th failed try: `min_s` doubled
 * for each try before it (min_s, 2 min_s, 4 min_s, ...), at most `max_s`,
 * less up to a quarter at random (`rnd`, any 32-bit value) so that many
 * rows that failed together do not come back together. Never below 1.
 */
int64_t outbox_backoff(int attempts, int64_t min_s, int64_t max_s,
		       uint32_t rnd);

/*
 * Up to `max` ids of rows due at `now` (pending, next_at <= now, no live
 * claim), oldest due first, into `ids` (`*n` of them). A read.
 */
enum err outbox_due(struct db *db, int64_t now, size_t max,
		    int64_t *ids /* out */, size_t *n /* out */);

/*
 * In the writer's transaction: takes row `id` for a worker until `until`
 * when it is still due at `now` and nobody holds it. ERR_OK when taken,
 * ERR_CONFLICT when another worker was quicker (nothing changed); safe
 * with several processes on one PostgreSQL (the row count decides).
 */
enum err outbox_claim(struct db *db, int64_t id, int64_t now, int64_t until);

/* Row `id` with its person's language; ERR_NOT_FOUND when absent. */
enum err outbox_get(struct db *db, struct arena *a, int64_t id,
		    struct outbox_row *out);

/* Records row `id` handed over at `now` (status 'sent'). ERR_NOT_FOUND
 * when it is no longer pending (withdrawn meanwhile). */
enum err outbox_mark_sent(struct db *db, int64_t id, int64_t now);

/*
 * Records a failed try of row `id` at `now`: attempts + 1, `why` as the
 * last error, due again at `next_at` — or status 'dead' when that makes
 * `max_attempts` tries (`*dead` says which). ERR_NOT_FOUND when the row
 * is no longer pending.
 */
enum err outbox_mark_failed(struct db *db, int64_t id, int64_t now,
			    const char *why, int64_t next_at,
			    int max_attempts, bool *dead /* out */);

/* Lets go of row `id` without counting a try (a worker stopping while it
 * sent): due again at once. */
enum err outbox_release(struct db *db, int64_t id);

/*
 * Puts dead row `id` of organisation `org_id` back in the queue, due at
 * `now` with its tries reset. ERR_NOT_FOUND when it is not a dead row of
 * that organisation (nothing changed).
 */
enum err outbox_retry(struct db *db, int64_t org_id, int64_t id,
		      int64_t now);

/* The same for every dead row of `org_id`; `*n` rows re-queued. */
enum err outbox_retry_all(struct db *db, int64_t org_id, int64_t now,
			  int64_t *n /* out */);

/* Rows by status, of `org_id` (0: every organisation, for /metrics). */
enum err outbox_count(struct db *db, int64_t org_id,
		      int64_t counts[OUTBOX_STATUS__MAX] /* out */);

/* The newest `max` dead rows of `org_id` into a new arena array. */
enum err outbox_dead_list(struct db *db, struct arena *a, int64_t org_id,
			  size_t max, struct outbox_row **rows /* out */,
			  size_t *n /* out */);

/* An address shown with most of it hidden: "p•••@example.org",
 * "•••••••1234". */
const char *outbox_mask(struct arena *a, const char *channel,
			const char *address);

/* --- A person's preferences (outbox_pref.c) -------------------------- */

#define OUTBOX_PHONE_MAX 20

struct outbox_pref {
	bool by_email;
	bool by_sms;
	char phone[OUTBOX_PHONE_MAX + 1];	/* "+" and digits, or "" */
	int quiet_start;	/* minutes from local midnight; start = end: */
	int quiet_end;		/* no quiet hours */
};

/* Account `account_id`'s preferences, or the defaults (email on, SMS
 * off, no quiet hours) when they never chose. */
enum err outbox_pref_get(struct db *db, int64_t account_id,
			 struct outbox_pref *out);

/* In the caller's write transaction: stores `p` for the account. */
enum err outbox_pref_set(struct db *db, int64_t org_id, int64_t account_id,
			 const struct outbox_pref *p, int64_t now);

/*
 * A phone number with its country code as people write it ("+34 600 12
 * 34 56", "0044 20 7946 0000"; spaces, dots, dashes and brackets are
 * dropped) normalised to "+" and 8 to 15 digits into `out`; false when
 * it is not one (no country code, letters, too short or too long).
 */
bool outbox_phone_parse(const char *s, char out[OUTBOX_PHONE_MAX + 1]);

/* "HH:MM" (00:00 to 23:59) as minutes from midnight; false otherwise. */
bool outbox_time_parse(const char *s, int *min /* out */);

#endif

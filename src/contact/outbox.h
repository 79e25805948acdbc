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

#include <stdint.h>

#include "core/err.h"

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

#endif

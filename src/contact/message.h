/*
 * Secure messaging: threads between a patient (or a caregiver acting
 * within the scope the patient granted) and their care team, one
 * professional of it, or a unit's inbox. Only the patient's care team
 * and its units can be addressed. Each message is stored once however
 * often its form is sent (its request key is unique), with an outbox
 * notification for the other side in the same transaction. Read status
 * is kept per person, as the place in the thread they have read up to.
 *
 * The write functions have the signature write_commit() expects: they
 * run inside the caller's transaction, check what they need and store
 * nothing on error.
 */
#ifndef CONTACT_MESSAGE_H
#define CONTACT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance and audit resource types. */
#define MESSAGE_RES "Message"
#define MESSAGE_RES_READ "MessageRead"
#define MESSAGE_RES_TEMPLATE "MessageTemplate"
#define MESSAGE_RES_ATTACHMENT "MessageAttachment"

/* The two sides of the patient-staff line, as stored. */
#define MESSAGE_SIDE_PATIENT "patient"
#define MESSAGE_SIDE_STAFF "staff"

#define MESSAGE_SUBJECT_MAX 200		/* characters */
#define MESSAGE_BODY_MAX 5000		/* characters */
#define MESSAGE_KEY_MIN 16		/* request key, bytes */
#define MESSAGE_KEY_MAX 64
#define MESSAGE_THREADS_MAX 100		/* threads listed at once */
#define MESSAGE_THREAD_MAX 500		/* messages shown in one thread */
#define MESSAGE_TEMPLATES_MAX 100	/* quick replies of an organisation */
#define MESSAGE_TEMPLATE_TITLE_MAX 100

struct message_thread {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *patient_name;	/* read only */
	int64_t unit_id;		/* 0: the care team */
	const char *unit_name;		/* read only; "" for the team */
	const char *subject;
	int64_t started_by;
	const char *started_side;
	const char *channel;
	int64_t created_at;
	int64_t first_reply_at;		/* 0 until the other side answered */
	int64_t last_message_at;
	int64_t to_account;		/* 0: none named */
	const char *to_name;		/* read only */
	int messages;
	int unread;			/* lists only: for the reader */
};

struct message {
	int64_t id;
	int64_t thread_id;
	int64_t author_id;
	const char *author_name;	/* read only */
	const char *author_side;
	const char *body;		/* plain text */
	int64_t sent_at;
	int seq;			/* place in the thread, from 1 */
	bool read_by_other;		/* the other side has read it */
	int64_t attachment_id;		/* 0: none */
	const char *attachment_name;
	const char *attachment_mime;
	int64_t attachment_size;
	const char *author_role;	/* read only: "patient", ... */
};

/* Someone a patient may write to: their care team as a whole (kind
 * "team", id 0), one professional on it ("person") or a unit's inbox
 * ("unit"). */
struct message_recipient {
	const char *kind;
	int64_t id;
	const char *name;
};

/* A file to attach, already checked (attachment.h): `data_b64` is its
 * bytes in base64. */
struct message_file {
	const char *filename;
	const char *mime;
	int64_t size;
	const char *data_b64;
};

/*
 * One message, written by message_send() inside write_commit(). The
 * caller fills:
 * - org_id, patient_id, author_id, side (MESSAGE_SIDE_*), now, channel
 *   ("web", "phone", "desk"), request_key and body;
 * - thread_id for a reply, else 0 to start a thread to unit_id (0: the
 *   care team) and to_account (0: nobody named) with `subject`;
 * - claim: a professional's reply makes them the thread's professional
 *   when it has none;
 * - file: an attachment, or NULL;
 * - message_id: the new message's id, or 0 for a new one.
 * message_send() sets thread_id (a new thread's) and message_id.
 */
struct message_send {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	const char *side;
	int64_t now;
	const char *channel;
	const char *request_key;
	const char *body;
	int64_t thread_id;
	int64_t unit_id;
	int64_t to_account;
	const char *subject;
	bool claim;
	const struct message_file *file;
	int64_t message_id;
};

/*
 * Checks a message before it is sent: a body of 1 to MESSAGE_BODY_MAX
 * characters ("body"), and when `subject` is not NULL (a new thread) a
 * subject of 1 to MESSAGE_SUBJECT_MAX characters on one line
 * ("subject"). Text must be valid UTF-8 without control characters
 * other than line breaks and tabs.
 */
void message_validate(const char *subject, const char *body,
		      struct problems *out);

/* Whether `key` is a well-formed request key (16 to 64 characters of
 * [0-9A-Za-z_-]). */
bool message_key_valid(const char *key);

/*
 * Stores `arg` (struct message_send): a new thread when thread_id is 0,
 * the message with its place in the thread, its attachment, the
 * thread's times (first_reply_at when the other side first answers),
 * the author's own read mark, and an outbox notification: to the
 * patient's own login for a staff message; for a patient's message to
 * the thread's professional, or to every professional of the care team
 * when the thread is to the team with nobody named (a unit's inbox with
 * nobody named is read in cocare and notifies nobody).
 * ERR_FORBIDDEN when a new thread's unit or professional is not one the
 * patient may write to (message_recipients()); ERR_NOT_FOUND when the
 * thread is not the patient's; ERR_INVALID for invalid fields; ERR_EXISTS
 * when request_key was used before (find it with message_find_key()).
 */
enum err message_send(struct db *db, void *arg);

/* The professional, unit or team a patient may write to: the care team,
 * each professional on it, and each unit of the patient and of those
 * professionals. */
enum err message_recipients(struct db *db, struct arena *a,
			    int64_t patient_id,
			    struct message_recipient **out, size_t *count);

/* ERR_OK when a new thread of the patient may go to `unit_id` (0: the
 * team) and `to_account` (0: nobody named), else ERR_FORBIDDEN. */
enum err message_may_address(struct db *db, int64_t patient_id,
			     int64_t unit_id, int64_t to_account);

/* The message sent with `request_key` in `org_id`: its thread, id and
 * author; ERR_NOT_FOUND when there is none. */
enum err message_find_key(struct db *db, int64_t org_id,
			  const char *request_key, int64_t *thread_id,
			  int64_t *message_id, int64_t *author_id);

/*
 * Marks thread `thread_id` read up to message `seq` by `account_id`, as
 * one of `side` (struct message_read_mark). Never moves the mark back.
 */
struct message_read_mark {
	int64_t thread_id;
	int64_t account_id;
	const char *side;
	int seq;
	int64_t now;
};
enum err message_mark_read(struct db *db, void *arg);

/* One thread; ERR_NOT_FOUND when there is none. */
enum err message_thread_get(struct db *db, struct arena *a, int64_t id,
			    struct message_thread *out);

/* How far `account_id` has read thread `thread_id` (0: nothing). */
enum err message_read_seq(struct db *db, int64_t thread_id,
			  int64_t account_id, int *out);

/* A patient's threads for one reader on the patient's side, those with
 * unread messages first, then newest first; `unread` counts the staff
 * messages the reader has not read. */
enum err message_threads_of_patient(struct db *db, struct arena *a,
				    int64_t patient_id, int64_t account_id,
				    size_t max, struct message_thread **out,
				    size_t *count);

/*
 * A staff member's threads, unread first then newest: a professional's
 * are the threads of the patients on whose care team they are; a
 * receptionist's (`professional` false) those in their unit's inbox
 * (`unit_id`), or in every unit's inbox when they have no unit (0).
 * `unread` counts the patient-side messages they have not read.
 */
enum err message_threads_of_staff(struct db *db, struct arena *a,
				  int64_t org_id, int64_t account_id,
				  int64_t unit_id, bool professional,
				  size_t max, struct message_thread **out,
				  size_t *count);

/* The messages of a thread in order, each with its attachment and
 * whether the side other than its author's has read it. */
enum err message_list(struct db *db, struct arena *a, int64_t thread_id,
		      struct message **out, size_t *count);

/* One message by id, with its attachment; ERR_NOT_FOUND. */
enum err message_get(struct db *db, struct arena *a, int64_t id,
		     struct message *out);

/* The FHIR API's search of a patient's messages, in every thread. */
struct message_query {
	int64_t patient_id;
	int64_t from, to;		/* sent in [from, to), Unix seconds */
	bool oldest_first;		/* else newest first */
	bool has_after;			/* continue after (after_at, after_id) */
	int64_t after_at, after_id;
	size_t limit;			/* 1 to 1001 */
};
enum err message_search(struct db *db, struct arena *a,
			const struct message_query *q, struct message **out,
			size_t *count);
enum err message_search_count(struct db *db, const struct message_query *q,
			      int64_t *out);

/* Messages from the care team that `account_id` (the patient or a
 * caregiver) has not read in patient `patient_id`'s threads. */
enum err message_unread_count(struct db *db, int64_t account_id,
			      int64_t patient_id, int64_t *out);

/* Messages from patients and caregivers that professional `account_id`
 * has not read, in the threads of the patients on whose care team they
 * are (those message_threads_of_staff() lists). */
enum err message_unread_count_staff(struct db *db, int64_t org_id,
				    int64_t account_id, int64_t *out);

/* --- quick replies ---------------------------------------------------- */

struct message_template {
	int64_t id;
	int64_t org_id;
	const char *title;
	const char *body;
	int64_t updated_by;
	int64_t updated_at;
	int64_t removed_at;	/* write only: set to remove */
};

/* Checks a quick reply: title 1 to 100 characters ("title"), body as a
 * message's ("body"). */
void message_template_validate(const char *title, const char *body,
			       struct problems *out);

/* Stores `arg` (struct message_template): a new one when it is not
 * there yet, else its new text, or its removal when removed_at is set.
 * ERR_INVALID for invalid fields; ERR_NOT_FOUND when the id is another
 * organisation's or removed. */
enum err message_template_write(struct db *db, void *arg);

/* The organisation's quick replies in use, by title. */
enum err message_template_list(struct db *db, struct arena *a, int64_t org_id,
			       struct message_template **out, size_t *count);

/* One quick reply of the organisation in use; ERR_NOT_FOUND else. */
enum err message_template_get(struct db *db, struct arena *a, int64_t org_id,
			      int64_t id, struct message_template *out);

#endif

/*
 * The care team's queue of alerts: readings outside the range patient
 * and team agreed, and questionnaire answers that need a person to look
 * (PHQ-9 item 9). An alert is about one patient and one measure; while it
 * is open, further out-of-range readings join it (target.h has the rule),
 * so a week of high pressures is one item with a count, not seven. A
 * professional on the care team closes it, with a note if they wish.
 */
#ifndef MEASURES_ALERT_H
#define MEASURES_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/care.h"
#include "core/err.h"

struct arena;
struct db;
struct problems;

#define ALERT_RES "Flag"		/* provenance resource type */
#define ALERT_NOTE_MAX CARE_LONG_MAX	/* characters of a closing note */
#define ALERT_LIST_MAX 200		/* alerts listed */

/*
 * Something for the team to look at. `measure` is a reading kind's key
 * or a questionnaire measure ("score:<url>#<name>", a flag's code);
 * `kind` is "reading" or "flag"; `label` says what it is about in English
 * words (a msgid where one exists: pages translate it) and `value_text`
 * the value as people read it ("162/95 mmHg", "3: nearly every day").
 * `at_ms` is when the value was taken or answered; `response_id` the
 * questionnaire response, 0 for none.
 */
struct alert_event {
	int64_t org_id, patient_id;
	const char *measure;
	const char *kind;	/* "reading" or "flag" */
	bool urgent;
	const char *label;
	const char *value_text;
	int64_t at_ms;
	int64_t response_id;
};

/*
 * Queues `ev` inside a write function (the writer's transaction): it
 * joins the open alert of the same patient and measure (count + 1, the
 * first and last times widened, the latest value kept, urgent if either
 * is) or opens a new alert. The event is news when it happened: use
 * alert_raise_at() for values that may arrive long after (imported
 * readings). ERR_INVALID for an event without patient, measure, kind
 * or label.
 */
enum err alert_raise(struct db *db, const struct alert_event *ev);

/*
 * The same for an event arriving at `now_ms`: with no open alert, one
 * taken more than TARGET_ALERT_STALE seconds earlier opens nothing.
 * `*raised` (may be NULL) tells whether an alert was opened or joined.
 */
enum err alert_raise_at(struct db *db, const struct alert_event *ev,
			int64_t now_ms, bool *raised);

/* A stored alert. Strings live in the arena that read it. */
struct measure_alert {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *patient_name;	/* read only */
	const char *measure;
	const char *kind;
	bool urgent;
	const char *label;
	const char *last_value;
	int64_t count;
	int64_t first_ms, last_ms;
	int64_t response_id;		/* 0 for none */
	bool open;
	int64_t closed_by;		/* 0 while open */
	const char *closed_by_name;	/* read only; "" while open */
	int64_t closed_ms;
	const char *closing_note;
};

/* Alert `id`; ERR_NOT_FOUND when there is none. */
enum err alert_get(struct db *db, struct arena *a, int64_t id,
		   struct measure_alert *out);

/*
 * The open alerts of the patients on professional `account_id`'s care
 * teams: urgent ones first, then the newest first; at most
 * ALERT_LIST_MAX.
 */
enum err alert_queue(struct db *db, struct arena *a, int64_t account_id,
		     struct measure_alert **out, size_t *count);

/* How many alerts alert_queue() would list (for a home page). */
enum err alert_queue_count(struct db *db, int64_t account_id, int64_t *out);

/*
 * The patient's alerts: the open ones (urgent first, newest first), then
 * the closed ones, most recently closed first; at most `max` (capped at
 * ALERT_LIST_MAX).
 */
enum err alert_list_for_patient(struct db *db, struct arena *a,
				int64_t patient_id, size_t max,
				struct measure_alert **out, size_t *count);

/* The job of alert_close(), run by write_commit(). */
struct alert_close_job {
	int64_t id;
	int64_t patient_id;	/* the alert's patient, as checked */
	const char *note;	/* optional; "" for none */
	int64_t by;
	int64_t at_ms;
};

/*
 * Closes open alert `id` of the patient. ERR_INVALID for a note longer
 * than ALERT_NOTE_MAX characters or not clean text; ERR_NOT_FOUND when
 * the patient has no such open alert (closed meanwhile). Nothing changes
 * on error.
 */
enum err alert_close(struct db *db, void *arg);

/* Whether `note` may close an alert (else a problem for field "note"). */
bool alert_note_ok(struct problems *ps, const char *note);

#endif

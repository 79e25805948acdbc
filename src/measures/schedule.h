/*
 * Questionnaires sent to a patient, and when they are due: once (from a
 * date), before an appointment (a number of days before it) or on a
 * repeat schedule (every N days). Answering a request closes it, or for
 * a repeating one moves its due date past the day it was answered. Until
 * the notification outbox exists the patient's home page lists what is
 * due (schedule_due).
 */
#ifndef MEASURES_SCHEDULE_H
#define MEASURES_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;
struct problems;

#define SCHEDULE_RES "QuestionnaireRequest"	/* provenance type */
#define SCHEDULE_EVERY_MAX 365			/* days between repeats */
#define SCHEDULE_BEFORE_MAX 60			/* days before a visit */
#define SCHEDULE_LIST_MAX 100

struct measure_request {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *instrument_url;
	const char *schedule;		/* "once", "before", "repeat" */
	const char *due_date;		/* YYYY-MM-DD, the next due date */
	int every_days;			/* "repeat" */
	const char *appointment_date;	/* "before" */
	int days_before;		/* "before" */
	const char *status;		/* "open", "done", "stopped" */
	int64_t sent_by;
	const char *sent_by_name;	/* read only */
	int64_t sent_ms;
	int version;
};

/*
 * Checks a request as typed (schedule, dates, numbers) for a patient on
 * `today` (YYYY-MM-DD) and fills due_date for "before" (the appointment
 * less days_before, but not before today). Problems name the fields
 * "schedule", "due_date", "every_days", "appointment_date", "days_before".
 */
bool schedule_validate(struct arena *a, struct measure_request *r,
		       const char *today, struct problems *ps);

/* The first date after `answered` (YYYY-MM-DD) on the schedule that
 * starts at `due` and repeats every `every` days; NULL on bad input. */
const char *schedule_next_due(struct arena *a, const char *due, int every,
			      const char *answered);

/* The job of schedule_write(): send `r` (r.id 0: made here), or with
 * `stop`, stop request r.id of r.patient_id. */
struct schedule_job {
	struct measure_request r;
	bool stop;
	int64_t by;
	int64_t at_ms;
};

/* write_commit() function for struct schedule_job. */
enum err schedule_write(struct db *db, void *arg);

/* Inside another write (a completed answer): closes request `id` of the
 * patient, or moves a repeating one on past `answered`. */
enum err schedule_answered(struct db *db, struct arena *a, int64_t id,
			   int64_t patient_id, const char *answered);

/* The patient's open requests, soonest due first. */
enum err schedule_list(struct db *db, struct arena *a, int64_t patient_id,
		       struct measure_request **out, size_t *count);

/* One request of the patient; ERR_NOT_FOUND when it is not theirs. */
enum err schedule_get(struct db *db, struct arena *a, int64_t patient_id,
		      int64_t id, struct measure_request *out);

/* True when an open request is due on `today` (YYYY-MM-DD). */
bool schedule_is_due(const struct measure_request *r, const char *today);

#endif

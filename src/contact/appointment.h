/*
 * Appointments: a patient booked into a professional's slot. Patients
 * (and caregivers acting for them) book, move and cancel online within
 * the rules of the slot's unit (how far ahead, the least notice, whether
 * patients book themselves at all); staff book, move and cancel for a
 * patient at any time, marking the channel when the patient asked by
 * phone or at the desk. A cancellation within the unit's late window is
 * recorded as late; after the start staff record attended or did not
 * attend. Every booking schedules a reminder in the outbox in the same
 * write, and a cancellation or a move withdraws it.
 *
 * Two people booking the same slot at the same moment: the slot is
 * taken by a conditional update (open -> booked) whose row count says
 * who won, so exactly one booking is stored on SQLite and on
 * PostgreSQL alike; the other write fails with APPT_TAKEN and stores
 * nothing.
 *
 * The write functions have the signature write_commit() expects: they
 * run inside the caller's transaction and store nothing on error.
 */
#ifndef CONTACT_APPOINTMENT_H
#define CONTACT_APPOINTMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

#define APPT_RES "Appointment"		/* provenance resource types */
#define APPT_RULE_RES "AppointmentRule"
#define APPT_REASON_MAX 500		/* characters of the reason */
#define APPT_LIST_MAX 200		/* appointments listed at once */

/* What a unit allows patients to do online. */
struct appointment_rule {
	int64_t unit_id;
	int64_t org_id;
	int book_ahead_days;		/* 1..365 */
	int min_notice_hours;		/* to book or move, 0..336 */
	int cancel_notice_hours;	/* to cancel, 0..336 */
	int late_cancel_hours;		/* 0..336 */
	int reminder_hours;		/* 0 (none)..336 */
	bool patients_book;
	int64_t updated_at;		/* 0: the defaults, never saved */
};

/* The rules of unit `unit_id`: the stored ones, or the defaults (60
 * days, 24 h notice, 2 h to cancel, 24 h late window, reminder 24 h
 * before, patients book) when none are stored or `unit_id` is 0. */
enum err appointment_rule_get(struct db *db, int64_t unit_id,
			      struct appointment_rule *out);

/* Checks the numbers of a rule; problems name the fields
 * "book_ahead_days", "min_notice_hours", "cancel_notice_hours",
 * "late_cancel_hours", "reminder_hours". */
void appointment_rule_validate(const struct appointment_rule *r,
			       struct problems *out);

/* Stores the rule (`arg`: struct appointment_rule, updated_at set by the
 * caller). ERR_INVALID when it does not pass validation. */
enum err appointment_rule_save(struct db *db, void *arg);

/*
 * Why a patient-side change (or a staff mark) is refused: each has words
 * for people saying what to do instead (appointment_refusal_text()).
 */
enum appt_refusal {
	APPT_NONE,
	APPT_PAST,		/* the time has passed */
	APPT_TOO_FAR,		/* further ahead than patients may book */
	APPT_TOO_SOON,		/* less notice than to book online */
	APPT_CANCEL_TOO_SOON,	/* less notice than to cancel online */
	APPT_SELF_OFF,		/* the unit's staff book for patients */
	APPT_TAKEN,		/* someone else took the slot */
	APPT_NOT_BOOKED,	/* cancelled (or marked) already */
	APPT_NOT_STARTED,	/* attendance before the start */
	APPT__MAX
};

/* The words for a refusal (an English msgid); "" for APPT_NONE. */
const char *appointment_refusal_text(enum appt_refusal r);

/*
 * The rule arithmetic, pure. A patient may book (or move to) a slot
 * starting at `starts_at` when patients book in the unit, it starts at
 * least min_notice_hours after `now` and no more than book_ahead_days
 * after it. A patient may cancel until cancel_notice_hours before the
 * start, or move away from an appointment until min_notice_hours before
 * it. A cancellation (by anyone) less than late_cancel_hours before the
 * start is late. Staff are held to none of these, only to the start not
 * having passed (APPT_PAST).
 */
enum appt_refusal appointment_may_book(const struct appointment_rule *r,
				       int64_t now, int64_t starts_at);
enum appt_refusal appointment_may_cancel(const struct appointment_rule *r,
					 int64_t now, int64_t starts_at);
enum appt_refusal appointment_may_move_from(const struct appointment_rule *r,
					    int64_t now, int64_t starts_at);
bool appointment_is_late_cancel(const struct appointment_rule *r, int64_t now,
				int64_t starts_at);
/* When the reminder is due: reminder_hours before the start; 0 for none
 * (no reminder hours, or that time has passed). */
int64_t appointment_reminder_at(const struct appointment_rule *r, int64_t now,
				int64_t starts_at);

struct appointment {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *patient_name;	/* read only */
	int64_t slot_id;
	int64_t professional_id;
	const char *professional_name;	/* read only */
	int64_t unit_id;
	int64_t starts_at;
	int64_t ends_at;
	const char *modality;
	const char *place;		/* read only, from the slot */
	const char *link;		/* read only, from the slot */
	const char *reason;
	const char *status;	/* booked, cancelled, attended, no_show */
	const char *channel;
	int64_t booked_by;
	int64_t booked_at;
	int64_t cancelled_by;
	int64_t cancelled_at;
	bool late_cancel;
	int64_t consultation_id;
	int version;
	int moved_count;
};

/* The link an appointment's notifications carry ("/appointments/12"),
 * in `a`. */
const char *appointment_link(struct arena *a, int64_t id);

/*
 * A booking, a move or a cancellation, filled by the caller:
 * - who: org_id, patient_id, actor_id, patient_side (the patient or a
 *   caregiver: the unit's rules apply), channel ("web", "phone",
 *   "desk"), now;
 * - book: id (new, from id_new()), slot_id, reason, consultation_id
 *   (0 for none; kept only when it is a consultation of this patient);
 * - move: id (the appointment), slot_id (the new slot);
 * - cancel: id.
 * `refusal` is set when a rule refuses the change; `late` tells whether
 * a cancellation was late; `starts_at` is the (new) start.
 */
struct appointment_change {
	int64_t org_id;
	int64_t patient_id;
	int64_t actor_id;
	bool patient_side;
	const char *channel;
	int64_t now;
	int64_t id;
	int64_t slot_id;
	const char *reason;
	int64_t consultation_id;
	enum appt_refusal refusal;	/* out */
	bool late;			/* out */
	int64_t starts_at;		/* out */
};

/* Checks the reason (at most APPT_REASON_MAX characters); the problem
 * names "reason". */
void appointment_reason_validate(const char *reason, struct problems *out);

/*
 * Books slot `slot_id` for the patient. ERR_NOT_FOUND when the slot is
 * not the organisation's (or, patient side, not of the patient's team or
 * unit); ERR_FORBIDDEN with `refusal` when a rule refuses it (PAST,
 * TOO_FAR, TOO_SOON, SELF_OFF); ERR_CONFLICT with APPT_TAKEN when the
 * slot is not open (taken or withdrawn); ERR_INVALID for the reason.
 * Schedules the reminder and, when staff booked, tells the patient.
 */
enum err appointment_book(struct db *db, void *arg);

/*
 * Moves appointment `id` to slot `slot_id` in one write: the new slot is
 * taken (as in appointment_book), the old one opened again, the
 * reminder moved. ERR_NOT_FOUND for no such appointment of the patient;
 * ERR_CONFLICT with APPT_NOT_BOOKED when it is not booked, APPT_TAKEN
 * when the new slot is not open; ERR_FORBIDDEN with a refusal when the
 * rules refuse leaving the old time or taking the new one.
 */
enum err appointment_move(struct db *db, void *arg);

/*
 * Cancels appointment `id`: recorded with who and when, late when within
 * the unit's window; the slot opens again when it has not started; the
 * reminder is withdrawn; a cancellation by staff tells the patient.
 * ERR_NOT_FOUND, ERR_CONFLICT (APPT_NOT_BOOKED), ERR_FORBIDDEN (PAST, or
 * patient side CANCEL_TOO_SOON).
 */
enum err appointment_cancel(struct db *db, void *arg);

/*
 * Staff record that the patient came (`attended` true) or did not: only
 * from the start on (ERR_FORBIDDEN, APPT_NOT_STARTED), of a booked,
 * attended or missed appointment (ERR_CONFLICT, APPT_NOT_BOOKED).
 */
struct appointment_mark {
	int64_t org_id;
	int64_t patient_id;
	int64_t id;
	int64_t actor_id;
	int64_t now;
	bool attended;
	enum appt_refusal refusal;	/* out */
};
enum err appointment_mark(struct db *db, void *arg);

/* One appointment of the organisation; ERR_NOT_FOUND when none. */
enum err appointment_get(struct db *db, struct arena *a, int64_t org_id,
			 int64_t id, struct appointment *out);

/* The patient's appointments, newest start first, at most `max`. */
enum err appointment_list_patient(struct db *db, struct arena *a,
				  int64_t patient_id, size_t max,
				  struct appointment **out, size_t *count);

/* Whether `consultation_id` is a consultation of the patient. */
enum err appointment_consultation_is_patients(struct db *db,
					      int64_t consultation_id,
					      int64_t patient_id, bool *out);

#endif

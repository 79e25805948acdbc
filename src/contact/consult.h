/*
 * Online consultations. A patient (or a caregiver within scope) chooses
 * a kind of request and answers the organisation's short form for it,
 * red-flag questions first: a "yes" to one stops the form, shows the
 * emergency advice and is recorded as a consultation with status
 * "red_flag". Staff who may triage (policy ORG_TRIAGE) work the queue:
 * priority, assignment to a person or a unit, a due time from the
 * service level (servicelevel.h), and outcomes the patient sees as a
 * timeline: a reply, an appointment to book, self-care advice, a
 * signpost elsewhere, or a close with a reason. After closing the
 * patient may rate it in two questions.
 *
 * The entry points that change data take the request context, ask the
 * access policy, and write through write_commit() with a touchpoint for
 * every step the patient sees (and a notification to the patient for
 * each staff step); they store nothing on error. Reads take a database
 * handle and an arena and leave access to the caller.
 */
#ifndef CONTACT_CONSULT_H
#define CONTACT_CONSULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contact/servicelevel.h"
#include "core/err.h"
#include "core/problem.h"

struct arena;
struct ctx;
struct db;
struct write_info;

#define CONSULT_RES "Consultation"	/* provenance resource type */
#define CONSULT_FORM_RES "ConsultForm"
#define CONSULT_SERVICE_RES "ContactService"

#define CONSULT_QUESTIONS_MAX 10	/* questions (or red flags) a form has */
#define CONSULT_QUESTION_MAX 300	/* characters of one question */
#define CONSULT_ANSWER_MAX 2000		/* characters of one answer */
#define CONSULT_ADVICE_MAX 2000		/* characters of emergency advice */
#define CONSULT_TEXT_MAX 4000		/* a reply, advice, a note */
#define CONSULT_QUEUE_PAGE 25		/* requests on one queue page */
#define CONSULT_LIST_MAX 100		/* a patient's requests listed */
#define CONSULT_STEPS_MAX 200		/* steps shown on one request */

/* Kinds of request: code and English words for patients (msgids). */
#define CONSULT_KIND_MAP(X)                                                \
	X(CONDITION, "condition", N_("A question about my condition"))     \
	X(NEW_PROBLEM, "new_problem", N_("A new problem"))                  \
	X(PRESCRIPTION, "prescription",                                     \
	  N_("A repeat prescription or fit note"))                          \
	X(ADMIN, "admin", N_("Something administrative"))

enum consult_kind {
#define CONSULT_KIND_ENUM(id, code, label) CONSULT_##id,
	CONSULT_KIND_MAP(CONSULT_KIND_ENUM)
#undef CONSULT_KIND_ENUM
	CONSULT__MAX
};

const char *consult_kind_code(enum consult_kind k);
const char *consult_kind_label(enum consult_kind k);	/* msgid */
/* The kind of a code; false for anything else. */
bool consult_kind_parse(const char *code, enum consult_kind *out);
/* The words of a stored code; "" when unknown. */
const char *consult_kind_label_of(const char *code);

/* Plain words for statuses, outcomes, priorities and steps (msgids);
 * "" for an unknown code. */
const char *consult_status_label(const char *status);
const char *consult_outcome_label(const char *outcome);
const char *consult_priority_label(const char *priority);
const char *consult_step_label(const char *step);
const char *consult_modality_label(const char *modality);
const char *consult_channel_label(const char *channel);

/* --- the organisation's settings ----------------------------------------- */

/* The service of one organisation (contact_service with its holidays). */
struct consult_service {
	int64_t org_id;
	bool consult_open;
	bool hours_only;
	const char *closed_message;	/* "" for the standard words */
	struct service_hours hours;	/* holidays in the arena */
	const char *const *holiday_names;	/* beside hours.holidays */
	bool stored;			/* false: the defaults */
};

/* The organisation's service, or the defaults when it stored none. */
enum err consult_service_get(struct db *db, struct arena *a, int64_t org_id,
			     struct consult_service *out);

/* Whether patients may submit now (on, and in hours when hours_only). */
bool consult_service_open(const struct consult_service *s, int64_t now);

/*
 * Stores the organisation's service settings and replaces its holidays
 * (administrators of the organisation: ERR_FORBIDDEN otherwise).
 * ERR_INVALID with `ps` filled for settings servicelevel_validate()
 * refuses, a closed message over 1,000 characters or a holiday name over
 * 300.
 */
enum err consult_service_save(struct ctx *c, const struct consult_service *s,
			      struct problems *ps);

/* The form of one kind: lines of red-flag questions and of questions,
 * and the emergency advice. `stored` false: cocare's defaults, in
 * English (msgids the page translates). */
struct consult_form {
	int64_t org_id;
	enum consult_kind kind;
	const char *red_flags[CONSULT_QUESTIONS_MAX];
	size_t nred_flags;
	const char *questions[CONSULT_QUESTIONS_MAX];
	size_t nquestions;
	const char *advice;
	bool stored;
};

enum err consult_form_get(struct db *db, struct arena *a, int64_t org_id,
			  enum consult_kind kind, struct consult_form *out);

/*
 * Parses lines of text (one question each, blank lines skipped) into
 * `out`; ERR_INVALID with a problem for `field` when there are more than
 * CONSULT_QUESTIONS_MAX or one is too long.
 */
enum err consult_lines_parse(struct arena *a, const char *text,
			     const char *field, const char **out,
			     size_t *count, struct problems *ps);

/*
 * Stores the organisation's form of a kind (administrators only:
 * ERR_FORBIDDEN). ERR_INVALID with problems ("red_flags", "questions",
 * "advice") when there is no question at all, red flags without advice,
 * or text over the limits.
 */
enum err consult_form_save(struct ctx *c, const struct consult_form *f,
			   struct problems *ps);

/* --- requests ------------------------------------------------------------- */

/* A question and its answer as the patient saw and gave it. */
struct consult_answer {
	const char *question;
	const char *answer;	/* red flags: "yes" or "no" */
};

/*
 * A new request. The caller fills patient_id, kind, request_key (the
 * form's one-time key: 16 to 64 letters, digits, '-' or '_'), the red
 * flags asked and their answers, and the answers to the questions. The
 * channel is the context's (c->channel: "phone" or "desk" when staff key
 * in what the patient asked that way; "web" with c->patient_initiated
 * when staff make a request of what the patient wrote in Messages, else
 * "web"); `id` is set, and
 * `red_flag` when a red flag was answered yes.
 */
struct consult_new {
	int64_t patient_id;
	enum consult_kind kind;
	const char *request_key;
	const struct consult_answer *red_flags;
	size_t nred_flags;
	const struct consult_answer *answers;
	size_t nanswers;
	const char *priority;	/* staff only; NULL: routine */
	int64_t id;		/* out */
	bool red_flag;		/* out */
};

/* Checks a request's answers: problems name "answer1" ... "answer10"
 * (over CONSULT_ANSWER_MAX, or control characters), "key" for a bad
 * request key; at least one answer must be written ("answer1"). */
void consult_validate(const struct consult_new *n, struct problems *ps);

/*
 * Stores a request (status "submitted", due from the service level;
 * "red_flag" and closed at once when a red flag was answered yes) with
 * its first step, a touchpoint, and for a request staff keyed in a
 * notification to the patient. Idempotent: a second call with the same
 * request key answers with the first request's id, durably, and stores
 * nothing. ERR_FORBIDDEN when the policy refuses writing the patient's
 * contact record; ERR_INVALID for invalid answers (`ps` filled) or a
 * key used for another patient; ERR_UNAVAILABLE when the service is
 * off (or closed for the night) for a patient's own request.
 */
enum err consult_submit(struct ctx *c, struct consult_new *n,
			struct problems *ps);

struct consultation {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *patient_name;	/* read only */
	const char *kind;
	const char *channel;
	int64_t submitted_by;
	int64_t submitted_at;
	const char *answers;		/* JSON text (consult_answers_parse) */
	const char *status;
	const char *priority;
	int64_t assigned_account_id;
	const char *assignee_name;	/* read only; "" when none */
	int64_t assigned_unit_id;
	const char *unit_name;		/* read only; "" when none */
	int64_t due_at;
	int64_t first_response_at;
	int64_t closed_at;
	const char *outcome;
	const char *close_reason;
	int version;
	int ease;			/* the rating; 0 when not rated */
	int helped;
};

/* One request; ERR_NOT_FOUND when there is none. */
enum err consult_get(struct db *db, struct arena *a, int64_t id,
		     struct consultation *out);

/* The questions and answers of a stored request, red flags first with
 * `*nred` of them. */
enum err consult_answers_parse(struct arena *a, const char *json,
			       struct consult_answer **out, size_t *count,
			       size_t *nred);

/* A patient's requests, newest first, at most CONSULT_LIST_MAX. */
enum err consult_list_patient(struct db *db, struct arena *a,
			      int64_t patient_id, struct consultation **out,
			      size_t *count);
/* The same, only those still open. */
enum err consult_list_patient_open(struct db *db, struct arena *a,
				   int64_t patient_id,
				   struct consultation **out, size_t *count);

/* The triage queue: open requests of the organisation, soonest due
 * first (then by id). QUEUE_MINE: assigned to `account_id`; QUEUE_UNIT:
 * to `unit_id`. One page of at most CONSULT_QUEUE_PAGE, after the row
 * (`after_due`, `after_id`) that ended the page before ((0, 0): from
 * the start); `*more` tells whether another page follows. One indexed
 * range scan whatever the page. */
enum consult_queue_filter { QUEUE_ALL, QUEUE_MINE, QUEUE_UNIT };
enum err consult_queue(struct db *db, struct arena *a, int64_t org_id,
		       enum consult_queue_filter f, int64_t account_id,
		       int64_t unit_id, int64_t after_due, int64_t after_id,
		       struct consultation **out, size_t *count, bool *more);

struct consult_step {
	int64_t at;
	int64_t actor_id;
	const char *actor_name;	/* read only */
	const char *step;
	const char *note;
};

/* The steps of a request, oldest first; staff-only steps ("triaged")
 * only when `staff`. */
enum err consult_steps(struct db *db, struct arena *a, int64_t id,
		       bool staff, struct consult_step **out, size_t *count);

/* --- staff and patient steps ---------------------------------------------- */

/*
 * Triage (staff who may triage in the request's organisation:
 * ERR_FORBIDDEN otherwise): priority "routine", "soon" or "urgent" and
 * the person or unit it is assigned to (0 for none; an account or unit
 * of the organisation, else ERR_INVALID). Not a response the patient
 * sees: no touchpoint, no notification, first_response_at unchanged.
 * ERR_NOT_FOUND for no such request in the organisation, ERR_CONFLICT
 * when it is closed.
 */
enum err consult_triage(struct ctx *c, int64_t id, const char *priority,
			int64_t assignee, int64_t unit_id);

/*
 * Replies to the patient by message. For now the reply is a step note
 * the patient reads on the request page; this is the one place a reply
 * is written, to be routed into a message thread later. Sets
 * first_response_at when it is the first response; `close` closes the
 * request with outcome "reply". Staff only (ERR_FORBIDDEN); ERR_INVALID
 * for an empty or too long text; ERR_CONFLICT when closed.
 */
enum err consult_reply(struct ctx *c, int64_t id, const char *text,
		       bool close);

/*
 * Ends a request with an outcome: "appointment" (with a modality
 * "in_person", "phone" or "video": staff then book it), "self_care"
 * (advice in `note`, required), "signpost" (where to, in `note`,
 * required) or "closed" (the reason in `note`, required). Closes it and
 * sets first_response_at when unset. Same errors as consult_reply(),
 * ERR_INVALID for an unknown outcome or modality.
 */
enum err consult_finish(struct ctx *c, int64_t id, const char *outcome,
			const char *modality, const char *note);

/* The patient's side adds to an open request (ERR_FORBIDDEN unless the
 * policy lets them write the patient's contact record). */
enum err consult_patient_add(struct ctx *c, int64_t id, const char *text);

/* The patient's rating of a closed request, two answers 1 to 5, once
 * (ERR_EXISTS when rated already, ERR_CONFLICT while open). */
enum err consult_rate(struct ctx *c, int64_t id, int ease, int helped);

/* --- the one write function ---------------------------------------------- */

/*
 * Every change to a request, as write_commit() or write_within() runs
 * it: consult_apply(db, job) stores the change, its step (with `note`)
 * and, when `notify`, the patient's notification, in the caller's
 * transaction. The entry points above fill a job after their checks;
 * the demo loader fills its own. consult_job_info() fills the audit
 * record of a job (the touchpoint for every step the patient sees).
 */
enum consult_op {
	CONSULT_OP_SUBMIT,	/* id, org, patient, kind, channel, answers,
				   status, priority, due_at, closed_at,
				   request_key; step "submitted",
				   "recorded" or "red_flag" */
	CONSULT_OP_TRIAGE,	/* priority, assignee, unit_id */
	CONSULT_OP_REPLY,	/* note; close */
	CONSULT_OP_FINISH,	/* outcome, note (modality for an
				   appointment) */
	CONSULT_OP_ADD,		/* note, from the patient's side */
	CONSULT_OP_RATE,	/* ease, helped */
	CONSULT_OP__MAX
};

struct consult_job {
	enum consult_op op;
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t actor_id;
	int64_t at;			/* Unix seconds */
	const char *kind;
	const char *channel;
	const char *answers;		/* JSON text */
	const char *status;
	const char *priority;
	int64_t due_at;
	int64_t closed_at;
	const char *request_key;
	const char *step;		/* the step recorded */
	int64_t assignee;
	int64_t unit_id;
	const char *outcome;
	const char *note;
	bool close;
	int ease;
	int helped;
	bool notify;			/* tell the patient */
	char id_text[24];		/* set by consult_job_info() */
	char link[48];			/* "/consult/<id>" */
};

enum err consult_apply(struct db *db, void *arg);
void consult_job_info(struct consult_job *j, struct write_info *wi);

#endif

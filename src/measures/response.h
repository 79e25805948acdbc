/*
 * Answers to questionnaires, as stored: one row per answering, in
 * progress (saved with the screen to resume at) or completed, and, for a
 * completed one, a row per score for the charts. The answers are the
 * QuestionnaireResponse JSON; what they mean is questionnaire.h's and
 * scoring.h's business, computed before the write.
 */
#ifndef MEASURES_RESPONSE_H
#define MEASURES_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;
struct alert_event;

#define RESPONSE_RES "QuestionnaireResponse"	/* provenance type */
#define RESPONSE_LIST_MAX 200
#define RESPONSE_SCORES_MAX 16
#define RESPONSE_ALERTS_MAX 8

struct measure_response {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t request_id;		/* 0: answered without a request */
	const char *instrument_url;
	const char *instrument_version;
	const char *lang;
	const char *status;		/* "in-progress", "completed" */
	const char *mode;		/* "self", "with-professional" */
	const char *answers;		/* QuestionnaireResponse JSON */
	int screen;			/* where to resume */
	int64_t entered_by;
	const char *entered_by_name;	/* read only */
	const char *entered_by_role;	/* read only: role_name() */
	int64_t started_ms;
	int64_t updated_ms;
	int64_t completed_ms;
	int version;
};

/* One score of a completed response. */
struct response_score {
	const char *name;
	bool computed;
	int64_t value_milli;
	const char *band;	/* "" when none */
	const char *reason;	/* why not computed, "" otherwise */
};

enum response_op {
	RESPONSE_START,
	RESPONSE_SAVE,
	RESPONSE_COMPLETE,
	RESPONSE_SUBMIT		/* START and COMPLETE in one: answered
				   elsewhere, sent whole */
};

/*
 * The job of response_write(). START inserts `r` (a new id made by the
 * caller); SAVE stores answers and screen of an in-progress response at
 * version r.version; COMPLETE does the same, marks it completed, stores
 * the scores, raises the alerts (alert.h) and answers the request.
 * ERR_CONFLICT when the version is stale, ERR_NOT_FOUND when it is not
 * the patient's or already completed. SUBMIT inserts `r` as START does
 * and completes it as COMPLETE does.
 */
struct response_job {
	enum response_op op;
	struct measure_response r;
	struct response_score scores[RESPONSE_SCORES_MAX];
	size_t nscores;
	const struct alert_event *alerts;
	size_t nalerts;
	const char *today;	/* YYYY-MM-DD, to move a repeating request */
	int64_t at_ms;
};

enum err response_write(struct db *db, void *arg);

struct score_report;

/*
 * Puts the scores and raised flags of `rep` into `j` (at most
 * RESPONSE_SCORES_MAX and RESPONSE_ALERTS_MAX), the flags as alerts of
 * j->r's patient at j->at_ms: set j->r and j->at_ms first. ERR_NOMEM.
 */
enum err response_job_report(struct arena *a, struct response_job *j,
			     const struct score_report *rep);

enum err response_get(struct db *db, struct arena *a, int64_t patient_id,
		      int64_t id, struct measure_response *out);

/* Response `id` of any patient (the caller checks whose it is). */
enum err response_by_id(struct db *db, struct arena *a, int64_t id,
			struct measure_response *out);

/*
 * A search of one patient's responses, newest answered first: the time
 * a response was answered is completed_ms, or updated_ms while it is in
 * progress. Ranges are [from, to) in Unix ms; "" matches any status or
 * url; `version` narrows `url` when not "". With has_after, only those
 * after (after_ms, after_id) in that order.
 */
struct response_query {
	int64_t patient_id;
	int64_t from_ms, to_ms;		/* answered */
	int64_t upd_from_ms, upd_to_ms;	/* updated_ms */
	const char *status;
	const char *url;
	const char *version;
	bool has_after;
	int64_t after_ms, after_id;
	size_t limit;
};

/* The answered time a search orders by. */
int64_t response_answered_ms(const struct measure_response *r);

enum err response_search(struct db *db, struct arena *a,
			 const struct response_query *q,
			 struct measure_response **out, size_t *count);

enum err response_search_count(struct db *db, const struct response_query *q,
			       int64_t *out);

/* The patient's responses, newest first: in progress ones, then
 * completed ones (without their answers, for lists). */
enum err response_list(struct db *db, struct arena *a, int64_t patient_id,
		       struct measure_response **out, size_t *count);

/* The in-progress response for request `request_id`, ERR_NOT_FOUND when
 * there is none (so a second "start" resumes it). */
enum err response_open_for(struct db *db, struct arena *a, int64_t patient_id,
			   int64_t request_id, struct measure_response *out);

/* One point of a score over time. */
struct score_point {
	int64_t at_ms;
	int64_t response_id;
	bool computed;
	int64_t value_milli;
	const char *band;
};

/* Score `name` of instrument `url` for the patient, oldest first. */
enum err response_score_series(struct db *db, struct arena *a,
			       int64_t patient_id, const char *url,
			       const char *name, struct score_point **out,
			       size_t *count);

/* The scores of one completed response. */
enum err response_scores(struct db *db, struct arena *a, int64_t response_id,
			 struct response_score **out, size_t *count);

/* The instruments (url) the patient has completed, most recent first. */
enum err response_instruments(struct db *db, struct arena *a,
			      int64_t patient_id, const char ***urls,
			      size_t *count);

#endif

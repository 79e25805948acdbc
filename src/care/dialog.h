/*
 * Structured review conversations in the manner of DIALOG+: the patient
 * rates eleven areas of life and treatment from 1 to 7 and says where
 * they want more help (status "rated"); then up to three areas are talked
 * through in four solution-focused steps and the agreed actions go into
 * the care plan, with their owners, in the same transaction (status
 * "complete").
 */
#ifndef CARE_DIALOG_H
#define CARE_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/care.h"
#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance resource type of review conversations. */
#define DIALOG_RES "ReviewConversation"

#define DIALOG_AREAS 11		/* the fixed areas, in the order asked */
#define DIALOG_FOCUS_MAX 3	/* areas talked through at most */
#define DIALOG_ACTIONS_MAX 3	/* agreed actions per area at most */
#define DIALOG_RATING_MIN 1
#define DIALOG_RATING_MAX 7
#define DIALOG_LIST_MAX 100	/* conversations listed */

#define DIALOG_RATED "rated"
#define DIALOG_COMPLETE "complete"

/*
 * One area: a stable code, English words for people (msgids), whether it
 * is an aspect of treatment rather than of life, the form field of its
 * rating and the problem shown when it is not rated.
 */
struct dialog_area {
	const char *code;		/* "mental_health" */
	const char *label;		/* "Mental health" */
	bool treatment;
	const char *field;		/* "rating_mental_health" */
	const char *missing;		/* "Choose a number for ..." */
};

extern const struct dialog_area dialog_areas[DIALOG_AREAS];

/* The area with `code`, as an index into dialog_areas; -1 if none. */
int dialog_area_find(const char *code);

/* Words for the points of the scale (msgids); index 1..7, others NULL. */
extern const char *const dialog_scale_labels[DIALOG_RATING_MAX + 1];

struct dialog_rating {
	int rating;		/* 1..7; 0 when not given */
	bool more_help;
};

/* An agreed action: text, its owner ("patient", "professional" or
 * "caregiver", with the account for the last two) and a due date
 * (YYYY-MM-DD or ""). */
struct dialog_action {
	const char *text;
	const char *owner_kind;
	int64_t owner_id;
	const char *due_date;
};

/* One area talked through: the four steps and the agreed actions. */
struct dialog_focus {
	int area;			/* index into dialog_areas */
	const char *understanding;
	const char *looking_forward;
	const char *options;
	const char *agreed;
	struct dialog_action actions[DIALOG_ACTIONS_MAX];
	size_t nactions;
	int64_t goal_id;		/* read: the plan goal it became */
};

struct dialog_conversation {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t at_ms;
	int64_t recorded_by;
	const char *recorded_by_name;	/* read only */
	const char *voice;
	const char *status;		/* DIALOG_RATED or DIALOG_COMPLETE */
	int64_t completed_ms;
	int64_t completed_by;
	const char *completed_by_name;	/* read only */
	const char *completed_voice;
	int version;
	struct dialog_rating ratings[DIALOG_AREAS];	/* by area index */
	struct dialog_focus focus[DIALOG_FOCUS_MAX];
	size_t nfocus;
};

/*
 * Checks the ratings: every area rated, each 1..7. Problems name the form
 * fields "rating_<code>".
 */
void dialog_ratings_validate(const struct dialog_rating *r,
			     struct problems *out);

/*
 * Checks the chosen areas (`n` of them; more than DIALOG_FOCUS_MAX is a
 * problem for the field "focus", as is an unknown or repeated area), the
 * length of each step's text (CARE_LONG_MAX) and each action (text
 * required, at most CARE_SHORT_MAX, an owner kind, a real due date).
 * Only the first DIALOG_FOCUS_MAX areas are read. Field names
 * ("understanding_<code>", "action_<code>_<n>_text", ...) come from
 * `a`. Whether an owner may own actions is checked with
 * dialog_owner_ok(), which needs the database.
 */
void dialog_focus_validate(struct arena *a, const struct dialog_focus *f,
			   size_t n, struct problems *out);

/*
 * Whether someone may own an action of patient `patient_id`'s plan at
 * `now` (Unix seconds): the patient (owner_id 0), a professional on the
 * care team or a caregiver with an active grant. False on a database
 * error too.
 */
bool dialog_owner_ok(struct db *db, int64_t patient_id, const char *kind,
		     int64_t owner_id, int64_t now);

/*
 * The ratings step, for dialog_rate_write() inside write_commit() or
 * write_within(): the caller fills everything (id from id_new()).
 */
struct dialog_rate_job {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
	struct dialog_rating ratings[DIALOG_AREAS];
};

/* Stores a new conversation with status "rated" and its ratings.
 * ERR_INVALID when a rating is missing or out of range (nothing
 * stored). */
enum err dialog_rate_write(struct db *db, void *arg);

/*
 * The talking-through step, for dialog_focus_write(): the conversation
 * and the version the person saw, who writes, and the chosen areas. For
 * each area the caller gives the goal's text and sign of progress in the
 * writer's language.
 */
struct dialog_focus_job {
	int64_t org_id;
	int64_t patient_id;
	int64_t conversation_id;
	int version;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
	int64_t now;			/* Unix seconds, for grants */
	struct dialog_focus focus[DIALOG_FOCUS_MAX];
	const char *goal_text[DIALOG_FOCUS_MAX];
	const char *progress_sign[DIALOG_FOCUS_MAX];
	size_t nfocus;
	int64_t goal_ids[DIALOG_FOCUS_MAX];	/* out: the new goals */
};

/*
 * Stores the chosen areas, marks the conversation complete and creates,
 * through plan_write(), one goal per area (source "review:<id>") and its
 * actions. All or nothing: ERR_NOT_FOUND for no such conversation of the
 * patient; ERR_CONFLICT when it changed since `version` or is complete
 * already; ERR_INVALID for more than three areas or an owner who may not
 * own an action (dialog_owner_ok); else plan_write()'s error. The caller's
 * transaction must be rolled back on error (write_commit does).
 */
enum err dialog_focus_write(struct db *db, void *arg);

/* One conversation of patient `patient_id` with its ratings and chosen
 * areas; ERR_NOT_FOUND when it is not theirs. */
enum err dialog_get(struct db *db, struct arena *a, int64_t patient_id,
		    int64_t id, struct dialog_conversation *out);

/* The patient's conversations, newest first, with their ratings (not the
 * chosen areas); at most DIALOG_LIST_MAX. */
enum err dialog_list(struct db *db, struct arena *a, int64_t patient_id,
		     struct dialog_conversation **out, size_t *count);

#endif

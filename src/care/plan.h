/*
 * The shared care plan: goals (in the patient's words, with a clinical
 * wording beside them, a sign of progress and a target date) and actions
 * under each goal (with an owner, a due or review date and a status).
 * Anyone taking part may propose or change an item; each item carries
 * its agreement from both sides (agreement.h), and every change is a new
 * version of the item and of the plan (version.h), so any two plan
 * versions can be compared. Reviews record who took part and which plan
 * versions they covered.
 */
#ifndef CARE_PLAN_H
#define CARE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/agreement.h"
#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance resource types of plan writes. */
#define PLAN_RES_GOAL "Goal"
#define PLAN_RES_ACTION "CarePlanActivity"
#define PLAN_RES_REVIEW "CarePlanReview"
#define PLAN_RES_COMMENT "CareComment"

#define PLAN_ITEMS_MAX 500	/* goals and actions of one plan */

struct plan_item {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *kind;		/* CARE_GOAL or CARE_ACTION */
	int64_t goal_id;		/* an action's goal */
	int position;
	const char *text;		/* goal in the patient's words; action */
	const char *clinical;		/* goal: clinical wording ("" none) */
	const char *progress_sign;	/* goal: a measurable sign */
	const char *due_date;		/* YYYY-MM-DD or "" */
	const char *owner_kind;		/* action: "patient", "professional",
					   "caregiver" */
	int64_t owner_id;		/* the named professional or caregiver */
	const char *owner_name;		/* read only */
	const char *status;		/* see plan_statuses */
	const char *source;		/* "review:<id>", "" */
	int64_t proposed_by;
	const char *proposed_by_name;	/* read only */
	const char *proposed_voice;
	struct agreement agreement;
	int64_t disputed_by;
	const char *disputed_by_name;	/* read only */
	const char *dispute_comment;
	bool removed;
	int version;
	int64_t created_ms;
	int64_t updated_ms;
};

/* Statuses, with English labels (msgids); NULL-terminated. */
struct plan_choice {
	const char *code;
	const char *label;
};
extern const struct plan_choice plan_goal_statuses[];
extern const struct plan_choice plan_action_statuses[];
extern const struct plan_choice plan_owner_kinds[];
const char *plan_choice_label(const struct plan_choice *list,
			      const char *code);

/*
 * One change to the plan, made by plan_write() inside a write_commit()
 * or write_within() function. The caller fills:
 * - who: org_id, patient_id, author_id, voice, at_ms;
 * - change: "create", "edit", "agree", "dispute", "status" or "remove";
 * - item: for "create" every field (kind, goal_id for actions, text,
 *   ...); for others item.id and item.version, the version the person
 *   saw (a different stored version gives ERR_CONFLICT, nothing stored),
 *   and for "edit" the new fields, for "status" item.status;
 * - comment: the reason for a dispute (required), else NULL.
 * plan_write() fills new_id (for "create": item.id when the caller chose
 * it, else a new id), new_version and plan_version.
 */
struct plan_change {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
	int64_t now;		/* Unix seconds, for the owner's grant */
	const char *change;
	struct plan_item item;
	const char *comment;
	int64_t new_id;
	int new_version;
	int plan_version;
};

/*
 * Checks an item's fields before a create or edit: text required and at
 * most 300 characters, clinical wording and sign of progress at most 300,
 * a real date, a known status, an owner kind (actions). Problems name
 * the form fields "text", "clinical", "progress_sign", "due_date",
 * "owner", "status".
 */
void plan_item_validate(const struct plan_item *it, struct problems *out);

/*
 * Applies `arg` (a struct plan_change) in the caller's transaction: the
 * item row, its new version in care_version (with the plan's version)
 * and the plan's version. ERR_CONFLICT for a stale version, ERR_INVALID
 * when the owner is not on the care team (professional) or holds no
 * active grant (caregiver), the goal is not this patient's, or the voice
 * may not agree or dispute (or a dispute has no comment); ERR_EXISTS
 * when removing a goal that still has actions; ERR_NOT_FOUND for no such
 * item.
 */
enum err plan_write(struct db *db, void *arg);

/* One item of patient `patient_id`; ERR_NOT_FOUND if not theirs. */
enum err plan_item_get(struct db *db, struct arena *a, int64_t patient_id,
		       int64_t id, struct plan_item *out);

/*
 * The patient whose plan item `id` is (removed or not); ERR_NOT_FOUND
 * when there is none. For callers that name an item by its id alone (the
 * FHIR API): they check access to that patient, then read the item with
 * plan_item_get().
 */
enum err plan_item_patient(struct db *db, int64_t id, int64_t *patient_id);

/* The plan now: goals and actions not removed, goals in order, each
 * goal's actions after it (with owner names; proposed_by_name and
 * disputed_by_name are left empty here). */
enum err plan_items_list(struct db *db, struct arena *a, int64_t patient_id,
			 struct plan_item **out, size_t *count);

/* The plan's version (0 when it has none yet). */
enum err plan_version(struct db *db, int64_t patient_id, int *out);

/* --- reviews ----------------------------------------------------------- */

struct plan_review {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t at_ms;
	int64_t recorded_by;
	const char *recorded_by_name;	/* read only */
	const char *participants;	/* JSON, see care_participants_* */
	bool patient_took_part;		/* the patient or a caregiver */
	bool professional_took_part;
	const char *summary;
	int from_version;		/* the plan version last reviewed */
	int to_version;			/* the plan version now */
};

/* Records `arg` (a struct plan_review with org_id, patient_id, at_ms,
 * recorded_by, participants, the took_part flags and summary; fn fills
 * id, from_version and to_version) in the caller's transaction. */
enum err plan_review_write(struct db *db, void *arg);

/* Reviews of a patient's plan, newest first (at most 100). */
enum err plan_review_list(struct db *db, struct arena *a, int64_t patient_id,
			  struct plan_review **out, size_t *count);

/* How many reviews the patient's plan has had, all of them. */
enum err plan_review_count(struct db *db, int64_t patient_id, int64_t *out);

/* --- history ----------------------------------------------------------- */

/* One step of the plan's history: the item version that made plan
 * version `plan_version`. */
struct plan_step {
	int plan_version;
	int64_t at_ms;
	const char *author_name;
	const char *voice;
	const char *change;
	const char *kind;		/* CARE_GOAL or CARE_ACTION */
	int64_t item_id;
	const char *text;		/* the item's text after the change */
	const char *comment;
};

/* The newest `max` steps, newest first. */
enum err plan_history(struct db *db, struct arena *a, int64_t patient_id,
		      size_t max, struct plan_step **out, size_t *count);

/* How one item stood at a plan version (fields: JSON of its version). */
struct plan_snapshot_item {
	int64_t item_id;
	const char *kind;
	const char *fields;	/* NULL: did not exist or was removed */
};

/*
 * Every item that existed at plan version `from` or `to`, with its
 * fields at each (fields NULL where it did not exist or was removed), in
 * the order items were created. Used to show what changed between any
 * two versions.
 */
enum err plan_compare(struct db *db, struct arena *a, int64_t patient_id,
		      int from, int to, struct plan_snapshot_item **before,
		      struct plan_snapshot_item **after, size_t *count);

#endif

/*
 * What waits for a professional across their patients' care records: plan
 * items the patient agreed that the care team has not, items someone
 * disputes, and requests to correct notes the professional wrote. The
 * professional's home page lists them, newest first.
 */
#ifndef CARE_WORKLIST_H
#define CARE_WORKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

enum work_kind {
	WORK_AGREE,		/* the patient agreed; the team has not */
	WORK_DISPUTED,		/* someone disagrees with an item */
	WORK_CORRECTION,	/* a request to correct one of my notes */
};

struct work_item {
	enum work_kind kind;
	int64_t patient_id;
	const char *patient_name;
	int64_t subject_id;	/* the plan item or the note */
	const char *text;	/* the item's text or the note's title */
	int64_t at_ms;		/* when it started waiting */
};

/* At most `max` of each kind for professional `account_id`, on the care
 * teams they belong to (plan items) or from their own notes. */
enum err worklist_for(struct db *db, struct arena *a, int64_t account_id,
		      size_t max, struct work_item **out, size_t *count);

#endif

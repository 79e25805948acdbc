/*
 * Co-production indicators of care plans: the share of items the patient
 * (or a caregiver) wrote, the share agreed by both sides, the items in
 * dispute and the days since the last review both sides took part in.
 * They are computed from the provenance records of the plan's goals and
 * actions (replayed through agreement.h) and from the recorded reviews,
 * never from counters kept by hand.
 */
#ifndef CARE_COPRODUCTION_H
#define CARE_COPRODUCTION_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

struct coproduction {
	int64_t patient_id;
	const char *patient_name;	/* panel rows only */
	int items;		/* goals and actions in the plan now */
	int patient_written;	/* first written by the patient or a caregiver */
	int agreed_both;
	int disputed;
	int64_t last_joint_review_ms;	/* 0: none yet */
};

/* One provenance event of a plan item, in the order they happened. */
struct coproduction_event {
	int64_t patient_id;
	const char *item;	/* resource id */
	const char *voice;
	const char *activity;	/* create, edit, agree, dispute, remove... */
};

/* Folds events (ordered by patient, then time) into per-patient figures:
 * `out` gets one entry per patient in the order first seen. Pure. */
enum err coproduction_fold(struct arena *a,
			   const struct coproduction_event *ev, size_t n,
			   struct coproduction **out, size_t *count);

/* Whole percentage of `part` in `whole` (0 when whole is 0). */
int coproduction_percent(int part, int whole);

/* The figures of one patient's plan. */
enum err coproduction_for_patient(struct db *db, struct arena *a,
				  int64_t patient_id, struct coproduction *out);

/*
 * The figures of every patient on professional `account_id`'s care
 * teams (by name), and their sum in `total` (last_joint_review_ms: the
 * oldest of the patients' latest joint reviews, 0 if any has none).
 */
enum err coproduction_for_panel(struct db *db, struct arena *a,
				int64_t account_id, struct coproduction **out,
				size_t *count, struct coproduction *total);

#endif

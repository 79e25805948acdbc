/*
 * Stored targets: for one patient and one measure (a reading kind's key,
 * or "score:<instrument url>#<score name>" for a questionnaire score) the
 * range patient and care team agreed, and the advice the patient sees
 * when a value falls outside it. Agreement is kept per side: whoever sets
 * or changes a target agrees with it, and the other side's agreement is
 * cleared, so "agreed by both" always means both agreed with what is
 * stored now. A caregiver may propose a target but agrees for no one.
 * Every change goes up a version; a form opened on an older version is
 * refused (ERR_CONFLICT) so nobody overwrites what they have not seen.
 */
#ifndef MEASURES_TARGET_STORE_H
#define MEASURES_TARGET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/care.h"
#include "core/err.h"
#include "core/problem.h"
#include "measures/reading.h"
#include "measures/target.h"

struct arena;
struct db;

#define TARGET_RES "MeasureTarget"	/* provenance resource type */
#define TARGET_SCORE_PREFIX "score:"
#define TARGET_MEASURE_MAX 300		/* bytes of a measure key */
#define TARGET_ADVICE_MAX CARE_LONG_MAX	/* characters of the advice */
#define TARGET_LIST_MAX 100		/* targets listed */

/*
 * One target. For a blood pressure, low/high are the systolic range and
 * low2/high2 the diastolic one; a missing end has has_* false (and its
 * value 0). Values are thousandths of the kind's storage unit (of the
 * score for a score). Strings live in the arena that read it.
 */
struct measure_target {
	int64_t patient_id;
	const char *measure;
	int64_t org_id;
	bool has_low, has_high, has_low2, has_high2;
	int64_t low_milli, high_milli, low2_milli, high2_milli;
	const char *advice;		/* what the patient sees outside */
	int64_t patient_agreed_ms;	/* 0: the patient has not agreed */
	int64_t team_agreed_ms;		/* 0: the team has not agreed */
	int64_t team_agreed_by;		/* the professional; 0 if none */
	const char *team_agreed_by_name;	/* read only; "" if none */
	int64_t updated_by;
	const char *updated_by_name;	/* read only */
	int64_t updated_ms;
	int version;
};

/* The reading kind a measure names, or NULL for a score or junk. */
const struct reading_def *target_measure_kind(const char *measure);

/* Whether `measure` is a score: "score:<url>#<name>", both non-empty,
 * at most TARGET_MEASURE_MAX bytes, no spaces or control characters. */
bool target_measure_is_score(const char *measure);

/* The ranges of `t` for target_check_reading() (a score uses
 * ranges[0]). */
void target_ranges(const struct measure_target *t,
		   struct target_range ranges[READING_PARTS_MAX]);

/*
 * Problems with a target before it is stored, named by the form fields
 * "measure", "low", "high" (for a blood pressure each covers both
 * pressures), "advice": a known measure; at least one end; ends within
 * the kind's possible values; low below high; advice of at most
 * TARGET_ADVICE_MAX characters on clean UTF-8.
 */
void target_validate(const struct measure_target *t, struct problems *ps);

/*
 * The job of target_write(), run by write_commit(). `agree` records the
 * writer's agreement with target t.measure as stored; otherwise `t`
 * (measure, ends, advice) replaces the stored one or creates it. The
 * writer speaks in `voice` ("patient", "professional", "caregiver", ...):
 * a change agrees for the writer's side only ("patient" or
 * "professional"; other voices propose) and clears the other side's
 * agreement, unless it changes nothing, when it counts as agreeing.
 * `version` is the version the form was opened on, 0 when there was no
 * target then. Afterwards `t.version` is the version stored and
 * `t.patient_agreed_ms`, `t.team_agreed_ms` the agreement.
 */
struct target_job {
	struct measure_target t;
	int version;
	bool agree;
	const char *voice;
	int64_t by;
	int64_t at_ms;
};

/*
 * The write is audited with resource type TARGET_RES and the measure as
 * resource id: target_get() finds who agreed for the team there.
 * ERR_INVALID when target_validate() fails; ERR_FORBIDDEN when `agree`
 * comes from a voice that cannot agree; ERR_NOT_FOUND to agree with no
 * target; ERR_CONFLICT when the stored version is not `version`
 * (including a target created meanwhile). Nothing is stored on error.
 */
enum err target_write(struct db *db, void *arg);

/* The patient's target for `measure`; ERR_NOT_FOUND when none. */
enum err target_get(struct db *db, struct arena *a, int64_t patient_id,
		    const char *measure, struct measure_target *out);

/* The patient's targets by measure key; at most TARGET_LIST_MAX. */
enum err target_list(struct db *db, struct arena *a, int64_t patient_id,
		     struct measure_target **out, size_t *count);

/*
 * The ranges of the patient's target for `measure` without an arena,
 * for checks inside a write; `*found` false (ranges all open) when there
 * is none.
 */
enum err target_ranges_get(struct db *db, int64_t patient_id,
			   const char *measure,
			   struct target_range ranges[READING_PARTS_MAX],
			   bool *found);

#endif

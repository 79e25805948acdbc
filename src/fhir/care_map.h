/*
 * The co-produced care record as FHIR R4 resources: the shared care plan
 * (goals, actions, "what matters to me", reviews) and the crisis plan as
 * CarePlans, each goal as a Goal, and a progress note with its
 * paragraphs, views and correction requests as a Composition. What FHIR
 * has no element for goes out as a cocare extension (docs/fhir.md).
 * Pure code: no HTTP, no database; each function returns a new
 * reference, or NULL when memory runs out.
 */
#ifndef FHIR_CARE_MAP_H
#define FHIR_CARE_MAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/crisis.h"
#include "care/matters.h"
#include "care/note.h"
#include "care/plan.h"

struct arena;

/*
 * Neither plan has a row id of its own: each is one per patient. The
 * shared care plan's id is the patient's id; the crisis plan's is the
 * patient's id plus 2^62. Record ids are below 2^62 (core/id.h), so the
 * two never meet and both stay the same for as long as the patient.
 */
#define FHIR_CRISIS_PLAN_BASE ((int64_t)1 << 62)

/* The CarePlan ids of patient `pid`'s two plans. */
int64_t fhir_careplan_id(int64_t pid, bool crisis);

/* The patient and the plan a CarePlan id names; false for none. */
bool fhir_careplan_id_split(int64_t id, int64_t *pid, bool *crisis);

/* What makes up the shared care plan's CarePlan. */
struct fhir_plan {
	int64_t patient_id;
	int plan_version;		/* plan_version() */
	const struct plan_item *items;	/* plan_items_list() */
	size_t nitems;
	const struct matters *matters;	/* version 0: nothing written */
	const struct plan_review *reviews;	/* newest first */
	size_t nreviews;
	int64_t review_count;		/* all reviews, not only these */
	int64_t changed_ms;		/* the newest plan change, removals
					   included (plan_history()); 0 none */
};

/* Whether the shared care plan has anything to send: goals or actions
 * (or their history), what matters, or a review. */
bool fhir_plan_exists(const struct fhir_plan *p);

/*
 * The shared care plan as a CarePlan: category "assess-plan" (US Core),
 * status active, intent plan; each goal a reference to its Goal, each
 * action an activity. meta.versionId is the plan's version plus the
 * version of what matters plus the number of reviews: every change to
 * any of them adds one.
 */
json_t *fhir_plan_json(const struct fhir_plan *p);

/* The newest time of the shared care plan (its meta.lastUpdated). */
int64_t fhir_plan_updated_ms(const struct fhir_plan *p);

/*
 * Patient `pid`'s crisis plan as a CarePlan: category "crisis-plan"
 * (cocare), one activity per item, that is per line of a section
 * (crisis_lines(), in `a`).
 */
json_t *fhir_crisis_json(struct arena *a, int64_t pid,
			 const struct crisis_plan *cp);

/* A plan goal (kind CARE_GOAL) as a Goal. */
json_t *fhir_goal_json(const struct plan_item *g);

/* FHIR Goal.lifecycleStatus of a goal status ("active", "achieved",
 * "stopped"); "active" for another. */
const char *fhir_goal_lifecycle(const char *status);

/* What makes up a note's Composition. */
struct fhir_note {
	const struct note *note;	/* with its whole body */
	const struct note_paragraph *paragraphs;	/* co-written only */
	size_t nparagraphs;
	const struct note_view *views;
	size_t nviews;
	const struct note_amendment *amendments;
	size_t namendments;
};

/*
 * A progress note as a Composition (LOINC 11506-3): one section for its
 * text, or for a co-written note one per paragraph with the author of
 * its words (and, once corrected, the corrected text first). Each
 * section's narrative is the Markdown rendered as the note page renders
 * it (markdown_html(), in `a`), the Markdown itself in an extension.
 */
json_t *fhir_note_json(struct arena *a, const struct fhir_note *n);

#endif

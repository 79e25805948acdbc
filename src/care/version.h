/*
 * Versions of the versioned parts of the care record ("what matters to
 * me", the crisis plan, goals, actions, notes): every change stores the
 * part's fields as a JSON object with who made it, in which voice and
 * what kind of change, so the history and any two versions' difference
 * come from stored rows. Callers run the insert inside their write.
 */
#ifndef CARE_VERSION_H
#define CARE_VERSION_H

#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

struct arena;
struct db;

/* Kinds of versioned part (care_version.subject_type). */
#define CARE_MATTERS "matters"
#define CARE_CRISIS "crisis"
#define CARE_GOAL "goal"
#define CARE_ACTION "action"
#define CARE_NOTE "note"
#define CARE_DECISION "decision"

struct care_version {
	int64_t id;
	const char *subject_type;
	int64_t subject_id;
	int version;		/* the part's version after the change */
	int plan_version;	/* the plan's, for goals and actions; else 0 */
	int64_t at_ms;
	int64_t author_id;
	const char *author_name;	/* read only */
	const char *voice;		/* "patient", "professional", ... */
	const char *change;		/* "create", "edit", "agree", ... */
	const char *fields;		/* JSON object text */
	const char *comment;
};

struct care_version_new {
	int64_t org_id;
	int64_t patient_id;
	const char *subject_type;
	int64_t subject_id;
	int version;
	int plan_version;
	int64_t at_ms;
	int64_t author_id;
	const char *voice;
	const char *change;
	json_t *fields;		/* borrowed */
	const char *comment;	/* NULL: none */
};

/* Stores one version (inside the caller's write transaction). */
enum err care_version_insert(struct db *db, const struct care_version_new *v);

/* Every version of one part, newest first (at most 1000). */
enum err care_version_list(struct db *db, struct arena *a,
			   const char *subject_type, int64_t subject_id,
			   struct care_version **out, size_t *count);

/* One version of one part; ERR_NOT_FOUND when there is none. */
enum err care_version_get(struct db *db, struct arena *a,
			  const char *subject_type, int64_t subject_id,
			  int version, struct care_version *out);

/* The text of `key` in a version's fields ("" when absent). */
const char *care_version_field(struct arena *a, const char *fields_json,
			       const char *key);

#endif

/*
 * "What matters to me": the patient's own words about what matters, what
 * a good day looks like, their strengths and what others should know
 * about them. Only ever the patient's words: written by the patient, or
 * by someone else *with* the patient, in their words, which then waits
 * until the patient confirms it. Every change and confirmation is a new
 * version (version.h, subject CARE_MATTERS, subject id = patient id).
 */
#ifndef CARE_MATTERS_H
#define CARE_MATTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "care/document.h"
#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance and audit resource type of these writes. */
#define MATTERS_RES "WhatMatters"


/* The parts, in the order they are shown. */
enum matters_part {
	MATTERS_WHAT,		/* what matters to me */
	MATTERS_GOOD_DAY,	/* what a good day looks like */
	MATTERS_STRENGTHS,	/* my strengths */
	MATTERS_KNOW,		/* what others should know about me */
	MATTERS__MAX
};

/* The kind of document (document.h) that "what matters to me" is. */
extern const struct document_kind matters_document;

/* The part's names and words; never NULL for a part below MATTERS__MAX. */
const struct document_part *matters_part_info(enum matters_part p);

struct matters {
	struct document doc;		/* its voice always "patient" once
					   written */
	const char *text[MATTERS__MAX];	/* "" when empty, never NULL */
	bool written_with_patient;	/* by someone else, with the patient */
	int64_t confirmed_ms;		/* when the patient confirmed; 0 not
					   yet (or never needed) */
};

/* Whether the patient still has to confirm words written with them. */
bool matters_awaits_confirmation(const struct matters *m);

/*
 * Patient `patient_id`'s "what matters to me". ERR_OK with version 0 and
 * empty texts when nothing is written yet; ERR_DB on failure.
 */
enum err matters_get(struct db *db, struct arena *a, int64_t patient_id,
		     struct matters *out);

/* Checks texts before a save: document_validate(). */
bool matters_validate(const char *const text[MATTERS__MAX],
		      struct problems *out);

/*
 * One change, made by matters_write() inside a write_commit() or
 * write_within() function. The caller fills who (org_id, patient_id,
 * author_id, at_ms), whether the author is the patient themself
 * (by_patient) or writes with the patient, in their words
 * (with_patient), the version the person saw (0 when nothing was
 * written) and the texts. matters_write() fills new_version.
 */
struct matters_change {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	int64_t at_ms;
	bool by_patient;
	bool with_patient;
	int version;
	const char *text[MATTERS__MAX];
	int new_version;
};

/*
 * Applies `arg` (a struct matters_change) in the caller's transaction:
 * the row and its new version. By the patient the words are theirs and
 * confirmed; with the patient they are stored in the patient's voice,
 * marked as written with them and waiting for confirmation. ERR_INVALID
 * when neither (what matters is only ever the patient's words) or a text
 * fails matters_validate(); ERR_CONFLICT when the stored version is not
 * the one the person saw. Nothing is stored on error.
 */
enum err matters_write(struct db *db, void *arg);

/* The patient confirms words written with them ("This is right"). */
struct matters_confirm {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	int64_t at_ms;
	bool by_patient;	/* only the patient themself confirms */
	int version;		/* the version they read */
	int new_version;	/* filled */
};

/*
 * Applies `arg` (a struct matters_confirm): records the confirmation as
 * a new version with the same words. ERR_FORBIDDEN unless by_patient;
 * ERR_CONFLICT when the words changed since the patient read them;
 * ERR_INVALID when nothing waits for confirmation; ERR_NOT_FOUND when
 * nothing is written. Nothing is stored on error.
 */
enum err matters_confirm(struct db *db, void *arg);

#endif

/*
 * The crisis plan: the sections of the Stanley-Brown safety plan
 * (warning signs, my own ways of coping, people and places that distract
 * me, people I can ask for help, professionals and services, making my
 * surroundings safe, reasons for living) and crisis preferences, an
 * advance statement (what helps, what does not, who to contact,
 * treatment preferences). Patient and professional write it together;
 * each section holds one item per line. Every change is a new version
 * (version.h, subject CARE_CRISIS, subject id = patient id).
 */
#ifndef CARE_CRISIS_H
#define CARE_CRISIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/document.h"
#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance and audit resource type of these writes. */
#define CRISIS_RES "CrisisPlan"


/* The sections in the order of the plan. */
enum crisis_section {
	CRISIS_WARNING_SIGNS,
	CRISIS_COPING,
	CRISIS_DISTRACTIONS,
	CRISIS_HELP_PEOPLE,
	CRISIS_PROFESSIONALS,
	CRISIS_SAFE_ENVIRONMENT,
	CRISIS_REASONS,
	CRISIS_WHAT_HELPS,		/* crisis preferences from here */
	CRISIS_WHAT_DOES_NOT_HELP,
	CRISIS_WHO_TO_CONTACT,
	CRISIS_TREATMENT,
	CRISIS__MAX
};

/* The first section of the crisis preferences (the advance statement). */
#define CRISIS_PREFERENCES_FIRST CRISIS_WHAT_HELPS

/* The kind of document (document.h) that the crisis plan is. */
extern const struct document_kind crisis_document;

/* The section's names and words; never NULL below CRISIS__MAX. */
const struct document_part *crisis_section_info(enum crisis_section s);

struct crisis_plan {
	struct document doc;		/* version 0: no plan yet */
	const char *text[CRISIS__MAX];	/* "" when empty, never NULL */
};

/*
 * Patient `patient_id`'s crisis plan. ERR_OK with version 0 and empty
 * sections when there is none; ERR_DB on failure.
 */
enum err crisis_plan_get(struct db *db, struct arena *a, int64_t patient_id,
			 struct crisis_plan *out);

/* True when no section has anything but white space. */
bool crisis_plan_is_empty(const struct crisis_plan *p);

/* Checks sections before a save: document_validate(). */
bool crisis_validate(const char *const text[CRISIS__MAX],
		     struct problems *out);

/*
 * One change, made by crisis_write() inside a write_commit() or
 * write_within() function. The caller fills who (org_id, patient_id,
 * author_id, voice, at_ms), the version the person saw (0 when there
 * was no plan) and every section's text. crisis_write() fills
 * new_version.
 */
struct crisis_change {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
	int version;
	const char *text[CRISIS__MAX];
	int new_version;
};

/*
 * Applies `arg` (a struct crisis_change) in the caller's transaction:
 * the plan row and its new version. ERR_CONFLICT when the stored version
 * is not the one the person saw; ERR_INVALID when a section fails
 * crisis_validate(). Nothing is stored on error.
 */
enum err crisis_write(struct db *db, void *arg);

/*
 * The lines of a section's text that are not blank, trimmed, as an arena
 * array of arena strings (one item each). NULL (with *n = 0) when there
 * are none or the arena is full.
 */
const char **crisis_lines(struct arena *a, const char *text, size_t *n);

#endif

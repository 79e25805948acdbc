/*
 * A per-patient document of text parts with versions. "What matters to
 * me" (matters.h) and the crisis plan (crisis.h) are each one row per
 * patient: N texts, the version, when, by whom and in which voice it
 * last changed, and a care_version row per change (version.h, subject
 * id = patient id). What they share lives here: reading the row,
 * checking the texts, and a write's version check, row and version row.
 * Each document's own rules stay in its module.
 */
#ifndef CARE_DOCUMENT_H
#define CARE_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

#define DOCUMENT_PARTS_MAX 16	/* text parts of any kind */
#define DOCUMENT_EXTRA_MAX 2	/* integer columns of a kind's own */

/* One text part. */
struct document_part {
	const char *key;	/* column, form field and version JSON key */
	const char *label;	/* msgid, in the patient's voice */
	const char *hint;	/* msgid */
	bool phones;		/* lines are people or services to call */
};

/*
 * A kind of document: its parts and its statements, each with the
 * patient id as $1.
 * - sql_get: org_id, version, updated_ms, updated_by, the writer's
 *   name, voice, the kind's `nextra` own columns, then the texts in the
 *   order of `parts`;
 * - sql_state: version, then the own columns;
 * - sql_insert, sql_update: $2 org_id, $3 version, $4 updated_ms,
 *   $5 updated_by, $6 voice, the own columns, the texts; sql_update's
 *   last parameter is the version it replaces.
 */
struct document_kind {
	const char *subject;		/* care_version subject_type */
	const struct document_part *parts;
	size_t nparts;			/* at most DOCUMENT_PARTS_MAX */
	size_t nextra;			/* at most DOCUMENT_EXTRA_MAX */
	const char *flag;		/* NULL, or the key of a yes or no that
					   each version's fields carry */
	const char *sql_get;
	const char *sql_state;
	const char *sql_insert;
	const char *sql_update;
};

/* What every document has besides its texts and its own columns. */
struct document {
	int64_t patient_id;
	int64_t org_id;
	int version;			/* 0: nothing written yet */
	int64_t updated_ms;
	int64_t updated_by;
	const char *updated_by_name;	/* read only */
	const char *voice;
};

/*
 * Patient `patient_id`'s document of kind `k`: the row into `out`, the
 * texts into text[k->nparts] ("" when empty, never NULL) and the own
 * columns into extra[k->nextra] (0 when nothing is written; `extra` may
 * be NULL). ERR_OK with version 0 and empty texts when nothing is
 * written yet; ERR_DB on failure.
 */
enum err document_get(struct db *db, struct arena *a,
		      const struct document_kind *k, int64_t patient_id,
		      struct document *out, const char **text,
		      int64_t *extra);

/*
 * Checks texts before a save: each part at most CARE_LONG_MAX
 * characters, no control characters but line breaks and tabs. NULL
 * texts are empty. Problems name the parts' keys. Returns true when
 * there is none.
 */
bool document_validate(const struct document_kind *k,
		       const char *const *text, struct problems *out);

/*
 * The stored version inside the caller's transaction (0 when nothing is
 * written) and the own columns into extra[k->nextra] (0 then).
 */
enum err document_state(struct db *db, const struct document_kind *k,
			int64_t patient_id, int *version, int64_t *extra);

/* One change, for document_write() and document_version_insert(). */
struct document_change {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	int64_t at_ms;
	const char *voice;		/* of the row and of the version */
	int version;			/* the version the person saw */
	const char *const *text;	/* k->nparts texts; NULL is "" */
	int64_t extra[DOCUMENT_EXTRA_MAX];	/* the own columns */
	bool flag;			/* k->flag's value in the version */
	int new_version;		/* filled by document_write() */
};

/*
 * Applies `c` in the caller's transaction: the row and its new version
 * ("create" or "edit"). ERR_INVALID when a text fails
 * document_validate() or there is no voice; ERR_CONFLICT when the
 * stored version is not the one the person saw (also when another first
 * save won the race). Nothing is stored on error.
 */
enum err document_write(struct db *db, const struct document_kind *k,
			struct document_change *c);

/*
 * The stored texts as a version's fields (see document_write()), with
 * k->flag set to `flag`, into *out (the caller's). ERR_DB when nothing
 * is stored.
 */
enum err document_fields_get(struct db *db, const struct document_kind *k,
			     int64_t patient_id, bool flag, json_t **out);

/*
 * Stores version c->new_version with `fields` (released here; NULL is
 * ERR_NOMEM) as a `change` ("create", "edit", "confirm", ...) by
 * c->author_id in c->voice, inside the caller's transaction.
 */
enum err document_version_insert(struct db *db,
				 const struct document_kind *k,
				 const struct document_change *c,
				 const char *change, json_t *fields);

#endif

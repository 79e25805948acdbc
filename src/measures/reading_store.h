/*
 * Stored home readings: one reading typed by hand, many from a CSV file in
 * one write, and the readings of a kind for tables and charts. Values are
 * kept exact as thousandths of the kind's storage unit (value_milli; a
 * blood pressure's diastolic in value2_milli). The same reading stored
 * twice (a double submit, a file imported again) is one row: the table's
 * unique key says so. A reading outside the agreed target queues an
 * alert for the care team in the same write (target_store.h, alert.h).
 */
#ifndef MEASURES_READING_STORE_H
#define MEASURES_READING_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "measures/reading.h"

struct arena;
struct db;

#define READING_RES "Observation"	/* provenance resource type */
#define READING_IMPORT_ROWS_MAX 200000	/* readings in one stored import */
#define READING_SERIES_MAX 20000	/* points of one series */
#define READING_LIST_MAX 1000		/* readings of one table */
#define READING_FUTURE_GRACE_MS (5 * 60 * 1000)	/* clock skew allowed */

/* One stored reading. Strings live in the arena that read it. */
struct reading {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *kind;		/* a reading_def key */
	int64_t at_ms;			/* when it was taken */
	int64_t value_milli;
	int64_t value2_milli;		/* diastolic; 0 for other kinds */
	const char *source;		/* "web", "csv", "demo", "api" */
	int64_t entered_by;
	const char *entered_by_name;	/* read only */
	int64_t entered_ms;
};

/* A point of a series, for the dashboard's charts. */
struct reading_point {
	int64_t at_ms;
	int64_t value_milli, value2_milli;
};

/* Thousandths of `x`, rounded half away from zero. */
int64_t reading_milli(double x);

/* The stored values of `v`; false when a value does not fit. */
bool reading_to_milli(const struct reading_value *v, int64_t *value_milli,
		      int64_t *value2_milli);

/* The value of kind `k` from stored thousandths. */
struct reading_value reading_from_milli(enum reading_kind k,
					int64_t value_milli,
					int64_t value2_milli);

/*
 * Whether `r` may be stored at `now_ms`: a known kind, values within
 * the kind's limits (reading_check()), taken no later than
 * READING_FUTURE_GRACE_MS after now_ms and not before 1900.
 */
bool reading_is_storable(const struct reading *r, int64_t now_ms);

/*
 * The job of reading_add(), run by write_commit(): stores `r` (every
 * field but entered_by_name set by the caller; r.entered_ms is the time
 * the write happens) and, when it lies outside the patient's agreed
 * target for its kind, raises the care team's alert for it (alert.h)
 * labelled with the kind's English label and `value_text` ("162/95
 * mmHg"; NULL or "": the value in the storage unit with a decimal point,
 * which reads the same in every language). A reading taken long before
 * it is stored opens no alert (TARGET_ALERT_STALE). `outside` tells
 * afterwards whether it was outside the target, `alerted` whether an
 * alert was opened or joined.
 */
struct reading_add_job {
	struct reading r;
	const char *value_text;
	bool outside;			/* out */
	bool alerted;			/* out */
};

/*
 * ERR_INVALID when reading_is_storable() fails; ERR_EXISTS when the same
 * reading (patient, kind, time, values) is already stored, as after a
 * double submit: nothing changes and no alert is raised, and the caller
 * treats it as saved (reading_find_same() gives the stored one). Nothing
 * is stored on error.
 */
enum err reading_add(struct db *db, void *arg);

/*
 * The job of reading_import(): stores `rows` (kind, at_ms and values
 * set; the other fields come from the job) in one write, leaving out
 * those already stored, and raises alerts as reading_add() does for the
 * new ones outside their target. `imported` and `skipped` count the
 * rows stored and left out, `alerted` the rows that opened or joined an
 * alert.
 */
struct reading_import_job {
	int64_t org_id;
	int64_t patient_id;
	const struct reading *rows;
	size_t n;
	const char *source;
	int64_t entered_by;
	int64_t at_ms;
	int64_t upload_id;		/* the staged file to delete with the
					   import (reading_upload_stage), or 0 */
	size_t imported;		/* out */
	size_t skipped;			/* out */
	size_t alerted;			/* out */
};

/* ERR_INVALID when there are more than READING_IMPORT_ROWS_MAX rows or
 * one is not storable, ERR_NOT_FOUND when the staged file is gone
 * (confirmed already): nothing is stored then. */
enum err reading_import(struct db *db, void *arg);

/*
 * A file between its preview and its confirmation, kept in the database
 * so that any process can finish the import. Its readings are stored
 * only by the confirming reading_import(), which deletes it.
 */
#define READING_UPLOAD_RES "ReadingUpload"	/* provenance type */
#define READING_UPLOAD_KEEP_MS (24LL * 3600 * 1000)	/* then deleted */

struct reading_upload {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t account_id;	/* only they may confirm it */
	const char *filename;
	const char *body;	/* valid UTF-8 without NUL bytes */
	size_t len;
	int64_t created_ms;
};

/* write_commit() function: stores `struct reading_upload *` and deletes
 * files left unconfirmed for READING_UPLOAD_KEEP_MS. */
enum err reading_upload_stage(struct db *db, void *arg);

/* Upload `id` of the patient made by `account_id`, not yet confirmed;
 * ERR_NOT_FOUND otherwise. */
enum err reading_upload_get(struct db *db, struct arena *a, int64_t id,
			    int64_t patient_id, int64_t account_id,
			    struct reading_upload *out);

/* The stored reading with the same patient, kind, time and values as
 * `r` (after ERR_EXISTS); ERR_NOT_FOUND when there is none. */
enum err reading_find_same(struct db *db, struct arena *a,
			   const struct reading *r, struct reading *out);

/* Reading `id` of the patient; ERR_NOT_FOUND if not theirs. */
enum err reading_get(struct db *db, struct arena *a, int64_t patient_id,
		     int64_t id, struct reading *out);

/* Reading `id`, whoever's; ERR_NOT_FOUND when there is none (callers
 * check access to its patient before showing it). */
enum err reading_by_id(struct db *db, struct arena *a, int64_t id,
		       struct reading *out);

/* A page of one patient's readings (the FHIR API's search). */
struct reading_query {
	int64_t patient_id;
	const char *kind;	/* NULL or "": every kind */
	int64_t from_ms, to_ms;	/* taken in [from_ms, to_ms) */
	int64_t entered_from_ms;	/* stored at or after; 0: any */
	bool oldest_first;
	bool has_after;		/* continue after (after_ms, after_id) */
	int64_t after_ms, after_id;
	size_t limit;		/* capped at READING_LIST_MAX */
};

/* The page, in the query's order, with who entered each. */
enum err reading_search(struct db *db, struct arena *a,
			const struct reading_query *q, struct reading **out,
			size_t *count);

/* How many readings the query matches on every page together. */
enum err reading_search_count(struct db *db, const struct reading_query *q,
			      int64_t *out);

/*
 * The patient's readings of `kind`, newest first, at most `max` (capped
 * at READING_LIST_MAX), with who entered them.
 */
enum err reading_list(struct db *db, struct arena *a, int64_t patient_id,
		      const char *kind, size_t max, struct reading **out,
		      size_t *count);

/* How many readings of `kind` the patient has. */
enum err reading_count(struct db *db, int64_t patient_id, const char *kind,
		       int64_t *out);

/*
 * The patient's readings of `kind` in time order, oldest first (the
 * newest READING_SERIES_MAX when there are more): an arena array in
 * `*out` (NULL when `*n` is 0).
 */
enum err reading_series(struct db *db, struct arena *a, int64_t patient_id,
			const char *kind, struct reading_point **out,
			size_t *n);

/* The same for readings taken from `from_ms` to `to_ms`, inclusive. */
enum err reading_series_range(struct db *db, struct arena *a,
			      int64_t patient_id, const char *kind,
			      int64_t from_ms, int64_t to_ms,
			      struct reading_point **out, size_t *n);

#endif

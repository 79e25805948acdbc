/*
 * The provenance records: who wrote what in a patient's record, when,
 * and in which voice. write.c writes one with every change to a
 * patient's record, in the change's transaction; this module reads them
 * back (for the FHIR Provenance resource) and says which part of the
 * record each kind of record belongs to, so that a reader sees the
 * provenance of what the access policy lets them read, and no more.
 */
#ifndef AUTH_PROVENANCE_H
#define AUTH_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/policy.h"
#include "core/err.h"

struct arena;
struct db;

#define PROVENANCE_LIST_MAX 1001	/* rows read at once */

struct provenance {
	int64_t id;
	int64_t org_id;
	int64_t at_ms;			/* when it was written */
	int64_t audit_seq;		/* its event in the audit chain */
	const char *resource_type;	/* "Goal", "Observation", ... */
	const char *resource_id;	/* "" when the write named none */
	int64_t patient_id;
	int64_t author_id;		/* account; 0 for cocare itself */
	const char *voice;		/* "patient", "caregiver",
					   "professional", "staff", "system" */
	const char *activity;		/* "create", "update", ... */
	/* Read only, from the author's account now ("" and 0 when none): */
	const char *author_role;	/* a role_name() */
	const char *author_name;
	int64_t author_patient_id;	/* a patient account's own record */
};

/*
 * A search of one patient's provenance: optionally of one record
 * (`resource_type` and `resource_id`, both set) and written in
 * [from_ms, to_ms), newest first unless `oldest_first`, continuing after
 * (after_ms, after_id) when `has_after`.
 */
struct provenance_query {
	int64_t patient_id;
	const char *resource_type;	/* NULL: every record */
	const char *resource_id;
	int64_t from_ms, to_ms;
	bool oldest_first;
	bool has_after;
	int64_t after_ms, after_id;
	size_t limit;			/* capped at PROVENANCE_LIST_MAX */
};

/* The rows of `q` in its order: an arena array in `*out` (`*count`). */
enum err provenance_search(struct db *db, struct arena *a,
			   const struct provenance_query *q,
			   struct provenance **out, size_t *count);

/*
 * How many rows `q` matches on every page together (the cursor and limit
 * are not used), in groups a reader may or may not see as a whole: one
 * per record type and activity, and, for `per_record_type` (may be
 * NULL), one per record of that type. An arena array in `*out`.
 */
struct provenance_group {
	const char *resource_type;
	const char *activity;
	const char *resource_id;	/* "" unless per_record_type */
	int64_t n;
};
enum err provenance_count(struct db *db, struct arena *a,
			  const struct provenance_query *q,
			  const char *per_record_type,
			  struct provenance_group **out, size_t *count);

/* Row `id`; ERR_NOT_FOUND when there is none. */
enum err provenance_get(struct db *db, struct arena *a, int64_t id,
			struct provenance *out);

/*
 * The part of the patient's record (policy.h) that a record of
 * `resource_type` belongs to, for a write or read `activity` (may be
 * NULL): reading its provenance, or its entries in the audit chain,
 * takes leave to read that part. Opening a record in an emergency
 * ("break-glass") belongs to the access log whatever the record. False
 * for a type this table does not know: callers then show nothing of it.
 */
bool provenance_resource(const char *resource_type, const char *activity,
			 enum resource *out);

#endif

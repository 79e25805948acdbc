/*
 * The patient record: identifiers, names, birth date, gender, language,
 * interpreter, communication and accessibility needs. Each update bumps
 * `version`, so a save made from a stale form is refused (ERR_CONFLICT)
 * instead of silently overwriting someone else's change.
 */
#ifndef PEOPLE_PATIENT_H
#define PEOPLE_PATIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

#define PATIENT_NAME_MAX 100
#define PATIENT_NEEDS_MAX 1000
#define IDENTIFIER_MAX 64
#define IDENTIFIERS_MAX 16	/* numbers one record shows */

struct patient_identifier {
	int64_t id;
	char *system;		/* "national" or "mrn" */
	char *value;
};

struct patient {
	int64_t id;
	int64_t org_id;
	int64_t unit_id;	/* 0 when none */
	char *unit_name;	/* read only */
	char *given_name;
	char *family_name;
	char *birth_date;	/* YYYY-MM-DD */
	char *gender;		/* female, male, other, unknown */
	char *preferred_language;	/* ISO 639-1, e.g. "es" */
	bool interpreter_needed;
	char *communication_needs;
	char *accessibility_needs;
	/* The patient groups the touchpoint analytics split by; "" or 0 is
	 * "not known" (see the choices below). */
	char *disability;	/* "", none, yes, prefer_not */
	char *digital_confidence;	/* "", low, some, high */
	int deprivation_decile;	/* 1 most deprived .. 10 least; 0 unknown */
	int64_t version;
	int64_t created_at;
	int64_t updated_at;
	struct patient_identifier *ids;
	size_t nids;
};

/* The allowed identifier systems and genders, NULL-terminated. */
extern const char *const patient_identifier_systems[];
extern const char *const patient_genders[];

/* A stored code and its English label (a msgid). */
struct patient_choice {
	const char *code;
	const char *label;
};

/* The languages offered in forms and the gender labels, each ending with
 * a {NULL, NULL} row. */
extern const struct patient_choice patient_language_choices[];
extern const struct patient_choice patient_gender_choices[];

/* Whether the patient has a disability (as they describe it) and how
 * confident they are using digital services, each with a first row
 * {"", "Not known"}; ending with {NULL, NULL}. */
extern const struct patient_choice patient_disability_choices[];
extern const struct patient_choice patient_digital_choices[];

#define PATIENT_DECILE_MAX 10	/* deprivation deciles 1..10; 0 unknown */

/* The label for `code` in `list`, or `code` itself when unknown. */
const char *patient_choice_label(const struct patient_choice *list,
				 const char *code);

/* Adds a problem per invalid field; `now` bounds the birth date. */
void patient_validate(const struct patient *p, int64_t now,
		      struct problems *out);

/* Adds a problem when the identifier is not valid. */
void patient_identifier_validate(const char *system, const char *value,
				 struct problems *out);

/*
 * A past version of the record (patient_update() keeps each one before
 * replacing it), with the numbers it had then; ERR_NOT_FOUND when it was
 * not kept (before version keeping began) or is the current one.
 */
enum err patient_version_get(struct db *db, struct arena *a, int64_t id,
			     int64_t version, struct patient *out);

/* The past versions older than `before`, newest first, at most `limit`. */
enum err patient_versions(struct db *db, struct arena *a, int64_t id,
			  int64_t before, size_t limit, struct patient **out,
			  size_t *n);

/* One version of one patient, and when it was made (Unix seconds). */
struct patient_version_key {
	int64_t patient_id;
	int64_t version;
	int64_t at;
};

/*
 * The versions of an organisation's patients, current and kept, made at
 * or after `since`, newest first (then by patient and version, both
 * descending), after `after` (NULL: from the newest), at most `limit`.
 */
enum err patient_history_of_org(struct db *db, struct arena *a,
				int64_t org_id, int64_t since,
				const struct patient_version_key *after,
				size_t limit, struct patient_version_key **out,
				size_t *n);

/* The record with its identifiers; ERR_NOT_FOUND when absent. */
enum err patient_get(struct db *db, struct arena *a, int64_t id,
		     struct patient *out);

/*
 * Patients of an organisation whose name or identifier matches `q` (all
 * when empty), by family name; `mine` limits to the care team of
 * `account_id`. At most `limit` rows after `offset`.
 */
enum err patient_search(struct db *db, struct arena *a, int64_t org_id,
			const char *q, bool mine, int64_t account_id,
			int limit, int offset, struct patient **out,
			size_t *count);

/* The FHIR API's patient search: every condition set must hold. */
struct patient_query {
	int64_t org_id;
	int64_t unit_id;		/* 0: any */
	int64_t id;			/* 0: any */
	const char *name;		/* a word of the name starts so */
	const char *identifier;		/* exact value */
	const char *identifier_system;	/* "national", "mrn"; NULL: any */
	const char *gender;
	const char *born_from;		/* YYYY-MM-DD, inclusive */
	const char *born_before;	/* YYYY-MM-DD, exclusive */
	int64_t after_id;		/* rows with a larger id */
	size_t limit;			/* 1 to 1000 */
};

/* Patients matching `q`, by id, without their identifiers. */
enum err patient_find(struct db *db, struct arena *a,
		      const struct patient_query *q, struct patient **out,
		      size_t *count);

/* Writes, inside a write transaction. */
enum err patient_insert(struct db *db, const struct patient *p);
/* Updates demographics and needs if `p->version` is still current;
 * ERR_CONFLICT when someone saved in between. */
enum err patient_update(struct db *db, const struct patient *p, int64_t now);
enum err patient_identifier_insert(struct db *db, int64_t org_id,
				   int64_t patient_id, const char *system,
				   const char *value);

#endif

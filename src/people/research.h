/*
 * Research consent: whether a patient lets their record be used for
 * research. Each answer (given or withdrawn) is kept with who recorded
 * it, in which voice and when; the latest is the answer now. The
 * organisation's research exports (fhir/export.h) hold only patients
 * whose answer now is yes, pseudonymised.
 */
#ifndef PEOPLE_RESEARCH_H
#define PEOPLE_RESEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

struct research_consent {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	bool given;
	int64_t recorded_by;
	const char *recorded_by_name;	/* read only */
	const char *voice;	/* "patient", "caregiver", "professional", ... */
	int64_t at_ms;
};

/* Records `arg` (a struct research_consent with every field but the
 * name) inside a write_commit(). */
enum err research_consent_write(struct db *db, void *arg);

/* The patient's answers, newest first (at most 100); none: *n 0. */
enum err research_consent_history(struct db *db, struct arena *a,
				  int64_t patient_id,
				  struct research_consent **out, size_t *n);

/* Whether the patient's latest answer is yes. */
enum err research_consent_given(struct db *db, int64_t patient_id,
				bool *given);

/* One answer, by id; ERR_NOT_FOUND. */
enum err research_consent_get(struct db *db, struct arena *a, int64_t id,
			      struct research_consent *out);

/*
 * The organisation's research key (32 bytes), made at random the first
 * time it is asked for, inside a write.
 */
enum err research_key_ensure(struct db *db, int64_t org_id,
			     unsigned char key[32]);

/* The key, outside a write; ERR_NOT_FOUND before the first export. */
enum err research_key_get(struct db *db, int64_t org_id,
			  unsigned char key[32]);

#endif

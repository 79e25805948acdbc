/*
 * The single write path. Every change to stored data goes through
 * write_commit(): the domain function runs in the writer's transaction
 * and, in that same transaction, the audit event, the provenance (who
 * wrote it, in which voice) and, where the change crosses the
 * patient-staff line, the touchpoint are recorded. Either all of them are
 * committed or none is. A refused or failed write is audited too, after
 * the fact, with its outcome.
 */
#ifndef AUTH_WRITE_H
#define AUTH_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct ctx;
struct db;

struct write_info {
	const char *action;		/* "create", "update", "revoke", ... */
	const char *resource_type;	/* "Patient", "CareTeam", ... */
	const char *resource_id;	/* "" when the fn creates it: it may
					   then set w->resource_id itself */
	int64_t patient_id;		/* whose record; 0 when none */
	const char *detail;		/* short code, never health data */
	const char *touchpoint_kind;	/* set when the change is seen across
					   the patient-staff line */
	const char *voice;		/* NULL: the actor's role's voice;
					   "patient" when a professional
					   writes with the patient, in their
					   words */
};

/*
 * Runs `fn(db, arg)` durably with its audit, provenance and touchpoint
 * rows (see above). Returns fn's error (nothing stored but a "failure"
 * audit event), ERR_DB when the commit fails, else ERR_OK after the
 * commit is on disk, or, when the context can answer later (c->defer),
 * once committed, with c->durable() called when it is on disk. `w` and
 * `arg` must stay valid until it returns.
 */
enum err write_commit(struct ctx *c, struct write_info *w,
		      enum err (*fn)(struct db *db, void *arg), void *arg);

/*
 * Several writes made all or none (a FHIR transaction): each step with
 * its own audit event, provenance and touchpoint, in one transaction,
 * committed and made durable as write_commit() does. A step whose fn
 * answers ERR_EXISTS with `exists_ok` set wrote nothing (the same was
 * stored before): it is marked `existed` and the others go on. Any
 * other error undoes every step and is returned.
 */
struct write_step {
	struct write_info *w;
	enum err (*fn)(struct db *db, void *arg);
	void *arg;
	bool exists_ok;
	bool existed;		/* out */
};

enum err write_commit_all(struct ctx *c, struct write_step *steps, size_t n);

/*
 * The same steps inside a transaction the caller already holds (the
 * demo loader, which stores a whole history in one transaction): fn, the
 * audit event, provenance and touchpoint, at c->now (Unix seconds).
 */
enum err write_within(struct db *db, struct ctx *c, struct write_info *w,
		      enum err (*fn)(struct db *db, void *arg), void *arg);

/* Audits a write the policy refused (outcome "denied"), without waiting. */
void write_refused(struct ctx *c, const struct write_info *w);

#endif

/*
 * The audit chain. Every read of patient data and every write appends an
 * event; each event's hash is a keyed BLAKE2b over its fields and the
 * previous event's hash, and audit_head records the newest entry, so
 * `cocare verify` finds any edited, removed, inserted or reordered row.
 * The key lives outside the database (data_dir/audit.key by default):
 * someone who can edit the database but not read the key cannot forge a
 * consistent chain.
 */
#ifndef AUTH_AUDIT_H
#define AUTH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;
struct ctx;

#define AUDIT_KEY_BYTES 32

struct audit_key {
	unsigned char k[AUDIT_KEY_BYTES];
};

/*
 * Reads the key (64 hex characters) from `path`, creating it with a new
 * random key (mode 0600) when `create` is set and the file is missing.
 * ERR_IO with a message in `msg` when it cannot.
 */
enum err audit_key_load(const char *path, bool create, struct audit_key *out,
			char *msg, size_t msglen);

struct audit_event {
	int64_t org_id;
	int64_t actor_id;
	const char *actor_role;
	const char *action;		/* "read", "create", "update", "login" */
	const char *resource_type;	/* "Patient", "Session", ... */
	const char *resource_id;	/* "" when none */
	int64_t patient_id;		/* 0 when not patient data */
	const char *outcome;		/* "success", "denied", "failure" */
	const char *detail;		/* short code; never health data */
	int64_t at_ms;
};

/*
 * Appends `e` to the chain. Must run inside a write transaction (a
 * store_write function): those run one at a time across every process
 * (db_begin in store.h), so appends stay in one order. `*seq` (may be NULL) gets the
 * new entry's sequence number.
 */
enum err audit_append(struct db *db, const struct audit_key *key,
		      const struct audit_event *e, int64_t *seq);

/*
 * Queues an audit event for a read (or a refused request) without
 * waiting; it is committed within the configured batching delay. The
 * event is copied. Returns ERR_OK or ERR_UNAVAILABLE during shutdown.
 */
enum err audit_record_async(struct ctx *c, const struct audit_event *e);

/* An event from the context's actor, for the common case. */
struct audit_event audit_event_for(const struct ctx *c, const char *action,
				   const char *resource_type,
				   const char *resource_id,
				   int64_t patient_id, const char *outcome);

struct audit_problem {
	int64_t seq;		/* the first entry that does not verify */
	char what[128];		/* "hash mismatch", "missing entry", ... */
};

/*
 * Checks the whole chain in order. ERR_OK when intact (`*count` gets the
 * number of entries); ERR_INVALID with `*problem` naming the first bad
 * entry; ERR_DB on failure.
 */
enum err audit_verify(struct db *db, const struct audit_key *key,
		      int64_t *count, struct audit_problem *problem);

struct audit_row {
	int64_t seq;
	int64_t org_id;		/* the actor's organisation */
	int64_t at_ms;
	int64_t actor_id;
	char *actor_name;	/* display name, or "" for system */
	int64_t actor_patient_id;	/* a patient account's own record */
	char *actor_role;
	char *action;
	char *resource_type;
	char *resource_id;
	int64_t patient_id;
	int64_t patient_org_id;	/* the patient's organisation; 0 none */
	char *outcome;
	char *detail;
	char *prev_hash;	/* the chain: the previous entry's hash */
	char *hash;
};

#define AUDIT_LIST_MAX 1001	/* rows read at once */

/*
 * A search of the chain: one patient's record (`patient_id`), or else
 * the events of one organisation's people (`org_id`); optionally only
 * one actor's (`actor_id`, or the account of patient record
 * `actor_patient_id`), at_ms in [from_ms, to_ms). Newest first (by
 * seq) unless `oldest_first`, continuing after `after_seq` when not 0.
 */
struct audit_query {
	int64_t patient_id;
	int64_t org_id;
	int64_t actor_id;		/* 0: anyone */
	int64_t actor_patient_id;	/* 0: anyone */
	int64_t from_ms, to_ms;
	bool oldest_first;
	int64_t after_seq;
	size_t limit;			/* capped at AUDIT_LIST_MAX */
};

/* The rows of `q` in its order: an arena array in `*rows` (`*count`). */
enum err audit_search(struct db *db, struct arena *a,
		      const struct audit_query *q, struct audit_row **rows,
		      size_t *count);

/* How many rows `q` matches on every page together. */
enum err audit_search_count(struct db *db, const struct audit_query *q,
			    int64_t *out);

/* Entry `seq`; ERR_NOT_FOUND when there is none. */
enum err audit_get(struct db *db, struct arena *a, int64_t seq,
		   struct audit_row *out);

/*
 * Who accessed a patient's record, newest first: at most `limit` rows
 * (1 to 1000) before sequence `before` (0 = newest). Rows are in `a`.
 */
enum err audit_list_for_patient(struct db *db, struct arena *a,
				int64_t patient_id, int64_t before,
				int limit, struct audit_row **rows,
				size_t *count);

#endif

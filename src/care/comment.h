/*
 * Comments on any part of the care record (a goal, an action, a
 * decision...), each with its author, voice and time. They are never
 * changed or deleted, so a conversation about an item stays whole.
 */
#ifndef CARE_COMMENT_H
#define CARE_COMMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

struct care_comment {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	const char *subject_type;
	int64_t subject_id;
	int64_t at_ms;
	int64_t author_id;
	const char *author_name;	/* read only */
	const char *voice;
	const char *body;
};

/* Stores `arg` (a struct care_comment; id is set) in the caller's
 * transaction. */
enum err care_comment_write(struct db *db, void *arg);

/* The comments on one part, oldest first (at most 500). */
enum err care_comment_list(struct db *db, struct arena *a,
			   const char *subject_type, int64_t subject_id,
			   struct care_comment **out, size_t *count);

#endif

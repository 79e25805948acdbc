/*
 * The visit agenda: what the patient (or someone on their side, or the
 * team) wants to talk about at the next visit. The dashboard shows the
 * open items first; at the visit each is marked as talked about, and
 * stays in the record with who marked it and when.
 */
#ifndef MEASURES_AGENDA_H
#define MEASURES_AGENDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/care.h"
#include "core/err.h"

struct arena;
struct db;
struct problems;

#define AGENDA_RES "VisitAgendaItem"	/* provenance resource type */
#define AGENDA_TEXT_MAX CARE_SHORT_MAX	/* characters */
#define AGENDA_OPEN_MAX 20		/* open items a patient may have */
#define AGENDA_LIST_MAX 50		/* items listed */

struct agenda_item {
	int64_t id;
	int64_t patient_id;
	const char *text;
	int64_t added_by;
	const char *added_by_name;	/* read only */
	int64_t added_ms;
	int64_t discussed_ms;		/* 0 while open */
	const char *discussed_by_name;	/* read only */
};

/* The job of agenda_write(): add `item` (id 0 on entry: a new id is
 * made), or with `discussed` mark item `item.id` as talked about. */
struct agenda_job {
	int64_t org_id;
	struct agenda_item item;
	bool discussed;
	int64_t by;
	int64_t at_ms;
};

/* True when `text` is a non-empty item of at most AGENDA_TEXT_MAX characters; else a problem for
 * field "agenda". */
bool agenda_text_ok(struct problems *ps, const char *text);

/* write_commit() function: adds or marks an item (see struct agenda_job).
 * ERR_INVALID past AGENDA_OPEN_MAX open items or for bad text;
 * ERR_NOT_FOUND when the item is not the patient's or already marked. */
enum err agenda_write(struct db *db, void *arg);

/* Open items first (oldest first), then the ten most recently talked
 * about. */
enum err agenda_list(struct db *db, struct arena *a, int64_t patient_id,
		     struct agenda_item **out, size_t *count);

#endif

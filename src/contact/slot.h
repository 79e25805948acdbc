/*
 * Professionals' availability as appointment slots. A slot is one
 * stretch of a professional's time (in person at a place, by phone, or
 * by video link) that is open, booked by one appointment, or withdrawn.
 * Slots are added one at a time or from a repeating pattern ("Tuesdays
 * 9:00-12:00 in 20-minute slots for 8 weeks"). Times are Unix seconds;
 * the pages show and read them in UTC, as every page of cocare does.
 *
 * The write functions have the signature write_commit() expects: they
 * run inside the caller's transaction and store nothing on error.
 */
#ifndef CONTACT_SLOT_H
#define CONTACT_SLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

#define SLOT_RES "AppointmentSlot"	/* provenance resource type */
#define SLOT_PATTERN_MAX 400		/* slots one pattern may make */
#define SLOT_LIST_MAX 500		/* slots listed at once */
#define SLOT_PLACE_MAX 200		/* characters of a place */
#define SLOT_LINK_MAX 500		/* characters of a video link */

/* The ways of meeting: stored code and English words (a msgid). */
#define SLOT_MODALITY_MAP(X)                                              \
	X(IN_PERSON, "in_person", N_("In person"))                         \
	X(PHONE, "phone", N_("By phone"))                                  \
	X(VIDEO, "video", N_("By video link"))

enum slot_modality {
#define SLOT_MODALITY_ENUM(id, code, label) SLOT_##id,
	SLOT_MODALITY_MAP(SLOT_MODALITY_ENUM)
#undef SLOT_MODALITY_ENUM
	SLOT__MAX
};

/* The code's modality; false for anything else. */
bool slot_modality_parse(const char *code, enum slot_modality *out);
const char *slot_modality_code(enum slot_modality m);
/* The English words for a stored code ("" when unknown). */
const char *slot_modality_label(const char *code);

struct slot {
	int64_t id;
	int64_t org_id;
	int64_t unit_id;
	int64_t professional_id;
	const char *professional_name;	/* read only */
	int64_t starts_at;
	int64_t ends_at;
	const char *modality;		/* a code */
	const char *place;		/* "" when none */
	const char *link;		/* "" when none */
	const char *status;		/* "open", "booked", "withdrawn" */
	int version;
	/* read only, in lists: the booked appointment, if any */
	int64_t appointment_id;
	int64_t patient_id;
	const char *patient_name;
	const char *appointment_status;
};

/*
 * A repeating pattern of slots: from day `first_day` (midnight UTC),
 * every 7 days for `weeks` weeks (1: that day only), slots of
 * `length_min` minutes from `start_min` to `end_min` (minutes from
 * midnight UTC; a last piece shorter than a slot is left out).
 */
struct slot_pattern {
	int64_t org_id;
	int64_t unit_id;
	int64_t professional_id;
	int64_t created_by;
	int64_t now;
	int64_t first_day;
	int start_min;
	int end_min;
	int length_min;
	int weeks;
	const char *modality;
	const char *place;
	const char *link;
	size_t added;			/* out: slots stored */
	size_t overlapping;		/* out: slots left out, already
					   taken by the professional's time */
};

/*
 * Checks a pattern: a known modality; end after start; slots of 5 to
 * 240 minutes; 1 to 52 weeks; at most SLOT_PATTERN_MAX slots; not
 * starting in the past; place at most SLOT_PLACE_MAX characters; a video
 * link that starts with https:// and has at most SLOT_LINK_MAX
 * characters (required for video); a place required in person. Problems
 * name "modality", "start", "end", "length", "weeks", "day", "place",
 * "link".
 */
void slot_pattern_validate(const struct slot_pattern *p,
			   struct problems *out);

/* The number of slots the pattern makes, before overlaps. */
size_t slot_pattern_count(const struct slot_pattern *p);

/*
 * Stores the slots of pattern `arg` (struct slot_pattern), leaving out
 * those that overlap a slot of the professional that is not withdrawn
 * (counted in `overlapping`). ERR_INVALID when the pattern does not pass
 * slot_pattern_validate() or every slot overlaps.
 */
enum err slot_pattern_add(struct db *db, void *arg);

/* Withdraws an open slot (`arg`: struct slot_withdraw). ERR_NOT_FOUND
 * for no such slot of the organisation; ERR_FORBIDDEN when
 * `professional_id` is not 0 and the slot is someone else's (a
 * professional keeps only their own schedule); ERR_CONFLICT when it is
 * not open (booked meanwhile: cancel the appointment first). */
struct slot_withdraw {
	int64_t org_id;
	int64_t slot_id;
	int64_t professional_id;
};
enum err slot_withdraw(struct db *db, void *arg);

/* One slot of the organisation; ERR_NOT_FOUND when none. */
enum err slot_get(struct db *db, struct arena *a, int64_t org_id,
		  int64_t id, struct slot *out);

/*
 * The slots of the organisation between `from` and `to` (start times),
 * earliest first, at most `max`, not withdrawn, with the appointment
 * booked in each: of one professional when `professional_id` is not 0.
 */
enum err slot_list_schedule(struct db *db, struct arena *a, int64_t org_id,
			    int64_t professional_id, int64_t from, int64_t to,
			    size_t max, struct slot **out, size_t *count);

/*
 * The open slots patient `patient_id` may be booked into between `from`
 * and `to`, earliest first, at most `max`: those of professionals on
 * the patient's care team and those of the patient's unit.
 */
enum err slot_list_for_patient(struct db *db, struct arena *a,
			       int64_t patient_id, int64_t from, int64_t to,
			       size_t max, struct slot **out, size_t *count);

/* Whether patient `patient_id` may be booked into slot `s` (a slot of
 * their care team or unit, by the rule above). */
enum err slot_is_for_patient(struct db *db, int64_t patient_id,
			     const struct slot *s, bool *out);

#endif

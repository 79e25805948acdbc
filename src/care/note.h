/*
 * Progress notes of the co-produced care record. A professional writes a
 * note in Markdown (checked before it is stored, so no raw HTML and no
 * unsafe link ever reaches a page); the patient reads the notes shared
 * with them, adds "my view" beside a note and may ask for a correction,
 * which the note's author answers by correcting the note (a new version;
 * the old text stays in care_version) or by explaining. A note written
 * with the patient at a visit keeps each paragraph with its voice. A note
 * is withheld from the patient only for a reason from a fixed list.
 *
 * The write functions have the signature write_commit() expects: they
 * run inside the caller's transaction, check what they need (version,
 * author, state) and store nothing on error.
 */
#ifndef CARE_NOTE_H
#define CARE_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance resource types of note writes. */
#define NOTE_RES_NOTE "ProgressNote"
#define NOTE_RES_VIEW "NoteView"
#define NOTE_RES_AMENDMENT "NoteAmendment"

#define NOTE_PARAGRAPHS_MAX 6	/* paragraphs of a co-written note */
#define NOTE_LIST_MAX 200	/* notes listed at once, newest first */
#define NOTE_THREAD_MAX 200	/* views or requests shown on one note */

/* Why a note is not shared with the patient: a code and English words
 * for people (a msgid). NULL-terminated. */
struct note_reason {
	const char *code;
	const char *label;
};
extern const struct note_reason note_withheld_reasons[];

/* The words for a reason code; "" when it is not on the list. */
const char *note_reason_label(const char *code);

struct note {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	const char *author_name;	/* read only */
	int64_t written_ms;
	int64_t updated_ms;
	const char *title;		/* "" when none */
	const char *body;		/* Markdown */
	bool cowritten;
	bool shared;
	const char *withheld_reason;	/* a code; "" when shared */
	int version;
	int views;			/* read only: "my view" entries */
	int open_requests;		/* read only: unanswered requests */
};

/* A paragraph of a co-written note, in the words of `voice` ("patient"
 * or "professional"); `author_id` is who typed it. */
struct note_paragraph {
	int position;
	const char *voice;
	int64_t author_id;
	const char *body;		/* Markdown */
};

/* "My view" beside a note. */
struct note_view {
	int64_t id;
	int64_t note_id;
	int64_t author_id;
	const char *author_name;	/* read only */
	const char *voice;		/* "patient" or "caregiver" */
	int64_t at_ms;
	const char *body;		/* plain text */
};

/* A correction request and its answer. */
struct note_amendment {
	int64_t id;
	int64_t note_id;
	int64_t requested_by;
	const char *requested_by_name;	/* read only */
	int64_t requested_ms;
	const char *request;		/* plain text */
	const char *status;		/* "open", "accepted", "explained" */
	int64_t answered_by;
	const char *answered_by_name;	/* read only */
	int64_t answered_ms;
	const char *answer;		/* plain text; "" while open */
};

/*
 * Checks a note before it is written: title at most 300 characters,
 * body required, at most 20,000 characters and safe Markdown; a note not
 * shared needs a reason from the list. Problems name the form fields
 * "title", "body" and "reason".
 */
void note_validate(const char *title, const char *body, bool shared,
		   const char *reason, struct problems *out);

/*
 * Checks the paragraphs of a co-written note: at least one, each at most
 * 4,000 characters of safe Markdown with the voice "patient" or
 * "professional". Problems name "p1" ... "p6" (by position) and "voice1"
 * ... "voice6"; "p1" when there is no paragraph at all.
 */
void note_paragraphs_validate(const struct note_paragraph *p, size_t n,
			      struct problems *out);

/* Checks plain text written beside a note ("my view", a request, an
 * answer): required when `required`, at most 4,000 characters. */
void note_text_validate(const char *field, const char *text, bool required,
			struct problems *out);

/*
 * A new or changed note, written by note_create() or note_edit() inside a
 * write_commit() or write_within() function. The caller fills:
 * - who and when: org_id, patient_id, author_id (the professional),
 *   voice (recorded with the version), at_ms;
 * - the note: id (create: a new id from id_new(); edit: the note's),
 *   title, body, shared, withheld_reason ("" when shared);
 * - create only: cowritten with `paragraphs` (the body is then their
 *   text joined by blank lines) and patient_confirmed, which a
 *   co-written note needs;
 * - edit only: version, the version the person saw.
 * new_version is set on success.
 */
struct note_write {
	int64_t org_id;
	int64_t patient_id;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
	int64_t id;
	int version;
	const char *title;
	const char *body;
	bool shared;
	const char *withheld_reason;
	bool cowritten;
	bool patient_confirmed;
	const struct note_paragraph *paragraphs;
	size_t nparagraphs;
	int new_version;
};

/*
 * Stores a new note (`arg`: struct note_write) with its paragraphs and
 * its first version in care_version. ERR_INVALID when the note does not
 * pass note_validate() (or note_paragraphs_validate()), or a co-written
 * note is not confirmed by the patient or not shared.
 */
enum err note_create(struct db *db, void *arg);

/*
 * Changes a note (`arg`: struct note_write) and stores the new version.
 * ERR_NOT_FOUND for no such note of the patient, ERR_FORBIDDEN when the
 * writer is not the note's author, ERR_INVALID for invalid fields or a
 * co-written note (confirmed by the patient, so never changed alone),
 * ERR_CONFLICT when the stored version is not the one the person saw.
 */
enum err note_edit(struct db *db, void *arg);

/*
 * Something the patient's side writes beside a note: "my view"
 * (note_view_add) or a correction request (note_amend_request). The
 * caller fills every field, `id` with a new id from id_new() so the
 * write can name it. ERR_NOT_FOUND when the note is not
 * the patient's or not shared with them, ERR_FORBIDDEN when `voice` is
 * not "patient" or "caregiver", ERR_INVALID for the text.
 */
struct note_beside {
	int64_t org_id;
	int64_t patient_id;
	int64_t note_id;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
	const char *text;
	int64_t id;
};
enum err note_view_add(struct db *db, void *arg);
enum err note_amend_request(struct db *db, void *arg);

/*
 * The author's answer to a correction request (`arg`: struct
 * note_answer). Accepting replaces the note's body (and title, when
 * `title` is not NULL) with the corrected text as a new version, change
 * "correct", the request's id in its comment, if the note is still at
 * `version`; explaining stores the answer, which is then required. Both
 * keep the request with its answer. ERR_NOT_FOUND for no such request on
 * this note, ERR_FORBIDDEN when the answerer is not the note's author,
 * ERR_CONFLICT when the request was answered already or the note
 * changed since `version`, ERR_INVALID for invalid text.
 */
struct note_answer {
	int64_t org_id;
	int64_t patient_id;
	int64_t note_id;
	int64_t amendment_id;
	int64_t answered_by;
	const char *voice;
	int64_t at_ms;
	bool accept;
	const char *answer;
	const char *title;	/* accept: corrected title, NULL keeps it */
	const char *body;	/* accept: the corrected note */
	int version;		/* accept: the note version the author saw */
	int new_version;	/* set when accepted */
};
enum err note_amend_answer(struct db *db, void *arg);

/* The patient's notes, newest first (at most `max`), with counts of
 * views and open requests and only the first 300 characters of each
 * body; notes not shared only when `with_withheld`. */
enum err note_list(struct db *db, struct arena *a, int64_t patient_id,
		   bool with_withheld, size_t max, struct note **out,
		   size_t *count);

/* One note of the patient; ERR_NOT_FOUND when there is none, or it is
 * not shared and `with_withheld` is false. */
enum err note_get(struct db *db, struct arena *a, int64_t patient_id,
		  int64_t id, bool with_withheld, struct note *out);

/*
 * The patient whose note `id` is, shared or not; ERR_NOT_FOUND when
 * there is none. For callers that name a note by its id alone (the FHIR
 * API): they check access to that patient, then read the note with
 * note_get(), which hides a withheld note as the pages do.
 */
enum err note_patient(struct db *db, int64_t id, int64_t *patient_id);

/*
 * A page of one patient's notes with their whole text (the FHIR API's
 * search). Notes not shared with the patient are in it only when
 * `with_withheld`, the same rule as note_list().
 */
struct note_query {
	int64_t patient_id;
	bool with_withheld;
	int64_t from_ms, to_ms;	/* written in [from_ms, to_ms) */
	int64_t changed_from_ms;	/* updated_ms in [changed_from_ms, */
	int64_t changed_to_ms;		/* changed_to_ms) */
	bool oldest_first;	/* else newest first */
	bool has_after;		/* continue after (after_ms, after_id):
				   written_ms and id of the last note of
				   the page before */
	int64_t after_ms, after_id;
	size_t limit;		/* capped at NOTE_LIST_MAX + 1, so a caller
				   may ask one past a page */
};

/* The page in the query's order, written time then id. */
enum err note_search(struct db *db, struct arena *a,
		     const struct note_query *q, struct note **out,
		     size_t *count);

/* How many notes the query matches on every page together. */
enum err note_search_count(struct db *db, const struct note_query *q,
			   int64_t *out);

/* Whether note `id` of the patient is shared with them now, without
 * reading it; ERR_NOT_FOUND when the patient has no such note. */
enum err note_sharing_get(struct db *db, int64_t patient_id, int64_t id,
			  bool *shared);

/* A co-written note's paragraphs in order. */
enum err note_paragraph_list(struct db *db, struct arena *a, int64_t note_id,
			     struct note_paragraph **out, size_t *count);

/* The views beside a note, oldest first. */
enum err note_view_list(struct db *db, struct arena *a, int64_t note_id,
			struct note_view **out, size_t *count);

/* The correction requests of a note, oldest first. */
enum err note_amendment_list(struct db *db, struct arena *a, int64_t note_id,
			     struct note_amendment **out, size_t *count);

/* One request of a note; ERR_NOT_FOUND when there is none. */
enum err note_amendment_get(struct db *db, struct arena *a, int64_t note_id,
			    int64_t id, struct note_amendment *out);

/* The text of paragraphs as one note body (joined by blank lines), in
 * `a`; NULL when out of memory. */
char *note_join_paragraphs(struct arena *a, const struct note_paragraph *p,
			   size_t n);

#endif

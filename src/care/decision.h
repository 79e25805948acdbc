/*
 * Shared decisions. An organisation keeps decision aids: option grids of
 * a few options against the questions patients ask most, each cell a
 * short answer in plain words. A decision record keeps, for one patient,
 * the grid as it was shown, the questions that matter most to them, the
 * options considered, the choice (or "not decided yet"), the reasons,
 * who took part and when to look at it again. Every change of a record
 * is a version (version.h), so its history can be shown.
 */
#ifndef CARE_DECISION_H
#define CARE_DECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "care/care.h"
#include "care/version.h"
#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

/* Provenance resource types (versions use CARE_DECISION, version.h). */
#define DECISION_AID_RES "DecisionAid"
#define DECISION_RES "SharedDecision"

#define DECISION_OPTIONS_MIN 2
#define DECISION_OPTIONS_MAX 6
#define DECISION_QUESTIONS_MIN 2
#define DECISION_QUESTIONS_MAX 10
#define DECISION_TITLE_MAX 200	/* characters, one line */
#define DECISION_LINE_MAX 150	/* an option or a question */
#define DECISION_CELL_MAX CARE_SHORT_MAX
#define DECISION_SOURCE_MAX 300
#define DECISION_AIDS_MAX 200	/* aids listed */
#define DECISION_LIST_MAX 200	/* decisions listed */
#define DECISION_UNDECIDED (-1)

/* An option grid: cells[q][o] answers question q for option o. */
struct decision_aid {
	int64_t id;
	int64_t org_id;
	const char *title;
	const char *options[DECISION_OPTIONS_MAX];
	size_t noptions;
	const char *questions[DECISION_QUESTIONS_MAX];
	size_t nquestions;
	const char *cells[DECISION_QUESTIONS_MAX][DECISION_OPTIONS_MAX];
	const char *source;		/* where the answers come from */
	bool active;			/* offered for new decisions */
	int version;
	int64_t updated_ms;
	int64_t updated_by;
	const char *updated_by_name;	/* read only */
};

struct shared_decision {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	int64_t aid_id;
	struct decision_aid aid;	/* the grid as it was shown */
	int64_t at_ms;
	int64_t recorded_by;
	const char *recorded_by_name;	/* read only */
	int64_t updated_by;
	const char *updated_by_name;	/* read only */
	bool matters[DECISION_QUESTIONS_MAX];	/* matters most to them */
	bool considered[DECISION_OPTIONS_MAX];
	int choice;		/* an option, or DECISION_UNDECIDED */
	const char *reasons;
	const char *participants;	/* JSON [{"id", "name", "voice"}] */
	const char *revisit_date;	/* YYYY-MM-DD or "" */
	int version;
	int64_t updated_ms;
};

/*
 * Fills the aid's options and questions from text with one per line
 * (blank lines skipped, white space trimmed; copies in `a`). More than
 * DECISION_OPTIONS_MAX options or DECISION_QUESTIONS_MAX questions is a
 * problem for the field "options" or "questions"; only the first ones
 * are kept.
 */
void decision_aid_parse(struct arena *a, const char *options_text,
			const char *questions_text, struct decision_aid *aid,
			struct problems *out);

/*
 * Checks an aid: a title on one line, 2-6 options and 2-10 questions of
 * at most DECISION_LINE_MAX characters, every cell answered in at most
 * DECISION_CELL_MAX characters (field "cell_<q>_<o>", numbered from 1,
 * names from `a`), the source line. Problems name the form fields
 * "title", "options", "questions", "source".
 */
void decision_aid_validate(struct arena *a, const struct decision_aid *aid,
			   struct problems *out);

/* The aid as JSON text in `a` ({title, options, questions, cells,
 * source, version}), as a decision record keeps it; NULL when out of
 * memory. */
char *decision_aid_snapshot(struct arena *a, const struct decision_aid *aid);

/* Reads a snapshot back (strings in `a`); ERR_INVALID when it is not
 * one. */
enum err decision_aid_from_snapshot(struct arena *a, const char *json,
				    struct decision_aid *out);

/*
 * Checks a decision against its aid: at least one option considered,
 * the choice one of them or DECISION_UNDECIDED (field "choice"), the
 * reasons (CARE_LONG_MAX) and the date to revisit ("revisit_date").
 */
void decision_validate(const struct shared_decision *d,
		       struct problems *out);

/*
 * Writes of aids, for decision_aid_write() inside write_commit() (with
 * patient_id 0): `create` inserts aid.id (version 1); otherwise the
 * organisation's aid aid.id is replaced if its stored version is still
 * aid.version. The version after the write is put in aid.version.
 */
struct decision_aid_job {
	struct decision_aid aid;
	bool create;
	int64_t author_id;
	int64_t at_ms;
};

/* ERR_INVALID for an aid that fails decision_aid_validate() or cannot be
 * stored; ERR_NOT_FOUND for no such aid of the organisation;
 * ERR_CONFLICT for a stale version. Nothing stored on error. */
enum err decision_aid_write(struct db *db, void *arg);

/*
 * Writes of decision records, for decision_write(): `create` inserts
 * d.id with the snapshot of d.aid; otherwise the patient's record d.id
 * is changed if its stored version is still d.version (the snapshot
 * stays as it was). Each write stores a version of the record (who, in
 * which voice, the fields as people read them).
 */
struct decision_job {
	struct shared_decision d;
	bool create;
	int64_t author_id;
	const char *voice;
	int64_t at_ms;
};

/* ERR_INVALID when decision_validate() fails or the aid is not the
 * organisation's; ERR_NOT_FOUND for no such record of the patient;
 * ERR_CONFLICT for a stale version. Nothing stored on error. */
enum err decision_write(struct db *db, void *arg);

/* One aid of organisation `org_id`; ERR_NOT_FOUND if not theirs. */
enum err decision_aid_get(struct db *db, struct arena *a, int64_t org_id,
			  int64_t id, struct decision_aid *out);

/* The organisation's aids by title (only those offered when
 * `active_only`); at most DECISION_AIDS_MAX. */
enum err decision_aid_list(struct db *db, struct arena *a, int64_t org_id,
			   bool active_only, struct decision_aid **out,
			   size_t *count);

/* One decision record of the patient; ERR_NOT_FOUND if not theirs. */
enum err decision_get(struct db *db, struct arena *a, int64_t patient_id,
		      int64_t id, struct shared_decision *out);

/* The patient's decision records, newest first; at most
 * DECISION_LIST_MAX. */
enum err decision_list(struct db *db, struct arena *a, int64_t patient_id,
		       struct shared_decision **out, size_t *count);

#endif

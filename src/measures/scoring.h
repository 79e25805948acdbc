/*
 * Scoring: the scores and flags of one person's answers, computed by the
 * questionnaire's score and flag extensions (docs/measures.md),
 * and adopting a library instrument's published rules for the same
 * instrument written elsewhere (an LHC-Forms PHQ-9, a research app's
 * GAD-7). Stored totals are never read: every score is computed again.
 */
#ifndef MEASURES_SCORING_H
#define MEASURES_SCORING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "measures/questionnaire.h"

struct arena;

struct score_result {
	const struct q_score *score;
	bool computed;
	double value;			/* when computed */
	const char *reason;		/* when not: why, an English sentence
					   ("3 of 9 items answered; at least 7
					   are needed"); arena-owned */
	const struct q_band *band;	/* the value's band, or NULL */
	size_t answered;		/* items of the score answered */
};

/* A flag raised. */
struct score_flag {
	const struct q_flag *flag;
	double value;			/* the item's or score's value */
};

struct score_report {
	struct score_result *scores;	/* one per q->scores, same order */
	size_t n_scores;
	struct score_flag *flags;	/* raised only, in q->flags order */
	size_t n_flags;
	bool urgent;			/* some raised flag is urgent */
};

/*
 * Scores `ans` by the rules of `q` into `*out` (arena-owned). For each
 * score, in order: each item's value (q_value_number()), reversed where
 * listed (lowest + highest of the item's answer values, or its
 * minValue/maxValue, minus the value); not computed, with the reason,
 * when fewer than min_answered items are answered; combined by the
 * method (sum; mean of the answered; weighted sum; top-box 1 when every
 * answered item has the top value, else 0); prorated for sum and
 * weighted when allowed and items are missing (mean of the answered
 * times the number of items); multiplied by the multiplier. Then the
 * band (inclusive limits) and the flags: an item flag is raised when the
 * item's value is above the limit, a score flag when the score was
 * computed and is above it. Answers to items not in `q` are ignored;
 * callers drop answers to disabled items first (q_answers_check()).
 * ERR_NOMEM when the arena is full.
 */
enum err score_response(struct arena *a, const struct questionnaire *q,
			const struct q_answers *ans,
			struct score_report *out);

/*
 * Writes `v` rounded to 2 decimals without trailing zeros ("10", "2.5",
 * "3.33", "-1") into `buf` (at least 32 bytes); returns `buf`.
 */
char *score_format(char *buf, size_t size, double v);

/* Warnings of instrument_adopt(): English sentences, arena-owned. */
struct adopt_notes {
	const char **msg;
	size_t n;
};

/*
 * Gives `imported` (a questionnaire written elsewhere, owned by the
 * caller) the scores and flags of `library` (the library's version of
 * the same instrument). Items of the library's scores and flags are
 * matched by LOINC item code; when the file has none of those codes, in
 * document order of the questions that can be scored (choice items with
 * an answer list, numbers, yes/no), whose number must equal that of the
 * library's scored items (or of all its such questions). Each matched
 * item's answers
 * are matched by code, else by display text (ignoring case and spaces),
 * and get the library's value; an item without an answer list of its
 * own (an external ValueSet) takes the library's answers. Every answer
 * whose value in the file differs from the published one is a warning in
 * `notes` (the HL7 SDC PHQ-9 example gives "Nearly every day" 4, PHQ-9
 * publishes 3). Refused with ERR_INVALID and *why when the items or the
 * answer lists cannot be matched one to one; `imported` is then
 * unchanged. The copied rules share the library's strings, so `library`
 * must live as long as `imported` (the library's do: they live as long
 * as the process).
 */
enum err instrument_adopt(struct arena *a, struct questionnaire *imported,
			  const struct questionnaire *library,
			  struct adopt_notes *notes, const char **why);

#endif

/*
 * FHIR R4 Questionnaires and their answers, as docs/measures.md
 * describes them: a parsed, read-only model of one Questionnaire (items,
 * answer lists with their values, enableWhen, cocare's score and flag
 * extensions), the answers one person gave as a flat list by linkId, and
 * the QuestionnaireResponse JSON those answers are read from and written
 * to. Pure: no database, no HTTP. Scoring is in scoring.h.
 *
 * Everything is allocated from the arena passed in and lives as long as
 * it; a parsed questionnaire is never changed after q_parse() (except by
 * instrument_adopt() on one the caller owns), so one from the instrument
 * library may be read by any number of threads at once.
 */
#ifndef MEASURES_QUESTIONNAIRE_H
#define MEASURES_QUESTIONNAIRE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

struct arena;
struct problems;

/* Limits on what a questionnaire file may hold; past them it is refused. */
#define Q_MAX_ITEMS 500		/* items, all levels together */
#define Q_MAX_DEPTH 8		/* levels of nested items */
#define Q_MAX_OPTIONS 200	/* answers of one item */
#define Q_MAX_ENABLE_WHEN 32	/* conditions of one item */
#define Q_MAX_SCORES 32		/* score extensions */
#define Q_MAX_FLAGS 64		/* flag extensions */
#define Q_MAX_BANDS 16		/* bands of one score */
#define Q_MAX_JSON (4 << 20)	/* bytes of Questionnaire JSON */

/* Limits on answers. */
#define Q_MAX_RESPONSE_JSON (1 << 20) /* bytes of QuestionnaireResponse */
#define Q_MAX_ANSWERS 16	/* answers to one repeating item */
#define Q_TEXT_MAX 10000	/* characters of a string/text answer
				   without its own maxLength */

/* The FHIR base of the extensions cocare reads. */
#define Q_EXT_SCORE "https://cocare.org/fhir/StructureDefinition/score"
#define Q_EXT_FLAG "https://cocare.org/fhir/StructureDefinition/flag"
#define Q_EXT_TRANSLATION_MISSING \
	"https://cocare.org/fhir/StructureDefinition/translation-missing"
#define Q_LOINC "http://loinc.org"

enum q_type {
	Q_GROUP,
	Q_DISPLAY,
	Q_BOOLEAN,
	Q_INTEGER,
	Q_DECIMAL,
	Q_STRING,
	Q_TEXT,
	Q_DATE,
	Q_CHOICE,
	Q_OPEN_CHOICE,
	/*
	 * A FHIR type cocare does not ask (quantity, dateTime, time, url,
	 * attachment, reference). Allowed only on calculated or read-only
	 * items, such as the stored total of the HL7 SDC PHQ-9 example;
	 * their answers are ignored. `type_name` says which.
	 */
	Q_OTHER,
	Q_TYPE__MAX
};

/* The FHIR code of a type ("open-choice"). */
const char *q_type_name(enum q_type t);

/* What an answer value holds. */
enum q_kind {
	QV_BOOLEAN,
	QV_INTEGER,	/* num, a whole number */
	QV_DECIMAL,	/* num */
	QV_STRING,	/* text */
	QV_DATE,	/* text, "YYYY-MM-DD" */
	QV_CODING,	/* system, code, display (system and display may be
			   NULL) */
	QV_KIND__MAX
};

struct q_option;

/* One answer value (or the value an enableWhen compares with). */
struct q_value {
	enum q_kind kind;
	bool b;
	double num;
	const char *text;
	const char *system;
	const char *code;
	const char *display;
	/* For answers to choice and open-choice items: the answer option
	 * chosen, NULL for free text. Set by every function that makes or
	 * reads answers. */
	const struct q_option *option;
};

/* An answerOption (or a concept of a contained ValueSet). */
struct q_option {
	enum q_kind kind;	/* QV_CODING, QV_INTEGER, QV_STRING or
				   QV_DATE */
	const char *system;	/* coding only; may be NULL */
	const char *code;	/* the coding's code, or the option's text
				   ("3", "Never", "2024-01-31") */
	const char *display;	/* what people see: the coding's display,
				   else the code; never NULL */
	double num;		/* an integer option's number */
	double value;		/* ordinalValue or itemWeight */
	bool has_value;
};

enum q_op {
	Q_OP_EXISTS,
	Q_OP_EQ,
	Q_OP_NE,
	Q_OP_GT,
	Q_OP_LT,
	Q_OP_GE,
	Q_OP_LE,
	Q_OP__MAX
};

struct q_item;

struct q_enable_when {
	const struct q_item *question;
	enum q_op op;
	struct q_value answer;	/* for Q_OP_EXISTS: answer.b */
};

struct q_item {
	const char *link_id;
	const char *prefix;		/* may be NULL */
	const char *text;		/* may be NULL */
	enum q_type type;
	const char *type_name;		/* as in the file */
	bool required;
	bool repeats;
	bool read_only;
	bool calculated;		/* has an SDC calculatedExpression or a
					   CQF expression: never asked, any
					   answer to it is ignored */
	const char *code_system;	/* the LOINC item code, else the first
					   code; NULL when none */
	const char *code;
	const char *code_display;
	struct q_option *options;
	size_t n_options;
	const char *value_set;		/* an answerValueSet that is not a
					   contained ValueSet: kept, not
					   resolved (the item has no options
					   cocare can offer) */
	struct q_enable_when *enable_when;
	size_t n_enable_when;
	bool enable_any;		/* enableBehavior "any" */
	bool has_min, has_max;		/* minValue, maxValue (numbers) */
	double min, max;
	const char *min_date, *max_date; /* minValue / maxValue (dates) */
	size_t max_length;		/* characters; 0 = none */
	struct q_item *children;
	size_t n_children;
	const struct q_item *parent;	/* NULL at the top */
	size_t index;			/* position in document order */
	unsigned depth;			/* 0 at the top */
};

/* The combination of a score's item values. */
enum q_method { Q_SUM, Q_MEAN, Q_WEIGHTED, Q_TOP_BOX, Q_METHOD__MAX };

/* An interpretation band; limits inclusive. */
struct q_band {
	double min, max;
	const char *code;
	const char *label;
};

/* One score extension, with its items resolved. */
struct q_score {
	const char *name;
	const char *title;		/* may be NULL */
	const char *code_system;	/* may be NULL */
	const char *code;		/* may be NULL */
	enum q_method method;
	const struct q_item **items;	/* n_items, in the file's order */
	bool *reverse;			/* n_items */
	double *weights;		/* n_items; 1 unless weighted */
	size_t n_items;
	bool has_top;
	double top;			/* topValue */
	double multiplier;		/* 1 when not given */
	size_t min_answered;		/* n_items when not given */
	bool prorate;			/* missing = prorate */
	bool has_min, has_max;
	double min, max;		/* the possible range, for charts */
	struct q_band *bands;
	size_t n_bands;
};

/* One flag extension: on an item's value or on a score. */
struct q_flag {
	const struct q_item *item;	/* exactly one of item and score */
	const struct q_score *score;
	double above;
	const char *code;
	const char *label;
	bool urgent;
};

struct questionnaire {
	const char *id;			/* the resource id, or NULL */
	const char *url;		/* NULL in some files from elsewhere */
	const char *version;		/* may be NULL */
	const char *name, *title, *description, *copyright, *language;
	const char *code;		/* the LOINC panel code (from `code`,
					   else `identifier`), or NULL */
	const char *code_display;
	const char **missing_lang;	/* translation-missing languages */
	size_t n_missing_lang;
	struct q_item *items;		/* the top level */
	size_t n_items;
	const struct q_item **all;	/* every item, document order */
	size_t n_all;
	const struct q_item **by_id;	/* private: sorted by link_id */
	struct q_score *scores;
	size_t n_scores;
	struct q_flag *flags;
	size_t n_flags;
	/* Set by instrument_adopt(): the library questionnaire whose rules
	 * the scores and flags are. NULL otherwise. */
	const struct questionnaire *rules_from;
};

/*
 * Parses `len` bytes of Questionnaire JSON into `*out` (arena-owned).
 * ERR_INVALID with `*why` an English message (arena-owned, naming the
 * item) when the text is not JSON, not a Questionnaire, or breaks a rule
 * of docs/measures.md: duplicate or missing linkIds, an unknown
 * item type, a question asked but of a type cocare cannot ask, an
 * answerValueSet "#id" with no such contained ValueSet, an enableWhen
 * naming an unknown item or comparing with the wrong kind of value, a
 * cycle of enableWhen conditions, a repeating group, score or flag
 * extensions naming unknown items or scores, items without answer values
 * in a score, bad band limits, more than Q_MAX_DEPTH levels or
 * Q_MAX_ITEMS items (and the other Q_MAX_* limits). ERR_TOO_LARGE past
 * Q_MAX_JSON bytes, ERR_NOMEM when the arena is full. `*out` is untouched
 * on error.
 */
enum err q_parse(struct arena *a, const char *json, size_t len,
		 struct questionnaire **out, const char **why);

/* The same from a parsed object (borrowed; not kept). */
enum err q_parse_json(struct arena *a, json_t *root,
		      struct questionnaire **out, const char **why);

/* The item with `link_id`, or NULL. */
const struct q_item *q_item_get(const struct questionnaire *q,
				const char *link_id);

/* Every item in document order (the same as q->all); `*count` receives
 * the number. */
const struct q_item *const *q_item_list(const struct questionnaire *q,
					size_t *count);

/* True for an item that takes an answer from people: not a group, not
 * display, not calculated or read-only, not Q_OTHER. */
bool q_item_is_question(const struct q_item *item);

/* The score named `name`, or NULL. */
const struct q_score *q_score_get(const struct questionnaire *q,
				  const char *name);

/* ------------------------------------------------------------------ */
/* Answers                                                             */

/* The answers to one item. */
struct q_answer {
	const struct q_item *item;
	struct q_value *values;
	size_t n;
};

/* One person's answers: a flat list by item, in the order set. */
struct q_answers {
	struct q_answer *p;
	size_t n;
	size_t cap;
};

void q_answers_init(struct q_answers *ans);

/*
 * Sets the answers to `item` to the `n` `values` (copied by pointer: they
 * must live as long as `ans`), replacing earlier ones; n = 0 removes
 * them. Does not check them (q_answers_check() does). ERR_NOMEM when the
 * arena is full, ERR_TOO_LARGE past Q_MAX_ITEMS items.
 */
enum err q_answers_set(struct arena *a, struct q_answers *ans,
		       const struct q_item *item, struct q_value *values,
		       size_t n);

/* The answers to `item`, or NULL when it has none. */
const struct q_answer *q_answers_get(const struct q_answers *ans,
				     const struct q_item *item);

/*
 * The number an answer stands for in scoring: the chosen option's
 * ordinalValue, the number of an integer or decimal answer, 1 or 0 for
 * a boolean. False when it has none (free text, an option without a
 * value).
 */
bool q_value_number(const struct q_value *v, double *out);

/*
 * True when `item` is shown and may be answered: every group it is in is
 * enabled, and its enableWhen conditions hold (all of them, or any with
 * enableBehavior "any"). A condition on a question that is itself
 * disabled sees no answer, as FHIR says. Operators: exists (answered or
 * not, as answerBoolean says); = (some answer equals); != (no answer
 * equals, also when unanswered); >, <, >=, <= (some answer compares so;
 * numbers, dates and text only; never when unanswered). Codings are equal
 * when their codes are and, where both have one, their systems.
 */
bool q_item_enabled(const struct questionnaire *q,
		    const struct q_answers *ans, const struct q_item *item);

/*
 * Parses what a web form sent for one item: `n` strings (several only
 * for a repeating item; empty strings are skipped, so all empty means
 * unanswered: *n_out = 0). Rules by type: choice, the option's code (or
 * for valueInteger / valueString / valueDate options, their text);
 * open-choice, an option's code, else free text; boolean "true" or
 * "false"; integer, a whole number within minValue/maxValue; decimal, a
 * number like "-2.5" (no exponent, no comma) within them; date, a real
 * calendar date "YYYY-MM-DD" within them; string and text, valid UTF-8
 * without control characters other than newline and tab (CRLF becomes
 * LF), at most maxLength (else Q_TEXT_MAX) characters, ends trimmed.
 * ERR_INVALID with *why an English msgid (N_(), translate with tr()) for
 * the person; ERR_NOMEM when the arena is full.
 */
enum err q_answer_from_form(struct arena *a, const struct q_item *item,
			    const char *const *strings, size_t n,
			    struct q_value **out, size_t *n_out,
			    const char **why);

/*
 * Checks answers against `q`: each must be for one of its items that
 * takes answers, at most one unless the item repeats, and allowed (an
 * offered option, in range, short enough). Answers to disabled items are
 * dropped from `ans` first. With `complete`, every enabled required
 * question must be answered. Each problem goes to `ps` with the item's
 * linkId as the field and an English msgid (N_()). ERR_OK when there is
 * none, else ERR_INVALID.
 */
enum err q_answers_check(struct arena *a, const struct questionnaire *q,
			 struct q_answers *ans, bool complete,
			 struct problems *ps);

/*
 * Reads the answers of a QuestionnaireResponse (`len` bytes of JSON) to
 * `q` into `*out` (initialised here): items nested as groups or under
 * answers, answers as valueCoding, valueBoolean, valueInteger,
 * valueDecimal, valueString or valueDate. Answers to calculated and
 * read-only items (a stored total) are ignored, never trusted. Refused
 * (ERR_INVALID, *why an English message naming the linkId): text that is
 * not a QuestionnaireResponse, an unknown linkId or one in the wrong
 * place, an item given twice, an answer of the wrong type, a coding or
 * value that is not one of the item's options, several answers to an
 * item that does not repeat, a value out of range, a `questionnaire`
 * that does not name `q` (q_is_named()). Does not check
 * enableWhen or required items (q_answers_check() does).
 * ERR_TOO_LARGE past Q_MAX_RESPONSE_JSON bytes.
 */
enum err q_answers_from_response(struct arena *a,
				 const struct questionnaire *q,
				 const char *json, size_t len,
				 struct q_answers *out, const char **why);

/* The same from a parsed QuestionnaireResponse (borrowed). */
enum err q_answers_from_json(struct arena *a, const struct questionnaire *q,
			     json_t *root, struct q_answers *out,
			     const char **why);

/* What goes around the answers in a QuestionnaireResponse. */
struct q_response_info {
	const char *id;		/* may be NULL */
	const char *status;	/* "in-progress", "completed"; NULL =
				   "in-progress" */
	const char *subject;	/* a reference ("Patient/123"), or NULL */
	const char *authored;	/* ISO 8601 date-time; may be NULL */
};

/*
 * A QuestionnaireResponse for `ans` as compact JSON text (arena-owned)
 * in `*out`: items nested as in `q` (children of a question under its
 * first answer, as FHIR wants), groups only where something inside is
 * answered, `questionnaire` as "url|version". This is also the form the
 * server stores for save-and-resume: q_answers_from_response() reads it
 * back. ERR_NOMEM on failure.
 */
enum err q_answers_to_json(struct arena *a, const struct questionnaire *q,
			   const struct q_answers *ans,
			   const struct q_response_info *info, char **out);

/*
 * True when `ref` (a QuestionnaireResponse's `questionnaire`) names `q`:
 * its url, with "|version" only when it is q's version, or a reference
 * "Questionnaire/<id>" (or ending so) to q's resource id.
 */
bool q_is_named(const struct questionnaire *q, const char *ref);

/* The questionnaire's title for people: title, else name, else url
 * (else ""). */
const char *q_title(const struct questionnaire *q);

/* "url|version" (or the url alone) of `q`, arena-owned; NULL when it has
 * no url. */
char *q_canonical(struct arena *a, const struct questionnaire *q);

#endif

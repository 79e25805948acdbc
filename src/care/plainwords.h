/*
 * "Plain words" advice for professionals writing text that patients read:
 * a reading-ease figure for the text and the clinical jargon in it, with
 * plain alternatives. Advice only: nothing here blocks saving a text.
 */
#ifndef CARE_PLAINWORDS_H
#define CARE_PLAINWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct arena;

/* Longest jargon list jargon_parse() accepts, in bytes. */
#define JARGON_MAX (256 * 1024)

/* Longest term or plain wording in a jargon list, in bytes. */
#define JARGON_SIDE_MAX 100

struct readability {
	int sentences;
	int words;
	int syllables;
	double score;		/* 0 (very hard) to 100 (very easy) */
	const char *band;	/* English msgid, N_(); translate with tr() */
};

/*
 * Reading ease of `text` (UTF-8, NUL-terminated) in `lang`: "es" (or
 * "es-..."/"es_...") is Spanish, anything else English. English uses
 * Flesch Reading Ease, 206.835 - 1.015 * words per sentence - 84.6 *
 * syllables per word. Spanish uses Fernandez-Huerta as corrected by
 * Gwillim Law (the form legible.es and textstat use), 206.84 - 0.60 * P -
 * 1.02 * F with P syllables per 100 words and F words per sentence; the
 * often-quoted "F = sentences per 100 words" would make shorter sentences
 * score as harder. The score is clamped to 0..100 and `band` names it in
 * plain words by the usual Flesch bands (90 very easy ... below 30 very
 * hard; 60-69 is "Plain English" for English, "Plain language" for
 * Spanish).
 *
 * Counting, kept simple on purpose:
 * - A word is a run of letters (ASCII letters and non-ASCII characters
 *   outside the punctuation and symbol blocks), digits may follow;
 *   ' and ’ and - between letters join a word ("don't", "follow-up").
 * - A number (digits, with . , : / between digits: "1.5", "10:30") is one
 *   word of one syllable per group of digits.
 * - A sentence ends at a run of . ! ? or …, once it has a word with
 *   letters ("1. Take" is one sentence), and at a line break after a line
 *   with words. ¿ and ¡ only open sentences. Text after the last end is a
 *   sentence too. Abbreviations such as "e.g." count as ends.
 * Returns false, with *out zeroed, when the text has no words.
 */
bool plainwords_readability(const char *text, const char *lang,
			    struct readability *out);

/*
 * Syllables in one word of `len` bytes (UTF-8), at least 1 when it has a
 * letter, 0 when it has none. Parts joined by '-' are counted apart.
 * English: groups of a e i o u y (y not first), one less for a silent
 * final "e" (not "-le" after a consonant, not "-ee"), "-ed" (not after t
 * or d) and "-es" (not after s x z c g h), one more where "ia" or "io"
 * follows a consonant other than c g l n s t x ("di-al", but "spe-cial").
 * Spanish: groups of vowels (áéíóúü too), split where two of a e o meet
 * or an accented í or ú meets a e o ("dí-a", "po-e-ta"), and the u of
 * "que qui gue gui" is silent (not ü: "pin-güi-no").
 */
int plainwords_syllables(const char *word, size_t len, const char *lang);

struct jargon_entry {
	const char *term;	/* as written in the list */
	const char *plain;	/* the plain wording suggested instead */
};

struct jargon {
	struct jargon_entry *e;
	size_t n;
};

/*
 * Parses a jargon list of `len` bytes, one entry per line:
 * "term = plain words". Blank lines and lines starting with # are
 * ignored; white space around each side is trimmed; a term may be a
 * phrase of several words. Entries are arena-owned.
 * Errors: ERR_INVALID, with *line the 1-based line number, for a line
 * without " = ", with an empty side, a side over JARGON_SIDE_MAX bytes, a
 * term with no letters or digits, or text that is not valid UTF-8;
 * ERR_TOO_LARGE (*line 0) past JARGON_MAX bytes; ERR_NOMEM. *line is 0
 * on success; `line` may be NULL. *out is set only on success.
 */
enum err jargon_parse(struct arena *a, const char *text, size_t len,
		      struct jargon *out, int *line);

/*
 * The built-in list for `lang` ("en", "es", or "en-..."/"es-...") from
 * lists/jargon-<lang>.txt, embedded in the binary; an empty list for any
 * other language. ERR_INTERNAL if the embedded list is missing or broken.
 */
enum err jargon_builtin(struct arena *a, const char *lang,
			struct jargon *out);

struct jargon_hit {
	size_t start;		/* byte offset into the original text */
	size_t len;		/* bytes in the original text */
	const struct jargon_entry *entry;
};

/*
 * Every whole-word (or whole-phrase) occurrence of a term of `j` in `text`
 * (UTF-8, NUL-terminated), left to right and not overlapping; where terms
 * start at the same word the one with most words wins. Matching ignores
 * case and Latin accents (str_fold), so "hipertension" finds
 * "hipertensión"; in a phrase, any run of white space (line breaks too)
 * matches any other and punctuation must be the same. Words are runs of
 * letters and digits, so "hypertensions" and "prehypertension" do not
 * contain "hypertension", while "pre-hypertension" does.
 * *out is an arena array of *n hits. ERR_INVALID when the text is not
 * valid UTF-8, ERR_NOMEM when the arena is full.
 */
enum err jargon_find(struct arena *a, const struct jargon *j,
		     const char *text, struct jargon_hit **out, size_t *n);

/*
 * `text` HTML-escaped, each hit wrapped in <mark>...</mark> and each line
 * break as <br>. Hits must be in order and not overlap (as jargon_find()
 * gives them); others are skipped. Arena-owned; NULL on arena failure.
 */
char *jargon_mark_html(struct arena *a, const char *text,
		       const struct jargon_hit *h, size_t n);

#endif

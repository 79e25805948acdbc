/*
 * Word-level difference of two texts, for the care-plan version history:
 * which words were added and removed between two versions, and HTML that
 * shows it to people (with hidden labels for screen readers).
 */
#ifndef CARE_TEXTDIFF_H
#define CARE_TEXTDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct arena;

/* Longest input, in bytes, textdiff() accepts for each text. */
#define TEXTDIFF_MAX 20000

/*
 * Most LCS cells (words before x words after, once the common start and
 * end are set aside) worth comparing; past it the middle is shown as one
 * removal and one addition. Memory stays linear either way.
 */
#define TEXTDIFF_CELLS (16u << 20)

enum diff_op {
	DIFF_SAME,
	DIFF_ADDED,
	DIFF_REMOVED
};

struct diff_piece {
	enum diff_op op;
	const char *text;	/* not NUL-terminated */
	size_t len;
};

/*
 * Word-level difference between `before` and `after` (UTF-8,
 * NUL-terminated; NULL is taken as ""), by longest common subsequence
 * over words. A word is a run of bytes other than ASCII white space; the
 * white space after a word travels with it, so the pieces rebuild both
 * texts exactly: SAME and REMOVED pieces in order give `before`, SAME and
 * ADDED pieces give `after`. Words are compared without their white
 * space; a change of spacing alone shows as a removed and an added
 * stretch of white space. Within a changed stretch the REMOVED piece
 * comes before the ADDED one. Adjacent pieces never share an op, and no
 * piece is empty (two empty texts give *n == 0).
 *
 * *out is an arena array; piece texts point into `before` and `after`,
 * so those must outlive the pieces. Errors: ERR_TOO_LARGE when a text is
 * longer than TEXTDIFF_MAX bytes, ERR_NOMEM when the arena is full; *out
 * and *n are left alone on error.
 */
enum err textdiff(struct arena *a, const char *before, const char *after,
		  struct diff_piece **out, size_t *n);

/* True when the texts are byte-for-byte equal (NULL is taken as ""). */
bool textdiff_same(const char *before, const char *after);

/*
 * HTML for people: SAME text escaped; REMOVED as
 * <del><span class="visually-hidden">REMOVED_LABEL </span>text</del> and
 * ADDED as <ins><span class="visually-hidden">ADDED_LABEL </span>text</ins>.
 * Every text is HTML-escaped, the labels too (pass them translated); a
 * NULL or empty label leaves out its span. Line breaks are kept as they
 * are (show it where white space is preserved, or convert them).
 * Arena-owned, or a static "" when n is 0; NULL on arena failure.
 */
char *textdiff_html(struct arena *a, const struct diff_piece *p, size_t n,
		    const char *added_label, const char *removed_label);

#endif

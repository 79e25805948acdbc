/*
 * The crisis / safety plan "pocket card": a patient's Stanley-Brown safety
 * plan and crisis preferences as a small PDF (A6 pages, to fold into a
 * wallet), made in memory with libhpdf. Pure domain code: no HTTP, no
 * files read or written; every label comes from the caller, translated.
 *
 * Limitation: the card uses the PDF base-14 fonts (Helvetica) with
 * WinAnsiEncoding, so text is converted from UTF-8 to Windows-1252: all of
 * Latin-1 plus the CP1252 extras (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – —
 * ˜ ™ š › œ ž Ÿ). Any other character (Greek, Cyrillic, Arabic, CJK, emoji,
 * most of Latin Extended-A such as Polish "ł" or Romanian "ț", and special
 * spaces such as U+202F) prints as '?'.
 */
#ifndef CARE_POCKETCARD_H
#define CARE_POCKETCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;

#define POCKETCARD_TEXT_MAX 40000	/* bytes of text, all strings together */
#define POCKETCARD_SECTIONS_MAX 64
#define POCKETCARD_PAGES_MAX 200

struct pocketcard_section {
	const char *heading;
	const char *body;	/* one item per line ('\n'); NULL or blank:
				 * the section is left out */
};

/*
 * Every string is UTF-8 and may be NULL (printed as nothing), except
 * page_label. Labels are already translated by the caller.
 */
struct pocketcard {
	const char *title;		/* "My safety plan" */
	const char *patient_name;
	const char *printed_label;	/* "Printed 22 Nov 2026" */
	const char *footer;		/* "In an emergency call 999 or go to
					 * the nearest emergency department";
					 * at most 4 lines, cut with "…" */
	const char *empty_text;		/* shown when every section is empty */
	const char *page_label;		/* "Page %d of %d": exactly two %d
					 * and no other '%' */
	const char *continued_label;	/* after a heading repeated on the
					 * next page; NULL gives "(continued)" */
	const struct pocketcard_section *sections;
	size_t n_sections;
	int64_t now;			/* Unix seconds: the PDF creation date */
};

/*
 * Makes the card into `a`: *out points to the PDF bytes (arena-owned),
 * *len is their count. Layout: a header on the first page (title, patient
 * name, printed label), then each non-empty section as a bold heading and
 * one bulleted item per body line; a line's phone number (see
 * pocketcard_find_phone()) goes in bold on its own line beneath the rest
 * of the line. A section that runs over a page repeats its heading with
 * continued_label. Every page ends with the footer and the page label.
 *
 * ERR_OK; ERR_TOO_LARGE when the strings hold more than POCKETCARD_TEXT_MAX
 * bytes, there are more than POCKETCARD_SECTIONS_MAX sections or the card
 * would need more than POCKETCARD_PAGES_MAX pages; ERR_INVALID for text
 * that is not valid UTF-8, a bad page_label, `now` outside the years
 * 1970-9999, or a NULL card or sections array; ERR_NOMEM when the arena
 * is full; ERR_INTERNAL when libhpdf reports an error (logged by number).
 * On error *out and *len are not changed; the arena may have been used.
 */
enum err pocketcard_pdf(struct arena *a, const struct pocketcard *card,
			const unsigned char **out, size_t *len);

/*
 * `utf8` converted to Windows-1252 (NUL-terminated, in `a`); a character
 * Windows-1252 lacks, or a byte that is not part of valid UTF-8, becomes
 * '?'. NULL when `utf8` is NULL or the arena is full.
 */
char *pocketcard_cp1252(struct arena *a, const char *utf8);

/*
 * Finds the phone number in one line of text: a run of digits, spaces,
 * '+', '-', '(' and ')' holding at least 3 digits (a '-' with a space
 * beside it ends the run: "Ward 4 - 0800 123 456"), trimmed so it starts
 * with a digit, '+' or '(' and ends with a digit or ')' (unmatched
 * parentheses dropped), and not glued to an ASCII letter ("B123" is not
 * one). A plain run of 3-4 digits that reads as a year (1900-2099) or a
 * dose ("100 mg", "250 ml") is not one either. With several, the one with
 * the most digits wins, then the first.
 * On true, the number is line[*start .. *start + *len). False when there
 * is none or `line` is NULL.
 */
bool pocketcard_find_phone(const char *line, size_t *start, size_t *len);

#endif

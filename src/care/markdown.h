/*
 * Safe Markdown for progress notes, through libcmark: a check before a
 * note is stored (no raw HTML, links only to web and mail addresses),
 * HTML for pages and plain text for the readability figure, the version
 * diff and the PDF.
 */
#ifndef CARE_MARKDOWN_H
#define CARE_MARKDOWN_H

#include <stddef.h>

#include "core/err.h"

struct arena;

/*
 * Checks a note's Markdown (`len` bytes) before it is stored. ERR_OK, with
 * *why NULL, when it is fine; otherwise ERR_INVALID with *why an English
 * msgid (N_(), translate with tr()) in plain words for the writer:
 * - raw HTML, block or inline;
 * - a link or image whose address, trimmed, does not start with http:,
 *   https: or mailto: (any case), so relative links and javascript:,
 *   data:, vbscript: and file: addresses are refused;
 * - text that is not valid UTF-8 or holds a NUL byte.
 * ERR_NOMEM if cmark cannot be set up. Callers cap `len` (form limits).
 */
enum err markdown_check(const char *md, size_t len, const char **why);

/*
 * HTML for a page: cmark's safe rendering (raw HTML replaced by an
 * "<!-- raw HTML omitted -->" comment, dangerous addresses dropped),
 * line breaks people type kept as <br />, invalid UTF-8 replaced. Links
 * and images that markdown_check() would refuse are also reduced to
 * their text, so a note stored before a check, or past it, cannot carry
 * a script. Arena-owned; NULL on failure.
 */
char *markdown_html(struct arena *a, const char *md, size_t len);

/*
 * Plain text of the Markdown: the words people see, without markup, raw
 * HTML or link addresses; paragraphs and headings separated by a blank
 * line, list items on their own lines after "- " or "1. ", line breaks
 * kept, no trailing white space. Valid UTF-8. Arena-owned; NULL on
 * failure.
 */
char *markdown_text(struct arena *a, const char *md, size_t len);

#endif

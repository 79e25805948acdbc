/*
 * libFuzzer harness: the care record's text handling that sees what
 * people type: the Markdown check and renderer (whatever the check lets
 * through must render without a script or a javascript: link), the
 * jargon list parser and finder, the readability figure, the word
 * difference (which must rebuild both texts) and the pocket card's
 * phone finder. The first input byte picks which; the rest is split in
 * two at the first NUL byte where two texts are needed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "care/markdown.h"
#include "care/plainwords.h"
#include "care/pocketcard.h"
#include "care/textdiff.h"
#include "core/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_markdown(struct arena *a, const char *s, size_t n)
{
	const char *why;
	char *html;

	if (markdown_check(s, n, &why) != ERR_OK)
		return;
	html = markdown_html(a, s, n);
	if (html && (strstr(html, "<script") || strstr(html, "href=\"javascript:")))
		abort();
	markdown_text(a, s, n);
}

static void
check_diff(struct arena *a, const char *x, const char *y)
{
	struct diff_piece *p;
	size_t n, i, lx = 0, ly = 0;

	if (textdiff(a, x, y, &p, &n) != ERR_OK)
		return;
	/* Same and removed pieces give `x`; same and added give `y`. */
	for (i = 0; i < n; i++) {
		if (p[i].op != DIFF_ADDED) {
			if (memcmp(x + lx, p[i].text, p[i].len))
				abort();
			lx += p[i].len;
		}
		if (p[i].op != DIFF_REMOVED) {
			if (memcmp(y + ly, p[i].text, p[i].len))
				abort();
			ly += p[i].len;
		}
	}
	if (lx != strlen(x) || ly != strlen(y))
		abort();
	textdiff_html(a, p, n, "added:", "removed:");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	char *text, *second;
	struct jargon j;
	struct jargon_hit *hits;
	struct readability r;
	size_t n, start, len;
	int line;

	if (size < 1)
		return 0;
	a = arena_new(16 << 20);
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	second = text + strlen(text);
	second += second < text + size - 1 ? 1 : 0;
	switch (data[0] % 4) {
	case 0:
		check_markdown(a, (const char *)data + 1, size - 1);
		break;
	case 1:
		if (jargon_parse(a, text, strlen(text), &j, &line) == ERR_OK &&
		    jargon_find(a, &j, second, &hits, &n) == ERR_OK)
			jargon_mark_html(a, second, hits, n);
		break;
	case 2:
		plainwords_readability(text, data[0] & 4 ? "es" : "en", &r);
		pocketcard_find_phone(text, &start, &len);
		break;
	default:
		check_diff(a, text, second);
	}
	free(text);
	arena_free(a);
	return 0;
}

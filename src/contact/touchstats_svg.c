/*
 * Bar charts of the touchpoint analytics (see touchstats_svg.h). The
 * viewBox is 400 units wide; each row has its label on a line of its
 * own (any length fits) and the bar under it, up to 290 units, with the
 * value text after the bar.
 */
#include "contact/touchstats_svg.h"

#include <math.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/banned.h"

#define WIDTH 400
#define LABEL_W 2	/* bars start here */
#define BAR_W 290
#define ROW_H 36
#define TOP 4
#define INK "#333"
#define BAR "#1c46a6"
#define WARN "#9a3412"
#define MARK "#111"

static bool
text_ok(const char *s)
{
	return !s || utf8_valid(s, strlen(s));
}

static void
html(struct buf *b, const char *s)
{
	if (s)
		buf_add_html(b, s, strlen(s));
}

enum err
ts_bars_svg(struct buf *b, const struct ts_bars *c)
{
	double max = 0;
	size_t i;
	int height;

	if (!c->title || !c->desc || c->n == 0 || c->n > TS_BARS_MAX ||
	    !text_ok(c->title) || !text_ok(c->desc) || !text_ok(c->mark_label))
		return ERR_INVALID;
	for (i = 0; i < c->n; i++) {
		const struct ts_bar *r = &c->bar[i];

		if (!text_ok(r->label) || !text_ok(r->text))
			return ERR_INVALID;
		if (r->hidden)
			continue;
		if (!isfinite(r->value) || r->value < 0 ||
		    (r->has_mark && (!isfinite(r->mark) || r->mark < 0)))
			return ERR_INVALID;
		if (r->value > max)
			max = r->value;
		if (r->has_mark && r->mark > max)
			max = r->mark;
	}
	height = TOP + (int)c->n * ROW_H + (c->mark_label ? ROW_H : 4);
	buf_printf(b,
		   "<svg class=\"bars\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "focusable=\"false\" font-size=\"14\" "
		   "font-family=\"sans-serif\"><title>",
		   WIDTH, height);
	html(b, c->title);
	buf_adds(b, "</title><desc>");
	html(b, c->desc);
	buf_adds(b, "</desc>");
	for (i = 0; i < c->n; i++) {
		const struct ts_bar *r = &c->bar[i];
		int y = TOP + (int)i * ROW_H;
		long w = 0;

		buf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"" INK "\">",
			   LABEL_W, y + 13);
		html(b, r->label);
		buf_adds(b, "</text>");
		if (!r->hidden && max > 0) {
			w = lround(r->value / max * BAR_W);
			if (w > 0)
				buf_printf(b,
					   "<rect x=\"%d\" y=\"%d\" width=\"%ld\" "
					   "height=\"%d\" fill=\"%s\"/>",
					   LABEL_W, y + 17, w, ROW_H - 20,
					   r->warn ? WARN : BAR);
			if (r->has_mark) {
				long m = LABEL_W + lround(r->mark / max * BAR_W);

				buf_printf(b,
					   "<line x1=\"%ld\" y1=\"%d\" x2=\"%ld\" "
					   "y2=\"%d\" stroke=\"" MARK "\" "
					   "stroke-width=\"3\"/>",
					   m, y + 15, m, y + ROW_H - 1);
				if (m - LABEL_W > w)
					w = m - LABEL_W;
			}
		}
		buf_printf(b, "<text x=\"%ld\" y=\"%d\" fill=\"%s\">",
			   LABEL_W + w + 5, y + 30, r->warn ? WARN : INK);
		if (r->warn)
			buf_adds(b, "! ");
		html(b, r->text);
		buf_adds(b, "</text>");
	}
	if (c->mark_label) {
		int y = TOP + (int)c->n * ROW_H + 4;

		buf_printf(b,
			   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			   "stroke=\"" MARK "\" stroke-width=\"3\"/>"
			   "<text x=\"%d\" y=\"%d\" fill=\"" INK "\">",
			   LABEL_W + 1, y, LABEL_W + 1, y + 14, LABEL_W + 8,
			   y + 12);
		html(b, c->mark_label);
		buf_adds(b, "</text>");
	}
	buf_adds(b, "</svg>");
	return b->failed ? ERR_NOMEM : ERR_OK;
}

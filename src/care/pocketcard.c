/*
 * The pocket card PDF (see pocketcard.h): UTF-8 to Windows-1252, phone
 * numbers found in plan lines, word wrapping onto A6 pages, and libhpdf
 * driven with an error handler that records errors instead of aborting,
 * saved to its memory stream and copied into the caller's arena.
 */
#include "care/pocketcard.h"

#include <hpdf.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"
#include "core/banned.h"

/* Geometry in PDF points (1/72 inch). */
#define MM(x)		((float)(x) * 72.0f / 25.4f)
#define PAGE_W		MM(105)		/* A6 portrait */
#define PAGE_H		MM(148)
#define MARGIN_X	MM(10)
#define MARGIN_TOP	MM(10)
#define MARGIN_BOTTOM	MM(8)
#define TEXT_W		(PAGE_W - 2 * MARGIN_X)
#define LEADING		1.28f		/* line height / font size */

#define TITLE_PT	14.0f
#define NAME_PT		11.0f
#define PRINTED_PT	9.0f
#define HEADING_PT	10.0f
#define BODY_PT		9.5f
#define PHONE_PT	10.0f
#define FOOTER_PT	8.5f
#define PAGENO_PT	8.0f

#define ITEM_INDENT	MM(3.5)		/* text after the bullet */
#define SECTION_GAP	7.0f
#define HEADING_GAP	1.5f
#define ITEM_GAP	1.5f
#define RULE_GAP	6.0f		/* below the header and footer rules */

#define FOOTER_LINES_MAX 4
#define LINE_BYTES_MAX	255		/* far more than fits across A6 */

/* Windows-1252 bytes 0x80-0x9F and the code points they stand for. */
static const struct {
	unsigned short cp;
	unsigned char b;
} cp1252_extras[] = {
	{0x0152, 0x8C}, {0x0153, 0x9C}, {0x0160, 0x8A}, {0x0161, 0x9A},
	{0x0178, 0x9F}, {0x017D, 0x8E}, {0x017E, 0x9E}, {0x0192, 0x83},
	{0x02C6, 0x88}, {0x02DC, 0x98}, {0x2013, 0x96}, {0x2014, 0x97},
	{0x2018, 0x91}, {0x2019, 0x92}, {0x201A, 0x82}, {0x201C, 0x93},
	{0x201D, 0x94}, {0x201E, 0x84}, {0x2020, 0x86}, {0x2021, 0x87},
	{0x2022, 0x95}, {0x2026, 0x85}, {0x2030, 0x89}, {0x2039, 0x8B},
	{0x203A, 0x9B}, {0x20AC, 0x80}, {0x2122, 0x99},
};

#define CP1252_BULLET	"\x95"
#define CP1252_ELLIPSIS	"\x85"

struct font {
	HPDF_Font f;
	float w[256];		/* advance of each byte, in 1/1000 em */
};

/* Everything one card in progress needs; lives on the stack. */
struct layout {
	struct arena *a;
	HPDF_Doc pdf;
	struct font regular, bold;
	HPDF_Page pages[POCKETCARD_PAGES_MAX];
	size_t npages;
	HPDF_Page page;		/* the page being filled */
	float y;		/* top of the free space on it */
	float bottom;		/* lowest point text may reach */
	bool fresh;		/* nothing drawn on `page` yet */
	const char *heading;	/* "Heading (continued)" of the section being
				 * drawn, repeated after a page break */
	bool continuing;	/* drawing that repeated heading */
	char *foot[FOOTER_LINES_MAX];
	size_t nfoot;
	HPDF_STATUS error_no;	/* the first libhpdf error */
	HPDF_STATUS detail_no;
	enum err err;		/* sticky: ERR_OK until anything fails */
};

/*
 * Decodes one code point from s[0..len). Returns the bytes used (at least
 * one) and sets *cp, or 0xFFFFFFFF for a byte that does not start a
 * well-formed sequence (overlong forms and surrogates included).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned long c = s[0], min;
	size_t n, i;

	*cp = 0xFFFFFFFFUL;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 1;
	if (len < n)
		return 1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 1;
	*cp = c;
	return n;
}

static unsigned char
cp1252_byte(unsigned long cp)
{
	size_t i;

	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (unsigned char)cp;
	for (i = 0; i < sizeof(cp1252_extras) / sizeof(cp1252_extras[0]); i++)
		if (cp1252_extras[i].cp == cp)
			return cp1252_extras[i].b;
	return '?';
}

/* s[0..len) as NUL-terminated Windows-1252 in `a`, or NULL. */
static char *
cp1252_n(struct arena *a, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = arena_alloc_uninit(a, len + 1);
	size_t i = 0, o = 0;
	unsigned long cp;

	if (!out)
		return NULL;
	while (i < len) {
		i += utf8_decode(u + i, len - i, &cp);
		out[o++] = (char)cp1252_byte(cp);
	}
	out[o] = '\0';
	return out;
}

char *
pocketcard_cp1252(struct arena *a, const char *utf8)
{
	if (!utf8)
		return NULL;
	return cp1252_n(a, utf8, strlen(utf8));
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_phone_char(char c)
{
	return is_digit(c) || c == ' ' || c == '+' || c == '-' || c == '(' ||
	       c == ')';
}

/* Narrows the run s[*b..*e) to a plausible number; see the header. */
static void
phone_trim(const char *s, size_t *b, size_t *e)
{
	for (;;) {
		while (*b < *e && !is_digit(s[*b]) && s[*b] != '+' &&
		       s[*b] != '(')
			(*b)++;
		while (*e > *b && !is_digit(s[*e - 1]) && s[*e - 1] != ')')
			(*e)--;
		if (*b < *e && s[*b] == '(' &&
		    !memchr(s + *b, ')', *e - *b))
			(*b)++;
		else if (*b < *e && s[*e - 1] == ')' &&
			 !memchr(s + *b, '(', *e - *b))
			(*e)--;
		else
			return;
	}
}

/*
 * True when the plain run of digits s[b..e) reads as a year (1900-2099) or
 * a dose ("100 mg", "250ml", "500 µg", "100 %") rather than a short number.
 */
static bool
is_quantity(const char *s, size_t len, size_t b, size_t e)
{
	static const char *const units[] = {
		"mg", "mcg", "ml", "g", "kg", "\xc2\xb5g", "\xce\xbcg", "%",
	};
	size_t i, n, k;
	long v = 0;

	if (e - b > 4)
		return false;
	for (k = b; k < e; k++)
		v = v * 10 + (s[k] - '0');
	if (e - b == 4 && v >= 1900 && v <= 2099)
		return true;
	while (e < len && s[e] == ' ')
		e++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i]);
		if (len - e >= n && strncasecmp(s + e, units[i], n) == 0 &&
		    (e + n == len || !is_letter(s[e + n])))
			return true;
	}
	return false;
}

static bool
find_phone_n(const char *s, size_t len, size_t *start, size_t *n)
{
	size_t i = 0, best = 0, b, e, k, digits;

	while (i < len) {
		if (!is_phone_char(s[i])) {
			i++;
			continue;
		}
		/* A dash with a space beside it separates, as in "Ward 4 -
		 * 020 7946 0001"; inside a number it has none. */
		b = i;
		while (i < len && is_phone_char(s[i]) &&
		       !(s[i] == '-' && ((i > 0 && s[i - 1] == ' ') ||
					 (i + 1 < len && s[i + 1] == ' '))))
			i++;
		e = i;
		if (e == b) {
			i++;
			continue;
		}
		phone_trim(s, &b, &e);
		if ((b > 0 && is_letter(s[b - 1])) ||
		    (e < len && is_letter(s[e])))
			continue;
		for (digits = 0, k = b; k < e; k++)
			digits += is_digit(s[k]);
		if (digits == e - b && is_quantity(s, len, b, e))
			continue;
		if (digits >= 3 && digits > best) {
			best = digits;
			*start = b;
			*n = e - b;
		}
	}
	return best > 0;
}

bool
pocketcard_find_phone(const char *line, size_t *start, size_t *len)
{
	if (!line)
		return false;
	return find_phone_n(line, strlen(line), start, len);
}

/* Records the first libhpdf error; the failing call then returns it. */
static void HPDF_STDCALL
on_pdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct layout *l = user_data;

	if (!l->error_no) {
		l->error_no = error_no;
		l->detail_no = detail_no;
	}
	if (l->err == ERR_OK)
		l->err = ERR_INTERNAL;
}

/* False (and l->err set) when the libhpdf call returned `st` failed. */
static bool
ok(struct layout *l, HPDF_STATUS st)
{
	if (st != HPDF_OK && l->err == ERR_OK)
		l->err = ERR_INTERNAL;
	return l->err == ERR_OK;
}

/* For libhpdf calls that report failure with a NULL handle. */
static bool
ok_handle(struct layout *l, const void *handle)
{
	if (!handle && l->err == ERR_OK)
		l->err = ERR_INTERNAL;
	return l->err == ERR_OK;
}

/*
 * Card text: s[0..len) in Windows-1252 with control characters (tabs,
 * CR, stray newlines) as spaces. NULL (and l->err set) when out of memory.
 */
static char *
card_text(struct layout *l, const char *s, size_t len)
{
	char *t, *p;

	if (l->err != ERR_OK)
		return NULL;
	if (!(t = cp1252_n(l->a, s ? s : "", s ? len : 0))) {
		l->err = ERR_NOMEM;
		return NULL;
	}
	for (p = t; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	return t;
}

static void
font_load(struct layout *l, struct font *f, const char *name)
{
	HPDF_BYTE ch;
	HPDF_TextWidth tw;
	int i;

	f->f = HPDF_GetFont(l->pdf, name, "WinAnsiEncoding");
	if (!ok_handle(l, f->f))
		return;
	f->w[0] = 0;
	for (i = 1; i < 256; i++) {
		ch = (HPDF_BYTE)i;
		tw = HPDF_Font_TextWidth(f->f, &ch, 1);
		f->w[i] = (float)tw.width;
	}
}

static float
text_width(const struct font *f, float size, const char *s, size_t len)
{
	float w = 0;
	size_t i;

	for (i = 0; i < len; i++)
		w += f->w[(unsigned char)s[i]];
	return w * size / 1000.0f;
}

/*
 * How much of s[0..len) (which starts with no space) goes on one line
 * `maxw` wide: up to the last word that fits, or, when not even the first
 * word does, as many bytes as fit (at least one). *next is where the rest
 * starts, before the spaces the caller skips.
 */
static size_t
line_fit(const struct font *f, float size, float maxw, const char *s,
	 size_t len, size_t *next)
{
	float lim = maxw * 1000.0f / size, w = 0;
	size_t i, brk = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		w += f->w[ch];
		if (ch == ' ') {
			/* Spaces may overhang: they vanish at a break. */
			if (i > 0 && s[i - 1] != ' ')
				brk = i;
			continue;
		}
		if (w > lim || i >= LINE_BYTES_MAX) {
			if (brk == 0)
				brk = i > 0 ? i : 1;
			*next = brk;
			return brk;
		}
	}
	while (i > 0 && s[i - 1] == ' ')
		i--;
	*next = len;
	return i;
}

static size_t
skip_spaces(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == ' ')
		i++;
	return i;
}

static size_t
count_lines(const struct font *f, float size, float maxw, const char *s,
	    size_t len)
{
	size_t n = 0, next, k;

	while ((k = skip_spaces(s, len)) < len) {
		s += k;
		len -= k;
		line_fit(f, size, maxw, s, len, &next);
		s += next;
		len -= next;
		n++;
	}
	return n;
}

static void
draw_text(struct layout *l, const struct font *f, float size, float x,
	  float y, const char *s, size_t len)
{
	char line[LINE_BYTES_MAX + 1];

	if (l->err != ERR_OK)
		return;
	if (len > LINE_BYTES_MAX)
		len = LINE_BYTES_MAX;
	memcpy(line, s, len);
	line[len] = '\0';
	if (!ok(l, HPDF_Page_BeginText(l->page)) ||
	    !ok(l, HPDF_Page_SetFontAndSize(l->page, f->f, size)) ||
	    !ok(l, HPDF_Page_TextOut(l->page, x, y, line)))
		return;
	ok(l, HPDF_Page_EndText(l->page));
}

static void
draw_rule(struct layout *l, float y)
{
	if (l->err != ERR_OK)
		return;
	if (!ok(l, HPDF_Page_SetLineWidth(l->page, 0.6f)) ||
	    !ok(l, HPDF_Page_MoveTo(l->page, MARGIN_X, y)) ||
	    !ok(l, HPDF_Page_LineTo(l->page, PAGE_W - MARGIN_X, y)))
		return;
	ok(l, HPDF_Page_Stroke(l->page));
}

static void
new_page(struct layout *l)
{
	HPDF_Page p;

	if (l->err != ERR_OK)
		return;
	if (l->npages == POCKETCARD_PAGES_MAX) {
		l->err = ERR_TOO_LARGE;
		return;
	}
	p = HPDF_AddPage(l->pdf);
	if (!ok_handle(l, p) ||
	    !ok(l, HPDF_Page_SetWidth(p, PAGE_W)) ||
	    !ok(l, HPDF_Page_SetHeight(p, PAGE_H)))
		return;
	l->pages[l->npages++] = p;
	l->page = p;
	l->y = PAGE_H - MARGIN_TOP;
	l->fresh = true;
}

static void put_wrapped(struct layout *l, const struct font *f, float size,
			float indent, const char *mark, const char *s,
			size_t len);

/*
 * Makes room for `h` points of height, starting a new page when needed;
 * inside a section the new page opens with its heading "(continued)".
 * False once anything has failed.
 */
static bool
room(struct layout *l, float h)
{
	if (l->err != ERR_OK)
		return false;
	if (l->fresh || l->y - h >= l->bottom)
		return true;
	new_page(l);
	if (l->heading && !l->continuing) {
		l->continuing = true;
		put_wrapped(l, &l->bold, HEADING_PT, 0, NULL, l->heading,
			    strlen(l->heading));
		l->y -= HEADING_GAP;
		l->continuing = false;
	}
	return l->err == ERR_OK;
}

/* One line of text at `indent`, with `mark` (a bullet) in the margin. */
static void
put_line(struct layout *l, const struct font *f, float size, float indent,
	 const char *mark, const char *s, size_t len)
{
	float base;

	if (!room(l, size * LEADING))
		return;
	base = l->y - size;
	if (mark)
		draw_text(l, &l->regular, size, MARGIN_X, base, mark,
			  strlen(mark));
	draw_text(l, f, size, MARGIN_X + indent, base, s, len);
	l->y -= size * LEADING;
	l->fresh = false;
}

static void
put_wrapped(struct layout *l, const struct font *f, float size, float indent,
	    const char *mark, const char *s, size_t len)
{
	size_t k, n, next;

	while (l->err == ERR_OK && (k = skip_spaces(s, len)) < len) {
		s += k;
		len -= k;
		n = line_fit(f, size, TEXT_W - indent, s, len, &next);
		put_line(l, f, size, indent, mark, s, n);
		mark = NULL;
		s += next;
		len -= next;
	}
}

static void
put_text(struct layout *l, const struct font *f, float size, const char *s)
{
	char *t;

	if (!s || !(t = card_text(l, s, strlen(s))))
		return;
	put_wrapped(l, f, size, 0, NULL, t, strlen(t));
}

static void
put_rule(struct layout *l)
{
	if (!room(l, 2 * RULE_GAP))
		return;
	draw_rule(l, l->y - RULE_GAP / 2);
	l->y -= RULE_GAP + RULE_GAP / 2;
	l->fresh = false;
}

/* Bytes of the separator (space , ; : - – —) ending or starting at `s`. */
static size_t
separator_len(const char *s, size_t len, bool at_end)
{
	const char *c;

	if (len == 0)
		return 0;
	c = at_end ? s + len - 1 : s;
	if (*c == ' ' || *c == ',' || *c == ';' || *c == ':' || *c == '-')
		return 1;
	if (len < 3)
		return 0;
	c = at_end ? s + len - 3 : s;
	if (c[0] == '\xe2' && c[1] == '\x80' &&
	    (c[2] == '\x93' || c[2] == '\x94'))
		return 3;
	return 0;
}

/*
 * One plan item (a trimmed body line, UTF-8): bulleted and wrapped; a phone
 * number in it goes bold on its own line beneath the rest of the line.
 */
static void
put_item(struct layout *l, struct str line)
{
	struct str before, after;
	size_t ps, pn, k;
	char *name, *num;

	if (!find_phone_n(line.p, line.len, &ps, &pn)) {
		if ((name = card_text(l, line.p, line.len)))
			put_wrapped(l, &l->regular, BODY_PT, ITEM_INDENT,
				    CP1252_BULLET, name, strlen(name));
		return;
	}
	before.p = line.p;
	before.len = ps;
	after.p = line.p + ps + pn;
	after.len = line.len - ps - pn;
	while ((k = separator_len(before.p, before.len, true)))
		before.len -= k;
	while ((k = separator_len(after.p, after.len, false))) {
		after.p += k;
		after.len -= k;
	}
	after = str_trim(after);
	if (!(num = card_text(l, line.p + ps, pn)))
		return;
	if (before.len || after.len) {
		name = arena_printf(l->a, "%.*s%s%.*s", (int)before.len,
				    before.p, before.len && after.len ? " " : "",
				    (int)after.len, after.p);
		if (!name) {
			l->err = ERR_NOMEM;
			return;
		}
		if (!(name = card_text(l, name, strlen(name))))
			return;
		put_wrapped(l, &l->regular, BODY_PT, ITEM_INDENT,
			    CP1252_BULLET, name, strlen(name));
		put_wrapped(l, &l->bold, PHONE_PT, ITEM_INDENT, NULL, num,
			    strlen(num));
	} else
		put_wrapped(l, &l->bold, PHONE_PT, ITEM_INDENT, CP1252_BULLET,
			    num, strlen(num));
}

static bool
is_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' &&
		    *s != '\f' && *s != '\v')
			return false;
	return true;
}

/* Draws one section; false when it is empty and so left out. */
static bool
put_section(struct layout *l, const struct pocketcard_section *sec,
	    const char *continued)
{
	const char *p, *nl;
	char *heading = NULL;
	float need;
	struct str line;

	if (is_blank(sec->body))
		return false;
	if (!is_blank(sec->heading)) {
		if (!(heading = card_text(l, sec->heading,
					  strlen(sec->heading))))
			return true;
	}
	/* Keep the heading with at least the first line of the body. */
	need = (l->fresh ? 0 : SECTION_GAP) + BODY_PT * LEADING;
	if (heading)
		need += HEADING_GAP + HEADING_PT * LEADING *
			count_lines(&l->bold, HEADING_PT, TEXT_W, heading,
				    strlen(heading));
	if (!l->fresh && l->y - need < l->bottom)
		new_page(l);
	if (!l->fresh)
		l->y -= SECTION_GAP;
	if (heading) {
		put_wrapped(l, &l->bold, HEADING_PT, 0, NULL, heading,
			    strlen(heading));
		l->y -= HEADING_GAP;
		l->heading = arena_printf(l->a, "%s %s", heading, continued);
		if (!l->heading && l->err == ERR_OK)
			l->err = ERR_NOMEM;
	}
	for (p = sec->body; l->err == ERR_OK && *p; p = nl + (*nl != '\0')) {
		if (!(nl = strchr(p, '\n')))
			nl = p + strlen(p);
		line.p = p;
		line.len = (size_t)(nl - p);
		line = str_trim(line);
		if (line.len) {
			put_item(l, line);
			l->y -= ITEM_GAP;
		}
	}
	l->heading = NULL;
	return true;
}

/* Splits the footer into at most FOOTER_LINES_MAX lines, the last cut
 * short with an ellipsis when the text runs on. */
static void
footer_lines(struct layout *l, const char *footer)
{
	const struct font *f = &l->bold;
	char *s = card_text(l, footer, footer ? strlen(footer) : 0);
	size_t len, k, n, next;
	float ell;

	if (!s)
		return;
	len = strlen(s);
	while (l->nfoot < FOOTER_LINES_MAX && (k = skip_spaces(s, len)) < len) {
		s += k;
		len -= k;
		n = line_fit(f, FOOTER_PT, TEXT_W, s, len, &next);
		if (l->nfoot == FOOTER_LINES_MAX - 1 &&
		    next + skip_spaces(s + next, len - next) < len) {
			ell = text_width(f, FOOTER_PT, CP1252_ELLIPSIS, 1);
			n = line_fit(f, FOOTER_PT, TEXT_W - ell, s, len, &next);
			l->foot[l->nfoot] = arena_printf(l->a, "%.*s%s",
							 (int)n, s,
							 CP1252_ELLIPSIS);
		} else
			l->foot[l->nfoot] = arena_strndup(l->a, s, n);
		if (!l->foot[l->nfoot]) {
			l->err = ERR_NOMEM;
			return;
		}
		l->nfoot++;
		s += next;
		len -= next;
	}
}

/* Baseline of the page label; footer lines stack above it. */
#define PAGENO_BASE	MARGIN_BOTTOM

static float
footer_line_base(const struct layout *l, size_t i)
{
	return PAGENO_BASE + PAGENO_PT * LEADING +
	       (float)(l->nfoot - 1 - i) * FOOTER_PT * LEADING;
}

static float
footer_rule_y(const struct layout *l)
{
	if (l->nfoot == 0)
		return PAGENO_BASE + PAGENO_PT + RULE_GAP / 2;
	return footer_line_base(l, 0) + FOOTER_PT + RULE_GAP / 2;
}

/* "Page %d of %d" (validated) with the numbers filled in, cut to `cap`. */
static size_t
page_label_format(const char *tmpl, size_t page, size_t pages, char *out,
		  size_t cap)
{
	char num[24];
	size_t o = 0, k, nth = 0;

	for (; *tmpl && o + 1 < cap; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 'd') {
			snprintf(num, sizeof(num), "%zu", nth++ ? pages : page);
			for (k = 0; num[k] && o + 1 < cap; k++)
				out[o++] = num[k];
			tmpl++;
		} else
			out[o++] = *tmpl;
	}
	out[o] = '\0';
	return o;
}

/* The footer and "page N of M" on every page, once the count is known. */
static void
put_footers(struct layout *l, const char *page_label)
{
	char label[LINE_BYTES_MAX + 1];
	char *tmpl = card_text(l, page_label, strlen(page_label));
	size_t i, k, n, next;
	float w;

	for (i = 0; tmpl && i < l->npages && l->err == ERR_OK; i++) {
		l->page = l->pages[i];
		draw_rule(l, footer_rule_y(l));
		for (k = 0; k < l->nfoot; k++)
			draw_text(l, &l->bold, FOOTER_PT, MARGIN_X,
				  footer_line_base(l, k), l->foot[k],
				  strlen(l->foot[k]));
		n = page_label_format(tmpl, i + 1, l->npages, label,
				      sizeof(label));
		k = skip_spaces(label, n);
		n = line_fit(&l->regular, PAGENO_PT, TEXT_W, label + k, n - k,
			     &next);
		w = text_width(&l->regular, PAGENO_PT, label + k, n);
		draw_text(l, &l->regular, PAGENO_PT, PAGE_W - MARGIN_X - w,
			  PAGENO_BASE, label + k, n);
	}
}

static bool
page_label_valid(const char *s)
{
	int n = 0;

	if (!s)
		return false;
	for (; (s = strchr(s, '%')); s += 2) {
		if (s[1] != 'd')
			return false;
		n++;
	}
	return n == 2;
}

/* Adds strlen(s) to *total, reading no more than the cap allows. */
static bool
text_add(size_t *total, const char *s)
{
	if (!s)
		return true;
	*total += strnlen(s, POCKETCARD_TEXT_MAX - *total + 1);
	return *total <= POCKETCARD_TEXT_MAX;
}

static bool
text_valid(const char *s)
{
	return !s || utf8_valid(s, strlen(s));
}

static enum err
card_check(const struct pocketcard *card)
{
	const char *strs[] = {
		card->title, card->patient_name, card->printed_label,
		card->footer, card->empty_text, card->page_label,
		card->continued_label,
	};
	size_t i, total = 0;

	if (card->n_sections && !card->sections)
		return ERR_INVALID;
	if (card->n_sections > POCKETCARD_SECTIONS_MAX)
		return ERR_TOO_LARGE;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!text_add(&total, strs[i]))
			return ERR_TOO_LARGE;
	for (i = 0; i < card->n_sections; i++)
		if (!text_add(&total, card->sections[i].heading) ||
		    !text_add(&total, card->sections[i].body))
			return ERR_TOO_LARGE;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!text_valid(strs[i]))
			return ERR_INVALID;
	for (i = 0; i < card->n_sections; i++)
		if (!text_valid(card->sections[i].heading) ||
		    !text_valid(card->sections[i].body))
			return ERR_INVALID;
	if (!page_label_valid(card->page_label))
		return ERR_INVALID;
	return ERR_OK;
}

/* `now` as a PDF date in UTC; false outside 1970-01-01 .. 9999-12-31. */
static bool
pdf_date(int64_t now, HPDF_Date *d)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (now < 0 || now > INT64_C(253402300799) || !gmtime_r(&t, &tm))
		return false;
	memset(d, 0, sizeof(*d));
	d->year = tm.tm_year + 1900;
	d->month = tm.tm_mon + 1;
	d->day = tm.tm_mday;
	d->hour = tm.tm_hour;
	d->minutes = tm.tm_min;
	d->seconds = tm.tm_sec;
	d->ind = 'Z';
	return true;
}

static void
card_layout(struct layout *l, const struct pocketcard *card, HPDF_Date date)
{
	const char *continued;
	char *title;
	size_t i, drawn = 0;

	/* With a current encoder, libhpdf writes the info strings as UTF-16
	 * converted from it, so the title keeps its accents. */
	if (!ok(l, HPDF_SetCompressionMode(l->pdf, HPDF_COMP_ALL)) ||
	    !ok(l, HPDF_SetCurrentEncoder(l->pdf, "WinAnsiEncoding")))
		return;
	if (!(title = card_text(l, card->title,
				card->title ? strlen(card->title) : 0)))
		return;
	if (!ok(l, HPDF_SetInfoAttr(l->pdf, HPDF_INFO_TITLE, title)) ||
	    !ok(l, HPDF_SetInfoAttr(l->pdf, HPDF_INFO_CREATOR, "cocare")) ||
	    !ok(l, HPDF_SetInfoDateAttr(l->pdf, HPDF_INFO_CREATION_DATE, date)))
		return;
	font_load(l, &l->regular, "Helvetica");
	font_load(l, &l->bold, "Helvetica-Bold");
	footer_lines(l, card->footer);
	continued = card->continued_label ? card->continued_label
					  : "(continued)";
	if (!(continued = card_text(l, continued, strlen(continued))))
		return;
	l->bottom = footer_rule_y(l) + RULE_GAP;

	new_page(l);
	put_text(l, &l->bold, TITLE_PT, card->title);
	put_text(l, &l->regular, NAME_PT, card->patient_name);
	put_text(l, &l->regular, PRINTED_PT, card->printed_label);
	put_rule(l);
	for (i = 0; i < card->n_sections && l->err == ERR_OK; i++)
		drawn += put_section(l, &card->sections[i], continued);
	if (!drawn)
		put_text(l, &l->regular, BODY_PT, card->empty_text);
	put_footers(l, card->page_label);
}

/* Saves the document to libhpdf's memory stream and copies it to `a`. */
static enum err
card_save(struct layout *l, const unsigned char **out, size_t *len)
{
	HPDF_UINT32 size, got;
	HPDF_STATUS st;
	unsigned char *p;

	if (!ok(l, HPDF_SaveToStream(l->pdf)))
		return l->err;
	size = HPDF_GetStreamSize(l->pdf);
	if (size == 0 || l->err != ERR_OK)
		return ERR_INTERNAL;
	if (!(p = arena_alloc_uninit(l->a, size)))
		return ERR_NOMEM;
	got = size;
	st = HPDF_ReadFromStream(l->pdf, p, &got);
	/* Reading up to the end may report HPDF_STREAM_EOF. */
	if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size ||
	    l->err != ERR_OK)
		return ERR_INTERNAL;
	*out = p;
	*len = size;
	return ERR_OK;
}

enum err
pocketcard_pdf(struct arena *a, const struct pocketcard *card,
	       const unsigned char **out, size_t *len)
{
	struct layout l;
	HPDF_Date date;
	enum err e;

	if (!card)
		return ERR_INVALID;
	if ((e = card_check(card)) != ERR_OK)
		return e;
	if (!pdf_date(card->now, &date))
		return ERR_INVALID;
	memset(&l, 0, sizeof(l));
	l.a = a;
	l.err = ERR_OK;
	if (!(l.pdf = HPDF_New(on_pdf_error, &l)))
		return ERR_INTERNAL;
	card_layout(&l, card, date);
	e = l.err == ERR_OK ? card_save(&l, out, len) : l.err;
	if (l.error_no)
		log_error("pocketcard: libhpdf error 0x%04lx (detail %lu)",
			  (unsigned long)l.error_no,
			  (unsigned long)l.detail_no);
	HPDF_Free(l.pdf);
	return e;
}

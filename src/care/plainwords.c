/*
 * Plain-words advice: a reading-ease figure (Flesch for English,
 * Fernandez-Huerta for Spanish) from simple word, sentence and syllable
 * counts, and jargon found through a list of terms with plain wordings.
 * Both are advice shown beside a text; neither blocks saving it.
 */
#include "care/plainwords.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/embed.h"
#include "core/msgid.h"
#include "core/str.h"
#include "core/banned.h"

/* A letter reduced to what syllable counting needs. */
struct letter {
	char base;		/* ASCII lowercase; '#' for other letters */
	bool acute;		/* á é í ó ú */
	bool diaeresis;		/* ü */
};

enum vowel_class {
	V_NONE,
	V_WEAK,			/* i u ü */
	V_STRONG,		/* a e o, accented or not */
	V_WEAK_ACCENT		/* í ú: a syllable of their own beside a e o */
};

/* A word of a text or a term: original bytes and a folded copy. */
struct span {
	size_t start;
	size_t end;
	const char *fold;
	size_t flen;
};

/* A jargon term split into folded words, ready for matching. */
struct pterm {
	const struct jargon_entry *e;
	struct span *w;
	size_t nw;
	size_t idx;		/* place in the list, to keep ties stable */
};

static const struct {
	int min;
	const char *en;
	const char *es;
} bands[] = {
	{90, N_("Very easy to read"), N_("Very easy to read")},
	{80, N_("Easy to read"), N_("Easy to read")},
	{70, N_("Fairly easy to read"), N_("Fairly easy to read")},
	{60, N_("Plain English"), N_("Plain language")},
	{50, N_("Fairly hard to read"), N_("Fairly hard to read")},
	{30, N_("Hard to read"), N_("Hard to read")},
	{0, N_("Very hard to read"), N_("Very hard to read")},
};

/* Latin-1 letters U+00C0..U+00FF by base letter; '*' is not a letter. */
static const char latin1_base[] =
	"aaaaaaaceeeeiiiidnooooo*ouuuuyts"
	"aaaaaaaceeeeiiiidnooooo*ouuuuyty";

/* True for "es", "ES", "es-MX", "es_ES" when code is "es". */
static bool
lang_is(const char *lang, const char *code)
{
	return lang && (lang[0] | 0x20) == code[0] &&
	       (lang[1] | 0x20) == code[1] &&
	       (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');
}

/*
 * The code point at s[i] and its length in bytes. Bytes that do not
 * start a well-formed sequence decode as U+FFFD, one byte each, so the
 * counters never stall or read past `len`.
 */
static size_t
decode(const char *s, size_t len, size_t i, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s + i;
	size_t left = len - i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0 && left >= 2 && (u[1] & 0xc0) == 0x80) {
		*cp = (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
		return 2;
	}
	if ((u[0] & 0xf0) == 0xe0 && left >= 3 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80) {
		*cp = (uint32_t)(u[0] & 0x0f) << 12 |
		      (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
		return 3;
	}
	if ((u[0] & 0xf8) == 0xf0 && left >= 4 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80 && (u[3] & 0xc0) == 0x80) {
		*cp = (uint32_t)(u[0] & 0x07) << 18 |
		      (uint32_t)(u[1] & 0x3f) << 12 |
		      (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

static bool
is_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}

/*
 * ASCII letters, and non-ASCII characters outside the Latin-1 symbols,
 * the punctuation and symbol blocks and the emoji: good enough to find
 * words in any script without Unicode tables.
 */
static bool
is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
		return false;
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f))
		return false;
	if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfeff && cp <= 0xff0f))
		return false;
	if (cp >= 0xfff0 && cp <= 0xffff)
		return false;
	return !(cp >= 0x1f000 && cp <= 0x1faff);
}

static bool
is_word_cp(uint32_t cp)
{
	return is_letter(cp) || is_digit(cp);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static struct letter
letter_of(uint32_t cp)
{
	struct letter l = {'#', false, false};

	if (cp < 0x80) {
		l.base = (char)(cp | 0x20);
	} else if (cp >= 0xc0 && cp <= 0xff) {
		l.base = latin1_base[cp - 0xc0];
		cp |= 0x20;
		l.acute = cp == 0xe1 || cp == 0xe9 || cp == 0xed ||
			  cp == 0xf3 || cp == 0xfa;
		l.diaeresis = cp == 0xfc;
	}
	return l;
}

static bool
en_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
	       c == 'y';
}

static bool
en_consonant(char c)
{
	return c != 0 && !en_vowel(c);
}

/*
 * Whether the final e of "-e", "-ed" or "-es" is silent, given the
 * letter before it (c1) and the one before that (c2): after a consonant
 * not in `keep`, except "-le" after a consonant ("ta-ble", "ta-bles").
 */
static bool
silent_e(char c1, char c2, const char *keep)
{
	if (!en_consonant(c1) || strchr(keep, c1))
		return false;
	return !(c1 == 'l' && en_consonant(c2));
}

/* English syllables of one part of a word (no '-'). */
static int
syllables_en(const char *s, size_t len)
{
	char c, l1 = 0, l2 = 0, l3 = 0, l4 = 0;
	int count = 0, nl = 0;
	bool v, pv = false;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		i += decode(s, len, i, &cp);
		if (!is_letter(cp)) {
			pv = false;
			continue;
		}
		c = letter_of(cp).base;
		v = en_vowel(c) && !(c == 'y' && nl == 0);
		/* "di-al", "bi-o-logy", but "spe-cial", "ten-sion". */
		if (v && (!pv || (l1 == 'i' && (c == 'a' || c == 'o') &&
				  (l2 == 0 || (en_consonant(l2) &&
					       !strchr("cglnstx", l2))))))
			count++;
		pv = v;
		l4 = l3;
		l3 = l2;
		l2 = l1;
		l1 = c;
		nl++;
	}
	if (nl == 0)
		return 0;
	if (count > 1 && l1 == 'e' && silent_e(l2, l3, ""))
		count--;
	else if (count > 1 && l2 == 'e' && l1 == 'd' && silent_e(l3, l4, "td"))
		count--;
	else if (count > 1 && l2 == 'e' && l1 == 's' &&
		 silent_e(l3, l4, "sxzcgh"))
		count--;
	return count > 0 ? count : 1;
}

static enum vowel_class
es_class(struct letter l)
{
	if (l.base == 'a' || l.base == 'e' || l.base == 'o')
		return V_STRONG;
	if (l.base == 'i' || l.base == 'u')
		return l.acute ? V_WEAK_ACCENT : V_WEAK;
	return V_NONE;
}

/* Two vowels side by side in separate syllables (hiato). */
static bool
es_hiatus(enum vowel_class a, char abase, enum vowel_class b, char bbase)
{
	if (a == V_STRONG && b == V_STRONG)
		return true;
	if ((a == V_STRONG && b == V_WEAK_ACCENT) ||
	    (a == V_WEAK_ACCENT && b == V_STRONG))
		return true;
	/* "chi-i-ta" */
	return a == V_WEAK && b == V_WEAK && abase == bbase;
}

/* Spanish syllables of one part of a word (no '-'). */
static int
syllables_es(const char *s, size_t len)
{
	enum vowel_class cls, pc = V_NONE;
	struct letter l, next;
	char pbase = 0, p1 = 0;
	int count = 0, nl = 0;
	size_t i = 0;
	uint32_t cp, ncp;

	while (i < len) {
		i += decode(s, len, i, &cp);
		if (!is_letter(cp)) {
			pc = V_NONE;
			p1 = 0;
			continue;
		}
		l = letter_of(cp);
		cls = es_class(l);
		/* The u of "que", "qui", "gue", "gui" is not sounded. */
		if (l.base == 'u' && !l.acute && !l.diaeresis &&
		    (p1 == 'q' || p1 == 'g') && i < len) {
			decode(s, len, i, &ncp);
			next = letter_of(ncp);
			if (is_letter(ncp) &&
			    (next.base == 'e' || next.base == 'i'))
				cls = V_NONE;
		}
		if (cls != V_NONE &&
		    (pc == V_NONE || es_hiatus(pc, pbase, cls, l.base)))
			count++;
		pc = cls;
		pbase = l.base;
		p1 = l.base;
		nl++;
	}
	if (nl == 0)
		return 0;
	return count > 0 ? count : 1;
}

int
plainwords_syllables(const char *word, size_t len, const char *lang)
{
	bool es = lang_is(lang, "es");
	size_t i = 0, end;
	const char *dash;
	int total = 0;

	while (i <= len) {
		dash = memchr(word + i, '-', len - i);
		end = dash ? (size_t)(dash - word) : len;
		total += es ? syllables_es(word + i, end - i)
			    : syllables_en(word + i, end - i);
		i = end + 1;
	}
	return total;
}

static bool
is_stop(uint32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;
}

/* End of the word starting with a letter at s[i]. */
static size_t
word_end(const char *s, size_t len, size_t i)
{
	uint32_t cp, next;
	size_t k;

	while (i < len) {
		k = decode(s, len, i, &cp);
		if (is_word_cp(cp)) {
			i += k;
			continue;
		}
		if ((cp == '\'' || cp == 0x2019 || cp == '-') && i + k < len) {
			decode(s, len, i + k, &next);
			if (is_letter(next)) {
				i += k;
				continue;
			}
		}
		break;
	}
	return i;
}

/* End of the number starting with a digit at s[i]; *groups gets the
 * number of digit runs ("10:30" has two). */
static size_t
number_end(const char *s, size_t len, size_t i, int *groups)
{
	*groups = 0;
	for (;;) {
		(*groups)++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9' &&
		    (s[i] == '.' || s[i] == ',' || s[i] == ':' ||
		     s[i] == '/')) {
			i++;
			continue;
		}
		return i;
	}
}

bool
plainwords_readability(const char *text, const char *lang,
		       struct readability *out)
{
	size_t len = text ? strlen(text) : 0, i = 0, k;
	long words = 0, sentences = 0, syllables = 0, cur = 0;
	bool es = lang_is(lang, "es"), letters = false;
	double wps, spw, score;
	unsigned b;
	uint32_t cp;
	int groups;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		k = decode(text, len, i, &cp);
		if (is_letter(cp)) {
			k = word_end(text, len, i) - i;
			syllables += plainwords_syllables(text + i, k, lang);
			words++;
			cur++;
			letters = true;
		} else if (is_digit(cp)) {
			k = number_end(text, len, i, &groups) - i;
			syllables += groups;
			words++;
			cur++;
		} else if (is_stop(cp) || cp == '\n') {
			if (cur && (letters || cp == '\n')) {
				sentences++;
				cur = 0;
				letters = false;
			}
		}
		/* Always move on, even where a word scanner disagrees with
		 * decode() about a malformed byte. */
		i += k ? k : 1;
	}
	if (cur)
		sentences++;
	if (words == 0)
		return false;

	wps = (double)words / (double)sentences;
	spw = (double)syllables / (double)words;
	if (es)
		score = 206.84 - 60.0 * spw - 1.02 * wps;
	else
		score = 206.835 - 1.015 * wps - 84.6 * spw;
	if (score < 0)
		score = 0;
	if (score > 100)
		score = 100;
	for (b = 0; b < sizeof(bands) / sizeof(bands[0]) - 1; b++)
		if (score >= bands[b].min)
			break;
	out->sentences = sentences > INT32_MAX ? INT32_MAX : (int)sentences;
	out->words = words > INT32_MAX ? INT32_MAX : (int)words;
	out->syllables = syllables > INT32_MAX ? INT32_MAX : (int)syllables;
	out->score = score;
	out->band = es ? bands[b].es : bands[b].en;
	return true;
}

/*
 * The words of s[0, len) (runs of letters and digits), each with a
 * folded copy; NULL with *n 0 when there are none or the arena is full
 * (the arena's failed flag tells which).
 */
static struct span *
split_words(struct arena *a, const char *s, size_t len, size_t *n)
{
	struct span *w;
	size_t i, k, count = 0, start;
	bool in = false;
	uint32_t cp;

	*n = 0;
	for (i = 0; i < len; i += k) {
		k = decode(s, len, i, &cp);
		if (is_word_cp(cp) && !in)
			count++;
		in = is_word_cp(cp);
	}
	if (count == 0)
		return NULL;
	w = arena_calloc(a, count, sizeof(*w));
	if (!w)
		return NULL;
	i = 0;
	while (i < len) {
		k = decode(s, len, i, &cp);
		if (!is_word_cp(cp)) {
			i += k;
			continue;
		}
		start = i;
		while (i < len) {
			k = decode(s, len, i, &cp);
			if (!is_word_cp(cp))
				break;
			i += k;
		}
		w[*n].start = start;
		w[*n].end = i;
		w[*n].fold = str_fold(a, s + start, i - start);
		if (!w[*n].fold)
			return NULL;
		w[*n].flen = strlen(w[*n].fold);
		(*n)++;
	}
	return w;
}

static bool
term_has_word(struct str s)
{
	size_t i, k;
	uint32_t cp;

	for (i = 0; i < s.len; i += k) {
		k = decode(s.p, s.len, i, &cp);
		if (is_word_cp(cp))
			return true;
	}
	return false;
}

enum err
jargon_parse(struct arena *a, const char *text, size_t len,
	     struct jargon *out, int *line)
{
	struct jargon_entry *e;
	struct str l, term, plain;
	size_t i, end, cap = 1, n = 0;
	const char *p;
	int ln = 0;

	if (line)
		*line = 0;
	if (len > JARGON_MAX)
		return ERR_TOO_LARGE;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			cap++;
	e = arena_calloc(a, cap, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	for (i = 0; i < len; i = end + 1) {
		ln++;
		p = memchr(text + i, '\n', len - i);
		end = p ? (size_t)(p - text) : len;
		l = str_trim((struct str){text + i, end - i});
		if (l.len == 0 || l.p[0] == '#')
			continue;
		if (!utf8_valid(l.p, l.len) || str_has_control(l.p, l.len))
			goto invalid;
		p = memmem(l.p, l.len, " = ", 3);
		if (!p)
			goto invalid;
		term = str_trim((struct str){l.p, (size_t)(p - l.p)});
		p += 3;
		plain = str_trim((struct str){p, l.len - (size_t)(p - l.p)});
		if (term.len == 0 || plain.len == 0 ||
		    term.len > JARGON_SIDE_MAX || plain.len > JARGON_SIDE_MAX ||
		    !term_has_word(term))
			goto invalid;
		e[n].term = str_dup(a, term);
		e[n].plain = str_dup(a, plain);
		if (!e[n].term || !e[n].plain)
			return ERR_NOMEM;
		n++;
	}
	out->e = e;
	out->n = n;
	return ERR_OK;

invalid:
	if (line)
		*line = ln;
	return ERR_INVALID;
}

enum err
jargon_builtin(struct arena *a, const char *lang, struct jargon *out)
{
	const struct embedded_file *f;
	const char *name;
	enum err rc;

	if (lang_is(lang, "en")) {
		name = "lists/jargon-en.txt";
	} else if (lang_is(lang, "es")) {
		name = "lists/jargon-es.txt";
	} else {
		out->e = NULL;
		out->n = 0;
		return ERR_OK;
	}
	f = embed_find(name);
	if (!f)
		return ERR_INTERNAL;
	rc = jargon_parse(a, (const char *)f->data, f->len, out, NULL);
	return rc == ERR_NOMEM ? rc : rc == ERR_OK ? ERR_OK : ERR_INTERNAL;
}

static int
span_cmp(const struct span *x, const struct span *y)
{
	size_t n = x->flen < y->flen ? x->flen : y->flen;
	int c = memcmp(x->fold, y->fold, n);

	if (c)
		return c;
	return (x->flen > y->flen) - (x->flen < y->flen);
}

/* By first word; then most words first; then list order. */
static int
pterm_cmp(const void *pa, const void *pb)
{
	const struct pterm *x = pa, *y = pb;
	int c = span_cmp(&x->w[0], &y->w[0]);

	if (c)
		return c;
	if (x->nw != y->nw)
		return x->nw > y->nw ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Equal, except that a run of white space matches any other run. */
static bool
gap_eq(const char *x, size_t xn, const char *y, size_t yn)
{
	size_t i = 0, j = 0;

	while (i < xn && j < yn) {
		if (is_space(x[i]) && is_space(y[j])) {
			while (i < xn && is_space(x[i]))
				i++;
			while (j < yn && is_space(y[j]))
				j++;
			continue;
		}
		if (x[i] != y[j])
			return false;
		i++;
		j++;
	}
	return i == xn && j == yn;
}

/* Whether term `t` matches the text words from tw[i]. */
static bool
term_matches(const struct pterm *t, const char *text, const struct span *tw,
	     size_t ntw, size_t i)
{
	const char *term = t->e->term;
	size_t k;

	if (t->nw > ntw - i)
		return false;
	for (k = 0; k < t->nw; k++) {
		if (span_cmp(&t->w[k], &tw[i + k]) != 0)
			return false;
		if (k && !gap_eq(term + t->w[k - 1].end,
				 t->w[k].start - t->w[k - 1].end,
				 text + tw[i + k - 1].end,
				 tw[i + k].start - tw[i + k - 1].end))
			return false;
	}
	return true;
}

/* The first term (in pterm_cmp order) whose first word is `w`. */
static size_t
lower_bound(const struct pterm *t, size_t n, const struct span *w)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (span_cmp(&t[mid].w[0], w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum err
jargon_find(struct arena *a, const struct jargon *j, const char *text,
	    struct jargon_hit **out, size_t *n)
{
	struct jargon_hit *hits;
	struct pterm *t;
	struct span *tw;
	size_t len = strlen(text), ntw, nt = 0, i, k, nh = 0;

	if (!utf8_valid(text, len))
		return ERR_INVALID;
	*out = NULL;
	*n = 0;
	if (j->n == 0)
		return ERR_OK;
	tw = split_words(a, text, len, &ntw);
	if (arena_failed(a))
		return ERR_NOMEM;
	if (ntw == 0)
		return ERR_OK;
	t = arena_calloc(a, j->n, sizeof(*t));
	hits = arena_calloc(a, ntw, sizeof(*hits));
	if (!t || !hits)
		return ERR_NOMEM;
	for (i = 0; i < j->n; i++) {
		t[nt].e = &j->e[i];
		t[nt].idx = i;
		t[nt].w = split_words(a, j->e[i].term, strlen(j->e[i].term),
				      &t[nt].nw);
		if (arena_failed(a))
			return ERR_NOMEM;
		if (t[nt].nw)
			nt++;
	}
	qsort(t, nt, sizeof(*t), pterm_cmp);

	i = 0;
	while (i < ntw) {
		for (k = lower_bound(t, nt, &tw[i]);
		     k < nt && span_cmp(&t[k].w[0], &tw[i]) == 0; k++)
			if (term_matches(&t[k], text, tw, ntw, i))
				break;
		if (k == nt || span_cmp(&t[k].w[0], &tw[i]) != 0) {
			i++;
			continue;
		}
		hits[nh].start = tw[i].start;
		hits[nh].len = tw[i + t[k].nw - 1].end - tw[i].start;
		hits[nh].entry = t[k].e;
		nh++;
		i += t[k].nw;
	}
	*out = hits;
	*n = nh;
	return ERR_OK;
}

/* Escaped text with each line break as <br> (a CR before it dropped). */
static void
add_lines(struct buf *b, const char *s, size_t len)
{
	size_t i, seg = 0, end;

	for (i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		end = i > seg && s[i - 1] == '\r' ? i - 1 : i;
		buf_add_html(b, s + seg, end - seg);
		buf_adds(b, "<br>");
		seg = i + 1;
	}
	buf_add_html(b, s + seg, len - seg);
}

char *
jargon_mark_html(struct arena *a, const char *text,
		 const struct jargon_hit *h, size_t n)
{
	size_t len = strlen(text), pos = 0, i;
	struct buf b;

	buf_init(&b, a, 6 * len + 16 * n + 1);
	for (i = 0; i < n; i++) {
		if (h[i].start < pos || h[i].start > len ||
		    h[i].len > len - h[i].start)
			continue;
		add_lines(&b, text + pos, h[i].start - pos);
		buf_adds(&b, "<mark>");
		add_lines(&b, text + h[i].start, h[i].len);
		buf_adds(&b, "</mark>");
		pos = h[i].start + h[i].len;
	}
	add_lines(&b, text + pos, len - pos);
	return b.failed ? NULL : b.p;
}

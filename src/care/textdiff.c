/*
 * Word-level difference for the care-plan version history. Both texts are
 * split into words, the common start and end are set aside, and the
 * longest common subsequence of the middle is found with Hirschberg's
 * method, which needs memory linear in the number of words.
 */
#include "care/textdiff.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/banned.h"

/*
 * A word and the white space after it: text[off, off + wlen) is the word
 * and text[off + wlen, off + tlen) its spacing. `hash` makes most word
 * comparisons one integer comparison.
 */
struct token {
	size_t off;
	size_t wlen;
	size_t tlen;
	uint32_t hash;
};

/* One text, split. `kept` marks the tokens in the common subsequence. */
struct side {
	const char *text;
	struct token *t;
	size_t n;
	bool *kept;
};

/* Hirschberg state: two rows of LCS lengths, each as long as the middle
 * of `after` plus one. */
struct lcs {
	struct side *b;
	struct side *f;
	uint32_t *fwd;
	uint32_t *rev;
};

struct emitter {
	struct diff_piece *p;
	size_t n;
	size_t rs, re;		/* pending removal in before */
	size_t as, ae;		/* pending addition in after */
	const char *before;
	const char *after;
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/*
 * Splits `s`. Token 0 is the leading white space with an empty word; every
 * text has one, so the two always match and leading spacing is compared
 * like any other.
 */
static bool
tokenize(struct arena *a, const char *s, size_t len, struct side *out)
{
	size_t i, start, wend, cap = 1, n = 1;
	uint32_t h;

	for (i = 0; i < len; i++)
		if (!is_space(s[i]) && (i == 0 || is_space(s[i - 1])))
			cap++;
	out->text = s;
	out->t = arena_calloc(a, cap, sizeof(*out->t));
	out->kept = arena_calloc(a, cap, sizeof(*out->kept));
	if (!out->t || !out->kept)
		return false;
	for (i = 0; i < len && is_space(s[i]); i++)
		;
	out->t[0].tlen = i;
	while (i < len) {
		start = i;
		h = 2166136261u;
		for (; i < len && !is_space(s[i]); i++)
			h = (h ^ (unsigned char)s[i]) * 16777619u;
		wend = i;
		for (; i < len && is_space(s[i]); i++)
			;
		out->t[n].off = start;
		out->t[n].wlen = wend - start;
		out->t[n].tlen = i - start;
		out->t[n].hash = h;
		n++;
	}
	out->n = n;
	return true;
}

static bool
word_eq(const struct side *x, size_t i, const struct side *y, size_t j)
{
	const struct token *s = &x->t[i], *t = &y->t[j];

	return s->hash == t->hash && s->wlen == t->wlen &&
	       memcmp(x->text + s->off, y->text + t->off, s->wlen) == 0;
}

/* row[j] = LCS of before[b0, b1) and after[a0, a0 + j), for j <= a1 - a0. */
static void
lcs_forward(struct lcs *lc, size_t b0, size_t b1, size_t a0, size_t a1,
	    uint32_t *row)
{
	size_t i, j, m = a1 - a0;
	uint32_t diag, up;

	memset(row, 0, (m + 1) * sizeof(*row));
	for (i = b0; i < b1; i++) {
		diag = 0;
		for (j = 1; j <= m; j++) {
			up = row[j];
			if (word_eq(lc->b, i, lc->f, a0 + j - 1))
				row[j] = diag + 1;
			else if (row[j - 1] > row[j])
				row[j] = row[j - 1];
			diag = up;
		}
	}
}

/* row[j] = LCS of before[b0, b1) and after[a1 - j, a1). */
static void
lcs_reverse(struct lcs *lc, size_t b0, size_t b1, size_t a0, size_t a1,
	    uint32_t *row)
{
	size_t i, j, m = a1 - a0;
	uint32_t diag, up;

	memset(row, 0, (m + 1) * sizeof(*row));
	for (i = b1; i-- > b0;) {
		diag = 0;
		for (j = 1; j <= m; j++) {
			up = row[j];
			if (word_eq(lc->b, i, lc->f, a1 - j))
				row[j] = diag + 1;
			else if (row[j - 1] > row[j])
				row[j] = row[j - 1];
			diag = up;
		}
	}
}

/*
 * Marks a longest common subsequence of before[b0, b1) and after[a0, a1):
 * split `before` in half, find where the best path crosses the middle
 * from both ends, and solve the two halves. Recursion depth is about
 * log2 of the number of words.
 */
static void
lcs_mark(struct lcs *lc, size_t b0, size_t b1, size_t a0, size_t a1)
{
	size_t n = b1 - b0, m = a1 - a0, mid, k, best_k = 0, j;
	uint32_t best = 0;

	if (n == 0 || m == 0)
		return;
	if (n == 1) {
		for (j = a0; j < a1; j++) {
			if (word_eq(lc->b, b0, lc->f, j)) {
				lc->b->kept[b0] = true;
				lc->f->kept[j] = true;
				return;
			}
		}
		return;
	}
	mid = b0 + n / 2;
	lcs_forward(lc, b0, mid, a0, a1, lc->fwd);
	lcs_reverse(lc, mid, b1, a0, a1, lc->rev);
	for (k = 0; k <= m; k++) {
		if (lc->fwd[k] + lc->rev[m - k] > best) {
			best = lc->fwd[k] + lc->rev[m - k];
			best_k = k;
		}
	}
	lcs_mark(lc, b0, mid, a0, a0 + best_k);
	lcs_mark(lc, mid, b1, a0 + best_k, a1);
}

/* Appends a piece, joining it to the last one when it continues it. */
static void
emit(struct emitter *e, enum diff_op op, const char *s, size_t len)
{
	struct diff_piece *last = e->n ? &e->p[e->n - 1] : NULL;

	if (len == 0)
		return;
	if (last && last->op == op && last->text + last->len == s) {
		last->len += len;
		return;
	}
	e->p[e->n].op = op;
	e->p[e->n].text = s;
	e->p[e->n].len = len;
	e->n++;
}

/* Pending changes are contiguous, so a range [start, end) is enough. */
static void
pend(size_t *start, size_t *end, size_t from, size_t to)
{
	if (*start == *end)
		*start = from;
	*end = to;
}

static void
flush(struct emitter *e)
{
	emit(e, DIFF_REMOVED, e->before + e->rs, e->re - e->rs);
	emit(e, DIFF_ADDED, e->after + e->as, e->ae - e->as);
	e->rs = e->re = e->as = e->ae = 0;
}

/*
 * Walks both texts in step: tokens outside the subsequence join the
 * pending change; a matched pair flushes it and is SAME, except for
 * spacing that differs, which starts the next pending change.
 */
static void
emit_all(struct emitter *e, const struct side *b, const struct side *f)
{
	const struct token *x, *y;
	const char *xs, *ys;
	size_t i = 0, j = 0, xn, yn;

	while (i < b->n || j < f->n) {
		if (i < b->n && !b->kept[i]) {
			x = &b->t[i++];
			pend(&e->rs, &e->re, x->off, x->off + x->tlen);
			continue;
		}
		if (j < f->n && !f->kept[j]) {
			y = &f->t[j++];
			pend(&e->as, &e->ae, y->off, y->off + y->tlen);
			continue;
		}
		assert(i < b->n && j < f->n);
		x = &b->t[i++];
		y = &f->t[j++];
		flush(e);
		emit(e, DIFF_SAME, b->text + x->off, x->wlen);
		xs = b->text + x->off + x->wlen;
		xn = x->tlen - x->wlen;
		ys = f->text + y->off + y->wlen;
		yn = y->tlen - y->wlen;
		if (xn == yn && memcmp(xs, ys, xn) == 0) {
			emit(e, DIFF_SAME, xs, xn);
		} else {
			pend(&e->rs, &e->re, (size_t)(xs - e->before),
			     x->off + x->tlen);
			pend(&e->as, &e->ae, (size_t)(ys - e->after),
			     y->off + y->tlen);
		}
	}
	flush(e);
}

enum err
textdiff(struct arena *a, const char *before, const char *after,
	 struct diff_piece **out, size_t *n)
{
	struct side b, f;
	struct lcs lc;
	struct emitter e;
	size_t blen, flen, pre = 0, suf = 0, nb, nf;

	if (!before)
		before = "";
	if (!after)
		after = "";
	blen = strnlen(before, TEXTDIFF_MAX + 1);
	flen = strnlen(after, TEXTDIFF_MAX + 1);
	if (blen > TEXTDIFF_MAX || flen > TEXTDIFF_MAX)
		return ERR_TOO_LARGE;
	if (!tokenize(a, before, blen, &b) || !tokenize(a, after, flen, &f))
		return ERR_NOMEM;

	/* The common start (at least token 0) and end need no search. */
	while (pre < b.n && pre < f.n && word_eq(&b, pre, &f, pre)) {
		b.kept[pre] = f.kept[pre] = true;
		pre++;
	}
	while (suf < b.n - pre && suf < f.n - pre &&
	       word_eq(&b, b.n - 1 - suf, &f, f.n - 1 - suf)) {
		b.kept[b.n - 1 - suf] = f.kept[f.n - 1 - suf] = true;
		suf++;
	}
	nb = b.n - pre - suf;
	nf = f.n - pre - suf;
	if (nb && nf && (uint64_t)nb * nf <= TEXTDIFF_CELLS) {
		lc.b = &b;
		lc.f = &f;
		lc.fwd = arena_calloc(a, nf + 1, sizeof(*lc.fwd));
		lc.rev = arena_calloc(a, nf + 1, sizeof(*lc.rev));
		if (!lc.fwd || !lc.rev)
			return ERR_NOMEM;
		lcs_mark(&lc, pre, pre + nb, pre, pre + nf);
	}

	/*
	 * Each matched pair gives at most a flushed removal and addition and
	 * one SAME piece; one more flush at the end.
	 */
	memset(&e, 0, sizeof(e));
	e.before = before;
	e.after = after;
	e.p = arena_calloc(a, 3 * (b.n < f.n ? b.n : f.n) + 2, sizeof(*e.p));
	if (!e.p)
		return ERR_NOMEM;
	emit_all(&e, &b, &f);
	*out = e.p;
	*n = e.n;
	return ERR_OK;
}

bool
textdiff_same(const char *before, const char *after)
{
	return strcmp(before ? before : "", after ? after : "") == 0;
}

static void
add_change(struct buf *b, const char *tag, const char *label,
	   const struct diff_piece *p)
{
	buf_printf(b, "<%s>", tag);
	if (label && *label) {
		buf_adds(b, "<span class=\"visually-hidden\">");
		buf_add_html(b, label, strlen(label));
		buf_adds(b, " </span>");
	}
	buf_add_html(b, p->text, p->len);
	buf_printf(b, "</%s>", tag);
}

char *
textdiff_html(struct arena *a, const struct diff_piece *p, size_t n,
	      const char *added_label, const char *removed_label)
{
	struct buf b;
	size_t i, max = 1, llen;

	/* Escaping grows text at most six times ("&quot;"). */
	llen = (added_label ? strlen(added_label) : 0) +
	       (removed_label ? strlen(removed_label) : 0);
	for (i = 0; i < n; i++)
		max += 6 * (p[i].len + llen) + 64;
	buf_init(&b, a, max);
	for (i = 0; i < n; i++) {
		switch (p[i].op) {
		case DIFF_SAME:
			buf_add_html(&b, p[i].text, p[i].len);
			break;
		case DIFF_ADDED:
			add_change(&b, "ins", added_label, &p[i]);
			break;
		case DIFF_REMOVED:
			add_change(&b, "del", removed_label, &p[i]);
			break;
		}
	}
	return b.failed ? NULL : b.p;
}

/*
 * Unit tests for the care text helpers: the word diff of the version
 * history, the plain-words advice (readability and jargon) and the safe
 * Markdown of progress notes.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "care/markdown.h"
#include "care/plainwords.h"
#include "care/textdiff.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#define ARENA_CAP (64 << 20)

/* The pieces joined, keeping those with op `keep` and the SAME ones. */
static char *
join(struct arena *a, const struct diff_piece *p, size_t n,
     enum diff_op keep)
{
	struct buf b;
	size_t i;

	buf_init(&b, a, 1 << 20);
	for (i = 0; i < n; i++)
		if (p[i].op == DIFF_SAME || p[i].op == keep)
			buf_add(&b, p[i].text, p[i].len);
	assert_false(b.failed);
	return b.p;
}

/* Checks the invariants of textdiff() on one pair of texts. */
static void
check_rebuild(struct arena *a, const char *before, const char *after)
{
	struct diff_piece *p;
	size_t n, i;

	assert_int_equal(textdiff(a, before, after, &p, &n), ERR_OK);
	assert_string_equal(join(a, p, n, DIFF_REMOVED), before);
	assert_string_equal(join(a, p, n, DIFF_ADDED), after);
	for (i = 0; i < n; i++) {
		assert_true(p[i].len > 0);
		if (i)
			assert_int_not_equal(p[i].op, p[i - 1].op);
	}
	if (strcmp(before, after) == 0 && *before) {
		assert_int_equal(n, 1);
		assert_int_equal(p[0].op, DIFF_SAME);
	}
}

static void
expect_piece(const struct diff_piece *p, enum diff_op op, const char *text)
{
	assert_int_equal(p->op, op);
	assert_int_equal(p->len, strlen(text));
	assert_memory_equal(p->text, text, p->len);
}

static void
test_diff_basic(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct diff_piece *p;
	size_t n;

	/* Identical texts: one SAME piece; two empty texts: none. */
	assert_int_equal(textdiff(a, "the cat sat", "the cat sat", &p, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	expect_piece(&p[0], DIFF_SAME, "the cat sat");
	assert_int_equal(textdiff(a, "", "", &p, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_true(textdiff_same("a b", "a b"));
	assert_false(textdiff_same("a b", "a  b"));
	assert_true(textdiff_same(NULL, ""));

	/* An inserted word. */
	assert_int_equal(textdiff(a, "take one tablet",
				  "take one small tablet", &p, &n), ERR_OK);
	assert_int_equal(n, 3);
	expect_piece(&p[0], DIFF_SAME, "take one ");
	expect_piece(&p[1], DIFF_ADDED, "small ");
	expect_piece(&p[2], DIFF_SAME, "tablet");

	/* A removed word. */
	assert_int_equal(textdiff(a, "take one small tablet",
				  "take one tablet", &p, &n), ERR_OK);
	assert_int_equal(n, 3);
	expect_piece(&p[0], DIFF_SAME, "take one ");
	expect_piece(&p[1], DIFF_REMOVED, "small ");
	expect_piece(&p[2], DIFF_SAME, "tablet");

	/* A replaced word: the removal comes first. */
	assert_int_equal(textdiff(a, "take one tablet daily",
				  "take two tablet daily", &p, &n), ERR_OK);
	assert_int_equal(n, 4);
	expect_piece(&p[0], DIFF_SAME, "take ");
	expect_piece(&p[1], DIFF_REMOVED, "one ");
	expect_piece(&p[2], DIFF_ADDED, "two ");
	expect_piece(&p[3], DIFF_SAME, "tablet daily");

	/* A word added at the end brings its space with it. */
	assert_int_equal(textdiff(a, "a b", "a b c", &p, &n), ERR_OK);
	assert_int_equal(n, 2);
	expect_piece(&p[0], DIFF_SAME, "a b");
	expect_piece(&p[1], DIFF_ADDED, " c");

	/* Everything new. */
	assert_int_equal(textdiff(a, "", "new plan", &p, &n), ERR_OK);
	assert_int_equal(n, 1);
	expect_piece(&p[0], DIFF_ADDED, "new plan");

	/* Words moved: the longest common run stays. */
	assert_int_equal(textdiff(a, "walk daily then rest",
				  "rest then walk daily", &p, &n), ERR_OK);
	assert_string_equal(join(a, p, n, DIFF_REMOVED),
			    "walk daily then rest");
	assert_string_equal(join(a, p, n, DIFF_ADDED), "rest then walk daily");
	arena_free(a);
}

static void
test_diff_rebuild(void **state)
{
	static const char *const texts[] = {
		"",
		" ",
		"word",
		"  leading and trailing  ",
		"Take one tablet\nevery morning.",
		"Take two tablets\n\nevery morning and evening.",
		"José tomará la medicación dos veces al día.",
		"José tomará la medicación tres veces al día, "
		"después de comer.",
		"a a a a b b b a a",
		"b a a b a b a a a b",
		"tabs\tand\r\nCRLF\r\n",
		"日本語 テキスト と emoji 😀 here",
		"日本語 の テキスト と emoji 😀",
	};
	struct arena *a = arena_new(ARENA_CAP);
	size_t i, j;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (j = 0; j < sizeof(texts) / sizeof(texts[0]); j++)
			check_rebuild(a, texts[i], texts[j]);
	arena_free(a);
}

static void
test_diff_limits(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct diff_piece *p = NULL;
	char *big = arena_alloc(a, TEXTDIFF_MAX + 2), *w1, *w2;
	size_t n = 99, i, same = 0;
	struct buf x, y;

	memset(big, 'x', TEXTDIFF_MAX + 1);
	assert_int_equal(textdiff(a, big, "x", &p, &n), ERR_TOO_LARGE);
	assert_int_equal(textdiff(a, "x", big, &p, &n), ERR_TOO_LARGE);
	assert_null(p);
	assert_int_equal(n, 99);
	big[TEXTDIFF_MAX] = '\0';
	assert_int_equal(textdiff(a, big, "x", &p, &n), ERR_OK);

	/*
	 * About 3000 words each with a change near each end: the middle is
	 * found as SAME, not shown as rewritten.
	 */
	buf_init(&x, a, TEXTDIFF_MAX);
	buf_init(&y, a, TEXTDIFF_MAX);
	buf_adds(&x, "start ");
	buf_adds(&y, "begin ");
	for (i = 0; i < 3000; i++) {
		buf_printf(&x, "w%zu ", i % 7);
		buf_printf(&y, "w%zu ", i % 7);
	}
	buf_adds(&x, "end");
	buf_adds(&y, "finish");
	assert_false(x.failed || y.failed);
	assert_int_equal(textdiff(a, x.p, y.p, &p, &n), ERR_OK);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		if (p[i].op == DIFF_SAME)
			same += p[i].len;
	assert_true(same >= 3000 * 3);
	check_rebuild(a, x.p, y.p);

	/*
	 * Past TEXTDIFF_CELLS the middle is one removal and one addition
	 * (10000 words against 10000; only the last word is common).
	 */
	w1 = arena_alloc(a, TEXTDIFF_MAX + 1);
	w2 = arena_alloc(a, TEXTDIFF_MAX + 1);
	for (i = 0; i < TEXTDIFF_MAX; i += 2) {
		w1[i] = 'a';
		w1[i + 1] = ' ';
		w2[i] = i % 4 ? 'a' : 'b';
		w2[i + 1] = ' ';
	}
	assert_int_equal(textdiff(a, w1, w2, &p, &n), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(p[0].op, DIFF_REMOVED);
	assert_int_equal(p[1].op, DIFF_ADDED);
	expect_piece(&p[2], DIFF_SAME, "a ");
	check_rebuild(a, w1, w2);

	/* Arena exhaustion is ERR_NOMEM, not a crash. */
	arena_free(a);
	a = arena_new(1 << 16);
	big = arena_alloc(a, 8000);
	memset(big, 'a', 7999);
	for (i = 1; i < 7999; i += 2)
		big[i] = ' ';
	assert_int_equal(textdiff(a, big, "z", &p, &n), ERR_NOMEM);
	arena_free(a);
}

static void
test_diff_html(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct diff_piece *p;
	size_t n;
	char *html;

	assert_int_equal(textdiff(a, "keep <old>", "keep new&", &p, &n),
			 ERR_OK);
	html = textdiff_html(a, p, n, "Added", "Removed");
	assert_string_equal(html,
			    "keep <del><span class=\"visually-hidden\">Removed "
			    "</span>&lt;old&gt;</del><ins><span "
			    "class=\"visually-hidden\">Added </span>new&amp;"
			    "</ins>");

	assert_int_equal(textdiff(a, "note", "note <script>alert(1)</script>",
				  &p, &n), ERR_OK);
	html = textdiff_html(a, p, n, "<i>added</i>", "removed");
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<i>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;i&gt;added&lt;/i&gt; </span>"));
	arena_free(a);
}

static void
test_syllables(void **state)
{
	static const struct {
		const char *word;
		const char *lang;
		int want;
	} cases[] = {
		{"cat", "en", 1},	   {"the", "en", 1},
		{"take", "en", 1},	   {"table", "en", 2},
		{"tables", "en", 2},	   {"people", "en", 2},
		{"agree", "en", 2},	   {"walked", "en", 1},
		{"needed", "en", 2},	   {"beautiful", "en", 3},
		{"medicine", "en", 3},	   {"hypertension", "en", 4},
		{"diagnosis", "en", 4},	   {"special", "en", 2},
		{"comorbidity", "en", 5},  {"follow-up", "en", 3},
		{"don't", "en", 1},	   {"Yes", "en", 1},
		{"rhythm", "en", 1},	   {"twice", "en", 1},
		{"día", "es", 2},	   {"país", "es", 2},
		{"poeta", "es", 3},	   {"ciudad", "es", 2},
		{"guerra", "es", 2},	   {"queso", "es", 2},
		{"guía", "es", 2},	   {"pingüino", "es", 3},
		{"agua", "es", 2},	   {"leer", "es", 2},
		{"aéreo", "es", 4},	   {"hipertensión", "es", 4},
		{"enfermería", "es", 5},  {"averiguáis", "es", 4},
		{"y", "es", 1},		   {"CORAZÓN", "es", 3},
		{"medicación", "es", 4},  {"paciente", "es", 3},
		{"1234", "en", 0},
	};
	size_t i;
	int got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = plainwords_syllables(cases[i].word, strlen(cases[i].word),
					   cases[i].lang);
		if (got != cases[i].want)
			print_error("%s (%s): %d syllables, want %d\n",
				    cases[i].word, cases[i].lang, got,
				    cases[i].want);
		assert_int_equal(got, cases[i].want);
	}
}

static void
test_readability_en(void **state)
{
	struct readability r;

	assert_true(plainwords_readability("The cat sat on the mat.", "en",
					   &r));
	assert_int_equal(r.words, 6);
	assert_int_equal(r.sentences, 1);
	assert_int_equal(r.syllables, 6);
	assert_true(r.score > 90);
	assert_string_equal(r.band, "Very easy to read");

	/* 10 words, 2 sentences, 13 syllables: 206.835 - 5.075 - 109.98. */
	assert_true(plainwords_readability(
		"Take one tablet twice a day. Drink plenty of water.", "en",
		&r));
	assert_int_equal(r.words, 10);
	assert_int_equal(r.sentences, 2);
	assert_int_equal(r.syllables, 13);
	assert_true(r.score > 91.7 && r.score < 91.9);

	assert_true(plainwords_readability(
		"The multidisciplinary cardiovascular rehabilitation "
		"programme demonstrated statistically significant "
		"improvements in functional capacity, symptomatology and "
		"health-related quality of life among individuals with "
		"chronic heart failure and comorbidities.", "en", &r));
	assert_int_equal(r.sentences, 1);
	assert_true(r.score < 30);
	assert_string_equal(r.band, "Very hard to read");

	/* Lines without full stops are sentences; numbers are words. */
	assert_true(plainwords_readability("Take 1.5 tablets\nDrink water\n",
					   "fr", &r));
	assert_int_equal(r.sentences, 2);
	assert_int_equal(r.words, 5);
	assert_int_equal(r.syllables, 1 + 2 + 2 + 1 + 2);
	assert_true(plainwords_readability("1. Take it... Now!? Rest", "en",
					   &r));
	assert_int_equal(r.sentences, 3);
	assert_int_equal(r.words, 5);

	/* No words: false, and the result is zeroed. */
	r.words = 7;
	assert_false(plainwords_readability("", "en", &r));
	assert_int_equal(r.words, 0);
	assert_null(r.band);
	assert_false(plainwords_readability("  ... -- !?\n", "en", &r));
	assert_false(plainwords_readability(NULL, "en", &r));
}

static void
test_readability_es(void **state)
{
	struct readability r;

	/*
	 * 22 words, 44 syllables, one sentence:
	 * 206.84 - 60 * 2.0 - 1.02 * 22 = 64.4.
	 */
	assert_true(plainwords_readability(
		"El paciente debe tomar la medicación todos los días por la "
		"mañana y acudir a la consulta de enfermería cada dos "
		"semanas.", "es-ES", &r));
	assert_int_equal(r.words, 22);
	assert_int_equal(r.syllables, 44);
	assert_int_equal(r.sentences, 1);
	assert_true(r.score > 64.3 && r.score < 64.5);
	assert_string_equal(r.band, "Plain language");

	/* ¿ opens a sentence without ending one; "qué" has a silent u. */
	assert_true(plainwords_readability(
		"¿Sabe qué? El paciente debe tomar la medicación todos los "
		"días por la mañana y acudir a la consulta de enfermería "
		"cada dos semanas.", "es", &r));
	assert_int_equal(r.sentences, 2);
	assert_int_equal(r.words, 24);
	assert_int_equal(r.syllables, 47);

	/* Shorter sentences read more easily, not less. */
	assert_true(plainwords_readability(
		"El paciente toma la medicación. Después descansa. Luego "
		"camina un poco.", "es", &r));
	assert_int_equal(r.sentences, 3);
	assert_int_equal(r.words, 11);
	assert_int_equal(r.syllables, 24);
	assert_true(r.score > 72 && r.score < 72.5);
	assert_string_equal(r.band, "Fairly easy to read");

	/* The same words in English get the English band names. */
	assert_true(plainwords_readability(
		"El paciente debe tomar la medicación todos los días por la "
		"mañana y acudir a la consulta de enfermería cada dos "
		"semanas.", "en", &r));
	assert_true(r.band != NULL && strcmp(r.band, "Plain language") != 0);
}

static void
test_jargon_parse(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct jargon j = {NULL, 0};
	const char *text;
	char long_term[200];
	int line = -1;

	text = "a = b\r\n# note\n\n  c d  =  e f \r\n";
	assert_int_equal(jargon_parse(a, text, strlen(text), &j, &line),
			 ERR_OK);
	assert_int_equal(line, 0);
	assert_int_equal(j.n, 2);
	assert_string_equal(j.e[0].term, "a");
	assert_string_equal(j.e[0].plain, "b");
	assert_string_equal(j.e[1].term, "c d");
	assert_string_equal(j.e[1].plain, "e f");

	j.n = 42;
	assert_int_equal(jargon_parse(a, "a = b\nno equals here\n", 21, &j,
				      &line), ERR_INVALID);
	assert_int_equal(line, 2);
	assert_int_equal(j.n, 42);
	assert_int_equal(jargon_parse(a, "# c\n\nx = \n", 10, &j, &line),
			 ERR_INVALID);
	assert_int_equal(line, 3);
	assert_int_equal(jargon_parse(a, " = y", 4, &j, &line), ERR_INVALID);
	assert_int_equal(line, 1);
	assert_int_equal(jargon_parse(a, "x=y", 3, &j, &line), ERR_INVALID);
	assert_int_equal(line, 1);
	assert_int_equal(jargon_parse(a, "a = b\n... = dots", 16, &j, &line),
			 ERR_INVALID);
	assert_int_equal(line, 2);
	assert_int_equal(jargon_parse(a, "a = b\n\xff = c", 11, &j, &line),
			 ERR_INVALID);
	assert_int_equal(line, 2);

	memset(long_term, 'x', 101);
	memcpy(long_term + 101, " = y", 5);
	assert_int_equal(jargon_parse(a, long_term, strlen(long_term), &j,
				      &line), ERR_INVALID);
	assert_int_equal(line, 1);
	long_term[100] = ' ';
	assert_int_equal(jargon_parse(a, long_term + 1, strlen(long_term + 1),
				      &j, &line), ERR_OK);
	assert_int_equal(jargon_parse(a, "a = b", JARGON_MAX + 1, &j, &line),
			 ERR_TOO_LARGE);
	assert_int_equal(jargon_parse(a, "", 0, &j, NULL), ERR_OK);
	assert_int_equal(j.n, 0);
	arena_free(a);
}

static void
test_jargon_builtin(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct jargon en, es, fr;
	size_t i;
	bool found = false;

	assert_int_equal(jargon_builtin(a, "en", &en), ERR_OK);
	assert_int_equal(jargon_builtin(a, "es", &es), ERR_OK);
	assert_int_equal(jargon_builtin(a, "fr", &fr), ERR_OK);
	assert_true(en.n >= 50);
	assert_true(es.n >= 50);
	assert_int_equal(fr.n, 0);
	for (i = 0; i < en.n; i++)
		if (strcmp(en.e[i].term, "hypertension") == 0 &&
		    strcmp(en.e[i].plain, "high blood pressure") == 0)
			found = true;
	assert_true(found);
	assert_int_equal(jargon_builtin(a, "en-GB", &fr), ERR_OK);
	assert_int_equal(fr.n, en.n);
	arena_free(a);
}

static void
test_jargon_find(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct jargon j, es;
	struct jargon_hit *h;
	const char *text, *list;
	size_t n;

	list = "hypertension = high blood pressure\n"
	       "infarto = ataque\n"
	       "infarto de miocardio = ataque al corazón\n"
	       "infarto agudo de miocardio = ataque al corazón\n"
	       "c/o = complains of\n";
	assert_int_equal(jargon_parse(a, list, strlen(list), &j, NULL), ERR_OK);

	/* Whole words only, any case. */
	text = "Hypertension: hypertensions, prehypertension, "
	       "pre-hypertension (HYPERTENSION).";
	assert_int_equal(jargon_find(a, &j, text, &h, &n), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].start, 0);
	assert_int_equal(h[0].len, 12);
	assert_string_equal(h[0].entry->plain, "high blood pressure");
	assert_memory_equal(text + h[1].start, "hypertension)", 12);
	assert_int_equal(h[1].start, strlen("Hypertension: hypertensions, "
					    "prehypertension, pre-"));
	assert_memory_equal(text + h[2].start, "HYPERTENSION", 12);

	/* Longest term first; phrases across spaces and line breaks. */
	text = "Tuvo un infarto agudo de miocardio; otro infarto  de\n"
	       "Miocardio, y un infarto. Infarto, de miocardio. c/o pain";
	assert_int_equal(jargon_find(a, &j, text, &h, &n), ERR_OK);
	assert_int_equal(n, 5);
	assert_string_equal(h[0].entry->term, "infarto agudo de miocardio");
	assert_int_equal(h[0].len, strlen("infarto agudo de miocardio"));
	assert_string_equal(h[1].entry->term, "infarto de miocardio");
	assert_int_equal(h[1].len, strlen("infarto  de\nMiocardio"));
	assert_string_equal(h[2].entry->term, "infarto");
	/* "Infarto, de miocardio": punctuation breaks the phrase. */
	assert_string_equal(h[3].entry->term, "infarto");
	assert_int_equal(h[3].len, 7);
	assert_memory_equal(text + h[3].start, "Infarto,", 8);
	assert_memory_equal(text + h[4].start, "c/o", 3);
	assert_int_equal(h[4].len, 3);

	/* Accents and case ignored; offsets into the original bytes. */
	assert_int_equal(jargon_builtin(a, "es", &es), ERR_OK);
	text = "Él tiene hipertension y HIPERTENSIÓN, también hipertensión.";
	assert_int_equal(jargon_find(a, &es, text, &h, &n), ERR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].start, strlen("Él tiene "));
	assert_int_equal(h[0].len, strlen("hipertension"));
	assert_string_equal(h[0].entry->plain, "tensión alta");
	assert_int_equal(h[1].start, strlen("Él tiene hipertension y "));
	assert_int_equal(h[1].len, strlen("HIPERTENSIÓN"));
	assert_memory_equal(text + h[1].start, "HIPERTENSIÓN", h[1].len);
	assert_memory_equal(text + h[2].start, "hipertensión", h[2].len);
	assert_int_equal(h[2].len, strlen("hipertensión"));

	/* Nothing to find; invalid UTF-8 refused. */
	assert_int_equal(jargon_find(a, &j, "", &h, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(jargon_find(a, &j, "plain words", &h, &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(jargon_find(a, &j, "bad \xc3(", &h, &n),
			 ERR_INVALID);
	arena_free(a);
}

static void
test_jargon_mark_html(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	struct jargon j;
	struct jargon_hit *h, bad[2];
	const char *text = "BP <high> & \"hypertension\"\r\nnext: Hypertension";
	size_t n;

	assert_int_equal(jargon_builtin(a, "en", &j), ERR_OK);
	assert_int_equal(jargon_find(a, &j, text, &h, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(jargon_mark_html(a, text, h, n),
			    "BP &lt;high&gt; &amp; &quot;<mark>hypertension"
			    "</mark>&quot;<br>next: <mark>Hypertension</mark>");
	assert_string_equal(jargon_mark_html(a, "a<b", NULL, 0), "a&lt;b");

	/* Hits out of order or past the end are skipped. */
	bad[0].start = 2;
	bad[0].len = 1;
	bad[0].entry = NULL;
	bad[1].start = 0;
	bad[1].len = 99;
	bad[1].entry = NULL;
	assert_string_equal(jargon_mark_html(a, "abc", bad, 2),
			    "ab<mark>c</mark>");
	arena_free(a);
}

static void
expect_refused(const char *md, const char *why_part)
{
	const char *why = NULL;

	if (markdown_check(md, strlen(md), &why) != ERR_INVALID)
		fail_msg("not refused: %s", md);
	assert_non_null(why);
	assert_non_null(strstr(why, why_part));
}

static void
test_markdown_check(void **state)
{
	static const char *const html[] = {
		"<script>alert(1)</script>",
		"Hello <b>x</b>",
		"<img src=x onerror=alert(1)>",
		"text\n\n<div>\nblock\n</div>\n",
		"<!-- comment -->",
	};
	static const char *const links[] = {
		"[x](javascript:alert(1))",
		"[x](JAVASCRIPT:alert(1))",
		"[x]( javascript:alert(1))",
		"[x](<  javascript:alert(1)>)",
		"[x](&#106;avascript:alert(1))",
		"![i](data:image/png;base64,AAAA)",
		"[x](data:text/html,hi)",
		"[x](vbscript:msgbox)",
		"[x](file:///etc/passwd)",
		"[x](/relative/path)",
		"[x](example.org)",
		"[x]()",
		"<javascript:alert(1)>",
		"[x][r]\n\n[r]: javascript:alert(1)\n",
		"- item [x](<java\tscript:alert(1)>)",
	};
	static const char *const good[] = {
		"",
		"Plain text.",
		"*emphasis*, **strong** and `code`\n\n- a\n- b\n\n1. one\n",
		"[x](https://example.org)",
		"[x](HTTP://example.org/a?b=c)",
		"[mail](mailto:nurse@example.org)",
		"<https://example.org>",
		"![chart](https://example.org/chart.png)",
		"Use 3 < 4 and a & b",
		"`<b>code is fine</b>`",
		"    <indented code>\n",
	};
	const char *why = "x";
	size_t i;

	for (i = 0; i < sizeof(html) / sizeof(html[0]); i++)
		expect_refused(html[i], "Notes cannot contain HTML.");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		expect_refused(links[i], "Links in notes must start with");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (markdown_check(good[i], strlen(good[i]), &why) != ERR_OK)
			fail_msg("refused: %s", good[i]);
		assert_null(why);
	}
	assert_int_equal(markdown_check("ok \xff", 4, &why), ERR_INVALID);
	assert_non_null(why);
	assert_int_equal(markdown_check("ok\0x", 4, &why), ERR_INVALID);
	assert_int_equal(markdown_check("\xed\xa0\x80", 3, &why), ERR_INVALID);
}

static void
test_markdown_html(void **state)
{
	static const char *const hostile[] = {
		"<script>alert(1)</script>",
		"<SCRIPT SRC=//x.example/x.js></SCRIPT>",
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		"[x](<  javascript:alert(1)>)",
		"[x](&#106;avascript:alert(1))",
		"<a href=\"javascript:x\">y</a>",
		"![i](javascript:alert(1))",
		"![i](data:image/png;base64,AAAA)",
		"![a [b](javascript:x)](data:image/gif;base64,R0)",
		"[x][r]\n\n[r]: javascript:alert(1)\n",
		"<img src=x onerror=alert(1)>",
		"*a <script>b</script>*",
	};
	struct arena *a = arena_new(ARENA_CAP);
	char *html, *low;
	size_t i, k;

	assert_string_equal(markdown_html(a, "*hi*", 4),
			    "<p><em>hi</em></p>\n");
	html = markdown_html(a, "line one\nline two", 17);
	assert_non_null(strstr(html, "line one<br />\nline two"));
	html = markdown_html(a, "[site](https://example.org)", 27);
	assert_non_null(strstr(html,
			       "<a href=\"https://example.org\">site</a>"));
	/* A refused link keeps its words. */
	html = markdown_html(a, "see [the plan](javascript:x) now", 32);
	assert_string_equal(html, "<p>see the plan now</p>\n");
	assert_string_equal(markdown_html(a, "", 0), "");
	/* A refused autolink is left as the words that were typed. */
	assert_string_equal(markdown_html(a, "<javascript:alert(1)>", 21),
			    "<p>javascript:alert(1)</p>\n");
	html = markdown_html(a, "bad \xff", 5);
	assert_non_null(strstr(html, "bad \xef\xbf\xbd"));

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		html = markdown_html(a, hostile[i], strlen(hostile[i]));
		assert_non_null(html);
		low = arena_strdup(a, html);
		for (k = 0; low[k]; k++)
			if (low[k] >= 'A' && low[k] <= 'Z')
				low[k] = (char)(low[k] - 'A' + 'a');
		if (strstr(low, "<script") || strstr(low, "javascript:") ||
		    strstr(low, "data:") || strstr(low, "<img src=x") ||
		    strstr(low, "<a href=\"javascript"))
			fail_msg("unsafe HTML for %s: %s", hostile[i], html);
	}
	arena_free(a);
}

static void
test_markdown_text(void **state)
{
	struct arena *a = arena_new(ARENA_CAP);
	const char *md = "# Plan\n\nTake *one* tablet\nat night.\n\n"
			 "- walk\n- rest\n  1. sit\n  2. lie\n\n"
			 "3. x\n4. y\n\n"
			 "<b>bold</b> [link](https://x.example) `c&d`\n\n"
			 "<div>raw</div>\n\n"
			 "    code\n\n"
			 "Caf&eacute; ![alt text](https://x.example/i.png)\n";

	assert_string_equal(markdown_text(a, md, strlen(md)),
			    "Plan\n\nTake one tablet\nat night.\n\n"
			    "- walk\n- rest\n  1. sit\n  2. lie\n\n"
			    "3. x\n4. y\n\n"
			    "bold link c&d\n\n"
			    "code\n\n"
			    "Café alt text");
	assert_string_equal(markdown_text(a, "", 0), "");
	assert_string_equal(markdown_text(a, "  \n\n", 4), "");
	arena_free(a);
}

/* Found by the fuzzer (tests/fuzz/care_fuzz.c): malformed UTF-8 that one
 * scanner read as a letter and another as nothing made the count loop
 * stand still. Pages pass only valid UTF-8, but the count must end. */
static void
test_readability_malformed(void **state)
{
	static const char text[] = "Thethtam e. Ca0+\x02" "e \x98" "a\xc2\xb5"
				   "g!\xf5\xf5\xb5\xf5" "e \x98" "a\x02" "Th"
				   "\xff\xc0\xb5\xff";
	struct readability r;

	assert_true(plainwords_readability(text, "en", &r));
	assert_true(r.words >= 3);
	assert_true(plainwords_readability(text, "es", &r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_basic),
		cmocka_unit_test(test_readability_malformed),
		cmocka_unit_test(test_diff_rebuild),
		cmocka_unit_test(test_diff_limits),
		cmocka_unit_test(test_diff_html),
		cmocka_unit_test(test_syllables),
		cmocka_unit_test(test_readability_en),
		cmocka_unit_test(test_readability_es),
		cmocka_unit_test(test_jargon_parse),
		cmocka_unit_test(test_jargon_builtin),
		cmocka_unit_test(test_jargon_find),
		cmocka_unit_test(test_jargon_mark_html),
		cmocka_unit_test(test_markdown_check),
		cmocka_unit_test(test_markdown_html),
		cmocka_unit_test(test_markdown_text),
	};

	test_init();
	return cmocka_run_group_tests_name("care_text", tests, NULL, NULL);
}

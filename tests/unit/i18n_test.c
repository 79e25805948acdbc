/*
 * Unit tests for src/web/i18n: .po parsing (multi-line strings, escapes,
 * contexts, fuzzy entries, malformed files), plural rules of several
 * languages, Accept-Language negotiation and the template adapter.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "web/i18n.h"
#include "web/template.h"

#define HEADER(plural)                                                   \
	"msgid \"\"\n"                                                   \
	"msgstr \"\"\n"                                                  \
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"               \
	"\"Plural-Forms: " plural "\\n\"\n\n"

static const char es_po[] =
	"# Spanish\n"
	HEADER("nplurals=2; plural=(n != 1);")
	"#: templates/login.html:3\n"
	"msgid \"Sign in\"\n"
	"msgstr \"Iniciar sesión\"\n"
	"\n"
	"msgid \"\"\n"
	"\"Two \"\n"
	"\"lines\"\n"
	"msgstr \"\"\n"
	"\"Dos \"\n"
	"  \"líneas\"\n"
	"\n"
	"msgid \"Tab\\there \\\"quoted\\\" back\\\\slash\\n\"\n"
	"msgstr \"Tab\\tallí \\\"citado\\\" barra\\\\invertida\\n\"\n"
	"\n"
	"#, fuzzy, c-format\n"
	"msgid \"Fuzzy\"\n"
	"msgstr \"Borroso\"\n"
	"\n"
	"#, c-format\n"
	"msgid \"Not fuzzy\"\n"
	"msgstr \"No borroso\"\n"
	"msgid \"Untranslated\"\n"
	"msgstr \"\"\n"
	"\n"
	"msgctxt \"month\"\n"
	"msgid \"May\"\n"
	"msgstr \"mayo\"\n"
	"\n"
	"msgid \"May\"\n"
	"msgstr \"puede\"\n"
	"\n"
	"msgid \"{{n}} file\"\n"
	"msgid_plural \"{{n}} files\"\n"
	"msgstr[0] \"{{n}} archivo\"\n"
	"msgstr[1] \"{{n}} archivos\"\n"
	"\n"
	"msgid \"Sign in to {{org}}\"\n"
	"msgstr \"Inicia sesión en {{org}}\"\n"
	"\n"
	"#~ msgid \"Old\"\n"
	"#~ msgstr \"Viejo\"\n";

static struct i18n *
load(const char *lang, const char *po)
{
	struct i18n *t = i18n_new();
	char err[256];

	assert_non_null(t);
	if (i18n_add_po(t, lang, po, strlen(po), err, sizeof(err)))
		fail_msg("%s", err);
	return t;
}

static void
test_parse(void **state)
{
	struct i18n *t = load("es", es_po);

	assert_string_equal(i18n_get(t, "es", "Sign in"), "Iniciar sesión");
	assert_string_equal(i18n_get(t, "es", "Two lines"), "Dos líneas");
	assert_string_equal(i18n_get(t, "es",
	    "Tab\there \"quoted\" back\\slash\n"),
	    "Tab\tallí \"citado\" barra\\invertida\n");
	/* Fuzzy and empty translations are skipped. */
	assert_string_equal(i18n_get(t, "es", "Fuzzy"), "Fuzzy");
	assert_false(i18n_has(t, "es", "Fuzzy"));
	assert_string_equal(i18n_get(t, "es", "Not fuzzy"), "No borroso");
	assert_false(i18n_has(t, "es", "Untranslated"));
	assert_string_equal(i18n_get(t, "es", "Untranslated"),
	    "Untranslated");
	/* A context entry does not shadow the plain one. */
	assert_string_equal(i18n_get(t, "es", "May"), "puede");
	/* Obsolete entries are comments. */
	assert_false(i18n_has(t, "es", "Old"));
	/* The header is no translation. */
	assert_false(i18n_has(t, "es", ""));
	/* English and unknown languages are the identity. */
	assert_string_equal(i18n_get(t, "en", "Sign in"), "Sign in");
	assert_string_equal(i18n_get(t, "fr", "Sign in"), "Sign in");
	assert_string_equal(i18n_get(t, NULL, "Sign in"), "Sign in");
	/* Language names fold case and '-'/'_'. */
	assert_string_equal(i18n_get(t, "ES", "Sign in"), "Iniciar sesión");
	/* Plurals. */
	assert_string_equal(i18n_nget(t, "es", "{{n}} file", "{{n}} files",
	    1), "{{n}} archivo");
	assert_string_equal(i18n_nget(t, "es", "{{n}} file", "{{n}} files",
	    0), "{{n}} archivos");
	assert_string_equal(i18n_nget(t, "en", "{{n}} file", "{{n}} files",
	    1), "{{n}} file");
	assert_string_equal(i18n_nget(t, "en", "{{n}} file", "{{n}} files",
	    2), "{{n}} files");
	assert_string_equal(i18n_nget(t, "es", "missing", "missings", 2),
	    "missings");
	/* Loading the same language twice is refused. */
	assert_int_equal(i18n_add_po(t, "es", es_po, strlen(es_po), NULL, 0),
	    ERR_EXISTS);
	i18n_free(t);
}

/* The form index i18n_nget picks for `n` under `rule`. */
static const char *forms[] = {"0", "1", "2", "3", "4", "5"};

static void
check_plural(const char *rule, int nforms, const unsigned long *n,
    const char *expected)
{
	struct buf po;
	struct arena *a = arena_new(1 << 16);
	struct i18n *t;
	int i;

	buf_init(&po, a, 1 << 15);
	buf_printf(&po, HEADER("%s") "msgid \"x\"\nmsgid_plural \"xs\"\n",
	    rule);
	for (i = 0; i < nforms; i++)
		buf_printf(&po, "msgstr[%d] \"%s\"\n", i, forms[i]);
	t = load("xx", po.p);
	for (i = 0; expected[i]; i++) {
		const char *got = i18n_nget(t, "xx", "x", "xs", n[i]);

		if (got[0] != expected[i])
			fail_msg("%s: n=%lu gave form %s, expected %c", rule,
			    n[i], got, expected[i]);
	}
	i18n_free(t);
	arena_free(a);
}

static void
test_plural_rules(void **state)
{
	static const unsigned long n[] = {0, 1, 2, 3, 4, 5, 11, 12, 14, 21,
	    22, 25, 101, 102, 111, 112, 1000000};

	check_plural("nplurals=2; plural=(n != 1);", 2, n,
	    "10111111111111111");
	/* French: 0 and 1 are singular. */
	check_plural("nplurals=2; plural=(n > 1);", 2, n,
	    "00111111111111111");
	/* Japanese: one form. */
	check_plural("nplurals=1; plural=0;", 1, n, "00000000000000000");
	/* Polish. */
	check_plural("nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
	    "(n%100<10 || n%100>=20) ? 1 : 2);", 3, n,
	    "20111222221221222");
	/* Russian. */
	check_plural("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
	    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);", 3, n,
	    "20111222201201222");
	/* Arabic, six forms. */
	check_plural("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
	    "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;", 6, n,
	    "01233344444455445");
	/* Slovenian, with +, - and /; division by zero gives 0. */
	check_plural("nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : "
	    "n%100==3 || n%100==4 ? 2 : 3);", 4, n,
	    "30122333333301333");
	check_plural("nplurals=3; plural=!(n/0) && n*2-2+0 == 2 ? 1 : "
	    "(n < 2 ? 0 : 2);", 3, n, "00122222222222222");
	/* An index past nplurals falls back to form 0. */
	check_plural("nplurals=2; plural=n;", 2, n, "01000000000000000");
}

static void
expect_bad(const char *po, const char *msg)
{
	struct i18n *t = i18n_new();
	char err[256];

	assert_int_equal(i18n_add_po(t, "xx", po, strlen(po), err,
	    sizeof(err)), ERR_INVALID);
	assert_string_equal(err, msg);
	assert_false(i18n_supported(t, "xx"));
	i18n_free(t);
}

static void
test_malformed(void **state)
{
	expect_bad("msgid \"a\"\nmsgstr \"b\n", "po/xx.po:2: unterminated "
	    "string");
	expect_bad("msgid \"a\"\n\nmsgstr \"b\\q\"\n", "po/xx.po:3: unknown "
	    "escape sequence");
	expect_bad("msgid \"a\"\n", "po/xx.po:1: entry has no msgstr");
	expect_bad("msgstr \"a\"\n", "po/xx.po:1: msgstr without msgid");
	expect_bad("\"a\"\n", "po/xx.po:1: string without a keyword");
	expect_bad("msgid \"a\"\nmsgid \"b\"\n", "po/xx.po:2: msgid or "
	    "msgctxt out of order");
	expect_bad("msgid \"a\" x\nmsgstr \"b\"\n", "po/xx.po:1: text after "
	    "the closing quote");
	expect_bad("msgid a\nmsgstr \"b\"\n", "po/xx.po:1: expected a quoted "
	    "string");
	expect_bad("msgfoo \"a\"\n", "po/xx.po:1: unknown keyword");
	expect_bad("msgid \"a\"\nmsgstr[0] \"b\"\n", "po/xx.po:2: msgstr[] "
	    "without msgid_plural");
	expect_bad("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"b\"\n",
	    "po/xx.po:3: msgstr index out of order");
	expect_bad("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n",
	    "po/xx.po:3: msgstr without an index after msgid_plural");
	expect_bad("msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
	    "po/xx.po:4: duplicate entry");
	expect_bad(HEADER("nplurals=3; plural=n%3;")
	    "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n"
	    "msgstr[1] \"c\"\n", "po/xx.po:6: 2 plural forms where the "
	    "header has nplurals=3");
	expect_bad(HEADER("nplurals=2; plural=(n != 1;"),
	    "po/xx.po:1: invalid Plural-Forms in header");
	expect_bad(HEADER("nplurals=2; plural=n ? 1;"),
	    "po/xx.po:1: invalid Plural-Forms in header");
	expect_bad(HEADER("nplurals=9; plural=n;"),
	    "po/xx.po:1: invalid Plural-Forms in header");
	expect_bad(HEADER("nplurals=2; plural=n x;"),
	    "po/xx.po:1: invalid Plural-Forms in header");
	expect_bad(HEADER("nplurals=2; plural=!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
	    "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!n;"),
	    "po/xx.po:1: invalid Plural-Forms in header");
	expect_bad("msgid \"a\"\n# comment\nmsgstr \"b\"\n",
	    "po/xx.po:2: comment inside an entry");
	expect_bad("msgid \"a\"\nmsgstr \"\xff\"\n",
	    "po/xx.po:2: not valid UTF-8");
}

static void
test_negotiate(void **state)
{
	struct i18n *t = load("es", es_po);
	static const char pt[] = HEADER("nplurals=2; plural=(n > 1);");

	assert_int_equal(i18n_add_po(t, "pt_BR", pt, strlen(pt), NULL, 0),
	    ERR_OK);
	assert_true(i18n_supported(t, "en"));
	assert_true(i18n_supported(t, "es"));
	assert_true(i18n_supported(t, "pt-br"));
	assert_false(i18n_supported(t, "fr"));
	assert_false(i18n_supported(t, ""));
	assert_false(i18n_supported(t, NULL));

	/* A saved preference wins when supported. */
	assert_string_equal(i18n_negotiate(t, "es", "en"), "es");
	assert_string_equal(i18n_negotiate(t, "es-MX", NULL), "es");
	assert_string_equal(i18n_negotiate(t, "fr", "es"), "es");
	assert_string_equal(i18n_negotiate(t, "", NULL), "en");
	assert_string_equal(i18n_negotiate(t, NULL, ""), "en");
	/* Regions fall back to the language. */
	assert_string_equal(i18n_negotiate(t, NULL, "es-ES,es;q=0.9"), "es");
	assert_string_equal(i18n_negotiate(t, NULL, "pt-BR"), "pt_BR");
	/* Ordered by q, not by position; equal q keeps the order. */
	assert_string_equal(i18n_negotiate(t, NULL,
	    "fr;q=0.9, en;q=0.5, es;q=0.8"), "es");
	assert_string_equal(i18n_negotiate(t, NULL, "en-GB;q=0.9, es;q=0.2"),
	    "en");
	assert_string_equal(i18n_negotiate(t, NULL, "es, en"), "es");
	assert_string_equal(i18n_negotiate(t, NULL, "en, es"), "en");
	assert_string_equal(i18n_negotiate(t, NULL, "es;q=1.000, en"), "es");
	/* q=0 excludes; bad q-values and wildcards are ignored. */
	assert_string_equal(i18n_negotiate(t, NULL, "es;q=0, fr"), "en");
	assert_string_equal(i18n_negotiate(t, NULL, "es;q=0.000"), "en");
	assert_string_equal(i18n_negotiate(t, NULL, "es;q=2, *"), "en");
	assert_string_equal(i18n_negotiate(t, NULL, "es;q=abc"), "en");
	assert_string_equal(i18n_negotiate(t, NULL, ",,;;,es;q=0.1"), "es");
	assert_string_equal(i18n_negotiate(t, NULL, "e"), "en");
	i18n_free(t);
}

static void
test_template_adapter(void **state)
{
	struct i18n *t = load("es", es_po);
	struct i18n_lang l = {t, "es"};
	struct tpl_options o = {true, i18n_translate, &l};
	struct tpl_set *set = tpl_set_new();
	struct arena *a = arena_new(1 << 16);
	json_t *ctx = json_pack("{s:s}", "org", "<Clinic>");
	struct buf b;
	static const char src[] = "{{#_}}Sign in to {{org}}{{/_}}";

	assert_int_equal(tpl_set_add(set, "t", src, strlen(src), NULL, 0),
	    ERR_OK);
	buf_init(&b, a, 4096);
	assert_int_equal(tpl_render(set, "t", ctx, &o, &b), ERR_OK);
	assert_string_equal(b.p, "Inicia sesión en &lt;Clinic&gt;");
	l.lang = "en";
	buf_reset(&b);
	assert_int_equal(tpl_render(set, "t", ctx, &o, &b), ERR_OK);
	assert_string_equal(b.p, "Sign in to &lt;Clinic&gt;");
	json_decref(ctx);
	tpl_set_free(set);
	arena_free(a);
	i18n_free(t);
}

static void
test_embedded(void **state)
{
	struct i18n *t = NULL;
	char err[256];

	if (i18n_load_embedded(&t, err, sizeof(err)))
		fail_msg("%s", err);
	assert_non_null(t);
	assert_true(i18n_supported(t, "es"));
	i18n_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_plural_rules),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_template_adapter),
		cmocka_unit_test(test_embedded),
	};

	test_init();
	return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}

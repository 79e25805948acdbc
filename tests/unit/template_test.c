/*
 * Unit tests for src/web/template: the official mustache spec files (read
 * in place from ../shared/testdata/mustache-spec), strict mode, trusted
 * HTML, translation sections, compile errors, limits and threads.
 */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/embed.h"
#include "web/template.h"

#define SPEC_DIR "../shared/testdata/mustache-spec/"

static const struct tpl_options spec_mode = {false, NULL, NULL};
static const struct tpl_options strict_mode = {true, NULL, NULL};

/* Runs every case of one spec file; prints each failing case by name. */
static void
run_spec(const char *file)
{
	char path[256], err[256];
	json_error_t jerr;
	json_t *root, *tests, *tc, *partials, *v;
	const char *pname, *expected;
	struct tpl_set *set;
	struct arena *a;
	struct buf out;
	size_t i;
	int failed = 0;
	enum err e;

	snprintf(path, sizeof(path), SPEC_DIR "%s", file);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		fail_msg("cannot load %s: %s", path, jerr.text);
	tests = json_object_get(root, "tests");
	assert_true(json_array_size(tests) > 0);
	json_array_foreach(tests, i, tc) {
		set = tpl_set_new();
		assert_non_null(set);
		v = json_object_get(tc, "template");
		e = tpl_set_add(set, "spec", json_string_value(v),
		    json_string_length(v), err, sizeof(err));
		partials = json_object_get(tc, "partials");
		json_object_foreach(partials, pname, v) {
			if (!e)
				e = tpl_set_add(set, pname,
				    json_string_value(v),
				    json_string_length(v), err, sizeof(err));
		}
		a = arena_new(1 << 20);
		buf_init(&out, a, 1 << 16);
		if (!e)
			e = tpl_render(set, "spec", json_object_get(tc, "data"),
			    &spec_mode, &out);
		expected = json_string_value(json_object_get(tc, "expected"));
		if (e || strcmp(out.p, expected) != 0) {
			print_message("%s: \"%s\" failed: %s%s\n"
			    "  expected: [%s]\n  got:      [%s]\n", file,
			    json_string_value(json_object_get(tc, "name")),
			    e ? err_name(e) : "", e ? err : "", expected,
			    out.p);
			failed++;
		}
		arena_free(a);
		tpl_set_free(set);
	}
	json_decref(root);
	assert_int_equal(failed, 0);
}

static void
test_spec_interpolation(void **state)
{
	run_spec("interpolation.json");
}

static void
test_spec_sections(void **state)
{
	run_spec("sections.json");
}

static void
test_spec_inverted(void **state)
{
	run_spec("inverted.json");
}

static void
test_spec_partials(void **state)
{
	run_spec("partials.json");
}

static void
test_spec_comments(void **state)
{
	run_spec("comments.json");
}

static void
test_spec_delimiters(void **state)
{
	run_spec("delimiters.json");
}

static void
add_ok(struct tpl_set *set, const char *name, const char *src)
{
	char err[256];

	if (tpl_set_add(set, name, src, strlen(src), err, sizeof(err)))
		fail_msg("%s", err);
}

/* Renders `src` (with optional partial "p") against the JSON text `data`. */
static enum err
render_str(const char *src, const char *partial, const char *data,
    const struct tpl_options *o, struct arena *a, size_t max,
    const char **out)
{
	char err[256];
	struct tpl_set *set = tpl_set_new();
	json_t *ctx = data ? json_loads(data, JSON_DECODE_ANY, NULL) : NULL;
	struct buf b;
	enum err e;

	assert_non_null(set);
	assert_int_equal(tpl_set_add(set, "t", src, strlen(src), err,
	    sizeof(err)), ERR_OK);
	if (partial)
		assert_int_equal(tpl_set_add(set, "p", partial,
		    strlen(partial), err, sizeof(err)), ERR_OK);
	buf_init(&b, a, max);
	e = tpl_render(set, "t", ctx, o, &b);
	*out = b.p;
	json_decref(ctx);
	tpl_set_free(set);
	return e;
}

static const char *
render_ok(struct arena *a, const char *src, const char *data,
    const struct tpl_options *o)
{
	const char *out;

	assert_int_equal(render_str(src, NULL, data, o, a, 1 << 16, &out),
	    ERR_OK);
	return out;
}

static void
test_strict_mode(void **state)
{
	struct arena *a = arena_new(1 << 20);
	const char *data = "{\"x\": \"<b>&'\\\"\"}";
	struct tpl_set *set = tpl_set_new();
	json_t *ctx;
	struct buf b;

	/* Spec mode: triple mustache and ampersand are raw. */
	assert_string_equal(render_ok(a, "{{x}}|{{{x}}}|{{&x}}", data,
	    &spec_mode), "&lt;b&gt;&amp;&#39;&quot;|<b>&'\"|<b>&'\"");
	/* Strict mode escapes plain strings everywhere. */
	assert_string_equal(render_ok(a, "{{x}}|{{{x}}}|{{&x}}", data,
	    &strict_mode),
	    "&lt;b&gt;&amp;&#39;&quot;|&lt;b&gt;&amp;&#39;&quot;|"
	    "&lt;b&gt;&amp;&#39;&quot;");
	/* No options means strict. */
	assert_string_equal(render_ok(a, "{{{x}}}", data, NULL),
	    "&lt;b&gt;&amp;&#39;&quot;");
	/* Numbers and booleans. */
	assert_string_equal(render_ok(a, "{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	    "{\"a\": -42, \"b\": 1.21, \"c\": 0.1, \"d\": true, "
	    "\"e\": false, \"f\": 1e300}", NULL),
	    "-42 1.21 0.1 true false 1e+300");

	/* Trusted HTML is raw in both forms and both modes. */
	assert_non_null(set);
	add_ok(set, "t", "{{h}}|{{{h}}}|{{#h}}in{{/h}}");
	ctx = json_object();
	json_object_set_new(ctx, "h", tpl_trusted_html("<em>ok</em>"));
	buf_init(&b, a, 4096);
	assert_int_equal(tpl_render(set, "t", ctx, &strict_mode, &b), ERR_OK);
	assert_string_equal(b.p, "<em>ok</em>|<em>ok</em>|in");
	buf_reset(&b);
	assert_int_equal(tpl_render(set, "t", ctx, &spec_mode, &b), ERR_OK);
	assert_string_equal(b.p, "<em>ok</em>|<em>ok</em>|in");
	/* Any other object, or a second key, renders nothing. */
	json_object_set_new(json_object_get(ctx, "h"), "x", json_true());
	buf_reset(&b);
	assert_int_equal(tpl_render(set, "t", ctx, &strict_mode, &b), ERR_OK);
	assert_string_equal(b.p, "||in");
	json_decref(ctx);
	tpl_set_free(set);
	arena_free(a);
}

/* Nested partials: standalone ones add their indentation, inline ones
 * sit inside one indented line. */
static void
test_partial_indent(void **state)
{
	struct tpl_set *set = tpl_set_new();
	struct arena *a = arena_new(1 << 20);
	struct buf b;

	add_ok(set, "top", "<div>\n  {{>p}}\n</div>\n  {{>i}}\n");
	add_ok(set, "p", "{{>q}}");
	add_ok(set, "q", "a\n\nb\n");
	add_ok(set, "i", "x{{>r}}y\nz");
	add_ok(set, "r", "a\nb");
	buf_init(&b, a, 4096);
	assert_int_equal(tpl_render(set, "top", NULL, NULL, &b), ERR_OK);
	assert_string_equal(b.p, "<div>\n  a\n\n  b\n</div>\n  xa\nby\n  z");
	tpl_set_free(set);
	arena_free(a);
}

struct tr {
	const char *from;
	const char *to;
};

static const struct tr tr_table[] = {
	{"Sign in to {{org}}", "Inicia sesión en {{org}}"},
	{"Hello", "Hola"},
	{"<% n %> items", "<% n %> elementos"},
	{"broken {{x}}", "roto {{#x}}"},
	{"{{#_}}nested{{/_}} outer", "exterior {{#_}}nested{{/_}}"},
	{"nested", "anidado"},
	{NULL, NULL},
};

static const char *
translate(void *ud, const char *msgid)
{
	const struct tr *t;
	int *calls = ud;

	(*calls)++;
	for (t = tr_table; t->from; t++)
		if (strcmp(t->from, msgid) == 0)
			return t->to;
	return msgid;
}

static void
test_translate(void **state)
{
	struct arena *a = arena_new(1 << 20);
	int calls = 0;
	struct tpl_options o = {true, translate, &calls};
	const char *data = "{\"org\": \"<A&B>\", \"n\": 3, \"x\": 1}";

	/* The msgid is the raw section text; data is still escaped. */
	assert_string_equal(render_ok(a, "<p>{{#_}}Sign in to {{org}}{{/_}}"
	    "</p>", data, &o), "<p>Inicia sesión en &lt;A&amp;B&gt;</p>");
	assert_int_equal(calls, 1);
	/* Text without tags is emitted as it is. */
	assert_string_equal(render_ok(a, "{{#_}}Hello{{/_}}!", data, &o),
	    "Hola!");
	/* No translation: the section's own text. */
	assert_string_equal(render_ok(a, "{{#_}}Bye {{org}}{{/_}}", data, &o),
	    "Bye &lt;A&amp;B&gt;");
	/* The delimiters in force carry over into the translation. */
	assert_string_equal(render_ok(a, "{{=<% %>=}}<%#_%><% n %> items"
	    "<%/_%>", data, &o), "3 elementos");
	/* A translation that does not compile falls back to the msgid. */
	assert_string_equal(render_ok(a, "{{#_}}broken {{x}}{{/_}}", data, &o),
	    "broken 1");
	/* Translations may hold translation sections. */
	assert_string_equal(render_ok(a, "{{#_}}{{#_}}nested{{/_}} outer"
	    "{{/_}}", data, &o), "exterior anidado");
	/* Without a callback the text renders untranslated. */
	assert_string_equal(render_ok(a, "{{#_}}Hello{{/_}}", data,
	    &strict_mode), "Hello");
	/* {{^_}} is an ordinary inverted section. */
	assert_string_equal(render_ok(a, "{{^_}}none{{/_}}", data, &o),
	    "none");
	arena_free(a);
}

static void
expect_error(const char *src, const char *msg)
{
	struct tpl_set *set = tpl_set_new();
	char err[256];

	assert_int_equal(tpl_set_add(set, "page", src, strlen(src), err,
	    sizeof(err)), ERR_INVALID);
	assert_string_equal(err, msg);
	assert_false(tpl_set_has(set, "page"));
	tpl_set_free(set);
}

static void
test_errors(void **state)
{
	struct tpl_set *set = tpl_set_new();
	char err[64];

	expect_error("a\nb {{x\nc", "page:2: unclosed tag");
	expect_error("a\n{{#list}}\n{{x}}\n", "page:2: unclosed section "
	    "\"list\"");
	expect_error("{{#a}}\n{{/b}}", "page:2: section \"a\" opened on line "
	    "1 is closed by \"b\"");
	expect_error("\n\n{{/a}}", "page:3: unexpected closing tag \"a\"");
	expect_error("x {{}}", "page:1: invalid tag name \"?\"");
	expect_error("{{a b}}", "page:1: invalid tag name \"a b\"");
	expect_error("{{=<%=}}", "page:1: invalid delimiters \"<%\"");
	expect_error("{{{x}}", "page:1: unclosed tag");
	expect_error("{{=<% %>=}}\n{{x}}\n<%#y%>", "page:3: unclosed section "
	    "\"y\"");

	/* Duplicates and an errbuf of size 0. */
	assert_int_equal(tpl_set_add(set, "a", "x", 1, err, sizeof(err)),
	    ERR_OK);
	assert_int_equal(tpl_set_add(set, "a", "y", 1, err, sizeof(err)),
	    ERR_EXISTS);
	assert_int_equal(tpl_set_add(set, "b", "{{", 2, NULL, 0),
	    ERR_INVALID);
	assert_true(tpl_set_has(set, "a"));
	assert_false(tpl_set_has(set, "b"));
	tpl_set_free(set);
}

static void
test_limits(void **state)
{
	struct arena *a = arena_new(1 << 22);
	struct buf src;
	const char *out;
	char err[128];
	struct tpl_set *set = tpl_set_new();
	json_t *ctx, *node;
	struct buf b;
	int i;

	/* Nesting depth at compile time. */
	buf_init(&src, a, 1 << 16);
	for (i = 0; i <= TPL_MAX_NESTING; i++)
		buf_printf(&src, "{{#s%d}}", i);
	assert_int_equal(tpl_set_add(set, "deep", src.p, src.len, err,
	    sizeof(err)), ERR_INVALID);
	assert_string_equal(err, "deep:1: sections nested too deeply at "
	    "\"s64\"");

	/* A partial that includes itself forever stops with an error. */
	assert_int_equal(render_str("{{>p}}", "x{{>p}}", "{}", NULL, a, 4096,
	    &out), ERR_INVALID);
	/* So does a recursive partial fed very deep data. */
	ctx = json_object();
	node = ctx;
	for (i = 0; i < 1000; i++) {
		json_t *child = json_object();

		json_object_set_new(node, "c", child);
		node = child;
	}
	add_ok(set, "r", "({{#c}}{{>r}}{{/c}})");
	buf_init(&b, a, 1 << 16);
	assert_int_equal(tpl_render(set, "r", ctx, NULL, &b), ERR_INVALID);
	json_decref(ctx);

	/* An output cap ends the render. */
	assert_int_equal(render_str("{{#l}}0123456789{{/l}}", NULL,
	    "{\"l\": [1,2,3,4,5,6,7,8,9,10]}", NULL, a, 50, &out),
	    ERR_TOO_LARGE);

	/* Missing top template; missing partial renders empty. */
	assert_int_equal(tpl_render(set, "nope", NULL, NULL, &b),
	    ERR_NOT_FOUND);
	assert_int_equal(render_str("[{{>missing}}]", NULL, NULL, NULL, a,
	    4096, &out), ERR_OK);
	assert_string_equal(out, "[]");
	tpl_set_free(set);
	arena_free(a);
}

/* Random bytes from a fixed seed over the tag characters must never crash. */
static void
test_garbage(void **state)
{
	static const char alphabet[] = "{}#^/>!=&_.a \n\r<%";
	unsigned long seed = 12345;
	char src[64], err[128];
	json_t *ctx = json_loads("{\"a\": [1, {\"a\": \"x\"}], \"_\": true}",
	    0, NULL);
	struct tpl_set *set;
	struct arena *a;
	struct buf b;
	size_t len;
	int i, j, ok = 0;

	for (i = 0; i < 20000; i++) {
		for (j = 0; j < (int)sizeof(src); j++) {
			seed = seed * 6364136223846793005UL +
			    1442695040888963407UL;
			src[j] = alphabet[(seed >> 33) %
			    (sizeof(alphabet) - 1)];
		}
		len = (size_t)(seed >> 40) % sizeof(src);
		set = tpl_set_new();
		/* As "a" too, so {{>a}} may recurse. */
		if (!tpl_set_add(set, "t", src, len, err, sizeof(err)) &&
		    !tpl_set_add(set, "a", src, len, err, sizeof(err))) {
			ok++;
			a = arena_new(1 << 20);
			buf_init(&b, a, 1 << 16);
			tpl_render(set, "t", ctx, NULL, &b);
			arena_free(a);
		}
		tpl_set_free(set);
	}
	assert_true(ok > 100);
	json_decref(ctx);
}

static void
test_embedded(void **state)
{
	const struct embedded_file *f;
	struct tpl_set *set = tpl_set_new();
	char err[256], name[256];
	size_t i, count, n;

	assert_int_equal(tpl_set_load_embedded(set, err, sizeof(err)), ERR_OK);
	f = embed_all(&count);
	for (i = 0; i < count; i++) {
		n = strlen(f[i].name);
		if (strncmp(f[i].name, "templates/", 10) != 0 || n < 16 ||
		    strcmp(f[i].name + n - 5, ".html") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(n - 15),
		    f[i].name + 10);
		assert_true(tpl_set_has(set, name));
	}
	tpl_set_free(set);
}

struct thread_arg {
	const struct tpl_set *set;
	json_t *ctx;
	int bad;
};

static void *
render_thread(void *p)
{
	struct thread_arg *t = p;
	int calls = 0;
	struct tpl_options o = {true, translate, &calls};
	struct arena *a;
	struct buf b;
	int i;

	for (i = 0; i < 300; i++) {
		a = arena_new(1 << 20);
		buf_init(&b, a, 1 << 16);
		if (tpl_render(t->set, "page", t->ctx, &o, &b) != ERR_OK ||
		    strcmp(b.p, "<h1>Hola</h1>\n  <li>1</li>\n  <li>2</li>\n"))
			t->bad++;
		arena_free(a);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct tpl_set *set = tpl_set_new();
	json_t *ctx = json_loads("{\"l\": [1, 2]}", 0, NULL);
	struct thread_arg args[4];
	pthread_t th[4];
	int i;

	add_ok(set, "page", "<h1>{{#_}}Hello{{/_}}</h1>\n  {{>item}}\n");
	add_ok(set, "item", "{{#l}}\n<li>{{.}}</li>\n{{/l}}\n");
	for (i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){set, ctx, 0};
		assert_int_equal(pthread_create(&th[i], NULL, render_thread,
		    &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	json_decref(ctx);
	tpl_set_free(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_interpolation),
		cmocka_unit_test(test_spec_sections),
		cmocka_unit_test(test_spec_inverted),
		cmocka_unit_test(test_spec_partials),
		cmocka_unit_test(test_spec_comments),
		cmocka_unit_test(test_spec_delimiters),
		cmocka_unit_test(test_strict_mode),
		cmocka_unit_test(test_partial_indent),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_embedded),
		cmocka_unit_test(test_threads),
	};

	test_init();
	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}

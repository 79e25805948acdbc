/*
 * Unit tests for JSON Patch (RFC 6902) as FHIR PATCH uses it: the
 * operations of the RFC's appendix A written as cases here (document,
 * patch, result or failure), JSON Pointer escapes, and all-or-nothing:
 * a patch that fails part way leaves the document as it was.
 */
#include "support.h"

#include <jansson.h>
#include <string.h>

#include "fhir/jsonpatch.h"

/* Applies `patch` to `doc` and checks the result `want` (JSON) or the
 * failure `fail`, with the document unchanged on failure. */
static void
check(const char *doc, const char *patch, const char *want,
      enum jsonpatch_result fail, int fail_at)
{
	json_t *d = json_loads(doc, 0, NULL), *p = json_loads(patch, 0, NULL);
	json_t *orig = json_deep_copy(d), *w;
	const char *why = NULL;
	int at = -2;
	enum jsonpatch_result r;

	assert_non_null(d);
	assert_non_null(p);
	r = jsonpatch_apply(&d, p, &why, &at);
	if (want) {
		w = json_loads(want, 0, NULL);
		assert_non_null(w);
		assert_int_equal(r, JSONPATCH_OK);
		if (!json_equal(d, w)) {
			char *got = json_dumps(d, JSON_SORT_KEYS);

			print_error("patch %s gave %s\n", patch, got);
			free(got);
			fail();
		}
		json_decref(w);
	} else {
		assert_int_equal(r, fail);
		assert_int_equal(at, fail_at);
		assert_non_null(why);
		assert_true(json_equal(d, orig));
	}
	json_decref(d);
	json_decref(p);
	json_decref(orig);
}

static void
test_add(void **state)
{
	(void)state;
	check("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
	      "{\"baz\":\"qux\",\"foo\":\"bar\"}", 0, 0);
	check("{\"foo\":[\"bar\",\"baz\"]}",
	      "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
	      "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", 0, 0);
	check("{\"foo\":\"bar\"}",
	      "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
	      "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", 0, 0);
	check("{\"foo\":[\"bar\"]}",
	      "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
	      "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", 0, 0);
	/* An existing member is replaced; the whole document too. */
	check("{\"foo\":1}", "[{\"op\":\"add\",\"path\":\"/foo\",\"value\":2}]",
	      "{\"foo\":2}", 0, 0);
	check("{\"foo\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[1]}]",
	      "[1]", 0, 0);
	/* Not there: a missing parent, an index past the end, "01". */
	check("{\"foo\":\"bar\"}",
	      "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"foo\":[\"bar\"]}",
	      "[{\"op\":\"add\",\"path\":\"/foo/2\",\"value\":1}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"foo\":[\"bar\",\"baz\"]}",
	      "[{\"op\":\"add\",\"path\":\"/foo/01\",\"value\":1}]", NULL,
	      JSONPATCH_BAD, 0);
}

static void
test_remove_replace(void **state)
{
	(void)state;
	check("{\"baz\":\"qux\",\"foo\":\"bar\"}",
	      "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}", 0,
	      0);
	check("{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
	      "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
	      "{\"foo\":[\"bar\",\"baz\"]}", 0, 0);
	check("{\"baz\":\"qux\",\"foo\":\"bar\"}",
	      "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
	      "{\"baz\":\"boo\",\"foo\":\"bar\"}", 0, 0);
	check("{\"foo\":1}", "[{\"op\":\"remove\",\"path\":\"/bar\"}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"foo\":1}",
	      "[{\"op\":\"replace\",\"path\":\"/bar\",\"value\":1}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"foo\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL,
	      JSONPATCH_BAD, 0);
}

static void
test_move_copy(void **state)
{
	(void)state;
	check("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
	      "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
	      "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}",
	      0, 0);
	check("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
	      "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
	      "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", 0, 0);
	check("{\"a\":{\"b\":1}}",
	      "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"}]",
	      "{\"a\":{\"b\":1},\"c\":{\"b\":1}}", 0, 0);
	/* Into itself. */
	check("{\"a\":{\"b\":1}}",
	      "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/c\"}]",
	      NULL, JSONPATCH_BAD, 0);
}

static void
test_test_op(void **state)
{
	(void)state;
	check("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
	      "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
	      "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
	      "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", 0, 0);
	/* Numbers by value, objects whatever the order. */
	check("{\"n\":1,\"o\":{\"a\":1,\"b\":2}}",
	      "[{\"op\":\"test\",\"path\":\"/n\",\"value\":1.0},"
	      "{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"b\":2,\"a\":1}}]",
	      "{\"n\":1,\"o\":{\"a\":1,\"b\":2}}", 0, 0);
	check("{\"baz\":\"qux\"}",
	      "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL,
	      JSONPATCH_TEST_FAILED, 0);
	check("{\"baz\":\"qux\"}",
	      "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":[\"qux\"]}]", NULL,
	      JSONPATCH_TEST_FAILED, 0);
}

static void
test_pointer_escapes(void **state)
{
	(void)state;
	check("{\"/\":9,\"~1\":10}",
	      "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10},"
	      "{\"op\":\"replace\",\"path\":\"/~1\",\"value\":8}]",
	      "{\"/\":8,\"~1\":10}", 0, 0);
	check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/~2\"}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]", NULL,
	      JSONPATCH_BAD, 0);
}

/* A failure part way leaves everything as it was. */
static void
test_all_or_nothing(void **state)
{
	(void)state;
	check("{\"a\":1,\"b\":[1,2]}",
	      "[{\"op\":\"remove\",\"path\":\"/a\"},"
	      "{\"op\":\"add\",\"path\":\"/b/-\",\"value\":3},"
	      "{\"op\":\"test\",\"path\":\"/b/0\",\"value\":5}]",
	      NULL, JSONPATCH_TEST_FAILED, 2);
	check("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/a\"},{\"op\":\"jump\",\"path\":\"/a\"}]",
	      NULL, JSONPATCH_BAD, 1);
	check("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\"}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"a\":1}", "[{\"op\":\"move\",\"path\":\"/b\"}]", NULL,
	      JSONPATCH_BAD, 0);
	check("{\"a\":1}", "[\"remove\"]", NULL, JSONPATCH_BAD, 0);
	check("{\"a\":1}", "{\"op\":\"remove\",\"path\":\"/a\"}", NULL,
	      JSONPATCH_BAD, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_remove_replace),
		cmocka_unit_test(test_move_copy),
		cmocka_unit_test(test_test_op),
		cmocka_unit_test(test_pointer_escapes),
		cmocka_unit_test(test_all_or_nothing),
	};

	test_init();
	return cmocka_run_group_tests_name("fhir_jsonpatch", tests, NULL, NULL);
}

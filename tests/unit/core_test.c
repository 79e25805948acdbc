/*
 * Unit tests for src/core: arena caps, buffers, escaping, UTF-8
 * validation, integer parsing, dates and configuration.
 */
#include "support.h"

#include <pthread.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/id.h"
#include "core/str.h"

static void
test_arena_cap(void **state)
{
	struct arena *a = arena_new(1000);

	assert_non_null(arena_alloc(a, 500));
	assert_false(arena_failed(a));
	assert_null(arena_alloc(a, 600));
	assert_true(arena_failed(a));
	/* The flag is sticky: a small request fails too. */
	assert_null(arena_alloc(a, 1));
	arena_free(a);
}

static void
test_arena_big_and_printf(void **state)
{
	struct arena *a = arena_new(1 << 20);
	char *big = arena_alloc(a, 100000);
	char *s;

	assert_non_null(big);
	memset(big, 'x', 100000);
	s = arena_printf(a, "%s-%d", "id", 42);
	assert_string_equal(s, "id-42");
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	arena_free(a);
}

static int defer_count;
static void
defer_fn(void *p)
{
	defer_count += *(int *)p;
}

static void
test_arena_defer(void **state)
{
	struct arena *a = arena_new(4096);
	int *v = arena_alloc(a, sizeof(int));

	*v = 7;
	defer_count = 0;
	assert_true(arena_defer(a, defer_fn, v));
	arena_free(a);
	assert_int_equal(defer_count, 7);
}

static void
test_buf_escape_and_cap(void **state)
{
	struct arena *a = arena_new(1 << 16);
	struct buf b;

	buf_init(&b, a, 64);
	assert_string_equal(b.p, "");
	buf_add_html(&b, "<a href=\"x\">'&'</a>", 19);
	assert_string_equal(b.p, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
				 "&#39;&lt;/a&gt;");
	assert_false(b.failed);
	buf_adds(&b, "this pushes the buffer past its sixty-four byte cap");
	assert_true(b.failed);
	buf_init(&b, a, 1024);
	buf_add_urlenc(&b, "a b&c/é", 8);
	assert_string_equal(b.p, "a%20b%26c%2F%C3%A9");
	arena_free(a);
}

static void
test_utf8(void **state)
{
	assert_true(utf8_valid("plain ascii", 11));
	assert_true(utf8_valid("ma\xc3\xb1" "ana \xe2\x82\xac \xf0\x9f\x98\x80",
			       16));
	assert_false(utf8_valid("\xc3", 1));		/* truncated */
	assert_false(utf8_valid("\xc0\xaf", 2));	/* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(utf8_valid("a\0b", 3));		/* NUL */
	assert_false(utf8_valid("\xff", 1));
	assert_int_equal(utf8_length("ma\xc3\xb1" "ana", 7), 6);
}

static void
test_fold(void **state)
{
	struct arena *a = arena_new(4096);
	const char *s = "Jos\xc3\xa9 N\xc3\xba\xc3\xb1" "ez \xc8\x98tef\xc4\x83nescu";

	assert_string_equal(str_fold(a, s, strlen(s)), "jose nunez stefanescu");
	assert_string_equal(str_fold(a, "MAR\xc3\x8d" "A", 6), "maria");
	/* Characters outside Latin are kept as they are. */
	assert_string_equal(str_fold(a, "\xe6\x9d\x8e A", 5), "\xe6\x9d\x8e a");
	arena_free(a);
}

static void
test_int_parse(void **state)
{
	int64_t v;

	assert_true(str_to_i64(str_c("42"), 0, 100, &v));
	assert_int_equal(v, 42);
	assert_true(str_to_i64(str_c("-9223372036854775808"), INT64_MIN,
			       INT64_MAX, &v));
	assert_true(v == INT64_MIN);
	assert_false(str_to_i64(str_c("9223372036854775808"), 0, INT64_MAX,
				&v));
	assert_false(str_to_i64(str_c("101"), 0, 100, &v));
	assert_false(str_to_i64(str_c(" 1"), 0, 100, &v));
	assert_false(str_to_i64(str_c("1x"), 0, 100, &v));
	assert_false(str_to_i64(str_c(""), 0, 100, &v));
	assert_false(str_to_i64(str_c("-"), -5, 100, &v));
	assert_false(str_to_i64(str_c("+1"), 0, 100, &v));
}

static void
test_dates(void **state)
{
	struct arena *a = arena_new(4096);
	int64_t t, now;

	assert_true(clock_parse_date("2024-02-29", &t));
	assert_string_equal(clock_date(a, t), "2024-02-29");
	assert_false(clock_parse_date("2023-02-29", &t));
	assert_false(clock_parse_date("2023-13-01", &t));
	assert_false(clock_parse_date("23-01-01", &t));
	assert_false(clock_parse_date("2023-01-01x", &t));
	assert_false(clock_parse_date("1800-01-01", &t));
	assert_true(clock_parse_date("1990-06-15", &t));
	assert_true(clock_parse_date("2026-06-14", &now));
	assert_int_equal(clock_age_years(t, now), 35);
	assert_true(clock_parse_date("2026-06-15", &now));
	assert_int_equal(clock_age_years(t, now), 36);
	assert_string_equal(clock_iso(a, 0), "1970-01-01T00:00:00Z");
	arena_free(a);
}

static void
test_config(void **state)
{
	struct config c;
	char err[256];
	char *dir = test_tmpdir();
	char path[512];
	FILE *f;

	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	snprintf(path, sizeof(path), "%s/cocare.conf", dir);
	f = fopen(path, "w");
	fputs("# comment\nlisten = 0.0.0.0:9000\nthreads=8\n", f);
	fclose(f);
	assert_true(config_load(&c, path, err, sizeof(err)));
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.threads, 8);
	f = fopen(path, "w");
	fputs("threads = many\n", f);
	fclose(f);
	assert_false(config_load(&c, path, err, sizeof(err)));
	assert_non_null(strstr(err, ":1:"));
	assert_false(config_set(&c, "no_such_key", "1"));
	config_release(&c);
	test_rmdir(dir);
}

#define ID_THREADS 4
#define IDS_EACH 5000

static void *
make_ids(void *arg)
{
	int64_t *out = arg;
	int i;

	for (i = 0; i < IDS_EACH; i++)
		out[i] = id_new();
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * With a node, ids come from the clock: each thread's grow, none repeats
 * across threads (more than the 2,048 of one millisecond borrow the
 * next), and each carries the node and the time it was made.
 */
static void
test_timed_ids(void **state)
{
	static int64_t ids[ID_THREADS][IDS_EACH];
	pthread_t th[ID_THREADS];
	struct timespec ts;
	int64_t before, after, *all = &ids[0][0];
	int i, k;

	clock_gettime(CLOCK_REALTIME, &ts);
	before = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - ID_EPOCH_MS;
	id_set_node(37);
	for (i = 0; i < ID_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, make_ids, ids[i]), 0);
	for (i = 0; i < ID_THREADS; i++)
		pthread_join(th[i], NULL);
	id_set_node(-1);
	clock_gettime(CLOCK_REALTIME, &ts);
	after = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - ID_EPOCH_MS;
	for (i = 0; i < ID_THREADS; i++)
		for (k = 1; k < IDS_EACH; k++)
			assert_true(ids[i][k] > ids[i][k - 1]);
	qsort(all, ID_THREADS * IDS_EACH, sizeof(*all), cmp_id);
	for (k = 0; k < ID_THREADS * IDS_EACH; k++) {
		assert_true(all[k] > 0);
		assert_true(k == 0 || all[k] != all[k - 1]);
		assert_int_equal((all[k] >> 11) & (ID_NODES - 1), 37);
		assert_true(all[k] >> ID_TIME_SHIFT >= before);
		/* At most 20,000 / 2,048 milliseconds borrowed. */
		assert_true(all[k] >> ID_TIME_SHIFT <= after + 10);
	}
	/* Without a node: random, anywhere in [1, 2^62). */
	assert_true(id_new() > 0);
	assert_int_not_equal(id_new(), id_new());
}

static void
test_ids_and_errors(void **state)
{
	char t1[TOKEN_HEX_LEN + 1], t2[TOKEN_HEX_LEN + 1], h[TOKEN_HEX_LEN + 1];
	int64_t id = id_new();

	assert_true(id > 0);
	token_new(t1);
	token_new(t2);
	assert_int_equal(strlen(t1), 64);
	assert_string_not_equal(t1, t2);
	token_hash(t1, 64, h);
	assert_string_not_equal(h, t1);
	assert_int_equal(err_http_status(ERR_NOT_FOUND), 404);
	assert_int_equal(err_http_status(ERR_TOO_LARGE), 413);
	assert_string_equal(err_name(ERR_CSRF), "CSRF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_cap),
		cmocka_unit_test(test_arena_big_and_printf),
		cmocka_unit_test(test_arena_defer),
		cmocka_unit_test(test_buf_escape_and_cap),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_int_parse),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_ids_and_errors),
		cmocka_unit_test(test_timed_ids),
	};

	test_init();
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

/*
 * Unit tests for the router in src/http/router.c: path parameters,
 * literal-over-parameter precedence, 404 against 405, trailing slashes,
 * bad patterns and long or odd paths.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "http/http.h"

static enum err
h_ok(struct req *req)
{
	return ERR_OK;
}

static const struct http_route routes[] = {
	{HTTP_GET, "/", h_ok, 0, "root"},
	{HTTP_GET, "/patients", h_ok, 0, NULL},
	{HTTP_GET, "/patients/", h_ok, 0, NULL},
	{HTTP_GET, "/patients/new", h_ok, 0, NULL},
	{HTTP_GET, "/patients/:id", h_ok, 0, NULL},
	{HTTP_POST, "/patients/:id", h_ok, 0, NULL},
	{HTTP_GET, "/patients/:id/grants/:grant_id", h_ok, 0, NULL},
	{HTTP_GET, "/:section/grants/all", h_ok, 0, NULL},
	{HTTP_POST, "/login", h_ok, 0, NULL},
	{HTTP_GET, "/patients/:id/all", h_ok, 0, NULL},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static struct http_router *
router(void)
{
	struct http_router *r = http_router_new();

	assert_non_null(r);
	assert_int_equal(http_router_add(r, routes, NROUTES), ERR_OK);
	return r;
}

static enum err
match(struct http_router *r, enum http_method m, const char *path,
      struct http_match *out)
{
	return http_router_match(r, m, path, strlen(path), out);
}

static void
assert_param(const struct http_match *m, size_t i, const char *name,
	     const char *value)
{
	assert_true(i < m->nparams);
	assert_true(str_eq_c(m->params[i].name, name));
	assert_true(str_eq_c(m->params[i].value, value));
}

static void
test_params(void **state)
{
	struct http_router *r = router();
	struct http_match m;

	assert_int_equal(match(r, HTTP_GET, "/patients/42", &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/patients/:id");
	assert_int_equal(m.nparams, 1);
	assert_param(&m, 0, "id", "42");
	assert_int_equal(m.index, 4);

	assert_int_equal(match(r, HTTP_GET, "/patients/7/grants/g-9", &m),
			 ERR_OK);
	assert_int_equal(m.nparams, 2);
	assert_param(&m, 0, "id", "7");
	assert_param(&m, 1, "grant_id", "g-9");

	/* A parameter takes any non-empty UTF-8 text. */
	assert_int_equal(match(r, HTTP_GET, "/patients/\xc3\xa9t\xc3\xa9", &m),
			 ERR_OK);
	assert_param(&m, 0, "id", "\xc3\xa9t\xc3\xa9");
	http_router_free(r);
}

static void
test_precedence(void **state)
{
	struct http_router *r = router();
	struct http_match m;

	assert_int_equal(match(r, HTTP_GET, "/patients/new", &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/patients/new");
	assert_int_equal(m.nparams, 0);
	/* The leftmost literal ("patients") beats ":section", even though
	 * the other route has more literal segments. */
	assert_int_equal(match(r, HTTP_GET, "/patients/grants/all", &m),
			 ERR_OK);
	assert_string_equal(m.route->pattern, "/patients/:id/all");
	assert_param(&m, 0, "id", "grants");
	assert_int_equal(match(r, HTTP_GET, "/units/grants/all", &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/:section/grants/all");
	assert_param(&m, 0, "section", "units");
	http_router_free(r);
}

static void
test_not_found_vs_method(void **state)
{
	struct http_router *r = router();
	struct http_match m;

	assert_int_equal(match(r, HTTP_GET, "/nothing", &m), ERR_NOT_FOUND);
	assert_null(m.route);
	assert_int_equal(match(r, HTTP_GET, "/login", &m), ERR_METHOD);
	assert_int_equal(match(r, HTTP_POST, "/patients/1/grants/2", &m),
			 ERR_METHOD);
	/* A POST parameter route still takes what a GET literal has. */
	assert_int_equal(match(r, HTTP_POST, "/patients/new", &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/patients/:id");
	assert_int_equal(match(r, HTTP_POST, "/patients/3", &m), ERR_OK);
	assert_int_equal(m.route->method, HTTP_POST);
	/* HEAD borrows GET routes, POST does not. */
	assert_int_equal(match(r, HTTP_HEAD, "/patients/3", &m), ERR_OK);
	assert_int_equal(m.route->method, HTTP_GET);
	assert_int_equal(match(r, HTTP_HEAD, "/login", &m), ERR_METHOD);
	http_router_free(r);
}

static void
test_trailing_slash(void **state)
{
	struct http_router *r = router();
	struct http_match m;

	assert_int_equal(match(r, HTTP_GET, "/", &m), ERR_OK);
	assert_string_equal(m.route->name, "root");
	assert_int_equal(match(r, HTTP_GET, "/patients", &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/patients");
	assert_int_equal(match(r, HTTP_GET, "/patients/", &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/patients/");
	/* Parameters are never empty. */
	assert_int_equal(match(r, HTTP_GET, "/patients/3/grants/", &m),
			 ERR_NOT_FOUND);
	assert_int_equal(match(r, HTTP_GET, "/patients/new/", &m),
			 ERR_NOT_FOUND);
	assert_int_equal(match(r, HTTP_GET, "//", &m), ERR_NOT_FOUND);
	http_router_free(r);
}

static void
test_odd_paths(void **state)
{
	struct http_router *r = router();
	struct http_match m;
	char longp[4096];
	size_t i;

	assert_int_equal(http_router_match(r, HTTP_GET, "", 0, &m),
			 ERR_NOT_FOUND);
	assert_int_equal(match(r, HTTP_GET, "patients", &m), ERR_NOT_FOUND);
	for (i = 0; i + 2 < sizeof(longp); i += 2)
		memcpy(longp + i, "/a", 2);
	longp[i] = '\0';
	assert_int_equal(match(r, HTTP_GET, longp, &m), ERR_NOT_FOUND);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(match(r, HTTP_GET, longp, &m), ERR_NOT_FOUND);
	/* The length is honoured: bytes past it are not read. */
	assert_int_equal(http_router_match(r, HTTP_GET, "/patients/new", 9,
					   &m), ERR_OK);
	assert_string_equal(m.route->pattern, "/patients");
	http_router_free(r);
}

static void
test_bad_tables(void **state)
{
	struct http_router *r = http_router_new();
	struct http_route bad[] = {
		{HTTP_GET, "/ok", h_ok, 0, NULL},
		{HTTP_GET, "no-slash", h_ok, 0, NULL},
	};
	struct http_route dup_param = {HTTP_GET, "/a/:x/:x", h_ok, 0, NULL};
	struct http_route empty_param = {HTTP_GET, "/a/:", h_ok, 0, NULL};
	struct http_route no_handler = {HTTP_GET, "/h", NULL, 0, NULL};
	struct http_route same = {HTTP_GET, "/patients/:other", h_ok, 0, NULL};
	struct http_match m;

	assert_int_equal(http_router_add(r, bad, 2), ERR_INVALID);
	/* Nothing of a refused table is added. */
	assert_int_equal(http_router_count(r), 0);
	assert_int_equal(match(r, HTTP_GET, "/ok", &m), ERR_NOT_FOUND);
	assert_int_equal(http_router_add(r, &dup_param, 1), ERR_INVALID);
	assert_int_equal(http_router_add(r, &empty_param, 1), ERR_INVALID);
	assert_int_equal(http_router_add(r, &no_handler, 1), ERR_INVALID);
	assert_int_equal(http_router_add(r, routes, NROUTES), ERR_OK);
	assert_int_equal(http_router_add(r, routes, 1), ERR_EXISTS);
	assert_int_equal(http_router_add(r, &same, 1), ERR_EXISTS);
	assert_int_equal(http_router_count(r), NROUTES);
	http_router_free(r);
	http_router_free(NULL);
}

static void
test_many_tables(void **state)
{
	struct http_router *r = http_router_new();
	static struct http_route many[100];
	static char patterns[100][16];
	struct http_match m;
	size_t i;

	for (i = 0; i < 100; i++) {
		snprintf(patterns[i], sizeof(patterns[i]), "/m%zu/:id", i);
		many[i] = (struct http_route){HTTP_GET, patterns[i], h_ok, 0,
					      NULL};
	}
	/* Modules add their own tables one after another. */
	for (i = 0; i < 100; i += 10)
		assert_int_equal(http_router_add(r, many + i, 10), ERR_OK);
	assert_int_equal(match(r, HTTP_GET, "/m57/x", &m), ERR_OK);
	assert_ptr_equal(m.route, &many[57]);
	assert_int_equal(m.index, 57);
	http_router_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_not_found_vs_method),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test(test_odd_paths),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_many_tables),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

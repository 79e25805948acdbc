/*
 * Unit tests for src/http/form.c, request.c and cookie.c parsers:
 * percent-decoding, urlencoded forms, multipart bodies, path validation
 * and the Cookie header.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "http/http.h"

static const struct http_form_limits lim = {200, 1024};

static enum err
urlenc(struct arena *a, const char *s, struct http_form *f)
{
	memset(f, 0, sizeof(*f));
	return http_form_parse_urlencoded(a, s, strlen(s), &lim, f);
}

static enum err
multipart(struct arena *a, const char *ctype, const char *body, size_t len,
	  struct http_form *f)
{
	memset(f, 0, sizeof(*f));
	return http_form_parse_multipart(a, ctype, body, len, &lim, f);
}

static void
test_percent_decode(void **state)
{
	struct arena *a = arena_new(1 << 16);
	char *out;
	size_t n;

	assert_int_equal(http_percent_decode(a, "a+b%20c%2Bd", 11, true, &out,
					     &n), ERR_OK);
	assert_string_equal(out, "a b c+d");
	assert_int_equal(n, 7);
	assert_int_equal(http_percent_decode(a, "a+b", 3, false, &out, &n),
			 ERR_OK);
	assert_string_equal(out, "a+b");
	assert_int_equal(http_percent_decode(a, "%c3%A9", 6, true, &out, &n),
			 ERR_OK);
	assert_string_equal(out, "\xc3\xa9");
	assert_int_equal(http_percent_decode(a, "%00", 3, true, &out, &n),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], '\0');
	assert_int_equal(http_percent_decode(a, "%", 1, true, &out, &n),
			 ERR_INVALID);
	assert_int_equal(http_percent_decode(a, "ab%4", 4, true, &out, &n),
			 ERR_INVALID);
	assert_int_equal(http_percent_decode(a, "%zz", 3, true, &out, &n),
			 ERR_INVALID);
	assert_int_equal(http_percent_decode(a, "%%41", 4, true, &out, &n),
			 ERR_INVALID);
	/* A length shorter than the string stops the escape check there. */
	assert_int_equal(http_percent_decode(a, "ab%41", 3, true, &out, &n),
			 ERR_INVALID);
	arena_free(a);
}

static void
test_urlencoded(void **state)
{
	struct arena *a = arena_new(1 << 20);
	struct http_form f;

	assert_int_equal(urlenc(a, "q=blood+pressure&x=%C3%A9t%C3%A9&"
				   "empty=&bare&&k=1&k=2", &f), ERR_OK);
	assert_int_equal(f.nfields, 6);
	assert_string_equal(f.fields[0].name, "q");
	assert_string_equal(f.fields[0].value, "blood pressure");
	assert_string_equal(f.fields[1].value, "\xc3\xa9t\xc3\xa9");
	assert_string_equal(f.fields[2].name, "empty");
	assert_string_equal(f.fields[2].value, "");
	assert_int_equal(f.fields[2].len, 0);
	assert_string_equal(f.fields[3].name, "bare");
	assert_string_equal(f.fields[3].value, "");
	/* Repeated keys are kept in order. */
	assert_string_equal(f.fields[4].value, "1");
	assert_string_equal(f.fields[5].value, "2");
	/* '=' inside a value stays. */
	assert_int_equal(urlenc(a, "t=a=b", &f), ERR_OK);
	assert_string_equal(f.fields[0].value, "a=b");
	assert_int_equal(urlenc(a, "", &f), ERR_OK);
	assert_int_equal(f.nfields, 0);
	arena_free(a);
}

static void
test_urlencoded_bad(void **state)
{
	struct arena *a = arena_new(1 << 22);
	struct http_form f;
	struct buf_s {
		char p[4096];
	} *b = arena_alloc(a, sizeof(*b));
	size_t i, n = 0;

	assert_int_equal(urlenc(a, "a=%4", &f), ERR_INVALID);
	assert_int_equal(urlenc(a, "a=%G1", &f), ERR_INVALID);
	assert_int_equal(urlenc(a, "a=%ff", &f), ERR_BAD_UTF8);
	assert_int_equal(urlenc(a, "%c3=1", &f), ERR_BAD_UTF8);
	assert_int_equal(urlenc(a, "a=%00", &f), ERR_BAD_UTF8);
	assert_int_equal(urlenc(a, "a=\xed\xa0\x80", &f), ERR_BAD_UTF8);
	assert_int_equal(urlenc(a, "a=%C0%AF", &f), ERR_BAD_UTF8);
	/* The field cap counts every field. */
	for (i = 0; i < 201; i++)
		n += (size_t)snprintf(b->p + n, sizeof(b->p) - n, "f=%zu&", i);
	assert_int_equal(urlenc(a, b->p, &f), ERR_TOO_LARGE);
	b->p[0] = '\0';
	for (i = 0, n = 0; i < 200; i++)
		n += (size_t)snprintf(b->p + n, sizeof(b->p) - n, "f=%zu&", i);
	assert_int_equal(urlenc(a, b->p, &f), ERR_OK);
	assert_int_equal(f.nfields, 200);
	/* The per-field cap applies to the decoded value. */
	memcpy(b->p, "v=", 2);
	memset(b->p + 2, 'x', 1025);
	b->p[1027] = '\0';
	assert_int_equal(urlenc(a, b->p, &f), ERR_TOO_LARGE);
	b->p[1026] = '\0';
	assert_int_equal(urlenc(a, b->p, &f), ERR_OK);
	assert_int_equal(f.fields[0].len, 1024);
	arena_free(a);
}

#define CT "multipart/form-data; boundary=XyZ"

static void
test_multipart(void **state)
{
	struct arena *a = arena_new(1 << 20);
	static const char body[] =
	    "preamble\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n"
	    "\r\n"
	    "Caf\xc3\xa9 plan\r\n"
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=\"doc\"; "
	    "filename=\"r\xc3\xa9sum\xc3\xa9.bin\"\r\n"
	    "Content-Type: application/pdf\r\n"
	    "\r\n"
	    "\x00\x01\xff\r\n--X\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--XyZ--\r\n"
	    "epilogue";
	struct http_form f;

	assert_int_equal(multipart(a, CT, body, sizeof(body) - 1, &f), ERR_OK);
	assert_int_equal(f.nfields, 1);
	assert_string_equal(f.fields[0].name, "title");
	assert_string_equal(f.fields[0].value, "Caf\xc3\xa9 plan");
	assert_int_equal(f.nuploads, 2);
	assert_string_equal(f.uploads[0].name, "doc");
	assert_string_equal(f.uploads[0].filename, "r\xc3\xa9sum\xc3\xa9.bin");
	assert_string_equal(f.uploads[0].content_type, "application/pdf");
	/* Binary content with a near-boundary inside survives intact. */
	assert_int_equal(f.uploads[0].len, 8);
	assert_memory_equal(f.uploads[0].data, "\x00\x01\xff\r\n--X", 8);
	assert_string_equal(f.uploads[1].filename, "");
	assert_string_equal(f.uploads[1].content_type,
			    "application/octet-stream");
	assert_int_equal(f.uploads[1].len, 0);
	arena_free(a);
}

static void
test_multipart_boundaries(void **state)
{
	struct arena *a = arena_new(1 << 20);
	static const char quoted[] =
	    "--a b:c\r\n"
	    "Content-Disposition: form-data; name=x\r\n"
	    "\r\n"
	    "1\r\n"
	    "--a b:c--";
	static const char nofinal[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"x\"\r\n"
	    "\r\n"
	    "1\r\n";
	static const char truncated[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"x\"\r\n"
	    "\r\n"
	    "1\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"y\"\r\n";
	static const char noname[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data\r\n"
	    "\r\n"
	    "1\r\n"
	    "--XyZ--";
	static const char badutf8[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"x\"\r\n"
	    "\r\n"
	    "\xff\r\n"
	    "--XyZ--";
	static const char badfile[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"x\"; filename=\"\xc3\"\r\n"
	    "\r\n"
	    "\xff\r\n"
	    "--XyZ--";
	static const char empty[] = "--XyZ--\r\n";
	struct http_form f;

	assert_int_equal(multipart(a, "multipart/form-data; "
				      "boundary=\"a b:c\"", quoted,
				   sizeof(quoted) - 1, &f), ERR_OK);
	assert_int_equal(f.nfields, 1);
	assert_string_equal(f.fields[0].value, "1");
	assert_int_equal(multipart(a, CT, nofinal, sizeof(nofinal) - 1, &f),
			 ERR_INVALID);
	assert_int_equal(multipart(a, CT, truncated, sizeof(truncated) - 1,
				   &f), ERR_INVALID);
	assert_int_equal(multipart(a, CT, noname, sizeof(noname) - 1, &f),
			 ERR_INVALID);
	assert_int_equal(multipart(a, CT, badutf8, sizeof(badutf8) - 1, &f),
			 ERR_BAD_UTF8);
	assert_int_equal(multipart(a, CT, badfile, sizeof(badfile) - 1, &f),
			 ERR_BAD_UTF8);
	assert_int_equal(multipart(a, CT, empty, sizeof(empty) - 1, &f),
			 ERR_OK);
	assert_int_equal(f.nfields + f.nuploads, 0);
	/* Boundary problems in the header itself. */
	assert_int_equal(multipart(a, "multipart/form-data", empty,
				   sizeof(empty) - 1, &f), ERR_INVALID);
	assert_int_equal(multipart(a, "multipart/form-data; boundary=", empty,
				   sizeof(empty) - 1, &f), ERR_INVALID);
	assert_int_equal(multipart(a, "multipart/form-data; boundary=\"XyZ",
				   empty, sizeof(empty) - 1, &f),
			 ERR_INVALID);
	assert_int_equal(multipart(a, NULL, empty, sizeof(empty) - 1, &f),
			 ERR_INVALID);
	assert_int_equal(multipart(a, CT, "", 0, &f), ERR_INVALID);
	assert_int_equal(multipart(a, CT, "--XyZ", 5, &f), ERR_INVALID);
	arena_free(a);
}

static void
test_multipart_fuzzish(void **state)
{
	struct arena *a;
	static const char body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"x\"; filename=\"f\"\r\n"
	    "\r\n"
	    "abc\r\n"
	    "--XyZ--";
	struct http_form f;
	size_t n;

	/* Every prefix is either valid or refused, never a crash. */
	for (n = 0; n < sizeof(body) - 1; n++) {
		a = arena_new(1 << 16);
		assert_int_not_equal(multipart(a, CT, body, n, &f), ERR_OK);
		arena_free(a);
	}
}

static void
test_path_decode(void **state)
{
	struct arena *a = arena_new(1 << 16);
	char *p;
	size_t n;

#define PATH(s) http_path_decode(a, (s), strlen(s), &p, &n)
	assert_int_equal(PATH("/patients/%C3%A9"), ERR_OK);
	assert_string_equal(p, "/patients/\xc3\xa9");
	assert_int_equal(PATH("/a+b"), ERR_OK);
	assert_string_equal(p, "/a+b");
	assert_int_equal(PATH("/"), ERR_OK);
	assert_int_equal(PATH("/a/.../b"), ERR_OK);
	assert_int_equal(PATH("/..."), ERR_OK);
	assert_int_equal(PATH(""), ERR_INVALID);
	assert_int_equal(PATH("a"), ERR_INVALID);
	assert_int_equal(PATH("/../etc/passwd"), ERR_INVALID);
	assert_int_equal(PATH("/static/.."), ERR_INVALID);
	assert_int_equal(PATH("/static/./x"), ERR_INVALID);
	assert_int_equal(PATH("/static/%2e%2e/x"), ERR_INVALID);
	assert_int_equal(PATH("/static/%2E."), ERR_INVALID);
	assert_int_equal(PATH("/static/..%2fsecret"), ERR_INVALID);
	assert_int_equal(PATH("/static/a%2Fb"), ERR_INVALID);
	assert_int_equal(PATH("/static\\..\\x"), ERR_INVALID);
	assert_int_equal(PATH("/static/%5c"), ERR_INVALID);
	assert_int_equal(PATH("/a%00b"), ERR_INVALID);
	assert_int_equal(PATH("/a%0ab"), ERR_INVALID);
	assert_int_equal(PATH("/a%zz"), ERR_INVALID);
	assert_int_equal(PATH("/a%"), ERR_INVALID);
	assert_int_equal(PATH("/a%ff"), ERR_BAD_UTF8);
	assert_int_equal(PATH("/\xc3"), ERR_BAD_UTF8);
#undef PATH
	arena_free(a);
}

static void
test_cookies(void **state)
{
	struct str v;

	assert_true(http_cookie_find("a=1; session=abc; b=2", "session", &v));
	assert_true(str_eq_c(v, "abc"));
	assert_true(http_cookie_find("session=\"q\"", "session", &v));
	assert_true(str_eq_c(v, "q"));
	assert_true(http_cookie_find("  x = y ;z=", "z", &v));
	assert_int_equal(v.len, 0);
	assert_true(http_cookie_find("  x = y ;z=", "x", &v));
	assert_true(str_eq_c(v, "y"));
	/* The first of two cookies of the same name wins. */
	assert_true(http_cookie_find("s=1; s=2", "s", &v));
	assert_true(str_eq_c(v, "1"));
	assert_false(http_cookie_find("xsession=1; session2=2", "session", &v));
	assert_false(http_cookie_find("session", "session", &v));
	assert_false(http_cookie_find(";;;", "session", &v));
	assert_false(http_cookie_find("", "session", &v));
	assert_false(http_cookie_find(NULL, "session", &v));
	assert_true(http_cookie_find("__Host-session=t", "__Host-session",
				     &v));
	assert_false(http_cookie_find("__Host-session=t", "session", &v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent_decode),
		cmocka_unit_test(test_urlencoded),
		cmocka_unit_test(test_urlencoded_bad),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_multipart_boundaries),
		cmocka_unit_test(test_multipart_fuzzish),
		cmocka_unit_test(test_path_decode),
		cmocka_unit_test(test_cookies),
	};

	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

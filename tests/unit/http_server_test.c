/*
 * End-to-end tests of src/http over real HTTP with libcurl: a server on
 * 127.0.0.1 with a test route table, checking statuses, security headers,
 * body caps, validation, static files, /healthz, /metrics, cookies, hooks,
 * answers held for the disk and the graceful stop, also under load.
 * Needs -lcurl.
 */
#include "support.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/embed.h"
#include "http/http.h"

static atomic_int handler_calls;
static atomic_bool app_healthy = true;
static bool insecure;		/* accept the test certificate */

struct resp {
	long status;
	char head[16384];
	size_t hlen;
	char *body;
	size_t blen;
};

/* Handlers. */

static enum err
h_hello(struct req *req)
{
	static const char page[] = "<p>hi</p>";
	enum err rc;

	http_no_store(req);
	rc = http_set_cookie(req, "session", "tok", 3600);
	if (rc != ERR_OK)
		return rc;
	return http_respond_ref(req, 200, "text/html", page, sizeof(page) - 1);
}

static enum err
h_echo(struct req *req)
{
	const char *v = http_field(req, "a");

	atomic_fetch_add(&handler_calls, 1);
	if (!v)
		return ERR_INVALID;
	return http_respond(req, 200, "text/plain", v, strlen(v));
}

/* A JSON route for every method: "<METHOD> <id>: <body>". */
static enum err
h_doc(struct req *req)
{
	size_t n = 0;
	const char *b = http_body(req, &n);
	char *s = arena_printf(http_arena(req), "%s %s: %.*s",
			       http_method_str(req), http_param(req, "id"),
			       (int)n, b ? b : "");

	return s ? http_respond_ref(req, 200, "text/plain", s, strlen(s)) :
		   ERR_NOMEM;
}

static enum err
h_upload(struct req *req)
{
	const struct http_upload *u = http_upload(req, "file");
	const char *t = http_field(req, "title");
	char *s;

	if (!u || !t)
		return ERR_INVALID;
	s = arena_printf(http_arena(req), "%s:%s:%s:%zu", t, u->filename,
			 u->content_type, u->len);
	return s ? http_respond_ref(req, 200, "text/plain", s, strlen(s)) :
		   ERR_NOMEM;
}

static enum err
h_param(struct req *req)
{
	const char *id = http_param(req, "id");
	const char *x = http_field(req, "x");
	const char *s = arena_printf(http_arena(req), "%s|%s", id,
				     x ? x : "-");

	return http_respond_ref(req, 200, "text/plain", s, strlen(s));
}

static enum err
h_cookie(struct req *req)
{
	const char *c = http_cookie(req, "session");

	return http_respond(req, 200, "text/plain", c ? c : "none",
			    strlen(c ? c : "none"));
}

static enum err
h_slow(struct req *req)
{
	struct timespec t = {0, 600 * 1000 * 1000};

	nanosleep(&t, NULL);
	return http_respond_ref(req, 200, "text/plain", "slow", 4);
}

static enum err
h_silent(struct req *req)
{
	return ERR_OK;
}

static enum err
h_forbidden(struct req *req)
{
	return ERR_FORBIDDEN;
}

static enum err
h_go(struct req *req)
{
	return http_redirect(req, "/hello");
}

/*
 * A stand-in for the store's syncer thread: it calls http_resume() for
 * each deferred request, in order, `delay_ms` after the handler filed it.
 */
#define SYNC_QUEUE 64

struct fake_syncer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct req *q[SYNC_QUEUE];
	uint64_t due[SYNC_QUEUE];
	size_t head, n;
	unsigned delay_ms;
	enum err result;	/* what each resume brings */
	bool quit;
	atomic_int filed;
	atomic_int resumed;
	pthread_t th;
};

static struct fake_syncer syncer = {
	.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER
};

static void *
syncer_main(void *p)
{
	struct fake_syncer *y = p;
	struct timespec t;
	struct req *req;
	uint64_t due, now;
	enum err e;

	pthread_mutex_lock(&y->mu);
	for (;;) {
		while (y->n == 0 && !y->quit)
			pthread_cond_wait(&y->cv, &y->mu);
		if (y->n == 0)
			break;
		req = y->q[y->head];
		due = y->due[y->head];
		y->head = (y->head + 1) % SYNC_QUEUE;
		y->n--;
		e = y->result;
		pthread_mutex_unlock(&y->mu);
		now = clock_mono_ns();
		if (due > now) {
			t.tv_sec = (time_t)((due - now) / 1000000000u);
			t.tv_nsec = (long)((due - now) % 1000000000u);
			nanosleep(&t, NULL);
		}
		http_resume(req, e);
		atomic_fetch_add(&y->resumed, 1);
		pthread_mutex_lock(&y->mu);
	}
	pthread_mutex_unlock(&y->mu);
	return NULL;
}

static void
syncer_start(unsigned delay_ms, enum err result)
{
	syncer.delay_ms = delay_ms;
	syncer.result = result;
	syncer.quit = false;
	atomic_store(&syncer.filed, 0);
	atomic_store(&syncer.resumed, 0);
	assert_int_equal(pthread_create(&syncer.th, NULL, syncer_main,
					&syncer), 0);
}

/* After the server has stopped, as cocare serve closes the store. */
static void
syncer_stop(void)
{
	pthread_mutex_lock(&syncer.mu);
	syncer.quit = true;
	pthread_cond_signal(&syncer.cv);
	pthread_mutex_unlock(&syncer.mu);
	pthread_join(syncer.th, NULL);
}

/* Holds the answer until the syncer resumes it; false when full. */
static bool
defer_to_syncer(struct req *req)
{
	size_t i;

	pthread_mutex_lock(&syncer.mu);
	if (syncer.n == SYNC_QUEUE) {
		pthread_mutex_unlock(&syncer.mu);
		return false;
	}
	http_defer(req);
	i = (syncer.head + syncer.n) % SYNC_QUEUE;
	syncer.q[i] = req;
	syncer.due[i] = clock_mono_ns() +
			(uint64_t)syncer.delay_ms * 1000000u;
	syncer.n++;
	atomic_fetch_add(&syncer.filed, 1);
	pthread_cond_signal(&syncer.cv);
	pthread_mutex_unlock(&syncer.mu);
	return true;
}

static enum err
h_durable(struct req *req)
{
	defer_to_syncer(req);
	return http_respond_ref(req, 200, "text/plain", "durable", 7);
}

static atomic_int slow_durable_calls;

/* A handler still running when the wait ends, then deferring. */
static enum err
h_slow_durable(struct req *req)
{
	struct timespec t = {0, 300 * 1000 * 1000};

	atomic_fetch_add(&slow_durable_calls, 1);
	nanosleep(&t, NULL);
	return h_durable(req);
}

/* The write's fate is known before the handler answers. */
static enum err
h_durable_late(struct req *req)
{
	struct timespec t = {0, 100 * 1000 * 1000};

	defer_to_syncer(req);
	nanosleep(&t, NULL);
	return http_respond_ref(req, 200, "text/plain", "durable", 7);
}

static const struct http_route routes[] = {
	{HTTP_GET, "/hello", h_hello, 0, NULL},
	{HTTP_POST, "/echo", h_echo, 0, NULL},
	{HTTP_GET, "/doc/:id", h_doc, 0, NULL},
	{HTTP_PUT, "/doc/:id", h_doc, HTTP_ROUTE_JSON, NULL},
	{HTTP_PATCH, "/doc/:id", h_doc, HTTP_ROUTE_JSON, NULL},
	{HTTP_DELETE, "/doc/:id", h_doc, 0, NULL},
	{HTTP_POST, "/upload", h_upload, HTTP_ROUTE_UPLOAD, NULL},
	{HTTP_GET, "/p/:id", h_param, 0, "/p/:id"},
	{HTTP_GET, "/cookie", h_cookie, 0, NULL},
	{HTTP_GET, "/slow", h_slow, 0, NULL},
	{HTTP_GET, "/silent", h_silent, 0, NULL},
	{HTTP_GET, "/forbidden", h_forbidden, 0, NULL},
	{HTTP_GET, "/guarded", h_hello, 0, NULL},
	{HTTP_POST, "/go", h_go, 0, NULL},
	{HTTP_GET, "/durable", h_durable, 0, NULL},
	{HTTP_GET, "/slow-durable", h_slow_durable, 0, NULL},
	{HTTP_GET, "/durable-late", h_durable_late, 0, NULL},
};

/* Hooks. */

static enum err
prepare(struct req *req, const struct http_route *route)
{
	return strcmp(route->pattern, "/guarded") == 0 ? ERR_CSRF : ERR_OK;
}

static void
error_page(struct req *req, enum err e)
{
	const char *s = arena_printf(http_arena(req), "app error: %s",
				     err_name(e));

	/* Leave 404s to the fallback so both paths are exercised. */
	if (e != ERR_NOT_FOUND && s)
		http_respond_ref(req, err_http_status(e), "text/plain", s,
				 strlen(s));
}

static void
app_metrics(struct req *req, struct buf *out)
{
	buf_adds(out, "# TYPE cocare_sessions_open gauge\n"
		      "cocare_sessions_open 3\n");
}

static bool
healthy(void *app, char *why, size_t whylen)
{
	if (atomic_load(&app_healthy))
		return true;
	snprintf(why, whylen, "the disk is full");
	return false;
}

static const struct http_hooks hooks = {prepare, error_page, app_metrics,
					healthy, NULL};

/* A throwaway self-signed certificate for 127.0.0.1 (test only). */
static const char test_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBfzCCASWgAwIBAgIUIFNASKDc7wQB/d3sGD4t85D1T6owCgYIKoZIzj0EAwIw\n"
	"FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMjAwMTgyOVoYDzIxMjYxMDI5\n"
	"MDAxODI5WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
	"PQMBBwNCAARZwBNqwJITgOqYQoKVfXez2FC/yBJDyFu/y8nwiO8ayU9wew0Y1x7s\n"
	"yYYkozGf9BW7N6QhNzzOWMglu2j19SYEo1MwUTAdBgNVHQ4EFgQUUa4WOpy9OXtG\n"
	"CXodiESwNDj8ZzgwHwYDVR0jBBgwFoAUUa4WOpy9OXtGCXodiESwNDj8ZzgwDwYD\n"
	"VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAyHdV1L2DcnAnZdBz4x5h\n"
	"fhFfr1QoaTWHizjxGTwowRMCIEDicPIZWjPXPpagvY/eYJeKajJmfEU/j13z70TK\n"
	"pxUW\n"
	"-----END CERTIFICATE-----\n";

static const char test_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgY1DD/jKlAZwGOqkZ\n"
	"E6A7NN+IKNyMQmrW85wotKsPnnGhRANCAARZwBNqwJITgOqYQoKVfXez2FC/yBJD\n"
	"yFu/y8nwiO8ayU9wew0Y1x7syYYkozGf9BW7N6QhNzzOWMglu2j19SYE\n"
	"-----END PRIVATE KEY-----\n";

struct fixture {
	struct http_router *router;
	struct http_server *srv;
	char base[64];
};

static struct fixture fx;

static void
start_with(struct fixture *f, unsigned shutdown_ms, unsigned threads,
	   bool tls)
{
	struct http_options o = {0};

	o.host = "127.0.0.1";
	o.port = 0;
	o.threads = threads;
	if (tls) {
		o.tls_cert = test_cert;
		o.tls_key = test_key;
	}
	o.max_body = 1024;
	o.max_upload = 64 * 1024;
	o.timeout = 5;
	o.shutdown_wait_ms = shutdown_ms;
	f->router = http_router_new();
	assert_non_null(f->router);
	assert_int_equal(http_router_add(f->router, routes,
					 sizeof(routes) / sizeof(routes[0])),
			 ERR_OK);
	assert_int_equal(http_server_new(&o, f->router, &hooks, f, &f->srv),
			 ERR_OK);
	assert_int_not_equal(http_server_port(f->srv), 0);
	snprintf(f->base, sizeof(f->base), "%s://127.0.0.1:%u",
		 tls ? "https" : "http", (unsigned)http_server_port(f->srv));
}

static void
start(struct fixture *f, unsigned shutdown_ms)
{
	start_with(f, shutdown_ms, 2, false);
}

static void
stop(struct fixture *f)
{
	http_server_free(f->srv);
	http_router_free(f->router);
	f->srv = NULL;
	f->router = NULL;
}

static int
group_setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	start(&fx, 2000);
	return 0;
}

static int
group_teardown(void **state)
{
	stop(&fx);
	curl_global_cleanup();
	return 0;
}

/* libcurl plumbing. */

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = size * n;

	if (r->hlen + len < sizeof(r->head)) {
		memcpy(r->head + r->hlen, p, len);
		r->hlen += len;
		r->head[r->hlen] = '\0';
	}
	return len;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = size * n;
	char *b = realloc(r->body, r->blen + len + 1);

	if (!b)
		return 0;
	memcpy(b + r->blen, p, len);
	r->body = b;
	r->blen += len;
	r->body[r->blen] = '\0';
	return len;
}

struct upload_src {
	const char *p;
	size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct upload_src *u = ud;
	size_t len = size * n;

	if (len > u->left)
		len = u->left;
	memcpy(buf, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

/*
 * Sends `method` to `path` on `base` with optional extra headers (NULL-
 * terminated), body, or multipart form; fills `r` (free r->body).
 */
static CURLcode
fetch_at(const char *base, const char *method, const char *path,
	 const char *const *headers, const char *body, long body_len,
	 bool chunked, curl_mime *mime, struct resp *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct upload_src src = {body, body ? (size_t)body_len : 0};
	char url[4096];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	if (chunked) {
		hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &src);
	} else if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, body_len);
	}
	if (mime)
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || body)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return rc;
}

static long
fetch(const char *method, const char *path, const char *const *headers,
      const char *body, struct resp *r)
{
	assert_int_equal(fetch_at(fx.base, method, path, headers, body,
				  body ? (long)strlen(body) : 0, false, NULL,
				  r), CURLE_OK);
	return r->status;
}

static bool
has_header(const struct resp *r, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\r\n%s", line);
	return strcasestr(r->head, want) != NULL;
}

static void
assert_security_headers(const struct resp *r)
{
	assert_true(has_header(r, "Content-Security-Policy: default-src "
				  "'self'; script-src 'self'; style-src "
				  "'self'; img-src 'self' data:; object-src "
				  "'none'; base-uri 'none'; form-action "
				  "'self'; frame-ancestors 'none'\r\n"));
	assert_true(has_header(r, "X-Content-Type-Options: nosniff\r\n"));
	assert_true(has_header(r, "Referrer-Policy: no-referrer\r\n"));
	assert_true(has_header(r, "Permissions-Policy: camera=(), "
				  "microphone=(), geolocation=(), "
				  "interest-cohort=()\r\n"));
	assert_true(has_header(r, "X-Frame-Options: DENY\r\n"));
	assert_true(has_header(r, "Cross-Origin-Opener-Policy: "
				  "same-origin\r\n"));
	assert_false(has_header(r, "Strict-Transport-Security"));
}

static const char *const form_ct[] = {
	"Content-Type: application/x-www-form-urlencoded", NULL};

/* Tests. */

static void
test_ok(void **state)
{
	struct resp r;

	assert_int_equal(fetch("GET", "/hello", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "<p>hi</p>");
	assert_security_headers(&r);
	assert_true(has_header(&r, "Content-Type: text/html; "
				   "charset=utf-8\r\n"));
	assert_true(has_header(&r, "Cache-Control: no-store\r\n"));
	assert_true(has_header(&r, "Set-Cookie: session=tok; Max-Age=3600; "
				   "Path=/; HttpOnly; SameSite=Strict\r\n"));
	free(r.body);
	assert_int_equal(fetch("HEAD", "/hello", NULL, NULL, &r), 200);
	assert_null(r.body);
	assert_security_headers(&r);
	free(r.body);
	assert_int_equal(fetch("GET", "/p/42?x=a+b%21", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "42|a b!");
	free(r.body);
	assert_int_equal(fetch("GET", "/p/%C3%A9?x=", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "\xc3\xa9|");
	free(r.body);
	assert_int_equal(fetch("POST", "/go", form_ct, "", &r), 303);
	assert_true(has_header(&r, "Location: /hello\r\n"));
	free(r.body);
}

static void
test_not_found_and_method(void **state)
{
	struct resp r;

	assert_int_equal(fetch("GET", "/nope", NULL, NULL, &r), 404);
	assert_security_headers(&r);
	assert_true(has_header(&r, "Content-Type: text/plain; "
				   "charset=utf-8\r\n"));
	assert_string_equal(r.body, "page not found\n");
	free(r.body);
	assert_int_equal(fetch("POST", "/hello", form_ct, "a=1", &r), 405);
	assert_security_headers(&r);
	assert_true(has_header(&r, "Allow: GET, HEAD\r\n"));
	assert_int_equal(strcasecmp(r.body, "app error: method"), 0);
	free(r.body);
	assert_int_equal(fetch("PUT", "/hello", NULL, NULL, &r), 405);
	assert_security_headers(&r);
	free(r.body);
	assert_int_equal(fetch("DELETE", "/nope", NULL, NULL, &r), 404);
	free(r.body);
	assert_int_equal(fetch("OPTIONS", "/hello", NULL, NULL, &r), 405);
	assert_true(has_header(&r, "Allow: GET, HEAD, POST, PUT, PATCH, "
				   "DELETE\r\n"));
	free(r.body);
}

/* PUT, PATCH and DELETE reach their routes with their JSON bodies. */
static void
test_put_patch_delete(void **state)
{
	const char *const fj[] = {"Content-Type: application/fhir+json",
				  NULL};
	const char *const jp[] = {"Content-Type: application/json-patch+json",
				  NULL};
	struct resp r;

	assert_int_equal(fetch("PUT", "/doc/7", fj, "{\"a\":1}", &r), 200);
	assert_string_equal(r.body, "PUT 7: {\"a\":1}");
	free(r.body);
	assert_int_equal(fetch("PATCH", "/doc/7", jp, "[]", &r), 200);
	assert_string_equal(r.body, "PATCH 7: []");
	free(r.body);
	assert_int_equal(fetch("DELETE", "/doc/7", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "DELETE 7: ");
	free(r.body);
	assert_int_equal(fetch("GET", "/doc/7", NULL, NULL, &r), 200);
	free(r.body);
	/* A body needs a type the route takes. */
	assert_int_equal(fetch("PUT", "/doc/7", (const char *const[]){
		"Content-Type: text/plain", NULL}, "a=1", &r), 415);
	free(r.body);
	assert_int_equal(fetch("DELETE", "/doc/7", fj, "{}", &r), 415);
	free(r.body);
	/* "Content-Type:" with no value: curl sends none. */
	assert_int_equal(fetch("PUT", "/doc/7", (const char *const[]){
		"Content-Type:", NULL}, "x", &r), 415);
	free(r.body);
	assert_int_equal(fetch("PATCH", "/hello", jp, "[]", &r), 405);
	assert_true(has_header(&r, "Allow: GET, HEAD\r\n"));
	free(r.body);
	assert_int_equal(fetch("PUT", "/healthz", fj, "{}", &r), 405);
	free(r.body);
}

static void
test_too_large(void **state)
{
	char *big = malloc(4096);
	int before = atomic_load(&handler_calls);
	struct resp r;

	memset(big, 'x', 4095);
	big[4095] = '\0';
	memcpy(big, "a=", 2);
	assert_int_equal(fetch("POST", "/echo", form_ct, big, &r), 413);
	assert_security_headers(&r);
	free(r.body);
	/* Without a Content-Length the cap applies as the body arrives. */
	assert_int_equal(fetch_at(fx.base, "POST", "/echo", form_ct, big, 4095,
				  true, NULL, &r), CURLE_OK);
	assert_int_equal(r.status, 413);
	assert_security_headers(&r);
	free(r.body);
	assert_int_equal(atomic_load(&handler_calls), before);
	/* Under the cap, chunked is fine. */
	assert_int_equal(fetch_at(fx.base, "POST", "/echo", form_ct, "a=chunk",
				  7, true, NULL, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "chunk");
	free(r.body);
	free(big);
}

static void
test_bad_requests(void **state)
{
	int before = atomic_load(&handler_calls);
	struct resp r;

	assert_int_equal(fetch("GET", "/static/../hello", NULL, NULL, &r),
			 400);
	assert_security_headers(&r);
	free(r.body);
	assert_int_equal(fetch("GET", "/static/%2e%2e/x", NULL, NULL, &r),
			 400);
	free(r.body);
	assert_int_equal(fetch("GET", "/static/%5c..%5cx", NULL, NULL, &r),
			 400);
	free(r.body);
	assert_int_equal(fetch("GET", "/p/%ff", NULL, NULL, &r), 400);
	assert_int_equal(strcasecmp(r.body, "app error: bad_utf8"), 0);
	free(r.body);
	assert_int_equal(fetch("GET", "/p/1?x=%ff", NULL, NULL, &r), 400);
	free(r.body);
	assert_int_equal(fetch("POST", "/echo", form_ct, "a=%C3", &r), 400);
	assert_int_equal(strcasecmp(r.body, "app error: bad_utf8"), 0);
	free(r.body);
	assert_int_equal(fetch("POST", "/echo", form_ct, "a=%G0", &r), 400);
	free(r.body);
	assert_int_equal(atomic_load(&handler_calls), before);
	assert_int_equal(fetch("POST", "/echo", form_ct, "a=caf%C3%A9+ok", &r),
			 200);
	assert_string_equal(r.body, "caf\xc3\xa9 ok");
	free(r.body);
}

static void
test_unsupported_media(void **state)
{
	const char *const xml[] = {"Content-Type: text/xml", NULL};
	const char *const mp[] = {
		"Content-Type: multipart/form-data; boundary=x", NULL};
	struct resp r;

	assert_int_equal(fetch("POST", "/echo", xml, "<a/>", &r), 415);
	assert_security_headers(&r);
	free(r.body);
	/* Multipart only where the route asks for it. */
	assert_int_equal(fetch("POST", "/echo", mp, "--x--", &r), 415);
	free(r.body);
	assert_int_equal(fetch("POST", "/upload", mp, "--x\r\n", &r), 400);
	free(r.body);
}

static void
test_upload(void **state)
{
	CURL *c = curl_easy_init();
	curl_mime *m = curl_mime_init(c);
	curl_mimepart *p;
	static const char bin[] = {0, 1, 2, '\r', '\n', '-', '-', (char)0xff};
	struct resp r;

	p = curl_mime_addpart(m);
	curl_mime_name(p, "title");
	curl_mime_data(p, "Plan \xc3\xa9", CURL_ZERO_TERMINATED);
	p = curl_mime_addpart(m);
	curl_mime_name(p, "file");
	curl_mime_filename(p, "scan \xc3\xa9.bin");
	curl_mime_type(p, "application/octet-stream");
	curl_mime_data(p, bin, sizeof(bin));
	assert_int_equal(fetch_at(fx.base, "POST", "/upload", NULL, NULL, 0,
				  false, m, &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "Plan \xc3\xa9:scan \xc3\xa9.bin:"
				    "application/octet-stream:8");
	free(r.body);
	curl_mime_free(m);
	curl_easy_cleanup(c);
}

static const struct embedded_file *
some_static(void)
{
	const struct embedded_file *all;
	size_t n, i, len;

	all = embed_all(&n);
	for (i = 0; i < n; i++) {
		len = strlen(all[i].name);
		if (strncmp(all[i].name, "static/", 7) == 0 && len > 3 &&
		    strcmp(all[i].name + len - 3, ".gz") != 0 &&
		    strchr(all[i].name + 7, '.'))
			return &all[i];
	}
	return NULL;
}

static void
test_static(void **state)
{
	const struct embedded_file *f = some_static(), *gz;
	struct arena *a = arena_new(1 << 16);
	char path[512], etag[64], inm[96], gzname[512];
	const char *hdr[2] = {inm, NULL};
	const char *const acc[] = {"Accept-Encoding: gzip, deflate", NULL};
	const char *url;
	struct resp r;

	if (!f) {
		arena_free(a);
		skip();
	}
	snprintf(path, sizeof(path), "/%s", f->name);
	snprintf(etag, sizeof(etag), "\"%s\"", f->hash);
	assert_int_equal(fetch("GET", path, NULL, NULL, &r), 200);
	assert_int_equal(r.blen, f->len);
	assert_memory_equal(r.body, f->data, f->len);
	assert_security_headers(&r);
	snprintf(inm, sizeof(inm), "ETag: %s\r\n", etag);
	assert_true(has_header(&r, inm));
	assert_true(has_header(&r, "Cache-Control: public, "
				   "max-age=3600\r\n"));
	free(r.body);

	snprintf(inm, sizeof(inm), "If-None-Match: W/\"x\", %s", etag);
	assert_int_equal(fetch("GET", path, hdr, NULL, &r), 304);
	assert_null(r.body);
	assert_security_headers(&r);
	free(r.body);

	url = http_static_url(a, f->name);
	assert_non_null(strstr(url, f->hash));
	assert_int_equal(fetch("GET", url, NULL, NULL, &r), 200);
	assert_int_equal(r.blen, f->len);
	assert_true(has_header(&r, "Cache-Control: public, max-age=31536000, "
				   "immutable\r\n"));
	free(r.body);
	/* A hash that is not the file's current one is not served. */
	snprintf(path, sizeof(path), "%s", url);
	memcpy(strstr(path, f->hash), "0000000000000000", 16);
	assert_int_equal(fetch("GET", path, NULL, NULL, &r), 404);
	assert_security_headers(&r);
	free(r.body);
	assert_int_equal(fetch("GET", "/static/no-such.css", NULL, NULL, &r),
			 404);
	free(r.body);
	assert_string_equal(http_static_url(a, "no-such.css"),
			    "/static/no-such.css");

	snprintf(gzname, sizeof(gzname), "%s.gz", f->name);
	gz = embed_find(gzname);
	if (gz) {
		snprintf(path, sizeof(path), "/%s", f->name);
		assert_int_equal(fetch("GET", path, acc, NULL, &r), 200);
		assert_true(has_header(&r, "Content-Encoding: gzip\r\n"));
		assert_true(has_header(&r, "Vary: Accept-Encoding\r\n"));
		assert_int_equal(r.blen, gz->len);
		assert_memory_equal(r.body, gz->data, gz->len);
		free(r.body);
		/* gz files are not served under their own name. */
		snprintf(path, sizeof(path), "/%s", gz->name);
		assert_int_equal(fetch("GET", path, NULL, NULL, &r), 404);
		free(r.body);
	}
	arena_free(a);
}

static void
test_healthz_metrics(void **state)
{
	struct resp r;

	assert_int_equal(fetch("GET", "/healthz", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "ok\n");
	assert_security_headers(&r);
	free(r.body);
	atomic_store(&app_healthy, false);
	assert_int_equal(fetch("GET", "/healthz", NULL, NULL, &r), 503);
	assert_string_equal(r.body, "unavailable: the disk is full\n");
	free(r.body);
	atomic_store(&app_healthy, true);

	assert_int_equal(fetch("GET", "/p/7", NULL, NULL, &r), 200);
	free(r.body);
	assert_int_equal(fetch("GET", "/metrics", NULL, NULL, &r), 200);
	assert_security_headers(&r);
	assert_non_null(strstr(r.body, "# TYPE cocare_http_requests_total "
				       "counter\n"));
	assert_non_null(strstr(r.body, "cocare_http_requests_total{route="
				       "\"/p/:id\",method=\"GET\",status="
				       "\"200\"} "));
	assert_non_null(strstr(r.body, "cocare_http_requests_total{route="
				       "\"/healthz\",method=\"GET\",status="
				       "\"503\"} 1\n"));
	assert_non_null(strstr(r.body, "cocare_http_request_duration_seconds_"
				       "bucket{route=\"/p/:id\","
				       "le=\"0.001\"}"));
	assert_non_null(strstr(r.body, "cocare_http_request_duration_seconds_"
				       "bucket{route=\"/p/:id\",le=\"+Inf\"}"));
	assert_non_null(strstr(r.body, "cocare_http_request_duration_seconds_"
				       "sum{route=\"/p/:id\"} "));
	assert_non_null(strstr(r.body, "cocare_http_request_duration_seconds_"
				       "count{route=\"/p/:id\"} "));
	assert_non_null(strstr(r.body, "cocare_sessions_open 3\n"));
	/* Raw paths never become labels. */
	assert_null(strstr(r.body, "/p/7"));
	free(r.body);
}

static void
test_cookies_and_hooks(void **state)
{
	const char *const ck[] = {"Cookie: theme=dark; session=abc123", NULL};
	struct resp r;

	assert_int_equal(fetch("GET", "/cookie", ck, NULL, &r), 200);
	assert_string_equal(r.body, "abc123");
	free(r.body);
	assert_int_equal(fetch("GET", "/cookie", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "none");
	free(r.body);
	/* prepare refuses: the handler does not run, the error hook answers. */
	assert_int_equal(fetch("GET", "/guarded", NULL, NULL, &r), 403);
	assert_int_equal(strcasecmp(r.body, "app error: csrf"), 0);
	assert_false(has_header(&r, "Set-Cookie"));
	assert_true(has_header(&r, "Cache-Control: no-store\r\n"));
	free(r.body);
	assert_int_equal(fetch("GET", "/forbidden", NULL, NULL, &r), 403);
	assert_int_equal(strcasecmp(r.body, "app error: forbidden"), 0);
	free(r.body);
	/* OK without a response is a server bug: 500. */
	assert_int_equal(fetch("GET", "/silent", NULL, NULL, &r), 500);
	assert_security_headers(&r);
	free(r.body);
}

struct slow_call {
	const char *base;
	const char *path;	/* NULL: /slow */
	struct resp r;
	CURLcode rc;
};

static void *
slow_thread(void *p)
{
	struct slow_call *s = p;

	s->rc = fetch_at(s->base, "GET", s->path ? s->path : "/slow", NULL,
			 NULL, 0, false, NULL, &s->r);
	return NULL;
}

static void
test_graceful_stop(void **state)
{
	struct fixture f = {0};
	struct slow_call call = {0};
	struct timespec t = {0, 200 * 1000 * 1000};
	pthread_t th;
	struct resp r;

	start(&f, 5000);
	call.base = f.base;
	assert_int_equal(pthread_create(&th, NULL, slow_thread, &call), 0);
	nanosleep(&t, NULL);
	http_server_stop(f.srv);
	pthread_join(th, NULL);
	assert_int_equal(call.rc, CURLE_OK);
	assert_int_equal(call.r.status, 200);
	assert_string_equal(call.r.body, "slow");
	free(call.r.body);
	assert_int_equal(http_server_port(f.srv), 0);
	/* No one listens any more. */
	assert_int_not_equal(fetch_at(f.base, "GET", "/hello", NULL, NULL, 0,
				      false, NULL, &r), CURLE_OK);
	free(r.body);
	stop(&f);
}

static void
test_bad_options(void **state)
{
	struct http_router *rt = http_router_new();
	struct http_options o = {0};
	struct http_server *s = NULL;

	o.host = "not-an-address";
	assert_int_equal(http_server_new(&o, rt, NULL, NULL, &s), ERR_INVALID);
	o.host = "127.0.0.1";
	o.tls_cert = "x";
	assert_int_equal(http_server_new(&o, rt, NULL, NULL, &s), ERR_INVALID);
	o.tls_key = "not a key";
	assert_int_equal(http_server_new(&o, rt, NULL, NULL, &s), ERR_IO);
	assert_null(s);
	/* Taken port. */
	o.tls_cert = NULL;
	o.tls_key = NULL;
	o.port = http_server_port(fx.srv);
	assert_int_equal(http_server_new(&o, rt, NULL, NULL, &s), ERR_IO);
	/* IPv6 loopback and "localhost" both bind. */
	o.port = 0;
	o.host = "::1";
	if (http_server_new(&o, rt, NULL, NULL, &s) == ERR_OK)
		http_server_free(s);
	o.host = "localhost";
	assert_int_equal(http_server_new(&o, rt, NULL, NULL, &s), ERR_OK);
	http_server_free(s);
	http_router_free(rt);
}

static void
test_tls(void **state)
{
	struct http_router *rt = http_router_new();
	struct http_options o = {0};
	struct http_server *s = NULL;
	const char *const ck[] = {"Cookie: session=plain; __Host-session=sec",
				  NULL};
	char base[64];
	struct resp r;
	CURLcode rc;

	assert_int_equal(http_router_add(rt, routes,
					 sizeof(routes) / sizeof(routes[0])),
			 ERR_OK);
	o.host = "127.0.0.1";
	o.tls_cert = test_cert;
	o.tls_key = test_key;
	assert_int_equal(http_server_new(&o, rt, &hooks, NULL, &s), ERR_OK);
	snprintf(base, sizeof(base), "https://127.0.0.1:%u",
		 (unsigned)http_server_port(s));
	insecure = true;
	rc = fetch_at(base, "GET", "/hello", NULL, NULL, 0, false, NULL, &r);
	assert_int_equal(rc, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Strict-Transport-Security: max-age="
				   "31536000; includeSubDomains\r\n"));
	assert_true(has_header(&r, "Set-Cookie: __Host-session=tok; "
				   "Max-Age=3600; Path=/; HttpOnly; "
				   "SameSite=Strict; Secure\r\n"));
	free(r.body);
	/* Under TLS the app's "session" is the __Host- cookie only. */
	rc = fetch_at(base, "GET", "/cookie", ck, NULL, 0, false, NULL, &r);
	assert_int_equal(rc, CURLE_OK);
	assert_string_equal(r.body, "sec");
	free(r.body);
	insecure = false;
	http_server_free(s);
	http_router_free(rt);
}

/* Answers held for the disk (http_defer). */

/* Waits up to 5 s for `*v` to reach `want`, then `ms` more. */
static void
wait_for(atomic_int *v, int want, long ms)
{
	struct timespec tick = {0, 1000 * 1000}, t = {0, ms * 1000 * 1000};
	int i;

	for (i = 0; i < 5000 && atomic_load(v) < want; i++)
		nanosleep(&tick, NULL);
	assert_true(atomic_load(v) >= want);
	nanosleep(&t, NULL);
}

static void
test_deferred_answers(void **state)
{
	struct resp r;

	syncer_start(20, ERR_OK);
	assert_int_equal(fetch("GET", "/durable", NULL, NULL, &r), 200);
	assert_string_equal(r.body, "durable");
	free(r.body);
	syncer_stop();
	assert_int_equal(atomic_load(&syncer.resumed), 1);
	/* The write failed before the handler answered: the error goes. */
	syncer_start(0, ERR_DB);
	assert_int_equal(fetch("GET", "/durable-late", NULL, NULL, &r), 500);
	assert_int_equal(strcasecmp(r.body, "app error: db"), 0);
	free(r.body);
	syncer_stop();
}

/*
 * The wait for requests in flight ends while an answer is held for the
 * disk: stop waits for it (MHD cannot stop with a suspended connection,
 * and the syncer's http_resume would come after the daemon is gone).
 */
static void
test_stop_waits_for_held(void **state)
{
	struct fixture f = {0};
	struct slow_call call = {0};
	pthread_t th;

	start(&f, 50);
	syncer_start(600, ERR_OK);
	call.base = f.base;
	call.path = "/durable";
	assert_int_equal(pthread_create(&th, NULL, slow_thread, &call), 0);
	/* The handler has answered; the answer waits for the syncer. */
	wait_for(&syncer.filed, 1, 50);
	http_server_stop(f.srv);
	/* The syncer counts once http_resume() has returned. */
	wait_for(&syncer.resumed, 1, 0);
	pthread_join(th, NULL);
	assert_int_equal(call.rc, CURLE_OK);
	assert_int_equal(call.r.status, 200);
	assert_string_equal(call.r.body, "durable");
	free(call.r.body);
	syncer_stop();
	stop(&f);
}

static bool
is_dropped(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PARTIAL_FILE:
		return true;
	default:
		return false;
	}
}

/* A handler still running when the wait ends defers its answer. */
static void
test_stop_defer_while_closing(void **state)
{
	struct fixture f = {0};
	struct slow_call call = {0};
	pthread_t th;

	start(&f, 50);
	syncer_start(200, ERR_OK);
	atomic_store(&slow_durable_calls, 0);
	call.base = f.base;
	call.path = "/slow-durable";
	assert_int_equal(pthread_create(&th, NULL, slow_thread, &call), 0);
	/* The stop's wait ends while the handler sleeps (300 ms). */
	wait_for(&slow_durable_calls, 1, 0);
	http_server_stop(f.srv);
	/* The syncer counts once http_resume() has returned. */
	wait_for(&syncer.resumed, 1, 0);
	pthread_join(th, NULL);
	/* The daemon may close the connection before the answer goes. */
	if (call.rc == CURLE_OK) {
		assert_int_equal(call.r.status, 200);
		assert_string_equal(call.r.body, "durable");
	} else {
		assert_true(is_dropped(call.rc));
	}
	free(call.r.body);
	syncer_stop();
	stop(&f);
}

/*
 * Stopping under load: clients keep requesting (some answers held for
 * the disk) while the server stops, many times over. libmicrohttpd 0.9
 * used to abort here ("Failed to remove listen FD from epoll set").
 */
#define STOP_ROUNDS 500		/* each over HTTP and HTTPS */
#define STOP_CLIENTS 3
#define STOP_WAIT_MS 3000

static const struct {
	const char *path;
	const char *body;
} hammer_paths[] = {
	{"/hello", "<p>hi</p>"},
	{"/p/7", "7|-"},
	{"/durable", "durable"},
};
#define NPATHS (sizeof(hammer_paths) / sizeof(hammer_paths[0]))

struct hammer {
	const char *base;
	bool tls;
	bool fresh;			/* a new connection per request */
	atomic_bool *quit;
	atomic_int *answered;		/* all clients' */
	unsigned ok, refused, dropped, bad;
	CURLcode bad_rc;		/* the first bad one */
	long bad_status;
	const char *bad_path;
};

static void *
hammer_main(void *p)
{
	struct hammer *h = p;
	CURL *c = curl_easy_init();
	struct timespec pause = {0, 1000 * 1000};
	const char *path, *body;
	char url[128];
	struct resp r;
	CURLcode rc;
	size_t i;

	if (!c) {
		h->bad++;
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (h->tls) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	/* New connections wake every worker: a keep-alive client and not. */
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, h->fresh ? 1L : 0L);
	for (i = 0; !atomic_load(h->quit); i++) {
		path = hammer_paths[i % NPATHS].path;
		body = hammer_paths[i % NPATHS].body;
		memset(&r, 0, sizeof(r));
		snprintf(url, sizeof(url), "%s%s", h->base, path);
		curl_easy_setopt(c, CURLOPT_URL, url);
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
		if (rc == CURLE_OK && r.status == 200 && r.body &&
		    strcmp(r.body, body) == 0) {
			h->ok++;
		} else if (rc == CURLE_OK && r.status == 503 &&
			   has_header(&r, "Connection: close\r\n")) {
			h->refused++;
		} else if (is_dropped(rc)) {
			h->dropped++;
			/* The server is gone: do not crowd out the stop. */
			if (rc == CURLE_COULDNT_CONNECT)
				nanosleep(&pause, NULL);
		} else if (h->bad++ == 0) {
			h->bad_rc = rc;
			h->bad_status = r.status;
			h->bad_path = path;
		}
		free(r.body);
		atomic_fetch_add(h->answered, 1);
	}
	curl_easy_cleanup(c);
	return NULL;
}

/* A bare TCP connection to 127.0.0.1:port, or -1. */
static int
connect_to(uint16_t port)
{
	struct sockaddr_in sa = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static atomic_uint stop_round_no;
static const char *stop_round_kind = "";

static void
on_mhd_panic(void *cls, const char *file, unsigned line, const char *reason)
{
	fprintf(stderr, "libmicrohttpd panic at %s:%u in %s round %u: %s",
		file, line, stop_round_kind, atomic_load(&stop_round_no),
		reason ? reason : "\n");
	abort();
}

struct stop_totals {
	unsigned ok, refused, dropped, bad;
	uint64_t max_stop_ns;
};

static void
stop_round(bool tls, unsigned round, struct stop_totals *t)
{
	struct fixture f = {0};
	struct hammer h[STOP_CLIENTS];
	pthread_t th[STOP_CLIENTS];
	struct timespec tick = {0, 100 * 1000};
	atomic_bool quit = false;
	atomic_int answered = 0;
	uint64_t t0, waited;
	int want = (int)(round % 4) * STOP_CLIENTS;
	size_t i;
	int sock;

	start_with(&f, STOP_WAIT_MS, 8, tls);
	for (i = 0; i < STOP_CLIENTS; i++) {
		memset(&h[i], 0, sizeof(h[i]));
		h[i].base = f.base;
		h[i].tls = tls;
		h[i].fresh = i % 2 == 0;
		h[i].quit = &quit;
		h[i].answered = &answered;
		assert_int_equal(pthread_create(&th[i], NULL, hammer_main,
						&h[i]), 0);
	}
	/* Stop at varying points: as clients connect, or mid-stream. */
	t0 = clock_mono_ns();
	while (atomic_load(&answered) < want &&
	       clock_mono_ns() - t0 < 5000000000u)
		nanosleep(&tick, NULL);
	/*
	 * A connection arriving as the stop begins wakes every worker at
	 * once (they all watch the listening socket); the stop comes a few
	 * microseconds after it, a different delay each round.
	 */
	sock = connect_to(http_server_port(f.srv));
	t0 = clock_mono_ns();
	while (clock_mono_ns() - t0 < (round % 32) * 1000u)
		;
	t0 = clock_mono_ns();
	http_server_stop(f.srv);
	waited = clock_mono_ns() - t0;
	atomic_store(&quit, true);
	for (i = 0; i < STOP_CLIENTS; i++) {
		pthread_join(th[i], NULL);
		t->ok += h[i].ok;
		t->refused += h[i].refused;
		t->dropped += h[i].dropped;
		t->bad += h[i].bad;
		if (h[i].bad)
			fprintf(stderr, "%s round %u: %s gave curl %d, "
				"status %ld\n", tls ? "https" : "http", round,
				h[i].bad_path, (int)h[i].bad_rc,
				h[i].bad_status);
	}
	if (waited > t->max_stop_ns)
		t->max_stop_ns = waited;
	if (sock >= 0)
		close(sock);
	stop(&f);
}

static void
test_stop_under_load(void **state)
{
	struct stop_totals t = {0};
	uint64_t t0;
	unsigned i;
	int k;

	MHD_set_panic_func(on_mhd_panic, NULL);
	syncer_start(1, ERR_OK);
	for (k = 0; k < 2; k++) {
		memset(&t, 0, sizeof(t));
		stop_round_kind = k ? "https" : "http";
		t0 = clock_mono_ns();
		for (i = 0; i < STOP_ROUNDS; i++) {
			atomic_store(&stop_round_no, i);
			stop_round(k == 1, i, &t);
		}
		fprintf(stderr, "%s: %u stops in %.1f s, longest %.0f ms; "
			"%u answered, %u refused (503), %u dropped, %u bad\n",
			stop_round_kind, STOP_ROUNDS,
			(double)(clock_mono_ns() - t0) / 1e9,
			(double)t.max_stop_ns / 1e6, t.ok, t.refused,
			t.dropped, t.bad);
		assert_int_equal(t.bad, 0);
		assert_true(t.ok > STOP_ROUNDS);
		/* New requests do not hold the stop up to its limit. */
		assert_true(t.max_stop_ns < (uint64_t)STOP_WAIT_MS * 1000000u);
	}
	syncer_stop();
	MHD_set_panic_func(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_not_found_and_method),
		cmocka_unit_test(test_put_patch_delete),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_unsupported_media),
		cmocka_unit_test(test_upload),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_healthz_metrics),
		cmocka_unit_test(test_cookies_and_hooks),
		cmocka_unit_test(test_graceful_stop),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_deferred_answers),
		cmocka_unit_test(test_stop_waits_for_held),
		cmocka_unit_test(test_stop_defer_while_closing),
		cmocka_unit_test(test_stop_under_load),
	};

	test_init();
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

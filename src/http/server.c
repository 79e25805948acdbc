/*
 * The daemon and the life of a request. libmicrohttpd calls the access
 * handler first with the headers (we validate, route and refuse early),
 * then with each piece of body (we accumulate it under a cap), then once
 * more with none (we parse, run prepare and the handler, and queue the
 * response). The request arena lives from the first call until the
 * completion callback, the one place it is freed.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/http_int.h"
#include "core/banned.h"

static const char *const method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_PATCH] = "PATCH",
	[HTTP_DELETE] = "DELETE",
};

static size_t
max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static struct http_form_limits
form_limits(const struct http_server *s)
{
	struct http_form_limits l = {s->o.max_fields, s->o.max_field_len};

	return l;
}

/*
 * MHD would percent-decode the path and query itself; we keep them raw
 * so that http_path_decode() sees encoded traversal and NUL bytes.
 */
static size_t
unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

struct query_ctx {
	struct req *req;
	enum err rc;
};

static enum MHD_Result
query_field(void *cls, enum MHD_ValueKind kind, const char *key,
	    const char *value)
{
	struct query_ctx *q = cls;
	struct http_form_limits lim = form_limits(q->req->srv);
	const char *parts[2] = {key, value ? value : ""};
	char *dec[2];
	size_t len[2], i;

	for (i = 0; i < 2; i++) {
		/* Refuse before decoding: a decoded text is never longer. */
		if (strlen(parts[i]) > 3 * lim.max_field_len + 1) {
			q->rc = ERR_TOO_LARGE;
			return MHD_NO;
		}
		q->rc = http_percent_decode(q->req->a, parts[i],
					    strlen(parts[i]), true, &dec[i],
					    &len[i]);
		if (q->rc != ERR_OK)
			return MHD_NO;
	}
	if (len[0] == 0 && len[1] == 0)
		return MHD_YES;
	q->rc = http_form_add(q->req->a, &q->req->form, &lim, dec[0], len[0],
			      dec[1], len[1]);
	return q->rc == ERR_OK ? MHD_YES : MHD_NO;
}

bool
http_method_writes(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH ||
	       m == HTTP_DELETE;
}

static bool
parse_method(const char *m, enum http_method *out)
{
	size_t i;

	for (i = 0; i < HTTP_METHOD__MAX; i++)
		if (strcmp(m, method_names[i]) == 0) {
			*out = (enum http_method)i;
			return true;
		}
	return false;
}

/* Sets "Allow" to the methods whose routes match the path (for a 405). */
static void
set_allow(struct req *req)
{
	struct http_match m;
	char allow[64] = "";
	size_t i;

	for (i = 0; i < HTTP_METHOD__MAX; i++) {
		if (http_router_match(req->srv->router, (enum http_method)i,
				      req->path, req->path_len,
				      &m) != ERR_OK)
			continue;
		if (allow[0])
			snprintf(allow + strlen(allow),
				 sizeof(allow) - strlen(allow), ", ");
		snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow),
			 "%s", method_names[i]);
	}
	http_add_header(req, "Allow", allow);
}

static bool
media_is(struct str t, const char *want)
{
	return t.len == strlen(want) && strncasecmp(t.p, want, t.len) == 0;
}

/*
 * Decides how a POST body is read from its Content-Type and the route's
 * flags, and checks Content-Length against the cap. 415 for a type the
 * route does not take, 413 for a declared length over the cap.
 */
static enum err
body_setup(struct req *req)
{
	const struct http_server *s = req->srv;
	const char *ct = http_header(req, "Content-Type");
	const char *cl = http_header(req, "Content-Length");
	unsigned flags = req->match.route ? req->match.route->flags : 0;
	struct str t;
	int64_t n = -1;

	req->body_kind = HTTP_BODY_NONE;
	req->body_max = s->o.max_body;
	if (cl && !str_to_i64(str_trim(str_c(cl)), 0, INT64_MAX, &n))
		return ERR_INVALID;
	if (http_method_writes(req->method)) {
		t = str_trim((struct str){ct ? ct : "",
					  ct ? strcspn(ct, ";") : 0});
		if (t.len == 0 && n > 0)
			return ERR_UNSUPPORTED_MEDIA;
		if (t.len == 0) {
			req->body_kind = HTTP_BODY_NONE;
		} else if (media_is(t, "application/x-www-form-urlencoded")) {
			req->body_kind = HTTP_BODY_URLENCODED;
		} else if (media_is(t, "multipart/form-data") &&
			   (flags & HTTP_ROUTE_UPLOAD)) {
			req->body_kind = HTTP_BODY_MULTIPART;
			req->body_max = s->o.max_upload;
		} else if ((media_is(t, "application/json") ||
			    media_is(t, "application/fhir+json") ||
			    media_is(t, "application/json-patch+json")) &&
			   (flags & HTTP_ROUTE_JSON)) {
			req->body_kind = HTTP_BODY_JSON;
			req->body_max = s->o.max_upload;
		} else {
			return ERR_UNSUPPORTED_MEDIA;
		}
	}
	if (n >= 0 && (uint64_t)n > req->body_max)
		return ERR_TOO_LARGE;
	if (n > 0 && req->body_kind != HTTP_BODY_NONE) {
		/* The length is known: one allocation, no regrowth. */
		req->body = arena_alloc(req->a, (size_t)n + 1);
		if (!req->body)
			return ERR_NOMEM;
		req->body_cap = (size_t)n + 1;
	}
	return ERR_OK;
}

static bool
is_builtin(const struct req *req, size_t *slot)
{
	if (strncmp(req->path, "/static/", 8) == 0)
		*slot = HTTP_SLOT_STATIC;
	else if (strcmp(req->path, "/healthz") == 0)
		*slot = HTTP_SLOT_HEALTHZ;
	else if (strcmp(req->path, "/metrics") == 0)
		*slot = HTTP_SLOT_METRICS;
	else
		return false;
	return true;
}

/*
 * The checks that need no body, in order: method, shutdown, path, query,
 * route, content type and length. Returns the first failure.
 */
static enum err
req_check(struct req *req, const char *url)
{
	struct http_server *s = req->srv;
	struct query_ctx q = {req, ERR_OK};
	size_t nroutes = s->metrics.nslots - HTTP_SLOT__MAX, slot;
	enum err rc;

	req->slot = nroutes + HTTP_SLOT_NONE;
	if (!parse_method(req->method_str, &req->method)) {
		req->method = HTTP_METHOD__MAX;
		http_add_header(req, "Allow",
				"GET, HEAD, POST, PUT, PATCH, DELETE");
		return ERR_METHOD;
	}
	if (atomic_load(&s->stopping))
		return ERR_UNAVAILABLE;
	rc = http_path_decode(req->a, url, strlen(url), &req->path,
			      &req->path_len);
	if (rc != ERR_OK) {
		req->path = "/";
		req->path_len = 1;
		return rc;
	}
	MHD_get_connection_values(req->con, MHD_GET_ARGUMENT_KIND,
				  query_field, &q);
	if (q.rc != ERR_OK)
		return q.rc;
	req->nquery = req->form.nfields;
	if (is_builtin(req, &slot)) {
		req->slot = nroutes + slot;
		if (http_method_writes(req->method)) {
			http_add_header(req, "Allow", "GET, HEAD");
			return ERR_METHOD;
		}
		return body_setup(req);
	}
	rc = http_router_match(s->router, req->method, req->path,
			       req->path_len, &req->match);
	if (rc == ERR_METHOD)
		set_allow(req);
	if (rc != ERR_OK)
		return rc;
	req->slot = req->match.index;
	return body_setup(req);
}

static struct req *
req_new(struct http_server *s, struct MHD_Connection *con,
	const char *method)
{
	struct arena *a = arena_new(s->arena_cap);
	struct req *req;

	if (!a)
		return NULL;
	req = arena_alloc(a, sizeof(*req));
	if (!req) {
		arena_free(a);
		return NULL;
	}
	if (pthread_mutex_init(&req->defer_mu, NULL) != 0) {
		arena_free(a);
		return NULL;
	}
	if (pthread_cond_init(&req->defer_cv, NULL) != 0) {
		pthread_mutex_destroy(&req->defer_mu);
		arena_free(a);
		return NULL;
	}
	req->srv = s;
	req->con = con;
	req->a = a;
	req->start_ns = clock_mono_ns();
	req->method_str = arena_strdup(a, method);
	req->path = "/";
	req->path_len = 1;
	if (!req->method_str)
		req->method_str = "";
	return req;
}

/* Appends body bytes; past the cap, remembers 413 and drops the rest. */
static bool
body_append(struct req *req, const char *data, size_t n)
{
	size_t cap;
	char *p;

	if (req->discarding) {
		req->discarded += n;
		/* Do not read an endless body just to answer 413. */
		return req->discarded <= max_size(req->body_max, 1 << 20);
	}
	if (n > req->body_max || req->body_len > req->body_max - n) {
		req->discarding = true;
		req->discarded = n;
		req->early = ERR_TOO_LARGE;
		return true;
	}
	if (req->body_kind == HTTP_BODY_NONE) {
		/* A GET body is ignored; a POST one needs a type. */
		if (http_method_writes(req->method)) {
			req->discarding = true;
			req->early = ERR_UNSUPPORTED_MEDIA;
		}
		return true;
	}
	if (req->body_len + n + 1 > req->body_cap) {
		cap = max_size(req->body_cap * 2, 4096);
		cap = max_size(cap, req->body_len + n + 1);
		if (cap > req->body_max + 1)
			cap = req->body_max + 1;
		p = arena_alloc(req->a, cap);
		if (!p) {
			req->discarding = true;
			req->early = ERR_TOO_LARGE;
			return true;
		}
		if (req->body_len)
			memcpy(p, req->body, req->body_len);
		req->body = p;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, n);
	req->body_len += n;
	req->body[req->body_len] = '\0';
	return true;
}

static enum err
body_parse(struct req *req)
{
	struct http_form_limits lim = form_limits(req->srv);
	const char *ct = http_header(req, "Content-Type");

	switch (req->body_kind) {
	case HTTP_BODY_URLENCODED:
		return http_form_parse_urlencoded(req->a, req->body ?
						  req->body : "", req->body_len,
						  &lim, &req->form);
	case HTTP_BODY_MULTIPART:
		return http_form_parse_multipart(req->a, ct, req->body ?
						 req->body : "", req->body_len,
						 &lim, &req->form);
	case HTTP_BODY_JSON:
		if (!req->body)
			req->body = "";
		return utf8_valid(req->body, req->body_len) ? ERR_OK :
							      ERR_BAD_UTF8;
	case HTTP_BODY_NONE:
		break;
	}
	return ERR_OK;
}

/*
 * GET /healthz: 200 "ok" when the server can take writes, else 503
 * "unavailable: " and the reason (shutting down, or the app's healthy
 * hook's words).
 */
static enum err
serve_healthz(struct req *req)
{
	struct http_server *s = req->srv;
	char why[128] = "stopping";
	char *body;

	http_no_store(req);
	if (!atomic_load(&s->stopping) &&
	    (!s->hooks.healthy || s->hooks.healthy(s->app, why, sizeof(why))))
		return http_respond_ref(req, 200, "text/plain", "ok\n", 3);
	body = arena_printf(req->a, "unavailable: %s\n", why);
	if (!body)
		return ERR_NOMEM;
	return http_respond(req, 503, "text/plain", body, strlen(body));
}

/* Runs the route: parse the body, prepare, handler; returns the outcome. */
static enum err
run_route(struct req *req)
{
	struct http_server *s = req->srv;
	enum err rc;

	rc = body_parse(req);
	if (rc == ERR_OK && arena_failed(req->a))
		rc = ERR_TOO_LARGE;
	if (rc == ERR_OK && s->hooks.prepare)
		rc = s->hooks.prepare(req, req->match.route);
	if (rc != ERR_OK)
		return rc;
	rc = req->match.route->handler(req);
	if (rc == ERR_OK && arena_failed(req->a))
		rc = ERR_NOMEM;
	if (rc == ERR_OK && req->resp.status == 0) {
		log_error("http: handler set no response route=%s",
			  http_route_label(s->router, req->match.index));
		rc = ERR_INTERNAL;
	}
	return rc;
}

/*
 * Holds the daemon's stop back until held_release(); refused once it is
 * stopping, unless `always`.
 */
static bool
held_take(struct http_server *s, bool always)
{
	bool ok;

	pthread_mutex_lock(&s->held_mu);
	ok = always || !s->closing;
	if (ok)
		s->held++;
	pthread_mutex_unlock(&s->held_mu);
	return ok;
}

static void
held_release(struct http_server *s)
{
	pthread_mutex_lock(&s->held_mu);
	if (--s->held == 0)
		pthread_cond_broadcast(&s->held_cv);
	pthread_mutex_unlock(&s->held_mu);
}

/* The final call: the whole request is in; answer it. */
static enum MHD_Result
req_finish(struct req *req)
{
	size_t nroutes = req->srv->metrics.nslots - HTTP_SLOT__MAX;
	enum err rc = req->early;

	if (rc == ERR_OK) {
		if (req->slot == nroutes + HTTP_SLOT_STATIC) {
			http_static_serve(req);
			return http_queue(req);
		}
		if (req->slot == nroutes + HTTP_SLOT_HEALTHZ)
			rc = serve_healthz(req);
		else if (req->slot == nroutes + HTTP_SLOT_METRICS)
			rc = http_metrics_serve(req);
		else
			rc = run_route(req);
	}
	if (rc != ERR_OK)
		http_respond_error(req, rc);
	/* Before queueing: the app gives back what it holds (a database
	 * connection) while this thread goes on to other connections. */
	if (req->srv->hooks.finish)
		req->srv->hooks.finish(req);
	/* Writes still on their way to disk: the answer waits, the thread
	 * does not. The lock orders this with http_resume(). */
	pthread_mutex_lock(&req->defer_mu);
	if (req->deferred > 0 && held_take(req->srv, false)) {
		req->held = true;
		req->suspended = true;
		MHD_suspend_connection(req->con);
		pthread_mutex_unlock(&req->defer_mu);
		return MHD_YES;
	}
	/* The daemon is stopping, and MHD aborts on a connection still
	 * suspended then: this thread waits for the disk instead. */
	while (req->deferred > 0)
		pthread_cond_wait(&req->defer_cv, &req->defer_mu);
	pthread_mutex_unlock(&req->defer_mu);
	/* The disk may have answered before the handler did. */
	if (req->defer_err != ERR_OK)
		http_respond_error(req, req->defer_err);
	return http_queue(req);
}

void
http_defer(struct req *req)
{
	pthread_mutex_lock(&req->defer_mu);
	req->deferred++;
	pthread_mutex_unlock(&req->defer_mu);
}

void
http_resume(struct req *req, enum err e)
{
	struct http_server *s = req->srv;
	struct MHD_Connection *con = req->con;
	bool resume = false;

	pthread_mutex_lock(&req->defer_mu);
	if (e != ERR_OK && req->defer_err == ERR_OK)
		req->defer_err = e;
	if (--req->deferred == 0 && req->suspended) {
		req->suspended = false;
		req->resumed = true;
		resume = true;
		/*
		 * MHD_resume_connection() wakes the worker after letting go of
		 * the connection, which may be finished and the daemon freed by
		 * then: hold the stop until it returns. The request's own hold
		 * is still there, so this one cannot come too late.
		 */
		held_take(s, true);
	} else if (req->deferred == 0) {
		pthread_cond_signal(&req->defer_cv);
	}
	pthread_mutex_unlock(&req->defer_mu);
	/* Last: once resumed, the request may finish and be freed at once. */
	if (resume) {
		MHD_resume_connection(con);
		held_release(s);
	}
}

/* The call after a resume: the held answer, or the error that came. */
static enum MHD_Result
req_resumed(struct req *req)
{
	req->resumed = false;
	if (req->defer_err != ERR_OK)
		http_respond_error(req, req->defer_err);
	return http_queue(req);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *con, const char *url,
	  const char *method, const char *version, const char *upload_data,
	  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct req *req = *con_cls;
	enum err rc;

	if (!req) {
		req = req_new(s, con, method);
		if (!req)
			return MHD_NO;
		*con_cls = req;
		/* Counted before req_check() looks at `stopping`: a request
		 * the stop does not see is one that sees the stop. */
		atomic_fetch_add(&s->inflight, 1);
		req->counted = true;
		rc = req_check(req, url);
		if (rc == ERR_OK)
			return MHD_YES;
		/* A 503 for the stop is not waited for: under steady load
		 * new ones would hold the stop up to its time limit. */
		if (rc == ERR_UNAVAILABLE) {
			atomic_fetch_sub(&s->inflight, 1);
			req->counted = false;
		}
		/* Answer now, without reading a body nobody will use. */
		http_respond_error(req, rc);
		return http_queue(req);
	}
	if (req->resumed)
		return req_resumed(req);
	if (req->done) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		/*
		 * A body still arriving after the time limit is not used: it
		 * is answered 408 once it is in (MHD 0.9 cannot answer in the
		 * middle of a body), and a client that goes quiet is closed
		 * by MHD's idle timeout. Either way no worker waits for it.
		 */
		if (req->early == ERR_OK &&
		    clock_mono_ns() - req->start_ns >
			    (uint64_t)s->o.timeout * 1000000000u) {
			req->early = ERR_TIMEOUT;
			req->discarding = true;
		}
		if (!body_append(req, upload_data, n))
			return MHD_NO;
		return MHD_YES;
	}
	return req_finish(req);
}

static void
completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req *req = *con_cls;
	bool counted, held;

	if (!req)
		return;
	if (req->sent_status && req->method < HTTP_METHOD__MAX)
		http_metrics_record(&s->metrics, req->slot, req->method,
				    req->sent_status,
				    clock_mono_ns() - req->start_ns);
	counted = req->counted;
	held = req->held;
	pthread_cond_destroy(&req->defer_cv);
	pthread_mutex_destroy(&req->defer_mu);
	arena_free(req->a);
	*con_cls = NULL;
	if (counted)
		atomic_fetch_sub(&s->inflight, 1);
	if (held)
		held_release(s);
}

/* Resolves `host` ("localhost", an IPv4 or IPv6 literal, maybe in
 * brackets) into `ss`; NULL or "" is every IPv4 address. */
static bool
resolve(const char *host, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	char buf[INET6_ADDRSTRLEN];
	size_t len;

	memset(ss, 0, sizeof(*ss));
	if (!host || !*host || strcmp(host, "localhost") == 0) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		v4->sin_addr.s_addr = htonl(host && *host ? INADDR_LOOPBACK :
							    INADDR_ANY);
		return true;
	}
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		return true;
	}
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof(buf))
			return false;
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		return true;
	}
	return false;
}

static void
apply_defaults(struct http_options *o)
{
	if (!o->threads)
		o->threads = 4;
	if (!o->max_connections)
		o->max_connections = 1024;
	if (!o->timeout)
		o->timeout = 30;
	if (!o->max_body)
		o->max_body = 1 << 20;
	if (!o->max_upload)
		o->max_upload = 16 << 20;
	if (!o->max_header)
		o->max_header = 32 << 10;
	if (!o->max_fields)
		o->max_fields = 200;
	if (!o->max_field_len)
		o->max_field_len = 64 << 10;
	if (!o->shutdown_wait_ms)
		o->shutdown_wait_ms = 10000;
}

static struct MHD_Daemon *
start_daemon(struct http_server *s, const struct sockaddr_storage *ss)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem opts[16];
	size_t n = 0;

#define OPT(o, v, p) \
	opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (p)}
	/* The logger first, so that every later message goes through it. */
	OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, s->o.threads, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, s->o.max_connections, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, s->o.timeout, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->o.max_header, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s);
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL);
	OPT(MHD_OPTION_SOCK_ADDR, 0, (void *)ss);
	OPT(MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL);
	if (s->tls) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key);
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, access_cb, s,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

enum err
http_server_new(const struct http_options *o,
		const struct http_router *router,
		const struct http_hooks *hooks, void *app,
		struct http_server **out)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct http_server *s;
	enum err rc = ERR_NOMEM;

	if (!o || !router || (!o->tls_cert != !o->tls_key))
		return ERR_INVALID;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	if (pthread_mutex_init(&s->held_mu, NULL) != 0) {
		free(s);
		return ERR_NOMEM;
	}
	if (pthread_cond_init(&s->held_cv, NULL) != 0)
		goto out_mutex;
	s->o = *o;
	apply_defaults(&s->o);
	s->o.host = NULL;
	s->o.tls_cert = NULL;
	s->o.tls_key = NULL;
	s->router = router;
	if (hooks)
		s->hooks = *hooks;
	s->app = app;
	atomic_init(&s->inflight, 0);
	atomic_init(&s->stopping, false);
	/* Room for the body, one decoded copy of it and the response. */
	s->arena_cap = 3 * max_size(s->o.max_body, s->o.max_upload) +
		       (8 << 20);
	if (!resolve(o->host, o->port, &ss)) {
		rc = ERR_INVALID;
		goto out_free;
	}
	if (o->tls_cert) {
		s->tls = true;
		s->tls_cert = strdup(o->tls_cert);
		s->tls_key = strdup(o->tls_key);
		if (!s->tls_cert || !s->tls_key)
			goto out_free;
	}
	if (http_metrics_init(&s->metrics, http_router_count(router)) !=
	    ERR_OK)
		goto out_free;
	s->daemon = start_daemon(s, &ss);
	if (!s->daemon) {
		log_error("http: cannot listen on port %u", (unsigned)o->port);
		rc = ERR_IO;
		goto out_metrics;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : o->port;
	*out = s;
	return ERR_OK;
out_metrics:
	http_metrics_release(&s->metrics);
out_free:
	free(s->tls_cert);
	free(s->tls_key);
	pthread_cond_destroy(&s->held_cv);
out_mutex:
	pthread_mutex_destroy(&s->held_mu);
	free(s);
	return rc;
}

uint16_t
http_server_port(const struct http_server *s)
{
	return s->stopped ? 0 : s->port;
}

/*
 * No MHD_quiesce_daemon(): in 0.9 it takes the listening socket out of
 * each worker's epoll set from this thread while the worker may do the
 * same, and aborts when it loses that race ("Failed to remove listen FD
 * from epoll set"). New requests get a 503 with "Connection: close"
 * instead, and MHD_stop_daemon() lets each worker stop itself.
 */
void
http_server_stop(struct http_server *s)
{
	struct timespec tick = {0, 1000 * 1000};
	uint64_t end;

	if (!s || s->stopped)
		return;
	atomic_store(&s->stopping, true);
	end = clock_mono_ns() + (uint64_t)s->o.shutdown_wait_ms * 1000000u;
	while (atomic_load(&s->inflight) > 0 && clock_mono_ns() < end)
		nanosleep(&tick, NULL);
	if (atomic_load(&s->inflight) > 0)
		log_warn("http: stopping with %d requests in flight",
			 atomic_load(&s->inflight));
	/*
	 * MHD aborts when stopped with a suspended connection, and a held
	 * answer's http_resume() must not come after the daemon is gone:
	 * those are waited for however long the disk takes.
	 */
	pthread_mutex_lock(&s->held_mu);
	s->closing = true;
	while (s->held > 0)
		pthread_cond_wait(&s->held_cv, &s->held_mu);
	pthread_mutex_unlock(&s->held_mu);
	MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	s->stopped = true;
}

void
http_server_free(struct http_server *s)
{
	if (!s)
		return;
	http_server_stop(s);
	http_metrics_release(&s->metrics);
	/* The key is secret: do not leave it in freed memory. */
	if (s->tls_key)
		explicit_bzero(s->tls_key, strlen(s->tls_key));
	free(s->tls_cert);
	free(s->tls_key);
	pthread_cond_destroy(&s->held_cv);
	pthread_mutex_destroy(&s->held_mu);
	free(s);
}

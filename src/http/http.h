/*
 * The HTTP layer: a libmicrohttpd daemon, a table-driven router, request
 * parsing (path, query, forms, multipart, cookies), a response API with
 * the security headers, embedded static files, /healthz and /metrics.
 * It knows nothing of cocare's domain; the application plugs in through
 * struct http_hooks and the route tables its modules contribute.
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct arena;
struct buf;
struct req;
struct http_router;
struct http_server;

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_METHOD__MAX
};

/* True for the methods that change something (every one but GET and
 * HEAD): they may carry a body, and their answer waits for the disk. */
bool http_method_writes(enum http_method m);

enum http_route_flags {
	/* The route accepts multipart/form-data up to max_upload bytes. */
	HTTP_ROUTE_UPLOAD = (1 << 0),
	/* The route accepts application/json, application/fhir+json and
	 * application/json-patch+json bodies up to max_upload bytes, read
	 * with http_body(). */
	HTTP_ROUTE_JSON = (1 << 1),
};

/*
 * One route. `pattern` is a path whose segments are literal text or
 * ":name" parameters, e.g. "/patients/:id/grants/:grant_id"; a trailing
 * slash is significant. A GET route also answers HEAD. `name` is the
 * metrics label; NULL means the pattern. Tables are borrowed: they must
 * outlive the router (static tables).
 */
struct http_route {
	enum http_method method;
	const char *pattern;
	/*
	 * Answers through the response API and returns ERR_OK, or returns
	 * another code and the error hook answers for it. ERR_OK without
	 * a response set gives a 500.
	 */
	enum err (*handler)(struct req *req);
	unsigned flags;		/* enum http_route_flags */
	const char *name;
};

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_SEGMENTS 32

struct http_param {
	struct str name;	/* a view into the pattern, without ':' */
	struct str value;	/* a view into the matched path */
};

struct http_match {
	const struct http_route *route;
	size_t index;		/* the route's position in the router */
	size_t nparams;
	struct http_param params[HTTP_MAX_PARAMS];
};

/* A new empty router, or NULL when out of memory. Owned by the caller. */
struct http_router *http_router_new(void);

/* Frees the router (not the tables it borrows); NULL is a no-op. */
void http_router_free(struct http_router *r);

/*
 * Adds `count` routes from `table`. ERR_INVALID for a malformed pattern
 * (not starting with '/', an empty or repeated parameter name, more than
 * HTTP_MAX_PARAMS parameters or HTTP_MAX_SEGMENTS segments, a NULL
 * handler), ERR_EXISTS for a method and pattern already present,
 * ERR_NOMEM. On error no route of the table is added. Not thread-safe:
 * add every table before http_server_new().
 */
enum err http_router_add(struct http_router *r,
			 const struct http_route *table, size_t count);

/* Number of routes added so far. */
size_t http_router_count(const struct http_router *r);

/*
 * Matches the decoded `path` (`len` bytes) for `method`. Literal segments
 * beat parameters, position by position from the left. ERR_OK with `out`
 * filled (parameter values point into `path`), ERR_METHOD when another
 * method's route matches the path, ERR_NOT_FOUND otherwise. Thread-safe.
 */
enum err http_router_match(const struct http_router *r,
			   enum http_method method, const char *path,
			   size_t len, struct http_match *out);

/*
 * Forms. Field names and values are decoded, NUL-terminated, valid UTF-8
 * arena strings (`len` excludes the NUL). Uploads point into the request
 * body; `data` is binary and not NUL-terminated.
 */
struct http_field {
	const char *name;
	const char *value;
	size_t len;
};

struct http_upload {
	const char *name;
	const char *filename;		/* valid UTF-8; may be "" */
	const char *content_type;	/* application/octet-stream if none */
	const unsigned char *data;
	size_t len;
};

struct http_form_limits {
	size_t max_fields;	/* fields plus uploads */
	size_t max_field_len;	/* bytes of one decoded text value */
};

struct http_form {
	struct http_field *fields;
	size_t nfields;
	size_t cap;
	struct http_upload *uploads;
	size_t nuploads;
	size_t ucap;
};

/*
 * Decodes %XX escapes (and '+' as a space when `plus`) of `s` into a new
 * NUL-terminated arena string, `*out_len` bytes. ERR_INVALID for a
 * truncated or non-hex escape, ERR_NOMEM. The result may hold any byte,
 * including NUL: callers validate it.
 */
enum err http_percent_decode(struct arena *a, const char *s, size_t len,
			     bool plus, char **out, size_t *out_len);

/*
 * Appends the fields of an application/x-www-form-urlencoded text to
 * `f` (zero it first). Repeated names are kept in order; "a" and "a="
 * give an empty value. ERR_INVALID for a bad escape, ERR_BAD_UTF8 for a
 * name or value that is not UTF-8 (or holds NUL), ERR_TOO_LARGE past a
 * limit, ERR_NOMEM. On error `f` may hold the fields before the bad one.
 */
enum err http_form_parse_urlencoded(struct arena *a, const char *s,
				    size_t len,
				    const struct http_form_limits *lim,
				    struct http_form *f);

/*
 * Appends the parts of a multipart/form-data `body` to `f`; `ctype` is
 * the Content-Type header giving the (optionally quoted) boundary. A
 * part with a filename becomes an upload, any other a field. ERR_INVALID
 * for a missing boundary, malformed part headers or a missing final
 * boundary, ERR_BAD_UTF8, ERR_TOO_LARGE, ERR_NOMEM. Uploads point into
 * `body`, which must outlive `f`.
 */
enum err http_form_parse_multipart(struct arena *a, const char *ctype,
				   const char *body, size_t len,
				   const struct http_form_limits *lim,
				   struct http_form *f);

/*
 * Decodes a raw request path (still percent-encoded, query removed) into
 * a NUL-terminated arena string. ERR_INVALID when it does not start with
 * '/', has a bad escape, an encoded '/', a backslash (raw or encoded), a
 * control character or NUL, or a "." or ".." segment; ERR_BAD_UTF8 when
 * the decoded path is not UTF-8; ERR_NOMEM.
 */
enum err http_path_decode(struct arena *a, const char *raw, size_t len,
			  char **out, size_t *out_len);

/*
 * Finds cookie `name` in a Cookie header value (`header` may be NULL).
 * True with `out` viewing the value (surrounding quotes removed) for the
 * first cookie of that name; false when absent or malformed.
 */
bool http_cookie_find(const char *header, const char *name,
		      struct str *out);

/*
 * The server. Zeroed fields take the default given in brackets.
 */
struct http_options {
	const char *host;	/* IPv4/IPv6 literal or "localhost"
				   [NULL/"" = every IPv4 address] */
	uint16_t port;		/* 0 = any free port */
	unsigned threads;	/* worker threads [4] */
	unsigned max_connections;	/* [1024] */
	unsigned timeout;	/* idle seconds before closing [30] */
	size_t max_body;	/* urlencoded form bytes [1 MiB] */
	size_t max_upload;	/* multipart / JSON bytes [16 MiB] */
	size_t max_header;	/* MHD memory per connection, which caps
				   the header block [32 KiB] */
	size_t max_fields;	/* query + form fields [200] */
	size_t max_field_len;	/* one decoded text value [64 KiB] */
	unsigned shutdown_wait_ms;	/* in-flight wait on stop [10000] */
	bool trust_proxy;	/* client address from X-Forwarded-For */
	const char *tls_cert;	/* PEM text; TLS on when both are set */
	const char *tls_key;	/* PEM text */
};

struct http_hooks {
	/*
	 * Called after routing and parsing, before the handler: resolves
	 * the session, checks CSRF, sets the language. Not called for
	 * static files, /healthz and /metrics. A non-OK return goes to the
	 * error hook and the handler is not called. NULL = always OK.
	 */
	enum err (*prepare)(struct req *req, const struct http_route *route);
	/*
	 * Renders the response for `e` (status err_http_status(e)). It may
	 * run without prepare having run (404, 405, 413, 415, 400 before
	 * routing). If it sets no response, or is NULL, a plain-text page
	 * from err_str() is sent.
	 */
	void (*error)(struct req *req, enum err e);
	/* Appends app gauges in Prometheus text format to /metrics. */
	void (*metrics)(struct req *req, struct buf *out);
	/*
	 * False makes /healthz answer 503 with `why`, a few plain words
	 * (no paths: /healthz is public). Keep it cheap. NULL = healthy.
	 */
	bool (*healthy)(void *app, char *why, size_t whylen);
	/*
	 * Called once the handler or the error hook has answered, before
	 * the response is queued, on the same thread: the app releases
	 * what it holds for the request, and may still hold the answer back
	 * with http_defer() (an error it later gives to http_resume()
	 * replaces the answer). NULL = nothing to do.
	 */
	void (*finish)(struct req *req);
};

/*
 * Starts a server on a borrowed `router` (which must not change and must
 * outlive the server) with `hooks` copied and `app` returned by
 * http_app(). The PEM texts are copied. ERR_INVALID for bad options or
 * host, ERR_IO when the daemon cannot start (port taken, bad TLS
 * material), ERR_NOMEM. `*out` is set only on ERR_OK.
 */
enum err http_server_new(const struct http_options *o,
			 const struct http_router *router,
			 const struct http_hooks *hooks, void *app,
			 struct http_server **out);

/* The bound TCP port (useful after port 0), or 0 once stopped. */
uint16_t http_server_port(const struct http_server *s);

/*
 * Graceful stop: answers new requests with 503 and "Connection: close",
 * waits up to shutdown_wait_ms for requests in flight to finish, and for
 * answers held for the disk (http_defer) however long it takes, then
 * stops the daemon, closing what is left. Call it while whatever calls
 * http_resume() still runs. Idempotent; call it from the main thread
 * (not from a signal handler or a request handler).
 */
void http_server_stop(struct http_server *s);

/* Stops the server if running and frees it; NULL is a no-op. */
void http_server_free(struct http_server *s);

/*
 * Request accessors. Every returned pointer lives in the request arena
 * (or MHD's connection memory) and is valid until the request ends;
 * never free it. Names are matched exactly (headers: case-insensitively).
 */
void *http_app(const struct req *req);

/* The application's own state for this request (NULL until set); the
 * app allocates it in the request arena. */
void *http_user(const struct req *req);
void http_set_user(struct req *req, void *user);
struct arena *http_arena(const struct req *req);
/* HTTP_METHOD__MAX for an unsupported method (seen by the error hook). */
enum http_method http_method(const struct req *req);
const char *http_method_str(const struct req *req);
/* The decoded, validated path ("/patients/12"). */
const char *http_path(const struct req *req);
/* The matched route, or NULL for built-ins and errors before routing. */
const struct http_route *http_route(const struct req *req);
bool http_is_tls(const struct req *req);

/* The path parameter `name` as an arena string, or NULL. */
const char *http_param(const struct req *req, const char *name);

/*
 * The first form field named `name` (the body's before the query's),
 * or NULL. `http_field_len` also gives its length in `*len`.
 */
const char *http_field(const struct req *req, const char *name);
const char *http_field_len(const struct req *req, const char *name,
			   size_t *len);

/* Every field, query first then body; `*count` receives the number. */
const struct http_field *http_fields(const struct req *req, size_t *count);

/* Every multipart upload; `*count` receives the number. */
const struct http_upload *http_uploads(const struct req *req,
				       size_t *count);

/* The first upload whose field name is `name`, or NULL. */
const struct http_upload *http_upload(const struct req *req,
				      const char *name);

/* The raw body of an HTTP_ROUTE_JSON route (valid UTF-8), or NULL. */
const char *http_body(const struct req *req, size_t *len);

/* A request header by name, or NULL. Not validated: may be any bytes. */
const char *http_header(const struct req *req, const char *name);

/*
 * The cookie `name` (the app's bare name; "__Host-" is prefixed under
 * TLS), or NULL. The value is an arena copy, not validated.
 */
const char *http_cookie(const struct req *req, const char *name);

/*
 * The client address as text: the socket peer, or with trust_proxy the
 * last X-Forwarded-For entry when it is an IP literal. Never NULL
 * ("unknown" when it cannot be read).
 */
const char *http_client_addr(struct req *req);

/*
 * Response API; handlers answer only through it. Each call replaces the
 * earlier status and body; headers accumulate. They return ERR_INVALID
 * for a header name or value with CR, LF or other control characters
 * (nothing changes), ERR_NOMEM.
 */

/*
 * Sets status, Content-Type and a body copied into the arena. A text
 * type gets "; charset=utf-8" unless it names a charset.
 */
enum err http_respond(struct req *req, int status, const char *ctype,
		      const void *body, size_t len);

/*
 * Like http_respond() but references `body`, which must outlive the
 * request: static or embedded data, or the request arena.
 */
enum err http_respond_ref(struct req *req, int status, const char *ctype,
			  const void *body, size_t len);

/* Adds a response header (several of the same name are allowed). */
enum err http_add_header(struct req *req, const char *name,
			 const char *value);

/* 303 See Other to `location` (a path or URL without CR/LF). */
enum err http_redirect(struct req *req, const char *location);

/*
 * Holds this request's answer until as many http_resume() calls as
 * http_defer() calls have come: for a write whose commit is not on disk
 * yet. The handler answers as usual; the connection is then suspended
 * (the worker thread serves others) and the answer goes out on the last
 * resume, or, if one of them brought an error, the error page for it.
 */
void http_defer(struct req *req);

/* From any thread: one deferred write is durable (ERR_OK) or failed. */
void http_resume(struct req *req, enum err e);

/* Adds "Cache-Control: no-store": pages showing personal data call it. */
void http_no_store(struct req *req);

/*
 * Sets cookie `name` (bare; "__Host-" prefixed under TLS) to `value`
 * with HttpOnly, SameSite=Strict, Path=/ and, under TLS, Secure.
 * `max_age` > 0 sets Max-Age, 0 deletes the cookie, < 0 makes a
 * session cookie. ERR_INVALID unless name is a token and value is
 * cookie-octets (printable ASCII without space, '"', ',', ';', '\').
 */
enum err http_set_cookie(struct req *req, const char *name,
			 const char *value, int64_t max_age);

/* Deletes cookie `name` (Max-Age=0, empty value). */
enum err http_delete_cookie(struct req *req, const char *name);

/*
 * The content-hashed URL of embedded file `name` ("app.css" or
 * "static/app.css"), e.g. "/static/app.0123456789abcdef.css", in the
 * arena; "/static/<name>" when the file is unknown; NULL on NOMEM.
 */
const char *http_static_url(struct arena *a, const char *name);

#endif

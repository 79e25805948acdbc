/*
 * Private structures of the HTTP layer, shared by its .c files only: the
 * server, the request and its pending response, and the functions one
 * file of src/http/ offers another.
 */
#ifndef HTTP_HTTP_INT_H
#define HTTP_HTTP_INT_H

#include <stdatomic.h>
#include <microhttpd.h>
#include <pthread.h>

#include "http/http.h"

#define HTTP_MAX_RESP_HEADERS 32

/* Metric slots after the routes' own: one per built-in handler. */
enum http_slot {
	HTTP_SLOT_STATIC,
	HTTP_SLOT_HEALTHZ,
	HTTP_SLOT_METRICS,
	HTTP_SLOT_NONE,		/* answered before a route was found */
	HTTP_SLOT__MAX
};

/* Histogram bucket bounds, in microseconds (0.001 s ... 10 s). */
#define HTTP_BUCKETS 13

/* Statuses counted one by one; anything else counts under its class. */
#define HTTP_STATUS_SLOTS 32

struct http_counters {
	atomic_uint_fast64_t requests[HTTP_METHOD__MAX][HTTP_STATUS_SLOTS];
	atomic_uint_fast64_t buckets[HTTP_BUCKETS];	/* not cumulative */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us;
};

struct http_metrics {
	size_t nslots;
	struct http_counters *slots;	/* routes, then enum http_slot */
};

struct http_server {
	struct MHD_Daemon *daemon;
	const struct http_router *router;
	struct http_hooks hooks;
	void *app;
	struct http_options o;
	char *tls_cert;
	char *tls_key;
	bool tls;
	uint16_t port;
	size_t arena_cap;
	atomic_int inflight;		/* requests the stop waits for */
	atomic_bool stopping;
	bool stopped;

	/*
	 * Answers held for the disk (http_defer) and http_resume() calls
	 * under way: the daemon may not stop before they are done.
	 */
	pthread_mutex_t held_mu;
	pthread_cond_t held_cv;
	int held;
	bool closing;			/* the daemon stops: hold no more */
	struct http_metrics metrics;
};

struct http_resp_header {
	const char *name;
	const char *value;
};

struct http_resp {
	int status;			/* 0 = nothing set yet */
	const char *ctype;
	const void *body;
	size_t len;
	struct http_resp_header h[HTTP_MAX_RESP_HEADERS];
	size_t nh;
	bool no_store;
};

enum http_body_kind {
	HTTP_BODY_NONE,
	HTTP_BODY_URLENCODED,
	HTTP_BODY_MULTIPART,
	HTTP_BODY_JSON
};

struct req {
	struct http_server *srv;
	struct MHD_Connection *con;
	struct arena *a;
	uint64_t start_ns;
	enum http_method method;
	const char *method_str;
	char *path;
	size_t path_len;
	struct http_match match;	/* match.route NULL = none */
	size_t slot;			/* metrics slot */
	enum err early;		/* answer found before the body */
	bool done;			/* a response was queued */
	bool discarding;		/* body over the cap: drop the rest */
	size_t discarded;
	enum http_body_kind body_kind;
	size_t body_max;
	char *body;
	size_t body_len;
	size_t body_cap;
	struct http_form form;
	size_t nquery;		/* fields[0..nquery) are the query */
	const char *client;
	int sent_status;		/* what went out, for metrics */
	struct http_resp resp;
	void *user;			/* the application's request state */
	bool counted;			/* in srv->inflight */

	/* Answers held until writes are durable (http_defer). */
	pthread_mutex_t defer_mu;
	pthread_cond_t defer_cv;	/* deferred reached 0 */
	int deferred;			/* writes not yet durable */
	bool suspended;			/* the connection waits for them */
	bool resumed;			/* ...and may go on now */
	bool held;			/* counted in srv->held */
	enum err defer_err;		/* a write that could not be made durable */
};

/* form.c: appends one decoded field after checking limits and UTF-8. */
enum err http_form_add(struct arena *a, struct http_form *f,
		       const struct http_form_limits *lim, const char *name,
		       size_t nlen, const char *value, size_t vlen);

/* response.c */
void http_security_headers(struct MHD_Response *r, bool tls);
enum MHD_Result http_queue(struct req *req);
void http_respond_error(struct req *req, enum err e);

/* static.c */
bool http_static_serve(struct req *req);

/* metrics.c */
enum err http_metrics_init(struct http_metrics *m, size_t nroutes);
void http_metrics_release(struct http_metrics *m);
void http_metrics_record(struct http_metrics *m, size_t slot,
			 enum http_method method, int status,
			 uint64_t duration_ns);
enum err http_metrics_serve(struct req *req);

/* router.c */
const char *http_route_label(const struct http_router *r, size_t index);

#endif

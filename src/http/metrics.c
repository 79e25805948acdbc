/*
 * Per-process request metrics in Prometheus text format: a counter per
 * route, method and status, and a latency histogram per route. Counters
 * are relaxed atomics indexed by the route's position, so recording takes
 * no lock; labels come from route names, never from request paths, so
 * their number stays bounded.
 */
#include "http/http.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/http_int.h"
#include "core/banned.h"

#define METRICS_MAX_TEXT (4 << 20)

static const uint64_t bucket_us[HTTP_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};

static const char *const bucket_le[HTTP_BUCKETS] = {
	"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
	"0.5", "1", "2.5", "5", "10",
};

/* The last slot counts every status not listed. */
static const int statuses[HTTP_STATUS_SLOTS - 1] = {
	200, 201, 202, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403,
	404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 422, 429,
	431, 500, 501, 502, 503,
};

static const char *const slot_names[HTTP_SLOT__MAX] = {
	[HTTP_SLOT_STATIC] = "/static",
	[HTTP_SLOT_HEALTHZ] = "/healthz",
	[HTTP_SLOT_METRICS] = "/metrics",
	[HTTP_SLOT_NONE] = "none",
};

static const char *const method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_PATCH] = "PATCH",
	[HTTP_DELETE] = "DELETE",
};

enum err
http_metrics_init(struct http_metrics *m, size_t nroutes)
{
	m->nslots = nroutes + HTTP_SLOT__MAX;
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	return m->slots ? ERR_OK : ERR_NOMEM;
}

void
http_metrics_release(struct http_metrics *m)
{
	free(m->slots);
	m->slots = NULL;
	m->nslots = 0;
}

static size_t
status_index(int status)
{
	size_t i;

	for (i = 0; i < HTTP_STATUS_SLOTS - 1; i++)
		if (statuses[i] == status)
			return i;
	return HTTP_STATUS_SLOTS - 1;
}

void
http_metrics_record(struct http_metrics *m, size_t slot,
		    enum http_method method, int status, uint64_t duration_ns)
{
	struct http_counters *c;
	uint64_t us = duration_ns / 1000;
	size_t i;

	if (slot >= m->nslots || method >= HTTP_METHOD__MAX)
		return;
	c = &m->slots[slot];
	atomic_fetch_add_explicit(&c->requests[method][status_index(status)],
				  1, memory_order_relaxed);
	for (i = 0; i < HTTP_BUCKETS; i++)
		if (us <= bucket_us[i]) {
			atomic_fetch_add_explicit(&c->buckets[i], 1,
						  memory_order_relaxed);
			break;
		}
	atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum_us, us, memory_order_relaxed);
}

/* Appends `s` escaped as a Prometheus label value. */
static void
add_label(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

static const char *
slot_label(const struct req *req, size_t slot)
{
	size_t nroutes = req->srv->metrics.nslots - HTTP_SLOT__MAX;

	if (slot < nroutes)
		return http_route_label(req->srv->router, slot);
	return slot_names[slot - nroutes];
}

static void
add_requests(struct buf *b, const struct req *req)
{
	const struct http_metrics *m = &req->srv->metrics;
	uint64_t v;
	size_t s, me, st;

	buf_adds(b, "# HELP cocare_http_requests_total HTTP requests by "
		    "route, method and status.\n"
		    "# TYPE cocare_http_requests_total counter\n");
	for (s = 0; s < m->nslots; s++)
		for (me = 0; me < HTTP_METHOD__MAX; me++)
			for (st = 0; st < HTTP_STATUS_SLOTS; st++) {
				v = atomic_load_explicit(
				    &m->slots[s].requests[me][st],
				    memory_order_relaxed);
				if (!v)
					continue;
				buf_adds(b, "cocare_http_requests_total"
					    "{route=\"");
				add_label(b, slot_label(req, s));
				if (st < HTTP_STATUS_SLOTS - 1)
					buf_printf(b, "\",method=\"%s\","
						   "status=\"%d\"} %" PRIu64
						   "\n", method_names[me],
						   statuses[st], v);
				else
					buf_printf(b, "\",method=\"%s\","
						   "status=\"other\"} %" PRIu64
						   "\n", method_names[me], v);
			}
}

static void
add_histogram(struct buf *b, const struct req *req)
{
	const struct http_metrics *m = &req->srv->metrics;
	const struct http_counters *c;
	uint64_t count, cum, sum;
	size_t s, i;

	buf_adds(b, "# HELP cocare_http_request_duration_seconds Time from "
		    "request headers to the end of the response.\n"
		    "# TYPE cocare_http_request_duration_seconds "
		    "histogram\n");
	for (s = 0; s < m->nslots; s++) {
		c = &m->slots[s];
		count = atomic_load_explicit(&c->count, memory_order_relaxed);
		if (!count)
			continue;
		cum = 0;
		for (i = 0; i < HTTP_BUCKETS; i++) {
			cum += atomic_load_explicit(&c->buckets[i],
						    memory_order_relaxed);
			buf_adds(b, "cocare_http_request_duration_"
				    "seconds_bucket{route=\"");
			add_label(b, slot_label(req, s));
			buf_printf(b, "\",le=\"%s\"} %" PRIu64 "\n",
				   bucket_le[i], cum);
		}
		sum = atomic_load_explicit(&c->sum_us, memory_order_relaxed);
		buf_adds(b, "cocare_http_request_duration_seconds_bucket"
			    "{route=\"");
		add_label(b, slot_label(req, s));
		buf_printf(b, "\",le=\"+Inf\"} %" PRIu64 "\n", count);
		buf_adds(b, "cocare_http_request_duration_seconds_sum"
			    "{route=\"");
		add_label(b, slot_label(req, s));
		buf_printf(b, "\"} %" PRIu64 ".%06" PRIu64 "\n",
			   sum / 1000000, sum % 1000000);
		buf_adds(b, "cocare_http_request_duration_seconds_count"
			    "{route=\"");
		add_label(b, slot_label(req, s));
		buf_printf(b, "\"} %" PRIu64 "\n", count);
	}
}

/*
 * GET /metrics: 200 with the counters, the histogram and the app's
 * gauges; 500 when the text outgrows its cap.
 */
enum err
http_metrics_serve(struct req *req)
{
	struct buf b;

	buf_init(&b, req->a, METRICS_MAX_TEXT);
	add_requests(&b, req);
	add_histogram(&b, req);
	if (req->srv->hooks.metrics)
		req->srv->hooks.metrics(req, &b);
	if (b.failed)
		return ERR_NOMEM;
	http_no_store(req);
	return http_respond_ref(req, 200, "text/plain; version=0.0.4", b.p,
				b.len);
}

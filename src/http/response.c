/*
 * The response API: handlers set status, headers and body on the request,
 * and http_queue() turns that into one MHD response. Security headers are
 * added in http_security_headers(), the one place they are decided, and
 * errors become responses in http_respond_error(), through the app's
 * error hook or a plain-text fallback.
 */
#include "http/http.h"

#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/log.h"
#include "http/http_int.h"
#include "core/banned.h"

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	    "img-src 'self' data:; object-src 'none'; base-uri 'none'; " \
	    "form-action 'self'; frame-ancestors 'none'"

void
http_security_headers(struct MHD_Response *r, bool tls)
{
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), "
				"interest-cohort=()");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy",
				"same-origin");
	if (tls)
		MHD_add_response_header(r, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
}

static bool
is_text_type(const char *t)
{
	static const char *const text[] = {
		"application/json", "application/fhir+json",
		"application/javascript", "application/xml",
		"application/fhir+xml", "image/svg+xml",
		"application/problem+json",
	};
	size_t i, n;

	if (strncasecmp(t, "text/", 5) == 0)
		return true;
	n = strcspn(t, ";");
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (strlen(text[i]) == n && strncasecmp(t, text[i], n) == 0)
			return true;
	return false;
}

static bool
token_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || strchr("()<>@,;:\\\"/[]?={}",
						       *s))
			return false;
	return true;
}

static bool
value_ok(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

static enum err
set_body(struct req *req, int status, const char *ctype, const void *body,
	 size_t len)
{
	const char *t = NULL;

	if (status < 100 || status > 599)
		return ERR_INVALID;
	if (ctype) {
		if (!value_ok(ctype))
			return ERR_INVALID;
		if (is_text_type(ctype) && !strcasestr(ctype, "charset"))
			t = arena_printf(req->a, "%s; charset=utf-8", ctype);
		else
			t = arena_strdup(req->a, ctype);
		if (!t)
			return ERR_NOMEM;
	}
	req->resp.status = status;
	req->resp.ctype = t;
	req->resp.body = len ? body : "";
	req->resp.len = len;
	return ERR_OK;
}

enum err
http_respond(struct req *req, int status, const char *ctype,
	     const void *body, size_t len)
{
	char *copy = NULL;

	if (len) {
		copy = arena_alloc(req->a, len);
		if (!copy)
			return ERR_NOMEM;
		memcpy(copy, body, len);
	}
	return set_body(req, status, ctype, copy, len);
}

enum err
http_respond_ref(struct req *req, int status, const char *ctype,
		 const void *body, size_t len)
{
	return set_body(req, status, ctype, body, len);
}

enum err
http_add_header(struct req *req, const char *name, const char *value)
{
	struct http_resp_header *h;

	if (!name || !value || !token_ok(name) || !value_ok(value))
		return ERR_INVALID;
	if (req->resp.nh == HTTP_MAX_RESP_HEADERS)
		return ERR_TOO_LARGE;
	h = &req->resp.h[req->resp.nh];
	h->name = arena_strdup(req->a, name);
	h->value = arena_strdup(req->a, value);
	if (!h->name || !h->value)
		return ERR_NOMEM;
	req->resp.nh++;
	return ERR_OK;
}

enum err
http_redirect(struct req *req, const char *location)
{
	enum err rc;

	if (!location || !*location)
		return ERR_INVALID;
	rc = http_add_header(req, "Location", location);
	if (rc != ERR_OK)
		return rc;
	return http_respond_ref(req, 303, NULL, "", 0);
}

void
http_no_store(struct req *req)
{
	req->resp.no_store = true;
}

/*
 * Queues the response set on `req`. The body lives in the arena or in
 * static memory, both outliving the response (the arena goes only in
 * the completion callback), so MHD references it without a copy.
 */
enum MHD_Result
http_queue(struct req *req)
{
	struct http_resp *rs = &req->resp;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	r = MHD_create_response_from_buffer(rs->len, (void *)rs->body,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (rs->ctype)
		MHD_add_response_header(r, "Content-Type", rs->ctype);
	for (i = 0; i < rs->nh; i++)
		MHD_add_response_header(r, rs->h[i].name, rs->h[i].value);
	if (rs->no_store)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	if (atomic_load(&req->srv->stopping))
		MHD_add_response_header(r, "Connection", "close");
	http_security_headers(r, req->srv->tls);
	ret = MHD_queue_response(req->con, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES) {
		req->done = true;
		req->sent_status = rs->status;
	}
	return ret;
}

void
http_respond_error(struct req *req, enum err e)
{
	static const char fallback[] = "internal error\n";
	const char *allow = NULL;
	const char *msg;
	size_t i;

	if (e == ERR_OK)
		e = ERR_INTERNAL;
	/* Keep an Allow header computed for a 405; drop the rest. */
	for (i = 0; i < req->resp.nh; i++)
		if (strcmp(req->resp.h[i].name, "Allow") == 0)
			allow = req->resp.h[i].value;
	memset(&req->resp, 0, sizeof(req->resp));
	if (allow) {
		req->resp.h[0].name = "Allow";
		req->resp.h[0].value = allow;
		req->resp.nh = 1;
	}
	if (req->srv->hooks.error)
		req->srv->hooks.error(req, e);
	if (req->resp.status == 0) {
		msg = arena_printf(req->a, "%s\n", err_str(e));
		if (!msg)
			msg = fallback;
		set_body(req, err_http_status(e), "text/plain", msg,
			 strlen(msg));
	}
	if (req->resp.status == 0) {
		/* The arena is exhausted: answer from static memory. */
		req->resp.status = 500;
		req->resp.ctype = "text/plain; charset=utf-8";
		req->resp.body = fallback;
		req->resp.len = sizeof(fallback) - 1;
	}
	/* An error page never goes into a shared cache. */
	req->resp.no_store = true;
}

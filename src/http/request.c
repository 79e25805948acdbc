/*
 * The request side: decoding and validating the path, and the accessors
 * handlers read a request through (parameters, fields, uploads, headers,
 * client address). Everything returned lives in the request arena or in
 * MHD's connection memory and ends with the request.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/arena.h"
#include "http/http_int.h"
#include "core/banned.h"

static bool
encoded(const char *p, const char *end, char hi, char lo)
{
	return end - p >= 3 && p[0] == '%' && p[1] == hi &&
	       (p[2] == lo || p[2] == (char)(lo - 'a' + 'A'));
}

enum err
http_path_decode(struct arena *a, const char *raw, size_t len, char **out,
		 size_t *out_len)
{
	const char *p, *end = raw + len, *seg;
	char *d;
	size_t n, i, slen;
	enum err rc;

	if (len == 0 || raw[0] != '/')
		return ERR_INVALID;
	/* An encoded '/' or '\' would hide a segment from the checks. */
	for (p = raw; p < end; p++)
		if (*p == '\\' || encoded(p, end, '5', 'c') ||
		    encoded(p, end, '2', 'f'))
			return ERR_INVALID;
	rc = http_percent_decode(a, raw, len, false, &d, &n);
	if (rc != ERR_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			return ERR_INVALID;
	if (!utf8_valid(d, n))
		return ERR_BAD_UTF8;
	seg = d + 1;
	for (i = 1; i <= n; i++) {
		if (i < n && d[i] != '/')
			continue;
		slen = (size_t)(d + i - seg);
		if ((slen == 1 && seg[0] == '.') ||
		    (slen == 2 && seg[0] == '.' && seg[1] == '.'))
			return ERR_INVALID;
		seg = d + i + 1;
	}
	*out = d;
	*out_len = n;
	return ERR_OK;
}

void *
http_app(const struct req *req)
{
	return req->srv->app;
}

void *
http_user(const struct req *req)
{
	return req->user;
}

void
http_set_user(struct req *req, void *user)
{
	req->user = user;
}

struct arena *
http_arena(const struct req *req)
{
	return req->a;
}

enum http_method
http_method(const struct req *req)
{
	return req->method;
}

const char *
http_method_str(const struct req *req)
{
	return req->method_str;
}

const char *
http_path(const struct req *req)
{
	return req->path;
}

const struct http_route *
http_route(const struct req *req)
{
	return req->match.route;
}

bool
http_is_tls(const struct req *req)
{
	return req->srv->tls;
}

const char *
http_param(const struct req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->match.nparams; i++)
		if (str_eq_c(req->match.params[i].name, name))
			return str_dup(req->a, req->match.params[i].value);
	return NULL;
}

static const struct http_field *
field_in(const struct req *req, size_t from, size_t to, const char *name)
{
	size_t i;

	for (i = from; i < to; i++)
		if (strcmp(req->form.fields[i].name, name) == 0)
			return &req->form.fields[i];
	return NULL;
}

const char *
http_field_len(const struct req *req, const char *name, size_t *len)
{
	const struct http_field *f;

	f = field_in(req, req->nquery, req->form.nfields, name);
	if (!f)
		f = field_in(req, 0, req->nquery, name);
	if (!f)
		return NULL;
	if (len)
		*len = f->len;
	return f->value;
}

const char *
http_field(const struct req *req, const char *name)
{
	return http_field_len(req, name, NULL);
}

const struct http_field *
http_fields(const struct req *req, size_t *count)
{
	*count = req->form.nfields;
	return req->form.fields;
}

const struct http_upload *
http_uploads(const struct req *req, size_t *count)
{
	*count = req->form.nuploads;
	return req->form.uploads;
}

const struct http_upload *
http_upload(const struct req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->form.nuploads; i++)
		if (strcmp(req->form.uploads[i].name, name) == 0)
			return &req->form.uploads[i];
	return NULL;
}

const char *
http_body(const struct req *req, size_t *len)
{
	if (req->body_kind != HTTP_BODY_JSON || !req->body)
		return NULL;
	if (len)
		*len = req->body_len;
	return req->body;
}

const char *
http_header(const struct req *req, const char *name)
{
	return MHD_lookup_connection_value(req->con, MHD_HEADER_KIND, name);
}

/* The last X-Forwarded-For entry (the one our proxy added), if an IP. */
static const char *
forwarded_for(struct req *req)
{
	const char *h = http_header(req, "X-Forwarded-For"), *last;
	unsigned char tmp[sizeof(struct in6_addr)];
	struct str s;
	char *ip;

	if (!h)
		return NULL;
	last = strrchr(h, ',');
	s = str_trim(str_c(last ? last + 1 : h));
	if (s.len == 0 || s.len >= INET6_ADDRSTRLEN)
		return NULL;
	ip = str_dup(req->a, s);
	if (!ip)
		return NULL;
	if (inet_pton(AF_INET, ip, tmp) != 1 &&
	    inet_pton(AF_INET6, ip, tmp) != 1)
		return NULL;
	return ip;
}

const char *
http_client_addr(struct req *req)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	char buf[INET6_ADDRSTRLEN];
	const char *ip = NULL;

	if (req->client)
		return req->client;
	if (req->srv->o.trust_proxy)
		ip = forwarded_for(req);
	if (!ip) {
		ci = MHD_get_connection_info(
		    req->con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		sa = ci ? ci->client_addr : NULL;
		if (sa && sa->sa_family == AF_INET)
			ip = inet_ntop(AF_INET,
				       &((const struct sockaddr_in *)sa)
					    ->sin_addr, buf, sizeof(buf));
		else if (sa && sa->sa_family == AF_INET6)
			ip = inet_ntop(AF_INET6,
				       &((const struct sockaddr_in6 *)sa)
					    ->sin6_addr, buf, sizeof(buf));
		if (ip)
			ip = arena_strdup(req->a, ip);
	}
	req->client = ip ? ip : "unknown";
	return req->client;
}

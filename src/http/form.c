/*
 * Form parsing: a percent-decoder, application/x-www-form-urlencoded and
 * multipart/form-data. Both parse a whole body already held in memory
 * (capped by the server), so they are plain functions over bytes, easy
 * to test and fuzz. Every name and value must be UTF-8 without NUL.
 *
 * Multipart is parsed here rather than with MHD's post processor: the
 * body is already complete, and a direct parser can insist on the final
 * boundary and report malformed parts instead of skipping them.
 */
#include "http/http.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/str.h"
#include "http/http_int.h"
#include "core/banned.h"

#define MULTIPART_MAX_BOUNDARY 70
#define MULTIPART_MAX_HEADERS 8192

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum err
http_percent_decode(struct arena *a, const char *s, size_t len, bool plus,
		    char **out, size_t *out_len)
{
	size_t i, n = 0;
	char *d;
	int hi, lo;

	if (len == SIZE_MAX)
		return ERR_TOO_LARGE;
	d = arena_alloc(a, len + 1);
	if (!d)
		return ERR_NOMEM;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3)
				return ERR_INVALID;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return ERR_INVALID;
			d[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && s[i] == '+') {
			d[n++] = ' ';
		} else {
			d[n++] = s[i];
		}
	}
	d[n] = '\0';
	*out = d;
	*out_len = n;
	return ERR_OK;
}

/* Checks the limits and UTF-8, then appends; `name` and `value` are
 * NUL-terminated arena strings the form now points to. */
enum err
http_form_add(struct arena *a, struct http_form *f,
	 const struct http_form_limits *lim, const char *name, size_t nlen,
	 const char *value, size_t vlen)
{
	struct http_field *p;
	size_t cap;

	if (f->nfields + f->nuploads >= lim->max_fields ||
	    vlen > lim->max_field_len || nlen > lim->max_field_len)
		return ERR_TOO_LARGE;
	if (!utf8_valid(name, nlen) || !utf8_valid(value, vlen))
		return ERR_BAD_UTF8;
	if (f->nfields == f->cap) {
		cap = f->cap ? f->cap * 2 : 16;
		p = arena_calloc(a, cap, sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		if (f->nfields)
			memcpy(p, f->fields, f->nfields * sizeof(*p));
		f->fields = p;
		f->cap = cap;
	}
	f->fields[f->nfields].name = name;
	f->fields[f->nfields].value = value;
	f->fields[f->nfields].len = vlen;
	f->nfields++;
	return ERR_OK;
}

static enum err
upload_add(struct arena *a, struct http_form *f,
	   const struct http_form_limits *lim, const struct http_upload *u)
{
	struct http_upload *p;
	size_t cap;

	if (f->nfields + f->nuploads >= lim->max_fields)
		return ERR_TOO_LARGE;
	if (f->nuploads == f->ucap) {
		cap = f->ucap ? f->ucap * 2 : 4;
		p = arena_calloc(a, cap, sizeof(*p));
		if (!p)
			return ERR_NOMEM;
		if (f->nuploads)
			memcpy(p, f->uploads, f->nuploads * sizeof(*p));
		f->uploads = p;
		f->ucap = cap;
	}
	f->uploads[f->nuploads++] = *u;
	return ERR_OK;
}

enum err
http_form_parse_urlencoded(struct arena *a, const char *s, size_t len,
			   const struct http_form_limits *lim,
			   struct http_form *f)
{
	const char *p = s, *end = s + len, *amp, *eq;
	char *name, *value;
	size_t nlen, vlen;
	enum err rc;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		/* Refuse before decoding: a decoded text is never longer. */
		if ((size_t)(amp - p) > 3 * lim->max_field_len + 1)
			return ERR_TOO_LARGE;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (!eq)
			eq = amp;
		rc = http_percent_decode(a, p, (size_t)(eq - p), true, &name,
					 &nlen);
		if (rc != ERR_OK)
			return rc;
		if (eq < amp)
			rc = http_percent_decode(a, eq + 1,
						 (size_t)(amp - eq - 1), true,
						 &value, &vlen);
		else
			rc = http_percent_decode(a, "", 0, true, &value, &vlen);
		if (rc != ERR_OK)
			return rc;
		rc = http_form_add(a, f, lim, name, nlen, value, vlen);
		if (rc != ERR_OK)
			return rc;
		p = amp < end ? amp + 1 : end;
	}
	return ERR_OK;
}

/*
 * Reads one parameter value at `*p` (a token or a quoted string) up to
 * `end`. Browsers send backslashes in filenames literally and encode '"'
 * as %22, so a quoted string simply ends at the next '"'.
 */
static bool
param_value(const char **p, const char *end, struct str *out)
{
	const char *s = *p, *q;

	if (s < end && *s == '"') {
		q = memchr(s + 1, '"', (size_t)(end - s - 1));
		if (!q)
			return false;
		out->p = s + 1;
		out->len = (size_t)(q - s - 1);
		*p = q + 1;
		return true;
	}
	q = s;
	while (q < end && *q != ';' && *q != ' ' && *q != '\t')
		q++;
	out->p = s;
	out->len = (size_t)(q - s);
	*p = q;
	return true;
}

/*
 * Finds parameter `want` in a header value's "; k=v" list. True with
 * `out` set when present; `*bad` set for a malformed list.
 */
static bool
header_param(struct str h, const char *want, struct str *out, bool *bad)
{
	const char *p = h.p, *end = h.p + h.len, *k;
	size_t klen, wlen = strlen(want);
	struct str v;

	p = memchr(p, ';', h.len);
	while (p && p < end) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		k = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		klen = (size_t)(p - k);
		while (klen && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
			klen--;
		if (p == end || *p != '=') {
			if (p == end)
				return false;
			continue;
		}
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (!param_value(&p, end, &v)) {
			*bad = true;
			return false;
		}
		if (klen == wlen && strncasecmp(k, want, wlen) == 0) {
			*out = v;
			return true;
		}
		while (p < end && *p != ';')
			p++;
	}
	return false;
}

struct part {
	struct str name;
	struct str filename;
	struct str ctype;
	bool has_name;
	bool has_filename;
};

/* Parses the header block of one part ("Name: value" lines). */
static enum err
part_headers(struct str h, struct part *pt)
{
	const char *p = h.p, *end = h.p + h.len, *eol, *colon;
	struct str name, value;
	bool bad = false;

	memset(pt, 0, sizeof(*pt));
	while (p < end) {
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (!eol)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			return ERR_INVALID;
		name = str_trim((struct str){p, (size_t)(colon - p)});
		value = str_trim((struct str){colon + 1,
					      (size_t)(eol - colon - 1)});
		if (name.len == 19 &&
		    strncasecmp(name.p, "Content-Disposition", 19) == 0) {
			if (value.len < 9 ||
			    strncasecmp(value.p, "form-data", 9) != 0)
				return ERR_INVALID;
			pt->has_name = header_param(value, "name", &pt->name,
						    &bad);
			pt->has_filename = header_param(value, "filename",
							&pt->filename, &bad);
			if (bad)
				return ERR_INVALID;
		} else if (name.len == 12 &&
			   strncasecmp(name.p, "Content-Type", 12) == 0) {
			pt->ctype = value;
		}
		p = eol + 2;
	}
	return pt->has_name ? ERR_OK : ERR_INVALID;
}

static enum err
part_add(struct arena *a, struct http_form *f,
	 const struct http_form_limits *lim, const struct part *pt,
	 const char *data, size_t len)
{
	struct http_upload u;
	char *name, *value;

	if (pt->name.len > lim->max_field_len)
		return ERR_TOO_LARGE;
	if (!utf8_valid(pt->name.p, pt->name.len))
		return ERR_BAD_UTF8;
	name = str_dup(a, pt->name);
	if (!name)
		return ERR_NOMEM;
	if (!pt->has_filename) {
		if (len > lim->max_field_len)
			return ERR_TOO_LARGE;
		value = arena_strndup(a, data, len);
		if (!value)
			return ERR_NOMEM;
		return http_form_add(a, f, lim, name, pt->name.len, value, len);
	}
	if (!utf8_valid(pt->filename.p, pt->filename.len) ||
	    !utf8_valid(pt->ctype.p, pt->ctype.len))
		return ERR_BAD_UTF8;
	if (str_has_control(pt->filename.p, pt->filename.len) ||
	    str_has_control(pt->ctype.p, pt->ctype.len))
		return ERR_INVALID;
	u.name = name;
	u.filename = str_dup(a, pt->filename);
	u.content_type = pt->ctype.len ? str_dup(a, pt->ctype) :
					 "application/octet-stream";
	u.data = (const unsigned char *)data;
	u.len = len;
	if (!u.filename || !u.content_type)
		return ERR_NOMEM;
	return upload_add(a, f, lim, &u);
}

enum err
http_form_parse_multipart(struct arena *a, const char *ctype,
			  const char *body, size_t len,
			  const struct http_form_limits *lim,
			  struct http_form *f)
{
	char delim[MULTIPART_MAX_BOUNDARY + 4];	/* "\r\n--" boundary */
	const char *p, *end = body + len, *hdr_end, *next;
	struct str b;
	struct part pt;
	size_t dlen;
	bool bad = false;
	enum err rc;

	if (!ctype || !header_param(str_c(ctype), "boundary", &b, &bad) ||
	    b.len == 0 || b.len > MULTIPART_MAX_BOUNDARY ||
	    str_has_control(b.p, b.len) || memchr(b.p, '\t', b.len) ||
	    memchr(b.p, '\r', b.len) || memchr(b.p, '\n', b.len))
		return ERR_INVALID;
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, b.p, b.len);
	dlen = b.len + 4;

	/* The first delimiter may open the body without its CRLF. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body + dlen - 2;
	} else {
		p = memmem(body, len, delim, dlen);
		if (!p)
			return ERR_INVALID;
		p += dlen;
	}
	for (;;) {
		/* After a delimiter: "--" closes, else padding and CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return ERR_OK;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return ERR_INVALID;
		p += 2;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hdr_end = p;	/* a part with no headers */
		} else {
			hdr_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
			if (!hdr_end || hdr_end - p > MULTIPART_MAX_HEADERS)
				return ERR_INVALID;
		}
		rc = part_headers((struct str){p, (size_t)(hdr_end - p)}, &pt);
		if (rc != ERR_OK)
			return rc;
		p = hdr_end + (hdr_end == p ? 2 : 4);
		next = memmem(p, (size_t)(end - p), delim, dlen);
		if (!next)
			return ERR_INVALID;
		rc = part_add(a, f, lim, &pt, p, (size_t)(next - p));
		if (rc != ERR_OK)
			return rc;
		p = next + dlen;
	}
}

/*
 * Static files from the embedded table, at /static/<name> (revalidated
 * with the ETag) and at the content-hashed /static/<base>.<hash>.<ext>
 * (cached for a year, immutable), with the precompressed .gz variant for
 * clients that accept gzip. Templates get hashed URLs from
 * http_static_url().
 */
#include "http/http.h"

#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/embed.h"
#include "http/http_int.h"
#include "core/banned.h"

#define STATIC_PREFIX "/static/"
#define HASH_LEN 16

struct ctype_ext {
	const char *ext;
	const char *type;
};

static const struct ctype_ext ctypes[] = {
	{"css", "text/css"},
	{"js", "text/javascript"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"ico", "image/x-icon"},
	{"woff2", "font/woff2"},
	{"txt", "text/plain"},
	{"json", "application/json"},
	{"html", "text/html"},
	{"webmanifest", "application/manifest+json"},
};

static const char *
ctype_for(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot)
		for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++)
			if (strcmp(dot + 1, ctypes[i].ext) == 0)
				return ctypes[i].type;
	return "application/octet-stream";
}

static bool
is_hash(const char *s)
{
	size_t i;

	for (i = 0; i < HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* True when an Accept-Encoding list names gzip with a non-zero q. */
static bool
accepts_gzip(const char *h)
{
	const char *p = h, *end, *comma, *semi, *q;
	struct str tok;

	if (!h)
		return false;
	end = h + strlen(h);
	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		semi = memchr(p, ';', (size_t)(comma - p));
		tok = str_trim((struct str){p, (size_t)((semi ? semi : comma) -
							p)});
		if (tok.len == 4 && strncasecmp(tok.p, "gzip", 4) == 0) {
			if (!semi)
				return true;
			q = semi + 1;
			while (q < comma && (*q == ' ' || *q == '\t'))
				q++;
			if (comma - q < 3 || strncmp(q, "q=0", 3) != 0)
				return true;
			for (q += 3; q < comma && (*q == '.' || *q == '0');)
				q++;
			/* "q=0", "q=0.0" refuse; "q=0.5" accepts. */
			return q < comma && *q >= '1' && *q <= '9';
		}
		p = comma + 1;
	}
	return false;
}

/* True when an If-None-Match list holds `etag` (weak or strong) or "*". */
static bool
etag_matches(const char *h, const char *etag)
{
	const char *p = h, *end, *comma;
	struct str t;
	size_t elen = strlen(etag);

	if (!h)
		return false;
	end = h + strlen(h);
	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		t = str_trim((struct str){p, (size_t)(comma - p)});
		if (t.len >= 2 && t.p[0] == 'W' && t.p[1] == '/') {
			t.p += 2;
			t.len -= 2;
		}
		if ((t.len == 1 && t.p[0] == '*') ||
		    (t.len == elen && memcmp(t.p, etag, elen) == 0))
			return true;
		p = comma + 1;
	}
	return false;
}

/*
 * Finds the file for `rest` (the path after /static/): the plain name,
 * else "<base>.<hash>.<ext>" whose hash is the file's current one.
 */
static const struct embedded_file *
lookup(struct arena *a, const char *rest, bool *immutable)
{
	const struct embedded_file *f;
	const char *name, *dot, *h;

	*immutable = false;
	name = arena_printf(a, "static/%s", rest);
	if (!name)
		return NULL;
	f = embed_find(name);
	if (f)
		return f;
	dot = strrchr(rest, '.');
	if (!dot || dot - rest < HASH_LEN + 2 || dot[-HASH_LEN - 1] != '.')
		return NULL;
	h = dot - HASH_LEN;
	if (!is_hash(h))
		return NULL;
	name = arena_printf(a, "static/%.*s%s", (int)(h - 1 - rest), rest,
			    dot);
	if (!name)
		return NULL;
	f = embed_find(name);
	if (!f || strncmp(f->hash, h, HASH_LEN) != 0)
		return NULL;
	*immutable = true;
	return f;
}

static enum err
serve(struct req *req, const struct embedded_file *f, bool immutable)
{
	const struct embedded_file *gz = NULL, *send = f;
	const char *gzname, *etag;
	enum err rc;

	gzname = arena_printf(req->a, "%s.gz", f->name);
	if (!gzname)
		return ERR_NOMEM;
	gz = embed_find(gzname);
	if (gz && accepts_gzip(http_header(req, "Accept-Encoding")))
		send = gz;
	etag = arena_printf(req->a, "\"%s\"", send->hash);
	if (!etag)
		return ERR_NOMEM;
	rc = http_add_header(req, "ETag", etag);
	if (rc == ERR_OK)
		rc = http_add_header(req, "Cache-Control", immutable ?
				     "public, max-age=31536000, immutable" :
				     "public, max-age=3600");
	if (rc == ERR_OK && gz)
		rc = http_add_header(req, "Vary", "Accept-Encoding");
	if (rc != ERR_OK)
		return rc;
	if (etag_matches(http_header(req, "If-None-Match"), etag))
		return http_respond_ref(req, 304, NULL, "", 0);
	if (send == gz) {
		rc = http_add_header(req, "Content-Encoding", "gzip");
		if (rc != ERR_OK)
			return rc;
	}
	return http_respond_ref(req, 200, ctype_for(f->name), send->data,
				send->len);
}

/*
 * Answers a request under /static/: 200 or 304 with the file, 404 for an
 * unknown or stale hashed name (and direct requests for .gz variants).
 * The server has already refused POST with 405. False when the path is
 * not under /static/.
 */
bool
http_static_serve(struct req *req)
{
	const struct embedded_file *f;
	const char *rest;
	bool immutable;
	enum err rc;
	size_t len;

	if (strncmp(req->path, STATIC_PREFIX, strlen(STATIC_PREFIX)) != 0)
		return false;
	rest = req->path + strlen(STATIC_PREFIX);
	len = strlen(rest);
	if (len == 0 || (len > 3 && strcmp(rest + len - 3, ".gz") == 0)) {
		rc = ERR_NOT_FOUND;
	} else {
		f = lookup(req->a, rest, &immutable);
		rc = f ? serve(req, f, immutable) : ERR_NOT_FOUND;
	}
	if (rc != ERR_OK)
		http_respond_error(req, rc);
	return true;
}

const char *
http_static_url(struct arena *a, const char *name)
{
	const struct embedded_file *f;
	const char *full, *dot, *slash;

	if (strncmp(name, "static/", 7) == 0)
		name += 7;
	full = arena_printf(a, "static/%s", name);
	if (!full)
		return NULL;
	f = embed_find(full);
	dot = strrchr(name, '.');
	slash = strrchr(name, '/');
	if (!f || !f->hash || !dot || (slash && slash > dot) || dot == name)
		return arena_printf(a, STATIC_PREFIX "%s", name);
	return arena_printf(a, STATIC_PREFIX "%.*s.%.*s%s",
			    (int)(dot - name), name, HASH_LEN, f->hash, dot);
}

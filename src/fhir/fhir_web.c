/*
 * The FHIR API's HTTP side: routes under /fhir, the format (JSON only:
 * _format, Accept, _pretty), the search Bundle with its paging links,
 * Location and ETag on create and read, and every error as an
 * OperationOutcome. What each type does lives in resource.h's table.
 */
#include "fhir/fhir.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "core/str.h"
#include "fhir/bundle.h"
#include "fhir/datetime.h"
#include "fhir/export.h"
#include "fhir/jsonpatch.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "http/http.h"
#include "people/org.h"
#include "web/app.h"
#include "core/banned.h"

#define FHIR_JSON "application/fhir+json"

bool
fhir_owns(const char *path)
{
	return path && strncmp(path, "/fhir", 5) == 0 &&
	       (path[5] == '\0' || path[5] == '/');
}

/* Host names and ports only: the Host header is the client's word. */
static bool
host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	return n > 0 && n < 256 &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-:[]") == n;
}

/* The API's base URL: public_url when set, else from the request. */
static const char *
base_url(struct web *w)
{
	const char *pub = w->app->cfg->public_url;
	const char *host = http_header(w->req, "Host");
	size_t n;

	if (pub && pub[0]) {
		n = strlen(pub);
		while (n && pub[n - 1] == '/')
			n--;
		return arena_printf(w->ctx.a, "%.*s/fhir", (int)n, pub);
	}
	if (!host_ok(host))
		return "/fhir";
	return arena_printf(w->ctx.a, "%s://%s/fhir",
			    http_is_tls(w->req) ? "https" : "http", host);
}

static bool
pretty(struct req *req)
{
	const char *p = http_field(req, "_pretty");

	return p && strcmp(p, "true") == 0;
}

/* Answers `body` (stolen) as FHIR JSON. */
static enum err
send_json(struct req *req, int status, json_t *body)
{
	size_t flags = JSON_REAL_PRECISION(15) |
		       (pretty(req) ? JSON_INDENT(2) : JSON_COMPACT);
	char *s;
	char *copy;
	size_t n;

	if (!body)
		return ERR_NOMEM;
	s = json_dumps(body, flags);
	json_decref(body);
	if (!s)
		return ERR_NOMEM;
	n = strlen(s);
	copy = arena_alloc(http_arena(req), n + 1);
	if (copy)
		memcpy(copy, s, n + 1);
	free(s);
	if (!copy)
		return ERR_NOMEM;
	http_no_store(req);
	return http_respond_ref(req, status, FHIR_JSON, copy, n);
}

static enum err
send_outcome(struct req *req, const struct fhir_outcome *o)
{
	int status = o->status ? o->status : 500;

	if (status == 401)
		http_add_header(req, "WWW-Authenticate",
				"Bearer realm=\"cocare\"");
	return send_json(req, status, fhir_outcome_json(o));
}

/* The issue code FHIR gives an error of the common layers. */
static const char *
issue_code(enum err e)
{
	switch (e) {
	case ERR_UNAUTHENTICATED:
		return "login";
	case ERR_FORBIDDEN:
	case ERR_CSRF:
		return "forbidden";
	case ERR_NOT_FOUND:
		return "not-found";
	case ERR_METHOD:
	case ERR_UNSUPPORTED_MEDIA:
		return "not-supported";
	case ERR_TOO_LARGE:
		return "too-costly";
	case ERR_CONFLICT:
	case ERR_EXISTS:
		return "conflict";
	case ERR_THROTTLED:
	case ERR_TIMEOUT:
		return "throttled";
	case ERR_INVALID:
	case ERR_BAD_UTF8:
		return "invalid";
	default:
		return "exception";
	}
}

static const char *
issue_text(enum err e)
{
	switch (e) {
	case ERR_UNAUTHENTICATED:
		return "Send a valid API token: Authorization: Bearer cct_... "
		       "(made on your account page).";
	case ERR_NOT_FOUND:
		return "There is no such resource here.";
	case ERR_METHOD:
		return "That method is not allowed on this URL.";
	case ERR_UNSUPPORTED_MEDIA:
		return "Send the resource as application/fhir+json.";
	case ERR_TOO_LARGE:
		return "The request is larger than this server accepts.";
	case ERR_BAD_UTF8:
		return "The request holds text that is not valid UTF-8.";
	case ERR_FULL:
		return "The server's disk is full: nothing was saved.";
	case ERR_UNCONFIRMED:
		return "The change could not be confirmed as saved; send it "
		       "again.";
	case ERR_UNAVAILABLE:
		return "The server is shutting down; try again shortly.";
	default:
		return NULL;
	}
}

void
fhir_error(struct req *req, enum err e)
{
	struct fhir_outcome o = {0};
	const char *t = issue_text(e);

	if (e >= ERR_NOMEM && e != ERR_FULL && e != ERR_UNAVAILABLE)
		log_error("fhir %s: %s", http_method_str(req), err_name(e));
	fhir_fail(&o, err_http_status(e), issue_code(e), NULL,
		  t ? t : "The request could not be carried out.");
	send_outcome(req, &o);
}

/* Whether `path` is one a research token may call. */
static bool
research_route(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n && (!strcmp(path, "/fhir/metadata") ||
		     strstr(path, "/$export") != NULL);
}

/* The call's state, or an answer already given (403, 406). */
static enum err
begin(struct req *req, struct web **w, struct fhir_call *c, bool *answered)
{
	const char *f = http_field(req, "_format");
	const char *acc = http_header(req, "Accept");

	*answered = false;
	if (!(*w = web_of(req)))
		return ERR_NOMEM;
	memset(c, 0, sizeof(*c));
	c->ctx = &(*w)->ctx;
	if ((*w)->api_scopes &&
	    !scopes_parse((*w)->api_scopes, &c->scopes, NULL))
		return ERR_FORBIDDEN;
	/* A research token reaches no one's record by name: it makes
	 * pseudonymised exports only (and reads the metadata). */
	if (c->scopes.research && !research_route(http_path(req))) {
		fhir_fail(&c->oo, 403, "forbidden", NULL,
			  "A research token only makes bulk exports "
			  "($export), pseudonymised.");
		*answered = true;
		return send_outcome(req, &c->oo);
	}
	if ((f && strcmp(f, "json") != 0 && strcmp(f, "application/json") &&
	     strcmp(f, FHIR_JSON) && strcmp(f, "application/json+fhir")) ||
	    (!f && acc && !strstr(acc, "json") && !strstr(acc, "*/*"))) {
		fhir_fail(&c->oo, 406, "not-supported", "_format",
			  "This server answers in JSON only: ask for "
			  "application/fhir+json.");
		*answered = true;
		return send_outcome(req, &c->oo);
	}
	return ERR_OK;
}

/* Ends a call whose type function returned `e`. */
static enum err
finish(struct req *req, struct fhir_call *c, enum err e)
{
	if (fhir_failed(&c->oo))
		return send_outcome(req, &c->oo);
	return e;
}

/* GET /fhir/metadata: the CapabilityStatement; no token needed. */
static enum err
get_metadata(struct req *req)
{
	struct fhir_call c;
	struct web *w;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	return send_json(req, 200, fhir_capability(base_url(w), w->ctx.now));
}

static const struct fhir_type *
type_of(struct req *req)
{
	return fhir_type_find(http_param(req, "type"));
}

/* A resource's meta.versionId ("1" when it has none). */
static const char *
version_of(json_t *r)
{
	const char *v = json_string_value(
		json_object_get(json_object_get(r, "meta"), "versionId"));

	return v ? v : "1";
}

/* Sets ETag from the resource's meta.versionId. */
static void
etag(struct web *w, json_t *r)
{
	http_add_header(w->req, "ETag",
			arena_printf(w->ctx.a, "W/\"%s\"", version_of(r)));
}

/* GET /fhir/:type/:id */
static enum err
get_read(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	struct fhir_call c;
	struct web *w;
	json_t *out = NULL;
	int64_t id;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || !t->read || !fhir_id_parse(http_param(req, "id"), &id))
		return ERR_NOT_FOUND;
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_READ)) != ERR_OK ||
	    (e = t->read(&c, id, &out)) != ERR_OK)
		return finish(req, &c, e);
	etag(w, out);
	return send_json(req, 200, out);
}

/* GET /fhir/:type/:id/_history/:vid */
static enum err
get_vread(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	struct fhir_call c;
	struct web *w;
	json_t *out = NULL;
	int64_t id, version;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || !t->vread || !fhir_id_parse(http_param(req, "id"), &id))
		return ERR_NOT_FOUND;
	if (!fhir_id_parse(http_param(req, "vid"), &version)) {
		fhir_fail(&c.oo, 404, "not-found", NULL,
			  "A version is a whole number from 1, as in "
			  "meta.versionId.");
		return finish(req, &c, ERR_NOT_FOUND);
	}
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_READ)) != ERR_OK ||
	    (e = t->vread(&c, id, version, &out)) != ERR_OK)
		return finish(req, &c, e);
	etag(w, out);
	return send_json(req, 200, out);
}

/* A history entry: the version, with how it was made. */
static json_t *
history_entry(const char *base, const char *type, json_t *r)
{
	const char *v = version_of(r);
	const char *id = json_string_value(json_object_get(r, "id"));
	const char *when = json_string_value(
		json_object_get(json_object_get(r, "meta"), "lastUpdated"));
	bool first = !strcmp(v, "1");
	json_t *resp = json_pack("{s:s,s:s++}", "status",
				 first ? "201" : "200", "etag", "W/\"", v,
				 "\"");

	if (resp && when)
		json_object_set_new(resp, "lastModified", json_string(when));
	return json_pack("{s:s++++,s:o,s:{s:s,s:s++},s:o}", "fullUrl", base,
			 "/", type, "/", id ? id : "", "resource", r, "request",
			 "method", first ? "POST" : "PUT", "url", type,
			 first ? "" : "/", first ? "" : (id ? id : ""),
			 "response", resp);
}

static const char *search_url(struct web *w, const char *base,
			      const char *type, const char *cursor);

/*
 * GET /fhir/:type/:id/_history (one resource's versions) and
 * GET /fhir/:type/_history (every version of the type the caller may
 * read, with _since): a Bundle of type history, newest first, paged with
 * _count (next links carry where a page ended).
 */
static enum err
get_history(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	const char *idp = http_param(req, "id");
	struct fhir_search q = {0};
	struct fhir_page page = {0};
	struct fhir_call c;
	struct web *w;
	json_t *bundle, *links, *entries, *r;
	const char *base, *self, *cur, *since;
	int64_t id = 0, before = 0, key, cid, since_ms = 0, hi;
	size_t i, n;
	bool answered, has;
	const struct http_field *f;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || (idp ? !t->history || !fhir_id_parse(idp, &id)
		       : !t->history_type))
		return ERR_NOT_FOUND;
	f = http_fields(req, &n);
	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, "_count") &&
		    strcmp(f[i].name, "_cursor") &&
		    (idp || strcmp(f[i].name, "_since")) &&
		    strcmp(f[i].name, "_format") &&
		    strcmp(f[i].name, "_pretty")) {
			fhir_fail(&c.oo, 400, "not-supported", f[i].name,
				  idp ? "A resource's history takes _count "
					"only."
				      : "A type's history takes _count and "
					"_since.");
			return finish(req, &c, ERR_INVALID);
		}
	q.count = FHIR_COUNT_DEFAULT;
	if ((cur = http_field(req, "_count")) &&
	    !str_to_i64(str_c(cur), 1, FHIR_COUNT_MAX, &key)) {
		fhir_fail(&c.oo, 400, "value", "_count",
			  "_count is a whole number from 1 to 1000.");
		return finish(req, &c, ERR_INVALID);
	}
	if (cur)
		q.count = (int)key;
	if ((since = http_field(req, "_since")) &&
	    !fhir_datetime_parse(since, &since_ms, &hi, NULL)) {
		fhir_fail(&c.oo, 400, "value", "_since",
			  "_since is an instant, for example "
			  "2025-01-01T00:00:00Z.");
		return finish(req, &c, ERR_INVALID);
	}
	q.cursor = http_field(req, "_cursor");
	if (!fhir_cursor_parse(&c, &q, &has, &key, &cid))
		return finish(req, &c, ERR_INVALID);
	if (idp && has) {
		if (cid != id || key < 1) {
			fhir_fail(&c.oo, 400, "value", "_cursor",
				  "Follow the next link as it is.");
			return finish(req, &c, ERR_INVALID);
		}
		before = key;
	}
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_READ)) != ERR_OK)
		return finish(req, &c, e);
	if (!(page.match = json_array()))
		return ERR_NOMEM;
	e = idp ? t->history(&c, id, before, q.count, &page)
		: t->history_type(&c, &q, since_ms, &page);
	if (e != ERR_OK) {
		json_decref(page.match);
		return finish(req, &c, e);
	}
	base = base_url(w);
	cur = idp ? arena_printf(w->ctx.a, "%s/%lld/_history", t->name,
				 (long long)id)
		  : arena_printf(w->ctx.a, "%s/_history", t->name);
	links = json_array();
	if ((self = search_url(w, base, cur, q.cursor)))
		json_array_append_new(links, json_pack("{s:s,s:s}", "relation",
						       "self", "url", self));
	if (page.next && (self = search_url(w, base, cur, page.next)))
		json_array_append_new(links, json_pack("{s:s,s:s}", "relation",
						       "next", "url", self));
	entries = json_array();
	json_array_foreach(page.match, i, r)
		json_array_append_new(entries, history_entry(base, t->name,
							     json_incref(r)));
	json_decref(page.match);
	bundle = json_pack("{s:s,s:s,s:o,s:o}", "resourceType", "Bundle",
			   "type", "history", "link", links, "entry", entries);
	return send_json(req, 200, bundle);
}

/* The request's parameters as the search reads them. */
static enum err
parse_search(struct req *req, struct fhir_call *c,
	     const struct fhir_type *t, struct fhir_search *q)
{
	const struct http_field *f;
	struct fhir_kv *kv;
	size_t n, i;

	f = http_fields(req, &n);
	if (!(kv = arena_alloc(c->ctx->a, (n + 1) * sizeof(*kv))))
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		kv[i].name = f[i].name;
		kv[i].value = f[i].value;
	}
	return fhir_search_parse(c, t, kv, n, q);
}

/* The URL of this search with `cursor` (NULL: as asked). */
static const char *
search_url(struct web *w, const char *base, const char *type,
	   const char *cursor)
{
	const struct http_field *f;
	struct buf b;
	size_t n, i;
	char sep = '?';

	buf_init(&b, w->ctx.a, 16384);
	buf_printf(&b, "%s/%s", base, type);
	f = http_fields(w->req, &n);
	for (i = 0; i < n; i++) {
		if (!strcmp(f[i].name, "_cursor"))
			continue;
		buf_addc(&b, sep);
		sep = '&';
		buf_add_urlenc(&b, f[i].name, strlen(f[i].name));
		buf_addc(&b, '=');
		buf_add_urlenc(&b, f[i].value, f[i].len);
	}
	if (cursor) {
		buf_printf(&b, "%c_cursor=", sep);
		buf_add_urlenc(&b, cursor, strlen(cursor));
	}
	return b.failed ? NULL : b.p;
}

static void
add_entries(json_t *entries, json_t *list, const char *base,
	    const char *mode)
{
	size_t i;
	json_t *r;

	json_array_foreach(list, i, r) {
		const char *type = json_string_value(
			json_object_get(r, "resourceType"));
		const char *id = json_string_value(json_object_get(r, "id"));
		json_t *e = json_object();

		if (type && id)
			json_object_set_new(e, "fullUrl",
					    json_sprintf("%s/%s/%s", base,
							 type, id));
		json_object_set(e, "resource", r);
		json_object_set_new(e, "search",
				    json_pack("{s:s}", "mode", mode));
		json_array_append_new(entries, e);
	}
}

/* GET /fhir/:type and POST /fhir/:type/_search */
static enum err
get_search(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	struct fhir_page page = {0};
	struct fhir_search q;
	struct fhir_call c;
	struct web *w;
	json_t *bundle, *links, *entries;
	const char *base, *self;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || !t->search)
		return ERR_NOT_FOUND;
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_SEARCH)) != ERR_OK ||
	    (e = parse_search(req, &c, t, &q)) != ERR_OK)
		return finish(req, &c, e);
	page.match = json_array();
	page.include = json_array();
	page.total = -1;
	e = t->search(&c, &q, &page);
	if (e != ERR_OK) {
		json_decref(page.match);
		json_decref(page.include);
		return finish(req, &c, e);
	}
	base = base_url(w);
	self = search_url(w, base, t->name, q.cursor);
	links = json_array();
	if (self)
		json_array_append_new(links, json_pack("{s:s,s:s}", "relation",
						       "self", "url", self));
	if (page.next && (self = search_url(w, base, t->name, page.next)))
		json_array_append_new(links, json_pack("{s:s,s:s}", "relation",
						       "next", "url", self));
	bundle = json_pack("{s:s,s:s,s:o}", "resourceType", "Bundle", "type",
			   "searchset", "link", links);
	if (page.total >= 0)
		json_object_set_new(bundle, "total",
				    json_integer(page.total));
	if (!q.summary_count) {
		entries = json_array();
		add_entries(entries, page.match, base, "match");
		add_entries(entries, page.include, base, "include");
		json_object_set_new(bundle, "entry", entries);
	}
	json_decref(page.match);
	json_decref(page.include);
	return send_json(req, 200, bundle);
}

/* The JSON body of a write, of type `want`, or NULL with a 400 issue
 * (`shape` saying what it must be). */
static json_t *
body_of(struct req *req, struct fhir_call *c, json_type want,
	const char *shape)
{
	size_t n = 0;
	const char *b = http_body(req, &n);
	json_error_t err;
	json_t *j;

	if (!b || !n) {
		fhir_fail(&c->oo, 400, "structure", NULL,
			  "Send the JSON in the body, with its "
			  "Content-Type (application/fhir+json).");
		return NULL;
	}
	j = json_loadb(b, n, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		fhir_fail(&c->oo, 400, "structure", NULL,
			  "The body is not valid JSON, or repeats a name "
			  "within an object.");
		return NULL;
	}
	if (json_typeof(j) != want) {
		json_decref(j);
		fhir_fail(&c->oo, 400, "structure", NULL, shape);
		return NULL;
	}
	return j;
}

/* A resource in the body. */
static json_t *
body_json(struct req *req, struct fhir_call *c)
{
	return body_of(req, c, JSON_OBJECT,
		       "The body must be one JSON object: a FHIR resource.");
}

/* POST /fhir/:type: 201 with Location, or 200 when stored already. */
static enum err
post_create(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	struct fhir_write fw = {0};
	struct fhir_call c;
	struct web *w;
	json_t *in, *out = NULL;
	const char *type;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t)
		return ERR_NOT_FOUND;
	if (!t->create)
		return ERR_METHOD;
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_CREATE)) != ERR_OK)
		return finish(req, &c, e);
	if (!(in = body_json(req, &c)))
		return finish(req, &c, ERR_INVALID);
	type = json_string_value(json_object_get(in, "resourceType"));
	if (!type || strcmp(type, t->name) != 0) {
		json_decref(in);
		fhir_fail(&c.oo, 400, "invalid", "resourceType",
			  "The resourceType must be the type in the URL.");
		return finish(req, &c, ERR_INVALID);
	}
	/* If-None-Exist: the one that matches, instead of a new one. */
	if (http_header(req, "If-None-Exist")) {
		e = fhir_conditional_find(&c, t, http_header(req,
							     "If-None-Exist"),
					  &out);
		if (e != ERR_OK || out) {
			json_decref(in);
			if (e != ERR_OK)
				return finish(req, &c, e);
			etag(w, out);
			return send_json(req, 200, out);
		}
	}
	fw.id = id_new();
	e = t->create(&c, in, &fw);
	if (e == ERR_OK)
		e = fhir_make_writes(&c, &fw, 1, &out);
	json_decref(in);
	if (e != ERR_OK)
		return finish(req, &c, e);
	http_add_header(req, "Location",
			arena_printf(w->ctx.a, "%s/%s/%lld/_history/%s",
				     base_url(w), t->name, (long long)fw.id,
				     version_of(out)));
	etag(w, out);
	return send_json(req, fw.step.existed ? 200 : 201, out);
}

/* The version an If-Match header names: W/"3" or "3". */
static bool
if_match(const char *h, int64_t *version)
{
	struct str s = str_trim(str_c(h ? h : ""));

	if (s.len > 2 && s.p[0] == 'W' && s.p[1] == '/') {
		s.p += 2;
		s.len -= 2;
	}
	if (s.len < 3 || s.p[0] != '"' || s.p[s.len - 1] != '"')
		return false;
	return str_to_i64((struct str){s.p + 1, s.len - 2}, 1, INT64_MAX,
			  version);
}

/* PUT /fhir/:type/:id: 200 with the stored resource; 412 when its
 * version is no longer the one in If-Match; 428 without If-Match. */
static enum err
put_update(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	struct fhir_write fw = {0};
	struct fhir_call c;
	struct web *w;
	json_t *in, *out = NULL;
	int64_t id, version;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || !fhir_id_parse(http_param(req, "id"), &id))
		return ERR_NOT_FOUND;
	if (!t->update)
		return ERR_METHOD;
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_UPDATE)) != ERR_OK)
		return finish(req, &c, e);
	/* Without a version, one person's update could undo another's
	 * without either knowing: cocare asks for it. */
	if (!if_match(http_header(req, "If-Match"), &version)) {
		fhir_fail(&c.oo, 428, "required", NULL,
			  "Send If-Match with the version you read, for "
			  "example If-Match: W/\"3\" (the ETag of a read).");
		return finish(req, &c, ERR_INVALID);
	}
	if (!(in = body_json(req, &c)))
		return finish(req, &c, ERR_INVALID);
	e = t->update(&c, id, version, in, &fw);
	if (e == ERR_OK)
		e = fhir_make_writes(&c, &fw, 1, &out);
	json_decref(in);
	if (e != ERR_OK)
		return finish(req, &c, e);
	etag(w, out);
	return send_json(req, 200, out);
}

/* The JSON Patch in the body of a PATCH, or NULL with an issue. */
static json_t *
body_patch(struct req *req, struct fhir_call *c)
{
	const char *type = http_header(req, "Content-Type");

	if (!type || strncmp(type, "application/json-patch+json", 27)) {
		fhir_fail(&c->oo, 415, "not-supported", NULL,
			  "cocare takes JSON Patch: send Content-Type: "
			  "application/json-patch+json.");
		return NULL;
	}
	return body_of(req, c, JSON_ARRAY,
		       "A JSON Patch is a JSON array of operations, for "
		       "example [{\"op\": \"replace\", \"path\": "
		       "\"/lifecycleStatus\", \"value\": \"completed\"}].");
}

/*
 * PATCH /fhir/:type/:id with a JSON Patch: the resource read, patched,
 * and stored by the type's update, so the same checks apply; against the
 * version in If-Match when sent (412 when stale), else the version read.
 * 200 with the stored resource; 400 a malformed patch; 422 a failed
 * test operation.
 */
static enum err
patch_update(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	const char *why = NULL, *h = http_header(req, "If-Match");
	struct fhir_write fw = {0};
	struct fhir_call c;
	struct web *w;
	json_t *patch, *doc = NULL, *out = NULL;
	int64_t id, version;
	enum jsonpatch_result r;
	bool answered;
	int at;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || !fhir_id_parse(http_param(req, "id"), &id))
		return ERR_NOT_FOUND;
	if (!t->update || !t->read)
		return ERR_METHOD;
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_UPDATE)) != ERR_OK)
		return finish(req, &c, e);
	if (h && !if_match(h, &version)) {
		fhir_fail(&c.oo, 400, "invalid", NULL,
			  "If-Match names a version read: W/\"3\".");
		return finish(req, &c, ERR_INVALID);
	}
	if (!(patch = body_patch(req, &c)))
		return finish(req, &c, ERR_INVALID);
	if ((e = t->read(&c, id, &doc)) != ERR_OK) {
		json_decref(patch);
		return finish(req, &c, e);
	}
	if (!h)
		str_to_i64(str_c(version_of(doc)), 1, INT64_MAX, &version);
	r = jsonpatch_apply(&doc, patch, &why, &at);
	json_decref(patch);
	if (r != JSONPATCH_OK) {
		json_decref(doc);
		if (r == JSONPATCH_NOMEM)
			return ERR_NOMEM;
		fhir_failf(&c.oo, r == JSONPATCH_TEST_FAILED ? 422 : 400,
			   r == JSONPATCH_TEST_FAILED ? "processing"
						      : "invalid",
			   NULL, "Operation %d of the patch: %s", at + 1,
			   why ? why : "it cannot be applied.");
		return finish(req, &c, ERR_INVALID);
	}
	e = t->update(&c, id, version, doc, &fw);
	if (e == ERR_OK)
		e = fhir_make_writes(&c, &fw, 1, &out);
	json_decref(doc);
	if (e != ERR_OK)
		return finish(req, &c, e);
	etag(w, out);
	return send_json(req, 200, out);
}

/*
 * DELETE /fhir/:type/:id where the domain allows it: 204 once it is on
 * disk, and 204 again for what was deleted before (nothing to do).
 * If-Match is honoured when sent.
 */
static enum err
delete_resource(struct req *req)
{
	const struct fhir_type *t = type_of(req);
	const char *h = http_header(req, "If-Match");
	struct fhir_write fw = {0};
	struct fhir_call c;
	struct web *w;
	int64_t id, version = 0;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!t || !fhir_id_parse(http_param(req, "id"), &id))
		return ERR_NOT_FOUND;
	if (!t->remove)
		return ERR_METHOD;
	if ((e = fhir_scope_precheck(&c, t->name, SCOPE_DELETE)) != ERR_OK)
		return finish(req, &c, e);
	if (h && !if_match(h, &version)) {
		fhir_fail(&c.oo, 400, "invalid", NULL,
			  "If-Match names a version read: W/\"3\".");
		return finish(req, &c, ERR_INVALID);
	}
	if ((e = t->remove(&c, id, version, &fw)) != ERR_OK)
		return finish(req, &c, e);
	if (fw.step.fn) {
		struct write_step step = fw.step;

		step.w = &fw.wi;
		if ((e = write_commit_all(&w->ctx, &step, 1)) == ERR_CONFLICT)
			fhir_fail(&c.oo, 412, "conflict", NULL,
				  "Someone changed this at the same time. "
				  "Read it again and delete it then.");
		if (e != ERR_OK)
			return finish(req, &c, e);
	}
	return http_respond(req, 204, FHIR_JSON, "", 0);
}

/* --- bulk data export ------------------------------------------------- */

/* The kick-off: GET /fhir/$export, /fhir/Patient/$export and
 * /fhir/Group/:id/$export; 202 with the status URL. */
static enum err
export_kickoff(struct req *req, const char *level)
{
	struct fhir_export_job j = {0};
	const struct http_field *f;
	const char *prefer = http_header(req, "Prefer");
	struct fhir_call c;
	struct web *w;
	struct unit u;
	size_t n, i, k;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	j.level = level;
	j.types = FHIR_EXPORT_ALL;
	j.scopes = w->api_scopes;
	if (!strcmp(level, "group")) {
		if (!fhir_id_parse(http_param(req, "id"), &j.group_id) ||
		    unit_get(w->ctx.db, w->ctx.a, j.group_id, &u) != ERR_OK ||
		    u.org_id != w->ctx.actor.org_id)
			return ERR_NOT_FOUND;
	}
	if (!prefer || !strstr(prefer, "respond-async")) {
		fhir_fail(&c.oo, 400, "required", NULL,
			  "An export is made in the background: send "
			  "Prefer: respond-async.");
		return finish(req, &c, ERR_INVALID);
	}
	f = http_fields(req, &n);
	for (i = 0; i < n; i++) {
		const char *v = f[i].value, *bad;
		size_t badlen;

		if (!strcmp(f[i].name, "_type")) {
			if (!fhir_export_types_parse(v, &j.types, &bad,
						     &badlen)) {
				fhir_fail(&c.oo, 400, "not-supported", "_type",
					  "Export Patient and Observation "
					  "(see /fhir/metadata).");
				return finish(req, &c, ERR_INVALID);
			}
		} else if (!strcmp(f[i].name, "_since")) {
			int prec;

			if (!fhir_datetime_parse(v, &j.since_ms, NULL, &prec) ||
			    prec < FHIR_PREC_SECOND) {
				fhir_fail(&c.oo, 400, "value", "_since",
					  "Give _since as an instant: "
					  "2025-01-01T00:00:00Z.");
				return finish(req, &c, ERR_INVALID);
			}
		} else if (!strcmp(f[i].name, "_outputFormat")) {
			if (strcmp(v, "application/fhir+ndjson") &&
			    strcmp(v, "application/ndjson") &&
			    strcmp(v, "ndjson")) {
				fhir_fail(&c.oo, 400, "not-supported",
					  "_outputFormat",
					  "Files are NDJSON: "
					  "application/fhir+ndjson.");
				return finish(req, &c, ERR_INVALID);
			}
		} else if (strcmp(f[i].name, "_format") &&
			   strcmp(f[i].name, "_pretty")) {
			fhir_fail(&c.oo, 400, "not-supported", f[i].name,
				  "An export takes _type, _since and "
				  "_outputFormat.");
			return finish(req, &c, ERR_INVALID);
		}
	}
	/* The token must be able to read each type asked for. */
	for (k = 1; k & FHIR_EXPORT_ALL; k <<= 1)
		if ((j.types & k) &&
		    (e = fhir_scope_precheck(&c, fhir_export_type_name(
							 (unsigned)k),
					     SCOPE_READ)) != ERR_OK)
			return finish(req, &c, e);
	/* Research: the organisation's permission, whoever the patients. */
	if (c.scopes.research &&
	    (e = fhir_allow_org(&c, "Patient", SCOPE_READ,
				ORG_RESEARCH_EXPORT)) != ERR_OK)
		return finish(req, &c, e);
	j.request = arena_printf(w->ctx.a, "%s%s", base_url(w),
				 http_path(req) + 5);
	if (!j.request)
		return ERR_NOMEM;
	if ((e = fhir_export_start(&c, &j)) != ERR_OK)
		return finish(req, &c, e);
	http_add_header(req, "Content-Location",
			arena_printf(w->ctx.a, "%s/$export-status/%lld",
				     base_url(w), (long long)j.id));
	fhir_fail(&c.oo, 202, "informational", NULL,
		  "The export has begun: ask the Content-Location for how "
		  "far it is.");
	c.oo.issue[0].severity = "information";
	return send_outcome(req, &c.oo);
}

static enum err
get_export_system(struct req *req)
{
	return export_kickoff(req, "system");
}

static enum err
get_export_patient(struct req *req)
{
	return export_kickoff(req, "patient");
}

static enum err
get_export_group(struct req *req)
{
	return export_kickoff(req, "group");
}

/* GET /fhir/$export-status/:id: 202 while it is being made, then 200
 * with the manifest; DELETE cancels it. */
static enum err
export_status(struct req *req)
{
	struct fhir_export_job j;
	struct fhir_export_file *files;
	struct fhir_call c;
	struct scopes js;
	struct web *w;
	json_t *out, *arr;
	char when[FHIR_INSTANT_LEN];
	int64_t id;
	size_t n, i;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!fhir_id_parse(http_param(req, "id"), &id))
		return ERR_NOT_FOUND;
	if (http_method(req) == HTTP_DELETE) {
		if ((e = fhir_export_cancel(&c, id)) != ERR_OK)
			return finish(req, &c, e);
		fhir_fail(&c.oo, 202, "informational", NULL,
			  "The export is cancelled and its files deleted.");
		c.oo.issue[0].severity = "information";
		return send_outcome(req, &c.oo);
	}
	if ((e = fhir_export_get(&c, id, &j, &files, &n)) != ERR_OK)
		return finish(req, &c, e);
	if (!strcmp(j.status, "failed")) {
		fhir_fail(&c.oo, 500, "exception", NULL, j.error);
		return send_outcome(req, &c.oo);
	}
	if (strcmp(j.status, "done")) {
		http_add_header(req, "X-Progress",
				arena_printf(w->ctx.a, "%d of %d patients",
					     j.done, j.total));
		http_add_header(req, "Retry-After", "2");
		http_no_store(req);
		return http_respond(req, 202, FHIR_JSON, "", 0);
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:s,s:o,s:i}", "type", files[i].type,
				       "url",
				       json_sprintf("%s/$export-file/%lld/%s/%d",
						    base_url(w), (long long)id,
						    files[i].type,
						    files[i].part),
				       "count", files[i].lines));
	fhir_instant_format(j.created_ms, when);
	out = json_pack("{s:s,s:s,s:b,s:o,s:[]}", "transactionTime", when,
			"request", j.request, "requiresAccessToken", 1,
			"output", arr, "error");
	/* The Bulk Data manifest's extension object says what was done. */
	if (out && scopes_parse(j.scopes, &js, NULL) && js.research)
		json_object_set_new(
			out, "extension",
			json_pack("{s:b}",
				  "https://cocare.org/fhir/pseudonymised", 1));
	return send_json(req, 200, out);
}

/* GET /fhir/$export-file/:id/:type/:part: NDJSON. */
static enum err
export_file(struct req *req)
{
	struct fhir_call c;
	struct web *w;
	const char *body = NULL;
	int64_t id, part;
	size_t len = 0;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!fhir_id_parse(http_param(req, "id"), &id) ||
	    !str_to_i64(str_c(http_param(req, "part")), 0, 1000000, &part))
		return ERR_NOT_FOUND;
	if ((e = fhir_export_file_body(&c, id, http_param(req, "type"),
				       (int)part, &body, &len)) != ERR_OK)
		return finish(req, &c, e);
	http_no_store(req);
	return http_respond_ref(req, 200, "application/fhir+ndjson", body,
				len);
}

/* POST /fhir: a batch or transaction Bundle. */
static enum err
post_bundle(struct req *req)
{
	struct fhir_call c;
	struct web *w;
	json_t *in, *out = NULL;
	const char *rt;
	bool answered;
	enum err e = begin(req, &w, &c, &answered);

	if (e != ERR_OK || answered)
		return e;
	if (!(in = body_json(req, &c)))
		return finish(req, &c, ERR_INVALID);
	rt = json_string_value(json_object_get(in, "resourceType"));
	if (!rt || strcmp(rt, "Bundle")) {
		json_decref(in);
		fhir_fail(&c.oo, 400, "invalid", "resourceType",
			  "POST a Bundle of type transaction or batch to the "
			  "base URL.");
		return finish(req, &c, ERR_INVALID);
	}
	e = fhir_bundle(&c, in, base_url(w), &out);
	json_decref(in);
	if (e != ERR_OK)
		return finish(req, &c, e);
	return send_json(req, 200, out);
}

static const struct http_route routes[] = {
	{HTTP_POST, "/fhir", post_bundle, WEB_API | HTTP_ROUTE_JSON, NULL},
	{HTTP_GET, "/fhir/$export", get_export_system, WEB_API, NULL},
	{HTTP_GET, "/fhir/Patient/$export", get_export_patient, WEB_API,
	 NULL},
	{HTTP_GET, "/fhir/Group/:id/$export", get_export_group, WEB_API,
	 "/fhir/Group/:id/$export"},
	{HTTP_GET, "/fhir/$export-status/:id", export_status, WEB_API,
	 "/fhir/$export-status/:id"},
	{HTTP_DELETE, "/fhir/$export-status/:id", export_status, WEB_API,
	 "/fhir/$export-status/:id"},
	{HTTP_GET, "/fhir/$export-file/:id/:type/:part", export_file, WEB_API,
	 "/fhir/$export-file/:id/:type/:part"},
	{HTTP_POST, "/fhir/", post_bundle, WEB_API | HTTP_ROUTE_JSON, NULL},
	{HTTP_GET, "/fhir/metadata", get_metadata, WEB_API | WEB_PUBLIC,
	 NULL},
	{HTTP_GET, "/fhir/:type", get_search, WEB_API, "/fhir/:type"},
	{HTTP_POST, "/fhir/:type/_search", get_search, WEB_API,
	 "/fhir/:type/_search"},
	{HTTP_POST, "/fhir/:type", post_create, WEB_API | HTTP_ROUTE_JSON,
	 "/fhir/:type"},
	{HTTP_GET, "/fhir/:type/:id", get_read, WEB_API, "/fhir/:type/:id"},
	{HTTP_GET, "/fhir/:type/:id/_history", get_history, WEB_API,
	 "/fhir/:type/:id/_history"},
	{HTTP_GET, "/fhir/:type/_history", get_history, WEB_API,
	 "/fhir/:type/_history"},
	{HTTP_GET, "/fhir/:type/:id/_history/:vid", get_vread, WEB_API,
	 "/fhir/:type/:id/_history/:vid"},
	{HTTP_PUT, "/fhir/:type/:id", put_update, WEB_API | HTTP_ROUTE_JSON,
	 "/fhir/:type/:id"},
	{HTTP_PATCH, "/fhir/:type/:id", patch_update,
	 WEB_API | HTTP_ROUTE_JSON, "/fhir/:type/:id"},
	/* A body sent with a DELETE is read as JSON and not used, so that
	 * a type without delete answers 405, not 415. */
	{HTTP_DELETE, "/fhir/:type/:id", delete_resource,
	 WEB_API | HTTP_ROUTE_JSON, "/fhir/:type/:id"},
};

enum err
fhir_web_routes(struct http_router *r)
{
	return http_router_add(r, routes, sizeof(routes) / sizeof(routes[0]));
}

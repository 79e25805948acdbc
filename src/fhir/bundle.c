/*
 * Batch and transaction Bundles (POST /fhir). A transaction is all or
 * nothing: every entry is checked and prepared first, with references to
 * the fullUrl of an entry it creates ("urn:uuid:...") replaced by the
 * new resource's, and then all its writes are made in one transaction of
 * the single write path; reads come after the writes, as FHIR says. A
 * batch runs each entry on its own and answers for each.
 */
#include "fhir/bundle.h"

#include <stdio.h>
#include <string.h>

#include "auth/actor.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/str.h"
#include "auth/provenance.h"
#include "fhir/search.h"
#include "fhir/trail.h"
#include "fhir/shape.h"
#include "http/http.h"
#include "core/banned.h"

static const struct fhir_element bundle_el[] = {
	{"resourceType", FHIR_STRING},
	{"id", FHIR_STRING},
	{"meta", FHIR_OBJECT},
	{"implicitRules", FHIR_STRING},
	{"language", FHIR_STRING},
	{"identifier", FHIR_OBJECT},
	{"type", FHIR_STRING},
	{"timestamp", FHIR_STRING},
	{"total", FHIR_INTEGER},
	{"link", FHIR_ARRAY},
	{"entry", FHIR_ARRAY},
	{"signature", FHIR_OBJECT},
};

static const struct fhir_element entry_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"link", FHIR_ARRAY},
	{"fullUrl", FHIR_STRING},
	{"resource", FHIR_OBJECT},
	{"search", FHIR_OBJECT},
	{"request", FHIR_OBJECT},
	{"response", FHIR_OBJECT},
};

static const struct fhir_element request_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"method", FHIR_STRING},
	{"url", FHIR_STRING},
	{"ifNoneMatch", FHIR_STRING},
	{"ifModifiedSince", FHIR_STRING},
	{"ifMatch", FHIR_STRING},
	{"ifNoneExist", FHIR_STRING},
};

/* Every element of an R4 Provenance. A client's Provenance in a
 * transaction says in whose name one of its writes is made: cocare
 * reads target and agent, and keeps the rest as its own provenance row
 * says it (who, when, which voice). */
static const struct fhir_element provenance_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"target", FHIR_ARRAY},
	{"occurredPeriod", FHIR_OBJECT},
	{"occurredDateTime", FHIR_STRING},
	{"recorded", FHIR_STRING},
	{"policy", FHIR_STRINGS},
	{"location", FHIR_OBJECT},
	{"reason", FHIR_ARRAY},
	{"activity", FHIR_OBJECT},
	{"agent", FHIR_ARRAY},
	{"entity", FHIR_ARRAY},
	{"signature", FHIR_ARRAY},
};

static const struct fhir_element agent_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"type", FHIR_OBJECT},
	{"role", FHIR_ARRAY},
	{"who", FHIR_OBJECT},
	{"onBehalfOf", FHIR_OBJECT},
};

static const struct fhir_def bundle_def = FHIR_DEF(bundle_el);
static const struct fhir_def provenance_def = FHIR_DEF(provenance_el);
static const struct fhir_def agent_def = FHIR_DEF(agent_el);
static const struct fhir_def entry_def = FHIR_DEF(entry_el);
static const struct fhir_def request_def = FHIR_DEF(request_el);

enum method { M_GET, M_POST, M_PUT };

/* One entry as read, and what it came to. */
struct entry {
	json_t *e;		/* the entry */
	json_t *resource;
	enum method method;
	const struct fhir_type *type;
	int64_t id;		/* GET, PUT: the URL's; POST: the new one */
	const char *query;	/* GET: after '?', or NULL */
	const char *full_url;
	const char *if_none_exist;
	int64_t version;	/* PUT: If-Match */
	bool have_version;
	struct fhir_write w;
	bool writes;
	struct entry *attributes;	/* a Provenance: the entry it is for */
	/* The answer. */
	int status;
	json_t *out;		/* the resource, or an OperationOutcome */
	bool existed;		/* If-None-Exist found one, or stored before */
};

/* Moves the outcome's issues from `from` index on to entry `i`: their
 * paths start "Bundle.entry[i].resource" instead of the type's name. */
static void
issues_to_entry(struct fhir_outcome *oo, size_t from, size_t i)
{
	size_t k;

	for (k = from; k < oo->n; k++) {
		struct fhir_issue *x = &oo->issue[k];
		char path[FHIR_PATH_MAX];
		const char *dot = strchr(x->expression, '.');

		if (!strncmp(x->expression, "Bundle", 6))
			continue;
		snprintf(path, sizeof(path), "Bundle.entry[%zu].resource%s", i,
			 x->expression[0] ? (dot ? dot : "") : "");
		if (!x->expression[0] || dot || x->expression[0] < 'a')
			memcpy(x->expression, path, sizeof(path));
		else	/* a search parameter's name */
			snprintf(x->expression, sizeof(x->expression),
				 "Bundle.entry[%zu].request.url", i);
	}
}

static bool
entry_fail(struct fhir_call *c, size_t i, int status, const char *code,
	   const char *where, const char *text)
{
	fhir_failf(&c->oo, status, code, text, "Bundle.entry[%zu].%s", i,
		   where);
	return false;
}

/* "Type/123", "Type?query" or "Type" of request.url. */
static bool
read_url(struct fhir_call *c, size_t i, struct entry *x, const char *url)
{
	size_t n = strcspn(url, "/?");
	char *type = arena_strndup(c->ctx->a, url, n);

	if (!type)
		return false;
	if (!(x->type = fhir_type_find(type)))
		return entry_fail(c, i, 404, "not-supported", "request.url",
				  "This server has no such resource type "
				  "(see /fhir/metadata).");
	if (url[n] == '/') {
		if (!fhir_id_parse(url + n + 1, &x->id))
			return entry_fail(c, i, 404, "not-found",
					  "request.url",
					  "There is no such resource here.");
	} else if (url[n] == '?') {
		x->query = url + n + 1;
	}
	return true;
}

/* The version of an If-Match value: W/"3" or "3". */
static bool
version_of_match(const char *h, int64_t *version)
{
	struct str s = str_trim(str_c(h));

	if (s.len > 2 && s.p[0] == 'W' && s.p[1] == '/') {
		s.p += 2;
		s.len -= 2;
	}
	return s.len >= 3 && s.p[0] == '"' && s.p[s.len - 1] == '"' &&
	       str_to_i64((struct str){s.p + 1, s.len - 2}, 1, INT64_MAX,
			  version);
}

/* Reads entry `i`; false with an issue when it is malformed. */
static bool
read_entry(struct fhir_call *c, size_t i, json_t *e, struct entry *x)
{
	char path[48];
	json_t *req = json_object_get(e, "request");
	const char *m, *url, *rt;

	memset(x, 0, sizeof(*x));
	x->e = e;
	snprintf(path, sizeof(path), "Bundle.entry[%zu]", i);
	if (!fhir_check_members(&c->oo, e, &entry_def, path))
		return false;
	snprintf(path, sizeof(path), "Bundle.entry[%zu].request", i);
	if (!req)
		return entry_fail(c, i, 400, "required", "request",
				  "Each entry needs a request: method and "
				  "url.");
	if (!fhir_check_members(&c->oo, req, &request_def, path))
		return false;
	m = fhir_string_of(req, "method");
	url = fhir_string_of(req, "url");
	if (!m || !url)
		return entry_fail(c, i, 400, "required", "request",
				  "Each entry needs a request: method and "
				  "url.");
	if (!strcmp(m, "GET"))
		x->method = M_GET;
	else if (!strcmp(m, "POST"))
		x->method = M_POST;
	else if (!strcmp(m, "PUT"))
		x->method = M_PUT;
	else if (!strcmp(m, "DELETE") || !strcmp(m, "PATCH") ||
		 !strcmp(m, "HEAD"))
		return entry_fail(c, i, 405, "not-supported", "request.method",
				  "Entries may GET, POST or PUT here.");
	else
		return entry_fail(c, i, 400, "code-invalid", "request.method",
				  "The method is GET, POST, PUT, PATCH, "
				  "DELETE or HEAD.");
	if (!read_url(c, i, x, url))
		return false;
	x->full_url = fhir_string_of(e, "fullUrl");
	x->if_none_exist = fhir_string_of(req, "ifNoneExist");
	if (fhir_string_of(req, "ifMatch") &&
	    !(x->have_version = version_of_match(
		      fhir_string_of(req, "ifMatch"), &x->version)))
		return entry_fail(c, i, 400, "value", "request.ifMatch",
				  "Write ifMatch as W/\"<version>\".");
	if (x->method == M_GET)
		return true;
	x->resource = json_object_get(e, "resource");
	if (!x->resource)
		return entry_fail(c, i, 400, "required", "resource",
				  "A POST or PUT entry needs its resource.");
	rt = fhir_string_of(x->resource, "resourceType");
	if (!rt || strcmp(rt, x->type->name))
		return entry_fail(c, i, 400, "invalid", "resource.resourceType",
				  "The resourceType must be the type in the "
				  "request's url.");
	if (x->method == M_POST && (x->id || x->query))
		return entry_fail(c, i, 400, "invalid", "request.url",
				  "POST to the type: Observation, not "
				  "Observation/123.");
	if (x->method == M_PUT && !x->id)
		return entry_fail(c, i, 400, "invalid", "request.url",
				  "PUT to one resource: Patient/123.");
	return true;
}

/* Replaces every "reference" equal to a fullUrl of the bundle's
 * creations by "Type/id", everywhere in `v`. */
static void
resolve_refs(struct fhir_call *c, json_t *v, const struct entry *x, size_t n)
{
	const char *key;
	json_t *item;
	size_t i, k;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			resolve_refs(c, item, x, n);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, item) {
		const char *ref = json_string_value(item);

		if (!strcmp(key, "reference") && ref) {
			for (k = 0; k < n; k++)
				if (x[k].method == M_POST && x[k].full_url &&
				    !strcmp(x[k].full_url, ref)) {
					json_object_set_new(
						v, key,
						json_sprintf("%s/%lld",
							     x[k].type->name,
							     (long long)x[k].id));
					break;
				}
		} else {
			resolve_refs(c, item, x, n);
		}
	}
}

/* The search of a query string ("code=8867-4&patient=Patient/1"). */
static enum err
search_query(struct fhir_call *c, const struct fhir_type *t, const char *qs,
	     int count, struct fhir_page *page)
{
	struct http_form_limits lim = {100, 4096};
	struct http_form f = {0};
	struct fhir_search q;
	struct fhir_kv *kv;
	size_t i;
	enum err e;

	if (!t->search)
		return ERR_METHOD;
	e = http_form_parse_urlencoded(c->ctx->a, qs, strlen(qs), &lim, &f);
	if (e != ERR_OK) {
		fhir_fail(&c->oo, 400, "value", NULL,
			  "The search's parameters are not valid URL "
			  "encoding.");
		return ERR_INVALID;
	}
	if (!(kv = arena_alloc(c->ctx->a, (f.nfields + 1) * sizeof(*kv))))
		return ERR_NOMEM;
	for (i = 0; i < f.nfields; i++) {
		kv[i].name = f.fields[i].name;
		kv[i].value = f.fields[i].value;
	}
	if ((e = fhir_search_parse(c, t, kv, f.nfields, &q)) != ERR_OK)
		return e;
	if (count >= 0)
		q.count = count;
	page->match = json_array();
	page->include = json_array();
	page->total = -1;
	return t->search(c, &q, page);
}

/*
 * POST's If-None-Exist: ERR_OK with *found the one resource matching
 * (the create does not happen), or none (NULL); 412 when several match.
 */
static enum err
if_none_exist(struct fhir_call *c, const struct fhir_type *t, const char *qs,
	      json_t **found)
{
	struct fhir_page page = {0};
	enum err e = search_query(c, t, qs, 2, &page);

	*found = NULL;
	if (e == ERR_OK && json_array_size(page.match) > 1) {
		fhir_fail(&c->oo, 412, "multiple-matches", NULL,
			  "More than one resource matches ifNoneExist: make "
			  "the condition narrower.");
		e = ERR_CONFLICT;
	} else if (e == ERR_OK && json_array_size(page.match) == 1) {
		*found = json_incref(json_array_get(page.match, 0));
	}
	json_decref(page.match);
	json_decref(page.include);
	return e;
}

enum err
fhir_conditional_find(struct fhir_call *c, const struct fhir_type *t,
		      const char *query, json_t **found)
{
	return if_none_exist(c, t, query, found);
}

/* A Provenance sent to be created: only in a transaction, where it
 * names one of the transaction's writes. */
static bool
is_attribution(const struct entry *x)
{
	return x->method == M_POST && !strcmp(x->type->name, "Provenance");
}

/* Checks and prepares entry x's write (or finds what If-None-Exist
 * names). */
static enum err
prepare(struct fhir_call *c, struct entry *x)
{
	json_t *found;
	enum err e;

	if (x->method == M_POST) {
		if (!x->type->create)
			return ERR_METHOD;
		if (x->if_none_exist) {
			if ((e = if_none_exist(c, x->type, x->if_none_exist,
					       &found)) != ERR_OK)
				return e;
			if (found) {
				x->out = found;
				x->existed = true;
				x->status = 200;
				return ERR_OK;
			}
		}
		if ((e = fhir_scope_precheck(c, x->type->name,
					     SCOPE_CREATE)) != ERR_OK)
			return e;
		x->w.id = x->id;
		x->writes = true;
		return x->type->create(c, x->resource, &x->w);
	}
	if (!x->type->update)
		return ERR_METHOD;
	if (!x->have_version) {
		fhir_fail(&c->oo, 428, "required", NULL,
			  "Send ifMatch with the version you read, as "
			  "W/\"3\".");
		return ERR_INVALID;
	}
	if ((e = fhir_scope_precheck(c, x->type->name, SCOPE_UPDATE)) !=
	    ERR_OK)
		return e;
	x->writes = true;
	return x->type->update(c, x->id, x->version, x->resource, &x->w);
}

/* A GET entry: a read or a search, answered as a resource or Bundle. */
static enum err
get(struct fhir_call *c, struct entry *x, const char *base)
{
	struct fhir_page page = {0};
	json_t *b, *entries, *r;
	size_t i;
	enum err e;

	if (x->id) {
		if (!x->type->read)
			return ERR_METHOD;
		if ((e = fhir_scope_precheck(c, x->type->name, SCOPE_READ)) !=
		    ERR_OK)
			return e;
		return x->type->read(c, x->id, &x->out);
	}
	if ((e = fhir_scope_precheck(c, x->type->name, SCOPE_SEARCH)) !=
	    ERR_OK)
		return e;
	e = search_query(c, x->type, x->query ? x->query : "", -1, &page);
	if (e == ERR_OK) {
		entries = json_array();
		json_array_foreach(page.match, i, r)
			json_array_append_new(
				entries,
				json_pack("{s:s++,s:O,s:{s:s}}", "fullUrl",
					  base, "/", json_string_value(
						  json_object_get(r, "id")),
					  "resource", r, "search", "mode",
					  "match"));
		b = json_pack("{s:s,s:s,s:o}", "resourceType", "Bundle",
			      "type", "searchset", "entry", entries);
		if (page.total >= 0)
			json_object_set_new(b, "total",
					    json_integer(page.total));
		x->out = b;
	}
	json_decref(page.match);
	json_decref(page.include);
	return e;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200:
		return "200 OK";
	case 201:
		return "201 Created";
	default:
		return NULL;
	}
}

/* The response entry of x. */
static json_t *
response_entry(const struct entry *x, const char *base)
{
	json_t *r = json_object(), *resp = json_object();
	const char *st = status_text(x->status);
	const char *id = json_string_value(json_object_get(x->out, "id"));
	const char *ver = json_string_value(json_object_get(
		json_object_get(x->out, "meta"), "versionId"));
	const char *rt = json_string_value(
		json_object_get(x->out, "resourceType"));

	json_object_set_new(resp, "status",
			    st ? json_string(st)
			       : json_sprintf("%d", x->status));
	if (x->status < 300 && x->method != M_GET && id && rt) {
		json_object_set_new(resp, "location",
				    json_sprintf("%s/%s/_history/%s", rt, id,
						 ver ? ver : "1"));
		json_object_set_new(resp, "etag",
				    json_sprintf("W/\"%s\"", ver ? ver : "1"));
		json_object_set_new(r, "fullUrl",
				    json_sprintf("%s/%s/%s", base, rt, id));
	}
	if (x->status >= 300) {
		json_object_set(resp, "outcome", x->out);
	} else if (x->out) {
		json_object_set(r, "resource", x->out);
	}
	json_object_set_new(r, "response", resp);
	return r;
}

/* Answers entry x of a batch on its own. */
static void
batch_one(struct fhir_call *c, struct entry *x, const char *base)
{
	enum err e = ERR_OK;

	c->oo = (struct fhir_outcome){0};
	if (x->method == M_GET)
		e = get(c, x, base);
	else if ((e = prepare(c, x)) == ERR_OK && x->writes)
		e = fhir_make_writes(c, &x->w, 1, &x->out);
	if (e == ERR_OK) {
		if (!x->status)
			x->status = x->method == M_POST && !x->w.step.existed
					    ? 201
					    : 200;
		return;
	}
	if (!fhir_failed(&c->oo))
		fhir_fail(&c->oo, err_http_status(e),
			  e == ERR_NOT_FOUND ? "not-found"
			  : e == ERR_METHOD  ? "not-supported"
					     : "exception",
			  NULL, "This entry could not be carried out.");
	json_decref(x->out);
	x->status = c->oo.status;
	x->out = fhir_outcome_json(&c->oo);
}

/* The writes of a transaction, in its order. */
static enum err
transaction_writes(struct fhir_call *c, struct entry *x, size_t n)
{
	struct fhir_write *w = arena_alloc(c->ctx->a, (n + 1) * sizeof(*w));
	json_t **out = arena_alloc(c->ctx->a, (n + 1) * sizeof(*out));
	size_t i, k = 0;
	enum err e;

	if (!w || !out)
		return ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (x[i].writes)
			w[k++] = x[i].w;
	if (!k)
		return ERR_OK;
	if ((e = fhir_make_writes(c, w, k, out)) != ERR_OK)
		return e;
	for (i = k = 0; i < n; i++)
		if (x[i].writes) {
			x[i].w = w[k];
			x[i].out = out[k++];
			x[i].status = x[i].method == M_POST &&
						      !x[i].w.step.existed
					      ? 201
					      : 200;
		}
	return ERR_OK;
}

static bool
attribution_fail(struct fhir_call *c, size_t i, const char *where,
		 const char *text)
{
	fhir_failf(&c->oo, 422, "processing", text,
		   "Bundle.entry[%zu].resource.%s", i, where);
	return false;
}

/*
 * A client's Provenance (entry i): the write of this transaction it
 * targets is made in the patient's voice when an agent acts on the
 * patient's behalf (or is the patient), as when a professional writes
 * what the patient said. An agent can only be the caller or that
 * patient: nobody attributes a write to someone else.
 */
static bool
attribute(struct fhir_call *c, struct entry *x, size_t n, size_t i)
{
	json_t *res = x[i].resource, *targets, *agents, *a;
	const char *ref;
	struct entry *t = NULL;
	char path[48];
	int64_t id, me = c->ctx->actor.account_id;
	bool patient = false;
	size_t k, j;

	if (!fhir_check_members(&c->oo, res, &provenance_def, "Provenance"))
		return false;
	targets = json_object_get(res, "target");
	agents = json_object_get(res, "agent");
	if (json_array_size(targets) != 1 ||
	    !(ref = fhir_string_of(json_array_get(targets, 0), "reference")))
		return attribution_fail(c, i, "target",
					"Give one target: the fullUrl of an "
					"entry of this transaction.");
	for (k = 0; k < n; k++)
		if (x[k].writes && x[k].type->name &&
		    fhir_ref_parse(ref, x[k].type->name, &id) &&
		    id == x[k].w.id)
			t = &x[k];
	if (!t)
		return attribution_fail(c, i, "target",
					"A Provenance in a transaction "
					"attributes one of its writes: "
					"refer to that entry's fullUrl.");
	json_array_foreach(agents, j, a) {
		json_t *who = json_object_get(a, "who");
		json_t *obo = json_object_get(a, "onBehalfOf");
		const char *w = fhir_string_of(who, "reference");
		const char *o = fhir_string_of(obo, "reference");

		snprintf(path, sizeof(path), "Provenance.agent[%zu]", j);
		if (!fhir_check_members(&c->oo, a, &agent_def, path))
			return false;
		if (!w)
			return attribution_fail(c, i, "agent.who",
						"Each agent needs who.");
		/* The caller, or the patient themself. */
		if (!((fhir_ref_parse(w, "Practitioner", &id) && id == me) ||
		      (fhir_ref_parse(w, "Patient", &id) &&
		       id == t->w.wi.patient_id)))
			return attribution_fail(c, i, "agent.who",
						"An agent is you (Practitioner/"
						"<your account>) or the "
						"patient: nobody else.");
		if (o && !(fhir_ref_parse(o, "Patient", &id) &&
			   id == t->w.wi.patient_id))
			return attribution_fail(c, i, "agent.onBehalfOf",
						"onBehalfOf is the patient whose "
						"record is written.");
		if (o || (fhir_ref_parse(w, "Patient", &id) &&
			  id == t->w.wi.patient_id))
			patient = true;
	}
	if (!json_array_size(agents))
		return attribution_fail(c, i, "agent", "Give an agent.");
	if (patient)
		t->w.wi.voice = "patient";
	x[i].attributes = t;
	return true;
}

/* After the writes: a Provenance entry answers with the provenance the
 * write recorded for its target. */
static enum err
attribution_result(struct fhir_call *c, struct entry *x)
{
	struct provenance_query q = {0};
	struct provenance *rows;
	size_t n;
	enum err e;

	q.patient_id = x->attributes->w.wi.patient_id;
	q.resource_type = x->attributes->w.wi.resource_type;
	q.resource_id = x->attributes->w.wi.resource_id;
	q.from_ms = INT64_MIN;
	q.to_ms = INT64_MAX;
	q.limit = 1;
	if ((e = provenance_search(c->ctx->db, c->ctx->a, &q, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (!n)
		return ERR_NOT_FOUND;
	x->out = fhir_provenance_json(&rows[0]);
	x->status = 201;
	return x->out ? ERR_OK : ERR_NOMEM;
}

static enum err
transaction(struct fhir_call *c, struct entry *x, size_t n, const char *base)
{
	size_t i, from;
	enum err e;

	/* New ids first, so that entries can refer to each other. */
	for (i = 0; i < n; i++)
		if (x[i].method == M_POST)
			x[i].id = id_new();
	for (i = 0; i < n; i++)
		if (x[i].resource)
			resolve_refs(c, x[i].resource, x, n);
	for (i = 0; i < n; i++) {
		if (x[i].method == M_GET || is_attribution(&x[i]))
			continue;
		from = c->oo.n;
		e = prepare(c, &x[i]);
		issues_to_entry(&c->oo, from, i);
		if (e != ERR_OK) {
			if (!fhir_failed(&c->oo))
				fhir_failf(&c->oo, err_http_status(e),
					   e == ERR_NOT_FOUND ? "not-found"
							      : "processing",
					   "This entry could not be carried "
					   "out, so nothing was.",
					   "Bundle.entry[%zu]", i);
			return e;
		}
	}
	/* Client Provenance, once the writes they name are prepared. */
	for (i = 0; i < n; i++)
		if (is_attribution(&x[i]) && !attribute(c, x, n, i))
			return ERR_INVALID;
	if ((e = transaction_writes(c, x, n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if (x[i].attributes &&
		    (e = attribution_result(c, &x[i])) != ERR_OK)
			return e;
	for (i = 0; i < n; i++) {
		if (x[i].method != M_GET)
			continue;
		from = c->oo.n;
		e = get(c, &x[i], base);
		issues_to_entry(&c->oo, from, i);
		if (e != ERR_OK)
			return e;
		x[i].status = 200;
	}
	return ERR_OK;
}

enum err
fhir_bundle(struct fhir_call *c, json_t *in, const char *base, json_t **out)
{
	const char *type = fhir_string_of(in, "type");
	json_t *entries = json_object_get(in, "entry"), *e, *resp;
	struct entry *x;
	size_t n, i;
	bool tx;
	enum err err = ERR_OK;

	*out = NULL;
	if (!fhir_check_members(&c->oo, in, &bundle_def, "Bundle"))
		return ERR_INVALID;
	if (!type || (strcmp(type, "transaction") && strcmp(type, "batch"))) {
		fhir_fail(&c->oo, 400, "invalid", "Bundle.type",
			  "POST to the base a Bundle of type transaction or "
			  "batch.");
		return ERR_INVALID;
	}
	tx = !strcmp(type, "transaction");
	n = json_array_size(entries);
	if (n > FHIR_BUNDLE_MAX) {
		fhir_fail(&c->oo, 413, "too-costly", "Bundle.entry",
			  "Send at most 1000 entries in one Bundle.");
		return ERR_INVALID;
	}
	if (!(x = arena_calloc(c->ctx->a, n + 1, sizeof(*x))))
		return ERR_NOMEM;
	json_array_foreach(entries, i, e)
		if (!read_entry(c, i, e, &x[i]))
			return ERR_INVALID;
	if (tx)
		err = transaction(c, x, n, base);
	else
		for (i = 0; i < n; i++)
			batch_one(c, &x[i], base);
	if (err == ERR_OK) {
		resp = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(resp,
					      response_entry(&x[i], base));
		*out = json_pack("{s:s,s:s,s:o}", "resourceType", "Bundle",
				 "type",
				 tx ? "transaction-response" : "batch-response",
				 "entry", resp);
		if (!tx)
			c->oo = (struct fhir_outcome){0};
	}
	for (i = 0; i < n; i++)
		json_decref(x[i].out);
	return *out || err != ERR_OK ? err : ERR_NOMEM;
}

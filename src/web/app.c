/*
 * The application's HTTP hooks (see app.h). Order per request, as in
 * STYLE.md: method and route (HTTP layer) -> identity (session) -> CSRF
 * -> handler, which asks the access policy. One database connection is
 * held from prepare until the handler is done.
 */
#include "web/app.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/apitoken.h"
#include "auth/audit.h"
#include "contact/outbox.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/str.h"
#include "people/org.h"
#include "fhir/fhir.h"
#include "store/store.h"
#include "web/i18n.h"
#include "web/page.h"
#include "core/banned.h"

#define SESSION_COOKIE "session"
#define FORM_COOKIE "form"	/* CSRF secret before sign-in */
#define LANG_COOKIE "lang"

struct web *
web_of(struct req *req)
{
	struct web *w = http_user(req);
	struct arena *a;

	if (w)
		return w;
	a = http_arena(req);
	w = arena_alloc(a, sizeof(*w));
	if (!w)
		return NULL;
	w->req = req;
	w->app = http_app(req);
	w->ctx.store = w->app->store;
	w->ctx.a = a;
	w->ctx.audit_key = w->app->audit_key;
	w->ctx.now = clock_now();
	w->ctx.channel = "web";
	w->lang = i18n_negotiate(w->app->i18n, http_cookie(req, LANG_COOKIE),
				 http_header(req, "Accept-Language"));
	http_set_user(req, w);
	return w;
}

const char *
tr(struct web *w, const char *msgid)
{
	return i18n_get(w->app->i18n, w->lang, msgid);
}

const char *
trn(struct web *w, const char *one, const char *many, unsigned long n)
{
	return i18n_nget(w->app->i18n, w->lang, one, many, n);
}

bool
web_needs_2fa_setup(const struct web *w)
{
	return w->signed_in && w->org_requires_2fa &&
	       role_is_staff(w->account.role) && !w->account.totp_enabled;
}

static enum err
touch_session(struct db *db, void *arg)
{
	struct web *w = arg;

	return session_touch(db, w->session.id, w->ctx.now);
}

/* Finds the signed-in person from the session cookie, if any. */
static enum err
load_identity(struct web *w)
{
	const struct config *cfg = w->app->cfg;
	const char *token = http_cookie(w->req, SESSION_COOKIE);
	struct organisation org;
	enum err e;

	if (!token)
		return ERR_OK;
	e = session_lookup(w->ctx.db, token, w->ctx.now, cfg->session_idle,
			   cfg->session_lifetime, &w->session);
	if (e == ERR_UNAUTHENTICATED)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	e = account_get(w->ctx.db, w->ctx.a, w->session.account_id,
			&w->account);
	if (e == ERR_NOT_FOUND || (e == ERR_OK && w->account.disabled))
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	w->signed_in = true;
	w->ctx.actor.account_id = w->account.id;
	w->ctx.actor.org_id = w->account.org_id;
	w->ctx.actor.role = w->account.role;
	w->ctx.actor.patient_id = w->account.patient_id;
	w->ctx.actor.name = w->account.display_name;
	if (w->account.language[0] &&
	    i18n_supported(w->app->i18n, w->account.language))
		w->lang = w->account.language;
	/* The organisation's two-step rule binds staff only. */
	if (role_is_staff(w->account.role) &&
	    org_get(w->ctx.db, w->ctx.a, w->account.org_id, &org) == ERR_OK)
		w->org_requires_2fa = org.require_staff_2fa;
	if (session_needs_touch(&w->session, w->ctx.now))
		store_write(w->app->store, touch_session, w);
	return ERR_OK;
}

/* The person an API request acts for: the bearer token's owner. */
static enum err
load_bearer(struct web *w)
{
	const char *h = http_header(w->req, "Authorization");
	struct apitoken t;
	enum err e;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return ERR_UNAUTHENTICATED;
	h += 7;
	h += strspn(h, " ");
	e = apitoken_lookup(w->ctx.db, w->ctx.a, h, w->ctx.now, &t);
	if (e != ERR_OK)
		return e;
	e = account_get(w->ctx.db, w->ctx.a, t.account_id, &w->account);
	if (e == ERR_NOT_FOUND || (e == ERR_OK && w->account.disabled))
		return ERR_UNAUTHENTICATED;
	if (e != ERR_OK)
		return e;
	w->signed_in = true;
	w->api_scopes = t.scopes;
	w->ctx.channel = "api";
	w->ctx.actor.account_id = w->account.id;
	w->ctx.actor.org_id = w->account.org_id;
	w->ctx.actor.role = w->account.role;
	w->ctx.actor.patient_id = w->account.patient_id;
	w->ctx.actor.name = w->account.display_name;
	return ERR_OK;
}

/* The form's CSRF token must match the session's, or before sign-in the
 * random value in the form cookie (double submit). */
static enum err
check_csrf(struct web *w)
{
	const char *sent = http_field(w->req, "csrf");
	const char *expect;

	if (w->signed_in)
		expect = w->session.csrf;
	else
		expect = http_cookie(w->req, FORM_COOKIE);
	if (!sent || !expect || strlen(expect) != TOKEN_HEX_LEN ||
	    strlen(sent) != TOKEN_HEX_LEN ||
	    !str_secret_eq(sent, expect, TOKEN_HEX_LEN))
		return ERR_CSRF;
	return ERR_OK;
}

/* A page's answer waits for its writes to reach the disk (write.h). */
static void
web_defer(void *req)
{
	http_defer(req);
}

static void
web_durable(void *req, enum err e)
{
	http_resume(req, e);
}

static enum err
app_prepare(struct req *req, const struct http_route *route)
{
	struct web *w = web_of(req);
	enum err e;

	if (!w)
		return ERR_NOMEM;
	w->ctx.db = store_acquire(w->app->store);
	if (!w->ctx.db)
		return ERR_DB;
	w->ctx.defer = web_defer;
	w->ctx.durable = web_durable;
	w->ctx.defer_arg = req;
	/* One snapshot for the whole page view: consistent, and cheaper.
	 * Forms that write go without: their commits would otherwise wait
	 * for checkpoints held back by the snapshots of other requests. */
	if (!http_method_writes(http_method(req)) &&
	    (e = db_read_begin(w->ctx.db)) != ERR_OK)
		return e;
	if (route->flags & WEB_API) {
		e = load_bearer(w);
		/* /fhir/metadata answers anyone. */
		if (e == ERR_UNAUTHENTICATED && (route->flags & WEB_PUBLIC))
			return ERR_OK;
		return e;
	}
	if ((e = load_identity(w)) != ERR_OK)
		return e;
	if (http_method_writes(http_method(req)) &&
	    (e = check_csrf(w)) != ERR_OK)
		return e;
	if (route->flags & WEB_PUBLIC)
		return ERR_OK;
	if (!w->signed_in)
		return ERR_UNAUTHENTICATED;
	if (w->account.totp_enabled && !w->session.second_factor_done &&
	    !(route->flags & WEB_SECOND_FACTOR))
		return ERR_UNAUTHENTICATED;
	if (web_needs_2fa_setup(w) && !(route->flags & WEB_SECOND_FACTOR))
		return ERR_FORBIDDEN;
	return ERR_OK;
}

/*
 * A form's answer may report as saved what it only read ("that is there
 * already"): unless its own write already waits for what it saw, it
 * waits until everything committed so far is on disk (store.h). A page
 * view does not wait.
 */
static void
app_finish(struct req *req)
{
	struct web *w = http_user(req);
	struct app *app = http_app(req);
	bool deferred;
	enum err e;

	if (w && w->ctx.db) {
		store_release(w->app->store, w->ctx.db);
		w->ctx.db = NULL;
	}
	if (!http_method_writes(http_method(req)) || (w && w->ctx.wrote))
		return;
	http_defer(req);
	e = store_durable_barrier(app->store, web_durable, req, &deferred);
	if (!deferred)
		http_resume(req, e);
}

/* Form fields never shown again nor kept in a page. */
static bool
field_is_secret(const char *name)
{
	return !strcmp(name, "csrf") || !strcmp(name, "code") ||
	       !strcmp(name, "secret") || strstr(name, "password") != NULL;
}

/*
 * What the person typed, on the pages that say their change was not
 * saved or not confirmed, so that nothing is lost: each field shown as
 * sent, and "Send it again" posts them back. Secrets stay out.
 */
static void
keep_typed(struct web *w, json_t *ctx)
{
	const struct http_field *f;
	size_t n, i, nup;
	json_t *typed, *o;
	bool any = false;

	if (http_method(w->req) != HTTP_POST)
		return;
	f = http_fields(w->req, &n);
	typed = jarr(ctx, "typed");
	for (i = 0; i < n; i++) {
		if (field_is_secret(f[i].name))
			continue;
		o = jpush(typed);
		jstr(o, "name", f[i].name);
		json_object_set_new(o, "value",
				    json_stringn(f[i].value, f[i].len));
		any = true;
	}
	http_uploads(w->req, &nup);
	jbool(ctx, "has_typed", any || nup);
	jbool(ctx, "typed_files", nup > 0);
	jstr(ctx, "typed_action", http_path(w->req));
}

/* Where a signed-out person or one half-way through sign-in goes. */
static bool
redirect_for_sign_in(struct web *w, enum err e)
{
	const char *back;
	struct buf b;

	if (e == ERR_UNAUTHENTICATED && w->signed_in &&
	    w->account.totp_enabled && !w->session.second_factor_done)
		return http_redirect(w->req, "/signin/second-factor") ==
		       ERR_OK;
	if (e == ERR_FORBIDDEN && web_needs_2fa_setup(w))
		return http_redirect(w->req, "/account/second-factor") ==
		       ERR_OK;
	if (e != ERR_UNAUTHENTICATED || http_method(w->req) != HTTP_GET)
		return false;
	back = http_path(w->req);
	buf_init(&b, w->ctx.a, 4096);
	buf_adds(&b, "/signin");
	if (back && strcmp(back, "/") != 0) {
		buf_adds(&b, "?next=");
		buf_add_urlenc(&b, back, strlen(back));
	}
	return !b.failed && http_redirect(w->req, b.p) == ERR_OK;
}

static void
app_error(struct req *req, enum err e)
{
	struct web *w = web_of(req);
	json_t *ctx;
	int status = err_http_status(e);

	if (!w)
		return;
	if (fhir_owns(http_path(req))) {
		fhir_error(req, e);
		return;
	}
	if (redirect_for_sign_in(w, e))
		return;
	/* A full disk is logged by the store, once, not per request; a
	 * server that is stopping says so once. */
	if (status >= 500 && e != ERR_FULL && e != ERR_UNAVAILABLE) {
		const struct http_route *rt = http_route(req);

		log_error("%s %s: %s", http_method_str(req),
			  rt ? rt->pattern : "-", err_name(e));
	}
	ctx = page_new(w, err_str(e));
	/* The messages are sentence fragments; a heading starts capitalised. */
	{
		const char *t = json_string_value(json_object_get(ctx, "title"));
		char *cap = t ? arena_strdup(w->ctx.a, t) : NULL;

		if (cap && cap[0] >= 'a' && cap[0] <= 'z') {
			cap[0] = (char)(cap[0] - 'a' + 'A');
			jstr(ctx, "title", cap);
		}
	}
	jint(ctx, "status", status);
	jstr(ctx, "message", tr(w, err_str(e)));
	jbool(ctx, "is_404", status == 404);
	jbool(ctx, "is_403", status == 403);
	jbool(ctx, "is_csrf", e == ERR_CSRF);
	jbool(ctx, "is_400", status == 400 || status == 413 ||
				      status == 415);
	jbool(ctx, "is_full", e == ERR_FULL);
	jbool(ctx, "is_unconfirmed", e == ERR_UNCONFIRMED);
	jbool(ctx, "is_unavailable", e == ERR_UNAVAILABLE &&
					     http_method(req) == HTTP_POST);
	if (e == ERR_FULL || e == ERR_UNCONFIRMED || e == ERR_UNAVAILABLE)
		keep_typed(w, ctx);
	page_render(w, status, "error", ctx);
}

/* Notifications in the outbox by status, every organisation. */
static void
outbox_metrics(struct db *db, struct buf *out)
{
	int64_t counts[OUTBOX_STATUS__MAX];
	int s;

	if (outbox_count(db, 0, counts) != ERR_OK)
		return;
	buf_adds(out, "# HELP cocare_outbox_notifications Notifications in "
		      "the outbox by status.\n# TYPE "
		      "cocare_outbox_notifications gauge\n");
	for (s = 0; s < OUTBOX_STATUS__MAX; s++)
		buf_printf(out, "cocare_outbox_notifications{status=\"%s\"} "
				"%lld\n",
			   outbox_status_name((enum outbox_status)s),
			   (long long)counts[s]);
}

static void
app_metrics(struct req *req, struct buf *out)
{
	struct app *app = http_app(req);
	struct db *db = store_acquire(app->store);
	int64_t open = 0;

	buf_printf(out,
		   "# HELP cocare_db_seconds_total Time spent in the "
		   "database.\n# TYPE cocare_db_seconds_total counter\n"
		   "cocare_db_seconds_total %.6f\n",
		   (double)store_db_time_ns(app->store) / 1e9);
	if (!db)
		return;
	if (session_count_open(db, clock_now(), app->cfg->session_idle,
			       &open) == ERR_OK)
		buf_printf(out,
			   "# HELP cocare_sessions_open Sessions used within "
			   "the idle timeout.\n# TYPE cocare_sessions_open "
			   "gauge\ncocare_sessions_open %lld\n",
			   (long long)open);
	outbox_metrics(db, out);
	store_release(app->store, db);
}

/* Healthy: the database answers and a write would be stored now. */
static bool
app_healthy(void *p, char *why, size_t whylen)
{
	struct app *app = p;
	struct db *db;
	struct stmt *st;
	bool ok = false;

	if (!store_writable(app->store, why, whylen))
		return false;
	if (!(db = store_acquire(app->store))) {
		snprintf(why, whylen, "no database connection");
		return false;
	}
	if ((st = db_prepare(db, "SELECT 1"))) {
		ok = stmt_row(st);
		ok = stmt_done(st) == ERR_OK && ok;
	}
	store_release(app->store, db);
	if (!ok)
		snprintf(why, whylen, "the database does not answer");
	return ok;
}

void
app_hooks(struct http_hooks *hooks)
{
	memset(hooks, 0, sizeof(*hooks));
	hooks->prepare = app_prepare;
	hooks->error = app_error;
	hooks->finish = app_finish;
	hooks->metrics = app_metrics;
	hooks->healthy = app_healthy;
}

void
web_audit_read(struct web *w, const char *resource_type,
	       const char *resource_id, int64_t patient_id)
{
	struct audit_event e = audit_event_for(&w->ctx, "read", resource_type,
					       resource_id, patient_id,
					       "success");

	if (audit_record_async(&w->ctx, &e) != ERR_OK)
		log_warn("read audit event not queued");
}

enum err
web_param_id(struct web *w, const char *name, int64_t *out)
{
	const char *v = http_param(w->req, name);

	if (!v || !str_to_i64(str_c(v), 1, INT64_MAX, out))
		return ERR_NOT_FOUND;
	return ERR_OK;
}

const char *
web_field(struct web *w, const char *name)
{
	const char *v = http_field(w->req, name);
	struct str s;

	if (!v)
		return "";
	s = str_trim(str_c(v));
	return str_dup(w->ctx.a, s);
}

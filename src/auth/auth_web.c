/*
 * Pages for signing in and out, the second factor, and a person's own
 * account: language, password, devices, two-step sign-in, API tokens.
 */
#include "auth/auth_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/apitoken.h"
#include "auth/throttle.h"
#include "auth/totp.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/str.h"
#include "demo/demo.h"
#include "store/store.h"
#include "web/app.h"
#include "web/i18n.h"
#include "web/page.h"
#include "core/banned.h"

#define SESSION_COOKIE "session"

/* Only plain local paths: never an open redirect to another site. A
 * browser ignores tabs and newlines and reads "\\" as "/", so anything
 * but path characters sends the person home instead. */
static const char *
safe_next(const char *next)
{
	size_t i, n = next ? strlen(next) : 0;

	if (n == 0 || n > 512 || next[0] != '/' || next[1] == '/')
		return "/";
	for (i = 0; i < n; i++) {
		char c = next[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("/-._~%?=&", c)))
			return "/";
	}
	return next;
}

static void
add_demo_logins(struct web *w, json_t *ctx)
{
	static const struct {
		const char *user;
		const char *who;
	} demo[] = {
		{"patient", N_("Patient")},
		{"caregiver", N_("Caregiver")},
		{"nurse", N_("Professional (nurse)")},
		{"doctor", N_("Professional (psychiatrist)")},
		{"reception", N_("Receptionist")},
		{"admin", N_("Administrator")},
		{"privacy", N_("Privacy officer")},
	};
	json_t *arr;
	size_t i;

	if (!w->app->demo)
		return;
	arr = jarr(ctx, "demo_logins");
	for (i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
		json_t *o = jpush(arr);

		jstr(o, "user", demo[i].user);
		jstr(o, "who", tr(w, demo[i].who));
	}
	jstr(ctx, "demo_password", DEMO_PASSWORD);
}

static enum err
signin_form(struct web *w, int status, const char *username,
	    const char *error)
{
	json_t *ctx = page_new(w, N_("Sign in"));

	jstr(ctx, "username", username);
	jstr(ctx, "next", safe_next(http_field(w->req, "next")));
	if (error)
		jstr(ctx, "error", error);
	add_demo_logins(w, ctx);
	return page_render(w, status, "signin", ctx);
}

/* GET /signin: 200, or 303 home when already signed in. */
static enum err
get_signin(struct req *req)
{
	struct web *w = web_of(req);

	if (w->signed_in)
		return http_redirect(req, "/");
	return signin_form(w, 200, "", NULL);
}

struct login {
	struct web *w;
	const char *old_token;
	const char *name_key;
	const char *addr_key;
	bool ok;
	char token[TOKEN_HEX_LEN + 1];
	struct session s;
};

static enum err
login_fail_fn(struct db *db, void *arg)
{
	struct login *l = arg;
	enum err e = throttle_fail(db, l->name_key, l->w->ctx.now);

	return e == ERR_OK ? throttle_fail(db, l->addr_key, l->w->ctx.now)
			   : e;
}

static enum err
login_fn(struct db *db, void *arg)
{
	struct login *l = arg;
	struct session old;
	enum err e;

	/* Rotation: the session that was in the browser ends here. */
	if (l->old_token &&
	    session_lookup(db, l->old_token, l->w->ctx.now, 1 << 30, 1 << 30,
			   &old) == ERR_OK &&
	    (e = session_delete(db, old.id)) != ERR_OK)
		return e;
	if ((e = throttle_clear(db, l->name_key)) != ERR_OK)
		return e;
	/* Housekeeping rides on sign-ins: expired sessions go here. */
	if ((e = session_delete_expired(db, l->w->ctx.now,
					l->w->app->cfg->session_idle,
					l->w->app->cfg->session_lifetime)) !=
	    ERR_OK)
		return e;
	return session_insert(db, l->w->account.id, l->w->account.org_id,
			      false, l->w->ctx.now, l->token, &l->s);
}

static void
set_actor(struct web *w, const struct account *acc)
{
	w->ctx.actor.account_id = acc->id;
	w->ctx.actor.org_id = acc->org_id;
	w->ctx.actor.role = acc->role;
	w->ctx.actor.patient_id = acc->patient_id;
	w->ctx.actor.name = acc->display_name;
}

/* POST /signin: 303 on success; 401 wrong name or password; 429 while
 * throttled. The answer is the same whether or not the name exists. */
static enum err
post_signin(struct req *req)
{
	struct web *w = web_of(req);
	const char *name = web_field(w, "username");
	const char *pw = http_field(req, "password");
	struct login l = {w, NULL, NULL, NULL, false, "", {0}};
	struct audit_event ev;
	struct account acc;
	int64_t wait_name = 0, wait_addr = 0;
	char *lower;
	char msg[200];
	enum err e;

	lower = str_lower(w->ctx.a, name, strlen(name));
	if (!lower || !pw)
		return signin_form(w, 400, name,
				   tr(w, N_("Enter your user name and "
					    "password.")));
	l.name_key = throttle_key_name(w->ctx.a, lower);
	l.addr_key = throttle_key_address(w->ctx.a, http_client_addr(req));
	if (!l.name_key || !l.addr_key)
		return ERR_NOMEM;
	if ((e = throttle_wait(w->ctx.db, l.name_key,
			       THROTTLE_FREE_PER_NAME, w->ctx.now,
			       &wait_name)) != ERR_OK ||
	    (e = throttle_wait(w->ctx.db, l.addr_key,
			       THROTTLE_FREE_PER_ADDRESS, w->ctx.now,
			       &wait_addr)) != ERR_OK)
		return e;
	if (wait_name > 0 || wait_addr > 0) {
		int64_t wait = wait_name > wait_addr ? wait_name : wait_addr;

		snprintf(msg, sizeof(msg),
			 trn(w, "Too many attempts. Wait %lld second, then "
				"try again.",
			     "Too many attempts. Wait %lld seconds, then try "
			     "again.",
			     (unsigned long)wait),
			 (long long)wait);
		return signin_form(w, 429, name,
				   arena_strdup(w->ctx.a, msg));
	}
	e = account_get_by_username(w->ctx.db, w->ctx.a, lower, &acc);
	if (e != ERR_OK && e != ERR_NOT_FOUND)
		return e;
	if (e == ERR_OK && !acc.disabled &&
	    strlen(pw) <= PASSWORD_MAX_BYTES &&
	    password_verify(acc.password_hash, pw))
		l.ok = true;
	else if (e != ERR_OK || acc.disabled)
		password_verify_dummy(pw);
	if (!l.ok) {
		store_write(w->app->store, login_fail_fn, &l);
		ev = audit_event_for(&w->ctx, "login", "Session", "", 0,
				     "failure");
		audit_record_async(&w->ctx, &ev);
		return signin_form(w, 401, name,
				   tr(w, N_("The user name or password is "
					    "not right. Check them and try "
					    "again.")));
	}
	w->account = acc;
	set_actor(w, &acc);
	l.old_token = http_cookie(req, SESSION_COOKIE);
	{
		struct write_info wi = {"login", "Session", "", 0, NULL, NULL, NULL};

		if ((e = write_commit(&w->ctx, &wi, login_fn, &l)) != ERR_OK)
			return e;
	}
	if ((e = http_set_cookie(req, SESSION_COOKIE, l.token, -1)) != ERR_OK)
		return e;
	if (acc.totp_enabled)
		return http_redirect(req, "/signin/second-factor");
	return http_redirect(req, safe_next(http_field(req, "next")));
}

static enum err
logout_fn(struct db *db, void *arg)
{
	struct web *w = arg;

	return session_delete(db, w->session.id);
}

/* POST /signout: 303 to the sign-in page. */
static enum err
post_signout(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"logout", "Session", "", 0, NULL, NULL, NULL};
	enum err e;

	if ((e = write_commit(&w->ctx, &wi, logout_fn, w)) != ERR_OK)
		return e;
	http_delete_cookie(req, SESSION_COOKIE);
	return page_redirect(w, "/signin", "signed-out");
}

static enum err
second_factor_form(struct web *w, int status, const char *error)
{
	json_t *ctx = page_new(w, N_("Two-step sign-in"));

	if (error)
		jstr(ctx, "error", error);
	return page_render(w, status, "second_factor", ctx);
}

/* GET /signin/second-factor: 200, or 303 when nothing is asked. */
static enum err
get_second_factor(struct req *req)
{
	struct web *w = web_of(req);

	if (!w->account.totp_enabled || w->session.second_factor_done)
		return http_redirect(req, "/");
	return second_factor_form(w, 200, NULL);
}

static enum err
second_factor_done_fn(struct db *db, void *arg)
{
	struct login *l = arg;
	enum err e = session_set_second_factor(db, l->w->session.id);

	return e == ERR_OK ? throttle_clear(db, l->name_key) : e;
}

static enum err
second_factor_fail_fn(struct db *db, void *arg)
{
	struct login *l = arg;

	return throttle_fail(db, l->name_key, l->w->ctx.now);
}

/* POST /signin/second-factor: 303 home; 401 wrong code; 429 throttled. */
static enum err
post_second_factor(struct req *req)
{
	struct web *w = web_of(req);
	struct login l = {w, NULL, NULL, NULL, false, "", {0}};
	struct write_info wi = {"second-factor", "Session", "", 0, NULL,
				NULL, NULL};
	int64_t wait = 0;
	enum err e;

	if (!w->account.totp_enabled || w->session.second_factor_done)
		return http_redirect(req, "/");
	l.name_key = arena_printf(w->ctx.a, "t:%lld",
				  (long long)w->account.id);
	if (!l.name_key)
		return ERR_NOMEM;
	if ((e = throttle_wait(w->ctx.db, l.name_key, THROTTLE_FREE_PER_NAME,
			       w->ctx.now, &wait)) != ERR_OK)
		return e;
	if (wait > 0)
		return second_factor_form(w, 429, tr(w, err_str(ERR_THROTTLED)));
	if (!totp_verify(w->account.totp_secret, web_field(w, "code"),
			 w->ctx.now)) {
		store_write(w->app->store, second_factor_fail_fn, &l);
		return second_factor_form(w, 401,
					  tr(w, N_("That code is not right. "
						   "Use the newest code from "
						   "your app.")));
	}
	if ((e = write_commit(&w->ctx, &wi, second_factor_done_fn, &l)) !=
	    ERR_OK)
		return e;
	return http_redirect(req, "/");
}

/* POST /language: sets the language of the pages before sign-in. */
static enum err
post_language(struct req *req)
{
	struct web *w = web_of(req);
	const char *lang = web_field(w, "lang");

	if (!i18n_supported(w->app->i18n, lang))
		return ERR_INVALID;
	if (http_set_cookie(req, "lang", lang, 365 * 86400) != ERR_OK)
		return ERR_INVALID;
	return http_redirect(req, safe_next(http_field(req, "next")));
}

static const struct http_route auth_routes[] = {
	{HTTP_GET, "/signin", get_signin, WEB_PUBLIC, NULL},
	{HTTP_POST, "/signin", post_signin, WEB_PUBLIC, NULL},
	{HTTP_POST, "/signout", post_signout, WEB_SECOND_FACTOR, NULL},
	{HTTP_GET, "/signin/second-factor", get_second_factor,
	 WEB_SECOND_FACTOR, NULL},
	{HTTP_POST, "/signin/second-factor", post_second_factor,
	 WEB_SECOND_FACTOR, NULL},
	{HTTP_POST, "/language", post_language, WEB_PUBLIC, NULL},
};

enum err
auth_web_routes(struct http_router *r)
{
	return http_router_add(r, auth_routes,
			       sizeof(auth_routes) / sizeof(auth_routes[0]));
}

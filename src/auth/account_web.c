/*
 * A person's own account: language, password, signing out on every
 * device, two-step sign-in (TOTP) and personal API tokens.
 */
#include "auth/auth_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/apitoken.h"
#include "auth/totp.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/str.h"
#include "store/store.h"
#include "web/app.h"
#include "web/i18n.h"
#include "web/page.h"
#include "core/banned.h"

#define SESSION_COOKIE "session"
#define TOKEN_DAYS_MAX 366

struct account_change {
	struct web *w;
	const char *text;	/* language, password hash or secret */
	bool flag;
	char secret[TOKEN_HEX_LEN + 5];
	int64_t id;
	int64_t expires_at;
	const char *label;
	const char *scopes;
};

static enum err
account_page(struct web *w, int status, const struct problems *ps,
	     const char *new_token)
{
	json_t *ctx = page_new(w, N_("My account"));
	json_t *tokens, *langs;
	struct apitoken *t;
	int64_t devices = 0;
	size_t n, i;
	enum err e;

	jstr(ctx, "username", w->account.username);
	jstr(ctx, "display_name", w->account.display_name);
	jstr(ctx, "role", tr(w, role_label(w->account.role)));
	jbool(ctx, "totp_enabled", w->account.totp_enabled);
	jbool(ctx, "totp_required", w->org_requires_2fa &&
					    role_is_staff(w->account.role));
	langs = jarr(ctx, "languages");
	{
		static const struct {
			const char *code, *name;
		} l[] = {{"", N_("The language of my browser")},
			 {"en", "English"},
			 {"es", "Español"}};

		for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
			json_t *o = jpush(langs);

			jstr(o, "code", l[i].code);
			jstr(o, "name", l[i].code[0] ? l[i].name
						     : tr(w, l[i].name));
			jbool(o, "selected",
			      strcmp(w->account.language, l[i].code) == 0);
		}
	}
	e = session_count_for_account(w->ctx.db, w->account.id, w->ctx.now,
				      w->app->cfg->session_idle, &devices);
	if (e != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	jint(ctx, "devices", devices);
	jstr(ctx, "devices_text",
	     arena_printf(w->ctx.a,
			  trn(w, "You are signed in on %lld device.",
			      "You are signed in on %lld devices.",
			      (unsigned long)devices),
			  (long long)devices));
	if ((e = apitoken_list(w->ctx.db, w->ctx.a, w->account.id, &t, &n)) !=
	    ERR_OK) {
		json_decref(ctx);
		return e;
	}
	tokens = jarr(ctx, "tokens");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(tokens);
		bool active = !t[i].revoked_at &&
			      (!t[i].expires_at || t[i].expires_at > w->ctx.now);

		jid(o, "id", t[i].id);
		jstr(o, "label", t[i].label);
		jstr(o, "scopes", t[i].scopes);
		jstr(o, "created", page_date(w, t[i].created_at));
		jstr(o, "expires", t[i].expires_at
					   ? page_date(w, t[i].expires_at)
					   : tr(w, N_("never")));
		jbool(o, "active", active);
	}
	if (new_token)
		jstr(ctx, "new_token", new_token);
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "account", ctx);
}

/* GET /account: 200. */
static enum err
get_account(struct req *req)
{
	return account_page(web_of(req), 200, NULL, NULL);
}

static enum err
language_fn(struct db *db, void *arg)
{
	struct account_change *c = arg;

	return account_set_language(db, c->w->account.id, c->text,
				    c->w->ctx.now);
}

/* POST /account/language: 303; 400 for an unknown language. */
static enum err
post_language(struct req *req)
{
	struct web *w = web_of(req);
	struct account_change c = {.w = w, .text = web_field(w, "language")};
	struct write_info wi = {"update", "Account", "", 0, "language", NULL, NULL};
	struct problems ps = {0};
	enum err e;

	if (c.text[0] && !i18n_supported(w->app->i18n, c.text)) {
		problems_add(&ps, "language", N_("Choose a language from the "
						 "list."));
		return account_page(w, 400, &ps, NULL);
	}
	wi.resource_id = arena_printf(w->ctx.a, "%lld",
				      (long long)w->account.id);
	if ((e = write_commit(&w->ctx, &wi, language_fn, &c)) != ERR_OK)
		return e;
	return page_redirect(w, "/account", "saved");
}

static enum err
password_fn(struct db *db, void *arg)
{
	struct account_change *c = arg;
	enum err e = account_set_password(db, c->w->account.id, c->text,
					  c->w->ctx.now);

	/* Other devices signed in with the old password are signed out. */
	if (e == ERR_OK)
		e = session_delete_for_account(db, c->w->account.id);
	if (e == ERR_OK) {
		struct session s;

		e = session_insert(db, c->w->account.id, c->w->account.org_id,
				   c->w->session.second_factor_done,
				   c->w->ctx.now, c->secret, &s);
	}
	return e;
}

/* POST /account/password: 303; 400 when a check fails (nothing changes). */
static enum err
post_password(struct req *req)
{
	struct web *w = web_of(req);
	const char *cur = http_field(req, "current");
	const char *pw = http_field(req, "password");
	const char *again = http_field(req, "password_again");
	struct account_change c = {.w = w};
	struct write_info wi = {"update", "Account", "", 0, "password", NULL, NULL};
	char hash[PASSWORD_HASH_MAX];
	struct problems ps = {0};
	enum password_problem pp;
	enum err e;

	if (!cur || strlen(cur) > PASSWORD_MAX_BYTES ||
	    !password_verify(w->account.password_hash, cur))
		problems_add(&ps, "current",
			     N_("Your current password is not right."));
	if (!pw || !again || strcmp(pw, again) != 0)
		problems_add(&ps, "password_again",
			     N_("The two new passwords are not the same."));
	else if ((pp = password_check(pw, w->account.username)) !=
		 PASSWORD_OK)
		problems_add(&ps, "password", password_problem_str(pp));
	if (ps.n)
		return account_page(w, 400, &ps, NULL);
	if ((e = password_hash(pw, hash)) != ERR_OK)
		return e;
	c.text = hash;
	wi.resource_id = arena_printf(w->ctx.a, "%lld",
				      (long long)w->account.id);
	if ((e = write_commit(&w->ctx, &wi, password_fn, &c)) != ERR_OK)
		return e;
	http_set_cookie(req, SESSION_COOKIE, c.secret, -1);
	return page_redirect(w, "/account", "password");
}

static enum err
everywhere_fn(struct db *db, void *arg)
{
	struct web *w = arg;

	return session_delete_for_account(db, w->account.id);
}

/* POST /account/signout-everywhere: 303 to sign-in. */
static enum err
post_everywhere(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"logout-everywhere", "Session", "", 0, NULL,
				NULL, NULL};
	enum err e;

	if ((e = write_commit(&w->ctx, &wi, everywhere_fn, w)) != ERR_OK)
		return e;
	http_delete_cookie(req, SESSION_COOKIE);
	return page_redirect(w, "/signin", "signed-out-everywhere");
}

static enum err
setup_page(struct web *w, int status, const char *secret, const char *error)
{
	json_t *ctx = page_new(w, N_("Set up two-step sign-in"));
	char issuer[] = "cocare";

	jstr(ctx, "secret", secret);
	jstr(ctx, "uri", totp_uri(w->ctx.a, issuer, w->account.username,
				  secret));
	jbool(ctx, "required", web_needs_2fa_setup(w));
	if (error)
		jstr(ctx, "error", error);
	return page_render(w, status, "second_factor_setup", ctx);
}

/* GET /account/second-factor: 200 with a new secret to add to an app. */
static enum err
get_setup(struct req *req)
{
	struct web *w = web_of(req);
	char secret[TOTP_SECRET_MAX];
	enum err e;

	if (w->account.totp_enabled)
		return http_redirect(req, "/account");
	if ((e = totp_new_secret(secret)) != ERR_OK)
		return e;
	return setup_page(w, 200, arena_strdup(w->ctx.a, secret), NULL);
}

static enum err
totp_fn(struct db *db, void *arg)
{
	struct account_change *c = arg;
	enum err e = account_set_totp(db, c->w->account.id, c->text, c->flag,
				      c->w->ctx.now);

	if (e == ERR_OK && c->flag)
		e = session_set_second_factor(db, c->w->session.id);
	return e;
}

/* The secret comes back from the form: it is proven by the code made
 * from it, and nothing is kept in memory between the two requests. */
static bool
secret_well_formed(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 16 || n >= TOTP_SECRET_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '2' && s[i] <= '7') || s[i] == '='))
			return false;
	return true;
}

/* POST /account/second-factor: 303; 400 for a wrong code. */
static enum err
post_setup(struct req *req)
{
	struct web *w = web_of(req);
	const char *secret = web_field(w, "secret");
	struct account_change c = {.w = w, .text = secret, .flag = true};
	struct write_info wi = {"update", "Account", "", 0, "second-factor-on",
				NULL, NULL};
	enum err e;

	if (w->account.totp_enabled)
		return http_redirect(req, "/account");
	if (!secret_well_formed(secret))
		return ERR_INVALID;
	if (!totp_verify(secret, web_field(w, "code"), w->ctx.now))
		return setup_page(w, 400, secret,
				  tr(w, N_("That code is not right. Check "
					   "the time on your phone and use "
					   "the newest code.")));
	wi.resource_id = arena_printf(w->ctx.a, "%lld",
				      (long long)w->account.id);
	if ((e = write_commit(&w->ctx, &wi, totp_fn, &c)) != ERR_OK)
		return e;
	return page_redirect(w, "/account", "second-factor-on");
}

/* POST /account/second-factor/off: 303; 400 wrong password; 403 when
 * the organisation requires it. */
static enum err
post_setup_off(struct req *req)
{
	struct web *w = web_of(req);
	const char *pw = http_field(req, "password");
	struct account_change c = {.w = w, .text = "", .flag = false};
	struct write_info wi = {"update", "Account", "", 0,
				"second-factor-off", NULL, NULL};
	struct problems ps = {0};
	enum err e;

	if (w->org_requires_2fa && role_is_staff(w->account.role))
		return ERR_FORBIDDEN;
	if (!pw || strlen(pw) > PASSWORD_MAX_BYTES ||
	    !password_verify(w->account.password_hash, pw)) {
		problems_add(&ps, "off_password",
			     N_("Your password is not right."));
		return account_page(w, 400, &ps, NULL);
	}
	wi.resource_id = arena_printf(w->ctx.a, "%lld",
				      (long long)w->account.id);
	if ((e = write_commit(&w->ctx, &wi, totp_fn, &c)) != ERR_OK)
		return e;
	return page_redirect(w, "/account", "second-factor-off");
}

static enum err
token_fn(struct db *db, void *arg)
{
	struct account_change *c = arg;

	return apitoken_insert(db, c->w->account.id, c->w->account.org_id,
			       c->label, c->scopes, c->expires_at,
			       c->w->ctx.now, c->secret, &c->id);
}

/* POST /account/tokens: 200 showing the new token once; 400 invalid. */
static enum err
post_token(struct req *req)
{
	struct web *w = web_of(req);
	struct account_change c = {.w = w};
	struct write_info wi = {"create", "ApiToken", "", 0, NULL, NULL, NULL};
	struct problems ps = {0};
	const char *days = web_field(w, "days");
	int64_t d = 0;
	bool rd = http_field(req, "scope_read") != NULL;
	bool wr = http_field(req, "scope_write") != NULL;
	size_t n;
	enum err e;

	c.label = web_field(w, "label");
	n = strlen(c.label);
	if (n == 0 || utf8_length(c.label, n) > APITOKEN_LABEL_MAX ||
	    str_has_control(c.label, n))
		problems_add(&ps, "label",
			     N_("Name the token in up to 100 characters, so "
				"you know later what uses it."));
	/* Exact SMART scopes for developers, else the two boxes. */
	c.scopes = web_field(w, "scopes");
	if (!c.scopes[0])
		c.scopes = rd && wr ? "user/*.rs user/*.cud"
			   : wr	    ? "user/*.cud"
			   : rd	    ? "user/*.rs"
				    : "";
	if (!c.scopes[0])
		problems_add(&ps, "scopes",
			     N_("Choose what the token may do."));
	else if (!apitoken_scopes_valid(c.scopes))
		problems_add(&ps, "scopes",
			     N_("Write the scopes as SMART scopes, for "
				"example patient/Observation.rs user/Patient.r "
				"(system scopes are for systems, not "
				"people)."));
	if (!str_to_i64(str_c(days), 1, TOKEN_DAYS_MAX, &d))
		problems_add(&ps, "days",
			     N_("Enter a number of days from 1 to 366."));
	if (ps.n)
		return account_page(w, 400, &ps, NULL);
	c.expires_at = w->ctx.now + d * 86400;
	if ((e = write_commit(&w->ctx, &wi, token_fn, &c)) != ERR_OK)
		return e;
	return account_page(w, 200, NULL, arena_strdup(w->ctx.a, c.secret));
}

static enum err
revoke_fn(struct db *db, void *arg)
{
	struct account_change *c = arg;

	return apitoken_revoke(db, c->w->account.id, c->id, c->w->ctx.now);
}

/* POST /account/tokens/:id/revoke: 303; 404 when not one's own. */
static enum err
post_revoke(struct req *req)
{
	struct web *w = web_of(req);
	struct account_change c = {.w = w};
	struct write_info wi = {"revoke", "ApiToken", "", 0, NULL, NULL, NULL};
	enum err e;

	if ((e = web_param_id(w, "id", &c.id)) != ERR_OK)
		return e;
	wi.resource_id = http_param(req, "id");
	if ((e = write_commit(&w->ctx, &wi, revoke_fn, &c)) != ERR_OK)
		return e;
	return page_redirect(w, "/account", "token-revoked");
}

static const struct http_route account_routes[] = {
	{HTTP_GET, "/account", get_account, 0, NULL},
	{HTTP_POST, "/account/language", post_language, 0, NULL},
	{HTTP_POST, "/account/password", post_password, 0, NULL},
	{HTTP_POST, "/account/signout-everywhere", post_everywhere, 0, NULL},
	{HTTP_GET, "/account/second-factor", get_setup, WEB_SECOND_FACTOR,
	 NULL},
	{HTTP_POST, "/account/second-factor", post_setup, WEB_SECOND_FACTOR,
	 NULL},
	{HTTP_POST, "/account/second-factor/off", post_setup_off, 0, NULL},
	{HTTP_POST, "/account/tokens", post_token, 0, NULL},
	{HTTP_POST, "/account/tokens/:id/revoke", post_revoke, 0, NULL},
};

enum err
account_web_routes(struct http_router *r)
{
	return http_router_add(r, account_routes,
			       sizeof(account_routes) /
				       sizeof(account_routes[0]));
}

/*
 * The web application: what one cocare process holds (configuration,
 * database, templates, translations, audit key, router) and the state of
 * one request (struct web: the context, the session and the signed-in
 * account). The HTTP hooks here resolve the session, check CSRF, pick the
 * language and turn every error into one page in the person's language.
 */
#ifndef WEB_APP_H
#define WEB_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/account.h"
#include "auth/actor.h"
#include "auth/audit.h"
#include "auth/session.h"
#include "core/config.h"
#include "core/err.h"
#include "core/msgid.h"
#include "http/http.h"

struct store;
struct tpl_set;
struct i18n;
struct fragment_cache;

/* Route flags of the application (the HTTP layer keeps bits below 16). */
enum web_route_flags {
	WEB_PUBLIC = (1 << 16),		/* no sign-in needed */
	WEB_SECOND_FACTOR = (1 << 17),	/* reachable before the second factor */
	/* An API route (src/fhir): the person is named by the bearer API
	 * token in Authorization, never by a cookie, so no CSRF check;
	 * errors are answered by fhir_error(). */
	WEB_API = (1 << 18),
};

struct app {
	const struct config *cfg;
	struct store *store;
	struct tpl_set *tpl;
	struct i18n *i18n;
	const struct audit_key *audit_key;	/* owned by main; outlives the
						   store's queued writes */
	bool tls;
	bool demo;		/* the sign-in page lists the demo logins */
	struct fragment_cache *fragments;	/* may be NULL (no cache) */
};

struct web {
	struct req *req;
	struct app *app;
	struct ctx ctx;		/* actor, db, arena, now */
	const char *lang;	/* "en", "es" */
	bool signed_in;
	struct session session;
	struct account account;
	bool org_requires_2fa;
	const char *api_scopes;	/* the API token's scopes (WEB_API) */
};

/* The request's state; never NULL inside handlers (made on demand). */
struct web *web_of(struct req *req);

/* Installs the app's hooks (prepare, error, finish, metrics). */
void app_hooks(struct http_hooks *hooks);

/* Every route table of the application, added to `r`. */
enum err app_routes(struct http_router *r);

/* Translation of an English msgid into the request's language. */
const char *tr(struct web *w, const char *msgid);

/* Plural-aware translation; `n` picks the form. */
const char *trn(struct web *w, const char *one, const char *many,
		unsigned long n);


/* Records that patient data was shown (the audit event of a read). */
void web_audit_read(struct web *w, const char *resource_type,
		    const char *resource_id, int64_t patient_id);

/* Parses the route parameter `name` as a record id; ERR_NOT_FOUND if not
 * a positive integer (so a bad id is a clear 404). */
enum err web_param_id(struct web *w, const char *name, int64_t *out);

/* A trimmed form field, "" when absent. */
const char *web_field(struct web *w, const char *name);

/* True when the staff member must set up a second factor first. */
bool web_needs_2fa_setup(const struct web *w);

#endif

/*
 * The organisation's plain-words list (administrators): the built-in
 * jargon lists for English and Spanish, with the organisation's own
 * additions and the built-in terms it chose not to mark. Professionals
 * see the result as advice while they write (care_plain_words).
 */
#include "care/care_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/plainwords.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define ORG_TERMS_MAX 500

static const char *const langs[] = {"en", "es"};

static const char sql_org_terms[] =
	"SELECT id, lang, term, plain FROM jargon WHERE org_id = $1 "
	"ORDER BY lang, term";
static const char sql_insert[] =
	"INSERT INTO jargon (id, org_id, lang, term, plain) "
	"VALUES ($1, $2, $3, $4, $5)";
static const char sql_delete[] =
	"DELETE FROM jargon WHERE org_id = $1 AND lang = $2 AND term = $3";

struct org_term {
	int64_t id;
	char *lang;
	char *term;
	char *plain;
};

static void
read_term(struct stmt *st, struct arena *a, void *out)
{
	struct org_term *t = out;

	t->id = stmt_int(st, 0);
	t->lang = stmt_text_dup(st, 1, a);
	t->term = stmt_text_dup(st, 2, a);
	t->plain = stmt_text_dup(st, 3, a);
}

/* A change to the list: `plain` empty hides a built-in term; the row of
 * the same term is replaced either way. `undo` only deletes it. */
struct jargon_change {
	int64_t org_id;
	const char *lang;
	const char *term;
	const char *plain;
	bool undo;
};

static enum err
change_fn(struct db *db, void *arg)
{
	struct jargon_change *c = arg;
	struct stmt *st = db_prepare(db, sql_delete);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, c->org_id);
	stmt_bind_str(st, 2, c->lang);
	stmt_bind_str(st, 3, c->term);
	if ((e = stmt_exec(st)) != ERR_OK || c->undo)
		return e;
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_str(st, 3, c->lang);
	stmt_bind_str(st, 4, c->term);
	stmt_bind_str(st, 5, c->plain);
	return stmt_exec(st);
}

static bool
known_lang(const char *lang)
{
	return !strcmp(lang, "en") || !strcmp(lang, "es");
}

static enum err
list_page(struct web *w, int status, const struct problems *ps)
{
	struct org_term *t;
	struct jargon j;
	json_t *ctx, *lists;
	size_t n, i, k, l;
	struct stmt *st;
	enum err e;

	if (!(st = db_prepare(w->ctx.db, sql_org_terms)))
		return ERR_DB;
	stmt_bind_int(st, 1, w->account.org_id);
	if ((e = stmt_list(st, w->ctx.a, sizeof(*t), ORG_TERMS_MAX,
			   read_term, &t, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Plain words list"));
	lists = jarr(ctx, "lists");
	for (l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
		json_t *o = jpush(lists), *own = jarr(o, "own"),
		       *builtin = jarr(o, "builtin");

		jstr(o, "lang", langs[l]);
		jstr(o, "lang_name", !strcmp(langs[l], "en")
					     ? tr(w, N_("English"))
					     : tr(w, N_("Spanish")));
		for (i = 0; i < n; i++) {
			json_t *x;

			if (strcmp(t[i].lang, langs[l]))
				continue;
			x = jpush(own);
			jstr(x, "term", t[i].term);
			jstr(x, "plain", t[i].plain);
			jbool(x, "hidden", !*t[i].plain);
		}
		if ((e = jargon_builtin(w->ctx.a, langs[l], &j)) != ERR_OK) {
			json_decref(ctx);
			return e;
		}
		for (k = 0; k < j.n; k++) {
			json_t *x = jpush(builtin);

			jstr(x, "term", j.e[k].term);
			jstr(x, "plain", j.e[k].plain);
		}
	}
	jstr(ctx, "form_term", web_field(w, "term"));
	jstr(ctx, "form_plain", web_field(w, "plain"));
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "admin_jargon", ctx);
}

/* GET /admin/plain-words */
static enum err
get_list(struct req *req)
{
	struct web *w = web_of(req);

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_ADMINISTER))
		return ERR_FORBIDDEN;
	return list_page(w, 200, NULL);
}

static enum err
commit(struct web *w, struct jargon_change *c, const char *detail)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = "PlainWordsList",
		.resource_id = c->lang,
		.detail = detail,
	};

	c->org_id = w->account.org_id;
	return write_commit(&w->ctx, &wi, change_fn, c);
}

/* POST /admin/plain-words: add a term (or change its plain words). */
static enum err
post_add(struct req *req)
{
	struct web *w = web_of(req);
	struct jargon_change c = {0};
	struct problems ps = {0};
	enum err e;

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_ADMINISTER))
		return ERR_FORBIDDEN;
	c.lang = web_field(w, "lang");
	c.term = web_field(w, "term");
	c.plain = web_field(w, "plain");
	if (!known_lang(c.lang))
		return ERR_INVALID;
	if (!*c.term)
		problems_add(&ps, "term", N_("Write the word to look out for."));
	if (!*c.plain)
		problems_add(&ps, "plain",
			     N_("Write the plain words to use instead."));
	if (utf8_length(c.term, strlen(c.term)) > JARGON_SIDE_MAX ||
	    str_has_control(c.term, strlen(c.term)))
		problems_add(&ps, "term", N_("Keep this under 100 characters."));
	if (utf8_length(c.plain, strlen(c.plain)) > JARGON_SIDE_MAX ||
	    str_has_control(c.plain, strlen(c.plain)))
		problems_add(&ps, "plain",
			     N_("Keep this under 100 characters."));
	if (ps.n)
		return list_page(w, 400, &ps);
	if ((e = commit(w, &c, "term-added")) != ERR_OK)
		return e;
	return page_redirect(w, "/admin/plain-words", "saved");
}

/* POST /admin/plain-words/hide: stop marking a built-in term, or (undo)
 * take back the organisation's own entry for it. */
static enum err
post_hide(struct req *req)
{
	struct web *w = web_of(req);
	struct jargon_change c = {0};
	enum err e;

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_ADMINISTER))
		return ERR_FORBIDDEN;
	c.lang = web_field(w, "lang");
	c.term = web_field(w, "term");
	c.plain = "";
	c.undo = http_field(req, "undo") != NULL;
	if (!known_lang(c.lang) || !*c.term ||
	    utf8_length(c.term, strlen(c.term)) > JARGON_SIDE_MAX)
		return ERR_INVALID;
	if ((e = commit(w, &c, c.undo ? "term-restored" : "term-hidden")) !=
	    ERR_OK)
		return e;
	return page_redirect(w, "/admin/plain-words", "saved");
}

static const struct http_route jargon_routes[] = {
	{HTTP_GET, "/admin/plain-words", get_list, 0, NULL},
	{HTTP_POST, "/admin/plain-words", post_add, 0, NULL},
	{HTTP_POST, "/admin/plain-words/hide", post_hide, 0, NULL},
};

enum err
jargon_web_routes(struct http_router *r)
{
	return http_router_add(r, jargon_routes,
			       sizeof(jargon_routes) / sizeof(jargon_routes[0]));
}

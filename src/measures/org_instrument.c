/*
 * An organisation's own questionnaires (see org_instrument.h).
 */
#include "measures/org_instrument.h"

#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "measures/instrument.h"
#include "measures/scoring.h"
#include "store/store.h"
#include "core/banned.h"

static const char sql_insert[] =
	"INSERT INTO org_instrument (id, org_id, url, version, lang, title, "
	"scored_as, body, added_by, added_ms) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

#define ORG_INSTRUMENT_SELECT(body)                                        \
	"SELECT i.id, i.org_id, i.url, i.version, i.lang, i.title, "          \
	"i.scored_as, " body ", i.added_by, a.display_name, i.added_ms "      \
	"FROM org_instrument i LEFT JOIN account a ON a.id = i.added_by "

static const char sql_list[] = ORG_INSTRUMENT_SELECT("NULL")
	"WHERE i.org_id = $1 ORDER BY i.title, i.lang LIMIT $2";

/* The language asked for first, then English, then any. */
static const char sql_get[] = ORG_INSTRUMENT_SELECT("i.body")
	"WHERE i.org_id = $1 AND i.url = $2 AND ($3 = '' OR i.version = $3) "
	"ORDER BY i.lang = $4 DESC, i.lang = 'en' DESC, i.added_ms DESC "
	"LIMIT 1";

static const char sql_by_id[] = ORG_INSTRUMENT_SELECT("i.body")
	"WHERE i.org_id = $1 AND i.id = $2";

enum err
org_instrument_add(struct db *db, void *arg)
{
	struct org_instrument *oi = arg;
	struct stmt *st = db_prepare(db, sql_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, oi->id);
	stmt_bind_int(st, 2, oi->org_id);
	stmt_bind_str(st, 3, oi->url);
	stmt_bind_str(st, 4, oi->version);
	stmt_bind_str(st, 5, oi->lang);
	stmt_bind_str(st, 6, oi->title);
	stmt_bind_str(st, 7, oi->scored_as);
	stmt_bind_str(st, 8, oi->body);
	stmt_bind_int(st, 9, oi->added_by);
	stmt_bind_int(st, 10, oi->added_ms);
	return stmt_exec(st);
}

static void
read_instrument(struct stmt *st, struct arena *a, void *out)
{
	struct org_instrument *oi = out;

	oi->id = stmt_int(st, 0);
	oi->org_id = stmt_int(st, 1);
	oi->url = stmt_text_dup(st, 2, a);
	oi->version = stmt_text_dup(st, 3, a);
	oi->lang = stmt_text_dup(st, 4, a);
	oi->title = stmt_text_dup(st, 5, a);
	oi->scored_as = stmt_text_dup(st, 6, a);
	oi->body = stmt_text_dup(st, 7, a);
	oi->added_by = stmt_int(st, 8);
	oi->added_by_name = stmt_text_dup(st, 9, a);
	oi->added_ms = stmt_int(st, 10);
}

enum err
org_instrument_list(struct db *db, struct arena *a, int64_t org_id,
		    struct org_instrument **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, ORG_INSTRUMENTS_MAX);
	return stmt_list(st, a, sizeof(**out), ORG_INSTRUMENTS_MAX,
			 read_instrument, out, count);
}

enum err
org_instrument_get(struct db *db, struct arena *a, int64_t org_id,
		   const char *url, const char *lang,
		   struct org_instrument *out)
{
	const char *bar = strchr(url, '|');
	struct stmt *st = db_prepare(db, sql_get);
	char *base;

	if (!st)
		return ERR_DB;
	base = arena_strndup(a, url, bar ? (size_t)(bar - url) : strlen(url));
	if (!base) {
		stmt_done(st);
		return ERR_NOMEM;
	}
	stmt_bind_int(st, 1, org_id);
	stmt_bind_str(st, 2, base);
	stmt_bind_str(st, 3, bar ? bar + 1 : "");
	stmt_bind_str(st, 4, lang ? lang : "en");
	return stmt_get(st, a, read_instrument, out);
}

enum err
org_instrument_load(struct arena *a, const struct org_instrument *oi,
		    struct questionnaire **out, const char **why)
{
	const struct instrument *lib;
	struct adopt_notes notes = {0};
	struct questionnaire *q;
	enum err e;

	if ((e = q_parse(a, oi->body, strlen(oi->body), &q, why)) != ERR_OK)
		return e;
	if (*oi->scored_as) {
		if (!(lib = instrument_get(oi->scored_as, NULL))) {
			*why = "the library instrument it is scored as is "
			       "no longer there";
			return ERR_INVALID;
		}
		if ((e = instrument_adopt(a, q, lib->q, &notes, why)) != ERR_OK)
			return e;
	}
	*out = q;
	return ERR_OK;
}

enum err
org_instrument_by_id(struct db *db, struct arena *a, int64_t org_id,
		     int64_t id, struct org_instrument *out)
{
	struct stmt *st = db_prepare(db, sql_by_id);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, id);
	return stmt_get(st, a, read_instrument, out);
}

static enum err
refuse(enum org_instrument_refusal r, const char *detail,
       enum org_instrument_refusal *refusal, const char **why)
{
	*refusal = r;
	*why = detail;
	return ERR_INVALID;
}

enum err
org_instrument_prepare(struct arena *a, const char *json, size_t len,
		       const char *scored_as, struct org_instrument *out,
		       struct questionnaire **q, struct adopt_notes *notes,
		       enum org_instrument_refusal *refusal, const char **why)
{
	const struct instrument *lib = NULL, *list;
	size_t n;
	enum err e;

	*why = NULL;
	if ((e = q_parse(a, json, len, q, why)) != ERR_OK)
		return e == ERR_NOMEM ? e
				      : refuse(OI_UNREADABLE, *why, refusal,
					       why);
	if (!(*q)->url || !*(*q)->url)
		return refuse(OI_NO_URL, NULL, refusal, why);
	if (instrument_by_url((*q)->url, NULL))
		return refuse(OI_IN_LIBRARY, (*q)->url, refusal, why);
	list = instrument_list(&n);
	if (!strcmp(scored_as, "own"))
		lib = NULL;
	else if (!*scored_as || !strcmp(scored_as, "auto"))
		lib = instrument_match(*q, list, n);
	else if (!(lib = instrument_get(scored_as, NULL)))
		return refuse(OI_UNKNOWN_RULES, NULL, refusal, why);
	if (lib && (e = instrument_adopt(a, *q, lib->q, notes, why)) !=
			   ERR_OK)
		return e == ERR_NOMEM ? e
				      : refuse(OI_RULES_MISMATCH, *why,
					       refusal, why);
	memset(out, 0, sizeof(*out));
	out->url = (*q)->url;
	out->version = (*q)->version ? (*q)->version : "";
	out->lang = (*q)->language && *(*q)->language
			    ? arena_strndup(a, (*q)->language, 2)
			    : "en";
	out->title = q_title(*q);
	out->scored_as = lib ? lib->id : "";
	out->body = json;
	return out->lang ? ERR_OK : ERR_NOMEM;
}

enum err
org_instrument_resolve(struct db *db, struct arena *a, int64_t org_id,
		       const char *url, const char *lang,
		       const struct questionnaire **q, const char **lang_out,
		       const char **library_id)
{
	const struct instrument *in = instrument_by_url(url, lang);
	struct org_instrument oi;
	struct questionnaire *own;
	const char *why = NULL;
	enum err e;

	if (in) {
		*q = in->q;
		if (lang_out)
			*lang_out = in->lang;
		if (library_id)
			*library_id = in->id;
		return ERR_OK;
	}
	if ((e = org_instrument_get(db, a, org_id, url, lang, &oi)) != ERR_OK)
		return e;
	if ((e = org_instrument_load(a, &oi, &own, &why)) != ERR_OK) {
		log_warn("stored questionnaire %lld does not load: %s",
			 (long long)oi.id, why ? why : "?");
		return e == ERR_NOMEM ? e : ERR_NOT_FOUND;
	}
	*q = own;
	if (lang_out)
		*lang_out = oi.lang;
	if (library_id)
		*library_id = "";
	return ERR_OK;
}

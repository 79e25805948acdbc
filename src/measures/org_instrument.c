/*
 * An organisation's own questionnaires (see org_instrument.h).
 */
#include "measures/org_instrument.h"

#include <string.h>

#include "core/arena.h"
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

/*
 * Research consent and the organisation's research key: every answer is
 * a row of its own (a withdrawal keeps the consent before it), and the
 * key is made once, at random, and never leaves the database.
 */
#include <sodium.h>
#include <string.h>

#include "people/research.h"
#include "store/store.h"
#include "core/banned.h"

#define HISTORY_MAX 100

static const char sql_insert[] =
	"INSERT INTO research_consent (id, org_id, patient_id, given, "
	"recorded_by, voice, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)";
#define COLS                                                               \
	"r.id, r.org_id, r.patient_id, r.given, r.recorded_by, "           \
	"a.display_name, r.voice, r.at_ms FROM research_consent r "        \
	"JOIN account a ON a.id = r.recorded_by "
static const char sql_history[] =
	"SELECT " COLS "WHERE r.patient_id = $1 "
	"ORDER BY r.at_ms DESC, r.id DESC LIMIT $2";
static const char sql_get[] = "SELECT " COLS "WHERE r.id = $1";
static const char sql_latest[] =
	"SELECT given FROM research_consent WHERE patient_id = $1 "
	"ORDER BY at_ms DESC, id DESC LIMIT 1";
static const char sql_key_get[] =
	"SELECT key_hex FROM research_key WHERE org_id = $1";
static const char sql_key_insert[] =
	"INSERT INTO research_key (org_id, key_hex) VALUES ($1, $2) "
	"ON CONFLICT (org_id) DO NOTHING";

enum err
research_consent_write(struct db *db, void *arg)
{
	const struct research_consent *r = arg;
	struct stmt *st = db_prepare(db, sql_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, r->id);
	stmt_bind_int(st, 2, r->org_id);
	stmt_bind_int(st, 3, r->patient_id);
	stmt_bind_int(st, 4, r->given);
	stmt_bind_int(st, 5, r->recorded_by);
	stmt_bind_str(st, 6, r->voice);
	stmt_bind_int(st, 7, r->at_ms);
	return stmt_exec(st);
}

static void
read_row(struct stmt *st, struct arena *a, void *out)
{
	struct research_consent *r = out;

	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->patient_id = stmt_int(st, 2);
	r->given = stmt_int(st, 3) != 0;
	r->recorded_by = stmt_int(st, 4);
	r->recorded_by_name = stmt_text_dup(st, 5, a);
	r->voice = stmt_text_dup(st, 6, a);
	r->at_ms = stmt_int(st, 7);
}

enum err
research_consent_history(struct db *db, struct arena *a, int64_t patient_id,
			 struct research_consent **out, size_t *n)
{
	struct stmt *st = db_prepare(db, sql_history);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, HISTORY_MAX);
	return stmt_list(st, a, sizeof(**out), HISTORY_MAX, read_row, out, n);
}

enum err
research_consent_get(struct db *db, struct arena *a, int64_t id,
		     struct research_consent *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_row, out);
}

enum err
research_consent_given(struct db *db, int64_t patient_id, bool *given)
{
	struct stmt *st = db_prepare(db, sql_latest);

	*given = false;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st))
		*given = stmt_int(st, 0) != 0;
	return stmt_done(st);
}

enum err
research_key_get(struct db *db, int64_t org_id, unsigned char key[32])
{
	struct stmt *st = db_prepare(db, sql_key_get);
	const char *hex;
	size_t len = 0;
	enum err e = ERR_NOT_FOUND;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	if (stmt_row(st) && (hex = stmt_text(st, 0)) &&
	    sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &len, NULL) ==
		    0 &&
	    len == 32)
		e = ERR_OK;
	if (stmt_done(st) != ERR_OK)
		return ERR_DB;
	return e;
}

enum err
research_key_ensure(struct db *db, int64_t org_id, unsigned char key[32])
{
	unsigned char fresh[32];
	char hex[65];
	struct stmt *st;
	enum err e;

	if ((e = research_key_get(db, org_id, key)) != ERR_NOT_FOUND)
		return e;
	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
	sodium_memzero(fresh, sizeof(fresh));
	if (!(st = db_prepare(db, sql_key_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_str(st, 2, hex);
	e = stmt_exec(st);
	sodium_memzero(hex, sizeof(hex));
	if (e != ERR_OK)
		return e;
	return research_key_get(db, org_id, key);
}

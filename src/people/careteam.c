/*
 * Care teams, caregiver grants and break-the-glass records (see
 * careteam.h).
 */
#include "people/careteam.h"

#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/msgid.h"
#include "core/id.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

#define LIST_MAX 200

static const char sql_team_list[] =
	"SELECT m.id, m.patient_id, m.account_id, a.display_name, "
	"a.discipline, m.team_role, m.since FROM care_team_member m "
	"JOIN account a ON a.id = m.account_id WHERE m.patient_id = $1 "
	"ORDER BY m.since, m.id LIMIT 200";
static const char sql_team_add[] =
	"INSERT INTO care_team_member (id, org_id, patient_id, account_id, "
	"team_role, since) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_team_remove[] =
	"DELETE FROM care_team_member WHERE id = $1 AND patient_id = $2";

#define GRANT_COLS                                                         \
	"g.id, g.org_id, g.patient_id, p.given_name || ' ' || p.family_name, " \
	"g.caregiver_id, c.display_name, g.relationship, g.scopes, "       \
	"g.granted_by, b.display_name, g.granted_at, g.expires_at, "       \
	"g.revoked_at, b.role FROM caregiver_grant g "                     \
	"JOIN patient p ON p.id = g.patient_id "                           \
	"JOIN account c ON c.id = g.caregiver_id "                         \
	"JOIN account b ON b.id = g.granted_by "

static const char sql_grant_get[] =
	"SELECT " GRANT_COLS "WHERE g.id = $1";
static const char sql_grant_patient[] =
	"SELECT " GRANT_COLS "WHERE g.patient_id = $1 "
	"ORDER BY g.revoked_at, g.granted_at DESC LIMIT 200";
static const char sql_grant_caregiver[] =
	"SELECT " GRANT_COLS "WHERE g.caregiver_id = $1 AND g.revoked_at = 0 "
	"AND (g.expires_at = 0 OR g.expires_at > $2) "
	"ORDER BY p.family_name, p.given_name LIMIT 200";
/* $2: 0 any, 1 in force at $3, 2 not in force at $3. */
#define GRANT_SEARCH_WHERE                                                 \
	"WHERE g.patient_id = $1 AND (CAST($2 AS BIGINT) = 0 OR "          \
	"(CASE WHEN g.revoked_at = 0 AND (g.expires_at = 0 OR "            \
	"g.expires_at > $3) THEN 1 ELSE 2 END) = $2) "                     \
	"AND g.granted_at >= $4 AND g.granted_at < $5 "
static const char sql_grant_search_desc[] =
	"SELECT " GRANT_COLS GRANT_SEARCH_WHERE
	"AND (g.granted_at < $6 OR (g.granted_at = $6 AND g.id < $7)) "
	"ORDER BY g.granted_at DESC, g.id DESC LIMIT $8";
static const char sql_grant_search_asc[] =
	"SELECT " GRANT_COLS GRANT_SEARCH_WHERE
	"AND (g.granted_at > $6 OR (g.granted_at = $6 AND g.id > $7)) "
	"ORDER BY g.granted_at, g.id LIMIT $8";
static const char sql_grant_search_count[] =
	"SELECT count(*) FROM caregiver_grant g " GRANT_SEARCH_WHERE;
static const char sql_grant_insert[] =
	"INSERT INTO caregiver_grant (id, org_id, patient_id, caregiver_id, "
	"relationship, scopes, granted_by, granted_at, expires_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char sql_grant_revoke[] =
	"UPDATE caregiver_grant SET revoked_at = $3 WHERE id = $1 "
	"AND patient_id = $2 AND revoked_at = 0";

#define BREAK_GLASS_COLS                                                   \
	"g.id, g.patient_id, p.given_name || ' ' || p.family_name, "       \
	"g.account_id, a.display_name, g.reason, g.opened_at, g.expires_at " \
	"FROM break_glass g JOIN patient p ON p.id = g.patient_id "        \
	"JOIN account a ON a.id = g.account_id "

static const char sql_bg_patient[] =
	"SELECT " BREAK_GLASS_COLS "WHERE g.patient_id = $1 "
	"ORDER BY g.opened_at DESC LIMIT 200";
static const char sql_bg_org[] =
	"SELECT " BREAK_GLASS_COLS "WHERE g.org_id = $1 "
	"ORDER BY g.opened_at DESC LIMIT $2";
static const char sql_bg_insert[] =
	"INSERT INTO break_glass (id, org_id, patient_id, account_id, reason, "
	"opened_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

bool
grant_is_active(const struct grant *g, int64_t now)
{
	return g->revoked_at == 0 && (g->expires_at == 0 || g->expires_at > now);
}

static bool
text_ok(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0, chars;

	if (!s || !utf8_valid(s, n) || str_has_control(s, n))
		return false;
	chars = utf8_length(s, n);
	return chars >= min && chars <= max && str_trim(str_c(s)).len > 0;
}

void
grant_validate(const struct grant *g, unsigned grantable, int64_t now,
	       struct problems *out)
{
	if (!text_ok(g->relationship, 1, RELATIONSHIP_MAX))
		problems_add(out, "relationship",
			     "Say how this person is related to you, for "
			     "example daughter or neighbour.");
	if (g->scopes == 0)
		problems_add(out, "scopes",
			     "Choose at least one thing this person may do.");
	else if (g->scopes & ~grantable)
		problems_add(out, "scopes", "One of the choices is not allowed.");
	if (g->expires_at && g->expires_at <= now)
		problems_add(out, "expires",
			     "The end date must be in the future.");
}

void
break_glass_validate(const char *reason, struct problems *out)
{
	if (!text_ok(reason, BREAK_GLASS_REASON_MIN, BREAK_GLASS_REASON_MAX))
		problems_add(out, "reason",
			     "Give the reason in 10 to 500 characters. It is "
			     "shown to the patient and the privacy officer.");
}

static void
read_member(struct stmt *st, struct arena *a, void *out)
{
	struct team_member *m = out;

	m->id = stmt_int(st, 0);
	m->patient_id = stmt_int(st, 1);
	m->account_id = stmt_int(st, 2);
	m->name = stmt_text_dup(st, 3, a);
	m->discipline = stmt_text_dup(st, 4, a);
	m->team_role = stmt_text_dup(st, 5, a);
	m->since = stmt_int(st, 6);
}

enum err
team_list(struct db *db, struct arena *a, int64_t patient_id,
	  struct team_member **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_team_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_list(st, a, sizeof(**out), LIST_MAX, read_member, out,
			 count);
}

static void
read_grant(struct stmt *st, struct arena *a, void *out)
{
	struct grant *g = out;

	g->id = stmt_int(st, 0);
	g->org_id = stmt_int(st, 1);
	g->patient_id = stmt_int(st, 2);
	g->patient_name = stmt_text_dup(st, 3, a);
	g->caregiver_id = stmt_int(st, 4);
	g->caregiver_name = stmt_text_dup(st, 5, a);
	g->relationship = stmt_text_dup(st, 6, a);
	g->scopes = (unsigned)stmt_int(st, 7);
	g->granted_by = stmt_int(st, 8);
	g->granted_by_name = stmt_text_dup(st, 9, a);
	g->granted_at = stmt_int(st, 10);
	g->expires_at = stmt_int(st, 11);
	g->revoked_at = stmt_int(st, 12);
	g->granted_by_role = stmt_text_dup(st, 13, a);
}

enum err
grant_get(struct db *db, struct arena *a, int64_t id, struct grant *out)
{
	struct stmt *st = db_prepare(db, sql_grant_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_grant, out);
}

enum err
grant_list_for_patient(struct db *db, struct arena *a, int64_t patient_id,
		       struct grant **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_grant_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_list(st, a, sizeof(**out), LIST_MAX, read_grant, out,
			 count);
}

enum err
grant_list_for_caregiver(struct db *db, struct arena *a, int64_t caregiver_id,
			 int64_t now, struct grant **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_grant_caregiver);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, caregiver_id);
	stmt_bind_int(st, 2, now);
	return stmt_list(st, a, sizeof(**out), LIST_MAX, read_grant, out,
			 count);
}

static void
bind_grant_search(struct stmt *st, const struct grant_query *q)
{
	stmt_bind_int(st, 1, q->patient_id);
	stmt_bind_int(st, 2, (int64_t)q->state);
	stmt_bind_int(st, 3, q->now);
	stmt_bind_int(st, 4, q->from);
	stmt_bind_int(st, 5, q->to);
}

enum err
grant_search(struct db *db, struct arena *a, const struct grant_query *q,
	     struct grant **out, size_t *count)
{
	size_t max = q->limit > GRANT_SEARCH_MAX ? GRANT_SEARCH_MAX : q->limit;
	struct stmt *st;

	*out = NULL;
	*count = 0;
	if (!max)
		return ERR_OK;
	st = db_prepare(db, q->oldest_first ? sql_grant_search_asc
					    : sql_grant_search_desc);
	if (!st)
		return ERR_DB;
	bind_grant_search(st, q);
	if (q->has_after) {
		stmt_bind_int(st, 6, q->after_at);
		stmt_bind_int(st, 7, q->after_id);
	} else {
		/* Before the first row of either order. */
		stmt_bind_int(st, 6, q->oldest_first ? INT64_MIN : INT64_MAX);
		stmt_bind_int(st, 7, q->oldest_first ? 0 : INT64_MAX);
	}
	stmt_bind_int(st, 8, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_grant, out, count);
}

enum err
grant_search_count(struct db *db, const struct grant_query *q, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_grant_search_count);

	*out = 0;
	if (!st)
		return ERR_DB;
	bind_grant_search(st, q);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

static void
read_break_glass(struct stmt *st, struct arena *a, void *out)
{
	struct break_glass *g = out;

	g->id = stmt_int(st, 0);
	g->patient_id = stmt_int(st, 1);
	g->patient_name = stmt_text_dup(st, 2, a);
	g->account_id = stmt_int(st, 3);
	g->account_name = stmt_text_dup(st, 4, a);
	g->reason = stmt_text_dup(st, 5, a);
	g->opened_at = stmt_int(st, 6);
	g->expires_at = stmt_int(st, 7);
}

enum err
break_glass_list_for_patient(struct db *db, struct arena *a,
			     int64_t patient_id, struct break_glass **out,
			     size_t *count)
{
	struct stmt *st = db_prepare(db, sql_bg_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_list(st, a, sizeof(**out), LIST_MAX, read_break_glass,
			 out, count);
}

enum err
break_glass_list_for_org(struct db *db, struct arena *a, int64_t org_id,
			 int limit, struct break_glass **out, size_t *count)
{
	struct stmt *st;

	if (limit <= 0 || limit > LIST_MAX)
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_bg_org)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, limit);
	return stmt_list(st, a, sizeof(**out), (size_t)limit,
			 read_break_glass, out, count);
}

enum err
team_add(struct db *db, int64_t org_id, int64_t patient_id,
	 int64_t account_id, const char *team_role, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_team_add);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, patient_id);
	stmt_bind_int(st, 4, account_id);
	stmt_bind_str(st, 5, team_role);
	stmt_bind_int(st, 6, now);
	return stmt_exec(st);
}

enum err
team_remove(struct db *db, int64_t patient_id, int64_t member_id)
{
	struct stmt *st = db_prepare(db, sql_team_remove);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, member_id);
	stmt_bind_int(st, 2, patient_id);
	return stmt_exec_one(st);
}

enum err
grant_insert(struct db *db, const struct grant *g)
{
	struct stmt *st = db_prepare(db, sql_grant_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, g->id);
	stmt_bind_int(st, 2, g->org_id);
	stmt_bind_int(st, 3, g->patient_id);
	stmt_bind_int(st, 4, g->caregiver_id);
	stmt_bind_str(st, 5, g->relationship);
	stmt_bind_int(st, 6, g->scopes);
	stmt_bind_int(st, 7, g->granted_by);
	stmt_bind_int(st, 8, g->granted_at);
	stmt_bind_int(st, 9, g->expires_at);
	return stmt_exec(st);
}

enum err
grant_revoke(struct db *db, int64_t patient_id, int64_t grant_id,
	     int64_t now)
{
	struct stmt *st = db_prepare(db, sql_grant_revoke);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, grant_id);
	stmt_bind_int(st, 2, patient_id);
	stmt_bind_int(st, 3, now);
	return stmt_exec_one(st);
}

enum err
break_glass_insert(struct db *db, int64_t org_id, int64_t patient_id,
		   int64_t account_id, const char *reason, int64_t now,
		   int64_t *id)
{
	struct stmt *st = db_prepare(db, sql_bg_insert);

	*id = id_new();
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, *id);
	stmt_bind_int(st, 2, org_id);
	stmt_bind_int(st, 3, patient_id);
	stmt_bind_int(st, 4, account_id);
	stmt_bind_str(st, 5, reason);
	stmt_bind_int(st, 6, now);
	stmt_bind_int(st, 7, now + BREAK_GLASS_SECONDS);
	return stmt_exec(st);
}

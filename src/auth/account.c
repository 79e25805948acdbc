/*
 * Account storage and validation (see account.h).
 */
#include "auth/account.h"

#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

#define ACCOUNT_COLS                                                       \
	"id, org_id, username, display_name, role, discipline, "           \
	"COALESCE(unit_id, 0), COALESCE(patient_id, 0), email, language, "  \
	"password_hash, totp_secret, totp_enabled, disabled, created_at, "  \
	"updated_at "

static const char sql_get[] =
	"SELECT " ACCOUNT_COLS "FROM account WHERE id = $1";
static const char sql_get_by_username[] =
	"SELECT " ACCOUNT_COLS "FROM account WHERE username = $1";
static const char sql_get_by_patient[] =
	"SELECT " ACCOUNT_COLS "FROM account WHERE patient_id = $1 "
	"AND role = 'patient'";
static const char sql_list[] =
	"SELECT " ACCOUNT_COLS "FROM account WHERE org_id = $1 "
	"AND ($2 = '' OR role = $2) AND ($3 = '' OR username LIKE $3 "
	"OR lower(display_name) LIKE $3) ORDER BY display_name, id LIMIT $4";
/* The staff roles, named here as role_is_staff() tells them, so that a
 * role this version does not know is never shown. */
#define STAFF_WHERE                                                        \
	"WHERE org_id = $1 AND role IN ('professional', 'receptionist', "  \
	"'improvement_lead', 'facilitator', 'researcher', 'administrator', " \
	"'privacy_officer') AND ($2 = '' OR role = $2) "                   \
	"AND (CAST($3 AS BIGINT) = 0 OR id = $3) "                         \
	"AND (CAST($4 AS BIGINT) = 0 OR unit_id = $4) "                    \
	"AND (CAST($5 AS BIGINT) < 0 OR disabled = $5) "                   \
	"AND ($6 = '' OR lower(display_name) LIKE ($6 || '%') "            \
	"OR lower(display_name) LIKE ('% ' || $6 || '%')) "
static const char sql_staff_search[] =
	"SELECT " ACCOUNT_COLS "FROM account " STAFF_WHERE
	"AND id > $7 ORDER BY id LIMIT $8";
static const char sql_staff_count[] =
	"SELECT count(*) FROM account " STAFF_WHERE;
static const char sql_insert[] =
	"INSERT INTO account (id, org_id, username, display_name, role, "
	"discipline, unit_id, patient_id, email, language, password_hash, "
	"totp_secret, totp_enabled, disabled, created_at, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
	"$15, $15)";
static const char sql_set_password[] =
	"UPDATE account SET password_hash = $2, updated_at = $3 WHERE id = $1";
static const char sql_set_disabled[] =
	"UPDATE account SET disabled = $2, updated_at = $3 WHERE id = $1";
static const char sql_set_language[] =
	"UPDATE account SET language = $2, updated_at = $3 WHERE id = $1";
static const char sql_set_totp[] =
	"UPDATE account SET totp_secret = $2, totp_enabled = $3, "
	"updated_at = $4 WHERE id = $1";
static const char sql_set_details[] =
	"UPDATE account SET display_name = $2, role = $3, discipline = $4, "
	"unit_id = $5, email = $6, updated_at = $7 WHERE id = $1";

bool
account_username_valid(const char *s, const char **why)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > USERNAME_MAX) {
		*why = N_("A user name has 3 to 64 characters.");
		return false;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '.' || c == '-' || c == '_'))
			continue;
		*why = N_("A user name uses lowercase letters, digits, dots, "
		       "dashes and underscores, and starts with a letter or "
		       "digit.");
		return false;
	}
	return true;
}

bool
account_display_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && utf8_valid(s, n) && !str_has_control(s, n) &&
	       utf8_length(s, n) <= DISPLAY_NAME_MAX &&
	       str_trim(str_c(s)).len > 0;
}

static void
read_row(struct stmt *st, struct arena *a, void *record)
{
	struct account *out = record;
	const char *role = stmt_text(st, 4);

	out->id = stmt_int(st, 0);
	out->org_id = stmt_int(st, 1);
	out->username = stmt_text_dup(st, 2, a);
	out->display_name = stmt_text_dup(st, 3, a);
	/* A role this version does not know signs no one in: fail closed. */
	out->disabled = false;
	if (!role || !role_parse(role, &out->role)) {
		out->role = ROLE_PATIENT;
		out->disabled = true;
	}
	out->discipline = stmt_text_dup(st, 5, a);
	out->unit_id = stmt_int(st, 6);
	out->patient_id = stmt_int(st, 7);
	out->email = stmt_text_dup(st, 8, a);
	out->language = stmt_text_dup(st, 9, a);
	out->password_hash = stmt_text_dup(st, 10, a);
	out->totp_secret = stmt_text_dup(st, 11, a);
	out->totp_enabled = stmt_int(st, 12) != 0;
	out->disabled = out->disabled || stmt_int(st, 13) != 0;
	out->created_at = stmt_int(st, 14);
	out->updated_at = stmt_int(st, 15);
}

enum err
account_get(struct db *db, struct arena *a, int64_t id, struct account *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_row, out);
}

enum err
account_get_by_username(struct db *db, struct arena *a, const char *username,
			struct account *out)
{
	struct stmt *st = db_prepare(db, sql_get_by_username);

	if (!st)
		return ERR_DB;
	stmt_bind_str(st, 1, username);
	return stmt_get(st, a, read_row, out);
}

enum err
account_get_by_patient(struct db *db, struct arena *a, int64_t patient_id,
		       struct account *out)
{
	struct stmt *st = db_prepare(db, sql_get_by_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_get(st, a, read_row, out);
}

/* "%q%" for LIKE, with LIKE's own wildcards in `q` kept literal by
 * dropping them: names never need them. */
static char *
like_pattern(struct arena *a, const char *q)
{
	size_t n = strlen(q), i, j = 1;
	char *p = arena_alloc(a, n + 3);

	if (!p)
		return NULL;
	p[0] = '%';
	for (i = 0; i < n; i++) {
		char c = q[i];

		if (c == '%' || c == '_' || c == '\\')
			continue;
		p[j++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

enum err
account_list(struct db *db, struct arena *a, int64_t org_id, enum role role,
	     const char *q, int limit, struct account **out, size_t *count)
{
	struct stmt *st;
	const char *pattern = "";

	*out = NULL;
	*count = 0;
	if (limit <= 0 || limit > 1000)
		return ERR_INVALID;
	if (q && *q && !(pattern = like_pattern(a, q)))
		return ERR_NOMEM;
	if (!(st = db_prepare(db, sql_list)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_str(st, 2, role < ROLE__MAX ? role_name(role) : "");
	stmt_bind_str(st, 3, pattern);
	stmt_bind_int(st, 4, limit);
	return stmt_list(st, a, sizeof(**out), (size_t)limit, read_row, out,
			 count);
}

/* `q` lowercase with LIKE's wildcards (and PostgreSQL's escape) dropped,
 * for a LIKE that adds its own; "" for NULL. */
static char *
like_literal(struct arena *a, const char *q)
{
	size_t n = q ? strlen(q) : 0, i, j = 0;
	char *p = arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = q[i];

		if (c == '%' || c == '_' || c == '\\')
			continue;
		p[j++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	p[j] = '\0';
	return p;
}

static void
bind_staff(struct stmt *st, const struct account_query *q, const char *name)
{
	stmt_bind_int(st, 1, q->org_id);
	stmt_bind_str(st, 2, q->role ? q->role : "");
	stmt_bind_int(st, 3, q->id);
	stmt_bind_int(st, 4, q->unit_id);
	stmt_bind_int(st, 5, q->disabled);
	stmt_bind_str(st, 6, name);
}

enum err
account_staff_search(struct db *db, struct arena *a,
		     const struct account_query *q, struct account **out,
		     size_t *count)
{
	size_t max = q->limit > ACCOUNT_SEARCH_MAX ? ACCOUNT_SEARCH_MAX
						   : q->limit;
	char *name = like_literal(a, q->name);
	struct stmt *st;

	*out = NULL;
	*count = 0;
	if (!name)
		return ERR_NOMEM;
	if (!max)
		return ERR_OK;
	if (!(st = db_prepare(db, sql_staff_search)))
		return ERR_DB;
	bind_staff(st, q, name);
	stmt_bind_int(st, 7, q->after_id);
	stmt_bind_int(st, 8, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_row, out, count);
}

enum err
account_staff_count(struct db *db, struct arena *a,
		    const struct account_query *q, int64_t *out)
{
	char *name = like_literal(a, q->name);
	struct stmt *st;

	*out = 0;
	if (!name)
		return ERR_NOMEM;
	if (!(st = db_prepare(db, sql_staff_count)))
		return ERR_DB;
	bind_staff(st, q, name);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

static void
bind_opt_id(struct stmt *st, int idx, int64_t v)
{
	if (v)
		stmt_bind_int(st, idx, v);
	else
		stmt_bind_null(st, idx);
}

enum err
account_insert(struct db *db, const struct account *acc)
{
	struct stmt *st = db_prepare(db, sql_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, acc->id);
	stmt_bind_int(st, 2, acc->org_id);
	stmt_bind_str(st, 3, acc->username);
	stmt_bind_str(st, 4, acc->display_name);
	stmt_bind_str(st, 5, role_name(acc->role));
	stmt_bind_str(st, 6, acc->discipline ? acc->discipline : "");
	bind_opt_id(st, 7, acc->unit_id);
	bind_opt_id(st, 8, acc->patient_id);
	stmt_bind_str(st, 9, acc->email ? acc->email : "");
	stmt_bind_str(st, 10, acc->language ? acc->language : "");
	stmt_bind_str(st, 11, acc->password_hash);
	stmt_bind_str(st, 12, acc->totp_secret ? acc->totp_secret : "");
	stmt_bind_int(st, 13, acc->totp_enabled);
	stmt_bind_int(st, 14, acc->disabled);
	stmt_bind_int(st, 15, acc->created_at);
	return stmt_exec(st);
}

enum err
account_set_password(struct db *db, int64_t id, const char *hash,
		     int64_t now)
{
	struct stmt *st = db_prepare(db, sql_set_password);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, hash);
	stmt_bind_int(st, 3, now);
	return stmt_exec_one(st);
}

enum err
account_set_disabled(struct db *db, int64_t id, bool disabled, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_set_disabled);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, disabled);
	stmt_bind_int(st, 3, now);
	return stmt_exec_one(st);
}

enum err
account_set_language(struct db *db, int64_t id, const char *lang,
		     int64_t now)
{
	struct stmt *st = db_prepare(db, sql_set_language);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, lang);
	stmt_bind_int(st, 3, now);
	return stmt_exec_one(st);
}

enum err
account_set_totp(struct db *db, int64_t id, const char *secret, bool enabled,
		 int64_t now)
{
	struct stmt *st = db_prepare(db, sql_set_totp);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, secret);
	stmt_bind_int(st, 3, enabled);
	stmt_bind_int(st, 4, now);
	return stmt_exec_one(st);
}

enum err
account_set_details(struct db *db, int64_t id, const char *display_name,
		    enum role role, const char *discipline, int64_t unit_id,
		    const char *email, int64_t now)
{
	struct stmt *st = db_prepare(db, sql_set_details);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, display_name);
	stmt_bind_str(st, 3, role_name(role));
	stmt_bind_str(st, 4, discipline);
	bind_opt_id(st, 5, unit_id);
	stmt_bind_str(st, 6, email);
	stmt_bind_int(st, 7, now);
	return stmt_exec_one(st);
}

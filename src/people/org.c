/*
 * Organisation and unit storage (see org.h).
 */
#include "people/org.h"

#include <string.h>

#include "core/arena.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

#define LIST_MAX 500

static const char sql_org_get[] =
	"SELECT id, name, require_staff_2fa, created_at, emergency_number "
	"FROM organisation WHERE id = $1";
static const char sql_org_list[] =
	"SELECT id, name, require_staff_2fa, created_at, emergency_number "
	"FROM organisation ORDER BY name LIMIT 500";
static const char sql_org_emergency[] =
	"UPDATE organisation SET emergency_number = $2 WHERE id = $1";
static const char sql_org_insert[] =
	"INSERT INTO organisation (id, name, require_staff_2fa, created_at) "
	"VALUES ($1, $2, $3, $4)";
static const char sql_org_2fa[] =
	"UPDATE organisation SET require_staff_2fa = $2 WHERE id = $1";
static const char sql_org_name[] =
	"UPDATE organisation SET name = $2 WHERE id = $1";
static const char sql_unit_get[] =
	"SELECT id, org_id, name, created_at FROM unit WHERE id = $1";
static const char sql_unit_list[] =
	"SELECT id, org_id, name, created_at FROM unit WHERE org_id = $1 "
	"ORDER BY name LIMIT 500";
static const char sql_unit_insert[] =
	"INSERT INTO unit (id, org_id, name, created_at) "
	"VALUES ($1, $2, $3, $4)";

/*
 * The organisation and its units in one list; $2 (part_of) leaves the
 * organisation out, as it is part of nothing. The same name rule as
 * account_staff_search().
 */
#define NAME_LIKE                                                          \
	"($3 = '' OR lower(name) LIKE ($3 || '%') "                        \
	"OR lower(name) LIKE ('% ' || $3 || '%'))"
#define TREE_SELECT                                                        \
	"SELECT id, CAST(0 AS BIGINT) AS part_of, name, created_at "        \
	"FROM organisation WHERE id = $1 AND CAST($2 AS BIGINT) = 0 AND "  \
	NAME_LIKE " "                                                      \
	"UNION ALL SELECT id, org_id, name, created_at FROM unit "         \
	"WHERE org_id = $1 AND ($2 = 0 OR org_id = $2) AND "               \
	NAME_LIKE " "
static const char sql_tree_search[] =
	"SELECT id, part_of, name, created_at FROM (" TREE_SELECT ") t "
	"WHERE id > $4 ORDER BY id LIMIT $5";
static const char sql_tree_count[] =
	"SELECT count(*) FROM (" TREE_SELECT ") t";

bool
org_name_valid(const char *name)
{
	size_t n = strlen(name);

	return utf8_valid(name, n) && !str_has_control(name, n) &&
	       str_trim(str_c(name)).len > 0 &&
	       utf8_length(name, n) <= ORG_NAME_MAX;
}

static void
read_org(struct stmt *st, struct arena *a, void *out)
{
	struct organisation *o = out;

	o->id = stmt_int(st, 0);
	o->name = stmt_text_dup(st, 1, a);
	o->require_staff_2fa = stmt_int(st, 2) != 0;
	o->created_at = stmt_int(st, 3);
	o->emergency_number = stmt_text_dup(st, 4, a);
}

static void
read_unit(struct stmt *st, struct arena *a, void *out)
{
	struct unit *u = out;

	u->id = stmt_int(st, 0);
	u->org_id = stmt_int(st, 1);
	u->name = stmt_text_dup(st, 2, a);
	u->created_at = stmt_int(st, 3);
}

enum err
org_get(struct db *db, struct arena *a, int64_t id, struct organisation *out)
{
	struct stmt *st = db_prepare(db, sql_org_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_org, out);
}

enum err
org_list(struct db *db, struct arena *a, struct organisation **out,
	 size_t *count)
{
	struct stmt *st = db_prepare(db, sql_org_list);

	if (!st)
		return ERR_DB;
	return stmt_list(st, a, sizeof(**out), LIST_MAX, read_org, out,
			 count);
}

enum err
unit_get(struct db *db, struct arena *a, int64_t id, struct unit *out)
{
	struct stmt *st = db_prepare(db, sql_unit_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_unit, out);
}

enum err
unit_list(struct db *db, struct arena *a, int64_t org_id, struct unit **out,
	  size_t *count)
{
	struct stmt *st = db_prepare(db, sql_unit_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	return stmt_list(st, a, sizeof(**out), LIST_MAX, read_unit, out,
			 count);
}

/* `q` lowercase with LIKE's wildcards (and PostgreSQL's escape) dropped;
 * "" for NULL. */
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
read_node(struct stmt *st, struct arena *a, void *out)
{
	struct org_node *n = out;

	n->id = stmt_int(st, 0);
	n->part_of = stmt_int(st, 1);
	n->name = stmt_text_dup(st, 2, a);
	n->created_at = stmt_int(st, 3);
}

enum err
org_tree_search(struct db *db, struct arena *a, const struct org_query *q,
		struct org_node **out, size_t *count)
{
	size_t max = q->limit > ORG_TREE_MAX ? ORG_TREE_MAX : q->limit;
	char *name = like_literal(a, q->name);
	struct stmt *st;

	*out = NULL;
	*count = 0;
	if (!name)
		return ERR_NOMEM;
	if (!max)
		return ERR_OK;
	if (!(st = db_prepare(db, sql_tree_search)))
		return ERR_DB;
	stmt_bind_int(st, 1, q->org_id);
	stmt_bind_int(st, 2, q->part_of);
	stmt_bind_str(st, 3, name);
	stmt_bind_int(st, 4, q->after_id);
	stmt_bind_int(st, 5, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_node, out, count);
}

enum err
org_tree_count(struct db *db, struct arena *a, const struct org_query *q,
	       int64_t *out)
{
	char *name = like_literal(a, q->name);
	struct stmt *st;

	*out = 0;
	if (!name)
		return ERR_NOMEM;
	if (!(st = db_prepare(db, sql_tree_count)))
		return ERR_DB;
	stmt_bind_int(st, 1, q->org_id);
	stmt_bind_int(st, 2, q->part_of);
	stmt_bind_str(st, 3, name);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

enum err
org_insert(struct db *db, const struct organisation *o)
{
	struct stmt *st = db_prepare(db, sql_org_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, o->id);
	stmt_bind_str(st, 2, o->name);
	stmt_bind_int(st, 3, o->require_staff_2fa);
	stmt_bind_int(st, 4, o->created_at);
	return stmt_exec(st);
}

enum err
org_set_require_2fa(struct db *db, int64_t id, bool required)
{
	struct stmt *st = db_prepare(db, sql_org_2fa);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, required);
	return stmt_exec_one(st);
}

enum err
org_set_name(struct db *db, int64_t id, const char *name)
{
	struct stmt *st = db_prepare(db, sql_org_name);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, name);
	return stmt_exec_one(st);
}

enum err
unit_insert(struct db *db, const struct unit *u)
{
	struct stmt *st = db_prepare(db, sql_unit_insert);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, u->id);
	stmt_bind_int(st, 2, u->org_id);
	stmt_bind_str(st, 3, u->name);
	stmt_bind_int(st, 4, u->created_at);
	return stmt_exec(st);
}

bool
org_emergency_number_valid(const char *number)
{
	size_t n = strlen(number), i, digits = 0;

	if (n < 2 || n > ORG_EMERGENCY_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (number[i] >= '0' && number[i] <= '9')
			digits++;
		else if (number[i] != ' ' && number[i] != '+' &&
			 number[i] != '-')
			return false;
	}
	return digits >= 2;
}

enum err
org_set_emergency_number(struct db *db, int64_t id, const char *number)
{
	struct stmt *st = db_prepare(db, sql_org_emergency);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_str(st, 2, number);
	return stmt_exec_one(st);
}

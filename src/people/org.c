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

/*
 * The measures change counter (see measure_version.h).
 */
#include "measures/measure_version.h"

#include "store/store.h"
#include "core/banned.h"

static const char sql_bump[] =
	"INSERT INTO measure_version (patient_id, version) VALUES ($1, 1) "
	"ON CONFLICT (patient_id) DO UPDATE "
	"SET version = measure_version.version + 1";

static const char sql_get[] =
	"SELECT version FROM measure_version WHERE patient_id = $1";

enum err
measure_version_bump(struct db *db, int64_t patient_id)
{
	struct stmt *st = db_prepare(db, sql_bump);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	return stmt_exec(st);
}

enum err
measure_version_get(struct db *db, int64_t patient_id, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

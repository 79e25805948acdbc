/*
 * The visit agenda (see agenda.h).
 */
#include "measures/agenda.h"

#include <string.h>

#include "core/msgid.h"
#include "core/problem.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

static const char sql_open_count[] =
	"SELECT COUNT(*) FROM visit_agenda "
	"WHERE patient_id = $1 AND discussed_ms = 0";

static const char sql_insert[] =
	"INSERT INTO visit_agenda (id, org_id, patient_id, text, added_by, "
	"added_ms) VALUES ($1, $2, $3, $4, $5, $6)";

static const char sql_discussed[] =
	"UPDATE visit_agenda SET discussed_ms = $1, discussed_by = $2 "
	"WHERE id = $3 AND patient_id = $4 AND discussed_ms = 0";

static const char sql_list[] =
	"SELECT g.id, g.patient_id, g.text, g.added_by, a.display_name, "
	"g.added_ms, g.discussed_ms, d.display_name FROM visit_agenda g "
	"LEFT JOIN account a ON a.id = g.added_by "
	"LEFT JOIN account d ON d.id = g.discussed_by "
	"WHERE g.patient_id = $1 AND (g.discussed_ms = 0 OR g.id IN ("
	"SELECT id FROM visit_agenda WHERE patient_id = $1 "
	"AND discussed_ms > 0 ORDER BY discussed_ms DESC LIMIT 10)) "
	"ORDER BY g.discussed_ms = 0 DESC, g.discussed_ms DESC, g.added_ms "
	"LIMIT $2";

bool
agenda_text_ok(struct problems *ps, const char *text)
{
	if (str_trim(str_c(text)).len == 0) {
		problems_add(ps, "agenda",
			     N_("Write what you would like to talk about."));
		return false;
	}
	return care_text_ok(ps, "agenda", text, AGENDA_TEXT_MAX);
}

static enum err
add_item(struct db *db, struct agenda_job *j)
{
	struct problems ps = {0};
	struct stmt *st;
	int64_t open = 0;
	enum err e;

	if (!agenda_text_ok(&ps, j->item.text))
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_open_count)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->item.patient_id);
	if (stmt_row(st))
		open = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (open >= AGENDA_OPEN_MAX)
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->item.id);
	stmt_bind_int(st, 2, j->org_id);
	stmt_bind_int(st, 3, j->item.patient_id);
	stmt_bind_str(st, 4, j->item.text);
	stmt_bind_int(st, 5, j->by);
	stmt_bind_int(st, 6, j->at_ms);
	return stmt_exec(st);
}

enum err
agenda_write(struct db *db, void *arg)
{
	struct agenda_job *j = arg;
	struct stmt *st;

	if (!j->discussed)
		return add_item(db, j);
	if (!(st = db_prepare(db, sql_discussed)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->at_ms);
	stmt_bind_int(st, 2, j->by);
	stmt_bind_int(st, 3, j->item.id);
	stmt_bind_int(st, 4, j->item.patient_id);
	return stmt_exec_one(st);
}

static void
read_item(struct stmt *st, struct arena *a, void *out)
{
	struct agenda_item *it = out;

	it->id = stmt_int(st, 0);
	it->patient_id = stmt_int(st, 1);
	it->text = stmt_text_dup(st, 2, a);
	it->added_by = stmt_int(st, 3);
	it->added_by_name = stmt_text_dup(st, 4, a);
	it->added_ms = stmt_int(st, 5);
	it->discussed_ms = stmt_int(st, 6);
	it->discussed_by_name = stmt_text_dup(st, 7, a);
}

enum err
agenda_list(struct db *db, struct arena *a, int64_t patient_id,
	    struct agenda_item **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, AGENDA_LIST_MAX);
	return stmt_list(st, a, sizeof(**out), AGENDA_LIST_MAX, read_item, out,
			 count);
}

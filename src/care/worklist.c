/*
 * A professional's waiting care-record work (see worklist.h).
 */
#include "care/worklist.h"

#include <string.h>

#include "core/arena.h"
#include "store/store.h"
#include "core/banned.h"

static const char sql_plan[] =
	"SELECT CASE WHEN i.disputed_by <> 0 THEN 1 ELSE 0 END, i.patient_id, "
	"p.given_name || ' ' || p.family_name, i.id, i.text, i.updated_ms "
	"FROM care_item i "
	"JOIN care_team_member t ON t.patient_id = i.patient_id "
	"JOIN patient p ON p.id = i.patient_id "
	"WHERE t.account_id = $1 AND i.removed = 0 AND (i.disputed_by <> 0 "
	"OR (i.patient_agreed = 1 AND i.professional_agreed = 0)) "
	"ORDER BY i.updated_ms DESC LIMIT $2";
static const char sql_corrections[] =
	"SELECT 2, m.patient_id, p.given_name || ' ' || p.family_name, "
	"n.id, n.title, m.requested_ms FROM note_amendment m "
	"JOIN note n ON n.id = m.note_id "
	"JOIN patient p ON p.id = m.patient_id "
	"WHERE n.author_id = $1 AND m.status = 'open' "
	"ORDER BY m.requested_ms DESC LIMIT $2";

static void
read_work(struct stmt *st, struct arena *a, void *out)
{
	static const enum work_kind kinds[] = {WORK_AGREE, WORK_DISPUTED,
					       WORK_CORRECTION};
	struct work_item *w = out;
	int64_t k = stmt_int(st, 0);

	w->kind = kinds[k >= 0 && k <= 2 ? k : 0];
	w->patient_id = stmt_int(st, 1);
	w->patient_name = stmt_text_dup(st, 2, a);
	w->subject_id = stmt_int(st, 3);
	w->text = stmt_text_dup(st, 4, a);
	w->at_ms = stmt_int(st, 5);
}

static enum err
list(struct db *db, struct arena *a, const char *sql, int64_t account_id,
     size_t max, struct work_item **out, size_t *n)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	stmt_bind_int(st, 2, (int64_t)max);
	return stmt_list(st, a, sizeof(**out), max, read_work, out, n);
}

enum err
worklist_for(struct db *db, struct arena *a, int64_t account_id, size_t max,
	     struct work_item **out, size_t *count)
{
	struct work_item *plan, *notes, *all;
	size_t np, nn;
	enum err e;

	if ((e = list(db, a, sql_plan, account_id, 2 * max, &plan, &np)) !=
		    ERR_OK ||
	    (e = list(db, a, sql_corrections, account_id, max, &notes,
		      &nn)) != ERR_OK)
		return e;
	if (!(all = arena_calloc(a, np + nn + 1, sizeof(*all))))
		return ERR_NOMEM;
	memcpy(all, notes, nn * sizeof(*all));
	memcpy(all + nn, plan, np * sizeof(*all));
	*out = all;
	*count = np + nn;
	return ERR_OK;
}

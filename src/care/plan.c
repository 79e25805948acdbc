/*
 * The shared care plan's goals and actions (see plan.h): validation, the
 * one write function for every kind of change, and reading the plan.
 */
#include "care/plan.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "care/care.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

const struct plan_choice plan_goal_statuses[] = {
	{"active", N_("Working on it")},
	{"achieved", N_("Achieved")},
	{"stopped", N_("No longer a goal")},
	{NULL, NULL},
};

const struct plan_choice plan_action_statuses[] = {
	{"planned", N_("Not started")},
	{"in_progress", N_("In progress")},
	{"done", N_("Done")},
	{"stopped", N_("Stopped")},
	{NULL, NULL},
};

const struct plan_choice plan_owner_kinds[] = {
	{"patient", N_("The patient")},
	{"professional", N_("A professional")},
	{"caregiver", N_("A caregiver")},
	{NULL, NULL},
};

const char *
plan_choice_label(const struct plan_choice *list, const char *code)
{
	size_t i;

	for (i = 0; code && list[i].code; i++)
		if (!strcmp(list[i].code, code))
			return list[i].label;
	return "";
}

static bool
is_goal(const struct plan_item *it)
{
	return it->kind && !strcmp(it->kind, CARE_GOAL);
}

void
plan_item_validate(const struct plan_item *it, struct problems *out)
{
	const struct plan_choice *statuses =
		is_goal(it) ? plan_goal_statuses : plan_action_statuses;

	if (!it->text || !*it->text)
		problems_add(out, "text",
			     is_goal(it) ? N_("Write the goal in a few words.")
					 : N_("Write what will be done."));
	else
		care_text_ok(out, "text", it->text, CARE_SHORT_MAX);
	if (it->clinical)
		care_text_ok(out, "clinical", it->clinical, CARE_SHORT_MAX);
	if (it->progress_sign)
		care_text_ok(out, "progress_sign", it->progress_sign,
			     CARE_SHORT_MAX);
	care_date_ok(out, "due_date", it->due_date ? it->due_date : "",
		     false);
	if (!*plan_choice_label(statuses, it->status))
		problems_add(out, "status", N_("Choose a status."));
	if (!is_goal(it) && !*plan_choice_label(plan_owner_kinds,
						 it->owner_kind))
		problems_add(out, "owner", N_("Choose who will do this."));
}

/* --- statements ------------------------------------------------------- */

#define SELECT_ITEM                                                        \
	"SELECT i.id, i.org_id, i.patient_id, i.kind, i.goal_id, "          \
	"i.position, i.text, i.clinical, i.progress_sign, i.due_date, "    \
	"i.owner_kind, i.owner_id, COALESCE(o.display_name, ''), "         \
	"i.status, i.source, i.proposed_by, "                              \
	"COALESCE(p.display_name, ''), i.proposed_voice, "                 \
	"i.patient_agreed, i.professional_agreed, i.disputed_by, "         \
	"COALESCE(d.display_name, ''), i.disputed_voice, "                 \
	"i.dispute_comment, i.removed, i.version, i.created_ms, "          \
	"i.updated_ms FROM care_item i "                                   \
	"LEFT JOIN account o ON o.id = i.owner_id "                        \
	"LEFT JOIN account p ON p.id = i.proposed_by "                     \
	"LEFT JOIN account d ON d.id = i.disputed_by "

static const char sql_get[] = SELECT_ITEM
	"WHERE i.id = $1 AND i.patient_id = $2";
/* The plan page's list: only the owner's name is shown there. */
static const char sql_list[] =
	"SELECT i.id, i.org_id, i.patient_id, i.kind, i.goal_id, "
	"i.position, i.text, i.clinical, i.progress_sign, i.due_date, "
	"i.owner_kind, i.owner_id, COALESCE(o.display_name, ''), "
	"i.status, i.source, i.proposed_by, '', i.proposed_voice, "
	"i.patient_agreed, i.professional_agreed, i.disputed_by, '', "
	"i.disputed_voice, i.dispute_comment, i.removed, i.version, "
	"i.created_ms, i.updated_ms FROM care_item i "
	"LEFT JOIN account o ON o.id = i.owner_id "
	"WHERE i.patient_id = $1 AND i.removed = 0 ORDER BY i.position";
static const char sql_insert[] =
	"INSERT INTO care_item (id, org_id, patient_id, kind, goal_id, "
	"position, text, clinical, progress_sign, due_date, owner_kind, "
	"owner_id, status, source, proposed_by, proposed_voice, "
	"patient_agreed, professional_agreed, version, created_ms, "
	"updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
	"$12, $13, $14, $15, $16, $17, $18, 1, $19, $19)";
static const char sql_update[] =
	"UPDATE care_item SET text = $3, clinical = $4, progress_sign = $5, "
	"due_date = $6, owner_kind = $7, owner_id = $8, status = $9, "
	"patient_agreed = $10, professional_agreed = $11, "
	"disputed_by = $12, disputed_voice = $13, dispute_comment = $14, "
	"removed = $15, version = version + 1, updated_ms = $16 "
	"WHERE id = $1 AND patient_id = $2";
static const char sql_next_position[] =
	"SELECT COALESCE(MAX(position), 0) + 1 FROM care_item "
	"WHERE patient_id = $1 AND kind = $2 AND goal_id = $3";
static const char sql_plan_bump[] =
	"UPDATE care_plan SET version = version + 1 WHERE patient_id = $1";
static const char sql_plan_new[] =
	"INSERT INTO care_plan (patient_id, org_id, version) "
	"VALUES ($1, $2, 1)";
static const char sql_plan_version[] =
	"SELECT version FROM care_plan WHERE patient_id = $1";
static const char sql_on_team[] =
	"SELECT count(*) FROM care_team_member "
	"WHERE patient_id = $1 AND account_id = $2";
static const char sql_has_grant[] =
	"SELECT count(*) FROM caregiver_grant WHERE patient_id = $1 "
	"AND caregiver_id = $2 AND revoked_at = 0 "
	"AND (expires_at = 0 OR expires_at > $3)";
static const char sql_name[] =
	"SELECT display_name FROM account WHERE id = $1";
static const char sql_item_patient[] =
	"SELECT patient_id FROM care_item WHERE id = $1";

static void
read_item(struct stmt *st, struct arena *a, void *out)
{
	struct plan_item *it = out;
	const char *dv;

	memset(it, 0, sizeof(*it));
	it->id = stmt_int(st, 0);
	it->org_id = stmt_int(st, 1);
	it->patient_id = stmt_int(st, 2);
	it->kind = stmt_text_dup(st, 3, a);
	it->goal_id = stmt_int(st, 4);
	it->position = (int)stmt_int(st, 5);
	it->text = stmt_text_dup(st, 6, a);
	it->clinical = stmt_text_dup(st, 7, a);
	it->progress_sign = stmt_text_dup(st, 8, a);
	it->due_date = stmt_text_dup(st, 9, a);
	it->owner_kind = stmt_text_dup(st, 10, a);
	it->owner_id = stmt_int(st, 11);
	it->owner_name = stmt_text_dup(st, 12, a);
	it->status = stmt_text_dup(st, 13, a);
	it->source = stmt_text_dup(st, 14, a);
	it->proposed_by = stmt_int(st, 15);
	it->proposed_by_name = stmt_text_dup(st, 16, a);
	it->proposed_voice = stmt_text_dup(st, 17, a);
	it->agreement.patient = stmt_int(st, 18) != 0;
	it->agreement.professional = stmt_int(st, 19) != 0;
	it->disputed_by = stmt_int(st, 20);
	it->disputed_by_name = stmt_text_dup(st, 21, a);
	dv = stmt_text(st, 22);
	it->agreement.disputed = it->disputed_by != 0;
	it->agreement.disputed_by_patient = dv && !strcmp(dv, "patient");
	it->dispute_comment = stmt_text_dup(st, 23, a);
	it->removed = stmt_int(st, 24) != 0;
	it->version = (int)stmt_int(st, 25);
	it->created_ms = stmt_int(st, 26);
	it->updated_ms = stmt_int(st, 27);
}

enum err
plan_item_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	      struct plan_item *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	return stmt_get(st, a, read_item, out);
}

static void
read_patient(struct stmt *st, struct arena *a, void *out)
{
	(void)a;
	*(int64_t *)out = stmt_int(st, 0);
}

enum err
plan_item_patient(struct db *db, int64_t id, int64_t *patient_id)
{
	struct stmt *st = db_prepare(db, sql_item_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, NULL, read_patient, patient_id);
}

enum err
plan_items_list(struct db *db, struct arena *a, int64_t patient_id,
		struct plan_item **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_list);
	struct plan_item *rows, *sorted;
	size_t n, i, j, k = 0;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if ((e = stmt_list(st, a, sizeof(*rows), PLAN_ITEMS_MAX, read_item,
			   &rows, &n)) != ERR_OK)
		return e;
	if (!(sorted = arena_calloc(a, n ? n : 1, sizeof(*sorted))))
		return ERR_NOMEM;
	/* Each goal, then its actions, both by position (rows are). */
	for (i = 0; i < n; i++) {
		if (!is_goal(&rows[i]))
			continue;
		sorted[k++] = rows[i];
		for (j = 0; j < n; j++)
			if (!is_goal(&rows[j]) && rows[j].goal_id == rows[i].id)
				sorted[k++] = rows[j];
	}
	*out = sorted;
	*count = k;
	return ERR_OK;
}

static enum err
count_of(struct db *db, const char *sql, int64_t a1, int64_t a2, int64_t a3,
	 int nargs, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a1);
	if (nargs > 1)
		stmt_bind_int(st, 2, a2);
	if (nargs > 2)
		stmt_bind_int(st, 3, a3);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

enum err
plan_version(struct db *db, int64_t patient_id, int *out)
{
	int64_t v = 0;
	enum err e = count_of(db, sql_plan_version, patient_id, 0, 0, 1, &v);

	*out = (int)v;
	return e;
}

/* --- writing ------------------------------------------------------------ */

/* The owner must be someone around the patient. */
static enum err
check_owner(struct db *db, const struct plan_change *c,
	    const struct plan_item *it)
{
	int64_t n = 0;
	enum err e;

	if (is_goal(it))
		return ERR_OK;
	if (!strcmp(it->owner_kind, "patient"))
		return it->owner_id == 0 ? ERR_OK : ERR_INVALID;
	if (!strcmp(it->owner_kind, "professional"))
		e = count_of(db, sql_on_team, c->patient_id, it->owner_id, 0,
			     2, &n);
	else if (!strcmp(it->owner_kind, "caregiver"))
		e = count_of(db, sql_has_grant, c->patient_id, it->owner_id,
			     c->now, 3, &n);
	else
		return ERR_INVALID;
	if (e != ERR_OK)
		return e;
	return n > 0 ? ERR_OK : ERR_INVALID;
}

static enum err
bump_plan(struct db *db, const struct plan_change *c, int *version)
{
	struct stmt *st = db_prepare(db, sql_plan_bump);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (stmt_changes(st) == 0) {
		if (!(st = db_prepare(db, sql_plan_new)))
			return ERR_DB;
		stmt_bind_int(st, 1, c->patient_id);
		stmt_bind_int(st, 2, c->org_id);
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
	}
	return plan_version(db, c->patient_id, version);
}

static const char *
owner_label(struct db *db, struct arena *a, const struct plan_item *it)
{
	struct stmt *st;
	const char *name = "";

	if (!it->owner_id)
		return it->owner_kind;
	if (!(st = db_prepare(db, sql_name)))
		return "";
	stmt_bind_int(st, 1, it->owner_id);
	if (stmt_row(st))
		name = stmt_text_dup(st, 0, a);
	stmt_done(st);
	return name ? name : "";
}

/* The fields one version keeps, as people read them in the history. */
static json_t *
item_fields(struct db *db, struct arena *a, const struct plan_item *it)
{
	json_t *o = json_object();

	json_object_set_new(o, "text", json_string(it->text));
	if (is_goal(it)) {
		json_object_set_new(o, "clinical", json_string(it->clinical));
		json_object_set_new(o, "progress_sign",
				    json_string(it->progress_sign));
	} else {
		json_object_set_new(o, "owner",
				    json_string(owner_label(db, a, it)));
		json_object_set_new(o, "goal_id",
				    json_integer(it->goal_id));
	}
	json_object_set_new(o, "due_date", json_string(it->due_date));
	json_object_set_new(o, "status", json_string(it->status));
	return o;
}

static enum err
store_version(struct db *db, struct plan_change *c, const struct plan_item *it,
	      const char *change)
{
	struct arena *a = arena_new(64 * 1024);
	struct care_version_new v = {
		.org_id = c->org_id,
		.patient_id = c->patient_id,
		.subject_type = is_goal(it) ? CARE_GOAL : CARE_ACTION,
		.subject_id = it->id,
		.version = it->version,
		.plan_version = c->plan_version,
		.at_ms = c->at_ms,
		.author_id = c->author_id,
		.voice = c->voice,
		.change = change,
		.comment = c->comment,
	};
	enum err e;

	if (!a)
		return ERR_NOMEM;
	v.fields = item_fields(db, a, it);
	e = v.fields ? care_version_insert(db, &v) : ERR_NOMEM;
	json_decref(v.fields);
	arena_free(a);
	return e;
}

static enum err
insert_item(struct db *db, struct plan_change *c)
{
	struct plan_item *it = &c->item;
	struct agreement ag = {0};
	struct stmt *st;
	int64_t pos, n;
	enum err e;

	if (!is_goal(it)) {
		struct arena *a = arena_new(16 * 1024);
		struct plan_item goal;

		if (!a)
			return ERR_NOMEM;
		e = plan_item_get(db, a, c->patient_id, it->goal_id, &goal);
		n = e == ERR_OK && is_goal(&goal) && !goal.removed;
		arena_free(a);
		if (e != ERR_OK && e != ERR_NOT_FOUND)
			return e;
		if (!n)
			return ERR_INVALID;
	} else {
		it->goal_id = 0;
	}
	if ((e = check_owner(db, c, it)) != ERR_OK)
		return e;
	if ((e = bump_plan(db, c, &c->plan_version)) != ERR_OK)
		return e;
	if ((st = db_prepare(db, sql_next_position)) == NULL)
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_id);
	stmt_bind_str(st, 2, it->kind);
	stmt_bind_int(st, 3, it->goal_id);
	pos = stmt_row(st) ? stmt_int(st, 0) : 1;
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	agreement_apply(&ag, "create", c->voice);
	it->id = c->new_id = it->id ? it->id : id_new();
	it->version = c->new_version = 1;
	if (!(st = db_prepare(db, sql_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, it->id);
	stmt_bind_int(st, 2, c->org_id);
	stmt_bind_int(st, 3, c->patient_id);
	stmt_bind_str(st, 4, it->kind);
	stmt_bind_int(st, 5, it->goal_id);
	stmt_bind_int(st, 6, pos);
	stmt_bind_str(st, 7, it->text);
	stmt_bind_str(st, 8, it->clinical ? it->clinical : "");
	stmt_bind_str(st, 9, it->progress_sign ? it->progress_sign : "");
	stmt_bind_str(st, 10, it->due_date ? it->due_date : "");
	stmt_bind_str(st, 11, it->owner_kind ? it->owner_kind : "");
	stmt_bind_int(st, 12, it->owner_id);
	stmt_bind_str(st, 13, it->status);
	stmt_bind_str(st, 14, it->source ? it->source : "");
	stmt_bind_int(st, 15, c->author_id);
	stmt_bind_str(st, 16, c->voice);
	stmt_bind_int(st, 17, ag.patient);
	stmt_bind_int(st, 18, ag.professional);
	stmt_bind_int(st, 19, c->at_ms);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	return store_version(db, c, it, "create");
}

static enum err
update_item(struct db *db, struct plan_change *c, struct plan_item *it,
	    const char *change)
{
	struct stmt *st;
	enum err e;

	if ((e = bump_plan(db, c, &c->plan_version)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_update)))
		return ERR_DB;
	stmt_bind_int(st, 1, it->id);
	stmt_bind_int(st, 2, c->patient_id);
	stmt_bind_str(st, 3, it->text);
	stmt_bind_str(st, 4, it->clinical ? it->clinical : "");
	stmt_bind_str(st, 5, it->progress_sign ? it->progress_sign : "");
	stmt_bind_str(st, 6, it->due_date ? it->due_date : "");
	stmt_bind_str(st, 7, it->owner_kind ? it->owner_kind : "");
	stmt_bind_int(st, 8, it->owner_id);
	stmt_bind_str(st, 9, it->status);
	stmt_bind_int(st, 10, it->agreement.patient);
	stmt_bind_int(st, 11, it->agreement.professional);
	stmt_bind_int(st, 12, it->agreement.disputed ? it->disputed_by : 0);
	stmt_bind_str(st, 13, it->agreement.disputed
				      ? (it->agreement.disputed_by_patient
						 ? "patient"
						 : "professional")
				      : "");
	stmt_bind_str(st, 14, it->agreement.disputed && it->dispute_comment
				      ? it->dispute_comment
				      : "");
	stmt_bind_int(st, 15, it->removed);
	stmt_bind_int(st, 16, c->at_ms);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e;
	it->version++;
	c->new_version = it->version;
	return store_version(db, c, it, change);
}

static const char sql_open_actions[] =
	"SELECT count(*) FROM care_item WHERE goal_id = $1 "
	"AND patient_id = $2 AND removed = 0";

static enum err
change_item(struct db *db, struct plan_change *c, struct arena *a)
{
	struct plan_item it;
	const struct plan_item *in = &c->item;
	enum err e;

	if ((e = plan_item_get(db, a, c->patient_id, in->id, &it)) != ERR_OK)
		return e;
	if (it.removed)
		return ERR_NOT_FOUND;
	if (it.version != in->version)
		return ERR_CONFLICT;
	if (!strcmp(c->change, "edit")) {
		it.text = in->text;
		it.clinical = in->clinical;
		it.progress_sign = in->progress_sign;
		it.due_date = in->due_date;
		it.status = in->status;
		if (!is_goal(&it)) {
			it.owner_kind = in->owner_kind;
			it.owner_id = in->owner_id;
			if ((e = check_owner(db, c, &it)) != ERR_OK)
				return e;
		}
		agreement_apply(&it.agreement, "edit", c->voice);
	} else if (!strcmp(c->change, "agree") ||
		   !strcmp(c->change, "dispute")) {
		if (!agreement_apply(&it.agreement, c->change, c->voice))
			return ERR_INVALID;
		if (it.agreement.disputed && c->change[0] == 'd') {
			if (!c->comment || !*c->comment)
				return ERR_INVALID;
			it.disputed_by = c->author_id;
			it.dispute_comment = c->comment;
		}
	} else if (!strcmp(c->change, "status")) {
		const struct plan_choice *list = is_goal(&it)
							 ? plan_goal_statuses
							 : plan_action_statuses;

		if (!*plan_choice_label(list, in->status))
			return ERR_INVALID;
		it.status = in->status;
	} else if (!strcmp(c->change, "remove")) {
		int64_t open = 0;

		/* A goal goes only once its actions are gone, so nothing is
		 * removed without its own entry in the history. */
		if (is_goal(&it) &&
		    (e = count_of(db, sql_open_actions, it.id, c->patient_id,
				  0, 2, &open)) != ERR_OK)
			return e;
		if (open > 0)
			return ERR_EXISTS;
		it.removed = true;
	} else {
		return ERR_INVALID;
	}
	return update_item(db, c, &it, c->change);
}

enum err
plan_write(struct db *db, void *arg)
{
	struct plan_change *c = arg;
	struct arena *a;
	enum err e;

	if (!c->change || !c->voice)
		return ERR_INVALID;
	if (!strcmp(c->change, "create"))
		return insert_item(db, c);
	if (!(a = arena_new(1024 * 1024)))
		return ERR_NOMEM;
	e = change_item(db, c, a);
	arena_free(a);
	return e;
}

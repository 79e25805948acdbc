/*
 * Review conversations (see dialog.h): the fixed areas and scale,
 * validation, the two writes (ratings; chosen areas with their goals and
 * actions, which go through plan_write() in the same transaction) and
 * reading conversations back.
 */
#include "care/dialog.h"

#include <stdio.h>
#include <string.h>

#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/msgid.h"
#include "store/store.h"
#include "core/banned.h"

/* DIALOG+'s eleven areas: eight of life, then three of treatment. */
const struct dialog_area dialog_areas[DIALOG_AREAS] = {
	{"mental_health", N_("Mental health"), false, "rating_mental_health",
	 N_("Choose a number for mental health.")},
	{"physical_health", N_("Physical health"), false,
	 "rating_physical_health",
	 N_("Choose a number for physical health.")},
	{"job", N_("Job situation"), false, "rating_job",
	 N_("Choose a number for your job situation.")},
	{"accommodation", N_("Accommodation (where you live)"), false,
	 "rating_accommodation", N_("Choose a number for where you live.")},
	{"leisure", N_("Leisure activities (free time)"), false,
	 "rating_leisure", N_("Choose a number for leisure activities.")},
	{"family", N_("Relationship with partner or family"), false,
	 "rating_family",
	 N_("Choose a number for your partner or family.")},
	{"friendships", N_("Friendships"), false, "rating_friendships",
	 N_("Choose a number for friendships.")},
	{"safety", N_("Personal safety"), false, "rating_safety",
	 N_("Choose a number for personal safety.")},
	{"medication", N_("Medication"), true, "rating_medication",
	 N_("Choose a number for medication.")},
	{"practical_help", N_("Practical help"), true,
	 "rating_practical_help", N_("Choose a number for practical help.")},
	{"meetings", N_("Meetings with professionals"), true,
	 "rating_meetings",
	 N_("Choose a number for meetings with professionals.")},
};

const char *const dialog_scale_labels[DIALOG_RATING_MAX + 1] = {
	NULL,
	N_("Totally dissatisfied"),
	N_("Very dissatisfied"),
	N_("Fairly dissatisfied"),
	N_("In the middle"),
	N_("Fairly satisfied"),
	N_("Very satisfied"),
	N_("Totally satisfied"),
};

int
dialog_area_find(const char *code)
{
	int i;

	for (i = 0; code && i < DIALOG_AREAS; i++)
		if (!strcmp(dialog_areas[i].code, code))
			return i;
	return -1;
}

/* --- validation --------------------------------------------------------- */

void
dialog_ratings_validate(const struct dialog_rating *r, struct problems *out)
{
	int i;

	for (i = 0; i < DIALOG_AREAS; i++)
		if (r[i].rating < DIALOG_RATING_MIN ||
		    r[i].rating > DIALOG_RATING_MAX)
			problems_add(out, dialog_areas[i].field,
				     dialog_areas[i].missing);
}

static bool
owner_kind_ok(const char *kind)
{
	return kind && (!strcmp(kind, "patient") ||
			!strcmp(kind, "professional") ||
			!strcmp(kind, "caregiver"));
}

static void
action_validate(struct arena *a, const char *code, size_t k,
		const struct dialog_action *x, struct problems *out)
{
	const char *f = arena_printf(a, "action_%s_%zu_", code, k + 1);

	if (!f)
		return;
	if (!x->text || !*x->text)
		problems_add(out, arena_printf(a, "%stext", f),
			     N_("Write what will be done."));
	else
		care_text_ok(out, arena_printf(a, "%stext", f), x->text,
			     CARE_SHORT_MAX);
	if (!owner_kind_ok(x->owner_kind))
		problems_add(out, arena_printf(a, "%sowner", f),
			     N_("Choose who will do this."));
	care_date_ok(out, arena_printf(a, "%sdue", f),
		     x->due_date ? x->due_date : "", false);
}

void
dialog_focus_validate(struct arena *a, const struct dialog_focus *f,
		      size_t n, struct problems *out)
{
	static const char *const steps[] = {"understanding",
					    "looking_forward", "options",
					    "agreed"};
	bool seen[DIALOG_AREAS] = {false};
	size_t i, k;

	if (n > DIALOG_FOCUS_MAX) {
		problems_add(out, "focus",
			     N_("Choose up to three areas to talk about."));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *code, *text[4];

		if (f[i].area < 0 || f[i].area >= DIALOG_AREAS ||
		    seen[f[i].area]) {
			problems_add(out, "focus",
				     N_("Choose each area once, from the "
					"list."));
			continue;
		}
		seen[f[i].area] = true;
		code = dialog_areas[f[i].area].code;
		text[0] = f[i].understanding;
		text[1] = f[i].looking_forward;
		text[2] = f[i].options;
		text[3] = f[i].agreed;
		for (k = 0; k < 4; k++)
			care_text_ok(out,
				     arena_printf(a, "%s_%s", steps[k], code),
				     text[k] ? text[k] : "", CARE_LONG_MAX);
		if (f[i].nactions > DIALOG_ACTIONS_MAX) {
			problems_add(out, "focus",
				     N_("Agree up to three actions for each "
					"area."));
			continue;
		}
		for (k = 0; k < f[i].nactions; k++)
			action_validate(a, code, k, &f[i].actions[k], out);
	}
}

/* --- statements ---------------------------------------------------------- */

static const char sql_conv_insert[] =
	"INSERT INTO review_conversation (id, org_id, patient_id, at_ms, "
	"recorded_by, voice, status, version) "
	"VALUES ($1, $2, $3, $4, $5, $6, 'rated', 1)";
static const char sql_rating_insert[] =
	"INSERT INTO review_rating (conversation_id, domain, org_id, rating, "
	"more_help) VALUES ($1, $2, $3, $4, $5)";
static const char sql_conv_state[] =
	"SELECT status, version FROM review_conversation "
	"WHERE id = $1 AND patient_id = $2";
static const char sql_focus_insert[] =
	"INSERT INTO review_focus (conversation_id, domain, org_id, "
	"understanding, looking_forward, options, agreed, position, goal_id) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char sql_conv_complete[] =
	"UPDATE review_conversation SET status = 'complete', "
	"completed_ms = $3, completed_by = $4, completed_voice = $5, "
	"version = version + 1 "
	"WHERE id = $1 AND version = $2 AND status = 'rated'";
static const char sql_on_team[] =
	"SELECT count(*) FROM care_team_member "
	"WHERE patient_id = $1 AND account_id = $2";
static const char sql_has_grant[] =
	"SELECT count(*) FROM caregiver_grant WHERE patient_id = $1 "
	"AND caregiver_id = $2 AND revoked_at = 0 "
	"AND (expires_at = 0 OR expires_at > $3)";

#define SELECT_CONV                                                        \
	"SELECT c.id, c.org_id, c.patient_id, c.at_ms, c.recorded_by, "    \
	"COALESCE(r.display_name, ''), c.voice, c.status, c.completed_ms, " \
	"c.completed_by, COALESCE(d.display_name, ''), c.completed_voice, " \
	"c.version FROM review_conversation c "                            \
	"LEFT JOIN account r ON r.id = c.recorded_by "                     \
	"LEFT JOIN account d ON d.id = c.completed_by "

static const char sql_conv_get[] = SELECT_CONV
	"WHERE c.id = $1 AND c.patient_id = $2";
static const char sql_conv_list[] = SELECT_CONV
	"WHERE c.patient_id = $1 ORDER BY c.at_ms DESC, c.id DESC LIMIT $2";
static const char sql_ratings_of[] =
	"SELECT conversation_id, domain, rating, more_help FROM review_rating "
	"WHERE conversation_id = $1";
static const char sql_ratings_of_patient[] =
	"SELECT r.conversation_id, r.domain, r.rating, r.more_help "
	"FROM review_rating r JOIN review_conversation c "
	"ON c.id = r.conversation_id WHERE c.patient_id = $1";
static const char sql_focus_of[] =
	"SELECT domain, understanding, looking_forward, options, agreed, "
	"goal_id FROM review_focus WHERE conversation_id = $1 "
	"ORDER BY position";

/* --- writing ------------------------------------------------------------ */

static enum err
count_of(struct db *db, const char *sql, int64_t a1, int64_t a2, int64_t a3,
	 int nargs, int64_t *out)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a1);
	stmt_bind_int(st, 2, a2);
	if (nargs > 2)
		stmt_bind_int(st, 3, a3);
	*out = stmt_row(st) ? stmt_int(st, 0) : 0;
	return stmt_done(st);
}

bool
dialog_owner_ok(struct db *db, int64_t patient_id, const char *kind,
		int64_t owner_id, int64_t now)
{
	int64_t n = 0;

	if (!kind)
		return false;
	if (!strcmp(kind, "patient"))
		return owner_id == 0;
	if (!strcmp(kind, "professional"))
		return count_of(db, sql_on_team, patient_id, owner_id, 0, 2,
				&n) == ERR_OK && n > 0;
	if (!strcmp(kind, "caregiver"))
		return count_of(db, sql_has_grant, patient_id, owner_id, now, 3,
				&n) == ERR_OK && n > 0;
	return false;
}

enum err
dialog_rate_write(struct db *db, void *arg)
{
	struct dialog_rate_job *j = arg;
	struct problems ps = {0};
	struct stmt *st;
	enum err e;
	int i;

	dialog_ratings_validate(j->ratings, &ps);
	if (ps.n)
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_conv_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->id);
	stmt_bind_int(st, 2, j->org_id);
	stmt_bind_int(st, 3, j->patient_id);
	stmt_bind_int(st, 4, j->at_ms);
	stmt_bind_int(st, 5, j->author_id);
	stmt_bind_str(st, 6, j->voice);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	for (i = 0; i < DIALOG_AREAS; i++) {
		if (!(st = db_prepare(db, sql_rating_insert)))
			return ERR_DB;
		stmt_bind_int(st, 1, j->id);
		stmt_bind_str(st, 2, dialog_areas[i].code);
		stmt_bind_int(st, 3, j->org_id);
		stmt_bind_int(st, 4, j->ratings[i].rating);
		stmt_bind_int(st, 5, j->ratings[i].more_help);
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* The conversation must be the patient's, still "rated" and unchanged
 * since the person opened it. */
static enum err
check_state(struct db *db, const struct dialog_focus_job *j)
{
	struct stmt *st = db_prepare(db, sql_conv_state);
	bool found, ok = false;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, j->conversation_id);
	stmt_bind_int(st, 2, j->patient_id);
	found = stmt_row(st);
	if (found)
		ok = !strcmp(stmt_text(st, 0), DIALOG_RATED) &&
		     stmt_int(st, 1) == j->version;
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!found)
		return ERR_NOT_FOUND;
	return ok ? ERR_OK : ERR_CONFLICT;
}

static void
change_init(struct plan_change *c, const struct dialog_focus_job *j,
	    const char *kind, const char *source)
{
	memset(c, 0, sizeof(*c));
	c->org_id = j->org_id;
	c->patient_id = j->patient_id;
	c->author_id = j->author_id;
	c->voice = j->voice;
	c->at_ms = j->at_ms;
	c->now = j->now;
	c->change = "create";
	c->item.org_id = j->org_id;
	c->item.patient_id = j->patient_id;
	c->item.kind = kind;
	c->item.clinical = "";
	c->item.progress_sign = "";
	c->item.due_date = "";
	c->item.owner_kind = "";
	c->item.source = source;
	c->item.proposed_by = j->author_id;
	c->item.proposed_voice = j->voice;
	c->item.status = !strcmp(kind, CARE_GOAL)
				 ? plan_goal_statuses[0].code
				 : plan_action_statuses[0].code;
}

/* One chosen area: its goal, its row and its actions. */
static enum err
write_area(struct db *db, struct dialog_focus_job *j, size_t i,
	   const char *source)
{
	const struct dialog_focus *f = &j->focus[i];
	struct plan_change c;
	struct stmt *st;
	int64_t goal;
	size_t k;
	enum err e;

	change_init(&c, j, CARE_GOAL, source);
	c.item.text = j->goal_text[i];
	c.item.progress_sign = j->progress_sign[i] ? j->progress_sign[i] : "";
	if ((e = plan_write(db, &c)) != ERR_OK)
		return e;
	goal = j->goal_ids[i] = c.new_id;
	if (!(st = db_prepare(db, sql_focus_insert)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->conversation_id);
	stmt_bind_str(st, 2, dialog_areas[f->area].code);
	stmt_bind_int(st, 3, j->org_id);
	stmt_bind_str(st, 4, f->understanding ? f->understanding : "");
	stmt_bind_str(st, 5, f->looking_forward ? f->looking_forward : "");
	stmt_bind_str(st, 6, f->options ? f->options : "");
	stmt_bind_str(st, 7, f->agreed ? f->agreed : "");
	stmt_bind_int(st, 8, (int64_t)i);
	stmt_bind_int(st, 9, goal);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	for (k = 0; k < f->nactions; k++) {
		const struct dialog_action *x = &f->actions[k];

		change_init(&c, j, CARE_ACTION, source);
		c.item.goal_id = goal;
		c.item.text = x->text;
		c.item.owner_kind = x->owner_kind;
		c.item.owner_id = x->owner_id;
		c.item.due_date = x->due_date ? x->due_date : "";
		if ((e = plan_write(db, &c)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
dialog_focus_write(struct db *db, void *arg)
{
	struct dialog_focus_job *j = arg;
	char source[40];
	struct stmt *st;
	size_t i, k;
	enum err e;

	if (j->nfocus > DIALOG_FOCUS_MAX)
		return ERR_INVALID;
	if ((e = check_state(db, j)) != ERR_OK)
		return e;
	/* Every owner first, so a refusal names the owner before any row is
	 * written (the transaction would undo them anyway). */
	for (i = 0; i < j->nfocus; i++) {
		const struct dialog_focus *f = &j->focus[i];

		if (f->area < 0 || f->area >= DIALOG_AREAS ||
		    f->nactions > DIALOG_ACTIONS_MAX || !j->goal_text[i])
			return ERR_INVALID;
		for (k = 0; k < f->nactions; k++) {
			const struct dialog_action *x = &f->actions[k];

			if (!dialog_owner_ok(db, j->patient_id, x->owner_kind,
					     x->owner_id, j->now))
				return ERR_INVALID;
		}
	}
	snprintf(source, sizeof(source), "review:%lld",
		 (long long)j->conversation_id);
	for (i = 0; i < j->nfocus; i++)
		if ((e = write_area(db, j, i, source)) != ERR_OK)
			return e;
	if (!(st = db_prepare(db, sql_conv_complete)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->conversation_id);
	stmt_bind_int(st, 2, j->version);
	stmt_bind_int(st, 3, j->at_ms);
	stmt_bind_int(st, 4, j->author_id);
	stmt_bind_str(st, 5, j->voice);
	e = stmt_exec_one(st);
	return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

/* --- reading -------------------------------------------------------------- */

static void
read_conv(struct stmt *st, struct arena *a, void *out)
{
	struct dialog_conversation *c = out;

	memset(c, 0, sizeof(*c));
	c->id = stmt_int(st, 0);
	c->org_id = stmt_int(st, 1);
	c->patient_id = stmt_int(st, 2);
	c->at_ms = stmt_int(st, 3);
	c->recorded_by = stmt_int(st, 4);
	c->recorded_by_name = stmt_text_dup(st, 5, a);
	c->voice = stmt_text_dup(st, 6, a);
	c->status = stmt_text_dup(st, 7, a);
	c->completed_ms = stmt_int(st, 8);
	c->completed_by = stmt_int(st, 9);
	c->completed_by_name = stmt_text_dup(st, 10, a);
	c->completed_voice = stmt_text_dup(st, 11, a);
	c->version = (int)stmt_int(st, 12);
}

/* Puts the rating rows of `sql` (with `arg` as $1) into the
 * conversations they belong to. */
static enum err
read_ratings(struct db *db, const char *sql, int64_t arg,
	     struct dialog_conversation *c, size_t n)
{
	struct stmt *st = db_prepare(db, sql);
	size_t i;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, arg);
	while (stmt_row(st)) {
		int64_t id = stmt_int(st, 0);
		int area = dialog_area_find(stmt_text(st, 1));

		for (i = 0; area >= 0 && i < n; i++) {
			struct dialog_rating *r = &c[i].ratings[area];

			if (c[i].id != id)
				continue;
			r->rating = (int)stmt_int(st, 2);
			r->more_help = stmt_int(st, 3) != 0;
		}
	}
	return stmt_done(st);
}

static enum err
read_focus(struct db *db, struct arena *a, struct dialog_conversation *c)
{
	struct stmt *st = db_prepare(db, sql_focus_of);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, c->id);
	while (stmt_row(st)) {
		struct dialog_focus *f;
		int area = dialog_area_find(stmt_text(st, 0));

		if (area < 0 || c->nfocus >= DIALOG_FOCUS_MAX)
			continue;
		f = &c->focus[c->nfocus++];
		f->area = area;
		f->understanding = stmt_text_dup(st, 1, a);
		f->looking_forward = stmt_text_dup(st, 2, a);
		f->options = stmt_text_dup(st, 3, a);
		f->agreed = stmt_text_dup(st, 4, a);
		f->goal_id = stmt_int(st, 5);
	}
	return stmt_done(st);
}

enum err
dialog_get(struct db *db, struct arena *a, int64_t patient_id, int64_t id,
	   struct dialog_conversation *out)
{
	struct stmt *st = db_prepare(db, sql_conv_get);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, patient_id);
	if ((e = stmt_get(st, a, read_conv, out)) != ERR_OK ||
	    (e = read_ratings(db, sql_ratings_of, id, out, 1)) != ERR_OK)
		return e;
	return read_focus(db, a, out);
}

enum err
dialog_list(struct db *db, struct arena *a, int64_t patient_id,
	    struct dialog_conversation **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql_conv_list);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, DIALOG_LIST_MAX);
	if ((e = stmt_list(st, a, sizeof(**out), DIALOG_LIST_MAX, read_conv,
			   out, count)) != ERR_OK)
		return e;
	if (!*count)
		return ERR_OK;
	return read_ratings(db, sql_ratings_of_patient, patient_id, *out,
			    *count);
}

/*
 * Co-production indicators from provenance (see coproduction.h).
 */
#include "care/coproduction.h"

#include <string.h>

#include "care/agreement.h"
#include "care/plan.h"
#include "core/arena.h"
#include "store/store.h"
#include "core/banned.h"

#define EVENTS_MAX 200000
#define PANEL_MAX 2000

struct item_state {
	const char *id;
	bool patient_written;
	bool removed;
	struct agreement ag;
};

/* Events of plan items, by patient and in the order they were written. */
#define SELECT_EVENTS                                                      \
	"SELECT p.patient_id, p.resource_id, p.voice, p.activity "         \
	"FROM provenance p "

static const char sql_patient_events[] = SELECT_EVENTS
	"WHERE p.patient_id = $1 AND p.resource_type IN ('" PLAN_RES_GOAL
	"', '" PLAN_RES_ACTION "') ORDER BY p.at_ms, p.audit_seq";
static const char sql_panel_events[] = SELECT_EVENTS
	"JOIN care_team_member t ON t.patient_id = p.patient_id "
	"WHERE t.account_id = $1 AND p.resource_type IN ('" PLAN_RES_GOAL
	"', '" PLAN_RES_ACTION "') ORDER BY p.patient_id, p.at_ms, "
	"p.audit_seq";
static const char sql_patient_review[] =
	"SELECT COALESCE(MAX(at_ms), 0) FROM plan_review "
	"WHERE patient_id = $1 AND patient_took_part = 1 "
	"AND professional_took_part = 1";
static const char sql_panel[] =
	"SELECT t.patient_id, pt.given_name || ' ' || pt.family_name, "
	"COALESCE((SELECT MAX(r.at_ms) FROM plan_review r "
	"WHERE r.patient_id = t.patient_id AND r.patient_took_part = 1 "
	"AND r.professional_took_part = 1), 0) "
	"FROM care_team_member t JOIN patient pt ON pt.id = t.patient_id "
	"WHERE t.account_id = $1 ORDER BY pt.family_name, pt.given_name, "
	"pt.id";

static void
read_event(struct stmt *st, struct arena *a, void *out)
{
	struct coproduction_event *e = out;

	e->patient_id = stmt_int(st, 0);
	e->item = stmt_text_dup(st, 1, a);
	e->voice = stmt_text_dup(st, 2, a);
	e->activity = stmt_text_dup(st, 3, a);
}

int
coproduction_percent(int part, int whole)
{
	return whole > 0 ? (part * 100 + whole / 2) / whole : 0;
}

/* Adds one patient's item states into `c`. */
static void
tally(struct coproduction *c, const struct item_state *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].removed)
			continue;
		c->items++;
		c->patient_written += s[i].patient_written;
		c->agreed_both += agreement_state(&s[i].ag) == AGREEMENT_BOTH;
		c->disputed += agreement_state(&s[i].ag) ==
			       AGREEMENT_DISPUTED;
	}
}

enum err
coproduction_fold(struct arena *a, const struct coproduction_event *ev,
		  size_t n, struct coproduction **out, size_t *count)
{
	struct item_state *s = arena_calloc(a, n ? n : 1, sizeof(*s));
	struct coproduction *res = arena_calloc(a, n ? n : 1, sizeof(*res));
	size_t i = 0, k = 0;

	if (!s || !res)
		return ERR_NOMEM;
	while (i < n) {
		int64_t pid = ev[i].patient_id;
		size_t ns = 0, j;

		/* Items per patient are few: a linear search is enough. */
		for (; i < n && ev[i].patient_id == pid; i++) {
			for (j = 0; j < ns; j++)
				if (!strcmp(s[j].id, ev[i].item))
					break;
			if (j == ns) {
				memset(&s[ns], 0, sizeof(s[ns]));
				s[ns].id = ev[i].item;
				ns++;
			}
			if (!strcmp(ev[i].activity, "create"))
				s[j].patient_written =
					!strcmp(ev[i].voice, "patient") ||
					!strcmp(ev[i].voice, "caregiver");
			if (!strcmp(ev[i].activity, "remove"))
				s[j].removed = true;
			agreement_apply(&s[j].ag, ev[i].activity,
					ev[i].voice);
		}
		memset(&res[k], 0, sizeof(res[k]));
		res[k].patient_id = pid;
		tally(&res[k], s, ns);
		k++;
	}
	*out = res;
	*count = k;
	return ERR_OK;
}

static enum err
events(struct db *db, struct arena *a, const char *sql, int64_t id,
       struct coproduction_event **ev, size_t *n)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_list(st, a, sizeof(**ev), EVENTS_MAX, read_event, ev, n);
}

enum err
coproduction_for_patient(struct db *db, struct arena *a, int64_t patient_id,
			 struct coproduction *out)
{
	struct coproduction_event *ev;
	struct coproduction *res;
	struct stmt *st;
	size_t n, k;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->patient_id = patient_id;
	if ((e = events(db, a, sql_patient_events, patient_id, &ev, &n)) !=
		    ERR_OK ||
	    (e = coproduction_fold(a, ev, n, &res, &k)) != ERR_OK)
		return e;
	if (k > 0)
		*out = res[0];
	if (!(st = db_prepare(db, sql_patient_review)))
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st))
		out->last_joint_review_ms = stmt_int(st, 0);
	return stmt_done(st);
}

struct panel_row {
	int64_t patient_id;
	char *name;
	int64_t review_ms;
};

static void
read_panel_row(struct stmt *st, struct arena *a, void *out)
{
	struct panel_row *r = out;

	r->patient_id = stmt_int(st, 0);
	r->name = stmt_text_dup(st, 1, a);
	r->review_ms = stmt_int(st, 2);
}

enum err
coproduction_for_panel(struct db *db, struct arena *a, int64_t account_id,
		       struct coproduction **out, size_t *count,
		       struct coproduction *total)
{
	struct coproduction_event *ev;
	struct coproduction *figs, *res;
	struct panel_row *rows;
	struct stmt *st;
	size_t n, nf, nr, i, j;
	int64_t oldest = 0;
	bool none = false;
	enum err e;

	memset(total, 0, sizeof(*total));
	if (!(st = db_prepare(db, sql_panel)))
		return ERR_DB;
	stmt_bind_int(st, 1, account_id);
	if ((e = stmt_list(st, a, sizeof(*rows), PANEL_MAX, read_panel_row,
			   &rows, &nr)) != ERR_OK ||
	    (e = events(db, a, sql_panel_events, account_id, &ev, &n)) !=
		    ERR_OK ||
	    (e = coproduction_fold(a, ev, n, &figs, &nf)) != ERR_OK)
		return e;
	res = arena_calloc(a, nr ? nr : 1, sizeof(*res));
	if (!res)
		return ERR_NOMEM;
	for (i = 0; i < nr; i++) {
		res[i].patient_id = rows[i].patient_id;
		for (j = 0; j < nf; j++)
			if (figs[j].patient_id == rows[i].patient_id)
				res[i] = figs[j];
		res[i].patient_name = rows[i].name;
		res[i].last_joint_review_ms = rows[i].review_ms;
		total->items += res[i].items;
		total->patient_written += res[i].patient_written;
		total->agreed_both += res[i].agreed_both;
		total->disputed += res[i].disputed;
		if (!rows[i].review_ms)
			none = true;
		else if (!oldest || rows[i].review_ms < oldest)
			oldest = rows[i].review_ms;
	}
	total->last_joint_review_ms = none ? 0 : oldest;
	*out = res;
	*count = nr;
	return ERR_OK;
}

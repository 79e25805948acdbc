/*
 * GET /: one home page per role (see home_web.h).
 */
#include "web/home_web.h"

#include <string.h>

#include "auth/audit.h"
#include "auth/policy.h"
#include "care/crisis.h"
#include "contact/consult.h"
#include "contact/message.h"
#include "core/arena.h"
#include "people/careteam.h"
#include "people/org.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "care/worklist.h"
#include "measures/alert.h"
#include "measures/measures_web.h"
#include "core/banned.h"

#define RECENT_DAYS 30

static enum err
count(struct web *w, const char *sql, int64_t a, int64_t b, int64_t *out)
{
	struct stmt *st = db_prepare(w->ctx.db, sql);

	*out = 0;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a);
	if (strstr(sql, "$2"))
		stmt_bind_int(st, 2, b);
	if (stmt_row(st))
		*out = stmt_int(st, 0);
	return stmt_done(st);
}

static void
add_team(struct web *w, json_t *ctx, int64_t patient_id)
{
	struct team_member *m;
	json_t *arr;
	size_t n, i;

	if (team_list(w->ctx.db, w->ctx.a, patient_id, &m, &n) != ERR_OK)
		return;
	arr = jarr(ctx, "team");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "name", m[i].name);
		jstr(o, "role", m[i].team_role);
		jstr(o, "discipline", m[i].discipline);
	}
}

/* The patient's quick way to their crisis plan, at the top of the page:
 * "My crisis plan" once it holds something, else "Make a crisis plan". */
static enum err
add_crisis_link(struct web *w, json_t *ctx, int64_t pid)
{
	struct crisis_plan cp;
	enum err e;

	if (!patient_allowed(w, pid, RES_CARE_RECORD, ACT_READ))
		return ERR_OK;
	if ((e = crisis_plan_get(w->ctx.db, w->ctx.a, pid, &cp)) != ERR_OK)
		return e;
	jbool(ctx, "crisis_link", true);
	jbool(ctx, "has_crisis_plan", !crisis_plan_is_empty(&cp));
	return ERR_OK;
}

/* Two ranges around the patient's own id, so the index skips the
 * patient's own (many) rows instead of reading them. */
static const char sql_others_looked[] =
	"SELECT count(*) FROM ("
	"SELECT DISTINCT actor_id FROM audit_event WHERE patient_id = $1 "
	"AND actor_id < $2 AND at_ms > $3 AND action = 'read' UNION "
	"SELECT DISTINCT actor_id FROM audit_event WHERE patient_id = $1 "
	"AND actor_id > $2 AND at_ms > $3 AND action = 'read') AS others";

/* New messages from the care team, first on the patient's page. */
static enum err
add_unread_messages(struct web *w, json_t *ctx, int64_t pid)
{
	int64_t unread;
	enum err e;

	if (!patient_allowed(w, pid, RES_CONTACT, ACT_READ))
		return ERR_OK;
	if ((e = message_unread_count(w->ctx.db, w->account.id, pid,
				      &unread)) != ERR_OK)
		return e;
	jbool(ctx, "messages_link", true);
	jbool(ctx, "has_unread_messages", unread > 0);
	jstr(ctx, "unread_messages_text",
	     arena_printf(w->ctx.a,
			  w->account.role == ROLE_CAREGIVER
				  ? trn(w, "%lld new message from their care "
					   "team.",
					"%lld new messages from their care "
					"team.",
					(unsigned long)unread)
				  : trn(w, "You have %lld new message from "
					   "your care team.",
					"You have %lld new messages from "
					"your care team.",
					(unsigned long)unread),
			  (long long)unread));
	return ERR_OK;
}

/* The patient's requests still open, with where each one stands, right
 * after the messages: what they are waiting for comes first. */
static enum err
add_open_requests(struct web *w, json_t *ctx, int64_t pid)
{
	struct consultation *r;
	json_t *arr = NULL, *o;
	size_t n, i;
	enum err e;

	if (!patient_allowed(w, pid, RES_CONTACT, ACT_READ))
		return ERR_OK;
	if ((e = consult_list_patient_open(w->ctx.db, w->ctx.a, pid, &r,
					   &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		if (!arr)
			arr = jarr(ctx, "open_requests");
		o = jpush(arr);
		jid(o, "id", r[i].id);
		jstr(o, "kind", tr(w, consult_kind_label_of(r[i].kind)));
		jstr(o, "status", tr(w, consult_status_label(r[i].status)));
		jstr(o, "since", page_date(w, r[i].submitted_at));
	}
	jbool(ctx, "has_open_requests", arr != NULL);
	return ERR_OK;
}

static enum err
home_patient(struct web *w, json_t *ctx)
{
	int64_t pid = w->account.patient_id, people = 0;
	struct break_glass *bg;
	struct grant *g;
	struct patient p;
	json_t *emergency = NULL, *o;
	size_t n, i, active = 0;
	struct stmt *st;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	jstr(ctx, "given_name", p.given_name);
	jid(ctx, "patient_id", pid);
	if ((e = add_unread_messages(w, ctx, pid)) != ERR_OK ||
	    (e = add_open_requests(w, ctx, pid)) != ERR_OK ||
	    (e = add_crisis_link(w, ctx, pid)) != ERR_OK ||
	    (e = measures_home_due(w, ctx, pid)) != ERR_OK)
		return e;
	add_team(w, ctx, pid);
	if (!(st = db_prepare(w->ctx.db, sql_others_looked)))
		return ERR_DB;
	stmt_bind_int(st, 1, pid);
	stmt_bind_int(st, 2, w->account.id);
	stmt_bind_int(st, 3, (w->ctx.now - RECENT_DAYS * 86400) * 1000);
	if (stmt_row(st))
		people = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	jstr(ctx, "looked_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%lld other person looked at your record in "
				 "the last 30 days.",
			      "%lld other people looked at your record in "
			      "the last 30 days.",
			      (unsigned long)people),
			  (long long)people));
	if ((e = grant_list_for_patient(w->ctx.db, w->ctx.a, pid, &g, &n)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		active += grant_is_active(&g[i], w->ctx.now);
	jstr(ctx, "caregivers_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%zu person can help you with your record.",
			      "%zu people can help you with your record.",
			      active),
			  active));
	if ((e = break_glass_list_for_patient(w->ctx.db, w->ctx.a, pid, &bg,
					      &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		if (bg[i].opened_at < w->ctx.now - RECENT_DAYS * 86400)
			continue;
		if (!emergency)
			emergency = jarr(ctx, "emergency");
		o = jpush(emergency);

		jstr(o, "who", bg[i].account_name);
		jstr(o, "when", page_datetime(w, bg[i].opened_at));
		jstr(o, "reason", bg[i].reason);
	}
	web_audit_read(w, "Patient", "home", pid);
	return ERR_OK;
}

static enum err
home_caregiver(struct web *w, json_t *ctx)
{
	struct grant *g;
	json_t *arr = jarr(ctx, "cared_for");
	size_t n, i;
	enum err e;

	e = grant_list_for_caregiver(w->ctx.db, w->ctx.a, w->account.id,
				     w->ctx.now, &g, &n);
	if (e != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr), *may = jarr(o, "may");
		int r, a;

		jid(o, "patient_id", g[i].patient_id);
		jstr(o, "name", g[i].patient_name);
		jstr(o, "relationship", g[i].relationship);
		if ((e = add_unread_messages(w, o, g[i].patient_id)) != ERR_OK)
			return e;
		if (g[i].expires_at)
			jstr(o, "until", page_date(w, g[i].expires_at));
		for (r = 0; r < RES__MAX; r++)
			for (a = 0; a < ACT__MAX; a++)
				if (g[i].scopes &
				    policy_scope_bit((enum resource)r,
						     (enum action)a)) {
					json_t *m = jpush(may);

					jstr(m, "what",
					     tr(w, resource_label(
							   (enum resource)r)));
					jstr(m, "how",
					     a == ACT_READ ? tr(w, N_("See"))
							   : tr(w, N_("Change")));
				}
	}
	return ERR_OK;
}

#define WORK_MAX 5

/* What waits for the professional in their patients' care records. */
static enum err
add_work(struct web *w, json_t *ctx)
{
	static const char *const what[] = {
		[WORK_AGREE] = N_("The patient agreed; the care team has not "
				  "yet"),
		[WORK_DISPUTED] = N_("Someone disagrees"),
		[WORK_CORRECTION] = N_("A correction to your note is asked "
				       "for"),
	};
	struct work_item *items;
	json_t *arr = jarr(ctx, "work");
	size_t n, i;
	enum err e;

	if ((e = worklist_for(w->ctx.db, w->ctx.a, w->account.id, WORK_MAX,
			      &items, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);
		const char *id = arena_printf(w->ctx.a, "%lld",
					      (long long)items[i].subject_id);

		jstr(o, "what", tr(w, what[items[i].kind]));
		jstr(o, "patient", items[i].patient_name);
		jstr(o, "text", *items[i].text ? items[i].text
					       : tr(w, N_("Note")));
		jstr(o, "when", page_date(w, items[i].at_ms / 1000));
		jstr(o, "href",
		     arena_printf(w->ctx.a, "/patients/%lld/%s/%s",
				  (long long)items[i].patient_id,
				  items[i].kind == WORK_CORRECTION
					  ? "notes"
					  : "plan/items",
				  id));
		web_audit_read(w, items[i].kind == WORK_CORRECTION
					  ? "ProgressNote"
					  : "CarePlan",
			       id, items[i].patient_id);
	}
	return ERR_OK;
}

static const char sql_my_patients[] =
	"SELECT count(*) FROM care_team_member WHERE account_id = $1";

static enum err
home_professional(struct web *w, json_t *ctx)
{
	struct patient *p;
	int64_t total = 0;
	json_t *arr;
	size_t n, i;
	enum err e;

	if ((e = count(w, sql_my_patients, w->account.id, 0, &total)) !=
	    ERR_OK)
		return e;
	jstr(ctx, "patients_text",
	     arena_printf(w->ctx.a,
			  trn(w, "You are on the care team of %lld patient.",
			      "You are on the care team of %lld patients.",
			      (unsigned long)total),
			  (long long)total));
	e = patient_search(w->ctx.db, w->ctx.a, w->account.org_id, NULL, true,
			   w->account.id, 8, 0, &p, &n);
	if (e != ERR_OK)
		return e;
	arr = jarr(ctx, "patients");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", p[i].id);
		jstr(o, "name", arena_printf(w->ctx.a, "%s %s", p[i].given_name,
					     p[i].family_name));
		jstr(o, "birth_date", p[i].birth_date);
		jbool(o, "interpreter", p[i].interpreter_needed);
	}
	if ((e = message_unread_count_staff(w->ctx.db, w->account.org_id,
					    w->account.id, &total)) != ERR_OK)
		return e;
	jbool(ctx, "has_unread_messages", total > 0);
	jstr(ctx, "unread_messages_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%lld new message from patients is waiting.",
			      "%lld new messages from patients are waiting.",
			      (unsigned long)total),
			  (long long)total));
	if ((e = alert_queue_count(w->ctx.db, w->account.id, &total)) !=
	    ERR_OK)
		return e;
	jbool(ctx, "has_alerts", total > 0);
	jstr(ctx, "alerts_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%lld alert from questionnaires and readings "
				 "is waiting.",
			      "%lld alerts from questionnaires and readings "
			      "are waiting.",
			      (unsigned long)total),
			  (long long)total));
	return add_work(w, ctx);
}

static const char sql_org_counts[] =
	"SELECT (SELECT count(*) FROM patient WHERE org_id = $1), "
	"(SELECT count(*) FROM account WHERE org_id = $1 AND disabled = 0), "
	"(SELECT count(*) FROM unit WHERE org_id = $1), "
	"(SELECT count(*) FROM break_glass WHERE org_id = $1 AND opened_at > $2)";

static enum err
add_org_counts(struct web *w, json_t *ctx)
{
	struct stmt *st = db_prepare(w->ctx.db, sql_org_counts);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, w->account.org_id);
	stmt_bind_int(st, 2, w->ctx.now - RECENT_DAYS * 86400);
	if (stmt_row(st)) {
		unsigned long p = (unsigned long)stmt_int(st, 0);
		unsigned long acc = (unsigned long)stmt_int(st, 1);
		unsigned long u = (unsigned long)stmt_int(st, 2);
		unsigned long bg = (unsigned long)stmt_int(st, 3);

		jstr(ctx, "patients_count",
		     arena_printf(w->ctx.a,
				  trn(w, "%lu patient", "%lu patients", p), p));
		jstr(ctx, "accounts_count",
		     arena_printf(w->ctx.a,
				  trn(w, "%lu account in use",
				      "%lu accounts in use", acc),
				  acc));
		jstr(ctx, "units_count",
		     arena_printf(w->ctx.a,
				  trn(w, "%lu unit", "%lu units", u), u));
		jstr(ctx, "break_glass_text",
		     arena_printf(w->ctx.a,
				  trn(w, "A record was opened in an emergency "
					 "%lu time in the last 30 days.",
				      "Records were opened in an emergency "
				      "%lu times in the last 30 days.",
				      bg),
				  bg));
	}
	return stmt_done(st);
}

/* Who writes the records, by voice, from the provenance rows: the first
 * co-production figure an improvement team looks at. */
static const char sql_voices[] =
	"SELECT voice, count(*) FROM provenance WHERE org_id = $1 "
	"AND at_ms > $2 GROUP BY voice ORDER BY count(*) DESC";
static const char sql_touchpoints[] =
	"SELECT direction, count(*) FROM touchpoint WHERE org_id = $1 "
	"AND at_ms > $2 GROUP BY direction ORDER BY direction";

static enum err
add_coproduction(struct web *w, json_t *ctx)
{
	int64_t since = (w->ctx.now - RECENT_DAYS * 86400) * 1000, total = 0;
	json_t *voices = jarr(ctx, "voices"), *tps = jarr(ctx, "touchpoints");
	struct stmt *st;
	size_t i;
	enum err e;

	if (!(st = db_prepare(w->ctx.db, sql_voices)))
		return ERR_DB;
	stmt_bind_int(st, 1, w->account.org_id);
	stmt_bind_int(st, 2, since);
	while (stmt_row(st)) {
		json_t *o = jpush(voices);

		jstr(o, "voice", tr(w, stmt_text(st, 0)));
		jint(o, "count", stmt_int(st, 1));
		total += stmt_int(st, 1);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	for (i = 0; total && i < json_array_size(voices); i++) {
		json_t *o = json_array_get(voices, i);
		int64_t c = json_integer_value(json_object_get(o, "count"));

		jint(o, "percent", (c * 100 + total / 2) / total);
	}
	if (!(st = db_prepare(w->ctx.db, sql_touchpoints)))
		return ERR_DB;
	stmt_bind_int(st, 1, w->account.org_id);
	stmt_bind_int(st, 2, since);
	while (stmt_row(st)) {
		json_t *o = jpush(tps);
		const char *dir = stmt_text(st, 0);

		jstr(o, "direction",
		     dir && !strcmp(dir, "patient-to-staff")
			     ? tr(w, N_("From patients and caregivers to "
					"staff"))
			     : tr(w, N_("From staff to patients")));
		jint(o, "count", stmt_int(st, 1));
	}
	return stmt_done(st);
}

/* GET /: 200. */
static enum err
get_home(struct req *req)
{
	struct web *w = web_of(req);
	json_t *ctx = page_new(w, N_("Home"));
	enum err e = ERR_OK;

	jstr(ctx, "name", w->account.display_name);
	switch (w->account.role) {
	case ROLE_PATIENT:
		jbool(ctx, "is_patient", true);
		e = home_patient(w, ctx);
		break;
	case ROLE_CAREGIVER:
		jbool(ctx, "is_caregiver", true);
		e = home_caregiver(w, ctx);
		break;
	case ROLE_PROFESSIONAL:
		jbool(ctx, "is_professional", true);
		e = home_professional(w, ctx);
		break;
	case ROLE_RECEPTIONIST:
		jbool(ctx, "is_reception", true);
		e = add_org_counts(w, ctx);
		break;
	case ROLE_ADMINISTRATOR:
	case ROLE_PRIVACY_OFFICER:
		jbool(ctx, w->account.role == ROLE_ADMINISTRATOR
				   ? "is_admin"
				   : "is_privacy",
		      true);
		e = add_org_counts(w, ctx);
		break;
	default:
		jbool(ctx, "is_improvement", true);
		e = add_org_counts(w, ctx);
		if (e == ERR_OK)
			e = add_coproduction(w, ctx);
		break;
	}
	if (e != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	return page_render(w, 200, "home", ctx);
}

static const struct http_route home_routes[] = {
	{HTTP_GET, "/", get_home, 0, NULL},
};

enum err
home_web_routes(struct http_router *r)
{
	return http_router_add(r, home_routes,
			       sizeof(home_routes) / sizeof(home_routes[0]));
}

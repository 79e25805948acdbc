/*
 * The care team's queue of alerts: a professional's open alerts across
 * the patients on their care teams (urgent first, newest first), each
 * closed with an optional note. The patient's readings page shows the
 * same alerts and closes them through the same route. Storage and the
 * grouping rule live in alert.c; access in the policy.
 */
#include "measures/measures_web.h"

#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/care_web.h"
#include "core/arena.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "measures/alert.h"
#include "people/people_web.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

/* Only professionals keep a queue (patients and caregivers see their
 * alerts on the readings page). */
static bool
keeps_queue(const struct web *w)
{
	return w->ctx.actor.role == ROLE_PROFESSIONAL;
}

static void
add_alert(struct web *w, json_t *arr, const struct measure_alert *m,
	  const struct problems *ps, int64_t failed_id, const char *note)
{
	json_t *o = jpush(arr);

	jid(o, "id", m->id);
	jstr(o, "patient", m->patient_name);
	jstr(o, "readings_href",
	     arena_printf(w->ctx.a, "/patients/%lld/readings",
			  (long long)m->patient_id));
	jstr(o, "label", tr(w, m->label));
	jstr(o, "value", m->last_value);
	jbool(o, "urgent", m->urgent);
	jbool(o, "flag", !strcmp(m->kind, "flag"));
	jint(o, "count", m->count);
	jstr(o, "count_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%lld reading", "%lld readings",
			      (unsigned long)m->count),
			  (long long)m->count));
	jstr(o, "since", page_datetime(w, m->first_ms / 1000));
	jstr(o, "latest", page_datetime(w, m->last_ms / 1000));
	jbool(o, "several", m->count > 1);
	if (m->id == failed_id) {
		const char *msg = problems_for(ps, "note");

		care_jform(o, "note", note);
		if (msg)
			jstr(o, "error_note", tr(w, msg));
	} else {
		care_jform(o, "note", "");
	}
}

static enum err
queue_page(struct web *w, int status, const struct problems *ps,
	   int64_t failed_id, const char *note)
{
	struct measure_alert *m;
	json_t *ctx, *urgent, *other;
	size_t n, i;
	enum err e;

	if ((e = alert_queue(w->ctx.db, w->ctx.a, w->account.id, &m, &n)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, N_("Alerts"));
	urgent = jarr(ctx, "urgent");
	other = jarr(ctx, "others");
	for (i = 0; i < n; i++)
		add_alert(w, m[i].urgent ? urgent : other, &m[i], ps,
			  failed_id, note);
	if (ps && failed_id) {
		struct problems named = {0};

		problems_add(&named,
			     arena_printf(w->ctx.a, "note-%lld",
					  (long long)failed_id),
			     problems_for(ps, "note"));
		page_problems(w, ctx, &named);
	}
	return page_render(w, status, "alerts", ctx);
}

/* GET /alerts: 200 the signed-in professional's queue; 403 for others. */
static enum err
get_alerts(struct req *req)
{
	struct web *w = web_of(req);

	if (!keeps_queue(w))
		return ERR_FORBIDDEN;
	return queue_page(w, 200, NULL, 0, NULL);
}

/*
 * POST /alerts/:aid/close (field "note", optional; "back" "patient" to
 * return to the patient's readings): 303 to the queue or the readings;
 * 400 for a note that is too long (kept as typed); 403 unless a
 * professional who may write the patient's measures; 404 for no such
 * alert, or one already closed.
 */
static enum err
post_close(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "close",
		.resource_type = ALERT_RES,
		.detail = "alert",
	};
	struct alert_close_job *j;
	struct measure_alert m;
	struct problems ps = {0};
	const char *note = web_field(w, "note");
	bool to_patient = !strcmp(web_field(w, "back"), "patient");
	int64_t id;
	enum err e;

	if ((e = web_param_id(w, "aid", &id)) != ERR_OK)
		return e;
	if ((e = alert_get(w->ctx.db, w->ctx.a, id, &m)) != ERR_OK)
		return e;
	wi.resource_id = care_id_text(w, m.id);
	wi.patient_id = m.patient_id;
	if (!keeps_queue(w)) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	PATIENT_ACCESS_OR_RESPOND(w, m.patient_id, RES_MEASURES, ACT_WRITE);
	if (!m.open)
		return ERR_NOT_FOUND;
	if (!alert_note_ok(&ps, note)) {
		write_refused(&w->ctx, &wi);
		return queue_page(w, 400, &ps, m.id, note);
	}
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	j->id = m.id;
	j->patient_id = m.patient_id;
	j->note = note;
	j->by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	if ((e = write_commit(&w->ctx, &wi, alert_close, j)) != ERR_OK)
		return e;
	if (to_patient)
		return page_redirect(w,
				     arena_printf(w->ctx.a,
						  "/patients/%lld/readings",
						  (long long)m.patient_id),
				     "saved");
	return page_redirect(w, "/alerts", "saved");
}

static const struct http_route alert_routes[] = {
	{HTTP_GET, "/alerts", get_alerts, 0, NULL},
	{HTTP_POST, "/alerts/:aid/close", post_close, 0, NULL},
};

enum err
alert_web_routes(struct http_router *r)
{
	return http_router_add(r, alert_routes,
			       sizeof(alert_routes) / sizeof(alert_routes[0]));
}

/*
 * The together dashboard: one page that patient and professional read
 * side by side at a visit. First what the patient wants to talk about
 * (the visit agenda), then what is due and what the team was alerted
 * to, then every questionnaire score and every kind of reading over
 * time: a chart drawn on the server (thinned to a readable number of
 * points, with the agreed range, the score's bands and the dates the
 * care plan changed) beside a table with the exact latest numbers. The
 * same page for everyone who may read it; "?view=together" makes the
 * text large for a shared screen.
 */
#include "measures/measures_web.h"

#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/care_web.h"
#include "care/plan.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/msgid.h"
#include "core/problem.h"
#include "http/http.h"
#include "measures/agenda.h"
#include "measures/alert.h"
#include "measures/chart.h"
#include "measures/downsample.h"
#include "measures/measure_version.h"
#include "measures/questionnaire.h"
#include "measures/reading.h"
#include "measures/reading_store.h"
#include "measures/response.h"
#include "measures/target_store.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/fragment.h"
#include "web/page.h"
#include "web/template.h"
#include "core/banned.h"

#define CHART_DRAWN 120		/* points drawn per line; the table keeps
				   the exact values */
#define TABLE_ROWS 8		/* latest values beside a chart */
#define PLAN_STEPS 200		/* plan changes read for the markers */
#define PLAN_MARKERS 6		/* the latest days the plan changed; more
				   would hide the line */
#define SVG_MAX (64 * 1024)

/* A chart's SVG, trusted for the template (chart.c escapes every
 * text); NULL when it could not be drawn. */
static json_t *
svg_value(struct web *w, const struct chart *c)
{
	struct buf b;

	buf_init(&b, w->ctx.a, SVG_MAX);
	if (chart_svg(&b, c) != ERR_OK || b.failed)
		return NULL;
	return tpl_trusted_html(b.p);
}

/* The days the care plan changed, newest first, as chart markers within
 * [from, to] (Unix seconds). */
static size_t
plan_markers(struct web *w, const struct plan_step *steps, size_t nsteps,
	     int64_t from, int64_t to, struct chart_marker *out)
{
	const char *label = tr(w, N_("Plan changed"));
	int64_t last_day = -1;
	size_t i, n = 0;

	for (i = 0; i < nsteps && n < PLAN_MARKERS; i++) {
		int64_t t = steps[i].at_ms / 1000, day = t / 86400;

		if (t < from || t > to || day == last_day)
			continue;
		last_day = day;
		out[n].t = t;
		/* One label: neighbours' labels would cover each other. */
		out[n].label = n ? "" : label;
		n++;
	}
	return n;
}

/* The chart's thinned points: indices picked from `p`. */
static struct ts_point *
thinned(struct web *w, const struct ts_point *p, size_t n,
	const size_t *idx, size_t k)
{
	struct ts_point *out = arena_calloc(w->ctx.a, k ? k : 1, sizeof(*out));
	size_t i;

	for (i = 0; out && i < k; i++)
		out[i] = p[idx[i]];
	(void)n;
	return out;
}

/* ======================= questionnaire scores =========================== */

static void
add_score_chart(struct web *w, json_t *arr, int64_t pid, const char *url,
		const struct questionnaire *q, const struct q_score *sc,
		const struct plan_step *steps, size_t nsteps)
{
	struct score_point *pts;
	struct ts_point *p, *drawn;
	struct chart_band bands[CHART_BANDS_MAX];
	struct chart_marker markers[CHART_MARKERS_MAX];
	struct measure_target t;
	struct chart c;
	size_t n, i, k = 0, *idx;
	json_t *o, *rows, *svg;
	const char *title;

	if (response_score_series(w->ctx.db, w->ctx.a, pid, url, sc->name,
				  &pts, &n) != ERR_OK)
		return;
	if (!(p = arena_calloc(w->ctx.a, n ? n : 1, sizeof(*p))) ||
	    !(idx = arena_calloc(w->ctx.a, n + DOWNSAMPLE_MIN, sizeof(*idx))))
		return;
	for (i = 0; i < n; i++)
		if (pts[i].computed) {
			p[k].t = pts[i].at_ms / 1000;
			p[k].y = (double)pts[i].value_milli / 1000;
			k++;
		}
	if (!k)
		return;
	title = q->n_scores > 1 && sc->title
			? arena_printf(w->ctx.a, "%s: %s", measures_title(q),
				       sc->title)
			: measures_title(q);
	memset(&c, 0, sizeof(c));
	c.title = title;
	c.desc = arena_printf(
		w->ctx.a,
		tr(w, N_("%s: %zu answers from %s to %s; the latest score is "
			 "%s.")),
		title, k, page_date(w, p[0].t), page_date(w, p[k - 1].t),
		measures_number(w, p[k - 1].y));
	c.id = arena_printf(w->ctx.a, "q%zu", json_array_size(arr));
	c.empty = tr(w, N_("No answers yet."));
	c.target_label = tr(w, N_("Agreed range"));
	c.months = page_months(w);
	c.n_series = 1;
	c.series[0].label = title;
	n = downsample_lttb(p, k, CHART_DRAWN, idx);
	drawn = thinned(w, p, k, idx, n);
	c.series[0].p = drawn;
	c.series[0].n = drawn ? n : 0;
	if (target_get(w->ctx.db, w->ctx.a, pid,
		       arena_printf(w->ctx.a, "score:%s#%s", url, sc->name),
		       &t) == ERR_OK) {
		c.series[0].target.has_low = t.has_low;
		c.series[0].target.low = (double)t.low_milli / 1000;
		c.series[0].target.has_high = t.has_high;
		c.series[0].target.high = (double)t.high_milli / 1000;
	}
	if (sc->has_min && sc->has_max && sc->max > sc->min) {
		c.y_fixed = true;
		c.y_min = sc->min;
		c.y_max = sc->max;
	}
	for (i = 0; i < sc->n_bands && i < CHART_BANDS_MAX; i++) {
		bands[i].low = sc->bands[i].min;
		bands[i].high = sc->bands[i].max;
		bands[i].label = sc->bands[i].label;
	}
	c.bands = bands;
	c.n_bands = i;
	c.markers = markers;
	c.n_markers = plan_markers(w, steps, nsteps, p[0].t, p[k - 1].t,
				   markers);
	if (!(svg = svg_value(w, &c)))
		return;
	o = jpush(arr);
	jstr(o, "title", title);
	json_object_set_new(o, "svg", svg);
	jint(o, "count", (int64_t)k);
	rows = jarr(o, "rows");
	for (i = n = 0; i < k && n < TABLE_ROWS; i++, n++) {
		const struct ts_point *x = &p[k - 1 - i];
		json_t *r = jpush(rows);
		size_t b;

		jstr(r, "date", page_date(w, x->t));
		jstr(r, "value", measures_number(w, x->y));
		for (b = 0; b < sc->n_bands; b++)
			if (x->y >= sc->bands[b].min &&
			    x->y <= sc->bands[b].max)
				jstr(r, "band", sc->bands[b].label);
	}
	jbool(o, "markers", c.n_markers > 0);
	jstr(o, "more", arena_printf(w->ctx.a, "/patients/%lld/questionnaires",
				     (long long)pid));
}

static enum err
add_scores(struct web *w, json_t *ctx, int64_t pid,
	   const struct plan_step *steps, size_t nsteps)
{
	json_t *arr = jarr(ctx, "score_charts");
	const char **urls;
	size_t n, i, s;
	enum err e;

	if ((e = response_instruments(w->ctx.db, w->ctx.a, pid, &urls, &n)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		struct measures_q mq;

		if (measures_questionnaire(w, urls[i], w->lang, &mq) != ERR_OK)
			continue;
		for (s = 0; s < mq.q->n_scores; s++)
			add_score_chart(w, arr, pid, urls[i], mq.q,
					&mq.q->scores[s], steps, nsteps);
	}
	jbool(ctx, "has_score_charts", json_array_size(arr) > 0);
	return ERR_OK;
}

/* ======================= readings ====================================== */

static const char *
reading_text(struct web *w, const struct reading_def *d, int64_t v1,
	     int64_t v2)
{
	struct reading_value v = reading_from_milli(d->kind, v1, v2);
	struct buf b;

	buf_init(&b, w->ctx.a, 256);
	reading_format(&b, &v, &d->units[0], READING_FMT_UNIT);
	return b.failed ? "" : b.p;
}

static void
set_target(struct chart_range *r, bool has_low, int64_t low, bool has_high,
	   int64_t high)
{
	r->has_low = has_low;
	r->low = (double)low / 1000;
	r->has_high = has_high;
	r->high = (double)high / 1000;
}

static void
add_reading_chart(struct web *w, json_t *arr, int64_t pid,
		  const struct reading_def *d, const struct plan_step *steps,
		  size_t nsteps)
{
	struct reading_point *pts;
	struct ts_point *p1, *p2;
	struct chart_marker markers[CHART_MARKERS_MAX];
	struct measure_target t;
	struct chart c;
	size_t n, i, k, *idx;
	json_t *o, *rows, *svg;
	const char *label = tr(w, d->label);
	bool two = d->n_parts == 2;

	if (reading_series(w->ctx.db, w->ctx.a, pid, d->key, &pts, &n) !=
		    ERR_OK ||
	    !n)
		return;
	p1 = arena_calloc(w->ctx.a, n, sizeof(*p1));
	p2 = arena_calloc(w->ctx.a, n, sizeof(*p2));
	idx = arena_calloc(w->ctx.a, n + DOWNSAMPLE_MIN, sizeof(*idx));
	if (!p1 || !p2 || !idx)
		return;
	for (i = 0; i < n; i++) {
		p1[i].t = p2[i].t = pts[i].at_ms / 1000;
		p1[i].y = (double)pts[i].value_milli / 1000;
		p2[i].y = (double)pts[i].value2_milli / 1000;
	}
	memset(&c, 0, sizeof(c));
	c.title = label;
	c.desc = arena_printf(
		w->ctx.a,
		tr(w, N_("%s: %zu readings from %s to %s; the latest is %s.")),
		label, n, page_date(w, p1[0].t), page_date(w, p1[n - 1].t),
		reading_text(w, d, pts[n - 1].value_milli,
			     pts[n - 1].value2_milli));
	c.id = arena_printf(w->ctx.a, "r%s", d->key);
	c.unit = d->units[0].label;
	c.empty = tr(w, N_("No readings yet."));
	c.target_label = tr(w, N_("Agreed range"));
	c.months = page_months(w);
	c.decimals = d->units[0].decimals;
	k = downsample_lttb(p1, n, CHART_DRAWN, idx);
	c.n_series = two ? 2 : 1;
	c.series[0].label = tr(w, two ? d->parts[0].label : d->label);
	c.series[0].p = thinned(w, p1, n, idx, k);
	c.series[0].n = c.series[0].p ? k : 0;
	if (two) {
		c.series[1].label = tr(w, d->parts[1].label);
		c.series[1].p = thinned(w, p2, n, idx, k);
		c.series[1].n = c.series[1].p ? k : 0;
	}
	if (target_get(w->ctx.db, w->ctx.a, pid, d->key, &t) == ERR_OK) {
		set_target(&c.series[0].target, t.has_low, t.low_milli,
			   t.has_high, t.high_milli);
		if (two)
			set_target(&c.series[1].target, t.has_low2,
				   t.low2_milli, t.has_high2, t.high2_milli);
	}
	c.markers = markers;
	c.n_markers = plan_markers(w, steps, nsteps, p1[0].t, p1[n - 1].t,
				   markers);
	if (!(svg = svg_value(w, &c)))
		return;
	o = jpush(arr);
	jstr(o, "title", label);
	json_object_set_new(o, "svg", svg);
	jint(o, "count", (int64_t)n);
	rows = jarr(o, "rows");
	for (i = 0; i < n && i < TABLE_ROWS; i++) {
		const struct reading_point *x = &pts[n - 1 - i];
		json_t *r = jpush(rows);

		jstr(r, "date", page_datetime(w, x->at_ms / 1000));
		jstr(r, "value", reading_text(w, d, x->value_milli,
					      x->value2_milli));
	}
	jbool(o, "markers", c.n_markers > 0);
	jstr(o, "more", arena_printf(w->ctx.a,
				     "/patients/%lld/readings?kind=%s",
				     (long long)pid, d->key));
}

static void
add_readings(struct web *w, json_t *ctx, int64_t pid,
	     const struct plan_step *steps, size_t nsteps)
{
	json_t *arr = jarr(ctx, "reading_charts");
	int k;

	for (k = 0; k < READING__MAX; k++)
		add_reading_chart(w, arr, pid, reading_def((enum reading_kind)k),
				  steps, nsteps);
	jbool(ctx, "has_reading_charts", json_array_size(arr) > 0);
}

/* ======================= the agenda and alerts ========================= */

static enum err
add_agenda(struct web *w, json_t *ctx, int64_t pid, bool can_write)
{
	struct agenda_item *it;
	json_t *open = jarr(ctx, "agenda"), *done = jarr(ctx, "discussed");
	size_t n, i;
	enum err e;

	if ((e = agenda_list(w->ctx.db, w->ctx.a, pid, &it, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(it[i].discussed_ms ? done : open);

		jid(o, "id", it[i].id);
		jstr(o, "text", it[i].text);
		jstr(o, "by", it[i].added_by_name);
		jstr(o, "date", page_date(w, it[i].added_ms / 1000));
		jbool(o, "can_mark", can_write);
		if (it[i].discussed_ms)
			jstr(o, "discussed",
			     page_date(w, it[i].discussed_ms / 1000));
	}
	jbool(ctx, "has_agenda", json_array_size(open) > 0);
	jbool(ctx, "has_discussed", json_array_size(done) > 0);
	return ERR_OK;
}

static void
add_alerts(struct web *w, json_t *ctx, int64_t pid)
{
	struct measure_alert *al;
	json_t *arr = jarr(ctx, "alerts");
	size_t n, i;

	if (!role_is_staff(w->ctx.actor.role) ||
	    alert_list_for_patient(w->ctx.db, w->ctx.a, pid, 20, &al, &n) !=
		    ERR_OK)
		return;
	for (i = 0; i < n; i++) {
		json_t *o;

		if (!al[i].open)
			continue;
		o = jpush(arr);
		jstr(o, "label", tr(w, al[i].label));
		jstr(o, "value", al[i].last_value);
		jint(o, "count", al[i].count);
		jbool(o, "urgent", al[i].urgent);
		jstr(o, "date", page_datetime(w, al[i].last_ms / 1000));
	}
	jbool(ctx, "has_alerts", json_array_size(arr) > 0);
}

/* What the charts were drawn from: the patient's measures counter and,
 * when the plan's changes are marked, the plan's version. NULL when it
 * cannot be read (the charts are then drawn, not reused). */
static const char *
charts_token(struct web *w, int64_t pid, bool plan_visible)
{
	int64_t mv = 0;
	int pv = -1;

	if (measure_version_get(w->ctx.db, pid, &mv) != ERR_OK ||
	    (plan_visible && plan_version(w->ctx.db, pid, &pv) != ERR_OK))
		return NULL;
	return arena_printf(w->ctx.a, "%lld:%d", (long long)mv, pv);
}

/* Every score and reading chart with its table, rendered. */
static char *
charts_html(struct web *w, int64_t pid, bool plan_visible)
{
	struct plan_step *steps = NULL;
	size_t nsteps = 0;
	json_t *ctx = json_object();
	char *html = NULL;

	jid(ctx, "patient_id", pid);
	/* The plan's changes mark the charts only where the person may
	 * read the plan. */
	if ((!plan_visible ||
	     plan_history(w->ctx.db, w->ctx.a, pid, PLAN_STEPS, &steps,
			  &nsteps) == ERR_OK) &&
	    add_scores(w, ctx, pid, steps, nsteps) == ERR_OK) {
		add_readings(w, ctx, pid, steps, nsteps);
		html = page_fragment(w, "dashboard_charts", ctx);
	}
	json_decref(ctx);
	return html;
}

/* The dashboard of patient `pid` (access checked); with `ps`, the agenda
 * form comes back with the problems and `typed` as typed. */
static enum err
dashboard_page(struct web *w, int status, int64_t pid,
	       const struct problems *ps, const char *typed)
{
	const char *key, *token;
	bool can_write, together, plan_visible;
	json_t *ctx;
	char *charts;
	enum err e;

	if (!(ctx = care_page_new(w, pid, N_("Together dashboard"),
				  "measures", &e)))
		return e;
	can_write = patient_allowed(w, pid, RES_MEASURES, ACT_WRITE);
	plan_visible = patient_allowed(w, pid, RES_CARE_RECORD, ACT_READ);
	together = !strcmp(web_field(w, "view"), "together");
	jbool(ctx, "can_write", can_write);
	jbool(ctx, "together", together);
	jstr(ctx, "path", arena_printf(w->ctx.a, "/patients/%lld/measures",
				       (long long)pid));
	if ((e = add_agenda(w, ctx, pid, can_write)) != ERR_OK ||
	    (e = measures_home_due(w, ctx, pid)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	add_alerts(w, ctx, pid);
	key = arena_printf(w->ctx.a, "dashboard:%lld:%s:%d", (long long)pid,
			   w->lang, plan_visible);
	token = charts_token(w, pid, plan_visible);
	charts = token ? fragment_cache_get(w->app->fragments, key, token,
					    w->ctx.a)
		       : NULL;
	if (!charts) {
		if (!(charts = charts_html(w, pid, plan_visible))) {
			json_decref(ctx);
			return ERR_INTERNAL;
		}
		if (token)
			fragment_cache_put(w->app->fragments, key, token,
					   charts);
	}
	json_object_set_new(ctx, "charts", tpl_trusted_html(charts));
	if (ps) {
		care_jform(ctx, "agenda_text", typed);
		page_problems(w, ctx, ps);
	}
	web_audit_read(w, "MeasuresDashboard", "", pid);
	return page_render(w, status, "dashboard", ctx);
}

/* GET /patients/:id/measures[?view=together]: 200; 403; 404. */
static enum err
get_dashboard(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_READ);
	return dashboard_page(w, 200, pid, NULL, NULL);
}

/* POST /patients/:id/agenda ("agenda": the text): 303 to the dashboard;
 * 400 with the text kept; 403; 404. */
static enum err
post_agenda(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = AGENDA_RES,
		.detail = "agenda-item",
		.touchpoint_kind = "visit-agenda",
	};
	struct agenda_job *j;
	struct problems ps = {0};
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	j->item.text = web_field(w, "agenda");
	wi.patient_id = pid;
	if (!agenda_text_ok(&ps, j->item.text)) {
		write_refused(&w->ctx, &wi);
		return dashboard_page(w, 400, pid, &ps, j->item.text);
	}
	j->org_id = w->account.org_id;
	j->item.id = id_new();
	j->item.patient_id = pid;
	j->by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	wi.resource_id = care_id_text(w, j->item.id);
	if ((e = write_commit(&w->ctx, &wi, agenda_write, j)) != ERR_OK)
		return e;
	return page_redirect(w,
			     arena_printf(w->ctx.a,
					  "/patients/%lld/measures#visit-agenda",
					  (long long)pid),
			     NULL);
}

/* POST /patients/:id/agenda/:item/discussed: 303; 403; 404. */
static enum err
post_discussed(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = AGENDA_RES,
		.detail = "agenda-discussed",
	};
	struct agenda_job *j;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	if ((e = web_param_id(w, "item", &j->item.id)) != ERR_OK)
		return e;
	j->discussed = true;
	j->item.patient_id = pid;
	j->by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	wi.patient_id = pid;
	wi.resource_id = care_id_text(w, j->item.id);
	if ((e = write_commit(&w->ctx, &wi, agenda_write, j)) != ERR_OK)
		return e;
	return page_redirect(w,
			     arena_printf(w->ctx.a,
					  "/patients/%lld/measures%s#visit-agenda",
					  (long long)pid,
					  strcmp(web_field(w, "view"),
						 "together")
						  ? ""
						  : "?view=together"),
			     NULL);
}

static const struct http_route dashboard_routes[] = {
	{HTTP_GET, "/patients/:id/measures", get_dashboard, 0, NULL},
	{HTTP_POST, "/patients/:id/agenda", post_agenda, 0, NULL},
	{HTTP_POST, "/patients/:id/agenda/:item/discussed", post_discussed, 0,
	 NULL},
};

enum err
dashboard_web_routes(struct http_router *r)
{
	return http_router_add(r, dashboard_routes,
			       sizeof(dashboard_routes) /
				       sizeof(dashboard_routes[0]));
}

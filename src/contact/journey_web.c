/*
 * Journey and touchpoint analytics pages: one patient's journey (every
 * touchpoint by month, with its channel, who started it and a link to
 * the record), and /touchpoints, the figures of a unit or the whole
 * organisation over a period, optionally split by a patient group, with
 * bar charts drawn on the server beside tables of the same figures, the
 * warnings, and the same figures as CSV. Small numbers are hidden by
 * touchstats.c before anything here sees them.
 */
#include "contact/contact_web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/policy.h"
#include "contact/journey.h"
#include "contact/touchstats.h"
#include "contact/touchstats_svg.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/str.h"
#include "people/org.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "web/app.h"
#include "web/page.h"
#include "web/template.h"
#include "core/banned.h"

#define SVG_MAX (48 * 1024)
#define CSV_MAX (512 * 1024)
#define DAY 86400

/* --- words ---------------------------------------------------------------- */

/* What a touchpoint was, by its kind (prefixes cover the contact
 * module's steps: "message-...", "consultation-..."). */
static const struct {
	const char *kind;
	bool prefix;
	const char *label;
} kinds[] = {
	{"message", true, N_("Message")},
	{"consultation", true, N_("Online consultation")},
	{"appointment", true, N_("Appointment")},
	{"profile-update", false, N_("Details changed")},
	{"care-team-change", false, N_("Care team changed")},
	{"care-plan-comment", false, N_("Comment on the care plan")},
	{"care-plan-review", false, N_("Care plan review")},
	{"care-plan", true, N_("Care plan")},
	{"crisis-plan", true, N_("Crisis plan")},
	{"matters", true, N_("What matters to me")},
	{"note-shared", false, N_("Note shared")},
	{"note-view", false, N_("Note read")},
	{"amendment-request", false, N_("Correction asked for")},
	{"amendment-answer", false, N_("Correction answered")},
	{"questionnaire-sent", false, N_("Questionnaire sent")},
	{"questionnaire", true, N_("Questionnaire answered")},
	{"reading", true, N_("Reading")},
	{"measure-target", false, N_("Target agreed")},
	{"target", false, N_("Target agreed")},
	{"visit-agenda", false, N_("Visit agenda")},
	{"review-conversation", false, N_("Review conversation")},
	{"shared-decision", false, N_("Shared decision")},
};

static const char *
kind_label(const char *kind)
{
	size_t i, n;

	for (i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].kind);
		if (kinds[i].prefix ? strncmp(kind, kinds[i].kind, n) == 0
				    : strcmp(kind, kinds[i].kind) == 0)
			return kinds[i].label;
	}
	return N_("Other contact");
}

/*
 * Where a touchpoint's record is shown, by resource type (prefixes);
 * "%p" is the patient, "%r" the record's id. A message opens the list of
 * conversations, where its thread is.
 */
static const struct {
	const char *type;
	const char *path;
} links[] = {
	{"CarePlan", "/patients/%p/plan"},
	{"Goal", "/patients/%p/plan"},
	{"CrisisPlan", "/patients/%p/crisis"},
	{"WhatMatters", "/patients/%p/matters"},
	{"ProgressNote", "/patients/%p/notes"},
	{"Note", "/patients/%p/notes"},
	{"ReviewConversation", "/patients/%p/reviews"},
	{"SharedDecision", "/patients/%p/decisions"},
	{"Observation", "/patients/%p/measures"},
	{"Questionnaire", "/patients/%p/measures"},
	{"MeasureTarget", "/patients/%p/measures"},
	{"VisitAgendaItem", "/patients/%p/measures"},
	{"Flag", "/patients/%p/measures"},
	{"ReadingUpload", "/patients/%p/measures"},
	{"Consultation", "/consult/%r"},
	{"AppointmentSlot", NULL},
	{"Appointment", "/appointments/%r"},
	{"Message", "/messages"},
	{"Patient", "/patients/%p"},
	{"CareTeam", "/patients/%p"},
};

static const char *
record_link(struct web *w, const char *type, const char *rid, int64_t pid)
{
	const char *path, *p;
	struct buf b;
	size_t i;

	for (i = 0; type && i < sizeof(links) / sizeof(links[0]); i++)
		if (strncmp(type, links[i].type, strlen(links[i].type)) == 0)
			break;
	if (!type || i == sizeof(links) / sizeof(links[0]) ||
	    !(path = links[i].path))
		return NULL;
	if (strstr(path, "%r") && (!rid || !*rid))
		return NULL;
	buf_init(&b, w->ctx.a, 256);
	for (p = path; *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			buf_printf(&b, "%lld", (long long)pid);
			p++;
		} else if (p[0] == '%' && p[1] == 'r') {
			buf_adds(&b, rid);
			p++;
		} else {
			buf_addc(&b, *p);
		}
	}
	return b.failed || !buf_addc(&b, '\0') ? NULL : b.p;
}

static const char *
channel_word(struct web *w, const char *channel)
{
	return tr(w, ts_channel_label(ts_channel_of(channel)));
}

/* --- the journey ---------------------------------------------------------- */

static const char *
month_title(struct web *w, int64_t t)
{
	static const char *const names_en[12] = {
		"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November",
		"December"};
	static const char *const names_es[12] = {
		"enero", "febrero", "marzo", "abril", "mayo", "junio",
		"julio", "agosto", "septiembre", "octubre", "noviembre",
		"diciembre"};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return "";
	if (strcmp(w->lang, "es") == 0)
		return arena_printf(w->ctx.a, "%s de %d", names_es[tm.tm_mon],
				    tm.tm_year + 1900);
	return arena_printf(w->ctx.a, "%s %d", names_en[tm.tm_mon],
			    tm.tm_year + 1900);
}

static void
add_item(struct web *w, json_t *arr, const struct journey_item *it,
	 int64_t pid)
{
	json_t *o = jpush(arr);
	bool patient = it->initiator_side &&
		       strcmp(it->initiator_side, "patient") == 0;
	const char *link = record_link(w, it->resource_type, it->resource_id, pid);

	jstr(o, "when", page_datetime(w, it->at_ms / 1000));
	jstr(o, "channel", channel_word(w, it->channel));
	jstr(o, "channel_code", ts_channel_name(ts_channel_of(it->channel)));
	jstr(o, "what", tr(w, kind_label(it->kind)));
	jstr(o, "side", patient ? tr(w, N_("Patient side"))
				: tr(w, N_("Staff")));
	jbool(o, "by_patient", patient);
	jstr(o, "who", it->initiator_name);
	if (link)
		jstr(o, "link", link);
}

/* GET /patients/:id/journey: 200; 403; 404. */
static enum err
get_journey(struct req *req)
{
	struct web *w = web_of(req);
	struct journey_item *items;
	struct patient p;
	json_t *ctx, *months, *month = NULL, *list = NULL;
	char key[32], last[32] = "";
	size_t n, i;
	int64_t pid;
	bool more;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CONTACT, ACT_READ);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if ((e = journey_list(w->ctx.db, w->ctx.a, pid, &items, &n, &more)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, N_("Contact journey"));
	jid(ctx, "patient_id", pid);
	jstr(ctx, "name", arena_printf(w->ctx.a, "%s %s", p.given_name,
				       p.family_name));
	jbool(ctx, "own", w->ctx.actor.role == ROLE_PATIENT &&
				  w->ctx.actor.patient_id == pid);
	jint(ctx, "count", (int64_t)n);
	jbool(ctx, "more", more);
	jbool(ctx, "empty", n == 0);
	months = jarr(ctx, "months");
	for (i = 0; i < n; i++) {
		time_t tt = (time_t)(items[i].at_ms / 1000);
		struct tm tm;

		if (!gmtime_r(&tt, &tm))
			continue;
		snprintf(key, sizeof(key), "%04d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1);
		if (!month || strcmp(key, last) != 0) {
			month = jpush(months);
			jstr(month, "title", month_title(w, items[i].at_ms /
								1000));
			jstr(month, "id", arena_printf(w->ctx.a, "m%s", key));
			list = jarr(month, "items");
			memcpy(last, key, sizeof(key));
		}
		add_item(w, list, &items[i], pid);
	}
	web_audit_read(w, "Touchpoint", http_param(req, "id"), pid);
	return page_render(w, 200, "journey", ctx);
}

/* --- the analytics: what was asked ---------------------------------------- */

struct query {
	struct journey_filter f;
	const char *from_text;	/* as typed (kept in the form) */
	const char *to_text;
	const char *unit_text;
	const char *split_text;
	const char *unit_name;	/* NULL: the whole organisation */
	struct unit *units;
	size_t nunits;
};

/* A date field: "" takes `fallback`; else YYYY-MM-DD or a problem. */
static bool
date_field(const char *typed, int64_t fallback, int64_t *out)
{
	if (!*typed) {
		*out = fallback;
		return true;
	}
	return clock_parse_date(typed, out);
}

/*
 * Reads and checks the filters. ERR_OK with `ps` empty, or with problems
 * (a 400 page); ERR_FORBIDDEN when the person may not see these figures.
 */
static enum err
read_query(struct web *w, struct query *q, struct problems *ps)
{
	int64_t today, from, to, unit = 0;
	enum err e;
	size_t i;

	memset(q, 0, sizeof(*q));
	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_CONTACT_ANALYTICS))
		return ERR_FORBIDDEN;
	if ((e = unit_list(w->ctx.db, w->ctx.a, w->account.org_id, &q->units,
			   &q->nunits)) != ERR_OK)
		return e;
	q->from_text = web_field(w, "from");
	q->to_text = web_field(w, "to");
	q->unit_text = web_field(w, "unit");
	q->split_text = web_field(w, "split");
	/* Today by UTC date; the period covers whole local days. */
	today = w->ctx.now - w->ctx.now % DAY;
	if (!date_field(q->from_text, today - 364 * DAY, &from))
		problems_add(ps, "from",
			     "Enter the first day as year-month-day, for "
			     "example 2026-01-31.");
	if (!date_field(q->to_text, today, &to))
		problems_add(ps, "to",
			     "Enter the last day as year-month-day, for "
			     "example 2026-12-31.");
	else if (!ps->n && to < from)
		problems_add(ps, "to",
			     "The last day cannot be before the first day.");
	else if (!ps->n && to - from >= TS_PERIOD_DAYS_MAX * (int64_t)DAY)
		problems_add(ps, "to", "Choose a period of two years at most.");
	if (!ts_split_parse(q->split_text, &q->f.split))
		problems_add(ps, "split", "Choose a group from the list.");
	if (!*q->unit_text && w->ctx.actor.role == ROLE_PROFESSIONAL)
		unit = w->account.unit_id;	/* a professional's own unit */
	else if (*q->unit_text &&
		 !str_to_i64(str_c(q->unit_text), 0, INT64_MAX, &unit))
		unit = -1;
	for (i = 0; unit > 0 && i < q->nunits; i++)
		if (q->units[i].id == unit)
			q->unit_name = q->units[i].name;
	if (unit < 0 || (unit > 0 && !q->unit_name))
		problems_add(ps, "unit", "Choose a unit from the list.");
	if (!ps->n && !policy_analytics_allows(&w->ctx.actor,
					       w->account.org_id,
					       w->account.unit_id, unit))
		return ERR_FORBIDDEN;
	q->f.org_id = w->account.org_id;
	q->f.unit_id = unit > 0 ? unit : 0;
	q->f.from = journey_local_midnight(from);
	q->f.to = journey_local_midnight(to + DAY);
	q->f.now = w->ctx.now;
	if (!*q->from_text)
		q->from_text = clock_date(w->ctx.a, from);
	if (!*q->to_text)
		q->to_text = clock_date(w->ctx.a, to);
	return ERR_OK;
}

/* --- the analytics: numbers as words -------------------------------------- */

static const char *
count_text(struct web *w, const struct ts_count *c)
{
	if (c->hidden)
		return tr(w, N_("fewer than 5"));
	return arena_printf(w->ctx.a, "%lld", (long long)c->n);
}

static const char *
share_text(struct web *w, const struct ts_share *s)
{
	if (s->hidden)
		return tr(w, N_("not shown (small numbers)"));
	return arena_printf(w->ctx.a, "%.0f%%", s->value * 100);
}

/* One decimal, with a comma in Spanish. */
static const char *
decimal(struct web *w, double v)
{
	char *s = arena_printf(w->ctx.a, "%.1f", v);
	char *dot;

	if (s && strcmp(w->lang, "es") == 0 && (dot = strchr(s, '.')))
		*dot = ',';
	return s;
}

static const char *
hours_text(struct web *w, double seconds)
{
	return arena_printf(w->ctx.a, tr(w, N_("%s h")),
			    decimal(w, seconds / 3600));
}

/* A time figure of slice `s`: median or P90, or why it is not shown. */
static const char *
time_text(struct web *w, const struct ts_slice *s, int t, bool p90)
{
	const struct ts_count *n = &s->n[TS_N_TIMES0 + t];

	if (n->hidden)
		return n->n ? tr(w, N_("not shown (small numbers)"))
			    : tr(w, N_("none"));
	return hours_text(w, p90 ? s->t[t].p90 : s->t[t].median);
}

static const char *
mean_text(struct web *w, const struct ts_mean *m)
{
	if (m->hidden)
		return tr(w, N_("not shown (small numbers)"));
	return arena_printf(w->ctx.a, tr(w, N_("%s of 5")),
			    decimal(w, m->value));
}

static const char *
group_name(struct web *w, enum ts_split s, const char *key)
{
	const char *label = ts_group_label(s, key);

	if (label)
		return tr(w, label);
	if (s == TS_SPLIT_LANGUAGE)
		return tr(w, patient_choice_label(patient_language_choices,
						  key));
	if (s == TS_SPLIT_QUINTILE)
		return arena_printf(w->ctx.a, tr(w, N_("Quintile %s")), key);
	if (s == TS_SPLIT_DECILE)
		return arena_printf(w->ctx.a, tr(w, N_("Decile %s")), key);
	return key;
}

/* A chart's SVG, trusted for the template (touchstats_svg.c escapes
 * every text); NULL when it could not be drawn. */
static json_t *
bars_value(struct web *w, const struct ts_bars *c)
{
	struct buf b;

	buf_init(&b, w->ctx.a, SVG_MAX);
	if (ts_bars_svg(&b, c) != ERR_OK || b.failed)
		return NULL;
	return tpl_trusted_html(b.p);
}

static void
set_svg(json_t *o, const char *key, json_t *svg)
{
	if (svg)
		json_object_set_new(o, key, svg);
}

/* --- the analytics: the page's figures ------------------------------------ */

static void
add_summary(struct web *w, json_t *ctx, const struct ts_slice *a)
{
	json_t *arr = jarr(ctx, "summary");
	struct {
		const char *label;
		const char *value;
	} rows[] = {
		{N_("Contacts (touchpoints)"), count_text(w, &a->n[TS_N_CONTACTS])},
		{N_("Patients in contact"), count_text(w, &a->n[TS_N_PATIENTS])},
		{N_("Patients who started a contact online"),
		 share_text(w, &a->uptake)},
		{N_("Contacts started by the patient side"),
		 share_text(w, &a->patient_started)},
		{N_("Online consultation requests"),
		 count_text(w, &a->n[TS_N_CONSULTS])},
		{N_("Answered within the service level"),
		 share_text(w, &a->sla)},
		{N_("Median time to first response"),
		 time_text(w, a, TS_T_FIRST, false)},
		{N_("Requests that ended in an appointment"),
		 share_text(w, &a->appointment)},
		{N_("Ease of the request (mean)"), mean_text(w, &a->ease)},
		{N_("It helped (mean)"), mean_text(w, &a->helped)},
		{N_("Ratings"), count_text(w, &a->n[TS_N_RATINGS])},
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *o = jpush(arr);

		jstr(o, "label", tr(w, rows[i].label));
		jstr(o, "value", rows[i].value);
	}
}

static void
add_volume(struct web *w, json_t *ctx, const struct ts_slice *a)
{
	struct ts_bar bars[24];
	struct ts_bars c;
	json_t *rows = jarr(ctx, "channels"), *hours = jarr(ctx, "hours");
	int i;

	for (i = 0; i < TS_CH__MAX; i++) {
		const struct ts_count *n = &a->n[TS_N_CH0 + i];
		json_t *o = jpush(rows);

		bars[i].label = tr(w, ts_channel_label((enum ts_channel)i));
		bars[i].text = count_text(w, n);
		bars[i].value = (double)n->n;
		bars[i].hidden = n->hidden;
		bars[i].has_mark = bars[i].warn = false;
		jstr(o, "label", bars[i].label);
		jstr(o, "value", bars[i].text);
	}
	c.title = tr(w, N_("Contacts by channel"));
	c.desc = tr(w, N_("A bar for each channel; the table below gives "
			  "the same numbers."));
	c.mark_label = NULL;
	c.bar = bars;
	c.n = TS_CH__MAX;
	set_svg(ctx, "channel_svg", bars_value(w, &c));
	for (i = 0; i < 24; i++) {
		const struct ts_count *n = &a->n[TS_N_HOUR0 + i];
		json_t *o = jpush(hours);

		bars[i].label = arena_printf(w->ctx.a, "%02d:00–%02d:59", i, i);
		bars[i].text = count_text(w, n);
		bars[i].value = (double)n->n;
		bars[i].hidden = n->hidden;
		bars[i].has_mark = bars[i].warn = false;
		jstr(o, "label", bars[i].label);
		jstr(o, "value", bars[i].text);
	}
	c.title = tr(w, N_("Contacts by hour of the day"));
	c.desc = tr(w, N_("A bar for each hour of the day in local time; the "
			  "table below gives the same numbers."));
	c.n = 24;
	set_svg(ctx, "hour_svg", bars_value(w, &c));
	jstr(ctx, "patient_started",
	     count_text(w, &a->n[TS_N_PATIENT_STARTED]));
	jstr(ctx, "staff_started", count_text(w, &a->n[TS_N_STAFF_STARTED]));
}

/* Response times by channel or by kind: rows and a chart of medians
 * with the 90th percentile as a tick. */
static void
add_times(struct web *w, json_t *ctx, const char *key, const char *title,
	  const struct ts_slice *a, int first0, int resolve0, size_t n,
	  bool by_kind)
{
	struct ts_bar bars[TS_CH__MAX + TS_KIND__MAX];
	struct ts_bars c;
	json_t *o = jobj(ctx, key), *rows = jarr(o, "rows");
	size_t i;

	for (i = 0; i < n; i++) {
		int t = first0 + (int)i;
		const struct ts_count *cnt = &a->n[TS_N_TIMES0 + t];
		json_t *r = jpush(rows);

		bars[i].label = tr(w, by_kind ? ts_kind_label((enum ts_kind)i)
					      : ts_channel_label(
							(enum ts_channel)i));
		bars[i].hidden = cnt->hidden;
		bars[i].value = a->t[t].median;
		bars[i].has_mark = true;
		bars[i].mark = a->t[t].p90;
		bars[i].warn = false;
		bars[i].text = time_text(w, a, t, false);
		jstr(r, "label", bars[i].label);
		jstr(r, "n", count_text(w, cnt));
		jstr(r, "median", bars[i].text);
		jstr(r, "p90", time_text(w, a, t, true));
		if (resolve0 >= 0) {
			jstr(r, "resolve_median",
			     time_text(w, a, resolve0 + (int)i, false));
			jstr(r, "resolve_p90",
			     time_text(w, a, resolve0 + (int)i, true));
		}
	}
	jbool(o, "with_resolution", resolve0 >= 0);
	c.title = title;
	c.desc = tr(w, N_("For each row, a bar to the median time and a tick "
			  "at the 90th percentile, in hours; the table gives "
			  "the same figures."));
	c.mark_label = tr(w, N_("90th percentile"));
	c.bar = bars;
	c.n = n;
	set_svg(o, "svg", bars_value(w, &c));
}

static const char *
warn_text(struct web *w, const struct ts_report *r, const struct ts_slice *g,
	  const char *name, unsigned flag)
{
	switch (flag) {
	case TS_WARN_UPTAKE:
		return arena_printf(
			w->ctx.a,
			tr(w, N_("%s: %s of patients started a contact online, "
				 "against %s for everyone.")),
			name, share_text(w, &g->uptake),
			share_text(w, &r->all.uptake));
	case TS_WARN_RESPONSE:
		return arena_printf(
			w->ctx.a,
			tr(w, N_("%s: the median time to a first response to "
				 "an online consultation was %s, against %s for "
				 "everyone.")),
			name, time_text(w, g, TS_T_FIRST, false),
			time_text(w, &r->all, TS_T_FIRST, false));
	default:
		return arena_printf(
			w->ctx.a,
			tr(w, N_("%s: the median time to a first reply to a "
				 "message was %s, against %s for everyone.")),
			name, time_text(w, g, TS_T_REPLY, false),
			time_text(w, &r->all, TS_T_REPLY, false));
	}
}

static void
add_split(struct web *w, json_t *ctx, const struct ts_report *r)
{
	static const unsigned flags[] = {TS_WARN_UPTAKE, TS_WARN_RESPONSE,
					 TS_WARN_REPLY};
	struct ts_bar up[TS_GROUPS_MAX + 1], fr[TS_GROUPS_MAX + 1];
	struct ts_bars c;
	json_t *rows = jarr(ctx, "groups"), *warns = jarr(ctx, "warnings");
	size_t i, k, n = 0;

	for (i = 0; i <= r->ngroups; i++) {
		const struct ts_slice *g = i < r->ngroups
						   ? &r->groups[r->order[i]]
						   : &r->all;
		const char *name = i < r->ngroups
					   ? group_name(w, r->split, g->key)
					   : tr(w, N_("Everyone"));
		json_t *o = jpush(rows);
		int ch;

		jstr(o, "label", name);
		jbool(o, "total", i == r->ngroups);
		jbool(o, "warn", g->warn != 0);
		jstr(o, "patients", count_text(w, &g->n[TS_N_PATIENTS]));
		jstr(o, "uptake", share_text(w, &g->uptake));
		jstr(o, "contacts", count_text(w, &g->n[TS_N_CONTACTS]));
		for (ch = 0; ch < TS_CH__MAX; ch++)
			jstr(o, ts_channel_name((enum ts_channel)ch),
			     count_text(w, &g->n[TS_N_CH0 + ch]));
		jstr(o, "patient_started", share_text(w, &g->patient_started));
		jstr(o, "consults", count_text(w, &g->n[TS_N_CONSULTS]));
		jstr(o, "first_median", time_text(w, g, TS_T_FIRST, false));
		jstr(o, "first_p90", time_text(w, g, TS_T_FIRST, true));
		jstr(o, "resolve_median", time_text(w, g, TS_T_RESOLVE, false));
		jstr(o, "sla", share_text(w, &g->sla));
		jstr(o, "appointment", share_text(w, &g->appointment));
		jstr(o, "reply_median", time_text(w, g, TS_T_REPLY, false));
		jstr(o, "ease", mean_text(w, &g->ease));
		jstr(o, "helped", mean_text(w, &g->helped));
		jstr(o, "ratings", count_text(w, &g->n[TS_N_RATINGS]));
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (g->warn & flags[k])
				jstr(jpush(warns), "text",
				     warn_text(w, r, g, name, flags[k]));
		if (i < r->ngroups && n < TS_BARS_MAX) {
			up[n].label = fr[n].label = name;
			up[n].text = share_text(w, &g->uptake);
			up[n].hidden = g->uptake.hidden;
			up[n].value = g->uptake.value * 100;
			up[n].has_mark = false;
			up[n].warn = (g->warn & TS_WARN_UPTAKE) != 0;
			fr[n].text = time_text(w, g, TS_T_FIRST, false);
			fr[n].hidden = g->n[TS_N_TIMES0 + TS_T_FIRST].hidden;
			fr[n].value = g->t[TS_T_FIRST].median;
			fr[n].has_mark = true;
			fr[n].mark = g->t[TS_T_FIRST].p90;
			fr[n].warn = (g->warn & TS_WARN_RESPONSE) != 0;
			n++;
		}
	}
	jbool(ctx, "has_warnings", json_array_size(warns) > 0);
	if (!n)
		return;
	c.title = tr(w, N_("Patients who started a contact online, by group"));
	c.desc = tr(w, N_("A bar for each group, as a percentage of its "
			  "patients in contact; the table gives the same "
			  "figures."));
	c.mark_label = NULL;
	c.bar = up;
	c.n = n;
	set_svg(ctx, "uptake_svg", bars_value(w, &c));
	c.title = tr(w, N_("Time to first response, by group"));
	c.desc = tr(w, N_("For each group, a bar to the median time to a "
			  "first response to an online consultation and a "
			  "tick at the 90th percentile, in hours."));
	c.mark_label = tr(w, N_("90th percentile"));
	c.bar = fr;
	set_svg(ctx, "first_svg", bars_value(w, &c));
}

static void
add_form(struct web *w, json_t *ctx, const struct query *q)
{
	json_t *units = jarr(ctx, "units"), *splits = jarr(ctx, "splits");
	json_t *f = jobj(ctx, "form");
	struct buf b;
	size_t i;

	jstr(f, "from", q->from_text);
	jstr(f, "to", q->to_text);
	jbool(ctx, "whole_org_allowed",
	      policy_analytics_allows(&w->ctx.actor, w->account.org_id,
				      w->account.unit_id, 0));
	for (i = 0; i < q->nunits; i++) {
		json_t *o;

		if (!policy_analytics_allows(&w->ctx.actor, w->account.org_id,
					     w->account.unit_id,
					     q->units[i].id))
			continue;
		o = jpush(units);
		jid(o, "id", q->units[i].id);
		jstr(o, "name", q->units[i].name);
		jbool(o, "selected", q->units[i].id == q->f.unit_id);
	}
	for (i = 0; i < TS_SPLIT__MAX; i++) {
		json_t *o = jpush(splits);

		jstr(o, "code", ts_split_name((enum ts_split)i));
		jstr(o, "name", tr(w, ts_split_label((enum ts_split)i)));
		jbool(o, "selected", (enum ts_split)i == q->f.split);
	}
	/* The CSV of what the page shows. */
	buf_init(&b, w->ctx.a, 1024);
	buf_adds(&b, "/touchpoints.csv?from=");
	buf_add_urlenc(&b, q->from_text, strlen(q->from_text));
	buf_adds(&b, "&to=");
	buf_add_urlenc(&b, q->to_text, strlen(q->to_text));
	buf_printf(&b, "&unit=%lld&split=%s", (long long)q->f.unit_id,
		   ts_split_name(q->f.split));
	jstr(ctx, "csv_link", b.p);
	jstr(ctx, "scope", q->unit_name ? q->unit_name
					: tr(w, N_("The whole organisation")));
	jstr(ctx, "split_label", tr(w, ts_split_label(q->f.split)));
	jbool(ctx, "split", q->f.split != TS_SPLIT_NONE);
}

static enum err
analytics_page(struct web *w, int status, const struct query *q,
	       const struct ts_report *r, const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Contact analytics"));

	add_form(w, ctx, q);
	if (ps)
		page_problems(w, ctx, ps);
	if (r) {
		jbool(ctx, "report", true);
		add_summary(w, ctx, &r->all);
		add_volume(w, ctx, &r->all);
		add_times(w, ctx, "by_channel",
			  tr(w, N_("Time to first response by channel")),
			  &r->all, TS_T_FIRST_CH0, TS_T_RESOLVE_CH0,
			  TS_CH__MAX, false);
		add_times(w, ctx, "by_kind",
			  tr(w, N_("Time to first response by kind of "
				   "request")),
			  &r->all, TS_T_FIRST_KIND0, TS_T_RESOLVE_KIND0,
			  TS_KIND__MAX, true);
		add_times(w, ctx, "replies",
			  tr(w, N_("Time to first reply to a message by "
				   "channel")),
			  &r->all, TS_T_REPLY_CH0, -1, TS_CH__MAX, false);
		jstr(ctx, "threads", count_text(w, &r->all.n[TS_N_THREADS]));
		if (r->split != TS_SPLIT_NONE)
			add_split(w, ctx, r);
	}
	return page_render(w, status, "touchpoints", ctx);
}

/* GET /touchpoints: 200; 400 bad filters (the form comes back with what
 * was typed); 403 not for this role or unit. */
static enum err
get_touchpoints(struct req *req)
{
	struct web *w = web_of(req);
	struct problems ps = {0};
	struct ts_report *r;
	struct query q;
	enum err e;

	if ((e = read_query(w, &q, &ps)) != ERR_OK)
		return e;
	if (ps.n)
		return analytics_page(w, 400, &q, NULL, &ps);
	if (!(r = arena_alloc(w->ctx.a, sizeof(*r))))
		return ERR_NOMEM;
	if ((e = journey_analytics(w->ctx.db, w->ctx.a, &q.f, r)) != ERR_OK)
		return e;
	web_audit_read(w, "TouchpointAnalytics",
		       arena_printf(w->ctx.a, "%lld", (long long)q.f.unit_id),
		       0);
	return analytics_page(w, 200, &q, r, NULL);
}

/* --- the analytics: CSV --------------------------------------------------- */

/* One row: figure, breakdown, group, value, unit. */
static void
csv_row(struct buf *b, const char *figure, const char *breakdown,
	const char *group, const char *value, const char *unit)
{
	buf_printf(b, "%s,%s,%s,\"%s\",%s\r\n", figure, breakdown, group,
		   value, unit);
}

static const char *
csv_count(struct web *w, const struct ts_count *c)
{
	return c->hidden ? tr(w, N_("fewer than 5"))
			 : arena_printf(w->ctx.a, "%lld", (long long)c->n);
}

static const char *
csv_share(struct web *w, const struct ts_share *s)
{
	return s->hidden ? tr(w, N_("not shown (small numbers)"))
			 : arena_printf(w->ctx.a, "%.1f", s->value * 100);
}

static const char *
csv_time(struct web *w, const struct ts_slice *s, int t, bool p90)
{
	if (s->n[TS_N_TIMES0 + t].hidden)
		return tr(w, N_("not shown (small numbers)"));
	return arena_printf(w->ctx.a, "%.2f",
			    (p90 ? s->t[t].p90 : s->t[t].median) / 3600);
}

static void
csv_times(struct web *w, struct buf *b, const struct ts_slice *s,
	  const char *g, const char *name, int t, const char *breakdown)
{
	char fig[64];

	snprintf(fig, sizeof(fig), "%s_count", name);
	csv_row(b, fig, breakdown, g, csv_count(w, &s->n[TS_N_TIMES0 + t]),
		"count");
	snprintf(fig, sizeof(fig), "%s_median", name);
	csv_row(b, fig, breakdown, g, csv_time(w, s, t, false), "hours");
	snprintf(fig, sizeof(fig), "%s_p90", name);
	csv_row(b, fig, breakdown, g, csv_time(w, s, t, true), "hours");
}

static void
csv_slice(struct web *w, struct buf *b, const struct ts_slice *s,
	  const char *g)
{
	static const struct {
		const char *name;
		int n;
	} counts[] = {
		{"contacts", TS_N_CONTACTS},
		{"patient_started", TS_N_PATIENT_STARTED},
		{"staff_started", TS_N_STAFF_STARTED},
		{"patients", TS_N_PATIENTS},
		{"patients_started_online", TS_N_DIGITAL},
		{"consultations", TS_N_CONSULTS},
		{"service_level_counted", TS_N_SLA_BASE},
		{"service_level_met", TS_N_SLA_MET},
		{"ended_in_appointment", TS_N_APPOINTMENTS},
		{"message_threads_by_patients", TS_N_THREADS},
		{"ratings", TS_N_RATINGS},
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		csv_row(b, counts[i].name, "all", g,
			csv_count(w, &s->n[counts[i].n]), "count");
	for (k = 0; k < TS_CH__MAX; k++)
		csv_row(b, "contacts", ts_channel_name((enum ts_channel)k), g,
			csv_count(w, &s->n[TS_N_CH0 + k]), "count");
	for (k = 0; k < 24; k++)
		csv_row(b, "contacts",
			arena_printf(w->ctx.a, "hour_%02d", k), g,
			csv_count(w, &s->n[TS_N_HOUR0 + k]), "count");
	csv_row(b, "digital_uptake", "all", g, csv_share(w, &s->uptake),
		"percent");
	csv_row(b, "within_service_level", "all", g, csv_share(w, &s->sla),
		"percent");
	csv_row(b, "ended_in_appointment_share", "all", g,
		csv_share(w, &s->appointment), "percent");
	csv_row(b, "rating_ease_mean", "all", g,
		s->ease.hidden ? tr(w, N_("not shown (small numbers)"))
			       : arena_printf(w->ctx.a, "%.2f", s->ease.value),
		"1-5");
	csv_row(b, "rating_helped_mean", "all", g,
		s->helped.hidden
			? tr(w, N_("not shown (small numbers)"))
			: arena_printf(w->ctx.a, "%.2f", s->helped.value),
		"1-5");
	csv_times(w, b, s, g, "first_response", TS_T_FIRST, "all");
	csv_times(w, b, s, g, "resolution", TS_T_RESOLVE, "all");
	csv_times(w, b, s, g, "message_first_reply", TS_T_REPLY, "all");
	for (k = 0; k < TS_CH__MAX; k++) {
		const char *ch = ts_channel_name((enum ts_channel)k);

		csv_times(w, b, s, g, "first_response", TS_T_FIRST_CH0 + k, ch);
		csv_times(w, b, s, g, "resolution", TS_T_RESOLVE_CH0 + k, ch);
		csv_times(w, b, s, g, "message_first_reply",
			  TS_T_REPLY_CH0 + k, ch);
	}
	for (k = 0; k < TS_KIND__MAX; k++) {
		const char *kind = ts_kind_name((enum ts_kind)k);

		csv_times(w, b, s, g, "first_response", TS_T_FIRST_KIND0 + k,
			  kind);
		csv_times(w, b, s, g, "resolution", TS_T_RESOLVE_KIND0 + k,
			  kind);
	}
	if (s->warn & TS_WARN_UPTAKE)
		csv_row(b, "warning", "digital_uptake", g, "behind", "");
	if (s->warn & TS_WARN_RESPONSE)
		csv_row(b, "warning", "first_response", g, "behind", "");
	if (s->warn & TS_WARN_REPLY)
		csv_row(b, "warning", "message_first_reply", g, "behind", "");
}

/* GET /touchpoints.csv: 200 text/csv; 400 bad filters; 403. */
static enum err
get_touchpoints_csv(struct req *req)
{
	struct web *w = web_of(req);
	struct problems ps = {0};
	struct ts_report *r;
	struct query q;
	struct buf b;
	size_t i;
	enum err e;

	if ((e = read_query(w, &q, &ps)) != ERR_OK)
		return e;
	if (ps.n)
		return analytics_page(w, 400, &q, NULL, &ps);
	if (!(r = arena_alloc(w->ctx.a, sizeof(*r))))
		return ERR_NOMEM;
	if ((e = journey_analytics(w->ctx.db, w->ctx.a, &q.f, r)) != ERR_OK)
		return e;
	buf_init(&b, w->ctx.a, CSV_MAX);
	buf_adds(&b, "figure,breakdown,group,value,unit\r\n");
	/* The split's groups by code; "not_known" for the unknown. */
	csv_slice(w, &b, &r->all, "all");
	for (i = 0; i < r->ngroups; i++) {
		const struct ts_slice *g = &r->groups[r->order[i]];
		const char *name = g->key[0] ? g->key : "not_known";

		csv_slice(w, &b, g,
			  arena_printf(w->ctx.a, "%s:%s",
				       ts_split_name(r->split), name));
	}
	if (b.failed)
		return ERR_TOO_LARGE;
	web_audit_read(w, "TouchpointAnalytics",
		       arena_printf(w->ctx.a, "%lld", (long long)q.f.unit_id),
		       0);
	http_no_store(req);
	if ((e = http_add_header(req, "Content-Disposition",
				 "attachment; filename=\"touchpoints.csv\"")) !=
	    ERR_OK)
		return e;
	return http_respond_ref(req, 200, "text/csv; charset=utf-8",
				(const unsigned char *)b.p, b.len);
}

static const struct http_route journey_routes[] = {
	{HTTP_GET, "/patients/:id/journey", get_journey, 0, NULL},
	{HTTP_GET, "/touchpoints", get_touchpoints, 0, NULL},
	{HTTP_GET, "/touchpoints.csv", get_touchpoints_csv, 0, NULL},
};

enum err
journey_web_routes(struct http_router *r)
{
	return http_router_add(r, journey_routes,
			       sizeof(journey_routes) /
				       sizeof(journey_routes[0]));
}

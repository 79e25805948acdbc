/*
 * Home readings pages: a person's readings per kind with a form to add
 * one (the agreed advice shown at once when it falls outside the
 * target), the import of a CSV file (a preview that stores nothing, then
 * a confirmation that stores the good rows in one write) and the targets
 * patient and care team agree, with the advice the patient sees. The
 * server keeps nothing between preview and confirmation: the file rides
 * in the confirmation form and is checked again. Storage and the
 * agreement rule live in reading_store.c and target_store.c; access in
 * the policy.
 */
#include "measures/measures_web.h"

#include <string.h>


#include "auth/policy.h"
#include "auth/write.h"
#include "care/agreement.h"
#include "care/care_web.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "measures/alert.h"
#include "measures/instrument.h"
#include "measures/reading.h"
#include "measures/reading_store.h"
#include "measures/readings_csv.h"
#include "measures/target.h"
#include "measures/target_store.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define READINGS_SHOWN 10		/* rows of a table before "show all" */
#define IMPORT_BYTES_MAX (8u << 20)	/* a CSV file to import */
#define IMPORT_ROWS_MAX 100000		/* its readings */
#define IMPORT_PREVIEW_ROWS 20		/* good rows the preview shows */
#define IMPORT_PROBLEMS_SHOWN 200	/* problems listed in the preview */

/* ===================== shared helpers ===================================== */

static const char *
patient_path(struct web *w, int64_t pid, const char *rest)
{
	return arena_printf(w->ctx.a, "/patients/%lld/%s", (long long)pid,
			    rest);
}

static unsigned
fmt_flags(struct web *w)
{
	return !strcmp(w->lang, "es") ? READING_FMT_COMMA : 0;
}

/* A stored value of kind `d` as people read it ("128/82"), with its
 * unit's label when `unit`. */
static const char *
value_str(struct web *w, const struct reading_def *d, int64_t v, int64_t v2,
	  bool unit)
{
	struct reading_value rv = reading_from_milli(d->kind, v, v2);
	struct buf b;

	buf_init(&b, w->ctx.a, 128);
	if (!reading_format(&b, &rv, NULL,
			    fmt_flags(w) | (unit ? READING_FMT_UNIT : 0)))
		return "";
	return b.p;
}

/* A score's value: at most two decimals, no trailing zeros. */
static const char *
score_str(struct web *w, int64_t milli)
{
	struct buf b;

	buf_init(&b, w->ctx.a, 64);
	if (!reading_format_number(&b, (double)milli / 1000.0,
				   milli % 1000 == 0 ? 0
				   : milli % 100 == 0 ? 1
						      : 2,
				   fmt_flags(w)))
		return "";
	return b.p;
}

/* A time in milliseconds for the date and time inputs. */
static const char *
date_of_ms(struct web *w, int64_t ms)
{
	return clock_date(w->ctx.a, ms / 1000);
}

static const char *
time_of_ms(struct web *w, int64_t ms)
{
	int64_t s = ms / 1000 % 86400;

	if (s < 0)
		s += 86400;
	return arena_printf(w->ctx.a, "%02d:%02d", (int)(s / 3600),
			    (int)(s / 60 % 60));
}

/* Where `v` lies against `ranges`: "above", "below" or NULL (within). */
static const char *
target_side(const struct target_range ranges[READING_PARTS_MAX],
	    const struct reading_value *v)
{
	enum target_status st[READING_PARTS_MAX];
	size_t i;

	if (!target_check_reading(ranges, v, st))
		return NULL;
	for (i = 0; i < READING_PARTS_MAX; i++)
		if (st[i] == TARGET_ABOVE)
			return "above";
	return "below";
}

/*
 * The range of a target for the range partial: {low, high, unit, both,
 * only_low, only_high} under `key` of `o`.
 */
static void
add_range(struct web *w, json_t *o, const char *key,
	  const struct measure_target *t, const struct reading_def *d)
{
	json_t *r = jobj(o, key);

	if (d) {
		if (t->has_low)
			jstr(r, "low", value_str(w, d, t->low_milli,
						 t->low2_milli, false));
		if (t->has_high)
			jstr(r, "high", value_str(w, d, t->high_milli,
						  t->high2_milli, false));
		jstr(r, "unit", d->units[0].label);
	} else {
		if (t->has_low)
			jstr(r, "low", score_str(w, t->low_milli));
		if (t->has_high)
			jstr(r, "high", score_str(w, t->high_milli));
	}
	jbool(r, "both", t->has_low && t->has_high);
	jbool(r, "only_low", t->has_low && !t->has_high);
	jbool(r, "only_high", !t->has_low && t->has_high);
}

/* What a measure is called, in the page's language. */
static const char *
measure_label(struct web *w, const char *measure)
{
	const struct reading_def *d = target_measure_kind(measure);
	const struct instrument *in;
	const struct q_score *sc;
	const char *hash, *url, *name;

	if (d)
		return tr(w, d->label);
	if (!target_measure_is_score(measure))
		return measure;
	hash = strrchr(measure, '#');
	url = arena_strndup(w->ctx.a, measure + strlen(TARGET_SCORE_PREFIX),
			    (size_t)(hash - measure) -
				    strlen(TARGET_SCORE_PREFIX));
	name = hash + 1;
	in = url ? instrument_by_url(url, w->lang) : NULL;
	if (!in || !in->q)
		return name;
	sc = q_score_get(in->q, name);
	return arena_printf(w->ctx.a, "%s: %s",
			    in->q->title ? in->q->title : in->id,
			    sc && sc->title ? sc->title : name);
}

/* ===================== readings ========================================== */

/* The add form's values as typed (or the defaults). */
struct reading_form {
	const struct reading_def *d;
	const char *value;
	const char *unit;	/* a UCUM code of d's units */
	const char *date;
	const char *time;
};

static void
add_kind_links(struct web *w, json_t *ctx, int64_t pid,
	       const struct reading_def *chosen)
{
	json_t *arr = jarr(ctx, "kinds");
	int k;

	for (k = 0; k < READING__MAX; k++) {
		const struct reading_def *d = reading_def((enum reading_kind)k);
		json_t *o = jpush(arr);

		jstr(o, "key", d->key);
		jstr(o, "label", tr(w, d->label));
		jstr(o, "href", arena_printf(w->ctx.a, "%s?kind=%s#add",
					     patient_path(w, pid, "readings"),
					     d->key));
		jbool(o, "current", d == chosen);
	}
}

static void
add_form(struct web *w, json_t *ctx, const struct reading_form *f)
{
	json_t *o = jobj(ctx, "form"), *units = jarr(o, "units");
	size_t i;

	jstr(o, "kind", f->d->key);
	jstr(o, "kind_label", tr(w, f->d->label));
	jstr(o, "example", tr(w, f->d->example));
	care_jform(o, "value", f->value);
	care_jform(o, "date", f->date);
	care_jform(o, "time", f->time);
	jbool(o, "one_unit", f->d->n_units == 1);
	jstr(o, "storage_unit", f->d->units[0].label);
	for (i = 0; i < f->d->n_units; i++) {
		json_t *u = jpush(units);

		jstr(u, "code", f->d->units[i].ucum);
		jstr(u, "label", f->d->units[i].label);
		jbool(u, "selected",
		      f->unit ? !strcmp(f->unit, f->d->units[i].ucum) : i == 0);
	}
}

/*
 * The patient's alerts into `*out`, and the open ones on the page for
 * staff, with close forms for the care team. Patients and caregivers see
 * only that the team was told about a reading (add_added()): an alert
 * may come from a questionnaire answer they would not want a caregiver
 * to read about.
 */
static enum err
add_alerts(struct web *w, json_t *ctx, int64_t pid,
	   struct measure_alert **out, size_t *n)
{
	bool can_close = w->ctx.actor.role == ROLE_PROFESSIONAL &&
			 patient_allowed(w, pid, RES_MEASURES, ACT_WRITE);
	bool staff = role_is_staff(w->ctx.actor.role);
	json_t *arr = jarr(ctx, "alerts");
	size_t i;
	enum err e;

	if ((e = alert_list_for_patient(w->ctx.db, w->ctx.a, pid,
					ALERT_LIST_MAX, out, n)) != ERR_OK)
		return e;
	for (i = 0; i < *n; i++) {
		const struct measure_alert *m = &(*out)[i];
		json_t *o;

		if (!m->open || !staff)
			continue;
		o = jpush(arr);
		jid(o, "id", m->id);
		jstr(o, "label", tr(w, m->label));
		jstr(o, "value", m->last_value);
		jint(o, "count", m->count);
		jbool(o, "several", m->count > 1);
		jbool(o, "urgent", m->urgent);
		jstr(o, "since", page_datetime(w, m->first_ms / 1000));
		jstr(o, "latest", page_datetime(w, m->last_ms / 1000));
		jbool(o, "can_close", can_close);
	}
	return ERR_OK;
}

/* Whether the patient has an open alert about `measure`. */
static bool
alert_open_for(const struct measure_alert *m, size_t n, const char *measure)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (m[i].open && !strcmp(m[i].measure, measure))
			return true;
	return false;
}

/* One table of readings of kind `d`: the newest ones, or all with
 * `all`. */
static enum err
add_table(struct web *w, json_t *arr, int64_t pid,
	  const struct reading_def *d, bool all)
{
	struct target_range ranges[READING_PARTS_MAX];
	struct measure_target t;
	struct reading *r;
	json_t *o, *rows;
	int64_t count;
	bool has_target;
	size_t n, i;
	enum err e;

	if ((e = reading_count(w->ctx.db, pid, d->key, &count)) != ERR_OK)
		return e;
	if (!count)
		return ERR_OK;
	if ((e = reading_list(w->ctx.db, w->ctx.a, pid, d->key,
			      all ? READING_LIST_MAX : READINGS_SHOWN, &r,
			      &n)) != ERR_OK)
		return e;
	e = target_get(w->ctx.db, w->ctx.a, pid, d->key, &t);
	if (e != ERR_OK && e != ERR_NOT_FOUND)
		return e;
	has_target = e == ERR_OK;
	if (has_target)
		target_ranges(&t, ranges);
	o = jpush(arr);
	jstr(o, "key", d->key);
	jstr(o, "label", tr(w, d->label));
	jstr(o, "unit", d->units[0].label);
	jint(o, "count", count);
	jbool(o, "more", (size_t)count > n);
	jbool(o, "all", all && n > READINGS_SHOWN);
	jstr(o, "all_href", arena_printf(w->ctx.a, "%s?all=%s#%s",
					 patient_path(w, pid, "readings"),
					 d->key, d->key));
	jstr(o, "fewer_href", arena_printf(w->ctx.a, "%s#%s",
					   patient_path(w, pid, "readings"),
					   d->key));
	if (has_target)
		add_range(w, o, "target", &t, d);
	rows = jarr(o, "rows");
	for (i = 0; i < n; i++) {
		struct reading_value v = reading_from_milli(
			d->kind, r[i].value_milli, r[i].value2_milli);
		const char *side = has_target ? target_side(ranges, &v) : NULL;
		json_t *x = jpush(rows);

		jstr(x, "when", page_datetime(w, r[i].at_ms / 1000));
		jstr(x, "value", value_str(w, d, r[i].value_milli,
					   r[i].value2_milli, false));
		jbool(x, "above", side && !strcmp(side, "above"));
		jbool(x, "below", side && !strcmp(side, "below"));
		jstr(x, "by", r[i].entered_by_name);
		jbool(x, "from_file", r[i].source &&
					      !strcmp(r[i].source, "csv"));
	}
	return ERR_OK;
}

/*
 * What the page says about the reading just added (?added=ID): saved,
 * and when outside the agreed target the advice and whether the team
 * was told.
 */
static enum err
add_added(struct web *w, json_t *ctx, int64_t pid,
	  const struct measure_alert *alerts, size_t nalerts)
{
	struct target_range ranges[READING_PARTS_MAX];
	const struct reading_def *d;
	struct measure_target t;
	struct reading r;
	struct reading_value v;
	const char *s = http_field(w->req, "added");
	const char *side;
	int64_t id;
	json_t *o;
	enum err e;

	if (!s || !str_to_i64(str_c(s), 1, INT64_MAX, &id))
		return ERR_OK;
	e = reading_get(w->ctx.db, w->ctx.a, pid, id, &r);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	if (!(d = target_measure_kind(r.kind)))
		return ERR_OK;
	o = jobj(ctx, "added");
	jstr(o, "label", tr(w, d->label));
	jstr(o, "value", value_str(w, d, r.value_milli, r.value2_milli, true));
	jstr(o, "when", page_datetime(w, r.at_ms / 1000));
	e = target_get(w->ctx.db, w->ctx.a, pid, d->key, &t);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	target_ranges(&t, ranges);
	v = reading_from_milli(d->kind, r.value_milli, r.value2_milli);
	if (!(side = target_side(ranges, &v)))
		return ERR_OK;
	jbool(o, "outside", true);
	jbool(o, "above", !strcmp(side, "above"));
	jstr(o, "advice", t.advice);
	add_range(w, o, "target", &t, d);
	jbool(o, "team_told", alert_open_for(alerts, nalerts, d->key));
	return ERR_OK;
}

/* "12 readings imported, 3 already stored" after an import. */
static void
add_imported(struct web *w, json_t *ctx)
{
	const char *imported = http_field(w->req, "imported");
	const char *skipped = http_field(w->req, "skipped");
	const char *bad = http_field(w->req, "bad");
	int64_t n = 0, s = 0, b = 0;
	json_t *o;

	if (!imported ||
	    !str_to_i64(str_c(imported), 0, READING_IMPORT_ROWS_MAX, &n))
		return;
	if (skipped)
		str_to_i64(str_c(skipped), 0, READING_IMPORT_ROWS_MAX, &s);
	if (bad)
		str_to_i64(str_c(bad), 0, READINGS_CSV_MAX_ROWS, &b);
	o = jobj(ctx, "imported");
	jstr(o, "text", arena_printf(w->ctx.a,
				     trn(w, "%lld reading was imported.",
					 "%lld readings were imported.",
					 (unsigned long)n),
				     (long long)n));
	if (s)
		jstr(o, "skipped",
		     arena_printf(w->ctx.a,
				  trn(w,
				      "%lld was left out because it was "
				      "already stored.",
				      "%lld were left out because they were "
				      "already stored.",
				      (unsigned long)s),
				  (long long)s));
	if (b)
		jstr(o, "bad", arena_printf(w->ctx.a,
					    trn(w,
						"%lld row had a problem and "
						"was not imported.",
						"%lld rows had a problem and "
						"were not imported.",
						(unsigned long)b),
					    (long long)b));
}

/* The kind the page offers to add: ?kind=, else blood pressure. */
static const struct reading_def *
chosen_kind(struct web *w)
{
	const struct reading_def *d = target_measure_kind(web_field(w,
								    "kind"));

	return d ? d : reading_def(READING_BLOOD_PRESSURE);
}

static enum err
readings_page(struct web *w, int status, int64_t pid,
	      const struct reading_form *f, const struct problems *ps)
{
	struct measure_alert *alerts;
	size_t nalerts;
	const char *all = web_field(w, "all");
	bool can_write = patient_allowed(w, pid, RES_MEASURES, ACT_WRITE);
	json_t *ctx, *tables;
	enum err e;
	int k;

	if (!(ctx = care_page_new(w, pid, N_("Readings"), "readings", &e)))
		return e;
	jbool(ctx, "can_write", can_write);
	jstr(ctx, "action", patient_path(w, pid, "readings"));
	jstr(ctx, "import_href", patient_path(w, pid, "readings/import"));
	jstr(ctx, "targets_href", patient_path(w, pid, "targets"));
	if (can_write) {
		add_kind_links(w, ctx, pid, f->d);
		add_form(w, ctx, f);
	}
	if ((e = add_alerts(w, ctx, pid, &alerts, &nalerts)) != ERR_OK ||
	    (e = add_added(w, ctx, pid, alerts, nalerts)) != ERR_OK)
		goto fail;
	add_imported(w, ctx);
	tables = jarr(ctx, "tables");
	for (k = 0; k < READING__MAX; k++) {
		const struct reading_def *d = reading_def((enum reading_kind)k);

		if ((e = add_table(w, tables, pid, d,
				   !strcmp(all, d->key))) != ERR_OK)
			goto fail;
	}
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, READING_RES, "", pid);
	return page_render(w, status, "readings", ctx);
fail:
	json_decref(ctx);
	return e;
}

/* GET /patients/:id/readings[?kind=K][&all=K][&added=ID]
 * [&imported=N&skipped=N&bad=N]: 200; 403; 404. */
static enum err
get_readings(struct req *req)
{
	struct web *w = web_of(req);
	struct reading_form f;
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_READ);
	memset(&f, 0, sizeof(f));
	f.d = chosen_kind(w);
	f.value = "";
	f.date = date_of_ms(w, w->ctx.now * 1000);
	f.time = time_of_ms(w, w->ctx.now * 1000);
	return readings_page(w, 200, pid, &f, NULL);
}

/* "8:30", "08:30" or "08:30:15" as seconds after midnight. */
static bool
parse_time(const char *s, int64_t *out)
{
	int64_t h, m, sec = 0;
	const char *c1 = strchr(s, ':'), *c2;

	if (!c1)
		return false;
	c2 = strchr(c1 + 1, ':');
	if (!str_to_i64((struct str){s, (size_t)(c1 - s)}, 0, 23, &h) ||
	    c1 - s > 2)
		return false;
	if (c2) {
		if (c2 - c1 - 1 != 2 || strlen(c2 + 1) != 2 ||
		    !str_to_i64((struct str){c1 + 1, 2}, 0, 59, &m) ||
		    !str_to_i64(str_c(c2 + 1), 0, 59, &sec))
			return false;
	} else if (strlen(c1 + 1) != 2 ||
		   !str_to_i64(str_c(c1 + 1), 0, 59, &m)) {
		return false;
	}
	*out = h * 3600 + m * 60 + sec;
	return true;
}

/*
 * The reading typed in the form, checked: problems for the fields
 * "value", "unit", "date" and "time" (field "kind" for an unknown kind,
 * the form then showing blood pressure).
 */
static void
reading_from_form(struct web *w, struct reading_form *f, struct reading *r,
		  struct problems *ps)
{
	const char *kind = web_field(w, "kind");
	const struct reading_unit *unit = NULL;
	struct reading_value v;
	const char *why = NULL;
	int64_t day = 0, secs = 0;
	bool when_ok = true;

	memset(r, 0, sizeof(*r));
	f->d = target_measure_kind(kind);
	f->value = web_field(w, "value");
	f->unit = web_field(w, "unit");
	f->date = web_field(w, "date");
	f->time = web_field(w, "time");
	if (!f->d) {
		f->d = reading_def(READING_BLOOD_PRESSURE);
		problems_add(ps, "kind", N_("Choose what you measured."));
		return;
	}
	if (!(unit = reading_unit_find(f->d, str_c(f->unit)))) {
		problems_add(ps, "unit", f->d->bad_unit);
		f->unit = NULL;
	} else if (!*f->value) {
		problems_add(ps, "value", f->d->example);
	} else if (!reading_parse(f->d->kind, str_c(f->value),
				  str_c(unit->ucum), &v, &why)) {
		problems_add(ps, "value", why ? why : f->d->example);
	} else if (!reading_to_milli(&v, &r->value_milli, &r->value2_milli)) {
		problems_add(ps, "value", f->d->example);
	}
	if (!clock_parse_date(f->date, &day)) {
		problems_add(ps, "date",
			     N_("Enter the date as year-month-day, for "
				"example 2026-03-01."));
		when_ok = false;
	}
	if (!parse_time(f->time, &secs)) {
		problems_add(ps, "time",
			     N_("Enter the time as hours and minutes on a "
				"24-hour clock, for example 08:30."));
		when_ok = false;
	}
	r->kind = f->d->key;
	r->at_ms = (day + secs) * 1000;
	if (when_ok &&
	    r->at_ms > w->ctx.now * 1000 + READING_FUTURE_GRACE_MS)
		problems_add(ps, "date",
			     N_("This date and time are in the future. Enter "
				"when you took the reading."));
}

/*
 * POST /patients/:id/readings: 303 back to the readings with the new
 * one (or the same one stored before: a double submit stores one); 400
 * with a message beside each wrong field, everything typed kept and
 * nothing stored; 403; 404.
 */
static enum err
post_reading(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = READING_RES,
		.detail = "reading",
		.touchpoint_kind = "reading",
	};
	struct reading_add_job *j;
	struct reading_form f;
	struct reading same;
	struct problems ps = {0};
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	memset(&f, 0, sizeof(f));
	reading_from_form(w, &f, &j->r, &ps);
	wi.patient_id = pid;
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return readings_page(w, 400, pid, &f, &ps);
	}
	j->r.id = id_new();
	j->r.org_id = p.org_id;
	j->r.patient_id = pid;
	j->r.source = "web";
	j->r.entered_by = w->account.id;
	j->r.entered_ms = w->ctx.now * 1000;
	/* NULL: the alert shows the value with a decimal point, which
	 * reads the same in every language of the team. */
	j->value_text = NULL;
	wi.resource_id = care_id_text(w, j->r.id);
	e = write_commit(&w->ctx, &wi, reading_add, j);
	if (e == ERR_EXISTS) {
		if ((e = reading_find_same(w->ctx.db, w->ctx.a, &j->r,
					   &same)) != ERR_OK)
			return e;
		j->r.id = same.id;
	} else if (e != ERR_OK) {
		return e;
	}
	return page_redirect(w, arena_printf(w->ctx.a, "%s?added=%lld#added",
					     patient_path(w, pid, "readings"),
					     (long long)j->r.id),
			     NULL);
}

/* ===================== import from a CSV file ============================= */

struct import_problem {
	size_t row;
	size_t same_as;		/* a repeated row: the row it repeats */
	const char *column;
	const char *text;
	const char *msg;
	bool warning;
};

/* What parsing a file found; every pointer in the request arena. */
struct import {
	struct web *w;
	struct reading *rows;
	size_t *row_numbers;
	size_t n, cap;
	bool *stored;		/* rows[i] is already stored */
	size_t already;
	struct import_problem *problems;	/* repeats left out */
	size_t nproblems;
	size_t problems_total;
	struct import_problem *repeats;
	size_t nrepeats;
	const char *fatal;	/* msgid of a problem that stopped it */
	struct readings_csv_totals totals;
	bool too_many;
};

static enum err
on_row(void *ud, const struct readings_csv_row *row)
{
	struct import *im = ud;
	struct reading *r;

	if (im->n == IMPORT_ROWS_MAX) {
		im->too_many = true;
		return ERR_TOO_LARGE;
	}
	if (im->n == im->cap) {
		size_t cap = im->cap ? 2 * im->cap : 256;
		struct reading *rows = arena_calloc(im->w->ctx.a, cap,
						    sizeof(*rows));
		size_t *nums = arena_calloc(im->w->ctx.a, cap,
					    sizeof(*nums));

		if (!rows || !nums)
			return ERR_NOMEM;
		if (im->n) {
			memcpy(rows, im->rows, im->n * sizeof(*rows));
			memcpy(nums, im->row_numbers, im->n * sizeof(*nums));
		}
		im->rows = rows;
		im->row_numbers = nums;
		im->cap = cap;
	}
	r = &im->rows[im->n];
	memset(r, 0, sizeof(*r));
	r->kind = reading_def(row->value.kind)->key;
	r->at_ms = row->time * 1000;
	if (!reading_to_milli(&row->value, &r->value_milli,
			      &r->value2_milli))
		return ERR_INVALID;
	im->row_numbers[im->n++] = row->row;
	return ERR_OK;
}

static enum err
on_problem(void *ud, const struct readings_csv_problem *p)
{
	struct import *im = ud;
	struct import_problem *x;
	struct arena *a = im->w->ctx.a;

	if (p->level == READINGS_CSV_FATAL)
		im->fatal = p->msg;
	if (p->same_as) {
		if (im->nrepeats == IMPORT_PROBLEMS_SHOWN)
			return ERR_OK;
		if (!im->repeats &&
		    !(im->repeats = arena_calloc(a, IMPORT_PROBLEMS_SHOWN,
						 sizeof(*im->repeats))))
			return ERR_NOMEM;
		x = &im->repeats[im->nrepeats++];
		x->row = p->row;
		x->same_as = p->same_as;
		return ERR_OK;
	}
	im->problems_total++;
	if (im->nproblems == IMPORT_PROBLEMS_SHOWN)
		return ERR_OK;
	if (!im->problems &&
	    !(im->problems = arena_calloc(a, IMPORT_PROBLEMS_SHOWN,
					  sizeof(*im->problems))))
		return ERR_NOMEM;
	x = &im->problems[im->nproblems++];
	x->row = p->row;
	x->column = p->column ? arena_strdup(a, p->column) : NULL;
	x->text = p->text ? arena_strdup(a, p->text) : NULL;
	x->msg = p->msg;
	x->warning = p->level == READINGS_CSV_WARNING;
	return ERR_OK;
}

/* Marks the rows already stored (one query per kind in the file). */
static enum err
mark_stored(struct web *w, int64_t pid, struct import *im)
{
	int k;
	size_t i;

	if (im->n && !(im->stored = arena_calloc(w->ctx.a, im->n,
						 sizeof(*im->stored))))
		return ERR_NOMEM;
	for (k = 0; k < READING__MAX; k++) {
		const char *key = reading_def((enum reading_kind)k)->key;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		struct reading_point *pts;
		size_t n;
		enum err e;

		for (i = 0; i < im->n; i++)
			if (!strcmp(im->rows[i].kind, key)) {
				lo = im->rows[i].at_ms < lo ? im->rows[i].at_ms
							    : lo;
				hi = im->rows[i].at_ms > hi ? im->rows[i].at_ms
							    : hi;
			}
		if (lo > hi)
			continue;
		if ((e = reading_series_range(w->ctx.db, w->ctx.a, pid, key, lo,
					      hi, &pts, &n)) != ERR_OK)
			return e;
		for (i = 0; i < im->n; i++) {
			size_t l = 0, h = n;

			if (strcmp(im->rows[i].kind, key))
				continue;
			/* The points are in time order: the first at the
			 * row's time, then those at the same time. */
			while (l < h) {
				size_t m = l + (h - l) / 2;

				if (pts[m].at_ms < im->rows[i].at_ms)
					l = m + 1;
				else
					h = m;
			}
			for (; l < n && pts[l].at_ms == im->rows[i].at_ms; l++)
				if (pts[l].value_milli ==
					    im->rows[i].value_milli &&
				    pts[l].value2_milli ==
					    im->rows[i].value2_milli) {
					im->stored[i] = true;
					im->already++;
					break;
				}
		}
	}
	return ERR_OK;
}

/* Parses the file; ERR_OK even when it has bad rows or a fatal problem
 * (im->fatal), else the arena's or the database's error. */
static enum err
import_parse(struct web *w, int64_t pid, const char *data, size_t len,
	     struct import *im)
{
	struct readings_csv_opts o;
	enum err e;

	memset(im, 0, sizeof(*im));
	im->w = w;
	if (len > IMPORT_BYTES_MAX) {
		im->fatal = N_("The file is larger than 8 MB. Split it into "
			       "smaller files and import them one by one.");
		return ERR_OK;
	}
	/* Kept as text between preview and confirm: no NUL bytes. */
	if (memchr(data, '\0', len)) {
		im->fatal = N_("This is not a text file. Choose the CSV file "
			       "your spreadsheet or device saved.");
		return ERR_OK;
	}
	memset(&o, 0, sizeof(o));
	o.now = w->ctx.now;
	/* NEEDSWORK: times are read as UTC, as every page shows them; a
	 * patient's time zone would let them type local times. */
	o.utc_offset = 0;
	o.on_row = on_row;
	o.on_problem = on_problem;
	o.ud = im;
	e = readings_csv_parse(w->ctx.a, &o, data, len, &im->totals);
	if (im->too_many) {
		im->fatal = N_("The file has more than 100,000 readings. "
			       "Split it into smaller files and import them "
			       "one by one.");
		return ERR_OK;
	}
	if (e == ERR_NOMEM || e == ERR_DB || e == ERR_INTERNAL)
		return e;
	if (e != ERR_OK && !im->fatal)
		im->fatal = N_("The file could not be read. Check that it is "
			       "a CSV file.");
	if (im->fatal)
		return ERR_OK;
	return mark_stored(w, pid, im);
}

/* Keeps the previewed file until it is confirmed (reading_store.h);
 * its id goes in the confirmation form. */
static enum err
stage_upload(struct web *w, int64_t pid, json_t *ctx, const char *filename,
	     const unsigned char *data, size_t len)
{
	struct write_info wi = {
		.action = "create",
		.resource_type = READING_UPLOAD_RES,
		.patient_id = pid,
		.detail = "reading-upload",
	};
	struct reading_upload *u;
	struct patient p;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!(u = arena_calloc(w->ctx.a, 1, sizeof(*u))))
		return ERR_NOMEM;
	u->id = id_new();
	u->org_id = p.org_id;
	u->patient_id = pid;
	u->account_id = w->account.id;
	u->filename = filename ? filename : "";
	u->body = (const char *)data;
	u->len = len;
	u->created_ms = w->ctx.now * 1000;
	wi.resource_id = arena_printf(w->ctx.a, "%lld", (long long)u->id);
	if ((e = write_commit(&w->ctx, &wi, reading_upload_stage, u)) !=
	    ERR_OK)
		return e;
	jid(ctx, "upload", u->id);
	return ERR_OK;
}

static void
add_explanation(struct web *w, json_t *ctx, int64_t pid)
{
	json_t *arr = jarr(ctx, "measures");
	int k;

	jstr(ctx, "action", patient_path(w, pid, "readings/import"));
	jstr(ctx, "back", patient_path(w, pid, "readings"));
	for (k = 0; k < READING__MAX; k++) {
		const struct reading_def *d = reading_def((enum reading_kind)k);
		json_t *o = jpush(arr);
		struct buf b;
		size_t i;

		jstr(o, "key", d->key);
		jstr(o, "label", tr(w, d->label));
		buf_init(&b, w->ctx.a, 256);
		for (i = 0; i < d->n_units; i++)
			buf_printf(&b, "%s%s", i ? ", " : "",
				   d->units[i].label);
		jstr(o, "units", b.p);
	}
}

static enum err
import_form_page(struct web *w, int status, int64_t pid, const char *error)
{
	json_t *ctx;
	enum err e;

	if (!(ctx = care_page_new(w, pid, N_("Import readings from a file"),
				  "readings", &e)))
		return e;
	add_explanation(w, ctx, pid);
	if (error) {
		struct problems ps = {0};

		problems_add(&ps, "file", error);
		page_problems(w, ctx, &ps);
	}
	return page_render(w, status, "reading_import", ctx);
}

/* GET /patients/:id/readings/import: 200; 403; 404. */
static enum err
get_import(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	return import_form_page(w, 200, pid, NULL);
}

static const char *
column_label(struct web *w, const char *column)
{
	static const struct {
		const char *name;
		const char *label;
	} cols[] = {
		{"date", N_("date")},	  {"time", N_("time")},
		{"measure", N_("measure")}, {"value", N_("value")},
		{"unit", N_("unit")},
	};
	size_t i;

	for (i = 0; column && i < sizeof(cols) / sizeof(cols[0]); i++)
		if (!strcmp(column, cols[i].name))
			return tr(w, cols[i].label);
	return column;
}

static enum err
preview_page(struct web *w, int64_t pid, const char *filename,
	     const unsigned char *data, size_t len, const struct import *im)
{
	json_t *ctx, *arr;
	size_t i, shown = 0, fresh = im->n - im->already;
	size_t bad = im->totals.bad - im->totals.repeated;
	enum err e;

	if (!(ctx = care_page_new(w, pid, N_("Check the readings before "
					     "importing"),
				  "readings", &e)))
		return e;
	add_explanation(w, ctx, pid);
	jbool(ctx, "preview_mode", true);
	jstr(ctx, "filename", filename);
	jint(ctx, "good", (int64_t)im->n);
	jint(ctx, "fresh", (int64_t)fresh);
	jint(ctx, "already", (int64_t)im->already);
	jint(ctx, "bad", (int64_t)bad);
	jint(ctx, "rows", (int64_t)im->totals.rows);
	jbool(ctx, "can_confirm", fresh > 0);
	jstr(ctx, "good_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%zu row can be imported.",
			      "%zu rows can be imported.", fresh),
			  fresh));
	if (im->already)
		jstr(ctx, "already_text",
		     arena_printf(w->ctx.a,
				  trn(w,
				      "%zu row is already stored and will be "
				      "left out.",
				      "%zu rows are already stored and will "
				      "be left out.",
				      im->already),
				  im->already));
	if (bad)
		jstr(ctx, "bad_text",
		     arena_printf(w->ctx.a,
				  trn(w,
				      "%zu row has a problem and will not be "
				      "imported.",
				      "%zu rows have a problem and will not "
				      "be imported.",
				      bad),
				  bad));
	if (im->totals.repeated)
		jstr(ctx, "repeated_text",
		     arena_printf(w->ctx.a,
				  trn(w,
				      "%zu row repeats an earlier row of the "
				      "file and will be imported once.",
				      "%zu rows repeat an earlier row of the "
				      "file and will be imported once.",
				      im->totals.repeated),
				  im->totals.repeated));
	arr = jarr(ctx, "repeats");
	for (i = 0; i < im->nrepeats; i++) {
		json_t *o = jpush(arr);

		jint(o, "row", (int64_t)im->repeats[i].row);
		jint(o, "same_as", (int64_t)im->repeats[i].same_as);
	}
	arr = jarr(ctx, "preview");
	for (i = 0; i < im->n && shown < IMPORT_PREVIEW_ROWS; i++, shown++) {
		const struct reading_def *d = target_measure_kind(
			im->rows[i].kind);
		json_t *o = jpush(arr);

		jint(o, "row", (int64_t)im->row_numbers[i]);
		jstr(o, "when", page_datetime(w, im->rows[i].at_ms / 1000));
		jstr(o, "label", tr(w, d->label));
		jstr(o, "value", value_str(w, d, im->rows[i].value_milli,
					   im->rows[i].value2_milli, true));
		jbool(o, "stored", im->stored && im->stored[i]);
	}
	jbool(ctx, "more_rows", im->n > shown);
	arr = jarr(ctx, "file_problems");
	for (i = 0; i < im->nproblems; i++) {
		const struct import_problem *p = &im->problems[i];
		json_t *o = jpush(arr);

		if (p->row)
			jint(o, "row", (int64_t)p->row);
		jstr(o, "column", column_label(w, p->column));
		jstr(o, "text", p->text);
		jstr(o, "message", tr(w, p->msg));
		jbool(o, "warning", p->warning);
	}
	if (im->problems_total > im->nproblems)
		jstr(ctx, "more_problems",
		     arena_printf(w->ctx.a,
				  trn(w, "And %zu more problem.",
				      "And %zu more problems.",
				      im->problems_total - im->nproblems),
				  im->problems_total - im->nproblems));
	if (fresh && (e = stage_upload(w, pid, ctx, filename, data, len)) !=
			     ERR_OK) {
		json_decref(ctx);
		return e;
	}
	web_audit_read(w, READING_RES, "", pid);
	return page_render(w, 200, "reading_import", ctx);
}

/* Stores the good rows of a confirmed file in one write. */
static enum err
import_store(struct web *w, int64_t pid, const struct import *im,
	     int64_t upload_id)
{
	struct write_info wi = {
		.action = "create",
		.resource_type = READING_RES,
		.resource_id = "",
		.detail = "reading-import",
		.touchpoint_kind = "reading",
	};
	struct reading_import_job *j;
	struct patient p;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	j->org_id = p.org_id;
	j->patient_id = pid;
	j->rows = im->rows;
	j->n = im->n;
	j->source = "csv";
	j->entered_by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	j->upload_id = upload_id;
	wi.patient_id = pid;
	if ((e = write_commit(&w->ctx, &wi, reading_import, j)) ==
	    ERR_NOT_FOUND)
		return import_form_page(w, 400, pid,
					N_("This file was imported already, or "
					   "waited more than a day. Choose it "
					   "again to see what is new in it."));
	if (e != ERR_OK)
		return e;
	return page_redirect(
		w,
		arena_printf(w->ctx.a, "%s?imported=%zu&skipped=%zu&bad=%zu",
			     patient_path(w, pid, "readings"), j->imported,
			     j->skipped, im->totals.bad - im->totals.repeated),
		NULL);
}

/*
 * POST /patients/:id/readings/import (multipart). Step "preview" (a file
 * in "file"): 200 what would be imported and every problem by row, no
 * reading stored (the file is kept for the confirmation); 400 when the
 * file cannot be read at all. Step "confirm" ("upload": the kept file's
 * id, the person's own): 303 to the readings, saying how many were
 * imported and left out; 400 as above or when the file is gone. 403;
 * 404.
 */
static enum err
post_import(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = READING_RES,
		.resource_id = "",
		.detail = "reading-import",
	};
	const struct http_upload *up;
	const unsigned char *data = NULL;
	struct reading_upload kept;
	const char *filename = "";
	struct import im;
	size_t len = 0;
	int64_t pid, upload = 0;
	bool confirm;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	wi.patient_id = pid;
	confirm = !strcmp(web_field(w, "step"), "confirm");
	if (confirm) {
		if (!str_to_i64(str_c(web_field(w, "upload")), 1, INT64_MAX,
				&upload) ||
		    (e = reading_upload_get(w->ctx.db, w->ctx.a, upload, pid,
					    w->account.id, &kept)) ==
			    ERR_NOT_FOUND) {
			write_refused(&w->ctx, &wi);
			return import_form_page(w, 400, pid,
						N_("This file was imported "
						   "already, or waited more "
						   "than a day. Choose it again "
						   "to see what is new in it."));
		}
		if (e != ERR_OK)
			return e;
		data = (const unsigned char *)kept.body;
		len = kept.len;
		filename = kept.filename;
	} else {
		up = http_upload(req, "file");
		if (!up || !up->len) {
			return import_form_page(w, 400, pid,
						N_("Choose a CSV file to "
						   "import."));
		}
		data = up->data;
		len = up->len;
		filename = up->filename;
	}
	if ((e = import_parse(w, pid, (const char *)data, len, &im)) != ERR_OK)
		return e;
	if (im.fatal) {
		if (confirm)
			write_refused(&w->ctx, &wi);
		return import_form_page(w, 400, pid, im.fatal);
	}
	if (!confirm)
		return preview_page(w, pid, filename, data, len, &im);
	if (im.n == 0) {
		write_refused(&w->ctx, &wi);
		return import_form_page(w, 400, pid,
					N_("The file has no readings that can "
					   "be imported."));
	}
	return import_store(w, pid, &im, upload);
}

/* ===================== targets ============================================ */

/* One card of the targets page. */
struct target_card {
	const char *measure;
	const struct reading_def *d;	/* NULL for a score */
	bool has_target;
	struct measure_target stored;
	/* what was typed, after a refused or stale save */
	bool typed;
	const char *low, *high, *advice;
	int version;
	bool conflict;
};

/* Typed text for an end of a stored target: "90/60", "7.5". */
static const char *
end_text(struct web *w, const struct target_card *c, bool has, int64_t v,
	 int64_t v2)
{
	if (!has)
		return "";
	return c->d ? value_str(w, c->d, v, v2, false) : score_str(w, v);
}

static const char *
agreement_name(const struct measure_target *t, const char **label)
{
	struct agreement ag = {
		.patient = t->patient_agreed_ms != 0,
		.professional = t->team_agreed_ms != 0,
	};
	enum agreement_state s = agreement_state(&ag);

	*label = agreement_state_label(s);
	return agreement_state_name(s);
}

static void
add_card(struct web *w, json_t *arr, size_t index, int64_t pid,
	 const struct target_card *c, bool can_write, const char *voice,
	 const struct problems *ps)
{
	const struct measure_target *t = &c->stored;
	json_t *o = jpush(arr), *f;
	const char *id = arena_printf(w->ctx.a, "t%zu", index);
	const char *label;
	bool mine;

	jstr(o, "id", id);
	jstr(o, "measure", c->measure);
	jstr(o, "label", measure_label(w, c->measure));
	jbool(o, "is_bp", c->d && c->d->n_parts > 1);
	if (c->d) {
		jstr(o, "unit", c->d->units[0].label);
		jstr(o, "example_low",
		     c->d->n_parts > 1 ? "90/60" : NULL);
		jstr(o, "example_high",
		     c->d->n_parts > 1 ? "140/90" : NULL);
	}
	jbool(o, "has_target", c->has_target);
	if (c->has_target) {
		add_range(w, o, "range", t, c->d);
		jstr(o, "advice", t->advice);
		jstr(o, "state", agreement_name(t, &label));
		jstr(o, "state_label", tr(w, label));
		if (t->patient_agreed_ms)
			jstr(o, "patient_agreed",
			     page_date(w, t->patient_agreed_ms / 1000));
		if (t->team_agreed_ms) {
			jstr(o, "team_agreed",
			     page_date(w, t->team_agreed_ms / 1000));
			jstr(o, "team_agreed_by", t->team_agreed_by_name);
		}
		jstr(o, "updated", page_date(w, t->updated_ms / 1000));
		jstr(o, "updated_by", t->updated_by_name);
		mine = !strcmp(voice, "patient") ? t->patient_agreed_ms != 0
		       : !strcmp(voice, "professional") ? t->team_agreed_ms != 0
							: true;
		jbool(o, "can_agree", can_write && !mine &&
					      agreement_voice_can_agree(voice));
	}
	jbool(o, "can_write", can_write);
	jbool(o, "open", c->typed || !c->has_target);
	jbool(o, "conflict", c->conflict);
	f = jobj(o, "form");
	jint(f, "version", c->typed ? c->version
				    : c->has_target ? t->version : 0);
	if (c->typed) {
		care_jform(f, "low", c->low);
		care_jform(f, "high", c->high);
		care_jform(f, "advice", c->advice);
	} else {
		care_jform(f, "low", end_text(w, c, t->has_low, t->low_milli,
					      t->low2_milli));
		care_jform(f, "high", end_text(w, c, t->has_high,
					       t->high_milli, t->high2_milli));
		care_jform(f, "advice", c->has_target ? t->advice : "");
	}
	if (ps && c->typed) {
		static const char *const fields[] = {"low", "high", "advice",
						     "measure"};
		size_t i;

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			const char *m = problems_for(ps, arena_printf(
						     w->ctx.a, "%s-%s", id,
						     fields[i]));

			if (m)
				jstr(o, arena_printf(w->ctx.a, "error_%s",
						     fields[i]),
				     tr(w, m));
		}
	}
}

/*
 * The targets page: a card per reading kind or score with a target, the
 * one asked for with ?measure= (or `typed`'s), and a chooser for the
 * others.
 */
static enum err
targets_page(struct web *w, int status, int64_t pid,
	     const struct target_card *typed, const struct problems *ps)
{
	struct measure_target *list;
	struct target_card c;
	const char *asked = typed ? typed->measure : web_field(w, "measure");
	const char *voice = role_voice(w->ctx.actor.role);
	bool can_write = patient_allowed(w, pid, RES_MEASURES, ACT_WRITE);
	bool asked_shown = false;
	json_t *ctx, *cards, *kinds;
	size_t n, i, index = 0;
	enum err e;
	int k;

	if ((e = target_list(w->ctx.db, w->ctx.a, pid, &list, &n)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Targets"), "readings", &e)))
		return e;
	jstr(ctx, "action", patient_path(w, pid, "targets"));
	jstr(ctx, "readings_href", patient_path(w, pid, "readings"));
	jbool(ctx, "can_write", can_write);
	jbool(ctx, "proposes_only", can_write &&
					    !agreement_voice_can_agree(voice));
	cards = jarr(ctx, "cards");
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.measure = list[i].measure;
		c.d = target_measure_kind(c.measure);
		if (!c.d && !target_measure_is_score(c.measure))
			continue;
		c.has_target = true;
		c.stored = list[i];
		if (typed && !strcmp(typed->measure, c.measure)) {
			c = *typed;
			c.stored = list[i];
			c.has_target = true;
		}
		if (asked && !strcmp(asked, c.measure))
			asked_shown = true;
		add_card(w, cards, ++index, pid, &c, can_write, voice, ps);
	}
	if (can_write && asked && *asked && !asked_shown &&
	    (target_measure_kind(asked) || target_measure_is_score(asked))) {
		if (typed) {
			c = *typed;
		} else {
			memset(&c, 0, sizeof(c));
			c.measure = asked;
			c.d = target_measure_kind(asked);
		}
		add_card(w, cards, ++index, pid, &c, can_write, voice, ps);
	}
	kinds = jarr(ctx, "choices");
	for (k = 0; k < READING__MAX; k++) {
		const struct reading_def *d = reading_def((enum reading_kind)k);
		json_t *o;

		for (i = 0; i < n && strcmp(list[i].measure, d->key); i++)
			;
		if (i < n)
			continue;
		o = jpush(kinds);
		jstr(o, "key", d->key);
		jstr(o, "label", tr(w, d->label));
	}
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, TARGET_RES, "", pid);
	return page_render(w, status, "targets", ctx);
}

/* GET /patients/:id/targets[?measure=M]: 200; 403; 404. */
static enum err
get_targets(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_READ);
	return targets_page(w, 200, pid, NULL, NULL);
}

/*
 * A number as people type it: digits with one '.' or ',' for decimals,
 * an optional minus; into thousandths.
 */
static bool
parse_number_milli(const char *s, int64_t *out)
{
	char digits[32];
	size_t i, n = 0;
	bool point = false, any = false;
	int64_t v;

	for (i = 0; s[i]; i++) {
		char ch = s[i];

		if (n + 1 >= sizeof(digits))
			return false;
		if (ch >= '0' && ch <= '9') {
			digits[n++] = ch;
			any = true;
		} else if ((ch == '.' || ch == ',') && !point) {
			digits[n++] = '.';
			point = true;
		} else if (ch == '-' && i == 0) {
			digits[n++] = ch;
		} else {
			return false;
		}
	}
	digits[n] = '\0';
	if (!any)
		return false;
	{
		/* Whole part and up to three decimals, exactly. */
		const char *dot = strchr(digits, '.');
		struct str whole = {digits, dot ? (size_t)(dot - digits) : n};
		int64_t frac = 0, scale = 100;
		bool neg = digits[0] == '-';
		const char *p;

		if (whole.len == (size_t)neg) {
			v = 0;
		} else if (!str_to_i64(whole, -1000000000LL, 1000000000LL,
				       &v)) {
			return false;
		}
		for (p = dot ? dot + 1 : ""; *p; p++) {
			if (!scale)
				return false;
			frac += (*p - '0') * scale;
			scale /= 10;
		}
		*out = neg ? v * 1000 - frac : v * 1000 + frac;
	}
	return true;
}

/* One end of a target typed in the form into `t` (`high` or low). */
static void
end_from_form(const struct reading_def *d, const char *text, bool high,
	      const char *field, struct measure_target *t,
	      struct problems *ps)
{
	struct reading_value v;
	const char *why = NULL;
	int64_t a = 0, b = 0;
	bool ok;

	if (!*text)
		return;
	if (d) {
		ok = reading_parse(d->kind, str_c(text), str_c(""), &v, &why) &&
		     reading_to_milli(&v, &a, &b);
		if (!ok) {
			problems_add(ps, field, why ? why : d->example);
			return;
		}
	} else if (!parse_number_milli(text, &a)) {
		problems_add(ps, field,
			     N_("Enter a number, for example 10 or 7.5."));
		return;
	}
	if (high) {
		t->has_high = true;
		t->high_milli = a;
		t->has_high2 = d && d->n_parts > 1;
		t->high2_milli = t->has_high2 ? b : 0;
	} else {
		t->has_low = true;
		t->low_milli = a;
		t->has_low2 = d && d->n_parts > 1;
		t->low2_milli = t->has_low2 ? b : 0;
	}
}

/* The problems of target_validate() named for the card's fields. */
static void
rename_problems(struct web *w, const char *id, const struct problems *in,
		struct problems *out)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		problems_add(out, arena_printf(w->ctx.a, "%s-%s", id,
					       in->p[i].field),
			     in->p[i].msg);
}

/* The card id the targets page gives `measure` when it shows it again
 * with what was typed (see targets_page()). */
static const char *
card_id(struct web *w, int64_t pid, const char *measure)
{
	struct measure_target *list;
	size_t n, i, index = 0;

	if (target_list(w->ctx.db, w->ctx.a, pid, &list, &n) != ERR_OK)
		return "t1";
	for (i = 0; i < n; i++) {
		if (!target_measure_kind(list[i].measure) &&
		    !target_measure_is_score(list[i].measure))
			continue;
		index++;
		if (!strcmp(list[i].measure, measure))
			return arena_printf(w->ctx.a, "t%zu", index);
	}
	return arena_printf(w->ctx.a, "t%zu", index + 1);
}

/*
 * POST /patients/:id/targets: "step" "save" (fields measure, version,
 * low, high, advice) or "agree" (measure, version). 303 back to the
 * targets; 400 with the messages beside the fields, everything typed
 * kept; 409 when the target changed since the form was opened (what is
 * stored now and what was typed both shown); 403 (also a caregiver
 * agreeing); 404.
 */
static enum err
post_target(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = TARGET_RES,
		.detail = "measure-target",
		.touchpoint_kind = "measure-target",
	};
	struct target_job *j;
	struct target_card typed;
	struct measure_target stored;
	struct problems ps = {0}, named = {0};
	const char *measure = web_field(w, "measure");
	bool agree = !strcmp(web_field(w, "step"), "agree");
	bool exists;
	struct patient p;
	int64_t pid, version;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	wi.patient_id = pid;
	wi.resource_id = measure;
	if (!target_measure_kind(measure) && !target_measure_is_score(measure))
		return ERR_INVALID;
	if (!str_to_i64(str_c(web_field(w, "version")), 0, INT32_MAX,
			&version))
		return ERR_INVALID;
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	e = target_get(w->ctx.db, w->ctx.a, pid, measure, &stored);
	if (e != ERR_OK && e != ERR_NOT_FOUND)
		return e;
	exists = e == ERR_OK;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	j->t.patient_id = pid;
	j->t.org_id = p.org_id;
	j->t.measure = measure;
	j->version = (int)version;
	j->agree = agree;
	j->voice = role_voice(w->ctx.actor.role);
	j->by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	memset(&typed, 0, sizeof(typed));
	typed.measure = measure;
	typed.d = target_measure_kind(measure);
	typed.typed = true;
	typed.version = (int)version;
	typed.low = web_field(w, "low");
	typed.high = web_field(w, "high");
	typed.advice = web_field(w, "advice");
	if (agree) {
		wi.action = "agree";
		if (!agreement_voice_can_agree(j->voice)) {
			write_refused(&w->ctx, &wi);
			return ERR_FORBIDDEN;
		}
		if (!exists)
			return ERR_NOT_FOUND;
		typed.low = end_text(w, &typed, stored.has_low,
				     stored.low_milli, stored.low2_milli);
		typed.high = end_text(w, &typed, stored.has_high,
				      stored.high_milli, stored.high2_milli);
		typed.advice = stored.advice;
	} else {
		wi.action = exists ? "update" : "create";
		end_from_form(typed.d, typed.low, false, "low", &j->t, &ps);
		end_from_form(typed.d, typed.high, true, "high", &j->t, &ps);
		j->t.advice = typed.advice;
		if (!ps.n)
			target_validate(&j->t, &ps);
		if (ps.n) {
			rename_problems(w, card_id(w, pid, measure), &ps,
					&named);
			write_refused(&w->ctx, &wi);
			return targets_page(w, 400, pid, &typed, &named);
		}
	}
	if (exists ? stored.version != version : version != 0) {
		typed.conflict = true;
		typed.version = exists ? stored.version : 0;
		return targets_page(w, 409, pid, &typed, NULL);
	}
	e = write_commit(&w->ctx, &wi, target_write, j);
	if (e == ERR_CONFLICT) {
		typed.conflict = true;
		e = target_get(w->ctx.db, w->ctx.a, pid, measure, &stored);
		typed.version = e == ERR_OK ? stored.version : 0;
		return targets_page(w, 409, pid, &typed, NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, patient_path(w, pid, "targets"), "saved");
}

static const struct http_route reading_routes[] = {
	{HTTP_GET, "/patients/:id/readings", get_readings, 0, NULL},
	{HTTP_POST, "/patients/:id/readings", post_reading, 0, NULL},
	{HTTP_GET, "/patients/:id/readings/import", get_import, 0, NULL},
	{HTTP_POST, "/patients/:id/readings/import", post_import,
	 HTTP_ROUTE_UPLOAD, NULL},
	{HTTP_GET, "/patients/:id/targets", get_targets, 0, NULL},
	{HTTP_POST, "/patients/:id/targets", post_target, 0, NULL},
};

enum err
reading_web_routes(struct http_router *r)
{
	return http_router_add(r, reading_routes,
			       sizeof(reading_routes) /
				       sizeof(reading_routes[0]));
}

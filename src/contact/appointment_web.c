/*
 * Appointment pages. Patients (and caregivers acting for them) see their
 * appointments, book an open slot of their care team or unit, move and
 * cancel within the unit's rules; staff keep schedules (add slots from a
 * pattern, withdraw open ones), book, move and cancel for a patient at
 * any time (marking a request that came by phone or at the desk), and
 * record attendance; administrators set each unit's rules. No page needs
 * JavaScript. Every change goes through write_commit() with the
 * touchpoint kind "appointment".
 */
#include "contact/contact_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "contact/appointment.h"
#include "contact/slot.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/str.h"
#include "http/http.h"
#include "people/careteam.h"
#include "people/org.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define DAY 86400
#define WEEK (7 * DAY)
#define BOOK_WINDOW_DAYS 90	/* staff see open slots this far ahead */
#define PROFESSIONALS_MAX 200

static const char *const weekdays[7] = {
	N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"),
	N_("Monday"),   N_("Tuesday"), N_("Wednesday"),
};

static const struct {
	const char *code;
	const char *label;
} statuses[] = {
	{"booked", N_("Booked")},
	{"cancelled", N_("Cancelled")},
	{"attended", N_("Attended")},
	{"no_show", N_("Did not attend")},
};

static const struct {
	const char *code;
	const char *label;
} channels[] = {
	{"web", N_("Online")},
	{"phone", N_("By phone")},
	{"desk", N_("At the desk")},
};

/* The patient or a caregiver acting for them: the unit's rules apply. */
static bool
patient_side(struct web *w)
{
	return w->account.role == ROLE_PATIENT ||
	       w->account.role == ROLE_CAREGIVER;
}

static bool
may_schedule(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->account.org_id,
				 ORG_SCHEDULE);
}

static const char *
status_words(struct web *w, const struct appointment *ap)
{
	size_t i;

	if (!strcmp(ap->status, "cancelled") && ap->late_cancel)
		return tr(w, N_("Cancelled late"));
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (!strcmp(ap->status, statuses[i].code))
			return tr(w, statuses[i].label);
	return ap->status;
}

static const char *
channel_words(struct web *w, const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		if (!strcmp(code, channels[i].code))
			return tr(w, channels[i].label);
	return code;
}

static const char *
hhmm(struct web *w, int64_t t)
{
	int64_t s = ((t % DAY) + DAY) % DAY;

	return arena_printf(w->ctx.a, "%02d:%02d", (int)(s / 3600),
			    (int)(s % 3600 / 60));
}

/* "Tuesday 19 Jan 2027" (UTC). */
static const char *
day_words(struct web *w, int64_t t)
{
	int64_t day = t >= 0 ? t / DAY : (t - DAY + 1) / DAY;

	return arena_printf(w->ctx.a, "%s %s",
			    tr(w, weekdays[((day % 7) + 7) % 7]),
			    page_date(w, t));
}

/* Parses "HH:MM" into minutes from midnight; -1 when it is not a time. */
static int
parse_hhmm(const char *s)
{
	int64_t h, m;
	const char *colon = strchr(s, ':');

	if (!colon || colon - s < 1 || colon - s > 2 ||
	    strlen(colon + 1) != 2 ||
	    !str_to_i64((struct str){s, (size_t)(colon - s)}, 0, 23, &h) ||
	    !str_to_i64(str_c(colon + 1), 0, 59, &m))
		return -1;
	return (int)(h * 60 + m);
}

/* A whole number from a form field; `fallback` when it is not one. */
static int
field_int(struct web *w, const char *name, int min, int max, int fallback)
{
	int64_t v;

	return str_to_i64(str_c(web_field(w, name)), min, max, &v) ? (int)v
								  : fallback;
}

static const char *
id_text(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "%lld", (long long)id);
}

/* Where, how: the place, the phone or the video link. */
static void
put_modality(struct web *w, json_t *o, const char *modality,
	     const char *place, const char *link)
{
	jstr(o, "modality", tr(w, slot_modality_label(modality)));
	jbool(o, "in_person", !strcmp(modality, "in_person"));
	jbool(o, "video", !strcmp(modality, "video"));
	jstr(o, "place", place);
	jstr(o, "link", link);
}

static void
put_appointment(struct web *w, json_t *o, const struct appointment *ap)
{
	jstr(o, "href", appointment_link(w->ctx.a, ap->id));
	jstr(o, "day", day_words(w, ap->starts_at));
	jstr(o, "time", hhmm(w, ap->starts_at));
	jstr(o, "end", hhmm(w, ap->ends_at));
	jstr(o, "professional", ap->professional_name);
	jstr(o, "patient", ap->patient_name);
	jstr(o, "status", status_words(w, ap));
	jstr(o, "reason", ap->reason);
	jbool(o, "booked", !strcmp(ap->status, "booked"));
	put_modality(w, o, ap->modality, ap->place, ap->link);
}

/*
 * Slot `s` as a new row of the day it starts on in `days` (a new day,
 * with its heading and key, when it is not `*cur_day`, the day of
 * `*rows`); returns the row.
 */
static json_t *
put_slot(struct web *w, json_t *days, json_t **rows, int64_t *cur_day,
	 const struct slot *s)
{
	json_t *o;

	if (s->starts_at / DAY != *cur_day) {
		json_t *d = jpush(days);

		*cur_day = s->starts_at / DAY;
		jstr(d, "day", day_words(w, s->starts_at));
		jid(d, "key", *cur_day);
		*rows = jarr(d, "slots");
	}
	o = jpush(*rows);
	jid(o, "id", s->id);
	jstr(o, "time", hhmm(w, s->starts_at));
	jstr(o, "end", hhmm(w, s->ends_at));
	jstr(o, "professional", s->professional_name);
	put_modality(w, o, s->modality, s->place, s->link);
	return o;
}

/* --- a patient's appointments --------------------------------------------- */

static enum err
list_page(struct web *w, int64_t pid)
{
	struct appointment *ap;
	struct patient p;
	json_t *ctx, *up, *past;
	size_t n, i;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if ((e = appointment_list_patient(w->ctx.db, w->ctx.a, pid,
					  APPT_LIST_MAX, &ap, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, w->account.patient_id == pid ? N_("My appointments")
						       : N_("Appointments"));
	jid(ctx, "patient_id", pid);
	jstr(ctx, "patient_name", arena_printf(w->ctx.a, "%s %s",
					       p.given_name, p.family_name));
	jbool(ctx, "own", w->account.patient_id == pid);
	jbool(ctx, "can_book", patient_allowed(w, pid, RES_CONTACT,
					       ACT_WRITE));
	up = jarr(ctx, "upcoming");
	past = jarr(ctx, "past");
	/* Newest first from the store; upcoming shown soonest first. */
	for (i = n; i-- > 0;)
		if (ap[i].ends_at > w->ctx.now &&
		    strcmp(ap[i].status, "cancelled"))
			put_appointment(w, jpush(up), &ap[i]);
	for (i = 0; i < n; i++)
		if (!(ap[i].ends_at > w->ctx.now &&
		      strcmp(ap[i].status, "cancelled")))
			put_appointment(w, jpush(past), &ap[i]);
	web_audit_read(w, APPT_RES, "", pid);
	return page_render(w, 200, "appointments", ctx);
}

/* GET /patients/:id/appointments: 200; 403; 404. */
static enum err
get_patient_appointments(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CONTACT, ACT_READ);
	return list_page(w, pid);
}

/* --- staff schedules ------------------------------------------------------ */

static enum err
add_professionals(struct web *w, json_t *ctx, int64_t chosen)
{
	struct account *acc;
	size_t n, i;
	json_t *arr = jarr(ctx, "professionals");
	enum err e;

	if ((e = account_list(w->ctx.db, w->ctx.a, w->account.org_id,
			      ROLE_PROFESSIONAL, "", PROFESSIONALS_MAX, &acc,
			      &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", acc[i].id);
		jstr(o, "name", acc[i].display_name);
		jbool(o, "selected", acc[i].id == chosen);
	}
	return ERR_OK;
}

/* The professional a schedule page is about: a professional's own
 * (the names in it are their patients'); for reception the one chosen,
 * 0 for everyone. ERR_INVALID for a value that is not an id. */
static enum err
schedule_professional(struct web *w, int64_t *out)
{
	const char *v = web_field(w, "professional");

	*out = 0;
	if (w->account.role == ROLE_PROFESSIONAL) {
		*out = w->account.id;
		return ERR_OK;
	}
	if (!*v)
		return ERR_OK;
	return str_to_i64(str_c(v), 0, INT64_MAX, out) ? ERR_OK
						       : ERR_INVALID;
}

/* GET /appointments for staff: a day or a week of a schedule (day=,
 * week=1, professional=): 200; 400 for an impossible date. */
static enum err
schedule_page(struct web *w)
{
	const char *day = web_field(w, "day");
	bool week = !strcmp(web_field(w, "view"), "week");
	int64_t from, to, pro, today = w->ctx.now / DAY * DAY;
	struct slot *s;
	json_t *ctx, *days = NULL, *rows = NULL;
	int64_t cur_day = -1;
	size_t n, i;
	enum err e;

	if (!*day)
		from = today;
	else if (!clock_parse_date(day, &from))
		return ERR_INVALID;
	if ((e = schedule_professional(w, &pro)) != ERR_OK)
		return e;
	to = from + (week ? WEEK : DAY);
	if ((e = slot_list_schedule(w->ctx.db, w->ctx.a, w->account.org_id,
				    pro, from, to, SLOT_LIST_MAX, &s, &n)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, N_("Appointments"));
	jstr(ctx, "day", clock_date(w->ctx.a, from));
	jstr(ctx, "day_words", day_words(w, from));
	jbool(ctx, "week", week);
	jstr(ctx, "prev", clock_date(w->ctx.a, from - (week ? WEEK : DAY)));
	jstr(ctx, "next", clock_date(w->ctx.a, from + (week ? WEEK : DAY)));
	jstr(ctx, "view", week ? "week" : "day");
	jstr(ctx, "professional", pro ? id_text(w, pro) : "");
	jbool(ctx, "all", !pro);
	jbool(ctx, "reception", w->account.role != ROLE_PROFESSIONAL);
	jbool(ctx, "can_schedule", may_schedule(w));
	if (w->account.role != ROLE_PROFESSIONAL &&
	    (e = add_professionals(w, ctx, pro)) != ERR_OK)
		return e;
	days = jarr(ctx, "days");
	for (i = 0; i < n; i++) {
		json_t *o;
		bool past = s[i].starts_at <= w->ctx.now;
		bool booked = s[i].appointment_id != 0;

		o = put_slot(w, days, &rows, &cur_day, &s[i]);
		if (booked) {
			struct appointment ap = {
				.status = s[i].appointment_status,
			};

			jstr(o, "patient", s[i].patient_name);
			jstr(o, "href",
			     appointment_link(w->ctx.a, s[i].appointment_id));
			jstr(o, "status", status_words(w, &ap));
			jbool(o, "can_mark", past);
		} else {
			jstr(o, "status", tr(w, N_("Open")));
			jbool(o, "can_withdraw", !past && may_schedule(w));
		}
	}
	jbool(ctx, "more", n == SLOT_LIST_MAX);
	return page_render(w, 200, "appointment_schedule", ctx);
}

/* For a caregiver: the people they help whose appointments they may
 * see, each linking to that person's appointments. */
static enum err
caregiver_page(struct web *w)
{
	struct grant *g;
	json_t *ctx = page_new(w, N_("Appointments")), *arr;
	size_t n, i;
	enum err e;

	if ((e = grant_list_for_caregiver(w->ctx.db, w->ctx.a, w->account.id,
					  w->ctx.now, &g, &n)) != ERR_OK)
		return e;
	arr = jarr(ctx, "people");
	for (i = 0; i < n; i++) {
		json_t *o;

		if (!patient_allowed(w, g[i].patient_id, RES_CONTACT, ACT_READ))
			continue;
		o = jpush(arr);
		jstr(o, "name", g[i].patient_name);
		jstr(o, "href", arena_printf(w->ctx.a,
					     "/patients/%lld/appointments",
					     (long long)g[i].patient_id));
	}
	return page_render(w, 200, "appointments_caregiver", ctx);
}

/* GET /appointments: the patient's own list, a caregiver's list of the
 * people they help, or a staff schedule; 403 for anyone else. */
static enum err
get_appointments(struct req *req)
{
	struct web *w = web_of(req);

	if (w->account.role == ROLE_CAREGIVER)
		return caregiver_page(w);
	if (w->account.role == ROLE_PATIENT && w->account.patient_id) {
		PATIENT_ACCESS_OR_RESPOND(w, w->account.patient_id,
					  RES_CONTACT, ACT_READ);
		return list_page(w, w->account.patient_id);
	}
	if (!may_schedule(w))
		return ERR_FORBIDDEN;
	return schedule_page(w);
}

/* --- adding availability -------------------------------------------------- */

struct slot_form {
	const char *professional;
	const char *day;
	const char *start;
	const char *end;
	const char *length;
	const char *weeks;
	const char *modality;
	const char *place;
	const char *link;
};

static enum err
slots_form_page(struct web *w, int status, const struct slot_form *f,
		int64_t pro, const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Add times for appointments")), *form,
	       *mods;
	enum err e;
	int i;

	form = jobj(ctx, "form");
	jstr(form, "day", f->day);
	jstr(form, "start", f->start);
	jstr(form, "end", f->end);
	jstr(form, "length", f->length);
	jstr(form, "weeks", f->weeks);
	jstr(form, "place", f->place);
	jstr(form, "link", f->link);
	mods = jarr(ctx, "modalities");
	for (i = 0; i < SLOT__MAX; i++) {
		json_t *o = jpush(mods);
		const char *code = slot_modality_code((enum slot_modality)i);

		jstr(o, "code", code);
		jstr(o, "label", tr(w, slot_modality_label(code)));
		jbool(o, "checked", !strcmp(code, f->modality));
	}
	jbool(ctx, "reception", w->account.role != ROLE_PROFESSIONAL);
	if (w->account.role != ROLE_PROFESSIONAL &&
	    (e = add_professionals(w, ctx, pro)) != ERR_OK)
		return e;
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "appointment_slots", ctx);
}

/* GET /appointments/slots/new: 200; 403 but for professionals and
 * reception. */
static enum err
get_slots_new(struct req *req)
{
	struct web *w = web_of(req);
	struct slot_form f = {"", "", "09:00", "12:00", "20", "1", "in_person",
			      "", ""};

	if (!may_schedule(w))
		return ERR_FORBIDDEN;
	f.day = clock_date(w->ctx.a, w->ctx.now + DAY);
	return slots_form_page(w, 200, &f, 0, NULL);
}

/* One line of text with no control characters. */
static bool
one_line(const char *s)
{
	return !str_has_control(s, strlen(s)) && !strpbrk(s, "\t\r\n");
}

/* POST /appointments/slots/new: 303 to the schedule of the first day;
 * 400 with the form for invalid input; 403. */
static enum err
post_slots_new(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = SLOT_RES,
		.resource_id = "",
		.detail = "slots",
	};
	struct slot_form f;
	struct slot_pattern p;
	struct problems ps = {0};
	struct account acc;
	int64_t pro = 0;
	enum err e;

	if (!may_schedule(w))
		return ERR_FORBIDDEN;
	f.professional = web_field(w, "professional");
	f.day = web_field(w, "day");
	f.start = web_field(w, "start");
	f.end = web_field(w, "end");
	f.length = web_field(w, "length");
	f.weeks = web_field(w, "weeks");
	f.modality = web_field(w, "modality");
	f.place = web_field(w, "place");
	f.link = web_field(w, "link");
	memset(&p, 0, sizeof(p));
	/* A professional keeps their own schedule; reception chooses. */
	if (w->account.role == ROLE_PROFESSIONAL)
		pro = w->account.id;
	else if (!str_to_i64(str_c(f.professional), 1, INT64_MAX, &pro) ||
		 account_get(w->ctx.db, w->ctx.a, pro, &acc) != ERR_OK ||
		 acc.org_id != w->account.org_id ||
		 acc.role != ROLE_PROFESSIONAL) {
		problems_add(&ps, "professional",
			     N_("Choose whose times these are."));
		pro = 0;
	}
	if (pro && (e = account_get(w->ctx.db, w->ctx.a, pro, &acc)) !=
		       ERR_OK)
		return e;
	p.org_id = w->account.org_id;
	p.unit_id = pro ? acc.unit_id : 0;
	p.professional_id = pro;
	p.created_by = w->account.id;
	p.now = w->ctx.now;
	p.start_min = parse_hhmm(f.start);
	p.end_min = parse_hhmm(f.end);
	p.length_min = field_int(w, "length", 0, 1000, -1);
	p.weeks = field_int(w, "weeks", 0, 1000, -1);
	p.modality = f.modality;
	p.place = f.place;
	p.link = f.link;
	if (!clock_parse_date(f.day, &p.first_day))
		problems_add(&ps, "day",
			     N_("Enter a date such as 2027-03-09."));
	else
		slot_pattern_validate(&p, &ps);
	if (!one_line(f.place))
		problems_add(&ps, "place", N_("Write the place on one line."));
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return slots_form_page(w, 400, &f, pro, &ps);
	}
	e = write_commit(&w->ctx, &wi, slot_pattern_add, &p);
	if (e == ERR_INVALID) {
		problems_add(&ps, "day",
			     N_("Those times overlap times already in this "
				"schedule. Nothing was added."));
		return slots_form_page(w, 400, &f, pro, &ps);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a,
					     "/appointments?day=%s&view=week"
					     "&professional=%lld",
					     f.day, (long long)pro),
			     "slots-added");
}

/* POST /appointments/slots/:sid/withdraw: 303 to the schedule; 403; 404;
 * 409 when it was booked meanwhile. */
static enum err
post_slot_withdraw(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "withdraw",
		.resource_type = SLOT_RES,
	};
	struct slot_withdraw sw;
	struct slot s;
	enum err e;

	if (!may_schedule(w))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "sid", &sw.slot_id)) != ERR_OK)
		return e;
	sw.org_id = w->account.org_id;
	sw.professional_id = w->account.role == ROLE_PROFESSIONAL
				     ? w->account.id
				     : 0;
	if ((e = slot_get(w->ctx.db, w->ctx.a, sw.org_id, sw.slot_id, &s)) !=
	    ERR_OK)
		return e;
	wi.resource_id = id_text(w, s.id);
	if ((e = write_commit(&w->ctx, &wi, slot_withdraw, &sw)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a,
					     "/appointments?day=%s",
					     clock_date(w->ctx.a,
							s.starts_at)),
			     "slot-withdrawn");
}

/* --- booking and moving --------------------------------------------------- */

/*
 * The open slots the signed-in person may book patient `p` into,
 * grouped by day into `ctx` "days": patient side, those of the team or
 * unit the unit's rules allow now; staff, those of the team or unit for
 * the next BOOK_WINDOW_DAYS days. `chosen` is checked; `except` (the
 * slot of an appointment being moved) is left out.
 */
static enum err
add_open_slots(struct web *w, json_t *ctx, const struct patient *p,
	       int64_t chosen, int64_t except)
{
	struct appointment_rule rule;
	struct slot *s;
	json_t *days = jarr(ctx, "days"), *rows = NULL;
	int64_t cur_day = -1, unit = -1;
	int64_t ahead = patient_side(w) ? 366 : BOOK_WINDOW_DAYS;
	size_t n, i, shown = 0;
	enum err e;

	if ((e = slot_list_for_patient(w->ctx.db, w->ctx.a, p->id, w->ctx.now,
				       w->ctx.now + ahead * DAY, SLOT_LIST_MAX,
				       &s, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o;

		if (s[i].id == except)
			continue;
		if (patient_side(w)) {
			if (s[i].unit_id != unit &&
			    (e = appointment_rule_get(w->ctx.db, s[i].unit_id,
						      &rule)) != ERR_OK)
				return e;
			unit = s[i].unit_id;
			if (appointment_may_book(&rule, w->ctx.now,
						 s[i].starts_at) != APPT_NONE)
				continue;
		}
		o = put_slot(w, days, &rows, &cur_day, &s[i]);
		jbool(o, "checked", s[i].id == chosen);
		shown++;
	}
	jbool(ctx, "has_slots", shown > 0);
	return ERR_OK;
}

/* The rules of the patient's unit, in words on the booking pages. */
static enum err
add_rules(struct web *w, json_t *ctx, const struct patient *p)
{
	struct appointment_rule r;
	json_t *o;
	enum err e;

	if ((e = appointment_rule_get(w->ctx.db, p->unit_id, &r)) != ERR_OK)
		return e;
	o = jobj(ctx, "rules");
	jint(o, "ahead", r.book_ahead_days);
	jint(o, "notice", r.min_notice_hours);
	jint(o, "cancel", r.cancel_notice_hours);
	jint(o, "late", r.late_cancel_hours);
	jbool(o, "self_off", !r.patients_book);
	jbool(ctx, "patient_side", patient_side(w));
	return ERR_OK;
}

struct book_form {
	int64_t slot_id;
	const char *reason;
	const char *channel;
	int64_t consultation_id;
};

static void
add_channels(struct web *w, json_t *ctx, const char *chosen)
{
	json_t *arr = jarr(ctx, "channels");
	size_t i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
		json_t *o = jpush(arr);

		jstr(o, "code", channels[i].code);
		jstr(o, "label", tr(w, i ? channels[i].label
					 : N_("Staff arranged it")));
		jbool(o, "checked", !strcmp(channels[i].code, chosen));
	}
}

/*
 * The booking page of patient `p` (`ap` NULL) or the page to move
 * appointment `ap`, with `refusal` above when a rule or a race refused
 * what was sent.
 */
static enum err
book_page(struct web *w, int status, const struct patient *p,
	  const struct appointment *ap, const struct book_form *f,
	  enum appt_refusal refusal, const struct problems *ps)
{
	json_t *ctx, *form;
	enum err e;

	ctx = page_new(w, ap ? N_("Move an appointment")
			     : N_("Book an appointment"));
	jid(ctx, "patient_id", p->id);
	jstr(ctx, "patient_name", arena_printf(w->ctx.a, "%s %s",
					       p->given_name, p->family_name));
	jbool(ctx, "own", w->account.patient_id == p->id);
	jbool(ctx, "moving", ap != NULL);
	if (ap) {
		json_t *o = jobj(ctx, "current");

		put_appointment(w, o, ap);
		jstr(ctx, "action", arena_printf(w->ctx.a, "%s/move",
						 appointment_link(w->ctx.a,
								  ap->id)));
		jstr(ctx, "back", appointment_link(w->ctx.a, ap->id));
	} else {
		jstr(ctx, "action",
		     arena_printf(w->ctx.a, "/patients/%lld/appointments/new",
				  (long long)p->id));
		jstr(ctx, "back",
		     arena_printf(w->ctx.a, "/patients/%lld/appointments",
				  (long long)p->id));
	}
	form = jobj(ctx, "form");
	jstr(form, "reason", f->reason);
	if (f->consultation_id)
		jid(form, "consultation", f->consultation_id);
	if (!patient_side(w))
		add_channels(w, ctx, f->channel);
	jstr(ctx, "refusal", tr(w, appointment_refusal_text(refusal)));
	jbool(ctx, "taken", refusal == APPT_TAKEN);
	if ((e = add_rules(w, ctx, p)) != ERR_OK ||
	    (e = add_open_slots(w, ctx, p, f->slot_id,
				ap ? ap->slot_id : 0)) != ERR_OK)
		return e;
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "appointment_book", ctx);
}

/* A consultation id from the form or the query: 0 when absent or not
 * one of this patient's (the booking then stands alone). */
static int64_t
consultation_of(struct web *w, int64_t pid)
{
	int64_t cid;
	bool ok = false;

	if (!str_to_i64(str_c(web_field(w, "consultation")), 1, INT64_MAX,
			&cid))
		return 0;
	if (appointment_consultation_is_patients(w->ctx.db, cid, pid, &ok) !=
		    ERR_OK ||
	    !ok)
		return 0;
	return cid;
}

/* GET /patients/:id/appointments/new[?consultation=]: 200; 403; 404. */
static enum err
get_book(struct req *req)
{
	struct web *w = web_of(req);
	struct book_form f = {0, "", "phone", 0};
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CONTACT, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	f.consultation_id = consultation_of(w, pid);
	return book_page(w, 200, &p, NULL, &f, APPT_NONE, NULL);
}

/* The channel of a staff booking; false for an unknown one. */
static bool
staff_channel(struct web *w, const char *channel)
{
	size_t i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		if (!strcmp(channel, channels[i].code)) {
			/* A request by phone or at the desk is the
			 * patient's, keyed in by staff. */
			w->ctx.channel = channels[i].code;
			w->ctx.patient_initiated = i > 0;
			return true;
		}
	return false;
}

/*
 * Reads the booking form into `f` and `c`. Problems: no slot chosen, an
 * unknown channel, the reason.
 */
static void
read_book_form(struct web *w, int64_t pid, struct book_form *f,
	       struct appointment_change *c, struct problems *ps)
{
	f->reason = web_field(w, "reason");
	f->channel = patient_side(w) ? "web" : web_field(w, "channel");
	f->consultation_id = consultation_of(w, pid);
	if (!str_to_i64(str_c(web_field(w, "slot")), 1, INT64_MAX,
			&f->slot_id)) {
		f->slot_id = 0;
		problems_add(ps, "slots", N_("Choose a time."));
	}
	if (!patient_side(w) && !staff_channel(w, f->channel))
		problems_add(ps, "channel",
			     N_("Choose how the patient asked for it."));
	appointment_reason_validate(f->reason, ps);
	if (str_has_control(f->reason, strlen(f->reason)))
		problems_add(ps, "reason",
			     N_("The reason has characters that cannot be "
				"stored."));
	memset(c, 0, sizeof(*c));
	c->patient_id = pid;
	c->actor_id = w->account.id;
	c->patient_side = patient_side(w);
	c->channel = patient_side(w) ? "web" : f->channel;
	c->now = w->ctx.now;
	c->slot_id = f->slot_id;
	c->reason = f->reason;
	c->consultation_id = f->consultation_id;
}

static void
appointment_write_info(struct write_info *wi, int64_t pid, int64_t id,
		       const char *action, const char *detail, struct web *w)
{
	memset(wi, 0, sizeof(*wi));
	wi->action = action;
	wi->resource_type = APPT_RES;
	wi->resource_id = id_text(w, id);
	wi->patient_id = pid;
	wi->detail = detail;
	wi->touchpoint_kind = "appointment";
}

/* A refused change's answer: 409 for a taken slot or an appointment no
 * longer booked, 403 for a rule, 404 for a slot not offered. */
static int
refusal_status(enum err e)
{
	return e == ERR_CONFLICT ? 409 : e == ERR_NOT_FOUND ? 404 : 403;
}

/*
 * Writes a booking (`ap` NULL) or a move of `ap` read from the form, and
 * answers: 303 to the appointment with `notice`; 400 with the form for
 * problems; the form again with what refused it (403 a rule, 409 a time
 * just taken, 404 a time not offered), nothing stored.
 */
static enum err
commit_change(struct web *w, const struct patient *p,
	      const struct appointment *ap, const struct book_form *f,
	      struct appointment_change *c, struct problems *ps,
	      struct write_info *wi, enum err (*fn)(struct db *, void *),
	      const char *notice)
{
	enum err e;

	if (ps->n) {
		write_refused(&w->ctx, wi);
		return book_page(w, 400, p, ap, f, APPT_NONE, ps);
	}
	e = write_commit(&w->ctx, wi, fn, c);
	if (e == ERR_CONFLICT || e == ERR_FORBIDDEN ||
	    (e == ERR_NOT_FOUND && c->slot_id)) {
		if (e == ERR_NOT_FOUND)
			problems_add(ps, "slots",
				     N_("That time is not offered to you. "
					"Please choose one of the times "
					"listed."));
		return book_page(w, refusal_status(e), p, ap, f, c->refusal,
				 ps->n ? ps : NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, appointment_link(w->ctx.a, c->id), notice);
}

/* POST /patients/:id/appointments/new: 303 to the appointment; 400 with
 * the form; 403 with the rule that refuses it; 409 when the slot was
 * just taken (the form again, nothing stored); 404. */
static enum err
post_book(struct req *req)
{
	struct web *w = web_of(req);
	struct appointment_change c;
	struct book_form f;
	struct problems ps = {0};
	struct write_info wi;
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CONTACT, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	read_book_form(w, pid, &f, &c, &ps);
	c.org_id = p.org_id;
	c.id = id_new();
	appointment_write_info(&wi, pid, c.id, "create", "book", w);
	return commit_change(w, &p, NULL, &f, &c, &ps, &wi, appointment_book,
			     "appointment-booked");
}

/* The appointment of /appointments/:aid and access to its patient's
 * contact record (`act`). Returns with `*answered` when the policy
 * answered (the break-the-glass offer). */
static enum err
appointment_or_respond(struct web *w, enum action act,
		       struct appointment *ap, bool *answered)
{
	int64_t id;
	enum err e;

	*answered = false;
	if ((e = web_param_id(w, "aid", &id)) != ERR_OK)
		return e;
	if ((e = appointment_get(w->ctx.db, w->ctx.a, w->account.org_id, id,
				 ap)) != ERR_OK)
		return e;
	return patient_access_or_respond(w, ap->patient_id, RES_CONTACT, act,
					 answered);
}

#define APPOINTMENT_OR_RESPOND(w, act, ap)                                 \
	do {                                                               \
		bool answered_;                                            \
		enum err ae_ = appointment_or_respond(w, act, ap,          \
						      &answered_);         \
		if (ae_ != ERR_OK || answered_)                            \
			return ae_;                                        \
	} while (0)

/* GET /appointments/:aid/move: 200; 403; 404; 409 when not booked. */
static enum err
get_move(struct req *req)
{
	struct web *w = web_of(req);
	struct book_form f = {0, "", "phone", 0};
	struct appointment ap;
	struct patient p;
	enum err e;

	APPOINTMENT_OR_RESPOND(w, ACT_WRITE, &ap);
	if (strcmp(ap.status, "booked"))
		return ERR_CONFLICT;
	if ((e = patient_get(w->ctx.db, w->ctx.a, ap.patient_id, &p)) !=
	    ERR_OK)
		return e;
	return book_page(w, 200, &p, &ap, &f, APPT_NONE, NULL);
}

/* POST /appointments/:aid/move: 303 to the appointment; 400; 403 with
 * the rule; 409 when the new slot was just taken; 404. */
static enum err
post_move(struct req *req)
{
	struct web *w = web_of(req);
	struct appointment_change c;
	struct appointment ap;
	struct book_form f;
	struct problems ps = {0};
	struct write_info wi;
	struct patient p;
	enum err e;

	APPOINTMENT_OR_RESPOND(w, ACT_WRITE, &ap);
	if ((e = patient_get(w->ctx.db, w->ctx.a, ap.patient_id, &p)) !=
	    ERR_OK)
		return e;
	read_book_form(w, p.id, &f, &c, &ps);
	c.org_id = p.org_id;
	c.id = ap.id;
	appointment_write_info(&wi, p.id, ap.id, "update", "move", w);
	return commit_change(w, &p, &ap, &f, &c, &ps, &wi, appointment_move,
			     "appointment-moved");
}

/* --- one appointment ------------------------------------------------------ */

static enum err
detail_page(struct web *w, int status, const struct appointment *ap,
	    enum appt_refusal refusal)
{
	struct appointment_rule r;
	json_t *ctx = page_new(w, N_("Appointment")), *o;
	bool booked = !strcmp(ap->status, "booked");
	bool started = w->ctx.now >= ap->starts_at;
	enum appt_refusal may;
	enum err e;

	if ((e = appointment_rule_get(w->ctx.db, ap->unit_id, &r)) != ERR_OK)
		return e;
	o = jobj(ctx, "appointment");
	put_appointment(w, o, ap);
	jstr(o, "channel", channel_words(w, ap->channel));
	jstr(o, "booked_on", page_datetime(w, ap->booked_at));
	if (ap->cancelled_at)
		jstr(o, "cancelled_on", page_datetime(w, ap->cancelled_at));
	jid(ctx, "patient_id", ap->patient_id);
	jbool(ctx, "own", w->account.patient_id == ap->patient_id);
	jbool(ctx, "patient_side", patient_side(w));
	jstr(ctx, "refusal", tr(w, appointment_refusal_text(refusal)));
	if (ap->consultation_id && !patient_side(w))
		jid(ctx, "consultation", ap->consultation_id);
	if (booked && !started &&
	    patient_allowed(w, ap->patient_id, RES_CONTACT, ACT_WRITE)) {
		may = patient_side(w)
			      ? appointment_may_cancel(&r, w->ctx.now,
						       ap->starts_at)
			      : APPT_NONE;
		jbool(ctx, "can_cancel", may == APPT_NONE);
		jstr(ctx, "cancel_refusal",
		     tr(w, appointment_refusal_text(may)));
		jbool(ctx, "late", appointment_is_late_cancel(&r, w->ctx.now,
							      ap->starts_at));
		jint(ctx, "late_hours", r.late_cancel_hours);
		may = patient_side(w)
			      ? appointment_may_move_from(&r, w->ctx.now,
							  ap->starts_at)
			      : APPT_NONE;
		jbool(ctx, "can_move", may == APPT_NONE);
		jstr(ctx, "move_refusal", tr(w, appointment_refusal_text(may)));
		if (!patient_side(w))
			add_channels(w, ctx, "phone");
	}
	jbool(ctx, "can_mark", !patient_side(w) && started &&
				       strcmp(ap->status, "cancelled") &&
				       patient_allowed(w, ap->patient_id,
						       RES_CONTACT,
						       ACT_WRITE));
	jbool(ctx, "not_started", !started);
	web_audit_read(w, APPT_RES, id_text(w, ap->id), ap->patient_id);
	return page_render(w, status, "appointment", ctx);
}

/* GET /appointments/:aid: 200; 403; 404. */
static enum err
get_appointment(struct req *req)
{
	struct web *w = web_of(req);
	struct appointment ap;

	APPOINTMENT_OR_RESPOND(w, ACT_READ, &ap);
	return detail_page(w, 200, &ap, APPT_NONE);
}

/* POST /appointments/:aid/cancel: 303 to the appointment; 403 with the
 * rule (too late to cancel online); 409 when no longer booked; 404. */
static enum err
post_cancel(struct req *req)
{
	struct web *w = web_of(req);
	struct appointment_change c;
	struct appointment ap;
	struct write_info wi;
	enum err e;

	APPOINTMENT_OR_RESPOND(w, ACT_WRITE, &ap);
	memset(&c, 0, sizeof(c));
	c.org_id = ap.org_id;
	c.patient_id = ap.patient_id;
	c.actor_id = w->account.id;
	c.patient_side = patient_side(w);
	c.now = w->ctx.now;
	c.id = ap.id;
	appointment_write_info(&wi, ap.patient_id, ap.id, "update", "cancel",
			       w);
	if (!patient_side(w) &&
	    !staff_channel(w, web_field(w, "channel"))) {
		write_refused(&w->ctx, &wi);
		return ERR_INVALID;
	}
	e = write_commit(&w->ctx, &wi, appointment_cancel, &c);
	if (e == ERR_CONFLICT || e == ERR_FORBIDDEN) {
		if (appointment_get(w->ctx.db, w->ctx.a, ap.org_id, ap.id,
				    &ap) != ERR_OK)
			return e;
		return detail_page(w, refusal_status(e), &ap, c.refusal);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, appointment_link(w->ctx.a, ap.id),
			     c.late ? "appointment-cancelled-late"
				    : "appointment-cancelled");
}

/* POST /appointments/:aid/mark (outcome=attended|no_show): 303; 400 for
 * another outcome; 403 for the patient's side or before the start; 409
 * for a cancelled appointment; 404. */
static enum err
post_mark(struct req *req)
{
	struct web *w = web_of(req);
	const char *outcome = web_field(w, "outcome");
	struct appointment_mark m;
	struct appointment ap;
	struct write_info wi;
	enum err e;

	APPOINTMENT_OR_RESPOND(w, ACT_WRITE, &ap);
	appointment_write_info(&wi, ap.patient_id, ap.id, "update", NULL, w);
	if (patient_side(w)) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	if (strcmp(outcome, "attended") && strcmp(outcome, "no_show")) {
		write_refused(&w->ctx, &wi);
		return ERR_INVALID;
	}
	memset(&m, 0, sizeof(m));
	m.org_id = ap.org_id;
	m.patient_id = ap.patient_id;
	m.id = ap.id;
	m.actor_id = w->account.id;
	m.now = w->ctx.now;
	m.attended = !strcmp(outcome, "attended");
	wi.detail = m.attended ? "attended" : "no-show";
	e = write_commit(&w->ctx, &wi, appointment_mark, &m);
	if (e == ERR_CONFLICT || e == ERR_FORBIDDEN)
		return detail_page(w, refusal_status(e), &ap, m.refusal);
	if (e != ERR_OK)
		return e;
	return page_redirect(w, appointment_link(w->ctx.a, ap.id),
			     "attendance-saved");
}

/* --- the units' rules ----------------------------------------------------- */

static bool
admin_allowed(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->account.org_id,
				 ORG_ADMINISTER);
}

/* GET /admin/appointments: each unit and its rules; 200; 403. */
static enum err
get_rules(struct req *req)
{
	struct web *w = web_of(req);
	struct unit *u;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = unit_list(w->ctx.db, w->ctx.a, w->account.org_id, &u, &n)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, N_("Appointment rules"));
	arr = jarr(ctx, "units");
	for (i = 0; i < n; i++) {
		struct appointment_rule r;
		json_t *o = jpush(arr);

		if ((e = appointment_rule_get(w->ctx.db, u[i].id, &r)) !=
		    ERR_OK)
			return e;
		jstr(o, "name", u[i].name);
		jstr(o, "href", arena_printf(w->ctx.a,
					     "/admin/appointments/%lld",
					     (long long)u[i].id));
		jint(o, "ahead", r.book_ahead_days);
		jint(o, "notice", r.min_notice_hours);
		jint(o, "cancel", r.cancel_notice_hours);
		jint(o, "late", r.late_cancel_hours);
		jint(o, "reminder", r.reminder_hours);
		jbool(o, "patients_book", r.patients_book);
	}
	return page_render(w, 200, "admin_appointments", ctx);
}

static enum err
rule_page(struct web *w, int status, const struct unit *u,
	  const struct appointment_rule *r, const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Appointment rules")), *form;

	jstr(ctx, "unit", u->name);
	jstr(ctx, "action", arena_printf(w->ctx.a, "/admin/appointments/%lld",
					 (long long)u->id));
	form = jobj(ctx, "form");
	jint(form, "book_ahead_days", r->book_ahead_days);
	jint(form, "min_notice_hours", r->min_notice_hours);
	jint(form, "cancel_notice_hours", r->cancel_notice_hours);
	jint(form, "late_cancel_hours", r->late_cancel_hours);
	jint(form, "reminder_hours", r->reminder_hours);
	jbool(form, "patients_book", r->patients_book);
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "admin_appointment_rule", ctx);
}

/* The unit of /admin/appointments/:uid, of the administrator's
 * organisation; ERR_FORBIDDEN, ERR_NOT_FOUND. */
static enum err
rule_unit(struct web *w, struct unit *u)
{
	int64_t id;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "uid", &id)) != ERR_OK ||
	    (e = unit_get(w->ctx.db, w->ctx.a, id, u)) != ERR_OK)
		return e;
	return u->org_id == w->account.org_id ? ERR_OK : ERR_NOT_FOUND;
}

/* GET /admin/appointments/:uid: 200; 403; 404. */
static enum err
get_rule(struct req *req)
{
	struct web *w = web_of(req);
	struct appointment_rule r;
	struct unit u;
	enum err e;

	if ((e = rule_unit(w, &u)) != ERR_OK ||
	    (e = appointment_rule_get(w->ctx.db, u.id, &r)) != ERR_OK)
		return e;
	return rule_page(w, 200, &u, &r, NULL);
}

/* POST /admin/appointments/:uid: 303 to the list; 400 with the form;
 * 403; 404. A number that is not one is kept as -1, which the checks
 * refuse. */
static enum err
post_rule(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = APPT_RULE_RES,
	};
	struct appointment_rule r;
	struct problems ps = {0};
	struct unit u;
	enum err e;

	if ((e = rule_unit(w, &u)) != ERR_OK)
		return e;
	memset(&r, 0, sizeof(r));
	r.unit_id = u.id;
	r.org_id = u.org_id;
	r.updated_at = w->ctx.now;
	r.book_ahead_days = field_int(w, "book_ahead_days", -1, 100000, -1);
	r.min_notice_hours = field_int(w, "min_notice_hours", -1, 100000, -1);
	r.cancel_notice_hours =
		field_int(w, "cancel_notice_hours", -1, 100000, -1);
	r.late_cancel_hours = field_int(w, "late_cancel_hours", -1, 100000,
					-1);
	r.reminder_hours = field_int(w, "reminder_hours", -1, 100000, -1);
	r.patients_book = !strcmp(web_field(w, "patients_book"), "yes");
	wi.resource_id = id_text(w, u.id);
	appointment_rule_validate(&r, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return rule_page(w, 400, &u, &r, &ps);
	}
	if ((e = write_commit(&w->ctx, &wi, appointment_rule_save, &r)) !=
	    ERR_OK)
		return e;
	return page_redirect(w, "/admin/appointments", "saved");
}

static const struct http_route appointment_routes[] = {
	{HTTP_GET, "/appointments", get_appointments, 0, NULL},
	{HTTP_GET, "/appointments/slots/new", get_slots_new, 0, NULL},
	{HTTP_POST, "/appointments/slots/new", post_slots_new, 0, NULL},
	{HTTP_POST, "/appointments/slots/:sid/withdraw", post_slot_withdraw,
	 0, NULL},
	{HTTP_GET, "/appointments/:aid", get_appointment, 0, NULL},
	{HTTP_GET, "/appointments/:aid/move", get_move, 0, NULL},
	{HTTP_POST, "/appointments/:aid/move", post_move, 0, NULL},
	{HTTP_POST, "/appointments/:aid/cancel", post_cancel, 0, NULL},
	{HTTP_POST, "/appointments/:aid/mark", post_mark, 0, NULL},
	{HTTP_GET, "/patients/:id/appointments", get_patient_appointments, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/appointments/new", get_book, 0, NULL},
	{HTTP_POST, "/patients/:id/appointments/new", post_book, 0, NULL},
	{HTTP_GET, "/admin/appointments", get_rules, 0, NULL},
	{HTTP_GET, "/admin/appointments/:uid", get_rule, 0, NULL},
	{HTTP_POST, "/admin/appointments/:uid", post_rule, 0, NULL},
};

enum err
appointment_web_routes(struct http_router *r)
{
	return http_router_add(r, appointment_routes,
			       sizeof(appointment_routes) /
				       sizeof(appointment_routes[0]));
}

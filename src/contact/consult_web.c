/*
 * Online-consultation pages. Patients (and caregivers within scope):
 * /consult (what to ask about, and my requests), /consult/new (the
 * organisation's form, red flags first) and /consult/:cid (what happened,
 * step by step; adding to it; the rating). Staff who triage: the queue
 * /triage, one request /triage/:cid with its triage and outcome forms,
 * and /patients/:id/consult/new for a request that came by phone or at
 * the desk. Administrators: /admin/contact (the service and the forms).
 * Access is decided by the policy (through consult.c and policy_*); the
 * pages only choose what to show.
 */
#include "contact/contact_web.h"

#include <string.h>

#include "auth/account.h"
#include "auth/policy.h"
#include "care/care_web.h"
#include "contact/consult.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/str.h"
#include "http/http.h"
#include "people/org.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define STAFF_LIST_MAX 500	/* people offered as assignees */

static const char *const weekday_names[7] = {
	N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
	N_("Friday"), N_("Saturday"), N_("Sunday"),
};

static bool
patient_side(const struct web *w)
{
	return w->ctx.actor.role == ROLE_PATIENT ||
	       w->ctx.actor.role == ROLE_CAREGIVER;
}

static bool
triages(const struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->ctx.actor.org_id,
				 ORG_TRIAGE);
}

static const char *
id_text(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "%lld", (long long)id);
}

/* The patient a patient-side page is about: the patient's own record,
 * or for a caregiver the record named by the field "patient". */
static enum err
patient_of(struct web *w, int64_t *pid)
{
	if (w->ctx.actor.role == ROLE_PATIENT && w->ctx.actor.patient_id) {
		*pid = w->ctx.actor.patient_id;
		return ERR_OK;
	}
	if (w->ctx.actor.role == ROLE_CAREGIVER &&
	    str_to_i64(str_c(web_field(w, "patient")), 1, INT64_MAX, pid))
		return ERR_OK;
	return w->ctx.actor.role == ROLE_CAREGIVER ? ERR_NOT_FOUND
						   : ERR_FORBIDDEN;
}

/* "?patient=12" for a caregiver's links, "" for the patient. */
static const char *
patient_query(struct web *w, int64_t pid, char sep)
{
	if (w->ctx.actor.role != ROLE_CAREGIVER)
		return "";
	return arena_printf(w->ctx.a, "%cpatient=%lld", sep, (long long)pid);
}

static const char *
minutes_text(struct web *w, int m)
{
	return arena_printf(w->ctx.a, "%02d:%02d", m / 60, m % 60);
}

/* "HH:MM" as minutes from midnight, 00:00 to 24:00; -1 otherwise. */
static int
parse_minutes(const char *s)
{
	int64_t h, m;

	if (strlen(s) != 5 || s[2] != ':' ||
	    !str_to_i64((struct str){s, 2}, 0, 24, &h) ||
	    !str_to_i64((struct str){s + 3, 2}, 0, 59, &m) ||
	    (h == 24 && m != 0))
		return -1;
	return (int)(h * 60 + m);
}

/* The due time in words and a class: never colour alone. */
static void
add_due(struct web *w, json_t *o, int64_t due, bool open)
{
	enum due_state s = servicelevel_state(due, w->ctx.now);
	static const char *const words[DUE__MAX] = {
		N_("On time"), N_("Due soon"), N_("Overdue"),
	};

	if (!due)
		return;
	jstr(o, "due", page_datetime(w, due));
	if (!open)
		return;
	jstr(o, "due_state", servicelevel_state_name(s));
	jstr(o, "due_words", tr(w, words[s]));
}

static void
add_request(struct web *w, json_t *arr, const struct consultation *r,
	    bool staff)
{
	json_t *o = jpush(arr);
	bool open = r->closed_at == 0;

	jid(o, "id", r->id);
	jstr(o, "href", arena_printf(w->ctx.a, "%s/%lld",
				     staff ? "/triage" : "/consult",
				     (long long)r->id));
	jstr(o, "kind", tr(w, consult_kind_label_of(r->kind)));
	jstr(o, "submitted", page_datetime(w, r->submitted_at));
	jstr(o, "status", tr(w, consult_status_label(r->status)));
	jstr(o, "status_code", r->status);
	jbool(o, "open", open);
	jbool(o, "red_flag", !strcmp(r->status, "red_flag"));
	jstr(o, "patient", r->patient_name);
	jstr(o, "patient_href", arena_printf(w->ctx.a, "/patients/%lld",
					     (long long)r->patient_id));
	jstr(o, "priority", tr(w, consult_priority_label(r->priority)));
	jstr(o, "priority_code", r->priority);
	jbool(o, "urgent", !strcmp(r->priority, "urgent"));
	jstr(o, "channel", tr(w, consult_channel_label(r->channel)));
	jstr(o, "assignee", r->assignee_name);
	jstr(o, "unit", r->unit_name);
	if (r->outcome && *r->outcome)
		jstr(o, "outcome", tr(w, consult_outcome_label(r->outcome)));
	add_due(w, o, r->due_at, open && strcmp(r->status, "red_flag"));
}

/* The organisation's service, with its closed message in words. */
static enum err
service_or(struct web *w, struct consult_service *s, json_t *ctx)
{
	enum err e = consult_service_get(w->ctx.db, w->ctx.a,
					 w->ctx.actor.org_id, s);

	if (e != ERR_OK)
		return e;
	if (!consult_service_open(s, w->ctx.now)) {
		jbool(ctx, "closed", true);
		jstr(ctx, "closed_message",
		     *s->closed_message
			     ? s->closed_message
			     : tr(w, N_("Online requests are closed just now. "
					"If you need help today, phone the "
					"practice. In an emergency, call the "
					"emergency number.")));
		jbool(ctx, "hours_only", s->consult_open && s->hours_only);
		if (s->consult_open && s->hours_only)
			jstr(ctx, "hours",
			     arena_printf(w->ctx.a, "%s–%s",
					  minutes_text(w, s->hours.day_start_min),
					  minutes_text(w, s->hours.day_end_min)));
	}
	return ERR_OK;
}

/* --- the patient's pages -------------------------------------------------- */

/* GET /consult: 200 the kinds of request and my requests; 403 for staff
 * (their queue is /triage), or a caregiver without access; 404 for a
 * caregiver's unknown patient. */
static enum err
get_consult(struct req *req)
{
	struct web *w = web_of(req);
	struct consult_service svc;
	struct consultation *r;
	json_t *ctx, *kinds, *open, *done;
	size_t n, i;
	int64_t pid;
	int k;
	enum err e;

	if (!patient_side(w))
		return triages(w) ? page_redirect(w, "/triage", NULL)
				  : ERR_FORBIDDEN;
	if ((e = patient_of(w, &pid)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, pid, RES_CONTACT, ACT_READ);
	if ((e = consult_list_patient(w->ctx.db, w->ctx.a, pid, &r, &n)) !=
	    ERR_OK)
		return e;
	web_audit_read(w, CONSULT_RES, "", pid);
	ctx = page_new(w, N_("Ask for help"));
	if ((e = service_or(w, &svc, ctx)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	kinds = jarr(ctx, "kinds");
	for (k = 0; k < CONSULT__MAX; k++) {
		json_t *o = jpush(kinds);

		jstr(o, "label", tr(w, consult_kind_label((enum consult_kind)k)));
		jstr(o, "href",
		     arena_printf(w->ctx.a, "/consult/new?kind=%s%s",
				  consult_kind_code((enum consult_kind)k),
				  patient_query(w, pid, '&')));
	}
	open = jarr(ctx, "open");
	done = jarr(ctx, "done");
	for (i = 0; i < n; i++)
		add_request(w, r[i].closed_at ? done : open, &r[i], false);
	if (w->ctx.actor.role == ROLE_CAREGIVER)
		jstr(ctx, "patient_name", care_patient_name(w, pid));
	return page_render(w, 200, "consult", ctx);
}

/* The form page: step 1 the red flags, step 2 the questions. */
struct form_page {
	int64_t pid;
	const struct consult_form *form;
	const char *key;
	bool details;			/* step 2 */
	const struct problems *ps;	/* NULL: a fresh form */
};

static const char *
form_text(struct web *w, const struct consult_form *f, const char *s)
{
	/* cocare's default forms are msgids; an organisation's are its
	 * own words. */
	return f->stored ? s : tr(w, s);
}

static enum err
form_render(struct web *w, int status, const struct form_page *fp)
{
	const struct consult_form *f = fp->form;
	json_t *ctx = page_new(w, N_("Ask for help"));
	json_t *flags = jarr(ctx, "flags"), *qs = jarr(ctx, "questions");
	size_t i;

	jstr(ctx, "kind", consult_kind_code(f->kind));
	jstr(ctx, "kind_label", tr(w, consult_kind_label(f->kind)));
	jstr(ctx, "key", fp->key);
	jstr(ctx, "back", arena_printf(w->ctx.a, "/consult%s",
				       patient_query(w, fp->pid, '?')));
	if (w->ctx.actor.role == ROLE_CAREGIVER) {
		jid(ctx, "patient", fp->pid);
		jstr(ctx, "patient_name", care_patient_name(w, fp->pid));
	}
	jbool(ctx, "details", fp->details);
	for (i = 0; i < f->nred_flags; i++) {
		const char *field = arena_printf(w->ctx.a, "flag%zu", i + 1);
		const char *v = fp->ps || fp->details ? web_field(w, field) : "";
		json_t *o = jpush(flags);

		jstr(o, "field", field);
		jstr(o, "question", form_text(w, f, f->red_flags[i]));
		jstr(o, "value", v);
		jbool(o, "yes", !strcmp(v, "yes"));
		jbool(o, "no", !strcmp(v, "no"));
		if (fp->ps && problems_for(fp->ps, field))
			jstr(o, "error", tr(w, problems_for(fp->ps, field)));
	}
	for (i = 0; fp->details && i < f->nquestions; i++) {
		const char *field = arena_printf(w->ctx.a, "answer%zu", i + 1);
		json_t *o = jpush(qs);

		jstr(o, "field", field);
		jstr(o, "question", form_text(w, f, f->questions[i]));
		care_jform(o, "value", fp->ps ? web_field(w, field) : "");
		if (fp->ps && problems_for(fp->ps, field))
			jstr(o, "error", tr(w, problems_for(fp->ps, field)));
	}
	if (fp->ps)
		page_problems(w, ctx, fp->ps);
	return page_render(w, status, "consult_form", ctx);
}

/* The service's closed message instead of the form. */
static enum err
closed_render(struct web *w, int status)
{
	json_t *ctx = page_new(w, N_("Ask for help"));
	struct consult_service svc;
	enum err e;

	if ((e = service_or(w, &svc, ctx)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	jbool(ctx, "closed", true);
	return page_render(w, status, "consult_closed", ctx);
}

/* The kind named by the field "kind"; ERR_INVALID for anything else. */
static enum err
kind_of(struct web *w, enum consult_kind *k)
{
	return consult_kind_parse(web_field(w, "kind"), k) ? ERR_OK
							    : ERR_INVALID;
}

/* GET /consult/new?kind=: 200 the form (its red flags first), or the
 * service's closed message; 400 for an unknown kind; 403 for staff or a
 * caregiver without access. */
static enum err
get_new(struct req *req)
{
	struct web *w = web_of(req);
	struct consult_service svc;
	struct consult_form form;
	struct form_page fp = {0};
	char key[TOKEN_HEX_LEN + 1];
	enum consult_kind k;
	enum err e;

	if (!patient_side(w))
		return ERR_FORBIDDEN;
	if ((e = patient_of(w, &fp.pid)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, fp.pid, RES_CONTACT, ACT_WRITE);
	if ((e = kind_of(w, &k)) != ERR_OK)
		return e;
	if ((e = consult_service_get(w->ctx.db, w->ctx.a, w->ctx.actor.org_id,
				     &svc)) != ERR_OK)
		return e;
	if (!consult_service_open(&svc, w->ctx.now))
		return closed_render(w, 200);
	if ((e = consult_form_get(w->ctx.db, w->ctx.a, w->ctx.actor.org_id, k,
				  &form)) != ERR_OK)
		return e;
	token_new(key);
	key[32] = '\0';
	fp.form = &form;
	fp.key = key;
	fp.details = form.nred_flags == 0;
	return form_render(w, 200, &fp);
}

/* The answers of the form from the fields flagN and answerN, with the
 * questions as the person saw them. */
static enum err
answers_of(struct web *w, const struct consult_form *f, bool details,
	   struct consult_new *n)
{
	struct consult_answer *fl, *an;
	size_t i;

	fl = arena_calloc(w->ctx.a, CONSULT_QUESTIONS_MAX, sizeof(*fl));
	an = arena_calloc(w->ctx.a, CONSULT_QUESTIONS_MAX, sizeof(*an));
	if (!fl || !an)
		return ERR_NOMEM;
	for (i = 0; i < f->nred_flags; i++) {
		fl[i].question = form_text(w, f, f->red_flags[i]);
		fl[i].answer = web_field(
			w, arena_printf(w->ctx.a, "flag%zu", i + 1));
	}
	for (i = 0; details && i < f->nquestions; i++) {
		an[i].question = form_text(w, f, f->questions[i]);
		an[i].answer = web_field(
			w, arena_printf(w->ctx.a, "answer%zu", i + 1));
	}
	n->red_flags = fl;
	n->nred_flags = f->nred_flags;
	n->answers = an;
	n->nanswers = details ? f->nquestions : 0;
	return ERR_OK;
}

static bool
flag_said_yes(const struct consult_new *n)
{
	size_t i;

	for (i = 0; i < n->nred_flags; i++)
		if (!strcmp(n->red_flags[i].answer, "yes"))
			return true;
	return false;
}

/*
 * POST /consult/new (fields kind, key, step "flags" or "details", flagN,
 * answerN; "patient" for a caregiver): after the red flags, 200 the
 * questions, or 303 to the emergency advice when one was answered yes
 * (recorded); after the questions, 303 to the request. 400 for an
 * unknown kind, or answers to correct (kept as typed); 403 for staff or
 * without access; 409 with the closed message when the service closed.
 * The same form sent twice gives the same request.
 */
static enum err
post_new(struct req *req)
{
	struct web *w = web_of(req);
	struct consult_form form;
	struct consult_new n;
	struct problems ps = {0};
	struct form_page fp = {0};
	bool details = !strcmp(web_field(w, "step"), "details");
	enum err e;
	size_t i;

	if (!patient_side(w))
		return ERR_FORBIDDEN;
	memset(&n, 0, sizeof(n));
	if ((e = patient_of(w, &n.patient_id)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, n.patient_id, RES_CONTACT, ACT_WRITE);
	if ((e = kind_of(w, &n.kind)) != ERR_OK)
		return e;
	if ((e = consult_form_get(w->ctx.db, w->ctx.a, w->ctx.actor.org_id,
				  n.kind, &form)) != ERR_OK)
		return e;
	n.request_key = web_field(w, "key");
	if ((e = answers_of(w, &form, details, &n)) != ERR_OK)
		return e;
	fp.pid = n.patient_id;
	fp.form = &form;
	fp.key = n.request_key;
	if (!details && !flag_said_yes(&n)) {
		/* The red flags alone: every one answered, then the
		 * questions. */
		for (i = 0; i < n.nred_flags; i++)
			if (strcmp(n.red_flags[i].answer, "no"))
				problems_add(&ps, arena_printf(w->ctx.a,
							       "flag%zu",
							       i + 1),
					     N_("Answer yes or no."));
		fp.ps = &ps;
		fp.details = ps.n == 0;
		return form_render(w, ps.n ? 400 : 200, &fp);
	}
	e = consult_submit(&w->ctx, &n, &ps);
	if (e == ERR_INVALID && ps.n) {
		fp.ps = &ps;
		fp.details = details;
		return form_render(w, 400, &fp);
	}
	if (e == ERR_CONFLICT)
		return closed_render(w, 409);
	if (e != ERR_OK)
		return e;
	return page_redirect(w,
			     arena_printf(w->ctx.a, "/consult/%lld",
					  (long long)n.id),
			     n.red_flag ? NULL : "consult-sent");
}

static void
add_steps(struct web *w, json_t *ctx, const struct consult_step *s,
	  size_t n, bool staff)
{
	json_t *arr = jarr(ctx, "steps");
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);
		const char *note = s[i].note;

		jstr(o, "when", page_datetime(w, s[i].at));
		if (staff && !strcmp(s[i].step, "triaged"))
			jstr(o, "label", tr(w, N_("Triaged")));
		else
			jstr(o, "label", tr(w, consult_step_label(s[i].step)));
		if (!strcmp(s[i].step, "appointment"))
			note = tr(w, consult_modality_label(note));
		if (!strcmp(s[i].step, "rated"))
			continue;
		jstr(o, "note", note);
		jbool(o, "staff_step", strcmp(s[i].step, "submitted") &&
					       strcmp(s[i].step, "patient_add") &&
					       strcmp(s[i].step, "red_flag"));
		if (strcmp(s[i].step, "submitted") &&
		    strcmp(s[i].step, "red_flag"))
			jstr(o, "who", s[i].actor_name);
	}
}

static enum err
add_answers(struct web *w, json_t *ctx, const struct consultation *r)
{
	struct consult_answer *a;
	size_t n, nred, i;
	json_t *flags, *answers;
	enum err e;

	if ((e = consult_answers_parse(w->ctx.a, r->answers, &a, &n, &nred)) !=
	    ERR_OK)
		return e;
	flags = jarr(ctx, "flags");
	answers = jarr(ctx, "answers");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(i < nred ? flags : answers);

		jstr(o, "question", a[i].question);
		if (i < nred && !strcmp(a[i].answer, "yes"))
			jstr(o, "answer", tr(w, N_("Yes")));
		else if (i < nred && !strcmp(a[i].answer, "no"))
			jstr(o, "answer", tr(w, N_("No")));
		else
			jstr(o, "answer", *a[i].answer ? a[i].answer
						       : tr(w, N_("(no answer)")));
	}
	return ERR_OK;
}

static void
add_scale(struct web *w, json_t *ctx, const char *key, const char *chosen)
{
	static const char *const words[5] = {
		N_("1 – not at all"), N_("2"), N_("3"), N_("4"),
		N_("5 – very much"),
	};
	json_t *arr = jarr(ctx, key);
	int i;

	for (i = 0; i < 5; i++) {
		json_t *o = jpush(arr);
		char v[2] = {(char)('1' + i), '\0'};

		jstr(o, "value", arena_strdup(w->ctx.a, v));
		jstr(o, "label", tr(w, words[i]));
		jstr(o, "id", arena_printf(w->ctx.a, "%s%d", key, i + 1));
		jbool(o, "checked", chosen && !strcmp(chosen, v));
	}
}

/* The patient's page of one request. */
static enum err
request_render(struct web *w, int status, const struct consultation *r,
	       const struct problems *ps)
{
	struct consult_step *s;
	struct consult_form form;
	struct organisation org;
	json_t *ctx;
	size_t n;
	enum consult_kind k;
	enum err e;

	if ((e = consult_steps(w->ctx.db, w->ctx.a, r->id, false, &s, &n)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, N_("Your request"));
	add_request(w, jarr(ctx, "one"), r, false);
	json_object_set(ctx, "request",
			json_array_get(json_object_get(ctx, "one"), 0));
	add_steps(w, ctx, s, n, false);
	if ((e = add_answers(w, ctx, r)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	jstr(ctx, "back", arena_printf(w->ctx.a, "/consult%s",
				       patient_query(w, r->patient_id, '?')));
	jstr(ctx, "action", arena_printf(w->ctx.a, "/consult/%lld",
					 (long long)r->id));
	if (w->ctx.actor.role == ROLE_CAREGIVER)
		jid(ctx, "patient", r->patient_id);
	if (!strcmp(r->status, "red_flag") &&
	    consult_kind_parse(r->kind, &k) &&
	    consult_form_get(w->ctx.db, w->ctx.a, r->org_id, k, &form) ==
		    ERR_OK) {
		jstr(ctx, "advice", form_text(w, &form, form.advice));
		if (org_get(w->ctx.db, w->ctx.a, r->org_id, &org) == ERR_OK)
			jstr(ctx, "emergency_number", org.emergency_number);
	}
	if (patient_side(w) && !r->closed_at) {
		jbool(ctx, "can_add", true);
		care_jform(ctx, "text", ps ? web_field(w, "text") : "");
	}
	if (patient_side(w) && !strcmp(r->status, "closed") && !r->ease) {
		jbool(ctx, "can_rate", true);
		add_scale(w, ctx, "ease", ps ? web_field(w, "ease") : NULL);
		add_scale(w, ctx, "helped", ps ? web_field(w, "helped") : NULL);
	}
	if (r->ease) {
		jint(ctx, "ease", r->ease);
		jint(ctx, "helped", r->helped);
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "consult_request", ctx);
}

/* The request :cid and the access check of the patient's side. */
static enum err
request_of(struct web *w, enum action act, struct consultation *r,
	   bool *answered)
{
	int64_t id;
	enum err e;

	*answered = false;
	if ((e = web_param_id(w, "cid", &id)) != ERR_OK)
		return e;
	if ((e = consult_get(w->ctx.db, w->ctx.a, id, r)) != ERR_OK)
		return e;
	return patient_access_or_respond(w, r->patient_id, RES_CONTACT, act,
					 answered);
}

/* GET /consult/:cid: 200 what happened, step by step (the emergency
 * advice after a red flag); 303 to /triage/:cid for staff who triage;
 * 403 without access; 404 for no such request. */
static enum err
get_request(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	bool answered;
	enum err e;

	if (!patient_side(w) && triages(w)) {
		int64_t id;

		if ((e = web_param_id(w, "cid", &id)) != ERR_OK)
			return e;
		return page_redirect(w, arena_printf(w->ctx.a, "/triage/%lld",
						     (long long)id),
				     NULL);
	}
	if ((e = request_of(w, ACT_READ, &r, &answered)) != ERR_OK ||
	    answered)
		return e;
	web_audit_read(w, CONSULT_RES, id_text(w, r.id), r.patient_id);
	return request_render(w, 200, &r, NULL);
}

/* POST /consult/:cid/add (field "text"): 303 back; 400 for an empty or
 * too long text (kept); 403 without access or for staff; 404; 409 when
 * the request is closed. */
static enum err
post_add(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	struct problems ps = {0};
	const char *text = web_field(w, "text");
	bool answered;
	enum err e;

	if ((e = request_of(w, ACT_WRITE, &r, &answered)) != ERR_OK ||
	    answered)
		return e;
	e = consult_patient_add(&w->ctx, r.id, text);
	if (e == ERR_INVALID) {
		problems_add(&ps, "text",
			     *text ? N_("Write at most 4,000 characters.")
				   : N_("Write a few words."));
		return request_render(w, 400, &r, &ps);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/consult/%lld",
					     (long long)r.id),
			     "saved");
}

/* POST /consult/:cid/rate (fields "ease", "helped", 1 to 5): 303 back;
 * 400 for a missing answer; 403; 404; 409 while open or once rated. */
static enum err
post_rate(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	struct problems ps = {0};
	int64_t ease = 0, helped = 0;
	bool answered;
	enum err e;

	if ((e = request_of(w, ACT_WRITE, &r, &answered)) != ERR_OK ||
	    answered)
		return e;
	if (!str_to_i64(str_c(web_field(w, "ease")), 1, 5, &ease))
		problems_add(&ps, "ease1", N_("Choose a number from 1 to 5."));
	if (!str_to_i64(str_c(web_field(w, "helped")), 1, 5, &helped))
		problems_add(&ps, "helped1",
			     N_("Choose a number from 1 to 5."));
	if (ps.n) {
		if (!patient_side(w))
			return ERR_FORBIDDEN;
		return request_render(w, 400, &r, &ps);
	}
	e = consult_rate(&w->ctx, r.id, (int)ease, (int)helped);
	if (e == ERR_EXISTS)
		e = ERR_CONFLICT;
	if (e != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/consult/%lld",
					     (long long)r.id),
			     "consult-rated");
}

/* --- the staff's pages ---------------------------------------------------- */

/* "after=<due>.<id>": where the page before ended; false when malformed. */
static bool
parse_after(const char *s, int64_t *due, int64_t *id)
{
	const char *dot = strchr(s, '.');

	*due = 0;
	*id = 0;
	if (!*s)
		return true;
	return dot && str_to_i64((struct str){s, (size_t)(dot - s)}, 0,
				 INT64_MAX, due) &&
	       str_to_i64(str_c(dot + 1), 1, INT64_MAX, id);
}

/* GET /triage?show=mine|unit|all&after=<due>.<id>: 200 one page of open
 * requests, soonest due first, following on from the row `after`; 400
 * for a malformed `after`; 403 for anyone who does not triage. */
static enum err
get_triage(struct req *req)
{
	struct web *w = web_of(req);
	const char *show = web_field(w, "show");
	enum consult_queue_filter f = QUEUE_ALL;
	struct consultation *r;
	json_t *ctx, *rows, *filters;
	int64_t after_due, after_id;
	size_t n, i;
	bool more;
	enum err e;
	static const struct {
		const char *code;
		const char *label;
	} shows[] = {
		{"all", N_("All open requests")},
		{"mine", N_("Assigned to me")},
		{"unit", N_("My unit")},
	};

	if (!triages(w))
		return ERR_FORBIDDEN;
	if (!strcmp(show, "mine"))
		f = QUEUE_MINE;
	else if (!strcmp(show, "unit") && w->account.unit_id)
		f = QUEUE_UNIT;
	else
		show = "all";
	if (!parse_after(web_field(w, "after"), &after_due, &after_id))
		return ERR_INVALID;
	if ((e = consult_queue(w->ctx.db, w->ctx.a, w->ctx.actor.org_id, f,
			       w->account.id, w->account.unit_id, after_due,
			       after_id, &r, &n, &more)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Requests"));
	filters = jarr(ctx, "filters");
	for (i = 0; i < sizeof(shows) / sizeof(shows[0]); i++) {
		json_t *o;

		if (!strcmp(shows[i].code, "unit") && !w->account.unit_id)
			continue;
		o = jpush(filters);
		jstr(o, "label", tr(w, shows[i].label));
		jstr(o, "href", arena_printf(w->ctx.a, "/triage?show=%s",
					     shows[i].code));
		jbool(o, "current", !strcmp(shows[i].code, show));
	}
	rows = jarr(ctx, "rows");
	for (i = 0; i < n; i++)
		add_request(w, rows, &r[i], true);
	if (after_id)
		jstr(ctx, "first", arena_printf(w->ctx.a, "/triage?show=%s",
						show));
	if (more && n)
		jstr(ctx, "next",
		     arena_printf(w->ctx.a, "/triage?show=%s&after=%lld.%lld",
				  show, (long long)r[n - 1].due_at,
				  (long long)r[n - 1].id));
	return page_render(w, 200, "triage", ctx);
}

static void
add_people(struct web *w, json_t *ctx, int64_t chosen_account,
	   int64_t chosen_unit)
{
	static const enum role roles[] = {ROLE_PROFESSIONAL,
					  ROLE_RECEPTIONIST};
	json_t *people = jarr(ctx, "people"), *units = jarr(ctx, "units");
	struct account *acc;
	struct unit *u;
	size_t n, i, r;

	for (r = 0; r < 2; r++) {
		if (account_list(w->ctx.db, w->ctx.a, w->ctx.actor.org_id,
				 roles[r], NULL, STAFF_LIST_MAX, &acc,
				 &n) != ERR_OK)
			continue;
		for (i = 0; i < n; i++) {
			json_t *o;

			if (acc[i].disabled)
				continue;
			o = jpush(people);
			jid(o, "id", acc[i].id);
			jstr(o, "name", acc[i].display_name);
			jstr(o, "role", tr(w, role_label(acc[i].role)));
			jbool(o, "selected", acc[i].id == chosen_account);
		}
	}
	if (unit_list(w->ctx.db, w->ctx.a, w->ctx.actor.org_id, &u, &n) !=
	    ERR_OK)
		return;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(units);

		jid(o, "id", u[i].id);
		jstr(o, "name", u[i].name);
		jbool(o, "selected", u[i].id == chosen_unit);
	}
}

static void
add_choices(struct web *w, json_t *ctx, const char *key,
	    const char *const *codes, const char *(*label)(const char *),
	    const char *chosen)
{
	json_t *arr = jarr(ctx, key);

	for (; *codes; codes++) {
		json_t *o = jpush(arr);

		jstr(o, "code", *codes);
		jstr(o, "label", tr(w, label(*codes)));
		jstr(o, "id", arena_printf(w->ctx.a, "%s-%s", key, *codes));
		jbool(o, "checked", chosen && !strcmp(chosen, *codes));
	}
}

static const char *const priority_codes[] = {"routine", "soon", "urgent",
					      NULL};
static const char *const finish_codes[] = {"appointment", "self_care",
					    "signpost", "closed", NULL};
static const char *const modality_codes[] = {"in_person", "phone", "video",
					      NULL};

static const char *
appointment_href(struct web *w, const struct consultation *r)
{
	return arena_printf(w->ctx.a,
			    "/patients/%lld/appointments/new?consultation=%lld",
			    (long long)r->patient_id, (long long)r->id);
}

/* The staff's page of one request; `form` names the form that failed. */
static enum err
staff_render(struct web *w, int status, const struct consultation *r,
	     const char *form, const struct problems *ps)
{
	struct consult_step *s;
	json_t *ctx, *req;
	size_t n;
	enum err e;

	if ((e = consult_steps(w->ctx.db, w->ctx.a, r->id, true, &s, &n)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, N_("Request"));
	add_request(w, jarr(ctx, "one"), r, true);
	req = json_array_get(json_object_get(ctx, "one"), 0);
	json_object_set(ctx, "request", req);
	add_steps(w, ctx, s, n, true);
	if ((e = add_answers(w, ctx, r)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	jstr(ctx, "action", arena_printf(w->ctx.a, "/triage/%lld",
					 (long long)r->id));
	jbool(ctx, "open", r->closed_at == 0);
	if (!strcmp(r->outcome, "appointment"))
		jstr(ctx, "book_href", appointment_href(w, r));
	if (r->first_response_at)
		jstr(ctx, "first_response",
		     page_datetime(w, r->first_response_at));
	if (r->ease) {
		jint(ctx, "ease", r->ease);
		jint(ctx, "helped", r->helped);
	}
	add_people(w, ctx, r->assigned_account_id, r->assigned_unit_id);
	add_choices(w, ctx, "priorities", priority_codes,
		    consult_priority_label,
		    form && !strcmp(form, "triage") ? web_field(w, "priority")
						    : r->priority);
	add_choices(w, ctx, "outcomes", finish_codes, consult_outcome_label,
		    form && !strcmp(form, "finish") ? web_field(w, "outcome")
						    : NULL);
	add_choices(w, ctx, "modalities", modality_codes,
		    consult_modality_label,
		    form && !strcmp(form, "finish") ? web_field(w, "modality")
						    : "phone");
	care_jform(ctx, "reply",
		   form && !strcmp(form, "reply") ? web_field(w, "text") : "");
	care_jform(ctx, "note",
		   form && !strcmp(form, "finish") ? web_field(w, "note") : "");
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "triage_request", ctx);
}

/* The request :cid for staff who triage in its organisation. */
static enum err
staff_request_of(struct web *w, struct consultation *r)
{
	int64_t id;
	enum err e;

	if (!triages(w))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "cid", &id)) != ERR_OK)
		return e;
	if ((e = consult_get(w->ctx.db, w->ctx.a, id, r)) != ERR_OK)
		return e;
	return r->org_id == w->ctx.actor.org_id ? ERR_OK : ERR_NOT_FOUND;
}

/* GET /triage/:cid: 200 the request with its forms; 403 for anyone who
 * does not triage; 404 for no such request in the organisation. */
static enum err
get_staff_request(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	enum err e;

	if ((e = staff_request_of(w, &r)) != ERR_OK)
		return e;
	web_audit_read(w, CONSULT_RES, id_text(w, r.id), r.patient_id);
	return staff_render(w, 200, &r, NULL, NULL);
}

static enum err
back_to(struct web *w, const struct consultation *r, const char *notice)
{
	return page_redirect(w, arena_printf(w->ctx.a, "/triage/%lld",
					     (long long)r->id),
			     notice);
}

/* POST /triage/:cid/triage (priority, assignee, unit): 303 back; 400
 * for an unknown priority or person; 403; 404; 409 when closed. */
static enum err
post_triage(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	struct problems ps = {0};
	int64_t who = 0, unit = 0;
	enum err e;

	if ((e = staff_request_of(w, &r)) != ERR_OK)
		return e;
	if (*web_field(w, "assignee") &&
	    !str_to_i64(str_c(web_field(w, "assignee")), 0, INT64_MAX, &who))
		problems_add(&ps, "assignee", N_("Choose a person."));
	if (*web_field(w, "unit") &&
	    !str_to_i64(str_c(web_field(w, "unit")), 0, INT64_MAX, &unit))
		problems_add(&ps, "unit", N_("Choose a unit."));
	if (!ps.n) {
		e = consult_triage(&w->ctx, r.id, web_field(w, "priority"),
				   who, unit);
		if (e == ERR_OK)
			return back_to(w, &r, "saved");
		if (e != ERR_INVALID)
			return e;
		problems_add(&ps, "priorities-routine",
			     N_("Choose a priority, and a person and unit "
				"of this organisation."));
	}
	return staff_render(w, 400, &r, "triage", &ps);
}

/* POST /triage/:cid/reply (text, close "yes"): 303 back; 400 for an
 * empty or too long reply (kept); 403; 404; 409 when closed. */
static enum err
post_reply(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	struct problems ps = {0};
	enum err e;

	if ((e = staff_request_of(w, &r)) != ERR_OK)
		return e;
	e = consult_reply(&w->ctx, r.id, web_field(w, "text"),
			  !strcmp(web_field(w, "close"), "yes"));
	if (e == ERR_OK)
		return back_to(w, &r, "consult-answered");
	if (e != ERR_INVALID)
		return e;
	problems_add(&ps, "reply",
		     N_("Write the reply: at most 4,000 characters."));
	return staff_render(w, 400, &r, "reply", &ps);
}

/* POST /triage/:cid/finish (outcome, modality, note): 303 to book the
 * appointment, or back; 400 for a missing outcome or note (kept); 403;
 * 404; 409 when closed. */
static enum err
post_finish(struct req *req)
{
	struct web *w = web_of(req);
	struct consultation r;
	struct problems ps = {0};
	const char *outcome = web_field(w, "outcome");
	enum err e;

	if ((e = staff_request_of(w, &r)) != ERR_OK)
		return e;
	e = consult_finish(&w->ctx, r.id, outcome, web_field(w, "modality"),
			   web_field(w, "note"));
	if (e == ERR_OK && !strcmp(outcome, "appointment"))
		return page_redirect(w, appointment_href(w, &r), NULL);
	if (e == ERR_OK)
		return back_to(w, &r, "consult-closed");
	if (e != ERR_INVALID)
		return e;
	if (!consult_outcome_label(outcome)[0] || !strcmp(outcome, "reply"))
		problems_add(&ps, "outcomes-appointment",
			     N_("Choose how the request ends."));
	else
		problems_add(&ps, "note",
			     N_("Write the advice, where to go, or why it "
				"is closed: at most 4,000 characters."));
	return staff_render(w, 400, &r, "finish", &ps);
}

/* The form for a request that came by phone or at the desk. */
static enum err
record_render(struct web *w, int status, int64_t pid, const char *key,
	      const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Record a request"));
	static const char *const channel_codes[] = {"phone", "desk", NULL};
	json_t *kinds = jarr(ctx, "kinds");
	const char *chosen = ps ? web_field(w, "kind") : "";
	int k;

	jid(ctx, "patient_id", pid);
	jstr(ctx, "patient_name", care_patient_name(w, pid));
	jstr(ctx, "key", key);
	for (k = 0; k < CONSULT__MAX; k++) {
		json_t *o = jpush(kinds);
		const char *code = consult_kind_code((enum consult_kind)k);

		jstr(o, "code", code);
		jstr(o, "label", tr(w, consult_kind_label((enum consult_kind)k)));
		jbool(o, "selected", !strcmp(code, chosen));
	}
	add_choices(w, ctx, "channels", channel_codes, consult_channel_label,
		    ps ? web_field(w, "channel") : "phone");
	add_choices(w, ctx, "priorities", priority_codes,
		    consult_priority_label,
		    ps ? web_field(w, "priority") : "routine");
	care_jform(ctx, "answer1", ps ? web_field(w, "answer1") : "");
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "triage_new", ctx);
}

/* The patient :id of the offline route, for staff who triage in the
 * patient's organisation. */
static enum err
record_patient_of(struct web *w, int64_t *pid)
{
	struct patient p;
	enum err e;

	if (!triages(w))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "id", pid)) != ERR_OK)
		return e;
	if ((e = patient_get(w->ctx.db, w->ctx.a, *pid, &p)) != ERR_OK)
		return e;
	return p.org_id == w->ctx.actor.org_id ? ERR_OK : ERR_NOT_FOUND;
}

/* GET /patients/:id/consult/new: 200 the form; 403; 404. */
static enum err
get_record(struct req *req)
{
	struct web *w = web_of(req);
	char key[TOKEN_HEX_LEN + 1];
	int64_t pid;
	enum err e;

	if ((e = record_patient_of(w, &pid)) != ERR_OK)
		return e;
	token_new(key);
	key[32] = '\0';
	return record_render(w, 200, pid, key, NULL);
}

/*
 * POST /patients/:id/consult/new (kind, channel "phone" or "desk",
 * priority, answer1, key): 303 to the request in the queue; 400 for a
 * missing kind, channel or text (kept); 403 for anyone who does not
 * triage in the patient's organisation; 404 for no such patient. The
 * touchpoint is the patient's, on the channel it came by.
 */
static enum err
post_record(struct req *req)
{
	struct web *w = web_of(req);
	struct consult_answer answer;
	struct consult_new n;
	struct problems ps = {0};
	const char *channel = web_field(w, "channel");
	enum err e;

	memset(&n, 0, sizeof(n));
	if ((e = record_patient_of(w, &n.patient_id)) != ERR_OK)
		return e;
	if (!consult_kind_parse(web_field(w, "kind"), &n.kind))
		problems_add(&ps, "kind", N_("Choose what the request is "
					     "about."));
	if (strcmp(channel, "phone") && strcmp(channel, "desk"))
		problems_add(&ps, "channels-phone",
			     N_("Choose how the request came."));
	if (ps.n)
		return record_render(w, 400, n.patient_id,
				     web_field(w, "key"), &ps);
	answer.question = tr(w, N_("What the patient asked"));
	answer.answer = web_field(w, "answer1");
	n.answers = &answer;
	n.nanswers = 1;
	n.request_key = web_field(w, "key");
	n.priority = web_field(w, "priority");
	w->ctx.channel = !strcmp(channel, "phone") ? "phone" : "desk";
	w->ctx.patient_initiated = true;
	e = consult_submit(&w->ctx, &n, &ps);
	if (e == ERR_INVALID && ps.n)
		return record_render(w, 400, n.patient_id, n.request_key, &ps);
	if (e != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/triage/%lld",
					     (long long)n.id),
			     "consult-recorded");
}

/* --- the administrator's page --------------------------------------------- */

static bool
administers(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->ctx.actor.org_id,
				 ORG_ADMINISTER);
}

static const char *
lines_text(struct web *w, const struct consult_form *f,
	   const char *const *l, size_t n)
{
	char *s = arena_strdup(w->ctx.a, "");
	size_t i;

	for (i = 0; s && i < n; i++)
		s = arena_printf(w->ctx.a, "%s%s%s", s, i ? "\n" : "",
				 form_text(w, f, l[i]));
	return s;
}

/*
 * The settings page; `failed` names the form that came back with
 * problems ("service" or a kind's code), whose fields then show what was
 * typed.
 */
static enum err
admin_render(struct web *w, int status, const char *failed,
	     const struct problems *ps)
{
	struct consult_service s;
	json_t *ctx, *days, *forms;
	bool typed = failed && !strcmp(failed, "service");
	char *hol;
	size_t i;
	int k;
	enum err e;

	if ((e = consult_service_get(w->ctx.db, w->ctx.a, w->ctx.actor.org_id,
				     &s)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Contact settings"));
	jbool(ctx, "consult_open",
	      typed ? !strcmp(web_field(w, "consult_open"), "yes")
		    : s.consult_open);
	jbool(ctx, "hours_only",
	      typed ? !strcmp(web_field(w, "hours_only"), "yes")
		    : s.hours_only);
	care_jform(ctx, "closed_message",
		   typed ? web_field(w, "closed_message") : s.closed_message);
	care_jform(ctx, "day_start",
		   typed ? web_field(w, "day_start")
			 : minutes_text(w, s.hours.day_start_min));
	care_jform(ctx, "day_end",
		   typed ? web_field(w, "day_end")
			 : minutes_text(w, s.hours.day_end_min));
	care_jform(ctx, "due_working_days",
		   typed ? web_field(w, "due_working_days")
			 : arena_printf(w->ctx.a, "%d",
					s.hours.due_working_days));
	hol = arena_strdup(w->ctx.a, "");
	for (i = 0; hol && i < s.hours.nholidays; i++)
		hol = arena_printf(w->ctx.a, "%s%s %s\n", hol,
				   s.hours.holidays[i], s.holiday_names[i]);
	care_jform(ctx, "holidays", typed ? web_field(w, "holidays") : hol);
	days = jarr(ctx, "days");
	for (k = 0; k < 7; k++) {
		json_t *o = jpush(days);
		char d[2] = {(char)('1' + k), '\0'};
		const char *field = arena_printf(w->ctx.a, "day%d", k + 1);

		jstr(o, "field", field);
		jstr(o, "label", tr(w, weekday_names[k]));
		jbool(o, "checked",
		      typed ? !strcmp(web_field(w, field), "yes")
			    : strchr(s.hours.work_days, d[0]) != NULL);
	}
	forms = jarr(ctx, "forms");
	for (k = 0; k < CONSULT__MAX; k++) {
		struct consult_form f;
		const char *code = consult_kind_code((enum consult_kind)k);
		bool mine = failed && !strcmp(failed, code);
		json_t *o = jpush(forms);

		if ((e = consult_form_get(w->ctx.db, w->ctx.a,
					  w->ctx.actor.org_id,
					  (enum consult_kind)k, &f)) != ERR_OK) {
			json_decref(ctx);
			return e;
		}
		jstr(o, "code", code);
		jstr(o, "label", tr(w, consult_kind_label((enum consult_kind)k)));
		jbool(o, "default", !f.stored);
		care_jform(o, "red_flags",
			   mine ? web_field(w, "red_flags")
				: lines_text(w, &f, f.red_flags, f.nred_flags));
		care_jform(o, "questions",
			   mine ? web_field(w, "questions")
				: lines_text(w, &f, f.questions, f.nquestions));
		care_jform(o, "advice", mine ? web_field(w, "advice")
					     : form_text(w, &f, f.advice));
		if (mine && ps) {
			const char *m;

			if ((m = problems_for(ps, "red_flags")))
				jstr(o, "error_red_flags", tr(w, m));
			if ((m = problems_for(ps, "questions")))
				jstr(o, "error_questions", tr(w, m));
			if ((m = problems_for(ps, "advice")))
				jstr(o, "error_advice", tr(w, m));
		}
	}
	if (typed && ps)
		page_problems(w, ctx, ps);
	else if (ps) {
		struct problems named = {0};

		for (i = 0; i < ps->n; i++)
			problems_add(&named,
				     arena_printf(w->ctx.a, "%s-%s", failed,
						  ps->p[i].field),
				     ps->p[i].msg);
		page_problems(w, ctx, &named);
		/* The summary links to the kind's fields; the messages
		 * beside them are set above. */
		for (i = 0; i < ps->n; i++)
			json_object_del(ctx, arena_printf(w->ctx.a,
							  "error_%s-%s", failed,
							  ps->p[i].field));
	}
	return page_render(w, status, "consult_admin", ctx);
}

/* GET /admin/contact: 200 the settings; 403 for non-administrators. */
static enum err
get_admin(struct req *req)
{
	struct web *w = web_of(req);

	if (!administers(w))
		return ERR_FORBIDDEN;
	return admin_render(w, 200, NULL, NULL);
}

/* Lines "YYYY-MM-DD name" into the service's holidays. */
static bool
holidays_of(struct web *w, const char *text, struct consult_service *s,
	    struct problems *ps)
{
	const char **days, **names;
	const char *p = text;
	size_t n = 0;

	days = arena_calloc(w->ctx.a, SERVICE_HOLIDAYS_MAX + 1, sizeof(*days));
	names = arena_calloc(w->ctx.a, SERVICE_HOLIDAYS_MAX + 1,
			     sizeof(*names));
	if (!days || !names)
		return false;
	while (*p) {
		size_t len = strcspn(p, "\n");
		struct str line = str_trim((struct str){p, len});

		p += len + (p[len] ? 1 : 0);
		if (!line.len)
			continue;
		if (n > SERVICE_HOLIDAYS_MAX) {
			problems_add(ps, "holidays",
				     N_("Give at most 400 holidays."));
			return false;
		}
		days[n] = str_dup(w->ctx.a, (struct str){line.p,
							 line.len < 10 ? line.len : 10});
		names[n] = line.len > 10
				   ? str_dup(w->ctx.a,
					     str_trim((struct str){line.p + 10,
								   line.len - 10}))
				   : "";
		if (!days[n] || !names[n])
			return false;
		n++;
	}
	s->hours.holidays = days;
	s->hours.nholidays = n;
	s->holiday_names = names;
	return true;
}

/* POST /admin/contact (the service): 303 back; 400 with what was typed
 * for settings to correct; 403 for non-administrators. */
static enum err
post_admin(struct req *req)
{
	struct web *w = web_of(req);
	struct consult_service s;
	struct problems ps = {0};
	char days[8];
	size_t nd = 0;
	int64_t due = -1;
	int k;
	enum err e;

	if (!administers(w))
		return ERR_FORBIDDEN;
	memset(&s, 0, sizeof(s));
	s.org_id = w->ctx.actor.org_id;
	s.consult_open = !strcmp(web_field(w, "consult_open"), "yes");
	s.hours_only = !strcmp(web_field(w, "hours_only"), "yes");
	s.closed_message = web_field(w, "closed_message");
	for (k = 0; k < 7; k++)
		if (!strcmp(web_field(w, arena_printf(w->ctx.a, "day%d",
						      k + 1)),
			    "yes"))
			days[nd++] = (char)('1' + k);
	days[nd] = '\0';
	s.hours.work_days = arena_strdup(w->ctx.a, days);
	s.hours.day_start_min = parse_minutes(web_field(w, "day_start"));
	s.hours.day_end_min = parse_minutes(web_field(w, "day_end"));
	if (!str_to_i64(str_c(web_field(w, "due_working_days")), 0,
			SERVICE_DUE_DAYS_MAX, &due))
		due = -1;
	s.hours.due_working_days = (int)due;
	if (!s.hours.work_days)
		return ERR_NOMEM;
	if (!holidays_of(w, web_field(w, "holidays"), &s, &ps) && !ps.n)
		return ERR_NOMEM;
	if (ps.n)
		return admin_render(w, 400, "service", &ps);
	e = consult_service_save(&w->ctx, &s, &ps);
	if (e == ERR_INVALID)
		return admin_render(w, 400, "service", &ps);
	if (e != ERR_OK)
		return e;
	return page_redirect(w, "/admin/contact", "saved");
}

/* POST /admin/contact/form/:kind (red_flags, questions, advice): 303
 * back; 400 with what was typed; 403; 404 for an unknown kind. */
static enum err
post_admin_form(struct req *req)
{
	struct web *w = web_of(req);
	struct consult_form f;
	struct problems ps = {0};
	enum err e;

	if (!administers(w))
		return ERR_FORBIDDEN;
	memset(&f, 0, sizeof(f));
	if (!consult_kind_parse(http_param(req, "kind"), &f.kind))
		return ERR_NOT_FOUND;
	f.org_id = w->ctx.actor.org_id;
	f.advice = web_field(w, "advice");
	f.stored = true;
	if ((e = consult_lines_parse(w->ctx.a, web_field(w, "red_flags"),
				     "red_flags", f.red_flags, &f.nred_flags,
				     &ps)) == ERR_NOMEM ||
	    (e = consult_lines_parse(w->ctx.a, web_field(w, "questions"),
				     "questions", f.questions, &f.nquestions,
				     &ps)) == ERR_NOMEM)
		return e;
	if (!ps.n)
		e = consult_form_save(&w->ctx, &f, &ps);
	if (ps.n)
		return admin_render(w, 400, consult_kind_code(f.kind), &ps);
	if (e != ERR_OK)
		return e;
	return page_redirect(w, "/admin/contact", "saved");
}

static const struct http_route consult_routes[] = {
	{HTTP_GET, "/consult", get_consult, 0, NULL},
	{HTTP_GET, "/consult/new", get_new, 0, NULL},
	{HTTP_POST, "/consult/new", post_new, 0, NULL},
	{HTTP_GET, "/consult/:cid", get_request, 0, NULL},
	{HTTP_POST, "/consult/:cid/add", post_add, 0, NULL},
	{HTTP_POST, "/consult/:cid/rate", post_rate, 0, NULL},
	{HTTP_GET, "/triage", get_triage, 0, NULL},
	{HTTP_GET, "/triage/:cid", get_staff_request, 0, NULL},
	{HTTP_POST, "/triage/:cid/triage", post_triage, 0, NULL},
	{HTTP_POST, "/triage/:cid/reply", post_reply, 0, NULL},
	{HTTP_POST, "/triage/:cid/finish", post_finish, 0, NULL},
	{HTTP_GET, "/patients/:id/consult/new", get_record, 0, NULL},
	{HTTP_POST, "/patients/:id/consult/new", post_record, 0, NULL},
	{HTTP_GET, "/admin/contact", get_admin, 0, NULL},
	{HTTP_POST, "/admin/contact", post_admin, 0, NULL},
	{HTTP_POST, "/admin/contact/form/:kind", post_admin_form, 0, NULL},
};

enum err
consult_web_routes(struct http_router *r)
{
	return http_router_add(r, consult_routes,
			       sizeof(consult_routes) /
				       sizeof(consult_routes[0]));
}

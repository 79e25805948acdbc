/*
 * Questionnaire pages: a patient's questionnaires (due, in progress,
 * coming up, answered), sending one (once, before an appointment, on a
 * repeat schedule), and answering: one question per screen with a
 * progress bar, back and "finish later" without losing anything, a
 * check of every answer before sending, and the result with what it
 * means. Works without JavaScript. A professional can fill one in with
 * the patient at a visit; it is recorded as such.
 */
#include "measures/measures_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/care_web.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/msgid.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/questionnaire.h"
#include "measures/response.h"
#include "measures/schedule.h"
#include "measures/scoring.h"
#include "people/org.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define MODE_SELF "self"
#define MODE_TOGETHER "with-professional"

static const char *
list_path(struct web *w, int64_t pid)
{
	return arena_printf(w->ctx.a, "/patients/%lld/questionnaires",
			    (long long)pid);
}

static const char *
response_path(struct web *w, int64_t pid, int64_t rid)
{
	return arena_printf(w->ctx.a, "/patients/%lld/responses/%lld",
			    (long long)pid, (long long)rid);
}

static const char *
screen_path(struct web *w, int64_t pid, int64_t rid, size_t at)
{
	return arena_printf(w->ctx.a, "/patients/%lld/responses/%lld?at=%zu",
			    (long long)pid, (long long)rid, at);
}

/* Professionals send questionnaires and fill them in with the patient;
 * the patient's side answers them. */
static bool
is_professional(struct web *w)
{
	return !strcmp(role_voice(w->ctx.actor.role), "professional");
}

static const char *
today(struct web *w)
{
	return clock_date(w->ctx.a, w->ctx.now);
}

/* ======================= answers as stored ============================= */

/* The stored answers of `r` read against `q` (an empty list when there
 * are none yet). */
static enum err
stored_answers(struct web *w, const struct questionnaire *q,
	       const struct measure_response *r, struct q_answers *ans)
{
	const char *why = NULL;

	q_answers_init(ans);
	if (!r->answers || !*r->answers)
		return ERR_OK;
	if (q_answers_from_response(w->ctx.a, q, r->answers,
				    strlen(r->answers), ans,
				    &why) != ERR_OK) {
		/* Stored by this code, so it reads back; a changed
		 * questionnaire file is the only way here. */
		q_answers_init(ans);
		return ERR_INTERNAL;
	}
	return ERR_OK;
}

/* The enabled questions in document order (positions in q->all). */
static size_t
enabled_questions(const struct questionnaire *q, const struct q_answers *ans,
		  size_t *out)
{
	size_t i, n = 0;

	for (i = 0; i < q->n_all; i++)
		if (q_item_is_question(q->all[i]) &&
		    q_item_enabled(q, ans, q->all[i]))
			out[n++] = i;
	return n;
}

/* The answer for people: the option's words, yes/no, the number, the
 * text. */
static const char *
value_text(struct web *w, const struct q_value *v)
{
	switch (v->kind) {
	case QV_BOOLEAN:
		return tr(w, v->b ? N_("Yes") : N_("No"));
	case QV_INTEGER:
	case QV_DECIMAL:
		return measures_number(w, v->num);
	case QV_CODING:
		return v->display ? v->display : v->code;
	case QV_STRING:
	case QV_DATE:
		return v->text;
	case QV_KIND__MAX:
		break;
	}
	return "";
}

static const char *
answer_text(struct web *w, const struct q_answer *an)
{
	const char *out = "";
	size_t i;

	for (i = 0; an && i < an->n && out; i++)
		out = arena_printf(w->ctx.a, "%s%s%s", out, i ? "; " : "",
				   value_text(w, &an->values[i]));
	return out ? out : "";
}

/* The value a form field had for the answer (an option's code, the
 * number or the text as sent). */
static const char *
value_form(struct web *w, const struct q_value *v)
{
	if (v->kind == QV_CODING || v->option)
		return v->option ? v->option->code : v->code;
	if (v->kind == QV_BOOLEAN)
		return v->b ? "true" : "false";
	return value_text(w, v);
}

/* ======================= the list ======================================= */

/* The questionnaires a professional may send: the library's, then the
 * organisation's. */
static void
add_instrument_choices(struct web *w, json_t *ctx)
{
	const struct instrument *lib = NULL;
	struct org_instrument *own = NULL;
	json_t *arr = jarr(ctx, "instruments");
	size_t n = 0, no = 0, i;

	lib = instrument_list(&n);
	for (i = 0; lib && i < n; i++) {
		const struct instrument *in =
			instrument_get(lib[i].id, w->lang);
		json_t *o = jpush(arr);

		jstr(o, "url", lib[i].q->url);
		jstr(o, "title", measures_title(in ? in->q : lib[i].q));
	}
	if (org_instrument_list(w->ctx.db, w->ctx.a, w->account.org_id, &own,
				&no) != ERR_OK)
		return;
	for (i = 0; i < no; i++) {
		json_t *o;

		if (i && !strcmp(own[i].url, own[i - 1].url))
			continue;	/* one line per questionnaire */
		o = jpush(arr);
		jstr(o, "url", own[i].url);
		jstr(o, "title", own[i].title);
	}
}

static const char *
schedule_text(struct web *w, const struct measure_request *r)
{
	if (!strcmp(r->schedule, "repeat"))
		return arena_printf(w->ctx.a,
				    trn(w, "Every day", "Every %d days",
					(unsigned long)r->every_days),
				    r->every_days);
	if (!strcmp(r->schedule, "before"))
		return arena_printf(w->ctx.a,
				    tr(w, N_("Before the appointment on %s")),
				    care_date_label(w, r->appointment_date));
	return tr(w, N_("Once"));
}

/* A title for a stored url in the page's language. */
static const char *
title_of(struct web *w, const char *url)
{
	struct measures_q mq;

	if (measures_questionnaire(w, url, w->lang, &mq) != ERR_OK)
		return url;
	return measures_title(mq.q);
}

/* Puts the band's words and the value of a stored score into `o`. */
static void
add_stored_score(struct web *w, json_t *o, const struct questionnaire *q,
		 const struct response_score *s)
{
	const struct q_score *sc = q ? q_score_get(q, s->name) : NULL;
	size_t i;

	jstr(o, "name", sc && sc->title ? sc->title : s->name);
	if (!s->computed) {
		jstr(o, "reason", s->reason);
		return;
	}
	jstr(o, "value", measures_number(w, (double)s->value_milli / 1000));
	for (i = 0; sc && i < sc->n_bands; i++)
		if (!strcmp(sc->bands[i].code, s->band))
			jstr(o, "band", sc->bands[i].label);
	if (sc && sc->has_max)
		jstr(o, "max", measures_number(w, sc->max));
}

static enum err
add_requests(struct web *w, json_t *ctx, int64_t pid, bool can_send,
	     bool can_answer)
{
	struct measure_request *rq;
	json_t *due = jarr(ctx, "due"), *later = jarr(ctx, "coming");
	const char *now = today(w);
	size_t n, i;
	enum err e;

	if ((e = schedule_list(w->ctx.db, w->ctx.a, pid, &rq, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		bool is_due = schedule_is_due(&rq[i], now);
		json_t *o = jpush(is_due ? due : later);

		jid(o, "id", rq[i].id);
		jstr(o, "title", title_of(w, rq[i].instrument_url));
		jstr(o, "due", care_date_label(w, rq[i].due_date));
		jstr(o, "schedule", schedule_text(w, &rq[i]));
		jstr(o, "sent_by", rq[i].sent_by_name);
		jbool(o, "can_answer", can_answer && is_due);
		jbool(o, "can_stop", can_send);
	}
	jbool(ctx, "has_due", json_array_size(due) > 0);
	jbool(ctx, "has_coming", json_array_size(later) > 0);
	return ERR_OK;
}

/* GET /patients/:id/questionnaires: 200; 403; 404. */
static enum err
get_list(struct req *req)
{
	struct web *w = web_of(req);
	struct measure_response *r;
	json_t *ctx, *open, *done;
	bool can_write, can_send;
	int64_t pid;
	size_t n, i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_READ);
	if (!(ctx = care_page_new(w, pid, N_("Questionnaires"),
				  "questionnaires", &e)))
		return e;
	can_write = patient_allowed(w, pid, RES_MEASURES, ACT_WRITE);
	can_send = can_write && is_professional(w);
	jbool(ctx, "can_write", can_write);
	jbool(ctx, "can_send", can_send);
	jstr(ctx, "today", today(w));
	if ((e = add_requests(w, ctx, pid, can_send, can_write)) != ERR_OK ||
	    (e = response_list(w->ctx.db, w->ctx.a, pid, &r, &n)) != ERR_OK)
		return e;
	open = jarr(ctx, "in_progress");
	done = jarr(ctx, "answered");
	for (i = 0; i < n; i++) {
		bool completed = !strcmp(r[i].status, "completed");
		json_t *o = jpush(completed ? done : open), *sc;
		struct response_score *s;
		struct measures_q mq;
		size_t ns, k;

		jstr(o, "href", response_path(w, pid, r[i].id));
		jstr(o, "title", title_of(w, r[i].instrument_url));
		jstr(o, "date", page_date(w, (completed ? r[i].completed_ms
							: r[i].updated_ms) /
						     1000));
		jbool(o, "together", !strcmp(r[i].mode, MODE_TOGETHER));
		if (!completed || response_scores(w->ctx.db, w->ctx.a,
						  r[i].id, &s, &ns) != ERR_OK)
			continue;
		if (measures_questionnaire(w, r[i].instrument_url, w->lang,
					   &mq) != ERR_OK)
			mq.q = NULL;
		sc = jarr(o, "scores");
		for (k = 0; k < ns; k++)
			add_stored_score(w, jpush(sc), mq.q, &s[k]);
	}
	jbool(ctx, "has_in_progress", json_array_size(open) > 0);
	jbool(ctx, "has_answered", json_array_size(done) > 0);
	if (can_write)
		add_instrument_choices(w, ctx);
	web_audit_read(w, RESPONSE_RES, "", pid);
	return page_render(w, 200, "questionnaires", ctx);
}

enum err
measures_home_due(struct web *w, json_t *ctx, int64_t pid)
{
	struct measure_request *rq;
	const char *now = today(w);
	json_t *arr = jarr(ctx, "due_questionnaires");
	size_t n, i;
	enum err e;

	if ((e = schedule_list(w->ctx.db, w->ctx.a, pid, &rq, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o;

		if (!schedule_is_due(&rq[i], now))
			continue;
		o = jpush(arr);
		jid(o, "id", rq[i].id);
		jid(o, "patient_id", pid);
		jstr(o, "title", title_of(w, rq[i].instrument_url));
	}
	jbool(ctx, "has_due_questionnaires", json_array_size(arr) > 0);
	return ERR_OK;
}

/* ======================= sending ======================================== */

/* POST /patients/:id/questionnaires/send: 303; 400 (the list with the
 * problems and what was typed); 403; 404. */
static enum err
post_send(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = SCHEDULE_RES,
		.detail = "questionnaire-sent",
		.touchpoint_kind = "questionnaire-sent",
	};
	struct schedule_job *j;
	struct measures_q mq;
	struct problems ps = {0};
	int64_t pid, n = 0;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	if (!is_professional(w))
		return ERR_FORBIDDEN;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	wi.patient_id = pid;
	j->r.patient_id = pid;
	j->r.org_id = w->account.org_id;
	j->r.instrument_url = web_field(w, "instrument");
	j->r.schedule = web_field(w, "schedule");
	j->r.due_date = web_field(w, "due_date");
	j->r.appointment_date = web_field(w, "appointment_date");
	if (str_to_i64(str_c(web_field(w, "every_days")), 0, 100000, &n))
		j->r.every_days = (int)n;
	else if (!strcmp(j->r.schedule, "repeat"))
		j->r.every_days = -1;
	n = 0;
	if (str_to_i64(str_c(web_field(w, "days_before")), 0, 100000, &n))
		j->r.days_before = (int)n;
	else if (!strcmp(j->r.schedule, "before"))
		j->r.days_before = -1;
	if (measures_questionnaire(w, j->r.instrument_url, NULL, &mq) !=
	    ERR_OK)
		problems_add(&ps, "instrument",
			     N_("Choose a questionnaire from the list."));
	else
		j->r.instrument_url = q_canonical(w->ctx.a, mq.q);
	schedule_validate(w->ctx.a, &j->r, today(w), &ps);
	if (ps.n) {
		json_t *ctx;

		write_refused(&w->ctx, &wi);
		if (!(ctx = care_page_new(w, pid, N_("Questionnaires"),
					  "questionnaires", &e)))
			return e;
		jbool(ctx, "can_write", true);
		jbool(ctx, "can_send", true);
		jbool(ctx, "send_open", true);
		jstr(ctx, "today", today(w));
		care_jform(ctx, "f_instrument", web_field(w, "instrument"));
		care_jform(ctx, "f_schedule", web_field(w, "schedule"));
		care_jform(ctx, "f_due_date", web_field(w, "due_date"));
		care_jform(ctx, "f_every_days", web_field(w, "every_days"));
		care_jform(ctx, "f_appointment_date",
			   web_field(w, "appointment_date"));
		care_jform(ctx, "f_days_before", web_field(w, "days_before"));
		add_instrument_choices(w, ctx);
		if ((e = add_requests(w, ctx, pid, true, true)) != ERR_OK)
			return e;
		page_problems(w, ctx, &ps);
		return page_render(w, 400, "questionnaires", ctx);
	}
	j->r.id = id_new();
	j->by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	wi.resource_id = care_id_text(w, j->r.id);
	if ((e = write_commit(&w->ctx, &wi, schedule_write, j)) != ERR_OK)
		return e;
	return page_redirect(w, list_path(w, pid), "questionnaire-sent");
}

/* POST /patients/:id/questionnaires/requests/:rq/stop: 303; 403; 404. */
static enum err
post_stop(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = SCHEDULE_RES,
		.detail = "questionnaire-stopped",
	};
	struct schedule_job *j;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	if (!is_professional(w))
		return ERR_FORBIDDEN;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	if ((e = web_param_id(w, "rq", &j->r.id)) != ERR_OK ||
	    (e = schedule_get(w->ctx.db, w->ctx.a, pid, j->r.id, &j->r)) !=
		    ERR_OK)
		return e;
	j->stop = true;
	j->by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	wi.patient_id = pid;
	wi.resource_id = care_id_text(w, j->r.id);
	if ((e = write_commit(&w->ctx, &wi, schedule_write, j)) != ERR_OK)
		return e;
	return page_redirect(w, list_path(w, pid), "questionnaire-stopped");
}

/* ======================= answering ====================================== */

/* The language to answer in: the page's when the questionnaire has it. */
static enum err
questionnaire_for_answering(struct web *w, const char *url,
			    struct measures_q *mq)
{
	return measures_questionnaire(w, url, w->lang, mq);
}

/*
 * POST /patients/:id/questionnaires/start with "request" (a request's
 * id) or "instrument" (a url), and "together" when a professional fills
 * it in with the patient: 303 to the first question, or to the answers
 * already begun for that request. 403; 404.
 */
static enum err
post_start(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "create",
		.resource_type = RESPONSE_RES,
		.detail = "questionnaire-started",
	};
	struct response_job *j;
	struct measure_request rq;
	struct measure_response open;
	struct measures_q mq;
	struct q_answers none;
	struct q_response_info info = {.status = "in-progress"};
	const char *url = web_field(w, "instrument");
	int64_t pid, rqid = 0;
	size_t pos[Q_MAX_ITEMS];
	char *json;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_MEASURES, ACT_WRITE);
	if (*web_field(w, "request")) {
		if (!str_to_i64(str_c(web_field(w, "request")), 1, INT64_MAX,
				&rqid) ||
		    (e = schedule_get(w->ctx.db, w->ctx.a, pid, rqid, &rq)) !=
			    ERR_OK)
			return ERR_NOT_FOUND;
		if (strcmp(rq.status, "open"))
			return page_redirect(w, list_path(w, pid), NULL);
		if (response_open_for(w->ctx.db, w->ctx.a, pid, rqid,
				      &open) == ERR_OK)
			return page_redirect(
				w, screen_path(w, pid, open.id, open.screen),
				NULL);
		url = rq.instrument_url;
	}
	if ((e = questionnaire_for_answering(w, url, &mq)) != ERR_OK)
		return e;
	if (!(j = arena_calloc(w->ctx.a, 1, sizeof(*j))))
		return ERR_NOMEM;
	q_answers_init(&none);
	info.subject = arena_printf(w->ctx.a, "Patient/%lld", (long long)pid);
	if ((e = q_answers_to_json(w->ctx.a, mq.q, &none, &info, &json)) !=
	    ERR_OK)
		return e;
	j->op = RESPONSE_START;
	j->r.id = id_new();
	j->r.org_id = w->account.org_id;
	j->r.patient_id = pid;
	j->r.request_id = rqid;
	j->r.instrument_url = mq.q->url;
	j->r.instrument_version = mq.q->version ? mq.q->version : "";
	j->r.lang = mq.lang;
	j->r.mode = is_professional(w) && *web_field(w, "together")
			    ? MODE_TOGETHER
			    : MODE_SELF;
	j->r.answers = json;
	j->r.screen = enabled_questions(mq.q, &none, pos) ? (int)pos[0] : 0;
	j->r.entered_by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	wi.patient_id = pid;
	wi.resource_id = care_id_text(w, j->r.id);
	if ((e = write_commit(&w->ctx, &wi, response_write, j)) != ERR_OK)
		return e;
	return page_redirect(w, screen_path(w, pid, j->r.id, j->r.screen),
			     NULL);
}

/* The response named by the route, with its questionnaire and answers. */
struct answering {
	int64_t pid;
	struct measure_response r;
	struct measures_q mq;
	struct q_answers ans;
	size_t pos[Q_MAX_ITEMS];	/* enabled questions (q->all index) */
	size_t npos;
};

static enum err
load_answering(struct web *w, enum action act, struct answering *s)
{
	int64_t rid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &s->pid, RES_MEASURES, act);
	if ((e = web_param_id(w, "rid", &rid)) != ERR_OK ||
	    (e = response_get(w->ctx.db, w->ctx.a, s->pid, rid, &s->r)) !=
		    ERR_OK)
		return e;
	if ((e = measures_questionnaire(
		     w,
		     arena_printf(w->ctx.a, "%s%s%s", s->r.instrument_url,
				  *s->r.instrument_version ? "|" : "",
				  s->r.instrument_version),
		     s->r.lang, &s->mq)) != ERR_OK)
		return e;
	if ((e = stored_answers(w, s->mq.q, &s->r, &s->ans)) != ERR_OK)
		return e;
	s->npos = enabled_questions(s->mq.q, &s->ans, s->pos);
	return ERR_OK;
}

/* The step of `at` (a q->all index) among the enabled questions; npos
 * for the check-your-answers step (or an item no longer asked). */
static size_t
step_of(const struct answering *s, size_t at)
{
	size_t i;

	for (i = 0; i < s->npos; i++)
		if (s->pos[i] == at)
			return i;
	return s->npos;
}

/* The words shown above a question: its group's text and the display
 * items just before it. */
static void
add_context(json_t *ctx, const struct questionnaire *q,
	    const struct q_item *item)
{
	json_t *intro = jarr(ctx, "intro");
	const struct q_item *p;
	size_t i;

	for (p = item->parent; p; p = p->parent)
		if (p->text && *p->text) {
			jstr(ctx, "stem", p->text);
			break;
		}
	/* Display items since the previous question, in order. */
	for (i = item->index; i > 0; i--) {
		const struct q_item *d = q->all[i - 1];

		if (d->type != Q_DISPLAY || d->parent != item->parent)
			break;
	}
	for (; i < item->index; i++)
		if (q->all[i]->text)
			jstr(jpush(intro), "text", q->all[i]->text);
}

/* The question's answer controls, checked as `values` (form strings). */
static void
add_question(struct web *w, json_t *o, const struct q_item *it,
	     const char *const *values, size_t nvalues)
{
	json_t *opts;
	size_t i, k;
	bool other_chosen = false;

	jstr(o, "link_id", it->link_id);
	jstr(o, "prefix", it->prefix);
	jstr(o, "text", it->text ? it->text : it->link_id);
	jbool(o, "required", it->required);
	jbool(o, "repeats", it->repeats);
	switch (it->type) {
	case Q_CHOICE:
	case Q_OPEN_CHOICE:
		jbool(o, "is_choice", true);
		opts = jarr(o, "options");
		for (i = 0; i < it->n_options; i++) {
			json_t *x = jpush(opts);
			bool on = false;

			for (k = 0; k < nvalues; k++)
				on |= !strcmp(values[k], it->options[i].code);
			jstr(x, "code", it->options[i].code);
			jstr(x, "display", it->options[i].display);
			jint(x, "n", (int64_t)i + 1);
			jbool(x, "checked", on);
		}
		if (it->type == Q_OPEN_CHOICE) {
			jbool(o, "is_open", true);
			for (k = 0; k < nvalues; k++) {
				bool known = false;

				for (i = 0; i < it->n_options; i++)
					known |= !strcmp(values[k],
							 it->options[i].code);
				if (!known && *values[k]) {
					care_jform(o, "other", values[k]);
					other_chosen = true;
				}
			}
			jbool(o, "other_checked", other_chosen);
		}
		break;
	case Q_BOOLEAN:
		jbool(o, "is_boolean", true);
		jbool(o, "yes", nvalues && !strcmp(values[0], "true"));
		jbool(o, "no", nvalues && !strcmp(values[0], "false"));
		break;
	case Q_INTEGER:
	case Q_DECIMAL:
		jbool(o, "is_number", true);
		jstr(o, "inputmode", it->type == Q_INTEGER ? "numeric"
							   : "decimal");
		if (it->has_min && it->has_max)
			jstr(o, "range",
			     arena_printf(w->ctx.a,
					  tr(w, N_("A number from %s to %s.")),
					  measures_number(w, it->min),
					  measures_number(w, it->max)));
		care_jform(o, "value", nvalues ? values[0] : "");
		break;
	case Q_DATE:
		jbool(o, "is_date", true);
		care_jform(o, "value", nvalues ? values[0] : "");
		break;
	case Q_TEXT:
		jbool(o, "is_text", true);
		care_jform(o, "value", nvalues ? values[0] : "");
		break;
	default:
		jbool(o, "is_string", true);
		care_jform(o, "value", nvalues ? values[0] : "");
		break;
	}
}

/* The stored answer to `it` as form strings. */
static size_t
stored_values(struct web *w, const struct q_answers *ans,
	      const struct q_item *it, const char **out, size_t max)
{
	const struct q_answer *an = q_answers_get(ans, it);
	size_t i;

	for (i = 0; an && i < an->n && i < max; i++)
		out[i] = value_form(w, &an->values[i]);
	return an ? (an->n < max ? an->n : max) : 0;
}

static void
add_progress(struct web *w, json_t *ctx, size_t step, size_t total)
{
	jint(ctx, "step", (int64_t)step + 1);
	jint(ctx, "total", (int64_t)total);
	jint(ctx, "percent", total ? (int64_t)(step * 100 / total) : 100);
	jstr(ctx, "progress_text",
	     arena_printf(w->ctx.a, tr(w, N_("Question %zu of %zu")),
			  step + 1, total));
}

/* The page of one question, with `values` as the answer shown. */
static enum err
screen_page(struct web *w, int status, struct answering *s, size_t at,
	    const char *const *values, size_t nvalues, const char *error,
	    bool conflict)
{
	const struct q_item *it = s->mq.q->all[at];
	size_t step = step_of(s, at);
	json_t *ctx, *qo;
	enum err e;

	if (!(ctx = care_page_new(w, s->pid, N_("Questionnaire"),
				  "questionnaires", &e)))
		return e;
	jstr(ctx, "instrument", measures_title(s->mq.q));
	jstr(ctx, "action", response_path(w, s->pid, s->r.id));
	jint(ctx, "at", (int64_t)at);
	jint(ctx, "version", s->r.version);
	jbool(ctx, "can_back", step > 0);
	jbool(ctx, "together", !strcmp(s->r.mode, MODE_TOGETHER));
	jbool(ctx, "conflict", conflict);
	if (s->mq.lang && strcmp(s->mq.lang, w->lang))
		jbool(ctx, "other_language", true);
	add_progress(w, ctx, step, s->npos);
	add_context(ctx, s->mq.q, it);
	qo = jobj(ctx, "question");
	add_question(w, qo, it, values, nvalues);
	if (error)
		jstr(qo, "error", tr(w, error));
	return page_render(w, status, "questionnaire_screen", ctx);
}

/* "Check your answers" before sending, with what is still missing. */
static enum err
review_page(struct web *w, int status, struct answering *s,
	    const struct problems *ps)
{
	json_t *ctx, *arr;
	size_t i;
	enum err e;

	if (!(ctx = care_page_new(w, s->pid, N_("Check your answers"),
				  "questionnaires", &e)))
		return e;
	jstr(ctx, "instrument", measures_title(s->mq.q));
	jstr(ctx, "action", response_path(w, s->pid, s->r.id));
	jint(ctx, "at", (int64_t)s->mq.q->n_all);
	jint(ctx, "version", s->r.version);
	jbool(ctx, "together", !strcmp(s->r.mode, MODE_TOGETHER));
	add_progress(w, ctx, s->npos, s->npos);
	jstr(ctx, "progress_text", tr(w, N_("Last step: check and send")));
	arr = jarr(ctx, "answers");
	for (i = 0; i < s->npos; i++) {
		const struct q_item *it = s->mq.q->all[s->pos[i]];
		const char *text = answer_text(w, q_answers_get(&s->ans, it));
		json_t *o = jpush(arr);

		jstr(o, "text", it->text ? it->text : it->link_id);
		jstr(o, "prefix", it->prefix);
		jstr(o, "answer", text);
		jbool(o, "missing", !*text);
		jbool(o, "required", it->required);
		jstr(o, "href", screen_path(w, s->pid, s->r.id, s->pos[i]));
		if (ps && problems_for(ps, it->link_id))
			jstr(o, "error",
			     tr(w, problems_for(ps, it->link_id)));
	}
	if (ps && ps->n)
		jstr(ctx, "error",
		     tr(w, N_("Some questions still need an answer. Choose "
			      "\"Change\" beside each one marked below.")));
	return page_render(w, status, "questionnaire_review", ctx);
}

/* The answers and scores of a completed response. */
static enum err
result_page(struct web *w, struct answering *s)
{
	struct measures_q shown;
	struct score_report rep;
	const struct questionnaire *q;
	struct organisation org;
	json_t *ctx, *arr;
	size_t i;
	enum err e;

	/* The meaning in the page's language when there is that version;
	 * the answers in the words they were given in. */
	if (measures_questionnaire(w, s->r.instrument_url, w->lang,
				   &shown) != ERR_OK)
		shown = s->mq;
	q = shown.q;
	if ((e = score_response(w->ctx.a, s->mq.q, &s->ans, &rep)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, s->pid, N_("Questionnaire result"),
				  "questionnaires", &e)))
		return e;
	jstr(ctx, "instrument", measures_title(q));
	jstr(ctx, "date", page_datetime(w, s->r.completed_ms / 1000));
	jstr(ctx, "by", s->r.entered_by_name);
	jbool(ctx, "together", !strcmp(s->r.mode, MODE_TOGETHER));
	jstr(ctx, "dashboard", arena_printf(w->ctx.a, "/patients/%lld/measures",
					    (long long)s->pid));
	jstr(ctx, "list", list_path(w, s->pid));
	arr = jarr(ctx, "scores");
	for (i = 0; i < rep.n_scores; i++) {
		const struct score_result *r = &rep.scores[i];
		const struct q_score *sc = q_score_get(q, r->score->name);
		json_t *o = jpush(arr);
		size_t b;

		if (!sc)
			sc = r->score;
		jstr(o, "name", sc->title ? sc->title : sc->name);
		if (!r->computed) {
			jstr(o, "reason", r->reason);
			continue;
		}
		jstr(o, "value", measures_number(w, r->value));
		if (sc->has_min && sc->has_max)
			jstr(o, "range",
			     arena_printf(w->ctx.a,
					  tr(w, N_("Scores go from %s to %s.")),
					  measures_number(w, sc->min),
					  measures_number(w, sc->max)));
		for (b = 0; r->band && b < sc->n_bands; b++)
			if (!strcmp(sc->bands[b].code, r->band->code))
				jstr(o, "band", sc->bands[b].label);
	}
	if (rep.urgent) {
		jbool(ctx, "urgent", true);
		if (org_get(w->ctx.db, w->ctx.a, w->account.org_id, &org) ==
		    ERR_OK)
			jstr(ctx, "emergency_number", org.emergency_number);
		jstr(ctx, "crisis_href",
		     arena_printf(w->ctx.a, "/patients/%lld/crisis",
				  (long long)s->pid));
	}
	arr = jarr(ctx, "flags");
	for (i = 0; i < rep.n_flags; i++)
		jstr(jpush(arr), "label", rep.flags[i].flag->label);
	jbool(ctx, "staff", role_is_staff(w->ctx.actor.role));
	arr = jarr(ctx, "answers");
	for (i = 0; i < s->npos; i++) {
		const struct q_item *it = s->mq.q->all[s->pos[i]];
		json_t *o = jpush(arr);

		jstr(o, "prefix", it->prefix);
		jstr(o, "text", it->text ? it->text : it->link_id);
		jstr(o, "answer",
		     answer_text(w, q_answers_get(&s->ans, it)));
	}
	jstr(ctx, "copyright", q->copyright);
	web_audit_read(w, RESPONSE_RES, care_id_text(w, s->r.id), s->pid);
	return page_render(w, 200, "questionnaire_result", ctx);
}

/* GET /patients/:id/responses/:rid[?at=N]: the question at N (else where
 * it was left), the check page, or the result once sent. 200; 403;
 * 404. */
static enum err
get_response(struct req *req)
{
	struct web *w = web_of(req);
	struct answering *s;
	const char *vals[Q_MAX_ANSWERS];
	int64_t at;
	size_t n;
	enum err e;

	if (!(s = arena_calloc(w->ctx.a, 1, sizeof(*s))))
		return ERR_NOMEM;
	if ((e = load_answering(w, ACT_READ, s)) != ERR_OK)
		return e;
	if (!strcmp(s->r.status, "completed"))
		return result_page(w, s);
	if (!patient_allowed(w, s->pid, RES_MEASURES, ACT_WRITE))
		return ERR_FORBIDDEN;
	if (!str_to_i64(str_c(web_field(w, "at")), 0, (int64_t)s->mq.q->n_all,
			&at))
		at = s->r.screen;
	if (step_of(s, (size_t)at) == s->npos)
		return review_page(w, 200, s, NULL);
	n = stored_values(w, &s->ans, s->mq.q->all[at], vals, Q_MAX_ANSWERS);
	return screen_page(w, 200, s, (size_t)at, vals, n, NULL, false);
}

/* The strings the form sent for the answer: "answer" (several for a
 * repeating item), with "answer_other" standing for "other". */
static size_t
form_values(struct web *w, const char **out, size_t max)
{
	const struct http_field *f;
	size_t nf, i, n = 0;

	f = http_fields(w->req, &nf);
	for (i = 0; i < nf && n < max; i++) {
		if (strcmp(f[i].name, "answer"))
			continue;
		out[n++] = strcmp(f[i].value, "__other")
				   ? f[i].value
				   : web_field(w, "answer_other");
	}
	return n;
}

/* Saves the answers and the place to resume. */
static enum err
save(struct web *w, struct answering *s, enum response_op op, size_t screen,
     const struct score_report *rep)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = RESPONSE_RES,
		.resource_id = care_id_text(w, s->r.id),
		.patient_id = s->pid,
		.detail = op == RESPONSE_COMPLETE ? "questionnaire-answered"
						  : "questionnaire-saved",
		.touchpoint_kind = op == RESPONSE_COMPLETE
					   ? "questionnaire-answered"
					   : NULL,
	};
	struct q_response_info info = {
		.status = op == RESPONSE_COMPLETE ? "completed" : "in-progress",
		.subject = arena_printf(w->ctx.a, "Patient/%lld",
					(long long)s->pid),
		.authored = clock_iso(w->ctx.a, w->ctx.now),
	};
	struct response_job *j = arena_calloc(w->ctx.a, 1, sizeof(*j));
	char *json;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	if ((e = q_answers_to_json(w->ctx.a, s->mq.q, &s->ans, &info,
				   &json)) != ERR_OK)
		return e;
	j->op = op;
	j->r = s->r;
	j->r.answers = json;
	j->r.screen = (int)screen;
	j->r.entered_by = w->account.id;
	j->at_ms = w->ctx.now * 1000;
	j->today = today(w);
	if (rep && (e = response_job_report(w->ctx.a, j, rep)) != ERR_OK)
		return e;
	e = write_commit(&w->ctx, &wi, response_write, j);
	if (e == ERR_OK)
		s->r.version = j->r.version;
	return e;
}

/*
 * POST /patients/:id/responses/:rid with "at" (the question shown),
 * "version", "answer" and "go": "next", "back", "later" or, on the check
 * page, "send". 303 to the next step; 400 with the message beside the
 * answer (kept as typed); 409 when the answers were saved meanwhile in
 * another window (shown again with what was typed); 403; 404.
 */
static enum err
post_response(struct req *req)
{
	struct web *w = web_of(req);
	struct answering *s;
	struct problems ps = {0};
	struct score_report rep;
	const char *vals[Q_MAX_ANSWERS], *why = NULL;
	const char *go = web_field(w, "go");
	struct q_value *values = NULL;
	int64_t at, version;
	size_t n, nv = 0, step, next;
	const struct q_item *it;
	enum err e;

	if (!(s = arena_calloc(w->ctx.a, 1, sizeof(*s))))
		return ERR_NOMEM;
	if ((e = load_answering(w, ACT_WRITE, s)) != ERR_OK)
		return e;
	if (!strcmp(s->r.status, "completed"))
		return page_redirect(w, response_path(w, s->pid, s->r.id),
				     NULL);
	if (!str_to_i64(str_c(web_field(w, "at")), 0, (int64_t)s->mq.q->n_all,
			&at) ||
	    !care_form_version(w, &version))
		return ERR_INVALID;
	n = form_values(w, vals, Q_MAX_ANSWERS);
	step = step_of(s, (size_t)at);
	if (step == s->npos) {
		/* The check page: send, or go back to the last question. */
		if (!strcmp(go, "back") && s->npos)
			return page_redirect(
				w,
				screen_path(w, s->pid, s->r.id,
					    s->pos[s->npos - 1]),
				NULL);
		if (strcmp(go, "send"))
			return ERR_INVALID;
		if (version != s->r.version)
			return review_page(w, 409, s, NULL);
		if (q_answers_check(w->ctx.a, s->mq.q, &s->ans, true, &ps) !=
		    ERR_OK)
			return review_page(w, 400, s, &ps);
		if ((e = score_response(w->ctx.a, s->mq.q, &s->ans, &rep)) !=
			    ERR_OK ||
		    (e = save(w, s, RESPONSE_COMPLETE, (size_t)at, &rep)) !=
			    ERR_OK)
			return e == ERR_CONFLICT ? review_page(w, 409, s, NULL)
						 : e;
		return page_redirect(w, response_path(w, s->pid, s->r.id),
				     NULL);
	}
	it = s->mq.q->all[at];
	if (version != s->r.version)
		return screen_page(w, 409, s, (size_t)at, vals, n, NULL, true);
	if (q_answer_from_form(w->ctx.a, it, vals, n, &values, &nv, &why) !=
	    ERR_OK)
		return screen_page(w, 400, s, (size_t)at, vals, n,
				   why ? why : N_("Check this answer."),
				   false);
	if (!nv && it->required && !strcmp(go, "next"))
		return screen_page(w, 400, s, (size_t)at, vals, n,
				   it->type == Q_CHOICE ||
						   it->type == Q_BOOLEAN
					   ? N_("Choose an answer to go on.")
					   : N_("Answer this question to go "
						"on."),
				   false);
	if ((e = q_answers_set(w->ctx.a, &s->ans, it, values, nv)) != ERR_OK)
		return e;
	/* Answers that no longer apply (their question is switched off by
	 * this answer) are dropped here. */
	q_answers_check(w->ctx.a, s->mq.q, &s->ans, false, &ps);
	s->npos = enabled_questions(s->mq.q, &s->ans, s->pos);
	step = step_of(s, (size_t)at);
	if (!strcmp(go, "back"))
		next = step > 0 ? s->pos[step - 1] : (size_t)at;
	else if (!strcmp(go, "later"))
		next = (size_t)at;
	else
		next = step + 1 < s->npos ? s->pos[step + 1] : s->mq.q->n_all;
	if ((e = save(w, s, RESPONSE_SAVE, next, NULL)) != ERR_OK)
		return e == ERR_CONFLICT ? screen_page(w, 409, s, (size_t)at,
						       vals, n, NULL, true)
					 : e;
	if (!strcmp(go, "later"))
		return page_redirect(w, list_path(w, s->pid), "answers-saved");
	return page_redirect(w, screen_path(w, s->pid, s->r.id, next), NULL);
}

static const struct http_route questionnaire_routes[] = {
	{HTTP_GET, "/patients/:id/questionnaires", get_list, 0, NULL},
	{HTTP_POST, "/patients/:id/questionnaires/send", post_send, 0, NULL},
	{HTTP_POST, "/patients/:id/questionnaires/start", post_start, 0,
	 NULL},
	{HTTP_POST, "/patients/:id/questionnaires/requests/:rq/stop",
	 post_stop, 0, NULL},
	{HTTP_GET, "/patients/:id/responses/:rid", get_response, 0, NULL},
	{HTTP_POST, "/patients/:id/responses/:rid", post_response, 0, NULL},
};

enum err
questionnaire_web_routes(struct http_router *r)
{
	return http_router_add(r, questionnaire_routes,
			       sizeof(questionnaire_routes) /
				       sizeof(questionnaire_routes[0]));
}

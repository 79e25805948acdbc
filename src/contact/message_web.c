/*
 * Message pages: my threads (unread first), a new thread (a patient or
 * caregiver chooses the care team, one professional of it or a unit's
 * inbox; staff start from a patient), one thread with its replies, read
 * marks, attachments and quick replies, turning a message into a
 * care-plan action through the plan's own write, and the organisation's
 * quick replies. Every page works without JavaScript; every change goes
 * through write_commit(); access is the policy's (RES_CONTACT).
 */
#include "contact/contact_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/plan.h"
#include "care/version.h"
#include "contact/attachment.h"
#include "contact/consult.h"
#include "contact/message.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/str.h"
#include "http/http.h"
#include "people/careteam.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define ACTION_TEXT_MAX 300	/* characters of a plan action's text */

/* The patient or a caregiver: the patient's side of the line. */
static bool
patient_side(const struct web *w)
{
	return w->account.role == ROLE_PATIENT ||
	       w->account.role == ROLE_CAREGIVER;
}

static const char *
my_side(const struct web *w)
{
	return patient_side(w) ? MESSAGE_SIDE_PATIENT : MESSAGE_SIDE_STAFF;
}

static const char *
thread_path(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "/messages/%lld", (long long)id);
}

static const char *
id_text(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "%lld", (long long)id);
}

/*
 * A new request key for a form: a message sent twice is stored once. It
 * starts with the time in milliseconds, so new keys go to the end of
 * the unique index (one page for all the messages of a group commit,
 * not one page each), then 80 random bits.
 */
static const char *
new_key(struct web *w)
{
	char tok[TOKEN_HEX_LEN + 1];

	token_new(tok);
	return arena_printf(w->ctx.a, "%012llx%.20s",
			    (unsigned long long)clock_now_ms(), tok);
}

static void add_request_form(struct web *w, json_t *ctx,
			     const struct message_thread *t,
			     const struct message *ms, size_t n);

/* At most `max` characters of `s`, cut on a character boundary. */
static const char *
cut(struct web *w, const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max)
			return arena_strndup(w->ctx.a, s, i);
		i++;
	}
	return s;
}

/* "To": who a thread is with, in words. */
static const char *
with_whom(struct web *w, const struct message_thread *t)
{
	if (t->to_name && *t->to_name)
		return t->to_name;
	if (t->unit_id && t->unit_name && *t->unit_name)
		return arena_printf(w->ctx.a, tr(w, N_("%s inbox")),
				    t->unit_name);
	return tr(w, N_("The care team"));
}

static void
add_thread_row(struct web *w, json_t *arr, const struct message_thread *t,
	       bool with_patient)
{
	json_t *o = jpush(arr);

	jstr(o, "href", thread_path(w, t->id));
	jstr(o, "subject", t->subject);
	jstr(o, "with", with_whom(w, t));
	if (with_patient)
		jstr(o, "patient", t->patient_name);
	jstr(o, "when", page_datetime(w, t->last_message_at));
	jint(o, "unread", t->unread);
	jbool(o, "is_unread", t->unread > 0);
	jstr(o, "unread_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%d new message", "%d new messages",
			      (unsigned long)t->unread),
			  t->unread));
}

/* --- my threads ----------------------------------------------------------- */

/* A caregiver's threads: those of each person they help who lets them
 * see messages; `*unread` grows by their new messages. */
static enum err
caregiver_threads(struct web *w, json_t *ctx, json_t *arr, int64_t *unread)
{
	struct message_thread *t;
	struct grant *g;
	json_t *may = jarr(ctx, "write_for");
	size_t n, i, k, nt;
	enum err e;

	if ((e = grant_list_for_caregiver(w->ctx.db, w->ctx.a, w->account.id,
					  w->ctx.now, &g, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		int64_t pid = g[i].patient_id;

		if (!patient_allowed(w, pid, RES_CONTACT, ACT_READ))
			continue;
		if (patient_allowed(w, pid, RES_CONTACT, ACT_WRITE)) {
			json_t *o = jpush(may);

			jid(o, "patient_id", pid);
			jstr(o, "name", g[i].patient_name);
		}
		if ((e = message_threads_of_patient(w->ctx.db, w->ctx.a, pid,
						    w->account.id,
						    MESSAGE_THREADS_MAX, &t,
						    &nt)) != ERR_OK)
			return e;
		for (k = 0; k < nt; k++) {
			add_thread_row(w, arr, &t[k], true);
			*unread += t[k].unread;
		}
		web_audit_read(w, MESSAGE_RES, "", pid);
	}
	return ERR_OK;
}

/* GET /messages: 200; 403 for roles without messages. */
static enum err
get_messages(struct req *req)
{
	struct web *w = web_of(req);
	struct message_thread *t = NULL;
	json_t *ctx, *arr;
	size_t n = 0, i;
	int64_t unread = 0;
	enum role role = w->account.role;
	enum err e = ERR_OK;

	if (role != ROLE_PATIENT && role != ROLE_CAREGIVER &&
	    role != ROLE_PROFESSIONAL && role != ROLE_RECEPTIONIST)
		return ERR_FORBIDDEN;
	ctx = page_new(w, N_("Messages"));
	arr = jarr(ctx, "threads");
	if (role == ROLE_PATIENT) {
		jbool(ctx, "can_start", true);
		e = message_threads_of_patient(w->ctx.db, w->ctx.a,
					       w->account.patient_id,
					       w->account.id,
					       MESSAGE_THREADS_MAX, &t, &n);
		if (e == ERR_OK)
			web_audit_read(w, MESSAGE_RES, "",
				       w->account.patient_id);
	} else if (role == ROLE_CAREGIVER) {
		e = caregiver_threads(w, ctx, arr, &unread);
	} else {
		jbool(ctx, "staff", true);
		jbool(ctx, "with_patient", true);
		e = message_threads_of_staff(w->ctx.db, w->ctx.a,
					     w->account.org_id, w->account.id,
					     w->account.unit_id,
					     role == ROLE_PROFESSIONAL,
					     MESSAGE_THREADS_MAX, &t, &n);
	}
	if (e != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	for (i = 0; i < n; i++) {
		add_thread_row(w, arr, &t[i], role != ROLE_PATIENT);
		unread += t[i].unread;
		if (role != ROLE_PATIENT)
			web_audit_read(w, MESSAGE_RES, "", t[i].patient_id);
	}
	jbool(ctx, "with_patient", role != ROLE_PATIENT);
	jstr(ctx, "unread_text",
	     arena_printf(w->ctx.a,
			  trn(w, "%lld new message", "%lld new messages",
			      (unsigned long)unread),
			  (long long)unread));
	jbool(ctx, "has_unread", unread > 0);
	return page_render(w, 200, "messages", ctx);
}

/* --- a new thread --------------------------------------------------------- */

struct msg_form {
	const char *to;		/* "team", "person:ID", "unit:ID" */
	const char *subject;
	const char *body;
	const char *key;
};

/* Parses "team", "person:ID" or "unit:ID"; false for anything else. */
static bool
parse_to(const char *to, int64_t *unit_id, int64_t *account_id)
{
	*unit_id = 0;
	*account_id = 0;
	if (!strcmp(to, "team"))
		return true;
	if (!strncmp(to, "person:", 7))
		return str_to_i64(str_c(to + 7), 1, INT64_MAX, account_id);
	if (!strncmp(to, "unit:", 5))
		return str_to_i64(str_c(to + 5), 1, INT64_MAX, unit_id);
	return false;
}

static void
add_limit_hint(struct web *w, json_t *ctx)
{
	jstr(ctx, "file_hint",
	     arena_printf(w->ctx.a,
			  tr(w, N_("A PDF, a photo (PNG or JPEG) or a text "
				   "file, up to %d MB.")),
			  (w->app->cfg->attachment_max_kb + 1023) / 1024));
}

/*
 * The form of a new thread about patient `pid`, posted to `action`;
 * patients and caregivers choose whom to write to.
 */
static enum err
new_page(struct web *w, int status, int64_t pid, const char *action,
	 const struct msg_form *f, const struct problems *ps)
{
	struct message_recipient *r;
	struct patient p;
	json_t *ctx, *arr, *form;
	size_t n, i;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("New message"));
	jstr(ctx, "action", action);
	form = jobj(ctx, "form");
	jstr(form, "subject", f->subject);
	jstr(form, "body", f->body);
	jstr(form, "key", f->key);
	add_limit_hint(w, ctx);
	if (patient_side(w)) {
		jbool(ctx, "choose", true);
		if (w->account.role == ROLE_CAREGIVER)
			jstr(ctx, "for_name",
			     arena_printf(w->ctx.a, "%s %s", p.given_name,
					  p.family_name));
		if ((e = message_recipients(w->ctx.db, w->ctx.a, pid, &r,
					    &n)) != ERR_OK) {
			json_decref(ctx);
			return e;
		}
		arr = jarr(ctx, "recipients");
		for (i = 0; i < n; i++) {
			json_t *o = jpush(arr);
			const char *value =
				!strcmp(r[i].kind, "team")
					? "team"
					: arena_printf(w->ctx.a, "%s:%lld",
						       r[i].kind,
						       (long long)r[i].id);

			jstr(o, "value", value);
			jstr(o, "id", i ? arena_printf(w->ctx.a, "to-%zu", i)
				  : "to");
			jstr(o, "label",
			     !strcmp(r[i].kind, "team")
				     ? tr(w, N_("My whole care team"))
			     : !strcmp(r[i].kind, "unit")
				     ? arena_printf(w->ctx.a,
						    tr(w, N_("%s inbox")),
						    r[i].name)
				     : r[i].name);
			jbool(o, "checked",
			      f->to ? !strcmp(f->to, value) : i == 0);
		}
	} else {
		jstr(ctx, "patient_name",
		     arena_printf(w->ctx.a, "%s %s", p.given_name,
				  p.family_name));
		jid(ctx, "patient_id", pid);
	}
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, "Patient", id_text(w, pid), pid);
	return page_render(w, status, "message_new", ctx);
}

/* The patient a caregiver writes for (?patient=ID), else their own. */
static enum err
patient_of_writer(struct web *w, int64_t *pid)
{
	if (w->account.role == ROLE_PATIENT) {
		*pid = w->account.patient_id;
		return ERR_OK;
	}
	if (w->account.role != ROLE_CAREGIVER)
		return ERR_NOT_FOUND;
	return str_to_i64(str_c(web_field(w, "patient")), 1, INT64_MAX, pid)
		       ? ERR_OK
		       : ERR_NOT_FOUND;
}

static const char *
new_action(struct web *w, int64_t pid)
{
	if (w->account.role == ROLE_CAREGIVER)
		return arena_printf(w->ctx.a, "/messages/new?patient=%lld",
				    (long long)pid);
	if (w->account.role == ROLE_PATIENT)
		return "/messages/new";
	return arena_printf(w->ctx.a, "/patients/%lld/messages/new",
			    (long long)pid);
}

/* GET /messages/new: 200; 303 to the patient list for staff, who start
 * from a patient; 403; 404. */
static enum err
get_new(struct req *req)
{
	struct web *w = web_of(req);
	struct msg_form f = {NULL, "", "", NULL};
	int64_t pid;
	enum err e;

	if (role_is_staff(w->account.role))
		return http_redirect(req, "/patients");
	if ((e = patient_of_writer(w, &pid)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, pid, RES_CONTACT, ACT_WRITE);
	f.key = new_key(w);
	return new_page(w, 200, pid, new_action(w, pid), &f, NULL);
}

/* GET /patients/:id/messages/new: 200; 403; 404. */
static enum err
get_patient_new(struct req *req)
{
	struct web *w = web_of(req);
	struct msg_form f = {NULL, "", "", NULL};
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CONTACT, ACT_WRITE);
	f.key = new_key(w);
	return new_page(w, 200, pid, new_action(w, pid), &f, NULL);
}

/*
 * The attachment sent in "file", checked: ERR_OK with `*out` NULL when
 * none was sent; ERR_TOO_LARGE, ERR_UNSUPPORTED_MEDIA with a problem on
 * "file" in `ps`.
 */
static enum err
take_file(struct web *w, struct message_file *file,
	  const struct message_file **out, struct problems *ps)
{
	const struct http_upload *up = http_upload(w->req, "file");
	size_t max = (size_t)w->app->cfg->attachment_max_kb * 1024;
	const char *mime = NULL;
	enum err e;

	*out = NULL;
	if (!up || (!up->len && !*up->filename))
		return ERR_OK;
	e = attachment_check(up->data, up->len, max, &mime);
	if (e == ERR_TOO_LARGE) {
		problems_add(ps, "file",
			     N_("This file is too large. Send a smaller one, "
				"or a photo of the page."));
		return e;
	}
	if (e == ERR_UNSUPPORTED_MEDIA || e == ERR_INVALID) {
		problems_add(ps, "file",
			     N_("This kind of file cannot be sent. Send a "
				"PDF, a PNG or JPEG photo, or a text file."));
		return ERR_UNSUPPORTED_MEDIA;
	}
	if (e != ERR_OK)
		return e;
	file->mime = mime;
	file->filename = attachment_safe_name(w->ctx.a, up->filename, mime);
	file->size = (int64_t)up->len;
	file->data_b64 = attachment_encode(w->ctx.a, up->data, up->len);
	if (!file->filename || !file->data_b64)
		return ERR_NOMEM;
	*out = file;
	return ERR_OK;
}

/* The HTTP status of a refused attachment. */
static int
file_status(enum err e)
{
	return e == ERR_TOO_LARGE ? 413 : 415;
}

/*
 * Sends `m` by the signed-in person through the single write path and
 * answers: 303 to the thread (also when its request key was sent before
 * by the same person: the same answer); 409 for another's key. Other
 * errors are returned.
 */
static enum err
send_and_answer(struct web *w, struct message_send *m, bool *refused)
{
	struct write_info wi = {
		.action = "create",
		.resource_type = MESSAGE_RES,
		.touchpoint_kind = "message",
	};
	int64_t thread = 0, id = 0, author = 0;
	enum err e;

	*refused = false;
	m->message_id = id_new();
	wi.resource_id = id_text(w, m->message_id);
	wi.patient_id = m->patient_id;
	wi.detail = m->thread_id ? "reply" : "new-thread";
	e = write_commit(&w->ctx, &wi, message_send, m);
	if (e == ERR_EXISTS) {
		if ((e = message_find_key(w->ctx.db, w->account.org_id,
					  m->request_key, &thread, &id,
					  &author)) != ERR_OK)
			return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
		if (author != w->account.id)
			return ERR_CONFLICT;
		m->thread_id = thread;
	} else if (e == ERR_FORBIDDEN) {
		*refused = true;
		return e;
	} else if (e != ERR_OK) {
		return e;
	}
	return page_redirect(w, thread_path(w, m->thread_id), "message-sent");
}

static void
send_init(struct web *w, struct message_send *m, int64_t org_id,
	  int64_t pid, const struct msg_form *f)
{
	memset(m, 0, sizeof(*m));
	m->org_id = org_id;
	m->patient_id = pid;
	m->author_id = w->account.id;
	m->side = my_side(w);
	m->now = w->ctx.now;
	m->channel = w->ctx.channel ? w->ctx.channel : "web";
	m->request_key = f->key;
	m->body = f->body;
	m->subject = f->subject;
}

static void
form_from_request(struct web *w, struct msg_form *f)
{
	f->to = web_field(w, "to");
	f->subject = web_field(w, "subject");
	f->body = web_field(w, "body");
	f->key = web_field(w, "request_key");
}

/* POST of a new thread about patient `pid`: 303 to the thread; 400 bad
 * fields; 403 not allowed or someone outside the care team; 413 a file
 * too large; 415 a file of a kind not accepted. */
static enum err
post_new_for(struct web *w, int64_t pid)
{
	struct write_info wi = {.action = "create",
				.resource_type = MESSAGE_RES};
	const char *action = new_action(w, pid);
	struct message_file file;
	struct problems ps = {0};
	struct message_send m;
	struct msg_form f;
	struct patient p;
	int64_t unit_id = 0, to = 0;
	bool refused;
	enum err e;

	wi.patient_id = pid;
	form_from_request(w, &f);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	message_validate(f.subject, f.body, &ps);
	if (!message_key_valid(f.key)) {
		f.key = new_key(w);
		problems_add(&ps, "body",
			     N_("This form had expired. Check your message "
				"and send it again."));
	}
	if (patient_side(w)) {
		if (!parse_to(f.to, &unit_id, &to))
			problems_add(&ps, "to",
				     N_("Choose who to write to."));
	} else {
		f.to = NULL;
		if (w->account.role == ROLE_PROFESSIONAL)
			to = w->account.id;
	}
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return new_page(w, 400, pid, action, &f, &ps);
	}
	if (patient_side(w) &&
	    (e = message_may_address(w->ctx.db, pid, unit_id, to)) !=
		    ERR_OK) {
		if (e != ERR_FORBIDDEN)
			return e;
		write_refused(&w->ctx, &wi);
		problems_add(&ps, "to",
			     N_("You can write only to your care team and "
				"its units. Choose from the list."));
		return new_page(w, 403, pid, action, &f, &ps);
	}
	send_init(w, &m, p.org_id, pid, &f);
	m.unit_id = unit_id;
	m.to_account = to;
	if ((e = take_file(w, &file, &m.file, &ps)) != ERR_OK) {
		if (!ps.n)
			return e;
		write_refused(&w->ctx, &wi);
		return new_page(w, file_status(e), pid, action, &f, &ps);
	}
	e = send_and_answer(w, &m, &refused);
	if (refused) {
		problems_add(&ps, "to",
			     N_("You can write only to your care team and "
				"its units. Choose from the list."));
		return new_page(w, 403, pid, action, &f, &ps);
	}
	return e;
}

/* POST /messages/new (multipart): see post_new_for(). */
static enum err
post_new(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;
	enum err e;

	if ((e = patient_of_writer(w, &pid)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, pid, RES_CONTACT, ACT_WRITE);
	return post_new_for(w, pid);
}

/* POST /patients/:id/messages/new (multipart): see post_new_for(). */
static enum err
post_patient_new(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CONTACT, ACT_WRITE);
	return post_new_for(w, pid);
}

/* --- one thread ----------------------------------------------------------- */

/* The thread of route :id, with access `act` to its patient checked.
 * `*answered` is set when the access check answered itself. */
static enum err
thread_of_route(struct web *w, enum action act, struct message_thread *t,
		bool *answered)
{
	int64_t id;
	enum err e;

	*answered = false;
	if ((e = web_param_id(w, "id", &id)) != ERR_OK ||
	    (e = message_thread_get(w->ctx.db, w->ctx.a, id, t)) != ERR_OK)
		return e;
	return patient_access_or_respond(w, t->patient_id, RES_CONTACT, act,
					 answered);
}

#define THREAD_OR_RESPOND(w, act, t)                                       \
	do {                                                               \
		bool answered_;                                            \
		enum err te_ = thread_of_route(w, act, t, &answered_);     \
		if (te_ != ERR_OK || answered_)                            \
			return te_;                                        \
	} while (0)

/* A message body as paragraphs (one per line), for the page. */
static void
add_lines(json_t *o, const char *body)
{
	json_t *arr = jarr(o, "lines");
	const char *p = body;

	while (*p) {
		size_t len = strcspn(p, "\n");
		size_t trim = len;

		if (trim && p[trim - 1] == '\r')
			trim--;
		if (trim) {
			json_t *l = jpush(arr);

			json_object_set_new(l, "text",
					    json_stringn(p, trim));
		}
		p += len;
		if (*p)
			p++;
	}
}

static const char *
size_text(struct web *w, int64_t bytes)
{
	if (bytes < 1024)
		return arena_printf(w->ctx.a, tr(w, N_("%lld bytes")),
				    (long long)bytes);
	if (bytes < 1024 * 1024)
		return arena_printf(w->ctx.a, tr(w, N_("%lld KB")),
				    (long long)((bytes + 1023) / 1024));
	return arena_printf(w->ctx.a, tr(w, N_("%.1f MB")),
			    (double)bytes / (1024.0 * 1024.0));
}

/* The quick replies, each a link that puts its text in the reply box. */
static enum err
add_quick_replies(struct web *w, json_t *ctx, const struct message_thread *t,
		  const char **body)
{
	struct message_template *q;
	json_t *arr = jarr(ctx, "quick_replies");
	int64_t chosen = 0;
	size_t n, i;
	enum err e;

	if ((e = message_template_list(w->ctx.db, w->ctx.a, w->account.org_id,
				       &q, &n)) != ERR_OK)
		return e;
	str_to_i64(str_c(web_field(w, "template")), 1, INT64_MAX, &chosen);
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "title", q[i].title);
		jstr(o, "href",
		     arena_printf(w->ctx.a, "/messages/%lld?template=%lld#reply",
				  (long long)t->id, (long long)q[i].id));
		if (q[i].id == chosen && !**body)
			*body = q[i].body;
	}
	return ERR_OK;
}

/* The form that makes a message a care-plan action: the patient's
 * goals, the text (the chosen message's, cut to fit) and the owner. */
static enum err
add_plan_form(struct web *w, json_t *ctx, const struct message_thread *t,
	      const struct message *ms, size_t n, const char *typed)
{
	struct plan_item *items;
	json_t *form = jobj(ctx, "plan"), *goals = jarr(form, "goals");
	int64_t from = 0;
	const char *text = typed;
	size_t ni, i;
	enum err e;

	if ((e = plan_items_list(w->ctx.db, w->ctx.a, t->patient_id, &items,
				 &ni)) != ERR_OK)
		return e;
	for (i = 0; i < ni; i++) {
		json_t *o;

		if (strcmp(items[i].kind, CARE_GOAL))
			continue;
		o = jpush(goals);
		jid(o, "id", items[i].id);
		jstr(o, "text", items[i].text);
		jbool(form, "has_goals", true);
	}
	str_to_i64(str_c(web_field(w, "action_from")), 1, INT64_MAX, &from);
	for (i = 0; !text && i < n; i++)
		if (ms[i].id == from)
			text = cut(w, ms[i].body, ACTION_TEXT_MAX);
	jstr(form, "text", text ? text : cut(w, t->subject, ACTION_TEXT_MAX));
	jid(form, "item_id", id_new());
	jbool(form, "professional", w->account.role == ROLE_PROFESSIONAL);
	jbool(form, "self", w->account.patient_id == t->patient_id);
	jstr(form, "goals_href",
	     arena_printf(w->ctx.a, "/patients/%lld/plan",
			  (long long)t->patient_id));
	return ERR_OK;
}

/* Marks what the reader sees as read, once there is something new. */
static enum err
mark_read(struct web *w, const struct message_thread *t)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = MESSAGE_RES_READ,
	};
	struct message_read_mark r;
	int seq;
	enum err e;

	if ((e = message_read_seq(w->ctx.db, t->id, w->account.id, &seq)) !=
	    ERR_OK)
		return e;
	if (seq >= t->messages)
		return ERR_OK;
	r.thread_id = t->id;
	r.account_id = w->account.id;
	r.side = my_side(w);
	r.seq = t->messages;
	r.now = w->ctx.now;
	/* No patient: a read mark is not a change to the record, so it
	 * has no provenance (the read itself is audited with the patient
	 * by web_audit_read). */
	wi.resource_id = id_text(w, t->id);
	return write_commit(&w->ctx, &wi, message_mark_read, &r);
}

/*
 * The thread page: the messages, and the forms the reader may use. With
 * a POST that failed, `status` and `ps` say why and `reply`/`plan_text`
 * keep what was typed.
 */
static enum err
thread_page(struct web *w, int status, const struct message_thread *t,
	    const char *reply, const char *plan_text, const struct problems *ps)
{
	const char *side = my_side(w), *body = reply ? reply : "";
	struct message *ms;
	json_t *ctx, *arr;
	size_t n, i;
	bool can_write;
	enum err e;

	if ((e = message_list(w->ctx.db, w->ctx.a, t->id, &ms, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Message"));
	jstr(ctx, "subject", t->subject);
	jstr(ctx, "with", with_whom(w, t));
	jstr(ctx, "action", thread_path(w, t->id));
	if (!patient_side(w) || w->account.patient_id != t->patient_id) {
		jstr(ctx, "patient_name", t->patient_name);
		jid(ctx, "patient_id", t->patient_id);
		jbool(ctx, "staff", !patient_side(w));
	}
	arr = jarr(ctx, "messages");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);
		bool mine = !strcmp(ms[i].author_side, side);

		jid(o, "id", ms[i].id);
		jstr(o, "anchor", arena_printf(w->ctx.a, "m%d", ms[i].seq));
		jstr(o, "author", ms[i].author_id == w->account.id
					  ? tr(w, N_("You"))
					  : ms[i].author_name);
		jbool(o, "mine", mine);
		jbool(o, "read", mine && ms[i].read_by_other);
		jstr(o, "when", page_datetime(w, ms[i].sent_at));
		add_lines(o, ms[i].body);
		if (ms[i].attachment_id) {
			json_t *a = jobj(o, "file");

			jstr(a, "href",
			     arena_printf(w->ctx.a,
					  "/messages/%lld/attachments/%lld",
					  (long long)t->id,
					  (long long)ms[i].attachment_id));
			jstr(a, "name", ms[i].attachment_name);
			jstr(a, "size", size_text(w, ms[i].attachment_size));
		}
		jstr(o, "to_plan",
		     arena_printf(w->ctx.a,
				  "/messages/%lld?action_from=%lld#plan-action",
				  (long long)t->id, (long long)ms[i].id));
	}
	can_write = patient_allowed(w, t->patient_id, RES_CONTACT, ACT_WRITE);
	jbool(ctx, "can_reply", can_write);
	if (can_write && !patient_side(w) &&
	    (e = add_quick_replies(w, ctx, t, &body)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	if (patient_allowed(w, t->patient_id, RES_CARE_RECORD, ACT_WRITE)) {
		jbool(ctx, "can_plan", true);
		if ((e = add_plan_form(w, ctx, t, ms, n, plan_text)) !=
		    ERR_OK) {
			json_decref(ctx);
			return e;
		}
	}
	if (can_write && !patient_side(w) &&
	    policy_org_allows(&w->ctx.actor, t->org_id, ORG_TRIAGE))
		add_request_form(w, ctx, t, ms, n);
	jstr(ctx, "body", body);
	jstr(ctx, "request_key", new_key(w));
	add_limit_hint(w, ctx);
	jbool(ctx, "staff_side", !patient_side(w));
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, MESSAGE_RES, id_text(w, t->id), t->patient_id);
	return page_render(w, status, "message_thread", ctx);
}

/* GET /messages/:id: 200; 403 (or the break-the-glass offer); 404. */
static enum err
get_thread(struct req *req)
{
	struct web *w = web_of(req);
	struct message_thread t;
	enum err e;

	THREAD_OR_RESPOND(w, ACT_READ, &t);
	if ((e = mark_read(w, &t)) != ERR_OK)
		return e;
	return thread_page(w, 200, &t, NULL, NULL, NULL);
}

/* POST /messages/:id (multipart): a reply. 303 to the thread; 400 bad
 * fields (what was typed kept); 403 not allowed; 404; 413; 415. */
static enum err
post_thread(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {.action = "create",
				.resource_type = MESSAGE_RES};
	struct message_thread t;
	struct message_file file;
	struct problems ps = {0};
	struct message_send m;
	struct msg_form f;
	bool refused;
	enum err e;

	THREAD_OR_RESPOND(w, ACT_WRITE, &t);
	wi.patient_id = t.patient_id;
	form_from_request(w, &f);
	f.subject = NULL;
	message_validate(NULL, f.body, &ps);
	if (!message_key_valid(f.key))
		problems_add(&ps, "body",
			     N_("This form had expired. Check your message "
				"and send it again."));
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return thread_page(w, 400, &t, f.body, NULL, &ps);
	}
	send_init(w, &m, t.org_id, t.patient_id, &f);
	m.thread_id = t.id;
	m.claim = w->account.role == ROLE_PROFESSIONAL;
	if ((e = take_file(w, &file, &m.file, &ps)) != ERR_OK) {
		if (!ps.n)
			return e;
		write_refused(&w->ctx, &wi);
		return thread_page(w, file_status(e), &t, f.body, NULL, &ps);
	}
	e = send_and_answer(w, &m, &refused);
	return refused ? ERR_FORBIDDEN : e;
}

/* GET /messages/:id/attachments/:file: 200 the file itself, to save (not
 * to open in the page); 403; 404. */
static enum err
get_attachment(struct req *req)
{
	struct web *w = web_of(req);
	struct message_thread t;
	struct attachment a;
	int64_t id;
	enum err e;

	THREAD_OR_RESPOND(w, ACT_READ, &t);
	if ((e = web_param_id(w, "file", &id)) != ERR_OK ||
	    (e = attachment_get(w->ctx.db, w->ctx.a, t.id, id, &a)) != ERR_OK)
		return e;
	web_audit_read(w, MESSAGE_RES_ATTACHMENT, id_text(w, a.id),
		       t.patient_id);
	http_no_store(req);
	if ((e = http_add_header(req, "Content-Disposition",
				 arena_printf(w->ctx.a,
					      "attachment; filename=\"%s\"",
					      a.filename))) != ERR_OK)
		return e;
	return http_respond_ref(req, 200, a.mime, a.data, a.len);
}

/* POST /messages/:id/plan-action: the message becomes an action under a
 * goal of the patient's care plan, proposed by the signed-in person
 * through the plan's own write (agreement and history as for any
 * proposal). 303 to the new action; 400 bad fields; 403; 404. */
static enum err
post_plan_action(struct req *req)
{
	struct web *w = web_of(req);
	struct message_thread t;
	struct problems ps = {0};
	struct plan_change c;
	const char *owner = web_field(w, "owner");
	char rid[24];
	struct write_info wi = {
		.action = "create",
		.resource_type = PLAN_RES_ACTION,
		.resource_id = rid,
		.touchpoint_kind = "care-plan",
		.detail = "from-message",
	};
	enum err e;

	THREAD_OR_RESPOND(w, ACT_READ, &t);
	PATIENT_ACCESS_OR_RESPOND(w, t.patient_id, RES_CARE_RECORD, ACT_WRITE);
	memset(&c, 0, sizeof(c));
	c.change = "create";
	c.org_id = t.org_id;
	c.patient_id = t.patient_id;
	c.author_id = w->account.id;
	c.voice = role_voice(w->ctx.actor.role);
	c.at_ms = clock_now_ms();
	c.now = w->ctx.now;
	c.item.kind = CARE_ACTION;
	c.item.text = web_field(w, "text");
	c.item.status = "planned";
	c.item.due_date = "";
	c.item.source = arena_printf(w->ctx.a, "message:%lld",
				     (long long)t.id);
	if (!strcmp(owner, "me") && w->account.role == ROLE_PROFESSIONAL) {
		c.item.owner_kind = "professional";
		c.item.owner_id = w->account.id;
	} else {
		c.item.owner_kind = "patient";
	}
	if (!str_to_i64(str_c(web_field(w, "goal")), 1, INT64_MAX,
			&c.item.goal_id))
		problems_add(&ps, "goal", N_("Choose the goal this action is "
					     "for."));
	if (!str_to_i64(str_c(web_field(w, "item_id")), 1, INT64_MAX,
			&c.item.id))
		c.item.id = id_new();
	plan_item_validate(&c.item, &ps);
	wi.patient_id = t.patient_id;
	snprintf(rid, sizeof(rid), "%lld", (long long)c.item.id);
	if (!ps.n) {
		e = write_commit(&w->ctx, &wi, plan_write, &c);
		if (e == ERR_EXISTS)	/* the same form sent again */
			c.new_id = c.item.id;
		else if (e == ERR_INVALID)
			problems_add(&ps, "goal",
				     N_("Choose the goal this action is "
					"for."));
		else if (e != ERR_OK)
			return e;
	} else {
		write_refused(&w->ctx, &wi);
	}
	if (ps.n)
		return thread_page(w, 400, &t, NULL, c.item.text, &ps);
	return page_redirect(w,
			     arena_printf(w->ctx.a,
					  "/patients/%lld/plan/items/%lld",
					  (long long)t.patient_id,
					  (long long)c.new_id),
			     "saved");
}

/* --- a message made an online consultation -------------------------------- */

/* The patient's latest message, the one a request is made from. */
static const struct message *
latest_patient_message(const struct message *ms, size_t n)
{
	while (n-- > 0)
		if (!strcmp(ms[n].author_side, MESSAGE_SIDE_PATIENT))
			return &ms[n];
	return NULL;
}

static void
add_request_form(struct web *w, json_t *ctx, const struct message_thread *t,
		 const struct message *ms, size_t n)
{
	const struct message *m = latest_patient_message(ms, n);
	json_t *form, *kinds, *o;
	int k;

	if (!m)
		return;
	form = jobj(ctx, "to_request");
	jid(form, "from", m->id);
	kinds = jarr(form, "kinds");
	for (k = 0; k < CONSULT__MAX; k++) {
		o = jpush(kinds);
		jstr(o, "code", consult_kind_code((enum consult_kind)k));
		jstr(o, "label", tr(w, consult_kind_label((enum consult_kind)k)));
	}
	(void)t;
}

/*
 * POST /messages/:id/request: the patient's message made an online
 * consultation in the triage queue (asked online, so the patient's
 * touchpoint on the web channel). 303 to the request; 400 bad kind or
 * message; 403 for anyone who does not triage. Sent twice, the same
 * request (its key is made from the message).
 */
static enum err
post_request(struct req *req)
{
	struct web *w = web_of(req);
	struct message_thread t;
	struct message *ms;
	struct consult_answer answer;
	struct consult_new nw = {0};
	struct problems ps = {0};
	int64_t from = 0;
	size_t n, i;
	enum err e;

	THREAD_OR_RESPOND(w, ACT_READ, &t);
	PATIENT_ACCESS_OR_RESPOND(w, t.patient_id, RES_CONTACT, ACT_WRITE);
	if (patient_side(w) ||
	    !policy_org_allows(&w->ctx.actor, t.org_id, ORG_TRIAGE))
		return ERR_FORBIDDEN;
	if (!consult_kind_parse(web_field(w, "kind"), &nw.kind) ||
	    !str_to_i64(str_c(web_field(w, "from")), 1, INT64_MAX, &from))
		return ERR_INVALID;
	if ((e = message_list(w->ctx.db, w->ctx.a, t.id, &ms, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n && ms[i].id != from; i++)
		;
	if (i == n || strcmp(ms[i].author_side, MESSAGE_SIDE_PATIENT))
		return ERR_INVALID;
	answer.question = t.subject;
	answer.answer = cut(w, ms[i].body, CONSULT_ANSWER_MAX);
	nw.patient_id = t.patient_id;
	nw.request_key = arena_printf(w->ctx.a, "from-message-%020lld",
				      (long long)from);
	nw.answers = &answer;
	nw.nanswers = 1;
	w->ctx.patient_initiated = true;
	e = consult_submit(&w->ctx, &nw, &ps);
	w->ctx.patient_initiated = false;
	if (e != ERR_OK)
		return e == ERR_INVALID ? ERR_INVALID : e;
	return page_redirect(w, arena_printf(w->ctx.a, "/triage/%lld",
					     (long long)nw.id),
			     "consult-recorded");
}

/* --- quick replies -------------------------------------------------------- */

static enum err
templates_page(struct web *w, int status, const struct message_template *typed,
	       const struct problems *ps)
{
	struct message_template *q;
	json_t *ctx, *arr, *form;
	size_t n, i;
	enum err e;

	if ((e = message_template_list(w->ctx.db, w->ctx.a, w->account.org_id,
				       &q, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Quick replies"));
	arr = jarr(ctx, "templates");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", q[i].id);
		jstr(o, "title", q[i].title);
		jstr(o, "body", q[i].body);
		jstr(o, "when", page_date(w, q[i].updated_at));
	}
	form = jobj(ctx, "form");
	jstr(form, "title", typed ? typed->title : "");
	jstr(form, "body", typed ? typed->body : "");
	if (typed && typed->id)
		jid(form, "id", typed->id);
	jbool(ctx, "full", n >= MESSAGE_TEMPLATES_MAX);
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "message_templates", ctx);
}

/* GET /messages/templates: 200; 403 (not staff who answer messages). */
static enum err
get_templates(struct req *req)
{
	struct web *w = web_of(req);
	struct message_template t = {0};

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_MESSAGE_TEMPLATES))
		return ERR_FORBIDDEN;
	str_to_i64(str_c(web_field(w, "edit")), 1, INT64_MAX, &t.id);
	if (t.id && message_template_get(w->ctx.db, w->ctx.a,
					 w->account.org_id, t.id, &t) != ERR_OK)
		return ERR_NOT_FOUND;
	return templates_page(w, 200, t.id ? &t : NULL, NULL);
}

/* POST /messages/templates: a new quick reply, or a changed one ("id").
 * 303 back; 400 bad fields; 403; 404 no such quick reply. */
static enum err
post_templates(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {.action = "update",
				.resource_type = MESSAGE_RES_TEMPLATE};
	struct message_template t = {0};
	struct problems ps = {0};
	enum err e;

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_MESSAGE_TEMPLATES))
		return ERR_FORBIDDEN;
	t.org_id = w->account.org_id;
	t.title = web_field(w, "title");
	t.body = web_field(w, "body");
	t.updated_by = w->account.id;
	t.updated_at = w->ctx.now;
	if (!str_to_i64(str_c(web_field(w, "id")), 1, INT64_MAX, &t.id)) {
		t.id = id_new();
		wi.action = "create";
	}
	wi.resource_id = id_text(w, t.id);
	message_template_validate(t.title, t.body, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		if (!strcmp(wi.action, "create"))
			t.id = 0;
		return templates_page(w, 400, &t, &ps);
	}
	if ((e = write_commit(&w->ctx, &wi, message_template_write, &t)) !=
	    ERR_OK)
		return e;
	return page_redirect(w, "/messages/templates", "saved");
}

/* POST /messages/templates/:tid/remove: 303 back; 403; 404. */
static enum err
post_template_remove(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {.action = "delete",
				.resource_type = MESSAGE_RES_TEMPLATE};
	struct message_template t = {0};
	enum err e;

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_MESSAGE_TEMPLATES))
		return ERR_FORBIDDEN;
	if ((e = web_param_id(w, "tid", &t.id)) != ERR_OK)
		return e;
	t.org_id = w->account.org_id;
	t.updated_by = w->account.id;
	t.removed_at = w->ctx.now;
	wi.resource_id = id_text(w, t.id);
	if ((e = write_commit(&w->ctx, &wi, message_template_write, &t)) !=
	    ERR_OK)
		return e;
	return page_redirect(w, "/messages/templates", "saved");
}

static const struct http_route message_routes[] = {
	{HTTP_GET, "/messages", get_messages, 0, NULL},
	{HTTP_GET, "/messages/new", get_new, 0, NULL},
	{HTTP_POST, "/messages/new", post_new, HTTP_ROUTE_UPLOAD, NULL},
	{HTTP_GET, "/messages/templates", get_templates, 0, NULL},
	{HTTP_POST, "/messages/templates", post_templates, 0, NULL},
	{HTTP_POST, "/messages/templates/:tid/remove", post_template_remove, 0,
	 NULL},
	{HTTP_GET, "/messages/:id", get_thread, 0, NULL},
	{HTTP_POST, "/messages/:id", post_thread, HTTP_ROUTE_UPLOAD, NULL},
	{HTTP_GET, "/messages/:id/attachments/:file", get_attachment, 0, NULL},
	{HTTP_POST, "/messages/:id/plan-action", post_plan_action, 0, NULL},
	{HTTP_POST, "/messages/:id/request", post_request, 0, NULL},
	{HTTP_GET, "/patients/:id/messages/new", get_patient_new, 0, NULL},
	{HTTP_POST, "/patients/:id/messages/new", post_patient_new,
	 HTTP_ROUTE_UPLOAD, NULL},
};

enum err
message_web_routes(struct http_router *r)
{
	return http_router_add(r, message_routes,
			       sizeof(message_routes) /
				       sizeof(message_routes[0]));
}

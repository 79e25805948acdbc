/*
 * Page rendering into the layout (see page.h).
 */
#include "web/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "http/http.h"
#include "web/app.h"
#include "web/i18n.h"
#include "web/template.h"
#include "core/banned.h"

#define PAGE_MAX (2u << 20)

/* Notices shown after a redirect: the code travels in ?done=, never text. */
static const struct {
	const char *code;
	const char *msg;
} notices[] = {
	{"saved", N_("Your changes are saved.")},
	{"message-sent", N_("Your message is sent.")},
	{"signed-out", N_("You have signed out.")},
	{"signed-out-everywhere", N_("You have signed out on every device.")},
	{"password", N_("Your password is changed.")},
	{"second-factor-on", N_("Two-step sign-in is on.")},
	{"second-factor-off", N_("Two-step sign-in is off.")},
	{"grant-added", N_("Access is granted.")},
	{"grant-revoked", N_("Access is withdrawn.")},
	{"research-saved", N_("Your answer about research is saved.")},
	{"user-created", N_("The account is created.")},
	{"user-disabled", N_("The account is turned off. The person is "
			     "signed out everywhere.")},
	{"user-enabled", N_("The account is turned on again.")},
	{"password-set", N_("The new password is set. The person is signed "
			    "out everywhere.")},
	{"second-factor-reset", N_("Two-step sign-in is reset. The person "
				   "sets it up again at the next sign-in.")},
	{"token-revoked", N_("The token is revoked.")},
	{"team-changed", N_("The care team is updated.")},
	{"unit-added", N_("The unit is added.")},
	{"glass-broken", N_("Emergency access is open for four hours. The "
			    "patient and the privacy officer can see it.")},
	{"answers-saved", N_("Your answers are saved. Carry on whenever you "
			     "like: they are waiting for you here.")},
	{"questionnaire-sent", N_("The questionnaire is sent. It shows on "
				  "the patient's home page when it is due.")},
	{"questionnaire-stopped", N_("The questionnaire will not be asked "
				     "again.")},
	{"instrument-added", N_("The questionnaire is added. Care teams can "
				"send it now.")},
	{"appointment-booked", N_("The appointment is booked.")},
	{"appointment-moved", N_("The appointment is moved to the new time.")},
	{"appointment-cancelled", N_("The appointment is cancelled.")},
	{"appointment-cancelled-late", N_("The appointment is cancelled. It "
					  "was close to the time, so it is "
					  "recorded as a late "
					  "cancellation.")},
	{"attendance-saved", N_("Attendance is recorded.")},
	{"slots-added", N_("The times are added. Patients can book them "
			   "now.")},
	{"slot-withdrawn", N_("The time is withdrawn.")},
	{"outbox-retried", N_("The notification will be tried again now.")},
	{"outbox-retried-all", N_("Every notification not delivered will be "
				  "tried again now.")},
	{"consult-sent", N_("Your request is sent. You can follow it on "
			    "this page.")},
	{"consult-rated", N_("Thank you for your answers.")},
	{"consult-answered", N_("Your reply is sent to the patient.")},
	{"consult-closed", N_("The request is closed. The patient can see "
			      "the outcome.")},
	{"consult-recorded", N_("The request is recorded in the queue.")},
};

struct nav_item {
	const char *href;	/* "%p" is replaced by the patient id */
	const char *label;
};

static const struct nav_item nav_patient[] = {
	{"/", N_("Home")},
	{"/patients/%p", N_("My record")},
	{"/consult", N_("Ask for help")},
	{"/messages", N_("Messages")},
	{"/appointments", N_("Appointments")},
	{"/patients/%p/access", N_("Who looked at my record")},
	{"/patients/%p/grants", N_("People who help me")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_professional[] = {
	{"/", N_("Home")},
	{"/patients", N_("My patients")},
	{"/triage", N_("Requests")},
	{"/alerts", N_("Alerts")},
	{"/appointments", N_("Appointments")},
	{"/messages", N_("Messages")},
	{"/panel", N_("Co-production")},
	{"/instruments", N_("Questionnaires")},
	{"/touchpoints", N_("Contact analytics")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_reception[] = {
	{"/", N_("Home")},
	{"/patients", N_("Patients")},
	{"/triage", N_("Requests")},
	{"/appointments", N_("Appointments")},
	{"/messages", N_("Messages")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_caregiver[] = {
	{"/", N_("Home")},
	{"/appointments", N_("Appointments")},
	{"/messages", N_("Messages")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_admin[] = {
	{"/", N_("Home")},
	{"/admin/users", N_("Accounts")},
	{"/admin", N_("Organisation")},
	{"/admin/appointments", N_("Appointment rules")},
	{"/admin/outbox", N_("Notifications")},
	{"/admin/contact", N_("Contact settings")},
	{"/touchpoints", N_("Contact analytics")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_privacy[] = {
	{"/", N_("Home")},
	{"/privacy", N_("Emergency access review")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_analyst[] = {
	{"/", N_("Home")},
	{"/touchpoints", N_("Contact analytics")},
	{"/account", N_("My account")},
	{NULL, NULL},
};
static const struct nav_item nav_other[] = {
	{"/", N_("Home")},
	{"/account", N_("My account")},
	{NULL, NULL},
};

static const struct nav_item *
nav_for(enum role role)
{
	switch (role) {
	case ROLE_PATIENT:
		return nav_patient;
	case ROLE_PROFESSIONAL:
		return nav_professional;
	case ROLE_RECEPTIONIST:
		return nav_reception;
	case ROLE_CAREGIVER:
		return nav_caregiver;
	case ROLE_ADMINISTRATOR:
		return nav_admin;
	case ROLE_PRIVACY_OFFICER:
		return nav_privacy;
	case ROLE_IMPROVEMENT_LEAD:
	case ROLE_RESEARCHER:
		return nav_analyst;
	default:
		return nav_other;
	}
}

void
jstr(json_t *o, const char *key, const char *value)
{
	/* An empty value is left out: it prints the same, and a section on
	 * it is then skipped as a reader would expect. */
	if (value && *value)
		json_object_set_new(o, key, json_string(value));
}

void
jint(json_t *o, const char *key, int64_t value)
{
	json_object_set_new(o, key, json_integer((json_int_t)value));
}

void
jbool(json_t *o, const char *key, bool value)
{
	json_object_set_new(o, key, json_boolean(value));
}

void
jid(json_t *o, const char *key, int64_t id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)id);
	json_object_set_new(o, key, json_string(s));
}

json_t *
jarr(json_t *o, const char *key)
{
	json_t *a = json_array();

	json_object_set_new(o, key, a);
	return a;
}

json_t *
jobj(json_t *o, const char *key)
{
	json_t *x = json_object();

	json_object_set_new(o, key, x);
	return x;
}

json_t *
jpush(json_t *arr)
{
	json_t *x = json_object();

	json_array_append_new(arr, x);
	return x;
}

static const char *const month_en[] = {"Jan", "Feb", "Mar", "Apr",
				       "May", "Jun", "Jul", "Aug",
				       "Sep", "Oct", "Nov", "Dec"};
static const char *const month_es[] = {"ene", "feb", "mar", "abr",
				       "may", "jun", "jul", "ago",
				       "sept", "oct", "nov", "dic"};

const char *const *
page_months(struct web *w)
{
	return strcmp(w->lang, "es") == 0 ? month_es : month_en;
}

static const char *
format_date(struct web *w, int64_t t, bool with_time)
{
	const char *const *months = page_months(w);
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		return "";
	if (with_time)
		return arena_printf(w->ctx.a, "%d %s %d, %02d:%02d",
				    tm.tm_mday, months[tm.tm_mon],
				    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
	return arena_printf(w->ctx.a, "%d %s %d", tm.tm_mday,
			    months[tm.tm_mon], tm.tm_year + 1900);
}

const char *
page_date(struct web *w, int64_t t)
{
	return format_date(w, t, false);
}

const char *
page_datetime(struct web *w, int64_t t)
{
	return format_date(w, t, true);
}

/* The CSRF token for forms on this page: the session's, or before
 * sign-in a random one also set as a cookie (double submit). */
static const char *
form_token(struct web *w)
{
	const char *cookie;
	char *t;

	if (w->signed_in)
		return w->session.csrf;
	cookie = http_cookie(w->req, "form");
	if (cookie && strlen(cookie) == TOKEN_HEX_LEN)
		return cookie;
	t = arena_alloc(w->ctx.a, TOKEN_HEX_LEN + 1);
	if (!t)
		return "";
	token_new(t);
	http_set_cookie(w->req, "form", t, -1);
	return t;
}

static void
add_nav(struct web *w, json_t *ctx)
{
	const struct nav_item *n = nav_for(w->account.role);
	const char *path = http_path(w->req);
	json_t *arr = jarr(ctx, "nav");
	char pid[24];

	snprintf(pid, sizeof(pid), "%lld", (long long)w->account.patient_id);
	for (; n->href; n++) {
		json_t *item = jpush(arr);
		const char *p = strstr(n->href, "%p");
		char *href;

		if (p)
			href = arena_printf(w->ctx.a, "%.*s%s%s",
					    (int)(p - n->href), n->href, pid,
					    p + 2);
		else
			href = arena_strdup(w->ctx.a, n->href);
		jstr(item, "href", href);
		jstr(item, "label", tr(w, n->label));
		jbool(item, "current", href && path && !strcmp(href, path));
	}
}

json_t *
page_new(struct web *w, const char *title_msgid)
{
	json_t *ctx = json_object();

	if (!ctx)
		return NULL;
	jstr(ctx, "title", tr(w, title_msgid));
	return ctx;
}

/* Mustache has no "list is not empty" test. */
static void
add_list_flags_in(struct web *w, json_t *obj, int depth)
{
	const char *key, *flags[32];
	size_t n = 0, i;
	json_t *v, *item;

	/* Collected first: adding keys while iterating is not allowed. */
	json_object_foreach(obj, key, v) {
		if (!json_is_array(v) || json_array_size(v) == 0)
			continue;
		if (n < 32)
			flags[n++] = arena_printf(w->ctx.a, "has_%s", key);
		if (depth < 3)
			json_array_foreach(v, i, item)
				if (json_is_object(item))
					add_list_flags_in(w, item, depth + 1);
	}
	for (i = 0; i < n; i++)
		if (flags[i])
			jbool(obj, flags[i], true);
}

/* Every non-empty list gets a has_<name> flag beside it (in nested
 * objects too) for the heading or table around it. */
static void
add_list_flags(struct web *w, json_t *ctx)
{
	add_list_flags_in(w, ctx, 0);
}

static void
add_common(struct web *w, json_t *ctx)
{
	const char *done = http_field(w->req, "done");
	size_t i;

	jstr(ctx, "lang", w->lang);
	jstr(ctx, "css", http_static_url(w->ctx.a, "app.css"));
	jstr(ctx, "csrf", form_token(w));
	jbool(ctx, "signed_in", w->signed_in);
	jbool(ctx, "lang_es", strcmp(w->lang, "es") == 0);
	if (w->signed_in) {
		jstr(ctx, "user_name", w->account.display_name);
		jstr(ctx, "user_role", tr(w, role_label(w->account.role)));
		if (!(w->account.totp_enabled &&
		      !w->session.second_factor_done) &&
		    !web_needs_2fa_setup(w))
			add_nav(w, ctx);
	}
	for (i = 0; done && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(done, notices[i].code) == 0)
			jstr(ctx, "notice", tr(w, notices[i].msg));
	add_list_flags(w, ctx);
}

char *
page_fragment(struct web *w, const char *name, json_t *ctx)
{
	struct tpl_options o = {true, i18n_translate, NULL};
	struct i18n_lang tl = {w->app->i18n, w->lang};
	struct buf out;

	o.translate_ud = &tl;
	add_list_flags(w, ctx);
	buf_init(&out, w->ctx.a, PAGE_MAX);
	if (tpl_render(w->app->tpl, name, ctx, &o, &out) != ERR_OK) {
		log_error("template '%s' failed", name);
		return NULL;
	}
	return out.p;
}

enum err
page_render(struct web *w, int status, const char *name, json_t *ctx)
{
	struct tpl_options o = {true, i18n_translate, NULL};
	struct i18n_lang tl = {w->app->i18n, w->lang};
	struct buf body, html;
	enum err e;

	if (!ctx)
		return ERR_NOMEM;
	o.translate_ud = &tl;
	add_common(w, ctx);
	buf_init(&body, w->ctx.a, PAGE_MAX);
	e = tpl_render(w->app->tpl, name, ctx, &o, &body);
	if (e == ERR_OK) {
		json_object_set_new(ctx, "content", tpl_trusted_html(body.p));
		buf_init(&html, w->ctx.a, PAGE_MAX);
		e = tpl_render(w->app->tpl, "layout", ctx, &o, &html);
	}
	json_decref(ctx);
	if (e != ERR_OK) {
		log_error("template '%s': %s", name, err_name(e));
		return ERR_INTERNAL;
	}
	if (w->signed_in)
		http_no_store(w->req);
	return http_respond_ref(w->req, status, "text/html", html.p,
				html.len);
}

enum err
page_redirect(struct web *w, const char *path, const char *notice)
{
	const char *to = path;

	if (notice)
		to = arena_printf(w->ctx.a, "%s%cdone=%s", path,
				  strchr(path, '?') ? '&' : '?', notice);
	if (!to)
		return ERR_NOMEM;
	return http_redirect(w->req, to);
}

void
page_problems(struct web *w, json_t *ctx, const struct problems *ps)
{
	json_t *arr;
	size_t i;

	if (ps->n == 0)
		return;
	arr = jarr(ctx, "problems");
	for (i = 0; i < ps->n; i++) {
		json_t *p = jpush(arr);
		char key[80];

		jstr(p, "field", ps->p[i].field);
		jstr(p, "message", tr(w, ps->p[i].msg));
		snprintf(key, sizeof(key), "error_%s",
			 ps->p[i].field ? ps->p[i].field : "form");
		if (!json_object_get(ctx, key))
			jstr(ctx, key, tr(w, ps->p[i].msg));
	}
}

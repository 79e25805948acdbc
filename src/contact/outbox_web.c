/*
 * The outbox's pages: a person's notification preferences
 * (/account/notifications: email, text messages and the number, quiet
 * hours) and the administrator's view of the outbox (/admin/outbox:
 * counts by status and the dead-letter list, each row or all of them
 * tried again).
 */
#include "contact/contact_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "contact/outbox.h"
#include "core/arena.h"
#include "core/problem.h"
#include "http/http.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define DEAD_SHOWN 200
#define FIELD_MAX 64

/* --- A person's preferences ------------------------------------------- */

/* What the form holds, as typed. */
struct pref_form {
	bool by_email, by_sms;
	const char *phone, *quiet_start, *quiet_end;
};

static const char *
hhmm(struct web *w, int min)
{
	return arena_printf(w->ctx.a, "%02d:%02d", min / 60, min % 60);
}

static enum err
pref_page(struct web *w, int status, const struct pref_form *f,
	  const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Notifications"));

	jstr(ctx, "email", w->account.email);
	jbool(ctx, "by_email", f->by_email);
	jbool(ctx, "by_sms", f->by_sms);
	jstr(ctx, "phone", f->phone);
	jstr(ctx, "quiet_start", f->quiet_start);
	jstr(ctx, "quiet_end", f->quiet_end);
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "outbox_prefs", ctx);
}

/* GET /account/notifications: 200. */
static enum err
get_prefs(struct req *req)
{
	struct web *w = web_of(req);
	struct outbox_pref p;
	struct pref_form f = {0};
	enum err e;

	if ((e = outbox_pref_get(w->ctx.db, w->account.id, &p)) != ERR_OK)
		return e;
	f.by_email = p.by_email;
	f.by_sms = p.by_sms;
	f.phone = p.phone;
	if (p.quiet_start != p.quiet_end) {
		f.quiet_start = hhmm(w, p.quiet_start);
		f.quiet_end = hhmm(w, p.quiet_end);
	}
	return pref_page(w, 200, &f, NULL);
}

struct pref_job {
	struct web *w;
	struct outbox_pref p;
};

static enum err
pref_fn(struct db *db, void *arg)
{
	struct pref_job *j = arg;

	return outbox_pref_set(db, j->w->account.org_id, j->w->account.id,
			       &j->p, j->w->ctx.now);
}

/* A checkbox: "1" or absent; anything else is a bad form. */
static bool
checkbox(struct web *w, const char *name, bool *out)
{
	const char *v = web_field(w, name);

	*out = v[0] != '\0';
	return !v[0] || !strcmp(v, "1");
}

/* POST /account/notifications: 303; 400 with what was typed when a check
 * fails (nothing changes). */
static enum err
post_prefs(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "NotificationPreference", "", 0,
				"notifications", NULL, NULL};
	struct pref_job j = {.w = w};
	struct pref_form f = {0};
	struct problems ps = {0};
	bool start_set, end_set;
	enum err e;

	if (!checkbox(w, "by_email", &f.by_email) ||
	    !checkbox(w, "by_sms", &f.by_sms))
		return ERR_INVALID;
	f.phone = web_field(w, "phone");
	f.quiet_start = web_field(w, "quiet_start");
	f.quiet_end = web_field(w, "quiet_end");
	if (strlen(f.phone) > FIELD_MAX || strlen(f.quiet_start) > FIELD_MAX ||
	    strlen(f.quiet_end) > FIELD_MAX)
		return ERR_INVALID;
	j.p.by_email = f.by_email;
	j.p.by_sms = f.by_sms;
	if (f.phone[0] && !outbox_phone_parse(f.phone, j.p.phone))
		problems_add(&ps, "phone",
			     N_("Write the mobile number with its country "
				"code, for example +34 600 123 456."));
	else if (f.by_sms && !f.phone[0])
		problems_add(&ps, "phone",
			     N_("Write the mobile number to send text "
				"messages to, or turn text messages off."));
	start_set = f.quiet_start[0] != '\0';
	end_set = f.quiet_end[0] != '\0';
	if (start_set && !outbox_time_parse(f.quiet_start, &j.p.quiet_start))
		problems_add(&ps, "quiet_start",
			     N_("Write a time such as 22:00."));
	if (end_set && !outbox_time_parse(f.quiet_end, &j.p.quiet_end))
		problems_add(&ps, "quiet_end",
			     N_("Write a time such as 07:00."));
	if (start_set != end_set)
		problems_add(&ps, start_set ? "quiet_end" : "quiet_start",
			     N_("Give both times, or leave both empty for no "
				"quiet hours."));
	if (ps.n > 0)
		return pref_page(w, 400, &f, &ps);
	wi.resource_id = arena_printf(w->ctx.a, "%lld",
				      (long long)w->account.id);
	if ((e = write_commit(&w->ctx, &wi, pref_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, "/account/notifications", "saved");
}

/* --- The administrator's outbox --------------------------------------- */

static const struct {
	enum outbox_status status;
	const char *label;
	const char *hint;
} status_labels[] = {
	{OUTBOX_STATUS_PENDING, N_("Waiting to be sent"),
	 N_("Due now, held for quiet hours, or to be tried again.")},
	{OUTBOX_STATUS_SENT, N_("Sent"),
	 N_("Handed over to the mail server or the text message "
	    "gateway.")},
	{OUTBOX_STATUS_DEAD, N_("Not delivered"),
	 N_("Given up after every try: listed below.")},
	{OUTBOX_STATUS_WITHDRAWN, N_("Withdrawn"),
	 N_("No longer needed before they were sent, such as the reminder "
	    "of a cancelled appointment.")},
};

static const char *
channel_label(const char *channel)
{
	return !strcmp(channel, "sms") ? N_("Text message") : N_("Email");
}

static const char *
event_label(const char *event)
{
	if (!strcmp(event, "consultation"))
		return N_("Request");
	if (!strcmp(event, "appointment"))
		return N_("Appointment");
	if (!strcmp(event, "reminder"))
		return N_("Reminder");
	return N_("Message");
}

static bool
admin_allowed(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->account.org_id,
				 ORG_ADMINISTER);
}

/* GET /admin/outbox: 200; 403 for anyone but an administrator. */
static enum err
get_outbox(struct req *req)
{
	struct web *w = web_of(req);
	int64_t counts[OUTBOX_STATUS__MAX];
	struct outbox_row *rows;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = outbox_count(w->ctx.db, w->account.org_id, counts)) !=
		    ERR_OK ||
	    (e = outbox_dead_list(w->ctx.db, w->ctx.a, w->account.org_id,
				  DEAD_SHOWN, &rows, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Notifications"));
	arr = jarr(ctx, "counts");
	for (i = 0; i < sizeof(status_labels) / sizeof(status_labels[0]);
	     i++) {
		json_t *o = jpush(arr);

		jstr(o, "label", tr(w, status_labels[i].label));
		jstr(o, "hint", tr(w, status_labels[i].hint));
		jstr(o, "count", arena_printf(w->ctx.a, "%lld",
					      (long long)counts
						  [status_labels[i].status]));
	}
	arr = jarr(ctx, "dead");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", rows[i].id);
		jstr(o, "created", page_datetime(w, rows[i].created_at));
		jstr(o, "when", page_datetime(w, rows[i].last_attempt_at));
		jstr(o, "channel", tr(w, channel_label(rows[i].channel)));
		jstr(o, "event", tr(w, event_label(rows[i].event)));
		jstr(o, "address", outbox_mask(w->ctx.a, rows[i].channel,
					       rows[i].address));
		jint(o, "attempts", rows[i].attempts);
		jstr(o, "error", rows[i].last_error);
	}
	jbool(ctx, "has_dead", n > 0);
	jbool(ctx, "more", n >= DEAD_SHOWN);
	return page_render(w, 200, "outbox_admin", ctx);
}

struct retry_job {
	struct web *w;
	int64_t id;		/* 0: every dead row */
	int64_t n;
};

static enum err
retry_fn(struct db *db, void *arg)
{
	struct retry_job *j = arg;

	if (j->id)
		return outbox_retry(db, j->w->account.org_id, j->id,
				    j->w->ctx.now);
	return outbox_retry_all(db, j->w->account.org_id, j->w->ctx.now,
				&j->n);
}

/* POST /admin/outbox/:id/retry: 303; 403 for anyone but an
 * administrator; 404 when the row is not a dead one of the organisation.
 * POST /admin/outbox/retry: the same for every dead row. */
static enum err
post_retry(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"retry", "Notification", "", 0, NULL, NULL,
				NULL};
	struct retry_job j = {.w = w};
	enum err e;

	if (!admin_allowed(w)) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	if (http_param(req, "id") &&
	    (e = web_param_id(w, "id", &j.id)) != ERR_OK)
		return e;
	wi.resource_id = j.id ? arena_printf(w->ctx.a, "%lld",
					      (long long)j.id)
			      : "";
	wi.detail = j.id ? "one" : "all";
	if ((e = write_commit(&w->ctx, &wi, retry_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, "/admin/outbox",
			     j.id ? "outbox-retried" : "outbox-retried-all");
}

static const struct http_route outbox_routes[] = {
	{HTTP_GET, "/account/notifications", get_prefs, 0, NULL},
	{HTTP_POST, "/account/notifications", post_prefs, 0, NULL},
	{HTTP_GET, "/admin/outbox", get_outbox, 0, NULL},
	{HTTP_POST, "/admin/outbox/retry", post_retry, 0, NULL},
	{HTTP_POST, "/admin/outbox/:id/retry", post_retry, 0, NULL},
};

enum err
outbox_web_routes(struct http_router *r)
{
	return http_router_add(r, outbox_routes, sizeof(outbox_routes) /
						     sizeof(outbox_routes[0]));
}

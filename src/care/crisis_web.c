/*
 * Pages of "what matters to me" and the crisis plan: reading them,
 * writing them (a stale form comes back with both versions and what was
 * typed), the patient's confirmation of words written with them, the
 * version history with the difference between any two versions, and the
 * crisis plan's pocket card as a PDF. Domain rules live in matters.c and
 * crisis.c; access in the policy.
 */
#include "care/care_web.h"

#include <limits.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/crisis.h"
#include "care/matters.h"
#include "care/pocketcard.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/problem.h"
#include "core/str.h"
#include "http/http.h"
#include "people/patient.h"
#include "people/org.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

/* The sentence on every crisis plan, with the organisation's number. */
static const char *
emergency_text(struct web *w)
{
	struct organisation org;
	const char *number = "999";

	if (org_get(w->ctx.db, w->ctx.a, w->account.org_id, &org) == ERR_OK &&
	    org.emergency_number && *org.emergency_number)
		number = org.emergency_number;
	return arena_printf(w->ctx.a,
			    tr(w, N_("In an emergency call %s or go to the "
				     "nearest emergency department")),
			    number);
}

/* What the two versioned parts differ in, for the shared history page. */
struct part {
	const char *subject;	/* CARE_MATTERS, CARE_CRISIS */
	const char *path;	/* "matters", "crisis" */
	const char *title;	/* msgid of the history page */
	const char *template;
	const char *res;	/* audit resource type */
	size_t nfields;
};

static const struct part matters_part = {
	CARE_MATTERS, "matters", N_("Changes to what matters to me"),
	"matters_history", MATTERS_RES, MATTERS__MAX,
};
static const struct part crisis_part = {
	CARE_CRISIS, "crisis", N_("Changes to the crisis plan"),
	"crisis_history", CRISIS_RES, CRISIS__MAX,
};

static const char *
part_path(struct web *w, int64_t pid, const char *rest)
{
	return arena_printf(w->ctx.a, "/patients/%lld/%s", (long long)pid,
			    rest);
}

static const char *
id_text(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "%lld", (long long)id);
}

/* The form's "version": the version the person opened (0: none yet). */
static bool
seen_version(struct web *w, int *out)
{
	int64_t v;

	if (!str_to_i64(str_c(web_field(w, "version")), 0, INT_MAX, &v))
		return false;
	*out = (int)v;
	return true;
}

/* Browsers send line breaks as CR LF: the record keeps LF only. */
static const char *
form_text(struct web *w, const char *name)
{
	const char *s = web_field(w, name);
	char *out, *o;

	if (!strchr(s, '\r'))
		return s;
	if (!(out = arena_strdup(w->ctx.a, s)))
		return s;
	for (o = out; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*o++ = *s;
	*o = '\0';
	return out;
}

static bool
all_blank(const char *const *text, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (text[i] && *text[i])
			return false;
	return true;
}

/* The digits (and a leading '+') of a phone number, for a tel: link. */
static const char *
tel_href(struct web *w, const char *number, size_t len)
{
	char *out = arena_alloc(w->ctx.a, len + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++)
		if ((number[i] >= '0' && number[i] <= '9') ||
		    (number[i] == '+' && o == out))
			*o++ = number[i];
	*o = '\0';
	return out;
}

/* One line of the plan as {before, phone, tel, after}: the phone number,
 * when the section holds numbers, becomes a large tel: link. */
static void
add_line(struct web *w, json_t *arr, const char *line, bool phones)
{
	json_t *o = jpush(arr);
	size_t start, len;

	if (!phones || !pocketcard_find_phone(line, &start, &len)) {
		jstr(o, "before", line);
		return;
	}
	jstr(o, "before", arena_strndup(w->ctx.a, line, start));
	jstr(o, "phone", arena_strndup(w->ctx.a, line + start, len));
	jstr(o, "tel", tel_href(w, line + start, len));
	jstr(o, "after", line + start + len);
}

static void
add_lines(struct web *w, json_t *o, const char *key, const char *text,
	  bool phones)
{
	json_t *arr = jarr(o, key);
	const char **lines;
	size_t n, i;

	lines = crisis_lines(w->ctx.a, text, &n);
	for (i = 0; i < n; i++)
		add_line(w, arr, lines[i], phones);
}

/* --- version history (both parts) ------------------------------------- */

static struct care_field *
part_fields(struct web *w, const struct part *p)
{
	struct care_field *f = arena_calloc(w->ctx.a, p->nfields, sizeof(*f));
	size_t i;

	for (i = 0; f && i < p->nfields; i++) {
		const struct matters_part_info *m;
		const struct crisis_section_info *c;

		if (p == &matters_part) {
			m = matters_part_info((enum matters_part)i);
			f[i] = (struct care_field){m->key, m->label};
		} else {
			c = crisis_section_info((enum crisis_section)i);
			f[i] = (struct care_field){c->key, c->label};
		}
	}
	return f;
}

static const char *
change_label(struct web *w, const char *change)
{
	if (!strcmp(change, "create"))
		return tr(w, N_("First written"));
	if (!strcmp(change, "confirm"))
		return tr(w, N_("Confirmed by the patient"));
	return tr(w, N_("Changed"));
}

static bool
written_with(const struct care_version *v)
{
	json_t *o = json_loads(v->fields ? v->fields : "{}", 0, NULL);
	bool with = json_is_true(json_object_get(o, "with_patient"));

	json_decref(o);
	return with && strcmp(v->change, "confirm") != 0;
}

/* A version number from the query: -1 when absent, -2 when not one. */
static int
query_version(struct web *w, const char *name)
{
	const char *s = http_field(w->req, name);
	int64_t v;

	if (!s)
		return -1;
	if (!str_to_i64(str_c(s), 0, INT_MAX, &v))
		return -2;
	return (int)v;
}

static const char *
fields_of(const struct care_version *v, size_t n, int version)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].version == version)
			return v[i].fields;
	return NULL;
}

static bool
has_version(const struct care_version *v, size_t n, int version)
{
	return version == 0 || fields_of(v, n, version) != NULL;
}

static void
add_version_choices(struct web *w, json_t *ctx, const char *key,
		    const struct care_version *v, size_t n, int chosen)
{
	json_t *arr = jarr(ctx, key), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = jpush(arr);
		jint(o, "value", v[i].version);
		jstr(o, "label",
		     arena_printf(w->ctx.a, "%d · %s · %s", v[i].version,
				  page_datetime(w, v[i].at_ms / 1000),
				  v[i].author_name[0] ? v[i].author_name
						      : tr(w, N_("cocare"))));
		jbool(o, "selected", v[i].version == chosen);
	}
	o = jpush(arr);
	jint(o, "value", 0);
	jstr(o, "label", tr(w, N_("Before it was first written")));
	jbool(o, "selected", chosen == 0);
}

/* GET /patients/:id/{matters,crisis}/history?from=N&to=M: 200; 400 for
 * a version that is not a number; 403; 404 no patient or no such
 * version. */
static enum err
history_page(struct web *w, const struct part *p)
{
	struct care_version *v;
	json_t *ctx, *arr;
	int64_t pid;
	int from, to;
	size_t n, i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if ((e = care_version_list(w->ctx.db, w->ctx.a, p->subject, pid, &v,
				   &n)) != ERR_OK)
		return e;
	from = query_version(w, "from");
	to = query_version(w, "to");
	if (from == -2 || to == -2)
		return ERR_INVALID;
	if (to == -1)
		to = n ? v[0].version : 0;
	if (from == -1)
		from = to > 0 ? to - 1 : 0;
	if (!has_version(v, n, from) || !has_version(v, n, to))
		return ERR_NOT_FOUND;
	if (!(ctx = care_page_new(w, pid, p->title, p->path, &e)))
		return e;
	jstr(ctx, "base", part_path(w, pid, p->path));
	jint(ctx, "from", from);
	jint(ctx, "to", to);
	if (n) {
		add_version_choices(w, ctx, "from_choices", v, n, from);
		add_version_choices(w, ctx, "to_choices", v, n, to);
		arr = jarr(ctx, "differences");
		e = care_diff_fields(w, arr, part_fields(w, p), p->nfields,
				     fields_of(v, n, from),
				     fields_of(v, n, to));
		if (e != ERR_OK) {
			json_decref(ctx);
			return e;
		}
		jbool(ctx, "compared", true);
	}
	arr = jarr(ctx, "versions");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);
		const char *voice = care_voice_label(w, v[i].voice);

		jint(o, "version", v[i].version);
		jint(o, "previous", v[i].version - 1);
		jstr(o, "when", page_datetime(w, v[i].at_ms / 1000));
		jstr(o, "who", v[i].author_name[0] ? v[i].author_name
						   : tr(w, N_("cocare")));
		if (written_with(&v[i]))
			voice = arena_printf(w->ctx.a, "%s (%s)", voice,
					     tr(w, N_("written with them, in "
						      "their words")));
		jstr(o, "voice", voice);
		jstr(o, "change", change_label(w, v[i].change));
		jbool(o, "shown", v[i].version == to);
	}
	web_audit_read(w, p->res, id_text(w, pid), pid);
	return page_render(w, 200, p->template, ctx);
}

static enum err
get_matters_history(struct req *req)
{
	return history_page(web_of(req), &matters_part);
}

static enum err
get_crisis_history(struct req *req)
{
	return history_page(web_of(req), &crisis_part);
}

/* Under "changes" the differences between the version the person
 * opened and the one saved meanwhile: what the other person changed. */
static void
add_changes_since(struct web *w, json_t *ctx, const struct part *p,
		  int64_t pid, int opened, int now)
{
	struct care_version before, after;

	if (care_version_get(w->ctx.db, w->ctx.a, p->subject, pid, now,
			     &after) != ERR_OK)
		return;
	if (opened == 0 ||
	    care_version_get(w->ctx.db, w->ctx.a, p->subject, pid, opened,
			     &before) != ERR_OK)
		before.fields = NULL;
	care_diff_fields(w, jarr(ctx, "changes"), part_fields(w, p),
			 p->nfields, before.fields, after.fields);
}

/*
 * After a conflict, the form keeps every text the person changed and
 * takes what is saved now for the ones they did not touch, so saving
 * again loses neither side's words. `clash[i]` marks a text both
 * changed: the person merges it, with the saved text shown beside it.
 * Without the version they opened (a bogus number) nothing is merged.
 */
static void
merge_typed(struct web *w, const struct part *p, int64_t pid, int opened,
	    const char **typed, const char *const *stored, bool *clash)
{
	struct care_field *f = part_fields(w, p);
	struct care_version base;
	size_t i;

	if (!f)
		return;
	if (opened == 0)
		base.fields = NULL;
	else if (care_version_get(w->ctx.db, w->ctx.a, p->subject, pid,
				  opened, &base) != ERR_OK)
		return;
	for (i = 0; i < p->nfields; i++) {
		const char *was = care_version_field(w->ctx.a, base.fields,
						     f[i].key);

		if (!strcmp(typed[i], was))
			typed[i] = stored[i];
		else if (strcmp(stored[i], was) && strcmp(stored[i], typed[i]))
			clash[i] = true;
	}
}

/* --- what matters to me ------------------------------------------------ */

static bool
is_own(struct web *w, int64_t pid)
{
	return w->account.role == ROLE_PATIENT &&
	       w->account.patient_id == pid;
}

/* The page's words about who wrote it and whether it is confirmed. */
static void
add_matters_state(struct web *w, json_t *ctx, const struct matters *m)
{
	jbool(ctx, "exists", m->version > 0);
	jint(ctx, "version", m->version);
	jstr(ctx, "updated", page_datetime(w, m->updated_ms / 1000));
	jstr(ctx, "writer", m->updated_by_name);
	jbool(ctx, "with_patient", m->written_with_patient);
	jbool(ctx, "awaiting", matters_awaits_confirmation(m));
	if (m->confirmed_ms)
		jstr(ctx, "confirmed", page_date(w, m->confirmed_ms / 1000));
}

/* GET /patients/:id/matters: 200; 403; 404. Also the page of a refused
 * confirmation (status 409 with `conflict`). */
static enum err
matters_page(struct web *w, int64_t pid, int status, bool conflict)
{
	struct matters m;
	json_t *ctx, *arr;
	bool can_edit;
	enum err e;
	int i;

	if ((e = matters_get(w->ctx.db, w->ctx.a, pid, &m)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("What matters to me"),
				  "matters", &e)))
		return e;
	can_edit = patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE);
	jbool(ctx, "can_edit", can_edit);
	jbool(ctx, "is_patient", is_own(w, pid));
	jbool(ctx, "can_confirm", can_edit && is_own(w, pid) &&
					  matters_awaits_confirmation(&m));
	jbool(ctx, "conflict", conflict);
	add_matters_state(w, ctx, &m);
	arr = jarr(ctx, "parts");
	for (i = 0; i < MATTERS__MAX; i++) {
		const struct matters_part_info *pi =
			matters_part_info((enum matters_part)i);
		json_t *o;

		if (!*m.text[i])
			continue;
		o = jpush(arr);
		jstr(o, "key", pi->key);
		jstr(o, "label", tr(w, pi->label));
		add_lines(w, o, "lines", m.text[i], false);
	}
	web_audit_read(w, MATTERS_RES, id_text(w, pid), pid);
	return page_render(w, status, "matters", ctx);
}

static enum err
get_matters(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	return matters_page(w, pid, 200, false);
}

/*
 * The form, with `typed` (texts, version and the "with the patient"
 * tick) and, after a conflict, `stored` beside it.
 */
static enum err
matters_edit_page(struct web *w, int status, int64_t pid,
		  const struct matters *typed, bool ticked,
		  const struct matters *stored, int opened,
		  const bool *clash, const struct problems *ps)
{
	json_t *ctx, *arr;
	enum err e;
	int i;

	if (!(ctx = care_page_new(w, pid,
				  typed->version ? N_("Change what matters to "
						      "me")
						 : N_("Write what matters to "
						      "me"),
				  "matters", &e)))
		return e;
	jbool(ctx, "is_patient", is_own(w, pid));
	jbool(ctx, "ticked", ticked);
	jint(ctx, "version", typed->version);
	arr = jarr(ctx, "parts");
	for (i = 0; i < MATTERS__MAX; i++) {
		const struct matters_part_info *pi =
			matters_part_info((enum matters_part)i);
		json_t *o = jpush(arr);

		jstr(o, "key", pi->key);
		jstr(o, "label", tr(w, pi->label));
		jstr(o, "hint", tr(w, pi->hint));
		jstr(o, "value", typed->text[i]);
		jbool(o, "clash", clash && clash[i]);
		if (ps && problems_for(ps, pi->key))
			jstr(o, "error", tr(w, problems_for(ps, pi->key)));
	}
	if (stored) {
		json_t *s = jobj(ctx, "stored");

		jstr(s, "writer", stored->updated_by_name);
		jstr(s, "updated",
		     page_datetime(w, stored->updated_ms / 1000));
		arr = jarr(s, "parts");
		for (i = 0; i < MATTERS__MAX; i++) {
			json_t *o = jpush(arr);

			jstr(o, "label",
			     tr(w, matters_part_info((enum matters_part)i)
					   ->label));
			jbool(o, "empty", !*stored->text[i]);
			add_lines(w, o, "lines", stored->text[i], false);
		}
		add_changes_since(w, ctx, &matters_part, pid, opened,
				  stored->version);
		jbool(ctx, "conflict", true);
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "matters_edit", ctx);
}

/* 409: the form again on the saved version, merged (see merge_typed). */
static enum err
matters_conflict(struct web *w, int64_t pid, struct matters *typed,
		 bool ticked, const struct matters *stored, int opened)
{
	bool clash[MATTERS__MAX] = {0};

	merge_typed(w, &matters_part, pid, opened, typed->text, stored->text,
		    clash);
	typed->version = stored->version;
	return matters_edit_page(w, 409, pid, typed, ticked, stored, opened,
				 clash, NULL);
}

/* GET /patients/:id/matters/edit: 200; 403; 404. */
static enum err
get_matters_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct matters m;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = matters_get(w->ctx.db, w->ctx.a, pid, &m)) != ERR_OK)
		return e;
	web_audit_read(w, MATTERS_RES, id_text(w, pid), pid);
	return matters_edit_page(w, 200, pid, &m, false, NULL, 0, NULL, NULL);
}

/* POST /patients/:id/matters/edit: 303; 400 invalid, or written by
 * someone else without the patient (the form keeps what was typed);
 * 403; 404; 409 changed meanwhile (both versions shown). */
static enum err
post_matters_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = MATTERS_RES,
		.detail = "what-matters",
		.touchpoint_kind = "matters-updated",
	};
	struct matters_change c = {0};
	struct problems ps = {0};
	struct matters stored, typed;
	struct patient p;
	bool ticked;
	int64_t pid;
	enum err e;
	int i;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK ||
	    (e = matters_get(w->ctx.db, w->ctx.a, pid, &stored)) != ERR_OK)
		return e;
	if (!seen_version(w, &c.version))
		return ERR_INVALID;
	c.by_patient = is_own(w, pid);
	ticked = http_field(req, "with_patient") != NULL;
	c.with_patient = !c.by_patient && ticked;
	typed = stored;
	typed.version = c.version;
	for (i = 0; i < MATTERS__MAX; i++)
		c.text[i] = typed.text[i] = form_text(
			w, matters_part_info((enum matters_part)i)->key);
	matters_validate(c.text, &ps);
	if (!c.by_patient && !c.with_patient)
		problems_add(&ps, "with_patient",
			     N_("What matters to me is only ever in the "
				"patient's own words. Write it with them and "
				"tick the box to say so, or ask them to write "
				"it themselves."));
	if (c.version == 0 && all_blank(c.text, MATTERS__MAX))
		problems_add(&ps, "what_matters",
			     N_("Write at least one part before saving."));
	wi.patient_id = pid;
	wi.resource_id = id_text(w, pid);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return matters_edit_page(w, 400, pid, &typed, ticked, NULL, 0,
					 NULL, &ps);
	}
	if (c.version != stored.version)
		return matters_conflict(w, pid, &typed, ticked, &stored,
					c.version);
	c.org_id = p.org_id;
	c.patient_id = pid;
	c.author_id = w->account.id;
	c.at_ms = w->ctx.now * 1000;
	/* Someone else writing with the patient speaks in their voice. */
	wi.voice = c.by_patient ? NULL : "patient";
	e = write_commit(&w->ctx, &wi, matters_write, &c);
	if (e == ERR_CONFLICT) {
		/* Someone saved between our read and our write. */
		if (matters_get(w->ctx.db, w->ctx.a, pid, &stored) != ERR_OK)
			return ERR_CONFLICT;
		return matters_conflict(w, pid, &typed, ticked, &stored,
					c.version);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, part_path(w, pid, "matters"), "saved");
}

/* POST /patients/:id/matters/confirm: 303; 400 nothing to confirm; 403
 * anyone but the patient; 404; 409 the words changed since the patient
 * read them (the page shows them again). */
static enum err
post_matters_confirm(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = MATTERS_RES,
		.detail = "matters-confirmed",
		.touchpoint_kind = "matters-confirmed",
	};
	struct matters_confirm c = {0};
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	wi.patient_id = pid;
	wi.resource_id = id_text(w, pid);
	/* Only the patient says their words are right. */
	if (!is_own(w, pid)) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	if (!seen_version(w, &c.version))
		return ERR_INVALID;
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	c.org_id = p.org_id;
	c.patient_id = pid;
	c.author_id = w->account.id;
	c.at_ms = w->ctx.now * 1000;
	c.by_patient = true;
	e = write_commit(&w->ctx, &wi, matters_confirm, &c);
	if (e == ERR_CONFLICT)
		return matters_page(w, pid, 409, true);
	if (e != ERR_OK)
		return e;
	return page_redirect(w, part_path(w, pid, "matters"), "saved");
}

/* --- the crisis plan ---------------------------------------------------- */

static void
add_emergency(struct web *w, json_t *ctx)
{
	json_t *o = jobj(ctx, "emergency");
	json_t *arr = jarr(o, "lines");

	add_line(w, arr, emergency_text(w), true);
}

/* The plan's sections as "safety" and "preferences" lists of {key,
 * label, lines}, leaving out empty ones. */
static void
add_sections(struct web *w, json_t *ctx, const struct crisis_plan *cp)
{
	json_t *safety = jarr(ctx, "safety"), *prefs = jarr(ctx, "preferences");
	int i, empty = 0;

	for (i = 0; i < CRISIS__MAX; i++) {
		const struct crisis_section_info *si =
			crisis_section_info((enum crisis_section)i);
		size_t n;
		json_t *o;

		if (!crisis_lines(w->ctx.a, cp->text[i], &n)) {
			empty++;
			continue;
		}
		o = jpush(i < CRISIS_PREFERENCES_FIRST ? safety : prefs);
		jstr(o, "key", si->key);
		jstr(o, "label", tr(w, si->label));
		add_lines(w, o, "lines", cp->text[i], si->phones);
		care_plain_words(w, ctx, si->label, cp->text[i]);
	}
	jbool(ctx, "some_empty", empty > 0);
}

/* GET /patients/:id/crisis: 200; 403; 404. Also the answer when the
 * pocket card cannot be made (413 with `too_long`). */
static enum err
crisis_page(struct web *w, int64_t pid, int status, bool too_long)
{
	struct crisis_plan cp;
	json_t *ctx;
	bool own = w->account.patient_id == pid;
	enum err e;

	if ((e = crisis_plan_get(w->ctx.db, w->ctx.a, pid, &cp)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid,
				  own ? N_("My crisis plan")
				      : N_("Crisis plan"),
				  "crisis", &e)))
		return e;
	jbool(ctx, "can_edit",
	      patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE));
	jbool(ctx, "exists", !crisis_plan_is_empty(&cp));
	jbool(ctx, "started", cp.version > 0);
	jbool(ctx, "too_long", too_long);
	jstr(ctx, "updated", page_datetime(w, cp.updated_ms / 1000));
	jstr(ctx, "writer", cp.updated_by_name);
	jstr(ctx, "voice", care_voice_label(w, cp.voice));
	add_sections(w, ctx, &cp);
	add_emergency(w, ctx);
	web_audit_read(w, CRISIS_RES, id_text(w, pid), pid);
	return page_render(w, status, "crisis", ctx);
}

static enum err
get_crisis(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	return crisis_page(w, pid, 200, false);
}

static enum err
crisis_edit_page(struct web *w, int status, int64_t pid,
		 const struct crisis_plan *typed,
		 const struct crisis_plan *stored, int opened,
		 const bool *clash, const struct problems *ps)
{
	json_t *ctx, *safety, *prefs;
	enum err e;
	int i;

	if (!(ctx = care_page_new(w, pid,
				  typed->version ? N_("Change the crisis plan")
						 : N_("Make a crisis plan"),
				  "crisis", &e)))
		return e;
	jint(ctx, "version", typed->version);
	safety = jarr(ctx, "safety");
	prefs = jarr(ctx, "preferences");
	for (i = 0; i < CRISIS__MAX; i++) {
		const struct crisis_section_info *si =
			crisis_section_info((enum crisis_section)i);
		json_t *o = jpush(i < CRISIS_PREFERENCES_FIRST ? safety
							       : prefs);

		jstr(o, "key", si->key);
		jstr(o, "label", tr(w, si->label));
		jstr(o, "hint", tr(w, si->hint));
		jstr(o, "value", typed->text[i]);
		jbool(o, "clash", clash && clash[i]);
		if (ps && problems_for(ps, si->key))
			jstr(o, "error", tr(w, problems_for(ps, si->key)));
		care_plain_words(w, ctx, si->label, typed->text[i]);
	}
	if (stored) {
		json_t *s = jobj(ctx, "stored"), *arr = jarr(s, "sections");

		jstr(s, "writer", stored->updated_by_name);
		jstr(s, "updated",
		     page_datetime(w, stored->updated_ms / 1000));
		for (i = 0; i < CRISIS__MAX; i++) {
			json_t *o = jpush(arr);

			jstr(o, "label",
			     tr(w, crisis_section_info((enum crisis_section)i)
					   ->label));
			jbool(o, "empty", !*stored->text[i]);
			add_lines(w, o, "lines", stored->text[i], false);
		}
		add_changes_since(w, ctx, &crisis_part, pid, opened,
				  stored->version);
		jbool(ctx, "conflict", true);
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "crisis_edit", ctx);
}

/* 409: the form again on the saved version, merged (see merge_typed). */
static enum err
crisis_conflict(struct web *w, int64_t pid, struct crisis_plan *typed,
		const struct crisis_plan *stored, int opened)
{
	bool clash[CRISIS__MAX] = {0};

	merge_typed(w, &crisis_part, pid, opened, typed->text, stored->text,
		    clash);
	typed->version = stored->version;
	return crisis_edit_page(w, 409, pid, typed, stored, opened, clash,
				NULL);
}

/* GET /patients/:id/crisis/edit: 200; 403; 404. */
static enum err
get_crisis_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct crisis_plan cp;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = crisis_plan_get(w->ctx.db, w->ctx.a, pid, &cp)) != ERR_OK)
		return e;
	web_audit_read(w, CRISIS_RES, id_text(w, pid), pid);
	return crisis_edit_page(w, 200, pid, &cp, NULL, 0, NULL, NULL);
}

/* POST /patients/:id/crisis/edit: 303; 400 invalid (the form keeps what
 * was typed); 403; 404; 409 changed meanwhile (both versions shown). */
static enum err
post_crisis_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = CRISIS_RES,
		.detail = "crisis-plan",
		.touchpoint_kind = "crisis-plan-updated",
	};
	struct crisis_change c = {0};
	struct crisis_plan stored, typed;
	struct problems ps = {0};
	struct patient p;
	int64_t pid;
	enum err e;
	int i;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK ||
	    (e = crisis_plan_get(w->ctx.db, w->ctx.a, pid, &stored)) !=
		    ERR_OK)
		return e;
	if (!seen_version(w, &c.version))
		return ERR_INVALID;
	typed = stored;
	typed.version = c.version;
	for (i = 0; i < CRISIS__MAX; i++)
		c.text[i] = typed.text[i] = form_text(
			w, crisis_section_info((enum crisis_section)i)->key);
	crisis_validate(c.text, &ps);
	if (c.version == 0 && all_blank(c.text, CRISIS__MAX))
		problems_add(&ps, "warning_signs",
			     N_("Write at least one part before saving."));
	wi.patient_id = pid;
	wi.resource_id = id_text(w, pid);
	if (c.version == 0)
		wi.action = "create";
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return crisis_edit_page(w, 400, pid, &typed, NULL, 0, NULL,
					&ps);
	}
	if (c.version != stored.version)
		return crisis_conflict(w, pid, &typed, &stored, c.version);
	c.org_id = p.org_id;
	c.patient_id = pid;
	c.author_id = w->account.id;
	c.voice = role_voice(w->ctx.actor.role);
	c.at_ms = w->ctx.now * 1000;
	e = write_commit(&w->ctx, &wi, crisis_write, &c);
	if (e == ERR_CONFLICT) {
		if (crisis_plan_get(w->ctx.db, w->ctx.a, pid, &stored) !=
		    ERR_OK)
			return ERR_CONFLICT;
		return crisis_conflict(w, pid, &typed, &stored, c.version);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, part_path(w, pid, "crisis"), "saved");
}

/* The card's PDF into *out, *len; pocketcard_pdf()'s errors. */
static enum err
make_card(struct web *w, const struct crisis_plan *cp, const char *name,
	  const unsigned char **out, size_t *len)
{
	struct pocketcard_section s[CRISIS__MAX];
	struct pocketcard card;
	enum err e;
	int i;

	for (i = 0; i < CRISIS__MAX; i++) {
		s[i].heading = tr(w, crisis_section_info(
					     (enum crisis_section)i)->label);
		s[i].body = cp->text[i];
	}
	memset(&card, 0, sizeof(card));
	card.title = tr(w, N_("My crisis plan"));
	card.patient_name = name;
	card.printed_label = arena_printf(w->ctx.a, "%s %s",
					  tr(w, N_("Printed on")),
					  page_date(w, w->ctx.now));
	card.footer = emergency_text(w);
	card.empty_text = tr(w, N_("There is nothing in this crisis plan "
				   "yet."));
	card.page_label = tr(w, N_("Page %d of %d"));
	card.continued_label = tr(w, N_("(continued)"));
	card.sections = s;
	card.n_sections = CRISIS__MAX;
	card.now = w->ctx.now;
	e = pocketcard_pdf(w->ctx.a, &card, out, len);
	if (e == ERR_INVALID) {
		/* A translated page label it cannot use: the English one. */
		card.page_label = "Page %d of %d";
		e = pocketcard_pdf(w->ctx.a, &card, out, len);
	}
	return e;
}

/* GET /patients/:id/crisis/card.pdf: 200 application/pdf; 403; 404;
 * 413 (the plan's page) when the plan is too long for a card. */
static enum err
get_crisis_card(struct req *req)
{
	struct web *w = web_of(req);
	const unsigned char *pdf;
	struct crisis_plan cp;
	size_t len;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_CARE_RECORD, ACT_READ);
	if ((e = crisis_plan_get(w->ctx.db, w->ctx.a, pid, &cp)) != ERR_OK)
		return e;
	e = make_card(w, &cp, care_patient_name(w, pid), &pdf, &len);
	if (e == ERR_TOO_LARGE)
		return crisis_page(w, pid, 413, true);
	if (e != ERR_OK)
		return e;
	web_audit_read(w, CRISIS_RES, id_text(w, pid), pid);
	http_no_store(req);
	if ((e = http_add_header(req, "Content-Disposition",
				 "attachment; filename=\"crisis-plan.pdf\"")) !=
	    ERR_OK)
		return e;
	return http_respond_ref(req, 200, "application/pdf", pdf, len);
}

static const struct http_route crisis_routes[] = {
	{HTTP_GET, "/patients/:id/matters", get_matters, 0, NULL},
	{HTTP_GET, "/patients/:id/matters/edit", get_matters_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/matters/edit", post_matters_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/matters/confirm", post_matters_confirm, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/matters/history", get_matters_history, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/crisis", get_crisis, 0, NULL},
	{HTTP_GET, "/patients/:id/crisis/edit", get_crisis_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/crisis/edit", post_crisis_edit, 0, NULL},
	{HTTP_GET, "/patients/:id/crisis/history", get_crisis_history, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/crisis/card.pdf", get_crisis_card, 0, NULL},
};

enum err
crisis_web_routes(struct http_router *r)
{
	return http_router_add(r, crisis_routes,
			       sizeof(crisis_routes) /
				       sizeof(crisis_routes[0]));
}

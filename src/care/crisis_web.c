/*
 * Pages of "what matters to me" and the crisis plan: reading them,
 * writing them (a stale form comes back with both versions and what was
 * typed), the patient's confirmation of words written with them, the
 * version history with the difference between any two versions, and the
 * crisis plan's pocket card as a PDF. Both are documents (document.h):
 * one piece of code serves their forms and histories, and a struct part
 * says what each does its own way. Domain rules live in matters.c and
 * crisis.c; access in the policy.
 */
#include "care/care_web.h"

#include <limits.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/crisis.h"
#include "care/document.h"
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

/* The edit form: what it holds and, after a conflict, what is saved. */
struct form {
	int64_t pid;
	int64_t org_id;			/* the patient's organisation (POST) */
	int opened;			/* the version the person opened */
	int version;			/* the form's "version" */
	const char *text[DOCUMENT_PARTS_MAX];	/* what the form holds */
	bool ticked;			/* "with the patient" (matters) */
	struct document stored;		/* as saved now */
	const char *stored_text[DOCUMENT_PARTS_MAX];
	bool conflict;			/* show `stored` beside the form */
	bool clash[DOCUMENT_PARTS_MAX];	/* changed by both (see merge_typed) */
};

/* What the two documents do their own way on the pages they share. */
struct part {
	const struct document_kind *doc;
	const char *path;		/* "matters", "crisis" */
	const char *res;		/* audit resource type */
	const char *history_title;	/* msgid of the history page */
	const char *history;		/* its template */
	const char *edit;		/* the form's template */
	const char *write_title;	/* msgid of the form when nothing is
					   written yet */
	const char *change_title;	/* msgid of the form otherwise */
	const char *list;		/* the form's list of parts ... */
	const char *list2;		/* ... and NULL or the list of those
					   from `split` on */
	size_t split;
	bool plain_words;		/* plain words advice beside the form */
	const char *first_action;	/* provenance action of a first save */
	const char *detail;		/* of the write's audit */
	const char *touchpoint;		/* kind of the write's touchpoint */
	/* Reads and checks the rest of the form (NULL: nothing more). */
	void (*check)(struct web *w, struct form *f, struct problems *ps);
	/* Adds to the form page (NULL: nothing more). */
	void (*form_words)(struct web *w, json_t *ctx, const struct form *f);
	/* Saves the form through write_commit(): ERR_CONFLICT when someone
	 * saved in between. */
	enum err (*save)(struct web *w, struct write_info *wi,
			 const struct form *f);
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
	size_t n = p->doc->nparts, i;
	struct care_field *f = arena_calloc(w->ctx.a, n, sizeof(*f));

	for (i = 0; f && i < n; i++)
		f[i] = (struct care_field){p->doc->parts[i].key,
					   p->doc->parts[i].label};
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
	if ((e = care_version_list(w->ctx.db, w->ctx.a, p->doc->subject, pid,
				   &v, &n)) != ERR_OK)
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
	if (!(ctx = care_page_new(w, pid, p->history_title, p->path, &e)))
		return e;
	jstr(ctx, "base", part_path(w, pid, p->path));
	jint(ctx, "from", from);
	jint(ctx, "to", to);
	if (n) {
		add_version_choices(w, ctx, "from_choices", v, n, from);
		add_version_choices(w, ctx, "to_choices", v, n, to);
		arr = jarr(ctx, "differences");
		e = care_diff_fields(w, arr, part_fields(w, p), p->doc->nparts,
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
	return page_render(w, 200, p->history, ctx);
}

/* Under "changes" the differences between the version the person
 * opened and the one saved meanwhile: what the other person changed. */
static void
add_changes_since(struct web *w, json_t *ctx, const struct part *p,
		  int64_t pid, int opened, int now)
{
	struct care_version before, after;

	if (care_version_get(w->ctx.db, w->ctx.a, p->doc->subject, pid, now,
			     &after) != ERR_OK)
		return;
	if (opened == 0 ||
	    care_version_get(w->ctx.db, w->ctx.a, p->doc->subject, pid, opened,
			     &before) != ERR_OK)
		before.fields = NULL;
	care_diff_fields(w, jarr(ctx, "changes"), part_fields(w, p),
			 p->doc->nparts, before.fields, after.fields);
}

/*
 * After a conflict, the form keeps every text the person changed and
 * takes what is saved now for the ones they did not touch, so saving
 * again loses neither side's words. `clash[i]` marks a text both
 * changed: the person merges it, with the saved text shown beside it.
 * Without the version they opened (a bogus number) nothing is merged.
 */
static void
merge_typed(struct web *w, const struct part *p, struct form *f)
{
	struct care_version base;
	size_t i;

	if (f->opened == 0)
		base.fields = NULL;
	else if (care_version_get(w->ctx.db, w->ctx.a, p->doc->subject,
				  f->pid, f->opened, &base) != ERR_OK)
		return;
	for (i = 0; i < p->doc->nparts; i++) {
		const char *was = care_version_field(
			w->ctx.a, base.fields, p->doc->parts[i].key);
		const char *stored = f->stored_text[i];

		if (!strcmp(f->text[i], was))
			f->text[i] = stored;
		else if (strcmp(stored, was) && strcmp(stored, f->text[i]))
			f->clash[i] = true;
	}
}

/* --- the edit form (both parts) ---------------------------------------- */

/* The form with what it holds and, after a conflict, what is saved now
 * beside it. */
static enum err
form_page(struct web *w, const struct part *p, int status,
	  const struct form *f, const struct problems *ps)
{
	json_t *ctx, *list, *list2 = NULL;
	enum err e;
	size_t i;

	if (!(ctx = care_page_new(w, f->pid,
				  f->version ? p->change_title
					     : p->write_title,
				  p->path, &e)))
		return e;
	if (p->form_words)
		p->form_words(w, ctx, f);
	jint(ctx, "version", f->version);
	list = jarr(ctx, p->list);
	if (p->list2)
		list2 = jarr(ctx, p->list2);
	for (i = 0; i < p->doc->nparts; i++) {
		const struct document_part *dp = &p->doc->parts[i];
		json_t *o = jpush(i < p->split ? list : list2);

		jstr(o, "key", dp->key);
		jstr(o, "label", tr(w, dp->label));
		jstr(o, "hint", tr(w, dp->hint));
		jstr(o, "value", f->text[i]);
		jbool(o, "clash", f->clash[i]);
		if (ps && problems_for(ps, dp->key))
			jstr(o, "error", tr(w, problems_for(ps, dp->key)));
		if (p->plain_words)
			care_plain_words(w, ctx, dp->label, f->text[i]);
	}
	if (f->conflict) {
		json_t *s = jobj(ctx, "stored"), *arr = jarr(s, "parts");

		jstr(s, "writer", f->stored.updated_by_name);
		jstr(s, "updated",
		     page_datetime(w, f->stored.updated_ms / 1000));
		for (i = 0; i < p->doc->nparts; i++) {
			json_t *o = jpush(arr);

			jstr(o, "label", tr(w, p->doc->parts[i].label));
			jbool(o, "empty", !*f->stored_text[i]);
			add_lines(w, o, "lines", f->stored_text[i], false);
		}
		add_changes_since(w, ctx, p, f->pid, f->opened,
				  f->stored.version);
		jbool(ctx, "conflict", true);
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, p->edit, ctx);
}

/* 409: the form again on the saved version, merged (see merge_typed). */
static enum err
conflict_page(struct web *w, const struct part *p, struct form *f)
{
	merge_typed(w, p, f);
	f->version = f->stored.version;
	f->conflict = true;
	return form_page(w, p, 409, f, NULL);
}

/* GET /patients/:id/{matters,crisis}/edit: 200; 403; 404. */
static enum err
get_edit(struct web *w, const struct part *p)
{
	struct form f = {0};
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &f.pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = document_get(w->ctx.db, w->ctx.a, p->doc, f.pid, &f.stored,
			      f.text, NULL)) != ERR_OK)
		return e;
	f.version = f.stored.version;
	web_audit_read(w, p->res, id_text(w, f.pid), f.pid);
	return form_page(w, p, 200, &f, NULL);
}

/* POST /patients/:id/{matters,crisis}/edit: 303; 400 invalid (the form
 * keeps what was typed); 403; 404; 409 changed meanwhile (both versions
 * shown). */
static enum err
post_edit(struct web *w, const struct part *p)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = p->res,
		.detail = p->detail,
		.touchpoint_kind = p->touchpoint,
	};
	struct problems ps = {0};
	struct form f = {0};
	struct patient pat;
	size_t i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &f.pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, f.pid, &pat)) != ERR_OK ||
	    (e = document_get(w->ctx.db, w->ctx.a, p->doc, f.pid, &f.stored,
			      f.stored_text, NULL)) != ERR_OK)
		return e;
	if (!seen_version(w, &f.opened))
		return ERR_INVALID;
	f.org_id = pat.org_id;
	f.version = f.opened;
	for (i = 0; i < p->doc->nparts; i++)
		f.text[i] = form_text(w, p->doc->parts[i].key);
	document_validate(p->doc, f.text, &ps);
	if (p->check)
		p->check(w, &f, &ps);
	if (f.opened == 0 && all_blank(f.text, p->doc->nparts))
		problems_add(&ps, p->doc->parts[0].key,
			     N_("Write at least one part before saving."));
	wi.patient_id = f.pid;
	wi.resource_id = id_text(w, f.pid);
	if (f.opened == 0)
		wi.action = p->first_action;
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return form_page(w, p, 400, &f, &ps);
	}
	if (f.opened != f.stored.version)
		return conflict_page(w, p, &f);
	e = p->save(w, &wi, &f);
	if (e == ERR_CONFLICT) {
		/* Someone saved between our read and our write. */
		if (document_get(w->ctx.db, w->ctx.a, p->doc, f.pid, &f.stored,
				 f.stored_text, NULL) != ERR_OK)
			return ERR_CONFLICT;
		return conflict_page(w, p, &f);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, part_path(w, f.pid, p->path), "saved");
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
	jbool(ctx, "exists", m->doc.version > 0);
	jint(ctx, "version", m->doc.version);
	jstr(ctx, "updated", page_datetime(w, m->doc.updated_ms / 1000));
	jstr(ctx, "writer", m->doc.updated_by_name);
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
		const struct document_part *pi =
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

/* Only ever the patient's words: someone else ticks that they write
 * with the patient. */
static void
check_matters(struct web *w, struct form *f, struct problems *ps)
{
	f->ticked = http_field(w->req, "with_patient") != NULL;
	if (!is_own(w, f->pid) && !f->ticked)
		problems_add(ps, "with_patient",
			     N_("What matters to me is only ever in the "
				"patient's own words. Write it with them and "
				"tick the box to say so, or ask them to write "
				"it themselves."));
}

static void
matters_form_words(struct web *w, json_t *ctx, const struct form *f)
{
	jbool(ctx, "is_patient", is_own(w, f->pid));
	jbool(ctx, "ticked", f->ticked);
}

static enum err
save_matters(struct web *w, struct write_info *wi, const struct form *f)
{
	struct matters_change c = {
		.org_id = f->org_id,
		.patient_id = f->pid,
		.author_id = w->account.id,
		.at_ms = w->ctx.now * 1000,
		.by_patient = is_own(w, f->pid),
		.version = f->opened,
	};

	c.with_patient = !c.by_patient && f->ticked;
	memcpy(c.text, f->text, sizeof(c.text));
	/* Someone else writing with the patient speaks in their voice. */
	wi->voice = c.by_patient ? NULL : "patient";
	return write_commit(&w->ctx, wi, matters_write, &c);
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
		const struct document_part *si =
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
	jbool(ctx, "started", cp.doc.version > 0);
	jbool(ctx, "too_long", too_long);
	jstr(ctx, "updated", page_datetime(w, cp.doc.updated_ms / 1000));
	jstr(ctx, "writer", cp.doc.updated_by_name);
	jstr(ctx, "voice", care_voice_label(w, cp.doc.voice));
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
save_crisis(struct web *w, struct write_info *wi, const struct form *f)
{
	struct crisis_change c = {
		.org_id = f->org_id,
		.patient_id = f->pid,
		.author_id = w->account.id,
		.voice = role_voice(w->ctx.actor.role),
		.at_ms = w->ctx.now * 1000,
		.version = f->opened,
	};

	memcpy(c.text, f->text, sizeof(c.text));
	return write_commit(&w->ctx, wi, crisis_write, &c);
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

/* --- the two parts ----------------------------------------------------- */

static const struct part matters_part = {
	.doc = &matters_document,
	.path = "matters",
	.res = MATTERS_RES,
	.history_title = N_("Changes to what matters to me"),
	.history = "matters_history",
	.edit = "matters_edit",
	.write_title = N_("Write what matters to me"),
	.change_title = N_("Change what matters to me"),
	.list = "parts",
	.split = MATTERS__MAX,
	.first_action = "update",
	.detail = "what-matters",
	.touchpoint = "matters-updated",
	.check = check_matters,
	.form_words = matters_form_words,
	.save = save_matters,
};

static const struct part crisis_part = {
	.doc = &crisis_document,
	.path = "crisis",
	.res = CRISIS_RES,
	.history_title = N_("Changes to the crisis plan"),
	.history = "crisis_history",
	.edit = "crisis_edit",
	.write_title = N_("Make a crisis plan"),
	.change_title = N_("Change the crisis plan"),
	.list = "safety",
	.list2 = "preferences",
	.split = CRISIS_PREFERENCES_FIRST,
	.plain_words = true,
	.first_action = "create",
	.detail = "crisis-plan",
	.touchpoint = "crisis-plan-updated",
	.save = save_crisis,
};

static enum err
get_matters_edit(struct req *req)
{
	return get_edit(web_of(req), &matters_part);
}

static enum err
post_matters_edit(struct req *req)
{
	return post_edit(web_of(req), &matters_part);
}

static enum err
get_matters_history(struct req *req)
{
	return history_page(web_of(req), &matters_part);
}

static enum err
get_crisis_edit(struct req *req)
{
	return get_edit(web_of(req), &crisis_part);
}

static enum err
post_crisis_edit(struct req *req)
{
	return post_edit(web_of(req), &crisis_part);
}

static enum err
get_crisis_history(struct req *req)
{
	return history_page(web_of(req), &crisis_part);
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

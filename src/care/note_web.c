/*
 * Progress-note pages: the list, writing a note (alone, or together with
 * the patient on a shared tablet), one note with its versions, "my view"
 * and correction requests beside it, editing (a stale form comes back
 * with both texts) and the author's answer to a request. Notes not shared
 * with the patient are listed and opened only for those the policy lets
 * read them; every change goes through write_commit().
 */
#include "care/care_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "auth/write.h"
#include "care/markdown.h"
#include "care/note.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "http/http.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "web/template.h"
#include "core/banned.h"

#define HEADING_CHARS 80	/* of a note's first line used as its name */

static const struct care_field note_fields[] = {
	{"title", N_("Title")},
	{"body", N_("Note")},
};

static const char *
notes_path(struct web *w, int64_t pid)
{
	return arena_printf(w->ctx.a, "/patients/%lld/notes", (long long)pid);
}

static const char *
note_path(struct web *w, int64_t pid, int64_t nid)
{
	return arena_printf(w->ctx.a, "/patients/%lld/notes/%lld",
			    (long long)pid, (long long)nid);
}

/* The patient or a caregiver: the side that writes beside notes. */
static bool
patient_side(struct web *w)
{
	return w->account.role == ROLE_PATIENT ||
	       w->account.role == ROLE_CAREGIVER;
}

/* Whether withheld notes may be seen here. */
static bool
sees_withheld(struct web *w, int64_t pid)
{
	return patient_allowed(w, pid, RES_WITHHELD_NOTES, ACT_READ);
}

/* Whether the signed-in person may withhold a note from the patient. */
static bool
may_withhold(struct web *w, int64_t pid)
{
	return patient_allowed(w, pid, RES_WITHHELD_NOTES, ACT_WRITE);
}

/* Markdown as plain text, for headings and plain-words advice. */
static const char *
plain_text(struct web *w, const char *md)
{
	return markdown_text(w->ctx.a, md, strlen(md));
}

/* At most `max` characters of `s`, cut on a character boundary, with an
 * ellipsis when cut. */
static const char *
utf8_cut(struct web *w, const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max)
				return arena_printf(w->ctx.a, "%.*s…", (int)i,
						    s);
			chars++;
		}
		i++;
	}
	return s;
}

/* A note's name for lists and headings: its title, else the first line
 * of its text, else its date. */
static const char *
note_heading(struct web *w, const struct note *n)
{
	const char *text;
	size_t len;

	if (n->title && *n->title)
		return n->title;
	text = plain_text(w, n->body);
	if (text) {
		while (*text == '\n' || *text == ' ')
			text++;
		len = strcspn(text, "\n");
		if (len)
			return utf8_cut(w, arena_strndup(w->ctx.a, text, len),
					HEADING_CHARS);
	}
	return arena_printf(w->ctx.a, "%s %s", tr(w, N_("Note of")),
			    page_date(w, n->written_ms / 1000));
}

static void
add_reasons(struct web *w, json_t *ctx, const char *chosen)
{
	json_t *arr = jarr(ctx, "reasons");
	size_t i;

	for (i = 0; note_withheld_reasons[i].code; i++) {
		json_t *o = jpush(arr);

		jstr(o, "code", note_withheld_reasons[i].code);
		jstr(o, "label", tr(w, note_withheld_reasons[i].label));
		jbool(o, "selected",
		      chosen && !strcmp(chosen, note_withheld_reasons[i].code));
	}
}

/* The fields as a care_version JSON text, for showing differences. */
static const char *
fields_json(struct web *w, const char *title, const char *body)
{
	json_t *o = json_object();
	char *s;
	const char *copy;

	if (!o)
		return NULL;
	json_object_set_new(o, "title", json_string(title ? title : ""));
	json_object_set_new(o, "body", json_string(body ? body : ""));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	copy = arena_strdup(w->ctx.a, s);
	free(s);
	return copy;
}

/* The differences between two versions' fields (JSON texts) into `arr`. */
static enum err
note_diff(struct web *w, json_t *arr, const char *before, const char *after)
{
	return care_diff_fields(w, arr, note_fields,
				sizeof(note_fields) / sizeof(note_fields[0]),
				before, after);
}

/*
 * Headings in a note become level `level`, so they follow the page's own
 * headings in order (a "#" in a note is not a second h1). Only cmark's
 * tags can match: it escapes every "<" of the text and drops raw HTML.
 * NEEDSWORK: markdown_html() could take the level itself.
 */
static void
flatten_headings(char *html, int level)
{
	char *p;

	for (p = strstr(html, "<h"); p; p = strstr(p + 1, "<h"))
		if (p[2] >= '1' && p[2] <= '6' && p[3] == '>')
			p[2] = (char)('0' + level);
	for (p = strstr(html, "</h"); p; p = strstr(p + 1, "</h"))
		if (p[3] >= '1' && p[3] <= '6' && p[4] == '>')
			p[3] = (char)('0' + level);
}

/* A note's Markdown as HTML for the page, its headings at `level`. */
static json_t *
trusted_markdown(struct web *w, const char *md, int level)
{
	char *html = markdown_html(w->ctx.a, md, strlen(md));

	if (!html)
		return tpl_trusted_html("");
	flatten_headings(html, level);
	return tpl_trusted_html(html);
}

/* --- the list ------------------------------------------------------------- */

/* GET /patients/:id/notes: 200; 403 (or the break-the-glass offer); 404. */
static enum err
get_notes(struct req *req)
{
	struct web *w = web_of(req);
	struct note *n;
	json_t *ctx, *arr;
	int64_t pid;
	size_t count, i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_READ);
	if ((e = note_list(w->ctx.db, w->ctx.a, pid, sees_withheld(w, pid),
			   NOTE_LIST_MAX, &n, &count)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, w->account.patient_id == pid
						  ? N_("My notes")
						  : N_("Progress notes"),
				  "notes", &e)))
		return e;
	jbool(ctx, "can_write", patient_allowed(w, pid, RES_NOTES, ACT_WRITE));
	arr = jarr(ctx, "notes");
	for (i = 0; i < count; i++) {
		json_t *o = jpush(arr);

		jstr(o, "href", note_path(w, pid, n[i].id));
		jstr(o, "date", page_date(w, n[i].written_ms / 1000));
		jstr(o, "heading", note_heading(w, &n[i]));
		jstr(o, "author", n[i].author_name);
		jbool(o, "cowritten", n[i].cowritten);
		jbool(o, "withheld", !n[i].shared);
		jint(o, "views", n[i].views);
		jint(o, "open_requests", n[i].open_requests);
	}
	jbool(ctx, "more", count == NOTE_LIST_MAX);
	web_audit_read(w, NOTE_RES_NOTE, "", pid);
	return page_render(w, 200, "notes", ctx);
}

/* --- writing a note ------------------------------------------------------- */

/* What the note form holds: typed or stored. */
struct note_form {
	const char *title;
	const char *body;
	bool shared;
	const char *reason;
	int version;
};

/*
 * A write of note `id` of patient `pid` (organisation `org_id`) by the
 * signed-in person, now. With `f`, the note form as sent is read into
 * `f` and becomes the note's text and sharing.
 */
static void
write_init(struct web *w, struct note_write *nw, int64_t org_id, int64_t pid,
	   int64_t id, struct note_form *f)
{
	memset(nw, 0, sizeof(*nw));
	nw->org_id = org_id;
	nw->patient_id = pid;
	nw->author_id = w->account.id;
	nw->voice = role_voice(w->account.role);
	nw->at_ms = clock_now_ms();
	nw->id = id;
	if (!f)
		return;
	f->title = web_field(w, "title");
	f->body = web_field(w, "body");
	f->shared = strcmp(web_field(w, "share"), "no") != 0;
	f->reason = f->shared ? "" : web_field(w, "reason");
	nw->title = f->title;
	nw->body = f->body;
	nw->shared = f->shared;
	nw->withheld_reason = f->reason;
}

/*
 * The form to write (`stored` NULL) or edit a note. With `conflict`,
 * `stored` is what is saved now and the differences from what was typed
 * are shown above the typed form.
 */
static enum err
form_page(struct web *w, int status, int64_t pid, const struct note *stored,
	  const struct note_form *f, bool conflict, const struct problems *ps)
{
	json_t *ctx, *form;
	enum err e;

	if (!(ctx = care_page_new(w, pid, stored ? N_("Change a note")
						 : N_("Write a note"),
				  "notes", &e)))
		return e;
	form = jobj(ctx, "form");
	jstr(form, "title", f->title);
	jstr(form, "body", f->body);
	jbool(form, "shared", f->shared);
	jbool(form, "withheld", !f->shared);
	add_reasons(w, ctx, f->reason);
	jbool(ctx, "can_withhold", may_withhold(w, pid));
	if (stored) {
		jbool(ctx, "editing", true);
		jstr(ctx, "action", arena_printf(w->ctx.a, "%s/edit",
						 note_path(w, pid,
							   stored->id)));
		jstr(ctx, "back", note_path(w, pid, stored->id));
		jint(form, "version", f->version);
		care_plain_words(w, ctx, N_("The note as saved"),
				 plain_text(w, stored->body));
	} else {
		jstr(ctx, "action", arena_printf(w->ctx.a, "%s/new",
						 notes_path(w, pid)));
		jstr(ctx, "back", notes_path(w, pid));
	}
	if (conflict) {
		json_t *s = jobj(ctx, "stored");

		jbool(ctx, "conflict", true);
		jstr(s, "title", stored->title);
		json_object_set_new(s, "html",
				    trusted_markdown(w, stored->body, 4));
		jstr(s, "author", stored->author_name);
		jstr(s, "when", page_datetime(w, stored->updated_ms / 1000));
		note_diff(w, jarr(ctx, "differences"),
			  fields_json(w, stored->title, stored->body),
			  fields_json(w, f->title, f->body));
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "note_form", ctx);
}

/* GET /patients/:id/notes/new: 200; 403; 404. */
static enum err
get_note_new(struct req *req)
{
	struct web *w = web_of(req);
	struct note_form f = {"", "", true, "", 0};
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	return form_page(w, 200, pid, NULL, &f, false, NULL);
}

/* The write_info of a note write (`action`): the reason code of a
 * withheld note is the audit detail; a note the patient will see is a
 * touchpoint. */
static void
note_write_info(struct write_info *wi, const struct note_write *nw,
		const char *action)
{
	memset(wi, 0, sizeof(*wi));
	wi->action = action;
	wi->resource_type = NOTE_RES_NOTE;
	wi->patient_id = nw->patient_id;
	if (nw->shared)
		wi->detail = nw->cowritten ? "cowritten" : NULL;
	else if (*note_reason_label(nw->withheld_reason))
		wi->detail = nw->withheld_reason;	/* a code from the list,
							   never typed text */
	wi->touchpoint_kind = nw->shared ? "note-shared" : NULL;
}

/* POST /patients/:id/notes/new: 303 to the note; 400 invalid (the form
 * keeps what was typed); 403 not allowed (also to withhold); 404. */
static enum err
post_note_new(struct req *req)
{
	struct web *w = web_of(req);
	struct note_form f = {0};
	struct problems ps = {0};
	struct write_info wi;
	struct note_write nw;
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	write_init(w, &nw, p.org_id, pid, id_new(), &f);
	note_write_info(&wi, &nw, "create");
	if (!f.shared && !may_withhold(w, pid)) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	note_validate(f.title, f.body, f.shared, f.reason, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return form_page(w, 400, pid, NULL, &f, false, &ps);
	}
	wi.resource_id = care_id_text(w, nw.id);
	if ((e = write_commit(&w->ctx, &wi, note_create, &nw)) != ERR_OK)
		return e;
	return page_redirect(w, note_path(w, pid, nw.id), "saved");
}

/* --- writing together ----------------------------------------------------- */

/* The co-writing page: six paragraphs, each with its voice, and the
 * patient's confirmation. Values come from the form when `typed`. */
static enum err
cowrite_page(struct web *w, int status, int64_t pid, bool typed,
	     const struct problems *ps)
{
	json_t *ctx, *arr;
	struct patient p;
	int k;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Write a note together"),
				  "notes", &e)))
		return e;
	jstr(ctx, "given_name", p.given_name);
	jstr(ctx, "me", w->account.display_name);
	jstr(ctx, "note_title", typed ? web_field(w, "title") : "");
	jbool(ctx, "confirmed", typed && http_field(w->req, "confirm"));
	arr = jarr(ctx, "paragraphs");
	for (k = 1; k <= NOTE_PARAGRAPHS_MAX; k++) {
		json_t *o = jpush(arr);
		char pf[16], vf[24];
		const char *voice, *msg;

		snprintf(pf, sizeof(pf), "p%d", k);
		snprintf(vf, sizeof(vf), "voice%d", k);
		/* Turns of the conversation: the patient speaks first. */
		voice = typed ? web_field(w, vf)
			      : (k % 2 ? "patient" : "professional");
		jint(o, "n", k);
		jstr(o, "text", typed ? web_field(w, pf) : "");
		jbool(o, "patient", !strcmp(voice, "patient"));
		jbool(o, "professional", !strcmp(voice, "professional"));
		if (ps && (msg = problems_for(ps, pf)))
			jstr(o, "error", tr(w, msg));
		if (ps && (msg = problems_for(ps, vf)))
			jstr(o, "voice_error", tr(w, msg));
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "note_cowrite", ctx);
}

/* GET /patients/:id/notes/cowrite: 200; 403; 404. */
static enum err
get_note_cowrite(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	return cowrite_page(w, 200, pid, false, NULL);
}

/* POST /patients/:id/notes/cowrite: 303 to the note; 400 invalid or not
 * confirmed by the patient (nothing saved, everything typed kept); 403;
 * 404. */
static enum err
post_note_cowrite(struct req *req)
{
	struct web *w = web_of(req);
	struct note_paragraph para[NOTE_PARAGRAPHS_MAX];
	struct problems ps = {0};
	struct write_info wi;
	struct note_write nw;
	struct patient p;
	size_t n = 0;
	int64_t pid;
	int k;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	for (k = 1; k <= NOTE_PARAGRAPHS_MAX; k++) {
		char pf[16], vf[24];

		snprintf(pf, sizeof(pf), "p%d", k);
		snprintf(vf, sizeof(vf), "voice%d", k);
		if (!*web_field(w, pf))
			continue;
		para[n].position = k;
		para[n].voice = web_field(w, vf);
		para[n].author_id = w->account.id;
		para[n].body = web_field(w, pf);
		n++;
	}
	write_init(w, &nw, p.org_id, pid, id_new(), NULL);
	nw.title = web_field(w, "title");
	nw.shared = true;
	nw.withheld_reason = "";
	nw.cowritten = true;
	nw.patient_confirmed = http_field(req, "confirm") != NULL;
	nw.paragraphs = para;
	nw.nparagraphs = n;
	nw.body = note_join_paragraphs(w->ctx.a, para, n);
	care_text_ok(&ps, "title", nw.title, CARE_SHORT_MAX);
	note_paragraphs_validate(para, n, &ps);
	if (!nw.patient_confirmed)
		problems_add(&ps, "confirm",
			     N_("Read the note together and tick the box to "
				"show the patient agrees. Nothing is saved "
				"until then."));
	note_write_info(&wi, &nw, "create");
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return cowrite_page(w, 400, pid, true, &ps);
	}
	if (!nw.body)
		return ERR_NOMEM;
	wi.resource_id = care_id_text(w, nw.id);
	if ((e = write_commit(&w->ctx, &wi, note_create, &nw)) != ERR_OK)
		return e;
	return page_redirect(w, note_path(w, pid, nw.id), "saved");
}

/* --- one note ------------------------------------------------------------- */

static const char *
change_label(struct web *w, const char *change)
{
	if (!strcmp(change, "create"))
		return tr(w, N_("Written"));
	if (!strcmp(change, "correct"))
		return tr(w, N_("Corrected after a request"));
	return tr(w, N_("Changed by the author"));
}

static enum err
add_versions(struct web *w, json_t *ctx, int64_t nid)
{
	struct care_version *v;
	json_t *arr = jarr(ctx, "versions");
	size_t n, i;
	enum err e;

	if ((e = care_version_list(w->ctx.db, w->ctx.a, CARE_NOTE, nid, &v,
				   &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jint(o, "version", v[i].version);
		jstr(o, "when", page_datetime(w, v[i].at_ms / 1000));
		jstr(o, "who", v[i].author_name);
		jstr(o, "change", change_label(w, v[i].change));
		/* Newest first: each version against the one before it. */
		if (i + 1 < n &&
		    (e = note_diff(w, jarr(o, "differences"), v[i + 1].fields,
				   v[i].fields)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
add_paragraphs(struct web *w, json_t *ctx, const struct note *n,
	       const char *given_name)
{
	struct note_paragraph *p;
	json_t *arr = jarr(ctx, "paragraphs");
	size_t count, i;
	enum err e;

	if ((e = note_paragraph_list(w->ctx.db, w->ctx.a, n->id, &p,
				     &count)) != ERR_OK)
		return e;
	for (i = 0; i < count; i++) {
		json_t *o = jpush(arr);
		bool pt = !strcmp(p[i].voice, "patient");

		jbool(o, "patient", pt);
		jstr(o, "who", pt ? given_name : n->author_name);
		json_object_set_new(o, "html",
				    trusted_markdown(w, p[i].body, 4));
	}
	return ERR_OK;
}

static enum err
add_views(struct web *w, json_t *ctx, const struct note *n)
{
	struct note_view *v;
	json_t *arr = jarr(ctx, "views");
	size_t count, i;
	enum err e;

	if ((e = note_view_list(w->ctx.db, w->ctx.a, n->id, &v, &count)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < count; i++) {
		json_t *o = jpush(arr);

		jstr(o, "who", v[i].author_name);
		jstr(o, "voice", care_voice_label(w, v[i].voice));
		jstr(o, "when", page_datetime(w, v[i].at_ms / 1000));
		jstr(o, "body", v[i].body);
	}
	return ERR_OK;
}

static const char *
status_label(struct web *w, const char *status)
{
	if (!strcmp(status, "accepted"))
		return tr(w, N_("Accepted: the note was corrected"));
	if (!strcmp(status, "explained"))
		return tr(w, N_("Answered: the note was kept as it is"));
	return tr(w, N_("Waiting for an answer"));
}

static enum err
add_amendments(struct web *w, json_t *ctx, int64_t pid, const struct note *n,
	       bool can_answer)
{
	struct note_amendment *m;
	json_t *arr = jarr(ctx, "amendments");
	size_t count, i;
	enum err e;

	if ((e = note_amendment_list(w->ctx.db, w->ctx.a, n->id, &m,
				     &count)) != ERR_OK)
		return e;
	for (i = 0; i < count; i++) {
		json_t *o = jpush(arr);
		bool open = !strcmp(m[i].status, "open");

		jstr(o, "who", m[i].requested_by_name);
		jstr(o, "when", page_datetime(w, m[i].requested_ms / 1000));
		jstr(o, "request", m[i].request);
		jstr(o, "status", status_label(w, m[i].status));
		jbool(o, "open", open);
		jbool(o, "accepted", !strcmp(m[i].status, "accepted"));
		if (!open) {
			jstr(o, "answered_by", m[i].answered_by_name);
			jstr(o, "answered_when",
			     page_datetime(w, m[i].answered_ms / 1000));
			jstr(o, "answer", m[i].answer);
		}
		if (open && can_answer)
			jstr(o, "answer_href",
			     arena_printf(w->ctx.a, "%s/amendments/%lld/answer",
					  note_path(w, pid, n->id),
					  (long long)m[i].id));
	}
	return ERR_OK;
}

/*
 * The note page, with the forms beside it; after a refused "my view" or
 * request (`ps`) the typed text comes back in its form.
 */
static enum err
note_page(struct web *w, int status, int64_t pid, const struct note *n,
	  const struct problems *ps)
{
	bool mine = n->author_id == w->account.id;
	bool can_write = patient_allowed(w, pid, RES_NOTES, ACT_WRITE);
	bool beside = patient_side(w) &&
		      patient_allowed(w, pid, RES_CARE_RECORD, ACT_WRITE);
	json_t *ctx, *o, *form;
	struct patient p;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if (!(ctx = care_page_new(w, pid, N_("Note"), "notes", &e)))
		return e;
	jstr(ctx, "heading", note_heading(w, n));
	o = jobj(ctx, "note");
	jstr(o, "href", note_path(w, pid, n->id));
	jstr(o, "author", n->author_name);
	jstr(o, "written", page_datetime(w, n->written_ms / 1000));
	if (n->version > 1)
		jstr(o, "updated", page_datetime(w, n->updated_ms / 1000));
	jbool(o, "cowritten", n->cowritten);
	jbool(o, "withheld", !n->shared);
	jstr(o, "reason", tr(w, note_reason_label(n->withheld_reason)));
	jint(o, "version", n->version);
	json_object_set_new(o, "html", trusted_markdown(w, n->body, 3));
	/* A co-written note shows who said what; once corrected, the
	 * corrected text comes first and the visit's words after it. */
	if (n->cowritten) {
		jbool(ctx, "show_body", n->version > 1);
		jbool(ctx, "corrected", n->version > 1);
		if ((e = add_paragraphs(w, ctx, n, p.given_name)) != ERR_OK)
			goto fail;
	} else {
		jbool(ctx, "show_body", true);
	}
	jbool(ctx, "can_edit", can_write && mine && !n->cowritten);
	jbool(ctx, "can_beside", beside && n->shared);
	jstr(ctx, "given_name", p.given_name);
	form = jobj(ctx, "form");
	jstr(form, "view", ps ? web_field(w, "view") : "");
	jstr(form, "request", ps ? web_field(w, "request") : "");
	if ((e = add_views(w, ctx, n)) != ERR_OK ||
	    (e = add_amendments(w, ctx, pid, n, can_write && mine)) !=
		    ERR_OK ||
	    (e = add_versions(w, ctx, n->id)) != ERR_OK)
		goto fail;
	care_plain_words(w, ctx, N_("This note"), plain_text(w, n->body));
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, NOTE_RES_NOTE, care_id_text(w, n->id), pid);
	return page_render(w, status, "note", ctx);
fail:
	json_decref(ctx);
	return e;
}

/* Reads route ids and the note the person may see: ERR_NOT_FOUND for a
 * bad id, no such note or a withheld note they may not see. */
static enum err
note_of_request(struct web *w, int64_t *pid, struct note *n)
{
	int64_t nid;
	enum err e;

	if ((e = web_param_id(w, "id", pid)) != ERR_OK ||
	    (e = web_param_id(w, "nid", &nid)) != ERR_OK)
		return e;
	return note_get(w->ctx.db, w->ctx.a, *pid, nid,
			sees_withheld(w, *pid), n);
}

/* GET /patients/:id/notes/:nid: 200; 403; 404 (also for a note withheld
 * from the person asking). */
static enum err
get_note(struct req *req)
{
	struct web *w = web_of(req);
	struct note n;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_READ);
	if ((e = note_of_request(w, &pid, &n)) != ERR_OK)
		return e;
	return note_page(w, 200, pid, &n, NULL);
}

/* --- editing -------------------------------------------------------------- */

/* Who may open a note's edit form: its author, with the right to write
 * notes, and to withhold notes when it is withheld. */
static bool
may_edit(struct web *w, int64_t pid, const struct note *n)
{
	return n->author_id == w->account.id && !n->cowritten &&
	       (n->shared || may_withhold(w, pid));
}

/* GET /patients/:id/notes/:nid/edit: 200; 403 not the author; 404. */
static enum err
get_note_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct note_form f;
	struct note n;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	if ((e = note_of_request(w, &pid, &n)) != ERR_OK)
		return e;
	if (!may_edit(w, pid, &n))
		return ERR_FORBIDDEN;
	f.title = n.title;
	f.body = n.body;
	f.shared = n.shared;
	f.reason = n.withheld_reason;
	f.version = n.version;
	web_audit_read(w, NOTE_RES_NOTE, care_id_text(w, n.id), pid);
	return form_page(w, 200, pid, &n, &f, false, NULL);
}

/* POST /patients/:id/notes/:nid/edit: 303; 400 invalid; 403 not the
 * author (or may not withhold); 404; 409 changed meanwhile (both texts
 * shown, nothing typed lost). */
static enum err
post_note_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct problems ps = {0};
	struct write_info wi;
	struct note_write nw;
	struct note_form f;
	struct note n;
	int64_t pid, version;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	if ((e = note_of_request(w, &pid, &n)) != ERR_OK)
		return e;
	write_init(w, &nw, n.org_id, pid, n.id, &f);
	note_write_info(&wi, &nw, "update");
	wi.resource_id = care_id_text(w, n.id);
	if (!may_edit(w, pid, &n) || (!f.shared && !may_withhold(w, pid))) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	if (!care_form_version(w, &version))
		return ERR_INVALID;
	f.version = (int)version;
	nw.version = (int)version;
	note_validate(f.title, f.body, f.shared, f.reason, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return form_page(w, 400, pid, &n, &f, false, &ps);
	}
	if (nw.version != n.version) {
		f.version = n.version;
		return form_page(w, 409, pid, &n, &f, true, NULL);
	}
	e = write_commit(&w->ctx, &wi, note_edit, &nw);
	if (e == ERR_CONFLICT) {
		/* Someone saved between our read and our write. */
		if (note_of_request(w, &pid, &n) != ERR_OK)
			return ERR_CONFLICT;
		f.version = n.version;
		return form_page(w, 409, pid, &n, &f, true, NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, note_path(w, pid, n.id), "saved");
}

/* --- beside a note: my view, a correction request ------------------------- */

/*
 * POST /patients/:id/notes/:nid/view and .../amend, by the patient or a
 * caregiver who may write to the care record: 303 back to the note; 400
 * invalid (the note page comes back with the text kept); 403; 404.
 */
static enum err
post_beside(struct req *req, bool request)
{
	struct web *w = web_of(req);
	const char *field = request ? "request" : "view";
	struct write_info wi = {
		.action = "create",
		.resource_type = request ? NOTE_RES_AMENDMENT : NOTE_RES_VIEW,
		.touchpoint_kind = request ? "amendment-request" : "note-view",
	};
	struct problems ps = {0};
	struct note_beside b;
	struct note n;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_READ);
	PATIENT_ACCESS_OR_RESPOND(w, pid, RES_CARE_RECORD, ACT_WRITE);
	if ((e = note_of_request(w, &pid, &n)) != ERR_OK)
		return e;
	wi.patient_id = pid;
	if (!patient_side(w) || !n.shared) {
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	memset(&b, 0, sizeof(b));
	b.org_id = n.org_id;
	b.patient_id = pid;
	b.note_id = n.id;
	b.author_id = w->account.id;
	b.voice = role_voice(w->account.role);
	b.at_ms = clock_now_ms();
	b.text = web_field(w, field);
	b.id = id_new();
	note_text_validate(field, b.text, true, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return note_page(w, 400, pid, &n, &ps);
	}
	wi.resource_id = care_id_text(w, b.id);
	if ((e = write_commit(&w->ctx, &wi,
			      request ? note_amend_request : note_view_add,
			      &b)) != ERR_OK)
		return e;
	return page_redirect(w, note_path(w, pid, n.id), "saved");
}

static enum err
post_note_view(struct req *req)
{
	return post_beside(req, false);
}

static enum err
post_note_amend(struct req *req)
{
	return post_beside(req, true);
}

/* --- answering a correction request --------------------------------------- */

/* The answer form; with `conflict`, the note changed since the author
 * opened it and what is saved now is shown above the typed text. */
static enum err
answer_page(struct web *w, int status, int64_t pid, const struct note *n,
	    const struct note_amendment *m, bool typed, bool conflict,
	    int version, const struct problems *ps)
{
	const char *choice = typed ? web_field(w, "choice") : "";
	json_t *ctx, *o, *form;
	enum err e;

	if (!(ctx = care_page_new(w, pid, N_("Answer a correction request"),
				  "notes", &e)))
		return e;
	jstr(ctx, "heading", note_heading(w, n));
	jstr(ctx, "note_href", note_path(w, pid, n->id));
	jstr(ctx, "action", arena_printf(w->ctx.a,
					 "%s/amendments/%lld/answer",
					 note_path(w, pid, n->id),
					 (long long)m->id));
	o = jobj(ctx, "amendment");
	jstr(o, "who", m->requested_by_name);
	jstr(o, "when", page_datetime(w, m->requested_ms / 1000));
	jstr(o, "request", m->request);
	json_object_set_new(ctx, "note_html",
			    trusted_markdown(w, n->body, 3));
	form = jobj(ctx, "form");
	jbool(form, "accept", !strcmp(choice, "accept"));
	jbool(form, "explain", !strcmp(choice, "explain"));
	jstr(form, "body", typed ? web_field(w, "body") : n->body);
	jstr(form, "answer", typed ? web_field(w, "answer") : "");
	jint(form, "version", version);
	if (conflict) {
		jbool(ctx, "conflict", true);
		note_diff(w, jarr(ctx, "differences"),
			  fields_json(w, n->title, n->body),
			  fields_json(w, n->title, web_field(w, "body")));
	}
	care_plain_words(w, ctx, N_("The note as saved"),
			 plain_text(w, n->body));
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "note_answer", ctx);
}

/* The note, the open request and the check that the signed-in person is
 * the note's author: ERR_FORBIDDEN (audited) otherwise, ERR_CONFLICT when
 * the request was answered already. */
static enum err
answer_context(struct web *w, int64_t *pid, struct note *n,
	       struct note_amendment *m)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = NOTE_RES_AMENDMENT,
	};
	int64_t aid;
	enum err e;

	if ((e = note_of_request(w, pid, n)) != ERR_OK ||
	    (e = web_param_id(w, "aid", &aid)) != ERR_OK ||
	    (e = note_amendment_get(w->ctx.db, w->ctx.a, n->id, aid, m)) !=
		    ERR_OK)
		return e;
	if (n->author_id != w->account.id) {
		wi.resource_id = care_id_text(w, aid);
		wi.patient_id = *pid;
		write_refused(&w->ctx, &wi);
		return ERR_FORBIDDEN;
	}
	return strcmp(m->status, "open") ? ERR_CONFLICT : ERR_OK;
}

/* GET /patients/:id/notes/:nid/amendments/:aid/answer: 200; 403 not the
 * author; 404; 409 answered already. */
static enum err
get_note_answer(struct req *req)
{
	struct web *w = web_of(req);
	struct note_amendment m;
	struct note n;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	if ((e = answer_context(w, &pid, &n, &m)) != ERR_OK)
		return e;
	web_audit_read(w, NOTE_RES_NOTE, care_id_text(w, n.id), pid);
	return answer_page(w, 200, pid, &n, &m, false, false, n.version,
			   NULL);
}

/* POST /patients/:id/notes/:nid/amendments/:aid/answer: 303 to the note;
 * 400 invalid (the form keeps what was typed); 403 not the author; 404;
 * 409 answered already, or the note changed since (both texts shown). */
static enum err
post_note_answer(struct req *req)
{
	struct web *w = web_of(req);
	const char *choice = web_field(w, "choice");
	struct write_info wi = {
		.action = "update",
		.resource_type = NOTE_RES_AMENDMENT,
		.touchpoint_kind = "amendment-answer",
	};
	struct problems ps = {0};
	struct note_amendment m;
	struct note_answer na;
	struct note n;
	int64_t pid, version = 0;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_NOTES, ACT_WRITE);
	if ((e = answer_context(w, &pid, &n, &m)) != ERR_OK)
		return e;
	memset(&na, 0, sizeof(na));
	na.org_id = n.org_id;
	na.patient_id = pid;
	na.note_id = n.id;
	na.amendment_id = m.id;
	na.answered_by = w->account.id;
	na.voice = role_voice(w->account.role);
	na.at_ms = clock_now_ms();
	na.accept = !strcmp(choice, "accept");
	na.answer = web_field(w, "answer");
	na.body = web_field(w, "body");
	wi.resource_id = care_id_text(w, m.id);
	wi.patient_id = pid;
	wi.detail = na.accept ? "accepted" : "explained";
	if (!care_form_version(w, &version))
		return ERR_INVALID;
	na.version = (int)version;
	if (!na.accept && strcmp(choice, "explain"))
		problems_add(&ps, "choice",
			     N_("Choose whether to correct the note or to "
				"keep it and explain why."));
	note_text_validate("answer", na.answer, !na.accept, &ps);
	if (na.accept)
		note_validate(NULL, na.body, true, "", &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return answer_page(w, 400, pid, &n, &m, true, false,
				   na.version, &ps);
	}
	if (na.accept && na.version != n.version)
		return answer_page(w, 409, pid, &n, &m, true, true, n.version,
				   NULL);
	e = write_commit(&w->ctx, &wi, note_amend_answer, &na);
	if (e == ERR_CONFLICT && na.accept &&
	    answer_context(w, &pid, &n, &m) == ERR_OK)
		return answer_page(w, 409, pid, &n, &m, true, true, n.version,
				   NULL);
	if (e != ERR_OK)
		return e;
	return page_redirect(w, note_path(w, pid, n.id), "saved");
}

static const struct http_route note_routes[] = {
	{HTTP_GET, "/patients/:id/notes", get_notes, 0, NULL},
	{HTTP_GET, "/patients/:id/notes/new", get_note_new, 0, NULL},
	{HTTP_POST, "/patients/:id/notes/new", post_note_new, 0, NULL},
	{HTTP_GET, "/patients/:id/notes/cowrite", get_note_cowrite, 0, NULL},
	{HTTP_POST, "/patients/:id/notes/cowrite", post_note_cowrite, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/notes/:nid", get_note, 0, NULL},
	{HTTP_GET, "/patients/:id/notes/:nid/edit", get_note_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/notes/:nid/edit", post_note_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/notes/:nid/view", post_note_view, 0, NULL},
	{HTTP_POST, "/patients/:id/notes/:nid/amend", post_note_amend, 0,
	 NULL},
	{HTTP_GET, "/patients/:id/notes/:nid/amendments/:aid/answer",
	 get_note_answer, 0, NULL},
	{HTTP_POST, "/patients/:id/notes/:nid/amendments/:aid/answer",
	 post_note_answer, 0, NULL},
};

enum err
note_web_routes(struct http_router *r)
{
	return http_router_add(r, note_routes,
			       sizeof(note_routes) / sizeof(note_routes[0]));
}

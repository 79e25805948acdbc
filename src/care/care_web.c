/*
 * What every care-record page shares (see care_web.h): the heading and
 * navigation, participant pickers, plain-words advice and differences
 * between versions.
 */
#include "care/care_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "care/plainwords.h"
#include "care/textdiff.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/problem.h"
#include "core/str.h"
#include "people/careteam.h"
#include "people/patient.h"
#include "people/people_web.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "web/template.h"
#include "core/banned.h"

#define JARGON_ORG_MAX 500

static const struct {
	const char *section;
	const char *path;
	const char *label;
	enum resource res;
} sections[] = {
	{"matters", "matters", N_("What matters to me"), RES_CARE_RECORD},
	{"plan", "plan", N_("Care plan"), RES_CARE_RECORD},
	{"crisis", "crisis", N_("Crisis plan"), RES_CARE_RECORD},
	{"notes", "notes", N_("Notes"), RES_NOTES},
	{"reviews", "reviews", N_("Review conversations"), RES_CARE_RECORD},
	{"decisions", "decisions", N_("Decisions"), RES_CARE_RECORD},
	{"measures", "measures", N_("Together dashboard"), RES_MEASURES},
	{"questionnaires", "questionnaires", N_("Questionnaires"),
	 RES_MEASURES},
	{"readings", "readings", N_("Readings"), RES_MEASURES},
};

const char *
care_patient_name(struct web *w, int64_t pid)
{
	struct patient p;

	if (patient_get(w->ctx.db, w->ctx.a, pid, &p) != ERR_OK)
		return "";
	return arena_printf(w->ctx.a, "%s %s", p.given_name, p.family_name);
}

json_t *
care_page_new(struct web *w, int64_t pid, const char *title_msgid,
	      const char *section, enum err *e)
{
	json_t *ctx, *nav;
	const char *name = care_patient_name(w, pid);
	size_t i;

	if (!name || !*name) {
		*e = ERR_NOT_FOUND;
		return NULL;
	}
	ctx = page_new(w, title_msgid);
	jid(ctx, "patient_id", pid);
	jstr(ctx, "patient_name", name);
	jbool(ctx, "own", w->account.patient_id == pid);
	nav = jarr(ctx, "care_nav");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		json_t *o;

		if (!patient_allowed(w, pid, sections[i].res, ACT_READ))
			continue;
		o = jpush(nav);
		jstr(o, "href", arena_printf(w->ctx.a, "/patients/%lld/%s",
					     (long long)pid,
					     sections[i].path));
		jstr(o, "label", tr(w, sections[i].label));
		jbool(o, "current", !strcmp(section, sections[i].section));
	}
	*e = ERR_OK;
	return ctx;
}

const char *
care_voice_label(struct web *w, const char *voice)
{
	if (!voice)
		return "";
	if (!strcmp(voice, "patient"))
		return tr(w, N_("the patient"));
	if (!strcmp(voice, "caregiver"))
		return tr(w, N_("a caregiver"));
	if (!strcmp(voice, "professional"))
		return tr(w, N_("a professional"));
	if (!strcmp(voice, "system"))
		return tr(w, N_("cocare"));
	return tr(w, N_("staff"));
}

/* --- participants ------------------------------------------------------ */

struct person {
	const char *field;
	int64_t id;		/* 0 for the patient (who may have no login) */
	const char *name;
	const char *voice;
	const char *role;	/* msgid */
};

/* Everyone who can take part: the patient, caregivers with an active
 * grant, the care team (in that order, no one twice). */
static enum err
people_of(struct web *w, int64_t pid, struct person **out, size_t *n)
{
	struct team_member *team;
	struct grant *grants;
	size_t nt, ng, i, k = 0;
	struct person *p;
	enum err e;

	if ((e = team_list(w->ctx.db, w->ctx.a, pid, &team, &nt)) != ERR_OK ||
	    (e = grant_list_for_patient(w->ctx.db, w->ctx.a, pid, &grants,
					&ng)) != ERR_OK)
		return e;
	p = arena_calloc(w->ctx.a, 1 + nt + ng, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	p[k++] = (struct person){"part_patient", 0,
				 care_patient_name(w, pid), "patient",
				 N_("Patient")};
	for (i = 0; i < ng; i++) {
		if (!grant_is_active(&grants[i], w->ctx.now))
			continue;
		p[k++] = (struct person){
			arena_printf(w->ctx.a, "part_%lld",
				     (long long)grants[i].caregiver_id),
			grants[i].caregiver_id, grants[i].caregiver_name,
			"caregiver", N_("Caregiver")};
	}
	for (i = 0; i < nt; i++)
		p[k++] = (struct person){
			arena_printf(w->ctx.a, "part_%lld",
				     (long long)team[i].account_id),
			team[i].account_id, team[i].name, "professional",
			N_("Care team")};
	*out = p;
	*n = k;
	return ERR_OK;
}

enum err
care_participants_choices(struct web *w, json_t *ctx, int64_t pid,
			  bool from_form)
{
	json_t *arr = jarr(ctx, "participants");
	struct person *p;
	size_t n, i;
	enum err e;

	if ((e = people_of(w, pid, &p, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);
		bool me = p[i].id ? p[i].id == w->account.id
				  : w->account.patient_id == pid;

		jstr(o, "field", p[i].field);
		jstr(o, "name", p[i].name);
		jstr(o, "role", tr(w, p[i].role));
		jbool(o, "checked", from_form ? http_field(w->req, p[i].field)
					       != NULL
					      : me || !p[i].id);
	}
	return ERR_OK;
}

enum err
care_participants_from_form(struct web *w, int64_t pid, const char **json_out,
			    bool *patient_side, bool *professional)
{
	json_t *arr = json_array();
	struct person *p;
	size_t n, i;
	char *text;
	enum err e;

	*patient_side = *professional = false;
	if (!arr)
		return ERR_NOMEM;
	if ((e = people_of(w, pid, &p, &n)) != ERR_OK) {
		json_decref(arr);
		return e;
	}
	for (i = 0; i < n; i++) {
		json_t *o;

		if (!http_field(w->req, p[i].field))
			continue;
		o = json_object();
		jstr(o, "id", p[i].id ? arena_printf(w->ctx.a, "%lld",
						     (long long)p[i].id)
				      : "patient");
		jstr(o, "name", p[i].name);
		jstr(o, "voice", p[i].voice);
		json_array_append_new(arr, o);
		if (!strcmp(p[i].voice, "professional"))
			*professional = true;
		else
			*patient_side = true;
	}
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		return ERR_INVALID;
	}
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (!text)
		return ERR_NOMEM;
	*json_out = arena_strdup(w->ctx.a, text);
	free(text);
	return *json_out ? ERR_OK : ERR_NOMEM;
}

void
care_participants_show(struct web *w, json_t *ctx, const char *key,
		       const char *json)
{
	json_t *list = json_loads(json ? json : "[]", 0, NULL);
	json_t *arr = jarr(ctx, key), *v;
	struct buf b;
	size_t i;

	buf_init(&b, w->ctx.a, 4096);
	json_array_foreach(list, i, v) {
		json_t *o = jpush(arr);
		const char *name =
			json_string_value(json_object_get(v, "name"));
		const char *voice = care_voice_label(
			w, json_string_value(json_object_get(v, "voice")));

		jstr(o, "name", name);
		jstr(o, "voice", voice);
		buf_printf(&b, "%s%s (%s)", i ? ", " : "", name ? name : "",
			   voice);
	}
	jstr(ctx, arena_printf(w->ctx.a, "%s_text", key), b.p);
	json_decref(list);
}

/* --- plain words ------------------------------------------------------- */

static const char sql_org_jargon[] =
	"SELECT term, plain FROM jargon WHERE org_id = $1 AND lang = $2 "
	"ORDER BY term";

struct jargon_row {
	char *term;
	char *plain;
};

static void
read_jargon_row(struct stmt *st, struct arena *a, void *out)
{
	struct jargon_row *r = out;

	r->term = stmt_text_dup(st, 0, a);
	r->plain = stmt_text_dup(st, 1, a);
}

/* The built-in list for `lang` with the organisation's changes: its own
 * terms added or replacing, and built-in terms it removed left out. */
static enum err
effective_jargon(struct web *w, const char *lang, struct jargon *out)
{
	struct stmt *st = db_prepare(w->ctx.db, sql_org_jargon);
	struct jargon_row *rows;
	struct jargon_entry *all;
	size_t n, i, j, k = 0;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, w->account.org_id);
	stmt_bind_str(st, 2, lang);
	if ((e = stmt_list(st, w->ctx.a, sizeof(*rows), JARGON_ORG_MAX,
			   read_jargon_row, &rows, &n)) != ERR_OK ||
	    (e = jargon_builtin(w->ctx.a, lang, out)) != ERR_OK)
		return e;
	all = arena_calloc(w->ctx.a, out->n + n + 1, sizeof(*all));
	if (!all)
		return ERR_NOMEM;
	for (i = 0; i < out->n; i++) {
		bool changed = false;

		for (j = 0; j < n; j++)
			if (!strcmp(str_fold(w->ctx.a, rows[j].term,
					     strlen(rows[j].term)),
				    str_fold(w->ctx.a, out->e[i].term,
					     strlen(out->e[i].term))))
				changed = true;
		if (!changed)
			all[k++] = out->e[i];
	}
	for (j = 0; j < n; j++)
		if (rows[j].plain[0])
			all[k++] = (struct jargon_entry){rows[j].term,
							 rows[j].plain};
	out->e = all;
	out->n = k;
	return ERR_OK;
}

void
care_plain_words(struct web *w, json_t *ctx, const char *label_msgid,
		 const char *text)
{
	struct readability r;
	struct jargon j;
	struct jargon_hit *hits;
	size_t n = 0, i;
	json_t *o, *arr;

	if (w->account.role != ROLE_PROFESSIONAL || !text || !*text)
		return;
	if (!plainwords_readability(text, w->lang, &r))
		return;
	arr = json_object_get(ctx, "plain_words");
	if (!arr)
		arr = jarr(ctx, "plain_words");
	o = jpush(arr);
	jstr(o, "label", tr(w, label_msgid));
	jint(o, "score", (int64_t)(r.score + 0.5));
	jstr(o, "band", tr(w, r.band));
	if (effective_jargon(w, w->lang, &j) == ERR_OK &&
	    jargon_find(w->ctx.a, &j, text, &hits, &n) == ERR_OK && n > 0) {
		json_t *h = jarr(o, "hits");

		for (i = 0; i < n; i++) {
			json_t *x = jpush(h);

			jstr(x, "term", arena_strndup(w->ctx.a,
						      text + hits[i].start,
						      hits[i].len));
			jstr(x, "plain", hits[i].entry->plain);
		}
		json_object_set_new(o, "marked",
				    tpl_trusted_html(jargon_mark_html(
					    w->ctx.a, text, hits, n)));
	}
	jbool(ctx, "has_plain_words", true);
}

/* --- differences --------------------------------------------------------- */

static const char *
field_text(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

enum err
care_diff_fields(struct web *w, json_t *arr, const struct care_field *f,
		 size_t n, const char *before_json, const char *after_json)
{
	json_t *b = json_loads(before_json ? before_json : "{}", 0, NULL);
	json_t *a = json_loads(after_json ? after_json : "{}", 0, NULL);
	enum err e = ERR_OK;
	size_t i;

	for (i = 0; i < n && e == ERR_OK; i++) {
		const char *x = field_text(b, f[i].key);
		const char *y = field_text(a, f[i].key);
		struct diff_piece *p;
		size_t np;
		json_t *o;
		char *html;

		if (textdiff_same(x, y))
			continue;
		if ((e = textdiff(w->ctx.a, x, y, &p, &np)) != ERR_OK)
			break;
		html = textdiff_html(w->ctx.a, p, np, tr(w, N_("added:")),
				     tr(w, N_("removed:")));
		if (!html) {
			e = ERR_NOMEM;
			break;
		}
		o = jpush(arr);
		jstr(o, "label", tr(w, f[i].label));
		json_object_set_new(o, "html", tpl_trusted_html(html));
	}
	json_decref(a);
	json_decref(b);
	return e;
}

const char *
care_date_label(struct web *w, const char *date)
{
	int64_t t;

	if (!date || !*date || !clock_parse_date(date, &t))
		return "";
	return page_date(w, t);
}

const char *
care_id_text(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "%lld", (long long)id);
}

void
care_jform(json_t *o, const char *key, const char *value)
{
	json_object_set_new(o, key, json_string(value ? value : ""));
}

bool
care_form_version(struct web *w, int64_t *out)
{
	return str_to_i64(str_c(web_field(w, "version")), 1, INT32_MAX, out);
}

enum err
care_record_ids_or_respond(struct web *w, const char *param, enum action act,
			   int64_t *pid, int64_t *id, bool *answered)
{
	enum err e;

	*answered = false;
	if ((e = web_param_id(w, "id", pid)) != ERR_OK ||
	    (e = web_param_id(w, param, id)) != ERR_OK)
		return e;
	return patient_access_or_respond(w, *pid, RES_CARE_RECORD, act,
					 answered);
}

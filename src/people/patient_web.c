/*
 * Patient pages: the patient list and search, the profile with its care
 * team, editing (a stale form is refused with both versions shown), the
 * identifiers, "who has looked at my record", caregiver grants and
 * break-the-glass. Every page asks the access policy first and records
 * the read in the audit chain; every change goes through write_commit().
 */
#include "people/people_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/actor.h"
#include "auth/audit.h"
#include "auth/policy.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/id.h"
#include "core/str.h"
#include "people/careteam.h"
#include "people/patient.h"
#include "people/research.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define PAGE_SIZE 25
#define ACCESS_PAGE 50

static const char *
language_name(struct web *w, const char *code)
{
	return tr(w, patient_choice_label(patient_language_choices, code));
}

static const char *
gender_name(struct web *w, const char *code)
{
	return tr(w, patient_choice_label(patient_gender_choices, code));
}

static const char *
system_name(struct web *w, const char *system)
{
	if (system && !strcmp(system, "national"))
		return tr(w, N_("National number"));
	return tr(w, N_("Medical record number"));
}

/* The analytics' patient groups, as words ("" when not known). */
static void
add_groups(struct web *w, json_t *o, const struct patient *p)
{
	if (p->disability && *p->disability)
		jstr(o, "disability", tr(w, patient_choice_label(
			patient_disability_choices, p->disability)));
	if (p->digital_confidence && *p->digital_confidence)
		jstr(o, "digital_confidence", tr(w, patient_choice_label(
			patient_digital_choices, p->digital_confidence)));
	if (p->deprivation_decile > 0)
		jint(o, "deprivation_decile", p->deprivation_decile);
}

static void
add_choice_list(struct web *w, json_t *ctx, const char *key,
		const struct patient_choice *list, const char *current)
{
	json_t *arr = jarr(ctx, key);

	for (; list->code; list++) {
		json_t *o = jpush(arr);

		jstr(o, "code", list->code);
		jstr(o, "name", tr(w, list->label));
		jbool(o, "selected", current && !strcmp(current, list->code));
	}
}

static char *
full_name(struct web *w, const struct patient *p)
{
	return arena_printf(w->ctx.a, "%s %s", p->given_name, p->family_name);
}

/* The access check of every patient page (see people_web.h). */
enum err
patient_access_or_respond(struct web *w, int64_t pid, enum resource res,
			  enum action act, bool *answered)
{
	struct decision d;
	struct audit_event ev;
	json_t *ctx;
	enum err e;

	*answered = false;
	if ((e = policy_check(&w->ctx, pid, res, act, &d)) != ERR_OK)
		return e;
	if (d.allow)
		return ERR_OK;
	ev = audit_event_for(&w->ctx, act == ACT_READ ? "read" : "update",
			     "Patient", http_param(w->req, "id"), pid,
			     "denied");
	ev.detail = d.reason;
	audit_record_async(&w->ctx, &ev);
	if (!d.break_glass_possible)
		return ERR_FORBIDDEN;
	ctx = page_new(w, N_("You are not on this patient's care team"));
	jid(ctx, "patient_id", pid);
	*answered = true;
	return page_render(w, 403, "break_glass", ctx);
}

bool
patient_allowed(struct web *w, int64_t pid, enum resource res,
		enum action act)
{
	struct decision d;

	return policy_check(&w->ctx, pid, res, act, &d) == ERR_OK && d.allow;
}

/* --- the list -------------------------------------------------------- */

/* GET /patients?q=&all=1&page=N: 200; 403 for roles that see no names. */
static enum err
get_patients(struct req *req)
{
	struct web *w = web_of(req);
	enum role role = w->account.role;
	const char *q = web_field(w, "q");
	bool mine = role == ROLE_PROFESSIONAL && !http_field(req, "all");
	struct audit_event ev;
	struct patient *p;
	int64_t page = 1;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_LIST_PATIENTS))
		return ERR_FORBIDDEN;
	if (strlen(q) > 100)
		return ERR_INVALID;
	if (http_field(req, "page") &&
	    !str_to_i64(str_c(http_field(req, "page")), 1, 10000, &page))
		return ERR_INVALID;
	e = patient_search(w->ctx.db, w->ctx.a, w->account.org_id, q, mine,
			   w->account.id, PAGE_SIZE + 1,
			   (int)((page - 1) * PAGE_SIZE), &p, &n);
	if (e != ERR_OK)
		return e;
	ctx = page_new(w, mine ? N_("My patients") : N_("Patients"));
	jstr(ctx, "q", q);
	jbool(ctx, "mine", mine);
	jbool(ctx, "can_toggle", role == ROLE_PROFESSIONAL);
	arr = jarr(ctx, "patients");
	for (i = 0; i < n && i < PAGE_SIZE; i++) {
		json_t *o = jpush(arr);
		int64_t born = 0;

		jid(o, "id", p[i].id);
		jstr(o, "name", full_name(w, &p[i]));
		if (clock_parse_date(p[i].birth_date, &born))
			jint(o, "age", clock_age_years(born, w->ctx.now));
		jstr(o, "birth_date", p[i].birth_date);
		jstr(o, "unit", p[i].unit_name);
		jstr(o, "language", language_name(w, p[i].preferred_language));
		jbool(o, "interpreter", p[i].interpreter_needed);
	}
	if (page > 1)
		jstr(ctx, "prev", arena_printf(w->ctx.a, "%lld",
					       (long long)page - 1));
	if (n > PAGE_SIZE)
		jstr(ctx, "next", arena_printf(w->ctx.a, "%lld",
					       (long long)page + 1));
	jbool(ctx, "none", n == 0);
	ev = audit_event_for(&w->ctx, "search", "Patient", "", 0, "success");
	audit_record_async(&w->ctx, &ev);
	return page_render(w, 200, "patients", ctx);
}

/* --- the profile ------------------------------------------------------ */

static void
add_profile(struct web *w, json_t *ctx, const struct patient *p)
{
	int64_t born = 0;
	json_t *ids = jarr(ctx, "identifiers");
	size_t i;

	jid(ctx, "patient_id", p->id);
	jstr(ctx, "name", full_name(w, p));
	jstr(ctx, "given_name", p->given_name);
	jstr(ctx, "family_name", p->family_name);
	jstr(ctx, "birth_date", p->birth_date);
	if (clock_parse_date(p->birth_date, &born))
		jint(ctx, "age", clock_age_years(born, w->ctx.now));
	jstr(ctx, "gender", gender_name(w, p->gender));
	jstr(ctx, "language", language_name(w, p->preferred_language));
	jbool(ctx, "interpreter", p->interpreter_needed);
	jstr(ctx, "communication_needs", p->communication_needs);
	jstr(ctx, "accessibility_needs", p->accessibility_needs);
	add_groups(w, ctx, p);
	jstr(ctx, "unit", p->unit_name);
	for (i = 0; i < p->nids; i++) {
		json_t *o = jpush(ids);

		jstr(o, "system", system_name(w, p->ids[i].system));
		jstr(o, "value", p->ids[i].value);
	}
}

static enum err
add_team(struct web *w, json_t *ctx, int64_t pid, bool can_edit)
{
	struct team_member *m;
	json_t *arr = jarr(ctx, "team");
	size_t n, i;
	enum err e;

	if ((e = team_list(w->ctx.db, w->ctx.a, pid, &m, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "member_id", m[i].id);
		jstr(o, "name", m[i].name);
		jstr(o, "role", m[i].team_role);
		jstr(o, "discipline", m[i].discipline);
		jstr(o, "since", page_date(w, m[i].since));
		jbool(o, "can_edit", can_edit);
	}
	return ERR_OK;
}

/* GET /patients/:id: 200; 403 (or the break-the-glass offer); 404. */
static enum err
get_patient(struct req *req)
{
	struct web *w = web_of(req);
	struct patient p;
	int64_t pid;
	json_t *ctx;
	bool team_read, team_write;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_PROFILE, ACT_READ);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	ctx = page_new(w, w->account.patient_id == pid ? N_("My record")
						       : N_("Patient record"));
	add_profile(w, ctx, &p);
	jstr(ctx, "title", full_name(w, &p));
	jbool(ctx, "own", w->account.patient_id == pid);
	jbool(ctx, "can_edit",
	      patient_allowed(w, pid, RES_PROFILE, ACT_WRITE));
	jbool(ctx, "can_see_access",
	      patient_allowed(w, pid, RES_ACCESS_LOG, ACT_READ));
	jbool(ctx, "can_see_grants",
	      patient_allowed(w, pid, RES_GRANTS, ACT_READ));
	jbool(ctx, "can_see_care",
	      patient_allowed(w, pid, RES_CARE_RECORD, ACT_READ));
	jbool(ctx, "can_see_notes",
	      patient_allowed(w, pid, RES_NOTES, ACT_READ));
	jbool(ctx, "can_message",
	      role_is_staff(w->account.role) &&
		      patient_allowed(w, pid, RES_CONTACT, ACT_WRITE));
	jbool(ctx, "can_see_contact",
	      patient_allowed(w, pid, RES_CONTACT, ACT_READ));
	jbool(ctx, "can_book", patient_allowed(w, pid, RES_CONTACT, ACT_WRITE));
	jbool(ctx, "can_see_journey",
	      patient_allowed(w, pid, RES_CONTACT, ACT_READ));
	team_read = patient_allowed(w, pid, RES_CARE_TEAM, ACT_READ);
	team_write = patient_allowed(w, pid, RES_CARE_TEAM, ACT_WRITE);
	jbool(ctx, "can_see_team", team_read);
	jbool(ctx, "can_edit_team", team_write);
	if (team_read && (e = add_team(w, ctx, pid, team_write)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	web_audit_read(w, "Patient", http_param(req, "id"), pid);
	return page_render(w, 200, "patient", ctx);
}

/* --- editing ------------------------------------------------------------ */

static void
add_choices(struct web *w, json_t *ctx, const struct patient *p)
{
	json_t *langs = jarr(ctx, "languages"), *gs = jarr(ctx, "genders");
	size_t i;

	for (i = 0; patient_language_choices[i].code; i++) {
		const struct patient_choice *l = &patient_language_choices[i];
		json_t *o = jpush(langs);

		jstr(o, "code", l->code);
		jstr(o, "name", tr(w, l->label));
		jbool(o, "selected", p->preferred_language &&
					     !strcmp(p->preferred_language,
						     l->code));
	}
	for (i = 0; patient_gender_choices[i].code; i++) {
		const struct patient_choice *g = &patient_gender_choices[i];
		json_t *o = jpush(gs);

		jstr(o, "code", g->code);
		jstr(o, "name", tr(w, g->label));
		jbool(o, "selected", p->gender && !strcmp(p->gender, g->code));
	}
	add_choice_list(w, ctx, "disabilities", patient_disability_choices,
			p->disability);
	add_choice_list(w, ctx, "digital_levels", patient_digital_choices,
			p->digital_confidence);
	gs = jarr(ctx, "deciles");
	for (i = 0; i <= PATIENT_DECILE_MAX; i++) {
		json_t *o = jpush(gs);

		jint(o, "code", (int64_t)i);
		jstr(o, "name", i == 0 ? tr(w, N_("Not known"))
				       : arena_printf(w->ctx.a, "%zu", i));
		jbool(o, "selected", (int)i == p->deprivation_decile);
	}
}

static void
add_form_values(json_t *ctx, const struct patient *p)
{
	json_t *f = jobj(ctx, "form");

	jstr(f, "given_name", p->given_name);
	jstr(f, "family_name", p->family_name);
	jstr(f, "birth_date", p->birth_date);
	jbool(f, "interpreter", p->interpreter_needed);
	jstr(f, "communication_needs", p->communication_needs);
	jstr(f, "accessibility_needs", p->accessibility_needs);
	jint(f, "version", p->version);
}

static enum err
edit_page(struct web *w, int status, const struct patient *typed,
	  const struct patient *stored, const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Change details"));

	jid(ctx, "patient_id", typed->id);
	jstr(ctx, "name", arena_printf(w->ctx.a, "%s %s", stored->given_name,
				       stored->family_name));
	add_form_values(ctx, typed);
	add_choices(w, ctx, typed);
	if (stored != typed) {
		/* Conflict: show what is stored now beside what was typed. */
		json_t *s = jobj(ctx, "stored");

		jstr(s, "given_name", stored->given_name);
		jstr(s, "family_name", stored->family_name);
		jstr(s, "birth_date", stored->birth_date);
		jstr(s, "gender", gender_name(w, stored->gender));
		jstr(s, "language", language_name(w,
						  stored->preferred_language));
		jbool(s, "interpreter", stored->interpreter_needed);
		jstr(s, "communication_needs", stored->communication_needs);
		jstr(s, "accessibility_needs", stored->accessibility_needs);
		add_groups(w, s, stored);
		jbool(ctx, "conflict", true);
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "patient_edit", ctx);
}

/* GET /patients/:id/edit: 200; 403; 404. */
static enum err
get_patient_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_PROFILE, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	web_audit_read(w, "Patient", http_param(req, "id"), pid);
	return edit_page(w, 200, &p, &p, NULL);
}

static enum err
update_fn(struct db *db, void *arg)
{
	struct web *w = ((void **)arg)[0];
	const struct patient *p = ((void **)arg)[1];

	return patient_update(db, p, w->ctx.now);
}

/* POST /patients/:id/edit: 303; 400 invalid; 409 changed meanwhile (the
 * form comes back with both versions; nothing typed is lost). */
static enum err
post_patient_edit(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Patient", "", 0, NULL,
				"profile-update", NULL};
	struct problems ps = {0};
	struct patient typed, stored;
	int64_t pid, version = 0, decile;
	void *arg[2];
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_PROFILE, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &stored)) != ERR_OK)
		return e;
	if (!str_to_i64(str_c(web_field(w, "version")), 1, INT64_MAX,
			&version))
		return ERR_INVALID;
	decile = stored.deprivation_decile;
	typed = stored;
	typed.given_name = (char *)web_field(w, "given_name");
	typed.family_name = (char *)web_field(w, "family_name");
	typed.birth_date = (char *)web_field(w, "birth_date");
	typed.gender = (char *)web_field(w, "gender");
	typed.preferred_language = (char *)web_field(w, "preferred_language");
	typed.interpreter_needed = http_field(req, "interpreter") != NULL;
	typed.communication_needs = (char *)web_field(w,
						      "communication_needs");
	typed.accessibility_needs = (char *)web_field(w,
						      "accessibility_needs");
	typed.version = version;
	/* The patient groups: a form without them keeps what is stored. */
	if (http_field(req, "disability"))
		typed.disability = (char *)web_field(w, "disability");
	if (http_field(req, "digital_confidence"))
		typed.digital_confidence = (char *)web_field(
			w, "digital_confidence");
	if (http_field(req, "deprivation_decile") &&
	    !str_to_i64(str_c(web_field(w, "deprivation_decile")), 0,
			PATIENT_DECILE_MAX, &decile))
		decile = -1;	/* refused by patient_validate() */
	typed.deprivation_decile = (int)decile;
	patient_validate(&typed, w->ctx.now, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return edit_page(w, 400, &typed, &stored, &ps);
	}
	if (version != stored.version) {
		typed.version = stored.version;
		return edit_page(w, 409, &typed, &stored, NULL);
	}
	wi.resource_id = http_param(req, "id");
	wi.patient_id = pid;
	arg[0] = w;
	arg[1] = &typed;
	e = write_commit(&w->ctx, &wi, update_fn, arg);
	if (e == ERR_CONFLICT) {
		/* Someone saved between our read and our write. */
		if (patient_get(w->ctx.db, w->ctx.a, pid, &stored) != ERR_OK)
			return ERR_CONFLICT;
		typed.version = stored.version;
		return edit_page(w, 409, &typed, &stored, NULL);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld",
					     (long long)pid),
			     "saved");
}

struct identifier_job {
	int64_t org_id, patient_id;
	const char *system, *value;
};

static enum err
identifier_fn(struct db *db, void *arg)
{
	struct identifier_job *j = arg;

	return patient_identifier_insert(db, j->org_id, j->patient_id,
					 j->system, j->value);
}

/* POST /patients/:id/identifiers: 303; 400 invalid; 409 number taken. */
static enum err
post_identifier(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"create", "Patient", "", 0, "identifier",
				NULL, NULL};
	struct identifier_job j;
	struct problems ps = {0};
	struct patient p;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_PROFILE, ACT_WRITE);
	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	j.org_id = p.org_id;
	j.patient_id = pid;
	j.system = web_field(w, "system");
	j.value = web_field(w, "value");
	patient_identifier_validate(j.system, j.value, &ps);
	wi.resource_id = http_param(req, "id");
	wi.patient_id = pid;
	if (!ps.n) {
		e = write_commit(&w->ctx, &wi, identifier_fn, &j);
		if (e == ERR_EXISTS)
			problems_add(&ps, "value",
				     N_("That number is already used by "
					"another record."));
		else if (e != ERR_OK)
			return e;
	}
	if (ps.n) {
		e = edit_page(w, e == ERR_EXISTS ? 409 : 400, &p, &p, &ps);
		return e;
	}
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld",
					     (long long)pid),
			     "saved");
}

/* --- who has looked ------------------------------------------------------ */

static const char *
action_text(struct web *w, const char *action, const char *outcome)
{
	if (outcome && !strcmp(outcome, "denied"))
		return tr(w, N_("was refused access"));
	if (!strcmp(action, "read"))
		return tr(w, N_("looked at the record"));
	if (!strcmp(action, "search"))
		return tr(w, N_("searched"));
	if (!strcmp(action, "break-glass"))
		return tr(w, N_("opened the record in an emergency"));
	if (!strcmp(action, "create"))
		return tr(w, N_("added something"));
	if (!strcmp(action, "revoke"))
		return tr(w, N_("withdrew access"));
	return tr(w, N_("changed something"));
}

/* GET /patients/:id/access?before=SEQ: 200; 403; 404. */
static enum err
get_access(struct req *req)
{
	struct web *w = web_of(req);
	struct audit_row *rows;
	struct break_glass *bg;
	json_t *ctx, *arr;
	int64_t pid, before = 0;
	size_t n, i;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_ACCESS_LOG, ACT_READ);
	if (http_field(req, "before") &&
	    !str_to_i64(str_c(http_field(req, "before")), 1, INT64_MAX,
			&before))
		return ERR_INVALID;
	if ((e = audit_list_for_patient(w->ctx.db, w->ctx.a, pid, before,
					ACCESS_PAGE + 1, &rows, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, w->account.patient_id == pid
				  ? N_("Who looked at my record")
				  : N_("Who looked at this record"));
	jid(ctx, "patient_id", pid);
	arr = jarr(ctx, "events");
	for (i = 0; i < n && i < ACCESS_PAGE; i++) {
		json_t *o = jpush(arr);
		enum role r;

		jstr(o, "when", page_datetime(w, rows[i].at_ms / 1000));
		jstr(o, "who", rows[i].actor_name[0]
				       ? rows[i].actor_name
				       : tr(w, N_("cocare (automatic)")));
		if (role_parse(rows[i].actor_role, &r))
			jstr(o, "role", tr(w, role_label(r)));
		jstr(o, "what", action_text(w, rows[i].action,
					    rows[i].outcome));
		jbool(o, "emergency", !strcmp(rows[i].action, "break-glass"));
	}
	if (n > ACCESS_PAGE)
		jid(ctx, "older", rows[ACCESS_PAGE - 1].seq);
	if ((e = break_glass_list_for_patient(w->ctx.db, w->ctx.a, pid, &bg,
					      &n)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	arr = jarr(ctx, "emergencies");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "who", bg[i].account_name);
		jstr(o, "when", page_datetime(w, bg[i].opened_at));
		jstr(o, "reason", bg[i].reason);
	}
	web_audit_read(w, "AuditEvent", http_param(req, "id"), pid);
	return page_render(w, 200, "access", ctx);
}

/* --- caregiver grants ------------------------------------------------------ */

static void
add_scope_choices(struct web *w, json_t *ctx, unsigned chosen)
{
	json_t *arr = jarr(ctx, "scopes");
	int r, a;

	for (r = 0; r < RES__MAX; r++) {
		if (!(policy_grantable_scopes() &
		      policy_scope_bit((enum resource)r, ACT_READ)))
			continue;
		for (a = 0; a < ACT__MAX; a++) {
			unsigned bit = policy_scope_bit((enum resource)r,
							(enum action)a);
			json_t *o = jpush(arr);

			jstr(o, "name", arena_printf(w->ctx.a, "scope_%s_%s",
						     resource_name(
							     (enum resource)r),
						     a ? "write" : "read"));
			jstr(o, "label",
			     arena_printf(w->ctx.a, "%s: %s",
					  a ? tr(w, N_("Change"))
					    : tr(w, N_("See")),
					  tr(w, resource_label(
							(enum resource)r))));
			jbool(o, "checked", (chosen & bit) != 0);
		}
	}
}

static unsigned
scopes_from_form(struct web *w)
{
	unsigned s = 0;
	int r, a;

	for (r = 0; r < RES__MAX; r++)
		for (a = 0; a < ACT__MAX; a++) {
			char *name = arena_printf(
				w->ctx.a, "scope_%s_%s",
				resource_name((enum resource)r),
				a ? "write" : "read");

			if (name && http_field(w->req, name))
				s |= policy_scope_bit((enum resource)r,
						      (enum action)a);
		}
	return s;
}

/* The page's research part: the answer now, and every answer before. */
static enum err
research_section(struct web *w, json_t *ctx, int64_t pid)
{
	struct research_consent *r;
	json_t *arr;
	size_t n, i;
	enum err e;

	if ((e = research_consent_history(w->ctx.db, w->ctx.a, pid, &r,
					  &n)) != ERR_OK)
		return e;
	jbool(ctx, "research_given", n && r[0].given);
	jbool(ctx, "has_research_history", n > 0);
	arr = jarr(ctx, "research_history");
	for (i = 0; i < n; i++)
		jstr(jpush(arr), "text",
		     arena_printf(w->ctx.a, "%s %s · %s %s",
				  r[i].given ? tr(w, N_("Agreed on"))
					     : tr(w, N_("Stopped on")),
				  page_date(w, r[i].at_ms / 1000),
				  tr(w, N_("recorded by")),
				  r[i].recorded_by_name));
	return ERR_OK;
}

static enum err
grants_page(struct web *w, int status, int64_t pid,
	    const struct problems *ps, unsigned chosen)
{
	json_t *ctx, *arr;
	struct grant *g;
	struct patient p;
	size_t n, i;
	enum err e;

	if ((e = patient_get(w->ctx.db, w->ctx.a, pid, &p)) != ERR_OK)
		return e;
	if ((e = grant_list_for_patient(w->ctx.db, w->ctx.a, pid, &g, &n)) !=
	    ERR_OK)
		return e;
	ctx = page_new(w, w->account.patient_id == pid
				  ? N_("People who help me")
				  : N_("Caregivers"));
	jid(ctx, "patient_id", pid);
	jstr(ctx, "name", full_name(w, &p));
	jbool(ctx, "own", w->account.patient_id == pid);
	jbool(ctx, "can_edit",
	      patient_allowed(w, pid, RES_GRANTS, ACT_WRITE));
	arr = jarr(ctx, "grants");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr), *may = jarr(o, "may");
		int r, a;

		jid(o, "id", g[i].id);
		jstr(o, "caregiver", g[i].caregiver_name);
		jstr(o, "relationship", g[i].relationship);
		jstr(o, "granted_by", g[i].granted_by_name);
		jstr(o, "granted", page_date(w, g[i].granted_at));
		jbool(o, "active", grant_is_active(&g[i], w->ctx.now));
		if (g[i].revoked_at)
			jstr(o, "state", arena_printf(w->ctx.a, "%s %s",
						      tr(w, N_("Withdrawn on")),
						      page_date(w, g[i].revoked_at)));
		else if (g[i].expires_at && g[i].expires_at <= w->ctx.now)
			jstr(o, "state", arena_printf(w->ctx.a, "%s %s",
						      tr(w, N_("Ended on")),
						      page_date(w, g[i].expires_at)));
		else if (g[i].expires_at)
			jstr(o, "state", arena_printf(w->ctx.a, "%s %s",
						      tr(w, N_("Until")),
						      page_date(w, g[i].expires_at)));
		else
			jstr(o, "state", tr(w, N_("Until you withdraw it")));
		for (r = 0; r < RES__MAX; r++)
			for (a = 0; a < ACT__MAX; a++)
				if (g[i].scopes &
				    policy_scope_bit((enum resource)r,
						     (enum action)a))
					jstr(jpush(may), "text",
					     arena_printf(
						     w->ctx.a, "%s: %s",
						     a ? tr(w, N_("Change"))
						       : tr(w, N_("See")),
						     tr(w, resource_label(
								   (enum resource)r))));
	}
	add_scope_choices(w, ctx, chosen);
	if ((e = research_section(w, ctx, pid)) != ERR_OK)
		return e;
	{
		json_t *f = jobj(ctx, "form");

		jstr(f, "username", web_field(w, "username"));
		jstr(f, "relationship", web_field(w, "relationship"));
		jstr(f, "expires", web_field(w, "expires"));
	}
	if (ps)
		page_problems(w, ctx, ps);
	web_audit_read(w, "Consent", http_param(w->req, "id"), pid);
	return page_render(w, status, "grants", ctx);
}

/* GET /patients/:id/grants: 200; 403; 404. */
static enum err
get_grants(struct req *req)
{
	struct web *w = web_of(req);
	int64_t pid;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_GRANTS, ACT_READ);
	return grants_page(w, 200, pid, NULL,
			   policy_scope_bit(RES_PROFILE, ACT_READ) |
				   policy_scope_bit(RES_CARE_TEAM, ACT_READ));
}

static enum err
grant_fn(struct db *db, void *arg)
{
	return grant_insert(db, arg);
}

/* POST /patients/:id/grants: 303; 400 invalid (the form keeps what was
 * typed); 403; 404. */
static enum err
post_grant(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"create", "Consent", "", 0, "caregiver-grant",
				NULL, NULL};
	struct problems ps = {0};
	struct account cg;
	struct grant g;
	const char *until = web_field(w, "expires");
	const char *username = web_field(w, "username");
	char *lower;
	int64_t pid, ends;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_GRANTS, ACT_WRITE);
	memset(&g, 0, sizeof(g));
	g.id = id_new();
	g.org_id = w->account.org_id;
	g.patient_id = pid;
	g.relationship = (char *)web_field(w, "relationship");
	g.scopes = scopes_from_form(w);
	g.granted_by = w->account.id;
	g.granted_at = w->ctx.now;
	if (until[0]) {
		if (!clock_parse_date(until, &ends))
			problems_add(&ps, "expires",
				     N_("Enter the end date as "
					"year-month-day, for example "
					"2027-01-31, or leave it empty."));
		else
			g.expires_at = ends + 86400;
	}
	lower = str_lower(w->ctx.a, username, strlen(username));
	if (!lower || strlen(lower) > USERNAME_MAX ||
	    account_get_by_username(w->ctx.db, w->ctx.a, lower, &cg) !=
		    ERR_OK ||
	    cg.role != ROLE_CAREGIVER || cg.org_id != w->account.org_id ||
	    cg.disabled)
		problems_add(&ps, "username",
			     N_("There is no caregiver account with that "
				"user name. The person needs a caregiver "
				"account first: ask your care team."));
	else
		g.caregiver_id = cg.id;
	grant_validate(&g, policy_grantable_scopes(), w->ctx.now, &ps);
	wi.patient_id = pid;
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return grants_page(w, 400, pid, &ps, g.scopes);
	}
	wi.resource_id = arena_printf(w->ctx.a, "%lld", (long long)g.id);
	if ((e = write_commit(&w->ctx, &wi, grant_fn, &g)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld/grants",
					     (long long)pid),
			     "grant-added");
}

struct revoke_job {
	int64_t patient_id, grant_id, now;
};

static enum err
revoke_fn(struct db *db, void *arg)
{
	struct revoke_job *j = arg;

	return grant_revoke(db, j->patient_id, j->grant_id, j->now);
}

/* POST /patients/:id/grants/:gid/revoke: 303; 403; 404. */
static enum err
post_revoke(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"revoke", "Consent", "", 0, "caregiver-grant",
				NULL, NULL};
	struct revoke_job j;
	enum err e;

	if ((e = web_param_id(w, "id", &j.patient_id)) != ERR_OK ||
	    (e = web_param_id(w, "gid", &j.grant_id)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, j.patient_id, RES_GRANTS, ACT_WRITE);
	j.now = w->ctx.now;
	wi.resource_id = http_param(req, "gid");
	wi.patient_id = j.patient_id;
	if ((e = write_commit(&w->ctx, &wi, revoke_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld/grants",
					     (long long)j.patient_id),
			     "grant-revoked");
}

/* POST /patients/:id/research (given=1 or 0): the patient's answer
 * about research, kept beside the ones before; 303; 400; 403; 404. */
static enum err
post_research(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"create", "Consent", "", 0, "research-consent",
				NULL, NULL};
	struct research_consent r = {0};
	const char *given = web_field(w, "given");
	bool now_given;
	int64_t pid;
	enum err e;

	PATIENT_PAGE_OR_RESPOND(w, &pid, RES_GRANTS, ACT_WRITE);
	if (strcmp(given, "1") && strcmp(given, "0"))
		return ERR_INVALID;
	if ((e = research_consent_given(w->ctx.db, pid, &now_given)) !=
	    ERR_OK)
		return e;
	/* The same answer again: already stored, nothing to add. */
	if (now_given != (given[0] == '1')) {
		r.id = id_new();
		r.org_id = w->account.org_id;
		r.patient_id = pid;
		r.given = given[0] == '1';
		r.recorded_by = w->account.id;
		r.voice = role_voice(w->ctx.actor.role);
		r.at_ms = clock_now_ms();
		wi.resource_id = arena_printf(w->ctx.a, "%lld",
					      (long long)r.id);
		wi.patient_id = pid;
		if ((e = write_commit(&w->ctx, &wi, research_consent_write,
				      &r)) != ERR_OK)
			return e;
	}
	return page_redirect(w, arena_printf(w->ctx.a,
					     "/patients/%lld/grants#research-h",
					     (long long)pid),
			     "research-saved");
}

/* --- the care team ------------------------------------------------------- */

struct team_job {
	int64_t org_id, patient_id, account_id, member_id, now;
	const char *role;
};

static enum err
team_add_fn(struct db *db, void *arg)
{
	struct team_job *j = arg;

	return team_add(db, j->org_id, j->patient_id, j->account_id, j->role,
			j->now);
}

static enum err
team_remove_fn(struct db *db, void *arg)
{
	struct team_job *j = arg;

	return team_remove(db, j->patient_id, j->member_id);
}

/* POST /patients/:id/team: 303; 400 not a professional of this
 * organisation or no role; 409 already on the team; 403; 404. */
static enum err
post_team(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"create", "CareTeam", "", 0, NULL, NULL, NULL};
	const char *username = web_field(w, "username");
	struct team_job j = {0};
	struct account pro;
	char *lower;
	size_t rl;
	enum err e;

	if ((e = web_param_id(w, "id", &j.patient_id)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, j.patient_id, RES_CARE_TEAM, ACT_WRITE);
	j.role = web_field(w, "team_role");
	rl = strlen(j.role);
	lower = str_lower(w->ctx.a, username, strlen(username));
	if (!lower || strlen(lower) > USERNAME_MAX ||
	    account_get_by_username(w->ctx.db, w->ctx.a, lower, &pro) !=
		    ERR_OK ||
	    pro.role != ROLE_PROFESSIONAL || pro.org_id != w->account.org_id ||
	    pro.disabled || rl == 0 || utf8_length(j.role, rl) > TEAM_ROLE_MAX ||
	    str_has_control(j.role, rl))
		return ERR_INVALID;
	j.org_id = w->account.org_id;
	j.account_id = pro.id;
	j.now = w->ctx.now;
	wi.resource_id = http_param(req, "id");
	wi.patient_id = j.patient_id;
	wi.touchpoint_kind = "care-team-change";
	if ((e = write_commit(&w->ctx, &wi, team_add_fn, &j)) != ERR_OK)
		return e == ERR_EXISTS ? ERR_EXISTS : e;
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld",
					     (long long)j.patient_id),
			     "team-changed");
}

/* POST /patients/:id/team/:mid/remove: 303; 403; 404. */
static enum err
post_team_remove(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"delete", "CareTeam", "", 0, NULL,
				"care-team-change", NULL};
	struct team_job j = {0};
	enum err e;

	if ((e = web_param_id(w, "id", &j.patient_id)) != ERR_OK ||
	    (e = web_param_id(w, "mid", &j.member_id)) != ERR_OK)
		return e;
	PATIENT_ACCESS_OR_RESPOND(w, j.patient_id, RES_CARE_TEAM, ACT_WRITE);
	wi.resource_id = http_param(req, "mid");
	wi.patient_id = j.patient_id;
	if ((e = write_commit(&w->ctx, &wi, team_remove_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld",
					     (long long)j.patient_id),
			     "team-changed");
}

/* --- break the glass ------------------------------------------------------ */

struct glass_job {
	struct web *w;
	int64_t patient_id;
	const char *reason;
	int64_t id;
};

static enum err
glass_fn(struct db *db, void *arg)
{
	struct glass_job *j = arg;

	return break_glass_insert(db, j->w->account.org_id, j->patient_id,
				  j->w->account.id, j->reason, j->w->ctx.now,
				  &j->id);
}

/* POST /patients/:id/break-glass: 303 to the record; 400 no reason; 403
 * when the policy offers no emergency access; 404. */
static enum err
post_break_glass(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"break-glass", "Patient", "", 0, NULL, NULL, NULL};
	struct problems ps = {0};
	struct glass_job j = {w, 0, NULL, 0};
	struct decision d;
	json_t *ctx;
	enum err e;

	if ((e = web_param_id(w, "id", &j.patient_id)) != ERR_OK)
		return e;
	if ((e = policy_check(&w->ctx, j.patient_id, RES_PROFILE, ACT_READ,
			      &d)) != ERR_OK)
		return e;
	if (d.allow)
		return http_redirect(req, arena_printf(w->ctx.a,
						       "/patients/%lld",
						       (long long)j.patient_id));
	if (!d.break_glass_possible)
		return ERR_FORBIDDEN;
	j.reason = web_field(w, "reason");
	break_glass_validate(j.reason, &ps);
	if (ps.n) {
		ctx = page_new(w, N_("You are not on this patient's care "
				     "team"));
		jid(ctx, "patient_id", j.patient_id);
		jstr(ctx, "reason", j.reason);
		page_problems(w, ctx, &ps);
		return page_render(w, 400, "break_glass", ctx);
	}
	wi.resource_id = http_param(req, "id");
	wi.patient_id = j.patient_id;
	wi.detail = "break-glass";
	if ((e = write_commit(&w->ctx, &wi, glass_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/patients/%lld",
					     (long long)j.patient_id),
			     "glass-broken");
}

static const struct http_route patient_routes[] = {
	{HTTP_GET, "/patients", get_patients, 0, NULL},
	{HTTP_GET, "/patients/:id", get_patient, 0, NULL},
	{HTTP_GET, "/patients/:id/edit", get_patient_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/edit", post_patient_edit, 0, NULL},
	{HTTP_POST, "/patients/:id/identifiers", post_identifier, 0, NULL},
	{HTTP_GET, "/patients/:id/access", get_access, 0, NULL},
	{HTTP_GET, "/patients/:id/grants", get_grants, 0, NULL},
	{HTTP_POST, "/patients/:id/grants", post_grant, 0, NULL},
	{HTTP_POST, "/patients/:id/grants/:gid/revoke", post_revoke, 0, NULL},
	{HTTP_POST, "/patients/:id/research", post_research, 0, NULL},
	{HTTP_POST, "/patients/:id/team", post_team, 0, NULL},
	{HTTP_POST, "/patients/:id/team/:mid/remove", post_team_remove, 0,
	 NULL},
	{HTTP_POST, "/patients/:id/break-glass", post_break_glass, 0, NULL},
};

enum err
patient_web_routes(struct http_router *r)
{
	return http_router_add(r, patient_routes,
			       sizeof(patient_routes) /
				       sizeof(patient_routes[0]));
}

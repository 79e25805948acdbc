/*
 * Administration pages: the organisation (units, the two-step sign-in
 * rule), its accounts (search, create, change, disable, new password,
 * reset two-step sign-in) and the privacy officer's review of emergency
 * access. Administrators manage people, not care: no page here shows or
 * links to clinical data. Every handler asks policy_org_allows() first
 * and every change goes through write_commit().
 */
#include "people/people_web.h"

#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/policy.h"
#include "auth/write.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/str.h"
#include "people/careteam.h"
#include "people/org.h"
#include "people/patient.h"
#include "store/store.h"
#include "web/app.h"
#include "web/page.h"
#include "core/banned.h"

#define USERS_PAGE 200
#define QUERY_MAX 100
#define UNIT_NAME_MAX 200
#define DISCIPLINE_MAX 100
#define EMAIL_MAX 200
#define REVIEW_LIMIT 200

static bool
admin_allowed(struct web *w)
{
	return policy_org_allows(&w->ctx.actor, w->account.org_id,
				 ORG_ADMINISTER);
}

static const char *
id_text(struct web *w, int64_t id)
{
	return arena_printf(w->ctx.a, "%lld", (long long)id);
}

/* One line of text: `min`..`max` characters, no control characters and
 * no line breaks or tabs (which str_has_control lets through). */
static bool
line_ok(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), chars;

	if (str_has_control(s, n) || strpbrk(s, "\t\r\n"))
		return false;
	chars = utf8_length(s, n);
	return chars >= min && chars <= max;
}

/* A display name on one line (account_display_name_valid allows tabs). */
static bool
display_name_ok(const char *s)
{
	return account_display_name_valid(s) &&
	       line_ok(s, 1, DISPLAY_NAME_MAX);
}

/* Something@something, one line, no spaces: enough to catch typing
 * mistakes; the address is proven only by mail reaching it. */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	return line_ok(s, 3, EMAIL_MAX) && at && at != s && at[1] &&
	       !strchr(s, ' ');
}

/* The role choices of a form or filter; never "system". `skip` is left
 * out (ROLE__MAX for none). */
static void
add_roles(struct web *w, json_t *ctx, const char *chosen, enum role skip)
{
	json_t *arr = jarr(ctx, "roles");
	int r;

	for (r = 0; r < ROLE__MAX; r++) {
		json_t *o;

		if (r == ROLE_SYSTEM || r == (int)skip)
			continue;
		o = jpush(arr);
		jstr(o, "code", role_name((enum role)r));
		jstr(o, "name", tr(w, role_label((enum role)r)));
		jbool(o, "selected",
		      chosen && !strcmp(chosen, role_name((enum role)r)));
	}
}

/* The units of the admin's organisation, for a select. */
static enum err
add_units(struct web *w, json_t *ctx, int64_t chosen)
{
	json_t *arr = jarr(ctx, "units");
	struct unit *u;
	size_t n, i;
	enum err e;

	e = unit_list(w->ctx.db, w->ctx.a, w->account.org_id, &u, &n);
	if (e != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", u[i].id);
		jstr(o, "name", u[i].name);
		jbool(o, "selected", u[i].id == chosen);
	}
	return ERR_OK;
}

/*
 * The unit chosen in field "unit": 0 for none. Adds a problem unless it
 * is a unit of the admin's organisation.
 */
static int64_t
unit_from_form(struct web *w, struct problems *ps)
{
	const char *v = web_field(w, "unit");
	struct unit u;
	int64_t id;

	if (!v[0])
		return 0;
	if (!str_to_i64(str_c(v), 1, INT64_MAX, &id) ||
	    unit_get(w->ctx.db, w->ctx.a, id, &u) != ERR_OK ||
	    u.org_id != w->account.org_id) {
		problems_add(ps, "unit", N_("Choose a unit from the list."));
		return 0;
	}
	return id;
}

/* --- the organisation -------------------------------------------------- */

static enum err
org_page(struct web *w, int status, const struct problems *ps)
{
	struct organisation org;
	struct unit *u;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if ((e = org_get(w->ctx.db, w->ctx.a, w->account.org_id, &org)) !=
	    ERR_OK)
		return e;
	if ((e = unit_list(w->ctx.db, w->ctx.a, org.id, &u, &n)) != ERR_OK)
		return e;
	ctx = page_new(w, N_("Organisation"));
	jstr(ctx, "org_name", org.name);
	jstr(ctx, "emergency_number", org.emergency_number);
	jbool(ctx, "require_2fa", org.require_staff_2fa);
	arr = jarr(ctx, "unit_list");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jstr(o, "name", u[i].name);
		jstr(o, "since", page_date(w, u[i].created_at));
	}
	if (ps) {
		json_t *f = jobj(ctx, "form");

		jstr(f, "unit_name", web_field(w, "unit_name"));
		jstr(f, "org_name", web_field(w, "org_name"));
		jstr(f, "emergency_number", web_field(w, "emergency_number"));
		page_problems(w, ctx, ps);
	}
	return page_render(w, status, "admin", ctx);
}

/* GET /admin: 200; 403. */
static enum err
get_admin(struct req *req)
{
	struct web *w = web_of(req);

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	return org_page(w, 200, NULL);
}

static enum err
unit_fn(struct db *db, void *arg)
{
	return unit_insert(db, arg);
}

/* POST /admin/units: 303; 400 no name or too long; 409 a unit of that
 * name exists; 403. */
static enum err
post_unit(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"create", "Location", "", 0, "unit", NULL, NULL};
	struct problems ps = {0};
	struct unit u;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	memset(&u, 0, sizeof(u));
	u.id = id_new();
	u.org_id = w->account.org_id;
	u.name = (char *)web_field(w, "unit_name");
	u.created_at = w->ctx.now;
	if (!line_ok(u.name, 1, UNIT_NAME_MAX)) {
		problems_add(&ps, "unit_name",
			     N_("Enter the unit's name, up to 200 "
				"characters on one line."));
		write_refused(&w->ctx, &wi);
		return org_page(w, 400, &ps);
	}
	wi.resource_id = id_text(w, u.id);
	e = write_commit(&w->ctx, &wi, unit_fn, &u);
	if (e == ERR_EXISTS) {
		problems_add(&ps, "unit_name",
			     N_("There is already a unit with that name."));
		return org_page(w, 409, &ps);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, "/admin", "unit-added");
}

struct org_job {
	int64_t org_id;
	bool require_2fa;
	const char *name;
};

static enum err
rename_fn(struct db *db, void *arg)
{
	struct org_job *j = arg;

	return org_set_name(db, j->org_id, j->name);
}

/* POST /admin/organisation: 303; 400 bad name; 409 the name is taken by
 * another organisation of this installation; 403. */
static enum err
post_org_name(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Organization", "", 0, "name", NULL, NULL};
	struct problems ps = {0};
	struct org_job j = {0};
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	j.org_id = w->account.org_id;
	j.name = web_field(w, "org_name");
	wi.resource_id = id_text(w, j.org_id);
	if (!line_ok(j.name, 1, ORG_NAME_MAX)) {
		problems_add(&ps, "org_name",
			     N_("Enter the organisation's name, up to 200 "
				"characters on one line."));
		write_refused(&w->ctx, &wi);
		return org_page(w, 400, &ps);
	}
	e = write_commit(&w->ctx, &wi, rename_fn, &j);
	if (e == ERR_EXISTS) {
		problems_add(&ps, "org_name",
			     N_("Another organisation already has that "
				"name."));
		return org_page(w, 409, &ps);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, "/admin", "saved");
}

static enum err
emergency_fn(struct db *db, void *arg)
{
	struct org_job *j = arg;

	return org_set_emergency_number(db, j->org_id, j->name);
}

/* POST /admin/emergency-number: 303; 400 not a phone number; 403. */
static enum err
post_emergency_number(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {
		.action = "update",
		.resource_type = "Organization",
		.detail = "emergency-number",
	};
	struct problems ps = {0};
	struct org_job j = {0};
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	j.org_id = w->account.org_id;
	j.name = web_field(w, "emergency_number");
	wi.resource_id = id_text(w, j.org_id);
	if (!org_emergency_number_valid(j.name)) {
		problems_add(&ps, "emergency_number",
			     N_("Enter the number to call, for example 999, "
				"112 or 911."));
		write_refused(&w->ctx, &wi);
		return org_page(w, 400, &ps);
	}
	if ((e = write_commit(&w->ctx, &wi, emergency_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, "/admin", "saved");
}

static enum err
security_fn(struct db *db, void *arg)
{
	struct org_job *j = arg;

	return org_set_require_2fa(db, j->org_id, j->require_2fa);
}

/* POST /admin/security: 303; 403. An absent checkbox means "off". */
static enum err
post_security(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Organization", "", 0, NULL, NULL, NULL};
	struct org_job j;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	j.org_id = w->account.org_id;
	j.require_2fa = http_field(req, "require_2fa") != NULL;
	wi.resource_id = id_text(w, j.org_id);
	wi.detail = j.require_2fa ? "require-2fa-on" : "require-2fa-off";
	if ((e = write_commit(&w->ctx, &wi, security_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, "/admin", "saved");
}

/* --- the accounts -------------------------------------------------------- */

/* GET /admin/users?q=&role=: 200; 400 a search over 100 characters or
 * an unknown role; 403. */
static enum err
get_users(struct req *req)
{
	struct web *w = web_of(req);
	const char *q = web_field(w, "q");
	const char *rname = web_field(w, "role");
	enum role role = ROLE__MAX;
	struct audit_event ev;
	struct account *acc;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if (utf8_length(q, strlen(q)) > QUERY_MAX ||
	    (rname[0] && !role_parse(rname, &role)))
		return ERR_INVALID;
	e = account_list(w->ctx.db, w->ctx.a, w->account.org_id, role, q,
			 USERS_PAGE + 1, &acc, &n);
	if (e != ERR_OK)
		return e;
	ctx = page_new(w, N_("Accounts"));
	jstr(ctx, "q", q);
	jstr(ctx, "role", rname);
	add_roles(w, ctx, rname, ROLE__MAX);
	arr = jarr(ctx, "users");
	for (i = 0; i < n && i < USERS_PAGE; i++) {
		json_t *o = jpush(arr);

		jid(o, "id", acc[i].id);
		jstr(o, "name", acc[i].display_name);
		jstr(o, "username", acc[i].username);
		jstr(o, "role_label", tr(w, role_label(acc[i].role)));
		jstr(o, "discipline", acc[i].discipline);
		jbool(o, "disabled", acc[i].disabled);
	}
	jbool(ctx, "none", n == 0);
	jbool(ctx, "more", n > USERS_PAGE);
	jbool(ctx, "filtered", q[0] || rname[0]);
	/* Patients' accounts carry their names: audited like a search. */
	ev = audit_event_for(&w->ctx, "search", "Account", "", 0, "success");
	audit_record_async(&w->ctx, &ev);
	return page_render(w, 200, "admin_users", ctx);
}

/* The new-account form with what was typed (never the passwords). */
static enum err
new_user_page(struct web *w, int status, const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Create an account"));
	json_t *f = jobj(ctx, "form"), *arr;
	const char *lang = web_field(w, "preferred_language");
	const char *gender = web_field(w, "gender");
	const char *unit = web_field(w, "unit");
	int64_t unit_id = 0;
	size_t i;
	enum err e;

	jstr(f, "username", web_field(w, "username"));
	jstr(f, "display_name", web_field(w, "display_name"));
	jstr(f, "discipline", web_field(w, "discipline"));
	jstr(f, "email", web_field(w, "email"));
	jstr(f, "given_name", web_field(w, "given_name"));
	jstr(f, "family_name", web_field(w, "family_name"));
	jstr(f, "birth_date", web_field(w, "birth_date"));
	add_roles(w, ctx, web_field(w, "role"), ROLE__MAX);
	if (unit[0] && !str_to_i64(str_c(unit), 1, INT64_MAX, &unit_id))
		unit_id = 0;
	if ((e = add_units(w, ctx, unit_id)) != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	arr = jarr(ctx, "genders");
	for (i = 0; patient_genders[i]; i++) {
		json_t *o = jpush(arr);

		jstr(o, "code", patient_genders[i]);
		jstr(o, "name", tr(w, patient_choice_label(
					      patient_gender_choices,
					      patient_genders[i])));
		jbool(o, "selected", !strcmp(gender, patient_genders[i]));
	}
	if (!lang[0])
		lang = "en";
	arr = jarr(ctx, "languages");
	for (i = 0; patient_language_choices[i].code; i++) {
		const struct patient_choice *l = &patient_language_choices[i];
		json_t *o = jpush(arr);

		jstr(o, "code", l->code);
		jstr(o, "name", tr(w, l->label));
		jbool(o, "selected", !strcmp(lang, l->code));
	}
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "admin_user_new", ctx);
}

/* GET /admin/users/new: 200; 403. */
static enum err
get_user_new(struct req *req)
{
	struct web *w = web_of(req);

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	return new_user_page(w, 200, NULL);
}

struct new_user_job {
	struct account acc;
	struct patient pat;
	bool with_patient;
};

/* The patient record and its account: both or neither. */
static enum err
new_user_fn(struct db *db, void *arg)
{
	struct new_user_job *j = arg;
	enum err e;

	if (j->with_patient &&
	    (e = patient_insert(db, &j->pat)) != ERR_OK)
		return e;
	return account_insert(db, &j->acc);
}

/* Checks the two typed passwords for `username`; adds problems. */
static void
check_new_password(const char *pw, const char *again, const char *username,
		   struct problems *ps)
{
	enum password_problem pp;

	if (!pw || !again || strcmp(pw, again) != 0)
		problems_add(ps, "password_again",
			     N_("The two passwords are not the same."));
	else if ((pp = password_check(pw, username)) != PASSWORD_OK)
		problems_add(ps, "password", password_problem_str(pp));
}

/* Fills the patient part of a new patient account from the form. */
static void
patient_from_form(struct web *w, struct new_user_job *j, struct problems *ps)
{
	struct patient *p = &j->pat;

	p->id = id_new();
	p->org_id = w->account.org_id;
	p->unit_id = j->acc.unit_id;
	p->given_name = (char *)web_field(w, "given_name");
	p->family_name = (char *)web_field(w, "family_name");
	p->birth_date = (char *)web_field(w, "birth_date");
	p->gender = (char *)web_field(w, "gender");
	p->preferred_language = (char *)web_field(w, "preferred_language");
	p->communication_needs = "";
	p->accessibility_needs = "";
	p->version = 1;
	p->created_at = w->ctx.now;
	p->updated_at = w->ctx.now;
	patient_validate(p, w->ctx.now, ps);
	j->acc.patient_id = p->id;
}

/* POST /admin/users/new: 303 to the new account; 400 invalid (the form
 * comes back with every problem beside its field, keeping all but the
 * passwords); 409 the user name is taken; 403. */
static enum err
post_user_new(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"create", "Account", "", 0, NULL, NULL, NULL};
	const char *username = web_field(w, "username");
	const char *pw = http_field(req, "password");
	const char *again = http_field(req, "password_again");
	const char *given = web_field(w, "given_name");
	const char *family = web_field(w, "family_name");
	char hash[PASSWORD_HASH_MAX];
	struct new_user_job j;
	struct problems ps = {0};
	struct account other;
	const char *why = NULL;
	bool taken = false, role_ok;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	memset(&j, 0, sizeof(j));
	j.acc.id = id_new();
	j.acc.org_id = w->account.org_id;
	j.acc.username = str_lower(w->ctx.a, username, strlen(username));
	if (!j.acc.username)
		return ERR_NOMEM;
	if (!account_username_valid(j.acc.username, &why)) {
		problems_add(&ps, "username", why);
	} else if (account_get_by_username(w->ctx.db, w->ctx.a,
					   j.acc.username, &other) == ERR_OK) {
		problems_add(&ps, "username", N_("That user name is taken."));
		taken = true;
	}
	role_ok = role_parse(web_field(w, "role"), &j.acc.role);
	j.with_patient = role_ok && j.acc.role == ROLE_PATIENT;
	/* A patient's account is named after them unless told otherwise. */
	j.acc.display_name = (char *)web_field(w, "display_name");
	if (j.with_patient && !j.acc.display_name[0] && given[0] &&
	    family[0])
		j.acc.display_name = arena_printf(w->ctx.a, "%s %s", given,
						  family);
	/* Left empty for a patient whose names are missing, the problem is
	 * shown beside those names only. */
	if (!display_name_ok(j.acc.display_name) &&
	    !(j.with_patient && !j.acc.display_name[0]))
		problems_add(&ps, "display_name",
			     N_("Enter the person's full name, up to 200 "
				"characters."));
	if (!role_ok)
		problems_add(&ps, "role", N_("Choose a role from the list."));
	j.acc.discipline = (char *)web_field(w, "discipline");
	if (!line_ok(j.acc.discipline, 0, DISCIPLINE_MAX))
		problems_add(&ps, "discipline",
			     N_("Use at most 100 characters on one line."));
	if (j.acc.role != ROLE_PROFESSIONAL)
		j.acc.discipline = "";
	j.acc.unit_id = unit_from_form(w, &ps);
	j.acc.email = (char *)web_field(w, "email");
	if (j.acc.email[0] && !email_ok(j.acc.email))
		problems_add(&ps, "email",
			     N_("Enter an email address like "
				"name@example.org, or leave it empty."));
	j.acc.language = "";
	j.acc.totp_secret = "";
	j.acc.created_at = w->ctx.now;
	check_new_password(pw, again, j.acc.username, &ps);
	if (j.with_patient)
		patient_from_form(w, &j, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return new_user_page(w, taken && ps.n == 1 ? 409 : 400, &ps);
	}
	if ((e = password_hash(pw, hash)) != ERR_OK)
		return e;
	j.acc.password_hash = hash;
	wi.resource_id = id_text(w, j.acc.id);
	wi.detail = role_name(j.acc.role);
	if (j.with_patient)
		wi.patient_id = j.pat.id;
	e = write_commit(&w->ctx, &wi, new_user_fn, &j);
	if (e == ERR_EXISTS) {
		/* Someone took the name between our check and our write. */
		problems_add(&ps, "username", N_("That user name is taken."));
		return new_user_page(w, 409, &ps);
	}
	if (e != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/admin/users/%lld",
					     (long long)j.acc.id),
			     "user-created");
}

/* --- one account --------------------------------------------------------- */

/*
 * The account of route parameter "id" when it belongs to the admin's
 * organisation; ERR_NOT_FOUND otherwise, so other organisations'
 * accounts cannot even be told apart from missing ones.
 */
static enum err
target_account(struct web *w, struct account *out)
{
	int64_t id;
	enum err e;

	if ((e = web_param_id(w, "id", &id)) != ERR_OK)
		return e;
	if ((e = account_get(w->ctx.db, w->ctx.a, id, out)) != ERR_OK)
		return e;
	if (out->org_id != w->account.org_id)
		return ERR_NOT_FOUND;
	return ERR_OK;
}

static const char *
unit_name(struct web *w, int64_t id)
{
	struct unit u;

	if (id && unit_get(w->ctx.db, w->ctx.a, id, &u) == ERR_OK)
		return u.name;
	return "";
}

/* A patient account shows whose it is (name and birth date only). */
static enum err
add_patient_facts(struct web *w, json_t *ctx, const struct account *acc)
{
	struct patient p;
	enum err e;

	if (!acc->patient_id)
		return ERR_OK;
	e = patient_get(w->ctx.db, w->ctx.a, acc->patient_id, &p);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	jstr(ctx, "patient_name", arena_printf(w->ctx.a, "%s %s",
					       p.given_name, p.family_name));
	jstr(ctx, "patient_birth_date", p.birth_date);
	web_audit_read(w, "Patient", id_text(w, p.id), p.id);
	return ERR_OK;
}

/*
 * The account page. `typed` fills the edit form after a refused change;
 * NULL shows what is stored.
 */
static enum err
user_page(struct web *w, int status, const struct account *acc,
	  const struct account *typed, const struct problems *ps)
{
	json_t *ctx = page_new(w, N_("Account"));
	json_t *f = jobj(ctx, "form");
	const struct account *shown = typed ? typed : acc;
	int64_t devices = 0;
	enum err e;

	jid(ctx, "id", acc->id);
	jstr(ctx, "name", acc->display_name);
	jstr(ctx, "username", acc->username);
	jstr(ctx, "role_label", tr(w, role_label(acc->role)));
	jstr(ctx, "discipline", acc->discipline);
	jstr(ctx, "unit", unit_name(w, acc->unit_id));
	jstr(ctx, "email", acc->email);
	jstr(ctx, "created", page_date(w, acc->created_at));
	jbool(ctx, "disabled", acc->disabled);
	jbool(ctx, "totp_enabled", acc->totp_enabled);
	jbool(ctx, "is_self", acc->id == w->account.id);
	jbool(ctx, "is_patient", acc->role == ROLE_PATIENT);
	jstr(f, "display_name", shown->display_name);
	jstr(f, "discipline", shown->discipline);
	jstr(f, "email", shown->email);
	if (acc->role != ROLE_PATIENT)
		add_roles(w, ctx, role_name(shown->role), ROLE_PATIENT);
	e = session_count_for_account(w->ctx.db, acc->id, w->ctx.now,
				      w->app->cfg->session_idle, &devices);
	if (e == ERR_OK)
		e = add_units(w, ctx, shown->unit_id);
	if (e == ERR_OK)
		e = add_patient_facts(w, ctx, acc);
	if (e != ERR_OK) {
		json_decref(ctx);
		return e;
	}
	jstr(ctx, "devices_text",
	     arena_printf(w->ctx.a,
			  trn(w, "Signed in on %lld device now.",
			      "Signed in on %lld devices now.",
			      (unsigned long)devices),
			  (long long)devices));
	if (ps)
		page_problems(w, ctx, ps);
	return page_render(w, status, "admin_user", ctx);
}

/* GET /admin/users/:id: 200; 403; 404 (also another organisation's). */
static enum err
get_user(struct req *req)
{
	struct web *w = web_of(req);
	struct account acc;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = target_account(w, &acc)) != ERR_OK)
		return e;
	return user_page(w, 200, &acc, NULL, NULL);
}

struct details_job {
	const struct account *acc;
	int64_t now;
};

static enum err
details_fn(struct db *db, void *arg)
{
	const struct details_job *j = arg;
	const struct account *a = j->acc;

	return account_set_details(db, a->id, a->display_name, a->role,
				   a->discipline, a->unit_id, a->email,
				   j->now);
}

/* Role changes an account can take: a patient account belongs to its
 * record, and an administrator cannot lock themself out. */
static void
check_role_change(struct web *w, const struct account *acc, enum role to,
		  struct problems *ps)
{
	if (acc->role == ROLE_PATIENT && to != ROLE_PATIENT)
		problems_add(ps, "role",
			     N_("The role of a patient's account cannot be "
				"changed."));
	else if (acc->role != ROLE_PATIENT && to == ROLE_PATIENT)
		problems_add(ps, "role",
			     N_("To give a patient an account, create a new "
				"account with their details."));
	else if (acc->id == w->account.id && to != ROLE_ADMINISTRATOR)
		problems_add(ps, "role",
			     N_("You cannot take away your own administrator "
				"role. Ask another administrator."));
}

/* POST /admin/users/:id: 303; 400 invalid (the form keeps what was
 * typed); 403; 404. */
static enum err
post_user(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Account", "", 0, "details", NULL, NULL};
	struct problems ps = {0};
	struct account acc, typed;
	struct details_job j;
	const char *rname;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = target_account(w, &acc)) != ERR_OK)
		return e;
	typed = acc;
	typed.display_name = (char *)web_field(w, "display_name");
	if (!display_name_ok(typed.display_name))
		problems_add(&ps, "display_name",
			     N_("Enter the person's full name, up to 200 "
				"characters."));
	rname = acc.role == ROLE_PATIENT ? "patient" : web_field(w, "role");
	if (!role_parse(rname, &typed.role))
		problems_add(&ps, "role", N_("Choose a role from the list."));
	else
		check_role_change(w, &acc, typed.role, &ps);
	typed.discipline = (char *)web_field(w, "discipline");
	if (!line_ok(typed.discipline, 0, DISCIPLINE_MAX))
		problems_add(&ps, "discipline",
			     N_("Use at most 100 characters on one line."));
	typed.unit_id = unit_from_form(w, &ps);
	typed.email = (char *)web_field(w, "email");
	if (typed.email[0] && !email_ok(typed.email))
		problems_add(&ps, "email",
			     N_("Enter an email address like "
				"name@example.org, or leave it empty."));
	wi.resource_id = id_text(w, acc.id);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return user_page(w, 400, &acc, &typed, &ps);
	}
	if (typed.role != ROLE_PROFESSIONAL)
		typed.discipline = "";
	j.acc = &typed;
	j.now = w->ctx.now;
	if ((e = write_commit(&w->ctx, &wi, details_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/admin/users/%lld",
					     (long long)acc.id),
			     "saved");
}

struct account_job {
	int64_t id;
	int64_t now;
	bool flag;
	const char *hash;
};

/* Disabling also ends every session, so the person is out at once. */
static enum err
disabled_fn(struct db *db, void *arg)
{
	struct account_job *j = arg;
	enum err e = account_set_disabled(db, j->id, j->flag, j->now);

	if (e == ERR_OK && j->flag)
		e = session_delete_for_account(db, j->id);
	return e;
}

static enum err
set_disabled(struct req *req, bool disable)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Account", "", 0, NULL, NULL, NULL};
	struct problems ps = {0};
	struct account_job j = {0};
	struct account acc;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = target_account(w, &acc)) != ERR_OK)
		return e;
	wi.resource_id = id_text(w, acc.id);
	wi.detail = disable ? "disable" : "enable";
	if (disable && acc.id == w->account.id) {
		problems_add(&ps, "status",
			     N_("You cannot turn off your own account. Ask "
				"another administrator."));
		write_refused(&w->ctx, &wi);
		return user_page(w, 400, &acc, NULL, &ps);
	}
	j.id = acc.id;
	j.now = w->ctx.now;
	j.flag = disable;
	if ((e = write_commit(&w->ctx, &wi, disabled_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/admin/users/%lld",
					     (long long)acc.id),
			     disable ? "user-disabled" : "user-enabled");
}

/* POST /admin/users/:id/disable: 303; 400 one's own account; 403; 404. */
static enum err
post_user_disable(struct req *req)
{
	return set_disabled(req, true);
}

/* POST /admin/users/:id/enable: 303; 403; 404. */
static enum err
post_user_enable(struct req *req)
{
	return set_disabled(req, false);
}

/* A new password signs the person out everywhere. */
static enum err
new_password_fn(struct db *db, void *arg)
{
	struct account_job *j = arg;
	enum err e = account_set_password(db, j->id, j->hash, j->now);

	if (e == ERR_OK)
		e = session_delete_for_account(db, j->id);
	return e;
}

/* POST /admin/users/:id/password: 303; 400 passwords differ or fail the
 * policy, or it is one's own account (changed on "My account", which
 * asks for the current password); 403; 404. */
static enum err
post_user_password(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Account", "", 0, "password-set",
				NULL, NULL};
	const char *pw = http_field(req, "password");
	const char *again = http_field(req, "password_again");
	char hash[PASSWORD_HASH_MAX];
	struct problems ps = {0};
	struct account_job j = {0};
	struct account acc;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = target_account(w, &acc)) != ERR_OK)
		return e;
	wi.resource_id = id_text(w, acc.id);
	if (acc.id == w->account.id)
		problems_add(&ps, "password",
			     N_("Change your own password on the My account "
				"page."));
	else
		check_new_password(pw, again, acc.username, &ps);
	if (ps.n) {
		write_refused(&w->ctx, &wi);
		return user_page(w, 400, &acc, NULL, &ps);
	}
	if ((e = password_hash(pw, hash)) != ERR_OK)
		return e;
	j.id = acc.id;
	j.now = w->ctx.now;
	j.hash = hash;
	if ((e = write_commit(&w->ctx, &wi, new_password_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/admin/users/%lld",
					     (long long)acc.id),
			     "password-set");
}

static enum err
totp_reset_fn(struct db *db, void *arg)
{
	struct account_job *j = arg;

	return account_set_totp(db, j->id, "", false, j->now);
}

/* POST /admin/users/:id/second-factor/reset: 303; 403; 404. The person
 * sets it up again at the next sign-in (when the organisation requires
 * it) or from "My account". */
static enum err
post_user_totp_reset(struct req *req)
{
	struct web *w = web_of(req);
	struct write_info wi = {"update", "Account", "", 0,
				"second-factor-reset", NULL, NULL};
	struct account_job j = {0};
	struct account acc;
	enum err e;

	if (!admin_allowed(w))
		return ERR_FORBIDDEN;
	if ((e = target_account(w, &acc)) != ERR_OK)
		return e;
	wi.resource_id = id_text(w, acc.id);
	j.id = acc.id;
	j.now = w->ctx.now;
	if ((e = write_commit(&w->ctx, &wi, totp_reset_fn, &j)) != ERR_OK)
		return e;
	return page_redirect(w, arena_printf(w->ctx.a, "/admin/users/%lld",
					     (long long)acc.id),
			     "second-factor-reset");
}

/* --- the privacy officer's review ------------------------------------ */

/* GET /privacy: 200; 403. */
static enum err
get_privacy(struct req *req)
{
	struct web *w = web_of(req);
	struct break_glass *bg;
	struct audit_event ev;
	json_t *ctx, *arr;
	size_t n, i;
	enum err e;

	if (!policy_org_allows(&w->ctx.actor, w->account.org_id,
			       ORG_REVIEW_ACCESS))
		return ERR_FORBIDDEN;
	e = break_glass_list_for_org(w->ctx.db, w->ctx.a, w->account.org_id,
				     REVIEW_LIMIT, &bg, &n);
	if (e != ERR_OK)
		return e;
	ctx = page_new(w, N_("Emergency access review"));
	arr = jarr(ctx, "openings");
	for (i = 0; i < n; i++) {
		json_t *o = jpush(arr);

		jid(o, "patient_id", bg[i].patient_id);
		jstr(o, "patient", bg[i].patient_name);
		jstr(o, "who", bg[i].account_name);
		jstr(o, "when", page_datetime(w, bg[i].opened_at));
		jstr(o, "reason", bg[i].reason);
		jbool(o, "open", bg[i].expires_at > w->ctx.now);
	}
	jbool(ctx, "at_limit", n >= REVIEW_LIMIT);
	/* The list names patients: its reading is audited like a search. */
	ev = audit_event_for(&w->ctx, "search", "AuditEvent", "", 0,
			     "success");
	ev.detail = "break-glass-review";
	audit_record_async(&w->ctx, &ev);
	return page_render(w, 200, "privacy", ctx);
}

static const struct http_route admin_routes[] = {
	{HTTP_GET, "/admin", get_admin, 0, NULL},
	{HTTP_POST, "/admin/units", post_unit, 0, NULL},
	{HTTP_POST, "/admin/security", post_security, 0, NULL},
	{HTTP_POST, "/admin/organisation", post_org_name, 0, NULL},
	{HTTP_POST, "/admin/emergency-number", post_emergency_number, 0,
	 NULL},
	{HTTP_GET, "/admin/users", get_users, 0, NULL},
	{HTTP_GET, "/admin/users/new", get_user_new, 0, NULL},
	{HTTP_POST, "/admin/users/new", post_user_new, 0, NULL},
	{HTTP_GET, "/admin/users/:id", get_user, 0, NULL},
	{HTTP_POST, "/admin/users/:id", post_user, 0, NULL},
	{HTTP_POST, "/admin/users/:id/disable", post_user_disable, 0, NULL},
	{HTTP_POST, "/admin/users/:id/enable", post_user_enable, 0, NULL},
	{HTTP_POST, "/admin/users/:id/password", post_user_password, 0, NULL},
	{HTTP_POST, "/admin/users/:id/second-factor/reset",
	 post_user_totp_reset, 0, NULL},
	{HTTP_GET, "/privacy", get_privacy, 0, NULL},
};

enum err
admin_web_routes(struct http_router *r)
{
	return http_router_add(r, admin_routes,
			       sizeof(admin_routes) / sizeof(admin_routes[0]));
}

/*
 * The demo's care records (see demo_care.h): finds the demo patients and
 * the people around them in the stored demo organisation, then lets each
 * part of the care module write its records.
 */
#include "demo/demo_care.h"

#include <string.h>

#include "core/arena.h"
#include "auth/policy.h"
#include "core/clock.h"
#include "store/store.h"
#include "core/banned.h"

#define DEMO_CARE_PATIENTS 40

/* The "patient" login first, then patients of the "doctor" and "nurse"
 * logins, then others; by name within each group. */
static const char sql_patients[] =
	"SELECT p.id, p.given_name, p.family_name, p.birth_date, "
	"COALESCE((SELECT a.id FROM account a WHERE a.patient_id = p.id "
	"AND a.role = 'patient'), 0) FROM patient p WHERE p.org_id = $1 "
	"ORDER BY CASE WHEN EXISTS (SELECT 1 FROM account a "
	"WHERE a.patient_id = p.id AND a.username = 'patient') THEN 0 "
	"WHEN EXISTS (SELECT 1 FROM care_team_member t JOIN account a "
	"ON a.id = t.account_id WHERE t.patient_id = p.id "
	"AND a.username IN ('doctor', 'nurse')) THEN 1 ELSE 2 END, "
	"p.family_name, p.given_name, p.id LIMIT $2";
static const char sql_team[] =
	"SELECT t.account_id, a.display_name FROM care_team_member t "
	"JOIN account a ON a.id = t.account_id WHERE t.patient_id = $1 "
	"ORDER BY CASE a.username WHEN 'doctor' THEN 0 WHEN 'nurse' THEN 1 "
	"ELSE 2 END, t.since, t.id";
static const char sql_caregiver[] =
	"SELECT g.caregiver_id, a.display_name, g.scopes "
	"FROM caregiver_grant g "
	"JOIN account a ON a.id = g.caregiver_id WHERE g.patient_id = $1 "
	"AND g.revoked_at = 0 AND (g.expires_at = 0 OR g.expires_at > $2) "
	"ORDER BY CASE a.username WHEN 'caregiver' THEN 0 ELSE 1 END, "
	"g.granted_at, g.id";

struct demo_patient_row {
	struct demo_care_patient p;
	const char *birth_date;
};

static void
read_patient(struct stmt *st, struct arena *a, void *out)
{
	struct demo_patient_row *r = out;

	memset(r, 0, sizeof(*r));
	r->p.id = stmt_int(st, 0);
	r->p.given_name = stmt_text_dup(st, 1, a);
	r->p.name = arena_printf(a, "%s %s", stmt_text(st, 1),
				 stmt_text(st, 2));
	r->birth_date = stmt_text_dup(st, 3, a);
	r->p.account_id = stmt_int(st, 4);
}

static enum err
load_people(struct demo_care *d, struct demo_care_patient *p)
{
	struct stmt *st = db_prepare(d->db, sql_team);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, p->id);
	while (stmt_row(st) && p->nteam < DEMO_CARE_TEAM_MAX) {
		p->team[p->nteam] = stmt_int(st, 0);
		p->team_names[p->nteam] = stmt_text_dup(st, 1, d->a);
		p->nteam++;
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(d->db, sql_caregiver)))
		return ERR_DB;
	stmt_bind_int(st, 1, p->id);
	stmt_bind_int(st, 2, d->now);
	if (stmt_row(st)) {
		p->caregiver_id = stmt_int(st, 0);
		p->caregiver_name = stmt_text_dup(st, 1, d->a);
		p->caregiver_writes =
			(stmt_int(st, 2) &
			 policy_scope_bit(RES_CARE_RECORD, ACT_WRITE)) != 0;
	}
	return stmt_done(st);
}

struct ctx *
demo_care_as(struct demo_care *d, int64_t account_id, enum role role,
	     const struct demo_care_patient *p, int days_ago, int minutes)
{
	struct ctx *c = &d->ctx;

	memset(c, 0, sizeof(*c));
	c->db = d->db;
	c->a = d->a;
	c->audit_key = d->key;
	c->now = d->now - (int64_t)days_ago * DEMO_CARE_DAY +
		 (int64_t)minutes * 60;
	c->actor.account_id = account_id;
	c->actor.org_id = d->org_id;
	c->actor.role = role;
	c->actor.patient_id = role == ROLE_PATIENT && p ? p->id : 0;
	c->actor.name = "";
	c->channel = "web";
	return c;
}

enum err
demo_care_load(struct db *db, const struct audit_key *key, struct arena *a,
	       int64_t org_id, int64_t now)
{
	enum err (*const parts[])(struct demo_care *) = {
		demo_care_crisis, demo_care_plan,      demo_care_notes,
		demo_care_dialog, demo_care_decisions, demo_care_measures,
		demo_contact_appointments,
		demo_contact_outbox,
		demo_contact_messages,
		demo_contact_consult,
	};
	struct demo_patient_row *rows;
	struct demo_care d;
	struct stmt *st;
	size_t i;
	enum err e;

	memset(&d, 0, sizeof(d));
	d.db = db;
	d.key = key;
	d.a = a;
	d.org_id = org_id;
	d.now = now;
	if (!(st = db_prepare(db, sql_patients)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, DEMO_CARE_PATIENTS);
	if ((e = stmt_list(st, a, sizeof(*rows), DEMO_CARE_PATIENTS,
			   read_patient, &rows, &d.n)) != ERR_OK)
		return e;
	d.patients = arena_calloc(a, d.n ? d.n : 1, sizeof(*d.patients));
	if (!d.patients)
		return ERR_NOMEM;
	for (i = 0; i < d.n; i++) {
		int64_t birth;

		d.patients[i] = rows[i].p;
		if (clock_parse_date(rows[i].birth_date, &birth))
			d.patients[i].age = clock_age_years(birth, now);
		if ((e = load_people(&d, &d.patients[i])) != ERR_OK)
			return e;
	}
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if ((e = parts[i](&d)) != ERR_OK)
			return e;
	return ERR_OK;
}

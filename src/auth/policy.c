/*
 * Access policy (see policy.h). The rules, in words:
 * - nobody reaches another organisation's patients;
 * - patients read all of their own record and write what is theirs to
 *   write (not the care team, which staff manage);
 * - caregivers act only within the scopes the patient granted, and never
 *   see the access log, manage grants or change the care team;
 * - nobody but cocare itself writes the access log;
 * - progress notes are written by professionals; a note withheld from the
 *   patient (for a listed reason) is seen by professionals only;
 * - professionals on the care team read and write the clinical record and
 *   may manage the team and caregiver access (for patients who cannot);
 * - a professional outside the team is refused but may break the glass,
 *   which opens the clinical record (not its administration) for a while;
 * - receptionists see profiles, care teams and contact items, nothing
 *   clinical; administrators manage accounts and never open a patient's
 *   record; privacy officers read access logs only;
 * - improvement leads, facilitators and researchers work with
 *   pseudonymised data elsewhere, never with a named record;
 * - touchpoint analytics (counts, times and shares with small numbers
 *   hidden) are for improvement leads, researchers, administrators and
 *   the professionals of the unit they describe.
 */
#include "auth/policy.h"

#include "store/store.h"
#include "core/banned.h"

static const struct {
	const char *name;
	const char *label;
} resources[] = {
#define RESOURCE_ROW(id, name, label) {name, label},
	RESOURCE_MAP(RESOURCE_ROW)
#undef RESOURCE_ROW
};

_Static_assert(sizeof(resources) / sizeof(resources[0]) == RES__MAX,
	       "one row per resource");

static const char *const relation_names[] = {
	"self", "caregiver", "care-team", "break-the-glass", "same-org",
	"other-org",
};

_Static_assert(sizeof(relation_names) / sizeof(relation_names[0]) ==
		       REL__MAX,
	       "one name per relation");

const char *
resource_name(enum resource r)
{
	return (unsigned)r < RES__MAX ? resources[r].name : "unknown";
}

const char *
resource_label(enum resource r)
{
	return (unsigned)r < RES__MAX ? resources[r].label : "";
}

const char *
relation_name(enum relation r)
{
	return (unsigned)r < REL__MAX ? relation_names[r] : "unknown";
}

unsigned
policy_scope_bit(enum resource res, enum action act)
{
	return 1u << ((unsigned)res * ACT__MAX + (unsigned)act);
}

unsigned
policy_grantable_scopes(void)
{
	unsigned all = 0;
	int r, a;

	for (r = 0; r < RES__MAX; r++) {
		if (r == RES_ACCESS_LOG || r == RES_GRANTS ||
		    r == RES_WITHHELD_NOTES)
			continue;
		for (a = 0; a < ACT__MAX; a++)
			all |= policy_scope_bit((enum resource)r,
						(enum action)a);
	}
	/* The care team is chosen by staff, never by a caregiver; notes are
	 * written by professionals. */
	return all & ~policy_scope_bit(RES_CARE_TEAM, ACT_WRITE) &
	       ~policy_scope_bit(RES_NOTES, ACT_WRITE);
}

static struct decision
allow(const char *reason)
{
	struct decision d = {true, false, reason};

	return d;
}

static struct decision
deny(const char *reason)
{
	struct decision d = {false, false, reason};

	return d;
}

static bool
is_clinical(enum resource res)
{
	return res == RES_CARE_RECORD || res == RES_MEASURES ||
	       res == RES_CONTACT || res == RES_NOTES ||
	       res == RES_WITHHELD_NOTES;
}

static struct decision
decide_patient(enum relation rel, enum resource res, enum action act)
{
	if (rel != REL_SELF)
		return deny("not-own-record");
	if (res == RES_CARE_TEAM && act == ACT_WRITE)
		return deny("care-team-managed-by-staff");
	if (res == RES_NOTES && act == ACT_WRITE)
		return deny("notes-written-by-professionals");
	if (res == RES_WITHHELD_NOTES)
		return deny("withheld-from-patient");
	return allow("own-record");
}

static struct decision
decide_caregiver(enum relation rel, unsigned scopes, enum resource res,
		 enum action act)
{
	if (rel != REL_CAREGIVER)
		return deny("no-grant");
	if (res == RES_ACCESS_LOG || res == RES_GRANTS)
		return deny("patient-only");
	if (res == RES_WITHHELD_NOTES)
		return deny("withheld-from-patient");
	if (!(scopes & policy_grantable_scopes() & policy_scope_bit(res, act)))
		return deny("scope-not-granted");
	return allow("caregiver-grant");
}

static struct decision
decide_professional(enum relation rel, enum resource res, enum action act)
{
	struct decision d;

	switch (rel) {
	case REL_CARE_TEAM:
		if (res == RES_ACCESS_LOG)
			return deny("patient-or-privacy-officer-only");
		return allow("care-team");
	case REL_BREAK_GLASS:
		if (res == RES_PROFILE || is_clinical(res) ||
		    (res == RES_CARE_TEAM && act == ACT_READ))
			return allow("break-the-glass");
		return deny("break-the-glass-limited");
	case REL_SAME_ORG:
		if (res == RES_ACCESS_LOG || res == RES_GRANTS ||
		    (res == RES_CARE_TEAM && act == ACT_WRITE))
			return deny("not-on-care-team");
		d = deny("not-on-care-team");
		d.break_glass_possible = true;
		return d;
	default:
		return deny("no-relationship");
	}
}

static struct decision
decide_staff(enum role role, enum relation rel, enum resource res,
	     enum action act)
{
	if (rel != REL_SAME_ORG)
		return deny("no-relationship");
	switch (role) {
	case ROLE_RECEPTIONIST:
		if (res == RES_CONTACT ||
		    (act == ACT_READ &&
		     (res == RES_PROFILE || res == RES_CARE_TEAM)))
			return allow("reception");
		return deny("not-for-reception");
	case ROLE_ADMINISTRATOR:
		return deny("administrators-do-not-read-clinical-data");
	case ROLE_PRIVACY_OFFICER:
		if (res == RES_ACCESS_LOG && act == ACT_READ)
			return allow("privacy-review");
		return deny("privacy-officer-reads-access-logs-only");
	default:
		return deny("pseudonymised-data-only");
	}
}

struct decision
policy_decide(enum role role, enum relation rel, unsigned scopes,
	      enum resource res, enum action act)
{
	if ((unsigned)res >= RES__MAX || (unsigned)act >= ACT__MAX ||
	    (unsigned)rel >= REL__MAX)
		return deny("invalid");
	if (role == ROLE_SYSTEM)
		return allow("system");
	if (rel == REL_OTHER_ORG)
		return deny("other-organisation");
	/* The access log is written only by cocare itself. */
	if (res == RES_ACCESS_LOG && act == ACT_WRITE)
		return deny("access-log-is-append-only");
	switch (role) {
	case ROLE_PATIENT:
		return decide_patient(rel, res, act);
	case ROLE_CAREGIVER:
		return decide_caregiver(rel, scopes, res, act);
	case ROLE_PROFESSIONAL:
		return decide_professional(rel, res, act);
	default:
		return decide_staff(role, rel, res, act);
	}
}

bool
policy_org_allows(const struct actor *who, int64_t org_id,
		  enum org_permission p)
{
	if (who->role == ROLE_SYSTEM)
		return true;
	if (who->org_id != org_id)
		return false;
	switch (p) {
	case ORG_ADMINISTER:
		return who->role == ROLE_ADMINISTRATOR;
	case ORG_REVIEW_ACCESS:
		return who->role == ROLE_PRIVACY_OFFICER;
	case ORG_LIST_PATIENTS:
	case ORG_SCHEDULE:
	case ORG_MESSAGE_TEMPLATES:
	case ORG_TRIAGE:
		return who->role == ROLE_PROFESSIONAL ||
		       who->role == ROLE_RECEPTIONIST;
	case ORG_RESEARCH_EXPORT:
		return who->role == ROLE_RESEARCHER ||
		       who->role == ROLE_ADMINISTRATOR;
	case ORG_CONTACT_ANALYTICS:
		return who->role == ROLE_IMPROVEMENT_LEAD ||
		       who->role == ROLE_RESEARCHER ||
		       who->role == ROLE_ADMINISTRATOR ||
		       who->role == ROLE_PROFESSIONAL;
	default:
		return false;
	}
}

bool
policy_analytics_allows(const struct actor *who, int64_t org_id,
			int64_t own_unit, int64_t unit_id)
{
	if (!policy_org_allows(who, org_id, ORG_CONTACT_ANALYTICS))
		return false;
	if (who->role != ROLE_PROFESSIONAL)
		return true;
	return own_unit != 0 && unit_id == own_unit;
}

static const char sql_patient_org[] =
	"SELECT org_id FROM patient WHERE id = $1";
static const char sql_on_team[] =
	"SELECT 1 FROM care_team_member WHERE patient_id = $1 "
	"AND account_id = $2";
static const char sql_grant_scopes[] =
	"SELECT scopes FROM caregiver_grant WHERE patient_id = $1 "
	"AND caregiver_id = $2 AND revoked_at = 0 "
	"AND (expires_at = 0 OR expires_at > $3)";
static const char sql_break_glass[] =
	"SELECT 1 FROM break_glass WHERE patient_id = $1 "
	"AND account_id = $2 AND expires_at > $3";

static enum err
query_exists(struct db *db, const char *sql, int64_t a, int64_t b,
	     int64_t now, bool with_now, bool *found)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a);
	stmt_bind_int(st, 2, b);
	if (with_now)
		stmt_bind_int(st, 3, now);
	*found = stmt_row(st);
	return stmt_done(st);
}

/* Finds the relation; `scopes` gets the union of active grant scopes. */
static enum err
find_relation(struct ctx *c, int64_t patient_id, enum relation *rel,
	      unsigned *scopes)
{
	const struct actor *who = &c->actor;
	struct stmt *st;
	bool found = false;
	int64_t org = 0;
	enum err e;

	st = db_prepare(c->db, sql_patient_org);
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st)) {
		found = true;
		org = stmt_int(st, 0);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!found)
		return ERR_NOT_FOUND;
	*scopes = 0;
	if (who->role == ROLE_SYSTEM) {
		*rel = REL_SAME_ORG;
		return ERR_OK;
	}
	if (org != who->org_id) {
		*rel = REL_OTHER_ORG;
		return ERR_OK;
	}
	if (who->role == ROLE_PATIENT && who->patient_id == patient_id) {
		*rel = REL_SELF;
		return ERR_OK;
	}
	if (who->role == ROLE_CAREGIVER) {
		st = db_prepare(c->db, sql_grant_scopes);
		if (!st)
			return ERR_DB;
		stmt_bind_int(st, 1, patient_id);
		stmt_bind_int(st, 2, who->account_id);
		stmt_bind_int(st, 3, c->now);
		while (stmt_row(st))
			*scopes |= (unsigned)stmt_int(st, 0);
		if ((e = stmt_done(st)) != ERR_OK)
			return e;
		*rel = *scopes ? REL_CAREGIVER : REL_SAME_ORG;
		return ERR_OK;
	}
	if (who->role == ROLE_PROFESSIONAL) {
		e = query_exists(c->db, sql_on_team, patient_id,
				 who->account_id, 0, false, &found);
		if (e != ERR_OK)
			return e;
		if (found) {
			*rel = REL_CARE_TEAM;
			return ERR_OK;
		}
		e = query_exists(c->db, sql_break_glass, patient_id,
				 who->account_id, c->now, true, &found);
		if (e != ERR_OK)
			return e;
		if (found) {
			*rel = REL_BREAK_GLASS;
			return ERR_OK;
		}
	}
	*rel = REL_SAME_ORG;
	return ERR_OK;
}

enum err
policy_check(struct ctx *c, int64_t patient_id, enum resource res,
	     enum action act, struct decision *out)
{
	enum relation rel;
	unsigned scopes;
	enum err e;

	if (patient_id && c->memo_patient == patient_id) {
		rel = (enum relation)c->memo_relation;
		scopes = c->memo_scopes;
	} else {
		e = find_relation(c, patient_id, &rel, &scopes);
		if (e != ERR_OK)
			return e;
		c->memo_patient = patient_id;
		c->memo_relation = (int)rel;
		c->memo_scopes = scopes;
	}
	*out = policy_decide(c->actor.role, rel, scopes, res, act);
	return ERR_OK;
}

enum err
policy_require(struct ctx *c, int64_t patient_id, enum resource res,
	       enum action act)
{
	struct decision d;
	enum err e = policy_check(c, patient_id, res, act, &d);

	if (e != ERR_OK)
		return e;
	return d.allow ? ERR_OK : ERR_FORBIDDEN;
}

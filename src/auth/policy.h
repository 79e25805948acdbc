/*
 * The access policy: the one place that decides whether an actor may do
 * an action on a kind of resource of a patient, and why. Handlers and the
 * FHIR layer never decide access themselves; they ask policy_check().
 *
 * The decision is a pure function of (role, relationship to the patient,
 * caregiver scopes, resource, action) in policy_decide(), tested over
 * every combination; policy_check() finds the relationship in the
 * database.
 */
#ifndef AUTH_POLICY_H
#define AUTH_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/msgid.h"

#include "auth/actor.h"
#include "core/err.h"

/* What part of a patient's record is touched. Caregiver scopes are
 * granted per resource and action (see policy_scope_bit), stored as bits:
 * new resources go at the end. Progress notes are written by
 * professionals only; the patient's view of a note and a correction
 * request are writes to the care record. */
#define RESOURCE_MAP(X)                                                    \
	X(PROFILE, "profile", N_("Profile and needs"))                         \
	X(CARE_TEAM, "care_team", N_("Care team"))                             \
	X(CARE_RECORD, "care_record", N_("Care plan, crisis plan and notes"))  \
	X(MEASURES, "measures", N_("Questionnaires and readings"))             \
	X(CONTACT, "contact", N_("Messages, consultations and appointments"))  \
	X(ACCESS_LOG, "access_log", N_("Who has looked at the record"))        \
	X(GRANTS, "grants", N_("Caregiver access"))                            \
	X(NOTES, "notes", N_("Progress notes"))                                \
	X(WITHHELD_NOTES, "withheld_notes",                                    \
	  N_("Notes not shared with the patient"))

enum resource {
#define RESOURCE_ENUM(id, name, label) RES_##id,
	RESOURCE_MAP(RESOURCE_ENUM)
#undef RESOURCE_ENUM
	RES__MAX
};

enum action { ACT_READ, ACT_WRITE, ACT__MAX };

/* How the actor stands to the patient. */
enum relation {
	REL_SELF,		/* the patient themself */
	REL_CAREGIVER,		/* holds an active grant from the patient */
	REL_CARE_TEAM,		/* professional on the patient's care team */
	REL_BREAK_GLASS,	/* opened the record in an emergency */
	REL_SAME_ORG,		/* same organisation, no relationship */
	REL_OTHER_ORG,		/* another organisation */
	REL__MAX
};

struct decision {
	bool allow;
	bool break_glass_possible;	/* denied, but may break the glass */
	const char *reason;		/* stable code, e.g. "care-team" */
};

const char *resource_name(enum resource r);
const char *resource_label(enum resource r);
const char *relation_name(enum relation r);

/* The caregiver-scope bit for (resource, action). */
unsigned policy_scope_bit(enum resource res, enum action act);

/* Every scope bit a caregiver may be granted (never access log or grants). */
unsigned policy_grantable_scopes(void);

/* The pure decision. `scopes` matters only for REL_CAREGIVER. */
struct decision policy_decide(enum role role, enum relation rel,
			      unsigned scopes, enum resource res,
			      enum action act);

/*
 * Finds how `c->actor` stands to `patient_id` (reading care team, grants
 * and break-the-glass records as of c->now) and decides. Returns
 * ERR_NOT_FOUND when the patient does not exist, ERR_DB on failure,
 * else ERR_OK with `*out` filled (allowed or not).
 */
enum err policy_check(struct ctx *c, int64_t patient_id, enum resource res,
		      enum action act, struct decision *out);

/*
 * Organisation-level permissions (no patient involved): managing
 * accounts, units and settings (administrators of that organisation),
 * reviewing emergency access across the organisation (privacy officers),
 * listing patients by name (staff who book or treat), keeping
 * professionals' appointment schedules (professionals their own,
 * receptionists everyone's), keeping the organisation's quick replies
 * to messages (staff who answer them), working the online-consultation
 * queue (professionals and receptionists), making pseudonymised
 * research exports of the patients who agreed to research (researchers
 * and administrators).
 */
enum org_permission {
	ORG_ADMINISTER,
	ORG_REVIEW_ACCESS,
	ORG_LIST_PATIENTS,
	ORG_SCHEDULE,		/* add and withdraw appointment slots */
	ORG_MESSAGE_TEMPLATES,
	ORG_TRIAGE,
	ORG_CONTACT_ANALYTICS,	/* touchpoint figures, aggregate only */
	ORG_RESEARCH_EXPORT,	/* pseudonymised, consenting patients only */
	ORG__MAX
};

bool policy_org_allows(const struct actor *who, int64_t org_id,
		       enum org_permission p);

/*
 * Touchpoint analytics of one unit (`unit_id`), or of the whole
 * organisation (0): figures only, never a named record. Improvement
 * leads, researchers and administrators see any unit and the whole;
 * professionals only their own unit (`own_unit`, the unit of their
 * account; 0 when none).
 */
bool policy_analytics_allows(const struct actor *who, int64_t org_id,
			     int64_t own_unit, int64_t unit_id);

/* The same, answering ERR_FORBIDDEN when denied. */
enum err policy_require(struct ctx *c, int64_t patient_id, enum resource res,
			enum action act);

#endif

/*
 * The demo's care records: plans, "what matters to me", crisis plans,
 * notes, review conversations, decisions, questionnaires and readings
 * at different stages, written
 * by different voices (patients, caregivers, professionals, and
 * professionals writing with the patient). Each part of the care module
 * contributes one function; every record is written the way the pages
 * write it, through write_within(), so the history, the provenance, the
 * touchpoints and the co-production indicators are real.
 */
#ifndef DEMO_DEMO_CARE_H
#define DEMO_DEMO_CARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/actor.h"
#include "core/err.h"

struct arena;
struct audit_key;
struct db;

#define DEMO_CARE_TEAM_MAX 3

/* In a loader step: returns the error of `x` unless it is ERR_OK. */
#define DEMO_TRY(x)                                                        \
	do {                                                               \
		enum err e_ = (x);                                         \
		if (e_ != ERR_OK)                                          \
			return e_;                                         \
	} while (0)
#define DEMO_CARE_DAY 86400

/* A demo patient with the people around them. */
struct demo_care_patient {
	int64_t id;
	const char *given_name;
	const char *name;		/* "María López" */
	int64_t account_id;		/* their login; 0 when they have none */
	int64_t team[DEMO_CARE_TEAM_MAX];	/* professionals' accounts */
	const char *team_names[DEMO_CARE_TEAM_MAX];
	size_t nteam;
	int64_t caregiver_id;		/* one active caregiver; 0 if none */
	const char *caregiver_name;
	bool caregiver_writes;		/* their grant lets them write to
					   the care record (the "caregiver"
					   login's grant does not) */
	int age;
};

struct demo_care {
	struct db *db;			/* the loader's write transaction */
	const struct audit_key *key;
	struct arena *a;
	int64_t org_id;
	int64_t now;			/* Unix seconds */
	/*
	 * Patients with a care record, the richest stories first:
	 * patients[0] is the demo login "patient", whose care team includes
	 * the logins "doctor" and "nurse" and whose caregiver is the login
	 * "caregiver".
	 */
	struct demo_care_patient *patients;
	size_t n;
	struct ctx ctx;			/* reused by demo_care_as() */
};

/*
 * The context of a write by `account_id` (0 with ROLE_SYSTEM for cocare
 * itself) in `role` about patient `patient_id`, made `days_ago` days
 * (plus `minutes` minutes) before now. Valid until the next call.
 */
struct ctx *demo_care_as(struct demo_care *d, int64_t account_id,
			 enum role role, const struct demo_care_patient *p,
			 int days_ago, int minutes);

/* Each part's demo records (demo_plan.c, demo_crisis.c, demo_notes.c,
 * demo_dialog.c, demo_decisions.c). */
enum err demo_care_plan(struct demo_care *d);
enum err demo_care_crisis(struct demo_care *d);
enum err demo_care_notes(struct demo_care *d);
enum err demo_care_dialog(struct demo_care *d);
enum err demo_care_decisions(struct demo_care *d);
enum err demo_care_measures(struct demo_care *d);	/* demo_measures.c */
enum err demo_contact_appointments(struct demo_care *d);
						/* demo_contact_appointment.c */
enum err demo_contact_outbox(struct demo_care *d);	/* demo_contact_outbox.c */
enum err demo_contact_messages(struct demo_care *d);	/* demo_contact_message.c */
enum err demo_contact_consult(struct demo_care *d);	/* demo_contact_consult.c */

/*
 * Loads every part for the demo organisation `org_id` inside the
 * caller's write transaction (called by demo_load once the people are
 * stored).
 */
enum err demo_care_load(struct db *db, const struct audit_key *key,
			struct arena *a, int64_t org_id, int64_t now);

#endif

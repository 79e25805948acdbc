/*
 * Demo data for `cocare demo`: one made-up organisation, "Riverside
 * Community Health", with two units, professionals of several
 * disciplines, staff, 200 patients with care teams, caregivers with
 * grants in every state and one break-the-glass opening, so a newcomer
 * can sign in with a fixed login and explore every part at once.
 */
#ifndef DEMO_DEMO_H
#define DEMO_DEMO_H

#include <stdint.h>

#include "core/err.h"

struct store;
struct audit_key;

/*
 * The password of every demo account. The sign-in page advertises the
 * demo logins: "patient", "caregiver", "nurse", "doctor", "reception",
 * "admin", "privacy", "improvement", "facilitator" and "researcher".
 */
#define DEMO_PASSWORD "demo-password-2026"

struct demo_summary {
	int64_t org_id;
	int units;
	int professionals;
	int patients;
	int caregivers;
	int grants;
	int accounts;	/* every account: staff, patients, caregivers */
};

/*
 * Loads the demo organisation into an empty, migrated database in one
 * store_write() transaction: all of it is stored or none of it.
 *
 * People, ages, languages, needs, care teams and grants follow from
 * `seed` alone (with birth dates and times relative to `now`, Unix
 * seconds), so the same seed and `now` give the same people; record ids
 * are random as everywhere else. Every created record gets an audit
 * event from the system actor (actor 0, role "system"); the one
 * break-the-glass opening is audited as what it stands for, the
 * professional's "break-glass" and "read" of the patient, three days
 * before `now`. Then the care records (demo_care.h) are written by their
 * authors, with provenance and touchpoints. Sets the setting 'demo' to
 * '1'.
 *
 * Every account's password is DEMO_PASSWORD, hashed once (demo only).
 *
 * Returns ERR_EXISTS, with nothing changed, when the database already
 * has an organisation; ERR_NOMEM, ERR_DB or another store error (nothing
 * changed) on failure; else ERR_OK with `*out` (may be NULL) filled.
 */
enum err demo_load(struct store *s, const struct audit_key *key,
		   uint32_t seed, int64_t now, struct demo_summary *out);

#endif

/*
 * Who is acting, and the context every domain call receives: the acting
 * person and role, the database, the request arena and the time. Handlers
 * build it once per request; the CLI and the demo loader act as the
 * system actor.
 */
#ifndef AUTH_ACTOR_H
#define AUTH_ACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/msgid.h"

struct arena;
struct store;
struct db;
struct audit_key;

#define ROLE_MAP(X)                                                        \
	X(PATIENT, "patient", N_("Patient"))                                   \
	X(CAREGIVER, "caregiver", N_("Caregiver"))                             \
	X(PROFESSIONAL, "professional", N_("Professional"))                    \
	X(RECEPTIONIST, "receptionist", N_("Receptionist or care navigator"))  \
	X(IMPROVEMENT_LEAD, "improvement_lead", N_("Improvement lead"))        \
	X(FACILITATOR, "facilitator", N_("Co-production facilitator"))         \
	X(RESEARCHER, "researcher", N_("Evaluator or researcher"))             \
	X(ADMINISTRATOR, "administrator", N_("Administrator"))                 \
	X(PRIVACY_OFFICER, "privacy_officer", N_("Privacy officer"))           \
	X(SYSTEM, "system", N_("System"))

enum role {
#define ROLE_ENUM(id, name, label) ROLE_##id,
	ROLE_MAP(ROLE_ENUM)
#undef ROLE_ENUM
	ROLE__MAX
};

/* The stored name ("improvement_lead"); "system" for ROLE_SYSTEM. */
const char *role_name(enum role r);

/* An English label for people ("Improvement lead"), a translation msgid. */
const char *role_label(enum role r);

/* Parses a stored name; false for unknown names and for "system", which
 * no account can hold. */
bool role_parse(const char *s, enum role *out);

/* True for roles on the staff side of the patient-staff line. */
bool role_is_staff(enum role r);

/* The voice a write is recorded in: "patient", "caregiver",
 * "professional", "staff" or "system". */
const char *role_voice(enum role r);

struct actor {
	int64_t account_id;	/* 0 for the system actor */
	int64_t org_id;
	enum role role;
	int64_t patient_id;	/* a patient's own record, else 0 */
	const char *name;	/* display name */
};

struct ctx {
	struct store *store;
	struct db *db;			/* read connection for this request */
	struct arena *a;
	const struct audit_key *audit_key;
	int64_t now;			/* Unix seconds */
	struct actor actor;
	const char *channel;		/* "web", "api", "cli"; "phone" or
					   "desk" when staff key in what a
					   patient asked that way */
	bool patient_initiated;		/* the next write's touchpoint is the
					   patient's though staff keyed it */
	/*
	 * Set by a caller that can answer later (an HTTP request): a write
	 * then returns once committed, `defer(arg)` is called before it,
	 * and `durable(arg, e)` once it is on disk. NULL: writes return
	 * when durable.
	 */
	void (*defer)(void *arg);
	void (*durable)(void *arg, enum err e);
	void *defer_arg;
	/*
	 * Set by write_commit(): the answer already waits for what its
	 * write saw to be durable, so it needs no other wait (web/app.c).
	 */
	bool wrote;
	/*
	 * policy_check()'s memo of how the actor stands to one patient,
	 * for this request only (a page asks about several parts of the
	 * same record); write_commit() forgets it.
	 */
	int64_t memo_patient;		/* 0: nothing remembered */
	int memo_relation;
	unsigned memo_scopes;
};

#endif

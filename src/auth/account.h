/*
 * Accounts: the people who sign in, each with one role in one
 * organisation. A patient's account points at their own patient record;
 * a professional has a discipline. Account data is organisation data: it
 * is written through write_commit() by the callers in account.c's users.
 */
#ifndef AUTH_ACCOUNT_H
#define AUTH_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/actor.h"
#include "auth/password.h"
#include "core/err.h"

struct arena;
struct db;

#define USERNAME_MAX 64
#define DISPLAY_NAME_MAX 200

struct account {
	int64_t id;
	int64_t org_id;
	char *username;
	char *display_name;
	enum role role;
	char *discipline;	/* professionals: "nursing", "psychiatry"... */
	int64_t unit_id;	/* 0 when none */
	int64_t patient_id;	/* patients: their record, else 0 */
	char *email;
	char *language;		/* "" = from the browser */
	char *password_hash;
	char *totp_secret;	/* base32, "" when none */
	bool totp_enabled;
	bool disabled;
	int64_t created_at;
	int64_t updated_at;	/* last change of any of the above */
};

/*
 * Checks a user name: 3 to 64 characters of a-z, 0-9, '.', '-', '_',
 * starting with a letter or digit. Returns false with a sentence (an
 * English msgid) in `*why`.
 */
bool account_username_valid(const char *s, const char **why);

/* Checks a display name: 1 to 200 characters of text, no control
 * characters. */
bool account_display_name_valid(const char *s);

/* Lookups; ERR_NOT_FOUND when absent. Strings live in `a`. */
enum err account_get(struct db *db, struct arena *a, int64_t id,
		     struct account *out);
enum err account_get_by_username(struct db *db, struct arena *a,
				 const char *username, struct account *out);

/* The patient's own account, if they have one. */
enum err account_get_by_patient(struct db *db, struct arena *a,
				int64_t patient_id, struct account *out);

/*
 * Accounts of an organisation, by role (ROLE__MAX = all) whose user name
 * or display name contains `q` (NULL/"" = all), ordered by display name.
 */
enum err account_list(struct db *db, struct arena *a, int64_t org_id,
		      enum role role, const char *q, int limit,
		      struct account **out, size_t *count);

/*
 * The staff of an organisation (every role but patient and caregiver:
 * the people FHIR shows as Practitioners), by id, for pages that go on
 * after the last id shown. Each filter left at its zero value matches
 * every account.
 */
struct account_query {
	int64_t org_id;
	int64_t id;		/* this account only */
	const char *role;	/* a staff role's stored name */
	int64_t unit_id;	/* accounts of this unit */
	int disabled;		/* -1 any, 0 enabled, 1 disabled */
	const char *name;	/* a word of the display name starts with it,
				   ignoring the case of A-Z */
	int64_t after_id;	/* ids above this one */
	size_t limit;		/* capped at ACCOUNT_SEARCH_MAX */
};

#define ACCOUNT_SEARCH_MAX 1001	/* a FHIR page of 1000 and one more */

/* The matching staff accounts by id, at most q->limit (strings in
 * `a`); ERR_NOMEM, ERR_DB. */
enum err account_staff_search(struct db *db, struct arena *a,
			      const struct account_query *q,
			      struct account **out, size_t *count);

/* How many staff accounts match `q` on every page together (`a` holds
 * the name pattern); ERR_NOMEM, ERR_DB. */
enum err account_staff_count(struct db *db, struct arena *a,
			     const struct account_query *q, int64_t *out);

/* Writes, to be run inside write_commit() (or a CLI transaction). */
enum err account_insert(struct db *db, const struct account *acc);
enum err account_set_password(struct db *db, int64_t id, const char *hash,
			      int64_t now);
enum err account_set_disabled(struct db *db, int64_t id, bool disabled,
			      int64_t now);
enum err account_set_language(struct db *db, int64_t id, const char *lang,
			      int64_t now);
enum err account_set_totp(struct db *db, int64_t id, const char *secret,
			  bool enabled, int64_t now);
enum err account_set_details(struct db *db, int64_t id,
			     const char *display_name, enum role role,
			     const char *discipline, int64_t unit_id,
			     const char *email, int64_t now);

#endif

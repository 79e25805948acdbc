/*
 * Care teams (which professionals look after which patient, in which
 * role), caregiver grants (what a caregiver may see and do for a patient,
 * until when) and break-the-glass openings of a record.
 */
#ifndef PEOPLE_CARETEAM_H
#define PEOPLE_CARETEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/problem.h"

struct arena;
struct db;

#define TEAM_ROLE_MAX 100
#define RELATIONSHIP_MAX 100
#define BREAK_GLASS_REASON_MIN 10
#define BREAK_GLASS_REASON_MAX 500
#define BREAK_GLASS_SECONDS (4 * 3600)

struct team_member {
	int64_t id;
	int64_t patient_id;
	int64_t account_id;
	char *name;
	char *discipline;
	char *team_role;	/* "lead clinician", "named nurse", ... */
	int64_t since;
};

struct grant {
	int64_t id;
	int64_t org_id;
	int64_t patient_id;
	char *patient_name;	/* read only */
	int64_t caregiver_id;
	char *caregiver_name;	/* read only */
	char *relationship;	/* "daughter", "partner", ... */
	unsigned scopes;	/* policy_scope_bit() union */
	int64_t granted_by;
	char *granted_by_name;	/* read only */
	char *granted_by_role;	/* read only: the granter's role name */
	int64_t granted_at;
	int64_t expires_at;	/* 0 = until revoked */
	int64_t revoked_at;	/* 0 = in force */
};

struct break_glass {
	int64_t id;
	int64_t patient_id;
	char *patient_name;
	int64_t account_id;
	char *account_name;
	char *reason;
	int64_t opened_at;
	int64_t expires_at;
};

/* True when `g` is in force at `now`. */
bool grant_is_active(const struct grant *g, int64_t now);

/* Problems with a new grant (relationship text, scopes, expiry). */
void grant_validate(const struct grant *g, unsigned grantable, int64_t now,
		    struct problems *out);

/* Problems with a break-the-glass reason. */
void break_glass_validate(const char *reason, struct problems *out);

enum err team_list(struct db *db, struct arena *a, int64_t patient_id,
		   struct team_member **out, size_t *count);
enum err grant_get(struct db *db, struct arena *a, int64_t id,
		   struct grant *out);
enum err grant_list_for_patient(struct db *db, struct arena *a,
				int64_t patient_id, struct grant **out,
				size_t *count);
enum err grant_list_for_caregiver(struct db *db, struct arena *a,
				  int64_t caregiver_id, int64_t now,
				  struct grant **out, size_t *count);
/*
 * A patient's grants for pages that go on after the last one shown:
 * newest granted first (or oldest first), then by id the same way.
 */
enum grant_state {
	GRANT_ANY,
	GRANT_ACTIVE,		/* in force at `now` (grant_is_active) */
	GRANT_INACTIVE		/* revoked or ended by `now` */
};

struct grant_query {
	int64_t patient_id;
	enum grant_state state;
	int64_t now;
	int64_t from, to;	/* granted in [from, to) (Unix seconds) */
	bool oldest_first;
	bool has_after;		/* continue after (after_at, after_id) */
	int64_t after_at, after_id;
	size_t limit;		/* capped at GRANT_SEARCH_MAX */
};

#define GRANT_SEARCH_MAX 1001	/* a FHIR page of 1000 and one more */

/* The page, in the query's order; ERR_DB. */
enum err grant_search(struct db *db, struct arena *a,
		      const struct grant_query *q, struct grant **out,
		      size_t *count);

/* How many grants match `q` on every page together; ERR_DB. */
enum err grant_search_count(struct db *db, const struct grant_query *q,
			    int64_t *out);

enum err break_glass_list_for_patient(struct db *db, struct arena *a,
				      int64_t patient_id,
				      struct break_glass **out,
				      size_t *count);
enum err break_glass_list_for_org(struct db *db, struct arena *a,
				  int64_t org_id, int limit,
				  struct break_glass **out, size_t *count);

/* Writes, inside a write transaction. */
enum err team_add(struct db *db, int64_t org_id, int64_t patient_id,
		  int64_t account_id, const char *team_role, int64_t now);
enum err team_remove(struct db *db, int64_t patient_id, int64_t member_id);
enum err grant_insert(struct db *db, const struct grant *g);
enum err grant_revoke(struct db *db, int64_t patient_id, int64_t grant_id,
		      int64_t now);
enum err break_glass_insert(struct db *db, int64_t org_id,
			    int64_t patient_id, int64_t account_id,
			    const char *reason, int64_t now, int64_t *id);

#endif

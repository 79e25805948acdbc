/*
 * Organisations and their units (wards, teams, clinics). An organisation
 * may require a second factor for every staff account.
 */
#ifndef PEOPLE_ORG_H
#define PEOPLE_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

#define ORG_NAME_MAX 200

struct organisation {
	int64_t id;
	char *name;
	bool require_staff_2fa;
	int64_t created_at;
	char *emergency_number;	/* read only here: "999", "112", ... */
};

#define ORG_EMERGENCY_MAX 20

struct unit {
	int64_t id;
	int64_t org_id;
	char *name;
	int64_t created_at;
};

/* 1 to 200 characters of text with no control characters. */
bool org_name_valid(const char *name);

enum err org_get(struct db *db, struct arena *a, int64_t id,
		 struct organisation *out);
enum err org_list(struct db *db, struct arena *a, struct organisation **out,
		  size_t *count);
enum err unit_get(struct db *db, struct arena *a, int64_t id,
		  struct unit *out);
enum err unit_list(struct db *db, struct arena *a, int64_t org_id,
		   struct unit **out, size_t *count);

/*
 * An organisation and its units as one tree, for pages that go on after
 * the last id shown: the organisation itself (part_of 0) and each unit
 * (part_of the organisation's id).
 */
struct org_node {
	int64_t id;
	int64_t part_of;	/* 0 for the organisation */
	char *name;
	int64_t created_at;
};

/* Which nodes of organisation `org_id`; zero values match every node. */
struct org_query {
	int64_t org_id;
	int64_t part_of;	/* only the units of this node */
	const char *name;	/* a word of the name starts with it,
				   ignoring the case of A-Z */
	int64_t after_id;	/* ids above this one */
	size_t limit;		/* capped at ORG_TREE_MAX */
};

#define ORG_TREE_MAX 1001	/* a FHIR page of 1000 and one more */

/* The matching nodes by id, at most q->limit (strings in `a`);
 * ERR_NOMEM, ERR_DB. */
enum err org_tree_search(struct db *db, struct arena *a,
			 const struct org_query *q, struct org_node **out,
			 size_t *count);

/* How many nodes match `q` on every page together (`a` holds the name
 * pattern); ERR_NOMEM, ERR_DB. */
enum err org_tree_count(struct db *db, struct arena *a,
			const struct org_query *q, int64_t *out);

/* Writes, inside a write transaction; ERR_EXISTS for a duplicate name. */
enum err org_insert(struct db *db, const struct organisation *o);
enum err org_set_require_2fa(struct db *db, int64_t id, bool required);
enum err org_set_name(struct db *db, int64_t id, const char *name);

/* An emergency number: 2 to 20 characters of digits, spaces, + and -,
 * with at least two digits. */
bool org_emergency_number_valid(const char *number);
enum err org_set_emergency_number(struct db *db, int64_t id,
				  const char *number);
enum err unit_insert(struct db *db, const struct unit *u);

#endif

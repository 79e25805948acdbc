/*
 * Personal API tokens for programs that use the FHIR API on a person's
 * behalf. The token is shown once at creation; only its hash is stored.
 * A token carries scopes (a subset of what its owner may do), an expiry,
 * and can be revoked. The API checks the owner's access policy as well.
 */
#ifndef AUTH_APITOKEN_H
#define AUTH_APITOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"

struct arena;
struct db;

#define APITOKEN_LABEL_MAX 100
#define APITOKEN_PREFIX "cct_"

struct apitoken {
	int64_t id;
	int64_t account_id;
	int64_t org_id;
	char *label;
	char *scopes;		/* SMART scopes (scope.h), e.g.
				   "user/Observation.rs" */
	int64_t created_at;
	int64_t expires_at;	/* 0 = never */
	int64_t revoked_at;	/* 0 = in force */
	int64_t last_used_at;
};

/* True for SMART scopes a person's token may carry (scope.h): any
 * but system/ ones, which belong to systems. */
bool apitoken_scopes_valid(const char *scopes);

/* Creates a token (inside a write transaction); `secret` receives
 * "cct_" + 64 hex characters, shown to the person once. */
enum err apitoken_insert(struct db *db, int64_t account_id, int64_t org_id,
			 const char *label, const char *scopes,
			 int64_t expires_at, int64_t now,
			 char secret[TOKEN_HEX_LEN + 5], int64_t *id);

/* The account's tokens, newest first. */
enum err apitoken_list(struct db *db, struct arena *a, int64_t account_id,
		       struct apitoken **out, size_t *count);

/* Revokes one of the account's tokens; ERR_NOT_FOUND if not theirs. */
enum err apitoken_revoke(struct db *db, int64_t account_id, int64_t id,
			 int64_t now);

/* Finds the live token for a secret; ERR_UNAUTHENTICATED otherwise. */
enum err apitoken_lookup(struct db *db, struct arena *a, const char *secret,
			 int64_t now, struct apitoken *out);

#endif

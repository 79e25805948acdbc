/*
 * Route tables of the people module: patient records, care teams,
 * caregiver grants, the access log and break-the-glass (patient_web.c);
 * organisation and account administration and the privacy officer's
 * review (admin_web.c).
 */
#ifndef PEOPLE_PEOPLE_WEB_H
#define PEOPLE_PEOPLE_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/policy.h"
#include "core/err.h"

struct http_router;
struct web;

enum err patient_web_routes(struct http_router *r);
enum err admin_web_routes(struct http_router *r);

/*
 * The access check of every page of a patient's record. ERR_OK when
 * allowed. When the policy refuses a professional who could break the
 * glass, it answers with the break-the-glass offer itself (403) and
 * returns ERR_OK with `*answered` set. Other refusals are audited and
 * return ERR_FORBIDDEN (or ERR_NOT_FOUND for no such patient).
 */
enum err patient_access_or_respond(struct web *w, int64_t pid,
				   enum resource res, enum action act,
				   bool *answered);

/* In a handler: returns from it unless access is allowed. */
#define PATIENT_ACCESS_OR_RESPOND(w, pid, res, act)                        \
	do {                                                               \
		bool answered_;                                            \
		enum err e_ = patient_access_or_respond(w, pid, res, act,  \
							&answered_);       \
		if (e_ != ERR_OK || answered_)                             \
			return e_;                                         \
	} while (0)

/* In a handler of /patients/:id/...: reads :id into `*pid` (a bad id is
 * a 404) and returns from the handler unless access is allowed. */
#define PATIENT_PAGE_OR_RESPOND(w, pid, res, act)                          \
	do {                                                               \
		enum err pe_ = web_param_id(w, "id", pid);                 \
		if (pe_ != ERR_OK)                                         \
			return pe_;                                        \
		PATIENT_ACCESS_OR_RESPOND(w, *(pid), res, act);            \
	} while (0)

/* Whether the policy allows it (for showing links and buttons). */
bool patient_allowed(struct web *w, int64_t pid, enum resource res,
		     enum action act);

#endif

/*
 * The one closed set of error codes. Every action in cocare returns an
 * enum err; the table below also gives the HTTP status a handler answers
 * with and a short message (English msgid, translated at the edge).
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#include "core/msgid.h"

#define ERR_MAP(X)                                                          \
	X(OK, 200, N_("ok"))                                                    \
	X(INVALID, 400, N_("the request is not valid"))                         \
	X(BAD_UTF8, 400, "the request contains text that is not valid UTF-8") \
	X(CSRF, 403, N_("the form has expired; reload the page and try again")) \
	X(UNAUTHENTICATED, 401, N_("please sign in"))                           \
	X(FORBIDDEN, 403, N_("you do not have access to this"))                 \
	X(NOT_FOUND, 404, N_("page not found"))                                 \
	X(METHOD, 405, N_("that method is not allowed here"))                   \
	X(CONFLICT, 409, N_("this was changed by someone else since you opened it")) \
	X(EXISTS, 409, N_("that already exists"))                               \
	X(TOO_LARGE, 413, N_("the request is too large"))                       \
	X(TIMEOUT, 408, N_("the request took too long"))                        \
	X(UNSUPPORTED_MEDIA, 415, N_("that kind of content is not accepted"))   \
	X(THROTTLED, 429, N_("too many attempts; wait a moment and try again")) \
	X(NOMEM, 500, N_("the server ran out of memory"))                       \
	X(DB, 500, N_("the database reported an error"))                        \
	X(IO, 500, N_("a file could not be read or written"))                   \
	X(INTERNAL, 500, N_("something went wrong on our side"))                \
	X(FULL, 507, N_("the server's disk is full: nothing was saved"))      \
	X(UNCONFIRMED, 500, N_("your change could not be confirmed as saved")) \
	X(UNAVAILABLE, 503, N_("the service is shutting down"))

enum err {
#define ERR_ENUM(name, status, msg) ERR_##name,
	ERR_MAP(ERR_ENUM)
#undef ERR_ENUM
	ERR__MAX
};

/* A short English message for the error; never NULL. */
const char *err_str(enum err e);

/* The HTTP status a handler answers with for the error. */
int err_http_status(enum err e);

/* The stable lowercase name ("not_found"), for logs and FHIR codes. */
const char *err_name(enum err e);

#endif

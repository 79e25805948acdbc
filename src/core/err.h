/*
 * The one closed set of error codes. Every action in cocare returns an
 * enum err; the table below also gives the HTTP status a handler answers
 * with and a short message (English msgid, translated at the edge).
 */
#ifndef CORE_ERR_H
#define CORE_ERR_H

#define ERR_MAP(X)                                                          \
	X(OK, 200, "ok")                                                    \
	X(INVALID, 400, "the request is not valid")                         \
	X(BAD_UTF8, 400, "the request contains text that is not valid UTF-8") \
	X(CSRF, 403, "the form has expired; reload the page and try again") \
	X(UNAUTHENTICATED, 401, "please sign in")                           \
	X(FORBIDDEN, 403, "you do not have access to this")                 \
	X(NOT_FOUND, 404, "page not found")                                 \
	X(METHOD, 405, "that method is not allowed here")                   \
	X(CONFLICT, 409, "this was changed by someone else since you opened it") \
	X(EXISTS, 409, "that already exists")                               \
	X(TOO_LARGE, 413, "the request is too large")                       \
	X(TIMEOUT, 408, "the request took too long")                        \
	X(UNSUPPORTED_MEDIA, 415, "that kind of content is not accepted")   \
	X(THROTTLED, 429, "too many attempts; wait a moment and try again") \
	X(NOMEM, 500, "the server ran out of memory")                       \
	X(DB, 500, "the database reported an error")                        \
	X(IO, 500, "a file could not be read or written")                   \
	X(INTERNAL, 500, "something went wrong on our side")                \
	X(UNAVAILABLE, 503, "the service is shutting down")

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

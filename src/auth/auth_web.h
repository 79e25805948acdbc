/*
 * Route tables of the auth module: signing in and out, the second
 * factor (auth_web.c) and a person's own account (account_web.c).
 */
#ifndef AUTH_AUTH_WEB_H
#define AUTH_AUTH_WEB_H

#include "core/err.h"

struct http_router;

enum err auth_web_routes(struct http_router *r);
enum err account_web_routes(struct http_router *r);

#endif

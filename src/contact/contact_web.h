/*
 * Route tables of the contact module: consultations, messages,
 * appointments, the outbox and the touchpoint analytics. One
 * declaration per line; each part adds its own.
 */
#ifndef CONTACT_CONTACT_WEB_H
#define CONTACT_CONTACT_WEB_H

#include "core/err.h"

struct http_router;

enum err appointment_web_routes(struct http_router *r);
enum err outbox_web_routes(struct http_router *r);
enum err message_web_routes(struct http_router *r);
enum err consult_web_routes(struct http_router *r);	/* consult_web.c */
enum err journey_web_routes(struct http_router *r);

#endif

/*
 * Route tables of the people module: patient records, care teams,
 * caregiver grants, the access log and break-the-glass (patient_web.c);
 * organisation and account administration and the privacy officer's
 * review (admin_web.c).
 */
#ifndef PEOPLE_PEOPLE_WEB_H
#define PEOPLE_PEOPLE_WEB_H

#include "core/err.h"

struct http_router;

enum err patient_web_routes(struct http_router *r);
enum err admin_web_routes(struct http_router *r);

#endif

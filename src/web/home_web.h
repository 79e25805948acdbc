/*
 * The home page: what each role comes for, with real content from the
 * record (a patient's team and who looked at their record, a
 * professional's patients, an administrator's accounts...).
 */
#ifndef WEB_HOME_WEB_H
#define WEB_HOME_WEB_H

#include "core/err.h"

struct http_router;

enum err home_web_routes(struct http_router *r);

#endif

/*
 * The measures pages: questionnaires (sending, answering, results),
 * home readings (by hand and from a CSV file), the targets patient and
 * professional agreed, the care team's queue of alerts, the
 * organisation's own instruments, and the dashboard patient and
 * professional read together. Each file contributes a route table.
 */
#ifndef MEASURES_MEASURES_WEB_H
#define MEASURES_MEASURES_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

struct http_router;
struct json_t;
struct questionnaire;
struct web;

enum err questionnaire_web_routes(struct http_router *r); /* questionnaire_web.c */
enum err instrument_web_routes(struct http_router *r);	  /* instrument_web.c */
enum err reading_web_routes(struct http_router *r);	  /* reading_web.c */
enum err alert_web_routes(struct http_router *r);	  /* alert_web.c */
enum err dashboard_web_routes(struct http_router *r);	  /* dashboard_web.c */

/* A questionnaire found for a page. */
struct measures_q {
	const struct questionnaire *q;
	const char *lang;	/* the language of its wording */
	const char *id;		/* the library id, "" for the organisation's */
	bool library;
};

/*
 * The questionnaire `url` ("url" or "url|version") names: the library's
 * in `lang` (else English), else the signed-in person's organisation's.
 * ERR_NOT_FOUND when there is none (or it no longer loads, logged).
 */
enum err measures_questionnaire(struct web *w, const char *url,
				const char *lang, struct measures_q *out);

/* The questionnaire's title for people (title, else name, else url). */
const char *measures_title(const struct questionnaire *q);

/* A score or reading for people: "10", "2.5" (request arena). */
const char *measures_number(struct web *w, double v);

/* The patient's home page: questionnaires due now, under "due" in
 * `ctx`, with start links (questionnaire_web.c). */
enum err measures_home_due(struct web *w, struct json_t *ctx, int64_t pid);

#endif

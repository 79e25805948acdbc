/*
 * What the measures pages share: finding the questionnaire a request or
 * an answer names (the library's, else the organisation's own) in the
 * language wanted, and showing a score with its meaning.
 */
#include "measures/measures_web.h"

#include <string.h>

#include "core/arena.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/scoring.h"
#include "store/store.h"
#include "web/app.h"
#include "core/banned.h"

enum err
measures_questionnaire(struct web *w, const char *url, const char *lang,
		       struct measures_q *out)
{
	enum err e;

	memset(out, 0, sizeof(*out));
	e = org_instrument_resolve(w->ctx.db, w->ctx.a, w->account.org_id,
				   url, lang, &out->q, &out->lang, &out->id);
	out->library = e == ERR_OK && *out->id;
	return e;
}

const char *
measures_title(const struct questionnaire *q)
{
	return q_title(q);
}

const char *
measures_number(struct web *w, double v)
{
	char buf[40];

	return arena_strdup(w->ctx.a, score_format(buf, sizeof(buf), v));
}

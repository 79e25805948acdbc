/*
 * What the measures pages share: finding the questionnaire a request or
 * an answer names (the library's, else the organisation's own) in the
 * language wanted, and showing a score with its meaning.
 */
#include "measures/measures_web.h"

#include <string.h>

#include "core/arena.h"
#include "core/log.h"
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
	const struct instrument *in = instrument_by_url(url, lang);
	struct org_instrument oi;
	struct questionnaire *q;
	const char *why = NULL;
	enum err e;

	memset(out, 0, sizeof(*out));
	if (in) {
		out->q = in->q;
		out->lang = in->lang;
		out->id = in->id;
		out->library = true;
		return ERR_OK;
	}
	if ((e = org_instrument_get(w->ctx.db, w->ctx.a, w->account.org_id,
				    url, lang, &oi)) != ERR_OK)
		return e;
	if ((e = org_instrument_load(w->ctx.a, &oi, &q, &why)) != ERR_OK) {
		log_warn("stored questionnaire %lld does not load: %s",
			 (long long)oi.id, why ? why : "?");
		return e == ERR_NOMEM ? e : ERR_NOT_FOUND;
	}
	out->q = q;
	out->lang = oi.lang;
	out->id = "";
	return ERR_OK;
}

const char *
measures_title(const struct questionnaire *q)
{
	if (q->title && *q->title)
		return q->title;
	if (q->name && *q->name)
		return q->name;
	return q->url ? q->url : "";
}

const char *
measures_number(struct web *w, double v)
{
	char buf[40];

	return arena_strdup(w->ctx.a, score_format(buf, sizeof(buf), v));
}

/*
 * The instrument library: the questionnaires compiled into the binary as
 * instruments/<id>.json (English) and instruments/<id>.<lang>.json
 * (official translations), parsed once, on first use, into a
 * process-wide read-only table. After that first use any number of
 * threads may read it; nothing in it belongs to one person.
 */
#ifndef MEASURES_INSTRUMENT_H
#define MEASURES_INSTRUMENT_H

#include <stddef.h>

#include "core/err.h"
#include "measures/questionnaire.h"

#define INSTRUMENT_ID_MAX 40	/* characters of an id */

struct instrument {
	const char *id;			/* "phq-9" */
	const char *lang;		/* "en" for <id>.json, else from the
					   file name */
	const struct questionnaire *q;
	const char *file;		/* "instruments/phq-9.json" */
	const char *hash;		/* of the file, for caches */
};

/*
 * Loads the embedded instruments if not done yet (also done by every
 * function below on first use). A file that does not parse, or a
 * translation that differs from its English file in url, version,
 * items, answer codes, values or scoring, is left out with an error in
 * the log. ERR_OK when every file loaded, else ERR_INVALID with *why
 * (static or process-lifetime) the first problem, naming the file;
 * ERR_NOMEM when out of memory. Thread-safe.
 */
enum err instrument_load(const char **why);

/*
 * The instrument `id` in language `lang` ("es"), else its English
 * version (check ->lang, and ->q->missing_lang for a known gap), or NULL
 * when there is no such instrument. `lang` NULL means English.
 */
const struct instrument *instrument_get(const char *id, const char *lang);

/*
 * The instrument whose url is `canonical` ("url" or "url|version"; with
 * a version, only when it is that version), in `lang` as for
 * instrument_get(), or NULL.
 */
const struct instrument *instrument_by_url(const char *canonical,
					   const char *lang);

/* The English instruments sorted by id; `*count` receives the number. */
const struct instrument *instrument_list(size_t *count);

/*
 * The library instrument `imported` is a version of: the same LOINC
 * panel code, else the same url; NULL when none. `list` is usually
 * instrument_list().
 */
const struct instrument *instrument_match(const struct questionnaire *imported,
					  const struct instrument *list,
					  size_t n);

/*
 * Adds (or replaces) an instrument from outside the binary, named as the
 * embedded files are ("phq-9.json", "phq-9.es.json", any directory
 * before it is ignored): for command-line tools and tests trying new
 * files. Not thread-safe: only before the library is shared (a server
 * never calls it). Pointers from the functions above may move. Errors as
 * for instrument_load(), *why arena-free (process-lifetime).
 */
enum err instrument_add(const char *name, const char *json, size_t len,
			const char **why);

#endif

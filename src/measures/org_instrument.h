/*
 * Questionnaires an organisation added itself (the library's are built
 * in, instrument.h): the FHIR Questionnaire JSON as uploaded, with the
 * library instrument whose published rules score it when it has none of
 * its own. They are parsed again when used, so a stored one is always
 * read by the code that runs.
 */
#ifndef MEASURES_ORG_INSTRUMENT_H
#define MEASURES_ORG_INSTRUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;
struct questionnaire;

#define ORG_INSTRUMENT_RES "Questionnaire"	/* provenance type */
#define ORG_INSTRUMENTS_MAX 200

struct org_instrument {
	int64_t id;
	int64_t org_id;
	const char *url;
	const char *version;
	const char *lang;
	const char *title;
	const char *scored_as;		/* library id, or "" */
	const char *body;		/* Questionnaire JSON; NULL in lists */
	int64_t added_by;
	const char *added_by_name;	/* read only */
	int64_t added_ms;
};

/* write_commit() function: stores `struct org_instrument *`. ERR_EXISTS
 * when the organisation has that url, version and language already. */
enum err org_instrument_add(struct db *db, void *arg);

enum err org_instrument_list(struct db *db, struct arena *a, int64_t org_id,
			     struct org_instrument **out, size_t *count);

/* The organisation's questionnaire with `url` ("url" or "url|version")
 * in `lang`, else in any language; ERR_NOT_FOUND when none. */
enum err org_instrument_get(struct db *db, struct arena *a, int64_t org_id,
			    const char *url, const char *lang,
			    struct org_instrument *out);

/*
 * Parses a stored questionnaire and, when `scored_as` names a library
 * instrument, gives it that instrument's published rules. ERR_INVALID
 * with *why when it no longer parses or matches.
 */
enum err org_instrument_load(struct arena *a, const struct org_instrument *oi,
			     struct questionnaire **out, const char **why);

#endif

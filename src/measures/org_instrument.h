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

struct adopt_notes;
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

/* The organisation's questionnaire `id`, body included; ERR_NOT_FOUND
 * when it has none of that id. */
enum err org_instrument_by_id(struct db *db, struct arena *a, int64_t org_id,
			      int64_t id, struct org_instrument *out);

/* Why org_instrument_prepare() refused a file. */
enum org_instrument_refusal {
	OI_UNREADABLE,		/* not a questionnaire q_parse() reads */
	OI_NO_URL,		/* no url to name it by */
	OI_IN_LIBRARY,		/* the library has that url */
	OI_UNKNOWN_RULES,	/* scored_as names no library instrument */
	OI_RULES_MISMATCH,	/* it does not match the rules chosen */
	OI_REFUSAL__MAX
};

/*
 * Checks `len` bytes of Questionnaire JSON as the organisation's own, to
 * be scored as `scored_as` ("auto" or "": the library instrument it
 * matches, if any; "own": its own score extensions; or a library id),
 * and fills `*out` from it (url, version, lang, title, scored_as, body
 * pointing at `json`), `*q` with it parsed and `notes` with where its
 * values differ from the published ones. The caller sets id, org_id,
 * added_by and added_ms, then stores it with org_instrument_add().
 * ERR_INVALID with *refusal and *why (a detail, may be NULL) when it is
 * refused; ERR_NOMEM.
 */
enum err org_instrument_prepare(struct arena *a, const char *json, size_t len,
				const char *scored_as,
				struct org_instrument *out,
				struct questionnaire **q,
				struct adopt_notes *notes,
				enum org_instrument_refusal *refusal,
				const char **why);

/*
 * The questionnaire `url` ("url" or "url|version") names for
 * organisation `org_id`: the library's in `lang` (else English), else the
 * organisation's own. *lang_out is the language of its wording and
 * *library_id the library id ("" for the organisation's); either may be
 * NULL. ERR_NOT_FOUND when there is none (or a stored one no longer
 * loads, logged).
 */
enum err org_instrument_resolve(struct db *db, struct arena *a,
				int64_t org_id, const char *url,
				const char *lang,
				const struct questionnaire **q,
				const char **lang_out,
				const char **library_id);

/*
 * Parses a stored questionnaire and, when `scored_as` names a library
 * instrument, gives it that instrument's published rules. ERR_INVALID
 * with *why when it no longer parses or matches.
 */
enum err org_instrument_load(struct arena *a, const struct org_instrument *oi,
			     struct questionnaire **out, const char **why);

#endif

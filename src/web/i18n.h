/*
 * Translations from gettext .po files. English is the source language:
 * msgids are the English text and a missing translation shows the msgid.
 * Catalogues are loaded once at start (from the embedded po/<lang>.po
 * files) and are then immutable, so any number of threads may read them.
 */
#ifndef WEB_I18N_H
#define WEB_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct i18n;

#define I18N_MAX_PLURALS 8	/* nplurals above this is refused */
#define I18N_MAX_PO (8u << 20)	/* bytes of one .po file */

/* A set with no catalogues (English only); NULL when out of memory. */
struct i18n *i18n_new(void);

/* Frees the set and every string it returned; NULL is allowed. */
void i18n_free(struct i18n *t);

/*
 * Parses `len` bytes of .po text as the catalogue for `lang` (e.g. "es",
 * "pt_BR"; letters, digits, '_' and '-', at most 15 bytes). Fuzzy and
 * untranslated entries are skipped; entries with a msgctxt are parsed
 * but never returned by the lookups below. The header's Plural-Forms
 * sets the plural rule (default: nplurals=2; plural=(n != 1)).
 * Returns ERR_INVALID with "po/<lang>.po:<line>: message" in `errbuf`
 * (truncated to `errlen`, may be 0) for a malformed file, invalid UTF-8,
 * a duplicate entry or a bad plural rule; ERR_EXISTS when `lang` is
 * already loaded; ERR_TOO_LARGE over I18N_MAX_PO; ERR_NOMEM. Nothing
 * changes on error. Not thread-safe: load everything before serving.
 */
enum err i18n_add_po(struct i18n *t, const char *lang, const char *src,
    size_t len, char *errbuf, size_t errlen);

/*
 * A new set with every embedded "po/<lang>.po" in *out (owned by the
 * caller, i18n_free()). On error *out is untouched and `errbuf` has the
 * message of i18n_add_po().
 */
enum err i18n_load_embedded(struct i18n **out, char *errbuf, size_t errlen);

/*
 * The translation of `msgid` into `lang`, or `msgid` itself when there is
 * none (English, an unknown language, a missing or fuzzy entry). The
 * result is owned by `t` (or is `msgid`) and lives as long as `t`.
 */
const char *i18n_get(const struct i18n *t, const char *lang,
    const char *msgid);

/*
 * The plural form for `n` of the entry `msgid`/`msgid_plural`; without a
 * translation, English rules: `msgid` when n == 1, else `msgid_plural`.
 * Same lifetime rules as i18n_get().
 */
const char *i18n_nget(const struct i18n *t, const char *lang,
    const char *msgid, const char *msgid_plural, unsigned long n);

/* True when `lang` has a non-fuzzy, non-empty translation of `msgid`. */
bool i18n_has(const struct i18n *t, const char *lang, const char *msgid);

/* True for "en" and for every loaded catalogue (case and '-'/'_' folded). */
bool i18n_supported(const struct i18n *t, const char *lang);

/*
 * The language to answer in: `preferred` (a person's saved choice; NULL
 * or "" for none) when supported, else the supported language with the
 * highest q in the Accept-Language header value `accept_language` (may
 * be NULL; q=0 excludes; "es-ES" matches "es"), else "en". The result is
 * a static string or the catalogue's own name, valid as long as `t`.
 */
const char *i18n_negotiate(const struct i18n *t, const char *preferred,
    const char *accept_language);

/*
 * Adapter for struct tpl_options (web/template.h): set `translate` to
 * i18n_translate and `translate_ud` to a struct i18n_lang that outlives
 * the render.
 */
struct i18n_lang {
	const struct i18n *t;
	const char *lang;
};

const char *i18n_translate(void *ud, const char *msgid);

#endif

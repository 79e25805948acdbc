/*
 * Non-owning string views and small checked parsers. A struct str points
 * into someone else's memory (a request, a template, an arena) and is
 * passed by value. Parsers never read past `len` and report failure
 * instead of guessing.
 */
#ifndef CORE_STR_H
#define CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

struct str {
	const char *p;
	size_t len;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})

struct str str_c(const char *s); /* view of a C string; NULL gives empty */
bool str_eq(struct str a, struct str b);
bool str_eq_c(struct str a, const char *b);
bool str_starts_with(struct str s, const char *prefix);
struct str str_trim(struct str s); /* ASCII white space both ends */

/* A NUL-terminated arena copy. */
char *str_dup(struct arena *a, struct str s);

/*
 * Parses the whole of `s` as a decimal integer in [min, max]; optional
 * leading '-'; no spaces, no '+', no trailing text. False on anything else.
 */
bool str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out);

/* True when the `len` bytes are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) with no NUL byte. */
bool utf8_valid(const char *s, size_t len);

/* Number of Unicode code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

/* True when `s` has a control character other than tab, CR and LF. */
bool str_has_control(const char *s, size_t len);

/* Case-folds ASCII letters into a new arena string. */
char *str_lower(struct arena *a, const char *s, size_t len);

/*
 * Folds text for searching: ASCII lowercase, and Latin letters with
 * accents (Latin-1 and Latin Extended-A, Romanian comma letters) to their
 * base letters, so "José Núñez", "JOSE NUNEZ" and "jose nunez" compare
 * equal. Other characters are kept. `s` must be valid UTF-8.
 */
char *str_fold(struct arena *a, const char *s, size_t len);

/* Constant-time comparison of equal-length secrets. */
bool str_secret_eq(const char *a, const char *b, size_t len);

#endif

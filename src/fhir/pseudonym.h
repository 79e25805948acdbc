/*
 * Pseudonymised copies of resources for research exports: ids and
 * references replaced by a keyed hash, every date of one patient moved
 * by the same number of days, and only the elements on an allow list
 * kept (no names, numbers, addresses, narrative or free text). The key
 * is the organisation's research key (people/research.h). Pure code: no
 * HTTP, no database.
 */
#ifndef FHIR_PSEUDONYM_H
#define FHIR_PSEUDONYM_H

#include <jansson.h>
#include <stdint.h>

#define PSEUDONYM_KEY_LEN 32
#define PSEUDONYM_ID_LEN 32	/* hex characters */
#define PSEUDONYM_SHIFT_MAX 183	/* days, either way */

/* The pseudonym of "<type>/<id>": PSEUDONYM_ID_LEN hex characters. */
void fhir_pseudonym_id(const unsigned char key[PSEUDONYM_KEY_LEN],
		       const char *type, const char *id,
		       char out[PSEUDONYM_ID_LEN + 1]);

/* The days every date of patient `pid` moves by: never 0, at most
 * PSEUDONYM_SHIFT_MAX either way. */
int fhir_pseudonym_shift(const unsigned char key[PSEUDONYM_KEY_LEN],
			 int64_t pid);

/*
 * A new resource holding what research may see of `res` (a Patient or
 * an Observation of patient `pid`), or NULL for another type.
 */
json_t *fhir_pseudonymise(const unsigned char key[PSEUDONYM_KEY_LEN],
			  json_t *res, int64_t pid);

#endif

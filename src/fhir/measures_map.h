/*
 * Questionnaires and their answers as FHIR (questionnaire.c,
 * questionnaireresponse.c): an organisation's questionnaire as the
 * Questionnaire it uploaded, a stored response as a
 * QuestionnaireResponse with who answered in which voice and the scores
 * cocare computed, and the checks of what a client sends around the
 * answers (the answers themselves are questionnaire.h's). Pure code: no
 * HTTP, no database.
 */
#ifndef FHIR_MEASURES_MAP_H
#define FHIR_MEASURES_MAP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fhir/outcome.h"

struct instrument;
struct measure_response;
struct org_instrument;
struct response_score;

#define FHIR_EXT_SCORE "https://cocare.org/fhir/StructureDefinition/score-result"
#define FHIR_EXT_MODE "https://cocare.org/fhir/StructureDefinition/response-mode"
#define FHIR_EXT_REQUEST \
	"https://cocare.org/fhir/StructureDefinition/questionnaire-request"
#define FHIR_EXT_STARTED \
	"https://cocare.org/fhir/StructureDefinition/response-started"
#define FHIR_EXT_SCORED_AS \
	"https://cocare.org/fhir/StructureDefinition/scored-as"
#define FHIR_ID_ACCOUNT_SYSTEM "https://cocare.org/fhir/identifier/account"

/*
 * The Questionnaire of an organisation's questionnaire: its stored JSON
 * with id (cocare's), and meta (versionId "1", lastUpdated when it was
 * added) set. A new reference, NULL when the stored text is not JSON.
 */
json_t *fhir_questionnaire_json(const struct org_instrument *oi);

/*
 * The library's instruments are Questionnaires too, with ids from
 * FHIR_LIBRARY_BASE up: the base plus 48 bits of a hash of the library id
 * ("phq-9"), so an instrument keeps its id from one release to the next
 * and never meets an organisation's (id_new() ids stay far below).
 */
#define FHIR_LIBRARY_BASE (INT64_C(1) << 62)
int64_t fhir_library_questionnaire_id(const char *library_id);

/*
 * The Questionnaire of library instrument `in`: its file as built into
 * cocare, with id and meta (versionId "1"; no lastUpdated: it changes
 * only with cocare). A new reference; NULL when the file is not there
 * (an instrument added by a test) or not JSON.
 */
json_t *fhir_library_questionnaire_json(const struct instrument *in);

/*
 * Checks the top-level elements of a Questionnaire a client sends
 * (unknown ones, wrong JSON types, modifier extensions); its items are
 * q_parse()'s. False with issues added.
 */
bool fhir_questionnaire_check(struct fhir_outcome *oo, json_t *in);

/*
 * A stored response as a QuestionnaireResponse: the stored answers'
 * items and questionnaire, with id, meta (versionId its version,
 * lastUpdated updated_ms), status, subject, authored (when completed, or
 * last saved), author (the account that entered the answers, its type
 * and voice), source (the patient, unless a caregiver answered alone),
 * language, the mode (self or with a professional), when it was started
 * and the request it answers as extensions, and each of the `n` scores as a score-result extension.
 * A new reference; NULL when out of memory.
 */
json_t *fhir_response_json(const struct measure_response *r,
			   const struct response_score *s, size_t n);

/* What a client's QuestionnaireResponse says around its answers. */
struct fhir_response_in {
	const char *questionnaire;	/* canonical or Questionnaire/<id> */
	const char *status;		/* "in-progress" or "completed" */
	int64_t patient_id;
};

/*
 * Checks a QuestionnaireResponse's top-level elements and reads
 * questionnaire, status and subject into `out`. Refused: unknown
 * elements and wrong JSON types (400), a modifier extension, a status
 * other than in-progress and completed, a missing questionnaire, a
 * subject that is no Patient reference (422). False with issues added.
 */
bool fhir_response_parse(json_t *in, struct fhir_response_in *out,
			 struct fhir_outcome *oo);

#endif

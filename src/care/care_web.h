/*
 * The care record's pages: each part contributes a route table (plan,
 * what matters and crisis plan, notes, review conversations, shared
 * decisions, the plain-words list), and shares here what every care page
 * has: the patient's name and the care-record navigation, participant
 * pickers, plain-words advice for professionals and readable
 * differences between versions.
 */
#ifndef CARE_CARE_WEB_H
#define CARE_CARE_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/policy.h"
#include "care/care.h"
#include "core/err.h"

struct http_router;
struct web;
struct patient;
struct problems;

enum err plan_web_routes(struct http_router *r);	/* plan_web.c */
enum err crisis_web_routes(struct http_router *r);	/* crisis_web.c */
enum err note_web_routes(struct http_router *r);	/* note_web.c */
enum err dialog_web_routes(struct http_router *r);	/* dialog_web.c */
enum err decision_web_routes(struct http_router *r);	/* decision_web.c */
enum err jargon_web_routes(struct http_router *r);	/* jargon_web.c */

/*
 * A new page of patient `pid`'s care record (the caller has checked
 * access): page_new() with the title plus "patient_id", "patient_name",
 * "own" (the patient's own record) and "care_nav", the links to the parts
 * of the record the person may read, `section` ("matters", "plan",
 * "crisis", "notes", "reviews", "decisions", "measures",
 * "questionnaires", "readings") marked current; templates
 * show it with {{>care_nav}}. NULL with *e set on failure.
 */
json_t *care_page_new(struct web *w, int64_t pid, const char *title_msgid,
		      const char *section, enum err *e);

/* The patient's name for pages ("María López"); "" when not found. */
const char *care_patient_name(struct web *w, int64_t pid);

/* Words for a voice ("patient", "caregiver", "professional", "staff",
 * "system"), translated: "the patient", "a caregiver", ... */
const char *care_voice_label(struct web *w, const char *voice);

/*
 * Participant checkboxes under "participants" ([{field, name, role,
 * checked}]): the patient, caregivers with an active grant and the care
 * team. Without `from_form`, the patient and the signed-in person are
 * checked; with it, the checks follow the submitted form.
 */
enum err care_participants_choices(struct web *w, json_t *ctx, int64_t pid,
				   bool from_form);

/*
 * The participants ticked in the form (fields "part_patient",
 * "part_<account id>", only people offered above) as a JSON array text
 * [{"id", "name", "voice"}] in the request arena, and whether the
 * patient (or a caregiver) and a professional took part. ERR_INVALID
 * when nobody was ticked.
 */
enum err care_participants_from_form(struct web *w, int64_t pid,
				     const char **json_out,
				     bool *patient_side, bool *professional);

/* Stored participants JSON shown as `key`: [{name, voice}] (translated),
 * and as one line "<key>_text": "María López (the patient), ...". */
void care_participants_show(struct web *w, json_t *ctx, const char *key,
			    const char *json);

/*
 * Plain-words advice on `text`, which a patient will read, for
 * professionals only: appends {label, score, band, hits: [{term,
 * plain}], marked} to ctx's "plain_words" array (the template shows it
 * with {{>plain_words}}). The jargon list is the built-in one for the
 * page's language with the organisation's changes. Advice only.
 */
void care_plain_words(struct web *w, json_t *ctx, const char *label_msgid,
		      const char *text);

/* A field of a versioned part: the key in its JSON and an English label. */
struct care_field {
	const char *key;
	const char *label;	/* msgid */
};

/*
 * Appends {label, html} to `arr` for each field whose text differs
 * between two versions' fields (JSON object texts; NULL = empty): the
 * difference word by word, removed text in <del>, added in <ins>.
 */
enum err care_diff_fields(struct web *w, json_t *arr,
			  const struct care_field *f, size_t n,
			  const char *before_json, const char *after_json);

/* "22 Nov 2026" for a stored YYYY-MM-DD date; "" stays "". */
const char *care_date_label(struct web *w, const char *date);

/* An id as text ("123") in the request arena, for audit records. */
const char *care_id_text(struct web *w, int64_t id);

/* A form value as `key` of `o`, set even when empty ("" for NULL) so the
 * template never falls back to an outer value of the same name. */
void care_jform(json_t *o, const char *key, const char *value);

/* The version a form was opened on, its hidden field "version" (1 to
 * INT32_MAX); false when it is not one. */
bool care_form_version(struct web *w, int64_t *out);

/*
 * The ids of a page about one record of a patient,
 * /patients/:id/.../:<param>: both read from the route (a bad one is
 * ERR_NOT_FOUND, before any access check), then the care record checked
 * for `act` with patient_access_or_respond(), which may answer itself
 * (`*answered` set, ERR_OK).
 */
enum err care_record_ids_or_respond(struct web *w, const char *param,
				    enum action act, int64_t *pid,
				    int64_t *id, bool *answered);

#endif

/*
 * Questionnaires and their answers as FHIR (see measures_map.h).
 */
#include "fhir/measures_map.h"

#include <string.h>

#include "auth/actor.h"
#include "core/embed.h"
#include "fhir/datetime.h"
#include "fhir/resource.h"
#include "fhir/shape.h"
#include "fhir/trail.h"
#include "measures/instrument.h"
#include "measures/org_instrument.h"
#include "measures/response.h"
#include "core/banned.h"

/* The R4 Questionnaire's elements; the items are q_parse()'s. */
static const struct fhir_element questionnaire_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"url", FHIR_STRING},
	{"identifier", FHIR_ARRAY},
	{"version", FHIR_STRING},
	{"name", FHIR_STRING},
	{"title", FHIR_STRING},
	{"derivedFrom", FHIR_STRINGS},
	{"status", FHIR_STRING},
	{"experimental", FHIR_BOOL},
	{"subjectType", FHIR_STRINGS},
	{"date", FHIR_STRING},
	{"publisher", FHIR_STRING},
	{"contact", FHIR_ARRAY},
	{"description", FHIR_STRING},
	{"useContext", FHIR_ARRAY},
	{"jurisdiction", FHIR_ARRAY},
	{"purpose", FHIR_STRING},
	{"copyright", FHIR_STRING},
	{"approvalDate", FHIR_STRING},
	{"lastReviewDate", FHIR_STRING},
	{"effectivePeriod", FHIR_OBJECT},
	{"code", FHIR_ARRAY},
	{"item", FHIR_ARRAY},
};

static const struct fhir_def questionnaire_def = FHIR_DEF(questionnaire_el);

/* The R4 QuestionnaireResponse's elements; the items are
 * q_answers_from_json()'s. */
static const struct fhir_element response_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"identifier", FHIR_OBJECT},
	{"basedOn", FHIR_ARRAY},
	{"partOf", FHIR_ARRAY},
	{"questionnaire", FHIR_STRING},
	{"status", FHIR_STRING},
	{"subject", FHIR_OBJECT},
	{"encounter", FHIR_OBJECT},
	{"authored", FHIR_STRING},
	{"author", FHIR_OBJECT},
	{"source", FHIR_OBJECT},
	{"item", FHIR_ARRAY},
};

static const struct fhir_def response_def = FHIR_DEF(response_el);

static json_t *
id_json(int64_t id)
{
	return json_sprintf("%lld", (long long)id);
}

static json_t *
meta_json(int64_t version, int64_t ms)
{
	char at[FHIR_INSTANT_LEN];

	fhir_instant_format(ms, at);
	return json_pack("{s:o,s:s}", "versionId", id_json(version),
			 "lastUpdated", at);
}

json_t *
fhir_questionnaire_json(const struct org_instrument *oi)
{
	json_t *r;

	if (!oi->body || !(r = json_loads(oi->body, 0, NULL)))
		return NULL;
	if (!json_is_object(r)) {
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "id", id_json(oi->id));
	/* Stored once and never changed: always version 1. */
	json_object_set_new(r, "meta", meta_json(1, oi->added_ms));
	return r;
}

int64_t
fhir_library_questionnaire_id(const char *library_id)
{
	uint64_t h = UINT64_C(14695981039346656037);	/* FNV-1a */
	const unsigned char *p;

	for (p = (const unsigned char *)library_id; *p; p++) {
		h ^= *p;
		h *= UINT64_C(1099511628211);
	}
	return FHIR_LIBRARY_BASE + (int64_t)(h & ((UINT64_C(1) << 48) - 1));
}

json_t *
fhir_library_questionnaire_json(const struct instrument *in)
{
	const struct embedded_file *f = embed_find(in->file);
	json_t *r;

	if (!f || !(r = json_loadb((const char *)f->data, f->len, 0, NULL)))
		return NULL;
	if (!json_is_object(r)) {
		json_decref(r);
		return NULL;
	}
	json_object_set_new(r, "id", id_json(fhir_library_questionnaire_id(
					     in->id)));
	json_object_set_new(r, "meta", json_pack("{s:s}", "versionId", "1"));
	return r;
}

bool
fhir_questionnaire_check(struct fhir_outcome *oo, json_t *in)
{
	return fhir_check_members(oo, in, &questionnaire_def,
				  "Questionnaire");
}

/* One score: name, then its value and band, or why it was not
 * computed. */
static json_t *
score_json(const struct response_score *s)
{
	json_t *x = json_array();

	json_array_append_new(x, json_pack("{s:s,s:s}", "url", "name",
					   "valueString", s->name));
	if (s->computed)
		json_array_append_new(
			x, json_pack("{s:s,s:f}", "url", "value",
				     "valueDecimal",
				     (double)s->value_milli / 1000));
	if (s->band && *s->band)
		json_array_append_new(x, json_pack("{s:s,s:s}", "url", "band",
						   "valueCode", s->band));
	if (!s->computed && s->reason && *s->reason)
		json_array_append_new(x, json_pack("{s:s,s:s}", "url",
						   "not-computed",
						   "valueString", s->reason));
	return json_pack("{s:s,s:o}", "url", FHIR_EXT_SCORE, "extension", x);
}

/* The FHIR type of who entered answers, by their voice. */
static const char *
voice_type(const char *voice)
{
	if (!strcmp(voice, "patient"))
		return "Patient";
	if (!strcmp(voice, "caregiver"))
		return "RelatedPerson";
	if (!strcmp(voice, "system"))
		return "Device";
	return "Practitioner";
}

/* Who entered the answers: their account, name and voice; the patient's
 * own account is the Patient. */
static json_t *
author_json(const struct measure_response *r, const char *voice)
{
	json_t *a = json_pack("{s:[{s:s,s:s}],s:s,s:{s:s,s:o}}", "extension",
			      "url", FHIR_EXT_VOICE, "valueCode", voice, "type",
			      voice_type(voice), "identifier", "system",
			      FHIR_ID_ACCOUNT_SYSTEM, "value",
			      id_json(r->entered_by));

	if (!a)
		return NULL;
	if (!strcmp(voice, "patient"))
		json_object_set_new(a, "reference",
				    json_sprintf("Patient/%lld",
						 (long long)r->patient_id));
	if (r->entered_by_name && *r->entered_by_name)
		json_object_set_new(a, "display",
				    json_string(r->entered_by_name));
	return a;
}

json_t *
fhir_response_json(const struct measure_response *r,
		   const struct response_score *s, size_t n)
{
	char at[FHIR_INSTANT_LEN];
	json_t *out, *ext, *author, *stored;
	const char *voice;
	enum role role;
	size_t i;

	stored = r->answers ? json_loads(r->answers, 0, NULL) : NULL;
	out = json_pack("{s:s,s:o,s:o}", "resourceType",
			"QuestionnaireResponse", "id", id_json(r->id), "meta",
			meta_json(r->version, r->updated_ms));
	if (!out) {
		json_decref(stored);
		return NULL;
	}
	if (r->lang && *r->lang)
		json_object_set_new(out, "language", json_string(r->lang));
	ext = json_array();
	json_array_append_new(ext, json_pack("{s:s,s:s}", "url", FHIR_EXT_MODE,
					     "valueCode", r->mode));
	fhir_instant_format(r->started_ms, at);
	json_array_append_new(ext, json_pack("{s:s,s:s}", "url",
					     FHIR_EXT_STARTED, "valueDateTime",
					     at));
	if (r->request_id)
		json_array_append_new(ext, json_pack("{s:s,s:o}", "url",
						     FHIR_EXT_REQUEST,
						     "valueString",
						     id_json(r->request_id)));
	for (i = 0; i < n; i++)
		json_array_append_new(ext, score_json(&s[i]));
	json_object_set_new(out, "extension", ext);
	/* The canonical the answers were given to, as stored with them. */
	json_object_set_new(
		out, "questionnaire",
		*r->instrument_version
			? json_sprintf("%s|%s", r->instrument_url,
				       r->instrument_version)
			: json_string(r->instrument_url));
	json_object_set_new(out, "status", json_string(r->status));
	json_object_set_new(out, "subject",
			    json_pack("{s:o}", "reference",
				      json_sprintf("Patient/%lld",
						   (long long)r->patient_id)));
	fhir_instant_format(response_answered_ms(r), at);
	json_object_set_new(out, "authored", json_string(at));
	voice = r->entered_by_role && role_parse(r->entered_by_role, &role)
			? role_voice(role)
			: "staff";
	author = author_json(r, voice);
	if (author)
		json_object_set_new(out, "author", author);
	/* The patient answered, alone or with a professional entering the
	 * answers; a caregiver answering alone answered for them. */
	if (strcmp(r->mode, "self") != 0 || !strcmp(voice, "patient"))
		json_object_set_new(
			out, "source",
			json_pack("{s:o}", "reference",
				  json_sprintf("Patient/%lld",
					       (long long)r->patient_id)));
	if (json_is_object(stored) &&
	    json_is_array(json_object_get(stored, "item")))
		json_object_set(out, "item", json_object_get(stored, "item"));
	json_decref(stored);
	return out;
}

bool
fhir_response_parse(json_t *in, struct fhir_response_in *out,
		    struct fhir_outcome *oo)
{
	const char *subject;
	json_t *sub;
	bool ok = fhir_check_members(oo, in, &response_def,
				     "QuestionnaireResponse");

	memset(out, 0, sizeof(*out));
	out->status = fhir_string_of(in, "status");
	if (!out->status) {
		if (!json_object_get(in, "status"))
			fhir_fail(oo, 422, "required",
				  "QuestionnaireResponse.status",
				  "Say whether the answers are completed or "
				  "in-progress.");
		ok = false;
	} else if (strcmp(out->status, "completed") != 0 &&
		   strcmp(out->status, "in-progress") != 0) {
		fhir_fail(oo, 422, "code-invalid",
			  "QuestionnaireResponse.status",
			  "cocare keeps answers that are completed or "
			  "in-progress; amended, stopped and "
			  "entered-in-error answers cannot be sent.");
		ok = false;
	}
	out->questionnaire = fhir_string_of(in, "questionnaire");
	if (!out->questionnaire && !json_object_get(in, "questionnaire")) {
		fhir_fail(oo, 422, "required",
			  "QuestionnaireResponse.questionnaire",
			  "Say which questionnaire was answered: its "
			  "canonical url, or Questionnaire/<id>.");
		ok = false;
	}
	sub = json_object_get(in, "subject");
	subject = json_is_object(sub) ? fhir_string_of(sub, "reference")
				      : NULL;
	if (!sub) {
		fhir_fail(oo, 422, "required", "QuestionnaireResponse.subject",
			  "Say whose answers these are: "
			  "subject.reference Patient/<id>.");
		ok = false;
	} else if (!json_is_object(sub) ||
		   !fhir_check_members(oo, sub, &fhir_reference_def,
				       "QuestionnaireResponse.subject")) {
		ok = false;	/* reported by the member checks */
	} else if (!fhir_ref_parse(subject, "Patient", &out->patient_id)) {
		fhir_fail(oo, 422, "invalid",
			  "QuestionnaireResponse.subject.reference",
			  "The subject must be a reference Patient/<id> to a "
			  "patient of this organisation.");
		ok = false;
	}
	return ok && !fhir_failed(oo);
}

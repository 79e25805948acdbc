/*
 * The care record's FHIR resources (see care_map.h): CarePlan for the
 * shared care plan and the crisis plan, Goal, and Composition for a
 * progress note. People are named by account: a reference with the
 * account as a logical identifier and their name as display, since the
 * API has no resource for accounts yet; the patient is Patient/<id>.
 */
#include "fhir/care_map.h"

#include <string.h>

#include "care/agreement.h"
#include "care/markdown.h"
#include "care/version.h"
#include "core/str.h"
#include "fhir/datetime.h"
#include "core/banned.h"

#define EXT "https://cocare.org/fhir/StructureDefinition/"
#define CS "https://cocare.org/fhir/CodeSystem/"
#define ACCOUNT_SYSTEM "https://cocare.org/fhir/identifier/account"
#define USCORE_CATEGORY \
	"http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
#define GOAL_ACHIEVEMENT \
	"http://terminology.hl7.org/CodeSystem/goal-achievement"
#define XHTML_NS "http://www.w3.org/1999/xhtml"

int64_t
fhir_careplan_id(int64_t pid, bool crisis)
{
	return crisis ? FHIR_CRISIS_PLAN_BASE + pid : pid;
}

bool
fhir_careplan_id_split(int64_t id, int64_t *pid, bool *crisis)
{
	if (id <= 0)
		return false;
	*crisis = id >= FHIR_CRISIS_PLAN_BASE;
	*pid = *crisis ? id - FHIR_CRISIS_PLAN_BASE : id;
	return *pid > 0;
}

/* --- small pieces ------------------------------------------------------- */

static json_t *
id_json(int64_t id)
{
	return json_sprintf("%lld", (long long)id);
}

static json_t *
instant_json(int64_t ms)
{
	char s[FHIR_INSTANT_LEN];

	fhir_instant_format(ms, s);
	return json_string(s);
}

/* A string element: FHIR has no empty strings, so "" is left out. */
static json_t *
text_json(const char *s)
{
	return s && *s ? json_string(s) : NULL;
}

/* Sets `key` of `o` to `v` (stolen) unless `v` is NULL. */
static void
put(json_t *o, const char *key, json_t *v)
{
	if (v)
		json_object_set_new(o, key, v);
}

/* Sets `key` of `o` to the array `arr` (stolen) unless it is empty. */
static void
put_array(json_t *o, const char *key, json_t *arr)
{
	if (json_array_size(arr))
		json_object_set_new(o, key, arr);
	else
		json_decref(arr);
}

static json_t *
patient_ref(int64_t pid)
{
	return json_pack("{s:o}", "reference",
			 json_sprintf("Patient/%lld", (long long)pid));
}

/*
 * A person with an account: its id as a logical identifier and the name
 * as display; `type` (a resource type, or NULL) only where cocare knows
 * the person's role. NULL for no account and no name.
 */
static json_t *
account_ref(const char *type, int64_t id, const char *name)
{
	json_t *r;

	if (!id && !(name && *name))
		return NULL;
	r = json_object();
	put(r, "type", type ? json_string(type) : NULL);
	if (id)
		json_object_set_new(r, "identifier",
				    json_pack("{s:s,s:o}", "system",
					      ACCOUNT_SYSTEM, "value",
					      id_json(id)));
	put(r, "display", text_json(name));
	return r;
}

/* Appends {url: prefix name, vkey: v} to `arr`; v is stolen, and
 * nothing is added when it is NULL. */
static void
ext_add(json_t *arr, const char *prefix, const char *name, const char *vkey,
	json_t *v)
{
	if (v)
		json_array_append_new(arr, json_pack("{s:s+,s:o}", "url",
						     prefix, name, vkey, v));
}

/* A cocare extension of a resource or element. */
static void
ext(json_t *arr, const char *name, const char *vkey, json_t *v)
{
	ext_add(arr, EXT, name, vkey, v);
}

/* A part of a complex extension: its url is the bare name. */
static void
sub(json_t *arr, const char *name, const char *vkey, json_t *v)
{
	ext_add(arr, "", name, vkey, v);
}

/* Appends a complex cocare extension (with element id `id` unless 0) to
 * `arr`; returns its parts' array (borrowed). */
static json_t *
complex_ext(json_t *arr, const char *name, int64_t id)
{
	json_t *parts = json_array();
	json_t *e = json_pack("{s:s+,s:o}", "url", EXT, name, "extension",
			      parts);

	if (id)
		json_object_set_new(e, "id", id_json(id));
	json_array_append_new(arr, e);
	return parts;
}

/* {"versionId": "<version>", "lastUpdated": <instant>} */
static json_t *
meta_json(int64_t version, int64_t updated_ms)
{
	return json_pack("{s:o,s:o}", "versionId", id_json(version),
			 "lastUpdated", instant_json(updated_ms));
}

static json_t *
coding_json(const char *system, const char *code, const char *display)
{
	json_t *c = json_pack("{s:s,s:s}", "system", system, "code", code);

	put(c, "display", text_json(display));
	return c;
}

static json_t *
concept_json(const char *system, const char *code, const char *display)
{
	return json_pack("{s:[o]}", "coding",
			 coding_json(system, code, display));
}

/* --- plan items --------------------------------------------------------- */

/* Who agrees, and who disputes the item and why. */
static void
agreement_ext(json_t *exts, const struct plan_item *it)
{
	const struct agreement *ag = &it->agreement;
	json_t *x = complex_ext(exts, "agreement", 0);

	sub(x, "state", "valueCode",
	    json_string(agreement_state_name(agreement_state(ag))));
	sub(x, "patient", "valueBoolean", json_boolean(ag->patient));
	sub(x, "professional", "valueBoolean",
	    json_boolean(ag->professional));
	if (!ag->disputed)
		return;
	sub(x, "disputed-by", "valueReference",
	    account_ref(NULL, it->disputed_by, it->disputed_by_name));
	sub(x, "disputed-voice", "valueCode",
	    json_string(ag->disputed_by_patient ? "patient"
						: "professional"));
	sub(x, "comment", "valueString", text_json(it->dispute_comment));
}

/* What a goal and an action share: who proposed it in which voice, its
 * agreement, where it came from and when it was made. */
static json_t *
item_exts(const struct plan_item *it)
{
	json_t *exts = json_array();

	ext(exts, "voice", "valueCode", text_json(it->proposed_voice));
	ext(exts, "proposed-by", "valueReference",
	    account_ref(NULL, it->proposed_by, it->proposed_by_name));
	agreement_ext(exts, it);
	ext(exts, "source", "valueString", text_json(it->source));
	ext(exts, "created", "valueInstant", instant_json(it->created_ms));
	return exts;
}

const char *
fhir_goal_lifecycle(const char *status)
{
	if (status && !strcmp(status, "achieved"))
		return "completed";
	if (status && !strcmp(status, "stopped"))
		return "cancelled";
	return "active";
}

json_t *
fhir_goal_json(const struct plan_item *g)
{
	json_t *r, *exts = item_exts(g), *target = NULL;

	ext(exts, "clinical-wording", "valueString", text_json(g->clinical));
	r = json_pack("{s:s,s:o,s:o}", "resourceType", "Goal", "id",
		      id_json(g->id), "meta",
		      meta_json(g->version, g->updated_ms));
	if (!r) {
		json_decref(exts);
		return NULL;
	}
	put_array(r, "extension", exts);
	json_object_set_new(r, "lifecycleStatus",
			    json_string(fhir_goal_lifecycle(g->status)));
	if (g->status && !strcmp(g->status, "achieved"))
		json_object_set_new(r, "achievementStatus",
				    concept_json(GOAL_ACHIEVEMENT, "achieved",
						 "Achieved"));
	put(r, "description", json_pack("{s:s}", "text", g->text));
	json_object_set_new(r, "subject", patient_ref(g->patient_id));
	/* The sign of progress is what is tracked; the target date when. */
	if ((g->progress_sign && *g->progress_sign) ||
	    (g->due_date && *g->due_date)) {
		target = json_object();
		if (g->progress_sign && *g->progress_sign)
			json_object_set_new(target, "measure",
					    json_pack("{s:s}", "text",
						      g->progress_sign));
		put(target, "dueDate", text_json(g->due_date));
		json_object_set_new(r, "target", json_pack("[o]", target));
	}
	put(r, "expressedBy",
	    account_ref(NULL, g->proposed_by, g->proposed_by_name));
	return r;
}

/* CarePlan.activity.detail.status of an action status. */
static const char *
action_status(const char *status)
{
	static const struct {
		const char *cocare, *fhir;
	} map[] = {
		{"planned", "not-started"},
		{"in_progress", "in-progress"},
		{"done", "completed"},
		{"stopped", "stopped"},
	};
	size_t i;

	for (i = 0; status && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].cocare, status))
			return map[i].fhir;
	return "unknown";
}

/* Who does an action: the patient, or the named professional or
 * caregiver. */
static json_t *
performer_json(const struct plan_item *it)
{
	if (!it->owner_kind || !strcmp(it->owner_kind, "patient"))
		return patient_ref(it->patient_id);
	return account_ref(strcmp(it->owner_kind, "caregiver")
				   ? "Practitioner"
				   : "RelatedPerson",
			   it->owner_id, it->owner_name);
}

static json_t *
activity_json(const struct plan_item *it)
{
	json_t *exts = item_exts(it), *detail, *who;

	ext(exts, "item-version", "valueInteger", json_integer(it->version));
	ext(exts, "updated", "valueInstant", instant_json(it->updated_ms));
	detail = json_pack("{s:s}", "status", action_status(it->status));
	if (it->goal_id)
		json_object_set_new(
			detail, "goal",
			json_pack("[{s:o}]", "reference",
				  json_sprintf("Goal/%lld",
					       (long long)it->goal_id)));
	if (it->due_date && *it->due_date)
		json_object_set_new(detail, "scheduledPeriod",
				    json_pack("{s:s}", "end", it->due_date));
	if ((who = performer_json(it)))
		json_object_set_new(detail, "performer", json_pack("[o]", who));
	put(detail, "description", text_json(it->text));
	/* The item's id as the element id, so a client can tell items
	 * apart from one version of the plan to the next. */
	return json_pack("{s:o,s:o,s:o}", "id", id_json(it->id), "extension",
			 exts, "detail", detail);
}

/* --- the shared care plan ----------------------------------------------- */

bool
fhir_plan_exists(const struct fhir_plan *p)
{
	return p->plan_version > 0 || p->nitems > 0 ||
	       (p->matters && p->matters->doc.version > 0) ||
	       p->review_count > 0;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t
fhir_plan_updated_ms(const struct fhir_plan *p)
{
	int64_t t = p->changed_ms;
	size_t i;

	for (i = 0; i < p->nitems; i++)
		t = max64(t, p->items[i].updated_ms);
	for (i = 0; i < p->nreviews; i++)
		t = max64(t, p->reviews[i].at_ms);
	/* A confirmation changes the version, not updated_ms. */
	if (p->matters && p->matters->doc.version > 0)
		t = max64(t, max64(p->matters->doc.updated_ms,
				   p->matters->confirmed_ms));
	return t;
}

static void
matters_ext(json_t *exts, const struct matters *m)
{
	json_t *x;
	int i;

	if (!m || m->doc.version <= 0)
		return;
	x = complex_ext(exts, "what-matters", 0);
	for (i = 0; i < MATTERS__MAX; i++)
		sub(x, matters_part_info((enum matters_part)i)->key,
		    "valueString", text_json(m->text[i]));
	sub(x, "version", "valueInteger", json_integer(m->doc.version));
	sub(x, "updated", "valueInstant", instant_json(m->doc.updated_ms));
	sub(x, "updated-by", "valueReference",
	    account_ref(NULL, m->doc.updated_by, m->doc.updated_by_name));
	sub(x, "voice", "valueCode", text_json(m->doc.voice));
	sub(x, "written-with-patient", "valueBoolean",
	    json_boolean(m->written_with_patient));
	if (m->confirmed_ms)
		sub(x, "confirmed", "valueInstant",
		    instant_json(m->confirmed_ms));
}

/* A review's participant, from its stored JSON {id, name, voice}: the
 * patient (id "patient"), else an account in the role of its voice. */
static json_t *
participant_ref(int64_t pid, json_t *p)
{
	const char *id = json_string_value(json_object_get(p, "id"));
	const char *name = json_string_value(json_object_get(p, "name"));
	const char *voice = json_string_value(json_object_get(p, "voice"));
	int64_t acc = 0;
	json_t *r;

	if (!id || !strcmp(id, "patient")) {
		r = patient_ref(pid);
		put(r, "display", text_json(name));
		return r;
	}
	if (!str_to_i64(str_c(id), 1, INT64_MAX, &acc))
		acc = 0;
	return account_ref(voice && !strcmp(voice, "caregiver")
				   ? "RelatedPerson"
				   : "Practitioner",
			   acc, name);
}

static void
review_ext(json_t *exts, int64_t pid, const struct plan_review *r)
{
	json_t *x = complex_ext(exts, "review", r->id);
	json_t *people = json_loads(r->participants ? r->participants : "[]",
				    0, NULL);
	json_t *v;
	size_t i;

	sub(x, "date", "valueInstant", instant_json(r->at_ms));
	sub(x, "recorded-by", "valueReference",
	    account_ref(NULL, r->recorded_by, r->recorded_by_name));
	json_array_foreach(people, i, v)
		sub(x, "participant", "valueReference",
		    participant_ref(pid, v));
	json_decref(people);
	sub(x, "patient-took-part", "valueBoolean",
	    json_boolean(r->patient_took_part));
	sub(x, "professional-took-part", "valueBoolean",
	    json_boolean(r->professional_took_part));
	sub(x, "summary", "valueString", text_json(r->summary));
	sub(x, "from-version", "valueInteger", json_integer(r->from_version));
	sub(x, "to-version", "valueInteger", json_integer(r->to_version));
}

/* The fields both CarePlans start with. */
static json_t *
careplan_new(int64_t id, int64_t version, int64_t updated_ms,
	     json_t *exts, json_t *category, const char *title, int64_t pid)
{
	json_t *r = json_pack("{s:s,s:o,s:o}", "resourceType", "CarePlan",
			      "id", id_json(id), "meta",
			      meta_json(version, updated_ms));

	if (!r) {
		json_decref(exts);
		json_decref(category);
		return NULL;
	}
	put_array(r, "extension", exts);
	json_object_set_new(r, "status", json_string("active"));
	json_object_set_new(r, "intent", json_string("plan"));
	put(r, "category", json_pack("[o]", category));
	json_object_set_new(r, "title", json_string(title));
	json_object_set_new(r, "subject", patient_ref(pid));
	return r;
}

json_t *
fhir_plan_json(const struct fhir_plan *p)
{
	json_t *r, *exts = json_array(), *goals, *acts, *category;
	int64_t version = p->plan_version + p->review_count;
	size_t i;

	if (p->matters)
		version += p->matters->doc.version;
	ext(exts, "plan-version", "valueInteger",
	    json_integer(p->plan_version));
	matters_ext(exts, p->matters);
	for (i = 0; i < p->nreviews; i++)
		review_ext(exts, p->patient_id, &p->reviews[i]);
	category = concept_json(USCORE_CATEGORY, "assess-plan",
				"Assessment and Plan of Treatment");
	r = careplan_new(fhir_careplan_id(p->patient_id, false), version,
			 fhir_plan_updated_ms(p), exts, category,
			 "Shared care plan", p->patient_id);
	if (!r)
		return NULL;
	goals = json_array();
	acts = json_array();
	for (i = 0; i < p->nitems; i++) {
		const struct plan_item *it = &p->items[i];

		if (it->kind && !strcmp(it->kind, CARE_GOAL))
			json_array_append_new(
				goals, json_pack("{s:o}", "reference",
						 json_sprintf("Goal/%lld",
							      (long long)
								      it->id)));
		else
			json_array_append_new(acts, activity_json(it));
	}
	put_array(r, "goal", goals);
	put_array(r, "activity", acts);
	return r;
}

/* --- the crisis plan ---------------------------------------------------- */

static bool
has_text(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return true;
	return false;
}

json_t *
fhir_crisis_json(struct arena *a, int64_t pid, const struct crisis_plan *cp)
{
	json_t *r, *exts = json_array(), *acts = json_array(), *category;
	size_t i, k, n;

	ext(exts, "updated-by", "valueReference",
	    account_ref(NULL, cp->doc.updated_by, cp->doc.updated_by_name));
	ext(exts, "voice", "valueCode", text_json(cp->doc.voice));
	category = concept_json(CS "careplan-category", "crisis-plan",
				"Crisis plan");
	r = careplan_new(fhir_careplan_id(pid, true), cp->doc.version,
			 cp->doc.updated_ms, exts, category, "Crisis plan",
			 pid);
	for (i = 0; r && i < CRISIS__MAX; i++) {
		const struct document_part *s =
			crisis_section_info((enum crisis_section)i);
		const char **lines = crisis_lines(a, cp->text[i], &n);

		if (!lines && has_text(cp->text[i])) {
			json_decref(r);
			r = NULL;	/* the arena is full */
			break;
		}
		/* Each item of a section is one activity; the section is its
		 * code. cocare keeps no status for them. */
		for (k = 0; k < n; k++)
			json_array_append_new(
				acts,
				json_pack("{s:{s:o,s:s,s:s}}", "detail",
					  "code",
					  concept_json(CS "crisis-plan-section",
						       s->key, s->label),
					  "status", "unknown", "description",
					  lines[k]));
	}
	if (!r) {
		json_decref(acts);
		return NULL;
	}
	put_array(r, "activity", acts);
	return r;
}

/* --- notes -------------------------------------------------------------- */

static json_t *
note_author(const struct note *n)
{
	/* Notes are written by professionals only (policy.h). */
	return account_ref("Practitioner", n->author_id, n->author_name);
}

/*
 * A section with `md` as its text: the narrative rendered as the note
 * page renders it, the Markdown itself in an extension. NULL when the
 * arena is full.
 */
static json_t *
section_json(struct arena *a, const char *code, const char *display,
	     json_t *author, const char *md)
{
	char *html = markdown_html(a, md, strlen(md));
	json_t *s, *exts;

	if (!html) {
		json_decref(author);
		return NULL;
	}
	exts = json_array();
	ext(exts, "markdown", "valueMarkdown", text_json(md));
	s = json_pack("{s:o,s:o,s:{s:s,s:o}}", "extension", exts, "code",
		      concept_json(CS "note-section", code, display), "text",
		      "status", "extensions", "div",
		      json_sprintf("<div xmlns=\"" XHTML_NS "\">%s</div>",
				   html));
	if (s && author)
		json_object_set_new(s, "author", json_pack("[o]", author));
	else
		json_decref(author);
	return s;
}

/* A paragraph of a co-written note: its author is whose words they are
 * (the patient, or the note's author), with who typed them. */
static json_t *
paragraph_json(struct arena *a, const struct note *n,
	       const struct note_paragraph *p)
{
	bool patient = p->voice && !strcmp(p->voice, "patient");
	json_t *s = section_json(a, "paragraph", "Paragraph",
				 patient ? patient_ref(n->patient_id)
					 : note_author(n),
				 p->body);
	json_t *exts = json_object_get(s, "extension");

	ext(exts, "voice", "valueCode", text_json(p->voice));
	ext(exts, "position", "valueInteger", json_integer(p->position));
	ext(exts, "typed-by", "valueReference",
	    account_ref(NULL, p->author_id,
			p->author_id == n->author_id ? n->author_name : ""));
	return s;
}

static void
view_ext(json_t *exts, const struct note_view *v)
{
	json_t *x = complex_ext(exts, "view", v->id);

	sub(x, "author", "valueReference",
	    account_ref(NULL, v->author_id, v->author_name));
	sub(x, "voice", "valueCode", text_json(v->voice));
	sub(x, "date", "valueInstant", instant_json(v->at_ms));
	sub(x, "text", "valueString", text_json(v->body));
}

static void
amendment_ext(json_t *exts, const struct note_amendment *m)
{
	json_t *x = complex_ext(exts, "amendment", m->id);

	sub(x, "requested-by", "valueReference",
	    account_ref(NULL, m->requested_by, m->requested_by_name));
	sub(x, "requested", "valueInstant", instant_json(m->requested_ms));
	sub(x, "request", "valueString", text_json(m->request));
	sub(x, "status", "valueCode", text_json(m->status));
	if (m->status && !strcmp(m->status, "open"))
		return;
	sub(x, "answered-by", "valueReference",
	    account_ref(NULL, m->answered_by, m->answered_by_name));
	sub(x, "answered", "valueInstant", instant_json(m->answered_ms));
	sub(x, "answer", "valueString", text_json(m->answer));
}

static json_t *
note_exts(const struct fhir_note *fn)
{
	const struct note *n = fn->note;
	json_t *exts = json_array();
	const char *label;
	size_t i;

	ext(exts, "cowritten", "valueBoolean", json_boolean(n->cowritten));
	ext(exts, "shared-with-patient", "valueBoolean",
	    json_boolean(n->shared));
	if (!n->shared && n->withheld_reason && *n->withheld_reason) {
		label = note_reason_label(n->withheld_reason);
		ext(exts, "withheld-reason", "valueCoding",
		    coding_json(CS "note-withheld-reason", n->withheld_reason,
				label));
	}
	for (i = 0; i < fn->nviews; i++)
		view_ext(exts, &fn->views[i]);
	for (i = 0; i < fn->namendments; i++)
		amendment_ext(exts, &fn->amendments[i]);
	return exts;
}

/* The sections: the note's text; for a co-written note its paragraphs,
 * after the corrected text once it was corrected (as the page shows). */
static json_t *
sections_json(struct arena *a, const struct fhir_note *fn)
{
	const struct note *n = fn->note;
	json_t *arr = json_array(), *s;
	size_t i;

	if (!n->cowritten || n->version > 1) {
		if (!(s = section_json(a, "note", "Note", note_author(n),
				       n->body)))
			goto fail;
		json_array_append_new(arr, s);
	}
	for (i = 0; n->cowritten && i < fn->nparagraphs; i++) {
		if (!(s = paragraph_json(a, n, &fn->paragraphs[i])))
			goto fail;
		json_array_append_new(arr, s);
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

json_t *
fhir_note_json(struct arena *a, const struct fhir_note *fn)
{
	const struct note *n = fn->note;
	json_t *r, *sections = sections_json(a, fn), *author;

	if (!sections)
		return NULL;
	r = json_pack("{s:s,s:o,s:o,s:o}", "resourceType", "Composition", "id",
		      id_json(n->id), "meta",
		      meta_json(n->version, n->updated_ms), "extension",
		      note_exts(fn));
	if (!r) {
		json_decref(sections);
		return NULL;
	}
	/* Corrected or changed since it was first written: amended. */
	json_object_set_new(r, "status",
			    json_string(n->version > 1 ? "amended" : "final"));
	json_object_set_new(r, "type",
			    json_pack("{s:[o],s:s}", "coding",
				      coding_json("http://loinc.org",
						  "11506-3", "Progress note"),
				      "text", "Progress note"));
	json_object_set_new(r, "subject", patient_ref(n->patient_id));
	json_object_set_new(r, "date", instant_json(n->written_ms));
	author = note_author(n);
	json_object_set_new(r, "author", author ? json_pack("[o]", author)
						: json_pack("[{s:s}]",
							    "display",
							    "Unknown"));
	json_object_set_new(r, "title",
			    json_string(n->title && *n->title
						? n->title
						: "Progress note"));
	put_array(r, "section", sections);
	return r;
}

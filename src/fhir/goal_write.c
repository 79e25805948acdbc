/*
 * Goal writes: a goal of the shared care plan created, changed or taken
 * off the plan through the plan's own write (care/plan.h), so that it
 * is checked, versioned, attributed and put to agreement exactly as one
 * written on the plan page. Nothing here knows HTTP.
 */
#include <string.h>

#include "auth/actor.h"
#include "care/plan.h"
#include "care/version.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/problem.h"
#include "fhir/care_map.h"
#include "fhir/resource.h"
#include "fhir/shape.h"
#include "people/patient.h"
#include "core/banned.h"

#define CLINICAL_WORDING                                                   \
	"https://cocare.org/fhir/StructureDefinition/clinical-wording"

/*
 * R4 Goal. Kept: lifecycleStatus, description, subject, one target's
 * measure (the sign of progress) and dueDate, and the extension
 * clinical-wording. Accepted and not kept: id and meta (the server's),
 * language, text, contained, other extensions, identifier,
 * achievementStatus (it follows lifecycleStatus), category, priority,
 * startDate, startCodeableConcept, a target's detail[x], statusDate,
 * statusReason, expressedBy (the person writing is recorded), addresses,
 * note, outcomeCode and outcomeReference.
 */
static const struct fhir_element goal_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"identifier", FHIR_ARRAY},
	{"lifecycleStatus", FHIR_STRING},
	{"achievementStatus", FHIR_OBJECT},
	{"category", FHIR_ARRAY},
	{"priority", FHIR_OBJECT},
	{"description", FHIR_OBJECT},
	{"subject", FHIR_OBJECT},
	{"startDate", FHIR_STRING},
	{"startCodeableConcept", FHIR_OBJECT},
	{"target", FHIR_ARRAY},
	{"statusDate", FHIR_STRING},
	{"statusReason", FHIR_STRING},
	{"expressedBy", FHIR_OBJECT},
	{"addresses", FHIR_ARRAY},
	{"note", FHIR_ARRAY},
	{"outcomeCode", FHIR_ARRAY},
	{"outcomeReference", FHIR_ARRAY},
};

static const struct fhir_element target_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"measure", FHIR_OBJECT},
	{"detailQuantity", FHIR_OBJECT},
	{"detailRange", FHIR_OBJECT},
	{"detailCodeableConcept", FHIR_OBJECT},
	{"detailString", FHIR_STRING},
	{"detailBoolean", FHIR_BOOL},
	{"detailInteger", FHIR_INTEGER},
	{"detailRatio", FHIR_OBJECT},
	{"dueDate", FHIR_STRING},
	{"dueDuration", FHIR_OBJECT},
};

static const struct fhir_def goal_type = FHIR_DEF(goal_el);
static const struct fhir_def target_type = FHIR_DEF(target_el);

/* R4's goal-status codes (a required binding) and the plan's status of
 * each; NULL: a state a goal on the plan cannot be in. */
static const struct {
	const char *fhir, *plan;
} lifecycle_map[] = {
	{"proposed", "active"},	 {"planned", "active"},
	{"accepted", "active"},	 {"active", "active"},
	{"on-hold", NULL},	 {"completed", "achieved"},
	{"cancelled", "stopped"}, {"entered-in-error", NULL},
	{"rejected", NULL},
};

/* The words of a CodeableConcept: its text, else its first display. */
static const char *
concept_words(json_t *cc)
{
	const char *s = fhir_string_of(cc, "text");
	json_t *codings = json_object_get(cc, "coding");
	size_t i;
	json_t *cd;

	if (s)
		return s;
	json_array_foreach(codings, i, cd)
		if ((s = fhir_string_of(cd, "display")))
			return s;
	return NULL;
}

/* The plan status of lifecycleStatus, or NULL with an issue. */
static const char *
parse_lifecycle(struct fhir_outcome *oo, json_t *in)
{
	const char *v = fhir_string_of(in, "lifecycleStatus");
	size_t i;

	if (!v) {
		fhir_fail(oo, 400, "required", "Goal.lifecycleStatus",
			  "Say where the goal stands: lifecycleStatus "
			  "active, completed or cancelled.");
		return NULL;
	}
	for (i = 0; i < sizeof(lifecycle_map) / sizeof(lifecycle_map[0]); i++)
		if (!strcmp(v, lifecycle_map[i].fhir)) {
			if (!lifecycle_map[i].plan)
				fhir_fail(oo, 422, "not-supported",
					  "Goal.lifecycleStatus",
					  "A goal on the shared care plan is "
					  "active, completed or cancelled.");
			return lifecycle_map[i].plan;
		}
	fhir_fail(oo, 400, "code-invalid", "Goal.lifecycleStatus",
		  "lifecycleStatus is one of the goal-status codes, for "
		  "example active, completed or cancelled.");
	return NULL;
}

/* The one target cocare keeps: the sign of progress and the date. */
static bool
parse_target(struct fhir_outcome *oo, json_t *in, struct plan_item *g)
{
	json_t *targets = json_object_get(in, "target"), *t;

	g->progress_sign = "";
	g->due_date = "";
	if (!targets)
		return true;
	if (!fhir_check_each(oo, targets, &target_type, "Goal.target"))
		return false;
	if (json_array_size(targets) > 1) {
		fhir_fail(oo, 422, "not-supported", "Goal.target[1]",
			  "A goal on the plan has one sign of progress and "
			  "one target date: send one target.");
		return false;
	}
	t = json_array_get(targets, 0);
	if (json_object_get(t, "dueDuration")) {
		fhir_fail(oo, 422, "not-supported", "Goal.target[0].dueDuration",
			  "Give the target as a date (dueDate).");
		return false;
	}
	if (json_object_get(t, "measure")) {
		if (!fhir_check_concept(oo, json_object_get(t, "measure"),
					"Goal.target[0].measure"))
			return false;
		g->progress_sign =
			concept_words(json_object_get(t, "measure"));
		if (!g->progress_sign)
			g->progress_sign = "";
	}
	if (fhir_string_of(t, "dueDate"))
		g->due_date = fhir_string_of(t, "dueDate");
	return true;
}

/* The clinical wording, from its extension ("" without). */
static const char *
parse_clinical(json_t *in)
{
	json_t *exts = json_object_get(in, "extension"), *x;
	const char *url, *v;
	size_t i;

	json_array_foreach(exts, i, x) {
		url = fhir_string_of(x, "url");
		if (url && !strcmp(url, CLINICAL_WORDING) &&
		    (v = fhir_string_of(x, "valueString")))
			return v;
	}
	return "";
}

/* The plan's problems as issues: each field named as its element. */
static void
problems_to_outcome(struct fhir_outcome *oo, const struct problems *ps)
{
	static const struct {
		const char *field, *path;
	} where[] = {
		{"text", "Goal.description"},
		{"clinical", "Goal.extension"},
		{"progress_sign", "Goal.target[0].measure"},
		{"due_date", "Goal.target[0].dueDate"},
		{"status", "Goal.lifecycleStatus"},
	};
	size_t i, k;

	for (i = 0; i < ps->n; i++) {
		const char *path = "Goal";

		for (k = 0; k < sizeof(where) / sizeof(where[0]); k++)
			if (!strcmp(ps->p[i].field, where[k].field))
				path = where[k].path;
		fhir_fail(oo, 422, "business-rule", path, ps->p[i].msg);
	}
}

/*
 * Reads a Goal sent by a client into `g` (kind, text, clinical wording,
 * sign of progress, due date, status) and the patient it names. False
 * with issues in `oo` when it cannot be stored as sent.
 */
static bool
parse_goal(struct fhir_outcome *oo, json_t *in, struct plan_item *g,
	   int64_t *pid)
{
	const char *rt = fhir_string_of(in, "resourceType"), *ref;
	struct problems ps = {0};
	json_t *desc, *subject;

	if (!json_is_object(in) || !rt || strcmp(rt, "Goal")) {
		fhir_fail(oo, 400, "invalid", NULL,
			  "Send a Goal (resourceType \"Goal\").");
		return false;
	}
	if (!fhir_check_members(oo, in, &goal_type, "Goal"))
		return false;
	if (json_object_get(in, "implicitRules")) {
		fhir_fail(oo, 422, "not-supported", "Goal.implicitRules",
			  "cocare cannot follow rules it does not know: "
			  "leave out implicitRules.");
		return false;
	}
	g->kind = CARE_GOAL;
	if (!(g->status = parse_lifecycle(oo, in)))
		return false;
	desc = json_object_get(in, "description");
	if (!desc) {
		fhir_fail(oo, 400, "required", "Goal.description",
			  "Say what the goal is, in description.text.");
		return false;
	}
	if (!fhir_check_concept(oo, desc, "Goal.description"))
		return false;
	if (!(g->text = concept_words(desc))) {
		fhir_fail(oo, 422, "required", "Goal.description",
			  "Put the goal in words: description.text.");
		return false;
	}
	if (!(subject = json_object_get(in, "subject"))) {
		fhir_fail(oo, 400, "required", "Goal.subject",
			  "Say whose goal it is: subject Patient/<id>.");
		return false;
	}
	if (!fhir_check_members(oo, subject, &fhir_reference_def,
				"Goal.subject"))
		return false;
	ref = fhir_string_of(subject, "reference");
	if (!ref || !fhir_ref_parse(ref, "Patient", pid)) {
		fhir_fail(oo, 422, "invalid", "Goal.subject",
			  "A goal on the plan is a patient's: subject "
			  "Patient/<id>.");
		return false;
	}
	if (!parse_target(oo, in, g))
		return false;
	g->clinical = parse_clinical(in);
	g->owner_kind = "";
	g->source = "";
	plan_item_validate(g, &ps);
	if (ps.n) {
		problems_to_outcome(oo, &ps);
		return false;
	}
	return true;
}

/* A goal write in the making: the change(s) and who makes them. */
struct goal_job {
	struct fhir_call *call;
	struct write_info *wi;	/* its voice is final only when made */
	struct plan_change change;
	const char *new_status;	/* an update's status, if it changes */
};

/* Who writes, in which voice, when. */
static void
fill_author(struct goal_job *j, struct plan_change *pc)
{
	struct ctx *ctx = j->call->ctx;

	pc->org_id = ctx->actor.org_id;
	pc->author_id = ctx->actor.account_id;
	/* A client's Provenance in a transaction may say the words are
	 * the patient's. */
	pc->voice = j->wi->voice ? j->wi->voice : role_voice(ctx->actor.role);
	pc->at_ms = clock_now_ms();
	pc->now = ctx->now;
}

/* The step: the plan change, then the status when an update moves it
 * (the plan keeps them as two changes, as the page makes them). */
static enum err
goal_step(struct db *db, void *arg)
{
	struct goal_job *j = arg;
	struct plan_change st;
	enum err e;

	fill_author(j, &j->change);
	if ((e = plan_write(db, &j->change)) != ERR_OK || !j->new_status)
		return e;
	st = j->change;
	st.change = "status";
	st.item.version = j->change.new_version;
	st.item.status = j->new_status;
	if ((e = plan_write(db, &st)) != ERR_OK)
		return e;
	j->change.new_version = st.new_version;
	return ERR_OK;
}

/* The goal as stored, to answer with. */
static enum err
goal_result(struct fhir_call *c, struct fhir_write *w, json_t **out)
{
	struct goal_job *j = w->job;
	struct plan_item g;
	enum err e;

	if ((e = plan_item_get(c->ctx->db, c->ctx->a, j->change.patient_id,
			       w->id, &g)) != ERR_OK)
		return e;
	*out = fhir_goal_json(&g);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The patient `pid` named by a goal, checked to be of this
 * organisation (a 422 otherwise: the reference is broken). */
static enum err
check_subject(struct fhir_call *c, int64_t pid)
{
	struct patient p;
	enum err e = patient_get(c->ctx->db, c->ctx->a, pid, &p);

	if (e == ERR_OK && p.org_id != c->ctx->actor.org_id)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND) {
		fhir_fail(&c->oo, 422, "not-found", "Goal.subject",
			  "The subject is not a patient of this "
			  "organisation.");
		return ERR_INVALID;
	}
	return e;
}

static void
prepare(struct fhir_write *w, struct goal_job *j, const char *action)
{
	w->wi.action = action;
	w->wi.resource_type = PLAN_RES_GOAL;
	w->wi.resource_id = arena_printf(j->call->ctx->a, "%lld",
					 (long long)w->id);
	w->wi.patient_id = j->change.patient_id;
	w->wi.touchpoint_kind = "care-plan";
	w->wi.detail = "fhir";
	w->step.fn = goal_step;
	w->step.arg = j;
	w->job = j;
	w->result = goal_result;
	j->wi = &w->wi;
}

/* POST /fhir/Goal: a goal proposed on the patient's plan, as on the
 * plan page (it waits for the others' agreement). */
enum err
fhir_goal_create(struct fhir_call *c, json_t *in, struct fhir_write *w)
{
	struct goal_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	int64_t pid = 0;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	j->call = c;
	if (!parse_goal(&c->oo, in, &j->change.item, &pid))
		return ERR_INVALID;
	if ((e = check_subject(c, pid)) != ERR_OK ||
	    (e = fhir_allow(c, "Goal", SCOPE_CREATE, pid, RES_CARE_RECORD,
			    ACT_WRITE)) != ERR_OK)
		return e;
	j->change.change = "create";
	j->change.patient_id = pid;
	j->change.item.id = w->id;
	prepare(w, j, "create");
	return ERR_OK;
}

/* A live goal `id` of this organisation and its patient, after the
 * caller's right to write the plan is checked. */
static enum err
load_for_write(struct fhir_call *c, int64_t id, unsigned op,
	       struct plan_item *g)
{
	int64_t pid;
	enum err e;

	if ((e = plan_item_patient(c->ctx->db, id, &pid)) != ERR_OK ||
	    (e = plan_item_get(c->ctx->db, c->ctx->a, pid, id, g)) != ERR_OK)
		return e;
	if (g->org_id != c->ctx->actor.org_id || strcmp(g->kind, CARE_GOAL))
		return ERR_NOT_FOUND;
	return fhir_allow(c, "Goal", op, pid, RES_CARE_RECORD, ACT_WRITE);
}

static enum err
stale(struct fhir_call *c)
{
	fhir_fail(&c->oo, 412, "conflict", NULL,
		  "Someone changed this goal since you read it. Read it "
		  "again, apply your change and send it with the new "
		  "version in If-Match.");
	return ERR_CONFLICT;
}

/* PUT /fhir/Goal/<id> with the version read: the goal's words, sign,
 * date and status changed as on the plan page. */
enum err
fhir_goal_update(struct fhir_call *c, int64_t id, int64_t version,
		 json_t *in, struct fhir_write *w)
{
	struct goal_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	const char *sent_id = fhir_string_of(in, "id");
	struct plan_item old;
	int64_t pid = 0;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	j->call = c;
	if ((e = load_for_write(c, id, SCOPE_UPDATE, &old)) != ERR_OK)
		return e;
	if (old.removed) {
		fhir_fail(&c->oo, 410, "deleted", NULL,
			  "This goal was taken off the plan.");
		return ERR_NOT_FOUND;
	}
	if (!sent_id ||
	    strcmp(sent_id, arena_printf(c->ctx->a, "%lld", (long long)id))) {
		fhir_fail(&c->oo, 400, "invalid", "Goal.id",
			  "Put the id of the URL in the resource.");
		return ERR_INVALID;
	}
	if (!parse_goal(&c->oo, in, &j->change.item, &pid))
		return ERR_INVALID;
	if (pid != old.patient_id) {
		fhir_fail(&c->oo, 422, "business-rule", "Goal.subject",
			  "A goal stays on its patient's plan.");
		return ERR_INVALID;
	}
	if (version != old.version)
		return stale(c);
	j->change.change = "edit";
	j->change.patient_id = pid;
	j->change.item.id = id;
	j->change.item.version = old.version;
	if (strcmp(j->change.item.status, old.status))
		j->new_status = j->change.item.status;
	/* An edit keeps the status; the status is its own change. */
	j->change.item.status = old.status;
	w->id = id;
	prepare(w, j, "update");
	return ERR_OK;
}

/* DELETE /fhir/Goal/<id>: the goal taken off the plan (kept in the
 * plan's history), as the page's Remove does. `version` 0: the current
 * one. A goal off the plan already needs no write (w->step.fn NULL). */
enum err
fhir_goal_delete(struct fhir_call *c, int64_t id, int64_t version,
		 struct fhir_write *w)
{
	struct goal_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	struct plan_item *items;
	size_t i, n;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	j->call = c;
	if ((e = load_for_write(c, id, SCOPE_DELETE, &j->change.item)) !=
	    ERR_OK)
		return e;
	if (j->change.item.removed)
		return ERR_OK;
	if (version && version != j->change.item.version)
		return stale(c);
	if ((e = plan_items_list(c->ctx->db, c->ctx->a,
				 j->change.item.patient_id, &items, &n)) !=
	    ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if (items[i].goal_id == id) {
			fhir_fail(&c->oo, 409, "conflict", NULL,
				  "This goal still has actions on the plan: "
				  "remove them or move them to another goal "
				  "first.");
			return ERR_EXISTS;
		}
	j->change.change = "remove";
	j->change.patient_id = j->change.item.patient_id;
	w->id = id;
	prepare(w, j, "delete");
	return ERR_OK;
}

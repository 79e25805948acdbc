/*
 * Communication: the secure messages between a patient (or a caregiver
 * within their grant) and the care team (contact/message.h), one
 * Communication a message. Read, searched by patient and time in every
 * thread, and sent through the messages' own write, with the same
 * checks, notifications and access rules (the contact part of the
 * record) as the messages page. Reading through the API does not mark a
 * message read: that is for the person, on the page.
 */
#include <inttypes.h>
#include <string.h>

#include "auth/actor.h"
#include "contact/message.h"
#include "core/arena.h"
#include "core/id.h"
#include "fhir/elements.h"
#include "fhir/resource.h"
#include "fhir/search.h"
#include "fhir/shape.h"
#include "people/patient.h"
#include "core/banned.h"

#define EXT FHIR_EXT
#define ACCOUNT_SYSTEM "https://cocare.org/fhir/identifier/account"
#define KEY_SYSTEM "https://cocare.org/fhir/identifier/message-request"

const struct fhir_search_param fhir_communication_params[] = {
	{"patient", "reference", "The patient: Patient/<id> or <id>."},
	{"subject", "reference", "The same as patient."},
	{"sent", "date",
	 "When it was sent, with the prefixes eq, ge, gt, le and lt; repeat "
	 "it for a range."},
	{"_lastUpdated", "date", "The same as sent: a message never changes."},
	{NULL, NULL, NULL},
};

/* Who wrote it: the patient, a caregiver (their account: a caregiver's
 * RelatedPerson is per grant, not per person), or a member of staff. */
static json_t *
author_json(const struct message *m, int64_t pid)
{
	if (!strcmp(m->author_role, "patient"))
		return fhir_ref_json("Patient", pid, m->author_name);
	if (!strcmp(m->author_role, "caregiver"))
		return json_pack("{s:s,s:{s:s,s:o},s:s}", "type",
				 "RelatedPerson", "identifier", "system",
				 ACCOUNT_SYSTEM, "value",
				 json_sprintf("%" PRId64, m->author_id),
				 "display", m->author_name);
	return fhir_ref_json("Practitioner", m->author_id, m->author_name);
}

/* Whom it was for: the patient for staff's messages; for the patient's
 * side, the professional named, the unit's inbox, or the care team. */
static json_t *
recipient_json(const struct message *m, const struct message_thread *t)
{
	if (strcmp(m->author_side, MESSAGE_SIDE_PATIENT))
		return fhir_ref_json("Patient", t->patient_id, t->patient_name);
	if (t->to_account)
		return fhir_ref_json("Practitioner", t->to_account, t->to_name);
	if (t->unit_id)
		return fhir_ref_json("Organization", t->unit_id, t->unit_name);
	return fhir_ref_json("CareTeam", t->patient_id, NULL);
}

/* The Communication of message `m` of thread `t`. */
static json_t *
communication_json(const struct message *m, const struct message_thread *t)
{
	json_t *r, *exts = json_array(), *payload = json_array();

	fhir_ext_add(exts, "thread", "valueString",
	    json_sprintf("%" PRId64, m->thread_id));
	fhir_ext_add(exts, "thread-position", "valueInteger", json_integer(m->seq));
	fhir_ext_add(exts, "read-by-other-side", "valueBoolean",
	    json_boolean(m->read_by_other));
	fhir_ext_add(exts, "voice", "valueCode",
	    json_string(!strcmp(m->author_side, MESSAGE_SIDE_PATIENT)
				? (strcmp(m->author_role, "caregiver")
					   ? "patient"
					   : "caregiver")
				: "professional"));
	fhir_ext_add(exts, "channel", "valueCode", json_string(t->channel));
	json_array_append_new(payload,
			      json_pack("{s:s}", "contentString", m->body));
	if (m->attachment_id)
		json_array_append_new(
			payload,
			json_pack("{s:{s:s,s:s,s:I}}", "contentAttachment",
				  "contentType", m->attachment_mime, "title",
				  m->attachment_name, "size",
				  (json_int_t)m->attachment_size));
	r = json_pack("{s:s,s:o,s:{s:s,s:o},s:o,s:s,s:o,s:{s:s},s:o,s:[o],"
		      "s:o,s:o}",
		      "resourceType", "Communication", "id",
		      json_sprintf("%" PRId64, m->id), "meta", "versionId",
		      "1", "lastUpdated", fhir_instant_json(m->sent_at), "extension",
		      exts, "status", "completed", "subject",
		      fhir_ref_json("Patient", t->patient_id, t->patient_name), "topic",
		      "text", t->subject, "sent", fhir_instant_json(m->sent_at),
		      "recipient", recipient_json(m, t), "sender",
		      author_json(m, t->patient_id), "payload", payload);
	return r;
}

/* A message of this organisation with its thread. */
static enum err
load(struct fhir_call *c, int64_t id, struct message *m,
     struct message_thread *t)
{
	enum err e;

	if ((e = message_get(c->ctx->db, c->ctx->a, id, m)) != ERR_OK ||
	    (e = message_thread_get(c->ctx->db, c->ctx->a, m->thread_id,
				    t)) != ERR_OK)
		return e;
	return t->org_id == c->ctx->actor.org_id ? ERR_OK : ERR_NOT_FOUND;
}

/* GET /fhir/Communication/<id>: 200; 403; 404. */
enum err
fhir_communication_read(struct fhir_call *c, int64_t id, json_t **out)
{
	struct message m;
	struct message_thread t;
	enum err e;

	if ((e = load(c, id, &m, &t)) != ERR_OK)
		return e;
	if ((e = fhir_allow(c, "Communication", SCOPE_READ, t.patient_id,
			    RES_CONTACT, ACT_READ)) != ERR_OK)
		return e;
	fhir_audit_read(c, "Communication", id, t.patient_id);
	*out = communication_json(&m, &t);
	return *out ? ERR_OK : ERR_NOMEM;
}

/* The least Unix second at or after `ms`. */
static int64_t
ceil_seconds(int64_t ms)
{
	if (ms == INT64_MIN || ms == INT64_MAX)
		return ms / 1000;
	return ms / 1000 + (ms % 1000 > 0);
}

/* GET /fhir/Communication?patient=...: newest first (oldest with
 * _sort=sent), pages continuing after the last message shown. */
enum err
fhir_communication_search(struct fhir_call *c, const struct fhir_search *q,
			  struct fhir_page *out)
{
	struct message_query mq = {0};
	struct message_thread t = {0};
	struct message *rows;
	int64_t pid = 0, from = INT64_MIN, to = INT64_MAX;
	bool no_match = false;
	size_t i, n;
	enum err e;

	for (i = 0; i < q->n; i++) {
		const struct fhir_param *x = &q->p[i];

		if (!strcmp(x->name, "patient") || !strcmp(x->name, "subject")) {
			if (!fhir_patient_param(c, x, &pid, &no_match))
				return ERR_INVALID;
		} else if ((!strcmp(x->name, "sent") ||
			    !strcmp(x->name, "_lastUpdated")) &&
			   !x->modifier) {
			if (!fhir_date_param(c, x->name, x->value, &from, &to))
				return ERR_INVALID;
		} else {
			fhir_fail(&c->oo, 400, "not-supported", x->name,
				  "Communication is searched by patient, "
				  "subject, sent and _lastUpdated only.");
			return ERR_INVALID;
		}
	}
	if ((e = fhir_search_patient(c, "Communication", pid, RES_CONTACT,
				     "Say whose messages: add "
				     "patient=Patient/<id>.",
				     &pid)) != ERR_OK)
		return e;
	if (!fhir_cursor_parse(c, q, &mq.has_after, &mq.after_at,
			       &mq.after_id))
		return ERR_INVALID;
	mq.patient_id = pid;
	mq.from = ceil_seconds(from);
	mq.to = ceil_seconds(to);
	mq.oldest_first = q->sort_oldest;
	out->total = 0;
	if (no_match || mq.from >= mq.to)
		return ERR_OK;
	if (q->summary_count)
		return message_search_count(c->ctx->db, &mq, &out->total);
	out->total = -1;
	mq.limit = (size_t)q->count + 1;
	if ((e = message_search(c->ctx->db, c->ctx->a, &mq, &rows, &n)) !=
	    ERR_OK)
		return e;
	if (n > (size_t)q->count) {
		n = (size_t)q->count;
		out->next = fhir_cursor_make(c, rows[n - 1].sent_at,
					     rows[n - 1].id);
	}
	for (i = 0; i < n; i++) {
		if (t.id != rows[i].thread_id &&
		    (e = message_thread_get(c->ctx->db, c->ctx->a,
					    rows[i].thread_id, &t)) != ERR_OK)
			return e;
		json_array_append_new(out->match,
				      communication_json(&rows[i], &t));
	}
	return ERR_OK;
}

/* --- create -------------------------------------------------------------- */

/*
 * R4 Communication. Kept: subject, payload[0].contentString, topic.text
 * (a new thread's subject), recipient (whom a new thread from the
 * patient's side is for), the extension thread (the thread a reply is
 * in) and an identifier of system KEY_SYSTEM (the request key: the same
 * message sent twice is stored once). Accepted and not kept: id, meta,
 * text, language, contained, other extensions and identifiers,
 * instantiates*, basedOn, partOf, inResponseTo, category, priority,
 * medium, about, encounter, sent and received (cocare's clock),
 * sender (the person writing), reasonCode, reasonReference and note.
 */
static const struct fhir_element communication_el[] = {
	FHIR_RESOURCE_ELEMENTS,
	{"identifier", FHIR_ARRAY},
	{"instantiatesCanonical", FHIR_STRINGS},
	{"instantiatesUri", FHIR_STRINGS},
	{"basedOn", FHIR_ARRAY},
	{"partOf", FHIR_ARRAY},
	{"inResponseTo", FHIR_ARRAY},
	{"status", FHIR_STRING},
	{"statusReason", FHIR_OBJECT},
	{"category", FHIR_ARRAY},
	{"priority", FHIR_STRING},
	{"medium", FHIR_ARRAY},
	{"subject", FHIR_OBJECT},
	{"topic", FHIR_OBJECT},
	{"about", FHIR_ARRAY},
	{"encounter", FHIR_OBJECT},
	{"sent", FHIR_STRING},
	{"received", FHIR_STRING},
	{"recipient", FHIR_ARRAY},
	{"sender", FHIR_OBJECT},
	{"reasonCode", FHIR_ARRAY},
	{"reasonReference", FHIR_ARRAY},
	{"payload", FHIR_ARRAY},
	{"note", FHIR_ARRAY},
};
static const struct fhir_element payload_el[] = {
	{"id", FHIR_STRING},
	{"extension", FHIR_ARRAY},
	{"modifierExtension", FHIR_ARRAY},
	{"contentString", FHIR_STRING},
	{"contentAttachment", FHIR_OBJECT},
	{"contentReference", FHIR_OBJECT},
};
static const struct fhir_def communication_type = FHIR_DEF(communication_el);
static const struct fhir_def payload_type = FHIR_DEF(payload_el);

struct send_job {
	struct message_send m;
	int64_t org_id;
};

/* The step: nothing when the request key was used before (looked up
 * inside the write, so the check and the send are one), else the send. */
static enum err
send_step(struct db *db, void *arg)
{
	struct send_job *j = arg;
	int64_t thread, id, author;
	enum err e = message_find_key(db, j->org_id, j->m.request_key, &thread,
				      &id, &author);

	if (e == ERR_OK)
		return ERR_EXISTS;
	if (e != ERR_NOT_FOUND)
		return e;
	return message_send(db, &j->m);
}

/* The message as stored: the new one, or the one sent before with the
 * same request key. */
static enum err
send_result(struct fhir_call *c, struct fhir_write *w, json_t **out)
{
	struct send_job *j = w->job;
	struct message m;
	struct message_thread t;
	int64_t thread, id = w->id, author;
	enum err e;

	if (w->step.existed) {
		if ((e = message_find_key(c->ctx->db, j->org_id,
					  j->m.request_key, &thread, &id,
					  &author)) != ERR_OK)
			return e;
		/* Another person's key: theirs is not this answer. */
		if (author != c->ctx->actor.account_id) {
			fhir_fail(&c->oo, 409, "duplicate",
				  "Communication.identifier",
				  "That request key belongs to another "
				  "message: make a new one.");
			return ERR_EXISTS;
		}
	}
	if ((e = message_get(c->ctx->db, c->ctx->a, id, &m)) != ERR_OK ||
	    (e = message_thread_get(c->ctx->db, c->ctx->a, m.thread_id, &t)) !=
		    ERR_OK)
		return e;
	*out = communication_json(&m, &t);
	return *out ? ERR_OK : ERR_NOMEM;
}

static bool
fail(struct fhir_call *c, int status, const char *code, const char *path,
     const char *why)
{
	fhir_fail(&c->oo, status, code, path, why);
	return false;
}

/* The thread a reply names in the extension thread, or 0. */
static bool
parse_thread(struct fhir_call *c, json_t *in, int64_t *thread)
{
	json_t *x;
	size_t i;

	*thread = 0;
	json_array_foreach(json_object_get(in, "extension"), i, x) {
		const char *url = fhir_string_of(x, "url");

		if (!url || strcmp(url, EXT "thread"))
			continue;
		if (!fhir_id_parse(fhir_string_of(x, "valueString"), thread))
			return fail(c, 422, "value", "Communication.extension",
				    "The thread is the number of a thread of "
				    "this patient, as in the extension of a "
				    "message read.");
	}
	return true;
}

/* Whom a new thread is for: a professional, a unit, or the care team. */
static bool
parse_recipient(struct fhir_call *c, json_t *in, int64_t pid,
		struct message_send *m)
{
	json_t *list = json_object_get(in, "recipient");
	const char *r;
	int64_t id;

	if (!list)
		return true;
	if (json_array_size(list) != 1)
		return fail(c, 422, "not-supported", "Communication.recipient",
			    "A message goes to one recipient: a professional "
			    "of the care team, a unit, or the care team.");
	r = fhir_string_of(json_array_get(list, 0), "reference");
	if (r && fhir_ref_parse(r, "Practitioner", &id))
		m->to_account = id;
	else if (r && fhir_ref_parse(r, "Organization", &id))
		m->unit_id = id;
	else if (!(r && fhir_ref_parse(r, "CareTeam", &id) && id == pid) &&
		 !(r && fhir_ref_parse(r, "Patient", &id) && id == pid))
		return fail(c, 422, "invalid", "Communication.recipient[0]",
			    "Send it to Practitioner/<id> (a professional of "
			    "the care team), Organization/<unit id>, or the "
			    "patient's CareTeam.");
	return true;
}

/* The request key of the identifier of system KEY_SYSTEM, or a new one. */
static const char *
request_key(struct fhir_call *c, json_t *in, bool *sent, bool *ok)
{
	json_t *x;
	size_t i;
	char tok[TOKEN_HEX_LEN + 1];

	*sent = false;
	*ok = true;
	json_array_foreach(json_object_get(in, "identifier"), i, x) {
		const char *sys = fhir_string_of(x, "system");
		const char *v = fhir_string_of(x, "value");

		if (!sys || strcmp(sys, KEY_SYSTEM))
			continue;
		*sent = true;
		if (!v || !message_key_valid(v)) {
			*ok = fail(c, 422, "value", "Communication.identifier",
				   "The request key is 16 to 64 letters, "
				   "digits, '-' or '_'.");
			return NULL;
		}
		return v;
	}
	token_new(tok);
	return arena_printf(c->ctx->a, "fhir-%.40s", tok);
}

/* Checks a Communication into `j`; false with issues. */
static bool
parse(struct fhir_call *c, json_t *in, struct send_job *j, int64_t *pid,
      bool *key_sent)
{
	const char *rt = fhir_string_of(in, "resourceType"), *status, *r;
	json_t *payload, *p;
	struct problems ps = {0};
	bool ok;
	size_t i;

	if (!rt || strcmp(rt, "Communication"))
		return fail(c, 400, "invalid", NULL,
			    "Send a Communication.");
	if (!fhir_check_members(&c->oo, in, &communication_type,
				"Communication"))
		return false;
	if (json_object_get(in, "implicitRules"))
		return fail(c, 422, "not-supported",
			    "Communication.implicitRules",
			    "Leave out implicitRules.");
	status = fhir_string_of(in, "status");
	if (!status)
		return fail(c, 400, "required", "Communication.status",
			    "Send status completed.");
	if (strcmp(status, "completed") && strcmp(status, "in-progress") &&
	    strcmp(status, "preparation") && strcmp(status, "not-done") &&
	    strcmp(status, "on-hold") && strcmp(status, "stopped") &&
	    strcmp(status, "entered-in-error") && strcmp(status, "unknown"))
		return fail(c, 400, "code-invalid", "Communication.status",
			    "status is one of the event-status codes.");
	if (strcmp(status, "completed"))
		return fail(c, 422, "not-supported", "Communication.status",
			    "A message is sent at once: status completed.");
	r = fhir_string_of(json_object_get(in, "subject"), "reference");
	if (!json_object_get(in, "subject"))
		return fail(c, 400, "required", "Communication.subject",
			    "Say whose record it is part of: subject "
			    "Patient/<id>.");
	if (!r || !fhir_ref_parse(r, "Patient", pid))
		return fail(c, 422, "invalid", "Communication.subject",
			    "subject is Patient/<id>.");
	payload = json_object_get(in, "payload");
	if (!payload)
		return fail(c, 400, "required", "Communication.payload",
			    "Put the message in payload[0].contentString.");
	if (!fhir_check_each(&c->oo, payload, &payload_type,
			     "Communication.payload"))
		return false;
	json_array_foreach(payload, i, p) {
		if (json_object_get(p, "contentAttachment"))
			return fail(c, 422, "not-supported",
				    arena_printf(c->ctx->a,
						 "Communication.payload[%zu]."
						 "contentAttachment",
						 i),
				    "Files are sent on the messages page, "
				    "where they are checked; send the words "
				    "here.");
		if (json_object_get(p, "contentReference"))
			return fail(c, 422, "not-supported",
				    arena_printf(c->ctx->a,
						 "Communication.payload[%zu]."
						 "contentReference",
						 i),
				    "Send the words themselves as "
				    "contentString.");
	}
	if (json_array_size(payload) != 1)
		return fail(c, 422, "not-supported", "Communication.payload",
			    "A message is one text: one payload.");
	j->m.body = fhir_string_of(json_array_get(payload, 0),
				   "contentString");
	if (!j->m.body)
		return fail(c, 400, "required",
			    "Communication.payload[0].contentString",
			    "Put the message in contentString.");
	if (!parse_thread(c, in, &j->m.thread_id))
		return false;
	if (!j->m.thread_id) {
		j->m.subject = fhir_string_of(json_object_get(in, "topic"),
					      "text");
		if (!j->m.subject)
			return fail(c, 400, "required", "Communication.topic",
				    "A new conversation needs a subject: "
				    "topic.text (or the extension thread to "
				    "reply in one).");
		if (!parse_recipient(c, in, *pid, &j->m))
			return false;
	}
	message_validate(j->m.subject, j->m.body, &ps);
	for (i = 0; i < ps.n; i++)
		fhir_fail(&c->oo, 422, "value",
			  !strcmp(ps.p[i].field, "subject")
				  ? "Communication.topic.text"
				  : "Communication.payload[0].contentString",
			  ps.p[i].msg);
	if (ps.n)
		return false;
	j->m.request_key = request_key(c, in, key_sent, &ok);
	return ok;
}

/* POST /fhir/Communication: a message sent as on the messages page. */
enum err
fhir_communication_create(struct fhir_call *c, json_t *in,
			  struct fhir_write *w)
{
	struct send_job *j = arena_calloc(c->ctx->a, 1, sizeof(*j));
	const struct actor *who = &c->ctx->actor;
	struct message_thread t;
	struct patient p;
	int64_t pid = 0;
	bool key_sent = false;
	enum err e;

	if (!j)
		return ERR_NOMEM;
	if (!parse(c, in, j, &pid, &key_sent))
		return ERR_INVALID;
	e = patient_get(c->ctx->db, c->ctx->a, pid, &p);
	if (e == ERR_OK && p.org_id != who->org_id)
		e = ERR_NOT_FOUND;
	if (e == ERR_NOT_FOUND) {
		fhir_fail(&c->oo, 422, "not-found", "Communication.subject",
			  "The subject is not a patient of this "
			  "organisation.");
		return ERR_INVALID;
	}
	if (e != ERR_OK ||
	    (e = fhir_allow(c, "Communication", SCOPE_CREATE, pid, RES_CONTACT,
			    ACT_WRITE)) != ERR_OK)
		return e;
	if (j->m.thread_id &&
	    (message_thread_get(c->ctx->db, c->ctx->a, j->m.thread_id, &t) !=
		     ERR_OK ||
	     t.patient_id != pid)) {
		fhir_fail(&c->oo, 422, "not-found", "Communication.extension",
			  "That thread is not one of this patient's.");
		return ERR_INVALID;
	}
	if (!j->m.thread_id &&
	    message_may_address(c->ctx->db, pid, j->m.unit_id,
				j->m.to_account) != ERR_OK) {
		fhir_fail(&c->oo, 422, "business-rule",
			  "Communication.recipient",
			  "A patient may write to their care team, a "
			  "professional on it, or one of its units only.");
		return ERR_INVALID;
	}
	j->org_id = who->org_id;
	j->m.org_id = who->org_id;
	j->m.patient_id = pid;
	j->m.author_id = who->account_id;
	j->m.side = who->role == ROLE_PATIENT || who->role == ROLE_CAREGIVER
			    ? MESSAGE_SIDE_PATIENT
			    : MESSAGE_SIDE_STAFF;
	j->m.now = c->ctx->now;
	j->m.channel = "api";
	j->m.claim = who->role == ROLE_PROFESSIONAL;
	j->m.message_id = w->id;
	w->wi.action = "create";
	w->wi.resource_type = MESSAGE_RES;
	w->wi.resource_id = arena_printf(c->ctx->a, "%" PRId64, w->id);
	w->wi.patient_id = pid;
	w->wi.detail = j->m.thread_id ? "reply" : "new-thread";
	w->wi.touchpoint_kind = "message";
	w->step.fn = send_step;
	w->step.arg = j;
	/* Sent again with the same request key: the first is the one. */
	w->step.exists_ok = key_sent;
	w->job = j;
	w->result = send_result;
	return ERR_OK;
}

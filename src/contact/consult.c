/*
 * Online consultations (see consult.h): the organisation's service
 * settings and forms, requests and their steps, the triage queue, and
 * the one write function (consult_apply) every change runs through
 * inside write_commit(), so the demo loader can run the same writes
 * with write_within().
 */
#include "contact/consult.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/actor.h"
#include "auth/policy.h"
#include "auth/write.h"
#include "care/care.h"
#include "contact/message.h"
#include "contact/outbox.h"
#include "core/arena.h"
#include "core/id.h"
#include "core/msgid.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

/* --- codes and words ------------------------------------------------------ */

static const char *const kind_codes[CONSULT__MAX] = {
#define CONSULT_KIND_CODE(id, code, label) code,
	CONSULT_KIND_MAP(CONSULT_KIND_CODE)
#undef CONSULT_KIND_CODE
};
static const char *const kind_labels[CONSULT__MAX] = {
#define CONSULT_KIND_LABEL(id, code, label) label,
	CONSULT_KIND_MAP(CONSULT_KIND_LABEL)
#undef CONSULT_KIND_LABEL
};

const char *
consult_kind_code(enum consult_kind k)
{
	return (unsigned)k < CONSULT__MAX ? kind_codes[k] : "";
}

const char *
consult_kind_label(enum consult_kind k)
{
	return (unsigned)k < CONSULT__MAX ? kind_labels[k] : "";
}

bool
consult_kind_parse(const char *code, enum consult_kind *out)
{
	int k;

	for (k = 0; code && k < CONSULT__MAX; k++)
		if (!strcmp(kind_codes[k], code)) {
			*out = (enum consult_kind)k;
			return true;
		}
	return false;
}

const char *
consult_kind_label_of(const char *code)
{
	enum consult_kind k;

	return consult_kind_parse(code, &k) ? kind_labels[k] : "";
}

struct code_label {
	const char *code;
	const char *label;
};

static const char *
label_of(const struct code_label *t, const char *code)
{
	for (; code && t->code; t++)
		if (!strcmp(t->code, code))
			return t->label;
	return "";
}

static const struct code_label statuses[] = {
	{"submitted", N_("Sent, waiting to be looked at")},
	{"triaged", N_("Looked at, waiting for an answer")},
	{"waiting", N_("Answered, still open")},
	{"closed", N_("Finished")},
	{"red_flag", N_("Stopped: you were told to get urgent help")},
	{NULL, NULL},
};
static const struct code_label outcomes[] = {
	{"reply", N_("Answered by message")},
	{"appointment", N_("An appointment")},
	{"self_care", N_("Advice on looking after yourself")},
	{"signpost", N_("Pointed to another service")},
	{"closed", N_("Closed")},
	{NULL, NULL},
};
static const struct code_label priorities[] = {
	{"routine", N_("Routine")},
	{"soon", N_("Soon")},
	{"urgent", N_("Urgent: same day")},
	{NULL, NULL},
};
static const struct code_label steps[] = {
	{"submitted", N_("You sent your request")},
	{"recorded", N_("Your request was written down for you by the team")},
	{"red_flag", N_("You were told to get urgent help")},
	{"triaged", N_("The team looked at it")},
	{"reply", N_("The team answered")},
	{"appointment", N_("The team will book an appointment with you")},
	{"self_care", N_("The team gave advice on looking after yourself")},
	{"signpost", N_("The team pointed you to another service")},
	{"closed", N_("The team closed the request")},
	{"patient_add", N_("You added to your request")},
	{NULL, NULL},
};
static const struct code_label modalities[] = {
	{"in_person", N_("In person")},
	{"phone", N_("By phone")},
	{"video", N_("By video link")},
	{NULL, NULL},
};
static const struct code_label channels[] = {
	{"web", N_("Online")},
	{"phone", N_("By phone")},
	{"desk", N_("At the desk")},
	{NULL, NULL},
};

const char *
consult_status_label(const char *s)
{
	return label_of(statuses, s);
}

const char *
consult_outcome_label(const char *s)
{
	return label_of(outcomes, s);
}

const char *
consult_priority_label(const char *s)
{
	return label_of(priorities, s);
}

const char *
consult_step_label(const char *s)
{
	return label_of(steps, s);
}

const char *
consult_modality_label(const char *s)
{
	return label_of(modalities, s);
}

const char *
consult_channel_label(const char *s)
{
	return label_of(channels, s);
}

/* --- default forms -------------------------------------------------------- */

static const char flag_chest[] =
	N_("Do you have chest pain, or pain that spreads to your arm, neck "
	   "or jaw?");
static const char flag_breath[] = N_("Are you struggling to breathe?");
static const char flag_harm[] =
	N_("Do you feel you might harm yourself or someone else, or are you "
	   "in danger now?");
static const char flag_stroke[] =
	N_("Has your face drooped, has an arm or leg gone weak, or is your "
	   "speech slurred?");
static const char flag_bleed[] =
	N_("Are you bleeding heavily, or have you had a serious injury?");
static const char default_advice[] =
	N_("Do not wait for an answer here. Call the emergency number now "
	   "(999 in the UK, 112 in Spain and the rest of Europe) or go to the "
	   "nearest emergency department. If you might harm yourself, you "
	   "can also call a crisis line now, day or night.");

struct default_form {
	const char *flags[CONSULT_QUESTIONS_MAX];
	const char *questions[CONSULT_QUESTIONS_MAX];
};

static const struct default_form default_forms[CONSULT__MAX] = {
	[CONSULT_CONDITION] = {
		{flag_chest, flag_breath, flag_stroke, flag_bleed, flag_harm},
		{N_("What would you like to ask about your condition?"),
		 N_("Has anything changed recently? Since when?"),
		 N_("What would help you most?")},
	},
	[CONSULT_NEW_PROBLEM] = {
		{flag_chest, flag_breath, flag_stroke, flag_bleed, flag_harm},
		{N_("What is the problem?"),
		 N_("When did it start, and is it getting better or worse?"),
		 N_("What have you tried so far?"),
		 N_("What would you like us to do?")},
	},
	[CONSULT_PRESCRIPTION] = {
		{flag_breath, flag_harm},
		{N_("Which medicine or document do you need?"),
		 N_("When will you run out, or by when do you need it?"),
		 N_("Is there anything else we should know?")},
	},
	[CONSULT_ADMIN] = {
		{flag_harm},
		{N_("What do you need?"),
		 N_("By when do you need it?")},
	},
};

/* --- statements ----------------------------------------------------------- */

static const char sql_service_get[] =
	"SELECT consult_open, hours_only, closed_message, work_days, "
	"day_start_min, day_end_min, due_working_days FROM contact_service "
	"WHERE org_id = $1";
static const char sql_holidays[] =
	"SELECT day, name FROM contact_holiday WHERE org_id = $1 "
	"ORDER BY day LIMIT $2";
static const char sql_service_put[] =
	"INSERT INTO contact_service (org_id, consult_open, hours_only, "
	"closed_message, work_days, day_start_min, day_end_min, "
	"due_working_days, version, updated_at) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) "
	"ON CONFLICT (org_id) DO UPDATE SET "
	"consult_open = excluded.consult_open, "
	"hours_only = excluded.hours_only, "
	"closed_message = excluded.closed_message, "
	"work_days = excluded.work_days, "
	"day_start_min = excluded.day_start_min, "
	"day_end_min = excluded.day_end_min, "
	"due_working_days = excluded.due_working_days, "
	"version = contact_service.version + 1, "
	"updated_at = excluded.updated_at";
static const char sql_holiday_clear[] =
	"DELETE FROM contact_holiday WHERE org_id = $1";
static const char sql_holiday_add[] =
	"INSERT INTO contact_holiday (id, org_id, day, name) "
	"VALUES ($1, $2, $3, $4)";
static const char sql_form_get[] =
	"SELECT red_flags, questions, advice FROM consult_form "
	"WHERE org_id = $1 AND kind = $2";
static const char sql_form_put[] =
	"INSERT INTO consult_form (org_id, kind, red_flags, questions, "
	"advice, updated_at) VALUES ($1, $2, $3, $4, $5, $6) "
	"ON CONFLICT (org_id, kind) DO UPDATE SET "
	"red_flags = excluded.red_flags, questions = excluded.questions, "
	"advice = excluded.advice, updated_at = excluded.updated_at";
static const char sql_patient_org[] =
	"SELECT org_id FROM patient WHERE id = $1";
static const char sql_by_key[] =
	"SELECT id, patient_id FROM consultation "
	"WHERE org_id = $1 AND request_key = $2";
static const char sql_insert[] =
	"INSERT INTO consultation (id, org_id, patient_id, unit_id, kind, "
	"channel, submitted_by, submitted_at, answers, status, priority, "
	"due_at, closed_at, request_key, version, updated_at) "
	"VALUES ($1, $2, $3, "
	"COALESCE((SELECT unit_id FROM patient WHERE id = $3), 0), "
	"$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $7)";
static const char sql_step_add[] =
	"INSERT INTO consultation_step (id, org_id, consultation_id, at, "
	"actor_id, step, note) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char sql_triage[] =
	"UPDATE consultation SET priority = $2, assigned_account_id = $3, "
	"assigned_unit_id = $4, status = CASE WHEN status = 'submitted' "
	"THEN 'triaged' ELSE status END, version = version + 1, "
	"updated_at = $5 WHERE id = $1 AND closed_at = 0";
/* A response the patient sees: the first one sets first_response_at. */
static const char sql_respond[] =
	"UPDATE consultation SET status = $2, outcome = $3, closed_at = $4, "
	"close_reason = $5, first_response_at = CASE WHEN "
	"first_response_at = 0 THEN $6 ELSE first_response_at END, "
	"version = version + 1, updated_at = $6 "
	"WHERE id = $1 AND closed_at = 0";
static const char sql_touch[] =
	"UPDATE consultation SET version = version + 1, updated_at = $2 "
	"WHERE id = $1 AND closed_at = 0";
static const char sql_replied[] =
	"SELECT COUNT(*) FROM consultation_step WHERE consultation_id = $1 "
	"AND step = 'reply'";
static const char sql_rating_add[] =
	"INSERT INTO consultation_rating (consultation_id, org_id, "
	"patient_id, rated_at, ease, helped) VALUES ($1, $2, $3, $4, $5, $6)";
static const char sql_staff_in_org[] =
	"SELECT 1 FROM account WHERE id = $1 AND org_id = $2 "
	"AND role IN ('professional', 'receptionist') AND disabled = 0";
static const char sql_unit_in_org[] =
	"SELECT 1 FROM unit WHERE id = $1 AND org_id = $2";

#define SELECT_CONSULT(answers)                                             \
	"SELECT c.id, c.org_id, c.patient_id, "                             \
	"p.given_name || ' ' || p.family_name, c.kind, c.channel, "         \
	"c.submitted_by, c.submitted_at, " answers ", c.status, "           \
	"c.priority, c.assigned_account_id, COALESCE(a.display_name, ''), " \
	"c.assigned_unit_id, COALESCE(u.name, ''), c.due_at, "              \
	"c.first_response_at, c.closed_at, c.outcome, c.close_reason, "     \
	"c.version, COALESCE(r.ease, 0), COALESCE(r.helped, 0) "            \
	"FROM consultation c JOIN patient p ON p.id = c.patient_id "        \
	"LEFT JOIN account a ON a.id = c.assigned_account_id "              \
	"LEFT JOIN unit u ON u.id = c.assigned_unit_id "                    \
	"LEFT JOIN consultation_rating r ON r.consultation_id = c.id "

static const char sql_get[] = SELECT_CONSULT("c.answers") "WHERE c.id = $1";
static const char sql_list_patient[] = SELECT_CONSULT("''")
	"WHERE c.patient_id = $1 ORDER BY c.submitted_at DESC, c.id DESC "
	"LIMIT $2";
/* The closed ones are filtered before the joins, which cost the most. */
static const char sql_open_patient[] = SELECT_CONSULT("''")
	"WHERE c.patient_id = $1 AND c.closed_at = 0 "
	"ORDER BY c.submitted_at DESC, c.id DESC LIMIT $2";
/* The queue: one statement per filter, each served by an index on
 * (org_id[, assignee], closed_at, due_at). */
/* Pages follow on from the last row shown ($3 due, $4 id), so a late
 * page costs what the first does. */
#define QUEUE_AFTER                                                         \
	"AND c.due_at >= $3 AND (c.due_at > $3 OR c.id > $4) "               \
	"ORDER BY c.due_at, c.id LIMIT $2"
static const char sql_queue_all[] = SELECT_CONSULT("''")
	"WHERE c.org_id = $1 AND c.closed_at = 0 " QUEUE_AFTER;
static const char sql_queue_mine[] = SELECT_CONSULT("''")
	"WHERE c.org_id = $1 AND c.assigned_account_id = $5 "
	"AND c.closed_at = 0 " QUEUE_AFTER;
static const char sql_queue_unit[] = SELECT_CONSULT("''")
	"WHERE c.org_id = $1 AND c.assigned_unit_id = $5 "
	"AND c.closed_at = 0 " QUEUE_AFTER;
static const char sql_steps_all[] =
	"SELECT s.at, s.actor_id, COALESCE(a.display_name, ''), s.step, "
	"s.note FROM consultation_step s "
	"LEFT JOIN account a ON a.id = s.actor_id "
	"WHERE s.consultation_id = $1 ORDER BY s.at, s.id LIMIT $2";
static const char sql_steps_patient[] =
	"SELECT s.at, s.actor_id, COALESCE(a.display_name, ''), s.step, "
	"s.note FROM consultation_step s "
	"LEFT JOIN account a ON a.id = s.actor_id "
	"WHERE s.consultation_id = $1 AND s.step <> 'triaged' "
	"ORDER BY s.at, s.id LIMIT $2";

/* Whether `sql` with $1 and $2 bound finds a row. */
static enum err
exists2(struct db *db, const char *sql, int64_t a1, int64_t a2, bool *found)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, a1);
	stmt_bind_int(st, 2, a2);
	*found = stmt_row(st);
	return stmt_done(st);
}

/* --- the service ---------------------------------------------------------- */

enum err
consult_service_get(struct db *db, struct arena *a, int64_t org_id,
		    struct consult_service *out)
{
	struct stmt *st;
	const char **days, **names;
	size_t n = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	out->org_id = org_id;
	out->consult_open = true;
	out->closed_message = "";
	out->hours = servicelevel_default();
	if (!(st = db_prepare(db, sql_service_get)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	if (stmt_row(st)) {
		out->stored = true;
		out->consult_open = stmt_int(st, 0) != 0;
		out->hours_only = stmt_int(st, 1) != 0;
		out->closed_message = stmt_text_dup(st, 2, a);
		out->hours.work_days = stmt_text_dup(st, 3, a);
		out->hours.day_start_min = (int)stmt_int(st, 4);
		out->hours.day_end_min = (int)stmt_int(st, 5);
		out->hours.due_working_days = (int)stmt_int(st, 6);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!out->closed_message || !out->hours.work_days)
		return ERR_NOMEM;
	days = arena_calloc(a, SERVICE_HOLIDAYS_MAX, sizeof(*days));
	names = arena_calloc(a, SERVICE_HOLIDAYS_MAX, sizeof(*names));
	if (!days || !names)
		return ERR_NOMEM;
	if (!(st = db_prepare(db, sql_holidays)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_int(st, 2, SERVICE_HOLIDAYS_MAX);
	while (n < SERVICE_HOLIDAYS_MAX && stmt_row(st)) {
		days[n] = stmt_text_dup(st, 0, a);
		names[n] = stmt_text_dup(st, 1, a);
		n++;
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	out->hours.holidays = days;
	out->hours.nholidays = n;
	out->holiday_names = names;
	return ERR_OK;
}

bool
consult_service_open(const struct consult_service *s, int64_t now)
{
	return servicelevel_open(&s->hours, s->consult_open, s->hours_only,
				 now);
}

struct service_job {
	const struct consult_service *s;
	int64_t at;
};

static enum err
service_put(struct db *db, void *arg)
{
	struct service_job *j = arg;
	const struct consult_service *s = j->s;
	struct stmt *st = db_prepare(db, sql_service_put);
	size_t i;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, s->org_id);
	stmt_bind_int(st, 2, s->consult_open);
	stmt_bind_int(st, 3, s->hours_only);
	stmt_bind_str(st, 4, s->closed_message ? s->closed_message : "");
	stmt_bind_str(st, 5, s->hours.work_days);
	stmt_bind_int(st, 6, s->hours.day_start_min);
	stmt_bind_int(st, 7, s->hours.day_end_min);
	stmt_bind_int(st, 8, s->hours.due_working_days);
	stmt_bind_int(st, 9, j->at);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_holiday_clear)))
		return ERR_DB;
	stmt_bind_int(st, 1, s->org_id);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	for (i = 0; i < s->hours.nholidays; i++) {
		if (!(st = db_prepare(db, sql_holiday_add)))
			return ERR_DB;
		stmt_bind_int(st, 1, id_new());
		stmt_bind_int(st, 2, s->org_id);
		stmt_bind_str(st, 3, s->hours.holidays[i]);
		stmt_bind_str(st, 4, s->holiday_names && s->holiday_names[i]
					     ? s->holiday_names[i]
					     : "");
		e = stmt_exec(st);
		/* The same day twice is one holiday. */
		if (e != ERR_OK && e != ERR_EXISTS)
			return e;
	}
	return ERR_OK;
}

enum err
consult_service_save(struct ctx *c, const struct consult_service *s,
		     struct problems *ps)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = CONSULT_SERVICE_RES,
		.resource_id = "",
		.detail = "contact-service",
	};
	struct service_job j = {s, c->now};
	size_t i;

	if (!policy_org_allows(&c->actor, s->org_id, ORG_ADMINISTER)) {
		write_refused(c, &wi);
		return ERR_FORBIDDEN;
	}
	servicelevel_validate(&s->hours, ps);
	if (s->closed_message)
		care_text_ok(ps, "closed_message", s->closed_message, 1000);
	for (i = 0; i < s->hours.nholidays && s->holiday_names; i++)
		if (!care_text_ok(ps, "holidays", s->holiday_names[i],
				  CARE_SHORT_MAX))
			break;
	if (ps->n)
		return ERR_INVALID;
	return write_commit(c, &wi, service_put, &j);
}

/* --- forms ---------------------------------------------------------------- */

enum err
consult_lines_parse(struct arena *a, const char *text, const char *field,
		    const char **out, size_t *count, struct problems *ps)
{
	const char *p = text ? text : "";

	*count = 0;
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct str line = str_trim((struct str){p, len});

		p += len + (end ? 1 : 0);
		if (!line.len)
			continue;
		if (*count == CONSULT_QUESTIONS_MAX) {
			problems_add(ps, field,
				     N_("Write at most ten questions, one "
					"on each line."));
			return ERR_INVALID;
		}
		if (!(out[*count] = str_dup(a, line)))
			return ERR_NOMEM;
		if (!care_text_ok(ps, field, out[*count],
				  CONSULT_QUESTION_MAX))
			return ERR_INVALID;
		(*count)++;
	}
	return ERR_OK;
}

enum err
consult_form_get(struct db *db, struct arena *a, int64_t org_id,
		 enum consult_kind kind, struct consult_form *out)
{
	struct stmt *st;
	struct problems ps = {0};
	char *flags = NULL, *questions = NULL;
	enum err e;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->org_id = org_id;
	out->kind = kind;
	if ((unsigned)kind >= CONSULT__MAX)
		return ERR_INVALID;
	if (!(st = db_prepare(db, sql_form_get)))
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	stmt_bind_str(st, 2, kind_codes[kind]);
	if (stmt_row(st)) {
		out->stored = true;
		flags = stmt_text_dup(st, 0, a);
		questions = stmt_text_dup(st, 1, a);
		out->advice = stmt_text_dup(st, 2, a);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (out->stored) {
		/* Stored forms were checked when saved; lines past the
		 * limit (none) would be left out. */
		if (!flags || !questions || !out->advice)
			return ERR_NOMEM;
		(void)consult_lines_parse(a, flags, "red_flags",
					  out->red_flags, &out->nred_flags,
					  &ps);
		(void)consult_lines_parse(a, questions, "questions",
					  out->questions, &out->nquestions,
					  &ps);
		return ERR_OK;
	}
	for (i = 0; i < CONSULT_QUESTIONS_MAX; i++) {
		if (default_forms[kind].flags[i])
			out->red_flags[out->nred_flags++] =
				default_forms[kind].flags[i];
		if (default_forms[kind].questions[i])
			out->questions[out->nquestions++] =
				default_forms[kind].questions[i];
	}
	out->advice = default_advice;
	return ERR_OK;
}

/* Lines joined by newlines, in `a`. */
static char *
lines_join(struct arena *a, const char *const *l, size_t n)
{
	char *s = arena_strdup(a, "");
	size_t i;

	for (i = 0; s && i < n; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "\n" : "", l[i]);
	return s;
}

struct form_job {
	int64_t org_id;
	const char *kind;
	const char *flags;
	const char *questions;
	const char *advice;
	int64_t at;
};

static enum err
form_put(struct db *db, void *arg)
{
	struct form_job *j = arg;
	struct stmt *st = db_prepare(db, sql_form_put);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, j->org_id);
	stmt_bind_str(st, 2, j->kind);
	stmt_bind_str(st, 3, j->flags);
	stmt_bind_str(st, 4, j->questions);
	stmt_bind_str(st, 5, j->advice);
	stmt_bind_int(st, 6, j->at);
	return stmt_exec(st);
}

enum err
consult_form_save(struct ctx *c, const struct consult_form *f,
		  struct problems *ps)
{
	struct write_info wi = {
		.action = "update",
		.resource_type = CONSULT_FORM_RES,
		.resource_id = consult_kind_code(f->kind),
		.detail = "consult-form",
	};
	struct form_job j;
	size_t i;

	if ((unsigned)f->kind >= CONSULT__MAX)
		return ERR_INVALID;
	if (!policy_org_allows(&c->actor, f->org_id, ORG_ADMINISTER)) {
		write_refused(c, &wi);
		return ERR_FORBIDDEN;
	}
	if (f->nquestions == 0)
		problems_add(ps, "questions",
			     N_("Write at least one question, one on each "
				"line."));
	if (f->nred_flags > 0 && (!f->advice || !*f->advice))
		problems_add(ps, "advice",
			     N_("Write the advice shown when a red flag is "
				"answered yes."));
	else if (f->advice)
		care_text_ok(ps, "advice", f->advice, CONSULT_ADVICE_MAX);
	for (i = 0; i < f->nred_flags; i++)
		care_text_ok(ps, "red_flags", f->red_flags[i],
			     CONSULT_QUESTION_MAX);
	for (i = 0; i < f->nquestions; i++)
		care_text_ok(ps, "questions", f->questions[i],
			     CONSULT_QUESTION_MAX);
	if (ps->n || f->nred_flags > CONSULT_QUESTIONS_MAX ||
	    f->nquestions > CONSULT_QUESTIONS_MAX)
		return ERR_INVALID;
	j.org_id = f->org_id;
	j.kind = consult_kind_code(f->kind);
	j.flags = lines_join(c->a, f->red_flags, f->nred_flags);
	j.questions = lines_join(c->a, f->questions, f->nquestions);
	j.advice = f->advice ? f->advice : "";
	j.at = c->now;
	if (!j.flags || !j.questions)
		return ERR_NOMEM;
	return write_commit(c, &wi, form_put, &j);
}

/* --- steps ---------------------------------------------------------------- */

static const char *
consult_link(struct consult_job *j)
{
	snprintf(j->link, sizeof(j->link), "/consult/%lld", (long long)j->id);
	return j->link;
}

static enum err
step_add(struct db *db, const struct consult_job *j)
{
	struct stmt *st = db_prepare(db, sql_step_add);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id_new());
	stmt_bind_int(st, 2, j->org_id);
	stmt_bind_int(st, 3, j->id);
	stmt_bind_int(st, 4, j->at);
	stmt_bind_int(st, 5, j->actor_id);
	stmt_bind_str(st, 6, j->step);
	stmt_bind_str(st, 7, j->note ? j->note : "");
	return stmt_exec(st);
}

/* A reply or an outcome: the status it leaves, and first_response_at. */
static enum err
respond(struct db *db, const struct consult_job *j)
{
	const char *outcome = j->outcome ? j->outcome : "";
	const char *reason = "";
	bool close = j->op == CONSULT_OP_FINISH || j->close;
	struct stmt *st;
	enum err e;

	if (j->op == CONSULT_OP_REPLY) {
		outcome = close ? "reply" : "";
	} else if (!strcmp(outcome, "closed")) {
		int64_t replies = 0;

		/* Closed after a reply: the reply was the outcome. */
		if (!(st = db_prepare(db, sql_replied)))
			return ERR_DB;
		stmt_bind_int(st, 1, j->id);
		if (stmt_row(st))
			replies = stmt_int(st, 0);
		if ((e = stmt_done(st)) != ERR_OK)
			return e;
		if (replies > 0)
			outcome = "reply";
		reason = j->note ? j->note : "";
	} else if (!strcmp(outcome, "appointment")) {
		reason = j->note ? j->note : "";	/* the modality */
	}
	if (!(st = db_prepare(db, sql_respond)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->id);
	stmt_bind_str(st, 2, close ? "closed" : "waiting");
	stmt_bind_str(st, 3, outcome);
	stmt_bind_int(st, 4, close ? j->at : 0);
	stmt_bind_str(st, 5, reason);
	stmt_bind_int(st, 6, j->at);
	if ((e = stmt_exec_one(st)) != ERR_OK)
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	return ERR_OK;
}

/*
 * A reply goes into the request's own conversation in Messages (started
 * by the first reply, message_thread.consultation_id), so the patient
 * can answer it there; message_send() notifies the patient.
 */
static enum err
reply_message(struct db *db, const struct consult_job *j)
{
	static const char sql_thread[] =
		"SELECT id FROM message_thread WHERE consultation_id = $1 "
		"ORDER BY created_at LIMIT 1";
	static const char sql_link[] =
		"UPDATE message_thread SET consultation_id = $2 WHERE id = $1";
	struct message_send m = {0};
	char key[40];
	struct stmt *st;
	enum err e;

	if (!(st = db_prepare(db, sql_thread)))
		return ERR_DB;
	stmt_bind_int(st, 1, j->id);
	if (stmt_row(st))
		m.thread_id = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	snprintf(key, sizeof(key), "consult-reply-%lld",
		 (long long)id_new());
	m.org_id = j->org_id;
	m.patient_id = j->patient_id;
	m.author_id = j->actor_id;
	m.side = MESSAGE_SIDE_STAFF;
	m.now = j->at;
	m.channel = "web";
	m.request_key = key;
	m.body = j->note;
	m.subject = "Your request for help";	/* stored text, as typed */
	m.claim = true;
	if ((e = message_send(db, &m)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_link)))
		return ERR_DB;
	stmt_bind_int(st, 1, m.thread_id);
	stmt_bind_int(st, 2, j->id);
	return stmt_exec(st);
}

/* --- the write function --------------------------------------------------- */

enum err
consult_apply(struct db *db, void *arg)
{
	struct consult_job *j = arg;
	struct stmt *st;
	enum err e;

	switch (j->op) {
	case CONSULT_OP_SUBMIT:
		if (!(st = db_prepare(db, sql_insert)))
			return ERR_DB;
		stmt_bind_int(st, 1, j->id);
		stmt_bind_int(st, 2, j->org_id);
		stmt_bind_int(st, 3, j->patient_id);
		stmt_bind_str(st, 4, j->kind);
		stmt_bind_str(st, 5, j->channel);
		stmt_bind_int(st, 6, j->actor_id);
		stmt_bind_int(st, 7, j->at);
		stmt_bind_str(st, 8, j->answers);
		stmt_bind_str(st, 9, j->status);
		stmt_bind_str(st, 10, j->priority);
		stmt_bind_int(st, 11, j->due_at);
		stmt_bind_int(st, 12, j->closed_at);
		stmt_bind_str(st, 13, j->request_key);
		/* The same key again is ERR_EXISTS: the caller answers
		 * with the request stored first. */
		if ((e = stmt_exec(st)) != ERR_OK)
			return e;
		break;
	case CONSULT_OP_TRIAGE:
		if (!(st = db_prepare(db, sql_triage)))
			return ERR_DB;
		stmt_bind_int(st, 1, j->id);
		stmt_bind_str(st, 2, j->priority);
		stmt_bind_int(st, 3, j->assignee);
		stmt_bind_int(st, 4, j->unit_id);
		stmt_bind_int(st, 5, j->at);
		if ((e = stmt_exec_one(st)) != ERR_OK)
			return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
		break;
	case CONSULT_OP_REPLY:
		if ((e = respond(db, j)) != ERR_OK ||
		    (e = reply_message(db, j)) != ERR_OK)
			return e;
		break;
	case CONSULT_OP_FINISH:
		if ((e = respond(db, j)) != ERR_OK)
			return e;
		break;
	case CONSULT_OP_ADD:
		if (!(st = db_prepare(db, sql_touch)))
			return ERR_DB;
		stmt_bind_int(st, 1, j->id);
		stmt_bind_int(st, 2, j->at);
		if ((e = stmt_exec_one(st)) != ERR_OK)
			return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
		break;
	case CONSULT_OP_RATE:
		if (!(st = db_prepare(db, sql_rating_add)))
			return ERR_DB;
		stmt_bind_int(st, 1, j->id);
		stmt_bind_int(st, 2, j->org_id);
		stmt_bind_int(st, 3, j->patient_id);
		stmt_bind_int(st, 4, j->at);
		stmt_bind_int(st, 5, j->ease);
		stmt_bind_int(st, 6, j->helped);
		return stmt_exec(st);	/* rated twice: ERR_EXISTS */
	default:
		return ERR_INVALID;
	}
	if ((e = step_add(db, j)) != ERR_OK)
		return e;
	if (j->notify)
		return outbox_notify_patient(db, j->patient_id,
					     OUTBOX_CONSULTATION,
					     consult_link(j), j->at);
	return ERR_OK;
}

void
consult_job_info(struct consult_job *j, struct write_info *wi)
{
	static const char *const actions[CONSULT_OP__MAX] = {
		"create", "triage", "reply", "close", "update", "rate",
	};

	snprintf(j->id_text, sizeof(j->id_text), "%lld", (long long)j->id);
	memset(wi, 0, sizeof(*wi));
	wi->action = (unsigned)j->op < CONSULT_OP__MAX ? actions[j->op]
						       : "update";
	wi->resource_type = j->op == CONSULT_OP_RATE ? "ConsultationRating"
						     : CONSULT_RES;
	wi->resource_id = j->id_text;
	wi->patient_id = j->patient_id;
	wi->detail = j->step ? j->step : "consultation";
	/* Triage is the team's own work: the patient sees no step. */
	wi->touchpoint_kind = j->op == CONSULT_OP_TRIAGE ? NULL
							 : "consultation";
}

static enum err
run(struct ctx *c, struct consult_job *j)
{
	struct write_info wi;

	j->actor_id = c->actor.account_id;
	j->at = c->now;
	consult_job_info(j, &wi);
	return write_commit(c, &wi, consult_apply, j);
}

/* --- submitting ----------------------------------------------------------- */

static bool
key_ok(const char *k)
{
	size_t i, n = k ? strlen(k) : 0;

	if (n < 16 || n > 64)
		return false;
	for (i = 0; i < n; i++) {
		char ch = k[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

static bool
is_code(const char *s, const char *const *codes)
{
	for (; s && *codes; codes++)
		if (!strcmp(s, *codes))
			return true;
	return false;
}

static const char *const priority_codes[] = {"routine", "soon", "urgent",
					      NULL};

static const char *const answer_fields[CONSULT_QUESTIONS_MAX] = {
	"answer1", "answer2", "answer3", "answer4", "answer5",
	"answer6", "answer7", "answer8", "answer9", "answer10",
};
static const char *const flag_fields[CONSULT_QUESTIONS_MAX] = {
	"flag1", "flag2", "flag3", "flag4", "flag5",
	"flag6", "flag7", "flag8", "flag9", "flag10",
};

static bool
any_red_flag(const struct consult_new *n)
{
	size_t i;

	for (i = 0; i < n->nred_flags; i++)
		if (n->red_flags[i].answer &&
		    !strcmp(n->red_flags[i].answer, "yes"))
			return true;
	return false;
}

void
consult_validate(const struct consult_new *n, struct problems *ps)
{
	static const char *const yes_no[] = {"yes", "no", NULL};
	bool written = false;
	size_t i;

	if (!key_ok(n->request_key))
		problems_add(ps, "key",
			     N_("The form has expired. Open it again and "
				"send it."));
	if ((unsigned)n->kind >= CONSULT__MAX)
		problems_add(ps, "kind", N_("Choose what your request is "
					    "about."));
	if (n->nred_flags > CONSULT_QUESTIONS_MAX ||
	    n->nanswers > CONSULT_QUESTIONS_MAX) {
		problems_add(ps, "answer1", N_("The form has too many "
					       "answers."));
		return;
	}
	/* A yes stops the form at once: the red flags not answered yet
	 * stay empty, and no answers are needed. */
	for (i = 0; i < n->nred_flags; i++)
		if (!is_code(n->red_flags[i].answer, yes_no) &&
		    !(any_red_flag(n) && n->red_flags[i].answer &&
		      !*n->red_flags[i].answer))
			problems_add(ps, flag_fields[i],
				     N_("Answer yes or no."));
	if (any_red_flag(n))
		return;
	for (i = 0; i < n->nanswers; i++) {
		const char *a = n->answers[i].answer;

		if (!a || !*a)
			continue;
		written = true;
		care_text_ok(ps, answer_fields[i], a, CONSULT_ANSWER_MAX);
	}
	if (!written)
		problems_add(ps, "answer1",
			     N_("Answer at least the first question, in a "
				"few words."));
	if (n->priority && !is_code(n->priority, priority_codes))
		problems_add(ps, "priority", N_("Choose a priority."));
}

/* The questions and answers as stored JSON text, in `a`. */
static const char *
answers_json(struct arena *a, const struct consult_new *n)
{
	json_t *o = json_object(), *flags = json_array(), *ans = json_array();
	const char *out = NULL;
	char *s;
	size_t i;

	if (!o || !flags || !ans)
		goto out;
	json_object_set_new(o, "red_flags", flags);
	json_object_set_new(o, "answers", ans);
	for (i = 0; i < n->nred_flags; i++)
		json_array_append_new(
			flags, json_pack("{s:s, s:s}", "q",
					 n->red_flags[i].question ? n->red_flags[i].question : "",
					 "a", n->red_flags[i].answer ? n->red_flags[i].answer : ""));
	/* After a red flag the rest of the form was never shown. */
	for (i = 0; !any_red_flag(n) && i < n->nanswers; i++)
		json_array_append_new(
			ans, json_pack("{s:s, s:s}", "q",
				       n->answers[i].question ? n->answers[i].question : "",
				       "a", n->answers[i].answer ? n->answers[i].answer : ""));
	if ((s = json_dumps(o, JSON_COMPACT))) {
		out = arena_strdup(a, s);
		free(s);
	}
out:
	json_decref(o);
	if (!flags || !ans) {
		json_decref(flags);
		json_decref(ans);
	}
	return out;
}

static enum err
patient_org(struct db *db, int64_t patient_id, int64_t *org)
{
	struct stmt *st = db_prepare(db, sql_patient_org);
	bool found;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	if ((found = stmt_row(st)))
		*org = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	return found ? ERR_OK : ERR_NOT_FOUND;
}

/* The request stored under `key`: ERR_OK with its id when it is this
 * patient's, ERR_INVALID when another's, ERR_NOT_FOUND when none. */
static enum err
by_key(struct db *db, struct arena *a, int64_t org, const char *key,
       struct consult_new *n)
{
	struct stmt *st = db_prepare(db, sql_by_key);
	struct consultation got;
	int64_t id = 0, pid = 0;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org);
	stmt_bind_str(st, 2, key);
	if (stmt_row(st)) {
		id = stmt_int(st, 0);
		pid = stmt_int(st, 1);
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!id)
		return ERR_NOT_FOUND;
	if (pid != n->patient_id)
		return ERR_INVALID;
	if ((e = consult_get(db, a, id, &got)) != ERR_OK)
		return e;
	n->id = id;
	n->red_flag = !strcmp(got.status, "red_flag");
	return ERR_OK;
}

enum err
consult_submit(struct ctx *c, struct consult_new *n, struct problems *ps)
{
	struct write_info refused = {
		.action = "create",
		.resource_type = CONSULT_RES,
		.resource_id = "",
		.patient_id = n->patient_id,
		.detail = "consultation",
	};
	bool staff = role_is_staff(c->actor.role);
	const char *channel = c->channel ? c->channel : "web";
	struct consult_service svc;
	struct consult_job *j;
	int64_t org;
	enum err e;

	n->id = 0;
	n->red_flag = false;
	if ((e = patient_org(c->db, n->patient_id, &org)) != ERR_OK)
		return e;
	if (staff) {
		/* Staff record what a patient asked by phone or at the
		 * desk; only those who triage may. */
		if (!policy_org_allows(&c->actor, org, ORG_TRIAGE)) {
			write_refused(c, &refused);
			return ERR_FORBIDDEN;
		}
		if (strcmp(channel, "phone") && strcmp(channel, "desk") &&
		    !(c->patient_initiated && !strcmp(channel, "web")))
			return ERR_INVALID;
	} else {
		if ((e = policy_require(c, n->patient_id, RES_CONTACT,
					ACT_WRITE)) != ERR_OK)
			return e;
		channel = "web";
		if (n->priority)
			return ERR_FORBIDDEN;
	}
	consult_validate(n, ps);
	if (ps->n)
		return ERR_INVALID;
	if ((e = consult_service_get(c->db, c->a, org, &svc)) != ERR_OK)
		return e;
	if (!staff && !consult_service_open(&svc, c->now)) {
		/* Sent just before it closed: the first answer stands. */
		e = by_key(c->db, c->a, org, n->request_key, n);
		return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
	}
	if (!(j = arena_calloc(c->a, 1, sizeof(*j))))
		return ERR_NOMEM;
	j->op = CONSULT_OP_SUBMIT;
	j->id = id_new();
	j->org_id = org;
	j->patient_id = n->patient_id;
	j->kind = consult_kind_code(n->kind);
	j->channel = channel;
	j->request_key = n->request_key;
	j->priority = n->priority ? n->priority : "routine";
	if (!(j->answers = answers_json(c->a, n)))
		return ERR_NOMEM;
	if (any_red_flag(n)) {
		j->status = "red_flag";
		j->closed_at = c->now;
		j->step = "red_flag";
	} else {
		j->status = "submitted";
		j->due_at = servicelevel_due(&svc.hours, c->now);
		j->step = staff ? "recorded" : "submitted";
		/* Keyed in by staff: the patient hears it is there. */
		j->notify = staff;
	}
	e = run(c, j);
	if (e == ERR_EXISTS) {
		e = by_key(c->db, c->a, org, n->request_key, n);
		if (e == ERR_INVALID)
			problems_add(ps, "key",
				     N_("The form has expired. Open it "
					"again and send it."));
		return e;
	}
	if (e != ERR_OK)
		return e;
	n->id = j->id;
	n->red_flag = j->closed_at != 0;
	return ERR_OK;
}

/* --- reading -------------------------------------------------------------- */

static void
read_consult(struct stmt *st, struct arena *a, void *out)
{
	struct consultation *r = out;

	r->id = stmt_int(st, 0);
	r->org_id = stmt_int(st, 1);
	r->patient_id = stmt_int(st, 2);
	r->patient_name = stmt_text_dup(st, 3, a);
	r->kind = stmt_text_dup(st, 4, a);
	r->channel = stmt_text_dup(st, 5, a);
	r->submitted_by = stmt_int(st, 6);
	r->submitted_at = stmt_int(st, 7);
	r->answers = stmt_text_dup(st, 8, a);
	r->status = stmt_text_dup(st, 9, a);
	r->priority = stmt_text_dup(st, 10, a);
	r->assigned_account_id = stmt_int(st, 11);
	r->assignee_name = stmt_text_dup(st, 12, a);
	r->assigned_unit_id = stmt_int(st, 13);
	r->unit_name = stmt_text_dup(st, 14, a);
	r->due_at = stmt_int(st, 15);
	r->first_response_at = stmt_int(st, 16);
	r->closed_at = stmt_int(st, 17);
	r->outcome = stmt_text_dup(st, 18, a);
	r->close_reason = stmt_text_dup(st, 19, a);
	r->version = (int)stmt_int(st, 20);
	r->ease = (int)stmt_int(st, 21);
	r->helped = (int)stmt_int(st, 22);
}

enum err
consult_get(struct db *db, struct arena *a, int64_t id,
	    struct consultation *out)
{
	struct stmt *st = db_prepare(db, sql_get);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	return stmt_get(st, a, read_consult, out);
}

static enum err
list_patient(struct db *db, struct arena *a, const char *sql,
	     int64_t patient_id, struct consultation **out, size_t *count)
{
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, patient_id);
	stmt_bind_int(st, 2, CONSULT_LIST_MAX);
	return stmt_list(st, a, sizeof(**out), CONSULT_LIST_MAX,
			 read_consult, out, count);
}

enum err
consult_list_patient(struct db *db, struct arena *a, int64_t patient_id,
		     struct consultation **out, size_t *count)
{
	return list_patient(db, a, sql_list_patient, patient_id, out, count);
}

enum err
consult_list_patient_open(struct db *db, struct arena *a, int64_t patient_id,
			  struct consultation **out, size_t *count)
{
	return list_patient(db, a, sql_open_patient, patient_id, out, count);
}

enum err
consult_queue(struct db *db, struct arena *a, int64_t org_id,
	      enum consult_queue_filter f, int64_t account_id,
	      int64_t unit_id, int64_t after_due, int64_t after_id,
	      struct consultation **out, size_t *count, bool *more)
{
	const char *sql = f == QUEUE_MINE   ? sql_queue_mine
			  : f == QUEUE_UNIT ? sql_queue_unit
					    : sql_queue_all;
	struct stmt *st = db_prepare(db, sql);
	enum err e;

	*more = false;
	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, org_id);
	/* One more than a page tells whether another page follows. */
	stmt_bind_int(st, 2, CONSULT_QUEUE_PAGE + 1);
	stmt_bind_int(st, 3, after_due);
	stmt_bind_int(st, 4, after_id);
	if (f != QUEUE_ALL)
		stmt_bind_int(st, 5, f == QUEUE_MINE ? account_id : unit_id);
	e = stmt_list(st, a, sizeof(**out), CONSULT_QUEUE_PAGE + 1,
		      read_consult, out, count);
	if (e == ERR_OK && *count > CONSULT_QUEUE_PAGE) {
		*more = true;
		*count = CONSULT_QUEUE_PAGE;
	}
	return e;
}

static void
read_step(struct stmt *st, struct arena *a, void *out)
{
	struct consult_step *s = out;

	s->at = stmt_int(st, 0);
	s->actor_id = stmt_int(st, 1);
	s->actor_name = stmt_text_dup(st, 2, a);
	s->step = stmt_text_dup(st, 3, a);
	s->note = stmt_text_dup(st, 4, a);
}

enum err
consult_steps(struct db *db, struct arena *a, int64_t id, bool staff,
	      struct consult_step **out, size_t *count)
{
	struct stmt *st =
		db_prepare(db, staff ? sql_steps_all : sql_steps_patient);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, CONSULT_STEPS_MAX);
	return stmt_list(st, a, sizeof(**out), CONSULT_STEPS_MAX, read_step,
			 out, count);
}

static bool
read_pairs(struct arena *a, json_t *arr, struct consult_answer *out,
	   size_t *n, size_t max)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *q = json_string_value(json_object_get(v, "q"));
		const char *ans = json_string_value(json_object_get(v, "a"));

		if (*n == max)
			break;
		out[*n].question = arena_strdup(a, q ? q : "");
		out[*n].answer = arena_strdup(a, ans ? ans : "");
		if (!out[*n].question || !out[*n].answer)
			return false;
		(*n)++;
	}
	return true;
}

enum err
consult_answers_parse(struct arena *a, const char *json,
		      struct consult_answer **out, size_t *count, size_t *nred)
{
	json_t *o = json_loads(json ? json : "{}", 0, NULL);
	size_t max = 2 * CONSULT_QUESTIONS_MAX;
	bool ok;

	*count = 0;
	*nred = 0;
	if (!(*out = arena_calloc(a, max, sizeof(**out)))) {
		json_decref(o);
		return ERR_NOMEM;
	}
	if (!o)
		return ERR_OK;	/* nothing readable: no answers */
	ok = read_pairs(a, json_object_get(o, "red_flags"), *out, count,
			CONSULT_QUESTIONS_MAX);
	*nred = *count;
	ok = ok && read_pairs(a, json_object_get(o, "answers"), *out, count,
			      max);
	json_decref(o);
	return ok ? ERR_OK : ERR_NOMEM;
}

/* --- staff and patient steps ---------------------------------------------- */

/* The request `id` for a step: ERR_NOT_FOUND when there is none. */
static enum err
state_get(struct ctx *c, int64_t id, struct consultation *out)
{
	return consult_get(c->db, c->a, id, out);
}

/* Staff who may triage the request, audited when refused. */
static enum err
staff_step(struct ctx *c, int64_t id, const char *action,
	   struct consultation *r)
{
	struct write_info wi = {
		.action = action,
		.resource_type = CONSULT_RES,
	};
	enum err e;

	if ((e = state_get(c, id, r)) != ERR_OK)
		return e;
	if (!policy_org_allows(&c->actor, r->org_id, ORG_TRIAGE)) {
		char idt[24];

		snprintf(idt, sizeof(idt), "%lld", (long long)id);
		wi.resource_id = idt;
		wi.patient_id = r->patient_id;
		write_refused(c, &wi);
		return c->actor.org_id == r->org_id ? ERR_FORBIDDEN
						    : ERR_NOT_FOUND;
	}
	return r->closed_at ? ERR_CONFLICT : ERR_OK;
}

/* The patient's side (the patient, or a caregiver the policy allows). */
static enum err
patient_step(struct ctx *c, int64_t id, struct consultation *r)
{
	enum err e;

	if ((e = state_get(c, id, r)) != ERR_OK)
		return e;
	if (role_is_staff(c->actor.role))
		return ERR_FORBIDDEN;
	return policy_require(c, r->patient_id, RES_CONTACT, ACT_WRITE);
}

static struct consult_job *
job_for(struct ctx *c, const struct consultation *r, enum consult_op op)
{
	struct consult_job *j = arena_calloc(c->a, 1, sizeof(*j));

	if (j) {
		j->op = op;
		j->id = r->id;
		j->org_id = r->org_id;
		j->patient_id = r->patient_id;
	}
	return j;
}

static bool
text_required(const char *text, size_t max)
{
	struct problems ps = {0};

	return text && *text && care_text_ok(&ps, "text", text, max);
}

enum err
consult_triage(struct ctx *c, int64_t id, const char *priority,
	       int64_t assignee, int64_t unit_id)
{
	struct consultation r;
	struct consult_job *j;
	bool found;
	enum err e;

	if ((e = staff_step(c, id, "triage", &r)) != ERR_OK)
		return e;
	if (!is_code(priority, priority_codes) || assignee < 0 || unit_id < 0)
		return ERR_INVALID;
	if (assignee) {
		if ((e = exists2(c->db, sql_staff_in_org, assignee, r.org_id,
				 &found)) != ERR_OK)
			return e;
		if (!found)
			return ERR_INVALID;
	}
	if (unit_id) {
		if ((e = exists2(c->db, sql_unit_in_org, unit_id, r.org_id,
				 &found)) != ERR_OK)
			return e;
		if (!found)
			return ERR_INVALID;
	}
	if (!(j = job_for(c, &r, CONSULT_OP_TRIAGE)))
		return ERR_NOMEM;
	j->priority = priority;
	j->assignee = assignee;
	j->unit_id = unit_id;
	j->step = "triaged";
	return run(c, j);
}

enum err
consult_reply(struct ctx *c, int64_t id, const char *text, bool close)
{
	struct consultation r;
	struct consult_job *j;
	enum err e;

	if ((e = staff_step(c, id, "reply", &r)) != ERR_OK)
		return e;
	if (!text_required(text, CONSULT_TEXT_MAX))
		return ERR_INVALID;
	if (!(j = job_for(c, &r, CONSULT_OP_REPLY)))
		return ERR_NOMEM;
	/* The reply is also a step note the patient reads on the request
	 * page; the message's own notification tells them of it. */
	j->note = text;
	j->close = close;
	j->step = "reply";
	j->notify = false;
	return run(c, j);
}

enum err
consult_finish(struct ctx *c, int64_t id, const char *outcome,
	       const char *modality, const char *note)
{
	static const char *const finish_codes[] = {
		"appointment", "self_care", "signpost", "closed", NULL,
	};
	static const char *const modality_codes[] = {
		"in_person", "phone", "video", NULL,
	};
	struct consultation r;
	struct consult_job *j;
	enum err e;

	if ((e = staff_step(c, id, "close", &r)) != ERR_OK)
		return e;
	if (!is_code(outcome, finish_codes))
		return ERR_INVALID;
	if (!strcmp(outcome, "appointment")) {
		if (!is_code(modality, modality_codes))
			return ERR_INVALID;
		note = modality;
	} else if (!text_required(note, CONSULT_TEXT_MAX)) {
		return ERR_INVALID;
	}
	if (!(j = job_for(c, &r, CONSULT_OP_FINISH)))
		return ERR_NOMEM;
	j->outcome = outcome;
	j->note = note;
	j->step = outcome;
	j->notify = true;
	return run(c, j);
}

enum err
consult_patient_add(struct ctx *c, int64_t id, const char *text)
{
	struct consultation r;
	struct consult_job *j;
	enum err e;

	if ((e = patient_step(c, id, &r)) != ERR_OK)
		return e;
	if (r.closed_at)
		return ERR_CONFLICT;
	if (!text_required(text, CONSULT_TEXT_MAX))
		return ERR_INVALID;
	if (!(j = job_for(c, &r, CONSULT_OP_ADD)))
		return ERR_NOMEM;
	j->note = text;
	j->step = "patient_add";
	return run(c, j);
}

enum err
consult_rate(struct ctx *c, int64_t id, int ease, int helped)
{
	struct consultation r;
	struct consult_job *j;
	enum err e;

	if ((e = patient_step(c, id, &r)) != ERR_OK)
		return e;
	if (strcmp(r.status, "closed"))
		return ERR_CONFLICT;
	if (r.ease)
		return ERR_EXISTS;
	if (ease < 1 || ease > 5 || helped < 1 || helped > 5)
		return ERR_INVALID;
	if (!(j = job_for(c, &r, CONSULT_OP_RATE)))
		return ERR_NOMEM;
	j->ease = ease;
	j->helped = helped;
	j->step = "rated";
	return run(c, j);
}

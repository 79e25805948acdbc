/*
 * Unit tests for src/contact/consult.c: submitting (idempotent by the
 * request key, a red flag recorded and closed at once, answers checked,
 * the service switched off), requests staff key in for a patient, the
 * rules of first_response_at (not triage, the first reply or outcome),
 * notifications and touchpoints, ratings, the queue and its filters,
 * forms and settings, and writes the policy refuses storing nothing; on
 * SQLite and PostgreSQL.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/write.h"
#include "contact/consult.h"
#include "core/arena.h"
#include "core/id.h"

struct fx {
	struct test_care care;
	int64_t reception, admin, unit;
};

static enum err
extra_people(struct db *db, void *arg)
{
	struct fx *f = arg;
	struct test_care *c = &f->care;
	static const char sql_unit[] =
		"INSERT INTO unit (id, org_id, name, created_at) "
		"VALUES ($1, $2, 'Nurses', 1)";
	static const char sql_email[] =
		"UPDATE account SET email = 'ana@example.org' WHERE id = $1";
	struct stmt *st;
	enum err e;

	if ((e = test_add_account(db, f->reception, c->org, "desk",
				  ROLE_RECEPTIONIST, 0)) != ERR_OK ||
	    (e = test_add_account(db, f->admin, c->org, "boss",
				  ROLE_ADMINISTRATOR, 0)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_unit)))
		return ERR_DB;
	stmt_bind_int(st, 1, f->unit);
	stmt_bind_int(st, 2, c->org);
	if ((e = stmt_exec(st)) != ERR_OK)
		return e;
	if (!(st = db_prepare(db, sql_email)))
		return ERR_DB;
	stmt_bind_int(st, 1, c->patient_acc);
	return stmt_exec(st);
}

static int
up(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	void *care;

	assert_int_equal(test_care_up(&care, TEST_CARE_CARER |
					      TEST_CARE_STRANGERS),
			 0);
	memcpy(&f->care, care, sizeof(f->care));
	free(care);
	/* The context's arena and store pointers moved with the copy. */
	test_ctx_init(&f->care.ctx, &f->care.t, f->care.a, &f->care.key);
	f->reception = id_new();
	f->admin = id_new();
	f->unit = id_new();
	assert_int_equal(store_write(f->care.t.store, extra_people, f),
			 ERR_OK);
	*state = f;
	return 0;
}

static int
down(void **state)
{
	struct fx *f = *state;

	test_teardown(&f->care.t, f->care.a, f);
	return 0;
}

/* Monday 30 November 2026, 10:00 UTC. */
#define MONDAY_10 1796032800

static struct ctx *
as(struct fx *f, int64_t who, enum role role)
{
	struct ctx *c = &f->care.ctx;

	test_act_as(c, f->care.org,
		    role == ROLE_PATIENT ? f->care.patient : 0, who, role);
	c->now = MONDAY_10;
	c->channel = "web";
	c->patient_initiated = false;
	return c;
}

static struct ctx *
as_patient(struct fx *f)
{
	return as(f, f->care.patient_acc, ROLE_PATIENT);
}

static struct ctx *
as_pro(struct fx *f)
{
	return as(f, f->care.pro, ROLE_PROFESSIONAL);
}

static int64_t
count(struct fx *f, const char *sql)
{
	return test_count(f->care.t.db, sql);
}

static const char sql_consults[] = "SELECT COUNT(*) FROM consultation";
static const char sql_touchpoints[] =
	"SELECT COUNT(*) FROM touchpoint WHERE kind = 'consultation'";
static const char sql_outbox[] =
	"SELECT COUNT(*) FROM outbox WHERE event = 'consultation'";
static const char sql_reply_notes[] =
	"SELECT COUNT(*) FROM outbox WHERE event = 'message'";
static const char sql_reply_messages[] =
	"SELECT COUNT(*) FROM message m JOIN message_thread t "
	"ON t.id = m.thread_id WHERE t.consultation_id <> 0 "
	"AND m.author_side = 'staff'";
static const char sql_steps[] = "SELECT COUNT(*) FROM consultation_step";
static const char sql_ratings[] =
	"SELECT COUNT(*) FROM consultation_rating";

/* A request of the fixture's patient with `key`, first answer `text`,
 * the first red flag answered `flag`. */
static struct consult_new
request(struct fx *f, const char *key, const char *text, const char *flag)
{
	static struct consult_answer flags[2], answers[2];
	struct consult_new n;

	flags[0] = (struct consult_answer){"Chest pain?", flag};
	flags[1] = (struct consult_answer){"Breathless?", "no"};
	answers[0] = (struct consult_answer){"What is it?", text};
	answers[1] = (struct consult_answer){"Since when?", ""};
	memset(&n, 0, sizeof(n));
	n.patient_id = f->care.patient;
	n.kind = CONSULT_NEW_PROBLEM;
	n.request_key = key;
	n.red_flags = flags;
	n.nred_flags = 2;
	n.answers = answers;
	n.nanswers = 2;
	return n;
}

static int64_t
submit_ok(struct fx *f, const char *key)
{
	struct consult_new n = request(f, key, "A rash on my arm", "no");
	struct problems ps = {0};

	assert_int_equal(consult_submit(as_patient(f), &n, &ps), ERR_OK);
	assert_false(n.red_flag);
	return n.id;
}

static void
test_submit_idempotent(void **state)
{
	struct fx *f = *state;
	struct consult_new n = request(f, "key-0000000000000001", "A rash",
				       "no");
	struct problems ps = {0};
	struct consultation r;
	struct consult_answer *ans;
	size_t na, nred;
	int64_t first;

	assert_int_equal(consult_submit(as_patient(f), &n, &ps), ERR_OK);
	first = n.id;
	assert_true(first > 0);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, first, &r),
			 ERR_OK);
	assert_string_equal(r.status, "submitted");
	assert_string_equal(r.channel, "web");
	assert_string_equal(r.kind, "new_problem");
	assert_string_equal(r.priority, "routine");
	/* Received Monday within hours: due Tuesday at 18:00. */
	assert_int_equal(r.due_at, MONDAY_10 + 24 * 3600 + 8 * 3600);
	assert_int_equal(r.first_response_at, 0);
	assert_int_equal(consult_answers_parse(f->care.a, r.answers, &ans,
					       &na, &nred),
			 ERR_OK);
	assert_int_equal(nred, 2);
	assert_int_equal(na, 4);
	assert_string_equal(ans[2].answer, "A rash");

	/* The same form sent again: the same request, nothing new. */
	n = request(f, "key-0000000000000001", "A rash", "no");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps), ERR_OK);
	assert_int_equal(n.id, first);
	assert_int_equal(count(f, sql_consults), 1);
	assert_int_equal(count(f, sql_steps), 1);
	assert_int_equal(count(f, sql_touchpoints), 1);
	/* The patient sent it: no notification to themself. */
	assert_int_equal(count(f, sql_outbox), 0);

	/* A caregiver with a grant of contact? This one has no scopes. */
	n = request(f, "key-0000000000000002", "A rash", "no");
	assert_int_equal(consult_submit(as(f, f->care.carer, ROLE_CAREGIVER),
					&n, &ps),
			 ERR_FORBIDDEN);
	n = request(f, "key-0000000000000003", "A rash", "no");
	assert_int_equal(consult_submit(as(f, f->care.stranger_carer,
					   ROLE_CAREGIVER),
					&n, &ps),
			 ERR_FORBIDDEN);
	assert_int_equal(count(f, sql_consults), 1);
}

static void
test_red_flag(void **state)
{
	struct fx *f = *state;
	struct consult_new n = request(f, "key-red-0000000000001", "", "yes");
	struct problems ps = {0};
	struct consultation r, *q;
	size_t nq;
	bool more;

	assert_int_equal(consult_submit(as_patient(f), &n, &ps), ERR_OK);
	assert_true(n.red_flag);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, n.id, &r),
			 ERR_OK);
	assert_string_equal(r.status, "red_flag");
	assert_int_equal(r.closed_at, MONDAY_10);
	assert_int_equal(count(f, sql_touchpoints), 1);
	/* Not in the queue. */
	assert_int_equal(consult_queue(f->care.t.db, f->care.a, f->care.org,
				       QUEUE_ALL, 0, 0, 0, 0, &q, &nq, &more),
			 ERR_OK);
	assert_int_equal(nq, 0);
	/* Sent twice: still one, still a red flag. */
	n = request(f, "key-red-0000000000001", "", "yes");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps), ERR_OK);
	assert_true(n.red_flag);
	assert_int_equal(count(f, sql_consults), 1);
}

static void
test_validation(void **state)
{
	struct fx *f = *state;
	char *big = arena_alloc(f->care.a, CONSULT_ANSWER_MAX + 2);
	struct consult_new n;
	struct problems ps = {0};

	memset(big, 'x', CONSULT_ANSWER_MAX + 1);
	big[CONSULT_ANSWER_MAX + 1] = '\0';
	n = request(f, "key-big-0000000000001", big, "no");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps),
			 ERR_INVALID);
	assert_non_null(problems_for(&ps, "answer1"));

	memset(&ps, 0, sizeof(ps));
	n = request(f, "short", "fine", "no");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps),
			 ERR_INVALID);
	assert_non_null(problems_for(&ps, "key"));

	memset(&ps, 0, sizeof(ps));
	n = request(f, "key-empty-00000000001", "", "no");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps),
			 ERR_INVALID);
	assert_non_null(problems_for(&ps, "answer1"));

	memset(&ps, 0, sizeof(ps));
	n = request(f, "key-flag-000000000001", "fine", "maybe");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps),
			 ERR_INVALID);
	assert_non_null(problems_for(&ps, "flag1"));

	/* A patient cannot set a priority. */
	memset(&ps, 0, sizeof(ps));
	n = request(f, "key-prio-000000000001", "fine", "no");
	n.priority = "urgent";
	assert_int_equal(consult_submit(as_patient(f), &n, &ps),
			 ERR_FORBIDDEN);
	assert_int_equal(count(f, sql_consults), 0);
	assert_int_equal(count(f, sql_steps), 0);
}

static void
test_first_response(void **state)
{
	struct fx *f = *state;
	int64_t id = submit_ok(f, "key-resp-000000000001");
	struct consultation r;
	struct ctx *c;

	/* Triage is not a response the patient sees. */
	c = as_pro(f);
	c->now = MONDAY_10 + 600;
	assert_int_equal(consult_triage(c, id, "urgent", f->care.pro,
					f->unit),
			 ERR_OK);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, id, &r),
			 ERR_OK);
	assert_int_equal(r.first_response_at, 0);
	assert_string_equal(r.status, "triaged");
	assert_string_equal(r.priority, "urgent");
	assert_int_equal(r.assigned_account_id, f->care.pro);
	assert_int_equal(r.assigned_unit_id, f->unit);
	assert_string_equal(r.unit_name, "Nurses");
	assert_int_equal(count(f, sql_touchpoints), 1);
	assert_int_equal(count(f, sql_outbox), 0);

	/* The first reply is. */
	c = as_pro(f);
	c->now = MONDAY_10 + 3600;
	assert_int_equal(consult_reply(c, id, "Please send a photo.", false),
			 ERR_OK);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, id, &r),
			 ERR_OK);
	assert_int_equal(r.first_response_at, MONDAY_10 + 3600);
	assert_string_equal(r.status, "waiting");
	assert_int_equal(r.closed_at, 0);
	assert_int_equal(count(f, sql_touchpoints), 2);
	/* The reply is a message in the request's own conversation, and
	 * its notification is the message's. */
	assert_int_equal(count(f, sql_reply_messages), 1);
	assert_int_equal(count(f, sql_reply_notes), 1);
	assert_int_equal(count(f, sql_outbox), 0);

	/* The patient adds to it; then the team closes it later: the
	 * first response stays, the outcome is the reply. */
	c = as_patient(f);
	c->now = MONDAY_10 + 4000;
	assert_int_equal(consult_patient_add(c, id, "Photo attached"),
			 ERR_OK);
	c = as_pro(f);
	c->now = MONDAY_10 + 7200;
	assert_int_equal(consult_finish(c, id, "closed", NULL,
					"Answered by message"),
			 ERR_OK);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, id, &r),
			 ERR_OK);
	assert_int_equal(r.first_response_at, MONDAY_10 + 3600);
	assert_int_equal(r.closed_at, MONDAY_10 + 7200);
	assert_string_equal(r.status, "closed");
	assert_string_equal(r.outcome, "reply");
	assert_int_equal(count(f, sql_outbox), 1);
	/* Closed: no more steps. */
	assert_int_equal(consult_reply(c, id, "More", false), ERR_CONFLICT);
	assert_int_equal(consult_patient_add(as_patient(f), id, "More"),
			 ERR_CONFLICT);

	/* An appointment as the first response, closing at once. */
	id = submit_ok(f, "key-resp-000000000002");
	c = as(f, f->reception, ROLE_RECEPTIONIST);
	c->now = MONDAY_10 + 900;
	assert_int_equal(consult_finish(c, id, "appointment", "teleport",
					NULL),
			 ERR_INVALID);
	assert_int_equal(consult_finish(c, id, "appointment", "video", NULL),
			 ERR_OK);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, id, &r),
			 ERR_OK);
	assert_int_equal(r.first_response_at, MONDAY_10 + 900);
	assert_string_equal(r.outcome, "appointment");
	assert_string_equal(r.close_reason, "video");
}

static void
test_forbidden(void **state)
{
	struct fx *f = *state;
	int64_t id = submit_ok(f, "key-forb-000000000001");
	int64_t steps = count(f, sql_steps);
	struct consultation r;

	/* The patient cannot triage, reply or close. */
	assert_int_equal(consult_triage(as_patient(f), id, "urgent", 0, 0),
			 ERR_FORBIDDEN);
	assert_int_equal(consult_reply(as_patient(f), id, "hi", true),
			 ERR_FORBIDDEN);
	assert_int_equal(consult_finish(as_patient(f), id, "closed", NULL,
					"done"),
			 ERR_FORBIDDEN);
	/* Nor the administrator or a caregiver. */
	assert_int_equal(consult_triage(as(f, f->admin, ROLE_ADMINISTRATOR),
					id, "urgent", 0, 0),
			 ERR_FORBIDDEN);
	assert_int_equal(consult_reply(as(f, f->care.carer, ROLE_CAREGIVER),
				       id, "hi", true),
			 ERR_FORBIDDEN);
	/* Staff cannot add as the patient or rate. */
	assert_int_equal(consult_patient_add(as_pro(f), id, "hi"),
			 ERR_FORBIDDEN);
	/* Rating before closing; bad assignees. */
	assert_int_equal(consult_rate(as_patient(f), id, 5, 5), ERR_CONFLICT);
	assert_int_equal(consult_triage(as_pro(f), id, "urgent",
					f->care.patient_acc, 0),
			 ERR_INVALID);
	assert_int_equal(consult_triage(as_pro(f), id, "urgent", 0,
					id_new()),
			 ERR_INVALID);
	assert_int_equal(consult_triage(as_pro(f), id, "whenever", 0, 0),
			 ERR_INVALID);
	assert_int_equal(consult_reply(as_pro(f), id, "", true),
			 ERR_INVALID);
	assert_int_equal(consult_finish(as_pro(f), id, "vanish", NULL, "x"),
			 ERR_INVALID);
	assert_int_equal(consult_finish(as_pro(f), id, "signpost", NULL, ""),
			 ERR_INVALID);
	assert_int_equal(consult_triage(as_pro(f), id_new(), "urgent", 0, 0),
			 ERR_NOT_FOUND);
	assert_int_equal(count(f, sql_steps), steps);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, id, &r),
			 ERR_OK);
	assert_string_equal(r.status, "submitted");
	assert_int_equal(r.version, 1);
}

static void
test_rating(void **state)
{
	struct fx *f = *state;
	int64_t id = submit_ok(f, "key-rate-000000000001");
	struct consultation r;

	assert_int_equal(consult_finish(as_pro(f), id, "self_care", NULL,
					"Rest and fluids."),
			 ERR_OK);
	assert_int_equal(consult_rate(as_pro(f), id, 5, 5), ERR_FORBIDDEN);
	assert_int_equal(consult_rate(as_patient(f), id, 0, 5), ERR_INVALID);
	assert_int_equal(consult_rate(as_patient(f), id, 4, 6), ERR_INVALID);
	assert_int_equal(count(f, sql_ratings), 0);
	assert_int_equal(consult_rate(as_patient(f), id, 4, 5), ERR_OK);
	assert_int_equal(consult_rate(as_patient(f), id, 1, 1), ERR_EXISTS);
	assert_int_equal(count(f, sql_ratings), 1);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, id, &r),
			 ERR_OK);
	assert_int_equal(r.ease, 4);
	assert_int_equal(r.helped, 5);
	assert_string_equal(r.outcome, "self_care");
}

static void
test_offline_and_service(void **state)
{
	struct fx *f = *state;
	struct consult_service s;
	struct consult_new n;
	struct problems ps = {0};
	struct consultation r;
	struct ctx *c;

	/* Switch the service off: only an administrator may. */
	assert_int_equal(consult_service_get(f->care.t.db, f->care.a,
					     f->care.org, &s),
			 ERR_OK);
	assert_false(s.stored);
	assert_true(s.consult_open);
	s.consult_open = false;
	s.closed_message = "Call us on 0100 000 000.";
	assert_int_equal(consult_service_save(as_pro(f), &s, &ps),
			 ERR_FORBIDDEN);
	assert_int_equal(consult_service_save(as(f, f->admin,
						 ROLE_ADMINISTRATOR),
					      &s, &ps),
			 ERR_OK);
	assert_int_equal(consult_service_get(f->care.t.db, f->care.a,
					     f->care.org, &s),
			 ERR_OK);
	assert_true(s.stored);
	assert_false(s.consult_open);
	assert_string_equal(s.closed_message, "Call us on 0100 000 000.");

	n = request(f, "key-off-0000000000001", "A rash", "no");
	assert_int_equal(consult_submit(as_patient(f), &n, &ps),
			 ERR_CONFLICT);
	assert_int_equal(count(f, sql_consults), 0);

	/* The desk still records a request that came by phone. */
	n = request(f, "key-phone-00000000001", "Called about a rash", "no");
	n.priority = "soon";
	c = as(f, f->reception, ROLE_RECEPTIONIST);
	assert_int_equal(consult_submit(c, &n, &ps), ERR_INVALID);
	c->channel = "phone";
	c->patient_initiated = true;
	assert_int_equal(consult_submit(c, &n, &ps), ERR_OK);
	assert_int_equal(consult_get(f->care.t.db, f->care.a, n.id, &r),
			 ERR_OK);
	assert_string_equal(r.channel, "phone");
	assert_string_equal(r.priority, "soon");
	assert_int_equal(r.submitted_by, f->reception);
	assert_int_equal(test_count(f->care.t.db,
				    "SELECT COUNT(*) FROM touchpoint WHERE "
				    "kind = 'consultation' AND channel = "
				    "'phone' AND initiator_side = 'patient'"),
			 1);
	assert_int_equal(count(f, sql_outbox), 1);
	assert_int_equal(test_count(f->care.t.db,
				    "SELECT COUNT(*) FROM consultation_step "
				    "WHERE step = 'recorded'"),
			 1);
}

static void
test_queue(void **state)
{
	struct fx *f = *state;
	struct consultation *q;
	char key[40];
	size_t n, i;
	bool more;
	int64_t first = 0, first_due;

	for (i = 0; i < CONSULT_QUEUE_PAGE + 3; i++) {
		struct consult_new cn;
		struct problems ps = {0};
		struct ctx *c;

		snprintf(key, sizeof(key), "key-queue-%011zu", i);
		cn = request(f, arena_strdup(f->care.a, key), "Question",
			     "no");
		c = as_patient(f);
		/* Later requests are due later. */
		c->now = MONDAY_10 + (int64_t)i * 86400;
		assert_int_equal(consult_submit(c, &cn, &ps), ERR_OK);
		if (!first)
			first = cn.id;
	}
	assert_int_equal(consult_queue(f->care.t.db, f->care.a, f->care.org,
				       QUEUE_ALL, 0, 0, 0, 0, &q, &n, &more),
			 ERR_OK);
	assert_int_equal(n, CONSULT_QUEUE_PAGE);
	assert_true(more);
	assert_int_equal(q[0].id, first);
	for (i = 1; i < n; i++)
		assert_true(q[i - 1].due_at <= q[i].due_at);
	first_due = q[n - 1].due_at;
	assert_int_equal(consult_queue(f->care.t.db, f->care.a, f->care.org,
				       QUEUE_ALL, 0, 0, q[n - 1].due_at,
				       q[n - 1].id, &q, &n, &more),
			 ERR_OK);
	assert_int_equal(n, 3);
	assert_false(more);
	assert_true(q[0].due_at >= first_due);

	assert_int_equal(consult_triage(as_pro(f), first, "soon", f->care.pro,
					0),
			 ERR_OK);
	assert_int_equal(consult_queue(f->care.t.db, f->care.a, f->care.org,
				       QUEUE_MINE, f->care.pro, 0, 0, 0, &q,
				       &n, &more),
			 ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(q[0].id, first);
	assert_string_equal(q[0].assignee_name, "dr");
	assert_int_equal(consult_queue(f->care.t.db, f->care.a, f->care.org,
				       QUEUE_UNIT, 0, f->unit, 0, 0, &q, &n,
				       &more),
			 ERR_OK);
	assert_int_equal(n, 0);
	/* Another organisation sees none of them. */
	assert_int_equal(consult_queue(f->care.t.db, f->care.a,
				       f->care.other_org, QUEUE_ALL, 0, 0, 0,
				       0, &q, &n, &more),
			 ERR_OK);
	assert_int_equal(n, 0);
}

static void
test_forms(void **state)
{
	struct fx *f = *state;
	struct consult_form form;
	struct problems ps = {0};
	const char *lines[CONSULT_QUESTIONS_MAX];
	size_t n;

	assert_int_equal(consult_form_get(f->care.t.db, f->care.a,
					  f->care.org, CONSULT_ADMIN, &form),
			 ERR_OK);
	assert_false(form.stored);
	assert_true(form.nquestions >= 1);
	assert_true(form.nred_flags >= 1);
	assert_non_null(form.advice);

	assert_int_equal(consult_lines_parse(f->care.a,
					     "First?\n\n  Second?  \r\n",
					     "questions", lines, &n, &ps),
			 ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(lines[1], "Second?");
	assert_int_equal(consult_lines_parse(f->care.a,
					     "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
					     "11\n",
					     "questions", lines, &n, &ps),
			 ERR_INVALID);

	memset(&ps, 0, sizeof(ps));
	form.nred_flags = 0;
	form.nquestions = 1;
	form.questions[0] = "What do you need from the desk?";
	form.advice = "";
	assert_int_equal(consult_form_save(as_pro(f), &form, &ps),
			 ERR_FORBIDDEN);
	assert_int_equal(consult_form_save(as(f, f->admin,
					      ROLE_ADMINISTRATOR),
					   &form, &ps),
			 ERR_OK);
	form.nred_flags = 1;
	form.red_flags[0] = "Are you in danger?";
	assert_int_equal(consult_form_save(as(f, f->admin,
					      ROLE_ADMINISTRATOR),
					   &form, &ps),
			 ERR_INVALID);
	assert_non_null(problems_for(&ps, "advice"));
	assert_int_equal(consult_form_get(f->care.t.db, f->care.a,
					  f->care.org, CONSULT_ADMIN, &form),
			 ERR_OK);
	assert_true(form.stored);
	assert_int_equal(form.nred_flags, 0);
	assert_int_equal(form.nquestions, 1);
	assert_string_equal(form.questions[0],
			    "What do you need from the desk?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_submit_idempotent, up,
						down),
		cmocka_unit_test_setup_teardown(test_red_flag, up, down),
		cmocka_unit_test_setup_teardown(test_validation, up, down),
		cmocka_unit_test_setup_teardown(test_first_response, up, down),
		cmocka_unit_test_setup_teardown(test_forbidden, up, down),
		cmocka_unit_test_setup_teardown(test_rating, up, down),
		cmocka_unit_test_setup_teardown(test_offline_and_service, up,
						down),
		cmocka_unit_test_setup_teardown(test_queue, up, down),
		cmocka_unit_test_setup_teardown(test_forms, up, down),
	};

	setenv("TZ", "UTC0", 1);
	tzset();
	test_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

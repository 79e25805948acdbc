/*
 * Demo online consultations: a year of about 1,500 requests across the
 * demo patients, of every kind, sent online or recorded by phone or at
 * the desk; most triaged and answered within the service level, some
 * late, a few very late, and the last days' still open (some overdue);
 * outcomes of every sort, ratings for a share of the closed ones and a
 * few red-flag stops. María López (the "patient" login) has one open
 * request and one closed and rated. Every step is written through
 * consult_apply() inside write_within(), so audit, provenance and
 * touchpoints are real; no notification is queued for this history.
 */
#include "demo/demo_care.h"

#include <stdio.h>
#include <string.h>

#include "auth/write.h"
#include "contact/consult.h"
#include "contact/message.h"
#include "contact/servicelevel.h"
#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define DEMO_CONSULTS 1500
#define HOUR 3600

static const char sql_reception[] =
	"SELECT id FROM account WHERE org_id = $1 AND username = 'reception'";

static uint32_t
next_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* What patients asked, per kind (stored as the pages store answers). */
static const char *const asked[CONSULT__MAX][3] = {
	[CONSULT_CONDITION] = {
		"{\"red_flags\":[{\"q\":\"Are you struggling to breathe?\","
		"\"a\":\"no\"}],\"answers\":[{\"q\":\"What would you like to "
		"ask about your condition?\",\"a\":\"My sugar readings have "
		"been higher in the mornings this week.\"}]}",
		"{\"red_flags\":[{\"q\":\"Are you struggling to breathe?\","
		"\"a\":\"no\"}],\"answers\":[{\"q\":\"What would you like to "
		"ask about your condition?\",\"a\":\"Can I take ibuprofen "
		"with my blood pressure tablets?\"}]}",
		"{\"red_flags\":[{\"q\":\"Are you struggling to breathe?\","
		"\"a\":\"no\"}],\"answers\":[{\"q\":\"What would you like to "
		"ask about your condition?\",\"a\":\"I have been sleeping "
		"badly since the new dose.\"}]}",
	},
	[CONSULT_NEW_PROBLEM] = {
		"{\"red_flags\":[{\"q\":\"Are you struggling to breathe?\","
		"\"a\":\"no\"}],\"answers\":[{\"q\":\"What is the problem?\","
		"\"a\":\"A rash on my arm that itches.\"}]}",
		"{\"red_flags\":[{\"q\":\"Are you struggling to breathe?\","
		"\"a\":\"no\"}],\"answers\":[{\"q\":\"What is the problem?\","
		"\"a\":\"Pain in my knee when I climb stairs.\"}]}",
		"{\"red_flags\":[{\"q\":\"Are you struggling to breathe?\","
		"\"a\":\"no\"}],\"answers\":[{\"q\":\"What is the problem?\","
		"\"a\":\"A cough for three weeks.\"}]}",
	},
	[CONSULT_PRESCRIPTION] = {
		"{\"red_flags\":[],\"answers\":[{\"q\":\"Which medicine or "
		"document do you need?\",\"a\":\"My inhaler, please.\"}]}",
		"{\"red_flags\":[],\"answers\":[{\"q\":\"Which medicine or "
		"document do you need?\",\"a\":\"A fit note for two more "
		"weeks.\"}]}",
		"{\"red_flags\":[],\"answers\":[{\"q\":\"Which medicine or "
		"document do you need?\",\"a\":\"Metformin, running out on "
		"Friday.\"}]}",
	},
	[CONSULT_ADMIN] = {
		"{\"red_flags\":[],\"answers\":[{\"q\":\"What do you need?\","
		"\"a\":\"A letter for my employer.\"}]}",
		"{\"red_flags\":[],\"answers\":[{\"q\":\"What do you need?\","
		"\"a\":\"To change my phone number.\"}]}",
		"{\"red_flags\":[],\"answers\":[{\"q\":\"What do you need?\","
		"\"a\":\"A copy of my last blood test results.\"}]}",
	},
};

static const char red_flag_answers[] =
	"{\"red_flags\":[{\"q\":\"Do you have chest pain, or pain that "
	"spreads to your arm, neck or jaw?\",\"a\":\"yes\"}],\"answers\":[]}";

static const char *const replies[CONSULT__MAX][2] = {
	[CONSULT_CONDITION] = {
		"Thank you. That is expected with the new dose; keep a note "
		"for two weeks and we will look at it together.",
		"Yes, you can, for a few days. Tell us if it does not settle.",
	},
	[CONSULT_NEW_PROBLEM] = {
		"From what you describe this should settle by itself. Tell us "
		"if it is not better in a week, or sooner if it gets worse.",
		"Please send a photo through the app so we can look at it.",
	},
	[CONSULT_PRESCRIPTION] = {
		"Your prescription is ready at the pharmacy from tomorrow.",
		"Your fit note is done: you can download it from your record.",
	},
	[CONSULT_ADMIN] = {
		"Your letter is ready to collect at reception.",
		"Done: your details are changed.",
	},
};
static const char *const advice[] = {
	"Rest, drink plenty and take paracetamol if needed. Tell us if it "
	"is not better in a week.",
	"Use an unscented moisturiser twice a day and avoid hot showers.",
};
static const char *const signposts[] = {
	"The community pharmacy can help with this today.",
	"The physiotherapy self-referral line: you can book directly.",
};
static const char *const modalities[] = {"phone", "in_person", "video"};

struct demo_consult {
	struct demo_care *d;
	uint32_t seed;
	int64_t reception;
	struct service_hours hours;
};

static enum err
commit(struct demo_consult *dc, struct ctx *c, struct consult_job *j)
{
	struct write_info wi;

	j->actor_id = c->actor.account_id;
	j->at = c->now;
	consult_job_info(j, &wi);
	return write_within(dc->d->db, c, &wi, consult_apply, j);
}

/* The context of a step `seconds` after the moment `t` (Unix seconds),
 * by `who` in `role`. */
static struct ctx *
as_at(struct demo_consult *dc, int64_t who, enum role role,
      const struct demo_care_patient *p, int64_t t)
{
	int64_t ago = dc->d->now - t;

	return demo_care_as(dc->d, who, role, p, (int)(ago / DEMO_CARE_DAY),
			    -(int)((ago % DEMO_CARE_DAY) / 60));
}

/* How long the team took to respond: mostly within hours, some days. */
static int64_t
response_delay(uint32_t *s)
{
	uint32_t r = next_rand(s) % 100;

	if (r < 40)
		return HOUR + (int64_t)(next_rand(s) % (5 * HOUR));
	if (r < 70)
		return 6 * HOUR + (int64_t)(next_rand(s) % (18 * HOUR));
	if (r < 88)
		return 24 * HOUR + (int64_t)(next_rand(s) % (24 * HOUR));
	if (r < 96)
		return 48 * HOUR + (int64_t)(next_rand(s) % (48 * HOUR));
	return 96 * HOUR + (int64_t)(next_rand(s) % (100 * HOUR));
}

/*
 * One request of `p` submitted at `t`, answered after `delay` seconds
 * with `outcome` (NULL: still open, triaged when `triaged`); rated when
 * `rate`.
 */
struct one {
	const struct demo_care_patient *p;
	int64_t t;
	enum consult_kind kind;
	const char *channel;
	bool red_flag;
	int64_t delay;
	const char *outcome;
	bool triaged;
	bool rate;
	int answer;		/* which canned answer */
};

static enum err
one_request(struct demo_consult *dc, const struct one *o)
{
	const struct demo_care_patient *p = o->p;
	int64_t staff = p->nteam ? p->team[0] : dc->reception;
	bool web = !strcmp(o->channel, "web");
	struct consult_job j;
	struct ctx *c;
	int64_t id = id_new();

	memset(&j, 0, sizeof(j));
	j.op = CONSULT_OP_SUBMIT;
	j.id = id;
	j.org_id = dc->d->org_id;
	j.patient_id = p->id;
	j.kind = consult_kind_code(o->kind);
	j.channel = o->channel;
	j.answers = o->red_flag ? red_flag_answers
				: asked[o->kind][o->answer % 3];
	j.priority = "routine";
	j.request_key = arena_printf(dc->d->a, "demo-%lld", (long long)id);
	if (!j.request_key)
		return ERR_NOMEM;
	if (web)
		c = as_at(dc, p->account_id, ROLE_PATIENT, p, o->t);
	else {
		c = as_at(dc, dc->reception, ROLE_RECEPTIONIST, p, o->t);
		c->channel = o->channel;
		c->patient_initiated = true;
	}
	if (o->red_flag) {
		j.status = "red_flag";
		j.closed_at = c->now;
		j.step = "red_flag";
	} else {
		j.status = "submitted";
		j.due_at = servicelevel_due(&dc->hours, c->now);
		j.step = web ? "submitted" : "recorded";
	}
	DEMO_TRY(commit(dc, c, &j));
	if (o->red_flag || (!o->triaged && !o->outcome))
		return ERR_OK;

	memset(&j, 0, sizeof(j));
	j.op = CONSULT_OP_TRIAGE;
	j.id = id;
	j.org_id = dc->d->org_id;
	j.patient_id = p->id;
	j.priority = next_rand(&dc->seed) % 10 == 0 ? "urgent"
		     : next_rand(&dc->seed) % 4 == 0 ? "soon"
						      : "routine";
	j.assignee = staff;
	j.step = "triaged";
	DEMO_TRY(commit(dc, as_at(dc, staff, ROLE_PROFESSIONAL, p,
				  o->t + o->delay / 3),
			&j));
	if (!o->outcome)
		return ERR_OK;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.org_id = dc->d->org_id;
	j.patient_id = p->id;
	if (!strcmp(o->outcome, "reply")) {
		j.op = CONSULT_OP_REPLY;
		j.note = replies[o->kind][o->answer % 2];
		j.close = true;
		j.step = "reply";
	} else {
		j.op = CONSULT_OP_FINISH;
		j.outcome = o->outcome;
		j.step = o->outcome;
		if (!strcmp(o->outcome, "appointment"))
			j.note = modalities[o->answer % 3];
		else if (!strcmp(o->outcome, "self_care"))
			j.note = advice[o->answer % 2];
		else if (!strcmp(o->outcome, "signpost"))
			j.note = signposts[o->answer % 2];
		else
			j.note = "Dealt with at the visit already booked.";
	}
	DEMO_TRY(commit(dc, as_at(dc, staff, ROLE_PROFESSIONAL, p,
				  o->t + o->delay),
			&j));
	if (!o->rate || !p->account_id)
		return ERR_OK;

	memset(&j, 0, sizeof(j));
	j.op = CONSULT_OP_RATE;
	j.id = id;
	j.org_id = dc->d->org_id;
	j.patient_id = p->id;
	/* Quicker answers are rated a little higher. */
	j.ease = 3 + (int)(next_rand(&dc->seed) % 3);
	j.helped = o->delay < 24 * HOUR ? 4 + (int)(next_rand(&dc->seed) % 2)
					: 2 + (int)(next_rand(&dc->seed) % 3);
	j.step = "rated";
	return commit(dc, as_at(dc, p->account_id, ROLE_PATIENT, p,
				o->t + o->delay + 5 * HOUR),
		      &j);
}

/* How requests of a kind end: clinical questions in every way, paperwork
 * mostly by a reply. */
static const char *
pick_outcome(uint32_t *s, enum consult_kind kind)
{
	uint32_t r = next_rand(s) % 100;

	if (kind == CONSULT_PRESCRIPTION || kind == CONSULT_ADMIN)
		return r < 80 ? "reply" : r < 88 ? "appointment" : "closed";
	return r < 35 ? "reply"
	       : r < 65 ? "appointment"
	       : r < 85 ? "self_care"
	       : r < 95 ? "signpost"
			: "closed";
}

static const char *
pick_channel(uint32_t *s, const struct demo_care_patient *p)
{
	uint32_t r = next_rand(s) % 100;

	/* Patients without a login ask by phone or at the desk. */
	if (!p->account_id)
		return r < 70 ? "phone" : "desk";
	return r < 65 ? "web" : r < 90 ? "phone" : "desk";
}

static enum err
reception_of(struct demo_consult *dc)
{
	struct stmt *st = db_prepare(dc->d->db, sql_reception);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, dc->d->org_id);
	if (stmt_row(st))
		dc->reception = stmt_int(st, 0);
	return stmt_done(st);
}

/* María's two: a closed and rated question last month, and an open
 * new problem sent yesterday and triaged. */
static enum err
maria(struct demo_consult *dc)
{
	const struct demo_care_patient *p = &dc->d->patients[0];
	struct one o;

	memset(&o, 0, sizeof(o));
	o.p = p;
	o.kind = CONSULT_CONDITION;
	o.channel = "web";
	o.t = dc->d->now - 30 * DEMO_CARE_DAY - 5 * HOUR;
	o.delay = 4 * HOUR;
	o.outcome = "reply";
	o.rate = true;
	o.answer = 2;
	DEMO_TRY(one_request(dc, &o));
	o.kind = CONSULT_NEW_PROBLEM;
	o.t = dc->d->now - DEMO_CARE_DAY;
	o.delay = 3 * HOUR;
	o.outcome = NULL;
	o.triaged = true;
	o.rate = false;
	o.answer = 0;
	return one_request(dc, &o);
}

/*
 * Replies to requests are messages in the request's conversation: the
 * patients have read those more than two days old, so what is unread on
 * their home page is recent.
 */
static enum err
replies_read(struct demo_care *d)
{
	static const char sql[] =
		"SELECT t.id, a.id, t.messages, t.last_message_at "
		"FROM message_thread t JOIN account a ON a.patient_id = "
		"t.patient_id AND a.role = 'patient' WHERE t.org_id = $1 "
		"AND t.consultation_id <> 0 AND t.last_message_at < $2";
	struct row {
		int64_t thread, account, at;
		int seq;
	} *rows = NULL;
	size_t n = 0, cap = 0, i;
	struct stmt *st = db_prepare(d->db, sql);
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, d->org_id);
	stmt_bind_int(st, 2, d->now - 2 * DEMO_CARE_DAY);
	while (stmt_row(st)) {
		if (n == cap) {
			struct row *more;

			cap = cap ? 2 * cap : 256;
			more = arena_alloc(d->a, cap * sizeof(*more));
			if (!more) {
				stmt_done(st);
				return ERR_NOMEM;
			}
			if (n)
				memcpy(more, rows, n * sizeof(*more));
			rows = more;
		}
		rows[n].thread = stmt_int(st, 0);
		rows[n].account = stmt_int(st, 1);
		rows[n].seq = (int)stmt_int(st, 2);
		rows[n].at = stmt_int(st, 3) + 3600;
		n++;
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		struct message_read_mark r = {rows[i].thread, rows[i].account,
					      MESSAGE_SIDE_PATIENT,
					      rows[i].seq, rows[i].at};

		DEMO_TRY(message_mark_read(d->db, &r));
	}
	return ERR_OK;
}

enum err
demo_contact_consult(struct demo_care *d)
{
	struct demo_consult dc;
	int i;

	if (!d->n)
		return ERR_OK;
	memset(&dc, 0, sizeof(dc));
	dc.d = d;
	dc.seed = 20261204u;
	dc.hours = servicelevel_default();
	DEMO_TRY(reception_of(&dc));
	if (!dc.reception)
		return ERR_OK;
	for (i = 0; i < DEMO_CONSULTS; i++) {
		struct one o;
		const struct demo_care_patient *p =
			&d->patients[next_rand(&dc.seed) % d->n];
		/* Spread over the year, busier on Mondays by chance alone. */
		int64_t ago = (int64_t)(DEMO_CONSULTS - i) * 365 *
				      DEMO_CARE_DAY / DEMO_CONSULTS +
			      (int64_t)(next_rand(&dc.seed) % (10 * HOUR));

		memset(&o, 0, sizeof(o));
		o.p = p;
		o.t = d->now - ago;
		o.kind = (enum consult_kind)(next_rand(&dc.seed) % CONSULT__MAX);
		o.channel = pick_channel(&dc.seed, p);
		o.red_flag = !strcmp(o.channel, "web") &&
			     next_rand(&dc.seed) % 60 == 0;
		o.delay = response_delay(&dc.seed);
		o.answer = (int)(next_rand(&dc.seed) % 12);
		/* The last week's requests: half still open, so the queue
		 * has some due soon and some overdue. */
		if (o.t > d->now - 7 * DEMO_CARE_DAY &&
		    next_rand(&dc.seed) % 2 == 0)
			o.delay = d->now - o.t + DEMO_CARE_DAY;
		if (o.t + o.delay < d->now) {
			o.outcome = pick_outcome(&dc.seed, o.kind);
			o.rate = next_rand(&dc.seed) % 5 < 2 &&
				 o.t + o.delay + 5 * HOUR < d->now;
		} else {
			/* Not answered yet: some looked at, some not. */
			o.triaged = o.t + o.delay / 3 < d->now &&
				    next_rand(&dc.seed) % 3 != 0;
		}
		DEMO_TRY(one_request(&dc, &o));
	}
	DEMO_TRY(maria(&dc));
	return replies_read(d);
}

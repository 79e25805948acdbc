/*
 * Demo messages: a year of conversations between the demo patients and
 * their care teams (some to a unit's inbox, some started by staff), with
 * answers that come within the hour, the same day, or days later, so the
 * touchpoint analytics show real response times. María López (the login
 * "patient") has a photo of her blood-pressure diary in one thread, a
 * new answer from her doctor she has not read yet, and a question of
 * hers the doctor has not read. The organisation has a few quick
 * replies. Every message is written by message_send() inside
 * write_within(), so its audit event, provenance, touchpoint and outbox
 * row are real; notifications older than two days are marked sent, as
 * the outbox would have done.
 */
#include "demo/demo_care.h"

#include <stdio.h>
#include <string.h>

#include "auth/write.h"
#include "contact/attachment.h"
#include "contact/message.h"
#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define HOUR 3600
#define RECENT (2 * DEMO_CARE_DAY)	/* newer: left unread by the other side */

static const char *const subjects[] = {
	"Question about my tablets", "Side effects", "Repeat prescription",
	"Blood test results", "Feeling worse this week", "Sleep",
	"Can I change my appointment?", "Letter from the hospital",
	"Blood pressure readings", "Fit note", "Exercise and my knee",
	"Travelling abroad", "New symptom", "Thank you",
};
static const char *const from_patient[] = {
	"Hello, I have been taking the new tablets for a week and I feel a "
	"bit dizzy in the mornings. Is that normal?",
	"Could I have a repeat of my usual prescription, please? I have "
	"about five days left.",
	"I had my blood test on Monday. Are the results back yet?",
	"This week has been harder. I am not sleeping well and I feel low "
	"most days.",
	"Is it all right to take paracetamol with my other medicines?",
	"My readings have been a bit higher since the weekend.",
	"I cannot come on Thursday. Is there another time next week?",
	"Thank you for your help last time, things are much better.",
	"I got a letter from the hospital and I do not understand it.",
	"Can I start swimming again, or is it too early?",
	"Yes, that works for me.",
	"Thanks, I will do that.",
};
static const char *const from_staff[] = {
	"Thank you for letting us know. Some dizziness is common in the "
	"first two weeks. Stand up slowly, and tell us if it is not better "
	"by next week.",
	"Your prescription is ready to collect from the pharmacy tomorrow.",
	"Your results are back and they are normal. There is nothing you "
	"need to do.",
	"I am sorry this week has been hard. Could you come in on Tuesday "
	"so we can talk about it? If you feel unsafe, call 112 at once.",
	"Yes, paracetamol is fine with your other medicines. Keep to the "
	"dose on the packet.",
	"Thank you for sending them. Please keep measuring every morning "
	"and we will look at them together at your next visit.",
	"Of course. I have moved your appointment to Tuesday at 10:30.",
	"That is good to hear. Keep going with what you are doing.",
	"The letter says your scan was normal. I have put a copy in your "
	"record.",
	"Gentle swimming is a good idea. Start with ten minutes and build "
	"up.",
	"Please book a visit with the nurse this week.",
};
static const unsigned char diary_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde,
	0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63,
	0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe,
	0x92, 0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
	0x42, 0x60, 0x82,
};

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

#define DESK_MAX 4

struct gen {
	struct demo_care *d;
	uint32_t seed;
	unsigned keys;
	int64_t desk[DESK_MAX];		/* receptionists, who read the units'
					   inboxes */
	size_t ndesk;
};

/* A small deterministic generator, so every demo looks the same. */
static uint32_t
next_rand(struct gen *g)
{
	g->seed = g->seed * 1664525u + 1013904223u;
	return g->seed >> 8;
}

/* How long the other side takes to answer: a third within two hours,
 * most the same day, some days later. */
static int64_t
answer_delay(struct gen *g)
{
	uint32_t r = next_rand(g) % 100;

	if (r < 30)
		return 10 * 60 + (int64_t)(next_rand(g) % (2 * HOUR));
	if (r < 70)
		return 2 * HOUR + (int64_t)(next_rand(g) % (22 * HOUR));
	if (r < 90)
		return DEMO_CARE_DAY +
		       (int64_t)(next_rand(g) % (2 * DEMO_CARE_DAY));
	return 3 * DEMO_CARE_DAY + (int64_t)(next_rand(g) % (4 * DEMO_CARE_DAY));
}

/* One message of `p`'s thread by `author` on `side` at `at`. */
static enum err
send(struct gen *g, const struct demo_care_patient *p, int64_t author,
     const char *side, int64_t at, struct message_send *m,
     const struct message_file *file)
{
	struct demo_care *d = g->d;
	struct write_info wi = {
		.action = "create",
		.resource_type = MESSAGE_RES,
		.patient_id = p->id,
		.touchpoint_kind = "message",
	};
	bool staff = !strcmp(side, MESSAGE_SIDE_STAFF);
	struct ctx *c = demo_care_as(d, author,
				     staff ? ROLE_PROFESSIONAL : ROLE_PATIENT,
				     p, 0, 0);

	c->now = at;
	m->org_id = d->org_id;
	m->patient_id = p->id;
	m->author_id = author;
	m->side = side;
	m->now = at;
	m->channel = "web";
	m->request_key = arena_printf(d->a, "demo-message-%08x", ++g->keys);
	m->claim = staff;
	m->file = file;
	m->message_id = id_new();
	wi.resource_id = arena_printf(d->a, "%lld", (long long)m->message_id);
	wi.detail = m->thread_id ? "reply" : "new-thread";
	return write_within(d->db, c, &wi, message_send, m);
}

static enum err
mark(struct demo_care *d, int64_t thread, int64_t account, const char *side,
     int seq, int64_t at)
{
	struct message_read_mark r = {thread, account, side, seq, at};

	return message_mark_read(d->db, &r);
}

static const char sql_desk[] =
	"SELECT id FROM account WHERE org_id = $1 AND role = 'receptionist' "
	"ORDER BY id LIMIT 4";

static enum err
find_desk(struct gen *g)
{
	struct stmt *st = db_prepare(g->d->db, sql_desk);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, g->d->org_id);
	while (g->ndesk < DESK_MAX && stmt_row(st))
		g->desk[g->ndesk++] = stmt_int(st, 0);
	return stmt_done(st);
}

static const char sql_unit[] =
	"SELECT COALESCE(unit_id, 0) FROM patient WHERE id = $1";

static int64_t
unit_of(struct demo_care *d, int64_t patient_id)
{
	struct stmt *st = db_prepare(d->db, sql_unit);
	int64_t unit = 0;

	if (!st)
		return 0;
	stmt_bind_int(st, 1, patient_id);
	if (stmt_row(st))
		unit = stmt_int(st, 0);
	stmt_done(st);
	return unit;
}

/*
 * One conversation of `p` starting `days_ago` days ago with `n`
 * messages; `last_staff` forces its last message to come from staff (a
 * patient's last otherwise when n is even and it starts with the
 * patient). Old conversations end read by everyone.
 */
static enum err
thread(struct gen *g, const struct demo_care_patient *p, int days_ago,
       int n, bool staff_first, int64_t unit_id,
       const struct message_file *file)
{
	struct demo_care *d = g->d;
	int64_t at = days_ago
			     ? d->now - (int64_t)days_ago * DEMO_CARE_DAY +
				       (int64_t)(7 + next_rand(g) % 13) * HOUR
			     : d->now - (int64_t)(1 + next_rand(g) % 5) * HOUR;
	int64_t pro = p->team[next_rand(g) % p->nteam];
	struct message_send m;
	bool staff = staff_first;
	int64_t last = at;
	int k, sent = 0;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.subject = subjects[next_rand(g) % COUNT(subjects)];
	m.unit_id = staff_first ? 0 : unit_id;
	for (k = 0; k < n && at < d->now; k++) {
		const char *body =
			staff ? from_staff[next_rand(g) % COUNT(from_staff)]
			      : from_patient[next_rand(g) % COUNT(from_patient)];

		m.body = body;
		DEMO_TRY(send(g, p, staff ? pro : p->account_id,
			      staff ? MESSAGE_SIDE_STAFF
				    : MESSAGE_SIDE_PATIENT,
			      at, &m, k == 0 ? file : NULL));
		sent++;
		last = at;
		/* Mostly an answer from the other side; now and then a
		 * second message from the same side. */
		if (next_rand(g) % 5) {
			staff = !staff;
			at += answer_delay(g);
		} else {
			at += 10 * 60 + (int64_t)(next_rand(g) % HOUR);
		}
	}
	if (!sent || last > d->now - RECENT)
		return ERR_OK;
	/* An old conversation: everyone has read it. */
	DEMO_TRY(mark(d, m.thread_id, p->account_id, MESSAGE_SIDE_PATIENT,
		      sent, last));
	for (i = 0; i < p->nteam; i++)
		DEMO_TRY(mark(d, m.thread_id, p->team[i], MESSAGE_SIDE_STAFF,
			      sent, last));
	for (i = 0; m.unit_id && i < g->ndesk; i++)
		DEMO_TRY(mark(d, m.thread_id, g->desk[i], MESSAGE_SIDE_STAFF,
			      sent, last));
	return ERR_OK;
}

/* María's own story: her diary photo, an answer she has not read yet,
 * and a question her doctor has not read. */
static enum err
maria(struct gen *g, const struct demo_care_patient *p)
{
	struct demo_care *d = g->d;
	struct message_file diary = {"blood-pressure-diary.png", "image/png",
				     sizeof(diary_png), NULL};
	struct message_send m;

	if (!(diary.data_b64 = attachment_encode(d->a, diary_png,
						 sizeof(diary_png))))
		return ERR_NOMEM;
	DEMO_TRY(thread(g, p, 20, 4, false, 0, &diary));
	/* The doctor's answer this morning, not read yet. */
	memset(&m, 0, sizeof(m));
	m.subject = "Your blood test results";
	m.to_account = p->team[0];
	m.body = "Hello María, your blood test results are back. Your "
		 "kidneys and liver are fine; your cholesterol is a little "
		 "high. Shall we talk about it at your next visit?";
	DEMO_TRY(send(g, p, p->team[0], MESSAGE_SIDE_STAFF,
		      d->now - 3 * HOUR, &m, NULL));
	/* Her question an hour ago, which the doctor has not opened. */
	memset(&m, 0, sizeof(m));
	m.subject = "Dizzy in the mornings";
	m.to_account = p->team[0];
	m.body = "Since I started the new tablets I feel dizzy when I get up. "
		 "Should I keep taking them?";
	return send(g, p, p->account_id, MESSAGE_SIDE_PATIENT, d->now - HOUR,
		    &m, NULL);
}

static const struct {
	const char *title;
	const char *body;
} quick_replies[] = {
	{"Results normal", "Your results are back and they are normal. There "
			   "is nothing you need to do."},
	{"Prescription ready", "Your prescription is ready to collect from "
			       "your pharmacy from tomorrow."},
	{"Please book a visit", "Thank you for your message. This is best "
				"talked about in person: please book a visit "
				"with us this week."},
	{"Emergency advice", "If you feel unsafe or very unwell, call 112 at "
			     "once. Messages are read in working hours only."},
};

static enum err
templates(struct demo_care *d, int64_t author)
{
	struct write_info wi = {.action = "create",
				.resource_type = MESSAGE_RES_TEMPLATE};
	struct message_template t;
	size_t i;

	for (i = 0; i < COUNT(quick_replies); i++) {
		memset(&t, 0, sizeof(t));
		t.id = id_new();
		t.org_id = d->org_id;
		t.title = quick_replies[i].title;
		t.body = quick_replies[i].body;
		t.updated_by = author;
		t.updated_at = d->now - 200 * DEMO_CARE_DAY;
		wi.resource_id = arena_printf(d->a, "%lld", (long long)t.id);
		DEMO_TRY(write_within(d->db,
				      demo_care_as(d, author,
						   ROLE_PROFESSIONAL, NULL,
						   200, 0),
				      &wi, message_template_write, &t));
	}
	return ERR_OK;
}

/* Notifications of old messages went out long ago. */
static const char sql_sent[] =
	"UPDATE outbox SET status = 'sent', sent_at = next_at, attempts = 1 "
	"WHERE org_id = $1 AND event = 'message' AND status = 'pending' "
	"AND created_at < $2";

enum err
demo_contact_messages(struct demo_care *d)
{
	struct gen g = {d, 20261204u, 0, {0}, 0};
	struct stmt *st;
	size_t i;

	if (!d->n || !d->patients[0].nteam)
		return ERR_OK;
	DEMO_TRY(find_desk(&g));
	DEMO_TRY(templates(d, d->patients[0].team[0]));
	for (i = 0; i < d->n; i++) {
		const struct demo_care_patient *p = &d->patients[i];
		int64_t unit = unit_of(d, p->id);
		int threads = i == 0 ? 24 : 8 + (int)(next_rand(&g) % 9);
		int k;

		if (!p->account_id || !p->nteam)
			continue;
		for (k = 0; k < threads; k++) {
			int days = 3 + (int)(next_rand(&g) % 360);
			bool staff_first = next_rand(&g) % 5 == 0;
			int64_t to_unit = next_rand(&g) % 6 == 0 ? unit : 0;

			/* The newest of a few patients' stay unanswered. */
			if (k == threads - 1 && i % 7 == 1)
				days = 0;
			DEMO_TRY(thread(&g, p, days,
					2 + (int)(next_rand(&g) % 6),
					staff_first, to_unit, NULL));
		}
		if (i == 0)
			DEMO_TRY(maria(&g, p));
	}
	if (!(st = db_prepare(d->db, sql_sent)))
		return ERR_DB;
	stmt_bind_int(st, 1, d->org_id);
	stmt_bind_int(st, 2, d->now - RECENT);
	return stmt_exec(st);
}

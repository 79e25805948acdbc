/*
 * Demo appointments. The demo logins "doctor" and "nurse" keep weekly
 * clinics over the past year and the next ten weeks: the doctor in
 * person on Tuesday mornings and by video on Friday mornings, the nurse
 * by phone on Thursday afternoons. Patients of their care teams booked
 * most past times (online, or by phone through reception), came to most,
 * missed some and cancelled a few, some late; about a third of the
 * coming times are booked, the rest are open, so the demo login
 * "patient" can book at once, and she already has one appointment
 * coming up. Attendance of the last week is not recorded yet, for the
 * team to do. Every booking, cancellation and mark is written the way
 * the pages write it, through write_within(), so the touchpoints are
 * real.
 */
#include "demo/demo_care.h"

#include <string.h>

#include "auth/write.h"
#include "contact/appointment.h"
#include "contact/slot.h"
#include "core/arena.h"
#include "core/id.h"
#include "store/store.h"
#include "core/banned.h"

#define DAY DEMO_CARE_DAY
#define HOUR 3600
#define PAST_WEEKS 52
#define FUTURE_WEEKS 10
#define CHUNK_WEEKS 20		/* weeks of one stored pattern */

/* A weekly clinic. `who` 0: the doctor, 1: the nurse (the order of the
 * demo patient's team). Weekday 0 is Monday. */
static const struct clinic {
	int who;
	int weekday;
	int start_min;
	int end_min;
	int length_min;
	const char *modality;
	const char *place;
	const char *link;
} clinics[] = {
	{0, 1, 9 * 60, 12 * 60, 20, "in_person",
	 "Riverside Health Centre, room 3", ""},
	{0, 4, 10 * 60, 11 * 60, 30, "video", "",
	 "https://video.riverside.example/dr-room"},
	{1, 3, 14 * 60, 16 * 60, 20, "phone", "", ""},
};

static const char *const reasons[] = {
	"", "", "Review of my medication", "Blood pressure check",
	"Talk about how the last weeks went", "Follow-up", "",
	"Questions about my sleep",
};

static uint32_t
next_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* The first day at or after `t` (midnight UTC) that is `weekday`. */
static int64_t
first_weekday(int64_t t, int weekday)
{
	int64_t day = t / DAY;

	/* 1970-01-01 was a Thursday (weekday 3). */
	while ((day + 3) % 7 != weekday)
		day++;
	return day * DAY;
}

static enum err
add_clinic(struct demo_care *d, const struct clinic *k, int64_t pro)
{
	static const char sql_unit[] =
		"SELECT COALESCE(unit_id, 0) FROM account WHERE id = $1";
	struct write_info wi = {
		.action = "create",
		.resource_type = SLOT_RES,
		.resource_id = "",
		.detail = "slots",
	};
	struct slot_pattern p;
	int64_t first = first_weekday(d->now - PAST_WEEKS * 7 * DAY,
				      k->weekday);
	int64_t unit = 0;
	struct stmt *st;
	struct ctx *c;
	int w;
	enum err e;

	if (!(st = db_prepare(d->db, sql_unit)))
		return ERR_DB;
	stmt_bind_int(st, 1, pro);
	if (stmt_row(st))
		unit = stmt_int(st, 0);
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	for (w = 0; w < PAST_WEEKS + FUTURE_WEEKS; w += CHUNK_WEEKS) {
		memset(&p, 0, sizeof(p));
		c = demo_care_as(d, pro, ROLE_PROFESSIONAL, NULL, 0, 0);
		p.first_day = first + (int64_t)w * 7 * DAY;
		/* Each stretch is added two weeks before it starts. */
		c->now = p.first_day - 14 * DAY;
		p.org_id = d->org_id;
		p.unit_id = unit;
		p.professional_id = pro;
		p.created_by = pro;
		p.now = c->now;
		p.start_min = k->start_min;
		p.end_min = k->end_min;
		p.length_min = k->length_min;
		p.weeks = PAST_WEEKS + FUTURE_WEEKS - w < CHUNK_WEEKS
				  ? PAST_WEEKS + FUTURE_WEEKS - w
				  : CHUNK_WEEKS;
		p.modality = k->modality;
		p.place = k->place;
		p.link = k->link;
		DEMO_TRY(write_within(d->db, c, &wi, slot_pattern_add, &p));
	}
	return ERR_OK;
}

/* The demo patients with `pro` on their team (the demo login first). */
static size_t
patients_of(struct demo_care *d, int64_t pro,
	    const struct demo_care_patient **out, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < d->n && n < max; i++)
		for (j = 0; j < d->patients[i].nteam; j++)
			if (d->patients[i].team[j] == pro) {
				out[n++] = &d->patients[i];
				break;
			}
	return n;
}

static struct write_info
appt_info(const struct demo_care_patient *p, int64_t id, const char *action,
	  const char *detail, struct demo_care *d)
{
	struct write_info wi = {
		.action = action,
		.resource_type = APPT_RES,
		.resource_id = arena_printf(d->a, "%lld", (long long)id),
		.patient_id = p->id,
		.detail = detail,
		.touchpoint_kind = "appointment",
	};

	return wi;
}

/*
 * Books slot `s` for `p`, `ahead` seconds before it starts: online by
 * the patient when they have a login and `online`, else by reception
 * on the phone at the patient's request. Then, for a past slot, what
 * happened: `fate` 0 came, 1 did not come, 2 cancelled in good time, 3
 * cancelled late.
 */
static enum err
book(struct demo_care *d, const struct slot *s,
     const struct demo_care_patient *p, int64_t ahead, bool online,
     int fate, const char *reason, int64_t reception)
{
	struct appointment_change ch;
	struct appointment_mark m;
	struct write_info wi;
	struct ctx *c;
	bool self = online && p->account_id;

	memset(&ch, 0, sizeof(ch));
	ch.id = id_new();
	c = self ? demo_care_as(d, p->account_id, ROLE_PATIENT, p, 0, 0)
		 : demo_care_as(d, reception, ROLE_RECEPTIONIST, p, 0, 0);
	c->now = s->starts_at - ahead;
	if (!self) {
		c->channel = "phone";
		c->patient_initiated = true;
	}
	ch.org_id = d->org_id;
	ch.patient_id = p->id;
	ch.actor_id = c->actor.account_id;
	ch.patient_side = self;
	ch.channel = self ? "web" : "phone";
	ch.now = c->now;
	ch.slot_id = s->id;
	ch.reason = reason;
	wi = appt_info(p, ch.id, "create", "book", d);
	DEMO_TRY(write_within(d->db, c, &wi, appointment_book, &ch));
	/* Coming, or in the last week: attendance not recorded yet. */
	if (s->starts_at > d->now - 7 * DAY && fate < 2)
		return ERR_OK;
	if (fate >= 2) {
		c = self ? demo_care_as(d, p->account_id, ROLE_PATIENT, p, 0, 0)
			 : demo_care_as(d, reception, ROLE_RECEPTIONIST, p, 0,
					0);
		c->now = s->starts_at - (fate == 3 ? 3 * HOUR : 3 * DAY);
		if (!self) {
			c->channel = "phone";
			c->patient_initiated = true;
		}
		ch.now = c->now;
		wi = appt_info(p, ch.id, "update", "cancel", d);
		return write_within(d->db, c, &wi, appointment_cancel, &ch);
	}
	c = demo_care_as(d, s->professional_id, ROLE_PROFESSIONAL, p, 0, 0);
	c->now = s->starts_at + (fate ? 20 * 60 : 5 * 60);
	memset(&m, 0, sizeof(m));
	m.org_id = d->org_id;
	m.patient_id = p->id;
	m.id = ch.id;
	m.actor_id = s->professional_id;
	m.now = c->now;
	m.attended = fate == 0;
	wi = appt_info(p, ch.id, "update", fate ? "no-show" : "attended", d);
	return write_within(d->db, c, &wi, appointment_mark, &m);
}

static int64_t
reception_account(struct demo_care *d)
{
	static const char sql[] =
		"SELECT id FROM account WHERE org_id = $1 AND "
		"role = 'receptionist' ORDER BY CASE username WHEN "
		"'reception' THEN 0 ELSE 1 END, id LIMIT 1";
	struct stmt *st = db_prepare(d->db, sql);
	int64_t id = 0;

	if (!st)
		return 0;
	stmt_bind_int(st, 1, d->org_id);
	if (stmt_row(st))
		id = stmt_int(st, 0);
	stmt_done(st);
	return id;
}

/* Books the slots of professional `pro` for the patients of their
 * team. */
static enum err
book_slots(struct demo_care *d, int64_t pro, int64_t reception,
	   uint32_t *seed, bool *demo_booked)
{
	const struct demo_care_patient *who[64];
	size_t nwho = patients_of(d, pro, who, 64), n, i;
	struct slot *s;

	if (!nwho)
		return ERR_OK;
	DEMO_TRY(slot_list_schedule(d->db, d->a, d->org_id, pro,
				    d->now - (PAST_WEEKS + 1) * 7 * DAY,
				    d->now + (FUTURE_WEEKS + 1) * 7 * DAY,
				    SLOT_LIST_MAX * 2, &s, &n));
	for (i = 0; i < n; i++) {
		bool past = s[i].starts_at <= d->now;
		uint32_t r = next_rand(seed) % 100;
		const struct demo_care_patient *p;
		int fate = 0;
		int64_t ahead = (int64_t)(2 + next_rand(seed) % 20) * DAY;

		/* The demo patient's own next appointment: the doctor's
		 * first time at least two days ahead. */
		bool online = next_rand(seed) % 10 < 7;

		/* The demo patient's own next appointment: the doctor's
		 * first time at least two days ahead, booked two days ago. */
		if (!*demo_booked && who[0] == &d->patients[0] &&
		    s[i].starts_at > d->now + 2 * DAY) {
			*demo_booked = true;
			DEMO_TRY(book(d, &s[i], who[0],
				      s[i].starts_at - (d->now - 2 * DAY), true,
				      0, "Review of my medication",
				      reception));
			continue;
		}
		if (past ? r >= 75 : r >= 35)
			continue;
		p = who[next_rand(seed) % nwho];
		if (!past && p == &d->patients[0])
			continue;
		if (past) {
			r = next_rand(seed) % 100;
			fate = r < 9 ? 1 : r < 13 ? 2 : r < 17 ? 3 : 0;
		}
		/* Booked in the past; far ahead only by reception, as the
		 * unit's rules let patients book 60 days ahead. */
		if (s[i].starts_at - ahead > d->now - HOUR)
			ahead = s[i].starts_at - d->now +
				(int64_t)(1 + next_rand(seed) % 72) * HOUR;
		if (ahead > 55 * DAY)
			online = false;
		DEMO_TRY(book(d, &s[i], p, ahead, online, fate,
			      reasons[next_rand(seed) %
				      (sizeof(reasons) / sizeof(reasons[0]))],
			      reception));
	}
	return ERR_OK;
}

/*
 * Notifications of the past were sent at the time; only those still to
 * come wait in the outbox.
 */
static enum err
past_notifications_sent(struct demo_care *d)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'sent', sent_at = next_at, "
		"attempts = 1 WHERE status = 'pending' AND next_at < $1 "
		"AND link LIKE '/appointments/%'";
	struct stmt *st = db_prepare(d->db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, d->now - HOUR);
	return stmt_exec(st);
}

enum err
demo_contact_appointments(struct demo_care *d)
{
	const struct demo_care_patient *demo = d->n ? &d->patients[0] : NULL;
	int64_t reception = reception_account(d);
	uint32_t seed = 20270115u;
	bool demo_booked = false;
	size_t i;
	int k;

	if (!demo || demo->nteam < 2)
		return ERR_OK;
	for (i = 0; i < sizeof(clinics) / sizeof(clinics[0]); i++)
		DEMO_TRY(add_clinic(d, &clinics[i],
				    demo->team[clinics[i].who]));
	for (k = 0; k < 2; k++)
		DEMO_TRY(book_slots(d, demo->team[k], reception, &seed,
				    &demo_booked));
	return past_notifications_sent(d);
}

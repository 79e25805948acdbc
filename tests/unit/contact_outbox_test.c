/*
 * Unit tests for the notification outbox (src/contact/outbox*.c) and its
 * delivery worker (src/contact/deliver.c) with a transport that records
 * instead of libcurl: the backoff schedule, a notification handed over
 * and recorded as sent by the system, tries again after failures and
 * dead after the last, tried again from the dead-letter list, two
 * workers never taking the same row, quiet hours, the text in the
 * person's language with nothing from the record, withdrawn rows never
 * sent, and the preference parsers; on SQLite and PostgreSQL.
 */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contact/deliver.h"
#include "contact/outbox.h"
#include "core/arena.h"
#include "web/i18n.h"

#define MAX_SEEN 512

/* A transport that keeps what it was given. */
struct fake {
	pthread_mutex_t mu;
	bool fail;		/* every hand-over fails */
	int64_t ids[MAX_SEEN];
	int times[MAX_SEEN];	/* hand-overs of ids[i] */
	size_t n;
	size_t calls;
	char text[1024];	/* the last one */
	char subject[256];
	char channel[8];
	/* Called on the first hand-over (while the round holds its claims). */
	void (*first)(void *arg);
	void *first_arg;
};

static enum err
fake_send(void *arg, const struct deliver_msg *m, int timeout_s, char *why,
	  size_t whylen)
{
	struct fake *f = arg;
	size_t i;

	assert_true(timeout_s >= 1);
	pthread_mutex_lock(&f->mu);
	if (f->calls++ == 0 && f->first)
		f->first(f->first_arg);
	snprintf(f->text, sizeof(f->text), "%s", m->text);
	snprintf(f->subject, sizeof(f->subject), "%s",
		 m->subject ? m->subject : "");
	snprintf(f->channel, sizeof(f->channel), "%s", m->channel);
	if (f->fail) {
		pthread_mutex_unlock(&f->mu);
		snprintf(why, whylen, "the SMTP server answered 451");
		return ERR_IO;
	}
	for (i = 0; i < f->n && f->ids[i] != m->id; i++)
		;
	if (i == f->n && f->n < MAX_SEEN)
		f->ids[f->n++] = m->id;
	if (i < MAX_SEEN)
		f->times[i]++;
	pthread_mutex_unlock(&f->mu);
	return ERR_OK;
}

static int64_t fake_clock;

static int64_t
fake_now(void)
{
	return fake_clock;
}

struct fx {
	struct test_care c;	/* first: test_care_down frees it */
	struct fake fake;
	struct i18n *i18n;
};

static int
up(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct test_care *c;
	char msg[256];

	if (test_care_up(state, 0))
		return -1;
	c = *state;
	memcpy(&x->c, c, sizeof(*c));
	free(c);
	x->c.ctx.a = x->c.a;
	x->c.ctx.audit_key = &x->c.key;
	pthread_mutex_init(&x->fake.mu, NULL);
	assert_int_equal(i18n_load_embedded(&x->i18n, msg, sizeof(msg)),
			 ERR_OK);
	/* 2026-01-05 12:00 UTC, a Monday. */
	fake_clock = 1767614400;
	*state = x;
	return 0;
}

static int
down(void **state)
{
	struct fx *x = *state;

	i18n_free(x->i18n);
	pthread_mutex_destroy(&x->fake.mu);
	return test_care_down(state);
}

static struct deliver *
worker(struct fx *x, int max_attempts, bool real_clock)
{
	struct deliver_options o = {0};

	o.store = x->c.t.store;
	o.audit_key = &x->c.key;
	o.i18n = x->i18n;
	o.public_url = "https://care.example.org/";
	o.smtp_url = "smtp://127.0.0.1:1";
	o.sms_url = "http://127.0.0.1:1/sms";
	o.max_attempts = max_attempts;
	o.lease_s = 60;
	o.timeout_s = 10;
	o.retry_min_s = 60;
	o.retry_max_s = 3600;
	o.poll_ms = 10;
	o.batch = 8;
	o.send = fake_send;
	o.send_arg = &x->fake;
	o.now = real_clock ? NULL : fake_now;
	return deliver_new(&o);
}

/* --- Writes for the fixture ------------------------------------------ */

struct acc_job {
	int64_t id;
	const char *email, *language;
};

static enum err
acc_fn(struct db *db, void *arg)
{
	static const char sql[] =
		"UPDATE account SET email = $2, language = $3 WHERE id = $1";
	struct acc_job *j = arg;
	struct stmt *st = db_prepare(db, sql);

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, j->id);
	stmt_bind_str(st, 2, j->email);
	stmt_bind_str(st, 3, j->language);
	return stmt_exec(st);
}

static void
set_account(struct fx *x, const char *email, const char *language)
{
	struct acc_job j = {x->c.patient_acc, email, language};

	assert_int_equal(store_write(x->c.t.store, acc_fn, &j), ERR_OK);
}

struct notify_job {
	struct fx *x;
	enum outbox_event event;
	const char *link;
	int64_t now, at;
	int n;
};

static enum err
notify_fn(struct db *db, void *arg)
{
	struct notify_job *j = arg;
	enum err e = ERR_OK;
	int i;

	for (i = 0; i < j->n && e == ERR_OK; i++)
		e = outbox_notify_at(db, j->x->c.patient_acc, j->event,
				     j->link, j->now, j->at);
	return e;
}

static void
notify(struct fx *x, enum outbox_event ev, const char *link, int64_t at,
       int n)
{
	struct notify_job j = {x, ev, link, fake_clock, at, n};

	assert_int_equal(store_write(x->c.t.store, notify_fn, &j), ERR_OK);
}

struct pref_job {
	struct fx *x;
	struct outbox_pref p;
};

static enum err
pref_fn(struct db *db, void *arg)
{
	struct pref_job *j = arg;

	return outbox_pref_set(db, j->x->c.org, j->x->c.patient_acc, &j->p,
			       fake_clock);
}

static int64_t
count(struct fx *x, const char *sql)
{
	return test_count(x->c.t.db, sql);
}

static size_t
round_of(struct deliver *d)
{
	size_t handled = 0;

	assert_int_equal(deliver_round(d, &handled), ERR_OK);
	return handled;
}

/* --- Tests ------------------------------------------------------------ */

static void
test_backoff(void **state)
{
	static const int64_t want[] = {60, 120, 240, 480, 960, 1920, 3600,
				       3600, 3600};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		/* rnd 0: no jitter; the largest takes off a quarter. */
		assert_int_equal(outbox_backoff((int)i + 1, 60, 3600, 0),
				 want[i]);
		assert_true(outbox_backoff((int)i + 1, 60, 3600, 1023) >=
			    want[i] * 3 / 4);
		assert_true(outbox_backoff((int)i + 1, 60, 3600, 1023) <
			    want[i]);
	}
	assert_int_equal(outbox_backoff(1000, 60, 3600, 0), 3600);
	assert_int_equal(outbox_backoff(1, 1, 1, 777), 1);
	assert_int_equal(outbox_backoff(3, 0, 0, 0), 1);
}

static void
test_sent_by_the_system(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);

	set_account(x, "ana@example.org", "en");
	notify(x, OUTBOX_MESSAGE, "/messages/12", fake_clock, 1);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'pending'"), 1);
	assert_int_equal(round_of(d), 1);
	assert_int_equal(x->fake.calls, 1);
	assert_string_equal(x->fake.channel, "email");
	assert_string_equal(x->fake.subject, "New message in cocare");
	/* The whole body: fixed sentences and the link, nothing else. */
	assert_string_equal(
	    x->fake.text,
	    "You have a new message in cocare.\n\nOpen cocare to read it:\n"
	    "https://care.example.org/messages/12\n\nYou get this because "
	    "of your notification settings in cocare. To change them:\n"
	    "https://care.example.org/account/notifications\n");
	assert_null(strstr(x->fake.text, "Ana"));
	assert_null(strstr(x->fake.text, "Ruiz"));
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'sent' AND sent_at = 1767614400 "
				  "AND attempts = 1"), 1);
	/* Claimed and recorded through the write path, as the system. */
	assert_int_equal(count(x, "SELECT COUNT(*) FROM audit_event WHERE "
				  "actor_role = 'system' AND action = "
				  "'deliver' AND detail = 'sent'"), 1);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM audit_event WHERE "
				  "actor_role = 'system' AND action = "
				  "'claim'"), 1);
	/* Nothing more to do: no write, no audit event. */
	assert_int_equal(round_of(d), 0);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM audit_event WHERE "
				  "action = 'claim'"), 1);
	assert_int_equal(deliver_stats(d).sent, 1);
	deliver_free(d);
}

static void
test_spanish_and_sms(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);
	struct pref_job pj = {x, {.by_email = false, .by_sms = true}};

	set_account(x, "ana@example.org", "es");
	snprintf(pj.p.phone, sizeof(pj.p.phone), "+34600123456");
	assert_int_equal(store_write(x->c.t.store, pref_fn, &pj), ERR_OK);
	notify(x, OUTBOX_MESSAGE, "/messages/7", fake_clock, 1);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "channel = 'sms' AND address = "
				  "'+34600123456'"), 1);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "channel = 'email'"), 0);
	assert_int_equal(round_of(d), 1);
	assert_string_equal(x->fake.channel, "sms");
	assert_string_equal(x->fake.text,
			    "Tienes un mensaje nuevo en cocare. "
			    "https://care.example.org/messages/7");
	deliver_free(d);
}

static void
test_email_in_spanish(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);

	set_account(x, "ana@example.org", "es");
	notify(x, OUTBOX_APPOINTMENT, "/appointments/3", fake_clock, 1);
	assert_int_equal(round_of(d), 1);
	assert_string_equal(x->fake.subject,
			    "Novedades sobre tu cita en cocare");
	assert_non_null(strstr(x->fake.text, "Hay novedades sobre tu cita "
					     "en cocare.\n"));
	assert_non_null(strstr(x->fake.text, "https://care.example.org/"
					     "appointments/3\n"));
	deliver_free(d);
}

static void
test_retry_then_dead_then_again(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 3, false);
	struct outbox_row *rows;
	int64_t next, n;
	size_t nrows;
	int i;

	set_account(x, "ana@example.org", "en");
	notify(x, OUTBOX_CONSULTATION, "/consultations/5", fake_clock, 1);
	x->fake.fail = true;
	for (i = 1; i <= 3; i++) {
		assert_int_equal(round_of(d), 1);
		assert_int_equal(count(x, "SELECT attempts FROM outbox"), i);
		if (i == 3)
			break;
		next = count(x, "SELECT next_at FROM outbox");
		/* 60 s, then 120 s, less up to a quarter. */
		assert_true(next <= fake_clock + 60 * (1 << (i - 1)));
		assert_true(next >= fake_clock + 45 * (1 << (i - 1)));
		/* Not due yet: nothing is tried. */
		assert_int_equal(round_of(d), 0);
		fake_clock = next;
	}
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'dead'"), 1);
	assert_int_equal(deliver_stats(d).dead, 1);
	assert_int_equal(deliver_stats(d).failed, 3);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM audit_event WHERE "
				  "action = 'deliver' AND detail = 'retry'"),
			 2);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM audit_event WHERE "
				  "action = 'deliver' AND detail = 'dead'"),
			 1);
	fake_clock += 100000;
	assert_int_equal(round_of(d), 0);
	assert_int_equal(outbox_dead_list(x->c.t.db, x->c.a, x->c.org, 10,
					  &rows, &nrows),
			 ERR_OK);
	assert_int_equal(nrows, 1);
	assert_string_equal(rows[0].last_error, "the SMTP server answered 451");
	assert_string_equal(outbox_mask(x->c.a, rows[0].channel,
					rows[0].address),
			    "a\u2022\u2022\u2022@example.org");
	/* Another organisation cannot touch it. */
	assert_int_equal(outbox_retry(x->c.t.db, x->c.org + 1, rows[0].id,
				      fake_clock),
			 ERR_NOT_FOUND);
	assert_int_equal(db_begin(x->c.t.db), ERR_OK);
	assert_int_equal(outbox_retry_all(x->c.t.db, x->c.org, fake_clock,
					  &n),
			 ERR_OK);
	assert_int_equal(db_commit(x->c.t.db), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(count(x, "SELECT attempts FROM outbox"), 0);
	x->fake.fail = false;
	assert_int_equal(round_of(d), 1);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'sent'"), 1);
	deliver_free(d);
}

static void
test_two_workers(void **state)
{
	struct fx *x = *state;
	struct deliver *a = worker(x, 10, true), *b = worker(x, 10, true);
	int64_t sent = 0;
	size_t i;
	int waited;

	set_account(x, "ana@example.org", "en");
	fake_clock = time(NULL);
	notify(x, OUTBOX_MESSAGE, "/messages/1", fake_clock, 300);
	assert_int_equal(deliver_start(a), ERR_OK);
	assert_int_equal(deliver_start(b), ERR_OK);
	for (waited = 0; waited < 3000 && sent < 300; waited++) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
		sent = count(x, "SELECT COUNT(*) FROM outbox WHERE "
				"status = 'sent'");
	}
	deliver_stop(a);
	deliver_stop(b);
	assert_int_equal(sent, 300);
	assert_int_equal(x->fake.n, 300);
	for (i = 0; i < x->fake.n; i++)
		assert_int_equal(x->fake.times[i], 1);
	assert_int_equal(deliver_stats(a).sent + deliver_stats(b).sent, 300);
	/* Both took part. */
	assert_true(deliver_stats(a).sent > 0);
	assert_true(deliver_stats(b).sent > 0);
	deliver_free(a);
	deliver_free(b);
}

static void
test_claim_once(void **state)
{
	struct fx *x = *state;
	int64_t id;

	set_account(x, "ana@example.org", "en");
	notify(x, OUTBOX_MESSAGE, "/messages/1", fake_clock, 1);
	id = count(x, "SELECT id FROM outbox");
	assert_int_equal(db_begin(x->c.t.db), ERR_OK);
	assert_int_equal(outbox_claim(x->c.t.db, id, fake_clock,
				      fake_clock + 60),
			 ERR_OK);
	/* The second worker finds it taken... */
	assert_int_equal(outbox_claim(x->c.t.db, id, fake_clock + 1,
				      fake_clock + 61),
			 ERR_CONFLICT);
	/* ...until the lease ends. */
	assert_int_equal(outbox_claim(x->c.t.db, id, fake_clock + 61,
				      fake_clock + 121),
			 ERR_OK);
	assert_int_equal(db_commit(x->c.t.db), ERR_OK);
}

static void
test_quiet_hours(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);
	struct pref_job pj = {x, {.by_email = true, .quiet_start = 22 * 60,
				  .quiet_end = 7 * 60}};

	setenv("TZ", "UTC", 1);
	tzset();
	set_account(x, "ana@example.org", "en");
	assert_int_equal(store_write(x->c.t.store, pref_fn, &pj), ERR_OK);
	/* 23:30 UTC: held until 07:00 the next morning. */
	fake_clock = 1767614400 + 11 * 3600 + 1800;
	notify(x, OUTBOX_MESSAGE, "/messages/1", fake_clock, 1);
	assert_int_equal(count(x, "SELECT next_at FROM outbox"),
			 1767614400 + 19 * 3600);
	assert_int_equal(round_of(d), 0);
	fake_clock = 1767614400 + 19 * 3600 - 1;
	assert_int_equal(round_of(d), 0);
	fake_clock++;
	assert_int_equal(round_of(d), 1);
	/* Outside quiet hours: at once. */
	fake_clock = 1767614400;
	notify(x, OUTBOX_MESSAGE, "/messages/2", fake_clock, 1);
	assert_int_equal(round_of(d), 1);
	deliver_free(d);
}

static void
test_withdrawn_never_sent(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);

	set_account(x, "ana@example.org", "en");
	notify(x, OUTBOX_REMINDER, "/appointments/9", fake_clock + 3600, 1);
	assert_int_equal(round_of(d), 0);
	assert_int_equal(db_begin(x->c.t.db), ERR_OK);
	assert_int_equal(outbox_withdraw(x->c.t.db, OUTBOX_REMINDER,
					 "/appointments/9"),
			 ERR_OK);
	assert_int_equal(db_commit(x->c.t.db), ERR_OK);
	fake_clock += 7200;
	assert_int_equal(round_of(d), 0);
	assert_int_equal(x->fake.calls, 0);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'withdrawn'"), 1);
	deliver_free(d);
}

static enum err
withdraw_fn(struct db *db, void *arg)
{
	(void)arg;
	return outbox_withdraw(db, OUTBOX_REMINDER, "/appointments/2");
}

static void
withdraw_second(void *arg)
{
	struct fx *x = arg;

	assert_int_equal(store_write(x->c.t.store, withdraw_fn, NULL), ERR_OK);
}

/* Withdrawn after a worker claimed it, before its turn: not sent. */
static void
test_withdrawn_while_claimed(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);

	set_account(x, "ana@example.org", "en");
	notify(x, OUTBOX_REMINDER, "/appointments/1", fake_clock, 1);
	fake_clock++;
	notify(x, OUTBOX_REMINDER, "/appointments/2", fake_clock, 1);
	x->fake.first = withdraw_second;
	x->fake.first_arg = x;
	/* Both claimed in one round; the second is withdrawn meanwhile. */
	assert_int_equal(round_of(d), 1);
	assert_int_equal(x->fake.calls, 1);
	assert_non_null(strstr(x->fake.text, "/appointments/1"));
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'withdrawn'"), 1);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'sent'"), 1);
	deliver_free(d);
}

static void
test_bad_address_dead_at_once(void **state)
{
	struct fx *x = *state;
	struct deliver *d = worker(x, 10, false);

	set_account(x, "ana@example.org>\r\nBcc: x@y", "en");
	notify(x, OUTBOX_MESSAGE, "/messages/1", fake_clock, 1);
	assert_int_equal(round_of(d), 1);
	assert_int_equal(x->fake.calls, 0);
	assert_int_equal(count(x, "SELECT COUNT(*) FROM outbox WHERE "
				  "status = 'dead'"), 1);
	deliver_free(d);
}

static void
test_parsers(void **state)
{
	char p[OUTBOX_PHONE_MAX + 1];
	int m;

	(void)state;
	assert_true(outbox_phone_parse("+34 600 12 34 56", p));
	assert_string_equal(p, "+34600123456");
	assert_true(outbox_phone_parse("0044 (20) 7946-0000", p));
	assert_string_equal(p, "+442079460000");
	assert_false(outbox_phone_parse("600 123 456", p));
	assert_false(outbox_phone_parse("+34 600", p));
	assert_false(outbox_phone_parse("+34 600 12 34 5x", p));
	assert_false(outbox_phone_parse("+1234567890123456", p));
	assert_false(outbox_phone_parse("+0 600 12 34 56", p));
	assert_false(outbox_phone_parse("", p));
	assert_true(outbox_time_parse("22:00", &m));
	assert_int_equal(m, 1320);
	assert_true(outbox_time_parse("00:00", &m));
	assert_int_equal(m, 0);
	assert_true(outbox_time_parse("23:59", &m));
	assert_false(outbox_time_parse("24:00", &m));
	assert_false(outbox_time_parse("7:00", &m));
	assert_false(outbox_time_parse("07:60", &m));
	assert_false(outbox_time_parse("07-00", &m));
	assert_false(outbox_time_parse("", &m));
}

int
main(void)
{
#define TEST(fn) cmocka_unit_test_setup_teardown(fn, up, down)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_parsers),
		TEST(test_sent_by_the_system),
		TEST(test_spanish_and_sms),
		TEST(test_email_in_spanish),
		TEST(test_retry_then_dead_then_again),
		TEST(test_two_workers),
		TEST(test_claim_once),
		TEST(test_quiet_hours),
		TEST(test_withdrawn_never_sent),
		TEST(test_withdrawn_while_claimed),
		TEST(test_bad_address_dead_at_once),
	};

	test_init();
	return cmocka_run_group_tests_name("contact_outbox", tests, NULL,
					   NULL);
}

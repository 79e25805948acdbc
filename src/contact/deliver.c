/*
 * The outbox's delivery worker (see deliver.h): claim, hand over,
 * record. The transports themselves (SMTP and the SMS gateway through
 * libcurl) are in deliver_curl.c.
 */
#include "contact/deliver.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/actor.h"
#include "auth/write.h"
#include "contact/deliver_int.h"
#include "contact/outbox.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/msgid.h"
#include "store/store.h"
#include "web/i18n.h"
#include "core/banned.h"

#define BATCH_MAX 64
#define ROUND_ARENA (1u << 20)

static char *
copy(const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s ? s : "", n);
	return p;
}

static void
free_settings(struct deliver *d)
{
	free((char *)d->o.public_url);
	free((char *)d->o.smtp_url);
	free((char *)d->o.smtp_from);
	if (d->o.smtp_password)
		sodium_memzero((char *)d->o.smtp_password,
			       strlen(d->o.smtp_password));
	free((char *)d->o.smtp_user);
	free((char *)d->o.smtp_password);
	free((char *)d->o.sms_url);
	free((char *)d->o.sms_user);
	if (d->o.sms_token)
		sodium_memzero((char *)d->o.sms_token, strlen(d->o.sms_token));
	free((char *)d->o.sms_token);
}

struct deliver *
deliver_new(const struct deliver_options *o)
{
	struct deliver *d = calloc(1, sizeof(*d));
	size_t n;

	if (!d)
		return NULL;
	d->o = *o;
	d->o.public_url = copy(o->public_url);
	d->o.smtp_url = copy(o->smtp_url);
	d->o.smtp_from = copy(o->smtp_from);
	d->o.smtp_user = copy(o->smtp_user);
	d->o.smtp_password = copy(o->smtp_password);
	d->o.sms_url = copy(o->sms_url);
	d->o.sms_user = copy(o->sms_user);
	d->o.sms_token = copy(o->sms_token);
	if (!d->o.public_url || !d->o.smtp_url || !d->o.smtp_from ||
	    !d->o.smtp_user || !d->o.smtp_password || !d->o.sms_url ||
	    !d->o.sms_user || !d->o.sms_token) {
		free_settings(d);
		free(d);
		return NULL;
	}
	/* "https://example.org/" + "/messages/1": one slash between. */
	n = strlen(d->o.public_url);
	while (n > 0 && d->o.public_url[n - 1] == '/')
		((char *)d->o.public_url)[--n] = '\0';
	if (d->o.max_attempts < 1)
		d->o.max_attempts = 1;
	if (d->o.lease_s < 2)
		d->o.lease_s = 2;
	if (d->o.timeout_s < 1 || d->o.timeout_s > d->o.lease_s / 2)
		d->o.timeout_s = d->o.lease_s / 2;
	if (d->o.batch < 1 || d->o.batch > BATCH_MAX)
		d->o.batch = 16;
	if (d->o.poll_ms < 10)
		d->o.poll_ms = 10;
	if (!d->o.now)
		d->o.now = clock_now;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	return d;
}

void
deliver_free(struct deliver *d)
{
	if (!d)
		return;
	deliver_stop(d);
	deliver_curl_release(d);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free_settings(d);
	free(d);
}

struct deliver_stats
deliver_stats(struct deliver *d)
{
	struct deliver_stats s = {
		atomic_load(&d->sent),
		atomic_load(&d->failed),
		atomic_load(&d->dead),
	};

	return s;
}

/* --- The text --------------------------------------------------------- */

static const struct {
	const char *event;
	const char *subject;
	const char *sentence;
} texts[] = {
	{"message", N_("New message in cocare"),
	 N_("You have a new message in cocare.")},
	{"consultation", N_("News about your request in cocare"),
	 N_("There is news about your request in cocare.")},
	{"appointment", N_("News about your appointment in cocare"),
	 N_("There is news about your appointment in cocare.")},
	{"reminder", N_("A reminder from cocare"),
	 N_("You have a reminder in cocare.")},
};

enum err
deliver_compose(struct arena *a, const struct i18n *i18n, const char *lang,
		const char *event, const char *public_url, const char *link,
		const char **subject, const char **text)
{
	const char *l = lang && !strncmp(lang, "es", 2) ? "es" : "en";
	size_t i, pick = 0;

#define T(s) (i18n ? i18n_get(i18n, l, (s)) : (s))
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!strcmp(texts[i].event, event))
			pick = i;
	*subject = T(texts[pick].subject);
	*text = arena_printf(
	    a, "%s\n\n%s\n%s%s\n\n%s\n%s/account/notifications\n",
	    T(texts[pick].sentence), T(N_("Open cocare to read it:")),
	    public_url, link,
	    T(N_("You get this because of your notification settings in "
		 "cocare. To change them:")),
	    public_url);
#undef T
	return *text ? ERR_OK : ERR_NOMEM;
}

/* The text message: the sentence and the link, nothing else. */
static const char *
sms_text(struct arena *a, const struct i18n *i18n, const char *lang,
	 const char *event, const char *public_url, const char *link)
{
	const char *l = lang && !strncmp(lang, "es", 2) ? "es" : "en";
	const char *sentence = texts[0].sentence;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (!strcmp(texts[i].event, event))
			sentence = texts[i].sentence;
	if (i18n)
		sentence = i18n_get(i18n, l, sentence);
	return arena_printf(a, "%s %s%s", sentence, public_url, link);
}

/* --- One round -------------------------------------------------------- */

/* The system acting for the outbox, in organisation `org`. */
static void
system_ctx(struct deliver *d, struct arena *a, int64_t org, int64_t now,
	   struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->store = d->o.store;
	c->a = a;
	c->audit_key = d->o.audit_key;
	c->now = now;
	c->actor.role = ROLE_SYSTEM;
	c->actor.org_id = org;
	c->actor.name = "cocare outbox";
	c->channel = "outbox";
}

struct claim_job {
	const int64_t *ids;
	size_t n;
	int64_t now, until;
	bool *taken;
	size_t ntaken;
};

static enum err
claim_fn(struct db *db, void *arg)
{
	struct claim_job *j = arg;
	size_t i;
	enum err e;

	j->ntaken = 0;
	for (i = 0; i < j->n; i++) {
		e = outbox_claim(db, j->ids[i], j->now, j->until);
		j->taken[i] = e == ERR_OK;
		if (e == ERR_OK)
			j->ntaken++;
		else if (e != ERR_CONFLICT)
			return e;
	}
	return ERR_OK;
}

enum outcome { OUT_SENT, OUT_FAILED, OUT_RELEASE };

struct record_job {
	struct write_info *wi;	/* its detail says "dead" when it is */
	int64_t id, now, next_at;
	enum outcome outcome;
	const char *why;
	int max_attempts;
	bool dead;
};

static enum err
record_fn(struct db *db, void *arg)
{
	struct record_job *j = arg;
	enum err e;

	switch (j->outcome) {
	case OUT_SENT:
		e = outbox_mark_sent(db, j->id, j->now);
		break;
	case OUT_FAILED:
		e = outbox_mark_failed(db, j->id, j->now, j->why, j->next_at,
				       j->max_attempts, &j->dead);
		break;
	default:
		e = outbox_release(db, j->id);
		break;
	}
	if (e == ERR_OK && j->dead)
		j->wi->detail = "dead";
	/* Withdrawn meanwhile: nothing left to record. */
	return e == ERR_NOT_FOUND ? ERR_OK : e;
}

/* An address that cannot be put in a mail header or a phone number. */
static bool
address_ok(const char *channel, const char *address)
{
	size_t i;

	if (!strcmp(channel, "sms")) {
		if (address[0] != '+' || !address[1])
			return false;
		for (i = 1; address[i]; i++)
			if (address[i] < '0' || address[i] > '9')
				return false;
		return i <= 16;
	}
	if (!strchr(address, '@') || strlen(address) > 254)
		return false;
	for (i = 0; address[i]; i++)
		if ((unsigned char)address[i] <= ' ' ||
		    strchr("<>()[],;:\\\"", address[i]))
			return false;
	return true;
}

static enum err
record(struct deliver *d, struct arena *a, const struct outbox_row *r,
       struct record_job *j)
{
	static const char *const details[] = {"sent", "retry", "released"};
	struct write_info wi = {"deliver", "Notification", "", 0, NULL, NULL,
				NULL};
	struct ctx c;
	enum err e;

	system_ctx(d, a, r->org_id, j->now, &c);
	wi.resource_id = arena_printf(a, "%lld", (long long)r->id);
	wi.detail = details[j->outcome];
	j->wi = &wi;
	e = write_commit(&c, &wi, record_fn, j);
	if (e == ERR_OK && j->dead)
		log_warn("outbox: notification %lld is dead (see "
			 "/admin/outbox)", (long long)r->id);
	return e;
}

/* Hands row `id` (claimed until `until`) over and records the outcome;
 * `*tried` is false when it was withdrawn or taken meanwhile. */
static enum err
deliver_one(struct deliver *d, struct arena *a, int64_t id, int64_t until,
	    bool *tried)
{
	struct record_job j = {.id = id, .max_attempts = d->o.max_attempts};
	struct outbox_row r;
	struct deliver_msg m = {.id = id};
	struct db *db;
	char why[160] = "";
	int64_t now;
	int timeout;
	enum err e;

	*tried = false;
	if (!(db = store_acquire(d->o.store)))
		return ERR_DB;
	e = outbox_get(db, a, id, &r);
	store_release(d->o.store, db);
	if (e == ERR_NOT_FOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	/* Withdrawn, or no longer ours. */
	if (strcmp(r.status, "pending") != 0 || r.claimed_until != until)
		return ERR_OK;
	*tried = true;
	m.channel = r.channel;
	m.address = r.address;
	if (!strcmp(r.channel, "sms"))
		m.text = sms_text(a, d->o.i18n, r.language, r.event,
				  d->o.public_url, r.link);
	else if ((e = deliver_compose(a, d->o.i18n, r.language, r.event,
				      d->o.public_url, r.link, &m.subject,
				      &m.text)) != ERR_OK)
		return e;
	if (!m.text)
		return ERR_NOMEM;
	now = d->o.now();
	/* Never past the claim: another worker may take it then. */
	timeout = d->o.timeout_s;
	if (until - now - 1 < timeout)
		timeout = (int)(until - now - 1);
	if (timeout < 1) {
		j.outcome = OUT_RELEASE;
	} else if (!address_ok(r.channel, r.address)) {
		snprintf(why, sizeof(why), "the address is not valid");
		j.outcome = OUT_FAILED;
		j.max_attempts = 1;
	} else {
		if (d->o.send)
			e = d->o.send(d->o.send_arg, &m, timeout, why,
				      sizeof(why));
		else if (!strcmp(r.channel, "sms"))
			e = deliver_send_sms(d, &m, timeout, why, sizeof(why));
		else
			e = deliver_send_email(d, &m, timeout, why,
					       sizeof(why));
		if (e == ERR_OK)
			j.outcome = OUT_SENT;
		else if (atomic_load(&d->stop))
			j.outcome = OUT_RELEASE;
		else
			j.outcome = OUT_FAILED;
		if (j.outcome == OUT_FAILED && !why[0])
			snprintf(why, sizeof(why), "%s", err_str(e));
	}
	j.now = d->o.now();
	j.why = why;
	if (j.outcome == OUT_FAILED)
		j.next_at = j.now + outbox_backoff(r.attempts + 1,
						   d->o.retry_min_s,
						   d->o.retry_max_s,
						   randombytes_random());
	if ((e = record(d, a, &r, &j)) != ERR_OK)
		return e;
	if (j.outcome == OUT_SENT) {
		atomic_fetch_add(&d->sent, 1);
	} else if (j.outcome == OUT_FAILED) {
		atomic_fetch_add(&d->failed, 1);
		if (j.dead)
			atomic_fetch_add(&d->dead, 1);
	}
	return ERR_OK;
}

enum err
deliver_round(struct deliver *d, size_t *handled)
{
	int64_t ids[BATCH_MAX];
	bool taken[BATCH_MAX];
	struct claim_job cj = {.ids = ids, .taken = taken};
	struct write_info wi = {"claim", "Notification", "", 0, NULL, NULL,
				NULL};
	struct arena *a;
	struct ctx c;
	struct db *db;
	size_t n = 0, i;
	enum err e;

	*handled = 0;
	if (!(db = store_acquire(d->o.store)))
		return ERR_DB;
	cj.now = d->o.now();
	e = outbox_due(db, cj.now, (size_t)d->o.batch, ids, &n);
	store_release(d->o.store, db);
	if (e != ERR_OK || n == 0)
		return e;
	if (!(a = arena_new(ROUND_ARENA)))
		return ERR_NOMEM;
	cj.n = n;
	cj.until = cj.now + d->o.lease_s;
	system_ctx(d, a, 0, cj.now, &c);
	wi.detail = "due";
	if ((e = write_commit(&c, &wi, claim_fn, &cj)) != ERR_OK)
		goto out;
	for (i = 0; i < n && !atomic_load(&d->stop); i++) {
		bool tried;

		if (!taken[i])
			continue;
		if ((e = deliver_one(d, a, ids[i], cj.until, &tried)) !=
		    ERR_OK)
			goto out;
		if (tried)
			(*handled)++;
	}
	/* Rows claimed but not tried (stopping): let them go at once. */
	for (; i < n; i++) {
		struct record_job j = {.id = ids[i], .outcome = OUT_RELEASE};
		struct outbox_row r = {.id = ids[i]};

		if (taken[i] && (e = record(d, a, &r, &j)) != ERR_OK)
			goto out;
	}
out:
	arena_free(a);
	return e;
}

/* --- The thread -------------------------------------------------------- */

static void *
worker(void *arg)
{
	struct deliver *d = arg;
	size_t handled;
	struct timespec until;
	enum err e;

	while (!atomic_load(&d->stop)) {
		e = deliver_round(d, &handled);
		if (e != ERR_OK)
			log_warn("outbox: a delivery round failed: %s",
				 err_name(e));
		if (handled > 0 && e == ERR_OK)
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += d->o.poll_ms / 1000;
		until.tv_nsec += (long)(d->o.poll_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&d->mu);
		if (!atomic_load(&d->stop))
			pthread_cond_timedwait(&d->cv, &d->mu, &until);
		pthread_mutex_unlock(&d->mu);
	}
	return NULL;
}

enum err
deliver_start(struct deliver *d)
{
	sigset_t all, old;
	int rc;

	if (d->running)
		return ERR_OK;
	atomic_store(&d->stop, false);
	/* Signals go to the main thread, which stops us. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&d->thread, NULL, worker, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return ERR_INTERNAL;
	d->running = true;
	return ERR_OK;
}

void
deliver_stop(struct deliver *d)
{
	if (!d->running)
		return;
	pthread_mutex_lock(&d->mu);
	atomic_store(&d->stop, true);
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	d->running = false;
}

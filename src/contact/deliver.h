/*
 * The outbox's delivery worker. It takes due notifications from the
 * outbox (claiming each for a lease, so several workers, in one process
 * or in several cocare processes on one PostgreSQL, never take the same
 * row at once), hands each to the SMTP server or the SMS gateway, and
 * records what happened through the single write path, audited as the
 * system: 'sent' once handed over; after a failure another try later
 * (exponential backoff with jitter) until max_attempts, then 'dead' (the
 * dead-letter list). The text says only that there is something new, in
 * the person's language, with a link: never health details.
 *
 * A crash between handing a notification over and recording it sends it
 * again once its lease ends: the SMS request carries "Idempotency-Key:
 * <outbox id>" so a gateway that honours it sends it once; an email can
 * arrive twice (at most one duplicate per crash: the worker has one
 * notification in flight), with the same Message-ID.
 */
#ifndef CONTACT_DELIVER_H
#define CONTACT_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct audit_key;
struct i18n;
struct store;

/* One notification ready to hand over. */
struct deliver_msg {
	int64_t id;		/* the outbox row, also the idempotency key */
	const char *channel;	/* "email", "sms" */
	const char *address;
	const char *subject;	/* email only */
	const char *text;	/* the whole body: sentence and link */
};

struct deliver_options {
	struct store *store;
	const struct audit_key *audit_key;	/* signs the audit events */
	const struct i18n *i18n;		/* the texts in Spanish */
	const char *public_url;	/* put before each row's link */
	const char *smtp_url;	/* "smtp://host:25", "smtps://host:465" */
	const char *smtp_from;	/* "cocare <noreply@example.org>" */
	const char *smtp_user;	/* "" for none */
	const char *smtp_password;
	const char *sms_url;	/* the gateway's https:// address */
	const char *sms_user;	/* basic authentication when set */
	const char *sms_token;	/* password, or a bearer token alone */
	int max_attempts;	/* then 'dead' */
	int lease_s;		/* a claim lasts this long */
	int timeout_s;		/* one hand-over at most (below lease_s) */
	int retry_min_s;	/* first wait after a failure */
	int retry_max_s;	/* longest wait */
	int poll_ms;		/* looks for due rows this often when idle */
	int batch;		/* rows claimed at once */
	/*
	 * Tests: a transport instead of libcurl, and a clock. send()
	 * hands `m` over: ERR_OK once the SMTP server or gateway accepted
	 * it, else an error with a few words in `why` (no secrets, no
	 * health data); `timeout_s` bounds the whole exchange.
	 */
	enum err (*send)(void *arg, const struct deliver_msg *m,
			 int timeout_s, char *why, size_t whylen);
	void *send_arg;
	int64_t (*now)(void);
};

struct deliver_stats {
	uint64_t sent;
	uint64_t failed;	/* tries that failed (retried or dead) */
	uint64_t dead;
};

struct deliver;

/* A worker with copies of `o`'s settings; NULL when out of memory. */
struct deliver *deliver_new(const struct deliver_options *o);

/* Stops the thread if it runs, then frees the worker. */
void deliver_free(struct deliver *d);

/*
 * One round in the calling thread: claims up to `batch` due rows, hands
 * each over and records it. `*handled` rows were tried. ERR_DB and the
 * store's errors when a write failed (the rows stay claimed until their
 * lease ends, then are tried again).
 */
enum err deliver_round(struct deliver *d, size_t *handled /* out */);

/* Runs rounds in a background thread until deliver_stop(). */
enum err deliver_start(struct deliver *d);

/* Asks the thread to stop (a hand-over in flight is cut short and its
 * row let go) and waits for it. Safe to call twice. */
void deliver_stop(struct deliver *d);

/* Counts since deliver_new(), read at any time from any thread. */
struct deliver_stats deliver_stats(struct deliver *d);

/*
 * The subject and body of a notification of `event` (outbox_event_name)
 * about `link` in `lang` ("es"; else English): one sentence that there is
 * something new, the address public_url + link, and where to change the
 * preferences. Nothing from the record itself.
 */
enum err deliver_compose(struct arena *a, const struct i18n *i18n,
			 const char *lang, const char *event,
			 const char *public_url, const char *link,
			 const char **subject /* out */,
			 const char **text /* out */);

/* The libcurl transports (deliver_curl.c), with `d`'s settings. */
enum err deliver_send_email(struct deliver *d, const struct deliver_msg *m,
			    int timeout_s, char *why, size_t whylen);
enum err deliver_send_sms(struct deliver *d, const struct deliver_msg *m,
			  int timeout_s, char *why, size_t whylen);

#endif

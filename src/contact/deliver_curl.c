/*
 * The outbox's transports through libcurl: email to an SMTP server
 * (smtp:// or smtps://) and text messages to an HTTP gateway (a JSON
 * POST {"to", "text"} with an Idempotency-Key header). Errors are given
 * in a few words without the server's own reply, which may quote the
 * address, and never with the credentials.
 */
#include "contact/deliver_int.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/banned.h"

#define MAIL_MAX (64u << 10)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The handle for one transport, reset for a new request (the connection
 * is kept). */
static CURL *
handle(void **slot)
{
	pthread_once(&curl_once, curl_start);
	if (!*slot)
		*slot = curl_easy_init();
	else
		curl_easy_reset(*slot);
	return *slot;
}

void
deliver_curl_release(struct deliver *d)
{
	if (d->smtp)
		curl_easy_cleanup(d->smtp);
	if (d->sms)
		curl_easy_cleanup(d->sms);
	d->smtp = d->sms = NULL;
}

/* Cuts a transfer short when the worker is asked to stop. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
	    curl_off_t un)
{
	struct deliver *d = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load(&d->stop) ? 1 : 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p, (void)arg;
	return size * n;
}

static void
common(struct deliver *d, CURL *h, int timeout_s)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
			 (long)(timeout_s < 10 ? timeout_s : 10));
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, d);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
}

/* A few words on a failed transfer: libcurl's fixed text and the code. */
static void
explain(CURL *h, CURLcode rc, const char *who, char *why, size_t whylen)
{
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whylen, "%s did not answer in time", who);
	else if (rc == CURLE_COULDNT_CONNECT ||
		 rc == CURLE_COULDNT_RESOLVE_HOST)
		snprintf(why, whylen, "could not reach %s", who);
	else if (code)
		snprintf(why, whylen, "%s answered %ld", who, code);
	else
		snprintf(why, whylen, "%s: %s", who, curl_easy_strerror(rc));
}

/* --- Email ------------------------------------------------------------ */

/* The bare address of "Name <addr>" or "addr". */
static void
bare_address(const char *from, char *out, size_t outlen)
{
	const char *lt = strrchr(from, '<'), *gt;

	if (lt && (gt = strchr(lt, '>')) && gt > lt + 1)
		snprintf(out, outlen, "%.*s", (int)(gt - lt - 1), lt + 1);
	else
		snprintf(out, outlen, "%s", from);
}

/* RFC 2047 for a subject that is not plain ASCII. */
static void
add_subject(struct buf *b, const char *s)
{
	char b64[512];
	size_t n = strlen(s), i;
	bool ascii = true;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] < ' ')
			ascii = false;
	if (ascii || n > 300) {
		buf_printf(b, "Subject: %s\r\n", ascii ? s : "cocare");
		return;
	}
	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, n,
			  sodium_base64_VARIANT_ORIGINAL);
	buf_printf(b, "Subject: =?UTF-8?B?%s?=\r\n", b64);
}

/* The message: headers, then the body with CRLF line ends. */
static bool
mail_text(struct deliver *d, const struct deliver_msg *m, struct buf *b)
{
	char from[256], date[64];
	const char *domain, *p;
	time_t now = time(NULL);
	struct tm tm;

	bare_address(d->o.smtp_from, from, sizeof(from));
	domain = strchr(from, '@') ? strchr(from, '@') + 1 : "cocare.invalid";
	if (!gmtime_r(&now, &tm) ||
	    !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm))
		return false;
	buf_printf(b, "Date: %s\r\n", date);
	buf_printf(b, "From: %s\r\n", d->o.smtp_from);
	buf_printf(b, "To: <%s>\r\n", m->address);
	add_subject(b, m->subject);
	/* The same id each time: a mail client can fold a duplicate. */
	buf_printf(b, "Message-ID: <outbox-%lld@%s>\r\n", (long long)m->id,
		   domain);
	buf_adds(b, "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n"
		    "Auto-Submitted: auto-generated\r\n\r\n");
	for (p = m->text; *p; p++) {
		if (*p == '\n')
			buf_addc(b, '\r');
		buf_addc(b, *p);
	}
	return !b->failed;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t
read_upload(char *out, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;

	memcpy(out, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

enum err
deliver_send_email(struct deliver *d, const struct deliver_msg *m,
		   int timeout_s, char *why, size_t whylen)
{
	struct curl_slist *rcpt = NULL;
	struct arena *a = arena_new(MAIL_MAX * 2);
	struct upload u;
	struct buf b;
	char from[256 + 2], to[300];
	CURL *h;
	CURLcode rc;
	enum err e = ERR_INTERNAL;

	if (!d->o.smtp_url[0]) {
		snprintf(why, whylen, "no smtp_url is set");
		arena_free(a);
		return ERR_INVALID;
	}
	if (!a || !(h = handle(&d->smtp))) {
		snprintf(why, whylen, "out of memory");
		arena_free(a);
		return ERR_NOMEM;
	}
	buf_init(&b, a, MAIL_MAX);
	if (!mail_text(d, m, &b)) {
		snprintf(why, whylen, "the message could not be made");
		goto out;
	}
	bare_address(d->o.smtp_from, from + 1, sizeof(from) - 2);
	from[0] = '<';
	snprintf(from + strlen(from), sizeof(from) - strlen(from), ">");
	snprintf(to, sizeof(to), "<%s>", m->address);
	if (!(rcpt = curl_slist_append(NULL, to)))
		goto out;
	u.p = b.p;
	u.left = b.len;
	common(d, h, timeout_s);
	curl_easy_setopt(h, CURLOPT_URL, d->o.smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)b.len);
	/* A password never goes over a plain connection. */
	if (d->o.smtp_user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, d->o.smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, d->o.smtp_password);
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	} else {
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		e = ERR_OK;
	} else {
		explain(h, rc, "the SMTP server", why, whylen);
		e = rc == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT : ERR_IO;
	}
out:
	if (e == ERR_INTERNAL && !why[0])
		snprintf(why, whylen, "out of memory");
	curl_slist_free_all(rcpt);
	arena_free(a);
	return e;
}

/* --- Text messages ---------------------------------------------------- */

enum err
deliver_send_sms(struct deliver *d, const struct deliver_msg *m,
		 int timeout_s, char *why, size_t whylen)
{
	struct curl_slist *hdr = NULL, *more;
	char key[64], *body = NULL, *auth = NULL;
	json_t *j;
	long code = 0;
	CURL *h;
	CURLcode rc;
	enum err e = ERR_NOMEM;

	if (!d->o.sms_url[0]) {
		snprintf(why, whylen, "no sms_url is set");
		return ERR_INVALID;
	}
	if (!(h = handle(&d->sms))) {
		snprintf(why, whylen, "out of memory");
		return ERR_NOMEM;
	}
	j = json_pack("{s:s, s:s}", "to", m->address, "text", m->text);
	if (j)
		body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	snprintf(key, sizeof(key), "Idempotency-Key: %lld", (long long)m->id);
	if (!body || !(hdr = curl_slist_append(NULL, key)) ||
	    !(more = curl_slist_append(hdr, "Content-Type: application/json")))
		goto out;
	hdr = more;
	/* A token alone is a bearer token; with a user, basic auth. */
	if (!d->o.sms_user[0] && d->o.sms_token[0]) {
		size_t n = strlen(d->o.sms_token) + 32;

		if (!(auth = malloc(n)))
			goto out;
		snprintf(auth, n, "Authorization: Bearer %s", d->o.sms_token);
		more = curl_slist_append(hdr, auth);
		sodium_memzero(auth, n);
		if (!more)
			goto out;
		hdr = more;
	}
	common(d, h, timeout_s);
	curl_easy_setopt(h, CURLOPT_URL, d->o.sms_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	if (d->o.sms_user[0]) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, d->o.sms_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, d->o.sms_token);
	}
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		e = ERR_OK;
	} else {
		explain(h, rc, "the SMS gateway", why, whylen);
		e = rc == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT : ERR_IO;
	}
out:
	if (e == ERR_NOMEM)
		snprintf(why, whylen, "out of memory");
	/* The header list holds the token: wipe it before it goes. */
	for (more = hdr; more; more = more->next)
		sodium_memzero(more->data, strlen(more->data));
	curl_slist_free_all(hdr);
	free(auth);
	if (body)
		free(body);
	return e;
}

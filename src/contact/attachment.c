/*
 * Message attachments (see attachment.h). libmagic's handle is not safe
 * to share between threads without a lock, and loading its database
 * takes a few milliseconds, so one handle is loaded on first use and
 * every check takes the lock: a check takes microseconds.
 */
#include "contact/attachment.h"

#include <pthread.h>
#include <string.h>

#include <magic.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/str.h"
#include "store/store.h"
#include "core/banned.h"

static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_handle;	/* loaded once, for the process's life */

static const struct {
	const char *mime;
	const char *ext;
} accepted[] = {
	{"application/pdf", ".pdf"},
	{"image/png", ".png"},
	{"image/jpeg", ".jpg"},
	{"text/plain", ".txt"},
};

/* The accepted type that libmagic's answer names, or NULL. */
static const char *
accepted_type(const char *found)
{
	size_t i;

	for (i = 0; found && i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (!strcmp(found, accepted[i].mime))
			return accepted[i].mime;
	return NULL;
}

enum err
attachment_check(const unsigned char *data, size_t len, size_t max_bytes,
		 const char **mime)
{
	const char *found = NULL;
	enum err e = ERR_OK;

	if (!len)
		return ERR_INVALID;
	if (len > max_bytes)
		return ERR_TOO_LARGE;
	pthread_mutex_lock(&magic_lock);
	if (!magic_handle) {
		magic_handle = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
		if (magic_handle && magic_load(magic_handle, NULL) != 0) {
			magic_close(magic_handle);
			magic_handle = NULL;
		}
	}
	if (!magic_handle)
		e = ERR_INTERNAL;
	else
		found = accepted_type(magic_buffer(magic_handle, data, len));
	pthread_mutex_unlock(&magic_lock);
	if (e != ERR_OK)
		return e;
	/* Plain text is kept only as UTF-8, so it shows as it was written. */
	if (!found || (!strcmp(found, "text/plain") &&
		       !utf8_valid((const char *)data, len)))
		return ERR_UNSUPPORTED_MEDIA;
	*mime = found;
	return ERR_OK;
}

static const char *
extension_of(const char *mime)
{
	size_t i;

	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		if (!strcmp(mime, accepted[i].mime))
			return accepted[i].ext;
	return "";
}

static bool
ends_with_ci(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

const char *
attachment_safe_name(struct arena *a, const char *name, const char *mime)
{
	const char *ext = extension_of(mime), *base = name ? name : "";
	const char *p;
	char *out;
	size_t len = 0, i, max = ATTACHMENT_NAME_MAX - strlen(ext);

	for (p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	if (!(out = arena_alloc(a, ATTACHMENT_NAME_MAX + 1)))
		return NULL;
	for (i = 0; base[i] && len < max; i++) {
		unsigned char ch = (unsigned char)base[i];

		if (ch >= 0x80) {
			/* One '_' for each character outside ASCII. */
			if ((ch & 0xC0) == 0x80)
				continue;
			out[len++] = '_';
		} else if ((ch >= '0' && ch <= '9') ||
			   (ch >= 'a' && ch <= 'z') ||
			   (ch >= 'A' && ch <= 'Z') || ch == '.' ||
			   ch == '-' || ch == '_' || ch == ' ') {
			out[len++] = (char)ch;
		} else {
			out[len++] = '_';
		}
	}
	while (len && (out[len - 1] == '.' || out[len - 1] == ' '))
		len--;
	i = 0;
	while (i < len && (out[i] == '.' || out[i] == ' '))
		i++;
	memmove(out, out + i, len - i);
	len -= i;
	if (!len) {
		memcpy(out, "file", 4);
		len = 4;
	}
	if (!ends_with_ci(out, len, ext) &&
	    !(!strcmp(ext, ".jpg") && ends_with_ci(out, len, ".jpeg"))) {
		memcpy(out + len, ext, strlen(ext));
		len += strlen(ext);
	}
	out[len] = '\0';
	return out;
}

char *
attachment_encode(struct arena *a, const unsigned char *data, size_t len)
{
	size_t n = sodium_base64_encoded_len(len,
					     sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc_uninit(a, n);

	if (!out)
		return NULL;
	return sodium_bin2base64(out, n, data, len,
				 sodium_base64_VARIANT_ORIGINAL);
}

static const char sql_get[] =
	"SELECT id, message_id, thread_id, patient_id, filename, mime, data "
	"FROM message_attachment WHERE id = $1 AND thread_id = $2";

enum err
attachment_get(struct db *db, struct arena *a, int64_t thread_id, int64_t id,
	       struct attachment *out)
{
	struct stmt *st = db_prepare(db, sql_get);
	const char *b64;
	size_t b64len, cap;
	bool found = false, bad = false;
	enum err e;

	if (!st)
		return ERR_DB;
	stmt_bind_int(st, 1, id);
	stmt_bind_int(st, 2, thread_id);
	if (stmt_row(st)) {
		found = true;
		out->id = stmt_int(st, 0);
		out->message_id = stmt_int(st, 1);
		out->thread_id = stmt_int(st, 2);
		out->patient_id = stmt_int(st, 3);
		out->filename = stmt_text_dup(st, 4, a);
		out->mime = stmt_text_dup(st, 5, a);
		b64 = stmt_text(st, 6);
		b64len = b64 ? strlen(b64) : 0;
		cap = b64len / 4 * 3 + 3;
		out->data = arena_alloc_uninit(a, cap);
		bad = !out->data ||
		      sodium_base642bin(out->data, cap, b64 ? b64 : "", b64len,
					NULL, &out->len, NULL,
					sodium_base64_VARIANT_ORIGINAL) != 0;
	}
	if ((e = stmt_done(st)) != ERR_OK)
		return e;
	if (!found)
		return ERR_NOT_FOUND;
	return bad ? ERR_DB : ERR_OK;
}

/*
 * Files attached to messages: which kinds are accepted, found from the
 * file's content with libmagic (never from its name or the type the
 * browser claims), how large they may be, and how they are kept (base64
 * text in message_attachment, see 004_contact.sql) and given back.
 */
#ifndef CONTACT_ATTACHMENT_H
#define CONTACT_ATTACHMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct db;

#define ATTACHMENT_NAME_MAX 100	/* characters of a kept file name */

/*
 * Checks a file before it is attached: ERR_TOO_LARGE over `max_bytes`,
 * ERR_INVALID when empty, ERR_UNSUPPORTED_MEDIA unless its content is a
 * PDF, PNG, JPEG or plain text (UTF-8) file, whatever its name says;
 * ERR_INTERNAL when libmagic cannot be loaded. On ERR_OK `*mime` is the
 * type found ("application/pdf", "image/png", "image/jpeg",
 * "text/plain"; static). Safe from any thread: libmagic's database is
 * loaded once per process and used under a lock.
 */
enum err attachment_check(const unsigned char *data, size_t len,
			  size_t max_bytes, const char **mime);

/* A file name safe to keep and to give back in a header: the last path
 * part of `name`, letters, digits, space, '.', '-' and '_' only (others
 * become '_'), at most ATTACHMENT_NAME_MAX characters, ending in the
 * extension of `mime` ("file.pdf" when nothing is left). In `a`. */
const char *attachment_safe_name(struct arena *a, const char *name,
				 const char *mime);

/* `len` bytes as base64 text in `a`; NULL when out of memory. */
char *attachment_encode(struct arena *a, const unsigned char *data,
			size_t len);

struct attachment {
	int64_t id;
	int64_t message_id;
	int64_t thread_id;
	int64_t patient_id;
	const char *filename;
	const char *mime;
	unsigned char *data;	/* decoded, in the arena */
	size_t len;
};

/* Attachment `id` of thread `thread_id` with its bytes; ERR_NOT_FOUND
 * when there is none, ERR_DB when the stored text does not decode. */
enum err attachment_get(struct db *db, struct arena *a, int64_t thread_id,
			int64_t id, struct attachment *out);

#endif

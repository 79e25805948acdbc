/*
 * TOTP on liboath (see totp.h).
 */
#include "auth/totp.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/banned.h"

#define TOTP_STEP 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_BYTES 20

enum err
totp_init(void)
{
	return oath_init() == OATH_OK ? ERR_OK : ERR_INTERNAL;
}

void
totp_done(void)
{
	oath_done();
}

enum err
totp_new_secret(char out[TOTP_SECRET_MAX])
{
	char raw[TOTP_SECRET_BYTES];
	char *b32 = NULL;
	size_t len = 0;

	randombytes_buf(raw, sizeof(raw));
	if (oath_base32_encode(raw, sizeof(raw), &b32, &len) != OATH_OK ||
	    len >= TOTP_SECRET_MAX) {
		free(b32);
		return ERR_INTERNAL;
	}
	memcpy(out, b32, len);
	out[len] = '\0';
	sodium_memzero(raw, sizeof(raw));
	free(b32);
	return ERR_OK;
}

static bool
decode(const char *secret, char **raw, size_t *len)
{
	return oath_base32_decode(secret, strlen(secret), raw, len) ==
		       OATH_OK &&
	       *len > 0;
}

bool
totp_verify(const char *secret, const char *code, int64_t now)
{
	char digits[TOTP_DIGITS + 1];
	char *raw = NULL;
	size_t len = 0, n = 0, i;
	int rc;

	if (!secret || !*secret || !code)
		return false;
	for (i = 0; code[i]; i++) {
		if (code[i] == ' ')
			continue;
		if (code[i] < '0' || code[i] > '9' || n == TOTP_DIGITS)
			return false;
		digits[n++] = code[i];
	}
	if (n != TOTP_DIGITS)
		return false;
	digits[n] = '\0';
	if (!decode(secret, &raw, &len)) {
		free(raw);
		return false;
	}
	rc = oath_totp_validate(raw, len, (time_t)now, TOTP_STEP, 0, 1,
				digits);
	free(raw);
	return rc >= 0;
}

enum err
totp_code(const char *secret, int64_t now, char out[8])
{
	char *raw = NULL;
	size_t len = 0;
	int rc;

	if (!decode(secret, &raw, &len)) {
		free(raw);
		return ERR_INVALID;
	}
	rc = oath_totp_generate(raw, len, (time_t)now, TOTP_STEP, 0,
				TOTP_DIGITS, out);
	free(raw);
	return rc == OATH_OK ? ERR_OK : ERR_INTERNAL;
}

char *
totp_uri(struct arena *a, const char *issuer, const char *account,
	 const char *secret)
{
	struct buf b;

	buf_init(&b, a, 1024);
	buf_adds(&b, "otpauth://totp/");
	buf_add_urlenc(&b, issuer, strlen(issuer));
	buf_adds(&b, ":");
	buf_add_urlenc(&b, account, strlen(account));
	buf_adds(&b, "?secret=");
	buf_adds(&b, secret);
	buf_adds(&b, "&issuer=");
	buf_add_urlenc(&b, issuer, strlen(issuer));
	buf_printf(&b, "&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP);
	return b.failed ? NULL : b.p;
}

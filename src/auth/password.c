/*
 * Password policy and hashing (see password.h). The common-password list
 * is embedded (lists/common-passwords.txt, one per line, lowercase) and
 * searched in place.
 */
#include "auth/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/msgid.h"
#include "core/str.h"
#include "core/banned.h"

enum password_problem
password_check(const char *pw, const char *username)
{
	size_t len = strlen(pw);
	char lower[PASSWORD_MAX_BYTES + 1];
	size_t i;

	if (len > PASSWORD_MAX_BYTES)
		return PASSWORD_TOO_LONG;
	if (!utf8_valid(pw, len) || str_has_control(pw, len))
		return PASSWORD_NOT_TEXT;
	if (utf8_length(pw, len) < PASSWORD_MIN_CHARS)
		return PASSWORD_TOO_SHORT;
	if (password_is_common(pw))
		return PASSWORD_COMMON;
	for (i = 0; i <= len; i++)
		lower[i] = (pw[i] >= 'A' && pw[i] <= 'Z')
				   ? (char)(pw[i] - 'A' + 'a')
				   : pw[i];
	if (username && *username && strstr(lower, username))
		return PASSWORD_LIKE_USERNAME;
	return PASSWORD_OK;
}

const char *
password_problem_str(enum password_problem p)
{
	switch (p) {
	case PASSWORD_OK:
		return "";
	case PASSWORD_TOO_SHORT:
		return N_("Use at least 12 characters. A few words make a good "
		       "password.");
	case PASSWORD_TOO_LONG:
		return N_("That password is too long. Use at most 256 "
		       "characters.");
	case PASSWORD_NOT_TEXT:
		return N_("That password has characters that cannot be used.");
	case PASSWORD_COMMON:
		return N_("That password is too common. Choose one that is "
		       "harder to guess.");
	case PASSWORD_LIKE_USERNAME:
		return N_("The password must not contain your user name.");
	}
	return "";
}

bool
password_is_common(const char *pw)
{
	const struct embedded_file *f = embed_find("lists/common-passwords.txt");
	const char *p, *end, *nl;
	size_t n = strlen(pw), i;
	char lower[PASSWORD_MAX_BYTES + 1];

	if (!f || n > PASSWORD_MAX_BYTES)
		return false;
	for (i = 0; i <= n; i++)
		lower[i] = (pw[i] >= 'A' && pw[i] <= 'Z')
				   ? (char)(pw[i] - 'A' + 'a')
				   : pw[i];
	p = (const char *)f->data;
	end = p + f->len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if ((size_t)(nl - p) == n && memcmp(p, lower, n) == 0)
			return true;
		p = nl + 1;
	}
	return false;
}

enum err
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES,
		       "hash buffer too small");
	if (crypto_pwhash_str(out, pw, strlen(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ERR_NOMEM;
	return ERR_OK;
}

bool
password_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
	if (password_hash("cocare dummy password for timing", dummy_hash) !=
	    ERR_OK)
		dummy_hash[0] = '\0';
}

void
password_verify_dummy(const char *pw)
{
	pthread_once(&dummy_once, dummy_init);
	if (dummy_hash[0])
		(void)password_verify(dummy_hash, pw);
}

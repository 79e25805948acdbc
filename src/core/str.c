/*
 * String views, UTF-8 validation and checked integer parsing.
 */
#include "core/str.h"

#include <string.h>

#include "core/arena.h"
#include "core/banned.h"

struct str
str_c(const char *s)
{
	struct str r = {s ? s : "", s ? strlen(s) : 0};

	return r;
}

bool
str_eq(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
str_eq_c(struct str a, const char *b)
{
	return str_eq(a, str_c(b));
}

bool
str_starts_with(struct str s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\f' || c == '\v';
}

struct str
str_trim(struct str s)
{
	while (s.len && is_space(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_space(s.p[s.len - 1]))
		s.len--;
	return s;
}

char *
str_dup(struct arena *a, struct str s)
{
	return arena_strndup(a, s.p, s.len);
}

bool
str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out)
{
	uint64_t v = 0, limit;
	bool neg = false;
	size_t i = 0;

	if (s.len && s.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == s.len || s.len - i > 19)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < s.len; i++) {
		unsigned d;

		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		d = (unsigned)(s.p[i] - '0');
		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		int64_t r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN
							  : -(int64_t)v;
		if (r < min || r > max)
			return false;
		*out = r;
	} else {
		if ((int64_t)v < min || (int64_t)v > max)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

bool
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

size_t
utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

bool
str_has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return true;
	}
	return false;
}

char *
str_lower(struct arena *a, const char *s, size_t len)
{
	char *p = arena_strndup(a, s, len);
	size_t i;

	if (!p)
		return NULL;
	for (i = 0; i < len; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	return p;
}

bool
str_secret_eq(const char *a, const char *b, size_t len)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < len; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

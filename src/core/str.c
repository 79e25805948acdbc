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

/* Accented Latin letters by code point range and their base letters. */
static const struct {
	uint16_t first, last;
	const char *base;
} fold_ranges[] = {
	{0xc0, 0xc5, "a"},     {0xc6, 0xc6, "ae"},    {0xc7, 0xc7, "c"},
	{0xc8, 0xcb, "e"},     {0xcc, 0xcf, "i"},     {0xd0, 0xd0, "d"},
	{0xd1, 0xd1, "n"},     {0xd2, 0xd6, "o"},     {0xd8, 0xd8, "o"},
	{0xd9, 0xdc, "u"},     {0xdd, 0xdd, "y"},     {0xdf, 0xdf, "ss"},
	{0xe0, 0xe5, "a"},     {0xe6, 0xe6, "ae"},    {0xe7, 0xe7, "c"},
	{0xe8, 0xeb, "e"},     {0xec, 0xef, "i"},     {0xf0, 0xf0, "d"},
	{0xf1, 0xf1, "n"},     {0xf2, 0xf6, "o"},     {0xf8, 0xf8, "o"},
	{0xf9, 0xfc, "u"},     {0xfd, 0xfd, "y"},     {0xff, 0xff, "y"},
	{0x100, 0x105, "a"},   {0x106, 0x10d, "c"},   {0x10e, 0x111, "d"},
	{0x112, 0x11b, "e"},   {0x11c, 0x123, "g"},   {0x124, 0x127, "h"},
	{0x128, 0x131, "i"},   {0x132, 0x133, "ij"},  {0x134, 0x135, "j"},
	{0x136, 0x138, "k"},   {0x139, 0x142, "l"},   {0x143, 0x14b, "n"},
	{0x14c, 0x151, "o"},   {0x152, 0x153, "oe"},  {0x154, 0x159, "r"},
	{0x15a, 0x161, "s"},   {0x162, 0x167, "t"},   {0x168, 0x173, "u"},
	{0x174, 0x175, "w"},   {0x176, 0x178, "y"},   {0x179, 0x17e, "z"},
	{0x17f, 0x17f, "s"},   {0x218, 0x219, "s"},   {0x21a, 0x21b, "t"},
};

char *
str_fold(struct arena *a, const char *s, size_t len)
{
	/* Folding never makes text longer than twice its length. */
	char *out = arena_alloc(a, len * 2 + 1);
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	if (!out)
		return NULL;
	while (i < len) {
		unsigned cp;

		if (u[i] < 0x80) {
			out[o++] = (u[i] >= 'A' && u[i] <= 'Z')
					   ? (char)(u[i] - 'A' + 'a')
					   : (char)u[i];
			i++;
			continue;
		}
		if ((u[i] & 0xe0) == 0xc0 && i + 1 < len) {
			cp = ((unsigned)(u[i] & 0x1f) << 6) | (u[i + 1] & 0x3f);
			for (k = 0; k < sizeof(fold_ranges) /
						sizeof(fold_ranges[0]);
			     k++) {
				if (cp >= fold_ranges[k].first &&
				    cp <= fold_ranges[k].last)
					break;
			}
			if (k < sizeof(fold_ranges) / sizeof(fold_ranges[0])) {
				size_t n = strlen(fold_ranges[k].base);

				memcpy(out + o, fold_ranges[k].base, n);
				o += n;
				i += 2;
				continue;
			}
		}
		out[o++] = (char)u[i++];
	}
	out[o] = '\0';
	return out;
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

/*
 * Cookies: reading one from the Cookie header and setting one with the
 * flags cocare always wants (HttpOnly, SameSite=Strict, Path=/, and under
 * TLS Secure plus the "__Host-" name prefix). The one place cookie flags
 * are decided.
 */
#include "http/http.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "http/http_int.h"
#include "core/banned.h"

#define HOST_PREFIX "__Host-"

bool
http_cookie_find(const char *header, const char *name, struct str *out)
{
	const char *p = header, *end, *semi, *eq;
	struct str k, v;
	size_t nlen;

	if (!header || !name)
		return false;
	nlen = strlen(name);
	end = header + strlen(header);
	while (p < end) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (!semi)
			semi = end;
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq) {
			k = str_trim((struct str){p, (size_t)(eq - p)});
			v = str_trim((struct str){eq + 1,
						  (size_t)(semi - eq - 1)});
			if (k.len == nlen && memcmp(k.p, name, nlen) == 0) {
				if (v.len >= 2 && v.p[0] == '"' &&
				    v.p[v.len - 1] == '"') {
					v.p++;
					v.len -= 2;
				}
				*out = v;
				return true;
			}
		}
		p = semi + 1;
	}
	return false;
}

const char *
http_cookie(const struct req *req, const char *name)
{
	const char *h = http_header(req, "Cookie");
	const char *full = name;
	struct str v;

	if (!h || !name)
		return NULL;
	if (req->srv->tls) {
		full = arena_printf(req->a, HOST_PREFIX "%s", name);
		if (!full)
			return NULL;
	}
	if (!http_cookie_find(h, full, &v))
		return NULL;
	return str_dup(req->a, v);
}

/* RFC 6265 token for names; cookie-octet for values. */
static bool
cookie_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || strchr("()<>@,;:\\\"/[]?={}",
						       *s))
			return false;
	return true;
}

static bool
cookie_value_ok(const char *s)
{
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '"' || *s == ',' ||
		    *s == ';' || *s == '\\')
			return false;
	return true;
}

enum err
http_set_cookie(struct req *req, const char *name, const char *value,
		int64_t max_age)
{
	bool tls = req->srv->tls;
	const char *c;
	char age[40] = "";

	if (!name || !value || !cookie_name_ok(name) ||
	    !cookie_value_ok(value))
		return ERR_INVALID;
	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%" PRId64, max_age);
	c = arena_printf(req->a, "%s%s=%s%s; Path=/; HttpOnly; "
			 "SameSite=Strict%s",
			 tls ? HOST_PREFIX : "", name, value, age,
			 tls ? "; Secure" : "");
	if (!c)
		return ERR_NOMEM;
	return http_add_header(req, "Set-Cookie", c);
}

enum err
http_delete_cookie(struct req *req, const char *name)
{
	return http_set_cookie(req, name, "", 0);
}

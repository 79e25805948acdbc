/*
 * SMART v2 scopes (see scope.h).
 */
#include "auth/scope.h"

#include <string.h>

#include "auth/actor.h"
#include "core/banned.h"

static const struct {
	const char *name;
	enum scope_context c;
} contexts[] = {
	{"patient", SCOPE_PATIENT},
	{"user", SCOPE_USER},
	{"system", SCOPE_SYSTEM},
};

/* "cruds" letters in order, each at most once; v1 names too. */
static bool
parse_ops(const char *p, size_t n, unsigned *out)
{
	static const char order[] = "cruds";
	size_t i, at = 0;

	*out = 0;
	if (n == 4 && strncmp(p, "read", 4) == 0) {
		*out = SCOPE_READ | SCOPE_SEARCH;
		return true;
	}
	if (n == 5 && strncmp(p, "write", 5) == 0) {
		*out = SCOPE_CREATE | SCOPE_UPDATE | SCOPE_DELETE;
		return true;
	}
	if (n == 1 && p[0] == '*') {
		*out = SCOPE_CREATE | SCOPE_READ | SCOPE_UPDATE |
		       SCOPE_DELETE | SCOPE_SEARCH;
		return true;
	}
	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		const char *k = memchr(order + at, p[i], sizeof(order) - 1 - at);

		if (!k || !p[i])
			return false;
		at = (size_t)(k - order);
		*out |= 1u << at;
		at++;
	}
	return true;
}

/* A FHIR type name: an upper-case letter, then letters. */
static bool
type_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 1 && p[0] == '*')
		return true;
	if (n == 0 || n >= SCOPE_TYPE_MAX || p[0] < 'A' || p[0] > 'Z')
		return false;
	for (i = 1; i < n; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= 'a' && p[i] <= 'z')))
			return false;
	return true;
}

static bool
parse_one(const char *p, size_t n, struct scope *out, const char **why)
{
	const char *slash = memchr(p, '/', n), *dot;
	size_t i, clen;

	if (memchr(p, '?', n)) {
		*why = "Scopes with search parameters are not supported; "
		       "leave out the part from '?'.";
		return false;
	}
	*why = "Write each scope as context/Type.operations, for example "
	       "patient/Observation.rs or user/*.cruds.";
	if (!slash)
		return false;
	clen = (size_t)(slash - p);
	for (i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++)
		if (strlen(contexts[i].name) == clen &&
		    strncmp(p, contexts[i].name, clen) == 0)
			break;
	if (i == sizeof(contexts) / sizeof(contexts[0]))
		return false;
	out->context = contexts[i].c;
	p = slash + 1;
	n -= clen + 1;
	if (!(dot = memchr(p, '.', n)) || !type_ok(p, (size_t)(dot - p)))
		return false;
	memcpy(out->type, p, (size_t)(dot - p));
	out->type[dot - p] = '\0';
	n -= (size_t)(dot - p) + 1;
	if (!parse_ops(dot + 1, n, &out->ops)) {
		*why = "The operations after the dot are some of c, r, u, d "
		       "and s, in that order (or read, write or *).";
		return false;
	}
	return true;
}

/* Whether every scope of a research token only reads and searches. */
static bool
research_reads(const struct scopes *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->s[i].ops & ~(unsigned)(SCOPE_READ | SCOPE_SEARCH))
			return false;
	return true;
}

bool
scopes_parse(const char *text, struct scopes *out, const char **why)
{
	const char *p = text, *dummy;
	size_t n;

	if (!why)
		why = &dummy;
	out->n = 0;
	out->research = false;
	if (!text || strlen(text) > SCOPES_TEXT_MAX) {
		*why = "The scopes are too long.";
		return false;
	}
	for (;;) {
		p += strspn(p, " ");
		if (!*p)
			break;
		n = strcspn(p, " ");
		if (n == 8 && !strncmp(p, "research", 8)) {
			out->research = true;
			p += n;
			continue;
		}
		if (out->n == SCOPES_MAX) {
			*why = "Give at most 32 scopes.";
			return false;
		}
		if (!parse_one(p, n, &out->s[out->n], why))
			return false;
		out->n++;
		p += n;
	}
	if (!out->n) {
		*why = "Choose at least one scope.";
		return false;
	}
	if (out->research && (scopes_have_context(out, SCOPE_PATIENT) ||
			      !research_reads(out))) {
		*why = "research goes with user/ or system/ scopes that read "
		       "(for example user/*.rs research), never patient/.";
		return false;
	}
	return true;
}

bool
scopes_have_context(const struct scopes *s, enum scope_context c)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->s[i].context == c)
			return true;
	return false;
}

unsigned
scopes_allowed(const struct scopes *s, const struct actor *who,
	       int64_t patient_id, const char *type)
{
	unsigned ops = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct scope *x = &s->s[i];

		if (strcmp(x->type, "*") != 0 && strcmp(x->type, type) != 0)
			continue;
		switch (x->context) {
		case SCOPE_USER:
			if (who->role != ROLE_SYSTEM)
				ops |= x->ops;
			break;
		case SCOPE_PATIENT:
			if (who->patient_id && patient_id == who->patient_id)
				ops |= x->ops;
			break;
		case SCOPE_SYSTEM:
			if (who->role == ROLE_SYSTEM)
				ops |= x->ops;
			break;
		}
	}
	return ops;
}

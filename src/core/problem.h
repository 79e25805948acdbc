/*
 * Validation problems: which form field is wrong and a sentence saying
 * what to do (an English msgid, translated when the page is drawn).
 * Validators fill a struct problems; the page shows each next to its
 * field and keeps what the person typed.
 */
#ifndef CORE_PROBLEM_H
#define CORE_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>

#define PROBLEMS_MAX 16

struct problem {
	const char *field;
	const char *msg;
};

struct problems {
	struct problem p[PROBLEMS_MAX];
	size_t n;
};

static inline void
problems_add(struct problems *ps, const char *field, const char *msg)
{
	if (ps->n < PROBLEMS_MAX) {
		ps->p[ps->n].field = field;
		ps->p[ps->n].msg = msg;
		ps->n++;
	}
}

/* The message for `field`, or NULL. */
static inline const char *
problems_for(const struct problems *ps, const char *field)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->p[i].field && field &&
		    __builtin_strcmp(ps->p[i].field, field) == 0)
			return ps->p[i].msg;
	return 0;
}

#endif

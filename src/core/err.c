/*
 * Tables behind enum err, generated from the same X-macro so the code, the
 * status and the message never drift apart.
 */
#include "core/err.h"

#include "core/banned.h"

static const struct {
	int status;
	const char *msg;
	const char *name;
} err_table[] = {
#define ERR_ROW(name, status, msg) {status, msg, #name},
	ERR_MAP(ERR_ROW)
#undef ERR_ROW
};

_Static_assert(sizeof(err_table) / sizeof(err_table[0]) == ERR__MAX,
	       "err_table must have one row per enum err");

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		return err_table[ERR_INTERNAL].msg;
	return err_table[e].msg;
}

int
err_http_status(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		return 500;
	return err_table[e].status;
}

const char *
err_name(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		return "INTERNAL";
	return err_table[e].name;
}

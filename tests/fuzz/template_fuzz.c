/*
 * libFuzzer harness: the mustache compiler and renderer (against a small
 * fixed context, strict mode, with translation sections), and the .po
 * parser with its plural-expression evaluator. The first input byte
 * picks which.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "web/i18n.h"
#include "web/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
identity(void *ud, const char *msgid)
{
	(void)ud;
	return msgid;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpl_options o = {true, identity, NULL};
	char err[256];

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct tpl_set *set = tpl_set_new();
		struct arena *a = arena_new(4 << 20);
		json_t *ctx = json_pack("{s:s, s:[{s:i}, {s:i}], s:b, s:{s:s}}",
					"name", "<b>Ana</b>", "list", "n", 1,
					"n", 2, "yes", 1, "obj", "k", "v");
		struct buf out;

		buf_init(&out, a, 1 << 20);
		if (tpl_set_add(set, "t", (const char *)data + 1, size - 1,
				err, sizeof(err)) == ERR_OK)
			tpl_render(set, "t", ctx, &o, &out);
		json_decref(ctx);
		arena_free(a);
		tpl_set_free(set);
	} else {
		struct i18n *t = i18n_new();

		if (i18n_add_po(t, "xx", (const char *)data + 1, size - 1, err,
				sizeof(err)) == ERR_OK) {
			i18n_get(t, "xx", "Sign in");
			i18n_nget(t, "xx", "%d day", "%d days", 3);
		}
		i18n_free(t);
	}
	return 0;
}

/*
 * libFuzzer harness: urlencoded forms, multipart bodies, request paths
 * and cookie headers, the parsers that see every request's bytes. The
 * first input byte picks the parser; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_form_limits lim = {50, 4096};
	struct arena *a;
	struct http_form f;
	struct str v;
	char *text, *out;
	size_t n;

	if (size < 1)
		return 0;
	a = arena_new(1 << 20);
	text = arena_strndup(a, (const char *)data + 1, size - 1);
	memset(&f, 0, sizeof(f));
	switch (data[0] % 4) {
	case 0:
		http_form_parse_urlencoded(a, text, size - 1, &lim, &f);
		break;
	case 1:
		http_form_parse_multipart(a,
					  "multipart/form-data; boundary=XyZ",
					  text, size - 1, &lim, &f);
		break;
	case 2:
		http_path_decode(a, text, size - 1, &out, &n);
		break;
	default:
		http_cookie_find(text, "session", &v);
		break;
	}
	arena_free(a);
	return 0;
}

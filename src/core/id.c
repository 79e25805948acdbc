/*
 * Ids and tokens.
 */
#include "core/id.h"

#include <sodium.h>

#include "core/banned.h"

int64_t
id_new(void)
{
	uint64_t v;

	do {
		randombytes_buf(&v, sizeof(v));
		v &= ((uint64_t)1 << 62) - 1;
	} while (v == 0);
	return (int64_t)v;
}

void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void
token_new(char out[TOKEN_HEX_LEN + 1])
{
	unsigned char raw[TOKEN_HEX_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), out);
	sodium_memzero(raw, sizeof(raw));
}

void
token_hash(const char *token, size_t len, char out[TOKEN_HEX_LEN + 1])
{
	unsigned char h[TOKEN_HEX_LEN / 2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, len,
			   NULL, 0);
	hex_encode(h, sizeof(h), out);
}

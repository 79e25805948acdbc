/*
 * Ids and tokens.
 */
#include "core/id.h"

#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "core/banned.h"

#define COUNT_BITS 11
#define NODE_BITS (ID_TIME_SHIFT - COUNT_BITS)
_Static_assert(1 << NODE_BITS == ID_NODES, "node bits");

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int node = -1;
static uint64_t last_ms;	/* of the last timed id, never decreasing */
static uint64_t count;		/* ids made in last_ms */

static uint64_t
now_ms(void)
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return ms > (uint64_t)ID_EPOCH_MS ? ms - (uint64_t)ID_EPOCH_MS : 1;
}

int64_t
id_new(void)
{
	uint64_t v, ms;

	pthread_mutex_lock(&mu);
	if (node < 0) {
		pthread_mutex_unlock(&mu);
		do {
			randombytes_buf(&v, sizeof(v));
			v &= ((uint64_t)1 << 62) - 1;
		} while (v == 0);
		return (int64_t)v;
	}
	/*
	 * A clock that steps back keeps the time of the last id; a full
	 * millisecond borrows the next one. Either way ids only grow.
	 */
	ms = now_ms();
	if (ms > last_ms) {
		last_ms = ms;
		count = 0;
	} else if (++count == (uint64_t)1 << COUNT_BITS) {
		last_ms++;
		count = 0;
	}
	v = last_ms << ID_TIME_SHIFT |
	    (uint64_t)node << COUNT_BITS | count;
	pthread_mutex_unlock(&mu);
	return (int64_t)v;
}

void
id_set_node(int n)
{
	pthread_mutex_lock(&mu);
	node = n >= 0 && n < ID_NODES ? n : -1;
	pthread_mutex_unlock(&mu);
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

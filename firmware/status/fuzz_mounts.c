/*
 * fuzz_mounts.c - libFuzzer target for the /proc/mounts parser.
 */
#include <stdlib.h>

#include "mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mounts_query q[] = { { "/", 0, 0 }, { "/config", 0, 0 },
		{ "/data", 0, 0 } };
	size_t line;

	/* A failed parse must leave the queries as they were. */
	if (mounts_parse(data, size, q, 3, &line) != SK_OK &&
	    (q[0].found || q[1].found || q[2].found)) {
		abort();
	}
	return 0;
}

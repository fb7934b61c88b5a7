/*
 * fuzz_cmdline.c - libFuzzer target for the kernel command line reader.
 */
#include <stdlib.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *val;
	size_t vlen;

	/* A value found lies inside the input. */
	if (cmdline_get(data, size, "sk.slot", &val, &vlen) == SK_OK &&
	    (val < data || val + vlen > data + size)) {
		abort();
	}
	return 0;
}

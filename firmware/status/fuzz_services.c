/*
 * fuzz_services.c - libFuzzer target for the services file parser and
 * the process match. The input is split at its first NUL: services file
 * before it, a process's cmdline after it.
 */
#include <stdlib.h>
#include <string.h>

#include "services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t flen = nul != NULL ? (size_t)(nul - data) : size;
	const uint8_t *proc = nul != NULL ? nul + 1 : data + size;
	size_t plen = size - flen - (nul != NULL);
	struct services_entry e;
	size_t off = 0, line = 0, prev = 0;

	while (services_next(data, flen, &off, &line, &e) == SK_OK) {
		/* Progress on every entry, and names within their limit. */
		if (off <= prev || e.namelen > SERVICES_NAME_MAX) {
			abort();
		}
		prev = off;
		services_cmd_match(e.cmd, e.cmdlen, proc, plen);
	}
	return 0;
}

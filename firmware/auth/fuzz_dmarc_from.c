/*
 * fuzz_dmarc_from.c - libFuzzer target for the RFC5322.From extraction:
 * the input is a header section; a domain found must be a valid DNS name
 * within DMARC_DOMAIN_MAX and go through the PSL lookup.
 */
#include <string.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_from f;
	char org[PSL_NAME_MAX + 1];
	size_t n;

	(void)dmarc_from_value(data, size, &f);
	if (dmarc_from_parse(data, size, &f) != DMARC_FROM_OK) {
		if (f.domain[0] != '\0') {
			__builtin_trap();
		}
		return 0;
	}
	n = strlen(f.domain);
	if (n == 0 || n > DMARC_DOMAIN_MAX || f.naddrs != 1 || f.nfields != 1) {
		__builtin_trap();
	}
	(void)psl_org_domain(f.domain, n, org, sizeof(org));
	return 0;
}

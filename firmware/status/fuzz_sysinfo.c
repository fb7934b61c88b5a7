/*
 * fuzz_sysinfo.c - libFuzzer target for the uptime and counter parsers.
 */
#include "sysinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t n;

	sysinfo_count_parse(data, size, &n);
	sysinfo_uptime_parse(data, size, &n);
	return 0;
}

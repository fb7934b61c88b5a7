/*
 * fuzz_psl.c - libFuzzer target for the Public Suffix List code: the
 * input is a name for the lookup over the compiled-in list, and a list
 * file for psl_parse (then the name is looked up in that list too).
 */
#include <string.h>

#include "psl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct psl_rule rules[256];
static char names[4096];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[PSL_NAME_MAX + 1], a[PSL_NAME_MAX + 1];
	struct psl_table t;
	struct psl_match m;
	size_t line, n;
	enum sk_result r;

	r = psl_org_domain((const char *)data, size, out, sizeof(out));
	if ((r == SK_OK || r == SK_END) && strlen(out) > size) {
		__builtin_trap();
	}
	if (psl_alabel((const char *)data, size, a, sizeof(a), &n) == SK_OK &&
	    (strlen(a) > PSL_NAME_MAX || n == 0)) {
		__builtin_trap();
	}
	if (psl_parse(data, size, rules, SK_NELEM(rules), names, sizeof(names),
		&t, &line) == SK_OK) {
		(void)psl_lookup(&t, "www.example.co.uk", 17, 0, &m);
		if (m.ps_labels > m.labels + 1) {
			__builtin_trap();
		}
	}
	return 0;
}

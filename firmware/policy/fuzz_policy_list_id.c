/*
 * fuzz_policy_list_id.c - libFuzzer target for policy_list_id (policy.h):
 * the input is a List-Id field value.
 *
 * Invariants: an identifier found lies inside the input, is 1 to
 * POLICY_LIST_ID_MAX octets of [!-~] without '>', is preceded by '<' and
 * followed by '>' and nothing but white space.
 */
#include <stdlib.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* wsp_only - p[0..n) is white space, folding included */
static int
wsp_only(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n') {
			return 0;
		}
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *id;
	size_t n, i, off;

	if (policy_list_id(data, size, &id, &n) != SK_OK) {
		return 0;
	}
	if (id <= data || id + n >= data + size || n == 0 ||
	    n > POLICY_LIST_ID_MAX) {
		abort();
	}
	off = (size_t)(id - data);
	if (data[off - 1] != '<' || data[off + n] != '>' ||
	    !wsp_only(data + off + n + 1, size - off - n - 1)) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (id[i] < '!' || id[i] > '~' || id[i] == '>') {
			abort();
		}
	}
	return 0;
}

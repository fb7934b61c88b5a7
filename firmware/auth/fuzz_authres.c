/*
 * fuzz_authres.c - libFuzzer target for the Authentication-Results parser:
 * the input is parsed as an A-R value, as an ARC-Authentication-Results
 * value, and for its authserv-id alone; what parsed is rebuilt with the
 * builder, which must give a field that parses again with as many
 * results (values may differ in white space only, so they are not
 * compared).
 */
#include <string.h>

#include "authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_rebuild(const struct authres *ar)
{
	static char out[1 << 16];
	static struct authres back;
	struct authres_builder b;
	const struct authres_res *r;
	const char *colon;
	size_t i, k, n;

	authres_begin(&b, out, sizeof(out), "Authentication-Results", 0,
	    ar->id);
	for (i = 0; i < ar->nres; i++) {
		r = &ar->res[i];
		authres_result(&b, r->method, r->result);
		if (r->reason[0] != '\0') {
			authres_reason(&b, r->reason);
		}
		for (k = 0; k < r->nprop; k++) {
			authres_prop(&b, r->prop[k].ptype, r->prop[k].property,
			    r->prop[k].value);
		}
	}
	if (authres_end(&b, &n) != SK_OK) {
		return;
	}
	colon = strchr(out, ':');
	if (authres_parse(&back, (const uint8_t *)colon + 1,
		n - (size_t)(colon + 1 - out)) == SK_E_TOO_LONG) {
		return;
	}
	if (back.err != NULL || back.nres != ar->nres) {
		__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct authres ar;
	char id[AUTHRES_ID_MAX + 1];
	unsigned inst = 0;

	if (authres_parse(&ar, data, size) == SK_OK) {
		fuzz_rebuild(&ar);
	}
	if (authres_parse_aar(&ar, &inst, data, size) == SK_OK &&
	    (inst == 0 || inst > AUTHRES_INSTANCE_MAX)) {
		__builtin_trap();
	}
	(void)authres_id(data, size, id, sizeof(id));
	(void)authres_is_ours(data, size, "mx.example.com");
	return 0;
}

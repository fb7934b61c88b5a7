/*
 * fuzz_smtp_addr.c - libFuzzer target for the path parser.
 *
 * The first byte picks the options. Invariants: outputs are NUL-ended
 * and within their limits; the canonical form "<local@domain>" of an
 * accepted address parses again to the very same local part, domain and
 * relay-trick flags (the canonical form cannot hide another address).
 */
#include <stdlib.h>
#include <string.h>

#include "smtp_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t path[SMTP_ADDR_LOCAL_MAX + SMTP_ADDR_DOMAIN_MAX + 4];
	struct smtp_addr a, b;
	unsigned opts;
	size_t n;

	if (size < 1) {
		return 0;
	}
	opts = data[0] & 7;
	if (smtp_addr_parse(data + 1, size - 1, opts, &a) != SK_OK) {
		return 0;
	}
	if (a.locallen > SMTP_ADDR_LOCAL_MAX || a.local[a.locallen] != '\0' ||
	    a.domainlen > SMTP_ADDR_DOMAIN_MAX ||
	    a.domain[a.domainlen] != '\0' || strlen(a.local) != a.locallen ||
	    strlen(a.domain) != a.domainlen) {
		abort();
	}
	if (a.flags & (SMTP_ADDR_F_NULL | SMTP_ADDR_F_POSTMASTER)) {
		return 0;
	}
	if ((a.flags & SMTP_ADDR_F_UTF8) && !(opts & SMTP_ADDR_OPT_UTF8)) {
		abort();
	}
	n = 0;
	path[n++] = '<';
	memcpy(path + n, a.local, a.locallen);
	n += a.locallen;
	path[n++] = '@';
	memcpy(path + n, a.domain, a.domainlen);
	n += a.domainlen;
	path[n++] = '>';
	if (smtp_addr_parse(path, n, opts, &b) != SK_OK ||
	    strcmp(a.local, b.local) != 0 || strcmp(a.domain, b.domain) != 0 ||
	    smtp_addr_is_relay_trick(&a) != smtp_addr_is_relay_trick(&b)) {
		abort();
	}
	return 0;
}

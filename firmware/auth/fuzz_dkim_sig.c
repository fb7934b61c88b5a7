/*
 * fuzz_dkim_sig.c - libFuzzer target for the DKIM-Signature tag-list
 * parser (RFC 6376 3.2, 3.5): the input is a field value.  A parsed
 * signature must hold its invariants: h= with from, SHA-256 bh=, d= and
 * s= non-empty, i= ending in d= or a subdomain, x >= t.
 */
#include <string.h>
#include <strings.h>

#include "dkim_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_sig sig;
	const char *at;
	size_t dl;

	if (dkim_sig_parse(&sig, data, size) != SK_OK) {
		return 0;
	}
	at = strrchr(sig.i, '@');
	dl = strlen(sig.d);
	if (sig.nh == 0 || sig.d[0] == '\0' || sig.s[0] == '\0' || at == NULL ||
	    strlen(at + 1) < dl ||
	    strcasecmp(at + 1 + strlen(at + 1) - dl, sig.d) != 0 ||
	    (sig.has_t && sig.has_x && sig.x < sig.t) ||
	    sig.b_val_off + sig.b_val_len > size ||
	    (sig.alg != DKIM_ALG_RSA_SHA1 && sig.bhlen != DKIM_BH_MAX)) {
		__builtin_trap();
	}
	return 0;
}

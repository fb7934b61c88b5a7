/*
 * fuzz_dkim_verify.c - libFuzzer target for the whole verifier: the input
 * is a message (header section, empty line, body); every key query is
 * answered with one fixed 1024-bit RSA key, so header splitting, h=
 * selection, both canonicalizations, l= and the RSA path all run.  The
 * body goes in two chunks split at an input-chosen point.
 */
#include <string.h>

#include "dkim_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a 1024-bit key made by sekimori-check dkim-keygen for the seeds (corpus/) */
static const char fuzz_key[] =
    "v=DKIM1; k=rsa; p="
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBZ6Xj+xFbHMlSO8a4c4UKGitTLtfnUn"
    "2GwG2VG5qLoBgywyj9AExv1lFxWiaMeuIMhDuw07BKpjNy9gvsRvaYapiVSYm2JIUER6Px"
    "0SZTkgtXejt87OKZfAXK+15TpmLkuYCPfal6EwUmblrCKHE0RB5XdqBnX6TYV6RZ9ADq9Q"
    "IDAQAB";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_verify v;
	static struct dns_answer ans;
	struct dns_rr rr;
	const uint8_t *sep;
	size_t i, hlen, blen, cut;

	sep = size >= 4 ? memmem(data, size, "\r\n\r\n", 4) : NULL;
	hlen = sep != NULL ? (size_t)(sep - data) + 2 : size;
	dkim_verify_init(&v, 1700000000);
	(void)dkim_verify_headers(&v, data, hlen);
	dns_answer_reset(&ans);
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.nstrings = 1;
	(void)dns_answer_add(&ans, &rr, (const uint8_t *)fuzz_key,
	    sizeof(fuzz_key) - 1);
	ans.status = DNS_ANSWER;
	for (i = 0; i < v.nsig; i++) {
		dkim_verify_key_set(&v, i, &ans);
	}
	if (sep != NULL) {
		blen = size - hlen - 2;
		cut = blen > 0 ? data[0] % (blen + 1) : 0;
		dkim_verify_update(&v, sep + 4, cut);
		dkim_verify_update(&v, sep + 4 + cut, blen - cut);
	}
	dkim_verify_final(&v);
	for (i = 0; i < v.nsig; i++) {
		if (v.sig[i].result == DKIM_NONE ||
		    v.sig[i].result == DKIM_PENDING) {
			__builtin_trap();
		}
	}
	return 0;
}

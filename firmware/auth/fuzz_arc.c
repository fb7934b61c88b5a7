/*
 * fuzz_arc.c - libFuzzer target for ARC: the input is a message (header
 * section, empty line, body); every key query is answered with one fixed
 * 1024-bit RSA key (the seeds in corpus/fuzz_arc were sealed with it by
 * sekimori-check arc-seal), so field parsing, the structure rules, both
 * hashes and the RSA path all run.  The body goes in two chunks split at
 * an input-chosen point; then the message is sealed (Ed25519, a fixed
 * seed) over whatever the verifier decided.
 */
#include <string.h>

#include "arc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_key[] =
    "v=DKIM1; k=rsa; p="
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDhKy/1demrul0S0Q06iazC5q825NcD"
    "xfS20GuNtn+oX7QDJXLfmqF7rMfNrK/oioyos+m/rAz9BOKAoGC7n+XxrBpss+B62+QL"
    "qytHfFDnIJm3aSUx2b3MF6Ao1nUEH3+YKiZkjg7YdknfVv14/jrR8cOKDNPtJoRemqjGk"
    "ZITgQIDAQAB";

/* fuzz_query - every name has the fixed key */
static enum dns_status
fuzz_query(void *ctx, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	struct dns_rr rr;

	dns_answer_reset(ans);
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.nstrings = 1;
	(void)dns_answer_add(ans, &rr, (const uint8_t *)fuzz_key,
	    sizeof(fuzz_key) - 1);
	ans->status = DNS_ANSWER;
	return DNS_ANSWER;
}

static const struct dns_resolver_ops fuzz_ops = { "fuzz", fuzz_query, NULL };

static void
fuzz_seal(const struct arc_verify *v, const uint8_t *hdr, size_t hlen,
    const uint8_t *body, size_t blen)
{
	static struct dkim_signkey key;
	static struct arc_seal s;
	static char out[ARC_SEAL_MAX];
	static const char ar[] = " fuzz.example; arc=pass";
	uint8_t seed[32];
	size_t olen;

	if (key.alg != DKIM_ALG_ED25519_SHA256) {
		memset(seed, 1, sizeof(seed));
		(void)dkim_signkey_ed25519(&key, seed);
	}
	arc_seal_init(&s, &key, "fuzz.example", "s", 1700000000);
	arc_seal_update(&s, body, blen);
	(void)arc_seal_final(&s, v, hdr, hlen, ar, sizeof(ar) - 1, out,
	    sizeof(out), &olen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arc_verify v;
	const struct dns_resolver r = { &fuzz_ops, NULL };
	const uint8_t *sep, *body = data + size;
	size_t hlen, blen = 0, cut;

	sep = size >= 4 ? memmem(data, size, "\r\n\r\n", 4) : NULL;
	hlen = sep != NULL ? (size_t)(sep - data) + 2 : size;
	arc_verify_init(&v, 1700000000);
	(void)arc_verify_headers(&v, data, hlen);
	if (arc_verify_keys(&v, &r) == ARC_PENDING) {
		__builtin_trap(); /* the resolver always answers */
	}
	if (sep != NULL) {
		body = sep + 4;
		blen = size - hlen - 2;
		cut = blen > 0 ? data[0] % (blen + 1) : 0;
		arc_verify_update(&v, body, cut);
		arc_verify_update(&v, body + cut, blen - cut);
	}
	arc_verify_final(&v);
	if (!v.decided || v.result == ARC_PENDING ||
	    (v.result == ARC_PASS && v.nsets == 0)) {
		__builtin_trap();
	}
	fuzz_seal(&v, data, hlen, body, blen);
	return 0;
}

/*
 * fuzz_dkim_key.c - libFuzzer target for key records (RFC 6376 3.6.1) and
 * the strict DER reader of RSA public keys: the input is a TXT record; p=
 * goes through the DER reader, and the raw input too.
 */
#include "dkim_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_key key;
	struct dkim_rsa_pub pub;

	if (dkim_der_rsa_pub(data, size, &pub) == SK_OK &&
	    (pub.n < data || pub.n + pub.nlen > data + size ||
		pub.bits > pub.nlen * 8 || pub.bits + 8 <= pub.nlen * 8)) {
		__builtin_trap();
	}
	if (dkim_key_parse(&key, data, size) != SK_OK) {
		return 0;
	}
	if (key.plen > sizeof(key.p) || key.revoked != (key.plen == 0)) {
		__builtin_trap();
	}
	(void)dkim_der_rsa_pub(key.p, key.plen, &pub);
	return 0;
}

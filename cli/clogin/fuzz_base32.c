/*
 * fuzz_base32.c - libFuzzer target for the strict base32 decoder of TOTP
 * secrets (totp.c). Invariants: what decodes re-encodes to exactly the
 * input (one spelling per secret); the output never exceeds its buffer;
 * a refusal leaves no octets behind; a decoded key computes a code.
 */
#include <stdlib.h>
#include <string.h>

#include "totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* fuzz_encode - RFC 4648 section 6 without padding, written here
 * independently of the decoder */
static size_t
fuzz_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned bits = 0;
	uint32_t acc = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = fuzz_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0) {
		out[o++] = fuzz_alphabet[(acc << (5 - bits)) & 31];
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[TOTP_KEY_MAX + 8];
	char again[TOTP_BASE32_MAX * 2 + 8];
	size_t n = 12345, i;
	enum sk_result r;

	if (size > TOTP_BASE32_MAX * 2) {
		return 0;
	}
	memset(key, 0xa5, sizeof(key));
	r = totp_base32_decode((const char *)data, size, key, TOTP_KEY_MAX, &n);
	for (i = TOTP_KEY_MAX; i < sizeof(key); i++) {
		if (key[i] != 0xa5) {
			abort(); /* wrote past cap */
		}
	}
	if (r != SK_OK) {
		if (n != 0) {
			abort();
		}
		return 0;
	}
	if (n > TOTP_KEY_MAX || fuzz_encode(key, n, again) != size ||
	    memcmp(again, data, size) != 0) {
		abort();
	}
	if (totp_hotp(key, n, 1, 6) >= 1000000) {
		abort();
	}
	return 0;
}

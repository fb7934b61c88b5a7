/*
 * totp.c - HOTP, TOTP and strict base32 (totp.h has the contract).
 */
#include <string.h>

#include <bearssl.h>

#include "totp.h"

/* base32_value - the 5-bit value of an RFC 4648 section 6 character, or
 * -1 (lower case is not the model's spelling) */
static int
base32_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= '2' && c <= '7') {
		return c - '2' + 26;
	}
	return -1;
}

enum sk_result
totp_base32_decode(const char *in, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i, n = 0, rest = len % 8;
	int v;

	*outlen = 0;
	/* a final quantum of 1, 3 or 6 characters carries no whole octet */
	if (rest == 1 || rest == 3 || rest == 6) {
		return SK_E_SYNTAX;
	}
	if (len / 8 * 5 + (rest * 5) / 8 > cap) {
		return SK_E_TOO_LONG;
	}
	for (i = 0; i < len; i++) {
		if ((v = base32_value((unsigned char)in[i])) < 0) {
			memset(out, 0, n);
			return SK_E_SYNTAX;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) { /* RFC 4648 3.5: unused bits must be zero */
		memset(out, 0, n);
		return SK_E_SYNTAX;
	}
	*outlen = n;
	return SK_OK;
}

uint32_t
totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, unsigned digits)
{
	static const uint32_t mod[] = { 1, 10, 100, 1000, 10000, 100000,
		1000000, 10000000, 100000000, 1000000000 };
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t msg[8], mac[20];
	uint32_t bin;
	unsigned off, i;

	for (i = 0; i < 8; i++) { /* RFC 4226 5.2: the counter big-endian */
		msg[i] = (uint8_t)(counter >> (56 - 8 * i));
	}
	br_hmac_key_init(&kc, &br_sha1_vtable, key, keylen);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, msg, sizeof(msg));
	br_hmac_out(&hc, mac);
	/* RFC 4226 5.3: dynamic truncation */
	off = mac[19] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
	    mac[off + 3];
	memset(&kc, 0, sizeof(kc));
	memset(&hc, 0, sizeof(hc));
	memset(mac, 0, sizeof(mac));
	digits = digits < 1 ? 1 : digits > 9 ? 9 : digits;
	return bin % mod[digits];
}

uint64_t
totp_step(uint64_t now)
{
	return now / TOTP_STEP;
}

int
totp_verify(const uint8_t *key, size_t keylen, const char *code, size_t len,
    uint64_t now, uint64_t last_used, uint64_t *step)
{
	uint64_t s = totp_step(now), cand, hit = 0, mask;
	uint32_t want = 0, got;
	unsigned diff;
	size_t i;
	int d;

	if (len != TOTP_DIGITS) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (code[i] < '0' || code[i] > '9') {
			return 0;
		}
		want = want * 10 + (uint32_t)(code[i] - '0');
	}
	for (d = -TOTP_DRIFT; d <= TOTP_DRIFT; d++) {
		if ((d < 0 && s < (uint64_t)-d)) {
			continue;
		}
		cand = s + (uint64_t)(int64_t)d;
		got = totp_hotp(key, keylen, cand, TOTP_DIGITS);
		/* constant time: no early exit, no branch on the value */
		diff = (unsigned)((got ^ want) != 0);
		mask =
		    0 - (uint64_t)((diff ^ 1u) & (unsigned)(cand > last_used));
		hit = (hit & ~mask) | (cand & mask); /* the latest step wins */
	}
	if (hit == 0) {
		return 0;
	}
	*step = hit;
	return 1;
}

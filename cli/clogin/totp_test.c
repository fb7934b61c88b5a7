/*
 * totp_test.c - HOTP and TOTP against the published vectors (RFC 4226
 * appendix D, RFC 6238 appendix B for SHA-1), the 6-digit truncation,
 * the drift window and replay refusal, and the strict base32 decoder
 * (RFC 4648 section 10 vectors, then everything it must refuse).
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "totp.h"

/* RFC 4226 appendix D and RFC 6238 appendix B: the ASCII secret */
static const uint8_t seed[] = "12345678901234567890";
#define SEED_LEN 20

static void
test_hotp_rfc4226(void)
{
	static const uint32_t want[] = { 755224, 287082, 359152, 969429, 338314,
		254676, 287922, 162583, 399871, 520489 };
	size_t i;
	uint32_t got;

	for (i = 0; i < SK_NELEM(want); i++) {
		got = totp_hotp(seed, SEED_LEN, i, 6);
		TEST_CHECK(got == want[i], "count %zu: got %06u, want %06u", i,
		    got, want[i]);
	}
}

static void
test_totp_rfc6238(void)
{
	static const struct {
		uint64_t t;
		uint32_t code8;
	} v[] = {
		{ 59, 94287082 },
		{ 1111111109, 7081804 },
		{ 1111111111, 14050471 },
		{ 1234567890, 89005924 },
		{ 2000000000, 69279037 },
		{ 20000000000ull, 65353130 },
	};
	uint32_t got;
	size_t i;

	for (i = 0; i < SK_NELEM(v); i++) {
		got = totp_hotp(seed, SEED_LEN, totp_step(v[i].t), 8);
		TEST_CHECK(got == v[i].code8, "T=%llu: got %08u, want %08u",
		    (unsigned long long)v[i].t, got, v[i].code8);
		/* six digits are the last six of the eight */
		got = totp_hotp(seed, SEED_LEN, totp_step(v[i].t), 6);
		TEST_CHECK(got == v[i].code8 % 1000000,
		    "T=%llu 6 digits: got %06u, want %06u",
		    (unsigned long long)v[i].t, got, v[i].code8 % 1000000);
	}
}

/* code_at - the 6-digit code of Unix time t as text */
static void
code_at(uint64_t t, char out[8])
{
	snprintf(out, 8, "%06u", totp_hotp(seed, SEED_LEN, totp_step(t), 6));
}

static void
test_verify(void)
{
	const uint64_t now = 1234567890; /* step 41152263 */
	uint64_t step = 0;
	char c[8];

	code_at(now, c);
	TEST_CHECK(totp_verify(seed, SEED_LEN, c, 6, now, 0, &step) &&
		step == totp_step(now),
	    "current code refused");
	code_at(now - 30, c);
	TEST_CHECK(totp_verify(seed, SEED_LEN, c, 6, now, 0, &step) &&
		step == totp_step(now) - 1,
	    "previous step refused");
	code_at(now + 30, c);
	TEST_CHECK(totp_verify(seed, SEED_LEN, c, 6, now, 0, &step),
	    "next step refused");
	code_at(now - 60, c);
	TEST_CHECK(!totp_verify(seed, SEED_LEN, c, 6, now, 0, &step),
	    "two steps back accepted");
	code_at(now + 60, c);
	TEST_CHECK(!totp_verify(seed, SEED_LEN, c, 6, now, 0, &step),
	    "two steps ahead accepted");
	/* replay: a step at or before the last used one */
	code_at(now, c);
	TEST_CHECK(!totp_verify(seed, SEED_LEN, c, 6, now, totp_step(now),
		       &step),
	    "replayed code accepted");
	code_at(now - 30, c);
	TEST_CHECK(!totp_verify(seed, SEED_LEN, c, 6, now, totp_step(now),
		       &step),
	    "older code after a newer one accepted");
	code_at(now, c);
	TEST_CHECK(!totp_verify(seed, SEED_LEN, c, 5, now, 0, &step),
	    "five digits accepted");
	TEST_CHECK(!totp_verify(seed, SEED_LEN, "12a456", 6, now, 0, &step),
	    "letter accepted");
	TEST_CHECK(!totp_verify(seed, SEED_LEN, "1234567", 7, now, 0, &step),
	    "seven digits accepted");
}

static void
test_base32_vectors(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },
		{ "MY", "f" },
		{ "MZXQ", "fo" },
		{ "MZXW6", "foo" },
		{ "MZXW6YQ", "foob" },
		{ "MZXW6YTB", "fooba" },
		{ "MZXW6YTBOI", "foobar" },
		{ "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "12345678901234567890" },
	};
	uint8_t out[TOTP_KEY_MAX];
	size_t i, n;

	for (i = 0; i < SK_NELEM(v); i++) {
		TEST_CHECK(totp_base32_decode(v[i].in, strlen(v[i].in), out,
			       sizeof(out), &n) == SK_OK &&
			n == strlen(v[i].out) && memcmp(out, v[i].out, n) == 0,
		    "%s: wrong decoding", v[i].in);
	}
}

static void
test_base32_refused(void)
{
	static const char *const bad[] = {
		"MY======", /* padding: the model stores none */
		"my",       /* lower case */
		"MZ XQ",    /* space */
		"M",        /* 1, 3, 6 characters make no octet */
		"MZX",
		"MZXW6Y",
		"MZ",    /* unused bits not zero ('Z' = 25: 1 left) */
		"MZXR",  /* unused bits */
		"MZXW7", /* unused bit */
		"MZXW1", /* '1' is not in the alphabet */
		"MZXW8",
		"MZ\0Q",
	};
	static const size_t len[] = { 8, 2, 5, 1, 3, 6, 2, 4, 5, 5, 5, 4 };
	uint8_t out[TOTP_KEY_MAX];
	size_t i, n;

	for (i = 0; i < SK_NELEM(bad); i++) {
		n = 99;
		TEST_CHECK(totp_base32_decode(bad[i], len[i], out, sizeof(out),
			       &n) == SK_E_SYNTAX &&
			n == 0,
		    "case %zu accepted", i);
	}
	TEST_CHECK(totp_base32_decode("MZXW6YTBOI", 10, out, 5, &n) ==
		SK_E_TOO_LONG,
	    "small buffer");
}

const struct test_case test_cases[] = {
	{ "totp_hotp_rfc4226", test_hotp_rfc4226 },
	{ "totp_rfc6238_sha1", test_totp_rfc6238 },
	{ "totp_verify_window_replay", test_verify },
	{ "totp_base32_vectors", test_base32_vectors },
	{ "totp_base32_refused", test_base32_refused },
};
const size_t test_ncases = SK_NELEM(test_cases);

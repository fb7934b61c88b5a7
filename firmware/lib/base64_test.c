/*
 * base64_test.c - the strict base64 codec in both white space modes.
 */
#include <string.h>

#include "base64.h"
#include "test.h"

#define S BASE64_STRICT
#define W BASE64_SKIP_WHITESPACE

struct decode_case {
	const char *in;
	unsigned flags;
	enum sk_result want;
	const char *out; /* SK_OK: the decoded octets */
	size_t outlen;
};

static const struct decode_case decode_cases[] = {
	/* RFC 4648 10 test vectors */
	{ "", S, SK_OK, "", 0 },
	{ "Zg==", S, SK_OK, "f", 1 },
	{ "Zm8=", S, SK_OK, "fo", 2 },
	{ "Zm9v", S, SK_OK, "foo", 3 },
	{ "Zm9vYg==", S, SK_OK, "foob", 4 },
	{ "Zm9vYmE=", S, SK_OK, "fooba", 5 },
	{ "Zm9vYmFy", S, SK_OK, "foobar", 6 },
	/* binary, with NULs */
	{ "AGFsaWNlAHNlY3JldA==", S, SK_OK, "\0alice\0secret", 13 },
	{ "+/+/", S, SK_OK, "\xfb\xff\xbf", 3 },
	/* padding: only the last one or two, completing a group */
	{ "Zg", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zg=", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zg===", S, SK_E_SYNTAX, NULL, 0 },
	{ "Z===", S, SK_E_SYNTAX, NULL, 0 },
	{ "====", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zg=a", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zg==Zg==", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zm8=Zm9v", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zm9vY", S, SK_E_SYNTAX, NULL, 0 },
	/* unused bits must be zero: one encoding per octet string */
	{ "Zh==", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zm9=", S, SK_E_SYNTAX, NULL, 0 },
	/* strict: white space and other alphabets */
	{ "Zm9v\n", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zm 9v", S, SK_E_SYNTAX, NULL, 0 },
	{ " Zm9v", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zm9v YmFy", S, SK_E_SYNTAX, NULL, 0 },
	{ "-_-_", S, SK_E_SYNTAX, NULL, 0 },
	{ "Zm9\x80", S, SK_E_SYNTAX, NULL, 0 },
	/* skipping white space: SP, HTAB, CR, LF anywhere */
	{ " Zm9v\r\n\tYmFy ", W, SK_OK, "foobar", 6 },
	{ "Zm9vYg=\r\n =", W, SK_OK, "foob", 4 },
	{ "Z g = = ", W, SK_OK, "f", 1 },
	{ " \t\r\n", W, SK_OK, "", 0 },
	/* ... and nothing else is relaxed */
	{ "Zm9v\v", W, SK_E_SYNTAX, NULL, 0 },
	{ "Zm9v\f", W, SK_E_SYNTAX, NULL, 0 },
	{ "Zg== Zg==", W, SK_E_SYNTAX, NULL, 0 },
	{ "Zg = a", W, SK_E_SYNTAX, NULL, 0 },
	{ "Zm9v Y", W, SK_E_SYNTAX, NULL, 0 },
	{ "Z h==", W, SK_E_SYNTAX, NULL, 0 },
	{ "-_-_", W, SK_E_SYNTAX, NULL, 0 },
};

/* test_decode_table - every row of decode_cases */
static void
test_decode_table(void)
{
	uint8_t out[64];
	size_t i, n;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		r = base64_decode((const uint8_t *)c->in, strlen(c->in),
		    c->flags, out, sizeof(out), &n);
		TEST_CHECK(r == c->want, "\"%s\" (flags %u): got %s, want %s",
		    c->in, c->flags, sk_result_str(r), sk_result_str(c->want));
		if (r == SK_OK && c->want == SK_OK) {
			TEST_CHECK(n == c->outlen &&
				memcmp(out, c->out, n) == 0,
			    "\"%s\": wrong octets", c->in);
		}
		if (r != SK_OK) {
			TEST_CHECK(n == 0, "\"%s\": outlen %zu on error", c->in,
			    n);
		}
	}
}

/* test_round_trip - encode then decode gives the input, all lengths */
static void
test_round_trip(void)
{
	uint8_t in[40], out[40];
	char enc[64];
	size_t len, n, m, i;

	for (i = 0; i < sizeof(in); i++) {
		in[i] = (uint8_t)(i * 37 + 11);
	}
	for (len = 0; len <= sizeof(in); len++) {
		TEST_CHECK(base64_encode(in, len, enc, sizeof(enc), &n) ==
			SK_OK,
		    "encode %zu", len);
		TEST_CHECK(n == BASE64_LEN(len) && strlen(enc) == n,
		    "encoded length of %zu", len);
		TEST_CHECK(base64_decode((const uint8_t *)enc, n, BASE64_STRICT,
			       out, sizeof(out), &m) == SK_OK &&
			m == len && memcmp(in, out, len) == 0,
		    "round trip of %zu", len);
	}
}

/* test_room - the NUL counts; a short output is an error, wiped */
static void
test_room(void)
{
	const uint8_t in[3] = { 'f', 'o', 'o' };
	uint8_t out[5];
	char enc[8];
	size_t n, m;

	TEST_CHECK(base64_encode(in, 3, enc, 4, &n) == SK_E_TOO_LONG &&
		enc[0] == '\0' && n == 0,
	    "encode without room for the NUL");
	TEST_CHECK(base64_encode(in, 3, enc, 5, &n) == SK_OK && n == 4,
	    "exact room");
	TEST_CHECK(base64_encode(in, 0, enc, 0, &n) == SK_E_TOO_LONG,
	    "no room at all");
	memset(out, 0xaa, sizeof(out));
	TEST_CHECK(base64_decode((const uint8_t *)"Zm9vYmFy", 8, BASE64_STRICT,
		       out, 5, &m) == SK_E_TOO_LONG &&
		m == 0,
	    "decode into a short buffer");
	TEST_CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0,
	    "the octets written before the error are wiped");
	TEST_CHECK(base64_decode((const uint8_t *)"Zm9vYg==", 8, BASE64_STRICT,
		       out, 4, &m) == SK_OK &&
		m == 4,
	    "a padded group needs only its own octets");
}

const struct test_case test_cases[] = {
	{ "base64_decode_table", test_decode_table },
	{ "base64_round_trip", test_round_trip },
	{ "base64_room", test_room },
};
const size_t test_ncases = SK_NELEM(test_cases);

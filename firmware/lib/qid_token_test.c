/*
 * qid_token_test.c - MSG_QID_TOKEN replaced in a stream: whole, cut by a
 * read at every offset, several, none, false starts, and the id's shape.
 */
#include <stdio.h>
#include <string.h>

#include "qid_token.h"
#include "test.h"

#define ID "0123456789ABCDEV" /* a queue id's shape */
#define TOK MSG_QID_TOKEN

#define TEXT_MAX 512

/* replace_all - what a stream must give: each whole token in the input,
 * left to right, written over (the reference: one buffer, no reads) */
static size_t
replace_all(const char *in, char *out)
{
	size_t n = strlen(in), i = 0, count = 0;

	memcpy(out, in, n + 1);
	while (i + QID_TOKEN_LEN <= n) {
		if (memcmp(in + i, TOK, QID_TOKEN_LEN) == 0) {
			memcpy(out + i, ID, QID_TOKEN_LEN);
			count++;
			i += QID_TOKEN_LEN;
		} else {
			i++;
		}
	}
	return count;
}

/*
 * stream - in through qid_token_replace as reads whose ends are at the
 * offsets cuts[0..ncuts) (then the rest), as the queue and the policy
 * process drive it: the octets kept back go in front of the next read.
 * The output into out (NUL-terminated); the count.
 */
static unsigned
stream(const char *in, const size_t *cuts, size_t ncuts, char *out)
{
	uint8_t buf[TEXT_MAX + QID_TOKEN_LEN];
	size_t n = strlen(in), have = 0, off = 0, outlen = 0, k, done, end;
	unsigned count = 0;

	for (k = 0; k <= ncuts; k++) {
		end = k < ncuts && cuts[k] < n ? cuts[k] : n;
		if (end < off) {
			end = off;
		}
		memcpy(buf + have, in + off, end - off);
		have += end - off;
		off = end;
		done = qid_token_replace(buf, have, k == ncuts, ID, &count);
		if (have - done >= QID_TOKEN_LEN) {
			test_fail("kept %zu octets back", have - done);
		}
		memcpy(out + outlen, buf, done);
		outlen += done;
		memmove(buf, buf + done, have - done);
		have -= done;
	}
	if (have != 0) {
		test_fail("%zu octets left after the last read", have);
	}
	out[outlen] = '\0';
	return count;
}

/* check - in as one read and cut at cuts give the reference */
static void
check(const char *name, const char *in, const size_t *cuts, size_t ncuts,
    unsigned want)
{
	char got[TEXT_MAX + 1], ref[TEXT_MAX + 1];
	unsigned n = stream(in, cuts, ncuts, got);

	if (replace_all(in, ref) != want) {
		test_fail("%s: the reference counts otherwise", name);
	}
	TEST_CHECK(n == want && strcmp(got, ref) == 0,
	    "%s: got %u \"%s\", want %u \"%s\"", name, n, got, want, ref);
}

static void
test_none(void)
{
	static const size_t cut[] = { 3 };

	check("empty", "", NULL, 0, 0);
	check("plain", "Hello, world.\r\n", NULL, 0, 0);
	check("plain cut", "Hello, world.\r\n", cut, 1, 0);
	check("brackets", "[[[ ]] [x] [[SK-QID-TOKEN] [[SK-QID-TOKEN", NULL, 0,
	    0);
}

static void
test_whole(void)
{
	check("one", "as " TOK "; ask", NULL, 0, 1);
	check("alone", TOK, NULL, 0, 1);
	check("several", TOK " and " TOK ", " TOK "\r\n", NULL, 0, 3);
	check("adjacent", TOK TOK, NULL, 0, 2);
	check("after a false start", "[[SK-" TOK "[" TOK "]]", NULL, 0, 2);
	check("cut short at the end", "as " TOK "; then [[SK-QID-TOK", NULL, 0,
	    1);
}

/* test_split_every_offset - one read ends at every offset of the text:
 * inside, before and after each of the tokens */
static void
test_split_every_offset(void)
{
	static const char *texts[] = {
		"ab" TOK "cd",
		TOK,
		"x" TOK TOK "y",
		"[[SK-QID-" TOK "[[SK-QID-TOKEN]",
		"quarantined as " TOK ";\r\nagain " TOK ".\r\n",
	};
	char name[64];
	size_t t, at, n;

	for (t = 0; t < SK_NELEM(texts); t++) {
		char ref[TEXT_MAX + 1];
		unsigned want = (unsigned)replace_all(texts[t], ref);

		n = strlen(texts[t]);
		for (at = 0; at <= n; at++) {
			snprintf(name, sizeof(name), "text %zu cut at %zu", t,
			    at);
			check(name, texts[t], &at, 1, want);
		}
	}
}

/* test_split_twice - two reads end inside the same token, and reads of
 * every size from 1 octet up */
static void
test_split_twice(void)
{
	static const char text[] = "a" TOK "b" TOK "c";
	size_t cuts[2], i, j, size, k;
	char name[64];
	size_t many[TEXT_MAX];

	for (i = 1; i <= QID_TOKEN_LEN; i++) {
		for (j = i; j <= QID_TOKEN_LEN + 1; j++) {
			cuts[0] = i;
			cuts[1] = j;
			snprintf(name, sizeof(name), "cut at %zu and %zu", i,
			    j);
			check(name, text, cuts, 2, 2);
		}
	}
	for (size = 1; size <= sizeof(text); size++) {
		for (k = 0; k * size < sizeof(text); k++) {
			many[k] = (k + 1) * size;
		}
		snprintf(name, sizeof(name), "reads of %zu", size);
		check(name, text, many, k, 2);
	}
}

static void
test_value_ok(void)
{
	TEST_CHECK(qid_token_value_ok(ID, strlen(ID)), "an id");
	TEST_CHECK(qid_token_value_ok("0000000000000000", 16), "zeros");
	TEST_CHECK(!qid_token_value_ok(ID, strlen(ID) - 1), "short");
	TEST_CHECK(!qid_token_value_ok(ID "0", strlen(ID) + 1), "long");
	TEST_CHECK(!qid_token_value_ok("", 0), "empty");
	TEST_CHECK(!qid_token_value_ok("0123456789abcdef", 16), "lower case");
	TEST_CHECK(!qid_token_value_ok(TOK, QID_TOKEN_LEN), "the token");
	TEST_CHECK(!qid_token_value_ok("0123456789ABCD\r\n", 16), "CRLF");
	TEST_CHECK(!qid_token_value_ok("0123456789ABCDE\0", 16), "a NUL");
}

const struct test_case test_cases[] = {
	{ "qid_token_none", test_none },
	{ "qid_token_whole", test_whole },
	{ "qid_token_split_every_offset", test_split_every_offset },
	{ "qid_token_split_twice", test_split_twice },
	{ "qid_token_value_ok", test_value_ok },
};
const size_t test_ncases = SK_NELEM(test_cases);

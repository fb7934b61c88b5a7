/*
 * mta_reply_test.c - the reply parser: codes, separators, multi-line
 * replies, enhanced status codes, limits and sanitizing.
 */
#include <stdio.h>
#include <string.h>

#include "mta_reply.h"
#include "test.h"

/* feed - lines separated by "|" into r; the last result */
static enum sk_result
feed(struct mta_reply *r, const char *lines)
{
	enum sk_result res = SK_E_SYNTAX;
	const char *p = lines, *bar;

	mta_reply_init(r);
	for (;;) {
		bar = strchr(p, '|');
		res = mta_reply_line(r, (const uint8_t *)p,
		    bar ? (size_t)(bar - p) : strlen(p), NULL, NULL);
		if (bar == NULL || res != SK_NEED_MORE) {
			return res;
		}
		p = bar + 1;
	}
}

static void
test_reply_table(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		unsigned code;
		const char *enh, *text;
	} cases[] = {
		{ "250 ok", SK_OK, 250, "", "ok" },
		{ "250", SK_OK, 250, "", "" },
		{ "250-mx|250 PIPELINING", SK_OK, 250, "", "mx PIPELINING" },
		{ "250-", SK_NEED_MORE, 250, "", "" },
		{ "550 5.1.1 <x@y>: no such user", SK_OK, 550, "5.1.1",
		    "<x@y>: no such user" },
		{ "550-5.1.1 first|550 5.1.1 second", SK_OK, 550, "5.1.1",
		    "first second" },
		/* class must match the code (RFC 3463 / 2034) */
		{ "550 4.1.1 odd", SK_OK, 550, "", "4.1.1 odd" },
		{ "250 2.0.0", SK_OK, 250, "2.0.0", "" },
		{ "250 2.0.0x", SK_OK, 250, "", "2.0.0x" },
		{ "452 4.5.3 Too many", SK_OK, 452, "4.5.3", "Too many" },
		{ "550 5.1234.1 x", SK_OK, 550, "", "5.1234.1 x" },
		{ "550 5.1.", SK_OK, 550, "", "5.1." },
		{ "354 go ahead", SK_OK, 354, "", "go ahead" },
		/* syntax */
		{ "25", SK_E_SYNTAX, 0, "", "" },
		{ "2500 x", SK_E_SYNTAX, 0, "", "" },
		{ "250_x", SK_E_SYNTAX, 0, "", "" },
		{ "150 x", SK_E_SYNTAX, 0, "", "" },
		{ "650 x", SK_E_SYNTAX, 0, "", "" },
		{ "260 x", SK_E_SYNTAX, 0, "", "" },
		{ "abc", SK_E_SYNTAX, 0, "", "" },
		{ "250-a|251 b", SK_E_SYNTAX, 250, "", "a" },
		{ "HTTP/1.1 400", SK_E_SYNTAX, 0, "", "" },
	};
	struct mta_reply r;
	enum sk_result got;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		got = feed(&r, cases[i].in);
		TEST_CHECK(got == cases[i].want, "%s: got %s, want %s",
		    cases[i].in, sk_result_str(got),
		    sk_result_str(cases[i].want));
		if (got != SK_OK && got != SK_NEED_MORE) {
			continue;
		}
		TEST_CHECK(r.code == cases[i].code, "%s: code %u", cases[i].in,
		    r.code);
		TEST_CHECK(strcmp(r.enh, cases[i].enh) == 0,
		    "%s: enh \"%s\", want \"%s\"", cases[i].in, r.enh,
		    cases[i].enh);
		TEST_CHECK(strcmp(r.text, cases[i].text) == 0,
		    "%s: text \"%s\", want \"%s\"", cases[i].in, r.text,
		    cases[i].text);
	}
}

static void
test_reply_line_views(void)
{
	static const char line[] = "250-5.0.0 SIZE 100";
	const uint8_t *t = NULL;
	struct mta_reply r;
	size_t n = 0;

	mta_reply_init(&r);
	TEST_CHECK(mta_reply_line(&r, (const uint8_t *)"250-mx", 6, &t, &n) ==
		SK_NEED_MORE,
	    "first line");
	TEST_CHECK(n == 2 && memcmp(t, "mx", 2) == 0, "view of line 1");
	/* 5.0.0 does not match class 2: it stays text */
	TEST_CHECK(mta_reply_line(&r, (const uint8_t *)line, strlen(line), &t,
		       &n) == SK_NEED_MORE,
	    "second line");
	TEST_CHECK(n == 14 && memcmp(t, "5.0.0 SIZE 100", 14) == 0,
	    "view of line 2: %zu", n);
	TEST_CHECK(mta_reply_line(&r, (const uint8_t *)"250 2.0.0 ok", 12, &t,
		       &n) == SK_OK,
	    "last line");
	TEST_CHECK(n == 2 && memcmp(t, "ok", 2) == 0, "enh removed");
	TEST_CHECK(r.done && r.nlines == 3, "done after 3 lines");
	TEST_CHECK(mta_reply_line(&r, (const uint8_t *)"250 x", 5, NULL,
		       NULL) == SK_E_SYNTAX,
	    "a line after the final one");
}

static void
test_reply_limits(void)
{
	static char big[3000];
	struct mta_reply r;
	size_t i;

	mta_reply_init(&r);
	for (i = 0; i < MTA_REPLY_LINES_MAX; i++) {
		TEST_CHECK(mta_reply_line(&r, (const uint8_t *)"250-x", 5, NULL,
			       NULL) == SK_NEED_MORE,
		    "line %zu", i);
	}
	TEST_CHECK(mta_reply_line(&r, (const uint8_t *)"250 x", 5, NULL,
		       NULL) == SK_E_TOO_LONG,
	    "line %d refused", MTA_REPLY_LINES_MAX + 1);
	/* text is cut, never overflows, and says so */
	memcpy(big, "550 ", 4);
	memset(big + 4, 'a', sizeof(big) - 4);
	mta_reply_init(&r);
	TEST_CHECK(mta_reply_line(&r, (const uint8_t *)big, sizeof(big), NULL,
		       NULL) == SK_OK,
	    "long line parses");
	TEST_CHECK(r.cut && r.textlen == MTA_REPLY_TEXT_MAX - 1,
	    "cut at %d: %zu", MTA_REPLY_TEXT_MAX - 1, r.textlen);
	TEST_CHECK(r.text[r.textlen] == '\0', "NUL-terminated");
}

static void
test_reply_sanitize(void)
{
	static const uint8_t line[] = { '5', '5', '0', ' ', 'a', 0x1b, '[', '2',
		'J', 0x00, 0xc3, 0xa9, 0x7f, 'z' };
	struct mta_reply r;

	mta_reply_init(&r);
	TEST_CHECK(mta_reply_line(&r, line, sizeof(line), NULL, NULL) == SK_OK,
	    "parses");
	TEST_CHECK(strcmp(r.text, "a?[2J????z") == 0, "sanitized: \"%s\"",
	    r.text);
}

static void
test_enh_parse(void)
{
	static const struct {
		const char *in;
		char cls;
		size_t skip;
		const char *out;
	} cases[] = {
		{ "2.0.0 ok", '2', 6, "2.0.0" },
		{ "2.0.0", '2', 5, "2.0.0" },
		{ "5.7.1 x", '5', 6, "5.7.1" },
		{ "5.123.456 x", '5', 10, "5.123.456" },
		{ "5.1234.1 x", '5', 0, "" },
		{ "5.1.1234 x", '5', 0, "" },
		{ "4.1.1 x", '5', 0, "" },
		{ "3.1.1 x", '3', 0, "" },
		{ "5..1 x", '5', 0, "" },
		{ "5.1.1x", '5', 0, "" },
		{ "5.1", '5', 0, "" },
		{ "", '5', 0, "" },
	};
	char out[MTA_ENH_MAX];
	size_t i, got;

	for (i = 0; i < SK_NELEM(cases); i++) {
		got = mta_enh_parse((const uint8_t *)cases[i].in,
		    strlen(cases[i].in), cases[i].cls, out);
		TEST_CHECK(got == cases[i].skip &&
			strcmp(out, cases[i].out) == 0,
		    "%s: got %zu \"%s\", want %zu \"%s\"", cases[i].in, got,
		    out, cases[i].skip, cases[i].out);
	}
}

const struct test_case test_cases[] = {
	{ "mta_reply_table", test_reply_table },
	{ "mta_reply_line_views", test_reply_line_views },
	{ "mta_reply_limits", test_reply_limits },
	{ "mta_reply_sanitize", test_reply_sanitize },
	{ "mta_enh_parse", test_enh_parse },
};
const size_t test_ncases = SK_NELEM(test_cases);

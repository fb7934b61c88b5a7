/*
 * buf_test.c - tests of the bounded buffer and the CRLF line splitter.
 */
#include <string.h>

#include "buf.h"
#include "test.h"

#define LINE_TEST_MAX 8 /* small limit so the tables stay readable */
#define LINES_MAX 8

/* One input, fed whole, and the results it must give, in order. */
struct line_case {
	const char *name;
	const char *in;
	size_t max;
	size_t nwant;
	struct {
		enum sk_result r;
		const char *line; /* for SK_OK */
	} want[LINES_MAX];
};

static const struct line_case line_cases[] = {
	{ "one line", "HELO a\r\n", 512, 2,
	    { { SK_OK, "HELO a" }, { SK_NEED_MORE, NULL } } },
	{ "empty line", "\r\n", 512, 2,
	    { { SK_OK, "" }, { SK_NEED_MORE, NULL } } },
	{ "two lines", "a\r\nbc\r\n", 512, 3,
	    { { SK_OK, "a" }, { SK_OK, "bc" }, { SK_NEED_MORE, NULL } } },
	{ "partial", "abc\r", 512, 1, { { SK_NEED_MORE, NULL } } },
	{ "bare LF", "abc\ndef\r\n", 512, 3,
	    { { SK_E_BARE_LF, NULL }, { SK_OK, "def" },
		{ SK_NEED_MORE, NULL } } },
	{ "lone LF", "\n", 512, 2,
	    { { SK_E_BARE_LF, NULL }, { SK_NEED_MORE, NULL } } },
	{ "bare CR", "a\rb\r\nc\r\n", 512, 3,
	    { { SK_E_BARE_CR, NULL }, { SK_OK, "c" },
		{ SK_NEED_MORE, NULL } } },
	{ "CR CR LF", "a\r\r\n", 512, 2,
	    { { SK_E_BARE_CR, NULL }, { SK_NEED_MORE, NULL } } },
	/* max counts the CRLF: 6 bytes of text + CRLF = 8 fits exactly */
	{ "exactly max", "123456\r\n", LINE_TEST_MAX, 2,
	    { { SK_OK, "123456" }, { SK_NEED_MORE, NULL } } },
	{ "one over max", "1234567\r\nok\r\n", LINE_TEST_MAX, 3,
	    { { SK_E_TOO_LONG, NULL }, { SK_OK, "ok" },
		{ SK_NEED_MORE, NULL } } },
	{ "far over max", "123456789012345678\r\nok\r\n", LINE_TEST_MAX, 3,
	    { { SK_E_TOO_LONG, NULL }, { SK_OK, "ok" },
		{ SK_NEED_MORE, NULL } } },
	{ "long no end", "1234567890", LINE_TEST_MAX, 1,
	    { { SK_NEED_MORE, NULL } } },
};

/* check_line_case - feed one case whole and compare every result */
static void
check_line_case(const struct line_case *c)
{
	const uint8_t *p = (const uint8_t *)c->in;
	size_t n = strlen(c->in), i, linelen, used;
	struct buf_line l;
	enum sk_result r;

	buf_line_init(&l, c->max);
	for (i = 0; i < c->nwant; i++) {
		r = buf_line_next(&l, p, n, &linelen, &used);
		if (r != c->want[i].r) {
			test_fail("%s: result %zu: got %s, want %s", c->name, i,
			    sk_result_str(r), sk_result_str(c->want[i].r));
			return;
		}
		if (r == SK_OK &&
		    (linelen != strlen(c->want[i].line) ||
			memcmp(p, c->want[i].line, linelen) != 0)) {
			test_fail("%s: line %zu: got \"%.*s\", want \"%s\"",
			    c->name, i, (int)linelen, (const char *)p,
			    c->want[i].line);
		}
		p += used;
		n -= used;
	}
}

static void
test_line_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(line_cases); i++) {
		check_line_case(&line_cases[i]);
	}
}

/* feed - run a splitter over in, delivering chunk bytes at a time */
static size_t
feed(const char *in, size_t chunk, size_t max, enum sk_result *out, size_t cap)
{
	uint8_t pending[64];
	size_t have = 0, pos = 0, n = 0, linelen, used, inlen = strlen(in);
	struct buf_line l;
	enum sk_result r;

	buf_line_init(&l, max);
	while (pos < inlen || have > 0) {
		size_t take = inlen - pos < chunk ? inlen - pos : chunk;

		memcpy(pending + have, in + pos, take);
		have += take;
		pos += take;
		r = buf_line_next(&l, pending, have, &linelen, &used);
		memmove(pending, pending + used, have - used);
		have -= used;
		if (r != SK_NEED_MORE && n < cap) {
			out[n++] = r;
		}
		if (r == SK_NEED_MORE && take == 0) {
			break;
		}
	}
	return n;
}

/* Byte-at-a-time delivery must give the same results as whole input. */
static void
test_line_trickle(void)
{
	static const char in[] = "ab\r\n1234567890\r\nx\ny\r\n\r\n";
	static const enum sk_result want[] = { SK_OK, SK_E_TOO_LONG,
		SK_E_BARE_LF, SK_OK, SK_OK };
	enum sk_result got[8];
	size_t chunk, n, i;

	for (chunk = 1; chunk <= 5; chunk++) {
		n = feed(in, chunk, LINE_TEST_MAX, got, SK_NELEM(got));
		if (n != SK_NELEM(want)) {
			test_fail("chunk %zu: got %zu results, want %zu", chunk,
			    n, SK_NELEM(want));
			continue;
		}
		for (i = 0; i < n; i++) {
			TEST_CHECK(got[i] == want[i],
			    "chunk %zu result %zu: got %s, want %s", chunk, i,
			    sk_result_str(got[i]), sk_result_str(want[i]));
		}
	}
}

/* A max below BUF_LINE_MIN is raised so that CRLF always fits. */
static void
test_line_min(void)
{
	struct buf_line l;
	size_t linelen, used;
	enum sk_result r;

	buf_line_init(&l, 0);
	r = buf_line_next(&l, (const uint8_t *)"\r\n", 2, &linelen, &used);
	TEST_CHECK(r == SK_OK, "got %s, want ok", sk_result_str(r));
	TEST_CHECK(used == 2, "used: got %zu, want 2", used);
}

/* A NUL is data to the splitter; the SMTP layer decides about it. */
static void
test_line_nul(void)
{
	static const uint8_t in[] = { 'a', 0, 'b', '\r', '\n' };
	struct buf_line l;
	size_t linelen, used;
	enum sk_result r;

	buf_line_init(&l, BUF_SMTP_CMD_MAX);
	r = buf_line_next(&l, in, sizeof(in), &linelen, &used);
	TEST_CHECK(r == SK_OK, "got %s, want ok", sk_result_str(r));
	TEST_CHECK(linelen == 3, "linelen: got %zu, want 3", linelen);
	TEST_CHECK(used == 5, "used: got %zu, want 5", used);
}

static void
test_buf_append(void)
{
	uint8_t storage[8];
	struct buf b;
	enum sk_result r;

	buf_init(&b, storage, sizeof(storage));
	r = buf_append(&b, "12345", 5);
	TEST_CHECK(r == SK_OK, "append 5: got %s", sk_result_str(r));
	r = buf_append(&b, "6789", 4);
	TEST_CHECK(r == SK_E_FULL, "append 4 more: got %s, want %s",
	    sk_result_str(r), sk_result_str(SK_E_FULL));
	TEST_CHECK(buf_len(&b) == 5, "len after refusal: got %zu, want 5",
	    buf_len(&b));
	buf_consume(&b, 3);
	r = buf_append(&b, "6789", 4);
	TEST_CHECK(r == SK_OK, "append after consume: got %s",
	    sk_result_str(r));
	TEST_CHECK(buf_len(&b) == 6 && memcmp(buf_head(&b), "456789", 6) == 0,
	    "content: got \"%.*s\", want \"456789\"", (int)buf_len(&b),
	    (const char *)buf_head(&b));
}

static void
test_buf_space(void)
{
	uint8_t storage[8];
	struct buf b;
	uint8_t *tail;
	size_t avail;

	buf_init(&b, storage, sizeof(storage));
	buf_append(&b, "abcdef", 6);
	buf_consume(&b, 4);
	tail = buf_space(&b, &avail);
	TEST_CHECK(avail == 6, "avail: got %zu, want 6", avail);
	memcpy(tail, "XY", 2);
	buf_commit(&b, 2);
	TEST_CHECK(buf_len(&b) == 4 && memcmp(buf_head(&b), "efXY", 4) == 0,
	    "content: got \"%.*s\", want \"efXY\"", (int)buf_len(&b),
	    (const char *)buf_head(&b));
	buf_consume(&b, 100);
	TEST_CHECK(buf_len(&b) == 0, "over-consume: got len %zu, want 0",
	    buf_len(&b));
}

const struct test_case test_cases[] = {
	{ "buf_line_table", test_line_table },
	{ "buf_line_trickle", test_line_trickle },
	{ "buf_line_min", test_line_min },
	{ "buf_line_nul", test_line_nul },
	{ "buf_append", test_buf_append },
	{ "buf_space", test_buf_space },
};
const size_t test_ncases = SK_NELEM(test_cases);

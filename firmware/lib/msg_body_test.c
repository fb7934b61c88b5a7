/*
 * msg_body_test.c - body fields: round trip, overflow, and a reader that
 * refuses every malformed body instead of reading past it.
 */
#include <string.h>

#include "msg_body.h"
#include "test.h"

static void
test_round_trip(void)
{
	uint8_t buf[64];
	char s[16];
	struct msg_body_writer w;
	struct msg_body_reader r;

	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_u8(&w, 7);
	msg_body_put_u32(&w, 0xdeadbeef);
	msg_body_put_u64(&w, 0x0102030405060708ull);
	msg_body_put_cstr(&w, "queue");
	msg_body_put_cstr(&w, "");
	TEST_CHECK(!w.err && w.len == 1 + 4 + 8 + 2 + 5 + 2, "writer: len %zu",
	    w.len);
	msg_body_reader_init(&r, buf, w.len);
	TEST_CHECK(msg_body_get_u8(&r) == 7, "u8");
	TEST_CHECK(msg_body_get_u32(&r) == 0xdeadbeef, "u32");
	TEST_CHECK(msg_body_get_u64(&r) == 0x0102030405060708ull, "u64");
	TEST_CHECK(msg_body_get_str(&r, s, sizeof(s)) == 5 &&
		strcmp(s, "queue") == 0,
	    "str: got %s", s);
	TEST_CHECK(msg_body_get_str(&r, s, sizeof(s)) == 0 && s[0] == '\0',
	    "empty str");
	TEST_CHECK(msg_body_end(&r) == 0, "end");
}

static void
test_writer_overflow(void)
{
	uint8_t buf[6];
	struct msg_body_writer w;

	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_u32(&w, 1);
	TEST_CHECK(!w.err, "u32 fits");
	msg_body_put_cstr(&w, "ab");
	TEST_CHECK(w.err, "string beyond the buffer: no error");
	msg_body_put_u8(&w, 1);
	TEST_CHECK(w.err && w.len == 4, "error sticks: len %zu", w.len);
}

static void
test_reader_refuses(void)
{
	static const uint8_t short_u32[] = { 0, 0, 1 };
	static const uint8_t long_str[] = { 0, 5, 'a', 'b' };
	static const uint8_t nul_str[] = { 0, 2, 'a', 0 };
	static const uint8_t big_str[] = { 0, 4, 'a', 'b', 'c', 'd' };
	static const uint8_t extra[] = { 1, 2 };
	struct msg_body_reader r;
	char s[4];

	msg_body_reader_init(&r, short_u32, sizeof(short_u32));
	(void)msg_body_get_u32(&r);
	TEST_CHECK(msg_body_end(&r) != 0, "short u32 accepted");
	msg_body_reader_init(&r, long_str, sizeof(long_str));
	(void)msg_body_get_str(&r, s, sizeof(s));
	TEST_CHECK(r.err && s[0] == '\0', "string past the end accepted");
	msg_body_reader_init(&r, nul_str, sizeof(nul_str));
	(void)msg_body_get_str(&r, s, sizeof(s));
	TEST_CHECK(r.err, "string with NUL accepted");
	msg_body_reader_init(&r, big_str, sizeof(big_str));
	(void)msg_body_get_str(&r, s, sizeof(s));
	TEST_CHECK(r.err, "string longer than the caller's buffer accepted");
	msg_body_reader_init(&r, extra, sizeof(extra));
	(void)msg_body_get_u8(&r);
	TEST_CHECK(msg_body_end(&r) != 0, "left-over byte accepted");
}

static void
test_header_block(void)
{
	static const struct {
		const char *text;
		int ok;
	} cases[] = {
		{ "", 1 },
		{ "A: b\r\n", 1 },
		{ "A-R: x;\r\n\tfolded\r\nB: y\r\n", 1 },
		{ "A: b", 0 },
		{ "A: b\n", 0 },
		{ "A: b\rc\r\n", 0 },
		{ ": b\r\n", 0 },
		{ " A: b\r\n", 0 },
		{ "A b\r\n", 0 },
		{ "\r\n", 0 },
		{ "A: b\r\n\nB: c\r\n", 0 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		int got = msg_header_block_ok((const uint8_t *)cases[i].text,
		    strlen(cases[i].text));

		TEST_CHECK(got == cases[i].ok, "case %zu: got %d, want %d", i,
		    got, cases[i].ok);
	}
	TEST_CHECK(!msg_header_block_ok((const uint8_t *)"A: \0\r\n", 6),
	    "a NUL: accepted");
}

const struct test_case test_cases[] = {
	{ "msg_body_header_block", test_header_block },
	{ "msg_body_round_trip", test_round_trip },
	{ "msg_body_writer_overflow", test_writer_overflow },
	{ "msg_body_reader_refuses", test_reader_refuses },
};
const size_t test_ncases = SK_NELEM(test_cases);

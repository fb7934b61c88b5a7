/*
 * fuzz_clamd_reply.c - libFuzzer target: the clamd client fed hostile
 * server bytes.
 *
 * The first input octet picks a piece size (1..16, or all at once) and
 * whether the stream limit is hit first; the rest is what clamd sends.
 * Invariants: the session always ends (DONE after EOF); the verdict is a
 * valid one; its text is NUL-terminated, printable and within
 * SCAN_TEXT_MAX; the result does not depend on how the bytes were cut;
 * a verdict other than SCAN_ERROR needs a NUL in the input.
 *
 * The same octets are also sent as content, fed in those pieces while
 * the output goes out in short writes, so that the core gathers chunks
 * behind pending output: what it writes must be the command, chunks that
 * carry exactly the content (cut at the limit) and one zero-length chunk
 * at the very end.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_clamd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const struct scan_result *r)
{
	size_t i, n = strnlen(r->text, SCAN_TEXT_MAX);

	if (n == SCAN_TEXT_MAX || (unsigned)r->verdict >= SCAN_VERDICT_COUNT) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (r->text[i] < 0x20 || r->text[i] > 0x7e) {
			abort();
		}
	}
}

/* run - one session; the reply fed in pieces of piece octets (0: all) */
static void
run(struct scan_clamd *c, const uint8_t *data, size_t size, size_t piece,
    int limit)
{
	const uint8_t *p;
	size_t len, off = 0, n;

	scan_clamd_init(c, limit ? 4 : 0, 0);
	p = scan_clamd_output(c, &len);
	scan_clamd_sent(c, len);
	(void)p;
	(void)scan_clamd_feed(c, (const uint8_t *)"content", 7);
	scan_clamd_output(c, &len);
	scan_clamd_sent(c, len);
	if (limit) {
		(void)scan_clamd_feed(c, (const uint8_t *)"more", 4);
	}
	scan_clamd_end(c);
	scan_clamd_output(c, &len);
	scan_clamd_sent(c, len);
	while (off < size) {
		n = piece == 0 || piece > size - off ? size - off : piece;
		(void)scan_clamd_input(c, data + off, n);
		off += n;
	}
	scan_clamd_eof(c);
	if (scan_clamd_want(c) != SCAN_CLAMD_WANT_DONE) {
		abort();
	}
	check_text(scan_clamd_result(c));
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* check_stream - what the output carried is the command, the content up
 * to want octets in chunks, and the end */
static void
check_stream(const uint8_t *out, size_t len, const uint8_t *data, size_t want)
{
	size_t off = sizeof(SCAN_CLAMD_CMD), got = 0;
	uint32_t n;

	if (len < off + 4 || memcmp(out, SCAN_CLAMD_CMD, off) != 0) {
		abort();
	}
	for (;;) {
		if (len - off < 4) {
			abort();
		}
		n = get_u32(out + off);
		off += 4;
		if (n == 0) {
			break;
		}
		if (n > SCAN_CLAMD_CHUNK_MAX || n > len - off ||
		    n > want - got || memcmp(out + off, data + got, n) != 0) {
			abort();
		}
		off += n;
		got += n;
	}
	if (off != len || got != want) {
		abort();
	}
}

/* output - the content fed in pieces, the output written in short
 * writes of wsize octets when the core takes nothing more */
static void
output(const uint8_t *data, size_t size, size_t piece, int limit)
{
	static struct scan_clamd c;
	const uint8_t *p;
	size_t cap = sizeof(SCAN_CLAMD_CMD) + 5 * size + 8, len = 0, off = 0;
	size_t n, k, pending, wsize = piece * 7 + 1;
	uint8_t *out = malloc(cap);

	if (out == NULL) {
		return;
	}
	scan_clamd_init(&c, limit ? 4 : 0, 0);
	while (off < size) {
		n = piece == 0 || piece > size - off ? size - off : piece;
		k = scan_clamd_feed(&c, data + off, n);
		if (k == 0) {
			p = scan_clamd_output(&c, &pending);
			if (pending == 0) {
				abort(); /* refused with nothing to write */
			}
			pending = pending < wsize ? pending : wsize;
			memcpy(out + len, p, pending);
			len += pending;
			scan_clamd_sent(&c, pending);
		}
		off += k;
	}
	scan_clamd_end(&c);
	p = scan_clamd_output(&c, &pending);
	memcpy(out + len, p, pending);
	len += pending;
	scan_clamd_sent(&c, pending);
	if (scan_clamd_want(&c) != SCAN_CLAMD_WANT_READ) {
		abort();
	}
	check_stream(out, len, data, limit && size > 4 ? 4 : size);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_clamd whole, cut;
	struct scan_result r;
	size_t piece;
	int limit;

	if (size < 1) {
		return 0;
	}
	piece = data[0] & 0x0f;
	limit = (data[0] & 0x10) != 0;
	data++;
	size--;
	run(&whole, data, size, 0, limit);
	run(&cut, data, size, piece, limit);
	if (whole.result.verdict != cut.result.verdict ||
	    strcmp(whole.result.text, cut.result.text) != 0) {
		abort();
	}
	if (whole.result.verdict != SCAN_ERROR &&
	    memchr(data, '\0', size) == NULL) {
		abort();
	}
	output(data, size, piece, limit);
	if (scan_clamd_parse_reply((const char *)data,
		size < SCAN_CLAMD_REPLY_MAX ? size : SCAN_CLAMD_REPLY_MAX,
		&r) == SK_OK) {
		check_text(&r);
	}
	return 0;
}

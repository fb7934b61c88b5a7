/*
 * fuzz_qid_token.c - libFuzzer target for qid_token_replace (qid_token.h).
 *
 * The first two octets give read sizes (1 to 256 each, alternating),
 * the rest is the text. Invariants: the text in reads of those sizes
 * gives the same octets and count as in one read; fewer than
 * QID_TOKEN_LEN octets are ever kept back, none after the last read;
 * the length never changes; no token is left in the output (an id has
 * no "[", so no replacement makes a new one).
 */
#include <stdlib.h>
#include <string.h>

#include "qid_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TEXT_MAX 65536
#define ID "0123456789ABCDEV"

/* has_token - whether p[0..n) holds MSG_QID_TOKEN */
static int
has_token(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + QID_TOKEN_LEN <= n; i++) {
		if (memcmp(p + i, MSG_QID_TOKEN, QID_TOKEN_LEN) == 0) {
			return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t whole[FUZZ_TEXT_MAX], out[FUZZ_TEXT_MAX];
	static uint8_t buf[256 + QID_TOKEN_LEN];
	size_t len, off = 0, have = 0, outlen = 0, done, step, k = 0;
	unsigned n_whole = 0, n_stream = 0;

	if (size < 2 || size - 2 > FUZZ_TEXT_MAX) {
		return 0;
	}
	len = size - 2;
	memcpy(whole, data + 2, len);
	if (qid_token_replace(whole, len, 1, ID, &n_whole) != len) {
		abort();
	}
	while (off < len || have > 0) {
		step = (size_t)data[k++ % 2] + 1;
		step = step < len - off ? step : len - off;
		memcpy(buf + have, data + 2 + off, step);
		have += step;
		off += step;
		done = qid_token_replace(buf, have, off == len, ID, &n_stream);
		if (have - done >= QID_TOKEN_LEN ||
		    (off == len && done != have)) {
			abort();
		}
		memcpy(out + outlen, buf, done);
		outlen += done;
		memmove(buf, buf + done, have - done);
		have -= done;
	}
	if (outlen != len || memcmp(out, whole, len) != 0 ||
	    n_stream != n_whole || has_token(out, len)) {
		abort();
	}
	return 0;
}

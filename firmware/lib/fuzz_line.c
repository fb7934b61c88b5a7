/*
 * fuzz_line.c - libFuzzer target for the CRLF line splitter.
 *
 * The first byte picks a chunk size, the second a line limit. The rest is
 * split twice, whole and in chunks; both must give the same results and
 * the same lines (the splitter's answer cannot depend on how TCP cut the
 * stream), every line must be within the limit, and neither CR nor LF may
 * appear inside an accepted line.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_LINES_MAX 4096 /* results compared per input */
#define FUZZ_PENDING_MAX 65536

struct seen {
	enum sk_result r;
	size_t off; /* offset of the line in the input, for SK_OK */
	size_t len;
};

static struct seen whole[FUZZ_LINES_MAX], chunked[FUZZ_LINES_MAX];
static uint8_t pending[FUZZ_PENDING_MAX];

/* split - run the splitter, feeding chunk bytes at a time */
static size_t
split(const uint8_t *in, size_t size, size_t chunk, size_t max,
    struct seen *out)
{
	struct buf_line l;
	size_t have = 0, pos = 0, base = 0, n = 0, linelen, used, take;
	enum sk_result r;

	buf_line_init(&l, max);
	while (n < FUZZ_LINES_MAX) {
		take = size - pos < chunk ? size - pos : chunk;
		memcpy(pending + have, in + pos, take);
		have += take;
		pos += take;
		r = buf_line_next(&l, pending, have, &linelen, &used);
		if (used > have || (r == SK_OK && linelen + 2 != used)) {
			abort();
		}
		if (r != SK_NEED_MORE) {
			out[n].r = r;
			out[n].off = r == SK_OK ? base : 0;
			out[n++].len = r == SK_OK ? linelen : 0;
		}
		memmove(pending, pending + used, have - used);
		have -= used;
		base += used;
		if (r == SK_NEED_MORE && take == 0) {
			break;
		}
	}
	return n;
}

/* check_line - an accepted line fits and holds no CR or LF */
static void
check_line(const uint8_t *in, const struct seen *s, size_t max)
{
	if (s->len + 2 > max && max >= BUF_LINE_MIN) {
		abort();
	}
	if (memchr(in + s->off, '\r', s->len) != NULL ||
	    memchr(in + s->off, '\n', s->len) != NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk, max, n1, n2, i;

	if (size < 2 || size - 2 > FUZZ_PENDING_MAX) {
		return 0;
	}
	chunk = (size_t)data[0] % 16 + 1;
	max = (size_t)data[1] % 64;
	data += 2;
	size -= 2;
	n1 = split(data, size, size > 0 ? size : 1, max, whole);
	n2 = split(data, size, chunk, max, chunked);
	if (n1 != n2) {
		abort();
	}
	for (i = 0; i < n1; i++) {
		if (whole[i].r != chunked[i].r ||
		    whole[i].off != chunked[i].off ||
		    whole[i].len != chunked[i].len) {
			abort();
		}
		if (whole[i].r == SK_OK) {
			check_line(data, &whole[i], max);
		}
	}
	return 0;
}

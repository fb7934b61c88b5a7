/*
 * fuzz_smtp_data.c - libFuzzer target for the DATA and BDAT machines.
 *
 * The first byte picks a chunk size, the second the options. The rest is
 * fed whole and in chunks: the end, the verdict and the output must not
 * depend on the cut. An end is only ever right after CRLF "." CRLF (or
 * "." CRLF at the very start), and an accepted message holds no bare CR,
 * bare LF or NUL. BDAT counts exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "smtp_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_OUT_MAX 65536

struct fuzz_sink {
	uint8_t buf[FUZZ_OUT_MAX];
	size_t len;
};

static struct fuzz_sink s1, s2;

/* fuzz_out - collect output, bounded */
static void
fuzz_out(void *arg, const uint8_t *p, size_t n)
{
	struct fuzz_sink *s = arg;

	if (n == 0 || n > SMTP_DATA_STAGE) {
		abort();
	}
	if (n > FUZZ_OUT_MAX - s->len) {
		n = FUZZ_OUT_MAX - s->len;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* run - feed data in chunks; the end offset (0: none) and the result */
static size_t
run(const uint8_t *p, size_t n, size_t chunk, const struct smtp_data_opts *o,
    struct fuzz_sink *s, struct smtp_data_result *res, enum sk_result *r)
{
	static struct smtp_data d;
	size_t pos = 0, take, used, end = 0;

	s->len = 0;
	smtp_data_init(&d, o, fuzz_out, s);
	while (pos < n) {
		take = n - pos < chunk ? n - pos : chunk;
		if (smtp_data_update(&d, p + pos, take, &used) == SK_OK) {
			end = pos + used;
			break;
		}
		if (used != take) {
			abort();
		}
		pos += take;
	}
	*r = smtp_data_final(&d, res);
	return end;
}

/* check_clean - an accepted message: only CRLF line ends, no NUL */
static void
check_clean(const struct fuzz_sink *s)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		if (s->buf[i] == '\0' ||
		    (s->buf[i] == '\r' &&
			(i + 1 >= s->len || s->buf[i + 1] != '\n')) ||
		    (s->buf[i] == '\n' && (i == 0 || s->buf[i - 1] != '\r'))) {
			abort();
		}
	}
}

/* fuzz_bdat - the same bytes as one BDAT LAST chunk of exact size */
static void
fuzz_bdat(const uint8_t *p, size_t n, size_t chunk,
    const struct smtp_data_opts *o)
{
	static struct smtp_bdat b;
	struct smtp_data_result res;
	size_t pos = 0, used, take;
	enum sk_result r = SK_NEED_MORE;

	smtp_bdat_init(&b, o, NULL, NULL);
	smtp_bdat_chunk(&b, n, 1);
	while (pos < n) {
		take = n - pos < chunk ? n - pos : chunk;
		r = smtp_bdat_update(&b, p + pos, take, &used);
		if (used != take) {
			abort();
		}
		pos += used;
	}
	if (n > 0 && r != SK_OK) {
		abort();
	}
	r = smtp_bdat_final(&b, &res);
	if (r == SK_NEED_MORE || res.size != n) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_data_result res1, res2;
	struct smtp_data_opts o;
	enum sk_result r1, r2;
	size_t chunk, e1, e2;

	if (size < 2) {
		return 0;
	}
	memset(&o, 0, sizeof(o));
	chunk = (size_t)data[0] % 17 + 1;
	o.max_size = data[1] & 1 ? 64 : 0;
	o.allow_long_lines = (data[1] >> 1) & 1;
	o.max_received = (data[1] >> 2) & 3;
	data += 2;
	size -= 2;
	e1 = run(data, size, size > 0 ? size : 1, &o, &s1, &res1, &r1);
	e2 = run(data, size, chunk, &o, &s2, &res2, &r2);
	if (e1 != e2 || r1 != r2 || res1.reply != res2.reply ||
	    res1.size != res2.size || s1.len != s2.len ||
	    memcmp(s1.buf, s2.buf, s1.len) != 0) {
		abort();
	}
	if (e1 > 0) {
		/* RFC 5321 4.1.1.4: only CRLF "." CRLF ends the data. */
		if (e1 < 3 || memcmp(data + e1 - 3, ".\r\n", 3) != 0 ||
		    (e1 > 3 &&
			(e1 < 5 || memcmp(data + e1 - 5, "\r\n", 2) != 0))) {
			abort();
		}
		if (r1 == SK_OK) {
			check_clean(&s1);
		}
	} else if (r1 != SK_NEED_MORE) {
		abort();
	}
	fuzz_bdat(data, size, chunk, &o);
	return 0;
}

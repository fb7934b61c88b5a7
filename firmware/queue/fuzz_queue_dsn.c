/*
 * fuzz_queue_dsn.c - libFuzzer target for the DSN composer over hostile
 * stored data: addresses, replies, relays, ORCPT, ENVID, status codes
 * and the original content all come from the input.
 *
 * Layout: byte 0 flags (ret, body, smtputf8), byte 1 the number of
 * recipients (1..4) and their actions; then NUL-separated fields: sender,
 * envid, and per recipient address, orcpt, status, reply, relay; the
 * rest is the content.
 *
 * Invariants: compose succeeds; everything before the returned part is
 * CRLF lines of at most 998 octets without control characters (no
 * injected header or part); the boundary in the header never occurs as a
 * delimiter inside the returned content; the size is bounded by the
 * content plus a fixed cost per field. queue_xtext_decode and
 * queue_dsn_header_len are exercised on the same bytes, and the content
 * filter's notice (queue_notice_compose) with the content as its text
 * and the first fields as its recipients: CRLF lines, short, ASCII.
 */
#include <stdlib.h>
#include <string.h>

#include "msg_types.h"
#include "queue_dsn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS_MAX (2 + 4 * 5)
#define OUT_MAX (4 * QUEUE_DSN_FULL_MAX)

static uint8_t out[OUT_MAX];
static size_t outlen;
static char fields[FIELDS_MAX][4096];

static int
sink(void *arg, const void *p, size_t n)
{
	(void)arg;
	if (n > sizeof(out) - outlen) {
		abort(); /* the size bound is broken */
	}
	memcpy(out + outlen, p, n);
	outlen += n;
	return 0;
}

/* split - NUL-separated fields; returns where the content starts */
static size_t
split(const uint8_t *p, size_t n)
{
	size_t i = 0, f, k;

	for (f = 0; f < FIELDS_MAX; f++) {
		for (k = 0; i < n && p[i] != '\0'; i++) {
			if (k + 1 < sizeof(fields[f])) {
				fields[f][k++] = (char)p[i];
			}
		}
		fields[f][k] = '\0';
		if (i < n) {
			i++;
		}
	}
	return i;
}

/* check_lines - CRLF lines, short, no control characters */
static void
check_lines(const uint8_t *p, size_t n, int allow8)
{
	size_t i, line = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (i == 0 || p[i - 1] != '\r') {
				abort();
			}
			line = 0;
			continue;
		}
		if ((p[i] < 0x20 && p[i] != '\r' && p[i] != '\t') ||
		    p[i] == 0x7f || (p[i] >= 0x80 && !allow8) || ++line > 998) {
			abort();
		}
	}
}

/* returned_at - where our part header of the returned content starts:
 * a field cannot begin a line, so the first match is ours */
static size_t
returned_at(void)
{
	static const char *const marks[] = {
		"\r\nContent-Description: Undelivered Message\r\n",
		"\r\nContent-Description: Message Headers\r\n",
	};
	const uint8_t *p;
	size_t i, at = outlen;

	for (i = 0; i < 2; i++) {
		p = memmem(out, outlen, marks[i], strlen(marks[i]));
		if (p != NULL && (size_t)(p - out) < at) {
			at = (size_t)(p - out);
		}
	}
	return at;
}

static void
check_boundary(const uint8_t *content, size_t len, size_t ret_at)
{
	/* our Content-Type's parameter, not a "boundary=" a hostile field
	 * put into an earlier header */
	static const char mark[] =
	    "report-type=delivery-status;\r\n\tboundary=\"";
	const char *b = memmem(out, outlen, mark, sizeof(mark) - 1);
	char delim[400];
	const char *end;
	size_t n;

	if (b == NULL) {
		abort();
	}
	b += sizeof(mark) - 1;
	end = memchr(b, '"', outlen - (size_t)((const uint8_t *)b - out));
	if (end == NULL || (n = (size_t)(end - b)) + 3 > sizeof(delim)) {
		abort();
	}
	delim[0] = '-';
	delim[1] = '-';
	memcpy(delim + 2, b, n);
	/* With a returned part, the delimiter must not occur inside it: the
	 * part runs from ret_at to the closing delimiter, the last one in
	 * the output. (The rest of the content, not returned with RET=HDRS
	 * or over the size limit, may hold anything.) */
	if (ret_at < outlen) {
		const uint8_t *p = out + ret_at, *last = NULL, *q;

		while ((q = memmem(p, outlen - (size_t)(p - out), delim,
			    n + 2)) != NULL) {
			last = q;
			p = q + 1;
		}
		if (last == NULL ||
		    memmem(out + ret_at, (size_t)(last - (out + ret_at)), delim,
			n + 2) != NULL) {
			abort();
		}
	}
	(void)content;
	(void)len;
}

/* check_notice - the content filter's notice over a hostile text (the
 * content, cut to MSG_NOTICE_MAX, as a C string) and recipients: all
 * of it CRLF lines, short, ASCII */
static void
check_notice(const uint8_t *content, size_t len)
{
	static char text[MSG_NOTICE_MAX + 1];
	const char *rcpts[QUEUE_NOTICE_RCPTS_MAX];
	struct queue_dsn_info info;
	struct queue_notice n;
	size_t i;

	len = len < MSG_NOTICE_MAX ? len : MSG_NOTICE_MAX;
	memcpy(text, content, len);
	text[len] = '\0';
	for (i = 0; i < QUEUE_NOTICE_RCPTS_MAX; i++) {
		rcpts[i] = fields[2 + i];
	}
	memset(&n, 0, sizeof(n));
	n.server = "mx.fuzz.test";
	n.new_id = "0123456789ABCDEG";
	n.rcpts = rcpts;
	n.nrcpts = QUEUE_NOTICE_RCPTS_MAX;
	n.text = text;
	n.date_ms = INT64_C(1795000000000);
	outlen = 0;
	if (queue_notice_compose(&n, sink, NULL, &info) != SK_OK ||
	    info.size != outlen || info.eight_bit) {
		abort();
	}
	check_lines(out, outlen, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct queue_dsn_rcpt r[4];
	struct queue_dsn_info info;
	struct queue_dsn d;
	const uint8_t *content;
	size_t at, n, i, len, ret_at;
	char x[256];

	if (size < 2) {
		return 0;
	}
	n = 1 + (data[1] & 3);
	at = 2 + split(data + 2, size - 2);
	content = data + at;
	len = size - at;
	for (i = 0; i < n; i++) {
		r[i].address = fields[2 + 5 * i];
		r[i].orcpt = fields[3 + 5 * i];
		r[i].status = fields[4 + 5 * i];
		r[i].reply = fields[5 + 5 * i];
		r[i].relay = fields[6 + 5 * i];
		r[i].action = (enum queue_dsn_action)((data[1] >> (2 + i)) & 3);
		r[i].last_attempt_ms = (int64_t)data[0] * 1000000;
		r[i].retry_until_ms = (int64_t)data[1] * 1000000;
	}
	memset(&d, 0, sizeof(d));
	d.server = "mx.fuzz.test";
	d.queue_id = "0123456789ABCDEF";
	d.new_id = "0123456789ABCDEG";
	d.sender = fields[0];
	d.envid = fields[1];
	d.ret = data[0] % 3;
	d.body = (data[0] >> 2) % 3;
	d.smtputf8 = (data[0] >> 4) & 1;
	d.arrival_ms = (int64_t)(data[0] << 20);
	d.date_ms = INT64_C(1795000000000);
	d.rcpts = r;
	d.nrcpts = n;
	outlen = 0;
	if (queue_dsn_compose(&d, content, len, sink, NULL, &info) != SK_OK ||
	    info.size != outlen) {
		abort();
	}
	/* our own text: everything before the returned part */
	ret_at = returned_at();
	check_lines(out, ret_at, d.smtputf8);
	check_boundary(content, len, ret_at);
	check_notice(content, len);
	(void)queue_xtext_decode(fields[1], x, sizeof(x));
	if (queue_dsn_header_len(content, len) > len) {
		abort();
	}
	return 0;
}

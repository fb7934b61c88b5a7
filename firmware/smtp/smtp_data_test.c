/*
 * smtp_data_test.c - tests of the DATA and BDAT content machines.
 *
 * Every DATA case is fed whole, one octet at a time, and split in two at
 * every position: the answer may not depend on how TCP cut the stream.
 */
#include <stdio.h>
#include <string.h>

#include "smtp_data.h"
#include "test.h"

#define OUT_MAX 4096

struct sink {
	uint8_t buf[OUT_MAX];
	size_t len;
};

/* sink_out - the output callback: append to a struct sink */
static void
sink_out(void *arg, const uint8_t *p, size_t n)
{
	struct sink *s = arg;

	if (n > OUT_MAX - s->len) {
		n = OUT_MAX - s->len;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

struct data_case {
	const char *name;
	const char *in;
	size_t inlen;             /* 0: strlen */
	size_t used;              /* where the end was; 0: not found */
	enum smtp_reply_id reply; /* from final; SMTP_R_NONE: accepted */
	const char *out;          /* for accepted messages; NULL: no check */
};

static const struct data_case data_cases[] = {
	{ "empty", ".\r\n", 0, 3, SMTP_R_NONE, "" },
	{ "simple", "Subject: x\r\n\r\nhello\r\n.\r\n", 0, 24, SMTP_R_NONE,
	    "Subject: x\r\n\r\nhello\r\n" },
	{ "rest after end", "a\r\n.\r\nMAIL FROM:<x@y>\r\n", 0, 6, SMTP_R_NONE,
	    "a\r\n" },
	{ "dot-stuffed", "a\r\n..b\r\n..\r\n...\r\n.\r\n", 0, 20, SMTP_R_NONE,
	    "a\r\n.b\r\n.\r\n..\r\n" },
	{ "dot then text", ".x\r\n.\r\n", 0, 7, SMTP_R_NONE, "x\r\n" },
	{ "dot inside line", "a.\r\n.\r\n", 0, 7, SMTP_R_NONE, "a.\r\n" },
	{ "CRLF CR LF", "a\r\n\r\n.\r\n", 0, 8, SMTP_R_NONE, "a\r\n\r\n" },
	/* never an end, and the whole message is refused */
	{ "LF.LF", "a\n.\nb\r\n.\r\n", 0, 10, SMTP_R_DATA_BARE_LF, NULL },
	{ "CR.CR", "a\r.\rb\r\n.\r\n", 0, 10, SMTP_R_DATA_BARE_CR, NULL },
	{ "LF.CRLF", "a\n.\r\nb\r\n.\r\n", 0, 11, SMTP_R_DATA_BARE_LF, NULL },
	{ "CRLF.LF", "a\r\n.\nb\r\n.\r\n", 0, 11, SMTP_R_DATA_BARE_LF, NULL },
	{ "CR.CRLF", "a\r.\r\nb\r\n.\r\n", 0, 11, SMTP_R_DATA_BARE_CR, NULL },
	{ "CRLF.CR", "a\r\n.\rb\r\n.\r\n", 0, 11, SMTP_R_DATA_BARE_CR, NULL },
	{ "CRLF.CRCRLF", "a\r\n.\r\r\nb\r\n.\r\n", 0, 13, SMTP_R_DATA_BARE_CR,
	    NULL },
	{ "NUL before dot", "a\r\n\0.\r\nb\r\n.\r\n", 13, 13, SMTP_R_DATA_NUL,
	    NULL },
	{ "NUL after dot", "a\r\n.\0\r\nb\r\n.\r\n", 13, 13, SMTP_R_DATA_NUL,
	    NULL },
	{ "bare LF", "a\nb\r\n.\r\n", 0, 8, SMTP_R_DATA_BARE_LF, NULL },
	{ "bare CR", "a\rb\r\n.\r\n", 0, 8, SMTP_R_DATA_BARE_CR, NULL },
	{ "lone LF line", "\n.\r\n", 0, 0, SMTP_R_NONE, NULL },
	{ "no end", "a\r\n.\n", 0, 0, SMTP_R_NONE, NULL },
	{ "no end dot CR", "a\r\n.\r", 0, 0, SMTP_R_NONE, NULL },
};

/* run_data - feed in as chunks of at most chunk octets (split at cut) */
static enum sk_result
run_data(const struct data_case *c, size_t len, size_t cut, size_t chunk,
    struct sink *s, size_t *used, struct smtp_data_result *res)
{
	struct smtp_data_opts o = { 0, 0, 0, 0 };
	struct smtp_data d;
	size_t pos = 0, n, u;
	enum sk_result r = SK_NEED_MORE;

	memset(s, 0, sizeof(*s));
	smtp_data_init(&d, &o, sink_out, s);
	*used = 0;
	while (pos < len) {
		n = len - pos;
		if (pos < cut && n > cut - pos) {
			n = cut - pos;
		}
		if (n > chunk) {
			n = chunk;
		}
		r = smtp_data_update(&d, (const uint8_t *)c->in + pos, n, &u);
		pos += u;
		if (r == SK_OK) {
			*used = pos;
			break;
		}
	}
	return smtp_data_final(&d, res) == SK_NEED_MORE ? SK_NEED_MORE : r;
}

/* check_data - one case fed one way */
static void
check_data(const struct data_case *c, size_t cut, size_t chunk)
{
	size_t len = c->inlen > 0 ? c->inlen : strlen(c->in), used;
	struct smtp_data_result res;
	struct sink s;

	run_data(c, len, cut, chunk, &s, &used, &res);
	if (used != c->used) {
		test_fail("%s (cut %zu, chunk %zu): end got %zu, want %zu",
		    c->name, cut, chunk, used, c->used);
		return;
	}
	if (res.reply != c->reply) {
		test_fail("%s (cut %zu, chunk %zu): reply got %s, want %s",
		    c->name, cut, chunk, smtp_reply_name(res.reply),
		    smtp_reply_name(c->reply));
	}
	if (c->out != NULL &&
	    (s.len != strlen(c->out) || memcmp(s.buf, c->out, s.len) != 0)) {
		test_fail("%s (cut %zu, chunk %zu): got \"%.*s\", want \"%s\"",
		    c->name, cut, chunk, (int)s.len, (const char *)s.buf,
		    c->out);
	}
}

/* test_data_table - every case, whole, octet by octet, cut anywhere */
static void
test_data_table(void)
{
	size_t k, cut, len;

	for (k = 0; k < SK_NELEM(data_cases); k++) {
		const struct data_case *c = &data_cases[k];

		len = c->inlen > 0 ? c->inlen : strlen(c->in);
		check_data(c, 0, SIZE_MAX);
		check_data(c, 0, 1);
		for (cut = 1; cut < len; cut++) {
			check_data(c, cut, SIZE_MAX);
		}
	}
}

/* feed_all - run a whole message through DATA with options o */
static enum sk_result
feed_all(const char *msg, size_t len, const struct smtp_data_opts *o,
    struct smtp_data_result *res, struct sink *s)
{
	struct smtp_data d;
	size_t used;

	memset(s, 0, sizeof(*s));
	smtp_data_init(&d, o, sink_out, s);
	smtp_data_update(&d, (const uint8_t *)msg, len, &used);
	return smtp_data_final(&d, res);
}

/* test_data_size - RFC 1870: stop storing, read to the end, 552 5.3.4 */
static void
test_data_size(void)
{
	static const char msg[] = "0123456789\r\n0123456789\r\n.\r\nNEXT";
	struct smtp_data_opts o = { 12, 0, 0, 0 };
	struct smtp_data_result res;
	struct sink s;
	enum sk_result r;

	r = feed_all(msg, strlen(msg), &o, &res, &s);
	if (r != SK_E_RANGE || res.reply != SMTP_R_SIZE_TOO_BIG) {
		test_fail("over: got %s %s, want %s %s", sk_result_str(r),
		    smtp_reply_name(res.reply), sk_result_str(SK_E_RANGE),
		    smtp_reply_name(SMTP_R_SIZE_TOO_BIG));
	}
	if (s.len != 12 || res.size != 24) {
		test_fail("over: stored %zu counted %llu, want 12 and 24",
		    s.len, (unsigned long long)res.size);
	}
	o.max_size = 24;
	r = feed_all(msg, strlen(msg), &o, &res, &s);
	if (r != SK_OK || s.len != 24) {
		test_fail("exact: got %s with %zu stored, want ok and 24",
		    sk_result_str(r), s.len);
	}
}

/* test_data_long_line - RFC 5321 4.5.3.1.6: 1000 octets with CRLF */
static void
test_data_long_line(void)
{
	static char msg[2100];
	struct smtp_data_opts o = { 0, 0, 0, 0 };
	struct smtp_data_result res;
	struct sink s;
	enum sk_result r;
	size_t n;

	/* 998 + CRLF = 1000: fine; a dot-stuffed one is not longer */
	memset(msg, 'a', 998);
	memcpy(msg + 998, "\r\n..", 4);
	memset(msg + 1002, 'b', 997);
	memcpy(msg + 1999, "\r\n.\r\n", 5);
	n = 2004;
	r = feed_all(msg, n, &o, &res, &s);
	if (r != SK_OK) {
		test_fail("1000: got %s %s, want ok", sk_result_str(r),
		    smtp_reply_name(res.reply));
	}
	msg[998] = 'a'; /* now 999 + 1 + 997 ... one long line */
	memcpy(msg + 999, "\r\n.\r\n", 5);
	n = 1004;
	r = feed_all(msg, n, &o, &res, &s);
	if (r != SK_E_TOO_LONG || res.reply != SMTP_R_DATA_LONG_LINE) {
		test_fail("1001: got %s %s, want %s", sk_result_str(r),
		    smtp_reply_name(res.reply),
		    smtp_reply_name(SMTP_R_DATA_LONG_LINE));
	}
	o.allow_long_lines = 1;
	r = feed_all(msg, n, &o, &res, &s);
	if (r != SK_OK || s.len != 1001) {
		test_fail("1001 allowed: got %s, %zu stored", sk_result_str(r),
		    s.len);
	}
}

/* test_data_received - RFC 5321 6.3: count Received, refuse a loop */
static void
test_data_received(void)
{
	static char msg[8192];
	struct smtp_data_opts o = { 0, 3, 0, 0 };
	struct smtp_data_result res;
	struct sink s;
	enum sk_result r;
	size_t n = 0;

	n += (size_t)snprintf(msg + n, sizeof(msg) - n,
	    "Received: from a\r\n\tby b\r\nRECEIVED : from c\r\n"
	    "X-Received: no\r\nReceivedX: no\r\n received: no\r\n"
	    "received:x\r\nSubject: s\r\n\r\nReceived: in body\r\n.\r\n");
	r = feed_all(msg, n, &o, &res, &s);
	if (r != SK_OK || res.received != 3) {
		test_fail("3 of 3: got %s, %u counted, want ok and 3",
		    sk_result_str(r), res.received);
	}
	if (res.header_len != 116) {
		test_fail("header_len got %llu, want 116",
		    (unsigned long long)res.header_len);
	}
	o.max_received = 2;
	r = feed_all(msg, n, &o, &res, &s);
	if (r != SK_E_RANGE || res.reply != SMTP_R_LOOP) {
		test_fail("3 of 2: got %s %s, want %s", sk_result_str(r),
		    smtp_reply_name(res.reply), smtp_reply_name(SMTP_R_LOOP));
	}
}

/* test_data_big - more than one stage of output, in order */
static void
test_data_big(void)
{
	static char msg[10000];
	struct smtp_data_opts o = { 0, 0, 0, 0 };
	struct smtp_data_result res;
	struct smtp_data d;
	size_t i, n = 0, used;

	for (i = 0; i < 90; i++) {
		n += (size_t)snprintf(msg + n, sizeof(msg) - n,
		    "%s%03zu %s\r\n", i % 7 == 0 ? "." : "", i,
		    "The quick brown fox jumps over the lazy dog 0123456789");
	}
	memcpy(msg + n, ".\r\n", 3);
	n += 3;
	smtp_data_init(&d, &o, NULL, NULL);
	if (smtp_data_update(&d, (const uint8_t *)msg, n, &used) != SK_OK ||
	    used != n) {
		test_fail("no end found in %zu octets", n);
	}
	if (smtp_data_final(&d, &res) != SK_OK) {
		test_fail("got %s", smtp_reply_name(res.reply));
	}
	/* 90 lines of 60 octets once the 13 stuffing dots are gone */
	if (res.size != 90 * 60) {
		test_fail("size got %llu, want %d",
		    (unsigned long long)res.size, 90 * 60);
	}
}

/* test_bdat - exact chunk counts, LAST, the same CR/LF rule */
static void
test_bdat(void)
{
	struct smtp_data_opts o = { 0, 0, 0, 0 };
	struct smtp_data_result res;
	struct smtp_bdat b;
	struct sink s;
	size_t used;
	enum sk_result r;

	memset(&s, 0, sizeof(s));
	smtp_bdat_init(&b, &o, sink_out, &s);
	smtp_bdat_chunk(&b, 5, 0);
	r = smtp_bdat_update(&b, (const uint8_t *)"a\r\n.\r\nQUIT\r\n", 12,
	    &used);
	if (r != SK_OK || used != 5) {
		test_fail("chunk 1: got %s used %zu, want ok 5",
		    sk_result_str(r), used);
	}
	if (smtp_bdat_chunk(&b, 3, 1) != SK_OK) {
		test_fail("chunk 2 refused");
	}
	if (smtp_bdat_chunk(&b, 3, 1) != SK_E_SYNTAX) {
		test_fail("chunk inside chunk accepted");
	}
	smtp_bdat_update(&b, (const uint8_t *)"\nb", 2, &used);
	smtp_bdat_update(&b, (const uint8_t *)"\r", 1, &used);
	/* "a\r\n.\r" | "\nb\r": CR|LF across chunks is a CRLF, and
	 * the message may not end with a lone CR. */
	r = smtp_bdat_final(&b, &res);
	if (r != SK_E_SYNTAX || res.reply != SMTP_R_DATA_BARE_CR ||
	    s.len != 8) {
		test_fail("trailing CR: got %s %s, %zu octets",
		    sk_result_str(r), smtp_reply_name(res.reply), s.len);
	}
	/* final before the LAST chunk is complete: not a message */
	smtp_bdat_init(&b, &o, NULL, NULL);
	smtp_bdat_chunk(&b, 3, 1);
	smtp_bdat_update(&b, (const uint8_t *)"a", 1, &used);
	if (smtp_bdat_final(&b, &res) != SK_NEED_MORE) {
		test_fail("final inside chunk: want SK_NEED_MORE");
	}
	/* the lone LF at the start of chunk 2 follows "\r\n.\r" of chunk 1 */
	memset(&s, 0, sizeof(s));
	smtp_bdat_init(&b, &o, sink_out, &s);
	smtp_bdat_chunk(&b, 4, 0);
	smtp_bdat_update(&b, (const uint8_t *)"ab\r\n", 4, &used);
	smtp_bdat_chunk(&b, 3, 1);
	smtp_bdat_update(&b, (const uint8_t *)"c\r\n", 3, &used);
	r = smtp_bdat_final(&b, &res);
	if (r != SK_OK || s.len != 7 || memcmp(s.buf, "ab\r\nc\r\n", 7) != 0) {
		test_fail("clean: got %s, %zu octets", sk_result_str(r), s.len);
	}
	/* CR at the end of one chunk, LF at the start of the next: CRLF */
	smtp_bdat_init(&b, &o, NULL, NULL);
	smtp_bdat_chunk(&b, 2, 0);
	smtp_bdat_update(&b, (const uint8_t *)"a\r", 2, &used);
	smtp_bdat_chunk(&b, 1, 1);
	smtp_bdat_update(&b, (const uint8_t *)"\n", 1, &used);
	if (smtp_bdat_final(&b, &res) != SK_OK) {
		test_fail("CR|LF across chunks: got %s",
		    smtp_reply_name(res.reply));
	}
	/* bare LF: refused, and known before LAST */
	smtp_bdat_init(&b, &o, NULL, NULL);
	smtp_bdat_chunk(&b, 2, 0);
	smtp_bdat_update(&b, (const uint8_t *)"a\n", 2, &used);
	if (smtp_bdat_status(&b) != SMTP_R_DATA_BARE_LF) {
		test_fail("status got %s, want %s",
		    smtp_reply_name(smtp_bdat_status(&b)),
		    smtp_reply_name(SMTP_R_DATA_BARE_LF));
	}
	/* BINARYMIME: CR, LF and NUL are content */
	o.binary = 1;
	smtp_bdat_init(&b, &o, NULL, NULL);
	smtp_bdat_chunk(&b, 4, 1);
	smtp_bdat_update(&b, (const uint8_t *)"\0\n\r\r", 4, &used);
	if (smtp_bdat_final(&b, &res) != SK_OK) {
		test_fail("binary: got %s", smtp_reply_name(res.reply));
	}
}

const struct test_case test_cases[] = {
	{ "smtp_data_table", test_data_table },
	{ "smtp_data_size", test_data_size },
	{ "smtp_data_long_line", test_data_long_line },
	{ "smtp_data_received", test_data_received },
	{ "smtp_data_big", test_data_big },
	{ "smtp_bdat", test_bdat },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * queue_dsn_test.c - the DSN composer against golden files, and its
 * helpers (xtext, header length).
 *
 * Each case composes a report and compares it byte for byte with
 * testdata/dsn-NAME.ref. QUEUE_UPDATE_REF=1 rewrites the .ref files;
 * review the diff. The folder is found as every golden test finds its
 * own (test_transcript_dir: $SK_TOP, else upwards from the current
 * directory); the comparison is of bytes, not lines, since a DSN's CRLF
 * and 8-bit octets are what is tested (testdata/.gitattributes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg_types.h"
#include "queue_dsn.h"
#include "test.h"
#include "test_transcript.h"

#define OUT_MAX (256 * 1024)
#define DATE_MS INT64_C(1795000000000) /* Wed, 18 Nov 2026 11:06:40 UTC */

struct sink {
	char buf[OUT_MAX];
	size_t len;
};

static struct sink out;

static int
sink_write(void *arg, const void *p, size_t n)
{
	struct sink *s = arg;

	if (n > sizeof(s->buf) - s->len) {
		return -1;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

/* golden - compare out with testdata/dsn-name.ref (or rewrite it) */
static void
golden(const char *name)
{
	static char want[OUT_MAX];
	const char *dir = test_transcript_dir("queue/testdata");
	char path[TEST_TRANSCRIPT_PATH];
	size_t n, i;
	FILE *f;

	if (dir == NULL) {
		test_fail("firmware/queue/testdata not found (set SK_TOP)");
		return;
	}
	if (snprintf(path, sizeof(path), "%s/dsn-%s.ref", dir, name) >=
	    (int)sizeof(path)) {
		test_fail("path too long");
		return;
	}
	if (getenv("QUEUE_UPDATE_REF") != NULL) {
		f = fopen(path, "wb");
		if (f == NULL || fwrite(out.buf, 1, out.len, f) != out.len) {
			test_fail("cannot write %s", path);
		}
		if (f != NULL) {
			fclose(f);
		}
		return;
	}
	if ((f = fopen(path, "rb")) == NULL) {
		test_fail("%s: missing (QUEUE_UPDATE_REF=1 makes it)", path);
		return;
	}
	n = fread(want, 1, sizeof(want), f);
	fclose(f);
	for (i = 0; i < n && i < out.len && want[i] == out.buf[i]; i++) {
	}
	if (n != out.len || i != n) {
		test_fail("%s: differs at octet %zu (got %zu octets, want %zu)",
		    path, i, out.len, n);
	}
}

/* check_shape - CRLF everywhere outside the returned part, lines short */
static void
check_shape(size_t returned_from)
{
	size_t i, line = 0;

	for (i = 0; i < out.len && i < returned_from; i++) {
		if (out.buf[i] == '\n') {
			TEST_CHECK(i > 0 && out.buf[i - 1] == '\r',
			    "bare LF at %zu", i);
			line = 0;
			continue;
		}
		TEST_CHECK(++line <= 998, "line over 998 octets at %zu", i);
		if (line > 998) {
			return;
		}
	}
}

static const char message[] =
    "Received: from client.example (client.example [192.0.2.7])\r\n"
    "\tby mx.sekimori.test with ESMTP id 0123456789ABCDEF\r\n"
    "From: Alice <alice@client.example>\r\n"
    "To: Bob <bob@remote.example>\r\n"
    "Subject: Lunch\r\n"
    "Message-ID: <lunch.1@client.example>\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n";

static struct queue_dsn
base(const struct queue_dsn_rcpt *r, size_t n)
{
	struct queue_dsn d;

	memset(&d, 0, sizeof(d));
	d.server = "mx.sekimori.test";
	d.queue_id = "0123456789ABCDEF";
	d.new_id = "0123456789ABCDEG";
	d.sender = "alice@client.example";
	d.envid = "";
	d.ret = MSG_RET_NONE;
	d.body = MSG_BODY_7BIT;
	d.arrival_ms = DATE_MS - 3600000;
	d.date_ms = DATE_MS;
	d.rcpts = r;
	d.nrcpts = n;
	return d;
}

static void
compose(const struct queue_dsn *d, const char *content, size_t len,
    struct queue_dsn_info *info)
{
	out.len = 0;
	TEST_CHECK(queue_dsn_compose(d, (const uint8_t *)content, len,
		       sink_write, &out, info) == SK_OK,
	    "compose failed");
	TEST_CHECK(info->size == out.len, "size %zu, wrote %zu", info->size,
	    out.len);
}

static void
test_dsn_failure_full(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "bob@remote.example", "rfc822;Bob+2Bx@remote.example",
		    QUEUE_DSN_FAILED, "5.1.1",
		    "550 5.1.1 <bob@remote.example>: user unknown",
		    "mx.remote.example[198.51.100.25]:25", DATE_MS - 1000, 0 },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;

	d.envid = "lunch+2B1";
	compose(&d, message, strlen(message), &info);
	TEST_CHECK(info.returned_full && !info.eight_bit, "full %d, 8bit %d",
	    info.returned_full, info.eight_bit);
	check_shape(out.len);
	golden("failure-full");
}

static void
test_dsn_failure_hdrs(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "bob@remote.example", "", QUEUE_DSN_FAILED, "4.4.7",
		    "message expired after 120 hours in the queue; last reply: "
		    "connect to mx.remote.example: Connection refused",
		    "none", DATE_MS - 1000, 0 },
		{ "carol@other.example", "", QUEUE_DSN_RELAYED, "2.0.0",
		    "250 2.0.0 Ok: queued as 4ABC",
		    "mx.other.example[203.0.113.5]:25", DATE_MS - 2000, 0 },
	};
	struct queue_dsn d = base(r, 2);
	struct queue_dsn_info info;

	d.ret = MSG_RET_HDRS;
	compose(&d, message, strlen(message), &info);
	TEST_CHECK(!info.returned_full, "RET=HDRS returned the body");
	TEST_CHECK(strstr(out.buf, "Shall we meet") == NULL,
	    "the body came back");
	check_shape(out.len);
	golden("failure-hdrs");
}

static void
test_dsn_delay(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "bob@remote.example", "", QUEUE_DSN_DELAYED, "4.2.0",
		    "451 4.2.0 Mailbox busy, try later",
		    "mx.remote.example[198.51.100.25]:25", DATE_MS - 1000,
		    DATE_MS + 116 * INT64_C(3600000) },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;

	d.ret = MSG_RET_FULL; /* RET applies to failures only */
	compose(&d, message, strlen(message), &info);
	TEST_CHECK(!info.returned_full, "a delay report returned the body");
	check_shape(out.len);
	golden("delay");
}

static void
test_dsn_success(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "bob@remote.example", "", QUEUE_DSN_RELAYED, "2.0.0",
		    "250 2.0.0 Ok", "mx.remote.example[198.51.100.25]:25",
		    DATE_MS - 1000, 0 },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;

	compose(&d, message, strlen(message), &info);
	check_shape(out.len);
	golden("success");
}

/* test_dsn_hostile - stored data tries to break out of its field, and
 * the content holds the boundary the composer would choose first */
static void
test_dsn_hostile(void)
{
	static char content[4096], reply[3000];
	static const char evil[] =
	    "550 no\r\nBcc: victim@example.org\r\n\r\n--0123456789ABCDEG.0/"
	    "mx.sekimori.test--\r\n";
	struct queue_dsn_rcpt r[1] = {
		{ "bob\r\nX-Injected: 1@remote.example", "rfc822;bad+ZZxtext",
		    QUEUE_DSN_FAILED, "9.9.9", NULL, "evil[host]:25\r\nX: y", 0,
		    0 },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;

	memset(reply, 'x', sizeof(reply) - 1);
	memcpy(reply, evil, strlen(evil));
	r[0].reply = reply;
	snprintf(content, sizeof(content),
	    "Subject: \xe2\x98\x83 8-bit\r\n\r\n"
	    "--0123456789ABCDEG.0/mx.sekimori.test\r\nbody\r\n");
	compose(&d, content, strlen(content), &info);
	TEST_CHECK(strstr(out.buf, "\r\nBcc:") == NULL, "header injected");
	TEST_CHECK(strstr(out.buf, "\r\nX-Injected") == NULL,
	    "address injected a header");
	TEST_CHECK(strstr(out.buf, "boundary=\"0123456789ABCDEG.1/") != NULL,
	    "the boundary found in the content was used");
	TEST_CHECK(strstr(out.buf, "Status: 5.0.0\r\n") != NULL,
	    "a bad status was not replaced");
	TEST_CHECK(strstr(out.buf, "Original-Recipient") == NULL,
	    "a bad ORCPT was written");
	TEST_CHECK(info.eight_bit, "8-bit content not flagged");
	check_shape(out.len - strlen(content) - 64);
	golden("hostile");
}

static void
test_dsn_utf8(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "j\xc3\xb6rg@b\xc3\xbc"
		  "ro.example",
		    "", QUEUE_DSN_FAILED, "5.1.1", "550 5.1.1 unknown",
		    "mx.xn--bro-hoa.example[192.0.2.9]:25", DATE_MS - 1000, 0 },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;

	d.smtputf8 = 1;
	d.sender = "\xc3\xa5sa@client.example";
	compose(&d, message, strlen(message), &info);
	TEST_CHECK(info.eight_bit, "SMTPUTF8 report not 8bit");
	TEST_CHECK(strstr(out.buf, "Final-Recipient: utf-8; j\xc3\xb6rg@") !=
		NULL,
	    "UTF-8 address type missing");
	golden("utf8");
}

static void
test_dsn_large_and_binary(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "bob@remote.example", "", QUEUE_DSN_FAILED, "5.2.2",
		    "552 5.2.2 mailbox full", "", 0, 0 },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;
	char *big = malloc(QUEUE_DSN_FULL_MAX + 100);

	if (big == NULL) {
		test_fail("out of memory");
		return;
	}
	memset(big, 'a', QUEUE_DSN_FULL_MAX + 100);
	memcpy(big, "Subject: big\r\n\r\n", 16);
	compose(&d, big, QUEUE_DSN_FULL_MAX + 100, &info);
	TEST_CHECK(!info.returned_full && out.len < 8192,
	    "a message over QUEUE_DSN_FULL_MAX came back whole");
	d.body = MSG_BODY_BINARYMIME;
	compose(&d, message, strlen(message), &info);
	TEST_CHECK(!info.returned_full, "BINARYMIME content came back");
	free(big);
}

static void
test_dsn_sink_error(void)
{
	static const struct queue_dsn_rcpt r[] = {
		{ "bob@remote.example", "", QUEUE_DSN_FAILED, "5.0.0", "", "",
		    0, 0 },
	};
	struct queue_dsn d = base(r, 1);
	struct queue_dsn_info info;

	out.len = sizeof(out.buf) - 10; /* the sink fills up at once */
	TEST_CHECK(queue_dsn_compose(&d, (const uint8_t *)message,
		       strlen(message), sink_write, &out, &info) == SK_E_IO,
	    "a failing sink was not reported");
}

static void
test_header_len(void)
{
	static const struct {
		const char *in;
		size_t want;
	} cases[] = {
		{ "A: 1\r\nB: 2\r\n\r\nbody\r\n", 12 },
		{ "\r\nbody", 0 },
		{ "A: 1\r\nB: 2\r\n", 12 },
		{ "A: 1\r\nB: 2", 10 },
		{ "A: 1\nB: 2\n\nbody", 15 },
		{ "", 0 },
	};
	size_t i, got;
	uint8_t *big;

	for (i = 0; i < SK_NELEM(cases); i++) {
		got = queue_dsn_header_len((const uint8_t *)cases[i].in,
		    strlen(cases[i].in));
		TEST_CHECK(got == cases[i].want, "case %zu: got %zu, want %zu",
		    i, got, cases[i].want);
	}
	big = malloc(QUEUE_DSN_HEADERS_MAX * 2);
	if (big == NULL) {
		return;
	}
	for (i = 0; i < QUEUE_DSN_HEADERS_MAX * 2; i++) {
		big[i] = i % 100 == 98 ? '\r' : i % 100 == 99 ? '\n' : 'h';
	}
	got = queue_dsn_header_len(big, QUEUE_DSN_HEADERS_MAX * 2);
	TEST_CHECK(got <= QUEUE_DSN_HEADERS_MAX && got % 100 == 0,
	    "endless header: got %zu", got);
	free(big);
}

static void
test_xtext(void)
{
	char o[16];

	TEST_CHECK(queue_xtext_decode("a+2Bb+3D", o, sizeof(o)) == 0 &&
		strcmp(o, "a+b=") == 0,
	    "got %s", o);
	TEST_CHECK(queue_xtext_decode("a+2", o, sizeof(o)) == -1,
	    "short escape accepted");
	TEST_CHECK(queue_xtext_decode("a+2b", o, sizeof(o)) == -1,
	    "lower-case hex accepted (RFC 3461 4)");
	TEST_CHECK(queue_xtext_decode("a+00", o, sizeof(o)) == -1,
	    "NUL accepted");
	TEST_CHECK(queue_xtext_decode("0123456789abcdef", o, sizeof(o)) == -1,
	    "overflow accepted");
	TEST_CHECK(queue_xtext_decode("", o, sizeof(o)) == 0 && o[0] == '\0',
	    "empty");
}

const struct test_case test_cases[] = {
	{ "queue_dsn_failure_full", test_dsn_failure_full },
	{ "queue_dsn_failure_hdrs", test_dsn_failure_hdrs },
	{ "queue_dsn_delay", test_dsn_delay },
	{ "queue_dsn_success", test_dsn_success },
	{ "queue_dsn_hostile", test_dsn_hostile },
	{ "queue_dsn_utf8", test_dsn_utf8 },
	{ "queue_dsn_large_and_binary", test_dsn_large_and_binary },
	{ "queue_dsn_sink_error", test_dsn_sink_error },
	{ "queue_dsn_header_len", test_header_len },
	{ "queue_xtext", test_xtext },
};
const size_t test_ncases = SK_NELEM(test_cases);

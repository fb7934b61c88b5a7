/*
 * smtp_received_test.c - golden tests of the Received header field,
 * its refusals, the folding rules, protocol names and RFC 5952 text.
 *
 * Each golden case is written out in full, CRLFs and TABs included: the
 * formatter's output depends on its inputs only (time passed in).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp_received.h"
#include "test.h"

#define T_2026 INT64_C(1795600800) /* Wed, 25 Nov 2026 10:00:00 UTC */
#define T_LEAP INT64_C(951868799)  /* Tue, 29 Feb 2000 23:59:59 UTC */

#define TLS12 "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 128, 128
#define TLS13 "TLSv1.3", "TLS_AES_256_GCM_SHA384", 256, 256
#define NOTLS NULL, NULL, 0, 0

#define LONG63 "a23456789012345678901234567890123456789012345678901234567890123"
#define LONG_HOST LONG63 "." LONG63 "." LONG63 "." LONG63 /* 255 */

struct rx_case {
	const char *name;
	const char *helo, *client_name, *client, *server;
	int esmtp, tls, authed, utf8;
	const char *tls_version, *tls_cipher;
	unsigned bits, alg_bits;
	const char *queue_id;
	const char *rcpt; /* a path, parsed with SMTPUTF8 allowed; NULL */
	int64_t time;
	int tz;
	const char *want;
};

static const struct rx_case rx_cases[] = {
	{ "esmtp", "mail.example.org", "mail.example.org", "192.0.2.1",
	    "mx.example.com", 1, 0, 0, 0, NOTLS, "4ABC123",
	    "<alice@example.com>", T_2026, 0,
	    "Received: from mail.example.org (mail.example.org [192.0.2.1])\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id 4ABC123 for "
	    "<alice@example.com>;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "esmtpsa", "mail.example.org", "mail.example.org", "192.0.2.1",
	    "mx.example.com", 1, 1, 1, 0, TLS12, "4ABC123",
	    "<alice@example.com>", T_2026, 540,
	    "Received: from mail.example.org (mail.example.org [192.0.2.1])\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTPSA\r\n"
	    "\t(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 "
	    "bits))\r\n"
	    "\tid 4ABC123 for <alice@example.com>; Wed, 25 Nov 2026 19:00:00 "
	    "+0900\r\n" },
	{ "helo_many_rcpts", "relay.example.net", NULL, "198.51.100.20",
	    "mx.example.com", 0, 0, 0, 0, NOTLS, "Q1", NULL, T_2026, -270,
	    "Received: from relay.example.net (unknown [198.51.100.20])\r\n"
	    "\tby mx.example.com (Sekimori) with SMTP id Q1; Wed, 25 Nov 2026 "
	    "05:30:00 -0430\r\n" },
	{ "ipv6_literal_helo", "[IPv6:2001:db8::1]", "host6.example.org",
	    "2001:db8:0:0:0:0:0:1", "mx.example.com", 1, 1, 0, 0, TLS13, "X9",
	    "<bob@example.com>", T_LEAP, 0,
	    "Received: from [IPv6:2001:db8::1] (host6.example.org "
	    "[IPv6:2001:db8::1])\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTPS\r\n"
	    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 "
	    "bits)) id X9\r\n"
	    "\tfor <bob@example.com>; Tue, 29 Feb 2000 23:59:59 +0000\r\n" },
	{ "ipv4_mapped", "[192.0.2.7]", NULL, "::ffff:192.0.2.7",
	    "mx.example.com", 1, 0, 0, 0, NOTLS, NULL, NULL, T_2026, 0,
	    "Received: from [192.0.2.7] (unknown [192.0.2.7]) by "
	    "mx.example.com "
	    "(Sekimori)\r\n"
	    "\twith ESMTP; Wed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "helo_not_a_domain", "WIN_PC", "pc7.example.org", "192.0.2.9",
	    "mx.example.com", 1, 0, 0, 0, NOTLS, "Q2", NULL, T_2026, 0,
	    "Received: from unknown (pc7.example.org [192.0.2.9] "
	    "helo=WIN_PC)\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q2;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "helo_escaped", "a(b)\\c)(", NULL, "192.0.2.9", "mx.example.com", 1,
	    0, 0, 0, NOTLS, "Q3", NULL, T_2026, 0,
	    "Received: from unknown (unknown [192.0.2.9] "
	    "helo=a\\(b\\)\\\\c\\)\\()\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q3;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "helo_controls", "a\r\nX-Evil: 1\tb\x01", NULL, "192.0.2.9",
	    "mx.example.com", 1, 0, 0, 0, NOTLS, "Q4", NULL, T_2026, 0,
	    "Received: from unknown (unknown [192.0.2.9] "
	    "helo=a??X-Evil:?1?b?)\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q4;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "helo_utf8_ascii_session",
	    "b\xc3\xbc"
	    "cher.example",
	    NULL, "192.0.2.9", "mx.example.com", 1, 0, 0, 0, NOTLS, "Q5", NULL,
	    T_2026, 0,
	    "Received: from unknown (unknown [192.0.2.9] "
	    "helo=b??cher.example)\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q5;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "utf8smtpsa",
	    "b\xc3\xbc"
	    "cher.example",
	    "mail.xn--bcher-kva.example", "192.0.2.9", "mx.example.com", 1, 1,
	    1, 1, TLS13, "Q6",
	    "<j\xc3\xbcrgen@b\xc3\xbc"
	    "cher.example>",
	    T_2026, 60,
	    "Received: from unknown (mail.xn--bcher-kva.example [192.0.2.9]\r\n"
	    "\thelo=b\xc3\xbc"
	    "cher.example) by mx.example.com (Sekimori) with UTF8SMTPSA\r\n"
	    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 "
	    "bits)) id Q6\r\n"
	    "\tfor <j\xc3\xbcrgen@b\xc3\xbc"
	    "cher.example>; Wed, 25 Nov 2026 11:00:00 +0100\r\n" },
	{ "bad_client_name", "mail.example.org", "evil) (x", "192.0.2.1",
	    "mx.example.com", 1, 0, 0, 0, NOTLS, "Q7", NULL, T_2026, 0,
	    "Received: from mail.example.org (unknown [192.0.2.1])\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q7;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "quoted_rcpt", "mail.example.org", NULL, "192.0.2.1",
	    "mx.example.com", 1, 0, 0, 0, NOTLS, "Q8",
	    "<\"a  b\\\"c\"@example.com>", T_2026, 0,
	    "Received: from mail.example.org (unknown [192.0.2.1])\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q8 for "
	    "<\"a  b\\\"c\"@example.com>;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "postmaster", "mail.example.org", NULL, "192.0.2.1", "mx.example.com",
	    1, 0, 0, 0, NOTLS, "Q9", "<Postmaster>", T_2026, 0,
	    "Received: from mail.example.org (unknown [192.0.2.1])\r\n"
	    "\tby mx.example.com (Sekimori) with ESMTP id Q9 for "
	    "<Postmaster>;\r\n"
	    "\tWed, 25 Nov 2026 10:00:00 +0000\r\n" },
	{ "long_names", LONG_HOST, LONG_HOST,
	    "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", LONG_HOST, 1, 0, 0, 0,
	    NOTLS, "Q10", NULL, T_2026, 0,
	    "Received: from\r\n\t" LONG_HOST "\r\n\t(" LONG_HOST
	    "\r\n\t[IPv6:2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]) "
	    "by\r\n\t" LONG_HOST
	    "\r\n\t(Sekimori) with ESMTP id Q10; Wed, 25 Nov 2026 10:00:00 "
	    "+0000\r\n" },
};

/* run - format one case into out; the result */
static enum sk_result
run(const struct rx_case *c, char *out, size_t cap, size_t *len)
{
	struct smtp_received r;
	struct smtp_addr a;

	memset(&r, 0, sizeof(r));
	r.helo = c->helo;
	r.client_name = c->client_name;
	if (inet_pton(AF_INET, c->client, r.client.addr) == 1) {
		r.client.family = AF_INET;
	} else if (inet_pton(AF_INET6, c->client, r.client.addr) == 1) {
		r.client.family = AF_INET6;
	}
	r.server = c->server;
	r.esmtp = c->esmtp;
	r.tls = c->tls;
	r.authenticated = c->authed;
	r.utf8 = c->utf8;
	r.tls_version = c->tls_version;
	r.tls_cipher = c->tls_cipher;
	r.tls_bits = c->bits;
	r.tls_alg_bits = c->alg_bits;
	r.queue_id = c->queue_id;
	if (c->rcpt != NULL) {
		if (smtp_addr_parse((const uint8_t *)c->rcpt, strlen(c->rcpt),
			SMTP_ADDR_OPT_UTF8 | SMTP_ADDR_OPT_POSTMASTER,
			&a) != SK_OK) {
			test_fail("%s: rcpt %s does not parse", c->name,
			    c->rcpt);
			return SK_E_SYNTAX;
		}
		r.rcpt = &a;
	}
	r.time = c->time;
	r.tz_minutes = c->tz;
	return smtp_received_format(&r, out, cap, len);
}

/*
 * check_shape - the field is well formed: CRLF line ends and nothing
 * else of CR or LF, continuation lines start with a TAB, lines at most
 * SMTP_RECEIVED_LINE_MAX octets unless they hold a single word.
 */
static void
check_shape(const char *name, const char *f, size_t len)
{
	size_t start = 0, i, n;

	TEST_CHECK(len >= 2 && f[len - 2] == '\r' && f[len - 1] == '\n',
	    "%s: no CRLF at the end", name);
	for (i = 0; i < len; i++) {
		if (f[i] == '\n' || (f[i] == '\r' && f[i + 1] != '\n')) {
			TEST_CHECK(i > 0 && f[i - 1] == '\r',
			    "%s: bare CR or LF at %zu", name, i);
		}
		if (f[i] != '\r') {
			continue;
		}
		n = i - start;
		TEST_CHECK(n <= SMTP_RECEIVED_LINE_MAX ||
			memchr(f + start + 1, ' ', n - 1) == NULL,
		    "%s: line of %zu octets with room to fold", name, n);
		TEST_CHECK(start == 0 || f[start] == '\t',
		    "%s: continuation without TAB", name);
		start = i + 2;
	}
}

/* test_golden - every rx_case, whole */
static void
test_golden(void)
{
	char out[SMTP_RECEIVED_MAX];
	size_t i, len;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(rx_cases); i++) {
		const struct rx_case *c = &rx_cases[i];

		r = run(c, out, sizeof(out), &len);
		TEST_CHECK(r == SK_OK, "%s: %s", c->name, sk_result_str(r));
		if (r != SK_OK) {
			continue;
		}
		TEST_CHECK(len == strlen(out) && strcmp(out, c->want) == 0,
		    "%s: got\n%s\nwant\n%s", c->name, out, c->want);
		check_shape(c->name, out, len);
	}
}

/* an error case: one field changed from a good base */
struct rx_bad {
	const char *name;
	int field;
	const char *value;
	enum sk_result want;
};

enum { F_SERVER, F_QID, F_TLSV, F_CIPHER, F_RCPT, F_CLIENT, F_HELO };

static const struct rx_bad rx_bads[] = {
	{ "server with space", F_SERVER, "mx example.com", SK_E_SYNTAX },
	{ "server with CRLF", F_SERVER, "mx.example.com\r\nX: y", SK_E_SYNTAX },
	{ "server empty", F_SERVER, "", SK_E_SYNTAX },
	{ "server NULL", F_SERVER, NULL, SK_E_SYNTAX },
	{ "server label over 63", F_SERVER, LONG63 "4.example", SK_E_SYNTAX },
	{ "server over 255", F_SERVER, LONG_HOST ".a", SK_E_SYNTAX },
	{ "server hyphen", F_SERVER, "-mx.example.com", SK_E_SYNTAX },
	{ "queue id with dash", F_QID, "Q-1", SK_E_SYNTAX },
	{ "queue id empty", F_QID, "", SK_E_SYNTAX },
	{ "queue id over 64", F_QID,
	    "12345678901234567890123456789012345678901234567890123456789012345",
	    SK_E_SYNTAX },
	{ "TLS version with CRLF", F_TLSV, "TLSv1.2\r\n", SK_E_SYNTAX },
	{ "TLS version NULL", F_TLSV, NULL, SK_E_SYNTAX },
	{ "cipher with paren", F_CIPHER, "AES)", SK_E_SYNTAX },
	{ "rcpt not ASCII", F_RCPT, "<j\xc3\xbcrgen@example.com>",
	    SK_E_SYNTAX },
	{ "no client address", F_CLIENT, "", SK_E_SYNTAX },
	{ "no HELO", F_HELO, NULL, SK_E_SYNTAX },
};

/* test_refused - values that cannot go into the header */
static void
test_refused(void)
{
	struct rx_case c = rx_cases[1];
	char out[SMTP_RECEIVED_MAX];
	size_t i, len;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(rx_bads); i++) {
		const struct rx_bad *b = &rx_bads[i];

		c = rx_cases[1];
		c.utf8 = 0;
		switch (b->field) {
		case F_SERVER:
			c.server = b->value;
			break;
		case F_QID:
			c.queue_id = b->value;
			break;
		case F_TLSV:
			c.tls_version = b->value;
			break;
		case F_CIPHER:
			c.tls_cipher = b->value;
			break;
		case F_RCPT:
			c.rcpt = b->value;
			break;
		case F_CLIENT:
			c.client = b->value;
			break;
		case F_HELO:
			c.helo = b->value;
			break;
		}
		out[0] = 'x';
		len = 99;
		r = run(&c, out, sizeof(out), &len);
		TEST_CHECK(r == b->want && out[0] == '\0' && len == 0,
		    "%s: got %s, want %s", b->name, sk_result_str(r),
		    sk_result_str(b->want));
	}
}

/* test_time - range of time and offset, and a small buffer */
static void
test_time(void)
{
	struct rx_case c = rx_cases[0];
	char out[SMTP_RECEIVED_MAX];
	size_t len, need;

	c.tz = 1440;
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_E_RANGE, "tz 1440");
	c.tz = -1440;
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_E_RANGE, "tz -1440");
	c.tz = 0;
	c.time = -1;
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_E_RANGE, "time -1");
	c.time = INT64_C(253402300799);
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_OK &&
		strstr(out, "Fri, 31 Dec 9999 23:59:59 +0000") != NULL,
	    "the last second of 9999");
	c.tz = 1;
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_E_RANGE,
	    "past 9999 by the offset");
	c.tz = -1439;
	c.time = 0;
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_E_RANGE,
	    "before 1970 by the offset");
	c.tz = 1439;
	TEST_CHECK(run(&c, out, sizeof(out), &len) == SK_OK &&
		strstr(out, "Thu, 1 Jan 1970 23:59:00 +2359") != NULL,
	    "+2359: %s", out);
	/* exactly enough room, and one octet less */
	c = rx_cases[0];
	run(&c, out, sizeof(out), &need);
	TEST_CHECK(run(&c, out, need + 1, &len) == SK_OK && len == need,
	    "exact room");
	TEST_CHECK(run(&c, out, need, &len) == SK_E_FULL && len == 0 &&
		out[0] == '\0',
	    "one octet short");
	TEST_CHECK(run(&c, out, 0, &len) == SK_E_FULL, "no room");
}

/* test_longest - the longest inputs fit SMTP_RECEIVED_MAX */
static void
test_longest(void)
{
	char helo[300], local[70], rcpt[400], out[SMTP_RECEIVED_MAX];
	struct rx_case c = rx_cases[1];
	size_t len;
	enum sk_result r;

	memset(helo, '(', 255);
	helo[255] = '\0';
	memset(local, 'l', 64);
	local[64] = '\0';
	/* RFC 5321 4.5.3.1.3: the path is at most 256 octets */
	snprintf(rcpt, sizeof(rcpt), "<%s@%s.%s.%.61s>", local, LONG63, LONG63,
	    LONG63);
	c.helo = helo;
	c.client_name = LONG_HOST;
	c.client = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff";
	c.server = LONG_HOST;
	c.tls_version = "v" LONG63;
	c.tls_cipher = "X" LONG63;
	c.bits = c.alg_bits = 4000000000u;
	c.queue_id = "Q" LONG63;
	c.rcpt = rcpt;
	r = run(&c, out, sizeof(out), &len);
	TEST_CHECK(r == SK_OK, "longest: %s", sk_result_str(r));
	if (r == SK_OK) {
		check_shape("longest", out, len);
	}
}

/* test_protocol - RFC 3848 and RFC 6531 names */
static void
test_protocol(void)
{
	static const char *const want[16] = { /* esmtp=0: always SMTP */
		"SMTP", "SMTP", "SMTP", "SMTP", "SMTP", "SMTP", "SMTP", "SMTP",
		/* esmtp=1, by tls, authenticated, utf8 */
		"ESMTP", "UTF8SMTP", "ESMTPA", "UTF8SMTPA", "ESMTPS",
		"UTF8SMTPS", "ESMTPSA", "UTF8SMTPSA"
	};
	unsigned i;

	for (i = 0; i < 16; i++) {
		const char *got = smtp_received_protocol(i >> 3 & 1, i >> 2 & 1,
		    i >> 1 & 1, i & 1);

		TEST_CHECK(strcmp(got, want[i]) == 0, "%u: got %s, want %s", i,
		    got, want[i]);
	}
}

/* test_ip_text - RFC 5952 4 canonical text */
static void
test_ip_text(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "2001:db8::1", "2001:db8::1" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
		{ "2001:db8:1:0:1:1:1:0", "2001:db8:1:0:1:1:1:0" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "1::", "1::" },
		{ "fe80::", "fe80::" },
		{ "0:0:1:0:0:0:1:0", "0:0:1::1:0" },
		{ "1:0:0:2:0:0:3:4", "1::2:0:0:3:4" },
		{ "::ffff:192.0.2.1", "192.0.2.1" },
		{ "::192.0.2.1", "::c000:201" },
		{ "64:ff9b::192.0.2.1", "64:ff9b::c000:201" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
	};
	struct smtp_ip ip;
	char out[48];
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		memset(&ip, 0, sizeof(ip));
		ip.family = inet_pton(AF_INET, cases[i].in, ip.addr) == 1 ?
		    AF_INET :
		    AF_INET6;
		if (ip.family == AF_INET6) {
			inet_pton(AF_INET6, cases[i].in, ip.addr);
		}
		TEST_CHECK(smtp_received_ip(&ip, out, sizeof(out), NULL) ==
			    SK_OK &&
			strcmp(out, cases[i].want) == 0,
		    "%s: got %s, want %s", cases[i].in, out, cases[i].want);
	}
	ip.family = 0;
	TEST_CHECK(smtp_received_ip(&ip, out, sizeof(out), NULL) == SK_E_SYNTAX,
	    "family 0");
	ip.family = AF_INET;
	TEST_CHECK(smtp_received_ip(&ip, out, 4, NULL) == SK_E_FULL, "room");
}

const struct test_case test_cases[] = {
	{ "smtp_received_golden", test_golden },
	{ "smtp_received_refused", test_refused },
	{ "smtp_received_time", test_time },
	{ "smtp_received_longest", test_longest },
	{ "smtp_received_protocol", test_protocol },
	{ "smtp_received_ip_text", test_ip_text },
};
const size_t test_ncases = SK_NELEM(test_cases);

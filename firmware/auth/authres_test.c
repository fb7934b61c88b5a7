/*
 * authres_test.c - Authentication-Results unit tests: the parser over a
 * table of good and bad values (comments, quoted strings, versions, the
 * RFC 8601 appendix B forms), the authserv-id check of RFC 8601 5, the
 * ARC-Authentication-Results prefix, and the builder (quoting, folding
 * at 78 columns, every method) parsed back.
 */
#include <stdio.h>
#include <string.h>

#include "authres.h"
#include "test.h"

static struct authres t_ar;

static enum sk_result
parse(const char *s)
{
	return authres_parse(&t_ar, (const uint8_t *)s, strlen(s));
}

static void
test_parse_table(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		const char *id;
		size_t nres;
	} rows[] = {
		{ " example.org 1; none", SK_OK, "example.org", 0 },
		{ " example.com; none\r\n", SK_OK, "example.com", 0 },
		{ " example.com;\r\n\tspf=pass smtp.mailfrom=example.net",
		    SK_OK, "example.com", 1 },
		{ " example.com; auth=pass (cram-md5) smtp.auth=sender@"
		  "example.net; spf=pass smtp.mailfrom=example.net",
		    SK_OK, "example.com", 2 },
		{ " example.com; sender-id=pass header.from=example.net", SK_OK,
		    "example.com", 1 },
		{ " example.com; sender-id=hardfail header.from=example.net;"
		  "\r\n dkim=pass (good signature) header.d=example.net",
		    SK_OK, "example.com", 2 },
		{ " mail-router.example.net; dkim=pass (good signature) "
		  "header.d=newyork.example.com header.b=oINEO8hg; "
		  "dkim=fail (bad signature) header.d=newyork.example.com "
		  "header.b=EToRSuvU",
		    SK_OK, "mail-router.example.net", 2 },
		{ " (a (nested) comment) \"quoted id\" 2 (v); dkim/1=pass "
		  "reason=\"it \\\"was\\\" fine\" header.i=\"joe x\"@"
		  "example.com",
		    SK_OK, "quoted id", 1 },
		{ " mx.google.com; dkim=pass header.i=@gmail.com "
		  "header.s=20230601 header.b=kW3x/g+Y; spf=pass "
		  "(google.com: domain of a@b.c designates 1.2.3.4 as "
		  "permitted sender) smtp.mailfrom=a@b.c; dmarc=pass "
		  "(p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com;",
		    SK_OK, "mx.google.com", 3 },
		{ " example.com", SK_E_SYNTAX, NULL, 0 },       /* no ";" */
		{ " example.com;", SK_E_SYNTAX, NULL, 0 },      /* nothing */
		{ " example.com; spf", SK_E_SYNTAX, NULL, 0 },  /* no = */
		{ " example.com; spf=", SK_E_SYNTAX, NULL, 0 }, /* no result */
		{ " example.com; spf=pass smtp", SK_E_SYNTAX, NULL, 0 },
		{ " example.com; spf=pass smtp.mailfrom=", SK_E_SYNTAX, NULL,
		    0 },
		{ " example.com; spf=passsmtp.mailfrom=a", SK_E_SYNTAX, NULL,
		    0 },
		{ " example.com; dmarc=pass action=none header.from=x",
		    SK_E_SYNTAX, NULL, 0 }, /* "action" is no propspec */
		{ " (open comment; spf=pass", SK_E_SYNTAX, NULL, 0 },
		{ " \"open quote; spf=pass", SK_E_SYNTAX, NULL, 0 },
		{ " example.com; spf=pass\r\nsmtp.mailfrom=a", SK_E_SYNTAX,
		    NULL, 0 }, /* a CRLF that is no fold */
		{ " example.com; spf-=pass", SK_E_SYNTAX, NULL, 0 },
		{ " example.com; spf=pass smtp.mailfrom=a@@b", SK_E_SYNTAX,
		    NULL, 0 },
		{ " ((((((((((deep)))))))))) example.com; none", SK_E_TOO_LONG,
		    NULL, 0 },
		{ "", SK_E_SYNTAX, NULL, 0 },
	};
	size_t i;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(rows); i++) {
		r = parse(rows[i].in);
		TEST_CHECK(r == rows[i].want, "row %zu: got %s, want %s (%s)",
		    i, sk_result_str(r), sk_result_str(rows[i].want),
		    t_ar.err != NULL ? t_ar.err : "");
		if (r != SK_OK || rows[i].id == NULL) {
			continue;
		}
		TEST_CHECK(strcmp(t_ar.id, rows[i].id) == 0,
		    "row %zu: id %s, want %s", i, t_ar.id, rows[i].id);
		TEST_CHECK(t_ar.nres == rows[i].nres,
		    "row %zu: %zu results, want %zu", i, t_ar.nres,
		    rows[i].nres);
	}
}

static void
test_parse_fields(void)
{
	const struct authres_res *r;

	if (parse(" example.org 1; dkim/2=PASS reason=\"ok\" header.d="
		  "example.net header.b=\"ab/cd\"; none=x") != SK_OK) {
		test_fail("parse: %s", t_ar.err);
		return;
	}
	TEST_CHECK(t_ar.has_version && t_ar.version == 1, "version %u",
	    t_ar.version);
	r = &t_ar.res[0];
	TEST_CHECK(strcmp(r->method, "dkim") == 0 && r->method_version == 2,
	    "method %s/%u", r->method, r->method_version);
	TEST_CHECK(strcmp(r->result, "pass") == 0, "result %s", r->result);
	TEST_CHECK(strcmp(r->reason, "ok") == 0, "reason %s", r->reason);
	TEST_CHECK(r->nprop == 2 && strcmp(r->prop[1].value, "ab/cd") == 0 &&
		strcmp(r->prop[0].ptype, "header") == 0 &&
		strcmp(r->prop[0].property, "d") == 0,
	    "props %zu", r->nprop);
	TEST_CHECK(t_ar.nres == 2 && strcmp(t_ar.res[1].method, "none") == 0,
	    "a method named none");
}

static void
test_is_ours(void)
{
	static const struct {
		const char *in;
		int want;
	} rows[] = {
		{ " mx.example.com; spf=pass smtp.mailfrom=a", 1 },
		{ " MX.Example.COM; none", 1 },
		{ "(forged) mx.example.com;spf=pass smtp.mailfrom=a", 1 },
		{ " \"mx.example.com\"; none", 1 },
		{ " mx.example.com 1; garbage that does not parse", 1 },
		{ " mx.example.com.evil; none", 0 },
		{ " other.example; none", 0 },
		{ " (unterminated mx.example.com; none", 0 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(rows); i++) {
		int got = authres_is_ours((const uint8_t *)rows[i].in,
		    strlen(rows[i].in), "mx.example.com");

		TEST_CHECK(got == rows[i].want, "row %zu: got %d, want %d", i,
		    got, rows[i].want);
	}
}

static void
test_aar(void)
{
	static const char good[] = " i=2; lists.example.org;\r\n"
				   "\tspf=pass smtp.mailfrom=jqd@d1.example;"
				   " dkim=pass (1024-bit key) header.i=@d1."
				   "example; dmarc=pass";
	unsigned inst = 0;
	enum sk_result r;

	r = authres_parse_aar(&t_ar, &inst, (const uint8_t *)good,
	    strlen(good));
	TEST_CHECK(r == SK_OK && inst == 2 && t_ar.nres == 3 &&
		strcmp(t_ar.id, "lists.example.org") == 0,
	    "good: %s %u %s", sk_result_str(r), inst, t_ar.err);
	r = authres_parse_aar(&t_ar, &inst, (const uint8_t *)" i=51; x; none",
	    14);
	TEST_CHECK(r == SK_E_SYNTAX, "i=51: got %s", sk_result_str(r));
	r = authres_parse_aar(&t_ar, &inst, (const uint8_t *)" x; none", 8);
	TEST_CHECK(r == SK_E_SYNTAX, "no i=: got %s", sk_result_str(r));
	inst = 0;
	r = authres_parse_aar(&t_ar, &inst, (const uint8_t *)" i=3; x;", 8);
	TEST_CHECK(r == SK_E_SYNTAX && inst == 3, "bad payload: %s %u",
	    sk_result_str(r), inst);
}

/* check_lines - every line at most 78 columns, folds start with a tab */
static void
check_lines(const char *s)
{
	const char *p = s, *nl;

	while ((nl = strstr(p, "\r\n")) != NULL) {
		TEST_CHECK(nl - p <= AUTHRES_COLS, "line of %d columns: %.*s",
		    (int)(nl - p), (int)(nl - p), p);
		p = nl + 2;
		TEST_CHECK(*p == '\0' || *p == '\t', "fold without a tab");
	}
	TEST_CHECK(*p == '\0', "no final CRLF");
}

static void
test_build(void)
{
	static const uint8_t sig[] = { 0xfb, 0xff, 0x10, 0x20, 0x30, 0x40,
		0x50 };
	struct authres_builder b;
	char out[2048];
	const char *colon;
	size_t n = 0;
	enum sk_result r;

	authres_begin(&b, out, sizeof(out), "Authentication-Results", 0,
	    "mx.example.com");
	authres_spf(&b, "pass", "user@example.net", "helo.example.net");
	authres_dkim(&b, "pass", "example.net", "sel", sig, sizeof(sig));
	authres_dmarc(&b, "fail", "example.net", "reject");
	authres_arc(&b, "pass", "192.0.2.1", 1, 0);
	authres_iprev(&b, "pass", "2001:db8::1");
	authres_result(&b, "auth", "pass");
	authres_reason(&b, "said \"ok\"; fine");
	r = authres_end(&b, &n);
	TEST_CHECK(r == SK_OK && n == strlen(out), "end: %s", sk_result_str(r));
	check_lines(out);
	TEST_CHECK(strstr(out, "header.b=\"+/8QIDBA\"") != NULL,
	    "b prefix quoted: %s", out);
	TEST_CHECK(strstr(out, "smtp.mailfrom=user@example.net") != NULL,
	    "mailfrom bare: %s", out);
	TEST_CHECK(strstr(out, "header.oldest-pass=0") != NULL &&
		strstr(out, "smtp.remote-ip=192.0.2.1") != NULL,
	    "arc: %s", out);
	TEST_CHECK(strstr(out, "policy.iprev=\"2001:db8::1\"") != NULL,
	    "iprev quoted (\":\" is a tspecial): %s", out);
	colon = strchr(out, ':');
	r = authres_parse(&t_ar, (const uint8_t *)colon + 1,
	    n - 1 - (size_t)(colon - out));
	TEST_CHECK(r == SK_OK && t_ar.nres == 6, "parse back: %s %s %zu\n%s",
	    sk_result_str(r), t_ar.err, t_ar.nres, out);
	TEST_CHECK(strcmp(t_ar.res[5].reason, "said \"ok\"; fine") == 0,
	    "reason back: %s", t_ar.res[5].reason);
	TEST_CHECK(strcmp(t_ar.res[1].prop[2].value, "+/8QIDBA") == 0,
	    "b back: %s", t_ar.res[1].prop[2].value);

	/* a reason is an RFC 2045 value, where "@" is a tspecial: quoted,
	 * unlike a property's bare mailbox (found by fuzz_authres) */
	authres_begin(&b, out, sizeof(out), "Authentication-Results", 0,
	    "mx.example.com");
	authres_result(&b, "spf", "fail");
	authres_reason(&b, "@!x");
	r = authres_end(&b, &n);
	TEST_CHECK(r == SK_OK && strstr(out, "reason=\"@!x\"") != NULL,
	    "reason with \"@\" not quoted: %s", out);

	/* no results: "; none"; an AAR prefix; a quoted id */
	authres_begin(&b, out, sizeof(out), "ARC-Authentication-Results", 3,
	    "odd id");
	r = authres_end(&b, &n);
	TEST_CHECK(r == SK_OK &&
		strcmp(out,
		    "ARC-Authentication-Results: i=3; \"odd id\"; none\r\n") ==
		    0,
	    "none: %s", out);

	/* too small, bad keyword */
	authres_begin(&b, out, 20, "Authentication-Results", 0, "x");
	authres_spf(&b, "pass", "a@b", NULL);
	TEST_CHECK(authres_end(&b, &n) == SK_E_TOO_LONG, "small buffer");
	authres_begin(&b, out, sizeof(out), "Authentication-Results", 0, "x");
	authres_result(&b, "sp f", "pass");
	TEST_CHECK(authres_end(&b, &n) == SK_E_SYNTAX, "bad method");
}

static void
test_fold_long(void)
{
	struct authres_builder b;
	char out[4096], d[80];
	size_t n, i;

	authres_begin(&b, out, sizeof(out), "Authentication-Results", 0,
	    "mx.example.com");
	for (i = 0; i < 8; i++) {
		snprintf(d, sizeof(d),
		    "sub%zu.a-rather-long-domain-name."
		    "example.com",
		    i);
		authres_dkim(&b, "pass", d, "selector2024", NULL, 0);
	}
	TEST_CHECK(authres_end(&b, &n) == SK_OK, "end");
	check_lines(out);
	TEST_CHECK(authres_parse(&t_ar, (const uint8_t *)strchr(out, ':') + 1,
		       strlen(strchr(out, ':') + 1)) == SK_OK &&
		t_ar.nres == 8,
	    "parse back: %s", t_ar.err);
}

const struct test_case test_cases[] = {
	{ "authres_parse_table", test_parse_table },
	{ "authres_parse_fields", test_parse_fields },
	{ "authres_is_ours", test_is_ours },
	{ "authres_aar", test_aar },
	{ "authres_build", test_build },
	{ "authres_fold_long", test_fold_long },
};
const size_t test_ncases = SK_NELEM(test_cases);

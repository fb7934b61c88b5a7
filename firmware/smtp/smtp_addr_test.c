/*
 * smtp_addr_test.c - table tests of the RFC 5321 path parser.
 */
#include <string.h>

#include "smtp_addr.h"
#include "test.h"

#define NUL_OK SMTP_ADDR_OPT_NULL_OK
#define PM SMTP_ADDR_OPT_POSTMASTER
#define U8 SMTP_ADDR_OPT_UTF8

struct addr_case {
	const char *in;
	unsigned opts;
	enum sk_result want;
	const char *local, *domain; /* for SK_OK */
	unsigned flags;             /* for SK_OK: exact flags */
};

static const struct addr_case addr_cases[] = {
	/* plain forms */
	{ "<user@example.org>", 0, SK_OK, "user", "example.org", 0 },
	{ "<User.Name+tag@Example.ORG>", 0, SK_OK, "User.Name+tag",
	    "example.org", 0 },
	{ "<a@b>", 0, SK_OK, "a", "b", 0 },
	{ "<>", NUL_OK, SK_OK, "", "", SMTP_ADDR_F_NULL },
	{ "<>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<Postmaster>", PM, SK_OK, "postmaster", "", SMTP_ADDR_F_POSTMASTER },
	{ "<POSTMASTER>", PM, SK_OK, "postmaster", "", SMTP_ADDR_F_POSTMASTER },
	{ "<Postmaster>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<postmaster@example.org>", PM, SK_OK, "postmaster", "example.org",
	    0 },
	/* brackets and emptiness */
	{ "user@example.org", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<user@example.org", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<user@example.org>>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<user@>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<user>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "< user@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	/* dot-string */
	{ "<.user@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<user.@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<us..er@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<a(b)@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<!#$&'*+-/=?^_`{|}~@example.org>", 0, SK_OK, "!#$&'*+-/=?^_`{|}~",
	    "example.org", SMTP_ADDR_F_BANG },
	/* quoted strings: canonical form */
	{ "<\"user\"@example.org>", 0, SK_OK, "user", "example.org",
	    SMTP_ADDR_F_QUOTED },
	{ "<\"a b\"@example.org>", 0, SK_OK, "\"a b\"", "example.org",
	    SMTP_ADDR_F_QUOTED },
	{ "<\"a\\\"b\"@example.org>", 0, SK_OK, "\"a\\\"b\"", "example.org",
	    SMTP_ADDR_F_QUOTED },
	{ "<\"a\\bc\"@example.org>", 0, SK_OK, "abc", "example.org",
	    SMTP_ADDR_F_QUOTED },
	{ "<\"\"@example.org>", 0, SK_OK, "\"\"", "example.org",
	    SMTP_ADDR_F_QUOTED },
	{ "<\"a@b\"@example.org>", 0, SK_OK, "\"a@b\"", "example.org",
	    SMTP_ADDR_F_QUOTED | SMTP_ADDR_F_QUOTED_AT },
	{ "<\"abc@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\"a\tb\"@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\"a\\\x01\"@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\"a>b\"@example.org>", 0, SK_OK, "\"a>b\"", "example.org",
	    SMTP_ADDR_F_QUOTED },
	/* domains */
	{ "<u@-a.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@a-.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@a..org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@a.org.>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@a_b.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@xn--bcher-kva.example>", 0, SK_OK, "u", "xn--bcher-kva.example",
	    0 },
	{ "<u@123.example>", 0, SK_OK, "u", "123.example", 0 },
	{ "<u@"
	  "a23456789012345678901234567890123456789012345678901234567890123"
	  ".org>",
	    0, SK_OK, "u",
	    "a23456789012345678901234567890123456789012345678901234567890123"
	    ".org",
	    0 },
	{ "<u@"
	  "a234567890123456789012345678901234567890123456789012345678901234"
	  ".org>",
	    0, SK_E_TOO_LONG, NULL, NULL, 0 },
	/* address literals, RFC 5321 4.1.3 */
	{ "<u@[192.0.2.1]>", 0, SK_OK, "u", "[192.0.2.1]",
	    SMTP_ADDR_F_LITERAL },
	{ "<u@[192.000.002.001]>", 0, SK_OK, "u", "[192.0.2.1]",
	    SMTP_ADDR_F_LITERAL },
	{ "<u@[256.0.0.1]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[1.2.3]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[1.2.3.4.5]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[1.2.3.4>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:2001:DB8::1]>", 0, SK_OK, "u", "[IPv6:2001:db8::1]",
	    SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[ipv6:2001:db8:0:0:0:0:0:1]>", 0, SK_OK, "u",
	    "[IPv6:2001:db8::1]", SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:::1]>", 0, SK_OK, "u", "[IPv6:::1]",
	    SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:::]>", 0, SK_OK, "u", "[IPv6:::]",
	    SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:::ffff:192.0.2.1]>", 0, SK_OK, "u",
	    "[IPv6:::ffff:c000:201]", SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:1:2:3:4:5:6:192.0.2.1]>", 0, SK_OK, "u",
	    "[IPv6:1:2:3:4:5:6:c000:201]",
	    SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:1:2:3:4:5:6:7:8]>", 0, SK_OK, "u", "[IPv6:1:2:3:4:5:6:7:8]",
	    SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:1:2:3:4:5:6:7]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:1:2:3:4:5:6:7:8:9]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:1:2:3:4:5:6:7::]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:1::2::3]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:12345::1]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:1:2:3:4:5::1.2.3.4]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[IPv6:1:2:3:4::1.2.3.4]>", 0, SK_OK, "u",
	    "[IPv6:1:2:3:4::102:304]", SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_IPV6 },
	{ "<u@[IPv6:g::1]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<u@[x-tag:stuff]>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	/* source routes: accepted, dropped, flagged */
	{ "<@a.example,@b.example:user@c.example>", 0, SK_OK, "user",
	    "c.example", SMTP_ADDR_F_ROUTE },
	{ "<@a.example:user@c.example>", 0, SK_OK, "user", "c.example",
	    SMTP_ADDR_F_ROUTE },
	{ "<@a.example,user@c.example>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<@a.example:@b.example:u@c>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<@:user@c.example>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	/* relay tricks: real domain reported, flagged */
	{ "<to%evil.example@[192.0.2.1]>", 0, SK_OK, "to%evil.example",
	    "[192.0.2.1]", SMTP_ADDR_F_LITERAL | SMTP_ADDR_F_PERCENT },
	{ "<evil.example!to@mx.example>", 0, SK_OK, "evil.example!to",
	    "mx.example", SMTP_ADDR_F_BANG },
	{ "<to@evil.example@mx.example>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	/* CVE-2020-7247 class: never a usable address */
	{ "<;sleep 66;>", NUL_OK, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<;sleep 66;@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<a\nb@example.org>", 0, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<`id`@example.org>", 0, SK_OK, "`id`", "example.org", 0 },
	/* UTF-8: RFC 6531 only with SMTPUTF8, RFC 3629 strictly */
	{ "<J\xc3\xb6rg@example.org>", 0, SK_E_RANGE, NULL, NULL, 0 },
	{ "<J\xc3\xb6rg@example.org>", U8, SK_OK, "J\xc3\xb6rg", "example.org",
	    SMTP_ADDR_F_UTF8 },
	{ "<u@b\xc3\xbc\x63her.example>", U8, SK_OK, "u",
	    "b\xc3\xbc\x63her.example", SMTP_ADDR_F_UTF8 },
	{ "<u@b\xc3\xbc\x63her.example>", 0, SK_E_RANGE, NULL, NULL, 0 },
	{ "<\"J\xc3\xb6 rg\"@example.org>", U8, SK_OK, "\"J\xc3\xb6 rg\"",
	    "example.org", SMTP_ADDR_F_UTF8 | SMTP_ADDR_F_QUOTED },
	{ "<\xc0\xaf@example.org>", U8, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\xed\xa0\x80@example.org>", U8, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\xf4\x90\x80\x80@example.org>", U8, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\xc3@example.org>", U8, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\xe2\x82@example.org>", U8, SK_E_SYNTAX, NULL, NULL, 0 },
	{ "<\xf0\x9f\x98\x80@example.org>", U8, SK_OK, "\xf0\x9f\x98\x80",
	    "example.org", SMTP_ADDR_F_UTF8 },
	/* limits of RFC 5321 4.5.3.1 */
	{ "<1234567890123456789012345678901234567890123456789012345678901234"
	  "@example.org>",
	    0, SK_OK,
	    "1234567890123456789012345678901234567890123456789012345678901234",
	    "example.org", 0 },
	{ "<12345678901234567890123456789012345678901234567890123456789012345"
	  "@example.org>",
	    0, SK_E_TOO_LONG, NULL, NULL, 0 },
	{ "<\"123456789012345678901234567890123456789012345678901234567890123"
	  "\"@example.org>",
	    0, SK_E_TOO_LONG, NULL, NULL, 0 },
};

/* check_addr_case - parse one case and compare */
static void
check_addr_case(size_t k, const struct addr_case *c)
{
	struct smtp_addr a;
	enum sk_result r;

	r = smtp_addr_parse((const uint8_t *)c->in, strlen(c->in), c->opts, &a);
	if (r != c->want) {
		test_fail("case %zu %s: got %s, want %s", k, c->in,
		    sk_result_str(r), sk_result_str(c->want));
		return;
	}
	if (r != SK_OK) {
		return;
	}
	if (strcmp(a.local, c->local) != 0 || a.locallen != strlen(c->local)) {
		test_fail("case %zu %s: local got \"%s\", want \"%s\"", k,
		    c->in, a.local, c->local);
	}
	if (strcmp(a.domain, c->domain) != 0 ||
	    a.domainlen != strlen(c->domain)) {
		test_fail("case %zu %s: domain got \"%s\", want \"%s\"", k,
		    c->in, a.domain, c->domain);
	}
	if (a.flags != c->flags) {
		test_fail("case %zu %s: flags got %#x, want %#x", k, c->in,
		    a.flags, c->flags);
	}
}

/* test_addr_table - every row of addr_cases */
static void
test_addr_table(void)
{
	size_t k;

	for (k = 0; k < SK_NELEM(addr_cases); k++) {
		check_addr_case(k, &addr_cases[k]);
	}
}

/* test_addr_path_limit - RFC 5321 4.5.3.1.3: 256 octets per path */
static void
test_addr_path_limit(void)
{
	char in[300];
	struct smtp_addr a;
	enum sk_result r;
	size_t n;

	/* "<" + "u@" + domain of labels + ">" just over 256 */
	strcpy(in, "<u@");
	while (strlen(in) < 250) {
		strcat(in, "abcdefghi.");
	}
	strcat(in, "example>");
	n = strlen(in);
	r = smtp_addr_parse((const uint8_t *)in, n, 0, &a);
	if (r != SK_E_TOO_LONG) {
		test_fail("path of %zu: got %s, want %s", n, sk_result_str(r),
		    sk_result_str(SK_E_TOO_LONG));
	}
}

/* test_addr_nul - a NUL inside a path is never an end */
static void
test_addr_nul(void)
{
	static const uint8_t in[] = "<a@example.org\0>";
	struct smtp_addr a;
	enum sk_result r;

	r = smtp_addr_parse(in, sizeof(in) - 1, 0, &a);
	if (r != SK_E_SYNTAX) {
		test_fail("got %s, want %s", sk_result_str(r),
		    sk_result_str(SK_E_SYNTAX));
	}
}

/* test_addr_trick - smtp_addr_is_relay_trick on each form */
static void
test_addr_trick(void)
{
	static const struct {
		const char *in;
		unsigned want;
	} cases[] = {
		{ "<a@b.example>", 0 },
		{ "<a%c@b.example>", SMTP_ADDR_F_PERCENT },
		{ "<c!a@b.example>", SMTP_ADDR_F_BANG },
		{ "<\"a@c\"@b.example>", SMTP_ADDR_F_QUOTED_AT },
		{ "<\"a%c\"@b.example>", SMTP_ADDR_F_PERCENT },
		{ "<@r.example:a@b.example>", 0 },
	};
	struct smtp_addr a;
	size_t k;
	unsigned got;

	for (k = 0; k < SK_NELEM(cases); k++) {
		if (smtp_addr_parse((const uint8_t *)cases[k].in,
			strlen(cases[k].in), 0, &a) != SK_OK) {
			test_fail("%s: does not parse", cases[k].in);
			continue;
		}
		got = smtp_addr_is_relay_trick(&a);
		if (got != cases[k].want) {
			test_fail("%s: got %#x, want %#x", cases[k].in, got,
			    cases[k].want);
		}
	}
}

const struct test_case test_cases[] = {
	{ "smtp_addr_table", test_addr_table },
	{ "smtp_addr_path_limit", test_addr_path_limit },
	{ "smtp_addr_nul", test_addr_nul },
	{ "smtp_addr_trick", test_addr_trick },
};
const size_t test_ncases = SK_NELEM(test_cases);

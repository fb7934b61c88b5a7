/*
 * zone_test.c - tests of the master file parser, the zone resolver and the
 * name and address helpers of dns.c.
 */
#include <string.h>

#include "dns_zone.h"
#include "test.h"
#include "test_pkt.h"

#define TEST_RR_MAX 64
#define TEST_DATA_MAX 8192

static struct dns_zone zone;
static struct dns_zone_rr zone_rr[TEST_RR_MAX];
static uint8_t zone_data[TEST_DATA_MAX];

static enum sk_result
zone_load(const char *text)
{
	dns_zone_init(&zone, zone_rr, TEST_RR_MAX, zone_data,
	    sizeof(zone_data));
	return dns_zone_parse(&zone, (const uint8_t *)text, strlen(text));
}

/* --- parser ----------------------------------------------------------- */

#define L63          \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abc"
#define L61          \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"abcdefghij" \
	"a"
#define S255 L63 L63 L63 L63 "abc"

static const struct parse_case {
	const char *name;
	const char *in;
	enum sk_result want;
	size_t nrr; /* records kept, when want is SK_OK */
} parse_cases[] = {
	{ "empty", "", SK_OK, 0 },
	{ "comments only", "; nothing\n\n   ; here\n", SK_OK, 0 },
	{ "absolute A", "a.example. 60 IN A 192.0.2.1\n", SK_OK, 1 },
	{ "class before ttl", "a.example. IN 60 A 192.0.2.1\n", SK_OK, 1 },
	{ "no final newline", "a.example. 60 A 192.0.2.1", SK_OK, 1 },
	{ "CRLF lines", "$TTL 1\r\na.example. A 192.0.2.1\r\n", SK_OK, 1 },
	{ "origin and relative",
	    "$ORIGIN example.\n$TTL 5\nwww A 192.0.2.1\n"
	    "@ MX 10 mail\n",
	    SK_OK, 2 },
	{ "blank owner", "$TTL 5\na.example. A 192.0.2.1\n\tAAAA ::1\n", SK_OK,
	    2 },
	{ "parentheses", "$TTL 5\na.example. TXT ( \"one\" ; c\n \"two\" )\n",
	    SK_OK, 1 },
	{ "soa and ns ignored",
	    "$ORIGIN example.\n$TTL 5\n@ SOA ns host ( 1 2"
	    "\n 3 4 5 )\n@ NS ns\nns A 192.0.2.1\n",
	    SK_OK, 1 },
	{ "null mx", "$TTL 5\na.example. MX 0 .\n", SK_OK, 1 },
	{ "63-octet label", "$TTL 5\n" L63 ".example. A 192.0.2.1\n", SK_OK,
	    1 },
	{ "255-octet string", "$TTL 5\na.example. TXT \"" S255 "\"\n", SK_OK,
	    1 },
	{ "escaped space in name", "$TTL 5\na\\032b.example. A 192.0.2.1\n",
	    SK_OK, 1 },
	/* RFC 1035 2.3.4 limits */
	{ "64-octet label", "$TTL 5\n" L63 "x.example. A 192.0.2.1\n",
	    SK_E_TOO_LONG, 0 },
	{ "256-octet string", "$TTL 5\na.example. TXT \"" S255 "x\"\n",
	    SK_E_TOO_LONG, 0 },
	{ "name over 255",
	    "$TTL 5\n" L63 "." L63 "." L63 "." L63 ".x. A "
	    "192.0.2.1\n",
	    SK_E_TOO_LONG, 0 },
	/* syntax */
	{ "no ttl", "a.example. A 192.0.2.1\n", SK_E_SYNTAX, 0 },
	{ "relative without origin", "$TTL 5\nwww A 192.0.2.1\n", SK_E_SYNTAX,
	    0 },
	{ "relative origin", "$ORIGIN example\n", SK_E_SYNTAX, 0 },
	{ "empty label", "$TTL 5\na..example. A 192.0.2.1\n", SK_E_SYNTAX, 0 },
	{ "escaped dot in name", "$TTL 5\na\\.b.example. A 192.0.2.1\n",
	    SK_E_SYNTAX, 0 },
	{ "unclosed paren", "$TTL 5\na.example. TXT ( \"x\"\n", SK_E_SYNTAX,
	    0 },
	{ "nested paren", "$TTL 5\na.example. TXT ( ( \"x\" ) )\n", SK_E_SYNTAX,
	    0 },
	{ "stray close", "$TTL 5\na.example. TXT \"x\" )\n", SK_E_SYNTAX, 0 },
	{ "unterminated string", "$TTL 5\na.example. TXT \"x\n", SK_E_SYNTAX,
	    0 },
	{ "bad ipv4", "$TTL 5\na.example. A 192.0.2.256\n", SK_E_SYNTAX, 0 },
	{ "bad ipv6", "$TTL 5\na.example. AAAA 1::2::3\n", SK_E_SYNTAX, 0 },
	{ "mx without pref", "$TTL 5\na.example. MX b.example.\n", SK_E_SYNTAX,
	    0 },
	{ "mx pref too big", "$TTL 5\na.example. MX 65536 b.example.\n",
	    SK_E_RANGE, 0 },
	{ "a with two values", "$TTL 5\na.example. A 192.0.2.1 192.0.2.2\n",
	    SK_E_SYNTAX, 0 },
	{ "bad DDD", "$TTL 5\na.example. TXT \"\\256\"\n", SK_E_RANGE, 0 },
	{ "short DDD", "$TTL 5\na.example. TXT \"\\25x\"\n", SK_E_SYNTAX, 0 },
	{ "cname with data",
	    "$TTL 5\na.example. CNAME b.example.\n"
	    "a.example. A 192.0.2.1\n",
	    SK_E_SYNTAX, 0 },
	{ "root owner", "$TTL 5\n. A 192.0.2.1\n", SK_E_SYNTAX, 0 },
	{ "no previous owner", "$TTL 5\n\tA 192.0.2.1\n", SK_E_SYNTAX, 0 },
	{ "include refused", "$INCLUDE other.zone\n", SK_E_UNKNOWN, 0 },
	{ "unknown type", "$TTL 5\na.example. HINFO a b\n", SK_E_UNKNOWN, 0 },
	{ "class CH", "$TTL 5\na.example. CH A 192.0.2.1\n", SK_E_UNKNOWN, 0 },
};

/* test_parse_table - each input gives its result and record count */
static void
test_parse_table(void)
{
	size_t i;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];

		r = zone_load(c->in);
		TEST_CHECK(r == c->want, "%s: got %s (%s, line %zu), want %s",
		    c->name, sk_result_str(r), zone.err ? zone.err : "-",
		    zone.line, sk_result_str(c->want));
		if (r == SK_OK && c->want == SK_OK) {
			TEST_CHECK(zone.nrr == c->nrr,
			    "%s: got %zu records, want %zu", c->name, zone.nrr,
			    c->nrr);
		}
	}
}

/* test_parse_nul - a NUL byte in the input is refused, not cut short */
static void
test_parse_nul(void)
{
	static const char in[] = "$TTL 5\na.example. TXT \"a\0b\"\n";
	enum sk_result r;

	dns_zone_init(&zone, zone_rr, TEST_RR_MAX, zone_data,
	    sizeof(zone_data));
	r = dns_zone_parse(&zone, (const uint8_t *)in, sizeof(in) - 1);
	TEST_CHECK(r == SK_E_SYNTAX, "got %s, want syntax error",
	    sk_result_str(r));
}

/* test_parse_full - the caller's storage bounds the zone */
static void
test_parse_full(void)
{
	static const char in[] = "$TTL 5\na.example. A 192.0.2.1\n"
				 "b.example. A 192.0.2.2\n";
	enum sk_result r;

	dns_zone_init(&zone, zone_rr, 1, zone_data, sizeof(zone_data));
	r = dns_zone_parse(&zone, (const uint8_t *)in, sizeof(in) - 1);
	TEST_CHECK(r == SK_E_FULL, "records: got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_FULL));
	dns_zone_init(&zone, zone_rr, TEST_RR_MAX, zone_data, 12);
	r = dns_zone_parse(&zone, (const uint8_t *)in, sizeof(in) - 1);
	TEST_CHECK(r == SK_E_FULL, "data: got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_FULL));
}

/* test_parse_line - errors name their line */
static void
test_parse_line(void)
{
	enum sk_result r;

	r = zone_load("$TTL 5\n; c\na.example. A 192.0.2.1\nb.example. A x\n");
	TEST_CHECK(r == SK_E_SYNTAX && zone.line == 4,
	    "got %s at line %zu, want syntax error at line 4", sk_result_str(r),
	    zone.line);
}

/* --- resolver --------------------------------------------------------- */

static const char query_zone[] = "$ORIGIN example.com.\n"
				 "$TTL 300\n"
				 "@\t\tIN TXT ( \"v=spf1 \" ; first string\n"
				 "\t\t\t\"-all\" )\n"
				 "\t\tIN MX 10 mx1\n"
				 "\t\tIN MX 20 mx2.example.net.\n"
				 "mx1\t\tA 192.0.2.1\n"
				 "\t\tAAAA 2001:db8::1\n"
				 "esc\t\tTXT \"a\\\"b\\092c\\065\" \"\" \"d\"\n"
				 "alias\t\tCNAME mx1\n"
				 "alias2\t\tCNAME alias\n"
				 "loop1\t\tCNAME loop2\n"
				 "loop2\t\tCNAME loop1\n"
				 "dangling\tCNAME nowhere\n"
				 "1.2.0.192.in-addr.arpa. PTR mx1\n"
				 "tf\t\tTXT SEKIMORI-TEMPFAIL\n"
				 "tf2\t\tTXT SEKIMORI-TEMPFAIL\n"
				 "\t\tTXT \"kept\"\n";

static const struct query_case {
	const char *name;
	const char *qname;
	enum dns_type type;
	enum dns_status want;
	size_t nrr;
	const char *text; /* first record's name or text, or NULL */
} query_cases[] = {
	{ "txt joined", "example.com", DNS_T_TXT, DNS_ANSWER, 1,
	    "v=spf1 -all" },
	{ "final dot", "example.com.", DNS_T_TXT, DNS_ANSWER, 1,
	    "v=spf1 -all" },
	{ "case", "EXAMPLE.Com", DNS_T_TXT, DNS_ANSWER, 1, "v=spf1 -all" },
	{ "escapes", "esc.example.com", DNS_T_TXT, DNS_ANSWER, 1, "a\"b\\cAd" },
	{ "mx", "example.com", DNS_T_MX, DNS_ANSWER, 2, "mx1.example.com" },
	{ "a", "mx1.example.com", DNS_T_A, DNS_ANSWER, 1, NULL },
	{ "aaaa", "mx1.example.com", DNS_T_AAAA, DNS_ANSWER, 1, NULL },
	{ "nodata", "mx1.example.com", DNS_T_TXT, DNS_NODATA, 0, NULL },
	{ "nxdomain", "nope.example.com", DNS_T_A, DNS_NXDOMAIN, 0, NULL },
	{ "parent absent", "com", DNS_T_A, DNS_NXDOMAIN, 0, NULL },
	{ "cname followed", "alias.example.com", DNS_T_A, DNS_ANSWER, 1, NULL },
	{ "cname chain", "alias2.example.com", DNS_T_AAAA, DNS_ANSWER, 1,
	    NULL },
	{ "cname itself", "alias.example.com", DNS_T_CNAME, DNS_ANSWER, 1,
	    "mx1.example.com" },
	{ "cname loop", "loop1.example.com", DNS_T_A, DNS_SERVFAIL, 0, NULL },
	{ "cname dangling", "dangling.example.com", DNS_T_A, DNS_NXDOMAIN, 0,
	    NULL },
	{ "ptr", "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, 1,
	    "mx1.example.com" },
	{ "tempfail txt", "tf.example.com", DNS_T_TXT, DNS_SERVFAIL, 0, NULL },
	{ "tempfail a", "tf.example.com", DNS_T_A, DNS_SERVFAIL, 0, NULL },
	{ "tempfail other txt", "tf2.example.com", DNS_T_TXT, DNS_ANSWER, 1,
	    "kept" },
	{ "tempfail other type", "tf2.example.com", DNS_T_MX, DNS_SERVFAIL, 0,
	    NULL },
	{ "label 64", L63 "x.example.com", DNS_T_A, DNS_SERVFAIL, 0, NULL },
	{ "empty label", "a..example.com", DNS_T_A, DNS_SERVFAIL, 0, NULL },
	{ "empty name", "", DNS_T_A, DNS_SERVFAIL, 0, NULL },
};

/* test_query_table - answers of the zone resolver */
static void
test_query_table(void)
{
	static struct dns_answer ans;
	struct dns_resolver res;
	enum dns_status s;
	size_t i;

	TEST_CHECK(zone_load(query_zone) == SK_OK, "zone: %s at line %zu",
	    zone.err ? zone.err : "-", zone.line);
	dns_zone_resolver(&zone, &res);
	for (i = 0; i < SK_NELEM(query_cases); i++) {
		const struct query_case *c = &query_cases[i];

		s = dns_query(&res, c->qname, c->type, &ans, NULL, NULL);
		TEST_CHECK(s == c->want && ans.status == s,
		    "%s: got %s, want %s", c->name, dns_status_str(s),
		    dns_status_str(c->want));
		test_pkt_check_records(c->name, &ans, c->nrr, c->text);
	}
	s = dns_query(&res, "mx1.example.com", DNS_T_A, &ans, NULL, NULL);
	TEST_CHECK(s == DNS_ANSWER &&
		memcmp(ans.rr[0].addr, "\xc0\x00\x02\x01", 4) == 0,
	    "A address: got %u.%u.%u.%u", ans.rr[0].addr[0], ans.rr[0].addr[1],
	    ans.rr[0].addr[2], ans.rr[0].addr[3]);
	s = dns_query(&res, "example.com", DNS_T_MX, &ans, NULL, NULL);
	TEST_CHECK(s == DNS_ANSWER && ans.rr[1].pref == 20,
	    "MX preference: got %u, want 20", ans.rr[1].pref);
}

/* --- names and addresses --------------------------------------------- */

static const struct ip_case {
	const char *in;
	int af;           /* 0: invalid */
	const char *text; /* RFC 5952 form of IPv6 */
} ip_cases[] = {
	{ "192.0.2.1", 4, NULL },
	{ "0.0.0.0", 4, NULL },
	{ "255.255.255.255", 4, NULL },
	{ "256.0.0.1", 0, NULL },
	{ "01.2.3.4", 0, NULL },
	{ "1.2.3", 0, NULL },
	{ "1.2.3.4.", 0, NULL },
	{ "::", 6, "::" },
	{ "::1", 6, "::1" },
	{ "2001:DB8::1", 6, "2001:db8::1" },
	{ "2001:db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1" },
	{ "2001:0db8:0000:0000:0000:0000:0002:0001", 6, "2001:db8::2:1" },
	{ "1:2:3:4:5:6:7:8", 6, "1:2:3:4:5:6:7:8" },
	{ "1:0:3:4:5:6:7:8", 6, "1:0:3:4:5:6:7:8" },
	{ "::ffff:192.0.2.1", 6, "::ffff:c000:201" },
	{ "fe80::", 6, "fe80::" },
	{ "1::2::3", 0, NULL },
	{ ":1::2", 0, NULL },
	{ "1:2:3:4:5:6:7:8:9", 0, NULL },
	{ "1:2:3:4:5:6:7", 0, NULL },
	{ "12345::", 0, NULL },
	{ "1:2:3:4:5:6:7::8", 0, NULL },
	{ "1:", 0, NULL },
	{ "", 0, NULL },
};

/* test_ip_table - address parsing and RFC 5952 formatting */
static void
test_ip_table(void)
{
	uint8_t a[16];
	char text[DNS_IP6_TEXT_MAX];
	size_t i;
	int af;

	for (i = 0; i < SK_NELEM(ip_cases); i++) {
		const struct ip_case *c = &ip_cases[i];
		size_t n = strlen(c->in);

		af = dns_ip4_parse(c->in, n, a) == SK_OK ? 4 :
		    dns_ip6_parse(c->in, n, a) == SK_OK  ? 6 :
							   0;
		TEST_CHECK(af == c->af, "%s: got family %d, want %d", c->in, af,
		    c->af);
		if (af == 6 && c->text != NULL) {
			dns_ip6_format(a, text);
			TEST_CHECK(strcmp(text, c->text) == 0,
			    "%s: got \"%s\", want \"%s\"", c->in, text,
			    c->text);
		}
	}
}

/* test_names - name checks and comparison */
static void
test_names(void)
{
	/* 63 + 63 + 63 + 61 octets and 3 dots: 253, 255 on the wire */
	static const char big[] = L63 "." L63 "." L63 "." L61;
	static const char over[] = L63 "." L63 "." L63 "." L61 "a";

	TEST_CHECK(dns_name_check("a.b", 3) == SK_OK, "a.b: not valid");
	TEST_CHECK(dns_name_check("a.b.", 4) == SK_OK, "a.b.: not valid");
	TEST_CHECK(dns_name_check(big, strlen(big)) == SK_OK,
	    "253 octets: got invalid, want valid");
	TEST_CHECK(dns_name_check(over, strlen(over)) == SK_E_TOO_LONG,
	    "254 octets: got valid, want too long");
	TEST_CHECK(dns_name_check(".a", 2) == SK_E_SYNTAX,
	    ".a: got valid, want syntax error");
	TEST_CHECK(dns_name_eq("A.b.", 4, "a.B", 3), "A.b. != a.B");
	TEST_CHECK(!dns_name_eq("a.b", 3, "a.c", 3), "a.b == a.c");
}

const struct test_case test_cases[] = {
	{ "zone_parse_table", test_parse_table },
	{ "zone_parse_nul", test_parse_nul },
	{ "zone_parse_full", test_parse_full },
	{ "zone_parse_line", test_parse_line },
	{ "zone_query_table", test_query_table },
	{ "dns_ip_table", test_ip_table },
	{ "dns_names", test_names },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * spf_test.c - tests of the SPF record parser, macro expansion,
 * check_host() over a zone, the re-run of an asynchronous resolver and the
 * Received-SPF header.
 */
#include <stdio.h>
#include <string.h>

#include "../dns/dns_defer.h"
#include "../dns/dns_zone.h"
#include "spf.h"
#include "test.h"

/* --- record parser ---------------------------------------------------- */

static const struct record_case {
	const char *in;
	enum sk_result want;
} record_cases[] = {
	{ "v=spf1", SK_OK },
	{ "V=SPF1 -ALL", SK_OK },
	{ "v=spf1 -all ", SK_OK },
	{ "v=spf1  a  mx  -all", SK_OK },
	{ "v=spf1 +all ?all ~all -all", SK_OK },
	{ "v=spf1 a a:example.com a/24 a//64 a:example.com/24//64", SK_OK },
	{ "v=spf1 mx mx:example.com mx/0 mx//128", SK_OK },
	{ "v=spf1 ptr ptr:example.com", SK_OK },
	{ "v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24 ip4:0.0.0.0/0", SK_OK },
	{ "v=spf1 ip6:2001:db8::/32 ip6:::1 ip6:::ffff:1.2.3.4", SK_OK },
	{ "v=spf1 include:example.com exists:%{i}.example.com", SK_OK },
	{ "v=spf1 redirect=example.com", SK_OK },
	{ "v=spf1 exp=explain.%{d} -all", SK_OK },
	{ "v=spf1 foo=bar x-y.z_w=%{s} other=", SK_OK },
	{ "v=spf1 exists:%{l1r-}.%{d2}.example.com.", SK_OK },
	{ "v=spf1 exists:%{l1r-}.%{d2}.", SK_E_SYNTAX },
	{ "v=spf1 a:foo%%", SK_OK },
	{ "v=spf1 a:1.example.x-1", SK_OK },
	/* RFC 7208 12 grammar breaks */
	{ "v=spf10", SK_E_SYNTAX },
	{ "v=spf1 foo", SK_E_SYNTAX },
	{ "v=spf1 all:x", SK_E_SYNTAX },
	{ "v=spf1 -include", SK_E_SYNTAX },
	{ "v=spf1 include:", SK_E_SYNTAX },
	{ "v=spf1 exists", SK_E_SYNTAX },
	{ "v=spf1 a:", SK_E_SYNTAX },
	{ "v=spf1 a:example.123", SK_E_SYNTAX },
	{ "v=spf1 a:example.-com", SK_E_SYNTAX },
	{ "v=spf1 a:example", SK_E_SYNTAX },
	{ "v=spf1 ptr/24", SK_E_SYNTAX },
	{ "v=spf1 ip4", SK_E_SYNTAX },
	{ "v=spf1 ip4:192.0.2.256", SK_E_SYNTAX },
	{ "v=spf1 ip4:192.0.2.01", SK_E_SYNTAX },
	{ "v=spf1 ip4:192.0.2.1/33", SK_E_RANGE },
	{ "v=spf1 ip4:192.0.2.1/024", SK_E_SYNTAX },
	{ "v=spf1 ip6:2001:db8::/129", SK_E_RANGE },
	{ "v=spf1 ip6:192.0.2.1", SK_E_SYNTAX },
	{ "v=spf1 a/33", SK_E_RANGE },
	{ "v=spf1 a//129", SK_E_RANGE },
	{ "v=spf1 -redirect=example.com", SK_E_SYNTAX },
	{ "v=spf1 redirect=a.example.com redirect=b.example.com", SK_E_SYNTAX },
	{ "v=spf1 exp=a.example.com exp=b.example.com", SK_E_SYNTAX },
	{ "v=spf1 exp=", SK_E_SYNTAX },
	{ "v=spf1 1x=y", SK_E_SYNTAX },
	{ "v=spf1 a:%{x}.example.com", SK_E_SYNTAX },
	{ "v=spf1 a:%{c}.example.com", SK_E_SYNTAX },
	{ "v=spf1 a:%{d0}.example.com", SK_E_SYNTAX },
	{ "v=spf1 a:%(d).example.com", SK_E_SYNTAX },
	{ "v=spf1 a:example.com%", SK_E_SYNTAX },
	{ "v=spf1 -all\t", SK_E_SYNTAX },
	{ "v=spf1 a:caf\xc3\xa9.example.com", SK_E_SYNTAX },
};

/* test_record_table - strict parse of whole records */
static void
test_record_table(void)
{
	struct spf_record rec;
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(record_cases); i++) {
		const struct record_case *c = &record_cases[i];

		r = spf_record_parse((const uint8_t *)c->in, strlen(c->in),
		    &rec);
		TEST_CHECK(r == c->want, "\"%s\": got %s (%s), want %s", c->in,
		    sk_result_str(r), rec.err ? rec.err : "-",
		    sk_result_str(c->want));
	}
}

/* test_record_terms - terms come out with their parts */
static void
test_record_terms(void)
{
	static const char in[] = "v=spf1 -a:example.com/24//64 ~ip6:::1/127 "
				 "exp=x.example.com mx";
	struct spf_record rec;
	struct spf_term t;
	size_t pos = 0;

	TEST_CHECK(spf_record_parse((const uint8_t *)in, strlen(in), &rec) ==
		SK_OK,
	    "parse failed: %s", rec.err ? rec.err : "-");
	TEST_CHECK(rec.nterms == 4 && rec.ndns == 2 && rec.has_exp,
	    "got %zu terms, %zu DNS terms, exp %d; want 4, 2, 1", rec.nterms,
	    rec.ndns, rec.has_exp);
	TEST_CHECK(spf_record_next(&rec, &pos, &t) == SK_OK &&
		t.kind == SPF_M_A && t.qualifier == '-' && t.cidr4 == 24 &&
		t.cidr6 == 64 && t.spec_len == 11 &&
		memcmp(t.spec, "example.com", 11) == 0,
	    "a term: got kind %d qualifier %c cidr %u/%u spec \"%.*s\"", t.kind,
	    t.qualifier, t.cidr4, t.cidr6, (int)t.spec_len, t.spec);
	TEST_CHECK(spf_record_next(&rec, &pos, &t) == SK_OK &&
		t.kind == SPF_M_IP6 && t.qualifier == '~' && t.cidr6 == 127 &&
		t.addr[15] == 1,
	    "ip6 term: got kind %d cidr %u", t.kind, t.cidr6);
	TEST_CHECK(spf_record_next(&rec, &pos, &t) == SK_OK &&
		t.kind == SPF_MOD_EXP,
	    "exp: got kind %d", t.kind);
	TEST_CHECK(spf_record_next(&rec, &pos, &t) == SK_OK &&
		t.kind == SPF_M_MX && t.spec == NULL && t.cidr4 == 32,
	    "mx: got kind %d", t.kind);
	TEST_CHECK(spf_record_next(&rec, &pos, &t) == SK_END,
	    "end: got more terms");
}

/* --- macros ----------------------------------------------------------- */

/* RFC 7208 7.4: sender strong-bad@email.example.com, client 192.0.2.3 */
static const struct spf_macro_vars macro_vars4 = {
	.s = "strong-bad@email.example.com",
	.l = "strong-bad",
	.o = "email.example.com",
	.d = "email.example.com",
	.h = "mx.example.org",
	.r = "receiver.example.net",
	.c = "192.0.2.3",
	.i = "192.0.2.3",
	.v = "in-addr",
	.t = "1700000000",
};

static const struct macro_case {
	const char *in;
	int exp_text;
	enum sk_result want;
	const char *out;
} macro_cases[] = {
	/* the examples of RFC 7208 7.4 */
	{ "%{s}", 0, SK_OK, "strong-bad@email.example.com" },
	{ "%{o}", 0, SK_OK, "email.example.com" },
	{ "%{d}", 0, SK_OK, "email.example.com" },
	{ "%{d4}", 0, SK_OK, "email.example.com" },
	{ "%{d3}", 0, SK_OK, "email.example.com" },
	{ "%{d2}", 0, SK_OK, "example.com" },
	{ "%{d1}", 0, SK_OK, "com" },
	{ "%{dr}", 0, SK_OK, "com.example.email" },
	{ "%{d2r}", 0, SK_OK, "example.email" },
	{ "%{l}", 0, SK_OK, "strong-bad" },
	{ "%{l-}", 0, SK_OK, "strong.bad" },
	{ "%{lr}", 0, SK_OK, "strong-bad" },
	{ "%{lr-}", 0, SK_OK, "bad.strong" },
	{ "%{l1r-}", 0, SK_OK, "strong" },
	{ "%{ir}.%{v}._spf.%{d2}", 0, SK_OK,
	    "3.2.0.192.in-addr._spf.example.com" },
	{ "%{lr-}.lp._spf.%{d2}", 0, SK_OK, "bad.strong.lp._spf.example.com" },
	{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0, SK_OK,
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
	{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0, SK_OK,
	    "3.2.0.192.in-addr.strong.lp._spf.example.com" },
	{ "%{d2}.trusted-domains.example.net", 0, SK_OK,
	    "example.com.trusted-domains.example.net" },
	/* escapes, upper case, delimiters, limits */
	{ "%%%_%-", 0, SK_OK, "% %20" },
	{ "%{S}", 0, SK_OK, "strong-bad%40email.example.com" },
	{ "%{L-}", 0, SK_OK, "strong.bad" },
	{ "%{l+-}", 0, SK_OK, "strong.bad" },
	{ "%{d200}", 0, SK_OK, "email.example.com" },
	{ "%{h}", 0, SK_OK, "mx.example.org" },
	{ "%{c} %{r} %{t}", 1, SK_OK,
	    "192.0.2.3 receiver.example.net 1700000000" },
	{ "%{p}", 0, SK_OK, "unknown" },
	{ "%{c}", 0, SK_E_SYNTAX, NULL },
	{ "%{r}", 0, SK_E_SYNTAX, NULL },
	{ "%{t}", 0, SK_E_SYNTAX, NULL },
	{ "a b", 0, SK_E_SYNTAX, NULL },
	{ "a b", 1, SK_OK, "a b" },
	{ "%{x}", 1, SK_E_SYNTAX, NULL },
	{ "%{d0}", 0, SK_E_SYNTAX, NULL },
	{ "%{d", 0, SK_E_SYNTAX, NULL },
	{ "%{d2x}", 0, SK_E_SYNTAX, NULL },
	{ "%x", 0, SK_E_SYNTAX, NULL },
	{ "%", 0, SK_E_SYNTAX, NULL },
	{ "caf\xc3\xa9", 1, SK_E_SYNTAX, NULL },
};

/* test_macro_table - expansion of the RFC 7208 7.4 examples and more */
static void
test_macro_table(void)
{
	char out[256];
	size_t i, len;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(macro_cases); i++) {
		const struct macro_case *c = &macro_cases[i];

		r = spf_macro_expand(&macro_vars4, c->in, strlen(c->in),
		    c->exp_text, out, sizeof(out), &len);
		TEST_CHECK(r == c->want, "\"%s\": got %s, want %s", c->in,
		    sk_result_str(r), sk_result_str(c->want));
		if (r == SK_OK && c->out != NULL) {
			TEST_CHECK(strcmp(out, c->out) == 0 &&
				len == strlen(out),
			    "\"%s\": got \"%s\", want "
			    "\"%s\"",
			    c->in, out, c->out);
		}
		r = spf_macro_check(c->in, strlen(c->in), c->exp_text);
		TEST_CHECK((r == SK_OK) == (c->want == SK_OK),
		    "check \"%s\": got %s", c->in, sk_result_str(r));
	}
}

/* test_macro_bounds - output is bounded by the caller's buffer */
static void
test_macro_bounds(void)
{
	char out[8];
	size_t len;
	enum sk_result r;

	r = spf_macro_expand(&macro_vars4, "%{s}", 4, 0, out, sizeof(out),
	    &len);
	TEST_CHECK(r == SK_E_TOO_LONG, "got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_TOO_LONG));
	r = spf_macro_expand(&macro_vars4, "1234567", 7, 0, out, sizeof(out),
	    &len);
	TEST_CHECK(r == SK_OK && strcmp(out, "1234567") == 0,
	    "exact fit: got %s \"%s\"", sk_result_str(r), out);
}

/* --- check_host() over a zone ----------------------------------------- */

static const char eval_zone[] =
    "$ORIGIN example.com.\n"
    "$TTL 300\n"
    "pass\tTXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"\n"
    "fail\tTXT \"v=spf1 -all\"\n"
    "soft\tTXT \"v=spf1 ~all\"\n"
    "neutral\tTXT \"v=spf1 ?all\"\n"
    "empty\tTXT \"v=spf1\"\n"
    "nospf\tTXT \"hello world\"\n"
    "two\tTXT \"v=spf1 -all\"\n"
    "\tTXT \"v=spf1 +all\"\n"
    "bad\tTXT \"v=spf1 -all foo:bar\"\n"
    "tf\tTXT SEKIMORI-TEMPFAIL\n"
    "inc\tTXT \"v=spf1 include:pass.example.com -all\"\n"
    "incfail\tTXT \"v=spf1 include:fail.example.com ?all\"\n"
    "incnone\tTXT \"v=spf1 include:nospf.example.com -all\"\n"
    "inctf\tTXT \"v=spf1 include:tf.example.com -all\"\n"
    "redir\tTXT \"v=spf1 redirect=pass.example.com\"\n"
    "redirnone TXT \"v=spf1 redirect=nospf.example.com\"\n"
    "a\tTXT \"v=spf1 a -all\"\n"
    "\tA 192.0.2.10\n"
    "a6\tTXT \"v=spf1 a//64 -all\"\n"
    "\tAAAA 2001:db8:1::1\n"
    "mx\tTXT \"v=spf1 mx/24 -all\"\n"
    "\tMX 10 mxhost\n"
    "mxhost\tA 198.51.100.1\n"
    "ptr\tTXT \"v=spf1 ptr -all\"\n"
    "host.ptr A 203.0.113.7\n"
    "7.113.0.203.in-addr.arpa. PTR host.ptr\n"
    "exists\tTXT \"v=spf1 exists:%{ir}.bl.example.com -all\"\n"
    "7.113.0.203.bl A 127.0.0.2\n"
    "x\tA 198.51.100.99\n"
    "ten\tTXT \"v=spf1 a:x.example.com a:x.example.com a:x.example.com "
    "a:x.example.com a:x.example.com a:x.example.com a:x.example.com "
    "a:x.example.com a:x.example.com a:x.example.com -all\"\n"
    "eleven\tTXT \"v=spf1 a:x.example.com a:x.example.com "
    "a:x.example.com a:x.example.com a:x.example.com a:x.example.com "
    "a:x.example.com a:x.example.com a:x.example.com a:x.example.com "
    "a:x.example.com -all\"\n"
    "void2\tTXT \"v=spf1 a:n1.example.com a:n2.example.com -all\"\n"
    "void3\tTXT \"v=spf1 a:n1.example.com a:n2.example.com "
    "a:n3.example.com -all\"\n"
    "mx11\tTXT \"v=spf1 mx -all\"\n"
    "\tMX 1 x\n\tMX 2 x\n\tMX 3 x\n\tMX 4 x\n\tMX 5 x\n\tMX 6 x\n"
    "\tMX 7 x\n\tMX 8 x\n\tMX 9 x\n\tMX 10 x\n\tMX 11 mxhost\n"
    "exp\tTXT \"v=spf1 -all exp=why.example.com\"\n"
    "why\tTXT \"%{i} is not one of %{d}'s servers\"\n"
    "expbad\tTXT \"v=spf1 -all exp=whybad.example.com\"\n"
    "whybad\tTXT \"%{x} broken\"\n"
    "expinc\tTXT \"v=spf1 include:exp.example.com -all\"\n"
    "helo\tTXT \"v=spf1 a -all\"\n"
    "\tA 192.0.2.20\n";

static const struct eval_case {
	const char *name;
	const char *ip;
	const char *helo;
	const char *from;
	enum spf_identity id;
	enum spf_result want;
	const char *exp; /* explanation for fail, or NULL */
} eval_cases[] = {
	{ "ip4 pass", "192.0.2.1", "h.example.net", "u@pass.example.com",
	    SPF_ID_MAILFROM, SPF_PASS, NULL },
	{ "ip6 pass", "2001:db8::5", "h", "u@pass.example.com", SPF_ID_MAILFROM,
	    SPF_PASS, NULL },
	{ "ip4-mapped pass", "::ffff:192.0.2.1", "h", "u@pass.example.com",
	    SPF_ID_MAILFROM, SPF_PASS, NULL },
	{ "fail", "198.51.100.1", "h", "u@pass.example.com", SPF_ID_MAILFROM,
	    SPF_FAIL, "DEFAULT u@pass.example.com" },
	{ "softfail", "192.0.2.1", "h", "u@soft.example.com", SPF_ID_MAILFROM,
	    SPF_SOFTFAIL, NULL },
	{ "neutral", "192.0.2.1", "h", "u@neutral.example.com", SPF_ID_MAILFROM,
	    SPF_NEUTRAL, NULL },
	{ "no match is neutral", "192.0.2.1", "h", "u@empty.example.com",
	    SPF_ID_MAILFROM, SPF_NEUTRAL, NULL },
	{ "no record", "192.0.2.1", "h", "u@nospf.example.com", SPF_ID_MAILFROM,
	    SPF_NONE, NULL },
	{ "nxdomain", "192.0.2.1", "h", "u@nowhere.example.com",
	    SPF_ID_MAILFROM, SPF_NONE, NULL },
	{ "not a FQDN", "192.0.2.1", "h", "u@localhost", SPF_ID_MAILFROM,
	    SPF_NONE, NULL },
	{ "two records", "192.0.2.1", "h", "u@two.example.com", SPF_ID_MAILFROM,
	    SPF_PERMERROR, NULL },
	{ "syntax error after match", "192.0.2.1", "h", "u@bad.example.com",
	    SPF_ID_MAILFROM, SPF_PERMERROR, NULL },
	{ "servfail", "192.0.2.1", "h", "u@tf.example.com", SPF_ID_MAILFROM,
	    SPF_TEMPERROR, NULL },
	{ "include pass", "192.0.2.1", "h", "u@inc.example.com",
	    SPF_ID_MAILFROM, SPF_PASS, NULL },
	{ "include fail is no match", "192.0.2.1", "h", "u@incfail.example.com",
	    SPF_ID_MAILFROM, SPF_NEUTRAL, NULL },
	{ "include none", "192.0.2.1", "h", "u@incnone.example.com",
	    SPF_ID_MAILFROM, SPF_PERMERROR, NULL },
	{ "include temperror", "192.0.2.1", "h", "u@inctf.example.com",
	    SPF_ID_MAILFROM, SPF_TEMPERROR, NULL },
	{ "redirect", "192.0.2.1", "h", "u@redir.example.com", SPF_ID_MAILFROM,
	    SPF_PASS, NULL },
	{ "redirect none", "192.0.2.1", "h", "u@redirnone.example.com",
	    SPF_ID_MAILFROM, SPF_PERMERROR, NULL },
	{ "a", "192.0.2.10", "h", "u@a.example.com", SPF_ID_MAILFROM, SPF_PASS,
	    NULL },
	{ "a other", "192.0.2.11", "h", "u@a.example.com", SPF_ID_MAILFROM,
	    SPF_FAIL, NULL },
	{ "a ip6 cidr", "2001:db8:1::ffff", "h", "u@a6.example.com",
	    SPF_ID_MAILFROM, SPF_PASS, NULL },
	{ "mx cidr", "198.51.100.200", "h", "u@mx.example.com", SPF_ID_MAILFROM,
	    SPF_PASS, NULL },
	{ "ptr", "203.0.113.7", "h", "u@ptr.example.com", SPF_ID_MAILFROM,
	    SPF_PASS, NULL },
	{ "ptr no name", "203.0.113.8", "h", "u@ptr.example.com",
	    SPF_ID_MAILFROM, SPF_FAIL, NULL },
	{ "exists", "203.0.113.7", "h", "u@exists.example.com", SPF_ID_MAILFROM,
	    SPF_PASS, NULL },
	{ "10 lookups", "192.0.2.1", "h", "u@ten.example.com", SPF_ID_MAILFROM,
	    SPF_FAIL, NULL },
	{ "11 lookups", "192.0.2.1", "h", "u@eleven.example.com",
	    SPF_ID_MAILFROM, SPF_PERMERROR, NULL },
	{ "2 void lookups", "192.0.2.1", "h", "u@void2.example.com",
	    SPF_ID_MAILFROM, SPF_FAIL, NULL },
	{ "3 void lookups", "192.0.2.1", "h", "u@void3.example.com",
	    SPF_ID_MAILFROM, SPF_PERMERROR, NULL },
	{ "11 MX names", "198.51.100.1", "h", "u@mx11.example.com",
	    SPF_ID_MAILFROM, SPF_PERMERROR, NULL },
	{ "exp", "192.0.2.99", "h", "u@exp.example.com", SPF_ID_MAILFROM,
	    SPF_FAIL, "192.0.2.99 is not one of exp.example.com's servers" },
	{ "exp with bad macro", "192.0.2.99", "h", "u@expbad.example.com",
	    SPF_ID_MAILFROM, SPF_FAIL, "DEFAULT u@expbad.example.com" },
	{ "exp of an include unused", "192.0.2.99", "h", "u@expinc.example.com",
	    SPF_ID_MAILFROM, SPF_FAIL, "DEFAULT u@expinc.example.com" },
	{ "null sender", "192.0.2.20", "helo.example.com", "", SPF_ID_MAILFROM,
	    SPF_PASS, NULL },
	{ "null sender fail", "192.0.2.21", "helo.example.com", "",
	    SPF_ID_MAILFROM, SPF_FAIL, "DEFAULT postmaster@helo.example.com" },
	{ "no local-part", "192.0.2.21", "h", "@helo.example.com",
	    SPF_ID_MAILFROM, SPF_FAIL, "DEFAULT postmaster@helo.example.com" },
	{ "helo identity", "192.0.2.20", "helo.example.com",
	    "u@fail.example.com", SPF_ID_HELO, SPF_PASS, NULL },
};

static struct dns_zone eval_z;
static struct dns_zone_rr eval_rr[128];
static uint8_t eval_data[16384];
static struct spf_ctx ctx;
static struct spf_outcome out;

static int
eval_load(struct dns_resolver *res)
{
	enum sk_result r;

	dns_zone_init(&eval_z, eval_rr, SK_NELEM(eval_rr), eval_data,
	    sizeof(eval_data));
	r = dns_zone_parse(&eval_z, (const uint8_t *)eval_zone,
	    strlen(eval_zone));
	if (r != SK_OK) {
		test_fail("eval zone: %s at line %zu",
		    eval_z.err ? eval_z.err : "-", eval_z.line);
		return -1;
	}
	dns_zone_resolver(&eval_z, res);
	return 0;
}

static void
eval_request(const struct eval_case *c, struct spf_request *req)
{
	memset(req, 0, sizeof(*req));
	req->identity = c->id;
	req->af = dns_ip4_parse(c->ip, strlen(c->ip), req->ip) == SK_OK ? 4 : 6;
	if (req->af == 6) {
		(void)dns_ip6_parse(c->ip, strlen(c->ip), req->ip);
	}
	req->helo = c->helo;
	req->mail_from = c->from;
	req->default_exp = "DEFAULT %{s}";
	req->now = 1700000000;
}

/* test_eval_table - every result through the zone backend */
static void
test_eval_table(void)
{
	struct dns_resolver res;
	struct spf_request req;
	enum spf_result r;
	size_t i;

	if (eval_load(&res) != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(eval_cases); i++) {
		const struct eval_case *c = &eval_cases[i];

		eval_request(c, &req);
		r = spf_check(&ctx, &res, &req, &out);
		TEST_CHECK(r == c->want && out.result == r,
		    "%s: got %s (%s), want %s", c->name, spf_result_str(r),
		    out.reason, spf_result_str(c->want));
		if (c->exp != NULL && r == SPF_FAIL) {
			TEST_CHECK(strcmp(out.explanation, c->exp) == 0,
			    "%s: got explanation \"%s\", want \"%s\"", c->name,
			    out.explanation, c->exp);
		}
	}
}

/* test_eval_async - re-running after each answer gives the sync result */
static void
test_eval_async(void)
{
	static struct dns_defer a;
	struct dns_resolver res;
	struct spf_request req;
	enum spf_result want, r;
	size_t i, rounds;

	if (eval_load(&a.inner) != 0) {
		return;
	}
	res = dns_defer_resolver(&a);
	for (i = 0; i < SK_NELEM(eval_cases); i++) {
		const struct eval_case *c = &eval_cases[i];

		eval_request(c, &req);
		want = spf_check(&ctx, &a.inner, &req, &out);
		dns_defer_reset(&a);
		for (rounds = 0; rounds < 100; rounds++) {
			r = spf_check(&ctx, &res, &req, &out);
			if (r != SPF_PENDING) {
				break;
			}
		}
		TEST_CHECK(r == want, "%s: got %s after %zu rounds, want %s",
		    c->name, spf_result_str(r), rounds, spf_result_str(want));
		TEST_CHECK(rounds == a.pending,
		    "%s: got %zu rounds for %zu "
		    "pending queries",
		    c->name, rounds, a.pending);
	}
}

/* test_header - Received-SPF (RFC 7208 9.1) quotes what needs it */
static void
test_header(void)
{
	static const struct eval_case c = { "header", "192.0.2.1",
		"h.example.net", "a\"b@pass.example.com", SPF_ID_MAILFROM,
		SPF_PASS, NULL };
	struct dns_resolver res;
	struct spf_request req;
	char buf[1024];
	size_t n;

	if (eval_load(&res) != 0) {
		return;
	}
	eval_request(&c, &req);
	(void)spf_check(&ctx, &res, &req, &out);
	n = spf_received_header(&out, &req, "mx.example.org", buf, sizeof(buf));
	TEST_CHECK(n > 0 && strncmp(buf, "Received-SPF: pass (", 20) == 0,
	    "got \"%s\", want it to start \"Received-SPF: pass (\"", buf);
	TEST_CHECK(strstr(buf, "\tclient-ip=192.0.2.1;") != NULL,
	    "no client-ip in \"%s\"", buf);
	TEST_CHECK(strstr(buf, "envelope-from=\"a\\\"b@pass.example.com\";") !=
		NULL,
	    "envelope-from not quoted in \"%s\"", buf);
	TEST_CHECK(strstr(buf, "receiver=mx.example.org;") != NULL &&
		strstr(buf, "identity=mailfrom;") != NULL &&
		strstr(buf, "helo=h.example.net;") != NULL,
	    "missing keys in \"%s\"", buf);
	TEST_CHECK(spf_received_header(&out, &req, NULL, buf, 20) == 0,
	    "short buffer: got a header");
}

const struct test_case test_cases[] = {
	{ "spf_record_table", test_record_table },
	{ "spf_record_terms", test_record_terms },
	{ "spf_macro_table", test_macro_table },
	{ "spf_macro_bounds", test_macro_bounds },
	{ "spf_eval_table", test_eval_table },
	{ "spf_eval_async", test_eval_async },
	{ "spf_header", test_header },
};
const size_t test_ncases = SK_NELEM(test_cases);

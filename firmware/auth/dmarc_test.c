/*
 * dmarc_test.c - tests of the DMARC record parser, the From domain,
 * alignment, and dmarc_check() over a zone: discovery at the From and the
 * organizational domain, multiple records, p/sp/np, pct sampling with an
 * injected random source, DNS failures, and the re-run with a pending
 * resolver.
 */
#include <stdio.h>
#include <string.h>

#include "../dns/dns_defer.h"
#include "../dns/dns_zone.h"
#include "dmarc.h"
#include "test.h"

/* --- record ---------------------------------------------------------- */

static const struct record_case {
	const char *in;
	enum sk_result want;
	unsigned bad; /* DMARC_TAG_* expected bad */
} record_cases[] = {
	{ "v=DMARC1; p=reject", SK_OK, 0 },
	{ "v=DMARC1;p=none;", SK_OK, 0 },
	{ "v = DMARC1 ; P = Quarantine ; ", SK_OK, 0 },
	{ "v=DMARC1; p=reject; sp=none; np=quarantine; adkim=s; aspf=r; "
	  "pct=0; fo=0:1:d:s; rf=afrf; ri=3600; "
	  "rua=mailto:a@example.com!10m, mailto:b@example.net; "
	  "ruf=mailto:f@example.com?subject=x",
	    SK_OK, 0 },
	{ "v=DMARC1; p=none; x_new=any thing; y=", SK_OK, 0 },
	{ "v=DMARC1; rua=mailto:a@example.com; p=reject", SK_OK, 0 },
	{ "", SK_E_UNKNOWN, 0 },
	{ " v=DMARC1; p=none", SK_E_UNKNOWN, 0 },
	{ "v=dmarc1; p=none", SK_E_UNKNOWN, 0 },
	{ "v=DMARC10; p=none", SK_E_UNKNOWN, 0 },
	{ "p=none; v=DMARC1", SK_E_UNKNOWN, 0 },
	{ "v=DMARC1", SK_E_SYNTAX, 0 },
	{ "v=DMARC1; p=n", SK_E_SYNTAX, DMARC_TAG_P },
	{ "v=DMARC1; p=none; p=reject", SK_E_SYNTAX, DMARC_TAG_P },
	{ "v=DMARC1; p=none; sp=all", SK_E_SYNTAX, DMARC_TAG_SP },
	{ "v=DMARC1; p=none; np=", SK_E_SYNTAX, DMARC_TAG_NP },
	{ "v=DMARC1; p=none; pct=101", SK_E_SYNTAX, DMARC_TAG_PCT },
	{ "v=DMARC1; p=none; pct=0100", SK_E_SYNTAX, DMARC_TAG_PCT },
	{ "v=DMARC1; p=none; pct=-1", SK_E_SYNTAX, DMARC_TAG_PCT },
	{ "v=DMARC1; p=none; ri=4294967296", SK_E_SYNTAX, DMARC_TAG_RI },
	{ "v=DMARC1; p=none; fo=2", SK_E_SYNTAX, DMARC_TAG_FO },
	{ "v=DMARC1; p=none; fo=0:", SK_E_SYNTAX, DMARC_TAG_FO },
	{ "v=DMARC1; p=none; rf=iodef", SK_E_SYNTAX, DMARC_TAG_RF },
	{ "v=DMARC1; p=none; rua=a@example.com", SK_E_SYNTAX, DMARC_TAG_RUA },
	{ "v=DMARC1; p=none; rua=mailto:a@x,", SK_E_SYNTAX, DMARC_TAG_RUA },
	{ "v=DMARC1; p=none; rua=mailto:a@x!0", SK_E_SYNTAX, DMARC_TAG_RUA },
	{ "v=DMARC1; p=none; rua=mailto:a@x!5x", SK_E_SYNTAX, DMARC_TAG_RUA },
	{ "v=DMARC1; p=none; rua=mailto:a b@x", SK_E_SYNTAX, DMARC_TAG_RUA },
	{ "v=DMARC1; p=none; rua=mailto:a%zz@x", SK_E_SYNTAX, DMARC_TAG_RUA },
	{ "v=DMARC1; p=none; adkim=x", SK_E_SYNTAX, DMARC_TAG_ADKIM },
	{ "v=DMARC1; p=none;; adkim=s", SK_E_SYNTAX, DMARC_TAG_OTHER },
	{ "v=DMARC1; p=none; 1x=y", SK_E_SYNTAX, DMARC_TAG_OTHER },
	{ "v=DMARC1; p=none; v=DMARC1", SK_E_SYNTAX, DMARC_TAG_V },
};

/* test_record_table - strict parse; which tags were bad */
static void
test_record_table(void)
{
	struct dmarc_record rec;
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(record_cases); i++) {
		const struct record_case *c = &record_cases[i];

		r = dmarc_record_parse((const uint8_t *)c->in, strlen(c->in),
		    &rec);
		TEST_CHECK(r == c->want &&
			(r == SK_E_UNKNOWN || rec.bad == c->bad),
		    "\"%s\": got %s bad 0x%x (%s), want %s bad 0x%x", c->in,
		    sk_result_str(r), rec.bad, rec.err ? rec.err : "-",
		    sk_result_str(c->want), c->bad);
	}
}

/* test_record_values - values and RFC 7489 6.3 / RFC 9091 defaults */
static void
test_record_values(void)
{
	static const char full[] = "v=DMARC1; p=reject; sp=none; "
				   "np=quarantine; adkim=s; pct=20; "
				   "rua=mailto:a@example.com!10m, "
				   "https://r.example/x; fo=1:d; ri=60";
	static const char bare[] = "v=DMARC1; p=quarantine; aspf=bogus";
	struct dmarc_record rec;

	TEST_CHECK(dmarc_record_parse((const uint8_t *)full, strlen(full),
		       &rec) == SK_OK,
	    "full: parse failed: %s", rec.err ? rec.err : "-");
	TEST_CHECK(rec.p == DMARC_P_REJECT && rec.sp == DMARC_P_NONE &&
		rec.np == DMARC_P_QUARANTINE && rec.adkim_strict &&
		!rec.aspf_strict && rec.pct == 20 && rec.ri == 60 &&
		rec.fo == (DMARC_FO_1 | DMARC_FO_D),
	    "full: got p %d sp %d np %d adkim %d pct %u ri %u fo %u", rec.p,
	    rec.sp, rec.np, rec.adkim_strict, rec.pct, rec.ri, rec.fo);
	TEST_CHECK(rec.nrua == 2 && rec.rua[0].mailto &&
		rec.rua[0].max_size == 10u << 20 && rec.rua[0].addr_len == 13 &&
		memcmp(rec.rua[0].addr, "a@example.com", 13) == 0 &&
		!rec.rua[1].mailto,
	    "full: got %zu rua, first size %llu", rec.nrua,
	    (unsigned long long)rec.rua[0].max_size);
	(void)dmarc_record_parse((const uint8_t *)bare, strlen(bare), &rec);
	TEST_CHECK(rec.sp == DMARC_P_QUARANTINE &&
		rec.np == DMARC_P_QUARANTINE && rec.pct == 100 &&
		rec.ri == DMARC_RI_DEFAULT && rec.fo == DMARC_FO_0 &&
		rec.rf == DMARC_RF_AFRF && !rec.aspf_strict &&
		rec.bad == DMARC_TAG_ASPF,
	    "defaults: got sp %d np %d pct %u bad 0x%x", rec.sp, rec.np,
	    rec.pct, rec.bad);
}

/* --- From ------------------------------------------------------------ */

static const struct from_case {
	const char *in;
	enum dmarc_from_status want;
	const char *domain;
} from_cases[] = {
	{ "From: a@Example.COM\r\n\r\n", DMARC_FROM_OK, "example.com" },
	{ "To: x@y\r\nfrom : \"A, B\" <a@b.example>\r\n", DMARC_FROM_OK,
	    "b.example" },
	{ "From: John Q. Public <jqp@example.org>\n\nFrom: x@y\n",
	    DMARC_FROM_OK, "example.org" },
	{ "From: (c (nested)) a . b @ (x) example . net (y)\r\n", DMARC_FROM_OK,
	    "example.net" },
	{ "From: A\r\n\t<a@folded.example>\r\nTo: b@c\r\n", DMARC_FROM_OK,
	    "folded.example" },
	{ "From: Team: a@team.example;\r\n", DMARC_FROM_OK, "team.example" },
	{ "From: \"q\\\"x\"@quoted.example\r\n", DMARC_FROM_OK,
	    "quoted.example" },
	{ "From: a@\xe4\xbe\x8b.\xe4\xb8\xad\xe5\x9b\xbd\r\n", DMARC_FROM_OK,
	    "\xe4\xbe\x8b.\xe4\xb8\xad\xe5\x9b\xbd" },
	{ "To: a@b\r\n\r\n", DMARC_FROM_NONE, NULL },
	{ "From: a@x.example\r\nFROM: b@x.example\r\n", DMARC_FROM_FIELDS,
	    NULL },
	{ "From: a@x.example, b@x.example\r\n", DMARC_FROM_ADDRESSES, NULL },
	{ "From: \r\n", DMARC_FROM_NO_ADDRESS, NULL },
	{ "From: Undisclosed:;\r\n", DMARC_FROM_NO_ADDRESS, NULL },
	{ "From: a@[192.0.2.1]\r\n", DMARC_FROM_DOMAIN, NULL },
	{ "From: a@exa$mple.com\r\n", DMARC_FROM_DOMAIN, NULL },
	{ "From: <@route.example:a@x.example>\r\n", DMARC_FROM_SYNTAX, NULL },
	{ "From: a@x.example.\r\n", DMARC_FROM_SYNTAX, NULL },
	{ "From: a@x.example (unclosed\r\n", DMARC_FROM_SYNTAX, NULL },
	{ "From: Name a@x.example\r\n", DMARC_FROM_SYNTAX, NULL },
	{ "From: <a@x.example> <b@y.example>\r\n", DMARC_FROM_SYNTAX, NULL },
	{ "From: a@x.example\rX\r\n", DMARC_FROM_SYNTAX, NULL },
};

/* test_from_table - one From field, one mailbox, else a status */
static void
test_from_table(void)
{
	struct dmarc_from f;
	size_t i, len;

	for (i = 0; i < SK_NELEM(from_cases); i++) {
		const struct from_case *c = &from_cases[i];

		len = strlen(c->in);
		dmarc_from_parse((const uint8_t *)c->in, len, &f);
		TEST_CHECK(f.status == c->want &&
			(c->domain == NULL || strcmp(f.domain, c->domain) == 0),
		    "case %zu: got %s \"%s\", want %s \"%s\"", i,
		    dmarc_from_status_str(f.status), f.domain,
		    dmarc_from_status_str(c->want), c->domain ? c->domain : "");
	}
	/* a NUL inside the field */
	len = sizeof("From: a\0b@x.example\r\n") - 1;
	dmarc_from_parse((const uint8_t *)"From: a\0b@x.example\r\n", len, &f);
	TEST_CHECK(f.status == DMARC_FROM_SYNTAX, "NUL: got %s, want syntax",
	    dmarc_from_status_str(f.status));
}

/* --- alignment ------------------------------------------------------- */

static const struct align_case {
	const char *a, *b;
	int strict, want;
} align_cases[] = {
	{ "mail.example.com", "example.com", 0, 1 },
	{ "mail.example.com", "example.com", 1, 0 },
	{ "Example.COM.", "example.com", 1, 1 },
	{ "a.example.co.uk", "b.example.co.uk", 0, 1 },
	{ "example.co.uk", "other.co.uk", 0, 0 },
	{ "co.uk", "example.co.uk", 0, 0 },
	{ "me.blogspot.com", "you.blogspot.com", 0, 0 }, /* PRIVATE */
	{ "xn--fiqs8s", "\xe4\xb8\xad\xe5\x9b\xbd", 1, 1 },
	{ ".example.com", "example.com", 1, 0 },
	{ "", "", 1, 0 },
};

static void
test_align_table(void)
{
	size_t i;
	int got;

	for (i = 0; i < SK_NELEM(align_cases); i++) {
		const struct align_case *c = &align_cases[i];

		got = dmarc_aligned(NULL, c->a, strlen(c->a), c->b,
		    strlen(c->b), c->strict);
		TEST_CHECK(got == c->want, "%s ~ %s (%s): got %d, want %d",
		    c->a, c->b, c->strict ? "strict" : "relaxed", got, c->want);
	}
}

/* --- evaluation ------------------------------------------------------ */

static const char eval_zone[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "_dmarc.reject      TXT \"v=DMARC1; p=reject; sp=quarantine; "
    "np=reject; rua=mailto:r@reject.example\"\n"
    "sub.reject         A 192.0.2.1\n"
    "_dmarc.own.reject  TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.strict      TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n"
    "_dmarc.pct         TXT \"v=DMARC1; p=reject; pct=50\"\n"
    "_dmarc.two         TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.two         TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.other       TXT \"v=spf1 -all\"\n"
    "_dmarc.other       TXT \"v=DMARC1; p=quarantine\"\n"
    "_dmarc.badp        TXT \"v=DMARC1; p=bogus; rua=mailto:a@badp.example\"\n"
    "_dmarc.badpnorua   TXT \"v=DMARC1; p=bogus\"\n"
    "_dmarc.badpct      TXT \"v=DMARC1; p=reject; pct=500\"\n"
    "_dmarc.tempfail    TXT \"SEKIMORI-TEMPFAIL\"\n";

struct eval_case {
	const char *name;
	const char *from;
	enum spf_result spf;
	const char *spf_domain;
	const char *dkim_d; /* one passing signature, or NULL */
	uint32_t rnd;
	enum dmarc_result want;
	enum dmarc_policy disposition;
};

static const struct eval_case eval_cases[] = {
	{ "spf aligned", "reject.example", SPF_PASS, "bounce.reject.example",
	    NULL, 0, DMARC_PASS, DMARC_P_NONE },
	{ "dkim aligned", "reject.example", SPF_FAIL, "x.example",
	    "mail.reject.example", 0, DMARC_PASS, DMARC_P_NONE },
	{ "nothing aligned", "reject.example", SPF_PASS, "evil.example",
	    "evil.example", 0, DMARC_FAIL, DMARC_P_REJECT },
	{ "subdomain sp", "sub.reject.example", SPF_NONE, NULL, NULL, 0,
	    DMARC_FAIL, DMARC_P_QUARANTINE },
	{ "nonexistent np", "nx.reject.example", SPF_NONE, NULL, NULL, 0,
	    DMARC_FAIL, DMARC_P_REJECT },
	{ "own record p", "own.reject.example", SPF_NONE, NULL, NULL, 0,
	    DMARC_FAIL, DMARC_P_NONE },
	{ "strict dkim", "strict.example", SPF_PASS, "strict.example",
	    "mail.strict.example", 0, DMARC_PASS, DMARC_P_NONE },
	{ "strict fails", "strict.example", SPF_PASS, "b.strict.example",
	    "mail.strict.example", 0, DMARC_FAIL, DMARC_P_REJECT },
	{ "pct in", "pct.example", SPF_NONE, NULL, NULL, 0x7fffffffu,
	    DMARC_FAIL, DMARC_P_REJECT },
	{ "pct out", "pct.example", SPF_NONE, NULL, NULL, 0x80000000u,
	    DMARC_FAIL, DMARC_P_QUARANTINE },
	{ "two records", "two.example", SPF_NONE, NULL, NULL, 0, DMARC_NONE,
	    DMARC_P_NONE },
	{ "non-dmarc txt ignored", "other.example", SPF_NONE, NULL, NULL, 0,
	    DMARC_FAIL, DMARC_P_QUARANTINE },
	{ "bad p with rua", "badp.example", SPF_NONE, NULL, NULL, 0, DMARC_FAIL,
	    DMARC_P_NONE },
	{ "bad p no rua", "badpnorua.example", SPF_NONE, NULL, NULL, 0,
	    DMARC_NONE, DMARC_P_NONE },
	{ "bad pct: default", "badpct.example", SPF_NONE, NULL, NULL,
	    0xffffffffu, DMARC_FAIL, DMARC_P_REJECT },
	{ "no record", "none.example", SPF_PASS, "none.example", NULL, 0,
	    DMARC_NONE, DMARC_P_NONE },
	{ "dns failure", "tempfail.example", SPF_NONE, NULL, NULL, 0,
	    DMARC_TEMPERROR, DMARC_P_NONE },
	{ "public suffix from", "example", SPF_NONE, NULL, NULL, 0, DMARC_NONE,
	    DMARC_P_NONE },
	{ "bad from", "a..example", SPF_NONE, NULL, NULL, 0, DMARC_PERMERROR,
	    DMARC_P_NONE },
};

static struct dns_zone eval_z;
static struct dns_zone_rr eval_rr[64];
static uint8_t eval_data[8192];
static struct dmarc_ctx ctx;
static struct dmarc_outcome out;

static uint32_t
eval_random(void *arg)
{
	return *(const uint32_t *)arg;
}

static int
eval_load(struct dns_resolver *res)
{
	dns_zone_init(&eval_z, eval_rr, SK_NELEM(eval_rr), eval_data,
	    sizeof(eval_data));
	if (dns_zone_parse(&eval_z, (const uint8_t *)eval_zone,
		strlen(eval_zone)) != SK_OK) {
		test_fail("eval zone: %s at line %zu",
		    eval_z.err ? eval_z.err : "-", eval_z.line);
		return -1;
	}
	dns_zone_resolver(&eval_z, res);
	return 0;
}

static void
eval_request(const struct eval_case *c, struct dmarc_request *req,
    struct dmarc_dkim *sig)
{
	memset(req, 0, sizeof(*req));
	req->from_domain = c->from;
	req->spf = c->spf;
	req->spf_domain = c->spf_domain;
	sig->domain = c->dkim_d;
	sig->result = DMARC_DKIM_PASS;
	req->dkim = c->dkim_d != NULL ? sig : NULL;
	req->ndkim = c->dkim_d != NULL;
	req->random = eval_random;
	req->random_arg = (void *)(uintptr_t)&c->rnd;
}

/* test_eval_table - results and dispositions over the zone */
static void
test_eval_table(void)
{
	struct dns_resolver res;
	struct dmarc_request req;
	struct dmarc_dkim sig;
	enum dmarc_result r;
	size_t i;

	if (eval_load(&res) != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(eval_cases); i++) {
		const struct eval_case *c = &eval_cases[i];

		eval_request(c, &req, &sig);
		r = dmarc_check(&ctx, &res, &req, &out);
		TEST_CHECK(r == c->want && out.result == r &&
			out.disposition == c->disposition,
		    "%s: got %s disposition %s (%s), want %s %s", c->name,
		    dmarc_result_str(r), dmarc_policy_str(out.disposition),
		    out.reason, dmarc_result_str(c->want),
		    dmarc_policy_str(c->disposition));
	}
}

/* test_eval_async - re-running after each answer gives the sync result */
static void
test_eval_async(void)
{
	static struct dns_defer a;
	struct dns_resolver res = dns_defer_resolver(&a);
	struct dmarc_request req;
	struct dmarc_dkim sig;
	enum dmarc_result want, r = DMARC_PENDING;
	size_t i, rounds;

	if (eval_load(&a.inner) != 0) {
		return;
	}
	for (i = 0; i < SK_NELEM(eval_cases); i++) {
		const struct eval_case *c = &eval_cases[i];

		eval_request(c, &req, &sig);
		want = dmarc_check(&ctx, &a.inner, &req, &out);
		dns_defer_reset(&a);
		for (rounds = 0; rounds < 10; rounds++) {
			if ((r = dmarc_check(&ctx, &res, &req, &out)) !=
			    DMARC_PENDING) {
				break;
			}
		}
		TEST_CHECK(r == want && rounds == a.pending,
		    "%s: got %s after %zu rounds (%zu pending), want %s",
		    c->name, dmarc_result_str(r), rounds, a.pending,
		    dmarc_result_str(want));
	}
}

const struct test_case test_cases[] = {
	{ "dmarc_record_table", test_record_table },
	{ "dmarc_record_values", test_record_values },
	{ "dmarc_from_table", test_from_table },
	{ "dmarc_align_table", test_align_table },
	{ "dmarc_eval_table", test_eval_table },
	{ "dmarc_eval_async", test_eval_async },
};
const size_t test_ncases = SK_NELEM(test_cases);

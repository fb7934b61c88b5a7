/*
 * policy_report_test.c - tests of the DMARC report store: periods aligned
 * to UTC, aggregation of equal records, the bounds per domain and per
 * period, the reports due, the XML read back, deletion, pruning, and a
 * damaged store that is refused rather than trusted.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "../dns/dns_zone.h"
#include "policy_report.h"
#include "test.h"

#define T0 1764115200u /* 2025-11-26 00:00:00 UTC */

static uint8_t xml[1 << 16];

static void
test_period(void)
{
	static const struct {
		uint64_t now;
		unsigned hours;
		uint64_t want;
	} cases[] = {
		{ T0, 24, T0 },
		{ T0 + 86399, 24, T0 },
		{ T0 + 86400, 24, T0 + 86400 },
		{ T0 + 3599, 1, T0 },
		{ T0 + 3600 * 5 + 7, 1, T0 + 3600 * 5 },
		{ T0 + 3600 * 23, 7, T0 + 3600 * 21 }, /* short last one */
		{ T0 + 3600 * 13, 6, T0 + 3600 * 12 },
		{ T0 + 5, 0, T0 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		uint64_t got =
		    policy_report_period(cases[i].now, cases[i].hours);

		TEST_CHECK(got == cases[i].want,
		    "case %zu: got %llu, want %llu", i, (unsigned long long)got,
		    (unsigned long long)cases[i].want);
	}
}

static void
row_init(struct dmarc_report_row *r, const char *ip)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->source_ip, ip);
	strcpy(r->header_from, "example.org");
	strcpy(r->envelope_from, "bounce.example.org");
	strcpy(r->spf_domain, "bounce.example.org");
	strcpy(r->spf_result, "pass");
	r->spf_pass = 1;
	r->ndkim = 1;
	strcpy(r->dkim[0].domain, "example.org");
	strcpy(r->dkim[0].selector, "s1");
	strcpy(r->dkim[0].result, "pass");
	r->dkim_pass = 1;
}

static const struct policy_report_policy pol = {
	.p = DMARC_P_REJECT,
	.sp = DMARC_P_REJECT,
	.pct = 100,
	.rua = "mailto:rua@example.org!10m",
};

static int
open_db(struct policy_report_db *db)
{
	char path[512], err[256];

	(void)snprintf(path, sizeof(path), "%s/dmarc.db", test_tmpdir());
	if (policy_report_open(db, path, 0, err, sizeof(err)) != SK_OK) {
		test_fail("open: %s", err);
		return -1;
	}
	return 0;
}

static size_t
count_of(const char *x, const char *needle)
{
	size_t n = 0;

	while ((x = strstr(x, needle)) != NULL) {
		n++;
		x++;
	}
	return n;
}

static void
test_aggregate(void)
{
	struct policy_report_db db;
	struct dmarc_report_row r;
	struct dmarc_report_out o;
	struct policy_report_key keys[4];
	char err[256];
	size_t n = 0, nrows = 0, i;
	enum sk_result res;

	if (open_db(&db) != 0) {
		return;
	}
	row_init(&r, "192.0.2.1");
	for (i = 0; i < 3; i++) {
		res = policy_report_record(&db, T0, "example.org", &pol, &r,
		    err, sizeof(err));
		TEST_CHECK(res == SK_OK, "record: %s", err);
	}
	row_init(&r, "192.0.2.2");
	r.disposition = DMARC_P_REJECT;
	r.dkim_pass = 0;
	strcpy(r.dkim[0].result, "fail");
	(void)policy_report_record(&db, T0, "example.org", &pol, &r, err,
	    sizeof(err));
	(void)policy_report_record(&db, T0 + 86400, "example.org", &pol, &r,
	    err, sizeof(err));
	(void)policy_report_record(&db, T0, "other.example", &pol, &r, err,
	    sizeof(err));

	TEST_CHECK(policy_report_due(&db, T0 + 86400, keys, SK_NELEM(keys), &n,
		       err, sizeof(err)) == SK_OK &&
		n == 2 && strcmp(keys[0].domain, "example.org") == 0 &&
		strcmp(keys[1].domain, "other.example") == 0 &&
		keys[0].period == T0,
	    "due: %zu", n);
	dmarc_report_out_init(&o, xml, sizeof(xml) - 1);
	res = policy_report_xml(&db, &keys[0], 24, "Example", "r@example.net",
	    &o, &nrows, err, sizeof(err));
	xml[o.len] = '\0';
	TEST_CHECK(res == SK_OK && nrows == 2, "xml: %s, %zu rows", err, nrows);
	TEST_CHECK(strstr((char *)xml, "<count>3</count>") != NULL &&
		strstr((char *)xml, "<count>1</count>") != NULL &&
		count_of((char *)xml, "<record>") == 2 &&
		strstr((char *)xml, "<begin>1764115200</begin>") != NULL &&
		strstr((char *)xml, "<end>1764201599</end>") != NULL &&
		strstr((char *)xml, "<report_id>1764201600.") != NULL &&
		strstr((char *)xml, "<p>reject</p>") != NULL,
	    "xml:\n%s", (char *)xml);
	TEST_CHECK(policy_report_delete(&db, &keys[0], err, sizeof(err)) ==
		    SK_OK &&
		policy_report_due(&db, T0 + 86400, keys, SK_NELEM(keys), &n,
		    err, sizeof(err)) == SK_OK &&
		n == 1,
	    "after delete: %zu due", n);
	TEST_CHECK(policy_report_prune(&db, T0 + 86400, err, sizeof(err)) ==
		    SK_OK &&
		policy_report_due(&db, T0 + 2 * 86400, keys, SK_NELEM(keys), &n,
		    err, sizeof(err)) == SK_OK &&
		n == 1 && keys[0].period == T0 + 86400,
	    "after prune: %zu due", n);
	policy_report_close(&db);
}

static void
test_bounds(void)
{
	struct policy_report_db db;
	struct dmarc_report_row r;
	char err[256], ip[32];
	size_t i;
	enum sk_result res;

	if (open_db(&db) != 0) {
		return;
	}
	db.rows_max = 3;
	db.domains_max = 2;
	for (i = 0; i < 5; i++) {
		(void)snprintf(ip, sizeof(ip), "192.0.2.%zu", i + 1);
		row_init(&r, ip);
		res = policy_report_record(&db, T0, "example.org", &pol, &r,
		    err, sizeof(err));
		TEST_CHECK(res == (i < 3 ? SK_OK : SK_E_FULL), "row %zu: %s", i,
		    sk_result_str(res));
	}
	row_init(&r, "192.0.2.1"); /* an existing row still counts */
	TEST_CHECK(policy_report_record(&db, T0, "example.org", &pol, &r, err,
		       sizeof(err)) == SK_OK,
	    "existing row refused: %s", err);
	TEST_CHECK(policy_report_record(&db, T0, "b.example", &pol, &r, err,
		       sizeof(err)) == SK_OK &&
		policy_report_record(&db, T0, "c.example", &pol, &r, err,
		    sizeof(err)) == SK_E_FULL,
	    "domains bound");
	strcpy(r.dkim[0].selector, "a b");
	TEST_CHECK(policy_report_record(&db, T0, "b.example", &pol, &r, err,
		       sizeof(err)) == SK_E_SYNTAX,
	    "a selector with a space stored");
	policy_report_close(&db);
}

static void
test_damaged(void)
{
	static const char *const damage[] = {
		"UPDATE record SET disposition = 7",
		"UPDATE record SET reason = -1",
		"UPDATE record SET dkim = 'a b'",
		"UPDATE record SET count = 0",
		"UPDATE record SET source_ip = zeroblob(100)",
		"UPDATE policy SET pct = 101",
		"UPDATE policy SET rua = 'a' || char(0) || 'b'",
		"UPDATE policy SET p = 3",
	};
	struct policy_report_db db;
	struct dmarc_report_row r;
	struct dmarc_report_out o;
	struct policy_report_key k = { .period = T0, .domain = "example.org" };
	char err[256];
	size_t i, nrows;
	enum sk_result res;

	for (i = 0; i < SK_NELEM(damage); i++) {
		if (open_db(&db) != 0) {
			return;
		}
		(void)sqlite3_exec(db.h,
		    "DELETE FROM record; DELETE FROM policy", NULL, NULL, NULL);
		row_init(&r, "192.0.2.1");
		(void)policy_report_record(&db, T0, "example.org", &pol, &r,
		    err, sizeof(err));
		(void)sqlite3_exec(db.h, damage[i], NULL, NULL, NULL);
		dmarc_report_out_init(&o, xml, sizeof(xml));
		res = policy_report_xml(&db, &k, 24, "E", "r@example.net", &o,
		    &nrows, err, sizeof(err));
		TEST_CHECK(res == SK_E_SYNTAX, "%s: got %s", damage[i],
		    sk_result_str(res));
		policy_report_close(&db);
	}
}

/* --- an evaluation as a row ------------------------------------------ */

static const char eval_zone[] =
    "$TTL 300\n"
    "news.test. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "_dmarc.news.test. TXT \"v=DMARC1; p=reject; sp=none; adkim=s; "
    "pct=50; fo=1; rua=mailto:a@news.test!10m,mailto:b@agg.test\"\n"
    "plain.test. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "_dmarc.plain.test. TXT \"v=DMARC1; p=reject\"\n"
    "shop.test. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "_dmarc.shop.test. TXT \"v=DMARC1; p=quarantine; "
    "rua=mailto:r@shop.test\"\n";

static struct policy_eval ev;
static struct policy_verdict vd;
static struct policy_conf conf;

/* eval_one - inbound evaluation of a message From: from */
static void
eval_one(const struct dns_resolver *dns, const char *ip, const char *mfrom,
    const char *from)
{
	static char msg[512];
	struct policy_request req;
	int n = snprintf(msg, sizeof(msg),
	    "From: <%s>\r\nTo: <x@example.org>\r\nSubject: t\r\n\r\nhi\r\n",
	    from);

	memset(&req, 0, sizeof(req));
	req.client_ip = ip;
	req.helo = "client.test";
	req.mail_from = mfrom;
	req.auth_user = "";
	req.direction = POLICY_INBOUND;
	req.msg = (const uint8_t *)msg;
	req.len = (size_t)n;
	req.now = T0;
	policy_eval_whole(&ev, &conf, &req);
	(void)policy_eval_run(&ev, dns, &vd);
}

static void
test_from_eval(void)
{
	static struct dns_zone z;
	static struct dns_zone_rr rr[32];
	static uint8_t data[4096];
	struct dns_resolver dns;
	struct policy_report_policy got;
	struct dmarc_report_row r;
	char domain[DMARC_DOMAIN_MAX + 1];
	enum sk_result res;

	memset(&conf, 0, sizeof(conf));
	strcpy(conf.authserv_id, "mx.example.net");
	conf.spf = conf.dkim = conf.dmarc = 1;
	conf.dmarc_reject = CONFIG_FAIL_REJECT;
	conf.dmarc_quarantine = CONFIG_FAIL_TAG;
	dns_zone_init(&z, rr, SK_NELEM(rr), data, sizeof(data));
	if (dns_zone_parse(&z, (const uint8_t *)eval_zone, strlen(eval_zone)) !=
	    SK_OK) {
		test_fail("zone line %zu: %s", z.line, z.err);
		return;
	}
	dns_zone_resolver(&z, &dns);

	/* SPF passes aligned: DMARC pass, disposition none */
	eval_one(&dns, "192.0.2.10", "list@news.test", "editor@news.test");
	res = policy_report_from_eval(&ev, &vd, domain, &got, &r);
	TEST_CHECK(res == SK_OK && strcmp(domain, "news.test") == 0 &&
		strcmp(got.rua,
		    "mailto:a@news.test!10485760,"
		    "mailto:b@agg.test") == 0 &&
		got.p == DMARC_P_REJECT && got.sp == DMARC_P_NONE &&
		got.adkim_strict && got.pct == 50 && got.fo == DMARC_FO_1 &&
		strcmp(r.source_ip, "192.0.2.10") == 0 &&
		strcmp(r.envelope_from, "news.test") == 0 &&
		strcmp(r.header_from, "news.test") == 0 && r.spf_pass &&
		!r.dkim_pass && r.disposition == DMARC_P_NONE &&
		strcmp(r.spf_result, "pass") == 0 && r.count == 1,
	    "pass: %s rua=%s disp=%d spf=%s", sk_result_str(res), got.rua,
	    (int)r.disposition, r.spf_result);

	/* a forgery: refused, reported as reject (null sender: helo) */
	eval_one(&dns, "198.51.100.7", "", "ceo@news.test");
	res = policy_report_from_eval(&ev, &vd, domain, &got, &r);
	TEST_CHECK(res == SK_OK && vd.action == POLICY_REJECT &&
		r.disposition == DMARC_P_REJECT &&
		r.reason == DMARC_REASON_NONE && !r.spf_pass &&
		r.envelope_from[0] == '\0' && r.spf_helo,
	    "forged: %s action %d disp %d reason %d", sk_result_str(res),
	    (int)vd.action, (int)r.disposition, (int)r.reason);

	/* quarantine published, our config tags: local_policy */
	eval_one(&dns, "198.51.100.7", "x@elsewhere.example", "a@shop.test");
	res = policy_report_from_eval(&ev, &vd, domain, &got, &r);
	TEST_CHECK(res == SK_OK && r.disposition == DMARC_P_NONE &&
		r.reason == DMARC_REASON_LOCAL_POLICY,
	    "tagged: disp %d reason %d", (int)r.disposition, (int)r.reason);

	/* no rua: nothing to record */
	eval_one(&dns, "192.0.2.10", "a@plain.test", "a@plain.test");
	TEST_CHECK(policy_report_from_eval(&ev, &vd, domain, &got, &r) ==
		SK_END,
	    "a record without rua recorded");
}

const struct test_case test_cases[] = {
	{ "policy_report_period", test_period },
	{ "policy_report_aggregate", test_aggregate },
	{ "policy_report_bounds", test_bounds },
	{ "policy_report_damaged", test_damaged },
	{ "policy_report_from_eval", test_from_eval },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * policy_report_test.c - tests of the DMARC report store: periods aligned
 * to UTC, aggregation of equal records, the bounds per domain and per
 * period, the reports due, the XML read back, deletion, pruning, and a
 * damaged store that is refused rather than trusted; the recent results:
 * batches, the prune bound, queries with filters beside the writer,
 * hostile and crafted strings, the summary, a verdict as a row.
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

/* --- recent results ---------------------------------------------------- */

static void
recent_row(struct policy_recent_row *r, uint64_t t, const char *from,
    const char *action)
{
	memset(r, 0, sizeof(*r));
	r->time = t;
	snprintf(r->qid, sizeof(r->qid), "Q%llu", (unsigned long long)t);
	strcpy(r->client_ip, "192.0.2.10");
	strcpy(r->envelope_domain, "bounce.example.org");
	snprintf(r->header_domain, sizeof(r->header_domain), "%s", from);
	strcpy(r->spf, "pass");
	strcpy(r->dkim, "pass");
	strcpy(r->dmarc, "pass");
	strcpy(r->dmarc_policy, "reject");
	strcpy(r->arc, "none");
	snprintf(r->action, sizeof(r->action), "%s", action);
	r->failed = strcmp(action, "accept") != 0;
	r->ndkim = 2;
	strcpy(r->sig[0].domain, from);
	strcpy(r->sig[0].result, "pass");
	strcpy(r->sig[1].domain, "esp.example");
	strcpy(r->sig[1].result, "fail");
}

/* The rows a query gave, copied. */
struct recent_got {
	size_t n;
	struct policy_recent_row rows[16];
};

static int
recent_collect(void *arg, const struct policy_recent_row *row)
{
	struct recent_got *g = arg;

	if (g->n < SK_NELEM(g->rows)) {
		g->rows[g->n] = *row;
	}
	g->n++;
	return 0;
}

/* recent_query - rows of f into g; SK_OK or the error */
static enum sk_result
recent_query(struct policy_recent_db *db, const char *domain, int failed,
    uint64_t since, size_t count, struct recent_got *g)
{
	struct policy_recent_filter f = { domain, failed, since, count };
	char err[256];
	enum sk_result r;

	memset(g, 0, sizeof(*g));
	r = policy_report_recent_query(db, &f, recent_collect, g, err,
	    sizeof(err));
	if (r != SK_OK) {
		test_fail("query: %s", err);
	}
	return r;
}

static struct policy_recent_db recent_db, recent_ro;

static void
test_recent_query(void)
{
	struct policy_recent_row r;
	struct recent_got g;
	char path[512], err[256];

	snprintf(path, sizeof(path), "%s/recent.db", test_tmpdir());
	TEST_CHECK(policy_report_recent_open(&recent_ro, path, 1, err,
		       sizeof(err)) == SK_E_IO,
	    "a missing store opened read-only");
	if (policy_report_recent_open(&recent_db, path, 0, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open: %s", err);
		return;
	}
	recent_row(&r, T0 + 1, "example.org", "accept");
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	recent_row(&r, T0 + 2, "Shop.Example", "tag");
	strcpy(r.spf, "fail");
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	recent_row(&r, T0 + 3, "bank.example", "reject");
	strcpy(r.envelope_domain, "");
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	/* a reader beside the writer (WAL): nothing before the flush */
	if (policy_report_recent_open(&recent_ro, path, 1, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open read-only: %s", err);
		policy_report_recent_close(&recent_db);
		return;
	}
	recent_query(&recent_ro, NULL, 0, 0, 0, &g);
	TEST_CHECK(g.n == 0, "got %zu rows before the flush, want 0", g.n);
	TEST_CHECK(policy_report_recent_flush(&recent_db, err, sizeof(err)) ==
		    SK_OK &&
		recent_db.nbatch == 0,
	    "flush: %s", err);

	recent_query(&recent_ro, NULL, 0, 0, 0, &g);
	TEST_CHECK(g.n == 3 && g.rows[0].time == T0 + 3 &&
		g.rows[2].time == T0 + 1 &&
		strcmp(g.rows[0].qid, "Q1764115203") == 0 &&
		strcmp(g.rows[0].action, "reject") == 0 &&
		g.rows[0].envelope_domain[0] == '\0' && g.rows[1].ndkim == 2 &&
		strcmp(g.rows[1].sig[0].domain, "Shop.Example") == 0 &&
		strcmp(g.rows[1].sig[1].result, "fail") == 0 &&
		strcmp(g.rows[1].spf, "fail") == 0 &&
		strcmp(g.rows[2].dmarc_policy, "reject") == 0,
	    "all: got %zu rows, first %s", g.n, g.n > 0 ? g.rows[0].qid : "-");
	recent_query(&recent_ro, NULL, 0, 0, 2, &g);
	TEST_CHECK(g.n == 2 && g.rows[1].time == T0 + 2,
	    "count 2: got %zu rows", g.n);
	recent_query(&recent_ro, "shop.example", 0, 0, 0, &g);
	TEST_CHECK(g.n == 1 && g.rows[0].time == T0 + 2,
	    "domain (case): got %zu rows", g.n);
	recent_query(&recent_ro, "BOUNCE.example.org", 0, 0, 0, &g);
	TEST_CHECK(g.n == 2, "envelope domain: got %zu rows, want 2", g.n);
	recent_query(&recent_ro, "nowhere.example", 0, 0, 0, &g);
	TEST_CHECK(g.n == 0, "unknown domain: got %zu rows", g.n);
	recent_query(&recent_ro, NULL, 1, 0, 0, &g);
	TEST_CHECK(g.n == 2 && g.rows[0].failed && g.rows[1].failed,
	    "failed: got %zu rows, want 2", g.n);
	recent_query(&recent_ro, NULL, 0, T0 + 2, 0, &g);
	TEST_CHECK(g.n == 2, "since: got %zu rows, want 2", g.n);
	recent_query(&recent_ro, "example.org", 1, T0 + 2, 0, &g);
	TEST_CHECK(g.n == 0, "all filters: got %zu rows, want 0", g.n);
	policy_report_recent_close(&recent_ro);
	policy_report_recent_close(&recent_db);
}

/* recent_sql_count - one integer of sql over the store at path */
static long long
recent_sql_count(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open(path, &h) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void
test_recent_prune(void)
{
	struct policy_recent_row r;
	struct recent_got g;
	char path[512], err[256];
	size_t i, flushed = 0;
	long long rows, sigs;

	snprintf(path, sizeof(path), "%s/recent.db", test_tmpdir());
	if (policy_report_recent_open(&recent_db, path, 0, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open: %s", err);
		return;
	}
	recent_db.rows_max = 100;
	/* 3 full batches go by themselves; the rest waits for a flush */
	for (i = 0; i < 3 * POLICY_RECENT_BATCH + 5; i++) {
		recent_row(&r, T0 + i, "example.org", "accept");
		TEST_CHECK(policy_report_recent_add(&recent_db, &r, err,
			       sizeof(err)) == SK_OK,
		    "add %zu: %s", i, err);
		flushed += recent_db.nbatch == 0;
	}
	TEST_CHECK(flushed == 3 && recent_db.nbatch == 5,
	    "got %zu batches written and %zu waiting, want 3 and 5", flushed,
	    recent_db.nbatch);
	(void)policy_report_recent_flush(&recent_db, err, sizeof(err));
	rows = recent_sql_count(path, "SELECT count(*) FROM recent");
	sigs = recent_sql_count(path, "SELECT count(*) FROM recent_dkim");
	TEST_CHECK(rows == 100 && sigs == 200,
	    "got %lld rows and %lld signatures, want 100 and 200", rows, sigs);
	recent_query(&recent_db, NULL, 0, 0, 1, &g);
	TEST_CHECK(g.n == 1 &&
		g.rows[0].time == T0 + 3 * POLICY_RECENT_BATCH + 4,
	    "the newest row is not the last added");
	rows = recent_sql_count(path, "SELECT min(time) FROM recent");
	TEST_CHECK(rows == (long long)(T0 + 3 * POLICY_RECENT_BATCH + 5 - 100),
	    "the oldest row kept is %lld", rows);
	/* the query's own bound */
	recent_db.rows_max = POLICY_RECENT_ROWS_MAX;
	recent_query(&recent_db, NULL, 0, 0, 100000, &g);
	TEST_CHECK(g.n == 100, "got %zu rows, want 100", g.n);
	TEST_CHECK(POLICY_RECENT_ROWS_MAX == 10000 &&
		POLICY_RECENT_QUERY_MAX == 1000,
	    "the documented bounds changed");
	policy_report_recent_close(&recent_db);
}

/* recent_raw - insert a crafted row straight into the store */
static void
recent_raw(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	if (sqlite3_open(path, &h) != SQLITE_OK ||
	    sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		test_fail("%s: %s", sql, msg != NULL ? msg : "open");
	}
	sqlite3_free(msg);
	sqlite3_close(h);
}

static void
test_recent_hostile(void)
{
	static const char odd[] = "a\x1b[2Jb\r\n\x7f\xff\"';--.example";
	struct policy_recent_row r;
	struct recent_got g;
	char path[512], err[256], big[2000], sql[2048];

	snprintf(path, sizeof(path), "%s/recent.db", test_tmpdir());
	if (policy_report_recent_open(&recent_db, path, 0, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open: %s", err);
		return;
	}
	/* kept as they are, octet for octet */
	recent_row(&r, T0, odd, "accept");
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	(void)policy_report_recent_flush(&recent_db, err, sizeof(err));
	recent_query(&recent_db, odd, 0, 0, 0, &g);
	TEST_CHECK(g.n == 1 && strcmp(g.rows[0].header_domain, odd) == 0 &&
		strcmp(g.rows[0].sig[0].domain, odd) == 0,
	    "a hostile domain did not come back as it went in");
	policy_report_recent_close(&recent_db);

	/* a crafted file: too long, a NUL, too many signatures, no text */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(sql, sizeof(sql),
	    "INSERT INTO recent VALUES (100, %u, x'41004141', 1, '%.300s',"
	    " '%.300s', 'pass', 'pass', 'pass', '', 'none', '%.40s', '%.200s',"
	    " 7)",
	    T0 + 9, big, big, big, big);
	recent_raw(path, sql);
	recent_raw(path,
	    "WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k"
	    " WHERE n < 19) INSERT INTO recent_dkim SELECT 100, n, 'd', 'pass'"
	    " FROM k");
	if (policy_report_recent_open(&recent_ro, path, 1, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open read-only: %s", err);
		return;
	}
	recent_query(&recent_ro, NULL, 0, 0, 1, &g);
	TEST_CHECK(g.n == 1 && strcmp(g.rows[0].qid, "A") == 0 &&
		strcmp(g.rows[0].client_ip, "1") == 0 &&
		strlen(g.rows[0].envelope_domain) == POLICY_RECENT_DOMAIN_MAX &&
		strlen(g.rows[0].action) == POLICY_RECENT_WORD_MAX &&
		strlen(g.rows[0].reason) == POLICY_RECENT_REASON_MAX &&
		g.rows[0].ndkim == POLICY_RECENT_DKIM_MAX && g.rows[0].failed,
	    "a crafted row: got %zu rows, qid %s, %zu signatures", g.n,
	    g.n > 0 ? g.rows[0].qid : "-", g.n > 0 ? g.rows[0].ndkim : 0);
	policy_report_recent_close(&recent_ro);
}

/* The summary's lines, as "check result n" joined by "|". */
struct recent_sum {
	char text[1024];
	size_t len;
};

static void
recent_sum_add(void *arg, const char *check, const char *result, uint64_t n)
{
	struct recent_sum *s = arg;
	int k = snprintf(s->text + s->len, sizeof(s->text) - s->len,
	    "%s %s %llu|", check, result, (unsigned long long)n);

	if (k > 0 && (size_t)k < sizeof(s->text) - s->len) {
		s->len += (size_t)k;
	}
}

static void
test_recent_summary(void)
{
	struct policy_recent_row r;
	struct recent_sum sum;
	uint64_t total, oldest, newest;
	char path[512], err[256];
	enum sk_result res;

	snprintf(path, sizeof(path), "%s/recent.db", test_tmpdir());
	if (policy_report_recent_open(&recent_db, path, 0, err, sizeof(err)) !=
	    SK_OK) {
		test_fail("open: %s", err);
		return;
	}
	recent_row(&r, T0 + 5, "a.example", "accept");
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	recent_row(&r, T0 + 7, "b.example", "reject");
	strcpy(r.spf, "fail");
	strcpy(r.dmarc, "fail");
	(void)policy_report_recent_add(&recent_db, &r, err, sizeof(err));
	(void)policy_report_recent_flush(&recent_db, err, sizeof(err));
	memset(&sum, 0, sizeof(sum));
	res = policy_report_recent_summary(&recent_db, &total, &oldest, &newest,
	    recent_sum_add, &sum, err, sizeof(err));
	TEST_CHECK(res == SK_OK && total == 3 && oldest == T0 + 5 &&
		newest == T0 + 7 &&
		strcmp(sum.text,
		    "spf pass 2|spf fail 1|dkim pass 3|dmarc pass 2|"
		    "dmarc fail 1|arc none 3|action accept 2|"
		    "action reject 1|") == 0,
	    "got %s total %llu: %s", sk_result_str(res),
	    (unsigned long long)total, sum.text);
	policy_report_recent_close(&recent_db);
}

static void
test_recent_from_eval(void)
{
	static struct dns_zone z;
	static struct dns_zone_rr rr[32];
	static uint8_t data[4096];
	static struct policy_recent_row r;
	struct dns_resolver dns;

	memset(&conf, 0, sizeof(conf));
	strcpy(conf.authserv_id, "mx.example.net");
	conf.spf = conf.dkim = conf.dmarc = conf.arc = 1;
	conf.spf_fail = CONFIG_FAIL_TAG;
	conf.dmarc_reject = CONFIG_FAIL_REJECT;
	conf.dmarc_quarantine = CONFIG_FAIL_TAG;
	dns_zone_init(&z, rr, SK_NELEM(rr), data, sizeof(data));
	if (dns_zone_parse(&z, (const uint8_t *)eval_zone, strlen(eval_zone)) !=
	    SK_OK) {
		test_fail("zone line %zu: %s", z.line, z.err);
		return;
	}
	dns_zone_resolver(&z, &dns);

	eval_one(&dns, "192.0.2.10", "list@news.test", "editor@news.test");
	policy_report_recent_from_eval("4F2A", &ev, &vd, &r);
	TEST_CHECK(strcmp(r.qid, "4F2A") == 0 && r.time == T0 &&
		strcmp(r.client_ip, "192.0.2.10") == 0 &&
		strcmp(r.envelope_domain, "news.test") == 0 &&
		strcmp(r.header_domain, "news.test") == 0 &&
		strcmp(r.spf, "pass") == 0 && strcmp(r.dkim, "none") == 0 &&
		r.ndkim == 0 && strcmp(r.dmarc, "pass") == 0 &&
		strcmp(r.dmarc_policy, "reject") == 0 &&
		strcmp(r.arc, "none") == 0 && strcmp(r.action, "accept") == 0 &&
		r.reason[0] == '\0' && !r.failed,
	    "pass: spf=%s dmarc=%s action=%s reason=%s failed=%d", r.spf,
	    r.dmarc, r.action, r.reason, r.failed);

	/* a forgery of a p=reject domain, null sender: refused */
	eval_one(&dns, "198.51.100.7", "", "ceo@plain.test");
	policy_report_recent_from_eval("4F2B", &ev, &vd, &r);
	TEST_CHECK(strcmp(r.action, "reject") == 0 &&
		r.envelope_domain[0] == '\0' && strcmp(r.dmarc, "fail") == 0 &&
		r.failed,
	    "forged: action=%s dmarc=%s failed=%d", r.action, r.dmarc,
	    r.failed);

	/* p=quarantine, our config tags: local-policy */
	eval_one(&dns, "198.51.100.7", "x@elsewhere.example", "a@shop.test");
	policy_report_recent_from_eval("4F2C", &ev, &vd, &r);
	TEST_CHECK(strcmp(r.action, "tag") == 0 &&
		strcmp(r.reason, "local-policy") == 0 &&
		strcmp(r.dmarc_policy, "quarantine") == 0 && r.failed,
	    "tagged: action=%s reason=%s policy=%s", r.action, r.reason,
	    r.dmarc_policy);

	/* the same with quarantine configured */
	conf.dmarc_quarantine = CONFIG_FAIL_QUARANTINE;
	eval_one(&dns, "198.51.100.7", "x@elsewhere.example", "a@shop.test");
	policy_report_recent_from_eval("4F2D", &ev, &vd, &r);
	TEST_CHECK(strcmp(r.action, "quarantine") == 0 && r.reason[0] == '\0',
	    "quarantined: action=%s reason=%s", r.action, r.reason);

	/* a reject policy that our config only tags */
	conf.dmarc_reject = CONFIG_FAIL_TAG;
	eval_one(&dns, "198.51.100.7", "", "ceo@plain.test");
	policy_report_recent_from_eval("4F2E", &ev, &vd, &r);
	TEST_CHECK(vd.action == POLICY_ACCEPT && strcmp(r.action, "tag") == 0 &&
		strcmp(r.reason, "local-policy") == 0,
	    "reject tagged: action=%s reason=%s", r.action, r.reason);
}

const struct test_case test_cases[] = {
	{ "policy_report_period", test_period },
	{ "policy_report_aggregate", test_aggregate },
	{ "policy_report_bounds", test_bounds },
	{ "policy_report_damaged", test_damaged },
	{ "policy_report_from_eval", test_from_eval },
	{ "policy_report_recent_query", test_recent_query },
	{ "policy_report_recent_prune", test_recent_prune },
	{ "policy_report_recent_hostile", test_recent_hostile },
	{ "policy_report_recent_summary", test_recent_summary },
	{ "policy_report_recent_from_eval", test_recent_from_eval },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * mta_route_test.c - next hop selection and resolution against the zone
 * file testdata/route/route.zone (through the zone-file resolver, and
 * through a deferring wrapper that answers asynchronously).
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../dns/dns_zone.h"
#include "mta_route.h"
#include "test.h"

#define ZONE_RR_MAX 512
#define ZONE_DATA_MAX 65536
#define ZONE_FILE_MAX 65536
#define PATH_MAX_LEN 1024

static struct dns_zone zone;
static struct dns_zone_rr zone_rr[ZONE_RR_MAX];
static uint8_t zone_data[ZONE_DATA_MAX];
static struct dns_resolver zone_dns;
static int zone_ok;
static struct mta_resolve res;
static struct config_delivery deliv;

/* find_zone - testdata/route/route.zone, from $SK_TOP or upwards */
static const char *
find_zone(void)
{
	static const char *const rel[] = {
		"firmware/mta/testdata/route/route.zone",
		"mta/testdata/route/route.zone",
		"testdata/route/route.zone",
	};
	static char path[PATH_MAX_LEN];
	const char *top = getenv("SK_TOP");
	char up[PATH_MAX_LEN] = ".";
	size_t i;
	int d;

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/%s", top, rel[0]);
		return access(path, R_OK) == 0 ? path : NULL;
	}
	for (d = 0; d < 6; d++) {
		for (i = 0; i < SK_NELEM(rel); i++) {
			snprintf(path, sizeof(path), "%s/%s", up, rel[i]);
			if (access(path, R_OK) == 0) {
				return path;
			}
		}
		strncat(up, "/..", sizeof(up) - strlen(up) - 1);
	}
	return NULL;
}

/* load_zone - parse the zone once; 0 (and a failure) if impossible */
static int
load_zone(void)
{
	static uint8_t buf[ZONE_FILE_MAX];
	const char *path;
	size_t n;
	FILE *f;

	if (zone_ok) {
		return 1;
	}
	path = find_zone();
	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		test_fail("route.zone not found (set SK_TOP)");
		return 0;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	dns_zone_init(&zone, zone_rr, ZONE_RR_MAX, zone_data, ZONE_DATA_MAX);
	if (dns_zone_parse(&zone, buf, n) != SK_OK) {
		test_fail("route.zone line %zu: %s", zone.line, zone.err);
		return 0;
	}
	dns_zone_resolver(&zone, &zone_dns);
	zone_ok = 1;
	return 1;
}

/* seq_rand - a scripted "random" sequence, for the equal-preference order */
static uint32_t seq_vals[16];
static size_t seq_next;

static uint32_t
seq_rand(void *arg)
{
	(void)arg;
	return seq_vals[seq_next++ % SK_NELEM(seq_vals)];
}

static void
no_done(void *arg, struct mta_resolve *r)
{
	(void)arg;
	(void)r;
	test_fail("done called for a synchronous resolution");
}

/* resolve - select the hop for domain and resolve it synchronously */
static int
resolve(const char *domain, enum mta_addr_pref pref)
{
	struct mta_hop hop;

	if (!load_zone()) {
		return 0;
	}
	if (mta_route_select(&deliv, domain, &hop) != SK_OK) {
		test_fail("%s: not routable", domain);
		return 0;
	}
	if (!mta_resolve_start(&res, &zone_dns, &hop, pref, seq_rand, NULL,
		no_done, NULL)) {
		test_fail("%s: zone answers are synchronous", domain);
		return 0;
	}
	return 1;
}

/* addrs - "host=ip host=ip ..." of the result, for comparisons */
static const char *
addrs(void)
{
	static char out[4096];
	char ip[DNS_IP6_TEXT_MAX];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < res.naddr && n < sizeof(out); i++) {
		mta_addr_text(&res.addr[i], ip);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%s:%u",
		    i ? " " : "", res.addr[i].host, ip, res.addr[i].port);
	}
	return out;
}

/* expect_addrs - resolution succeeded with exactly these addresses */
static void
expect_addrs(const char *domain, enum mta_addr_pref pref, const char *want)
{
	if (!resolve(domain, pref)) {
		return;
	}
	TEST_CHECK(!res.failed, "%s: failed: %s", domain, res.fail.text);
	TEST_CHECK(strcmp(addrs(), want) == 0, "%s: got \"%s\", want \"%s\"",
	    domain, addrs(), want);
}

/* expect_fail - resolution failed with this status and DSN code */
static void
expect_fail(const char *domain, enum msg_delivery_status st, const char *dsn)
{
	if (!resolve(domain, MTA_PREFER_IPV6)) {
		return;
	}
	TEST_CHECK(res.failed && res.naddr == 0, "%s: did not fail (%s)",
	    domain, addrs());
	TEST_CHECK(res.fail.status == st && strcmp(res.fail.dsn, dsn) == 0,
	    "%s: got %d %s \"%s\", want %d %s", domain, (int)res.fail.status,
	    res.fail.dsn, res.fail.text, (int)st, dsn);
}

static void
route_add(const char *domain, int subs, const char *host, uint16_t port, int mx)
{
	struct config_route *r = &deliv.routes[deliv.nroutes++];

	memset(r, 0, sizeof(*r));
	snprintf(r->domain, sizeof(r->domain), "%s", domain);
	r->include_subdomains = subs;
	snprintf(r->hop.host, sizeof(r->hop.host), "%s", host);
	r->hop.port = port;
	r->hop.mx_lookup = mx;
}

static void
test_route_select(void)
{
	static const struct {
		const char *domain;
		enum mta_hop_kind kind;
		const char *name, *key;
		uint16_t port;
		int mx;
	} cases[] = {
		{ "example.test", MTA_HOP_MX, "example.test", "mx:example.test",
		    25, 1 },
		{ "Example.TEST", MTA_HOP_MX, "Example.TEST", "mx:example.test",
		    25, 1 },
		{ "corp.test", MTA_HOP_ROUTE, "10.0.0.25", "route:corp.test",
		    2525, 0 },
		{ "CORP.test.", MTA_HOP_ROUTE, "10.0.0.25", "route:corp.test",
		    2525, 0 },
		{ "sub.corp.test", MTA_HOP_MX, "sub.corp.test",
		    "mx:sub.corp.test", 25, 1 },
		{ "a.group.test", MTA_HOP_ROUTE, "internal.test",
		    "route:group.test", 25, 1 },
		{ "group.test", MTA_HOP_ROUTE, "internal.test",
		    "route:group.test", 25, 1 },
		{ "x.eu.group.test", MTA_HOP_ROUTE, "eu-mx.test",
		    "route:eu.group.test", 25, 0 },
		{ "eu.group.test", MTA_HOP_ROUTE, "eu-mx.test",
		    "route:eu.group.test", 25, 0 },
		{ "xgroup.test", MTA_HOP_MX, "xgroup.test", "mx:xgroup.test",
		    25, 1 },
		{ "[192.0.2.7]", MTA_HOP_LITERAL, "192.0.2.7",
		    "literal:192.0.2.7", 25, 0 },
		{ "[IPv6:2001:DB8:0:0::7]", MTA_HOP_LITERAL, "2001:db8::7",
		    "literal:2001:db8::7", 25, 0 },
	};
	struct mta_hop hop;
	size_t i;

	memset(&deliv, 0, sizeof(deliv));
	route_add("corp.test", 0, "10.0.0.25", 2525, 0);
	route_add("group.test", 1, "internal.test", 25, 1);
	route_add("eu.group.test", 1, "eu-mx.test", 25, 0);
	for (i = 0; i < SK_NELEM(cases); i++) {
		TEST_CHECK(mta_route_select(&deliv, cases[i].domain, &hop) ==
			SK_OK,
		    "%s: not routable", cases[i].domain);
		TEST_CHECK(hop.kind == cases[i].kind &&
			strcmp(hop.name, cases[i].name) == 0 &&
			strcmp(hop.key, cases[i].key) == 0 &&
			hop.port == cases[i].port &&
			hop.mx_lookup == cases[i].mx,
		    "%s: got %d %s %s :%u mx=%d", cases[i].domain,
		    (int)hop.kind, hop.name, hop.key, hop.port, hop.mx_lookup);
	}
	/* a smarthost takes what no route matches */
	deliv.smarthost_enabled = 1;
	snprintf(deliv.smarthost.host, sizeof(deliv.smarthost.host),
	    "smart.test");
	deliv.smarthost.port = 587;
	TEST_CHECK(mta_route_select(&deliv, "example.test", &hop) == SK_OK &&
		hop.kind == MTA_HOP_SMARTHOST && hop.port == 587 &&
		strcmp(hop.key, "smarthost") == 0 && hop.conf != NULL,
	    "smarthost: got %d %s", (int)hop.kind, hop.key);
	TEST_CHECK(mta_route_select(&deliv, "corp.test", &hop) == SK_OK &&
		hop.kind == MTA_HOP_ROUTE,
	    "a route wins over the smarthost");
	/* refused */
	TEST_CHECK(mta_route_select(&deliv, "", &hop) == SK_E_SYNTAX,
	    "empty domain");
	TEST_CHECK(mta_route_select(&deliv, "[300.1.1.1]", &hop) == SK_E_SYNTAX,
	    "bad literal");
	TEST_CHECK(mta_route_select(&deliv, "[192.0.2.1", &hop) == SK_E_SYNTAX,
	    "unclosed literal");
}

static void
test_resolve_mx_order(void)
{
	memset(&deliv, 0, sizeof(deliv));
	/* RFC 5321 5.1: by preference; mx1 and mx2 share 10: the random
	 * tie-break decides (seq_rand: one value per MX record) */
	seq_next = 0;
	seq_vals[0] = 2; /* mx1 */
	seq_vals[1] = 1; /* mx2 */
	expect_addrs("example.test", MTA_PREFER_IPV6,
	    "mx0.example.test=192.0.2.10:25 "
	    "mx2.example.test=192.0.2.12:25 "
	    "mx1.example.test=2001:db8::11:25 "
	    "mx1.example.test=192.0.2.11:25 "
	    "mx3.example.test=2001:db8::13:25");
	seq_next = 0;
	seq_vals[0] = 1;
	seq_vals[1] = 2;
	expect_addrs("example.test", MTA_PREFER_IPV4,
	    "mx0.example.test=192.0.2.10:25 "
	    "mx1.example.test=192.0.2.11:25 "
	    "mx1.example.test=2001:db8::11:25 "
	    "mx2.example.test=192.0.2.12:25 "
	    "mx3.example.test=2001:db8::13:25");
	memset(seq_vals, 0, sizeof(seq_vals));
}

static void
test_resolve_cases(void)
{
	memset(&deliv, 0, sizeof(deliv));
	expect_addrs("implicit.test", MTA_PREFER_IPV6,
	    "implicit.test=2001:db8::20:25 implicit.test=192.0.2.20:25");
	expect_addrs("halfnull.test", MTA_PREFER_IPV6,
	    "mx0.example.test=192.0.2.10:25");
	expect_addrs("mixed.test", MTA_PREFER_IPV6,
	    "mx0.example.test=192.0.2.10:25");
	expect_addrs("viacname.test", MTA_PREFER_IPV6,
	    "name.viacname.test=192.0.2.10:25");
	expect_addrs("dup.test", MTA_PREFER_IPV4,
	    "mx1.example.test=192.0.2.11:25 mx1.example.test=2001:db8::11:25");
	expect_addrs("manyaddr.test", MTA_PREFER_IPV4,
	    "manyaddr.test=198.51.100.1:25 manyaddr.test=198.51.100.2:25 "
	    "manyaddr.test=198.51.100.3:25 manyaddr.test=198.51.100.4:25");
	expect_addrs("[192.0.2.99]", MTA_PREFER_IPV6,
	    "192.0.2.99=192.0.2.99:25");
	expect_fail("nullmx.test", MSG_PERMFAIL, "5.1.10");
	expect_fail("nonexistent.test", MSG_PERMFAIL, "5.1.2");
	expect_fail("nomail.test", MSG_PERMFAIL, "5.4.4");
	expect_fail("temp.test", MSG_TEMPFAIL, "4.4.3");
	expect_fail("mxtemp.test", MSG_TEMPFAIL, "4.4.3");
	expect_fail("mxgone.test", MSG_TEMPFAIL, "4.4.4");
}

static void
test_resolve_limits(void)
{
	char want[2048];
	size_t i, n = 0;

	memset(&deliv, 0, sizeof(deliv));
	for (i = 1; i <= MTA_MX_HOSTS_MAX; i++) {
		n += (size_t)snprintf(want + n, sizeof(want) - n,
		    "%sh%zu.many.test=192.0.2.%zu:25", i > 1 ? " " : "", i,
		    100 + i);
	}
	expect_addrs("many.test", MTA_PREFER_IPV6, want);
	TEST_CHECK(res.nmx == MTA_MX_HOSTS_MAX, "hosts kept: %zu", res.nmx);
}

static void
test_resolve_configured_hops(void)
{
	memset(&deliv, 0, sizeof(deliv));
	route_add("corp.test", 0, "smart.test", 2525, 0);
	route_add("group.test", 0, "internal.test", 25, 1);
	route_add("typo.test", 0, "nonexistent.test", 25, 1);
	route_add("typo2.test", 0, "nonexistent.test", 25, 0);
	route_add("ip.test", 0, "2001:db8::25", 26, 0);
	expect_addrs("corp.test", MTA_PREFER_IPV6,
	    "smart.test=198.51.100.25:2525");
	expect_addrs("group.test", MTA_PREFER_IPV6,
	    "mx0.example.test=192.0.2.10:25");
	/* an operator's typo defers mail, never bounces it */
	expect_fail("typo.test", MSG_TEMPFAIL, "4.4.4");
	expect_fail("typo2.test", MSG_TEMPFAIL, "4.4.4");
	expect_addrs("ip.test", MTA_PREFER_IPV4,
	    "2001:db8::25=2001:db8::25:26");
}

/* ---- asynchronous answers ------------------------------------------- */

struct later {
	struct dns_resolver inner;
	dns_done_fn done;
	void *arg;
	struct dns_answer *ans;
	char name[DNS_TEXT_NAME_MAX + 2];
	enum dns_type type;
	int waiting;
	int queries;
};

static struct later later;
static int done_calls;

/* later_query - every query waits until later_answer */
static enum dns_status
later_query(void *ctx, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	struct later *l = ctx;

	snprintf(l->name, sizeof(l->name), "%s", name);
	l->type = type;
	l->done = done;
	l->arg = arg;
	l->ans = ans;
	l->waiting = 1;
	l->queries++;
	return DNS_PENDING;
}

static void
later_cancel(void *ctx, struct dns_answer *ans)
{
	struct later *l = ctx;

	(void)ans;
	l->waiting = 0;
}

static const struct dns_resolver_ops later_ops = { "later", later_query,
	later_cancel };

/* later_answer - answer the waiting query from the zone */
static void
later_answer(void)
{
	later.waiting = 0;
	dns_query(&later.inner, later.name, later.type, later.ans, NULL, NULL);
	later.done(later.arg, later.ans);
}

static void
on_done(void *arg, struct mta_resolve *r)
{
	(void)arg;
	(void)r;
	done_calls++;
}

static void
test_resolve_async(void)
{
	struct dns_resolver dns = { &later_ops, &later };
	struct mta_hop hop;
	int rounds = 0;

	if (!load_zone()) {
		return;
	}
	memset(&deliv, 0, sizeof(deliv));
	memset(&later, 0, sizeof(later));
	later.inner = zone_dns;
	done_calls = 0;
	mta_route_select(&deliv, "example.test", &hop);
	seq_next = 0;
	TEST_CHECK(mta_resolve_start(&res, &dns, &hop, MTA_PREFER_IPV4,
		       seq_rand, NULL, on_done, NULL) == 0,
	    "pending at first");
	while (later.waiting && rounds++ < 100) {
		later_answer();
	}
	TEST_CHECK(done_calls == 1, "done called %d times", done_calls);
	/* MX, then AAAA and A of four hosts */
	TEST_CHECK(later.queries == 9, "%d queries", later.queries);
	TEST_CHECK(!res.failed && res.naddr == 5, "%zu addresses", res.naddr);
	/* cancelled: done never comes */
	done_calls = 0;
	mta_resolve_start(&res, &dns, &hop, MTA_PREFER_IPV4, seq_rand, NULL,
	    on_done, NULL);
	mta_resolve_cancel(&res);
	TEST_CHECK(!later.waiting && done_calls == 0, "cancelled");
}

const struct test_case test_cases[] = {
	{ "mta_route_select", test_route_select },
	{ "mta_resolve_mx_order", test_resolve_mx_order },
	{ "mta_resolve_cases", test_resolve_cases },
	{ "mta_resolve_limits", test_resolve_limits },
	{ "mta_resolve_configured_hops", test_resolve_configured_hops },
	{ "mta_resolve_async", test_resolve_async },
};
const size_t test_ncases = SK_NELEM(test_cases);

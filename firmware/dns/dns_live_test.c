/*
 * dns_live_test.c - the live resolver against a fake DNS server inside the
 * test, and the cache on its own.
 *
 * The server listens on 127.0.0.1 at a random port, UDP and TCP on the same
 * number, inside the same event loop as the resolver; it answers from the
 * names below (canned replies built here), never answers silent.example
 * (or names under it), and answers big.example over UDP with TC=1 only.  The
 * loop's clock is the real one plus a skew the tests move, so TTLs can expire
 * at once while c-ares's own timeouts still run in real time.  Nothing leaves
 * the loopback interface.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns_cache.h"
#include "dns_live.h"
#include "dns_reply.h"
#include "test.h"
#include "test_pkt.h"

#define TEST_TIMERS 16
#define TEST_WAIT_MS 3000 /* the longest a test waits for an answer */
#define SRV_CONNS 4

/* --- clock and loop ----------------------------------------------------- */

static struct event_loop loop;
static struct event_timer *heap[TEST_TIMERS];
static uint64_t skew_ms;

static uint64_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
test_clock(void *arg)
{
	(void)arg;
	return real_ms() + skew_ms;
}

/* --- the fake server ---------------------------------------------------- */

struct srv_conn {
	int fd; /* -1: free */
	struct event_io io;
	uint8_t buf[1024];
	size_t n;
};

static struct {
	int udp, tcp;
	uint16_t port;
	struct event_io udp_io, tcp_io;
	struct srv_conn conn[SRV_CONNS];
	unsigned udp_queries, tcp_queries;
	unsigned last_flags;   /* of the last query */
	unsigned last_arcount; /* 1 with EDNS */
	unsigned last_udp_size;
	char last_name[256]; /* the last query's name as received */
} srv;

static uint8_t pkt_bytes[4096];
static struct test_pkt pkt = { pkt_bytes, sizeof(pkt_bytes), 0 };

static void
rr_a(const char *owner, uint32_t ttl, unsigned last)
{
	size_t at = test_pkt_rr(&pkt, owner, DNS_T_A, ttl);

	test_pkt_u32(&pkt, 0xc0000200u | last);
	test_pkt_rr_end(&pkt, at);
}

/* srv_parse - the question of query q[0..n): name as text, type, and where
 * it ends; -1 if it is not a query we can answer */
static int
srv_parse(const uint8_t *q, size_t n, char name[256], unsigned *type,
    size_t *qend)
{
	size_t p = DNS_HEADER_LEN, o = 0;

	if (n < DNS_HEADER_LEN + 5) {
		return -1;
	}
	while (p < n && q[p] != 0) {
		if (q[p] > 63 || p + 1 + q[p] >= n || o + q[p] + 2 > 255) {
			return -1;
		}
		if (o > 0) {
			name[o++] = '.';
		}
		memcpy(name + o, q + p + 1, q[p]);
		o += q[p];
		p += 1 + (size_t)q[p];
	}
	name[o] = '\0';
	if (p + 5 > n) {
		return -1;
	}
	*type = (unsigned)q[p + 1] << 8 | q[p + 2];
	*qend = p + 5;
	srv.last_flags = (unsigned)q[2] << 8 | q[3];
	srv.last_arcount = (unsigned)q[10] << 8 | q[11];
	/* the OPT record, if any, follows: root, type 41, then the size */
	srv.last_udp_size =
	    *qend + 5 <= n && q[*qend] == 0 && q[*qend + 2] == DNS_RRTYPE_OPT ?
	    (unsigned)q[*qend + 3] << 8 | q[*qend + 4] :
	    0;
	return 0;
}

/* srv_header - the reply's header and the query's question, verbatim */
static void
srv_header(const uint8_t *q, size_t qend, unsigned rcode, unsigned an,
    unsigned ns, int tc)
{
	pkt.n = 0;
	test_pkt_u8(&pkt, q[0]);
	test_pkt_u8(&pkt, q[1]);
	test_pkt_u16(&pkt,
	    0x8080u | (q[2] & 1u) << 8 | (tc ? 0x0200u : 0) | rcode);
	test_pkt_u16(&pkt, 1);
	test_pkt_u16(&pkt, an);
	test_pkt_u16(&pkt, ns);
	test_pkt_u16(&pkt, 0);
	while (pkt.n < qend) {
		test_pkt_u8(&pkt, q[pkt.n]);
	}
}

/* srv_big - three strings of 200 octets: too much for the test's UDP */
static void
srv_big(void)
{
	size_t at = test_pkt_rr(&pkt, NULL, DNS_T_TXT, 300), i, k;

	for (i = 0; i < 3; i++) {
		test_pkt_u8(&pkt, 200);
		for (k = 0; k < 200; k++) {
			test_pkt_u8(&pkt, 'a' + (unsigned)i);
		}
	}
	test_pkt_rr_end(&pkt, at);
}

/* srv_answer - the reply to query q into out; 0 when there is none */
static int
srv_answer(const uint8_t *q, size_t n, int tcp)
{
	char name[256];
	unsigned type;
	size_t qend, at;

	if (srv_parse(q, n, name, &type, &qend) != 0) {
		return 0;
	}
	memcpy(srv.last_name, name, strlen(name) + 1);
	if (strlen(name) >= 14 &&
	    strcmp(name + strlen(name) - 14, "silent.example") == 0) {
		return 0; /* silent.example and every name under it */
	}
	if (strcmp(name, "a.example") == 0 ||
	    strcmp(name, "b\\s.example") == 0) {
		srv_header(q, qend, 0, 1, 0, 0);
		rr_a(NULL, 300, 1);
	} else if (strcmp(name, "short.example") == 0) {
		srv_header(q, qend, 0, 1, 0, 0);
		rr_a(NULL, 5, 2);
	} else if (strcmp(name, "alias.example") == 0) {
		srv_header(q, qend, 0, 2, 0, 0);
		at = test_pkt_rr(&pkt, NULL, DNS_T_CNAME, 600);
		test_pkt_name(&pkt, "a.example");
		test_pkt_rr_end(&pkt, at);
		rr_a("a.example", 300, 3);
	} else if (strcmp(name, "nx.example") == 0) {
		srv_header(q, qend, DNS_RCODE_NXDOMAIN, 0, 1, 0);
		test_pkt_soa(&pkt, 1, 3600, 60);
	} else if (strcmp(name, "big.example") == 0) {
		srv_header(q, qend, 0, tcp ? 1 : 0, 0, !tcp);
		if (tcp) {
			srv_big();
		}
	} else if (strcmp(name, "bad.example") == 0) {
		srv_header(q, qend, 0, 1, 0, 0);
		rr_a(NULL, 300, 4);
		test_pkt_u8(&pkt, 0); /* trailing garbage */
	} else {
		srv_header(q, qend, DNS_RCODE_NXDOMAIN, 0, 0, 0);
	}
	return 1;
}

static void
srv_on_udp(struct event_loop *l, struct event_io *io, uint32_t revents)
{
	uint8_t q[1024];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	(void)l;
	(void)revents;
	n = recvfrom(io->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	if (n <= 0) {
		return;
	}
	srv.udp_queries++;
	if (srv_answer(q, (size_t)n, 0)) {
		(void)sendto(io->fd, pkt.b, pkt.n, 0,
		    (const struct sockaddr *)&from, flen);
	}
}

static void
srv_conn_close(struct srv_conn *c)
{
	(void)event_io_del(&loop, &c->io);
	close(c->fd);
	c->fd = -1;
}

/* srv_on_conn - a TCP query: two octets of length, then the message */
static void
srv_on_conn(struct event_loop *l, struct event_io *io, uint32_t revents)
{
	struct srv_conn *c = io->arg;
	uint8_t len[2];
	size_t want;
	ssize_t n;

	(void)l;
	(void)revents;
	n = read(c->fd, c->buf + c->n, sizeof(c->buf) - c->n);
	if (n <= 0) {
		srv_conn_close(c);
		return;
	}
	c->n += (size_t)n;
	if (c->n < 2) {
		return;
	}
	want = (size_t)c->buf[0] << 8 | c->buf[1];
	if (c->n < 2 + want) {
		return;
	}
	srv.tcp_queries++;
	if (srv_answer(c->buf + 2, want, 1)) {
		len[0] = (uint8_t)(pkt.n >> 8);
		len[1] = (uint8_t)pkt.n;
		(void)write(c->fd, len, 2);
		(void)write(c->fd, pkt.b, pkt.n);
	}
	c->n = 0;
}

static void
srv_on_accept(struct event_loop *l, struct event_io *io, uint32_t revents)
{
	int fd;
	size_t i;

	(void)l;
	(void)revents;
	if ((fd = accept(io->fd, NULL, NULL)) == -1) {
		return;
	}
	for (i = 0; i < SRV_CONNS; i++) {
		if (srv.conn[i].fd == -1) {
			srv.conn[i].fd = fd;
			srv.conn[i].n = 0;
			(void)event_io_add(&loop, &srv.conn[i].io, fd,
			    EVENT_READ, srv_on_conn, &srv.conn[i]);
			return;
		}
	}
	close(fd);
}

/* srv_start - UDP and TCP sockets on 127.0.0.1, one random port number */
static int
srv_start(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int one = 1, tries;
	size_t i;

	memset(&srv, 0, sizeof(srv));
	for (i = 0; i < SRV_CONNS; i++) {
		srv.conn[i].fd = -1;
	}
	for (tries = 0; tries < 20; tries++) {
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		srv.udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (srv.udp == -1 ||
		    bind(srv.udp, (struct sockaddr *)&a, sizeof(a)) == -1 ||
		    getsockname(srv.udp, (struct sockaddr *)&a, &alen) == -1) {
			return -1;
		}
		srv.tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		(void)setsockopt(srv.tcp, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (srv.tcp != -1 &&
		    bind(srv.tcp, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    listen(srv.tcp, 4) == 0) {
			break;
		}
		/* the TCP port was taken: try another number */
		close(srv.udp);
		close(srv.tcp);
		srv.udp = srv.tcp = -1;
	}
	if (srv.udp == -1) {
		return -1;
	}
	srv.port = ntohs(a.sin_port);
	if (event_io_add(&loop, &srv.udp_io, srv.udp, EVENT_READ, srv_on_udp,
		NULL) == -1 ||
	    event_io_add(&loop, &srv.tcp_io, srv.tcp, EVENT_READ, srv_on_accept,
		NULL) == -1) {
		return -1;
	}
	return 0;
}

static void
srv_stop(void)
{
	size_t i;

	for (i = 0; i < SRV_CONNS; i++) {
		if (srv.conn[i].fd != -1) {
			srv_conn_close(&srv.conn[i]);
		}
	}
	(void)event_io_del(&loop, &srv.udp_io);
	(void)event_io_del(&loop, &srv.tcp_io);
	close(srv.udp);
	close(srv.tcp);
}

/* --- a resolver on the loop, and callers -------------------------------- */

/* one caller: its answer and what its callback saw */
struct caller {
	struct dns_answer ans;
	int calls;
	enum dns_status status;
};

static struct caller callers[4];
static struct dns_live *live;
static struct dns_resolver res;

static void
on_done(void *arg, struct dns_answer *ans)
{
	struct caller *c = arg;

	c->calls++;
	c->status = ans->status;
}

/* setup - loop, server and a resolver asking it with timeout_ms, tries */
static int
setup(unsigned timeout_ms, unsigned tries)
{
	struct dns_live_conf conf;
	char err[128];
	char addr[] = "127.0.0.1";

	skew_ms = 0;
	memset(callers, 0, sizeof(callers));
	if (event_init(&loop, heap, TEST_TIMERS) == -1) {
		test_fail("event_init: %s", strerror(errno));
		return -1;
	}
	event_set_clock(&loop, test_clock, NULL);
	if (srv_start() == -1) {
		test_fail("fake server: %s", strerror(errno));
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	conf.servers[0] = addr;
	conf.nservers = 1;
	conf.port = srv.port;
	conf.timeout_ms = timeout_ms;
	conf.tries = tries;
	if ((live = dns_live_new(&loop, &conf, err, sizeof(err))) == NULL) {
		test_fail("dns_live_new: %s", err);
		return -1;
	}
	dns_live_resolver(live, &res);
	return 0;
}

static void
teardown(void)
{
	dns_live_free(live);
	live = NULL;
	srv_stop();
	event_close(&loop);
}

/* run_until - run the loop until *calls is set or TEST_WAIT_MS passed */
static int
run_until(const int *calls)
{
	uint64_t end = real_ms() + TEST_WAIT_MS;

	while (*calls == 0 && real_ms() < end) {
		(void)event_run_once(&loop, 20);
	}
	return *calls != 0 ? 0 : -1;
}

/* run_for - run the loop for ms, whatever happens */
static void
run_for(unsigned ms)
{
	uint64_t end = real_ms() + ms;

	while (real_ms() < end) {
		(void)event_run_once(&loop, 10);
	}
}

/* ask - query name for caller c; wait for the answer when it is pending */
static enum dns_status
ask(struct caller *c, const char *name, enum dns_type type)
{
	enum dns_status s;

	c->calls = 0;
	s = dns_query(&res, name, type, &c->ans, on_done, c);
	if (s != DNS_PENDING) {
		return s;
	}
	if (run_until(&c->calls) != 0) {
		test_fail("%s: no answer within %d ms", name, TEST_WAIT_MS);
		return DNS_PENDING;
	}
	if (c->calls != 1 || c->status != c->ans.status) {
		test_fail("%s: done called %d times", name, c->calls);
	}
	return c->ans.status;
}

/* --- the resolver ------------------------------------------------------- */

/* test_live_answer - a first query goes out (RD, EDNS), then the cache */
static void
test_live_answer(void)
{
	struct dns_live_stats st;
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	s = dns_query(&res, "a.example", DNS_T_A, &callers[0].ans, on_done,
	    &callers[0]);
	TEST_CHECK(s == DNS_PENDING, "first query: got %s, want pending",
	    dns_status_str(s));
	TEST_CHECK(run_until(&callers[0].calls) == 0, "no answer");
	TEST_CHECK(callers[0].calls == 1 && callers[0].status == DNS_ANSWER &&
		callers[0].ans.nrr == 1 && callers[0].ans.rr[0].ttl == 300 &&
		memcmp(callers[0].ans.rr[0].addr, "\xc0\x00\x02\x01", 4) == 0,
	    "answer: %d calls, %s, %zu records", callers[0].calls,
	    dns_status_str(callers[0].status), callers[0].ans.nrr);
	TEST_CHECK((srv.last_flags & 0x0100) != 0, "query without RD");
	TEST_CHECK(srv.last_arcount == 1 &&
		srv.last_udp_size == DNS_LIVE_EDNS_SIZE,
	    "EDNS: got %u additional, size %u", srv.last_arcount,
	    srv.last_udp_size);

	/* answered from the cache, whatever the case or final dot */
	callers[1].calls = 0;
	s = dns_query(&res, "A.Example.", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_ANSWER && callers[1].ans.nrr == 1 &&
		callers[1].calls == 0,
	    "cached: got %s, %zu records, %d calls", dns_status_str(s),
	    callers[1].ans.nrr, callers[1].calls);
	dns_live_stats(live, &st);
	TEST_CHECK(srv.udp_queries == 1 && st.cache_hits == 1 && st.sent == 1,
	    "server saw %u queries; %llu hits, %llu sent", srv.udp_queries,
	    (unsigned long long)st.cache_hits, (unsigned long long)st.sent);
	teardown();
}

/* test_live_types - CNAME, NXDOMAIN, a name with a backslash */
static void
test_live_types(void)
{
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	s = ask(&callers[0], "alias.example", DNS_T_A);
	TEST_CHECK(s == DNS_ANSWER && callers[0].ans.rr[0].addr[3] == 3 &&
		callers[0].ans.rr[0].ttl == 300,
	    "alias: got %s", dns_status_str(s));
	s = ask(&callers[1], "nx.example", DNS_T_A);
	TEST_CHECK(s == DNS_NXDOMAIN, "nx: got %s", dns_status_str(s));
	s = dns_query(&res, "nx.example", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_NXDOMAIN, "nx again: got %s, want it cached",
	    dns_status_str(s));
	/* a backslash is an octet of the label, not an escape */
	s = ask(&callers[2], "b\\s.example", DNS_T_A);
	TEST_CHECK(s == DNS_ANSWER &&
		strcmp(srv.last_name, "b\\s.example") == 0,
	    "backslash: got %s, server saw \"%s\"", dns_status_str(s),
	    srv.last_name);
	teardown();
}

/* test_live_bad_reply - a malformed reply is SERVFAIL, with its reason */
static void
test_live_bad_reply(void)
{
	struct dns_live_stats st;
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	s = ask(&callers[0], "bad.example", DNS_T_A);
	dns_live_stats(live, &st);
	TEST_CHECK(s == DNS_SERVFAIL && st.bad_replies == 1 &&
		st.bad_reason != NULL &&
		strstr(st.bad_reason, "after the last record") != NULL,
	    "got %s, %llu bad, reason \"%s\"", dns_status_str(s),
	    (unsigned long long)st.bad_replies,
	    st.bad_reason != NULL ? st.bad_reason : "-");
	teardown();
}

/* test_live_timeout - no reply: DNS_TIMEOUT, kept briefly */
static void
test_live_timeout(void)
{
	enum dns_status s;
	uint64_t t0;

	if (setup(150, 1) != 0) {
		return;
	}
	t0 = real_ms();
	s = ask(&callers[0], "silent.example", DNS_T_A);
	TEST_CHECK(s == DNS_TIMEOUT, "got %s, want timeout", dns_status_str(s));
	TEST_CHECK(real_ms() - t0 >= 100, "timed out after %llu ms",
	    (unsigned long long)(real_ms() - t0));
	s = dns_query(&res, "silent.example", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_TIMEOUT && srv.udp_queries == 1,
	    "again: got %s after %u queries, want the cached timeout",
	    dns_status_str(s), srv.udp_queries);
	skew_ms += (DNS_CACHE_FAIL_TTL + 1) * 1000;
	s = dns_query(&res, "silent.example", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_PENDING, "after %d s: got %s, want a new query",
	    DNS_CACHE_FAIL_TTL + 1, dns_status_str(s));
	teardown();
}

/* test_live_ttl - an answer lives DNS_CACHE_TTL_MIN at least, then goes */
static void
test_live_ttl(void)
{
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	s = ask(&callers[0], "short.example", DNS_T_A); /* TTL 5 */
	TEST_CHECK(s == DNS_ANSWER, "got %s", dns_status_str(s));
	skew_ms += (DNS_CACHE_TTL_MIN - 1) * 1000;
	s = dns_query(&res, "short.example", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_ANSWER && callers[1].ans.rr[0].ttl <= 5,
	    "before expiry: got %s, ttl %u", dns_status_str(s),
	    callers[1].ans.nrr > 0 ? (unsigned)callers[1].ans.rr[0].ttl : 0);
	skew_ms += 2000;
	s = ask(&callers[2], "short.example", DNS_T_A);
	TEST_CHECK(s == DNS_ANSWER && srv.udp_queries == 2,
	    "after expiry: got %s, server saw %u queries, want 2",
	    dns_status_str(s), srv.udp_queries);
	teardown();
}

/* test_live_shared - identical queries in flight share one on the wire */
static void
test_live_shared(void)
{
	enum dns_status s0, s1;

	if (setup(1000, 2) != 0) {
		return;
	}
	s0 = dns_query(&res, "a.example", DNS_T_A, &callers[0].ans, on_done,
	    &callers[0]);
	s1 = dns_query(&res, "A.EXAMPLE", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s0 == DNS_PENDING && s1 == DNS_PENDING,
	    "got %s and %s, want pending twice", dns_status_str(s0),
	    dns_status_str(s1));
	(void)run_until(&callers[0].calls);
	(void)run_until(&callers[1].calls);
	run_for(50);
	TEST_CHECK(callers[0].calls == 1 && callers[1].calls == 1 &&
		callers[0].status == DNS_ANSWER &&
		callers[1].status == DNS_ANSWER && callers[1].ans.nrr == 1,
	    "calls %d and %d", callers[0].calls, callers[1].calls);
	TEST_CHECK(srv.udp_queries == 1, "server saw %u queries, want 1",
	    srv.udp_queries);
	teardown();
}

/* test_live_cancel - no callback after cancel; the reply is still cached */
static void
test_live_cancel(void)
{
	struct dns_live_stats st;
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	s = dns_query(&res, "a.example", DNS_T_A, &callers[0].ans, on_done,
	    &callers[0]);
	res.ops->cancel(res.ctx, &callers[0].ans);
	dns_live_stats(live, &st);
	TEST_CHECK(s == DNS_PENDING && st.waiting == 0 && st.inflight == 1,
	    "got %s, %zu waiting, %zu in flight", dns_status_str(s), st.waiting,
	    st.inflight);
	run_for(200);
	dns_live_stats(live, &st);
	TEST_CHECK(callers[0].calls == 0, "done called %d times after cancel",
	    callers[0].calls);
	TEST_CHECK(st.inflight == 0 && srv.udp_queries == 1,
	    "%zu in flight, server saw %u", st.inflight, srv.udp_queries);
	s = dns_query(&res, "a.example", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_ANSWER, "after cancel: got %s, want cached",
	    dns_status_str(s));
	teardown();
}

/* test_live_tcp - TC=1 over UDP: c-ares asks again over TCP */
static void
test_live_tcp(void)
{
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	s = ask(&callers[0], "big.example", DNS_T_TXT);
	TEST_CHECK(s == DNS_ANSWER && callers[0].ans.rr[0].len == 600 &&
		callers[0].ans.rr[0].nstrings == 3,
	    "got %s, %zu octets", dns_status_str(s),
	    callers[0].ans.nrr > 0 ? callers[0].ans.rr[0].len : 0);
	TEST_CHECK(srv.udp_queries == 1 && srv.tcp_queries == 1,
	    "server saw %u over UDP, %u over TCP; want 1 and 1",
	    srv.udp_queries, srv.tcp_queries);
	teardown();
}

static int rerun_status;

/* on_done_rerun - what an evaluator does: ask the same again at once */
static void
on_done_rerun(void *arg, struct dns_answer *ans)
{
	struct caller *c = arg;

	c->calls++;
	rerun_status = dns_query(&res, "a.example", DNS_T_A, ans, on_done, c);
}

/* on_done_free - free the resolver from inside a callback */
static void
on_done_free(void *arg, struct dns_answer *ans)
{
	struct caller *c = arg;

	(void)ans;
	c->calls++;
	dns_live_free(live);
	live = NULL;
}

/* test_live_reentry - done() may query again, or free the resolver */
static void
test_live_reentry(void)
{
	enum dns_status s;

	if (setup(1000, 2) != 0) {
		return;
	}
	rerun_status = DNS_PENDING;
	s = dns_query(&res, "a.example", DNS_T_A, &callers[0].ans,
	    on_done_rerun, &callers[0]);
	(void)run_until(&callers[0].calls);
	TEST_CHECK(s == DNS_PENDING && rerun_status == DNS_ANSWER,
	    "re-run from done: got %s, want the cached answer",
	    dns_status_str((enum dns_status)rerun_status));
	/* two callers of one query; the first frees: the second is dropped */
	(void)dns_query(&res, "alias.example", DNS_T_A, &callers[1].ans,
	    on_done_free, &callers[1]);
	(void)dns_query(&res, "alias.example", DNS_T_A, &callers[2].ans,
	    on_done_free, &callers[2]);
	(void)run_until(&callers[2].calls);
	run_for(50);
	TEST_CHECK(callers[1].calls + callers[2].calls == 1,
	    "after free: %d and %d calls, want one in all", callers[1].calls,
	    callers[2].calls);
	teardown();
}

/* test_live_limits - DNS_LIVE_INFLIGHT_MAX queries, then SERVFAIL at once */
static void
test_live_limits(void)
{
	static struct dns_answer many[DNS_LIVE_INFLIGHT_MAX];
	struct dns_live_stats st;
	char name[64];
	enum dns_status s;
	size_t i, pending = 0;

	if (setup(5000, 1) != 0) {
		return;
	}
	for (i = 0; i < DNS_LIVE_INFLIGHT_MAX; i++) {
		snprintf(name, sizeof(name), "q%zu.silent.example", i);
		if (dns_query(&res, name, DNS_T_A, &many[i], on_done,
			&callers[0]) == DNS_PENDING) {
			pending++;
		}
	}
	s = dns_query(&res, "one-more.example", DNS_T_A, &callers[1].ans,
	    on_done, &callers[1]);
	dns_live_stats(live, &st);
	TEST_CHECK(pending == DNS_LIVE_INFLIGHT_MAX && s == DNS_SERVFAIL &&
		st.refused == 1 && st.inflight == DNS_LIVE_INFLIGHT_MAX,
	    "%zu pending, then %s; %llu refused", pending, dns_status_str(s),
	    (unsigned long long)st.refused);
	/* a refusal is not cached */
	s = dns_query(&res, "a.example", DNS_T_A, &callers[1].ans, on_done,
	    &callers[1]);
	TEST_CHECK(s == DNS_SERVFAIL, "still full: got %s", dns_status_str(s));
	/* shutting down with everything in flight: no callback at all */
	dns_live_free(live);
	live = NULL;
	run_for(50);
	TEST_CHECK(callers[0].calls == 0 && callers[1].calls == 0,
	    "callbacks after free: %d, %d", callers[0].calls, callers[1].calls);
	teardown();
}

static void
on_dummy_timer(struct event_loop *l, struct event_timer *t)
{
	(void)l;
	(void)t;
}

/* test_live_no_timer - a full timer heap: SERVFAIL at once, not cached */
static void
test_live_no_timer(void)
{
	static struct event_timer dummy[TEST_TIMERS];
	enum dns_status s;
	size_t i;

	if (setup(1000, 2) != 0) {
		return;
	}
	for (i = 0; i < TEST_TIMERS; i++) {
		event_timer_init(&dummy[i]);
		(void)event_timer_set(&loop, &dummy[i], 60000, on_dummy_timer,
		    NULL);
	}
	s = dns_query(&res, "a.example", DNS_T_A, &callers[0].ans, on_done,
	    &callers[0]);
	TEST_CHECK(s == DNS_SERVFAIL && srv.udp_queries == 0,
	    "heap full: got %s", dns_status_str(s));
	event_timer_del(&loop, &dummy[0]);
	s = ask(&callers[1], "a.example", DNS_T_A);
	TEST_CHECK(s == DNS_ANSWER, "with room: got %s", dns_status_str(s));
	for (i = 1; i < TEST_TIMERS; i++) {
		event_timer_del(&loop, &dummy[i]);
	}
	teardown();
}

/* test_live_conf - addresses, limits, and servers from a resolv.conf */
static void
test_live_conf(void)
{
	struct dns_live_conf conf;
	struct dns_live *l;
	char err[128], path[512];
	char bad[] = "bogus", v6[] = "::1", v4[] = "192.0.2.1";
	enum dns_status s;
	FILE *f;

	if (setup(1000, 2) != 0) {
		return;
	}
	memset(&conf, 0, sizeof(conf));
	conf.servers[0] = bad;
	conf.nservers = 1;
	l = dns_live_new(&loop, &conf, err, sizeof(err));
	TEST_CHECK(l == NULL && strstr(err, "IPv4 or IPv6") != NULL,
	    "bogus address: got \"%s\"", l == NULL ? err : "a resolver");
	dns_live_free(l);
	conf.servers[0] = v6;
	conf.servers[1] = v4;
	conf.nservers = 2;
	l = dns_live_new(&loop, &conf, err, sizeof(err));
	TEST_CHECK(l != NULL, "::1 and 192.0.2.1: %s", err);
	dns_live_free(l);
	conf.nservers = DNS_LIVE_SERVERS_MAX + 1;
	l = dns_live_new(&loop, &conf, err, sizeof(err));
	TEST_CHECK(l == NULL, "too many servers accepted");
	conf.nservers = 0;
	conf.tries = DNS_LIVE_TRIES_MAX + 1;
	l = dns_live_new(&loop, &conf, err, sizeof(err));
	TEST_CHECK(l == NULL, "too many tries accepted");

	/* no servers given: resolv.conf's, on the configured port */
	snprintf(path, sizeof(path), "%s/resolv.conf", test_tmpdir());
	if ((f = fopen(path, "w")) == NULL) {
		test_fail("%s: %s", path, strerror(errno));
		teardown();
		return;
	}
	fprintf(f, "search should.not.be.used\nnameserver 127.0.0.1\n");
	fclose(f);
	memset(&conf, 0, sizeof(conf));
	conf.port = srv.port;
	conf.resolv_conf = path;
	dns_live_free(live);
	live = dns_live_new(&loop, &conf, err, sizeof(err));
	TEST_CHECK(live != NULL, "resolv.conf: %s", err);
	if (live != NULL) {
		dns_live_resolver(live, &res);
		s = ask(&callers[0], "a.example", DNS_T_A);
		TEST_CHECK(s == DNS_ANSWER &&
			strcmp(srv.last_name, "a.example") == 0,
		    "via resolv.conf: got %s for \"%s\"", dns_status_str(s),
		    srv.last_name);
	}
	teardown();
}

/* --- the cache on its own ----------------------------------------------- */

static void
cache_answer(struct dns_answer *a, unsigned last, uint32_t ttl)
{
	struct dns_rr r;

	dns_answer_reset(a);
	memset(&r, 0, sizeof(r));
	r.type = DNS_T_A;
	r.ttl = ttl;
	r.addr[3] = (uint8_t)last;
	(void)dns_answer_add(a, &r, NULL, 0);
}

/* test_cache_basics - keys, expiry, replacement, remaining TTL */
static void
test_cache_basics(void)
{
	static struct dns_answer a, got;
	struct dns_cache c;

	dns_cache_init(&c, 8, 1 << 20, 7);
	cache_answer(&a, 1, 300);
	TEST_CHECK(dns_cache_put(&c, "Mx.Example.", DNS_T_A, &a, 300, 0) ==
		SK_OK,
	    "put failed");
	TEST_CHECK(dns_cache_get(&c, "mx.example", DNS_T_A, 1000, &got) &&
		got.nrr == 1 && got.rr[0].addr[3] == 1,
	    "get: not found under another case");
	TEST_CHECK(!dns_cache_get(&c, "mx.example", DNS_T_AAAA, 1000, &got),
	    "found under another type");
	TEST_CHECK(dns_cache_get(&c, "mx.example", DNS_T_A, 299500, &got) &&
		got.rr[0].ttl == 1,
	    "remaining TTL: got %u, want 1", (unsigned)got.rr[0].ttl);
	TEST_CHECK(!dns_cache_get(&c, "mx.example", DNS_T_A, 300000, &got) &&
		c.entries == 0,
	    "expired entry still there");
	cache_answer(&a, 1, 300);
	(void)dns_cache_put(&c, "mx.example", DNS_T_A, &a, 300, 0);
	cache_answer(&a, 2, 300);
	(void)dns_cache_put(&c, "MX.example", DNS_T_A, &a, 300, 0);
	TEST_CHECK(c.entries == 1 &&
		dns_cache_get(&c, "mx.example", DNS_T_A, 0, &got) &&
		got.rr[0].addr[3] == 2,
	    "replace: %zu entries", c.entries);
	dns_cache_free(&c);
	TEST_CHECK(c.entries == 0 && c.bytes == 0, "free left %zu, %zu",
	    c.entries, c.bytes);
}

/* test_cache_bounds - least recently used first, by entries and bytes */
static void
test_cache_bounds(void)
{
	static struct dns_answer a, got;
	struct dns_cache c;
	size_t one;

	dns_cache_init(&c, 2, 1 << 20, 0);
	cache_answer(&a, 1, 300);
	(void)dns_cache_put(&c, "one", DNS_T_A, &a, 300, 0);
	(void)dns_cache_put(&c, "two", DNS_T_A, &a, 300, 0);
	(void)dns_cache_get(&c, "one", DNS_T_A, 0, &got); /* one is newer */
	(void)dns_cache_put(&c, "three", DNS_T_A, &a, 300, 0);
	TEST_CHECK(c.entries == 2 &&
		dns_cache_get(&c, "one", DNS_T_A, 0, &got) &&
		!dns_cache_get(&c, "two", DNS_T_A, 0, &got),
	    "entries: the least recently used should have gone");
	one = c.bytes / 2;
	dns_cache_free(&c);

	dns_cache_init(&c, 100, 2 * one + one / 2, 0);
	(void)dns_cache_put(&c, "one", DNS_T_A, &a, 300, 0);
	(void)dns_cache_put(&c, "two", DNS_T_A, &a, 300, 0);
	(void)dns_cache_put(&c, "six", DNS_T_A, &a, 300, 0);
	TEST_CHECK(c.entries == 2 && c.bytes <= c.max_bytes &&
		!dns_cache_get(&c, "one", DNS_T_A, 0, &got),
	    "bytes: %zu entries, %zu octets", c.entries, c.bytes);
	dns_cache_free(&c);

	dns_cache_init(&c, 100, 64, 0);
	TEST_CHECK(dns_cache_put(&c, "one", DNS_T_A, &a, 300, 0) == SK_E_FULL,
	    "an entry larger than the cache was kept");
	dns_cache_free(&c);
}

/* test_cache_ttl - how long each outcome is kept */
static void
test_cache_ttl(void)
{
	struct dns_reply r;

	memset(&r, 0, sizeof(r));
	r.ttl_known = 1;
	r.ttl = 300;
	TEST_CHECK(dns_cache_ttl(DNS_ANSWER, &r) == 300, "answer 300");
	r.ttl = 0;
	TEST_CHECK(dns_cache_ttl(DNS_ANSWER, &r) == DNS_CACHE_TTL_MIN,
	    "answer 0: want the minimum");
	r.ttl = 10000000;
	TEST_CHECK(dns_cache_ttl(DNS_ANSWER, &r) == DNS_CACHE_TTL_MAX,
	    "answer: want the maximum");
	r.ttl = 600;
	TEST_CHECK(dns_cache_ttl(DNS_NXDOMAIN, &r) == 600, "nxdomain 600");
	r.ttl = 86400;
	TEST_CHECK(dns_cache_ttl(DNS_NODATA, &r) == DNS_CACHE_NEG_TTL_MAX,
	    "nodata: want the negative maximum");
	r.ttl_known = 0;
	TEST_CHECK(dns_cache_ttl(DNS_NODATA, &r) == DNS_CACHE_TTL_MIN,
	    "nodata without SOA: want the minimum");
	TEST_CHECK(dns_cache_ttl(DNS_SERVFAIL, NULL) == DNS_CACHE_FAIL_TTL &&
		dns_cache_ttl(DNS_TIMEOUT, NULL) == DNS_CACHE_FAIL_TTL,
	    "failures");
}

const struct test_case test_cases[] = {
	{ "live_answer", test_live_answer },
	{ "live_types", test_live_types },
	{ "live_bad_reply", test_live_bad_reply },
	{ "live_timeout", test_live_timeout },
	{ "live_ttl", test_live_ttl },
	{ "live_shared", test_live_shared },
	{ "live_cancel", test_live_cancel },
	{ "live_tcp", test_live_tcp },
	{ "live_reentry", test_live_reentry },
	{ "live_limits", test_live_limits },
	{ "live_no_timer", test_live_no_timer },
	{ "live_conf", test_live_conf },
	{ "cache_basics", test_cache_basics },
	{ "cache_bounds", test_cache_bounds },
	{ "cache_ttl", test_cache_ttl },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * dns_live.h - the live asynchronous resolver: c-ares on the event loop.
 *
 * A struct dns_resolver backend (dns.h) for the relay.  c-ares is the
 * transport: it owns the sockets, the query IDs, retries, rotation over
 * the servers, TCP after a truncated reply and EDNS (a 1232-octet UDP
 * buffer).  Its sockets are watched by the caller's event loop
 * (ARES_OPT_SOCK_STATE_CB -> event_io_*) and its timeouts by one
 * event_timer re-armed from ares_timeout().  Every reply is parsed by our
 * own dns_reply_parse(), so what an answer holds and how long it is kept
 * are decided here, not by c-ares.
 *
 * The dns.h contract, exactly:
 *   - an answer in the cache completes at once (DNS_ANSWER, DNS_NXDOMAIN,
 *     DNS_NODATA, DNS_SERVFAIL or DNS_TIMEOUT; done() is not called);
 *   - otherwise DNS_PENDING, and done(arg, ans) is called exactly once
 *     from the event loop, unless cancel(ans) came first;
 *   - identical queries in flight (same name, any case, and type) share
 *     one query on the wire; each caller gets its own copy and callback;
 *   - a cancelled query's reply still fills the cache, so a re-run finds it.
 * Failures that are ours, not the network's, complete at once as
 * DNS_SERVFAIL and are not cached: more than DNS_LIVE_INFLIGHT_MAX
 * distinct queries in flight or DNS_LIVE_WAITERS_MAX callers waiting (no
 * queue: a caller under that much load should defer the message), no room
 * in the loop's timer heap, or a resolver being freed.
 *
 * Cache (dns_cache.h): answers for min(TTL, a day), NXDOMAIN and NODATA
 * for the SOA's negative TTL up to 15 minutes, SERVFAIL and timeouts for
 * 30 seconds, and nothing for less than 30 seconds.  Time is the event
 * loop's clock (event_now); c-ares measures its own timeouts on the
 * monotonic clock, so a test clock must not run slower than real time.
 *
 * Ownership and threads: dns_live_new allocates the resolver (its
 * fixed-size tables, one c-ares channel) and the cache grows up to its
 * bound; dns_live_free releases everything.  One thread, the loop's.
 * Callers own their struct dns_answer and keep it alive while pending.
 * done() may start new queries and cancel others; dns_live_free from inside
 * done() is safe (the resolver goes away once c-ares has returned).
 *
 * Privileges: c-ares reads /etc/resolv.conf (when no servers are given)
 * and seeds its query IDs from /dev/urandom inside dns_live_new: call it
 * before chroot.
 */
#ifndef SK_DNS_LIVE_H
#define SK_DNS_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "event.h"

#define DNS_LIVE_SERVERS_MAX 8    /* servers used, given or from resolv.conf */
#define DNS_LIVE_INFLIGHT_MAX 256 /* distinct queries on the wire */
#define DNS_LIVE_WAITERS_MAX 1024 /* callers waiting for them */
#define DNS_LIVE_TIMEOUT_MS 2000  /* default first timeout per try */
#define DNS_LIVE_TIMEOUT_MS_MAX 30000
#define DNS_LIVE_TRIES 2 /* default tries per server */
#define DNS_LIVE_TRIES_MAX 5
#define DNS_LIVE_EDNS_SIZE 1232 /* DNS flag day 2020: no fragments */
#define DNS_LIVE_PORT 53
/* one UDP and one TCP socket per server, as c-ares 1.18 opens them */
#define DNS_LIVE_SOCKETS_MAX (2 * DNS_LIVE_SERVERS_MAX)

struct dns_live;

struct dns_live_conf {
	/* IPv4 or IPv6 addresses in text form; none: resolv_conf */
	const char *servers[DNS_LIVE_SERVERS_MAX];
	size_t nservers;
	uint16_t port;           /* 0: 53; the same for UDP and TCP */
	unsigned timeout_ms;     /* 0: DNS_LIVE_TIMEOUT_MS; c-ares doubles it
				    for each round over the servers */
	unsigned tries;          /* 0: DNS_LIVE_TRIES */
	const char *resolv_conf; /* NULL: /etc/resolv.conf */
};

/* counters, for logs and tests */
struct dns_live_stats {
	uint64_t queries;     /* dns_query calls */
	uint64_t cache_hits;  /* of them, answered from the cache */
	uint64_t shared;      /* of them, joined a query in flight */
	uint64_t sent;        /* queries handed to c-ares */
	uint64_t refused;     /* SERVFAIL at once: a table or the timer full */
	uint64_t bad_replies; /* replies dns_reply_parse refused */
	const char *bad_reason; /* the last one's reason, or NULL */
	uint64_t io_errors;     /* sockets or timer the loop could not watch */
	size_t inflight;        /* queries on the wire now */
	size_t waiting;         /* callers waiting now */
	size_t cache_entries;
	size_t cache_bytes;
};

/*
 * dns_live_new - a resolver on loop with conf (addresses checked here).
 * NULL on failure, with the reason in err.  Needs one free slot in the
 * loop's timer heap while queries are in flight.
 */
struct dns_live *dns_live_new(struct event_loop *loop,
    const struct dns_live_conf *conf, char *err, size_t errlen);

/*
 * dns_live_free - shut down: every pending query is forgotten (no done()
 * is called any more), c-ares closes its sockets, the cache is freed.
 * NULL is ignored.
 */
void dns_live_free(struct dns_live *live);

/* dns_live_resolver - the struct dns_resolver of live */
void dns_live_resolver(struct dns_live *live, struct dns_resolver *out);

/* dns_live_stats - the counters now */
void dns_live_stats(const struct dns_live *live, struct dns_live_stats *out);

#endif /* SK_DNS_LIVE_H */

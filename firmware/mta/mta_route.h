/*
 * mta_route.h - where a delivery goes: recipient domain -> next hop ->
 * the addresses to connect to, in order.
 *
 * Pure code: no sockets, no logging, no allocation. It reads the config
 * (struct config_delivery) and DNS answers through struct dns_resolver,
 * so that the zone-file backend tests it and the live c-ares backend
 * runs it unchanged.
 *
 * 1. mta_route_select: a route of the config (exact domain, or a
 *    domain with include-subdomains; the most specific wins), else the
 *    smarthost, else MX delivery to the domain itself. A domain that is
 *    an address literal ("[192.0.2.1]", "[IPv6:2001:db8::1]") is
 *    connected to directly.
 * 2. mta_resolve: for mx-lookup hops the MX records (RFC 5321 5.1) sorted
 *    by preference, equal preferences in random order; a null MX (RFC
 *    7505) is a permanent failure 5.1.10; NXDOMAIN is permanent 5.1.2 for
 *    a recipient domain (temporary for a configured next hop: an operator's
 *    mistake must not bounce mail); NODATA means the implicit MX, the
 *    domain's own addresses; SERVFAIL and timeouts are temporary. Then
 *    the AAAA and A records of each host, the preferred family first,
 *    at most MTA_ADDRS_PER_HOST per host and MTA_MX_HOSTS_MAX hosts. An
 *    IP address as next hop is used as it is.
 *
 * Asynchronous resolvers: mta_resolve_start either completes at once
 * (returns 1, done is not called) or returns 0 and calls done(arg, r)
 * exactly once later, unless mta_resolve_cancel came first.
 *
 * Ownership: the caller owns struct mta_resolve (about 20 KiB: heap) and
 * the resolver, and keeps both alive while a query is pending.
 */
#ifndef SK_MTA_ROUTE_H
#define SK_MTA_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "../dns/dns.h"
#include "msg_types.h"
#include "mta_client.h"

#define MTA_SMTP_PORT 25
#define MTA_MX_HOSTS_MAX 10  /* local: MX hosts tried per delivery */
#define MTA_ADDRS_PER_HOST 4 /* local: addresses tried per host */
#define MTA_ADDRS_MAX (MTA_MX_HOSTS_MAX * MTA_ADDRS_PER_HOST)
#define MTA_HOP_KEY_MAX (CONFIG_DOMAIN_SIZE + 16)

enum mta_hop_kind {
	MTA_HOP_MX,        /* the recipient domain's MX hosts */
	MTA_HOP_LITERAL,   /* the recipient domain is an address literal */
	MTA_HOP_ROUTE,     /* a 'delivery route' of the config */
	MTA_HOP_SMARTHOST, /* the 'delivery smarthost' */
};

struct mta_hop {
	enum mta_hop_kind kind;
	char name[CONFIG_DOMAIN_SIZE]; /* domain, host or IP address text */
	uint16_t port;
	int mx_lookup;
	int implicit_tls;
	const struct config_next_hop *conf; /* NULL for MX and literals */
	/* who shares limits and cached connections: "mx:example.com",
	 * "route:example.com", "smarthost", "literal:192.0.2.1" */
	char key[MTA_HOP_KEY_MAX];
};

enum mta_addr_pref {
	MTA_PREFER_IPV6, /* AAAA addresses of a host before its A ones */
	MTA_PREFER_IPV4,
};

struct mta_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t ip[16];
	uint16_t port;
	char host[DNS_TEXT_NAME_MAX + 1]; /* MX host (or hop) name */
};

/* A routing failure: what every recipient of the job gets. */
struct mta_route_fail {
	enum msg_delivery_status status;
	char dsn[MTA_DSN_MAX];
	char text[MTA_TEXT_MAX];
};

typedef uint32_t mta_rand_fn(void *arg);
struct mta_resolve;
typedef void mta_resolve_done_fn(void *arg, struct mta_resolve *r);

struct mta_mx_host {
	char name[DNS_TEXT_NAME_MAX + 1];
	uint16_t pref;
	uint32_t order; /* random tie-break among equal preferences */
};

struct mta_resolve {
	/* set by mta_resolve_start */
	const struct dns_resolver *dns;
	struct mta_hop hop;
	enum mta_addr_pref pref;
	mta_resolve_done_fn *done;
	void *arg;
	mta_rand_fn *rnd;
	void *rarg;
	/* progress */
	int step; /* internal */
	size_t cur;
	int fam; /* 0: the preferred family's query of host cur, 1: other */
	int pending;
	int temp;     /* some lookup failed temporarily */
	int implicit; /* no MX records: the domain is its own MX */
	struct mta_mx_host mx[MTA_MX_HOSTS_MAX];
	size_t nmx;
	struct mta_addr hostaddr[2][MTA_ADDRS_PER_HOST]; /* v6, v4 */
	size_t nhostaddr[2];
	struct dns_answer ans;
	/* results */
	int failed;
	struct mta_route_fail fail;
	struct mta_addr addr[MTA_ADDRS_MAX];
	size_t naddr;
};

/*
 * mta_route_select - the next hop for recipient domain (a domain name,
 * or an address literal in brackets). SK_E_SYNTAX if the domain is empty
 * or longer than a domain can be.
 */
enum sk_result mta_route_select(const struct config_delivery *d,
    const char *domain, struct mta_hop *hop);

/*
 * mta_route_mx - the MX answer of domain into r->mx, sorted (RFC 5321
 * 5.1): SK_OK with r->nmx > 0, or SK_END with r->implicit set (no MX:
 * use the domain), or an error with r->fail set. rnd breaks ties.
 */
enum sk_result mta_route_mx(struct mta_resolve *r, const char *domain,
    const struct dns_answer *ans, mta_rand_fn *rnd, void *rarg);

/*
 * mta_resolve_start - resolve hop into r->addr[0..naddr), or r->failed
 * with r->fail. See the top for the completion contract.
 */
int mta_resolve_start(struct mta_resolve *r, const struct dns_resolver *dns,
    const struct mta_hop *hop, enum mta_addr_pref pref, mta_rand_fn *rnd,
    void *rarg, mta_resolve_done_fn *done, void *arg);

/* mta_resolve_cancel - forget a pending resolution; done is not called */
void mta_resolve_cancel(struct mta_resolve *r);

/* mta_addr_text - the address as text ("192.0.2.1", "2001:db8::1") */
void mta_addr_text(const struct mta_addr *a, char out[DNS_IP6_TEXT_MAX]);

#endif /* SK_MTA_ROUTE_H */

/*
 * mta_route.c - next hop selection and address resolution (mta_route.h).
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mta_route.h"

enum { MTA_STEP_MX, MTA_STEP_HOST, MTA_STEP_DONE };

/* mta_hop_key - "PREFIX:name" in lower case */
static void
mta_hop_key(struct mta_hop *hop, const char *prefix, const char *name)
{
	size_t i, n;

	n = (size_t)snprintf(hop->key, sizeof(hop->key), "%s%s", prefix, name);
	for (i = 0; i < n && i < sizeof(hop->key); i++) {
		if (hop->key[i] >= 'A' && hop->key[i] <= 'Z') {
			hop->key[i] = (char)(hop->key[i] - 'A' + 'a');
		}
	}
}

/* mta_route_literal - "[192.0.2.1]" or "[IPv6:2001:db8::1]" */
static enum sk_result
mta_route_literal(const char *domain, size_t len, struct mta_hop *hop)
{
	uint8_t ip[16];
	const char *p = domain + 1;
	size_t n = len - 2;

	if (len < 3 || domain[len - 1] != ']') {
		return SK_E_SYNTAX;
	}
	if (n > 5 && strncasecmp(p, "IPv6:", 5) == 0) {
		if (dns_ip6_parse(p + 5, n - 5, ip) != SK_OK) {
			return SK_E_SYNTAX;
		}
		dns_ip6_format(ip, hop->name);
	} else {
		if (dns_ip4_parse(p, n, ip) != SK_OK) {
			return SK_E_SYNTAX;
		}
		snprintf(hop->name, sizeof(hop->name), "%u.%u.%u.%u", ip[0],
		    ip[1], ip[2], ip[3]);
	}
	hop->kind = MTA_HOP_LITERAL;
	hop->port = MTA_SMTP_PORT;
	mta_hop_key(hop, "literal:", hop->name);
	return SK_OK;
}

/* mta_route_match - how specific route r is for domain: its length, or 0 */
static size_t
mta_route_match(const struct config_route *r, const char *domain, size_t len)
{
	size_t rl = strlen(r->domain);

	if (dns_name_eq(domain, len, r->domain, rl)) {
		return rl + 1; /* exact beats any subdomain match */
	}
	if (r->include_subdomains && len > rl + 1 &&
	    domain[len - rl - 1] == '.' &&
	    dns_name_eq(domain + len - rl, rl, r->domain, rl)) {
		return rl;
	}
	return 0;
}

/* mta_hop_from - a configured next hop */
static void
mta_hop_from(struct mta_hop *hop, enum mta_hop_kind kind,
    const struct config_next_hop *nh)
{
	hop->kind = kind;
	snprintf(hop->name, sizeof(hop->name), "%s", nh->host);
	hop->port = nh->port != 0 ? nh->port : MTA_SMTP_PORT;
	hop->mx_lookup = nh->mx_lookup;
	hop->implicit_tls = nh->implicit_tls;
	hop->conf = nh;
}

enum sk_result
mta_route_select(const struct config_delivery *d, const char *domain,
    struct mta_hop *hop)
{
	const struct config_route *best = NULL;
	size_t len = strlen(domain), i, score, best_score = 0;

	memset(hop, 0, sizeof(*hop));
	if (len == 0 || len > DNS_TEXT_NAME_MAX + 1) {
		return SK_E_SYNTAX;
	}
	if (domain[0] == '[') {
		return mta_route_literal(domain, len, hop);
	}
	for (i = 0; i < d->nroutes && i < CONFIG_ROUTES_MAX; i++) {
		score = mta_route_match(&d->routes[i], domain, len);
		if (score > best_score) {
			best = &d->routes[i];
			best_score = score;
		}
	}
	if (best != NULL) {
		mta_hop_from(hop, MTA_HOP_ROUTE, &best->hop);
		mta_hop_key(hop, "route:", best->domain);
	} else if (d->smarthost_enabled) {
		mta_hop_from(hop, MTA_HOP_SMARTHOST, &d->smarthost);
		mta_hop_key(hop, "smarthost", "");
	} else {
		hop->kind = MTA_HOP_MX;
		snprintf(hop->name, sizeof(hop->name), "%s", domain);
		hop->port = MTA_SMTP_PORT;
		hop->mx_lookup = 1;
		mta_hop_key(hop, "mx:", domain);
	}
	return SK_OK;
}

/* mta_route_failed - record the failure every recipient will get */
static void mta_route_failed(struct mta_resolve *r, enum msg_delivery_status st,
    const char *dsn, const char *fmt, ...) SK_PRINTF(4, 5);

static void
mta_route_failed(struct mta_resolve *r, enum msg_delivery_status st,
    const char *dsn, const char *fmt, ...)
{
	va_list ap;

	r->failed = 1;
	r->fail.status = st;
	snprintf(r->fail.dsn, sizeof(r->fail.dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(r->fail.text, sizeof(r->fail.text), fmt, ap);
	va_end(ap);
}

/* mta_mx_before - sort order: preference, then the random tie-break */
static int
mta_mx_before(const struct mta_mx_host *a, const struct mta_mx_host *b)
{
	return a->pref < b->pref || (a->pref == b->pref && a->order < b->order);
}

/* mta_mx_insert - keep r->mx sorted and at most MTA_MX_HOSTS_MAX long */
static void
mta_mx_insert(struct mta_resolve *r, const char *name, uint16_t pref,
    uint32_t order)
{
	struct mta_mx_host h;
	size_t i, at;

	for (i = 0; i < r->nmx; i++) {
		if (dns_name_eq(r->mx[i].name, strlen(r->mx[i].name), name,
			strlen(name))) {
			return; /* the same host twice: its best entry counts */
		}
	}
	snprintf(h.name, sizeof(h.name), "%s", name);
	h.pref = pref;
	h.order = order;
	for (at = 0; at < r->nmx && !mta_mx_before(&h, &r->mx[at]); at++) {
	}
	if (at >= MTA_MX_HOSTS_MAX) {
		return;
	}
	if (r->nmx == MTA_MX_HOSTS_MAX) {
		r->nmx--; /* the worst one falls off */
	}
	memmove(&r->mx[at + 1], &r->mx[at], (r->nmx - at) * sizeof(h));
	r->mx[at] = h;
	r->nmx++;
}

enum sk_result
mta_route_mx(struct mta_resolve *r, const char *domain,
    const struct dns_answer *ans, mta_rand_fn *rnd, void *rarg)
{
	const char *how = r->hop.kind == MTA_HOP_MX ? "" : " (next hop)";
	size_t i, nulls = 0;
	const char *name;

	r->nmx = 0;
	switch (ans->status) {
	case DNS_ANSWER:
		break;
	case DNS_NODATA:
		return SK_END; /* RFC 5321 5.1: the implicit MX */
	case DNS_NXDOMAIN:
		/* a recipient domain that does not exist bounces; a next
		 * hop of the config that does not is the operator's to fix */
		mta_route_failed(r,
		    r->hop.kind == MTA_HOP_MX ? MSG_PERMFAIL : MSG_TEMPFAIL,
		    r->hop.kind == MTA_HOP_MX ? "5.1.2" : "4.4.4",
		    "Host or domain name not found. Name service error for "
		    "name=%s type=MX: Host not found%s",
		    domain, how);
		return SK_E_UNKNOWN;
	default:
		mta_route_failed(r, MSG_TEMPFAIL, "4.4.3",
		    "Host or domain name not found. Name service error for "
		    "name=%s type=MX: Host not found, try again",
		    domain);
		return SK_E_IO;
	}
	for (i = 0; i < ans->nrr && i < DNS_ANSWER_RR_MAX; i++) {
		if (ans->rr[i].type != DNS_T_MX) {
			continue;
		}
		name = dns_rr_text(ans, &ans->rr[i]);
		if (name[0] == '\0') {
			nulls++; /* RFC 7505: "MX 0 ." */
			continue;
		}
		mta_mx_insert(r, name, ans->rr[i].pref, rnd(rarg));
	}
	if (r->nmx == 0 && nulls > 0) {
		mta_route_failed(r, MSG_PERMFAIL, "5.1.10",
		    "Domain %s does not accept mail (null MX, RFC 7505)",
		    domain);
		return SK_E_RANGE;
	}
	return r->nmx > 0 ? SK_OK : SK_END;
}

void
mta_addr_text(const struct mta_addr *a, char out[DNS_IP6_TEXT_MAX])
{
	if (a->family == AF_INET6) {
		dns_ip6_format(a->ip, out);
		return;
	}
	snprintf(out, DNS_IP6_TEXT_MAX, "%u.%u.%u.%u", a->ip[0], a->ip[1],
	    a->ip[2], a->ip[3]);
}

/* mta_ip_text - an IP address as a next hop's name; 0 if it is a name */
static int
mta_ip_text(const char *s, struct mta_addr *a)
{
	size_t n = strlen(s);

	memset(a, 0, sizeof(*a));
	if (dns_ip4_parse(s, n, a->ip) == SK_OK) {
		a->family = AF_INET;
		return 1;
	}
	if (strchr(s, ':') != NULL && dns_ip6_parse(s, n, a->ip) == SK_OK) {
		a->family = AF_INET6;
		return 1;
	}
	return 0;
}

/* mta_family_slot - hostaddr slot of a family: 0 for IPv6, 1 for IPv4 */
static int
mta_family_slot(const struct mta_resolve *r, int fam)
{
	int first_v6 = r->pref == MTA_PREFER_IPV6;

	return fam == 0 ? !first_v6 : first_v6;
}

/* mta_have_addr - whether a is in the result list already */
static int
mta_have_addr(const struct mta_resolve *r, const struct mta_addr *a)
{
	size_t i;

	for (i = 0; i < r->naddr; i++) {
		if (r->addr[i].family == a->family &&
		    memcmp(r->addr[i].ip, a->ip, 16) == 0) {
			return 1;
		}
	}
	return 0;
}

/* mta_host_done - the host's addresses, preferred family first */
static void
mta_host_done(struct mta_resolve *r)
{
	size_t taken = 0, i;
	int fam, slot;

	for (fam = 0; fam < 2; fam++) {
		slot = mta_family_slot(r, fam);
		for (i = 0; i < r->nhostaddr[slot]; i++) {
			const struct mta_addr *a = &r->hostaddr[slot][i];

			if (taken == MTA_ADDRS_PER_HOST ||
			    r->naddr == MTA_ADDRS_MAX) {
				break;
			}
			if (!mta_have_addr(r, a)) {
				r->addr[r->naddr++] = *a;
				taken++;
			}
		}
	}
	r->nhostaddr[0] = r->nhostaddr[1] = 0;
}

/* mta_take_addrs - the A or AAAA answer for host cur */
static void
mta_take_addrs(struct mta_resolve *r)
{
	int slot = mta_family_slot(r, r->fam);
	enum dns_type t = slot == 0 ? DNS_T_AAAA : DNS_T_A;
	const struct dns_answer *ans = &r->ans;
	struct mta_addr *a;
	size_t i;

	if (ans->status == DNS_SERVFAIL || ans->status == DNS_TIMEOUT) {
		r->temp = 1;
		return;
	}
	if (ans->status != DNS_ANSWER) {
		return; /* NXDOMAIN or NODATA: none of this family */
	}
	for (i = 0; i < ans->nrr && r->nhostaddr[slot] < MTA_ADDRS_PER_HOST;
	     i++) {
		if (ans->rr[i].type != t) {
			continue;
		}
		a = &r->hostaddr[slot][r->nhostaddr[slot]++];
		memset(a, 0, sizeof(*a));
		a->family = t == DNS_T_AAAA ? AF_INET6 : AF_INET;
		memcpy(a->ip, ans->rr[i].addr, t == DNS_T_AAAA ? 16 : 4);
		a->port = r->hop.port;
		memcpy(a->host, r->mx[r->cur].name, sizeof(a->host));
	}
}

/* mta_resolve_take - use the answer in r->ans and move one step on */
static void
mta_resolve_take(struct mta_resolve *r)
{
	enum sk_result rc;

	if (r->step == MTA_STEP_MX) {
		rc = mta_route_mx(r, r->hop.name, &r->ans, r->rnd, r->rarg);
		if (rc == SK_END) {
			r->implicit = 1;
			snprintf(r->mx[0].name, sizeof(r->mx[0].name), "%s",
			    r->hop.name);
			r->nmx = 1;
		}
		r->step =
		    rc == SK_OK || rc == SK_END ? MTA_STEP_HOST : MTA_STEP_DONE;
		r->cur = 0;
		r->fam = 0;
		return;
	}
	mta_take_addrs(r);
	if (++r->fam < 2) {
		return;
	}
	mta_host_done(r);
	r->fam = 0;
	if (++r->cur >= r->nmx || r->naddr == MTA_ADDRS_MAX) {
		r->step = MTA_STEP_DONE;
	}
}

/* mta_resolve_finish - no address at all: say why */
static void
mta_resolve_finish(struct mta_resolve *r)
{
	if (r->failed || r->naddr > 0) {
		return;
	}
	if (r->temp) {
		mta_route_failed(r, MSG_TEMPFAIL, "4.4.3",
		    "Host or domain name not found. Name service error for "
		    "name=%s: Host not found, try again",
		    r->nmx == 1 ? r->mx[0].name : r->hop.name);
	} else if (r->hop.kind == MTA_HOP_MX && r->implicit) {
		/* RFC 5321 5.1: no MX and no address: not a mail domain */
		mta_route_failed(r, MSG_PERMFAIL, "5.4.4",
		    "Host or domain name not found: %s has no MX, A or AAAA "
		    "record",
		    r->hop.name);
	} else {
		mta_route_failed(r, MSG_TEMPFAIL, "4.4.4",
		    "no address found for %s%s",
		    r->hop.mx_lookup && !r->implicit ? "the MX hosts of " :
						       "host ",
		    r->hop.name);
	}
}

static void mta_resolve_answer(void *arg, struct dns_answer *ans);

/* mta_resolve_run - query until done (1) or waiting for an answer (0) */
static int
mta_resolve_run(struct mta_resolve *r)
{
	enum dns_status st;
	const char *name;
	enum dns_type t;

	while (r->step != MTA_STEP_DONE) {
		if (r->step == MTA_STEP_MX) {
			name = r->hop.name;
			t = DNS_T_MX;
		} else {
			name = r->mx[r->cur].name;
			t = mta_family_slot(r, r->fam) == 0 ? DNS_T_AAAA :
							      DNS_T_A;
		}
		st = dns_query(r->dns, name, t, &r->ans, mta_resolve_answer, r);
		if (st == DNS_PENDING) {
			r->pending = 1;
			return 0;
		}
		mta_resolve_take(r);
	}
	mta_resolve_finish(r);
	return 1;
}

static void
mta_resolve_answer(void *arg, struct dns_answer *ans)
{
	struct mta_resolve *r = arg;

	(void)ans; /* it is r->ans */
	r->pending = 0;
	mta_resolve_take(r);
	if (mta_resolve_run(r)) {
		r->done(r->arg, r);
	}
}

int
mta_resolve_start(struct mta_resolve *r, const struct dns_resolver *dns,
    const struct mta_hop *hop, enum mta_addr_pref pref, mta_rand_fn *rnd,
    void *rarg, mta_resolve_done_fn *done, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->dns = dns;
	r->hop = *hop;
	r->pref = pref;
	r->rnd = rnd;
	r->rarg = rarg;
	r->done = done;
	r->arg = arg;
	if (mta_ip_text(hop->name, &r->addr[0])) {
		/* an IP address as next hop: no DNS at all */
		r->addr[0].port = hop->port;
		snprintf(r->addr[0].host, sizeof(r->addr[0].host), "%s",
		    hop->name);
		r->naddr = 1;
		r->step = MTA_STEP_DONE;
		return 1;
	}
	if (hop->mx_lookup) {
		r->step = MTA_STEP_MX;
	} else {
		snprintf(r->mx[0].name, sizeof(r->mx[0].name), "%s", hop->name);
		r->nmx = 1;
		r->step = MTA_STEP_HOST;
	}
	return mta_resolve_run(r);
}

void
mta_resolve_cancel(struct mta_resolve *r)
{
	if (r->pending && r->dns->ops->cancel != NULL) {
		r->dns->ops->cancel(r->dns->ctx, &r->ans);
	}
	r->pending = 0;
	r->step = MTA_STEP_DONE;
}

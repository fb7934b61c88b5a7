/*
 * dns_live.c - the live asynchronous resolver: c-ares on the event loop
 * (dns_live.h).
 *
 * Untrusted input: replies from the network, which c-ares hands over as
 * raw octets and dns_reply_parse() checks; names from mail, already
 * checked by dns_query().  Memory: the tables below are allocated once in
 * dns_live_new; the cache and c-ares allocate within their own bounds.
 *
 * A query goes: cache -> a query in flight with the same key (join it) ->
 * a new slot, ares_query().  The c-ares callback parses the reply into
 * live->scratch, stores it in the cache, copies it into every waiting
 * caller's answer and only then calls the callers' done(), so that a
 * done() that starts new queries (which reuse scratch) cannot disturb the
 * callers still to be told.
 */
#define CARES_STATICLIB /* our libcares.a: no dllimport, no visibility */
#include <sys/random.h>

#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_cache.h"
#include "dns_live.h"
#include "dns_reply.h"

enum live_waiter_state {
	WAITER_FREE,
	WAITER_WAITING,   /* on its query's list */
	WAITER_NOTIFYING, /* answered, its done() is about to be called */
};

/* one caller waiting for a query */
struct live_waiter {
	enum live_waiter_state state;
	int cancelled; /* cancel() came while NOTIFYING */
	struct live_waiter *next;
	struct dns_answer *ans;
	dns_done_fn done;
	void *arg;
};

/* one query on the wire; c-ares holds a pointer to it until its callback */
struct live_query {
	struct dns_live *live;
	int busy;    /* handed to c-ares, callback not yet run */
	int sending; /* inside ares_query(): a callback now is synchronous */
	int sync_done;
	enum dns_status sync_status;
	char name[DNS_TEXT_NAME_MAX + 1]; /* lower case, no final dot */
	enum dns_type type;
	struct live_waiter *waiters;
};

/* one c-ares socket watched by the loop; fd -1 when the slot is free */
struct live_socket {
	int fd;
	struct event_io io;
	struct dns_live *live;
};

struct dns_live {
	struct event_loop *loop;
	ares_channel channel;
	int have_channel;
	unsigned timeout_ms;
	struct event_timer timer;
	struct dns_cache cache;
	int depth;        /* c-ares calls under way (callbacks may run) */
	int closing;      /* dns_live_free was called */
	int free_pending; /* ... while depth > 0 */
	size_t inflight, waiting;
	struct live_waiter *free_waiters;
	struct dns_live_stats stats;
	struct live_socket sockets[DNS_LIVE_SOCKETS_MAX];
	struct live_query queries[DNS_LIVE_INFLIGHT_MAX];
	struct live_waiter waiters[DNS_LIVE_WAITERS_MAX];
	struct dns_answer scratch;
};

static void live_destroy(struct dns_live *live);

/* --- answers and waiters ------------------------------------------------ */

/* live_answer_copy - the used part of src into dst */
static void
live_answer_copy(struct dns_answer *dst, const struct dns_answer *src)
{
	dst->status = src->status;
	dst->truncated = src->truncated;
	dst->nrr = src->nrr;
	memcpy(dst->rr, src->rr, src->nrr * sizeof(src->rr[0]));
	dst->used = src->used;
	memcpy(dst->data, src->data, src->used);
	if (src->used == 0) {
		dst->data[0] = '\0';
	}
}

static struct live_waiter *
live_waiter_get(struct dns_live *live, struct dns_answer *ans, dns_done_fn done,
    void *arg)
{
	struct live_waiter *w = live->free_waiters;

	if (w == NULL) {
		return NULL;
	}
	live->free_waiters = w->next;
	memset(w, 0, sizeof(*w));
	w->state = WAITER_WAITING;
	w->ans = ans;
	w->done = done;
	w->arg = arg;
	live->waiting++;
	return w;
}

static void
live_waiter_put(struct dns_live *live, struct live_waiter *w)
{
	w->state = WAITER_FREE;
	w->ans = NULL;
	w->next = live->free_waiters;
	live->free_waiters = w;
	live->waiting--;
}

/* live_query_release - forget q's waiters (no callback) and free q */
static void
live_query_release(struct dns_live *live, struct live_query *q)
{
	struct live_waiter *w;

	while ((w = q->waiters) != NULL) {
		q->waiters = w->next;
		live_waiter_put(live, w);
	}
	q->busy = 0;
	live->inflight--;
}

/* --- timer and sockets -------------------------------------------------- */

static void live_on_timer(struct event_loop *loop, struct event_timer *t);

/*
 * live_timer_update - arm the timer for c-ares's next timeout, or disarm
 * it.  Re-arming an armed timer cannot fail (its heap slot is reused);
 * live_start makes sure it is armed before it sends.
 */
static void
live_timer_update(struct dns_live *live)
{
	struct timeval tv, *next;
	uint64_t ms;

	if (live->closing) {
		return;
	}
	next = ares_timeout(live->channel, NULL, &tv);
	if (next == NULL) {
		event_timer_del(live->loop, &live->timer);
		return;
	}
	/* round up: firing early would only spin the loop */
	ms = (uint64_t)next->tv_sec * 1000 +
	    ((uint64_t)next->tv_usec + 999) / 1000;
	if (event_timer_set(live->loop, &live->timer, ms, live_on_timer,
		live) == -1) {
		live->stats.io_errors++;
	}
}

/*
 * live_process - let c-ares read, write or time out; its callbacks run
 * inside.  A dns_live_free from one of them takes effect here, after.
 */
static void
live_process(struct dns_live *live, ares_socket_t rfd, ares_socket_t wfd)
{
	live->depth++;
	ares_process_fd(live->channel, rfd, wfd);
	live->depth--;
	if (live->depth == 0 && live->free_pending) {
		live_destroy(live);
		return;
	}
	live_timer_update(live);
}

static void
live_on_timer(struct event_loop *loop, struct event_timer *t)
{
	(void)loop;
	live_process(t->arg, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static void
live_on_io(struct event_loop *loop, struct event_io *io, uint32_t revents)
{
	struct live_socket *s = io->arg;
	int fd = s->fd;
	/* errors and hang-ups are reported by the next read or write */
	uint32_t err = EPOLLERR | EPOLLHUP;

	(void)loop;
	live_process(s->live,
	    (revents & (EVENT_READ | err)) ? fd : ARES_SOCKET_BAD,
	    (revents & (EVENT_WRITE | err)) ? fd : ARES_SOCKET_BAD);
}

static struct live_socket *
live_socket_find(struct dns_live *live, int fd)
{
	size_t i;

	for (i = 0; i < DNS_LIVE_SOCKETS_MAX; i++) {
		if (live->sockets[i].fd == fd) {
			return &live->sockets[i];
		}
	}
	return NULL;
}

/*
 * live_sock_state - c-ares's ARES_OPT_SOCK_STATE_CB: fd wants readable
 * and/or writable events, or (neither) is about to be closed.
 */
static void
live_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_live *live = data;
	struct live_socket *s = live_socket_find(live, fd);
	uint32_t events =
	    (readable ? EVENT_READ : 0) | (writable ? EVENT_WRITE : 0);

	if (events == 0) {
		if (s != NULL) {
			(void)event_io_del(live->loop, &s->io);
			s->fd = -1;
		}
		return;
	}
	if (s != NULL) {
		if (s->io.events != events &&
		    event_io_mod(live->loop, &s->io, events) == -1) {
			live->stats.io_errors++;
		}
		return;
	}
	/* not watched: its queries end by c-ares's timeouts */
	if ((s = live_socket_find(live, -1)) == NULL ||
	    event_io_add(live->loop, &s->io, fd, events, live_on_io, s) == -1) {
		live->stats.io_errors++;
		return;
	}
	s->fd = fd;
}

/* --- replies ------------------------------------------------------------ */

/*
 * live_result - the outcome of q into live->scratch, and into the cache:
 * a reply is parsed by us whatever c-ares thought of its RCODE; without
 * one, c-ares's status says timeout or failure.
 */
static enum dns_status
live_result(struct dns_live *live, struct live_query *q, int status,
    const unsigned char *abuf, int alen)
{
	struct dns_answer *ans = &live->scratch;
	struct dns_reply info;
	enum dns_status s;
	uint32_t ttl;

	if (abuf != NULL && alen >= 0) {
		s = dns_reply_parse(abuf, (size_t)alen, q->name, q->type, ans,
		    &info);
		if (s == DNS_SERVFAIL) {
			live->stats.bad_replies++;
			live->stats.bad_reason = info.reason;
		}
		ttl = dns_cache_ttl(s, &info);
	} else {
		dns_answer_reset(ans);
		s = status == ARES_ETIMEOUT ? DNS_TIMEOUT : DNS_SERVFAIL;
		ans->status = s;
		ttl = dns_cache_ttl(s, NULL);
	}
	(void)dns_cache_put(&live->cache, q->name, q->type, ans, ttl,
	    event_now(live->loop));
	return s;
}

/*
 * live_notify - give the answer in scratch to every caller of q.  All
 * answers are written before any done() runs; a done() may cancel a
 * caller still to be told (it is then skipped) or free the resolver (the
 * rest are dropped).
 */
static void
live_notify(struct dns_live *live, struct live_query *q)
{
	struct live_waiter *list = q->waiters, *w;
	struct dns_answer *ans;
	dns_done_fn done;
	void *arg;

	q->waiters = NULL;
	live_query_release(live, q);
	for (w = list; w != NULL; w = w->next) {
		live_answer_copy(w->ans, &live->scratch);
		w->state = WAITER_NOTIFYING;
	}
	while ((w = list) != NULL) {
		list = w->next;
		done = w->done;
		arg = w->arg;
		ans = w->ans;
		if (w->cancelled || live->closing) {
			live_waiter_put(live, w);
			continue;
		}
		live_waiter_put(live, w);
		done(arg, ans);
	}
}

/* live_on_reply - the ares_callback of every query */
static void
live_on_reply(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct live_query *q = arg;
	struct dns_live *live = q->live;
	enum dns_status s;

	(void)timeouts;
	if (live->closing || status == ARES_EDESTRUCTION ||
	    status == ARES_ECANCELLED) {
		live_query_release(live, q);
		return;
	}
	s = live_result(live, q, status, abuf, alen);
	if (q->sending) {
		/* inside ares_query: live_query returns the answer itself */
		live_answer_copy(q->waiters->ans, &live->scratch);
		q->sync_done = 1;
		q->sync_status = s;
		return;
	}
	live_notify(live, q);
}

/* --- queries ------------------------------------------------------------ */

/* live_key - name folded to lower case, without its final dot */
static void
live_key(const char *name, char out[DNS_TEXT_NAME_MAX + 1])
{
	size_t len = strlen(name), i;

	if (len > 0 && name[len - 1] == '.') {
		len--;
	}
	/* dns_query checked the name: 253 octets at most without the dot */
	for (i = 0; i < len; i++) {
		out[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    (char)(name[i] - 'A' + 'a') :
		    name[i];
	}
	out[len] = '\0';
}

static struct live_query *
live_query_find(struct dns_live *live, const char *key, enum dns_type type)
{
	size_t i;

	for (i = 0; i < DNS_LIVE_INFLIGHT_MAX; i++) {
		struct live_query *q = &live->queries[i];

		if (q->busy && q->type == type && strcmp(q->name, key) == 0) {
			return q;
		}
	}
	return NULL;
}

static struct live_query *
live_query_free_slot(struct dns_live *live)
{
	size_t i;

	for (i = 0; i < DNS_LIVE_INFLIGHT_MAX; i++) {
		if (!live->queries[i].busy) {
			return &live->queries[i];
		}
	}
	return NULL;
}

/*
 * live_send - hand q to c-ares.  ares_create_query reads "\X" as an escape;
 * our names have none (dns.h: every octet but "." is label data), so each
 * backslash is doubled to reach the wire as itself.
 */
static void
live_send(struct dns_live *live, struct live_query *q)
{
	char wire[2 * DNS_TEXT_NAME_MAX + 1];
	size_t i, o = 0;

	for (i = 0; q->name[i] != '\0'; i++) {
		if (q->name[i] == '\\') {
			wire[o++] = '\\';
		}
		wire[o++] = q->name[i];
	}
	wire[o] = '\0';
	live->stats.sent++;
	/* c-ares calls back from inside ares_query only for this query
	 * (a socket it could not open or write): see live_on_reply */
	ares_query(live->channel, wire, DNS_CLASS_IN, (int)q->type,
	    live_on_reply, q);
}

/* live_refuse - a failure of ours: SERVFAIL at once, not cached */
static enum dns_status
live_refuse(struct dns_live *live)
{
	live->stats.refused++;
	return DNS_SERVFAIL;
}

/* live_start - a new query for key; see dns_live.h for the outcomes */
static enum dns_status
live_start(struct dns_live *live, const char *key, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	struct live_query *q;
	struct live_waiter *w;
	enum dns_status s;

	if ((q = live_query_free_slot(live)) == NULL) {
		return live_refuse(live);
	}
	/* c-ares's timeouts need the timer: take its heap slot first */
	if (live->timer.slot == EVENT_TIMER_IDLE &&
	    event_timer_set(live->loop, &live->timer, live->timeout_ms,
		live_on_timer, live) == -1) {
		return live_refuse(live);
	}
	if ((w = live_waiter_get(live, ans, done, arg)) == NULL) {
		return live_refuse(live);
	}
	memset(q, 0, sizeof(*q));
	q->live = live;
	q->busy = 1;
	q->sending = 1;
	q->type = type;
	memcpy(q->name, key, strlen(key) + 1);
	q->waiters = w;
	live->inflight++;
	live_send(live, q);
	q->sending = 0;
	if (q->sync_done) {
		s = q->sync_status;
		live_query_release(live, q);
		live_timer_update(live);
		return s;
	}
	live_timer_update(live);
	return DNS_PENDING;
}

/* live_query - dns_resolver_ops.query */
static enum dns_status
live_query(void *ctx, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	struct dns_live *live = ctx;
	char key[DNS_TEXT_NAME_MAX + 1];
	struct live_query *q;
	struct live_waiter *w;

	live->stats.queries++;
	if (live->closing) {
		return live_refuse(live);
	}
	live_key(name, key);
	if (dns_cache_get(&live->cache, key, type, event_now(live->loop),
		ans)) {
		live->stats.cache_hits++;
		return ans->status;
	}
	if ((q = live_query_find(live, key, type)) == NULL) {
		return live_start(live, key, type, ans, done, arg);
	}
	if ((w = live_waiter_get(live, ans, done, arg)) == NULL) {
		return live_refuse(live);
	}
	w->next = q->waiters;
	q->waiters = w;
	live->stats.shared++;
	return DNS_PENDING;
}

/* live_cancel - dns_resolver_ops.cancel: forget the caller of ans */
static void
live_cancel(void *ctx, struct dns_answer *ans)
{
	struct dns_live *live = ctx;
	struct live_waiter **p;
	size_t i;

	for (i = 0; i < DNS_LIVE_WAITERS_MAX; i++) {
		struct live_waiter *w = &live->waiters[i];

		if (w->state == WAITER_NOTIFYING && w->ans == ans) {
			w->cancelled = 1;
			return;
		}
	}
	/* the query goes on: its reply still fills the cache */
	for (i = 0; i < DNS_LIVE_INFLIGHT_MAX; i++) {
		struct live_query *q = &live->queries[i];

		for (p = &q->waiters; q->busy && *p != NULL; p = &(*p)->next) {
			if ((*p)->ans == ans) {
				struct live_waiter *w = *p;

				*p = w->next;
				live_waiter_put(live, w);
				return;
			}
		}
	}
}

static const struct dns_resolver_ops dns_live_ops = {
	.name = "live",
	.query = live_query,
	.cancel = live_cancel,
};

/* dns_live_resolver - the struct dns_resolver of live */
void
dns_live_resolver(struct dns_live *live, struct dns_resolver *out)
{
	out->ops = &dns_live_ops;
	out->ctx = live;
}

/* dns_live_stats - the counters now */
void
dns_live_stats(const struct dns_live *live, struct dns_live_stats *out)
{
	*out = live->stats;
	out->inflight = live->inflight;
	out->waiting = live->waiting;
	out->cache_entries = live->cache.entries;
	out->cache_bytes = live->cache.bytes;
}

/* --- set-up and shut-down ----------------------------------------------- */

/* live_conf_check - the numbers of conf within their limits */
static const char *
live_conf_check(const struct dns_live_conf *conf)
{
	if (conf->nservers > DNS_LIVE_SERVERS_MAX) {
		return "too many servers";
	}
	if (conf->timeout_ms > DNS_LIVE_TIMEOUT_MS_MAX) {
		return "timeout too long";
	}
	if (conf->tries > DNS_LIVE_TRIES_MAX) {
		return "too many tries";
	}
	return NULL;
}

/* live_addr - one server address, IPv4 or IPv6 text, into node */
static int
live_addr(const char *text, struct ares_addr_port_node *node)
{
	uint8_t a[16];
	size_t len = strlen(text);

	memset(node, 0, sizeof(*node));
	if (dns_ip4_parse(text, len, a) == SK_OK) {
		node->family = AF_INET;
		memcpy(&node->addr.addr4, a, 4);
		return 0;
	}
	if (dns_ip6_parse(text, len, a) == SK_OK) {
		node->family = AF_INET6;
		memcpy(&node->addr.addr6, a, 16);
		return 0;
	}
	return -1;
}

/*
 * live_servers - the configured servers, or the first
 * DNS_LIVE_SERVERS_MAX that c-ares found in resolv.conf.  Port 0 in a
 * node means the channel's port (conf->port).
 */
static const char *
live_servers(struct dns_live *live, const struct dns_live_conf *conf)
{
	struct ares_addr_port_node nodes[DNS_LIVE_SERVERS_MAX], *found, *n;
	size_t i, count = 0;

	for (i = 0; i < conf->nservers; i++) {
		if (conf->servers[i] == NULL ||
		    live_addr(conf->servers[i], &nodes[i]) != 0) {
			return "server address is not IPv4 or IPv6";
		}
		count++;
	}
	if (count == 0) {
		if (ares_get_servers_ports(live->channel, &found) !=
		    ARES_SUCCESS) {
			return "cannot read the servers";
		}
		for (n = found; n != NULL && count < DNS_LIVE_SERVERS_MAX;
		     n = n->next) {
			nodes[count++] = *n;
		}
		ares_free_data(found);
		if (count == 0) {
			return "no server";
		}
	}
	for (i = 0; i < count; i++) {
		nodes[i].next = i + 1 < count ? &nodes[i + 1] : NULL;
	}
	if (ares_set_servers_ports(live->channel, nodes) != ARES_SUCCESS) {
		return "cannot set the servers";
	}
	return NULL;
}

/* live_channel - the c-ares channel with our options */
static const char *
live_channel(struct dns_live *live, const struct dns_live_conf *conf)
{
	struct ares_options o;
	int mask, r;

	memset(&o, 0, sizeof(o));
	/* no search list; RD set (no NORECURSE); EDNS with our buffer */
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
	o.timeout = (int)live->timeout_ms;
	o.tries = conf->tries != 0 ? (int)conf->tries : DNS_LIVE_TRIES;
	o.udp_port = o.tcp_port = conf->port != 0 ? conf->port : DNS_LIVE_PORT;
	o.sock_state_cb = live_sock_state;
	o.sock_state_cb_data = live;
	o.ednspsz = DNS_LIVE_EDNS_SIZE;
	mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_UDP_PORT | ARES_OPT_TCP_PORT | ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_EDNSPSZ;
	if (conf->resolv_conf != NULL) {
		/* c-ares only reads it: the cast is its API's, not a write */
		o.resolvconf_path = (char *)(uintptr_t)conf->resolv_conf;
		mask |= ARES_OPT_RESOLVCONF;
	}
	if ((r = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		return ares_strerror(r);
	}
	if ((r = ares_init_options(&live->channel, &o, mask)) != ARES_SUCCESS) {
		ares_library_cleanup();
		return ares_strerror(r);
	}
	live->have_channel = 1;
	return live_servers(live, conf);
}

/* dns_live_new - a resolver on loop with conf */
struct dns_live *
dns_live_new(struct event_loop *loop, const struct dns_live_conf *conf,
    char *err, size_t errlen)
{
	struct dns_live *live;
	const char *why;
	uint32_t seed = 0;
	size_t i;

	if ((why = live_conf_check(conf)) != NULL) {
		snprintf(err, errlen, "dns: %s", why);
		return NULL;
	}
	if ((live = calloc(1, sizeof(*live))) == NULL) {
		snprintf(err, errlen, "dns: out of memory");
		return NULL;
	}
	live->loop = loop;
	live->timeout_ms =
	    conf->timeout_ms != 0 ? conf->timeout_ms : DNS_LIVE_TIMEOUT_MS;
	event_timer_init(&live->timer);
	for (i = 0; i < DNS_LIVE_SOCKETS_MAX; i++) {
		live->sockets[i].fd = -1;
		live->sockets[i].live = live;
	}
	for (i = DNS_LIVE_WAITERS_MAX; i-- > 0;) {
		live->waiters[i].next = live->free_waiters;
		live->free_waiters = &live->waiters[i];
	}
	/* a seed nobody can guess keeps names from piling into one bucket;
	 * without one the cache still works, only less evenly */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(seed)) {
		seed = 0;
	}
	dns_cache_init(&live->cache, DNS_CACHE_ENTRIES_MAX, DNS_CACHE_BYTES_MAX,
	    seed);
	if ((why = live_channel(live, conf)) != NULL) {
		snprintf(err, errlen, "dns: %s", why);
		live_destroy(live);
		return NULL;
	}
	return live;
}

/* live_destroy - release everything; c-ares's callbacks see closing */
static void
live_destroy(struct dns_live *live)
{
	size_t i;

	live->closing = 1;
	if (live->have_channel) {
		ares_destroy(live->channel);
		ares_library_cleanup();
		live->have_channel = 0;
	}
	event_timer_del(live->loop, &live->timer);
	for (i = 0; i < DNS_LIVE_SOCKETS_MAX; i++) {
		if (live->sockets[i].fd != -1) {
			(void)event_io_del(live->loop, &live->sockets[i].io);
		}
	}
	dns_cache_free(&live->cache);
	free(live);
}

/* dns_live_free - shut down; see dns_live.h */
void
dns_live_free(struct dns_live *live)
{
	size_t i;

	if (live == NULL || live->closing) {
		return;
	}
	live->closing = 1;
	/* every caller is forgotten now, whatever c-ares does next */
	for (i = 0; i < DNS_LIVE_INFLIGHT_MAX; i++) {
		if (live->queries[i].busy) {
			struct live_waiter *w;

			while ((w = live->queries[i].waiters) != NULL) {
				live->queries[i].waiters = w->next;
				live_waiter_put(live, w);
			}
		}
	}
	if (live->depth > 0) {
		live->free_pending = 1; /* live_process finishes the job */
		return;
	}
	live_destroy(live);
}

/*
 * dns_defer.h - a resolver that defers every new query once.
 *
 * The relay's resolver is asynchronous with a cache: the first time a name
 * is asked it answers DNS_PENDING and calls back later; once answered, the
 * same query is served from the cache at once. dns_defer wraps any resolver
 * (the zone-file one in tests) to behave that way without a network, so that
 * callers' re-run-on-answer logic (spf_check, dmarc_check) can be tested.
 *
 * Ownership: the caller owns struct dns_defer and the inner resolver; nothing
 * is allocated. Queries beyond DNS_DEFER_MAX distinct keys stay deferred.
 */
#ifndef SK_DNS_DEFER_H
#define SK_DNS_DEFER_H

#include <stddef.h>

#include "dns.h"

#define DNS_DEFER_MAX 64
#define DNS_DEFER_KEY_MAX (DNS_TEXT_NAME_MAX + 8)

struct dns_defer {
	struct dns_resolver inner;
	size_t nseen;
	size_t pending; /* queries answered DNS_PENDING so far */
	char seen[DNS_DEFER_MAX][DNS_DEFER_KEY_MAX];
};

/* dns_defer_resolver - the deferring resolver over d->inner */
struct dns_resolver dns_defer_resolver(struct dns_defer *d);
/* dns_defer_reset - forget every query seen: all are new again */
void dns_defer_reset(struct dns_defer *d);

#endif

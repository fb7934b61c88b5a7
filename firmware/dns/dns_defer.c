/*
 * dns_defer.c - a resolver that defers every new query once (dns_defer.h).
 */
#include <stdio.h>
#include <string.h>

#include "dns_defer.h"

/* dns_defer_query - DNS_PENDING the first time, the inner answer after */
static enum dns_status
dns_defer_query(void *arg, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *cbarg)
{
	struct dns_defer *d = arg;
	char key[DNS_DEFER_KEY_MAX];
	size_t i;

	snprintf(key, sizeof(key), "%d %s", (int)type, name);
	for (i = 0; i < d->nseen; i++) {
		if (strcmp(d->seen[i], key) == 0) {
			return d->inner.ops->query(d->inner.ctx, name, type,
			    ans, done, cbarg);
		}
	}
	if (d->nseen < DNS_DEFER_MAX) {
		memcpy(d->seen[d->nseen++], key, sizeof(key));
	}
	d->pending++;
	return DNS_PENDING;
}

static const struct dns_resolver_ops dns_defer_ops = {
	.name = "defer",
	.query = dns_defer_query,
	.cancel = NULL,
};

struct dns_resolver
dns_defer_resolver(struct dns_defer *d)
{
	struct dns_resolver r = { &dns_defer_ops, d };

	return r;
}

void
dns_defer_reset(struct dns_defer *d)
{
	d->nseen = 0;
	d->pending = 0;
}

/*
 * config_delivery.c - mail delivery (default TLS policy, connection
 * limits, smarthost, routes) into struct config.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

/* config_delivery_hop - the model's next-hop grouping under n */
static enum sk_result
config_delivery_hop(const struct lyd_node *n, struct config_next_hop *h,
    char *err, size_t errlen)
{
	const struct lyd_node *a = config_node_child(n, "authentication");
	unsigned long port;
	enum sk_result r;

	if ((r = config_node_str(n, "host", h->host, sizeof(h->host), err,
		 errlen)) != SK_OK ||
	    (r = config_node_uint(n, "port", UINT16_MAX, &port, err, errlen)) !=
		SK_OK ||
	    (r = config_node_str(n, "tls-policy", h->tls_policy,
		 sizeof(h->tls_policy), err, errlen)) != SK_OK) {
		return r;
	}
	h->port = (uint16_t)port;
	h->mx_lookup = config_node_bool(n, "mx-lookup", 0);
	h->implicit_tls = config_node_bool(n, "implicit-tls", 0);
	if (a == NULL) {
		return SK_OK;
	}
	h->auth = 1;
	if ((r = config_node_str(a, "username", h->username,
		 sizeof(h->username), err, errlen)) != SK_OK) {
		return r;
	}
	return config_node_str(a, "password", h->password, sizeof(h->password),
	    err, errlen);
}

/* config_delivery_limits - the two connection limits (with defaults) */
static enum sk_result
config_delivery_limits(const struct lyd_node *d, struct config_delivery *dl,
    char *err, size_t errlen)
{
	unsigned long per, total;
	enum sk_result r;

	if ((r = config_node_uint(d, "connections-per-destination", UINT16_MAX,
		 &per, err, errlen)) != SK_OK ||
	    (r = config_node_uint(d, "connections-total", UINT16_MAX, &total,
		 err, errlen)) != SK_OK) {
		return r;
	}
	dl->connections_per_destination = (uint16_t)per;
	dl->connections_total = (uint16_t)total;
	return SK_OK;
}

/* config_delivery_copy - mail delivery into cfg */
enum sk_result
config_delivery_copy(const struct lyd_node *mail, struct config *cfg, char *err,
    size_t errlen)
{
	const struct lyd_node *d = config_node_child(mail, "delivery");
	const struct lyd_node *sh = config_node_child(d, "smarthost");
	const struct lyd_node *n;
	struct config_delivery *dl = &cfg->delivery;
	size_t have = config_node_count(d, "route");
	struct config_route *rt;
	enum sk_result r;

	if ((r = config_node_str(d, "tls-policy", dl->tls_policy,
		 sizeof(dl->tls_policy), err, errlen)) != SK_OK ||
	    (r = config_delivery_limits(d, dl, err, errlen)) != SK_OK) {
		return r;
	}
	if (sh != NULL) {
		dl->smarthost_enabled = 1;
		r = config_delivery_hop(sh, &dl->smarthost, err, errlen);
		if (r != SK_OK) {
			return r;
		}
	}
	if (have > CONFIG_ROUTES_MAX) {
		return config_node_too_many(d, "route", have, CONFIG_ROUTES_MAX,
		    "CONFIG_ROUTES_MAX", err, errlen);
	}
	for (n = config_node_child(d, "route"); n != NULL;
	     n = config_node_next(n)) {
		rt = &dl->routes[dl->nroutes];
		if ((r = config_node_str(n, "domain", rt->domain,
			 sizeof(rt->domain), err, errlen)) != SK_OK ||
		    (r = config_delivery_hop(n, &rt->hop, err, errlen)) !=
			SK_OK) {
			return r;
		}
		rt->include_subdomains =
		    config_node_bool(n, "include-subdomains", 0);
		dl->nroutes++;
	}
	return SK_OK;
}

/*
 * tls_client.c - per-policy client contexts.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_client.h"
#include "tls_policy.h"

enum sk_result
tls_client_new_bundle(struct tls_client **out,
    const struct config_tls_policy *p, const char *bundle, char *err,
    size_t errlen)
{
	struct tls_client *c;
	enum sk_result r;
	size_t i;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "tls policy %s: out of memory", p->name);
		return SK_E_FULL;
	}
	c->mode = p->mode;
	c->min_version = p->min_version;
	c->ciphers = p->ciphers;
	for (i = 0; i < p->nmatch_names && i < CONFIG_MATCH_NAMES_MAX; i++) {
		snprintf(c->match[i], sizeof(c->match[i]), "%s",
		    p->match_names[i]);
	}
	c->nmatch = i;
	if (p->mode == CONFIG_TLS_VERIFY || bundle[0] != '\0') {
		r = tls_pem_anchors_file(&c->anchors,
		    bundle[0] != '\0' ? bundle : TLS_CA_BUNDLE_DEFAULT, err,
		    errlen);
		if (r != SK_OK) {
			tls_client_free(c);
			return r;
		}
	}
	*out = c;
	return SK_OK;
}

enum sk_result
tls_client_new(struct tls_client **out, const struct config_tls_policy *p,
    const char *root_dir, char *err, size_t errlen)
{
	char bundle[CONFIG_PATH_SIZE * 2] = "";

	*out = NULL;
	if (p->ca_bundle[0] != '\0' &&
	    tls_pem_path(root_dir, p->ca_bundle, bundle, sizeof(bundle)) !=
		SK_OK) {
		snprintf(err, errlen, "tls policy %s: ca-bundle path too long",
		    p->name);
		return SK_E_TOO_LONG;
	}
	return tls_client_new_bundle(out, p, bundle, err, errlen);
}

void
tls_client_default_policy(struct config_tls_policy *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "default");
	p->mode = CONFIG_TLS_MAY;
	p->min_version = CONFIG_TLS_1_2;
	p->ciphers = CONFIG_CIPHERS_COMPATIBLE;
}

void
tls_client_free(struct tls_client *c)
{
	if (c == NULL) {
		return;
	}
	tls_anchors_free(&c->anchors);
	free(c);
}

/* tls_client_is_literal - an IPv4 or IPv6 address, bracketed or not */
static int
tls_client_is_literal(const char *host)
{
	unsigned char addr[16];

	return host[0] == '[' || inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
}

const char *
tls_client_setup(struct tls_client *c, br_ssl_client_context *cc,
    struct tls_peer *peer, const char *host)
{
	int literal = tls_client_is_literal(host);
	size_t i;

	/* BearSSL's full client profile sets every algorithm; the policy
	 * then narrows versions and suites, and our engine replaces the
	 * X.509 one it installed (tls_peer.h says why). */
	br_ssl_client_init_full(cc, &peer->minimal, NULL, 0);
	tls_peer_init(peer, c->anchors.n > 0 ? &c->anchors : NULL,
	    c->mode == CONFIG_TLS_VERIFY);
	/* an address is not a DNS-ID: such a host needs match-names */
	if (!literal) {
		tls_peer_add_name(peer, host);
	}
	for (i = 0; i < c->nmatch; i++) {
		tls_peer_add_name(peer, c->match[i]);
	}
	br_ssl_engine_set_x509(&cc->eng, &peer->vtable);
	tls_policy_apply(&cc->eng, c->min_version, c->ciphers, 0);
	return literal ? NULL : host;
}

/*
 * tls_client.h - the TLS client side of one delivery policy (the model's
 * mail tls policy): mode, minimum version, cipher policy, trust anchors
 * and match-names.
 *
 *   none     no TLS: tls_conn_client refuses (the caller never starts it)
 *   may      TLS when offered (RFC 7435); the certificate is not required
 *            to verify; the caller falls back to plaintext if STARTTLS is
 *            not offered or the handshake fails
 *   encrypt  TLS required, certificate not required to verify
 *   verify   TLS required, and the certificate must chain to a trusted CA
 *            and name the host connected to or one of the match-names
 *            (RFC 6125, see tls_x509.h and tls_peer.h); a host given as
 *            an IP address is not a name: it verifies by match-names only
 *
 * Trust anchors are loaded for verify, and for may/encrypt only when the
 * policy names a bundle (then the logs can say whether the peer would have
 * verified). A policy without ca-bundle uses TLS_CA_BUNDLE_DEFAULT, the
 * bundle of the root filesystem (not under root_dir).
 *
 * Built once per policy at start (before chroot: it reads the bundle).
 * Ownership: tls_client_new allocates; exactly one tls_client_free, after
 * the last connection that uses the context was freed.
 */
#ifndef SK_TLS_CLIENT_H
#define SK_TLS_CLIENT_H

#include <stddef.h>

#include <bearssl.h>

#include "../config/config.h"
#include "sk.h"
#include "tls_peer.h"
#include "tls_pem.h"

#define TLS_CA_BUNDLE_DEFAULT "/etc/ssl/certs/ca-certificates.crt"

/* Fields are private to tls/ (tls_conn.c reads them). */
struct tls_client {
	enum config_tls_mode mode;
	enum config_tls_version min_version;
	enum config_ciphers ciphers;
	char match[CONFIG_MATCH_NAMES_MAX][CONFIG_DOMAIN_SIZE];
	size_t nmatch;
	struct tls_anchors anchors; /* n == 0 when none were loaded */
};

/*
 * tls_client_new - the context of policy p; a ca_bundle is a model path,
 * opened under root_dir. On failure *out is NULL and err names the file
 * and what is wrong with it (tls_pem.h).
 */
enum sk_result tls_client_new(struct tls_client **out,
    const struct config_tls_policy *p, const char *root_dir, char *err,
    size_t errlen);

/* tls_client_new_bundle - the same with a bundle file name given as is
 * ("" = TLS_CA_BUNDLE_DEFAULT; for tools and tests) */
enum sk_result tls_client_new_bundle(struct tls_client **out,
    const struct config_tls_policy *p, const char *bundle, char *err,
    size_t errlen);

/* tls_client_default_policy - the policy "default" of deliveries when
 * the config names none (the model's "mail delivery tls-policy"): may,
 * TLS 1.2 or newer, compatible ciphers, no CA bundle */
void tls_client_default_policy(struct config_tls_policy *p);

/* tls_client_free - NULL is fine */
void tls_client_free(struct tls_client *c);

/*
 * tls_client_setup - prepare cc and peer for one connection to host
 * (tls_conn.c): versions, suites, the X.509 engine with the accepted
 * names (host, then match-names; host must stay valid as long as the
 * connection). Returns the name to send as SNI (RFC 6066 3), or NULL
 * when host is an address literal, which SNI must not carry.
 */
const char *tls_client_setup(struct tls_client *c, br_ssl_client_context *cc,
    struct tls_peer *peer, const char *host);

#endif /* SK_TLS_CLIENT_H */

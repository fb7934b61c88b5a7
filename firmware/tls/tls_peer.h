/*
 * tls_peer.h - the X.509 engine our client gives BearSSL for a server's
 * certificate chain: br_x509_minimal, wrapped.
 *
 * Why a wrapper. BearSSL needs the server's public key to finish any
 * handshake (to check the ServerKeyExchange signature, or to encrypt the
 * premaster secret), and it gets it from the X.509 engine, which
 * normally also refuses chains it cannot verify. Policies "may" and
 * "encrypt" (RFC 7435 opportunistic security) must not refuse: most MX
 * hosts present certificates that no CA bundle and no name check would
 * accept, and refusing would send the mail in plaintext instead (may) or
 * not at all (encrypt). So the wrapper
 *   - feeds every certificate to br_x509_minimal (chain, dates, key
 *     usage, against the anchors, if any) and keeps its verdict;
 *   - keeps the leaf's DER (up to TLS_CERT_DER_MAX) and decodes it with
 *     br_x509_decoder, which yields the key whatever the chain looks
 *     like, and checks its names against the host and the policy's
 *     match-names (RFC 6125, tls_x509.h; br_x509_minimal checks one name
 *     only); a larger leaf has no name we accept, and its key is the one
 *     br_x509_minimal gives when the chain verified or lacks an anchor;
 *   - when enforcing (policy "verify"), fails the handshake on a chain
 *     error or a name mismatch, and hands out br_x509_minimal's key;
 *     otherwise it always hands out the leaf's key and only reports.
 *
 * Ownership: the caller owns struct tls_peer (about 22 KiB: it holds the
 * leaf) and keeps it, the anchors and the names alive while an engine
 * uses it. Nothing is allocated.
 */
#ifndef SK_TLS_PEER_H
#define SK_TLS_PEER_H

#include <stddef.h>

#include <bearssl.h>

#include "../config/config.h"
#include "tls_pem.h"

#define TLS_PEER_NAMES_MAX (1 + CONFIG_MATCH_NAMES_MAX) /* host + match */

struct tls_peer {
	const br_x509_class *vtable; /* first: BearSSL calls through it */
	br_x509_minimal_context minimal;
	br_x509_decoder_context leaf_dc;
	int enforce;  /* policy verify: refuse what does not verify */
	int anchored; /* anchors were given: the chain verdict means something
		       */
	const char *names[TLS_PEER_NAMES_MAX]; /* accepted names */
	size_t nnames;
	/* per chain */
	size_t certs;  /* certificates started so far */
	int chain_err; /* 0 when the chain verified, else BR_ERR_X509_* */
	int name_ok;   /* the leaf names one of names[] */
	int leaf_over; /* the leaf was larger than leaf[] */
	const br_x509_pkey *leaf_key; /* in leaf_dc, once the chain ended */
	size_t leaf_len;
	uint8_t leaf[TLS_CERT_DER_MAX];
};

/*
 * tls_peer_init - an engine over anchors (NULL or none: the chain cannot
 * verify), enforcing or not. br_ssl_engine_set_x509(eng, &p->vtable)
 * makes BearSSL use it.
 */
void tls_peer_init(struct tls_peer *p, const struct tls_anchors *anchors,
    int enforce);

/*
 * tls_peer_add_name - a name the certificate may carry: first the host
 * connected to, then the policy's match-names. The pointer is kept.
 * Names beyond TLS_PEER_NAMES_MAX are ignored.
 */
void tls_peer_add_name(struct tls_peer *p, const char *name);

/* tls_peer_verified - chain and name both checked out */
int tls_peer_verified(const struct tls_peer *p);

/*
 * tls_peer_reason - why the peer is or is not verified, for logs:
 * "verified", "not checked (no CA bundle)", "X509_NOT_TRUSTED: ...",
 * "certificate does not name mx.example.org".
 */
void tls_peer_reason(const struct tls_peer *p, char *out, size_t size);

/* tls_peer_vtable - the class, for tests and fuzzers */
extern const br_x509_class tls_peer_vtable;

#endif /* SK_TLS_PEER_H */

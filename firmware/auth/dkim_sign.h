/*
 * dkim_sign.h - DKIM signing (RFC 6376 5, RFC 8463): rsa-sha256 or
 * ed25519-sha256, relaxed/relaxed unless dkim_sign_canon says otherwise, the
 * header list of RFC 6376 5.4.1 with From, Subject, To, Cc, Date and Message-ID
 * over-signed (each listed once more than present, so none can be added without
 * breaking the signature).
 *
 * Keys: PEM PKCS#8 or PKCS#1 RSA (BearSSL's PEM and key decoders), PEM
 * PKCS#8 Ed25519 (RFC 8410: the 32-octet seed).  Secret material lives in
 * struct dkim_signkey; dkim_signkey_wipe() clears it.
 *
 * Shape: dkim_sign_init, dkim_sign_update (body chunks), dkim_sign_final
 * (the header section; writes the DKIM-Signature field, CRLF-terminated,
 * to prepend).  Ownership: the caller owns every struct; nothing is
 * allocated.
 */
#ifndef SK_DKIM_SIGN_H
#define SK_DKIM_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "dkim_canon.h"
#include "dkim_sig.h"

#define DKIM_SIGN_HEADER_MAX 4096 /* local: the DKIM-Signature we write */
#define DKIM_SIGN_COLS 78         /* RFC 5322 2.1.1: lines of 78 */
#define DKIM_PEM_DER_MAX 8192     /* local: a decoded private key */

struct dkim_signkey {
	enum dkim_alg alg; /* DKIM_ALG_RSA_SHA256 or DKIM_ALG_ED25519_SHA256 */
	unsigned bits;
	br_skey_decoder_context dc; /* RSA: the key points into it */
	uint8_t ed_sk[64];          /* libsodium form: seed then public */
	uint8_t ed_pk[32];
};

struct dkim_sign {
	const struct dkim_signkey *key;
	char d[DKIM_DOMAIN_MAX + 1];
	char s[DKIM_DOMAIN_MAX + 1];
	uint64_t now;
	const char *const *over; /* over-signed names; NULL: the default */
	size_t nover;
	uint64_t expire;                    /* x=, or 0 for none */
	enum dkim_canon_alg hcanon, bcanon; /* c=; relaxed/relaxed by init */
	struct dkim_body body;
};

/* dkim_signkey_pem - a PEM private key (the first key block in it) */
enum sk_result dkim_signkey_pem(struct dkim_signkey *k, const uint8_t *pem,
    size_t len);
/* dkim_signkey_ed25519 - an Ed25519 key from its 32-octet seed */
enum sk_result dkim_signkey_ed25519(struct dkim_signkey *k,
    const uint8_t seed[32]);
/* dkim_signkey_txt - the key record to publish, "v=DKIM1; k=..; p=..";
 * its length, or 0 when it does not fit or the RSA public exponent
 * cannot be proven (then no record is better than a broken one) */
size_t dkim_signkey_txt(const struct dkim_signkey *k, char *out, size_t max);
/* dkim_signkey_sign - the signature over a header hash (RFC 6376 3.7;
 * Ed25519: PureEdDSA over the SHA-256 hash, RFC 8463 3) in sig[max],
 * *siglen octets; SK_E_RANGE when it does not fit or RSA fails.  DKIM and
 * ARC (arc.c) sign through this one function. */
enum sk_result dkim_signkey_sign(const struct dkim_signkey *k,
    const uint8_t hh[32], uint8_t *sig, size_t max, size_t *siglen);
void dkim_signkey_wipe(struct dkim_signkey *k);

/* dkim_ed25519_pkcs8 - RFC 8410 PrivateKeyInfo DER of a seed (48 octets) */
#define DKIM_ED25519_PKCS8_LEN 48
void dkim_ed25519_pkcs8(const uint8_t seed[32],
    uint8_t out[DKIM_ED25519_PKCS8_LEN]);

void dkim_sign_init(struct dkim_sign *s, const struct dkim_signkey *key,
    const char *d, const char *sel, uint64_t now);
/* dkim_sign_options - after init: the over-signed header names (kept by
 * pointer until final; NULL: From, Subject, To, Cc, Date, Message-ID;
 * see dkim_sig_sign_hlist) and a lifetime in seconds for x= (0: none) */
void dkim_sign_options(struct dkim_sign *s, const char *const *over,
    size_t nover, uint64_t lifetime);
/* dkim_sign_canon - after init, before the first update: the c= tag,
 * header and body canonicalization (RFC 6376 3.4) */
void dkim_sign_canon(struct dkim_sign *s, enum dkim_canon_alg header,
    enum dkim_canon_alg body);
void dkim_sign_update(struct dkim_sign *s, const uint8_t *body, size_t len);
/* dkim_sign_final - SK_OK and the field in out; SK_E_TOO_LONG, SK_E_RANGE
 * (bad d= or s=), SK_E_SYNTAX (no header section) */
enum sk_result dkim_sign_final(struct dkim_sign *s, const uint8_t *hdr,
    size_t hlen, char *out, size_t max, size_t *outlen);

#endif /* SK_DKIM_SIGN_H */

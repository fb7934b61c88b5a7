/*
 * dkim_sig.h - DKIM-Signature tag lists and key records (RFC 6376 3.2,
 * 3.5, 3.6.1), base64 with folding white space (lib/base64.h,
 * BASE64_SKIP_WHITESPACE), and the small strict DER
 * reader for RSA public keys in p= (RFC 6376 3.6.1, RFC 3447 A.1.1).
 *
 * Untrusted input: the value of a DKIM-Signature header field (from any
 * sender) and a TXT record (from any DNS server).  The parsers are
 * sans-I/O: they read (buf, len), never modify it, never allocate, and
 * copy what they keep into the caller's struct, which then stands alone.
 *
 * Ownership: the caller owns struct dkim_sig and struct dkim_key.
 */
#ifndef SK_DKIM_SIG_H
#define SK_DKIM_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define DKIM_SIG_FIELD_MAX 16384 /* local limit: octets of a DKIM-Signature */
#define DKIM_DOMAIN_MAX 253      /* RFC 1035 2.3.4 presentation form */
#define DKIM_AUID_MAX 512        /* local limit: i= (local-part@domain) */
#define DKIM_B_MAX 512           /* RSA 4096 bits (RFC 8301 3.2) */
#define DKIM_BH_MAX 32           /* SHA-256 (RFC 6376 3.3) */
#define DKIM_H_NAMES_MAX 64      /* local limit: names in h= */
#define DKIM_H_TEXT_MAX 1024     /* local limit: octets of the names in h= */
#define DKIM_L_DIGITS_MAX 76     /* RFC 6376 3.5: l= is 1*76DIGIT */
#define DKIM_TIME_DIGITS_MAX 12  /* RFC 6376 3.5: t= and x= are 1*12DIGIT */
#define DKIM_KEY_P_MAX 1024      /* local limit: decoded p= (RSA 4096 is 550) */
#define DKIM_ED25519_PK_LEN 32   /* RFC 8463 4: raw public key in p= */
#define DKIM_ED25519_SIG_LEN 64  /* RFC 8032 5.1.6 */

enum dkim_alg {
	DKIM_ALG_RSA_SHA256 = 0,
	DKIM_ALG_ED25519_SHA256, /* RFC 8463 */
	DKIM_ALG_RSA_SHA1,       /* parsed, never accepted (RFC 8301 3.1) */
};

enum dkim_canon_alg {
	DKIM_CANON_SIMPLE = 0,
	DKIM_CANON_RELAXED,
};

/* what a tag list is: the same syntax serves three header fields */
enum dkim_sig_kind {
	DKIM_SIG_DKIM = 0, /* DKIM-Signature (RFC 6376 3.5) */
	DKIM_SIG_AMS,      /* ARC-Message-Signature (RFC 8617 4.1.2) */
	DKIM_SIG_AS,       /* ARC-Seal (RFC 8617 4.1.3) */
};

/* cv= of an ARC-Seal (RFC 8617 4.1.3, 4.4) */
enum dkim_arc_cv {
	DKIM_ARC_CV_NONE = 0,
	DKIM_ARC_CV_PASS,
	DKIM_ARC_CV_FAIL,
};

#define DKIM_ARC_INSTANCE_MAX 50 /* RFC 8617 4.2.1: i= is 1 to 50 */

enum dkim_key_type {
	DKIM_KEY_RSA = 0,
	DKIM_KEY_ED25519,
};

struct dkim_sig {
	enum dkim_alg alg;
	enum dkim_canon_alg hcanon; /* c= header part, default simple */
	enum dkim_canon_alg bcanon; /* c= body part, default simple */
	char d[DKIM_DOMAIN_MAX + 1];
	char s[DKIM_DOMAIN_MAX + 1];
	char i[DKIM_AUID_MAX + 1]; /* "@d" when absent (RFC 6376 3.5) */
	uint8_t b[DKIM_B_MAX];
	size_t blen;
	uint8_t bh[DKIM_BH_MAX];
	size_t bhlen;
	/* h=: names (as given) at h_off[k], h_len[k] in h_text */
	char h_text[DKIM_H_TEXT_MAX];
	uint16_t h_off[DKIM_H_NAMES_MAX];
	uint16_t h_len[DKIM_H_NAMES_MAX];
	size_t nh;
	int has_l, has_t, has_x;
	uint64_t l, t, x;
	/* position of the b= tag value in the parsed buffer (for 3.7: the
	 * value is hashed as empty) */
	size_t b_val_off;
	size_t b_val_len;
	/* ARC only: i= is the instance (then sig.i is "@d"), cv= of a seal */
	unsigned instance;
	enum dkim_arc_cv cv;
	const char *err; /* why parsing failed, a static string */
};

struct dkim_key {
	enum dkim_key_type k;
	int revoked;   /* p= empty (RFC 6376 3.6.1) */
	int testing;   /* t=y */
	int strict;    /* t=s: i= domain must equal d= */
	int sha256_ok; /* h= absent or lists sha256 */
	uint8_t p[DKIM_KEY_P_MAX];
	size_t plen;
	const char *err;
};

/* dkim_sig_parse - parse a DKIM-Signature value (after the colon).
 * SK_OK, or SK_E_SYNTAX / SK_E_TOO_LONG / SK_E_RANGE / SK_E_UNKNOWN with
 * sig->err set: all of them make the signature a permerror. */
enum sk_result dkim_sig_parse(struct dkim_sig *sig, const uint8_t *buf,
    size_t len);

/* dkim_sig_parse_kind - the same for an ARC-Message-Signature (no v=,
 * i= is the instance 1..50; RFC 8617 4.1.2) or an ARC-Seal (i=, cv=, a=,
 * b=, d=, s= required, t= optional, h= forbidden, other DKIM tags not
 * used; RFC 8617 4.1.3) */
enum sk_result dkim_sig_parse_kind(struct dkim_sig *sig, const uint8_t *buf,
    size_t len, enum dkim_sig_kind kind);

/* dkim_sig_sign_hlist - the h= list a signer uses for the header section
 * hdr, into sig's h_text/h_off/h_len/nh: the RFC 6376 5.4.1 fields
 * present, and the over-signed ones once more than present (RFC 6376
 * 8.15). over[0..nover) names them (lower case; a name outside 5.4.1 is
 * signed too); over NULL: From, Subject, To, Cc, Date and Message-ID */
enum sk_result dkim_sig_sign_hlist(struct dkim_sig *sig, const uint8_t *hdr,
    size_t hlen, const char *const *over, size_t nover);

/* dkim_key_parse - parse a key record (the TXT strings concatenated).
 * SK_OK (also for a revoked key: key->revoked), else key->err. */
enum sk_result dkim_key_parse(struct dkim_key *key, const uint8_t *buf,
    size_t len);

/* An RSA public key found in DER: pointers into the caller's buffer. */
struct dkim_rsa_pub {
	const uint8_t *n; /* modulus, no leading zero octets */
	size_t nlen;
	const uint8_t *e;
	size_t elen;
	unsigned bits;
};

/* dkim_der_rsa_pub - SubjectPublicKeyInfo (RFC 5280 4.1) with
 * rsaEncryption, or a bare RSAPublicKey (RFC 3447 A.1.1), strict DER */
enum sk_result dkim_der_rsa_pub(const uint8_t *der, size_t len,
    struct dkim_rsa_pub *pub);

/* DER reading, shared with the key loader of dkim_sign.c */
struct dkim_der {
	const uint8_t *p;
	size_t len;
};

/* dkim_der_get - the next element of tag tag in *d: its contents in *out */
enum sk_result dkim_der_get(struct dkim_der *d, uint8_t tag,
    struct dkim_der *out);

#endif /* SK_DKIM_SIG_H */

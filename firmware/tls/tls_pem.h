/*
 * tls_pem.h - certificates, private keys and CA bundles from PEM files.
 *
 * Parsers are sans-I/O over (pem, len): tls_pem_chain, tls_pem_key and
 * tls_pem_anchors decode with BearSSL (br_pem_decoder, br_x509_decoder,
 * br_skey_decoder) and never read out of bounds; the *_file functions
 * read a file whole after checking its size, then call them. Every
 * failure fills err with one line that names the file (the "what"
 * argument of the parsers) and what is wrong with it.
 *
 * Ownership:
 *   - struct tls_chain and struct tls_key are plain caller-owned values
 *     (about 34 KiB and 2 KiB) with pointers into themselves: never copy
 *     one with memcpy or assignment; tls_key_wipe clears key material.
 *   - struct tls_anchors is caller-owned; tls_pem_anchors allocates its
 *     two arrays (bounded by TLS_CA_MAX and the file size) and
 *     tls_anchors_free releases them. The anchors stay valid, and must
 *     stay in place, as long as any engine uses them.
 *
 * Accepted: certificates "CERTIFICATE" (leaf first, then intermediates);
 * keys "RSA PRIVATE KEY" (PKCS#1), "EC PRIVATE KEY" (SEC 1, named curve)
 * and "PRIVATE KEY" (PKCS#8) of RSA (2048 to 4096 bits) or ECDSA (P-256,
 * P-384). Other PEM objects ("EC PARAMETERS"...) are skipped.
 */
#ifndef SK_TLS_PEM_H
#define SK_TLS_PEM_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "sk.h"

/* Local limits, each enforced where the input is read. */
#define TLS_PEM_FILE_MAX (64u * 1024)     /* chain or key file */
#define TLS_PEM_BUNDLE_MAX (1024u * 1024) /* CA bundle (Debian's: ~220 KiB) */
#define TLS_CERT_DER_MAX 16384            /* one certificate, decoded */
#define TLS_CHAIN_MAX 8                   /* leaf + 7 intermediates */
#define TLS_CHAIN_DER_MAX 32768           /* the whole chain, decoded */
#define TLS_KEY_DER_MAX 4096              /* a private key, decoded */
#define TLS_CA_MAX 512                    /* certificates in a CA bundle */
#define TLS_RSA_MIN_BITS 2048             /* RFC 9325 4.5; NIST SP 800-131A */
#define TLS_RSA_MAX_BITS 4096             /* BR_MAX_RSA_SIZE */
#define TLS_PEM_ERR_MAX 320               /* a comfortable err buffer */

/* Room for the private parts of a 4096-bit RSA key (5 halves of n). */
#define TLS_KEY_BUF_MAX BR_RSA_KBUF_PRIV_SIZE(TLS_RSA_MAX_BITS)

struct tls_chain {
	br_x509_certificate certs[TLS_CHAIN_MAX]; /* data points into der */
	size_t n;
	int key_type;        /* leaf's key: BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	int signer_key_type; /* the key type that signed the leaf */
	unsigned key_bits;   /* RSA modulus bits, or the curve's size */
	int curve;           /* BR_EC_secp256r1... (EC only) */
	size_t len;
	uint8_t der[TLS_CHAIN_DER_MAX];
	/* the leaf's public key, for tls_pem_key_matches */
	uint8_t pub[BR_X509_BUFSIZE_KEY];
	size_t pub_len, e_len; /* RSA: n then e in pub; EC: the point */
};

struct tls_key {
	int type;               /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	unsigned bits;          /* RSA modulus bits, or the curve's size */
	br_rsa_private_key rsa; /* RSA: points into buf */
	br_ec_private_key ec;   /* EC: points into buf */
	uint8_t buf[TLS_KEY_BUF_MAX];
};

struct tls_anchors {
	br_x509_trust_anchor *ta; /* n entries (malloc) */
	size_t n;
	size_t skipped; /* certificates BearSSL cannot use as anchors */
	uint8_t *pool;  /* names and keys the entries point to (malloc) */
	size_t used, cap;
};

/*
 * tls_pem_chain - the certificates of a PEM text, in file order.
 * SK_E_SYNTAX (not PEM, no certificate, a certificate BearSSL cannot
 * decode), SK_E_TOO_LONG (over TLS_CHAIN_MAX, a certificate over
 * TLS_CERT_DER_MAX, or the chain over TLS_CHAIN_DER_MAX), SK_E_UNKNOWN
 * (leaf key neither RSA nor a supported curve), SK_E_RANGE (RSA key
 * outside TLS_RSA_MIN_BITS..TLS_RSA_MAX_BITS).
 */
enum sk_result tls_pem_chain(struct tls_chain *c, const uint8_t *pem,
    size_t len, const char *what, char *err, size_t errlen);

/*
 * tls_pem_key - the first private key of a PEM text. Errors as for
 * tls_pem_chain; an encrypted key is SK_E_UNKNOWN (the box has no one to
 * type a passphrase). On failure *k holds no key material.
 */
enum sk_result tls_pem_key(struct tls_key *k, const uint8_t *pem, size_t len,
    const char *what, char *err, size_t errlen);

/*
 * tls_pem_key_matches - SK_OK if k is the private half of the leaf's
 * public key (modulus and exponent, or curve and point, recomputed from
 * the private key), else SK_E_RANGE with err naming both files.
 */
enum sk_result tls_pem_key_matches(const struct tls_key *k,
    const struct tls_chain *c, const char *key_what, const char *cert_what,
    char *err, size_t errlen);

/*
 * tls_pem_anchors - trust anchors from the certificates of a PEM text
 * (a CA bundle). Certificates BearSSL cannot use (unsupported key type
 * or size) are counted in skipped, not fatal; none usable is SK_E_SYNTAX,
 * more than TLS_CA_MAX certificates SK_E_TOO_LONG. On success a->ta and
 * a->pool are allocated: free them with tls_anchors_free.
 */
enum sk_result tls_pem_anchors(struct tls_anchors *a, const uint8_t *pem,
    size_t len, const char *what, char *err, size_t errlen);
void tls_anchors_free(struct tls_anchors *a);

/*
 * tls_pem_read_file - the contents of the regular file at path, at most
 * max octets, into a new allocation *out (free it; wipe it first when it
 * held a key). SK_E_IO (cannot open or read), SK_E_TOO_LONG (over max).
 */
enum sk_result tls_pem_read_file(const char *path, size_t max, uint8_t **out,
    size_t *len, char *err, size_t errlen);

/* tls_pem_chain_file, tls_pem_key_file, tls_pem_anchors_file - the same
 * over a file (TLS_PEM_FILE_MAX; TLS_PEM_BUNDLE_MAX for CA bundles) */
enum sk_result tls_pem_chain_file(struct tls_chain *c, const char *path,
    char *err, size_t errlen);
enum sk_result tls_pem_key_file(struct tls_key *k, const char *path, char *err,
    size_t errlen);
enum sk_result tls_pem_anchors_file(struct tls_anchors *a, const char *path,
    char *err, size_t errlen);

/*
 * tls_pem_path - a model path ("/config/tls/a.crt") as a file name on
 * this system, under root ("/" on the box, a private folder on a host
 * run; "" leaves the path as it is). SK_E_TOO_LONG if it does not fit
 * out[size].
 */
enum sk_result tls_pem_path(const char *root, const char *model_path, char *out,
    size_t size);

/* tls_key_wipe - clear every octet of a key */
void tls_key_wipe(struct tls_key *k);

#endif /* SK_TLS_PEM_H */

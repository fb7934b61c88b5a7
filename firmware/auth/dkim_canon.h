/*
 * dkim_canon.h - DKIM canonicalization (RFC 6376 3.4) into SHA-256.
 *
 * Header fields are canonicalized one at a time straight into a hash; the
 * body canonicalizer streams (init / update / final, as BearSSL's hashes):
 * chunks may split lines, CRLFs and white space runs anywhere, and trailing
 * empty lines are held back as a count until content or the end shows
 * whether they are trailing (3.4.3, 3.4.4).  l= (3.5) limits the octets
 * hashed; the total canonical length is counted beyond it.
 *
 * Input is a message with CRLF line ends (RFC 5322 2.1); a CR or LF that is
 * no part of a CRLF is content.  Ownership: the caller owns every context;
 * nothing is allocated.
 */
#ifndef SK_DKIM_CANON_H
#define SK_DKIM_CANON_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "dkim_sig.h"

#define DKIM_CANON_BUF 512 /* local: output batched before hashing */

/* a SHA-256 fed through a small buffer */
struct dkim_hash {
	br_sha256_context sha;
	uint64_t total; /* octets produced (also those beyond the limit) */
	uint64_t limit; /* octets hashed at most */
	size_t n;
	uint8_t buf[DKIM_CANON_BUF];
};

struct dkim_body {
	struct dkim_hash h;
	enum dkim_canon_alg canon;
	uint64_t crlf; /* empty lines held back */
	int cr;        /* the last octet was a CR */
	int wsp;       /* relaxed: white space held back */
	int any;       /* some content was produced */
};

/* dkim_body_init - limit is l= or UINT64_MAX */
void dkim_body_init(struct dkim_body *b, enum dkim_canon_alg c, uint64_t limit);
void dkim_body_update(struct dkim_body *b, const uint8_t *p, size_t len);
/* dkim_body_final - the body hash; *total is the canonical body length */
void dkim_body_final(struct dkim_body *b, uint8_t out[32], uint64_t *total);

void dkim_hash_init(struct dkim_hash *h);
void dkim_hash_update(struct dkim_hash *h, const uint8_t *p, size_t len);
void dkim_hash_final(struct dkim_hash *h, uint8_t out[32]);

/*
 * dkim_canon_header - canonicalize one header field (name, colon, value,
 * the CRLF ending it) into h.  skip_off/skip_len: octets of the field left
 * out (the b= value of the signature being checked, RFC 6376 3.7), 0/0 for
 * none; with crlf == 0 the final CRLF is not hashed (the DKIM-Signature
 * field itself, 3.7).
 */
void dkim_canon_header(struct dkim_hash *h, enum dkim_canon_alg c,
    const uint8_t *field, size_t len, size_t skip_off, size_t skip_len,
    int crlf);

#endif /* SK_DKIM_CANON_H */

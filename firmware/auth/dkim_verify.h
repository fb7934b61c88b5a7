/*
 * dkim_verify.h - verify every DKIM signature of a message (RFC 6376 6,
 * RFC 8301, RFC 8463).
 *
 * Untrusted input: the whole message and the key records from DNS.
 *
 * Shape (streaming, sans-I/O):
 *   dkim_verify_init(v, now)
 *   dkim_verify_headers(v, hdr, len)   the header section; every signature
 *                                      is parsed and its header hash taken
 *                                      here, so hdr need not live on
 *   dkim_verify_keys(v, resolver)      TXT s._domainkey.d per signature;
 *                                      DKIM_PENDING with an asynchronous
 *                                      resolver: call again on the answer
 *                                      (or hand in records yourself with
 *                                      dkim_verify_key_query/_key_set)
 *   dkim_verify_update(v, body, len)   any number of chunks, any time
 *                                      after dkim_verify_headers
 *   dkim_verify_final(v)               results in v->sig[0 .. nsig-1]
 *
 * Results are the words of RFC 8601 2.7.1.  The rules (README.md):
 * permerror for anything that stops evaluation for good (syntax, missing
 * key, revoked key, unacceptable algorithm or key size: rsa-sha1 and RSA
 * keys outside 1024..4096 bits, RFC 8301 3.1, 3.2); temperror when DNS
 * fails; fail when a hash or signature does not match, and when the body
 * has content beyond l= (not covered, so not trusted); policy for an
 * expired signature (x= before now); pass otherwise.
 *
 * Ownership: the caller owns struct dkim_verify (about 40 KiB; make it
 * static or heap); nothing is allocated; no pointer into the message is
 * kept after a call returns.
 */
#ifndef SK_DKIM_VERIFY_H
#define SK_DKIM_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "../dns/dns.h"
#include "dkim_canon.h"
#include "dkim_sig.h"

#define DKIM_VERIFY_SIGS_MAX                                        \
	8                      /* local limit: signatures evaluated \
				* (RFC 6376 6.1: verifiers MAY limit) */
#define DKIM_RSA_BITS_MIN 1024 /* RFC 8301 3.2 */
#define DKIM_RSA_BITS_MAX 4096 /* RFC 8301 3.2 */
#define DKIM_KEY_NAME_MAX (DNS_TEXT_NAME_MAX + 1)

enum dkim_result {
	DKIM_NONE = 0, /* not evaluated yet */
	DKIM_PASS,
	DKIM_FAIL,
	DKIM_NEUTRAL,
	DKIM_TEMPERROR,
	DKIM_PERMERROR,
	DKIM_POLICY,
	DKIM_PENDING, /* dkim_verify_keys only: re-run on the answer */
};

/* the header fields whose coverage the replay rules look at */
enum dkim_watch {
	DKIM_W_FROM = 1 << 0,
	DKIM_W_TO = 1 << 1,
	DKIM_W_CC = 1 << 2,
	DKIM_W_SUBJECT = 1 << 3,
	DKIM_W_DATE = 1 << 4,
	DKIM_W_MESSAGE_ID = 1 << 5,
};

struct dkim_vsig {
	struct dkim_sig sig;
	enum dkim_result result;
	const char *reason; /* a static string */
	int parsed;         /* sig is valid */
	int key_done;       /* key looked up (or failed) */
	int key_ok;         /* key parsed and acceptable */
	struct dkim_key key;
	unsigned key_bits;
	uint8_t hhash[32]; /* the header hash (RFC 6376 3.7) */
	struct dkim_body body;
	unsigned covered;    /* enum dkim_watch: present fields in h= */
	unsigned oversigned; /* in h= more often than present */
	int testing;         /* the key has t=y */
};

struct dkim_verify {
	uint64_t now;
	int crypto_ok; /* libsodium initialized */
	size_t nsig;
	size_t nskipped; /* signatures beyond DKIM_VERIFY_SIGS_MAX */
	struct dkim_vsig sig[DKIM_VERIFY_SIGS_MAX];
	struct dns_answer ans;
	char qname[DKIM_KEY_NAME_MAX + 1];
};

void dkim_verify_init(struct dkim_verify *v, uint64_t now);

/* dkim_verify_headers - the header section (CRLF lines, without the empty
 * line); SK_E_SYNTAX when it is no header section (every signature found
 * so far stays, the message has no valid structure) */
enum sk_result dkim_verify_headers(struct dkim_verify *v, const uint8_t *hdr,
    size_t len);

/* dkim_verify_key_query - the TXT name for signature i into out; 0 if the
 * signature needs no key (already decided) */
int dkim_verify_key_query(struct dkim_verify *v, size_t i, char *out,
    size_t max);

/* dkim_verify_key_set - the DNS outcome for signature i: an answer's
 * status and, for DNS_ANSWER, its TXT records */
void dkim_verify_key_set(struct dkim_verify *v, size_t i,
    const struct dns_answer *ans);

/* dkim_verify_keys - look up every key through r */
enum dkim_result dkim_verify_keys(struct dkim_verify *v,
    const struct dns_resolver *r);

void dkim_verify_update(struct dkim_verify *v, const uint8_t *body, size_t len);
void dkim_verify_final(struct dkim_verify *v);

const char *dkim_result_str(enum dkim_result r);

/* dkim_hash_fields - hash the fields sig's h= names (RFC 6376 5.4.2) */
void dkim_hash_fields(struct dkim_hash *h, const struct dkim_sig *sig,
    const uint8_t *hdr, size_t len);

/* dkim_header_next - split a header section: the field at *pos (with its
 * CRLF) into *field and *flen; SK_END at the end, SK_E_SYNTAX when a line
 * has no colon or starts with white space at the top */
enum sk_result dkim_header_next(const uint8_t *hdr, size_t len, size_t *pos,
    const uint8_t **field, size_t *flen);

/*
 * One signature's steps, shared with ARC (arc.c), whose seals and message
 * signatures are DKIM signatures in all but name and header selection.
 */
/* dkim_vsig_decide - set the result, unless one is set already */
void dkim_vsig_decide(struct dkim_vsig *s, enum dkim_result r, const char *why);
/* dkim_vsig_hash_headers - the header hash of s->sig over hdr, with the
 * signature field self (b= value at b_off) last, into s->hhash */
void dkim_vsig_hash_headers(struct dkim_vsig *s, const uint8_t *hdr, size_t len,
    const uint8_t *self, size_t selflen, size_t b_off);
/* dkim_vsig_key_query - the key's TXT name into out; 0 when none needed */
int dkim_vsig_key_query(struct dkim_vsig *s, char *out, size_t max);
/* dkim_vsig_key_set - the DNS outcome for the key */
void dkim_vsig_key_set(struct dkim_vsig *s, const struct dns_answer *ans);
/* dkim_vsig_final - decide: body hash (when body is set; s->body was fed)
 * and the signature over s->hhash */
void dkim_vsig_final(struct dkim_vsig *s, int crypto_ok, int body);

/* dkim_header_is - the field's name is name (ASCII case-insensitive) */
int dkim_header_is(const uint8_t *field, size_t flen, const char *name,
    size_t nlen);

#endif /* SK_DKIM_VERIFY_H */

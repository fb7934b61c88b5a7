/*
 * arc.h - Authenticated Received Chain (RFC 8617): verify the ARC sets of
 * a message, and seal a message with the next set.
 *
 * Untrusted input: the whole message (its ARC-Authentication-Results,
 * ARC-Message-Signature and ARC-Seal fields, and every field an AMS signs)
 * and the key records from DNS.
 *
 * Verify (streaming, sans-I/O, the shape of dkim_verify.h):
 *   arc_verify_init(v, now)
 *   arc_verify_headers(v, hdr, len)   every ARC field is parsed, the
 *                                     structure checked, and every AMS and
 *                                     AS header hash taken here, so hdr
 *                                     need not live on
 *   arc_verify_keys(v, resolver)      TXT s._domainkey.d of every AMS and
 *                                     AS; ARC_PENDING with an asynchronous
 *                                     resolver: call again on the answer
 *   arc_verify_update(v, body, len)   body chunks, any split
 *   arc_verify_final(v)               v->result, v->oldest_pass, v->reason
 *
 * Seal (after verifying the same message; the cv= comes from v):
 *   arc_seal_init(s, key, d, selector, now)
 *   arc_seal_update(s, body, len)
 *   arc_seal_final(s, v, hdr, hlen, ar, arlen, out, max, &outlen)
 *       out: "ARC-Seal: ..CRLF ARC-Message-Signature: ..CRLF
 *       ARC-Authentication-Results: ..CRLF", to prepend in that order.
 *
 * Ownership: the caller owns every struct (struct arc_verify is about
 * 560 KiB, struct arc_seal about 60 KiB: heap-allocate them); nothing is
 * allocated; no pointer into the message is kept after a call returns.
 */
#ifndef SK_ARC_H
#define SK_ARC_H

#include <stddef.h>
#include <stdint.h>

#include "../dns/dns.h"
#include "authres.h"
#include "dkim_sign.h"
#include "dkim_verify.h"

#define ARC_SETS_MAX DKIM_ARC_INSTANCE_MAX /* RFC 8617 4.2.1: 50 */
/* local limit: ARC fields looked at; more cannot form a valid chain */
#define ARC_FIELDS_MAX (3 * ARC_SETS_MAX)
#define ARC_SEAL_MAX 16384 /* local: the three fields we write */

enum arc_result {
	ARC_NONE = 0, /* no ARC field at all (RFC 8617 4.4 "none") */
	ARC_PASS,
	ARC_FAIL,
	ARC_PENDING, /* arc_verify_keys only: re-run on the answer */
};

struct arc_set {
	unsigned naar, nams, nas; /* fields seen with this instance */
	int aar_ok;               /* the AAR's A-R payload parsed strictly */
	char aar_id[AUTHRES_ID_MAX + 1];
	struct dkim_vsig ams;
	struct dkim_vsig as;
	/* during arc_verify_headers only: where the fields are */
	size_t aar_off, aar_len, ams_off, ams_len, as_off, as_len, as_boff;
};

struct arc_verify {
	uint64_t now;
	int crypto_ok;
	enum arc_result result; /* ARC_NONE until decided, or no chain */
	const char *reason;     /* a static string */
	int decided;            /* result is final (after final or early) */
	unsigned nsets;         /* N: the highest instance seen */
	unsigned nfields;       /* ARC fields seen */
	int oldest_pass_known;  /* a pass: oldest_pass is meaningful */
	unsigned oldest_pass;   /* RFC 8617 5.2 step 6: 0 when every AMS
				 * verifies, else the oldest instance from
				 * which all AMS up to N verify */
	int temperror;          /* a key lookup failed for now: a fail may
				 * be transient */
	unsigned ready; /* set[0..ready) are cleared (arc_set_at in arc.c) */
	struct arc_set set[ARC_SETS_MAX]; /* set[k] is instance k + 1 */
	struct authres ar;                /* scratch for AAR payloads */
	struct dkim_sig scratch;
	struct dns_answer ans;
	char qname[DKIM_KEY_NAME_MAX + 1];
};

void arc_verify_init(struct arc_verify *v, uint64_t now);
/* arc_verify_headers - the header section (CRLF lines, no empty line);
 * SK_E_SYNTAX when it is no header section (the chain then fails) */
enum sk_result arc_verify_headers(struct arc_verify *v, const uint8_t *hdr,
    size_t len);
enum arc_result arc_verify_keys(struct arc_verify *v,
    const struct dns_resolver *r);
void arc_verify_update(struct arc_verify *v, const uint8_t *body, size_t len);
void arc_verify_final(struct arc_verify *v);

const char *arc_result_str(enum arc_result r);

/* arc_trusted_pass - the chain passed and its newest seal (the ARC-Seal
 * of instance N, the sealer that handed the message on) has a d= in
 * domains (ASCII case-insensitive, exact): the DMARC step may then
 * override a DMARC fail by local policy (RFC 7489 6.7, RFC 8617 7.2) */
int arc_trusted_pass(const struct arc_verify *v, const char *const *domains,
    size_t ndomains);

struct arc_seal {
	struct dkim_sign sign;   /* key, d=, s=, t= and the body hash */
	struct dkim_sig sig;     /* scratch: our h= list, fields' instances */
	struct authres ar;       /* scratch: the A-R we seal */
	char sets[ARC_SEAL_MAX]; /* scratch: our AAR and AMS */
};

void arc_seal_init(struct arc_seal *s, const struct dkim_signkey *key,
    const char *d, const char *sel, uint64_t now);
void arc_seal_update(struct arc_seal *s, const uint8_t *body, size_t len);
/*
 * arc_seal_final - the next ARC set for the message whose header section
 * is hdr, verified into v (arc_verify_final done).  ar is the A-R field
 * (or its value) the box produced for the message, with an arc= result.
 * cv= is v's result; with cv=fail the seal covers only the new set (RFC
 * 8617 5.1.2).  SK_OK and the fields in out; SK_E_RANGE when the chain
 * already has 50 sets (or the key cannot sign), SK_E_SYNTAX for a bad ar
 * or header section or an undecided v, SK_E_TOO_LONG when out is short.
 */
enum sk_result arc_seal_final(struct arc_seal *s, const struct arc_verify *v,
    const uint8_t *hdr, size_t hlen, const char *ar, size_t arlen, char *out,
    size_t max, size_t *outlen);

#endif /* SK_ARC_H */

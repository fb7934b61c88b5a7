/*
 * dkim_verify.c - DKIM verification (RFC 6376 6.1): signatures, header
 * hashes, key lookup, body hashes, RSA (BearSSL) and Ed25519 (libsodium).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "dkim_verify.h"
#include "rsa_fast.h"

static const char *const dkim_result_names[] = {
	[DKIM_NONE] = "none",
	[DKIM_PASS] = "pass",
	[DKIM_FAIL] = "fail",
	[DKIM_NEUTRAL] = "neutral",
	[DKIM_TEMPERROR] = "temperror",
	[DKIM_PERMERROR] = "permerror",
	[DKIM_POLICY] = "policy",
	[DKIM_PENDING] = "pending",
};

const char *
dkim_result_str(enum dkim_result r)
{
	if ((size_t)r >= SK_NELEM(dkim_result_names)) {
		return "?";
	}
	return dkim_result_names[r];
}

static const struct {
	const char *name;
	unsigned bit;
} dkim_watched[] = {
	{ "from", DKIM_W_FROM },
	{ "to", DKIM_W_TO },
	{ "cc", DKIM_W_CC },
	{ "subject", DKIM_W_SUBJECT },
	{ "date", DKIM_W_DATE },
	{ "message-id", DKIM_W_MESSAGE_ID },
};

void
dkim_verify_init(struct dkim_verify *v, uint64_t now)
{
	memset(v, 0, sizeof(*v));
	v->now = now;
	/* idempotent; picks the implementations; -1 only when the system
	 * gives no randomness, which verifying does not use, but then we do
	 * not trust the library's state either */
	v->crypto_ok = sodium_init() >= 0;
}

/* dkim_header_next - the next field of a header section (RFC 5322 2.2) */
enum sk_result
dkim_header_next(const uint8_t *hdr, size_t len, size_t *pos,
    const uint8_t **field, size_t *flen)
{
	size_t i = *pos;

	if (i >= len) {
		return SK_END;
	}
	if (hdr[i] == ' ' || hdr[i] == '\t' || hdr[i] == ':') {
		return SK_E_SYNTAX;
	}
	for (;;) {
		const uint8_t *lf = memchr(hdr + i, '\n', len - i);

		i = lf != NULL ? (size_t)(lf - hdr) + 1 : len;
		if (i >= len || (hdr[i] != ' ' && hdr[i] != '\t')) {
			break; /* the next line is no continuation */
		}
	}
	*field = hdr + *pos;
	*flen = i - *pos;
	*pos = i;
	return memchr(*field, ':', *flen) != NULL ? SK_OK : SK_E_SYNTAX;
}

/* dkim_header_is - field name equals name (RFC 5322 3.6.8, any case) */
int
dkim_header_is(const uint8_t *field, size_t flen, const char *name, size_t nlen)
{
	size_t i = nlen;

	if (flen <= nlen || strncasecmp((const char *)field, name, nlen) != 0) {
		return 0;
	}
	while (i < flen && (field[i] == ' ' || field[i] == '\t')) {
		i++; /* RFC 5322 4.5: obsolete WSP before the colon */
	}
	return i < flen && field[i] == ':';
}

void
dkim_vsig_decide(struct dkim_vsig *s, enum dkim_result r, const char *why)
{
	if (s->result == DKIM_NONE) {
		s->result = r;
		s->reason = why;
	}
}

/* dkim_hash_fields - RFC 6376 5.4.2: the fields named in sig's h=, each
 * name taking the next instance from the bottom */
void
dkim_hash_fields(struct dkim_hash *h, const struct dkim_sig *sig,
    const uint8_t *hdr, size_t len)
{
	const uint8_t *f, *pick;
	size_t k, j, pos, flen, picklen, want, seen, present;

	for (k = 0; k < sig->nh; k++) {
		const char *name = sig->h_text + sig->h_off[k];
		size_t nl = sig->h_len[k];

		/* this is occurrence number want (from the bottom) */
		want = 0;
		for (j = 0; j < k; j++) {
			want += sig->h_len[j] == nl &&
			    strncasecmp(sig->h_text + sig->h_off[j], name,
				nl) == 0;
		}
		present = 0;
		pos = 0;
		while (dkim_header_next(hdr, len, &pos, &f, &flen) == SK_OK) {
			present += dkim_header_is(f, flen, name, nl);
		}
		if (want >= present) {
			continue; /* 5.4.2: a nonexistent field hashes as null
				   */
		}
		seen = 0;
		pos = 0;
		pick = NULL;
		picklen = 0;
		while (dkim_header_next(hdr, len, &pos, &f, &flen) == SK_OK) {
			if (dkim_header_is(f, flen, name, nl) &&
			    ++seen == present - want) {
				pick = f;
				picklen = flen;
				break;
			}
		}
		if (pick != NULL) {
			dkim_canon_header(h, sig->hcanon, pick, picklen, 0, 0,
			    1);
		}
	}
}

/* dkim_vsig_hash_headers - the h= fields, then the signature itself with
 * b= empty and no final CRLF (RFC 6376 3.7); and the coverage of watched
 * fields */
void
dkim_vsig_hash_headers(struct dkim_vsig *s, const uint8_t *hdr, size_t len,
    const uint8_t *self, size_t selflen, size_t b_off)
{
	const struct dkim_sig *sig = &s->sig;
	struct dkim_hash h;
	const uint8_t *f;
	size_t k, j, pos, flen, present, listed;

	dkim_hash_init(&h);
	dkim_hash_fields(&h, sig, hdr, len);
	dkim_canon_header(&h, sig->hcanon, self, selflen, b_off, sig->b_val_len,
	    0);
	dkim_hash_final(&h, s->hhash);

	/* coverage of the fields the replay rules watch */
	for (j = 0; j < SK_NELEM(dkim_watched); j++) {
		size_t nl = strlen(dkim_watched[j].name);

		listed = 0;
		for (k = 0; k < sig->nh; k++) {
			listed += sig->h_len[k] == nl &&
			    strncasecmp(sig->h_text + sig->h_off[k],
				dkim_watched[j].name, nl) == 0;
		}
		present = 0;
		pos = 0;
		while (dkim_header_next(hdr, len, &pos, &f, &flen) == SK_OK) {
			present +=
			    dkim_header_is(f, flen, dkim_watched[j].name, nl);
		}
		if (listed > 0 && present > 0) {
			s->covered |= dkim_watched[j].bit;
		}
		if (listed > present) {
			s->oversigned |= dkim_watched[j].bit;
		}
	}
}

/* dkim_verify_sig_field - one DKIM-Signature field */
static void
dkim_verify_sig_field(struct dkim_verify *v, const uint8_t *hdr, size_t len,
    const uint8_t *f, size_t flen)
{
	struct dkim_vsig *s;
	size_t vo = (size_t)((const uint8_t *)memchr(f, ':', flen) - f) + 1;
	size_t vlen = flen - vo;
	uint64_t limit;

	if (v->nsig == DKIM_VERIFY_SIGS_MAX) {
		v->nskipped++;
		return;
	}
	s = &v->sig[v->nsig++];
	memset(s, 0, sizeof(*s));
	if (vlen >= 2 && f[flen - 2] == '\r' && f[flen - 1] == '\n') {
		vlen -= 2;
	}
	if (dkim_sig_parse(&s->sig, f + vo, vlen) != SK_OK) {
		dkim_vsig_decide(s, DKIM_PERMERROR, s->sig.err);
		s->key_done = 1;
		return;
	}
	s->parsed = 1;
	if (s->sig.alg == DKIM_ALG_RSA_SHA1) {
		/* RFC 8301 3.1: rsa-sha1 MUST NOT be used for verifying */
		dkim_vsig_decide(s, DKIM_PERMERROR,
		    "rsa-sha1 is not acceptable");
		s->key_done = 1;
		return;
	}
	if (s->sig.has_x && s->sig.x < v->now) {
		/* RFC 6376 3.5 x=: a verifier MAY treat it as invalid */
		dkim_vsig_decide(s, DKIM_POLICY, "signature expired (x=)");
		s->key_done = 1;
		return;
	}
	limit = s->sig.has_l ? s->sig.l : UINT64_MAX;
	dkim_body_init(&s->body, s->sig.bcanon, limit);
	dkim_vsig_hash_headers(s, hdr, len, f, flen, vo + s->sig.b_val_off);
}

enum sk_result
dkim_verify_headers(struct dkim_verify *v, const uint8_t *hdr, size_t len)
{
	const uint8_t *f;
	size_t pos = 0, flen;
	enum sk_result r;

	while ((r = dkim_header_next(hdr, len, &pos, &f, &flen)) == SK_OK) {
		if (dkim_header_is(f, flen, "dkim-signature", 14)) {
			dkim_verify_sig_field(v, hdr, len, f, flen);
		}
	}
	return r == SK_END ? SK_OK : r;
}

int
dkim_vsig_key_query(struct dkim_vsig *s, char *out, size_t max)
{
	size_t n;

	if (s->key_done) {
		return 0;
	}
	n = strlen(s->sig.s) + strlen("._domainkey.") + strlen(s->sig.d);
	if (n + 1 > max || n > DNS_TEXT_NAME_MAX) {
		/* RFC 6376 3.6.2.1: the name cannot be asked */
		dkim_vsig_decide(s, DKIM_PERMERROR, "key name too long");
		s->key_done = 1;
		return 0;
	}
	snprintf(out, max, "%s._domainkey.%s", s->sig.s, s->sig.d);
	return 1;
}

int
dkim_verify_key_query(struct dkim_verify *v, size_t i, char *out, size_t max)
{
	if (i >= v->nsig) {
		return 0;
	}
	return dkim_vsig_key_query(&v->sig[i], out, max);
}

/* dkim_key_accept - the key record fits the signature (RFC 6376 6.1.2) */
static void
dkim_key_accept(struct dkim_vsig *s)
{
	struct dkim_rsa_pub pub;
	const char *at = strrchr(s->sig.i, '@');

	s->testing = s->key.testing;
	if (s->key.revoked) {
		dkim_vsig_decide(s, DKIM_PERMERROR, "key revoked (empty p=)");
	} else if (!s->key.sha256_ok) {
		dkim_vsig_decide(s, DKIM_PERMERROR, "key h= excludes sha256");
	} else if (s->key.strict && at != NULL &&
	    strcasecmp(at + 1, s->sig.d) != 0) {
		dkim_vsig_decide(s, DKIM_PERMERROR,
		    "key t=s: i= is a subdomain");
	} else if (s->sig.alg == DKIM_ALG_ED25519_SHA256) {
		if (s->key.k != DKIM_KEY_ED25519 ||
		    s->key.plen != DKIM_ED25519_PK_LEN) {
			dkim_vsig_decide(s, DKIM_PERMERROR,
			    "key is no Ed25519 key");
			return;
		}
		s->key_bits = 256;
		s->key_ok = 1;
	} else if (s->key.k != DKIM_KEY_RSA ||
	    dkim_der_rsa_pub(s->key.p, s->key.plen, &pub) != SK_OK) {
		dkim_vsig_decide(s, DKIM_PERMERROR, "key is no RSA public key");
	} else if (pub.bits < DKIM_RSA_BITS_MIN ||
	    pub.bits > DKIM_RSA_BITS_MAX) {
		/* RFC 8301 3.2: 1024 to 4096 bits */
		s->key_bits = pub.bits;
		dkim_vsig_decide(s, DKIM_PERMERROR,
		    "RSA key size not acceptable");
	} else {
		s->key_bits = pub.bits;
		s->key_ok = 1;
	}
}

void
dkim_verify_key_set(struct dkim_verify *v, size_t i,
    const struct dns_answer *ans)
{
	if (i < v->nsig) {
		dkim_vsig_key_set(&v->sig[i], ans);
	}
}

void
dkim_vsig_key_set(struct dkim_vsig *s, const struct dns_answer *ans)
{
	const struct dns_rr *rr;
	size_t k, n = 0;

	if (s->key_done) {
		return;
	}
	s->key_done = 1;
	switch (ans->status) {
	case DNS_ANSWER:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		/* RFC 6376 6.1.2: no key for signature */
		dkim_vsig_decide(s, DKIM_PERMERROR, "no key record");
		return;
	default:
		dkim_vsig_decide(s, DKIM_TEMPERROR, "key lookup failed");
		return;
	}
	rr = NULL;
	for (k = 0; k < ans->nrr; k++) {
		if (ans->rr[k].type == DNS_T_TXT) {
			rr = &ans->rr[k];
			n++;
		}
	}
	if (n != 1) {
		/* 3.6.2.2: several records are ambiguous; we refuse */
		dkim_vsig_decide(s, DKIM_PERMERROR,
		    n == 0 ? "no key record" : "several key records");
		return;
	}
	if (dkim_key_parse(&s->key, ans->data + rr->off, rr->len) != SK_OK) {
		dkim_vsig_decide(s, DKIM_PERMERROR, s->key.err);
		return;
	}
	dkim_key_accept(s);
}

enum dkim_result
dkim_verify_keys(struct dkim_verify *v, const struct dns_resolver *r)
{
	enum dns_status st;
	size_t i;

	for (i = 0; i < v->nsig; i++) {
		if (!dkim_verify_key_query(v, i, v->qname, sizeof(v->qname))) {
			continue;
		}
		st = dns_query(r, v->qname, DNS_T_TXT, &v->ans, NULL, NULL);
		if (st == DNS_PENDING) {
			return DKIM_PENDING;
		}
		v->ans.status = st;
		dkim_verify_key_set(v, i, &v->ans);
	}
	return DKIM_NONE;
}

void
dkim_verify_update(struct dkim_verify *v, const uint8_t *body, size_t len)
{
	size_t i;

	for (i = 0; i < v->nsig; i++) {
		if (v->sig[i].parsed && v->sig[i].result == DKIM_NONE) {
			dkim_body_update(&v->sig[i].body, body, len);
		}
	}
}

/* dkim_verify_rsa - RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 8.2.2) */
static int
dkim_verify_rsa(struct dkim_vsig *s)
{
	struct dkim_rsa_pub pub;
	br_rsa_public_key pk;
	uint8_t got[32];

	if (dkim_der_rsa_pub(s->key.p, s->key.plen, &pub) != SK_OK ||
	    s->sig.blen != pub.nlen) {
		return 0;
	}
	pk.n = (unsigned char *)(uintptr_t)pub.n;
	pk.nlen = pub.nlen;
	pk.e = (unsigned char *)(uintptr_t)pub.e;
	pk.elen = pub.elen;
	if (!rsa_fast_pkcs1_vrfy_sha256(s->sig.b, s->sig.blen, &pk, got)) {
		return 0;
	}
	return sodium_memcmp(got, s->hhash, sizeof(got)) == 0;
}

/* dkim_vsig_final - body hash (when body) and signature of one signature
 * still undecided */
void
dkim_vsig_final(struct dkim_vsig *s, int crypto_ok, int body)
{
	uint8_t bh[32];
	uint64_t total;
	int ok;

	if (s->result != DKIM_NONE) {
		return;
	}
	if (!s->key_done) {
		dkim_vsig_decide(s, DKIM_TEMPERROR, "key not looked up");
		return;
	}
	if (body) {
		dkim_body_final(&s->body, bh, &total);
		if (s->sig.has_l && total != s->sig.l) {
			/* our l= rule: content beyond l= (or a body shorter
			 * than l=) fails the signature */
			dkim_vsig_decide(s, DKIM_FAIL,
			    total > s->sig.l ? "body has content beyond l=" :
					       "body shorter than l=");
			return;
		}
		if (sodium_memcmp(bh, s->sig.bh, sizeof(bh)) != 0) {
			dkim_vsig_decide(s, DKIM_FAIL, "body hash mismatch");
			return;
		}
	}
	if (s->sig.alg == DKIM_ALG_ED25519_SHA256) {
		/* RFC 8463 3: PureEdDSA over the SHA-256 hash */
		if (!crypto_ok) {
			dkim_vsig_decide(s, DKIM_TEMPERROR,
			    "Ed25519 library not initialized");
			return;
		}
		ok = s->sig.blen == DKIM_ED25519_SIG_LEN &&
		    crypto_sign_verify_detached(s->sig.b, s->hhash,
			sizeof(s->hhash), s->key.p) == 0;
	} else {
		ok = dkim_verify_rsa(s);
	}
	if (ok) {
		dkim_vsig_decide(s, DKIM_PASS, "signature verified");
	} else {
		dkim_vsig_decide(s, DKIM_FAIL, "signature mismatch");
	}
}

void
dkim_verify_final(struct dkim_verify *v)
{
	size_t i;

	for (i = 0; i < v->nsig; i++) {
		dkim_vsig_final(&v->sig[i], v->crypto_ok, 1);
	}
}

/*
 * dkim_sign.c - DKIM signing: keys, header list, field, signature.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "authres.h"
#include "base64.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "rsa_fast.h"

/* id-Ed25519 PrivateKeyInfo prefix (RFC 8410 7, 10.3) */
static const uint8_t dkim_ed25519_prefix[16] = { 0x30, 0x2e, 0x02, 0x01, 0x00,
	0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };

void
dkim_ed25519_pkcs8(const uint8_t seed[32], uint8_t out[48])
{
	memcpy(out, dkim_ed25519_prefix, sizeof(dkim_ed25519_prefix));
	memcpy(out + sizeof(dkim_ed25519_prefix), seed, 32);
}

enum sk_result
dkim_signkey_ed25519(struct dkim_signkey *k, const uint8_t seed[32])
{
	memset(k, 0, sizeof(*k));
	if (sodium_init() < 0) {
		return SK_E_IO;
	}
	k->alg = DKIM_ALG_ED25519_SHA256;
	k->bits = 256;
	crypto_sign_seed_keypair(k->ed_pk, k->ed_sk, seed);
	return SK_OK;
}

struct dkim_der_sink {
	uint8_t *buf;
	size_t len;
	int over;
};

static void
dkim_der_append(void *ctx, const void *p, size_t len)
{
	struct dkim_der_sink *s = ctx;

	if (s->len + len > DKIM_PEM_DER_MAX) {
		s->over = 1;
		return;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* dkim_pem_der - the DER of the first PRIVATE KEY block */
static enum sk_result
dkim_pem_der(const uint8_t *pem, size_t len, uint8_t *der, size_t *dlen)
{
	static br_pem_decoder_context pc;
	struct dkim_der_sink sink = { der, 0, 0 };
	size_t used;
	int inkey = 0, ev;

	br_pem_decoder_init(&pc);
	while (len > 0) {
		used = br_pem_decoder_push(&pc, pem, len);
		pem += used;
		len -= used;
		ev = br_pem_decoder_event(&pc);
		if (ev == BR_PEM_BEGIN_OBJ) {
			const char *name = br_pem_decoder_name(&pc);

			inkey = strcmp(name, "PRIVATE KEY") == 0 ||
			    strcmp(name, "RSA PRIVATE KEY") == 0;
			br_pem_decoder_setdest(&pc,
			    inkey ? dkim_der_append : NULL, &sink);
		} else if (ev == BR_PEM_END_OBJ && inkey) {
			*dlen = sink.len;
			return sink.over ? SK_E_TOO_LONG : SK_OK;
		} else if (ev == BR_PEM_ERROR) {
			return SK_E_SYNTAX;
		}
	}
	return SK_E_SYNTAX;
}

enum sk_result
dkim_signkey_pem(struct dkim_signkey *k, const uint8_t *pem, size_t len)
{
	static uint8_t der[DKIM_PEM_DER_MAX];
	struct dkim_der all, seq, v, alg, oid, outer, inner;
	size_t dlen = 0;
	enum sk_result r;

	memset(k, 0, sizeof(*k));
	if ((r = dkim_pem_der(pem, len, der, &dlen)) != SK_OK) {
		return r;
	}
	/* RFC 8410 7: SEQUENCE { 0, { id-Ed25519 }, OCTET { OCTET seed } } */
	all.p = der;
	all.len = dlen;
	if (dkim_der_get(&all, 0x30, &seq) == SK_OK && all.len == 0 &&
	    dkim_der_get(&seq, 0x02, &v) == SK_OK &&
	    dkim_der_get(&seq, 0x30, &alg) == SK_OK &&
	    dkim_der_get(&alg, 0x06, &oid) == SK_OK && oid.len == 3 &&
	    memcmp(oid.p, "\x2b\x65\x70", 3) == 0) {
		if (dkim_der_get(&seq, 0x04, &outer) != SK_OK ||
		    dkim_der_get(&outer, 0x04, &inner) != SK_OK ||
		    inner.len != 32) {
			sodium_memzero(der, sizeof(der));
			return SK_E_SYNTAX;
		}
		r = dkim_signkey_ed25519(k, inner.p);
		sodium_memzero(der, sizeof(der));
		return r;
	}
	br_skey_decoder_init(&k->dc);
	br_skey_decoder_push(&k->dc, der, dlen);
	sodium_memzero(der, sizeof(der));
	if (br_skey_decoder_last_error(&k->dc) != 0 ||
	    br_skey_decoder_key_type(&k->dc) != BR_KEYTYPE_RSA) {
		dkim_signkey_wipe(k);
		return SK_E_UNKNOWN;
	}
	k->alg = DKIM_ALG_RSA_SHA256;
	k->bits = br_skey_decoder_get_rsa(&k->dc)->n_bitlen;
	return SK_OK;
}

void
dkim_signkey_wipe(struct dkim_signkey *k)
{
	sodium_memzero(k, sizeof(*k));
}

/* dkim_der_put - a DER header (tag, length) before len octets */
static size_t
dkim_der_put(uint8_t *out, uint8_t tag, size_t len)
{
	out[0] = tag;
	if (len < 0x80) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		out[1] = 0x81;
		out[2] = (uint8_t)len;
		return 3;
	}
	out[1] = 0x82;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	return 4;
}

/* dkim_der_int - an INTEGER of the unsigned big-endian n */
static size_t
dkim_der_int(uint8_t *out, const uint8_t *n, size_t len)
{
	size_t o, pad;

	while (len > 1 && n[0] == 0) {
		n++;
		len--;
	}
	pad = (n[0] & 0x80) != 0;
	o = dkim_der_put(out, 0x02, len + pad);
	if (pad) {
		out[o++] = 0;
	}
	memcpy(out + o, n, len);
	return o + len;
}

/* dkim_rsa_spki - SubjectPublicKeyInfo of (n, e) (RFC 3279 2.3.1) */
static size_t
dkim_rsa_spki(const uint8_t *n, size_t nlen, uint32_t e, uint8_t *out)
{
	static const uint8_t algid[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
		0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
	uint8_t rsa[600], body[620], eb[4];
	size_t rl, bl, o, hl;

	eb[0] = (uint8_t)(e >> 24);
	eb[1] = (uint8_t)(e >> 16);
	eb[2] = (uint8_t)(e >> 8);
	eb[3] = (uint8_t)e;
	/* RSAPublicKey body, then its header in front */
	rl = dkim_der_int(rsa + 4, n, nlen);
	rl += dkim_der_int(rsa + 4 + rl, eb, 4);
	hl = dkim_der_put(body, 0x30, rl);
	memcpy(body + hl, rsa + 4, rl);
	bl = hl + rl;
	/* BIT STRING { 0 unused bits, RSAPublicKey } */
	o = 0;
	{
		uint8_t bits[640];
		size_t b = dkim_der_put(bits, 0x03, bl + 1);

		bits[b++] = 0;
		memcpy(bits + b, body, bl);
		b += bl;
		o = dkim_der_put(out, 0x30, sizeof(algid) + b);
		memcpy(out + o, algid, sizeof(algid));
		o += sizeof(algid);
		memcpy(out + o, bits, b);
		o += b;
	}
	return o;
}

/* dkim_txt_record - "v=DKIM1; k=type; p=" and the base64 of the public
 * key in out[max]: its length, or 0 when it does not fit */
static size_t
dkim_txt_record(char *out, size_t max, const char *type, const uint8_t *pub,
    size_t publen)
{
	int o = snprintf(out, max, "v=DKIM1; k=%s; p=", type);
	size_t n;

	if (o < 0 || (size_t)o >= max ||
	    base64_encode(pub, publen, out + o, max - (size_t)o, &n) != SK_OK) {
		return 0;
	}
	return (size_t)o + n;
}

/* public exponents tried after BearSSL's own answer: what key generators
 * use (65537 nearly always; 3 in old keys) */
static const uint32_t dkim_rsa_e_common[] = { 65537, 3, 5, 17, 257 };

/* dkim_rsa_e_undoes - e undoes the private key: (x^d)^e = x, where
 * xd is x^d for the fixed x in want (all nlen octets) */
static int
dkim_rsa_e_undoes(uint32_t e, const uint8_t *n, size_t nlen, const uint8_t *xd,
    const uint8_t *want)
{
	uint8_t x[DKIM_B_MAX], eb[4];
	br_rsa_public_key pk;

	if (e < 3 || (e & 1) == 0) {
		return 0;
	}
	eb[0] = (uint8_t)(e >> 24);
	eb[1] = (uint8_t)(e >> 16);
	eb[2] = (uint8_t)(e >> 8);
	eb[3] = (uint8_t)e;
	memcpy(x, xd, nlen);
	pk.n = (unsigned char *)(uintptr_t)n;
	pk.nlen = nlen;
	pk.e = eb;
	pk.elen = sizeof(eb);
	return br_rsa_public_get_default()(x, nlen, &pk) == 1 &&
	    memcmp(x, want, nlen) == 0;
}

/*
 * dkim_rsa_pubexp - the public exponent of a private key, 0 if not found.
 * BearSSL's private key holds no e, and br_rsa_compute_pubexp() works only
 * for primes that are 3 mod 4 (BearSSL's own keys); for other keys, as
 * OpenSSL makes them, it returns 0 and the TXT record would publish a
 * broken key.  So every candidate is proven by a round trip, as
 * firmware/tls/tls_pem.c proves a certificate's key: x^d^e = x for a fixed
 * x < n (one private operation, then one cheap public one per candidate).
 */
static uint32_t
dkim_rsa_pubexp(const br_rsa_private_key *sk, const uint8_t *n, size_t nlen)
{
	uint8_t want[DKIM_B_MAX], xd[DKIM_B_MAX];
	uint32_t e;
	size_t i;

	if (nlen == 0 || nlen > sizeof(want)) {
		return 0;
	}
	/* x = 00 01 02 ...: below n, as its first octet is 0 */
	for (i = 0; i < nlen; i++) {
		want[i] = (uint8_t)i;
	}
	memcpy(xd, want, nlen);
	if (br_rsa_private_get_default()(xd, sk) != 1) {
		return 0;
	}
	e = br_rsa_compute_pubexp_get_default()(sk);
	if (dkim_rsa_e_undoes(e, n, nlen, xd, want)) {
		return e;
	}
	for (i = 0; i < SK_NELEM(dkim_rsa_e_common); i++) {
		if (dkim_rsa_e_undoes(dkim_rsa_e_common[i], n, nlen, xd,
			want)) {
			return dkim_rsa_e_common[i];
		}
	}
	return 0;
}

size_t
dkim_signkey_txt(const struct dkim_signkey *k, char *out, size_t max)
{
	const br_rsa_private_key *sk;
	uint8_t n[512], spki[700];
	size_t nlen, slen;
	uint32_t e;

	if (k->alg == DKIM_ALG_ED25519_SHA256) {
		return dkim_txt_record(out, max, "ed25519", k->ed_pk, 32);
	}
	sk = br_skey_decoder_get_rsa(&k->dc);
	nlen = rsa_fast_compute_modulus(NULL, sk);
	if (nlen == 0 || nlen > sizeof(n)) {
		return 0;
	}
	rsa_fast_compute_modulus(n, sk);
	if ((e = dkim_rsa_pubexp(sk, n, nlen)) == 0) {
		return 0; /* never publish a key we cannot prove */
	}
	slen = dkim_rsa_spki(n, nlen, e, spki);
	return dkim_txt_record(out, max, "rsa", spki, slen);
}

enum sk_result
dkim_signkey_sign(const struct dkim_signkey *k, const uint8_t hh[32],
    uint8_t *sig, size_t max, size_t *siglen)
{
	const br_rsa_private_key *sk;

	*siglen = 0;
	if (k->alg == DKIM_ALG_ED25519_SHA256) {
		if (max < DKIM_ED25519_SIG_LEN) {
			return SK_E_RANGE;
		}
		/* RFC 8463 3: PureEdDSA over the SHA-256 hash */
		crypto_sign_detached(sig, NULL, hh, 32, k->ed_sk);
		*siglen = DKIM_ED25519_SIG_LEN;
		return SK_OK;
	}
	/* rsa_fast.h: our RSA private operation, about 1.6 times as fast as
	 * BearSSL's i62, checked with the public exponent before it leaves */
	sk = br_skey_decoder_get_rsa(&k->dc);
	if ((sk->n_bitlen + 7) / 8 > max ||
	    !rsa_fast_pkcs1_sign_sha256(hh, sk, sig)) {
		return SK_E_RANGE;
	}
	*siglen = (sk->n_bitlen + 7) / 8;
	return SK_OK;
}

void
dkim_sign_init(struct dkim_sign *s, const struct dkim_signkey *key,
    const char *d, const char *sel, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	snprintf(s->d, sizeof(s->d), "%s", d);
	snprintf(s->s, sizeof(s->s), "%s", sel);
	s->now = now;
	s->hcanon = DKIM_CANON_RELAXED;
	s->bcanon = DKIM_CANON_RELAXED;
	dkim_body_init(&s->body, DKIM_CANON_RELAXED, UINT64_MAX);
}

void
dkim_sign_canon(struct dkim_sign *s, enum dkim_canon_alg header,
    enum dkim_canon_alg body)
{
	s->hcanon = header;
	s->bcanon = body;
	dkim_body_init(&s->body, body, UINT64_MAX);
}

/* dkim_canon_tag - " c=header/body;" */
static const char *
dkim_canon_tag(const struct dkim_sign *s)
{
	static const char *const tags[2][2] = {
		[DKIM_CANON_SIMPLE][DKIM_CANON_SIMPLE] = " c=simple/simple;",
		[DKIM_CANON_SIMPLE][DKIM_CANON_RELAXED] = " c=simple/relaxed;",
		[DKIM_CANON_RELAXED][DKIM_CANON_SIMPLE] = " c=relaxed/simple;",
		[DKIM_CANON_RELAXED][DKIM_CANON_RELAXED] =
		    " c=relaxed/relaxed;",
	};

	return tags[s->hcanon == DKIM_CANON_SIMPLE ? 0 : 1]
		   [s->bcanon == DKIM_CANON_SIMPLE ? 0 : 1];
}

void
dkim_sign_options(struct dkim_sign *s, const char *const *over, size_t nover,
    uint64_t lifetime)
{
	s->over = over;
	s->nover = nover;
	s->expire = lifetime > 0 ? s->now + lifetime : 0;
}

void
dkim_sign_update(struct dkim_sign *s, const uint8_t *body, size_t len)
{
	dkim_body_update(&s->body, body, len);
}

/*
 * dkim_out_str - append t; fold first when fold and it would pass the
 * column limit. Unlike authres_out_put the unit keeps its leading space
 * after the fold, as our DKIM-Signature always has.
 */
static void
dkim_out_str(struct authres_out *o, const char *t, int fold)
{
	size_t n = strlen(t);

	if (fold && o->col + n > DKIM_SIGN_COLS) {
		authres_out_put(o, "\r\n\t", 3, 0);
		o->col = 1;
	}
	authres_out_put(o, t, n, 0);
}

enum sk_result
dkim_sign_final(struct dkim_sign *s, const uint8_t *hdr, size_t hlen, char *out,
    size_t max, size_t *outlen)
{
	static struct dkim_sig sig;
	struct authres_out o;
	struct dkim_hash h;
	uint8_t bh[32], hh[32], sigbuf[512];
	char tmp[1024], b64[BASE64_LEN(sizeof(sigbuf)) + 1];
	uint64_t total;
	size_t k, siglen, b64len, pos = 0;
	const uint8_t *f;
	size_t flen;
	enum sk_result r;
	int ed = s->key->alg == DKIM_ALG_ED25519_SHA256;

	memset(&sig, 0, sizeof(sig));
	authres_out_init(&o, out, max);
	while ((r = dkim_header_next(hdr, hlen, &pos, &f, &flen)) == SK_OK) {
	}
	if (r != SK_END) {
		return SK_E_SYNTAX;
	}
	if ((r = dkim_sig_sign_hlist(&sig, hdr, hlen, s->over, s->nover)) !=
	    SK_OK) {
		return r;
	}
	sig.hcanon = s->hcanon;
	dkim_body_final(&s->body, bh, &total);

	dkim_out_str(&o, "DKIM-Signature: v=1; a=", 0);
	dkim_out_str(&o, ed ? "ed25519-sha256;" : "rsa-sha256;", 0);
	dkim_out_str(&o, dkim_canon_tag(s), 1);
	snprintf(tmp, sizeof(tmp), " d=%s;", s->d);
	dkim_out_str(&o, tmp, 1);
	snprintf(tmp, sizeof(tmp), " s=%s;", s->s);
	dkim_out_str(&o, tmp, 1);
	snprintf(tmp, sizeof(tmp), " t=%llu;", (unsigned long long)s->now);
	dkim_out_str(&o, tmp, 1);
	if (s->expire > 0) {
		/* RFC 6376 3.5: x= after t= */
		snprintf(tmp, sizeof(tmp), " x=%llu;",
		    (unsigned long long)s->expire);
		dkim_out_str(&o, tmp, 1);
	}
	dkim_out_str(&o, " h=", 1);
	for (k = 0; k < sig.nh; k++) {
		snprintf(tmp, sizeof(tmp), "%.*s%s", (int)sig.h_len[k],
		    sig.h_text + sig.h_off[k], k + 1 < sig.nh ? ":" : ";");
		dkim_out_str(&o, tmp, 1);
	}
	/* b64 holds BASE64_LEN(sizeof(sigbuf)): these cannot fail */
	(void)base64_encode(bh, sizeof(bh), b64, sizeof(b64), &b64len);
	snprintf(tmp, sizeof(tmp), " bh=%s;", b64);
	dkim_out_str(&o, tmp, 1);
	dkim_out_str(&o, " b=", 1);
	if (o.over) {
		return SK_E_TOO_LONG;
	}
	/* RFC 6376 3.7: the fields, then this one with b= empty, no CRLF */
	dkim_hash_init(&h);
	dkim_hash_fields(&h, &sig, hdr, hlen);
	dkim_canon_header(&h, s->hcanon, (const uint8_t *)out, o.len, 0, 0, 0);
	dkim_hash_final(&h, hh);
	if ((r = dkim_signkey_sign(s->key, hh, sigbuf, sizeof(sigbuf),
		 &siglen)) != SK_OK) {
		return r;
	}
	(void)base64_encode(sigbuf, siglen, b64, sizeof(b64), &b64len);
	authres_out_fill(&o, b64); /* b= folded: whatever fits on each line */
	authres_out_put(&o, "\r\n", 2, 0);
	if (o.over) {
		return SK_E_TOO_LONG;
	}
	*outlen = o.len;
	return SK_OK;
}

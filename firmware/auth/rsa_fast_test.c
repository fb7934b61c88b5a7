/*
 * rsa_fast_test.c - rsa_fast against BearSSL's i31 and i62 private
 * operations: keys of 1024 to 4096 bits made here from a seeded DRBG (so
 * every run is the same), primes of unequal sizes either way round, other
 * public exponents, a key made by OpenSSL, PKCS#1 signatures, and the
 * fault check (a corrupted CRT exponent or coefficient gives 0).
 */
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "rsa_fast.h"
#include "test.h"

#define T_MAX (RSA_FAST_MAX_BITS / 8)
#define T_FMAX ((RSA_FAST_FACTOR_BITS + 7) / 8)

struct t_key {
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	unsigned char priv[BR_RSA_KBUF_PRIV_SIZE(RSA_FAST_MAX_BITS)];
	unsigned char pub[BR_RSA_KBUF_PUB_SIZE(RSA_FAST_MAX_BITS)];
};

/* a key assembled here: its numbers in their own buffers */
struct t_owned {
	br_rsa_private_key sk;
	unsigned char p[T_FMAX], q[T_FMAX], dp[T_FMAX], dq[T_FMAX], iq[T_FMAX];
	unsigned char n[T_MAX];
	size_t nlen;
};

static br_hmac_drbg_context t_rng;

/* t_seed - a fresh DRBG for a label: every case draws the same numbers */
static void
t_seed(const char *label, unsigned v)
{
	char seed[64];

	snprintf(seed, sizeof(seed), "rsa_fast_test %s %u", label, v);
	br_hmac_drbg_init(&t_rng, &br_sha256_vtable, seed, strlen(seed));
}

/* t_keygen - a key of bits with public exponent e from the DRBG seeded
 * with salt (see t_key_of) */
static int
t_keygen(struct t_key *k, unsigned bits, uint32_t e, unsigned salt)
{
	br_rsa_keygen gen = br_rsa_i62_keygen_get();

	if (gen == 0) {
		gen = br_rsa_i31_keygen;
	}
	t_seed("keygen", bits * 100u + salt);
	return gen(&t_rng.vtable, &k->sk, k->priv, &k->pk, k->pub, bits, e) ==
	    1;
}

/* t_key_of - the key of one of the sizes, made once.  The salts pick
 * seeds whose prime search ends early: BearSSL's keygen of a 4096-bit key
 * takes 0.9 s with the one here, 6 s or more with most others. */
static const struct t_key *
t_key_of(unsigned bits)
{
	static struct t_key keys[5];
	static const unsigned sizes[5] = { 1024, 1536, 2048, 3072, 4096 };
	static const unsigned salts[5] = { 0, 0, 0, 38, 14 };
	static int made[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		if (sizes[i] == bits) {
			if (!made[i] &&
			    !t_keygen(&keys[i], bits, 65537, salts[i])) {
				test_fail("keygen %u failed", bits);
				return NULL;
			}
			made[i] = 1;
			return &keys[i];
		}
	}
	return NULL;
}

/* t_agree - x through rsa_fast, i31 and i62: same status, same result */
static void
t_agree(const br_rsa_private_key *sk, const unsigned char *x, size_t nlen,
    const char *what)
{
	unsigned char a[T_MAX], b[T_MAX], c[T_MAX];
	br_rsa_private i62 = br_rsa_i62_private_get();
	uint32_t ra, rb, rc;

	memcpy(a, x, nlen);
	memcpy(b, x, nlen);
	memcpy(c, x, nlen);
	ra = rsa_fast_private(a, sk);
	rb = br_rsa_i31_private(b, sk);
	rc = i62 != 0 ? i62(c, sk) : rb;
	if (i62 == 0) {
		memcpy(c, b, nlen);
	}
	TEST_CHECK(ra == rb, "%u bits, %s: got %u, i31 %u", sk->n_bitlen, what,
	    ra, rb);
	TEST_CHECK(rc == rb, "%u bits, %s: i62 %u, i31 %u", sk->n_bitlen, what,
	    rc, rb);
	if (ra == 1 && rb == 1) {
		TEST_CHECK(memcmp(a, b, nlen) == 0, "%u bits, %s: result",
		    sk->n_bitlen, what);
	}
	if (rc == 1 && rb == 1) {
		TEST_CHECK(memcmp(c, b, nlen) == 0, "%u bits, %s: i62 result",
		    sk->n_bitlen, what);
	}
}

/* t_place - v (vlen octets) as an nlen-octet number plus delta (-1..1) */
static void
t_place(unsigned char *x, size_t nlen, const unsigned char *v, size_t vlen,
    int delta)
{
	size_t i = nlen;
	int c = delta;

	memmove(x + nlen - vlen, v, vlen); /* v may be x */
	memset(x, 0, nlen - vlen);
	while (c != 0 && i-- > 0) {
		int d = x[i] + c;

		x[i] = (unsigned char)d;
		c = d < 0 ? -1 : d > 255 ? 1 : 0;
	}
}

/* t_inputs - the edge inputs and nrand random ones through t_agree */
static void
t_inputs(const br_rsa_private_key *sk, const unsigned char *n, size_t nlen,
    unsigned nrand)
{
	unsigned char x[T_MAX];
	unsigned i;
	int d;

	for (i = 0; i < 3; i++) {
		memset(x, 0, nlen);
		x[nlen - 1] = (unsigned char)i;
		t_agree(sk, x, nlen, i == 0 ? "0" : i == 1 ? "1" : "2");
	}
	for (d = -1; d <= 1; d++) {
		t_place(x, nlen, n, nlen, d);
		t_agree(sk, x, nlen, d < 0 ? "n-1" : d == 0 ? "n" : "n+1");
		t_place(x, nlen, sk->p, sk->plen, d);
		t_agree(sk, x, nlen, d < 0 ? "p-1" : d == 0 ? "p" : "p+1");
		t_place(x, nlen, sk->q, sk->qlen, d);
		t_agree(sk, x, nlen, d < 0 ? "q-1" : d == 0 ? "q" : "q+1");
	}
	memset(x, 0xff, nlen);
	t_agree(sk, x, nlen, "all ones");
	t_seed("inputs", sk->n_bitlen);
	for (i = 0; i < nrand; i++) {
		br_hmac_drbg_generate(&t_rng, x, nlen);
		if (memcmp(x, n, nlen) >= 0) {
			x[0] = 0; /* below n, whose first octet is not 0 */
		}
		t_agree(sk, x, nlen, "random");
	}
}

static void
test_sizes(void)
{
	static const unsigned sizes[] = { 1024, 1536, 2048, 3072, 4096 };
	static const unsigned nrand[] = { 24, 12, 6, 2, 1 };
	const struct t_key *k;
	size_t i;

	for (i = 0; i < SK_NELEM(sizes); i++) {
		if ((k = t_key_of(sizes[i])) != NULL) {
			t_inputs(&k->sk, k->pk.n, k->pk.nlen, nrand[i]);
		}
	}
}

/* t_mod - r = a mod m (big-endian, r of mlen octets), bit by bit */
static void
t_mod(unsigned char *r, const unsigned char *a, size_t alen,
    const unsigned char *m, size_t mlen)
{
	size_t bit, i;
	int out, borrow;

	memset(r, 0, mlen);
	for (bit = 0; bit < 8 * alen; bit++) {
		out = r[0] >> 7;
		for (i = 0; i + 1 < mlen; i++) {
			r[i] = (unsigned char)(r[i] << 1 | r[i + 1] >> 7);
		}
		r[mlen - 1] = (unsigned char)(r[mlen - 1] << 1 |
		    ((a[bit / 8] >> (7 - bit % 8)) & 1));
		if (out || memcmp(r, m, mlen) >= 0) {
			borrow = 0;
			for (i = mlen; i-- > 0;) {
				int d = r[i] - m[i] - borrow;

				r[i] = (unsigned char)d;
				borrow = d < 0;
			}
		}
	}
}

/* t_mixed - a key of p and dp from one key, q and dq (its p and dp) from
 * another, iq = q^(p-2) mod p (Fermat) through BearSSL's public op */
static int
t_mixed(struct t_owned *o, const struct t_key *kp, const struct t_key *kq)
{
	unsigned char pm2[T_FMAX];
	br_rsa_public_key pub;
	size_t plen = kp->sk.plen, i;
	unsigned bits;

	memset(o, 0, sizeof(*o));
	memcpy(o->p, kp->sk.p, plen);
	memcpy(o->dp, kp->sk.dp, kp->sk.dplen);
	memcpy(o->q, kq->sk.p, kq->sk.plen);
	memcpy(o->dq, kq->sk.dp, kq->sk.dplen);
	t_mod(o->iq, o->q, kq->sk.plen, o->p, plen);
	t_place(pm2, plen, o->p, plen, -1);
	t_place(pm2, plen, pm2, plen, -1);
	pub.n = o->p;
	pub.nlen = plen;
	pub.e = pm2;
	pub.elen = plen;
	if (br_rsa_i31_public(o->iq, plen, &pub) != 1) {
		return 0;
	}
	o->sk.p = o->p;
	o->sk.plen = plen;
	o->sk.q = o->q;
	o->sk.qlen = kq->sk.plen;
	o->sk.dp = o->dp;
	o->sk.dplen = kp->sk.dplen;
	o->sk.dq = o->dq;
	o->sk.dqlen = kq->sk.dplen;
	o->sk.iq = o->iq;
	o->sk.iqlen = plen;
	/* BearSSL takes n's length from n_bitlen: first an upper bound */
	o->sk.n_bitlen = 8 * (unsigned)(plen + o->sk.qlen);
	o->nlen = br_rsa_i31_compute_modulus(o->n, &o->sk);
	for (bits = o->sk.n_bitlen, i = 0; bits > 0; bits--, i++) {
		if ((o->n[i / 8] >> (7 - i % 8)) & 1) {
			break;
		}
	}
	o->sk.n_bitlen = bits;
	o->nlen = br_rsa_i31_compute_modulus(o->n, &o->sk);
	return o->nlen > 0;
}

static void
test_unequal(void)
{
	const struct t_key *small = t_key_of(1024), *big = t_key_of(2048);
	static struct t_owned o;

	if (small == NULL || big == NULL) {
		return;
	}
	/* a 1024-bit p with a 512-bit q, then the other way round */
	TEST_CHECK(t_mixed(&o, big, small), "mixed key");
	t_inputs(&o.sk, o.n, o.nlen, 8);
	TEST_CHECK(t_mixed(&o, small, big), "mixed key swapped");
	t_inputs(&o.sk, o.n, o.nlen, 8);
}

/* test_exponents - e = 3 (a common one), e = 65539 (found by BearSSL's
 * compute_pubexp), a wrong e given refuses, the right one given works */
static void
test_exponents(void)
{
	static struct t_key k;
	unsigned char x[T_MAX];

	if (!t_keygen(&k, 1024, 3, 0)) {
		test_fail("keygen e=3");
		return;
	}
	t_inputs(&k.sk, k.pk.n, k.pk.nlen, 4);
	if (!t_keygen(&k, 1024, 65539, 0)) {
		test_fail("keygen e=65539");
		return;
	}
	t_inputs(&k.sk, k.pk.n, k.pk.nlen, 4);
	memset(x, 0x5a, k.pk.nlen);
	x[0] = 0;
	TEST_CHECK(rsa_fast_private_e(x, &k.sk, 65537) == 0, "wrong e taken");
	TEST_CHECK(rsa_fast_private_e(x, &k.sk, 65539) == 1, "right e refused");
	TEST_CHECK(rsa_fast_private_e(x, &k.sk, 4) == 0, "even e taken");
}

/* an RSA 1024 key made with `openssl genrsa -traditional 1024` for this
 * test (PKCS#1 PEM; its primes need not be 3 mod 4) */
static const char t_openssl_pem[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXgIBAAKBgQDCJ5Q2hIp+904lT4XLWlFwL6mjQ4GA0BOkPEfLtNQxTePMUnHP\n"
    "NKSTHMg1PCbgeYAwJEas9SQIp2qTkBpBke+0FqTd62Fv/pQfxm+c/HfoSJ5yCn7x\n"
    "DnCWkm/En7482nzjzwxVIV4iXCVgKXm0HQsNGAUT73RXVfNHjBEfAfpVwwIDAQAB\n"
    "AoGAKGKTMcPgCwjl+FzSN7pRtkQzxQIFrgWaEE95n6W9fYP2HkoH4lHQ6cjS3D/m\n"
    "1kpvn5PsH43eMO6h/I+85ma0tSQ/MlRYC26yalntr2jhJirMud3flmdMiwYw2p2V\n"
    "8vRr+AMJGgoSMXCdRZMH48585jS9yIm0M2Xq5ECTyyeDuAECQQDh3/ZG9kUBJ/N3\n"
    "basdlDV0VyLwuG8cNbCEsVKQ/rrjOZPKCQ4pogdzIesVUkH1O5RyKGFD7LXu1nAt\n"
    "+D1AJVczAkEA3AyX84w5SS5oK7OluoWrZMAClRdA6lzO3b8IBWxEea/ZWlNBzNah\n"
    "d8K9fHbxImODvAWc5Uf8QUkeqfcCS8THMQJBAKRcfXBLuhDKSn7oPbELbQ5YbeNu\n"
    "weNsKiOUiPlbcxDvj9xfVH/1GKit0Mu2DKrvjOi4+3Ya5JSEVCMPVTq9MUMCQQCx\n"
    "1kezn/7oIuYzc3Ob482ZlghAP9PJ1Imm8m1kHJTWl4ScmC7Ugh1qsWr8PRAyT6S2\n"
    "fv7G2j+G77YlfKhRXc3xAkEAmVeokqs107crQEzdhMqBV551+covo9VCDVgep/lA\n"
    "pPs82TgB+qwkXxiW4jdLUyng12+g1j/bAG0y/4QQxCe0/g==\n"
    "-----END RSA PRIVATE KEY-----\n";

static br_skey_decoder_context t_dc;

static void
t_pem_sink(void *ctx, const void *p, size_t len)
{
	br_skey_decoder_push(ctx, p, len);
}

/* t_openssl_key - the key above through BearSSL's PEM and key decoders */
static const br_rsa_private_key *
t_openssl_key(void)
{
	br_pem_decoder_context pc;
	const char *p = t_openssl_pem;
	size_t len = sizeof(t_openssl_pem) - 1, used;

	br_pem_decoder_init(&pc);
	br_skey_decoder_init(&t_dc);
	while (len > 0) {
		used = br_pem_decoder_push(&pc, p, len);
		p += used;
		len -= used;
		if (br_pem_decoder_event(&pc) == BR_PEM_BEGIN_OBJ) {
			br_pem_decoder_setdest(&pc, t_pem_sink, &t_dc);
		}
	}
	return br_skey_decoder_get_rsa(&t_dc);
}

static void
test_openssl(void)
{
	const br_rsa_private_key *sk = t_openssl_key();
	unsigned char n[T_MAX];
	size_t nlen;

	if (sk == NULL) {
		test_fail("openssl key not decoded");
		return;
	}
	TEST_CHECK(br_rsa_compute_pubexp_get_default()(sk) == 0,
	    "want a key BearSSL cannot derive e for");
	nlen = br_rsa_i31_compute_modulus(n, sk);
	TEST_CHECK(nlen == 128, "got %zu octets, want 128", nlen);
	t_inputs(sk, n, nlen, 24);
}

/* t_sign_same - rsa_fast's PKCS#1 signature is BearSSL's, and verifies */
static void
t_sign_same(const br_rsa_private_key *sk, const br_rsa_public_key *pk)
{
	unsigned char hash[32], a[T_MAX], b[T_MAX], back[32];
	size_t nlen = (sk->n_bitlen + 7) / 8;

	t_seed("hash", sk->n_bitlen);
	br_hmac_drbg_generate(&t_rng, hash, sizeof(hash));
	TEST_CHECK(rsa_fast_pkcs1_sign_sha256(hash, sk, a) == 1,
	    "%u bits: sign", sk->n_bitlen);
	TEST_CHECK(br_rsa_i31_pkcs1_sign(BR_HASH_OID_SHA256, hash, 32, sk, b) ==
		1,
	    "%u bits: i31 sign", sk->n_bitlen);
	TEST_CHECK(memcmp(a, b, nlen) == 0, "%u bits: signatures differ",
	    sk->n_bitlen);
	TEST_CHECK(br_rsa_i31_pkcs1_vrfy(a, nlen, BR_HASH_OID_SHA256, 32, pk,
		       back) == 1 &&
		memcmp(back, hash, 32) == 0,
	    "%u bits: does not verify", sk->n_bitlen);
}

static void
test_pkcs1(void)
{
	static const unsigned sizes[] = { 1024, 2048, 4096 };
	const struct t_key *k;
	size_t i;

	for (i = 0; i < SK_NELEM(sizes); i++) {
		if ((k = t_key_of(sizes[i])) != NULL) {
			t_sign_same(&k->sk, &k->pk);
		}
	}
}

/* t_corrupt - one bit of a secret flipped: 0, and x left as it was */
static void
t_corrupt(const struct t_key *k, unsigned char *field, size_t len,
    const char *what)
{
	unsigned char x[T_MAX], in[T_MAX];
	size_t nlen = k->pk.nlen;

	field[len / 2] ^= 0x10;
	t_seed("fault", (unsigned)len);
	br_hmac_drbg_generate(&t_rng, in, nlen);
	in[0] = 0;
	memcpy(x, in, nlen);
	TEST_CHECK(rsa_fast_private(x, &k->sk) == 0, "corrupted %s: taken",
	    what);
	TEST_CHECK(memcmp(x, in, nlen) == 0, "corrupted %s: x changed", what);
	memcpy(x, in, nlen);
	TEST_CHECK(rsa_fast_private_e(x, &k->sk, 65537) == 0,
	    "corrupted %s, e given: taken", what);
	field[len / 2] ^= 0x10;
	TEST_CHECK(rsa_fast_private(x, &k->sk) == 1, "restored %s: refused",
	    what);
}

/* test_fault - the Bellcore attack's precondition: a wrong CRT half */
static void
test_fault(void)
{
	static struct t_key k;
	unsigned char *priv;

	if (t_key_of(2048) == NULL) {
		return;
	}
	k = *t_key_of(2048);
	/* the key's numbers live in its own priv buffer: point into ours */
	priv = k.priv;
	k.sk.p = priv + (t_key_of(2048)->sk.p - t_key_of(2048)->priv);
	k.sk.q = priv + (t_key_of(2048)->sk.q - t_key_of(2048)->priv);
	k.sk.dp = priv + (t_key_of(2048)->sk.dp - t_key_of(2048)->priv);
	k.sk.dq = priv + (t_key_of(2048)->sk.dq - t_key_of(2048)->priv);
	k.sk.iq = priv + (t_key_of(2048)->sk.iq - t_key_of(2048)->priv);
	t_corrupt(&k, k.sk.dp, k.sk.dplen, "dp");
	t_corrupt(&k, k.sk.dq, k.sk.dqlen, "dq");
	t_corrupt(&k, k.sk.iq, k.sk.iqlen, "iq");
}

/* test_bad_keys - a modulus length that is not p q's, and a missing
 * prime, refuse (as BearSSL's do) */
static void
test_bad_keys(void)
{
	const struct t_key *k = t_key_of(1024);
	br_rsa_private_key sk;
	unsigned char x[T_MAX];

	if (k == NULL) {
		return;
	}
	memset(x, 0, sizeof(x));
	x[127] = 7;
	sk = k->sk;
	sk.n_bitlen = 1032;
	TEST_CHECK(rsa_fast_private(x, &sk) == 0, "n_bitlen 1032 taken");
	sk = k->sk;
	sk.plen = 0;
	TEST_CHECK(rsa_fast_private(x, &sk) == 0, "plen 0 taken");
	sk = k->sk;
	sk.n_bitlen = 256; /* too short for a SHA-256 DigestInfo */
	TEST_CHECK(rsa_fast_pkcs1_sign_sha256(x, &sk, x) == 0,
	    "256-bit signature made");
}

/* t_public_agree - x through rsa_fast_public and i31's: same status and
 * result */
static void
t_public_agree(const br_rsa_public_key *pk, const unsigned char *x, size_t xlen,
    const char *what)
{
	unsigned char a[T_MAX], b[T_MAX];
	uint32_t ra, rb;

	memcpy(a, x, xlen);
	memcpy(b, x, xlen);
	ra = rsa_fast_public(a, xlen, pk);
	rb = br_rsa_i31_public(b, xlen, pk);
	TEST_CHECK(ra == rb, "%zu octets, %s: got %u, i31 %u", xlen, what, ra,
	    rb);
	if (ra == 1 && rb == 1) {
		TEST_CHECK(memcmp(a, b, xlen) == 0, "%zu octets, %s: result",
		    xlen, what);
	}
}

/* the public operation (and the modulus from p and q): every size, edge
 * inputs and random ones */
static void
test_public(void)
{
	static const unsigned sizes[] = { 1024, 1536, 2048, 3072, 4096 };
	unsigned char x[T_MAX];
	const struct t_key *k;
	size_t i, j, nlen;

	for (i = 0; i < SK_NELEM(sizes); i++) {
		if ((k = t_key_of(sizes[i])) == NULL) {
			continue;
		}
		nlen = k->pk.nlen;
		/* the modulus from p and q (i31's stops short of 4096) */
		TEST_CHECK(rsa_fast_compute_modulus(NULL, &k->sk) == nlen &&
			rsa_fast_compute_modulus(x, &k->sk) == nlen &&
			memcmp(x, k->pk.n, nlen) == 0,
		    "%u bits: modulus", sizes[i]);
		memset(x, 0, nlen);
		t_public_agree(&k->pk, x, nlen, "0");
		x[nlen - 1] = 1;
		t_public_agree(&k->pk, x, nlen, "1");
		memcpy(x, k->pk.n, nlen);
		t_public_agree(&k->pk, x, nlen, "n");
		x[nlen - 1] -= 1;
		t_public_agree(&k->pk, x, nlen, "n-1");
		memset(x, 0xff, nlen);
		t_public_agree(&k->pk, x, nlen, "all ones");
		t_public_agree(&k->pk, x, nlen - 1, "short");
		t_seed("public", sizes[i]);
		for (j = 0; j < 16; j++) {
			br_hmac_drbg_generate(&t_rng, x, nlen);
			x[0] &= 0x7f;
			t_public_agree(&k->pk, x, nlen, "random");
		}
	}
}

/* t_vrfy - rsa_fast's verification: our signature and BearSSL's (with
 * and without the NULL of the DigestInfo) open to the hash; one flipped
 * bit, or a hash that is not SHA-256's DigestInfo, does not */
static void
t_vrfy(const br_rsa_private_key *sk, const br_rsa_public_key *pk)
{
	static const unsigned char no_null[] = { 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01 };
	unsigned char hash[32], sig[T_MAX], back[32];
	size_t nlen = (sk->n_bitlen + 7) / 8;

	t_seed("vrfy", sk->n_bitlen);
	br_hmac_drbg_generate(&t_rng, hash, sizeof(hash));
	TEST_CHECK(rsa_fast_pkcs1_sign_sha256(hash, sk, sig) == 1, "sign");
	TEST_CHECK(rsa_fast_pkcs1_vrfy_sha256(sig, nlen, pk, back) == 1 &&
		memcmp(back, hash, 32) == 0,
	    "%u bits: own signature refused", sk->n_bitlen);
	sig[nlen / 2] ^= 0x10;
	TEST_CHECK(rsa_fast_pkcs1_vrfy_sha256(sig, nlen, pk, back) == 0,
	    "%u bits: a flipped bit verifies", sk->n_bitlen);
	/* BearSSL's OID form: the encoded OID, no NULL parameters */
	TEST_CHECK(br_rsa_i31_pkcs1_sign(no_null, hash, 32, sk, sig) == 1,
	    "i31 sign");
	TEST_CHECK(rsa_fast_pkcs1_vrfy_sha256(sig, nlen, pk, back) == 1 &&
		memcmp(back, hash, 32) == 0,
	    "%u bits: DigestInfo without NULL refused", sk->n_bitlen);
	TEST_CHECK(br_rsa_i31_pkcs1_sign(BR_HASH_OID_SHA1, hash, 20, sk, sig) ==
		1,
	    "i31 sign sha1");
	TEST_CHECK(rsa_fast_pkcs1_vrfy_sha256(sig, nlen, pk, back) == 0,
	    "%u bits: a SHA-1 DigestInfo verifies", sk->n_bitlen);
	TEST_CHECK(rsa_fast_pkcs1_vrfy_sha256(sig, nlen - 1, pk, back) == 0,
	    "%u bits: a short signature verifies", sk->n_bitlen);
}

static void
test_vrfy(void)
{
	static const unsigned sizes[] = { 1024, 2048, 4096 };
	const struct t_key *k;
	size_t i;

	for (i = 0; i < SK_NELEM(sizes); i++) {
		if ((k = t_key_of(sizes[i])) != NULL) {
			t_vrfy(&k->sk, &k->pk);
		}
	}
}

const struct test_case test_cases[] = {
	{ "rsa_fast_sizes", test_sizes },
	{ "rsa_fast_unequal", test_unequal },
	{ "rsa_fast_exponents", test_exponents },
	{ "rsa_fast_openssl", test_openssl },
	{ "rsa_fast_pkcs1", test_pkcs1 },
	{ "rsa_fast_fault", test_fault },
	{ "rsa_fast_bad_keys", test_bad_keys },
	{ "rsa_fast_public", test_public },
	{ "rsa_fast_vrfy", test_vrfy },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * rsa_fast.c - RSA private operation (see rsa_fast.h): Montgomery
 * arithmetic over 64-bit limbs, fixed-window exponentiation, CRT, and the
 * check of the result with the public exponent.
 *
 * Numbers are little-endian arrays of k limbs ("bn").  A Montgomery modulus
 * m of k limbs works with R = 2^(64k); "Montgomery form" of a is aR mod m.
 */
#include <string.h>

#include "rsa_fast.h"

/* the public exponents tried when none is given, the usual one first:
 * what key generators use, as in dkim_sign.c */
static const uint32_t rsa_fast_e_common[] = { 65537, 3, 5, 17, 257 };

/* rsa_fast_wipe - clear a secret; through volatile so it is not elided */
static void
rsa_fast_wipe(void *p, size_t len)
{
	volatile unsigned char *v = p;

	while (len-- > 0) {
		*v++ = 0;
	}
}

/* rsa_fast_trim - skip leading zero octets: the length of a prime is
 * public (it follows from the modulus), so this branch leaks nothing */
static const unsigned char *
rsa_fast_trim(const unsigned char *p, size_t *len)
{
	while (*len > 0 && p[0] == 0) {
		p++;
		(*len)--;
	}
	return p;
}

/* rsa_fast_modulus - n = p q in nlen octets, schoolbook over octets
 * (BearSSL's i31 compute_modulus stops short of 4096-bit moduli); 0
 * when the product does not fit */
static int
rsa_fast_modulus(unsigned char *n, size_t nlen, const br_rsa_private_key *sk)
{
	uint32_t acc;
	size_t i, j, plen = sk->plen, qlen = sk->qlen;
	const unsigned char *p = rsa_fast_trim(sk->p, &plen);
	const unsigned char *q = rsa_fast_trim(sk->q, &qlen);

	memset(n, 0, nlen);
	if (plen + qlen > nlen + 1) {
		return 0;
	}
	for (i = 0; i < plen; i++) {
		acc = 0;
		for (j = 0; j < qlen; j++) {
			size_t o = i + j; /* octet o from the right */

			acc += (uint32_t)p[plen - 1 - i] * q[qlen - 1 - j];
			if (o < nlen) {
				acc += n[nlen - 1 - o];
				n[nlen - 1 - o] = (unsigned char)acc;
			} else if ((acc & 0xff) != 0) {
				return 0;
			}
			acc >>= 8;
		}
		for (j = i + qlen; acc != 0; j++) {
			if (j >= nlen) {
				return 0;
			}
			acc += n[nlen - 1 - j];
			n[nlen - 1 - j] = (unsigned char)acc;
			acc >>= 8;
		}
	}
	return 1;
}

#if defined(__SIZEOF_INT128__) && !defined(RSA_FAST_NO_INT128)

typedef uint64_t rsa_limb;
typedef unsigned __int128 rsa_dlimb;

#define RSA_FAST_FLIMBS ((RSA_FAST_FACTOR_BITS + 63) / 64) /* one prime */
#define RSA_FAST_NLIMBS (2 * RSA_FAST_FLIMBS)              /* the modulus */
/* 5 bits: a 1024-bit exponent costs 205 products and a table of 30, where
 * 4 bits cost 256 and 14, and 6 bits 171 and 62 with twice the lookup */
#define RSA_FAST_WINDOW 5
#define RSA_FAST_TABLE (1u << RSA_FAST_WINDOW)

/*
 * RSA_FAST_UNROLL - unroll the next loop completely when its trip count is
 * a constant: rsa_mont_mul_k and rsa_mont_sqr_k inlined with k = 8 or 16
 * (keys of 1024 and 2048 bits) become straight-line code, measured about
 * 1.3 times as fast (RSA-2048: 1.3-1.5 ms instead of 1.7-2.0) for 25 to
 * 50 KiB more code.  Other sizes keep their loops; clang's remark that it
 * could not unroll those is silenced below, as nothing is wrong with them.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSA_FAST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RSA_FAST_SANITIZED 1
#endif
#if defined(RSA_FAST_SANITIZED)
/* sanitizers: straight-line code with a check at every access takes the
 * compiler many minutes; the asan and fuzz builds keep the loops */
#define RSA_FAST_UNROLL
#elif defined(__clang__)
#define RSA_FAST_UNROLL _Pragma("clang loop unroll(full)")
#pragma clang diagnostic ignored "-Wpass-failed"
#elif defined(__GNUC__)
#define RSA_FAST_UNROLL _Pragma("GCC unroll 32")
#else
#define RSA_FAST_UNROLL
#endif

struct rsa_mont {
	rsa_limb m[RSA_FAST_NLIMBS];
	rsa_limb r2[RSA_FAST_NLIMBS]; /* R^2 mod m: into Montgomery form */
	rsa_limb m0inv;               /* -1/m mod 2^64 */
	size_t k;                     /* limbs of m, its top one non-zero */
};

/* rsa_bn_decode - big-endian octets into k limbs; 0 if they do not fit */
static int
rsa_bn_decode(rsa_limb *a, size_t k, const unsigned char *src, size_t len)
{
	size_t i, bit;

	memset(a, 0, k * sizeof(*a));
	if (len > 8 * k) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		bit = 8 * (len - 1 - i);
		a[bit / 64] |= (rsa_limb)src[i] << (bit % 64);
	}
	return 1;
}

/* rsa_bn_encode - k limbs as len big-endian octets (the low ones) */
static void
rsa_bn_encode(unsigned char *dst, size_t len, const rsa_limb *a, size_t k)
{
	size_t i, bit;

	for (i = 0; i < len; i++) {
		bit = 8 * (len - 1 - i);
		dst[i] = bit / 64 < k ?
		    (unsigned char)(a[bit / 64] >> (bit % 64)) :
		    0;
	}
}

/* rsa_bn_sub - r = a - b over k limbs; the borrow out (0 or 1) */
static rsa_limb
rsa_bn_sub(rsa_limb *r, const rsa_limb *a, const rsa_limb *b, size_t k)
{
	rsa_limb borrow = 0;
	rsa_dlimb d;
	size_t i;

	for (i = 0; i < k; i++) {
		d = (rsa_dlimb)a[i] - b[i] - borrow;
		r[i] = (rsa_limb)d;
		borrow = (rsa_limb)(d >> 64) & 1;
	}
	return borrow;
}

/* rsa_bn_add - r = a + b over k limbs; the carry out (0 or 1) */
static rsa_limb
rsa_bn_add(rsa_limb *r, const rsa_limb *a, const rsa_limb *b, size_t k)
{
	rsa_limb carry = 0;
	rsa_dlimb s;
	size_t i;

	for (i = 0; i < k; i++) {
		s = (rsa_dlimb)a[i] + b[i] + carry;
		r[i] = (rsa_limb)s;
		carry = (rsa_limb)(s >> 64);
	}
	return carry;
}

/* rsa_bn_select - r = mask ? a : b, mask all ones or zero; no branch */
static void
rsa_bn_select(rsa_limb *r, const rsa_limb *a, const rsa_limb *b, rsa_limb mask,
    size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		r[i] = (a[i] & mask) | (b[i] & ~mask);
	}
}

/* rsa_bn_mul - r = a * b, ka + kb limbs; r overlaps neither */
static void
rsa_bn_mul(rsa_limb *r, const rsa_limb *a, size_t ka, const rsa_limb *b,
    size_t kb)
{
	rsa_limb carry;
	rsa_dlimb p;
	size_t i, j;

	memset(r, 0, (ka + kb) * sizeof(*r));
	for (i = 0; i < ka; i++) {
		carry = 0;
		for (j = 0; j < kb; j++) {
			p = (rsa_dlimb)a[i] * b[j] + r[i + j] + carry;
			r[i + j] = (rsa_limb)p;
			carry = (rsa_limb)(p >> 64);
		}
		r[i + kb] = carry;
	}
}

/* rsa_acc_mac - the three-limb accumulator (c0, c1, c2) += x y; hi + the
 * carry cannot wrap, as the high limb of a product is at most 2^64 - 2 */
#define RSA_ACC_MAC(c0, c1, c2, x, y)                                    \
	do {                                                             \
		rsa_dlimb p_ = (rsa_dlimb)(x) * (y);                     \
		rsa_limb lo_ = (rsa_limb)p_, hi_ = (rsa_limb)(p_ >> 64); \
		(c0) += lo_;                                             \
		hi_ += (c0) < lo_;                                       \
		(c1) += hi_;                                             \
		(c2) += (c1) < hi_;                                      \
	} while (0)

/*
 * rsa_mont_mul_k - r = a * b / R mod m, for a < R and b < m (then the
 * result is under 2m before one conditional subtraction), m of k limbs.
 * Product scanning with the reduction interleaved (the "finely
 * integrated" order): each output limb is one column of a b + u m summed
 * in a three-limb accumulator, so the inner step is a multiply and a few
 * additions with no carry chained through memory.  Measured on x86_64
 * (RSA-2048, clang -O2, with rsa_mont_sqr): 1.8 ms per private operation
 * where operand scanning (CIOS, product and reduction fused) took 2.3 ms.
 * r may be a or b.  Inlined with a constant k for the usual sizes, so the
 * compiler specialises the loops.
 */
static inline __attribute__((always_inline)) void
rsa_mont_mul_k(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a,
    const rsa_limb *b, size_t k)
{
	rsa_limb u[RSA_FAST_NLIMBS], t[RSA_FAST_NLIMBS], s[RSA_FAST_NLIMBS];
	rsa_limb c0 = 0, c1 = 0, c2 = 0, borrow;
	const rsa_limb *m = M->m;
	size_t i, j;

	RSA_FAST_UNROLL
	for (i = 0; i < k; i++) {
		RSA_FAST_UNROLL
		for (j = 0; j < i; j++) {
			RSA_ACC_MAC(c0, c1, c2, a[j], b[i - j]);
			RSA_ACC_MAC(c0, c1, c2, u[j], m[i - j]);
		}
		RSA_ACC_MAC(c0, c1, c2, a[i], b[0]);
		/* u[i] makes this column 0 mod 2^64: it drops out */
		u[i] = c0 * M->m0inv;
		RSA_ACC_MAC(c0, c1, c2, u[i], m[0]);
		c0 = c1;
		c1 = c2;
		c2 = 0;
	}
	RSA_FAST_UNROLL
	for (i = k; i < 2 * k - 1; i++) {
		RSA_FAST_UNROLL
		for (j = i - k + 1; j < k; j++) {
			RSA_ACC_MAC(c0, c1, c2, a[j], b[i - j]);
			RSA_ACC_MAC(c0, c1, c2, u[j], m[i - j]);
		}
		t[i - k] = c0;
		c0 = c1;
		c1 = c2;
		c2 = 0;
	}
	t[k - 1] = c0;
	/* t + c1 R < 2m: subtract m unless that borrows with no top limb */
	borrow = rsa_bn_sub(s, t, m, k);
	rsa_bn_select(r, s, t, (rsa_limb)0 - (c1 | (borrow ^ 1)), k);
}

/* rsa_mont_mul - rsa_mont_mul_k, unrolled for primes of 512 and 1024
 * bits (keys of 1024 and 2048) */
static void
rsa_mont_mul(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a,
    const rsa_limb *b)
{
	switch (M->k) {
	case 8:
		rsa_mont_mul_k(M, r, a, b, 8);
		break;
	case 16:
		rsa_mont_mul_k(M, r, a, b, 16);
		break;
	default:
		rsa_mont_mul_k(M, r, a, b, M->k);
		break;
	}
}

/*
 * rsa_mont_sqr_k - r = a * a / R mod m, for a < m: rsa_mont_mul_k with
 * each cross product a[j] a[i-j] (j < i-j) taken once and doubled, which
 * saves close to half the products of a squaring; squarings are five in
 * six of the products of an exponentiation.
 */
static inline __attribute__((always_inline)) void
rsa_mont_sqr_k(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a,
    size_t k)
{
	rsa_limb u[RSA_FAST_NLIMBS], t[RSA_FAST_NLIMBS], s[RSA_FAST_NLIMBS];
	rsa_limb c0 = 0, c1 = 0, c2 = 0, d0, d1, d2, borrow;
	const rsa_limb *m = M->m;
	size_t i, j, lo;
	rsa_dlimb s0, s1;

	RSA_FAST_UNROLL
	for (i = 0; i < 2 * k - 1; i++) {
		lo = i < k ? 0 : i - k + 1;
		d0 = d1 = d2 = 0;
		RSA_FAST_UNROLL
		for (j = lo; j < i - j; j++) {
			RSA_ACC_MAC(d0, d1, d2, a[j], a[i - j]);
		}
		/* (c0, c1, c2) += 2 (d0, d1, d2): fits, as the column of
		 * a column sum is below 2k 2^128 */
		s0 = (rsa_dlimb)c0 + (d0 << 1);
		s1 = (rsa_dlimb)c1 + ((d1 << 1) | (d0 >> 63)) +
		    (rsa_limb)(s0 >> 64);
		c0 = (rsa_limb)s0;
		c1 = (rsa_limb)s1;
		c2 += ((d2 << 1) | (d1 >> 63)) + (rsa_limb)(s1 >> 64);
		if ((i & 1) == 0) {
			RSA_ACC_MAC(c0, c1, c2, a[i / 2], a[i / 2]);
		}
		RSA_FAST_UNROLL
		for (j = lo; j < i && j < k; j++) {
			RSA_ACC_MAC(c0, c1, c2, u[j], m[i - j]);
		}
		if (i < k) {
			u[i] = c0 * M->m0inv;
			RSA_ACC_MAC(c0, c1, c2, u[i], m[0]);
		} else {
			t[i - k] = c0;
		}
		c0 = c1;
		c1 = c2;
		c2 = 0;
	}
	t[k - 1] = c0;
	borrow = rsa_bn_sub(s, t, m, k);
	rsa_bn_select(r, s, t, (rsa_limb)0 - (c1 | (borrow ^ 1)), k);
}

/* rsa_mont_sqr - rsa_mont_sqr_k, unrolled as rsa_mont_mul */
static void
rsa_mont_sqr(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a)
{
	switch (M->k) {
	case 8:
		rsa_mont_sqr_k(M, r, a, 8);
		break;
	case 16:
		rsa_mont_sqr_k(M, r, a, 16);
		break;
	default:
		rsa_mont_sqr_k(M, r, a, M->k);
		break;
	}
}

/* rsa_mont_add - r = a + b mod m, for a, b < m */
static void
rsa_mont_add(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a,
    const rsa_limb *b)
{
	rsa_limb s[RSA_FAST_NLIMBS], carry, borrow;

	carry = rsa_bn_add(r, a, b, M->k);
	borrow = rsa_bn_sub(s, r, M->m, M->k);
	rsa_bn_select(r, s, r, (rsa_limb)0 - (carry | (borrow ^ 1)), M->k);
}

/* rsa_mont_sub - r = a - b mod m, for a, b < m */
static void
rsa_mont_sub(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a,
    const rsa_limb *b)
{
	rsa_limb s[RSA_FAST_NLIMBS], borrow;

	borrow = rsa_bn_sub(r, a, b, M->k);
	(void)rsa_bn_add(s, r, M->m, M->k);
	rsa_bn_select(r, s, r, (rsa_limb)0 - borrow, M->k);
}

/* rsa_mont_double - r = 2r mod m, for r < m */
static void
rsa_mont_double(const struct rsa_mont *M, rsa_limb *r)
{
	rsa_limb s[RSA_FAST_NLIMBS], out = 0, next, borrow;
	size_t i;

	for (i = 0; i < M->k; i++) {
		next = r[i] >> 63;
		r[i] = (r[i] << 1) | out;
		out = next;
	}
	borrow = rsa_bn_sub(s, r, M->m, M->k);
	rsa_bn_select(r, s, r, (rsa_limb)0 - (out | (borrow ^ 1)), M->k);
}

/* rsa_mont_pow_public - r = base^e in Montgomery form, e > 0 public (a
 * public exponent, a limb count): plain square and multiply */
static void
rsa_mont_pow_public(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *base,
    uint32_t e)
{
	int bit = 31;

	while (bit > 0 && ((e >> bit) & 1) == 0) {
		bit--;
	}
	memcpy(r, base, M->k * sizeof(*r));
	while (bit-- > 0) {
		rsa_mont_sqr(M, r, r);
		if ((e >> bit) & 1) {
			rsa_mont_mul(M, r, r, base);
		}
	}
}

/*
 * rsa_mont_init - m (k limbs, odd, top limb non-zero, > 1) as a Montgomery
 * modulus.  R^2 mod m without division: 2^(64(k-1)) < m doubled 128 times
 * is 2^64 R mod m, the Montgomery form of 2^64, whose k-th power is the
 * form of 2^(64k) = R, that is R^2 mod m.  Doublings and products are
 * constant-time, so a secret prime is safe here.
 */
static int
rsa_mont_init(struct rsa_mont *M, const rsa_limb *m, size_t k)
{
	rsa_limb x, r[RSA_FAST_NLIMBS];
	int i;

	if (k == 0 || k > RSA_FAST_NLIMBS || (m[0] & 1) == 0 || m[k - 1] == 0 ||
	    (k == 1 && m[0] == 1)) {
		return 0;
	}
	memset(M, 0, sizeof(*M));
	memcpy(M->m, m, k * sizeof(*m));
	M->k = k;
	/* Newton's iteration: m0 x = 1 mod 2^3 for odd m0, each step
	 * doubles the correct low bits (3, 6, 12, 24, 48, 96) */
	x = m[0];
	for (i = 0; i < 5; i++) {
		x *= 2 - m[0] * x;
	}
	M->m0inv = (rsa_limb)0 - x;
	memset(r, 0, sizeof(r));
	r[k - 1] = 1;
	for (i = 0; i < 128; i++) {
		rsa_mont_double(M, r);
	}
	rsa_mont_pow_public(M, M->r2, r, (uint32_t)k);
	rsa_fast_wipe(r, sizeof(r));
	return 1;
}

/* rsa_mont_to - the Montgomery form of (a mod m), a of na limbs (any
 * size): Horner over chunks of k limbs, each chunk c < R turned into
 * cR mod m by one product with R^2 */
static void
rsa_mont_to(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a, size_t na)
{
	rsa_limb chunk[RSA_FAST_NLIMBS];
	size_t k = M->k, c, lo, n;

	memset(r, 0, k * sizeof(*r));
	for (c = (na + k - 1) / k; c-- > 0;) {
		lo = c * k;
		n = na - lo < k ? na - lo : k;
		memset(chunk, 0, k * sizeof(chunk[0]));
		memcpy(chunk, a + lo, n * sizeof(chunk[0]));
		rsa_mont_mul(M, r, r, M->r2);
		rsa_mont_mul(M, chunk, chunk, M->r2);
		rsa_mont_add(M, r, r, chunk);
	}
	rsa_fast_wipe(chunk, sizeof(chunk));
}

/* rsa_mont_from - r = a / R mod m: out of Montgomery form */
static void
rsa_mont_from(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *a)
{
	rsa_limb one[RSA_FAST_NLIMBS] = { 1 };

	rsa_mont_mul(M, r, one, a);
}

/* rsa_exp_window - the bits pos .. pos+RSA_FAST_WINDOW-1 of the
 * big-endian e; the octets read depend on pos only */
static unsigned
rsa_exp_window(const unsigned char *e, size_t elen, size_t pos)
{
	unsigned w = 0, i;
	size_t bit;

	for (i = 0; i < RSA_FAST_WINDOW; i++) {
		bit = pos + i;
		if (bit < 8 * elen) {
			w |=
			    (unsigned)((e[elen - 1 - bit / 8] >> (bit % 8)) & 1)
			    << i;
		}
	}
	return w;
}

/* rsa_table_get - r = table[w], reading every entry: the index is
 * secret, so it chooses by mask, never by address */
static void
rsa_table_get(rsa_limb table[][RSA_FAST_FLIMBS], unsigned w, rsa_limb *r,
    size_t k)
{
	rsa_limb d, mask;
	size_t i, j;

	memset(r, 0, k * sizeof(*r));
	for (i = 0; i < RSA_FAST_TABLE; i++) {
		d = (rsa_limb)(i ^ w);
		mask = ((d | ((rsa_limb)0 - d)) >> 63) - 1;
		for (j = 0; j < k; j++) {
			r[j] |= table[i][j] & mask;
		}
	}
}

/*
 * rsa_mont_exp - r = base^e in Montgomery form, e secret (big-endian,
 * elen octets), m of at most RSA_FAST_FLIMBS limbs.  Fixed windows: the
 * same squarings and one product per window whatever the bits are (a zero
 * window multiplies by the form of 1).
 */
static void
rsa_mont_exp(const struct rsa_mont *M, rsa_limb *r, const rsa_limb *base,
    const unsigned char *e, size_t elen)
{
	rsa_limb table[RSA_FAST_TABLE][RSA_FAST_FLIMBS];
	rsa_limb w[RSA_FAST_NLIMBS];
	size_t k = M->k, nwin, win, i;

	rsa_mont_from(M, w, M->r2); /* R mod m: the form of 1 */
	memcpy(table[0], w, k * sizeof(w[0]));
	memcpy(table[1], base, k * sizeof(w[0]));
	for (i = 2; i < RSA_FAST_TABLE; i++) {
		rsa_mont_mul(M, table[i], table[i - 1], base);
	}
	nwin = (8 * elen + RSA_FAST_WINDOW - 1) / RSA_FAST_WINDOW;
	memcpy(r, table[0], k * sizeof(w[0]));
	for (win = nwin; win-- > 0;) {
		for (i = 0; i < RSA_FAST_WINDOW; i++) {
			rsa_mont_sqr(M, r, r);
		}
		rsa_table_get(table,
		    rsa_exp_window(e, elen, win * RSA_FAST_WINDOW), w, k);
		rsa_mont_mul(M, r, r, w);
	}
	rsa_fast_wipe(table, sizeof(table));
	rsa_fast_wipe(w, sizeof(w));
}

/* the whole working state, in one place so that one wipe clears it */
struct rsa_crt {
	struct rsa_mont mp, mq, mn;
	rsa_limb x[RSA_FAST_NLIMBS];  /* the input */
	rsa_limb n[RSA_FAST_NLIMBS];  /* p q */
	rsa_limb m1[RSA_FAST_NLIMBS]; /* c^dp mod p, Montgomery form */
	rsa_limb m2[RSA_FAST_NLIMBS]; /* c^dq mod q */
	rsa_limb t[RSA_FAST_NLIMBS];
	rsa_limb h[RSA_FAST_NLIMBS];
	rsa_limb s[RSA_FAST_NLIMBS]; /* the result */
	size_t nk;                   /* limbs of n */
};

/* rsa_crt_setup - p, q, n = p q and the input x < n; 0 on a bad key or x */
static int
rsa_crt_setup(struct rsa_crt *c, const unsigned char *x,
    const br_rsa_private_key *sk)
{
	size_t plen = sk->plen, qlen = sk->qlen;
	size_t nlen = (sk->n_bitlen + 7) / 8, bits;
	const unsigned char *p = rsa_fast_trim(sk->p, &plen);
	const unsigned char *q = rsa_fast_trim(sk->q, &qlen);
	size_t kp = (plen + 7) / 8, kq = (qlen + 7) / 8;

	if (kp > RSA_FAST_FLIMBS || kq > RSA_FAST_FLIMBS ||
	    sk->n_bitlen > RSA_FAST_MAX_BITS ||
	    !rsa_bn_decode(c->h, kp, p, plen) ||
	    !rsa_mont_init(&c->mp, c->h, kp) ||
	    !rsa_bn_decode(c->h, kq, q, qlen) ||
	    !rsa_mont_init(&c->mq, c->h, kq)) {
		return 0;
	}
	rsa_bn_mul(c->n, c->mp.m, kp, c->mq.m, kq);
	/* n is public: its exact bit length must be the key's */
	c->nk = kp + kq;
	while (c->nk > 1 && c->n[c->nk - 1] == 0) {
		c->nk--;
	}
	bits = 64 * c->nk;
	while (bits > 0 &&
	    ((c->n[(bits - 1) / 64] >> ((bits - 1) % 64)) & 1) == 0) {
		bits--;
	}
	if (bits != sk->n_bitlen || !rsa_mont_init(&c->mn, c->n, c->nk) ||
	    !rsa_bn_decode(c->x, c->nk, x, nlen)) {
		return 0;
	}
	/* x < n, as br_rsa_private requires: x is public */
	return rsa_bn_sub(c->t, c->x, c->n, c->nk) == 1;
}

/* rsa_crt_half - the Montgomery form of x^d mod the prime of M */
static void
rsa_crt_half(struct rsa_crt *c, const struct rsa_mont *M, rsa_limb *r,
    const unsigned char *d, size_t dlen)
{
	rsa_mont_to(M, c->t, c->x, c->nk);
	rsa_mont_exp(M, r, c->t, d, dlen);
}

/*
 * rsa_crt_combine - s = m2 + q (iq (m1 - m2) mod p) (Garner), m1 in
 * Montgomery form mod p, m2 in it mod q.  s < p q since h < p, m2 < q.
 */
static int
rsa_crt_combine(struct rsa_crt *c, const br_rsa_private_key *sk)
{
	size_t iqlen = sk->iqlen, kp = c->mp.k, kq = c->mq.k, i;
	const unsigned char *iq = rsa_fast_trim(sk->iq, &iqlen);
	rsa_limb carry;
	rsa_dlimb sum;

	if (!rsa_bn_decode(c->h, RSA_FAST_FLIMBS, iq, iqlen)) {
		return 0;
	}
	rsa_mont_from(&c->mq, c->m2, c->m2);
	rsa_mont_to(&c->mp, c->t, c->m2, kq);             /* (m2 mod p) R */
	rsa_mont_sub(&c->mp, c->m1, c->m1, c->t);         /* (m1 - m2) R */
	rsa_mont_to(&c->mp, c->t, c->h, RSA_FAST_FLIMBS); /* iq R */
	rsa_mont_mul(&c->mp, c->h, c->m1, c->t);
	rsa_mont_from(&c->mp, c->h, c->h); /* h = iq (m1 - m2) mod p */
	rsa_bn_mul(c->s, c->h, kp, c->mq.m, kq);
	carry = 0;
	for (i = 0; i < kp + kq; i++) {
		sum = (rsa_dlimb)c->s[i] + (i < kq ? c->m2[i] : 0) + carry;
		c->s[i] = (rsa_limb)sum;
		carry = (rsa_limb)(sum >> 64);
	}
	return 1;
}

/* rsa_crt_verify_e - s^e mod n == x (e public, odd, >= 3) */
static int
rsa_crt_verify_e(struct rsa_crt *c, uint32_t e)
{
	rsa_limb diff = 0;
	size_t i;

	if (e < 3 || (e & 1) == 0) {
		return 0;
	}
	rsa_mont_to(&c->mn, c->t, c->s, c->nk);
	rsa_mont_pow_public(&c->mn, c->h, c->t, e);
	rsa_mont_from(&c->mn, c->h, c->h);
	for (i = 0; i < c->nk; i++) {
		diff |= c->h[i] ^ c->x[i];
	}
	return diff == 0;
}

/*
 * rsa_crt_verify - the fault check (a wrong half of the CRT would give a
 * signature that reveals a prime): s^e = x for the given e, or with none
 * given for a common one, else the one BearSSL derives from the key.
 */
static int
rsa_crt_verify(struct rsa_crt *c, const br_rsa_private_key *sk, uint32_t e)
{
	size_t i;

	if (e != 0) {
		return rsa_crt_verify_e(c, e);
	}
	for (i = 0; i < sizeof(rsa_fast_e_common) / sizeof(uint32_t); i++) {
		if (rsa_crt_verify_e(c, rsa_fast_e_common[i])) {
			return 1;
		}
	}
	return rsa_crt_verify_e(c, br_rsa_compute_pubexp_get_default()(sk));
}

/* rsa_fast_crt - the whole operation over 64-bit limbs */
static uint32_t
rsa_fast_crt(unsigned char *x, const br_rsa_private_key *sk, uint32_t e)
{
	struct rsa_crt c;
	int ok;

	ok = rsa_crt_setup(&c, x, sk) && sk->dplen <= 8 * RSA_FAST_FLIMBS &&
	    sk->dqlen <= 8 * RSA_FAST_FLIMBS;
	if (ok) {
		rsa_crt_half(&c, &c.mp, c.m1, sk->dp, sk->dplen);
		rsa_crt_half(&c, &c.mq, c.m2, sk->dq, sk->dqlen);
		ok = rsa_crt_combine(&c, sk) && rsa_crt_verify(&c, sk, e);
	}
	if (ok) {
		rsa_bn_encode(x, (sk->n_bitlen + 7) / 8, c.s, c.nk);
	}
	rsa_fast_wipe(&c, sizeof(c));
	return ok ? 1 : 0;
}

/* rsa_fast_pub - x = x^e mod n over 64-bit limbs (everything public);
 * 0 when x >= n or n is no usable modulus (x unchanged) */
static uint32_t
rsa_fast_pub(unsigned char *x, size_t xlen, const unsigned char *n, size_t nlen,
    uint32_t e)
{
	struct rsa_mont M;
	rsa_limb a[RSA_FAST_NLIMBS], t[RSA_FAST_NLIMBS];
	size_t k = (nlen + 7) / 8;

	if (!rsa_bn_decode(t, RSA_FAST_NLIMBS, n, nlen) ||
	    !rsa_mont_init(&M, t, k) ||
	    !rsa_bn_decode(a, RSA_FAST_NLIMBS, x, xlen) ||
	    rsa_bn_sub(t, a, M.m, k) == 0) {
		return 0; /* the last: no borrow, so x >= n */
	}
	rsa_mont_to(&M, t, a, k);
	rsa_mont_pow_public(&M, a, t, e);
	rsa_mont_from(&M, a, a);
	rsa_bn_encode(x, xlen, a, k);
	return 1;
}

#else /* no 128-bit products: BearSSL computes, we still check */

/* rsa_fast_check - s^e = in, e public (odd, >= 3), n of nlen octets */
static int
rsa_fast_check(const unsigned char *s, const unsigned char *in,
    unsigned char *n, size_t nlen, uint32_t e)
{
	unsigned char y[RSA_FAST_MAX_BITS / 8], eb[4];
	br_rsa_public_key pk;

	if (e < 3 || (e & 1) == 0) {
		return 0;
	}
	eb[0] = (unsigned char)(e >> 24);
	eb[1] = (unsigned char)(e >> 16);
	eb[2] = (unsigned char)(e >> 8);
	eb[3] = (unsigned char)e;
	pk.n = n;
	pk.nlen = nlen;
	pk.e = eb;
	pk.elen = sizeof(eb);
	memcpy(y, s, nlen);
	return br_rsa_i31_public(y, nlen, &pk) == 1 && memcmp(y, in, nlen) == 0;
}

/* rsa_fast_crt - BearSSL's i62 (or i31) private operation, then the
 * same fault check through its public operation */
static uint32_t
rsa_fast_crt(unsigned char *x, const br_rsa_private_key *sk, uint32_t e)
{
	unsigned char n[RSA_FAST_MAX_BITS / 8], in[RSA_FAST_MAX_BITS / 8];
	br_rsa_private priv = br_rsa_i62_private_get();
	size_t nlen = (sk->n_bitlen + 7) / 8, i;
	int ok;

	if (nlen == 0 || nlen > sizeof(n) || !rsa_fast_modulus(n, nlen, sk)) {
		return 0;
	}
	memcpy(in, x, nlen);
	if (priv == 0) {
		priv = br_rsa_i31_private;
	}
	ok = priv(x, sk) == 1;
	if (ok && e != 0) {
		ok = rsa_fast_check(x, in, n, nlen, e);
	} else if (ok) {
		ok = 0;
		for (i = 0; !ok && i < sizeof(rsa_fast_e_common) / 4; i++) {
			ok = rsa_fast_check(x, in, n, nlen,
			    rsa_fast_e_common[i]);
		}
		ok = ok ||
		    rsa_fast_check(x, in, n, nlen,
			br_rsa_compute_pubexp_get_default()(sk));
	}
	if (!ok) {
		memcpy(x, in, nlen); /* no part of a faulty result leaves */
	}
	rsa_fast_wipe(in, sizeof(in));
	return ok ? 1 : 0;
}

/* rsa_fast_pub - BearSSL's public operation */
static uint32_t
rsa_fast_pub(unsigned char *x, size_t xlen, const unsigned char *n, size_t nlen,
    uint32_t e)
{
	unsigned char eb[4] = { (unsigned char)(e >> 24),
		(unsigned char)(e >> 16), (unsigned char)(e >> 8),
		(unsigned char)e };
	br_rsa_public_key pk;

	pk.n = (unsigned char *)(uintptr_t)n;
	pk.nlen = nlen;
	pk.e = eb;
	pk.elen = sizeof(eb);
	return br_rsa_public_get_default()(x, xlen, &pk);
}

#endif

uint32_t
rsa_fast_private_e(unsigned char *x, const br_rsa_private_key *sk, uint32_t e)
{
	return rsa_fast_crt(x, sk, e);
}

uint32_t
rsa_fast_private(unsigned char *x, const br_rsa_private_key *sk)
{
	return rsa_fast_crt(x, sk, 0);
}

size_t
rsa_fast_compute_modulus(void *n, const br_rsa_private_key *sk)
{
	unsigned char tmp[RSA_FAST_MAX_BITS / 8];
	size_t nlen = (sk->n_bitlen + 7) / 8;

	if (nlen == 0 || nlen > sizeof(tmp) ||
	    !rsa_fast_modulus(tmp, nlen, sk)) {
		return 0;
	}
	if (n != NULL) {
		memcpy(n, tmp, nlen);
	}
	return nlen;
}

uint32_t
rsa_fast_public(unsigned char *x, size_t xlen, const br_rsa_public_key *pk)
{
	size_t nlen = pk->nlen, elen = pk->elen, i;
	const unsigned char *n = rsa_fast_trim(pk->n, &nlen);
	const unsigned char *eb = rsa_fast_trim(pk->e, &elen);
	uint32_t e = 0;

	/* An exponent over 32 bits is legal but never seen in DKIM: BearSSL
	 * takes it. Below, as BearSSL: x has exactly the modulus' length. */
	if (elen > 4 || elen == 0) {
		return br_rsa_public_get_default()(x, xlen, pk);
	}
	for (i = 0; i < elen; i++) {
		e = (e << 8) | eb[i];
	}
	if (nlen == 0 || nlen > RSA_FAST_MAX_BITS / 8 || xlen != nlen) {
		return 0;
	}
	return rsa_fast_pub(x, xlen, n, nlen, e);
}

/* RFC 8017 9.2 note 1: the DER DigestInfo for SHA-256 before H, and the
 * same without the NULL parameters, which verifiers must also accept
 * (RFC 8017 9.2 note 2; BearSSL, used before, did) */
static const uint8_t rsa_fast_sha256_info[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06,
	0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
	0x04, 0x20 };
static const uint8_t rsa_fast_sha256_info_short[17] = { 0x30, 0x2f, 0x30, 0x0b,
	0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04,
	0x20 };

/* rsa_fast_em_is - em (len octets) is 00 01 FF..FF 00 info H, with at
 * least 8 FF (RFC 8017 8.2.2 step 4: compare with the encoding, never
 * parse it) */
static int
rsa_fast_em_is(const uint8_t *em, size_t len, const uint8_t *info,
    size_t infolen)
{
	size_t pad, i;
	uint8_t bad;

	if (len < 3 + 8 + infolen + 32) {
		return 0;
	}
	pad = len - 3 - infolen - 32;
	bad = em[0] | (em[1] ^ 0x01) | em[2 + pad];
	for (i = 0; i < pad; i++) {
		bad |= em[2 + i] ^ 0xff;
	}
	return bad == 0 && memcmp(em + 3 + pad, info, infolen) == 0;
}

int
rsa_fast_pkcs1_vrfy_sha256(const uint8_t *sig, size_t siglen,
    const br_rsa_public_key *pk, uint8_t hash[32])
{
	uint8_t em[RSA_FAST_MAX_BITS / 8];

	if (siglen > sizeof(em) || siglen < 32) {
		return 0;
	}
	memcpy(em, sig, siglen);
	if (rsa_fast_public(em, siglen, pk) != 1 ||
	    (!rsa_fast_em_is(em, siglen, rsa_fast_sha256_info,
		 sizeof(rsa_fast_sha256_info)) &&
		!rsa_fast_em_is(em, siglen, rsa_fast_sha256_info_short,
		    sizeof(rsa_fast_sha256_info_short)))) {
		return 0;
	}
	memcpy(hash, em + siglen - 32, 32);
	return 1;
}

int
rsa_fast_pkcs1_sign_sha256(const uint8_t hash[32], const br_rsa_private_key *sk,
    uint8_t *sig)
{
	const uint8_t *prefix = rsa_fast_sha256_info;
	size_t nlen = (sk->n_bitlen + 7) / 8, pad;

	/* RFC 8017 9.2 step 3: at least 8 octets of 0xff */
	if (nlen < 3 + 8 + sizeof(rsa_fast_sha256_info) + 32) {
		return 0;
	}
	pad = nlen - 3 - sizeof(rsa_fast_sha256_info) - 32;
	sig[0] = 0x00;
	sig[1] = 0x01;
	memset(sig + 2, 0xff, pad);
	sig[2 + pad] = 0x00;
	memcpy(sig + 3 + pad, prefix, sizeof(rsa_fast_sha256_info));
	memcpy(sig + 3 + pad + sizeof(rsa_fast_sha256_info), hash, 32);
	return rsa_fast_private(sig, sk) == 1;
}

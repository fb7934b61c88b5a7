/*
 * rsa_fast.h - the RSA private operation (CRT) used to sign DKIM and ARC.
 *
 * BearSSL's br_rsa_i62_private is portable C over 62-bit limbs; on the
 * appliance it is about 3 times slower than OpenSSL, and DKIM signing is
 * mostly that one operation.  This is our own: 64-bit limbs multiplied
 * through unsigned __int128, Montgomery multiplication, a fixed 5-bit window
 * with a table read in full on every lookup, the CRT recombination, and a
 * check of the result with the public exponent so that a fault in one half
 * of the CRT (the Bellcore attack) never leaves the process as a signature.
 * Without __int128 the same functions run BearSSL's i62 (or i31) code, with
 * the same check.
 *
 * Constant time: no branch and no memory index depends on the message, the
 * primes or the exponents; only the sizes (octet lengths of p, q, dp, dq,
 * iq and the modulus) shape the work.  No malloc: every buffer is on the
 * stack, sized for RSA_FAST_MAX_BITS (factors up to RSA_FAST_FACTOR_BITS,
 * of equal or unequal sizes); the secret ones are wiped before return.
 * Ownership: the caller owns x, sk and sig.
 */
#ifndef SK_RSA_FAST_H
#define SK_RSA_FAST_H

#include <stdint.h>

#include <bearssl.h>

/* BearSSL's own limits (its inner.h, not public): a modulus of 4096 bits,
 * a prime of half that plus 32 bits (keys of unequal primes) */
#define RSA_FAST_MAX_BITS 4096
#define RSA_FAST_FACTOR_BITS ((RSA_FAST_MAX_BITS + 64) / 2)

/*
 * rsa_fast_private - x = x^d mod n in place, x big-endian of the modulus
 * length ((sk->n_bitlen + 7) / 8 octets): exactly br_rsa_private's
 * contract.  1 on success; 0 when the key is malformed or too large, when
 * x >= n, or when the result does not verify with the public exponent
 * (then x holds no part of the result).  The public exponent is found
 * as dkim_sign.c finds it: 65537, 3, 5, 17 or 257, else
 * br_rsa_compute_pubexp (primes 3 mod 4).
 */
uint32_t rsa_fast_private(unsigned char *x, const br_rsa_private_key *sk);

/* rsa_fast_private_e - the same with the public exponent given (e odd,
 * >= 3; 0 means "find it" as rsa_fast_private does) */
uint32_t rsa_fast_private_e(unsigned char *x, const br_rsa_private_key *sk,
    uint32_t e);

/*
 * rsa_fast_compute_modulus - n = p q of sk into n (when not NULL), big
 * endian in (n_bitlen + 7) / 8 octets; that length, or 0 on error, like
 * br_rsa_compute_modulus, whose i31 version (BearSSL's default) returns 0
 * for 4096-bit keys.
 */
size_t rsa_fast_compute_modulus(void *n, const br_rsa_private_key *sk);

/*
 * rsa_fast_public - x = x^e mod n in place, br_rsa_public's contract: x
 * has exactly the modulus' length (leading zeros of n not counted) and
 * is below n; 1, or 0 on error. Everything here is public, so plain
 * square and multiply over the same Montgomery code as the private
 * operation (about 6 times BearSSL's i62 speed for RSA-2048, e = 65537);
 * an exponent over 32 bits goes to BearSSL.
 */
uint32_t rsa_fast_public(unsigned char *x, size_t xlen,
    const br_rsa_public_key *pk);

/*
 * rsa_fast_pkcs1_vrfy_sha256 - RSASSA-PKCS1-v1_5 verification (RFC 8017
 * 8.2.2) of a SHA-256 signature: 1 and the signed hash in hash when sig
 * opens to an EMSA-PKCS1-v1_5 encoding (DigestInfo with or without NULL
 * parameters, at least 8 octets of 0xff), else 0. The caller compares
 * the hash, as with br_rsa_pkcs1_vrfy.
 */
int rsa_fast_pkcs1_vrfy_sha256(const uint8_t *sig, size_t siglen,
    const br_rsa_public_key *pk, uint8_t hash[32]);

/*
 * rsa_fast_pkcs1_sign_sha256 - the EMSA-PKCS1-v1_5 signature (RFC 8017
 * 8.2.1, 9.2) of a SHA-256 hash in sig, the modulus length in octets;
 * 1 on success, 0 on error, like br_rsa_pkcs1_sign.
 */
int rsa_fast_pkcs1_sign_sha256(const uint8_t hash[32],
    const br_rsa_private_key *sk, uint8_t *sig);

#endif /* SK_RSA_FAST_H */

/*
 * totp.h - one-time codes for the second factor of CLI logins: HOTP
 * (RFC 4226) over HMAC-SHA-1 from BearSSL, TOTP (RFC 6238) with 30-second
 * steps, and the strict base32 decoder (RFC 4648 section 6) for the
 * secrets as the model stores them (sk-t:base32-secret).
 *
 * Pure: no allocation, no I/O, no clock (the caller passes Unix time).
 * The secret is the caller's; the decoded key is wiped by the caller.
 */
#ifndef CLI_TOTP_H
#define CLI_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define TOTP_STEP 30    /* seconds per step: RFC 6238 4.1 default X */
#define TOTP_DIGITS 6   /* what authenticator apps show */
#define TOTP_DRIFT 1    /* steps accepted either side: RFC 6238 5.2 */
#define TOTP_KEY_MAX 80 /* octets: the model's 128 base32 characters */
#define TOTP_BASE32_MAX 128

/*
 * totp_base32_decode - RFC 4648 section 6 base32 of in[len] into out[cap]
 * (*outlen octets). Strict, so one secret has one spelling: upper-case
 * A-Z and 2-7 only, no padding, no white space, the length of a whole
 * number of octets (len % 8 in 0, 2, 4, 5, 7) and the unused low bits of
 * the last character zero. SK_E_SYNTAX for anything else, SK_E_TOO_LONG
 * when out is too small; out is wiped on error.
 */
enum sk_result totp_base32_decode(const char *in, size_t len, uint8_t *out,
    size_t cap, size_t *outlen);

/*
 * totp_hotp - the HOTP value of counter under key (RFC 4226 5.3: dynamic
 * truncation of HMAC-SHA-1), reduced to digits decimal digits (1..9)
 */
uint32_t totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter,
    unsigned digits);

/* totp_step - the RFC 6238 time step of Unix time now (T0 = 0) */
uint64_t totp_step(uint64_t now);

/*
 * totp_verify - whether code[len] (exactly TOTP_DIGITS ASCII digits) is
 * the code of one of the steps now-TOTP_DRIFT .. now+TOTP_DRIFT that is
 * later than last_used (0: none used yet), so that a code is accepted
 * once only (RFC 6238 5.2). Every candidate is computed and compared in
 * constant time. Returns 1 with the step matched in *step, else 0.
 */
int totp_verify(const uint8_t *key, size_t keylen, const char *code, size_t len,
    uint64_t now, uint64_t last_used, uint64_t *step);

#endif /* CLI_TOTP_H */

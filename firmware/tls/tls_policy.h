/*
 * tls_policy.h - what a cipher policy and a minimum version mean, for
 * both ends: the cipher suite lists (one table, in preference order), the
 * protocol versions, the engine options, and the engine's random seed.
 *
 *   modern      ECDHE with AEAD (ChaCha20-Poly1305, AES-GCM); TLS 1.2
 *               only, whatever the minimum says: AEAD suites exist only
 *               in TLS 1.2 (RFC 5246), so an older client could never
 *               agree on a suite and is refused with protocol_version.
 *   compatible  modern, then ECDHE with AES-CBC and HMAC-SHA256/384
 *               (TLS 1.2) and HMAC-SHA1 (any version).
 *   legacy      compatible, then static RSA key exchange (no forward
 *               secrecy) and finally 3DES. Never where TLS is required.
 *
 * The exact lists are in README.md. Nothing here owns memory.
 */
#ifndef SK_TLS_POLICY_H
#define SK_TLS_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "../config/config.h"
#include "sk.h"

#define TLS_POLICY_SUITES_MAX 32 /* room for the longest list (legacy) */
#define TLS_POLICY_SEED_LEN 32   /* octets of OS entropy per engine */

/*
 * tls_policy_suites - the suites of policy c, in our preference order,
 * into out[cap]; returns how many (the list is cut at cap).
 */
size_t tls_policy_suites(enum config_ciphers c, uint16_t *out, size_t cap);

/* tls_policy_allows - whether suite is in the list of policy c */
int tls_policy_allows(enum config_ciphers c, uint16_t suite);

/* tls_policy_min_version - BR_TLS10..BR_TLS12 for a minimum and policy */
unsigned tls_policy_min_version(enum config_tls_version v,
    enum config_ciphers c);

/*
 * tls_policy_suite_name - the OpenSSL name of a suite of our table
 * ("ECDHE-RSA-AES128-GCM-SHA256"), or NULL. *bits and *alg_bits (when not
 * NULL) get the effective and nominal symmetric key sizes (3DES: 112 and
 * 168), as Postfix prints them in Received headers: "(112/168 bits)".
 */
const char *tls_policy_suite_name(uint16_t suite, unsigned *bits,
    unsigned *alg_bits);

/*
 * tls_policy_apply - set versions, suites and options of an engine that
 * br_ssl_{client,server}_init_full* prepared: no renegotiation (RFC 5746
 * renegotiation buys SMTP nothing and costs a DoS surface) and, for a
 * server, its own order of preference.
 */
void tls_policy_apply(br_ssl_engine_context *eng, enum config_tls_version v,
    enum config_ciphers c, int server);

/*
 * tls_policy_seed - give the engine TLS_POLICY_SEED_LEN octets from
 * getentropy(2). BearSSL's own seeder reads /dev/urandom, which does not
 * exist in a chroot; getentropy is a system call. SK_E_IO if it fails.
 * Fuzz builds (SK_FUZZ) use a fixed seed so runs replay (STYLE.md 10).
 */
enum sk_result tls_policy_seed(br_ssl_engine_context *eng);

/* tls_policy_random - fill out[len] (len <= 256) from getentropy(2) */
enum sk_result tls_policy_random(void *out, size_t len);

#endif /* SK_TLS_POLICY_H */

/*
 * tls_policy.c - cipher suite lists, versions and engine setup.
 */
#include <string.h>
#include <unistd.h>

#include "tls_policy.h"

struct tls_policy_suite {
	uint16_t id;
	enum config_ciphers level; /* the first policy that has it */
	const char *name;          /* as OpenSSL names it */
	unsigned bits, alg_bits;
};

/*
 * One list, most preferred first; a policy takes the rows of its level
 * and below. The order, from the most important rule down:
 *   - forward secrecy (ECDHE) before static RSA key exchange;
 *   - AEAD before CBC with HMAC (no padding oracles, RFC 7457 2.1);
 *   - ChaCha20-Poly1305 before AES-GCM: constant-time and fast on every
 *     board (BearSSL 0.6 has AES instructions on x86 only, so an ARM64
 *     box would run the slower bitsliced AES);
 *   - AES-128 before AES-256 (strong enough, and cheaper);
 *   - 3DES last of all (64-bit blocks, RFC 7457 2.4 / "Sweet32").
 * ECDSA and RSA rows alternate: the server picks the ones its key can
 * sign, a client offers both.
 */
static const struct tls_policy_suite tls_policy_table[] = {
	{ BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	    CONFIG_CIPHERS_MODERN, "ECDHE-ECDSA-CHACHA20-POLY1305", 256, 256 },
	{ BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, CONFIG_CIPHERS_MODERN,
	    "ECDHE-RSA-CHACHA20-POLY1305", 256, 256 },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CONFIG_CIPHERS_MODERN,
	    "ECDHE-ECDSA-AES128-GCM-SHA256", 128, 128 },
	{ BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CONFIG_CIPHERS_MODERN,
	    "ECDHE-RSA-AES128-GCM-SHA256", 128, 128 },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, CONFIG_CIPHERS_MODERN,
	    "ECDHE-ECDSA-AES256-GCM-SHA384", 256, 256 },
	{ BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CONFIG_CIPHERS_MODERN,
	    "ECDHE-RSA-AES256-GCM-SHA384", 256, 256 },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-ECDSA-AES128-SHA256", 128, 128 },
	{ BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-RSA-AES128-SHA256", 128, 128 },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-ECDSA-AES256-SHA384", 256, 256 },
	{ BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-RSA-AES256-SHA384", 256, 256 },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-ECDSA-AES128-SHA", 128, 128 },
	{ BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-RSA-AES128-SHA", 128, 128 },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-ECDSA-AES256-SHA", 256, 256 },
	{ BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, CONFIG_CIPHERS_COMPATIBLE,
	    "ECDHE-RSA-AES256-SHA", 256, 256 },
	{ BR_TLS_RSA_WITH_AES_128_GCM_SHA256, CONFIG_CIPHERS_LEGACY,
	    "AES128-GCM-SHA256", 128, 128 },
	{ BR_TLS_RSA_WITH_AES_256_GCM_SHA384, CONFIG_CIPHERS_LEGACY,
	    "AES256-GCM-SHA384", 256, 256 },
	{ BR_TLS_RSA_WITH_AES_128_CBC_SHA256, CONFIG_CIPHERS_LEGACY,
	    "AES128-SHA256", 128, 128 },
	{ BR_TLS_RSA_WITH_AES_256_CBC_SHA256, CONFIG_CIPHERS_LEGACY,
	    "AES256-SHA256", 256, 256 },
	{ BR_TLS_RSA_WITH_AES_128_CBC_SHA, CONFIG_CIPHERS_LEGACY, "AES128-SHA",
	    128, 128 },
	{ BR_TLS_RSA_WITH_AES_256_CBC_SHA, CONFIG_CIPHERS_LEGACY, "AES256-SHA",
	    256, 256 },
	{ BR_TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA, CONFIG_CIPHERS_LEGACY,
	    "ECDHE-ECDSA-DES-CBC3-SHA", 112, 168 },
	{ BR_TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, CONFIG_CIPHERS_LEGACY,
	    "ECDHE-RSA-DES-CBC3-SHA", 112, 168 },
	{ BR_TLS_RSA_WITH_3DES_EDE_CBC_SHA, CONFIG_CIPHERS_LEGACY,
	    "DES-CBC3-SHA", 112, 168 },
};

size_t
tls_policy_suites(enum config_ciphers c, uint16_t *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < SK_NELEM(tls_policy_table) && n < cap; i++) {
		if (tls_policy_table[i].level <= c) {
			out[n++] = tls_policy_table[i].id;
		}
	}
	return n;
}

/* tls_policy_row - the table row of a suite, or NULL */
static const struct tls_policy_suite *
tls_policy_row(uint16_t suite)
{
	size_t i;

	for (i = 0; i < SK_NELEM(tls_policy_table); i++) {
		if (tls_policy_table[i].id == suite) {
			return &tls_policy_table[i];
		}
	}
	return NULL;
}

int
tls_policy_allows(enum config_ciphers c, uint16_t suite)
{
	const struct tls_policy_suite *row = tls_policy_row(suite);

	return row != NULL && row->level <= c;
}

const char *
tls_policy_suite_name(uint16_t suite, unsigned *bits, unsigned *alg_bits)
{
	const struct tls_policy_suite *row = tls_policy_row(suite);

	if (bits != NULL) {
		*bits = row != NULL ? row->bits : 0;
	}
	if (alg_bits != NULL) {
		*alg_bits = row != NULL ? row->alg_bits : 0;
	}
	return row != NULL ? row->name : NULL;
}

unsigned
tls_policy_min_version(enum config_tls_version v, enum config_ciphers c)
{
	if (c == CONFIG_CIPHERS_MODERN) {
		return BR_TLS12; /* AEAD suites exist only in TLS 1.2 */
	}
	switch (v) {
	case CONFIG_TLS_1_0:
		return BR_TLS10;
	case CONFIG_TLS_1_1:
		return BR_TLS11;
	case CONFIG_TLS_1_2:
	default:
		return BR_TLS12;
	}
}

void
tls_policy_apply(br_ssl_engine_context *eng, enum config_tls_version v,
    enum config_ciphers c, int server)
{
	uint16_t suites[TLS_POLICY_SUITES_MAX];
	size_t n;

	n = tls_policy_suites(c, suites, SK_NELEM(suites));
	br_ssl_engine_set_versions(eng, tls_policy_min_version(v, c), BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, n);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	if (server) {
		/* our order puts forward secrecy and AEAD first */
		br_ssl_engine_add_flags(eng, BR_OPT_ENFORCE_SERVER_PREFERENCES);
	}
}

enum sk_result
tls_policy_random(void *out, size_t len)
{
#ifdef SK_FUZZ
	memset(out, 0x5a, len);
	return SK_OK;
#else
	/* getentropy(3): at most 256 octets per call */
	if (len > 256 || getentropy(out, len) != 0) {
		return SK_E_IO;
	}
	return SK_OK;
#endif
}

enum sk_result
tls_policy_seed(br_ssl_engine_context *eng)
{
	uint8_t seed[TLS_POLICY_SEED_LEN];

	if (tls_policy_random(seed, sizeof(seed)) != SK_OK) {
		return SK_E_IO;
	}
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	return SK_OK;
}

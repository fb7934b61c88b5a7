/*
 * fuzz_tls_pem.c - libFuzzer target for the PEM chain, key and CA bundle
 * parsers (tls_pem.h).
 *
 * The first octet picks the parser: 0 chain, 1 key, 2 CA bundle, 3 a
 * chain and a key split at the first NUL, then whether they match.
 * Invariants: on success every certificate lies inside the chain's
 * storage and the lengths add up, a key has a supported type and size,
 * anchors stay within their pool and count; err is always one
 * NUL-terminated line that starts with the file's name on failure.
 */
#include <stdlib.h>
#include <string.h>

#include "tls_pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_chain - the certificates tile c->der */
static void
check_chain(const struct tls_chain *c)
{
	size_t i, off = 0;

	if (c->n == 0 || c->n > TLS_CHAIN_MAX || c->len > sizeof(c->der)) {
		abort();
	}
	for (i = 0; i < c->n; i++) {
		if (c->certs[i].data != c->der + off) {
			abort();
		}
		off += c->certs[i].data_len;
	}
	if (off != c->len ||
	    (c->key_type != BR_KEYTYPE_RSA && c->key_type != BR_KEYTYPE_EC)) {
		abort();
	}
}

static void
check_key(const struct tls_key *k)
{
	if (k->type == BR_KEYTYPE_RSA ?
		k->bits < TLS_RSA_MIN_BITS || k->bits > TLS_RSA_MAX_BITS :
		k->type != BR_KEYTYPE_EC ||
		    (k->bits != 256 && k->bits != 384)) {
		abort();
	}
}

static void
check_err(enum sk_result r, const char *err, size_t size)
{
	if (memchr(err, '\0', size) == NULL ||
	    (r != SK_OK && strncmp(err, "f: ", 3) != 0)) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_chain c;
	static struct tls_key k;
	struct tls_anchors a;
	const uint8_t *nul;
	enum sk_result r;
	char err[TLS_PEM_ERR_MAX];

	if (size < 1) {
		return 0;
	}
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	switch (data[0] & 3) {
	case 0:
		r = tls_pem_chain(&c, data + 1, size - 1, "f", err,
		    sizeof(err));
		if (r == SK_OK) {
			check_chain(&c);
		}
		break;
	case 1:
		r = tls_pem_key(&k, data + 1, size - 1, "f", err, sizeof(err));
		if (r == SK_OK) {
			check_key(&k);
		} else if (k.type != 0) {
			abort(); /* no key left behind */
		}
		break;
	case 2:
		r = tls_pem_anchors(&a, data + 1, size - 1, "f", err,
		    sizeof(err));
		if (r == SK_OK) {
			if (a.n == 0 || a.n + a.skipped > TLS_CA_MAX ||
			    a.used > a.cap) {
				abort();
			}
			tls_anchors_free(&a);
		}
		break;
	default:
		nul = memchr(data + 1, '\0', size - 1);
		if (nul == NULL) {
			return 0;
		}
		r = tls_pem_chain(&c, data + 1, (size_t)(nul - data - 1), "f",
		    err, sizeof(err));
		if (r != SK_OK ||
		    tls_pem_key(&k, nul + 1, size - (size_t)(nul - data) - 1,
			"f", err, sizeof(err)) != SK_OK) {
			break;
		}
		r = tls_pem_key_matches(&k, &c, "f", "g", err, sizeof(err));
		break;
	}
	check_err(r, err, sizeof(err));
	return 0;
}

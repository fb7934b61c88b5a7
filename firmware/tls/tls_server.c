/*
 * tls_server.c - per-listener server contexts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_policy.h"
#include "tls_server.h"

/* tls_server_alloc - an empty context with the policy and its cache */
static struct tls_server *
tls_server_alloc(enum config_tls_version v, enum config_ciphers c)
{
	struct tls_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		return NULL;
	}
	s->min_version = v;
	s->ciphers = c;
	br_ssl_session_cache_lru_init(&s->cache, s->cache_store,
	    sizeof(s->cache_store));
	return s;
}

enum sk_result
tls_server_new_files(struct tls_server **out, const char *cert_path,
    const char *key_path, enum config_tls_version v, enum config_ciphers c,
    char *err, size_t errlen)
{
	struct tls_server *s;
	enum sk_result r;

	*out = NULL;
	if ((s = tls_server_alloc(v, c)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", cert_path);
		return SK_E_FULL;
	}
	if ((r = tls_pem_chain_file(&s->chain, cert_path, err, errlen)) !=
		SK_OK ||
	    (r = tls_pem_key_file(&s->key, key_path, err, errlen)) != SK_OK ||
	    (r = tls_pem_key_matches(&s->key, &s->chain, key_path, cert_path,
		 err, errlen)) != SK_OK) {
		tls_server_free(s);
		return r;
	}
	*out = s;
	return SK_OK;
}

enum sk_result
tls_server_new_pem(struct tls_server **out, const uint8_t *cert_pem,
    size_t cert_len, const uint8_t *key_pem, size_t key_len,
    enum config_tls_version v, enum config_ciphers c, char *err, size_t errlen)
{
	struct tls_server *s;
	enum sk_result r;

	*out = NULL;
	if ((s = tls_server_alloc(v, c)) == NULL) {
		snprintf(err, errlen, "certificate: out of memory");
		return SK_E_FULL;
	}
	if ((r = tls_pem_chain(&s->chain, cert_pem, cert_len, "certificate",
		 err, errlen)) != SK_OK ||
	    (r = tls_pem_key(&s->key, key_pem, key_len, "key", err, errlen)) !=
		SK_OK ||
	    (r = tls_pem_key_matches(&s->key, &s->chain, "key", "certificate",
		 err, errlen)) != SK_OK) {
		tls_server_free(s);
		return r;
	}
	*out = s;
	return SK_OK;
}

enum sk_result
tls_server_new(struct tls_server **out, const struct config_certificate *cert,
    const struct config_listener *l, const char *root_dir, char *err,
    size_t errlen)
{
	char crt[CONFIG_PATH_SIZE * 2], key[CONFIG_PATH_SIZE * 2];

	*out = NULL;
	if (tls_pem_path(root_dir, cert->cert_file, crt, sizeof(crt)) !=
		SK_OK ||
	    tls_pem_path(root_dir, cert->key_file, key, sizeof(key)) != SK_OK) {
		snprintf(err, errlen, "certificate %s: path too long",
		    cert->name);
		return SK_E_TOO_LONG;
	}
	return tls_server_new_files(out, crt, key, l->tls_min_version,
	    l->tls_ciphers, err, errlen);
}

void
tls_server_free(struct tls_server *s)
{
	if (s == NULL) {
		return;
	}
	tls_key_wipe(&s->key);
	/* the cache holds master secrets of resumable sessions */
	explicit_bzero(s->cache_store, sizeof(s->cache_store));
	free(s);
}

void
tls_server_setup(struct tls_server *s, br_ssl_server_context *cc)
{
	if (s->key.type == BR_KEYTYPE_RSA) {
		br_ssl_server_init_full_rsa(cc, s->chain.certs, s->chain.n,
		    &s->key.rsa);
	} else {
		br_ssl_server_init_full_ec(cc, s->chain.certs, s->chain.n,
		    (unsigned)s->chain.signer_key_type, &s->key.ec);
	}
	tls_policy_apply(&cc->eng, s->min_version, s->ciphers, 1);
	br_ssl_server_set_cache(cc, &s->cache.vtable);
}

/*
 * tls_server.h - the TLS server side of one listener: its certificate
 * chain and private key, its minimum version and cipher policy
 * (tls_policy.h), and a session cache shared by its connections.
 *
 * Built once per listener when the smtp process starts (before chroot:
 * it reads the files), then used by every connection through
 * tls_conn_server (tls_conn.h). RSA certificates (2048..4096 bits) and
 * ECDSA certificates (P-256, P-384) are served; the key must match the
 * leaf certificate.
 *
 * Ownership: tls_server_new allocates the context (about 100 KiB,
 * mostly the session cache); exactly one tls_server_free releases it,
 * after the last connection that uses it was freed. The private key lives
 * in this process for now; moving it to a key-holder process (STYLE.md
 * 15) means replacing br_ssl_server_set_single_* with a policy class that
 * asks that process to sign, which tls_server_setup keeps in one place.
 */
#ifndef SK_TLS_SERVER_H
#define SK_TLS_SERVER_H

#include <stddef.h>

#include <bearssl.h>

#include "../config/config.h"
#include "sk.h"
#include "tls_pem.h"

/* Resumption cache per listener: BearSSL's LRU entries are 100 octets,
 * so about 650 sessions; the oldest is dropped when it is full. */
#define TLS_SESSION_CACHE_BYTES (64u * 1024)

/* Fields are private to tls/ (tls_conn.c reads them). */
struct tls_server {
	struct tls_chain chain;
	struct tls_key key;
	enum config_tls_version min_version;
	enum config_ciphers ciphers;
	br_ssl_session_cache_lru cache;
	unsigned char cache_store[TLS_SESSION_CACHE_BYTES];
};

/*
 * tls_server_new - the context of a listener that presents cert. Paths
 * in cert are model paths, opened under root_dir (config
 * root-directory). On failure *out is NULL and err says which file is
 * wrong and how (tls_pem.h); SK_E_FULL when out of memory.
 */
enum sk_result tls_server_new(struct tls_server **out,
    const struct config_certificate *cert, const struct config_listener *l,
    const char *root_dir, char *err, size_t errlen);

/* tls_server_new_files - the same from two file names and a policy */
enum sk_result tls_server_new_files(struct tls_server **out,
    const char *cert_path, const char *key_path, enum config_tls_version v,
    enum config_ciphers c, char *err, size_t errlen);

/* tls_server_new_pem - the same from PEM texts in memory (the texts are
 * copied; errors name "certificate" and "key") */
enum sk_result tls_server_new_pem(struct tls_server **out,
    const uint8_t *cert_pem, size_t cert_len, const uint8_t *key_pem,
    size_t key_len, enum config_tls_version v, enum config_ciphers c, char *err,
    size_t errlen);

/* tls_server_free - wipe the key and free; NULL is fine */
void tls_server_free(struct tls_server *s);

/* tls_server_setup - prepare cc for one connection (tls_conn.c) */
void tls_server_setup(struct tls_server *s, br_ssl_server_context *cc);

#endif /* SK_TLS_SERVER_H */

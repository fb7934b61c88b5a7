/*
 * tls_selfsigned.h - the box's own certificates, for certificate entries
 * with "self-signed" in the config.
 *
 * tls_selfsigned_make generates a key (RSA 2048 or 3072 with
 * br_rsa_keygen, ECDSA P-256 with br_ec_keygen) and an X.509 v3
 * certificate written by tls_der.h:
 *   serial          16 random octets (positive, RFC 5280 4.1.2.2)
 *   issuer, subject CN=name
 *   validity        from now for the given number of days
 *   extensions      basicConstraints CA:FALSE (critical), keyUsage
 *                   digitalSignature (+ keyEncipherment for RSA: the
 *                   legacy policy's RSA key exchange) (critical),
 *                   extKeyUsage serverAuth, subjectAltName dNSName=name
 *   signature       sha256WithRSAEncryption or ecdsa-with-SHA256
 * as PEM: the certificate, and the key as PKCS#8 "PRIVATE KEY".
 *
 * tls_selfsigned_ensure keeps the files of one entry current: it writes
 * them when they are absent or unusable (no key, key not matching), when
 * the certificate expires within TLS_SELFSIGNED_RENEW_DAYS, or when it
 * no longer fits the entry (another key type, or it does not name the
 * entry's name, e.g. after the server name changed). Files are replaced
 * atomically (temporary file, fsync, rename, fsync of the folder), the key
 * first, mode 0600, the certificate 0644; missing folders are made 0700.
 * A crash between the two renames leaves a key that does not match the
 * old certificate, which the next call repairs.
 *
 * Runs in the parent at start (it writes /config). Nothing is kept:
 * buffers are the caller's, key material is wiped before returning.
 */
#ifndef SK_TLS_SELFSIGNED_H
#define SK_TLS_SELFSIGNED_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "sk.h"

#define TLS_SELFSIGNED_RENEW_DAYS 30 /* remake this long before expiry */
#define TLS_SELFSIGNED_SERIAL_LEN 16 /* RFC 5280 4.1.2.2: at most 20 */
#define TLS_SELFSIGNED_PEM_MAX 4096  /* one PEM file (RSA-3072 key: 2.5 KiB) */

/*
 * tls_selfsigned_make - a new key and certificate for name, valid from
 * now (seconds since 1970) for days, as NUL-terminated PEM text in
 * cert_pem and key_pem (TLS_SELFSIGNED_PEM_MAX each). SK_E_RANGE for a
 * name that is not a host name, SK_E_IO without entropy or when key
 * generation fails.
 */
enum sk_result tls_selfsigned_make(enum config_key_type type, const char *name,
    unsigned days, int64_t now, char cert_pem[TLS_SELFSIGNED_PEM_MAX],
    char key_pem[TLS_SELFSIGNED_PEM_MAX], char *err, size_t errlen);

/*
 * tls_selfsigned_ensure - keep the files of cert current (rules above),
 * at time now; *made tells whether new files were written. server_name
 * is the name when cert has no common-name; root_dir as for config
 * paths. A certificate entry that is not self-signed is left alone.
 */
enum sk_result tls_selfsigned_ensure(const struct config_certificate *cert,
    const char *server_name, const char *root_dir, int64_t now, int *made,
    char *err, size_t errlen);

#endif /* SK_TLS_SELFSIGNED_H */

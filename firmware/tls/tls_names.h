/*
 * tls_names.h - names for logs: protocol versions, alerts, and BearSSL
 * error codes with a short explanation (cipher suite names live with the
 * suite lists, in tls_policy.h).
 *
 * Everything here is a constant table; nothing owns memory.
 */
#ifndef SK_TLS_NAMES_H
#define SK_TLS_NAMES_H

#include <stddef.h>

#define TLS_NAMES_ERR_MAX 128 /* room for any tls_names_error text */

/* tls_names_version - "TLSv1.2"...; "unknown" for anything else */
const char *tls_names_version(unsigned version);

/*
 * tls_names_error - one line for a BearSSL error code (br_ssl_engine_
 * last_error, or an X.509 error): "X509_NOT_TRUSTED: certificate chain
 * does not lead to a trusted CA", or for alerts "received fatal alert
 * handshake_failure (40)". Writes at most size octets with a NUL.
 */
void tls_names_error(int err, char *out, size_t size);

/* tls_names_alert - "handshake_failure"...; "unknown" otherwise */
const char *tls_names_alert(unsigned alert);

#endif /* SK_TLS_NAMES_H */

/*
 * tls_x509.h - the certificate fields BearSSL does not hand out, and name
 * matching.
 *
 * tls_x509_parse reads a DER certificate (a peer's, or one of our own
 * files) far enough to find its validity dates, the subject common name
 * and the subjectAltName extension; tls_x509_host_ok decides whether the
 * certificate names a host as RFC 6125 6.4 says: DNS-IDs (dNSName
 * entries) when there is any, else the last subject CN; exact match
 * ignoring ASCII case, or a wildcard "*" that is the whole left-most
 * label of a name with at least two more labels ("*.example.org" matches
 * "mx.example.org", never "example.org", "a.b.example.org" nor "*.org").
 * Partial wildcards ("mx*.example.org") never match (RFC 6125 7.2).
 *
 * Sans-I/O and total: any octet string gives SK_OK or SK_E_SYNTAX, reads
 * stay inside (der, len), nothing is allocated. The info struct holds
 * views into der, valid while der is.
 */
#ifndef SK_TLS_X509_H
#define SK_TLS_X509_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define TLS_X509_NAME_MAX 253 /* RFC 1035 2.3.4: a name's text */
#define TLS_X509_LABEL_MAX 63 /* RFC 1035 2.3.4 */

struct tls_x509_info {
	int64_t not_before, not_after; /* seconds since 1970-01-01 UTC */
	const uint8_t *cn;             /* last subject CN, or NULL */
	size_t cn_len;
	const uint8_t *san; /* GeneralNames content, or NULL */
	size_t san_len;
	size_t ndns; /* dNSName entries in it */
};

struct tls_x509_iter {
	const uint8_t *p;
	size_t len;
};

/* tls_x509_parse - SK_OK and *info, or SK_E_SYNTAX */
enum sk_result tls_x509_parse(const uint8_t *der, size_t len,
    struct tls_x509_info *info);

/* tls_x509_dns_first, _next - walk the dNSName entries; next gives 0 at
 * the end */
void tls_x509_dns_first(const struct tls_x509_info *info,
    struct tls_x509_iter *it);
int tls_x509_dns_next(struct tls_x509_iter *it, const uint8_t **name,
    size_t *len);

/* tls_x509_match - whether one presented name matches host (rules above;
 * a trailing dot on either is ignored) */
int tls_x509_match(const uint8_t *pattern, size_t plen, const char *host);

/* tls_x509_is_hostname - letters, digits, hyphens; dot-separated
 * labels of 1 to 63 octets; at most TLS_X509_NAME_MAX (a trailing dot
 * is not allowed) */
int tls_x509_is_hostname(const char *name);

/* tls_x509_host_ok - whether the certificate names host (rules above) */
int tls_x509_host_ok(const struct tls_x509_info *info, const char *host);

#endif /* SK_TLS_X509_H */

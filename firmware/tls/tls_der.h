/*
 * tls_der.h - a small DER writer (ITU-T X.690 10), enough for our own
 * self-signed certificates: constructed elements opened and closed in
 * order, primitive elements, INTEGERs from big-endian octets.
 *
 * Writes forward into a caller buffer. A constructed element reserves one
 * length octet when opened; closing it writes the definite length in
 * the fewest octets (DER), moving the content when the length needs more
 * than one. Overflow, too deep nesting or unbalanced closes are recorded
 * once in w->err, so a certificate is written straight through and
 * checked at the end. Nothing is allocated.
 */
#ifndef SK_TLS_DER_H
#define SK_TLS_DER_H

#include <stddef.h>
#include <stdint.h>

#define TLS_DER_DEPTH_MAX 8 /* a certificate nests 6 deep */

#define TLS_DER_INTEGER 0x02
#define TLS_DER_BIT_STRING 0x03
#define TLS_DER_OCTET_STRING 0x04
#define TLS_DER_NULL 0x05
#define TLS_DER_OID 0x06
#define TLS_DER_UTF8_STRING 0x0c
#define TLS_DER_UTC_TIME 0x17
#define TLS_DER_GENERALIZED_TIME 0x18
#define TLS_DER_SEQUENCE 0x30
#define TLS_DER_SET 0x31

struct tls_der {
	uint8_t *p;
	size_t cap, len;
	size_t open[TLS_DER_DEPTH_MAX]; /* offsets of reserved length octets */
	size_t depth;
	int err;
};

void tls_der_init(struct tls_der *w, uint8_t *p, size_t cap);
/* tls_der_begin - open a constructed element (SEQUENCE, [0]...) */
void tls_der_begin(struct tls_der *w, uint8_t tag);
/* tls_der_end - close the innermost open element */
void tls_der_end(struct tls_der *w);
/* tls_der_put - a primitive element with n octets of content */
void tls_der_put(struct tls_der *w, uint8_t tag, const void *v, size_t n);
/* tls_der_raw - octets already in DER (a whole element) */
void tls_der_raw(struct tls_der *w, const void *v, size_t n);
/* tls_der_uint - a non-negative INTEGER of big-endian octets */
void tls_der_uint(struct tls_der *w, const uint8_t *be, size_t n);
/* tls_der_bits - a BIT STRING of whole octets (no unused bits) */
void tls_der_bits(struct tls_der *w, const void *v, size_t n);
/* tls_der_done - 0 and the length when balanced and nothing overflowed */
int tls_der_done(const struct tls_der *w, size_t *len);

#endif /* SK_TLS_DER_H */

/*
 * tls_der.c - DER writer (X.690 8.1.3: definite lengths, 10.1: shortest).
 */
#include <string.h>

#include "tls_der.h"

void
tls_der_init(struct tls_der *w, uint8_t *p, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->cap = cap;
}

/* tls_der_room - whether n more octets fit; records overflow */
static int
tls_der_room(struct tls_der *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return 0;
	}
	return 1;
}

/* tls_der_len_octets - octets after the first for a long-form length */
static size_t
tls_der_len_octets(size_t len)
{
	size_t n = 0;

	if (len < 0x80) {
		return 0;
	}
	for (; len > 0; len >>= 8) {
		n++;
	}
	return n;
}

/* tls_der_header - tag and length */
static void
tls_der_header(struct tls_der *w, uint8_t tag, size_t len)
{
	size_t extra = tls_der_len_octets(len), i;

	if (!tls_der_room(w, 2 + extra)) {
		return;
	}
	w->p[w->len++] = tag;
	if (extra == 0) {
		w->p[w->len++] = (uint8_t)len;
		return;
	}
	w->p[w->len++] = (uint8_t)(0x80 | extra);
	for (i = extra; i > 0; i--) {
		w->p[w->len++] = (uint8_t)(len >> (8 * (i - 1)));
	}
}

void
tls_der_begin(struct tls_der *w, uint8_t tag)
{
	if (w->depth == TLS_DER_DEPTH_MAX) {
		w->err = 1;
	}
	if (!tls_der_room(w, 2)) {
		return;
	}
	w->p[w->len++] = tag;
	w->open[w->depth++] = w->len;
	w->p[w->len++] = 0; /* the length, set by tls_der_end */
}

void
tls_der_end(struct tls_der *w)
{
	size_t at, content, extra, i;

	if (w->err || w->depth == 0) {
		w->err = 1;
		return;
	}
	at = w->open[--w->depth];
	content = w->len - at - 1;
	extra = tls_der_len_octets(content);
	if (extra == 0) {
		w->p[at] = (uint8_t)content;
		return;
	}
	if (!tls_der_room(w, extra)) {
		return;
	}
	memmove(w->p + at + 1 + extra, w->p + at + 1, content);
	w->p[at] = (uint8_t)(0x80 | extra);
	for (i = 0; i < extra; i++) {
		w->p[at + 1 + i] = (uint8_t)(content >> (8 * (extra - 1 - i)));
	}
	w->len += extra;
}

void
tls_der_raw(struct tls_der *w, const void *v, size_t n)
{
	if (n == 0 || !tls_der_room(w, n)) {
		return; /* n == 0: v may be NULL (the NULL element) */
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

void
tls_der_put(struct tls_der *w, uint8_t tag, const void *v, size_t n)
{
	tls_der_header(w, tag, n);
	tls_der_raw(w, v, n);
}

void
tls_der_uint(struct tls_der *w, const uint8_t *be, size_t n)
{
	static const uint8_t zero = 0;
	int pad;

	/* X.690 8.3.2: no redundant leading zero octets; a leading 0 when
	 * the top bit is set, or the number would read as negative */
	while (n > 1 && be[0] == 0) {
		be++;
		n--;
	}
	if (n == 0) {
		be = &zero;
		n = 1;
	}
	pad = (be[0] & 0x80) != 0;
	tls_der_header(w, TLS_DER_INTEGER, n + (size_t)pad);
	if (pad) {
		tls_der_raw(w, &zero, 1);
	}
	tls_der_raw(w, be, n);
}

void
tls_der_bits(struct tls_der *w, const void *v, size_t n)
{
	static const uint8_t unused = 0;

	tls_der_header(w, TLS_DER_BIT_STRING, n + 1);
	tls_der_raw(w, &unused, 1);
	tls_der_raw(w, v, n);
}

int
tls_der_done(const struct tls_der *w, size_t *len)
{
	if (w->err || w->depth != 0) {
		return -1;
	}
	*len = w->len;
	return 0;
}

/*
 * msg_body.c - ordered fields in message bodies (msg_body.h).
 */
#include <string.h>

#include "msg_body.h"

#define MSG_BODY_STR_MAX 65535u

void
msg_body_writer_init(struct msg_body_writer *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
}

/* put_bytes - append n octets, or mark the writer failed */
static void
put_bytes(struct msg_body_writer *w, const void *b, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return;
	}
	if (n > 0) {
		memcpy(w->p + w->len, b, n);
	}
	w->len += n;
}

/* put_be - v as n big-endian octets */
static void
put_be(struct msg_body_writer *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < n; i++) {
		b[n - 1 - i] = (uint8_t)(v >> (8 * i));
	}
	put_bytes(w, b, n);
}

void
msg_body_put_u8(struct msg_body_writer *w, uint8_t v)
{
	put_be(w, v, 1);
}

void
msg_body_put_u32(struct msg_body_writer *w, uint32_t v)
{
	put_be(w, v, 4);
}

void
msg_body_put_u64(struct msg_body_writer *w, uint64_t v)
{
	put_be(w, v, 8);
}

void
msg_body_put_str(struct msg_body_writer *w, const char *s, size_t len)
{
	/* Check the whole field first: a failed writer holds no half field. */
	if (len > MSG_BODY_STR_MAX || w->err || 2 + len > w->cap - w->len) {
		w->err = 1;
		return;
	}
	put_be(w, len, 2);
	put_bytes(w, s, len);
}

void
msg_body_put_cstr(struct msg_body_writer *w, const char *s)
{
	msg_body_put_str(w, s, strlen(s));
}

void
msg_body_reader_init(struct msg_body_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

/* get_be - n big-endian octets, or 0 and the reader failed */
static uint64_t
get_be(struct msg_body_reader *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (r->err || n > r->len - r->off) {
		r->err = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		v = v << 8 | r->p[r->off + i];
	}
	r->off += n;
	return v;
}

uint8_t
msg_body_get_u8(struct msg_body_reader *r)
{
	return (uint8_t)get_be(r, 1);
}

uint32_t
msg_body_get_u32(struct msg_body_reader *r)
{
	return (uint32_t)get_be(r, 4);
}

uint64_t
msg_body_get_u64(struct msg_body_reader *r)
{
	return get_be(r, 8);
}

size_t
msg_body_get_str(struct msg_body_reader *r, char *out, size_t size)
{
	size_t n = (size_t)get_be(r, 2);

	if (size > 0) {
		out[0] = '\0';
	}
	if (r->err || n >= size || n > r->len - r->off ||
	    memchr(r->p + r->off, '\0', n) != NULL) {
		r->err = 1;
		return 0;
	}
	memcpy(out, r->p + r->off, n);
	out[n] = '\0';
	r->off += n;
	return n;
}

int
msg_body_end(struct msg_body_reader *r)
{
	if (r->off != r->len) {
		r->err = 1;
	}
	return r->err ? -1 : 0;
}

/* msg_header_block_ok - see msg_body.h */
int
msg_header_block_ok(const uint8_t *p, size_t len)
{
	size_t i, name = 0;

	if (len == 0) {
		return 1;
	}
	if (len < 2 || p[len - 2] != '\r' || p[len - 1] != '\n') {
		return 0;
	}
	/* RFC 5322 2.2: ftext is %d33-57 / %d59-126, then ':' */
	while (
	    name < len && p[name] >= 33 && p[name] <= 126 && p[name] != ':') {
		name++;
	}
	if (name == 0 || name == len || p[name] != ':') {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (p[i] == '\0') {
			return 0;
		}
		if (p[i] == '\r' && (i + 1 >= len || p[i + 1] != '\n')) {
			return 0;
		}
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
			return 0;
		}
	}
	return 1;
}

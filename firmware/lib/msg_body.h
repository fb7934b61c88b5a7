/*
 * msg_body.h - fields inside a message body, written and read in order.
 *
 * Bodies of msg.h messages are sequences of fields, all big-endian:
 *	u8, u32, u64   fixed-size integers
 *	str            u16 length, then that many octets (no NUL on the wire)
 * A writer over a caller buffer records overflow once (w->err) instead of
 * failing every call, so a message is composed straight through and checked
 * at the end. A reader is total: a field that runs past the body, a string
 * longer than the caller's limit, or bytes left over at msg_body_end are
 * errors (r->err), never reads out of bounds. Any reader error means the
 * peer broke the protocol (msg.h: the process calls fatal()).
 *
 * Strings read with msg_body_get_str are copied into caller storage and
 * NUL-terminated; a string that contains a NUL is an error, so every
 * string that crosses a socketpair is a C string on arrival.
 */
#ifndef SK_MSG_BODY_H
#define SK_MSG_BODY_H
#include <stddef.h>
#include <stdint.h>

struct msg_body_writer {
	uint8_t *p;
	size_t cap, len;
	int err; /* set once a field did not fit */
};

struct msg_body_reader {
	const uint8_t *p;
	size_t len, off;
	int err; /* set once a field was missing or malformed */
};

void msg_body_writer_init(struct msg_body_writer *w, uint8_t *p, size_t cap);
void msg_body_put_u8(struct msg_body_writer *w, uint8_t v);
void msg_body_put_u32(struct msg_body_writer *w, uint32_t v);
void msg_body_put_u64(struct msg_body_writer *w, uint64_t v);
/* msg_body_put_str - len octets (at most 65535); s need not be a C string */
void msg_body_put_str(struct msg_body_writer *w, const char *s, size_t len);
/* msg_body_put_cstr - a C string */
void msg_body_put_cstr(struct msg_body_writer *w, const char *s);

void msg_body_reader_init(struct msg_body_reader *r, const uint8_t *p,
    size_t len);
uint8_t msg_body_get_u8(struct msg_body_reader *r);
uint32_t msg_body_get_u32(struct msg_body_reader *r);
uint64_t msg_body_get_u64(struct msg_body_reader *r);
/*
 * msg_body_get_str - copy a string into out[size] with a NUL; the string
 * must be shorter than size and hold no NUL. Returns its length.
 */
size_t msg_body_get_str(struct msg_body_reader *r, char *out, size_t size);
/* msg_body_end - 0 if every field was read and nothing is left over */
int msg_body_end(struct msg_body_reader *r);

/*
 * msg_header_block_ok - 1 when p[0..len) is a block of header fields that
 * may go before a message (Q_COMMIT, P_VERDICT, M_DELIVER prepend): empty,
 * or lines that each end in CRLF, with no other CR or LF, no NUL, the
 * first line starting with a field name and a colon (RFC 5322 2.2)
 */
int msg_header_block_ok(const uint8_t *p, size_t len);

#endif /* SK_MSG_BODY_H */

/*
 * mime_decode.h - streaming Content-Transfer-Encoding decoders (RFC 2045
 * section 6): base64 and quoted-printable, fed in pieces of any size.
 *
 * Lenient like the mail readers the walker has to agree with: base64
 * skips characters outside its alphabet and restarts after padding (two
 * encodings glued together still decode), quoted-printable keeps a
 * malformed "=" sequence as it is. Every such repair sets a flag, so a
 * policy can treat the part as suspicious; nothing ever fails.
 *
 * Ownership: the caller owns the struct and the output buffer; nothing
 * is allocated. An update of n input octets writes at most
 * MIME_DECODE_OUT(n) octets, final at most MIME_DECODE_OUT(0).
 */
#ifndef SK_MIME_DECODE_H
#define SK_MIME_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* white space held back at the end of a quoted-printable line (RFC 2045
 * 6.7 rule 3 deletes it before a line break); a longer run is content */
#define MIME_QP_HOLD_MAX 128

/* most octets one update of n input octets (or final, n = 0) writes */
#define MIME_DECODE_OUT(n) ((n) + MIME_QP_HOLD_MAX + 4)

enum mime_cte {
	MIME_CTE_7BIT = 0, /* also: no Content-Transfer-Encoding field */
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_BASE64,
	MIME_CTE_QP,
	MIME_CTE_OTHER, /* x-uuencode, x-gzip64...: passed through undecoded */
};

/* repairs the decoder made, in struct mime_decoder.flags */
#define MIME_DEC_F_BAD_CHAR 0x01  /* base64: octet outside the alphabet */
#define MIME_DEC_F_TRUNCATED 0x02 /* base64: input ended inside a group */
#define MIME_DEC_F_AFTER_PAD 0x04 /* base64: data after "=" padding */
#define MIME_DEC_F_BAD_QP 0x08    /* QP: "=" not followed by hex or EOL */

struct mime_decoder {
	enum mime_cte cte;
	unsigned flags;
	uint32_t bits;  /* base64: sextets so far in this group */
	uint8_t nsext;  /* base64: how many (0..3) */
	uint8_t padded; /* base64: "=" seen, group over */
	uint8_t qp;     /* QP: state, see mime_decode.c */
	uint8_t qp_hex; /* QP: first hex digit after "=" */
	uint8_t hold[MIME_QP_HOLD_MAX];
	size_t nhold;
};

/* mime_decoder_init - a fresh decoder for one body */
void mime_decoder_init(struct mime_decoder *d, enum mime_cte cte);

/*
 * mime_decoder_update - decode in[0..len) into out, which has room for
 * MIME_DECODE_OUT(len) octets; returns the octets written.
 */
size_t mime_decoder_update(struct mime_decoder *d, const uint8_t *in,
    size_t len, uint8_t *out);

/*
 * mime_decoder_final - the end of the body: write what was held back
 * (at most MIME_DECODE_OUT(0) octets) and return how many.
 */
size_t mime_decoder_final(struct mime_decoder *d, uint8_t *out);

/* mime_cte_parse - the encoding named by a field value (case-insensitive,
 * white space and comments around it ignored) */
enum mime_cte mime_cte_parse(const uint8_t *v, size_t len);

/* mime_cte_name - stable lower-case name of an encoding */
const char *mime_cte_name(enum mime_cte cte);

#endif /* SK_MIME_DECODE_H */

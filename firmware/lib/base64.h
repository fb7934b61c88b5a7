/*
 * base64.h - one strict base64 codec (RFC 4648 section 4) for everyone.
 *
 * The decoder accepts exactly one encoding of each octet string: only the
 * standard alphabet, "=" only as the last one or two characters, a
 * character count (padding included) that is a multiple of 4, and the
 * unused bits of the last group zero (RFC 4648 3.5). Without that, two
 * different texts could carry the same credentials or signature, and a
 * log or a comparison of the text would lie.
 *
 * The one thing callers differ on is white space, so it is an option:
 *   BASE64_STRICT           any white space is an error (SASL, RFC 4954 4:
 *                           a response is one base64 token);
 *   BASE64_SKIP_WHITESPACE  SP, HTAB, CR and LF are ignored anywhere, also
 *                           among and after the "=" (DKIM tag values, RFC
 *                           6376 2.11 and 3.5: base64 may be folded).
 * Everything else is the same in both modes.
 *
 * Both functions take (buffer, length), never read past it, write only
 * into the caller's out[cap] and allocate nothing.
 */
#ifndef SK_BASE64_H
#define SK_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/* BASE64_LEN - characters that encode n octets (padded), without the NUL */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

enum base64_flags {
	BASE64_STRICT = 0,
	BASE64_SKIP_WHITESPACE = 1 << 0,
};

/* base64_sextets[c] - the 6-bit value of c plus one, 0 when c is not of
 * the alphabet: for decoders that look up every octet (base64_value is
 * the same as a function) */
extern const uint8_t base64_sextets[256];

/*
 * base64_value - the 6-bit value of a character of the standard alphabet
 * (RFC 4648 table 1), -1 for any other octet, "=" included. For decoders
 * with rules of their own (the lenient MIME one, mime/mime_decode.c).
 */
int base64_value(uint8_t c);

/* base64_is_space - SP, HTAB, CR or LF: what BASE64_SKIP_WHITESPACE skips */
int base64_is_space(uint8_t c);

/*
 * base64_decode - decode in[0..len) into out[cap], *outlen octets.
 * flags: enum base64_flags. SK_OK (len 0, or only skipped white space,
 * decodes to nothing); SK_E_SYNTAX for anything but the one encoding;
 * SK_E_TOO_LONG if the octets do not fit in cap. On an error *outlen is 0
 * and whatever was written to out is wiped (it may be a secret).
 */
enum sk_result base64_decode(const uint8_t *in, size_t len, unsigned flags,
    uint8_t *out, size_t cap, size_t *outlen);

/*
 * base64_encode - in[0..len) as padded base64 in out[cap], NUL-ended,
 * *outlen characters (BASE64_LEN(len)). SK_E_TOO_LONG if that and the NUL
 * do not fit; out is then "" (when cap > 0) and *outlen 0.
 */
enum sk_result base64_encode(const uint8_t *in, size_t len, char *out,
    size_t cap, size_t *outlen);

#endif /* SK_BASE64_H */

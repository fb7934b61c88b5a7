/*
 * mime_param.h - structured MIME header values: Content-Type and
 * Content-Disposition (RFC 2045 5.1, RFC 2183), their parameters with
 * RFC 2231 continuations and charsets, and RFC 2047 encoded words in
 * names.
 *
 * Everything here takes (buffer, length) of a field value (the part
 * after the colon, folding included), never reads past it, never
 * allocates, and writes only into the caller's fixed-size structs.
 * Input from the wire is hostile: every loop is bounded by the input
 * length or a named constant.
 *
 * Names are octets in a declared charset. We do no charset conversion:
 * struct mime_text keeps the octets and the charset's name, and says
 * (MIME_TEXT_UTF8) when the octets are UTF-8 (declared utf-8 or
 * us-ascii, undeclared but valid UTF-8 (RFC 6532), or plain ASCII).
 */
#ifndef SK_MIME_PARAM_H
#define SK_MIME_PARAM_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define MIME_TOKEN_MAX 64           /* type or subtype kept, NUL included */
#define MIME_CHARSET_MAX 40         /* a charset name kept (RFC 2978 names) */
#define MIME_NAME_MAX 1024          /* a decoded file name kept, octets */
#define MIME_NAME_TAIL 256          /* of which the end of an overlong name */
#define MIME_PARAM_SECTIONS_MAX 100 /* RFC 2231 3: name*0 .. name*99 */
#define MIME_COMMENT_DEPTH_MAX 8    /* nested (comments) skipped */

/* struct mime_text.flags */
#define MIME_TEXT_UTF8 0x01      /* the octets are valid UTF-8 */
#define MIME_TEXT_TRUNCATED 0x02 /* longer than MIME_NAME_MAX: head...tail */
#define MIME_TEXT_ENCODED 0x04   /* RFC 2231 or RFC 2047 decoding was used */
#define MIME_TEXT_MIXED 0x08     /* pieces in more than one charset */
#define MIME_TEXT_BAD 0x10       /* malformed encoding, kept as written */
#define MIME_TEXT_DUP 0x20       /* the parameter appeared more than once */

/*
 * A decoded name. An overlong one keeps its first
 * MIME_NAME_MAX - MIME_NAME_TAIL - 3 octets, "...", and its last
 * MIME_NAME_TAIL octets: the extension, which file rules look at, is
 * never lost.
 */
struct mime_text {
	uint8_t text[MIME_NAME_MAX + 1]; /* NUL after len (may hold NULs) */
	size_t len;
	char charset[MIME_CHARSET_MAX]; /* lower case; "" if none declared */
	unsigned flags;
	/* private: the writer's state */
	uint64_t total;
	size_t tail;
};

/* mime_text_init / mime_text_put / mime_text_finish - append octets
 * (head and tail kept when overlong), then finish sets len and flags */
void mime_text_init(struct mime_text *t);
void mime_text_put(struct mime_text *t, const uint8_t *p, size_t n);
void mime_text_finish(struct mime_text *t);

/*
 * mime_ctype_parse - "type/subtype" at the start of a Content-Type
 * value, lower-cased into type and subtype (MIME_TOKEN_MAX each, longer
 * ones truncated). *params is set to the offset where the parameters
 * begin. SK_E_SYNTAX (type and subtype "") if there is no valid
 * type/subtype: RFC 2045 5.2 then says text/plain.
 */
enum sk_result mime_ctype_parse(const uint8_t *v, size_t len, char *type,
    char *subtype, size_t *params);

/*
 * mime_token_parse - the first token of a value (a disposition type),
 * lower-cased into out[MIME_TOKEN_MAX]; *params as above. SK_E_SYNTAX if
 * there is none.
 */
enum sk_result mime_token_parse(const uint8_t *v, size_t len, char *out,
    size_t *params);

/*
 * mime_param_get - the value of parameter name (case-insensitive) in the
 * parameter list v[0..len) (the value after the type), decoded into out:
 * RFC 2231 name* (charset'lang'%XX), name*0 name*1* ... continuations
 * (the extended form wins over a plain one), RFC 2047 encoded words
 * inside a plain value (not allowed there, but sent by common mail
 * programs). SK_OK if found, SK_END if absent (out is then empty).
 */
enum sk_result mime_param_get(const uint8_t *v, size_t len, const char *name,
    struct mime_text *out);

/*
 * mime_param_raw - the first plain (not RFC 2231) parameter name in
 * v[0..len), as it is written: *val points into v, *quoted says whether
 * it was a quoted string (whose backslash escapes are then still in it).
 * SK_OK or SK_END.
 */
enum sk_result mime_param_raw(const uint8_t *v, size_t len, const char *name,
    const uint8_t **val, size_t *vlen, int *quoted);

/*
 * mime_words_decode - RFC 2047 encoded words (B and Q) in unstructured
 * text; text between them that is only white space is dropped (RFC 2047
 * 6.2). Appends to out (call mime_text_finish after).
 */
void mime_words_decode(const uint8_t *in, size_t len, struct mime_text *out);

/* mime_utf8_valid - whether p[0..n) is well-formed UTF-8 (RFC 3629) */
int mime_utf8_valid(const uint8_t *p, size_t n);

#endif /* SK_MIME_PARAM_H */

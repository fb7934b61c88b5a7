/*
 * mta_reply.h - the SMTP client's reply parser (RFC 5321 4.2).
 *
 * Untrusted input: every line a remote SMTP server sends. The parser is
 * sans-I/O: it takes one line at a time (CRLF already removed by lib's
 * buf_line splitter, which refuses bare CR and LF), never allocates,
 * never modifies its input, and keeps at most MTA_REPLY_TEXT_MAX octets
 * of text, sanitized to printable ASCII so that it can go into a log
 * line, an M_RESULT and a bounce without further care.
 *
 *   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                   Reply-code [ SP textstring ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39
 *
 * Every line of a reply must carry the same code. The enhanced status
 * code (RFC 3463 "class.subject.detail", announced per RFC 2034) is taken
 * from the first line when its class matches the reply code's first
 * digit; a mismatching one is plain text. It is removed from the text of
 * every line that carries it.
 *
 * Ownership: the caller owns struct mta_reply; text views point into the
 * caller's line.
 */
#ifndef SK_MTA_REPLY_H
#define SK_MTA_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/*
 * RFC 5321 4.5.3.1.5 allows 512 octets per reply line; real servers send
 * longer ones (long EHLO AUTH lists, verbose rejections). We accept up to
 * 2048 with the CRLF, like Postfix's line_length_limit, and fail the
 * session on anything longer.
 */
#define MTA_REPLY_LINE_MAX 2048
#define MTA_REPLY_LINES_MAX 128 /* local: lines in one reply */
#define MTA_REPLY_TEXT_MAX 1024 /* local: text kept, NUL included */
#define MTA_ENH_MAX 10          /* "5.123.456" and its NUL (RFC 3463) */
#define MTA_ENH_DIGITS_MAX 3    /* RFC 3463 2: subject and detail */

struct mta_reply {
	uint16_t code;         /* 0 before the first line */
	char enh[MTA_ENH_MAX]; /* "" or the enhanced status code */
	size_t nlines;
	int done; /* the final line arrived */
	int cut;  /* text was longer than MTA_REPLY_TEXT_MAX */
	size_t textlen;
	char text[MTA_REPLY_TEXT_MAX]; /* lines joined by one SP */
};

/* mta_reply_init - empty, ready for the first line of a reply */
void mta_reply_init(struct mta_reply *r);

/*
 * mta_reply_line - add one line (without CRLF) to the reply.
 * SK_NEED_MORE: a continuation line, more follow; SK_OK: the final line,
 * the reply is complete (r->done); SK_E_SYNTAX: not a reply line, or a
 * code different from the first line's; SK_E_TOO_LONG: more than
 * MTA_REPLY_LINES_MAX lines. On SK_OK and SK_NEED_MORE, *text and
 * *textlen (either may be NULL) view this line's text after the code,
 * separator and enhanced status code.
 */
enum sk_result mta_reply_line(struct mta_reply *r, const uint8_t *line,
    size_t len, const uint8_t **text, size_t *textlen);

/*
 * mta_enh_parse - an RFC 3463 status code at p[0..len) whose class is
 * cls ('2', '4' or '5'), followed by SP or the end. Returns the octets
 * to skip (the code and one SP), 0 if there is none; out gets the code.
 */
size_t mta_enh_parse(const uint8_t *p, size_t len, char cls,
    char out[MTA_ENH_MAX]);

/* mta_reply_class - 2, 3, 4 or 5: the first digit of the code */
static inline int
mta_reply_class(const struct mta_reply *r)
{
	return r->code / 100;
}

#endif /* SK_MTA_REPLY_H */

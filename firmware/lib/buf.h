/*
 * buf.h - bounded byte buffers and a CRLF line splitter.
 *
 * struct buf wraps storage the caller owns: it never allocates and never
 * grows past the capacity given to buf_init. Bytes are appended at the end
 * and consumed from the front; buf_compact moves what is left to the start.
 *
 * struct buf_line splits a byte stream into CRLF-terminated lines of at
 * most a given length, the way the SMTP server reads commands. It is
 * sans-I/O: it looks at the caller's unconsumed bytes and says how many
 * to consume. The contract of buf_line_next:
 *
 *   - the caller ALWAYS consumes *used bytes from the front of its input,
 *     whatever the result, and next time passes the remaining bytes
 *     followed by any new ones;
 *   - SK_OK: a line of *linelen bytes starts at buf[0] (CRLF excluded);
 *   - SK_NEED_MORE: no complete line yet, read more input;
 *   - SK_E_TOO_LONG, SK_E_BARE_LF, SK_E_BARE_CR: one bad line has been
 *     consumed completely (through its LF), so that the caller answers
 *     once per bad line and the next call starts at a line boundary.
 *
 * A line is ended by the first LF. RFC 5321 2.3.8: CR and LF appear in
 * SMTP only together as CRLF; a lone LF or a lone CR inside a line is an
 * error, never a line end (this is what defeats "SMTP smuggling").
 * A line longer than the limit is discarded as it streams in, without
 * holding it, and reported once, when its LF arrives.
 */
#ifndef SK_BUF_H
#define SK_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/*
 * Line limits of RFC 5321, including the CRLF. Extensions may raise them
 * (RFC 5321 4.5.3.1): the SMTP server passes its own limit to
 * buf_line_init when it has announced such an extension.
 */
#define BUF_SMTP_CMD_MAX 512   /* RFC 5321 4.5.3.1.4: command line */
#define BUF_SMTP_REPLY_MAX 512 /* RFC 5321 4.5.3.1.5: reply line */
#define BUF_SMTP_TEXT_MAX 1000 /* RFC 5321 4.5.3.1.6: text line */
#define BUF_LINE_MIN 2         /* a limit must leave room for CRLF */

struct buf {
	uint8_t *data;
	size_t cap; /* bytes of storage */
	size_t off; /* first unconsumed byte */
	size_t len; /* end of unconsumed bytes; off <= len <= cap */
};

/* buf_init - wrap cap bytes of caller storage, empty */
void buf_init(struct buf *b, uint8_t *storage, size_t cap);
/* buf_append - copy n bytes in; SK_E_FULL (and nothing copied) if no room */
enum sk_result buf_append(struct buf *b, const void *p, size_t n);
/* buf_consume - drop n unconsumed bytes from the front; n <= buf_len */
void buf_consume(struct buf *b, size_t n);
/* buf_compact - move unconsumed bytes to the start of storage */
void buf_compact(struct buf *b);
/* buf_space - compact, then return the free tail and its size */
uint8_t *buf_space(struct buf *b, size_t *avail);
/* buf_commit - count n bytes written into the tail from buf_space */
void buf_commit(struct buf *b, size_t n);

/* buf_head - first unconsumed byte */
static inline const uint8_t *
buf_head(const struct buf *b)
{
	return b->data + b->off;
}

/* buf_len - number of unconsumed bytes */
static inline size_t
buf_len(const struct buf *b)
{
	return b->len - b->off;
}

struct buf_line {
	size_t max;     /* longest line, CRLF included */
	size_t scanned; /* bytes already known to hold no LF */
	int discarding; /* inside a line that went over max */
};

/* buf_line_init - a splitter for lines of at most max bytes with CRLF */
void buf_line_init(struct buf_line *l, size_t max);
/* buf_line_next - find the next line in buf; see the contract above */
enum sk_result buf_line_next(struct buf_line *l, const uint8_t *buf, size_t len,
    size_t *linelen, size_t *used);

#endif /* SK_BUF_H */

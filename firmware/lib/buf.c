/*
 * buf.c - bounded byte buffers and the CRLF line splitter.
 */
#include <string.h>

#include "buf.h"

/* buf_init - wrap cap bytes of caller storage, empty */
void
buf_init(struct buf *b, uint8_t *storage, size_t cap)
{
	b->data = storage;
	b->cap = cap;
	b->off = 0;
	b->len = 0;
}

/* buf_compact - move unconsumed bytes to the start of storage */
void
buf_compact(struct buf *b)
{
	if (b->off == 0) {
		return;
	}
	memmove(b->data, b->data + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

/* buf_append - copy n bytes in; SK_E_FULL (and nothing copied) if no room */
enum sk_result
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n > b->cap - buf_len(b)) {
		return SK_E_FULL;
	}
	if (n > b->cap - b->len) {
		buf_compact(b);
	}
	if (n > 0) {
		memcpy(b->data + b->len, p, n);
	}
	b->len += n;
	return SK_OK;
}

/* buf_consume - drop n unconsumed bytes from the front; n <= buf_len */
void
buf_consume(struct buf *b, size_t n)
{
	if (n > buf_len(b)) {
		n = buf_len(b);
	}
	b->off += n;
	if (b->off == b->len) {
		b->off = 0;
		b->len = 0;
	}
}

/* buf_space - compact, then return the free tail and its size */
uint8_t *
buf_space(struct buf *b, size_t *avail)
{
	buf_compact(b);
	*avail = b->cap - b->len;
	return b->data + b->len;
}

/* buf_commit - count n bytes written into the tail from buf_space */
void
buf_commit(struct buf *b, size_t n)
{
	if (n > b->cap - b->len) {
		n = b->cap - b->len;
	}
	b->len += n;
}

/* buf_line_init - a splitter for lines of at most max bytes with CRLF */
void
buf_line_init(struct buf_line *l, size_t max)
{
	l->max = max < BUF_LINE_MIN ? BUF_LINE_MIN : max;
	l->scanned = 0;
	l->discarding = 0;
}

/* buf_line_discard - skip the rest of an over-long line */
static enum sk_result
buf_line_discard(struct buf_line *l, const uint8_t *buf, size_t len,
    size_t *used)
{
	const uint8_t *lf;

	lf = len > 0 ? memchr(buf, '\n', len) : NULL;
	if (lf == NULL) {
		*used = len;
		return SK_NEED_MORE;
	}
	*used = (size_t)(lf - buf) + 1;
	l->discarding = 0;
	return SK_E_TOO_LONG;
}

/* buf_line_end - judge a line whose LF is at buf[i] */
static enum sk_result
buf_line_end(const uint8_t *buf, size_t i, size_t *linelen, size_t *used)
{
	*used = i + 1;
	/* RFC 5321 2.3.8: a line ends with CRLF, never a bare LF. */
	if (i == 0 || buf[i - 1] != '\r') {
		return SK_E_BARE_LF;
	}
	/* RFC 5321 2.3.8: no CR other than the one of the CRLF. */
	if (i > 1 && memchr(buf, '\r', i - 1) != NULL) {
		return SK_E_BARE_CR;
	}
	*linelen = i - 1;
	return SK_OK;
}

/* buf_line_next - find the next line in buf; see the contract in buf.h */
enum sk_result
buf_line_next(struct buf_line *l, const uint8_t *buf, size_t len,
    size_t *linelen, size_t *used)
{
	const uint8_t *lf = NULL;
	enum sk_result r;
	size_t limit, start;

	*linelen = 0;
	*used = 0;
	if (l->discarding) {
		return buf_line_discard(l, buf, len, used);
	}
	limit = len < l->max ? len : l->max;
	start = l->scanned <= limit ? l->scanned : 0;
	if (start < limit) {
		lf = memchr(buf + start, '\n', limit - start);
	}
	if (lf != NULL) {
		l->scanned = 0;
		return buf_line_end(buf, (size_t)(lf - buf), linelen, used);
	}
	if (len < l->max) {
		l->scanned = len;
		return SK_NEED_MORE;
	}
	/* No LF within max bytes: the line is too long wherever it ends. */
	l->scanned = 0;
	l->discarding = 1;
	r = buf_line_discard(l, buf + limit, len - limit, used);
	*used += limit;
	return r;
}

/*
 * queue_pickup.c - the pickup file's codec (queue_pickup.h): sans-I/O,
 * bounded, total.
 */
#include <stdio.h>
#include <string.h>

#include "queue_pickup.h"

/* queue_pickup_addr_ok - n octets that may be an ADDR */
static int
queue_pickup_addr_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || n > QUEUE_PICKUP_ADDR_MAX) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '<' ||
		    s[i] == '>') {
			return 0;
		}
	}
	return 1;
}

enum sk_result
queue_pickup_head(const char *sender, const char *const *rcpts, size_t nrcpts,
    size_t len, char *out, size_t cap, size_t *used)
{
	size_t i, n;
	int k;

	*used = 0;
	if (nrcpts == 0 ||
	    (sender[0] != '\0' &&
		!queue_pickup_addr_ok((const uint8_t *)sender,
		    strlen(sender)))) {
		return SK_E_SYNTAX;
	}
	if (nrcpts > QUEUE_PICKUP_RCPTS_MAX || len > QUEUE_PICKUP_MAX) {
		return SK_E_RANGE;
	}
	k = snprintf(out, cap, QUEUE_PICKUP_MAGIC "sender %s\n", sender);
	if (k < 0 || (size_t)k >= cap) {
		return SK_E_FULL;
	}
	n = (size_t)k;
	for (i = 0; i < nrcpts; i++) {
		if (!queue_pickup_addr_ok((const uint8_t *)rcpts[i],
			strlen(rcpts[i]))) {
			return SK_E_SYNTAX;
		}
		k = snprintf(out + n, cap - n, "rcpt %s\n", rcpts[i]);
		if (k < 0 || (size_t)k >= cap - n) {
			return SK_E_FULL;
		}
		n += (size_t)k;
	}
	k = snprintf(out + n, cap - n, "size %zu\n\n", len);
	if (k < 0 || (size_t)k >= cap - n) {
		return SK_E_FULL;
	}
	*used = n + (size_t)k;
	return SK_OK;
}

/* queue_pickup_line - the line at *pos (without LF) as [*s, *n) */
static enum sk_result
queue_pickup_line(const uint8_t *buf, size_t len, size_t *pos,
    const uint8_t **s, size_t *n)
{
	const uint8_t *lf;
	size_t max = len - *pos;

	/* no line of the head is longer than an ADDR and its keyword */
	if (max > QUEUE_PICKUP_ADDR_MAX + 16) {
		max = QUEUE_PICKUP_ADDR_MAX + 16;
	}
	lf = memchr(buf + *pos, '\n', max);
	if (lf == NULL) {
		return max < len - *pos ? SK_E_SYNTAX : SK_NEED_MORE;
	}
	*s = buf + *pos;
	*n = (size_t)(lf - *s);
	*pos += *n + 1;
	return SK_OK;
}

/* queue_pickup_size - "size N" with N a decimal within the limit */
static enum sk_result
queue_pickup_size(const uint8_t *s, size_t n, size_t *len)
{
	size_t i, v = 0;

	if (n < 6 || memcmp(s, "size ", 5) != 0 || n - 5 > 10 ||
	    (s[5] == '0' && n > 6)) {
		return SK_E_SYNTAX;
	}
	for (i = 5; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return SK_E_SYNTAX;
		}
		v = v * 10 + (size_t)(s[i] - '0');
	}
	if (v > QUEUE_PICKUP_MAX) {
		return SK_E_RANGE;
	}
	*len = v;
	return SK_OK;
}

/* queue_pickup_envelope - sender and rcpt lines, up to the size line */
static enum sk_result
queue_pickup_envelope(const uint8_t *buf, size_t len, size_t *pos,
    struct queue_pickup *p)
{
	const uint8_t *s;
	size_t n;
	enum sk_result r;

	if ((r = queue_pickup_line(buf, len, pos, &s, &n)) != SK_OK) {
		return r;
	}
	if (n < 7 || memcmp(s, "sender ", 7) != 0 ||
	    (n > 7 && !queue_pickup_addr_ok(s + 7, n - 7))) {
		return SK_E_SYNTAX;
	}
	memcpy(p->sender, s + 7, n - 7);
	p->sender[n - 7] = '\0';
	for (;;) {
		if ((r = queue_pickup_line(buf, len, pos, &s, &n)) != SK_OK) {
			return r;
		}
		if (n < 5 || memcmp(s, "rcpt ", 5) != 0) {
			break;
		}
		if (!queue_pickup_addr_ok(s + 5, n - 5)) {
			return SK_E_SYNTAX;
		}
		if (p->nrcpts == QUEUE_PICKUP_RCPTS_MAX) {
			return SK_E_RANGE;
		}
		memcpy(p->rcpts[p->nrcpts], s + 5, n - 5);
		p->rcpts[p->nrcpts++][n - 5] = '\0';
	}
	if (p->nrcpts == 0) {
		return SK_E_SYNTAX;
	}
	*pos -= n + 1; /* the size line: read again by the caller */
	return SK_OK;
}

enum sk_result
queue_pickup_parse(const uint8_t *buf, size_t len, struct queue_pickup *p)
{
	static const char magic[] = QUEUE_PICKUP_MAGIC;
	const uint8_t *s;
	size_t pos = sizeof(magic) - 1, n, clen = 0;
	enum sk_result r;

	memset(p, 0, sizeof(*p));
	if (len < pos) {
		return memcmp(buf, magic, len) == 0 ? SK_NEED_MORE :
						      SK_E_SYNTAX;
	}
	if (memcmp(buf, magic, pos) != 0) {
		return SK_E_SYNTAX;
	}
	if ((r = queue_pickup_envelope(buf, len, &pos, p)) != SK_OK ||
	    (r = queue_pickup_line(buf, len, &pos, &s, &n)) != SK_OK ||
	    (r = queue_pickup_size(s, n, &clen)) != SK_OK ||
	    (r = queue_pickup_line(buf, len, &pos, &s, &n)) != SK_OK) {
		memset(p, 0, sizeof(*p));
		return r;
	}
	if (n != 0) {
		memset(p, 0, sizeof(*p));
		return SK_E_SYNTAX;
	}
	if (len - pos < clen + sizeof(QUEUE_PICKUP_END) - 1) {
		memset(p, 0, sizeof(*p));
		return SK_NEED_MORE;
	}
	if (len - pos != clen + sizeof(QUEUE_PICKUP_END) - 1 ||
	    memcmp(buf + pos + clen, QUEUE_PICKUP_END,
		sizeof(QUEUE_PICKUP_END) - 1) != 0) {
		memset(p, 0, sizeof(*p));
		return SK_E_SYNTAX;
	}
	p->content = buf + pos;
	p->len = clen;
	return SK_OK;
}

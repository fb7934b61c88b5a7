/*
 * scan_clamd.c - the clamd INSTREAM client, sans-I/O (scan_clamd.h).
 */
#include <stddef.h>
#include <string.h>

#include "scan_clamd.h"

#define STREAM_PREFIX "stream: "
#define FOUND_SUFFIX " FOUND"
#define ERROR_SUFFIX " ERROR"
#define SIZE_LIMIT_REPLY "INSTREAM size limit exceeded. ERROR"

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
scan_clamd_init(struct scan_clamd *c, uint64_t max_stream, uint64_t deadline)
{
	/* not the output buffer: out[0..out_len) is all that is read */
	memset(c, 0, offsetof(struct scan_clamd, out));
	c->max_stream = max_stream ? max_stream : SCAN_CLAMD_STREAM_DEFAULT;
	c->deadline = deadline;
	/* the 'z' form: the command and every reply end in NUL */
	memcpy(c->out, SCAN_CLAMD_CMD, sizeof(SCAN_CLAMD_CMD));
	c->out_len = sizeof(SCAN_CLAMD_CMD);
	c->result.verdict = SCAN_ERROR;
	strcpy(c->result.text, "no reply");
}

enum scan_clamd_want
scan_clamd_want(const struct scan_clamd *c)
{
	if (c->done) {
		return SCAN_CLAMD_WANT_DONE;
	}
	if (c->out_off < c->out_len) {
		return SCAN_CLAMD_WANT_WRITE;
	}
	return c->ended ? SCAN_CLAMD_WANT_READ : SCAN_CLAMD_WANT_CONTENT;
}

uint64_t
scan_clamd_deadline(const struct scan_clamd *c)
{
	return c->deadline;
}

const uint8_t *
scan_clamd_output(const struct scan_clamd *c, size_t *len)
{
	*len = c->done ? 0 : c->out_len - c->out_off;
	return c->out + c->out_off;
}

void
scan_clamd_sent(struct scan_clamd *c, size_t n)
{
	if (n > c->out_len - c->out_off) {
		n = c->out_len - c->out_off; /* the caller's bug; stay inside */
	}
	c->out_off += n;
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
	}
}

/* queue_chunk - one <length><data> chunk behind the pending output;
 * the caller checked that it fits */
static void
queue_chunk(struct scan_clamd *c, const uint8_t *buf, size_t len)
{
	put_u32(c->out + c->out_len, (uint32_t)len);
	if (len > 0) {
		memcpy(c->out + c->out_len + 4, buf, len);
	}
	c->out_len += 4 + len;
}

/* chunk_space - data octets a new chunk may hold behind the pending
 * output, keeping 4 octets for the end of the stream */
static size_t
chunk_space(const struct scan_clamd *c)
{
	size_t left = sizeof(c->out) - c->out_len;

	return left > 8 ? left - 8 : 0;
}

size_t
scan_clamd_feed(struct scan_clamd *c, const uint8_t *buf, size_t len)
{
	uint64_t room;
	size_t n, space;

	if (c->done || c->ended) {
		return len; /* nothing more goes out; the caller may stop */
	}
	space = chunk_space(c);
	if (space == 0 || len == 0) {
		return 0;
	}
	room = c->max_stream - c->streamed;
	if (room == 0) {
		/* past the limit: end the stream, clamd scans the prefix */
		c->too_large = 1;
		scan_clamd_end(c);
		return len;
	}
	n = len < SCAN_CLAMD_CHUNK_MAX ? len : SCAN_CLAMD_CHUNK_MAX;
	if (n > space) {
		n = space;
	}
	if (n > room) {
		n = (size_t)room;
	}
	queue_chunk(c, buf, n);
	c->streamed += n;
	return n;
}

void
scan_clamd_end(struct scan_clamd *c)
{
	if (c->done || c->ended) {
		return;
	}
	/* feed kept 4 octets free, so the end always fits */
	queue_chunk(c, NULL, 0);
	c->ended = 1;
}

/* printable - only SP..~: names and texts go to logs and replies */
static int
printable(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return 0;
		}
	}
	return 1;
}

static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

enum sk_result
scan_clamd_parse_reply(const char *line, size_t len, struct scan_result *r)
{
	size_t plen = strlen(STREAM_PREFIX), n;
	const char *name;

	if (len > SCAN_CLAMD_REPLY_MAX || !printable(line, len)) {
		return SK_E_SYNTAX;
	}
	if (len == strlen(SIZE_LIMIT_REPLY) &&
	    memcmp(line, SIZE_LIMIT_REPLY, len) == 0) {
		scan_result_set(r, SCAN_TOO_LARGE, line, len);
		return SK_OK;
	}
	if (ends_with(line, len, ERROR_SUFFIX)) {
		scan_result_set(r, SCAN_ERROR, line, len);
		return SK_OK;
	}
	if (len < plen || memcmp(line, STREAM_PREFIX, plen) != 0) {
		return SK_E_SYNTAX;
	}
	if (len == plen + 2 && memcmp(line + plen, "OK", 2) == 0) {
		scan_result_set(r, SCAN_CLEAN, "", 0);
		return SK_OK;
	}
	/* "stream: " NAME " FOUND": the prefix's space is not the suffix's */
	if (len <= plen + strlen(FOUND_SUFFIX) ||
	    !ends_with(line, len, FOUND_SUFFIX)) {
		return SK_E_SYNTAX;
	}
	name = line + plen;
	n = len - plen - strlen(FOUND_SUFFIX);
	/* a name, no space at either end: "stream:  FOUND" is not one */
	if (n == 0 || name[0] == ' ' || name[n - 1] == ' ') {
		return SK_E_SYNTAX;
	}
	scan_result_set(r, SCAN_INFECTED, name, n);
	return SK_OK;
}

/* finish - the final verdict, from the reply r */
static void
finish(struct scan_clamd *c, const struct scan_result *r)
{
	c->result = *r;
	/* a virus in the prefix wins; else a cut stream is too large */
	if (c->too_large && r->verdict == SCAN_CLEAN) {
		scan_result_set(&c->result, SCAN_TOO_LARGE,
		    "stream cut at the size limit", 28);
	}
	c->done = 1;
	c->out_len = c->out_off = 0;
}

static enum sk_result
protocol_error(struct scan_clamd *c, enum sk_result res, const char *why)
{
	scan_clamd_fail(c, why);
	return res;
}

enum sk_result
scan_clamd_input(struct scan_clamd *c, const uint8_t *buf, size_t len)
{
	const uint8_t *nul;
	struct scan_result r;
	size_t n;

	if (c->done) {
		if (len == 0) {
			return SK_OK;
		}
		/* however the octets were cut, what follows the NUL spoils
		 * the reply: the verdict given is withdrawn (a failure
		 * already given stays as it is) */
		if (c->replied) {
			c->replied = 0;
			scan_result_set(&c->result, SCAN_ERROR,
			    "clamd: bytes after the reply", 28);
		}
		return SK_E_SYNTAX;
	}
	nul = len > 0 ? memchr(buf, '\0', len) : NULL;
	n = nul ? (size_t)(nul - buf) : len;
	if (n > SCAN_CLAMD_REPLY_MAX - c->reply_len) {
		return protocol_error(c, SK_E_TOO_LONG,
		    "clamd: reply too long");
	}
	memcpy(c->reply + c->reply_len, buf, n);
	c->reply_len += n;
	c->reply[c->reply_len] = '\0';
	if (nul == NULL) {
		return SK_NEED_MORE;
	}
	/* the reply first, then what follows it: the same verdict however
	 * the octets were cut */
	if (scan_clamd_parse_reply(c->reply, c->reply_len, &r) != SK_OK) {
		return protocol_error(c, SK_E_SYNTAX, "clamd: malformed reply");
	}
	if (n + 1 != len) {
		return protocol_error(c, SK_E_SYNTAX,
		    "clamd: bytes after the reply");
	}
	finish(c, &r);
	c->replied = 1;
	return SK_OK;
}

void
scan_clamd_eof(struct scan_clamd *c)
{
	if (!c->done) {
		scan_clamd_fail(c,
		    c->reply_len ? "clamd: reply cut short" :
				   "clamd: closed without reply");
	}
}

void
scan_clamd_fail(struct scan_clamd *c, const char *why)
{
	if (c->done) {
		return;
	}
	scan_result_set(&c->result, SCAN_ERROR, why, strlen(why));
	c->done = 1;
	c->out_len = c->out_off = 0;
}

const struct scan_result *
scan_clamd_result(const struct scan_clamd *c)
{
	return &c->result;
}

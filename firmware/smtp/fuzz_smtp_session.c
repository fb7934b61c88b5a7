/*
 * fuzz_smtp_session.c - libFuzzer target for the whole protocol core:
 * a client's byte stream replayed through the session machine exactly
 * as the event loop will (smtp_replay).
 *
 * The first byte picks the extensions and limits; the rest is split into
 * client writes at every 0xff byte (dropped). A 0xfe byte alone in a
 * write completes a pending STARTTLS. Invariants: no crash, no leak,
 * every transcript line is a reply ("ddd" then SP or "-") or an event
 * ("["), and a session never accepts more messages than it was sent
 * "." CRLF sequences plus BDAT commands in the joined stream.
 */
#include <stdlib.h>
#include <string.h>

#include "smtp_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_LOG_MAX 262144

static struct smtp_replay rp;
static char logbuf[FUZZ_LOG_MAX];
static uint8_t stream[1 << 20];

/* check_log - every line is a reply or an event */
static void
check_log(void)
{
	const char *p = logbuf, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			/* only a transcript cut at its buffer end may lack \n
			 */
			if (strlen(logbuf) + 1 < sizeof(logbuf)) {
				abort();
			}
			return;
		}
		if (p[0] != '[' &&
		    !(p[0] >= '2' && p[0] <= '5' && p[1] >= '0' &&
			p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
			(p[3] == ' ' || p[3] == '-'))) {
			abort();
		}
		p = nl + 1;
	}
}

/* count_mem - occurrences of needle in data */
static unsigned
count_mem(const uint8_t *data, size_t size, const char *needle)
{
	size_t n = strlen(needle), i;
	unsigned c = 0;

	for (i = 0; i + n <= size; i++) {
		if (memcmp(data + i, needle, n) == 0) {
			c++;
		}
	}
	return c;
}

/* count_mem_ci - occurrences of lower-case needle, any case */
static unsigned
count_mem_ci(const uint8_t *data, size_t size, const char *needle)
{
	size_t n = strlen(needle), i, k;
	unsigned c = 0;

	for (i = 0; i + n <= size; i++) {
		for (k = 0; k < n; k++) {
			uint8_t b = data[i + k];

			if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != needle[k]) {
				break;
			}
		}
		c += k == n;
	}
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_session_conf conf;
	const uint8_t *p, *end, *sep;
	unsigned limit;
	size_t slen = 0;

	if (size < 1 || size > sizeof(stream)) {
		return 0;
	}
	memset(&conf, 0, sizeof(conf));
	conf.hostname = "mx.fuzz.test";
	conf.caps = SMTP_EXT_SIZE | SMTP_EXT_8BITMIME | SMTP_EXT_SMTPUTF8 |
	    SMTP_EXT_DSN | SMTP_EXT_ENHANCED | SMTP_EXT_STARTTLS |
	    SMTP_EXT_AUTH;
	if (data[0] & 1) {
		conf.caps |= SMTP_EXT_PIPELINING;
	}
	if (data[0] & 2) {
		conf.caps |= SMTP_EXT_CHUNKING | SMTP_EXT_BINARYMIME;
	}
	conf.max_size = data[0] & 4 ? 100 : 0;
	conf.max_rcpts = data[0] & 8 ? 2 : 0;
	conf.auth_needs_tls = (data[0] >> 4) & 1;
	conf.max_received = (data[0] >> 5) & 3;
	smtp_replay_init(&rp, &conf, logbuf, sizeof(logbuf));
	p = data + 1;
	end = data + size;
	while (p < end) {
		sep = memchr(p, 0xff, (size_t)(end - p));
		if (sep == NULL) {
			sep = end;
		}
		if (sep - p == 1 && p[0] == 0xfe) {
			smtp_replay_tls(&rp);
		} else {
			smtp_replay_write(&rp, p, (size_t)(sep - p));
			memcpy(stream + slen, p, (size_t)(sep - p));
			slen += (size_t)(sep - p);
		}
		p = sep + (sep < end);
	}
	check_log();
	/* Count on the stream the server saw (writes joined). A message
	 * needs "." CRLF or a BDAT ("AT " catches any case of it). */
	limit = count_mem(stream, slen, ".\r\n") +
	    count_mem_ci(stream, slen, "bdat ");
	if (rp.messages > limit) {
		abort();
	}
	return 0;
}

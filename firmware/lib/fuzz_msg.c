/*
 * fuzz_msg.c - libFuzzer target for the message decoder and reader.
 *
 * Checks, for any byte string: msg_decode is total; a decoded message
 * re-encodes to the same bytes; the reader over the same bytes agrees
 * with the decoder; a decode error reaches fatal() as in a daemon, and
 * the hook brings it back here.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct msg_reader rd;
static uint8_t again[MSG_HDR_LEN + MSG_BODY_MAX];
static jmp_buf fatal_jmp;

static void
catch_fatal(const char *line)
{
	(void)line;
	longjmp(fatal_jmp, 1);
}

/* roundtrip - decode each message of data, re-encode, compare */
static size_t
roundtrip(const uint8_t *data, size_t size)
{
	struct msg_hdr h;
	size_t used, used2, n = 0;

	while (msg_decode(data, size, &h, &used) == SK_OK) {
		if (msg_encode(&h, data + MSG_HDR_LEN, again, sizeof(again),
			&used2) != SK_OK ||
		    used2 != used || memcmp(again, data, used) != 0) {
			abort();
		}
		data += used;
		size -= used;
		n++;
	}
	return n;
}

/* dispatch - what a daemon does with its reader: errors are fatal */
static size_t
dispatch(const uint8_t *data, size_t size)
{
	struct msg m;
	enum sk_result r;
	size_t n = 0;

	msg_reader_init(&rd, -1);
	if (buf_append(&rd.in, data, size) != SK_OK) {
		return 0;
	}
	while ((r = msg_next(&rd, &m)) == SK_OK) {
		n++;
	}
	if (r != SK_NEED_MORE) {
		fatal("message from peer: %s", sk_result_str(r));
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	volatile size_t decoded, dispatched = 0;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL) {
		abort();
	}
	log_init("fuzz_msg", LOG_DAEMON, devnull);
	log_set_fatal_hook(catch_fatal);
	decoded = roundtrip(data, size);
	if (setjmp(fatal_jmp) == 0) {
		dispatched = dispatch(data, size);
	}
	/* The reader never accepts more than the decoder did. */
	if (size <= MSG_READ_BUF && dispatched > decoded) {
		abort();
	}
	return 0;
}

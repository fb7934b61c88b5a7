/*
 * fuzz_queue_ctl.c - libFuzzer target for the operator's commands and
 * the line builder that writes outside text into answers.
 *
 * Invariants: queue_ctl_parse is total; an accepted command has an id
 * that is "" or valid; the quarantine list filters are bounded strings
 * without control octets or double quotes, and times within
 * QUEUE_CTL_TIME_MAX; the line builder (quoted text too) never exceeds
 * its buffer, always ends the string, and leaves no control or 8-bit
 * octet from the input; queue_id_valid agrees with the parser on the id.
 */
#include <stdlib.h>
#include <string.h>

#include "queue_ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char input[QUEUE_CTL_REQUEST_MAX * 4];

/* filter_ok - a parsed filter value: ended, printable, no '"' */
static int
filter_ok(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	if (end == NULL) {
		return 0;
	}
	for (; s < end; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"') {
			return 0;
		}
	}
	return 1;
}

/* check_req - what an accepted request promises */
static void
check_req(const struct queue_ctl_req *req)
{
	if (req->id[0] != '\0' && !queue_id_valid(req->id, strlen(req->id))) {
		abort();
	}
	if (!filter_ok(req->from, sizeof(req->from)) ||
	    !filter_ok(req->to, sizeof(req->to)) ||
	    !filter_ok(req->reason, sizeof(req->reason)) || req->since < 0 ||
	    req->since > QUEUE_CTL_TIME_MAX || req->until < 0 ||
	    req->until > QUEUE_CTL_TIME_MAX) {
		abort();
	}
	if (req->cmd != QUEUE_CTL_QLIST &&
	    (req->from[0] != '\0' || req->to[0] != '\0' ||
		req->reason[0] != '\0' || req->since != 0 || req->until != 0)) {
		abort(); /* filters belong to quarantine list only */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct queue_ctl_req req;
	struct queue_line l;
	char buf[64 + 8];
	const char *s;
	size_t cap, i;

	if (size >= sizeof(input)) {
		return 0;
	}
	memcpy(input, data, size);
	input[size] = '\0';
	if (queue_ctl_parse(input, size, &req) == SK_OK) {
		check_req(&req);
	}
	cap = size > 0 ? data[0] % 64 : 0;
	memset(buf, 'Z', sizeof(buf));
	queue_line_init(&l, buf, cap);
	queue_line_add(&l, "k=");
	queue_line_clean_n(&l, input, size);
	queue_line_clean(&l, input);
	queue_line_quoted(&l, input);
	s = queue_line_end(&l);
	for (i = cap; i < sizeof(buf); i++) {
		if (buf[i] != 'Z') {
			abort(); /* wrote past its buffer */
		}
	}
	if (cap > 0 && (strlen(s) >= cap || l.len >= cap)) {
		abort();
	}
	for (i = 0; cap > 0 && s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) {
			abort();
		}
	}
	return 0;
}

/*
 * fuzz_queue_ctl.c - libFuzzer target for the operator's commands and
 * the line builder that writes outside text into answers.
 *
 * Invariants: queue_ctl_parse is total; an accepted command has an id
 * that is "" or valid; the line builder never exceeds its buffer, always
 * ends the string, and leaves no control or 8-bit octet from the input;
 * queue_id_valid agrees with the parser on the id.
 */
#include <stdlib.h>
#include <string.h>

#include "queue_ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char input[QUEUE_CTL_REQUEST_MAX * 4];

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
	if (queue_ctl_parse(input, size, &req) == SK_OK && req.id[0] != '\0' &&
	    !queue_id_valid(req.id, strlen(req.id))) {
		abort();
	}
	cap = size > 0 ? data[0] % 64 : 0;
	memset(buf, 'Z', sizeof(buf));
	queue_line_init(&l, buf, cap);
	queue_line_add(&l, "k=");
	queue_line_clean_n(&l, input, size);
	queue_line_clean(&l, input);
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

/*
 * fuzz_ctl.c - libFuzzer target for the control socket's line parsers
 * (ctl.h): the supervisor's request parser (first octet even) and the
 * client's answer parser (odd).
 *
 * Invariants: a parsed request consumed an LF within CTL_REQUEST_MAX
 * and within the input; a parsed answer's text is NUL-terminated,
 * printable ASCII and fits its buffer (a data block's: printable lines,
 * each ending in LF, none starting with '.'); SK_NEED_MORE never comes
 * for more than CTL_DATA_MAX octets; the results are only those ctl.h
 * names.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_ctl_request - the supervisor's side */
static void
fuzz_ctl_request(const uint8_t *buf, size_t len)
{
	enum ctl_request req;
	size_t used = 0;
	enum sk_result r = ctl_request_parse(buf, len, &req, &used);

	if (r == SK_OK) {
		if (used == 0 || used > len || used > CTL_REQUEST_MAX ||
		    buf[used - 1] != '\n' ||
		    (req != CTL_REQ_RELOAD && req != CTL_REQ_STATISTICS &&
			req != CTL_REQ_STATISTICS_CLEAR)) {
			abort();
		}
	} else if (r != SK_NEED_MORE && r != SK_E_TOO_LONG &&
	    r != SK_E_SYNTAX) {
		abort();
	}
	if (r == SK_NEED_MORE && len >= CTL_REQUEST_MAX) {
		abort();
	}
}

/* fuzz_ctl_data_ok - text is a data block's lines as ctl.h says */
static int
fuzz_ctl_data_ok(const char *text, size_t n)
{
	size_t i;

	if (n > 0 && text[n - 1] != '\n') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (text[i] == '\n') {
			continue;
		}
		if (text[i] < 0x20 || text[i] >= 0x7f ||
		    (text[i] == '.' && (i == 0 || text[i - 1] == '\n'))) {
			return 0;
		}
	}
	return 1;
}

/* fuzz_ctl_answer - the client's side */
static void
fuzz_ctl_answer(const uint8_t *buf, size_t len)
{
	char text[64];
	enum ctl_answer kind;
	enum sk_result r;
	size_t i, n;

	memset(text, 'x', sizeof(text));
	r = ctl_answer_parse(buf, len, &kind, text, sizeof(text));
	if (r != SK_OK) {
		if (r != SK_NEED_MORE && r != SK_E_TOO_LONG &&
		    r != SK_E_SYNTAX) {
			abort();
		}
		if (r == SK_NEED_MORE && len >= CTL_DATA_MAX) {
			abort();
		}
		return;
	}
	n = strnlen(text, sizeof(text));
	if (n == sizeof(text)) {
		abort();
	}
	if (kind == CTL_ANS_DATA) {
		if (!fuzz_ctl_data_ok(text, n)) {
			abort();
		}
		return;
	}
	if (kind != CTL_ANS_OK && kind != CTL_ANS_REFUSED &&
	    kind != CTL_ANS_FAILED) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (text[i] < 0x20 || text[i] >= 0x7f) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	if ((data[0] & 1) == 0) {
		fuzz_ctl_request(data + 1, size - 1);
	} else {
		fuzz_ctl_answer(data + 1, size - 1);
	}
	return 0;
}

/*
 * sk.c - names of the shared results, and the small shared helpers.
 */
#include <string.h>

#include "sk.h"

static const char *const sk_result_names[SK_RESULT_COUNT] = {
	[SK_OK] = "ok",
	[SK_NEED_MORE] = "need more input",
	[SK_END] = "end",
	[SK_E_SYNTAX] = "syntax error",
	[SK_E_TOO_LONG] = "too long",
	[SK_E_BARE_LF] = "bare LF",
	[SK_E_BARE_CR] = "bare CR",
	[SK_E_UNKNOWN] = "unknown type",
	[SK_E_RANGE] = "out of range",
	[SK_E_FULL] = "queue full",
	[SK_E_CLOSED] = "connection closed",
	[SK_E_IO] = "I/O error",
};

/* sk_result_str - stable lower-case name of a result, for messages */
const char *
sk_result_str(enum sk_result r)
{
	if ((unsigned)r >= SK_RESULT_COUNT) {
		return "invalid result";
	}
	return sk_result_names[r];
}

int
sk_hexval(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

void
sk_zero_except(void *p, size_t size, size_t keep, size_t len)
{
	memset(p, 0, keep);
	memset((unsigned char *)p + keep + len, 0, size - keep - len);
}

/*
 * fuzz_base64.c - libFuzzer target for the strict base64 codec.
 *
 * The first byte picks the white space mode, the rest is the text. What
 * decodes must encode back to exactly the text (with white space taken
 * out when it is skipped): the decoder accepts one encoding per octet
 * string. Any input, encoded, must decode back to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_TEXT_MAX 4096

static uint8_t dec[FUZZ_TEXT_MAX], back[FUZZ_TEXT_MAX];
static char enc[BASE64_LEN(FUZZ_TEXT_MAX) + 1];
static uint8_t bare[FUZZ_TEXT_MAX];

/* without_space - text with SP, HTAB, CR, LF removed, into bare */
static size_t
without_space(const uint8_t *text, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n') {
			bare[n++] = text[i];
		}
	}
	return n;
}

/* check_decoded - what decoded is the one encoding of its octets */
static void
check_decoded(const uint8_t *text, size_t len, unsigned flags)
{
	size_t n, m, want;

	if (base64_decode(text, len, flags, dec, sizeof(dec), &n) != SK_OK) {
		return;
	}
	if (n > len / 4 * 3 ||
	    base64_encode(dec, n, enc, sizeof(enc), &m) != SK_OK) {
		abort();
	}
	if (flags & BASE64_SKIP_WHITESPACE) {
		want = without_space(text, len);
		text = bare;
	} else {
		want = len;
	}
	if (m != want || memcmp(enc, text, m) != 0) {
		abort();
	}
}

/* check_encoded - any octets survive encode then decode */
static void
check_encoded(const uint8_t *in, size_t len)
{
	size_t n, m;

	if (base64_encode(in, len, enc, sizeof(enc), &n) != SK_OK ||
	    n != BASE64_LEN(len) || strlen(enc) != n) {
		abort();
	}
	if (base64_decode((const uint8_t *)enc, n, BASE64_STRICT, back,
		sizeof(back), &m) != SK_OK ||
	    m != len || memcmp(back, in, len) != 0) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;

	if (size < 1 || size - 1 > FUZZ_TEXT_MAX) {
		return 0;
	}
	flags = data[0] & 1 ? BASE64_SKIP_WHITESPACE : BASE64_STRICT;
	check_decoded(data + 1, size - 1, flags);
	check_encoded(data + 1, size - 1);
	return 0;
}

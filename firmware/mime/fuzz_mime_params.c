/*
 * fuzz_mime_params.c - libFuzzer target for header parameter parsing:
 * Content-Type values, RFC 2231 parameters, RFC 2047 encoded words.
 * Results stay within their fixed sizes, are NUL-ended, and a decoded
 * name is never longer than MIME_NAME_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "mime_param.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const struct mime_text *t)
{
	if (t->len > MIME_NAME_MAX || t->text[t->len] != '\0' ||
	    memchr(t->charset, '\0', sizeof(t->charset)) == NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "name", "filename", "boundary",
		"charset" };
	static struct mime_text t;
	char type[MIME_TOKEN_MAX], sub[MIME_TOKEN_MAX];
	const uint8_t *val;
	size_t params, vlen, i;
	int quoted;

	if (mime_ctype_parse(data, size, type, sub, &params) == SK_OK &&
	    (strlen(type) == 0 || strlen(sub) == 0)) {
		abort();
	}
	if (params > size) {
		abort();
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		mime_param_get(data + params, size - params, names[i], &t);
		check_text(&t);
		if (mime_param_raw(data, size, names[i], &val, &vlen,
			&quoted) == SK_OK &&
		    (val < data || vlen > size ||
			(size_t)(val - data) > size - vlen)) {
			abort();
		}
	}
	if (mime_token_parse(data, size, type, &params) == SK_OK &&
	    params > size) {
		abort();
	}
	mime_text_init(&t);
	mime_words_decode(data, size, &t);
	mime_text_finish(&t);
	check_text(&t);
	return 0;
}

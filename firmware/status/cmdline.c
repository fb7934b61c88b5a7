/*
 * cmdline.c - find a parameter on the kernel command line.
 */
#include <string.h>

#include "cmdline.h"

/* cmdline_token - the parameter starting at p; its length, or 0 on error */
static size_t
cmdline_token(const uint8_t *p, size_t n)
{
	int quoted = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '"') {
			quoted = !quoted;
		} else if (p[i] == ' ' && !quoted) {
			break;
		} else if (p[i] < ' ' || p[i] == 0x7f) {
			return 0;
		}
	}
	return quoted ? 0 : i;
}

/* cmdline_match - if token is key=..., point at the unquoted value */
static int
cmdline_match(const uint8_t *t, size_t n, const char *key, const uint8_t **val,
    size_t *vlen)
{
	size_t k = strlen(key);

	if (n <= k || memcmp(t, key, k) != 0 || t[k] != '=') {
		return 0;
	}
	t += k + 1;
	n -= k + 1;
	if (n >= 2 && t[0] == '"' && t[n - 1] == '"') {
		t++;
		n -= 2;
	}
	*val = t;
	*vlen = n;
	return 1;
}

/* cmdline_get - the value of the last "key=value" parameter */
enum sk_result
cmdline_get(const uint8_t *buf, size_t len, const char *key,
    const uint8_t **val, size_t *vlen)
{
	enum sk_result r = SK_END;
	size_t i = 0, n;

	*val = NULL;
	*vlen = 0;
	if (len > CMDLINE_MAX) {
		return SK_E_TOO_LONG;
	}
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
	}
	while (i < len) {
		if (buf[i] == ' ') {
			i++;
			continue;
		}
		n = cmdline_token(buf + i, len - i);
		if (n == 0) {
			*val = NULL;
			*vlen = 0;
			return SK_E_SYNTAX;
		}
		if (cmdline_match(buf + i, n, key, val, vlen)) {
			r = SK_OK;
		}
		i += n;
	}
	return r;
}

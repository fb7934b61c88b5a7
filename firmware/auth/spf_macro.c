/*
 * spf_macro.c - SPF macro strings (RFC 7208 7): syntax and expansion.
 *
 * Untrusted input: macro strings from SPF records and explanation TXT
 * records, and the values substituted (envelope, HELO).  No allocation;
 * output goes into the caller's buffer and never past its size.
 */
#include <string.h>

#include "spf.h"

#define SPF_MACRO_PARTS_MAX 600 /* local limit: parts of one value */

/* RFC 7208 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
static int
spf_macro_delim(int c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

/* spf_macro_letter - allowed letter? (c, r, t only in exp text) */
static int
spf_macro_letter(int c, int exp_text)
{
	if (c >= 'A' && c <= 'Z') {
		c = c - 'A' + 'a';
	}
	if (c != '\0' && strchr("slodiphv", c) != NULL) {
		return 1;
	}
	/* RFC 7208 7.2: c, r, t are allowed only in "exp" text */
	return exp_text && c != '\0' && strchr("crt", c) != NULL;
}

/*
 * spf_macro_one - parse the macro-expand at buf[*i] == '%'.  On success
 * *i is past it; letter, digits, reverse and the delimiter set are set.
 */
static enum sk_result
spf_macro_one(const char *buf, size_t len, size_t *i, int exp_text,
    char *letter, unsigned *digits, int *reverse, char delims[8])
{
	size_t k = *i + 1, nd = 0;

	*letter = 0;
	if (k >= len) {
		return SK_E_SYNTAX;
	}
	if (buf[k] == '%' || buf[k] == '_' || buf[k] == '-') {
		*letter = buf[k];
		*i = k + 1;
		return SK_OK;
	}
	/* RFC 7208 7.1: any other character after "%" is a syntax error */
	if (buf[k] != '{' || ++k >= len ||
	    !spf_macro_letter(buf[k], exp_text)) {
		return SK_E_SYNTAX;
	}
	*letter = buf[k++];
	*digits = 0;
	while (k < len && buf[k] >= '0' && buf[k] <= '9') {
		if (*digits <= SPF_MACRO_DIGITS_MAX) {
			*digits = *digits * 10 + (unsigned)(buf[k] - '0');
		}
		nd++;
		k++;
	}
	/* RFC 7208 7.3: a DIGIT transformer MUST be nonzero */
	if (nd > 0 && *digits == 0) {
		return SK_E_SYNTAX;
	}
	*reverse = 0;
	if (k < len && (buf[k] == 'r' || buf[k] == 'R')) {
		*reverse = 1;
		k++;
	}
	memset(delims, 0, 8);
	while (k < len && spf_macro_delim(buf[k])) {
		if (strchr(delims, buf[k]) == NULL) {
			delims[strlen(delims)] = buf[k];
		}
		k++;
	}
	if (k >= len || buf[k] != '}') {
		return SK_E_SYNTAX;
	}
	*i = k + 1;
	return SK_OK;
}

/* spf_macro_check - is buf a macro-string (or explain-string)? */
enum sk_result
spf_macro_check(const char *buf, size_t len, int exp_text)
{
	size_t i = 0;
	unsigned digits;
	int reverse;
	char letter, delims[8];

	while (i < len) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '%') {
			if (spf_macro_one(buf, len, &i, exp_text, &letter,
				&digits, &reverse, delims) != SK_OK) {
				return SK_E_SYNTAX;
			}
			continue;
		}
		/* RFC 7208 7.1: macro-literal = %x21-24 / %x26-7E;
		 * explain-string adds SP */
		if ((c < 0x21 || c > 0x7e) && !(exp_text && c == ' ')) {
			return SK_E_SYNTAX;
		}
		i++;
	}
	return SK_OK;
}

struct spf_out {
	char *buf;
	size_t size;
	size_t len;
	int full;
};

static void
spf_out_put(struct spf_out *o, const char *s, size_t n)
{
	if (n >= o->size - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static int
spf_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* spf_out_url - append, percent-encoding all but unreserved (7.3) */
static void
spf_out_url(struct spf_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (spf_unreserved(c)) {
			spf_out_put(o, (const char *)&s[i], 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		spf_out_put(o, e, 3);
	}
}

static const char *
spf_macro_value(const struct spf_macro_vars *mv, int letter)
{
	const char *v = NULL;

	switch (letter | 0x20) {
	case 's':
		v = mv->s;
		break;
	case 'l':
		v = mv->l;
		break;
	case 'o':
		v = mv->o;
		break;
	case 'd':
		v = mv->d;
		break;
	case 'i':
		v = mv->i;
		break;
	case 'p':
		/* RFC 7208 7.3: "unknown" when no name validates */
		v = mv->p != NULL ? mv->p(mv->parg) : "unknown";
		break;
	case 'h':
		v = mv->h;
		break;
	case 'v':
		v = mv->v;
		break;
	case 'c':
		v = mv->c;
		break;
	case 'r':
		v = mv->r;
		break;
	case 't':
		v = mv->t;
		break;
	}
	return v != NULL ? v : "";
}

/*
 * spf_macro_apply - RFC 7208 7.3: split the value on the delimiters,
 * reverse if asked, keep the rightmost parts, join with "."; upper-case
 * letters are URL-encoded afterwards.
 */
static enum sk_result
spf_macro_apply(struct spf_out *o, const char *v, char letter, unsigned digits,
    int reverse, const char *delims)
{
	size_t start[SPF_MACRO_PARTS_MAX], end[SPF_MACRO_PARTS_MAX];
	size_t n = 0, i, len = strlen(v), first, k;
	char tmp[SPF_EXPAND_MAX];
	struct spf_out t = { tmp, sizeof(tmp), 0, 0 };

	if (delims[0] == '\0') {
		delims = ".";
	}
	start[0] = 0;
	for (i = 0; i <= len; i++) {
		if (i == len || strchr(delims, v[i]) != NULL) {
			if (n >= SPF_MACRO_PARTS_MAX) {
				return SK_E_TOO_LONG;
			}
			end[n++] = i;
			if (i < len && n < SPF_MACRO_PARTS_MAX) {
				start[n] = i + 1;
			}
		}
	}
	tmp[0] = '\0';
	first = digits > 0 && digits < n ? n - digits : 0;
	for (k = first; k < n; k++) {
		/* with reversal the rightmost parts are the leftmost ones */
		i = reverse ? n - 1 - k : k;
		if (k > first) {
			spf_out_put(&t, ".", 1);
		}
		spf_out_put(&t, v + start[i], end[i] - start[i]);
	}
	if (t.full) {
		return SK_E_TOO_LONG;
	}
	if (letter >= 'A' && letter <= 'Z') {
		spf_out_url(o, tmp, t.len);
	} else {
		spf_out_put(o, tmp, t.len);
	}
	return o->full ? SK_E_TOO_LONG : SK_OK;
}

/* spf_macro_expand - expand macro-string buf into out (RFC 7208 7.3) */
enum sk_result
spf_macro_expand(const struct spf_macro_vars *mv, const char *buf, size_t len,
    int exp_text, char *out, size_t outsz, size_t *outlen)
{
	struct spf_out o = { out, outsz, 0, 0 };
	size_t i = 0, lit;
	unsigned digits = 0;
	int reverse = 0;
	char letter, delims[8];
	enum sk_result r;

	if (outsz == 0) {
		return SK_E_TOO_LONG;
	}
	out[0] = '\0';
	while (i < len) {
		if (buf[i] != '%') {
			for (lit = i; i < len && buf[i] != '%'; i++) {
				unsigned char c = (unsigned char)buf[i];

				/* RFC 7208 7.1: macro-literal, or SP in an
				 * explain-string */
				if ((c < 0x21 || c > 0x7e) &&
				    !(exp_text && c == ' ')) {
					return SK_E_SYNTAX;
				}
			}
			spf_out_put(&o, buf + lit, i - lit);
			continue;
		}
		r = spf_macro_one(buf, len, &i, exp_text, &letter, &digits,
		    &reverse, delims);
		if (r != SK_OK) {
			return r;
		}
		switch (letter) {
		case '%':
			spf_out_put(&o, "%", 1);
			break;
		case '_':
			spf_out_put(&o, " ", 1);
			break;
		case '-':
			spf_out_put(&o, "%20", 3);
			break;
		default:
			r = spf_macro_apply(&o, spf_macro_value(mv, letter),
			    letter, digits, reverse, delims);
			if (r != SK_OK) {
				return r;
			}
		}
	}
	if (o.full) {
		return SK_E_TOO_LONG;
	}
	*outlen = o.len;
	return SK_OK;
}

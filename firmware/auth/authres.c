/*
 * authres.c - Authentication-Results (RFC 8601): builder and strict parser.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "base64.h"

/* ---- character classes ------------------------------------------- */

static int
ar_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
ar_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int
ar_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* ar_tchar - RFC 2045 5.1 token: CHAR except SPACE, CTLs, tspecials */
static int
ar_tchar(uint8_t c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* ar_atext - RFC 5322 3.2.3 atext */
static int
ar_atext(uint8_t c)
{
	return ar_alpha(c) || ar_digit(c) ||
	    (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* ---- builder -------------------------------------------------------- */

void
authres_out_init(struct authres_out *o, char *buf, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->p = buf;
	o->max = max;
	if (max > 0) {
		buf[0] = '\0';
	} else {
		o->over = 1;
	}
}

static void
authres_out_raw(struct authres_out *o, const char *t, size_t n)
{
	if (o->over || o->len + n + 1 > o->max) {
		o->over = 1;
		return;
	}
	memcpy(o->p + o->len, t, n);
	o->len += n;
	o->p[o->len] = '\0';
	o->col += n;
}

void
authres_out_put(struct authres_out *o, const char *t, size_t n, int fold)
{
	if (fold && o->col + n > AUTHRES_COLS && o->col > 1) {
		/* RFC 5322 2.2.3: fold at white space; the unit's own
		 * leading space is replaced by the fold */
		authres_out_raw(o, "\r\n\t", 3);
		o->col = 1;
		if (n > 0 && t[0] == ' ') {
			t++;
			n--;
		}
	}
	authres_out_raw(o, t, n);
}

void
authres_out_str(struct authres_out *o, const char *t, int fold)
{
	authres_out_put(o, t, strlen(t), fold);
}

void
authres_out_fill(struct authres_out *o, const char *t)
{
	size_t k = 0, n, room;

	while (t[k] != '\0' && !o->over) {
		room = o->col < AUTHRES_COLS ? AUTHRES_COLS - o->col : 0;
		if (room == 0) {
			authres_out_put(o, "\r\n\t", 3, 0);
			o->col = 1;
			continue;
		}
		n = strlen(t + k);
		n = n < room ? n : room;
		authres_out_put(o, t + k, n, 0);
		k += n;
	}
}

/* ar_is_keyword - RFC 5321 Keyword: Let-dig [Ldh-str] */
static int
ar_is_keyword(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > AUTHRES_WORD_MAX ||
	    !(ar_alpha((uint8_t)s[0]) || ar_digit((uint8_t)s[0]))) {
		return 0;
	}
	for (i = 1; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (!ar_alpha(c) && !ar_digit(c) && c != '-') {
			return 0;
		}
	}
	return s[n - 1] != '-';
}

static int
ar_is_token(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!ar_tchar((uint8_t)s[i])) {
			return 0;
		}
	}
	return i > 0;
}

/* ar_is_mailbox - [dot-atom] "@" domain-name, written bare (RFC 8601
 * pvalue); the domain part is a run of labels */
static int
ar_is_mailbox(const char *s)
{
	const char *at = strrchr(s, '@');
	size_t i;

	if (at == NULL || at[1] == '\0') {
		return 0;
	}
	for (i = 0; s + i < at; i++) {
		if (!ar_atext((uint8_t)s[i]) &&
		    !(s[i] == '.' && i > 0 && s[i - 1] != '.' &&
			s + i + 1 < at)) {
			return 0;
		}
	}
	return ar_is_token(at + 1);
}

/* ar_quote - VALUE as a quoted-string into out[max] (RFC 5322 3.2.4) */
static void
ar_quote(const char *v, char *out, size_t max)
{
	size_t o = 0, i;

	out[o++] = '"';
	for (i = 0; v[i] != '\0' && o + 3 < max; i++) {
		uint8_t c = (uint8_t)v[i];

		if (c == '\r' || c == '\n' || (c < 0x20 && c != '\t')) {
			continue; /* no control can be written */
		}
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
		}
		out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

void
authres_begin(struct authres_builder *b, char *buf, size_t max,
    const char *field, unsigned instance, const char *authserv_id)
{
	char tmp[2 * AUTHRES_ID_MAX + 8];

	memset(b, 0, sizeof(*b));
	authres_out_init(&b->o, buf, max);
	authres_out_str(&b->o, field, 0);
	authres_out_str(&b->o, ":", 0);
	if (instance > 0) {
		snprintf(tmp, sizeof(tmp), " i=%u;", instance);
		authres_out_str(&b->o, tmp, 0);
	}
	if (ar_is_token(authserv_id)) {
		snprintf(tmp, sizeof(tmp), " %s", authserv_id);
	} else {
		tmp[0] = ' ';
		ar_quote(authserv_id, tmp + 1, sizeof(tmp) - 1);
	}
	authres_out_str(&b->o, tmp, 1);
}

void
authres_result(struct authres_builder *b, const char *method,
    const char *result)
{
	char tmp[2 * AUTHRES_WORD_MAX + 8];

	if (!ar_is_keyword(method) || !ar_is_keyword(result)) {
		b->bad = 1;
		return;
	}
	authres_out_str(&b->o, ";", 0);
	snprintf(tmp, sizeof(tmp), " %s=%s", method, result);
	authres_out_str(&b->o, tmp, 1);
	b->nres++;
}

/* ar_value - " NAME=VALUE" with VALUE bare or quoted, as one unit. A
 * property's value (RFC 8601 pvalue) may be a bare mailbox; a reason is
 * an RFC 2045 value, where "@" is a tspecial and needs quotes. */
static void
ar_value(struct authres_builder *b, const char *name, const char *v, int pvalue)
{
	char q[2 * AUTHRES_VALUE_MAX + 4];
	char tmp[sizeof(q) + 2 * AUTHRES_WORD_MAX + 8];

	if (strlen(v) > AUTHRES_VALUE_MAX) {
		b->o.over = 1;
		return;
	}
	if (ar_is_token(v) || (pvalue && ar_is_mailbox(v))) {
		snprintf(tmp, sizeof(tmp), " %s=%s", name, v);
	} else {
		ar_quote(v, q, sizeof(q));
		snprintf(tmp, sizeof(tmp), " %s=%s", name, q);
	}
	authres_out_str(&b->o, tmp, 1);
}

void
authres_reason(struct authres_builder *b, const char *text)
{
	if (b->nres == 0) {
		b->bad = 1;
		return;
	}
	ar_value(b, "reason", text, 0);
}

void
authres_prop(struct authres_builder *b, const char *ptype, const char *property,
    const char *value)
{
	char name[2 * AUTHRES_WORD_MAX + 2];

	if (value == NULL || value[0] == '\0') {
		return;
	}
	if (b->nres == 0 || !ar_is_keyword(ptype) || !ar_is_keyword(property)) {
		b->bad = 1;
		return;
	}
	snprintf(name, sizeof(name), "%s.%s", ptype, property);
	ar_value(b, name, value, 1);
}

enum sk_result
authres_end(struct authres_builder *b, size_t *len)
{
	if (b->nres == 0) {
		/* RFC 8601 2.2: no-result */
		authres_out_str(&b->o, ";", 0);
		authres_out_str(&b->o, " none", 1);
	}
	authres_out_raw(&b->o, "\r\n", 2);
	if (b->bad) {
		return SK_E_SYNTAX;
	}
	if (b->o.over) {
		return SK_E_TOO_LONG;
	}
	*len = b->o.len;
	return SK_OK;
}

void
authres_spf(struct authres_builder *b, const char *result, const char *mailfrom,
    const char *helo)
{
	authres_result(b, "spf", result);
	if (mailfrom != NULL && mailfrom[0] != '\0') {
		authres_prop(b, "smtp", "mailfrom", mailfrom);
	} else {
		authres_prop(b, "smtp", "helo", helo);
	}
}

void
authres_dkim(struct authres_builder *b, const char *result, const char *d,
    const char *s, const uint8_t *sig, size_t siglen)
{
	char b64[BASE64_LEN(AUTHRES_BPREFIX) + 1];
	size_t n;

	authres_result(b, "dkim", result);
	authres_prop(b, "header", "d", d);
	authres_prop(b, "header", "s", s);
	if (sig != NULL && siglen > 0) {
		/* 6 octets are the first 8 base64 characters (RFC 6008) */
		n = siglen < 6 ? siglen : 6;
		if (base64_encode(sig, n, b64, sizeof(b64), &n) == SK_OK) {
			b64[n < AUTHRES_BPREFIX ? n : AUTHRES_BPREFIX] = '\0';
			authres_prop(b, "header", "b", b64);
		}
	}
}

void
authres_dmarc(struct authres_builder *b, const char *result, const char *from,
    const char *policy)
{
	authres_result(b, "dmarc", result);
	authres_prop(b, "header", "from", from);
	authres_prop(b, "policy", "dmarc", policy);
}

void
authres_arc(struct authres_builder *b, const char *result,
    const char *remote_ip, int has_oldest, unsigned oldest_pass)
{
	char n[16];

	authres_result(b, "arc", result);
	if (has_oldest) {
		snprintf(n, sizeof(n), "%u", oldest_pass);
		authres_prop(b, "header", "oldest-pass", n);
	}
	authres_prop(b, "smtp", "remote-ip", remote_ip);
}

void
authres_iprev(struct authres_builder *b, const char *result, const char *ip)
{
	authres_result(b, "iprev", result);
	authres_prop(b, "policy", "iprev", ip);
}

/* ---- parser --------------------------------------------------------- */

struct ar_lex {
	const uint8_t *p;
	size_t len, i;
	const char *err;
	enum sk_result r; /* of the first failure */
};

static enum sk_result
ar_fail(struct ar_lex *x, enum sk_result r, const char *why)
{
	if (x->err == NULL) {
		x->err = why;
		x->r = r;
	}
	return r;
}

/* ar_fws - white space and folds (RFC 5322 3.2.2: CRLF only before WSP) */
static enum sk_result
ar_fws(struct ar_lex *x)
{
	while (x->i < x->len) {
		if (ar_wsp(x->p[x->i])) {
			x->i++;
		} else if (x->i + 2 < x->len && x->p[x->i] == '\r' &&
		    x->p[x->i + 1] == '\n' && ar_wsp(x->p[x->i + 2])) {
			x->i += 3;
		} else if (x->p[x->i] == '\r' || x->p[x->i] == '\n') {
			return ar_fail(x, SK_E_SYNTAX, "CR or LF is no fold");
		} else {
			break;
		}
	}
	return SK_OK;
}

/* ar_comment - "(" ... ")" at x->i, nested (RFC 5322 3.2.2) */
static enum sk_result
ar_comment(struct ar_lex *x)
{
	unsigned depth = 0;
	uint8_t c;

	do {
		if (ar_fws(x) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (x->i >= x->len) {
			return ar_fail(x, SK_E_SYNTAX, "unterminated comment");
		}
		c = x->p[x->i++];
		if (c == '(') {
			if (++depth > AUTHRES_COMMENT_DEPTH) {
				return ar_fail(x, SK_E_TOO_LONG,
				    "comments nested too deep");
			}
		} else if (c == ')') {
			depth--;
		} else if (c == '\\') {
			/* quoted-pair: "\" (VCHAR / WSP) */
			if (x->i >= x->len || x->p[x->i] < 0x20 ||
			    x->p[x->i] == 0x7f) {
				return ar_fail(x, SK_E_SYNTAX,
				    "bad quoted-pair");
			}
			x->i++;
		} else if (c < 0x21 || c == 0x7f) {
			/* ctext is printable; 8-bit is UTF-8 (RFC 6532) */
			return ar_fail(x, SK_E_SYNTAX, "control in comment");
		}
	} while (depth > 0);
	return SK_OK;
}

/* ar_cfws - [CFWS]; *seen tells whether any was there */
static enum sk_result
ar_cfws(struct ar_lex *x, int *seen)
{
	size_t start = x->i;

	for (;;) {
		if (ar_fws(x) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (x->i < x->len && x->p[x->i] == '(') {
			if (ar_comment(x) != SK_OK) {
				return SK_E_SYNTAX;
			}
			continue;
		}
		break;
	}
	if (seen != NULL) {
		*seen = x->i > start;
	}
	return SK_OK;
}

/* ar_copy - append c to out[max] at *n; -1 when full */
static int
ar_copy(char *out, size_t max, size_t *n, uint8_t c)
{
	if (*n + 2 > max) {
		return -1;
	}
	out[(*n)++] = (char)c;
	out[*n] = '\0';
	return 0;
}

/* ar_quoted - a quoted-string at x->i, unquoted into out[max] */
static enum sk_result
ar_quoted(struct ar_lex *x, char *out, size_t max)
{
	size_t n = 0;
	uint8_t c;

	out[0] = '\0';
	x->i++; /* DQUOTE */
	for (;;) {
		size_t before = x->i;

		if (ar_fws(x) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (x->i > before && ar_copy(out, max, &n, ' ') != 0) {
			return ar_fail(x, SK_E_TOO_LONG, "value too long");
		}
		if (x->i >= x->len) {
			return ar_fail(x, SK_E_SYNTAX, "unterminated quote");
		}
		c = x->p[x->i++];
		if (c == '"') {
			return SK_OK;
		}
		if (c == '\\') {
			if (x->i >= x->len || x->p[x->i] < 0x20 ||
			    x->p[x->i] == 0x7f) {
				return ar_fail(x, SK_E_SYNTAX,
				    "bad quoted-pair");
			}
			c = x->p[x->i++];
		} else if (c < 0x21 || c == 0x7f) {
			return ar_fail(x, SK_E_SYNTAX, "control in quote");
		}
		if (ar_copy(out, max, &n, c) != 0) {
			return ar_fail(x, SK_E_TOO_LONG, "value too long");
		}
	}
}

/* ar_value_tok - RFC 2045 value: token / quoted-string */
static enum sk_result
ar_value_tok(struct ar_lex *x, char *out, size_t max)
{
	size_t n = 0;

	if (x->i < x->len && x->p[x->i] == '"') {
		return ar_quoted(x, out, max);
	}
	out[0] = '\0';
	while (x->i < x->len && ar_tchar(x->p[x->i])) {
		if (ar_copy(out, max, &n, x->p[x->i++]) != 0) {
			return ar_fail(x, SK_E_TOO_LONG, "value too long");
		}
	}
	return n > 0 ? SK_OK : ar_fail(x, SK_E_SYNTAX, "value expected");
}

/* ar_keyword - RFC 5321 Keyword, lower-cased into out[max] */
static enum sk_result
ar_keyword(struct ar_lex *x, char *out, size_t max)
{
	size_t n = 0;
	uint8_t c;

	out[0] = '\0';
	if (x->i >= x->len || !(ar_alpha(x->p[x->i]) || ar_digit(x->p[x->i]))) {
		return ar_fail(x, SK_E_SYNTAX, "keyword expected");
	}
	while (x->i < x->len &&
	    (ar_alpha(x->p[x->i]) || ar_digit(x->p[x->i]) ||
		x->p[x->i] == '-')) {
		c = x->p[x->i++];
		if (c >= 'A' && c <= 'Z') {
			c = (uint8_t)(c - 'A' + 'a');
		}
		if (ar_copy(out, max, &n, c) != 0) {
			return ar_fail(x, SK_E_TOO_LONG, "keyword too long");
		}
	}
	if (out[n - 1] == '-') {
		return ar_fail(x, SK_E_SYNTAX, "keyword ends in a hyphen");
	}
	return SK_OK;
}

/* ar_number - 1*DIGIT (at most 9) */
static enum sk_result
ar_number(struct ar_lex *x, unsigned *v)
{
	size_t n = 0;

	*v = 0;
	while (x->i < x->len && ar_digit(x->p[x->i])) {
		if (++n > 9) {
			return ar_fail(x, SK_E_TOO_LONG, "number too long");
		}
		*v = *v * 10 + (unsigned)(x->p[x->i++] - '0');
	}
	return n > 0 ? SK_OK : ar_fail(x, SK_E_SYNTAX, "number expected");
}

/*
 * ar_pvalue - RFC 8601 pvalue: value / [[local-part] "@"] domain-name.
 * Written: a quoted-string (a quoted local-part may follow with "@"
 * domain), or a run of atext, "." and at most one "@"; that run covers
 * token, dot-atom@domain, and the unquoted base64 header.b of deployed
 * verifiers.
 */
static enum sk_result
ar_pvalue(struct ar_lex *x, char *out, size_t max)
{
	size_t n = 0, ats = 0;
	uint8_t c;

	if (x->i < x->len && x->p[x->i] == '"') {
		if (ar_quoted(x, out, max) != SK_OK) {
			return SK_E_SYNTAX;
		}
		n = strlen(out);
		if (x->i >= x->len || x->p[x->i] != '@') {
			return SK_OK;
		}
	}
	while (x->i < x->len) {
		c = x->p[x->i];
		if (!ar_atext(c) && c != '.' && c != '@') {
			break;
		}
		if (c == '@' && ++ats > 1) {
			return ar_fail(x, SK_E_SYNTAX, "two @ in a value");
		}
		if (ar_copy(out, max, &n, c) != 0) {
			return ar_fail(x, SK_E_TOO_LONG, "value too long");
		}
		x->i++;
	}
	if (n == 0 || out[n - 1] == '@') {
		return ar_fail(x, SK_E_SYNTAX, "property value expected");
	}
	return SK_OK;
}

/* ar_expect - c, after optional CFWS */
static enum sk_result
ar_expect(struct ar_lex *x, uint8_t c, const char *why)
{
	if (ar_cfws(x, NULL) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (x->i >= x->len || x->p[x->i] != c) {
		return ar_fail(x, SK_E_SYNTAX, why);
	}
	x->i++;
	return ar_cfws(x, NULL);
}

/* ar_spec - ptype "." property "=" pvalue, or reason "=" value,
 * after the Keyword in word */
static enum sk_result
ar_spec(struct ar_lex *x, struct authres_res *res, const char *word)
{
	struct authres_prop scratch, *p;
	char ptype[AUTHRES_WORD_MAX + 1];

	if (strcmp(word, "reason") == 0 && res->reason[0] == '\0' &&
	    res->nprop == 0 && res->nprop_skipped == 0) {
		if (ar_expect(x, '=', "= expected after reason") != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (ar_value_tok(x, res->reason, sizeof(res->reason)) !=
		    SK_OK) {
			return SK_E_SYNTAX;
		}
		return SK_OK;
	}
	snprintf(ptype, sizeof(ptype), "%s", word);
	p = res->nprop < AUTHRES_PROPS_MAX ? &res->prop[res->nprop] : &scratch;
	memcpy(p->ptype, ptype, sizeof(p->ptype));
	if (ar_expect(x, '.', ". expected in a property") != SK_OK ||
	    ar_keyword(x, p->property, sizeof(p->property)) != SK_OK ||
	    ar_expect(x, '=', "= expected after a property") != SK_OK ||
	    ar_pvalue(x, p->value, sizeof(p->value)) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (p == &scratch) {
		res->nprop_skipped++;
	} else {
		res->nprop++;
	}
	return SK_OK;
}

/* ar_resinfo - after ";": methodspec [reasonspec] *propspec */
static enum sk_result
ar_resinfo(struct ar_lex *x, struct authres *ar)
{
	struct authres_res *res, skip; /* skip: beyond the limit */
	char word[AUTHRES_WORD_MAX + 1];
	int seen;

	if (ar->nres < AUTHRES_RESULTS_MAX) {
		res = &ar->res[ar->nres++];
	} else {
		res = &skip;
		ar->nskipped++;
	}
	memset(res, 0, sizeof(*res));
	if (ar_keyword(x, res->method, sizeof(res->method)) != SK_OK ||
	    ar_cfws(x, NULL) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (x->i < x->len && x->p[x->i] == '/') {
		x->i++;
		if (ar_cfws(x, NULL) != SK_OK ||
		    ar_number(x, &res->method_version) != SK_OK) {
			return SK_E_SYNTAX;
		}
	}
	if (ar_expect(x, '=', "= expected after the method") != SK_OK ||
	    ar_keyword(x, res->result, sizeof(res->result)) != SK_OK) {
		return SK_E_SYNTAX;
	}
	for (;;) {
		if (ar_cfws(x, &seen) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (x->i >= x->len || x->p[x->i] == ';') {
			return SK_OK;
		}
		/* RFC 8601 2.2: CFWS before reasonspec and each propspec */
		if (!seen) {
			return ar_fail(x, SK_E_SYNTAX, "; expected");
		}
		if (ar_keyword(x, word, sizeof(word)) != SK_OK ||
		    ar_spec(x, res, word) != SK_OK) {
			return SK_E_SYNTAX;
		}
	}
}

/* ar_head - [CFWS] authserv-id [CFWS authres-version] */
static enum sk_result
ar_head(struct ar_lex *x, struct authres *ar)
{
	int seen;

	if (ar_cfws(x, NULL) != SK_OK ||
	    ar_value_tok(x, ar->id, sizeof(ar->id)) != SK_OK ||
	    ar_cfws(x, &seen) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (seen && x->i < x->len && ar_digit(x->p[x->i])) {
		if (ar_number(x, &ar->version) != SK_OK ||
		    ar_cfws(x, NULL) != SK_OK) {
			return SK_E_SYNTAX;
		}
		ar->has_version = 1;
	}
	return SK_OK;
}

/* ar_body - the rest after the head: no-result / 1*resinfo, [CFWS] */
static enum sk_result
ar_body(struct ar_lex *x, struct authres *ar)
{
	size_t mark;
	char word[AUTHRES_WORD_MAX + 1];

	if (x->i >= x->len || x->p[x->i] != ';') {
		return ar_fail(x, SK_E_SYNTAX, "; expected after the id");
	}
	/* no-result: ";" [CFWS] "none", and nothing after it */
	mark = x->i;
	x->i++;
	if (ar_cfws(x, NULL) == SK_OK &&
	    ar_keyword(x, word, sizeof(word)) == SK_OK &&
	    strcmp(word, "none") == 0 && ar_cfws(x, NULL) == SK_OK &&
	    x->i == x->len) {
		ar->none = 1;
		return SK_OK;
	}
	x->i = mark;
	x->err = NULL;
	x->r = SK_OK;
	while (x->i < x->len) {
		if (x->p[x->i] != ';') {
			return ar_fail(x, SK_E_SYNTAX, "; expected");
		}
		x->i++;
		if (ar_cfws(x, NULL) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (x->i == x->len && ar->nres > 0) {
			break; /* a final ";" as deployed writers add */
		}
		if (ar_resinfo(x, ar) != SK_OK) {
			return SK_E_SYNTAX;
		}
	}
	return SK_OK;
}

/* ar_trim - drop a final CRLF (the field's own line end) */
static size_t
ar_trim(const uint8_t *val, size_t len)
{
	if (len >= 2 && val[len - 2] == '\r' && val[len - 1] == '\n') {
		len -= 2;
	}
	return len;
}

static enum sk_result
ar_parse_at(struct authres *ar, struct ar_lex *x)
{
	enum sk_result r = SK_E_SYNTAX;

	if (x->len > AUTHRES_FIELD_MAX) {
		r = ar_fail(x, SK_E_TOO_LONG, "field too long");
	} else if (ar_head(x, ar) == SK_OK && ar_body(x, ar) == SK_OK) {
		r = SK_OK;
	} else if (x->err != NULL) {
		r = x->r;
	}
	ar->err = r == SK_OK ? NULL : (x->err != NULL ? x->err : "syntax");
	return r;
}

enum sk_result
authres_parse(struct authres *ar, const uint8_t *val, size_t len)
{
	struct ar_lex x = { val, ar_trim(val, len), 0, NULL, SK_OK };

	memset(ar, 0, sizeof(*ar));
	return ar_parse_at(ar, &x);
}

enum sk_result
authres_parse_aar(struct authres *ar, unsigned *instance, const uint8_t *val,
    size_t len)
{
	struct ar_lex x = { val, ar_trim(val, len), 0, NULL, SK_OK };
	char word[AUTHRES_WORD_MAX + 1];
	unsigned i;

	memset(ar, 0, sizeof(*ar));
	/* RFC 8617 4.1.1: [CFWS] "i" [CFWS] "=" [CFWS] 1*2DIGIT [CFWS] ";" */
	if (ar_cfws(&x, NULL) != SK_OK ||
	    ar_keyword(&x, word, sizeof(word)) != SK_OK ||
	    strcmp(word, "i") != 0 ||
	    ar_expect(&x, '=', "= expected after i") != SK_OK ||
	    ar_number(&x, &i) != SK_OK || i == 0 || i > AUTHRES_INSTANCE_MAX ||
	    ar_expect(&x, ';', "; expected after i=") != SK_OK) {
		ar->err = "no valid i= instance";
		return SK_E_SYNTAX;
	}
	*instance = i;
	return ar_parse_at(ar, &x);
}

enum sk_result
authres_id(const uint8_t *val, size_t len, char *id, size_t max)
{
	struct ar_lex x = { val, ar_trim(val, len), 0, NULL, SK_OK };

	if (max == 0) {
		return SK_E_TOO_LONG;
	}
	id[0] = '\0';
	if (x.len > AUTHRES_FIELD_MAX) {
		return SK_E_TOO_LONG;
	}
	if (ar_cfws(&x, NULL) != SK_OK) {
		return SK_E_SYNTAX;
	}
	return ar_value_tok(&x, id, max);
}

int
authres_is_ours(const uint8_t *val, size_t len, const char *ours)
{
	char id[AUTHRES_ID_MAX + 1];

	return authres_id(val, len, id, sizeof(id)) == SK_OK &&
	    strcasecmp(id, ours) == 0;
}

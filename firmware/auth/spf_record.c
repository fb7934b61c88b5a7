/*
 * spf_record.c - strict parser of SPF records (RFC 7208 4.5, 4.6, 12).
 *
 * Untrusted input: TXT records from any DNS zone.  The parser is sans-I/O,
 * does not allocate, and only points into the caller's buffer.  The whole
 * record is checked before any term is evaluated: RFC 7208 4.6 says a
 * syntax error anywhere makes the result permerror.
 */
#include <string.h>

#include "spf.h"

#define REC_ERR(rec, p, msg) \
	((rec)->err = (msg), (rec)->err_pos = (p), SK_E_SYNTAX)

static int
spf_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
spf_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
spf_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* spf_ieq - does buf[0..len) equal the lower-case word w? */
static int
spf_ieq(const char *buf, size_t len, const char *w)
{
	size_t i;

	if (strlen(w) != len) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (spf_lower((unsigned char)buf[i]) != w[i]) {
			return 0;
		}
	}
	return 1;
}

/* spf_record_is_spf - "v=spf1" then SP or the end (RFC 7208 4.5) */
int
spf_record_is_spf(const uint8_t *buf, size_t len)
{
	if (len < 6 || !spf_ieq((const char *)buf, 6, "v=spf1")) {
		return 0;
	}
	return len == 6 || buf[6] == ' ';
}

/*
 * spf_cidr - parse "/N" at s[0..len) with no leading zero (RFC 7208 12:
 * ip4-cidr-length, ip6-cidr-length).  SK_E_SYNTAX or SK_E_RANGE.
 */
static enum sk_result
spf_cidr(const char *s, size_t len, unsigned max, unsigned *out)
{
	size_t i;
	unsigned v = 0;

	if (len < 2 || s[0] != '/' || (s[1] == '0' && len > 2)) {
		return SK_E_SYNTAX;
	}
	if (len > 4) {
		return SK_E_RANGE;
	}
	for (i = 1; i < len; i++) {
		if (!spf_digit(s[i])) {
			return SK_E_SYNTAX;
		}
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max) {
		return SK_E_RANGE;
	}
	*out = v;
	return SK_OK;
}

/* spf_cidr_start - where a trailing "/digits" begins, or len */
static size_t
spf_cidr_start(const char *s, size_t len)
{
	size_t i = len;

	while (i > 0 && spf_digit(s[i - 1])) {
		i--;
	}
	if (i < len && i > 0 && s[i - 1] == '/') {
		return i - 1;
	}
	return len;
}

/*
 * spf_dual_cidr - split "spec[/n4][//n6]" at the end of s: sets *speclen
 * to what is left for the domain-spec (RFC 7208 5.6 dual-cidr-length).
 */
static enum sk_result
spf_dual_cidr(const char *s, size_t len, struct spf_term *t, size_t *speclen)
{
	size_t c;
	enum sk_result r;

	c = spf_cidr_start(s, len);
	if (c < len && c > 0 && s[c - 1] == '/') {
		/* "//n6" */
		r = spf_cidr(s + c, len - c, SPF_CIDR6_MAX, &t->cidr6);
		if (r != SK_OK) {
			return r;
		}
		len = c - 1;
		c = spf_cidr_start(s, len);
	}
	if (c < len) {
		r = spf_cidr(s + c, len - c, SPF_CIDR4_MAX, &t->cidr4);
		if (r != SK_OK) {
			return r;
		}
		len = c;
	}
	*speclen = len;
	return SK_OK;
}

/* spf_toplabel - RFC 7208 12 toplabel: alphanum with a letter, or with an
 * inner hyphen; never all digits */
static int
spf_toplabel(const char *s, size_t len)
{
	size_t i;
	int alpha = 0, hyphen = 0;

	if (len == 0 || s[0] == '-' || s[len - 1] == '-') {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (spf_alpha(s[i])) {
			alpha = 1;
		} else if (s[i] == '-') {
			hyphen = 1;
		} else if (!spf_digit(s[i])) {
			return 0;
		}
	}
	return alpha || hyphen;
}

/*
 * spf_domain_spec - RFC 7208 12: domain-spec = macro-string domain-end,
 * domain-end = ( "." toplabel [ "." ] ) / macro-expand.
 */
static enum sk_result
spf_domain_spec(const char *s, size_t len)
{
	size_t end = len, i;

	if (len == 0 || spf_macro_check(s, len, 0) != SK_OK) {
		return SK_E_SYNTAX;
	}
	/* ends in a macro-expand: "}" closing "%{", or "%%", "%_", "%-" */
	if (s[len - 1] == '}') {
		for (i = len; i > 0 && s[i - 1] != '%'; i--) {
		}
		if (i > 0 && i < len && s[i] == '{') {
			return SK_OK;
		}
	}
	if (len >= 2 && s[len - 2] == '%') {
		/* a %x pair at the end; valid only if not "%%x" escaped */
		for (i = len - 2; i > 0 && s[i - 1] == '%'; i--) {
		}
		if ((len - 2 - i) % 2 == 0) {
			return SK_OK;
		}
	}
	if (s[end - 1] == '.') {
		end--;
	}
	for (i = end; i > 0 && s[i - 1] != '.'; i--) {
	}
	if (i == 0 || !spf_toplabel(s + i, end - i)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

static const struct {
	const char *name;
	enum spf_term_kind kind;
	int dns; /* counts against SPF_MAX_DNS_TERMS */
} spf_mechs[] = {
	{ "all", SPF_M_ALL, 0 },
	{ "include", SPF_M_INCLUDE, 1 },
	{ "a", SPF_M_A, 1 },
	{ "mx", SPF_M_MX, 1 },
	{ "ptr", SPF_M_PTR, 1 },
	{ "ip4", SPF_M_IP4, 0 },
	{ "ip6", SPF_M_IP6, 0 },
	{ "exists", SPF_M_EXISTS, 1 },
};

/* spf_mechanism - the part after the name: ":" arg and CIDR lengths */
static enum sk_result
spf_mechanism(struct spf_term *t, const char *rest, size_t len)
{
	size_t speclen;
	enum sk_result r;
	int needs_spec = t->kind == SPF_M_INCLUDE || t->kind == SPF_M_EXISTS ||
	    t->kind == SPF_M_IP4 || t->kind == SPF_M_IP6;

	if (t->kind == SPF_M_ALL) {
		return len == 0 ? SK_OK : SK_E_SYNTAX;
	}
	if (len > 0 && rest[0] != ':' && rest[0] != '/') {
		return SK_E_SYNTAX;
	}
	if (len == 0 || rest[0] == '/') {
		if (needs_spec) {
			return SK_E_SYNTAX;
		}
	}
	if (t->kind == SPF_M_IP4) {
		speclen = spf_cidr_start(rest + 1, len - 1);
		if (speclen < len - 1 &&
		    (r = spf_cidr(rest + 1 + speclen, len - 1 - speclen,
			 SPF_CIDR4_MAX, &t->cidr4)) != SK_OK) {
			return r;
		}
		return dns_ip4_parse(rest + 1, speclen, t->addr) == SK_OK ?
		    SK_OK :
		    SK_E_SYNTAX;
	}
	if (t->kind == SPF_M_IP6) {
		speclen = spf_cidr_start(rest + 1, len - 1);
		if (speclen < len - 1 &&
		    (r = spf_cidr(rest + 1 + speclen, len - 1 - speclen,
			 SPF_CIDR6_MAX, &t->cidr6)) != SK_OK) {
			return r;
		}
		return dns_ip6_parse(rest + 1, speclen, t->addr) == SK_OK ?
		    SK_OK :
		    SK_E_SYNTAX;
	}
	if (t->kind == SPF_M_A || t->kind == SPF_M_MX) {
		if ((r = spf_dual_cidr(rest, len, t, &speclen)) != SK_OK) {
			return r;
		}
	} else {
		speclen = len;
	}
	if (speclen == 0) {
		return SK_OK;
	}
	if (rest[0] != ':') {
		return SK_E_SYNTAX;
	}
	t->spec = rest + 1;
	t->spec_len = speclen - 1;
	return spf_domain_spec(t->spec, t->spec_len);
}

/* spf_term_parse - one term at buf[0..len) (no spaces) */
static enum sk_result
spf_term_parse(const char *buf, size_t len, struct spf_term *t)
{
	size_t i = 0, n, k;

	memset(t, 0, sizeof(*t));
	t->text = buf;
	t->text_len = len;
	t->qualifier = '+';
	t->cidr4 = SPF_CIDR4_MAX;
	t->cidr6 = SPF_CIDR6_MAX;
	if (strchr("+-~?", buf[0]) != NULL) {
		t->qualifier = buf[0];
		i = 1;
	}
	/* RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	if (i >= len || !spf_alpha(buf[i])) {
		return SK_E_SYNTAX;
	}
	for (n = i + 1; n < len &&
	     (spf_alpha(buf[n]) || spf_digit(buf[n]) || buf[n] == '-' ||
		 buf[n] == '_' || buf[n] == '.');
	     n++) {
	}
	if (n < len && buf[n] == '=') {
		if (i != 0) {
			return SK_E_SYNTAX; /* modifiers take no qualifier */
		}
		t->name = buf;
		t->name_len = n;
		t->spec = buf + n + 1;
		t->spec_len = len - n - 1;
		if (spf_ieq(buf, n, "redirect")) {
			t->kind = SPF_MOD_REDIRECT;
		} else if (spf_ieq(buf, n, "exp")) {
			t->kind = SPF_MOD_EXP;
		} else {
			t->kind = SPF_MOD_UNKNOWN;
			return spf_macro_check(t->spec, t->spec_len, 0);
		}
		return spf_domain_spec(t->spec, t->spec_len);
	}
	/* mechanism names are the letters before ":" or "/" */
	for (n = i; n < len && buf[n] != ':' && buf[n] != '/'; n++) {
	}
	for (k = 0; k < SK_NELEM(spf_mechs); k++) {
		if (spf_ieq(buf + i, n - i, spf_mechs[k].name)) {
			t->kind = spf_mechs[k].kind;
			return spf_mechanism(t, buf + n, len - n);
		}
	}
	return SK_E_SYNTAX;
}

static int
spf_term_dns(enum spf_term_kind kind)
{
	size_t k;

	if (kind == SPF_MOD_REDIRECT) {
		return 1;
	}
	for (k = 0; k < SK_NELEM(spf_mechs); k++) {
		if (spf_mechs[k].kind == kind) {
			return spf_mechs[k].dns;
		}
	}
	return 0;
}

/* spf_record_next - the next term of a parsed record after *pos */
enum sk_result
spf_record_next(const struct spf_record *rec, size_t *pos, struct spf_term *t)
{
	const char *s = (const char *)rec->buf;
	size_t i = *pos, e;

	if (i < 6) {
		i = 6; /* after "v=spf1" */
	}
	while (i < rec->len && s[i] == ' ') {
		i++;
	}
	if (i >= rec->len) {
		*pos = i;
		return SK_END;
	}
	for (e = i; e < rec->len && s[e] != ' '; e++) {
	}
	*pos = e;
	return spf_term_parse(s + i, e - i, t);
}

/* spf_record_parse - check a whole record and note its modifiers */
enum sk_result
spf_record_parse(const uint8_t *buf, size_t len, struct spf_record *rec)
{
	struct spf_term t;
	size_t pos = 0, i, start;
	enum sk_result r;

	memset(rec, 0, sizeof(*rec));
	rec->buf = buf;
	rec->len = len;
	if (len > SPF_RECORD_MAX) {
		rec->err = "record too long";
		return SK_E_TOO_LONG;
	}
	if (!spf_record_is_spf(buf, len)) {
		return REC_ERR(rec, 0, "no v=spf1");
	}
	/* RFC 7208 3.1, 12: SP separates terms; terms are visible ASCII */
	for (i = 6; i < len; i++) {
		if (buf[i] != ' ' && (buf[i] < 0x21 || buf[i] > 0x7e)) {
			return REC_ERR(rec, i, "not a visible ASCII character");
		}
	}
	for (;;) {
		start = pos;
		r = spf_record_next(rec, &pos, &t);
		if (r == SK_END) {
			break;
		}
		if (r != SK_OK) {
			rec->err = r == SK_E_RANGE ?
			    "CIDR length out of range" :
			    "syntax error in term";
			rec->err_pos = start;
			return r;
		}
		rec->nterms++;
		rec->ndns += (size_t)spf_term_dns(t.kind);
		if (t.kind == SPF_MOD_REDIRECT) {
			/* RFC 7208 6: at most once each */
			if (rec->has_redirect++) {
				return REC_ERR(rec, start, "redirect twice");
			}
			rec->redirect = t;
		} else if (t.kind == SPF_MOD_EXP) {
			if (rec->has_exp++) {
				return REC_ERR(rec, start, "exp twice");
			}
			rec->exp = t;
		}
	}
	return SK_OK;
}

/*
 * smtp_addr.c - RFC 5321 4.1.2 path parser; see smtp_addr.h.
 *
 * A cursor walks the caller's bytes once, left to right; every output
 * is written into bounded arrays of struct smtp_addr after its length is
 * checked. Nothing here allocates, logs or touches the input.
 */
#include <stdio.h>
#include <string.h>

#include "smtp_addr.h"

struct cur {
	const uint8_t *p;
	size_t len, i;
	unsigned opts;
};

/* smtp_addr_atext - RFC 5321 4.1.2 atext (RFC 5322 3.2.3), ASCII part */
static int
smtp_addr_atext(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9')) {
		return 1;
	}
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* smtp_addr_letdig - RFC 5321 Let-dig */
static int
smtp_addr_letdig(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* smtp_utf8_seq - length of the strict UTF-8 sequence at buf, or 0 */
size_t
smtp_utf8_seq(const uint8_t *buf, size_t len)
{
	uint8_t c = buf[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	/* RFC 3629 4: UTF8-2, UTF8-3, UTF8-4 with their exact ranges. */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0) {
			lo = 0xa0; /* no overlong forms */
		} else if (c == 0xed) {
			hi = 0x9f; /* no surrogates */
		}
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0) {
			lo = 0x90;
		} else if (c == 0xf4) {
			hi = 0x8f; /* nothing above U+10FFFF */
		}
	} else {
		return 0;
	}
	if (len < n || buf[1] < lo || buf[1] > hi) {
		return 0;
	}
	for (i = 2; i < n; i++) {
		if (buf[i] < 0x80 || buf[i] > 0xbf) {
			return 0;
		}
	}
	return n;
}

/* smtp_utf8_valid - whether buf[0..len) is strict UTF-8 */
int
smtp_utf8_valid(const uint8_t *buf, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (buf[i] < 0x80) {
			i++;
			continue;
		}
		n = smtp_utf8_seq(buf + i, len - i);
		if (n == 0) {
			return 0;
		}
		i += n;
	}
	return 1;
}

/*
 * smtp_addr_utf8 - at an octet >= 0x80: the length of its UTF-8
 * sequence, or 0 with *r set: SK_E_RANGE when 8-bit is not allowed,
 * SK_E_SYNTAX when it is but the sequence is not strict UTF-8.
 */
static size_t
smtp_addr_utf8(const struct cur *c, enum sk_result *r)
{
	size_t n;

	if (!(c->opts & SMTP_ADDR_OPT_UTF8)) {
		*r = SK_E_RANGE; /* RFC 6531 3.4: needs SMTPUTF8 */
		return 0;
	}
	n = smtp_utf8_seq(c->p + c->i, c->len - c->i);
	*r = n > 0 ? SK_OK : SK_E_SYNTAX;
	return n;
}

/* smtp_addr_peek - the byte at the cursor, or -1 at the end */
static int
smtp_addr_peek(const struct cur *c)
{
	return c->i < c->len ? c->p[c->i] : -1;
}

/*
 * smtp_addr_domain - RFC 5321 Domain = sub-domain *("." sub-domain),
 * sub-domain = Let-dig [Ldh-str], or a U-label with SMTPUTF8 (RFC 6531
 * 3.3). Written lower-cased into out (may be NULL to only check).
 */
static enum sk_result
smtp_addr_domain(struct cur *c, char *out, size_t *outlen, unsigned *flags)
{
	size_t start = c->i, label = 0, n;
	int prev = -1; /* previous byte of the label: -1 at label start */
	enum sk_result r;
	uint8_t b;

	while (c->i < c->len) {
		b = c->p[c->i];
		if (b == '.') {
			/* No empty label, no label ending in '-'. */
			if (label == 0 || prev == '-') {
				return SK_E_SYNTAX;
			}
			label = 0;
			prev = -1;
			c->i++;
			continue;
		}
		if (b >= 0x80) {
			n = smtp_addr_utf8(c, &r);
			if (n == 0) {
				return r;
			}
			*flags |= SMTP_ADDR_F_UTF8;
			label += n;
			c->i += n;
			prev = 0x80;
		} else if (smtp_addr_letdig(b) || (b == '-' && label > 0)) {
			label++;
			c->i++;
			prev = b;
		} else {
			break;
		}
		/* RFC 1035 2.3.4: 63 octets per label. */
		if (label > SMTP_ADDR_LABEL_MAX) {
			return SK_E_TOO_LONG;
		}
	}
	if (label == 0 || prev == '-') {
		return SK_E_SYNTAX;
	}
	n = c->i - start;
	if (n > SMTP_ADDR_DOMAIN_MAX) {
		return SK_E_TOO_LONG;
	}
	if (out != NULL) {
		for (size_t k = 0; k < n; k++) {
			b = c->p[start + k];
			out[k] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
		}
		out[n] = '\0';
		*outlen = n;
	}
	return SK_OK;
}

/* smtp_addr_snum - RFC 5321 Snum: 1*3DIGIT, 0 through 255 */
static int
smtp_addr_snum(struct cur *c, uint8_t *v)
{
	unsigned n = 0, digits = 0;

	while (c->i < c->len && c->p[c->i] >= '0' && c->p[c->i] <= '9' &&
	    digits < 3) {
		n = n * 10 + (unsigned)(c->p[c->i] - '0');
		digits++;
		c->i++;
	}
	if (digits == 0 || n > 255) {
		return 0;
	}
	*v = (uint8_t)n;
	return 1;
}

/* smtp_addr_ipv4 - RFC 5321 IPv4-address-literal body: Snum 3("." Snum) */
static int
smtp_addr_ipv4(struct cur *c, uint8_t ip[4])
{
	int k;

	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (smtp_addr_peek(c) != '.') {
				return 0;
			}
			c->i++;
		}
		if (!smtp_addr_snum(c, &ip[k])) {
			return 0;
		}
	}
	return 1;
}

/* smtp_addr_hex4 - RFC 5321 IPv6-hex = 1*4HEXDIG; digits read, or 0 */
static size_t
smtp_addr_hex4(struct cur *c, uint16_t *v)
{
	size_t n = 0;
	int d, ch;

	*v = 0;
	while (n < 4 && (ch = smtp_addr_peek(c)) >= 0) {
		if (ch >= '0' && ch <= '9') {
			d = ch - '0';
		} else if (ch >= 'a' && ch <= 'f') {
			d = ch - 'a' + 10;
		} else if (ch >= 'A' && ch <= 'F') {
			d = ch - 'A' + 10;
		} else {
			break;
		}
		*v = (uint16_t)(*v << 4 | (unsigned)d);
		c->i++;
		n++;
	}
	return n;
}

/* smtp_addr_is_v4_ahead - whether the group at the cursor is an IPv4 */
static int
smtp_addr_is_v4_ahead(const struct cur *c)
{
	size_t i;

	for (i = c->i; i < c->len && c->p[i] != ':' && c->p[i] != ']'; i++) {
		if (c->p[i] == '.') {
			return 1;
		}
	}
	return 0;
}

/*
 * smtp_addr_ipv6 - RFC 5321 4.1.3 IPv6-addr: IPv6-full, IPv6-comp,
 * IPv6v4-full or IPv6v4-comp; "::" stands for at least two zero groups,
 * so at most 6 (4 with a trailing IPv4) groups may be written with it.
 */
static int
smtp_addr_ipv6(struct cur *c, uint8_t ip[16])
{
	uint16_t g[8], v;
	size_t n = 0, gap = SIZE_MAX, i, max, words;
	int v4 = 0;
	uint8_t q[4];

	if (smtp_addr_peek(c) == ':') {
		c->i++;
		if (smtp_addr_peek(c) != ':') {
			return 0;
		}
		c->i++;
		gap = 0;
		if (smtp_addr_peek(c) == ']') {
			goto done;
		}
	}
	for (;;) {
		if (n < 7 && smtp_addr_is_v4_ahead(c)) {
			if (!smtp_addr_ipv4(c, q)) {
				return 0;
			}
			g[n++] = (uint16_t)(q[0] << 8 | q[1]);
			g[n++] = (uint16_t)(q[2] << 8 | q[3]);
			v4 = 1;
			break;
		}
		if (n >= 8 || smtp_addr_hex4(c, &v) == 0) {
			return 0;
		}
		g[n++] = v;
		if (smtp_addr_peek(c) != ':') {
			break;
		}
		c->i++;
		if (smtp_addr_peek(c) == ':') {
			if (gap != SIZE_MAX) {
				return 0; /* a second "::" */
			}
			c->i++;
			gap = n;
			if (smtp_addr_peek(c) == ']') {
				break;
			}
		}
	}
done:
	words = n;
	if (gap == SIZE_MAX) {
		if (words != 8) {
			return 0;
		}
	} else {
		max = v4 ? 4 + 2 : 6;
		if (words > max) {
			return 0;
		}
	}
	memset(ip, 0, 16);
	if (gap == SIZE_MAX) {
		gap = 8;
	}
	for (i = 0; i < gap; i++) {
		ip[2 * i] = (uint8_t)(g[i] >> 8);
		ip[2 * i + 1] = (uint8_t)g[i];
	}
	for (i = gap; i < n; i++) {
		size_t at = 8 - (n - i);
		ip[2 * at] = (uint8_t)(g[i] >> 8);
		ip[2 * at + 1] = (uint8_t)g[i];
	}
	return 1;
}

/* smtp_addr_fmt_ipv6 - RFC 5952 4 text of ip: lower case, longest "::" */
static void
smtp_addr_fmt_ipv6(const uint8_t ip[16], char *out, size_t cap)
{
	size_t best = 0, bestlen = 0, run, i, n = 0;
	uint16_t w[8];

	for (i = 0; i < 8; i++) {
		w[i] = (uint16_t)(ip[2 * i] << 8 | ip[2 * i + 1]);
	}
	for (i = 0; i<8; i += run> 0 ? run : 1) {
		for (run = 0; i + run < 8 && w[i + run] == 0; run++) {
		}
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	if (bestlen < 2) {
		bestlen = 0; /* RFC 5952 4.2.2: not for one group */
	}
	for (i = 0; i < 8; i++) {
		if (bestlen > 0 && i == best) {
			n += (size_t)snprintf(out + n, cap - n, "::");
			i += bestlen - 1;
			continue;
		}
		n += (size_t)snprintf(out + n, cap - n, "%s%x",
		    n > 0 && out[n - 1] != ':' ? ":" : "", w[i]);
	}
}

/* smtp_addr_literal - RFC 5321 4.1.3 address-literal, from '[' */
static enum sk_result
smtp_addr_literal(struct cur *c, struct smtp_addr *a)
{
	char text[64];

	c->i++; /* '[' */
	if (c->len - c->i >= 5 &&
	    strncasecmp((const char *)c->p + c->i, "IPv6:", 5) == 0) {
		c->i += 5;
		if (!smtp_addr_ipv6(c, a->ip)) {
			return SK_E_SYNTAX;
		}
		smtp_addr_fmt_ipv6(a->ip, text, sizeof(text));
		a->flags |= SMTP_ADDR_F_IPV6;
		a->domainlen = (size_t)snprintf(a->domain, sizeof(a->domain),
		    "[IPv6:%s]", text);
	} else {
		/* General-address-literal tags other than IPv6 are refused. */
		if (!smtp_addr_ipv4(c, a->ip)) {
			return SK_E_SYNTAX;
		}
		a->domainlen = (size_t)snprintf(a->domain, sizeof(a->domain),
		    "[%u.%u.%u.%u]", a->ip[0], a->ip[1], a->ip[2], a->ip[3]);
	}
	if (smtp_addr_peek(c) != ']') {
		return SK_E_SYNTAX;
	}
	c->i++;
	a->flags |= SMTP_ADDR_F_LITERAL;
	return SK_OK;
}

/* smtp_addr_route - RFC 5321 A-d-l ":": check and drop a source route */
static enum sk_result
smtp_addr_route(struct cur *c, struct smtp_addr *a)
{
	enum sk_result r;

	for (;;) {
		c->i++; /* '@' */
		if (smtp_addr_peek(c) == '[') {
			/* Not in RFC 5321's A-d-l, but seen in the wild
			 * (nmap's relay test 12): check it, then drop it. */
			struct smtp_addr scratch;

			memset(&scratch, 0, sizeof(scratch));
			r = smtp_addr_literal(c, &scratch);
		} else {
			r = smtp_addr_domain(c, NULL, NULL, &a->flags);
		}
		if (r != SK_OK) {
			return r;
		}
		if (smtp_addr_peek(c) == ':') {
			c->i++;
			a->flags |= SMTP_ADDR_F_ROUTE;
			return SK_OK;
		}
		if (smtp_addr_peek(c) != ',') {
			return SK_E_SYNTAX;
		}
		c->i++;
		if (smtp_addr_peek(c) != '@') {
			return SK_E_SYNTAX;
		}
	}
}

/* smtp_addr_dotstring - whether raw[0..n) is an RFC 5321 Dot-string */
static int
smtp_addr_dotstring(const uint8_t *raw, size_t n, int utf8)
{
	size_t i = 0, atom = 0, k;

	while (i < n) {
		if (raw[i] == '.') {
			if (atom == 0) {
				return 0;
			}
			atom = 0;
			i++;
		} else if (raw[i] >= 0x80 && utf8) {
			k = smtp_utf8_seq(raw + i, n - i);
			if (k == 0) {
				return 0;
			}
			atom += k;
			i += k;
		} else if (smtp_addr_atext(raw[i])) {
			atom++;
			i++;
		} else {
			return 0;
		}
	}
	return atom > 0;
}

/* smtp_addr_note - the relay-trick flags of one local-part octet */
static void
smtp_addr_note(struct smtp_addr *a, uint8_t b, int quoted)
{
	if (b == '%') {
		a->flags |= SMTP_ADDR_F_PERCENT;
	} else if (b == '!') {
		a->flags |= SMTP_ADDR_F_BANG;
	} else if (b == '@' && quoted) {
		a->flags |= SMTP_ADDR_F_QUOTED_AT;
	}
}

/*
 * smtp_addr_quoted - RFC 5321 Quoted-string, from the '"': decode
 * quoted-pairSMTP (%d92 %d32-126) and qtextSMTP into raw[].
 */
static enum sk_result
smtp_addr_quoted(struct cur *c, struct smtp_addr *a, uint8_t *raw,
    size_t *rawlen)
{
	size_t n = 0, k;
	enum sk_result r;
	uint8_t b;

	c->i++; /* opening DQUOTE */
	for (;;) {
		if (c->i >= c->len) {
			return SK_E_SYNTAX;
		}
		b = c->p[c->i];
		if (b == '"') {
			c->i++;
			break;
		}
		k = 1;
		if (b == '\\') {
			c->i++;
			if (c->i >= c->len || c->p[c->i] < 32 ||
			    c->p[c->i] > 126) {
				return SK_E_SYNTAX;
			}
			b = c->p[c->i];
		} else if (b >= 0x80) {
			k = smtp_addr_utf8(c, &r);
			if (k == 0) {
				return r;
			}
			a->flags |= SMTP_ADDR_F_UTF8;
		} else if (b < 32 || b > 126) {
			/* qtextSMTP: %d32-33 / %d35-91 / %d93-126 */
			return SK_E_SYNTAX;
		}
		if (n + k > SMTP_ADDR_LOCAL_MAX) {
			return SK_E_TOO_LONG;
		}
		memcpy(raw + n, c->p + c->i, k);
		smtp_addr_note(a, b, 1);
		n += k;
		c->i += k;
	}
	*rawlen = n;
	return SK_OK;
}

/* smtp_addr_canon_local - store raw[] unquoted if a Dot-string, else quoted */
static enum sk_result
smtp_addr_canon_local(struct smtp_addr *a, const uint8_t *raw, size_t n,
    int utf8)
{
	size_t i, o = 0;

	if (smtp_addr_dotstring(raw, n, utf8)) {
		memcpy(a->local, raw, n);
		a->local[n] = '\0';
		a->locallen = n;
		return SK_OK;
	}
	a->local[o++] = '"';
	for (i = 0; i < n; i++) {
		if (raw[i] == '"' || raw[i] == '\\') {
			if (o + 1 >= sizeof(a->local)) {
				return SK_E_TOO_LONG;
			}
			a->local[o++] = '\\';
		}
		if (o + 1 >= sizeof(a->local)) {
			return SK_E_TOO_LONG;
		}
		a->local[o++] = (char)raw[i];
	}
	if (o + 1 >= sizeof(a->local)) {
		return SK_E_TOO_LONG;
	}
	a->local[o++] = '"';
	a->local[o] = '\0';
	a->locallen = o;
	return SK_OK;
}

/* smtp_addr_local - RFC 5321 Local-part = Dot-string / Quoted-string */
static enum sk_result
smtp_addr_local(struct cur *c, struct smtp_addr *a)
{
	uint8_t raw[SMTP_ADDR_LOCAL_MAX] = { 0 };
	size_t n = 0, start = c->i, k;
	enum sk_result r;
	uint8_t b;

	if (smtp_addr_peek(c) == '"') {
		a->flags |= SMTP_ADDR_F_QUOTED;
		r = smtp_addr_quoted(c, a, raw, &n);
		if (r != SK_OK) {
			return r;
		}
	} else {
		while (c->i < c->len && (b = c->p[c->i]) != '@' && b != '>') {
			k = 1;
			if (b >= 0x80) {
				k = smtp_addr_utf8(c, &r);
				if (k == 0) {
					return r;
				}
				a->flags |= SMTP_ADDR_F_UTF8;
			} else if (b != '.' && !smtp_addr_atext(b)) {
				return SK_E_SYNTAX;
			}
			if (n + k > SMTP_ADDR_LOCAL_MAX) {
				return SK_E_TOO_LONG;
			}
			memcpy(raw + n, c->p + c->i, k);
			smtp_addr_note(a, b, 0);
			n += k;
			c->i += k;
		}
		if (!smtp_addr_dotstring(raw, n, 1)) {
			return SK_E_SYNTAX;
		}
	}
	/* RFC 5321 4.5.3.1.1: 64 octets, as sent. */
	if (c->i - start > SMTP_ADDR_LOCAL_MAX) {
		return SK_E_TOO_LONG;
	}
	return smtp_addr_canon_local(a, raw, n,
	    (c->opts & SMTP_ADDR_OPT_UTF8) != 0);
}

/* smtp_addr_special - "<>" and "<Postmaster>"; 1 if buf was one */
static int
smtp_addr_special(const uint8_t *buf, size_t len, unsigned opts,
    struct smtp_addr *a)
{
	if (len == 2 && (opts & SMTP_ADDR_OPT_NULL_OK)) {
		a->flags = SMTP_ADDR_F_NULL;
		return 1;
	}
	/* RFC 5321 4.1.1.3: "<Postmaster>", case-insensitive. */
	if (len == 12 && (opts & SMTP_ADDR_OPT_POSTMASTER) &&
	    strncasecmp((const char *)buf + 1, "postmaster", 10) == 0) {
		memcpy(a->local, "postmaster", 11);
		a->locallen = 10;
		a->flags = SMTP_ADDR_F_POSTMASTER;
		return 1;
	}
	return 0;
}

/* smtp_addr_mailbox - Local-part "@" ( Domain / address-literal ) ">" */
static enum sk_result
smtp_addr_mailbox(struct cur *c, struct smtp_addr *a)
{
	enum sk_result r;

	if (smtp_addr_peek(c) == '@') {
		r = smtp_addr_route(c, a);
		if (r != SK_OK) {
			return r;
		}
	}
	r = smtp_addr_local(c, a);
	if (r != SK_OK) {
		return r;
	}
	if (smtp_addr_peek(c) != '@') {
		return SK_E_SYNTAX; /* unqualified: no domain */
	}
	c->i++;
	if (smtp_addr_peek(c) == '[') {
		r = smtp_addr_literal(c, a);
	} else {
		r = smtp_addr_domain(c, a->domain, &a->domainlen, &a->flags);
	}
	if (r != SK_OK) {
		return r;
	}
	/* Exactly one '>' closes the path: "a@b@c>" or "a@b>x" fail here. */
	if (c->i + 1 != c->len || c->p[c->i] != '>') {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* smtp_addr_parse - parse one Path occupying exactly buf[0..len) */
enum sk_result
smtp_addr_parse(const uint8_t *buf, size_t len, unsigned opts,
    struct smtp_addr *a)
{
	struct cur c = { buf, len, 1, opts };
	enum sk_result r;

	memset(a, 0, sizeof(*a));
	if (len > SMTP_ADDR_PATH_MAX) {
		return SK_E_TOO_LONG;
	}
	if (len < 2 || buf[0] != '<' || buf[len - 1] != '>') {
		return SK_E_SYNTAX;
	}
	if (smtp_addr_special(buf, len, opts, a)) {
		return SK_OK;
	}
	r = smtp_addr_mailbox(&c, a);
	if (r != SK_OK) {
		memset(a, 0, sizeof(*a));
	}
	return r;
}

/* smtp_addr_is_relay_trick - the relay-trick flags of a parsed address */
unsigned
smtp_addr_is_relay_trick(const struct smtp_addr *a)
{
	return a->flags & SMTP_ADDR_F_TRICKS;
}

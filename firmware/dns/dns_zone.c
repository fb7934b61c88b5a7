/*
 * dns_zone.c - RFC 1035 master file parser and the zone resolver backend.
 *
 * Untrusted input: the zone file.  Every limit is named in dns.h or
 * dns_zone.h; the parser writes only into the caller's storage.
 */
#include <string.h>

#include "dns_zone.h"

#define ZONE_ERR(z, code, msg) ((z)->err = (msg), (code))

/* dns_zone_init - hand in storage for rr_max records and data_max octets */
void
dns_zone_init(struct dns_zone *z, struct dns_zone_rr *rr, size_t rr_max,
    uint8_t *data, size_t data_max)
{
	memset(z, 0, sizeof(*z));
	z->rr = rr;
	z->rr_max = rr_max;
	z->data = data;
	z->data_max = data_max;
	z->line = 1;
}

/* --- lexer ---------------------------------------------------------- */

static int
zone_is_delim(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' ||
	    c == '(' || c == ')' || c == '"';
}

/* zone_put - append one decoded octet to the entry's scratch */
static enum sk_result
zone_put(struct dns_zone *z, uint8_t c)
{
	if (z->scratch_used + 1 >= sizeof(z->scratch)) {
		return ZONE_ERR(z, SK_E_TOO_LONG, "entry too long");
	}
	z->scratch[z->scratch_used++] = c;
	return SK_OK;
}

/* zone_escape - decode "\X" or "\DDD" (RFC 1035 5.1) at buf[*pos] == '\' */
static enum sk_result
zone_escape(struct dns_zone *z, const uint8_t *buf, size_t len, size_t *pos)
{
	size_t i = *pos + 1;
	unsigned v = 0, k;

	if (i >= len || buf[i] == '\n' || buf[i] == '\0') {
		return ZONE_ERR(z, SK_E_SYNTAX, "bad escape");
	}
	if (buf[i] >= '0' && buf[i] <= '9') {
		for (k = 0; k < 3; k++, i++) {
			if (i >= len || buf[i] < '0' || buf[i] > '9') {
				return ZONE_ERR(z, SK_E_SYNTAX,
				    "\\DDD needs three digits");
			}
			v = v * 10 + (unsigned)(buf[i] - '0');
		}
		if (v > 255) {
			return ZONE_ERR(z, SK_E_RANGE, "\\DDD above 255");
		}
		*pos = i;
	} else {
		v = buf[i];
		*pos = i + 1;
	}
	z->cur->escaped = 1;
	if (v == '.') {
		z->cur->esc_dot = 1;
	}
	return zone_put(z, (uint8_t)v);
}

/* zone_token - read one plain or quoted token starting at buf[*pos] */
static enum sk_result
zone_token(struct dns_zone *z, const uint8_t *buf, size_t len, size_t *pos)
{
	struct dns_zone_tok *t;
	size_t i = *pos;
	enum sk_result r;
	int quoted = buf[i] == '"';

	if (z->ntok >= DNS_ZONE_TOKENS_MAX) {
		return ZONE_ERR(z, SK_E_TOO_LONG, "too many fields");
	}
	t = &z->tok[z->ntok++];
	memset(t, 0, sizeof(*t));
	z->cur = t;
	t->off = z->scratch_used;
	t->quoted = quoted;
	if (quoted) {
		i++;
	}
	while (i < len) {
		if (buf[i] == '\0') {
			return ZONE_ERR(z, SK_E_SYNTAX, "NUL byte");
		}
		if (quoted ? buf[i] == '"' : zone_is_delim(buf[i])) {
			break;
		}
		if (buf[i] == '\n') {
			return ZONE_ERR(z, SK_E_SYNTAX, "newline in string");
		}
		if (buf[i] == '\\') {
			r = zone_escape(z, buf, len, &i);
		} else {
			r = zone_put(z, buf[i++]);
		}
		if (r != SK_OK) {
			return r;
		}
	}
	if (quoted) {
		if (i >= len) {
			return ZONE_ERR(z, SK_E_SYNTAX, "unterminated string");
		}
		i++;
	}
	t->len = z->scratch_used - t->off;
	z->scratch[z->scratch_used++] = '\0'; /* room kept by zone_put */
	*pos = i;
	return SK_OK;
}

/*
 * zone_entry - gather the tokens of one entry (one line, or several
 * joined by parentheses).  *blank is set when the entry starts with
 * white space (the owner is the previous one).  SK_END at end of input.
 */
static enum sk_result
zone_entry(struct dns_zone *z, const uint8_t *buf, size_t len, size_t *pos,
    int *blank)
{
	size_t i = *pos;
	int depth = 0;
	enum sk_result r;

	z->ntok = 0;
	z->scratch_used = 0;
	*blank = i < len && (buf[i] == ' ' || buf[i] == '\t');
	while (i < len) {
		uint8_t c = buf[i];

		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
		} else if (c == ';') {
			while (i < len && buf[i] != '\n') {
				i++;
			}
		} else if (c == '\n') {
			i++;
			if (depth == 0 && z->ntok > 0) {
				*pos = i;
				return SK_OK;
			}
			z->line++;
			if (depth == 0) {
				*blank = i < len &&
				    (buf[i] == ' ' || buf[i] == '\t');
			}
		} else if (c == '(') {
			if (depth++ > 0) {
				return ZONE_ERR(z, SK_E_SYNTAX,
				    "nested parenthesis");
			}
			i++;
		} else if (c == ')') {
			if (depth-- == 0) {
				return ZONE_ERR(z, SK_E_SYNTAX,
				    "unbalanced parenthesis");
			}
			i++;
		} else {
			r = zone_token(z, buf, len, &i);
			if (r != SK_OK) {
				return r;
			}
		}
	}
	if (depth != 0) {
		return ZONE_ERR(z, SK_E_SYNTAX, "unclosed parenthesis");
	}
	*pos = i;
	return z->ntok > 0 ? SK_OK : SK_END;
}

/* --- entries -------------------------------------------------------- */

static const char *
zone_tok(const struct dns_zone *z, size_t i)
{
	return (const char *)z->scratch + z->tok[i].off;
}

/* zone_number - a decimal number up to max */
static enum sk_result
zone_number(struct dns_zone *z, size_t i, uint32_t max, uint32_t *out)
{
	const char *s = zone_tok(z, i);
	size_t n = z->tok[i].len, k;
	uint64_t v = 0;

	if (n == 0 || z->tok[i].quoted) {
		return ZONE_ERR(z, SK_E_SYNTAX, "number expected");
	}
	for (k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9') {
			return ZONE_ERR(z, SK_E_SYNTAX, "number expected");
		}
		v = v * 10 + (uint64_t)(s[k] - '0');
		if (v > max) {
			return ZONE_ERR(z, SK_E_RANGE, "number too large");
		}
	}
	*out = (uint32_t)v;
	return SK_OK;
}

static int
zone_is_number(const struct dns_zone *z, size_t i)
{
	const char *s = zone_tok(z, i);
	size_t k;

	for (k = 0; k < z->tok[i].len; k++) {
		if (s[k] < '0' || s[k] > '9') {
			return 0;
		}
	}
	return z->tok[i].len > 0 && !z->tok[i].quoted;
}

/*
 * zone_name - token i as an absolute name in text form without the final
 * dot, written to out.  "@" is the origin; other names not ending in "."
 * are relative to it; "." (the root) only where allow_root says so (the
 * null MX of RFC 7505), written as "".  Escapes decode to the octet, but
 * an escaped "." is refused: text form could not tell it from a label
 * separator.
 */
static enum sk_result
zone_name(struct dns_zone *z, size_t i, char out[DNS_TEXT_NAME_MAX + 2],
    int allow_root)
{
	const struct dns_zone_tok *t = &z->tok[i];
	const char *s = zone_tok(z, i);
	size_t n = t->len, k, olen;
	int absolute;

	if (t->quoted || n == 0) {
		return ZONE_ERR(z, SK_E_SYNTAX, "name expected");
	}
	if (t->esc_dot) {
		return ZONE_ERR(z, SK_E_SYNTAX, "escaped dot in a name");
	}
	for (k = 0; k < n; k++) {
		if (s[k] == '\0') {
			return ZONE_ERR(z, SK_E_SYNTAX, "NUL in a name");
		}
	}
	if (n == 1 && s[0] == '.' && !t->escaped) {
		if (!allow_root) {
			return ZONE_ERR(z, SK_E_SYNTAX,
			    "root name not allowed");
		}
		out[0] = '\0';
		return SK_OK;
	}
	if (n == 1 && s[0] == '@' && !t->escaped) {
		if (z->origin[0] == '\0') {
			return ZONE_ERR(z, SK_E_SYNTAX, "@ without $ORIGIN");
		}
		memcpy(out, z->origin, strlen(z->origin) + 1);
		return SK_OK;
	}
	/* the last octet is a dot, and not an escaped one (esc_dot) */
	absolute = s[n - 1] == '.';
	if (absolute) {
		n--;
		if (n > DNS_TEXT_NAME_MAX) {
			return ZONE_ERR(z, SK_E_TOO_LONG, "name too long");
		}
		memcpy(out, s, n);
		out[n] = '\0';
	} else {
		olen = strlen(z->origin);
		if (olen == 0) {
			return ZONE_ERR(z, SK_E_SYNTAX,
			    "relative name without $ORIGIN");
		}
		if (n + 1 + olen > DNS_TEXT_NAME_MAX) {
			return ZONE_ERR(z, SK_E_TOO_LONG, "name too long");
		}
		memcpy(out, s, n);
		out[n] = '.';
		memcpy(out + n + 1, z->origin, olen + 1);
		n += 1 + olen;
	}
	switch (dns_name_check(out, n)) {
	case SK_OK:
		return SK_OK;
	case SK_E_TOO_LONG:
		/* RFC 1035 2.3.4: 63-octet labels, 255-octet names */
		return ZONE_ERR(z, SK_E_TOO_LONG, "label or name too long");
	default:
		return ZONE_ERR(z, SK_E_SYNTAX, "empty label");
	}
}

/* zone_store - copy octets into the caller's data area */
static enum sk_result
zone_store(struct dns_zone *z, const void *p, size_t n, size_t *off)
{
	if (n + 1 > z->data_max - z->used) {
		return ZONE_ERR(z, SK_E_FULL, "zone storage full");
	}
	*off = z->used;
	memcpy(z->data + z->used, p, n);
	z->data[z->used + n] = '\0';
	z->used += n + 1;
	return SK_OK;
}

/* zone_directive - $ORIGIN, $TTL; $INCLUDE and others are refused */
static enum sk_result
zone_directive(struct dns_zone *z)
{
	const char *d = zone_tok(z, 0);
	char name[DNS_TEXT_NAME_MAX + 2];
	enum sk_result r;
	size_t n;

	if (z->ntok != 2) {
		return ZONE_ERR(z, SK_E_SYNTAX, "directive takes one value");
	}
	if (strcmp(d, "$TTL") == 0) {
		r = zone_number(z, 1, DNS_ZONE_TTL_MAX, &z->ttl);
		z->have_ttl = r == SK_OK;
		return r;
	}
	if (strcmp(d, "$ORIGIN") == 0) {
		n = z->tok[1].len;
		if (n == 0 || zone_tok(z, 1)[n - 1] != '.') {
			return ZONE_ERR(z, SK_E_SYNTAX,
			    "$ORIGIN must be absolute");
		}
		if ((r = zone_name(z, 1, name, 0)) != SK_OK) {
			return r;
		}
		memcpy(z->origin, name, strlen(name) + 1);
		return SK_OK;
	}
	return ZONE_ERR(z, SK_E_UNKNOWN, "unsupported directive");
}

static const struct {
	const char *name;
	int type;     /* enum dns_type, or one of the ignored types below */
	size_t nargs; /* 0: one or more (TXT) */
} zone_types[] = {
	{ "A", DNS_T_A, 1 },
	{ "AAAA", DNS_T_AAAA, 1 },
	{ "MX", DNS_T_MX, 2 },
	{ "PTR", DNS_T_PTR, 1 },
	{ "CNAME", DNS_T_CNAME, 1 },
	{ "TXT", DNS_T_TXT, 0 },
	{ "NS", 2, 1 },
	{ "SOA", 6, 7 },
};

static int
zone_ieq(const char *a, const char *b)
{
	return dns_name_eq(a, strlen(a), b, strlen(b));
}

/* zone_txt - join the character-strings of tokens i.. (RFC 1035 3.3.14) */
static enum sk_result
zone_txt(struct dns_zone *z, size_t i, struct dns_zone_rr *rr)
{
	size_t k, start = z->used;

	if (z->ntok - i > UINT16_MAX) {
		return ZONE_ERR(z, SK_E_TOO_LONG, "too many strings");
	}
	for (k = i; k < z->ntok; k++) {
		/* RFC 1035 3.3: a <character-string> is 255 octets at most */
		if (z->tok[k].len > DNS_CSTRING_MAX) {
			return ZONE_ERR(z, SK_E_TOO_LONG,
			    "character-string over 255 octets");
		}
		if (z->tok[k].len + 1 > z->data_max - z->used) {
			return ZONE_ERR(z, SK_E_FULL, "zone storage full");
		}
		memcpy(z->data + z->used, zone_tok(z, k), z->tok[k].len);
		z->used += z->tok[k].len;
	}
	z->data[z->used++] = '\0';
	rr->off = start;
	rr->len = z->used - start - 1;
	rr->nstrings = (uint16_t)(z->ntok - i);
	return SK_OK;
}

/* zone_target - a name in the data (MX, PTR, CNAME), stored */
static enum sk_result
zone_target(struct dns_zone *z, size_t i, struct dns_zone_rr *rr,
    int allow_root)
{
	char name[DNS_TEXT_NAME_MAX + 2];
	enum sk_result r;

	if ((r = zone_name(z, i, name, allow_root)) != SK_OK) {
		return r;
	}
	rr->len = strlen(name);
	return zone_store(z, name, rr->len, &rr->off);
}

/* zone_rdata - parse the type's data from token i on into rr */
static enum sk_result
zone_rdata(struct dns_zone *z, size_t i, struct dns_zone_rr *rr)
{
	char name[DNS_TEXT_NAME_MAX + 2];
	enum sk_result r;
	uint32_t v;
	size_t k;

	switch ((int)rr->type) {
	case DNS_T_A:
		if (dns_ip4_parse(zone_tok(z, i), z->tok[i].len, rr->addr) !=
		    SK_OK) {
			return ZONE_ERR(z, SK_E_SYNTAX, "bad IPv4 address");
		}
		return SK_OK;
	case DNS_T_AAAA:
		if (dns_ip6_parse(zone_tok(z, i), z->tok[i].len, rr->addr) !=
		    SK_OK) {
			return ZONE_ERR(z, SK_E_SYNTAX, "bad IPv6 address");
		}
		return SK_OK;
	case DNS_T_MX:
		if ((r = zone_number(z, i, UINT16_MAX, &v)) != SK_OK) {
			return r;
		}
		rr->pref = (uint16_t)v;
		/* RFC 7505: "MX 0 ." is a null MX */
		return zone_target(z, i + 1, rr, 1);
	case DNS_T_PTR:
	case DNS_T_CNAME:
		return zone_target(z, i, rr, 0);
	case DNS_T_TXT:
		return zone_txt(z, i, rr);
	case 2: /* NS: checked, not kept */
		return zone_name(z, i, name, 0);
	case 6: /* SOA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM */
		for (k = 0; k < 7; k++) {
			r = k < 2 ? zone_name(z, i + k, name, 0) :
				    zone_number(z, i + k, UINT32_MAX, &v);
			if (r != SK_OK) {
				return r;
			}
		}
		return SK_OK;
	}
	return ZONE_ERR(z, SK_E_UNKNOWN, "unsupported type");
}

/* zone_record - an entry "[owner] [ttl] [class] type rdata" */
static enum sk_result
zone_record(struct dns_zone *z, int blank)
{
	struct dns_zone_rr rr;
	size_t i = 0, t, nargs;
	enum sk_result r;
	int have_ttl = z->have_ttl, have_class = 0;
	uint32_t ttl = z->ttl;

	memset(&rr, 0, sizeof(rr));
	if (!blank) {
		if ((r = zone_name(z, 0, z->owner, 0)) != SK_OK) {
			return r;
		}
		i = 1;
	} else if (z->owner[0] == '\0') {
		return ZONE_ERR(z, SK_E_SYNTAX, "no previous owner");
	}
	for (; i < z->ntok; i++) {
		if (!have_class && zone_ieq(zone_tok(z, i), "IN")) {
			have_class = 1;
		} else if (zone_is_number(z, i)) {
			if ((r = zone_number(z, i, DNS_ZONE_TTL_MAX, &ttl)) !=
			    SK_OK) {
				return r;
			}
			have_ttl = 1;
		} else {
			break;
		}
	}
	if (i >= z->ntok) {
		return ZONE_ERR(z, SK_E_SYNTAX, "type expected");
	}
	if (!have_ttl) {
		return ZONE_ERR(z, SK_E_SYNTAX, "no TTL and no $TTL");
	}
	for (t = 0; t < SK_NELEM(zone_types); t++) {
		if (zone_ieq(zone_tok(z, i), zone_types[t].name)) {
			break;
		}
	}
	if (t == SK_NELEM(zone_types)) {
		return ZONE_ERR(z, SK_E_UNKNOWN, "unsupported type or class");
	}
	i++;
	nargs = zone_types[t].nargs;
	if (nargs == 0 ? z->ntok == i : z->ntok - i != nargs) {
		return ZONE_ERR(z, SK_E_SYNTAX, "wrong number of fields");
	}
	rr.type = (enum dns_type)zone_types[t].type;
	rr.ttl = ttl;
	if ((r = zone_rdata(z, i, &rr)) != SK_OK) {
		return r;
	}
	if (rr.type == 2 || rr.type == 6) {
		return SK_OK;
	}
	if (z->nrr >= z->rr_max) {
		return ZONE_ERR(z, SK_E_FULL, "too many records");
	}
	rr.owner_len = strlen(z->owner);
	if ((r = zone_store(z, z->owner, rr.owner_len, &rr.owner_off)) !=
	    SK_OK) {
		return r;
	}
	z->rr[z->nrr++] = rr;
	return SK_OK;
}

static int
zone_owner_eq(const struct dns_zone *z, const struct dns_zone_rr *rr,
    const char *name, size_t len)
{
	return dns_name_eq((const char *)z->data + rr->owner_off, rr->owner_len,
	    name, len);
}

/* zone_cname_alone - RFC 1034 3.6.2: a CNAME owner has no other data */
static enum sk_result
zone_cname_alone(struct dns_zone *z)
{
	size_t i, j;

	for (i = 0; i < z->nrr; i++) {
		if (z->rr[i].type != DNS_T_CNAME) {
			continue;
		}
		for (j = 0; j < z->nrr; j++) {
			if (j != i &&
			    zone_owner_eq(z, &z->rr[j],
				(const char *)z->data + z->rr[i].owner_off,
				z->rr[i].owner_len)) {
				z->line = 0;
				return ZONE_ERR(z, SK_E_SYNTAX,
				    "CNAME owner has other data");
			}
		}
	}
	return SK_OK;
}

/* dns_zone_parse - parse a whole master file into z */
enum sk_result
dns_zone_parse(struct dns_zone *z, const uint8_t *buf, size_t len)
{
	size_t pos = 0;
	enum sk_result r;
	int blank;

	for (;;) {
		r = zone_entry(z, buf, len, &pos, &blank);
		if (r == SK_END) {
			break;
		}
		if (r != SK_OK) {
			return r;
		}
		if (!blank && zone_tok(z, 0)[0] == '$' && !z->tok[0].quoted) {
			r = zone_directive(z);
		} else {
			r = zone_record(z, blank);
		}
		if (r != SK_OK) {
			return r;
		}
		z->line++;
	}
	return zone_cname_alone(z);
}

/* --- resolver ------------------------------------------------------- */

static int
zone_is_tempfail(const struct dns_zone *z, const struct dns_zone_rr *rr)
{
	return rr->type == DNS_T_TXT &&
	    rr->len == sizeof(DNS_ZONE_TEMPFAIL) - 1 &&
	    memcmp(z->data + rr->off, DNS_ZONE_TEMPFAIL, rr->len) == 0;
}

/*
 * zone_lookup - the records of (name, type) into ans; *cname is set to
 * the CNAME record when the name is an alias.  The tempfail marker is
 * never an answer: a marked name fails queries of types it has no
 * records of (with only the marker, that is every query).
 */
static enum dns_status
zone_lookup(const struct dns_zone *z, const char *name, size_t len,
    enum dns_type type, struct dns_answer *ans,
    const struct dns_zone_rr **cname)
{
	size_t i;
	int found = 0, tempfail = 0;

	*cname = NULL;
	for (i = 0; i < z->nrr; i++) {
		const struct dns_zone_rr *rr = &z->rr[i];
		struct dns_rr out;

		if (!zone_owner_eq(z, rr, name, len)) {
			continue;
		}
		found = 1;
		if (zone_is_tempfail(z, rr)) {
			tempfail = 1;
			continue;
		}
		if (rr->type == DNS_T_CNAME && type != DNS_T_CNAME) {
			*cname = rr; /* RFC 1034 3.6.2: the only record */
			return DNS_ANSWER;
		}
		if (rr->type != type) {
			continue;
		}
		memset(&out, 0, sizeof(out));
		out.type = rr->type;
		out.pref = rr->pref;
		out.nstrings = rr->nstrings;
		out.ttl = rr->ttl;
		memcpy(out.addr, rr->addr, sizeof(out.addr));
		(void)dns_answer_add(ans, &out, z->data + rr->off,
		    rr->type == DNS_T_A || rr->type == DNS_T_AAAA ? 0 :
								    rr->len);
	}
	if (ans->nrr > 0) {
		return DNS_ANSWER;
	}
	if (tempfail) {
		return DNS_SERVFAIL;
	}
	return found ? DNS_NODATA : DNS_NXDOMAIN;
}

/* zone_query - answer (name, type) from the zone, following CNAMEs */
static enum dns_status
zone_query(void *ctx, const char *qname, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	const struct dns_zone *z = ctx;
	const struct dns_zone_rr *cname;
	const char *name = qname;
	size_t len = strlen(qname), hops;
	enum dns_status s;

	(void)done;
	(void)arg;
	for (hops = 0; hops <= DNS_CNAME_MAX; hops++) {
		s = zone_lookup(z, name, len, type, ans, &cname);
		if (cname == NULL) {
			return s;
		}
		/* RFC 1034 3.6.2: restart the query at the alias target */
		name = (const char *)z->data + cname->off;
		len = cname->len;
	}
	return DNS_SERVFAIL; /* CNAME chain too long or a loop */
}

static const struct dns_resolver_ops dns_zone_ops = {
	.name = "zone",
	.query = zone_query,
	.cancel = NULL,
};

/* dns_zone_resolver - a resolver answering from the parsed zone z */
void
dns_zone_resolver(struct dns_zone *z, struct dns_resolver *r)
{
	r->ops = &dns_zone_ops;
	r->ctx = z;
}

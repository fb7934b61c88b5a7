/*
 * dmarc_record.c - strict parser of the DMARC policy record: RFC 7489
 * 6.3 (tags and defaults), 6.4 (ABNF), RFC 9091 3.1 (np), with the
 * tag-list conventions of RFC 6376 3.2 for unknown tags.
 *
 * Untrusted input: TXT text from DNS.  Sans-I/O: (buf, len) in, the
 * caller's struct out; no allocation; every loop is bounded by len.
 *
 * Deliberate choices, documented in README.md:
 * - "p" is accepted anywhere after "v" (the ABNF of RFC 7489 6.4 puts it
 *   second; the DMARCbis drafts and deployed records do not); p_late
 *   notes it.
 * - Tag names and keyword values are case-insensitive (ABNF strings);
 *   "DMARC1" is case-sensitive (RFC 7489 6.4 spells it with %x codes).
 * - A URI is checked against the characters of RFC 3986 with "," and "!"
 *   excluded (RFC 7489 6.4: they MUST be encoded) and ";" excluded (the
 *   tag separator); only its scheme is interpreted.
 * - An rf value outside the registry (only "afrf") is a bad rf tag:
 *   RFC 7489 6.3 says to ignore such a value.
 */
#include <string.h>

#include "dmarc_record.h"

static const char *const dmarc_policy_names[DMARC_P_COUNT] = {
	[DMARC_P_NONE] = "none",
	[DMARC_P_QUARANTINE] = "quarantine",
	[DMARC_P_REJECT] = "reject",
};

/* dmarc_policy_str - "none", "quarantine", "reject" */
const char *
dmarc_policy_str(enum dmarc_policy p)
{
	if ((unsigned)p >= DMARC_P_COUNT) {
		return "none";
	}
	return dmarc_policy_names[p];
}

/* One value being parsed: s[0..len), positions relative to the record. */
struct dmarc_val {
	const char *s;
	size_t len;
};

static int
dmarc_wsp(int c)
{
	return c == ' ' || c == '\t'; /* RFC 5234 WSP */
}

static int
dmarc_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
dmarc_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
dmarc_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* dmarc_eq - does v equal the lower-case word w, ignoring ASCII case? */
static int
dmarc_eq(const struct dmarc_val *v, const char *w)
{
	size_t i, n = strlen(w);

	if (v->len != n) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (dmarc_lower((unsigned char)v->s[i]) != w[i]) {
			return 0;
		}
	}
	return 1;
}

/*
 * dmarc_split - the next item of a list in v separated by sep with
 * optional WSP around it: *item gets it, v the rest.  0 when v is empty.
 */
static int
dmarc_split(struct dmarc_val *v, int sep, struct dmarc_val *item)
{
	size_t i = 0, end;

	if (v->len == 0) {
		return 0;
	}
	while (i < v->len && v->s[i] != sep) {
		i++;
	}
	end = i;
	while (end > 0 && dmarc_wsp((unsigned char)v->s[end - 1])) {
		end--;
	}
	item->s = v->s;
	item->len = end;
	if (i == v->len) {
		v->s += v->len;
		v->len = 0;
		return 1;
	}
	i++;
	while (i < v->len && dmarc_wsp((unsigned char)v->s[i])) {
		i++;
	}
	v->s += i;
	v->len -= i;
	if (v->len == 0) {
		v->s = NULL; /* a separator with nothing after it */
	}
	return 1;
}

/* dmarc_policy_val - RFC 7489 6.4 dmarc-request values */
static int
dmarc_policy_val(const struct dmarc_val *v, enum dmarc_policy *p)
{
	enum dmarc_policy i;

	for (i = 0; i < DMARC_P_COUNT; i++) {
		if (dmarc_eq(v, dmarc_policy_names[i])) {
			*p = i;
			return 0;
		}
	}
	return -1;
}

/* dmarc_number - 1*ndigits DIGIT (0: any count) up to max */
static int
dmarc_number(const struct dmarc_val *v, size_t ndigits, uint64_t max,
    uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v->len == 0 || (ndigits > 0 && v->len > ndigits)) {
		return -1;
	}
	for (i = 0; i < v->len; i++) {
		if (!dmarc_digit((unsigned char)v->s[i])) {
			return -1;
		}
		n = n * 10 + (uint64_t)(v->s[i] - '0');
		if (n > max) {
			return -1;
		}
	}
	*out = n;
	return 0;
}

/* dmarc_uric - a URI octet allowed in a DMARC URI (RFC 3986 2, 7489 6.4) */
static int
dmarc_uric(int c)
{
	if (dmarc_alpha(c) || dmarc_digit(c)) {
		return 1;
	}
	return c != '\0' && strchr("-._~$&'()*+=:@/?#[]%", c) != NULL;
}

static int
dmarc_hex(int c)
{
	return dmarc_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* dmarc_size - "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] (powers of two) */
static int
dmarc_size(const struct dmarc_val *v, uint64_t *size)
{
	struct dmarc_val d = *v;
	unsigned shift = 0;
	uint64_t n;
	int u;

	if (d.len > 0 && !dmarc_digit((unsigned char)d.s[d.len - 1])) {
		u = dmarc_lower((unsigned char)d.s[d.len - 1]);
		shift = u == 'k' ? 10 :
		    u == 'm'     ? 20 :
		    u == 'g'     ? 30 :
		    u == 't'     ? 40 :
				   0;
		if (shift == 0) {
			return -1;
		}
		d.len--;
	}
	if (dmarc_number(&d, 0, UINT64_MAX >> 40, &n) != 0 || n == 0) {
		return -1;
	}
	*size = n << shift;
	return 0;
}

/* dmarc_uri - one dmarc-uri (RFC 7489 6.4) */
static int
dmarc_uri(const struct dmarc_val *v, struct dmarc_uri *u)
{
	struct dmarc_val sch;
	size_t i, end = v->len, colon = 0;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < v->len; i++) {
		if (v->s[i] == '!') {
			struct dmarc_val sz = { v->s + i + 1, v->len - i - 1 };

			if (dmarc_size(&sz, &u->max_size) != 0) {
				return -1;
			}
			end = i;
			break;
		}
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (end == 0 || !dmarc_alpha((unsigned char)v->s[0])) {
		return -1;
	}
	for (i = 1; i < end && v->s[i] != ':'; i++) {
		if (!dmarc_alpha((unsigned char)v->s[i]) &&
		    !dmarc_digit((unsigned char)v->s[i]) &&
		    strchr("+-.", v->s[i]) == NULL) {
			return -1;
		}
	}
	if (i >= end - 1) {
		return -1; /* no ":" or nothing after it */
	}
	colon = i;
	for (i = colon + 1; i < end; i++) {
		if (!dmarc_uric((unsigned char)v->s[i])) {
			return -1;
		}
		if (v->s[i] == '%' &&
		    (i + 2 >= end || !dmarc_hex((unsigned char)v->s[i + 1]) ||
			!dmarc_hex((unsigned char)v->s[i + 2]))) {
			return -1;
		}
	}
	u->uri = v->s;
	u->uri_len = end;
	sch.s = v->s;
	sch.len = colon;
	u->mailto = dmarc_eq(&sch, "mailto");
	if (u->mailto) {
		u->addr = v->s + colon + 1;
		for (i = colon + 1; i < end && v->s[i] != '?'; i++) {
		}
		u->addr_len = i - colon - 1;
	}
	return 0;
}

/* dmarc_uris - rua / ruf: dmarc-uri *(*WSP "," *WSP dmarc-uri) */
static int
dmarc_uris(struct dmarc_val v, struct dmarc_uri *list, size_t *n, size_t *total)
{
	struct dmarc_val item;
	struct dmarc_uri u;

	*n = *total = 0;
	while (dmarc_split(&v, ',', &item)) {
		if (dmarc_uri(&item, &u) != 0) {
			return -1;
		}
		if (*n < DMARC_URI_MAX) {
			list[(*n)++] = u;
		}
		(*total)++;
		if (v.s == NULL) {
			return -1; /* a "," with no URI after it */
		}
	}
	return *total > 0 ? 0 : -1;
}

/* dmarc_fo - ( "0" / "1" / "d" / "s" ) *(*WSP ":" *WSP ...) */
static int
dmarc_fo(struct dmarc_val v, unsigned *fo)
{
	struct dmarc_val item;

	*fo = 0;
	while (dmarc_split(&v, ':', &item)) {
		if (item.len != 1 || v.s == NULL) {
			return -1;
		}
		switch (dmarc_lower((unsigned char)item.s[0])) {
		case '0':
			*fo |= DMARC_FO_0;
			break;
		case '1':
			*fo |= DMARC_FO_1;
			break;
		case 'd':
			*fo |= DMARC_FO_D;
			break;
		case 's':
			*fo |= DMARC_FO_S;
			break;
		default:
			return -1;
		}
	}
	return *fo != 0 ? 0 : -1;
}

/* dmarc_rf - Keyword *(*WSP ":" Keyword), registered formats only */
static int
dmarc_rf(struct dmarc_val v, unsigned *rf)
{
	struct dmarc_val item;

	*rf = 0;
	while (dmarc_split(&v, ':', &item)) {
		if (!dmarc_eq(&item, "afrf") || v.s == NULL) {
			return -1;
		}
		*rf |= DMARC_RF_AFRF;
	}
	return *rf != 0 ? 0 : -1;
}

/* dmarc_unknown_val - an unknown tag's value: RFC 6376 3.2 tag-value */
static int
dmarc_unknown_val(const struct dmarc_val *v)
{
	size_t i;

	for (i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->s[i];

		if (!dmarc_wsp(c) && (c < 0x21 || c > 0x7e || c == ';')) {
			return -1;
		}
	}
	return 0;
}

/* dmarc_tag - parse the value of one known tag; -1 when malformed */
static int
dmarc_tag(struct dmarc_record *rec, unsigned tag, const struct dmarc_val *v)
{
	uint64_t n;

	switch (tag) {
	case DMARC_TAG_P:
		return dmarc_policy_val(v, &rec->p);
	case DMARC_TAG_SP:
		return dmarc_policy_val(v, &rec->sp);
	case DMARC_TAG_NP:
		return dmarc_policy_val(v, &rec->np);
	case DMARC_TAG_ADKIM:
	case DMARC_TAG_ASPF:
		if (!dmarc_eq(v, "r") && !dmarc_eq(v, "s")) {
			return -1;
		}
		*(tag == DMARC_TAG_ADKIM ? &rec->adkim_strict :
					   &rec->aspf_strict) =
		    dmarc_eq(v, "s");
		return 0;
	case DMARC_TAG_PCT:
		/* RFC 7489 6.4: 1*3DIGIT; 6.3: 0 to 100 */
		if (dmarc_number(v, 3, DMARC_PCT_MAX, &n) != 0) {
			return -1;
		}
		rec->pct = (unsigned)n;
		return 0;
	case DMARC_TAG_RI:
		if (dmarc_number(v, 0, DMARC_RI_MAX, &n) != 0) {
			return -1;
		}
		rec->ri = (uint32_t)n;
		return 0;
	case DMARC_TAG_FO:
		return dmarc_fo(*v, &rec->fo);
	case DMARC_TAG_RF:
		return dmarc_rf(*v, &rec->rf);
	case DMARC_TAG_RUA:
		return dmarc_uris(*v, rec->rua, &rec->nrua, &rec->rua_total);
	case DMARC_TAG_RUF:
		return dmarc_uris(*v, rec->ruf, &rec->nruf, &rec->ruf_total);
	default:
		return -1;
	}
}

static const struct {
	const char *name;
	unsigned tag;
} dmarc_tags[] = {
	{ "v", DMARC_TAG_V },
	{ "p", DMARC_TAG_P },
	{ "sp", DMARC_TAG_SP },
	{ "np", DMARC_TAG_NP },
	{ "adkim", DMARC_TAG_ADKIM },
	{ "aspf", DMARC_TAG_ASPF },
	{ "pct", DMARC_TAG_PCT },
	{ "fo", DMARC_TAG_FO },
	{ "rf", DMARC_TAG_RF },
	{ "ri", DMARC_TAG_RI },
	{ "rua", DMARC_TAG_RUA },
	{ "ruf", DMARC_TAG_RUF },
};

static void
dmarc_bad(struct dmarc_record *rec, unsigned tag, const char *why,
    const struct dmarc_val *at, const uint8_t *buf)
{
	rec->bad |= tag;
	if (rec->err == NULL) {
		rec->err = why;
		rec->err_pos = (size_t)((const uint8_t *)at->s - buf);
	}
}

/* dmarc_segment - one "tag=value" between separators */
static void
dmarc_segment(struct dmarc_record *rec, const struct dmarc_val *seg,
    const uint8_t *buf, size_t index)
{
	struct dmarc_val name = { seg->s, 0 }, val;
	size_t i = 0, k;
	unsigned tag = DMARC_TAG_OTHER;

	/* tag-name = ALPHA *ALNUMPUNC (RFC 6376 3.2) */
	if (seg->len == 0 || !dmarc_alpha((unsigned char)seg->s[0])) {
		dmarc_bad(rec, DMARC_TAG_OTHER, "malformed tag", seg, buf);
		return;
	}
	while (i < seg->len &&
	    (dmarc_alpha((unsigned char)seg->s[i]) ||
		dmarc_digit((unsigned char)seg->s[i]) || seg->s[i] == '_')) {
		i++;
	}
	name.len = i;
	while (i < seg->len && dmarc_wsp((unsigned char)seg->s[i])) {
		i++;
	}
	for (k = 0; k < SK_NELEM(dmarc_tags); k++) {
		if (dmarc_eq(&name, dmarc_tags[k].name)) {
			tag = dmarc_tags[k].tag;
		}
	}
	if (i == seg->len || seg->s[i] != '=') {
		dmarc_bad(rec, tag, "tag without \"=\"", seg, buf);
		return;
	}
	for (i++; i < seg->len && dmarc_wsp((unsigned char)seg->s[i]); i++) {
	}
	val.s = seg->s + i;
	val.len = seg->len - i;
	if (tag == DMARC_TAG_OTHER) {
		if (dmarc_unknown_val(&val) != 0) {
			dmarc_bad(rec, tag, "malformed unknown tag", seg, buf);
		}
		return; /* RFC 7489 6.3: unknown tags MUST be ignored */
	}
	if (tag == DMARC_TAG_V) {
		dmarc_bad(rec, tag, "\"v\" not first", seg, buf);
		return;
	}
	if (rec->have & tag) {
		dmarc_bad(rec, tag, "tag given twice", seg, buf);
		return;
	}
	rec->have |= tag;
	if (tag == DMARC_TAG_P && index != 1) {
		rec->p_late = 1;
	}
	if (dmarc_tag(rec, tag, &val) != 0) {
		dmarc_bad(rec, tag, "malformed value", seg, buf);
	}
}

/* dmarc_record_is_dmarc - "v" *WSP "=" *WSP "DMARC1" then *WSP ";" / end */
int
dmarc_record_is_dmarc(const uint8_t *buf, size_t len)
{
	size_t i = 1;

	if (len == 0 || (buf[0] != 'v' && buf[0] != 'V')) {
		return 0;
	}
	while (i < len && dmarc_wsp(buf[i])) {
		i++;
	}
	if (i == len || buf[i++] != '=') {
		return 0;
	}
	while (i < len && dmarc_wsp(buf[i])) {
		i++;
	}
	if (len - i < 6 || memcmp(buf + i, DMARC_VERSION, 6) != 0) {
		return 0;
	}
	for (i += 6; i < len && dmarc_wsp(buf[i]); i++) {
	}
	return i == len || buf[i] == ';';
}

/* dmarc_defaults - RFC 7489 6.3, RFC 9091 4.1 */
static void
dmarc_defaults(struct dmarc_record *rec)
{
	if (!(rec->have & DMARC_TAG_P) || (rec->bad & DMARC_TAG_P)) {
		rec->p = DMARC_P_NONE;
	}
	if (!(rec->have & DMARC_TAG_SP) || (rec->bad & DMARC_TAG_SP)) {
		rec->sp = rec->p;
	}
	if (!(rec->have & DMARC_TAG_NP) || (rec->bad & DMARC_TAG_NP)) {
		rec->np = rec->sp;
	}
	if (rec->bad & DMARC_TAG_ADKIM) {
		rec->adkim_strict = 0;
	}
	if (rec->bad & DMARC_TAG_ASPF) {
		rec->aspf_strict = 0;
	}
	if (!(rec->have & DMARC_TAG_PCT) || (rec->bad & DMARC_TAG_PCT)) {
		rec->pct = DMARC_PCT_MAX;
	}
	if (!(rec->have & DMARC_TAG_FO) || (rec->bad & DMARC_TAG_FO)) {
		rec->fo = DMARC_FO_0;
	}
	if (!(rec->have & DMARC_TAG_RF) || (rec->bad & DMARC_TAG_RF)) {
		rec->rf = DMARC_RF_AFRF;
	}
	if (!(rec->have & DMARC_TAG_RI) || (rec->bad & DMARC_TAG_RI)) {
		rec->ri = DMARC_RI_DEFAULT;
	}
	if (rec->bad & DMARC_TAG_RUA) {
		rec->nrua = rec->rua_total = 0;
	}
	if (rec->bad & DMARC_TAG_RUF) {
		rec->nruf = rec->ruf_total = 0;
	}
}

/* dmarc_record_parse - see dmarc_record.h */
enum sk_result
dmarc_record_parse(const uint8_t *buf, size_t len, struct dmarc_record *rec)
{
	struct dmarc_val rest = { (const char *)buf, len }, seg;
	size_t index = 0;

	memset(rec, 0, sizeof(*rec));
	if (len > DMARC_RECORD_MAX) {
		rec->err = "record too long";
		return SK_E_TOO_LONG;
	}
	if (!dmarc_record_is_dmarc(buf, len)) {
		rec->err = "not a DMARC record (v=DMARC1 first)";
		return SK_E_UNKNOWN;
	}
	rec->have = DMARC_TAG_V;
	while (dmarc_split(&rest, ';', &seg)) {
		if (index > 0) {
			if (seg.len == 0 && rest.s == NULL) {
				break; /* a final ";" (RFC 7489 6.4) */
			}
			dmarc_segment(rec, &seg, buf, index);
		}
		index++;
		if (rest.s == NULL) {
			break;
		}
	}
	if (!(rec->have & DMARC_TAG_P) && rec->err == NULL) {
		rec->err = "no \"p\" tag";
		rec->err_pos = len;
	}
	dmarc_defaults(rec);
	if (rec->bad != 0 || !(rec->have & DMARC_TAG_P)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/*
 * tls_x509.c - validity, common name and DNS names of a DER certificate
 * (RFC 5280 4.1), and RFC 6125 name matching.
 */
#include <string.h>

#include "tls_x509.h"

#define TLS_X509_SEQUENCE 0x30
#define TLS_X509_SET 0x31
#define TLS_X509_OID 0x06
#define TLS_X509_OCTETS 0x04
#define TLS_X509_UTCTIME 0x17
#define TLS_X509_GENTIME 0x18
#define TLS_X509_VERSION 0xa0    /* [0] EXPLICIT Version */
#define TLS_X509_EXTENSIONS 0xa3 /* [3] EXPLICIT Extensions */
#define TLS_X509_DNSNAME 0x82    /* GeneralName [2] IMPLICIT IA5String */

/* 2.5.4.3 commonName, 2.5.29.17 subjectAltName */
static const uint8_t tls_x509_oid_cn[] = { 0x55, 0x04, 0x03 };
static const uint8_t tls_x509_oid_san[] = { 0x55, 0x1d, 0x11 };

/* a DER element's content: what is left to read of it */
struct tls_x509_der {
	const uint8_t *p;
	size_t len;
};

/* tls_x509_get - split the next element off *in: its tag and content */
static enum sk_result
tls_x509_get(struct tls_x509_der *in, uint8_t *tag, struct tls_x509_der *out)
{
	size_t off = 2, len, n, i;

	if (in->len < 2 || (in->p[0] & 0x1f) == 0x1f) {
		return SK_E_SYNTAX; /* no room, or a multi-octet tag */
	}
	*tag = in->p[0];
	len = in->p[1];
	if (len & 0x80) {
		/* long form: 1..3 length octets are plenty (16 MiB); 0x80
		 * alone is BER's indefinite length, not DER */
		n = len & 0x7f;
		if (n == 0 || n > 3 || in->len - 2 < n) {
			return SK_E_SYNTAX;
		}
		for (len = 0, i = 0; i < n; i++) {
			len = (len << 8) | in->p[2 + i];
		}
		off += n;
	}
	if (len > in->len - off) {
		return SK_E_SYNTAX;
	}
	out->p = in->p + off;
	out->len = len;
	in->p += off + len;
	in->len -= off + len;
	return SK_OK;
}

/* tls_x509_expect - the next element, which must have tag want */
static enum sk_result
tls_x509_expect(struct tls_x509_der *in, uint8_t want, struct tls_x509_der *out)
{
	uint8_t tag;

	if (tls_x509_get(in, &tag, out) != SK_OK || tag != want) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* tls_x509_digits - the value of n decimal digits at p, or -1 */
static int
tls_x509_digits(const uint8_t *p, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return -1;
		}
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int
tls_x509_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* tls_x509_days - days from 1970-01-01 to y-m-d (y >= 1, proleptic) */
static int64_t
tls_x509_days(int y, int m, int d)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
		273, 304, 334 };
	int64_t days;

	/* leap days before year y, less those before 1970 (477) */
	days = (int64_t)365 * (y - 1970) + (y - 1) / 4 - (y - 1) / 100 +
	    (y - 1) / 400 - 477;
	days += before[m - 1] + (m > 2 && tls_x509_leap(y)) + d - 1;
	return days;
}

/*
 * tls_x509_time - a validity date (RFC 5280 4.1.2.5): UTCTime
 * YYMMDDHHMMSSZ (1950..2049) or GeneralizedTime YYYYMMDDHHMMSSZ.
 */
static enum sk_result
tls_x509_time(struct tls_x509_der *in, int64_t *out)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	struct tls_x509_der t;
	int y, mo, d, h, mi, s;
	size_t yl;
	uint8_t tag;

	if (tls_x509_get(in, &tag, &t) != SK_OK) {
		return SK_E_SYNTAX;
	}
	yl = tag == TLS_X509_UTCTIME ? 2 : 4;
	if ((tag != TLS_X509_UTCTIME && tag != TLS_X509_GENTIME) ||
	    t.len != yl + 11 || t.p[t.len - 1] != 'Z') {
		return SK_E_SYNTAX;
	}
	y = tls_x509_digits(t.p, yl);
	mo = tls_x509_digits(t.p + yl, 2);
	d = tls_x509_digits(t.p + yl + 2, 2);
	h = tls_x509_digits(t.p + yl + 4, 2);
	mi = tls_x509_digits(t.p + yl + 6, 2);
	s = tls_x509_digits(t.p + yl + 8, 2);
	if (yl == 2 && y >= 0) {
		y += y < 50 ? 2000 : 1900;
	}
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !tls_x509_leap(y)) || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || s < 0 || s > 60) {
		return SK_E_SYNTAX;
	}
	*out = tls_x509_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return SK_OK;
}

/* tls_x509_is_oid - whether an OID's content is the given one */
static int
tls_x509_is_oid(const struct tls_x509_der *oid, const uint8_t *want, size_t n)
{
	return oid->len == n && memcmp(oid->p, want, n) == 0;
}

/* tls_x509_subject - remember the last commonName of a Name */
static enum sk_result
tls_x509_subject(struct tls_x509_der name, struct tls_x509_info *info)
{
	struct tls_x509_der rdn, atv, oid, value;
	uint8_t tag;

	while (name.len > 0) {
		if (tls_x509_expect(&name, TLS_X509_SET, &rdn) != SK_OK) {
			return SK_E_SYNTAX;
		}
		while (rdn.len > 0) {
			if (tls_x509_expect(&rdn, TLS_X509_SEQUENCE, &atv) !=
				SK_OK ||
			    tls_x509_expect(&atv, TLS_X509_OID, &oid) !=
				SK_OK ||
			    tls_x509_get(&atv, &tag, &value) != SK_OK) {
				return SK_E_SYNTAX;
			}
			/* UTF8String, PrintableString, IA5String: the string
			 * types a host name can be written in */
			if (tls_x509_is_oid(&oid, tls_x509_oid_cn,
				sizeof(tls_x509_oid_cn)) &&
			    (tag == 0x0c || tag == 0x13 || tag == 0x16)) {
				info->cn = value.p;
				info->cn_len = value.len;
			}
		}
	}
	return SK_OK;
}

/* tls_x509_san - check the GeneralNames of subjectAltName, count DNS */
static enum sk_result
tls_x509_san(struct tls_x509_der value, struct tls_x509_info *info)
{
	struct tls_x509_der names, gn;
	uint8_t tag;

	if (tls_x509_expect(&value, TLS_X509_SEQUENCE, &names) != SK_OK ||
	    value.len != 0) {
		return SK_E_SYNTAX;
	}
	info->san = names.p;
	info->san_len = names.len;
	while (names.len > 0) {
		if (tls_x509_get(&names, &tag, &gn) != SK_OK) {
			return SK_E_SYNTAX;
		}
		info->ndns += tag == TLS_X509_DNSNAME;
	}
	return SK_OK;
}

/* tls_x509_extensions - find subjectAltName among the extensions */
static enum sk_result
tls_x509_extensions(struct tls_x509_der ext, struct tls_x509_info *info)
{
	struct tls_x509_der list, one, oid, field;
	uint8_t tag;

	if (tls_x509_expect(&ext, TLS_X509_SEQUENCE, &list) != SK_OK) {
		return SK_E_SYNTAX;
	}
	while (list.len > 0) {
		/* Extension ::= SEQUENCE { OID, critical BOOLEAN DEFAULT
		 * FALSE, extnValue OCTET STRING } */
		if (tls_x509_expect(&list, TLS_X509_SEQUENCE, &one) != SK_OK ||
		    tls_x509_expect(&one, TLS_X509_OID, &oid) != SK_OK ||
		    tls_x509_get(&one, &tag, &field) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (tag == 0x01 && tls_x509_get(&one, &tag, &field) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (tag != TLS_X509_OCTETS) {
			return SK_E_SYNTAX;
		}
		if (tls_x509_is_oid(&oid, tls_x509_oid_san,
			sizeof(tls_x509_oid_san)) &&
		    (info->san != NULL || tls_x509_san(field, info) != SK_OK)) {
			return SK_E_SYNTAX; /* twice, or malformed */
		}
	}
	return SK_OK;
}

/* tls_x509_tbs - the fields of TBSCertificate we need, in order */
static enum sk_result
tls_x509_tbs(struct tls_x509_der tbs, struct tls_x509_info *info)
{
	struct tls_x509_der field, validity;
	uint8_t tag;

	if (tbs.len > 0 && tbs.p[0] == TLS_X509_VERSION &&
	    tls_x509_get(&tbs, &tag, &field) != SK_OK) {
		return SK_E_SYNTAX;
	}
	/* serialNumber, signature, issuer */
	if (tls_x509_expect(&tbs, 0x02, &field) != SK_OK ||
	    tls_x509_expect(&tbs, TLS_X509_SEQUENCE, &field) != SK_OK ||
	    tls_x509_expect(&tbs, TLS_X509_SEQUENCE, &field) != SK_OK ||
	    tls_x509_expect(&tbs, TLS_X509_SEQUENCE, &validity) != SK_OK ||
	    tls_x509_time(&validity, &info->not_before) != SK_OK ||
	    tls_x509_time(&validity, &info->not_after) != SK_OK ||
	    validity.len != 0 ||
	    tls_x509_expect(&tbs, TLS_X509_SEQUENCE, &field) != SK_OK ||
	    tls_x509_subject(field, info) != SK_OK ||
	    tls_x509_expect(&tbs, TLS_X509_SEQUENCE, &field) != SK_OK) {
		return SK_E_SYNTAX;
	}
	/* issuerUniqueID [1], subjectUniqueID [2], extensions [3] */
	while (tbs.len > 0) {
		if (tls_x509_get(&tbs, &tag, &field) != SK_OK) {
			return SK_E_SYNTAX;
		}
		if (tag == TLS_X509_EXTENSIONS &&
		    tls_x509_extensions(field, info) != SK_OK) {
			return SK_E_SYNTAX;
		}
	}
	return SK_OK;
}

enum sk_result
tls_x509_parse(const uint8_t *der, size_t len, struct tls_x509_info *info)
{
	struct tls_x509_der in = { der, len }, cert, tbs;

	memset(info, 0, sizeof(*info));
	if (tls_x509_expect(&in, TLS_X509_SEQUENCE, &cert) != SK_OK ||
	    in.len != 0 ||
	    tls_x509_expect(&cert, TLS_X509_SEQUENCE, &tbs) != SK_OK ||
	    tls_x509_tbs(tbs, info) != SK_OK) {
		memset(info, 0, sizeof(*info));
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

void
tls_x509_dns_first(const struct tls_x509_info *info, struct tls_x509_iter *it)
{
	it->p = info->san;
	it->len = info->san != NULL ? info->san_len : 0;
}

int
tls_x509_dns_next(struct tls_x509_iter *it, const uint8_t **name, size_t *len)
{
	struct tls_x509_der in = { it->p, it->len }, gn;
	uint8_t tag;

	while (in.len > 0 && tls_x509_get(&in, &tag, &gn) == SK_OK) {
		it->p = in.p;
		it->len = in.len;
		if (tag == TLS_X509_DNSNAME) {
			*name = gn.p;
			*len = gn.len;
			return 1;
		}
	}
	it->len = 0;
	return 0;
}

/* tls_x509_lower - ASCII lower case, whatever the locale */
static uint8_t
tls_x509_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* tls_x509_same - equal ignoring ASCII case */
static int
tls_x509_same(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tls_x509_lower(a[i]) != tls_x509_lower(b[i])) {
			return 0;
		}
	}
	return 1;
}

/* tls_x509_ldh - letters, digits, hyphens and dots only (a "*." prefix
 * is checked by the caller); labels of 1 to 63 octets */
static int
tls_x509_ldh(const uint8_t *p, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > TLS_X509_NAME_MAX) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint8_t c = tls_x509_lower(p[i]);

		if (c == '.') {
			if (label == 0) {
				return 0;
			}
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-') ||
		    ++label > TLS_X509_LABEL_MAX) {
			return 0;
		}
	}
	return label > 0;
}

int
tls_x509_is_hostname(const char *name)
{
	return tls_x509_ldh((const uint8_t *)name, strlen(name));
}

int
tls_x509_match(const uint8_t *pattern, size_t plen, const char *host)
{
	const uint8_t *h = (const uint8_t *)host, *dot;
	size_t hlen = strlen(host);

	if (hlen > 0 && h[hlen - 1] == '.') {
		hlen--;
	}
	if (plen > 0 && pattern[plen - 1] == '.') {
		plen--;
	}
	if (!tls_x509_ldh(h, hlen)) {
		return 0;
	}
	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* RFC 6125 6.4.3: "*" is one whole label; we also require
		 * two labels after it, so "*.org" names nothing */
		pattern += 1; /* ".example.org" */
		plen -= 1;
		if (!tls_x509_ldh(pattern + 1, plen - 1) ||
		    memchr(pattern + 1, '.', plen - 1) == NULL) {
			return 0;
		}
		dot = memchr(h, '.', hlen);
		if (dot == NULL) {
			return 0;
		}
		hlen -= (size_t)(dot - h);
		h = dot;
	} else if (!tls_x509_ldh(pattern, plen)) {
		return 0;
	}
	return plen == hlen && tls_x509_same(pattern, h, hlen);
}

int
tls_x509_host_ok(const struct tls_x509_info *info, const char *host)
{
	struct tls_x509_iter it;
	const uint8_t *name;
	size_t len;

	if (info->ndns == 0) {
		/* RFC 6125 6.4.4: the CN only when there is no DNS-ID */
		return info->cn != NULL &&
		    tls_x509_match(info->cn, info->cn_len, host);
	}
	tls_x509_dns_first(info, &it);
	while (tls_x509_dns_next(&it, &name, &len)) {
		if (tls_x509_match(name, len, host)) {
			return 1;
		}
	}
	return 0;
}

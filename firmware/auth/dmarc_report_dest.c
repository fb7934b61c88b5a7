/*
 * dmarc_report_dest.c - where an aggregate report may go: a rua mailto:
 * URI as an address with its "!size" limit, and the verification of
 * external destinations (RFC 7489 7.1), so that a domain cannot make us
 * mail reports to a third party that never asked for them.
 */
#include <string.h>

#include "dmarc_report.h"

static const char *const dmarc_report_verifies[] = { "ok", "refused",
	"temperror", "pending" };

const char *
dmarc_report_verify_str(enum dmarc_report_verify v)
{
	return (size_t)v < SK_NELEM(dmarc_report_verifies) ?
	    dmarc_report_verifies[v] :
	    "?";
}

/* dmarc_report_dest_char - one address octet after percent-decoding:
 * printable ASCII other than the characters that would end a header
 * token (we write it inside <...> in To:) */
static int
dmarc_report_dest_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && strchr("<>,;\"()\\", c) == NULL;
}

/* dmarc_report_dest_decode - RFC 6068 2: the address with %XX decoded */
static enum sk_result
dmarc_report_dest_decode(const char *in, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;
	int hi, lo;
	uint8_t c;

	for (i = 0; i < len; i++) {
		c = (uint8_t)in[i];
		if (c == '%') {
			if (len - i < 3 || (hi = sk_hexval(in[i + 1])) < 0 ||
			    (lo = sk_hexval(in[i + 2])) < 0) {
				return SK_E_SYNTAX;
			}
			c = (uint8_t)(hi << 4 | lo);
			i += 2;
		}
		if (!dmarc_report_dest_char(c)) {
			return SK_E_SYNTAX;
		}
		if (n + 1 >= cap) {
			return SK_E_TOO_LONG;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return SK_OK;
}

enum sk_result
dmarc_report_dest_parse(const struct dmarc_uri *u, struct dmarc_report_dest *d)
{
	const char *at;
	size_t rest;
	enum sk_result r;

	memset(d, 0, sizeof(*d));
	if (!u->mailto) {
		return SK_E_UNKNOWN;
	}
	/* hfields (RFC 6068 2) would let the record set our headers or
	 * body: refuse any, accept only a bare "?" */
	rest = (size_t)(u->uri + u->uri_len - (u->addr + u->addr_len));
	if (rest > 1 || (rest == 1 && u->addr[u->addr_len] != '?')) {
		return SK_E_SYNTAX;
	}
	if ((r = dmarc_report_dest_decode(u->addr, u->addr_len, d->addr,
		 sizeof(d->addr))) != SK_OK) {
		return r;
	}
	at = strrchr(d->addr, '@');
	if (at == NULL || at == d->addr || strchr(d->addr, '@') != at ||
	    dns_name_check(at + 1, strlen(at + 1)) != SK_OK ||
	    strchr(at + 1, '.') == NULL) {
		return SK_E_SYNTAX;
	}
	d->domain = at + 1;
	d->max_size = u->max_size;
	return SK_OK;
}

int
dmarc_report_dest_external(const char *dmarc_domain,
    const struct dmarc_report_dest *d)
{
	return !dmarc_aligned(NULL, dmarc_domain, strlen(dmarc_domain),
	    d->domain, strlen(d->domain), 0);
}

enum sk_result
dmarc_report_dest_qname(const char *dmarc_domain, const char *dest_domain,
    char *out, size_t cap)
{
	static const char mid[] = "._report._dmarc."; /* RFC 7489 7.1 */
	size_t a = strlen(dmarc_domain), b = strlen(dest_domain);

	if (a + sizeof(mid) - 1 + b >= cap || a == 0 || b == 0) {
		return SK_E_TOO_LONG;
	}
	memcpy(out, dmarc_domain, a);
	memcpy(out + a, mid, sizeof(mid) - 1);
	memcpy(out + a + sizeof(mid) - 1, dest_domain, b + 1);
	if (dns_name_check(out, strlen(out)) != SK_OK) {
		out[0] = '\0';
		return SK_E_TOO_LONG;
	}
	return SK_OK;
}

enum dmarc_report_verify
dmarc_report_dest_verify(struct dns_answer *ans, const struct dns_resolver *dns,
    const char *dmarc_domain, const struct dmarc_report_dest *d)
{
	char qname[DNS_NAME_MAX + 1];
	size_t i;

	if (!dmarc_report_dest_external(dmarc_domain, d)) {
		return DMARC_VERIFY_OK;
	}
	if (dmarc_report_dest_qname(dmarc_domain, d->domain, qname,
		sizeof(qname)) != SK_OK) {
		return DMARC_VERIFY_REFUSED;
	}
	switch (dns_query(dns, qname, DNS_T_TXT, ans, NULL, NULL)) {
	case DNS_ANSWER:
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		return DMARC_VERIFY_REFUSED;
	case DNS_PENDING:
		return DMARC_VERIFY_PENDING;
	default:
		return DMARC_VERIFY_TEMPERROR;
	}
	for (i = 0; i < ans->nrr; i++) {
		const struct dns_rr *rr = &ans->rr[i];

		/* 7.1: "a TXT record that begins with v=DMARC1" */
		if (rr->type == DNS_T_TXT &&
		    dmarc_record_is_dmarc(ans->data + rr->off, rr->len)) {
			return DMARC_VERIFY_OK;
		}
	}
	return DMARC_VERIFY_REFUSED;
}

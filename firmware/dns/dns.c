/*
 * dns.c - helpers shared by the resolver backends and their callers.
 *
 * Untrusted input: names built from mail envelopes and SPF macros.  This
 * file only checks and copies them within the limits of dns.h.
 */
#include <string.h>

#include "dns.h"

static const char *const dns_status_names[DNS_STATUS_COUNT] = {
	[DNS_ANSWER] = "answer",
	[DNS_NXDOMAIN] = "nxdomain",
	[DNS_NODATA] = "nodata",
	[DNS_SERVFAIL] = "servfail",
	[DNS_TIMEOUT] = "timeout",
	[DNS_PENDING] = "pending",
};

/* dns_status_str - stable lower-case name of a status */
const char *
dns_status_str(enum dns_status s)
{
	if ((unsigned)s >= DNS_STATUS_COUNT) {
		return "invalid";
	}
	return dns_status_names[s];
}

/* dns_type_str - mnemonic of a query type */
const char *
dns_type_str(enum dns_type t)
{
	switch (t) {
	case DNS_T_A:
		return "A";
	case DNS_T_CNAME:
		return "CNAME";
	case DNS_T_PTR:
		return "PTR";
	case DNS_T_MX:
		return "MX";
	case DNS_T_TXT:
		return "TXT";
	case DNS_T_AAAA:
		return "AAAA";
	}
	return "?";
}

/* dns_answer_reset - empty an answer before a backend fills it */
void
dns_answer_reset(struct dns_answer *ans)
{
	ans->status = DNS_NODATA;
	ans->nrr = 0;
	ans->truncated = 0;
	ans->used = 0;
	ans->data[0] = '\0';
}

/* dns_answer_add - append a record; data (names, text) copied in */
enum sk_result
dns_answer_add(struct dns_answer *ans, const struct dns_rr *rr,
    const uint8_t *data, size_t len)
{
	struct dns_rr *out;

	if (ans->nrr >= DNS_ANSWER_RR_MAX ||
	    len + 1 > sizeof(ans->data) - ans->used) {
		ans->truncated = 1;
		return SK_E_FULL;
	}
	out = &ans->rr[ans->nrr++];
	*out = *rr;
	out->off = ans->used;
	out->len = len;
	if (len > 0) {
		memcpy(ans->data + ans->used, data, len);
	}
	ans->data[ans->used + len] = '\0';
	ans->used += len + 1;
	ans->status = DNS_ANSWER;
	return SK_OK;
}

/* dns_rr_text - the record's name or text, NUL-terminated */
const char *
dns_rr_text(const struct dns_answer *ans, const struct dns_rr *rr)
{
	return (const char *)ans->data + rr->off;
}

/* dns_name_check - labels of 1..63 octets, 255 octets on the wire */
enum sk_result
dns_name_check(const char *name, size_t len)
{
	size_t i, label = 0, wire = 1;

	if (len > 0 && name[len - 1] == '.') {
		len--;
	}
	if (len == 0) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0) {
				return SK_E_SYNTAX; /* empty label */
			}
			label = 0;
			continue;
		}
		if (name[i] == '\0') {
			return SK_E_SYNTAX;
		}
		/* RFC 1035 2.3.4: labels 63 octets or less */
		if (++label > DNS_LABEL_MAX) {
			return SK_E_TOO_LONG;
		}
		wire++;
	}
	wire += 1; /* length octet of the last label */
	/* every label costs its length octet: count the dots */
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			wire++;
		}
	}
	/* RFC 1035 2.3.4: names 255 octets or less */
	if (wire > DNS_NAME_MAX) {
		return SK_E_TOO_LONG;
	}
	return SK_OK;
}

static int
dns_lower(int c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A' + 'a';
	}
	return c;
}

/* dns_name_eq - ASCII case-insensitive, final dots ignored (RFC 4343) */
int
dns_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen > 0 && a[alen - 1] == '.') {
		alen--;
	}
	if (blen > 0 && b[blen - 1] == '.') {
		blen--;
	}
	if (alen != blen) {
		return 0;
	}
	for (i = 0; i < alen; i++) {
		if (dns_lower((unsigned char)a[i]) !=
		    dns_lower((unsigned char)b[i])) {
			return 0;
		}
	}
	return 1;
}

/* dns_query - ask r; a name that cannot be a DNS name is a SERVFAIL */
enum dns_status
dns_query(const struct dns_resolver *r, const char *name, enum dns_type type,
    struct dns_answer *ans, dns_done_fn done, void *arg)
{
	dns_answer_reset(ans);
	/* No query can be composed from such a name: fail like a resolver
	 * would, before the backend sees it. */
	if (dns_name_check(name, strlen(name)) != SK_OK) {
		ans->status = DNS_SERVFAIL;
		return ans->status;
	}
	ans->status = r->ops->query(r->ctx, name, type, ans, done, arg);
	return ans->status;
}

/* dns_ip4_parse - dotted quad, no leading zeros (RFC 7208 ip4-network) */
enum sk_result
dns_ip4_parse(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0, part, digits;
	unsigned v;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.') {
				return SK_E_SYNTAX;
			}
			i++;
		}
		v = 0;
		digits = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (digits > 0 && v == 0) {
				return SK_E_SYNTAX; /* leading zero */
			}
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255) {
				return SK_E_RANGE;
			}
			digits++;
			i++;
		}
		if (digits == 0) {
			return SK_E_SYNTAX;
		}
		out[part] = (uint8_t)v;
	}
	return i == len ? SK_OK : SK_E_SYNTAX;
}

/* dns_ip6_parse - RFC 4291 2.2 text form, with "::" and a final dotted quad */
enum sk_result
dns_ip6_parse(const char *s, size_t len, uint8_t out[16])
{
	uint8_t w[16];
	size_t i = 0, n = 0, gap = 16, j, start;
	int have_gap = 0, d;
	unsigned v;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		have_gap = 1;
		gap = 0;
		i = 2;
		if (i == len) {
			memset(out, 0, 16);
			return SK_OK;
		}
	} else if (len > 0 && s[0] == ':') {
		return SK_E_SYNTAX;
	}
	for (;;) {
		start = i;
		v = 0;
		while (i < len && (d = sk_hexval((unsigned char)s[i])) >= 0) {
			v = v * 16 + (unsigned)d;
			if (i - start >= 4) {
				return SK_E_SYNTAX;
			}
			i++;
		}
		if (i < len && s[i] == '.') {
			/* RFC 4291 2.2 form 3: the last 32 bits as IPv4 */
			if (n > 12 ||
			    dns_ip4_parse(s + start, len - start, w + n) !=
				SK_OK) {
				return SK_E_SYNTAX;
			}
			n += 4;
			break;
		}
		if (i == start || n > 14) {
			return SK_E_SYNTAX;
		}
		w[n++] = (uint8_t)(v >> 8);
		w[n++] = (uint8_t)v;
		if (i == len) {
			break;
		}
		if (s[i] != ':') {
			return SK_E_SYNTAX;
		}
		i++;
		if (i < len && s[i] == ':') {
			if (have_gap) {
				return SK_E_SYNTAX;
			}
			have_gap = 1;
			gap = n;
			i++;
			if (i == len) {
				break;
			}
		} else if (i == len) {
			return SK_E_SYNTAX; /* trailing single colon */
		}
	}
	if (have_gap) {
		if (n > 14) {
			return SK_E_SYNTAX; /* "::" must stand for 16 bits */
		}
		memset(out, 0, 16);
		memcpy(out, w, gap);
		j = n - gap;
		memcpy(out + 16 - j, w + gap, j);
		return SK_OK;
	}
	if (n != 16) {
		return SK_E_SYNTAX;
	}
	memcpy(out, w, 16);
	return SK_OK;
}

/* dns_ip6_format - RFC 5952 text (lower case, longest zero run as "::") */
void
dns_ip6_format(const uint8_t a[16], char out[DNS_IP6_TEXT_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned g[8];
	int i, best = -1, bestlen = 1, run, k;
	size_t o = 0;

	for (i = 0; i < 8; i++) {
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	}
	/* RFC 5952 4.2.2, 4.2.3: the longest run of two or more, first wins */
	for (i = 0; i < 8; i++) {
		for (run = 0; i + run < 8 && g[i + run] == 0; run++) {
		}
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			out[o++] = ':';
			out[o++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen) {
			out[o++] = ':';
		}
		for (k = 12; k > 0 && (g[i] >> k & 0xf) == 0; k -= 4) {
		}
		for (; k >= 0; k -= 4) {
			out[o++] = hex[g[i] >> k & 0xf];
		}
	}
	out[o] = '\0';
}

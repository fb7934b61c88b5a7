/*
 * dns_reply.c - the strict parser of one DNS reply (dns_reply.h).
 *
 * Untrusted input: every octet of msg.  The reply is checked whole first
 * (reply_check: header, question, every record of every section, nothing
 * after the last), then read again to pick the answer (reply_answer).  All
 * reads go through reply_u16/reply_u32/reply_name, which check bounds.
 */
#include <string.h>

#include "dns_reply.h"

#define REPLY_QR 0x8000u     /* RFC 1035 4.1.1 header flags */
#define REPLY_OPCODE 0x7800u /* four bits; 0 is a standard query */
#define REPLY_TC 0x0200u
#define REPLY_RCODE 0x000fu
#define REPLY_POINTER 0xc0u /* RFC 1035 4.1.4: 11 in the top bits */
#define REPLY_RR_FIXED 10   /* TYPE, CLASS, TTL, RDLENGTH */
#define REPLY_SOA_FIXED 20  /* SERIAL REFRESH RETRY EXPIRE MINIMUM */

enum reply_section { REPLY_ANSWER, REPLY_AUTHORITY, REPLY_ADDITIONAL };

/* the message being read and what reply_check learnt about it */
struct reply {
	const uint8_t *msg;
	size_t len;
	const char *why; /* the first error, a static string */
	unsigned rcode;
	size_t count[3]; /* records per section */
	size_t start[3]; /* offset of each section's first record */
	int have_opt;
};

/* one resource record, its owner decoded to uncompressed wire form */
struct reply_rr {
	uint8_t owner[DNS_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	size_t rdata; /* offset of RDATA in the message */
	size_t rdlen;
};

/* reply_fail - remember the first reason; always SK_E_SYNTAX */
static enum sk_result
reply_fail(struct reply *r, const char *why)
{
	if (r->why == NULL) {
		r->why = why;
	}
	return SK_E_SYNTAX;
}

static uint16_t
reply_u16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
reply_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * reply_name - decode the name at *pos, which must end before end, into
 * out (uncompressed wire form) and move *pos past it.  RFC 1035 4.1.4:
 * a pointer replaces the rest of a name by a prior occurrence; each must
 * point strictly before the run of labels it ends (so no loop is
 * possible) and after the header.
 */
static enum sk_result
reply_name(struct reply *r, size_t *pos, size_t end, uint8_t out[DNS_NAME_MAX],
    size_t *outlen)
{
	size_t p = *pos, run = *pos, after = 0, o = 0, hops = 0, target;
	uint8_t c;

	for (;;) {
		if (p >= end) {
			return reply_fail(r, "name runs past its end");
		}
		c = r->msg[p];
		if ((c & REPLY_POINTER) == REPLY_POINTER) {
			if (p + 1 >= end) {
				return reply_fail(r, "pointer cut short");
			}
			target =
			    (size_t)(c & ~REPLY_POINTER) << 8 | r->msg[p + 1];
			if (hops == 0) {
				after = p + 2;
			}
			if (target >= run || target < DNS_HEADER_LEN ||
			    ++hops > DNS_POINTER_HOPS_MAX) {
				return reply_fail(r, "bad compression pointer");
			}
			p = run = target;
			continue;
		}
		if ((c & REPLY_POINTER) != 0) {
			/* RFC 6891 5: extended label types are not in use */
			return reply_fail(r, "unknown label type");
		}
		/* RFC 1035 2.3.4: 255 octets, the final zero octet included */
		if (o + 1 + c > DNS_NAME_MAX) {
			return reply_fail(r, "name over 255 octets");
		}
		if (c > end - p - 1) {
			return reply_fail(r, "label runs past its end");
		}
		memcpy(out + o, r->msg + p, (size_t)c + 1);
		o += (size_t)c + 1;
		p += (size_t)c + 1;
		if (c == 0) {
			break;
		}
	}
	*pos = hops > 0 ? after : p;
	*outlen = o;
	return SK_OK;
}

/* reply_name_skip - check the name at *pos and move past it */
static enum sk_result
reply_name_skip(struct reply *r, size_t *pos, size_t end)
{
	uint8_t name[DNS_NAME_MAX];
	size_t len;

	return reply_name(r, pos, end, name, &len);
}

/* reply_name_eq - two wire-form names, ASCII case-insensitive (RFC 4343) */
static int
reply_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i;
	uint8_t x, y;

	if (alen != blen) {
		return 0;
	}
	/* length octets are below 64, so folding never changes them */
	for (i = 0; i < alen; i++) {
		x = a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i];
		y = b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i];
		if (x != y) {
			return 0;
		}
	}
	return 1;
}

/*
 * reply_name_text - wire form to text without the final dot ("" for the
 * root).  A label holding "." or NUL has no text form: dns.h names are
 * plain C strings split at dots.
 */
static enum sk_result
reply_name_text(const uint8_t *wire, size_t len, char out[DNS_NAME_MAX],
    size_t *outlen)
{
	size_t i = 0, o = 0, k;
	uint8_t n;

	while (i < len && wire[i] != 0) {
		n = wire[i++];
		if (o > 0) {
			out[o++] = '.';
		}
		for (k = 0; k < n; k++) {
			if (wire[i + k] == '.' || wire[i + k] == '\0') {
				return SK_E_SYNTAX;
			}
			out[o++] = (char)wire[i + k];
		}
		i += n;
	}
	out[o] = '\0';
	*outlen = o;
	return SK_OK;
}

/* reply_rr_read - the record at *pos: owner, fixed fields, RDATA bounds */
static enum sk_result
reply_rr_read(struct reply *r, size_t *pos, struct reply_rr *rr)
{
	const uint8_t *f;

	if (reply_name(r, pos, r->len, rr->owner, &rr->owner_len) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (r->len - *pos < REPLY_RR_FIXED) {
		return reply_fail(r, "record cut short");
	}
	f = r->msg + *pos;
	rr->type = reply_u16(f);
	rr->class = reply_u16(f + 2);
	rr->ttl = reply_u32(f + 4);
	/* RFC 2181 8: a TTL with the top bit set is read as zero */
	if (rr->ttl > DNS_TTL_MAX) {
		rr->ttl = 0;
	}
	rr->rdlen = reply_u16(f + 8);
	rr->rdata = *pos + REPLY_RR_FIXED;
	if (rr->rdlen > r->len - rr->rdata) {
		return reply_fail(r, "RDATA runs past the message");
	}
	*pos = rr->rdata + rr->rdlen;
	return SK_OK;
}

/* reply_txt_check - RFC 1035 3.3.14: character-strings fill RDATA */
static enum sk_result
reply_txt_check(struct reply *r, const struct reply_rr *rr)
{
	size_t p = rr->rdata, end = rr->rdata + rr->rdlen;

	if (rr->rdlen == 0) {
		return reply_fail(r, "TXT without a string");
	}
	while (p < end) {
		if (r->msg[p] > end - p - 1) {
			return reply_fail(r, "TXT string runs past RDATA");
		}
		p += (size_t)r->msg[p] + 1;
	}
	return SK_OK;
}

/* reply_opt_check - RFC 6891 6.1.2: the OPT record's options fill RDATA */
static enum sk_result
reply_opt_check(struct reply *r, const struct reply_rr *rr,
    enum reply_section sec)
{
	size_t p = rr->rdata, end = rr->rdata + rr->rdlen, n;

	/* RFC 6891 6.1.1: one OPT, in the additional section, owner root */
	if (sec != REPLY_ADDITIONAL || r->have_opt || rr->owner_len != 1) {
		return reply_fail(r, "misplaced OPT record");
	}
	r->have_opt = 1;
	while (p < end) {
		if (end - p < 4) {
			return reply_fail(r, "EDNS option cut short");
		}
		n = reply_u16(r->msg + p + 2);
		if (n > end - p - 4) {
			return reply_fail(r, "EDNS option runs past RDATA");
		}
		p += 4 + n;
	}
	/* RFC 6891 6.1.3: the upper eight bits of the 12-bit RCODE */
	r->rcode |= (rr->ttl >> 24 & 0xffu) << 4;
	return SK_OK;
}

/* reply_rdata_name - a name that must end exactly at *pos == end */
static enum sk_result
reply_rdata_name(struct reply *r, size_t *pos, size_t end, int last)
{
	if (reply_name_skip(r, pos, end) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (last && *pos != end) {
		return reply_fail(r, "RDATA longer than its name");
	}
	return SK_OK;
}

/* reply_rdata_check - RDATA of the types we know has their exact shape */
static enum sk_result
reply_rdata_check(struct reply *r, const struct reply_rr *rr,
    enum reply_section sec)
{
	size_t p = rr->rdata, end = rr->rdata + rr->rdlen;

	switch (rr->type) {
	case DNS_T_A:
		return rr->rdlen == 4 ? SK_OK : reply_fail(r, "A not 4 octets");
	case DNS_T_AAAA:
		return rr->rdlen == 16 ? SK_OK :
					 reply_fail(r, "AAAA not 16 octets");
	case DNS_RRTYPE_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		return reply_rdata_name(r, &p, end, 1);
	case DNS_T_MX:
		if (rr->rdlen < 3) {
			return reply_fail(r, "MX too short");
		}
		p += 2;
		return reply_rdata_name(r, &p, end, 1);
	case DNS_T_TXT:
		return reply_txt_check(r, rr);
	case DNS_RRTYPE_SOA:
		if (reply_rdata_name(r, &p, end, 0) != SK_OK ||
		    reply_rdata_name(r, &p, end, 0) != SK_OK) {
			return SK_E_SYNTAX;
		}
		return end - p == REPLY_SOA_FIXED ?
		    SK_OK :
		    reply_fail(r, "SOA of the wrong length");
	case DNS_RRTYPE_OPT:
		return reply_opt_check(r, rr, sec);
	default:
		return SK_OK; /* RFC 3597: unknown types are opaque */
	}
}

/* reply_section_check - the section's records, all of them whole */
static enum sk_result
reply_section_check(struct reply *r, size_t *pos, enum reply_section sec)
{
	struct reply_rr rr;
	size_t i;

	r->start[sec] = *pos;
	for (i = 0; i < r->count[sec]; i++) {
		if (reply_rr_read(r, pos, &rr) != SK_OK ||
		    reply_rdata_check(r, &rr, sec) != SK_OK) {
			return SK_E_SYNTAX;
		}
		/* answers to an IN question are IN records */
		if (sec == REPLY_ANSWER && rr.class != DNS_CLASS_IN) {
			return reply_fail(r, "answer of another class");
		}
	}
	return SK_OK;
}

/* reply_question_check - exactly one question, the one that was asked */
static enum sk_result
reply_question_check(struct reply *r, size_t *pos, const uint8_t *qwire,
    size_t qwlen, enum dns_type qtype)
{
	uint8_t name[DNS_NAME_MAX];
	size_t len;

	if (reply_u16(r->msg + 4) != 1) {
		return reply_fail(r, "not exactly one question");
	}
	if (reply_name(r, pos, r->len, name, &len) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (r->len - *pos < 4) {
		return reply_fail(r, "question cut short");
	}
	if (!reply_name_eq(name, len, qwire, qwlen) ||
	    reply_u16(r->msg + *pos) != (uint16_t)qtype ||
	    reply_u16(r->msg + *pos + 2) != DNS_CLASS_IN) {
		return reply_fail(r, "reply to another question");
	}
	*pos += 4;
	return SK_OK;
}

/* reply_header_check - a standard response (RFC 1035 4.1.1) */
static enum sk_result
reply_header_check(struct reply *r)
{
	uint16_t flags;

	if (r->len < DNS_HEADER_LEN) {
		return reply_fail(r, "shorter than a header");
	}
	if (r->len > DNS_MESSAGE_MAX) {
		return reply_fail(r, "longer than a message");
	}
	flags = reply_u16(r->msg + 2);
	if ((flags & REPLY_QR) == 0) {
		return reply_fail(r, "not a response");
	}
	if ((flags & REPLY_OPCODE) != 0) {
		return reply_fail(r, "not a standard query");
	}
	/* c-ares retries over TCP on TC: a truncated reply is incomplete */
	if ((flags & REPLY_TC) != 0) {
		return reply_fail(r, "truncated reply");
	}
	r->rcode = flags & REPLY_RCODE;
	r->count[REPLY_ANSWER] = reply_u16(r->msg + 6);
	r->count[REPLY_AUTHORITY] = reply_u16(r->msg + 8);
	r->count[REPLY_ADDITIONAL] = reply_u16(r->msg + 10);
	return SK_OK;
}

/* reply_rcode_check - only NOERROR and NXDOMAIN carry an answer */
static enum sk_result
reply_rcode_check(struct reply *r)
{
	switch (r->rcode) {
	case DNS_RCODE_NOERROR:
	case DNS_RCODE_NXDOMAIN:
		return SK_OK;
	case DNS_RCODE_SERVFAIL:
		return reply_fail(r, "server failure (RCODE 2)");
	case DNS_RCODE_FORMERR:
		return reply_fail(r, "format error (RCODE 1)");
	case DNS_RCODE_NOTIMP:
		return reply_fail(r, "not implemented (RCODE 4)");
	case DNS_RCODE_REFUSED:
		return reply_fail(r, "refused (RCODE 5)");
	default:
		return reply_fail(r, "unknown RCODE");
	}
}

/* reply_check - the whole message, before anything is taken from it */
static enum sk_result
reply_check(struct reply *r, const uint8_t *qwire, size_t qwlen,
    enum dns_type qtype)
{
	size_t pos = DNS_HEADER_LEN;

	if (reply_header_check(r) != SK_OK) {
		return SK_E_SYNTAX;
	}
	/* an error reply need not repeat the question: stop at its RCODE */
	if (r->rcode != DNS_RCODE_NOERROR && r->rcode != DNS_RCODE_NXDOMAIN) {
		return reply_rcode_check(r);
	}
	if (reply_question_check(r, &pos, qwire, qwlen, qtype) != SK_OK ||
	    reply_section_check(r, &pos, REPLY_ANSWER) != SK_OK ||
	    reply_section_check(r, &pos, REPLY_AUTHORITY) != SK_OK ||
	    reply_section_check(r, &pos, REPLY_ADDITIONAL) != SK_OK) {
		return SK_E_SYNTAX;
	}
	if (pos != r->len) {
		return reply_fail(r, "octets after the last record");
	}
	/* the OPT record may have extended the RCODE */
	return reply_rcode_check(r);
}

static uint32_t
reply_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * reply_alias - the target of the CNAME whose owner is name, into name.
 * Returns 1 when there is one, 0 when none, -1 when there are several
 * (RFC 1034 3.6.2 allows one) or the target cannot be read.
 */
static int
reply_alias(struct reply *r, uint8_t name[DNS_NAME_MAX], size_t *len,
    uint32_t *ttl)
{
	struct reply_rr rr;
	uint8_t target[DNS_NAME_MAX];
	size_t pos = r->start[REPLY_ANSWER], tlen = 0, i, p;
	int found = 0;

	for (i = 0; i < r->count[REPLY_ANSWER]; i++) {
		(void)reply_rr_read(r, &pos, &rr); /* checked before */
		if (rr.type != DNS_T_CNAME ||
		    !reply_name_eq(rr.owner, rr.owner_len, name, *len)) {
			continue;
		}
		if (found++ > 0) {
			return -1;
		}
		p = rr.rdata;
		if (reply_name(r, &p, rr.rdata + rr.rdlen, target, &tlen) !=
		    SK_OK) {
			return -1;
		}
		*ttl = reply_min(*ttl, rr.ttl);
	}
	if (found) {
		memcpy(name, target, tlen);
		*len = tlen;
	}
	return found;
}

/* reply_rr_name - the name in rr's RDATA at offset skip, as text */
static enum sk_result
reply_rr_name(struct reply *r, const struct reply_rr *rr, size_t skip,
    char text[DNS_NAME_MAX], size_t *tlen)
{
	uint8_t wire[DNS_NAME_MAX];
	size_t p = rr->rdata + skip, wlen;

	if (reply_name(r, &p, rr->rdata + rr->rdlen, wire, &wlen) != SK_OK) {
		return SK_E_SYNTAX;
	}
	return reply_name_text(wire, wlen, text, tlen);
}

/* reply_txt_add - the character-strings joined, as one record (dns.h) */
static enum sk_result
reply_txt_add(struct reply *r, const struct reply_rr *rr, struct dns_rr *out,
    struct dns_answer *ans)
{
	uint8_t text[DNS_ANSWER_DATA_MAX];
	size_t p = rr->rdata, end = rr->rdata + rr->rdlen, n, len = 0;

	while (p < end) {
		n = r->msg[p];
		/* more than the whole data area could ever hold */
		if (n > sizeof(text) - len) {
			ans->truncated = 1;
			return SK_E_FULL;
		}
		memcpy(text + len, r->msg + p + 1, n);
		len += n;
		p += n + 1;
		out->nstrings++;
	}
	return dns_answer_add(ans, out, text, len);
}

/* reply_rr_add - one record of the answer into ans, in dns.h's form */
static enum sk_result
reply_rr_add(struct reply *r, const struct reply_rr *rr, uint32_t chain_ttl,
    struct dns_answer *ans)
{
	struct dns_rr out;
	char name[DNS_NAME_MAX];
	size_t len;

	memset(&out, 0, sizeof(out));
	out.type = (enum dns_type)rr->type;
	out.ttl = reply_min(rr->ttl, chain_ttl);
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		memcpy(out.addr, r->msg + rr->rdata, rr->rdlen);
		return dns_answer_add(ans, &out, NULL, 0);
	case DNS_T_TXT:
		return reply_txt_add(r, rr, &out, ans);
	case DNS_T_MX:
		out.pref = reply_u16(r->msg + rr->rdata);
		if (reply_rr_name(r, rr, 2, name, &len) != SK_OK) {
			break;
		}
		return dns_answer_add(ans, &out, (const uint8_t *)name, len);
	default: /* CNAME, PTR */
		if (reply_rr_name(r, rr, 0, name, &len) != SK_OK) {
			break;
		}
		return dns_answer_add(ans, &out, (const uint8_t *)name, len);
	}
	ans->truncated = 1; /* a name without a text form */
	return SK_E_SYNTAX;
}

/*
 * reply_collect - the records of type qtype owned by name into ans.
 * Returns how many matched, kept or not; *ttl takes the minimum of theirs.
 */
static size_t
reply_collect(struct reply *r, const uint8_t *name, size_t len,
    enum dns_type qtype, uint32_t chain_ttl, struct dns_answer *ans,
    uint32_t *ttl)
{
	struct reply_rr rr;
	size_t pos = r->start[REPLY_ANSWER], i, matched = 0;

	for (i = 0; i < r->count[REPLY_ANSWER]; i++) {
		(void)reply_rr_read(r, &pos, &rr); /* checked before */
		if (rr.type != (uint16_t)qtype ||
		    !reply_name_eq(rr.owner, rr.owner_len, name, len)) {
			continue;
		}
		matched++;
		if (reply_rr_add(r, &rr, chain_ttl, ans) == SK_OK) {
			*ttl = reply_min(*ttl, rr.ttl);
		}
	}
	return matched;
}

/*
 * reply_negative_ttl - RFC 2308 5: a negative answer lives as long as
 * min(TTL, MINIMUM) of the SOA record in the authority section.
 */
static void
reply_negative_ttl(struct reply *r, uint32_t chain_ttl, struct dns_reply *info)
{
	struct reply_rr rr;
	size_t pos = r->start[REPLY_AUTHORITY], i, p;
	uint32_t minimum;

	for (i = 0; i < r->count[REPLY_AUTHORITY]; i++) {
		(void)reply_rr_read(r, &pos, &rr); /* checked before */
		if (rr.type != DNS_RRTYPE_SOA || rr.class != DNS_CLASS_IN) {
			continue;
		}
		/* MINIMUM is the last of the 20 fixed octets */
		p = rr.rdata + rr.rdlen - 4;
		minimum = reply_u32(r->msg + p);
		if (minimum > DNS_TTL_MAX) {
			minimum = 0;
		}
		info->ttl = reply_min(info->ttl,
		    reply_min(chain_ttl, reply_min(rr.ttl, minimum)));
		info->ttl_known = 1;
	}
}

/* reply_answer - follow the CNAME chain and take the records at its end */
static enum dns_status
reply_answer(struct reply *r, const uint8_t *qwire, size_t qwlen,
    enum dns_type qtype, struct dns_answer *ans, struct dns_reply *info)
{
	uint8_t name[DNS_NAME_MAX];
	size_t len = qwlen, hops, matched;
	uint32_t chain_ttl = DNS_TTL_MAX, ttl = DNS_TTL_MAX;
	int alias;

	memcpy(name, qwire, qwlen);
	/* RFC 1034 3.6.2: restart at the alias, which the server has done */
	for (hops = 0; qtype != DNS_T_CNAME; hops++) {
		alias = reply_alias(r, name, &len, &chain_ttl);
		if (alias < 0) {
			info->reason = "bad CNAME chain";
			return DNS_SERVFAIL;
		}
		if (alias == 0) {
			break;
		}
		if (hops == DNS_CNAME_MAX) {
			info->reason = "CNAME chain too long";
			return DNS_SERVFAIL;
		}
	}
	matched = reply_collect(r, name, len, qtype, chain_ttl, ans, &ttl);
	if (ans->nrr > 0) {
		/* RFC 6604 3: NXDOMAIN speaks of the last name of the chain */
		if (r->rcode == DNS_RCODE_NXDOMAIN) {
			info->reason = "NXDOMAIN with an answer";
			return DNS_SERVFAIL;
		}
		info->ttl = reply_min(ttl, chain_ttl);
		info->ttl_known = 1;
		return DNS_ANSWER;
	}
	if (matched > 0) {
		info->reason = "no record fits the answer";
		return DNS_SERVFAIL;
	}
	info->ttl = DNS_TTL_MAX;
	reply_negative_ttl(r, chain_ttl, info);
	if (!info->ttl_known) {
		info->ttl = 0;
	}
	return r->rcode == DNS_RCODE_NXDOMAIN ? DNS_NXDOMAIN : DNS_NODATA;
}

/* dns_reply_parse - turn one reply into ans; see dns_reply.h */
enum dns_status
dns_reply_parse(const uint8_t *msg, size_t len, const char *qname,
    enum dns_type qtype, struct dns_answer *ans, struct dns_reply *info)
{
	struct reply r;
	uint8_t qwire[DNS_NAME_MAX];
	size_t qwlen;
	enum dns_status s;

	dns_answer_reset(ans);
	memset(info, 0, sizeof(*info));
	memset(&r, 0, sizeof(r));
	r.msg = msg;
	r.len = len;
	if (dns_name_wire(qname, strlen(qname), qwire, &qwlen) != SK_OK) {
		info->reason = "question is not a name";
		s = DNS_SERVFAIL;
	} else if (reply_check(&r, qwire, qwlen, qtype) != SK_OK) {
		info->reason = r.why;
		s = DNS_SERVFAIL;
	} else {
		s = reply_answer(&r, qwire, qwlen, qtype, ans, info);
	}
	info->rcode = r.rcode;
	if (s != DNS_ANSWER) {
		/* a failed answer carries no records, kept ones included */
		ans->nrr = 0;
		ans->used = 0;
		ans->data[0] = '\0';
	}
	if (s == DNS_SERVFAIL) {
		info->ttl = 0;
		info->ttl_known = 0;
	}
	ans->status = s;
	return s;
}

/* dns_name_wire - text name to wire form, no escapes */
enum sk_result
dns_name_wire(const char *name, size_t len, uint8_t out[DNS_NAME_MAX],
    size_t *outlen)
{
	size_t i, o = 1, label = 0;
	enum sk_result r;

	if ((r = dns_name_check(name, len)) != SK_OK) {
		return r;
	}
	if (name[len - 1] == '.') {
		len--;
	}
	/* dns_name_check bounds the labels and the whole: out is enough */
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			out[label] = (uint8_t)(o - label - 1);
			label = o++;
			continue;
		}
		out[o++] = (uint8_t)name[i];
	}
	out[label] = (uint8_t)(o - label - 1);
	out[o++] = 0;
	*outlen = o;
	return SK_OK;
}

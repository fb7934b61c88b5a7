/*
 * dns_reply.h - the strict parser of one DNS reply (RFC 1035 4.1).
 *
 * Untrusted input: the octets of a reply as they came from the network
 * (through c-ares, which only matched the query ID and the question).
 * The parser is sans-I/O: it takes (msg, len) and the question that was
 * asked, writes into a struct dns_answer the caller owns, never allocates,
 * never modifies its input and never reads outside it.
 *
 * Strict means: the header must be a standard response (QR, opcode 0);
 * exactly one question, equal to the one asked (names compared ASCII
 * case-insensitively, RFC 4343); every section holds exactly the records
 * its count says and nothing follows the last one; every RDLENGTH fits the
 * message and the type's shape (A 4 octets, AAAA 16, names and TXT
 * strings filling their RDATA exactly); names obey RFC 1035 2.3.4 (labels
 * of 63 octets, 255 octets in all) and compression pointers (RFC 1035
 * 4.1.4) only point backwards, into the message, after the header.  A reply
 * that breaks any of this is DNS_SERVFAIL with a reason.
 *
 * Answers (RFC 1034 3.6.2, RFC 2308): CNAMEs of the answer section are
 * followed from the question name (at most DNS_CNAME_MAX links) unless the
 * question is for CNAME; records of the asked type for the last name are
 * the answer.  None, and RCODE NXDOMAIN: DNS_NXDOMAIN; none, and NOERROR:
 * DNS_NODATA.  RCODE SERVFAIL, FORMERR, NOTIMP, REFUSED or any other:
 * DNS_SERVFAIL.  TXT character-strings are concatenated (dns.h); names are
 * written in text form without the final dot (the root is "").
 *
 * Limits: a record whose name has no text form (a label holding "." or
 * NUL) or that does not fit the answer (DNS_ANSWER_RR_MAX records,
 * DNS_ANSWER_DATA_MAX octets) is dropped and sets ans->truncated; when
 * every matching record was dropped the answer is DNS_SERVFAIL.
 */
#ifndef SK_DNS_REPLY_H
#define SK_DNS_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define DNS_HEADER_LEN 12     /* RFC 1035 4.1.1 */
#define DNS_MESSAGE_MAX 65535 /* RFC 1035 4.2.2: two-octet TCP length */
#define DNS_POINTER_HOPS_MAX                                                  \
	64                      /* local limit: compression pointers per name \
				 */
#define DNS_TTL_MAX 2147483647u /* RFC 2181 8: larger TTLs count as zero */
#define DNS_CLASS_IN 1          /* RFC 1035 3.2.4 */
#define DNS_RRTYPE_NS 2         /* RFC 1035 3.2.2: checked, never answered */
#define DNS_RRTYPE_SOA 6
#define DNS_RRTYPE_OPT 41 /* RFC 6891 6.1.1 */

/* RCODE values (RFC 1035 4.1.1, RFC 6891 6.1.3 for the extended ones) */
enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
};

/* What the parser found beside the answer, for the cache and for logs. */
struct dns_reply {
	unsigned rcode;     /* with the EDNS extension: 0..4095 */
	uint32_t ttl;       /* seconds the result may be kept; see ttl_known */
	int ttl_known;      /* 0: a negative answer without SOA (RFC 2308 5) */
	const char *reason; /* static text: why DNS_SERVFAIL, else NULL */
};

/*
 * dns_reply_parse - turn the reply msg[0..len) to the question (qname,
 * qtype) into ans (reset first) and info.  Returns ans->status: DNS_ANSWER,
 * DNS_NXDOMAIN, DNS_NODATA or DNS_SERVFAIL (info->reason says why).
 * info->ttl is the minimum of the TTLs of the records used, CNAMEs
 * included; for DNS_NXDOMAIN and DNS_NODATA it is the SOA's
 * min(TTL, MINIMUM) from the authority section (RFC 2308 5), and
 * ttl_known is 0 when there is no SOA.
 */
enum dns_status dns_reply_parse(const uint8_t *msg, size_t len,
    const char *qname, enum dns_type qtype, struct dns_answer *ans,
    struct dns_reply *info);

/*
 * dns_name_wire - the text name (optional final dot, checked with
 * dns_name_check) in wire form: length-prefixed labels and the root's
 * zero octet, DNS_NAME_MAX octets at most.  Every octet other than "."
 * is label data: there are no escapes.
 */
enum sk_result dns_name_wire(const char *name, size_t len,
    uint8_t out[DNS_NAME_MAX], size_t *outlen);

#endif /* SK_DNS_REPLY_H */

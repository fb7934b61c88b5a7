/*
 * fuzz_dns_reply.c - libFuzzer target for the DNS reply parser.
 *
 * Input: one octet choosing the question type, one octet n, n octets of
 * question name, then the reply.  Invariants: the status is one a reply
 * can give; a failure has a reason and no records; an answer has records
 * of the asked type only, each NUL-terminated inside the data area; TTLs
 * stay within RFC 2181's 31 bits.
 */
#include <stdlib.h>
#include <string.h>

#include "dns_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum dns_type fuzz_types[] = {
	DNS_T_A,
	DNS_T_AAAA,
	DNS_T_MX,
	DNS_T_PTR,
	DNS_T_TXT,
	DNS_T_CNAME,
};

static struct dns_answer ans;

/* fuzz_check_answer - every record inside the limits of dns.h */
static void
fuzz_check_answer(enum dns_type qtype)
{
	size_t i;

	if (ans.nrr == 0 || ans.nrr > DNS_ANSWER_RR_MAX ||
	    ans.used > sizeof(ans.data)) {
		abort();
	}
	for (i = 0; i < ans.nrr; i++) {
		const struct dns_rr *rr = &ans.rr[i];

		if (rr->type != qtype || rr->ttl > DNS_TTL_MAX ||
		    rr->off + rr->len >= ans.used ||
		    ans.data[rr->off + rr->len] != '\0') {
			abort();
		}
		if ((qtype == DNS_T_MX || qtype == DNS_T_PTR ||
			qtype == DNS_T_CNAME) &&
		    (rr->len > DNS_TEXT_NAME_MAX ||
			memchr(ans.data + rr->off, '\0', rr->len) != NULL)) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char qname[256];
	struct dns_reply info;
	enum dns_type qtype;
	enum dns_status s;
	size_t n;

	if (size < 2) {
		return 0;
	}
	qtype = fuzz_types[data[0] % SK_NELEM(fuzz_types)];
	n = data[1];
	if (size - 2 < n) {
		return 0;
	}
	memcpy(qname, data + 2, n);
	qname[n] = '\0';
	data += 2 + n;
	size -= 2 + n;

	s = dns_reply_parse(data, size, qname, qtype, &ans, &info);
	if (s != ans.status || info.ttl > DNS_TTL_MAX) {
		abort();
	}
	switch (s) {
	case DNS_ANSWER:
		fuzz_check_answer(qtype);
		break;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		if (ans.nrr != 0 || info.reason != NULL) {
			abort();
		}
		break;
	case DNS_SERVFAIL:
		if (ans.nrr != 0 || info.reason == NULL || info.ttl_known) {
			abort();
		}
		break;
	default:
		abort();
	}
	return 0;
}

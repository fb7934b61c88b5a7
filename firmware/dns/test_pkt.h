/*
 * test_pkt.h - a builder of hand-made DNS messages for the dns tests
 * (test-only: dns/test*.c are linked into dns's unit tests, never into
 * libdns.a; see firmware/Makefile).
 *
 * It appends to the caller's storage and never writes past it: what does
 * not fit is dropped, and a test that builds over-long messages on
 * purpose looks at n. Integers are written in network order.
 */
#ifndef SK_DNS_TEST_PKT_H
#define SK_DNS_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define TEST_PKT_QNAME_PTR 0xc00cu /* a pointer to the question name */

struct test_pkt {
	uint8_t *b; /* the caller's storage */
	size_t cap;
	size_t n; /* octets written */
};

void test_pkt_u8(struct test_pkt *p, unsigned v);
void test_pkt_u16(struct test_pkt *p, unsigned v);
void test_pkt_u32(struct test_pkt *p, uint32_t v);

/* test_pkt_name - a dotted name as labels, "" for the root */
void test_pkt_name(struct test_pkt *p, const char *dotted);

/*
 * test_pkt_rr - a record header: owner (NULL: a pointer to the question
 * name), type, class IN, ttl, and a zero RDLENGTH; where RDLENGTH is, for
 * test_pkt_rr_end once the RDATA is written.
 */
size_t test_pkt_rr(struct test_pkt *p, const char *owner, unsigned type,
    uint32_t ttl);

/* test_pkt_rr_end - RDLENGTH at `at`: what was written since */
void test_pkt_rr_end(struct test_pkt *p, size_t at);

/*
 * test_pkt_soa - the SOA record of the zone "example" (ns.example,
 * hostmaster.example, refresh 3600, retry 600, expire 86400), whose
 * minimum is the TTL of a negative answer (RFC 2308 5)
 */
void test_pkt_soa(struct test_pkt *p, uint32_t serial, uint32_t ttl,
    uint32_t minimum);

/*
 * test_pkt_check_records - TEST_CHECK that ans holds nrr records and, when
 * text is not NULL and there is a record, that the first reads as text;
 * failures are named by case
 */
void test_pkt_check_records(const char *name, const struct dns_answer *ans,
    size_t nrr, const char *text);

#endif /* SK_DNS_TEST_PKT_H */

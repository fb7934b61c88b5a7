/*
 * test_pkt.c - hand-made DNS messages for the dns tests (test-only).
 */
#include <string.h>

#include "dns_reply.h"
#include "test.h"
#include "test_pkt.h"

void
test_pkt_u8(struct test_pkt *p, unsigned v)
{
	if (p->n < p->cap) {
		p->b[p->n++] = (uint8_t)v;
	}
}

void
test_pkt_u16(struct test_pkt *p, unsigned v)
{
	test_pkt_u8(p, v >> 8 & 0xff);
	test_pkt_u8(p, v & 0xff);
}

void
test_pkt_u32(struct test_pkt *p, uint32_t v)
{
	test_pkt_u16(p, v >> 16);
	test_pkt_u16(p, v & 0xffff);
}

void
test_pkt_name(struct test_pkt *p, const char *s)
{
	const char *dot;
	size_t n;

	while (*s != '\0') {
		dot = strchr(s, '.');
		n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		test_pkt_u8(p, (unsigned)n);
		while (n-- > 0) {
			test_pkt_u8(p, (unsigned char)*s++);
		}
		if (*s == '.') {
			s++;
		}
	}
	test_pkt_u8(p, 0);
}

size_t
test_pkt_rr(struct test_pkt *p, const char *owner, unsigned type, uint32_t ttl)
{
	size_t at;

	if (owner == NULL) {
		test_pkt_u16(p, TEST_PKT_QNAME_PTR);
	} else {
		test_pkt_name(p, owner);
	}
	test_pkt_u16(p, type);
	test_pkt_u16(p, DNS_CLASS_IN);
	test_pkt_u32(p, ttl);
	at = p->n;
	test_pkt_u16(p, 0);
	return at;
}

void
test_pkt_rr_end(struct test_pkt *p, size_t at)
{
	size_t len = p->n - at - 2;

	if (at + 2 <= p->cap) {
		p->b[at] = (uint8_t)(len >> 8);
		p->b[at + 1] = (uint8_t)len;
	}
}

void
test_pkt_soa(struct test_pkt *p, uint32_t serial, uint32_t ttl,
    uint32_t minimum)
{
	size_t at = test_pkt_rr(p, "example", DNS_RRTYPE_SOA, ttl);

	test_pkt_name(p, "ns.example");
	test_pkt_name(p, "hostmaster.example");
	test_pkt_u32(p, serial);
	test_pkt_u32(p, 3600);
	test_pkt_u32(p, 600);
	test_pkt_u32(p, 86400);
	test_pkt_u32(p, minimum);
	test_pkt_rr_end(p, at);
}

void
test_pkt_check_records(const char *name, const struct dns_answer *ans,
    size_t nrr, const char *text)
{
	TEST_CHECK(ans->nrr == nrr, "%s: got %zu records, want %zu", name,
	    ans->nrr, nrr);
	if (text != NULL && ans->nrr > 0) {
		TEST_CHECK(strcmp(dns_rr_text(ans, &ans->rr[0]), text) == 0,
		    "%s: got \"%s\", want \"%s\"", name,
		    dns_rr_text(ans, &ans->rr[0]), text);
	}
}

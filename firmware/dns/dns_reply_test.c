/*
 * dns_reply_test.c - the reply parser against hand-built packets: answers
 * of every type, CNAME chains, negative answers and their TTLs (RFC 2308),
 * and one packet per way a reply can be malformed, each checked for the
 * reason the parser gives.
 */
#include <string.h>

#include "dns_reply.h"
#include "test.h"
#include "test_pkt.h"

/* --- a small packet builder --------------------------------------------- */

#define PKT_MAX 70000 /* room for over-long messages too */
#define Q_AT 12       /* the question name's offset, for pointers */
#define F_OK 0x8180u  /* QR, RD, RA, NOERROR */
#define F_NX 0x8183u  /* the same with NXDOMAIN */

static uint8_t pkt_bytes[PKT_MAX];
static struct test_pkt pkt = { pkt_bytes, sizeof(pkt_bytes), 0 };
static struct dns_answer ans;

/* put_ptr - a compression pointer to off */
static void
put_ptr(unsigned off)
{
	test_pkt_u16(&pkt, 0xc000u | off);
}

/* start - header with ID 0x1234 and the question, if qname is given */
static void
start(unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar,
    const char *qname, unsigned qtype)
{
	pkt.n = 0;
	test_pkt_u16(&pkt, 0x1234);
	test_pkt_u16(&pkt, flags);
	test_pkt_u16(&pkt, qd);
	test_pkt_u16(&pkt, an);
	test_pkt_u16(&pkt, ns);
	test_pkt_u16(&pkt, ar);
	if (qd > 0 && qname != NULL) {
		test_pkt_name(&pkt, qname);
		test_pkt_u16(&pkt, qtype);
		test_pkt_u16(&pkt, DNS_CLASS_IN);
	}
}

static void
rr_a(const char *owner, uint32_t ttl, unsigned last)
{
	size_t at = test_pkt_rr(&pkt, owner, DNS_T_A, ttl);

	test_pkt_u8(&pkt, 192);
	test_pkt_u8(&pkt, 0);
	test_pkt_u8(&pkt, 2);
	test_pkt_u8(&pkt, last);
	test_pkt_rr_end(&pkt, at);
}

static void
rr_name(const char *owner, unsigned type, uint32_t ttl, const char *target)
{
	size_t at = test_pkt_rr(&pkt, owner, type, ttl);

	test_pkt_name(&pkt, target);
	test_pkt_rr_end(&pkt, at);
}

static void
rr_opt(unsigned ext_rcode)
{
	test_pkt_u8(&pkt, 0); /* root owner */
	test_pkt_u16(&pkt, DNS_RRTYPE_OPT);
	test_pkt_u16(&pkt, 1232);
	test_pkt_u32(&pkt, (uint32_t)ext_rcode << 24);
	test_pkt_u16(&pkt, 0);
}

/* --- the packets -------------------------------------------------------- */

static void
b_a(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	rr_a(NULL, 300, 1);
}

static void
b_a_final_dot(void)
{
	b_a();
}

static void
b_aaaa(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	size_t at, i;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_AAAA);
	at = test_pkt_rr(&pkt, NULL, DNS_T_AAAA, 60);
	for (i = 0; i < 16; i++) {
		test_pkt_u8(&pkt, v6[i]);
	}
	test_pkt_rr_end(&pkt, at);
}

/* two MX, the exchanges compressed against the question */
static void
b_mx(void)
{
	size_t at;

	start(F_OK, 1, 2, 0, 0, "example", DNS_T_MX);
	at = test_pkt_rr(&pkt, NULL, DNS_T_MX, 3600);
	test_pkt_u16(&pkt, 10);
	test_pkt_u8(&pkt, 3);
	test_pkt_u8(&pkt, 'm');
	test_pkt_u8(&pkt, 'x');
	test_pkt_u8(&pkt, '1');
	put_ptr(Q_AT);
	test_pkt_rr_end(&pkt, at);
	at = test_pkt_rr(&pkt, NULL, DNS_T_MX, 1800);
	test_pkt_u16(&pkt, 20);
	test_pkt_name(&pkt, "mx2.example.net");
	test_pkt_rr_end(&pkt, at);
}

static void
b_null_mx(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_MX);
	at = test_pkt_rr(&pkt, NULL, DNS_T_MX, 3600);
	test_pkt_u16(&pkt, 0);
	test_pkt_u8(&pkt, 0); /* RFC 7505: the root */
	test_pkt_rr_end(&pkt, at);
}

/* put_cstring - one <character-string> (RFC 1035 3.3) */
static void
put_cstring(const char *t)
{
	test_pkt_u8(&pkt, (unsigned)strlen(t));
	while (*t != '\0') {
		test_pkt_u8(&pkt, (unsigned char)*t++);
	}
}

static void
b_txt(void)
{
	size_t at;

	start(F_OK, 1, 2, 0, 0, "example", DNS_T_TXT);
	at = test_pkt_rr(&pkt, NULL, DNS_T_TXT, 300);
	put_cstring("v=spf1 ");
	put_cstring("ip4:192.0.2.0/24");
	put_cstring(" -all");
	test_pkt_rr_end(&pkt, at);
	at = test_pkt_rr(&pkt, NULL, DNS_T_TXT, 300);
	put_cstring("");
	test_pkt_rr_end(&pkt, at);
}

static void
b_ptr(void)
{
	start(F_OK, 1, 1, 0, 0, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_name(NULL, DNS_T_PTR, 86400, "mx1.example");
}

/* a -> b -> c, c has the address; TTLs 100, 50, 300 */
static void
b_chain(void)
{
	start(F_OK, 1, 3, 0, 0, "a.example", DNS_T_A);
	rr_name(NULL, DNS_T_CNAME, 100, "b.example");
	rr_name("b.example", DNS_T_CNAME, 50, "c.example");
	rr_a("c.example", 300, 7);
}

static void
b_cname_query(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_CNAME);
	rr_name(NULL, DNS_T_CNAME, 100, "b.example");
}

/* the server's case differs from ours (RFC 4343) */
static void
b_case(void)
{
	start(F_OK, 1, 1, 0, 0, "A.EXample", DNS_T_A);
	rr_a("a.EXAMPLE", 300, 1);
}

/* records of other names and types, an OPT and an unknown type */
static void
b_extra(void)
{
	size_t at;

	start(F_OK, 1, 3, 0, 2, "a.example", DNS_T_A);
	rr_a("z.example", 5, 9);
	at = test_pkt_rr(&pkt, NULL, 99, 5);
	test_pkt_u8(&pkt, 1);
	test_pkt_u8(&pkt, 2);
	test_pkt_rr_end(&pkt, at);
	rr_a(NULL, 300, 1);
	rr_a("ns.example", 5, 53);
	rr_opt(0);
}

static void
b_ttl_top_bit(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	rr_a(NULL, 0x80000000u, 1);
}

static void
b_nxdomain(void)
{
	start(F_NX, 1, 0, 1, 0, "nx.example", DNS_T_A);
	test_pkt_soa(&pkt, 2024010101, 3600, 300);
}

static void
b_nodata(void)
{
	start(F_OK, 1, 0, 1, 0, "a.example", DNS_T_TXT);
	test_pkt_soa(&pkt, 2024010101, 60, 300);
}

static void
b_nodata_no_soa(void)
{
	start(F_OK, 1, 0, 0, 0, "a.example", DNS_T_TXT);
}

static void
b_cname_nx(void)
{
	start(F_NX, 1, 1, 1, 0, "a.example", DNS_T_A);
	rr_name(NULL, DNS_T_CNAME, 30, "gone.example");
	test_pkt_soa(&pkt, 2024010101, 3600, 900);
}

static void
b_cname_dangling(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	rr_name(NULL, DNS_T_CNAME, 30, "b.example");
}

/* 65 addresses: 64 fit an answer */
static void
b_many(void)
{
	unsigned i;

	start(F_OK, 1, 65, 0, 0, "a.example", DNS_T_A);
	for (i = 0; i < 65; i++) {
		rr_a(NULL, 300, i);
	}
}

/* --- malformed ---------------------------------------------------------- */

static void
b_short(void)
{
	b_a();
	pkt.n = DNS_HEADER_LEN - 1;
}

static void
b_query(void)
{
	start(0x0100, 1, 0, 0, 0, "a.example", DNS_T_A);
}

static void
b_opcode(void)
{
	start(0x8980, 1, 0, 0, 0, "a.example", DNS_T_A); /* opcode 1 */
}

static void
b_tc(void)
{
	start(0x8380, 1, 0, 0, 0, "a.example", DNS_T_A);
}

static void
b_servfail(void)
{
	start(0x8182, 0, 0, 0, 0, NULL, 0);
}

static void
b_formerr(void)
{
	start(0x8181, 1, 0, 0, 0, "a.example", DNS_T_A);
}

static void
b_notimp(void)
{
	start(0x8184, 1, 0, 0, 0, "a.example", DNS_T_A);
}

static void
b_refused(void)
{
	start(0x8185, 1, 0, 0, 0, "a.example", DNS_T_A);
}

static void
b_rcode9(void)
{
	start(0x8189, 1, 0, 0, 0, "a.example", DNS_T_A);
}

static void
b_badvers(void)
{
	start(F_OK, 1, 0, 0, 1, "a.example", DNS_T_A);
	rr_opt(1); /* RCODE 16 */
}

static void
b_no_question(void)
{
	start(F_OK, 0, 0, 0, 0, NULL, 0);
}

static void
b_two_questions(void)
{
	start(F_OK, 2, 0, 0, 0, "a.example", DNS_T_A);
	test_pkt_name(&pkt, "a.example");
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
}

static void
b_other_name(void)
{
	start(F_OK, 1, 1, 0, 0, "b.example", DNS_T_A);
	rr_a(NULL, 300, 1);
}

static void
b_other_type(void)
{
	start(F_OK, 1, 0, 0, 0, "a.example", DNS_T_MX);
}

static void
b_other_class(void)
{
	start(F_OK, 1, 0, 0, 0, "a.example", DNS_T_A);
	pkt.b[pkt.n - 1] = 3; /* CH */
}

static void
b_question_cut(void)
{
	start(F_OK, 1, 0, 0, 0, "a.example", DNS_T_A);
	pkt.n -= 2;
}

static void
b_count_lies(void)
{
	start(F_OK, 1, 2, 0, 0, "a.example", DNS_T_A);
	rr_a(NULL, 300, 1);
}

static void
b_trailing(void)
{
	b_a();
	test_pkt_u8(&pkt, 0);
}

static void
b_rr_cut(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	put_ptr(Q_AT);
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
}

/* an A record whose RDLENGTH (5) is more than the message holds */
static void
b_rdata_past(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = test_pkt_rr(&pkt, NULL, DNS_T_A, 300);
	test_pkt_u32(&pkt, 0xc0000201);
	test_pkt_rr_end(&pkt, at);
	pkt.b[at + 1] = 5;
}

static void
b_a_five(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = test_pkt_rr(&pkt, NULL, DNS_T_A, 300);
	test_pkt_u32(&pkt, 0xc0000201);
	test_pkt_u8(&pkt, 0);
	test_pkt_rr_end(&pkt, at);
}

static void
b_aaaa_four(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_AAAA);
	at = test_pkt_rr(&pkt, NULL, DNS_T_AAAA, 300);
	test_pkt_u32(&pkt, 0x20010db8);
	test_pkt_rr_end(&pkt, at);
}

static void
b_cname_long(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = test_pkt_rr(&pkt, NULL, DNS_T_CNAME, 30);
	test_pkt_name(&pkt, "b.example");
	test_pkt_u8(&pkt, 0);
	test_pkt_rr_end(&pkt, at);
}

static void
b_mx_short(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_MX);
	at = test_pkt_rr(&pkt, NULL, DNS_T_MX, 30);
	test_pkt_u16(&pkt, 10);
	test_pkt_rr_end(&pkt, at);
}

static void
b_txt_past(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_TXT);
	at = test_pkt_rr(&pkt, NULL, DNS_T_TXT, 30);
	test_pkt_u8(&pkt, 5);
	test_pkt_u8(&pkt, 'a');
	test_pkt_rr_end(&pkt, at);
}

static void
b_txt_empty(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_TXT);
	at = test_pkt_rr(&pkt, NULL, DNS_T_TXT, 30);
	test_pkt_rr_end(&pkt, at);
}

/* an SOA with 16 fixed octets instead of 20 */
static void
b_soa_short(void)
{
	size_t at;

	start(F_OK, 1, 0, 1, 0, "a.example", DNS_T_TXT);
	at = test_pkt_rr(&pkt, "example", DNS_RRTYPE_SOA, 60);
	test_pkt_name(&pkt, "ns.example");
	test_pkt_name(&pkt, "hostmaster.example");
	test_pkt_u32(&pkt, 1);
	test_pkt_u32(&pkt, 2);
	test_pkt_u32(&pkt, 3);
	test_pkt_u32(&pkt, 4);
	test_pkt_rr_end(&pkt, at);
}

/* an answer whose owner is the pointer p */
static void
b_owner_ptr(unsigned p)
{
	put_ptr(p);
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
	test_pkt_u32(&pkt, 300);
	test_pkt_u16(&pkt, 4);
	test_pkt_u32(&pkt, 0xc0000201);
}

static void
b_forward_ptr(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	b_owner_ptr((unsigned)pkt.n + 2);
}

static void
b_self_ptr(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	b_owner_ptr((unsigned)pkt.n);
}

static void
b_header_ptr(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	b_owner_ptr(2);
}

/* a label "a" ending in a pointer to the label itself */
static void
b_loop_ptr(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = pkt.n;
	test_pkt_u8(&pkt, 1);
	test_pkt_u8(&pkt, 'a');
	put_ptr((unsigned)at);
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
	test_pkt_u32(&pkt, 300);
	test_pkt_u16(&pkt, 4);
	test_pkt_u32(&pkt, 0xc0000201);
}

static void
b_label_type(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	test_pkt_u8(&pkt,
	    0x41); /* RFC 6891 5: extended label type, not in use */
	test_pkt_u8(&pkt, 0);
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
	test_pkt_u32(&pkt, 300);
	test_pkt_u16(&pkt, 4);
	test_pkt_u32(&pkt, 0xc0000201);
}

static void
b_label_past(void)
{
	start(F_OK, 1, 0, 0, 0, NULL, 0);
	test_pkt_u8(&pkt, 7);
	test_pkt_u8(&pkt, 'e');
	test_pkt_u8(&pkt, 'x');
}

static void
b_name_past(void)
{
	start(F_OK, 1, 0, 0, 0, NULL, 0);
	test_pkt_u8(&pkt, 1);
	test_pkt_u8(&pkt, 'a');
}

/* an owner of 4 x (63 + 1) + 1 octets: over 255 */
static void
b_long_name(void)
{
	unsigned i, k;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	for (i = 0; i < 4; i++) {
		test_pkt_u8(&pkt, 63);
		for (k = 0; k < 63; k++) {
			test_pkt_u8(&pkt, 'x');
		}
	}
	test_pkt_u8(&pkt, 0);
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
	test_pkt_u32(&pkt, 300);
	test_pkt_u16(&pkt, 4);
	test_pkt_u32(&pkt, 0xc0000201);
}

/*
 * hops - an opaque record owned by b.example holding a chain of n
 * pointers, each to the one before, the first to that owner; then a CNAME
 * whose target is a pointer to the last: n + 1 pointers to follow.
 */
static void
hops(size_t n)
{
	size_t at, owner, first, i;

	start(F_OK, 1, 2, 0, 0, "a.example", DNS_T_A);
	owner = pkt.n;
	at = test_pkt_rr(&pkt, "b.example", 99, 0);
	first = pkt.n;
	put_ptr((unsigned)owner);
	for (i = 1; i < n; i++) {
		put_ptr((unsigned)(first + 2 * (i - 1)));
	}
	test_pkt_rr_end(&pkt, at);
	at = test_pkt_rr(&pkt, NULL, DNS_T_CNAME, 30);
	put_ptr((unsigned)(first + 2 * (n - 1)));
	test_pkt_rr_end(&pkt, at);
}

static void
b_hops_max(void)
{
	hops(DNS_POINTER_HOPS_MAX - 1);
}

static void
b_hops_over(void)
{
	hops(DNS_POINTER_HOPS_MAX);
}

/* DNS_CNAME_MAX + 1 links: c0 -> c1 -> ... -> c9 */
static void
b_chain_long(void)
{
	char from[16], to[16];
	unsigned i;

	start(F_OK, 1, DNS_CNAME_MAX + 1, 0, 0, "c0.example", DNS_T_A);
	for (i = 0; i <= DNS_CNAME_MAX; i++) {
		from[0] = to[0] = 'c';
		from[1] = (char)('0' + i);
		to[1] = (char)('1' + i);
		memcpy(from + 2, ".example", 9);
		memcpy(to + 2, ".example", 9);
		rr_name(from, DNS_T_CNAME, 30, to);
	}
}

static void
b_chain_loop(void)
{
	start(F_OK, 1, 2, 0, 0, "a.example", DNS_T_A);
	rr_name(NULL, DNS_T_CNAME, 30, "b.example");
	rr_name("b.example", DNS_T_CNAME, 30, "a.example");
}

static void
b_two_cnames(void)
{
	start(F_OK, 1, 2, 0, 0, "a.example", DNS_T_A);
	rr_name(NULL, DNS_T_CNAME, 30, "b.example");
	rr_name(NULL, DNS_T_CNAME, 30, "c.example");
}

static void
b_nx_answer(void)
{
	start(F_NX, 1, 1, 0, 0, "a.example", DNS_T_A);
	rr_a(NULL, 300, 1);
}

static void
b_answer_ch(void)
{
	b_a();
	pkt.b[pkt.n - 4 - 2 - 4 - 1] = 3; /* CLASS CH */
}

static void
b_opt_answer(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	rr_opt(0);
}

static void
b_two_opt(void)
{
	start(F_OK, 1, 0, 0, 2, "a.example", DNS_T_A);
	rr_opt(0);
	rr_opt(0);
}

static void
b_opt_owner(void)
{
	size_t at;

	start(F_OK, 1, 0, 0, 1, "a.example", DNS_T_A);
	at = test_pkt_rr(&pkt, "example", DNS_RRTYPE_OPT, 0);
	test_pkt_rr_end(&pkt, at);
}

static void
b_opt_option(void)
{
	start(F_OK, 1, 0, 0, 1, "a.example", DNS_T_A);
	rr_opt(0);
	pkt.b[pkt.n - 1] = 6;
	test_pkt_u16(&pkt, 10); /* COOKIE */
	test_pkt_u16(&pkt, 8);  /* but only two octets follow */
	test_pkt_u16(&pkt, 0);
}

/* an MX exchange with a "." inside a label: no text form */
static void
b_dot_label(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_MX);
	at = test_pkt_rr(&pkt, NULL, DNS_T_MX, 30);
	test_pkt_u16(&pkt, 10);
	test_pkt_u8(&pkt, 3);
	test_pkt_u8(&pkt, 'a');
	test_pkt_u8(&pkt, '.');
	test_pkt_u8(&pkt, 'b');
	test_pkt_u8(&pkt, 0);
	test_pkt_rr_end(&pkt, at);
}

/* a TXT record of 70 x 255 octets, more than an answer holds */
static void
b_txt_huge(void)
{
	size_t at, i, k;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_TXT);
	at = test_pkt_rr(&pkt, NULL, DNS_T_TXT, 30);
	for (i = 0; i < 70; i++) {
		test_pkt_u8(&pkt, 255);
		for (k = 0; k < 255; k++) {
			test_pkt_u8(&pkt, 't');
		}
	}
	test_pkt_rr_end(&pkt, at);
}

static void
b_too_long(void)
{
	size_t at;

	start(F_OK, 1, 0, 0, 1, "a.example", DNS_T_A);
	at = test_pkt_rr(&pkt, NULL, 99, 0);
	while (pkt.n < DNS_MESSAGE_MAX + 1) {
		test_pkt_u8(&pkt, 0);
	}
	test_pkt_rr_end(&pkt, at);
}

/* --- the table ---------------------------------------------------------- */

static const struct reply_case {
	const char *name;
	void (*build)(void);
	const char *qname;
	enum dns_type qtype;
	enum dns_status want;
	size_t nrr;
	const char *text; /* first record's text, or NULL */
	uint32_t ttl;     /* info.ttl, when known */
	const char *why;  /* part of info.reason for DNS_SERVFAIL */
} reply_cases[] = {
	{ "a", b_a, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 300, NULL },
	{ "final dot", b_a_final_dot, "a.example.", DNS_T_A, DNS_ANSWER, 1,
	    NULL, 300, NULL },
	{ "aaaa", b_aaaa, "a.example", DNS_T_AAAA, DNS_ANSWER, 1, NULL, 60,
	    NULL },
	{ "mx compressed", b_mx, "example", DNS_T_MX, DNS_ANSWER, 2,
	    "mx1.example", 1800, NULL },
	{ "null mx", b_null_mx, "example", DNS_T_MX, DNS_ANSWER, 1, "", 3600,
	    NULL },
	{ "txt joined", b_txt, "example", DNS_T_TXT, DNS_ANSWER, 2,
	    "v=spf1 ip4:192.0.2.0/24 -all", 300, NULL },
	{ "ptr", b_ptr, "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, 1,
	    "mx1.example", 86400, NULL },
	{ "cname chain", b_chain, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 50,
	    NULL },
	{ "cname asked", b_cname_query, "a.example", DNS_T_CNAME, DNS_ANSWER, 1,
	    "b.example", 100, NULL },
	{ "case", b_case, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 300,
	    NULL },
	{ "others ignored", b_extra, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL,
	    300, NULL },
	{ "ttl top bit", b_ttl_top_bit, "a.example", DNS_T_A, DNS_ANSWER, 1,
	    NULL, 0, NULL },
	{ "many", b_many, "a.example", DNS_T_A, DNS_ANSWER, DNS_ANSWER_RR_MAX,
	    NULL, 300, NULL },
	{ "hops at the limit", b_hops_max, "a.example", DNS_T_A, DNS_NODATA, 0,
	    NULL, 0, NULL },
	{ "nxdomain", b_nxdomain, "nx.example", DNS_T_A, DNS_NXDOMAIN, 0, NULL,
	    300, NULL },
	{ "nodata", b_nodata, "a.example", DNS_T_TXT, DNS_NODATA, 0, NULL, 60,
	    NULL },
	{ "nodata no soa", b_nodata_no_soa, "a.example", DNS_T_TXT, DNS_NODATA,
	    0, NULL, 0, NULL },
	{ "cname to nxdomain", b_cname_nx, "a.example", DNS_T_A, DNS_NXDOMAIN,
	    0, NULL, 30, NULL },
	{ "cname dangling", b_cname_dangling, "a.example", DNS_T_A, DNS_NODATA,
	    0, NULL, 0, NULL },

	{ "short", b_short, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "shorter than a header" },
	{ "too long", b_too_long, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
	    0, "longer than a message" },
	{ "query", b_query, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "not a response" },
	{ "opcode", b_opcode, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "not a standard query" },
	{ "tc", b_tc, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "truncated" },
	{ "servfail", b_servfail, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
	    0, "RCODE 2" },
	{ "formerr", b_formerr, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "RCODE 1" },
	{ "notimp", b_notimp, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "RCODE 4" },
	{ "refused", b_refused, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "RCODE 5" },
	{ "rcode 9", b_rcode9, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "unknown RCODE" },
	{ "badvers", b_badvers, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "unknown RCODE" },
	{ "no question", b_no_question, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "exactly one question" },
	{ "two questions", b_two_questions, "a.example", DNS_T_A, DNS_SERVFAIL,
	    0, NULL, 0, "exactly one question" },
	{ "other name", b_other_name, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "another question" },
	{ "other type", b_other_type, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "another question" },
	{ "other class", b_other_class, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "another question" },
	{ "question cut", b_question_cut, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "question cut short" },
	{ "count lies", b_count_lies, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "name runs past" },
	{ "trailing", b_trailing, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
	    0, "after the last record" },
	{ "record cut", b_rr_cut, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
	    0, "record cut short" },
	{ "rdata past", b_rdata_past, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "RDATA runs past" },
	{ "a of 5", b_a_five, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "A not 4" },
	{ "aaaa of 4", b_aaaa_four, "a.example", DNS_T_AAAA, DNS_SERVFAIL, 0,
	    NULL, 0, "AAAA not 16" },
	{ "cname rdata long", b_cname_long, "a.example", DNS_T_A, DNS_SERVFAIL,
	    0, NULL, 0, "longer than its name" },
	{ "mx short", b_mx_short, "example", DNS_T_MX, DNS_SERVFAIL, 0, NULL, 0,
	    "MX too short" },
	{ "txt past", b_txt_past, "example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL,
	    0, "TXT string runs past" },
	{ "txt empty", b_txt_empty, "example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL,
	    0, "TXT without" },
	{ "soa short", b_soa_short, "a.example", DNS_T_TXT, DNS_SERVFAIL, 0,
	    NULL, 0, "SOA of the wrong length" },
	{ "forward pointer", b_forward_ptr, "a.example", DNS_T_A, DNS_SERVFAIL,
	    0, NULL, 0, "compression pointer" },
	{ "self pointer", b_self_ptr, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "compression pointer" },
	{ "looping pointer", b_loop_ptr, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "compression pointer" },
	{ "header pointer", b_header_ptr, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "compression pointer" },
	{ "too many hops", b_hops_over, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "compression pointer" },
	{ "label type", b_label_type, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "label type" },
	{ "label past", b_label_past, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "label runs past" },
	{ "name past", b_name_past, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
	    0, "name runs past" },
	{ "name over 255", b_long_name, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "over 255" },
	{ "chain too long", b_chain_long, "c0.example", DNS_T_A, DNS_SERVFAIL,
	    0, NULL, 0, "too long" },
	{ "chain loop", b_chain_loop, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "too long" },
	{ "two cnames", b_two_cnames, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "bad CNAME chain" },
	{ "nxdomain answer", b_nx_answer, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "NXDOMAIN with an answer" },
	{ "answer class", b_answer_ch, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "another class" },
	{ "opt in answer", b_opt_answer, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "misplaced OPT" },
	{ "two opt", b_two_opt, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "misplaced OPT" },
	{ "opt owner", b_opt_owner, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL,
	    0, "misplaced OPT" },
	{ "opt option", b_opt_option, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "EDNS option runs past" },
	{ "dot in label", b_dot_label, "example", DNS_T_MX, DNS_SERVFAIL, 0,
	    NULL, 0, "no record fits" },
	{ "txt huge", b_txt_huge, "example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL,
	    0, "no record fits" },
	{ "bad qname", b_a, "a..example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "not a name" },
};

/* test_reply_table - each packet gives its status, records and reason */
static void
test_reply_table(void)
{
	struct dns_reply info;
	enum dns_status s;
	size_t i;

	for (i = 0; i < SK_NELEM(reply_cases); i++) {
		const struct reply_case *c = &reply_cases[i];

		c->build();
		s = dns_reply_parse(pkt.b, pkt.n, c->qname, c->qtype, &ans,
		    &info);
		TEST_CHECK(s == c->want && ans.status == s,
		    "%s: got %s (%s), want %s", c->name, dns_status_str(s),
		    info.reason != NULL ? info.reason : "-",
		    dns_status_str(c->want));
		test_pkt_check_records(c->name, &ans, c->nrr, c->text);
		if (s != DNS_SERVFAIL && info.ttl_known) {
			TEST_CHECK(info.ttl == c->ttl,
			    "%s: got TTL %u, want %u", c->name,
			    (unsigned)info.ttl, (unsigned)c->ttl);
		}
		if (c->why != NULL) {
			TEST_CHECK(info.reason != NULL &&
				strstr(info.reason, c->why) != NULL,
			    "%s: got reason \"%s\", want \"%s\"", c->name,
			    info.reason != NULL ? info.reason : "-", c->why);
		}
	}
}

/* test_reply_fields - addresses, preferences, string counts, record TTLs */
static void
test_reply_fields(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct dns_reply info;

	b_a();
	(void)dns_reply_parse(pkt.b, pkt.n, "a.example", DNS_T_A, &ans, &info);
	TEST_CHECK(memcmp(ans.rr[0].addr, "\xc0\x00\x02\x01", 4) == 0 &&
		ans.rr[0].ttl == 300 && ans.rr[0].type == DNS_T_A,
	    "A: got %u.%u.%u.%u ttl %u", ans.rr[0].addr[0], ans.rr[0].addr[1],
	    ans.rr[0].addr[2], ans.rr[0].addr[3], (unsigned)ans.rr[0].ttl);
	b_aaaa();
	(void)dns_reply_parse(pkt.b, pkt.n, "a.example", DNS_T_AAAA, &ans,
	    &info);
	TEST_CHECK(memcmp(ans.rr[0].addr, v6, 16) == 0, "AAAA: wrong address");
	b_mx();
	(void)dns_reply_parse(pkt.b, pkt.n, "example", DNS_T_MX, &ans, &info);
	TEST_CHECK(ans.rr[0].pref == 10 && ans.rr[1].pref == 20 &&
		strcmp(dns_rr_text(&ans, &ans.rr[1]), "mx2.example.net") == 0,
	    "MX: got %u %u \"%s\"", ans.rr[0].pref, ans.rr[1].pref,
	    dns_rr_text(&ans, &ans.rr[1]));
	b_txt();
	(void)dns_reply_parse(pkt.b, pkt.n, "example", DNS_T_TXT, &ans, &info);
	TEST_CHECK(ans.rr[0].nstrings == 3 && ans.rr[1].nstrings == 1 &&
		ans.rr[1].len == 0,
	    "TXT: got %u strings, then %u of %zu octets", ans.rr[0].nstrings,
	    ans.rr[1].nstrings, ans.rr[1].len);
	b_chain();
	(void)dns_reply_parse(pkt.b, pkt.n, "a.example", DNS_T_A, &ans, &info);
	TEST_CHECK(ans.rr[0].addr[3] == 7 && ans.rr[0].ttl == 50,
	    "chain: got .%u ttl %u, want .7 ttl 50", ans.rr[0].addr[3],
	    (unsigned)ans.rr[0].ttl);
	b_many();
	(void)dns_reply_parse(pkt.b, pkt.n, "a.example", DNS_T_A, &ans, &info);
	TEST_CHECK(ans.truncated, "65 records: not marked truncated");
	b_nodata_no_soa();
	(void)dns_reply_parse(pkt.b, pkt.n, "a.example", DNS_T_TXT, &ans,
	    &info);
	TEST_CHECK(!info.ttl_known, "no SOA: the TTL should be unknown");
}

/* test_reply_prefixes - every cut of a good reply is refused, safely */
static void
test_reply_prefixes(void)
{
	struct dns_reply info;
	size_t n, full;
	enum dns_status s;

	b_mx();
	full = pkt.n;
	for (n = 0; n < full; n++) {
		s = dns_reply_parse(pkt.b, n, "example", DNS_T_MX, &ans, &info);
		TEST_CHECK(s == DNS_SERVFAIL, "%zu of %zu octets: got %s", n,
		    full, dns_status_str(s));
	}
}

static const struct wire_case {
	const char *in;
	enum sk_result want;
	size_t len;
} wire_cases[] = {
	{ "a.b", SK_OK, 5 },
	{ "a.b.", SK_OK, 5 },
	{ "example", SK_OK, 9 },
	{ "a..b", SK_E_SYNTAX, 0 },
	{ "", SK_E_SYNTAX, 0 },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    SK_E_TOO_LONG, 0 },
};

/* test_name_wire - text names to wire form */
static void
test_name_wire(void)
{
	uint8_t out[DNS_NAME_MAX];
	size_t i, len;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(wire_cases); i++) {
		const struct wire_case *c = &wire_cases[i];

		len = 0;
		r = dns_name_wire(c->in, strlen(c->in), out, &len);
		TEST_CHECK(r == c->want && (r != SK_OK || len == c->len),
		    "\"%s\": got %s, %zu octets; want %s, %zu", c->in,
		    sk_result_str(r), len, sk_result_str(c->want), c->len);
	}
	(void)dns_name_wire("ab.c", 4, out, &len);
	TEST_CHECK(len == 6 && memcmp(out, "\2ab\1c\0", 6) == 0,
	    "ab.c: wrong wire form");
}

const struct test_case test_cases[] = {
	{ "reply_table", test_reply_table },
	{ "reply_fields", test_reply_fields },
	{ "reply_prefixes", test_reply_prefixes },
	{ "reply_name_wire", test_name_wire },
};
const size_t test_ncases = SK_NELEM(test_cases);

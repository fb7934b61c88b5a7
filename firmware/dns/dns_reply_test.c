/*
 * dns_reply_test.c - the reply parser against hand-built packets: answers
 * of every type, CNAME chains, negative answers and their TTLs (RFC 2308),
 * and one packet per way a reply can be malformed, each checked for the
 * reason the parser gives.
 */
#include <string.h>

#include "dns_reply.h"
#include "test.h"

/* --- a small packet builder --------------------------------------------- */

#define PKT_MAX 70000 /* room for over-long messages too */
#define Q_AT 12       /* the question name's offset, for pointers */
#define F_OK 0x8180u  /* QR, RD, RA, NOERROR */
#define F_NX 0x8183u  /* the same with NXDOMAIN */

struct pkt {
	uint8_t b[PKT_MAX];
	size_t n;
};

static struct pkt pkt;
static struct dns_answer ans;

static void
put8(unsigned v)
{
	if (pkt.n < PKT_MAX) {
		pkt.b[pkt.n++] = (uint8_t)v;
	}
}

static void
put16(unsigned v)
{
	put8(v >> 8 & 0xff);
	put8(v & 0xff);
}

static void
put32(uint32_t v)
{
	put16(v >> 16);
	put16(v & 0xffff);
}

/* put_name - a dotted name as labels, "" for the root */
static void
put_name(const char *s)
{
	const char *dot;
	size_t n;

	while (*s != '\0') {
		dot = strchr(s, '.');
		n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		put8((unsigned)n);
		while (n-- > 0) {
			put8((unsigned char)*s++);
		}
		if (*s == '.') {
			s++;
		}
	}
	put8(0);
}

/* put_ptr - a compression pointer to off */
static void
put_ptr(unsigned off)
{
	put16(0xc000u | off);
}

/* start - header with ID 0x1234 and the question, if qname is given */
static void
start(unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar,
    const char *qname, unsigned qtype)
{
	pkt.n = 0;
	put16(0x1234);
	put16(flags);
	put16(qd);
	put16(an);
	put16(ns);
	put16(ar);
	if (qd > 0 && qname != NULL) {
		put_name(qname);
		put16(qtype);
		put16(DNS_CLASS_IN);
	}
}

/* rr - a record header: owner (NULL: a pointer to the question name),
 * type, class IN, ttl; returns where RDLENGTH goes, for rr_end */
static size_t
rr(const char *owner, unsigned type, uint32_t ttl)
{
	size_t at;

	if (owner == NULL) {
		put_ptr(Q_AT);
	} else {
		put_name(owner);
	}
	put16(type);
	put16(DNS_CLASS_IN);
	put32(ttl);
	at = pkt.n;
	put16(0);
	return at;
}

/* rr_end - RDLENGTH from what was written since rr() */
static void
rr_end(size_t at)
{
	size_t len = pkt.n - at - 2;

	pkt.b[at] = (uint8_t)(len >> 8);
	pkt.b[at + 1] = (uint8_t)len;
}

static void
rr_a(const char *owner, uint32_t ttl, unsigned last)
{
	size_t at = rr(owner, DNS_T_A, ttl);

	put8(192);
	put8(0);
	put8(2);
	put8(last);
	rr_end(at);
}

static void
rr_name(const char *owner, unsigned type, uint32_t ttl, const char *target)
{
	size_t at = rr(owner, type, ttl);

	put_name(target);
	rr_end(at);
}

static void
rr_soa(uint32_t ttl, uint32_t minimum)
{
	size_t at = rr("example", DNS_RRTYPE_SOA, ttl);

	put_name("ns.example");
	put_name("hostmaster.example");
	put32(2024010101);
	put32(3600);
	put32(600);
	put32(86400);
	put32(minimum);
	rr_end(at);
}

static void
rr_opt(unsigned ext_rcode)
{
	put8(0); /* root owner */
	put16(DNS_RRTYPE_OPT);
	put16(1232);
	put32((uint32_t)ext_rcode << 24);
	put16(0);
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
	at = rr(NULL, DNS_T_AAAA, 60);
	for (i = 0; i < 16; i++) {
		put8(v6[i]);
	}
	rr_end(at);
}

/* two MX, the exchanges compressed against the question */
static void
b_mx(void)
{
	size_t at;

	start(F_OK, 1, 2, 0, 0, "example", DNS_T_MX);
	at = rr(NULL, DNS_T_MX, 3600);
	put16(10);
	put8(3);
	put8('m');
	put8('x');
	put8('1');
	put_ptr(Q_AT);
	rr_end(at);
	at = rr(NULL, DNS_T_MX, 1800);
	put16(20);
	put_name("mx2.example.net");
	rr_end(at);
}

static void
b_null_mx(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_MX);
	at = rr(NULL, DNS_T_MX, 3600);
	put16(0);
	put8(0); /* RFC 7505: the root */
	rr_end(at);
}

/* put_cstring - one <character-string> (RFC 1035 3.3) */
static void
put_cstring(const char *t)
{
	put8((unsigned)strlen(t));
	while (*t != '\0') {
		put8((unsigned char)*t++);
	}
}

static void
b_txt(void)
{
	size_t at;

	start(F_OK, 1, 2, 0, 0, "example", DNS_T_TXT);
	at = rr(NULL, DNS_T_TXT, 300);
	put_cstring("v=spf1 ");
	put_cstring("ip4:192.0.2.0/24");
	put_cstring(" -all");
	rr_end(at);
	at = rr(NULL, DNS_T_TXT, 300);
	put_cstring("");
	rr_end(at);
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
	at = rr(NULL, 99, 5);
	put8(1);
	put8(2);
	rr_end(at);
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
	rr_soa(3600, 300);
}

static void
b_nodata(void)
{
	start(F_OK, 1, 0, 1, 0, "a.example", DNS_T_TXT);
	rr_soa(60, 300);
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
	rr_soa(3600, 900);
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
	put_name("a.example");
	put16(DNS_T_A);
	put16(DNS_CLASS_IN);
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
	put8(0);
}

static void
b_rr_cut(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	put_ptr(Q_AT);
	put16(DNS_T_A);
	put16(DNS_CLASS_IN);
}

/* an A record whose RDLENGTH (5) is more than the message holds */
static void
b_rdata_past(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = rr(NULL, DNS_T_A, 300);
	put32(0xc0000201);
	rr_end(at);
	pkt.b[at + 1] = 5;
}

static void
b_a_five(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = rr(NULL, DNS_T_A, 300);
	put32(0xc0000201);
	put8(0);
	rr_end(at);
}

static void
b_aaaa_four(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_AAAA);
	at = rr(NULL, DNS_T_AAAA, 300);
	put32(0x20010db8);
	rr_end(at);
}

static void
b_cname_long(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	at = rr(NULL, DNS_T_CNAME, 30);
	put_name("b.example");
	put8(0);
	rr_end(at);
}

static void
b_mx_short(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_MX);
	at = rr(NULL, DNS_T_MX, 30);
	put16(10);
	rr_end(at);
}

static void
b_txt_past(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_TXT);
	at = rr(NULL, DNS_T_TXT, 30);
	put8(5);
	put8('a');
	rr_end(at);
}

static void
b_txt_empty(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_TXT);
	at = rr(NULL, DNS_T_TXT, 30);
	rr_end(at);
}

/* an SOA with 16 fixed octets instead of 20 */
static void
b_soa_short(void)
{
	size_t at;

	start(F_OK, 1, 0, 1, 0, "a.example", DNS_T_TXT);
	at = rr("example", DNS_RRTYPE_SOA, 60);
	put_name("ns.example");
	put_name("hostmaster.example");
	put32(1);
	put32(2);
	put32(3);
	put32(4);
	rr_end(at);
}

/* an answer whose owner is the pointer p */
static void
b_owner_ptr(unsigned p)
{
	put_ptr(p);
	put16(DNS_T_A);
	put16(DNS_CLASS_IN);
	put32(300);
	put16(4);
	put32(0xc0000201);
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
	put8(1);
	put8('a');
	put_ptr((unsigned)at);
	put16(DNS_T_A);
	put16(DNS_CLASS_IN);
	put32(300);
	put16(4);
	put32(0xc0000201);
}

static void
b_label_type(void)
{
	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	put8(0x41); /* RFC 6891 5: extended label type, not in use */
	put8(0);
	put16(DNS_T_A);
	put16(DNS_CLASS_IN);
	put32(300);
	put16(4);
	put32(0xc0000201);
}

static void
b_label_past(void)
{
	start(F_OK, 1, 0, 0, 0, NULL, 0);
	put8(7);
	put8('e');
	put8('x');
}

static void
b_name_past(void)
{
	start(F_OK, 1, 0, 0, 0, NULL, 0);
	put8(1);
	put8('a');
}

/* an owner of 4 x (63 + 1) + 1 octets: over 255 */
static void
b_long_name(void)
{
	unsigned i, k;

	start(F_OK, 1, 1, 0, 0, "a.example", DNS_T_A);
	for (i = 0; i < 4; i++) {
		put8(63);
		for (k = 0; k < 63; k++) {
			put8('x');
		}
	}
	put8(0);
	put16(DNS_T_A);
	put16(DNS_CLASS_IN);
	put32(300);
	put16(4);
	put32(0xc0000201);
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
	at = rr("b.example", 99, 0);
	first = pkt.n;
	put_ptr((unsigned)owner);
	for (i = 1; i < n; i++) {
		put_ptr((unsigned)(first + 2 * (i - 1)));
	}
	rr_end(at);
	at = rr(NULL, DNS_T_CNAME, 30);
	put_ptr((unsigned)(first + 2 * (n - 1)));
	rr_end(at);
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
	at = rr("example", DNS_RRTYPE_OPT, 0);
	rr_end(at);
}

static void
b_opt_option(void)
{
	start(F_OK, 1, 0, 0, 1, "a.example", DNS_T_A);
	rr_opt(0);
	pkt.b[pkt.n - 1] = 6;
	put16(10); /* COOKIE */
	put16(8);  /* but only two octets follow */
	put16(0);
}

/* an MX exchange with a "." inside a label: no text form */
static void
b_dot_label(void)
{
	size_t at;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_MX);
	at = rr(NULL, DNS_T_MX, 30);
	put16(10);
	put8(3);
	put8('a');
	put8('.');
	put8('b');
	put8(0);
	rr_end(at);
}

/* a TXT record of 70 x 255 octets, more than an answer holds */
static void
b_txt_huge(void)
{
	size_t at, i, k;

	start(F_OK, 1, 1, 0, 0, "example", DNS_T_TXT);
	at = rr(NULL, DNS_T_TXT, 30);
	for (i = 0; i < 70; i++) {
		put8(255);
		for (k = 0; k < 255; k++) {
			put8('t');
		}
	}
	rr_end(at);
}

static void
b_too_long(void)
{
	size_t at;

	start(F_OK, 1, 0, 0, 1, "a.example", DNS_T_A);
	at = rr(NULL, 99, 0);
	while (pkt.n < DNS_MESSAGE_MAX + 1) {
		put8(0);
	}
	rr_end(at);
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
		TEST_CHECK(ans.nrr == c->nrr, "%s: got %zu records, want %zu",
		    c->name, ans.nrr, c->nrr);
		if (c->text != NULL && ans.nrr > 0) {
			TEST_CHECK(strcmp(dns_rr_text(&ans, &ans.rr[0]),
				       c->text) == 0,
			    "%s: got \"%s\", want \"%s\"", c->name,
			    dns_rr_text(&ans, &ans.rr[0]), c->text);
		}
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

/*
 * dns_reply_test.c - the reply parser against hand-built packets: answers
 * of every type, CNAME chains, negative answers and their TTLs (RFC 2308),
 * and one packet per way a reply can be malformed, each checked for the
 * reason the parser gives. Each case's packet is data in its table row
 * (header, question, records), built by put_pkt; the few packets a row
 * cannot describe get a fix_ function that finishes them.
 */
#include <string.h>

#include "dns_reply.h"
#include "test.h"
#include "test_pkt.h"

/* --- packets as data, and their builder -------------------------------- */

#define PKT_MAX 70000 /* room for over-long messages too */
#define Q_AT 12       /* the question name's offset, for pointers */
#define F_OK 0x8180u  /* QR, RD, RA, NOERROR */
#define F_NX 0x8183u  /* the same with NXDOMAIN */
#define RR_SPEC_MAX 5 /* records a table row can describe */
#define SOA_SERIAL 2024010101u

/* What a described record holds. */
enum rr_kind {
	RR_END,  /* no more records */
	RR_A,    /* the address 192.0.2.n */
	RR_NAME, /* a name (CNAME, PTR; for MX after the preference n) */
	RR_SOA,  /* the SOA of "example" (test_pkt_soa), minimum n */
	RR_OPT,  /* an OPT record with extended RCODE n (RFC 6891 6.1.3) */
	RR_RAW,  /* the RDATA octets data[len], as they are */
};

struct rr_spec {
	enum rr_kind kind;
	const char *owner; /* NULL: a pointer to the question name */
	unsigned type;
	uint32_t ttl;
	uint32_t n;       /* see enum rr_kind */
	const char *data; /* RR_NAME: the name; RR_RAW: the octets */
	size_t len;       /* RR_RAW */
};

/* record macros for the table, one line each (clang-format would spread
 * their braces over four) */
/* clang-format off */
#define NONE { RR_END, NULL, 0, 0, 0, NULL, 0 } /* no records */
#define A(owner, ttl, n) { RR_A, owner, DNS_T_A, ttl, n, NULL, 0 }
#define NAME(owner, type, ttl, name) { RR_NAME, owner, type, ttl, 0, name, 0 }
#define MX(ttl, pref, name) { RR_NAME, NULL, DNS_T_MX, ttl, pref, name, 0 }
#define SOA(ttl, minimum) { RR_SOA, NULL, 0, ttl, minimum, NULL, 0 }
#define OPT(ext_rcode) { RR_OPT, NULL, 0, 0, ext_rcode, NULL, 0 }
#define RAW(owner, type, ttl, octets) \
	{ RR_RAW, owner, type, ttl, 0, octets, sizeof(octets) - 1 }
/* clang-format on */

/*
 * A message: the header, the question qd times (none if qname is NULL),
 * then the records in order. What a table cannot say (cuts, bad
 * pointers, long runs) a case adds with its fix function.
 */
struct pkt_spec {
	unsigned flags, qd, an, ns, ar;
	const char *qname;
	unsigned qtype;
	struct rr_spec rr[RR_SPEC_MAX];
};

/* clang-format off */
/* the plain answer several cases start from: a.example A 192.0.2.1 */
#define PKT_A { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { A(NULL, 300, 1) } }
/* a header and a question (name q, type t) only */
#define PKT_Q(f, q, t) { f, 1, 0, 0, 0, q, t, { NONE } }
/* clang-format on */

static uint8_t pkt_bytes[PKT_MAX];
static struct test_pkt pkt = { pkt_bytes, sizeof(pkt_bytes), 0 };
static struct dns_answer ans;

/* put_ptr - a compression pointer to off */
static void
put_ptr(unsigned off)
{
	test_pkt_u16(&pkt, 0xc000u | off);
}

static void
put_opt(unsigned ext_rcode)
{
	test_pkt_u8(&pkt, 0); /* root owner */
	test_pkt_u16(&pkt, DNS_RRTYPE_OPT);
	test_pkt_u16(&pkt, 1232);
	test_pkt_u32(&pkt, (uint32_t)ext_rcode << 24);
	test_pkt_u16(&pkt, 0);
}

/* put_rr - one described record */
static void
put_rr(const struct rr_spec *r)
{
	size_t at, i;

	if (r->kind == RR_SOA) {
		test_pkt_soa(&pkt, SOA_SERIAL, r->ttl, r->n);
		return;
	}
	if (r->kind == RR_OPT) {
		put_opt(r->n);
		return;
	}
	at = test_pkt_rr(&pkt, r->owner, r->type, r->ttl);
	switch (r->kind) {
	case RR_A:
		test_pkt_u32(&pkt, 0xc0000200u | r->n);
		break;
	case RR_NAME:
		if (r->type == DNS_T_MX) {
			test_pkt_u16(&pkt, r->n);
		}
		test_pkt_name(&pkt, r->data);
		break;
	default:
		for (i = 0; i < r->len; i++) {
			test_pkt_u8(&pkt, (unsigned char)r->data[i]);
		}
		break;
	}
	test_pkt_rr_end(&pkt, at);
}

/* put_pkt - the message p describes, with ID 0x1234 */
static void
put_pkt(const struct pkt_spec *p)
{
	unsigned i;

	pkt.n = 0;
	test_pkt_u16(&pkt, 0x1234);
	test_pkt_u16(&pkt, p->flags);
	test_pkt_u16(&pkt, p->qd);
	test_pkt_u16(&pkt, p->an);
	test_pkt_u16(&pkt, p->ns);
	test_pkt_u16(&pkt, p->ar);
	for (i = 0; i < p->qd && p->qname != NULL; i++) {
		test_pkt_name(&pkt, p->qname);
		test_pkt_u16(&pkt, p->qtype);
		test_pkt_u16(&pkt, DNS_CLASS_IN);
	}
	for (i = 0; i < RR_SPEC_MAX && p->rr[i].kind != RR_END; i++) {
		put_rr(&p->rr[i]);
	}
}

/* --- what a table cannot say ------------------------------------------ */

/* 65 addresses: 64 fit an answer */
static void
fix_many(void)
{
	struct rr_spec a = A(NULL, 300, 0);

	for (a.n = 0; a.n < 65; a.n++) {
		put_rr(&a);
	}
}

static void
fix_cut_header(void)
{
	pkt.n = DNS_HEADER_LEN - 1;
}

static void
fix_class_ch(void)
{
	pkt.b[pkt.n - 1] = 3; /* the question's CLASS: CH */
}

static void
fix_cut_question(void)
{
	pkt.n -= 2;
}

static void
fix_trailing(void)
{
	test_pkt_u8(&pkt, 0);
}

/* an answer cut after its class */
static void
fix_rr_cut(void)
{
	put_ptr(Q_AT);
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
}

/* the A record's RDLENGTH becomes 5, more than the message holds */
static void
fix_rdata_past(void)
{
	pkt.b[pkt.n - 4 - 1] = 5;
}

/* the answer's CLASS: CH */
static void
fix_answer_ch(void)
{
	pkt.b[pkt.n - 4 - 2 - 4 - 1] = 3;
}

/* put_a_rest - type, class, TTL 300 and RDATA 192.0.2.1 of an A record
 * whose owner the caller wrote by hand */
static void
put_a_rest(void)
{
	test_pkt_u16(&pkt, DNS_T_A);
	test_pkt_u16(&pkt, DNS_CLASS_IN);
	test_pkt_u32(&pkt, 300);
	test_pkt_u16(&pkt, 4);
	test_pkt_u32(&pkt, 0xc0000201);
}

/* an answer whose owner is the pointer p */
static void
put_owner_ptr(unsigned p)
{
	put_ptr(p);
	put_a_rest();
}

static void
fix_forward_ptr(void)
{
	put_owner_ptr((unsigned)pkt.n + 2);
}

static void
fix_self_ptr(void)
{
	put_owner_ptr((unsigned)pkt.n);
}

static void
fix_header_ptr(void)
{
	put_owner_ptr(2);
}

/* a label "a" ending in a pointer to the label itself */
static void
fix_loop_ptr(void)
{
	size_t at = pkt.n;

	test_pkt_u8(&pkt, 1);
	test_pkt_u8(&pkt, 'a');
	put_owner_ptr((unsigned)at);
}

static void
fix_label_type(void)
{
	test_pkt_u8(&pkt,
	    0x41); /* RFC 6891 5: extended label type, not in use */
	test_pkt_u8(&pkt, 0);
	put_a_rest();
}

/* a question name whose label runs past the end */
static void
fix_label_past(void)
{
	test_pkt_u8(&pkt, 7);
	test_pkt_u8(&pkt, 'e');
	test_pkt_u8(&pkt, 'x');
}

/* a question name without its root */
static void
fix_name_past(void)
{
	test_pkt_u8(&pkt, 1);
	test_pkt_u8(&pkt, 'a');
}

/* an owner of 4 x (63 + 1) + 1 octets: over 255 */
static void
fix_long_name(void)
{
	unsigned i, k;

	for (i = 0; i < 4; i++) {
		test_pkt_u8(&pkt, 63);
		for (k = 0; k < 63; k++) {
			test_pkt_u8(&pkt, 'x');
		}
	}
	test_pkt_u8(&pkt, 0);
	put_a_rest();
}

/*
 * put_hops - an opaque record owned by b.example holding a chain of n
 * pointers, each to the one before, the first to that owner; then a CNAME
 * whose target is a pointer to the last: n + 1 pointers to follow.
 */
static void
put_hops(size_t n)
{
	size_t at, owner = pkt.n, first, i;

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
fix_hops_max(void)
{
	put_hops(DNS_POINTER_HOPS_MAX - 1);
}

static void
fix_hops_over(void)
{
	put_hops(DNS_POINTER_HOPS_MAX);
}

/* DNS_CNAME_MAX + 1 links: c0 -> c1 -> ... -> c9 */
static void
fix_chain_long(void)
{
	char from[16], to[16];
	struct rr_spec r = NAME(from, DNS_T_CNAME, 30, to);
	unsigned i;

	for (i = 0; i <= DNS_CNAME_MAX; i++) {
		from[0] = to[0] = 'c';
		from[1] = (char)('0' + i);
		to[1] = (char)('1' + i);
		memcpy(from + 2, ".example", 9);
		memcpy(to + 2, ".example", 9);
		put_rr(&r);
	}
}

/* the OPT record claims a COOKIE of 8 octets, but only two follow */
static void
fix_opt_option(void)
{
	pkt.b[pkt.n - 1] = 6;
	test_pkt_u16(&pkt, 10); /* COOKIE */
	test_pkt_u16(&pkt, 8);
	test_pkt_u16(&pkt, 0);
}

/* a TXT record of 70 x 255 octets, more than an answer holds */
static void
fix_txt_huge(void)
{
	size_t at, i, k;

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
fix_too_long(void)
{
	size_t at = test_pkt_rr(&pkt, NULL, 99, 0);

	while (pkt.n < DNS_MESSAGE_MAX + 1) {
		test_pkt_u8(&pkt, 0);
	}
	test_pkt_rr_end(&pkt, at);
}

/* --- the table ---------------------------------------------------------- */

static const struct reply_case {
	const char *name;
	struct pkt_spec pkt;
	void (*fix)(void); /* after pkt, or NULL */
	const char *qname; /* what is asked */
	enum dns_type qtype;
	enum dns_status want;
	size_t nrr;
	const char *text; /* first record's text, or NULL */
	uint32_t ttl;     /* info.ttl, when known */
	const char *why;  /* part of info.reason for DNS_SERVFAIL */
} reply_cases[] = {
	{ "a", PKT_A, NULL, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 300,
	    NULL },
	{ "final dot", PKT_A, NULL, "a.example.", DNS_T_A, DNS_ANSWER, 1, NULL,
	    300, NULL },
	{ "aaaa",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_AAAA,
		{ RAW(NULL, DNS_T_AAAA, 60,
		    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01") } },
	    NULL, "a.example", DNS_T_AAAA, DNS_ANSWER, 1, NULL, 60, NULL },
	/* two MX, the first exchange compressed against the question */
	{ "mx compressed",
	    { F_OK, 1, 2, 0, 0, "example", DNS_T_MX,
		{ RAW(NULL, DNS_T_MX, 3600, "\0\x0a\3mx1\xc0\x0c"),
		    MX(1800, 20, "mx2.example.net") } },
	    NULL, "example", DNS_T_MX, DNS_ANSWER, 2, "mx1.example", 1800,
	    NULL },
	/* RFC 7505: the exchange is the root */
	{ "null mx",
	    { F_OK, 1, 1, 0, 0, "example", DNS_T_MX, { MX(3600, 0, "") } },
	    NULL, "example", DNS_T_MX, DNS_ANSWER, 1, "", 3600, NULL },
	{ "txt joined",
	    { F_OK, 1, 2, 0, 0, "example", DNS_T_TXT,
		{ RAW(NULL, DNS_T_TXT, 300,
		      "\7v=spf1 "
		      "\x10ip4:192.0.2.0/24"
		      "\5 -all"),
		    RAW(NULL, DNS_T_TXT, 300, "\0") } },
	    NULL, "example", DNS_T_TXT, DNS_ANSWER, 2,
	    "v=spf1 ip4:192.0.2.0/24 -all", 300, NULL },
	{ "ptr",
	    { F_OK, 1, 1, 0, 0, "1.2.0.192.in-addr.arpa", DNS_T_PTR,
		{ NAME(NULL, DNS_T_PTR, 86400, "mx1.example") } },
	    NULL, "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, 1,
	    "mx1.example", 86400, NULL },
	/* a -> b -> c, c has the address; TTLs 100, 50, 300 */
	{ "cname chain",
	    { F_OK, 1, 3, 0, 0, "a.example", DNS_T_A,
		{ NAME(NULL, DNS_T_CNAME, 100, "b.example"),
		    NAME("b.example", DNS_T_CNAME, 50, "c.example"),
		    A("c.example", 300, 7) } },
	    NULL, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 50, NULL },
	{ "cname asked",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_CNAME,
		{ NAME(NULL, DNS_T_CNAME, 100, "b.example") } },
	    NULL, "a.example", DNS_T_CNAME, DNS_ANSWER, 1, "b.example", 100,
	    NULL },
	/* the server's case differs from ours (RFC 4343) */
	{ "case",
	    { F_OK, 1, 1, 0, 0, "A.EXample", DNS_T_A,
		{ A("a.EXAMPLE", 300, 1) } },
	    NULL, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 300, NULL },
	/* records of other names and types, an OPT and an unknown type */
	{ "others ignored",
	    { F_OK, 1, 3, 0, 2, "a.example", DNS_T_A,
		{ A("z.example", 5, 9), RAW(NULL, 99, 5, "\1\2"),
		    A(NULL, 300, 1), A("ns.example", 5, 53), OPT(0) } },
	    NULL, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 300, NULL },
	{ "ttl top bit",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A,
		{ A(NULL, 0x80000000u, 1) } },
	    NULL, "a.example", DNS_T_A, DNS_ANSWER, 1, NULL, 0, NULL },
	{ "many", { F_OK, 1, 65, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_many, "a.example", DNS_T_A, DNS_ANSWER, DNS_ANSWER_RR_MAX, NULL,
	    300, NULL },
	{ "hops at the limit",
	    { F_OK, 1, 2, 0, 0, "a.example", DNS_T_A, { NONE } }, fix_hops_max,
	    "a.example", DNS_T_A, DNS_NODATA, 0, NULL, 0, NULL },
	{ "nxdomain",
	    { F_NX, 1, 0, 1, 0, "nx.example", DNS_T_A, { SOA(3600, 300) } },
	    NULL, "nx.example", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 300, NULL },
	{ "nodata",
	    { F_OK, 1, 0, 1, 0, "a.example", DNS_T_TXT, { SOA(60, 300) } },
	    NULL, "a.example", DNS_T_TXT, DNS_NODATA, 0, NULL, 60, NULL },
	{ "nodata no soa", PKT_Q(F_OK, "a.example", DNS_T_TXT), NULL,
	    "a.example", DNS_T_TXT, DNS_NODATA, 0, NULL, 0, NULL },
	{ "cname to nxdomain",
	    { F_NX, 1, 1, 1, 0, "a.example", DNS_T_A,
		{ NAME(NULL, DNS_T_CNAME, 30, "gone.example"),
		    SOA(3600, 900) } },
	    NULL, "a.example", DNS_T_A, DNS_NXDOMAIN, 0, NULL, 30, NULL },
	{ "cname dangling",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A,
		{ NAME(NULL, DNS_T_CNAME, 30, "b.example") } },
	    NULL, "a.example", DNS_T_A, DNS_NODATA, 0, NULL, 0, NULL },

	{ "short", PKT_A, fix_cut_header, "a.example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "shorter than a header" },
	{ "too long", { F_OK, 1, 0, 0, 1, "a.example", DNS_T_A, { NONE } },
	    fix_too_long, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "longer than a message" },
	{ "query", PKT_Q(0x0100, "a.example", DNS_T_A), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "not a response" },
	{ "opcode", PKT_Q(0x8980, "a.example", DNS_T_A), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "not a standard query" },
	{ "tc", PKT_Q(0x8380, "a.example", DNS_T_A), NULL, "a.example", DNS_T_A,
	    DNS_SERVFAIL, 0, NULL, 0, "truncated" },
	{ "servfail", { 0x8182, 0, 0, 0, 0, NULL, 0, { NONE } }, NULL,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "RCODE 2" },
	{ "formerr", PKT_Q(0x8181, "a.example", DNS_T_A), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "RCODE 1" },
	{ "notimp", PKT_Q(0x8184, "a.example", DNS_T_A), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "RCODE 4" },
	{ "refused", PKT_Q(0x8185, "a.example", DNS_T_A), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "RCODE 5" },
	{ "rcode 9", PKT_Q(0x8189, "a.example", DNS_T_A), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "unknown RCODE" },
	/* RCODE 16 */
	{ "badvers", { F_OK, 1, 0, 0, 1, "a.example", DNS_T_A, { OPT(1) } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "unknown RCODE" },
	{ "no question", { F_OK, 0, 0, 0, 0, NULL, 0, { NONE } }, NULL,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "exactly one question" },
	{ "two questions", { F_OK, 2, 0, 0, 0, "a.example", DNS_T_A, { NONE } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "exactly one question" },
	{ "other name",
	    { F_OK, 1, 1, 0, 0, "b.example", DNS_T_A, { A(NULL, 300, 1) } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "another question" },
	{ "other type", PKT_Q(F_OK, "a.example", DNS_T_MX), NULL, "a.example",
	    DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "another question" },
	{ "other class", PKT_Q(F_OK, "a.example", DNS_T_A), fix_class_ch,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "another question" },
	{ "question cut", PKT_Q(F_OK, "a.example", DNS_T_A), fix_cut_question,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "question cut short" },
	{ "count lies",
	    { F_OK, 1, 2, 0, 0, "a.example", DNS_T_A, { A(NULL, 300, 1) } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "name runs past" },
	{ "trailing", PKT_A, fix_trailing, "a.example", DNS_T_A, DNS_SERVFAIL,
	    0, NULL, 0, "after the last record" },
	{ "record cut", { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_rr_cut, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "record cut short" },
	{ "rdata past", PKT_A, fix_rdata_past, "a.example", DNS_T_A,
	    DNS_SERVFAIL, 0, NULL, 0, "RDATA runs past" },
	{ "a of 5",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A,
		{ RAW(NULL, DNS_T_A, 300, "\xc0\x00\x02\x01\x00") } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "A not 4" },
	{ "aaaa of 4",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_AAAA,
		{ RAW(NULL, DNS_T_AAAA, 300, "\x20\x01\x0d\xb8") } },
	    NULL, "a.example", DNS_T_AAAA, DNS_SERVFAIL, 0, NULL, 0,
	    "AAAA not 16" },
	{ "cname rdata long",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A,
		{ RAW(NULL, DNS_T_CNAME, 30, "\1b\7example\0\0") } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "longer than its name" },
	{ "mx short",
	    { F_OK, 1, 1, 0, 0, "example", DNS_T_MX,
		{ RAW(NULL, DNS_T_MX, 30, "\0\x0a") } },
	    NULL, "example", DNS_T_MX, DNS_SERVFAIL, 0, NULL, 0,
	    "MX too short" },
	{ "txt past",
	    { F_OK, 1, 1, 0, 0, "example", DNS_T_TXT,
		{ RAW(NULL, DNS_T_TXT, 30, "\5a") } },
	    NULL, "example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL, 0,
	    "TXT string runs past" },
	{ "txt empty",
	    { F_OK, 1, 1, 0, 0, "example", DNS_T_TXT,
		{ RAW(NULL, DNS_T_TXT, 30, "") } },
	    NULL, "example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL, 0,
	    "TXT without" },
	/* an SOA with 16 fixed octets instead of 20 */
	{ "soa short",
	    { F_OK, 1, 0, 1, 0, "a.example", DNS_T_TXT,
		{ RAW("example", DNS_RRTYPE_SOA, 60,
		    "\2ns\7example\0"
		    "\12hostmaster\7example\0"
		    "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4") } },
	    NULL, "a.example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL, 0,
	    "SOA of the wrong length" },
	{ "forward pointer",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_forward_ptr, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "compression pointer" },
	{ "self pointer", { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_self_ptr, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "compression pointer" },
	{ "looping pointer",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } }, fix_loop_ptr,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "compression pointer" },
	{ "header pointer",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_header_ptr, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "compression pointer" },
	{ "too many hops", { F_OK, 1, 2, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_hops_over, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "compression pointer" },
	{ "label type", { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_label_type, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "label type" },
	{ "label past", { F_OK, 1, 0, 0, 0, NULL, 0, { NONE } }, fix_label_past,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "label runs past" },
	{ "name past", { F_OK, 1, 0, 0, 0, NULL, 0, { NONE } }, fix_name_past,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "name runs past" },
	{ "name over 255", { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { NONE } },
	    fix_long_name, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "over 255" },
	{ "chain too long",
	    { F_OK, 1, DNS_CNAME_MAX + 1, 0, 0, "c0.example", DNS_T_A,
		{ NONE } },
	    fix_chain_long, "c0.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "too long" },
	{ "chain loop",
	    { F_OK, 1, 2, 0, 0, "a.example", DNS_T_A,
		{ NAME(NULL, DNS_T_CNAME, 30, "b.example"),
		    NAME("b.example", DNS_T_CNAME, 30, "a.example") } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "too long" },
	{ "two cnames",
	    { F_OK, 1, 2, 0, 0, "a.example", DNS_T_A,
		{ NAME(NULL, DNS_T_CNAME, 30, "b.example"),
		    NAME(NULL, DNS_T_CNAME, 30, "c.example") } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "bad CNAME chain" },
	{ "nxdomain answer",
	    { F_NX, 1, 1, 0, 0, "a.example", DNS_T_A, { A(NULL, 300, 1) } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "NXDOMAIN with an answer" },
	{ "answer class", PKT_A, fix_answer_ch, "a.example", DNS_T_A,
	    DNS_SERVFAIL, 0, NULL, 0, "another class" },
	{ "opt in answer",
	    { F_OK, 1, 1, 0, 0, "a.example", DNS_T_A, { OPT(0) } }, NULL,
	    "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0, "misplaced OPT" },
	{ "two opt",
	    { F_OK, 1, 0, 0, 2, "a.example", DNS_T_A, { OPT(0), OPT(0) } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "misplaced OPT" },
	{ "opt owner",
	    { F_OK, 1, 0, 0, 1, "a.example", DNS_T_A,
		{ RAW("example", DNS_RRTYPE_OPT, 0, "") } },
	    NULL, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "misplaced OPT" },
	{ "opt option", { F_OK, 1, 0, 0, 1, "a.example", DNS_T_A, { OPT(0) } },
	    fix_opt_option, "a.example", DNS_T_A, DNS_SERVFAIL, 0, NULL, 0,
	    "EDNS option runs past" },
	/* an MX exchange with a "." inside a label: no text form */
	{ "dot in label",
	    { F_OK, 1, 1, 0, 0, "example", DNS_T_MX,
		{ RAW(NULL, DNS_T_MX, 30, "\0\x0a\3a.b\0") } },
	    NULL, "example", DNS_T_MX, DNS_SERVFAIL, 0, NULL, 0,
	    "no record fits" },
	{ "txt huge", { F_OK, 1, 1, 0, 0, "example", DNS_T_TXT, { NONE } },
	    fix_txt_huge, "example", DNS_T_TXT, DNS_SERVFAIL, 0, NULL, 0,
	    "no record fits" },
	{ "bad qname", PKT_A, NULL, "a..example", DNS_T_A, DNS_SERVFAIL, 0,
	    NULL, 0, "not a name" },
};

/* build - the packet of case c */
static void
build(const struct reply_case *c)
{
	put_pkt(&c->pkt);
	if (c->fix != NULL) {
		c->fix();
	}
}

/* parse_case - build the packet of the case called name and parse it as
 * that case asks; the status, or DNS_SERVFAIL with a failure if there is
 * no such case */
static enum dns_status
parse_case(const char *name, struct dns_reply *info)
{
	size_t i;

	for (i = 0; i < SK_NELEM(reply_cases); i++) {
		const struct reply_case *c = &reply_cases[i];

		if (strcmp(c->name, name) == 0) {
			build(c);
			return dns_reply_parse(pkt.b, pkt.n, c->qname, c->qtype,
			    &ans, info);
		}
	}
	test_fail("no case \"%s\"", name);
	memset(&ans, 0, sizeof(ans));
	return DNS_SERVFAIL;
}

/* test_reply_table - each packet gives its status, records and reason */
static void
test_reply_table(void)
{
	struct dns_reply info;
	enum dns_status s;
	size_t i;

	for (i = 0; i < SK_NELEM(reply_cases); i++) {
		const struct reply_case *c = &reply_cases[i];

		build(c);
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

	(void)parse_case("a", &info);
	TEST_CHECK(memcmp(ans.rr[0].addr, "\xc0\x00\x02\x01", 4) == 0 &&
		ans.rr[0].ttl == 300 && ans.rr[0].type == DNS_T_A,
	    "A: got %u.%u.%u.%u ttl %u", ans.rr[0].addr[0], ans.rr[0].addr[1],
	    ans.rr[0].addr[2], ans.rr[0].addr[3], (unsigned)ans.rr[0].ttl);
	(void)parse_case("aaaa", &info);
	TEST_CHECK(memcmp(ans.rr[0].addr, v6, 16) == 0, "AAAA: wrong address");
	(void)parse_case("mx compressed", &info);
	TEST_CHECK(ans.rr[0].pref == 10 && ans.rr[1].pref == 20 &&
		strcmp(dns_rr_text(&ans, &ans.rr[1]), "mx2.example.net") == 0,
	    "MX: got %u %u \"%s\"", ans.rr[0].pref, ans.rr[1].pref,
	    dns_rr_text(&ans, &ans.rr[1]));
	(void)parse_case("txt joined", &info);
	TEST_CHECK(ans.rr[0].nstrings == 3 && ans.rr[1].nstrings == 1 &&
		ans.rr[1].len == 0,
	    "TXT: got %u strings, then %u of %zu octets", ans.rr[0].nstrings,
	    ans.rr[1].nstrings, ans.rr[1].len);
	(void)parse_case("cname chain", &info);
	TEST_CHECK(ans.rr[0].addr[3] == 7 && ans.rr[0].ttl == 50,
	    "chain: got .%u ttl %u, want .7 ttl 50", ans.rr[0].addr[3],
	    (unsigned)ans.rr[0].ttl);
	(void)parse_case("many", &info);
	TEST_CHECK(ans.truncated, "65 records: not marked truncated");
	(void)parse_case("nodata no soa", &info);
	TEST_CHECK(!info.ttl_known, "no SOA: the TTL should be unknown");
}

/* test_reply_prefixes - every cut of a good reply is refused, safely */
static void
test_reply_prefixes(void)
{
	struct dns_reply info;
	size_t n, full;
	enum dns_status s;

	(void)parse_case("mx compressed", &info);
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

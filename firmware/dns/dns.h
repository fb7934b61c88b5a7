/*
 * dns.h - the DNS interface of all sender-authentication code.
 *
 * A resolver is a small table of function pointers (STYLE.md item 8) and
 * an opaque context.  Backends: dns_zone.c answers from an RFC 1035 master
 * file (tests and `sekimori-check --zone`); dns_live.c is the live
 * asynchronous resolver of the relay (c-ares on the event loop, replies
 * parsed by dns_reply.c, answers cached).
 *
 * Ownership: the caller owns every struct dns_answer and the resolver's
 * context.  A backend writes answers into the caller's struct and keeps no
 * pointer to it after the query completed.  Nothing here allocates.
 *
 * Asynchronous backends: dns_query() either completes at once (any status
 * except DNS_PENDING; the answer is in *ans and the callback is NOT called)
 * or returns DNS_PENDING and later calls done(arg, ans) exactly once, unless
 * the query was cancelled first.  Evaluators that are written as straight
 * code (spf.c) stop with a "pending" outcome and are re-run when the answer
 * arrived: the live backend keeps answered queries in its cache, so a re-run
 * replays them in the same order and goes one step further each time.
 * Evaluations are deterministic given the answers, so this is exact.
 */
#ifndef SK_DNS_H
#define SK_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define DNS_NAME_MAX 255      /* RFC 1035 2.3.4: octets of a name on the wire */
#define DNS_LABEL_MAX 63      /* RFC 1035 2.3.4: octets of one label */
#define DNS_TEXT_NAME_MAX 253 /* presentation form without the root dot */
#define DNS_CSTRING_MAX 255   /* RFC 1035 3.3: one <character-string> */
#define DNS_ANSWER_RR_MAX 64  /* local limit: records kept per answer */
#define DNS_ANSWER_DATA_MAX 16384 /* local limit: octets of names and text */
#define DNS_CNAME_MAX 8 /* local limit: CNAME chain length (RFC 1034 3.6.2) */

/* query types, with their RFC 1035 / RFC 3596 type codes */
enum dns_type {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
};

enum dns_status {
	DNS_ANSWER = 0, /* one or more records in the answer */
	DNS_NXDOMAIN,   /* RCODE 3: the name does not exist */
	DNS_NODATA,     /* the name exists, no record of this type */
	DNS_SERVFAIL,   /* RCODE 2 or another failure of the resolver */
	DNS_TIMEOUT,    /* no answer in time */
	DNS_PENDING, /* asynchronous: the answer comes through the callback */
	DNS_STATUS_COUNT,
};

/*
 * One resource record of an answer.  Names (MX exchange, PTR, CNAME) and
 * TXT data live in the answer's data area: TXT character-strings are
 * concatenated without separators (RFC 7208 3.3, RFC 6376 3.6.2.2), names
 * are in presentation form without the trailing dot.  data[off + len] is
 * always NUL, so text can be used as a C string when it holds no NUL.
 */
struct dns_rr {
	enum dns_type type;
	uint32_t ttl;      /* seconds; 0 where the backend has none (zone) */
	uint16_t pref;     /* MX preference */
	uint16_t nstrings; /* TXT: number of character-strings */
	size_t off;        /* into dns_answer.data */
	size_t len;
	uint8_t addr[16]; /* A: 4 octets, AAAA: 16 octets */
};

struct dns_answer {
	enum dns_status status;
	size_t nrr;
	struct dns_rr rr[DNS_ANSWER_RR_MAX];
	int truncated; /* records beyond the local limits were dropped */
	size_t used;
	uint8_t data[DNS_ANSWER_DATA_MAX];
};

typedef void (*dns_done_fn)(void *arg, struct dns_answer *ans);

struct dns_resolver_ops {
	const char *name;
	/* query - look up (name, type), following CNAMEs; see the top */
	enum dns_status (*query)(void *ctx, const char *name,
	    enum dns_type type, struct dns_answer *ans, dns_done_fn done,
	    void *arg);
	/* cancel - forget a pending query for ans; NULL for sync backends */
	void (*cancel)(void *ctx, struct dns_answer *ans);
};

struct dns_resolver {
	const struct dns_resolver_ops *ops;
	void *ctx;
};

/* dns_query - ask r; a name that cannot be a DNS name is a SERVFAIL */
enum dns_status dns_query(const struct dns_resolver *r, const char *name,
    enum dns_type type, struct dns_answer *ans, dns_done_fn done, void *arg);

/* dns_answer_reset - empty an answer before a backend fills it */
void dns_answer_reset(struct dns_answer *ans);

/* dns_answer_add - append a record; data (names, text) copied in */
enum sk_result dns_answer_add(struct dns_answer *ans, const struct dns_rr *rr,
    const uint8_t *data, size_t len);

/* dns_rr_text - the record's name or text, NUL-terminated */
const char *dns_rr_text(const struct dns_answer *ans, const struct dns_rr *rr);

/* dns_name_check - SK_OK when name (text form, optional final dot) fits
 * RFC 1035 2.3.4: labels of 1..63 octets, 255 octets on the wire */
enum sk_result dns_name_check(const char *name, size_t len);

/* dns_name_eq - compare two names ASCII case-insensitively, ignoring a
 * final dot on either (RFC 4343) */
int dns_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/* dns_ip4_parse - dotted quad, no leading zeros (RFC 7208 ip4-network) */
enum sk_result dns_ip4_parse(const char *s, size_t len, uint8_t out[4]);

/* dns_ip6_parse - RFC 4291 2.2 text form, with "::" and a final dotted quad */
enum sk_result dns_ip6_parse(const char *s, size_t len, uint8_t out[16]);

#define DNS_IP6_TEXT_MAX 46 /* INET6_ADDRSTRLEN */

/* dns_ip6_format - RFC 5952 text (lower case, longest zero run as "::") */
void dns_ip6_format(const uint8_t a[16], char out[DNS_IP6_TEXT_MAX]);

const char *dns_status_str(enum dns_status s);
const char *dns_type_str(enum dns_type t);

#endif /* SK_DNS_H */

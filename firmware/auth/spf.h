/*
 * spf.h - Sender Policy Framework, RFC 7208: record parser, macro
 * expansion, check_host() and the Received-SPF header.
 *
 * Untrusted input: SPF records and explanation strings from DNS, the
 * envelope (MAIL FROM, HELO) and the client's address.  All of it is
 * handled within the named limits below.
 *
 * Ownership: the caller owns every struct here.  struct spf_ctx holds all
 * the evaluator's working memory (about 130 KiB: allocate it once per
 * session, or use a static one); nothing is allocated, and the evaluator
 * reaches DNS only through the struct dns_resolver it is given.
 *
 * Time: at most SPF_MAX_DNS_TERMS terms cause lookups, each mx or ptr at
 * most SPF_MAX_NAMES more, the "p" macro 11 once per check and exp= one,
 * so a check makes at most about 125 queries; CPU time is linear in the
 * records' length.  The wall clock is the resolver's business (timeouts).
 */
#ifndef SK_SPF_H
#define SK_SPF_H

#include <stddef.h>
#include <stdint.h>

#include "../dns/dns.h"
#include "sk.h"

#define SPF_MAX_DNS_TERMS 10 /* RFC 7208 4.6.4: terms causing DNS queries */
#define SPF_MAX_VOID 2       /* RFC 7208 4.6.4: void lookups */
#define SPF_MAX_NAMES 10     /* RFC 7208 4.6.4: MX or PTR names per term */
#define SPF_DOMAIN_MAX 253   /* RFC 7208 7.3: expanded names cut to 253 */
#define SPF_RECORD_MAX 4096  /* local limit: one SPF record, in octets */
#define SPF_EXPAND_MAX 8192  /* local limit: one macro expansion */
#define SPF_EXP_MAX 1024     /* local limit: explanation kept (RFC 7208 6.2) */
#define SPF_LOCAL_MAX 64     /* RFC 5321 4.5.3.1.1: local-part octets */
#define SPF_SENDER_MAX (SPF_LOCAL_MAX + 1 + SPF_DOMAIN_MAX)
#define SPF_CIDR4_MAX 32         /* RFC 7208 5.6 */
#define SPF_CIDR6_MAX 128        /* RFC 7208 5.6 */
#define SPF_MACRO_DIGITS_MAX 128 /* RFC 7208 7.3: at least 127 parts */
/* include and redirect each count as a DNS term, so this bounds nesting */
#define SPF_DEPTH_MAX (SPF_MAX_DNS_TERMS + 1)

/* RFC 7208 2.6 */
enum spf_result {
	SPF_NONE = 0,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
	SPF_PENDING, /* asynchronous DNS: run again when answered */
	SPF_RESULT_COUNT,
};

/* --- record parser (spf_record.c) ----------------------------------- */

enum spf_term_kind {
	SPF_M_ALL,
	SPF_M_INCLUDE,
	SPF_M_A,
	SPF_M_MX,
	SPF_M_PTR,
	SPF_M_IP4,
	SPF_M_IP6,
	SPF_M_EXISTS,
	SPF_MOD_REDIRECT,
	SPF_MOD_EXP,
	SPF_MOD_UNKNOWN,
};

/* One term; pointers point into the parsed record (never copied). */
struct spf_term {
	enum spf_term_kind kind;
	char qualifier;   /* '+', '-', '~' or '?'; '+' when absent */
	const char *text; /* the whole term, for messages */
	size_t text_len;
	const char *name; /* unknown modifier: its name */
	size_t name_len;
	const char *spec; /* domain-spec or modifier value; NULL: none */
	size_t spec_len;
	unsigned cidr4;   /* a, mx, ip4; SPF_CIDR4_MAX when absent */
	unsigned cidr6;   /* a, mx, ip6; SPF_CIDR6_MAX when absent */
	uint8_t addr[16]; /* ip4: 4 octets, ip6: 16 octets */
};

struct spf_record {
	const uint8_t *buf; /* the record, as given to spf_record_parse */
	size_t len;
	size_t nterms;
	size_t ndns; /* terms that cause DNS queries */
	int has_redirect;
	struct spf_term redirect;
	int has_exp;
	struct spf_term exp;
	const char *err; /* what was wrong, a static string */
	size_t err_pos;  /* offset of the bad term */
};

/* spf_record_is_spf - does a TXT string select as SPF (RFC 7208 4.5)? */
int spf_record_is_spf(const uint8_t *buf, size_t len);

/*
 * spf_record_parse - check a whole record ("v=spf1 ...") against the ABNF
 * of RFC 7208 12 and note its modifiers.  SK_OK or SK_E_SYNTAX (with
 * rec->err), SK_E_RANGE (a CIDR length), SK_E_TOO_LONG (SPF_RECORD_MAX).
 */
enum sk_result spf_record_parse(const uint8_t *buf, size_t len,
    struct spf_record *rec);

/*
 * spf_record_next - the next term of a parsed record after *pos (start
 * with *pos = 0).  SK_OK with *t filled, SK_END after the last term.
 */
enum sk_result spf_record_next(const struct spf_record *rec, size_t *pos,
    struct spf_term *t);

/* --- macros (spf_macro.c) ------------------------------------------- */

/* Values of the macro letters of RFC 7208 7.2, as NUL-terminated text. */
struct spf_macro_vars {
	const char *s, *l, *o, *d, *h, *r, *c, *i, *v;
	const char *t;
	/* p is found lazily (RFC 7208 5.5 procedure, costly) */
	const char *(*p)(void *arg);
	void *parg;
};

/* spf_macro_check - is buf a macro-string (domain-spec: exp_text == 0,
 * explain-string: exp_text == 1, allowing c, r, t and spaces)? */
enum sk_result spf_macro_check(const char *buf, size_t len, int exp_text);

/*
 * spf_macro_expand - expand macro-string buf (RFC 7208 7.3, 7.4) into out,
 * NUL-terminated.  SK_OK, SK_E_SYNTAX, or SK_E_TOO_LONG when out is full.
 */
enum sk_result spf_macro_expand(const struct spf_macro_vars *mv,
    const char *buf, size_t len, int exp_text, char *out, size_t outsz,
    size_t *outlen);

/* --- evaluation (spf.c) --------------------------------------------- */

enum spf_identity {
	SPF_ID_MAILFROM, /* RFC 7208 2.4 */
	SPF_ID_HELO,     /* RFC 7208 2.3 */
};

struct spf_request {
	enum spf_identity identity;
	int af;                  /* 4 or 6 */
	uint8_t ip[16];          /* 4 or 16 octets */
	const char *helo;        /* HELO/EHLO argument */
	const char *mail_from;   /* reverse-path without <>; "" = null */
	const char *receiver;    /* %{r}; NULL: "unknown" */
	const char *default_exp; /* macro-string; NULL: SPF_DEFAULT_EXP */
	uint64_t now;            /* %{t}: seconds since the epoch */
};

#define SPF_DEFAULT_EXP \
	"%{o} has not authorized %{c} to send mail (see RFC 7208)"

#define SPF_REASON_MAX 512

struct spf_outcome {
	enum spf_result result;
	char domain[SPF_DOMAIN_MAX + 1]; /* the domain checked first */
	char sender[SPF_SENDER_MAX + 1]; /* the identity, local@domain */
	char explanation[SPF_EXP_MAX];   /* fail: exp= text or the default */
	int exp_default;             /* the explanation is the default one */
	char reason[SPF_REASON_MAX]; /* why, for logs and the header */
	char mechanism[128];         /* the term that matched, if any */
	unsigned dns_terms;          /* terms that caused lookups */
	unsigned void_lookups;
};

struct spf_level {
	char domain[SPF_DOMAIN_MAX + 1];
	uint8_t record[SPF_RECORD_MAX];
	size_t record_len;
};

struct spf_ctx {
	const struct dns_resolver *dns;
	const struct spf_request *req;
	struct spf_outcome *out;
	unsigned dns_terms;
	unsigned void_lookups;
	int pending;           /* some query answered DNS_PENDING */
	enum spf_result abort; /* why a mechanism stopped the check */
	size_t exp_level;      /* the record whose exp= applies */
	int af;                /* 4 or 6, IPv4-mapped IPv6 made 4 */
	uint8_t req_ip[16];
	const char *cur_domain; /* <domain> of the macro values */
	int bad_identity;       /* local-part or domain over its limit */
	char local[SPF_LOCAL_MAX + 1];
	char sdomain[SPF_DOMAIN_MAX + 1];
	char sender[SPF_SENDER_MAX + 1];
	char ip_dotted[80];             /* %{i} */
	char ip_text[DNS_IP6_TEXT_MAX]; /* %{c} */
	char reverse_name[80];          /* in-addr.arpa or ip6.arpa name */
	char now_text[24];              /* %{t} */
	int p_done;                     /* p_names are known */
	size_t p_count;
	char p_names[SPF_MAX_NAMES][SPF_DOMAIN_MAX + 1]; /* %{p} */
	char target[SPF_DOMAIN_MAX + 1]; /* the term's expanded domain */
	struct dns_answer ans;           /* the term's own query */
	struct dns_answer ans2; /* address queries per MX or PTR name */
	char expand[SPF_EXPAND_MAX];
	char exp_text[SPF_EXPAND_MAX];
	struct spf_level level[SPF_DEPTH_MAX];
};

/*
 * spf_check - check_host() (RFC 7208 4) for the request's identity.
 * Returns the result, also in out->result; SPF_PENDING only with an
 * asynchronous resolver (see dns.h).
 */
enum spf_result spf_check(struct spf_ctx *ctx, const struct dns_resolver *dns,
    const struct spf_request *req, struct spf_outcome *out);

/* spf_result_str - the result word of RFC 7208 2.6 */
const char *spf_result_str(enum spf_result r);

/*
 * spf_received_header - format "Received-SPF: ..." (RFC 7208 9.1) into
 * buf, NUL-terminated, without the final CRLF; each key-value pair is
 * folded onto its own line (CRLF TAB).  receiver may be NULL.  Returns
 * the length, or 0 when buf is too small.
 */
size_t spf_received_header(const struct spf_outcome *out,
    const struct spf_request *req, const char *receiver, char *buf,
    size_t bufsz);

#endif /* SK_SPF_H */

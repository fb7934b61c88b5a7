/*
 * dmarc.h - DMARC, RFC 7489 (with np of RFC 9091): the RFC 5322 From
 * domain, policy discovery through the resolver interface, identifier
 * alignment of SPF and DKIM results, the result and the policy to apply.
 *
 * Untrusted input: the message header section, DMARC records from DNS,
 * the identifiers that SPF and DKIM checked.  All bounded by the named
 * limits below and in dmarc_record.h and psl.h.
 *
 * Ownership: the caller owns every struct.  struct dmarc_ctx holds the
 * evaluator's working memory (two DNS answers, about 35 KiB); the
 * outcome's record points into ctx->ans, so keep ctx while the outcome's
 * URIs are used.  Nothing allocates; DNS is reached only through the
 * struct dns_resolver given.  Library code: results only, no logging.
 *
 * Asynchronous resolvers: dmarc_check() returns DMARC_PENDING when a query
 * answered DNS_PENDING; run it again once the answer arrived (the pattern
 * of spf_check(), see ../dns/dns.h).
 */
#ifndef SK_DMARC_H
#define SK_DMARC_H

#include <stddef.h>
#include <stdint.h>

#include "../dns/dns.h"
#include "dmarc_record.h"
#include "psl.h"
#include "spf.h"
#include "sk.h"

#define DMARC_DOMAIN_MAX 253       /* RFC 1035 2.3.4, text form */
#define DMARC_COMMENT_DEPTH_MAX 32 /* local limit: nested comments */
#define DMARC_DKIM_MAX 32          /* local limit: DKIM results considered */
#define DMARC_REASON_MAX 256
#define DMARC_PREFIX "_dmarc." /* RFC 7489 6.1 */

/* --- the From domain (dmarc_from.c) -------------------------------- */

enum dmarc_from_status {
	DMARC_FROM_OK = 0,     /* one From field, one mailbox: domain set */
	DMARC_FROM_NONE,       /* no From field */
	DMARC_FROM_FIELDS,     /* more than one From field (RFC 5322 3.6) */
	DMARC_FROM_NO_ADDRESS, /* no mailbox (empty value, empty group) */
	DMARC_FROM_ADDRESSES,  /* more than one mailbox */
	DMARC_FROM_SYNTAX,     /* not an RFC 5322 3.4 address list */
	DMARC_FROM_DOMAIN,     /* a domain literal or not a DNS name */
	DMARC_FROM_COUNT,
};

struct dmarc_from {
	enum dmarc_from_status status;
	size_t nfields; /* From fields seen */
	size_t naddrs;  /* mailboxes in the (first) From field */
	char domain[DMARC_DOMAIN_MAX + 1]; /* ASCII lowered, U-labels kept */
	size_t err_pos; /* offset of the problem in the input */
};

/*
 * dmarc_from_parse - the RFC5322.From domain of a message's header
 * section (buf may hold the whole message: scanning stops at the first
 * empty line).  Lines end in CRLF or LF.  Returns out->status.
 */
enum dmarc_from_status dmarc_from_parse(const uint8_t *buf, size_t len,
    struct dmarc_from *out);

/* dmarc_from_value - the same for one From field body (after "From:") */
enum dmarc_from_status dmarc_from_value(const uint8_t *buf, size_t len,
    struct dmarc_from *out);

const char *dmarc_from_status_str(enum dmarc_from_status s);

/* --- alignment (dmarc.c) -------------------------------------------- */

/*
 * dmarc_aligned - RFC 7489 3.1: are the identifiers a and b in strict
 * (equal) or relaxed (same organizational domain) alignment?  Names are
 * compared in A-label form, ASCII case-insensitively, a final dot
 * ignored; a name that is no valid DNS name is aligned with nothing.
 * t NULL: psl_default_table.
 */
int dmarc_aligned(const struct psl_table *t, const char *a, size_t alen,
    const char *b, size_t blen, int strict);

/* --- evaluation (dmarc.c) ------------------------------------------- */

enum dmarc_result {
	DMARC_NONE = 0, /* no policy (RFC 7489 6.6.3) */
	DMARC_PASS,
	DMARC_FAIL,
	DMARC_TEMPERROR, /* DNS failed during policy discovery */
	DMARC_PERMERROR, /* no usable From domain (see dmarc_from) */
	DMARC_PENDING,   /* asynchronous DNS: run again when answered */
	DMARC_RESULT_COUNT,
};

/* a DKIM signature's result, as the verifier reports it */
enum dmarc_dkim_result {
	DMARC_DKIM_NONE = 0,
	DMARC_DKIM_PASS,
	DMARC_DKIM_FAIL,
	DMARC_DKIM_NEUTRAL,
	DMARC_DKIM_POLICY,
	DMARC_DKIM_TEMPERROR,
	DMARC_DKIM_PERMERROR,
};

struct dmarc_dkim {
	const char *domain; /* the signature's d= */
	enum dmarc_dkim_result result;
};

struct dmarc_request {
	const char *from_domain; /* dmarc_from.domain of a DMARC_FROM_OK */
	enum spf_result spf;     /* SPF's result for spf_domain */
	const char *spf_domain;  /* MAIL FROM domain, or HELO for <>
				  * (RFC 7489 4.1); NULL: none */
	const struct dmarc_dkim *dkim;
	size_t ndkim; /* beyond DMARC_DKIM_MAX are ignored */
	/* pct sampling: a uniform 32-bit value; NULL: no sampling, the
	 * policy applies to every failing message (as with pct=100) */
	uint32_t (*random)(void *arg);
	void *random_arg;
	const struct psl_table *psl; /* NULL: psl_default_table */
};

struct dmarc_outcome {
	enum dmarc_result result;
	enum dmarc_policy policy;      /* the published p, sp or np that
					* applies to this From domain */
	unsigned policy_tag;           /* DMARC_TAG_P, _SP or _NP */
	enum dmarc_policy disposition; /* to do: none on pass, else policy
					* after pct sampling */
	int sampled_out;  /* pct left this one out: one step milder */
	int spf_aligned;  /* SPF passed for an aligned domain */
	int dkim_aligned; /* some DKIM pass for an aligned d= */
	int rua_fallback; /* p or sp invalid, rua valid: as p=none */
	int nonexistent;  /* the From domain does not exist (RFC 9091) */
	char from_domain[DMARC_DOMAIN_MAX + 1]; /* A-label form */
	char org_domain[DMARC_DOMAIN_MAX + 1];
	char policy_domain[DMARC_DOMAIN_MAX + 1]; /* where the record was */
	char dkim_domain[DMARC_DOMAIN_MAX + 1];   /* the aligned d=, if any */
	struct dmarc_record rec; /* the record (URIs into ctx->ans) */
	char reason[DMARC_REASON_MAX];
};

struct dmarc_ctx {
	struct dns_answer ans;  /* the TXT answer of the record */
	struct dns_answer ans2; /* existence checks (np) */
	char qname[DNS_NAME_MAX + 1];
};

/*
 * dmarc_check - RFC 7489 6.6.2, 6.6.3, 6.6.4 for one message whose From
 * domain is known.  Returns the result, also in out->result.
 */
enum dmarc_result dmarc_check(struct dmarc_ctx *ctx,
    const struct dns_resolver *dns, const struct dmarc_request *req,
    struct dmarc_outcome *out);

/* dmarc_result_str - the result word (RFC 8601 2.7.1 uses the same) */
const char *dmarc_result_str(enum dmarc_result r);

const char *dmarc_dkim_result_str(enum dmarc_dkim_result r);

#endif /* SK_DMARC_H */

/*
 * dmarc.c - DMARC evaluation (RFC 7489 6.6): identifier alignment (3.1),
 * policy discovery (6.6.3), the result and the policy to apply, with sp
 * (6.3), np (RFC 9091 4) and pct sampling (6.6.4).
 *
 * Untrusted input: DMARC records through the resolver, the identifiers
 * given.  All state lives in the caller's struct dmarc_ctx; straight-line
 * code that returns DMARC_PENDING and is re-run, as spf.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dmarc.h"

static const char *const dmarc_result_names[DMARC_RESULT_COUNT] = {
	[DMARC_NONE] = "none",
	[DMARC_PASS] = "pass",
	[DMARC_FAIL] = "fail",
	[DMARC_TEMPERROR] = "temperror",
	[DMARC_PERMERROR] = "permerror",
	[DMARC_PENDING] = "pending",
};

/* dmarc_result_str - the result word */
const char *
dmarc_result_str(enum dmarc_result r)
{
	if ((unsigned)r >= DMARC_RESULT_COUNT) {
		return "permerror";
	}
	return dmarc_result_names[r];
}

/* dmarc_dkim_result_str - the DKIM result word (RFC 8601 2.7.1) */
const char *
dmarc_dkim_result_str(enum dmarc_dkim_result r)
{
	static const char *const names[] = { "none", "pass", "fail", "neutral",
		"policy", "temperror", "permerror" };

	if ((unsigned)r >= SK_NELEM(names)) {
		return "permerror";
	}
	return names[r];
}

static void dmarc_why(struct dmarc_outcome *out, const char *fmt, ...)
    SK_PRINTF(2, 3);

/* dmarc_why - the reason, printable ASCII only (it goes to logs) */
static void
dmarc_why(struct dmarc_outcome *out, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	for (p = out->reason; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			*p = '?';
		}
	}
}

/* dmarc_org - the organizational domain of an A-label name; the name
 * itself when it is a public suffix (RFC 7489 3.2 has nothing else) */
static enum sk_result
dmarc_org(const struct psl_table *t, const char *name, char *out, size_t cap)
{
	enum sk_result r;

	r = psl_org_domain_table(t, name, strlen(name), 0, out, cap);
	return r == SK_END ? SK_OK : r;
}

/* dmarc_aligned - RFC 7489 3.1.1, 3.1.2; see dmarc.h */
int
dmarc_aligned(const struct psl_table *t, const char *a, size_t alen,
    const char *b, size_t blen, int strict)
{
	char aa[PSL_NAME_MAX + 1], ba[PSL_NAME_MAX + 1];
	char ao[PSL_NAME_MAX + 1], bo[PSL_NAME_MAX + 1];

	if (t == NULL) {
		t = &psl_default_table;
	}
	if (psl_alabel(a, alen, aa, sizeof(aa), NULL) != SK_OK ||
	    psl_alabel(b, blen, ba, sizeof(ba), NULL) != SK_OK) {
		return 0;
	}
	if (strict) {
		return strcmp(aa, ba) == 0;
	}
	if (dmarc_org(t, aa, ao, sizeof(ao)) != SK_OK ||
	    dmarc_org(t, ba, bo, sizeof(bo)) != SK_OK) {
		return 0;
	}
	return strcmp(ao, bo) == 0;
}

/* how policy discovery at one name ended */
enum dmarc_found {
	DMARC_FOUND,     /* one record, in ctx->ans at *idx */
	DMARC_NOT_FOUND, /* no DMARC record: go on */
	DMARC_MULTIPLE,  /* more than one: no DMARC (6.6.3 step 6) */
	DMARC_DNS_ERROR,
	DMARC_DNS_PENDING,
};

/* dmarc_fetch - the DMARC records of _dmarc.<domain> (RFC 7489 6.6.3) */
static enum dmarc_found
dmarc_fetch(struct dmarc_ctx *ctx, const struct dns_resolver *dns,
    const char *domain, size_t *idx)
{
	enum dns_status s;
	size_t i, n = 0;

	snprintf(ctx->qname, sizeof(ctx->qname), "%s%s", DMARC_PREFIX, domain);
	s = dns_query(dns, ctx->qname, DNS_T_TXT, &ctx->ans, NULL, NULL);
	if (s == DNS_PENDING) {
		return DMARC_DNS_PENDING;
	}
	if (s == DNS_SERVFAIL || s == DNS_TIMEOUT) {
		return DMARC_DNS_ERROR;
	}
	if (s != DNS_ANSWER) {
		return DMARC_NOT_FOUND;
	}
	for (i = 0; i < ctx->ans.nrr; i++) {
		const struct dns_rr *rr = &ctx->ans.rr[i];

		/* step 4: only records that start with v=DMARC1 count */
		if (rr->type == DNS_T_TXT &&
		    dmarc_record_is_dmarc(ctx->ans.data + rr->off, rr->len)) {
			*idx = i;
			n++;
		}
	}
	return n == 0 ? DMARC_NOT_FOUND : n == 1 ? DMARC_FOUND : DMARC_MULTIPLE;
}

/* dmarc_nonexistent - RFC 9091 2.1: NXDOMAIN or NODATA for A, AAAA and
 * MX.  1, 0 (exists), -1 (DNS error: unknown), -2 (pending) */
static int
dmarc_nonexistent(struct dmarc_ctx *ctx, const struct dns_resolver *dns,
    const char *domain)
{
	static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_MX };
	enum dns_status s;
	size_t i;

	for (i = 0; i < SK_NELEM(types); i++) {
		s = dns_query(dns, domain, types[i], &ctx->ans2, NULL, NULL);
		if (s == DNS_PENDING) {
			return -2;
		}
		if (s == DNS_ANSWER) {
			return 0;
		}
		if (s != DNS_NXDOMAIN && s != DNS_NODATA) {
			return -1;
		}
	}
	return 1;
}

/* dmarc_align_all - RFC 7489 4.2: is SPF or some DKIM pass aligned? */
static void
dmarc_align_all(const struct dmarc_request *req, struct dmarc_outcome *out)
{
	const struct psl_table *t = req->psl;
	const char *f = out->from_domain;
	size_t i, n = req->ndkim < DMARC_DKIM_MAX ? req->ndkim : DMARC_DKIM_MAX;

	out->spf_aligned = req->spf == SPF_PASS && req->spf_domain != NULL &&
	    dmarc_aligned(t, req->spf_domain, strlen(req->spf_domain), f,
		strlen(f), out->rec.aspf_strict);
	for (i = 0; i < n && req->dkim != NULL; i++) {
		const struct dmarc_dkim *d = &req->dkim[i];

		if (d->result != DMARC_DKIM_PASS || d->domain == NULL ||
		    !dmarc_aligned(t, d->domain, strlen(d->domain), f,
			strlen(f), out->rec.adkim_strict)) {
			continue;
		}
		out->dkim_aligned = 1;
		(void)psl_alabel(d->domain, strlen(d->domain), out->dkim_domain,
		    sizeof(out->dkim_domain), NULL);
		break;
	}
}

/* dmarc_milder - RFC 7489 6.6.4: the next policy lower in strength */
static enum dmarc_policy
dmarc_milder(enum dmarc_policy p)
{
	return p == DMARC_P_REJECT ? DMARC_P_QUARANTINE : DMARC_P_NONE;
}

/* dmarc_sample - RFC 7489 6.6.4 pct: apply the policy to pct% */
static void
dmarc_sample(const struct dmarc_request *req, struct dmarc_outcome *out)
{
	uint32_t pick;

	out->disposition = out->policy;
	if (out->policy == DMARC_P_NONE || out->rec.pct >= DMARC_PCT_MAX ||
	    req->random == NULL) {
		return;
	}
	/* a uniform 0..99 from 32 random bits, without modulo bias */
	pick = (uint32_t)(((uint64_t)req->random(req->random_arg) * 100) >> 32);
	if (pick >= out->rec.pct) {
		out->sampled_out = 1;
		out->disposition = dmarc_milder(out->policy);
	}
}

/* dmarc_use_record - RFC 7489 6.6.3 for the one record found: 0, or -1
 * when the record gives no DMARC policy */
static int
dmarc_use_record(struct dmarc_ctx *ctx, size_t idx, struct dmarc_outcome *out)
{
	const struct dns_rr *rr = &ctx->ans.rr[idx];
	struct dmarc_record *rec = &out->rec;
	enum sk_result r;

	r = dmarc_record_parse(ctx->ans.data + rr->off, rr->len, rec);
	if (r == SK_OK) {
		return 0;
	}
	if (r == SK_E_TOO_LONG) {
		dmarc_why(out, "%s: record over %d octets", ctx->qname,
		    DMARC_RECORD_MAX);
		return -1;
	}
	/* 6.6.3: an invalid or absent p, or an invalid sp: with a valid rua,
	 * act as if "v=DMARC1; p=none" was found; else no DMARC */
	if (!(rec->have & DMARC_TAG_P) ||
	    (rec->bad & (DMARC_TAG_P | DMARC_TAG_SP))) {
		if (rec->nrua == 0) {
			dmarc_why(out, "%s: %s, no valid rua: no policy",
			    ctx->qname, rec->err);
			return -1;
		}
		rec->p = rec->sp = rec->np = DMARC_P_NONE;
		out->rua_fallback = 1;
		return 0;
	}
	/* 6.3: other syntax errors fall back to the tags' defaults, which
	 * dmarc_record_parse has put in their place */
	return 0;
}

/*
 * dmarc_discover - RFC 7489 6.6.3: the record of the From domain, else
 * of its organizational domain.  Returns DMARC_FAIL to mean "found, go
 * on", or the final result.
 */
static enum dmarc_result
dmarc_discover(struct dmarc_ctx *ctx, const struct dns_resolver *dns,
    struct dmarc_outcome *out)
{
	const char *at[2] = { out->from_domain, out->org_domain };
	size_t k, idx = 0;
	enum dmarc_found f = DMARC_NOT_FOUND;

	for (k = 0; k < 2; k++) {
		if (k == 1 && strcmp(at[0], at[1]) == 0) {
			break;
		}
		f = dmarc_fetch(ctx, dns, at[k], &idx);
		if (f != DMARC_NOT_FOUND) {
			break;
		}
	}
	switch (f) {
	case DMARC_DNS_PENDING:
		return DMARC_PENDING;
	case DMARC_DNS_ERROR:
		dmarc_why(out, "%s: DNS failure", ctx->qname);
		return DMARC_TEMPERROR;
	case DMARC_MULTIPLE:
		dmarc_why(out, "%s: more than one DMARC record", ctx->qname);
		return DMARC_NONE;
	case DMARC_NOT_FOUND:
		dmarc_why(out, "no DMARC record for %s", out->from_domain);
		return DMARC_NONE;
	case DMARC_FOUND:
		break;
	}
	memcpy(out->policy_domain, at[k], strlen(at[k]) + 1);
	if (dmarc_use_record(ctx, idx, out) != 0) {
		return DMARC_NONE;
	}
	return DMARC_FAIL;
}

/* dmarc_policy - p, sp or np (RFC 7489 6.3, RFC 9091 4.1) for a fail */
static enum dmarc_result
dmarc_policy(struct dmarc_ctx *ctx, const struct dns_resolver *dns,
    struct dmarc_outcome *out, int failed)
{
	const struct dmarc_record *rec = &out->rec;
	int ne;

	if (strcmp(out->policy_domain, out->from_domain) == 0) {
		out->policy = rec->p;
		out->policy_tag = DMARC_TAG_P;
		return DMARC_FAIL;
	}
	out->policy = rec->sp;
	out->policy_tag = DMARC_TAG_SP;
	if (!failed || rec->np == rec->sp) {
		return DMARC_FAIL; /* np cannot change what happens */
	}
	ne = dmarc_nonexistent(ctx, dns, out->from_domain);
	if (ne == -2) {
		return DMARC_PENDING;
	}
	if (ne == 1) {
		out->nonexistent = 1;
		out->policy = rec->np;
		out->policy_tag = DMARC_TAG_NP;
	} else if (ne == -1 && rec->np > rec->sp) {
		/* existence unknown (DNS error): the stricter of the two */
		out->policy = rec->np;
		out->policy_tag = DMARC_TAG_NP;
	}
	return DMARC_FAIL;
}

static enum dmarc_result
dmarc_done(struct dmarc_outcome *out, enum dmarc_result r)
{
	return out->result = r;
}

/* dmarc_check - see dmarc.h */
enum dmarc_result
dmarc_check(struct dmarc_ctx *ctx, const struct dns_resolver *dns,
    const struct dmarc_request *req, struct dmarc_outcome *out)
{
	const struct psl_table *t = req->psl ? req->psl : &psl_default_table;
	enum dmarc_result r;
	int failed;

	memset(out, 0, sizeof(*out));
	if (req->from_domain == NULL ||
	    psl_alabel(req->from_domain, strlen(req->from_domain),
		out->from_domain, sizeof(out->from_domain), NULL) != SK_OK ||
	    dmarc_org(t, out->from_domain, out->org_domain,
		sizeof(out->org_domain)) != SK_OK) {
		dmarc_why(out, "no valid From domain");
		return dmarc_done(out, DMARC_PERMERROR);
	}
	if ((r = dmarc_discover(ctx, dns, out)) != DMARC_FAIL) {
		return dmarc_done(out, r);
	}
	dmarc_align_all(req, out);
	failed = !out->spf_aligned && !out->dkim_aligned;
	if ((r = dmarc_policy(ctx, dns, out, failed)) == DMARC_PENDING) {
		return dmarc_done(out, r);
	}
	if (!failed) {
		out->disposition = DMARC_P_NONE;
		dmarc_why(out, "aligned %s pass (%s)",
		    out->dkim_aligned ? "DKIM" : "SPF",
		    out->dkim_aligned ? out->dkim_domain : req->spf_domain);
		return dmarc_done(out, DMARC_PASS);
	}
	dmarc_sample(req, out);
	dmarc_why(out, "no aligned SPF or DKIM pass for %s (%s=%s%s)",
	    out->from_domain,
	    out->policy_tag == DMARC_TAG_P      ? "p" :
		out->policy_tag == DMARC_TAG_SP ? "sp" :
						  "np",
	    dmarc_policy_str(out->policy),
	    out->sampled_out ? ", left out by pct" : "");
	return dmarc_done(out, DMARC_FAIL);
}

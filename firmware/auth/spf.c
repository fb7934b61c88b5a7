/*
 * spf.c - check_host() of RFC 7208: record selection, mechanisms,
 * modifiers, limits, explanation, and the Received-SPF header.
 *
 * Untrusted input: SPF and explanation records fetched through the
 * resolver, the envelope and the client address.  All state lives in the
 * caller's struct spf_ctx; the DNS is reached only through ctx->dns.
 * Library code: no logging, results only (STYLE.md item 6).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spf.h"

/* outcome of one mechanism */
enum spf_match {
	SPF_NOMATCH,
	SPF_MATCH,
	SPF_ABORT, /* ctx->abort holds temperror, permerror or pending */
};

static const char *const spf_result_names[SPF_RESULT_COUNT] = {
	[SPF_NONE] = "none",
	[SPF_NEUTRAL] = "neutral",
	[SPF_PASS] = "pass",
	[SPF_FAIL] = "fail",
	[SPF_SOFTFAIL] = "softfail",
	[SPF_TEMPERROR] = "temperror",
	[SPF_PERMERROR] = "permerror",
	[SPF_PENDING] = "pending",
};

/* spf_result_str - the result word of RFC 7208 2.6 */
const char *
spf_result_str(enum spf_result r)
{
	if ((unsigned)r >= SPF_RESULT_COUNT) {
		return "permerror";
	}
	return spf_result_names[r];
}

static void spf_why(struct spf_ctx *ctx, const char *fmt, ...) SK_PRINTF(2, 3);

/* spf_why - keep the first reason given (the cause, not its echoes) */
static void
spf_why(struct spf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (ctx->out->reason[0] != '\0') {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(ctx->out->reason, sizeof(ctx->out->reason), fmt, ap);
	va_end(ap);
	/* record text from DNS goes to logs and headers: printable only */
	for (p = ctx->out->reason; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			*p = '?';
		}
	}
}

/* spf_abort - record an error result, its reason, and abort */
static enum spf_match
spf_abort(struct spf_ctx *ctx, enum spf_result r, const char *what,
    const char *where)
{
	ctx->abort = r;
	spf_why(ctx, "%s: %s", what, where);
	return SPF_ABORT;
}

/* spf_dns - one query; DNS_PENDING marks the context pending */
static enum dns_status
spf_dns(struct spf_ctx *ctx, const char *name, enum dns_type type,
    struct dns_answer *ans)
{
	enum dns_status s;

	s = dns_query(ctx->dns, name, type, ans, NULL, NULL);
	if (s == DNS_PENDING) {
		ctx->pending = 1;
	}
	return s;
}

/* spf_dns_error - the status is a failure of the DNS (RFC 7208 5) */
static int
spf_dns_error(enum dns_status s)
{
	return s == DNS_SERVFAIL || s == DNS_TIMEOUT || s == DNS_PENDING;
}

/* spf_dns_abort - temperror (or pending) for a failed query */
static enum spf_match
spf_dns_abort(struct spf_ctx *ctx, enum dns_status s, const char *name)
{
	if (s == DNS_PENDING) {
		ctx->abort = SPF_PENDING;
		return SPF_ABORT;
	}
	return spf_abort(ctx, SPF_TEMPERROR, "DNS failure", name);
}

/* spf_void - RFC 7208 4.6.4: count a lookup with no answer */
static enum spf_match
spf_void(struct spf_ctx *ctx, const char *name)
{
	if (++ctx->void_lookups > SPF_MAX_VOID) {
		return spf_abort(ctx, SPF_PERMERROR, "more than 2 void lookups",
		    name);
	}
	return SPF_NOMATCH;
}

/* spf_ip_match - does addr (of the client's family) cover the client? */
static int
spf_ip_match(const struct spf_ctx *ctx, const uint8_t *addr, unsigned cidr)
{
	const uint8_t *ip = ctx->req_ip;
	unsigned full = cidr / 8, rest = cidr % 8;
	uint8_t mask;

	if (memcmp(ip, addr, full) != 0) {
		return 0;
	}
	if (rest == 0) {
		return 1;
	}
	mask = (uint8_t)(0xff << (8 - rest));
	return (ip[full] & mask) == (addr[full] & mask);
}

static enum dns_type
spf_addr_type(const struct spf_ctx *ctx)
{
	return ctx->af == 4 ? DNS_T_A : DNS_T_AAAA;
}

/* spf_answer_has_ip - some address record of ans covers the client */
static int
spf_answer_has_ip(const struct spf_ctx *ctx, const struct dns_answer *ans,
    unsigned cidr)
{
	size_t i;

	for (i = 0; i < ans->nrr; i++) {
		if (ans->rr[i].type == spf_addr_type(ctx) &&
		    spf_ip_match(ctx, ans->rr[i].addr, cidr)) {
			return 1;
		}
	}
	return 0;
}

/* spf_subdomain - is name equal to domain or below it (RFC 7208 5.5)? */
static int
spf_subdomain(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n > 0 && name[n - 1] == '.') {
		n--;
	}
	if (d > 0 && domain[d - 1] == '.') {
		d--;
	}
	if (n < d) {
		return 0;
	}
	if (!dns_name_eq(name + n - d, d, domain, d)) {
		return 0;
	}
	return n == d || name[n - d - 1] == '.';
}

/*
 * spf_ptr_names - RFC 7208 5.5: the client's validated names.  Calls
 * fn(arg, name) for each (at most SPF_MAX_NAMES PTR names are tried; DNS
 * errors skip a name) until fn returns nonzero.  Returns that value, or
 * 0; -1 when a query is pending.  Uses ctx->ans and ctx->ans2.
 */
static int
spf_ptr_names(struct spf_ctx *ctx, int (*fn)(void *, const char *), void *arg,
    enum dns_status *ptr_status)
{
	size_t i, n;
	enum dns_status s;
	int r;

	s = spf_dns(ctx, ctx->reverse_name, DNS_T_PTR, &ctx->ans);
	*ptr_status = s;
	if (s == DNS_PENDING) {
		return -1;
	}
	if (s != DNS_ANSWER) {
		return 0;
	}
	/* RFC 7208 4.6.4: names beyond the first 10 MUST be ignored */
	n = 0;
	for (i = 0; i < ctx->ans.nrr && n < SPF_MAX_NAMES; i++) {
		const char *name = dns_rr_text(&ctx->ans, &ctx->ans.rr[i]);

		if (ctx->ans.rr[i].type != DNS_T_PTR) {
			continue;
		}
		n++;
		s = spf_dns(ctx, name, spf_addr_type(ctx), &ctx->ans2);
		if (s == DNS_PENDING) {
			return -1;
		}
		if (s != DNS_ANSWER ||
		    !spf_answer_has_ip(ctx, &ctx->ans2,
			ctx->af == 4 ? 32 : 128)) {
			continue;
		}
		if ((r = fn(arg, name)) != 0) {
			return r;
		}
	}
	return 0;
}

/* spf_keep_p - remember one validated name for the "p" macro */
static int
spf_keep_p(void *arg, const char *name)
{
	struct spf_ctx *ctx = arg;
	size_t n = strlen(name);

	if (n <= SPF_DOMAIN_MAX && ctx->p_count < SPF_MAX_NAMES) {
		memcpy(ctx->p_names[ctx->p_count++], name, n + 1);
	}
	return 0;
}

/*
 * spf_macro_p - the "p" macro (RFC 7208 7.3): a validated name of the
 * client in <domain> or below it, else any validated name, else
 * "unknown".  The names are looked up once per check, however many "p"
 * macros the records hold, so they cost at most 11 queries in all.
 */
static const char *
spf_macro_p(void *arg)
{
	struct spf_ctx *ctx = arg;
	enum dns_status s;
	size_t i;

	if (!ctx->p_done) {
		ctx->p_count = 0;
		if (spf_ptr_names(ctx, spf_keep_p, ctx, &s) < 0) {
			return "unknown"; /* pending: the re-run redoes it */
		}
		ctx->p_done = 1;
	}
	for (i = 0; i < ctx->p_count; i++) {
		if (spf_subdomain(ctx->p_names[i], ctx->cur_domain)) {
			return ctx->p_names[i];
		}
	}
	return ctx->p_count > 0 ? ctx->p_names[0] : "unknown";
}

/* spf_vars - the macro values for the record of <domain> */
static void
spf_vars(struct spf_ctx *ctx, const char *domain, struct spf_macro_vars *mv)
{
	memset(mv, 0, sizeof(*mv));
	mv->s = ctx->sender;
	mv->l = ctx->local;
	mv->o = ctx->sdomain;
	mv->d = domain;
	mv->h = ctx->req->helo != NULL ? ctx->req->helo : "";
	mv->r = ctx->req->receiver != NULL ? ctx->req->receiver : "unknown";
	mv->c = ctx->ip_text;
	mv->i = ctx->ip_dotted;
	mv->v = ctx->af == 4 ? "in-addr" : "ip6";
	mv->t = ctx->now_text;
	mv->p = spf_macro_p;
	mv->parg = ctx;
	ctx->cur_domain = domain;
}

/*
 * spf_target - the domain a term names: its domain-spec expanded
 * (RFC 7208 7.3: cut from the left to 253 octets), or <domain>.  Writes
 * ctx->target.  Returns SPF_MATCH when usable, SPF_NOMATCH when no DNS
 * name can be made of it (RFC 7208 4.3 by analogy: no match), SPF_ABORT.
 */
static enum spf_match
spf_target(struct spf_ctx *ctx, const char *domain, const struct spf_term *t)
{
	struct spf_macro_vars mv;
	size_t len, i;
	char *e = ctx->expand;

	if (t->spec == NULL || t->spec_len == 0) {
		memcpy(ctx->target, domain, strlen(domain) + 1);
		return SPF_MATCH;
	}
	spf_vars(ctx, domain, &mv);
	if (spf_macro_expand(&mv, t->spec, t->spec_len, 0, e,
		sizeof(ctx->expand), &len) != SK_OK) {
		return spf_abort(ctx, SPF_PERMERROR, "macro expansion failed",
		    domain);
	}
	if (ctx->pending) {
		ctx->abort = SPF_PENDING;
		return SPF_ABORT;
	}
	if (len > 0 && e[len - 1] == '.') {
		e[--len] = '\0';
	}
	/* RFC 7208 7.3: remove whole labels from the left to fit 253 */
	i = 0;
	while (len - i > SPF_DOMAIN_MAX) {
		while (i < len && e[i] != '.') {
			i++;
		}
		if (i < len) {
			i++;
		}
	}
	memcpy(ctx->target, e + i, len - i + 1);
	if (dns_name_check(ctx->target, strlen(ctx->target)) != SK_OK) {
		return SPF_NOMATCH;
	}
	return SPF_MATCH;
}

static enum spf_result spf_check_host(struct spf_ctx *ctx, size_t depth,
    const char *domain);

/* spf_m_include - RFC 7208 5.2 */
static enum spf_match
spf_m_include(struct spf_ctx *ctx, size_t depth)
{
	enum spf_result r;

	r = spf_check_host(ctx, depth + 1, ctx->target);
	switch (r) {
	case SPF_PASS:
		return SPF_MATCH;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL:
		return SPF_NOMATCH;
	case SPF_TEMPERROR:
	case SPF_PENDING:
		ctx->abort = r;
		return SPF_ABORT;
	default:
		/* none and permerror of the included domain: permerror */
		return spf_abort(ctx, SPF_PERMERROR,
		    "include of a domain without a valid SPF record",
		    ctx->target);
	}
}

/* spf_m_a - RFC 7208 5.3 */
static enum spf_match
spf_m_a(struct spf_ctx *ctx, const struct spf_term *t)
{
	enum dns_status s;

	s = spf_dns(ctx, ctx->target, spf_addr_type(ctx), &ctx->ans);
	if (spf_dns_error(s)) {
		return spf_dns_abort(ctx, s, ctx->target);
	}
	if (s != DNS_ANSWER) {
		return spf_void(ctx, ctx->target);
	}
	return spf_answer_has_ip(ctx, &ctx->ans,
		   ctx->af == 4 ? t->cidr4 : t->cidr6) ?
	    SPF_MATCH :
	    SPF_NOMATCH;
}

/* spf_m_mx - RFC 7208 5.4 */
static enum spf_match
spf_m_mx(struct spf_ctx *ctx, const struct spf_term *t)
{
	enum dns_status s;
	size_t i, n = 0;
	unsigned cidr = ctx->af == 4 ? t->cidr4 : t->cidr6;

	s = spf_dns(ctx, ctx->target, DNS_T_MX, &ctx->ans);
	if (spf_dns_error(s)) {
		return spf_dns_abort(ctx, s, ctx->target);
	}
	if (s != DNS_ANSWER) {
		return spf_void(ctx, ctx->target);
	}
	for (i = 0; i < ctx->ans.nrr; i++) {
		const char *name = dns_rr_text(&ctx->ans, &ctx->ans.rr[i]);

		if (ctx->ans.rr[i].type != DNS_T_MX) {
			continue;
		}
		/* RFC 7208 4.6.4: more than 10 MX names is a permerror */
		if (++n > SPF_MAX_NAMES) {
			return spf_abort(ctx, SPF_PERMERROR,
			    "more than 10 MX names", ctx->target);
		}
		if (name[0] == '\0') {
			continue; /* RFC 7505 null MX */
		}
		s = spf_dns(ctx, name, spf_addr_type(ctx), &ctx->ans2);
		if (spf_dns_error(s)) {
			return spf_dns_abort(ctx, s, name);
		}
		if (s == DNS_ANSWER &&
		    spf_answer_has_ip(ctx, &ctx->ans2, cidr)) {
			return SPF_MATCH;
		}
	}
	return SPF_NOMATCH;
}

/* spf_ptr_in_target - a validated name is the target or below it */
static int
spf_ptr_in_target(void *arg, const char *name)
{
	struct spf_ctx *ctx = arg;

	return spf_subdomain(name, ctx->target);
}

/* spf_m_ptr - RFC 7208 5.5 */
static enum spf_match
spf_m_ptr(struct spf_ctx *ctx)
{
	enum dns_status s;
	int r;

	r = spf_ptr_names(ctx, spf_ptr_in_target, ctx, &s);
	if (r < 0) {
		ctx->abort = SPF_PENDING;
		return SPF_ABORT;
	}
	if (r > 0) {
		return SPF_MATCH;
	}
	/* RFC 7208 5.5: a DNS error on the PTR query is no match */
	if (s == DNS_NXDOMAIN || s == DNS_NODATA) {
		return spf_void(ctx, ctx->reverse_name);
	}
	return SPF_NOMATCH;
}

/* spf_m_exists - RFC 7208 5.7: an A query, whatever the client's family */
static enum spf_match
spf_m_exists(struct spf_ctx *ctx)
{
	enum dns_status s;

	s = spf_dns(ctx, ctx->target, DNS_T_A, &ctx->ans);
	if (spf_dns_error(s)) {
		return spf_dns_abort(ctx, s, ctx->target);
	}
	if (s != DNS_ANSWER) {
		return spf_void(ctx, ctx->target);
	}
	return SPF_MATCH;
}

/* spf_dns_term - RFC 7208 4.6.4: count a term that causes DNS queries */
static enum spf_match
spf_dns_term(struct spf_ctx *ctx, const char *domain)
{
	if (++ctx->dns_terms > SPF_MAX_DNS_TERMS) {
		return spf_abort(ctx, SPF_PERMERROR,
		    "more than 10 DNS-querying terms", domain);
	}
	return SPF_MATCH;
}

/* spf_mechanism - evaluate one mechanism of the record of <domain> */
static enum spf_match
spf_mechanism(struct spf_ctx *ctx, size_t depth, const char *domain,
    const struct spf_term *t)
{
	enum spf_match m;

	switch (t->kind) {
	case SPF_M_ALL:
		return SPF_MATCH;
	case SPF_M_IP4:
		return ctx->af == 4 && spf_ip_match(ctx, t->addr, t->cidr4) ?
		    SPF_MATCH :
		    SPF_NOMATCH;
	case SPF_M_IP6:
		return ctx->af == 6 && spf_ip_match(ctx, t->addr, t->cidr6) ?
		    SPF_MATCH :
		    SPF_NOMATCH;
	default:
		break;
	}
	if ((m = spf_dns_term(ctx, domain)) != SPF_MATCH) {
		return m;
	}
	if ((m = spf_target(ctx, domain, t)) != SPF_MATCH) {
		/* no name to query: an include of it has no record */
		if (m == SPF_NOMATCH && t->kind == SPF_M_INCLUDE) {
			return spf_abort(ctx, SPF_PERMERROR,
			    "include of an invalid domain", domain);
		}
		return m;
	}
	switch (t->kind) {
	case SPF_M_INCLUDE:
		return spf_m_include(ctx, depth);
	case SPF_M_A:
		return spf_m_a(ctx, t);
	case SPF_M_MX:
		return spf_m_mx(ctx, t);
	case SPF_M_PTR:
		return spf_m_ptr(ctx);
	case SPF_M_EXISTS:
		return spf_m_exists(ctx);
	default:
		return SPF_NOMATCH;
	}
}

/*
 * spf_fetch - RFC 7208 4.4, 4.5: the one SPF record of <domain> into
 * level[depth].  SPF_PASS when found, else the result to return.
 */
static enum spf_result
spf_fetch(struct spf_ctx *ctx, size_t depth, const char *domain)
{
	struct spf_level *lv = &ctx->level[depth];
	const struct dns_rr *found = NULL;
	enum dns_status s;
	size_t i;

	s = spf_dns(ctx, domain, DNS_T_TXT, &ctx->ans);
	if (s == DNS_PENDING) {
		return SPF_PENDING;
	}
	if (spf_dns_error(s)) {
		spf_why(ctx, "DNS failure looking up the SPF record of %s",
		    domain);
		return SPF_TEMPERROR;
	}
	for (i = 0; i < ctx->ans.nrr; i++) {
		const struct dns_rr *rr = &ctx->ans.rr[i];

		if (rr->type != DNS_T_TXT ||
		    !spf_record_is_spf(ctx->ans.data + rr->off, rr->len)) {
			continue;
		}
		if (found != NULL) {
			spf_why(ctx, "%s has more than one SPF record", domain);
			return SPF_PERMERROR;
		}
		found = rr;
	}
	if (found == NULL) {
		spf_why(ctx, "%s has no SPF record", domain);
		return SPF_NONE;
	}
	if (found->len > sizeof(lv->record)) {
		spf_why(ctx, "SPF record of %s is too long", domain);
		return SPF_PERMERROR;
	}
	memcpy(lv->record, ctx->ans.data + found->off, found->len);
	lv->record_len = found->len;
	memcpy(lv->domain, domain, strlen(domain) + 1);
	return SPF_PASS;
}

static enum spf_result
spf_qualifier(char q)
{
	switch (q) {
	case '-':
		return SPF_FAIL;
	case '~':
		return SPF_SOFTFAIL;
	case '?':
		return SPF_NEUTRAL;
	default:
		return SPF_PASS;
	}
}

/* spf_redirect - RFC 7208 6.1 */
static enum spf_result
spf_redirect(struct spf_ctx *ctx, size_t depth, const struct spf_term *t)
{
	struct spf_level *lv = &ctx->level[depth];
	enum spf_result r;
	enum spf_match m;

	if ((m = spf_dns_term(ctx, lv->domain)) != SPF_MATCH ||
	    (m = spf_target(ctx, lv->domain, t)) == SPF_ABORT) {
		return ctx->abort;
	}
	if (m == SPF_NOMATCH) {
		spf_why(ctx, "redirect to an invalid domain: %s", lv->domain);
		return SPF_PERMERROR;
	}
	r = spf_check_host(ctx, depth + 1, ctx->target);
	if (r == SPF_NONE) {
		/* RFC 7208 6.1: no record at the target is a permerror */
		spf_why(ctx, "redirect target has no SPF record");
		return SPF_PERMERROR;
	}
	return r;
}

/* spf_check_host - check_host(<ip>, <domain>, <sender>), RFC 7208 4 */
static enum spf_result
spf_check_host(struct spf_ctx *ctx, size_t depth, const char *domain)
{
	struct spf_level *lv;
	struct spf_record rec;
	struct spf_term t;
	enum spf_result r;
	enum spf_match m;
	size_t pos = 0;
	char dom[SPF_DOMAIN_MAX + 1];

	if (depth >= SPF_DEPTH_MAX) {
		spf_why(ctx, "too deeply nested");
		return SPF_PERMERROR; /* unreachable: the term limit is lower */
	}
	/* RFC 7208 4.3: a name that is no FQDN has no record */
	if (dns_name_check(domain, strlen(domain)) != SK_OK ||
	    strchr(domain, '.') == NULL) {
		spf_why(ctx, "%s is not a valid domain name", domain);
		return SPF_NONE;
	}
	lv = &ctx->level[depth];
	memcpy(dom, domain, strlen(domain) + 1); /* domain may be target */
	if ((r = spf_fetch(ctx, depth, dom)) != SPF_PASS) {
		return r;
	}
	if (spf_record_parse(lv->record, lv->record_len, &rec) != SK_OK) {
		spf_why(ctx, "SPF record of %s: %s at \"%.40s\"", dom,
		    rec.err != NULL ? rec.err : "syntax error",
		    (const char *)lv->record + rec.err_pos);
		return SPF_PERMERROR;
	}
	while (spf_record_next(&rec, &pos, &t) == SK_OK) {
		if (t.kind >= SPF_MOD_REDIRECT) {
			continue;
		}
		m = spf_mechanism(ctx, depth, lv->domain, &t);
		if (m == SPF_ABORT) {
			return ctx->abort;
		}
		if (m == SPF_MATCH) {
			ctx->exp_level = depth;
			snprintf(ctx->out->mechanism,
			    sizeof(ctx->out->mechanism), "%.*s",
			    (int)t.text_len, t.text);
			return spf_qualifier(t.qualifier);
		}
	}
	if (rec.has_redirect) {
		return spf_redirect(ctx, depth, &rec.redirect);
	}
	/* RFC 7208 4.7: no match and no redirect is neutral */
	ctx->exp_level = depth;
	ctx->out->mechanism[0] = '\0';
	return SPF_NEUTRAL;
}

/* spf_explain_default - the local default explanation */
static void
spf_explain_default(struct spf_ctx *ctx, const struct spf_macro_vars *mv)
{
	const char *d = ctx->req->default_exp != NULL ? ctx->req->default_exp :
							SPF_DEFAULT_EXP;
	size_t len;

	ctx->out->exp_default = 1;
	if (spf_macro_expand(mv, d, strlen(d), 1, ctx->out->explanation,
		sizeof(ctx->out->explanation), &len) != SK_OK) {
		snprintf(ctx->out->explanation, sizeof(ctx->out->explanation),
		    "%s", d);
	}
}

/*
 * spf_explain - RFC 7208 6.2: the exp= text of the record that failed,
 * or the default when it is absent, unusable or any lookup fails.
 */
static void
spf_explain(struct spf_ctx *ctx)
{
	struct spf_level *lv = &ctx->level[ctx->exp_level];
	struct spf_macro_vars mv;
	struct spf_record rec;
	const struct dns_rr *rr;
	size_t len;

	spf_vars(ctx, lv->domain, &mv);
	if (spf_record_parse(lv->record, lv->record_len, &rec) != SK_OK ||
	    !rec.has_exp) {
		spf_explain_default(ctx, &mv);
		return;
	}
	if (spf_target(ctx, lv->domain, &rec.exp) != SPF_MATCH ||
	    spf_dns(ctx, ctx->target, DNS_T_TXT, &ctx->ans) != DNS_ANSWER ||
	    ctx->ans.nrr != 1 || ctx->ans.rr[0].type != DNS_T_TXT) {
		spf_vars(ctx, lv->domain, &mv);
		spf_explain_default(ctx, &mv);
		return;
	}
	rr = &ctx->ans.rr[0];
	/* the TXT text is copied: the "p" macro reuses ctx->ans */
	if (rr->len >= sizeof(ctx->expand)) {
		spf_explain_default(ctx, &mv);
		return;
	}
	memcpy(ctx->expand, ctx->ans.data + rr->off, rr->len);
	ctx->expand[rr->len] = '\0';
	memcpy(ctx->exp_text, ctx->expand, rr->len + 1);
	spf_vars(ctx, lv->domain, &mv);
	if (spf_macro_expand(&mv, ctx->exp_text, rr->len, 1,
		ctx->out->explanation, sizeof(ctx->out->explanation),
		&len) != SK_OK) {
		spf_explain_default(ctx, &mv);
		return;
	}
	ctx->out->exp_default = 0;
}

/* spf_ip_strings - %{i}, %{c} and the reverse name (RFC 7208 7.3) */
static void
spf_ip_strings(struct spf_ctx *ctx)
{
	static const char hex[] = "0123456789ABCDEF";
	const uint8_t *ip = ctx->req_ip;
	char *o;
	int i;

	if (ctx->af == 4) {
		snprintf(ctx->ip_dotted, sizeof(ctx->ip_dotted), "%u.%u.%u.%u",
		    ip[0], ip[1], ip[2], ip[3]);
		memcpy(ctx->ip_text, ctx->ip_dotted,
		    strlen(ctx->ip_dotted) + 1);
		snprintf(ctx->reverse_name, sizeof(ctx->reverse_name),
		    "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1], ip[0]);
		return;
	}
	/* RFC 7208 7.3: IPv6 "i" is dot-separated nibbles.  Upper-case hex
	 * as the OpenSPF suite expects (v-macro-ip6); DNS ignores case. */
	o = ctx->ip_dotted;
	for (i = 0; i < 16; i++) {
		*o++ = hex[ip[i] >> 4];
		*o++ = '.';
		*o++ = hex[ip[i] & 15];
		*o++ = i < 15 ? '.' : '\0';
	}
	o = ctx->reverse_name;
	for (i = 15; i >= 0; i--) {
		*o++ = hex[ip[i] & 15];
		*o++ = '.';
		*o++ = hex[ip[i] >> 4];
		*o++ = '.';
	}
	memcpy(o, "ip6.arpa", sizeof("ip6.arpa"));
	dns_ip6_format(ip, ctx->ip_text);
}

/* spf_copy - copy s[0..n) to out[size], 0 if it does not fit */
static int
spf_copy(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size) {
		out[0] = '\0';
		return 0;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/*
 * spf_identity - <sender> and its parts (RFC 7208 2.3, 2.4, 4.3).  A
 * local-part or domain over its limit cannot be checked: bad_identity.
 */
static void
spf_identity(struct spf_ctx *ctx)
{
	const struct spf_request *req = ctx->req;
	const char *helo = req->helo != NULL ? req->helo : "";
	const char *mf = req->mail_from != NULL ? req->mail_from : "";
	const char *at, *dom;
	size_t llen;
	int ok = 1;

	ctx->bad_identity = 0;
	if (req->identity == SPF_ID_HELO || mf[0] == '\0') {
		/* RFC 7208 2.4: the null sender is postmaster@HELO */
		dom = helo;
		llen = 0;
	} else {
		at = strrchr(mf, '@');
		llen = at != NULL ? (size_t)(at - mf) : 0;
		dom = at != NULL ? at + 1 : mf;
	}
	/* RFC 7208 4.3: no local-part means "postmaster" */
	if (llen == 0) {
		memcpy(ctx->local, "postmaster", sizeof("postmaster"));
	} else {
		ok &= spf_copy(ctx->local, sizeof(ctx->local), mf, llen);
	}
	ok &= spf_copy(ctx->sdomain, sizeof(ctx->sdomain), dom, strlen(dom));
	ctx->bad_identity = !ok;
	snprintf(ctx->sender, sizeof(ctx->sender), "%s@%s", ctx->local,
	    ctx->sdomain);
}

/* spf_check - check_host() for the request's identity (RFC 7208 4) */
enum spf_result
spf_check(struct spf_ctx *ctx, const struct dns_resolver *dns,
    const struct spf_request *req, struct spf_outcome *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	enum spf_result r;
	size_t n;

	memset(out, 0, sizeof(*out));
	ctx->dns = dns;
	ctx->req = req;
	ctx->out = out;
	ctx->dns_terms = 0;
	ctx->void_lookups = 0;
	ctx->pending = 0;
	ctx->p_done = 0;
	ctx->exp_level = 0;
	ctx->abort = SPF_PERMERROR;
	/* an IPv4-mapped IPv6 client is an IPv4 client */
	if (req->af == 6 && memcmp(req->ip, mapped, 12) == 0) {
		ctx->af = 4;
		memcpy(ctx->req_ip, req->ip + 12, 4);
	} else {
		ctx->af = req->af == 6 ? 6 : 4;
		memcpy(ctx->req_ip, req->ip, ctx->af == 4 ? 4 : 16);
	}
	spf_ip_strings(ctx);
	snprintf(ctx->now_text, sizeof(ctx->now_text), "%llu",
	    (unsigned long long)req->now);
	spf_identity(ctx);
	snprintf(out->sender, sizeof(out->sender), "%s", ctx->sender);
	snprintf(out->domain, sizeof(out->domain), "%s", ctx->sdomain);
	n = strlen(ctx->sdomain);
	if (n > 0 && ctx->sdomain[n - 1] == '.') {
		ctx->sdomain[n - 1] = '\0';
	}
	if (ctx->bad_identity) {
		spf_why(ctx, "local-part or domain of the identity too long");
		r = SPF_NONE;
	} else {
		r = spf_check_host(ctx, 0, ctx->sdomain);
	}
	if (r == SPF_FAIL) {
		spf_explain(ctx);
	}
	if (r == SPF_PENDING || ctx->pending) {
		r = SPF_PENDING;
	}
	out->result = r;
	out->dns_terms = ctx->dns_terms;
	out->void_lookups = ctx->void_lookups;
	if (out->reason[0] == '\0') {
		if (out->mechanism[0] != '\0') {
			snprintf(out->reason, sizeof(out->reason),
			    "%s matched \"%s\"", ctx->sdomain, out->mechanism);
		} else {
			snprintf(out->reason, sizeof(out->reason),
			    "no mechanism of %s matched", ctx->sdomain);
		}
	}
	return r;
}

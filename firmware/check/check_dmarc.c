/*
 * check_dmarc.c - "sekimori-check dmarc": the whole DMARC check of one
 * message (RFC 7489): SPF for the MAIL FROM identity (postmaster@HELO
 * for the null sender), every DKIM signature, the RFC5322.From domain,
 * policy discovery and alignment.
 *
 * Untrusted input: the message on standard input, the zone file, the
 * envelope on the command line.  The message is read whole, at most
 * CHECK_MSG_MAX octets, as dkim-verify reads it.
 *
 * Output: the DMARC result alone on the first line; then
 * "policy=reject|quarantine|none", the disposition for this message
 * (none on pass and none, else p, sp or np after pct); then what the
 * result was made of: spf=, one dkim= per signature, from=, org=, and
 * the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "check.h"
#include "../auth/dkim_verify.h"
#include "../auth/dmarc.h"

static const char check_dmarc_usage[] =
    "usage: sekimori-check dmarc --ip IP --helo NAME --mail-from ADDR "
    "[--zone FILE] < MESSAGE\n";

/* What the check works with; static: the contexts are large (spf.h,
 * dkim_verify.h, dmarc.h) */
struct check_dmarc {
	struct spf_request spf_req;
	struct spf_ctx spf;
	struct spf_outcome spf_out;
	struct dkim_verify dkim;
	struct dmarc_dkim dd[DKIM_VERIFY_SIGS_MAX];
	size_t ndd;
	struct dmarc_from from;
	struct dmarc_ctx ctx;
	struct dmarc_outcome out;
};

/* check_dmarc_random - a uniform value per message for pct sampling (RFC
 * 7489 6.6.4); without entropy 0, which keeps the message in the sample
 * (the policy applies: the safe side) unless pct=0 */
static uint32_t
check_dmarc_random(void *arg)
{
	uint32_t v;

	(void)arg;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
		return 0;
	}
	return v;
}

/* check_dmarc_ip - the client address, into the SPF request */
static int
check_dmarc_ip(const char *ip, struct spf_request *req)
{
	size_t n = strlen(ip);

	if (dns_ip4_parse(ip, n, req->ip) == SK_OK) {
		req->af = 4;
	} else if (dns_ip6_parse(ip, n, req->ip) == SK_OK) {
		req->af = 6;
	} else {
		fprintf(stderr,
		    "sekimori-check dmarc: --ip: '%s' is not an "
		    "IPv4 or IPv6 address\n",
		    ip);
		return -1;
	}
	return 0;
}

/* check_dmarc_spf - check_host() for MAIL FROM (RFC 7489 4.1: the SPF
 * input to DMARC; spf_check takes postmaster@HELO for "") */
static void
check_dmarc_spf(struct check_dmarc *c, const struct dns_resolver *dns,
    const char *helo, const char *from)
{
	c->spf_req.identity = SPF_ID_MAILFROM;
	c->spf_req.helo = helo;
	c->spf_req.mail_from = from;
	c->spf_req.now = (uint64_t)time(NULL);
	(void)spf_check(&c->spf, dns, &c->spf_req, &c->spf_out);
}

/* check_dmarc_dkim_result - the verifier's word as DMARC's input */
static enum dmarc_dkim_result
check_dmarc_dkim_result(enum dkim_result r)
{
	switch (r) {
	case DKIM_PASS:
		return DMARC_DKIM_PASS;
	case DKIM_FAIL:
		return DMARC_DKIM_FAIL;
	case DKIM_NEUTRAL:
		return DMARC_DKIM_NEUTRAL;
	case DKIM_POLICY:
		return DMARC_DKIM_POLICY;
	case DKIM_TEMPERROR:
		return DMARC_DKIM_TEMPERROR;
	case DKIM_PERMERROR:
		return DMARC_DKIM_PERMERROR;
	default:
		return DMARC_DKIM_NONE;
	}
}

/* check_dmarc_dkim - verify every signature, as dkim-verify does */
static void
check_dmarc_dkim(struct check_dmarc *c, const struct dns_resolver *dns,
    const struct check_msg *m)
{
	const struct dkim_vsig *s;
	size_t i;

	dkim_verify_init(&c->dkim, (uint64_t)time(NULL));
	if (dkim_verify_headers(&c->dkim, m->crlf, m->hlen) != SK_OK) {
		fprintf(stderr,
		    "sekimori-check dmarc: the header section is "
		    "malformed\n");
	}
	(void)dkim_verify_keys(&c->dkim, dns); /* the zone answers at once */
	dkim_verify_update(&c->dkim, m->crlf + m->body, m->len - m->body);
	dkim_verify_final(&c->dkim);
	for (i = 0; i < c->dkim.nsig; i++) {
		s = &c->dkim.sig[i];
		/* an unparsed d= is empty: aligned with nothing */
		c->dd[i].domain = s->sig.d[0] != '\0' ? s->sig.d : NULL;
		c->dd[i].result = check_dmarc_dkim_result(s->result);
	}
	c->ndd = c->dkim.nsig;
	if (c->dkim.nskipped > 0) {
		fprintf(stderr,
		    "sekimori-check dmarc: %zu signatures beyond the "
		    "first %d not evaluated\n",
		    c->dkim.nskipped, DKIM_VERIFY_SIGS_MAX);
	}
}

/* check_dmarc_eval - the From domain, then RFC 7489 6.6 over the results */
static enum dmarc_result
check_dmarc_eval(struct check_dmarc *c, const struct dns_resolver *dns,
    const struct check_msg *m)
{
	struct dmarc_request req;
	enum dmarc_result r;

	memset(&c->out, 0, sizeof(c->out));
	/* RFC 7489 6.6.1: no single author domain => permerror (README) */
	if (dmarc_from_parse(m->crlf, m->hlen, &c->from) != DMARC_FROM_OK) {
		snprintf(c->out.reason, sizeof(c->out.reason), "%s",
		    dmarc_from_status_str(c->from.status));
		return c->out.result = DMARC_PERMERROR;
	}
	memset(&req, 0, sizeof(req));
	req.from_domain = c->from.domain;
	req.spf = c->spf_out.result;
	req.spf_domain =
	    c->spf_out.domain[0] != '\0' ? c->spf_out.domain : NULL;
	req.dkim = c->dd;
	req.ndkim = c->ndd;
	req.random = check_dmarc_random;
	r = dmarc_check(&c->ctx, dns, &req, &c->out);
	if (r == DMARC_PENDING) {
		/* the zone never defers; "pending" is no operator's word */
		r = c->out.result = DMARC_TEMPERROR;
	}
	return r;
}

/* check_dmarc_print - the result, the disposition, then the inputs */
static void
check_dmarc_print(const struct check_dmarc *c, enum dmarc_result r)
{
	const struct dkim_vsig *s;
	enum dmarc_policy disp = DMARC_P_NONE;
	size_t i;

	if (r == DMARC_FAIL) {
		disp = c->out.disposition;
	}
	printf("%s\npolicy=%s\n", dmarc_result_str(r), dmarc_policy_str(disp));
	printf("spf=%s domain=%s\n", spf_result_str(c->spf_out.result),
	    c->spf_out.domain);
	for (i = 0; i < c->dkim.nsig; i++) {
		s = &c->dkim.sig[i];
		printf("dkim=%s d=%s s=%s\n", dkim_result_str(s->result),
		    s->sig.d, s->sig.s);
	}
	if (c->dkim.nsig == 0) {
		printf("dkim=none\n");
	}
	printf("from=%s\norg=%s\nreason=%s\n", c->out.from_domain,
	    c->out.org_domain, c->out.reason);
}

int
check_dmarc(int argc, char **argv)
{
	static struct check_dmarc c;
	struct check_msg m;
	struct dns_resolver dns;
	const char *ip = NULL, *helo = NULL, *from = NULL, *zone = NULL;
	const struct check_opt opts[] = {
		{ "--ip", &ip, 0 },
		{ "--helo", &helo, 0 },
		{ "--mail-from", &from, 0 },
		{ "--zone", &zone, 0 },
	};
	enum dmarc_result r;

	if (check_opts("dmarc", argc, argv, opts, SK_NELEM(opts)) != 0) {
		fputs(check_dmarc_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (ip == NULL || helo == NULL || from == NULL) {
		fprintf(stderr,
		    "sekimori-check dmarc: --ip, --helo and "
		    "--mail-from are required\n");
		fputs(check_dmarc_usage, stderr);
		return CHECK_EXIT_USAGE;
	}
	if (check_dmarc_ip(ip, &c.spf_req) != 0 ||
	    check_resolver("dmarc", zone, &dns) != 0 ||
	    check_msg_read("dmarc", &m) != 0) {
		return CHECK_EXIT_USAGE;
	}
	check_dmarc_spf(&c, &dns, helo, from);
	check_dmarc_dkim(&c, &dns, &m);
	r = check_dmarc_eval(&c, &dns, &m);
	check_dmarc_print(&c, r);
	free(m.raw);
	free(m.crlf);
	return r == DMARC_PASS ? CHECK_EXIT_PASS : CHECK_EXIT_NOPASS;
}

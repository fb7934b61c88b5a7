/*
 * policy_report_row.c - one inbound evaluation as a row of the DMARC
 * report store (policy_report.h): the identifiers and results RFC 7489
 * appendix C asks for, the disposition we applied and why it differs
 * from the published policy (PolicyOverrideType).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy_report.h"

/* policy_report_copy - s into out[cap], "" when it does not fit */
static void
policy_report_copy(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap) {
		n = 0;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* policy_report_rua - the record's rua URIs as text the record parser
 * reads back: "uri[!octets]" joined by "," */
static enum sk_result
policy_report_rua(const struct dmarc_record *rec, char *out, size_t cap)
{
	size_t i, n = 0;
	int k;

	out[0] = '\0';
	for (i = 0; i < rec->nrua; i++) {
		const struct dmarc_uri *u = &rec->rua[i];

		k = snprintf(out + n, cap - n, "%s%.*s", i > 0 ? "," : "",
		    (int)u->uri_len, u->uri);
		if (k < 0 || (size_t)k >= cap - n) {
			out[0] = '\0';
			return SK_E_TOO_LONG;
		}
		n += (size_t)k;
		if (u->max_size != 0) {
			k = snprintf(out + n, cap - n, "!%" PRIu64,
			    u->max_size);
			if (k < 0 || (size_t)k >= cap - n) {
				out[0] = '\0';
				return SK_E_TOO_LONG;
			}
			n += (size_t)k;
		}
	}
	return SK_OK;
}

/* policy_report_override_reason - a config override's reason as the
 * report's PolicyOverrideType */
static enum dmarc_report_reason
policy_report_override_reason(enum config_override_reason r)
{
	switch (r) {
	case CONFIG_OVERRIDE_FORWARDED:
		return DMARC_REASON_FORWARDED;
	case CONFIG_OVERRIDE_MAILING_LIST:
		return DMARC_REASON_MAILING_LIST;
	case CONFIG_OVERRIDE_TRUSTED_FORWARDER:
		return DMARC_REASON_TRUSTED_FORWARDER;
	default:
		return DMARC_REASON_LOCAL_POLICY;
	}
}

/* policy_report_applied - the disposition we applied and the reason
 * when it is milder than the published policy (RFC 7489 7.2.1: "the
 * final policy action taken", with appendix C's override reasons) */
static void
policy_report_applied(const struct policy_eval *e,
    const struct policy_verdict *v, struct dmarc_report_row *r)
{
	const struct policy_conf *c = e->conf;
	const struct dmarc_outcome *o = &e->dmarc_out;
	enum config_fail_action a;

	r->disposition = DMARC_P_NONE;
	r->reason = DMARC_REASON_NONE;
	if (v->action == POLICY_REJECT) {
		/* refused, whatever check did it */
		r->disposition = DMARC_P_REJECT;
		if (o->result != DMARC_FAIL ||
		    o->disposition != DMARC_P_REJECT) {
			r->reason = DMARC_REASON_LOCAL_POLICY;
		}
		return;
	}
	if (o->result != DMARC_FAIL) {
		return;
	}
	if (o->disposition == DMARC_P_NONE) {
		r->reason = o->sampled_out ? DMARC_REASON_SAMPLED_OUT :
					     DMARC_REASON_NONE;
		return;
	}
	if (c->arc && arc_trusted_pass(&e->arc, c->sealers, c->nsealers)) {
		r->reason = DMARC_REASON_TRUSTED_FORWARDER;
		return;
	}
	if (e->override != NULL) {
		/* delivered by the operator's exception: its reason */
		r->reason = policy_report_override_reason(e->override->reason);
		return;
	}
	a = o->disposition == DMARC_P_REJECT ? c->dmarc_reject :
					       c->dmarc_quarantine;
	if (a == CONFIG_FAIL_QUARANTINE) {
		r->disposition = DMARC_P_QUARANTINE;
	}
	if (r->disposition != o->disposition) {
		r->reason = DMARC_REASON_LOCAL_POLICY;
	}
}

/* policy_report_auth - the auth_results: SPF and each DKIM signature */
static void
policy_report_auth(const struct policy_eval *e, struct dmarc_report_row *r)
{
	size_t i;

	if (e->conf->spf) {
		policy_report_copy(r->spf_domain, sizeof(r->spf_domain),
		    e->spf_out.domain);
		policy_report_copy(r->spf_result, sizeof(r->spf_result),
		    spf_result_str(e->spf_out.result));
	}
	r->spf_helo = e->req.mail_from[0] == '\0';
	for (i = 0; e->conf->dkim && i < e->dkim.nsig &&
	     r->ndkim < DMARC_REPORT_DKIM_MAX;
	     i++) {
		const struct dkim_vsig *s = &e->dkim.sig[i];
		struct dmarc_report_dkim *d = &r->dkim[r->ndkim];

		if (s->sig.d[0] == '\0') {
			continue; /* no domain to report it under */
		}
		policy_report_copy(d->domain, sizeof(d->domain), s->sig.d);
		policy_report_copy(d->selector, sizeof(d->selector), s->sig.s);
		policy_report_copy(d->result, sizeof(d->result),
		    dkim_result_str(s->result));
		if (d->domain[0] != '\0') {
			r->ndkim++;
		}
	}
}

enum sk_result
policy_report_from_eval(const struct policy_eval *e,
    const struct policy_verdict *v, char *domain,
    struct policy_report_policy *pol, struct dmarc_report_row *r)
{
	const struct dmarc_outcome *o = &e->dmarc_out;
	const char *at;

	memset(pol, 0, sizeof(*pol));
	memset(r, 0, sizeof(*r));
	if (!e->conf->dmarc || !e->dmarc_done ||
	    (o->result != DMARC_PASS && o->result != DMARC_FAIL) ||
	    o->rec.nrua == 0 || o->policy_domain[0] == '\0') {
		return SK_END;
	}
	policy_report_copy(domain, DMARC_DOMAIN_MAX + 1, o->policy_domain);
	if (policy_report_rua(&o->rec, pol->rua, sizeof(pol->rua)) != SK_OK) {
		return SK_E_TOO_LONG;
	}
	pol->adkim_strict = o->rec.adkim_strict;
	pol->aspf_strict = o->rec.aspf_strict;
	pol->p = o->rec.p;
	pol->sp = o->rec.sp;
	pol->pct = o->rec.pct;
	pol->fo = o->rec.fo;
	policy_report_copy(r->source_ip, sizeof(r->source_ip),
	    e->req.client_ip);
	policy_report_copy(r->header_from, sizeof(r->header_from),
	    o->from_domain);
	at = strrchr(e->req.mail_from, '@');
	policy_report_copy(r->envelope_from, sizeof(r->envelope_from),
	    at != NULL ? at + 1 : "");
	r->count = 1;
	r->dkim_pass = o->dkim_aligned;
	r->spf_pass = o->spf_aligned;
	policy_report_applied(e, v, r);
	policy_report_auth(e, r);
	return SK_OK;
}

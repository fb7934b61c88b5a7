/*
 * policy_report_recent_row.c - one inbound evaluation and its verdict as
 * a row of the recent results (policy_report.h): identifiers, each
 * check's result, the action as the operator thinks of it (accept, tag,
 * quarantine, reject, tempfail) and why it is milder than the DMARC
 * policy asked for. Kept apart from policy_report_recent.c so that a
 * reader of the store (the CLI) does not link the checks.
 */
#include <stdio.h>
#include <string.h>

#include "policy_report.h"

/* policy_recent_copy - at most cap - 1 octets of s, as they are (the
 * printer escapes them) */
static void
policy_recent_copy(char *out, size_t cap, const char *s)
{
	size_t n = strnlen(s, cap - 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

/* policy_recent_bad - whether a result word is a failure */
static int
policy_recent_bad(const char *word)
{
	static const char *const bad[] = { "fail", "softfail", "temperror",
		"permerror" };
	size_t i;

	for (i = 0; i < SK_NELEM(bad); i++) {
		if (strcmp(word, bad[i]) == 0) {
			return 1;
		}
	}
	return 0;
}

/* policy_recent_dkim - each signature's d= and result, and the best */
static void
policy_recent_dkim(const struct policy_eval *e, struct policy_recent_row *r)
{
	size_t i;

	policy_recent_copy(r->dkim, sizeof(r->dkim), "none");
	if (!e->conf->dkim) {
		policy_recent_copy(r->dkim, sizeof(r->dkim), "off");
		return;
	}
	for (i = 0; i < e->dkim.nsig; i++) {
		const struct dkim_vsig *s = &e->dkim.sig[i];
		const char *res = dkim_result_str(s->result);

		if (i == 0 || s->result == DKIM_PASS) {
			policy_recent_copy(r->dkim, sizeof(r->dkim), res);
		}
		if (r->ndkim < POLICY_RECENT_DKIM_MAX) {
			policy_recent_copy(r->sig[r->ndkim].domain,
			    sizeof(r->sig[r->ndkim].domain), s->sig.d);
			policy_recent_copy(r->sig[r->ndkim].result,
			    sizeof(r->sig[r->ndkim].result), res);
			r->ndkim++;
		}
		r->failed |= policy_recent_bad(res);
	}
	for (i = 0; i < e->dkim.nsig; i++) {
		if (e->dkim.sig[i].result == DKIM_PASS) {
			policy_recent_copy(r->dkim, sizeof(r->dkim), "pass");
		}
	}
}

/* policy_recent_worst - the stronger of a (-1: none yet) and b */
static int
policy_recent_worst(int a, enum config_fail_action b)
{
	/* REJECT < QUARANTINE < TAG in the enumeration */
	return a < 0 || (int)b < a ? (int)b : a;
}

/*
 * policy_recent_action - what policy.c's policy_act did, in words: the
 * failures that act (SPF fail through its fail-action, DMARC fail with a
 * policy other than none through the config's action for it), the ARC
 * override or the operator's DMARC override (as policy_act: ARC first),
 * and why the result is milder than the published policy.
 */
static void
policy_recent_action(const struct policy_eval *e,
    const struct policy_verdict *v, struct policy_recent_row *r)
{
	const struct policy_conf *c = e->conf;
	const struct dmarc_outcome *o = &e->dmarc_out;
	enum config_fail_action d;
	int a = -1; /* the strongest failure-action that acted */

	if (v->action == POLICY_REJECT || v->action == POLICY_TEMPFAIL) {
		policy_recent_copy(r->action, sizeof(r->action),
		    policy_action_str(v->action));
		if (e->replay != POLICY_REPLAY_NO) {
			policy_recent_copy(r->reason, sizeof(r->reason),
			    "dkim-replay");
		}
		return;
	}
	if (c->spf && e->spf_out.result == SPF_FAIL) {
		a = policy_recent_worst(a, c->spf_fail);
	}
	if (c->dmarc && e->dmarc_done && o->result == DMARC_FAIL) {
		if (o->disposition == DMARC_P_NONE) {
			if (o->sampled_out) {
				policy_recent_copy(r->reason, sizeof(r->reason),
				    "sampled-out");
			}
		} else if (c->arc &&
		    arc_trusted_pass(&e->arc, c->sealers, c->nsealers)) {
			policy_recent_copy(r->reason, sizeof(r->reason),
			    "arc-override");
		} else if (e->override != NULL) {
			/* the operator's DMARC override: "NAME/REASON" */
			(void)snprintf(r->reason, sizeof(r->reason), "%s/%s",
			    e->override->name,
			    config_override_reason_str(e->override->reason));
		} else {
			d = o->disposition == DMARC_P_REJECT ?
			    c->dmarc_reject :
			    c->dmarc_quarantine;
			a = policy_recent_worst(a, d);
			if (d != CONFIG_FAIL_REJECT &&
			    (o->disposition == DMARC_P_REJECT ||
				d == CONFIG_FAIL_TAG)) {
				policy_recent_copy(r->reason, sizeof(r->reason),
				    "local-policy");
			}
		}
	}
	/* the DKIM replay rule's tag or quarantine (its reject is
	 * v->action); the reason word says so when nothing else does */
	if (e->replay != POLICY_REPLAY_NO) {
		if (c->replay == CONFIG_REPLAY_TAG) {
			a = policy_recent_worst(a, CONFIG_FAIL_TAG);
		} else if (c->replay == CONFIG_REPLAY_QUARANTINE) {
			a = policy_recent_worst(a, CONFIG_FAIL_QUARANTINE);
		}
		if (r->reason[0] == '\0') {
			policy_recent_copy(r->reason, sizeof(r->reason),
			    "dkim-replay");
		}
	}
	policy_recent_copy(r->action, sizeof(r->action),
	    a == CONFIG_FAIL_QUARANTINE ? "quarantine" :
		a == CONFIG_FAIL_TAG    ? "tag" :
					  "accept");
}

void
policy_report_recent_from_eval(const char *qid, const struct policy_eval *e,
    const struct policy_verdict *v, struct policy_recent_row *r)
{
	const struct policy_conf *c = e->conf;
	const char *at = strrchr(e->req.mail_from, '@');

	memset(r, 0, sizeof(*r));
	r->time = e->req.now;
	policy_recent_copy(r->qid, sizeof(r->qid), qid);
	policy_recent_copy(r->client_ip, sizeof(r->client_ip),
	    e->req.client_ip);
	policy_recent_copy(r->envelope_domain, sizeof(r->envelope_domain),
	    at != NULL ? at + 1 : "");
	policy_recent_copy(r->header_domain, sizeof(r->header_domain),
	    e->from_ok ? e->from.domain : "");
	policy_recent_copy(r->spf, sizeof(r->spf),
	    c->spf ? spf_result_str(e->spf_out.result) : "off");
	policy_recent_dkim(e, r);
	policy_recent_copy(r->dmarc, sizeof(r->dmarc),
	    c->dmarc ? dmarc_result_str(e->dmarc_out.result) : "off");
	if (c->dmarc &&
	    (e->dmarc_out.result == DMARC_PASS ||
		e->dmarc_out.result == DMARC_FAIL)) {
		policy_recent_copy(r->dmarc_policy, sizeof(r->dmarc_policy),
		    dmarc_policy_str(e->dmarc_out.policy));
	}
	policy_recent_copy(r->arc, sizeof(r->arc),
	    c->arc ? arc_result_str(e->arc.result) : "off");
	policy_recent_action(e, v, r);
	r->failed |= policy_recent_bad(r->spf) | policy_recent_bad(r->dmarc) |
	    policy_recent_bad(r->arc) | (strcmp(r->action, "accept") != 0) |
	    (e->replay != POLICY_REPLAY_NO);
}

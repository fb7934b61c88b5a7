/*
 * policy_replay.c - the DKIM replay rule (policy.h, README.md "DKIM
 * replay"): whether an inbound message that passed DKIM looks like a
 * signed message sent again to other recipients.
 *
 * A replay keeps the signature intact, so every check passes; what
 * gives it away is what the signer did not sign. The attacker must put
 * the new recipients somewhere: in the envelope (many RCPTs in one
 * transaction) and often in a To or Cc field added or changed after
 * signing, which a signature verifies only if h= does not list it.
 */
#include <string.h>
#include <strings.h>

#include "policy.h"

static const char *const policy_replay_names[] = { "no", "uncovered-to",
	"uncovered-cc", "recipients" };

/* policy_replay_str - the reason's word (policy.h) */
const char *
policy_replay_str(enum policy_replay r)
{
	return (size_t)r < SK_NELEM(policy_replay_names) ?
	    policy_replay_names[r] :
	    "?";
}

/* policy_replay_present - how many name fields the header has */
static size_t
policy_replay_present(const struct policy_eval *e, const char *name)
{
	const uint8_t *f;
	size_t pos = 0, flen, n = 0, nl = strlen(name);

	while (
	    dkim_header_next(e->req.msg, e->hlen, &pos, &f, &flen) == SK_OK) {
		n += (size_t)dkim_header_is(f, flen, name, nl);
	}
	return n;
}

/* policy_replay_listed - how often sig's h= names name */
static size_t
policy_replay_listed(const struct dkim_sig *sig, const char *name)
{
	size_t k, n = 0, nl = strlen(name);

	for (k = 0; k < sig->nh; k++) {
		n += sig->h_len[k] == nl &&
		    strncasecmp(sig->h_text + sig->h_off[k], name, nl) == 0;
	}
	return n;
}

/* policy_replay_missing - DKIM_W_TO and DKIM_W_CC bits for the fields
 * of which the message has more than sig signs: h= covers as many
 * instances as it lists, from the bottom (RFC 6376 5.4.2), so a To added
 * on top of a signed one is not covered either */
static unsigned
policy_replay_missing(const struct dkim_sig *sig, size_t to, size_t cc)
{
	unsigned miss = 0;

	if (to > policy_replay_listed(sig, "to")) {
		miss |= DKIM_W_TO;
	}
	if (cc > policy_replay_listed(sig, "cc")) {
		miss |= DKIM_W_CC;
	}
	return miss;
}

/* policy_replay_relied - whether the message's authentication rests on
 * signature s: DMARC's aligned d= when DMARC passed on DKIM, else any
 * passing signature */
static int
policy_replay_relied(const struct policy_eval *e, const struct dkim_vsig *s)
{
	const struct dmarc_outcome *o = &e->dmarc_out;

	if (s->result != DKIM_PASS) {
		return 0;
	}
	if (e->conf->dmarc && e->dmarc_done && o->result == DMARC_PASS &&
	    o->dkim_aligned && o->dkim_domain[0] != '\0') {
		return strcasecmp(s->sig.d, o->dkim_domain) == 0;
	}
	return 1;
}

/* policy_replay_trusted - the path is one the operator or the domain
 * vouches for: DMARC passed on aligned SPF (the From domain's own
 * servers sent it: no replay from elsewhere), a trusted ARC sealer
 * passed the chain, or a DMARC override of the config matches (the
 * forwarders and lists the operator named) */
static int
policy_replay_trusted(const struct policy_eval *e)
{
	const struct policy_conf *c = e->conf;

	if (c->dmarc && e->dmarc_done && e->dmarc_out.result == DMARC_PASS &&
	    e->dmarc_out.spf_aligned) {
		return 1;
	}
	if (c->arc && arc_trusted_pass(&e->arc, c->sealers, c->nsealers)) {
		return 1;
	}
	return c->noverrides > 0 && policy_override_find(e) != NULL;
}

/* policy_replay_check - the finding (policy.h) */
enum policy_replay
policy_replay_check(struct policy_eval *e)
{
	const struct dkim_vsig *best = NULL;
	unsigned miss = DKIM_W_TO | DKIM_W_CC, m;
	size_t i, to, cc;

	e->replay = POLICY_REPLAY_NO;
	e->replay_d[0] = '\0';
	if (e->req.direction != POLICY_INBOUND || !e->conf->dkim ||
	    !e->dkim_done || e->header_bad || policy_replay_trusted(e)) {
		return e->replay;
	}
	to = policy_replay_present(e, "to");
	cc = policy_replay_present(e, "cc");
	/* the relied-on signature that leaves the fewest fields out */
	for (i = 0; i < e->dkim.nsig; i++) {
		const struct dkim_vsig *s = &e->dkim.sig[i];

		if (!policy_replay_relied(e, s)) {
			continue;
		}
		m = policy_replay_missing(&s->sig, to, cc);
		if (best == NULL || m == 0 ||
		    (m & DKIM_W_TO) < (miss & DKIM_W_TO)) {
			best = s;
			miss = m;
		}
		if (miss == 0) {
			break;
		}
	}
	if (best == NULL) {
		return e->replay; /* nothing passed: nothing to replay */
	}
	if (miss & DKIM_W_TO) {
		e->replay = POLICY_REPLAY_UNCOVERED_TO;
	} else if (miss & DKIM_W_CC) {
		e->replay = POLICY_REPLAY_UNCOVERED_CC;
	} else if (e->conf->replay_max_rcpt > 0 &&
	    e->req.nrcpt > e->conf->replay_max_rcpt) {
		e->replay = POLICY_REPLAY_RECIPIENTS;
	}
	if (e->replay != POLICY_REPLAY_NO) {
		memcpy(e->replay_d, best->sig.d, sizeof(e->replay_d));
	}
	return e->replay;
}

/*
 * policy.c - the verdict of one message (policy.h): the inbound checks,
 * the outbound signatures, the header block and the action.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../auth/authres.h"
#include "policy.h"

#define POLICY_TAG_NAME "X-Sekimori-Policy"

static const char *const policy_action_names[] = { "accept", "reject",
	"tempfail", "?", "quarantine" };

/* policy_action_str - "accept", "reject", "tempfail", "quarantine" */
const char *
policy_action_str(enum policy_action a)
{
	return (size_t)a < SK_NELEM(policy_action_names) ?
	    policy_action_names[a] :
	    "?";
}

/* ---- the message's parts ---------------------------------------------- */

/* policy_header_end - where the header section ends (policy.h) */
enum sk_result
policy_header_end(const uint8_t *m, size_t len, size_t *hlen, size_t *body)
{
	size_t i;

	if (len >= 2 && m[0] == '\r' && m[1] == '\n') {
		*hlen = 0; /* no header at all */
		*body = 2;
		return SK_OK;
	}
	for (i = 0; i + 4 <= len; i++) {
		if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' &&
		    m[i + 3] == '\n') {
			*hlen = i + 2;
			*body = i + 4;
			return SK_OK;
		}
	}
	return SK_NEED_MORE;
}

/* policy_renames - every Authentication-Results field claiming our
 * authserv-id (RFC 8601 5), by the offset of its name; -1 when more
 * than POLICY_RENAMES_MAX */
static int
policy_renames(const struct policy_eval *e, struct policy_verdict *v)
{
	const uint8_t *hdr = e->req.msg, *f;
	size_t pos = 0, flen, nlen = sizeof(POLICY_AR_NAME) - 1;

	v->nrenames = 0;
	while (dkim_header_next(hdr, e->hlen, &pos, &f, &flen) == SK_OK) {
		const uint8_t *colon = memchr(f, ':', flen);

		if (colon == NULL ||
		    !dkim_header_is(f, flen, POLICY_AR_NAME, nlen)) {
			continue;
		}
		if (!authres_is_ours(colon + 1, flen - (size_t)(colon + 1 - f),
			e->conf->authserv_id)) {
			continue;
		}
		if (v->nrenames == POLICY_RENAMES_MAX) {
			return -1;
		}
		v->renames[v->nrenames++] = (uint64_t)(f - hdr);
	}
	return 0;
}

/* policy_client_ip - the client address into the SPF request */
static void
policy_client_ip(struct policy_eval *e)
{
	const char *ip = e->req.client_ip;
	size_t n = strlen(ip);

	if (dns_ip4_parse(ip, n, e->spf_req.ip) == SK_OK) {
		e->spf_req.af = 4;
	} else if (dns_ip6_parse(ip, n, e->spf_req.ip) == SK_OK) {
		e->spf_req.af = 6;
	} else {
		e->spf_req.af = 0; /* SPF then says none */
	}
}

/* policy_sign_start - outbound: one signer per key of the From domain's
 * signing domain, ready for the body */
static void
policy_sign_start(struct policy_eval *e)
{
	const struct policy_conf *c = e->conf;
	const struct policy_signer *s;
	size_t i;

	e->signer = s =
	    e->from_ok ? policy_signer_find(c, e->from.domain) : NULL;
	for (i = 0; s != NULL && i < s->nkeys; i++) {
		dkim_sign_init(&e->sign[i], &s->key[i], s->domain,
		    s->selector[i], e->req.now);
		dkim_sign_options(&e->sign[i], c->nover > 0 ? c->over : NULL,
		    c->nover, s->lifetime);
		dkim_sign_canon(&e->sign[i], s->hcanon, s->bcanon);
	}
}

/* policy_eval_clear - zero e but for its ARC verifier, more than half of
 * its 850 KB, which the caller clears or arc_verify_init does: clearing it
 * twice per message showed in the profile (ci/bench/inbound.py) */
static void
policy_eval_clear(struct policy_eval *e)
{
	sk_zero_except(e, sizeof(*e), offsetof(struct policy_eval, arc),
	    sizeof(e->arc));
}

/* policy_eval_init - start the evaluation of req's message */
void
policy_eval_init(struct policy_eval *e, const struct policy_conf *conf,
    const struct policy_request *req)
{
	policy_eval_clear(e);
	e->conf = conf;
	e->req = *req;
	e->hlen = req->len;
	e->spf_req.identity = SPF_ID_MAILFROM;
	e->spf_req.helo = req->helo;
	e->spf_req.mail_from = req->mail_from;
	e->spf_req.receiver = conf->authserv_id;
	e->spf_req.now = req->now;
	policy_client_ip(e);
	e->from_ok =
	    dmarc_from_parse(req->msg, e->hlen, &e->from) == DMARC_FROM_OK;
	if (req->direction == POLICY_OUTBOUND) {
		memset(&e->arc, 0, sizeof(e->arc));
		policy_sign_start(e);
		return;
	}
	/* the verifiers take the header section now, the body as it
	 * comes; they need DNS only for the keys, later (arc_verify_init
	 * clears the ARC verifier) */
	dkim_verify_init(&e->dkim, req->now);
	arc_verify_init(&e->arc, req->now);
	if (dkim_verify_headers(&e->dkim, req->msg, e->hlen) != SK_OK) {
		e->header_bad = 1;
	}
	(void)arc_verify_headers(&e->arc, req->msg, e->hlen);
	if (conf->seal) {
		arc_seal_init(&e->seal, &conf->seal_key, conf->seal_domain,
		    conf->seal_selector, req->now);
	}
}

/* policy_eval_body - a chunk of the body (policy.h) */
void
policy_eval_body(struct policy_eval *e, const uint8_t *p, size_t n)
{
	size_t i;

	if (e->req.direction == POLICY_OUTBOUND) {
		for (i = 0; e->signer != NULL && i < e->signer->nkeys; i++) {
			dkim_sign_update(&e->sign[i], p, n);
		}
		return;
	}
	dkim_verify_update(&e->dkim, p, n);
	arc_verify_update(&e->arc, p, n);
	if (e->conf->seal) {
		arc_seal_update(&e->seal, p, n);
	}
}

/* policy_eval_whole - init and body from one whole message (policy.h) */
void
policy_eval_whole(struct policy_eval *e, const struct policy_conf *conf,
    const struct policy_request *req)
{
	struct policy_request hr = *req;
	size_t hlen = req->len, body = req->len;

	(void)policy_header_end(req->msg, req->len, &hlen, &body);
	hr.len = hlen;
	policy_eval_init(e, conf, &hr);
	policy_eval_body(e, req->msg + body, req->len - body);
}

/* ---- inbound: the checks ---------------------------------------------- */

/* policy_dkim_word - the verifier's result as DMARC's input */
static enum dmarc_dkim_result
policy_dkim_word(enum dkim_result r)
{
	static const enum dmarc_dkim_result map[] = {
		[DKIM_NONE] = DMARC_DKIM_NONE,
		[DKIM_PASS] = DMARC_DKIM_PASS,
		[DKIM_FAIL] = DMARC_DKIM_FAIL,
		[DKIM_NEUTRAL] = DMARC_DKIM_NEUTRAL,
		[DKIM_TEMPERROR] = DMARC_DKIM_TEMPERROR,
		[DKIM_PERMERROR] = DMARC_DKIM_PERMERROR,
		[DKIM_POLICY] = DMARC_DKIM_POLICY,
	};

	return (size_t)r < SK_NELEM(map) ? map[r] : DMARC_DKIM_NONE;
}

/* policy_lookups - SPF, DKIM keys and ARC keys, side by side: 1 while
 * some answer is still to come */
static int
policy_lookups(struct policy_eval *e, const struct dns_resolver *dns)
{
	int pending = 0;

	if (e->conf->spf && !e->spf_done) {
		if (spf_check(&e->spf, dns, &e->spf_req, &e->spf_out) ==
		    SPF_PENDING) {
			pending = 1;
		} else {
			e->spf_done = 1;
		}
	}
	if (e->conf->dkim && !e->dkim_done) {
		if (dkim_verify_keys(&e->dkim, dns) == DKIM_PENDING) {
			pending = 1;
		} else {
			dkim_verify_final(&e->dkim);
			e->dkim_done = 1;
		}
	}
	if (e->conf->arc && !e->arc_done) {
		if (arc_verify_keys(&e->arc, dns) == ARC_PENDING) {
			pending = 1;
		} else {
			arc_verify_final(&e->arc);
			e->arc_done = 1;
		}
	}
	return pending;
}

/* policy_dmarc - RFC 7489 6.6 over the results; 1 while pending */
static int
policy_dmarc(struct policy_eval *e, const struct dns_resolver *dns)
{
	struct dmarc_request req;
	size_t i, n = e->conf->dkim ? e->dkim.nsig : 0;

	if (!e->conf->dmarc || e->dmarc_done) {
		return 0;
	}
	if (!e->from_ok) {
		/* RFC 7489 6.6.1: no single author domain */
		e->dmarc_out.result = DMARC_PERMERROR;
		snprintf(e->dmarc_out.reason, sizeof(e->dmarc_out.reason), "%s",
		    dmarc_from_status_str(e->from.status));
		e->dmarc_done = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		const struct dkim_vsig *s = &e->dkim.sig[i];

		e->dd[i].domain = s->sig.d[0] != '\0' ? s->sig.d : NULL;
		e->dd[i].result = policy_dkim_word(s->result);
	}
	memset(&req, 0, sizeof(req));
	req.from_domain = e->from.domain;
	req.spf = e->conf->spf ? e->spf_out.result : SPF_NONE;
	req.spf_domain = e->conf->spf && e->spf_out.domain[0] != '\0' ?
	    e->spf_out.domain :
	    NULL;
	req.dkim = e->dd;
	req.ndkim = n;
	/* no pct sampling source: a failing message always gets the
	 * policy (the safe side; RFC 7489 6.6.4 makes sampling a MAY for
	 * what the receiver does with the rest) */
	if (dmarc_check(&e->dmarc, dns, &req, &e->dmarc_out) == DMARC_PENDING) {
		return 1;
	}
	e->dmarc_done = 1;
	return 0;
}

/* ---- inbound: the header block ---------------------------------------- */

/* policy_put - append text to the prepend block; -1 when it is full */
static int
policy_put(struct policy_verdict *v, const char *t, size_t n)
{
	if (n > sizeof(v->prepend) - v->prepend_len) {
		return -1;
	}
	memcpy(v->prepend + v->prepend_len, t, n);
	v->prepend_len += n;
	return 0;
}

/* policy_authres - our Authentication-Results field (RFC 8601) */
static int
policy_authres(const struct policy_eval *e, struct policy_verdict *v)
{
	char field[POLICY_PREPEND_MAX];
	const struct policy_conf *c = e->conf;
	struct authres_builder b;
	size_t i, len;

	authres_begin(&b, field, sizeof(field), "Authentication-Results", 0,
	    c->authserv_id);
	if (c->spf) {
		authres_spf(&b, spf_result_str(e->spf_out.result),
		    e->req.mail_from[0] != '\0' ? e->spf_out.sender : NULL,
		    e->req.mail_from[0] == '\0' ? e->req.helo : NULL);
	}
	for (i = 0; c->dkim && i < e->dkim.nsig; i++) {
		const struct dkim_vsig *s = &e->dkim.sig[i];

		authres_dkim(&b, dkim_result_str(s->result), s->sig.d, s->sig.s,
		    s->sig.b, s->sig.blen);
	}
	if (c->dkim && e->dkim.nsig == 0) {
		authres_result(&b, "dkim", "none");
	}
	if (c->arc) {
		authres_arc(&b, arc_result_str(e->arc.result), e->req.client_ip,
		    e->arc.oldest_pass_known, e->arc.oldest_pass);
	}
	if (c->dmarc) {
		authres_dmarc(&b, dmarc_result_str(e->dmarc_out.result),
		    e->from_ok ? e->from.domain : NULL,
		    e->dmarc_out.result == DMARC_PASS ||
			    e->dmarc_out.result == DMARC_FAIL ?
			dmarc_policy_str(e->dmarc_out.policy) :
			NULL);
	}
	if (authres_end(&b, &len) != SK_OK) {
		return -1;
	}
	return policy_put(v, field, len);
}

/* policy_received_spf - the Received-SPF field (RFC 7208 9.1) */
static int
policy_received_spf(const struct policy_eval *e, struct policy_verdict *v)
{
	char field[SPF_EXP_MAX + 2048];
	size_t n;

	if (!e->conf->spf) {
		return 0;
	}
	n = spf_received_header(&e->spf_out, &e->spf_req, e->conf->authserv_id,
	    field, sizeof(field) - 2);
	if (n == 0) {
		return -1;
	}
	memcpy(field + n, "\r\n", 2);
	return policy_put(v, field, n + 2);
}

/* ---- inbound: the action ---------------------------------------------- */

/* policy_safe - copy a name for a reply: printable ASCII only, so a
 * peer's text cannot end the reply line or start another */
static void
policy_safe(char *out, size_t size, const char *in)
{
	size_t i;

	for (i = 0; i + 1 < size && in[i] != '\0'; i++) {
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '?';
	}
	out[i] = '\0';
}

/* policy_fail - apply a failure-action; text names the check */
static void
policy_fail(struct policy_verdict *v, enum config_fail_action a,
    const char *reply, const char *tag)
{
	char field[sizeof(POLICY_TAG_NAME) + 400];
	int n;

	if (a == CONFIG_FAIL_REJECT) {
		v->action = POLICY_REJECT;
		snprintf(v->reply, sizeof(v->reply), "%s", reply);
		return;
	}
	if (a == CONFIG_FAIL_QUARANTINE) {
		/* the queue keeps it in quarantine (the reason: the tag's
		 * text); the tag goes with it, for whoever releases it */
		n = snprintf(field, sizeof(field),
		    POLICY_TAG_NAME ": quarantine; %s\r\n", tag);
		if (n > 0 && (size_t)n < sizeof(field)) {
			(void)policy_put(v, field, (size_t)n);
		}
		v->action = POLICY_QUARANTINE;
		snprintf(v->reply, sizeof(v->reply), "%s", tag);
	}
}

/* policy_override_tag - the tag field of a message an override let
 * through: the override's name and reason, and the DMARC failure */
static void
policy_override_tag(const struct policy_eval *e, struct policy_verdict *v,
    const char *dom, const char *policy)
{
	char field[sizeof(POLICY_TAG_NAME) + 512];
	int n;

	n = snprintf(field, sizeof(field),
	    POLICY_TAG_NAME ": override; name=%s reason=%s; dmarc=fail "
			    "header.from=%s policy=%s\r\n",
	    e->override->name, config_override_reason_str(e->override->reason),
	    dom, policy);
	if (n > 0 && (size_t)n < sizeof(field)) {
		(void)policy_put(v, field, (size_t)n);
	}
}

/* policy_act - the action for the results, per the config */
static const char *
policy_act(const struct policy_eval *e, struct policy_verdict *v)
{
	const struct policy_conf *c = e->conf;
	char dom[CONFIG_DOMAIN_SIZE], reply[POLICY_REPLY_MAX], tag[320];
	enum dmarc_policy disp = e->dmarc_out.disposition;

	if (c->spf && e->spf_out.result == SPF_FAIL) {
		policy_safe(dom, sizeof(dom), e->spf_out.domain);
		/* RFC 7372 3.2: 5.7.23 is the SPF validation failure */
		snprintf(reply, sizeof(reply),
		    "550 5.7.23 SPF of %.190s does not authorize this client",
		    dom);
		snprintf(tag, sizeof(tag), "spf=fail smtp.mailfrom=%s", dom);
		policy_fail(v, c->spf_fail, reply, tag);
		if (v->action != POLICY_ACCEPT) {
			return "spf";
		}
	}
	if (!c->dmarc || e->dmarc_out.result != DMARC_FAIL ||
	    disp == DMARC_P_NONE) {
		return NULL;
	}
	if (c->arc && arc_trusted_pass(&e->arc, c->sealers, c->nsealers)) {
		return "arc-override"; /* RFC 7489 6.7: local policy */
	}
	policy_safe(dom, sizeof(dom), e->from.domain);
	if (e->override != NULL) {
		/* RFC 7489 6.7: the operator's exception; delivered, and
		 * the tag says which exception let it through */
		policy_override_tag(e, v, dom, dmarc_policy_str(disp));
		return "override";
	}
	snprintf(reply, sizeof(reply),
	    "550 5.7.1 DMARC policy of %.190s rejects this message", dom);
	snprintf(tag, sizeof(tag), "dmarc=fail header.from=%s policy=%s", dom,
	    dmarc_policy_str(disp));
	policy_fail(v,
	    disp == DMARC_P_REJECT ? c->dmarc_reject : c->dmarc_quarantine,
	    reply, tag);
	return v->action != POLICY_ACCEPT ? "dmarc" : NULL;
}

/* policy_replay_act - the replay rule's finding through its action
 * (README.md, "DKIM replay"); "dkim-replay" when it refused the
 * message, else NULL. Only for a message nothing else refused. */
static const char *
policy_replay_act(struct policy_eval *e, struct policy_verdict *v, char *note,
    size_t notelen)
{
	char field[sizeof(POLICY_TAG_NAME) + 400], reply[POLICY_REPLY_MAX];
	char d[CONFIG_DOMAIN_SIZE], why[64];
	enum policy_replay r = policy_replay_check(e);
	int n;

	if (r == POLICY_REPLAY_NO) {
		return NULL;
	}
	policy_safe(d, sizeof(d), e->replay_d);
	if (r == POLICY_REPLAY_RECIPIENTS) {
		snprintf(why, sizeof(why), "recipients recipients=%lu",
		    (unsigned long)e->req.nrcpt);
	} else {
		snprintf(why, sizeof(why), "%s", policy_replay_str(r));
	}
	snprintf(note, notelen, " dkim-replay=suspect reason=%s", why);
	switch (e->conf->replay) {
	case CONFIG_REPLAY_TAG:
		n = snprintf(field, sizeof(field),
		    POLICY_TAG_NAME ": dkim-replay; reason=%s header.d=%s\r\n",
		    why, d);
		if (n > 0 && (size_t)n < sizeof(field)) {
			(void)policy_put(v, field, (size_t)n);
		}
		return NULL;
	case CONFIG_REPLAY_QUARANTINE:
		snprintf(field, sizeof(field),
		    "dkim-replay reason=%s header.d=%s", why, d);
		policy_fail(v, CONFIG_FAIL_QUARANTINE, "", field);
		return "dkim-replay";
	case CONFIG_REPLAY_REJECT:
		if (r == POLICY_REPLAY_RECIPIENTS) {
			snprintf(reply, sizeof(reply),
			    "550 5.7.1 Message signed by %.150s sent to %lu "
			    "recipients looks like a DKIM replay",
			    d, (unsigned long)e->req.nrcpt);
		} else {
			snprintf(reply, sizeof(reply),
			    "550 5.7.1 DKIM signature of %.150s does not cover "
			    "the %s field: looks like a DKIM replay",
			    d, r == POLICY_REPLAY_UNCOVERED_TO ? "To" : "Cc");
		}
		policy_fail(v, CONFIG_FAIL_REJECT, reply, "");
		return "dkim-replay";
	default:
		return NULL; /* none: the log line only */
	}
}

/* policy_dkim_summary - one word for the log: pass if any passed, else
 * the first signature's result, else none */
static const char *
policy_dkim_summary(const struct policy_eval *e)
{
	size_t i;

	if (!e->conf->dkim || e->dkim.nsig == 0) {
		return "none";
	}
	for (i = 0; i < e->dkim.nsig; i++) {
		if (e->dkim.sig[i].result == DKIM_PASS) {
			return "pass";
		}
	}
	return dkim_result_str(e->dkim.sig[0].result);
}

/* policy_seal - the next ARC set over the message (RFC 8617 5.1), its
 * AAR a copy of our A-R (the first arlen octets of the prepend), put on
 * top of the header block; what happened, for the log, in note */
static void
policy_seal(struct policy_eval *e, struct policy_verdict *v, size_t arlen,
    char *note, size_t notelen)
{
	char *set = e->seal_out;
	const struct arc_verify *a = &e->arc;
	size_t n;
	enum sk_result r;

	if (a->nsets > 0 && a->set[a->nsets - 1].nas > 0 &&
	    a->set[a->nsets - 1].as.sig.cv == DKIM_ARC_CV_FAIL) {
		/* RFC 8617 5.1: a chain marked failed stays failed; no
		 * set of ours can mend it */
		snprintf(note, notelen, " arc-seal=none(chain has cv=fail)");
		return;
	}
	r = arc_seal_final(&e->seal, a, e->req.msg, e->hlen, v->prepend, arlen,
	    set, sizeof(e->seal_out), &n);
	if (r != SK_OK || n > sizeof(v->prepend) - v->prepend_len) {
		/* delivered unsealed: the seal is a courtesy to the next
		 * hop, never a reason to refuse mail */
		snprintf(note, notelen, " arc-seal=error(%s)",
		    r != SK_OK ? sk_result_str(r) : "header block full");
		return;
	}
	memmove(v->prepend + n, v->prepend, v->prepend_len);
	memcpy(v->prepend, set, n);
	v->prepend_len += n;
	e->seal_setlen = n; /* for policy_seal_memo */
	e->seal_arlen = arlen;
	snprintf(note, notelen, " arc-seal=i%u cv=%s",
	    a->result == ARC_NONE ? 1u : a->nsets + 1,
	    arc_result_str(a->result));
}

/* policy_seal_memo - what a second seal needs (policy.h) */
int
policy_seal_memo(const struct policy_eval *e, const struct policy_verdict *v,
    struct policy_seal_memo *m)
{
	if (e->seal_setlen == 0 ||
	    e->seal_setlen + e->seal_arlen > v->prepend_len) {
		return 0;
	}
	m->result = e->arc.result;
	m->nsets = e->arc.nsets;
	m->ar = v->prepend + e->seal_setlen; /* our A-R, below our set */
	m->arlen = e->seal_arlen;
	return 1;
}

/* policy_reseal_init - a second seal, over a rewritten message
 * (policy.h) */
void
policy_reseal_init(struct policy_reseal *r, const struct policy_conf *conf,
    const struct policy_seal_memo *m, uint64_t now)
{
	/* arc_seal_final reads only the decision of the chain: the
	 * result and its number of sets, kept from the first evaluation
	 * (no DNS again, and the rewritten ARC fields are not trusted) */
	arc_verify_init(&r->chain, now);
	r->chain.decided = 1;
	r->chain.result = m->result;
	r->chain.nsets = m->nsets;
	arc_seal_init(&r->seal, &conf->seal_key, conf->seal_domain,
	    conf->seal_selector, now);
}

/* policy_reseal_body - a chunk of the rewritten body (policy.h) */
void
policy_reseal_body(struct policy_reseal *r, const uint8_t *p, size_t n)
{
	arc_seal_update(&r->seal, p, n);
}

/* policy_reseal_final - the new set (policy.h) */
enum sk_result
policy_reseal_final(struct policy_reseal *r, const struct policy_seal_memo *m,
    const uint8_t *hdr, size_t hlen, char *out, size_t max, size_t *outlen)
{
	return arc_seal_final(&r->seal, &r->chain, hdr, hlen, m->ar, m->arlen,
	    out, max, outlen);
}

/* policy_inbound_verdict - header block, action and log line */
static void
policy_inbound_verdict(struct policy_eval *e, struct policy_verdict *v)
{
	char over[CONFIG_OVERRIDE_NAME_SIZE + 48] = "", seal[64] = "";
	char replay[96] = "";
	const char *why;
	size_t arlen;

	int bad = policy_authres(e, v) != 0;

	arlen = v->prepend_len; /* our A-R field, which the AAR copies */
	if (bad || policy_received_spf(e, v) != 0) {
		/* cannot happen within the local limits; never deliver a
		 * message without its results */
		v->action = POLICY_TEMPFAIL;
		snprintf(v->reply, sizeof(v->reply),
		    "451 4.7.1 Sender authentication results do not fit");
		why = "header-block";
	} else {
		why = policy_act(e, v);
		if (v->action == POLICY_ACCEPT) {
			const char *r =
			    policy_replay_act(e, v, replay, sizeof(replay));

			why = r != NULL ? r : why;
		}
		if (why != NULL && strcmp(why, "override") == 0) {
			snprintf(over, sizeof(over), " override=%s reason=%s",
			    e->override->name,
			    config_override_reason_str(e->override->reason));
		}
		if (e->conf->seal && v->action == POLICY_ACCEPT) {
			policy_seal(e, v, arlen, seal, sizeof(seal));
		}
	}
	snprintf(v->log, sizeof(v->log),
	    "spf=%s dkim=%s arc=%s dmarc=%s%s%s%s%s action=%s renamed=%zu%s",
	    e->conf->spf ? spf_result_str(e->spf_out.result) : "off",
	    policy_dkim_summary(e),
	    e->conf->arc ? arc_result_str(e->arc.result) : "off",
	    e->conf->dmarc ? dmarc_result_str(e->dmarc_out.result) : "off",
	    replay, why != NULL ? " by=" : "", why != NULL ? why : "", over,
	    policy_action_str(v->action), v->nrenames, seal);
}

/* ---- outbound: signatures --------------------------------------------- */

/* policy_signer_find - the signer of a From domain (see policy.h) */
const struct policy_signer *
policy_signer_find(const struct policy_conf *conf, const char *domain)
{
	const struct policy_signer *best = NULL;
	size_t dlen = strlen(domain), i, n;

	for (i = 0; i < conf->nsigners; i++) {
		const struct policy_signer *s = &conf->signers[i];

		n = strlen(s->domain);
		if (n == dlen && strcasecmp(s->domain, domain) == 0) {
			return s;
		}
		if (s->include_subdomains && n < dlen &&
		    domain[dlen - n - 1] == '.' &&
		    strcasecmp(domain + dlen - n, s->domain) == 0 &&
		    (best == NULL || n > strlen(best->domain))) {
			best = s;
		}
	}
	return best;
}

/* policy_outbound_verdict - one DKIM-Signature per key of the From
 * domain's signer: the prepend block */
static void
policy_outbound_verdict(struct policy_eval *e, struct policy_verdict *v)
{
	char field[DKIM_SIGN_HEADER_MAX];
	const struct policy_signer *s = e->signer;
	char sels[POLICY_LOG_MAX / 2] = "";
	size_t i, n, used = 0;

	for (i = 0; s != NULL && i < s->nkeys; i++) {
		if (dkim_sign_final(&e->sign[i], e->req.msg, e->hlen, field,
			sizeof(field), &n) != SK_OK ||
		    policy_put(v, field, n) != 0) {
			v->action = POLICY_TEMPFAIL;
			snprintf(v->reply, sizeof(v->reply),
			    "451 4.7.1 The message could not be signed");
			break;
		}
		used += (size_t)snprintf(sels + used, sizeof(sels) - used,
		    "%s%s", used > 0 ? "," : "", s->selector[i]);
		if (used >= sizeof(sels)) {
			used = sizeof(sels) - 1;
		}
	}
	if (s == NULL || s->nkeys == 0) {
		snprintf(v->log, sizeof(v->log),
		    "outbound dkim=unsigned (no signing domain for %s) "
		    "action=%s renamed=%zu",
		    e->from_ok ? e->from.domain : "a message without one From",
		    policy_action_str(v->action), v->nrenames);
		return;
	}
	snprintf(v->log, sizeof(v->log),
	    "outbound dkim=%s d=%s s=%s action=%s renamed=%zu",
	    v->action == POLICY_ACCEPT ? "signed" : "error", s->domain, sels,
	    policy_action_str(v->action), v->nrenames);
}

/* ---- the run ---------------------------------------------------------- */

/* policy_dmarc_overridable - DMARC failed with a policy that acts, and
 * no trusted ARC sealer vouches for the message (that override comes
 * first, as in policy_act) */
static int
policy_dmarc_overridable(const struct policy_eval *e)
{
	const struct policy_conf *c = e->conf;

	return c->dmarc && e->dmarc_out.result == DMARC_FAIL &&
	    e->dmarc_out.disposition != DMARC_P_NONE &&
	    !(c->arc && arc_trusted_pass(&e->arc, c->sealers, c->nsealers));
}

/* policy_eval_run - go as far as the answers allow (policy.h) */
enum policy_status
policy_eval_run(struct policy_eval *e, const struct dns_resolver *dns,
    struct policy_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (e->req.direction == POLICY_INBOUND) {
		if (policy_lookups(e, dns) || policy_dmarc(e, dns)) {
			return POLICY_PENDING;
		}
		e->override = policy_dmarc_overridable(e) ?
		    policy_override_find(e) :
		    NULL;
	}
	if (policy_renames(e, v) != 0) {
		v->action = POLICY_REJECT;
		snprintf(v->reply, sizeof(v->reply),
		    "554 5.7.1 Too many Authentication-Results fields "
		    "claim to be ours");
		snprintf(v->log, sizeof(v->log),
		    "more than %d forged Authentication-Results action=reject",
		    POLICY_RENAMES_MAX);
		return POLICY_DONE;
	}
	if (e->req.direction == POLICY_INBOUND) {
		policy_inbound_verdict(e, v);
	} else {
		policy_outbound_verdict(e, v);
	}
	return POLICY_DONE;
}

/*
 * fuzz_policy.c - libFuzzer target for the policy core (policy.h): the
 * input is a whole message, checked inbound and signed outbound over a
 * zone that publishes SPF, DMARC and the signing key, with a DMARC
 * override by List-Id and client network, and the ARC seal on.
 *
 * Invariants: a verdict always comes (no pending with a zone); its
 * header block passes msg_header_block_ok; every rename offset points at
 * an "Authentication-Results" field name inside the header section; a
 * reject or tempfail has a reply of its class, an accept none; a message
 * an override let through is accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "../dns/dns_zone.h"
#include "msg_body.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_conf conf;
static struct config_dmarc_override over;
static struct policy_eval ev;
static struct policy_verdict vd;
static struct dns_zone zone;
static struct dns_zone_rr zone_rr[32];
static uint8_t zone_data[8192];
static struct dns_resolver dns;
static int ready;

static const uint8_t seed[32] = { 9 };

/* setup - the config and the zone, once */
static void
setup(void)
{
	static char text[2048];
	struct policy_signer *s = &conf.signers[0];
	char txt[256];
	int n;

	snprintf(conf.authserv_id, sizeof(conf.authserv_id), "mx.test");
	conf.spf = conf.dkim = conf.dmarc = conf.arc = 1;
	conf.spf_fail = CONFIG_FAIL_REJECT;
	conf.dmarc_reject = CONFIG_FAIL_REJECT;
	conf.dmarc_quarantine = CONFIG_FAIL_QUARANTINE;
	conf.nsigners = 1;
	/* the DKIM replay rule with its tag, and a low count */
	conf.replay = CONFIG_REPLAY_TAG;
	conf.replay_max_rcpt = 3;
	snprintf(s->domain, sizeof(s->domain), "a.test");
	s->include_subdomains = 1;
	snprintf(s->selector[0], sizeof(s->selector[0]), "s");
	if (dkim_signkey_ed25519(&s->key[0], seed) != SK_OK ||
	    dkim_signkey_txt(&s->key[0], txt, sizeof(txt)) == 0) {
		abort();
	}
	s->nkeys = 1;
	/* the seal signs with the same key (d=a.test s=s) */
	conf.seal = 1;
	conf.seal_key = s->key[0];
	snprintf(conf.seal_domain, sizeof(conf.seal_domain), "a.test");
	snprintf(conf.seal_selector, sizeof(conf.seal_selector), "s");
	snprintf(over.name, sizeof(over.name), "list");
	over.reason = CONFIG_OVERRIDE_MAILING_LIST;
	over.networks[0].family = AF_INET;
	memcpy(over.networks[0].addr, "\xc0\x00\x02\x00", 4);
	over.networks[0].len = 24;
	over.nnetworks = 1;
	snprintf(over.list_id[0], sizeof(over.list_id[0]), "l.a.test");
	over.nlist_id = 1;
	conf.overrides = &over;
	conf.noverrides = 1;
	n = snprintf(text, sizeof(text),
	    "$TTL 300\n"
	    "a.test. TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
	    "_dmarc.a.test. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.q.test. TXT \"v=DMARC1; p=quarantine\"\n"
	    "s._domainkey.a.test. TXT \"%s\"\n",
	    txt);
	dns_zone_init(&zone, zone_rr, 32, zone_data, sizeof(zone_data));
	if (dns_zone_parse(&zone, (const uint8_t *)text, (size_t)n) != SK_OK) {
		abort();
	}
	dns_zone_resolver(&zone, &dns);
	ready = 1;
}

/* dkim_passed - some signature of the evaluation passed */
static int
dkim_passed(void)
{
	size_t i;

	for (i = 0; i < ev.dkim.nsig; i++) {
		if (ev.dkim.sig[i].result == DKIM_PASS) {
			return 1;
		}
	}
	return 0;
}

/* check - the invariants of one verdict over msg (a replay suspect
 * always rests on a passing signature) */
static void
check(const uint8_t *msg, size_t len)
{
	size_t i, hlen = len, body = len;

	(void)policy_header_end(msg, len, &hlen, &body);
	if (!msg_header_block_ok((const uint8_t *)vd.prepend, vd.prepend_len) ||
	    (vd.action == POLICY_ACCEPT) != (vd.reply[0] == '\0') ||
	    (vd.action == POLICY_REJECT && vd.reply[0] != '5') ||
	    (vd.action == POLICY_TEMPFAIL && vd.reply[0] != '4') ||
	    (ev.override != NULL && vd.action != POLICY_ACCEPT) ||
	    (ev.replay != POLICY_REPLAY_NO && !dkim_passed())) {
		abort();
	}
	for (i = 0; i < vd.nrenames; i++) {
		if (vd.renames[i] + 22 > hlen ||
		    strncasecmp((const char *)msg + vd.renames[i],
			POLICY_AR_NAME, 22) != 0) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_request req;
	int dir;

	if (!ready) {
		setup();
	}
	for (dir = 0; dir < 2; dir++) {
		memset(&req, 0, sizeof(req));
		req.client_ip = "192.0.2.1";
		req.helo = "h.a.test";
		req.mail_from = dir == 0 ? "x@a.test" : "";
		req.auth_user = "";
		req.direction = dir == 0 ? POLICY_INBOUND : POLICY_OUTBOUND;
		req.msg = data;
		req.len = size;
		req.now = 1764115200;
		req.nrcpt = (uint32_t)(size % 8); /* around max-recipients */
		policy_eval_whole(&ev, &conf, &req);
		if (policy_eval_run(&ev, &dns, &vd) != POLICY_DONE) {
			abort();
		}
		check(data, size);
	}
	return 0;
}

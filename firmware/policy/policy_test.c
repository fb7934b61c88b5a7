/*
 * policy_test.c - the policy core over a zone-file resolver: signing and
 * checking round trips, each action of the config, forged
 * Authentication-Results, re-runs over a deferring resolver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../dns/dns_defer.h"
#include "../dns/dns_zone.h"
#include "policy.h"
#include "policy_msg.h"
#include "policy_report.h"
#include "test.h"

#define T_AUTHSERV "mx.example.net"
#define T_NOW 1764115200u /* 2025-11-26 */

static struct policy_conf conf;
static struct policy_eval ev;
static struct policy_verdict vd;
static struct dns_zone zone;
static struct dns_zone_rr zone_rr[64];
static uint8_t zone_data[16384];
static struct dns_resolver zdns;
static char zone_text[8192];
static char msgbuf[16384];
static uint32_t t_nrcpt; /* the envelope's recipients for t_run */

/* the test's Ed25519 key: a fixed seed, so runs are repeatable */
static const uint8_t t_seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32 };
/* the ARC seal's key (the config wants RSA; the core takes any key) */
static const uint8_t t_seal_seed[32] = { 42 };

static const char t_zone_fmt[] =
    "$TTL 300\n"
    "good.test. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "_dmarc.good.test. TXT \"v=DMARC1; p=reject\"\n"
    "ed._domainkey.good.test. TXT \"%s\"\n"
    "bank.test. TXT \"v=spf1 ip4:192.0.2.99 -all\"\n"
    "_dmarc.bank.test. TXT \"v=DMARC1; p=reject\"\n"
    "shop.test. TXT \"v=spf1 ip4:192.0.2.98 -all\"\n"
    "_dmarc.shop.test. TXT \"v=DMARC1; p=quarantine\"\n"
    "helo.test. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "list.test. TXT \"v=spf1 ip4:192.0.2.97 -all\"\n"
    "_dmarc.list.test. TXT \"v=DMARC1; p=reject; rua=mailto:agg@list.test\"\n"
    "seal._domainkey.seal.test. TXT \"%s\"\n";

static const char t_body[] = "To: b@example.org\r\n"
			     "Subject: hello\r\n"
			     "Date: Wed, 26 Nov 2025 00:00:00 +0000\r\n"
			     "Message-ID: <1@good.test>\r\n"
			     "\r\n"
			     "Hello there.\r\n";

/* t_setup - the config, the key and the zone that publishes it */
static int
t_setup(void)
{
	struct policy_signer *s;
	char txt[256], seal_txt[256];
	int n;

	memset(&conf, 0, sizeof(conf));
	t_nrcpt = 0;
	snprintf(conf.authserv_id, sizeof(conf.authserv_id), T_AUTHSERV);
	conf.spf = conf.dkim = conf.dmarc = conf.arc = 1;
	conf.spf_fail = CONFIG_FAIL_TAG;
	conf.dmarc_reject = CONFIG_FAIL_REJECT;
	conf.dmarc_quarantine = CONFIG_FAIL_QUARANTINE;
	s = &conf.signers[conf.nsigners++];
	snprintf(s->domain, sizeof(s->domain), "good.test");
	s->include_subdomains = 1;
	snprintf(s->selector[0], sizeof(s->selector[0]), "ed");
	if (dkim_signkey_ed25519(&s->key[0], t_seed) != SK_OK ||
	    dkim_signkey_txt(&s->key[0], txt, sizeof(txt)) == 0) {
		test_fail("cannot make the Ed25519 key");
		return -1;
	}
	s->nkeys = 1;
	if (dkim_signkey_ed25519(&conf.seal_key, t_seal_seed) != SK_OK ||
	    dkim_signkey_txt(&conf.seal_key, seal_txt, sizeof(seal_txt)) == 0) {
		test_fail("cannot make the seal's key");
		return -1;
	}
	snprintf(conf.seal_domain, sizeof(conf.seal_domain), "seal.test");
	snprintf(conf.seal_selector, sizeof(conf.seal_selector), "seal");
	n = snprintf(zone_text, sizeof(zone_text), t_zone_fmt, txt, seal_txt);
	dns_zone_init(&zone, zone_rr, SK_NELEM(zone_rr), zone_data,
	    sizeof(zone_data));
	if (dns_zone_parse(&zone, (const uint8_t *)zone_text, (size_t)n) !=
	    SK_OK) {
		test_fail("zone line %zu: %s", zone.line, zone.err);
		return -1;
	}
	dns_zone_resolver(&zone, &zdns);
	return 0;
}

/* t_msg - "From: <from>" and the fixed rest, after extra header text */
static size_t
t_msg(const char *extra, const char *from)
{
	int n = snprintf(msgbuf, sizeof(msgbuf),
	    "Received: from client by " T_AUTHSERV "; now\r\n%sFrom: %s\r\n%s",
	    extra, from, t_body);

	return (size_t)n;
}

/* t_run - one evaluation over dns, to the end */
static void
t_run(enum policy_direction dir, const char *ip, const char *mail_from,
    const uint8_t *msg, size_t len, const struct dns_resolver *dns)
{
	struct policy_request req;
	int rounds = 0;

	memset(&req, 0, sizeof(req));
	req.client_ip = ip;
	req.helo = "helo.test";
	req.mail_from = mail_from;
	req.auth_user = dir == POLICY_OUTBOUND ? "alice" : "";
	req.direction = dir;
	req.msg = msg;
	req.len = len;
	req.now = T_NOW;
	req.nrcpt = t_nrcpt;
	policy_eval_whole(&ev, &conf, &req);
	while (policy_eval_run(&ev, dns, &vd) == POLICY_PENDING &&
	    rounds++ < 100) {
	}
}

/* t_has - the prepend block contains text */
static int
t_has(const char *text)
{
	char copy[POLICY_PREPEND_MAX + 1];

	memcpy(copy, vd.prepend, vd.prepend_len);
	copy[vd.prepend_len] = '\0';
	return strstr(copy, text) != NULL;
}

/* t_signed - a message of good.test signed outbound, into out */
static size_t
t_signed(char *out, size_t cap)
{
	size_t len = t_msg("", "Alice <a@good.test>");

	t_run(POLICY_OUTBOUND, "10.0.0.5", "a@good.test",
	    (const uint8_t *)msgbuf, len, &zdns);
	if (vd.action != POLICY_ACCEPT || vd.prepend_len + len > cap) {
		test_fail("signing: got %s (%s)", policy_action_str(vd.action),
		    vd.log);
		return 0;
	}
	memcpy(out, vd.prepend, vd.prepend_len);
	memcpy(out + vd.prepend_len, msgbuf, len);
	return vd.prepend_len + len;
}

static void
test_sign_then_verify(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	size_t len;

	if (t_setup() != 0 || (len = t_signed(m, sizeof(m))) == 0) {
		return;
	}
	TEST_CHECK(strncmp(m, "DKIM-Signature: v=1; a=ed25519-sha256;", 38) ==
		0,
	    "prepend: got %.40s", m);
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    len, &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT, "action: got %s (%s)",
	    policy_action_str(vd.action), vd.log);
	TEST_CHECK(strncmp(vd.prepend,
		       "Authentication-Results: " T_AUTHSERV ";", 39) == 0,
	    "first field: got %.60s", vd.prepend);
	TEST_CHECK(t_has("spf=pass") && t_has("dkim=pass") &&
		t_has("dmarc=pass") && t_has("header.d=good.test") &&
		t_has("\r\nReceived-SPF: pass"),
	    "results: got %.*s", (int)vd.prepend_len, vd.prepend);
	TEST_CHECK(strstr(vd.log, "spf=pass dkim=pass arc=none dmarc=pass") !=
		    NULL &&
		strstr(vd.log, "action=accept") != NULL,
	    "log: got %s", vd.log);
	/* one body octet changed: the signature fails, SPF still aligns */
	m[len - 3] ^= 1;
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    len, &zdns);
	TEST_CHECK(t_has("dkim=fail") && t_has("dmarc=pass") &&
		vd.action == POLICY_ACCEPT,
	    "changed body: got %s", vd.log);
}

/* the config's over-signed names and signature lifetime reach h= and x= */
static void
test_sign_options(void)
{
	static const char *const over[] = { "subject", "x-mailer" };
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	conf.over[0] = over[0];
	conf.over[1] = over[1];
	conf.nover = 2;
	conf.signers[0].lifetime = 7 * 24 * 3600;
	if ((len = t_signed(m, sizeof(m))) == 0) {
		return;
	}
	TEST_CHECK(t_has(" x=1764720000;") &&
		t_has("h=from:subject:subject:to:date:message-id:") &&
		t_has("x-mailer;"),
	    "options: got %.*s", (int)vd.prepend_len, vd.prepend);
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    len, &zdns);
	TEST_CHECK(t_has("dkim=pass"), "verify: got %s", vd.log);
}

static void
test_dmarc_reject(void)
{
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	len = t_msg("", "Bank <security@bank.test>");
	t_run(POLICY_INBOUND, "203.0.113.7", "x@elsewhere.invalid",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_REJECT &&
		strcmp(vd.reply,
		    "550 5.7.1 DMARC policy of bank.test rejects this "
		    "message") == 0,
	    "forged From: got %s \"%s\" (%s)", policy_action_str(vd.action),
	    vd.reply, vd.log);
	TEST_CHECK(strstr(vd.log, "dmarc=fail by=dmarc action=reject") != NULL,
	    "log: got %s", vd.log);
	/* the config may only tag */
	conf.dmarc_reject = CONFIG_FAIL_TAG;
	t_run(POLICY_INBOUND, "203.0.113.7", "x@elsewhere.invalid",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT && t_has("dmarc=fail") &&
		!t_has("X-Sekimori-Policy"),
	    "tag: got %s", vd.log);
}

static void
test_dmarc_quarantine(void)
{
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	len = t_msg("", "shop@shop.test");
	t_run(POLICY_INBOUND, "203.0.113.7", "shop@shop.test",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_QUARANTINE &&
		strcmp(vd.reply,
		    "dmarc=fail header.from=shop.test policy=quarantine") ==
		    0 &&
		t_has("X-Sekimori-Policy: quarantine; dmarc=fail "
		      "header.from=shop.test policy=quarantine\r\n") &&
		t_has("spf=fail") && strstr(vd.log, "action=quarantine"),
	    "quarantine: got %s %.*s", vd.log, (int)vd.prepend_len, vd.prepend);
}

static void
test_spf_fail_action(void)
{
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	conf.spf_fail = CONFIG_FAIL_REJECT;
	conf.dmarc = 0;
	len = t_msg("", "a@good.test");
	t_run(POLICY_INBOUND, "203.0.113.7", "a@good.test",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_REJECT &&
		strncmp(vd.reply, "550 5.7.23 SPF of good.test", 27) == 0,
	    "spf reject: got %s \"%s\"", vd.log, vd.reply);
	TEST_CHECK(strstr(vd.log, "dmarc=off") != NULL, "log: got %s", vd.log);
	/* the null sender: the HELO identity (RFC 7208 2.4) */
	t_run(POLICY_INBOUND, "192.0.2.10", "", (const uint8_t *)msgbuf, len,
	    &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT && t_has("spf=pass") &&
		t_has("smtp.helo=helo.test"),
	    "null sender: got %s", vd.log);
}

static void
test_forged_authres(void)
{
	const char *extra =
	    "Authentication-Results: " T_AUTHSERV "; dkim=pass\r\n"
	    "Authentication-Results: other.example; spf=pass\r\n"
	    "authentication-results: (c) \"MX.example.NET\"; dmarc=pass\r\n";
	size_t len, i;

	if (t_setup() != 0) {
		return;
	}
	len = t_msg(extra, "a@good.test");
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.nrenames == 2, "renames: got %zu, want 2", vd.nrenames);
	for (i = 0; i < vd.nrenames && i < 2; i++) {
		TEST_CHECK(strncasecmp(msgbuf + vd.renames[i],
			       POLICY_AR_NAME ":", 23) == 0,
		    "rename %zu at %llu: %.30s", i,
		    (unsigned long long)vd.renames[i], msgbuf + vd.renames[i]);
	}
	TEST_CHECK(strlen(POLICY_AR_NAME) == strlen(POLICY_RENAMED_NAME),
	    "the renamed name must have the same length");
}

static void
test_forged_authres_too_many(void)
{
	char extra[64 * (POLICY_RENAMES_MAX + 1) + 1] = "";
	size_t len, i;

	if (t_setup() != 0) {
		return;
	}
	for (i = 0; i <= POLICY_RENAMES_MAX; i++) {
		strcat(extra,
		    "Authentication-Results: " T_AUTHSERV "; x=y\r\n");
	}
	len = t_msg(extra, "a@good.test");
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_REJECT &&
		strncmp(vd.reply, "554 5.7.1", 9) == 0,
	    "too many: got %s", vd.log);
}

static void
test_no_from(void)
{
	const char *m = "Subject: x\r\n\r\nbody\r\n";

	if (t_setup() != 0) {
		return;
	}
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    strlen(m), &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT && t_has("dmarc=permerror"),
	    "no From: got %s", vd.log);
	/* no header section at all, and no body */
	t_run(POLICY_INBOUND, "192.0.2.10", "", (const uint8_t *)"\r\n", 2,
	    &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT, "empty: got %s", vd.log);
	t_run(POLICY_INBOUND, "bogus", "", (const uint8_t *)"x", 1, &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT, "garbage: got %s", vd.log);
	/* outbound without a signer: accepted unsigned */
	t_run(POLICY_OUTBOUND, "10.0.0.5", "", (const uint8_t *)m, strlen(m),
	    &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT && vd.prepend_len == 0 &&
		strstr(vd.log, "dkim=unsigned") != NULL,
	    "outbound unsigned: got %s", vd.log);
}

static void
test_signer_find(void)
{
	const struct policy_signer *s;

	if (t_setup() != 0) {
		return;
	}
	s = policy_signer_find(&conf, "GOOD.test");
	TEST_CHECK(s == &conf.signers[0], "exact: not found");
	s = policy_signer_find(&conf, "news.good.test");
	TEST_CHECK(s == &conf.signers[0], "subdomain: not found");
	TEST_CHECK(policy_signer_find(&conf, "notgood.test") == NULL,
	    "notgood.test: found");
	conf.signers[0].include_subdomains = 0;
	TEST_CHECK(policy_signer_find(&conf, "news.good.test") == NULL,
	    "subdomain without include: found");
}

/* the body in small chunks: the same verdicts, inbound and outbound */
static void
test_streaming(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	static char signed_whole[POLICY_PREPEND_MAX];
	char want[POLICY_LOG_MAX];
	struct policy_request req;
	size_t len, hlen, body, off, n, k;
	int dir;

	if (t_setup() != 0 || (len = t_signed(m, sizeof(m))) == 0) {
		return;
	}
	memcpy(signed_whole, vd.prepend, vd.prepend_len);
	signed_whole[vd.prepend_len] = '\0';
	for (dir = 0; dir < 2; dir++) {
		/* outbound: the unsigned message again; inbound: the signed */
		const char *msg = dir == 0 ? m + strlen(signed_whole) : m;
		size_t mlen = dir == 0 ? len - strlen(signed_whole) : len;

		memset(&req, 0, sizeof(req));
		req.client_ip = dir == 0 ? "10.0.0.5" : "192.0.2.10";
		req.helo = "helo.test";
		req.mail_from = "a@good.test";
		req.auth_user = "";
		req.direction = dir == 0 ? POLICY_OUTBOUND : POLICY_INBOUND;
		req.now = T_NOW;
		req.msg = (const uint8_t *)msg;
		req.len = mlen;
		policy_eval_whole(&ev, &conf, &req);
		(void)policy_eval_run(&ev, &zdns, &vd);
		snprintf(want, sizeof(want), "%s", vd.log);
		if (policy_header_end((const uint8_t *)msg, mlen, &hlen,
			&body) != SK_OK) {
			test_fail("no header end");
			return;
		}
		req.len = hlen;
		policy_eval_init(&ev, &conf, &req);
		for (off = body, k = 1; off < mlen; off += n, k++) {
			n = k % 7 + 1 < mlen - off ? k % 7 + 1 : mlen - off;
			policy_eval_body(&ev, (const uint8_t *)msg + off, n);
		}
		(void)policy_eval_run(&ev, &zdns, &vd);
		TEST_CHECK(strcmp(vd.log, want) == 0,
		    "direction %d: got %s, want %s", dir, vd.log, want);
		if (dir == 0) {
			TEST_CHECK(vd.prepend_len == strlen(signed_whole) &&
				memcmp(vd.prepend, signed_whole,
				    vd.prepend_len) == 0,
			    "streamed signature differs");
		}
	}
}

/* every query deferred once: the same verdict as the zone's at once */
static void
test_rerun_deferred(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	static struct dns_defer d;
	struct dns_resolver dd;
	char want[POLICY_LOG_MAX];
	size_t len;

	if (t_setup() != 0 || (len = t_signed(m, sizeof(m))) == 0) {
		return;
	}
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    len, &zdns);
	snprintf(want, sizeof(want), "%s", vd.log);
	memset(&d, 0, sizeof(d));
	d.inner = zdns;
	dd = dns_defer_resolver(&d);
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    len, &dd);
	TEST_CHECK(d.pending > 0, "nothing was deferred");
	TEST_CHECK(strcmp(vd.log, want) == 0, "deferred: got %s, want %s",
	    vd.log, want);
}

/* test_wire_rcpts - P_CHECK's recipients: a round trip, what does not
 * fit in one body is counted, bad addresses are refused */
static void
test_wire_rcpts(struct policy_check *c, struct policy_check *c2,
    uint8_t buf[MSG_BODY_MAX])
{
	static const char *const want[] = { "a@example.org", "Postmaster",
		"b@b.example" };
	char addr[64];
	struct msg_body_writer w;
	uint32_t i, added = 0;

	TEST_CHECK(policy_check_add_rcpt(c, "") == -1 &&
		policy_check_add_rcpt(c, "x\ny@z") == -1 &&
		c->rcpt_omitted == 2 && c->nrcpt == 0,
	    "add_rcpt: bad addresses taken");
	c->rcpt_omitted = 0;
	for (i = 0; i < SK_NELEM(want); i++) {
		TEST_CHECK(policy_check_add_rcpt(c, want[i]) == 0,
		    "add_rcpt %s refused", want[i]);
	}
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_check_put(&w, c);
	TEST_CHECK(policy_msg_check_get(buf, w.len, c2) == SK_OK &&
		c2->nrcpt == 3 && c2->rcpt_omitted == 0 &&
		strcmp(policy_check_rcpt(c2, 1), "Postmaster") == 0 &&
		strcmp(policy_check_rcpt(c2, 2), "b@b.example") == 0,
	    "rcpts: no round trip (%u)", c2->nrcpt);
	/* a recipient that ends with its NUL inside: refused */
	TEST_CHECK(policy_msg_check_get(buf, w.len - 6, c2) == SK_E_SYNTAX,
	    "rcpts: short body accepted");
	buf[w.len - 5] = '\0'; /* "b@b.exampl" NUL */
	TEST_CHECK(policy_msg_check_get(buf, w.len, c2) == SK_E_SYNTAX,
	    "rcpts: a NUL in an address accepted");
	/* more than one body holds: the encoder carries what fits */
	memset(c->rcpt_off, 0, sizeof(c->rcpt_off));
	c->nrcpt = 0;
	c->rcpt_len = 0;
	for (i = 0; i < 2000; i++) {
		snprintf(addr, sizeof(addr), "user%u@example.org", i);
		added += policy_check_add_rcpt(c, addr) == 0;
	}
	TEST_CHECK(added + c->rcpt_omitted == 2000 && added > 500,
	    "add_rcpt: %u added, %u omitted", added, c->rcpt_omitted);
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_check_put(&w, c);
	TEST_CHECK(!w.err && policy_msg_check_get(buf, w.len, c2) == SK_OK &&
		c2->nrcpt > 500 && c2->nrcpt < added &&
		c2->nrcpt + c2->rcpt_omitted == 2000 &&
		strcmp(policy_check_rcpt(c2, c2->nrcpt - 1),
		    policy_check_rcpt(c, c2->nrcpt - 1)) == 0,
	    "rcpts: %u carried, %u omitted of 2000", c2->nrcpt,
	    c2->rcpt_omitted);
	/* a count past the limit is refused before anything is read */
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	msg_body_put_cstr(&w, "Q1");
	msg_body_put_cstr(&w, "");
	msg_body_put_cstr(&w, "");
	msg_body_put_cstr(&w, "");
	msg_body_put_cstr(&w, "");
	msg_body_put_u8(&w, 0);
	msg_body_put_u32(&w, POLICY_MSG_RCPT_MAX + 1);
	msg_body_put_u32(&w, 0);
	TEST_CHECK(policy_msg_check_get(buf, w.len, c2) == SK_E_SYNTAX,
	    "rcpts: a count past the limit accepted");
}

/* P_VERDICT's optional rewrite mode: absent is none, present goes with
 * accept (strip: the reply is the quarantine reason) or quarantine
 * (replace only); an explicit 0 or an unknown mode is refused */
static void
test_wire_rewrite(struct policy_wire_verdict *v, struct policy_wire_verdict *v2,
    uint8_t *buf)
{
	struct msg_body_writer w;

	memset(v, 0, sizeof(*v));
	snprintf(v->qid, sizeof(v->qid), "4F2A1B3C");
	v->action = MSG_POLICY_ACCEPT;
	v->rewrite = MSG_REWRITE_REPLACE;
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_OK &&
		v2->rewrite == MSG_REWRITE_REPLACE,
	    "verdict: replace no round trip");
	TEST_CHECK(policy_msg_verdict_get(buf, w.len - 1, v2) == SK_OK &&
		v2->rewrite == MSG_REWRITE_NONE,
	    "verdict: without the byte, not none");
	buf[w.len - 1] = 0;
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: an explicit 0 accepted");
	buf[w.len - 1] = 3;
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: rewrite 3 accepted");
	v->rewrite = MSG_REWRITE_STRIP;
	snprintf(v->reply, sizeof(v->reply), "rule exe: stripped");
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_OK &&
		v2->rewrite == MSG_REWRITE_STRIP &&
		strcmp(v2->reply, "rule exe: stripped") == 0,
	    "verdict: strip no round trip");
	v->reply[0] = '\0';
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: strip without a reason accepted");
	v->action = MSG_POLICY_REJECT;
	v->rewrite = MSG_REWRITE_REPLACE;
	snprintf(v->reply, sizeof(v->reply), "550 5.7.1 no");
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: reject with a rewrite accepted");
}

/* P_VERDICT's optional notice: after the rewrite byte (then sent even
 * when 0), only when not empty; printable CRLF lines only */
static void
test_wire_notice(struct policy_wire_verdict *v, struct policy_wire_verdict *v2,
    uint8_t *buf)
{
	struct msg_body_writer w;
	size_t plain_len;

	memset(v, 0, sizeof(*v));
	snprintf(v->qid, sizeof(v->qid), "4F2A1B3C");
	v->action = MSG_POLICY_REJECT;
	snprintf(v->reply, sizeof(v->reply), "550 5.7.1 no");
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	plain_len = w.len;
	snprintf(v->notice, sizeof(v->notice), "Queue id: 4F2A1B3C\r\n");
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(w.len == plain_len + 1 + 2 + strlen(v->notice) &&
		policy_msg_verdict_get(buf, w.len, v2) == SK_OK &&
		v2->rewrite == MSG_REWRITE_NONE &&
		strcmp(v2->notice, v->notice) == 0,
	    "verdict: notice no round trip");
	TEST_CHECK(policy_msg_verdict_get(buf, plain_len, v2) == SK_OK &&
		v2->notice[0] == '\0',
	    "verdict: without the trailers, a notice");
	v->action = MSG_POLICY_ACCEPT;
	v->reply[0] = '\0';
	v->rewrite = MSG_REWRITE_REPLACE;
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_OK &&
		v2->rewrite == MSG_REWRITE_REPLACE &&
		strcmp(v2->notice, v->notice) == 0,
	    "verdict: notice with a rewrite no round trip");
	snprintf(v->notice, sizeof(v->notice), "bare\nLF\r\n");
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: a notice with a bare LF accepted");
	snprintf(v->notice, sizeof(v->notice), "no end");
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: a notice without CRLF accepted");
	memset(v->notice, 'a', MSG_NOTICE_MAX - 1);
	memcpy(v->notice + MSG_NOTICE_MAX - 1, "\r\n", 3);
	msg_body_writer_init(&w, buf, MSG_BODY_MAX);
	policy_msg_verdict_put(&w, v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, v2) == SK_E_SYNTAX,
	    "verdict: a notice over MSG_NOTICE_MAX accepted");
	TEST_CHECK(policy_msg_notice_ok(v->notice + 1, MSG_NOTICE_MAX) &&
		!policy_msg_notice_ok("", 0) && !policy_msg_notice_ok("\r", 1),
	    "notice_ok: bounds");
}

/* P_CHECK and P_VERDICT: round trips, and what the decoders refuse */
static void
test_wire(void)
{
	static struct policy_check c, c2;
	static struct policy_wire_verdict v, v2;
	static uint8_t buf[MSG_BODY_MAX];
	struct msg_body_writer w;

	memset(&c, 0, sizeof(c));
	snprintf(c.qid, sizeof(c.qid), "4F2A1B3C");
	snprintf(c.client_ip, sizeof(c.client_ip), "192.0.2.1");
	snprintf(c.helo, sizeof(c.helo), "h.example");
	c.direction = MSG_POLICY_OUTBOUND;
	msg_body_writer_init(&w, buf, sizeof(buf));
	policy_msg_check_put(&w, &c);
	TEST_CHECK(policy_msg_check_get(buf, w.len, &c2) == SK_OK &&
		memcmp(&c, &c2, sizeof(c)) == 0,
	    "check: no round trip");
	c.direction = 2;
	msg_body_writer_init(&w, buf, sizeof(buf));
	policy_msg_check_put(&w, &c);
	TEST_CHECK(policy_msg_check_get(buf, w.len, &c2) == SK_E_SYNTAX,
	    "check: direction 2 accepted");
	c.direction = MSG_POLICY_INBOUND;
	test_wire_rcpts(&c, &c2, buf);

	memset(&v, 0, sizeof(v));
	snprintf(v.qid, sizeof(v.qid), "4F2A1B3C");
	v.action = MSG_POLICY_REJECT;
	snprintf(v.reply, sizeof(v.reply), "550 5.7.1 no");
	v.nrenames = 2;
	v.renames[1] = 77;
	v.prepend_len =
	    (size_t)snprintf(v.prepend, sizeof(v.prepend), "A: b\r\n");
	msg_body_writer_init(&w, buf, sizeof(buf));
	policy_msg_verdict_put(&w, &v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, &v2) == SK_OK &&
		v2.nrenames == 2 && v2.renames[1] == 77 &&
		strcmp(v2.prepend, "A: b\r\n") == 0,
	    "verdict: no round trip");
	v.action = MSG_POLICY_TEMPFAIL; /* a 5xx reply with tempfail */
	msg_body_writer_init(&w, buf, sizeof(buf));
	policy_msg_verdict_put(&w, &v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, &v2) == SK_E_SYNTAX,
	    "verdict: tempfail with 550 accepted");
	v.action = MSG_POLICY_REJECT;
	v.prepend_len =
	    (size_t)snprintf(v.prepend, sizeof(v.prepend), "A: b\r\n\r\nbody");
	msg_body_writer_init(&w, buf, sizeof(buf));
	policy_msg_verdict_put(&w, &v);
	TEST_CHECK(policy_msg_verdict_get(buf, w.len, &v2) == SK_E_SYNTAX,
	    "verdict: a block with an empty line accepted");
	TEST_CHECK(policy_msg_verdict_get(buf, 3, &v2) == SK_E_SYNTAX,
	    "verdict: short body accepted");
	test_wire_rewrite(&v, &v2, buf);
	test_wire_notice(&v, &v2, buf);
}

/* the configured c= reaches the signature, which verifies */
static void
test_sign_canon(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	static const char *const tags[] = { "c=simple/simple;",
		"c=simple/relaxed;", "c=relaxed/simple;" };
	size_t i, len;

	for (i = 0; i < SK_NELEM(tags); i++) {
		if (t_setup() != 0) {
			return;
		}
		conf.signers[0].hcanon =
		    i < 2 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
		conf.signers[0].bcanon =
		    i == 1 ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
		if ((len = t_signed(m, sizeof(m))) == 0) {
			return;
		}
		TEST_CHECK(strstr(m, tags[i]) != NULL, "%s: got %.120s",
		    tags[i], m);
		t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test",
		    (const uint8_t *)m, len, &zdns);
		TEST_CHECK(t_has("dkim=pass"), "%s: got %s", tags[i], vd.log);
	}
}

/* policy_list_id: the identifier between the last '<' and the '>' */
static void
test_list_id(void)
{
	static const struct {
		const char *v, *want; /* want NULL: refused */
	} rows[] = {
		{ " Users <users.lists.example.org>\r\n",
		    "users.lists.example.org" },
		{ " <a.b>", "a.b" },
		{ " \"x <y>\" <real.list> \t\r\n", "real.list" },
		{ " Folded\r\n <l.example>\r\n", "l.example" },
		{ " users.lists.example.org\r\n", NULL },
		{ " <>\r\n", NULL },
		{ " <a b>\r\n", NULL },
		{ " <a.b> trailing\r\n", NULL },
		{ " <a.b>>\r\n", NULL },
		{ " <a\x80.b>\r\n", NULL },
		{ "", NULL },
	};
	const uint8_t *id;
	size_t i, n;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(rows); i++) {
		r = policy_list_id((const uint8_t *)rows[i].v,
		    strlen(rows[i].v), &id, &n);
		if (rows[i].want == NULL) {
			TEST_CHECK(r != SK_OK, "row %zu: got %.*s, want none",
			    i, r == SK_OK ? (int)n : 0,
			    r == SK_OK ? (const char *)id : "");
			continue;
		}
		TEST_CHECK(r == SK_OK && n == strlen(rows[i].want) &&
			memcmp(id, rows[i].want, n) == 0,
		    "row %zu: got %s", i, sk_result_str(r));
	}
}

/* t_override_run - bank.test's forgery (p=reject) from ip, with extra
 * header text; 1 when delivered */
static int
t_override_run(const char *ip, const char *mail_from, const char *extra)
{
	size_t len = t_msg(extra, "Bank <security@bank.test>");

	t_run(POLICY_INBOUND, ip, mail_from, (const uint8_t *)msgbuf, len,
	    &zdns);
	return vd.action == POLICY_ACCEPT;
}

static void
test_override(void)
{
	static struct config_dmarc_override o[2];
	struct dmarc_report_row row;
	struct policy_report_policy pol;
	char dom[DMARC_DOMAIN_MAX + 1];
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	memset(o, 0, sizeof(o));
	snprintf(o[0].name, sizeof(o[0].name), "univ-fwd");
	o[0].reason = CONFIG_OVERRIDE_FORWARDED;
	o[0].networks[0].family = AF_INET;
	memcpy(o[0].networks[0].addr, "\xc6\x33\x64\x80", 4); /* .128/25 */
	o[0].networks[0].len = 25;
	o[0].nnetworks = 1;
	snprintf(o[0].mail_from[0], sizeof(o[0].mail_from[0]), "univ.test");
	o[0].nmail_from = 1;
	snprintf(o[1].name, sizeof(o[1].name), "users-list");
	o[1].reason = CONFIG_OVERRIDE_MAILING_LIST;
	snprintf(o[1].list_id[0], sizeof(o[1].list_id[0]), "other.list");
	snprintf(o[1].list_id[1], sizeof(o[1].list_id[1]),
	    "users.lists.example.org");
	o[1].nlist_id = 2;
	conf.overrides = o;
	conf.noverrides = 2;
	TEST_CHECK(t_override_run("198.51.100.200", "x@UNIV.test", "") &&
		t_has("X-Sekimori-Policy: override; name=univ-fwd "
		      "reason=forwarded; dmarc=fail header.from=bank.test "
		      "policy=reject\r\n") &&
		strstr(vd.log,
		    "dmarc=fail by=override override=univ-fwd "
		    "reason=forwarded action=accept") != NULL,
	    "network and MAIL FROM: got %s", vd.log);
	TEST_CHECK(!t_override_run("198.51.100.127", "x@univ.test", ""),
	    "outside the prefix: got %s", vd.log);
	TEST_CHECK(!t_override_run("198.51.100.200", "x@mx.univ.test", "") &&
		!t_override_run("198.51.100.200", "", ""),
	    "a subdomain or the null sender: got %s", vd.log);
	TEST_CHECK(!t_override_run("2001:db8::1", "x@univ.test", ""),
	    "IPv6 client: got %s", vd.log);
	TEST_CHECK(t_override_run("203.0.113.7", "x@e.invalid",
		       "List-Id: Users <Users.Lists.Example.org>\r\n") &&
		strstr(vd.log, "override=users-list reason=mailing-list") !=
		    NULL,
	    "List-Id: got %s", vd.log);
	TEST_CHECK(!t_override_run("203.0.113.7", "x@e.invalid",
		       "List-Id: users.lists.example.org\r\n") &&
		!t_override_run("203.0.113.7", "x@e.invalid",
		    "List-Id: <users.lists.example.org>\r\n"
		    "List-Id: <users.lists.example.org>\r\n") &&
		!t_override_run("203.0.113.7", "x@e.invalid",
		    "List-Post: <users.lists.example.org>\r\n"),
	    "no strict List-Id: got %s", vd.log);
	/* a DMARC pass is no failure to override: no tag */
	len = t_msg("List-Id: <users.lists.example.org>\r\n",
	    "Alice <a@good.test>");
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT && ev.override == NULL &&
		!t_has("X-Sekimori-Policy") && strstr(vd.log, "by=") == NULL,
	    "DMARC pass: got %s", vd.log);
	/* the aggregate report's row carries the override's reason */
	len = t_msg("List-Id: <users.lists.example.org>\r\n", "l@list.test");
	t_run(POLICY_INBOUND, "203.0.113.7", "x@e.invalid",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT &&
		policy_report_from_eval(&ev, &vd, dom, &pol, &row) == SK_OK &&
		row.disposition == DMARC_P_NONE &&
		row.reason == DMARC_REASON_MAILING_LIST,
	    "report row: got %s, reason %s", vd.log,
	    dmarc_report_reason_str(row.reason));
	conf.noverrides = 0;
	t_run(POLICY_INBOUND, "203.0.113.7", "x@e.invalid",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_REJECT &&
		policy_report_from_eval(&ev, &vd, dom, &pol, &row) == SK_OK &&
		row.disposition == DMARC_P_REJECT &&
		row.reason == DMARC_REASON_NONE,
	    "without the override: got %s", vd.log);
}

/* t_sealed - the message in msgbuf checked inbound (from ip) and sealed,
 * as delivered (the header block first) into out */
static size_t
t_sealed(const char *ip, const char *mail_from, const char *in, size_t len,
    char *out, size_t cap)
{
	t_run(POLICY_INBOUND, ip, mail_from, (const uint8_t *)in, len, &zdns);
	if (vd.prepend_len + len > cap) {
		return 0;
	}
	memmove(out + vd.prepend_len, in, len);
	memcpy(out, vd.prepend, vd.prepend_len);
	return vd.prepend_len + len;
}

static void
test_seal(void)
{
	static char m[sizeof(msgbuf) + 2 * POLICY_PREPEND_MAX];
	static char m2[sizeof(m) + POLICY_PREPEND_MAX];
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	conf.seal = 1;
	len = t_msg("", "Alice <a@good.test>");
	len = t_sealed("192.0.2.10", "a@good.test", msgbuf, len, m, sizeof(m));
	TEST_CHECK(len > 0 &&
		strncmp(m, "ARC-Seal: i=1; a=ed25519-sha256; cv=none;", 41) ==
		    0 &&
		strstr(m, "\r\nARC-Message-Signature: i=1;") != NULL &&
		strstr(m,
		    "\r\nARC-Authentication-Results: i=1; " T_AUTHSERV
		    ";") != NULL &&
		strstr(vd.log, "arc=none") != NULL &&
		strstr(vd.log, " arc-seal=i1 cv=none") != NULL,
	    "first set: got %s\n%.300s", vd.log, m);
	/* the next hop (this box again) validates the chain and adds i=2 */
	len = t_sealed("192.0.2.10", "a@good.test", m, len, m2, sizeof(m2));
	TEST_CHECK(len > 0 && strstr(vd.log, "arc=pass") != NULL &&
		strstr(vd.log, " arc-seal=i2 cv=pass") != NULL &&
		strncmp(m2, "ARC-Seal: i=2; a=ed25519-sha256; cv=pass;", 41) ==
		    0,
	    "second set: got %s", vd.log);
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m2,
	    len, &zdns);
	TEST_CHECK(strstr(vd.log, "arc=pass") != NULL &&
		strstr(vd.log, " arc-seal=i3 cv=pass") != NULL,
	    "two sets: got %s", vd.log);
	/* a body changed after the seal: the chain fails, sealed cv=fail */
	len = t_msg("", "Alice <a@good.test>");
	len = t_sealed("192.0.2.10", "a@good.test", msgbuf, len, m, sizeof(m));
	m[len - 3] ^= 1;
	len = t_sealed("192.0.2.10", "a@good.test", m, len, m2, sizeof(m2));
	TEST_CHECK(strstr(vd.log, "arc=fail") != NULL &&
		strstr(vd.log, " arc-seal=i2 cv=fail") != NULL,
	    "changed body: got %s", vd.log);
	/* a chain marked cv=fail gets no further set (RFC 8617 5.1) */
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m2,
	    len, &zdns);
	TEST_CHECK(strstr(vd.log, "arc-seal=none(chain has cv=fail)") != NULL &&
		strncmp(vd.prepend, "Authentication-Results:", 23) == 0,
	    "after cv=fail: got %s", vd.log);
	/* refused mail is not sealed; outbound mail neither */
	len = t_msg("", "Bank <security@bank.test>");
	t_run(POLICY_INBOUND, "203.0.113.7", "x@e.invalid",
	    (const uint8_t *)msgbuf, len, &zdns);
	TEST_CHECK(vd.action == POLICY_REJECT && vd.prepend_len > 0 &&
		strstr(vd.log, "arc-seal") == NULL,
	    "reject: got %s", vd.log);
	len = t_signed(m, sizeof(m));
	TEST_CHECK(len > 0 && strncmp(m, "DKIM-Signature:", 15) == 0 &&
		strstr(vd.log, "arc-seal") == NULL,
	    "outbound: got %s", vd.log);
}

/* t_replayed - a good.test message signed without To (as a signer that
 * leaves To out of h=), then the To an attacker adds: into out */
static size_t
t_replayed(char *out, size_t cap, const char *added)
{
	static const char body[] =
	    "Received: from client by " T_AUTHSERV "; now\r\n"
	    "From: Alice <a@good.test>\r\n"
	    "Subject: your account\r\n"
	    "Date: Wed, 26 Nov 2025 00:00:00 +0000\r\n"
	    "Message-ID: <2@good.test>\r\n"
	    "\r\n"
	    "Please log in.\r\n";
	static const char *const from_only[] = { "from" };
	const char *over0 = conf.over[0];
	size_t alen = strlen(added), blen = sizeof(body) - 1,
	       nover = conf.nover;

	/* our signer over-signs To and Cc by default, which would make the
	 * added field break the signature: sign as one that does not */
	conf.over[0] = from_only[0];
	conf.nover = 1;
	t_run(POLICY_OUTBOUND, "10.0.0.5", "a@good.test", (const uint8_t *)body,
	    blen, &zdns);
	conf.over[0] = over0;
	conf.nover = nover;
	if (vd.action != POLICY_ACCEPT || alen + vd.prepend_len + blen > cap) {
		test_fail("signing: got %s (%s)", policy_action_str(vd.action),
		    vd.log);
		return 0;
	}
	memcpy(out, added, alen);
	memcpy(out + alen, vd.prepend, vd.prepend_len);
	memcpy(out + alen + vd.prepend_len, body, blen);
	return alen + vd.prepend_len + blen;
}

/* t_attack - m sent by a client that is not good.test's (SPF none) */
static void
t_attack(const char *m, size_t len)
{
	t_run(POLICY_INBOUND, "203.0.113.7", "x@elsewhere.invalid",
	    (const uint8_t *)m, len, &zdns);
}

/* the replay rule's findings: To not covered, a To added on top of a
 * signed one, Cc, the recipients; what is not a suspect */
static void
test_replay_rule(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	static const char *const over[] = { "from" };
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	conf.replay = CONFIG_REPLAY_TAG;
	conf.replay_max_rcpt = 50;
	len = t_replayed(m, sizeof(m), "To: victim@example.org\r\n");
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT && t_has("dkim=pass") &&
		t_has("dmarc=pass") &&
		t_has("X-Sekimori-Policy: dkim-replay; reason=uncovered-to "
		      "header.d=good.test\r\n") &&
		strstr(vd.log,
		    "dmarc=pass dkim-replay=suspect reason=uncovered-to "
		    "action=accept") != NULL &&
		ev.replay == POLICY_REPLAY_UNCOVERED_TO,
	    "uncovered To: got %s %.*s", vd.log, (int)vd.prepend_len,
	    vd.prepend);
	/* the same message without any To or Cc: nothing uncovered */
	len = t_replayed(m, sizeof(m), "");
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT && !t_has("X-Sekimori-Policy") &&
		strstr(vd.log, "dkim-replay") == NULL,
	    "no To: got %s", vd.log);
	/* an added Cc */
	len = t_replayed(m, sizeof(m), "Cc: victim@example.org\r\n");
	t_attack(m, len);
	TEST_CHECK(strstr(vd.log, "dkim-replay=suspect reason=uncovered-cc") !=
		NULL,
	    "uncovered Cc: got %s", vd.log);
	/* the domain's own server (DMARC passes on aligned SPF) */
	len = t_replayed(m, sizeof(m), "To: victim@example.org\r\n");
	t_run(POLICY_INBOUND, "192.0.2.10", "a@good.test", (const uint8_t *)m,
	    len, &zdns);
	TEST_CHECK(vd.action == POLICY_ACCEPT && !t_has("X-Sekimori-Policy") &&
		strstr(vd.log, "dkim-replay") == NULL,
	    "aligned SPF: got %s", vd.log);
	/* To covered: not a suspect, up to max-recipients */
	len = t_signed(m, sizeof(m));
	t_nrcpt = 50;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT && !t_has("X-Sekimori-Policy") &&
		strstr(vd.log, "dkim-replay") == NULL &&
		ev.replay == POLICY_REPLAY_NO,
	    "covered To, 50 recipients: got %s", vd.log);
	t_nrcpt = 51;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT &&
		t_has("X-Sekimori-Policy: dkim-replay; reason=recipients "
		      "recipients=51 header.d=good.test\r\n") &&
		strstr(vd.log,
		    "dkim-replay=suspect reason=recipients recipients=51") !=
		    NULL,
	    "51 recipients: got %s", vd.log);
	/* no recipients rule with max 0 (unknown config) */
	conf.replay_max_rcpt = 0;
	t_attack(m, len);
	TEST_CHECK(strstr(vd.log, "dkim-replay") == NULL, "max 0: got %s",
	    vd.log);
	/* a second To on top of a signed one (To not over-signed) */
	conf.replay_max_rcpt = 50;
	t_nrcpt = 1;
	conf.over[0] = over[0];
	conf.nover = 1;
	len = t_signed(m + 24, sizeof(m) - 24);
	memcpy(m, "To: victim@example.org\r\n", 24);
	t_attack(m, len + 24);
	TEST_CHECK(t_has("dkim=pass") &&
		strstr(vd.log, "dkim-replay=suspect reason=uncovered-to") !=
		    NULL,
	    "second To: got %s", vd.log);
}

/* no passing signature, nothing to replay: unsigned mail to many */
static void
test_replay_unsigned(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	conf.replay = CONFIG_REPLAY_REJECT;
	conf.replay_max_rcpt = 3;
	t_nrcpt = 1000;
	len = t_msg("", "x@elsewhere.invalid");
	t_attack(msgbuf, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT &&
		strstr(vd.log, "dkim=none") != NULL &&
		strstr(vd.log, "dkim-replay") == NULL,
	    "unsigned: got %s", vd.log);
	/* a failing signature is no pass either */
	len = t_signed(m, sizeof(m));
	m[len - 3] ^= 1;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_REJECT && strstr(vd.log, "dkim=fail") &&
		strstr(vd.log, "by=dmarc") != NULL &&
		strstr(vd.log, "dkim-replay") == NULL,
	    "failed signature: got %s", vd.log);
}

/* each action of a suspect: none, tag (above), quarantine, reject */
static void
test_replay_actions(void)
{
	static char m[sizeof(msgbuf) + POLICY_PREPEND_MAX];
	struct policy_recent_row row;
	size_t len;

	if (t_setup() != 0) {
		return;
	}
	len = t_replayed(m, sizeof(m), "To: victim@example.org\r\n");
	conf.replay = CONFIG_REPLAY_NONE;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT && !t_has("X-Sekimori-Policy") &&
		strstr(vd.log,
		    "dkim-replay=suspect reason=uncovered-to "
		    "action=accept") != NULL,
	    "none: got %s", vd.log);
	policy_report_recent_from_eval("Q1", &ev, &vd, &row);
	TEST_CHECK(strcmp(row.action, "accept") == 0 &&
		strcmp(row.reason, "dkim-replay") == 0 && row.failed,
	    "none row: got %s %s", row.action, row.reason);
	conf.replay = CONFIG_REPLAY_QUARANTINE;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_QUARANTINE &&
		t_has("X-Sekimori-Policy: quarantine; dkim-replay "
		      "reason=uncovered-to header.d=good.test\r\n"),
	    "quarantine: got %s %.*s", vd.log, (int)vd.prepend_len, vd.prepend);
	policy_report_recent_from_eval("Q2", &ev, &vd, &row);
	TEST_CHECK(strcmp(row.action, "quarantine") == 0 &&
		strcmp(row.reason, "dkim-replay") == 0,
	    "quarantine row: got %s %s", row.action, row.reason);
	conf.replay = CONFIG_REPLAY_TAG;
	t_attack(m, len);
	policy_report_recent_from_eval("Q3", &ev, &vd, &row);
	TEST_CHECK(strcmp(row.action, "tag") == 0, "tag row: got %s",
	    row.action);
	conf.replay = CONFIG_REPLAY_REJECT;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_REJECT &&
		strcmp(vd.reply,
		    "550 5.7.1 DKIM signature of good.test does not cover "
		    "the To field: looks like a DKIM replay") == 0 &&
		strstr(vd.log,
		    "dkim-replay=suspect reason=uncovered-to "
		    "by=dkim-replay action=reject") != NULL,
	    "reject: got %s \"%s\"", vd.log, vd.reply);
	policy_report_recent_from_eval("Q4", &ev, &vd, &row);
	TEST_CHECK(strcmp(row.action, "reject") == 0 &&
		strcmp(row.reason, "dkim-replay") == 0,
	    "reject row: got %s %s", row.action, row.reason);
	len = t_signed(m, sizeof(m));
	conf.replay_max_rcpt = 3;
	t_nrcpt = 4;
	t_attack(m, len);
	TEST_CHECK(vd.action == POLICY_REJECT &&
		strcmp(vd.reply,
		    "550 5.7.1 Message signed by good.test sent to 4 "
		    "recipients looks like a DKIM replay") == 0,
	    "reject recipients: got %s \"%s\"", vd.log, vd.reply);
	TEST_CHECK(strcmp(policy_replay_str(POLICY_REPLAY_UNCOVERED_CC),
		       "uncovered-cc") == 0 &&
		strcmp(policy_replay_str((enum policy_replay)9), "?") == 0,
	    "replay words");
}

const struct test_case test_cases[] = {
	{ "policy_wire", test_wire },
	{ "policy_sign_then_verify", test_sign_then_verify },
	{ "policy_sign_options", test_sign_options },
	{ "policy_dmarc_reject", test_dmarc_reject },
	{ "policy_replay_rule", test_replay_rule },
	{ "policy_replay_unsigned", test_replay_unsigned },
	{ "policy_replay_actions", test_replay_actions },
	{ "policy_dmarc_quarantine", test_dmarc_quarantine },
	{ "policy_spf_fail_action", test_spf_fail_action },
	{ "policy_forged_authres", test_forged_authres },
	{ "policy_forged_authres_too_many", test_forged_authres_too_many },
	{ "policy_no_from", test_no_from },
	{ "policy_signer_find", test_signer_find },
	{ "policy_rerun_deferred", test_rerun_deferred },
	{ "policy_streaming", test_streaming },
	{ "policy_sign_canon", test_sign_canon },
	{ "policy_list_id", test_list_id },
	{ "policy_override", test_override },
	{ "policy_seal", test_seal },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * policy_reseal_test.c - the second ARC seal (policy.h "The second
 * seal") and its messages P_SEAL and P_SEALED (policy_msg.h): a message
 * sealed, then rewritten as the content step does (a subject prefix, a
 * changed body), sealed again; the box's own verifier then checks the
 * chain of the message as delivered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dns/dns_zone.h"
#include "policy.h"
#include "policy_msg.h"
#include "test.h"

#define T_AUTHSERV "mx.example.net"
#define T_NOW 1764115200u /* 2025-11-26 */
#define T_MSG_MAX 32768

static struct policy_conf conf;
static struct policy_eval ev;
static struct policy_verdict vd;
static struct dns_zone zone;
static struct dns_zone_rr zone_rr[16];
static uint8_t zone_data[8192];
static struct dns_resolver zdns;
static char zone_text[4096];

static const uint8_t t_seal_seed[32] = { 7 };

static const char t_zone_fmt[] =
    "$TTL 300\n"
    "good.test. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "seal._domainkey.seal.test. TXT \"%s\"\n";

static const char t_msg[] = "Received: from client by " T_AUTHSERV "; now\r\n"
			    "From: Alice <a@good.test>\r\n"
			    "To: b@example.org\r\n"
			    "Subject: hello\r\n"
			    "Message-ID: <1@good.test>\r\n"
			    "\r\n"
			    "Hello there.\r\n";

/* t_setup - a config that seals (an Ed25519 key: the core takes any) */
static int
t_setup(void)
{
	char txt[256];
	int n;

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.authserv_id, sizeof(conf.authserv_id), T_AUTHSERV);
	conf.spf = conf.dkim = conf.arc = 1;
	conf.spf_fail = CONFIG_FAIL_TAG;
	conf.seal = 1;
	if (dkim_signkey_ed25519(&conf.seal_key, t_seal_seed) != SK_OK ||
	    dkim_signkey_txt(&conf.seal_key, txt, sizeof(txt)) == 0) {
		test_fail("cannot make the seal's key");
		return -1;
	}
	snprintf(conf.seal_domain, sizeof(conf.seal_domain), "seal.test");
	snprintf(conf.seal_selector, sizeof(conf.seal_selector), "seal");
	n = snprintf(zone_text, sizeof(zone_text), t_zone_fmt, txt);
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

/* t_run - one inbound evaluation of msg, to the end */
static void
t_run(const char *msg, size_t len)
{
	struct policy_request req;
	int rounds = 0;

	memset(&req, 0, sizeof(req));
	req.client_ip = "192.0.2.10";
	req.helo = "client.good.test";
	req.mail_from = "a@good.test";
	req.auth_user = "";
	req.direction = POLICY_INBOUND;
	req.msg = (const uint8_t *)msg;
	req.len = len;
	req.now = T_NOW;
	policy_eval_whole(&ev, &conf, &req);
	while (policy_eval_run(&ev, &zdns, &vd) == POLICY_PENDING &&
	    rounds++ < 100) {
	}
}

/* t_rewrite - what a subject-prefix rule and a body change make of msg:
 * the Subject field prefixed, one line added to the body */
static size_t
t_rewrite(const char *msg, size_t len, char *out, size_t cap)
{
	const char *subj = strstr(msg, "Subject: ");
	size_t head, n;

	if (subj == NULL || len + 64 > cap) {
		return 0;
	}
	head = (size_t)(subj - msg) + strlen("Subject: ");
	memcpy(out, msg, head);
	n = head;
	memcpy(out + n, "[SUSPICIOUS] ", 13);
	n += 13;
	memcpy(out + n, msg + head, len - head);
	n += len - head;
	memcpy(out + n, "-- scanned\r\n", 12);
	return n + 12;
}

/* t_deliver - block then msg into out, as the queue delivers them */
static size_t
t_deliver(const char *block, size_t blen, const char *msg, size_t len,
    char *out, size_t cap)
{
	if (blen + len > cap) {
		return 0;
	}
	memcpy(out, block, blen);
	memcpy(out + blen, msg, len);
	return blen + len;
}

/* t_reseal - the second seal of the rewritten msg, from the verdict of
 * the last run (ev, vd), into set; its length, 0 on an error */
static size_t
t_reseal(const char *msg, size_t len, char *set, size_t cap)
{
	struct policy_seal_memo m;
	struct policy_reseal *r = malloc(sizeof(*r));
	size_t hlen, body, n = 0;

	if (r == NULL || !policy_seal_memo(&ev, &vd, &m) ||
	    policy_header_end((const uint8_t *)msg, len, &hlen, &body) !=
		SK_OK) {
		free(r);
		return 0;
	}
	policy_reseal_init(r, &conf, &m, T_NOW + 1);
	/* any split of the body gives the same set */
	policy_reseal_body(r, (const uint8_t *)msg + body, 3);
	policy_reseal_body(r, (const uint8_t *)msg + body + 3, len - body - 3);
	if (policy_reseal_final(r, &m, (const uint8_t *)msg, hlen, set, cap,
		&n) != SK_OK) {
		n = 0;
	}
	free(r);
	return n;
}

/* t_second_seal - seal msg, rewrite it, seal again; the delivered text
 * (the new set, the rest of the block, the rewritten message) into out,
 * checked by a new run: want is the arc-seal the first run logs */
static size_t
t_second_seal(const char *msg, size_t len, const char *want, char *out,
    size_t cap)
{
	static char rw[T_MSG_MAX], stale[2 * T_MSG_MAX], set[ARC_SEAL_MAX];
	static char block[POLICY_PREPEND_MAX];
	size_t rwlen, slen, setlen, blen, n;

	t_run(msg, len);
	TEST_CHECK(vd.action == POLICY_ACCEPT && strstr(vd.log, want) != NULL &&
		ev.seal_setlen > 0 &&
		policy_msg_arc_set_len(vd.prepend, vd.prepend_len) ==
		    ev.seal_setlen,
	    "first seal: got %s", vd.log);
	rwlen = t_rewrite(msg, len, rw, sizeof(rw));
	setlen = t_reseal(rw, rwlen, set, sizeof(set));
	TEST_CHECK(rwlen > 0 && setlen > 0 &&
		policy_msg_arc_set_len(set, setlen) == setlen,
	    "second seal: %zu octets", setlen);
	/* the block without the first set, kept before the next run */
	blen = vd.prepend_len - ev.seal_setlen;
	memcpy(block, vd.prepend + ev.seal_setlen, blen);
	/* the problem: the first set over the rewritten message fails */
	slen = t_deliver(vd.prepend, vd.prepend_len, rw, rwlen, stale,
	    sizeof(stale));
	t_run(stale, slen);
	TEST_CHECK(strstr(vd.log, "arc=fail") != NULL,
	    "the first set over the rewritten message: got %s", vd.log);
	/* the fix: the second set verifies over what is delivered */
	memcpy(stale, set, setlen);
	memcpy(stale + setlen, block, blen);
	n = t_deliver(stale, setlen + blen, rw, rwlen, out, cap);
	t_run(out, n);
	TEST_CHECK(n > 0 && strstr(vd.log, "arc=pass") != NULL,
	    "the second set over the rewritten message: got %s", vd.log);
	return n;
}

static void
test_reseal(void)
{
	static char d1[2 * T_MSG_MAX], d2[4 * T_MSG_MAX];
	size_t n;

	if (t_setup() != 0) {
		return;
	}
	/* no chain: the second set is i=1 cv=none, like the first */
	n = t_second_seal(t_msg, strlen(t_msg), " arc-seal=i1 cv=none", d1,
	    sizeof(d1));
	TEST_CHECK(n > 0 && strncmp(d1, "ARC-Seal: i=1;", 14) == 0 &&
		strstr(d1, " cv=none;") != NULL &&
		strstr(d1, "Subject: [SUSPICIOUS] hello\r\n") != NULL,
	    "no chain: %.80s", d1);
	/* a valid chain of one set: the second set is i=2 cv=pass */
	n = t_second_seal(d1, n, " arc-seal=i2 cv=pass", d2, sizeof(d2));
	TEST_CHECK(n > 0 && strncmp(d2, "ARC-Seal: i=2;", 14) == 0 &&
		strstr(d2, " cv=pass;") != NULL,
	    "chain: %.80s", d2);
}

static void
test_no_memo(void)
{
	struct policy_seal_memo m;

	if (t_setup() != 0) {
		return;
	}
	conf.seal = 0;
	t_run(t_msg, strlen(t_msg));
	TEST_CHECK(vd.action == POLICY_ACCEPT &&
		!policy_seal_memo(&ev, &vd, &m),
	    "no seal configured: got a memo");
	conf.seal = 1;
	t_run(t_msg, strlen(t_msg));
	TEST_CHECK(policy_seal_memo(&ev, &vd, &m) && m.result == ARC_NONE &&
		m.nsets == 0 &&
		strncmp(m.ar, "Authentication-Results: " T_AUTHSERV, 38) == 0,
	    "sealed: no memo, or a wrong one");
}

/* t_sealed_get - P_SEALED with qid and set decoded */
static enum sk_result
t_sealed_get(const char *qid, const char *set, size_t len,
    struct policy_wire_sealed *s)
{
	static uint8_t body[MSG_BODY_MAX];
	struct msg_body_writer w;

	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_cstr(&w, qid);
	msg_body_put_str(&w, set, len);
	return w.err ? SK_E_TOO_LONG : policy_msg_sealed_get(body, w.len, s);
}

static void
test_wire(void)
{
	static const char set[] =
	    "ARC-Seal: i=1; cv=none;\r\n b=abc\r\n"
	    "arc-message-signature: i=1; b=x\r\n"
	    "ARC-Authentication-Results: i=1; mx; spf=pass\r\n";
	static const struct {
		const char *block;
		size_t want; /* 0: no set opens it */
	} sets[] = {
		{ set, sizeof(set) - 1 },
		{ "ARC-Seal: a\r\nARC-Message-Signature: b\r\n"
		  "ARC-Authentication-Results: c\r\nA: d\r\n",
		    13 + 26 + 31 },
		{ "Authentication-Results: x\r\n", 0 },
		{ "ARC-Seal: a\r\nARC-Authentication-Results: c\r\n"
		  "ARC-Message-Signature: b\r\n",
		    0 },
		{ "ARC-Seal: a\r\nARC-Message-Signature: b\r\n", 0 },
		{ "ARC-Seal: a\r\nARC-Message-Signature: b\r\n"
		  "ARC-Authentication-Results: c",
		    0 },
		{ "ARC-Seal a\r\n", 0 },
		{ "", 0 },
	};
	/* empty (one encoding: absent), short, long, lower case, the
	 * token itself, the queue id again */
	static const char *const bad_spares[] = { "", "000000000000002",
		"00000000000000022", "000000000000000a", MSG_QID_TOKEN,
		"0000000000000001" };
	static struct policy_wire_sealed s;
	static uint8_t body[MSG_BODY_MAX];
	char qid[MSG_QUEUE_ID_MAX + 1], spare[MSG_QUEUE_ID_MAX + 1];
	struct msg_body_writer w;
	size_t i, got;

	for (i = 0; i < SK_NELEM(sets); i++) {
		got = policy_msg_arc_set_len(sets[i].block,
		    strlen(sets[i].block));
		TEST_CHECK(got == sets[i].want, "set %zu: got %zu, want %zu", i,
		    got, sets[i].want);
	}
	/* P_SEAL: a queue id, then a strip's spare id or nothing */
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_seal_put(&w, "4Bx7Q2", "");
	TEST_CHECK(!w.err &&
		policy_msg_seal_get(body, w.len, qid, spare) == SK_OK &&
		strcmp(qid, "4Bx7Q2") == 0 && spare[0] == '\0' &&
		policy_msg_seal_get(body, w.len - 1, qid, spare) == SK_E_SYNTAX,
	    "P_SEAL round trip");
	msg_body_put_u8(&w, 0);
	TEST_CHECK(policy_msg_seal_get(body, w.len, qid, spare) == SK_E_SYNTAX,
	    "P_SEAL with a trailing octet");
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_seal_put(&w, "a\nb", "");
	TEST_CHECK(policy_msg_seal_get(body, w.len, qid, spare) == SK_E_SYNTAX,
	    "P_SEAL with a control character");
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_seal_put(&w, "0000000000000001", "0000000000000002");
	TEST_CHECK(!w.err &&
		policy_msg_seal_get(body, w.len, qid, spare) == SK_OK &&
		strcmp(qid, "0000000000000001") == 0 &&
		strcmp(spare, "0000000000000002") == 0 &&
		policy_msg_seal_get(body, w.len - 1, qid, spare) == SK_E_SYNTAX,
	    "P_SEAL with a spare id");
	for (i = 0; i < SK_NELEM(bad_spares); i++) {
		msg_body_writer_init(&w, body, sizeof(body));
		msg_body_put_cstr(&w, "0000000000000001");
		msg_body_put_cstr(&w, bad_spares[i]);
		TEST_CHECK(policy_msg_seal_get(body, w.len, qid, spare) ==
			    SK_E_SYNTAX &&
			spare[0] == '\0',
		    "P_SEAL with the spare id \"%s\"", bad_spares[i]);
	}
	/* P_SEALED: "" or exactly one set */
	TEST_CHECK(t_sealed_get("q1", set, sizeof(set) - 1, &s) == SK_OK &&
		s.set_len == sizeof(set) - 1 && strcmp(s.set, set) == 0 &&
		strcmp(s.qid, "q1") == 0,
	    "P_SEALED with a set");
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_sealed_put(&w, &s);
	TEST_CHECK(!w.err && policy_msg_sealed_get(body, w.len, &s) == SK_OK &&
		s.set_len == sizeof(set) - 1,
	    "P_SEALED round trip");
	TEST_CHECK(t_sealed_get("q1", "", 0, &s) == SK_OK && s.set_len == 0,
	    "P_SEALED without a set");
	TEST_CHECK(t_sealed_get("", "", 0, &s) == SK_E_SYNTAX &&
		t_sealed_get("q1", set, sizeof(set) - 3, &s) == SK_E_SYNTAX &&
		t_sealed_get("q1", "ARC-Seal: a\r\nX: b\r\n", 19, &s) ==
		    SK_E_SYNTAX &&
		t_sealed_get("q1", sets[1].block, strlen(sets[1].block), &s) ==
		    SK_E_SYNTAX &&
		t_sealed_get("q1", "ARC-Seal: a\r\n\r\n", 15, &s) ==
		    SK_E_SYNTAX,
	    "P_SEALED: a bad set passed");
}

const struct test_case test_cases[] = {
	{ "policy_reseal", test_reseal },
	{ "policy_reseal_no_memo", test_no_memo },
	{ "policy_reseal_wire", test_wire },
};
const size_t test_ncases = SK_NELEM(test_cases);

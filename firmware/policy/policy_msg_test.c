/*
 * policy_msg_test.c - the P_VERDICT reply rules of policy_msg.c: one or
 * more SMTP reply lines for reject and tempfail (lib/msg_types.h).
 */
#include <stdio.h>
#include <string.h>

#include "policy_msg.h"
#include "test.h"

/* verdict_get - v with action and reply, encoded and decoded again */
static enum sk_result
verdict_get(uint8_t action, const char *reply)
{
	static struct policy_wire_verdict v, v2;
	static uint8_t buf[MSG_BODY_MAX];
	struct msg_body_writer w;
	enum sk_result r;

	memset(&v, 0, sizeof(v));
	snprintf(v.qid, sizeof(v.qid), "4F2A1B3C");
	v.action = action;
	snprintf(v.reply, sizeof(v.reply), "%s", reply);
	msg_body_writer_init(&w, buf, sizeof(buf));
	policy_msg_verdict_put(&w, &v);
	if (w.err) {
		return SK_E_FULL;
	}
	r = policy_msg_verdict_get(buf, w.len, &v2);
	if (r == SK_OK && strcmp(v2.reply, reply) != 0) {
		test_fail("reply \"%s\" came back as \"%s\"", reply, v2.reply);
	}
	return r;
}

/* test_reply_lines - a reply of one or more lines, table-driven */
static void
test_reply_lines(void)
{
	static const struct {
		uint8_t action;
		const char *reply;
		enum sk_result want;
	} cases[] = {
		{ MSG_POLICY_REJECT, "550 5.7.1 no", SK_OK },
		{ MSG_POLICY_REJECT, "550", SK_OK },
		{ MSG_POLICY_TEMPFAIL, "451 4.7.1 later", SK_OK },
		{ MSG_POLICY_TEMPFAIL, "550 5.7.1 no", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "451 4.7.1 later", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "250 ok", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "55", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "5a0 no", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550no", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550 no\x7f", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550 caf\xc3\xa9", SK_E_SYNTAX },
		/* several lines */
		{ MSG_POLICY_REJECT,
		    "550-5.7.1 one\r\n550-5.7.1 two\r\n550 5.7.1 three",
		    SK_OK },
		{ MSG_POLICY_REJECT, "550-one\r\n550-\r\n550 three", SK_OK },
		{ MSG_POLICY_TEMPFAIL, "451-4.3.0 a\r\n451 4.3.0 b", SK_OK },
		{ MSG_POLICY_REJECT, "550-one\r\n551 two", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550 one\r\n550 two", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-one\r\n550-two", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-one\r\n", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-one\r\n\r\n550 x", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-one\n550 two", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-one\r550 two", SK_E_SYNTAX },
		/* the enhanced code: on every line, the same, or on none */
		{ MSG_POLICY_REJECT, "550-5.7.1 a\r\n550 5.7.2 b",
		    SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-5.7.1 a\r\n550 b", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-a\r\n550 5.7.1 b", SK_E_SYNTAX },
		{ MSG_POLICY_REJECT, "550-5.7.1\r\n550 5.7.1", SK_OK },
		{ MSG_POLICY_REJECT, "550-5.7.1 a\r\n550-5.7.1\r\n550 5.7.1 c",
		    SK_OK },
		/* not an enhanced code on either line: just text */
		{ MSG_POLICY_REJECT, "550-5.7.1x a\r\n550 5.7.1x b", SK_OK },
		/* the other actions: no reply, or one printable line */
		{ MSG_POLICY_ACCEPT, "", SK_OK },
		{ MSG_POLICY_ACCEPT, "550 no", SK_E_SYNTAX },
		{ MSG_POLICY_QUARANTINE, "rule x: y", SK_OK },
		{ MSG_POLICY_QUARANTINE, "rule x\r\nrule y", SK_E_SYNTAX },
		{ MSG_POLICY_DISCARD, "milter a\r\nb", SK_E_SYNTAX },
	};
	enum sk_result got;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		got = verdict_get(cases[i].action, cases[i].reply);
		TEST_CHECK(got == cases[i].want,
		    "case %zu \"%s\": got %s, want %s", i, cases[i].reply,
		    sk_result_str(got), sk_result_str(cases[i].want));
	}
}

/* reply_of - n lines "550-" then "550 ", each of len octets (no CRLF),
 * joined by CRLF, into out */
static void
reply_of(char *out, size_t n, size_t len)
{
	size_t i, at = 0;

	for (i = 0; i < n; i++) {
		memset(out + at, 'x', len);
		memcpy(out + at, i + 1 < n ? "550-" : "550 ", 4);
		at += len;
		if (i + 1 < n) {
			memcpy(out + at, "\r\n", 2);
			at += 2;
		}
	}
	out[at] = '\0';
}

/* test_reply_bounds - lines, octets of a line, octets of the reply */
static void
test_reply_bounds(void)
{
	static char reply[2 * MSG_POLICY_REPLY_MAX];
	enum sk_result got;

	reply_of(reply, MSG_POLICY_REPLY_LINES_MAX, 20);
	got = verdict_get(MSG_POLICY_REJECT, reply);
	TEST_CHECK(got == SK_OK, "%d lines: got %s, want ok",
	    MSG_POLICY_REPLY_LINES_MAX, sk_result_str(got));
	reply_of(reply, MSG_POLICY_REPLY_LINES_MAX + 1, 20);
	got = verdict_get(MSG_POLICY_REJECT, reply);
	TEST_CHECK(got == SK_E_SYNTAX, "%d lines: got %s, want syntax",
	    MSG_POLICY_REPLY_LINES_MAX + 1, sk_result_str(got));
	reply_of(reply, 1, MSG_POLICY_REPLY_LINE_MAX);
	got = verdict_get(MSG_POLICY_REJECT, reply);
	TEST_CHECK(got == SK_OK, "a line of %d: got %s, want ok",
	    MSG_POLICY_REPLY_LINE_MAX, sk_result_str(got));
	reply_of(reply, 1, MSG_POLICY_REPLY_LINE_MAX + 1);
	got = verdict_get(MSG_POLICY_REJECT, reply);
	TEST_CHECK(got == SK_E_SYNTAX, "a line of %d: got %s, want syntax",
	    MSG_POLICY_REPLY_LINE_MAX + 1, sk_result_str(got));
	/* two full lines fit the total; three do not (1534 octets) */
	reply_of(reply, 2, MSG_POLICY_REPLY_LINE_MAX);
	got = verdict_get(MSG_POLICY_REJECT, reply);
	TEST_CHECK(got == SK_OK, "two full lines: got %s, want ok",
	    sk_result_str(got));
	reply_of(reply, 3, MSG_POLICY_REPLY_LINE_MAX);
	TEST_CHECK(strlen(reply) > MSG_POLICY_REPLY_MAX,
	    "three full lines fit MSG_POLICY_REPLY_MAX: fix the test");
	got = verdict_get(MSG_POLICY_REJECT, reply);
	TEST_CHECK(got != SK_OK, "three full lines: got ok");
}

const struct test_case test_cases[] = {
	{ "policy_msg_reply_lines", test_reply_lines },
	{ "policy_msg_reply_bounds", test_reply_bounds },
};
const size_t test_ncases = SK_NELEM(test_cases);

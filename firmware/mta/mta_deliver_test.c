/*
 * mta_deliver_test.c - the M_DELIVER decoder: a good body, and each way a
 * body can be malformed.
 */
#include <string.h>

#include "msg_body.h"
#include "mta_deliver.h"
#include "test.h"

static uint8_t body[4096];
static const char *prepend = ""; /* the header block field */

/* build - a body with n recipients; ret and qid as given */
static size_t
build(uint32_t n, uint8_t ret, const char *qid)
{
	struct msg_body_writer w;
	uint32_t i;

	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_cstr(&w, qid);
	msg_body_put_cstr(&w, "sender@example.org");
	msg_body_put_cstr(&w, "ENV1");
	msg_body_put_u8(&w, ret);
	msg_body_put_u8(&w, MSG_BODY_8BITMIME);
	msg_body_put_u8(&w, 1);
	msg_body_put_cstr(&w, "example.net");
	msg_body_put_cstr(&w, prepend);
	msg_body_put_u32(&w, n);
	for (i = 0; i < n && i < 3; i++) {
		msg_body_put_u32(&w, 7 + i);
		msg_body_put_cstr(&w,
		    i == 0 ? "a@example.net" : "b@example.net");
		msg_body_put_u32(&w, MSG_NOTIFY_FAILURE);
		msg_body_put_cstr(&w, i == 0 ? "rfc822;a@example.net" : "");
	}
	return w.err ? 0 : w.len;
}

static void
test_deliver_good(void)
{
	struct mta_deliver d;
	size_t len = build(2, MSG_RET_HDRS, "Q1");

	TEST_CHECK(mta_deliver_decode(&d, body, len) == 0, "decodes");
	TEST_CHECK(strcmp(d.qid, "Q1") == 0 &&
		strcmp(d.msg.sender, "sender@example.org") == 0 &&
		strcmp(d.msg.envid, "ENV1") == 0 &&
		strcmp(d.domain, "example.net") == 0,
	    "fields: %s %s %s %s", d.qid, d.msg.sender, d.msg.envid, d.domain);
	TEST_CHECK(d.msg.ret == MSG_RET_HDRS &&
		d.msg.body == MSG_BODY_8BITMIME && d.msg.smtputf8 == 1,
	    "flags");
	TEST_CHECK(d.msg.nrcpt == 2 && d.rcpt_id[0] == 7 && d.rcpt_id[1] == 8 &&
		strcmp(d.rcpt[0].addr, "a@example.net") == 0 &&
		strcmp(d.rcpt[0].orcpt, "rfc822;a@example.net") == 0 &&
		d.rcpt[1].orcpt[0] == '\0' &&
		d.rcpt[1].notify == MSG_NOTIFY_FAILURE,
	    "recipients");
	mta_deliver_free(&d);
}

static void
test_deliver_bad(void)
{
	struct mta_deliver d;
	size_t len;

	len = build(1, 3, "Q1");
	TEST_CHECK(mta_deliver_decode(&d, body, len) == -1, "ret 3");
	mta_deliver_free(&d);
	len = build(1, 0, "Q1");
	TEST_CHECK(mta_deliver_decode(&d, body, len - 1) == -1, "truncated");
	mta_deliver_free(&d);
	body[len] = 'x';
	TEST_CHECK(mta_deliver_decode(&d, body, len + 1) == -1, "left over");
	mta_deliver_free(&d);
	len = build(MTA_RCPTS_MAX + 1, 0, "Q1");
	TEST_CHECK(mta_deliver_decode(&d, body, len) == -1, "too many");
	mta_deliver_free(&d);
	/* a queue id longer than MSG_QUEUE_ID_MAX */
	len = build(1, 0, "0123456789012345678901234567890123456789");
	TEST_CHECK(mta_deliver_decode(&d, body, len) == -1, "long queue id");
	mta_deliver_free(&d);
	TEST_CHECK(mta_deliver_decode(&d, body, 0) == -1, "empty");
	mta_deliver_free(&d);
	/* the header block: CRLF lines of fields, nothing else */
	prepend = "A-R: x\r\n";
	len = build(1, 0, "Q1");
	TEST_CHECK(mta_deliver_decode(&d, body, len) == 0 &&
		d.prepend_len == 8 && strcmp(d.prepend, "A-R: x\r\n") == 0,
	    "a good header block refused");
	mta_deliver_free(&d);
	prepend = "A-R: x\r\n\r\nbody";
	len = build(1, 0, "Q1");
	TEST_CHECK(mta_deliver_decode(&d, body, len) == -1,
	    "a header block with a body");
	mta_deliver_free(&d);
	prepend = "";
}

const struct test_case test_cases[] = {
	{ "mta_deliver_good", test_deliver_good },
	{ "mta_deliver_bad", test_deliver_bad },
};
const size_t test_ncases = SK_NELEM(test_cases);

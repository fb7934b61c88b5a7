/*
 * queue_env_test.c - the envelope trailer decoder (queue_env.c): a block
 * as the content process writes it, read back change by change; broken
 * blocks and tails refused.
 */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "queue_int.h"
#include "test.h"

static uint8_t buf[4096];

/* put_op - one change into w */
static void
put_op(struct msg_body_writer *w, uint8_t op, const char *addr, uint32_t notify,
    const char *orcpt)
{
	msg_body_put_u8(w, op);
	msg_body_put_cstr(w, addr);
	msg_body_put_u32(w, notify);
	msg_body_put_cstr(w, orcpt);
}

/* tail_after - the u32 length and the magic after len octets of buf;
 * the whole length */
static size_t
tail_after(size_t msg, size_t len)
{
	msg_put_u32(buf + msg + len, (uint32_t)len);
	memcpy(buf + msg + len + 4, MSG_ENV_MAGIC, MSG_ENV_MAGIC_LEN);
	return msg + len + QUEUE_ENV_TAIL_LEN;
}

/* A message, then a block of three changes, then the tail. */
static void
test_env_roundtrip(void)
{
	static struct queue_env e;
	static struct queue_env_op op;
	struct msg_body_writer w;
	size_t msg = 7, size;
	uint64_t off = 0;
	uint32_t blen = 0;

	memcpy(buf, "Hi\r\n\r\n.", msg);
	msg_body_writer_init(&w, buf + msg, sizeof(buf) - msg - 12);
	msg_body_put_u8(&w, 1);
	msg_body_put_cstr(&w, "bounce@sender.test");
	msg_body_put_u32(&w, 3);
	put_op(&w, MSG_ENV_DELRCPT, "bob@example.org", 0, "");
	put_op(&w, MSG_ENV_ADDRCPT, "carol@example.net", 0, "");
	put_op(&w, MSG_ENV_ADDRCPT, "dave@example.net",
	    MSG_NOTIFY_SUCCESS | MSG_NOTIFY_FAILURE, "rfc822;dave@example.net");
	TEST_CHECK(!w.err, "the block does not fit");
	size = tail_after(msg, w.len);
	TEST_CHECK(queue_env_tail(buf + size - QUEUE_ENV_TAIL_LEN, size, &off,
		       &blen) == SK_OK &&
		off == msg && blen == w.len,
	    "tail: got off %llu len %u, want %zu %zu", (unsigned long long)off,
	    blen, msg, w.len);
	TEST_CHECK(queue_env_begin(&e, buf + off, blen) == SK_OK &&
		e.chgfrom == 1 && strcmp(e.sender, "bounce@sender.test") == 0 &&
		e.n == 3,
	    "begin: got chgfrom %u sender %s n %u", e.chgfrom, e.sender, e.n);
	TEST_CHECK(queue_env_next(&e, &op) == SK_OK &&
		op.op == MSG_ENV_DELRCPT &&
		strcmp(op.addr, "bob@example.org") == 0,
	    "op 1: got %u %s", op.op, op.addr);
	TEST_CHECK(queue_env_next(&e, &op) == SK_OK &&
		op.op == MSG_ENV_ADDRCPT &&
		strcmp(op.addr, "carol@example.net") == 0,
	    "op 2: got %u %s", op.op, op.addr);
	TEST_CHECK(queue_env_next(&e, &op) == SK_OK && op.notify == 6 &&
		strcmp(op.orcpt, "rfc822;dave@example.net") == 0,
	    "op 3: got %u %s", op.notify, op.orcpt);
	TEST_CHECK(queue_env_next(&e, &op) == SK_END, "no end after 3");
}

/* A file without the magic has no trailer; a length past the file or
 * past MSG_ENV_BLOCK_MAX is refused. */
static void
test_env_tail(void)
{
	uint64_t off;
	uint32_t blen;
	size_t size;

	memset(buf, 'x', 64);
	memcpy(buf + 62, "\r\n", 2);
	TEST_CHECK(queue_env_tail(buf + 64 - QUEUE_ENV_TAIL_LEN, 64, &off,
		       &blen) == SK_END,
	    "a message without a trailer has one");
	TEST_CHECK(queue_env_tail(buf, 3, &off, &blen) == SK_END,
	    "a short file has a trailer");
	size = tail_after(10, 20);
	msg_put_u32(buf + 30, 31); /* one more than the file holds */
	TEST_CHECK(queue_env_tail(buf + size - QUEUE_ENV_TAIL_LEN, size, &off,
		       &blen) == SK_E_RANGE,
	    "a length past the start of the file accepted");
	msg_put_u32(buf + 30, 30);
	TEST_CHECK(queue_env_tail(buf + size - QUEUE_ENV_TAIL_LEN, size, &off,
		       &blen) == SK_OK &&
		off == 0,
	    "a block from the first octet refused");
	msg_put_u32(buf + 30, MSG_ENV_BLOCK_MAX + 1);
	TEST_CHECK(queue_env_tail(buf + size - QUEUE_ENV_TAIL_LEN,
		       (uint64_t)MSG_ENV_BLOCK_MAX * 2, &off,
		       &blen) == SK_E_RANGE,
	    "a length past MSG_ENV_BLOCK_MAX accepted");
}

/* read_all - begin and every change: SK_END, or the first error */
static enum sk_result
read_all(const uint8_t *p, size_t len)
{
	static struct queue_env e;
	static struct queue_env_op op;
	enum sk_result r;

	if ((r = queue_env_begin(&e, p, len)) != SK_OK) {
		return r;
	}
	while ((r = queue_env_next(&e, &op)) == SK_OK) {
	}
	return r;
}

/* Broken blocks, each one field off. */
static void
test_env_broken(void)
{
	static const struct {
		const char *what;
		uint8_t chgfrom, op;
		const char *sender, *addr, *orcpt;
		uint32_t n, notify;
		int extra;
		enum sk_result want;
	} cases[] = {
		{ "good", 0, MSG_ENV_ADDRCPT, "", "a@b", "", 1, 2, 0, SK_END },
		{ "chgfrom 2", 2, MSG_ENV_ADDRCPT, "", "a@b", "", 1, 0, 0,
		    SK_E_SYNTAX },
		{ "sender without chgfrom", 0, MSG_ENV_ADDRCPT, "x@y", "a@b",
		    "", 1, 0, 0, SK_E_SYNTAX },
		{ "control in sender", 1, MSG_ENV_ADDRCPT, "x\r@y", "a@b", "",
		    1, 0, 0, SK_E_SYNTAX },
		{ "op 3", 0, 3, "", "a@b", "", 1, 0, 0, SK_E_SYNTAX },
		{ "empty address", 0, MSG_ENV_ADDRCPT, "", "", "", 1, 0, 0,
		    SK_E_SYNTAX },
		{ "8-bit address", 0, MSG_ENV_ADDRCPT, "", "\xc3\xa9@b", "", 1,
		    0, 0, SK_E_SYNTAX },
		{ "notify 16", 0, MSG_ENV_ADDRCPT, "", "a@b", "", 1, 16, 0,
		    SK_E_SYNTAX },
		{ "deletion with notify", 0, MSG_ENV_DELRCPT, "", "a@b", "", 1,
		    2, 0, SK_E_SYNTAX },
		{ "deletion with orcpt", 0, MSG_ENV_DELRCPT, "", "a@b",
		    "rfc822;a@b", 1, 0, 0, SK_E_SYNTAX },
		{ "fewer changes than n", 0, MSG_ENV_ADDRCPT, "", "a@b", "", 2,
		    0, 0, SK_E_SYNTAX },
		{ "n past the limit", 0, MSG_ENV_ADDRCPT, "", "a@b", "",
		    MSG_ENV_OPS_MAX + 1, 0, 0, SK_E_SYNTAX },
		{ "octets left over", 0, MSG_ENV_ADDRCPT, "", "a@b", "", 1, 0,
		    1, SK_E_SYNTAX },
	};
	struct msg_body_writer w;
	enum sk_result got;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		msg_body_writer_init(&w, buf, sizeof(buf));
		msg_body_put_u8(&w, cases[i].chgfrom);
		msg_body_put_cstr(&w, cases[i].sender);
		msg_body_put_u32(&w, cases[i].n);
		put_op(&w, cases[i].op, cases[i].addr, cases[i].notify,
		    cases[i].orcpt);
		if (cases[i].extra) {
			msg_body_put_u8(&w, 0);
		}
		got = read_all(buf, w.len);
		TEST_CHECK(got == cases[i].want, "%s: got %s, want %s",
		    cases[i].what, sk_result_str(got),
		    sk_result_str(cases[i].want));
	}
	/* every cut of a good block is refused */
	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_u8(&w, 1);
	msg_body_put_cstr(&w, "s@t");
	msg_body_put_u32(&w, 1);
	put_op(&w, MSG_ENV_ADDRCPT, "a@b", 2, "rfc822;a@b");
	for (i = 0; i < w.len; i++) {
		TEST_CHECK(read_all(buf, i) == SK_E_SYNTAX,
		    "cut at %zu accepted", i);
	}
	TEST_CHECK(read_all(buf, w.len) == SK_END, "the whole refused");
}

const struct test_case test_cases[] = {
	{ "queue_env_roundtrip", test_env_roundtrip },
	{ "queue_env_tail", test_env_tail },
	{ "queue_env_broken", test_env_broken },
};
const size_t test_ncases = SK_NELEM(test_cases);

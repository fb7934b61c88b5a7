/*
 * queue_pickup_test.c - tests of the pickup file codec: a file written
 * with queue_pickup_head reads back; every truncation is SK_NEED_MORE,
 * never a message; malformed heads, addresses and sizes are refused.
 */
#include <stdio.h>
#include <string.h>

#include "queue_pickup.h"
#include "test.h"

static const char content[] = "From: <r@example.net>\r\nSubject: x\r\n\r\n"
			      "body\r\n";

/* build - a whole file into buf; its length */
static size_t
build(uint8_t *buf, size_t cap, const char *sender)
{
	static const char *const rcpts[] = { "a@example.org",
		"b@reports.example" };
	size_t used = 0;

	if (queue_pickup_head(sender, rcpts, 2, strlen(content), (char *)buf,
		cap, &used) != SK_OK) {
		test_fail("head refused");
		return 0;
	}
	memcpy(buf + used, content, strlen(content));
	used += strlen(content);
	memcpy(buf + used, QUEUE_PICKUP_END, 4);
	return used + 4;
}

static void
test_round_trip(void)
{
	static uint8_t buf[4096];
	static struct queue_pickup p;
	size_t n = build(buf, sizeof(buf), "r@example.net"), cut;
	enum sk_result r;

	r = queue_pickup_parse(buf, n, &p);
	TEST_CHECK(r == SK_OK && strcmp(p.sender, "r@example.net") == 0 &&
		p.nrcpts == 2 && strcmp(p.rcpts[1], "b@reports.example") == 0 &&
		p.len == strlen(content) &&
		memcmp(p.content, content, p.len) == 0,
	    "got %s, %zu rcpts", sk_result_str(r), p.nrcpts);
	for (cut = 0; cut < n; cut++) {
		r = queue_pickup_parse(buf, cut, &p);
		TEST_CHECK(r == SK_NEED_MORE && p.content == NULL,
		    "cut at %zu: got %s", cut, sk_result_str(r));
	}
	n = build(buf, sizeof(buf), "");
	TEST_CHECK(queue_pickup_parse(buf, n, &p) == SK_OK &&
		p.sender[0] == '\0',
	    "null sender");
}

static void
test_bad(void)
{
	static const char *const bad[] = {
		"SEKIMORI-PICKUP 2\nsender a@b\nrcpt c@d\nsize 1\n\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a b\nrcpt c@d\nsize 1\n\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nsize 1\n\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt <c@d>\nsize 1\n\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 01\n\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 1x\n\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 1\nx\nxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 1\n\nxxEND\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 1\n\nxEND\nx",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 1\n\nxEN\n\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 99999999999\n\n",
		"SEKIMORI-PICKUP 1\nsender a@b\nrcpt c@d\nsize 40000000\n\n",
		"SEKIMORI-PICKUP 1\nfrom a@b\nrcpt c@d\nsize 1\n\nxEND\n",
		"HELO\n",
	};
	static struct queue_pickup p;
	static char many[4096];
	size_t i, n;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(bad); i++) {
		r = queue_pickup_parse((const uint8_t *)bad[i], strlen(bad[i]),
		    &p);
		TEST_CHECK(r == SK_E_SYNTAX || r == SK_E_RANGE,
		    "case %zu: got %s", i, sk_result_str(r));
	}
	n = (size_t)snprintf(many, sizeof(many),
	    "SEKIMORI-PICKUP 1\nsender a@b\n");
	for (i = 0; i < QUEUE_PICKUP_RCPTS_MAX + 1; i++) {
		n += (size_t)snprintf(many + n, sizeof(many) - n,
		    "rcpt r%zu@d\n", i);
	}
	n += (size_t)snprintf(many + n, sizeof(many) - n, "size 1\n\nxEND\n");
	TEST_CHECK(queue_pickup_parse((const uint8_t *)many, n, &p) ==
		SK_E_RANGE,
	    "17 recipients accepted");
}

const struct test_case test_cases[] = {
	{ "queue_pickup_round_trip", test_round_trip },
	{ "queue_pickup_bad", test_bad },
};
const size_t test_ncases = SK_NELEM(test_cases);

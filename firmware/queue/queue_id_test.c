/*
 * queue_id_test.c - queue ids: shape, order, uniqueness, clock steps.
 */
#include <string.h>

#include "queue_id.h"
#include "test.h"

#define T0 UINT64_C(1795000000000000) /* a time in 2026, in microseconds */

static void
test_id_shape(void)
{
	struct queue_id_gen g;
	char id[QUEUE_ID_SIZE];
	size_t i;

	queue_id_gen_init(&g, 0xabcde);
	queue_id_next(&g, T0, id);
	TEST_CHECK(strlen(id) == QUEUE_ID_LEN, "got length %zu, want %d",
	    strlen(id), QUEUE_ID_LEN);
	for (i = 0; i < strlen(id); i++) {
		TEST_CHECK((id[i] >= '0' && id[i] <= '9') ||
			(id[i] >= 'A' && id[i] <= 'V'),
		    "got %s: character %zu is not base 32", id, i);
	}
	TEST_CHECK(queue_id_valid(id, strlen(id)), "own id %s not valid", id);
	TEST_CHECK(queue_id_time_us(id) == T0, "time part lost");
	/* nonce 0xabcde = 21*32^3 + 15*32^2 + 6*32 + 30: "LF6U" */
	TEST_CHECK(strcmp(id + 12, "LF6U") == 0, "got nonce %s, want LF6U",
	    id + 12);
}

static void
test_id_increasing(void)
{
	struct queue_id_gen g;
	char a[QUEUE_ID_SIZE], b[QUEUE_ID_SIZE];
	int i;

	queue_id_gen_init(&g, 7);
	queue_id_next(&g, T0, a);
	for (i = 0; i < 1000; i++) {
		/* same microsecond, then a clock that goes back */
		queue_id_next(&g, i < 500 ? T0 : T0 - 1000000, b);
		TEST_CHECK(strcmp(a, b) < 0, "got %s after %s: not increasing",
		    b, a);
		memcpy(a, b, sizeof(a));
	}
	queue_id_next(&g, T0 + 5000000, b);
	TEST_CHECK(queue_id_time_us(b) == T0 + 5000000,
	    "a clock ahead again is used as is");
}

static void
test_id_floor(void)
{
	struct queue_id_gen g, old;
	char seen[QUEUE_ID_SIZE], id[QUEUE_ID_SIZE];

	/* a previous process made an id; after a restart the clock is
	 * behind it: the new ids still sort after it */
	queue_id_gen_init(&old, 1);
	queue_id_next(&old, T0 + 60000000, seen);
	queue_id_gen_init(&g, 2);
	queue_id_gen_floor(&g, seen);
	queue_id_next(&g, T0, id);
	TEST_CHECK(strcmp(id, seen) > 0, "got %s, want after %s", id, seen);
}

static void
test_id_valid(void)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "0000000000000000", 1 },
		{ "VVVVVVVVVVVVVVVV", 1 },
		{ "01234567890ABCDE", 1 },
		{ "0123456789ABCDEW", 0 },
		{ "0123456789abcdef", 0 },
		{ "0123456789ABCDE", 0 },
		{ "0123456789ABCDEF0", 0 },
		{ "0123456789ABCD/F", 0 },
		{ "../../etc/passwd", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		TEST_CHECK(queue_id_valid(cases[i].s, strlen(cases[i].s)) ==
			cases[i].ok,
		    "%s: got %d, want %d", cases[i].s, !cases[i].ok,
		    cases[i].ok);
	}
	TEST_CHECK(!queue_id_valid("0123456789ABCDE\0", 16), "NUL accepted");
}

const struct test_case test_cases[] = {
	{ "queue_id_shape", test_id_shape },
	{ "queue_id_increasing", test_id_increasing },
	{ "queue_id_floor", test_id_floor },
	{ "queue_id_valid", test_id_valid },
};
const size_t test_ncases = SK_NELEM(test_cases);

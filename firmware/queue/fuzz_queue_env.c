/*
 * fuzz_queue_env.c - libFuzzer target for the envelope trailer decoder
 * (queue_env.c) over a hostile rewritten content: the input is the whole
 * file the content process hands the queue.
 *
 * When the input ends in a trailer (queue_env_tail), its block is read;
 * else the whole input is read as a block, so that the decoder's every
 * branch is reached without a valid tail.
 *
 * Invariants: the block lies inside the input; at most MSG_ENV_OPS_MAX
 * changes come out, and SK_END only after exactly the announced number;
 * every change is an addition or a deletion of a non-empty printable
 * address, with a printable ORCPT, and a deletion has neither NOTIFY nor
 * ORCPT; the sender is printable and empty unless chgfrom.
 */
#include <stdlib.h>
#include <string.h>

#include "queue_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* printable - s has only printable ASCII and is shorter than max */
static void
printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max) {
		abort();
	}
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			abort();
		}
	}
}

/* check_op - what the invariants say of one change */
static void
check_op(const struct queue_env_op *op)
{
	if (op->op != MSG_ENV_ADDRCPT && op->op != MSG_ENV_DELRCPT) {
		abort();
	}
	if (op->addr[0] == '\0' || op->notify > 0xf) {
		abort();
	}
	printable(op->addr, MSG_ENV_ADDR_MAX);
	printable(op->orcpt, MSG_ENV_ORCPT_MAX);
	if (op->op == MSG_ENV_DELRCPT &&
	    (op->notify != 0 || op->orcpt[0] != '\0')) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct queue_env e;
	static struct queue_env_op op;
	const uint8_t *block = data;
	size_t len = size;
	uint64_t off = 0;
	uint32_t blen = 0, seen = 0;
	enum sk_result r = SK_END;

	if (size >= QUEUE_ENV_TAIL_LEN) {
		r = queue_env_tail(data + size - QUEUE_ENV_TAIL_LEN, size, &off,
		    &blen);
	}
	if (r == SK_OK) {
		if (off + blen + QUEUE_ENV_TAIL_LEN != size) {
			abort(); /* the block is not where the tail says */
		}
		block = data + off;
		len = blen;
	}
	if (queue_env_begin(&e, block, len) != SK_OK) {
		return 0;
	}
	if (e.chgfrom > 1 || e.n > MSG_ENV_OPS_MAX ||
	    (!e.chgfrom && e.sender[0] != '\0')) {
		abort();
	}
	printable(e.sender, MSG_ENV_ADDR_MAX);
	while ((r = queue_env_next(&e, &op)) == SK_OK) {
		check_op(&op);
		if (++seen > e.n) {
			abort();
		}
	}
	if (r == SK_END && seen != e.n) {
		abort();
	}
	if (r != SK_END && r != SK_E_SYNTAX) {
		abort();
	}
	return 0;
}

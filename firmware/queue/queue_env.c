/*
 * queue_env.c - the envelope trailer of a rewritten content, decoded
 * (queue_int.h; the format: lib/msg_types.h). Sans I/O: queue_smtp.c
 * reads the file and applies the changes; this file only reads bytes.
 * Untrusted input: the trailer comes from the content process, which
 * took it from a milter; every field is checked as if hostile.
 */
#include <string.h>

#include "msg.h"
#include "queue_int.h"

/* queue_env_text_ok - an address or ORCPT from the trailer: printable
 * ASCII, so it can reach a log line and the SQLite index as it is */
static int
queue_env_text_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			return 0;
		}
	}
	return 1;
}

enum sk_result
queue_env_tail(const uint8_t *tail, uint64_t size, uint64_t *block_off,
    uint32_t *block_len)
{
	uint32_t blen;

	if (size < QUEUE_ENV_TAIL_LEN ||
	    memcmp(tail + 4, MSG_ENV_MAGIC, MSG_ENV_MAGIC_LEN) != 0) {
		return SK_END;
	}
	blen = msg_get_u32(tail);
	if (blen > MSG_ENV_BLOCK_MAX || blen > size - QUEUE_ENV_TAIL_LEN) {
		return SK_E_RANGE;
	}
	*block_len = blen;
	*block_off = size - QUEUE_ENV_TAIL_LEN - blen;
	return SK_OK;
}

enum sk_result
queue_env_begin(struct queue_env *e, const uint8_t *block, size_t len)
{
	msg_body_reader_init(&e->r, block, len);
	e->chgfrom = msg_body_get_u8(&e->r);
	msg_body_get_str(&e->r, e->sender, sizeof(e->sender));
	e->n = msg_body_get_u32(&e->r);
	e->done = 0;
	/* the sender is meaningful only with chgfrom: "" without it */
	if (e->r.err || e->chgfrom > 1 || e->n > MSG_ENV_OPS_MAX ||
	    !queue_env_text_ok(e->sender) ||
	    (!e->chgfrom && e->sender[0] != '\0')) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/* queue_env_op_ok - an addition has an address, NOTIFY bits and maybe
 * an ORCPT; a deletion only an address */
static int
queue_env_op_ok(const struct queue_env_op *op)
{
	if (op->addr[0] == '\0' || !queue_env_text_ok(op->addr) ||
	    !queue_env_text_ok(op->orcpt) || op->notify > 0xf) {
		return 0;
	}
	if (op->op == MSG_ENV_DELRCPT) {
		return op->notify == 0 && op->orcpt[0] == '\0';
	}
	return op->op == MSG_ENV_ADDRCPT;
}

enum sk_result
queue_env_next(struct queue_env *e, struct queue_env_op *op)
{
	if (e->done == e->n) {
		return msg_body_end(&e->r) == 0 ? SK_END : SK_E_SYNTAX;
	}
	op->op = msg_body_get_u8(&e->r);
	msg_body_get_str(&e->r, op->addr, sizeof(op->addr));
	op->notify = msg_body_get_u32(&e->r);
	msg_body_get_str(&e->r, op->orcpt, sizeof(op->orcpt));
	if (e->r.err || !queue_env_op_ok(op)) {
		return SK_E_SYNTAX;
	}
	e->done++;
	return SK_OK;
}

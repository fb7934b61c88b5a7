/*
 * fuzz_policy_msg.c - libFuzzer target for the P_CHECK and P_VERDICT
 * decoders (policy_msg.h).
 *
 * The first byte picks the decoder. Invariants: decoders are total; an
 * accepted body encodes again to the same octets (the encoding is
 * canonical: every recipient decoded fits again), its strings are
 * NUL-terminated within their fields, every recipient is a non-empty C
 * string inside the used part of rcpt_buf, an accepted prepend
 * block passes msg_header_block_ok, and a rewrite mode is known and goes
 * with accept or quarantine.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_check c;
static struct policy_wire_verdict v;
static uint8_t out[MSG_BODY_MAX];

/* rcpts_ok - each recipient starts and ends inside rcpt_len */
static int
rcpts_ok(const struct policy_check *pc)
{
	uint32_t i;
	size_t off, len;

	if (pc->nrcpt > POLICY_MSG_RCPT_MAX ||
	    pc->rcpt_len > sizeof(pc->rcpt_buf)) {
		return 0;
	}
	for (i = 0; i < pc->nrcpt; i++) {
		off = pc->rcpt_off[i];
		if (off >= pc->rcpt_len) {
			return 0;
		}
		len = strnlen(pc->rcpt_buf + off, pc->rcpt_len - off);
		if (len == 0 || off + len >= pc->rcpt_len) {
			return 0;
		}
	}
	return 1;
}

/* same - the encoder gives back the input */
static void
same(const struct msg_body_writer *w, const uint8_t *data, size_t size)
{
	if (w->err || w->len != size || memcmp(out, data, size) != 0) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_body_writer w;

	if (size == 0 || size - 1 > MSG_BODY_MAX) {
		return 0;
	}
	msg_body_writer_init(&w, out, sizeof(out));
	if (data[0] & 1) {
		if (policy_msg_verdict_get(data + 1, size - 1, &v) == SK_OK) {
			if (!msg_header_block_ok((const uint8_t *)v.prepend,
				v.prepend_len) ||
			    v.prepend[v.prepend_len] != '\0' ||
			    v.rewrite > MSG_REWRITE_LAST ||
			    (v.rewrite != MSG_REWRITE_NONE &&
				v.action != MSG_POLICY_ACCEPT &&
				v.action != MSG_POLICY_QUARANTINE) ||
			    (v.notice[0] != '\0' &&
				!policy_msg_notice_ok(v.notice,
				    strlen(v.notice)))) {
				abort();
			}
			policy_msg_verdict_put(&w, &v);
			same(&w, data + 1, size - 1);
		}
	} else if (policy_msg_check_get(data + 1, size - 1, &c) == SK_OK) {
		if (!rcpts_ok(&c)) {
			abort();
		}
		policy_msg_check_put(&w, &c);
		same(&w, data + 1, size - 1);
	}
	return 0;
}

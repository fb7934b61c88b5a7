/*
 * fuzz_smtpd_opened.c - libFuzzer target for Q_OPENED's decoder
 * (smtpd_txn_opened_get, smtpd_int.h): the queue's answer that names the
 * message's id and the spare id a strip's original will have.
 *
 * Invariants: the decoder is total; an accepted body has a queue id that
 * is not empty and a spare id that may stand for MSG_QID_TOKEN and
 * differs from it, and encodes again to the same octets.
 */
#include <stdlib.h>
#include <string.h>

#include "msg_body.h"
#include "qid_token.h"
#include "smtpd_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[MSG_BODY_MAX];
	char qid[MSG_QUEUE_ID_MAX + 1], spare[MSG_QUEUE_ID_MAX + 1];
	struct msg_body_writer w;

	if (size > MSG_BODY_MAX ||
	    smtpd_txn_opened_get(data, size, qid, spare) != 0) {
		return 0;
	}
	if (qid[0] == '\0' || !qid_token_value_ok(spare, strlen(spare)) ||
	    strcmp(qid, spare) == 0) {
		abort();
	}
	msg_body_writer_init(&w, out, sizeof(out));
	msg_body_put_cstr(&w, qid);
	msg_body_put_cstr(&w, spare);
	if (w.err || w.len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	return 0;
}

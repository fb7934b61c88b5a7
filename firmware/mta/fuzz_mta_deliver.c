/*
 * fuzz_mta_deliver.c - libFuzzer target for the M_DELIVER decoder.
 *
 * Invariants: a decoded job has at most MTA_RCPTS_MAX recipients, every
 * string is NUL-terminated inside the decoder's storage, enumerations are
 * in range; a failed decode leaves nothing to leak after the free.
 */
#include <stdlib.h>
#include <string.h>

#include "mta_deliver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mta_deliver d;
	size_t i, total = 0;

	if (mta_deliver_decode(&d, data, size) == 0) {
		if (d.msg.nrcpt > MTA_RCPTS_MAX || d.msg.ret > MSG_RET_HDRS ||
		    d.msg.body > MSG_BODY_BINARYMIME || d.msg.smtputf8 > 1) {
			abort();
		}
		total += strlen(d.msg.sender) + strlen(d.msg.envid) +
		    strlen(d.qid) + strlen(d.domain);
		for (i = 0; i < d.msg.nrcpt; i++) {
			total +=
			    strlen(d.rcpt[i].addr) + strlen(d.rcpt[i].orcpt);
		}
		if (total > size) {
			abort(); /* strings come from the body only */
		}
	}
	mta_deliver_free(&d);
	return 0;
}

/*
 * fuzz_policy_seal.c - libFuzzer target for the P_SEAL and P_SEALED
 * decoders and policy_msg_arc_set_len (policy_msg.h).
 *
 * The first byte picks: 0 P_SEAL, 1 P_SEALED, 2 the ARC set of a header
 * block. Invariants: decoders are total; an accepted body encodes again
 * to the same octets; an accepted spare id is "" or may stand for the
 * token; an accepted set is "" or a header block that is
 * exactly one ARC set; a set's length never passes the block's.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_msg.h"
#include "qid_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_wire_sealed s;
static uint8_t out[MSG_BODY_MAX];

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
	char qid[MSG_QUEUE_ID_MAX + 1], spare[MSG_QUEUE_ID_MAX + 1];
	struct msg_body_writer w;
	size_t n;

	if (size == 0 || size - 1 > MSG_BODY_MAX) {
		return 0;
	}
	msg_body_writer_init(&w, out, sizeof(out));
	switch (data[0] % 3) {
	case 0:
		if (policy_msg_seal_get(data + 1, size - 1, qid, spare) ==
		    SK_OK) {
			if (spare[0] != '\0' &&
			    !qid_token_value_ok(spare, strlen(spare))) {
				abort();
			}
			policy_msg_seal_put(&w, qid, spare);
			same(&w, data + 1, size - 1);
		}
		break;
	case 1:
		if (policy_msg_sealed_get(data + 1, size - 1, &s) == SK_OK) {
			if (s.set[s.set_len] != '\0' ||
			    (s.set_len > 0 &&
				(!msg_header_block_ok((const uint8_t *)s.set,
				     s.set_len) ||
				    policy_msg_arc_set_len(s.set, s.set_len) !=
					s.set_len))) {
				abort();
			}
			policy_msg_sealed_put(&w, &s);
			same(&w, data + 1, size - 1);
		}
		break;
	default:
		n = policy_msg_arc_set_len((const char *)data + 1, size - 1);
		if (n > size - 1) {
			abort();
		}
		break;
	}
	return 0;
}

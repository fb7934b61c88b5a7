/*
 * content_envelope.h - a milter's envelope changes (addrcpt,
 * addrcpt_par, delrcpt, chgfrom), gathered over the chain and handed to
 * the queue as the envelope trailer of the rewritten message
 * (lib/msg_types.h, "The envelope trailer").
 *
 * The scan core has decoded each change strictly (canonical addresses
 * through smtp's path parser, only NOTIFY and ORCPT): here they are
 * applied in chain order, then each milter's order, to the recipients
 * the check carried, so that the count after them is known before the
 * decision: past the relay's recipient limit the milter's session counts
 * as failed (its on-failure applies), and none left means discard.
 *
 * Pure: no I/O, no allocation, no logging. The caller owns the struct
 * (about 930 KiB: allocate it once per worker) and the check's
 * recipient strings, which must outlive it.
 */
#ifndef SK_CONTENT_ENVELOPE_H
#define SK_CONTENT_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "../policy/policy_msg.h"
#include "../scan/scan_milter.h"
#include "msg_types.h"
#include "sk.h"

/* One change as the trailer carries it. */
struct content_env_op {
	uint8_t op;      /* MSG_ENV_DELRCPT, MSG_ENV_ADDRCPT */
	uint32_t notify; /* MSG_NOTIFY_* bits, 0 not given (add only) */
	char addr[MSG_ENV_ADDR_MAX + 1];
	char orcpt[MSG_ENV_ORCPT_MAX + 1]; /* "type;xtext" or "" */
};

struct content_envelope {
	int chgfrom; /* the sender changed, to sender */
	char sender[MSG_ENV_ADDR_MAX + 1];
	size_t nops;
	struct content_env_op ops[MSG_ENV_OPS_MAX];
	/* the recipients after the changes so far: the check's, and the
	 * added ones (pointers into ops) */
	size_t nrcpt;
	const char *rcpt[POLICY_MSG_RCPT_MAX + MSG_ENV_OPS_MAX];
	uint32_t omitted; /* recipients the check did not carry: kept */
	/* a milter's changes are tried on these, then kept or dropped */
	size_t saved_nrcpt;
	const char *saved[POLICY_MSG_RCPT_MAX + MSG_ENV_OPS_MAX];
};

/* content_envelope_init - the check's n recipients (and how many it
 * omitted), nothing changed yet */
void content_envelope_init(struct content_envelope *e, const char *const *rcpt,
    size_t n, uint32_t omitted);

/*
 * content_envelope_add - one milter's envelope changes, in its order:
 * SK_OK; SK_E_RANGE when the recipients would then be more than
 * max_rcpts, SK_E_FULL past MSG_ENV_OPS_MAX changes: nothing of this
 * milter is kept then. A recipient added twice, or one that is there
 * already, is added once; a deleted one that is not there is no change.
 */
enum sk_result content_envelope_add(struct content_envelope *e,
    const struct scan_milter_actions *a, uint32_t max_rcpts);

/* content_envelope_changed - whether the trailer has anything to say */
int content_envelope_changed(const struct content_envelope *e);

/* content_envelope_count - recipients after the changes, omitted ones
 * included */
size_t content_envelope_count(const struct content_envelope *e);

/*
 * content_envelope_trailer - the envelope trailer (block, its length,
 * MSG_ENV_MAGIC) into buf[cap]: its length, 0 if it does not fit
 * (MSG_ENV_TRAILER_MAX always does).
 */
size_t content_envelope_trailer(const struct content_envelope *e, uint8_t *buf,
    size_t cap);

/*
 * content_envelope_log - what milter NAME changed, for the log:
 * "milter=NAME chgfrom=<a> addrcpt=<b> addrcpt=<c>(NOTIFY=...) delrcpt=<d>",
 * cut with "..." to fit size; "" when a holds no envelope change.
 */
void content_envelope_log(const struct scan_milter_actions *a, const char *name,
    char *out, size_t size);

#endif /* SK_CONTENT_ENVELOPE_H */

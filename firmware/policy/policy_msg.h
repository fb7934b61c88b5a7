/*
 * policy_msg.h - the bodies of P_CHECK (smtp -> policy) and P_VERDICT
 * (policy -> smtp), encoded and decoded (field lists: lib/msg_types.h).
 *
 * Decoders are total over (body, len): any byte string gives SK_OK or
 * SK_E_SYNTAX (a field too long, missing or left over, an unknown enum
 * value, control characters where a log line will show the field, a
 * prepend block that is no header block), never a read out of bounds.
 * SK_E_SYNTAX means the peer broke the protocol.
 *
 * Ownership: the caller owns every struct; nothing allocates. Used by
 * firmware/smtpd (encodes checks, decodes verdicts) and the policy
 * process; it needs only lib/.
 */
#ifndef SK_POLICY_MSG_H
#define SK_POLICY_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "msg_body.h"
#include "msg_types.h"
#include "sk.h"

#define POLICY_MSG_IP_SIZE 64     /* client address text */
#define POLICY_MSG_TEXT_SIZE 1024 /* HELO, sender, AUTH user */

struct policy_check {
	char qid[MSG_QUEUE_ID_MAX + 1];
	char client_ip[POLICY_MSG_IP_SIZE];
	char helo[POLICY_MSG_TEXT_SIZE];
	char mail_from[POLICY_MSG_TEXT_SIZE]; /* "" = null sender */
	char auth_user[POLICY_MSG_TEXT_SIZE]; /* "" = none */
	uint8_t direction;                    /* enum msg_policy_direction */
};

struct policy_wire_verdict {
	char qid[MSG_QUEUE_ID_MAX + 1];
	uint8_t action; /* enum msg_policy_action */
	char reply[MSG_POLICY_REPLY_MAX + 1];
	uint32_t nrenames;
	uint64_t renames[MSG_POLICY_RENAMES_MAX];
	char prepend[MSG_PREPEND_MAX + 1]; /* NUL-terminated too */
	size_t prepend_len;
};

/* policy_msg_check_put - c into w (check w->err after) */
void policy_msg_check_put(struct msg_body_writer *w,
    const struct policy_check *c);
enum sk_result policy_msg_check_get(const uint8_t *body, size_t len,
    struct policy_check *c);

/* policy_msg_verdict_put - v into w (check w->err after) */
void policy_msg_verdict_put(struct msg_body_writer *w,
    const struct policy_wire_verdict *v);
/* policy_msg_verdict_get - also: a reject or tempfail has a reply that
 * starts with a 5 or 4 and three digits and a space; accept has none */
enum sk_result policy_msg_verdict_get(const uint8_t *body, size_t len,
    struct policy_wire_verdict *v);

#endif /* SK_POLICY_MSG_H */

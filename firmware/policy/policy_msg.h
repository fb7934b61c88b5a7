/*
 * policy_msg.h - the bodies of P_CHECK (smtp -> policy) and P_VERDICT
 * (policy -> smtp), and of P_SEAL and P_SEALED (the second seal), encoded
 * and decoded (field lists: lib/msg_types.h).
 *
 * Decoders are total over (body, len): any byte string gives SK_OK or
 * SK_E_SYNTAX (a field too long, missing or left over, an unknown enum
 * value, control characters where a log line will show the field, a
 * prepend block that is no header block), never a read out of bounds.
 * SK_E_SYNTAX means the peer broke the protocol.
 *
 * Ownership: the caller owns every struct; nothing allocates. Used by
 * firmware/smtpd (encodes checks, decodes verdicts), the policy process
 * and the content process (firmware/content); it needs only lib/.
 *
 * Recipients (P_CHECK, after the direction: u32 n, n times str address,
 * u32 omitted): a milter asks for them; the policy process ignores them.
 * They are packed into struct policy_check: each address a C string in
 * rcpt_buf, the i-th starting at rcpt_off[i] (policy_check_rcpt), so the
 * struct can be copied and needs no pointers. smtp fills them with
 * policy_check_add_rcpt, one call per accepted recipient in RCPT order.
 * The encoder carries as many as fit in the body (MSG_BODY_MAX, after
 * the other fields) and adds the rest to omitted: a message with
 * thousands of recipients is still scanned, its milter just does not see
 * every RCPT (the log of the content process says how many it missed).
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
/* One recipient address, NUL included: RFC 5321 4.5.3.1.3 allows a path
 * of 256 octets; SMTPUTF8 and a generous peer fit in the same bound as
 * the sender. */
#define POLICY_MSG_RCPT_SIZE POLICY_MSG_TEXT_SIZE
/* Recipients in one P_CHECK at most: the shortest, one octet, takes
 * three on the wire (u16 length and the octet). */
#define POLICY_MSG_RCPT_MAX (MSG_BODY_MAX / 3)

struct policy_check {
	char qid[MSG_QUEUE_ID_MAX + 1];
	char client_ip[POLICY_MSG_IP_SIZE];
	char helo[POLICY_MSG_TEXT_SIZE];
	char mail_from[POLICY_MSG_TEXT_SIZE]; /* "" = null sender */
	char auth_user[POLICY_MSG_TEXT_SIZE]; /* "" = none */
	uint8_t direction;                    /* enum msg_policy_direction */
	/* recipients, in RCPT order: policy_check_add_rcpt fills them,
	 * policy_check_rcpt reads them */
	uint32_t nrcpt;        /* addresses in rcpt_buf */
	uint32_t rcpt_omitted; /* recipients not carried (no room) */
	size_t rcpt_len;       /* octets of rcpt_buf used, NULs included */
	uint16_t rcpt_off[POLICY_MSG_RCPT_MAX]; /* where each one starts */
	char rcpt_buf[MSG_BODY_MAX];            /* the addresses, each with
						 * its NUL */
};

struct policy_wire_verdict {
	char qid[MSG_QUEUE_ID_MAX + 1];
	uint8_t action; /* enum msg_policy_action */
	char reply[MSG_POLICY_REPLY_MAX + 1];
	uint32_t nrenames;
	uint64_t renames[MSG_POLICY_RENAMES_MAX];
	char prepend[MSG_PREPEND_MAX + 1]; /* NUL-terminated too */
	size_t prepend_len;
	/* enum msg_rewrite: the content process's rewritten message comes
	 * as the P_VERDICT's descriptor. Optional on the wire: 0 is not
	 * sent (the policy process never sends one) */
	uint8_t rewrite;
	/* the administrators' notice (Q_NOTICE's text): printable lines
	 * ending in CRLF; "" none. Optional on the wire after rewrite:
	 * sent only when not empty (the policy process never sends one) */
	char notice[MSG_NOTICE_MAX + 1];
};

/*
 * policy_check_add_rcpt - append one recipient address (a C string, not
 * empty, no control characters, shorter than POLICY_MSG_RCPT_SIZE).
 * 0, or -1 when it is not valid or there is no room: then it is only
 * counted in rcpt_omitted. Start from a zeroed struct.
 */
int policy_check_add_rcpt(struct policy_check *c, const char *addr);
/* policy_check_rcpt - the i-th recipient (i < c->nrcpt) */
const char *policy_check_rcpt(const struct policy_check *c, uint32_t i);

/* policy_msg_check_put - c into w (check w->err after); recipients as
 * many as fit in min(w->cap, MSG_BODY_MAX), the rest counted as
 * omitted */
void policy_msg_check_put(struct msg_body_writer *w,
    const struct policy_check *c);
enum sk_result policy_msg_check_get(const uint8_t *body, size_t len,
    struct policy_check *c);

/* policy_msg_verdict_put - v into w (check w->err after) */
void policy_msg_verdict_put(struct msg_body_writer *w,
    const struct policy_wire_verdict *v);
/* policy_msg_verdict_get - also: a reject or tempfail has a reply of
 * class 5 or 4, one or more lines (lib/msg_types.h,
 * MSG_POLICY_REPLY_LINES_MAX); accept has none;
 * a rewrite goes only with accept (replace also with quarantine), and
 * strip has its quarantine reason in the reply; a notice is
 * policy_msg_notice_ok */
enum sk_result policy_msg_verdict_get(const uint8_t *body, size_t len,
    struct policy_wire_verdict *v);

/* policy_msg_notice_ok - p[0..len) is a notice: not empty, at most
 * MSG_NOTICE_MAX octets, printable ASCII lines each ending in CRLF */
int policy_msg_notice_ok(const char *p, size_t len);

/*
 * The second seal (msg_types.h): P_SEAL (smtp -> policy, the rewritten
 * message as its descriptor) carries the queue id and, for a strip, the
 * spare id that the queue writes over MSG_QID_TOKEN; P_SEALED answers
 * with the new ARC set, or "" when the policy cannot seal.
 */
struct policy_wire_sealed {
	char qid[MSG_QUEUE_ID_MAX + 1];
	char set[MSG_PREPEND_MAX + 1]; /* NUL-terminated too */
	size_t set_len;                /* 0: not sealed */
};

/* policy_msg_arc_set_len - the octets of the ARC set that opens the
 * header block p[0..len): an ARC-Seal, an ARC-Message-Signature and an
 * ARC-Authentication-Results field, in that order, each with its
 * continuation lines and CRLF (as the policy process writes them); 0
 * when the block does not open so */
size_t policy_msg_arc_set_len(const char *p, size_t len);

/* policy_msg_seal_put - P_SEAL's body into w (check w->err after);
 * spare "" for a replace: then the field is left out */
void policy_msg_seal_put(struct msg_body_writer *w, const char *qid,
    const char *spare);
/* policy_msg_seal_get - SK_OK with a queue id that is not empty and has
 * no control characters, and a spare id that is "" (the field absent)
 * or may stand for MSG_QID_TOKEN (qid_token_value_ok) and is not the
 * queue id; else SK_E_SYNTAX */
enum sk_result policy_msg_seal_get(const uint8_t *body, size_t len,
    char qid[MSG_QUEUE_ID_MAX + 1], char spare[MSG_QUEUE_ID_MAX + 1]);

/* policy_msg_sealed_put - s into w (check w->err after) */
void policy_msg_sealed_put(struct msg_body_writer *w,
    const struct policy_wire_sealed *s);
/* policy_msg_sealed_get - also: the set is "" or exactly one ARC set
 * (policy_msg_arc_set_len) that is a header block (msg_header_block_ok) */
enum sk_result policy_msg_sealed_get(const uint8_t *body, size_t len,
    struct policy_wire_sealed *s);

#endif /* SK_POLICY_MSG_H */

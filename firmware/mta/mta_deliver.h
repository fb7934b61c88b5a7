/*
 * mta_deliver.h - the body of M_DELIVER (lib/msg_types.h), decoded.
 *
 *   str queue id, str sender, str envid, u8 ret, u8 body, u8 smtputf8,
 *   str domain, str prepend (a header block sent before the file's
 *   content, msg_header_block_ok), u32 n, then n times: u32 rcpt id, str
 * address, u32 notify, str orcpt
 *
 * Input: the queue process's message, a peer of ours but, like every
 * message-layer body, checked completely (STYLE.md item 3): any field
 * missing or too long, an enumeration out of range, more than
 * MTA_RCPTS_MAX recipients or bytes left over make the decoder fail, and
 * the caller treats that as the queue breaking the protocol.
 *
 * Ownership: mta_deliver_decode allocates the strings and the recipient
 * arrays (bounded by the body's length, at most MSG_BODY_MAX); exactly one
 * mta_deliver_free releases them, also after a failed decode.
 */
#ifndef SK_MTA_DELIVER_H
#define SK_MTA_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "msg_types.h"
#include "mta_client.h"

#define MTA_ADDR_FIELD_MAX 1024 /* an address, ENVID or ORCPT field */

struct mta_deliver {
	char qid[MSG_QUEUE_ID_MAX + 1];
	char domain[CONFIG_DOMAIN_SIZE];
	const char *prepend; /* in pool; "" for none */
	size_t prepend_len;
	struct mta_msg msg;    /* sender, envid, rcpt point into pool */
	struct mta_rcpt *rcpt; /* msg.nrcpt entries */
	uint32_t *rcpt_id;     /* the queue's id of each recipient */
	char *pool;
};

/* mta_deliver_decode - body[0..len) into d; 0, or -1 if malformed */
int mta_deliver_decode(struct mta_deliver *d, const uint8_t *body, size_t len);

/* mta_deliver_free - what decode allocated; d may be decoded again */
void mta_deliver_free(struct mta_deliver *d);

#endif /* SK_MTA_DELIVER_H */

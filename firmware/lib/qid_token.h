/*
 * qid_token.h - MSG_QID_TOKEN written over with a queue id, as a stream.
 *
 * A strip's rewritten message (lib/msg_types.h, MSG_REWRITE_STRIP) names
 * the quarantined original with MSG_QID_TOKEN, and the id is written over
 * each token when the message is copied: by the queue into the spool,
 * and by the policy process when it seals the message as it will be
 * delivered (P_SEAL with a spare id). Both go through this one function,
 * so both see the same octets.
 *
 * The content arrives in reads of any size, so a token may be cut by a
 * read's end. qid_token_replace works in place over the caller's buffer:
 * it writes the id over every whole token and says how many leading
 * octets are final; the rest (fewer than QID_TOKEN_LEN octets: the start
 * of a token, perhaps) must be kept in front of the next read. The id is
 * as long as the token, so offsets never move.
 *
 * What is replaced: the occurrences of the token in the input, left to
 * right, each one whole; octets written by a replacement are never
 * looked at again. The token cannot overlap itself (it starts with "["
 * and ends with "]"), so that is every occurrence.
 *
 * Sans-I/O: no allocation, no logging. Ownership: the caller owns the
 * buffer.
 */
#ifndef SK_QID_TOKEN_H
#define SK_QID_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "msg_types.h"

#define QID_TOKEN_LEN (sizeof(MSG_QID_TOKEN) - 1)

/*
 * qid_token_replace - in buf[0..len), value (QID_TOKEN_LEN octets) over
 * every whole MSG_QID_TOKEN, *count raised by their number. Returns how
 * many leading octets are final: len when last (no more input follows),
 * else len less a trailing start of a token (at most QID_TOKEN_LEN - 1
 * octets) that the caller keeps for the next call, in front of what it
 * reads next.
 */
size_t qid_token_replace(uint8_t *buf, size_t len, int last, const char *value,
    unsigned *count);

/*
 * qid_token_value_ok - 1 when s[0..len) may stand for the token: exactly
 * QID_TOKEN_LEN octets, each a digit or an upper-case letter (a queue
 * id's alphabet is 0-9A-V: firmware/queue/queue_id.h), else 0
 */
int qid_token_value_ok(const char *s, size_t len);

/*
 * qid_token_spare_ok - 1 when spare (len octets, as decoded) may be the
 * spare id of the message qid: qid_token_value_ok and another id than
 * qid (Q_OPENED and P_SEAL both carry one), else 0
 */
int qid_token_spare_ok(const char *qid, const char *spare, size_t len);

#endif /* SK_QID_TOKEN_H */

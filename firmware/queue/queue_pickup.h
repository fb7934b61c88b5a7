/*
 * queue_pickup.h - the pickup folder: finished messages that another
 * process of the box hands to the queue as files (today the policy
 * process's DMARC aggregate reports), in the spirit of Postfix's maildrop.
 *
 * The folder is ROOT/data/pickup (QUEUE_PICKUP_DIR). A writer makes
 * ".tmp-NAME", writes the file, fsyncs it, renames it to "NAME.msg" and
 * fsyncs the folder: a ".msg" file is complete and durable. The queue
 * reads each ".msg" file, makes it a queued message in one pass, and
 * removes the file only after that pass is on stable storage; a crash in
 * between makes it import the file again (at least once, never lost).
 *
 * The file, version 1 (all lines end in LF; the content is raw octets):
 *
 *	SEKIMORI-PICKUP 1
 *	sender ADDR          ("sender " alone: the null sender)
 *	rcpt ADDR            1..QUEUE_PICKUP_RCPTS_MAX lines
 *	size N               octets of content, at most QUEUE_PICKUP_MAX
 *	                     (an empty line)
 *	CONTENT              N octets: the message, CRLF lines
 *	END                  the last line: a short file has none
 *
 * ADDR is 1..254 printable ASCII octets without space, '<' or '>'.
 *
 * Untrusted input: the file (the writer is another process with another
 * user): queue_pickup_parse is total and bounded, and fuzzed.
 *
 * Ownership: struct queue_pickup points into the caller's buffer.
 */
#ifndef SK_QUEUE_PICKUP_H
#define SK_QUEUE_PICKUP_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define QUEUE_PICKUP_DIR "data/pickup" /* under root-directory */
#define QUEUE_PICKUP_SUFFIX ".msg"
#define QUEUE_PICKUP_MAGIC "SEKIMORI-PICKUP 1\n"
#define QUEUE_PICKUP_MAX (32u << 20) /* local limit: content octets */
#define QUEUE_PICKUP_RCPTS_MAX 16    /* local limit: recipients */
#define QUEUE_PICKUP_ADDR_MAX 254    /* RFC 5321 4.5.3.1.3 less <> */
#define QUEUE_PICKUP_HEAD_MAX                                     \
	(sizeof(QUEUE_PICKUP_MAGIC) + 8 + QUEUE_PICKUP_ADDR_MAX + \
	    QUEUE_PICKUP_RCPTS_MAX * (6 + QUEUE_PICKUP_ADDR_MAX) + 32)

struct queue_pickup {
	char sender[QUEUE_PICKUP_ADDR_MAX + 1]; /* "" the null sender */
	char rcpts[QUEUE_PICKUP_RCPTS_MAX][QUEUE_PICKUP_ADDR_MAX + 1];
	size_t nrcpts;
	const uint8_t *content; /* into the parsed buffer */
	size_t len;
};

/*
 * queue_pickup_head - the lines before the content into out[cap]: SK_OK
 * with *used; SK_E_SYNTAX for an address the format cannot carry or no
 * recipient; SK_E_RANGE for too many recipients or too much content;
 * SK_E_FULL when cap is too small. The writer then appends the content
 * and QUEUE_PICKUP_END.
 */
enum sk_result queue_pickup_head(const char *sender, const char *const *rcpts,
    size_t nrcpts, size_t len, char *out, size_t cap, size_t *used);
#define QUEUE_PICKUP_END "END\n"

/*
 * queue_pickup_parse - a whole file: SK_OK with p filled; SK_E_SYNTAX
 * (not this format, or an address that is none), SK_E_RANGE (too many
 * recipients, or a size above QUEUE_PICKUP_MAX), SK_NEED_MORE (the file
 * ends before its END line: not complete).
 */
enum sk_result queue_pickup_parse(const uint8_t *buf, size_t len,
    struct queue_pickup *p);

#endif /* SK_QUEUE_PICKUP_H */

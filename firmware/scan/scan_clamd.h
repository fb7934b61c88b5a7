/*
 * scan_clamd.h - the clamd INSTREAM client, sans-I/O.
 *
 * Security level: high. It reads every byte a clamd server sends (a
 * daemon on this box or on the customer's network) and turns it into the
 * verdict that decides whether a message is accepted.
 *
 * The protocol (clamd(8), "zINSTREAM"): the command "zINSTREAM\0", then
 * the content as chunks of <u32 length, big-endian><data>, then a chunk
 * of length zero; clamd answers one NUL-terminated line and closes:
 *
 *	"stream: OK\0"                            clean
 *	"stream: NAME FOUND\0"                    infected, NAME printable
 *	"INSTREAM size limit exceeded. ERROR\0"   past clamd's StreamMaxLength
 *	"... ERROR\0"                             clamd could not scan
 *
 * Anything else, a reply longer than SCAN_CLAMD_REPLY_MAX, a byte outside
 * printable ASCII, or the end of the connection before the NUL is a
 * protocol error; so are octets after the NUL, whether they come with it
 * or in a later scan_clamd_input (a driver stops reading at the NUL). clamd may
 *answer before the stream ends (size limit), so the caller reads whenever the
 *socket is readable.
 *
 * The caller moves the bytes:
 *
 *	scan_clamd_init(c, max_stream, deadline)
 *	loop on scan_clamd_want(c):
 *	  WRITE    write scan_clamd_output(), then scan_clamd_sent(n)
 *	  CONTENT  scan_clamd_feed(buf, len) ... scan_clamd_end()
 *	  READ     scan_clamd_input(bytes) or scan_clamd_eof / _fail
 *	  DONE     scan_clamd_result(c) is final
 *	any time: scan_clamd_input when the socket is readable; past
 *	scan_clamd_deadline(c), scan_clamd_fail(c, "timeout").
 *
 * Output is gathered: scan_clamd_feed and scan_clamd_end also take
 * content while a write is pending, appending what fits behind it, so a
 * driver that feeds before it writes sends the command, a message of up
 * to one chunk and the end in one write (one wakeup of clamd's reader
 * instead of three; README "Decisions").
 *
 * Past max_stream octets the client stops sending: it ends the stream
 * there (clamd still scans what it got) and the verdict is SCAN_TOO_LARGE
 * unless clamd found something in that prefix. The policy decides what a
 * message too large to scan deserves.
 *
 * Ownership: the caller owns struct scan_clamd (about 66 KiB). No
 * allocation, no I/O, no clock, no logging.
 */
#ifndef SK_SCAN_CLAMD_H
#define SK_SCAN_CLAMD_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"
#include "sk.h"

/* Octets per INSTREAM chunk. Any size up to StreamMaxLength works; 64 KiB
 * is the content process's read size (CONTENT_CHUNK), so a piece read is
 * one chunk and one write. */
#define SCAN_CLAMD_CHUNK_MAX 65536
/* clamd's own default StreamMaxLength (clamd.conf(5)); the config may
 * lower it to match a clamd whose limit is lower. */
#define SCAN_CLAMD_STREAM_DEFAULT (100u * 1024 * 1024)
/* Longest reply line we accept, NUL not counted: "stream: ", a signature
 * name (clamd's are far shorter) and " FOUND". */
#define SCAN_CLAMD_REPLY_MAX 1024
#define SCAN_CLAMD_CMD "zINSTREAM"
/* The output buffer: the command, one chunk with its length and the
 * zero-length chunk that ends the stream, which always fits behind. */
#define SCAN_CLAMD_OUT_MAX \
	(sizeof(SCAN_CLAMD_CMD) + 4 + SCAN_CLAMD_CHUNK_MAX + 4)

enum scan_clamd_want {
	SCAN_CLAMD_WANT_WRITE,   /* output is pending */
	SCAN_CLAMD_WANT_CONTENT, /* give content or end it */
	SCAN_CLAMD_WANT_READ,    /* waiting for the reply */
	SCAN_CLAMD_WANT_DONE,    /* the result is final */
};

struct scan_clamd {
	uint64_t max_stream; /* content octets we send at most */
	uint64_t streamed;   /* content octets queued so far */
	uint64_t deadline;   /* as given to init; the driver's clock */
	int ended;           /* the zero-length chunk is queued */
	int too_large;       /* content was cut at max_stream */
	int done;
	int replied; /* done because a whole reply came */
	struct scan_result result;
	size_t reply_len;
	char reply[SCAN_CLAMD_REPLY_MAX + 1];
	size_t out_len, out_off;
	uint8_t out[SCAN_CLAMD_OUT_MAX]; /* last: init does not clear it */
};

/*
 * scan_clamd_init - start a session: queues the command. max_stream 0
 * means SCAN_CLAMD_STREAM_DEFAULT. deadline is an absolute time on the
 * driver's clock, kept for scan_clamd_deadline.
 */
void scan_clamd_init(struct scan_clamd *c, uint64_t max_stream,
    uint64_t deadline);
enum scan_clamd_want scan_clamd_want(const struct scan_clamd *c);
/* scan_clamd_deadline - when the driver must give up (scan_clamd_fail) */
uint64_t scan_clamd_deadline(const struct scan_clamd *c);

/* scan_clamd_output - the octets to write now; *len 0 when none */
const uint8_t *scan_clamd_output(const struct scan_clamd *c, size_t *len);
/* scan_clamd_sent - n octets of the output were written */
void scan_clamd_sent(struct scan_clamd *c, size_t n);

/*
 * scan_clamd_feed - content; returns how many octets were taken: at most
 * one chunk, as much as fits behind the output still pending (0 when
 * none fits: write first). Past max_stream the rest is refused for good:
 * the stream is ended and the result will be SCAN_TOO_LARGE; the return
 * value then counts the refused octets too, so the caller may simply
 * stop.
 */
size_t scan_clamd_feed(struct scan_clamd *c, const uint8_t *buf, size_t len);
/* scan_clamd_end - the content is complete: queue the zero-length chunk
 * (behind any pending output: feed always leaves room for it) */
void scan_clamd_end(struct scan_clamd *c);

/*
 * scan_clamd_input - octets from clamd: SK_NEED_MORE (no NUL yet),
 * SK_OK (the reply is complete: the result is final), or an error
 * (SK_E_SYNTAX, SK_E_TOO_LONG) that also makes the result final, as
 * SCAN_ERROR. Input after the reply turns the verdict into SCAN_ERROR.
 */
enum sk_result scan_clamd_input(struct scan_clamd *c, const uint8_t *buf,
    size_t len);
/* scan_clamd_eof - clamd closed the connection */
void scan_clamd_eof(struct scan_clamd *c);
/* scan_clamd_fail - the driver gives up (timeout, I/O): SCAN_ERROR, why */
void scan_clamd_fail(struct scan_clamd *c, const char *why);
/* scan_clamd_result - the verdict; final once want is DONE */
const struct scan_result *scan_clamd_result(const struct scan_clamd *c);

/*
 * scan_clamd_parse_reply - one reply line without its NUL into r:
 * SK_OK for OK, FOUND, size limit or ERROR, SK_E_SYNTAX otherwise.
 */
enum sk_result scan_clamd_parse_reply(const char *line, size_t len,
    struct scan_result *r);

#endif /* SK_SCAN_CLAMD_H */

/*
 * chan.h - a message channel: msg.h's reader and writer on one socket,
 * driven by the event loop.
 *
 * Every Sekimori process talks to its supervisor and its peers through
 * channels. chan_send queues a message; at the end of the loop's pass
 * (event_defer) the channel sends all it queued in that pass, so that
 * many messages cost one system call and one wake-up of the peer. What
 * the socket does not take goes out when the loop reports it writable.
 * Incoming messages are handed to on_msg one at a time, in order.
 *
 * Ownership: the caller owns struct chan (about 100 KiB: keep it static
 * or on the heap) and, from chan_open on, the channel owns the socket:
 * chan_close closes it. on_msg owns m->fd (close it or keep it). on_close
 * is called once when the channel dies (peer closed: SK_E_CLOSED; the
 * peer broke the protocol or a system call failed: another result) and
 * the channel is closed before the call; a closed channel ignores sends
 * (SK_E_CLOSED). Callbacks may close or reopen the channel. on_close is
 * called only from the event loop, never from inside chan_send: a send
 * that finds the peer gone returns SK_OK, and the loop reports the death
 * at its next pass, outside the sender's code.
 */
#ifndef SK_CHAN_H
#define SK_CHAN_H
#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "log.h"
#include "msg.h"
#include "msg_body.h"
#include "sk.h"

/* Queued output that is sent at once rather than at the pass's end: it
 * keeps the write buffer, and callers that watch msg_pending, roomy. So
 * does half of MSG_FDS_MAX descriptors waiting: the writer holds no more
 * than MSG_FDS_MAX. */
#define CHAN_SEND_NOW (MSG_WRITE_BUF / 4)

struct chan;
typedef void chan_msg_fn(struct chan *c, struct msg *m, void *arg);
typedef void chan_close_fn(struct chan *c, enum sk_result why, void *arg);

struct chan {
	struct event_loop *loop;
	struct event_io io;
	struct event_defer flush; /* queued output, sent at the pass's end */
	int open;
	unsigned gen; /* bumped by every open/close: a callback can tell */
	chan_msg_fn *on_msg;
	chan_close_fn *on_close;
	void *arg;
	struct msg_reader r;
	struct msg_writer w;
};

/* chan_init - a closed channel, before first use */
void chan_init(struct chan *c);
/* chan_open - take sock (made non-blocking) and watch it; -1 on error */
int chan_open(struct chan *c, struct event_loop *loop, int sock,
    chan_msg_fn *on_msg, chan_close_fn *on_close, void *arg);
/* chan_close - stop watching, drop queued output, close the socket */
void chan_close(struct chan *c);
/*
 * chan_reopen - c on sock, a new socket to a restarted peer (MSG_PEER):
 * an open link is closed first and on_close told (SK_E_CLOSED), as if
 * the peer had gone, so whatever waited on the old one is answered.
 * -1 as chan_open.
 */
int chan_reopen(struct chan *c, struct event_loop *loop, int sock,
    chan_msg_fn *on_msg, chan_close_fn *on_close, void *arg);
/*
 * chan_send - queue one message (fd: -1, or a descriptor the channel takes
 * on SK_OK), sent at the end of the pass, or at once when CHAN_SEND_NOW
 * octets or MSG_FDS_MAX / 2 descriptors are waiting. SK_E_FULL: the peer is not
 * reading (the caller decides: usually a fatal protocol failure).
 */
enum sk_result chan_send(struct chan *c, uint32_t type, uint32_t peer, int fd,
    const void *body, size_t len);
/* chan_send_body - chan_send of a msg_body writer; SK_E_TOO_LONG if it
 * overflowed */
enum sk_result chan_send_body(struct chan *c, uint32_t type, uint32_t peer,
    int fd, const struct msg_body_writer *w);
/* chan_drain - block up to ms milliseconds to send what is queued (used
 * before exit, so a last log line reaches the supervisor) */
void chan_drain(struct chan *c, int ms);

/*
 * chan_log_sink - a log.h sink that sends each line to the supervisor as
 * MSG_LOG over the channel arg (a struct chan *); a fatal line is drained
 * before the process exits. Lines that find the queue full are dropped
 * and counted, and the count is reported with the next line that fits.
 */
void chan_log_sink(enum log_level level, const char *line, void *arg);

#endif /* SK_CHAN_H */

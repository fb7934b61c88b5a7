/*
 * chan.c - message channels on the event loop (chan.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"

void
chan_init(struct chan *c)
{
	c->loop = NULL;
	c->open = 0;
	c->gen = 0;
	c->on_msg = NULL;
	c->on_close = NULL;
	c->arg = NULL;
	c->io.fd = -1;
	c->flush.queued = 0;
	c->flush.next = NULL;
}

/* chan_die - close, then tell the owner why */
static void
chan_die(struct chan *c, enum sk_result why)
{
	chan_close(c);
	if (c->on_close != NULL) {
		c->on_close(c, why, c->arg);
	}
}

/* chan_want - watch for writability only while output is queued */
static void
chan_want(struct chan *c)
{
	uint32_t ev = EVENT_READ;

	if (msg_pending(&c->w) > 0) {
		ev |= EVENT_WRITE;
	}
	if (ev != c->io.events) {
		event_io_mod(c->loop, &c->io, ev);
	}
}

/* chan_flush - send what the socket takes; 0, or -1 after chan_die */
static int
chan_flush(struct chan *c)
{
	enum sk_result r = msg_flush(&c->w);

	if (r != SK_OK && r != SK_NEED_MORE) {
		chan_die(c, r);
		return -1;
	}
	chan_want(c);
	return 0;
}

/* chan_read - take what arrived and hand over each whole message */
static void
chan_read(struct chan *c)
{
	unsigned gen = c->gen;
	enum sk_result r = msg_read(&c->r);
	struct msg m;

	if (r == SK_NEED_MORE) {
		return;
	}
	if (r != SK_OK) {
		chan_die(c, r);
		return;
	}
	for (;;) {
		r = msg_next(&c->r, &m);
		if (r == SK_NEED_MORE) {
			return;
		}
		if (r != SK_OK) {
			chan_die(c, r);
			return;
		}
		c->on_msg(c, &m, c->arg);
		if (c->gen != gen) {
			return; /* the callback closed or replaced the channel
				 */
		}
	}
}

static void
chan_ready(struct event_loop *loop, struct event_io *io, uint32_t revents)
{
	struct chan *c = io->arg;
	unsigned gen = c->gen;

	(void)loop;
	if (revents & (EVENT_READ | EPOLLHUP | EPOLLERR)) {
		chan_read(c);
		if (c->gen != gen) {
			return;
		}
	}
	if (revents & EVENT_WRITE) {
		chan_flush(c);
	}
}

int
chan_open(struct chan *c, struct event_loop *loop, int sock,
    chan_msg_fn *on_msg, chan_close_fn *on_close, void *arg)
{
	int flags = fcntl(sock, F_GETFL);

	if (flags == -1 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) == -1) {
		return -1;
	}
	if (c->open) {
		chan_close(c);
	}
	c->loop = loop;
	c->on_msg = on_msg;
	c->on_close = on_close;
	c->arg = arg;
	msg_reader_init(&c->r, sock);
	msg_writer_init(&c->w, sock);
	if (event_io_add(loop, &c->io, sock, EVENT_READ, chan_ready, c) == -1) {
		return -1;
	}
	c->open = 1;
	c->gen++;
	return 0;
}

int
chan_reopen(struct chan *c, struct event_loop *loop, int sock,
    chan_msg_fn *on_msg, chan_close_fn *on_close, void *arg)
{
	if (c->open) {
		chan_close(c);
		on_close(c, SK_E_CLOSED, arg);
	}
	return chan_open(c, loop, sock, on_msg, on_close, arg);
}

void
chan_close(struct chan *c)
{
	if (!c->open) {
		return;
	}
	event_io_del(c->loop, &c->io);
	event_defer_cancel(c->loop, &c->flush);
	msg_reader_clear(&c->r);
	msg_writer_clear(&c->w);
	close(c->r.sock);
	c->open = 0;
	c->gen++;
}

/*
 * chan_send_queued - send what the socket takes. A failure is not
 * reported here: on_close runs only from the loop's dispatch, which sees
 * the dead peer (EOF or an error on the socket) at its next pass.
 * Reporting it in here would run the owner's clean-up in the middle of
 * whatever the sender was doing with the state it frees.
 */
static void
chan_send_queued(struct chan *c)
{
	enum sk_result r = msg_flush(&c->w);

	if (r == SK_OK || r == SK_NEED_MORE) {
		chan_want(c);
	}
}

/* chan_deferred - the end of the pass: what this pass queued goes out */
static void
chan_deferred(struct event_loop *loop, struct event_defer *d)
{
	struct chan *c = d->arg;

	(void)loop;
	if (c->open) {
		chan_send_queued(c);
	}
}

enum sk_result
chan_send(struct chan *c, uint32_t type, uint32_t peer, int fd,
    const void *body, size_t len)
{
	enum sk_result r;

	if (!c->open) {
		return SK_E_CLOSED;
	}
	r = msg_compose(&c->w, type, peer, fd, body, len);
	if (r != SK_OK) {
		return r;
	}
	if (msg_pending(&c->w) >= CHAN_SEND_NOW ||
	    c->w.nfds >= MSG_FDS_MAX / 2) {
		chan_send_queued(c);
	} else {
		event_defer(c->loop, &c->flush, chan_deferred, c);
	}
	return SK_OK;
}

enum sk_result
chan_send_body(struct chan *c, uint32_t type, uint32_t peer, int fd,
    const struct msg_body_writer *w)
{
	if (w->err) {
		return SK_E_TOO_LONG;
	}
	return chan_send(c, type, peer, fd, w->p, w->len);
}

void
chan_drain(struct chan *c, int ms)
{
	struct pollfd p;

	while (c->open && msg_pending(&c->w) > 0) {
		enum sk_result r = msg_flush(&c->w);

		if (r == SK_OK) {
			return;
		}
		if (r != SK_NEED_MORE) {
			return;
		}
		p.fd = c->w.sock;
		p.events = POLLOUT;
		if (poll(&p, 1, ms) <= 0) {
			return;
		}
	}
}

void
chan_log_sink(enum log_level level, const char *line, void *arg)
{
	static unsigned long dropped;
	struct chan *c = arg;
	uint8_t body[1 + MSG_LOG_TEXT_MAX];
	size_t n = strlen(line);
	uint8_t wire = level == LOG_LEVEL_INFO ? MSG_LOG_INFO :
	    level == LOG_LEVEL_WARN            ? MSG_LOG_WARN :
						 MSG_LOG_FATAL;

	if (dropped > 0 && level == LOG_LEVEL_INFO) {
		char note[64];
		int k = snprintf(note, sizeof(note),
		    "%lu log lines dropped: supervisor busy", dropped);

		body[0] = MSG_LOG_WARN;
		memcpy(body + 1, note, (size_t)k);
		if (chan_send(c, MSG_LOG, 0, -1, body, 1 + (size_t)k) ==
		    SK_OK) {
			dropped = 0;
		}
	}
	if (n > MSG_LOG_TEXT_MAX) {
		n = MSG_LOG_TEXT_MAX;
	}
	if (n == 0) {
		line = "(empty)";
		n = strlen(line);
	}
	body[0] = wire;
	memcpy(body + 1, line, n);
	if (chan_send(c, MSG_LOG, 0, -1, body, 1 + n) != SK_OK) {
		dropped++;
	}
	if (level != LOG_LEVEL_INFO && level != LOG_LEVEL_WARN) {
		chan_drain(c, 1000);
	}
}

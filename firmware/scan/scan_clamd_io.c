/*
 * scan_clamd_io.c - the clamd backend: the INSTREAM core (scan_clamd.h)
 * driven over a blocking socket with one deadline (scan.h's table).
 *
 * clamd may answer at any time (its size limit) and then close, so the
 * pump always polls for input too, and a write that fails because clamd
 * closed its end goes on reading: the reply explains the close.
 *
 * Few system calls and few wakeups of clamd: open only connects (the
 * command waits in the core's buffer), feed fills the buffer before it
 * writes, and a write is tried before any poll (the socket is
 * non-blocking; poll only when it would block). A message of up to one
 * chunk goes as one write of command, chunk and end, then one poll and
 * one read for the reply.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"
#include "scan_clamd.h"
#include "scan_clamd_io.h"
#include "scan_io.h"

/* read_some - one read into the core; 0 when the core is done */
static void
read_some(struct scan_clamd_io *io)
{
	uint8_t buf[512];
	ssize_t n;

	n = read(io->fd, buf, sizeof(buf));
	if (n > 0) {
		(void)scan_clamd_input(&io->core, buf, (size_t)n);
	} else if (n == 0) {
		scan_clamd_eof(&io->core);
	} else if (errno != EAGAIN && errno != EINTR) {
		scan_clamd_fail(&io->core, "clamd: read failed");
	}
}

static void
write_some(struct scan_clamd_io *io)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	p = scan_clamd_output(&io->core, &len);
	n = send(io->fd, p, len, MSG_NOSIGNAL);
	if (n > 0) {
		scan_clamd_sent(&io->core, (size_t)n);
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		io->write_dead = 1; /* read what clamd said before closing */
	}
}

/* pump - one wait and what it allows; the core is DONE on any failure */
static void
pump(struct scan_clamd_io *io)
{
	enum scan_clamd_want want = scan_clamd_want(&io->core);
	short events = POLLIN;
	int ev;

	if (want == SCAN_CLAMD_WANT_WRITE && !io->write_dead) {
		events |= POLLOUT;
	}
	ev = scan_io_wait(io->fd, events, scan_clamd_deadline(&io->core));
	if (ev == 0) {
		scan_clamd_fail(&io->core, "clamd: timed out");
	} else if (ev < 0) {
		scan_clamd_fail(&io->core, "clamd: poll failed");
	} else if (ev & (POLLIN | POLLHUP | POLLERR)) {
		read_some(io);
	} else if (ev & POLLOUT) {
		write_some(io);
	}
}

/* write_now - one write of the pending output without waiting; 1 when
 * octets went out, 0 when the socket would block or clamd closed */
static int
write_now(struct scan_clamd_io *io)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	if (io->write_dead) {
		return 0;
	}
	p = scan_clamd_output(&io->core, &len);
	if (len == 0) {
		return 0;
	}
	n = send(io->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0) {
		scan_clamd_sent(&io->core, (size_t)n);
		return 1;
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) {
		io->write_dead = 1; /* read what clamd said before closing */
	}
	return 0;
}

/* step - write at once if that can go, else one wait (pump) */
static void
step(struct scan_clamd_io *io)
{
	if (scan_clamd_want(&io->core) == SCAN_CLAMD_WANT_WRITE &&
	    write_now(io)) {
		return;
	}
	pump(io);
}

/* pump_while - step while the core wants one of the two things */
static void
pump_while(struct scan_clamd_io *io, enum scan_clamd_want a,
    enum scan_clamd_want b)
{
	enum scan_clamd_want w;

	for (;;) {
		w = scan_clamd_want(&io->core);
		if (w != a && w != b) {
			return;
		}
		step(io);
	}
}

static enum sk_result
status(const struct scan_clamd_io *io)
{
	const struct scan_result *r = scan_clamd_result(&io->core);

	return scan_clamd_want(&io->core) == SCAN_CLAMD_WANT_DONE &&
		r->verdict == SCAN_ERROR ?
	    SK_E_IO :
	    SK_OK;
}

static enum sk_result
clamd_open(void *ctx, const struct scan_conf *conf, const struct scan_env *env)
{
	struct scan_clamd_io *io = ctx;
	uint64_t deadline = scan_io_deadline(conf->timeout_ms);
	char why[SCAN_TEXT_MAX];

	scan_clamd_init(&io->core, conf->max_size, deadline);
	io->write_dead = 0;
	io->fd = scan_io_connect(conf->address, deadline, why, sizeof(why));
	if (io->fd < 0) {
		scan_clamd_fail(&io->core, why);
		return SK_E_IO;
	}
	/* the command stays queued: it goes out with the first chunk */
	return status(io);
}

/* clamd_feed - into the core's buffer; write only when it is full (the
 * last of the buffer goes at finish, with the end of the stream) */
static enum sk_result
clamd_feed(void *ctx, const uint8_t *buf, size_t len)
{
	struct scan_clamd_io *io = ctx;
	enum scan_clamd_want w;
	size_t n;

	while (len > 0) {
		w = scan_clamd_want(&io->core);
		if (w == SCAN_CLAMD_WANT_READ || w == SCAN_CLAMD_WANT_DONE) {
			/* the stream was cut or answered: the rest is moot */
			return status(io);
		}
		n = scan_clamd_feed(&io->core, buf, len);
		if (n == 0) {
			step(io); /* the buffer is full: write some */
			continue;
		}
		buf += n;
		len -= n;
	}
	return status(io);
}

static enum sk_result
clamd_finish(void *ctx)
{
	struct scan_clamd_io *io = ctx;

	scan_clamd_end(&io->core);
	pump_while(io, SCAN_CLAMD_WANT_WRITE, SCAN_CLAMD_WANT_READ);
	return status(io);
}

static void
clamd_verdict(void *ctx, struct scan_result *out)
{
	struct scan_clamd_io *io = ctx;

	*out = *scan_clamd_result(&io->core);
}

static const struct scan_milter_actions *
clamd_actions(void *ctx)
{
	return NULL;
}

static void
clamd_close(void *ctx)
{
	struct scan_clamd_io *io = ctx;

	if (io->fd >= 0) {
		close(io->fd);
		io->fd = -1;
	}
}

const struct scan_backend scan_clamd_backend = {
	.name = "clamd",
	.ctx_size = sizeof(struct scan_clamd_io),
	.open = clamd_open,
	.feed = clamd_feed,
	.finish = clamd_finish,
	.verdict = clamd_verdict,
	.actions = clamd_actions,
	.close = clamd_close,
};

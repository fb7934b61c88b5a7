/*
 * scan_milter_io.c - the milter backend: the protocol core
 * (scan_milter.h) driven over a blocking socket with one deadline.
 *
 * The replacement body (REPLBODY) is only counted here; the policy step
 * that applies it will give the core a callback that writes it to a file.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"
#include "scan_io.h"
#include "scan_milter.h"
#include "scan_milter_io.h"

static void
read_some(struct scan_milter_io *io)
{
	uint8_t buf[16384];
	ssize_t n;

	n = read(io->fd, buf, sizeof(buf));
	if (n > 0) {
		(void)scan_milter_input(&io->core, buf, (size_t)n);
	} else if (n == 0) {
		scan_milter_eof(&io->core);
	} else if (errno != EAGAIN && errno != EINTR) {
		scan_milter_fail(&io->core, "milter: read failed");
	}
}

/* write_some - a failed write ends the session (the QUIT after a final
 * reply may fail harmlessly: fail() keeps a verdict already given) */
static void
write_some(struct scan_milter_io *io)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	p = scan_milter_output(&io->core, &len);
	n = send(io->fd, p, len, MSG_NOSIGNAL);
	if (n > 0) {
		scan_milter_sent(&io->core, (size_t)n);
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		scan_milter_fail(&io->core, "milter: write failed");
		scan_milter_sent(&io->core, len); /* drop the QUIT, if any */
	}
}

static void
pump(struct scan_milter_io *io)
{
	short events = POLLIN;
	int ev;

	if (scan_milter_want(&io->core) == SCAN_MILTER_WANT_WRITE) {
		/* once done, only the QUIT is left: nothing more is read */
		events = io->core.done ? POLLOUT : POLLIN | POLLOUT;
	}
	ev = scan_io_wait(io->fd, events, scan_milter_deadline(&io->core));
	if (ev == 0) {
		scan_milter_fail(&io->core, "milter: timed out");
		scan_milter_sent(&io->core, SIZE_MAX);
	} else if (ev < 0) {
		scan_milter_fail(&io->core, "milter: poll failed");
		scan_milter_sent(&io->core, SIZE_MAX);
	} else if ((ev & (POLLIN | POLLHUP | POLLERR)) && !io->core.done) {
		read_some(io);
	} else if (ev & POLLOUT) {
		write_some(io);
	} else {
		scan_milter_sent(&io->core, SIZE_MAX); /* peer gone */
	}
}

/* pump_until_content - until the core wants content or is done */
static void
pump_until_content(struct scan_milter_io *io)
{
	enum scan_milter_want w;

	for (;;) {
		w = scan_milter_want(&io->core);
		if (w == SCAN_MILTER_WANT_CONTENT ||
		    w == SCAN_MILTER_WANT_DONE) {
			return;
		}
		pump(io);
	}
}

static enum sk_result
status(const struct scan_milter_io *io)
{
	return scan_milter_result(&io->core)->verdict == SCAN_ERROR &&
		io->core.done ?
	    SK_E_IO :
	    SK_OK;
}

static enum sk_result
milter_open(void *ctx, const struct scan_conf *conf, const struct scan_env *env)
{
	struct scan_milter_io *io = ctx;
	uint64_t deadline = scan_io_deadline(conf->timeout_ms);
	char why[SCAN_TEXT_MAX];

	scan_milter_init(&io->core, env, NULL, NULL, conf->max_size, deadline);
	io->fd = scan_io_connect(conf->address, deadline, why, sizeof(why));
	if (io->fd < 0) {
		scan_milter_fail(&io->core, why);
		return SK_E_IO;
	}
	pump_until_content(io);
	return status(io);
}

static enum sk_result
milter_feed(void *ctx, const uint8_t *buf, size_t len)
{
	struct scan_milter_io *io = ctx;
	size_t n;

	while (len > 0 && !io->core.done) {
		pump_until_content(io);
		n = scan_milter_feed(&io->core, buf, len);
		buf += n;
		len -= n;
	}
	return status(io);
}

static enum sk_result
milter_finish(void *ctx)
{
	struct scan_milter_io *io = ctx;

	scan_milter_end(&io->core);
	while (scan_milter_want(&io->core) != SCAN_MILTER_WANT_DONE) {
		pump(io);
	}
	return status(io);
}

static void
milter_verdict(void *ctx, struct scan_result *out)
{
	struct scan_milter_io *io = ctx;

	*out = *scan_milter_result(&io->core);
}

static const struct scan_milter_actions *
milter_actions(void *ctx)
{
	struct scan_milter_io *io = ctx;

	return scan_milter_actions(&io->core);
}

static void
milter_close(void *ctx)
{
	struct scan_milter_io *io = ctx;

	if (io->fd >= 0) {
		close(io->fd);
		io->fd = -1;
	}
}

const struct scan_backend scan_milter_backend = {
	.name = "milter",
	.ctx_size = sizeof(struct scan_milter_io),
	.open = milter_open,
	.feed = milter_feed,
	.finish = milter_finish,
	.verdict = milter_verdict,
	.actions = milter_actions,
	.close = milter_close,
};

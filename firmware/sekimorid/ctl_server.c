/*
 * ctl_server.c - the control socket in the supervisor (ctl_server.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl_server.h"

/* ctl_client_close - free c's slot */
static void
ctl_client_close(struct ctl_client *c)
{
	if (c->fd == -1) {
		return;
	}
	if (!c->waiting) {
		event_io_del(c->srv->loop, &c->io);
	}
	event_timer_del(c->srv->loop, &c->idle);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->waiting = 0;
}

/* ctl_client_idle - the request did not come in time */
static void
ctl_client_idle(struct event_loop *loop, struct event_timer *t)
{
	struct ctl_client *c = t->arg;

	(void)loop;
	ctl_server_answer(c, "refused: no request line in time");
}

/* ctl_client_read - octets of the request line; parse when complete */
static void
ctl_client_read(struct event_loop *loop, struct event_io *io, uint32_t ev)
{
	struct ctl_client *c = io->arg;
	enum ctl_request req;
	enum sk_result r;
	size_t used;
	ssize_t n;

	(void)ev;
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0) {
		ctl_client_close(c);
		return;
	}
	c->len += (size_t)n;
	r = ctl_request_parse(c->buf, c->len, &req, &used);
	if (r == SK_NEED_MORE) {
		return;
	}
	if (r != SK_OK) {
		ctl_server_answer(c,
		    r == SK_E_TOO_LONG ?
			"refused: request line too long" :
			"refused: unknown request (known: reload, statistics, "
			"statistics clear)");
		return;
	}
	/* one request per connection: stop reading, the answer comes when
	 * the work is done (a reload takes seconds) */
	event_io_del(loop, &c->io);
	event_timer_del(loop, &c->idle);
	c->waiting = 1;
	c->srv->on_request(c->srv, c, req, c->srv->arg);
}

/* ctl_peer_allowed - root, or the user the daemon runs as */
static int
ctl_peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		return 0;
	}
	return cred.uid == 0 || cred.uid == geteuid();
}

/* ctl_accept - one new client, if a slot is free */
static void
ctl_accept(struct event_loop *loop, struct event_io *io, uint32_t ev)
{
	struct ctl_server *s = io->arg;
	struct ctl_client *c = NULL;
	size_t i;
	int fd;

	(void)ev;
	for (i = 0; i < CTL_CLIENTS_MAX && c == NULL; i++) {
		if (s->clients[i].fd == -1) {
			c = &s->clients[i];
		}
	}
	if (c == NULL) {
		return; /* level-triggered: accepted when a slot frees */
	}
	fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		return;
	}
	if (!ctl_peer_allowed(fd)) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->len = 0;
	c->waiting = 0;
	if (event_io_add(loop, &c->io, fd, EVENT_READ, ctl_client_read, c) ==
		-1 ||
	    event_timer_set(loop, &c->idle, CTL_REQUEST_IDLE_MS,
		ctl_client_idle, c) == -1) {
		ctl_server_answer(c, "refused: the daemon is busy");
	}
}

void
ctl_server_answer(struct ctl_client *c, const char *text)
{
	char line[CTL_ANSWER_MAX];
	size_t n;

	if (c->fd == -1) {
		return;
	}
	n = strlen(text);
	if (n > sizeof(line) - 1) {
		n = sizeof(line) - 1;
	}
	memcpy(line, text, n);
	line[n++] = '\n';
	/* one short line into the socket's empty buffer; a client that
	 * went away just misses it (SIGPIPE is ignored) */
	(void)send(c->fd, line, n, MSG_NOSIGNAL);
	ctl_client_close(c);
}

void
ctl_server_answer_data(struct ctl_client *c, const char *lines)
{
	static char block[CTL_DATA_MAX];
	size_t n, room = sizeof(block) - 5 - 2; /* "data\n", ".\n" */
	const char *lf;

	if (c->fd == -1) {
		return;
	}
	/* whole lines only, so that a cut block still ends cleanly */
	n = strlen(lines);
	while (n > room) {
		lf = memrchr(lines, '\n', n - 1);
		n = lf != NULL ? (size_t)(lf - lines) + 1 : 0;
	}
	memcpy(block, "data\n", 5);
	memcpy(block + 5, lines, n);
	memcpy(block + 5 + n, ".\n", 2);
	/* at most CTL_DATA_MAX octets into the socket's empty buffer (a
	 * Unix socket's is far larger): one send */
	(void)send(c->fd, block, 5 + n + 2, MSG_NOSIGNAL);
	ctl_client_close(c);
}

/* ctl_bind - a listening socket at addr, mode 0600 */
static int
ctl_bind(const struct sockaddr_un *addr)
{
	mode_t old;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		return -1;
	}
	old = umask(077);
	rc = bind(fd, (const struct sockaddr *)addr, sizeof(*addr));
	umask(old);
	if (rc == -1 || listen(fd, CTL_CLIENTS_MAX) == -1) {
		rc = errno;
		close(fd);
		errno = rc;
		return -1;
	}
	return fd;
}

/* ctl_stale - 1 when nobody listens at addr (a socket left by a crash),
 * 0 when a daemon answers there */
static int
ctl_stale(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), live;

	if (fd == -1) {
		return 1;
	}
	live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return !live;
}

enum sk_result
ctl_server_open(struct ctl_server *s, struct event_loop *loop, const char *path,
    ctl_request_fn *on_request, void *arg, char *err, size_t errlen)
{
	struct sockaddr_un addr;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	for (i = 0; i < CTL_CLIENTS_MAX; i++) {
		s->clients[i].fd = -1;
		s->clients[i].srv = s;
		event_timer_init(&s->clients[i].idle);
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path) ||
	    strlen(path) >= sizeof(s->path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return SK_E_TOO_LONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if (!ctl_stale(&addr)) {
		snprintf(err, errlen,
		    "control socket %s: another sekimorid answers there", path);
		return SK_E_FULL;
	}
	(void)unlink(path);
	if ((s->fd = ctl_bind(&addr)) == -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		return SK_E_IO;
	}
	memcpy(s->path, path, strlen(path) + 1);
	s->loop = loop;
	s->on_request = on_request;
	s->arg = arg;
	if (event_io_add(loop, &s->io, s->fd, EVENT_READ, ctl_accept, s) ==
	    -1) {
		snprintf(err, errlen, "control socket %s: %s", path,
		    strerror(errno));
		close(s->fd);
		(void)unlink(path);
		s->fd = -1;
		return SK_E_IO;
	}
	return SK_OK;
}

void
ctl_server_close(struct ctl_server *s)
{
	size_t i;

	if (s->fd == -1) {
		return;
	}
	for (i = 0; i < CTL_CLIENTS_MAX; i++) {
		ctl_client_close(&s->clients[i]);
	}
	event_io_del(s->loop, &s->io);
	close(s->fd);
	(void)unlink(s->path);
	s->fd = -1;
}

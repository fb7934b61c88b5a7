/*
 * mta_transport.c - the plaintext transport and the TLS hook
 * (mta_transport.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mta_transport.h"

static mta_tls_wrap_fn *mta_tls_wrap;

/* mta_plain_fail - MTA_IO_ERROR with errno recorded */
static enum mta_io
mta_plain_fail(struct mta_transport *t, int err)
{
	t->err = err;
	snprintf(t->why, sizeof(t->why), "%s", strerror(err));
	return MTA_IO_ERROR;
}

static enum mta_io
mta_plain_read(struct mta_transport *t, uint8_t *buf, size_t cap, size_t *got)
{
	ssize_t n;

	*got = 0;
	do {
		n = read(t->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return MTA_IO_WANT_READ;
		}
		return mta_plain_fail(t, errno);
	}
	if (n == 0) {
		return MTA_IO_EOF;
	}
	*got = (size_t)n;
	return MTA_IO_OK;
}

static enum mta_io
mta_plain_write(struct mta_transport *t, const uint8_t *buf, size_t len,
    size_t *put)
{
	ssize_t n;

	*put = 0;
	do {
		/* MSG_NOSIGNAL: a closed peer is EPIPE, not a SIGPIPE */
		n = send(t->fd, buf, len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return MTA_IO_WANT_WRITE;
		}
		return mta_plain_fail(t, errno);
	}
	*put = (size_t)n;
	return MTA_IO_OK;
}

/* mta_plain_start_tls - plaintext cannot encrypt: the hook must wrap */
static enum mta_io
mta_plain_start_tls(struct mta_transport *t)
{
	t->err = 0;
	snprintf(t->why, sizeof(t->why), "no TLS implementation");
	return MTA_IO_ERROR;
}

static void
mta_plain_close(struct mta_transport *t)
{
	if (t->fd >= 0) {
		close(t->fd);
	}
	t->fd = -1;
}

static const struct mta_transport_ops mta_plain_ops = {
	.name = "plain",
	.read = mta_plain_read,
	.write = mta_plain_write,
	.start_tls = mta_plain_start_tls,
	.close = mta_plain_close,
};

void
mta_transport_plain(struct mta_transport *t, int fd)
{
	t->ops = &mta_plain_ops;
	t->ctx = NULL;
	t->fd = fd;
	t->err = 0;
	t->why[0] = '\0';
	t->tls_info[0] = '\0';
}

void
mta_transport_set_tls(mta_tls_wrap_fn *fn)
{
	mta_tls_wrap = fn;
}

int
mta_transport_tls_available(void)
{
	return mta_tls_wrap != NULL;
}

int
mta_transport_wrap_tls(struct mta_transport *t, const struct mta_tls_params *p)
{
	if (mta_tls_wrap == NULL) {
		snprintf(t->why, sizeof(t->why), "no TLS implementation");
		return -1;
	}
	return mta_tls_wrap(t, p);
}

void
mta_transport_close(struct mta_transport *t)
{
	if (t->ops != NULL) {
		t->ops->close(t);
	}
	t->ops = NULL;
	t->ctx = NULL;
	t->fd = -1;
}

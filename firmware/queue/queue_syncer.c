/*
 * queue_syncer.c - the spool's sync on a worker thread (queue_syncer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "queue_syncer.h"

void
queue_syncer_init(struct queue_syncer *s)
{
	memset(s, 0, sizeof(*s));
	s->req[0] = s->req[1] = s->done[0] = s->done[1] = -1;
}

/* queue_syncer_main - one sync per request byte, until the loop closes
 * its end; each result is the errno value as an int (0: synced) */
static void *
queue_syncer_main(void *arg)
{
	struct queue_syncer *s = arg;
	char c;
	int r;

	for (;;) {
		ssize_t n = read(s->req[0], &c, 1);

		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n != 1) {
			return NULL; /* the loop closed its end: stop */
		}
		r = 0;
		if (queue_spool_sync(s->spool) == -1) {
			r = errno != 0 ? errno : EIO;
		}
		while (
		    write(s->done[1], &r, sizeof(r)) == -1 && errno == EINTR) {
		}
	}
}

void
queue_pipes_close(int req[2], int done[2])
{
	int *fds[4] = { &req[0], &req[1], &done[0], &done[1] };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
}

static void
queue_syncer_close(struct queue_syncer *s)
{
	queue_pipes_close(s->req, s->done);
}

int
queue_syncer_start(struct queue_syncer *s, const struct queue_spool *spool)
{
	int err;

	s->spool = spool;
	if (pipe2(s->req, O_CLOEXEC) == -1 ||
	    pipe2(s->done, O_CLOEXEC | O_NONBLOCK) == -1) {
		err = errno;
		queue_syncer_close(s);
		errno = err;
		return -1;
	}
	/* The worker writes a few bytes per sync: blocking is fine there. */
	if (fcntl(s->done[1], F_SETFL, 0) == -1) {
		err = errno;
		queue_syncer_close(s);
		errno = err;
		return -1;
	}
	err = pthread_create(&s->thread, NULL, queue_syncer_main, s);
	if (err != 0) {
		queue_syncer_close(s);
		errno = err;
		return -1;
	}
	s->running = 1;
	return 0;
}

int
queue_syncer_fd(const struct queue_syncer *s)
{
	return s->done[0];
}

int
queue_syncer_request(struct queue_syncer *s)
{
	ssize_t n;

	do {
		n = write(s->req[1], "s", 1);
	} while (n == -1 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int
queue_syncer_result(struct queue_syncer *s, int block)
{
	struct pollfd p = { .fd = s->done[0], .events = POLLIN };
	int r;
	ssize_t n;

	for (;;) {
		n = read(s->done[0], &r, sizeof(r));
		if (n == (ssize_t)sizeof(r)) {
			return r;
		}
		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n == -1 && errno == EAGAIN && block) {
			(void)poll(&p, 1, -1);
			continue;
		}
		/* The pipe carries whole ints; anything else means the
		 * worker is gone, and so is the sync. */
		return n == -1 && errno == EAGAIN ? -1 : EIO;
	}
}

void
queue_syncer_stop(struct queue_syncer *s)
{
	if (s->running) {
		close(s->req[1]); /* the worker's read sees the end */
		s->req[1] = -1;
		pthread_join(s->thread, NULL);
		s->running = 0;
	}
	queue_syncer_close(s);
}

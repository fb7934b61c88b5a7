/*
 * queue_remover.c - finished messages' files removed on a worker thread
 * (queue_remover.h says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "queue_remover.h"
#include "queue_syncer.h"

/* what the worker sends back for a removal that failed */
struct queue_remover_failed {
	char id[QUEUE_ID_SIZE];
	int err;
};

void
queue_remover_init(struct queue_remover *r)
{
	memset(r, 0, sizeof(*r));
	r->req[0] = r->req[1] = r->done[0] = r->done[1] = -1;
}

/* queue_remover_next - the next id from the loop: 1, or 0 once the loop
 * closed its end */
static int
queue_remover_next(struct queue_remover *r, char id[QUEUE_ID_SIZE])
{
	size_t got = 0;
	ssize_t n;

	while (got < QUEUE_ID_SIZE) {
		n = read(r->req[0], id + got, QUEUE_ID_SIZE - got);
		if (n == -1 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return 0;
		}
		got += (size_t)n;
	}
	id[QUEUE_ID_SIZE - 1] = '\0';
	return 1;
}

/* queue_remover_main - one removal per id, until the loop closes its end */
static void *
queue_remover_main(void *arg)
{
	struct queue_remover *r = arg;
	struct queue_remover_failed f;

	memset(&f, 0, sizeof(f));
	while (queue_remover_next(r, f.id)) {
		int lost = 0;

		if (queue_spool_remove(r->spool, f.id) == -1) {
			f.err = errno != 0 ? errno : EIO;
			/* A whole record or nothing (less than PIPE_BUF). A
			 * full pipe means the loop has thousands of lines to
			 * log already: this one is only counted. */
			lost = write(r->done[1], &f, sizeof(f)) !=
			    (ssize_t)sizeof(f);
		}
		pthread_mutex_lock(&r->lock);
		r->dropped += (unsigned long)lost;
		r->finished++;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

static void
queue_remover_close(struct queue_remover *r)
{
	queue_pipes_close(r->req, r->done);
}

int
queue_remover_start(struct queue_remover *r, const struct queue_spool *spool)
{
	int err;

	r->spool = spool;
	/* Both ends that the loop or the worker must not wait on are
	 * non-blocking: the loop's writes (a full pipe: it removes the file
	 * itself) and the worker's failure records. */
	if (pipe2(r->req, O_CLOEXEC) == -1 ||
	    fcntl(r->req[1], F_SETFL, O_NONBLOCK) == -1 ||
	    pipe2(r->done, O_CLOEXEC | O_NONBLOCK) == -1) {
		err = errno;
		queue_remover_close(r);
		errno = err;
		return -1;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->handed = r->finished = r->dropped = 0;
	err = pthread_create(&r->thread, NULL, queue_remover_main, r);
	if (err != 0) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		queue_remover_close(r);
		errno = err;
		return -1;
	}
	r->running = 1;
	return 0;
}

int
queue_remover_fd(const struct queue_remover *r)
{
	return r->done[0];
}

int
queue_remover_remove(struct queue_remover *r, const char *id)
{
	char rec[QUEUE_ID_SIZE];
	size_t len = strlen(id);

	if (r->running && len < QUEUE_ID_SIZE) {
		memset(rec, 0, sizeof(rec));
		memcpy(rec, id, len);
		if (write(r->req[1], rec, sizeof(rec)) ==
		    (ssize_t)sizeof(rec)) {
			r->handed++;
			return 0;
		}
		/* full (EAGAIN) or the worker is gone: do it here */
	}
	return queue_spool_remove(r->spool, id);
}

int
queue_remover_failure(struct queue_remover *r, char id[QUEUE_ID_SIZE], int *err)
{
	struct queue_remover_failed f;

	if (r->done[0] < 0 || read(r->done[0], &f, sizeof(f)) != sizeof(f)) {
		return 0;
	}
	memcpy(id, f.id, QUEUE_ID_SIZE);
	id[QUEUE_ID_SIZE - 1] = '\0';
	*err = f.err;
	return 1;
}

unsigned long
queue_remover_dropped(struct queue_remover *r)
{
	unsigned long n;

	if (!r->running) {
		return 0;
	}
	pthread_mutex_lock(&r->lock);
	n = r->dropped;
	r->dropped = 0;
	pthread_mutex_unlock(&r->lock);
	return n;
}

void
queue_remover_flush(struct queue_remover *r)
{
	if (!r->running) {
		return;
	}
	pthread_mutex_lock(&r->lock);
	while (r->finished < r->handed) {
		pthread_cond_wait(&r->cond, &r->lock);
	}
	pthread_mutex_unlock(&r->lock);
}

void
queue_remover_stop(struct queue_remover *r)
{
	if (r->running) {
		close(r->req[1]); /* the worker ends after the last id */
		r->req[1] = -1;
		pthread_join(r->thread, NULL);
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		r->running = 0;
	}
	queue_remover_close(r);
}

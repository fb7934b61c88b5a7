/*
 * queue_remover.h - the content files of finished messages removed on a
 * thread of their own, so that the queue's event loop never waits while
 * the file system frees a file.
 *
 * Removing a file frees its inode and blocks. On a file system mounted
 * with "discard" (usual for flash disks, and so on this build machine)
 * the kernel sends the device a discard for the freed blocks and waits
 * for it: 0.1-2 ms per file, measured. In the loop that wait would
 * delay every commit, 250 and delivery result queued behind it, once
 * per message.
 *
 * The removal of a finished message's file needs no order against
 * anything else: its record is already deleted (committed), and queue ids
 * never come back, so a removal that a crash loses leaves a file without
 * a record, which recovery removes at the next start (queue_recover.h).
 *
 * queue_remover_remove hands one id to the worker. When the worker is not
 * running or its pipe is full, the caller removes the file itself: the
 * loop never waits for the worker. A removal that fails (other than
 * ENOENT) comes back through queue_remover_failure for the loop to log;
 * queue_remover_fd is readable when one is there. When thousands wait
 * unread the pipe is full, and later ones are only counted
 * (queue_remover_dropped), for one line in the log. queue_remover_flush
 * waits until every handed-over removal was done (at stop, and tests).
 */
#ifndef QUEUE_REMOVER_H
#define QUEUE_REMOVER_H

#include <pthread.h>

#include "queue_id.h"
#include "queue_spool.h"

struct queue_remover {
	const struct queue_spool *spool;
	pthread_t thread;
	int req[2];  /* the loop writes ids to [1], the worker reads [0] */
	int done[2]; /* failures: the worker writes [1], the loop reads [0] */
	int running; /* the thread exists */
	/* handed: ids given to the worker (the loop's count); finished: ids
	 * the worker is done with, under lock, signalled on cond */
	unsigned long handed, finished;
	/* failures that did not fit in the full pipe, under lock */
	unsigned long dropped;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* queue_remover_init - nothing running, no descriptors */
void queue_remover_init(struct queue_remover *r);
/* queue_remover_start - the pipes and the worker; -1 with errno */
int queue_remover_start(struct queue_remover *r,
    const struct queue_spool *spool);
/* queue_remover_fd - readable when a failure is there to be read */
int queue_remover_fd(const struct queue_remover *r);
/*
 * queue_remover_remove - remove id's content file, on the worker when it
 * can take it (0), else here: 0, or -1 with errno as queue_spool_remove.
 */
int queue_remover_remove(struct queue_remover *r, const char *id);
/*
 * queue_remover_failure - one failed removal: 1 with its id and errno,
 * 0 when none is waiting.
 */
int queue_remover_failure(struct queue_remover *r, char id[QUEUE_ID_SIZE],
    int *err);
/*
 * queue_remover_dropped - how many failures were not sent because their
 * pipe was full, since the last call (which read the count and reset it)
 */
unsigned long queue_remover_dropped(struct queue_remover *r);
/* queue_remover_flush - wait until the worker did every removal given */
void queue_remover_flush(struct queue_remover *r);
/* queue_remover_stop - let the worker finish its removals, end it, and
 * close all; failures not read yet are lost with the pipe, so the caller
 * reads them first (after queue_remover_flush) */
void queue_remover_stop(struct queue_remover *r);

#endif /* QUEUE_REMOVER_H */

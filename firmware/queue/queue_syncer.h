/*
 * queue_syncer.h - syncfs of the spool on a thread of its own, so that
 * the queue's event loop keeps serving smtp and mta while the disk works.
 *
 * Group commit needs one sync per pass; a sync takes milliseconds, and a
 * loop blocked in it cannot take the next commits, so they would wait
 * for a pass that cannot start. With the syncer, pass N+1 gathers its
 * commits while the sync of pass N runs, and its own sync starts when
 * that one ends: throughput follows the disk, not disk plus loop.
 *
 * One request at a time: queue_syncer_request starts a sync (the caller
 * keeps track of whether one is running); its result comes back on the
 * descriptor queue_syncer_fd, which the loop watches. The worker calls
 * queue_spool_sync (so the tests' sync hook applies) and nothing else:
 * it shares no other state with the loop.
 */
#ifndef QUEUE_SYNCER_H
#define QUEUE_SYNCER_H

#include <pthread.h>

#include "queue_spool.h"

struct queue_syncer {
	const struct queue_spool *spool;
	pthread_t thread;
	int req[2];  /* the loop writes [1], the worker reads [0] */
	int done[2]; /* the worker writes [1], the loop reads [0] */
	int running; /* the thread exists */
};

/* queue_syncer_init - nothing running, no descriptors */
void queue_syncer_init(struct queue_syncer *s);
/* queue_syncer_start - the pipes and the worker; -1 with errno */
int queue_syncer_start(struct queue_syncer *s, const struct queue_spool *spool);
/* queue_syncer_fd - readable when a result is there */
int queue_syncer_fd(const struct queue_syncer *s);
/* queue_syncer_request - start one sync; -1 with errno */
int queue_syncer_request(struct queue_syncer *s);
/*
 * queue_syncer_result - the result of the sync requested last: 0 (done),
 * an errno value (it failed), or -1 when block is 0 and it is not done
 * yet. With block set it waits for it.
 */
int queue_syncer_result(struct queue_syncer *s, int block);
/* queue_syncer_stop - end the worker (after its sync) and close all */
void queue_syncer_stop(struct queue_syncer *s);
/* queue_pipes_close - close a worker's request and result pipes, those
 * of them that are open (-1 after); the remover's too */
void queue_pipes_close(int req[2], int done[2]);

#endif /* QUEUE_SYNCER_H */

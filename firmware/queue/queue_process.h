/*
 * queue_process.h - the queue process of sekimorid.
 *
 * It owns the spool: it hands smtp a content file per message, makes
 * finished messages durable with group commit before smtp may answer
 * 250, schedules delivery jobs to mta, records their results, retries
 * with backoff, queues DSN bounces, and serves the operator tool on
 * SPOOL/control. README.md has the protocol, the durability argument and
 * the log lines.
 *
 * Security: it handles messages from smtp (internet-facing, so treated
 * as hostile: every body is decoded by queue_proto.h, a malformed one
 * drops the smtp channel and the supervisor restarts smtp), from mta,
 * from the operator socket (0600) and the spool's own files. It runs as
 * the queue's user, privileges dropped by the caller, and opens nothing
 * outside the spool.
 *
 * queue_process() is what the supervisor's child calls; the finer
 * functions below let tests drive the same code pass by pass.
 */
#ifndef QUEUE_PROCESS_H
#define QUEUE_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"

/*
 * queue_process - run until MSG_SHUTDOWN from the parent (or the parent
 * going away): finish the commits in flight, abort open transactions,
 * wait for the delivery jobs in flight to end (at most
 * QUEUE_STOP_GRACE_MS, queue_int.h), then exit(0); exit(1) through
 * fatal() if the spool cannot be opened. Sends MSG_HELLO (version,
 * MSG_ROLE_QUEUE) first, then its log lines as MSG_LOG. smtp_sock and
 * mta_sock may be -1 until MSG_PEER brings them.
 */
void queue_process(const struct config *cfg, int parent_sock, int smtp_sock,
    int mta_sock);

/* Replaceable clock and random source (NULL members: the real ones). */
struct queue_hooks {
	int64_t (*wall_ms)(void *arg); /* ms since 1970 */
	uint32_t (*random)(void *arg);
	void *arg;
	int keep_log; /* 1: leave log_set_sink alone (tests capture lines) */
};

struct queue;

/* queue_new - open the spool, recover, open the channels and the control
 * socket, send HELLO; NULL with err set on failure. cfg must outlive q. */
struct queue *queue_new(const struct config *cfg, int parent_sock,
    int smtp_sock, int mta_sock, const struct queue_hooks *hooks, char *err,
    size_t errlen);
/* queue_run_once - one pass of the event loop, waiting up to max_ms */
int queue_run_once(struct queue *q, int max_ms);
/* queue_finished - 1 once a shutdown has completed */
int queue_finished(const struct queue *q);
/* queue_free - close everything (in-flight commits are finished first) */
void queue_free(struct queue *q);

#endif /* QUEUE_PROCESS_H */

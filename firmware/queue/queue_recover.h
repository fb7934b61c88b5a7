/*
 * queue_recover.h - make the spool consistent at startup.
 *
 * The invariant the queue keeps while it runs (README.md, "Durability"):
 * a message record exists only once its content file is complete and
 * durable. A crash or power cut can leave only these states, and
 * recovery settles each one, calling back once per case so the process
 * can log it with the queue id:
 *
 *   NO_RECORD   a content file without a record: a message that was
 *               being received, or whose removal was not finished; it
 *               was never acknowledged, or is already done: removed
 *   NO_FILE     a record without its content file (damage from outside
 *               the queue): the record is removed
 *   SHORT_FILE  a content file shorter than its record says: removed
 *               with its record (the content is gone)
 *   LONG_FILE   longer than committed: cut back to the committed size,
 *               which is exactly what was acknowledged
 *   NO_RCPT     a record without recipients: removed with its file
 *   STRAY       a name in SPOOL/msg that is not a queue id: left alone
 *
 * It also raises the id generator above every id it saw, so new ids sort
 * after old ones even if the clock went back.
 */
#ifndef QUEUE_RECOVER_H
#define QUEUE_RECOVER_H

#include <stdint.h>

#include "queue_db.h"
#include "queue_id.h"
#include "queue_spool.h"

enum queue_recover_event {
	QUEUE_RECOVER_NO_RECORD,
	QUEUE_RECOVER_NO_FILE,
	QUEUE_RECOVER_SHORT_FILE,
	QUEUE_RECOVER_LONG_FILE,
	QUEUE_RECOVER_NO_RCPT,
	QUEUE_RECOVER_STRAY,
	QUEUE_RECOVER_NEVENTS,
};

/* name: the queue id (or the stray file name); want/got: sizes */
typedef void queue_recover_fn(void *arg, enum queue_recover_event ev,
    const char *name, uint64_t want, uint64_t got);

struct queue_recover_stats {
	unsigned long messages; /* records kept */
	unsigned long events[QUEUE_RECOVER_NEVENTS];
};

/* queue_recover - check every record and file; SK_E_IO on an error that
 * left the spool unchecked (errno or queue_db_error tell why) */
enum sk_result queue_recover(const struct queue_spool *s, struct queue_db *db,
    struct queue_id_gen *gen, queue_recover_fn *fn, void *arg,
    struct queue_recover_stats *stats);

#endif /* QUEUE_RECOVER_H */

/*
 * queue_spool.h - the spool directory and its content files.
 *
 * Layout (SPOOL is config_path(cfg, "/data/spool")):
 *
 *	SPOOL/            0700, the queue user's
 *	SPOOL/queue.db    the SQLite index (queue_db.h), with -wal and -shm
 *	SPOOL/msg/ID      one content file per message: the message exactly
 *	                  as it is to be delivered, nothing else
 *	SPOOL/control     the operator socket (queue_ctl.h)
 *
 * Content files live in one flat folder so that a batch of new messages
 * needs the durability of one folder only (see README.md, "Durability").
 *
 * Durability goes through one call, queue_spool_sync: syncfs(2) on the
 * spool's file system writes every dirty file, inode and folder entry
 * and commits the journal once, however many messages finished; its
 * result reports a write-back error of any file (Linux 5.8 and later).
 * Tests replace it (queue_spool_set_sync) to count calls and to inject
 * failures.
 *
 * Ownership: the caller owns struct queue_spool; queue_spool_close closes
 * its descriptors. Functions return 0 or -1 with errno, or a result.
 */
#ifndef QUEUE_SPOOL_H
#define QUEUE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define QUEUE_SPOOL_PATH_MAX 200 /* leaves room for "/control" in sun_path */
#define QUEUE_SPOOL_DB "queue.db"
#define QUEUE_SPOOL_MSG "msg"
#define QUEUE_SPOOL_CONTROL "control"

struct queue_spool {
	char path[QUEUE_SPOOL_PATH_MAX];
	int dirfd; /* SPOOL */
	int msgfd; /* SPOOL/msg */
};

typedef int queue_sync_fn(int fd);

/* queue_spool_set_sync - make queue_spool_sync call fn; NULL restores */
void queue_spool_set_sync(queue_sync_fn *fn);

/* queue_spool_open - open SPOOL and SPOOL/msg, creating them 0700 (and
 * missing folders above SPOOL 0755) if absent */
enum sk_result queue_spool_open(struct queue_spool *s, const char *path);
void queue_spool_close(struct queue_spool *s);

/* queue_spool_create - a new content file, O_RDWR|O_CREAT|O_EXCL, 0600:
 * smtp writes it and hands the same descriptor to policy, which reads */
int queue_spool_create(const struct queue_spool *s, const char *id);
/* queue_spool_open_read - a content file, read-only */
int queue_spool_open_read(const struct queue_spool *s, const char *id);
/* queue_spool_remove - unlink a content file; a missing one is fine */
int queue_spool_remove(const struct queue_spool *s, const char *id);
/* queue_spool_size - the size of a content file; -1 (errno) if absent */
int queue_spool_size(const struct queue_spool *s, const char *id,
    uint64_t *size);
/* queue_spool_truncate - cut a content file to size */
int queue_spool_truncate(const struct queue_spool *s, const char *id,
    uint64_t size);
/* queue_spool_rename - a content file gets another id (same folder) */
int queue_spool_rename(const struct queue_spool *s, const char *from,
    const char *to);
/*
 * queue_spool_fill - content file id gets src's content from offset 0
 * (read with pread, so src may be shared): truncated first, or created
 * (O_EXCL) when create. At most max octets, else -1 with EFBIG. With qid
 * (a queue id, else -1 with EINVAL before the file is touched), each
 * MSG_QID_TOKEN is written as qid by qid_token_replace, as the policy's
 * seal does (*replaced counts them). *size: octets written.
 */
int queue_spool_fill(const struct queue_spool *s, const char *id, int create,
    int src, uint64_t max, const char *qid, uint64_t *size, unsigned *replaced);
#define QUEUE_SYNC_SLOW_MS 100 /* a sync this long is worth a look */

/* queue_spool_sync - make every write to the spool durable (syncfs);
 * counts and times it (stats: queue spool-syncs, spool-sync-microseconds,
 * spool-syncs-slow: QUEUE_SYNC_SLOW_MS or more); thread-safe (the syncer
 * calls it) */
int queue_spool_sync(const struct queue_spool *s);

/*
 * queue_spool_space_ok - 1 if the spool's file system has at least
 * min_percent of its blocks and at least min_bytes free for us
 * (f_bavail), 0 if not, -1 (errno) if statvfs failed.
 */
int queue_spool_space_ok(const struct queue_spool *s, unsigned min_percent,
    uint64_t min_bytes);

/* queue_spool_file - "SPOOL/NAME" into out[size]; -1 if it does not fit */
int queue_spool_file(const struct queue_spool *s, const char *name, char *out,
    size_t size);

#endif /* QUEUE_SPOOL_H */

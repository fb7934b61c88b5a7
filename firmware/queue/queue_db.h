/*
 * queue_db.h - the queue index: SQLite (WAL) in SPOOL/queue.db.
 *
 * Schema version 3 (PRAGMA user_version; an older file is upgraded by
 * queue_db_open, one version per transaction, a newer one is refused
 * rather than misread):
 *
 *   message    one row per queued message: id, content size, arrival
 *              (ms since 1970), the Q_ENVELOPE fields, hold, delay_sent,
 *              prepend (2: Q_COMMIT's header block), quarantine (3: the
 *              reason, '' = not quarantined) and quarantined (3: unix
 *              seconds it entered quarantine); index message_quarantine
 *              over the quarantined ones only
 *   recipient  one row per recipient, (message, rcpt) unique: address,
 *              domain, NOTIFY, ORCPT; status (queued, delivered,
 *              failed), attempts, next_attempt, last_attempt (ms), the
 *              last dsn status, reply and relay, and reported (the DSN
 *              decision for its final status has been made)
 *
 * Two TEMP tables (in memory, never on disk, empty at every start) hold
 * the scheduler's view: inflight (recipients in a delivery job) and busy
 * (domains at their connection limit). Writing them costs no fsync.
 *
 * The connection uses locking_mode=EXCLUSIVE: a second queue process on
 * the same spool gets SK_E_IO ("database is locked") at open instead of
 * sharing the spool. Every write happens inside queue_db_begin ..
 * queue_db_commit; a commit is durable when it returns (synchronous=FULL,
 * rootfs/packages/sqlite/recipe).
 *
 * Reading rows copies text into fixed fields of the caller's struct,
 * cut to the field's size: a damaged database cannot overflow anything.
 *
 * Ownership: the caller owns struct queue_db; queue_db_close frees what
 * queue_db_open made. Not thread-safe (one process, one thread).
 */
#ifndef QUEUE_DB_H
#define QUEUE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "queue_proto.h"
#include "sk.h"

#define QUEUE_DB_VERSION 3 /* 2: message.prepend, 3: quarantine */

enum queue_rcpt_status {
	QUEUE_RCPT_QUEUED = 0,
	QUEUE_RCPT_DELIVERED = 1,
	QUEUE_RCPT_FAILED = 2,
};

/* Statements, prepared once at open. */
enum queue_db_stmt {
	QDB_MSG_INSERT,
	QDB_RCPT_INSERT,
	QDB_MSG_GET,
	QDB_MSG_DELETE,
	QDB_MSG_HOLD,
	QDB_MSG_DELAY_SENT,
	QDB_MSG_LIST,
	QDB_MSG_LIST_QUEUED,
	QDB_MSG_ALL,
	QDB_MSG_EXISTS,
	QDB_MSG_NO_RCPT,
	QDB_RCPT_OF,
	QDB_RCPT_RESULT,
	QDB_RCPT_REPORTED,
	QDB_RCPT_FLUSH,
	QDB_DUE_PICK,
	QDB_DUE_JOB,
	QDB_DUE_NEXT,
	QDB_INFLIGHT_ADD,
	QDB_INFLIGHT_DEL,
	QDB_BUSY_ADD,
	QDB_BUSY_DEL,
	QDB_SWEEP,
	QDB_MSG_COUNT,
	QDB_QUAR_LIST,
	QDB_QUAR_RELEASE,
	QDB_QUAR_DUE,
	QDB_QUAR_STATS,
	QDB_QUAR_OLDEST,
	QDB_NSTMT,
};

struct sqlite3;
struct sqlite3_stmt;

struct queue_db {
	struct sqlite3 *h;
	struct sqlite3_stmt *st[QDB_NSTMT];
	int in_tx;
	unsigned long commits; /* durable commits made, for tests */
};

/* A message row. */
struct queue_msg_row {
	struct queue_envelope env;
	uint64_t size;
	int64_t arrival_ms;
	int hold;
	int delay_sent;
	char quarantine[QUEUE_REASON_SIZE]; /* the reason; "" = not */
	int64_t quarantined;                /* unix seconds; 0 = not */
};

/* A recipient row. */
struct queue_rcpt_row {
	uint32_t rcpt;
	char address[QUEUE_ADDR_SIZE];
	char domain[QUEUE_DOMAIN_SIZE];
	uint32_t notify;
	char orcpt[QUEUE_ORCPT_SIZE];
	int status; /* enum queue_rcpt_status */
	uint32_t attempts;
	int64_t next_ms, last_ms;
	char dsn[QUEUE_DSN_STATUS_SIZE];
	char reply[QUEUE_REPLY_STORE + 1];
	char relay[QUEUE_RELAY_SIZE];
	int reported;
};

/* What one delivery attempt did to one recipient. */
struct queue_rcpt_update {
	int status; /* enum queue_rcpt_status */
	uint32_t attempts;
	int64_t next_ms, last_ms;
	const char *dsn, *reply, *relay;
};

/* queue_db_open - open or create path; err gets one line on failure */
enum sk_result queue_db_open(struct queue_db *db, const char *path, char *err,
    size_t errlen);
void queue_db_close(struct queue_db *db);
/* queue_db_error - SQLite's text for the last failure */
const char *queue_db_error(const struct queue_db *db);

/* Transactions: BEGIN IMMEDIATE, COMMIT (durable), ROLLBACK. */
enum sk_result queue_db_begin(struct queue_db *db);
enum sk_result queue_db_commit(struct queue_db *db);
void queue_db_rollback(struct queue_db *db);

/* queue_db_insert - a message row (in a transaction) */
enum sk_result queue_db_insert(struct queue_db *db,
    const struct queue_msg_row *m);
/* queue_db_insert_rcpt - its recipient number rcpt, due at next_ms;
 * SK_E_SYNTAX if the address has no domain */
enum sk_result queue_db_insert_rcpt(struct queue_db *db, const char *id,
    uint32_t rcpt, const char *address, uint32_t notify, const char *orcpt,
    int64_t next_ms);
/* queue_db_get - a message; SK_END if there is none */
enum sk_result queue_db_get(struct queue_db *db, const char *id,
    struct queue_msg_row *m);
enum sk_result queue_db_delete(struct queue_db *db, const char *id);
/* queue_db_hold - set or clear hold; SK_END if there is no such message */
enum sk_result queue_db_hold(struct queue_db *db, const char *id, int hold);
enum sk_result queue_db_delay_sent(struct queue_db *db, const char *id);
/* queue_db_exists - 1, 0, or -1 on error */
int queue_db_exists(struct queue_db *db, const char *id);

/* Recipients of one message, in rcpt order: begin, next until SK_END. */
enum sk_result queue_db_rcpts_begin(struct queue_db *db, const char *id);
enum sk_result queue_db_rcpts_next(struct queue_db *db,
    struct queue_rcpt_row *r);
void queue_db_rcpts_end(struct queue_db *db);

/* queue_db_result - record an attempt for a queued recipient; SK_END if
 * it is not queued any more (deleted, or already final) */
enum sk_result queue_db_result(struct queue_db *db, const char *id,
    uint32_t rcpt, const struct queue_rcpt_update *u);
enum sk_result queue_db_reported(struct queue_db *db, const char *id,
    uint32_t rcpt);
/* queue_db_flush - queued recipients (of id, or all if id is "") due at
 * now_ms; *n is how many changed */
enum sk_result queue_db_flush(struct queue_db *db, const char *id,
    int64_t now_ms, unsigned long *n);

/* Scheduler: the next due (message, domain) not in flight, not busy,
 * not held: SK_OK, or SK_END when nothing is due. */
enum sk_result queue_db_due_pick(struct queue_db *db, int64_t now_ms,
    char id[QUEUE_ID_SIZE], char domain[QUEUE_DOMAIN_SIZE]);
/* The due recipients of that pair not in flight, in rcpt order. */
enum sk_result queue_db_due_job_begin(struct queue_db *db, const char *id,
    const char *domain, int64_t now_ms);
enum sk_result queue_db_due_job_next(struct queue_db *db, uint32_t *rcpt,
    struct queue_rcpt *r, uint32_t *attempts);
void queue_db_due_job_end(struct queue_db *db);
/* queue_db_due_next - the earliest next_attempt after now_ms; SK_END if
 * none */
enum sk_result queue_db_due_next(struct queue_db *db, int64_t now_ms,
    int64_t *when);
enum sk_result queue_db_inflight_add(struct queue_db *db, const char *id,
    uint32_t rcpt, uint32_t job);
enum sk_result queue_db_inflight_del(struct queue_db *db, uint32_t job);
enum sk_result queue_db_busy(struct queue_db *db, const char *domain, int busy);

/* queue_db_sweep - up to max ids of messages with final recipients not
 * yet reported, or with no queued recipient left; *n is the count */
enum sk_result queue_db_sweep(struct queue_db *db, char (*ids)[QUEUE_ID_SIZE],
    size_t max, size_t *n);
/* queue_db_list - up to max ids after `after` ("" = from the start),
 * quarantined ones included (recovery checks every record) */
enum sk_result queue_db_list(struct queue_db *db, const char *after,
    char (*ids)[QUEUE_ID_SIZE], size_t max, size_t *n);
/* queue_db_list_queued - the same without quarantined messages */
enum sk_result queue_db_list_queued(struct queue_db *db, const char *after,
    char (*ids)[QUEUE_ID_SIZE], size_t max, size_t *n);
/* queue_db_count - the number of messages */
enum sk_result queue_db_count(struct queue_db *db, unsigned long *n);

/* Recovery walks every message (id, size) and those without recipients. */
enum sk_result queue_db_all_begin(struct queue_db *db);
enum sk_result queue_db_all_next(struct queue_db *db, char id[QUEUE_ID_SIZE],
    uint64_t *size);
void queue_db_all_end(struct queue_db *db);
enum sk_result queue_db_no_rcpt(struct queue_db *db, char (*ids)[QUEUE_ID_SIZE],
    size_t max, size_t *n);

/* ---- quarantine ----------------------------------------------------
 * A quarantined message is an ordinary record with a reason: never
 * scheduled (due_pick, due_next and flush skip it), left out of
 * queue_db_list, removed like any message (queue_db_delete). */

/* Filters of "quarantine list", ANDed; 0 or "" = no filter. Substrings
 * match case-insensitively (ASCII). */
struct queue_quar_filter {
	int64_t since, until; /* quarantined within, unix seconds */
	char from[QUEUE_ADDR_SIZE];
	char to[QUEUE_ADDR_SIZE];
	char reason[QUEUE_REASON_SIZE];
};

/* Where a paged listing goes on: after (quarantined, id). Start with
 * quarantined -1, id "". */
struct queue_quar_cursor {
	int64_t quarantined;
	char id[QUEUE_ID_SIZE];
};

/* One quarantined message, oldest first (retention). */
struct queue_quar_entry {
	char id[QUEUE_ID_SIZE];
	uint64_t size;
	int64_t quarantined;
};

/* queue_db_quar_list - up to max ids matching f after the cursor, in
 * quarantine order; the cursor moves past them */
enum sk_result queue_db_quar_list(struct queue_db *db,
    const struct queue_quar_filter *f, struct queue_quar_cursor *cur,
    char (*ids)[QUEUE_ID_SIZE], size_t max, size_t *n);
/* queue_db_quar_release - clear the reason, restart the lifetime at
 * now_ms (arrival) and make its queued recipients due; SK_END if id is
 * not in quarantine */
enum sk_result queue_db_quar_release(struct queue_db *db, const char *id,
    int64_t now_ms);
/* queue_db_quar_stats - how many are quarantined, and their file sizes */
enum sk_result queue_db_quar_stats(struct queue_db *db, unsigned long *n,
    uint64_t *bytes);
/* queue_db_quar_oldest - up to max quarantined messages, oldest first */
enum sk_result queue_db_quar_oldest(struct queue_db *db,
    struct queue_quar_entry *v, size_t max, size_t *n);

#endif /* QUEUE_DB_H */

/*
 * queue_int.h - what the files of the queue process share: struct queue
 * and the functions one part calls in another. Not for other folders;
 * tests include it to look inside.
 *
 *   queue_process.c  the loop, the parent channel, peers, shutdown
 *   queue_smtp.c     smtp transactions and group commit (the pass)
 *   queue_mta.c      delivery jobs, results, the scheduler
 *   queue_notify.c   DSNs and the end of a message's life
 *   queue_ctlsrv.c   the operator socket
 *   queue_quar.c     the quarantine: operator commands, retention
 *
 * The pass: everything that changes the spool during one event-loop
 * pass goes into one SQLite transaction, opened by queue_pass_begin and
 * committed by queue_flush at the end of the pass (a 0 ms timer). The
 * commit does not wait for the disk (WAL, synchronous=NORMAL): one syncfs
 * of the spool, on the syncer's thread, makes the content files and the
 * records of one or more passes durable together, and only then are
 * their 250s sent and the files of finished messages removed. A record
 * whose sync never ended belongs to a message that got no 250; recovery
 * drops it when its file is short (queue_recover.c). Files of finished
 * messages go right after the commit (queue_after says why that is safe),
 * on the remover's thread (queue_remover.h).
 */
#ifndef QUEUE_INT_H
#define QUEUE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "event.h"
#include "msg_body.h"
#include "msg_types.h"
#include "queue_ctl.h"
#include "queue_db.h"
#include "queue_id.h"
#include "queue_process.h"
#include "queue_proto.h"
#include "queue_sched.h"
#include "queue_spool.h"
#include "queue_remover.h"
#include "queue_syncer.h"

/* Hard limits, whatever the config says. */
#define QUEUE_TX_MAX 8192    /* open smtp transactions */
#define QUEUE_TX_SLACK 16    /* open transactions above connections-total */
#define QUEUE_RCPT_MAX 10000 /* recipients per message */
#define QUEUE_JOBS_MAX 4096  /* delivery jobs in flight */
#define QUEUE_CTL_CLIENTS_MAX 4
/* What smtp may add to a message of message-size octets: its Received
 * header, and room for policy headers to come. */
#define QUEUE_ADDED_MAX (64 * 1024)
/* a rewritten message (Q_COMMIT rewrite) without a message-size limit */
#define QUEUE_REWRITE_MAX (64u << 20)
/* Timing, in milliseconds. */
#define QUEUE_CTL_IDLE_MS 30000       /* an idle operator is dropped */
#define QUEUE_CTL_RETRY_MS 10         /* a listing waits for its reader */
#define QUEUE_SCHED_WAIT_MAX_MS 60000 /* the clock is checked this often */
#define QUEUE_SWEEP_RETRY_MS 300000   /* after a DSN could not be written */
#define QUEUE_SPACE_LOG_MS 60000      /* "disk nearly full", at most */
#define QUEUE_SLOW_LOG_MS 60000       /* "spool sync took", at most */
#define QUEUE_DRAIN_MS 1000           /* sending what is queued, at exit */
#define QUEUE_QUAR_CHECK_MS 60000     /* quarantine retention, at least */
#define QUEUE_STOP_GRACE_MS 20000     /* jobs in flight, at shutdown */
/* Pages. */
#define QUEUE_CTL_LIST_PAGE 32
#define QUEUE_SWEEP_PAGE 64
/* The content filter's notices to the administrators (Q_NOTICE): at most
 * this many a minute, so that a virus flood cannot flood them; the rest
 * are counted and logged in one line when the minute is over. */
#define QUEUE_NOTICE_RATE 60
#define QUEUE_NOTICE_WINDOW_MS 60000
/* The pickup folder (queue_pickup.h): looked at this often, at most this
 * many files per pass. */
#define QUEUE_PICKUP_MS 5000
#define QUEUE_PICKUP_BATCH 16
#define QUEUE_PICKUP_NAME_MAX 128
#define QUEUE_TIMERS (10 + QUEUE_CTL_CLIENTS_MAX)

struct queue_tx_rcpt {
	char *address, *orcpt;
	uint32_t notify;
};

/* One smtp transaction: Q_OPEN .. Q_COMMITTED, Q_FAIL or Q_ABORT. */
struct queue_tx {
	uint32_t peer;
	int committing;   /* Q_COMMIT came: in the batch */
	int committed;    /* on record, waiting for its sync */
	int orphan;       /* its smtp session or channel ended: no answer */
	const char *fail; /* why the commit will be refused, or NULL */
	char id[QUEUE_ID_SIZE];
	int have_env;
	struct queue_envelope env;
	struct queue_tx_rcpt *rcpts;
	size_t nrcpts, cap;
	uint64_t octets;
	char quarantine[QUEUE_REASON_SIZE]; /* Q_COMMIT's reason, "" none */
	/* the id reserved at Q_OPEN (Q_OPENED's second string) for the
	 * original of a strip: smtp's policy seals the stripped message
	 * with it written over MSG_QID_TOKEN before the commit */
	char spare_id[QUEUE_ID_SIZE];
	/* a strip (Q_COMMIT rewrite 2): the original, kept in quarantine
	 * as a second message under spare_id and the same envelope */
	char strip_id[QUEUE_ID_SIZE]; /* "" none */
	char strip_reason[QUEUE_REASON_SIZE];
	uint64_t strip_octets;
	unsigned strip_parts; /* notices that name strip_id */
};

/* One delivery job: M_DELIVER .. M_DONE. */
struct queue_job {
	uint32_t id;  /* 0 = free slot */
	int finished; /* done; the slot is released after the pass */
	char msg[QUEUE_ID_SIZE];
	char domain[QUEUE_DOMAIN_SIZE];
	int64_t arrival_ms;
	size_t n, nresults;
	uint32_t *rcpts, *attempts;
	char **addrs;
	uint8_t *got;
	int deferred; /* a recipient was deferred: maybe a delay DSN */
};

/* A file this pass created, or is to remove once the pass is durable. */
struct queue_file {
	char id[QUEUE_ID_SIZE];
	uint64_t size;
};

struct queue_files {
	struct queue_file *v;
	size_t n, cap;
};

/* Committed messages wait for a sync that started after their pass. */
struct queue_stage {
	struct queue_tx **tx; /* messages to acknowledge (txmax slots) */
	size_t ntx;
};

/* What a client's long answer is, while it goes out page by page. */
enum queue_ctl_paging {
	QUEUE_PAGING_LIST,     /* list */
	QUEUE_PAGING_QLIST,    /* quarantine list */
	QUEUE_PAGING_DOWNLOAD, /* quarantine download */
};

/* One operator connection on SPOOL/control. */
struct queue_ctl_client {
	struct queue *q;
	struct chan ch;
	struct event_timer t; /* idle limit, or the next page of a list */
	int dead;             /* closed; freed at the reap */
	int listing;          /* a long answer is being sent (paging) */
	enum queue_ctl_paging paging;
	unsigned long listed;
	char after[QUEUE_ID_SIZE];
	/* quarantine list: the filters and where the next page starts */
	struct queue_quar_filter qf;
	struct queue_quar_cursor qcur;
	/* quarantine download: the content file, the next offset and the
	 * committed size (nothing past it is sent) */
	int dl_fd;
	uint64_t dl_off, dl_size;
};

struct queue {
	const struct config *cfg;
	struct queue_hooks hooks;
	struct queue_policy policy;
	char server[256];
	uint32_t rnd;

	struct event_loop loop;
	struct event_timer *heap[QUEUE_TIMERS];
	struct event_timer flush_t, sched_t, sweep_t, reap_t, stop_t, quar_t;
	struct event_timer pickup_t;
	struct chan parent, smtp, mta;

	struct queue_spool spool;
	struct queue_db db;
	struct queue_id_gen ids;

	struct queue_tx **tx; /* open transactions, unordered */
	size_t ntx, txmax;
	struct queue_tx **batch; /* committing, in arrival order */
	size_t nbatch;
	size_t rcptmax;

	struct queue_files created; /* DSN and pickup files of this pass */
	/* pickup files imported in this pass: removed when it is durable */
	char picked[QUEUE_PICKUP_BATCH][QUEUE_PICKUP_NAME_MAX];
	char picked_id[QUEUE_PICKUP_BATCH][QUEUE_ID_SIZE]; /* their messages */
	size_t npicked;
	struct queue_files removed; /* messages deleted in this pass */
	struct queue_stage waiting; /* committed, their sync not started */
	struct queue_stage syncing; /* committed, their sync running */
	struct queue_syncer syncer;
	struct event_io sync_io;
	int sync_busy;                /* a sync runs on the syncer's thread */
	uint64_t sync_started;        /* event_now when it was asked for */
	uint64_t slow_warned;         /* event_now of the last slow warning */
	unsigned long slow_unwarned;  /* slow syncs since then, not logged */
	uint64_t slow_worst;          /* the slowest of them, ms */
	struct queue_remover remover; /* finished messages' files */
	struct event_io remover_io;

	struct queue_job *jobs;
	size_t jobsmax, njobs, perdest;
	uint32_t next_job;

	int ctl_fd;
	struct event_io ctl_io;
	struct queue_ctl_client *clients[QUEUE_CTL_CLIENTS_MAX];

	/* the notices' rate: the minute that started at notice_window_ms
	 * has sent notice_sent and dropped notice_dropped */
	int64_t notice_window_ms;
	unsigned notice_sent;
	unsigned long notice_dropped;

	int64_t space_logged_ms;
	int log_sink; /* log lines go to the parent */
	int stopping, finished;
};

/* queue_process.c */
int64_t queue_now(struct queue *q);
uint32_t queue_random(struct queue *q);
void queue_arm(struct queue *q, struct event_timer *t, uint64_t ms,
    event_timer_cb *cb);
void queue_stop(struct queue *q, const char *why);
void queue_finish(struct queue *q);

/* queue_smtp.c */
void queue_smtp_msg(struct chan *c, struct msg *m, void *arg);
void queue_smtp_gone(struct chan *c, enum sk_result why, void *arg);
void queue_smtp_abort_all(struct queue *q);
int queue_pass_begin(struct queue *q);
void queue_flush(struct queue *q);
void queue_flush_timer(struct event_loop *loop, struct event_timer *t);
void queue_sync_ready(struct event_loop *loop, struct event_io *io,
    uint32_t revents);
void queue_settle(struct queue *q);
void queue_sync_done(struct queue *q, int err);
int queue_files_add(struct queue_files *f, const char *id, uint64_t size);

/* queue_mta.c */
void queue_mta_msg(struct chan *c, struct msg *m, void *arg);
void queue_mta_gone(struct chan *c, enum sk_result why, void *arg);
void queue_schedule(struct queue *q);
void queue_sched_timer(struct event_loop *loop, struct event_timer *t);
void queue_jobs_release(struct queue *q);
int queue_job_active(const struct queue *q, const char *id);

/* queue_notify.c */
void queue_finalize(struct queue *q, const char *id);
void queue_delay_notice(struct queue *q, const char *id);
/* queue_content_notice - Q_NOTICE from smtp's session peer: a notice mail
 * to the notify-recipient addresses, in this pass (rate: above) */
void queue_content_notice(struct queue *q, uint32_t peer, const char *text);
/* queue_notice_tick - log the dropped notices of a minute that is over */
void queue_notice_tick(struct queue *q, int64_t now);
void queue_sweep_timer(struct event_loop *loop, struct event_timer *t);

/* queue_pickup_in.c */
/* queue_pickup_scan - import the pickup folder's files into this pass */
void queue_pickup_scan(struct queue *q);
/* queue_pickup_after - the pass ended: remove its files when durable */
void queue_pickup_after(struct queue *q, int durable);
/* queue_pickup_made - 1 when id is a message picked up in this pass (it
 * has its own log line) */
int queue_pickup_made(const struct queue *q, const char *id);
void queue_pickup_timer(struct event_loop *loop, struct event_timer *t);

/* queue_ctlsrv.c */
int queue_ctl_open(struct queue *q, char *err, size_t errlen);
void queue_ctl_close(struct queue *q);
void queue_reap_timer(struct event_loop *loop, struct event_timer *t);
void queue_ctl_reap(struct queue *q);
/* the answer's pieces, for queue_quar.c */
void queue_ctl_arm(struct queue_ctl_client *c, uint64_t ms);
void queue_ctl_line(struct queue_ctl_client *c, const char *s);
void queue_ctl_end(struct queue_ctl_client *c, uint32_t status,
    const char *text);
void queue_ctl_iso(char *out, size_t size, int64_t ms);
void queue_ctl_show_envelope(struct queue_ctl_client *c,
    const struct queue_msg_row *m, const char *status);
void queue_ctl_show_rcpt(struct queue_ctl_client *c,
    const struct queue_rcpt_row *r);
void queue_ctl_show_header(struct queue_ctl_client *c,
    const struct queue_msg_row *m);

/* queue_quar.c */
/* queue_quar_ctl - the quarantine commands (req->cmd QUEUE_CTL_Q*) */
void queue_quar_ctl(struct queue_ctl_client *c,
    const struct queue_ctl_req *req);
/* queue_quar_more - the next page of a quarantine list or download */
void queue_quar_more(struct queue_ctl_client *c);
/* queue_quar_close - a client's download ends (its file is closed) */
void queue_quar_close(struct queue_ctl_client *c);
/* queue_quar_timer - retention: max-age, then max-size */
void queue_quar_timer(struct event_loop *loop, struct event_timer *t);

/*
 * queue_env.c - the envelope trailer of a rewritten content (format:
 * lib/msg_types.h), decoded sans I/O: queue_env_tail finds the block in
 * the last octets of the file; queue_env_begin and queue_env_next read
 * it, one change at a time, strictly (a field too long, an unknown op, a
 * control octet in an address, octets left over: SK_E_SYNTAX). Nothing
 * allocates; the caller owns struct queue_env and the block.
 */
#define QUEUE_ENV_TAIL_LEN (4 + MSG_ENV_MAGIC_LEN) /* u32 length, magic */

struct queue_env_op {
	uint8_t op;      /* MSG_ENV_DELRCPT or MSG_ENV_ADDRCPT */
	uint32_t notify; /* MSG_NOTIFY_* bits; 0 for a deletion */
	char addr[MSG_ENV_ADDR_MAX + 1];   /* not empty, printable */
	char orcpt[MSG_ENV_ORCPT_MAX + 1]; /* "" or printable; "" to delete */
};

struct queue_env {
	struct msg_body_reader r;
	uint8_t chgfrom;                   /* 1: sender replaces the sender */
	char sender[MSG_ENV_ADDR_MAX + 1]; /* "" with chgfrom 0 */
	uint32_t n;                        /* changes, <= MSG_ENV_OPS_MAX */
	uint32_t done;                     /* changes read so far */
};

/*
 * queue_env_tail - tail: the last QUEUE_ENV_TAIL_LEN octets of a file of
 * size octets (size >= QUEUE_ENV_TAIL_LEN). SK_OK with the block's
 * offset and length when they end in MSG_ENV_MAGIC; SK_END when they do
 * not (no trailer); SK_E_RANGE when the length does not fit the file or
 * passes MSG_ENV_BLOCK_MAX.
 */
enum sk_result queue_env_tail(const uint8_t *tail, uint64_t size,
    uint64_t *block_off, uint32_t *block_len);
/* queue_env_begin - the block's sender and count of changes; the block
 * must outlive e. SK_OK or SK_E_SYNTAX */
enum sk_result queue_env_begin(struct queue_env *e, const uint8_t *block,
    size_t len);
/* queue_env_next - the next change into op: SK_OK; SK_END after the
 * last one (the block then ended exactly); SK_E_SYNTAX */
enum sk_result queue_env_next(struct queue_env *e, struct queue_env_op *op);

#endif /* QUEUE_INT_H */

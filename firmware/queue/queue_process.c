/*
 * queue_process.c - the queue process of sekimorid: its loop, its parent,
 * its peers (queue_process.h; the parts are listed in queue_int.h).
 *
 * Runs as the queue's user with privileges already dropped by the
 * supervisor; opens nothing outside the spool. Untrusted input: bodies
 * from smtp (internet-facing) and mta, requests on SPOOL/control, and
 * the spool's own files and database (checked at startup).
 */
#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "queue_int.h"
#include "queue_recover.h"

/* ---- clock and randomness ---------------------------------------- */

int64_t
queue_now(struct queue *q)
{
	struct timespec ts;

	if (q->hooks.wall_ms != NULL) {
		return q->hooks.wall_ms(q->hooks.arg);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* queue_seed - 32 random bits from the kernel (never 0) */
static uint32_t
queue_seed(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		v = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	}
	return v != 0 ? v : 0x9e3779b9u;
}

uint32_t
queue_random(struct queue *q)
{
	if (q->hooks.random != NULL) {
		return q->hooks.random(q->hooks.arg);
	}
	/* xorshift32: jitter needs spread, not secrecy */
	q->rnd ^= q->rnd << 13;
	q->rnd ^= q->rnd >> 17;
	q->rnd ^= q->rnd << 5;
	return q->rnd;
}

void
queue_arm(struct queue *q, struct event_timer *t, uint64_t ms,
    event_timer_cb *cb)
{
	if (event_timer_set(&q->loop, t, ms, cb, q) == -1) {
		panic("timer heap full"); /* QUEUE_TIMERS is too small */
	}
}

/* ---- the parent ---------------------------------------------------- */

/* queue_peer - MSG_PEER: a new socket to smtp or mta replaces the old */
static void
queue_peer(struct queue *q, struct msg *m)
{
	uint32_t role;

	if (queue_proto_u32(m->body, m->hdr.len, &role) != SK_OK || m->fd < 0 ||
	    (role != MSG_ROLE_SMTP && role != MSG_ROLE_MTA)) {
		fatal("parent sent a malformed MSG_PEER");
	}
	if (role == MSG_ROLE_SMTP) {
		if (chan_reopen(&q->smtp, &q->loop, m->fd, queue_smtp_msg,
			queue_smtp_gone, q) == -1) {
			fatal("cannot watch the new smtp socket: %s",
			    strerror(errno));
		}
		return;
	}
	if (chan_reopen(&q->mta, &q->loop, m->fd, queue_mta_msg, queue_mta_gone,
		q) == -1) {
		fatal("cannot watch the new mta socket: %s", strerror(errno));
	}
	queue_arm(q, &q->sched_t, 0, queue_sched_timer);
}

static void
queue_parent_msg(struct chan *c, struct msg *m, void *arg)
{
	struct queue *q = arg;

	(void)c;
	switch (m->hdr.type) {
	case MSG_HELLO:
		if (msg_get_u32(m->body) != MSG_PROTO_VERSION) {
			fatal("parent speaks protocol %u, not %u",
			    msg_get_u32(m->body), MSG_PROTO_VERSION);
		}
		break;
	case MSG_SHUTDOWN:
		queue_stop(q, NULL);
		break;
	case MSG_PEER:
		queue_peer(q, m);
		return; /* the descriptor now belongs to a channel */
	default:
		fatal("parent sent %s, which the queue does not take",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd >= 0) {
		close(m->fd);
	}
}

static void
queue_parent_gone(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	queue_stop(arg,
	    why == SK_E_CLOSED ? "the parent went away" :
				 "the parent broke the protocol");
}

/* queue_stop_timer - the jobs in flight took too long: stop anyway */
static void
queue_stop_timer(struct event_loop *loop, struct event_timer *t)
{
	struct queue *q = t->arg;

	(void)loop;
	log_warn("shutting down with %zu delivery jobs in flight: their "
		 "recipients will be tried again",
	    q->njobs);
	queue_flush(q);
	queue_settle(q);
	queue_finish(q);
}

/* queue_finish - the loop ends after this pass */
void
queue_finish(struct queue *q)
{
	event_timer_del(&q->loop, &q->stop_t);
	q->finished = 1;
	event_break(&q->loop);
}

/*
 * queue_stop - finish the commits in flight, abort open transactions,
 * stop serving and scheduling; the loop ends when the delivery jobs in
 * flight have ended (their results are recorded, so nothing is delivered
 * twice after the restart), or after QUEUE_STOP_GRACE_MS.
 */
void
queue_stop(struct queue *q, const char *why)
{
	if (q->stopping) {
		return;
	}
	if (why != NULL) {
		log_warn("shutting down: %s", why);
	}
	q->stopping = 1;
	queue_flush(q);
	queue_settle(q);
	queue_smtp_abort_all(q);
	queue_ctl_close(q);
	event_timer_del(&q->loop, &q->sched_t);
	event_timer_del(&q->loop, &q->quar_t);
	event_timer_del(&q->loop, &q->pickup_t);
	if (q->njobs == 0 || !q->mta.open) {
		queue_finish(q);
		return;
	}
	event_timer_set(&q->loop, &q->stop_t, QUEUE_STOP_GRACE_MS,
	    queue_stop_timer, q);
}

/* ---- startup ------------------------------------------------------- */

static void
queue_recovered(void *arg, enum queue_recover_event ev, const char *name,
    uint64_t want, uint64_t got)
{
	(void)arg;
	switch (ev) {
	case QUEUE_RECOVER_NO_RECORD:
		log_warn("%s: recovery: content file without a queue record "
			 "(never acknowledged, or already done): removed",
		    name);
		break;
	case QUEUE_RECOVER_NO_FILE:
		log_warn("%s: recovery: queue record without its content "
			 "file: removed",
		    name);
		break;
	case QUEUE_RECOVER_SHORT_FILE:
		log_warn("%s: recovery: content file has %llu of %llu octets: "
			 "removed",
		    name, (unsigned long long)got, (unsigned long long)want);
		break;
	case QUEUE_RECOVER_LONG_FILE:
		log_warn("%s: recovery: content file has %llu octets, %llu "
			 "were committed: cut back",
		    name, (unsigned long long)got, (unsigned long long)want);
		break;
	case QUEUE_RECOVER_NO_RCPT:
		log_warn("%s: recovery: queue record without recipients: "
			 "removed",
		    name);
		break;
	default:
		log_warn("recovery: %s/%s is not a content file: left alone",
		    QUEUE_SPOOL_MSG, name);
		break;
	}
}

/* queue_limits - bounds from the config, within the hard limits */
static void
queue_limits(struct queue *q)
{
	const struct config *cfg = q->cfg;
	size_t total = cfg->delivery.connections_total;
	size_t per = cfg->delivery.connections_per_destination;

	q->policy.minimum_backoff_s = cfg->queue.minimum_backoff;
	q->policy.maximum_backoff_s = cfg->queue.maximum_backoff;
	q->policy.lifetime_h = cfg->queue.lifetime;
	q->policy.delay_notice_h = cfg->queue.delay_notice;
	q->txmax = (size_t)cfg->limits.connections_total + QUEUE_TX_SLACK;
	if (q->txmax > QUEUE_TX_MAX) {
		q->txmax = QUEUE_TX_MAX;
	}
	q->rcptmax = cfg->limits.recipients;
	if (q->rcptmax == 0 || q->rcptmax > QUEUE_RCPT_MAX) {
		q->rcptmax = QUEUE_RCPT_MAX;
	}
	q->jobsmax = total == 0    ? 1 :
	    total > QUEUE_JOBS_MAX ? QUEUE_JOBS_MAX :
				     total;
	q->perdest = per == 0 || per > q->jobsmax ? q->jobsmax : per;
}

/* queue_server_name - for DSNs: the config's, else the kernel's */
static void
queue_server_name(struct queue *q)
{
	const char *name = q->cfg->server_name;

	if (name[0] == '\0') {
		if (gethostname(q->server, sizeof(q->server) - 1) == -1 ||
		    q->server[0] == '\0') {
			strcpy(q->server, "localhost");
		}
		q->server[sizeof(q->server) - 1] = '\0';
		return;
	}
	strncpy(q->server, name, sizeof(q->server) - 1);
	q->server[sizeof(q->server) - 1] = '\0';
}

/* queue_open_spool - spool, database, recovery */
static int
queue_open_spool(struct queue *q, char *err, size_t errlen)
{
	char path[QUEUE_SPOOL_PATH_MAX], db[QUEUE_SPOOL_PATH_MAX + 16];
	struct queue_recover_stats st;

	if (config_path(q->cfg, "/data/spool", path, sizeof(path)) != SK_OK ||
	    queue_spool_open(&q->spool, path) != SK_OK) {
		snprintf(err, errlen, "spool %s: %s", path, strerror(errno));
		return -1;
	}
	if (queue_spool_file(&q->spool, QUEUE_SPOOL_DB, db, sizeof(db)) == -1 ||
	    queue_db_open(&q->db, db, err, errlen) != SK_OK) {
		return -1;
	}
	queue_id_gen_init(&q->ids, queue_seed());
	if (queue_recover(&q->spool, &q->db, &q->ids, queue_recovered, q,
		&st) != SK_OK) {
		snprintf(err, errlen, "spool recovery: %s: %s", strerror(errno),
		    queue_db_error(&q->db));
		return -1;
	}
	/* The database and its WAL are new folder entries at first start. */
	if (queue_spool_sync(&q->spool) == -1) {
		snprintf(err, errlen, "sync of %s: %s", path, strerror(errno));
		return -1;
	}
	log_info("spool %s: %lu messages", path, st.messages);
	return 0;
}

/* queue_open_syncer - the spool's sync thread, watched by the loop */
static int
queue_open_syncer(struct queue *q, char *err, size_t errlen)
{
	if (queue_syncer_start(&q->syncer, &q->spool) == -1) {
		snprintf(err, errlen, "sync thread: %s", strerror(errno));
		return -1;
	}
	if (event_io_add(&q->loop, &q->sync_io, queue_syncer_fd(&q->syncer),
		EVENT_READ, queue_sync_ready, q) == -1) {
		snprintf(err, errlen, "sync thread: %s", strerror(errno));
		queue_syncer_stop(&q->syncer);
		return -1;
	}
	return 0;
}

/* queue_remover_report - log the removals the worker could not do */
static void
queue_remover_report(struct queue *q)
{
	char id[QUEUE_ID_SIZE];
	unsigned long dropped;
	int err;

	while (queue_remover_failure(&q->remover, id, &err)) {
		log_warn("%s: cannot remove content file: %s", id,
		    strerror(err));
	}
	/* read after the pipe was drained: a record dropped while it was
	 * full is counted before the loop could drain it */
	dropped = queue_remover_dropped(&q->remover);
	if (dropped > 0) {
		log_warn("cannot remove %lu more content files (too many to "
			 "log each); recovery tries again at the next start",
		    dropped);
	}
}

static void
queue_remover_ready(struct event_loop *loop, struct event_io *io,
    uint32_t revents)
{
	(void)loop;
	(void)revents;
	queue_remover_report(io->arg);
}

/* queue_open_remover - the thread that removes finished messages' files */
static int
queue_open_remover(struct queue *q, char *err, size_t errlen)
{
	if (queue_remover_start(&q->remover, &q->spool) == -1) {
		snprintf(err, errlen, "remover thread: %s", strerror(errno));
		return -1;
	}
	if (event_io_add(&q->loop, &q->remover_io,
		queue_remover_fd(&q->remover), EVENT_READ, queue_remover_ready,
		q) == -1) {
		snprintf(err, errlen, "remover thread: %s", strerror(errno));
		queue_remover_stop(&q->remover);
		return -1;
	}
	return 0;
}

/* queue_close_remover - its last removals done and reported, the thread
 * ended */
static void
queue_close_remover(struct queue *q)
{
	if (q->remover.running) {
		queue_remover_flush(&q->remover);
		queue_remover_report(q);
		event_io_del(&q->loop, &q->remover_io);
	}
	queue_remover_stop(&q->remover);
}

/* queue_alloc - the queue and its tables */
static struct queue *
queue_alloc(const struct config *cfg, const struct queue_hooks *hooks)
{
	struct queue *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		return NULL;
	}
	q->cfg = cfg;
	if (hooks != NULL) {
		q->hooks = *hooks;
	}
	q->rnd = queue_seed();
	q->ctl_fd = -1;
	q->loop.epfd = q->loop.sigfd = -1;
	q->spool.dirfd = q->spool.msgfd = -1;
	queue_limits(q);
	queue_server_name(q);
	q->tx = calloc(q->txmax, sizeof(*q->tx));
	q->batch = calloc(q->txmax, sizeof(*q->batch));
	q->waiting.tx = calloc(q->txmax, sizeof(*q->waiting.tx));
	q->syncing.tx = calloc(q->txmax, sizeof(*q->syncing.tx));
	q->jobs = calloc(q->jobsmax, sizeof(*q->jobs));
	queue_syncer_init(&q->syncer);
	queue_remover_init(&q->remover);
	if (q->tx == NULL || q->batch == NULL || q->waiting.tx == NULL ||
	    q->syncing.tx == NULL || q->jobs == NULL) {
		free(q->tx);
		free(q->batch);
		free(q->waiting.tx);
		free(q->syncing.tx);
		free(q->jobs);
		free(q);
		return NULL;
	}
	chan_init(&q->parent);
	chan_init(&q->smtp);
	chan_init(&q->mta);
	event_timer_init(&q->flush_t);
	event_timer_init(&q->sched_t);
	event_timer_init(&q->sweep_t);
	event_timer_init(&q->reap_t);
	event_timer_init(&q->stop_t);
	event_timer_init(&q->quar_t);
	event_timer_init(&q->pickup_t);
	return q;
}

/* queue_log_parent - a log line becomes MSG_LOG to the supervisor */
static void
queue_log_parent(enum log_level level, const char *line, void *arg)
{
	struct queue *q = arg;
	uint8_t body[1 + MSG_LOG_TEXT_MAX];
	size_t n = strlen(line);

	if (n > MSG_LOG_TEXT_MAX) {
		n = MSG_LOG_TEXT_MAX;
	}
	body[0] = (uint8_t)(level > LOG_LEVEL_FATAL ? LOG_LEVEL_FATAL : level);
	memcpy(body + 1, line, n);
	if (n == 0) {
		body[++n] = ' ';
	}
	(void)chan_send(&q->parent, MSG_LOG, 0, -1, body, 1 + n);
}

/* queue_open_chan - watch sock (if any) as channel c */
static int
queue_open_chan(struct queue *q, struct chan *c, int sock, chan_msg_fn *fn,
    chan_close_fn *gone)
{
	if (sock < 0) {
		return 0;
	}
	return chan_open(c, &q->loop, sock, fn, gone, q);
}

struct queue *
queue_new(const struct config *cfg, int parent_sock, int smtp_sock,
    int mta_sock, const struct queue_hooks *hooks, char *err, size_t errlen)
{
	struct queue *q = queue_alloc(cfg, hooks);
	uint8_t hello[MSG_HELLO_LEN];

	if (q == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	err[0] = '\0';
	if (event_init(&q->loop, q->heap, SK_NELEM(q->heap)) == -1 ||
	    queue_open_chan(q, &q->parent, parent_sock, queue_parent_msg,
		queue_parent_gone) == -1) {
		snprintf(err, errlen, "event loop: %s", strerror(errno));
		queue_free(q);
		return NULL;
	}
	/* HELLO first, then log lines reach syslog through the parent. */
	msg_put_u32(hello, MSG_PROTO_VERSION);
	msg_put_u32(hello + 4, MSG_ROLE_QUEUE);
	(void)chan_send(&q->parent, MSG_HELLO, 0, -1, hello, sizeof(hello));
	if (!q->hooks.keep_log) {
		log_set_sink(queue_log_parent, q);
		q->log_sink = 1;
	}
	if (queue_open_spool(q, err, errlen) == -1 ||
	    queue_open_syncer(q, err, errlen) == -1 ||
	    queue_open_remover(q, err, errlen) == -1 ||
	    queue_open_chan(q, &q->smtp, smtp_sock, queue_smtp_msg,
		queue_smtp_gone) == -1 ||
	    queue_open_chan(q, &q->mta, mta_sock, queue_mta_msg,
		queue_mta_gone) == -1 ||
	    queue_ctl_open(q, err, errlen) == -1) {
		if (err[0] == '\0') {
			snprintf(err, errlen, "%s", strerror(errno));
		}
		/* while the parent still hears us: the caller's fatal() may
		 * only reach stderr */
		log_warn("cannot start: %s", err);
		chan_drain(&q->parent, QUEUE_DRAIN_MS);
		queue_free(q);
		return NULL;
	}
	/* Leftovers of a crash first, then whatever is due. */
	queue_arm(q, &q->sweep_t, 0, queue_sweep_timer);
	queue_arm(q, &q->sched_t, 0, queue_sched_timer);
	queue_arm(q, &q->quar_t, 0, queue_quar_timer);
	queue_arm(q, &q->pickup_t, 0, queue_pickup_timer);
	return q;
}

int
queue_run_once(struct queue *q, int max_ms)
{
	if (q->finished) {
		return 0;
	}
	return event_run_once(&q->loop, max_ms);
}

int
queue_finished(const struct queue *q)
{
	return q->finished;
}

void
queue_free(struct queue *q)
{
	size_t i;

	if (q == NULL) {
		return;
	}
	if (q->spool.dirfd >= 0 && q->db.h != NULL) {
		queue_stop(q, NULL);
		queue_jobs_release(q);
	}
	queue_close_remover(q);
	queue_ctl_close(q);
	queue_ctl_reap(q);
	chan_close(&q->parent);
	chan_close(&q->smtp);
	chan_close(&q->mta);
	for (i = 0; i < q->jobsmax; i++) {
		free(q->jobs[i].rcpts);
		free(q->jobs[i].attempts);
		free(q->jobs[i].got);
		if (q->jobs[i].addrs != NULL) {
			size_t k;

			for (k = 0; k < q->jobs[i].n; k++) {
				free(q->jobs[i].addrs[k]);
			}
			free(q->jobs[i].addrs);
		}
	}
	if (q->syncer.running) {
		event_io_del(&q->loop, &q->sync_io);
	}
	queue_syncer_stop(&q->syncer);
	queue_db_close(&q->db);
	queue_spool_close(&q->spool);
	event_close(&q->loop);
	if (q->log_sink) {
		log_set_sink(NULL, NULL);
	}
	free(q->created.v);
	free(q->removed.v);
	free(q->tx);
	free(q->batch);
	free(q->waiting.tx);
	free(q->syncing.tx);
	free(q->jobs);
	free(q);
}

/* ---- the process --------------------------------------------------- */

void
queue_process(const struct config *cfg, int parent_sock, int smtp_sock,
    int mta_sock)
{
	char err[512] = "";
	struct queue *q;

	q = queue_new(cfg, parent_sock, smtp_sock, mta_sock, NULL, err,
	    sizeof(err));
	if (q == NULL) {
		fatal("queue: %s", err);
	}
	while (!queue_finished(q)) {
		if (queue_run_once(q, -1) == -1 && errno != EINTR) {
			fatal("event loop: %s", strerror(errno));
		}
	}
	log_info("queue stopped");
	chan_drain(&q->smtp, QUEUE_DRAIN_MS);
	chan_drain(&q->parent, QUEUE_DRAIN_MS);
	queue_free(q);
	exit(0);
}

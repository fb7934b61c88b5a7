/*
 * queue_mta.c - delivery jobs: the scheduler, M_DELIVER, M_RESULT,
 * M_DONE, and the mta going away (queue_int.h).
 *
 * A job is one message and the due recipients of one domain, as many as
 * fit one M_DELIVER body. At most jobsmax (delivery connections-total)
 * jobs are in flight and at most perdest (connections-per-destination)
 * per domain. In-flight recipients are kept in the TEMP table inflight,
 * domains at their limit in busy (queue_db.h), so the scheduler's query
 * skips both. Results are recorded in the pass's transaction as they
 * come; a job's slot and its inflight rows are released after the pass
 * is durable (queue_jobs_release), so a rolled back result is simply
 * tried again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sekimorid/stats.h"
#include "log.h"
#include "queue_int.h"

static void queue_result_apply(struct queue *q, struct queue_job *j, size_t k,
    struct queue_result *res);
static void queue_job_end(struct queue *q, struct queue_job *j);

/* ---- jobs ---------------------------------------------------------- */

static struct queue_job *
queue_job_find(struct queue *q, uint32_t id)
{
	size_t i;

	for (i = 0; i < q->jobsmax; i++) {
		if (q->jobs[i].id == id && id != 0) {
			return &q->jobs[i];
		}
	}
	return NULL;
}

int
queue_job_active(const struct queue *q, const char *id)
{
	size_t i;

	for (i = 0; i < q->jobsmax; i++) {
		if (q->jobs[i].id != 0 && !q->jobs[i].finished &&
		    strcmp(q->jobs[i].msg, id) == 0) {
			return 1;
		}
	}
	return 0;
}

/* queue_domain_jobs - jobs in flight to a domain */
static size_t
queue_domain_jobs(const struct queue *q, const char *domain)
{
	size_t i, n = 0;

	for (i = 0; i < q->jobsmax; i++) {
		if (q->jobs[i].id != 0 &&
		    strcmp(q->jobs[i].domain, domain) == 0) {
			n++;
		}
	}
	return n;
}

/* queue_job_clear - free a job's arrays and its slot */
static void
queue_job_clear(struct queue_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->addrs[i]);
	}
	free(j->addrs);
	free(j->rcpts);
	free(j->attempts);
	free(j->got);
	memset(j, 0, sizeof(*j));
}

/* queue_job_grow - room for one more recipient in a job being built */
static int
queue_job_grow(struct queue_job *j, size_t *cap)
{
	size_t n = *cap == 0 ? 8 : *cap * 2;
	void *a, *b, *c, *d;

	if (j->n < *cap) {
		return 0;
	}
	a = realloc(j->rcpts, n * sizeof(*j->rcpts));
	if (a != NULL) {
		j->rcpts = a;
	}
	b = realloc(j->attempts, n * sizeof(*j->attempts));
	if (b != NULL) {
		j->attempts = b;
	}
	c = realloc(j->addrs, n * sizeof(*j->addrs));
	if (c != NULL) {
		j->addrs = c;
	}
	d = realloc(j->got, n * sizeof(*j->got));
	if (d != NULL) {
		j->got = d;
	}
	if (a == NULL || b == NULL || c == NULL || d == NULL) {
		return -1;
	}
	*cap = n;
	return 0;
}

/* queue_job_fill - the job's recipients into its M_DELIVER body */
static int
queue_job_fill(struct queue *q, struct queue_job *j, struct queue_deliver *d,
    int64_t now)
{
	static struct queue_rcpt r;
	size_t cap = 0;
	uint32_t rcpt, attempts;
	enum sk_result res;

	queue_db_due_job_begin(&q->db, j->msg, j->domain, now);
	while ((res = queue_db_due_job_next(&q->db, &rcpt, &r, &attempts)) ==
	    SK_OK) {
		if (queue_job_grow(j, &cap) == -1) {
			break;
		}
		if (queue_deliver_add(d, rcpt, r.address, r.notify, r.orcpt) ==
		    -1) {
			break; /* the rest goes in the next job */
		}
		if ((j->addrs[j->n] = strdup(r.address)) == NULL) {
			d->n--; /* not counted: the body is dropped anyway */
			break;
		}
		j->rcpts[j->n] = rcpt;
		j->attempts[j->n] = attempts;
		j->got[j->n] = 0;
		j->n++;
	}
	queue_db_due_job_end(&q->db);
	return res == SK_E_IO || j->n == 0 ? -1 : 0;
}

/* queue_job_mark - the job's recipients are in flight, its domain busy */
static int
queue_job_mark(struct queue *q, struct queue_job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		if (queue_db_inflight_add(&q->db, j->msg, j->rcpts[i], j->id) !=
		    SK_OK) {
			return -1;
		}
	}
	if (queue_domain_jobs(q, j->domain) >= q->perdest &&
	    queue_db_busy(&q->db, j->domain, 1) != SK_OK) {
		return -1;
	}
	return 0;
}

/* queue_job_slot - a free job slot with a fresh id, or NULL */
static struct queue_job *
queue_job_slot(struct queue *q)
{
	size_t i;

	for (i = 0; i < q->jobsmax; i++) {
		if (q->jobs[i].id == 0) {
			memset(&q->jobs[i], 0, sizeof(q->jobs[i]));
			if (++q->next_job == 0) {
				q->next_job = 1;
			}
			q->jobs[i].id = q->next_job;
			return &q->jobs[i];
		}
	}
	return NULL;
}

/* queue_job_fail - every recipient of a job that could not go out gets
 * a temporary failure, so a broken message cannot block the scheduler */
static void
queue_job_fail(struct queue *q, struct queue_job *j, const char *why)
{
	static struct queue_result res;
	size_t k;

	memset(&res, 0, sizeof(res));
	res.status = MSG_TEMPFAIL;
	snprintf(res.dsn, sizeof(res.dsn), "4.3.0");
	snprintf(res.reply, sizeof(res.reply), "%s", why);
	for (k = 0; k < j->n; k++) {
		j->got[k] = 1;
		queue_result_apply(q, j, k, &res);
	}
	q->njobs++;
	queue_job_end(q, j);
}

/*
 * queue_job_start - one M_DELIVER for the due recipients of (id,
 * domain): 0 when it went out; 1 when its recipients were deferred
 * instead (the content file cannot be read); -1 when nothing could be
 * done. The scheduler stops on anything but 0.
 */
static int
queue_job_start(struct queue *q, const char *id, const char *domain,
    int64_t now)
{
	static struct queue_deliver d;
	static struct queue_msg_row m;
	struct queue_job *j = queue_job_slot(q);
	int fd;

	if (j == NULL) {
		return -1;
	}
	memcpy(j->msg, id, QUEUE_ID_SIZE);
	snprintf(j->domain, sizeof(j->domain), "%s", domain);
	if (queue_db_get(&q->db, id, &m) != SK_OK ||
	    queue_deliver_begin(&d, &m.env, domain) == -1 ||
	    queue_job_fill(q, j, &d, now) == -1) {
		log_warn("%s: cannot build a delivery job: %s", id,
		    queue_db_error(&q->db));
		queue_job_clear(j);
		return -1;
	}
	j->arrival_ms = m.arrival_ms;
	queue_deliver_end(&d);
	if ((fd = queue_spool_open_read(&q->spool, id)) == -1) {
		log_warn("%s: cannot open content file: %s", id,
		    strerror(errno));
		queue_job_fail(q, j, "cannot read the queue file");
		return 1;
	}
	if (chan_send(&q->mta, MSG_M_DELIVER, j->id, fd, d.buf, d.w.len) !=
	    SK_OK) {
		close(fd);
		queue_job_clear(j);
		return -1;
	}
	q->njobs++;
	if (queue_job_mark(q, j) == -1) {
		/* The job is out; only the bookkeeping failed. Nothing gets
		 * scheduled twice while the pass is stuck: stop here. */
		log_warn("%s: cannot mark job %u in flight: %s", id, j->id,
		    queue_db_error(&q->db));
		return -1;
	}
	return 0;
}

/* queue_sched_wait - arm the timer for the next recipient to come due */
static void
queue_sched_wait(struct queue *q, int64_t now)
{
	int64_t when, wait = QUEUE_SCHED_WAIT_MAX_MS;

	if (queue_db_due_next(&q->db, now, &when) == SK_OK &&
	    when - now < wait) {
		wait = when - now;
	}
	queue_arm(q, &q->sched_t, (uint64_t)(wait > 0 ? wait : 1),
	    queue_sched_timer);
}

/*
 * queue_schedule - start jobs for what is due, within the limits.
 * It runs between passes (never inside the pass's transaction), so the
 * scheduler's TEMP tables never ride a rollback.
 */
void
queue_schedule(struct queue *q)
{
	char id[QUEUE_ID_SIZE], domain[QUEUE_DOMAIN_SIZE];
	int64_t now;
	enum sk_result r;
	int started = 0;

	if (q->stopping) {
		return;
	}
	if (q->db.in_tx || q->nbatch > 0) {
		queue_flush(q);
	}
	now = queue_now(q);
	while (q->mta.open && q->njobs < q->jobsmax &&
	    msg_pending(&q->mta.w) < MSG_WRITE_BUF / 2) {
		r = queue_db_due_pick(&q->db, now, id, domain);
		if (r == SK_E_IO) {
			log_warn("scheduler: %s", queue_db_error(&q->db));
		}
		if (r != SK_OK) {
			break;
		}
		if ((started = queue_job_start(q, id, domain, now)) != 0) {
			break;
		}
	}
	if (started == 1) {
		/* deferred in this pass: go on once it is durable */
		queue_arm(q, &q->sched_t, 0, queue_sched_timer);
		return;
	}
	queue_sched_wait(q, now);
}

void
queue_sched_timer(struct event_loop *loop, struct event_timer *t)
{
	(void)loop;
	queue_schedule(t->arg);
}

/*
 * queue_jobs_release - after a pass: free the slots of finished jobs,
 * take their recipients out of flight and their domains out of busy.
 */
void
queue_jobs_release(struct queue *q)
{
	struct queue_job *j;
	size_t i;
	int any = 0;

	for (i = 0; i < q->jobsmax; i++) {
		j = &q->jobs[i];
		if (j->id == 0 || !j->finished) {
			continue;
		}
		if (queue_db_inflight_del(&q->db, j->id) != SK_OK ||
		    queue_db_busy(&q->db, j->domain, 0) != SK_OK) {
			log_warn("%s: job %u: cannot release: %s", j->msg,
			    j->id, queue_db_error(&q->db));
		}
		queue_job_clear(j);
		q->njobs--;
		any = 1;
	}
	if (any && !q->stopping) {
		queue_arm(q, &q->sched_t, 0, queue_sched_timer);
	}
	/* A shutdown waits for the last job to end. */
	if (q->stopping && !q->finished && (q->njobs == 0 || !q->mta.open)) {
		queue_finish(q);
	}
}

/* ---- results ------------------------------------------------------- */

/* queue_log_result - Postfix's delivery line, queue id first */
static void
queue_log_result(const struct queue_job *j, size_t k,
    const struct queue_rcpt_update *u, const char *status, int64_t now)
{
	int64_t delay = now - j->arrival_ms;

	if (delay < 0) {
		delay = 0;
	}
	log_info("%s: to=<%s>, relay=%s, delay=%lld.%lld, dsn=%s, "
		 "status=%s (%s)",
	    j->msg, j->addrs[k], u->relay[0] != '\0' ? u->relay : "none",
	    (long long)(delay / 1000), (long long)(delay % 1000 / 100), u->dsn,
	    status, u->reply);
}

/* queue_result_apply - record one recipient's result in the pass */
static void
queue_result_apply(struct queue *q, struct queue_job *j, size_t k,
    struct queue_result *res)
{
	static char why[QUEUE_REPLY_STORE + 128];
	struct queue_rcpt_update u;
	int64_t now = queue_now(q);
	const char *status = "sent";
	enum sk_result r;

	memset(&u, 0, sizeof(u));
	u.attempts = j->attempts[k] + 1;
	u.last_ms = now;
	u.next_ms = now;
	u.dsn = res->dsn;
	u.reply = res->reply;
	u.relay = res->relay;
	switch (res->status) {
	case MSG_DELIVERED:
		u.status = QUEUE_RCPT_DELIVERED;
		stats_add(STATS_MTA_OK, 1);
		stats_add(STATS_QUEUE_DELIVERED, 1);
		break;
	case MSG_PERMFAIL:
		u.status = QUEUE_RCPT_FAILED;
		status = "bounced";
		stats_add(STATS_MTA_PERM, 1);
		stats_add(STATS_QUEUE_FAILED, 1);
		break;
	default:
		u.status = QUEUE_RCPT_QUEUED;
		status = "deferred";
		u.next_ms = queue_retry_at(&q->policy, j->arrival_ms, now,
		    u.attempts, queue_random(q));
		j->deferred = 1;
		stats_add(STATS_MTA_TEMP, 1);
		stats_add(u.next_ms == 0 ? STATS_QUEUE_EXPIRED :
					   STATS_QUEUE_DEFERRED,
		    1);
		if (u.next_ms == 0) {
			/* RFC 3463 4.4.7: delivery time expired */
			u.status = QUEUE_RCPT_FAILED;
			u.next_ms = now;
			u.dsn = "4.4.7";
			snprintf(why, sizeof(why),
			    "message expired after %u hours in the queue; "
			    "last reply: %.*s",
			    q->policy.lifetime_h, QUEUE_REPLY_STORE,
			    res->reply);
			u.reply = why;
			status = "bounced";
		}
		break;
	}
	r = queue_pass_begin(q) == -1 ?
	    SK_E_IO :
	    queue_db_result(&q->db, j->msg, j->rcpts[k], &u);
	if (r == SK_E_IO) {
		log_warn("%s: cannot record the result for <%s>: %s", j->msg,
		    j->addrs[k], queue_db_error(&q->db));
	}
	/* SK_END: the operator deleted the message meanwhile */
	if (r == SK_OK) {
		queue_log_result(j, k, &u, status, now);
	}
}

/* queue_mta_violation - mta broke the protocol: drop its channel */
static void
queue_mta_violation(struct queue *q, const struct msg *m, const char *why)
{
	log_warn("mta broke the protocol (%s, job %u): %s; dropping its "
		 "channel",
	    msg_type_name(m->hdr.type), m->hdr.peer, why);
	chan_close(&q->mta);
	queue_mta_gone(&q->mta, SK_E_SYNTAX, q);
}

/* queue_job_index - where rcpt is in the job, or -1 */
static long
queue_job_index(const struct queue_job *j, uint32_t rcpt)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		if (j->rcpts[i] == rcpt) {
			return (long)i;
		}
	}
	return -1;
}

static void
queue_mta_result(struct queue *q, struct queue_job *j, const struct msg *m)
{
	static struct queue_result res;
	long k;

	if (queue_proto_result(m->body, m->hdr.len, &res) != SK_OK) {
		queue_mta_violation(q, m, "malformed result");
		return;
	}
	k = queue_job_index(j, res.rcpt);
	if (k < 0 || j->got[k]) {
		queue_mta_violation(q, m, "result for a recipient not pending");
		return;
	}
	/* The reply is data from afar: keep one bounded line of it. */
	res.reply[QUEUE_REPLY_STORE] = '\0';
	j->got[k] = 1;
	j->nresults++;
	queue_result_apply(q, j, (size_t)k, &res);
}

/* queue_job_end - the job is over: DSNs, maybe the end of the message */
static void
queue_job_end(struct queue *q, struct queue_job *j)
{
	j->finished = 1;
	queue_arm(q, &q->flush_t, 0, queue_flush_timer);
	if (j->deferred) {
		queue_delay_notice(q, j->msg);
	}
	queue_finalize(q, j->msg);
}

static void
queue_mta_done(struct queue *q, struct queue_job *j, const struct msg *m)
{
	static struct queue_result res;
	uint32_t count;
	size_t k;

	if (queue_proto_u32(m->body, m->hdr.len, &count) != SK_OK) {
		queue_mta_violation(q, m, "malformed done");
		return;
	}
	for (k = 0; k < j->n; k++) {
		if (j->got[k]) {
			continue;
		}
		/* Counted as a failed attempt, so a job that always ends
		 * early cannot keep a recipient busy forever. */
		memset(&res, 0, sizeof(res));
		res.status = MSG_TEMPFAIL;
		snprintf(res.dsn, sizeof(res.dsn), "4.3.0");
		snprintf(res.reply, sizeof(res.reply),
		    "delivery agent returned no result");
		j->got[k] = 1;
		queue_result_apply(q, j, k, &res);
	}
	if (count != j->nresults) {
		log_warn("%s: job %u: mta counted %u results, %zu came", j->msg,
		    j->id, count, j->nresults);
	}
	queue_job_end(q, j);
}

void
queue_mta_msg(struct chan *c, struct msg *m, void *arg)
{
	struct queue *q = arg;
	struct queue_job *j;

	(void)c;
	if (m->fd >= 0) {
		close(m->fd);
		queue_mta_violation(q, m, "unexpected descriptor");
		return;
	}
	if (m->hdr.type == MSG_HELLO) {
		return;
	}
	j = queue_job_find(q, m->hdr.peer);
	if (j == NULL || j->finished) {
		queue_mta_violation(q, m, "no such job in flight");
		return;
	}
	switch (m->hdr.type) {
	case MSG_M_RESULT:
		queue_mta_result(q, j, m);
		break;
	case MSG_M_DONE:
		queue_mta_done(q, j, m);
		break;
	default:
		queue_mta_violation(q, m, "not a delivery message");
		break;
	}
}

/*
 * queue_mta_gone - the mta channel died: its jobs end without counting
 * an attempt; their recipients without a result are due again as they
 * were (the results that came are kept).
 */
void
queue_mta_gone(struct chan *c, enum sk_result why, void *arg)
{
	struct queue *q = arg;
	size_t i, n = 0;

	(void)c;
	for (i = 0; i < q->jobsmax; i++) {
		if (q->jobs[i].id != 0 && !q->jobs[i].finished) {
			n++;
			queue_job_end(q, &q->jobs[i]);
		}
	}
	if (n > 0) {
		log_warn("mta channel closed (%s): %zu jobs in flight will "
			 "be tried again",
		    sk_result_str(why), n);
	}
}

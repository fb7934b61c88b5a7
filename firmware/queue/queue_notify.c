/*
 * queue_notify.c - DSNs and the end of a message's life (queue_int.h).
 *
 * When a job ends, the recipients it made final (delivered or failed)
 * are "reported": a DSN goes to the sender for those whose NOTIFY asks
 * for it (RFC 3461 4.1; queue_notify_wants), then they are marked
 * reported. A message whose recipients are all final and reported is
 * removed. A delay DSN goes out once per message, after delay-notice
 * hours, for the recipients still deferred. All of it happens in the
 * pass's transaction: the DSN's file is synced and its records
 * committed together with the marks and the removal, so a crash leaves
 * either all of it or none (then the startup sweep does it again).
 *
 * Never a DSN to the null sender (RFC 5321 6.1, RFC 3461 6.2): a failed
 * DSN or any other null-sender message is logged and dropped.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sekimorid/stats.h"
#include "log.h"
#include "queue_dsn.h"
#include "queue_int.h"

#define QUEUE_WRITE_BUF 8192

/* A sink that writes to a content file through a small buffer. */
struct queue_fbuf {
	int fd;
	int err;
	size_t n;
	uint8_t buf[QUEUE_WRITE_BUF];
};

static int
queue_fbuf_drain(struct queue_fbuf *f)
{
	size_t off = 0;
	ssize_t k;

	while (off < f->n && !f->err) {
		k = write(f->fd, f->buf + off, f->n - off);
		if (k == -1 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			f->err = k == 0 ? ENOSPC : errno;
			break;
		}
		off += (size_t)k;
	}
	f->n = 0;
	return f->err ? -1 : 0;
}

static int
queue_fbuf_write(void *arg, const void *p, size_t n)
{
	struct queue_fbuf *f = arg;
	const uint8_t *b = p;
	size_t take;

	while (n > 0 && !f->err) {
		if (f->n == sizeof(f->buf) && queue_fbuf_drain(f) == -1) {
			break;
		}
		take = sizeof(f->buf) - f->n;
		take = take < n ? take : n;
		memcpy(f->buf + f->n, b, take);
		f->n += take;
		b += take;
		n -= take;
	}
	return f->err ? -1 : 0;
}

/* The original content, mapped read-only for the composer. */
struct queue_content {
	const uint8_t *p;
	size_t len;
	void *map;
};

/* queue_content_map - map id's content file; an unreadable one is empty */
static void
queue_content_map(struct queue *q, const char *id, struct queue_content *c)
{
	struct stat st;
	int fd = queue_spool_open_read(&q->spool, id);

	memset(c, 0, sizeof(*c));
	c->p = (const uint8_t *)"";
	if (fd == -1) {
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);

		if (m != MAP_FAILED) {
			c->map = m;
			c->p = m;
			c->len = (size_t)st.st_size;
		}
	}
	close(fd);
}

static void
queue_content_unmap(struct queue_content *c)
{
	if (c->map != NULL) {
		munmap(c->map, c->len);
	}
}

/* A message the queue makes itself: its composer writes the content. */
typedef enum sk_result queue_new_compose(const void *arg, queue_dsn_sink *sink,
    void *sink_arg, struct queue_dsn_info *info);

/* queue_new_write - a new content file new_id from compose; 0, or -1
 * with errno (no file left behind) */
static int
queue_new_write(struct queue *q, const char *new_id, queue_new_compose *compose,
    const void *arg, struct queue_dsn_info *info)
{
	static struct queue_fbuf f;
	enum sk_result r;

	if ((f.fd = queue_spool_create(&q->spool, new_id)) == -1) {
		return -1;
	}
	f.err = 0;
	f.n = 0;
	r = compose(arg, queue_fbuf_write, &f, info);
	if (r != SK_OK || queue_fbuf_drain(&f) == -1) {
		errno = f.err != 0 ? f.err : EIO;
		close(f.fd);
		(void)queue_spool_remove(&q->spool, new_id);
		return -1;
	}
	if (close(f.fd) == -1) {
		(void)queue_spool_remove(&q->spool, new_id);
		return -1;
	}
	return 0;
}

/*
 * queue_new_record - the records of a message the queue made: null
 * sender (it never bounces), each recipient with NOTIFY=NEVER (RFC 3461
 * 6.2: no DSN about a DSN), in this pass's transaction; its file is
 * synced with the pass (q->created). 0, or -1.
 */
static int
queue_new_record(struct queue *q, const char *new_id, const char *protocol,
    uint8_t smtputf8, const char *const *rcpts, size_t n,
    const struct queue_dsn_info *info, int64_t now)
{
	static struct queue_msg_row m;
	size_t i;

	memset(&m, 0, sizeof(m));
	memcpy(m.env.id, new_id, QUEUE_ID_SIZE);
	m.env.body = info->eight_bit ? MSG_BODY_8BITMIME : MSG_BODY_7BIT;
	m.env.smtputf8 = smtputf8;
	snprintf(m.env.protocol, sizeof(m.env.protocol), "%s", protocol);
	m.size = info->size;
	m.arrival_ms = now;
	if (queue_pass_begin(q) == -1 || queue_db_insert(&q->db, &m) != SK_OK) {
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (queue_db_insert_rcpt(&q->db, new_id, (uint32_t)i, rcpts[i],
			MSG_NOTIFY_NEVER, "", now) != SK_OK) {
			return -1;
		}
	}
	return queue_files_add(&q->created, new_id, info->size);
}

/* What queue_dsn_compose needs beside the sink. */
struct queue_dsn_args {
	const struct queue_dsn *d;
	struct queue_content c;
};

static enum sk_result
queue_dsn_compose_new(const void *arg, queue_dsn_sink *sink, void *sink_arg,
    struct queue_dsn_info *info)
{
	const struct queue_dsn_args *a = arg;

	return queue_dsn_compose(a->d, a->c.p, a->c.len, sink, sink_arg, info);
}

/* queue_dsn_write - compose the DSN into a new content file */
static int
queue_dsn_write(struct queue *q, const struct queue_dsn *d, const char *orig_id,
    struct queue_dsn_info *info)
{
	struct queue_dsn_args a;
	int r, saved;

	a.d = d;
	queue_content_map(q, orig_id, &a.c);
	r = queue_new_write(q, d->new_id, queue_dsn_compose_new, &a, info);
	saved = errno;
	queue_content_unmap(&a.c);
	errno = saved;
	return r;
}

/* queue_dsn_record - the DSN's records: one recipient, the sender */
static int
queue_dsn_record(struct queue *q, const struct queue_msg_row *orig,
    const char *new_id, const struct queue_dsn_info *info, int64_t now)
{
	const char *to = orig->env.sender;

	return queue_new_record(q, new_id, "DSN", orig->env.smtputf8, &to, 1,
	    info, now);
}

/*
 * queue_dsn_send - queue a DSN about orig for rcpts; 0, or -1 with the
 * reason logged (the caller leaves the recipients unreported so the
 * sweep tries again).
 */
static int
queue_dsn_send(struct queue *q, const struct queue_msg_row *orig,
    const struct queue_dsn_rcpt *rcpts, size_t n, const char *what)
{
	char new_id[QUEUE_ID_SIZE];
	struct queue_dsn_info info;
	struct queue_dsn d;
	int64_t now = queue_now(q);

	queue_id_next(&q->ids, (uint64_t)now * 1000, new_id);
	memset(&d, 0, sizeof(d));
	d.server = q->server;
	d.queue_id = orig->env.id;
	d.new_id = new_id;
	d.sender = orig->env.sender;
	d.envid = orig->env.envid;
	d.ret = orig->env.ret;
	d.body = orig->env.body;
	d.smtputf8 = orig->env.smtputf8;
	d.arrival_ms = orig->arrival_ms;
	d.date_ms = now;
	d.rcpts = rcpts;
	d.nrcpts = n;
	if (queue_dsn_write(q, &d, orig->env.id, &info) == -1) {
		log_warn("%s: cannot write the %s notification: %s",
		    orig->env.id, what, strerror(errno));
		return -1;
	}
	if (queue_dsn_record(q, orig, new_id, &info, now) == -1) {
		log_warn("%s: cannot record the %s notification: %s",
		    orig->env.id, what, queue_db_error(&q->db));
		(void)queue_spool_remove(&q->spool, new_id);
		return -1;
	}
	log_info("%s: sender %s notification: %s", orig->env.id, what, new_id);
	stats_add(STATS_QUEUE_DSN, 1);
	return 0;
}

/* ---- the content filter's notices --------------------------------- */

static enum sk_result
queue_notice_compose_new(const void *arg, queue_dsn_sink *sink, void *sink_arg,
    struct queue_dsn_info *info)
{
	return queue_notice_compose(arg, sink, sink_arg, info);
}

void
queue_notice_tick(struct queue *q, int64_t now)
{
	if (now - q->notice_window_ms < QUEUE_NOTICE_WINDOW_MS &&
	    now >= q->notice_window_ms) {
		return;
	}
	if (q->notice_dropped > 0) {
		log_warn("content notices: %lu not sent (more than %d a "
			 "minute)",
		    q->notice_dropped, QUEUE_NOTICE_RATE);
	}
	q->notice_window_ms = now;
	q->notice_sent = 0;
	q->notice_dropped = 0;
}

/* queue_notice_allowed - one more notice within the rate, or counted */
static int
queue_notice_allowed(struct queue *q, int64_t now)
{
	queue_notice_tick(q, now);
	if (q->notice_sent < QUEUE_NOTICE_RATE) {
		q->notice_sent++;
		return 1;
	}
	q->notice_dropped++;
	return 0;
}

/* queue_notice_qid - the queue id the notice is about (its "Queue id:"
 * line, else "-"), for the log */
static void
queue_notice_qid(const char *text, char *out, size_t size)
{
	static const char key[] = "\r\nQueue id:";
	const char *p = strstr(text, key);
	size_t n;

	snprintf(out, size, "-");
	if (p == NULL) {
		return;
	}
	p += sizeof(key) - 1;
	p += strspn(p, " ");
	n = strspn(p,
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (n > 0 && n < size) {
		snprintf(out, size, "%.*s", (int)n, p);
	}
}

void
queue_content_notice(struct queue *q, uint32_t peer, const char *text)
{
	const struct config_content *cc = &q->cfg->content;
	const char *rcpts[QUEUE_NOTICE_RCPTS_MAX];
	char new_id[QUEUE_ID_SIZE], qid[QUEUE_ID_SIZE];
	struct queue_dsn_info info;
	struct queue_notice n;
	int64_t now = queue_now(q);
	size_t i;

	queue_notice_qid(text, qid, sizeof(qid));
	if (cc->nnotify_rcpts == 0) {
		log_info("%s: content notice dropped: no notify-recipient "
			 "configured (session %u)",
		    qid, (unsigned)peer);
		return;
	}
	if (!queue_notice_allowed(q, now)) {
		return;
	}
	for (i = 0; i < cc->nnotify_rcpts && i < QUEUE_NOTICE_RCPTS_MAX; i++) {
		rcpts[i] = cc->notify_rcpts[i];
	}
	queue_id_next(&q->ids, (uint64_t)now * 1000, new_id);
	memset(&n, 0, sizeof(n));
	n.server = q->server;
	n.new_id = new_id;
	n.rcpts = rcpts;
	n.nrcpts = i;
	n.text = text;
	n.date_ms = now;
	if (queue_new_write(q, new_id, queue_notice_compose_new, &n, &info) ==
	    -1) {
		log_warn("%s: cannot write the content notice: %s", qid,
		    strerror(errno));
		return;
	}
	if (queue_new_record(q, new_id, "NOTICE", 0, rcpts, i, &info, now) ==
	    -1) {
		log_warn("%s: cannot record the content notice: %s", qid,
		    queue_db_error(&q->db));
		(void)queue_spool_remove(&q->spool, new_id);
		return;
	}
	log_info("%s: content notice sent as %s to %zu administrator(s)", qid,
	    new_id, i);
}

/* ---- recipients of one message ------------------------------------- */

struct queue_rows {
	struct queue_rcpt_row *v;
	size_t n;
};

/* queue_rows_load - every recipient row of id (at most QUEUE_RCPT_MAX) */
static int
queue_rows_load(struct queue *q, const char *id, struct queue_rows *rows)
{
	size_t cap = 0;
	enum sk_result r;

	rows->v = NULL;
	rows->n = 0;
	queue_db_rcpts_begin(&q->db, id);
	for (;;) {
		if (rows->n == cap) {
			size_t ncap = cap == 0 ? 8 : cap * 2;
			void *p = ncap > QUEUE_RCPT_MAX ?
			    NULL :
			    realloc(rows->v, ncap * sizeof(*rows->v));

			if (p == NULL) {
				r = SK_E_FULL;
				break;
			}
			rows->v = p;
			cap = ncap;
		}
		if ((r = queue_db_rcpts_next(&q->db, &rows->v[rows->n])) !=
		    SK_OK) {
			break;
		}
		rows->n++;
	}
	queue_db_rcpts_end(&q->db);
	if (r != SK_END) {
		free(rows->v);
		rows->v = NULL;
		return -1;
	}
	return 0;
}

/* queue_dsn_rcpt_of - the composer's view of a recipient row */
static void
queue_dsn_rcpt_of(const struct queue_rcpt_row *r, enum queue_dsn_action a,
    int64_t retry_until, struct queue_dsn_rcpt *out)
{
	out->address = r->address;
	out->orcpt = r->orcpt;
	out->action = a;
	out->status = r->dsn;
	out->reply = r->reply;
	out->relay = r->relay;
	out->last_attempt_ms = r->last_ms;
	out->retry_until_ms = retry_until;
}

/*
 * queue_report - decide the DSN for the final, unreported rows; 0 when
 * they may be marked reported (DSN queued, or none wanted).
 */
static int
queue_report(struct queue *q, const struct queue_msg_row *m,
    const struct queue_rows *rows)
{
	struct queue_dsn_rcpt *v = calloc(rows->n + 1, sizeof(*v));
	size_t i, n = 0, failed = 0;
	int r = 0;

	if (v == NULL) {
		return -1;
	}
	for (i = 0; i < rows->n; i++) {
		const struct queue_rcpt_row *row = &rows->v[i];

		if (row->status == QUEUE_RCPT_QUEUED || row->reported) {
			continue;
		}
		if (row->status == QUEUE_RCPT_FAILED &&
		    queue_notify_wants(row->notify, MSG_NOTIFY_FAILURE)) {
			queue_dsn_rcpt_of(row, QUEUE_DSN_FAILED, 0, &v[n++]);
			failed++;
		} else if (row->status == QUEUE_RCPT_DELIVERED &&
		    queue_notify_wants(row->notify, MSG_NOTIFY_SUCCESS)) {
			/* We hand mail to another MTA, which may not take
			 * DSN responsibility: RFC 3464 2.3.3 "relayed". */
			queue_dsn_rcpt_of(row, QUEUE_DSN_RELAYED, 0, &v[n++]);
		}
	}
	if (n > 0 && m->env.sender[0] == '\0') {
		log_info("%s: no notification to the null sender: dropped",
		    m->env.id);
	} else if (n > 0) {
		r = queue_dsn_send(q, m, v, n,
		    failed > 0 ? "non-delivery" : "delivery status");
	}
	free(v);
	return r;
}

/* queue_mark_reported - the final rows are done with */
static int
queue_mark_reported(struct queue *q, const char *id,
    const struct queue_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++) {
		if (rows->v[i].status != QUEUE_RCPT_QUEUED &&
		    !rows->v[i].reported &&
		    queue_db_reported(&q->db, id, rows->v[i].rcpt) != SK_OK) {
			return -1;
		}
	}
	return 0;
}

/* queue_all_final - no recipient is still queued */
static int
queue_all_final(const struct queue_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++) {
		if (rows->v[i].status == QUEUE_RCPT_QUEUED) {
			return 0;
		}
	}
	return 1;
}

/*
 * queue_finalize_one - report what became final in message id and
 * remove it once nothing is left to do: 0 when done, 1 when skipped (a
 * job is still out, or it cannot be read), -1 if a DSN or a record could
 * not be written.
 */
static int
queue_finalize_one(struct queue *q, const char *id)
{
	static struct queue_msg_row m;
	struct queue_rows rows;
	int r = 0;

	if (queue_job_active(q, id) || queue_db_get(&q->db, id, &m) != SK_OK ||
	    queue_rows_load(q, id, &rows) == -1) {
		return 1; /* a later job, or the sweep, will see it */
	}
	if (queue_report(q, &m, &rows) == -1 || queue_pass_begin(q) == -1 ||
	    queue_mark_reported(q, id, &rows) == -1) {
		r = -1;
	} else if (queue_all_final(&rows)) {
		if (queue_db_delete(&q->db, id) == SK_E_IO ||
		    queue_files_add(&q->removed, id, m.size) == -1) {
			log_warn("%s: cannot remove: %s", id,
			    queue_db_error(&q->db));
			r = -1;
		}
	}
	free(rows.v);
	return r;
}

void
queue_finalize(struct queue *q, const char *id)
{
	if (queue_finalize_one(q, id) == -1) {
		queue_arm(q, &q->sweep_t, QUEUE_SWEEP_RETRY_MS,
		    queue_sweep_timer);
	}
}

/*
 * queue_delay_notice - once per message, after delay-notice hours: a
 * "delayed" DSN for the recipients still deferred that want one.
 */
void
queue_delay_notice(struct queue *q, const char *id)
{
	static struct queue_msg_row m;
	struct queue_dsn_rcpt *v;
	struct queue_rows rows;
	size_t i, n = 0;
	int64_t until;

	if (queue_db_get(&q->db, id, &m) != SK_OK ||
	    !queue_delay_notice_due(&q->policy, m.arrival_ms, queue_now(q),
		m.delay_sent) ||
	    queue_rows_load(q, id, &rows) == -1) {
		return;
	}
	until = queue_expiry_ms(&q->policy, m.arrival_ms);
	v = calloc(rows.n + 1, sizeof(*v));
	for (i = 0; v != NULL && i < rows.n; i++) {
		if (rows.v[i].status == QUEUE_RCPT_QUEUED &&
		    rows.v[i].attempts > 0 &&
		    queue_notify_wants(rows.v[i].notify, MSG_NOTIFY_DELAY)) {
			queue_dsn_rcpt_of(&rows.v[i], QUEUE_DSN_DELAYED, until,
			    &v[n++]);
		}
	}
	if (v != NULL &&
	    (n == 0 || m.env.sender[0] == '\0' ||
		queue_dsn_send(q, &m, v, n, "delay") == 0)) {
		/* Once, whether or not anyone wanted it. */
		if (queue_pass_begin(q) == -1 ||
		    queue_db_delay_sent(&q->db, id) == SK_E_IO) {
			log_warn("%s: cannot record the delay notice: %s", id,
			    queue_db_error(&q->db));
		}
	}
	free(v);
	free(rows.v);
}

/*
 * queue_sweep_timer - finish what a crash or an error interrupted:
 * messages with final recipients not reported, or nothing left queued.
 */
void
queue_sweep_timer(struct event_loop *loop, struct event_timer *t)
{
	struct queue *q = t->arg;
	char ids[QUEUE_SWEEP_PAGE][QUEUE_ID_SIZE];
	size_t i, n, done;

	(void)loop;
	do {
		done = 0;
		queue_flush(q);
		if (queue_db_sweep(&q->db, ids, QUEUE_SWEEP_PAGE, &n) !=
		    SK_OK) {
			log_warn("sweep: %s", queue_db_error(&q->db));
			break;
		}
		for (i = 0; i < n; i++) {
			int r = queue_finalize_one(q, ids[i]);

			if (r == -1) {
				queue_arm(q, &q->sweep_t, QUEUE_SWEEP_RETRY_MS,
				    queue_sweep_timer);
				queue_flush(q);
				return;
			}
			done += r == 0;
		}
		queue_flush(q);
	} while (n == QUEUE_SWEEP_PAGE && done > 0);
}

/*
 * queue_ctlsrv.c - the operator socket SPOOL/control (queue_int.h).
 *
 * A unix stream socket, mode 0600 (the queue's user and root), at most
 * QUEUE_CTL_CLIENTS_MAX clients, each dropped after QUEUE_CTL_IDLE_MS
 * without a request. A client sends CTL_REQUEST (queue_ctl.h); the
 * answer is CTL_LINE messages, then one CTL_END. A long listing goes out
 * a page at a time, as fast as the client reads it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "queue_dsn.h"
#include "queue_int.h"

#define QUEUE_CTL_LINE_MAX 4096
#define QUEUE_CTL_BACKLOG 8
#define QUEUE_CTL_SHOW_HEAD (16 * 1024) /* header octets "show" reads */

static void queue_ctl_timer(struct event_loop *loop, struct event_timer *t);

/* queue_ctl_arm - the client's one timer: idle limit or next page */
void
queue_ctl_arm(struct queue_ctl_client *c, uint64_t ms)
{
	/* A send that found the client gone dropped it inside chan_send,
	 * just before this: its memory goes at the reap, so its timer must
	 * not be put back in the heap. */
	if (c->dead) {
		return;
	}
	if (event_timer_set(&c->q->loop, &c->t, ms, queue_ctl_timer, c) == -1) {
		panic("timer heap full"); /* QUEUE_TIMERS is too small */
	}
}

/* ---- output -------------------------------------------------------- */

void
queue_ctl_line(struct queue_ctl_client *c, const char *s)
{
	uint8_t buf[QUEUE_CTL_LINE_MAX + 2];
	struct msg_body_writer w;

	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_cstr(&w, s);
	(void)chan_send_body(&c->ch, MSG_CTL_LINE, 0, -1, &w);
}

void
queue_ctl_end(struct queue_ctl_client *c, uint32_t status, const char *text)
{
	uint8_t buf[4 + 2 + QUEUE_CTL_LINE_MAX];
	struct msg_body_writer w;

	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_u32(&w, status);
	msg_body_put_cstr(&w, text);
	(void)chan_send_body(&c->ch, MSG_CTL_END, 0, -1, &w);
	queue_ctl_arm(c, QUEUE_CTL_IDLE_MS);
}

/* queue_ctl_iso - "2026-11-25T10:00:00Z" */
void
queue_ctl_iso(char *out, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(out, size, "-");
		return;
	}
	if (snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec) >= (int)size) {
		snprintf(out, size, "-");
	}
}

/* ---- one message --------------------------------------------------- */

struct queue_ctl_msg {
	struct queue_msg_row m;
	struct queue_rcpt_row r;
};

/* queue_ctl_status - quarantined, held, active, deferred or queued */
static const char *
queue_ctl_status(struct queue *q, const struct queue_msg_row *m, int deferred)
{
	if (m->quarantine[0] != '\0') {
		return "quarantined";
	}
	if (m->hold) {
		return "held";
	}
	if (queue_job_active(q, m->env.id)) {
		return "active";
	}
	return deferred ? "deferred" : "queued";
}

/* queue_ctl_list_line - the one line of "list" for message id */
static int
queue_ctl_list_line(struct queue *q, const char *id, struct queue_line *l)
{
	static struct queue_ctl_msg x;
	char when[32];
	int deferred = 0, first = 1;
	struct queue_line to;
	static char tobuf[QUEUE_CTL_LINE_MAX];

	if (queue_db_get(&q->db, id, &x.m) != SK_OK) {
		return -1;
	}
	queue_line_init(&to, tobuf, sizeof(tobuf));
	queue_db_rcpts_begin(&q->db, id);
	while (queue_db_rcpts_next(&q->db, &x.r) == SK_OK) {
		if (x.r.status != QUEUE_RCPT_QUEUED) {
			continue;
		}
		deferred |= x.r.attempts > 0;
		queue_line_add(&to, first ? "<" : ",<");
		queue_line_clean(&to, x.r.address);
		queue_line_add(&to, ">");
		first = 0;
	}
	queue_db_rcpts_end(&q->db);
	queue_ctl_iso(when, sizeof(when), x.m.arrival_ms);
	queue_line_addf(l, "%s size=%llu arrival=%s status=%s from=<", id,
	    (unsigned long long)x.m.size, when,
	    queue_ctl_status(q, &x.m, deferred));
	queue_line_clean(l, x.m.env.sender);
	queue_line_add(l, "> to=");
	queue_line_add(l, queue_line_end(&to));
	return 0;
}

/* queue_ctl_list_more - send a page of the listing, or its end */
static void
queue_ctl_list_more(struct queue_ctl_client *c)
{
	char ids[QUEUE_CTL_LIST_PAGE][QUEUE_ID_SIZE], buf[QUEUE_CTL_LINE_MAX];
	char text[64];
	struct queue_line l;
	size_t i, n;

	while (msg_pending(&c->ch.w) < MSG_WRITE_BUF / 2) {
		if (queue_db_list_queued(&c->q->db, c->after, ids,
			SK_NELEM(ids), &n) != SK_OK) {
			c->listing = 0;
			queue_ctl_end(c, 1, queue_db_error(&c->q->db));
			return;
		}
		for (i = 0; i < n; i++) {
			queue_line_init(&l, buf, sizeof(buf));
			if (queue_ctl_list_line(c->q, ids[i], &l) == 0) {
				queue_ctl_line(c, queue_line_end(&l));
				c->listed++;
			}
			memcpy(c->after, ids[i], QUEUE_ID_SIZE);
		}
		if (n < SK_NELEM(ids)) {
			c->listing = 0;
			snprintf(text, sizeof(text), "%lu message%s", c->listed,
			    c->listed == 1 ? "" : "s");
			queue_ctl_end(c, 0, text);
			return;
		}
	}
	/* The client reads slower than we list: go on shortly. */
	queue_ctl_arm(c, QUEUE_CTL_RETRY_MS);
}

static const char *const queue_ctl_rcpt_status[] = {
	[QUEUE_RCPT_QUEUED] = "queued",
	[QUEUE_RCPT_DELIVERED] = "delivered",
	[QUEUE_RCPT_FAILED] = "failed",
};

/* queue_ctl_show_rcpt - one "recipient:" line of show */
void
queue_ctl_show_rcpt(struct queue_ctl_client *c, const struct queue_rcpt_row *r)
{
	char buf[QUEUE_CTL_LINE_MAX], when[32];
	struct queue_line l;

	queue_line_init(&l, buf, sizeof(buf));
	queue_line_add(&l, "recipient: <");
	queue_line_clean(&l, r->address);
	queue_ctl_iso(when, sizeof(when), r->next_ms);
	queue_line_addf(&l, "> status=%s attempts=%u",
	    queue_ctl_rcpt_status[r->status], r->attempts);
	if (r->status == QUEUE_RCPT_QUEUED) {
		queue_line_addf(&l, " next=%s", when);
	}
	if (r->dsn[0] != '\0') {
		queue_line_add(&l, " dsn=");
		queue_line_clean(&l, r->dsn);
	}
	if (r->relay[0] != '\0') {
		queue_line_add(&l, " relay=");
		queue_line_clean(&l, r->relay);
	}
	if (r->reply[0] != '\0') {
		queue_line_add(&l, " reply=");
		queue_line_clean(&l, r->reply);
	}
	queue_ctl_line(c, queue_line_end(&l));
}

/* queue_ctl_kv - "name: value" with the value cleaned */
static void
queue_ctl_kv(struct queue_ctl_client *c, const char *name, const char *value)
{
	char buf[QUEUE_CTL_LINE_MAX];
	struct queue_line l;

	queue_line_init(&l, buf, sizeof(buf));
	queue_line_add(&l, name);
	queue_line_add(&l, ": ");
	queue_line_clean(&l, value);
	queue_ctl_line(c, queue_line_end(&l));
}

/* queue_ctl_header_line - one header line, indented */
static void
queue_ctl_header_line(struct queue_ctl_client *c, const uint8_t *p, size_t n)
{
	char buf[QUEUE_CTL_LINE_MAX];
	struct queue_line l;

	if (n > 0 && p[n - 1] == '\r') {
		n--;
	}
	queue_line_init(&l, buf, sizeof(buf));
	queue_line_add(&l, "  ");
	queue_line_clean_n(&l, (const char *)p, n);
	queue_ctl_line(c, queue_line_end(&l));
}

/* queue_ctl_header_lines - the lines of p[0..len), each indented */
static void
queue_ctl_header_lines(struct queue_ctl_client *c, const uint8_t *p, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			queue_ctl_header_line(c, p + start, i - start);
			start = i + 1;
		}
	}
	if (start < len) {
		queue_ctl_header_line(c, p + start, len - start);
	}
}

/* queue_ctl_show_header - the message's header section as it would be
 * delivered (the policy's block, then the file's header), line by line;
 * a missing content file is said, not tripped on */
void
queue_ctl_show_header(struct queue_ctl_client *c, const struct queue_msg_row *m)
{
	uint8_t *head = malloc(QUEUE_CTL_SHOW_HEAD);
	int fd = queue_spool_open_read(&c->q->spool, m->env.id), gone;
	ssize_t n = -1;

	gone = fd == -1 && errno == ENOENT;
	if (head != NULL && fd != -1) {
		n = pread(fd, head, QUEUE_CTL_SHOW_HEAD, 0);
	}
	if (fd != -1) {
		close(fd);
	}
	queue_ctl_line(c,
	    gone      ? "header: (content file missing)" :
		n < 0 ? "header: (content file unreadable)" :
			"header:");
	queue_ctl_header_lines(c, (const uint8_t *)m->env.prepend,
	    strlen(m->env.prepend));
	if (n > 0) {
		queue_ctl_header_lines(c, head,
		    queue_dsn_header_len(head, (size_t)n));
	}
	free(head);
}

/* queue_ctl_show_envelope - the message's own fields */
void
queue_ctl_show_envelope(struct queue_ctl_client *c,
    const struct queue_msg_row *m, const char *status)
{
	static const char *const rets[] = { "-", "full", "hdrs" };
	static const char *const bodies[] = { "7bit", "8bitmime",
		"binarymime" };
	const struct queue_envelope *e = &m->env;
	char buf[QUEUE_CTL_LINE_MAX], when[32];
	struct queue_line l;

	queue_ctl_kv(c, "id", e->id);
	queue_ctl_kv(c, "status", status);
	queue_ctl_iso(when, sizeof(when), m->arrival_ms);
	queue_ctl_kv(c, "arrival", when);
	queue_line_init(&l, buf, sizeof(buf));
	queue_line_addf(&l, "size: %llu", (unsigned long long)m->size);
	queue_ctl_line(c, queue_line_end(&l));
	queue_line_init(&l, buf, sizeof(buf));
	queue_line_add(&l, "sender: <");
	queue_line_clean(&l, e->sender);
	queue_line_addf(&l, "> ret=%s body=%s smtputf8=%s", rets[e->ret],
	    bodies[e->body], e->smtputf8 ? "yes" : "no");
	if (e->envid[0] != '\0') {
		queue_line_add(&l, " envid=");
		queue_line_clean(&l, e->envid);
	}
	queue_ctl_line(c, queue_line_end(&l));
	queue_line_init(&l, buf, sizeof(buf));
	queue_line_add(&l, "client: ");
	queue_line_clean(&l,
	    e->client_name[0] != '\0' ? e->client_name : "unknown");
	queue_line_add(&l, "[");
	queue_line_clean(&l, e->client_addr);
	queue_line_add(&l, "] helo=");
	queue_line_clean(&l, e->helo);
	queue_line_add(&l, " protocol=");
	queue_line_clean(&l, e->protocol);
	queue_line_add(&l, " listener=");
	queue_line_clean(&l, e->listener);
	queue_ctl_line(c, queue_line_end(&l));
	if (e->auth_user[0] != '\0') {
		queue_ctl_kv(c, "auth", e->auth_user);
	}
	if (e->tls[0] != '\0') {
		queue_ctl_kv(c, "tls", e->tls);
	}
}

/* ---- commands ------------------------------------------------------ */

static void
queue_ctl_list(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	(void)req;
	c->listing = 1;
	c->paging = QUEUE_PAGING_LIST;
	c->listed = 0;
	c->after[0] = '\0';
	queue_ctl_list_more(c);
}

static void
queue_ctl_show(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	static struct queue_ctl_msg x;
	struct queue *q = c->q;
	int deferred = 0;
	enum sk_result r;

	if (queue_db_get(&q->db, req->id, &x.m) != SK_OK) {
		queue_ctl_end(c, 1, "no such message");
		return;
	}
	/* The status needs the recipients: read them twice, they are few. */
	queue_db_rcpts_begin(&q->db, req->id);
	while (queue_db_rcpts_next(&q->db, &x.r) == SK_OK) {
		deferred |= x.r.status == QUEUE_RCPT_QUEUED && x.r.attempts > 0;
	}
	queue_db_rcpts_end(&q->db);
	queue_ctl_show_envelope(c, &x.m, queue_ctl_status(q, &x.m, deferred));
	queue_db_rcpts_begin(&q->db, req->id);
	while ((r = queue_db_rcpts_next(&q->db, &x.r)) == SK_OK) {
		queue_ctl_show_rcpt(c, &x.r);
	}
	queue_db_rcpts_end(&q->db);
	queue_ctl_show_header(c, &x.m);
	queue_ctl_end(c, r == SK_END ? 0 : 1,
	    r == SK_END ? "" : queue_db_error(&q->db));
}

/* queue_ctl_write - run op in a transaction of its own, after the pass */
static enum sk_result
queue_ctl_write(struct queue *q, const struct queue_ctl_req *req,
    unsigned long *n)
{
	enum sk_result r = SK_E_IO;

	queue_flush(q);
	if (queue_db_begin(&q->db) != SK_OK) {
		return SK_E_IO;
	}
	switch (req->cmd) {
	case QUEUE_CTL_HOLD:
	case QUEUE_CTL_RELEASE:
		r = queue_db_hold(&q->db, req->id, req->cmd == QUEUE_CTL_HOLD);
		break;
	case QUEUE_CTL_DELETE:
		r = queue_db_delete(&q->db, req->id);
		break;
	case QUEUE_CTL_FLUSH:
		if (req->id[0] != '\0' &&
		    queue_db_exists(&q->db, req->id) != 1) {
			r = SK_END;
			break;
		}
		r = queue_db_flush(&q->db, req->id, queue_now(q), n);
		break;
	default:
		break;
	}
	if (r != SK_OK || queue_db_commit(&q->db) != SK_OK) {
		queue_db_rollback(&q->db);
		return r == SK_OK ? SK_E_IO : r;
	}
	return SK_OK;
}

/* queue_ctl_quarantined - 1 (and the answer sent) when id is in
 * quarantine: the queue's commands leave those to "quarantine ..." */
static int
queue_ctl_quarantined(struct queue_ctl_client *c, const char *id)
{
	static struct queue_msg_row m;
	char text[160];

	if (id[0] == '\0' || queue_db_get(&c->q->db, id, &m) != SK_OK ||
	    m.quarantine[0] == '\0') {
		return 0;
	}
	snprintf(text, sizeof(text),
	    "%s is in quarantine: use \"quarantine release %s\" or "
	    "\"quarantine delete %s\"",
	    id, id, id);
	queue_ctl_end(c, 1, text);
	return 1;
}

static void
queue_ctl_change(struct queue_ctl_client *c, const struct queue_ctl_req *req)
{
	static const char *const done[] = {
		[QUEUE_CTL_HOLD] = "placed on hold by the operator",
		[QUEUE_CTL_RELEASE] = "released from hold by the operator",
		[QUEUE_CTL_DELETE] = "deleted by the operator",
		[QUEUE_CTL_FLUSH] = "flushed by the operator",
	};
	struct queue *q = c->q;
	unsigned long n = 0;
	enum sk_result r;
	char text[128];

	if (queue_ctl_quarantined(c, req->id)) {
		return;
	}
	r = queue_ctl_write(q, req, &n);
	if (r != SK_OK) {
		queue_ctl_end(c, 1,
		    r == SK_END ? "no such message" : queue_db_error(&q->db));
		return;
	}
	if (req->id[0] != '\0') {
		log_info("%s: %s", req->id, done[req->cmd]);
	} else {
		log_info("queue %s: %lu recipients due now", done[req->cmd], n);
	}
	if (req->cmd == QUEUE_CTL_DELETE) {
		if (queue_spool_remove(&q->spool, req->id) == -1) {
			log_warn("%s: cannot remove content file: %s", req->id,
			    strerror(errno));
		}
		log_info("%s: removed", req->id);
	}
	if (req->cmd == QUEUE_CTL_FLUSH || req->cmd == QUEUE_CTL_RELEASE) {
		queue_arm(q, &q->sched_t, 0, queue_sched_timer);
	}
	if (req->cmd == QUEUE_CTL_FLUSH) {
		snprintf(text, sizeof(text), "%lu recipient%s due now", n,
		    n == 1 ? "" : "s");
	} else {
		snprintf(text, sizeof(text), "%s", done[req->cmd]);
	}
	queue_ctl_end(c, 0, text);
}

typedef void queue_ctl_fn(struct queue_ctl_client *,
    const struct queue_ctl_req *);

static queue_ctl_fn *const queue_ctl_handlers[] = {
	[QUEUE_CTL_LIST] = queue_ctl_list,
	[QUEUE_CTL_SHOW] = queue_ctl_show,
	[QUEUE_CTL_HOLD] = queue_ctl_change,
	[QUEUE_CTL_RELEASE] = queue_ctl_change,
	[QUEUE_CTL_DELETE] = queue_ctl_change,
	[QUEUE_CTL_FLUSH] = queue_ctl_change,
	[QUEUE_CTL_QLIST] = queue_quar_ctl,
	[QUEUE_CTL_QSHOW] = queue_quar_ctl,
	[QUEUE_CTL_QDOWNLOAD] = queue_quar_ctl,
	[QUEUE_CTL_QRELEASE] = queue_quar_ctl,
	[QUEUE_CTL_QDELETE] = queue_quar_ctl,
};

/* ---- clients ------------------------------------------------------- */

/* queue_ctl_drop - close a client; its memory goes at the reap */
static void
queue_ctl_drop(struct queue_ctl_client *c)
{
	chan_close(&c->ch);
	event_timer_del(&c->q->loop, &c->t);
	queue_quar_close(c);
	c->dead = 1;
	queue_arm(c->q, &c->q->reap_t, 0, queue_reap_timer);
}

static void
queue_ctl_msg(struct chan *ch, struct msg *m, void *arg)
{
	struct queue_ctl_client *c = arg;
	char text[QUEUE_CTL_REQUEST_MAX + 1], err[QUEUE_CTL_REQUEST_MAX + 64];
	struct msg_body_reader r;
	struct queue_ctl_req req;
	enum sk_result res;
	size_t n;

	(void)ch;
	if (m->fd >= 0) {
		close(m->fd);
	}
	msg_body_reader_init(&r, m->body, m->hdr.len);
	n = msg_body_get_str(&r, text, sizeof(text));
	if (m->hdr.type != MSG_CTL_REQUEST || c->listing ||
	    msg_body_end(&r) != 0) {
		queue_ctl_drop(c);
		return;
	}
	event_timer_del(&c->q->loop, &c->t);
	res = queue_ctl_parse(text, n, &req);
	if (res != SK_OK) {
		snprintf(err, sizeof(err), "%s: try %s",
		    res == SK_E_UNKNOWN ? "unknown command" :
			req.cmd == QUEUE_CTL_QLIST ?
					  "bad quarantine command or "
					  "filter" :
					  "bad or missing queue id",
		    queue_ctl_usage());
		queue_ctl_end(c, 2, err);
		return;
	}
	queue_ctl_handlers[req.cmd](c, &req);
}

static void
queue_ctl_gone(struct chan *ch, enum sk_result why, void *arg)
{
	(void)ch;
	(void)why;
	queue_ctl_drop(arg);
}

static void
queue_ctl_timer(struct event_loop *loop, struct event_timer *t)
{
	struct queue_ctl_client *c = t->arg;

	(void)loop;
	if (c->listing && c->paging == QUEUE_PAGING_LIST) {
		queue_ctl_list_more(c);
		return;
	}
	if (c->listing) {
		queue_quar_more(c);
		return;
	}
	queue_ctl_drop(c); /* idle */
}

/* queue_ctl_adopt - a new client in slot i, or -1 */
static int
queue_ctl_adopt(struct queue *q, size_t i, int fd)
{
	struct queue_ctl_client *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		return -1;
	}
	c->q = q;
	c->dl_fd = -1;
	chan_init(&c->ch);
	event_timer_init(&c->t);
	if (chan_open(&c->ch, &q->loop, fd, queue_ctl_msg, queue_ctl_gone, c) ==
	    -1) {
		free(c);
		return -1;
	}
	q->clients[i] = c;
	queue_ctl_arm(c, QUEUE_CTL_IDLE_MS);
	return 0;
}

static void
queue_ctl_accept(struct event_loop *loop, struct event_io *io, uint32_t revents)
{
	struct queue *q = io->arg;
	size_t i;
	int fd;

	(void)loop;
	(void)revents;
	while ((fd = accept4(q->ctl_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		for (i = 0; i < QUEUE_CTL_CLIENTS_MAX; i++) {
			if (q->clients[i] == NULL) {
				break;
			}
		}
		/* Bounded: one more client than allowed is turned away. */
		if (i == QUEUE_CTL_CLIENTS_MAX ||
		    queue_ctl_adopt(q, i, fd) == -1) {
			close(fd);
		}
	}
}

void
queue_reap_timer(struct event_loop *loop, struct event_timer *t)
{
	(void)loop;
	queue_ctl_reap(t->arg);
}

void
queue_ctl_reap(struct queue *q)
{
	size_t i;

	for (i = 0; i < QUEUE_CTL_CLIENTS_MAX; i++) {
		if (q->clients[i] != NULL && q->clients[i]->dead) {
			free(q->clients[i]);
			q->clients[i] = NULL;
		}
	}
}

int
queue_ctl_open(struct queue *q, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (queue_spool_file(&q->spool, QUEUE_SPOOL_CONTROL, sun.sun_path,
		sizeof(sun.sun_path)) == -1) {
		snprintf(err, errlen, "%s/%s: path too long", q->spool.path,
		    QUEUE_SPOOL_CONTROL);
		return -1;
	}
	(void)unlink(sun.sun_path); /* left by the previous run */
	q->ctl_fd =
	    socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->ctl_fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	old = umask(077);
	r = bind(q->ctl_fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1 || chmod(sun.sun_path, 0600) == -1 ||
	    listen(q->ctl_fd, QUEUE_CTL_BACKLOG) == -1 ||
	    event_io_add(&q->loop, &q->ctl_io, q->ctl_fd, EVENT_READ,
		queue_ctl_accept, q) == -1) {
		snprintf(err, errlen, "%s: %s", sun.sun_path, strerror(errno));
		close(q->ctl_fd);
		q->ctl_fd = -1;
		return -1;
	}
	return 0;
}

void
queue_ctl_close(struct queue *q)
{
	size_t i;

	if (q->ctl_fd >= 0) {
		event_io_del(&q->loop, &q->ctl_io);
		close(q->ctl_fd);
		q->ctl_fd = -1;
	}
	for (i = 0; i < QUEUE_CTL_CLIENTS_MAX; i++) {
		if (q->clients[i] != NULL && !q->clients[i]->dead) {
			queue_ctl_drop(q->clients[i]);
		}
	}
}

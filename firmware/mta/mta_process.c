/*
 * mta_process.c - the mta process: jobs from the queue, connections to
 * next hops, results back (mta_process.h).
 *
 * Untrusted input: the bytes of remote SMTP servers (through
 * mta_client.c, sans-I/O) and DNS answers (through mta_route.c). Runs as
 * the mta user in its chroot; see mta_process.h.
 *
 * Shape: one event loop. A job (M_DELIVER) waits in a FIFO until its
 * next hop has a free connection slot (connections-total overall,
 * connections-per-destination per next hop), reuses an idle connection
 * to that next hop if there is one, else resolves the next hop and
 * connects to its addresses in order until a session gets the message
 * through or every address failed. Each recipient's result goes to the
 * queue as M_RESULT as soon as it is known, then M_DONE ends the job.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../dns/dns_live.h"
#include "../dns/dns_zone.h"
#include "../sekimorid/stats.h"
#include "chan.h"
#include "event.h"
#include "log.h"
#include "mta_client.h"
#include "mta_deliver.h"
#include "mta_policy.h"
#include "mta_process.h"
#include "mta_route.h"
#include "mta_transport.h"

#define MTA_RELAY_MAX (MTA_PEER_MAX + 8) /* and ":port" */
#define MTA_OUTBOX_RETRY_MS 10

struct mta_dest;
struct mta_conn;

enum mta_job_phase {
	MTA_J_WAITING,   /* in the FIFO */
	MTA_J_RESOLVING, /* DNS */
	MTA_J_SENDING,   /* on a connection, or between two */
};

struct mta_job {
	struct mta_job *prev, *next; /* the FIFO, or the active list */
	enum mta_job_phase phase;
	uint32_t peer; /* the queue's id of the job */
	int fd;        /* the spool file, read-only */
	struct mta_deliver d;
	uint8_t *rcpt_done;
	uint32_t nresults;
	struct mta_hop hop;
	struct mta_tls_policy policy;
	struct mta_dest *dest;
	struct mta_resolve *res; /* NULL until resolved */
	size_t addr_i;           /* the address being tried */
	int plain_retry;         /* this address again, without STARTTLS */
	struct mta_outcome last; /* why the last session failed */
	int have_last;
	struct mta_conn *conn;
};

enum mta_conn_phase {
	MTA_C_CONNECTING,
	MTA_C_TLS,  /* a TLS handshake (implicit TLS or STARTTLS) */
	MTA_C_SMTP, /* the client runs */
	MTA_C_IDLE, /* parked for the next job to the same next hop */
};

struct mta_conn {
	struct mta_conn *prev, *next; /* the destination's idle list */
	enum mta_conn_phase phase;
	struct mta_dest *dest;
	struct mta_job *job; /* NULL: idle or finishing (RSET) */
	struct mta_transport t;
	struct event_io io;
	struct event_timer timer;
	struct mta_addr addr;
	char peer[MTA_PEER_MAX];        /* "host[ip]" */
	char relay[MTA_RELAY_MAX];      /* "host[ip]:port" */
	char qid[MSG_QUEUE_ID_MAX + 1]; /* of the last job, for logs */
	int implicit_tls;
	int started; /* the client was initialised */
	struct mta_tls_params tlsp;
	uint64_t content_off;
	struct mta_client client;
};

struct mta_dest {
	struct mta_dest *next;
	char key[MTA_HOP_KEY_MAX];
	unsigned jobs;    /* jobs holding a slot */
	unsigned jobless; /* connections without a job */
	struct mta_conn *idle;
};

struct mta_outmsg {
	struct mta_outmsg *next;
	uint32_t type, peer;
	size_t len;
	uint8_t body[];
};

static struct mta_proc {
	const struct config *cfg;
	struct event_loop loop;
	struct event_timer **heap;
	struct chan parent, queue;
	struct dns_resolver dns;
	struct dns_zone *zone;
	struct dns_live *live;
	struct mta_job *waitq, *waitq_tail;
	struct mta_job *active;
	struct mta_dest *dests;
	unsigned jobs, jobless; /* slots in use, all destinations */
	unsigned max_total, max_per_dest;
	int shutting_down;
	int scheduling, schedule_again;
	char helo[CONFIG_DOMAIN_SIZE];
	uint64_t rng;
	struct mta_outmsg *outbox, *outbox_tail;
	size_t outbox_bytes;
	struct event_timer outbox_timer;
} S;

static void mta_schedule(void);
static void mta_conn_step(struct mta_conn *conn);
static void mta_job_next_address(struct mta_job *j);
static void mta_job_skip_address(struct mta_job *j);

/* ---- small helpers ------------------------------------------------ */

/* mta_rand - xorshift64*, seeded from getrandom: MX tie-breaks only */
static uint32_t
mta_rand(void *arg)
{
	(void)arg;
	S.rng ^= S.rng >> 12;
	S.rng ^= S.rng << 25;
	S.rng ^= S.rng >> 27;
	return (uint32_t)((S.rng * 2685821657736338717ull) >> 32);
}

static void
mta_rand_seed(void)
{
	if (getrandom(&S.rng, sizeof(S.rng), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(S.rng)) {
		S.rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	}
	S.rng |= 1;
}

static void *
mta_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fatal("mta: out of memory");
	}
	return p;
}

/* ---- messages to the queue: an outbox behind the channel ---------- */

static void mta_outbox_timer(struct event_loop *loop, struct event_timer *t);

/* mta_outbox_flush - send what the channel takes, in order */
static void
mta_outbox_flush(void)
{
	struct mta_outmsg *m;
	enum sk_result r;

	while ((m = S.outbox) != NULL) {
		r = chan_send(&S.queue, m->type, m->peer, -1, m->body, m->len);
		if (r == SK_E_FULL) {
			event_timer_set(&S.loop, &S.outbox_timer,
			    MTA_OUTBOX_RETRY_MS, mta_outbox_timer, NULL);
			return;
		}
		/* sent, or the channel is gone: either way it leaves */
		S.outbox = m->next;
		if (S.outbox == NULL) {
			S.outbox_tail = NULL;
		}
		S.outbox_bytes -= m->len;
		free(m);
	}
	if (S.shutting_down) {
		mta_schedule(); /* the last result may have been waiting */
	}
}

static void
mta_outbox_timer(struct event_loop *loop, struct event_timer *t)
{
	(void)loop;
	(void)t;
	mta_outbox_flush();
}

/* mta_queue_send - one message to the queue, kept in order when the
 * channel's bounded writer is full */
static void
mta_queue_send(uint32_t type, uint32_t peer, const struct msg_body_writer *w)
{
	struct mta_outmsg *m;

	if (w->err) {
		panic("mta: a %u message does not fit", (unsigned)type);
	}
	if (S.outbox == NULL &&
	    chan_send(&S.queue, type, peer, -1, w->p, w->len) != SK_E_FULL) {
		return;
	}
	if (S.outbox_bytes + w->len > MTA_OUTBOX_MAX) {
		fatal("mta: the queue does not read its results");
	}
	m = mta_calloc(1, sizeof(*m) + w->len);
	m->type = type;
	m->peer = peer;
	m->len = w->len;
	memcpy(m->body, w->p, w->len);
	if (S.outbox_tail != NULL) {
		S.outbox_tail->next = m;
	} else {
		S.outbox = m;
	}
	S.outbox_tail = m;
	S.outbox_bytes += w->len;
	event_timer_set(&S.loop, &S.outbox_timer, MTA_OUTBOX_RETRY_MS,
	    mta_outbox_timer, NULL);
}

static void
mta_outbox_clear(void)
{
	struct mta_outmsg *m;

	while ((m = S.outbox) != NULL) {
		S.outbox = m->next;
		free(m);
	}
	S.outbox_tail = NULL;
	S.outbox_bytes = 0;
	event_timer_del(&S.loop, &S.outbox_timer);
}

/* ---- destinations and slots --------------------------------------- */

static struct mta_dest *
mta_dest_get(const char *key)
{
	struct mta_dest *d;

	for (d = S.dests; d != NULL; d = d->next) {
		if (strcmp(d->key, key) == 0) {
			return d;
		}
	}
	d = mta_calloc(1, sizeof(*d));
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->next = S.dests;
	S.dests = d;
	return d;
}

/* mta_dest_gc - forget a destination nothing refers to */
static void
mta_dest_gc(struct mta_dest *d)
{
	struct mta_dest **pp;
	struct mta_job *j;

	if (d->jobs > 0 || d->jobless > 0 || d->idle != NULL) {
		return;
	}
	for (j = S.waitq; j != NULL; j = j->next) {
		if (j->dest == d) {
			return;
		}
	}
	for (pp = &S.dests; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			free(d);
			return;
		}
	}
}

/* ---- jobs: results and the end ------------------------------------ */

/* mta_job_result - M_RESULT for recipient i */
static void
mta_job_result(struct mta_job *j, size_t i, const struct mta_outcome *o,
    const char *relay, const char *tls)
{
	uint8_t body[64 + MTA_DSN_MAX + MTA_TEXT_MAX + MTA_RELAY_MAX +
	    MTA_TLS_INFO_MAX];
	struct msg_body_writer w;

	if (j->rcpt_done[i]) {
		return;
	}
	j->rcpt_done[i] = 1;
	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_u32(&w, j->d.rcpt_id[i]);
	msg_body_put_u8(&w, (uint8_t)o->status);
	msg_body_put_cstr(&w, o->dsn);
	msg_body_put_cstr(&w, o->text);
	msg_body_put_cstr(&w, relay);
	msg_body_put_cstr(&w, tls);
	mta_queue_send(MSG_M_RESULT, j->peer, &w);
	j->nresults++;
}

/* mta_job_unlink - out of the FIFO or the active list */
static void
mta_job_unlink(struct mta_job *j)
{
	struct mta_job **head =
	    j->phase == MTA_J_WAITING ? &S.waitq : &S.active;

	if (j->prev != NULL) {
		j->prev->next = j->next;
	} else {
		*head = j->next;
	}
	if (j->next != NULL) {
		j->next->prev = j->prev;
	} else if (j->phase == MTA_J_WAITING) {
		S.waitq_tail = j->prev;
	}
	j->prev = j->next = NULL;
}

/* mta_job_activate - a waiting job takes a slot of its destination and
 * moves to the active list in phase */
static void
mta_job_activate(struct mta_job *j, enum mta_job_phase phase)
{
	mta_job_unlink(j); /* while its phase still says "waiting" */
	j->phase = phase;
	j->next = S.active;
	if (S.active != NULL) {
		S.active->prev = j;
	}
	S.active = j;
	j->dest->jobs++;
	S.jobs++;
}

/* mta_job_free - the job's memory and descriptor; nothing is sent */
static void
mta_job_free(struct mta_job *j)
{
	struct mta_dest *d = j->dest;

	mta_job_unlink(j);
	if (j->phase != MTA_J_WAITING && d != NULL) {
		d->jobs--;
		S.jobs--;
	}
	if (j->res != NULL) {
		mta_resolve_cancel(j->res);
		free(j->res);
	}
	if (j->fd >= 0) {
		close(j->fd);
	}
	mta_deliver_free(&j->d);
	free(j->rcpt_done);
	free(j);
	if (d != NULL) {
		mta_dest_gc(d);
	}
}

/* mta_job_finish - results for whoever has none, M_DONE, free */
static void
mta_job_finish(struct mta_job *j, const struct mta_outcome *rest)
{
	uint8_t body[8];
	struct msg_body_writer w;
	size_t i;

	for (i = 0; rest != NULL && i < j->d.msg.nrcpt; i++) {
		mta_job_result(j, i, rest, "none", "");
	}
	/* The content file closed before M_DONE: the queue may remove it
	 * next, and the last close of a removed file is the one that waits
	 * for the disk to free it, which must be the queue's remover, not
	 * this loop (queue/queue_remover.h). */
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_u32(&w, j->nresults);
	mta_queue_send(MSG_M_DONE, j->peer, &w);
	if (j->conn != NULL) {
		j->conn->job = NULL;
		j->conn = NULL;
	}
	mta_job_free(j);
	mta_schedule();
}

/* mta_outcome_vset - o = status st, dsn, and the text fmt makes */
static void mta_outcome_vset(struct mta_outcome *o, enum msg_delivery_status st,
    const char *dsn, const char *fmt, va_list ap) SK_PRINTF(4, 0);

static void
mta_outcome_vset(struct mta_outcome *o, enum msg_delivery_status st,
    const char *dsn, const char *fmt, va_list ap)
{
	o->status = st;
	snprintf(o->dsn, sizeof(o->dsn), "%s", dsn);
	vsnprintf(o->text, sizeof(o->text), fmt, ap);
}

/* mta_job_fail - every open recipient gets this outcome */
static void mta_job_fail(struct mta_job *j, enum msg_delivery_status st,
    const char *dsn, const char *fmt, ...) SK_PRINTF(4, 5);

static void
mta_job_fail(struct mta_job *j, enum msg_delivery_status st, const char *dsn,
    const char *fmt, ...)
{
	struct mta_outcome o;
	va_list ap;

	va_start(ap, fmt);
	mta_outcome_vset(&o, st, dsn, fmt, ap);
	va_end(ap);
	mta_job_finish(j, &o);
}

/* ---- connections -------------------------------------------------- */

/* mta_conn_events - watch what the connection waits for */
static void
mta_conn_events(struct mta_conn *conn, uint32_t ev)
{
	if (conn->io.events != ev) {
		event_io_mod(&S.loop, &conn->io, ev);
	}
}

static void
mta_conn_timer_set(struct mta_conn *conn, uint64_t ms)
{
	if (ms == 0) {
		event_timer_del(&S.loop, &conn->timer);
		return;
	}
	if (event_timer_set(&S.loop, &conn->timer, ms, conn->timer.cb, conn) ==
	    -1) {
		fatal("mta: timer heap full");
	}
}

/* mta_conn_unpark - out of the destination's idle list */
static void
mta_conn_unpark(struct mta_conn *conn)
{
	if (conn->phase != MTA_C_IDLE) {
		return;
	}
	if (conn->prev != NULL) {
		conn->prev->next = conn->next;
	} else {
		conn->dest->idle = conn->next;
	}
	if (conn->next != NULL) {
		conn->next->prev = conn->prev;
	}
	conn->prev = conn->next = NULL;
	conn->phase = MTA_C_SMTP;
}

/* mta_conn_free - close and forget; the job (if any) is the caller's */
static void
mta_conn_free(struct mta_conn *conn)
{
	struct mta_dest *d = conn->dest;
	const uint8_t *out;
	size_t n, put;

	mta_conn_unpark(conn);
	if (conn->started && conn->phase == MTA_C_SMTP) {
		/* one last try for a QUIT the client queued */
		out = mta_client_output(&conn->client, &n);
		if (n > 0 && conn->t.ops != NULL) {
			(void)conn->t.ops->write(&conn->t, out, n, &put);
		}
	}
	event_io_del(&S.loop, &conn->io);
	event_timer_del(&S.loop, &conn->timer);
	mta_transport_close(&conn->t);
	if (conn->job == NULL) {
		d->jobless--;
		S.jobless--;
	} else {
		conn->job->conn = NULL;
	}
	free(conn);
	mta_dest_gc(d);
	if (S.shutting_down) {
		mta_schedule(); /* the last connection may have gone */
	}
}

/* mta_conn_close_quit - end a session politely */
static void
mta_conn_close_quit(struct mta_conn *conn)
{
	if (conn->started) {
		mta_client_quit(&conn->client);
	}
	mta_conn_free(conn);
}

/* mta_log_conn - the one log line of a connection problem */
static void
mta_log_conn(const struct mta_job *j, const char *text)
{
	log_info("%s: %s", j->d.qid, text);
}

/* mta_conn_release - the job leaves the connection, which keeps its slot
 * as a jobless one until it is freed or takes another job; returns the
 * job */
static struct mta_job *
mta_conn_release(struct mta_conn *conn)
{
	struct mta_job *j = conn->job;

	conn->job = NULL;
	j->conn = NULL;
	conn->dest->jobless++;
	S.jobless++;
	return j;
}

/* mta_conn_drop_job - the job leaves the connection, which then closes;
 * the job stays the caller's (it tries another address, or ends) */
static void
mta_conn_drop_job(struct mta_conn *conn)
{
	(void)mta_conn_release(conn);
	mta_conn_free(conn);
}

/* mta_conn_take_job - a jobless connection, ready for a transaction,
 * takes j (already active) and starts its transaction */
static void
mta_conn_take_job(struct mta_conn *conn, struct mta_job *j)
{
	conn->dest->jobless--;
	S.jobless--;
	j->phase = MTA_J_SENDING;
	conn->job = j;
	j->conn = conn;
	conn->content_off = 0;
	mta_client_start(&conn->client, &j->d.msg);
	mta_conn_step(conn);
}

/* mta_job_address_failed - why the current address failed, in j->last,
 * and its log line (a temporary failure: the next address may work) */
static void mta_job_address_failed(struct mta_job *j, const char *dsn,
    const char *fmt, ...) SK_PRINTF(3, 4);

static void
mta_job_address_failed(struct mta_job *j, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mta_outcome_vset(&j->last, MSG_TEMPFAIL, dsn, fmt, ap);
	va_end(ap);
	j->have_last = 1;
	mta_log_conn(j, j->last.text);
}

/* mta_conn_session_failed - the job leaves this connection: next try */
static void
mta_conn_session_failed(struct mta_conn *conn)
{
	struct mta_job *j = conn->job;
	const struct mta_outcome *f = mta_client_failure(&conn->client);
	int tls_failed = conn->client.tls_failed;

	j->last = *f;
	j->have_last = 1;
	mta_log_conn(j, f->text);
	mta_conn_drop_job(conn);
	if (tls_failed && j->policy.mode == MTA_TLS_MAY && !j->plain_retry) {
		j->plain_retry = 1; /* RFC 7435: the same host in plaintext */
		mta_job_next_address(j);
		return;
	}
	mta_job_skip_address(j);
}

/* mta_conn_on_result - a recipient's outcome from the client */
static void
mta_conn_on_result(void *arg, size_t i, const struct mta_outcome *o)
{
	struct mta_conn *conn = arg;

	if (conn->job != NULL) {
		mta_job_result(conn->job, i, o, conn->relay, conn->t.tls_info);
	}
}

/* mta_conn_job_done - the job's last result came: the job ends now,
 * the connection (finishing with RSET) may serve another */
static void
mta_conn_job_done(struct mta_conn *conn)
{
	memcpy(conn->qid, conn->job->d.qid, sizeof(conn->qid));
	mta_job_finish(mta_conn_release(conn), NULL);
}

/* mta_conn_idle - the session is ready for another job */
static void
mta_conn_idle(struct mta_conn *conn)
{
	struct mta_dest *d = conn->dest;
	struct mta_job *j;

	if (S.shutting_down) {
		mta_conn_close_quit(conn);
		return;
	}
	for (j = S.waitq; j != NULL; j = j->next) {
		if (j->dest == d) {
			break;
		}
	}
	if (j != NULL) {
		/* reuse at once: the job takes the connection's slot */
		mta_job_activate(j, MTA_J_SENDING);
		mta_conn_take_job(conn, j);
		return;
	}
	conn->phase = MTA_C_IDLE;
	conn->prev = NULL;
	conn->next = d->idle;
	if (d->idle != NULL) {
		d->idle->prev = conn;
	}
	d->idle = conn;
	mta_conn_events(conn, EVENT_READ);
	mta_conn_timer_set(conn, MTA_IDLE_KEEP_MS);
}

/* mta_conn_content_read - content at conn->content_off into buf: the job's
 * header block (the policy step's fields), then the spool file */
static ssize_t
mta_conn_content_read(struct mta_conn *conn, uint8_t *buf, size_t cap)
{
	const struct mta_deliver *d = &conn->job->d;
	uint64_t off = conn->content_off;
	size_t n;
	ssize_t got;

	if (off < d->prepend_len) {
		n = d->prepend_len - (size_t)off;
		n = n < cap ? n : cap;
		memcpy(buf, d->prepend + off, n);
		return (ssize_t)n;
	}
	do {
		got = pread(conn->job->fd, buf, cap,
		    (off_t)(off - d->prepend_len));
	} while (got < 0 && errno == EINTR);
	return got;
}

/* mta_conn_content - feed the content while the client wants it */
static int
mta_conn_content(struct mta_conn *conn)
{
	uint8_t buf[MTA_CONTENT_CHUNK];
	int moved = 0;
	ssize_t n;
	size_t took;

	while (mta_client_want(&conn->client) == MTA_WANT_CONTENT) {
		n = mta_conn_content_read(conn, buf, sizeof(buf));
		if (n < 0) {
			mta_client_abort(&conn->client, strerror(errno));
			return 1;
		}
		if (n == 0) {
			mta_client_content_end(&conn->client);
			return 1;
		}
		took = mta_client_content(&conn->client, buf, (size_t)n);
		conn->content_off += took;
		moved = 1;
		if (took < (size_t)n) {
			break; /* the output is full: write first */
		}
	}
	return moved;
}

/* mta_conn_write - write queued output; 1 if anything moved */
static int
mta_conn_write(struct mta_conn *conn, int *blocked)
{
	const uint8_t *out;
	size_t n, put = 0;
	enum mta_io r;

	out = mta_client_output(&conn->client, &n);
	if (n == 0) {
		return 0;
	}
	r = conn->t.ops->write(&conn->t, out, n, &put);
	if (put > 0) {
		mta_client_sent(&conn->client, put);
	}
	if (r == MTA_IO_WANT_WRITE || r == MTA_IO_WANT_READ) {
		*blocked = 1;
	} else if (r == MTA_IO_ERROR || r == MTA_IO_EOF) {
		mta_client_io_error(&conn->client,
		    conn->t.why[0] ? conn->t.why : "write failed");
	}
	return put > 0;
}

static void mta_conn_tls_begin(struct mta_conn *conn);

/* mta_conn_step - run the client: write, content, TLS, job outcomes */
static void
mta_conn_step(struct mta_conn *conn)
{
	struct mta_client *c = &conn->client;
	int progress = 0, blocked = 0;
	enum mta_job_state js;
	size_t pending;

	for (;;) {
		progress |= mta_conn_write(conn, &blocked);
		if (!blocked && mta_conn_content(conn)) {
			progress = 1;
			continue;
		}
		break;
	}
	js = mta_client_job(c);
	if (conn->job != NULL && js == MTA_JOB_SESSION_FAILED) {
		mta_conn_session_failed(conn);
		return;
	}
	if (conn->job != NULL && js == MTA_JOB_DONE) {
		mta_conn_job_done(conn);
	}
	switch (mta_client_want(c)) {
	case MTA_WANT_CLOSE:
		if (c->failed && conn->job == NULL) {
			log_info("%s: %s", conn->qid[0] ? conn->qid : "-",
			    c->fail.text);
		}
		mta_conn_free(conn);
		return;
	case MTA_WANT_TLS:
		mta_conn_tls_begin(conn);
		return;
	case MTA_WANT_JOB:
		if (conn->job == NULL) {
			mta_conn_idle(conn);
			return;
		}
		break;
	default:
		break;
	}
	(void)mta_client_output(c, &pending);
	mta_conn_events(conn, EVENT_READ | (pending > 0 ? EVENT_WRITE : 0));
	if (progress || conn->timer.slot == EVENT_TIMER_IDLE) {
		mta_conn_timer_set(conn, mta_client_timeout_ms(c));
	}
}

/* mta_conn_read - what the server sent */
static void
mta_conn_read(struct mta_conn *conn)
{
	uint8_t buf[MTA_READ_CHUNK];
	size_t got = 0;
	enum mta_io r;

	r = conn->t.ops->read(&conn->t, buf, sizeof(buf), &got);
	if (r == MTA_IO_OK) {
		mta_client_input(&conn->client, buf, got);
		mta_conn_timer_set(conn, mta_client_timeout_ms(&conn->client));
	} else if (r == MTA_IO_EOF) {
		mta_client_eof(&conn->client);
	} else if (r == MTA_IO_ERROR) {
		mta_client_io_error(&conn->client, conn->t.why);
	}
}

/* mta_conn_start_smtp - the client takes over the connection */
static void
mta_conn_start_smtp(struct mta_conn *conn)
{
	struct mta_job *j = conn->job;
	const struct config_next_hop *nh = j->hop.conf;
	struct mta_client_conf cc;

	memset(&cc, 0, sizeof(cc));
	cc.helo = S.helo;
	cc.host = conn->peer;
	cc.tls = j->policy.mode;
	cc.tls_available = mta_transport_tls_available();
	cc.tls_active = conn->implicit_tls;
	cc.no_starttls = j->plain_retry;
	if (nh != NULL && nh->auth) {
		cc.auth_user = nh->username;
		cc.auth_pass = nh->password;
	}
	cc.result = mta_conn_on_result;
	cc.arg = conn;
	conn->phase = MTA_C_SMTP;
	mta_client_init(&conn->client, &cc);
	conn->started = 1;
	mta_client_start(&conn->client, &j->d.msg);
	mta_conn_events(conn, EVENT_READ);
	mta_conn_timer_set(conn, mta_client_timeout_ms(&conn->client));
}

/* mta_conn_tls_failed - a handshake (or its start) failed */
static void
mta_conn_tls_failed(struct mta_conn *conn, const char *why)
{
	struct mta_job *j = conn->job;

	if (conn->started) {
		mta_client_tls_done(&conn->client, 0, why);
		mta_conn_step(conn);
		return;
	}
	/* implicit TLS: no SMTP session yet; this address failed */
	mta_job_address_failed(j, "4.7.5",
	    "TLS handshake with host %s failed: %s", conn->peer, why);
	mta_conn_drop_job(conn);
	mta_job_skip_address(j);
}

/* mta_conn_tls_step - advance the handshake */
static void
mta_conn_tls_step(struct mta_conn *conn)
{
	enum mta_io r = conn->t.ops->start_tls(&conn->t);

	if (r == MTA_IO_WANT_READ || r == MTA_IO_WANT_WRITE) {
		mta_conn_events(conn,
		    r == MTA_IO_WANT_READ ? EVENT_READ : EVENT_WRITE);
		return;
	}
	if (r != MTA_IO_OK) {
		mta_conn_tls_failed(conn,
		    conn->t.why[0] ? conn->t.why : "handshake failed");
		return;
	}
	stats_add(STATS_MTA_TLS, 1);
	if (!conn->started) {
		mta_conn_start_smtp(conn);
		return;
	}
	conn->phase = MTA_C_SMTP;
	mta_client_tls_done(&conn->client, 1, NULL);
	mta_conn_step(conn);
}

/* mta_conn_tls_begin - wrap the transport in TLS and start handshaking */
static void
mta_conn_tls_begin(struct mta_conn *conn)
{
	conn->tlsp.policy = &conn->job->policy;
	conn->tlsp.server_name = conn->addr.host;
	if (mta_transport_wrap_tls(&conn->t, &conn->tlsp) != 0) {
		mta_conn_tls_failed(conn,
		    conn->t.why[0] ? conn->t.why : "TLS is not available");
		return;
	}
	conn->phase = MTA_C_TLS;
	mta_conn_timer_set(conn, MTA_TIMEOUT_TLS);
	mta_conn_tls_step(conn);
}

/* mta_conn_connected - TCP is up: TLS first, or SMTP */
static void
mta_conn_connected(struct mta_conn *conn)
{
	stats_add(STATS_MTA_CONNECTIONS, 1);
	if (conn->implicit_tls) {
		mta_conn_tls_begin(conn);
		return;
	}
	mta_conn_start_smtp(conn);
}

/* mta_conn_connect_failed - log it, then the next address */
static void
mta_conn_connect_failed(struct mta_conn *conn, int err)
{
	struct mta_job *j = conn->job;

	mta_job_address_failed(j, "4.4.1", "connect to %s: %s", conn->relay,
	    strerror(err));
	mta_conn_drop_job(conn);
	mta_job_skip_address(j);
}

static void
mta_conn_io(struct event_loop *loop, struct event_io *io, uint32_t revents)
{
	struct mta_conn *conn = io->arg;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	switch (conn->phase) {
	case MTA_C_CONNECTING:
		if (getsockopt(conn->t.fd, SOL_SOCKET, SO_ERROR, &err, &len) ==
		    -1) {
			err = errno;
		}
		if (err != 0) {
			mta_conn_connect_failed(conn, err);
		} else {
			mta_conn_connected(conn);
		}
		return;
	case MTA_C_TLS:
		mta_conn_tls_step(conn);
		return;
	case MTA_C_IDLE:
	case MTA_C_SMTP:
		if (revents & (EVENT_READ | EPOLLHUP | EPOLLERR)) {
			mta_conn_unpark(conn);
			mta_conn_read(conn);
		}
		mta_conn_step(conn);
		return;
	}
}

static void
mta_conn_timeout(struct event_loop *loop, struct event_timer *t)
{
	struct mta_conn *conn = t->arg;

	(void)loop;
	switch (conn->phase) {
	case MTA_C_CONNECTING:
		mta_conn_connect_failed(conn, ETIMEDOUT);
		return;
	case MTA_C_TLS:
		mta_conn_tls_failed(conn, "timed out");
		return;
	case MTA_C_IDLE:
		mta_conn_close_quit(conn);
		return;
	case MTA_C_SMTP:
		mta_client_timeout(&conn->client);
		mta_conn_step(conn);
		return;
	}
}

/* mta_sockaddr - the socket address of a */
static socklen_t
mta_sockaddr(const struct mta_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->ip, 4);
	return sizeof(*s4);
}

/* mta_connect - start a connection for j to address a; 0, or -1 with
 * the failure recorded in j->last (and logged) */
static int
mta_connect(struct mta_job *j, const struct mta_addr *a)
{
	struct sockaddr_storage ss;
	struct mta_conn *conn;
	char ip[DNS_IP6_TEXT_MAX];
	socklen_t sl = mta_sockaddr(a, &ss);
	int fd, rc;

	conn = mta_calloc(1, sizeof(*conn));
	conn->addr = *a;
	conn->dest = j->dest;
	conn->job = j;
	conn->implicit_tls = j->hop.implicit_tls;
	mta_addr_text(a, ip);
	snprintf(conn->peer, sizeof(conn->peer), "%s[%s]", a->host, ip);
	snprintf(conn->relay, sizeof(conn->relay), "%s:%u", conn->peer,
	    a->port);
	event_timer_init(&conn->timer);
	conn->timer.cb = mta_conn_timeout;
	fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&ss, sl);
	if (rc == -1 && errno != EINPROGRESS) {
		mta_job_address_failed(j, "4.4.1", "connect to %s: %s",
		    conn->relay, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		free(conn);
		return -1;
	}
	/* Every write is a whole command group or a buffer of content, so
	 * Nagle only holds back a message's last segment until the peer's
	 * delayed ACK (up to 40 ms a message on a reused connection) */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
	    sizeof(int));
	mta_transport_plain(&conn->t, fd);
	if (event_io_add(&S.loop, &conn->io, fd, EVENT_WRITE, mta_conn_io,
		conn) == -1) {
		fatal("mta: epoll: %s", strerror(errno));
	}
	conn->phase = MTA_C_CONNECTING;
	j->conn = conn;
	mta_conn_timer_set(conn, MTA_CONNECT_TIMEOUT_MS);
	return 0;
}

/* mta_job_next_address - connect to the next address, or give up */
static void
mta_job_next_address(struct mta_job *j)
{
	if (j->res == NULL) {
		return; /* cannot happen: resolved before connecting */
	}
	while (j->addr_i < j->res->naddr) {
		if (mta_connect(j, &j->res->addr[j->addr_i]) == 0) {
			return;
		}
		j->addr_i++;
	}
	if (j->have_last) {
		mta_job_finish(j, &j->last);
		return;
	}
	mta_job_fail(j, MSG_TEMPFAIL, "4.4.1", "no address to connect to");
}

/* mta_job_skip_address - the current address failed: the next one, with
 * STARTTLS again (on an implicit-TLS hop plain_retry is always 0: only a
 * failed STARTTLS sets it) */
static void
mta_job_skip_address(struct mta_job *j)
{
	j->plain_retry = 0;
	j->addr_i++;
	mta_job_next_address(j);
}

/* ---- jobs: resolution and scheduling ------------------------------ */

static void
mta_job_resolved(void *arg, struct mta_resolve *r)
{
	struct mta_job *j = arg;

	if (r->failed) {
		struct mta_outcome o;

		o.status = r->fail.status;
		memcpy(o.dsn, r->fail.dsn, sizeof(o.dsn));
		memcpy(o.text, r->fail.text, sizeof(o.text));
		mta_job_finish(j, &o);
		return;
	}
	j->phase = MTA_J_SENDING;
	j->addr_i = 0;
	mta_job_next_address(j);
}

/* mta_job_start - the job has a slot: reuse, or resolve and connect */
static void
mta_job_start(struct mta_job *j)
{
	struct mta_conn *conn = j->dest->idle;

	mta_job_activate(j, MTA_J_RESOLVING);
	if (conn != NULL) {
		mta_conn_unpark(conn);
		event_timer_del(&S.loop, &conn->timer);
		mta_conn_take_job(conn, j);
		return;
	}
	j->res = mta_calloc(1, sizeof(*j->res));
	if (mta_resolve_start(j->res, &S.dns, &j->hop, MTA_PREFER_IPV6,
		mta_rand, NULL, mta_job_resolved, j)) {
		mta_job_resolved(j, j->res);
	}
}

/* mta_close_idle - close one parked connection of another destination
 * to make room; 0 if there is none */
static int
mta_close_idle(const struct mta_dest *except)
{
	struct mta_dest *d;

	for (d = S.dests; d != NULL; d = d->next) {
		if (d != except && d->idle != NULL) {
			mta_conn_close_quit(d->idle);
			return 1;
		}
	}
	return 0;
}

/* mta_schedule_one - start the first waiting job that may start */
static int
mta_schedule_one(void)
{
	struct mta_job *j;
	struct mta_dest *d;

	for (j = S.waitq; j != NULL; j = j->next) {
		d = j->dest;
		if (d->idle != NULL) {
			mta_job_start(j);
			return 1;
		}
		if (d->jobs + d->jobless >= S.max_per_dest) {
			continue;
		}
		if (S.jobs + S.jobless >= S.max_total && !mta_close_idle(d)) {
			return 0;
		}
		if (S.jobs + S.jobless < S.max_total) {
			mta_job_start(j);
			return 1;
		}
	}
	return 0;
}

/* mta_schedule - start waiting jobs while slots allow (FIFO order;
 * a job whose destination is full lets later ones pass) */
static void
mta_schedule(void)
{
	if (S.scheduling) {
		S.schedule_again = 1;
		return;
	}
	S.scheduling = 1;
	do {
		S.schedule_again = 0;
		while (!S.shutting_down && mta_schedule_one()) {
		}
	} while (S.schedule_again);
	S.scheduling = 0;
	if (S.shutting_down && S.active == NULL && S.jobless == 0 &&
	    S.outbox == NULL) {
		event_break(&S.loop);
	}
}

/* mta_abort_all - the queue is gone: drop every job (it retries them) */
static void
mta_abort_all(void)
{
	struct mta_job *j;

	mta_outbox_clear();
	while ((j = S.waitq) != NULL) {
		mta_job_free(j);
	}
	while ((j = S.active) != NULL) {
		if (j->conn != NULL) {
			mta_conn_drop_job(j->conn);
		}
		mta_job_free(j);
	}
}

/* ---- M_DELIVER ---------------------------------------------------- */

/* mta_on_deliver - a new job from the queue */
static void
mta_on_deliver(const struct msg *m)
{
	struct mta_job *j = mta_calloc(1, sizeof(*j));
	struct stat st;

	j->peer = m->hdr.peer;
	j->fd = m->fd;
	j->phase = MTA_J_WAITING;
	if (m->fd < 0 || mta_deliver_decode(&j->d, m->body, m->hdr.len) != 0) {
		fatal("mta: malformed M_DELIVER from the queue");
	}
	j->rcpt_done = mta_calloc(j->d.msg.nrcpt + 1, 1);
	/* the queue's file: its size for SIZE= (RFC 1870) */
	if (fstat(j->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fatal("mta: M_DELIVER without a regular file");
	}
	j->d.msg.size = (uint64_t)st.st_size + j->d.prepend_len;
	/* FIFO first, so that every path below can finish the job */
	j->prev = S.waitq_tail;
	if (S.waitq_tail != NULL) {
		S.waitq_tail->next = j;
	} else {
		S.waitq = j;
	}
	S.waitq_tail = j;
	if (j->d.msg.nrcpt == 0) {
		mta_job_finish(j, NULL);
		return;
	}
	if (S.shutting_down) {
		mta_job_fail(j, MSG_TEMPFAIL, "4.3.2",
		    "mail delivery is shutting down");
		return;
	}
	if (mta_route_select(&S.cfg->delivery, j->d.domain, &j->hop) != SK_OK) {
		mta_job_fail(j, MSG_PERMFAIL, "5.1.2",
		    "bad destination domain syntax");
		return;
	}
	mta_policy_for_hop(S.cfg, j->hop.conf, &j->policy);
	j->dest = mta_dest_get(j->hop.key);
	mta_schedule();
}

/* ---- the channels ------------------------------------------------- */

/* mta_msg_name - m's type for a log line ("message" if unknown) */
static const char *
mta_msg_name(const struct msg *m)
{
	const char *name = msg_type_name(m->hdr.type);

	return name != NULL ? name : "message";
}

static void
mta_queue_msg(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	if (m->hdr.type != MSG_M_DELIVER) {
		fatal("mta: unexpected %s from the queue", mta_msg_name(m));
	}
	mta_on_deliver(m);
}

static void
mta_queue_closed(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)arg;
	log_warn("mta: queue channel closed (%s); dropping every job",
	    sk_result_str(why));
	mta_abort_all();
	mta_schedule();
}

/* mta_shutdown - finish what is in flight, then leave the loop */
static void
mta_shutdown(void)
{
	struct mta_job *j;

	S.shutting_down = 1;
	while ((j = S.waitq) != NULL) {
		mta_job_fail(j, MSG_TEMPFAIL, "4.3.2",
		    "mail delivery is shutting down");
	}
	while (mta_close_idle(NULL)) {
	}
	mta_schedule();
}

static void
mta_parent_msg(struct chan *c, struct msg *m, void *arg)
{
	struct msg_body_reader r;
	uint32_t a, b;

	(void)c;
	(void)arg;
	msg_body_reader_init(&r, m->body, m->hdr.len);
	switch (m->hdr.type) {
	case MSG_HELLO:
		a = msg_body_get_u32(&r);
		b = msg_body_get_u32(&r);
		if (a != MSG_PROTO_VERSION || b != MSG_ROLE_PARENT) {
			fatal("mta: parent speaks protocol %u (role %u)", a, b);
		}
		return;
	case MSG_SHUTDOWN:
		mta_shutdown();
		return;
	case MSG_PEER:
		a = msg_body_get_u32(&r);
		if (m->fd < 0) {
			fatal("mta: PEER without a socket");
		}
		if (a != MSG_ROLE_QUEUE) {
			close(m->fd);
			return;
		}
		if (S.queue.open) {
			chan_close(&S.queue);
			mta_abort_all();
		}
		if (chan_open(&S.queue, &S.loop, m->fd, mta_queue_msg,
			mta_queue_closed, NULL) == -1) {
			fatal("mta: cannot watch the new queue socket");
		}
		mta_schedule();
		return;
	default:
		fatal("mta: unexpected %s from the parent", mta_msg_name(m));
	}
}

static void
mta_parent_closed(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)arg;
	log_set_sink(NULL, NULL);
	fatal("mta: parent channel closed (%s)", sk_result_str(why));
}

/* mta_log_sink - every log line goes to the parent as MSG_LOG */
static void
mta_log_sink(enum log_level level, const char *line, void *arg)
{
	uint8_t body[1 + MSG_LOG_TEXT_MAX];
	size_t n = strlen(line);

	(void)arg;
	if (n > MSG_LOG_TEXT_MAX) {
		n = MSG_LOG_TEXT_MAX;
	}
	if (n == 0) {
		return;
	}
	body[0] = (uint8_t)(level > LOG_LEVEL_FATAL ? LOG_LEVEL_FATAL : level);
	memcpy(body + 1, line, n);
	(void)chan_send(&S.parent, MSG_LOG, 0, -1, body, n + 1);
	if (level >= LOG_LEVEL_FATAL) {
		chan_drain(&S.parent, 1000);
	}
}

/* ---- setup -------------------------------------------------------- */

/* mta_dns_live - the live resolver: the config's system dns servers,
 * else /etc/resolv.conf */
static void
mta_dns_live(void)
{
	static char text[CONFIG_DNS_SERVERS_MAX][CONFIG_ADDR_TEXT_SIZE];
	struct dns_live_conf conf;
	char err[256];
	size_t i;

	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < S.cfg->ndns_servers && i < DNS_LIVE_SERVERS_MAX; i++) {
		const struct config_ip *ip = &S.cfg->dns_servers[i];

		if (inet_ntop(ip->family, ip->addr, text[i], sizeof(text[i])) !=
		    NULL) {
			conf.servers[conf.nservers++] = text[i];
		}
	}
	S.live = dns_live_new(&S.loop, &conf, err, sizeof(err));
	if (S.live == NULL) {
		fatal("mta: DNS resolver: %s", err);
	}
	dns_live_resolver(S.live, &S.dns);
}

/* mta_dns_zone - a resolver over the zone file at path */
static void
mta_dns_zone(const char *path)
{
	struct dns_zone_rr *rr;
	uint8_t *data, *buf;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)MTA_ZONE_FILE_MAX) {
		fatal("mta: zone file %s: %s", path,
		    fd == -1 ? strerror(errno) : "not a small regular file");
	}
	buf = mta_calloc(1, (size_t)st.st_size + 1);
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		fatal("mta: zone file %s: short read", path);
	}
	S.zone = mta_calloc(1, sizeof(*S.zone));
	rr = mta_calloc(MTA_ZONE_RR_MAX, sizeof(*rr));
	data = mta_calloc(1, MTA_ZONE_DATA_MAX);
	dns_zone_init(S.zone, rr, MTA_ZONE_RR_MAX, data, MTA_ZONE_DATA_MAX);
	if (dns_zone_parse(S.zone, buf, (size_t)n) != SK_OK) {
		fatal("mta: zone file %s line %zu: %s", path, S.zone->line,
		    S.zone->err);
	}
	free(buf);
	dns_zone_resolver(S.zone, &S.dns);
}

/* mta_helo_name - server-name, else the kernel's host name */
static void
mta_helo_name(void)
{
	if (S.cfg->server_name[0] != '\0') {
		snprintf(S.helo, sizeof(S.helo), "%s", S.cfg->server_name);
		return;
	}
	if (gethostname(S.helo, sizeof(S.helo) - 1) == -1 ||
	    S.helo[0] == '\0') {
		snprintf(S.helo, sizeof(S.helo), "localhost");
	}
}

void
mta_process(const struct config *cfg, int parent_sock, int queue_sock,
    const char *zone_file)
{
	uint8_t hello[MSG_HELLO_LEN];
	size_t cap;

	memset(&S, 0, sizeof(S));
	S.cfg = cfg;
	S.max_total = cfg->delivery.connections_total > 0 ?
	    cfg->delivery.connections_total :
	    1;
	S.max_per_dest = cfg->delivery.connections_per_destination > 0 ?
	    cfg->delivery.connections_per_destination :
	    1;
	signal(SIGPIPE, SIG_IGN);
	mta_rand_seed();
	mta_helo_name();
	cap = 2 * (size_t)S.max_total + 64;
	S.heap = mta_calloc(cap, sizeof(*S.heap));
	if (event_init(&S.loop, S.heap, cap) == -1) {
		fatal("mta: event loop: %s", strerror(errno));
	}
	event_timer_init(&S.outbox_timer);
	chan_init(&S.parent);
	chan_init(&S.queue);
	/* the queue's socket is -1 when it was not running when we started:
	 * it then comes in a MSG_PEER */
	if (chan_open(&S.parent, &S.loop, parent_sock, mta_parent_msg,
		mta_parent_closed, NULL) == -1 ||
	    (queue_sock != -1 &&
		chan_open(&S.queue, &S.loop, queue_sock, mta_queue_msg,
		    mta_queue_closed, NULL) == -1)) {
		fatal("mta: cannot watch the sockets: %s", strerror(errno));
	}
	log_set_sink(mta_log_sink, NULL);
	msg_put_u32(hello, MSG_PROTO_VERSION);
	msg_put_u32(hello + 4, MSG_ROLE_MTA);
	chan_send(&S.parent, MSG_HELLO, 0, -1, hello, sizeof(hello));
	if (zone_file != NULL) {
		mta_dns_zone(zone_file);
	} else {
		mta_dns_live();
	}
	if (event_run(&S.loop) == -1) {
		fatal("mta: event loop: %s", strerror(errno));
	}
	chan_drain(&S.queue, 1000);
	chan_drain(&S.parent, 1000);
	log_set_sink(NULL, NULL);
	chan_close(&S.queue);
	chan_close(&S.parent);
	dns_live_free(S.live);
	event_close(&S.loop);
	free(S.heap);
}

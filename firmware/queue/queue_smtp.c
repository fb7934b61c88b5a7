/*
 * queue_smtp.c - smtp transactions and group commit (queue_int.h).
 *
 * One transaction per smtp session (hdr.peer): Q_OPEN gets a new content
 * file, created here and passed to smtp in Q_OPENED with its id and a
 * spare id (the id of the original if the message is stripped); smtp
 * writes the message, sends Q_ENVELOPE, Q_RCPT..., then Q_COMMIT with
 * the octet count. Commits wait in the batch until the end of the
 * event-loop pass, when queue_flush makes every one of them durable with
 * one SQLite COMMIT, and the syncer's next syncfs makes them durable;
 * then each is answered: Q_COMMITTED (smtp may now say 250) or Q_FAIL.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sekimorid/stats.h"
#include "log.h"
#include "queue_int.h"

/* ---- transactions -------------------------------------------------- */

static struct queue_tx *
queue_tx_find(struct queue *q, uint32_t peer)
{
	size_t i;

	/* An orphan is no session's any more: smtp may reuse its peer id
	 * after a restart. */
	for (i = 0; i < q->ntx; i++) {
		if (q->tx[i]->peer == peer && !q->tx[i]->orphan) {
			return q->tx[i];
		}
	}
	return NULL;
}

/* queue_tx_free - forget a transaction; remove its file unless kept */
static void
queue_tx_free(struct queue *q, struct queue_tx *t, int keep_file)
{
	size_t i;

	for (i = 0; i < q->ntx; i++) {
		if (q->tx[i] == t) {
			q->tx[i] = q->tx[--q->ntx];
			break;
		}
	}
	for (i = 0; i < q->nbatch; i++) {
		if (q->batch[i] == t) {
			memmove(&q->batch[i], &q->batch[i + 1],
			    (q->nbatch - i - 1) * sizeof(q->batch[0]));
			q->nbatch--;
			break;
		}
	}
	if (!keep_file && queue_spool_remove(&q->spool, t->id) == -1) {
		log_warn("%s: cannot remove content file: %s", t->id,
		    strerror(errno));
	}
	if (!keep_file && t->strip_id[0] != '\0' &&
	    queue_spool_remove(&q->spool, t->strip_id) == -1) {
		log_warn("%s: cannot remove content file: %s", t->strip_id,
		    strerror(errno));
	}
	for (i = 0; i < t->nrcpts; i++) {
		free(t->rcpts[i].address);
		free(t->rcpts[i].orcpt);
	}
	free(t->rcpts);
	free(t);
}

/* queue_smtp_send - a message to smtp; a peer that stopped reading is
 * dropped like one that broke the protocol */
static void
queue_smtp_send(struct queue *q, uint32_t type, uint32_t peer, int fd,
    const struct msg_body_writer *w)
{
	enum sk_result r = chan_send_body(&q->smtp, type, peer, fd, w);

	if (r == SK_E_FULL || r == SK_E_TOO_LONG) {
		if (fd >= 0) {
			close(fd);
		}
		log_warn("smtp does not read its messages: dropping its "
			 "channel");
		chan_close(&q->smtp);
		queue_smtp_gone(&q->smtp, r, q);
	} else if (r != SK_OK && fd >= 0) {
		close(fd);
	}
}

static void
queue_smtp_fail(struct queue *q, uint32_t peer, enum msg_queue_fail why,
    const char *text)
{
	uint8_t buf[6 + 512];
	struct msg_body_writer w;

	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_u32(&w, why);
	msg_body_put_cstr(&w, text);
	queue_smtp_send(q, MSG_Q_FAIL, peer, -1, &w);
}

/* queue_smtp_violation - smtp broke the protocol: drop its channel */
static void
queue_smtp_violation(struct queue *q, const struct msg *m, const char *why)
{
	log_warn("smtp broke the protocol (%s, session %u): %s; dropping "
		 "its channel",
	    msg_type_name(m->hdr.type), m->hdr.peer, why);
	chan_close(&q->smtp);
	queue_smtp_gone(&q->smtp, SK_E_SYNTAX, q);
}

/* queue_space - whether a new message may start; logs a full disk */
static int
queue_space(struct queue *q)
{
	int ok = queue_spool_space_ok(&q->spool,
	    q->cfg->queue.minimum_free_space, q->cfg->limits.message_size);
	int64_t now;

	if (ok == 1) {
		return 1;
	}
	now = queue_now(q);
	if (now - q->space_logged_ms >= QUEUE_SPACE_LOG_MS) {
		q->space_logged_ms = now;
		if (ok == 0) {
			log_warn("%s: less than %u%% or %u octets free: new "
				 "mail is deferred",
			    q->spool.path, q->cfg->queue.minimum_free_space,
			    q->cfg->limits.message_size);
		} else {
			log_warn("%s: statvfs: %s", q->spool.path,
			    strerror(errno));
		}
	}
	return 0;
}

static void
queue_smtp_open(struct queue *q, const struct msg *m)
{
	uint8_t buf[2 * (2 + QUEUE_ID_LEN)];
	struct msg_body_writer w;
	struct queue_tx *t;
	int fd;

	if (queue_tx_find(q, m->hdr.peer) != NULL) {
		queue_smtp_violation(q, m, "a transaction is already open");
		return;
	}
	if (q->stopping || q->ntx == q->txmax) {
		queue_smtp_fail(q, m->hdr.peer, MSG_QUEUE_TEMP,
		    q->stopping ? "queue shutting down" :
				  "too many open transactions");
		return;
	}
	if (!queue_space(q)) {
		queue_smtp_fail(q, m->hdr.peer, MSG_QUEUE_NOSPACE,
		    "insufficient system storage");
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		queue_smtp_fail(q, m->hdr.peer, MSG_QUEUE_TEMP,
		    "out of memory");
		return;
	}
	queue_id_next(&q->ids, (uint64_t)queue_now(q) * 1000, t->id);
	if ((fd = queue_spool_create(&q->spool, t->id)) == -1) {
		log_warn("%s: cannot create content file: %s", t->id,
		    strerror(errno));
		free(t);
		queue_smtp_fail(q, m->hdr.peer, MSG_QUEUE_TEMP,
		    "cannot create queue file");
		return;
	}
	/* Reserved now, right after the message's own (ids are cheap and
	 * strictly increasing): a strip's original needs an id that smtp
	 * knows before the commit, so that the policy can seal the
	 * stripped text with it in place (msg_types.h Q_OPENED) */
	queue_id_next(&q->ids, (uint64_t)queue_now(q) * 1000, t->spare_id);
	t->peer = m->hdr.peer;
	q->tx[q->ntx++] = t;
	msg_body_writer_init(&w, buf, sizeof(buf));
	msg_body_put_cstr(&w, t->id);
	msg_body_put_cstr(&w, t->spare_id);
	queue_smtp_send(q, MSG_Q_OPENED, t->peer, fd, &w);
}

/* queue_smtp_envelope - Q_ENVELOPE for an open transaction */
static void
queue_smtp_envelope(struct queue *q, struct queue_tx *t, const struct msg *m)
{
	if (t->have_env) {
		queue_smtp_violation(q, m, "a second envelope");
		return;
	}
	if (queue_proto_envelope(m->body, m->hdr.len, &t->env) != SK_OK ||
	    strcmp(t->env.id, t->id) != 0) {
		queue_smtp_violation(q, m, "malformed envelope");
		return;
	}
	t->have_env = 1;
}

/* queue_smtp_rcpt - Q_RCPT: one more recipient */
static void
queue_smtp_rcpt(struct queue *q, struct queue_tx *t, const struct msg *m)
{
	static struct queue_rcpt rc;
	struct queue_tx_rcpt *r;

	if (queue_proto_rcpt(m->body, m->hdr.len, &rc) != SK_OK) {
		queue_smtp_violation(q, m, "malformed recipient");
		return;
	}
	if (t->nrcpts == q->rcptmax) {
		t->fail = "too many recipients";
		return;
	}
	if (t->nrcpts == t->cap) {
		size_t cap = t->cap == 0 ? 8 : t->cap * 2;
		void *p = realloc(t->rcpts, cap * sizeof(*t->rcpts));

		if (p == NULL) {
			t->fail = "out of memory";
			return;
		}
		t->rcpts = p;
		t->cap = cap;
	}
	r = &t->rcpts[t->nrcpts];
	r->address = strdup(rc.address);
	r->orcpt = strdup(rc.orcpt);
	r->notify = rc.notify;
	if (r->address == NULL || r->orcpt == NULL) {
		free(r->address);
		free(r->orcpt);
		t->fail = "out of memory";
		return;
	}
	t->nrcpts++;
}

/* after a strip's reason, naming the delivered message's id */
#define QUEUE_STRIP_SUFFIX "; delivered without them as "

/* queue_rewrite_max - octets a rewritten message may have, with the
 * envelope trailer that may follow it (cut off in queue_env_changes) */
static uint64_t
queue_rewrite_max(const struct queue *q)
{
	return (q->cfg->limits.message_size > 0 ?
		       (uint64_t)q->cfg->limits.message_size + QUEUE_ADDED_MAX :
		       QUEUE_REWRITE_MAX) +
	    MSG_ENV_TRAILER_MAX;
}

/* queue_replace - Q_COMMIT rewrite 1: the content process's message
 * replaces the file's content (before the record: the pass's sync
 * covers it) */
static const char *
queue_replace(struct queue *q, struct queue_tx *t, int fd)
{
	unsigned replaced;

	if (queue_spool_fill(&q->spool, t->id, 0, fd, queue_rewrite_max(q),
		NULL, &t->octets, &replaced) == -1) {
		log_warn("%s: cannot replace the content: %s", t->id,
		    strerror(errno));
		return "cannot store the rewritten message";
	}
	return NULL;
}

/*
 * queue_strip - Q_COMMIT rewrite 2: the file as smtp wrote it becomes a
 * second message (the spare id of Q_OPENED, quarantined with the
 * reason), and this id gets the content process's message, in which
 * each MSG_QID_TOKEN becomes the second id (the notices name it). The
 * spare id, not a new one: smtp's ARC seal was made over the text with
 * that id in place (P_SEAL), so it must be the same octets.
 */
static const char *
queue_strip(struct queue *q, struct queue_tx *t, int fd)
{
	_Static_assert(sizeof(MSG_QID_TOKEN) == QUEUE_ID_SIZE,
	    "the token is as long as a queue id");
	memcpy(t->strip_id, t->spare_id, sizeof(t->strip_id));
	if (queue_spool_rename(&q->spool, t->id, t->strip_id) == -1) {
		log_warn("%s: cannot keep the original as %s: %s", t->id,
		    t->strip_id, strerror(errno));
		t->strip_id[0] = '\0';
		return "cannot keep the original message";
	}
	t->strip_octets = t->octets;
	/* the reason is bounded: a long one is cut so that the delivered
	 * id always shows */
	snprintf(t->strip_reason, sizeof(t->strip_reason),
	    "%.*s" QUEUE_STRIP_SUFFIX "%s",
	    (int)(sizeof(t->strip_reason) - 1 - strlen(QUEUE_STRIP_SUFFIX) -
		QUEUE_ID_LEN),
	    t->quarantine, t->id);
	t->quarantine[0] = '\0';
	if (queue_spool_fill(&q->spool, t->id, 1, fd, queue_rewrite_max(q),
		t->strip_id, &t->octets, &t->strip_parts) == -1) {
		log_warn("%s: cannot store the stripped message: %s", t->id,
		    strerror(errno));
		return "cannot store the rewritten message";
	}
	return NULL;
}

/* ---- the content step's envelope changes (msg_types.h trailer) ---- */

#define QUEUE_ENV_BAD "bad envelope trailer"

/* queue_env_has - the index of recipient addr, or -1 */
static long
queue_env_has(const struct queue_tx *t, const char *addr)
{
	size_t i;

	for (i = 0; i < t->nrcpts; i++) {
		if (strcmp(t->rcpts[i].address, addr) == 0) {
			return (long)i;
		}
	}
	return -1;
}

/* queue_env_del - every recipient addr goes */
static void
queue_env_del(struct queue_tx *t, const char *addr)
{
	long i;

	while ((i = queue_env_has(t, addr)) >= 0) {
		free(t->rcpts[i].address);
		free(t->rcpts[i].orcpt);
		memmove(&t->rcpts[i], &t->rcpts[i + 1],
		    (t->nrcpts - (size_t)i - 1) * sizeof(t->rcpts[0]));
		t->nrcpts--;
	}
}

/* queue_env_add - one more recipient, unless it is there; why not */
static const char *
queue_env_add(struct queue *q, struct queue_tx *t, const char *addr,
    uint32_t notify, const char *orcpt)
{
	struct queue_tx_rcpt *r;
	size_t cap;
	void *p;

	if (queue_env_has(t, addr) >= 0) {
		return NULL;
	}
	if (t->nrcpts >= q->rcptmax) {
		return "too many recipients after the content step";
	}
	if (t->nrcpts == t->cap) {
		cap = t->cap == 0 ? 8 : t->cap * 2;
		if ((p = realloc(t->rcpts, cap * sizeof(*t->rcpts))) == NULL) {
			return "out of memory";
		}
		t->rcpts = p;
		t->cap = cap;
	}
	r = &t->rcpts[t->nrcpts];
	r->address = strdup(addr);
	r->orcpt = strdup(orcpt);
	r->notify = notify;
	if (r->address == NULL || r->orcpt == NULL) {
		free(r->address);
		free(r->orcpt);
		return "out of memory";
	}
	t->nrcpts++;
	return NULL;
}

/* queue_env_apply - the trailer's block (queue_env.c reads it strictly),
 * applied in order to t's sender and recipients; why not, or NULL */
static const char *
queue_env_apply(struct queue *q, struct queue_tx *t, const uint8_t *block,
    size_t len)
{
	static struct queue_env e;
	static struct queue_env_op op;
	enum sk_result r;
	const char *why;

	if (queue_env_begin(&e, block, len) != SK_OK) {
		return QUEUE_ENV_BAD;
	}
	while ((r = queue_env_next(&e, &op)) == SK_OK) {
		if (op.op == MSG_ENV_DELRCPT) {
			queue_env_del(t, op.addr);
		} else if ((why = queue_env_add(q, t, op.addr, op.notify,
				op.orcpt)) != NULL) {
			return why;
		}
	}
	if (r != SK_END) {
		return QUEUE_ENV_BAD;
	}
	if (e.chgfrom) {
		memcpy(t->env.sender, e.sender, strlen(e.sender) + 1);
	}
	if (t->nrcpts == 0) {
		/* the content step discards such a message itself */
		return "no recipient left after the content step";
	}
	log_info("%s: envelope changed by the content step: from=<%s> "
		 "nrcpt=%zu (%u recipient change%s)",
	    t->id, t->env.sender, t->nrcpts, e.n, e.n == 1 ? "" : "s");
	return NULL;
}

/* queue_env_pread - n octets at off, all of them, or -1 */
static int
queue_env_pread(int fd, uint8_t *p, size_t n, uint64_t off)
{
	ssize_t got;

	while (n > 0) {
		got = pread(fd, p, n, (off_t)off);
		if (got < 0 && errno == EINTR) {
			continue;
		}
		if (got <= 0) {
			return -1;
		}
		p += got;
		n -= (size_t)got;
		off += (uint64_t)got;
	}
	return 0;
}

/*
 * queue_env_changes - after a rewrite was stored (fd: the content
 * process's message): when it ends in an envelope trailer, apply it and
 * cut it off the stored copy; the stored message is then within the
 * rewrite bound. Why not, or NULL.
 */
static const char *
queue_env_changes(struct queue *q, struct queue_tx *t, int fd)
{
	uint8_t tail[QUEUE_ENV_TAIL_LEN], *block;
	uint64_t size, msg_len;
	const char *why = NULL;
	enum sk_result r = SK_END;
	struct stat st;
	uint32_t blen;
	int sfd;

	if (fstat(fd, &st) == -1) {
		return "cannot read the rewritten message";
	}
	size = (uint64_t)st.st_size;
	msg_len = size;
	if (size >= sizeof(tail) &&
	    queue_env_pread(fd, tail, sizeof(tail), size - sizeof(tail)) == 0) {
		r = queue_env_tail(tail, size, &msg_len, &blen);
	}
	if (r == SK_E_RANGE) {
		return QUEUE_ENV_BAD;
	}
	if (r == SK_OK) {
		/* msg_len: the block starts where the message ends */
		if ((block = malloc(blen > 0 ? blen : 1)) == NULL) {
			return "out of memory";
		}
		why = queue_env_pread(fd, block, blen, msg_len) != 0 ?
		    "cannot read the rewritten message" :
		    queue_env_apply(q, t, block, blen);
		free(block);
		if (why != NULL) {
			return why;
		}
	}
	if (msg_len > queue_rewrite_max(q) - MSG_ENV_TRAILER_MAX) {
		return "message too large";
	}
	if (msg_len == t->octets) {
		return NULL; /* no trailer: the copy is the message */
	}
	sfd = openat(q->spool.msgfd, t->id, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (sfd == -1 || ftruncate(sfd, (off_t)msg_len) == -1) {
		log_warn("%s: cannot cut the envelope trailer: %s", t->id,
		    strerror(errno));
		if (sfd != -1) {
			close(sfd);
		}
		return "cannot store the rewritten message";
	}
	close(sfd);
	t->octets = msg_len;
	return NULL;
}

/* queue_smtp_commit - Q_COMMIT: check, then wait for the end of the pass;
 * fd: the rewritten message (rewrite 1 or 2), or -1 */
static void
queue_smtp_commit(struct queue *q, struct queue_tx *t, const struct msg *m,
    int fd)
{
	uint64_t size = 0;
	uint8_t rewrite;

	if (queue_proto_commit(m->body, m->hdr.len, &t->octets, t->env.prepend,
		t->quarantine, &rewrite) != SK_OK ||
	    (fd != -1) != (rewrite != MSG_REWRITE_NONE)) {
		if (fd != -1) {
			close(fd);
		}
		queue_smtp_violation(q, m, "malformed commit");
		return;
	}
	if (!t->have_env || t->nrcpts == 0) {
		t->fail = "no envelope or no recipient";
	} else if (q->cfg->limits.message_size > 0 &&
	    t->octets >
		(uint64_t)q->cfg->limits.message_size + QUEUE_ADDED_MAX) {
		/* smtp enforces SIZE; this bounds a smtp gone wrong */
		t->fail = "message too large";
	} else if (queue_spool_size(&q->spool, t->id, &size) == -1) {
		t->fail = "content file is gone";
	} else if (size != t->octets) {
		/* smtp's writes did not all land (a full disk...). */
		log_warn("%s: content file has %llu octets, smtp wrote %llu",
		    t->id, (unsigned long long)size,
		    (unsigned long long)t->octets);
		t->fail = "write error";
	} else if (rewrite == MSG_REWRITE_REPLACE) {
		t->fail = queue_replace(q, t, fd);
	} else if (rewrite == MSG_REWRITE_STRIP) {
		t->fail = queue_strip(q, t, fd);
	}
	if (t->fail == NULL && fd != -1) {
		t->fail = queue_env_changes(q, t, fd);
	}
	if (fd != -1) {
		close(fd);
	}
	if (t->fail != NULL || q->stopping) {
		const char *why =
		    t->fail != NULL ? t->fail : "queue shutting down";
		uint32_t peer = t->peer;

		log_warn("%s: not queued: %s", t->id,
		    t->fail != NULL ? t->fail : "shutting down");
		/* Free first: a Q_FAIL that finds smtp gone ends the channel
		 * inside the send, and queue_smtp_gone then frees every open
		 * transaction, this one included. */
		queue_tx_free(q, t, 0);
		queue_smtp_fail(q, peer, MSG_QUEUE_TEMP, why);
		return;
	}
	t->committing = 1;
	q->batch[q->nbatch++] = t;
	queue_arm(q, &q->flush_t, 0, queue_flush_timer);
}

/* queue_smtp_notice - Q_NOTICE: needs no transaction (the message it is
 * about may be refused and gone already) */
static void
queue_smtp_notice(struct queue *q, struct msg *m)
{
	static char text[QUEUE_NOTICE_SIZE];

	if (queue_proto_notice(m->body, m->hdr.len, text) != SK_OK) {
		queue_smtp_violation(q, m, "bad notice");
		return;
	}
	queue_content_notice(q, m->hdr.peer, text);
}

void
queue_smtp_msg(struct chan *c, struct msg *m, void *arg)
{
	struct queue *q = arg;
	struct queue_tx *t;

	(void)c;
	if (m->fd >= 0 && m->hdr.type != MSG_Q_COMMIT) {
		close(m->fd); /* only a rewritten Q_COMMIT carries one */
		queue_smtp_violation(q, m, "unexpected descriptor");
		return;
	}
	if (m->hdr.type == MSG_Q_OPEN) {
		queue_smtp_open(q, m);
		return;
	}
	if (m->hdr.type == MSG_HELLO) {
		return; /* a peer may greet; nothing to check beyond msg.h */
	}
	if (m->hdr.type == MSG_Q_NOTICE) {
		queue_smtp_notice(q, m);
		return;
	}
	t = queue_tx_find(q, m->hdr.peer);
	if (t == NULL || (t->committing && m->hdr.type != MSG_Q_ABORT)) {
		if (m->fd >= 0) {
			close(m->fd);
		}
		queue_smtp_violation(q, m,
		    t == NULL ? "no open transaction" : "already committing");
		return;
	}
	switch (m->hdr.type) {
	case MSG_Q_ENVELOPE:
		queue_smtp_envelope(q, t, m);
		break;
	case MSG_Q_RCPT:
		queue_smtp_rcpt(q, t, m);
		break;
	case MSG_Q_COMMIT:
		queue_smtp_commit(q, t, m, m->fd);
		m->fd = -1;
		break;
	case MSG_Q_ABORT:
		if (t->committed) {
			/* on record already: it is delivered, and the client,
			 * who saw no 250, may send it again (RFC 5321 6.1) */
			t->orphan = 1;
		} else {
			queue_tx_free(q, t, 0);
		}
		break;
	default:
		queue_smtp_violation(q, m, "not a queue message");
		break;
	}
}

/* queue_smtp_abort_all - open transactions end; those on record wait
 * for their sync with no one to answer */
void
queue_smtp_abort_all(struct queue *q)
{
	size_t i = q->ntx;

	while (i-- > 0) {
		if (q->tx[i]->committed) {
			q->tx[i]->orphan = 1;
		} else {
			queue_tx_free(q, q->tx[i], 0); /* the last moves to i */
		}
	}
}

/*
 * queue_smtp_gone - the smtp channel died: its open transactions are
 * aborted, commits of this pass included (no 250 can reach a client
 * now, so the client will send the message again).
 */
void
queue_smtp_gone(struct chan *c, enum sk_result why, void *arg)
{
	struct queue *q = arg;

	(void)c;
	if (q->ntx > 0) {
		log_warn("smtp channel closed (%s): %zu open transactions "
			 "aborted",
		    sk_result_str(why), q->ntx);
	}
	queue_smtp_abort_all(q);
}

/* ---- the pass ------------------------------------------------------ */

int
queue_files_add(struct queue_files *f, const char *id, uint64_t size)
{
	if (f->n == f->cap) {
		size_t cap = f->cap == 0 ? 16 : f->cap * 2;
		void *p = realloc(f->v, cap * sizeof(*f->v));

		if (p == NULL) {
			return -1;
		}
		f->v = p;
		f->cap = cap;
	}
	memcpy(f->v[f->n].id, id, QUEUE_ID_SIZE);
	f->v[f->n].size = size;
	f->n++;
	return 0;
}

/* queue_pass_begin - join the pass's transaction; -1 if none can start */
int
queue_pass_begin(struct queue *q)
{
	if (!q->db.in_tx && queue_db_begin(&q->db) != SK_OK) {
		log_warn("cannot start a queue transaction: %s",
		    queue_db_error(&q->db));
		return -1;
	}
	queue_arm(q, &q->flush_t, 0, queue_flush_timer);
	return 0;
}

/* queue_insert_rcpts - t's recipients for message id */
static enum sk_result
queue_insert_rcpts(struct queue *q, const struct queue_tx *t, const char *id,
    int64_t now)
{
	size_t i;

	for (i = 0; i < t->nrcpts; i++) {
		if (queue_db_insert_rcpt(&q->db, id, (uint32_t)i,
			t->rcpts[i].address, t->rcpts[i].notify,
			t->rcpts[i].orcpt, now) != SK_OK) {
			return SK_E_IO;
		}
	}
	return SK_OK;
}

/* queue_insert_tx - the records of one committed transaction */
static enum sk_result
queue_insert_tx(struct queue *q, const struct queue_tx *t, int64_t now)
{
	struct queue_msg_row m;

	memset(&m, 0, sizeof(m));
	m.env = t->env;
	m.size = t->octets;
	m.arrival_ms = now;
	/* a quarantined message is the same record with a reason: the same
	 * commit and sync make it durable before its 250 */
	memcpy(m.quarantine, t->quarantine, sizeof(m.quarantine));
	m.quarantined = t->quarantine[0] != '\0' ? now / 1000 : 0;
	if (queue_db_insert(&q->db, &m) != SK_OK ||
	    queue_insert_rcpts(q, t, t->id, now) != SK_OK) {
		return SK_E_IO;
	}
	if (t->strip_id[0] == '\0') {
		return SK_OK;
	}
	/* a strip: the original, same envelope, in quarantine; one
	 * transaction with the delivered one */
	memcpy(m.env.id, t->strip_id, sizeof(m.env.id));
	m.size = t->strip_octets;
	memcpy(m.quarantine, t->strip_reason, sizeof(m.quarantine));
	m.quarantined = now / 1000;
	if (queue_db_insert(&q->db, &m) != SK_OK ||
	    queue_insert_rcpts(q, t, t->strip_id, now) != SK_OK) {
		return SK_E_IO;
	}
	return SK_OK;
}

/* queue_commit_pass - the records of the pass, committed; the DSN files
 * of the pass are synced first (rare: the one sync the loop waits for),
 * since their records end the lives of other messages in the same
 * transaction */
static int
queue_commit_pass(struct queue *q, int64_t now)
{
	size_t i;

	if (q->created.n > 0) {
		if (queue_spool_sync(&q->spool) == -1) {
			log_warn("sync of %s failed: %s", q->spool.path,
			    strerror(errno));
			return -1;
		}
	}
	if (q->nbatch > 0 && queue_pass_begin(q) == -1) {
		return -1;
	}
	for (i = 0; i < q->nbatch; i++) {
		if (queue_insert_tx(q, q->batch[i], now) != SK_OK) {
			log_warn("%s: cannot record: %s", q->batch[i]->id,
			    queue_db_error(&q->db));
			return -1;
		}
	}
	if (queue_db_commit(&q->db) != SK_OK) {
		log_warn("queue commit failed: %s", queue_db_error(&q->db));
		return -1;
	}
	return 0;
}

/* queue_refuse_batch - the pass could not be committed: Q_FAIL to each
 * of its messages, and their files go */
static void
queue_refuse_batch(struct queue *q)
{
	struct queue_tx *t;

	while (q->nbatch > 0) {
		t = q->batch[0];
		queue_smtp_fail(q, t->peer, MSG_QUEUE_TEMP,
		    "cannot make the message durable");
		queue_tx_free(q, t, 0);
	}
}

/* queue_stage_batch - the committed messages wait for their sync */
static void
queue_stage_batch(struct queue *q)
{
	size_t i;

	for (i = 0; i < q->nbatch; i++) {
		q->batch[i]->committed = 1;
		q->waiting.tx[q->waiting.ntx++] = q->batch[i];
	}
	q->nbatch = 0;
}

/*
 * queue_after - the files of a committed pass, or of a rolled back one.
 *
 * A finished message's file goes at once, on the remover's thread: if
 * its removal is lost in a crash, recovery finds the record without its
 * file and drops it, which is where the message was going (or the file
 * without its record, and removes it). Not so when the pass also wrote DSNs:
 * losing that pass would lose the bounce with the original, so the pass
 * is made durable here first (rare: DSNs are few).
 */
static void
queue_after(struct queue *q, int ok)
{
	int durable = ok;
	size_t i;

	if (ok && q->created.n > 0) {
		if (queue_spool_sync(&q->spool) == -1) {
			log_warn("sync of %s failed: %s: finished messages "
				 "are left for the next start",
			    q->spool.path, strerror(errno));
			q->removed.n = 0;
			durable = 0;
		}
	}
	for (i = 0; i < q->created.n; i++) {
		const struct queue_file *f = &q->created.v[i];

		if (ok) {
			/* a picked-up message had its own line */
			if (!queue_pickup_made(q, f->id)) {
				log_info("%s: from=<>, size=%llu, nrcpt=1 "
					 "(queue active)",
				    f->id, (unsigned long long)f->size);
			}
		} else if (queue_spool_remove(&q->spool, f->id) == -1) {
			log_warn("%s: cannot remove: %s", f->id,
			    strerror(errno));
		}
	}
	for (i = 0; ok && i < q->removed.n; i++) {
		if (queue_remover_remove(&q->remover, q->removed.v[i].id) ==
		    -1) {
			log_warn("%s: cannot remove content file: %s",
			    q->removed.v[i].id, strerror(errno));
		}
		log_info("%s: removed", q->removed.v[i].id);
	}
	/* picked-up files go only once their messages are durable */
	queue_pickup_after(q, durable);
	q->created.n = 0;
	q->removed.n = 0;
}

/* queue_sync_kick - start the sync of the waiting stage if none runs */
static void
queue_sync_kick(struct queue *q)
{
	struct queue_stage t;

	if (q->sync_busy || q->waiting.ntx == 0) {
		return;
	}
	t = q->syncing;
	q->syncing = q->waiting;
	q->waiting = t;
	q->sync_started = event_now(&q->loop);
	if (queue_syncer_request(&q->syncer) == -1) {
		log_warn("cannot ask for a sync: %s", strerror(errno));
		queue_sync_done(q, errno != 0 ? errno : EIO);
		return;
	}
	q->sync_busy = 1;
}

/* queue_log_committed - the line of a message now on stable storage;
 * a quarantined one also wakes the retention, which may have to make
 * room for it */
static void
queue_log_committed(struct queue *q, const struct queue_tx *t)
{
	if (t->strip_id[0] != '\0') {
		log_info("%s: stripped: %u part%s removed, original kept in "
			 "quarantine as %s",
		    t->id, t->strip_parts, t->strip_parts == 1 ? "" : "s",
		    t->strip_id);
		log_info("%s: quarantined: reason=\"%s\" from=<%s> nrcpt=%zu",
		    t->strip_id, t->strip_reason, t->env.sender, t->nrcpts);
		if (!q->stopping) {
			queue_arm(q, &q->quar_t, 0, queue_quar_timer);
		}
	}
	if (t->quarantine[0] != '\0') {
		log_info("%s: quarantined: reason=\"%s\" from=<%s> nrcpt=%zu",
		    t->id, t->quarantine, t->env.sender, t->nrcpts);
		if (!q->stopping) {
			queue_arm(q, &q->quar_t, 0, queue_quar_timer);
		}
		return;
	}
	/* the size delivered: the policy's header block counts */
	log_info("%s: from=<%s>, size=%llu, nrcpt=%zu (queue active)", t->id,
	    t->env.sender,
	    (unsigned long long)(t->octets + strlen(t->env.prepend)),
	    t->nrcpts);
}

/* queue_answer - the sync of a stage ended: acknowledge or refuse each
 * of its messages */
static void
queue_answer(struct queue *q, int ok)
{
	uint8_t buf[2 + QUEUE_ID_SIZE];
	struct msg_body_writer w;
	struct queue_tx *t;
	size_t i;

	for (i = 0; i < q->syncing.ntx; i++) {
		t = q->syncing.tx[i];
		if (!ok) {
			/* On record and maybe in delivery already: it stays,
			 * and the client that gets 451 may send it again (a
			 * duplicate, as after any lost 250; RFC 5321 6.1). */
			log_warn("%s: the spool could not be synced: refused, "
				 "but left queued",
			    t->id);
			if (!t->orphan) {
				queue_smtp_fail(q, t->peer, MSG_QUEUE_TEMP,
				    "cannot make the message durable");
			}
			queue_tx_free(q, t, 1);
			continue;
		}
		queue_log_committed(q, t);
		stats_add(STATS_QUEUE_ENQUEUED, 1);
		stats_add(STATS_QUEUE_QUARANTINED,
		    t->quarantine[0] != '\0' || t->strip_id[0] != '\0');
		if (!t->orphan) {
			msg_body_writer_init(&w, buf, sizeof(buf));
			msg_body_put_cstr(&w, t->id);
			queue_smtp_send(q, MSG_Q_COMMITTED, t->peer, -1, &w);
		}
		queue_tx_free(q, t, 1);
	}
	q->syncing.ntx = 0;
}

/*
 * queue_sync_slow - a sync that kept its messages waiting QUEUE_SYNC_SLOW_MS
 * or more (from the request to the answer, as the clients saw it): a
 * warning, at most one a minute, with a count of the ones in between,
 * so that a failing disk is seen in the log before the queue backs up
 */
static void
queue_sync_slow(struct queue *q, uint64_t took)
{
	uint64_t now = event_now(&q->loop);
	char more[128] = "";

	if (q->slow_warned != 0 && now - q->slow_warned < QUEUE_SLOW_LOG_MS) {
		q->slow_unwarned++;
		q->slow_worst = took > q->slow_worst ? took : q->slow_worst;
		return;
	}
	if (q->slow_unwarned > 0) {
		snprintf(more, sizeof(more),
		    "; %lu more slow sync%s since the last warning, the "
		    "slowest %llu ms",
		    q->slow_unwarned, q->slow_unwarned == 1 ? "" : "s",
		    (unsigned long long)q->slow_worst);
	}
	log_warn("sync of %s took %llu ms (%zu message%s waited)%s: the disk "
		 "may be slow or failing",
	    q->spool.path, (unsigned long long)took, q->syncing.ntx,
	    q->syncing.ntx == 1 ? "" : "s", more);
	q->slow_warned = now != 0 ? now : 1;
	q->slow_unwarned = 0;
	q->slow_worst = 0;
}

/* queue_sync_done - the end of a sync (err 0: it worked) */
void
queue_sync_done(struct queue *q, int err)
{
	uint64_t took = event_now(&q->loop) - q->sync_started;

	q->sync_busy = 0;
	if (err != 0) {
		log_warn("sync of %s failed: %s", q->spool.path, strerror(err));
	} else if (took >= QUEUE_SYNC_SLOW_MS) {
		queue_sync_slow(q, took);
	}
	queue_answer(q, err == 0);
	queue_sync_kick(q);
}

void
queue_sync_ready(struct event_loop *loop, struct event_io *io, uint32_t revents)
{
	struct queue *q = io->arg;
	int err;

	(void)loop;
	(void)revents;
	if (!q->sync_busy) {
		return;
	}
	err = queue_syncer_result(&q->syncer, 0);
	if (err != -1) {
		queue_sync_done(q, err);
	}
}

/*
 * queue_flush - end the pass: commit it, answer what could not be
 * committed, hand the rest to the syncer, release the jobs that ended,
 * and let the scheduler see what changed.
 */
void
queue_flush(struct queue *q)
{
	int ok, work;

	event_timer_del(&q->loop, &q->flush_t);
	work = q->nbatch > 0 || q->db.in_tx || q->created.n > 0 ||
	    q->removed.n > 0;
	if (work) {
		ok = queue_commit_pass(q, queue_now(q)) == 0;
		if (!ok) {
			queue_db_rollback(&q->db);
			log_warn("queue pass rolled back: its messages were "
				 "refused and its results will be tried "
				 "again");
			queue_arm(q, &q->sweep_t, QUEUE_SWEEP_RETRY_MS,
			    queue_sweep_timer);
			queue_refuse_batch(q);
		} else {
			queue_stage_batch(q);
		}
		queue_after(q, ok);
		queue_sync_kick(q);
	}
	queue_jobs_release(q);
	if (work && !q->stopping) {
		queue_arm(q, &q->sched_t, 0, queue_sched_timer);
	}
}

/*
 * queue_settle - wait until every committed pass is durable and
 * answered (at shutdown). Bounded: a disk that keeps failing gets a
 * few rounds, then what is left is for recovery.
 */
void
queue_settle(struct queue *q)
{
	int round;

	for (round = 0; round < 8; round++) {
		if (q->db.in_tx || q->nbatch > 0 || q->removed.n > 0) {
			queue_flush(q);
		}
		if (q->sync_busy) {
			queue_sync_done(q, queue_syncer_result(&q->syncer, 1));
			continue;
		}
		if (q->waiting.ntx == 0 && !q->db.in_tx) {
			return;
		}
		queue_sync_kick(q);
	}
}

void
queue_flush_timer(struct event_loop *loop, struct event_timer *t)
{
	(void)loop;
	(void)t;
	queue_flush(t->arg);
}

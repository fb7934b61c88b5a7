/*
 * smtpd_txn.c - a message's way from the client to the queue.
 *
 *   MAIL      the line waits, unread, until the queue opened a spool file
 *             for it (Q_OPEN -> Q_OPENED, with the file's descriptor); a
 *             full disk is 452 4.3.1 to that MAIL, before anything else
 *   RCPT      relay control decides (smtp_relay.c); accepted recipients
 *             are kept with their DSN parameters
 *   DATA/BDAT the Received header, then the content, go straight into
 *             the spool file
 *   end       the checks (smtpd_check.c): the policy process, then the
 *             content process, each given a descriptor of the file;
 *             a verdict refuses the message (5xx/4xx), drops it, sends
 *             it to quarantine, or accepts it with a header block
 *   commit    envelope and recipients to the queue, Q_COMMIT with the
 *             header block; the 250 goes out only when Q_COMMITTED says
 *             it is on stable storage
 *
 * Anything that goes wrong before the commit answers 451/452 and leaves
 * no message behind; the queue removes the file (Q_ABORT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../policy/policy_msg.h"
#include "../sekimorid/stats.h"
#include "../smtp/smtp_received.h"
#include "../smtp/smtp_relay.h"
#include "../smtp/smtp_sasl.h"
#include "log.h"
#include "msg_body.h"
#include "qid_token.h"
#include "smtpd_int.h"

/* ---- MAIL waits for a spool file -------------------------------------- */

/* starts_mail - whether the buffered input is a whole MAIL command */
static int
starts_mail(const struct smtpd_conn *c)
{
	return c->inlen >= 5 &&
	    strncasecmp((const char *)c->in, "MAIL", 4) == 0 &&
	    (c->in[4] == ' ' || c->in[4] == ':') &&
	    memchr(c->in, '\n', c->inlen) != NULL;
}

static enum smtp_reply_id fail_reply(uint32_t reason);
static void log_client(const struct smtpd_conn *c);

/* refuse_mail - answer the waiting MAIL line ourselves */
static void
refuse_mail(struct smtpd_conn *c, enum smtp_reply_id id)
{
	size_t used = 0, linelen;

	c->lines.max = smtp_session_line_max(&c->s);
	(void)buf_line_next(&c->lines, c->in, c->inlen, &linelen, &used);
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
	c->n_cmds++;
	c->n_mail++;
	smtpd_conn_reply(c, id, NULL);
}

/* log_client - "QID: client=unknown[ip]", with the SASL user if any */
static void
log_client(const struct smtpd_conn *c)
{
	char client[SMTPD_IP_TEXT + 16];

	smtpd_conn_client(c, client, sizeof(client));
	if (c->s.authed) {
		log_info("%s: client=%s, sasl_username=%s", c->qid, client,
		    c->auth_user);
	} else {
		log_info("%s: client=%s", c->qid, client);
	}
}

/* send_open - ask the queue for a spool file; 0, or -1 if it is away */
static int
send_open(struct smtpd_conn *c)
{
	unsigned gen = smtpd.queue_gen;

	/* A write that finds the queue dead closes the link inside
	 * chan_send: smtpd_queue_closed has run (and bumped queue_gen)
	 * before we get here, so no Q_OPENED will ever come. Waiting for
	 * one would hang the client's MAIL for good. */
	if (!smtpd.queue.open ||
	    chan_send(&smtpd.queue, MSG_Q_OPEN, c->id, -1, NULL, 0) != SK_OK ||
	    smtpd.queue_gen != gen) {
		return -1;
	}
	c->queue_gen = smtpd.queue_gen;
	c->open_pending = 1;
	return 0;
}

/*
 * smtpd_txn_prefetch - ask for the spool file as soon as the client has
 * said EHLO, so that its MAIL does not wait for the queue: the queue's
 * file creation overlaps the client's next round trip. Only for the
 * session's first message: a client that sends one message per session
 * would otherwise leave a file to remove after every message.
 */
void
smtpd_txn_prefetch(struct smtpd_conn *c)
{
	if (c->spool_fd == -1 && !c->open_pending && c->open_fail == 0 &&
	    c->wait == SMTPD_W_NONE && c->s.state == SMTP_S_READY &&
	    c->n_mail == 0) {
		(void)send_open(c);
	}
}

/*
 * smtpd_txn_mail_waits - 1 when a MAIL command at the front of the input
 * must wait for its spool file (or was answered here); 0 to go on.
 */
int
smtpd_txn_mail_waits(struct smtpd_conn *c)
{
	uint32_t fail = c->open_fail;

	if (c->s.state != SMTP_S_READY || !starts_mail(c)) {
		return 0;
	}
	if (c->spool_fd != -1) {
		if (!c->client_logged) {
			log_client(c);
			c->client_logged = 1;
		}
		return 0;
	}
	if (fail != 0) {
		c->open_fail = 0; /* the next MAIL asks again */
		refuse_mail(c, fail_reply(fail));
		return 1;
	}
	if (!c->open_pending && send_open(c) == -1) {
		refuse_mail(c, SMTP_R_QUEUE_FAILED);
		return 1;
	}
	c->wait = SMTPD_W_OPEN;
	return 1;
}

int
smtpd_txn_opened_get(const uint8_t *body, size_t len,
    char qid[MSG_QUEUE_ID_MAX + 1], char spare[MSG_QUEUE_ID_MAX + 1])
{
	struct msg_body_reader r;
	size_t n;

	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, qid, MSG_QUEUE_ID_MAX + 1);
	n = msg_body_get_str(&r, spare, MSG_QUEUE_ID_MAX + 1);
	if (msg_body_end(&r) != 0 || qid[0] == '\0' ||
	    !qid_token_spare_ok(qid, spare, n)) {
		return -1;
	}
	return 0;
}

void
smtpd_txn_opened(struct smtpd_conn *c, const struct msg *m)
{
	if (smtpd_txn_opened_get(m->body, m->hdr.len, c->qid, c->spare_qid) !=
		0 ||
	    m->fd == -1 || !c->open_pending) {
		fatal("bad Q_OPENED from the queue");
	}
	c->open_pending = 0;
	c->spool_fd = m->fd;
	c->written = 0;
	c->write_error = 0;
	c->client_logged = 0;
	if (c->wait == SMTPD_W_OPEN) {
		c->wait = SMTPD_W_NONE;
		smtpd_conn_resume(c);
	}
}

/* fail_reply - the reply for a Q_FAIL reason */
static enum smtp_reply_id
fail_reply(uint32_t reason)
{
	return reason == MSG_QUEUE_NOSPACE ? SMTP_R_NO_SPACE :
					     SMTP_R_QUEUE_FAILED;
}

/* txn_fail - the queue could not take c's message: 451/452 and reset */
static void
txn_fail(struct smtpd_conn *c, uint32_t reason, const char *text)
{
	char client[SMTPD_IP_TEXT + 16];
	struct smtp_out out;

	smtpd_conn_client(c, client, sizeof(client));
	log_warn("%s: queue refused a message from %s: %s",
	    c->qid[0] != '\0' ? c->qid : "NOQUEUE", client, text);
	if (c->open_pending && c->wait != SMTPD_W_OPEN) {
		/* an early Q_OPEN: the answer waits for the client's MAIL */
		c->open_pending = 0;
		c->open_fail = reason;
		return;
	}
	c->open_pending = 0;
	if (c->wait == SMTPD_W_OPEN) {
		c->wait = SMTPD_W_NONE;
		refuse_mail(c, fail_reply(reason));
	} else if (c->wait == SMTPD_W_COMMIT) {
		c->wait = SMTPD_W_NONE;
		out.len = 0;
		smtp_session_message_done(&c->s, 0, NULL, &out);
		smtpd_conn_send_out(c, &out);
	}
	if (c->spool_fd != -1) {
		close(c->spool_fd);
		c->spool_fd = -1;
	}
	c->qid[0] = '\0';
	c->written = 0;
	c->nrcpts = 0;
	smtpd_conn_resume(c);
}

void
smtpd_txn_failed(struct smtpd_conn *c, const struct msg *m)
{
	struct msg_body_reader r;
	char text[513];
	uint32_t reason;

	msg_body_reader_init(&r, m->body, m->hdr.len);
	reason = msg_body_get_u32(&r);
	msg_body_get_str(&r, text, sizeof(text));
	if (msg_body_end(&r) != 0) {
		fatal("bad Q_FAIL from the queue");
	}
	txn_fail(c, reason, text);
}

/* ---- content into the spool file -------------------------------------- */

/* spool_write - all of buf into the spool file, or note the error */
static void
spool_write(struct smtpd_conn *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (len > 0 && !c->write_error && c->spool_fd != -1) {
		w = write(c->spool_fd, p, len);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			c->write_error = w < 0 ? errno : EIO;
			return;
		}
		p += w;
		len -= (size_t)w;
		c->written += (uint64_t)w;
	}
}

void
smtpd_txn_content(void *arg, const uint8_t *buf, size_t len)
{
	spool_write(arg, buf, len);
}

/* protocol - RFC 3848 / RFC 6531 "with" keyword of this session */
static const char *
protocol(const struct smtpd_conn *c)
{
	return smtp_received_protocol(c->s.ehlo, c->tls != NULL,
	    c->s.authed != 0, c->s.mail_utf8 != 0);
}

/* received - the Received header of this message into hdr */
static enum sk_result
received(const struct smtpd_conn *c, char *hdr, size_t cap, size_t *len)
{
	struct smtp_received rc;
	time_t now = time(NULL);
	struct tm tm;

	memset(&rc, 0, sizeof(rc));
	rc.helo = c->helo;
	rc.client = c->client;
	rc.server = smtpd.hostname;
	rc.esmtp = c->s.ehlo;
	rc.tls = c->tls != NULL;
	rc.authenticated = c->s.authed != 0;
	rc.utf8 = c->s.mail_utf8 != 0;
	rc.tls_version = c->tls_version;
	rc.tls_cipher = c->tls_cipher;
	rc.tls_bits = c->tls_bits;
	rc.tls_alg_bits = c->tls_alg_bits;
	rc.queue_id = c->qid;
	if (c->nrcpts == 1) {
		rc.rcpt = &c->first_rcpt;
	}
	rc.time = (int64_t)now;
	localtime_r(&now, &tm);
	rc.tz_minutes = (int)(tm.tm_gmtoff / 60);
	return smtp_received_format(&rc, hdr, cap, len);
}

void
smtpd_txn_data_start(struct smtpd_conn *c)
{
	char hdr[SMTP_RECEIVED_MAX];
	size_t len = 0;

	if (c->written > 0 || c->spool_fd == -1) {
		return; /* a further BDAT chunk, or no file (refused later) */
	}
	if (received(c, hdr, sizeof(hdr), &len) != SK_OK) {
		c->write_error = EINVAL;
		return;
	}
	spool_write(c, hdr, len);
}

/* ---- the end of the message: envelope, commit ------------------------- */

/* map_body, map_ret - the session's parameters in msg_types.h terms */
static uint8_t
map_body(enum smtp_body_type b)
{
	return b == SMTP_BODY_8BITMIME ? MSG_BODY_8BITMIME :
	    b == SMTP_BODY_BINARYMIME  ? MSG_BODY_BINARYMIME :
					 MSG_BODY_7BIT;
}

static uint8_t
map_ret(enum smtp_ret r)
{
	return r == SMTP_RET_FULL ? MSG_RET_FULL :
	    r == SMTP_RET_HDRS    ? MSG_RET_HDRS :
				    MSG_RET_NONE;
}

/* sender - the envelope sender as text; "" for the null sender */
void
smtpd_txn_sender(const struct smtpd_conn *c, char *out, size_t len)
{
	const struct smtp_addr *a = &c->s.from;

	if (a->flags & SMTP_ADDR_F_NULL) {
		out[0] = '\0';
	} else if (a->domainlen == 0) {
		snprintf(out, len, "%s", a->local);
	} else {
		snprintf(out, len, "%s@%s", a->local, a->domain);
	}
}

/* send_envelope - Q_ENVELOPE and one Q_RCPT per recipient */
static enum sk_result
send_envelope(struct smtpd_conn *c)
{
	uint8_t body[MSG_BODY_MAX];
	char from[SMTPD_ADDR_MAX];
	struct msg_body_writer w;
	enum sk_result r;
	size_t i;

	smtpd_txn_sender(c, from, sizeof(from));
	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_cstr(&w, c->qid);
	msg_body_put_cstr(&w, from);
	msg_body_put_cstr(&w, c->s.envid);
	msg_body_put_u8(&w, map_ret(c->s.mail.ret));
	msg_body_put_u8(&w, map_body(c->s.mail.body));
	msg_body_put_u8(&w, c->s.mail_utf8 != 0);
	msg_body_put_cstr(&w, c->s.authed ? c->auth_user : "");
	msg_body_put_cstr(&w, c->ip);
	msg_body_put_cstr(&w, "unknown");
	msg_body_put_cstr(&w, c->helo);
	msg_body_put_cstr(&w, c->l->cfg->name);
	msg_body_put_cstr(&w, protocol(c));
	msg_body_put_cstr(&w, c->tls_info);
	r = chan_send_body(&smtpd.queue, MSG_Q_ENVELOPE, c->id, -1, &w);
	for (i = 0; r == SK_OK && i < c->nrcpts; i++) {
		msg_body_writer_init(&w, body, sizeof(body));
		msg_body_put_cstr(&w, c->rcpts[i].addr);
		msg_body_put_u32(&w, c->rcpts[i].notify);
		msg_body_put_cstr(&w, c->rcpts[i].orcpt);
		r = chan_send_body(&smtpd.queue, MSG_Q_RCPT, c->id, -1, &w);
	}
	return r;
}

/* smtpd_txn_commit - envelope, recipients and Q_COMMIT (with the
 * checks' header block and quarantine reason): wait for the disk */
void
smtpd_txn_commit(struct smtpd_conn *c, struct smtp_out *out)
{
	static uint8_t
	    body[8 + 2 + MSG_PREPEND_MAX + 2 + MSG_QUARANTINE_REASON_MAX + 1];
	struct msg_body_writer w;
	unsigned gen;
	enum sk_result sent = SK_E_IO;
	uint8_t rewrite;
	int fd;

	if (c->queue_gen != smtpd.queue_gen || !smtpd.queue.open) {
		log_warn("%s: message from %s not stored: queue unavailable",
		    c->qid, c->ip);
		smtpd_txn_abort(c);
		smtp_session_message_done(&c->s, 0, NULL, out);
		return;
	}
	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_u64(&w, c->written);
	msg_body_put_str(&w, c->prepend != NULL ? c->prepend : "",
	    c->prepend_len);
	msg_body_put_cstr(&w, c->quarantine != NULL ? c->quarantine : "");
	/* the content process's rewritten message, passed on unread */
	if ((fd = smtpd_check_rewrite(c, &rewrite)) != -1) {
		msg_body_put_u8(&w, rewrite);
	}
	gen = smtpd.queue_gen;
	/* As in send_open: a queue found dead while we write will never
	 * answer the commit, so do not wait for Q_COMMITTED (451). */
	if (send_envelope(c) != SK_OK ||
	    (sent = chan_send_body(&smtpd.queue, MSG_Q_COMMIT, c->id, fd,
		 &w)) != SK_OK ||
	    smtpd.queue_gen != gen) {
		if (sent != SK_OK && fd != -1) {
			close(fd); /* the channel did not take it */
		}
		smtpd_txn_abort(c);
		smtp_session_message_done(&c->s, 0, NULL, out);
		return;
	}
	/* Nothing more is written: the file is the queue's now. Closed here,
	 * not at Q_COMMITTED, because the queue may deliver and remove the
	 * message before its sync ends, and the last close of a removed file
	 * frees it and waits for the disk (queue/queue_remover.h): that must
	 * not happen in this loop. */
	close(c->spool_fd);
	c->spool_fd = -1;
	c->wait = SMTPD_W_COMMIT;
}

void
smtpd_txn_message(struct smtpd_conn *c, struct smtp_out *out)
{
	if (c->spool_fd == -1 || c->write_error ||
	    c->queue_gen != smtpd.queue_gen || !smtpd.queue.open) {
		log_warn("%s: message from %s not stored: %s",
		    c->qid[0] != '\0' ? c->qid : "NOQUEUE", c->ip,
		    c->write_error ? strerror(c->write_error) :
				     "queue unavailable");
		smtpd_txn_abort(c);
		smtp_session_message_done(&c->s, 0, NULL, out);
		return;
	}
	smtpd_check_next(c, 0, out);
}

void
smtpd_txn_committed(struct smtpd_conn *c, const struct msg *m,
    struct smtp_out *out)
{
	struct msg_body_reader r;
	char qid[MSG_QUEUE_ID_MAX + 1];

	msg_body_reader_init(&r, m->body, m->hdr.len);
	msg_body_get_str(&r, qid, sizeof(qid));
	if (msg_body_end(&r) != 0 || c->wait != SMTPD_W_COMMIT ||
	    strcmp(qid, c->qid) != 0) {
		fatal("Q_COMMITTED %s for session %u: not what it waits for",
		    qid, c->id);
	}
	c->wait = SMTPD_W_NONE;
	smtp_session_message_done(&c->s, 1, c->qid, out);
	stats_add(STATS_SMTP_MESSAGES, 1);
	stats_add(STATS_SMTP_RCPTS, c->nrcpts);
	smtpd_check_forget(c);
	c->qid[0] = '\0';
	c->written = 0;
	c->nrcpts = 0;
}

/* ---- resets ----------------------------------------------------------- */

void
smtpd_txn_abort(struct smtpd_conn *c)
{
	smtpd_check_forget(c);
	/* (a commit in flight has no file any more: smtpd_txn_commit) */
	if (c->spool_fd == -1 && c->wait != SMTPD_W_COMMIT) {
		return;
	}
	/* A commit in flight is the queue's to finish: the client heard
	 * nothing, so a copy it sends again is the RFC's duplicate. */
	if (c->wait != SMTPD_W_COMMIT && c->queue_gen == smtpd.queue_gen) {
		chan_send(&smtpd.queue, MSG_Q_ABORT, c->id, -1, NULL, 0);
	}
	if (c->spool_fd != -1) {
		close(c->spool_fd);
		c->spool_fd = -1;
	}
	c->qid[0] = '\0';
	c->written = 0;
	c->write_error = 0;
}

void
smtpd_txn_reset(struct smtpd_conn *c)
{
	if (c->s.state != SMTP_S_READY && c->s.state != SMTP_S_GREETED) {
		return;
	}
	c->nrcpts = 0;
	/* A refused message leaves content in its file: start clean. */
	if (c->written > 0 || c->write_error) {
		smtpd_txn_abort(c);
	}
}

/* ---- RCPT ------------------------------------------------------------- */

enum smtp_reply_id
smtpd_txn_rcpt(void *arg, const struct smtp_addr *rcpt,
    const struct smtp_rcpt_params *p, int authenticated)
{
	struct smtpd_conn *c = arg;
	struct smtp_relay_verdict v;
	struct smtpd_rcpt *grown, *r;

	smtp_relay_check(&smtpd.relay, &c->client, authenticated, rcpt, &v);
	if (v.reply != SMTP_R_NONE) {
		const struct smtp_reply *rp = smtp_reply_get(v.reply);
		char cl[SMTPD_IP_TEXT + 16];

		smtpd_conn_client(c, cl, sizeof(cl));
		log_info("NOQUEUE: reject: RCPT from %s: %u %s <%s@%s>: %s; "
			 "helo=<%s>",
		    cl, rp->code, rp->enh, rcpt->local, rcpt->domain, rp->text,
		    c->helo);
		stats_add(v.reply == SMTP_R_USER_UNKNOWN ?
			STATS_SMTP_REJ_UNKNOWN :
			STATS_SMTP_REJ_RELAY,
		    1);
		return v.reply;
	}
	grown = realloc(c->rcpts, (c->nrcpts + 1) * sizeof(*c->rcpts));
	if (grown == NULL) {
		return SMTP_R_TOO_MANY_RCPTS;
	}
	c->rcpts = grown;
	if (c->nrcpts == 0) {
		c->first_rcpt = *rcpt;
	}
	r = &c->rcpts[c->nrcpts++];
	if (rcpt->domainlen == 0) {
		snprintf(r->addr, sizeof(r->addr), "%s", rcpt->local);
	} else {
		snprintf(r->addr, sizeof(r->addr), "%s@%s", rcpt->local,
		    rcpt->domain);
	}
	r->notify = p->notify;
	r->orcpt[0] = '\0';
	if (p->orcpt != NULL) {
		snprintf(r->orcpt, sizeof(r->orcpt), "%.*s;%.*s",
		    (int)p->orcpt_typelen, (const char *)p->orcpt_type,
		    (int)p->orcptlen, (const char *)p->orcpt);
	}
	return SMTP_R_NONE;
}

/* ---- the queue link --------------------------------------------------- */

void
smtpd_queue_msg(struct chan *ch, struct msg *m, void *arg)
{
	struct smtpd_conn *c = smtpd_conn_find(m->hdr.peer);
	struct smtp_out out;

	(void)ch;
	(void)arg;
	if (c == NULL) {
		/* the client left meanwhile; a late Q_OPENED's file is the
		 * queue's to clean up when it sees Q_ABORT */
		if (m->hdr.type == MSG_Q_OPENED) {
			chan_send(&smtpd.queue, MSG_Q_ABORT, m->hdr.peer, -1,
			    NULL, 0);
		}
	} else if (m->hdr.type == MSG_Q_OPENED) {
		smtpd_txn_opened(c, m);
		m->fd = -1;
	} else if (m->hdr.type == MSG_Q_FAIL) {
		smtpd_txn_failed(c, m);
	} else if (m->hdr.type == MSG_Q_COMMITTED) {
		out.len = 0;
		smtpd_txn_committed(c, m, &out);
		smtpd_conn_send_out(c, &out);
		smtpd_conn_resume(c);
	} else {
		fatal("unexpected %s from the queue",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

void
smtpd_queue_closed(struct chan *ch, enum sk_result why, void *arg)
{
	size_t i;

	(void)ch;
	(void)arg;
	log_warn("queue link lost (%s): open transactions fail with 451",
	    sk_result_str(why));
	smtpd.queue_gen++;
	for (i = 0; i < smtpd.maxconns; i++) {
		struct smtpd_conn *c = smtpd.conns[i];

		if (c == NULL) {
			continue;
		}
		if (c->wait == SMTPD_W_OPEN || c->wait == SMTPD_W_COMMIT) {
			txn_fail(c, MSG_QUEUE_TEMP, "queue restarted");
		} else if (c->open_pending) {
			c->open_pending =
			    0; /* the next MAIL asks the new one */
		} else if (c->spool_fd != -1) {
			c->write_error = EIO; /* refused at its end */
		}
	}
}

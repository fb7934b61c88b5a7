/*
 * smtpd_conn.c - one client connection: accept, limits, reading lines
 * and content into the session machine, writing its replies, timeouts,
 * close. The contract with the session is smtp_session.h's; this file
 * is its event-loop twin of firmware/smtp/smtp_replay.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../sekimorid/stats.h"
#include "log.h"
#include "smtpd_int.h"

static void conn_io(struct event_loop *loop, struct event_io *io, uint32_t ev);
static void conn_run(struct smtpd_conn *c);

/* ---- lookup and bookkeeping ------------------------------------------- */

/* conn ids: slot in the low 20 bits, a generation above, never 0 */
#define CONN_SLOT_BITS 20
#define CONN_SLOT_MASK ((1u << CONN_SLOT_BITS) - 1)

struct smtpd_conn *
smtpd_conn_find(uint32_t id)
{
	size_t slot = id & CONN_SLOT_MASK;
	struct smtpd_conn *c;

	if (slot >= smtpd.maxconns) {
		return NULL;
	}
	c = smtpd.conns[slot];
	return c != NULL && c->id == id ? c : NULL;
}

/* smtpd_conn_client - "unknown[192.0.2.1]", as Postfix names clients */
void
smtpd_conn_client(const struct smtpd_conn *c, char *buf, size_t len)
{
	snprintf(buf, len, "unknown[%s]", c->ip);
}

/* conn_ip - the peer's address as bytes and text (IPv4-mapped IPv6
 * addresses are shown and checked as the IPv4 address they carry) */
static void
conn_ip(const struct sockaddr_storage *ss, struct smtp_ip *ip, char *out,
    size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

	memset(ip, 0, sizeof(*ip));
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		ip->family = AF_INET;
		memcpy(ip->addr, s6->sin6_addr.s6_addr + 12, 4);
	} else if (ss->ss_family == AF_INET6) {
		ip->family = AF_INET6;
		memcpy(ip->addr, s6->sin6_addr.s6_addr, 16);
	} else {
		ip->family = AF_INET;
		memcpy(ip->addr, &s4->sin_addr, 4);
	}
	if (inet_ntop(ip->family, ip->addr, out, (socklen_t)len) == NULL) {
		snprintf(out, len, "?");
	}
}

/* ---- output ----------------------------------------------------------- */

/* conn_raw_write - bytes to the client, through TLS when it is on */
static ssize_t
conn_raw_write(struct smtpd_conn *c, const uint8_t *p, size_t n)
{
	if (c->tls != NULL) {
		return smtpd_tls_write(c, p, n);
	}
	return send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* conn_flush - write held replies; 0 when all went, 1 when some wait,
 * -1 when the connection failed */
static int
conn_flush(struct smtpd_conn *c)
{
	if (c->wait == SMTPD_W_DEAD) {
		return -1;
	}
	while (c->outoff < c->outlen) {
		ssize_t w = conn_raw_write(c, (uint8_t *)c->out + c->outoff,
		    c->outlen - c->outoff);

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 1;
		}
		if (w <= 0) {
			return -1;
		}
		c->outoff += (size_t)w;
	}
	c->outoff = c->outlen = 0;
	return 0;
}

/* conn_queue_out - hold n reply bytes; -1 when too much is held */
static int
conn_queue_out(struct smtpd_conn *c, const char *p, size_t n)
{
	char *grown;

	if (c->outlen + n > SMTPD_OUT_MAX) {
		return -1;
	}
	if (c->out == NULL || c->outlen + n > SMTPD_OUT_MAX / 8) {
		grown = realloc(c->out,
		    c->outlen + n < SMTPD_OUT_MAX / 8 ? SMTPD_OUT_MAX / 8 :
							SMTPD_OUT_MAX);
		if (grown == NULL) {
			return -1;
		}
		c->out = grown;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	return 0;
}

/* smtpd_conn_send_out - send (or hold) what the session wrote */
void
smtpd_conn_send_out(struct smtpd_conn *c, struct smtp_out *out)
{
	if (c->wait == SMTPD_W_DEAD) {
		out->len = 0;
		return;
	}
	stats_smtp_replies(out->buf, out->len);
	if (out->len > 0 && conn_queue_out(c, out->buf, out->len) == -1) {
		out->len = 0;
		smtpd_conn_close(c, "client does not read its replies");
		return;
	}
	out->len = 0;
}

/* smtpd_conn_reply - one reply of our own (not from the session) */
void
smtpd_conn_reply(struct smtpd_conn *c, enum smtp_reply_id id,
    const char *detail)
{
	struct smtp_out out;

	out.len = 0;
	smtp_reply_format(id, detail, out.buf, sizeof(out.buf), &out.len);
	smtpd_conn_send_out(c, &out);
	(void)conn_flush(c);
}

/* ---- timers ----------------------------------------------------------- */

static void
conn_timeout(struct event_loop *loop, struct event_timer *t)
{
	struct smtpd_conn *c = t->arg;
	char client[SMTPD_IP_TEXT + 16];

	(void)loop;
	smtpd_conn_client(c, client, sizeof(client));
	log_info("timeout after %s from %s", c->body ? "DATA" : "command",
	    client);
	smtpd_conn_reply(c, SMTP_R_TIMEOUT, NULL);
	smtpd_conn_close(c, NULL);
}

/* conn_arm - the RFC 5321 4.5.3.2 server timeout for what comes next */
static void
conn_arm(struct smtpd_conn *c)
{
	unsigned secs = c->body ? smtpd.cfg->limits.timeout_data :
				  smtpd.cfg->limits.timeout_command;

	if (secs == 0) {
		secs = 300;
	}
	event_timer_set(&smtpd.loop, &c->timer, (uint64_t)secs * 1000,
	    conn_timeout, c);
}

/* ---- close ------------------------------------------------------------ */

/* conn_reap - free the records of closed connections */
static void
conn_reap(struct event_loop *loop, struct event_timer *t)
{
	struct smtpd_conn *c;

	(void)loop;
	(void)t;
	while ((c = smtpd.dead) != NULL) {
		smtpd.dead = c->next_dead;
		free(c);
	}
}

/*
 * smtpd_conn_close - end the connection. The record itself stays valid
 * (wait SMTPD_W_DEAD) until the reaper runs after the current callback,
 * because a close can happen deep inside a step whose callers still look
 * at the connection; every entry point checks for SMTPD_W_DEAD.
 */
void
smtpd_conn_close(struct smtpd_conn *c, const char *why)
{
	char client[SMTPD_IP_TEXT + 16];

	if (c->wait == SMTPD_W_DEAD) {
		return;
	}
	smtpd_conn_client(c, client, sizeof(client));
	(void)conn_flush(c);
	if (why != NULL) {
		log_info("%s: %s", client, why);
	}
	log_info("disconnect from %s ehlo=%u mail=%u rcpt=%u data=%u "
		 "quit=%u commands=%u",
	    client, c->n_ehlo, c->n_mail, c->n_rcpt, c->n_data, c->n_quit,
	    c->n_cmds);
	smtpd_txn_abort(c);
	smtpd_auth_free(c);
	smtpd_tls_free(c);
	event_timer_del(&smtpd.loop, &c->timer);
	event_io_del(&smtpd.loop, &c->io);
	close(c->fd);
	c->fd = -1;
	smtpd.conns[c->id & CONN_SLOT_MASK] = NULL;
	smtpd_slot_put(c->id & CONN_SLOT_MASK);
	smtpd.nconns--;
	smtpd_client_del(c->ip);
	free(c->in);
	free(c->out);
	free(c->rcpts);
	c->in = NULL;
	c->out = NULL;
	c->rcpts = NULL;
	c->inlen = c->incap = c->outlen = c->outoff = c->nrcpts = 0;
	c->body = 0;
	c->wait = SMTPD_W_DEAD;
	c->next_dead = smtpd.dead;
	smtpd.dead = c;
	if (event_timer_set(&smtpd.loop, &smtpd.reaper, 0, conn_reap, NULL) ==
	    -1) {
		fatal("no timer for the connection reaper");
	}
}

/* ---- input ------------------------------------------------------------ */

/* conn_consume - drop n bytes from the front of the input */
static void
conn_consume(struct smtpd_conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* conn_act - carry out what the session asked; 0 to go on reading */
static int
conn_act(struct smtpd_conn *c, enum smtp_action a, struct smtp_out *out)
{
	switch (a) {
	case SMTP_A_DATA:
	case SMTP_A_BDAT:
		c->body = 1;
		c->n_data++;
		smtpd_txn_data_start(c);
		break;
	case SMTP_A_MESSAGE:
		c->body = 0;
		smtpd_txn_message(c, out);
		break;
	case SMTP_A_STARTTLS:
		smtpd_conn_send_out(c, out);
		c->inlen = 0; /* CVE-2011-0411: nothing sent before counts */
		smtpd_tls_start(c);
		return 1;
	case SMTP_A_AUTH:
		smtpd_auth_step(c, out);
		break;
	case SMTP_A_CLOSE:
		smtpd_conn_send_out(c, out);
		c->wait = SMTPD_W_CLOSE;
		return 1;
	case SMTP_A_BODY:
	case SMTP_A_NONE:
		break;
	}
	if (!c->body && c->wait == SMTPD_W_NONE) {
		smtpd_txn_reset(c);
	}
	smtpd_conn_send_out(c, out);
	return c->wait != SMTPD_W_NONE;
}

/* conn_count - the disconnect line's counters */
static void
conn_count(struct smtpd_conn *c, const uint8_t *line, size_t len)
{
	struct smtp_cmd cmd;

	c->n_cmds++;
	if (smtp_cmd_parse(line, len, &cmd) != SK_OK) {
		return;
	}
	if (cmd.verb == SMTP_VERB_EHLO || cmd.verb == SMTP_VERB_HELO) {
		size_t n = cmd.arglen < sizeof(c->helo) - 1 ?
		    cmd.arglen :
		    sizeof(c->helo) - 1;

		c->n_ehlo++;
		memcpy(c->helo, cmd.arg != NULL ? (const char *)cmd.arg : "",
		    n);
		c->helo[n] = '\0';
	}
	c->n_mail += cmd.verb == SMTP_VERB_MAIL;
	c->n_rcpt += cmd.verb == SMTP_VERB_RCPT;
	c->n_quit += cmd.verb == SMTP_VERB_QUIT;
}

/* conn_step - one item from the input; 1 to go on, 0 to wait */
static int
conn_step(struct smtpd_conn *c, struct smtp_out *out)
{
	size_t used = 0, linelen;
	enum smtp_action a;
	enum sk_result r;

	if (c->body) {
		a = smtp_session_body(&c->s, c->in, c->inlen, &used, out);
		conn_consume(c, used);
		if (a == SMTP_A_BODY) {
			smtpd_conn_send_out(c, out);
			return 0;
		}
		c->body = 0;
		return !conn_act(c, a, out);
	}
	if (c->inlen == 0) {
		return 0;
	}
	/* A MAIL command waits, unread, until the queue gave a file. */
	if (smtpd_txn_mail_waits(c)) {
		return 0;
	}
	c->lines.max = smtp_session_line_max(&c->s);
	r = buf_line_next(&c->lines, c->in, c->inlen, &linelen, &used);
	if (r == SK_NEED_MORE) {
		conn_consume(c, used);
		return 0;
	}
	if (r != SK_OK) {
		a = smtp_session_line_error(&c->s, r, out);
	} else {
		c->in_auth = c->s.state == SMTP_S_AUTH;
		if (!c->in_auth) {
			conn_count(c, c->in, linelen);
		}
		a = smtp_session_line(&c->s, c->in, linelen, c->inlen > used,
		    out);
	}
	conn_consume(c, used);
	return !conn_act(c, a, out);
}

/* conn_waits_on_peer - c waits for another process's answer (queue,
 * policy, content, authd); its input is not read meanwhile */
static int
conn_waits_on_peer(const struct smtpd_conn *c)
{
	return c->wait == SMTPD_W_OPEN || c->wait == SMTPD_W_CHECK ||
	    c->wait == SMTPD_W_COMMIT || c->wait == SMTPD_W_AUTH;
}

/* conn_want - epoll interest for the connection's state. While c waits
 * on a peer, reading stays watched if it was: nearly every client waits
 * for the reply, so the interest would be dropped and set again for
 * nothing (two epoll_ctl calls per wait, several a message). Input that
 * does come meanwhile drops it then (conn_io). */
static void
conn_want(struct smtpd_conn *c)
{
	uint32_t ev = 0;

	if (c->wait == SMTPD_W_TLS) {
		return; /* smtpd_tls_event decides */
	}
	if (c->outlen > c->outoff || smtpd_tls_pending_write(c)) {
		ev |= EVENT_WRITE;
	} else if (c->wait == SMTPD_W_NONE || c->wait == SMTPD_W_GREET ||
	    (conn_waits_on_peer(c) && c->io.events == EVENT_READ)) {
		ev |= EVENT_READ;
	}
	if (ev != c->io.events) {
		event_io_mod(&smtpd.loop, &c->io, ev);
	}
}

/* conn_run - process buffered input as far as the state allows */
static void
conn_run(struct smtpd_conn *c)
{
	struct smtp_out out;

	out.len = 0;
	/* Replies to a pipelined group collect and leave together; a
	 * client that sends commands without reading stops being read
	 * once half the reply limit is held. */
	while (c->wait == SMTPD_W_NONE && c->outlen < SMTPD_OUT_MAX / 2 &&
	    conn_step(c, &out)) {
	}
	smtpd_conn_send_out(c, &out);
}

/* smtpd_conn_resume - the thing c waited for happened: go on */
void
smtpd_conn_resume(struct smtpd_conn *c)
{
	int r;

	if (c->wait == SMTPD_W_DEAD) {
		return;
	}
	conn_run(c);
	if (c->wait == SMTPD_W_DEAD) {
		return;
	}
	smtpd_txn_prefetch(c);
	r = conn_flush(c);
	if (r == -1 || (r == 0 && c->wait == SMTPD_W_CLOSE)) {
		smtpd_conn_close(c, r == -1 ? "lost connection" : NULL);
		return;
	}
	conn_arm(c);
	conn_want(c);
}

/* conn_fill - read what the client sent: 1, 2 when that drained the
 * socket, 0 when nothing was there, -1 on EOF or error */
static int
conn_fill(struct smtpd_conn *c)
{
	ssize_t n;
	uint8_t *grown;

	if (c->inlen == c->incap && c->incap < SMTPD_IN_MAX) {
		grown = realloc(c->in, SMTPD_IN_MAX);
		if (grown == NULL) {
			return -1;
		}
		c->in = grown;
		c->incap = SMTPD_IN_MAX;
	}
	if (c->inlen == c->incap) {
		return 0; /* the splitter always makes room: cannot happen */
	}
	n = c->tls != NULL ?
	    smtpd_tls_read(c, c->in + c->inlen, c->incap - c->inlen) :
	    recv(c->fd, c->in + c->inlen, c->incap - c->inlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return 0;
	}
	if (n <= 0) {
		return -1;
	}
	/* A short read of a plain socket took all there was: the loop (level
	 * triggered) reports what comes next, so no recv just to see
	 * EAGAIN. TLS may hold more decrypted input: read on. */
	if (c->tls == NULL && (size_t)n < c->incap - c->inlen) {
		c->inlen += (size_t)n;
		return 2;
	}
	c->inlen += (size_t)n;
	return 1;
}

/* conn_early_talker - bytes before the greeting: refuse and close */
static void
conn_early_talker(struct smtpd_conn *c)
{
	char client[SMTPD_IP_TEXT + 16];

	smtpd_conn_client(c, client, sizeof(client));
	log_info("reject: early talker %s: sent data before the greeting",
	    client);
	smtpd_conn_reply(c, SMTP_R_EARLY_TALKER, NULL);
	smtpd_conn_close(c, NULL);
}

static void
conn_io(struct event_loop *loop, struct event_io *io, uint32_t ev)
{
	struct smtpd_conn *c = io->arg;
	int r;

	(void)loop;
	if (c->wait == SMTPD_W_TLS) {
		smtpd_tls_event(c, ev);
		return;
	}
	if (conn_waits_on_peer(c) && !(ev & (EPOLLHUP | EPOLLERR))) {
		/* input before the peer answered: unwatched until it does
		 * (smtpd_conn_resume), so that the level-triggered loop does
		 * not spin on it; it is read and handled in order then */
		event_io_mod(&smtpd.loop, &c->io, 0);
		return;
	}
	if (c->wait == SMTPD_W_GREET) {
		uint8_t b;

		/* bytes before the greeting are early talk; EOF is a client
		 * (or a port probe) that gave up */
		if (recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
			conn_early_talker(c);
		} else {
			smtpd_conn_close(c, "lost connection before greeting");
		}
		return;
	}
	/* Read until the socket (and, with TLS, the engine, which epoll
	 * cannot see into) has nothing more, or the session must wait. */
	while (ev & (EVENT_READ | EPOLLHUP | EPOLLERR)) {
		r = conn_fill(c);
		if (r == -1) {
			smtpd_conn_close(c,
			    c->body ? "lost connection after DATA" :
				      "lost connection");
			return;
		}
		if (r == 0) {
			break;
		}
		conn_run(c);
		if (r == 2 || c->wait != SMTPD_W_NONE ||
		    c->outlen >= SMTPD_OUT_MAX / 2) {
			break;
		}
	}
	smtpd_conn_resume(c);
}

/* ---- accept ----------------------------------------------------------- */

/* conn_greet - send the 220 (after the greet pause, if any) */
static void
conn_greet(struct smtpd_conn *c)
{
	struct smtp_out out;

	out.len = 0;
	smtp_session_greet(&c->s, &out);
	smtpd_conn_send_out(c, &out);
}

static void
conn_greet_timer(struct event_loop *loop, struct event_timer *t)
{
	struct smtpd_conn *c = t->arg;
	uint8_t b;

	(void)loop;
	/* data already there means the client spoke first */
	if (recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		conn_early_talker(c);
		return;
	}
	c->wait = SMTPD_W_NONE;
	conn_greet(c);
	smtpd_conn_resume(c);
}

/* conn_session - the session settings of c's listener */
static void
conn_session(struct smtpd_conn *c)
{
	struct smtp_session_conf sc;
	const struct config_limits *lim = &smtpd.cfg->limits;

	memset(&sc, 0, sizeof(sc));
	sc.hostname = smtpd.hostname;
	sc.caps = c->l->caps;
	sc.max_size = lim->message_size;
	sc.max_rcpts = lim->recipients;
	sc.max_errors = lim->errors;
	sc.max_received = lim->received_headers;
	sc.auth_needs_tls = c->l->cfg->tls_required_for_auth &&
	    c->l->cfg->mode != CONFIG_MODE_SUBMISSIONS;
	sc.rcpt_check = smtpd_txn_rcpt;
	sc.rcpt_arg = c;
	sc.content = smtpd_txn_content;
	sc.content_arg = c;
	smtp_session_init(&c->s, &sc);
	buf_line_init(&c->lines, smtp_session_line_max(&c->s));
}

/* conn_new - a connection record for fd, or NULL (fd closed) */
static struct smtpd_conn *
conn_new(struct smtpd_listener *l, int fd, const struct sockaddr_storage *ss)
{
	struct smtpd_conn *c = calloc(1, sizeof(*c));
	long slot;

	if (c == NULL || (c->in = malloc(SMTPD_IN_SMALL)) == NULL ||
	    (slot = smtpd_slot_take()) < 0) {
		if (c != NULL) {
			free(c->in);
		}
		free(c);
		close(fd);
		return NULL;
	}
	c->incap = SMTPD_IN_SMALL;
	c->fd = fd;
	c->l = l;
	c->peer = *ss;
	c->spool_fd = -1;
	smtpd.idgen++;
	c->id = (uint32_t)slot | (smtpd.idgen << CONN_SLOT_BITS);
	if (c->id == 0) {
		c->id = (uint32_t)slot | (1u << CONN_SLOT_BITS);
	}
	conn_ip(ss, &c->client, c->ip, sizeof(c->ip));
	c->internal = smtp_relay_internal(&smtpd.relay, &c->client);
	event_timer_init(&c->timer);
	conn_session(c);
	smtpd.conns[slot] = c;
	smtpd.nconns++;
	smtpd_client_add(c->ip);
	return c;
}

/* conn_refuse - too many connections: one 421 line, then close */
static void
conn_refuse(int fd, const char *ip, const char *which)
{
	char buf[128];
	size_t len = 0;

	smtp_reply_format(SMTP_R_TOO_MANY_CONNS, NULL, buf, sizeof(buf), &len);
	(void)send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	stats_smtp_replies(buf, len);
	close(fd);
	log_warn("too many %s connections: refused unknown[%s]", which, ip);
}

/*
 * conn_limits_ok - the connection limits allow one more from ip. Clients
 * in the internal networks are exempt from the per-client limit, as in
 * Postfix (smtpd_client_event_limit_exceptions = $mynetworks): the
 * organization's own servers and applications send through the box in
 * bulk; the limit is against strangers.
 */
static int
conn_limits_ok(int fd, const char *ip, const struct smtp_ip *cip)
{
	uint32_t per = smtpd.cfg->limits.connections_per_client;

	if (smtpd.nconns >= smtpd.maxconns) {
		conn_refuse(fd, ip, "total");
		return 0;
	}
	if (per != 0 && !smtp_relay_internal(&smtpd.relay, cip) &&
	    smtpd_client_count(ip) >= per) {
		conn_refuse(fd, ip, "per-client");
		return 0;
	}
	return 1;
}

/* conn_start - watch the new connection and greet, maybe after a pause */
static void
conn_start(struct smtpd_conn *c)
{
	char client[SMTPD_IP_TEXT + 16];
	uint64_t pause = 0;

	smtpd_conn_client(c, client, sizeof(client));
	log_info("connect from %s", client);
	stats_add(STATS_SMTP_CONNECTIONS, 1);
	if (event_io_add(&smtpd.loop, &c->io, c->fd, EVENT_READ, conn_io, c) ==
	    -1) {
		smtpd_conn_close(c, "cannot watch");
		return;
	}
	if (c->l->cfg->mode == CONFIG_MODE_SUBMISSIONS) {
		smtpd_tls_start(c); /* RFC 8314: the client speaks TLS first */
		return;
	}
	if (c->l->cfg->mode == CONFIG_MODE_MX && !c->internal) {
		pause = SMTPD_GREET_PAUSE_MS;
	}
	c->wait = SMTPD_W_GREET;
	event_timer_set(&smtpd.loop, &c->timer, pause, conn_greet_timer, c);
}

void
smtpd_accept(struct event_loop *loop, struct event_io *io, uint32_t ev)
{
	struct smtpd_listener *l = io->arg;
	struct sockaddr_storage ss;
	socklen_t len;
	char ip[SMTPD_IP_TEXT];
	struct smtp_ip cip;
	struct smtpd_conn *c;
	int fd, i;

	(void)loop;
	(void)ev;
	/* a bounded batch, so one busy listener cannot starve the rest */
	for (i = 0; i < 64 && !smtpd.stopping; i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED && errno != EINTR) {
				log_warn("accept on %s: %s", l->cfg->name,
				    strerror(errno));
			}
			return;
		}
		conn_ip(&ss, &cip, ip, sizeof(ip));
		if (!conn_limits_ok(fd, ip, &cip) ||
		    (c = conn_new(l, fd, &ss)) == NULL) {
			continue;
		}
		conn_start(c);
	}
}

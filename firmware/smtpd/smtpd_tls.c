/*
 * smtpd_tls.c - TLS in the smtp process: one server context per
 * listener (firmware/tls), STARTTLS (RFC 3207) and implicit TLS (RFC
 * 8314) on the connections.
 *
 * The contexts are built by smtpd_prepare, which the supervisor calls
 * before it forks (it can read the key files; a broken certificate stops
 * the daemon at start with a message naming the file, instead of a smtp
 * process that dies at every restart). The child inherits them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../sekimorid/stats.h"
#include "../smtp/smtp_reply.h"
#include "../tls/tls_conn.h"
#include "log.h"
#include "smtpd_int.h"

static struct tls_server *smtpd_tls_servers[CONFIG_LISTENERS_MAX];

enum sk_result
smtpd_tls_prepare(const struct config *cfg, char *err, size_t errlen)
{
	const struct config_certificate *cert;
	char e[256];
	size_t i;

	for (i = 0; i < cfg->nlisteners; i++) {
		const struct config_listener *l = &cfg->listeners[i];

		if (!l->enabled || l->certificate[0] == '\0' ||
		    smtpd_tls_servers[i] != NULL) {
			continue;
		}
		cert = config_certificate_find(cfg, l->certificate);
		if (cert == NULL) {
			snprintf(err, errlen, "listener %s: no certificate %s",
			    l->name, l->certificate);
			return SK_E_UNKNOWN;
		}
		if (tls_server_new(&smtpd_tls_servers[i], cert, l,
			cfg->root_directory, e, sizeof(e)) != SK_OK) {
			snprintf(err, errlen, "listener %s: certificate %s: %s",
			    l->name, l->certificate, e);
			return SK_E_SYNTAX;
		}
	}
	return SK_OK;
}

/* smtpd_tls_server - the context of listener index i, or NULL */
void *
smtpd_tls_server(size_t i)
{
	return i < CONFIG_LISTENERS_MAX ? smtpd_tls_servers[i] : NULL;
}

int
smtpd_tls_available(const struct smtpd_listener *l)
{
	return l->tls != NULL;
}

/* tls_fail - the handshake or the session failed: log and close */
static void
tls_fail(struct smtpd_conn *c, const char *what)
{
	char client[SMTPD_IP_TEXT + 16];
	char why[TLS_CONN_ERR_MAX + 64];

	smtpd_conn_client(c, client, sizeof(client));
	snprintf(why, sizeof(why), "%s: %s", what, tls_conn_error(c->tls));
	log_info("TLS %s from %s", why, client);
	smtpd_conn_close(c, NULL);
}

/* tls_established - the handshake completed: greet or reset */
static void
tls_established(struct smtpd_conn *c)
{
	char client[SMTPD_IP_TEXT + 16];
	struct smtp_out out;

	tls_conn_summary(c->tls, c->tls_info, sizeof(c->tls_info));
	snprintf(c->tls_version, sizeof(c->tls_version), "%s",
	    tls_conn_version(c->tls));
	snprintf(c->tls_cipher, sizeof(c->tls_cipher), "%s",
	    tls_conn_cipher(c->tls));
	tls_conn_bits(c->tls, &c->tls_bits, &c->tls_alg_bits);
	smtpd_conn_client(c, client, sizeof(client));
	log_info("Anonymous TLS connection established from %s: %s", client,
	    c->tls_info);
	stats_add(STATS_SMTP_TLS, 1);
	c->wait = SMTPD_W_NONE;
	smtp_session_tls_started(&c->s);
	if (c->l->cfg->mode == CONFIG_MODE_SUBMISSIONS && c->n_cmds == 0) {
		out.len = 0;
		smtp_session_greet(&c->s, &out);
		smtpd_conn_send_out(c, &out);
	}
	smtpd_conn_resume(c);
}

/* tls_handshake - drive the handshake one step */
static void
tls_handshake(struct smtpd_conn *c)
{
	switch (tls_conn_handshake(c->tls)) {
	case TLS_OK:
		tls_established(c);
		return;
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		event_io_mod(&smtpd.loop, &c->io, tls_conn_events(c->tls));
		return;
	case TLS_CLOSED:
	case TLS_ERROR:
		tls_fail(c, "handshake failed");
		return;
	}
}

void
smtpd_tls_start(struct smtpd_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };
	ssize_t w;

	/* The plaintext "220 Ready to start TLS" must leave first. It is
	 * one short line on a socket that has just been read from, so a
	 * full send buffer is a client that reads nothing: a short wait,
	 * then give up. */
	while (c->outoff < c->outlen) {
		w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    poll(&p, 1, 1000) == 1) {
			continue;
		}
		if (w <= 0) {
			smtpd_conn_close(c, "lost connection after STARTTLS");
			return;
		}
		c->outoff += (size_t)w;
	}
	c->outoff = c->outlen = 0;
	c->inlen = 0; /* CVE-2011-0411, again: nothing from before counts */
	if (c->l->tls == NULL ||
	    tls_conn_server((struct tls_conn **)&c->tls, c->l->tls, c->fd) !=
		SK_OK) {
		smtpd_conn_close(c, "cannot start TLS");
		return;
	}
	c->wait = SMTPD_W_TLS;
	tls_handshake(c);
}

void
smtpd_tls_event(struct smtpd_conn *c, uint32_t ev)
{
	(void)ev;
	tls_handshake(c);
}

ssize_t
smtpd_tls_read(struct smtpd_conn *c, uint8_t *buf, size_t len)
{
	size_t n = 0;

	switch (tls_conn_read(c->tls, buf, len, &n)) {
	case TLS_OK:
		return (ssize_t)n;
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case TLS_CLOSED:
		return 0;
	case TLS_ERROR:
		break;
	}
	errno = EPROTO;
	return -1;
}

ssize_t
smtpd_tls_write(struct smtpd_conn *c, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	switch (tls_conn_write(c->tls, buf, len, &n)) {
	case TLS_OK:
		return (ssize_t)n;
	case TLS_WANT_READ:
	case TLS_WANT_WRITE:
		if (n > 0) {
			return (ssize_t)n;
		}
		errno = EAGAIN;
		return -1;
	case TLS_CLOSED:
	case TLS_ERROR:
		break;
	}
	errno = EPIPE;
	return -1;
}

/* smtpd_tls_pending_write - the engine holds records to send */
int
smtpd_tls_pending_write(struct smtpd_conn *c)
{
	size_t n;

	if (c->tls == NULL) {
		return 0;
	}
	(void)tls_conn_write(c->tls, NULL, 0, &n);
	return (tls_conn_events(c->tls) & EVENT_WRITE) != 0;
}

void
smtpd_tls_free(struct smtpd_conn *c)
{
	if (c->tls == NULL) {
		return;
	}
	(void)tls_conn_close(c->tls); /* close_notify, best effort */
	tls_conn_free(c->tls);
	c->tls = NULL;
}

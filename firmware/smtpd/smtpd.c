/*
 * smtpd.c - the smtp process: its event loop, its links to the
 * supervisor and the queue, and the listeners (smtpd.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msg_body.h"
#include "smtpd_int.h"

struct smtpd smtpd;

/* smtpd_caps - the extensions a listener offers */
static unsigned
smtpd_caps(const struct smtpd_listener *l)
{
	unsigned caps = SMTP_EXT_SIZE | SMTP_EXT_8BITMIME | SMTP_EXT_SMTPUTF8 |
	    SMTP_EXT_DSN | SMTP_EXT_PIPELINING | SMTP_EXT_CHUNKING |
	    SMTP_EXT_ENHANCED;

	if (l->cfg->mode != CONFIG_MODE_SUBMISSIONS && l->tls != NULL) {
		caps |= SMTP_EXT_STARTTLS;
	}
	if (l->cfg->smtp_auth != CONFIG_AUTH_DISABLED) {
		caps |= SMTP_EXT_AUTH;
	}
	return caps;
}

/* smtpd_listen - watch every listener for connections */
static void
smtpd_listen(const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < CONFIG_LISTENERS_MAX; i++) {
		struct smtpd_listener *l = &smtpd.listeners[i];

		l->cfg = &smtpd.cfg->listeners[i];
		l->fd = fds[i];
		l->tls = smtpd_tls_server(i);
		l->caps = smtpd_caps(l);
		if (l->fd != -1 &&
		    event_io_add(&smtpd.loop, &l->io, l->fd, EVENT_READ,
			smtpd_accept, l) == -1) {
			fatal("listener %s: %s", l->cfg->name, strerror(errno));
		}
	}
	smtpd.nlisteners = n;
}

/* smtpd_stop - MSG_SHUTDOWN: no new connections, close the others.
 * A transaction waiting for its commit never heard 250: the client
 * retries, so nothing is lost. */
static void
smtpd_stop(void)
{
	size_t i;

	smtpd.stopping = 1;
	for (i = 0; i < smtpd.nlisteners; i++) {
		if (smtpd.listeners[i].fd != -1) {
			event_io_del(&smtpd.loop, &smtpd.listeners[i].io);
			close(smtpd.listeners[i].fd);
			smtpd.listeners[i].fd = -1;
		}
	}
	for (i = 0; i < smtpd.maxconns; i++) {
		if (smtpd.conns[i] != NULL) {
			smtpd_conn_reply(smtpd.conns[i], SMTP_R_SHUTDOWN, NULL);
			smtpd_conn_close(smtpd.conns[i], "shutdown");
		}
	}
	chan_drain(&smtpd.parent, 1000);
	exit(0);
}

/* smtpd_peer - MSG_PEER: the queue's, the policy's or the content
 * process's new socket */
static void
smtpd_peer(struct msg *m)
{
	uint32_t role = msg_get_u32(m->body);

	if ((role == MSG_ROLE_POLICY || role == MSG_ROLE_CONTENT) &&
	    m->fd != -1) {
		smtpd_check_link(role == MSG_ROLE_POLICY ? SMTPD_CHECK_POLICY :
							   SMTPD_CHECK_CONTENT,
		    m->fd);
		m->fd = -1;
		return;
	}
	if (role != MSG_ROLE_QUEUE || m->fd == -1) {
		fatal("MSG_PEER for role %u", role);
	}
	if (chan_open(&smtpd.queue, &smtpd.loop, m->fd, smtpd_queue_msg,
		smtpd_queue_closed, NULL) == -1) {
		fatal("queue link: %s", strerror(errno));
	}
	m->fd = -1;
	smtpd.queue_gen++;
}

static void
smtpd_parent_msg(struct chan *ch, struct msg *m, void *arg)
{
	(void)ch;
	(void)arg;
	switch (m->hdr.type) {
	case MSG_SHUTDOWN:
		smtpd_stop();
		break;
	case MSG_PEER:
		smtpd_peer(m);
		break;
	case MSG_AUTH_RESULT: {
		struct smtpd_conn *c = smtpd_conn_find(m->hdr.peer);

		if (c != NULL) {
			smtpd_auth_result(c, m);
		}
		break;
	}
	default:
		fatal("unexpected %s from the supervisor",
		    msg_type_name(m->hdr.type));
	}
	if (m->fd != -1) {
		close(m->fd);
	}
}

static void
smtpd_parent_closed(struct chan *ch, enum sk_result why, void *arg)
{
	(void)ch;
	(void)arg;
	/* no supervisor, no logs and no restarts: stop at once */
	_exit(why == SK_E_CLOSED ? 0 : 1);
}

/* smtpd_hello - the first message to the supervisor */
static void
smtpd_hello(void)
{
	uint8_t body[MSG_HELLO_LEN];

	msg_put_u32(body, MSG_PROTO_VERSION);
	msg_put_u32(body + 4, MSG_ROLE_SMTP);
	chan_send(&smtpd.parent, MSG_HELLO, 0, -1, body, sizeof(body));
}

/* smtpd_relay_conf - relay control's view of the config */
static void
smtpd_relay_conf(void)
{
	const struct config *cfg = smtpd.cfg;
	size_t i;

	smtpd.relay_domains =
	    calloc(cfg->nrelay_domains + 1, sizeof(*smtpd.relay_domains));
	smtpd.relay_nets =
	    calloc(cfg->ninternal_networks + 1, sizeof(*smtpd.relay_nets));
	if (smtpd.relay_domains == NULL || smtpd.relay_nets == NULL) {
		fatal("no memory for relay control");
	}
	for (i = 0; i < cfg->nrelay_domains; i++) {
		const struct config_relay_domain *d = &cfg->relay_domains[i];
		struct smtp_relay_domain *r = &smtpd.relay_domains[i];

		r->name = d->name;
		r->known_recipients_only = d->known_recipients_only;
		r->known = &cfg->known_recipients[d->recipients_first];
		r->nknown = d->recipients_count;
	}
	for (i = 0; i < cfg->ninternal_networks; i++) {
		smtpd.relay_nets[i].family = cfg->internal_networks[i].family;
		memcpy(smtpd.relay_nets[i].addr, cfg->internal_networks[i].addr,
		    16);
		smtpd.relay_nets[i].len = cfg->internal_networks[i].len;
	}
	smtpd.relay.domains = smtpd.relay_domains;
	smtpd.relay.ndomains = cfg->nrelay_domains;
	smtpd.relay.nets = smtpd.relay_nets;
	smtpd.relay.nnets = cfg->ninternal_networks;
}

/* smtpd_tables - the connection table and the timer heap */
static void
smtpd_tables(void)
{
	size_t timers;

	smtpd.maxconns = smtpd.cfg->limits.connections_total;
	if (smtpd.maxconns == 0) {
		smtpd.maxconns = 1;
	}
	timers = smtpd.maxconns + SMTPD_TIMERS_MIN;
	smtpd.conns = calloc(smtpd.maxconns, sizeof(*smtpd.conns));
	smtpd_slots_init(smtpd.maxconns);
	smtpd.heap = calloc(timers, sizeof(*smtpd.heap));
	if (smtpd.conns == NULL || smtpd.heap == NULL ||
	    event_init(&smtpd.loop, smtpd.heap, timers) == -1) {
		fatal("no memory for %zu connections", smtpd.maxconns);
	}
}

enum sk_result
smtpd_prepare(const struct config *cfg, char *err, size_t errlen)
{
	return smtpd_tls_prepare(cfg, err, errlen);
}

_Noreturn void
smtpd_process(const struct config *cfg, int parent_sock, int queue_sock,
    int policy_sock, int content_sock, const int *listen_fds, size_t nlisten)
{
	smtpd.cfg = cfg;
	if (cfg->server_name[0] != '\0') {
		memcpy(smtpd.hostname, cfg->server_name,
		    sizeof(smtpd.hostname));
	} else if (gethostname(smtpd.hostname, sizeof(smtpd.hostname) - 1) ==
	    -1) {
		strcpy(smtpd.hostname, "localhost");
	}
	smtpd_tables();
	smtpd_relay_conf();
	event_timer_init(&smtpd.reaper);
	chan_init(&smtpd.parent);
	chan_init(&smtpd.queue);
	smtpd_check_init();
	if (chan_open(&smtpd.parent, &smtpd.loop, parent_sock, smtpd_parent_msg,
		smtpd_parent_closed, NULL) == -1) {
		_exit(1);
	}
	log_set_sink(chan_log_sink, &smtpd.parent);
	smtpd_hello();
	if (queue_sock != -1) {
		if (chan_open(&smtpd.queue, &smtpd.loop, queue_sock,
			smtpd_queue_msg, smtpd_queue_closed, NULL) == -1) {
			fatal("queue link: %s", strerror(errno));
		}
		smtpd.queue_gen++;
	}
	if (policy_sock != -1) {
		smtpd_check_link(SMTPD_CHECK_POLICY, policy_sock);
	}
	if (content_sock != -1) {
		smtpd_check_link(SMTPD_CHECK_CONTENT, content_sock);
	}
	smtpd_listen(listen_fds, nlisten);
	if (event_run(&smtpd.loop) == -1) {
		fatal("event loop: %s", strerror(errno));
	}
	exit(0);
}

/*
 * smtpd_int.h - what the files of the smtp process share.
 *
 * One struct smtpd per process (static), one struct smtpd_conn per
 * client connection (allocated at accept, freed at close). Memory per
 * connection is bounded: the session (about 5 KiB), an input buffer that
 * starts small and grows only to the SASL line limit, an output buffer
 * only while the client does not read, and the recipient list, bounded
 * by the recipient limit.
 */
#ifndef SMTPD_INT_H
#define SMTPD_INT_H
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../config/config.h"
#include "../smtp/smtp_relay.h"
#include "../smtp/smtp_session.h"
#include "buf.h"
#include "chan.h"
#include "event.h"
#include "msg_types.h"
#include "smtpd.h"

#define SMTPD_TIMERS_MIN 64
#define SMTPD_IN_SMALL 1024 /* input buffer of a new connection */
/* the most input held: one SASL line (RFC 4954 4) and its CRLF */
#define SMTPD_IN_MAX (SMTP_AUTH_LINE_MAX + 2)
#define SMTPD_OUT_MAX 65536 /* replies held for a client that does not read */
#define SMTPD_GREET_PAUSE_MS 300 /* mx listeners, clients not internal */
#define SMTPD_ADDR_MAX (SMTP_ADDR_LOCAL_MAX + 1 + SMTP_ADDR_DOMAIN_MAX + 2)
#define SMTPD_ORCPT_MAX 520
#define SMTPD_IP_TEXT 46

struct smtpd_listener {
	const struct config_listener *cfg;
	int fd;
	struct event_io io;
	unsigned caps; /* SMTP_EXT_* offered here */
	void *tls;     /* the server TLS context, or NULL */
};

struct smtpd_rcpt {
	char addr[SMTPD_ADDR_MAX];
	uint32_t notify;
	char orcpt[SMTPD_ORCPT_MAX];
};

enum smtpd_wait {
	SMTPD_W_NONE = 0,
	SMTPD_W_GREET,  /* greet pause: input now is an early talker */
	SMTPD_W_OPEN,   /* Q_OPEN sent; a MAIL line waits for the file */
	SMTPD_W_CHECK,  /* P_CHECK sent; the commit waits for the verdict */
	SMTPD_W_COMMIT, /* Q_COMMIT sent; the 250 waits for the disk */
	SMTPD_W_AUTH,   /* AUTH_CHECK sent; the 235/535 waits */
	SMTPD_W_TLS,    /* TLS handshake in progress */
	SMTPD_W_CLOSE,  /* flushing the last reply, then close */
	SMTPD_W_DEAD,   /* closed; the record is freed by the reaper */
};

struct smtpd_conn {
	uint32_t id; /* hdr.peer of its Q_* and AUTH_* messages */
	int fd;
	struct event_io io;
	struct event_timer timer;
	struct smtpd_listener *l;
	struct sockaddr_storage peer;
	char ip[SMTPD_IP_TEXT];
	struct smtp_ip client; /* the peer's address, IPv4-mapped unwrapped */
	int internal;          /* client in an internal network */
	enum smtpd_wait wait;
	int body;         /* the next input is message content */
	int queue_gen_ok; /* the queue link its transaction lives on */
	unsigned queue_gen;
	struct smtp_session s;
	struct buf_line lines;
	uint8_t *in;
	size_t inlen, incap;
	char *out; /* replies the socket did not take yet */
	size_t outlen, outoff;
	/* the transaction */
	int open_pending;   /* Q_OPEN sent, no answer yet */
	uint32_t open_fail; /* a refused early Q_OPEN: the next MAIL's answer */
	int client_logged;  /* "QID: client=" written for this file */
	int spool_fd;
	char qid[MSG_QUEUE_ID_MAX + 1];
	/* Q_OPENED's spare id: a strip's original will have it, and the
	 * policy seals the stripped text with it in place (P_SEAL) */
	char spare_qid[MSG_QUEUE_ID_MAX + 1];
	uint64_t written;
	int write_error;
	char *prepend; /* the checks' header blocks for Q_COMMIT, or NULL */
	size_t prepend_len;
	char *quarantine; /* a check's quarantine reason, or NULL */
	/* the content process's rewritten message for Q_COMMIT: a
	 * descriptor we never read, valid while rewrite is not 0 */
	uint8_t rewrite; /* enum msg_rewrite */
	int rewrite_fd;
	uint8_t check; /* SMTPD_W_CHECK: the check that has the message */
	/* the policy's ARC set at the top of prepend (0: none), and
	 * whether the policy now seals the rewritten message (P_SEAL) */
	size_t seal_len;
	int sealing;
	struct smtpd_rcpt *rcpts;
	size_t nrcpts;
	struct smtp_addr first_rcpt; /* for "for <rcpt>" in Received */
	char auth_user[CONFIG_USER_SIZE];
	char helo[SMTP_SESSION_HOST_MAX + 1]; /* as the client gave it */
	void *sasl;         /* struct smtp_sasl while authenticating */
	int in_auth;        /* the line just given was a SASL response */
	void *tls;          /* the TLS connection, or NULL */
	char tls_info[128]; /* "TLSv1.2 with cipher ... (128/128 bits)" */
	char tls_version[16];
	char tls_cipher[64];
	unsigned tls_bits, tls_alg_bits;
	/* counters for the disconnect line */
	unsigned n_ehlo, n_mail, n_rcpt, n_data, n_quit, n_cmds;
	struct smtpd_conn *next_dead; /* the reaper's list */
};

/* The checks between the end of data and the commit (smtpd_check.c), in
 * the order they run. */
enum { SMTPD_CHECK_POLICY, SMTPD_CHECK_CONTENT, SMTPD_CHECKS };

struct smtpd_check {
	const char *name; /* "policy", "content": for logs */
	const char *away; /* the 451 while its process is away */
	struct chan chan;
	chan_msg_fn *msg;
	chan_close_fn *closed;
};

struct smtpd {
	const struct config *cfg;
	struct event_loop loop;
	struct event_timer **heap;
	struct chan parent;
	struct chan queue;
	unsigned queue_gen; /* bumped at each new queue link */
	struct smtpd_check checks[SMTPD_CHECKS];
	struct smtpd_listener listeners[CONFIG_LISTENERS_MAX];
	size_t nlisteners;
	struct smtpd_conn **conns; /* by slot; id = slot | generation */
	size_t maxconns, nconns;
	uint32_t idgen;
	struct smtpd_conn *dead;   /* closed connections to free */
	struct event_timer reaper; /* frees them after the current callback */
	char hostname[CONFIG_DOMAIN_SIZE];
	struct smtp_relay_conf relay; /* relay control, from the config */
	struct smtp_relay_domain *relay_domains;
	struct smtp_relay_net *relay_nets;
	int stopping;
};

extern struct smtpd smtpd;

/* smtpd_slots.c: free slots of smtpd.conns, connections per address */
void smtpd_slots_init(size_t maxconns);
void smtpd_slots_free(void);
long smtpd_slot_take(void); /* a free slot, or -1 */
void smtpd_slot_put(size_t slot);
uint32_t smtpd_client_count(const char *ip);
void smtpd_client_add(const char *ip);
void smtpd_client_del(const char *ip);

/* smtpd_conn.c */
void smtpd_accept(struct event_loop *loop, struct event_io *io, uint32_t ev);
void smtpd_conn_close(struct smtpd_conn *c, const char *why);
void smtpd_conn_resume(struct smtpd_conn *c);
void smtpd_conn_reply(struct smtpd_conn *c, enum smtp_reply_id id,
    const char *detail);
void smtpd_conn_send_out(struct smtpd_conn *c, struct smtp_out *out);
struct smtpd_conn *smtpd_conn_find(uint32_t id);
void smtpd_conn_client(const struct smtpd_conn *c, char *buf, size_t len);

/* smtpd_txn.c: the message's way to the queue */
int smtpd_txn_mail_waits(struct smtpd_conn *c);
void smtpd_txn_prefetch(struct smtpd_conn *c);
void smtpd_txn_opened(struct smtpd_conn *c, const struct msg *m);
/* smtpd_txn_opened_get - Q_OPENED's body: 0 with a queue id that is not
 * empty and a spare id that may stand for MSG_QID_TOKEN (qid_token.h)
 * and differs from it; -1 for anything else */
int smtpd_txn_opened_get(const uint8_t *body, size_t len,
    char qid[MSG_QUEUE_ID_MAX + 1], char spare[MSG_QUEUE_ID_MAX + 1]);
void smtpd_txn_failed(struct smtpd_conn *c, const struct msg *m);
void smtpd_txn_content(void *arg, const uint8_t *buf, size_t len);
void smtpd_txn_data_start(struct smtpd_conn *c);
void smtpd_txn_message(struct smtpd_conn *c, struct smtp_out *out);
void smtpd_txn_committed(struct smtpd_conn *c, const struct msg *m,
    struct smtp_out *out);
void smtpd_txn_reset(struct smtpd_conn *c);
void smtpd_txn_abort(struct smtpd_conn *c);
enum smtp_reply_id smtpd_txn_rcpt(void *arg, const struct smtp_addr *rcpt,
    const struct smtp_rcpt_params *p, int authenticated);
void smtpd_queue_msg(struct chan *ch, struct msg *m, void *arg);
void smtpd_queue_closed(struct chan *ch, enum sk_result why, void *arg);
void smtpd_txn_commit(struct smtpd_conn *c, struct smtp_out *out);
/* smtpd_txn_sender - the reverse-path as text ("" = the null sender) */
void smtpd_txn_sender(const struct smtpd_conn *c, char *out, size_t len);

/* smtpd_check.c: the policy and content checks before the commit */
void smtpd_check_init(void);
/* smtpd_check_link - fd is the new socket to check i's process */
void smtpd_check_link(size_t i, int fd);
/* smtpd_check_next - run the checks from i on for c's message, then
 * commit; each refusal answers the client itself */
void smtpd_check_next(struct smtpd_conn *c, size_t from, struct smtp_out *out);
/*
 * smtpd_check_rewrite - for Q_COMMIT: the rewritten message's descriptor
 * (the caller owns it now: the channel takes it, or the caller closes
 * it) and its mode in *mode (u8 rewrite of Q_COMMIT, sent when not 0);
 * -1 and MSG_REWRITE_NONE when the message is not rewritten
 */
int smtpd_check_rewrite(struct smtpd_conn *c, uint8_t *mode);
/* smtpd_check_forget - free what the checks gave c's transaction */
void smtpd_check_forget(struct smtpd_conn *c);
/* smtpd_outbound - c's mail goes out (authenticated or internal) */
int smtpd_outbound(const struct smtpd_conn *c);

/* smtpd_auth.c */
void smtpd_auth_step(struct smtpd_conn *c, struct smtp_out *out);
void smtpd_auth_result(struct smtpd_conn *c, const struct msg *m);
void smtpd_auth_free(struct smtpd_conn *c);

/* smtpd_tls.c */
enum sk_result smtpd_tls_prepare(const struct config *cfg, char *err,
    size_t errlen);
int smtpd_tls_available(const struct smtpd_listener *l);
void smtpd_tls_start(struct smtpd_conn *c);
void smtpd_tls_event(struct smtpd_conn *c, uint32_t ev);
ssize_t smtpd_tls_read(struct smtpd_conn *c, uint8_t *buf, size_t len);
ssize_t smtpd_tls_write(struct smtpd_conn *c, const uint8_t *buf, size_t len);
void smtpd_tls_free(struct smtpd_conn *c);
void *smtpd_tls_server(size_t i);
int smtpd_tls_pending_write(struct smtpd_conn *c);

#endif /* SMTPD_INT_H */

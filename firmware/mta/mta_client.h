/*
 * mta_client.h - the SMTP client of outbound delivery, sans-I/O.
 *
 * Security level: high. It reads every byte a remote server sends (any
 * server on the internet that a recipient domain's MX points to) and
 * decides what of our message and credentials goes out.
 *
 * One struct mta_client is one SMTP session on one connection. The
 * caller (mta_process.c, the tests, the fuzz target) moves the bytes:
 *
 *	mta_client_init(c, &conf)            before the greeting
 *	mta_client_start(c, &msg)            the job: now, or on WANT_JOB
 *	loop:
 *	  write mta_client_output(), then mta_client_sent(n)
 *	  switch (mta_client_want(c)):
 *	  READ     read the socket: mta_client_input(bytes), or
 *	           mta_client_eof / _timeout / _io_error
 *	  CONTENT  mta_client_content(chunk) ... mta_client_content_end()
 *	  TLS      handshake on the socket, then mta_client_tls_done(ok)
 *	  JOB      idle and reusable: mta_client_start(next) or _quit()
 *	  CLOSE    write what is left if possible, then close
 *
 * The session: greeting -> EHLO (HELO if EHLO gets 500/502) -> STARTTLS
 * when the policy and the server allow -> EHLO again (RFC 3207 4.2) ->
 * AUTH PLAIN or LOGIN when credentials are set, only over TLS -> per job:
 * MAIL, RCPT..., DATA (one group with PIPELINING, RFC 2920), the content
 * dot-stuffed, the final dot -> RSET, and the connection is reusable.
 *
 * Outcomes. Every recipient of a job gets exactly one result through
 * conf->result once the server has answered MAIL FROM, or when the
 * client refuses the job itself (SMTPUTF8, SIZE, BINARYMIME); the job is
 * then MTA_JOB_DONE. A failure before the server answered MAIL FROM
 * (connection lost, timeout, 4xx/5xx greeting or EHLO, TLS required but
 * missing, AUTH refused, a protocol violation) is the session's: no
 * recipient result, the job is MTA_JOB_SESSION_FAILED and
 * mta_client_failure() says why, so that the caller can try the next
 * server. Reply codes map as RFC 5321 4.2.1: 2xx delivered, 4xx
 * temporary, 5xx permanent; lost connections, timeouts and protocol
 * violations are temporary.
 *
 * Ownership: the caller owns struct mta_client (about 40 KiB: heap or
 * static), the conf strings and the message, all of which must outlive
 * the session or the job. No allocation, no I/O, no logging.
 */
#ifndef SK_MTA_CLIENT_H
#define SK_MTA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "msg.h"
#include "msg_types.h"
#include "mta_policy.h"
#include "mta_reply.h"
#include "sk.h"

/* Client timeouts of RFC 5321 4.5.3.2, in milliseconds. */
#define MTA_TIMEOUT_GREETING (300u * 1000)   /* 4.5.3.2.1: 5 minutes */
#define MTA_TIMEOUT_MAIL (300u * 1000)       /* 4.5.3.2.2: 5 minutes */
#define MTA_TIMEOUT_RCPT (300u * 1000)       /* 4.5.3.2.3: 5 minutes */
#define MTA_TIMEOUT_DATA_INIT (120u * 1000)  /* 4.5.3.2.4: 2 minutes */
#define MTA_TIMEOUT_DATA_BLOCK (180u * 1000) /* 4.5.3.2.5: 3 minutes */
#define MTA_TIMEOUT_DATA_END (600u * 1000)   /* 4.5.3.2.6: 10 minutes */
/* Not set by the RFC; Postfix's smtp_helo_timeout, smtp_starttls_timeout
 * and smtp_rset_timeout / smtp_quit_timeout. */
#define MTA_TIMEOUT_EHLO (300u * 1000)
#define MTA_TIMEOUT_TLS (300u * 1000)
#define MTA_TIMEOUT_RSET (20u * 1000)

#define MTA_IN_MAX (2 * MTA_REPLY_LINE_MAX) /* server bytes held */
#define MTA_OUT_MAX 32768 /* client bytes queued for the socket */
/* Recipients per job: as many as one M_DELIVER body can carry (each
 * takes at least 12 octets: id, empty address, notify, empty ORCPT), so
 * that no well-formed job is ever refused. */
#define MTA_RCPTS_MAX (MSG_BODY_MAX / 12)
#define MTA_DSN_MAX 12         /* "5.123.456" and NUL */
#define MTA_TEXT_MAX 1536      /* an outcome's text */
#define MTA_PEER_MAX 320       /* "host[ip]" as conf->host */
#define MTA_AUTH_FIELD_MAX 255 /* next-hop user name and password */
#define MTA_COMMAND_MAX 1200   /* one command line we write */

/* Extensions found in the EHLO reply. */
#define MTA_EXT_PIPELINING 0x001 /* RFC 2920 */
#define MTA_EXT_SIZE 0x002       /* RFC 1870 */
#define MTA_EXT_8BITMIME 0x004   /* RFC 6152 */
#define MTA_EXT_SMTPUTF8 0x008   /* RFC 6531 */
#define MTA_EXT_DSN 0x010        /* RFC 3461 */
#define MTA_EXT_STARTTLS 0x020   /* RFC 3207 */
#define MTA_EXT_AUTH 0x040       /* RFC 4954 */
#define MTA_EXT_ENHANCED 0x080   /* RFC 2034 */
#define MTA_EXT_CHUNKING 0x100   /* RFC 3030 */
#define MTA_EXT_BINARYMIME 0x200 /* RFC 3030 */
#define MTA_AUTH_PLAIN 0x1
#define MTA_AUTH_LOGIN 0x2

struct mta_outcome {
	enum msg_delivery_status status;
	char dsn[MTA_DSN_MAX];
	char text[MTA_TEXT_MAX];
};

struct mta_rcpt {
	const char *addr;  /* without angle brackets */
	uint32_t notify;   /* MSG_NOTIFY_* bits, 0 = not given */
	const char *orcpt; /* "" or "addr-type;xtext" as received */
};

/* One message to deliver, as M_DELIVER gives it. */
struct mta_msg {
	const char *sender; /* "" for the null sender */
	const char *envid;  /* "" or xtext */
	enum msg_dsn_ret ret;
	enum msg_body_type body;
	int smtputf8;  /* SMTPUTF8 was given at reception */
	uint64_t size; /* octets of the content, for SIZE= */
	const struct mta_rcpt *rcpt;
	size_t nrcpt; /* 1..MTA_RCPTS_MAX */
};

typedef void mta_result_fn(void *arg, size_t rcpt, const struct mta_outcome *o);

struct mta_client_conf {
	const char *helo; /* our name in EHLO/HELO */
	const char *host; /* "name[ip]" of the server, for texts */
	enum mta_tls_mode tls;
	int tls_available;     /* a TLS implementation can be used */
	int tls_active;        /* implicit TLS: encrypted from the start */
	int no_starttls;       /* retry in plaintext after a failed handshake */
	const char *auth_user; /* NULL, or credentials sent over TLS only */
	const char *auth_pass;
	mta_result_fn *result;
	void *arg;
};

enum mta_want {
	MTA_WANT_READ,    /* waiting for the server */
	MTA_WANT_CONTENT, /* give message content */
	MTA_WANT_TLS,     /* do the TLS handshake, then tls_done */
	MTA_WANT_JOB,     /* idle between jobs */
	MTA_WANT_CLOSE,   /* the session is over */
};

enum mta_job_state {
	MTA_JOB_NONE,           /* no job given */
	MTA_JOB_RUNNING,        /* results still to come */
	MTA_JOB_DONE,           /* every recipient has its result */
	MTA_JOB_SESSION_FAILED, /* no result given: see mta_client_failure */
};

enum mta_state {
	MTA_S_GREETING,
	MTA_S_EHLO,
	MTA_S_HELO,
	MTA_S_STARTTLS,
	MTA_S_TLS,
	MTA_S_AUTH,
	MTA_S_AUTH_USER,
	MTA_S_AUTH_PASS,
	MTA_S_READY,
	MTA_S_TXN,
	MTA_S_CONTENT,
	MTA_S_DOT,
	MTA_S_RSET,
	MTA_S_CLOSED,
};

/* Recipient progress within the transaction. */
enum mta_rcpt_state {
	MTA_R_UNSENT = 0,
	MTA_R_SENT,
	MTA_R_ACCEPTED,
	MTA_R_RESOLVED, /* its result was given */
};

struct mta_client {
	struct mta_client_conf conf;
	enum mta_state state;
	unsigned ext;        /* MTA_EXT_* of the last EHLO */
	unsigned ext_new;    /* ... of the EHLO being read */
	unsigned auth_mechs; /* MTA_AUTH_* */
	unsigned auth_new;
	uint64_t size_max; /* SIZE limit, 0 = none */
	uint64_t size_new;
	int tls_active;
	int esmtp;
	int authed;
	int tls_failed;    /* the handshake failed (may: retry plaintext) */
	size_t discarded;  /* octets dropped before the TLS handshake */
	size_t input_rest; /* octets of this input not yet buffered */

	/* the job */
	const struct mta_msg *msg;
	enum mta_job_state job;
	uint8_t rcpt_state[MTA_RCPTS_MAX];
	size_t rcpt_next; /* next recipient to consider for RCPT */
	size_t rcpt_out;  /* RCPT replies still owed */
	size_t naccepted, nresolved;
	int need_utf8; /* SMTPUTF8 goes with MAIL (RFC 6531 3.4) */
	int mail_sent, mail_replied, mail_failed;
	int data_sent, data_replied;
	/* content */
	int bol;     /* at the start of a line */
	int prev_cr; /* the last content octet was CR */
	int content_eof;

	struct mta_outcome fail; /* the session failure, if any */
	int failed;

	struct buf_line lines;
	struct mta_reply reply;
	struct buf in, out;
	uint8_t inbuf[MTA_IN_MAX];
	uint8_t outbuf[MTA_OUT_MAX];
};

/* mta_client_init - a session before the greeting; conf is copied */
void mta_client_init(struct mta_client *c, const struct mta_client_conf *conf);
/*
 * mta_client_start - give the job: before the session is up (it starts
 * once ready), or on MTA_WANT_JOB. m must stay valid until the job is
 * DONE or SESSION_FAILED.
 */
void mta_client_start(struct mta_client *c, const struct mta_msg *m);
/* mta_client_quit - end an idle session: QUIT, then MTA_WANT_CLOSE */
void mta_client_quit(struct mta_client *c);

/* mta_client_input - bytes the server sent */
void mta_client_input(struct mta_client *c, const uint8_t *p, size_t n);
/* mta_client_eof - the server closed the connection */
void mta_client_eof(struct mta_client *c);
/* mta_client_io_error - reading or writing failed (why: strerror) */
void mta_client_io_error(struct mta_client *c, const char *why);
/* mta_client_timeout - mta_client_timeout_ms passed without progress */
void mta_client_timeout(struct mta_client *c);
/* mta_client_abort - a local error (the spool file cannot be read): what
 * is open fails temporarily, the connection closes without QUIT */
void mta_client_abort(struct mta_client *c, const char *why);
/* mta_client_tls_done - the handshake after STARTTLS ended */
void mta_client_tls_done(struct mta_client *c, int ok, const char *why);

/* mta_client_output - bytes to write; *n of them (0: none) */
const uint8_t *mta_client_output(const struct mta_client *c, size_t *n);
/* mta_client_sent - n bytes of the output were written */
void mta_client_sent(struct mta_client *c, size_t n);
/*
 * mta_client_content - message content on MTA_WANT_CONTENT: the client
 * dot-stuffs it into the output; returns the octets taken (fewer than n
 * when the output is full: write, then give the rest).
 */
size_t mta_client_content(struct mta_client *c, const uint8_t *p, size_t n);
/* mta_client_content_end - the content is complete: the final dot */
void mta_client_content_end(struct mta_client *c);

enum mta_want mta_client_want(const struct mta_client *c);
/* mta_client_timeout_ms - how long the current step may take */
uint64_t mta_client_timeout_ms(const struct mta_client *c);
enum mta_job_state mta_client_job(const struct mta_client *c);
/* mta_client_failure - why the session failed, or NULL */
const struct mta_outcome *mta_client_failure(const struct mta_client *c);

const char *mta_state_name(enum mta_state s);

#endif /* SK_MTA_CLIENT_H */

/*
 * smtp_session.h - the SMTP server protocol state machine, without I/O.
 *
 * Security-sensitive: it decides what a network peer may do next. It
 * owns no socket, no timer and no storage: the caller (the smtp process's
 * event loop) feeds it lines and body bytes and sends what it writes into
 * struct smtp_out. It never allocates.
 *
 * Caller contract:
 *   1. smtp_session_greet: send the 220. Bytes that arrive before it
 *      (an early talker) are the caller's to refuse.
 *   2. In command mode, cut lines with lib/buf.h's buf_line_next (limit
 *      smtp_session_line_max) and pass each to smtp_session_line, with
 *      more = 1 when the input buffer still holds bytes after that line;
 *      pass splitter errors to smtp_session_line_error.
 *   3. SMTP_A_DATA / SMTP_A_BDAT: the next input bytes are message
 *      content: pass them to smtp_session_body until it returns
 *      something other than SMTP_A_BODY; it says how many it used; the
 *      rest is command input again. Call it at once, even with no bytes
 *      buffered: a BDAT chunk may be empty ("BDAT 0 LAST").
 *   4. SMTP_A_MESSAGE: a complete, acceptable message went to the
 *      content callback; make it durable, then call
 *      smtp_session_message_done (250 only after that, DESIGN.md 1).
 *   5. SMTP_A_STARTTLS: send the reply, DISCARD every byte still
 *      buffered (CVE-2011-0411), run the handshake, then call
 *      smtp_session_tls_started (RFC 3207 4.2: all state is forgotten).
 *   6. SMTP_A_AUTH: a SASL step; s->sasl and s->sasl_len hold the
 *      mechanism line or the client's response; answer with
 *      smtp_session_auth_reply. "*" aborts (RFC 4954 4) and is handled
 *      here: 501 5.7.0, and nothing of the exchange survives
 *      (CVE-2011-1720 class).
 *   7. SMTP_A_CLOSE: send what is in out, then close.
 *
 * Pipelining (RFC 2920 3.1), decided here:
 *   - without PIPELINING negotiated (HELO, or EHLO when not offered), any
 *     command followed by more input is a protocol synchronization error
 *     (554 5.5.0, then close), like Postfix's
 *     smtpd_forbid_unauth_pipelining; BDAT is exempt, its chunk follows
 *     by definition (RFC 3030 2);
 *   - with PIPELINING, EHLO, HELO, DATA, STARTTLS and AUTH must end a
 *     group: more input after them is the same error. (NOOP, VRFY, EXPN
 *     and HELP change no state and are tolerated.) This is what stops a
 *     message pipelined after DATA, and plaintext after STARTTLS.
 */
#ifndef SK_SMTP_SESSION_H
#define SK_SMTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "smtp_addr.h"
#include "smtp_cmd.h"
#include "smtp_data.h"
#include "smtp_param.h"
#include "smtp_reply.h"

#define SMTP_SESSION_RCPTS_MAX 100  /* RFC 5321 4.5.3.1.8: at least 100 */
#define SMTP_SESSION_ERRORS_MAX 20  /* 421 after this many (Postfix: 20) */
#define SMTP_SESSION_CMDS_MAX 10000 /* commands per connection */
#define SMTP_SESSION_HOST_MAX 255   /* RFC 5321 4.5.3.1.2 */
#define SMTP_OUT_MAX 2048           /* replies written per call */

enum smtp_state {
	SMTP_S_GREETED = 0, /* 220 sent; EHLO/HELO expected */
	SMTP_S_READY,       /* after EHLO/HELO, RSET or a message */
	SMTP_S_MAIL,        /* MAIL accepted */
	SMTP_S_RCPT,        /* at least one RCPT accepted */
	SMTP_S_DATA,        /* reading DATA content */
	SMTP_S_BDAT,        /* reading a BDAT chunk */
	SMTP_S_AUTH,        /* inside a SASL exchange */
	SMTP_S_CLOSED,      /* nothing more is accepted */
};

enum smtp_action {
	SMTP_A_NONE = 0, /* send out; read the next line */
	SMTP_A_DATA,     /* content follows: smtp_session_body */
	SMTP_A_BDAT,     /* chunk follows: smtp_session_body */
	SMTP_A_BODY,     /* (from smtp_session_body) content goes on */
	SMTP_A_MESSAGE,  /* a message is complete: store, then message_done */
	SMTP_A_STARTTLS, /* send out, discard input, handshake */
	SMTP_A_AUTH,     /* a SASL step for the caller */
	SMTP_A_CLOSE,    /* send out, then close */
};

enum smtp_auth_result {
	SMTP_AUTH_CONTINUE, /* 334 challenge */
	SMTP_AUTH_OK,       /* 235 2.7.0 */
	SMTP_AUTH_FAIL,     /* 535 5.7.8 */
	SMTP_AUTH_BADMECH,  /* 504 5.5.4 */
	SMTP_AUTH_TEMP,     /* 454 4.7.0: locked out, or cannot check now */
};

/*
 * Relay control and recipient checks are the caller's: rcpt_check
 * returns SMTP_R_NONE to accept a parsed recipient, or the refusal.
 */
typedef enum smtp_reply_id smtp_rcpt_check_fn(void *arg,
    const struct smtp_addr *rcpt, const struct smtp_rcpt_params *p,
    int authenticated);

struct smtp_session_conf {
	const char *hostname;  /* in the greeting and EHLO reply */
	unsigned caps;         /* SMTP_EXT_* offered after EHLO */
	uint64_t max_size;     /* message size limit; 0: none */
	unsigned max_rcpts;    /* 0: SMTP_SESSION_RCPTS_MAX */
	unsigned max_errors;   /* 0: SMTP_SESSION_ERRORS_MAX */
	unsigned max_cmds;     /* 0: SMTP_SESSION_CMDS_MAX */
	unsigned max_received; /* 0: SMTP_DATA_RECEIVED_MAX */
	int auth_needs_tls;    /* submission: AUTH only after STARTTLS */
	smtp_rcpt_check_fn *rcpt_check; /* NULL: accept every recipient */
	void *rcpt_arg;
	smtp_data_out_fn *content; /* message content; NULL: dropped */
	void *content_arg;
};

struct smtp_out {
	char buf[SMTP_OUT_MAX];
	size_t len;
};

struct smtp_session {
	struct smtp_session_conf conf;
	enum smtp_state state;
	int ehlo;   /* EHLO (not HELO) was used: extensions apply */
	int tls;    /* STARTTLS completed */
	int authed; /* AUTH succeeded */
	unsigned rcpts, errors, cmds;
	uint64_t discard; /* octets of a refused BDAT chunk still to drop */
	int discarding;   /* inside such a chunk */
	enum smtp_reply_id discard_reply; /* answer once it is dropped */
	int bdat_open;                    /* a BDAT transaction has started */
	int bdat_last;
	enum smtp_state auth_back; /* state to return to after AUTH */
	const uint8_t *sasl;       /* SMTP_A_AUTH: valid during the call */
	size_t sasl_len;
	/*
	 * The accepted MAIL: its parameters' values (their views into the
	 * line are cleared), ENVID copied for delivery (RFC 3461 4.4), and
	 * the sender. AUTH= is not kept: the relay treats it as AUTH=<>
	 * (RFC 4954 5) until it has a reason to trust it. RCPT parameters
	 * go to rcpt_check, which keeps what it needs.
	 */
	struct smtp_mail_params mail;
	char envid[SMTP_ENVID_MAX + 1]; /* xtext as sent, "" if none */
	unsigned mail_utf8;
	struct smtp_addr from;
	union {
		struct smtp_data data;
		struct smtp_bdat bdat;
	} u;
};

/* smtp_session_init - a session for one connection */
void smtp_session_init(struct smtp_session *s,
    const struct smtp_session_conf *conf);
/* smtp_session_greet - the 220 greeting */
enum smtp_action smtp_session_greet(struct smtp_session *s,
    struct smtp_out *out);
/* smtp_session_line - one command line (CRLF removed) */
enum smtp_action smtp_session_line(struct smtp_session *s, const uint8_t *line,
    size_t len, int more, struct smtp_out *out);
/* smtp_session_line_error - the splitter refused a line (r) */
enum smtp_action smtp_session_line_error(struct smtp_session *s,
    enum sk_result r, struct smtp_out *out);
/* smtp_session_line_max - the line limit for the splitter now */
size_t smtp_session_line_max(const struct smtp_session *s);
/*
 * smtp_session_body - content after SMTP_A_DATA/SMTP_A_BDAT; *used is
 * what it took. SMTP_A_BODY: more content is expected.
 */
enum smtp_action smtp_session_body(struct smtp_session *s, const uint8_t *buf,
    size_t len, size_t *used, struct smtp_out *out);
/* smtp_session_message_done - after SMTP_A_MESSAGE: stored or not */
enum smtp_action smtp_session_message_done(struct smtp_session *s, int ok,
    const char *queue_id, struct smtp_out *out);
/*
 * smtp_session_message_refused - after SMTP_A_MESSAGE: a check refused
 * the message; text is the whole reply, no CRLF after it: one line
 * ("550 5.7.1 ...") or several joined by CRLF (RFC 5321 4.2.1: "550-..."
 * on every line but the last), the same 4xx or 5xx code on every line,
 * printable, at most 8 lines of 510 octets that fit in out; else 451
 */
enum smtp_action smtp_session_message_refused(struct smtp_session *s,
    const char *text, struct smtp_out *out);
/* smtp_session_tls_started - the handshake after STARTTLS succeeded */
void smtp_session_tls_started(struct smtp_session *s);
/*
 * smtp_session_auth_refuse - end the SASL exchange with reply id (the
 * mechanism's own error, such as 501 5.5.2 for a response that is not
 * base64); counted as an error like every refusal
 */
enum smtp_action smtp_session_auth_refuse(struct smtp_session *s,
    enum smtp_reply_id id, struct smtp_out *out);
/* smtp_session_auth_reply - the caller's answer to SMTP_A_AUTH */
enum smtp_action smtp_session_auth_reply(struct smtp_session *s,
    enum smtp_auth_result r, const char *challenge, struct smtp_out *out);

#endif /* SK_SMTP_SESSION_H */

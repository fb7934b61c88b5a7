/*
 * queue_dsn.h - delivery status notifications (RFC 3464) as a pure
 * function: envelope, per-recipient results and the original content in,
 * the bytes of a multipart/report message out.
 *
 * The queue queues the result like any message (null sender, one
 * recipient: the original sender). The composer reads no clock, no file
 * and no config: the caller passes the date, the names and the content,
 * so golden tests compare whole messages byte for byte.
 *
 * Every string that reaches a header or a report field is cleaned on the
 * way out: CR, LF and TAB become spaces, other control characters and
 * (unless SMTPUTF8) 8-bit bytes become '?', and a value is cut to
 * QUEUE_DSN_TEXT_MAX octets, so no stored reply or address can add a
 * header line, end a part early or exceed RFC 5322's line limit.
 *
 * Which content comes back (RFC 3461 4.3 lets the MTA choose when RET is
 * absent): a failure report returns the whole message for RET=FULL or
 * no RET, if it is at most QUEUE_DSN_FULL_MAX octets and not BINARYMIME
 * (binary content cannot travel inside a text part); otherwise, and in
 * delay and success reports, the header section only (RFC 3461 4.3: RET
 * applies to failures), up to QUEUE_DSN_HEADERS_MAX octets.
 *
 * Ownership: nothing is kept after a call; the sink gets the bytes in
 * order and returns 0, or -1 to stop (SK_E_IO is then returned).
 */
#ifndef QUEUE_DSN_H
#define QUEUE_DSN_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define QUEUE_DSN_HEADERS_MAX (64 * 1024) /* returned header section */
#define QUEUE_DSN_FULL_MAX (1024 * 1024)  /* returned whole message */
/* A field value: RFC 5322 2.1.1 allows 998 octets per line, and the
 * longest field name we write is 17 octets. */
#define QUEUE_DSN_TEXT_MAX 900
/* Boundaries tried before the content is left out (it contained each). */
#define QUEUE_DSN_BOUNDARY_TRIES 16

enum queue_dsn_action {
	QUEUE_DSN_FAILED,
	QUEUE_DSN_DELAYED,
	QUEUE_DSN_DELIVERED,
	QUEUE_DSN_RELAYED,
};

struct queue_dsn_rcpt {
	const char *address; /* Final-Recipient */
	const char *orcpt;   /* "" or "addr-type;xtext" (RFC 3461 4.2) */
	enum queue_dsn_action action;
	const char *status;      /* RFC 3463 "5.1.1"; checked, defaulted */
	const char *reply;       /* what the server said, or our reason */
	const char *relay;       /* "host[ip]:port", "none" or "" */
	int64_t last_attempt_ms; /* 0 = none */
	int64_t retry_until_ms;  /* delayed only; 0 = not given */
};

struct queue_dsn {
	const char *server;   /* Reporting-MTA, MAILER-DAEMON@server */
	const char *queue_id; /* of the original message */
	const char *new_id;   /* of the report: Message-ID, boundary */
	const char *sender;   /* the original sender: the report's To: */
	const char *envid;    /* ENVID as sent (xtext), "" = none */
	uint8_t ret;          /* enum msg_dsn_ret */
	uint8_t body;         /* enum msg_body_type of the original */
	uint8_t smtputf8;     /* the original was SMTPUTF8 (RFC 6533) */
	int64_t arrival_ms, date_ms;
	const struct queue_dsn_rcpt *rcpts;
	size_t nrcpts;
};

/* What the caller needs to queue the report. */
struct queue_dsn_info {
	int eight_bit;     /* it holds 8-bit octets: send as BODY=8BITMIME */
	int returned_full; /* the whole original came back */
	size_t size;       /* octets written */
};

typedef int queue_dsn_sink(void *arg, const void *p, size_t n);

/* queue_dsn_compose - the report, through sink */
enum sk_result queue_dsn_compose(const struct queue_dsn *d,
    const uint8_t *content, size_t len, queue_dsn_sink *sink, void *arg,
    struct queue_dsn_info *info);

/*
 * The content filter's notice to the administrators (Q_NOTICE): a
 * text/plain message from "Sekimori content filter"
 * <postmaster@server> to the recipients, Auto-Submitted: auto-generated
 * (RFC 3834 5), sent with the null sender like a DSN. The text's first
 * line is the Subject, the rest (an empty line after the subject is
 * skipped) the body, each line cleaned and cut like every DSN field.
 */
#define QUEUE_NOTICE_RCPTS_MAX 8 /* the model's notify-recipient max */

struct queue_notice {
	const char *server;       /* postmaster@server, Message-ID */
	const char *new_id;       /* of the notice: Message-ID */
	const char *const *rcpts; /* the To: addresses */
	size_t nrcpts;            /* at most QUEUE_NOTICE_RCPTS_MAX */
	const char *text;         /* Q_NOTICE's text */
	int64_t date_ms;
};

/* queue_notice_compose - the notice message, through sink (info's
 * eight_bit is always 0: every line is cleaned to ASCII) */
enum sk_result queue_notice_compose(const struct queue_notice *n,
    queue_dsn_sink *sink, void *arg, struct queue_dsn_info *info);

/*
 * queue_dsn_header_len - the length of the header fields at the start of
 * p[0..len): up to and including the CRLF before the empty line, the
 * whole of p if there is no empty line, and never more than
 * QUEUE_DSN_HEADERS_MAX (then cut after the last whole line).
 */
size_t queue_dsn_header_len(const uint8_t *p, size_t len);

/* queue_xtext_decode - RFC 3461 4 xtext ("+XX" hex escapes) into
 * out[size] with a NUL; -1 on a bad escape, a NUL, or no room */
int queue_xtext_decode(const char *in, char *out, size_t size);

#endif /* QUEUE_DSN_H */

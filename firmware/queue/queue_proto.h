/*
 * queue_proto.h - the bodies of the messages the queue exchanges with
 * smtp (Q_*) and mta (M_*), decoded into plain structs and checked, and
 * the M_DELIVER encoder (field lists: lib/msg_types.h).
 *
 * Decoders are total over (body, len): any byte string gives SK_OK or an
 * error, never a read out of bounds. Every string field has a named size
 * below; a longer one, a missing or extra field, an unknown enum value,
 * or a control character where the queue would later write the field
 * into a log, a DSN or a listing is SK_E_SYNTAX: the peer broke the
 * protocol (the queue then drops that channel; the peer is restarted).
 *
 * Ownership: callers own every struct; nothing allocates.
 */
#ifndef QUEUE_PROTO_H
#define QUEUE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "msg_body.h"
#include "queue_id.h"
#include "sk.h"

/* An address as smtp canonicalized it: RFC 5321 4.5.3.1.3 caps a path at
 * 256 octets; the rest is room for quoting and UTF-8 (RFC 6531). */
#define QUEUE_ADDR_SIZE 1024
#define QUEUE_ENVID_SIZE 256     /* xtext ENVID, 100 octets (RFC 3461 4.4) */
#define QUEUE_ORCPT_SIZE 1024    /* "type;xtext", 500 octets (RFC 3461 4.2) */
#define QUEUE_TEXT_SIZE 1024     /* client name, HELO, AUTH user, TLS text */
#define QUEUE_SHORT_SIZE 64      /* client address, listener, protocol */
#define QUEUE_DOMAIN_SIZE 256    /* RFC 5321 4.5.3.1.2: 255 octets */
#define QUEUE_DSN_STATUS_SIZE 16 /* RFC 3463 "c.sss.ddd" */
/* A reply as the mta saw it may fill a whole body; it is cut to
 * QUEUE_REPLY_STORE octets before it is stored or logged. */
#define QUEUE_REPLY_SIZE MSG_BODY_MAX
#define QUEUE_REPLY_STORE 1000
#define QUEUE_RELAY_SIZE 512 /* "host[ip]:port" */
/* The header block the policy step made (Q_COMMIT): sent before the
 * file's content on delivery; a C string (msg_header_block_ok) */
#define QUEUE_PREPEND_SIZE (MSG_PREPEND_MAX + 1)
/* Q_NOTICE's text, a C string */
#define QUEUE_NOTICE_SIZE (MSG_NOTICE_MAX + 1)
/* Q_COMMIT's quarantine reason, a C string ("" = deliver) */
#define QUEUE_REASON_SIZE (MSG_QUARANTINE_REASON_MAX + 1)

struct queue_envelope {
	char id[QUEUE_ID_SIZE];
	char sender[QUEUE_ADDR_SIZE]; /* "" = the null sender */
	char envid[QUEUE_ENVID_SIZE]; /* xtext as sent, "" = none */
	uint8_t ret;                  /* enum msg_dsn_ret */
	uint8_t body;                 /* enum msg_body_type */
	uint8_t smtputf8;
	char auth_user[QUEUE_TEXT_SIZE];
	char client_addr[QUEUE_SHORT_SIZE];
	char client_name[QUEUE_TEXT_SIZE];
	char helo[QUEUE_TEXT_SIZE];
	char listener[QUEUE_SHORT_SIZE];
	char protocol[QUEUE_SHORT_SIZE];
	char tls[QUEUE_TEXT_SIZE];
	char prepend[QUEUE_PREPEND_SIZE]; /* from Q_COMMIT, not Q_ENVELOPE */
};

struct queue_rcpt {
	char address[QUEUE_ADDR_SIZE];
	uint32_t notify; /* MSG_NOTIFY_* bits; 0 = not given */
	char orcpt[QUEUE_ORCPT_SIZE];
};

struct queue_result {
	uint32_t rcpt;  /* the rcpt id M_DELIVER gave */
	uint8_t status; /* enum msg_delivery_status */
	char dsn[QUEUE_DSN_STATUS_SIZE];
	char reply[QUEUE_REPLY_SIZE];
	char relay[QUEUE_RELAY_SIZE];
	char tls[QUEUE_TEXT_SIZE];
};

enum sk_result queue_proto_envelope(const uint8_t *body, size_t len,
    struct queue_envelope *env);
enum sk_result queue_proto_rcpt(const uint8_t *body, size_t len,
    struct queue_rcpt *rcpt);
/* queue_proto_commit - the octets written, the prepend block (into
 * prepend[QUEUE_PREPEND_SIZE]; "" for none), the quarantine reason
 * (into quarantine[QUEUE_REASON_SIZE]; "" = deliver; no control
 * characters, queue_text_ok) and the optional rewrite mode (enum
 * msg_rewrite; absent: none; an explicit 0, an unknown mode, or strip
 * without a reason is refused) */
enum sk_result queue_proto_commit(const uint8_t *body, size_t len,
    uint64_t *octets, char *prepend, char *quarantine, uint8_t *rewrite);
/* queue_proto_notice - Q_NOTICE's text into text[QUEUE_NOTICE_SIZE]:
 * not empty, printable ASCII lines each ending in CRLF (queue_notice_ok) */
enum sk_result queue_proto_notice(const uint8_t *body, size_t len, char *text);
/* queue_notice_ok - p[0..len) is a notice text: 1 <= len <=
 * MSG_NOTICE_MAX, printable ASCII, CR only in a CRLF, ending in CRLF */
int queue_notice_ok(const char *p, size_t len);
/* queue_proto_result - M_RESULT; an unusable dsn field is replaced by the
 * status class's default ("4.0.0"), not refused: it came from afar */
enum sk_result queue_proto_result(const uint8_t *body, size_t len,
    struct queue_result *res);
enum sk_result queue_proto_u32(const uint8_t *body, size_t len, uint32_t *v);

/* queue_addr_ok - an address with a domain, without control characters */
int queue_addr_ok(const char *s);
/* queue_text_ok - no control characters (below 0x20, or 0x7f) */
int queue_text_ok(const char *s);

/* The M_DELIVER body, built rcpt by rcpt until it would not fit. */
struct queue_deliver {
	struct msg_body_writer w;
	size_t count_at; /* where u32 n goes */
	uint32_t n;
	uint8_t buf[MSG_BODY_MAX];
};

/* queue_deliver_begin - the fixed fields; -1 if they do not fit */
int queue_deliver_begin(struct queue_deliver *d,
    const struct queue_envelope *env, const char *domain);
/* queue_deliver_add - one recipient; -1 (nothing written) if no room */
int queue_deliver_add(struct queue_deliver *d, uint32_t rcpt,
    const char *address, uint32_t notify, const char *orcpt);
/* queue_deliver_end - patch the count; the body is d->buf[0..d->w.len) */
void queue_deliver_end(struct queue_deliver *d);

/* A decoded M_DELIVER (tests and fuzzing check the encoder with it). */
struct queue_deliver_view {
	char id[QUEUE_ID_SIZE];
	char sender[QUEUE_ADDR_SIZE];
	char envid[QUEUE_ENVID_SIZE];
	uint8_t ret, body, smtputf8;
	char domain[QUEUE_DOMAIN_SIZE];
	char prepend[QUEUE_PREPEND_SIZE];
	uint32_t n;
	struct msg_body_reader r; /* at the first recipient */
};
enum sk_result queue_deliver_parse(const uint8_t *body, size_t len,
    struct queue_deliver_view *v);
/* queue_deliver_next - the next of v->n recipients; SK_END after them */
enum sk_result queue_deliver_next(struct queue_deliver_view *v, uint32_t *rcpt,
    struct queue_rcpt *out);

#endif /* QUEUE_PROTO_H */

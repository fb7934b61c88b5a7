/*
 * scan_milter.h - the Sendmail milter protocol, version 6, MTA side,
 * sans-I/O.
 *
 * Security level: high. It reads every byte a milter sends (any program
 * the customer runs: clamav-milter, rspamd's proxy, opendkim) and turns
 * it into a verdict and into changes to the message that the policy
 * step applies later.
 *
 * Packets both ways: u32 length (big-endian, counting the command octet
 * and the data), one command octet, the data. Strings inside are
 * NUL-terminated. The session this client runs, one message per
 * connection:
 *
 *	OPTNEG -> [MACRO C] CONNECT -> [MACRO H] HELO -> [MACRO M] MAIL ->
 *	([MACRO R] RCPT)... -> [MACRO T] DATA -> HEADER... -> [MACRO N] EOH
 *	-> BODY... -> [MACRO E] BODYEOB -> modifications, final reply -> QUIT
 *
 * Stages the milter asked to skip (SMFIP_NO*) are not sent; stages it
 * answers with no reply (SMFIP_NR_*) are not waited for. The message
 * given to scan_milter_feed is split here: header fields (one HEADER
 * each; folded lines joined with "\n" as Sendmail does, the space after
 * the colon dropped unless SMFIP_HDR_LEADSPC), then the body in BODY
 * packets of at most SCAN_MILTER_BODY_CHUNK octets, as given (CRLF).
 *
 * Replies, per stage: CONTINUE goes on; ACCEPT ends the session clean,
 * without changes; REJECT, TEMPFAIL, REPLYCODE (4xx or 5xx, optional
 * enhanced code: anything else is a protocol error) end it with that
 * verdict, except at RCPT where they refuse that recipient only (an
 * action SCAN_MA_RCPT_REFUSED; when every recipient is refused the
 * verdict is the last refusal's); DISCARD (from MAIL on) ends it as
 * SCAN_DISCARD; SKIP (BODY, with SMFIP_SKIP) stops the body; PROGRESS
 * waits again. At BODYEOB the milter may send modifications first, each
 * allowed only if it negotiated the matching SMFIF_ flag, then its final
 * reply; ACCEPT or CONTINUE with a QUARANTINE action is
 * SCAN_QUARANTINE. Any other packet, a length past its limit, a string
 * without its NUL, or trailing octets is a protocol error: SCAN_ERROR.
 *
 * Driving it, as scan_clamd.h: init, then loop on scan_milter_want:
 * WRITE output/sent, CONTENT feed/end, READ input or eof/fail, DONE.
 * The milter may send packets at any time; input is taken whenever the
 * socket is readable.
 *
 * Ownership: the caller owns struct scan_milter (about 830 KiB: heap or
 * static), the env and its strings, until the session is done. The
 * actions point into the struct: do not copy it. No allocation, no I/O,
 * no clock, no logging.
 */
#ifndef SK_SCAN_MILTER_H
#define SK_SCAN_MILTER_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"
#include "sk.h"

#define SCAN_MILTER_VERSION 6
/* Packet data (after the command octet) of anything but REPLBODY: the
 * 64 KiB libmilter uses when no SMFIP_MDS_* is negotiated (we offer
 * none), plus room for a header name and the index. */
#define SCAN_MILTER_PACKET_MAX (65536 + 1024)
/* One REPLBODY packet, streamed to the caller, never buffered. */
#define SCAN_MILTER_REPLBODY_CHUNK_MAX (1024 * 1024)
/* The whole replacement body: the conf's max_size, else this. */
#define SCAN_MILTER_REPLBODY_DEFAULT (64u * 1024 * 1024)
#define SCAN_MILTER_BODY_CHUNK 65535 /* MILTER_CHUNK_SIZE of libmilter */
/* One header field we send, name and folded value; the rest of a longer
 * one is dropped, as Postfix's header_size_limit does. */
#define SCAN_MILTER_HEADER_MAX 65536
/* modifications kept, and their strings: room for SCAN_MILTER_RCPTS_MAX
 * added recipients of the longest form and some header edits */
#define SCAN_MILTER_ACTIONS_MAX 1536
#define SCAN_MILTER_ARENA_MAX (512 * 1024)
#define SCAN_MILTER_MACRO_MAX 4096   /* one MACRO packet's data */
#define SCAN_MILTER_SYMLIST_MAX 1024 /* one stage's macro list */
/* Recipients one milter may add (addrcpt, addrcpt_par): the env's limit
 * (the relay's recipients-per-message), else smtp's default
 * (SMTP_SESSION_RCPTS_MAX, RFC 5321 4.5.3.1.8); never more than
 * SCAN_MILTER_RCPTS_MAX (the config model's default limit: what fits in
 * the actions). Past it the session is a protocol error. */
#define SCAN_MILTER_RCPTS_DEFAULT 100
#define SCAN_MILTER_RCPTS_MAX 1000
/* A multi-line REPLYCODE (libmilter's smfi_setmlreply allows 32 lines):
 * lines, and octets of one line without its CRLF (RFC 5321 4.5.3.1.5:
 * 512 with it). The whole reply stays under SCAN_TEXT_MAX. */
#define SCAN_MILTER_REPLY_LINES_MAX 32
#define SCAN_MILTER_REPLY_LINE_MAX 510
#define SCAN_MILTER_OUT_MAX (5 + SCAN_MILTER_HEADER_MAX + 16)

/* Commands (MTA -> milter) and replies (milter -> MTA), libmilter's
 * mfdef.h values, which are the protocol. */
#define SMFIC_ABORT 'A'
#define SMFIC_BODY 'B'
#define SMFIC_CONNECT 'C'
#define SMFIC_MACRO 'D'
#define SMFIC_BODYEOB 'E'
#define SMFIC_HELO 'H'
#define SMFIC_HEADER 'L'
#define SMFIC_MAIL 'M'
#define SMFIC_EOH 'N'
#define SMFIC_OPTNEG 'O'
#define SMFIC_QUIT 'Q'
#define SMFIC_RCPT 'R'
#define SMFIC_DATA 'T'

#define SMFIR_ADDRCPT '+'
#define SMFIR_DELRCPT '-'
#define SMFIR_ADDRCPT_PAR '2'
#define SMFIR_SHUTDOWN '4'
#define SMFIR_ACCEPT 'a'
#define SMFIR_REPLBODY 'b'
#define SMFIR_CONTINUE 'c'
#define SMFIR_DISCARD 'd'
#define SMFIR_CHGFROM 'e'
#define SMFIR_CONN_FAIL 'f'
#define SMFIR_ADDHEADER 'h'
#define SMFIR_INSHEADER 'i'
#define SMFIR_SETSYMLIST 'l'
#define SMFIR_CHGHEADER 'm'
#define SMFIR_PROGRESS 'p'
#define SMFIR_QUARANTINE 'q'
#define SMFIR_REJECT 'r'
#define SMFIR_SKIP 's'
#define SMFIR_TEMPFAIL 't'
#define SMFIR_REPLYCODE 'y'

/* Actions a milter may take (SMFIF_*): we offer them all, the envelope
 * changes only to a caller that applies them (scan_env.envelope_ok). */
#define SMFIF_ADDHDRS 0x001u
#define SMFIF_CHGBODY 0x002u
#define SMFIF_ADDRCPT 0x004u
#define SMFIF_DELRCPT 0x008u
#define SMFIF_CHGHDRS 0x010u
#define SMFIF_QUARANTINE 0x020u
#define SMFIF_CHGFROM 0x040u
#define SMFIF_ADDRCPT_PAR 0x080u
#define SMFIF_SETSYMLIST 0x100u
#define SCAN_MILTER_ACTIONS 0x1ffu
/* The envelope changes: offered only when env->envelope_ok. */
#define SCAN_MILTER_ENVELOPE_ACTIONS \
	(SMFIF_ADDRCPT | SMFIF_DELRCPT | SMFIF_CHGFROM | SMFIF_ADDRCPT_PAR)

/* Protocol flags (SMFIP_*): what a milter may ask us to leave out. */
#define SMFIP_NOCONNECT 0x000001u
#define SMFIP_NOHELO 0x000002u
#define SMFIP_NOMAIL 0x000004u
#define SMFIP_NORCPT 0x000008u
#define SMFIP_NOBODY 0x000010u
#define SMFIP_NOHDRS 0x000020u
#define SMFIP_NOEOH 0x000040u
#define SMFIP_NR_HDR 0x000080u
#define SMFIP_NOUNKNOWN 0x000100u
#define SMFIP_NODATA 0x000200u
#define SMFIP_SKIP 0x000400u
#define SMFIP_RCPT_REJ 0x000800u
#define SMFIP_NR_CONN 0x001000u
#define SMFIP_NR_HELO 0x002000u
#define SMFIP_NR_MAIL 0x004000u
#define SMFIP_NR_RCPT 0x008000u
#define SMFIP_NR_DATA 0x010000u
#define SMFIP_NR_UNKN 0x020000u
#define SMFIP_NR_EOH 0x040000u
#define SMFIP_NR_BODY 0x080000u
#define SMFIP_HDR_LEADSPC 0x100000u
/* What we honour. Not RCPT_REJ (we never send refused recipients) and no
 * SMFIP_MDS_* (packets stay within 64 KiB). NOUNKNOWN and NR_UNKN are
 * trivially honoured: we never send UNKNOWN. */
#define SCAN_MILTER_PROTOCOL 0x1ff7ffu

/* Macro stages (SMFIM_*), the index of SETSYMLIST. */
enum scan_milter_stage {
	SMFIM_CONNECT = 0,
	SMFIM_HELO,
	SMFIM_ENVFROM,
	SMFIM_ENVRCPT,
	SMFIM_DATA,
	SMFIM_EOM,
	SMFIM_EOH,
	SCAN_MILTER_STAGES,
};

enum scan_milter_action_type {
	SCAN_MA_ADDHEADER, /* name, value: append a field */
	SCAN_MA_INSHEADER, /* index, name, value: insert at index */
	SCAN_MA_CHGHEADER, /* index, name, value ("" deletes): the
			      index-th (1-based) field called name */
	/* Envelope changes: name is the address as smtp stores one
	 * (local@domain, canonical: smtp_addr.h), "" for the null sender */
	SCAN_MA_DELRCPT,      /* name: address */
	SCAN_MA_ADDRCPT,      /* name: address */
	SCAN_MA_ADDRCPT_PAR,  /* name: address; index: NOTIFY (MSG_NOTIFY_*
				 bits, 0 none), value: ORCPT ("type;xtext" or
				 "") - the only arguments accepted */
	SCAN_MA_CHGFROM,      /* name: address (no ESMTP arguments) */
	SCAN_MA_REPLBODY,     /* index: octets of the new body (so far) */
	SCAN_MA_QUARANTINE,   /* value: reason */
	SCAN_MA_RCPT_REFUSED, /* name: address, value: the SMTP reply */
	SCAN_MA_COUNT,
};

struct scan_milter_action {
	enum scan_milter_action_type type;
	uint64_t index;
	const char *name;  /* into the arena, NUL-terminated; "" if none */
	const char *value; /* likewise */
};

struct scan_milter_actions {
	size_t n;
	struct scan_milter_action a[SCAN_MILTER_ACTIONS_MAX];
	size_t arena_used;
	char arena[SCAN_MILTER_ARENA_MAX];
};

/* scan_milter_action_name - "addheader", "chgheader", ... */
const char *scan_milter_action_name(enum scan_milter_action_type t);
/*
 * scan_milter_action_format - one line, "addheader X-Virus: clean",
 * octets outside printable ASCII as \xHH, "\n" as \n; cut to size.
 */
void scan_milter_action_format(const struct scan_milter_action *a, char *out,
    size_t size);

/* REPLBODY octets go to the caller as they arrive (a file, say). */
typedef void scan_milter_body_fn(void *arg, const uint8_t *buf, size_t len);

enum scan_milter_want {
	SCAN_MILTER_WANT_WRITE,
	SCAN_MILTER_WANT_CONTENT,
	SCAN_MILTER_WANT_READ,
	SCAN_MILTER_WANT_DONE,
};

/* Where the session is; the stage whose reply is awaited, if any. */
enum scan_milter_state {
	SCAN_MS_OPTNEG,
	SCAN_MS_CONNECT,
	SCAN_MS_HELO,
	SCAN_MS_MAIL,
	SCAN_MS_RCPT,
	SCAN_MS_DATA,
	SCAN_MS_HEADER,
	SCAN_MS_EOH,
	SCAN_MS_BODY,
	SCAN_MS_EOB,
	SCAN_MS_DONE,
};

struct scan_milter {
	const struct scan_env *env;
	scan_milter_body_fn *replbody;
	void *replbody_arg;
	uint64_t replbody_max, replbody_len;
	uint64_t deadline;

	/* negotiated */
	uint32_t actions_offered;
	uint32_t version, actions_ok, protocol;
	uint32_t rcpts_added, rcpts_max; /* addrcpt and addrcpt_par */
	char symlist[SCAN_MILTER_STAGES][SCAN_MILTER_SYMLIST_MAX];
	int has_symlist[SCAN_MILTER_STAGES];

	enum scan_milter_state state; /* the stage whose reply is owed */
	enum scan_milter_state next;  /* the stage to send next */
	int awaiting;                 /* a reply to the current stage is owed */
	size_t rcpt_next;             /* next recipient to send */
	size_t refused;               /* recipients refused at RCPT */
	int body_skipped;             /* SKIP, or SMFIP_NOBODY */
	int content_ended;            /* scan_milter_end was called */
	int quarantined;
	size_t replbody_action; /* its index in actions, once there is one */
	int has_replbody;
	int done;
	struct scan_result result;
	struct scan_milter_actions actions;

	/* header splitting (feed) */
	int in_body;
	size_t line_len;   /* octets of the current line held in line */
	int line_overflow; /* the line went past SCAN_MILTER_HEADER_MAX */
	size_t field_len;  /* the pending field, or body octets held */
	uint8_t line[SCAN_MILTER_HEADER_MAX];
	uint8_t field[SCAN_MILTER_HEADER_MAX];

	/* input: one packet at a time */
	uint8_t in_hdr[5];
	size_t in_hdr_len;
	uint32_t in_len;  /* data octets of the current packet */
	uint32_t in_have; /* of which received */
	uint8_t in[SCAN_MILTER_PACKET_MAX];

	/* output: one packet (or a few small ones) at a time */
	size_t out_len, out_off;
	uint8_t out[SCAN_MILTER_OUT_MAX + SCAN_MILTER_MACRO_MAX + 64];
};

/*
 * scan_milter_init - a session for env (which must outlive it); queues
 * OPTNEG. replbody may be NULL (the new body is only counted);
 * replbody_max 0 means SCAN_MILTER_REPLBODY_DEFAULT.
 */
void scan_milter_init(struct scan_milter *m, const struct scan_env *env,
    scan_milter_body_fn *replbody, void *arg, uint64_t replbody_max,
    uint64_t deadline);
enum scan_milter_want scan_milter_want(const struct scan_milter *m);
uint64_t scan_milter_deadline(const struct scan_milter *m);
const uint8_t *scan_milter_output(const struct scan_milter *m, size_t *len);
void scan_milter_sent(struct scan_milter *m, size_t n);
/* scan_milter_feed - message octets; how many were taken (0 when not
 * WANT_CONTENT); after the session ended, all of them */
size_t scan_milter_feed(struct scan_milter *m, const uint8_t *buf, size_t len);
/* scan_milter_end - the message is complete */
void scan_milter_end(struct scan_milter *m);
/* scan_milter_input - octets from the milter: how many were taken (all,
 * unless the session ended); errors end the session as SCAN_ERROR */
size_t scan_milter_input(struct scan_milter *m, const uint8_t *buf, size_t len);
void scan_milter_eof(struct scan_milter *m);
void scan_milter_fail(struct scan_milter *m, const char *why);
const struct scan_result *scan_milter_result(const struct scan_milter *m);
const struct scan_milter_actions *scan_milter_actions(
    const struct scan_milter *m);

/*
 * scan_milter_parse_replycode - "550 5.7.1 text" (data of REPLYCODE,
 * without its NUL): SK_OK and *temp (4xx) or SK_E_SYNTAX. A multi-line
 * reply (smfi_setmlreply) is lines joined by CRLF, each "550-..." but
 * the last "550 ..." (or "550"): the same code on every line, the same
 * enhanced code on every line or on none, printable, at most
 * SCAN_MILTER_REPLY_LINES_MAX lines of SCAN_MILTER_REPLY_LINE_MAX.
 */
enum sk_result scan_milter_parse_replycode(const char *s, size_t len,
    int *temp);

#endif /* SK_SCAN_MILTER_H */

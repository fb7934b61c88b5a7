/*
 * msg_types.h - every message type that crosses a Sekimori socketpair.
 *
 * One table, one place (STYLE.md item 3). Each row is
 *
 *	X(name, value, min body length, max body length)
 *
 * and the decoder rejects a message whose body length is outside the
 * row's bounds, or whose type has no row. Values are never reused: a
 * retired type keeps its number, commented out. Body fields are
 * big-endian (msg_get_u32/msg_put_u32) so that a corpus saved on one
 * architecture replays on another.
 *
 *   HELLO     u32 protocol version (MSG_PROTO_VERSION), u32 sender role
 *             (the supervisor's table index); first message each way
 *   LOG       u8 level (enum msg_log_level), then the text, no NUL; how a
 *             chrooted process without /dev/log gets a line to syslog
 *   SHUTDOWN  empty; finish what is in flight, then exit 0
 *   PEER      u32 role of a peer process; carries a descriptor: a new
 *             socket to that peer (sent by the supervisor whenever the
 *             peer was started or restarted; the old socket is dead)
 *
 * Bodies below are msg_body.h fields, in the order listed. hdr.peer names
 * the subject: the smtp session (AUTH_*, Q_*), the delivery job (M_*).
 *
 * smtp -> supervisor (passwords never reach the internet-facing process):
 *   AUTH_CHECK   str user, str password, str client address, str listener
 *   AUTH_RESULT  u32 enum msg_auth_result
 *
 * smtp <-> queue, one transaction at a time per session:
 *   Q_OPEN       empty: a new message is starting
 *   Q_OPENED     str queue id, str spare id (a second queue id, reserved
 *                for this transaction: the id of the quarantined
 *                original if the commit strips the message, written
 *                over MSG_QID_TOKEN; unused otherwise); carries the
 *                spool file, open for reading and writing (smtp passes
 *                it to policy, which reads): smtp writes the message
 *                exactly as it is to be delivered (its Received header
 *                first), CRLF line ends
 *   Q_FAIL       u32 enum msg_queue_fail, str text (answer to OPEN/COMMIT)
 *   Q_ENVELOPE   str queue id, str sender ("" = null sender), str envid
 *                (xtext as sent), u8 ret (enum msg_dsn_ret), u8 body
 *                (enum msg_body_type), u8 smtputf8, str auth user ("" =
 *                none), str client address, str client name, str helo,
 *                str listener, str protocol ("ESMTPSA"...), str tls
 *                ("TLSv1.2 with cipher ..." or "")
 *   Q_RCPT       str address, u32 notify (MSG_NOTIFY_* bits; 0 = not
 *                given), str orcpt ("" or "addr-type;xtext" as sent)
 *   Q_COMMIT     u64 octets written, str prepend (header fields that go
 *                before the file's content on delivery, CRLF lines, at
 *                most MSG_PREPEND_MAX; "" = none), str quarantine (the
 *                reason, printable, at most MSG_QUARANTINE_REASON_MAX;
 *                "" = deliver), u8 rewrite (enum msg_rewrite; with 1 or
 *                2 the message carries the rewritten content, read-only:
 *                1 replaces the file's content; 2 delivers it under this
 *                queue id and keeps the file's content as a second,
 *                quarantined message whose reason is the quarantine
 *                string, under Q_OPENED's spare id, which is written
 *                over MSG_QID_TOKEN): make it
 *                durable, then COMMITTED; a message with a reason (and
 *                rewrite 0 or 1) is kept in quarantine, not delivered
 *   Q_COMMITTED  str queue id: on stable storage; the 250 may go out
 *   Q_ABORT      empty: forget the open message and remove its file
 *   Q_NOTICE     str text (printable lines ending in CRLF, at most
 *                MSG_NOTICE_MAX): a content rule (or a virus) asks that
 *                the administrators (content-scanning notify-recipient)
 *                get a notice about the session's message; sent whatever
 *                the action, before the reply; no answer. The queue makes
 *                a new message from MAILER-DAEMON (null sender) with it
 *
 * smtp <-> policy and smtp <-> content (the scanners; the same two
 * messages), one check per message in flight (hdr.peer: the session):
 *   P_CHECK      carries the spool file (smtp's descriptor; policy only
 *                reads it, with pread); str queue id, str client address,
 *                str helo, str sender ("" = null sender), str auth user
 *                ("" = none), u8 direction (enum msg_policy_direction),
 *                u32 n, n times str recipient (as many as fit; for a
 *                milter), u32 recipients omitted
 *   P_VERDICT    str queue id, u8 action (enum msg_policy_action), str
 *                reply ("550 5.7.1 ..." for reject and tempfail, maybe
 *                several lines: MSG_POLICY_REPLY_MAX; else ""), u32 n,
 *                then n times u64: offsets of header field names that
 *                smtp overwrites in the file with a name of the same
 *                length (forged Authentication-Results), str
 *                prepend (the header block for Q_COMMIT), u8 rewrite
 *                (enum msg_rewrite: the content process may carry the
 *                rewritten message as a descriptor, which smtp passes on
 *                in Q_COMMIT without reading it; with 2 the reply is the
 *                quarantine reason of the original; the policy process
 *                never sends one: 0), str notice (optional, only when
 *                not empty, so after a u8 rewrite that is then sent even
 *                if 0: the text smtp forwards in Q_NOTICE)
 *
 * smtp <-> policy once more, only when the policy sealed the message
 * (ARC, RFC 8617 5.1) and the content step then rewrote it (replace or
 * strip):
 *   P_SEAL       carries the rewritten message (the content process's
 *                descriptor; policy only reads it, with pread, and cuts
 *                an envelope trailer off); str queue id, then, only for
 *                a strip, str spare id (Q_OPENED's: exactly as long as
 *                MSG_QID_TOKEN, digits and upper-case letters). The
 *                policy process seals it with the chain result and A-R
 *                it kept from that message's P_CHECK; with a spare id,
 *                over the message as the queue will store it: the spare
 *                id written over each MSG_QID_TOKEN (lib/qid_token.h)
 *   P_SEALED     str queue id, str set: the new ARC set (ARC-Seal,
 *                ARC-Message-Signature, ARC-Authentication-Results, at
 *                most MSG_PREPEND_MAX octets) that replaces the one at
 *                the top of P_VERDICT's prepend, or "" when the policy
 *                cannot seal it (smtp then delivers without our set)
 *
 * The envelope trailer. A milter may change the envelope (content
 * process; firmware/content/content_envelope.h). The change travels with
 * the rewritten message, the one descriptor smtp passes on unread: every
 * rewritten content (rewrite 1 or 2) ends in CRLF, and when the envelope
 * changed the trailer follows that CRLF:
 *
 *   block        u8 chgfrom (0 or 1), str sender ("" = the null sender;
 *                meaningful with chgfrom 1), u32 n (at most
 *                MSG_ENV_OPS_MAX), n times: u8 op (MSG_ENV_DELRCPT or
 *                MSG_ENV_ADDRCPT), str address (local@domain, at most
 *                MSG_ENV_ADDR_MAX), u32 notify (MSG_NOTIFY_* bits; 0 for
 *                a deletion), str orcpt ("" or "addr-type;xtext", at most
 *                MSG_ENV_ORCPT_MAX; "" for a deletion)
 *   u32          the block's length
 *   8 octets     MSG_ENV_MAGIC, whose last octet is a NUL: no message
 *                ends so, since a rewritten one ends in CRLF
 *
 * The queue applies the changes in order to the transaction's recipients
 * (a deletion removes every recipient of that address, an addition of
 * one present already does nothing), cuts the trailer off the stored
 * content, and refuses (451) a trailer it cannot read or a result with
 * no recipient or past its recipient limit.
 *
 * queue <-> mta, per delivery job (one message, one next hop):
 *   M_DELIVER    carries the spool file, read-only; str queue id, str
 *                sender, str envid, u8 ret, u8 body, u8 smtputf8, str
 *                domain (the recipients' domain), str prepend (sent
 *                before the file's content), u32 n, then n times:
 *                u32 rcpt id, str address, u32 notify, str orcpt
 *   M_RESULT     u32 rcpt id, u8 enum msg_delivery_status, str dsn status
 *                ("2.0.0"), str reply (what the server said, or why
 *                not), str relay ("host[ip]:port" or "none"), str tls
 *   M_DONE       u32 number of results sent; the job is over
 *
 * operator tool <-> queue, over the queue's control socket:
 *   CTL_REQUEST  str command ("list", "show ID", "hold ID", ...)
 *   CTL_LINE     str one line of output
 *   CTL_DATA     raw octets, no length field (the body is the data): a
 *                piece of a file the tool writes out unchanged, such as
 *                "quarantine download ID" (an .eml byte for byte)
 *   CTL_END      u32 status (0 = done), str message
 */
#ifndef SK_MSG_TYPES_H
#define SK_MSG_TYPES_H

#define MSG_PROTO_VERSION 3 /* 3: content process, quarantine */

#define MSG_HELLO_LEN 8       /* two u32 */
#define MSG_LOG_TEXT_MAX 1023 /* LOG_LINE_MAX less its NUL */

enum msg_auth_result {
	MSG_AUTH_OK = 0,
	MSG_AUTH_FAIL = 1,   /* wrong user or password: 535 5.7.8 */
	MSG_AUTH_LOCKED = 2, /* too many failures: 454 4.7.0 */
	MSG_AUTH_TEMP = 3,   /* could not check now: 454 4.7.0 */
};

enum msg_queue_fail {
	MSG_QUEUE_NOSPACE = 1, /* /data nearly full: 452 4.3.1 */
	MSG_QUEUE_TEMP = 2,    /* any other failure: 451 4.3.0 */
};

enum msg_dsn_ret {
	MSG_RET_NONE = 0, /* not given */
	MSG_RET_FULL = 1,
	MSG_RET_HDRS = 2,
};

enum msg_body_type {
	MSG_BODY_7BIT = 0, /* not given, or BODY=7BIT */
	MSG_BODY_8BITMIME = 1,
	MSG_BODY_BINARYMIME = 2,
};

/* RFC 3461 4.1 NOTIFY values */
#define MSG_NOTIFY_NEVER 0x1u
#define MSG_NOTIFY_SUCCESS 0x2u
#define MSG_NOTIFY_FAILURE 0x4u
#define MSG_NOTIFY_DELAY 0x8u

enum msg_delivery_status {
	MSG_DELIVERED = 0,
	MSG_TEMPFAIL = 1, /* try again later */
	MSG_PERMFAIL = 2, /* bounce */
};

/* Process roles: the supervisor's table index, in HELLO and PEER. */
enum msg_role {
	MSG_ROLE_PARENT = 0,
	MSG_ROLE_SMTP = 1,
	MSG_ROLE_QUEUE = 2,
	MSG_ROLE_MTA = 3,
	MSG_ROLE_POLICY = 4,
	MSG_ROLE_CONTENT = 5,
};
#define MSG_ROLES 6 /* the size of tables indexed by role */

enum msg_policy_direction {
	MSG_POLICY_INBOUND = 0,  /* check: not authenticated, not internal */
	MSG_POLICY_OUTBOUND = 1, /* sign */
};

enum msg_policy_action {
	MSG_POLICY_ACCEPT = 0,
	MSG_POLICY_REJECT = 1,   /* 5xx with the reply */
	MSG_POLICY_TEMPFAIL = 2, /* 4xx with the reply */
	/* 250, then dropped (a milter's DISCARD); reply: why, for the log */
	MSG_POLICY_DISCARD = 3,
	/* 250, kept in quarantine; reply: the reason (Q_COMMIT's) */
	MSG_POLICY_QUARANTINE = 4,
};
#define MSG_POLICY_ACTION_LAST MSG_POLICY_QUARANTINE

#define MSG_PREPEND_MAX 8192 /* header block of Q_COMMIT, P_VERDICT */
/*
 * The reply of P_VERDICT. A reject or tempfail carries an SMTP reply of
 * one or more lines joined by CRLF (no CRLF after the last), as RFC 5321
 * 4.2.1 writes them: "550-5.7.1 text" on every line but the last, which
 * is "550 5.7.1 text" (or "550" alone); the same code on every line, the
 * same enhanced code on every line or on none; printable ASCII. A milter
 * may send 32 lines (libmilter's limit): more than a client should get,
 * so the content step keeps the first MSG_POLICY_REPLY_LINES_MAX and logs
 * the whole. MSG_POLICY_REPLY_MAX also bounds the other actions' text
 * (discard: why; quarantine: the reason) and fits smtp's reply buffer
 * (SMTP_OUT_MAX) with the final CRLF.
 */
#define MSG_POLICY_REPLY_LINES_MAX 8
#define MSG_POLICY_REPLY_LINE_MAX 510 /* RFC 5321 4.5.3.1.5: 512 with CRLF */
#define MSG_POLICY_REPLY_MAX 1024     /* octets, the CRLFs between included */
#define MSG_POLICY_RENAMES_MAX 16     /* offsets in P_VERDICT */
#define MSG_QUARANTINE_REASON_MAX MSG_POLICY_REPLY_MAX /* Q_COMMIT's */

/* The administrators' notice of P_VERDICT and Q_NOTICE: printable
 * ASCII lines ending in CRLF. */
#define MSG_NOTICE_MAX 2048

#define MSG_QUEUE_ID_MAX 32 /* queue ids are shorter; a bound for buffers */

/* The envelope trailer of a rewritten content (see above). */
#define MSG_ENV_MAGIC "\0SKENV1" /* with its implicit NUL: 8 octets */
#define MSG_ENV_MAGIC_LEN 8
#define MSG_ENV_DELRCPT 1
#define MSG_ENV_ADDRCPT 2
#define MSG_ENV_OPS_MAX 1024  /* changes in one trailer */
#define MSG_ENV_ADDR_MAX 320  /* local (64) "@" domain (255) */
#define MSG_ENV_ORCPT_MAX 500 /* RFC 3461 4.2 */
#define MSG_ENV_OP_MAX (1 + 2 + MSG_ENV_ADDR_MAX + 4 + 2 + MSG_ENV_ORCPT_MAX)
#define MSG_ENV_BLOCK_MAX \
	(1 + 2 + MSG_ENV_ADDR_MAX + 4 + MSG_ENV_OPS_MAX * MSG_ENV_OP_MAX)
#define MSG_ENV_TRAILER_MAX (MSG_ENV_BLOCK_MAX + 4 + MSG_ENV_MAGIC_LEN)

/* P_VERDICT and Q_COMMIT rewrite mode (the descriptor they carry) */
enum msg_rewrite {
	MSG_REWRITE_NONE = 0,    /* no descriptor */
	MSG_REWRITE_REPLACE = 1, /* deliver the descriptor's content instead */
	MSG_REWRITE_STRIP = 2,   /* deliver it, keep the original in
				  * quarantine (the reply is the reason) */
};
#define MSG_REWRITE_LAST MSG_REWRITE_STRIP
/* In a STRIP content, where the quarantined original's queue id goes:
 * the queue writes the id (as long as the token) over each occurrence
 * while it copies the content. */
#define MSG_QID_TOKEN "[[SK-QID-TOKEN]]"

enum msg_log_level {
	MSG_LOG_INFO = 0,
	MSG_LOG_WARN = 1,
	MSG_LOG_FATAL = 2,
};

/* clang-format off */
#define MSG_TYPES(X)                                                   \
	X(MSG_HELLO,     1, MSG_HELLO_LEN, MSG_HELLO_LEN)              \
	X(MSG_LOG,       2, 2,             1 + MSG_LOG_TEXT_MAX)       \
	X(MSG_SHUTDOWN,  3, 0,             0)                          \
	X(MSG_PEER,      4, 4,             4)                          \
	X(MSG_AUTH_CHECK, 5, 8,            MSG_BODY_MAX)               \
	X(MSG_AUTH_RESULT, 6, 4,           4)                          \
	X(MSG_Q_OPEN,   10, 0,             0)                          \
	X(MSG_Q_OPENED, 11, 6,             4 + 2 * MSG_QUEUE_ID_MAX)   \
	X(MSG_Q_FAIL,   12, 6,             6 + 512)                    \
	X(MSG_Q_ENVELOPE, 13, 27,          MSG_BODY_MAX)               \
	X(MSG_Q_RCPT,   14, 8,             MSG_BODY_MAX)               \
	X(MSG_Q_COMMIT, 15, 12,            13 + MSG_PREPEND_MAX +      \
	    MSG_QUARANTINE_REASON_MAX)                                 \
	X(MSG_Q_COMMITTED, 16, 3,          2 + MSG_QUEUE_ID_MAX)       \
	X(MSG_Q_ABORT,  17, 0,             0)                          \
	X(MSG_Q_NOTICE, 18, 3,             2 + MSG_NOTICE_MAX)         \
	X(MSG_M_DELIVER, 20, 17,           MSG_BODY_MAX)               \
	X(MSG_M_RESULT, 21, 13,            MSG_BODY_MAX)               \
	X(MSG_M_DONE,   22, 4,             4)                          \
	X(MSG_P_CHECK,  25, 11,            MSG_BODY_MAX)               \
	X(MSG_P_VERDICT, 26, 11,           2 + MSG_QUEUE_ID_MAX + 1 +  \
	    2 + MSG_POLICY_REPLY_MAX + 4 + 8 * MSG_POLICY_RENAMES_MAX + \
	    2 + MSG_PREPEND_MAX + 1 + 2 + MSG_NOTICE_MAX)              \
	X(MSG_P_SEAL,   27, 3,             4 + 2 * MSG_QUEUE_ID_MAX)   \
	X(MSG_P_SEALED, 28, 5,             2 + MSG_QUEUE_ID_MAX + 2 +  \
	    MSG_PREPEND_MAX)                                           \
	X(MSG_CTL_REQUEST, 30, 2,          2 + 1024)                   \
	X(MSG_CTL_LINE, 31, 2,             MSG_BODY_MAX)               \
	X(MSG_CTL_END,  32, 6,             MSG_BODY_MAX)               \
	X(MSG_CTL_DATA, 33, 1,             MSG_BODY_MAX)
/* clang-format on */

enum msg_type {
	MSG_NONE = 0, /* never sent: a zeroed header is an error */
#define MSG_TYPE_ENUM(name, value, lo, hi) name = value,
	MSG_TYPES(MSG_TYPE_ENUM)
#undef MSG_TYPE_ENUM
};

#endif /* SK_MSG_TYPES_H */

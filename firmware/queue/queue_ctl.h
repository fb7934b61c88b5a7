/*
 * queue_ctl.h - the operator's commands to the queue, as they arrive in
 * CTL_REQUEST over SPOOL/control, and the bounded line builder the
 * answers are made with.
 *
 * Commands (one space between words, lower case, ids as queue_id.h):
 *
 *	list            one line per message
 *	show ID         envelope, recipients with status and last reply,
 *	                the message header
 *	hold ID         keep the message from delivery until released
 *	release ID      undo hold
 *	delete ID       remove the message; no bounce
 *	flush           every deferred recipient is due now
 *	flush ID        the same for one message
 *
 * and the quarantine (quarantined messages only; the commands above
 * refuse them):
 *
 *	quarantine list [since=T] [until=T] [from=S] [to=S] [reason=S]
 *	                one line per message; T unix seconds (when it
 *	                entered quarantine), S a substring (case-insensitive)
 *	                of the sender, of any recipient, of the reason
 *	quarantine show ID      envelope, reason, header, MIME parts
 *	quarantine download ID  the message as it would be delivered
 *	quarantine release ID   deliver it, unchanged
 *	quarantine delete ID    remove it
 *
 * A filter value is a word without spaces or double quotes, or "..."
 * (any printable text but a double quote); each filter at most once.
 *
 * The parser takes (buf, len) and writes a struct the caller owns.
 */
#ifndef QUEUE_CTL_H
#define QUEUE_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "queue_id.h"
#include "sk.h"

#define QUEUE_CTL_REQUEST_MAX 1024 /* msg_types.h: CTL_REQUEST bound */
#define QUEUE_CTL_FILTER_MAX 255   /* octets of one filter value */
/* 9999-12-31T23:59:59Z: a time filter past it is a typo */
#define QUEUE_CTL_TIME_MAX INT64_C(253402300799)

enum queue_ctl_cmd {
	QUEUE_CTL_LIST,
	QUEUE_CTL_SHOW,
	QUEUE_CTL_HOLD,
	QUEUE_CTL_RELEASE,
	QUEUE_CTL_DELETE,
	QUEUE_CTL_FLUSH,
	QUEUE_CTL_QLIST,
	QUEUE_CTL_QSHOW,
	QUEUE_CTL_QDOWNLOAD,
	QUEUE_CTL_QRELEASE,
	QUEUE_CTL_QDELETE,
};

struct queue_ctl_req {
	enum queue_ctl_cmd cmd;
	char id[QUEUE_ID_SIZE]; /* "" when the command has none */
	/* quarantine list filters: 0 or "" when not given; the strings
	 * hold no control octet and no double quote */
	int64_t since, until;
	char from[QUEUE_CTL_FILTER_MAX + 1];
	char to[QUEUE_CTL_FILTER_MAX + 1];
	char reason[QUEUE_CTL_FILTER_MAX + 1];
};

/*
 * queue_ctl_parse - SK_OK; SK_E_UNKNOWN for an unknown command;
 * SK_E_SYNTAX for a missing, extra or malformed argument (req->cmd then
 * names the command, for the error message).
 */
enum sk_result queue_ctl_parse(const char *buf, size_t len,
    struct queue_ctl_req *req);
/* queue_ctl_usage - the commands, one line, for error messages */
const char *queue_ctl_usage(void);

/* A line being built in caller storage; it never overflows: text that
 * does not fit is cut and the line ends in "..." */
struct queue_line {
	char *p;
	size_t cap, len;
	int cut;
};

void queue_line_init(struct queue_line *l, char *p, size_t cap);
void queue_line_add(struct queue_line *l, const char *s);
/* queue_line_addf - printf-style */
void queue_line_addf(struct queue_line *l, const char *fmt, ...)
    SK_PRINTF(2, 3);
/* queue_line_clean - outside text: TAB becomes a space, other control
 * and 8-bit octets '?' */
void queue_line_clean(struct queue_line *l, const char *s);
/* queue_line_clean_n - the same for n octets of s (NULs included) */
void queue_line_clean_n(struct queue_line *l, const char *s, size_t n);
/* queue_line_quoted - outside text in double quotes, cleaned, with '"'
 * and '\\' escaped by a backslash */
void queue_line_quoted(struct queue_line *l, const char *s);
/* queue_line_end - NUL-terminate; the string */
const char *queue_line_end(struct queue_line *l);

#endif /* QUEUE_CTL_H */

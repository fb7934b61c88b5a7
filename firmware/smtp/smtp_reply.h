/*
 * smtp_reply.h - every reply the SMTP server sends, in one table.
 *
 * Each row names a reply by its meaning and gives the basic code
 * (RFC 5321 4.2), the enhanced status code (RFC 3463, registry of
 * RFC 5248; empty where none applies, such as the 220 greeting and the
 * 354 go-ahead, RFC 2034 3) and the human text. Code elsewhere answers
 * by name (SMTP_R_BAD_SEQUENCE), never by writing a code by hand, so the
 * same situation always gets the same reply.
 *
 * Ownership: the table is static and read-only; the formatters write into
 * a buffer the caller owns and never allocate.
 */
#ifndef SK_SMTP_REPLY_H
#define SK_SMTP_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with its CRLF. */
#define SMTP_REPLY_LINE_MAX 512

/* clang-format off */
#define SMTP_REPLIES(X)                                                 \
	X(SMTP_R_NONE,               0, "",      "")                    \
	X(SMTP_R_GREETING,           220, "",      "ESMTP")             \
	X(SMTP_R_STARTTLS_GO,        220, "2.0.0",                      \
	    "Ready to start TLS")                                       \
	X(SMTP_R_QUIT,               221, "2.0.0", "Bye")               \
	X(SMTP_R_HELP,               214, "2.0.0", "See RFC 5321")      \
	X(SMTP_R_AUTH_OK,            235, "2.7.0",                      \
	    "Authentication successful")                                \
	X(SMTP_R_OK,                 250, "2.0.0", "Ok")                \
	X(SMTP_R_MAIL_OK,            250, "2.1.0", "Sender ok")         \
	X(SMTP_R_RCPT_OK,            250, "2.1.5", "Recipient ok")      \
	X(SMTP_R_QUEUED,             250, "2.0.0", "Ok: queued")        \
	X(SMTP_R_BDAT_OK,            250, "2.0.0", "Chunk accepted")    \
	X(SMTP_R_VRFY,               252, "2.5.0",                      \
	    "Cannot VRFY user, but will accept message")                \
	X(SMTP_R_AUTH_CONTINUE,      334, "",      "")                  \
	X(SMTP_R_DATA_GO,            354, "",                           \
	    "End data with <CR><LF>.<CR><LF>")                          \
	X(SMTP_R_SHUTDOWN,           421, "4.3.2",                      \
	    "Service shutting down")                                    \
	X(SMTP_R_TOO_MANY_ERRORS,    421, "4.7.0", "Too many errors")   \
	X(SMTP_R_TOO_MANY_CMDS,      421, "4.7.0",                      \
	    "Too many commands")                                        \
	X(SMTP_R_TIMEOUT,            421, "4.4.2", "Timeout exceeded")  \
	X(SMTP_R_TOO_MANY_CONNS,     421, "4.7.0",                      \
	    "Too many connections, try again later")                    \
	X(SMTP_R_QUEUE_FAILED,       451, "4.3.0",                      \
	    "Error: queue file write error")                            \
	X(SMTP_R_NO_SPACE,           452, "4.3.1",                      \
	    "Insufficient system storage")                              \
	X(SMTP_R_AUTH_TEMP,          454, "4.7.0",                      \
	    "Temporary authentication failure")                         \
	X(SMTP_R_TOO_MANY_RCPTS,     452, "4.5.3",                      \
	    "Too many recipients")                                      \
	X(SMTP_R_TLS_UNAVAILABLE,    454, "4.7.0",                      \
	    "TLS not available")                                        \
	X(SMTP_R_LINE_TOO_LONG,      500, "5.5.0",                      \
	    "Error: line too long")                                     \
	X(SMTP_R_AUTH_TOO_LONG,      500, "5.5.6",                      \
	    "Authentication exchange line is too long")                 \
	X(SMTP_R_CMD_BARE_NL,        500, "5.5.2",                      \
	    "Error: bare <CR> or <LF> in command")                      \
	X(SMTP_R_CMD_UNKNOWN,        500, "5.5.1",                      \
	    "Error: command not recognized")                            \
	X(SMTP_R_SYNTAX,             501, "5.5.2",                      \
	    "Error: syntax error")                                      \
	X(SMTP_R_CMD_CTL,            501, "5.5.2",                      \
	    "Error: control character in command")                      \
	X(SMTP_R_HELO_SYNTAX,        501, "5.5.2",                      \
	    "Syntax: EHLO hostname")                                    \
	X(SMTP_R_MAIL_SYNTAX,        501, "5.5.2",                      \
	    "Syntax: MAIL FROM:<address> [parameters]")                 \
	X(SMTP_R_RCPT_SYNTAX,        501, "5.5.2",                      \
	    "Syntax: RCPT TO:<address> [parameters]")                   \
	X(SMTP_R_BDAT_SYNTAX,        501, "5.5.4",                      \
	    "Syntax: BDAT size [LAST]")                                 \
	X(SMTP_R_NO_ARGS,            501, "5.5.4",                      \
	    "Error: no parameters allowed")                             \
	X(SMTP_R_SENDER_SYNTAX,      501, "5.1.7",                      \
	    "Bad sender address syntax")                                \
	X(SMTP_R_RCPT_ADDR_SYNTAX,   501, "5.1.3",                      \
	    "Bad recipient address syntax")                             \
	X(SMTP_R_PATH_TOO_LONG,      501, "5.1.3", "Address too long")  \
	X(SMTP_R_PARAM_BAD,          501, "5.5.4",                      \
	    "Invalid parameter value")                                  \
	X(SMTP_R_PARAM_DUP,          501, "5.5.4",                      \
	    "Duplicate parameter")                                      \
	X(SMTP_R_AUTH_ABORTED,       501, "5.7.0",                      \
	    "Authentication aborted")                                   \
	X(SMTP_R_AUTH_SYNTAX,        501, "5.5.2",                      \
	    "Syntax: AUTH mechanism [initial-response]")                \
	X(SMTP_R_AUTH_BASE64,        501, "5.5.2",                      \
	    "Cannot decode response (RFC 4954 4)")                      \
	X(SMTP_R_AUTH_MALFORMED,     501, "5.5.2",                      \
	    "Malformed authentication response")                        \
	X(SMTP_R_NOT_IMPL,           502, "5.5.1",                      \
	    "Command not implemented")                                  \
	X(SMTP_R_BAD_SEQUENCE,       503, "5.5.1",                      \
	    "Error: bad sequence of commands")                          \
	X(SMTP_R_NEED_HELO,          503, "5.5.1",                      \
	    "Error: send HELO/EHLO first")                              \
	X(SMTP_R_NEED_MAIL,          503, "5.5.1",                      \
	    "Error: need MAIL command")                                 \
	X(SMTP_R_NEED_RCPT,          503, "5.5.1",                      \
	    "Error: need RCPT command")                                 \
	X(SMTP_R_NESTED_MAIL,        503, "5.5.1",                      \
	    "Error: nested MAIL command")                               \
	X(SMTP_R_NEED_BDAT,          503, "5.5.1",                      \
	    "Error: BINARYMIME requires BDAT")                          \
	X(SMTP_R_BDAT_ABORTED,       503, "5.5.1",                      \
	    "Error: bad sequence, chunk discarded")                     \
	X(SMTP_R_ALREADY_TLS,        503, "5.5.1",                      \
	    "Error: TLS already active")                                \
	X(SMTP_R_ALREADY_AUTH,       503, "5.5.1",                      \
	    "Error: already authenticated")                             \
	X(SMTP_R_PARAM_NOT_IMPL,     504, "5.5.4",                      \
	    "Command parameter not implemented")                        \
	X(SMTP_R_AUTH_MECH,          504, "5.5.4",                      \
	    "Unrecognized authentication type")                         \
	X(SMTP_R_TLS_REQUIRED,       530, "5.7.0",                      \
	    "Must issue a STARTTLS command first")                      \
	X(SMTP_R_AUTH_FAILED,        535, "5.7.8",                      \
	    "Authentication credentials invalid")                       \
	X(SMTP_R_USER_UNKNOWN,       550, "5.1.1",                      \
	    "User unknown")                                             \
	X(SMTP_R_RELAY_DENIED,       554, "5.7.1",                      \
	    "Relay access denied")                                      \
	X(SMTP_R_ADDR_TRICK,         553, "5.7.1",                      \
	    "Address form not accepted (%, ! or quoted @)")             \
	X(SMTP_R_SIZE_TOO_BIG,       552, "5.3.4",                      \
	    "Message size exceeds fixed limit")                         \
	X(SMTP_R_UTF8_REQUIRED,      553, "5.6.7",                      \
	    "Non-ASCII address requires SMTPUTF8")                      \
	X(SMTP_R_DATA_BARE_LF,       554, "5.6.0",                      \
	    "Message contains bare <LF> (RFC 5321 2.3.8)")              \
	X(SMTP_R_DATA_BARE_CR,       554, "5.6.0",                      \
	    "Message contains bare <CR> (RFC 5321 2.3.8)")              \
	X(SMTP_R_DATA_NUL,           554, "5.6.0",                      \
	    "Message contains NUL")                                     \
	X(SMTP_R_DATA_LONG_LINE,     554, "5.6.0",                      \
	    "Message line longer than 1000 octets (RFC 5321 4.5.3.1.6)") \
	X(SMTP_R_LOOP,               554, "5.4.6",                      \
	    "Too many Received headers: mail loop")                     \
	X(SMTP_R_EARLY_TALKER,       554, "5.5.0",                      \
	    "Error: talked before the greeting")                        \
	X(SMTP_R_PIPELINING,         554, "5.5.0",                      \
	    "Error: SMTP protocol synchronization")                     \
	X(SMTP_R_PARAM_UNKNOWN,      555, "5.5.4",                      \
	    "Unsupported MAIL/RCPT parameter")
/* clang-format on */

enum smtp_reply_id {
#define SMTP_REPLY_ENUM(id, code, enh, text) id,
	SMTP_REPLIES(SMTP_REPLY_ENUM)
#undef SMTP_REPLY_ENUM
	    SMTP_R_COUNT
};

struct smtp_reply {
	uint16_t code;    /* RFC 5321 4.2 three-digit code */
	const char *enh;  /* RFC 3463 class.subject.detail, or "" */
	const char *text; /* without code, enhanced code or CRLF */
};

/* smtp_reply_get - the row of id; the SMTP_R_NONE row when out of range */
const struct smtp_reply *smtp_reply_get(enum smtp_reply_id id);
/* smtp_reply_name - "SMTP_R_OK"... for tests and logs */
const char *smtp_reply_name(enum smtp_reply_id id);

/*
 * smtp_reply_format - append one reply to out[cap] at *len:
 * "CODE ENH TEXT[ DETAIL]\r\n" (ENH omitted when empty). detail may be
 * NULL; it is text we chose (a queue id, our host name), never peer
 * input. SK_E_FULL (and *len unchanged) if it does not fit;
 * SK_E_TOO_LONG if the line would exceed SMTP_REPLY_LINE_MAX.
 */
enum sk_result smtp_reply_format(enum smtp_reply_id id, const char *detail,
    char *out, size_t cap, size_t *len);

/*
 * smtp_reply_format_lines - append a multi-line reply (RFC 5321 4.2.1):
 * every line but the last is "CODE-TEXT", the last "CODE TEXT". Each
 * line gets the enhanced code when enh is non-empty. Same results as
 * smtp_reply_format; nothing is appended on error.
 */
enum sk_result smtp_reply_format_lines(uint16_t code, const char *enh,
    const char *const *lines, size_t nlines, char *out, size_t cap,
    size_t *len);

#endif /* SK_SMTP_REPLY_H */

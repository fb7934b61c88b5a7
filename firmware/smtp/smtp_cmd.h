/*
 * smtp_cmd.h - parse one SMTP command line (RFC 5321 4.1.1, 4.1.2).
 *
 * Security-sensitive: the input is a line from the network, as cut by
 * the CRLF line splitter of lib/buf.h (CRLF removed). The parser never
 * modifies or copies it: struct smtp_cmd holds views (pointer and
 * length) into the caller's line, valid as long as that line is. It
 * never allocates and always sets cmd->reply to the reply the server
 * gives when the result is not SK_OK.
 *
 * Strictness (RFC 5321 4.1.1: verb SP argument CRLF):
 *   - verbs are case-insensitive and looked up in a table;
 *   - exactly one SP after the verb, and after "FROM:<path>"/"TO:<path>"
 *     before the parameters, which are separated by exactly one SP;
 *   - no control characters (NUL, CR, LF, HTAB, DEL...) anywhere: a NUL
 *     is never a place where the line "ends" (conformance case
 *     nul_in_command); octets >= 0x80 only in MAIL/RCPT arguments,
 *     where the address parser allows them under SMTPUTF8;
 *   - MAIL/RCPT require angle brackets (RFC 5321 4.1.2 Path).
 * Liberal where real clients differ, because refusing them loses mail
 * and gains no safety:
 *   - spaces after "FROM:" / "TO:" ("MAIL FROM: <a@b>"), sent by old
 *     clients and accepted by Postfix and Sendmail;
 *   - trailing spaces at the end of any command line;
 *   - the EHLO/HELO argument is any printable ASCII word: RFC 5321
 *     4.1.4 forbids refusing mail over a wrong name, and Windows hosts
 *     send names such as "WIN_PC" that are not valid domains.
 *
 * Line limits (the splitter must be set to SMTP_CMD_LINE_MAX_ANY):
 *   512 octets with CRLF for every command (RFC 5321 4.5.3.1.4); MAIL
 *   may be longer by what the extensions we offer allow: +26 for SIZE
 *   (RFC 1870), +100 for RET/ENVID (RFC 3461 4), +500 for AUTH=
 *   (RFC 4954 5), +10 for SMTPUTF8 (RFC 6531 3.4) and +20 for BODY=
 *   (RFC 6152 names no number; ours, for "BODY=BINARYMIME"); RCPT by
 *   +500 for NOTIFY/ORCPT (RFC 3461 4).
 */
#ifndef SK_SMTP_CMD_H
#define SK_SMTP_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"
#include "smtp_reply.h"

#define SMTP_CMD_LINE_MAX 512 /* RFC 5321 4.5.3.1.4, CRLF included */
#define SMTP_CMD_MAIL_LINE_MAX (SMTP_CMD_LINE_MAX + 26 + 100 + 500 + 10 + 20)
#define SMTP_CMD_RCPT_LINE_MAX (SMTP_CMD_LINE_MAX + 500)
#define SMTP_CMD_LINE_MAX_ANY SMTP_CMD_MAIL_LINE_MAX
/* RFC 4954 4: a SASL response line (not a command) may reach 12288. */
#define SMTP_AUTH_LINE_MAX 12288
#define SMTP_BDAT_DIGITS_MAX 20 /* a chunk size fits in 64 bits */

enum smtp_verb {
	SMTP_VERB_NONE = 0,
	SMTP_VERB_EHLO,
	SMTP_VERB_HELO,
	SMTP_VERB_MAIL,
	SMTP_VERB_RCPT,
	SMTP_VERB_DATA,
	SMTP_VERB_BDAT,
	SMTP_VERB_RSET,
	SMTP_VERB_NOOP,
	SMTP_VERB_QUIT,
	SMTP_VERB_VRFY,
	SMTP_VERB_EXPN,
	SMTP_VERB_HELP,
	SMTP_VERB_STARTTLS,
	SMTP_VERB_AUTH,
	SMTP_VERB_COUNT
};

struct smtp_cmd {
	enum smtp_verb verb;
	const uint8_t *arg; /* after the verb's SP, trailing SPs cut */
	size_t arglen;      /* 0 (and arg NULL) when there is none */
	/*
	 * MAIL/RCPT: word is the path "<...>", rest the parameters.
	 * AUTH: word is the mechanism, rest the initial response.
	 * rest is NULL when absent.
	 */
	const uint8_t *word;
	size_t wordlen;
	const uint8_t *rest;
	size_t restlen;
	uint64_t bdat_size;       /* BDAT chunk size */
	int bdat_last;            /* BDAT ... LAST */
	enum smtp_reply_id reply; /* what to answer when not SK_OK */
};

/*
 * smtp_cmd_parse - parse line[0..len), CRLF excluded.
 * SK_OK, or SK_E_UNKNOWN (verb), SK_E_SYNTAX, SK_E_TOO_LONG, SK_E_RANGE
 * (BDAT size overflow), each with cmd->reply set.
 */
enum sk_result smtp_cmd_parse(const uint8_t *line, size_t len,
    struct smtp_cmd *cmd);

/* smtp_verb_name - "EHLO"...; "?" for SMTP_VERB_NONE or out of range */
const char *smtp_verb_name(enum smtp_verb v);

#endif /* SK_SMTP_CMD_H */

/*
 * smtp_cmd.c - SMTP command line parser; see smtp_cmd.h.
 *
 * One table row per verb: its name, the longest line it may have and
 * the function that checks its argument (STYLE.md item 8: dispatch
 * tables, not switch ladders).
 */
#include <string.h>
#include <strings.h>

#include "smtp_cmd.h"

typedef enum sk_result smtp_cmd_arg_fn(struct smtp_cmd *);

struct smtp_verb_row {
	const char *name;
	enum smtp_verb verb;
	size_t linemax; /* CRLF included */
	smtp_cmd_arg_fn *arg;
};

static smtp_cmd_arg_fn smtp_cmd_none, smtp_cmd_opt, smtp_cmd_text,
    smtp_cmd_helo, smtp_cmd_mail, smtp_cmd_rcpt, smtp_cmd_bdat, smtp_cmd_auth;

static const struct smtp_verb_row smtp_verbs[] = {
	{ "EHLO", SMTP_VERB_EHLO, SMTP_CMD_LINE_MAX, smtp_cmd_helo },
	{ "HELO", SMTP_VERB_HELO, SMTP_CMD_LINE_MAX, smtp_cmd_helo },
	{ "MAIL", SMTP_VERB_MAIL, SMTP_CMD_MAIL_LINE_MAX, smtp_cmd_mail },
	{ "RCPT", SMTP_VERB_RCPT, SMTP_CMD_RCPT_LINE_MAX, smtp_cmd_rcpt },
	{ "DATA", SMTP_VERB_DATA, SMTP_CMD_LINE_MAX, smtp_cmd_none },
	{ "BDAT", SMTP_VERB_BDAT, SMTP_CMD_LINE_MAX, smtp_cmd_bdat },
	{ "RSET", SMTP_VERB_RSET, SMTP_CMD_LINE_MAX, smtp_cmd_none },
	{ "NOOP", SMTP_VERB_NOOP, SMTP_CMD_LINE_MAX, smtp_cmd_opt },
	{ "QUIT", SMTP_VERB_QUIT, SMTP_CMD_LINE_MAX, smtp_cmd_none },
	{ "VRFY", SMTP_VERB_VRFY, SMTP_CMD_LINE_MAX, smtp_cmd_text },
	{ "EXPN", SMTP_VERB_EXPN, SMTP_CMD_LINE_MAX, smtp_cmd_text },
	{ "HELP", SMTP_VERB_HELP, SMTP_CMD_LINE_MAX, smtp_cmd_opt },
	{ "STARTTLS", SMTP_VERB_STARTTLS, SMTP_CMD_LINE_MAX, smtp_cmd_none },
	{ "AUTH", SMTP_VERB_AUTH, SMTP_CMD_LINE_MAX, smtp_cmd_auth },
};

/* smtp_verb_name - "EHLO"...; "?" for SMTP_VERB_NONE or out of range */
const char *
smtp_verb_name(enum smtp_verb v)
{
	size_t i;

	for (i = 0; i < SK_NELEM(smtp_verbs); i++) {
		if (smtp_verbs[i].verb == v) {
			return smtp_verbs[i].name;
		}
	}
	return "?";
}

/* smtp_cmd_fail - set the reply for an error result */
static enum sk_result
smtp_cmd_fail(struct smtp_cmd *cmd, enum sk_result r, enum smtp_reply_id id)
{
	cmd->reply = id;
	return r;
}

/* smtp_cmd_ascii - whether the argument is printable ASCII only */
static int
smtp_cmd_ascii(const struct smtp_cmd *cmd)
{
	size_t i;

	for (i = 0; i < cmd->arglen; i++) {
		if (cmd->arg[i] >= 0x80) {
			return 0;
		}
	}
	return 1;
}

/* smtp_cmd_none - DATA, RSET, QUIT, STARTTLS: no argument at all */
static enum sk_result
smtp_cmd_none(struct smtp_cmd *cmd)
{
	if (cmd->arglen > 0) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_NO_ARGS);
	}
	return SK_OK;
}

/* smtp_cmd_opt - NOOP, HELP: RFC 5321 4.1.1.9/4.1.1.8 [ SP String ] */
static enum sk_result
smtp_cmd_opt(struct smtp_cmd *cmd)
{
	if (!smtp_cmd_ascii(cmd)) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
	}
	return SK_OK;
}

/* smtp_cmd_text - VRFY, EXPN: RFC 5321 4.1.1.6/4.1.1.7 SP String */
static enum sk_result
smtp_cmd_text(struct smtp_cmd *cmd)
{
	if (cmd->arglen == 0 || !smtp_cmd_ascii(cmd)) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
	}
	return SK_OK;
}

/* smtp_cmd_helo - EHLO/HELO SP name: one printable ASCII word */
static enum sk_result
smtp_cmd_helo(struct smtp_cmd *cmd)
{
	if (cmd->arglen == 0 || !smtp_cmd_ascii(cmd) ||
	    memchr(cmd->arg, ' ', cmd->arglen) != NULL) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_HELO_SYNTAX);
	}
	return SK_OK;
}

/* smtp_cmd_pathlen - length of the "<...>" at p, quotes honoured; 0 if none */
static size_t
smtp_cmd_pathlen(const uint8_t *p, size_t len)
{
	size_t i;
	int quoted = 0;

	if (len == 0 || p[0] != '<') {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (quoted && p[i] == '\\') {
			i++;
		} else if (p[i] == '"') {
			quoted = !quoted;
		} else if (!quoted && p[i] == '>') {
			return i + 1;
		}
	}
	return 0;
}

/* smtp_cmd_path - "KEYWORD:" *SP Path [ SP Mail-parameters ] */
static enum sk_result
smtp_cmd_path(struct smtp_cmd *cmd, const char *kw, enum smtp_reply_id bad)
{
	size_t kwlen = strlen(kw), i, n;

	if (cmd->arglen < kwlen ||
	    strncasecmp((const char *)cmd->arg, kw, kwlen) != 0) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, bad);
	}
	/* Liberal: "MAIL FROM: <a@b>", see smtp_cmd.h. */
	for (i = kwlen; i < cmd->arglen && cmd->arg[i] == ' '; i++) {
	}
	n = smtp_cmd_pathlen(cmd->arg + i, cmd->arglen - i);
	if (n == 0) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, bad);
	}
	cmd->word = cmd->arg + i;
	cmd->wordlen = n;
	i += n;
	if (i == cmd->arglen) {
		return SK_OK;
	}
	/* RFC 5321 4.1.2: Path [SP Mail-parameters]; one SP, then a keyword. */
	if (cmd->arg[i] != ' ' || i + 1 == cmd->arglen ||
	    cmd->arg[i + 1] == ' ') {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, bad);
	}
	cmd->rest = cmd->arg + i + 1;
	cmd->restlen = cmd->arglen - i - 1;
	return SK_OK;
}

/* smtp_cmd_mail - MAIL FROM:<reverse-path> [SP Mail-parameters] */
static enum sk_result
smtp_cmd_mail(struct smtp_cmd *cmd)
{
	return smtp_cmd_path(cmd, "FROM:", SMTP_R_MAIL_SYNTAX);
}

/* smtp_cmd_rcpt - RCPT TO:<forward-path> [SP Rcpt-parameters] */
static enum sk_result
smtp_cmd_rcpt(struct smtp_cmd *cmd)
{
	return smtp_cmd_path(cmd, "TO:", SMTP_R_RCPT_SYNTAX);
}

/* smtp_cmd_bdat - RFC 3030 2: BDAT SP chunk-size [ SP end-marker ] */
static enum sk_result
smtp_cmd_bdat(struct smtp_cmd *cmd)
{
	uint64_t v = 0;
	size_t i;
	unsigned d;

	for (i = 0; i < cmd->arglen && cmd->arg[i] >= '0' && cmd->arg[i] <= '9';
	     i++) {
		d = (unsigned)(cmd->arg[i] - '0');
		/* Overflow-safe: v * 10 + d must stay within 64 bits. */
		if (i >= SMTP_BDAT_DIGITS_MAX || v > (UINT64_MAX - d) / 10) {
			return smtp_cmd_fail(cmd, SK_E_RANGE,
			    SMTP_R_BDAT_SYNTAX);
		}
		v = v * 10 + d;
	}
	if (i == 0) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_BDAT_SYNTAX);
	}
	cmd->bdat_size = v;
	if (i == cmd->arglen) {
		return SK_OK;
	}
	if (cmd->arglen - i != 5 || cmd->arg[i] != ' ' ||
	    strncasecmp((const char *)cmd->arg + i + 1, "LAST", 4) != 0) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_BDAT_SYNTAX);
	}
	cmd->bdat_last = 1;
	return SK_OK;
}

/* smtp_cmd_auth - RFC 4954 4: AUTH SP mechanism [SP initial-response] */
static enum sk_result
smtp_cmd_auth(struct smtp_cmd *cmd)
{
	const uint8_t *sp;
	size_t i;

	if (cmd->arglen == 0 || !smtp_cmd_ascii(cmd)) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
	}
	sp = memchr(cmd->arg, ' ', cmd->arglen);
	cmd->word = cmd->arg;
	cmd->wordlen = sp != NULL ? (size_t)(sp - cmd->arg) : cmd->arglen;
	/* RFC 4422 3.1: sasl-mech = 1*20 mech-char (A-Z 0-9 - _). */
	if (cmd->wordlen == 0 || cmd->wordlen > 20) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
	}
	for (i = 0; i < cmd->wordlen; i++) {
		uint8_t c = cmd->word[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_')) {
			return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
		}
	}
	if (sp != NULL) {
		cmd->rest = sp + 1;
		cmd->restlen = cmd->arglen - cmd->wordlen - 1;
		if (cmd->restlen == 0 ||
		    memchr(cmd->rest, ' ', cmd->restlen) != NULL) {
			return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
		}
	}
	return SK_OK;
}

/* smtp_cmd_ctl - the first control character in line, or -1 */
static int
smtp_cmd_ctl(const uint8_t *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (line[i] < 0x20 || line[i] == 0x7f) {
			return line[i];
		}
	}
	return -1;
}

/* smtp_cmd_lookup - the table row of a verb word, or NULL */
static const struct smtp_verb_row *
smtp_cmd_lookup(const uint8_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < SK_NELEM(smtp_verbs); i++) {
		if (strlen(smtp_verbs[i].name) == n &&
		    strncasecmp(smtp_verbs[i].name, (const char *)w, n) == 0) {
			return &smtp_verbs[i];
		}
	}
	return NULL;
}

/* smtp_cmd_parse - parse line[0..len), CRLF excluded */
enum sk_result
smtp_cmd_parse(const uint8_t *line, size_t len, struct smtp_cmd *cmd)
{
	const struct smtp_verb_row *row;
	const uint8_t *sp;
	size_t vlen;
	int ctl;

	memset(cmd, 0, sizeof(*cmd));
	if (len + 2 > SMTP_CMD_LINE_MAX_ANY) {
		return smtp_cmd_fail(cmd, SK_E_TOO_LONG, SMTP_R_LINE_TOO_LONG);
	}
	ctl = smtp_cmd_ctl(line, len);
	if (ctl == '\r' || ctl == '\n') {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_CMD_BARE_NL);
	}
	if (ctl >= 0) {
		return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_CMD_CTL);
	}
	/* Liberal: trailing spaces are dropped, see smtp_cmd.h. */
	while (len > 0 && line[len - 1] == ' ') {
		len--;
	}
	sp = len > 0 ? memchr(line, ' ', len) : NULL;
	vlen = sp != NULL ? (size_t)(sp - line) : len;
	row = smtp_cmd_lookup(line, vlen);
	if (row == NULL) {
		return smtp_cmd_fail(cmd, SK_E_UNKNOWN, SMTP_R_CMD_UNKNOWN);
	}
	cmd->verb = row->verb;
	/* RFC 5321 4.5.3.1.4 and the extensions' allowances. */
	if (len + 2 > row->linemax) {
		return smtp_cmd_fail(cmd, SK_E_TOO_LONG, SMTP_R_LINE_TOO_LONG);
	}
	if (sp != NULL) {
		/* Exactly one SP between verb and argument. */
		if (vlen + 1 >= len || line[vlen + 1] == ' ') {
			return smtp_cmd_fail(cmd, SK_E_SYNTAX, SMTP_R_SYNTAX);
		}
		cmd->arg = line + vlen + 1;
		cmd->arglen = len - vlen - 1;
	}
	return row->arg(cmd);
}

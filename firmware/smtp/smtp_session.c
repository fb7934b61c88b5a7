/*
 * smtp_session.c - the SMTP server state machine; see smtp_session.h.
 *
 * Each verb has one row in smtp_session_verbs: the function that
 * handles it and whether it must end a pipelined group (RFC 2920 3.1).
 */
#include <stdio.h>
#include <string.h>

#include "smtp_session.h"

/* Lines of a check's refusal: the policy and content processes send at
 * most this many (MSG_POLICY_REPLY_LINES_MAX, lib/msg_types.h); the
 * whole reply must also fit in what is left of SMTP_OUT_MAX. */
#define SMTP_SESSION_REFUSAL_LINES_MAX 8

typedef enum smtp_action smtp_session_fn(struct smtp_session *,
    const struct smtp_cmd *, struct smtp_out *);

struct smtp_session_row {
	enum smtp_verb verb;
	int group_end; /* RFC 2920 3.1: must be the last in a group */
	smtp_session_fn *fn;
};

/* smtp_session_reply - append a reply from the table */
static void
smtp_session_reply(struct smtp_out *out, enum smtp_reply_id id,
    const char *detail)
{
	if (smtp_reply_format(id, detail, out->buf, sizeof(out->buf),
		&out->len) != SK_OK) {
		/* Cannot happen with our table and SMTP_OUT_MAX; stay sane. */
		out->len = 0;
		smtp_reply_format(SMTP_R_SHUTDOWN, NULL, out->buf,
		    sizeof(out->buf), &out->len);
	}
}

/* smtp_session_close - say id and refuse everything after */
static enum smtp_action
smtp_session_close(struct smtp_session *s, struct smtp_out *out,
    enum smtp_reply_id id)
{
	smtp_session_reply(out, id, NULL);
	s->state = SMTP_S_CLOSED;
	return SMTP_A_CLOSE;
}

/* smtp_session_error - answer a peer error; close after too many */
static enum smtp_action
smtp_session_error(struct smtp_session *s, struct smtp_out *out,
    enum smtp_reply_id id)
{
	smtp_session_reply(out, id, NULL);
	if (++s->errors >= s->conf.max_errors) {
		return smtp_session_close(s, out, SMTP_R_TOO_MANY_ERRORS);
	}
	return SMTP_A_NONE;
}

/* smtp_session_reset - forget the mail transaction (RFC 5321 4.1.1.5) */
static void
smtp_session_reset(struct smtp_session *s)
{
	s->rcpts = 0;
	s->bdat_open = 0;
	s->bdat_last = 0;
	s->mail_utf8 = 0;
	memset(&s->mail, 0, sizeof(s->mail));
	memset(&s->from, 0, sizeof(s->from));
	s->envid[0] = '\0';
	if (s->state != SMTP_S_GREETED && s->state != SMTP_S_CLOSED) {
		s->state = SMTP_S_READY;
	}
}

/* smtp_session_init - a session for one connection */
void
smtp_session_init(struct smtp_session *s, const struct smtp_session_conf *conf)
{
	memset(s, 0, offsetof(struct smtp_session, u));
	s->conf = *conf;
	if (s->conf.hostname == NULL) {
		s->conf.hostname = "localhost";
	}
	if (s->conf.max_rcpts == 0) {
		s->conf.max_rcpts = SMTP_SESSION_RCPTS_MAX;
	}
	if (s->conf.max_errors == 0) {
		s->conf.max_errors = SMTP_SESSION_ERRORS_MAX;
	}
	if (s->conf.max_cmds == 0) {
		s->conf.max_cmds = SMTP_SESSION_CMDS_MAX;
	}
	s->state = SMTP_S_GREETED;
}

/* smtp_session_greet - the 220 greeting, RFC 5321 4.3.1 */
enum smtp_action
smtp_session_greet(struct smtp_session *s, struct smtp_out *out)
{
	char line[SMTP_SESSION_HOST_MAX + 16];
	const char *lines[1] = { line };

	snprintf(line, sizeof(line), "%.*s ESMTP", SMTP_SESSION_HOST_MAX,
	    s->conf.hostname);
	smtp_reply_format_lines(220, "", lines, 1, out->buf, sizeof(out->buf),
	    &out->len);
	return SMTP_A_NONE;
}

/* smtp_session_caps - the EHLO keywords for what is offered now */
static size_t
smtp_session_caps(const struct smtp_session *s, char lines[][32], size_t max)
{
	unsigned caps = s->conf.caps;
	size_t n = 0;

	if ((caps & SMTP_EXT_PIPELINING) && n < max) {
		snprintf(lines[n++], 32, "PIPELINING");
	}
	if ((caps & SMTP_EXT_SIZE) && n < max) {
		snprintf(lines[n++], 32, "SIZE %llu",
		    (unsigned long long)s->conf.max_size);
	}
	if ((caps & SMTP_EXT_8BITMIME) && n < max) {
		snprintf(lines[n++], 32, "8BITMIME");
	}
	if ((caps & SMTP_EXT_BINARYMIME) && n < max) {
		snprintf(lines[n++], 32, "BINARYMIME");
	}
	if ((caps & SMTP_EXT_CHUNKING) && n < max) {
		snprintf(lines[n++], 32, "CHUNKING");
	}
	if ((caps & SMTP_EXT_SMTPUTF8) && n < max) {
		snprintf(lines[n++], 32, "SMTPUTF8");
	}
	if ((caps & SMTP_EXT_DSN) && n < max) {
		snprintf(lines[n++], 32, "DSN");
	}
	if ((caps & SMTP_EXT_ENHANCED) && n < max) {
		snprintf(lines[n++], 32, "ENHANCEDSTATUSCODES");
	}
	/* RFC 3207 4.2: not again inside TLS. */
	if ((caps & SMTP_EXT_STARTTLS) && !s->tls && n < max) {
		snprintf(lines[n++], 32, "STARTTLS");
	}
	/* Submission: AUTH is not even offered before TLS. */
	if ((caps & SMTP_EXT_AUTH) && !s->authed &&
	    (s->tls || !s->conf.auth_needs_tls) && n < max) {
		snprintf(lines[n++], 32, "AUTH PLAIN LOGIN");
	}
	return n;
}

/* smtp_session_ehlo - EHLO and HELO, RFC 5321 4.1.1.1 */
static enum smtp_action
smtp_session_ehlo(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	char caps[12][32], first[SMTP_SESSION_HOST_MAX + 1];
	const char *lines[13];
	size_t n, i;

	smtp_session_reset(s);
	s->state = SMTP_S_READY;
	s->ehlo = cmd->verb == SMTP_VERB_EHLO;
	snprintf(first, sizeof(first), "%s", s->conf.hostname);
	lines[0] = first;
	n = s->ehlo ? smtp_session_caps(s, caps, 12) : 0;
	for (i = 0; i < n; i++) {
		lines[i + 1] = caps[i];
	}
	smtp_reply_format_lines(250, "", lines, n + 1, out->buf,
	    sizeof(out->buf), &out->len);
	return SMTP_A_NONE;
}

/* smtp_session_offered - the extensions in force for this session */
static unsigned
smtp_session_offered(const struct smtp_session *s)
{
	return s->ehlo ? s->conf.caps : 0;
}

/* smtp_session_addr_reply - the reply for an address parse error */
static enum smtp_reply_id
smtp_session_addr_reply(enum sk_result r, enum smtp_reply_id syntax)
{
	if (r == SK_E_TOO_LONG) {
		return SMTP_R_PATH_TOO_LONG;
	}
	if (r == SK_E_RANGE) {
		return SMTP_R_UTF8_REQUIRED; /* RFC 6531 3.7.4.1 */
	}
	return syntax;
}

/* smtp_session_mail - MAIL FROM, RFC 5321 4.1.1.2 */
static enum smtp_action
smtp_session_mail(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	struct smtp_mail_params p;
	unsigned opts = SMTP_ADDR_OPT_NULL_OK;
	enum sk_result r;

	if (s->state == SMTP_S_GREETED) {
		return smtp_session_error(s, out, SMTP_R_NEED_HELO);
	}
	if (s->state != SMTP_S_READY) {
		return smtp_session_error(s, out, SMTP_R_NESTED_MAIL);
	}
	r = smtp_param_mail(cmd->rest, cmd->restlen, smtp_session_offered(s),
	    s->conf.max_size, &p);
	if (r != SK_OK) {
		return smtp_session_error(s, out, p.reply);
	}
	if (p.have & SMTP_P_SMTPUTF8) {
		opts |= SMTP_ADDR_OPT_UTF8;
	}
	r = smtp_addr_parse(cmd->word, cmd->wordlen, opts, &s->from);
	if (r != SK_OK) {
		return smtp_session_error(s, out,
		    smtp_session_addr_reply(r, SMTP_R_SENDER_SYNTAX));
	}
	s->mail = p;
	/* Views into the line die with it; keep only values. */
	memcpy(s->envid, p.envid != NULL ? (const char *)p.envid : "",
	    p.envidlen);
	s->envid[p.envidlen] = '\0';
	s->mail.envid = s->mail.auth = NULL;
	s->mail_utf8 = (p.have & SMTP_P_SMTPUTF8) != 0;
	s->rcpts = 0;
	s->state = SMTP_S_MAIL;
	smtp_session_reply(out, SMTP_R_MAIL_OK, NULL);
	return SMTP_A_NONE;
}

/* smtp_session_rcpt - RCPT TO, RFC 5321 4.1.1.3 */
static enum smtp_action
smtp_session_rcpt(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	struct smtp_rcpt_params p;
	struct smtp_addr a;
	unsigned opts = SMTP_ADDR_OPT_POSTMASTER;
	enum smtp_reply_id id;
	enum sk_result r;

	if (s->state != SMTP_S_MAIL && s->state != SMTP_S_RCPT) {
		return smtp_session_error(s, out, SMTP_R_NEED_MAIL);
	}
	if (s->bdat_open) {
		return smtp_session_error(s, out, SMTP_R_BAD_SEQUENCE);
	}
	/* RFC 5321 4.5.3.1.10: 452 for one too many, transaction intact. */
	if (s->rcpts >= s->conf.max_rcpts) {
		smtp_session_reply(out, SMTP_R_TOO_MANY_RCPTS, NULL);
		return SMTP_A_NONE;
	}
	r = smtp_param_rcpt(cmd->rest, cmd->restlen, smtp_session_offered(s),
	    &p);
	if (r != SK_OK) {
		return smtp_session_error(s, out, p.reply);
	}
	if (s->mail_utf8) {
		opts |= SMTP_ADDR_OPT_UTF8;
	}
	r = smtp_addr_parse(cmd->word, cmd->wordlen, opts, &a);
	if (r != SK_OK) {
		return smtp_session_error(s, out,
		    smtp_session_addr_reply(r, SMTP_R_RCPT_ADDR_SYNTAX));
	}
	id = s->conf.rcpt_check != NULL ?
	    s->conf.rcpt_check(s->conf.rcpt_arg, &a, &p, s->authed) :
	    SMTP_R_NONE;
	if (id != SMTP_R_NONE) {
		return smtp_session_error(s, out, id);
	}
	s->rcpts++;
	s->state = SMTP_S_RCPT;
	smtp_session_reply(out, SMTP_R_RCPT_OK, NULL);
	return SMTP_A_NONE;
}

/* smtp_session_content_opts - the content limits for this transaction */
static struct smtp_data_opts
smtp_session_content_opts(const struct smtp_session *s)
{
	struct smtp_data_opts o;

	memset(&o, 0, sizeof(o));
	o.max_size = s->conf.max_size;
	o.max_received = s->conf.max_received;
	o.binary = s->mail.body == SMTP_BODY_BINARYMIME;
	return o;
}

/* smtp_session_data - DATA, RFC 5321 4.1.1.4 */
static enum smtp_action
smtp_session_data(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	struct smtp_data_opts o;

	(void)cmd;
	if (s->bdat_open) {
		return smtp_session_error(s, out, SMTP_R_BAD_SEQUENCE);
	}
	if (s->state == SMTP_S_MAIL) {
		return smtp_session_error(s, out, SMTP_R_NEED_RCPT);
	}
	if (s->state != SMTP_S_RCPT) {
		return smtp_session_error(s, out, SMTP_R_NEED_MAIL);
	}
	/* RFC 3030 3: BINARYMIME content only through BDAT. */
	if (s->mail.body == SMTP_BODY_BINARYMIME) {
		return smtp_session_error(s, out, SMTP_R_NEED_BDAT);
	}
	o = smtp_session_content_opts(s);
	smtp_data_init(&s->u.data, &o, s->conf.content, s->conf.content_arg);
	s->state = SMTP_S_DATA;
	smtp_session_reply(out, SMTP_R_DATA_GO, NULL);
	return SMTP_A_DATA;
}

/* smtp_session_bdat - BDAT, RFC 3030 2 */
static enum smtp_action
smtp_session_bdat(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	struct smtp_data_opts o;

	(void)out;
	if (!(smtp_session_offered(s) & SMTP_EXT_CHUNKING) ||
	    s->state != SMTP_S_RCPT) {
		/* Refused, but the chunk is read and dropped: its octets
		 * are never taken for commands (Exim CVE-2020-28017 class). */
		s->discard = cmd->bdat_size;
		s->discard_reply =
		    !(smtp_session_offered(s) & SMTP_EXT_CHUNKING) ?
		    SMTP_R_NOT_IMPL :
		    s->state == SMTP_S_MAIL    ? SMTP_R_NEED_RCPT :
		    s->state == SMTP_S_GREETED ? SMTP_R_NEED_HELO :
						 SMTP_R_NEED_MAIL;
		s->discarding = 1;
		return SMTP_A_BDAT;
	}
	if (!s->bdat_open) {
		o = smtp_session_content_opts(s);
		smtp_bdat_init(&s->u.bdat, &o, s->conf.content,
		    s->conf.content_arg);
		s->bdat_open = 1;
	}
	smtp_bdat_chunk(&s->u.bdat, cmd->bdat_size, cmd->bdat_last);
	s->bdat_last = cmd->bdat_last;
	s->state = SMTP_S_BDAT;
	return SMTP_A_BDAT;
}

/* smtp_session_rset - RSET, RFC 5321 4.1.1.5 */
static enum smtp_action
smtp_session_rset(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	(void)cmd;
	smtp_session_reset(s);
	smtp_session_reply(out, SMTP_R_OK, NULL);
	return SMTP_A_NONE;
}

/* smtp_session_simple - NOOP, HELP, VRFY, EXPN: a fixed answer */
static enum smtp_action
smtp_session_simple(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	static const struct {
		enum smtp_verb verb;
		enum smtp_reply_id reply;
	} answers[] = {
		{ SMTP_VERB_NOOP, SMTP_R_OK },
		{ SMTP_VERB_HELP, SMTP_R_HELP },
		/* RFC 5321 3.5.3: 252 when we will not verify */
		{ SMTP_VERB_VRFY, SMTP_R_VRFY },
		/* RFC 5321 3.5.2: EXPN may be disabled; lists stay private */
		{ SMTP_VERB_EXPN, SMTP_R_NOT_IMPL },
	};
	size_t i;

	(void)s;
	for (i = 0; i < SK_NELEM(answers); i++) {
		if (answers[i].verb == cmd->verb) {
			smtp_session_reply(out, answers[i].reply, NULL);
		}
	}
	return SMTP_A_NONE;
}

/* smtp_session_quit - QUIT, RFC 5321 4.1.1.10 */
static enum smtp_action
smtp_session_quit(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	(void)cmd;
	return smtp_session_close(s, out, SMTP_R_QUIT);
}

/* smtp_session_starttls - STARTTLS, RFC 3207 4 */
static enum smtp_action
smtp_session_starttls(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	(void)cmd;
	if (!(smtp_session_offered(s) & SMTP_EXT_STARTTLS)) {
		return smtp_session_error(s, out,
		    s->state == SMTP_S_GREETED ? SMTP_R_NEED_HELO :
						 SMTP_R_NOT_IMPL);
	}
	if (s->tls) {
		return smtp_session_error(s, out, SMTP_R_ALREADY_TLS);
	}
	if (s->state != SMTP_S_READY) {
		return smtp_session_error(s, out, SMTP_R_BAD_SEQUENCE);
	}
	smtp_session_reply(out, SMTP_R_STARTTLS_GO, NULL);
	return SMTP_A_STARTTLS;
}

/* smtp_session_auth - AUTH, RFC 4954 4 */
static enum smtp_action
smtp_session_auth(struct smtp_session *s, const struct smtp_cmd *cmd,
    struct smtp_out *out)
{
	if (!(smtp_session_offered(s) & SMTP_EXT_AUTH)) {
		return smtp_session_error(s, out,
		    s->state == SMTP_S_GREETED ? SMTP_R_NEED_HELO :
						 SMTP_R_NOT_IMPL);
	}
	if (s->conf.auth_needs_tls && !s->tls) {
		return smtp_session_error(s, out, SMTP_R_TLS_REQUIRED);
	}
	if (s->authed) {
		return smtp_session_error(s, out, SMTP_R_ALREADY_AUTH);
	}
	if (s->state != SMTP_S_READY) {
		return smtp_session_error(s, out, SMTP_R_BAD_SEQUENCE);
	}
	s->auth_back = s->state;
	s->state = SMTP_S_AUTH;
	s->sasl = cmd->arg;
	s->sasl_len = cmd->arglen;
	return SMTP_A_AUTH;
}

static const struct smtp_session_row smtp_session_verbs[] = {
	{ SMTP_VERB_EHLO, 1, smtp_session_ehlo },
	{ SMTP_VERB_HELO, 1, smtp_session_ehlo },
	{ SMTP_VERB_MAIL, 0, smtp_session_mail },
	{ SMTP_VERB_RCPT, 0, smtp_session_rcpt },
	{ SMTP_VERB_DATA, 1, smtp_session_data },
	{ SMTP_VERB_BDAT, 0, smtp_session_bdat },
	{ SMTP_VERB_RSET, 0, smtp_session_rset },
	{ SMTP_VERB_NOOP, 0, smtp_session_simple },
	{ SMTP_VERB_QUIT, 0, smtp_session_quit },
	{ SMTP_VERB_VRFY, 0, smtp_session_simple },
	{ SMTP_VERB_EXPN, 0, smtp_session_simple },
	{ SMTP_VERB_HELP, 0, smtp_session_simple },
	{ SMTP_VERB_STARTTLS, 1, smtp_session_starttls },
	{ SMTP_VERB_AUTH, 1, smtp_session_auth },
};

/* smtp_session_row - the row of a verb */
static const struct smtp_session_row *
smtp_session_row(enum smtp_verb v)
{
	size_t i;

	for (i = 0; i < SK_NELEM(smtp_session_verbs); i++) {
		if (smtp_session_verbs[i].verb == v) {
			return &smtp_session_verbs[i];
		}
	}
	return NULL;
}

/* smtp_session_sasl_line - a line inside an AUTH exchange */
static enum smtp_action
smtp_session_sasl_line(struct smtp_session *s, const uint8_t *line, size_t len,
    struct smtp_out *out)
{
	/* RFC 4954 4: "*" cancels; nothing of the exchange is kept. */
	if (len == 1 && line[0] == '*') {
		s->state = s->auth_back;
		s->sasl = NULL;
		s->sasl_len = 0;
		return smtp_session_error(s, out, SMTP_R_AUTH_ABORTED);
	}
	s->sasl = line;
	s->sasl_len = len;
	return SMTP_A_AUTH;
}

/* smtp_session_line - one command line (CRLF removed) */
enum smtp_action
smtp_session_line(struct smtp_session *s, const uint8_t *line, size_t len,
    int more, struct smtp_out *out)
{
	const struct smtp_session_row *row;
	struct smtp_cmd cmd;
	enum sk_result r;
	int pipelining;

	if (s->state == SMTP_S_CLOSED) {
		return SMTP_A_CLOSE;
	}
	if (s->state == SMTP_S_DATA || s->state == SMTP_S_BDAT) {
		return smtp_session_close(s, out, SMTP_R_PIPELINING);
	}
	if (++s->cmds > s->conf.max_cmds) {
		return smtp_session_close(s, out, SMTP_R_TOO_MANY_CMDS);
	}
	if (s->state == SMTP_S_AUTH) {
		return smtp_session_sasl_line(s, line, len, out);
	}
	r = smtp_cmd_parse(line, len, &cmd);
	if (r != SK_OK) {
		if (cmd.verb == SMTP_VERB_BDAT) {
			/* The chunk size is unknown: no way to stay in step. */
			smtp_session_reply(out, cmd.reply, NULL);
			s->state = SMTP_S_CLOSED;
			return SMTP_A_CLOSE;
		}
		return smtp_session_error(s, out, cmd.reply);
	}
	row = smtp_session_row(cmd.verb);
	/* RFC 2920 3.1 and smtp_session.h: who may be followed by more. */
	pipelining = s->ehlo && (s->conf.caps & SMTP_EXT_PIPELINING);
	if (more && cmd.verb != SMTP_VERB_BDAT && cmd.verb != SMTP_VERB_QUIT &&
	    (!pipelining || row->group_end)) {
		return smtp_session_close(s, out, SMTP_R_PIPELINING);
	}
	return row->fn(s, &cmd, out);
}

/* smtp_session_line_error - the splitter refused a line */
enum smtp_action
smtp_session_line_error(struct smtp_session *s, enum sk_result r,
    struct smtp_out *out)
{
	if (s->state == SMTP_S_CLOSED) {
		return SMTP_A_CLOSE;
	}
	if (s->state == SMTP_S_AUTH) {
		s->state = s->auth_back;
		s->sasl = NULL;
		s->sasl_len = 0;
	}
	return smtp_session_error(s, out,
	    r == SK_E_TOO_LONG ? SMTP_R_LINE_TOO_LONG : SMTP_R_CMD_BARE_NL);
}

/* smtp_session_line_max - the line limit for the splitter now */
size_t
smtp_session_line_max(const struct smtp_session *s)
{
	return s->state == SMTP_S_AUTH ? SMTP_AUTH_LINE_MAX :
					 SMTP_CMD_LINE_MAX_ANY;
}

/* smtp_session_judged - a message's verdict: accept, or answer and reset */
static enum smtp_action
smtp_session_judged(struct smtp_session *s, enum sk_result r,
    const struct smtp_data_result *res, struct smtp_out *out)
{
	if (r == SK_OK) {
		return SMTP_A_MESSAGE;
	}
	smtp_session_reset(s);
	return smtp_session_error(s, out, res->reply);
}

/* smtp_session_body_data - DATA content until CRLF "." CRLF */
static enum smtp_action
smtp_session_body_data(struct smtp_session *s, const uint8_t *buf, size_t len,
    size_t *used, struct smtp_out *out)
{
	struct smtp_data_result res;
	enum sk_result r;

	if (smtp_data_update(&s->u.data, buf, len, used) != SK_OK) {
		return SMTP_A_BODY;
	}
	r = smtp_data_final(&s->u.data, &res);
	s->state = SMTP_S_RCPT;
	return smtp_session_judged(s, r, &res, out);
}

/* smtp_session_body_bdat - one BDAT chunk's octets */
static enum smtp_action
smtp_session_body_bdat(struct smtp_session *s, const uint8_t *buf, size_t len,
    size_t *used, struct smtp_out *out)
{
	struct smtp_data_result res;
	enum smtp_reply_id id;
	enum sk_result r;

	if (s->discarding) {
		*used = (uint64_t)len < s->discard ? len : (size_t)s->discard;
		s->discard -= *used;
		if (s->discard > 0) {
			return SMTP_A_BODY;
		}
		s->discarding = 0;
		return smtp_session_error(s, out, s->discard_reply);
	}
	if (smtp_bdat_update(&s->u.bdat, buf, len, used) != SK_OK) {
		return SMTP_A_BODY;
	}
	s->state = SMTP_S_RCPT;
	if (s->bdat_last) {
		r = smtp_bdat_final(&s->u.bdat, &res);
		return smtp_session_judged(s, r, &res, out);
	}
	/* A chunk that already dooms the message is refused now. */
	id = smtp_bdat_status(&s->u.bdat);
	if (id != SMTP_R_NONE) {
		smtp_session_reset(s);
		return smtp_session_error(s, out, id);
	}
	smtp_session_reply(out, SMTP_R_BDAT_OK, NULL);
	return SMTP_A_NONE;
}

/* smtp_session_body - content after SMTP_A_DATA/SMTP_A_BDAT */
enum smtp_action
smtp_session_body(struct smtp_session *s, const uint8_t *buf, size_t len,
    size_t *used, struct smtp_out *out)
{
	*used = 0;
	if (s->state == SMTP_S_DATA) {
		return smtp_session_body_data(s, buf, len, used, out);
	}
	if (s->state == SMTP_S_BDAT || s->discarding) {
		return smtp_session_body_bdat(s, buf, len, used, out);
	}
	return SMTP_A_NONE;
}

/* smtp_session_message_done - after SMTP_A_MESSAGE: stored or not */
enum smtp_action
smtp_session_message_done(struct smtp_session *s, int ok, const char *queue_id,
    struct smtp_out *out)
{
	char detail[64];

	smtp_session_reset(s);
	if (!ok) {
		smtp_session_reply(out, SMTP_R_QUEUE_FAILED, NULL);
		return SMTP_A_NONE;
	}
	snprintf(detail, sizeof(detail), "as %.40s",
	    queue_id != NULL ? queue_id : "?");
	smtp_session_reply(out, SMTP_R_QUEUED, detail);
	return SMTP_A_NONE;
}

/* smtp_session_refusal_line_ok - one line s[0..n) (no CRLF) of a
 * refusal whose first line starts with code: the same code, then "-"
 * on every line but the last, " " or nothing on the last; printable */
static int
smtp_session_refusal_line_ok(const char *s, size_t n, int last,
    const char *code)
{
	size_t i;

	if (n < 3 || n > SMTP_REPLY_LINE_MAX - 2 || memcmp(s, code, 3) != 0 ||
	    (last ? (n > 3 && s[3] != ' ') : (n < 4 || s[3] != '-'))) {
		return 0;
	}
	for (i = 4; i < n; i++) {
		if (s[i] < ' ' || s[i] >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

/*
 * smtp_session_refusal_ok - text[0..n) is a check's reply (RFC 5321
 * 4.2.1): a 4xx or 5xx code, lines joined by CRLF (none after the
 * last), each smtp_session_refusal_line_ok, at most
 * SMTP_SESSION_REFUSAL_LINES_MAX of them
 */
static int
smtp_session_refusal_ok(const char *text, size_t n)
{
	const char *line = text, *crlf;
	size_t len, lines = 0;

	if (n < 3 || (text[0] != '4' && text[0] != '5') || text[1] < '0' ||
	    text[1] > '9' || text[2] < '0' || text[2] > '9') {
		return 0;
	}
	for (;;) {
		crlf = strstr(line, "\r\n");
		len = crlf != NULL ? (size_t)(crlf - line) :
				     n - (size_t)(line - text);
		if (++lines > SMTP_SESSION_REFUSAL_LINES_MAX ||
		    !smtp_session_refusal_line_ok(line, len, crlf == NULL,
			text)) {
			return 0;
		}
		if (crlf == NULL) {
			return 1;
		}
		line = crlf + 2;
	}
}

/* smtp_session_message_refused - after SMTP_A_MESSAGE: refused by a
 * check, with its reply of one or more lines (smtp_session_refusal_ok),
 * written as it is; anything else becomes 451 */
enum smtp_action
smtp_session_message_refused(struct smtp_session *s, const char *text,
    struct smtp_out *out)
{
	size_t n = strlen(text);

	smtp_session_reset(s);
	if (!smtp_session_refusal_ok(text, n) ||
	    n + 2 > sizeof(out->buf) - out->len) {
		smtp_session_reply(out, SMTP_R_QUEUE_FAILED, NULL);
		return SMTP_A_NONE;
	}
	memcpy(out->buf + out->len, text, n);
	memcpy(out->buf + out->len + n, "\r\n", 2);
	out->len += n + 2;
	return SMTP_A_NONE;
}

/* smtp_session_tls_started - RFC 3207 4.2: forget everything */
void
smtp_session_tls_started(struct smtp_session *s)
{
	smtp_session_reset(s);
	s->state = SMTP_S_GREETED;
	s->ehlo = 0;
	s->tls = 1;
	s->authed = 0;
}

/* smtp_session_auth_reply - the caller's answer to SMTP_A_AUTH */
enum smtp_action
smtp_session_auth_reply(struct smtp_session *s, enum smtp_auth_result r,
    const char *challenge, struct smtp_out *out)
{
	static const enum smtp_reply_id ends[] = {
		[SMTP_AUTH_OK] = SMTP_R_AUTH_OK,
		[SMTP_AUTH_FAIL] = SMTP_R_AUTH_FAILED,
		[SMTP_AUTH_BADMECH] = SMTP_R_AUTH_MECH,
		[SMTP_AUTH_TEMP] = SMTP_R_AUTH_TEMP,
	};

	s->sasl = NULL;
	s->sasl_len = 0;
	if (s->state != SMTP_S_AUTH) {
		return SMTP_A_NONE;
	}
	if (r == SMTP_AUTH_CONTINUE) {
		char line[SMTP_REPLY_LINE_MAX];
		const char *lines[1] = { line };

		snprintf(line, sizeof(line), "%.500s",
		    challenge != NULL ? challenge : "");
		smtp_reply_format_lines(334, "", lines, 1, out->buf,
		    sizeof(out->buf), &out->len);
		return SMTP_A_NONE;
	}
	s->state = s->auth_back;
	if (r == SMTP_AUTH_OK) {
		s->authed = 1;
		smtp_session_reply(out, SMTP_R_AUTH_OK, NULL);
		return SMTP_A_NONE;
	}
	return smtp_session_error(s, out, ends[r]);
}

/* smtp_session_auth_refuse - end the exchange with the caller's reply */
enum smtp_action
smtp_session_auth_refuse(struct smtp_session *s, enum smtp_reply_id id,
    struct smtp_out *out)
{
	s->sasl = NULL;
	s->sasl_len = 0;
	if (s->state != SMTP_S_AUTH) {
		return SMTP_A_NONE;
	}
	s->state = s->auth_back;
	return smtp_session_error(s, out, id);
}

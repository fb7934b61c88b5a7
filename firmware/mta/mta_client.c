/*
 * mta_client.c - the SMTP client state machine (mta_client.h).
 *
 * Every byte of input is hostile. Replies are read line by line through
 * lib's CRLF splitter (bare CR or LF, or a line over MTA_REPLY_LINE_MAX,
 * end the session) and mta_reply_line. A reply is only accepted while we
 * wait for one: bytes that arrive when no reply is outstanding (after the
 * final line of the last one) are a buffered-input violation and end the
 * session, except after "220" to STARTTLS, where they are counted and
 * discarded, never read as a reply (CVE-2021-38371 class).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mta_client.h"

#define MTA_ENVID_MAX 100 /* RFC 3461 4.4 */
#define MTA_ORCPT_MAX 500 /* RFC 3461 4.2 */
#define MTA_ADDR_MAX 320  /* local part 64, "@", domain 255 */
#define MTA_SIZE_DIGITS_MAX 20

static void mta_fail(struct mta_client *c, enum msg_delivery_status st,
    const char *dsn, int quit, const char *fmt, ...) SK_PRINTF(5, 6);

/* ---- output ------------------------------------------------------- */

/* mta_room - free octets in the output buffer */
static size_t
mta_room(const struct mta_client *c)
{
	return c->out.cap - buf_len(&c->out);
}

/* mta_cmd - queue one command line with its CRLF; -1 if it cannot fit */
static int mta_cmd(struct mta_client *c, const char *fmt, ...) SK_PRINTF(2, 3);

static int
mta_cmd(struct mta_client *c, const char *fmt, ...)
{
	char line[MTA_COMMAND_MAX + 3];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		return -1;
	}
	line[n++] = '\r';
	line[n++] = '\n';
	if (buf_append(&c->out, line, (size_t)n) != SK_OK) {
		return -1;
	}
	return 0;
}

/* ---- outcomes ----------------------------------------------------- */

/* mta_reply_form - "550 5.1.1 text" of the current reply */
static void
mta_reply_form(const struct mta_client *c, char *out, size_t cap)
{
	const struct mta_reply *r = &c->reply;

	snprintf(out, cap, "%u%s%s%s%s%s", r->code, r->enh[0] ? " " : "",
	    r->enh, r->textlen > 0 ? " " : "", r->text, r->cut ? "..." : "");
}

/* mta_reply_dsn - the reply's enhanced code, else "C.0.0" */
static void
mta_reply_dsn(const struct mta_client *c, char out[MTA_DSN_MAX])
{
	if (c->reply.enh[0] != '\0') {
		memcpy(out, c->reply.enh, MTA_DSN_MAX);
		return;
	}
	snprintf(out, MTA_DSN_MAX, "%d.0.0", mta_reply_class(&c->reply));
}

/* mta_status_of - RFC 5321 4.2.1: 2yz done, 4yz temporary, 5yz permanent */
static enum msg_delivery_status
mta_status_of(int cls)
{
	if (cls == 2) {
		return MSG_DELIVERED;
	}
	return cls == 5 ? MSG_PERMFAIL : MSG_TEMPFAIL;
}

/* mta_outcome_said - "host X said: REPLY (in reply to CMD command)" */
static void
mta_outcome_said(const struct mta_client *c, const char *cmd,
    struct mta_outcome *o)
{
	char form[MTA_REPLY_TEXT_MAX + 32];

	mta_reply_form(c, form, sizeof(form));
	o->status = mta_status_of(mta_reply_class(&c->reply));
	mta_reply_dsn(c, o->dsn);
	snprintf(o->text, sizeof(o->text), "host %s said: %s (in reply to %s)",
	    c->conf.host, form, cmd);
}

/* mta_resolve - give recipient i its one result */
static void
mta_resolve(struct mta_client *c, size_t i, const struct mta_outcome *o)
{
	if (c->rcpt_state[i] == MTA_R_RESOLVED) {
		return;
	}
	c->rcpt_state[i] = MTA_R_RESOLVED;
	c->nresolved++;
	if (c->nresolved == c->msg->nrcpt) {
		c->job = MTA_JOB_DONE;
	}
	if (c->conf.result != NULL) {
		c->conf.result(c->conf.arg, i, o);
	}
}

/* mta_resolve_rest - the same result for every recipient still open;
 * accepted_only: only those the server accepted (DATA's outcome) */
static void
mta_resolve_rest(struct mta_client *c, const struct mta_outcome *o,
    int accepted_only)
{
	size_t i;

	for (i = 0; i < c->msg->nrcpt && c->job == MTA_JOB_RUNNING; i++) {
		if (accepted_only && c->rcpt_state[i] != MTA_R_ACCEPTED) {
			continue;
		}
		mta_resolve(c, i, o);
	}
}

/* mta_close - the session is over; QUIT first if the dialogue is sane */
static void
mta_close(struct mta_client *c, int quit)
{
	if (!quit) {
		buf_init(&c->out, c->outbuf, sizeof(c->outbuf));
	} else {
		(void)mta_cmd(c, "QUIT");
	}
	c->state = MTA_S_CLOSED;
}

/*
 * mta_fail - the session cannot go on. Recipients still open get this
 * outcome once the server has answered MAIL FROM; before that it is the
 * session's failure (the caller may try another server).
 */
static void
mta_fail(struct mta_client *c, enum msg_delivery_status st, const char *dsn,
    int quit, const char *fmt, ...)
{
	struct mta_outcome o;
	va_list ap;

	if (c->state == MTA_S_CLOSED) {
		return;
	}
	o.status = st;
	snprintf(o.dsn, sizeof(o.dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(o.text, sizeof(o.text), fmt, ap);
	va_end(ap);
	if (c->job == MTA_JOB_RUNNING && c->mail_replied) {
		mta_resolve_rest(c, &o, 0);
	} else {
		if (c->job == MTA_JOB_RUNNING) {
			c->job = MTA_JOB_SESSION_FAILED;
		}
		c->fail = o;
		c->failed = 1;
	}
	mta_close(c, quit);
}

/* mta_fail_reply - the session ends on the current reply (4xx/5xx) */
static void
mta_fail_reply(struct mta_client *c, const char *cmd)
{
	struct mta_outcome o;

	mta_outcome_said(c, cmd, &o);
	mta_fail(c, o.status, o.dsn, 1, "%s", o.text);
}

/* mta_unexpected - a well-formed reply that makes no sense here */
static void
mta_unexpected(struct mta_client *c, const char *cmd)
{
	char form[MTA_REPLY_TEXT_MAX + 32];

	mta_reply_form(c, form, sizeof(form));
	mta_fail(c, MSG_TEMPFAIL, "4.5.0", 0,
	    "protocol error: host %s sent an unexpected reply: %s "
	    "(in reply to %s)",
	    c->conf.host, form, cmd);
}

/* mta_stage - what the session was doing, for "while ..." texts */
static const char *
mta_stage(const struct mta_client *c)
{
	switch (c->state) {
	case MTA_S_GREETING:
		return "receiving the initial server greeting";
	case MTA_S_EHLO:
		return "performing the EHLO handshake";
	case MTA_S_HELO:
		return "performing the HELO handshake";
	case MTA_S_STARTTLS:
		return "sending STARTTLS";
	case MTA_S_TLS:
		return "performing the TLS handshake";
	case MTA_S_AUTH:
	case MTA_S_AUTH_USER:
	case MTA_S_AUTH_PASS:
		return "performing SASL authentication";
	case MTA_S_READY:
		return "waiting for the next message";
	case MTA_S_TXN:
		if (!c->mail_replied) {
			return "sending MAIL FROM";
		}
		return c->data_sent ? "sending DATA command" :
				      "sending RCPT TO";
	case MTA_S_CONTENT:
		return "sending message body";
	case MTA_S_DOT:
		return "sending end of data -- message may be sent more than "
		       "once";
	case MTA_S_RSET:
		return "sending RSET";
	case MTA_S_CLOSED:
		return "closing the session";
	}
	return "?";
}

/* ---- session setup ------------------------------------------------ */

static void mta_ready(struct mta_client *c);
static void mta_auth_begin(struct mta_client *c);
static void mta_txn_begin(struct mta_client *c);
static void mta_txn_fill(struct mta_client *c);

/* mta_send_hello - EHLO (or HELO), collecting a fresh set of extensions */
static void
mta_send_hello(struct mta_client *c, int helo)
{
	c->ext_new = 0;
	c->auth_new = 0;
	c->size_new = 0;
	(void)mta_cmd(c, "%s %s", helo ? "HELO" : "EHLO", c->conf.helo);
	c->state = helo ? MTA_S_HELO : MTA_S_EHLO;
}

/* mta_word_is - the first n octets of w are name, any case */
static int
mta_word_is(const uint8_t *w, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp((const char *)w, name, n) == 0;
}

/* mta_ehlo_auth - the SASL mechanisms in an AUTH line's parameters */
static void
mta_ehlo_auth(struct mta_client *c, const uint8_t *p, size_t n)
{
	size_t i = 0, start;

	while (i < n) {
		while (i < n && p[i] == ' ') {
			i++;
		}
		start = i;
		while (i < n && p[i] != ' ') {
			i++;
		}
		if (mta_word_is(p + start, i - start, "PLAIN")) {
			c->auth_new |= MTA_AUTH_PLAIN;
		} else if (mta_word_is(p + start, i - start, "LOGIN")) {
			c->auth_new |= MTA_AUTH_LOGIN;
		}
	}
}

/* mta_ehlo_size - RFC 1870 "SIZE [number]"; 0 (none) when not a number */
static uint64_t
mta_ehlo_size(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > MTA_SIZE_DIGITS_MAX - 1) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return 0;
		}
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return v;
}

/* mta_ehlo_line - one "250-KEYWORD params" line (not the first) */
static void
mta_ehlo_line(struct mta_client *c, const uint8_t *p, size_t n)
{
	static const struct {
		const char *kw;
		unsigned bit;
	} table[] = {
		{ "PIPELINING", MTA_EXT_PIPELINING },
		{ "SIZE", MTA_EXT_SIZE },
		{ "8BITMIME", MTA_EXT_8BITMIME },
		{ "SMTPUTF8", MTA_EXT_SMTPUTF8 },
		{ "DSN", MTA_EXT_DSN },
		{ "STARTTLS", MTA_EXT_STARTTLS },
		{ "AUTH", MTA_EXT_AUTH },
		{ "ENHANCEDSTATUSCODES", MTA_EXT_ENHANCED },
		{ "CHUNKING", MTA_EXT_CHUNKING },
		{ "BINARYMIME", MTA_EXT_BINARYMIME },
	};
	size_t k = 0, i;
	unsigned bit = 0;

	/* keyword, then SP and parameters ("AUTH=" is an old AUTH form) */
	while (k < n && p[k] != ' ' && p[k] != '=') {
		k++;
	}
	for (i = 0; i < SK_NELEM(table); i++) {
		if (mta_word_is(p, k, table[i].kw)) {
			bit = table[i].bit;
			break;
		}
	}
	c->ext_new |= bit;
	if (k < n) {
		k++; /* the separator */
	}
	if (bit == MTA_EXT_AUTH) {
		mta_ehlo_auth(c, p + k, n - k);
	} else if (bit == MTA_EXT_SIZE) {
		c->size_new = mta_ehlo_size(p + k, n - k);
	}
}

/* mta_after_hello - STARTTLS, AUTH or the transaction, as policy says */
static void
mta_after_hello(struct mta_client *c)
{
	int required =
	    c->conf.tls == MTA_TLS_ENCRYPT || c->conf.tls == MTA_TLS_VERIFY;

	if (!c->tls_active && c->conf.tls != MTA_TLS_NONE) {
		if ((c->ext & MTA_EXT_STARTTLS) && c->conf.tls_available &&
		    !c->conf.no_starttls) {
			(void)mta_cmd(c, "STARTTLS");
			c->state = MTA_S_STARTTLS;
			return;
		}
		if (required && !c->conf.tls_available) {
			mta_fail(c, MSG_TEMPFAIL, "4.7.4", 1,
			    "TLS is required but no TLS implementation is "
			    "available (host %s)",
			    c->conf.host);
			return;
		}
		if (required) {
			mta_fail(c, MSG_TEMPFAIL, "4.7.4", 1,
			    "TLS is required but was not offered by host %s",
			    c->conf.host);
			return;
		}
	}
	if (c->conf.auth_user != NULL && !c->authed) {
		mta_auth_begin(c);
		return;
	}
	mta_ready(c);
}

/* mta_b64 - RFC 4648 base64 of in[0..n) into out[cap]; -1 if too small */
static int
mta_b64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	if ((n + 2) / 3 * 4 + 1 > cap) {
		return -1;
	}
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = al[v >> 6 & 63];
		out[o++] = al[v & 63];
	}
	if (i < n) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n) {
			v |= (uint32_t)in[i + 1] << 8;
		}
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

/* mta_send_b64 - one line: prefix and the base64 of a and b */
static void
mta_send_b64(struct mta_client *c, const char *prefix, const uint8_t *p,
    size_t n)
{
	char enc[(2 * MTA_AUTH_FIELD_MAX + 2 + 2) / 3 * 4 + 1];

	if (mta_b64(p, n, enc, sizeof(enc)) != 0 ||
	    mta_cmd(c, "%s%s", prefix, enc) != 0) {
		mta_fail(c, MSG_TEMPFAIL, "4.7.0", 1,
		    "authentication to host %s: credentials too long",
		    c->conf.host);
	}
	memset(enc, 0, sizeof(enc));
}

/*
 * mta_auth_begin - RFC 4954 AUTH, only inside TLS. PLAIN is preferred;
 * LOGIN when it is all the server offers (the model's description).
 */
static void
mta_auth_begin(struct mta_client *c)
{
	uint8_t plain[2 * MTA_AUTH_FIELD_MAX + 2];
	size_t ul = strlen(c->conf.auth_user);
	size_t pl = strlen(c->conf.auth_pass);

	if (!c->tls_active) {
		mta_fail(c, MSG_TEMPFAIL, "4.7.0", 1,
		    "authentication to host %s is configured but the session "
		    "is not encrypted: credentials are never sent in plaintext",
		    c->conf.host);
		return;
	}
	if (ul > MTA_AUTH_FIELD_MAX || pl > MTA_AUTH_FIELD_MAX) {
		mta_fail(c, MSG_TEMPFAIL, "4.7.0", 1,
		    "authentication to host %s: credentials too long",
		    c->conf.host);
		return;
	}
	if (!(c->ext & MTA_EXT_AUTH) ||
	    !(c->auth_mechs & (MTA_AUTH_PLAIN | MTA_AUTH_LOGIN))) {
		mta_fail(c, MSG_TEMPFAIL, "4.7.0", 1,
		    "authentication is configured but host %s offers no "
		    "AUTH PLAIN or LOGIN",
		    c->conf.host);
		return;
	}
	if (c->auth_mechs & MTA_AUTH_PLAIN) {
		/* RFC 4616 2: [authzid] NUL authcid NUL passwd */
		plain[0] = '\0';
		memcpy(plain + 1, c->conf.auth_user, ul);
		plain[1 + ul] = '\0';
		memcpy(plain + 2 + ul, c->conf.auth_pass, pl);
		mta_send_b64(c, "AUTH PLAIN ", plain, ul + pl + 2);
		memset(plain, 0, sizeof(plain));
		if (c->state != MTA_S_CLOSED) {
			c->state = MTA_S_AUTH;
		}
		return;
	}
	(void)mta_cmd(c, "AUTH LOGIN");
	c->state = MTA_S_AUTH_USER;
}

/* mta_ready - the session is up: run the job, or wait for one */
static void
mta_ready(struct mta_client *c)
{
	c->state = MTA_S_READY;
	if (c->job == MTA_JOB_RUNNING) {
		mta_txn_begin(c);
	}
}

/* ---- replies of the session setup --------------------------------- */

static void
mta_on_greeting(struct mta_client *c)
{
	int cls = mta_reply_class(&c->reply);

	if (c->reply.code == 220) {
		mta_send_hello(c, 0);
	} else if (cls == 4 || cls == 5) {
		char form[MTA_REPLY_TEXT_MAX + 32];
		char dsn[MTA_DSN_MAX];

		mta_reply_form(c, form, sizeof(form));
		mta_reply_dsn(c, dsn);
		mta_fail(c, mta_status_of(cls), dsn, 1,
		    "host %s refused to talk to me: %s", c->conf.host, form);
	} else {
		mta_unexpected(c, "the initial server greeting");
	}
}

static void
mta_on_hello(struct mta_client *c)
{
	int helo = c->state == MTA_S_HELO;
	int cls = mta_reply_class(&c->reply);

	if (c->reply.code == 250) {
		c->esmtp = !helo;
		c->ext = helo ? 0 : c->ext_new;
		c->auth_mechs = helo ? 0 : c->auth_new;
		c->size_max = (c->ext & MTA_EXT_SIZE) ? c->size_new : 0;
		mta_after_hello(c);
	} else if (!helo && (c->reply.code == 500 || c->reply.code == 502)) {
		/* RFC 5321 3.2: a server without EHLO gets HELO */
		mta_send_hello(c, 1);
	} else if (cls == 4 || cls == 5) {
		mta_fail_reply(c, helo ? "HELO command" : "EHLO command");
	} else {
		mta_unexpected(c, helo ? "HELO command" : "EHLO command");
	}
}

static void
mta_on_starttls(struct mta_client *c)
{
	int cls = mta_reply_class(&c->reply);
	int required =
	    c->conf.tls == MTA_TLS_ENCRYPT || c->conf.tls == MTA_TLS_VERIFY;
	char form[MTA_REPLY_TEXT_MAX + 32];

	if (c->reply.code == 220) {
		/* RFC 3207 4.2 and CVE-2021-38371: nothing the server sent
		 * before the handshake may be taken as a reply after it */
		c->discarded += buf_len(&c->in);
		buf_init(&c->in, c->inbuf, sizeof(c->inbuf));
		c->state = MTA_S_TLS;
		return;
	}
	if (cls != 4 && cls != 5) {
		mta_unexpected(c, "STARTTLS command");
		return;
	}
	if (required || c->reply.code == 421) {
		mta_reply_form(c, form, sizeof(form));
		mta_fail(c, MSG_TEMPFAIL, "4.7.4", 1,
		    "TLS is required but host %s refused to start TLS: %s",
		    c->conf.host, form);
		return;
	}
	/* may: RFC 3207 4.1 allows going on without TLS */
	c->ext &= ~(unsigned)MTA_EXT_STARTTLS;
	mta_after_hello(c);
}

static void
mta_on_auth(struct mta_client *c)
{
	int cls = mta_reply_class(&c->reply);
	struct mta_outcome o;

	if (c->state == MTA_S_AUTH && c->reply.code == 235) {
		c->authed = 1;
		mta_ready(c);
		return;
	}
	if (c->state != MTA_S_AUTH && c->reply.code == 334) {
		/* RFC 4954 4 LOGIN: user name, then password */
		const char *v = c->state == MTA_S_AUTH_USER ?
		    c->conf.auth_user :
		    c->conf.auth_pass;

		mta_send_b64(c, "", (const uint8_t *)v, strlen(v));
		if (c->state != MTA_S_CLOSED) {
			c->state = c->state == MTA_S_AUTH_USER ?
			    MTA_S_AUTH_PASS :
			    MTA_S_AUTH;
		}
		return;
	}
	if (cls != 4 && cls != 5) {
		mta_unexpected(c, "AUTH command");
		return;
	}
	/* a refused password is the operator's to fix: keep the mail */
	mta_outcome_said(c, "AUTH command", &o);
	o.dsn[0] = '4';
	mta_fail(c, MSG_TEMPFAIL, o.dsn, 1, "SASL authentication failed; %s",
	    o.text);
}

/* ---- the transaction ---------------------------------------------- */

/* mta_text_ok - printable ASCII (and UTF-8 octets if utf8) only */
static int
mta_text_ok(const char *s, size_t max, int *nonascii)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i >= max || ch < 0x20 || ch == 0x7f) {
			return 0;
		}
		if (ch >= 0x80) {
			*nonascii = 1;
		}
	}
	return 1;
}

/* mta_xtext_ok - RFC 3461 4 xtext: "!".."~" without "=", bounded */
static int
mta_xtext_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max || s[i] < '!' || s[i] > '~' || s[i] == '=') {
			return 0;
		}
	}
	return 1;
}

/* mta_outcome_local - a result we decide ourselves */
static void mta_outcome_local(struct mta_outcome *o,
    enum msg_delivery_status st, const char *dsn, const char *fmt, ...)
    SK_PRINTF(4, 5);

static void
mta_outcome_local(struct mta_outcome *o, enum msg_delivery_status st,
    const char *dsn, const char *fmt, ...)
{
	va_list ap;

	o->status = st;
	snprintf(o->dsn, sizeof(o->dsn), "%s", dsn);
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof(o->text), fmt, ap);
	va_end(ap);
}

/* mta_txn_precheck - refuse what this server cannot take; 0 if refused */
static int
mta_txn_precheck(struct mta_client *c)
{
	const struct mta_msg *m = c->msg;
	struct mta_outcome o;
	int utf8 = m->smtputf8;
	size_t i;

	if (!mta_text_ok(m->sender, MTA_ADDR_MAX, &utf8)) {
		mta_outcome_local(&o, MSG_PERMFAIL, "5.1.7",
		    "invalid sender address");
		mta_resolve_rest(c, &o, 0);
		return 0;
	}
	for (i = 0; i < m->nrcpt; i++) {
		if (!mta_text_ok(m->rcpt[i].addr, MTA_ADDR_MAX, &utf8) ||
		    m->rcpt[i].addr[0] == '\0') {
			mta_outcome_local(&o, MSG_PERMFAIL, "5.1.3",
			    "invalid recipient address");
			mta_resolve(c, i, &o);
		}
	}
	c->need_utf8 = utf8;
	if (utf8 && !(c->ext & MTA_EXT_SMTPUTF8)) {
		/* RFC 6531 3.2: no downgrade; the sender gets a bounce */
		mta_outcome_local(&o, MSG_PERMFAIL, "5.6.7",
		    "host %s does not support SMTPUTF8, which this message "
		    "needs (RFC 6531)",
		    c->conf.host);
		mta_resolve_rest(c, &o, 0);
	} else if (m->body == MSG_BODY_BINARYMIME) {
		mta_outcome_local(&o, MSG_PERMFAIL, "5.6.3",
		    "BINARYMIME content cannot be relayed: delivery with BDAT "
		    "is not supported");
		mta_resolve_rest(c, &o, 0);
	} else if (c->size_max > 0 && m->size > c->size_max) {
		mta_outcome_local(&o, MSG_PERMFAIL, "5.3.4",
		    "message size %llu exceeds size limit %llu of host %s",
		    (unsigned long long)m->size,
		    (unsigned long long)c->size_max, c->conf.host);
		mta_resolve_rest(c, &o, 0);
	}
	return c->job == MTA_JOB_RUNNING;
}

/* mta_param - append " TEXT" to the parameters in p[cap] */
static void mta_param(char *p, size_t cap, const char *fmt, ...)
    SK_PRINTF(3, 4);

static void
mta_param(char *p, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(p);
	va_list ap;

	if (n + 1 >= cap) {
		return;
	}
	p[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(p + n, cap - n, fmt, ap);
	va_end(ap);
}

/* mta_send_mail - MAIL FROM with the parameters the server offers */
static void
mta_send_mail(struct mta_client *c)
{
	const struct mta_msg *m = c->msg;
	char params[MTA_ENVID_MAX + 96] = "";
	int dsn = (c->ext & MTA_EXT_DSN) != 0;

	if (c->ext & MTA_EXT_SIZE) {
		mta_param(params, sizeof(params), "SIZE=%llu",
		    (unsigned long long)m->size); /* RFC 1870 */
	}
	if (m->body == MSG_BODY_8BITMIME && (c->ext & MTA_EXT_8BITMIME)) {
		mta_param(params, sizeof(params), "BODY=8BITMIME");
	}
	if (c->need_utf8) {
		mta_param(params, sizeof(params), "SMTPUTF8"); /* RFC 6531 */
	}
	if (dsn && m->ret != MSG_RET_NONE) { /* RFC 3461 4.3 */
		mta_param(params, sizeof(params), "RET=%s",
		    m->ret == MSG_RET_FULL ? "FULL" : "HDRS");
	}
	if (dsn && m->envid[0] != '\0' &&
	    mta_xtext_ok(m->envid, MTA_ENVID_MAX)) {
		mta_param(params, sizeof(params), "ENVID=%s", m->envid);
	}
	(void)mta_cmd(c, "MAIL FROM:<%s>%s", m->sender, params);
	c->mail_sent = 1;
}

/* mta_notify_str - RFC 3461 4.1 " NOTIFY=..." ("" when not given) */
static void
mta_notify_str(uint32_t notify, char *out, size_t cap)
{
	static const struct {
		uint32_t bit;
		const char *word;
	} words[] = {
		{ MSG_NOTIFY_SUCCESS, "SUCCESS" },
		{ MSG_NOTIFY_FAILURE, "FAILURE" },
		{ MSG_NOTIFY_DELAY, "DELAY" },
	};
	const char *sep = " NOTIFY=";
	size_t i, n = 0;

	out[0] = '\0';
	if (notify & MSG_NOTIFY_NEVER) {
		snprintf(out, cap, " NOTIFY=NEVER");
		return;
	}
	for (i = 0; i < SK_NELEM(words) && n < cap; i++) {
		if (notify & words[i].bit) {
			n += (size_t)snprintf(out + n, cap - n, "%s%s", sep,
			    words[i].word);
			sep = ",";
		}
	}
}

/* mta_send_rcpt - RCPT TO, with NOTIFY and ORCPT when DSN is offered */
static void
mta_send_rcpt(struct mta_client *c, size_t i)
{
	const struct mta_rcpt *r = &c->msg->rcpt[i];
	char notify[48] = "", orcpt[MTA_ORCPT_MAX + 8] = "";

	if (c->ext & MTA_EXT_DSN) {
		mta_notify_str(r->notify, notify, sizeof(notify));
		if (r->orcpt[0] != '\0' &&
		    mta_xtext_ok(r->orcpt, MTA_ORCPT_MAX - 6)) {
			snprintf(orcpt, sizeof(orcpt), " ORCPT=%s", r->orcpt);
		}
	}
	(void)mta_cmd(c, "RCPT TO:<%s>%s%s", r->addr, notify, orcpt);
	c->rcpt_state[i] = MTA_R_SENT;
	c->rcpt_out++;
}

/*
 * mta_txn_fill - write what may be written now: with PIPELINING the
 * whole group MAIL, RCPT..., DATA (RFC 2920 3.1), as far as the output
 * buffer holds it (the rest follows as it drains); without, one command
 * per reply.
 */
static void
mta_txn_fill(struct mta_client *c)
{
	int pipe = (c->ext & MTA_EXT_PIPELINING) != 0;

	if (c->state != MTA_S_TXN) {
		return;
	}
	if (!c->mail_sent) {
		mta_send_mail(c);
	}
	if ((!pipe && !c->mail_replied) || c->mail_failed) {
		return;
	}
	while (c->rcpt_next < c->msg->nrcpt) {
		if ((!pipe && c->rcpt_out > 0) ||
		    mta_room(c) < MTA_COMMAND_MAX + 2) {
			return;
		}
		if (c->rcpt_state[c->rcpt_next] == MTA_R_UNSENT) {
			mta_send_rcpt(c, c->rcpt_next);
		}
		c->rcpt_next++;
	}
	if (c->data_sent || (!pipe && c->rcpt_out > 0)) {
		return;
	}
	if (pipe || c->naccepted > 0) {
		if (mta_cmd(c, "DATA") == 0) {
			c->data_sent = 1;
		}
	}
}

/* mta_txn_begin - a new transaction for c->msg on a ready session */
static void
mta_txn_begin(struct mta_client *c)
{
	c->state = MTA_S_TXN;
	if (!mta_txn_precheck(c)) {
		c->state = MTA_S_READY;
		return;
	}
	mta_txn_fill(c);
}

/* mta_outstanding - replies owed by the server right now */
static size_t
mta_outstanding(const struct mta_client *c)
{
	switch (c->state) {
	case MTA_S_TXN:
		return (size_t)(c->mail_sent && !c->mail_replied) +
		    c->rcpt_out + (size_t)(c->data_sent && !c->data_replied);
	case MTA_S_TLS:
	case MTA_S_READY:
	case MTA_S_CONTENT:
	case MTA_S_CLOSED:
		return 0;
	default:
		return 1;
	}
}

/* mta_txn_end - the transaction is over: RSET makes the session reusable
 * (and tells whether it still is) */
static void
mta_txn_end(struct mta_client *c)
{
	struct mta_outcome o;

	if (c->job == MTA_JOB_RUNNING) {
		/* cannot happen: every path resolves; never leave one open */
		mta_outcome_local(&o, MSG_TEMPFAIL, "4.3.0",
		    "internal error: no outcome for this recipient");
		mta_resolve_rest(c, &o, 0);
	}
	(void)mta_cmd(c, "RSET");
	c->state = MTA_S_RSET;
}

/* mta_next_rcpt - the recipient the next RCPT reply belongs to */
static size_t
mta_next_rcpt(const struct mta_client *c)
{
	size_t i;

	for (i = 0; i < c->msg->nrcpt; i++) {
		if (c->rcpt_state[i] == MTA_R_SENT) {
			return i;
		}
	}
	return c->msg->nrcpt;
}

static void
mta_on_mail(struct mta_client *c)
{
	struct mta_outcome o;
	int cls = mta_reply_class(&c->reply);

	c->mail_replied = 1;
	if (cls == 2) {
		return;
	}
	if (cls != 4 && cls != 5) {
		mta_unexpected(c, "MAIL FROM command");
		return;
	}
	c->mail_failed = 1;
	mta_outcome_said(c, "MAIL FROM command", &o);
	/* the RCPT replies still due are read and ignored */
	mta_resolve_rest(c, &o, 0);
}

static void
mta_on_rcpt(struct mta_client *c)
{
	size_t i = mta_next_rcpt(c);
	struct mta_outcome o;
	int cls = mta_reply_class(&c->reply);

	c->rcpt_out--;
	if (i == c->msg->nrcpt) {
		/* its recipient was resolved by MAIL's failure: the reply
		 * is the 503 a pipelining server owes us; nothing to do */
		return;
	}
	if (cls == 2) {
		c->rcpt_state[i] = MTA_R_ACCEPTED;
		c->naccepted++;
	} else if (cls == 4 || cls == 5) {
		mta_outcome_said(c, "RCPT TO command", &o);
		mta_resolve(c, i, &o);
	} else {
		mta_unexpected(c, "RCPT TO command");
	}
}

static void
mta_on_data(struct mta_client *c)
{
	struct mta_outcome o;
	int cls = mta_reply_class(&c->reply);

	c->data_replied = 1;
	if (c->reply.code == 354 && c->naccepted > 0 && !c->mail_failed) {
		c->state = MTA_S_CONTENT;
		c->bol = 1;
		c->prev_cr = 0;
		return;
	}
	if (c->reply.code == 354) {
		/* RFC 2920 3.1: no valid recipient, yet 354: the server
		 * would take content; closing discards the transaction */
		mta_fail(c, MSG_TEMPFAIL, "4.5.0", 0,
		    "protocol error: host %s accepted DATA without a valid "
		    "recipient",
		    c->conf.host);
		return;
	}
	if (cls != 4 && cls != 5) {
		mta_unexpected(c, "DATA command");
		return;
	}
	mta_outcome_said(c, "DATA command", &o);
	mta_resolve_rest(c, &o, 1);
}

/* mta_on_txn - a reply during MAIL/RCPT/DATA, matched in order */
static void
mta_on_txn(struct mta_client *c)
{
	const char *cmd;

	if (c->mail_sent && !c->mail_replied) {
		cmd = "MAIL FROM command";
		mta_on_mail(c);
	} else if (c->rcpt_out > 0) {
		cmd = "RCPT TO command";
		mta_on_rcpt(c);
	} else {
		cmd = "DATA command";
		mta_on_data(c);
	}
	if (c->state != MTA_S_TXN) {
		return;
	}
	if (c->reply.code == 421) {
		/* RFC 5321 3.8: the server is closing the channel */
		mta_fail_reply(c, cmd);
		return;
	}
	if (!(c->ext & MTA_EXT_PIPELINING) && !c->mail_failed) {
		mta_txn_fill(c);
	}
	if (mta_outstanding(c) == 0) {
		mta_txn_end(c);
	}
}

static void
mta_on_dot(struct mta_client *c)
{
	struct mta_outcome o;
	int cls = mta_reply_class(&c->reply);

	if (cls == 2) {
		o.status = MSG_DELIVERED;
		mta_reply_dsn(c, o.dsn);
		mta_reply_form(c, o.text, sizeof(o.text));
	} else if (cls == 4 || cls == 5) {
		mta_outcome_said(c, "end of DATA command", &o);
	} else {
		mta_unexpected(c, "end of DATA command");
		return;
	}
	mta_resolve_rest(c, &o, 1);
	if (c->reply.code == 421) {
		mta_close(c, 1);
		return;
	}
	mta_txn_end(c);
}

static void
mta_on_rset(struct mta_client *c)
{
	/* not reusable unless RSET worked; the job is already over */
	if (c->reply.code != 250) {
		mta_close(c, c->reply.code != 421);
		return;
	}
	mta_ready(c);
}

/* ---- input -------------------------------------------------------- */

typedef void mta_reply_handler(struct mta_client *c);

/* The handler of each state's reply (STYLE.md item 8). */
static mta_reply_handler *const mta_handlers[] = {
	[MTA_S_GREETING] = mta_on_greeting,
	[MTA_S_EHLO] = mta_on_hello,
	[MTA_S_HELO] = mta_on_hello,
	[MTA_S_STARTTLS] = mta_on_starttls,
	[MTA_S_AUTH] = mta_on_auth,
	[MTA_S_AUTH_USER] = mta_on_auth,
	[MTA_S_AUTH_PASS] = mta_on_auth,
	[MTA_S_TXN] = mta_on_txn,
	[MTA_S_DOT] = mta_on_dot,
	[MTA_S_RSET] = mta_on_rset,
};

/* mta_protocol_error - a line that is no reply, or one not owed */
static void
mta_protocol_error(struct mta_client *c, enum sk_result r)
{
	const char *what = "a malformed reply";

	if (r == SK_E_TOO_LONG) {
		what = "an overlong reply";
	} else if (r == SK_E_BARE_CR || r == SK_E_BARE_LF) {
		what = "a reply with a bare CR or LF";
	} else if (r == SK_E_FULL) {
		what = "data that was not a reply to any command "
		       "(RFC 2920 3.1: buffered-input violation)";
	}
	mta_fail(c, MSG_TEMPFAIL, "4.5.0", 0,
	    "protocol error: host %s sent %s while %s", c->conf.host, what,
	    mta_stage(c));
}

/* mta_line - one complete line of input */
static void
mta_line(struct mta_client *c, const uint8_t *line, size_t len)
{
	const uint8_t *text;
	size_t textlen;
	enum sk_result r;

	r = mta_reply_line(&c->reply, line, len, &text, &textlen);
	if (r != SK_OK && r != SK_NEED_MORE) {
		mta_protocol_error(c, r);
		return;
	}
	if (c->state == MTA_S_EHLO && c->reply.code == 250 &&
	    c->reply.nlines > 1) {
		mta_ehlo_line(c, text, textlen);
	}
	if (r == SK_NEED_MORE) {
		return;
	}
	/* RFC 2920 3.1: bytes that came with the last reply owed, before
	 * our next command was even written, answer nothing we sent (only
	 * STARTTLS's 220 discards them instead: mta_on_starttls) */
	if (mta_outstanding(c) == 1 && c->input_rest + buf_len(&c->in) > 0 &&
	    !(c->state == MTA_S_STARTTLS && c->reply.code == 220)) {
		mta_protocol_error(c, SK_E_FULL);
		return;
	}
	if ((size_t)c->state < SK_NELEM(mta_handlers) &&
	    mta_handlers[c->state] != NULL) {
		mta_handlers[c->state](c);
	}
	mta_reply_init(&c->reply);
}

/* mta_read_lines - handle every whole line buffered */
static void
mta_read_lines(struct mta_client *c)
{
	const uint8_t *line;
	size_t linelen, used;
	enum sk_result r;

	while (c->state != MTA_S_CLOSED && c->state != MTA_S_TLS &&
	    buf_len(&c->in) > 0) {
		if (c->reply.nlines == 0 && mta_outstanding(c) == 0) {
			mta_protocol_error(c, SK_E_FULL);
			return;
		}
		r = buf_line_next(&c->lines, buf_head(&c->in), buf_len(&c->in),
		    &linelen, &used);
		if (r == SK_NEED_MORE) {
			buf_consume(&c->in, used);
			return;
		}
		if (r != SK_OK) {
			mta_protocol_error(c, r);
			return;
		}
		/* the line stays valid: consuming does not move bytes */
		line = buf_head(&c->in);
		buf_consume(&c->in, used);
		mta_line(c, line, linelen);
	}
}

void
mta_client_input(struct mta_client *c, const uint8_t *p, size_t n)
{
	uint8_t *space;
	size_t avail, take;

	while (n > 0) {
		if (c->state == MTA_S_CLOSED) {
			break;
		}
		if (c->state == MTA_S_TLS) {
			c->discarded += n;
			break;
		}
		space = buf_space(&c->in, &avail);
		take = n < avail ? n : avail;
		memcpy(space, p, take);
		buf_commit(&c->in, take);
		p += take;
		n -= take;
		c->input_rest = n;
		mta_read_lines(c);
	}
	c->input_rest = 0;
}

/* ---- the rest of the API ------------------------------------------ */

void
mta_client_init(struct mta_client *c, const struct mta_client_conf *conf)
{
	memset(c, 0, sizeof(*c));
	c->conf = *conf;
	if (c->conf.auth_user != NULL && c->conf.auth_pass == NULL) {
		c->conf.auth_pass = "";
	}
	c->state = MTA_S_GREETING;
	c->tls_active = conf->tls_active;
	c->job = MTA_JOB_NONE;
	buf_init(&c->in, c->inbuf, sizeof(c->inbuf));
	buf_init(&c->out, c->outbuf, sizeof(c->outbuf));
	buf_line_init(&c->lines, MTA_REPLY_LINE_MAX);
	mta_reply_init(&c->reply);
}

void
mta_client_start(struct mta_client *c, const struct mta_msg *m)
{
	c->msg = m;
	c->job = MTA_JOB_RUNNING;
	memset(c->rcpt_state, 0, sizeof(c->rcpt_state));
	c->rcpt_next = c->rcpt_out = c->naccepted = c->nresolved = 0;
	c->mail_sent = c->mail_replied = c->mail_failed = 0;
	c->data_sent = c->data_replied = 0;
	c->content_eof = 0;
	if (m->nrcpt == 0 || m->nrcpt > MTA_RCPTS_MAX) {
		c->job =
		    MTA_JOB_DONE; /* the caller's contract: nothing to do */
		return;
	}
	if (c->state == MTA_S_CLOSED) {
		c->job = MTA_JOB_SESSION_FAILED;
		if (!c->failed) {
			mta_outcome_local(&c->fail, MSG_TEMPFAIL, "4.4.2",
			    "session with host %s already closed",
			    c->conf.host);
			c->failed = 1;
		}
		return;
	}
	if (c->state == MTA_S_READY) {
		mta_txn_begin(c);
	}
}

void
mta_client_quit(struct mta_client *c)
{
	if (c->state == MTA_S_CLOSED) {
		return;
	}
	mta_close(c, c->state == MTA_S_READY);
}

void
mta_client_eof(struct mta_client *c)
{
	mta_fail(c, MSG_TEMPFAIL, "4.4.2", 0,
	    "lost connection with host %s while %s", c->conf.host,
	    mta_stage(c));
}

void
mta_client_io_error(struct mta_client *c, const char *why)
{
	mta_fail(c, MSG_TEMPFAIL, "4.4.2", 0,
	    "lost connection with host %s while %s: %s", c->conf.host,
	    mta_stage(c), why);
}

void
mta_client_timeout(struct mta_client *c)
{
	mta_fail(c, MSG_TEMPFAIL, "4.4.2", 0,
	    "conversation with host %s timed out while %s", c->conf.host,
	    mta_stage(c));
}

void
mta_client_abort(struct mta_client *c, const char *why)
{
	mta_fail(c, MSG_TEMPFAIL, "4.3.0", 0, "local error: %s", why);
}

void
mta_client_tls_done(struct mta_client *c, int ok, const char *why)
{
	if (c->state != MTA_S_TLS) {
		return;
	}
	if (!ok) {
		c->tls_failed = 1;
		mta_fail(c, MSG_TEMPFAIL, "4.7.5", 0,
		    "TLS handshake with host %s failed: %s", c->conf.host,
		    why != NULL ? why : "unknown error");
		return;
	}
	/* RFC 3207 4.2: forget everything learnt before TLS */
	c->tls_active = 1;
	c->ext = 0;
	c->auth_mechs = 0;
	c->size_max = 0;
	buf_line_init(&c->lines, MTA_REPLY_LINE_MAX);
	mta_reply_init(&c->reply);
	mta_send_hello(c, 0);
}

const uint8_t *
mta_client_output(const struct mta_client *c, size_t *n)
{
	*n = buf_len(&c->out);
	return buf_head(&c->out);
}

void
mta_client_sent(struct mta_client *c, size_t n)
{
	buf_consume(&c->out, n);
	if (c->state == MTA_S_AUTH || c->state == MTA_S_AUTH_PASS ||
	    c->state == MTA_S_AUTH_USER) {
		/* credentials do not linger in the buffer */
		memset(c->outbuf, 0, sizeof(c->outbuf) - buf_len(&c->out));
		buf_compact(&c->out);
	}
	mta_txn_fill(c);
}

/* mta_content_fail - the spool file breaks RFC 5321 2.3.8: stop here */
static void
mta_content_fail(struct mta_client *c, const char *what)
{
	struct mta_outcome o;

	mta_outcome_local(&o, MSG_PERMFAIL, "5.6.0",
	    "message content has a bare %s (RFC 5321 2.3.8); not sent", what);
	mta_resolve_rest(c, &o, 1);
	/* closing inside DATA makes the server discard the transaction */
	mta_close(c, 0);
}

/* mta_content_run - how many octets from p, at most lim, hold no CR and
 * no LF: inside a line they are copied as they are */
static size_t
mta_content_run(const uint8_t *p, size_t lim)
{
	const uint8_t *cr = memchr(p, '\r', lim), *lf;
	size_t n = cr != NULL ? (size_t)(cr - p) : lim;

	lf = memchr(p, '\n', n);
	return lf != NULL ? (size_t)(lf - p) : n;
}

size_t
mta_client_content(struct mta_client *c, const uint8_t *p, size_t n)
{
	uint8_t *o;
	size_t avail, i = 0, w = 0, run;

	if (c->state != MTA_S_CONTENT || c->content_eof) {
		return 0;
	}
	o = buf_space(&c->out, &avail);
	/* one octet may become two (a dot doubled): room for two each time */
	while (i < n && w + 2 <= avail) {
		uint8_t b = p[i];

		if (!c->prev_cr && !c->bol && b != '\r' && b != '\n') {
			/* inside a line: the run up to its CR at once, not
			 * octet by octet (the relay's hottest loop in mta) */
			run = mta_content_run(p + i,
			    n - i < avail - w - 1 ? n - i : avail - w - 1);
			memcpy(o + w, p + i, run);
			w += run;
			i += run;
			continue;
		}
		if (c->prev_cr && b != '\n') {
			mta_content_fail(c, "CR");
			return i;
		}
		if (b == '\n' && !c->prev_cr) {
			mta_content_fail(c, "LF");
			return i;
		}
		/* RFC 5321 4.5.2: a line starting with "." gets another */
		if (c->bol && b == '.') {
			o[w++] = '.';
		}
		o[w++] = b;
		c->prev_cr = b == '\r';
		c->bol = b == '\n';
		i++;
	}
	buf_commit(&c->out, w);
	return i;
}

void
mta_client_content_end(struct mta_client *c)
{
	if (c->state != MTA_S_CONTENT) {
		return;
	}
	if (c->prev_cr) {
		mta_content_fail(c, "CR");
		return;
	}
	/* content that does not end a line gets its CRLF before the dot */
	if (mta_cmd(c, "%s.", c->bol ? "" : "\r\n") != 0) {
		mta_fail(c, MSG_TEMPFAIL, "4.3.0", 0,
		    "internal error: no room for the end of data");
		return;
	}
	c->content_eof = 1;
	c->state = MTA_S_DOT;
}

enum mta_want
mta_client_want(const struct mta_client *c)
{
	switch (c->state) {
	case MTA_S_CLOSED:
		return MTA_WANT_CLOSE;
	case MTA_S_TLS:
		return MTA_WANT_TLS;
	case MTA_S_READY:
		return MTA_WANT_JOB;
	case MTA_S_CONTENT:
		/* content only while half the buffer is free */
		return mta_room(c) >= MTA_OUT_MAX / 2 ? MTA_WANT_CONTENT :
							MTA_WANT_READ;
	default:
		return MTA_WANT_READ;
	}
}

uint64_t
mta_client_timeout_ms(const struct mta_client *c)
{
	switch (c->state) {
	case MTA_S_GREETING:
		return MTA_TIMEOUT_GREETING;
	case MTA_S_TLS:
		return MTA_TIMEOUT_TLS;
	case MTA_S_TXN:
		if (!c->mail_replied) {
			return MTA_TIMEOUT_MAIL;
		}
		return c->rcpt_out > 0 ? MTA_TIMEOUT_RCPT :
					 MTA_TIMEOUT_DATA_INIT;
	case MTA_S_CONTENT:
		return MTA_TIMEOUT_DATA_BLOCK;
	case MTA_S_DOT:
		return MTA_TIMEOUT_DATA_END;
	case MTA_S_RSET:
	case MTA_S_CLOSED:
		return MTA_TIMEOUT_RSET;
	case MTA_S_READY:
		return 0;
	default:
		return MTA_TIMEOUT_EHLO;
	}
}

enum mta_job_state
mta_client_job(const struct mta_client *c)
{
	return c->job;
}

const struct mta_outcome *
mta_client_failure(const struct mta_client *c)
{
	return c->failed ? &c->fail : NULL;
}

const char *
mta_state_name(enum mta_state s)
{
	static const char *const names[] = {
		[MTA_S_GREETING] = "greeting",
		[MTA_S_EHLO] = "ehlo",
		[MTA_S_HELO] = "helo",
		[MTA_S_STARTTLS] = "starttls",
		[MTA_S_TLS] = "tls",
		[MTA_S_AUTH] = "auth",
		[MTA_S_AUTH_USER] = "auth-user",
		[MTA_S_AUTH_PASS] = "auth-pass",
		[MTA_S_READY] = "ready",
		[MTA_S_TXN] = "txn",
		[MTA_S_CONTENT] = "content",
		[MTA_S_DOT] = "dot",
		[MTA_S_RSET] = "rset",
		[MTA_S_CLOSED] = "closed",
	};

	if ((size_t)s >= SK_NELEM(names) || names[s] == NULL) {
		return "?";
	}
	return names[s];
}

/*
 * smtp_replay.c - the reference driver of the session machine; see
 * smtp_replay.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp_replay.h"

/* smtp_replay_log - append to the transcript, cutting at its end */
static void smtp_replay_log(struct smtp_replay *, const char *, ...)
    SK_PRINTF(2, 3);

static void
smtp_replay_log(struct smtp_replay *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->loglen + 1 >= r->logcap) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(r->log + r->loglen, r->logcap - r->loglen, fmt, ap);
	va_end(ap);
	if (n > 0) {
		r->loglen += (size_t)n < r->logcap - r->loglen ?
		    (size_t)n :
		    r->logcap - r->loglen - 1;
	}
}

/* smtp_replay_flush - move the session's replies to the transcript */
static void
smtp_replay_flush(struct smtp_replay *r)
{
	size_t i;

	for (i = 0; i < r->out.len; i++) {
		if (r->out.buf[i] == '\r' && i + 1 < r->out.len &&
		    r->out.buf[i + 1] == '\n') {
			continue;
		}
		smtp_replay_log(r, "%c", r->out.buf[i]);
	}
	r->out.len = 0;
}

/* smtp_replay_content - the content callback: count octets */
static void
smtp_replay_content(void *arg, const uint8_t *p, size_t n)
{
	struct smtp_replay *r = arg;

	(void)p;
	r->octets += n;
}

/* smtp_replay_init - a fresh session; greets into the transcript */
void
smtp_replay_init(struct smtp_replay *r, const struct smtp_session_conf *conf,
    char *log, size_t logcap)
{
	struct smtp_session_conf c = *conf;

	memset(r, 0, offsetof(struct smtp_replay, s));
	r->log = log;
	r->logcap = logcap;
	r->loglen = 0;
	r->inlen = 0;
	r->body = r->closed = r->tls_pending = r->sasl_step = 0;
	r->messages = 0;
	r->octets = 0;
	r->out.len = 0;
	if (logcap > 0) {
		log[0] = '\0';
	}
	c.content = smtp_replay_content;
	c.content_arg = r;
	smtp_session_init(&r->s, &c);
	buf_line_init(&r->lines, smtp_session_line_max(&r->s));
	smtp_session_greet(&r->s, &r->out);
	smtp_replay_flush(r);
}

/*
 * smtp_replay_sasl - a stand-in SASL mechanism: the AUTH command without
 * an initial response gets one empty challenge; any response fails.
 */
static enum smtp_action
smtp_replay_sasl(struct smtp_replay *r)
{
	if (!r->sasl_step && memchr(r->s.sasl, ' ', r->s.sasl_len) == NULL) {
		r->sasl_step = 1;
		return smtp_session_auth_reply(&r->s, SMTP_AUTH_CONTINUE, "",
		    &r->out);
	}
	r->sasl_step = 0;
	return smtp_session_auth_reply(&r->s, SMTP_AUTH_FAIL, NULL, &r->out);
}

/* smtp_replay_act - carry out what the session asked for */
static void
smtp_replay_act(struct smtp_replay *r, enum smtp_action a)
{
	char id[16];

	switch (a) {
	case SMTP_A_DATA:
	case SMTP_A_BDAT:
		r->body = 1;
		break;
	case SMTP_A_MESSAGE:
		r->body = 0;
		r->messages++;
		smtp_replay_flush(r);
		smtp_replay_log(r, "[message %u: %llu octets, %u rcpts]\n",
		    r->messages, (unsigned long long)r->octets, r->s.rcpts);
		snprintf(id, sizeof(id), "Q%u", r->messages);
		r->octets = 0;
		smtp_session_message_done(&r->s, 1, id, &r->out);
		break;
	case SMTP_A_STARTTLS:
		/* CVE-2011-0411: nothing read before the handshake counts. */
		smtp_replay_flush(r);
		smtp_replay_log(r,
		    "[starttls: %zu buffered octets discarded]\n", r->inlen);
		r->inlen = 0;
		r->tls_pending = 1;
		break;
	case SMTP_A_AUTH:
		smtp_replay_act(r, smtp_replay_sasl(r));
		break;
	case SMTP_A_CLOSE:
		smtp_replay_flush(r);
		smtp_replay_log(r, "[close]\n");
		r->closed = 1;
		break;
	case SMTP_A_BODY:
	case SMTP_A_NONE:
		break;
	}
	if (!r->body) {
		r->octets = 0;
	}
	if (r->s.state != SMTP_S_AUTH) {
		r->sasl_step = 0;
	}
	smtp_replay_flush(r);
}

/* smtp_replay_step - handle one item at the front of the input */
static int
smtp_replay_step(struct smtp_replay *r)
{
	size_t used = 0, linelen;
	enum smtp_action a;
	enum sk_result res;

	if (r->body) {
		a = smtp_session_body(&r->s, r->in, r->inlen, &used, &r->out);
		memmove(r->in, r->in + used, r->inlen - used);
		r->inlen -= used;
		if (a == SMTP_A_BODY) {
			return 0;
		}
		r->body = 0;
		smtp_replay_act(r, a);
		return 1;
	}
	r->lines.max = smtp_session_line_max(&r->s);
	res = buf_line_next(&r->lines, r->in, r->inlen, &linelen, &used);
	if (res == SK_NEED_MORE) {
		memmove(r->in, r->in + used, r->inlen - used);
		r->inlen -= used;
		return 0;
	}
	if (res != SK_OK) {
		a = smtp_session_line_error(&r->s, res, &r->out);
	} else {
		a = smtp_session_line(&r->s, r->in, linelen, r->inlen > used,
		    &r->out);
	}
	memmove(r->in, r->in + used, r->inlen - used);
	r->inlen -= used;
	smtp_replay_act(r, a);
	return 1;
}

/* smtp_replay_write - one client write (one TCP segment) */
void
smtp_replay_write(struct smtp_replay *r, const uint8_t *p, size_t n)
{
	size_t take;

	while (n > 0 || r->body) {
		if (r->closed || r->tls_pending) {
			smtp_replay_log(r, "[ignored %zu octets %s]\n",
			    n + r->inlen,
			    r->closed ? "after close" : "before handshake");
			r->inlen = 0;
			return;
		}
		take =
		    sizeof(r->in) - r->inlen < n ? sizeof(r->in) - r->inlen : n;
		memcpy(r->in + r->inlen, p, take);
		r->inlen += take;
		p += take;
		n -= take;
		while (!r->closed && !r->tls_pending && smtp_replay_step(r)) {
		}
		if (n == 0) {
			break;
		}
	}
}

/* smtp_replay_tls - the TLS handshake after STARTTLS completed */
void
smtp_replay_tls(struct smtp_replay *r)
{
	if (!r->tls_pending) {
		smtp_replay_log(r, "[no STARTTLS to complete]\n");
		return;
	}
	r->tls_pending = 0;
	r->inlen = 0;
	smtp_session_tls_started(&r->s);
	smtp_replay_log(r, "[tls established]\n");
}

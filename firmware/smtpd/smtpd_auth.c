/*
 * smtpd_auth.c - SMTP AUTH in the smtp process: firmware/smtp's SASL
 * machine decodes what the client sends; the user name and password go
 * to the supervisor (MSG_AUTH_CHECK), which holds the hashes and the
 * lockout counts; its answer becomes 235, 535 or 454. The password is
 * wiped from this process as soon as it is sent.
 */
#include <stdlib.h>
#include <string.h>

#include "../sekimorid/stats.h"
#include "../smtp/smtp_sasl.h"
#include "log.h"
#include "msg_body.h"
#include "smtpd_int.h"

/* auth_check - send the credentials to the supervisor and wait */
static void
auth_check(struct smtpd_conn *c, struct smtp_sasl *x, struct smtp_out *out)
{
	uint8_t body[2 * (SMTP_SASL_FIELD_MAX + 2) + 128];
	struct msg_body_writer w;

	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_str(&w, x->user, x->userlen);
	msg_body_put_str(&w, x->pass, x->passlen);
	msg_body_put_cstr(&w, c->ip);
	msg_body_put_cstr(&w, c->l->cfg->name);
	if (chan_send_body(&smtpd.parent, MSG_AUTH_CHECK, c->id, -1, &w) !=
	    SK_OK) {
		explicit_bzero(body, sizeof(body));
		smtp_sasl_wipe(x);
		smtp_session_auth_reply(&c->s, SMTP_AUTH_TEMP, NULL, out);
		return;
	}
	explicit_bzero(body, sizeof(body));
	/* keep the user name for the logs and the envelope */
	memcpy(c->auth_user, x->user,
	    x->userlen < sizeof(c->auth_user) ? x->userlen + 1 :
						sizeof(c->auth_user));
	c->auth_user[sizeof(c->auth_user) - 1] = '\0';
	smtp_sasl_wipe(x);
	c->wait = SMTPD_W_AUTH;
}

void
smtpd_auth_step(struct smtpd_conn *c, struct smtp_out *out)
{
	struct smtp_sasl *x = c->sasl;
	enum smtp_sasl_step step;

	if (x == NULL && (x = c->sasl = calloc(1, sizeof(*x))) == NULL) {
		smtp_session_auth_reply(&c->s, SMTP_AUTH_TEMP, NULL, out);
		return;
	}
	step = c->in_auth ? smtp_sasl_response(x, c->s.sasl, c->s.sasl_len) :
			    smtp_sasl_start(x, c->s.sasl, c->s.sasl_len);
	switch (step) {
	case SMTP_SASL_CHALLENGE:
		smtp_session_auth_reply(&c->s, SMTP_AUTH_CONTINUE, x->challenge,
		    out);
		break;
	case SMTP_SASL_CHECK:
		auth_check(c, x, out);
		break;
	case SMTP_SASL_ERROR:
		smtp_sasl_wipe(x);
		smtp_session_auth_refuse(&c->s, x->reply, out);
		break;
	}
}

void
smtpd_auth_result(struct smtpd_conn *c, const struct msg *m)
{
	static const enum smtp_auth_result map[] = {
		[MSG_AUTH_OK] = SMTP_AUTH_OK,
		[MSG_AUTH_FAIL] = SMTP_AUTH_FAIL,
		[MSG_AUTH_LOCKED] = SMTP_AUTH_TEMP,
		[MSG_AUTH_TEMP] = SMTP_AUTH_TEMP,
	};
	uint32_t r = msg_get_u32(m->body);
	struct smtp_out out;
	char client[SMTPD_IP_TEXT + 16];

	if (c->wait != SMTPD_W_AUTH || r >= sizeof(map) / sizeof(map[0])) {
		fatal("unexpected MSG_AUTH_RESULT %u for session %u", r, c->id);
	}
	c->wait = SMTPD_W_NONE;
	out.len = 0;
	smtp_session_auth_reply(&c->s, map[r], NULL, &out);
	smtpd_conn_client(c, client, sizeof(client));
	if (r == MSG_AUTH_OK) {
		log_info("%s: authenticated: sasl_username=%s", client,
		    c->auth_user);
	} else {
		c->auth_user[0] = '\0';
	}
	stats_add(r == MSG_AUTH_OK ? STATS_SMTP_AUTH_OK : STATS_SMTP_AUTH_FAIL,
	    1);
	smtpd_conn_send_out(c, &out);
	smtpd_conn_resume(c);
}

void
smtpd_auth_free(struct smtpd_conn *c)
{
	if (c->sasl != NULL) {
		smtp_sasl_wipe(c->sasl);
		free(c->sasl);
		c->sasl = NULL;
	}
}

/*
 * policy_msg.c - P_CHECK and P_VERDICT bodies (policy_msg.h).
 */
#include <string.h>

#include "policy_msg.h"

/* policy_msg_text_ok - no control characters (the field reaches logs) */
static int
policy_msg_text_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			return 0;
		}
	}
	return 1;
}

void
policy_msg_check_put(struct msg_body_writer *w, const struct policy_check *c)
{
	msg_body_put_cstr(w, c->qid);
	msg_body_put_cstr(w, c->client_ip);
	msg_body_put_cstr(w, c->helo);
	msg_body_put_cstr(w, c->mail_from);
	msg_body_put_cstr(w, c->auth_user);
	msg_body_put_u8(w, c->direction);
}

enum sk_result
policy_msg_check_get(const uint8_t *body, size_t len, struct policy_check *c)
{
	struct msg_body_reader r;

	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, c->qid, sizeof(c->qid));
	msg_body_get_str(&r, c->client_ip, sizeof(c->client_ip));
	msg_body_get_str(&r, c->helo, sizeof(c->helo));
	msg_body_get_str(&r, c->mail_from, sizeof(c->mail_from));
	msg_body_get_str(&r, c->auth_user, sizeof(c->auth_user));
	c->direction = msg_body_get_u8(&r);
	if (msg_body_end(&r) != 0 || c->qid[0] == '\0' ||
	    c->direction > MSG_POLICY_OUTBOUND || !policy_msg_text_ok(c->qid) ||
	    !policy_msg_text_ok(c->client_ip) || !policy_msg_text_ok(c->helo) ||
	    !policy_msg_text_ok(c->mail_from) ||
	    !policy_msg_text_ok(c->auth_user)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

void
policy_msg_verdict_put(struct msg_body_writer *w,
    const struct policy_wire_verdict *v)
{
	uint32_t i;

	msg_body_put_cstr(w, v->qid);
	msg_body_put_u8(w, v->action);
	msg_body_put_cstr(w, v->reply);
	msg_body_put_u32(w, v->nrenames);
	for (i = 0; i < v->nrenames && i < MSG_POLICY_RENAMES_MAX; i++) {
		msg_body_put_u64(w, v->renames[i]);
	}
	msg_body_put_str(w, v->prepend, v->prepend_len);
}

/* policy_msg_reply_ok - "4xx " or "5xx " then printable text */
static int
policy_msg_reply_ok(const char *s, uint8_t action)
{
	char want = action == MSG_POLICY_REJECT ? '5' : '4';

	if (action == MSG_POLICY_ACCEPT) {
		return s[0] == '\0';
	}
	return strlen(s) >= 5 && s[0] == want && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' && s[3] == ' ' && policy_msg_text_ok(s);
}

enum sk_result
policy_msg_verdict_get(const uint8_t *body, size_t len,
    struct policy_wire_verdict *v)
{
	struct msg_body_reader r;
	uint32_t i;

	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, v->qid, sizeof(v->qid));
	v->action = msg_body_get_u8(&r);
	msg_body_get_str(&r, v->reply, sizeof(v->reply));
	v->nrenames = msg_body_get_u32(&r);
	if (v->nrenames > MSG_POLICY_RENAMES_MAX) {
		return SK_E_SYNTAX;
	}
	for (i = 0; i < v->nrenames; i++) {
		v->renames[i] = msg_body_get_u64(&r);
	}
	v->prepend_len = msg_body_get_str(&r, v->prepend, sizeof(v->prepend));
	if (msg_body_end(&r) != 0 || v->action > MSG_POLICY_TEMPFAIL ||
	    !policy_msg_text_ok(v->qid) ||
	    !policy_msg_reply_ok(v->reply, v->action) ||
	    !msg_header_block_ok((const uint8_t *)v->prepend, v->prepend_len)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/*
 * policy_msg.c - P_CHECK and P_VERDICT bodies (policy_msg.h).
 */
#include <stddef.h>
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

_Static_assert(MSG_BODY_MAX <= UINT16_MAX + 1, "rcpt_off holds offsets");

/* policy_msg_rcpt_ok - an address we carry: not empty, printable */
static int
policy_msg_rcpt_ok(const char *addr, size_t len)
{
	return len > 0 && len < POLICY_MSG_RCPT_SIZE &&
	    policy_msg_text_ok(addr);
}

int
policy_check_add_rcpt(struct policy_check *c, const char *addr)
{
	size_t len = strlen(addr);

	if (!policy_msg_rcpt_ok(addr, len) || c->nrcpt == POLICY_MSG_RCPT_MAX ||
	    len + 1 > sizeof(c->rcpt_buf) - c->rcpt_len) {
		if (c->rcpt_omitted < UINT32_MAX) {
			c->rcpt_omitted++;
		}
		return -1;
	}
	c->rcpt_off[c->nrcpt++] = (uint16_t)c->rcpt_len;
	memcpy(c->rcpt_buf + c->rcpt_len, addr, len + 1);
	c->rcpt_len += len + 1;
	return 0;
}

const char *
policy_check_rcpt(const struct policy_check *c, uint32_t i)
{
	return c->rcpt_buf + c->rcpt_off[i];
}

/* policy_msg_rcpts_put - u32 n, n addresses, u32 omitted: as many as
 * fit in the body after what w holds already, the rest omitted */
static void
policy_msg_rcpts_put(struct msg_body_writer *w, const struct policy_check *c)
{
	size_t cap = w->cap < MSG_BODY_MAX ? w->cap : MSG_BODY_MAX;
	size_t room, need;
	uint32_t n, i, omitted;

	/* the two counts come first out of the room */
	room = w->len + 8 <= cap ? cap - w->len - 8 : 0;
	for (n = 0; n < c->nrcpt; n++) {
		need = 2 + strlen(policy_check_rcpt(c, n));
		if (need > room) {
			break;
		}
		room -= need;
	}
	omitted = c->rcpt_omitted;
	omitted = c->nrcpt - n > UINT32_MAX - omitted ?
	    UINT32_MAX :
	    omitted + (c->nrcpt - n);
	msg_body_put_u32(w, n);
	for (i = 0; i < n; i++) {
		msg_body_put_cstr(w, policy_check_rcpt(c, i));
	}
	msg_body_put_u32(w, omitted);
}

/* policy_msg_rcpts_get - the recipients of a P_CHECK; 0 or -1 */
static int
policy_msg_rcpts_get(struct msg_body_reader *r, struct policy_check *c)
{
	uint32_t n, i;
	size_t room, len;
	char *at;

	n = msg_body_get_u32(r);
	if (n > POLICY_MSG_RCPT_MAX) {
		return -1;
	}
	for (i = 0; i < n && !r->err; i++) {
		at = c->rcpt_buf + c->rcpt_len;
		room = sizeof(c->rcpt_buf) - c->rcpt_len;
		if (room > POLICY_MSG_RCPT_SIZE) {
			room = POLICY_MSG_RCPT_SIZE;
		}
		len = msg_body_get_str(r, at, room);
		if (r->err || !policy_msg_rcpt_ok(at, len)) {
			return -1;
		}
		c->rcpt_off[i] = (uint16_t)c->rcpt_len;
		c->rcpt_len += len + 1;
		c->nrcpt = i + 1;
	}
	c->rcpt_omitted = msg_body_get_u32(r);
	return r->err ? -1 : 0;
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
	policy_msg_rcpts_put(w, c);
}

enum sk_result
policy_msg_check_get(const uint8_t *body, size_t len, struct policy_check *c)
{
	struct msg_body_reader r;

	/* the recipients' arrays are large: zero the fixed fields and the
	 * counts only; rcpt_off and rcpt_buf are read up to nrcpt and
	 * rcpt_len, which the decoder sets */
	memset(c, 0, offsetof(struct policy_check, rcpt_off));
	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, c->qid, sizeof(c->qid));
	msg_body_get_str(&r, c->client_ip, sizeof(c->client_ip));
	msg_body_get_str(&r, c->helo, sizeof(c->helo));
	msg_body_get_str(&r, c->mail_from, sizeof(c->mail_from));
	msg_body_get_str(&r, c->auth_user, sizeof(c->auth_user));
	c->direction = msg_body_get_u8(&r);
	if (policy_msg_rcpts_get(&r, c) != 0 || msg_body_end(&r) != 0 ||
	    c->qid[0] == '\0' || c->direction > MSG_POLICY_OUTBOUND ||
	    !policy_msg_text_ok(c->qid) || !policy_msg_text_ok(c->client_ip) ||
	    !policy_msg_text_ok(c->helo) || !policy_msg_text_ok(c->mail_from) ||
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
	/* optional trailers, each only when it or one after it is sent */
	if (v->rewrite != MSG_REWRITE_NONE || v->notice[0] != '\0') {
		msg_body_put_u8(w, v->rewrite);
	}
	if (v->notice[0] != '\0') {
		msg_body_put_cstr(w, v->notice);
	}
}

int
policy_msg_notice_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > MSG_NOTICE_MAX || p[len - 1] != '\n') {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (p[i] == '\r') {
			if (i + 1 == len || p[i + 1] != '\n') {
				return 0;
			}
			i++; /* the CRLF's LF */
		} else if ((unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] > 0x7e) {
			return 0; /* a bare LF too */
		}
	}
	return 1;
}

/* policy_msg_rewrite_ok - a rewrite mode that fits the action */
static int
policy_msg_rewrite_ok(const struct policy_wire_verdict *v)
{
	switch (v->rewrite) {
	case MSG_REWRITE_NONE:
		return 1;
	case MSG_REWRITE_REPLACE:
		return v->action == MSG_POLICY_ACCEPT ||
		    v->action == MSG_POLICY_QUARANTINE;
	case MSG_REWRITE_STRIP:
		return v->action == MSG_POLICY_ACCEPT;
	default:
		return 0;
	}
}

/* policy_msg_reply_ok - accept: none; discard: any printable text;
 * quarantine: a reason; else "4xx " or "5xx " then printable text */
static int
policy_msg_reply_ok(const char *s, uint8_t action)
{
	char want = action == MSG_POLICY_REJECT ? '5' : '4';

	if (action == MSG_POLICY_ACCEPT) {
		return s[0] == '\0';
	}
	if (action == MSG_POLICY_DISCARD) {
		return policy_msg_text_ok(s);
	}
	if (action == MSG_POLICY_QUARANTINE) {
		return s[0] != '\0' && policy_msg_text_ok(s);
	}
	return strlen(s) >= 5 && s[0] == want && s[1] >= '0' && s[1] <= '9' &&
	    s[2] >= '0' && s[2] <= '9' && s[3] == ' ' && policy_msg_text_ok(s);
}

enum sk_result
policy_msg_verdict_get(const uint8_t *body, size_t len,
    struct policy_wire_verdict *v)
{
	struct msg_body_reader r;
	size_t nlen;
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
	/* the optional trailers: rewrite, sent when not 0 or when a
	 * notice follows; the notice, sent when not empty (one encoding) */
	v->rewrite = MSG_REWRITE_NONE;
	v->notice[0] = '\0';
	nlen = 0;
	if (r.off < r.len) {
		v->rewrite = msg_body_get_u8(&r);
		if (r.off < r.len) {
			nlen =
			    msg_body_get_str(&r, v->notice, sizeof(v->notice));
			if (r.err || !policy_msg_notice_ok(v->notice, nlen)) {
				return SK_E_SYNTAX;
			}
		} else if (v->rewrite == MSG_REWRITE_NONE) {
			return SK_E_SYNTAX;
		}
	}
	if (msg_body_end(&r) != 0 || v->action > MSG_POLICY_ACTION_LAST ||
	    !policy_msg_rewrite_ok(v) || !policy_msg_text_ok(v->qid) ||
	    !policy_msg_reply_ok(v->reply,
		v->rewrite == MSG_REWRITE_STRIP ? MSG_POLICY_QUARANTINE :
						  v->action) ||
	    !msg_header_block_ok((const uint8_t *)v->prepend, v->prepend_len)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

/*
 * queue_proto.c - Q_* and M_* message bodies (queue_proto.h).
 */
#include <string.h>

#include "queue_proto.h"
#include "queue_sched.h"

#define QUEUE_STR_LEN_BYTES 2 /* msg_body.h: u16 length before a string */

int
queue_text_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f) {
			return 0;
		}
	}
	return 1;
}

int
queue_addr_ok(const char *s)
{
	const char *at = strrchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' && queue_text_ok(s);
}

/* queue_orcpt_ok - "" or "addr-type;xtext" in printable ASCII */
static int
queue_orcpt_ok(const char *s)
{
	const char *p;

	if (*s == '\0') {
		return 1;
	}
	if (strchr(s, ';') == NULL || *s == ';') {
		return 0;
	}
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

/* queue_env_text_ok - every text field of an envelope is clean */
static int
queue_env_text_ok(const struct queue_envelope *e)
{
	return queue_text_ok(e->envid) && queue_text_ok(e->auth_user) &&
	    queue_text_ok(e->client_addr) && queue_text_ok(e->client_name) &&
	    queue_text_ok(e->helo) && queue_text_ok(e->listener) &&
	    queue_text_ok(e->protocol) && queue_text_ok(e->tls);
}

enum sk_result
queue_proto_envelope(const uint8_t *body, size_t len, struct queue_envelope *e)
{
	struct msg_body_reader r;
	size_t idlen;

	msg_body_reader_init(&r, body, len);
	idlen = msg_body_get_str(&r, e->id, sizeof(e->id));
	msg_body_get_str(&r, e->sender, sizeof(e->sender));
	msg_body_get_str(&r, e->envid, sizeof(e->envid));
	e->ret = msg_body_get_u8(&r);
	e->body = msg_body_get_u8(&r);
	e->smtputf8 = msg_body_get_u8(&r);
	msg_body_get_str(&r, e->auth_user, sizeof(e->auth_user));
	msg_body_get_str(&r, e->client_addr, sizeof(e->client_addr));
	msg_body_get_str(&r, e->client_name, sizeof(e->client_name));
	msg_body_get_str(&r, e->helo, sizeof(e->helo));
	msg_body_get_str(&r, e->listener, sizeof(e->listener));
	msg_body_get_str(&r, e->protocol, sizeof(e->protocol));
	msg_body_get_str(&r, e->tls, sizeof(e->tls));
	if (msg_body_end(&r) != 0 || !queue_id_valid(e->id, idlen) ||
	    e->ret > MSG_RET_HDRS || e->body > MSG_BODY_BINARYMIME ||
	    e->smtputf8 > 1) {
		return SK_E_SYNTAX;
	}
	if ((e->sender[0] != '\0' && !queue_addr_ok(e->sender)) ||
	    !queue_env_text_ok(e)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

enum sk_result
queue_proto_rcpt(const uint8_t *body, size_t len, struct queue_rcpt *rc)
{
	struct msg_body_reader r;

	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, rc->address, sizeof(rc->address));
	rc->notify = msg_body_get_u32(&r);
	msg_body_get_str(&r, rc->orcpt, sizeof(rc->orcpt));
	if (msg_body_end(&r) != 0 || !queue_addr_ok(rc->address) ||
	    !queue_notify_valid(rc->notify) || !queue_orcpt_ok(rc->orcpt)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

enum sk_result
queue_proto_commit(const uint8_t *body, size_t len, uint64_t *octets,
    char *prepend, char *quarantine, uint8_t *rewrite)
{
	struct msg_body_reader r;
	size_t n;

	msg_body_reader_init(&r, body, len);
	*octets = msg_body_get_u64(&r);
	n = msg_body_get_str(&r, prepend, QUEUE_PREPEND_SIZE);
	msg_body_get_str(&r, quarantine, QUEUE_REASON_SIZE);
	/* optional, sent only when not 0: one encoding per commit */
	*rewrite = MSG_REWRITE_NONE;
	if (r.off < r.len &&
	    ((*rewrite = msg_body_get_u8(&r)) == 0 ||
		*rewrite > MSG_REWRITE_LAST ||
		(*rewrite == MSG_REWRITE_STRIP && quarantine[0] == '\0'))) {
		return SK_E_SYNTAX;
	}
	/* the reason goes into log lines and listings: no control octets */
	return msg_body_end(&r) == 0 &&
		msg_header_block_ok((const uint8_t *)prepend, n) &&
		queue_text_ok(quarantine) ?
	    SK_OK :
	    SK_E_SYNTAX;
}

enum sk_result
queue_proto_u32(const uint8_t *body, size_t len, uint32_t *v)
{
	struct msg_body_reader r;

	msg_body_reader_init(&r, body, len);
	*v = msg_body_get_u32(&r);
	return msg_body_end(&r) == 0 ? SK_OK : SK_E_SYNTAX;
}

int
queue_notice_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len > MSG_NOTICE_MAX || p[len - 1] != '\n') {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i++; /* the CRLF's LF */
		} else if ((unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] > 0x7e) {
			return 0; /* a bare CR or LF, a control, 8-bit */
		}
	}
	return 1;
}

enum sk_result
queue_proto_notice(const uint8_t *body, size_t len, char *text)
{
	struct msg_body_reader r;
	size_t n;

	msg_body_reader_init(&r, body, len);
	n = msg_body_get_str(&r, text, QUEUE_NOTICE_SIZE);
	if (msg_body_end(&r) != 0 || !queue_notice_ok(text, n)) {
		text[0] = '\0';
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

enum sk_result
queue_proto_result(const uint8_t *body, size_t len, struct queue_result *res)
{
	struct msg_body_reader r;
	char dsn[QUEUE_DSN_STATUS_SIZE * 4];

	msg_body_reader_init(&r, body, len);
	res->rcpt = msg_body_get_u32(&r);
	res->status = msg_body_get_u8(&r);
	msg_body_get_str(&r, dsn, sizeof(dsn));
	msg_body_get_str(&r, res->reply, sizeof(res->reply));
	msg_body_get_str(&r, res->relay, sizeof(res->relay));
	msg_body_get_str(&r, res->tls, sizeof(res->tls));
	if (msg_body_end(&r) != 0 || res->status > MSG_PERMFAIL) {
		return SK_E_SYNTAX;
	}
	if (!queue_dsn_status_ok(dsn, res->status)) {
		strcpy(dsn, queue_dsn_status_default(res->status));
	}
	memcpy(res->dsn, dsn, strlen(dsn) + 1);
	return SK_OK;
}

int
queue_deliver_begin(struct queue_deliver *d, const struct queue_envelope *env,
    const char *domain)
{
	msg_body_writer_init(&d->w, d->buf, sizeof(d->buf));
	msg_body_put_cstr(&d->w, env->id);
	msg_body_put_cstr(&d->w, env->sender);
	msg_body_put_cstr(&d->w, env->envid);
	msg_body_put_u8(&d->w, env->ret);
	msg_body_put_u8(&d->w, env->body);
	msg_body_put_u8(&d->w, env->smtputf8);
	msg_body_put_cstr(&d->w, domain);
	msg_body_put_cstr(&d->w, env->prepend);
	d->count_at = d->w.len;
	msg_body_put_u32(&d->w, 0);
	d->n = 0;
	return d->w.err ? -1 : 0;
}

int
queue_deliver_add(struct queue_deliver *d, uint32_t rcpt, const char *address,
    uint32_t notify, const char *orcpt)
{
	size_t need = 4 + QUEUE_STR_LEN_BYTES + strlen(address) + 4 +
	    QUEUE_STR_LEN_BYTES + strlen(orcpt);

	if (d->w.err || need > d->w.cap - d->w.len) {
		return -1;
	}
	msg_body_put_u32(&d->w, rcpt);
	msg_body_put_cstr(&d->w, address);
	msg_body_put_u32(&d->w, notify);
	msg_body_put_cstr(&d->w, orcpt);
	d->n++;
	return 0;
}

void
queue_deliver_end(struct queue_deliver *d)
{
	msg_put_u32(d->buf + d->count_at, d->n);
}

enum sk_result
queue_deliver_parse(const uint8_t *body, size_t len,
    struct queue_deliver_view *v)
{
	size_t idlen, plen;

	msg_body_reader_init(&v->r, body, len);
	idlen = msg_body_get_str(&v->r, v->id, sizeof(v->id));
	msg_body_get_str(&v->r, v->sender, sizeof(v->sender));
	msg_body_get_str(&v->r, v->envid, sizeof(v->envid));
	v->ret = msg_body_get_u8(&v->r);
	v->body = msg_body_get_u8(&v->r);
	v->smtputf8 = msg_body_get_u8(&v->r);
	msg_body_get_str(&v->r, v->domain, sizeof(v->domain));
	plen = msg_body_get_str(&v->r, v->prepend, sizeof(v->prepend));
	v->n = msg_body_get_u32(&v->r);
	if (v->r.err || !queue_id_valid(v->id, idlen) ||
	    !msg_header_block_ok((const uint8_t *)v->prepend, plen)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

enum sk_result
queue_deliver_next(struct queue_deliver_view *v, uint32_t *rcpt,
    struct queue_rcpt *out)
{
	if (v->n == 0) {
		return msg_body_end(&v->r) == 0 ? SK_END : SK_E_SYNTAX;
	}
	v->n--;
	*rcpt = msg_body_get_u32(&v->r);
	msg_body_get_str(&v->r, out->address, sizeof(out->address));
	out->notify = msg_body_get_u32(&v->r);
	msg_body_get_str(&v->r, out->orcpt, sizeof(out->orcpt));
	return v->r.err ? SK_E_SYNTAX : SK_OK;
}

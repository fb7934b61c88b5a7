/*
 * mta_deliver.c - decode M_DELIVER (mta_deliver.h).
 */
#include <stdlib.h>
#include <string.h>

#include "msg_body.h"
#include "mta_deliver.h"

/* mta_get_str - a string field into the pool, at most max octets */
static const char *
mta_get_str(struct msg_body_reader *r, char *pool, size_t cap, size_t *used,
    size_t max)
{
	char *out = pool + *used;
	size_t room = cap - *used, n;

	if (room > max + 1) {
		room = max + 1;
	}
	n = msg_body_get_str(r, out, room);
	if (r->err) {
		return "";
	}
	*used += n + 1;
	return out;
}

/* mta_copy_field - a short field into fixed storage */
static void
mta_copy_field(struct msg_body_reader *r, char *out, size_t size)
{
	(void)msg_body_get_str(r, out, size);
	if (r->err) {
		out[0] = '\0';
	}
}

int
mta_deliver_decode(struct mta_deliver *d, const uint8_t *body, size_t len)
{
	struct msg_body_reader r;
	size_t cap = len + 1, used = 0, i;
	uint8_t ret, type, utf8;
	uint32_t n;

	memset(d, 0, sizeof(*d));
	/* every string costs at least its 2 length octets on the wire, so
	 * the strings and their NULs fit in len + 1 octets */
	d->pool = calloc(1, cap);
	if (d->pool == NULL) {
		return -1;
	}
	msg_body_reader_init(&r, body, len);
	mta_copy_field(&r, d->qid, sizeof(d->qid));
	d->msg.sender =
	    mta_get_str(&r, d->pool, cap, &used, MTA_ADDR_FIELD_MAX);
	d->msg.envid = mta_get_str(&r, d->pool, cap, &used, MTA_ADDR_FIELD_MAX);
	ret = msg_body_get_u8(&r);
	type = msg_body_get_u8(&r);
	utf8 = msg_body_get_u8(&r);
	mta_copy_field(&r, d->domain, sizeof(d->domain));
	d->prepend = mta_get_str(&r, d->pool, cap, &used, MSG_PREPEND_MAX);
	n = msg_body_get_u32(&r);
	if (r.err || ret > MSG_RET_HDRS || type > MSG_BODY_BINARYMIME ||
	    utf8 > 1 || n > MTA_RCPTS_MAX) {
		return -1;
	}
	d->prepend_len = strlen(d->prepend);
	if (!msg_header_block_ok((const uint8_t *)d->prepend, d->prepend_len)) {
		return -1;
	}
	d->msg.ret = (enum msg_dsn_ret)ret;
	d->msg.body = (enum msg_body_type)type;
	d->msg.smtputf8 = utf8;
	d->rcpt = calloc((size_t)n + 1, sizeof(*d->rcpt));
	d->rcpt_id = calloc((size_t)n + 1, sizeof(*d->rcpt_id));
	if (d->rcpt == NULL || d->rcpt_id == NULL) {
		return -1;
	}
	for (i = 0; i < n && !r.err; i++) {
		d->rcpt_id[i] = msg_body_get_u32(&r);
		d->rcpt[i].addr =
		    mta_get_str(&r, d->pool, cap, &used, MTA_ADDR_FIELD_MAX);
		d->rcpt[i].notify = msg_body_get_u32(&r);
		d->rcpt[i].orcpt =
		    mta_get_str(&r, d->pool, cap, &used, MTA_ADDR_FIELD_MAX);
	}
	d->msg.rcpt = d->rcpt;
	d->msg.nrcpt = n;
	return msg_body_end(&r) == 0 ? 0 : -1;
}

void
mta_deliver_free(struct mta_deliver *d)
{
	free(d->pool);
	free(d->rcpt);
	free(d->rcpt_id);
	memset(d, 0, sizeof(*d));
}

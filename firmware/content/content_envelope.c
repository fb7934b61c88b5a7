/*
 * content_envelope.c - a milter's envelope changes, applied to the
 * check's recipients and written as the envelope trailer
 * (content_envelope.h).
 */
#include <stdio.h>
#include <string.h>

#include "content_envelope.h"
#include "msg_body.h"

void
content_envelope_init(struct content_envelope *e, const char *const *rcpt,
    size_t n, uint32_t omitted)
{
	size_t i;

	e->chgfrom = 0;
	e->sender[0] = '\0';
	e->nops = 0;
	e->nrcpt = 0;
	for (i = 0; i < n && i < POLICY_MSG_RCPT_MAX; i++) {
		e->rcpt[e->nrcpt++] = rcpt[i];
	}
	e->omitted = omitted;
}

/* rcpt_find - where addr is among the recipients, or -1 */
static long
rcpt_find(const struct content_envelope *e, const char *addr)
{
	size_t i;

	for (i = 0; i < e->nrcpt; i++) {
		if (strcmp(e->rcpt[i], addr) == 0) {
			return (long)i;
		}
	}
	return -1;
}

/* rcpt_delete - every recipient addr (the check may hold one twice) */
static void
rcpt_delete(struct content_envelope *e, const char *addr)
{
	size_t i = 0;

	while (i < e->nrcpt) {
		if (strcmp(e->rcpt[i], addr) == 0) {
			e->rcpt[i] = e->rcpt[--e->nrcpt];
		} else {
			i++;
		}
	}
}

/* op_add - one change to the trailer's list; 0 when it is full */
static int
op_add(struct content_envelope *e, uint8_t op,
    const struct scan_milter_action *x)
{
	struct content_env_op *o;

	if (e->nops == MSG_ENV_OPS_MAX || strlen(x->name) > MSG_ENV_ADDR_MAX ||
	    strlen(x->value) > MSG_ENV_ORCPT_MAX) {
		return 0;
	}
	o = &e->ops[e->nops++];
	o->op = op;
	o->notify = op == MSG_ENV_ADDRCPT ? (uint32_t)(x->index & 0xf) : 0;
	snprintf(o->addr, sizeof(o->addr), "%s", x->name);
	snprintf(o->orcpt, sizeof(o->orcpt), "%s",
	    x->type == SCAN_MA_ADDRCPT_PAR ? x->value : "");
	return 1;
}

/* apply_one - one action; 0 when the trailer is full */
static int
apply_one(struct content_envelope *e, const struct scan_milter_action *x)
{
	switch (x->type) {
	case SCAN_MA_CHGFROM:
		if (strlen(x->name) > MSG_ENV_ADDR_MAX) {
			return 0;
		}
		e->chgfrom = 1;
		snprintf(e->sender, sizeof(e->sender), "%s", x->name);
		return 1;
	case SCAN_MA_DELRCPT:
		if (rcpt_find(e, x->name) < 0 && e->omitted == 0) {
			return 1; /* not a recipient: nothing to do */
		}
		rcpt_delete(e, x->name);
		return op_add(e, MSG_ENV_DELRCPT, x);
	case SCAN_MA_ADDRCPT:
	case SCAN_MA_ADDRCPT_PAR:
		if (rcpt_find(e, x->name) >= 0) {
			return 1; /* there already (Sendmail adds no twin) */
		}
		if (!op_add(e, MSG_ENV_ADDRCPT, x)) {
			return 0;
		}
		e->rcpt[e->nrcpt++] = e->ops[e->nops - 1].addr;
		return 1;
	default:
		return 1; /* not an envelope change */
	}
}

enum sk_result
content_envelope_add(struct content_envelope *e,
    const struct scan_milter_actions *a, uint32_t max_rcpts)
{
	char sender[sizeof(e->sender)];
	size_t nops = e->nops, i;
	int chgfrom = e->chgfrom;
	enum sk_result r = SK_OK;

	/* tried on the list, and taken back when it does not hold */
	memcpy(sender, e->sender, sizeof(sender));
	e->saved_nrcpt = e->nrcpt;
	memcpy(e->saved, e->rcpt, e->nrcpt * sizeof(e->rcpt[0]));
	for (i = 0; i < a->n && r == SK_OK; i++) {
		if (!apply_one(e, &a->a[i])) {
			r = SK_E_FULL;
		}
	}
	if (r == SK_OK && content_envelope_count(e) > max_rcpts) {
		r = SK_E_RANGE;
	}
	if (r != SK_OK) {
		e->nops = nops;
		e->chgfrom = chgfrom;
		memcpy(e->sender, sender, sizeof(sender));
		e->nrcpt = e->saved_nrcpt;
		memcpy(e->rcpt, e->saved, e->nrcpt * sizeof(e->rcpt[0]));
	}
	return r;
}

int
content_envelope_changed(const struct content_envelope *e)
{
	return e->chgfrom || e->nops > 0;
}

size_t
content_envelope_count(const struct content_envelope *e)
{
	return e->nrcpt + e->omitted;
}

size_t
content_envelope_trailer(const struct content_envelope *e, uint8_t *buf,
    size_t cap)
{
	struct msg_body_writer w;
	size_t i, block;

	msg_body_writer_init(&w, buf, cap);
	msg_body_put_u8(&w, e->chgfrom ? 1 : 0);
	msg_body_put_cstr(&w, e->chgfrom ? e->sender : "");
	msg_body_put_u32(&w, (uint32_t)e->nops);
	for (i = 0; i < e->nops; i++) {
		msg_body_put_u8(&w, e->ops[i].op);
		msg_body_put_cstr(&w, e->ops[i].addr);
		msg_body_put_u32(&w, e->ops[i].notify);
		msg_body_put_cstr(&w, e->ops[i].orcpt);
	}
	block = w.len;
	msg_body_put_u32(&w, (uint32_t)block);
	if (w.err || cap - w.len < MSG_ENV_MAGIC_LEN) {
		return 0;
	}
	memcpy(buf + w.len, MSG_ENV_MAGIC, MSG_ENV_MAGIC_LEN);
	return w.len + MSG_ENV_MAGIC_LEN;
}

/* log_put - s at out[*at], printable only; 0 when it did not fit */
static int
log_put(char *out, size_t size, size_t *at, const char *s)
{
	size_t n = strlen(s), i;

	if (n >= size - *at) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		out[*at + i] = (s[i] >= 0x20 && s[i] <= 0x7e) ? s[i] : '?';
	}
	*at += n;
	out[*at] = '\0';
	return 1;
}

/* log_item - " addrcpt=<a>", " addrcpt=<a>(NOTIFY=NEVER ORCPT=...)",
 * " delrcpt=<a>", " chgfrom=<a>" */
static void
log_item(const struct scan_milter_action *x, char *out, size_t size)
{
	char fmt[MSG_ENV_ADDR_MAX + MSG_ENV_ORCPT_MAX + 64];
	const char *args = "";
	size_t skip;

	if (x->type == SCAN_MA_ADDRCPT_PAR) {
		/* "addrcpt_par <a> NOTIFY=... ORCPT=...": the arguments */
		scan_milter_action_format(x, fmt, sizeof(fmt));
		skip = strlen("addrcpt_par <>") + strlen(x->name);
		args = strlen(fmt) > skip + 1 ? fmt + skip + 1 : "";
	}
	snprintf(out, size, " %s=<%s>%s%s%s",
	    x->type == SCAN_MA_ADDRCPT_PAR ? "addrcpt" :
					     scan_milter_action_name(x->type),
	    x->name, args[0] != '\0' ? "(" : "", args,
	    args[0] != '\0' ? ")" : "");
}

void
content_envelope_log(const struct scan_milter_actions *a, const char *name,
    char *out, size_t size)
{
	char item[MSG_ENV_ADDR_MAX + MSG_ENV_ORCPT_MAX + 64];
	const struct scan_milter_action *x;
	size_t i, at = 0, any = 0;

	if (size < 4) {
		return;
	}
	out[0] = '\0';
	for (i = 0; i < a->n; i++) {
		x = &a->a[i];
		if (x->type != SCAN_MA_ADDRCPT &&
		    x->type != SCAN_MA_ADDRCPT_PAR &&
		    x->type != SCAN_MA_DELRCPT && x->type != SCAN_MA_CHGFROM) {
			continue;
		}
		if (any++ == 0) {
			snprintf(item, sizeof(item), "milter=%s", name);
			if (!log_put(out, size - 3, &at, item)) {
				break;
			}
		}
		log_item(x, item, sizeof(item));
		if (!log_put(out, size - 3, &at, item)) {
			memcpy(out + at, "...", 4); /* size - 3 kept room */
			return;
		}
	}
}

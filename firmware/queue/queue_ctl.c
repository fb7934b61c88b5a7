/*
 * queue_ctl.c - operator commands and the line builder (queue_ctl.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "queue_ctl.h"

#define QUEUE_LINE_CUT "..."

struct queue_ctl_verb {
	const char *name;
	enum queue_ctl_cmd cmd;
	int id; /* 0: none, 1: required, 2: optional */
};

static const struct queue_ctl_verb queue_ctl_verbs[] = {
	{ "list", QUEUE_CTL_LIST, 0 },
	{ "show", QUEUE_CTL_SHOW, 1 },
	{ "hold", QUEUE_CTL_HOLD, 1 },
	{ "release", QUEUE_CTL_RELEASE, 1 },
	{ "delete", QUEUE_CTL_DELETE, 1 },
	{ "flush", QUEUE_CTL_FLUSH, 2 },
};

const char *
queue_ctl_usage(void)
{
	return "list | show ID | hold ID | release ID | delete ID | "
	       "flush [ID]";
}

enum sk_result
queue_ctl_parse(const char *buf, size_t len, struct queue_ctl_req *req)
{
	const char *sp = memchr(buf, ' ', len);
	size_t vlen = sp != NULL ? (size_t)(sp - buf) : len;
	const struct queue_ctl_verb *v = NULL;
	size_t i, idlen;

	req->id[0] = '\0';
	for (i = 0; i < SK_NELEM(queue_ctl_verbs); i++) {
		if (strlen(queue_ctl_verbs[i].name) == vlen &&
		    memcmp(queue_ctl_verbs[i].name, buf, vlen) == 0) {
			v = &queue_ctl_verbs[i];
		}
	}
	if (v == NULL) {
		return SK_E_UNKNOWN;
	}
	req->cmd = v->cmd;
	if (sp == NULL) {
		return v->id == 1 ? SK_E_SYNTAX : SK_OK;
	}
	idlen = len - vlen - 1;
	if (v->id == 0 || !queue_id_valid(sp + 1, idlen)) {
		return SK_E_SYNTAX;
	}
	memcpy(req->id, sp + 1, idlen);
	req->id[idlen] = '\0';
	return SK_OK;
}

void
queue_line_init(struct queue_line *l, char *p, size_t cap)
{
	l->p = p;
	l->cap = cap;
	l->len = 0;
	l->cut = 0;
	if (cap > 0) {
		p[0] = '\0';
	}
}

/* queue_line_room - octets that may still be added, keeping room for
 * the cut mark and the NUL */
static size_t
queue_line_room(const struct queue_line *l)
{
	size_t reserve = sizeof(QUEUE_LINE_CUT);

	return l->cut || l->cap < reserve || l->len >= l->cap - reserve ?
	    0 :
	    l->cap - reserve - l->len;
}

/* queue_line_put - n octets of s, cut when they do not fit */
static void
queue_line_put(struct queue_line *l, const char *s, size_t n, int clean)
{
	size_t room = queue_line_room(l), i;

	if (l->cut) {
		return;
	}
	if (n > room) {
		n = room;
		l->cut = 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (clean && c == '\t') {
			c = ' ';
		} else if (clean && (c < 0x20 || c >= 0x7f)) {
			c = '?';
		}
		l->p[l->len++] = (char)c;
	}
	/* queue_line_room kept room for the mark, if the line has any */
	if (l->cut && l->cap >= sizeof(QUEUE_LINE_CUT)) {
		memcpy(l->p + l->len, QUEUE_LINE_CUT, strlen(QUEUE_LINE_CUT));
		l->len += strlen(QUEUE_LINE_CUT);
	}
}

void
queue_line_add(struct queue_line *l, const char *s)
{
	queue_line_put(l, s, strlen(s), 0);
}

void
queue_line_clean(struct queue_line *l, const char *s)
{
	queue_line_put(l, s, strlen(s), 1);
}

void
queue_line_clean_n(struct queue_line *l, const char *s, size_t n)
{
	queue_line_put(l, s, n, 1);
}

void
queue_line_addf(struct queue_line *l, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	queue_line_put(l, tmp,
	    (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1, 0);
}

const char *
queue_line_end(struct queue_line *l)
{
	if (l->cap == 0) {
		return "";
	}
	l->p[l->len < l->cap ? l->len : l->cap - 1] = '\0';
	return l->p;
}

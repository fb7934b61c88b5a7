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
	int id; /* 0: none, 1: required, 2: optional, 3: filters */
};

static const struct queue_ctl_verb queue_ctl_verbs[] = {
	{ "list", QUEUE_CTL_LIST, 0 },
	{ "show", QUEUE_CTL_SHOW, 1 },
	{ "hold", QUEUE_CTL_HOLD, 1 },
	{ "release", QUEUE_CTL_RELEASE, 1 },
	{ "delete", QUEUE_CTL_DELETE, 1 },
	{ "flush", QUEUE_CTL_FLUSH, 2 },
};

/* the words after "quarantine " */
static const struct queue_ctl_verb queue_ctl_quar_verbs[] = {
	{ "list", QUEUE_CTL_QLIST, 3 },
	{ "show", QUEUE_CTL_QSHOW, 1 },
	{ "download", QUEUE_CTL_QDOWNLOAD, 1 },
	{ "release", QUEUE_CTL_QRELEASE, 1 },
	{ "delete", QUEUE_CTL_QDELETE, 1 },
};

#define QUEUE_CTL_QUARANTINE "quarantine "

const char *
queue_ctl_usage(void)
{
	return "list | show ID | hold ID | release ID | delete ID | "
	       "flush [ID] | quarantine list [since=T] [until=T] [from=S] "
	       "[to=S] [reason=S] | quarantine show|download|release|delete "
	       "ID";
}

/* queue_ctl_find - the verb buf[0..vlen) of table, or NULL */
static const struct queue_ctl_verb *
queue_ctl_find(const struct queue_ctl_verb *table, size_t n, const char *buf,
    size_t vlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(table[i].name) == vlen &&
		    memcmp(table[i].name, buf, vlen) == 0) {
			return &table[i];
		}
	}
	return NULL;
}

/* queue_ctl_value_ok - a filter value: printable, no double quote */
static int
queue_ctl_value_ok(const char *v, size_t n)
{
	size_t i;

	if (n > QUEUE_CTL_FILTER_MAX) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f || c == '"') {
			return 0;
		}
	}
	return 1;
}

/* queue_ctl_time - a unix time of at most QUEUE_CTL_TIME_MAX; -1 if bad */
static int64_t
queue_ctl_time(const char *v, size_t n)
{
	int64_t t = 0;
	size_t i;

	if (n == 0 || n > 12) {
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9') {
			return -1;
		}
		t = t * 10 + (v[i] - '0');
	}
	return t <= QUEUE_CTL_TIME_MAX ? t : -1;
}

/* queue_ctl_filter - key=value into req; 0, or -1 for an unknown or
 * repeated key or a bad value */
static int
queue_ctl_filter(const char *key, size_t klen, const char *v, size_t n,
    struct queue_ctl_req *req, unsigned *seen)
{
	static const char *const keys[] = { "since", "until", "from", "to",
		"reason" };
	char *text[] = { NULL, NULL, req->from, req->to, req->reason };
	size_t k;

	for (k = 0; k < SK_NELEM(keys); k++) {
		if (strlen(keys[k]) == klen &&
		    memcmp(keys[k], key, klen) == 0) {
			break;
		}
	}
	if (k == SK_NELEM(keys) || (*seen & (1u << k)) != 0 ||
	    !queue_ctl_value_ok(v, n)) {
		return -1;
	}
	*seen |= 1u << k;
	if (text[k] == NULL) {
		int64_t t = queue_ctl_time(v, n);

		if (t < 0) {
			return -1;
		}
		*(k == 0 ? &req->since : &req->until) = t;
		return 0;
	}
	memcpy(text[k], v, n);
	text[k][n] = '\0';
	return 0;
}

/* queue_ctl_filters - "key=value key=\"a value\"..." of quarantine list */
static enum sk_result
queue_ctl_filters(const char *p, size_t len, struct queue_ctl_req *req)
{
	const char *end = p + len, *key, *eq, *v, *ve;
	unsigned seen = 0;

	while (p < end) {
		key = p;
		eq = memchr(key, '=', (size_t)(end - key));
		if (eq == NULL ||
		    memchr(key, ' ', (size_t)(eq - key)) != NULL) {
			return SK_E_SYNTAX;
		}
		v = eq + 1;
		if (v < end && *v == '"') {
			v++;
			if ((ve = memchr(v, '"', (size_t)(end - v))) == NULL) {
				return SK_E_SYNTAX;
			}
			p = ve + 1;
		} else {
			ve = memchr(v, ' ', (size_t)(end - v));
			ve = ve != NULL ? ve : end;
			p = ve;
		}
		if (queue_ctl_filter(key, (size_t)(eq - key), v,
			(size_t)(ve - v), req, &seen) == -1) {
			return SK_E_SYNTAX;
		}
		/* one space between filters, none at the end */
		if (p < end && (*p != ' ' || ++p == end)) {
			return SK_E_SYNTAX;
		}
	}
	return SK_OK;
}

/* queue_ctl_args - what follows verb v: nothing, an id, or filters */
static enum sk_result
queue_ctl_args(const struct queue_ctl_verb *v, const char *p, size_t len,
    int more, struct queue_ctl_req *req)
{
	if (!more) {
		return v->id == 1 ? SK_E_SYNTAX : SK_OK;
	}
	if (v->id == 3) {
		return len > 0 ? queue_ctl_filters(p, len, req) : SK_E_SYNTAX;
	}
	if (v->id == 0 || !queue_id_valid(p, len)) {
		return SK_E_SYNTAX;
	}
	memcpy(req->id, p, len);
	req->id[len] = '\0';
	return SK_OK;
}

enum sk_result
queue_ctl_parse(const char *buf, size_t len, struct queue_ctl_req *req)
{
	const struct queue_ctl_verb *table = queue_ctl_verbs, *v;
	size_t n = SK_NELEM(queue_ctl_verbs), skip = 0, vlen;
	const char *sp;

	memset(req, 0, sizeof(*req));
	if (len >= strlen(QUEUE_CTL_QUARANTINE) &&
	    memcmp(buf, QUEUE_CTL_QUARANTINE, strlen(QUEUE_CTL_QUARANTINE)) ==
		0) {
		table = queue_ctl_quar_verbs;
		n = SK_NELEM(queue_ctl_quar_verbs);
		skip = strlen(QUEUE_CTL_QUARANTINE);
	} else if (len == strlen("quarantine") &&
	    memcmp(buf, "quarantine", len) == 0) {
		req->cmd = QUEUE_CTL_QLIST;
		return SK_E_SYNTAX; /* which quarantine command? */
	}
	buf += skip;
	len -= skip;
	sp = memchr(buf, ' ', len);
	vlen = sp != NULL ? (size_t)(sp - buf) : len;
	if ((v = queue_ctl_find(table, n, buf, vlen)) == NULL) {
		return SK_E_UNKNOWN;
	}
	req->cmd = v->cmd;
	return queue_ctl_args(v, buf + vlen + (sp != NULL),
	    sp != NULL ? len - vlen - 1 : 0, sp != NULL, req);
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

void
queue_line_quoted(struct queue_line *l, const char *s)
{
	const char *p;

	queue_line_put(l, "\"", 1, 0);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			queue_line_put(l, "\\", 1, 0);
		}
		queue_line_put(l, p, 1, 1);
	}
	queue_line_put(l, "\"", 1, 0);
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

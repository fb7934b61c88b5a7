/*
 * policy_msg.c - P_CHECK, P_VERDICT, P_SEAL and P_SEALED bodies
 * (policy_msg.h).
 */
#include <stddef.h>
#include <string.h>

#include "policy_msg.h"
#include "qid_token.h"

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

/* policy_msg_enh_len - the RFC 3463 code "c.sss.ddd" (class c) that
 * starts the text t[0..n) of a reply line, followed by a space or the
 * end: its length; 0 when the text does not start with one */
static size_t
policy_msg_enh_len(const char *t, size_t n, char c)
{
	size_t at = 2, part, k;

	if (n < 5 || t[0] != c || t[1] != '.') {
		return 0;
	}
	for (part = 0; part < 2; part++) {
		for (k = 0; at + k < n && k < 4 && t[at + k] >= '0' &&
		     t[at + k] <= '9';) {
			k++;
		}
		if (k == 0 || k > 3) {
			return 0;
		}
		at += k;
		if (part == 0 && (at >= n || t[at++] != '.')) {
			return 0;
		}
	}
	return at == n || t[at] == ' ' ? at : 0;
}

/*
 * policy_msg_reply_line_ok - one line s[0..n) (no CRLF) of a reply of
 * class c, consistent with the first line first[0..fn): the same code;
 * "-" after it on every line but the last, which has " " or nothing;
 * printable; the same enhanced code as the first line, or none on both
 */
static int
policy_msg_reply_line_ok(const char *s, size_t n, int last, const char *first,
    size_t fn)
{
	size_t i, e, fe;

	if (n < 3 || n > MSG_POLICY_REPLY_LINE_MAX || s[0] != first[0] ||
	    s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' ||
	    memcmp(s, first, 3) != 0) {
		return 0;
	}
	if (last ? (n > 3 && s[3] != ' ') : (n < 4 || s[3] != '-')) {
		return 0;
	}
	for (i = 3; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return 0;
		}
	}
	e = n > 4 ? policy_msg_enh_len(s + 4, n - 4, s[0]) : 0;
	fe = fn > 4 ? policy_msg_enh_len(first + 4, fn - 4, first[0]) : 0;
	return e == fe && memcmp(s + 4, first + 4, e) == 0;
}

/*
 * policy_msg_reply_lines_ok - s is the SMTP reply of a reject (class
 * '5') or tempfail ('4'): MSG_POLICY_REPLY_LINES_MAX lines at most,
 * joined by CRLF (msg_types.h), MSG_POLICY_REPLY_MAX octets at most
 */
static int
policy_msg_reply_lines_ok(const char *s, char c)
{
	const char *line = s, *crlf;
	size_t len = strlen(s), n, fn = 0, lines = 0;

	if (len > MSG_POLICY_REPLY_MAX || s[0] != c) {
		return 0;
	}
	for (;;) {
		crlf = strstr(line, "\r\n");
		n = crlf != NULL ? (size_t)(crlf - line) : strlen(line);
		if (lines == 0) {
			fn = n;
		}
		if (++lines > MSG_POLICY_REPLY_LINES_MAX ||
		    !policy_msg_reply_line_ok(line, n, crlf == NULL, s, fn)) {
			return 0;
		}
		if (crlf == NULL) {
			return 1;
		}
		line = crlf + 2;
	}
}

/* policy_msg_reply_ok - accept: none; discard: any printable text;
 * quarantine: a reason; else an SMTP reply of class 4 or 5 */
static int
policy_msg_reply_ok(const char *s, uint8_t action)
{
	if (action == MSG_POLICY_ACCEPT) {
		return s[0] == '\0';
	}
	if (action == MSG_POLICY_DISCARD) {
		return policy_msg_text_ok(s);
	}
	if (action == MSG_POLICY_QUARANTINE) {
		return s[0] != '\0' && policy_msg_text_ok(s);
	}
	return policy_msg_reply_lines_ok(s,
	    action == MSG_POLICY_REJECT ? '5' : '4');
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

/* ---- P_SEAL and P_SEALED (the second seal, msg_types.h) ---------------- */

/* policy_msg_field_end - the end of the header field that starts at
 * p[off] in the block p[0..len) (after the CRLF of its last line, the
 * lines after the first starting with white space); 0 if it never ends */
static size_t
policy_msg_field_end(const char *p, size_t len, size_t off)
{
	size_t i;

	for (i = off; i + 1 < len; i++) {
		if (p[i] != '\r' || p[i + 1] != '\n') {
			continue;
		}
		if (i + 2 == len || (p[i + 2] != ' ' && p[i + 2] != '\t')) {
			return i + 2;
		}
	}
	return 0;
}

/* policy_msg_named - the field at p[off..end) has this name and a colon
 * right after it (ASCII case-insensitive) */
static int
policy_msg_named(const char *p, size_t off, size_t end, const char *name)
{
	size_t n = strlen(name), i;

	if (end - off <= n || p[off + n] != ':') {
		return 0;
	}
	for (i = 0; i < n; i++) {
		char a = p[off + i], b = name[i];

		a = (char)(a >= 'A' && a <= 'Z' ? a + 32 : a);
		b = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
		if (a != b) {
			return 0;
		}
	}
	return 1;
}

size_t
policy_msg_arc_set_len(const char *p, size_t len)
{
	static const char *const names[] = { "ARC-Seal",
		"ARC-Message-Signature", "ARC-Authentication-Results" };
	size_t off = 0, end, k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (off >= len ||
		    (end = policy_msg_field_end(p, len, off)) == 0 ||
		    !policy_msg_named(p, off, end, names[k])) {
			return 0;
		}
		off = end;
	}
	return off;
}

void
policy_msg_seal_put(struct msg_body_writer *w, const char *qid,
    const char *spare)
{
	msg_body_put_cstr(w, qid);
	if (spare[0] != '\0') {
		msg_body_put_cstr(w, spare);
	}
}

enum sk_result
policy_msg_seal_get(const uint8_t *body, size_t len,
    char qid[MSG_QUEUE_ID_MAX + 1], char spare[MSG_QUEUE_ID_MAX + 1])
{
	struct msg_body_reader r;
	size_t n;

	spare[0] = '\0';
	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, qid, MSG_QUEUE_ID_MAX + 1);
	/* the spare id is there or not; when there, one that may stand
	 * for the token (so "" is never sent: one encoding per body) */
	if (!r.err && r.off < r.len) {
		n = msg_body_get_str(&r, spare, MSG_QUEUE_ID_MAX + 1);
		if (r.err || !qid_token_spare_ok(qid, spare, n)) {
			spare[0] = '\0';
			return SK_E_SYNTAX;
		}
	}
	if (r.err || msg_body_end(&r) != 0 || qid[0] == '\0' ||
	    !policy_msg_text_ok(qid)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

void
policy_msg_sealed_put(struct msg_body_writer *w,
    const struct policy_wire_sealed *s)
{
	msg_body_put_cstr(w, s->qid);
	msg_body_put_str(w, s->set, s->set_len);
}

enum sk_result
policy_msg_sealed_get(const uint8_t *body, size_t len,
    struct policy_wire_sealed *s)
{
	struct msg_body_reader r;

	msg_body_reader_init(&r, body, len);
	msg_body_get_str(&r, s->qid, sizeof(s->qid));
	s->set_len = msg_body_get_str(&r, s->set, sizeof(s->set));
	if (r.err || msg_body_end(&r) != 0 || s->qid[0] == '\0' ||
	    !policy_msg_text_ok(s->qid)) {
		return SK_E_SYNTAX;
	}
	/* "" (not sealed) or exactly one ARC set, a valid header block */
	if (s->set_len > 0 &&
	    (!msg_header_block_ok((const uint8_t *)s->set, s->set_len) ||
		policy_msg_arc_set_len(s->set, s->set_len) != s->set_len)) {
		return SK_E_SYNTAX;
	}
	return SK_OK;
}

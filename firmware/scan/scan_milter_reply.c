/*
 * scan_milter_reply.c - the milter's packets, decoded strictly: the
 * OPTNEG answer, stage replies, modifications at end of body.
 *
 * Every packet's length is checked against its command's limit before
 * any octet of it is used; strings must end with their NUL inside the
 * packet and fill it exactly; a packet that is not allowed where it comes
 * ends the session as a protocol error (SCAN_ERROR).
 */
#include <stdio.h>
#include <string.h>

#include "../smtp/smtp_addr.h"
#include "../smtp/smtp_param.h"
#include "scan_milter.h"
#include "scan_milter_int.h"

/* The octets of one packet, read front to back. */
struct rd {
	const uint8_t *p;
	size_t len, off;
};

/* take_str - the next NUL-terminated string; 0 if there is none */
static int
take_str(struct rd *r, const char **s, size_t *n)
{
	const uint8_t *nul;

	if (r->off >= r->len) {
		return 0;
	}
	nul = memchr(r->p + r->off, '\0', r->len - r->off);
	if (nul == NULL) {
		return 0;
	}
	*s = (const char *)(r->p + r->off);
	*n = (size_t)(nul - (r->p + r->off));
	r->off += *n + 1;
	return 1;
}

static int
take_u32(struct rd *r, uint32_t *v)
{
	if (r->len - r->off < 4) {
		return 0;
	}
	*v = milter_get_u32(r->p + r->off);
	r->off += 4;
	return 1;
}

static enum sk_result
protocol_error(struct scan_milter *m, const char *why)
{
	char text[SCAN_TEXT_MAX];

	snprintf(text, sizeof(text), "milter: %s", why);
	scan_milter_fail(m, text);
	return SK_E_SYNTAX;
}

/* ---- negotiation ---------------------------------------------------- */

/* symlist_ok - macro names: printable, no NUL, within the limit */
static int
symlist_ok(const char *s, size_t n)
{
	size_t i;

	if (n >= SCAN_MILTER_SYMLIST_MAX) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return 0;
		}
	}
	return 1;
}

/* set_symlist - the macros the milter wants at a stage (once each) */
static enum sk_result
set_symlist(struct scan_milter *m, struct rd *r)
{
	uint32_t stage;
	const char *s;
	size_t n;

	if (!(m->actions_ok & SMFIF_SETSYMLIST)) {
		return protocol_error(m, "macro list without SETSYMLIST");
	}
	if (!take_u32(r, &stage) || !take_str(r, &s, &n)) {
		return protocol_error(m, "malformed macro list");
	}
	if (stage >= SCAN_MILTER_STAGES || m->has_symlist[stage] ||
	    !symlist_ok(s, n)) {
		return protocol_error(m, "bad macro list");
	}
	memcpy(m->symlist[stage], s, n);
	m->symlist[stage][n] = '\0';
	m->has_symlist[stage] = 1;
	return SK_OK;
}

static enum sk_result
optneg(struct scan_milter *m, uint8_t cmd, const uint8_t *data, size_t len)
{
	struct rd r = { data, len, 0 };
	uint32_t version, actions, protocol;

	if (cmd != SMFIC_OPTNEG || !take_u32(&r, &version) ||
	    !take_u32(&r, &actions) || !take_u32(&r, &protocol)) {
		return protocol_error(m, "bad negotiation reply");
	}
	/* 2 is the oldest milter protocol still met (Postfix's floor) */
	if (version < 2 || version > SCAN_MILTER_VERSION) {
		return protocol_error(m, "unsupported protocol version");
	}
	if ((actions & ~m->actions_offered) ||
	    (protocol & ~SCAN_MILTER_PROTOCOL)) {
		return protocol_error(m, "asks for what we did not offer");
	}
	m->version = version;
	m->actions_ok = actions;
	m->protocol = protocol;
	/* libmilter appends the macro lists of smfi_setsymlist here */
	while (r.off < r.len) {
		if (set_symlist(m, &r) != SK_OK) {
			return SK_E_SYNTAX;
		}
	}
	m->awaiting = 0;
	return SK_OK;
}

/* ---- modifications -------------------------------------------------- */

enum sk_result
milter_action_add(struct scan_milter *m, enum scan_milter_action_type t,
    uint64_t index, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	struct scan_milter_actions *a = &m->actions;
	struct scan_milter_action *x;

	if (a->n == SCAN_MILTER_ACTIONS_MAX ||
	    nlen + vlen + 2 > SCAN_MILTER_ARENA_MAX - a->arena_used) {
		protocol_error(m, "too many modifications");
		return SK_E_FULL;
	}
	x = &a->a[a->n++];
	x->type = t;
	x->index = index;
	x->name = a->arena + a->arena_used;
	memcpy(a->arena + a->arena_used, name, nlen);
	a->arena[a->arena_used + nlen] = '\0';
	a->arena_used += nlen + 1;
	x->value = a->arena + a->arena_used;
	memcpy(a->arena + a->arena_used, value, vlen);
	a->arena[a->arena_used + vlen] = '\0';
	a->arena_used += vlen + 1;
	return SK_OK;
}

/* header_name_ok - a field name: printable, no ':' or space (RFC 5322
 * 3.6.8 ftext) */
static int
header_name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] <= 0x20 || s[i] > 0x7e || s[i] == ':') {
			return 0;
		}
	}
	return n > 0;
}

/* text_ok - an address, arguments or reason: no controls (8-bit allowed:
 * SMTPUTF8 addresses) */
static int
text_ok(const char *s, size_t n, int may_be_empty)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			return 0;
		}
	}
	return n > 0 || may_be_empty;
}

/* Each modification: the SMFIF_ flag it needs, its layout. */
static const struct {
	uint8_t cmd;
	enum scan_milter_action_type type;
	uint32_t flag;
	int has_index; /* a u32 first */
	int header;    /* name\0value\0, a header field */
	int opt_value; /* address\0, then optionally args\0 */
} mods[] = {
	{ SMFIR_ADDHEADER, SCAN_MA_ADDHEADER, SMFIF_ADDHDRS, 0, 1, 0 },
	{ SMFIR_INSHEADER, SCAN_MA_INSHEADER, SMFIF_ADDHDRS, 1, 1, 0 },
	{ SMFIR_CHGHEADER, SCAN_MA_CHGHEADER, SMFIF_CHGHDRS, 1, 1, 0 },
	{ SMFIR_DELRCPT, SCAN_MA_DELRCPT, SMFIF_DELRCPT, 0, 0, 0 },
	{ SMFIR_ADDRCPT, SCAN_MA_ADDRCPT, SMFIF_ADDRCPT, 0, 0, 0 },
	{ SMFIR_ADDRCPT_PAR, SCAN_MA_ADDRCPT_PAR, SMFIF_ADDRCPT_PAR, 0, 0, 1 },
	{ SMFIR_CHGFROM, SCAN_MA_CHGFROM, SMFIF_CHGFROM, 0, 0, 1 },
	{ SMFIR_QUARANTINE, SCAN_MA_QUARANTINE, SMFIF_QUARANTINE, 0, 0, 0 },
};

/*
 * envelope_addr - a milter's address (with or without its angle
 * brackets) through smtp's RFC 5321 path parser, into out as smtp stores
 * one: "local@domain", "" for "<>" (null_ok only). No source route
 * kept, no Postmaster without a domain, no 8-bit octets (the check does
 * not say whether the message had SMTPUTF8).
 */
static int
envelope_addr(const char *s, size_t n, int null_ok, char *out, size_t size)
{
	char path[SMTP_ADDR_PATH_MAX + 1];
	struct smtp_addr a;
	size_t len;
	int w;

	if (n == 0 && null_ok) {
		out[0] = '\0';
		return 1;
	}
	if (n == 0 || n > SMTP_ADDR_PATH_MAX) {
		return 0;
	}
	if (s[0] == '<') {
		memcpy(path, s, n);
		len = n;
	} else if (n + 2 <= SMTP_ADDR_PATH_MAX) {
		path[0] = '<';
		memcpy(path + 1, s, n);
		path[n + 1] = '>';
		len = n + 2;
	} else {
		return 0;
	}
	if (smtp_addr_parse((const uint8_t *)path, len,
		null_ok ? SMTP_ADDR_OPT_NULL_OK : 0, &a) != SK_OK) {
		return 0;
	}
	if (a.flags & SMTP_ADDR_F_NULL) {
		out[0] = '\0';
		return 1;
	}
	if (a.domainlen == 0) {
		return 0;
	}
	w = snprintf(out, size, "%s@%s", a.local, a.domain);
	return w > 0 && (size_t)w < size;
}

/*
 * rcpt_args - addrcpt_par's ESMTP arguments: only RFC 3461's NOTIFY and
 * ORCPT (what the queue keeps per recipient), through smtp's parameter
 * parser; *notify gets the MSG_NOTIFY_* bits (the same values as
 * SMTP_NOTIFY_*), orcpt "type;xtext" or "".
 */
static int
rcpt_args(const char *s, size_t n, uint32_t *notify, char *orcpt, size_t size)
{
	struct smtp_rcpt_params p;
	int w;

	*notify = 0;
	orcpt[0] = '\0';
	memset(&p, 0, sizeof(p));
	if (smtp_param_rcpt((const uint8_t *)s, n, SMTP_EXT_DSN, &p) != SK_OK) {
		return 0;
	}
	*notify = p.notify;
	if (p.orcpt != NULL) {
		w = snprintf(orcpt, size, "%.*s;%.*s", (int)p.orcpt_typelen,
		    (const char *)p.orcpt_type, (int)p.orcptlen,
		    (const char *)p.orcpt);
		if (w < 0 || (size_t)w >= size) {
			return 0;
		}
	}
	return 1;
}

/* envelope_change - addrcpt, addrcpt_par, delrcpt or chgfrom, decoded
 * strictly: a is the address, b its arguments */
static enum sk_result
envelope_change(struct scan_milter *m, enum scan_milter_action_type t,
    const char *a, size_t an, const char *b, size_t bn)
{
	char addr[SMTP_ADDR_LOCAL_MAX + SMTP_ADDR_DOMAIN_MAX + 4];
	char orcpt[SMTP_ORCPT_MAX + 1];
	uint32_t notify = 0;

	orcpt[0] = '\0';
	if (!envelope_addr(a, an, t == SCAN_MA_CHGFROM, addr, sizeof(addr))) {
		return protocol_error(m, "bad address in an envelope change");
	}
	if (t == SCAN_MA_CHGFROM && bn > 0) {
		return protocol_error(m,
		    "chgfrom with ESMTP arguments (none are accepted)");
	}
	if (t == SCAN_MA_ADDRCPT_PAR &&
	    !rcpt_args(b, bn, &notify, orcpt, sizeof(orcpt))) {
		return protocol_error(m,
		    "addrcpt_par arguments other than "
		    "NOTIFY= and ORCPT=, or bad ones");
	}
	if (t == SCAN_MA_ADDRCPT || t == SCAN_MA_ADDRCPT_PAR) {
		if (m->rcpts_added == m->rcpts_max) {
			return protocol_error(m,
			    "too many recipients added "
			    "(the relay's recipient limit)");
		}
		m->rcpts_added++;
	}
	return milter_action_add(m, t, notify, addr, strlen(addr), orcpt,
	    strlen(orcpt));
}

static int
is_envelope(enum scan_milter_action_type t)
{
	return t == SCAN_MA_ADDRCPT || t == SCAN_MA_ADDRCPT_PAR ||
	    t == SCAN_MA_DELRCPT || t == SCAN_MA_CHGFROM;
}

/* modification - one of mods[i]; the packet must be exactly its layout */
static enum sk_result
modification(struct scan_milter *m, size_t i, const uint8_t *data, size_t len)
{
	struct rd r = { data, len, 0 };
	uint32_t index = 0;
	const char *a, *b = "";
	size_t an, bn = 0;
	int ok;

	if (m->state != SCAN_MS_EOB || !(m->actions_ok & mods[i].flag)) {
		return protocol_error(m, "modification not allowed here");
	}
	ok = (!mods[i].has_index || take_u32(&r, &index)) &&
	    take_str(&r, &a, &an);
	if (ok && (mods[i].header || (mods[i].opt_value && r.off < r.len))) {
		ok = take_str(&r, &b, &bn);
	}
	if (!ok || r.off != r.len) {
		return protocol_error(m, "malformed modification");
	}
	/* a header value may hold any octet but NUL (folds, 8-bit text) */
	if (mods[i].header) {
		ok = header_name_ok(a, an);
	} else {
		ok = text_ok(a, an,
			 mods[i].type == SCAN_MA_QUARANTINE ||
			     is_envelope(mods[i].type)) &&
		    text_ok(b, bn, 1);
	}
	if (!ok) {
		return protocol_error(m, "bad modification text");
	}
	if (is_envelope(mods[i].type)) {
		return envelope_change(m, mods[i].type, a, an, b, bn);
	}
	if (mods[i].type == SCAN_MA_QUARANTINE) {
		m->quarantined = 1;
		return milter_action_add(m, SCAN_MA_QUARANTINE, 0, "", 0, a,
		    an);
	}
	return milter_action_add(m, mods[i].type, index, a, an, b, bn);
}

/* ---- stage replies -------------------------------------------------- */

/* digits - n decimal digits at s */
static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
	}
	return 1;
}

/* enh_len - length of an RFC 3463 code "c.sss.ddd" of class c at s, or 0 */
static size_t
enh_len(const char *s, size_t n, char c)
{
	size_t i = 2, k;

	if (n < 5 || s[0] != c || s[1] != '.') {
		return 0;
	}
	for (k = 0; i + k < n && k < 4 && s[i + k] >= '0' && s[i + k] <= '9';) {
		k++;
	}
	if (k == 0 || k > 3 || i + k >= n || s[i + k] != '.') {
		return 0;
	}
	i += k + 1;
	for (k = 0; i + k < n && k < 4 && s[i + k] >= '0' && s[i + k] <= '9';) {
		k++;
	}
	if (k == 0 || k > 3) {
		return 0;
	}
	return i + k;
}

/* line_enh - the RFC 3463 code after "ddd" and its separator on a reply
 * line s[0..n): its length (0: none); -1 if one starts but is broken */
static long
line_enh(const char *s, size_t n)
{
	size_t e;

	if (n > 5 && s[4] >= '0' && s[4] <= '9' && s[5] == '.') {
		e = enh_len(s + 4, n - 4, s[0]);
		if (e == 0 || (4 + e < n && s[4 + e] != ' ')) {
			return -1;
		}
		return (long)e;
	}
	return 0;
}

/* reply_line - one line s[0..n) of a reply (no CRLF), consistent with
 * the first line (first[0..fn)): the same code, then '-' on every line
 * but the last, ' ' (or nothing) on the last; the same enhanced code */
static int
reply_line(const char *s, size_t n, int last, const char *first, size_t fn)
{
	long e, fe;
	size_t i;

	if (n < 3 || n > SCAN_MILTER_REPLY_LINE_MAX || !digits(s, 3) ||
	    (s[0] != '4' && s[0] != '5') || memcmp(s, first, 3) != 0) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return 0; /* printable */
		}
	}
	if (last ? (n > 3 && s[3] != ' ') : (n < 4 || s[3] != '-')) {
		return 0;
	}
	e = line_enh(s, n);
	fe = line_enh(first, fn);
	return e >= 0 && e == fe && memcmp(s + 4, first + 4, (size_t)e) == 0;
}

enum sk_result
scan_milter_parse_replycode(const char *s, size_t len, int *temp)
{
	const char *line = s, *crlf, *end = s + len;
	size_t n, fn = 0, lines = 0;
	int last;

	if (len < 3 || len >= SCAN_TEXT_MAX) {
		return SK_E_SYNTAX;
	}
	for (;;) {
		crlf = NULL;
		for (n = 0; line + n + 1 < end; n++) {
			if (line[n] == '\r' && line[n + 1] == '\n') {
				crlf = line + n;
				break;
			}
		}
		n = crlf != NULL ? (size_t)(crlf - line) : (size_t)(end - line);
		last = crlf == NULL;
		if (lines == 0) {
			fn = n;
		}
		if (++lines > SCAN_MILTER_REPLY_LINES_MAX ||
		    !reply_line(line, n, last, s, fn)) {
			return SK_E_SYNTAX;
		}
		if (last) {
			break;
		}
		line = crlf + 2;
	}
	*temp = s[0] == '4';
	return SK_OK;
}

static enum sk_result
replycode(struct scan_milter *m, const uint8_t *data, size_t len)
{
	struct rd r = { data, len, 0 };
	const char *s;
	size_t n;
	int temp;

	if (!take_str(&r, &s, &n) || r.off != r.len ||
	    scan_milter_parse_replycode(s, n, &temp) != SK_OK) {
		return protocol_error(m, "malformed reply code");
	}
	milter_refuse(m, temp, s);
	return SK_OK;
}

/* decision - a reply without data: what it means at this stage */
static enum sk_result
decision(struct scan_milter *m, uint8_t cmd, size_t len)
{
	if (len != 0) {
		return protocol_error(m, "data after a reply");
	}
	switch (cmd) {
	case SMFIR_CONTINUE:
		if (m->state == SCAN_MS_EOB) {
			milter_accept(m);
		} else {
			m->awaiting = 0;
		}
		return SK_OK;
	case SMFIR_ACCEPT:
		milter_accept(m);
		return SK_OK;
	case SMFIR_REJECT:
		milter_refuse(m, 0, NULL);
		return SK_OK;
	case SMFIR_TEMPFAIL:
		milter_refuse(m, 1, NULL);
		return SK_OK;
	case SMFIR_DISCARD:
		milter_finish(m, SCAN_DISCARD, "");
		return SK_OK;
	case SMFIR_PROGRESS:
		return SK_OK; /* still working: keep waiting */
	case SMFIR_SKIP:
		if (m->state != SCAN_MS_BODY || !(m->protocol & SMFIP_SKIP)) {
			return protocol_error(m, "SKIP not allowed here");
		}
		m->body_skipped = 1;
		m->field_len = 0;
		m->awaiting = 0;
		return SK_OK;
	case SMFIR_SHUTDOWN:
		milter_shutdown(m);
		return SK_OK;
	case SMFIR_CONN_FAIL:
		milter_conn_fail(m);
		return SK_OK;
	default:
		return protocol_error(m, "unknown reply");
	}
}

/* dispatch - one whole packet (never REPLBODY: see take_replbody) */
static enum sk_result
dispatch(struct scan_milter *m, uint8_t cmd, const uint8_t *data, size_t len)
{
	size_t i;

	if (m->state == SCAN_MS_OPTNEG) {
		return optneg(m, cmd, data, len);
	}
	for (i = 0; i < SK_NELEM(mods); i++) {
		if (mods[i].cmd == cmd) {
			return modification(m, i, data, len);
		}
	}
	if (cmd == SMFIR_REPLYCODE) {
		return replycode(m, data, len);
	}
	return decision(m, cmd, len);
}

/* packet_start - check a packet's header before taking its data */
static enum sk_result
packet_start(struct scan_milter *m)
{
	uint32_t n = milter_get_u32(m->in_hdr);
	uint8_t cmd = m->in_hdr[4];

	/* due only once our command is wholly written, so that how the
	 * octets were cut never changes what a packet means */
	if (!m->awaiting || m->out_len > 0) {
		return protocol_error(m, "packet when none was due");
	}
	if (n == 0) {
		return protocol_error(m, "empty packet");
	}
	m->in_len = n - 1;
	m->in_have = 0;
	if (cmd == SMFIR_REPLBODY) {
		if (m->state != SCAN_MS_EOB ||
		    !(m->actions_ok & SMFIF_CHGBODY)) {
			return protocol_error(m, "body change not allowed");
		}
		if (m->in_len > SCAN_MILTER_REPLBODY_CHUNK_MAX) {
			return protocol_error(m, "body chunk too long");
		}
		if (!m->has_replbody &&
		    milter_action_add(m, SCAN_MA_REPLBODY, 0, "", 0, "", 0) !=
			SK_OK) {
			return SK_E_FULL;
		}
		m->replbody_action = m->actions.n - 1;
		m->has_replbody = 1;
		return SK_OK;
	}
	if (m->in_len > SCAN_MILTER_PACKET_MAX) {
		return protocol_error(m, "packet too long");
	}
	return SK_OK;
}

/* take_replbody - REPLBODY octets go straight to the caller */
static enum sk_result
take_replbody(struct scan_milter *m, const uint8_t *buf, size_t n)
{
	if (n > m->replbody_max - m->replbody_len) {
		return protocol_error(m, "replacement body too large");
	}
	m->replbody_len += n;
	m->actions.a[m->replbody_action].index = m->replbody_len;
	if (m->replbody != NULL && n > 0) {
		m->replbody(m->replbody_arg, buf, n);
	}
	return SK_OK;
}

/* take_data - octets of the current packet; dispatch it once whole */
static size_t
take_data(struct scan_milter *m, const uint8_t *buf, size_t len)
{
	size_t n = m->in_len - m->in_have;

	n = len < n ? len : n;
	if (m->in_hdr[4] == SMFIR_REPLBODY) {
		if (take_replbody(m, buf, n) != SK_OK) {
			return n;
		}
	} else {
		memcpy(m->in + m->in_have, buf, n);
	}
	m->in_have += (uint32_t)n;
	if (m->in_have == m->in_len) {
		m->in_hdr_len = 0;
		if (m->in_hdr[4] != SMFIR_REPLBODY) {
			(void)dispatch(m, m->in_hdr[4], m->in, m->in_len);
		}
	}
	return n;
}

size_t
scan_milter_input(struct scan_milter *m, const uint8_t *buf, size_t len)
{
	size_t used = 0, n;

	while (used < len && !m->done) {
		if (m->in_hdr_len < 5) {
			n = 5 - m->in_hdr_len;
			n = len - used < n ? len - used : n;
			memcpy(m->in_hdr + m->in_hdr_len, buf + used, n);
			m->in_hdr_len += n;
			used += n;
			if (m->in_hdr_len < 5 || packet_start(m) != SK_OK) {
				continue;
			}
			if (m->in_len > 0) {
				continue;
			}
			n = 0; /* no data: dispatch at once */
		} else {
			n = len - used;
		}
		used += take_data(m, buf + used, n);
	}
	if (!m->done) {
		milter_step(m);
	}
	return used;
}

/* ---- naming actions ------------------------------------------------- */

static const char *const action_names[SCAN_MA_COUNT] = {
	[SCAN_MA_ADDHEADER] = "addheader",
	[SCAN_MA_INSHEADER] = "insheader",
	[SCAN_MA_CHGHEADER] = "chgheader",
	[SCAN_MA_DELRCPT] = "delrcpt",
	[SCAN_MA_ADDRCPT] = "addrcpt",
	[SCAN_MA_ADDRCPT_PAR] = "addrcpt_par",
	[SCAN_MA_CHGFROM] = "chgfrom",
	[SCAN_MA_REPLBODY] = "replbody",
	[SCAN_MA_QUARANTINE] = "quarantine",
	[SCAN_MA_RCPT_REFUSED] = "rcpt-refused",
};

const char *
scan_milter_action_name(enum scan_milter_action_type t)
{
	return (unsigned)t < SCAN_MA_COUNT ? action_names[t] : "unknown";
}

/* put_escaped - s into out at *at, "\n" and non-printables escaped */
static void
put_escaped(char *out, size_t size, size_t *at, const char *s)
{
	char esc[5];
	const char *add;
	size_t n;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			add = "\\n";
		} else if (*s == '\\') {
			add = "\\\\";
		} else if (*s < 0x20 || *s > 0x7e) {
			snprintf(esc, sizeof(esc), "\\x%02x",
			    (unsigned)(unsigned char)*s);
			add = esc;
		} else {
			esc[0] = *s;
			esc[1] = '\0';
			add = esc;
		}
		n = strlen(add);
		if (*at + n >= size) {
			return;
		}
		memcpy(out + *at, add, n + 1);
		*at += n;
	}
}

/* put_notify - addrcpt_par's NOTIFY bits as RFC 3461 writes them */
static void
put_notify(char *out, size_t size, size_t *at, uint64_t notify)
{
	static const struct {
		unsigned bit;
		const char *word;
	} words[] = {
		{ SMTP_NOTIFY_NEVER, "NEVER" },
		{ SMTP_NOTIFY_SUCCESS, "SUCCESS" },
		{ SMTP_NOTIFY_FAILURE, "FAILURE" },
		{ SMTP_NOTIFY_DELAY, "DELAY" },
	};
	const char *sep = " NOTIFY=";
	size_t i;

	for (i = 0; i < SK_NELEM(words); i++) {
		if (notify & words[i].bit) {
			put_escaped(out, size, at, sep);
			put_escaped(out, size, at, words[i].word);
			sep = ",";
		}
	}
}

/* format_envelope - "addrcpt <a@b>", "addrcpt_par <a@b> NOTIFY=SUCCESS
 * ORCPT=rfc822;a@b", "chgfrom <>" */
static void
format_envelope(const struct scan_milter_action *a, char *out, size_t size)
{
	size_t at = 0;

	put_escaped(out, size, &at, scan_milter_action_name(a->type));
	put_escaped(out, size, &at, " <");
	put_escaped(out, size, &at, a->name);
	put_escaped(out, size, &at, ">");
	if (a->type != SCAN_MA_ADDRCPT_PAR) {
		return;
	}
	put_notify(out, size, &at, a->index);
	if (a->value[0] != '\0') {
		put_escaped(out, size, &at, " ORCPT=");
		put_escaped(out, size, &at, a->value);
	}
}

void
scan_milter_action_format(const struct scan_milter_action *a, char *out,
    size_t size)
{
	char head[48];
	size_t at = 0;
	int header = a->type == SCAN_MA_ADDHEADER ||
	    a->type == SCAN_MA_INSHEADER || a->type == SCAN_MA_CHGHEADER;

	if (size == 0) {
		return;
	}
	out[0] = '\0';
	if (is_envelope(a->type)) {
		format_envelope(a, out, size);
		return;
	}
	if (a->type == SCAN_MA_INSHEADER || a->type == SCAN_MA_CHGHEADER ||
	    a->type == SCAN_MA_REPLBODY) {
		snprintf(head, sizeof(head), "%s %llu ",
		    scan_milter_action_name(a->type),
		    (unsigned long long)a->index);
	} else {
		snprintf(head, sizeof(head), "%s ",
		    scan_milter_action_name(a->type));
	}
	put_escaped(out, size, &at, head);
	put_escaped(out, size, &at, a->name);
	if (header) {
		put_escaped(out, size, &at, ": ");
	} else if (a->name[0] != '\0' && a->value[0] != '\0') {
		put_escaped(out, size, &at, " ");
	}
	put_escaped(out, size, &at, a->value);
	while (at > 0 && out[at - 1] == ' ') {
		out[--at] = '\0';
	}
}

/*
 * scan_milter.c - the milter protocol 6 client, sans-I/O: negotiation,
 * stages and macros (scan_milter.h). Header splitting and the reply
 * decoder are in scan_milter_msg.c and scan_milter_reply.c.
 */
#include <stdio.h>
#include <string.h>

#include "scan_milter.h"
#include "scan_milter_int.h"

#define REJECT_TEXT "550 5.7.1 Command rejected"
#define TEMPFAIL_TEXT "451 4.7.1 Service unavailable - try again later"

void
scan_milter_init(struct scan_milter *m, const struct scan_env *env,
    scan_milter_body_fn *replbody, void *arg, uint64_t replbody_max,
    uint64_t deadline)
{
	uint8_t neg[12];

	memset(m, 0, sizeof(*m));
	m->env = env;
	m->replbody = replbody;
	m->replbody_arg = arg;
	m->replbody_max =
	    replbody_max ? replbody_max : SCAN_MILTER_REPLBODY_DEFAULT;
	m->deadline = deadline;
	m->state = SCAN_MS_OPTNEG;
	m->next = SCAN_MS_CONNECT;
	scan_result_set(&m->result, SCAN_ERROR, "no reply", 8);
	m->actions_offered = env->envelope_ok ?
	    SCAN_MILTER_ACTIONS :
	    SCAN_MILTER_ACTIONS & ~SCAN_MILTER_ENVELOPE_ACTIONS;
	m->rcpts_max =
	    env->max_rcpts ? env->max_rcpts : SCAN_MILTER_RCPTS_DEFAULT;
	if (m->rcpts_max > SCAN_MILTER_RCPTS_MAX) {
		m->rcpts_max = SCAN_MILTER_RCPTS_MAX;
	}
	milter_put_u32(neg, SCAN_MILTER_VERSION);
	milter_put_u32(neg + 4, m->actions_offered);
	milter_put_u32(neg + 8, SCAN_MILTER_PROTOCOL);
	milter_packet(m, SMFIC_OPTNEG, neg, sizeof(neg));
	m->awaiting = 1;
}

enum scan_milter_want
scan_milter_want(const struct scan_milter *m)
{
	if (m->out_off < m->out_len) {
		return SCAN_MILTER_WANT_WRITE; /* QUIT too, once done */
	}
	if (m->done) {
		return SCAN_MILTER_WANT_DONE;
	}
	if (m->awaiting) {
		return SCAN_MILTER_WANT_READ;
	}
	return SCAN_MILTER_WANT_CONTENT; /* step() left nothing else */
}

uint64_t
scan_milter_deadline(const struct scan_milter *m)
{
	return m->deadline;
}

const uint8_t *
scan_milter_output(const struct scan_milter *m, size_t *len)
{
	*len = m->out_len - m->out_off;
	return m->out + m->out_off;
}

void
scan_milter_sent(struct scan_milter *m, size_t n)
{
	if (n > m->out_len - m->out_off) {
		n = m->out_len - m->out_off;
	}
	m->out_off += n;
	if (m->out_off == m->out_len) {
		m->out_off = m->out_len = 0;
		milter_step(m);
	}
}

void
milter_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t
milter_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* milter_begin - start a packet in the output; 0 if it cannot fit */
int
milter_begin(struct scan_milter *m, struct milter_pkt *p, uint8_t cmd)
{
	p->start = m->out_len;
	p->ok = m->out_len + 5 <= sizeof(m->out);
	if (p->ok) {
		m->out[m->out_len + 4] = cmd;
		m->out_len += 5;
	}
	return p->ok;
}

void
milter_add(struct scan_milter *m, struct milter_pkt *p, const void *data,
    size_t len)
{
	if (!p->ok || len > sizeof(m->out) - m->out_len) {
		p->ok = 0;
		return;
	}
	if (len > 0) {
		memcpy(m->out + m->out_len, data, len);
	}
	m->out_len += len;
}

/* milter_add_str - s and its NUL */
void
milter_add_str(struct scan_milter *m, struct milter_pkt *p, const char *s)
{
	milter_add(m, p, s, strlen(s) + 1);
}

/* milter_end - close the packet, or take it back and fail the session */
void
milter_end(struct scan_milter *m, struct milter_pkt *p)
{
	if (!p->ok) {
		m->out_len = p->start;
		scan_milter_fail(m, "milter: packet too large to send");
		return;
	}
	milter_put_u32(m->out + p->start,
	    (uint32_t)(m->out_len - p->start - 4));
}

void
milter_packet(struct scan_milter *m, uint8_t cmd, const void *data, size_t len)
{
	struct milter_pkt p;

	milter_begin(m, &p, cmd);
	milter_add(m, &p, data, len);
	milter_end(m, &p);
}

/* ---- macros ----------------------------------------------------------- */

enum macro_src {
	MAC_HOSTNAME,
	MAC_DAEMON,
	MAC_CLIENT_ADDR,
	MAC_CLIENT_NAME,
	MAC_CLIENT_PORT,
	MAC_QUEUE_ID,
	MAC_AUTH,
	MAC_MAIL,
	MAC_RCPT,
};

/* Every macro we can give, and the stages that get it by default (the
 * milter's SETSYMLIST replaces the defaults of a stage). */
static const struct {
	const char *name;
	enum macro_src src;
	unsigned stages; /* 1 << SMFIM_* */
} macros[] = {
	{ "j", MAC_HOSTNAME, 1u << SMFIM_CONNECT },
	{ "{daemon_name}", MAC_DAEMON, 1u << SMFIM_CONNECT },
	{ "{client_addr}", MAC_CLIENT_ADDR, 1u << SMFIM_CONNECT },
	{ "{client_name}", MAC_CLIENT_NAME, 1u << SMFIM_CONNECT },
	{ "{client_port}", MAC_CLIENT_PORT, 1u << SMFIM_CONNECT },
	{ "i", MAC_QUEUE_ID,
	    1u << SMFIM_ENVFROM | 1u << SMFIM_DATA | 1u << SMFIM_EOH |
		1u << SMFIM_EOM },
	{ "{auth_authen}", MAC_AUTH, 1u << SMFIM_ENVFROM },
	{ "{mail_addr}", MAC_MAIL, 1u << SMFIM_ENVFROM },
	{ "{rcpt_addr}", MAC_RCPT, 1u << SMFIM_ENVRCPT },
};

/* The command each macro stage goes with. */
static const uint8_t stage_cmd[SCAN_MILTER_STAGES] = {
	[SMFIM_CONNECT] = SMFIC_CONNECT,
	[SMFIM_HELO] = SMFIC_HELO,
	[SMFIM_ENVFROM] = SMFIC_MAIL,
	[SMFIM_ENVRCPT] = SMFIC_RCPT,
	[SMFIM_DATA] = SMFIC_DATA,
	[SMFIM_EOM] = SMFIC_BODYEOB,
	[SMFIM_EOH] = SMFIC_EOH,
};

/* macro_value - the value, or NULL when there is none to send */
static const char *
macro_value(const struct scan_milter *m, enum macro_src src, char *num,
    size_t size)
{
	const struct scan_env *e = m->env;
	const char *v = NULL;

	switch (src) {
	case MAC_HOSTNAME:
		v = e->myhostname;
		break;
	case MAC_DAEMON:
		v = e->daemon_name;
		break;
	case MAC_CLIENT_ADDR:
		v = e->client_addr;
		break;
	case MAC_CLIENT_NAME:
		v = e->client_name;
		break;
	case MAC_CLIENT_PORT:
		snprintf(num, size, "%u", (unsigned)e->client_port);
		v = num;
		break;
	case MAC_QUEUE_ID:
		v = e->queue_id;
		break;
	case MAC_AUTH:
		v = e->auth_user;
		break;
	case MAC_MAIL:
		v = e->sender;
		break;
	case MAC_RCPT:
		v = m->rcpt_next > 0 ? e->rcpt[m->rcpt_next - 1] : NULL;
		break;
	}
	/* an empty {auth_authen} means "not authenticated": leave it out */
	return (v == NULL || (src == MAC_AUTH && v[0] == '\0')) ? NULL : v;
}

/* in_symlist - whether the space-separated list names macro name; "i"
 * and "{i}" are the same macro, as in Sendmail */
static int
in_symlist(const char *list, const char *name)
{
	size_t n = strlen(name), len;
	const char *p = list, *end;

	if (n > 2 && name[0] == '{') {
		name++;
		n -= 2;
	}
	while (*p != '\0') {
		while (*p == ' ') {
			p++;
		}
		end = strchr(p, ' ');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len > 2 && p[0] == '{' && p[len - 1] == '}') {
			if (len - 2 == n && memcmp(p + 1, name, n) == 0) {
				return 1;
			}
		} else if (len == n && memcmp(p, name, n) == 0) {
			return 1;
		}
		p += len;
	}
	return 0;
}

/* milter_macros - queue MACRO for stage, if it has anything to say.
 * Pairs that would make the packet longer than SCAN_MILTER_MACRO_MAX are
 * left out (our values are bounded: this does not happen in practice). */
static void
milter_macros(struct scan_milter *m, enum scan_milter_stage stage)
{
	struct milter_pkt p;
	char num[12];
	const char *v;
	size_t i, used = 1, n;
	uint8_t cmd = stage_cmd[stage];
	int any = 0;

	if (!milter_begin(m, &p, SMFIC_MACRO)) {
		milter_end(m, &p);
		return;
	}
	milter_add(m, &p, &cmd, 1);
	for (i = 0; i < SK_NELEM(macros); i++) {
		if (m->has_symlist[stage] ?
			!in_symlist(m->symlist[stage], macros[i].name) :
			!(macros[i].stages & (1u << stage))) {
			continue;
		}
		v = macro_value(m, macros[i].src, num, sizeof(num));
		n = v ? strlen(macros[i].name) + strlen(v) + 2 : 0;
		if (v == NULL || used + n > SCAN_MILTER_MACRO_MAX) {
			continue;
		}
		milter_add_str(m, &p, macros[i].name);
		milter_add_str(m, &p, v);
		used += n;
		any = 1;
	}
	if (!any) {
		m->out_len = p.start; /* nothing for this stage */
		return;
	}
	milter_end(m, &p);
}

/* ---- stages ----------------------------------------------------------- */

/* send_stage - macros, then the command; a reply is owed unless nr_flag */
static void
send_stage(struct scan_milter *m, enum scan_milter_state state,
    enum scan_milter_stage macro_stage, uint32_t nr_flag)
{
	m->state = state;
	milter_macros(m, macro_stage);
	m->awaiting = !(m->protocol & nr_flag);
}

static void
send_connect(struct scan_milter *m)
{
	const struct scan_env *e = m->env;
	struct milter_pkt p;
	uint8_t fam, port[2];

	send_stage(m, SCAN_MS_CONNECT, SMFIM_CONNECT, SMFIP_NR_CONN);
	milter_begin(m, &p, SMFIC_CONNECT);
	milter_add_str(m, &p, e->client_name);
	if (e->client_addr[0] == '\0') {
		fam = 'U'; /* SMFIA_UNKNOWN: no port, no address */
		milter_add(m, &p, &fam, 1);
	} else {
		fam = strchr(e->client_addr, ':') ? '6' : '4';
		port[0] = (uint8_t)(e->client_port >> 8);
		port[1] = (uint8_t)e->client_port;
		milter_add(m, &p, &fam, 1);
		milter_add(m, &p, port, 2);
		milter_add_str(m, &p, e->client_addr);
	}
	milter_end(m, &p);
}

/* send_path - MAIL or RCPT: "<addr>" and its NUL */
static void
send_path(struct scan_milter *m, uint8_t cmd, const char *addr)
{
	struct milter_pkt p;

	milter_begin(m, &p, cmd);
	milter_add(m, &p, "<", 1);
	milter_add(m, &p, addr, strlen(addr));
	milter_add_str(m, &p, ">");
	milter_end(m, &p);
}

/* send_rcpts - the next recipient, or move on to DATA */
static void
send_rcpt(struct scan_milter *m)
{
	const struct scan_env *e = m->env;

	if (m->rcpt_next >= e->nrcpt || (m->protocol & SMFIP_NORCPT)) {
		if (e->nrcpt > 0 && m->refused == e->nrcpt) {
			/* every recipient refused: the last reason stands */
			milter_finish(m, m->result.verdict, m->result.text);
			return;
		}
		m->next = SCAN_MS_DATA;
		return;
	}
	m->rcpt_next++;
	send_stage(m, SCAN_MS_RCPT, SMFIM_ENVRCPT, SMFIP_NR_RCPT);
	send_path(m, SMFIC_RCPT, e->rcpt[m->rcpt_next - 1]);
}

/* send_eob - the last body chunk if any, then BODYEOB */
static void
send_eob(struct scan_milter *m)
{
	if (milter_flush_body(m)) {
		return; /* its reply first */
	}
	m->next = SCAN_MS_DONE;
	send_stage(m, SCAN_MS_EOB, SMFIM_EOM, 0);
	milter_packet(m, SMFIC_BODYEOB, NULL, 0);
	m->awaiting = 1; /* EOB always has a final reply */
}

/* next_stage - queue what comes next; 0 when content is needed first */
static int
next_stage(struct scan_milter *m)
{
	const struct scan_env *e = m->env;

	switch (m->next) {
	case SCAN_MS_CONNECT:
		m->next = SCAN_MS_HELO;
		if (!(m->protocol & SMFIP_NOCONNECT)) {
			send_connect(m);
		}
		return 1;
	case SCAN_MS_HELO:
		m->next = SCAN_MS_MAIL;
		if (!(m->protocol & SMFIP_NOHELO)) {
			send_stage(m, SCAN_MS_HELO, SMFIM_HELO, SMFIP_NR_HELO);
			milter_packet(m, SMFIC_HELO, e->helo,
			    strlen(e->helo) + 1);
		}
		return 1;
	case SCAN_MS_MAIL:
		m->next = SCAN_MS_RCPT;
		if (!(m->protocol & SMFIP_NOMAIL)) {
			send_stage(m, SCAN_MS_MAIL, SMFIM_ENVFROM,
			    SMFIP_NR_MAIL);
			send_path(m, SMFIC_MAIL, e->sender);
		}
		return 1;
	case SCAN_MS_RCPT:
		send_rcpt(m);
		return 1;
	case SCAN_MS_DATA:
		m->next = SCAN_MS_HEADER;
		if (!(m->protocol & SMFIP_NODATA)) {
			send_stage(m, SCAN_MS_DATA, SMFIM_DATA, SMFIP_NR_DATA);
			milter_packet(m, SMFIC_DATA, NULL, 0);
		}
		return 1;
	case SCAN_MS_EOH:
		m->next = m->content_ended ? SCAN_MS_EOB : SCAN_MS_BODY;
		if (!(m->protocol & SMFIP_NOEOH)) {
			send_stage(m, SCAN_MS_EOH, SMFIM_EOH, SMFIP_NR_EOH);
			milter_packet(m, SMFIC_EOH, NULL, 0);
		}
		return 1;
	case SCAN_MS_EOB:
		send_eob(m);
		return 1;
	case SCAN_MS_HEADER:
	case SCAN_MS_BODY:
		return milter_pending_content(m);
	default:
		return 0;
	}
}

/* milter_step - queue packets until one awaits a reply or output waits */
void
milter_step(struct scan_milter *m)
{
	while (!m->done && m->out_len == 0 && !m->awaiting) {
		if (!next_stage(m)) {
			return;
		}
	}
}

/* milter_finish - the verdict is final; say QUIT and stop */
void
milter_finish(struct scan_milter *m, enum scan_verdict v, const char *text)
{
	char copy[SCAN_TEXT_MAX];

	snprintf(copy, sizeof(copy), "%s", text); /* text may be ours */
	scan_result_set(&m->result, v, copy, strlen(copy));
	m->done = 1;
	m->awaiting = 0;
	m->state = SCAN_MS_DONE;
	m->out_len = m->out_off = 0;
	milter_packet(m, SMFIC_QUIT, NULL, 0);
}

void
scan_milter_fail(struct scan_milter *m, const char *why)
{
	if (m->done) {
		return;
	}
	scan_result_set(&m->result, SCAN_ERROR, why, strlen(why));
	m->done = 1;
	m->awaiting = 0;
	m->state = SCAN_MS_DONE;
	m->out_len = m->out_off = 0; /* nothing more to a broken peer */
}

void
scan_milter_eof(struct scan_milter *m)
{
	scan_milter_fail(m, "milter: closed the connection");
}

const struct scan_result *
scan_milter_result(const struct scan_milter *m)
{
	return &m->result;
}

const struct scan_milter_actions *
scan_milter_actions(const struct scan_milter *m)
{
	return &m->actions;
}

/* ---- the decisions replies carry ------------------------------------ */

/* milter_refuse - REJECT, TEMPFAIL or REPLYCODE: text may be NULL */
void
milter_refuse(struct scan_milter *m, int temp, const char *text)
{
	enum scan_verdict v = temp ? SCAN_TEMPFAIL : SCAN_REJECT;
	const char *rcpt;

	if (text == NULL) {
		text = temp ? TEMPFAIL_TEXT : REJECT_TEXT;
	}
	if (m->state != SCAN_MS_RCPT) {
		milter_finish(m, v, text);
		return;
	}
	/* at RCPT only that recipient is refused (Sendmail, Postfix) */
	rcpt = m->env->rcpt[m->rcpt_next - 1];
	if (milter_action_add(m, SCAN_MA_RCPT_REFUSED, 0, rcpt, strlen(rcpt),
		text, strlen(text)) != SK_OK) {
		return;
	}
	m->refused++;
	scan_result_set(&m->result, v, text, strlen(text));
	m->awaiting = 0;
}

/* milter_accept - ACCEPT or CONTINUE at end of body, or ACCEPT before */
void
milter_accept(struct scan_milter *m)
{
	size_t i;

	if (m->state == SCAN_MS_EOB && m->quarantined) {
		for (i = m->actions.n; i-- > 0;) {
			if (m->actions.a[i].type == SCAN_MA_QUARANTINE) {
				milter_finish(m, SCAN_QUARANTINE,
				    m->actions.a[i].value);
				return;
			}
		}
	}
	milter_finish(m, SCAN_CLEAN, "");
}

/* milter_shutdown - SHUTDOWN: the milter is going away, nothing scanned */
void
milter_shutdown(struct scan_milter *m)
{
	scan_milter_fail(m, "milter: shutting down");
}

void
milter_conn_fail(struct scan_milter *m)
{
	milter_finish(m, SCAN_TEMPFAIL, "421 4.7.0 Connection rejected");
}

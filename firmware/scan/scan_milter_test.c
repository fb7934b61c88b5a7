/*
 * scan_milter_test.c - the milter client: byte-exact transcripts of whole
 * sessions (what we send, what the milter answers), each replayed with the
 * milter's octets and the message cut in pieces of every size from 1 to
 * 9 and whole; the protocol flags and macro lists; refusals per recipient;
 * SKIP; every modification; hostile replies at negotiation, at a stage and
 * at end of body; header splitting; the limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../smtp/smtp_addr.h"
#include "scan_milter.h"
#include "test.h"

#define SMTP_LONG (SMTP_ADDR_PATH_MAX + 2)

/* The transcripts below are tables of packets whose unused trailing slots
 * are zero: leaving them out is the point, not an oversight. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define BUF_MAX (256 * 1024)
#define R(s) s, sizeof(s) - 1

struct pk {
	int cmd; /* 0 ends a list */
	const char *data;
	size_t len;
};
#define PK(c, s)                    \
	{                           \
		c, s, sizeof(s) - 1 \
	}
#define PK0(c)           \
	{                \
		c, "", 0 \
	}

struct step {
	struct pk mta[12];    /* what we must send before waiting */
	struct pk milter[14]; /* what the milter answers */
	const char *raw;      /* or raw milter octets (hostile framing) */
	size_t raw_len;
};

struct session_case {
	const char *name;
	const char *msg;
	size_t msg_len;
	size_t nrcpt;
	struct step steps[14];
	enum scan_verdict want;
	const char *text;    /* the verdict's text */
	const char *actions; /* formatted, joined by "|" */
	const char *body;    /* the replacement body, or NULL */
};

static struct scan_milter m;
static const char *const rcpts[] = { "b@example.org", "c@example.org" };
static struct scan_env env = {
	.myhostname = "mx.example",
	.daemon_name = "sekimori",
	.queue_id = "QID",
	.client_addr = "192.0.2.1",
	.client_port = 25,
	.client_name = "client.example",
	.helo = "helo.example",
	.auth_user = "",
	.sender = "a@example.com",
	.rcpt = rcpts,
	.nrcpt = 1,
	.envelope_ok = 1,
};

static uint8_t got[BUF_MAX], want[BUF_MAX];
static char body[BUF_MAX];
static size_t body_len;

static void
on_body(void *arg, const uint8_t *buf, size_t len)
{
	if (len <= sizeof(body) - 1 - body_len) {
		memcpy(body + body_len, buf, len);
		body_len += len;
		body[body_len] = '\0';
	}
}

/* pk_bytes - the packets of list as octets */
static size_t
pk_bytes(const struct pk *list, size_t max, uint8_t *out)
{
	size_t i, n = 0;
	uint32_t len;

	for (i = 0; i < max && list[i].cmd != 0; i++) {
		len = (uint32_t)list[i].len + 1;
		out[n++] = (uint8_t)(len >> 24);
		out[n++] = (uint8_t)(len >> 16);
		out[n++] = (uint8_t)(len >> 8);
		out[n++] = (uint8_t)len;
		out[n++] = (uint8_t)list[i].cmd;
		memcpy(out + n, list[i].data, list[i].len);
		n += list[i].len;
	}
	return n;
}

/* collect - write out what the client wants to send, feeding content in
 * pieces (0: all at once) when it asks, until it waits or is done */
static size_t
collect(const struct session_case *sc, size_t *off, size_t piece)
{
	const uint8_t *p;
	size_t n = 0, len, take, used;

	for (;;) {
		switch (scan_milter_want(&m)) {
		case SCAN_MILTER_WANT_WRITE:
			p = scan_milter_output(&m, &len);
			if (len <= sizeof(got) - n) {
				memcpy(got + n, p, len);
				n += len;
			}
			scan_milter_sent(&m, len);
			continue;
		case SCAN_MILTER_WANT_CONTENT:
			if (*off >= sc->msg_len) {
				if (m.content_ended) {
					return n; /* stuck: the test fails */
				}
				scan_milter_end(&m);
				continue;
			}
			take = sc->msg_len - *off;
			take = piece && piece < take ? piece : take;
			used = scan_milter_feed(&m,
			    (const uint8_t *)sc->msg + *off, take);
			*off += used;
			if (used == 0) {
				return n;
			}
			if (*off == sc->msg_len) {
				scan_milter_end(&m);
			}
			continue;
		default:
			return n;
		}
	}
}

/* show - octets as text for a failure message */
static const char *
show(const uint8_t *p, size_t n)
{
	static char out[400];
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < sizeof(out); i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			out[o++] = (char)p[i];
		} else {
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "\\x%02x", p[i]);
		}
	}
	out[o] = '\0';
	return out;
}

static void
format_actions(char *out, size_t size)
{
	const struct scan_milter_actions *a = scan_milter_actions(&m);
	char line[1024];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < a->n; i++) {
		scan_milter_action_format(&a->a[i], line, sizeof(line));
		if (i > 0) {
			strncat(out, "|", size - strlen(out) - 1);
		}
		strncat(out, line, size - strlen(out) - 1);
	}
}

/* feed_milter - n octets from the milter in pieces */
static void
feed_milter(const uint8_t *p, size_t n, size_t piece)
{
	size_t off = 0, take;

	while (off < n && !m.done) {
		take = piece && piece < n - off ? piece : n - off;
		off += scan_milter_input(&m, p + off, take);
	}
}

static void
run_session(const struct session_case *sc, size_t piece)
{
	char acts[4096];
	size_t off = 0, i, n, w;
	const struct step *st;

	env.nrcpt = sc->nrcpt ? sc->nrcpt : 1;
	body_len = 0;
	body[0] = '\0';
	scan_milter_init(&m, &env, on_body, NULL, 0, 0);
	for (i = 0; i < SK_NELEM(sc->steps); i++) {
		st = &sc->steps[i];
		if (st->mta[0].cmd == 0 && st->milter[0].cmd == 0 &&
		    st->raw == NULL) {
			break;
		}
		n = collect(sc, &off, piece);
		w = pk_bytes(st->mta, SK_NELEM(st->mta), want);
		if (n != w || memcmp(got, want, n) != 0) {
			test_fail("%s (piece %zu) step %zu: sent '%s'",
			    sc->name, piece, i, show(got, n));
			test_fail("%s (piece %zu) step %zu: want '%s'",
			    sc->name, piece, i, show(want, w));
			return;
		}
		if (st->raw != NULL) {
			feed_milter((const uint8_t *)st->raw, st->raw_len,
			    piece);
		} else {
			w = pk_bytes(st->milter, SK_NELEM(st->milter), want);
			feed_milter(want, w, piece);
		}
	}
	n = collect(sc, &off, piece);
	if (sc->want == SCAN_ERROR) {
		scan_milter_eof(&m);
	}
	TEST_CHECK(n == 0, "%s (piece %zu): sent more: '%s'", sc->name, piece,
	    show(got, n));
	TEST_CHECK(scan_milter_want(&m) == SCAN_MILTER_WANT_DONE,
	    "%s (piece %zu): not done", sc->name, piece);
	TEST_CHECK(m.result.verdict == sc->want,
	    "%s (piece %zu): got %s (%s), want %s", sc->name, piece,
	    scan_verdict_name(m.result.verdict), m.result.text,
	    scan_verdict_name(sc->want));
	if (sc->text != NULL) {
		TEST_CHECK(strcmp(m.result.text, sc->text) == 0,
		    "%s (piece %zu): text '%s', want '%s'", sc->name, piece,
		    m.result.text, sc->text);
	}
	format_actions(acts, sizeof(acts));
	TEST_CHECK(strcmp(acts, sc->actions ? sc->actions : "") == 0,
	    "%s (piece %zu): actions '%s'", sc->name, piece, acts);
	TEST_CHECK(strcmp(body, sc->body ? sc->body : "") == 0,
	    "%s (piece %zu): body '%s'", sc->name, piece, body);
}

static void
run_all(const struct session_case *sc)
{
	size_t piece;

	for (piece = 0; piece <= 9; piece++) {
		run_session(sc, piece);
	}
}

/* ---- transcripts ------------------------------------------------------ */

#define MSG "Subject: hi\r\nX-A: 1\r\n\tcont\r\n\r\nbody\r\n"
#define OPTNEG_US PK('O', "\0\0\0\x06\0\0\x01\xff\0\x1f\xf7\xff")
#define MAC_C                                                           \
	PK('D',                                                         \
	    "Cj\0mx.example\0{daemon_name}\0sekimori\0{client_addr}\0"  \
	    "192.0.2.1\0{client_name}\0client.example\0{client_port}\0" \
	    "25\0")
#define CONNECT                \
	PK('C',                \
	    "client.example\0" \
	    "4\0\x19"          \
	    "192.0.2.1\0")
#define HELO PK('H', "helo.example\0")
#define MAC_M PK('D', "Mi\0QID\0{mail_addr}\0a@example.com\0")
#define MAIL PK('M', "<a@example.com>\0")
#define MAC_RB PK('D', "R{rcpt_addr}\0b@example.org\0")
#define RCPT_B PK('R', "<b@example.org>\0")
#define MAC_RC PK('D', "R{rcpt_addr}\0c@example.org\0")
#define RCPT_C PK('R', "<c@example.org>\0")
#define MAC_T PK('D', "Ti\0QID\0")
#define MAC_N PK('D', "Ni\0QID\0")
#define MAC_E PK('D', "Ei\0QID\0")
#define HDR_SUBJ PK('L', "Subject\0hi\0")
#define HDR_XA      \
	PK('L',     \
	    "X-A\0" \
	    "1\n\tcont\0")
#define CONT PK0('c')

static const struct session_case full = {
	"full",
	MSG,
	sizeof(MSG) - 1,
	1,
	{
	    { { OPTNEG_US }, { PK('O', "\0\0\0\x06\0\0\x01\xff\0\0\0\0") } },
	    { { MAC_C, CONNECT }, { CONT } },
	    { { HELO }, { CONT } },
	    { { MAC_M, MAIL }, { CONT } },
	    { { MAC_RB, RCPT_B }, { CONT } },
	    { { MAC_T, PK0('T') }, { CONT } },
	    { { HDR_SUBJ }, { CONT } },
	    { { HDR_XA }, { PK0('p'), CONT } },
	    { { MAC_N, PK0('N') }, { CONT } },
	    { { PK('B', "body\r\n") }, { CONT } },
	    { { MAC_E, PK0('E') },
		{ PK('h', "X-Scan\0clean\0"),
		    PK('m',
			"\0\0\0\x01"
			"Subject\0[scanned] hi\0"),
		    PK('i',
			"\0\0\0\0"
			"X-First\0"
			"1\0"),
		    PK('-', "<b@example.org>\0"), PK('+', "<c@example.org>\0"),
		    PK('2', "<d@example.org>\0NOTIFY=NEVER\0"),
		    PK('e', "<x@example.com>\0"), PK('b', "new body\r\n"),
		    PK('p', ""), PK('b', "more\r\n"),
		    PK('q', "held for review\0"), CONT } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_QUARANTINE,
	"held for review",
	"addheader X-Scan: clean|chgheader 1 Subject: [scanned] hi|"
	"insheader 0 X-First: 1|delrcpt <b@example.org>|"
	"addrcpt <c@example.org>|addrcpt_par <d@example.org> NOTIFY=NEVER|"
	"chgfrom <x@example.com>|replbody 16|quarantine held for review",
	"new body\r\nmore\r\n",
};

/* No CONNECT, HELO, DATA, EOH; no replies to MAIL, RCPT, headers, body:
 * everything goes out in one go and only BODYEOB is answered. */
static const struct session_case noreply = {
	"no-reply",
	MSG,
	sizeof(MSG) - 1,
	2,
	{
	    { { OPTNEG_US }, { PK('O', "\0\0\0\x06\0\0\0\0\0\x08\xc2\xc3") } },
	    { { MAC_M, MAIL, MAC_RB, RCPT_B, MAC_RC, RCPT_C, HDR_SUBJ, HDR_XA,
		  PK('B', "body\r\n"), MAC_E, PK0('E') },
		{ PK('y', "550 5.7.1 Spam\0") } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_REJECT,
	"550 5.7.1 Spam",
	"",
	NULL,
};

/* Macro lists from the milter; b refused, c accepted, ACCEPT at DATA. */
static const struct session_case symlist = {
	"symlist",
	MSG,
	sizeof(MSG) - 1,
	2,
	{
	    { { OPTNEG_US },
		{ PK('O',
		    "\0\0\0\x06\0\0\x01\0\0\0\0\x02"
		    "\0\0\0\0"
		    "j {client_addr}\0"
		    "\0\0\0\x02"
		    "{mail_addr} i {nope}\0"
		    "\0\0\0\x03"
		    "\0") } },
	    { { PK('D',
		    "Cj\0mx.example\0{client_addr}\0"
		    "192.0.2.1\0"),
		  CONNECT },
		{ CONT } },
	    { { PK('D', "Mi\0QID\0{mail_addr}\0a@example.com\0"), MAIL },
		{ CONT } },
	    { { RCPT_B },
		{ PK('y', "550 5.1.1 <b@example.org>: no such user\0") } },
	    { { RCPT_C }, { CONT } },
	    { { MAC_T, PK0('T') }, { PK0('a') } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_CLEAN,
	"",
	"rcpt-refused b@example.org 550 5.1.1 <b@example.org>: no such user",
	NULL,
};

/* Every recipient refused: no DATA, the last refusal is the verdict. */
static const struct session_case allrefused = {
	"all-refused",
	MSG,
	sizeof(MSG) - 1,
	2,
	{
	    { { OPTNEG_US }, { PK('O', "\0\0\0\x06\0\0\0\0\0\0\0\x03") } },
	    { { MAC_M, MAIL }, { CONT } },
	    { { MAC_RB, RCPT_B }, { PK0('t') } },
	    { { MAC_RC, RCPT_C }, { PK0('r') } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_REJECT,
	"550 5.7.1 Command rejected",
	"rcpt-refused b@example.org 451 4.7.1 Service unavailable - try "
	"again later|rcpt-refused c@example.org 550 5.7.1 Command rejected",
	NULL,
};

static const struct session_case early_accept = {
	"accept-at-connect",
	MSG,
	sizeof(MSG) - 1,
	1,
	{
	    { { OPTNEG_US }, { PK('O', "\0\0\0\x02\0\0\0\0\0\0\0\0") } },
	    { { MAC_C, CONNECT }, { PK0('a') } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_CLEAN,
	"",
	"",
	NULL,
};

static const struct session_case tempfail_data = {
	"tempfail-at-data",
	MSG,
	sizeof(MSG) - 1,
	1,
	{
	    { { OPTNEG_US }, { PK('O', "\0\0\0\x06\0\0\0\0\0\0\0\x07") } },
	    { { MAC_RB, RCPT_B }, { PK0('p'), PK0('p'), CONT } },
	    { { MAC_T, PK0('T') }, { PK('y', "421 4.3.2 busy\0") } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_TEMPFAIL,
	"421 4.3.2 busy",
	"",
	NULL,
};

static const struct session_case discard_eob = {
	"discard-at-eob",
	"",
	0,
	1,
	{
	    { { OPTNEG_US }, { PK('O', "\0\0\0\x06\0\0\0\0\0\0\0\x0f") } },
	    { { MAC_T, PK0('T') }, { CONT } },
	    { { MAC_N, PK0('N') }, { CONT } },
	    { { MAC_E, PK0('E') }, { PK0('d') } },
	    { { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 },
	},
	SCAN_DISCARD,
	"",
	"",
	NULL,
};

static void
test_milter_sessions(void)
{
	run_all(&full);
	run_all(&noreply);
	run_all(&symlist);
	run_all(&allrefused);
	run_all(&early_accept);
	run_all(&tempfail_data);
	run_all(&discard_eob);
}

/* test_milter_skip - SKIP after the first body chunk: no more BODY */
static void
test_milter_skip(void)
{
	static char msg[70000 + 4];
	static struct session_case sc;
	static char chunk[SCAN_MILTER_BODY_CHUNK];

	memcpy(msg, "A:\r\n\r\n", 6);
	memset(msg + 6, 'x', sizeof(msg) - 6);
	memset(chunk, 'x', sizeof(chunk));
	memcpy(chunk, "", 0);
	sc.name = "skip";
	sc.msg = msg;
	sc.msg_len = sizeof(msg);
	sc.nrcpt = 1;
	/* NOCONNECT NOHELO NOMAIL NORCPT NODATA NOEOH, SKIP */
	sc.steps[0] = (struct step){ { OPTNEG_US },
		{ PK('O', "\0\0\0\x06\0\0\0\0\0\0\x06\x4f") } };
	sc.steps[1] = (struct step){ { PK('L', "A\0\0") }, { CONT } };
	sc.steps[2] =
	    (struct step){ { { 'B', chunk, sizeof(chunk) } }, { PK0('s') } };
	sc.steps[3] = (struct step){ { MAC_E, PK0('E') }, { CONT } };
	sc.steps[4] = (struct step){ { PK0('Q') }, { { 0, NULL, 0 } }, "", 0 };
	sc.want = SCAN_CLEAN;
	sc.text = "";
	run_all(&sc);
}

/* ---- hostile replies ---------------------------------------------------- */

struct bad {
	size_t step; /* of `full`, whose milter octets are replaced */
	int cmd;     /* a packet of cmd and data, or 0: raw framing */
	const char *data;
	size_t len;
};
#define BAD(step, c, s)                   \
	{                                 \
		step, c, s, sizeof(s) - 1 \
	}
#define RAW(step, s)                      \
	{                                 \
		step, 0, s, sizeof(s) - 1 \
	}

static const struct bad bads[] = {
	/* negotiation: versions 7 and 1, actions and flags not offered
	 * (0x200, MDS_256K, RCPT_REJ), too short, another command */
	BAD(0, 'O', "\0\0\0\x07\0\0\0\0\0\0\0\0"),
	BAD(0, 'O', "\0\0\0\x01\0\0\0\0\0\0\0\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\x02\0\0\0\0\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\0\0\x10\0\0\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\0\0\0\0\x08\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\0\0"),
	BAD(0, 'c', ""),
	/* macro lists: without SETSYMLIST, stage 7, no NUL, no string,
	 * twice the same stage, a control character */
	BAD(0, 'O', "\0\0\0\x06\0\0\0\0\0\0\0\0\0\0\0\0j\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\x01\0\0\0\0\0\0\0\0\x07j\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\x01\0\0\0\0\0\0\0\0\0j"),
	BAD(0, 'O', "\0\0\0\x06\0\0\x01\0\0\0\0\0\0\0\0"),
	BAD(0, 'O',
	    "\0\0\0\x06\0\0\x01\0\0\0\0\0\0\0\0\0j\0"
	    "\0\0\0\0i\0"),
	BAD(0, 'O', "\0\0\0\x06\0\0\x01\0\0\0\0\0\0\0\0\0\x01j\0"),
	/* framing: zero length, over the limit, huge */
	RAW(0, "\0\0\0\0"),
	RAW(0, "\0\x10\0\0O"),
	RAW(0, "\xff\xff\xff\xffO"),
	/* a stage reply: data after CONTINUE, modifications before the end
	 * of body, SKIP not negotiated, unknown, SETSYMLIST late */
	BAD(1, 'c', "x"),
	BAD(1, 'h', "X\0Y\0"),
	BAD(1, 's', ""),
	BAD(1, 'Z', ""),
	BAD(1, 'l', "\0\0\0\0j\0"),
	BAD(1, 'b', "xy"),
	BAD(1, 'q', "x\0"),
	BAD(1, '4', ""),
	/* REPLYCODE: not 4xx/5xx, malformed, wrong class, multi-line, no
	 * NUL, two NULs */
	BAD(1, 'y', "250 ok\0"),
	BAD(1, 'y', "5500 x\0"),
	BAD(1, 'y', "550 4.7.1 x\0"),
	BAD(1, 'y', "550 5.7 x\0"),
	BAD(1, 'y', "550-5.7.1 x\0"),
	BAD(1, 'y', "550 5.7.1x\0"),
	BAD(1, 'y', "550 5.7.1 a\r\nb\0"),
	BAD(1, 'y', "550 5.7.1 x"),
	BAD(1, 'y', "550 5.7.1 x\0\0"),
	BAD(1, 'y', "450x\0"),
	BAD(1, 'y', "650\0"),
	BAD(1, 'y', "5.7.1\0"),
	BAD(1, 'y', "550 5.1234.1 x\0"),
	BAD(1, 'y', ""),
	/* cut short, then the end; an answer that was not due */
	RAW(1,
	    "\0\0\0\x02"
	    "c"),
	RAW(1, "\0\0"),
	RAW(1,
	    "\0\0\0\x01"
	    "c"
	    "\0\0\0\x01"
	    "c"),
	/* at end of body (all actions negotiated): bad names, missing or
	 * extra strings, controls in addresses, a body chunk too long */
	BAD(10, 'h', "X A\0v\0"),
	BAD(10, 'h', "X\0v"),
	BAD(10, 'h', "X\0v\0extra"),
	BAD(10, 'h', ":\0v\0"),
	BAD(10, 'h', "\0v\0"),
	BAD(10, 'h', "X\0"),
	BAD(10, 'i', "\0\0\0"),
	BAD(10, 'm', "\0\0\0\x01X\0"),
	BAD(10, '-', "\0"),
	BAD(10, '+',
	    "a\x01"
	    "b\0"),
	BAD(10, '2', "<a>\0args\0extra\0"),
	BAD(10, 'e', "<a>\0a\tb\0"),
	RAW(10,
	    "\0\x20\0\x01"
	    "b"),
	BAD(10, 'q', "x"),
	BAD(10, 's', ""),
	BAD(10, 'O', "\0\0\0\x06\0\0\0\0\0\0\0\0"),
	RAW(10,
	    "\0\0\0\x06hX\0v\0"
	    "\0\0\0\x01"
	    "c"),
};

static void
test_milter_hostile(void)
{
	static struct session_case sc;
	char name[32];
	size_t i, k, piece;

	for (i = 0; i < SK_NELEM(bads); i++) {
		sc = full;
		snprintf(name, sizeof(name), "bad %zu", i);
		sc.name = name;
		for (k = bads[i].step + 1; k < SK_NELEM(sc.steps); k++) {
			memset(&sc.steps[k], 0, sizeof(sc.steps[k]));
		}
		memset(sc.steps[bads[i].step].milter, 0,
		    sizeof(sc.steps[bads[i].step].milter));
		if (bads[i].cmd != 0) {
			sc.steps[bads[i].step].milter[0] =
			    (struct pk){ bads[i].cmd, bads[i].data,
				    bads[i].len };
		} else {
			sc.steps[bads[i].step].raw = bads[i].data;
			sc.steps[bads[i].step].raw_len = bads[i].len;
		}
		sc.want = SCAN_ERROR;
		sc.text = NULL;
		sc.actions = NULL;
		sc.body = NULL;
		for (piece = 0; piece <= 9; piece++) {
			run_session(&sc, piece);
		}
	}
}

/* test_milter_not_negotiated - modifications need their SMFIF_ flag */
static void
test_milter_not_negotiated(void)
{
	static const char *const mods[] = {
		"\0\0\0\x05hX\0v\0",
		"\0\0\0\x09i\0\0\0\x01X\0v\0",
		"\0\0\0\x09m\0\0\0\x01X\0v\0",
		"\0\0\0\x03-a\0",
		"\0\0\0\x03+a\0",
		"\0\0\0\x03"
		"2a\0",
		"\0\0\0\x03"
		"ea\0",
		"\0\0\0\x02"
		"b1",
		"\0\0\0\x03qr\0",
	};
	static struct session_case sc;
	size_t i, len;

	for (i = 0; i < SK_NELEM(mods); i++) {
		sc = discard_eob;
		sc.name = "not negotiated";
		len = 4 + (size_t)mods[i][3];
		sc.steps[3] = (struct step){ { MAC_E, PK0('E') }, { { 0 } },
			mods[i], len };
		memset(&sc.steps[4], 0, sizeof(sc.steps[4]));
		sc.want = SCAN_ERROR;
		sc.text = NULL;
		run_session(&sc, 0);
		run_session(&sc, 1);
	}
}

/* ---- limits -------------------------------------------------------------- */

/* to_eob - negotiate (all actions, everything but EOB skipped) and send
 * an empty message up to BODYEOB */
static void
to_eob(uint64_t replbody_max)
{
	static const uint8_t neg[] = "\0\0\0\x0dO\0\0\0\x06\0\0\x01\xff"
				     "\0\x08\x02\x7f";
	const uint8_t *p;
	size_t len;

	env.nrcpt = 1;
	body_len = 0;
	scan_milter_init(&m, &env, on_body, NULL, replbody_max, 0);
	p = scan_milter_output(&m, &len);
	scan_milter_sent(&m, len);
	(void)p;
	scan_milter_input(&m, neg, sizeof(neg) - 1);
	scan_milter_end(&m);
	while (scan_milter_want(&m) == SCAN_MILTER_WANT_WRITE) {
		scan_milter_output(&m, &len);
		scan_milter_sent(&m, len);
	}
}

static void
test_milter_limits(void)
{
	static const uint8_t add[] = "\0\0\0\x05hX\0v\0";
	static uint8_t big[5 + SCAN_MILTER_PACKET_MAX + 1];
	static const uint8_t rb[] = "\0\0\0\x06"
				    "b12345";
	size_t i;

	to_eob(0);
	TEST_CHECK(m.state == SCAN_MS_EOB &&
		scan_milter_want(&m) == SCAN_MILTER_WANT_READ,
	    "at EOB: state %d", (int)m.state);
	for (i = 0; i < SCAN_MILTER_ACTIONS_MAX; i++) {
		scan_milter_input(&m, add, sizeof(add) - 1);
	}
	TEST_CHECK(!m.done && m.actions.n == SCAN_MILTER_ACTIONS_MAX,
	    "%d actions kept", SCAN_MILTER_ACTIONS_MAX);
	scan_milter_input(&m, add, sizeof(add) - 1);
	TEST_CHECK(m.done && m.result.verdict == SCAN_ERROR,
	    "one more is an error");

	/* the largest packet is taken, one more octet is not */
	to_eob(0);
	memset(big, 'v', sizeof(big));
	big[0] = 0;
	big[1] = (uint8_t)((SCAN_MILTER_PACKET_MAX + 1) >> 16);
	big[2] = (uint8_t)((SCAN_MILTER_PACKET_MAX + 1) >> 8);
	big[3] = (uint8_t)(SCAN_MILTER_PACKET_MAX + 1);
	big[4] = 'h';
	big[5] = 'X';
	big[6] = 0;
	big[5 + SCAN_MILTER_PACKET_MAX - 1] = 0;
	scan_milter_input(&m, big, 5 + SCAN_MILTER_PACKET_MAX);
	TEST_CHECK(!m.done && m.actions.n == 1 &&
		strlen(m.actions.a[0].value) == SCAN_MILTER_PACKET_MAX - 3,
	    "a packet of the limit");
	to_eob(0);
	big[3] = (uint8_t)(SCAN_MILTER_PACKET_MAX + 2);
	scan_milter_input(&m, big, 5);
	TEST_CHECK(m.done && m.result.verdict == SCAN_ERROR,
	    "a packet past the limit");

	/* the replacement body is bounded in total */
	to_eob(10);
	scan_milter_input(&m, rb, sizeof(rb) - 1);
	scan_milter_input(&m, rb, sizeof(rb) - 1);
	TEST_CHECK(!m.done && body_len == 10, "10 octets of body");
	scan_milter_input(&m, rb, 6);
	TEST_CHECK(m.done && m.result.verdict == SCAN_ERROR &&
		strstr(m.result.text, "too large") != NULL,
	    "past the body limit: %s", m.result.text);
}

/* ---- header splitting -----------------------------------------------------
 */

/* split - the HEADER and BODY packets a message gives, as "name=value|"
 * and "B:body|"; LEADSPC if lead */
static const char *
split(const char *msg, size_t len, int lead, size_t piece)
{
	/* NOCONNECT NOHELO NOMAIL NORCPT NODATA NOEOH, NR_HDR NR_BODY */
	static uint8_t neg[] = "\0\0\0\x0dO\0\0\0\x06\0\0\0\0\0\x08\x02\xcf";
	static char out[BUF_MAX];
	struct session_case sc = { "split", msg, len, 1, { { { { 0 } } } }, 0,
		NULL, NULL, NULL };
	size_t n, off = 0, i, plen, o = 0;
	const uint8_t *p;

	neg[14] = lead ? 0x18 : 0x08;
	scan_milter_init(&m, &env, NULL, NULL, 0, 0);
	p = scan_milter_output(&m, &n);
	scan_milter_sent(&m, n);
	scan_milter_input(&m, neg, sizeof(neg) - 1);
	n = collect(&sc, &off, piece);
	for (i = 0; i + 5 <= n; i += 4 + plen) {
		p = got + i;
		plen = (size_t)p[0] << 24 | (size_t)p[1] << 16 |
		    (size_t)p[2] << 8 | p[3];
		if (p[4] == 'L') {
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "%s=%s|", (const char *)p + 5,
			    (const char *)p + 6 + strlen((const char *)p + 5));
		} else if (p[4] == 'B') {
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "B:%.*s|", (int)(plen - 1), (const char *)p + 5);
		}
	}
	out[o] = '\0';
	return out;
}

static void
test_milter_split(void)
{
	static const struct {
		const char *msg;
		size_t len;
		int lead;
		const char *want;
	} cases[] = {
		{ R("A: 1\r\nB:2\r\n\r\nbody"), 0, "A=1|B=2|B:body|" },
		{ R("A: 1\nB: 2\n\nx\n"), 0, "A=1|B=2|B:x\n|" },
		{ R("A: 1\r\n 2\r\n\t3\r\n\r\n"), 0, "A=1\n 2\n\t3|" },
		{ R("A:  1\r\n\r\n"), 1, "A=  1|" },
		{ R("A:  1\r\n\r\n"), 0, "A= 1|" },
		{ R("A:\r\n\r\n"), 0, "A=|" },
		{ R("A : 1\r\n\r\n"), 0, "A=1|" },
		{ R("A: x\0y\r\n\r\n"), 0, "A=x y|" },
		{ R("A: 1\r\nB: 2"), 0, "A=1|B=2|" },
		{ R("A: 1\r\nnot a header\r\nrest\r\n"), 0,
		    "A=1|B:not a header\r\nrest\r\n|" },
		{ R(" x\r\nA: 1\r\n"), 0, "B: x\r\nA: 1\r\n|" },
		{ R("From x@y Mon\r\nA: 1\r\n"), 0,
		    "B:From x@y Mon\r\nA: 1\r\n|" },
		{ R(""), 0, "" },
		{ R("\r\n\r\nbody"), 0, "B:\r\nbody|" },
		{ R(":x\r\n"), 0, "B::x\r\n|" },
		{ R("A: 1\r\n\r\n"), 0, "A=1|" },
	};
	size_t i, piece;
	const char *got_s;

	for (i = 0; i < SK_NELEM(cases); i++) {
		for (piece = 0; piece <= 9; piece++) {
			got_s = split(cases[i].msg, cases[i].len, cases[i].lead,
			    piece);
			TEST_CHECK(strcmp(got_s, cases[i].want) == 0,
			    "case %zu piece %zu: got '%s', want '%s'", i, piece,
			    got_s, cases[i].want);
		}
	}
}

/* test_milter_split_long - a line too long for a field starts the body;
 * a folded field past the limit is cut */
static void
test_milter_split_long(void)
{
	static char msg[3 * SCAN_MILTER_HEADER_MAX];
	const char *s;
	size_t n, i;

	memset(msg, 'a', SCAN_MILTER_HEADER_MAX + 10);
	memcpy(msg + SCAN_MILTER_HEADER_MAX + 10, "\r\n", 2);
	s = split(msg, SCAN_MILTER_HEADER_MAX + 12, 0, 0);
	TEST_CHECK(strncmp(s, "B:", 2) == 0 &&
		strlen(s) == SCAN_MILTER_HEADER_MAX + 12 + 2 * 3,
	    "a long line is body, all of it (%zu)", strlen(s));

	memcpy(msg, "A: v\r\n", 6);
	n = 6;
	for (i = 0; i < 1000; i++) {
		msg[n++] = '\t';
		memset(msg + n, 'v', 100);
		n += 100;
		msg[n++] = '\r';
		msg[n++] = '\n';
	}
	memcpy(msg + n, "\r\n", 2);
	n += 2;
	s = split(msg, n, 0, 0);
	TEST_CHECK(strncmp(s, "A=v\n\t", 5) == 0 &&
		strlen(s) == SCAN_MILTER_HEADER_MAX - 3 + 2 + 1,
	    "a folded field is cut at the limit (%zu)", strlen(s));
}

static void
test_milter_format(void)
{
	struct scan_milter_action a = { SCAN_MA_ADDHEADER, 0, "X",
		"a\n\tb\x01\\" };
	char out[64];

	scan_milter_action_format(&a, out, sizeof(out));
	TEST_CHECK(strcmp(out, "addheader X: a\\n\\tb\\x01\\\\") == 0 ||
		strcmp(out, "addheader X: a\\n\\x09b\\x01\\\\") == 0,
	    "escapes: %s", out);
	scan_milter_action_format(&a, out, 12);
	TEST_CHECK(strlen(out) < 12, "cut: %s", out);
	TEST_CHECK(strcmp(scan_milter_action_name(SCAN_MA_COUNT), "unknown") ==
		0,
	    "unknown name");
}

static void
test_milter_replycode(void)
{
	static const struct {
		const char *s;
		enum sk_result want;
		int temp;
	} cases[] = {
		{ "550", SK_OK, 0 },
		{ "450 later", SK_OK, 1 },
		{ "550 5.7.1", SK_OK, 0 },
		{ "550 5.7.1 Virus found", SK_OK, 0 },
		{ "421 4.3.2 busy", SK_OK, 1 },
		{ "550 5.123.456 x", SK_OK, 0 },
		{ "550 55 apples", SK_OK, 0 },
		{ "250 ok", SK_E_SYNTAX, 0 },
		{ "55", SK_E_SYNTAX, 0 },
		{ "550 4.7.1 x", SK_E_SYNTAX, 0 },
		{ "550 5.1234.1 x", SK_E_SYNTAX, 0 },
		{ "550 5..1 x", SK_E_SYNTAX, 0 },
		{ "550 5.1.", SK_E_SYNTAX, 0 },
		{ "550\tx", SK_E_SYNTAX, 0 },
		{ "5a0 x", SK_E_SYNTAX, 0 },
		/* multi-line (smfi_setmlreply) */
		{ "550-5.7.1 a\r\n550 5.7.1 b", SK_OK, 0 },
		{ "451-x\r\n451-y\r\n451", SK_OK, 1 },
		{ "550-a\r\n550 b", SK_OK, 0 },
		{ "550-a\r\n551 b", SK_E_SYNTAX, 0 },
		{ "550-a\r\n450 b", SK_E_SYNTAX, 0 },
		{ "550 a\r\n550 b", SK_E_SYNTAX, 0 },
		{ "550-a\r\n550-b", SK_E_SYNTAX, 0 },
		{ "550-a\r\n550 b\r\n", SK_E_SYNTAX, 0 },
		{ "550-a\r\n\r\n550 b", SK_E_SYNTAX, 0 },
		{ "550-a\n550 b", SK_E_SYNTAX, 0 },
		{ "550-a\r550 b", SK_E_SYNTAX, 0 },
		{ "550-5.7.1 a\r\n550 5.7.2 b", SK_E_SYNTAX, 0 },
		{ "550-5.7.1 a\r\n550 b", SK_E_SYNTAX, 0 },
		{ "550-a\r\n550 5.7.1 b", SK_E_SYNTAX, 0 },
		{ "550-5.7.1 a\r\n550 5.7.1", SK_OK, 0 },
		{ "550-\r\n550 x\x01", SK_E_SYNTAX, 0 },
		{ "550-", SK_E_SYNTAX, 0 },
	};
	size_t i;
	int temp = -1;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(cases); i++) {
		r = scan_milter_parse_replycode(cases[i].s, strlen(cases[i].s),
		    &temp);
		TEST_CHECK(r == cases[i].want &&
			(r != SK_OK || temp == cases[i].temp),
		    "%s: got %s", cases[i].s, sk_result_str(r));
	}
}

/* ---- envelope changes ---------------------------------------------------- */

/* eob_packet - at end of body, one modification packet; the formatted
 * action kept ("" none), or "error: TEXT" */
static const char *
eob_packet(uint8_t cmd, const char *data, size_t len)
{
	static char out[SCAN_TEXT_MAX + 16];
	struct pk list[2] = { { cmd, data, len }, { 0, NULL, 0 } };
	size_t n;

	to_eob(0);
	n = pk_bytes(list, 2, want);
	scan_milter_input(&m, want, n);
	if (m.done) {
		snprintf(out, sizeof(out), "error: %s", m.result.text);
	} else if (m.actions.n == 1) {
		scan_milter_action_format(&m.actions.a[0], out, sizeof(out));
	} else {
		snprintf(out, sizeof(out), "%zu actions", m.actions.n);
	}
	return out;
}

static void
test_milter_envelope(void)
{
	static const struct {
		uint8_t cmd;
		const char *data;
		size_t len;
		const char *want; /* the action, or the start of "error: " */
	} cases[] = {
		{ '+', R("<c@Example.ORG>\0"), "addrcpt <c@example.org>" },
		{ '+', R("c@example.org\0"), "addrcpt <c@example.org>" },
		{ '+', R("<\"c.d\"@example.org>\0"),
		    "addrcpt <c.d@example.org>" },
		{ '+', R("<@relay.example:c@example.org>\0"),
		    "addrcpt <c@example.org>" },
		{ '+', R("<\"a b\"@[192.0.2.1]>\0"),
		    "addrcpt <\"a b\"@[192.0.2.1]>" },
		{ '-', R("<b@example.org>\0"), "delrcpt <b@example.org>" },
		{ 'e', R("<>\0"), "chgfrom <>" },
		{ 'e', R("\0"), "chgfrom <>" },
		{ 'e', R("x@example.com\0"), "chgfrom <x@example.com>" },
		{ '2', R("<d@example.org>\0"), "addrcpt_par <d@example.org>" },
		{ '2', R("<d@example.org>\0\0"),
		    "addrcpt_par <d@example.org>" },
		{ '2',
		    R("<d@example.org>\0NOTIFY=SUCCESS,DELAY "
		      "ORCPT=rfc822;d+40example.org\0"),
		    "addrcpt_par <d@example.org> NOTIFY=SUCCESS,DELAY "
		    "ORCPT=rfc822;d+40example.org" },
		{ '2', R("<d@example.org>\0notify=never\0"),
		    "addrcpt_par <d@example.org> NOTIFY=NEVER" },
		/* refused: syntax, no domain, 8-bit, null recipient */
		{ '+', R("<c@example.org\0"), "error: milter: bad address" },
		{ '+', R("c\0"), "error: milter: bad address" },
		{ '+', R("<Postmaster>\0"), "error: milter: bad address" },
		{ '+', R("<>\0"), "error: milter: bad address" },
		{ '+', R("\0"), "error: milter: bad address" },
		{ '+', R("<c@example.org> x\0"), "error: milter: bad address" },
		{ '+', R("<\xc3\xa9@example.org>\0"),
		    "error: milter: bad address" },
		{ '-', R("<b@exa mple.org>\0"), "error: milter: bad address" },
		{ '-', R("<b@example.org>\0x\0"),
		    "error: milter: malformed modification" },
		{ '+', R("<c@example.org>\0x\0"),
		    "error: milter: malformed modification" },
		{ 'e', R("<x@example.com>\0SIZE=10\0"),
		    "error: milter: chgfrom with ESMTP arguments" },
		{ 'e', R("<x@example.com\0"), "error: milter: bad address" },
		{ '2', R("<d@example.org>\0SIZE=10\0"),
		    "error: milter: addrcpt_par arguments" },
		{ '2', R("<d@example.org>\0NOTIFY=SOMETIMES\0"),
		    "error: milter: addrcpt_par arguments" },
		{ '2', R("<d@example.org>\0NOTIFY=NEVER NOTIFY=NEVER\0"),
		    "error: milter: addrcpt_par arguments" },
		{ '2', R("<d@example.org>\0ORCPT=rfc822;a+4\0"),
		    "error: milter: addrcpt_par arguments" },
		{ '2', R("<d@example.org>\0NOTIFY=NEVER\r\n\0"),
		    "error: milter: bad modification text" },
	};
	static char longaddr[SMTP_LONG];
	size_t i;
	const char *got_s;

	for (i = 0; i < SK_NELEM(cases); i++) {
		got_s = eob_packet(cases[i].cmd, cases[i].data, cases[i].len);
		TEST_CHECK(strncmp(got_s, cases[i].want,
			       strlen(cases[i].want)) == 0 &&
			(strncmp(cases[i].want, "error", 5) == 0 ||
			    strcmp(got_s, cases[i].want) == 0),
		    "case %zu (%c): got '%s', want '%s'", i, cases[i].cmd,
		    got_s, cases[i].want);
	}
	/* a path past RFC 5321's 256 octets */
	memset(longaddr, 'a', sizeof(longaddr));
	memcpy(longaddr + sizeof(longaddr) - 14, "@example.org", 13);
	got_s = eob_packet('+', longaddr, sizeof(longaddr) - 1);
	TEST_CHECK(strncmp(got_s, "error: milter: bad address", 26) == 0,
	    "a long address: %s", got_s);
}

/* test_milter_envelope_limit - recipients added are bounded by the
 * relay's limit (the env's, else SCAN_MILTER_RCPTS_DEFAULT): a milter
 * adding 10,000 is stopped at the limit, with a named error */
static void
test_milter_envelope_limit(void)
{
	static const uint8_t add[] = "\0\0\0\x11+<c@example.org>\0";
	static const uint8_t del[] = "\0\0\0\x11-<c@example.org>\0";
	size_t i;

	to_eob(0);
	for (i = 0; i < 10000 && !m.done; i++) {
		scan_milter_input(&m, add, sizeof(add) - 1);
	}
	TEST_CHECK(m.done && m.result.verdict == SCAN_ERROR &&
		i == SCAN_MILTER_RCPTS_DEFAULT + 1 &&
		strstr(m.result.text, "too many recipients added") != NULL,
	    "stopped after %zu: %s", i, m.result.text);

	env.max_rcpts = 3;
	to_eob(0);
	for (i = 0; i < 3; i++) {
		scan_milter_input(&m, add, sizeof(add) - 1);
		scan_milter_input(&m, del, sizeof(del) - 1); /* not counted */
	}
	TEST_CHECK(!m.done && m.actions.n == 6, "3 added under a limit of 3");
	scan_milter_input(&m, add, sizeof(add) - 1);
	TEST_CHECK(m.done && m.result.verdict == SCAN_ERROR,
	    "the 4th is an error");
	/* a limit above what the actions hold is cut to SCAN_MILTER_RCPTS_MAX
	 */
	env.max_rcpts = 100000;
	to_eob(0);
	for (i = 0; i < 10000 && !m.done; i++) {
		scan_milter_input(&m, add, sizeof(add) - 1);
	}
	TEST_CHECK(m.done && i == SCAN_MILTER_RCPTS_MAX + 1 &&
		strstr(m.result.text, "too many recipients added") != NULL,
	    "stopped after %zu: %s", i, m.result.text);
	env.max_rcpts = 0;
}

/* test_milter_envelope_offer - without envelope_ok the four flags are not
 * offered, and a milter that asks for one fails the negotiation */
static void
test_milter_envelope_offer(void)
{
	static const uint8_t us[] = "\0\0\0\x0dO\0\0\0\x06\0\0\x01\x33"
				    "\0\x1f\xf7\xff";
	static const uint8_t asks[] = "\0\0\0\x0dO\0\0\0\x06\0\0\0\x04"
				      "\0\0\0\0";
	static const uint8_t fine[] = "\0\0\0\x0dO\0\0\0\x06\0\0\0\x33"
				      "\0\0\0\0";
	const uint8_t *p;
	size_t len;

	env.envelope_ok = 0;
	scan_milter_init(&m, &env, NULL, NULL, 0, 0);
	p = scan_milter_output(&m, &len);
	TEST_CHECK(len == sizeof(us) - 1 && memcmp(p, us, len) == 0,
	    "offer without the envelope flags: %s", show(p, len));
	scan_milter_sent(&m, len);
	scan_milter_input(&m, asks, sizeof(asks) - 1);
	TEST_CHECK(m.done && m.result.verdict == SCAN_ERROR,
	    "ADDRCPT not offered: %s", m.result.text);
	scan_milter_init(&m, &env, NULL, NULL, 0, 0);
	p = scan_milter_output(&m, &len);
	scan_milter_sent(&m, len);
	scan_milter_input(&m, fine, sizeof(fine) - 1);
	TEST_CHECK(!m.done, "the other flags are fine");
	env.envelope_ok = 1;
}

/* test_milter_multiline - smfi_setmlreply's reply at DATA: the verdict's
 * text is the whole reply, CRLF between its lines; a last line may be
 * the bare code (RFC 5321 4.2: its text is optional) */
static void
test_milter_multiline(void)
{
	static const char *const replies[] = {
		"550-5.7.1 first line\r\n"
		"550-5.7.1 second\r\n"
		"550 5.7.1 last",
		"550-first\r\n"
		"550",
	};
	static const uint8_t neg[] = "\0\0\0\x0dO\0\0\0\x06\0\0\0\0"
				     "\0\0\0\x5f";
	struct pk list[2] = { { 'y', NULL, 0 }, { 0, NULL, 0 } };
	size_t len, n, i;

	for (i = 0; i < SK_NELEM(replies); i++) {
		list[0].data = replies[i];
		list[0].len = strlen(replies[i]) + 1;
		scan_milter_init(&m, &env, NULL, NULL, 0, 0);
		scan_milter_output(&m, &len);
		scan_milter_sent(&m, len);
		scan_milter_input(&m, neg, sizeof(neg) - 1);
		while (scan_milter_want(&m) == SCAN_MILTER_WANT_WRITE) {
			scan_milter_output(&m, &len);
			scan_milter_sent(&m, len);
		}
		TEST_CHECK(m.state == SCAN_MS_DATA, "at DATA: %d",
		    (int)m.state);
		n = pk_bytes(list, 2, want);
		scan_milter_input(&m, want, n);
		TEST_CHECK(m.done && m.result.verdict == SCAN_REJECT &&
			strcmp(m.result.text, replies[i]) == 0,
		    "multi-line reject: %s",
		    show((const uint8_t *)m.result.text,
			strlen(m.result.text)));
	}
}

const struct test_case test_cases[] = {
	{ "scan_milter_sessions", test_milter_sessions },
	{ "scan_milter_skip", test_milter_skip },
	{ "scan_milter_hostile", test_milter_hostile },
	{ "scan_milter_not_negotiated", test_milter_not_negotiated },
	{ "scan_milter_limits", test_milter_limits },
	{ "scan_milter_split", test_milter_split },
	{ "scan_milter_split_long", test_milter_split_long },
	{ "scan_milter_format", test_milter_format },
	{ "scan_milter_replycode", test_milter_replycode },
	{ "scan_milter_envelope", test_milter_envelope },
	{ "scan_milter_envelope_limit", test_milter_envelope_limit },
	{ "scan_milter_envelope_offer", test_milter_envelope_offer },
	{ "scan_milter_multiline", test_milter_multiline },
};
const size_t test_ncases = SK_NELEM(test_cases);

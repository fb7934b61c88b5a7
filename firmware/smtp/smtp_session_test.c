/*
 * smtp_session_test.c - golden transcripts of the session machine.
 *
 * Each testdata/NAME.in is replayed through smtp_replay (the same path
 * the event loop takes) and the transcript is compared with NAME.ref.
 * SMTP_UPDATE_REF=1 in the environment writes the .ref files instead
 * (review the diff before committing them).
 *
 * .in format, one client write (TCP segment) per line:
 *   - CRLF is appended to the line unless it ends with "\c";
 *   - escapes: \r \n \t \0 \\ \xHH, and \c (no CRLF, at the end only);
 *   - "# ..." is a comment, an empty line is skipped;
 *   - "!tls" completes the handshake after STARTTLS;
 *   - before the first write, settings: "!caps NAME,NAME..." (from
 *     PIPELINING SIZE 8BITMIME BINARYMIME CHUNKING SMTPUTF8 DSN
 *     ENHANCEDSTATUSCODES STARTTLS AUTH), "!max_size N", "!max_rcpts N",
 *     "!max_errors N", "!max_cmds N", "!auth_needs_tls",
 *     "!relay_domain D" (the one domain RCPT accepts; default
 *     example.org; relay tricks are refused).
 *
 * The testdata folder is found from $SK_TOP, else by looking upwards from
 * the current directory for firmware/smtp/testdata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_replay.h"
#include "test.h"
#include "test_transcript.h"

#define LOG_MAX TEST_TRANSCRIPT_MAX
#define LINE_MAX_LEN 70000

static struct smtp_replay replay;
static char logbuf[LOG_MAX];
static char relay_domain[256];

/* rcpt_check - test relay control: one local domain, no tricks */
static enum smtp_reply_id
rcpt_check(void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *p, int authenticated)
{
	(void)arg;
	(void)p;
	if (a->flags & SMTP_ADDR_F_POSTMASTER) {
		return SMTP_R_NONE;
	}
	if (smtp_addr_is_relay_trick(a) && !authenticated) {
		return SMTP_R_ADDR_TRICK;
	}
	if (strcmp(a->domain, relay_domain) != 0 && !authenticated) {
		return SMTP_R_RELAY_DENIED;
	}
	return SMTP_R_NONE;
}

/* parse_caps - "PIPELINING,SIZE" into SMTP_EXT_ bits; 0 on error */
static int
parse_caps(const char *list, unsigned *caps)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "PIPELINING", SMTP_EXT_PIPELINING },
		{ "SIZE", SMTP_EXT_SIZE },
		{ "8BITMIME", SMTP_EXT_8BITMIME },
		{ "BINARYMIME", SMTP_EXT_BINARYMIME },
		{ "CHUNKING", SMTP_EXT_CHUNKING },
		{ "SMTPUTF8", SMTP_EXT_SMTPUTF8 },
		{ "DSN", SMTP_EXT_DSN },
		{ "ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCED },
		{ "STARTTLS", SMTP_EXT_STARTTLS },
		{ "AUTH", SMTP_EXT_AUTH },
	};
	char buf[256], *tok, *save = NULL;
	size_t i;
	int found;

	*caps = 0;
	if (strlen(list) >= sizeof(buf)) {
		return 0;
	}
	memcpy(buf, list, strlen(list) + 1);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		found = 0;
		for (i = 0; i < SK_NELEM(names); i++) {
			if (strcmp(tok, names[i].name) == 0) {
				*caps |= names[i].bit;
				found = 1;
			}
		}
		if (!found && strcmp(tok, "NONE") != 0) {
			return 0;
		}
	}
	return 1;
}

/* setting - apply one "!name value" line to conf; 0 if unknown */
static int
setting(const char *line, struct smtp_session_conf *conf)
{
	unsigned long long v;

	if (strncmp(line, "!caps ", 6) == 0) {
		return parse_caps(line + 6, &conf->caps);
	}
	if (sscanf(line, "!max_size %llu", &v) == 1) {
		conf->max_size = v;
	} else if (sscanf(line, "!max_rcpts %llu", &v) == 1) {
		conf->max_rcpts = (unsigned)v;
	} else if (sscanf(line, "!max_errors %llu", &v) == 1) {
		conf->max_errors = (unsigned)v;
	} else if (sscanf(line, "!max_cmds %llu", &v) == 1) {
		conf->max_cmds = (unsigned)v;
	} else if (strcmp(line, "!auth_needs_tls") == 0) {
		conf->auth_needs_tls = 1;
	} else if (strncmp(line, "!relay_domain ", 14) == 0) {
		long n = test_transcript_unescape(line + 14,
		    (uint8_t *)relay_domain, sizeof(relay_domain), 0);

		if (n < 1) {
			return 0;
		}
		relay_domain[n] = '\0'; /* unescape leaves room for a CRLF */
	} else {
		return 0;
	}
	return 1;
}

/* replay_file - run one .in file; the transcript (in logbuf) */
static const char *
replay_file(const char *path)
{
	static char line[LINE_MAX_LEN];
	static uint8_t bytes[LINE_MAX_LEN];
	struct smtp_session_conf conf;
	int started = 0, lineno = 0;
	long len;
	FILE *f;

	memset(&conf, 0, sizeof(conf));
	conf.hostname = "mx.sekimori.test";
	conf.caps = SMTP_EXT_PIPELINING | SMTP_EXT_SIZE | SMTP_EXT_8BITMIME |
	    SMTP_EXT_CHUNKING | SMTP_EXT_SMTPUTF8 | SMTP_EXT_DSN |
	    SMTP_EXT_ENHANCED | SMTP_EXT_STARTTLS | SMTP_EXT_AUTH;
	conf.max_size = 10485760;
	conf.rcpt_check = rcpt_check;
	snprintf(relay_domain, sizeof(relay_domain), "example.org");
	f = fopen(path, "r");
	if (f == NULL) {
		test_fail("%s: cannot open", path);
		return NULL;
	}
	while (test_transcript_line(f, line, sizeof(line), &lineno)) {
		if (!started && line[0] == '!' && strcmp(line, "!tls") != 0) {
			if (!setting(line, &conf)) {
				test_fail("%s:%d: bad setting %s", path, lineno,
				    line);
			}
			continue;
		}
		if (!started) {
			smtp_replay_init(&replay, &conf, logbuf,
			    sizeof(logbuf));
			started = 1;
		}
		if (strcmp(line, "!tls") == 0) {
			smtp_replay_tls(&replay);
			continue;
		}
		len = test_transcript_unescape(line, bytes, sizeof(bytes), 1);
		if (len < 0) {
			test_fail("%s:%d: bad escape", path, lineno);
			continue;
		}
		smtp_replay_write(&replay, bytes, (size_t)len);
	}
	fclose(f);
	if (!started) {
		smtp_replay_init(&replay, &conf, logbuf, sizeof(logbuf));
	}
	return logbuf;
}

/* test_transcripts - every testdata/ *.in against its .ref */
static void
test_transcripts(void)
{
	size_t n = test_transcript_run("smtp/testdata", replay_file,
	    "SMTP_UPDATE_REF");

	printf("INFO: smtp_session_transcripts: %zu transcripts\n", n);
}

/* test_session_split - a dialogue gives the same transcript cut anywhere */
static void
test_session_split(void)
{
	static const char dialog[] = "MAIL FROM:<a@b.example>\r\n"
				     "RCPT TO:<u@example.org>\r\nDATA\r\n";
	static const char body[] = "Subject: s\r\n\r\n..x\r\n.\r\nQUIT\r\n";
	static char whole[LOG_MAX];
	struct smtp_session_conf conf;
	size_t cut, len = strlen(body);

	memset(&conf, 0, sizeof(conf));
	conf.caps = SMTP_EXT_PIPELINING;
	smtp_replay_init(&replay, &conf, whole, sizeof(whole));
	smtp_replay_write(&replay, (const uint8_t *)"EHLO c\r\n", 8);
	smtp_replay_write(&replay, (const uint8_t *)dialog, strlen(dialog));
	smtp_replay_write(&replay, (const uint8_t *)body, len);
	if (replay.messages != 1) {
		test_fail("whole: got %u messages, want 1", replay.messages);
	}
	for (cut = 1; cut < len; cut++) {
		smtp_replay_init(&replay, &conf, logbuf, sizeof(logbuf));
		smtp_replay_write(&replay, (const uint8_t *)"EHLO c\r\n", 8);
		smtp_replay_write(&replay, (const uint8_t *)dialog,
		    strlen(dialog));
		smtp_replay_write(&replay, (const uint8_t *)body, cut);
		smtp_replay_write(&replay, (const uint8_t *)body + cut,
		    len - cut);
		if (strcmp(whole, logbuf) != 0) {
			test_fail("cut at %zu: transcript differs", cut);
			test_transcript_diff("split", logbuf, whole);
			return;
		}
	}
}

/* test_session_envid - MAIL's ENVID and sender outlive the line */
static void
test_session_envid(void)
{
	static const char mail[] = "MAIL FROM:<A@B.Example> ENVID=QQ+2B1\r\n";
	struct smtp_session_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.caps = SMTP_EXT_DSN;
	smtp_replay_init(&replay, &conf, logbuf, sizeof(logbuf));
	smtp_replay_write(&replay, (const uint8_t *)"EHLO c\r\n", 8);
	smtp_replay_write(&replay, (const uint8_t *)mail, strlen(mail));
	if (strcmp(replay.s.envid, "QQ+2B1") != 0) {
		test_fail("envid got \"%s\", want \"QQ+2B1\"", replay.s.envid);
	}
	if (strcmp(replay.s.from.local, "A") != 0 ||
	    strcmp(replay.s.from.domain, "b.example") != 0) {
		test_fail("from got %s@%s, want A@b.example",
		    replay.s.from.local, replay.s.from.domain);
	}
	smtp_replay_write(&replay, (const uint8_t *)"RSET\r\n", 6);
	if (replay.s.envid[0] != '\0') {
		test_fail("envid after RSET got \"%s\", want \"\"",
		    replay.s.envid);
	}
}

/* test_session_refused_long - a line of 510 octets passes, 511 does
 * not; a reply that does not fit in the rest of out becomes 451 */
static void
test_session_refused_long(struct smtp_session *s,
    const struct smtp_session_conf *conf, struct smtp_out *out)
{
	static char text[SMTP_OUT_MAX];
	size_t n;

	for (n = SMTP_REPLY_LINE_MAX - 2; n <= SMTP_REPLY_LINE_MAX - 1; n++) {
		memset(text, 'x', n);
		memcpy(text, "550 ", 4);
		text[n] = '\0';
		smtp_session_init(s, conf);
		out->len = 0;
		smtp_session_message_refused(s, text, out);
		TEST_CHECK(n == SMTP_REPLY_LINE_MAX - 2 ?
			out->len == n + 2 && memcmp(out->buf, text, n) == 0 :
			strncmp(out->buf, "451 ", 4) == 0,
		    "line of %zu: got \"%.20s\"", n, out->buf);
	}
	/* 10 octets left: the reply (14 with its CRLF) is not written */
	smtp_session_init(s, conf);
	memset(out->buf, 0, sizeof(out->buf));
	out->len = sizeof(out->buf) - 10;
	smtp_session_message_refused(s, "550 5.7.1 no", out);
	TEST_CHECK(out->len <= sizeof(out->buf) &&
		memcmp(out->buf + sizeof(out->buf) - 10, "550", 3) != 0,
	    "full out: len %zu", out->len);
}

/* test_session_refused - a check's own reply ends the transaction; a
 * malformed one becomes 451 */
static void
test_session_refused(void)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{ "550 5.7.1 DMARC policy of b.test rejects this message",
		    "550 5.7.1 DMARC policy of b.test rejects this "
		    "message\r\n" },
		{ "451 4.7.1 try later", "451 4.7.1 try later\r\n" },
		{ "250 2.0.0 fine", "451 " },
		{ "550", "550\r\n" }, /* RFC 5321 4.2: the text is optional */
		{ "55", "451 " },
		{ "550-", "451 " },
		{ "550x", "451 " },
		{ "550 bad\r\nEHLO x", "451 " },
		{ "5x0 bad", "451 " },
		/* a milter's multi-line reply, line by line (RFC 5321 4.2.1) */
		{ "550-5.7.1 one\r\n550-5.7.1 two\r\n550 5.7.1 three",
		    "550-5.7.1 one\r\n550-5.7.1 two\r\n550 5.7.1 "
		    "three\r\n" },
		{ "450-\r\n450 later", "450-\r\n450 later\r\n" },
		{ "550-one\r\n551 two", "451 " },   /* another code */
		{ "550 one\r\n550 two", "451 " },   /* a last line first */
		{ "550-one\r\n550-two", "451 " },   /* no last line */
		{ "550-one\r\n\r\n550 x", "451 " }, /* an empty line */
		{ "550-one\r\n", "451 " },          /* a CRLF at the end */
		{ "550-one\r550 two", "451 " },     /* a bare CR */
		{ "550-one\n550 two", "451 " },     /* a bare LF */
		{ "550-\x01\r\n550 two", "451 " },  /* a control octet */
		{ "550-a\r\n550-b\r\n550-c\r\n550-d\r\n550-e\r\n550-f\r\n"
		  "550-g\r\n550-h\r\n550 i",
		    "451 " }, /* nine lines */
		{ "550-a\r\n550-b\r\n550-c\r\n550-d\r\n550-e\r\n550-f\r\n"
		  "550-g\r\n550 h",
		    "550-a\r\n550-b\r\n550-c\r\n550-d\r\n550-e\r\n550-f\r\n"
		    "550-g\r\n550 h\r\n" },
	};
	static struct smtp_session s;
	struct smtp_session_conf conf;
	struct smtp_out out;
	size_t i;

	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < SK_NELEM(cases); i++) {
		smtp_session_init(&s, &conf);
		out.len = 0;
		smtp_session_message_refused(&s, cases[i].line, &out);
		TEST_CHECK(out.len >= strlen(cases[i].want) &&
			strncmp(out.buf, cases[i].want,
			    strlen(cases[i].want)) == 0,
		    "case %zu: got \"%.*s\"", i, (int)out.len, out.buf);
	}
	test_session_refused_long(&s, &conf, &out);
}

const struct test_case test_cases[] = {
	{ "smtp_session_envid", test_session_envid },
	{ "smtp_session_refused", test_session_refused },
	{ "smtp_session_transcripts", test_transcripts },
	{ "smtp_session_split", test_session_split },
};
const size_t test_ncases = SK_NELEM(test_cases);

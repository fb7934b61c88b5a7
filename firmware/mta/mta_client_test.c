/*
 * mta_client_test.c - the SMTP client against scripted servers.
 *
 * 1. Golden transcripts: each testdata/client/NAME.in is a server script
 *    replayed through the client; the transcript is compared with
 *    NAME.ref (MTA_UPDATE_REF=1 writes the .ref files instead: review
 *    the diff). .in format:
 *      - settings before the first server write: "!tls MODE" (none,
 *        may, encrypt, verify; default may), "!tls-available",
 *        "!tls-active" (implicit TLS), "!no-starttls", "!auth USER PASS",
 *        "!sender ADDR", "!rcpt ADDR [NOTIFY] [ORCPT]" (NOTIFY letters
 *        S F D or N, "-" for none), "!envid X", "!ret full|hdrs",
 *        "!body 8bit|binary", "!smtputf8", "!size N", "!content TEXT"
 *        (escapes, no CRLF added), "!jobs N" (run the job N times on
 *        the same session);
 *      - then one server write (TCP segment) per line, CRLF appended
 *        unless the line ends in "\c"; escapes \r \n \t \0 \\ \xHH;
 *      - events: "!eof", "!timeout", "!tls-ok", "!tls-fail",
 *        "!error TEXT", "!quit" (the caller ends an idle session).
 *    Transcript: "S: " server lines, "C: " the first line of each client
 *    write and "C+ " the others of the same write (a pipelined group is
 *    one write), and events in brackets.
 * 2. EAST personalities (Email-Analysis-Toolkit fake-mail-server
 *    testcases/smtp/others, Negotiation, Buffering): a responsive fake
 *    server answers each command as the personality says; every case
 *    must end in its expected outcome and never send content without a
 *    354.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mta_client.h"
#include "test.h"
#include "test_transcript.h"

#define LOG_MAX TEST_TRANSCRIPT_MAX
#define LINE_MAX_LEN 8192
#define RCPTS_MAX 8
#define FIELD_MAX 512

static struct mta_client client;
static char logbuf[LOG_MAX];
static size_t loglen;

/* ---- the transcript ------------------------------------------------- */

static void logf_(const char *fmt, ...) SK_PRINTF(1, 2);

static void
logf_(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (loglen >= sizeof(logbuf) - 1) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0) {
		loglen += (size_t)n;
		if (loglen >= sizeof(logbuf)) {
			loglen = sizeof(logbuf) - 1;
		}
	}
}

/* log_bytes - bytes as lines: first with p1, the rest with p2 */
static void
log_bytes(const char *p1, const char *p2, const uint8_t *p, size_t n)
{
	size_t i = 0;
	int first = 1, open = 0;

	for (i = 0; i < n; i++) {
		if (!open) {
			logf_("%s", first ? p1 : p2);
			first = 0;
			open = 1;
		}
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			logf_("\n");
			open = 0;
			i++;
		} else if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\') {
			logf_(p[i] == '\\' ? "\\\\" : "\\x%02x", p[i]);
		} else {
			logf_("%c", p[i]);
		}
	}
	if (open) {
		logf_("\\c\n");
	}
}

/* log_escaped - a C string with every unprintable octet as \\xHH */
static void
log_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch >= 0x7f || ch == '\\') {
			logf_("\\x%02x", ch);
		} else {
			logf_("%c", ch);
		}
	}
}

/* ---- the job -------------------------------------------------------- */

struct job {
	char sender[FIELD_MAX];
	char envid[FIELD_MAX];
	char addr[RCPTS_MAX][FIELD_MAX];
	char orcpt[RCPTS_MAX][FIELD_MAX];
	struct mta_rcpt rcpt[RCPTS_MAX];
	uint8_t content[LINE_MAX_LEN];
	size_t contentlen;
	int have_size;
	struct mta_msg msg;
	int jobs;
	char user[FIELD_MAX], pass[FIELD_MAX];
};

static struct job job;

static const char *const status_names[] = { "delivered", "tempfail",
	"permfail" };

static void
on_result(void *arg, size_t i, const struct mta_outcome *o)
{
	(void)arg;
	logf_("[rcpt %zu <", i);
	log_escaped(job.msg.rcpt[i].addr);
	logf_(">: %s %s \"%s\"]\n", status_names[o->status], o->dsn, o->text);
}

/* job_default - one recipient, a small message, policy may */
static void
job_default(struct mta_client_conf *conf)
{
	static const char content[] = "Subject: test\r\n\r\nHello\r\n";

	memset(&job, 0, sizeof(job));
	memset(conf, 0, sizeof(*conf));
	snprintf(job.sender, sizeof(job.sender), "sender@example.org");
	memcpy(job.content, content, sizeof(content) - 1);
	job.contentlen = sizeof(content) - 1;
	job.msg.sender = job.sender;
	job.msg.envid = job.envid;
	job.msg.rcpt = job.rcpt;
	job.jobs = 1;
	conf->helo = "relay.sekimori.test";
	conf->host = "mx.example.net[192.0.2.25]";
	conf->tls = MTA_TLS_MAY;
	conf->result = on_result;
}

/* add_rcpt - "!rcpt ADDR [NOTIFY] [ORCPT]" */
static int
add_rcpt(const char *arg)
{
	char notify[16] = "-", tmp[FIELD_MAX];
	struct mta_rcpt *r;
	size_t i = job.msg.nrcpt;
	int n;

	if (i >= RCPTS_MAX) {
		return 0;
	}
	n = sscanf(arg, "%511s %15s %511s", job.addr[i], notify, job.orcpt[i]);
	if (n < 1) {
		return 0;
	}
	n = (int)test_transcript_unescape(job.addr[i], (uint8_t *)tmp,
	    sizeof(tmp) - 1, 0);
	if (n < 0) {
		return 0;
	}
	memcpy(job.addr[i], tmp, (size_t)n);
	job.addr[i][n] = '\0';
	r = &job.rcpt[i];
	r->addr = job.addr[i];
	r->orcpt = job.orcpt[i];
	r->notify = 0;
	r->notify |= strchr(notify, 'S') ? MSG_NOTIFY_SUCCESS : 0;
	r->notify |= strchr(notify, 'F') ? MSG_NOTIFY_FAILURE : 0;
	r->notify |= strchr(notify, 'D') ? MSG_NOTIFY_DELAY : 0;
	r->notify |= strchr(notify, 'N') ? MSG_NOTIFY_NEVER : 0;
	job.msg.nrcpt++;
	return 1;
}

/* copy_field - a setting's value; 0 if it does not fit */
static int
copy_field(char *out, size_t cap, const char *in)
{
	size_t n = strlen(in);

	if (n >= cap) {
		return 0;
	}
	memcpy(out, in, n + 1);
	return 1;
}

/* setting - one "!name value" line before the first write; 0 if bad */
static int
setting(const char *line, struct mta_client_conf *conf)
{
	static const char *const modes[] = { "none", "may", "encrypt",
		"verify" };
	unsigned long long v;
	long n;
	size_t i;

	if (strncmp(line, "!tls ", 5) == 0) {
		for (i = 0; i < SK_NELEM(modes); i++) {
			if (strcmp(line + 5, modes[i]) == 0) {
				conf->tls = (enum mta_tls_mode)i;
				return 1;
			}
		}
		return 0;
	}
	if (strcmp(line, "!tls-available") == 0) {
		conf->tls_available = 1;
	} else if (strcmp(line, "!tls-active") == 0) {
		conf->tls_active = 1;
	} else if (strcmp(line, "!no-starttls") == 0) {
		conf->no_starttls = 1;
	} else if (sscanf(line, "!auth %511s %511s", job.user, job.pass) == 2) {
		conf->auth_user = job.user;
		conf->auth_pass = job.pass;
	} else if (strncmp(line, "!sender ", 8) == 0) {
		return copy_field(job.sender, sizeof(job.sender), line + 8);
	} else if (strcmp(line, "!sender") == 0) {
		job.sender[0] = '\0';
	} else if (strncmp(line, "!rcpt ", 6) == 0) {
		return add_rcpt(line + 6);
	} else if (strncmp(line, "!envid ", 7) == 0) {
		return copy_field(job.envid, sizeof(job.envid), line + 7);
	} else if (strcmp(line, "!ret full") == 0) {
		job.msg.ret = MSG_RET_FULL;
	} else if (strcmp(line, "!ret hdrs") == 0) {
		job.msg.ret = MSG_RET_HDRS;
	} else if (strcmp(line, "!body 8bit") == 0) {
		job.msg.body = MSG_BODY_8BITMIME;
	} else if (strcmp(line, "!body binary") == 0) {
		job.msg.body = MSG_BODY_BINARYMIME;
	} else if (strcmp(line, "!smtputf8") == 0) {
		job.msg.smtputf8 = 1;
	} else if (sscanf(line, "!size %llu", &v) == 1) {
		job.msg.size = v;
		job.have_size = 1;
	} else if (sscanf(line, "!jobs %llu", &v) == 1) {
		job.jobs = (int)v;
	} else if (strncmp(line, "!content ", 9) == 0) {
		n = test_transcript_unescape(line + 9, job.content,
		    sizeof(job.content), 0);
		if (n < 0) {
			return 0;
		}
		job.contentlen = (size_t)n;
	} else {
		return 0;
	}
	return 1;
}

/* ---- driving the client --------------------------------------------- */

struct drive {
	enum mta_want last_want;
	enum mta_job_state last_job;
	int jobs_left;
	int content_seen; /* content was written after a 354 */
};

/* flush - write out what the client queued, as one client write */
static size_t
flush(void)
{
	const uint8_t *p;
	size_t n;

	p = mta_client_output(&client, &n);
	if (n > 0) {
		log_bytes("C: ", "C+ ", p, n);
		mta_client_sent(&client, n);
	}
	return n;
}

/* give_content - the whole message, in pieces as the output drains */
static void
give_content(void)
{
	size_t off = 0, took;

	while (mta_client_want(&client) == MTA_WANT_CONTENT) {
		if (off == job.contentlen) {
			mta_client_content_end(&client);
			break;
		}
		took = mta_client_content(&client, job.content + off,
		    job.contentlen - off);
		off += took;
		if (took == 0 || mta_client_want(&client) != MTA_WANT_CONTENT) {
			flush();
		}
	}
}

/* note_job - log job state changes and start the next job when idle */
static void
note_job(struct drive *d)
{
	enum mta_job_state js = mta_client_job(&client);
	const struct mta_outcome *f;

	if (js == d->last_job) {
		return;
	}
	d->last_job = js;
	if (js == MTA_JOB_DONE) {
		logf_("[job done]\n");
	} else if (js == MTA_JOB_SESSION_FAILED) {
		f = mta_client_failure(&client);
		logf_("[session failed: %s %s \"%s\"]\n",
		    status_names[f->status], f->dsn, f->text);
	}
}

/* pump - run the client until it waits for the server or a script event */
static void
pump(struct drive *d)
{
	enum mta_want w;

	for (;;) {
		flush();
		note_job(d);
		w = mta_client_want(&client);
		if (w == MTA_WANT_CONTENT) {
			give_content();
			continue;
		}
		if (w == MTA_WANT_JOB && d->jobs_left > 0 &&
		    mta_client_job(&client) != MTA_JOB_RUNNING) {
			d->jobs_left--;
			logf_("[next job]\n");
			mta_client_start(&client, &job.msg);
			d->last_job = MTA_JOB_RUNNING;
			continue;
		}
		if (w == d->last_want) {
			return;
		}
		d->last_want = w;
		if (w == MTA_WANT_TLS) {
			logf_("[starttls: %zu octets discarded; handshake]\n",
			    client.discarded);
		} else if (w == MTA_WANT_JOB) {
			logf_("[idle]\n");
		} else if (w == MTA_WANT_CLOSE) {
			logf_("[close]\n");
		}
		return;
	}
}

/* event - a "!..." line after the first server write */
static int
event(const char *line, struct drive *d)
{
	if (strcmp(line, "!eof") == 0) {
		logf_("[server closed the connection]\n");
		mta_client_eof(&client);
	} else if (strcmp(line, "!timeout") == 0) {
		logf_("[timeout: %llu s]\n",
		    (unsigned long long)mta_client_timeout_ms(&client) / 1000);
		mta_client_timeout(&client);
	} else if (strcmp(line, "!tls-ok") == 0) {
		logf_("[tls handshake ok]\n");
		mta_client_tls_done(&client, 1, NULL);
	} else if (strcmp(line, "!tls-fail") == 0) {
		logf_("[tls handshake failed]\n");
		mta_client_tls_done(&client, 0, "handshake failure");
	} else if (strncmp(line, "!error ", 7) == 0) {
		logf_("[i/o error]\n");
		mta_client_io_error(&client, line + 7);
	} else if (strcmp(line, "!quit") == 0) {
		logf_("[quit]\n");
		mta_client_quit(&client);
	} else {
		return 0;
	}
	pump(d);
	return 1;
}

/* start - the session, once the settings are known */
static void
start(struct mta_client_conf *conf, struct drive *d)
{
	if (job.msg.nrcpt == 0) {
		add_rcpt("rcpt@example.net");
	}
	if (!job.have_size) {
		job.msg.size = job.contentlen;
	}
	mta_client_init(&client, conf);
	mta_client_start(&client, &job.msg);
	memset(d, 0, sizeof(*d));
	d->last_want = MTA_WANT_READ;
	d->last_job = MTA_JOB_RUNNING;
	d->jobs_left = job.jobs - 1;
	logf_("[connect]\n");
	pump(d);
}

/* replay_file - run one .in file; the transcript */
static const char *
replay_file(const char *path)
{
	static char line[LINE_MAX_LEN];
	static uint8_t bytes[LINE_MAX_LEN];
	struct mta_client_conf conf;
	struct drive d;
	int started = 0, lineno = 0;
	long len;
	FILE *f;

	loglen = 0;
	logbuf[0] = '\0';
	job_default(&conf);
	f = fopen(path, "r");
	if (f == NULL) {
		test_fail("%s: cannot open", path);
		return NULL;
	}
	while (test_transcript_line(f, line, sizeof(line), &lineno)) {
		if (!started && line[0] == '!' && setting(line, &conf)) {
			continue;
		}
		if (!started) {
			start(&conf, &d);
			started = 1;
		}
		if (line[0] == '!') {
			if (!event(line, &d)) {
				test_fail("%s:%d: bad event %s", path, lineno,
				    line);
			}
			continue;
		}
		len = test_transcript_unescape(line, bytes, sizeof(bytes), 1);
		if (len < 0) {
			test_fail("%s:%d: bad escape", path, lineno);
			continue;
		}
		log_bytes("S: ", "S: ", bytes, (size_t)len);
		mta_client_input(&client, bytes, (size_t)len);
		pump(&d);
	}
	fclose(f);
	if (!started) {
		start(&conf, &d);
	}
	logf_("[end: state %s]\n", mta_state_name(client.state));
	return logbuf;
}

/* ---- golden transcripts --------------------------------------------- */

/* test_transcripts - every testdata/client/ *.in against its .ref */
static void
test_transcripts(void)
{
	size_t n = test_transcript_run("mta/testdata/client", replay_file,
	    "MTA_UPDATE_REF");

	TEST_CHECK(n >= 30, "only %zu transcripts", n);
}

/* ---- EAST personalities --------------------------------------------- */

enum expect {
	X_DELIVERED, /* the recipient's result: delivered */
	X_TEMP,      /* a temporary failure (session or recipient) */
	X_PERM,      /* a permanent failure */
};

struct persona {
	const char *name;
	const char *greeting; /* NULL: "220 fake.example ESMTP" */
	const char *caps;     /* EHLO keywords before TLS, "|" between */
	const char *caps_tls; /* ... after TLS */
	const char *ehlo;     /* override replies, with CRLF; NULL: normal */
	const char *helo;
	const char *starttls;
	const char *rset;
	const char *quit;
	int ignore_ehlo_tls; /* B_1 step 1: never answers EHLO inside TLS */
	enum mta_tls_mode mode;
	const char *auth; /* credentials "user" / "secret" when set */
	enum expect want;
	int reusable; /* the session must end reusable (RSET worked) */
};

#define AUTH_ALL                                                          \
	"AUTH 0SNET ANONYMOUS APOP ATOKEN CRAM_MD5 CRAM-MD5 CRAM-MD52 "   \
	"CRAM-MD5-LOCAL CRAM-MD5_NOP_IN CRAM-RIPEMD CRAM-SHA1 "           \
	"CRAM-SHA256 CRAM-SHA512 CRYPT DIGEST-MD5 DPLAIN EXTERNAL "       \
	"GS2-IAKERB GS2-KRB5 GSSAPI GSS-SPNEGO HASH LOGIN LOGIN1 LOGIN2 " \
	"LOGIN_2 LOGIN-LDAP LOGIN_MYSQL LOGIN_OLD LOGIN_OUD LOGIN_SEG "   \
	"MD5 MD5-CRYPT MSN NTLM OAUTHBEARER OLD_LOGIN OMD3-MD5 OTP "      \
	"OWSADMIN PLAIN PLAIN2 PLAIN_3 PLAIN-CLIENTTOKEN PLAIN-MD5 "      \
	"PLAIN_MYSQL RPA RSA-AUTH SASLPLAIN SCRAM-MD5 SCRAM-SHA-1 "       \
	"SCRAM-SHA-256 SECURID SHA-1 SKEY SPA SSL-REQUIRED X-0THROOT "    \
	"XALIOAUTH XOAUTH XOAUTH2 XYMCOOKIE XYMYCONNECT"
#define E500 "500 Syntax error, command unrecognized\r\n"
#define MAY MTA_TLS_MAY
#define ENC MTA_TLS_ENCRYPT

/* clang-format off */
static const struct persona personas[] = {
	/* others/greeting */
	{ "greeting/220", "220 smtp.example.com ESMTP ready", "STARTTLS", "AUTH PLAIN", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "greeting/221", "221 Service closing transmission channel", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "greeting/354", "354 Start mail input; End with <CRLF>.<CRLF>", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "greeting/421", "421 Service shutting down", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "greeting/500", "500 Syntax error, command unrecognized", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "greeting/501", "501 Syntax error in command or arguments", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "greeting/530", "530 Must issue STARTTLS first", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "greeting/554", "554 No SMTP service here", "STARTTLS", "", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	/* others/ehlo */
	{ "ehlo/220", NULL, "STARTTLS", "", "220 EHLO client!\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "ehlo/221", NULL, "STARTTLS", "", "221 EHLO client!\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "ehlo/354", NULL, "STARTTLS", "", "354 Start mail input; End with <CRLF>.<CRLF>\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "ehlo/421", NULL, "STARTTLS", "", "421 Service shutting down\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "ehlo/500", NULL, "STARTTLS", "", E500, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "ehlo/501", NULL, "STARTTLS", "", "501 Syntax error in command or arguments\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "ehlo/502", NULL, "STARTTLS", "", "502 Command not implemented\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "ehlo/504", NULL, "STARTTLS", "", "504 Command Parameter not implemented\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "ehlo/530", NULL, "STARTTLS", "", "530 Must issue STARTTLS first\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "ehlo/550", NULL, "STARTTLS", "", "550 Requested action not taken: Command rejected\r\n", NULL, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "ehlo/250-all", NULL, AUTH_ALL, "AUTH PLAIN", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "ehlo/250-all-no-starttls", NULL, AUTH_ALL, "AUTH PLAIN", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "ehlo/250-empty", NULL, "", "AUTH PLAIN", NULL, NULL, NULL, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	/* others/helo, after EHLO 500 */
	{ "helo/ehlo500_helo220", NULL, "STARTTLS", "", E500, "220 HELO client!\r\n", NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "helo/ehlo500_helo221", NULL, "STARTTLS", "", E500, "221 Closing connection!\r\n", NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "helo/ehlo500_helo354", NULL, "STARTTLS", "", E500, "354 Start mail input; End with <CRLF>.<CRLF>\r\n", NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "helo/ehlo500_helo421", NULL, "STARTTLS", "", E500, "421 Service shutting down\r\n", NULL, NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "helo/ehlo500_helo500", NULL, "STARTTLS", "", E500, E500, NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "helo/ehlo500_helo501", NULL, "STARTTLS", "", E500, "501 Syntax error in command or arguments\r\n", NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	{ "helo/ehlo500_helo530", NULL, "STARTTLS", "", E500, "530 Must issue STARTTLS first\r\n", NULL, NULL, NULL, 0, MAY, NULL, X_PERM, 0 },
	/* others/rset, after EHLO 500: the mail goes, reuse does not */
	{ "rset/ehlo500_rset220", NULL, "STARTTLS", "", E500, NULL, NULL, "220 RSET client!\r\n", NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	{ "rset/ehlo500_rset221", NULL, "STARTTLS", "", E500, NULL, NULL, "221 Closing connection!\r\n", NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	{ "rset/ehlo500_rset354", NULL, "STARTTLS", "", E500, NULL, NULL, "354 Start mail input; End with <CRLF>.<CRLF>\r\n", NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	{ "rset/ehlo500_rset421", NULL, "STARTTLS", "", E500, NULL, NULL, "421 Service shutting down\r\n", NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	{ "rset/ehlo500_rset500", NULL, "STARTTLS", "", E500, NULL, NULL, E500, NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	{ "rset/ehlo500_rset501", NULL, "STARTTLS", "", E500, NULL, NULL, "501 Syntax error in command or arguments\r\n", NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	{ "rset/ehlo500_rset530", NULL, "STARTTLS", "", E500, NULL, NULL, "530 Must issue STARTTLS first\r\n", NULL, 0, MAY, NULL, X_DELIVERED, 0 },
	/* others/quit, after a 500 greeting: whatever QUIT gets */
	{ "quit/greeting500_quit220", "500 Syntax error, command unrecognized", "STARTTLS", "", NULL, NULL, NULL, NULL, "220 OK client!\r\n", 0, MAY, NULL, X_PERM, 0 },
	{ "quit/greeting500_quit354", "500 Syntax error, command unrecognized", "STARTTLS", "", NULL, NULL, NULL, NULL, "354 Start mail input\r\n", 0, MAY, NULL, X_PERM, 0 },
	{ "quit/greeting500_quit421", "500 Syntax error, command unrecognized", "STARTTLS", "", NULL, NULL, NULL, NULL, "421 Service shutting down\r\n", 0, MAY, NULL, X_PERM, 0 },
	/* others/starttls, policy may */
	{ "starttls/220", NULL, "STARTTLS", "AUTH PLAIN", NULL, NULL, "220 EHLO client!\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "starttls/221", NULL, "STARTTLS", "", NULL, NULL, "221 Closing connection!\r\n", NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "starttls/354", NULL, "STARTTLS", "", NULL, NULL, "354 Start mail input; End with <CRLF>.<CRLF>\r\n", NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "starttls/421", NULL, "STARTTLS", "", NULL, NULL, "421 Service shutting down\r\n", NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "starttls/454", NULL, "STARTTLS", "", NULL, NULL, "454 TLS not available due to temporary reason\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "starttls/500", NULL, "STARTTLS", "", NULL, NULL, E500, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "starttls/501", NULL, "STARTTLS", "", NULL, NULL, "501 Syntax error in command or arguments\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "starttls/530", NULL, "STARTTLS", "", NULL, NULL, "530 Must issue STARTTLS first\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	/* the same refusals with TLS required: never plaintext */
	{ "starttls/454-encrypt", NULL, "STARTTLS", "", NULL, NULL, "454 TLS not available due to temporary reason\r\n", NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	{ "starttls/530-encrypt", NULL, "STARTTLS", "", NULL, NULL, "530 Must issue STARTTLS first\r\n", NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	/* Negotiation */
	{ "D_1/may", NULL, "", "", E500, NULL, E500, NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "D_1/encrypt", NULL, "", "", E500, NULL, E500, NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	{ "O_1/may", NULL, "AUTH PLAIN LOGIN", "AUTH PLAIN LOGIN", NULL, NULL, "502 Command not implemented\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "O_1/encrypt", NULL, "AUTH PLAIN LOGIN", "AUTH PLAIN LOGIN", NULL, NULL, "502 Command not implemented\r\n", NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	{ "O_2/may", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "502 Command not implemented\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "O_2/encrypt", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "502 Command not implemented\r\n", NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	{ "O_3/may", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "454 TLS not available due to temporary reason\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
	{ "O_3/encrypt", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "454 TLS not available due to temporary reason\r\n", NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	{ "O_4/may", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "354 do something else\r\n", NULL, NULL, 0, MAY, NULL, X_TEMP, 0 },
	{ "O_4/encrypt", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "354 do something else\r\n", NULL, NULL, 0, ENC, NULL, X_TEMP, 0 },
	/* Buffering B_1: step 2 injects replies behind the 220 */
	{ "B_1/step2", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, "220 Ready to start TLS\r\n250-example.org\r\n250 AUTH LOGIN\r\n", NULL, NULL, 0, MAY, "user", X_DELIVERED, 1 },
	{ "B_1/step1", NULL, "STARTTLS", "AUTH PLAIN LOGIN", NULL, NULL, NULL, NULL, NULL, 1, MAY, NULL, X_TEMP, 0 },
	/* setup and X_1 */
	{ "setup", NULL, "STARTTLS", "AUTH PLAIN", NULL, NULL, NULL, NULL, NULL, 0, ENC, "user", X_DELIVERED, 1 },
	{ "setup_opportunistic_encryption", NULL, "STARTTLS|AUTH PLAIN", "AUTH PLAIN", NULL, NULL, NULL, NULL, NULL, 0, MAY, "user", X_DELIVERED, 1 },
	{ "X_1", NULL, AUTH_ALL, "", NULL, NULL, "502 Command not implemented\r\n", NULL, NULL, 0, MAY, NULL, X_DELIVERED, 1 },
};
/* clang-format on */

struct fake {
	const struct persona *p;
	int tls;         /* the fake handshake completed */
	int data;        /* between 354 and the final dot */
	int quit;        /* QUIT answered: the server closes */
	int rset_done;   /* the server answered RSET */
	int bad_content; /* a line that is no command outside DATA */
	int auth_plain;  /* AUTH was sent in plaintext */
	int delivered;   /* the server accepted a message */
	char line[LINE_MAX_LEN];
	size_t linelen;
	char reply[LINE_MAX_LEN];
	size_t replylen;
};

/* fake_say - queue a server reply (the text, with CRLF) */
static void
fake_say(struct fake *f, const char *text)
{
	size_t n = strlen(text);

	if (f->replylen + n < sizeof(f->reply)) {
		memcpy(f->reply + f->replylen, text, n);
		f->replylen += n;
	}
}

/* fake_ehlo - the EHLO reply with this side's keywords */
static void
fake_ehlo(struct fake *f)
{
	const char *caps = f->tls ? f->p->caps_tls : f->p->caps;
	char kw[LINE_MAX_LEN];
	const char *bar;

	fake_say(f, "250-fake.example\r\n");
	while (caps != NULL && *caps != '\0') {
		bar = strchr(caps, '|');
		snprintf(kw, sizeof(kw), "250-%.*s\r\n",
		    bar ? (int)(bar - caps) : (int)strlen(caps), caps);
		fake_say(f, kw);
		caps = bar ? bar + 1 : "";
	}
	fake_say(f, "250 PIPELINING\r\n");
}

/* fake_command - answer one client line */
static void
fake_command(struct fake *f, const char *l)
{
	const struct persona *p = f->p;

	if (f->data) {
		if (strcmp(l, ".") == 0) {
			f->data = 0;
			f->delivered = 1;
			fake_say(f, "250 2.0.0 Ok: queued as F1\r\n");
		}
		return;
	}
	if (strncasecmp(l, "EHLO ", 5) == 0) {
		if (f->tls && p->ignore_ehlo_tls) {
			return;
		}
		p->ehlo && !f->tls ? fake_say(f, p->ehlo) : fake_ehlo(f);
	} else if (strncasecmp(l, "HELO ", 5) == 0) {
		fake_say(f, p->helo ? p->helo : "250 fake.example\r\n");
	} else if (strcasecmp(l, "STARTTLS") == 0) {
		fake_say(f,
		    p->starttls ? p->starttls :
				  "220 2.0.0 Ready to start TLS\r\n");
	} else if (strncasecmp(l, "AUTH ", 5) == 0) {
		f->auth_plain |= !f->tls;
		fake_say(f, "235 2.7.0 Authentication successful\r\n");
	} else if (strncasecmp(l, "MAIL FROM:", 10) == 0 ||
	    strncasecmp(l, "RCPT TO:", 8) == 0) {
		fake_say(f, "250 2.1.0 Ok\r\n");
	} else if (strcasecmp(l, "DATA") == 0) {
		f->data = 1;
		fake_say(f, "354 End data with <CR><LF>.<CR><LF>\r\n");
	} else if (strcasecmp(l, "RSET") == 0) {
		f->rset_done = 1;
		fake_say(f, p->rset ? p->rset : "250 2.0.0 Ok\r\n");
	} else if (strcasecmp(l, "QUIT") == 0) {
		f->quit = 1;
		fake_say(f, p->quit ? p->quit : "221 2.0.0 Bye\r\n");
	} else {
		f->bad_content = 1;
		fake_say(f, E500);
	}
}

/* fake_take - the client's bytes, line by line */
static void
fake_take(struct fake *f, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] == '\n' && f->linelen > 0 &&
		    f->line[f->linelen - 1] == '\r') {
			f->line[f->linelen - 1] = '\0';
			fake_command(f, f->line);
			f->linelen = 0;
		} else if (f->linelen + 1 < sizeof(f->line)) {
			f->line[f->linelen++] = (char)b[i];
		}
	}
}

/* run_persona - one session against p; the recipient's outcome */
static void
run_persona(const struct persona *p)
{
	static struct fake f;
	struct mta_client_conf conf;
	const struct mta_outcome *fail;
	const uint8_t *out;
	size_t n, rounds;
	enum expect got;
	char greet[256];

	memset(&f, 0, sizeof(f));
	f.p = p;
	job_default(&conf);
	add_rcpt("rcpt@example.net");
	job.msg.size = job.contentlen;
	conf.tls = p->mode;
	conf.tls_available = 1;
	if (p->auth != NULL) {
		conf.auth_user = "user";
		conf.auth_pass = "secret";
	}
	loglen = 0;
	mta_client_init(&client, &conf);
	mta_client_start(&client, &job.msg);
	snprintf(greet, sizeof(greet), "%s\r\n",
	    p->greeting ? p->greeting : "220 fake.example ESMTP");
	fake_say(&f, greet);
	for (rounds = 0; rounds < 100; rounds++) {
		if (f.replylen > 0) {
			n = f.replylen;
			f.replylen = 0;
			mta_client_input(&client, (const uint8_t *)f.reply, n);
		}
		while (mta_client_want(&client) == MTA_WANT_CONTENT) {
			give_content();
		}
		out = mta_client_output(&client, &n);
		fake_take(&f, out, n);
		mta_client_sent(&client, n);
		if (mta_client_want(&client) == MTA_WANT_TLS) {
			f.tls = 1;
			mta_client_tls_done(&client, 1, NULL);
			continue;
		}
		if (mta_client_want(&client) == MTA_WANT_CLOSE ||
		    mta_client_want(&client) == MTA_WANT_JOB) {
			break;
		}
		if (f.replylen == 0) {
			/* the server is silent: the client's timer fires */
			mta_client_timeout(&client);
		}
	}
	fail = mta_client_failure(&client);
	if (mta_client_job(&client) == MTA_JOB_SESSION_FAILED) {
		got = fail->status == MSG_PERMFAIL ? X_PERM : X_TEMP;
	} else if (logbuf[0] == '\0') {
		got = X_TEMP; /* no result at all */
		test_fail("%s: no outcome", p->name);
	} else {
		got = strstr(logbuf, ": delivered ") ? X_DELIVERED :
		    strstr(logbuf, ": permfail ")    ? X_PERM :
						       X_TEMP;
	}
	TEST_CHECK(got == p->want, "%s: got outcome %d, want %d (%s)", p->name,
	    (int)got, (int)p->want, fail ? fail->text : logbuf);
	TEST_CHECK(!f.bad_content, "%s: content sent without 354", p->name);
	TEST_CHECK(!f.auth_plain, "%s: AUTH before TLS", p->name);
	TEST_CHECK((got == X_DELIVERED) == f.delivered,
	    "%s: server's view of delivery differs", p->name);
	TEST_CHECK((mta_client_want(&client) == MTA_WANT_JOB) == p->reusable,
	    "%s: reusable %d, want %d", p->name,
	    mta_client_want(&client) == MTA_WANT_JOB, p->reusable);
	if (p->mode == MTA_TLS_ENCRYPT) {
		TEST_CHECK(f.tls || !f.delivered, "%s: plaintext delivery",
		    p->name);
	}
}

static void
test_east_personas(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(personas); i++) {
		run_persona(&personas[i]);
	}
}

/* test_injection_discarded - B_1 step 2: the injected replies are
 * counted as discarded and the capabilities come from inside TLS */
static void
test_injection_discarded(void)
{
	const struct persona *p = NULL;
	size_t i;

	for (i = 0; i < SK_NELEM(personas); i++) {
		if (strcmp(personas[i].name, "B_1/step2") == 0) {
			p = &personas[i];
		}
	}
	TEST_CHECK(p != NULL, "B_1/step2 missing");
	if (p == NULL) {
		return;
	}
	run_persona(p);
	TEST_CHECK(client.discarded ==
		strlen("250-example.org\r\n"
		       "250 AUTH LOGIN\r\n"),
	    "discarded %zu", client.discarded);
	TEST_CHECK(client.tls_active && client.authed, "AUTH inside TLS");
	/* PLAIN came from the EHLO inside TLS, never from the injection */
	TEST_CHECK(client.auth_mechs & MTA_AUTH_PLAIN, "post-TLS mechanisms");
}

/* feed - server bytes into the running client */
static void
feed(const char *s)
{
	mta_client_input(&client, (const uint8_t *)s, strlen(s));
	flush();
}

/* test_timeouts - RFC 5321 4.5.3.2 at each step */
static void
test_timeouts(void)
{
	struct mta_client_conf conf;

	job_default(&conf);
	add_rcpt("rcpt@example.net");
	job.msg.size = job.contentlen;
	loglen = 0;
	mta_client_init(&client, &conf);
	mta_client_start(&client, &job.msg);
	TEST_CHECK(mta_client_timeout_ms(&client) == 300000, "greeting");
	feed("220 mx ESMTP\r\n");
	TEST_CHECK(mta_client_timeout_ms(&client) == 300000, "EHLO");
	feed("250-mx\r\n250 PIPELINING\r\n");
	TEST_CHECK(mta_client_timeout_ms(&client) == 300000, "MAIL");
	feed("250 ok\r\n");
	TEST_CHECK(mta_client_timeout_ms(&client) == 300000, "RCPT");
	feed("250 ok\r\n");
	TEST_CHECK(mta_client_timeout_ms(&client) == 120000, "DATA");
	feed("354 go\r\n");
	TEST_CHECK(mta_client_want(&client) == MTA_WANT_CONTENT &&
		mta_client_timeout_ms(&client) == 180000,
	    "data block");
	mta_client_content_end(&client);
	TEST_CHECK(mta_client_timeout_ms(&client) == 600000, "final dot");
	feed("250 ok\r\n");
	TEST_CHECK(mta_client_timeout_ms(&client) == 20000, "RSET");
	feed("250 ok\r\n");
	TEST_CHECK(mta_client_want(&client) == MTA_WANT_JOB &&
		mta_client_timeout_ms(&client) == 0,
	    "idle: the caller's own timer");
}

const struct test_case test_cases[] = {
	{ "mta_client_transcripts", test_transcripts },
	{ "mta_client_timeouts", test_timeouts },
	{ "mta_client_east_personas", test_east_personas },
	{ "mta_client_injection_discarded", test_injection_discarded },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * conformance_main.c - run the server-side cases of
 * ../shared/conformance/smtp/ through the protocol core.
 *
 * ci/smtp-proto-test.sh turns the JSON files into tab-separated lines
 * (with jq) and pipes them here; the conformance data never enters the
 * repository. Each input line is
 *
 *	KIND <TAB> ID [<TAB> FIELD...]   (jq @tsv escaping: \t \n \\)
 *
 * with KIND one of smuggle (FIELD: bytes in hex), relay (FIELDS:
 * mail_from, rcpt_to with the file's placeholders), cmd (FIELD: the
 * "send" text, lines joined by newlines), starttls, smuggle_extra and
 * dkim_boundary (FIELD: bytes in hex). Each case prints one line,
 * "PASS: smtp-conf-ID" or "FAIL: smtp-conf-ID: reason"; an unknown
 * kind or id fails, so that a new case in the data is never skipped
 * silently. Exit status 0, or 2 if any case failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_replay.h"

#define CONF_LINE_MAX 65536
#define CONF_LOG_MAX 65536
#define CONF_FIELDS 6

/* The placeholders of open-relay-and-command-cases.json. */
#define CONF_FROM "antispam"
#define CONF_TO "relaytest"
#define CONF_DOMAIN "evil.example"
#define CONF_IP "192.0.2.1"
#define CONF_SRV "mx.sekimori.test"

static struct smtp_replay rp;
static char logbuf[CONF_LOG_MAX];
static int failures, cases;

/* result - print one verdict */
static void
result(const char *id, const char *why)
{
	cases++;
	if (why == NULL) {
		printf("PASS: smtp-conf-%s\n", id);
		return;
	}
	failures++;
	printf("FAIL: smtp-conf-%s: %s\n", id, why);
}

/* local_rcpt - relay control of the test gateway: its own names only */
static enum smtp_reply_id
local_rcpt(void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *p, int authenticated)
{
	(void)arg;
	(void)p;
	if (authenticated || (a->flags & SMTP_ADDR_F_POSTMASTER)) {
		return SMTP_R_NONE;
	}
	if (smtp_addr_is_relay_trick(a)) {
		return SMTP_R_ADDR_TRICK;
	}
	if (strcmp(a->domain, "example.org") == 0 ||
	    strcmp(a->domain, CONF_SRV) == 0 ||
	    strcmp(a->domain, "[" CONF_IP "]") == 0) {
		return SMTP_R_NONE;
	}
	return SMTP_R_RELAY_DENIED;
}

/* start - a new session with every extension the relay offers */
static void
start(int auth_needs_tls)
{
	struct smtp_session_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.hostname = CONF_SRV;
	conf.caps = SMTP_EXT_PIPELINING | SMTP_EXT_SIZE | SMTP_EXT_8BITMIME |
	    SMTP_EXT_CHUNKING | SMTP_EXT_SMTPUTF8 | SMTP_EXT_DSN |
	    SMTP_EXT_ENHANCED | SMTP_EXT_STARTTLS | SMTP_EXT_AUTH;
	conf.max_size = 10485760;
	conf.max_errors = 100;
	conf.auth_needs_tls = auth_needs_tls;
	conf.rcpt_check = local_rcpt;
	smtp_replay_init(&rp, &conf, logbuf, sizeof(logbuf));
}

/* say - one client write of a C string */
static void
say(const char *s)
{
	smtp_replay_write(&rp, (const uint8_t *)s, strlen(s));
}

/* say_bytes - one client write of n bytes, or one write per byte */
static void
say_bytes(const uint8_t *p, size_t n, int bytewise)
{
	size_t i;

	if (!bytewise) {
		smtp_replay_write(&rp, p, n);
		return;
	}
	for (i = 0; i < n; i++) {
		smtp_replay_write(&rp, p + i, 1);
	}
}

/* count - occurrences of s in the transcript */
static int
count(const char *s)
{
	const char *p = logbuf;
	int n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* unhex - decode hex into out; length, or -1 */
static long
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] != '\0' && hex[1] != '\0' && n < cap) {
		if (sscanf(hex, "%2x", &v) != 1) {
			return -1;
		}
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return hex[0] == '\0' ? (long)n : -1;
}

/* greet_mail - EHLO, MAIL, RCPT, DATA, each in its own write */
static void
greet_mail(int data)
{
	say("EHLO client.example\r\n");
	say("MAIL FROM:<a@client.example>\r\n");
	say("RCPT TO:<u@example.org>\r\n");
	if (data) {
		say("DATA\r\n");
	}
}

/* smuggle - the injection template around one end-of-data variant */
static void
smuggle(const char *id, const char *hex)
{
	static const char before[] = "Subject: test\r\n\r\nbody line";
	static const char after[] =
	    "MAIL FROM:<smuggled@example.org>\r\n"
	    "RCPT TO:<victim@example.net>\r\nDATA\r\n"
	    "From: smuggled@example.org\r\n\r\nsmuggled\r\n";
	static uint8_t msg[4096];
	uint8_t seq[64];
	char name[128], cmd[64];
	long n;
	size_t len;
	int mode;

	n = unhex(hex, seq, sizeof(seq));
	if (n <= 0) {
		result(id, "bad bytes_hex");
		return;
	}
	len = strlen(before);
	memcpy(msg, before, len);
	memcpy(msg + len, seq, (size_t)n);
	len += (size_t)n;
	memcpy(msg + len, after, strlen(after));
	len += strlen(after);
	/* mode 0: DATA in one write; 1: byte by byte; 2: BDAT LAST */
	for (mode = 0; mode < 3; mode++) {
		snprintf(name, sizeof(name), "smuggle-%s-%s", id,
		    mode == 0     ? "data" :
			mode == 1 ? "data-bytewise" :
				    "bdat");
		start(0);
		greet_mail(mode < 2);
		if (mode < 2) {
			memcpy(msg + len, "\r\n.\r\n", 5);
			say_bytes(msg, len + 5, mode == 1);
		} else {
			snprintf(cmd, sizeof(cmd), "BDAT %zu LAST\r\n", len);
			say(cmd);
			say_bytes(msg, len, 0);
		}
		say("QUIT\r\n");
		/* RFC 5321 2.3.8 policy: one rejection, no message, and the
		 * smuggled commands never answered. */
		if (rp.messages != 0) {
			result(name, "a message was accepted");
		} else if (count("554 5.6.0") != 1) {
			result(name, "want exactly one 554 5.6.0 rejection");
		} else if (count("250 2.1.0") != 1 || count("354 ") > 1) {
			result(name, "smuggled commands were answered");
		} else {
			result(name, NULL);
		}
	}
}

/* placeholders - expand FROM, TO, DOMAIN, IP and SRV; wrap in <> */
static void
placeholders(const char *in, char *out, size_t cap)
{
	static const struct {
		const char *key, *val;
	} keys[] = {
		{ "DOMAIN", CONF_DOMAIN },
		{ "FROM", CONF_FROM },
		{ "TO", CONF_TO },
		{ "SRV", CONF_SRV },
		{ "IP", CONF_IP },
	};
	size_t n = 0, k;
	int hit;

	if (in[0] != '<' && n + 1 < cap) {
		out[n++] = '<';
	}
	while (*in != '\0' && n + 64 < cap) {
		hit = 0;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k].key);

			if (strncmp(in, keys[k].key, kl) == 0) {
				n += (size_t)snprintf(out + n, cap - n, "%s",
				    keys[k].val);
				in += kl;
				hit = 1;
				break;
			}
		}
		if (!hit) {
			out[n++] = *in++;
		}
	}
	if ((n == 0 || out[n - 1] != '>' || out[0] != '<') && n + 1 < cap) {
		out[n++] = '>';
	}
	out[n] = '\0';
}

/* relay - one open-relay form: never accepted for a foreign domain */
static void
relay(const char *n, const char *from, const char *to)
{
	char id[32], f[512], t[512], line[1100];
	struct smtp_addr a;
	enum sk_result r;

	snprintf(id, sizeof(id), "relay-%s", n);
	placeholders(from, f, sizeof(f));
	placeholders(to, t, sizeof(t));
	start(0);
	say("EHLO client.example\r\n");
	snprintf(line, sizeof(line), "MAIL FROM:%s\r\n", f);
	say(line);
	snprintf(line, sizeof(line), "RCPT TO:%s\r\n", t);
	say(line);
	if (count("250 2.1.5") != 0) {
		result(id, "relay recipient accepted");
		return;
	}
	/* The parser reports the real domain: never a hidden one. */
	r = smtp_addr_parse((const uint8_t *)t, strlen(t),
	    SMTP_ADDR_OPT_POSTMASTER, &a);
	if (r == SK_OK && strstr(t, CONF_DOMAIN) != NULL &&
	    strcmp(a.domain, CONF_DOMAIN) != 0 &&
	    !smtp_addr_is_relay_trick(&a)) {
		result(id, "foreign domain hidden and not flagged");
		return;
	}
	result(id, NULL);
}

/* unquote_send - the "send" text: strip '...' and decode \xHH, \r, \n */
static size_t
unquote_send(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0, len = strlen(s);
	unsigned v;

	if (len >= 2 && s[0] == '\'' && s[len - 1] == '\'') {
		s++;
		len -= 2;
	}
	while (len > 0 && n < cap) {
		if (len >= 4 && s[0] == '\\' && s[1] == 'x' &&
		    sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (uint8_t)v;
			s += 4;
			len -= 4;
		} else {
			out[n++] = (uint8_t)*s++;
			len--;
		}
	}
	return n;
}

/* cmd_lines - send each newline-separated line as its own command */
static void
cmd_lines(const char *send)
{
	char line[1024];
	const char *p = send, *nl;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s\r\n", (int)n, p);
		say(line);
		p += n + (nl != NULL);
	}
}

/* cmd - one command regression */
static void
cmd(const char *id, const char *send)
{
	static uint8_t big[100100];
	size_t n;

	start(0);
	say("EHLO client.example\r\n");
	if (strcmp(id, "cve_2020_7247_mailfrom_shell") == 0) {
		cmd_lines(send);
		result(id,
		    count("501 5.1.7") == 1 && count("250 2.1.0") == 0 ?
			NULL :
			"want 501 5.1.7, no 250");
	} else if (strcmp(id, "cve_2011_1720_auth_switch") == 0) {
		cmd_lines(send);
		result(id,
		    count("334 ") == 2 && count("501 5.7.0") == 2 ?
			NULL :
			"want 334 then 501 5.7.0, twice");
	} else if (strcmp(id, "auth_abort_then_plain") == 0) {
		cmd_lines(send);
		/* our stand-in SASL refuses every password: 535 is a clean
		 * start of a new exchange, 503 would not be */
		result(id,
		    count("501 5.7.0") == 1 && count("535 5.7.8") == 1 &&
			    count("503 ") == 0 ?
			NULL :
			"want 501 5.7.0 then a new exchange");
	} else if (strcmp(id, "overlong_command_line") == 0) {
		n = (size_t)snprintf((char *)big, sizeof(big), "MAIL FROM:<");
		memset(big + n, 'A', 100000);
		n += 100000;
		n += (size_t)snprintf((char *)big + n, sizeof(big) - n,
		    "@example.org>\r\n");
		say_bytes(big, n, 0);
		say("NOOP\r\n");
		result(id,
		    count("500 5.5.0") == 1 && count("250 2.0.0 Ok") == 1 ?
			NULL :
			"want one 500 5.5.0, then the session goes on");
	} else if (strcmp(id, "nul_in_command") == 0) {
		n = unquote_send(send, big, sizeof(big) - 2);
		memcpy(big + n, "\r\n", 2);
		say("MAIL FROM:<a@client.example>\r\n");
		say_bytes(big, n + 2, 0);
		result(id,
		    count("501 5.5.2") == 1 && count("250 2.1.5") == 0 ?
			NULL :
			"want 501 5.5.2 and no recipient");
	} else if (strcmp(id, "bdat_state_confusion") == 0) {
		/* BDAT without MAIL: 503, chunk dropped (not a command) */
		say("BDAT 6\r\nQUIT\r\n");
		/* BDAT after a failed RCPT */
		say("MAIL FROM:<a@client.example>\r\n");
		say("RCPT TO:<u@" CONF_DOMAIN ">\r\n");
		say("BDAT 6 LAST\r\nQUIT\r\n");
		/* DATA after BDAT */
		say("RCPT TO:<u@example.org>\r\n");
		say("BDAT 4\r\nab\r\n");
		say("DATA\r\n");
		result(id,
		    count("221 ") == 0 && count("503 5.5.1") == 3 &&
			    count("354 ") == 0 && rp.messages == 0 ?
			NULL :
			"want three 503 5.5.1, no QUIT run, no message");
	} else {
		result(id, "no driver for this case id");
	}
}

/* starttls - the server-side STARTTLS injection cases */
static void
starttls(const char *id)
{
	start(1);
	say("EHLO client.example\r\n");
	if (strcmp(id, "S1_starttls_plus_ehlo_same_segment") == 0) {
		say("STARTTLS\r\nEHLO commandinjectiontester\r\n");
		smtp_replay_tls(&rp);
		result(id,
		    count("250-" CONF_SRV) == 1 ? NULL : "EHLO answered twice");
	} else if (strcmp(id, "S2_starttls_plus_rset") == 0) {
		say("STARTTLS\r\nRSET\r\n");
		smtp_replay_tls(&rp);
		result(id, count("250 2.0.0 Ok") == 0 ? NULL : "RSET answered");
	} else if (strcmp(id, "S3_starttls_plus_mail_from") == 0) {
		say("STARTTLS\r\nMAIL FROM:<attacker@example.org>\r\n");
		smtp_replay_tls(&rp);
		say("RCPT TO:<u@example.org>\r\n");
		result(id,
		    count("250 2.1.0") == 0 && count("250 2.1.5") == 0 ?
			NULL :
			"transaction state carried over");
	} else if (strcmp(id, "S4_post_tls_state_reset") == 0) {
		say("STARTTLS\r\n");
		smtp_replay_tls(&rp);
		say("MAIL FROM:<a@client.example>\r\n");
		result(id,
		    count("503 5.5.1") == 1 && count("250 2.1.0") == 0 ?
			NULL :
			"want 503 5.5.1 before a new EHLO");
	} else if (strcmp(id, "S5_auth_before_tls") == 0) {
		say("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
		result(id,
		    count("530 5.7.0") == 1 && count("AUTH PLAIN LOGIN") == 0 ?
			NULL :
			"want 530 5.7.0 and AUTH not offered");
	} else {
		result(id, "no driver for this case id");
	}
}

/* smuggle_extra - the pipelining check and Exim's test 0900 */
static void
smuggle_extra(const char *id)
{
	start(0);
	if (strcmp(id, "pipelining_check") == 0) {
		greet_mail(1);
		say("Subject: one\r\n\r\none\r\n.\r\n"
		    "MAIL FROM:<b@client.example>\r\nRCPT "
		    "TO:<u@example.org>\r\n"
		    "DATA\r\nSubject: two\r\n\r\ntwo\r\n.\r\n");
		result(id,
		    rp.messages <= 1 && count("354 ") == 1 ?
			NULL :
			"second message accepted");
	} else if (strcmp(id, "exim_0900_variant") == 0) {
		greet_mail(1);
		say("Subject: s\r\n\r\nbody\r\n.\n"
		    "mail from:<smuggler@example.org>\r\n"
		    "rcpt to:<u@example.org>\r\nbdat 86 last\r\n");
		say("QUIT\r\n");
		say(".\r\n");
		result(id,
		    rp.messages == 0 && count("250 2.1.0") == 1 ?
			NULL :
			"want one transaction, rejected");
	} else {
		result(id, "no driver for this case id");
	}
}

/* dkim_boundary - a bare CR line inside the header block */
static void
dkim_boundary(const char *hex)
{
	static const char id[] = "dkim_boundary_smuggling";
	uint8_t line[64];
	long n;

	n = unhex(hex, line, sizeof(line));
	if (n <= 0) {
		result(id, "bad bytes_hex");
		return;
	}
	start(0);
	greet_mail(1);
	say("From: a@client.example\r\nSubject: s\r\n");
	say_bytes(line, (size_t)n, 0);
	say("\r\n\r\nbody\r\n.\r\n");
	result(id,
	    rp.messages == 0 && count("554 5.6.0") == 1 ?
		NULL :
		"header with a bare CR accepted");
}

/* detsv - undo jq's @tsv escaping in place */
static void
detsv(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*o++ = *s == 'n' ? '\n' :
			    *s == 't'    ? '\t' :
			    *s == 'r'    ? '\r' :
					   *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int
main(void)
{
	static char line[CONF_LINE_MAX];
	char *f[CONF_FIELDS], *save = NULL;
	size_t nf, len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n') {
			line[--len] = '\0';
		}
		if (len == 0) {
			continue;
		}
		nf = 0;
		for (f[nf] = strtok_r(line, "\t", &save);
		     f[nf] != NULL && nf + 1 < CONF_FIELDS;
		     f[nf] = strtok_r(NULL, "\t", &save)) {
			detsv(f[nf]);
			nf++;
		}
		if (nf >= 3 && strcmp(f[0], "smuggle") == 0) {
			smuggle(f[1], f[2]);
		} else if (nf >= 4 && strcmp(f[0], "relay") == 0) {
			relay(f[1], f[2], f[3]);
		} else if (nf >= 3 && strcmp(f[0], "cmd") == 0) {
			cmd(f[1], f[2]);
		} else if (nf >= 2 && strcmp(f[0], "starttls") == 0) {
			starttls(f[1]);
		} else if (nf >= 2 && strcmp(f[0], "smuggle_extra") == 0) {
			smuggle_extra(f[1]);
		} else if (nf >= 3 && strcmp(f[0], "dkim_boundary") == 0) {
			dkim_boundary(f[2]);
		} else {
			result(nf > 1 ? f[1] : "input", "unknown case kind");
		}
	}
	printf("INFO: smtp conformance: %d cases, %d failed\n", cases,
	    failures);
	return failures == 0 ? 0 : 2;
}

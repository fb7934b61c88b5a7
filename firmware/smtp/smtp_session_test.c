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
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "smtp_replay.h"
#include "test.h"

#define LOG_MAX 65536
#define PATH_MAX_LEN 1024
#define LINE_MAX_LEN 70000
#define FILES_MAX 256

static struct smtp_replay replay;
static char logbuf[LOG_MAX];
static char relay_domain[256];

/* join - out = a b c, or 0 if it does not fit (no silent truncation) */
static int
join(char *out, size_t cap, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

	if (la + lb + lc >= cap) {
		return 0;
	}
	memcpy(out, a, la);
	memcpy(out + la, b, lb);
	memcpy(out + la + lb, c, lc + 1);
	return 1;
}

/* find_testdata - the testdata folder, or NULL */
static const char *
find_testdata(void)
{
	static char path[PATH_MAX_LEN];
	const char *top = getenv("SK_TOP");
	char up[PATH_MAX_LEN] = ".";
	int i;

	if (top != NULL) {
		return join(path, sizeof(path), top, "/firmware/smtp/testdata",
			   "") &&
			access(path, R_OK) == 0 ?
		    path :
		    NULL;
	}
	for (i = 0; i < 5; i++) {
		if (join(path, sizeof(path), up, "/firmware/smtp/testdata",
			"") &&
		    access(path, R_OK) == 0) {
			return path;
		}
		if (join(path, sizeof(path), up, "/smtp/testdata", "") &&
		    access(path, R_OK) == 0) {
			return path;
		}
		strncat(up, "/..", sizeof(up) - strlen(up) - 1);
	}
	return NULL;
}

/* unescape - the bytes of one .in line; -1 on a bad escape */
static long
unescape(const char *in, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int crlf = 1;

	while (*in != '\0' && n + 2 < cap) {
		if (*in != '\\') {
			out[n++] = (uint8_t)*in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case '0':
			out[n++] = '\0';
			break;
		case '\\':
			out[n++] = '\\';
			break;
		case 'c':
			if (in[1] != '\0') {
				return -1;
			}
			crlf = 0;
			break;
		case 'x':
			if (sk_hexval(in[1]) < 0 || sk_hexval(in[2]) < 0) {
				return -1;
			}
			out[n++] =
			    (uint8_t)(sk_hexval(in[1]) << 4 | sk_hexval(in[2]));
			in += 2;
			break;
		default:
			return -1;
		}
		in++;
	}
	if (crlf) {
		out[n++] = '\r';
		out[n++] = '\n';
	}
	return (long)n;
}

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
		long n = unescape(line + 14, (uint8_t *)relay_domain,
		    sizeof(relay_domain));

		if (n < 2) {
			return 0;
		}
		relay_domain[n - 2] = '\0'; /* the CRLF unescape added */
	} else {
		return 0;
	}
	return 1;
}

/* replay_file - run one .in file; the transcript is in logbuf */
static int
replay_file(const char *path)
{
	static char line[LINE_MAX_LEN];
	static uint8_t bytes[LINE_MAX_LEN];
	struct smtp_session_conf conf;
	int started = 0, lineno = 0;
	size_t n;
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
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n') {
			line[--n] = '\0';
		}
		if (n == 0 || line[0] == '#') {
			continue;
		}
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
		len = unescape(line, bytes, sizeof(bytes));
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
	return 1;
}

/* first_diff - report the first line where got and want differ */
static void
first_diff(const char *name, const char *got, const char *want)
{
	int line = 1;
	const char *g = got, *w = want, *ge, *we;

	for (;;) {
		ge = strchr(g, '\n');
		we = strchr(w, '\n');
		ge = ge != NULL ? ge : g + strlen(g);
		we = we != NULL ? we : w + strlen(w);
		if (ge - g != we - w || memcmp(g, w, (size_t)(ge - g)) != 0) {
			test_fail("%s.ref line %d: got \"%.*s\", want \"%.*s\"",
			    name, line, (int)(ge - g), g, (int)(we - w), w);
			return;
		}
		if (*ge == '\0' || *we == '\0') {
			if (*ge != *we) {
				test_fail("%s.ref: lengths differ after line "
					  "%d",
				    name, line);
			}
			return;
		}
		g = ge + 1;
		w = we + 1;
		line++;
	}
}

/* check_ref - compare (or write) NAME.ref */
static void
check_ref(const char *dir, const char *name)
{
	static char want[LOG_MAX];
	char path[PATH_MAX_LEN];
	const char *update = getenv("SMTP_UPDATE_REF");
	size_t n;
	FILE *f;

	if (!join(path, sizeof(path), dir, "/", name) ||
	    strlen(path) + 4 >= sizeof(path)) {
		test_fail("%s: path too long", name);
		return;
	}
	strcat(path, ".ref");
	if (update != NULL && strcmp(update, "1") == 0) {
		f = fopen(path, "w");
		if (f == NULL || fputs(logbuf, f) == EOF) {
			test_fail("%s: cannot write", path);
		}
		if (f != NULL) {
			fclose(f);
		}
		return;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		test_fail("%s: missing (SMTP_UPDATE_REF=1 writes it)", path);
		return;
	}
	n = fread(want, 1, sizeof(want) - 1, f);
	want[n] = '\0';
	fclose(f);
	if (strcmp(want, logbuf) != 0) {
		first_diff(name, logbuf, want);
	}
}

/* cmp_names - qsort order of file names */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* test_transcripts - every testdata/ *.in against its .ref */
static void
test_transcripts(void)
{
	static char names[FILES_MAX][256];
	char *order[FILES_MAX], path[PATH_MAX_LEN];
	const char *dir = find_testdata();
	struct dirent *e;
	size_t n = 0, i, len;
	DIR *d;

	if (dir == NULL) {
		test_fail("firmware/smtp/testdata not found (set SK_TOP)");
		return;
	}
	d = opendir(dir);
	if (d == NULL) {
		test_fail("%s: cannot open", dir);
		return;
	}
	while ((e = readdir(d)) != NULL && n < FILES_MAX) {
		len = strlen(e->d_name);
		if (len > 3 && len < sizeof(names[0]) &&
		    strcmp(e->d_name + len - 3, ".in") == 0) {
			memcpy(names[n], e->d_name, len - 3);
			names[n][len - 3] = '\0';
			order[n] = names[n];
			n++;
		}
	}
	closedir(d);
	if (n == 0) {
		test_fail("%s: no .in files", dir);
	}
	qsort(order, n, sizeof(order[0]), cmp_names);
	for (i = 0; i < n; i++) {
		if (!join(path, sizeof(path), dir, "/", order[i]) ||
		    strlen(path) + 3 >= sizeof(path)) {
			test_fail("%s: path too long", order[i]);
			continue;
		}
		strcat(path, ".in");
		if (replay_file(path)) {
			check_ref(dir, order[i]);
		}
	}
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
			first_diff("split", logbuf, whole);
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

const struct test_case test_cases[] = {
	{ "smtp_session_envid", test_session_envid },
	{ "smtp_session_transcripts", test_transcripts },
	{ "smtp_session_split", test_session_split },
};
const size_t test_ncases = SK_NELEM(test_cases);

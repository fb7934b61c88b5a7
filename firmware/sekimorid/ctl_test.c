/*
 * ctl_test.c - the control socket: its line parsers (table-driven), and
 * the server and client together over a real socket in a private folder
 * (the server's loop runs in a child process).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_server.h"
#include "event.h"
#include "test.h"

static void
test_request_parse(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		size_t used;
	} cases[] = {
		{ "reload\n", SK_OK, 7 },
		{ "reload\r\n", SK_OK, 8 },
		{ "reload\nreload\n", SK_OK, 7 }, /* one line at a time */
		{ "reload", SK_NEED_MORE, 0 },
		{ "", SK_NEED_MORE, 0 },
		{ "reboot\n", SK_E_SYNTAX, 0 },
		{ "reload \n", SK_E_SYNTAX, 0 },
		{ "RELOAD\n", SK_E_SYNTAX, 0 },
		{ "\n", SK_E_SYNTAX, 0 },
		{ "re\rload\n", SK_E_SYNTAX, 0 },
		{ "statistics\n", SK_OK, 11 },
		{ "statistics clear\r\n", SK_OK, 18 },
		{ "statistics  clear\n", SK_E_SYNTAX, 0 },
		{ "statistics clear all\n", SK_E_SYNTAX, 0 },
		{ "statistic\n", SK_E_SYNTAX, 0 },
	};
	enum ctl_request req;
	enum sk_result r;
	size_t i, used;

	for (i = 0; i < SK_NELEM(cases); i++) {
		used = 0;
		r = ctl_request_parse((const uint8_t *)cases[i].in,
		    strlen(cases[i].in), &req, &used);
		TEST_CHECK(r == cases[i].want, "%zu %s: got %s, want %s", i,
		    cases[i].in, sk_result_str(r),
		    sk_result_str(cases[i].want));
		TEST_CHECK(r != SK_OK || used == cases[i].used,
		    "%zu: used %zu, want %zu", i, used, cases[i].used);
	}
}

/* test_request_too_long - no LF within CTL_REQUEST_MAX octets */
static void
test_request_too_long(void)
{
	uint8_t buf[CTL_REQUEST_MAX + 8];
	enum ctl_request req;
	size_t used;
	enum sk_result r;

	memset(buf, 'a', sizeof(buf));
	r = ctl_request_parse(buf, CTL_REQUEST_MAX - 1, &req, &used);
	TEST_CHECK(r == SK_NEED_MORE, "got %s", sk_result_str(r));
	r = ctl_request_parse(buf, CTL_REQUEST_MAX, &req, &used);
	TEST_CHECK(r == SK_E_TOO_LONG, "got %s", sk_result_str(r));
	/* an LF past the limit is not looked at */
	buf[CTL_REQUEST_MAX + 2] = '\n';
	r = ctl_request_parse(buf, sizeof(buf), &req, &used);
	TEST_CHECK(r == SK_E_TOO_LONG, "got %s", sk_result_str(r));
}

static void
test_answer_parse(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		enum ctl_answer kind;
		const char *text;
	} cases[] = {
		{ "ok\n", SK_OK, CTL_ANS_OK, "" },
		{ "ok\r\n", SK_OK, CTL_ANS_OK, "" },
		{ "refused: f.json: bad\n", SK_OK, CTL_ANS_REFUSED,
		    "f.json: bad" },
		{ "failed: smtp did not come up\n", SK_OK, CTL_ANS_FAILED,
		    "smtp did not come up" },
		{ "refused: \033[2J\n", SK_OK, CTL_ANS_REFUSED, "?[2J" },
		{ "refused:\n", SK_E_SYNTAX, CTL_ANS_OK, "" },
		{ "okay\n", SK_E_SYNTAX, CTL_ANS_OK, "" },
		{ "ok", SK_NEED_MORE, CTL_ANS_OK, "" },
	};
	enum ctl_answer kind;
	char text[64];
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		r = ctl_answer_parse((const uint8_t *)cases[i].in,
		    strlen(cases[i].in), &kind, text, sizeof(text));
		TEST_CHECK(r == cases[i].want, "%zu: got %s, want %s", i,
		    sk_result_str(r), sk_result_str(cases[i].want));
		if (r == SK_OK) {
			TEST_CHECK(kind == cases[i].kind, "%zu: kind %d", i,
			    kind);
			TEST_CHECK(strcmp(text, cases[i].text) == 0,
			    "%zu: text '%s', want '%s'", i, text,
			    cases[i].text);
		}
	}
}

/* test_data_parse - data blocks: complete only at ".", strict lines */
static void
test_data_parse(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		const char *text;
	} cases[] = {
		{ "data\n.\n", SK_OK, "" },
		{ "data\na 1\n\nb 2\n.\n", SK_OK, "a 1\n\nb 2\n" },
		{ "data\r\na 1\r\n.\r\n", SK_OK, "a 1\n" },
		{ "data\na 1\n.\ntrailing", SK_OK, "a 1\n" },
		{ "data\na 1\n", SK_NEED_MORE, "" },
		{ "data\na 1\n.", SK_NEED_MORE, "" },
		{ "data\n", SK_NEED_MORE, "" },
		{ "data\n.. stuffed\n.\n", SK_E_SYNTAX, "" },
		{ "data\n.x\n.\n", SK_E_SYNTAX, "" },
		{ "data\na\tb\n.\n", SK_E_SYNTAX, "" },
		{ "data\na\033[2J\n.\n", SK_E_SYNTAX, "" },
		{ "data\na\rb\n.\n", SK_E_SYNTAX, "" },
		{ "data \n.\n", SK_E_SYNTAX, "" },
		{ "DATA\n.\n", SK_E_SYNTAX, "" },
	};
	enum ctl_answer kind;
	char text[64];
	enum sk_result r;
	size_t i;

	for (i = 0; i < SK_NELEM(cases); i++) {
		r = ctl_answer_parse((const uint8_t *)cases[i].in,
		    strlen(cases[i].in), &kind, text, sizeof(text));
		TEST_CHECK(r == cases[i].want, "%zu: got %s, want %s", i,
		    sk_result_str(r), sk_result_str(cases[i].want));
		if (r == SK_OK) {
			TEST_CHECK(kind == CTL_ANS_DATA, "%zu: kind %d", i,
			    kind);
			TEST_CHECK(strcmp(text, cases[i].text) == 0,
			    "%zu: text '%s', want '%s'", i, text,
			    cases[i].text);
		}
	}
}

/* test_data_limits - a line past CTL_DATA_LINE_MAX, a block past
 * CTL_DATA_MAX, and text cut at a line boundary */
static void
test_data_limits(void)
{
	static uint8_t buf[CTL_DATA_MAX + 64];
	enum ctl_answer kind;
	char text[8];
	enum sk_result r;
	size_t n;

	memcpy(buf, "data\n", 5);
	memset(buf + 5, 'x', CTL_DATA_LINE_MAX);
	r = ctl_answer_parse(buf, 5 + CTL_DATA_LINE_MAX, &kind, text,
	    sizeof(text));
	TEST_CHECK(r == SK_E_TOO_LONG, "long line: got %s", sk_result_str(r));
	for (n = 5; n + 4 <= sizeof(buf); n += 4) {
		memcpy(buf + n, "abc\n", 4);
	}
	r = ctl_answer_parse(buf, n, &kind, text, sizeof(text));
	TEST_CHECK(r == SK_E_TOO_LONG, "long block: got %s", sk_result_str(r));
	r = ctl_answer_parse((const uint8_t *)"data\nabc\ndef\n.\n", 17, &kind,
	    text, sizeof(text));
	TEST_CHECK(r == SK_OK && strcmp(text, "abc\n") == 0, "cut: %s '%s'",
	    sk_result_str(r), text);
}

/* test_answer_cut - a long answer's text is cut to the caller's buffer */
static void
test_answer_cut(void)
{
	const char *in = "refused: 0123456789abcdef\n";
	enum ctl_answer kind;
	char text[8];
	enum sk_result r;

	r = ctl_answer_parse((const uint8_t *)in, strlen(in), &kind, text,
	    sizeof(text));
	TEST_CHECK(r == SK_OK && strcmp(text, "0123456") == 0, "got %s '%s'",
	    sk_result_str(r), text);
}

/* ---- server and client ------------------------------------------------ */

static struct event_loop srv_loop;
static struct event_timer *srv_heap[16];
static struct ctl_server srv;
static char srv_text[CTL_ANSWER_MAX]; /* what the server answers */

/* srv_answer - reload: srv_text; statistics: two lines of data;
 * statistics clear: more lines than a block holds (to test the cut) */
static void
srv_answer(struct ctl_server *s, struct ctl_client *c, enum ctl_request req,
    void *arg)
{
	static char big[CTL_DATA_MAX * 2];
	size_t i;

	(void)s;
	(void)arg;
	switch (req) {
	case CTL_REQ_RELOAD:
		ctl_server_answer(c, srv_text);
		break;
	case CTL_REQ_STATISTICS:
		ctl_server_answer_data(c, "smtp\n  connections 3\n");
		break;
	case CTL_REQ_STATISTICS_CLEAR:
		for (i = 0; i + 16 < sizeof(big); i += 16) {
			memcpy(big + i, "  counter 12345\n", 16);
		}
		big[i] = '\0';
		ctl_server_answer_data(c, big);
		break;
	}
}

/* srv_start - a child serving path, answering every reload with answer;
 * its pid, once the socket is there */
static pid_t
srv_start(const char *path, const char *answer)
{
	char err[256];
	int ready[2];
	pid_t pid;
	char c = 0;

	if (pipe(ready) == -1 || (pid = fork()) == -1) {
		return -1;
	}
	if (pid == 0) {
		close(ready[0]);
		snprintf(srv_text, sizeof(srv_text), "%s", answer);
		if (event_init(&srv_loop, srv_heap, SK_NELEM(srv_heap)) == -1 ||
		    ctl_server_open(&srv, &srv_loop, path, srv_answer, NULL,
			err, sizeof(err)) != SK_OK) {
			_exit(1); /* the test sees no "r" */
		}
		(void)write(ready[1], "r", 1);
		event_run(&srv_loop);
		_exit(0);
	}
	close(ready[1]);
	(void)read(ready[0], &c, 1);
	close(ready[0]);
	return c == 'r' ? pid : -1;
}

static void
srv_stop(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static void
test_roundtrip(void)
{
	char path[512], answer[CTL_ANSWER_MAX], err[256];
	enum ctl_answer kind;
	enum sk_result r;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/ctl", test_tmpdir());
	pid = srv_start(path, "refused: x.json: no");
	TEST_CHECK(pid > 0, "server did not start");
	if (pid <= 0) {
		return;
	}
	r = ctl_call(path, "reload", 5000, &kind, answer, sizeof(answer), err,
	    sizeof(err));
	TEST_CHECK(r == SK_OK && kind == CTL_ANS_REFUSED &&
		strcmp(answer, "refused: x.json: no") == 0,
	    "got %s %d '%s' (%s)", sk_result_str(r), kind, answer, err);
	/* an unknown request is answered, not served */
	r = ctl_call(path, "status", 5000, &kind, answer, sizeof(answer), err,
	    sizeof(err));
	TEST_CHECK(r == SK_OK && kind == CTL_ANS_REFUSED &&
		strstr(answer, "unknown request") != NULL,
	    "got %s '%s' (%s)", sk_result_str(r), answer, err);
	srv_stop(pid);
}

/* test_roundtrip_data - data blocks through the server and client */
static void
test_roundtrip_data(void)
{
	static char answer[CTL_DATA_MAX];
	char path[512], err[256];
	enum ctl_answer kind;
	enum sk_result r;
	size_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/ctl", test_tmpdir());
	pid = srv_start(path, "ok");
	TEST_CHECK(pid > 0, "server did not start");
	if (pid <= 0) {
		return;
	}
	r = ctl_call(path, "statistics", 5000, &kind, answer, sizeof(answer),
	    err, sizeof(err));
	TEST_CHECK(r == SK_OK && kind == CTL_ANS_DATA &&
		strcmp(answer, "smtp\n  connections 3\n") == 0,
	    "got %s %d '%s' (%s)", sk_result_str(r), kind, answer, err);
	/* more than a block holds: the server cuts at a line */
	r = ctl_call(path, "statistics clear", 5000, &kind, answer,
	    sizeof(answer), err, sizeof(err));
	n = strlen(answer);
	TEST_CHECK(r == SK_OK && kind == CTL_ANS_DATA && n > CTL_DATA_MAX / 2 &&
		n % 16 == 0,
	    "got %s %d %zu (%s)", sk_result_str(r), kind, n, err);
	srv_stop(pid);
}

/* test_live_and_stale - a live socket is not taken over, a stale one is */
static void
test_live_and_stale(void)
{
	char path[512], answer[CTL_ANSWER_MAX], err[256];
	enum ctl_answer kind;
	enum sk_result r;
	pid_t a, b;

	snprintf(path, sizeof(path), "%s/ctl", test_tmpdir());
	a = srv_start(path, "ok");
	TEST_CHECK(a > 0, "first server did not start");
	b = srv_start(path, "ok"); /* refuses: "another sekimorid" */
	TEST_CHECK(b == -1, "a second server took a live socket");
	if (b > 0) {
		srv_stop(b);
	}
	srv_stop(a); /* its socket file stays: stale */
	TEST_CHECK(access(path, F_OK) == 0, "no stale socket left");
	r = ctl_call(path, "reload", 5000, &kind, answer, sizeof(answer), err,
	    sizeof(err));
	TEST_CHECK(r == SK_E_CLOSED, "no daemon: got %s", sk_result_str(r));
	b = srv_start(path, "ok");
	TEST_CHECK(b > 0, "a stale socket was not replaced");
	r = ctl_call(path, "reload", 5000, &kind, answer, sizeof(answer), err,
	    sizeof(err));
	TEST_CHECK(r == SK_OK && kind == CTL_ANS_OK, "got %s (%s)",
	    sk_result_str(r), err);
	if (b > 0) {
		srv_stop(b);
	}
}

/* test_no_daemon - nobody at the path: SK_E_CLOSED, naming it */
static void
test_no_daemon(void)
{
	char path[512], answer[CTL_ANSWER_MAX], err[256];
	enum ctl_answer kind;
	enum sk_result r;

	snprintf(path, sizeof(path), "%s/none", test_tmpdir());
	r = ctl_call(path, "reload", 1000, &kind, answer, sizeof(answer), err,
	    sizeof(err));
	TEST_CHECK(r == SK_E_CLOSED && strstr(err, path) != NULL, "got %s (%s)",
	    sk_result_str(r), err);
}

const struct test_case test_cases[] = {
	{ "ctl_request_parse", test_request_parse },
	{ "ctl_request_too_long", test_request_too_long },
	{ "ctl_answer_parse", test_answer_parse },
	{ "ctl_answer_cut", test_answer_cut },
	{ "ctl_data_parse", test_data_parse },
	{ "ctl_data_limits", test_data_limits },
	{ "ctl_roundtrip", test_roundtrip },
	{ "ctl_roundtrip_data", test_roundtrip_data },
	{ "ctl_live_and_stale", test_live_and_stale },
	{ "ctl_no_daemon", test_no_daemon },
};
const size_t test_ncases = SK_NELEM(test_cases);

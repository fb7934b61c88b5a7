/*
 * scan_clamd_test.c - the clamd INSTREAM client: byte-exact transcripts of
 * what it sends, every reply clamd gives and hostile ones, each fed whole,
 * octet by octet and cut at every position; the size limit; the end of the
 * connection; the blocking driver against a fake clamd on a unix socket;
 * addresses, results and the null backend.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"
#include "scan_clamd.h"
#include "scan_io.h"
#include "scan_null.h"
#include "test.h"

#define DRIVER_MSG_MAX (1 << 20)

static struct scan_clamd c;

/* drain - everything the client wants to write, appended to out */
static size_t
drain(struct scan_clamd *cl, uint8_t *out, size_t cap)
{
	const uint8_t *p;
	size_t len, total = 0;

	while (scan_clamd_want(cl) == SCAN_CLAMD_WANT_WRITE) {
		p = scan_clamd_output(cl, &len);
		if (len > cap - total) {
			break;
		}
		memcpy(out + total, p, len);
		total += len;
		scan_clamd_sent(cl, len);
	}
	return total;
}

static void
test_clamd_transcript(void)
{
	static const uint8_t want[] = "zINSTREAM\0"
				      "\0\0\0\x0bHello world"
				      "\0\0\0\x02!\n"
				      "\0\0\0\0";
	uint8_t out[256];
	const uint8_t *p;
	size_t n = 0, len;

	/* written as it comes */
	scan_clamd_init(&c, 0, 1000);
	TEST_CHECK(scan_clamd_deadline(&c) == 1000, "deadline kept");
	n += drain(&c, out + n, sizeof(out) - n);
	TEST_CHECK(scan_clamd_want(&c) == SCAN_CLAMD_WANT_CONTENT,
	    "content wanted after the command");
	TEST_CHECK(scan_clamd_feed(&c, (const uint8_t *)"Hello world", 11) ==
		11,
	    "chunk taken");
	n += drain(&c, out + n, sizeof(out) - n);
	TEST_CHECK(scan_clamd_feed(&c, (const uint8_t *)"!\n", 2) == 2,
	    "second chunk");
	n += drain(&c, out + n, sizeof(out) - n);
	scan_clamd_end(&c);
	n += drain(&c, out + n, sizeof(out) - n);
	TEST_CHECK(n == sizeof(want) - 1 && memcmp(out, want, n) == 0,
	    "transcript differs (%zu octets, want %zu)", n, sizeof(want) - 1);
	TEST_CHECK(scan_clamd_want(&c) == SCAN_CLAMD_WANT_READ, "then read");

	/* gathered: everything fed before the first write is one output */
	scan_clamd_init(&c, 0, 1000);
	TEST_CHECK(scan_clamd_feed(&c, (const uint8_t *)"Hello world", 11) ==
		    11 &&
		scan_clamd_feed(&c, (const uint8_t *)"!\n", 2) == 2,
	    "chunks taken behind the pending command");
	scan_clamd_end(&c);
	p = scan_clamd_output(&c, &len);
	TEST_CHECK(len == sizeof(want) - 1 && memcmp(p, want, len) == 0,
	    "gathered output differs (%zu octets, want %zu)", len,
	    sizeof(want) - 1);
	scan_clamd_sent(&c, 5); /* a short write, then the rest */
	p = scan_clamd_output(&c, &len);
	TEST_CHECK(len == sizeof(want) - 6 && memcmp(p, want + 5, len) == 0,
	    "resumes after a short write");
	scan_clamd_sent(&c, len);
	TEST_CHECK(scan_clamd_want(&c) == SCAN_CLAMD_WANT_READ, "then read");
}

/* a full buffer takes nothing more but the end of the stream */
static void
test_clamd_gather_full(void)
{
	static uint8_t data[2 * SCAN_CLAMD_CHUNK_MAX];
	const uint8_t *p;
	size_t len;

	memset(data, 'g', sizeof(data));
	scan_clamd_init(&c, 0, 0);
	TEST_CHECK(scan_clamd_feed(&c, data, sizeof(data)) ==
		SCAN_CLAMD_CHUNK_MAX,
	    "one whole chunk behind the command");
	TEST_CHECK(scan_clamd_feed(&c, data, sizeof(data)) == 0,
	    "then nothing: the buffer is full");
	scan_clamd_end(&c);
	p = scan_clamd_output(&c, &len);
	TEST_CHECK(len == SCAN_CLAMD_OUT_MAX &&
		memcmp(p + len - 4, "\0\0\0\0", 4) == 0 &&
		scan_clamd_want(&c) == SCAN_CLAMD_WANT_WRITE,
	    "the end still fits (%zu octets of %zu)", len,
	    (size_t)SCAN_CLAMD_OUT_MAX);
	TEST_CHECK(scan_clamd_feed(&c, data, 10) == 10,
	    "content after the end is swallowed");
	/* a buffer nearly full takes a small chunk, never past the end's
	 * room */
	scan_clamd_init(&c, 0, 0);
	TEST_CHECK(scan_clamd_feed(&c, data, SCAN_CLAMD_CHUNK_MAX - 20) ==
		    SCAN_CLAMD_CHUNK_MAX - 20 &&
		scan_clamd_feed(&c, data, sizeof(data)) == 16 &&
		scan_clamd_feed(&c, data, sizeof(data)) == 0,
	    "the last 16 data octets that fit");
	scan_clamd_end(&c);
	(void)scan_clamd_output(&c, &len);
	TEST_CHECK(len == SCAN_CLAMD_OUT_MAX, "filled to the end: %zu", len);
}

static void
test_clamd_chunking(void)
{
	static uint8_t data[SCAN_CLAMD_CHUNK_MAX + 100];
	const uint8_t *p;
	size_t len;

	memset(data, 'a', sizeof(data));
	scan_clamd_init(&c, 0, 0);
	drain(&c, data, 0);
	scan_clamd_sent(&c, 10);
	TEST_CHECK(scan_clamd_feed(&c, data, sizeof(data)) ==
		SCAN_CLAMD_CHUNK_MAX,
	    "one chunk of the maximum size");
	p = scan_clamd_output(&c, &len);
	TEST_CHECK(len == 4 + SCAN_CLAMD_CHUNK_MAX &&
		p[0] == (SCAN_CLAMD_CHUNK_MAX >> 24 & 0xff) &&
		p[1] == (SCAN_CLAMD_CHUNK_MAX >> 16 & 0xff) &&
		p[2] == (SCAN_CLAMD_CHUNK_MAX >> 8 & 0xff) &&
		p[3] == (SCAN_CLAMD_CHUNK_MAX & 0xff),
	    "length prefix of the maximum chunk");
	scan_clamd_sent(&c, 3); /* a short write */
	p = scan_clamd_output(&c, &len);
	TEST_CHECK(len == 1 + SCAN_CLAMD_CHUNK_MAX && p[0] == 0,
	    "short write resumes at the right octet");
	scan_clamd_sent(&c, len + 5); /* more than pending: clamped */
	TEST_CHECK(scan_clamd_feed(&c, data, 100) == 100, "the rest");
	p = scan_clamd_output(&c, &len);
	TEST_CHECK(len == 104 && p[3] == 100, "chunk of 100");
}

struct reply_case {
	const char *in;
	size_t len; /* octets of in, NUL included */
	enum scan_verdict want;
	const char *text; /* NULL: a protocol error */
};

#define R(s) s, sizeof(s) - 1

static const struct reply_case replies[] = {
	{ R("stream: OK\0"), SCAN_CLEAN, "" },
	{ R("stream: Eicar-Test-Signature FOUND\0"), SCAN_INFECTED,
	    "Eicar-Test-Signature" },
	{ R("stream: Win.Test.EICAR_HDB-1 FOUND\0"), SCAN_INFECTED,
	    "Win.Test.EICAR_HDB-1" },
	{ R("stream: Eicar(44d88612fea8a8f36de82e1278abb02f:68) FOUND\0"),
	    SCAN_INFECTED, "Eicar(44d88612fea8a8f36de82e1278abb02f:68)" },
	{ R("stream: Heuristics.Broken Media FOUND\0"), SCAN_INFECTED,
	    "Heuristics.Broken Media" },
	{ R("INSTREAM size limit exceeded. ERROR\0"), SCAN_TOO_LARGE,
	    "INSTREAM size limit exceeded. ERROR" },
	{ R("stream: Can't allocate memory ERROR\0"), SCAN_ERROR,
	    "stream: Can't allocate memory ERROR" },
	{ R("Error processing command. ERROR\0"), SCAN_ERROR,
	    "Error processing command. ERROR" },
	/* hostile or foreign */
	{ R("stream: OK"), SCAN_ERROR, NULL },     /* no NUL, then EOF */
	{ R("stream: OK\n\0"), SCAN_ERROR, NULL }, /* the non-z form */
	{ R("stream: OK\0\0"), SCAN_ERROR, NULL }, /* bytes after */
	{ R("stream: OK\0stream: OK\0"), SCAN_ERROR, NULL },
	{ R("stream: ok\0"), SCAN_ERROR, NULL },
	{ R("Stream: OK\0"), SCAN_ERROR, NULL },
	{ R("stream:OK\0"), SCAN_ERROR, NULL },
	{ R("stream: OK \0"), SCAN_ERROR, NULL },
	{ R("1: stream: OK\0"), SCAN_ERROR, NULL }, /* IDSESSION form */
	{ R("stream: FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream:  FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream:   FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream:  X FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream: X  FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream: X FOUND \0"), SCAN_ERROR, NULL },
	{ R("stream: X\tY FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream: X\xff FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream: X\x7f FOUND\0"), SCAN_ERROR, NULL },
	{ R("stream: X found\0"), SCAN_ERROR, NULL },
	{ R("PONG\0"), SCAN_ERROR, NULL }, { R("\0"), SCAN_ERROR, NULL },
	{ R("ERROR\0"), SCAN_ERROR, NULL },
	{ R("stream: \0"), SCAN_ERROR, NULL },
	{ R(""), SCAN_ERROR, NULL }, /* EOF at once */
};

/* run_reply - feed a reply cut at the given positions (0 = whole) */
static void
run_reply(const struct reply_case *rc, size_t cut, int bytewise)
{
	const uint8_t *in = (const uint8_t *)rc->in;
	const struct scan_result *r;
	size_t off = 0, step;

	scan_clamd_init(&c, 0, 0);
	drain(&c, (uint8_t *)NULL, 0);
	scan_clamd_sent(&c, 10);
	scan_clamd_end(&c);
	scan_clamd_sent(&c, 4);
	while (off < rc->len && scan_clamd_want(&c) != SCAN_CLAMD_WANT_DONE) {
		step = bytewise ? 1 : (off < cut ? cut - off : rc->len - off);
		(void)scan_clamd_input(&c, in + off, step);
		off += step;
	}
	if (off < rc->len) {
		/* done before the end: the rest must spoil the verdict */
		TEST_CHECK(scan_clamd_input(&c, in + off, rc->len - off) !=
			SK_OK,
		    "%s: octets after the reply taken", rc->in);
	}
	scan_clamd_eof(&c);
	r = scan_clamd_result(&c);
	TEST_CHECK(scan_clamd_want(&c) == SCAN_CLAMD_WANT_DONE, "%s: not done",
	    rc->in);
	TEST_CHECK(r->verdict == rc->want,
	    "%s (cut %zu, bytewise %d): got %s, want %s", rc->in, cut, bytewise,
	    scan_verdict_name(r->verdict), scan_verdict_name(rc->want));
	if (rc->text != NULL) {
		TEST_CHECK(strcmp(r->text, rc->text) == 0, "%s: text '%s'",
		    rc->in, r->text);
	}
}

static void
test_clamd_replies(void)
{
	size_t i, cut;

	for (i = 0; i < SK_NELEM(replies); i++) {
		run_reply(&replies[i], 0, 0);
		run_reply(&replies[i], 0, 1);
		for (cut = 1; cut < replies[i].len; cut++) {
			run_reply(&replies[i], cut, 0);
		}
	}
}

static void
test_clamd_reply_limit(void)
{
	static char big[SCAN_CLAMD_REPLY_MAX + 32];
	enum sk_result res;
	size_t n;

	/* the longest reply we take */
	memset(big, 'A', sizeof(big));
	memcpy(big, "stream: ", 8);
	n = SCAN_CLAMD_REPLY_MAX;
	memcpy(big + n - 6, " FOUND", 6);
	big[n] = '\0';
	scan_clamd_init(&c, 0, 0);
	res = scan_clamd_input(&c, (const uint8_t *)big, n + 1);
	TEST_CHECK(res == SK_OK && c.result.verdict == SCAN_INFECTED &&
		strlen(c.result.text) == n - 14,
	    "a reply of exactly the limit: %s", sk_result_str(res));
	/* one more octet, in two pieces */
	memset(big, 'A', sizeof(big));
	memcpy(big, "stream: ", 8);
	scan_clamd_init(&c, 0, 0);
	res = scan_clamd_input(&c, (const uint8_t *)big, 600);
	TEST_CHECK(res == SK_NEED_MORE, "first piece: %s", sk_result_str(res));
	res = scan_clamd_input(&c, (const uint8_t *)big, 600);
	TEST_CHECK(res == SK_E_TOO_LONG && c.result.verdict == SCAN_ERROR,
	    "past the limit: %s", sk_result_str(res));
}

/* test_clamd_stream_limit - cut at max_stream; prefix scanned */
static void
test_clamd_stream_limit(void)
{
	static const uint8_t want[] = "\0\0\0\x0a"
				      "0123456789"
				      "\0\0\0\0";
	const char *data = "0123456789abcdefghijklmno";
	uint8_t out[64];
	size_t n = 0, took;

	scan_clamd_init(&c, 10, 0);
	drain(&c, out, sizeof(out));
	took = scan_clamd_feed(&c, (const uint8_t *)data, 25);
	TEST_CHECK(took == 10, "took %zu, want 10", took);
	n += drain(&c, out + n, sizeof(out) - n);
	took = scan_clamd_feed(&c, (const uint8_t *)data + 10, 15);
	TEST_CHECK(took == 15, "the rest is refused for good (%zu)", took);
	TEST_CHECK(scan_clamd_feed(&c, (const uint8_t *)data, 5) == 5,
	    "and later content too");
	n += drain(&c, out + n, sizeof(out) - n);
	TEST_CHECK(n == sizeof(want) - 1 && memcmp(out, want, n) == 0,
	    "stream not cut at 10 octets then ended");
	scan_clamd_end(&c); /* harmless */
	TEST_CHECK(scan_clamd_want(&c) == SCAN_CLAMD_WANT_READ, "read");
	(void)scan_clamd_input(&c, (const uint8_t *)"stream: OK", 11);
	TEST_CHECK(c.result.verdict == SCAN_TOO_LARGE,
	    "OK on a cut stream "
	    "is too large: %s",
	    scan_verdict_name(c.result.verdict));

	scan_clamd_init(&c, 10, 0);
	drain(&c, out, sizeof(out));
	scan_clamd_feed(&c, (const uint8_t *)data, 25);
	drain(&c, out, sizeof(out));
	scan_clamd_feed(&c, (const uint8_t *)data + 10, 15);
	(void)scan_clamd_input(&c, (const uint8_t *)"stream: V FOUND", 16);
	TEST_CHECK(c.result.verdict == SCAN_INFECTED &&
		strcmp(c.result.text, "V") == 0,
	    "a virus in the prefix wins");

	/* exactly at the limit: not too large */
	scan_clamd_init(&c, 10, 0);
	drain(&c, out, sizeof(out));
	scan_clamd_feed(&c, (const uint8_t *)data, 10);
	drain(&c, out, sizeof(out));
	scan_clamd_end(&c);
	drain(&c, out, sizeof(out));
	(void)scan_clamd_input(&c, (const uint8_t *)"stream: OK", 11);
	TEST_CHECK(c.result.verdict == SCAN_CLEAN, "exactly the limit: %s",
	    scan_verdict_name(c.result.verdict));
}

/* test_clamd_early - clamd answers (its size limit) mid-stream */
static void
test_clamd_early(void)
{
	const char *r = "INSTREAM size limit exceeded. ERROR";

	scan_clamd_init(&c, 0, 0);
	drain(&c, (uint8_t *)NULL, 0);
	scan_clamd_sent(&c, 10);
	scan_clamd_feed(&c, (const uint8_t *)"abc", 3);
	TEST_CHECK(scan_clamd_input(&c, (const uint8_t *)r, strlen(r) + 1) ==
		SK_OK,
	    "an early reply is taken");
	TEST_CHECK(scan_clamd_want(&c) == SCAN_CLAMD_WANT_DONE &&
		c.result.verdict == SCAN_TOO_LARGE,
	    "early reply ends the session");
	TEST_CHECK(scan_clamd_feed(&c, (const uint8_t *)"abc", 3) == 3,
	    "content after the end is swallowed");
	scan_clamd_fail(&c, "timed out");
	TEST_CHECK(c.result.verdict == SCAN_TOO_LARGE, "fail keeps a verdict");
}

static void
test_clamd_eof(void)
{
	scan_clamd_init(&c, 0, 0);
	scan_clamd_eof(&c);
	TEST_CHECK(c.result.verdict == SCAN_ERROR &&
		strstr(c.result.text, "without reply") != NULL,
	    "eof at once: %s", c.result.text);
	scan_clamd_init(&c, 0, 0);
	(void)scan_clamd_input(&c, (const uint8_t *)"stream", 6);
	scan_clamd_eof(&c);
	TEST_CHECK(strstr(c.result.text, "cut short") != NULL,
	    "eof inside the reply: %s", c.result.text);
	scan_clamd_init(&c, 0, 0);
	scan_clamd_fail(&c, "clamd: timed out");
	TEST_CHECK(c.result.verdict == SCAN_ERROR &&
		strcmp(c.result.text, "clamd: timed out") == 0 &&
		scan_clamd_want(&c) == SCAN_CLAMD_WANT_DONE,
	    "fail");
}

/* ---- the blocking driver, against a fake clamd ------------------------- */

/* fake_clamd - serve one connection: read the stream (or stop reading
 * after stop_after octets), then write reply and close; exits */
static void
fake_clamd(int lfd, size_t stop_after, const char *reply, size_t rlen)
{
	uint8_t buf[4096];
	size_t total = 0;
	ssize_t n;
	int fd = accept(lfd, NULL, NULL);

	while (fd >= 0 && total < stop_after) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			break;
		}
		total += (size_t)n;
		/* the end: a zero chunk as the last four octets */
		if (stop_after == SIZE_MAX && total >= 14 && n >= 4 &&
		    memcmp(buf + n - 4, "\0\0\0\0", 4) == 0) {
			break;
		}
	}
	if (fd >= 0 && rlen > 0) {
		(void)write(fd, reply, rlen);
	} else {
		sleep(10); /* a clamd that never answers: killed by the test */
	}
	_exit(0);
}

static pid_t
start_fake(const char *path, size_t stop_after, const char *reply, size_t rlen)
{
	struct sockaddr_un sun;
	pid_t pid;
	int lfd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		test_fail("fake clamd: path too long: %s", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(lfd, 1) != 0) {
		test_fail("fake clamd: cannot listen on %s", path);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		fake_clamd(lfd, stop_after, reply, rlen);
	}
	close(lfd);
	return pid;
}

static void
run_driver(const char *name, size_t stop_after, const char *reply, size_t rlen,
    size_t msg_len, uint32_t timeout_ms, enum scan_verdict want)
{
	static struct scan_clamd_io_storage {
		uint8_t b[sizeof(struct scan_clamd) + 64];
	} ctx;
	static uint8_t msg[DRIVER_MSG_MAX];
	const struct scan_backend *b = scan_backend_find("clamd");
	char path[256];
	struct scan_conf conf = { .address = path, .timeout_ms = timeout_ms };
	struct scan_env env = { 0 };
	struct scan_result res;
	uint64_t start;
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s/%s.sock", test_tmpdir(), name);
	pid = start_fake(path, stop_after, reply, rlen);
	if (pid < 0 || b == NULL || b->ctx_size > sizeof(ctx)) {
		test_fail("%s: setup", name);
		return;
	}
	memset(msg, 'm', sizeof(msg));
	start = scan_io_now();
	if (b->open(&ctx, &conf, &env) == SK_OK &&
	    b->feed(&ctx, msg, msg_len) == SK_OK) {
		(void)b->finish(&ctx);
	}
	b->verdict(&ctx, &res);
	b->close(&ctx);
	TEST_CHECK(scan_io_now() <= start + timeout_ms + 200,
	    "%s: took %llu ms, timeout %u", name,
	    (unsigned long long)(scan_io_now() - start), timeout_ms);
	TEST_CHECK(res.verdict == want, "%s: got %s (%s), want %s", name,
	    scan_verdict_name(res.verdict), res.text, scan_verdict_name(want));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void
test_clamd_driver(void)
{
	signal(SIGPIPE, SIG_IGN);
	run_driver("ok", SIZE_MAX, "stream: OK", 11, 100000, 5000, SCAN_CLEAN);
	run_driver("found", SIZE_MAX, "stream: V FOUND", 16, 10, 5000,
	    SCAN_INFECTED);
	/* clamd stops reading, answers and closes mid-stream */
	run_driver("early", 20000, "INSTREAM size limit exceeded. ERROR", 36,
	    DRIVER_MSG_MAX, 5000, SCAN_TOO_LARGE);
	run_driver("silent", SIZE_MAX, "", 0, 10, 300, SCAN_ERROR);
	run_driver("garbage", SIZE_MAX, "HTTP/1.0 400\r\n", 14, 10, 5000,
	    SCAN_ERROR);
}

/* ---- addresses, results, the table ------------------------------------ */

static void
test_scan_addr(void)
{
	static const struct {
		const char *in;
		enum sk_result want;
		int unix_path;
		const char *host;
		unsigned port;
	} cases[] = {
		{ "/run/clamav/clamd.ctl", SK_OK, 1, "/run/clamav/clamd.ctl",
		    0 },
		{ "unix:/run/m.sock", SK_OK, 1, "/run/m.sock", 0 },
		{ "local:/run/m.sock", SK_OK, 1, "/run/m.sock", 0 },
		{ "127.0.0.1:3310", SK_OK, 0, "127.0.0.1", 3310 },
		{ "clamd.example.com:3310", SK_OK, 0, "clamd.example.com",
		    3310 },
		{ "[2001:db8::1]:3310", SK_OK, 0, "2001:db8::1", 3310 },
		{ "inet:8891@127.0.0.1", SK_OK, 0, "127.0.0.1", 8891 },
		{ "inet6:8891@::1", SK_OK, 0, "::1", 8891 },
		{ "2001:db8::1:3310", SK_E_SYNTAX, 0, "", 0 },
		{ "host", SK_E_SYNTAX, 0, "", 0 },
		{ "host:", SK_E_SYNTAX, 0, "", 0 },
		{ ":25", SK_E_SYNTAX, 0, "", 0 },
		{ "host:0", SK_E_RANGE, 0, "", 0 },
		{ "host:65536", SK_E_RANGE, 0, "", 0 },
		{ "host:123456", SK_E_SYNTAX, 0, "", 0 },
		{ "host:+25", SK_E_SYNTAX, 0, "", 0 },
		{ "ho st:25", SK_E_SYNTAX, 0, "", 0 },
		{ "[::1:25", SK_E_SYNTAX, 0, "", 0 },
		{ "inet:@host", SK_E_SYNTAX, 0, "", 0 },
		{ "", SK_E_SYNTAX, 0, "", 0 },
	};
	struct scan_addr a;
	char longpath[200];
	size_t i;
	enum sk_result r;

	for (i = 0; i < SK_NELEM(cases); i++) {
		r = scan_addr_parse(cases[i].in, &a);
		TEST_CHECK(r == cases[i].want, "%s: got %s, want %s",
		    cases[i].in, sk_result_str(r),
		    sk_result_str(cases[i].want));
		if (r == SK_OK) {
			TEST_CHECK(a.unix_path == cases[i].unix_path &&
				strcmp(a.host, cases[i].host) == 0 &&
				a.port == cases[i].port,
			    "%s: got %d %s %u", cases[i].in, a.unix_path,
			    a.host, a.port);
		}
	}
	memset(longpath, 'p', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	TEST_CHECK(scan_addr_parse(longpath, &a) == SK_E_TOO_LONG,
	    "a path longer than sun_path");
}

static void
test_scan_result(void)
{
	struct scan_result r;
	char big[SCAN_TEXT_MAX + 10];

	scan_result_set(&r, SCAN_INFECTED, "a\x01\xffz", 4);
	TEST_CHECK(strcmp(r.text, "a??z") == 0, "controls replaced: %s",
	    r.text);
	memset(big, 'x', sizeof(big));
	scan_result_set(&r, SCAN_ERROR, big, sizeof(big));
	TEST_CHECK(strlen(r.text) == SCAN_TEXT_MAX - 1, "cut");
	TEST_CHECK(strcmp(scan_verdict_name(SCAN_TOO_LARGE), "too-large") ==
		    0 &&
		strcmp(scan_verdict_name(SCAN_VERDICT_COUNT), "error") == 0,
	    "names");
	TEST_CHECK(scan_backend_find("clamd") == &scan_clamd_backend &&
		scan_backend_find("milter") == &scan_milter_backend &&
		scan_backend_find("null") == &scan_null_backend &&
		scan_backend_find("nope") == NULL,
	    "backend table");
}

static void
test_scan_null(void)
{
	const struct scan_backend *b = &scan_null_backend;
	struct scan_null n;
	struct scan_conf conf = { 0 };
	struct scan_env env = { 0 };
	struct scan_result r;

	TEST_CHECK(b->ctx_size == sizeof(n), "size");
	TEST_CHECK(b->open(&n, &conf, &env) == SK_OK, "open");
	TEST_CHECK(b->feed(&n, (const uint8_t *)"abc", 3) == SK_OK &&
		b->feed(&n, (const uint8_t *)"de", 2) == SK_OK,
	    "feed");
	TEST_CHECK(b->finish(&n) == SK_OK && n.finished && n.fed == 5,
	    "finish, fed %llu", (unsigned long long)n.fed);
	b->verdict(&n, &r);
	TEST_CHECK(r.verdict == SCAN_CLEAN && b->actions(&n) == NULL,
	    "always clean");
	b->close(&n);
}

const struct test_case test_cases[] = {
	{ "scan_clamd_transcript", test_clamd_transcript },
	{ "scan_clamd_chunking", test_clamd_chunking },
	{ "scan_clamd_gather_full", test_clamd_gather_full },
	{ "scan_clamd_replies", test_clamd_replies },
	{ "scan_clamd_reply_limit", test_clamd_reply_limit },
	{ "scan_clamd_stream_limit", test_clamd_stream_limit },
	{ "scan_clamd_early", test_clamd_early },
	{ "scan_clamd_eof", test_clamd_eof },
	{ "scan_clamd_driver", test_clamd_driver },
	{ "scan_addr", test_scan_addr },
	{ "scan_result", test_scan_result },
	{ "scan_null", test_scan_null },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * mta_process_test.c - mta_process end to end: the test plays the parent
 * and the queue over socketpairs, a forked SMTP server listens on
 * 127.0.0.1, DNS comes from a zone file, and real messages go through.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
#include "msg_body.h"
#include "mta_process.h"
#include "mta_transport.h"
#include "test.h"

#define WAIT_MS 10000
#define LOGS_MAX 8192
#define RESULTS_MAX 16
#define PATHLEN 512
#define DIRLEN 256

static struct config cfg;
static char logs[LOGS_MAX]; /* MSG_LOG lines from the mta */
static size_t logslen;

/* ---- the SMTP server ---------------------------------------------- */

struct server {
	pid_t pid;
	uint16_t port;
	int lfd;
	char dir[DIRLEN];
	int silent; /* accepts, never speaks */
};

/* server_reply - write a whole reply */
static void
server_say(int fd, const char *s)
{
	size_t n = strlen(s), off = 0;
	ssize_t k;

	while (off < n) {
		k = write(fd, s + off, n - off);
		if (k <= 0) {
			_exit(0);
		}
		off += (size_t)k;
	}
}

/* server_data - read content to the dot, unstuffed, into a file */
static void
server_data(FILE *in, const char *dir, int seq)
{
	char line[4096], path[PATHLEN];
	FILE *out;

	snprintf(path, sizeof(path), "%s/msg-%d-%d", dir, (int)getpid(), seq);
	out = fopen(path, "w");
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strcmp(line, ".\r\n") == 0) {
			break;
		}
		if (out != NULL) {
			fputs(line[0] == '.' ? line + 1 : line, out);
		}
	}
	if (out != NULL) {
		fclose(out);
	}
}

/* server_session - one SMTP session, Postfix-like replies */
static void
server_session(int fd, const char *dir)
{
	FILE *in = fdopen(fd, "r");
	char line[4096], reply[4200];
	int seq = 0;

	server_say(fd, "220 sink.test ESMTP\r\n");
	while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
		if (strncasecmp(line, "EHLO", 4) == 0) {
			server_say(fd,
			    "250-sink.test\r\n250-PIPELINING\r\n"
			    "250-SIZE 1000000\r\n250-8BITMIME\r\n"
			    "250-STARTTLS\r\n"
			    "250-ENHANCEDSTATUSCODES\r\n250 DSN\r\n");
		} else if (strncasecmp(line, "STARTTLS", 8) == 0) {
			/* the fake TLS of the test stays plaintext */
			server_say(fd, "220 2.0.0 Ready to start TLS\r\n");
		} else if (strncasecmp(line, "MAIL", 4) == 0) {
			server_say(fd, "250 2.1.0 Ok\r\n");
		} else if (strncasecmp(line, "RCPT TO:<reject", 15) == 0) {
			line[strcspn(line, "\r\n")] = '\0';
			snprintf(reply, sizeof(reply),
			    "550 5.1.1 %s: Recipient address rejected: User "
			    "unknown\r\n",
			    line + 8);
			server_say(fd, reply);
		} else if (strncasecmp(line, "RCPT TO:<defer", 14) == 0) {
			server_say(fd, "450 4.2.0 try later\r\n");
		} else if (strncasecmp(line, "RCPT", 4) == 0) {
			server_say(fd, "250 2.1.5 Ok\r\n");
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			server_say(fd,
			    "354 End data with <CR><LF>.<CR><LF>\r\n");
			server_data(in, dir, ++seq);
			snprintf(reply, sizeof(reply),
			    "250 2.0.0 Ok: queued as T%d\r\n", seq);
			server_say(fd, reply);
		} else if (strncasecmp(line, "RSET", 4) == 0) {
			server_say(fd, "250 2.0.0 Ok\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			server_say(fd, "221 2.0.0 Bye\r\n");
			break;
		} else {
			server_say(fd,
			    "500 5.5.2 Error: command not recognized\r\n");
		}
	}
	_exit(0);
}

/* server_start - listen on 127.0.0.1, fork the accepting process */
static int
server_start(struct server *s, int silent)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char path[PATHLEN];
	int fd, one = 1;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->silent = silent;
	snprintf(s->dir, sizeof(s->dir), "%s", test_tmpdir());
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(s->lfd, 16) ||
	    getsockname(s->lfd, (struct sockaddr *)&sin, &sl)) {
		test_fail("listen: %s", strerror(errno));
		return 0;
	}
	s->port = ntohs(sin.sin_port);
	s->pid = fork();
	if (s->pid != 0) {
		return s->pid > 0;
	}
	signal(SIGCHLD, SIG_IGN); /* no zombies from sessions */
	for (;;) {
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/connections", s->dir);
		f = fopen(path, "a");
		if (f != NULL) {
			fputs("x\n", f);
			fclose(f);
		}
		if (silent) {
			continue; /* keep it open, say nothing */
		}
		if (fork() == 0) {
			close(s->lfd);
			server_session(fd, s->dir);
		}
		close(fd);
	}
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	if (s->lfd >= 0) {
		close(s->lfd);
	}
}

/* server_count - lines in DIR/NAME-prefixed files: connections, msgs */
static int
server_connections(const struct server *s)
{
	char path[PATHLEN], line[16];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/connections", s->dir);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		n++;
	}
	if (f != NULL) {
		fclose(f);
	}
	return n;
}

/* server_has_message - some msg-* file in dir holds exactly want */
static int
server_has_message(const struct server *s, const char *want)
{
	char cmd[PATHLEN + 64], buf[4096];
	size_t n;
	FILE *p;
	int found = 0;

	/* the sessions are separate processes: look at every file */
	snprintf(cmd, sizeof(cmd), "cat %s/msg-* 2>/dev/null", s->dir);
	p = popen(cmd, "r");
	if (p == NULL) {
		return 0;
	}
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	found = strstr(buf, want) != NULL;
	return found;
}

/* ---- a fake TLS behind the hook: plaintext bytes, a TLS label -------- */

static int fake_tls_fail; /* the handshake fails */

static enum mta_io
fake_read(struct mta_transport *t, uint8_t *buf, size_t cap, size_t *got)
{
	ssize_t n = read(t->fd, buf, cap);

	*got = n > 0 ? (size_t)n : 0;
	if (n < 0) {
		return errno == EAGAIN ? MTA_IO_WANT_READ : MTA_IO_ERROR;
	}
	return n == 0 ? MTA_IO_EOF : MTA_IO_OK;
}

static enum mta_io
fake_write(struct mta_transport *t, const uint8_t *buf, size_t len, size_t *put)
{
	ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);

	*put = n > 0 ? (size_t)n : 0;
	if (n < 0) {
		return errno == EAGAIN ? MTA_IO_WANT_WRITE : MTA_IO_ERROR;
	}
	return MTA_IO_OK;
}

static enum mta_io
fake_start_tls(struct mta_transport *t)
{
	if (fake_tls_fail) {
		snprintf(t->why, sizeof(t->why), "fake handshake failure");
		return MTA_IO_ERROR;
	}
	snprintf(t->tls_info, sizeof(t->tls_info), "TLSv1.3 with cipher FAKE");
	return MTA_IO_OK;
}

static void
fake_close(struct mta_transport *t)
{
	close(t->fd);
	t->fd = -1;
}

static const struct mta_transport_ops fake_ops = { "fake-tls", fake_read,
	fake_write, fake_start_tls, fake_close };

static int
fake_wrap(struct mta_transport *t, const struct mta_tls_params *p)
{
	(void)p;
	t->ops = &fake_ops;
	return 0;
}

static int use_fake_tls;

/* ---- the mta, and the test as its parent and queue ------------------ */

struct mta {
	pid_t pid;
	int psock, qsock; /* our ends */
	struct msg_reader pr, qr;
	struct msg_writer pw, qw;
};

static struct mta mta;

struct result {
	uint32_t id;
	uint8_t status;
	char dsn[16], reply[1024], relay[512], tls[128];
};

static void
mta_start(const char *zone)
{
	int p[2], q[2];

	memset(&mta, 0, sizeof(mta));
	logslen = 0;
	logs[0] = '\0';
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, q)) {
		test_fail("socketpair: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	mta.pid = fork();
	if (mta.pid == 0) {
		close(p[0]);
		close(q[0]);
		log_init("mta-test", LOG_MAIL, stderr);
		if (use_fake_tls) {
			mta_transport_set_tls(fake_wrap);
		}
		mta_process(&cfg, p[1], q[1], zone);
		_exit(0);
	}
	close(p[1]);
	close(q[1]);
	mta.psock = p[0];
	mta.qsock = q[0];
	msg_reader_init(&mta.pr, mta.psock);
	msg_reader_init(&mta.qr, mta.qsock);
	msg_writer_init(&mta.pw, mta.psock);
	msg_writer_init(&mta.qw, mta.qsock);
}

/* flush_all - send what is queued, waiting as needed */
static void
flush_all(struct msg_writer *w)
{
	struct pollfd pf;

	while (msg_pending(w) > 0) {
		if (msg_flush(w) == SK_NEED_MORE) {
			pf.fd = w->sock;
			pf.events = POLLOUT;
			poll(&pf, 1, 1000);
		} else if (msg_pending(w) > 0) {
			return;
		}
	}
}

/* keep_log - note a MSG_LOG line from the mta */
static void
keep_log(const struct msg *m)
{
	size_t n = m->hdr.len > 0 ? m->hdr.len - 1 : 0;

	if (logslen + n + 2 < sizeof(logs)) {
		memcpy(logs + logslen, m->body + 1, n);
		logslen += n;
		logs[logslen++] = '\n';
		logs[logslen] = '\0';
	}
}

/* next_msg - the next message on the queue (qside) or parent socket;
 * MSG_LOG from the parent socket is kept and skipped. 0 on timeout. */
static int
next_msg(int qside, struct msg *m)
{
	struct msg_reader *r = qside ? &mta.qr : &mta.pr;
	struct pollfd pf[2];
	enum sk_result rc;
	int waited = 0;

	for (;;) {
		/* the parent side's logs are read whatever we wait for */
		while (msg_next(&mta.pr, m) == SK_OK) {
			if (m->hdr.type == MSG_LOG) {
				keep_log(m);
				continue;
			}
			if (!qside) {
				return 1;
			}
			test_fail("unexpected %s on the parent socket",
			    msg_type_name(m->hdr.type));
		}
		if (qside && (rc = msg_next(r, m)) == SK_OK) {
			return 1;
		}
		if (waited >= WAIT_MS) {
			return 0;
		}
		pf[0].fd = mta.psock;
		pf[0].events = POLLIN;
		pf[1].fd = mta.qsock;
		pf[1].events = POLLIN;
		poll(pf, 2, 100);
		waited += 100;
		if (pf[0].revents & POLLIN) {
			if (msg_read(&mta.pr) == SK_E_CLOSED) {
				pf[0].fd = -1;
			}
		}
		if (pf[1].revents & POLLIN) {
			(void)msg_read(&mta.qr);
		}
	}
}

/* the M_DELIVER header block (the policy step's fields) */
static const char *deliver_prepend = "";

/* send_deliver - M_DELIVER of a message file to rcpts */
static void
send_deliver(uint32_t peer, const char *qid, const char *domain,
    const char *content, const char *const *rcpts, size_t n)
{
	uint8_t body[4096];
	struct msg_body_writer w;
	char path[PATHLEN];
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/spool-%u", test_tmpdir(), peer);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) < 0) {
		test_fail("spool file: %s", strerror(errno));
	}
	close(fd);
	fd = open(path, O_RDONLY);
	msg_body_writer_init(&w, body, sizeof(body));
	msg_body_put_cstr(&w, qid);
	msg_body_put_cstr(&w, "sender@sekimori.test");
	msg_body_put_cstr(&w, "");
	msg_body_put_u8(&w, MSG_RET_NONE);
	msg_body_put_u8(&w, MSG_BODY_7BIT);
	msg_body_put_u8(&w, 0);
	msg_body_put_cstr(&w, domain);
	msg_body_put_cstr(&w, deliver_prepend);
	msg_body_put_u32(&w, (uint32_t)n);
	for (i = 0; i < n; i++) {
		msg_body_put_u32(&w, (uint32_t)(100 + i));
		msg_body_put_cstr(&w, rcpts[i]);
		msg_body_put_u32(&w, 0);
		msg_body_put_cstr(&w, "");
	}
	if (msg_compose(&mta.qw, MSG_M_DELIVER, peer, fd, body, w.len) !=
	    SK_OK) {
		test_fail("compose M_DELIVER");
		close(fd);
	}
	flush_all(&mta.qw);
}

/* collect - the M_RESULTs of job peer until its M_DONE; count or -1 */
static int
collect(uint32_t peer, struct result *res, size_t max)
{
	struct msg_body_reader r;
	struct msg m;
	size_t n = 0;

	while (next_msg(1, &m)) {
		if (m.fd >= 0) {
			close(m.fd);
		}
		if (m.hdr.peer != peer) {
			test_fail("message for job %u while waiting for %u",
			    m.hdr.peer, peer);
			continue;
		}
		msg_body_reader_init(&r, m.body, m.hdr.len);
		if (m.hdr.type == MSG_M_DONE) {
			uint32_t k = msg_body_get_u32(&r);

			TEST_CHECK(k == n, "M_DONE says %u results, got %zu", k,
			    n);
			return (int)n;
		}
		if (m.hdr.type != MSG_M_RESULT || n >= max) {
			test_fail("unexpected %s", msg_type_name(m.hdr.type));
			continue;
		}
		res[n].id = msg_body_get_u32(&r);
		res[n].status = msg_body_get_u8(&r);
		msg_body_get_str(&r, res[n].dsn, sizeof(res[n].dsn));
		msg_body_get_str(&r, res[n].reply, sizeof(res[n].reply));
		msg_body_get_str(&r, res[n].relay, sizeof(res[n].relay));
		msg_body_get_str(&r, res[n].tls, sizeof(res[n].tls));
		TEST_CHECK(msg_body_end(&r) == 0, "malformed M_RESULT");
		n++;
	}
	test_fail("no M_DONE for job %u (logs: %s)", peer, logs);
	return -1;
}

/* find - the result of recipient id */
static const struct result *
find(const struct result *res, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++) {
		if (res[i].id == id) {
			return &res[i];
		}
	}
	return NULL;
}

/* drain_logs - keep the log lines that arrived, without waiting */
static void
drain_logs(void)
{
	struct msg m;

	while (msg_read(&mta.pr) == SK_OK) {
	}
	while (msg_next(&mta.pr, &m) == SK_OK) {
		if (m.hdr.type == MSG_LOG) {
			keep_log(&m);
		}
	}
}

/* mta_hello - the mta's first message to its parent */
static void
mta_hello(void)
{
	struct msg m;

	if (!next_msg(0, &m) || m.hdr.type != MSG_HELLO) {
		test_fail("no HELLO from the mta");
		return;
	}
	TEST_CHECK(msg_get_u32(m.body) == MSG_PROTO_VERSION &&
		msg_get_u32(m.body + 4) == MSG_ROLE_MTA,
	    "HELLO: version %u role %u", msg_get_u32(m.body),
	    msg_get_u32(m.body + 4));
}

/* mta_stop - SHUTDOWN; the process must exit 0 */
static void
mta_stop(void)
{
	int status = -1, i;

	msg_compose(&mta.pw, MSG_SHUTDOWN, 0, -1, NULL, 0);
	flush_all(&mta.pw);
	for (i = 0; i < 100; i++) {
		if (waitpid(mta.pid, &status, WNOHANG) == mta.pid) {
			break;
		}
		drain_logs();
		usleep(10000);
	}
	if (i == 100) {
		kill(mta.pid, SIGKILL);
		waitpid(mta.pid, &status, 0);
		test_fail("the mta did not exit after SHUTDOWN");
	}
	TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "mta exit status %d", status);
	close(mta.psock);
	close(mta.qsock);
}

/* ---- config --------------------------------------------------------- */

static void
cfg_base(unsigned total, unsigned per_dest)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.server_name, sizeof(cfg.server_name),
	    "relay.sekimori.test");
	cfg.delivery.connections_total = (uint16_t)total;
	cfg.delivery.connections_per_destination = (uint16_t)per_dest;
}

static void
cfg_route(const char *domain, const char *host, uint16_t port, int mx)
{
	struct config_route *r = &cfg.delivery.routes[cfg.delivery.nroutes++];

	snprintf(r->domain, sizeof(r->domain), "%s", domain);
	snprintf(r->hop.host, sizeof(r->hop.host), "%s", host);
	r->hop.port = port;
	r->hop.mx_lookup = mx;
}

/* write_zone - the test zone into the case's folder */
static const char *
write_zone(void)
{
	static const char zone[] = "$ORIGIN test.\n$TTL 300\n"
				   "mxdomain IN MX 10 dead.mxdomain\n"
				   "         IN MX 20 live.mxdomain\n"
				   "dead.mxdomain IN A 127.0.0.2\n"
				   "live.mxdomain IN A 127.0.0.1\n"
				   "nullmx IN MX 0 .\n";
	static char path[PATHLEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/test.zone", test_tmpdir());
	f = fopen(path, "w");
	if (f == NULL || fputs(zone, f) == EOF) {
		test_fail("cannot write %s", path);
	}
	if (f != NULL) {
		fclose(f);
	}
	return path;
}

/* ---- cases ---------------------------------------------------------- */

static const char content1[] = "Subject: process test\r\n\r\n"
			       ".leading dot\r\nbody line\r\n";

static void
test_process_deliver(void)
{
	static const char *const rcpts[] = { "alice@example.test",
		"reject@example.test", "defer@example.test" };
	struct result res[RESULTS_MAX];
	const struct result *a, *b, *c;
	struct server srv;
	char relay[64];
	int n;

	if (!server_start(&srv, 0)) {
		return;
	}
	cfg_base(10, 2);
	cfg_route("example.test", "127.0.0.1", srv.port, 0);
	mta_start(write_zone());
	mta_hello();
	deliver_prepend = "X-Prepended: 1\r\n\tfolded\r\n";
	send_deliver(1, "Q1", "example.test", content1, rcpts, 3);
	deliver_prepend = "";
	n = collect(1, res, RESULTS_MAX);
	TEST_CHECK(n == 3, "%d results", n);
	snprintf(relay, sizeof(relay), "127.0.0.1[127.0.0.1]:%u", srv.port);
	a = find(res, n, 100);
	b = find(res, n, 101);
	c = find(res, n, 102);
	TEST_CHECK(a && a->status == MSG_DELIVERED &&
		strcmp(a->dsn, "2.0.0") == 0 &&
		strcmp(a->reply, "250 2.0.0 Ok: queued as T1") == 0 &&
		strcmp(a->relay, relay) == 0 && a->tls[0] == '\0',
	    "alice: %d %s \"%s\" %s", a ? a->status : -1, a ? a->dsn : "",
	    a ? a->reply : "", a ? a->relay : "");
	TEST_CHECK(b && b->status == MSG_PERMFAIL &&
		strcmp(b->dsn, "5.1.1") == 0 &&
		strstr(b->reply, "said: 550 5.1.1 <reject@example.test>") &&
		strstr(b->reply, "(in reply to RCPT TO command)"),
	    "reject: %d %s \"%s\"", b ? b->status : -1, b ? b->dsn : "",
	    b ? b->reply : "");
	TEST_CHECK(c && c->status == MSG_TEMPFAIL &&
		strcmp(c->dsn, "4.2.0") == 0,
	    "defer: %d %s", c ? c->status : -1, c ? c->dsn : "");
	TEST_CHECK(server_has_message(&srv,
		       "X-Prepended: 1\r\n\tfolded\r\n"
		       "Subject: process test\r\n\r\n"
		       ".leading dot\r\nbody line\r\n"),
	    "the server did not get the header block, then the message");
	mta_stop();
	server_stop(&srv);
}

static void
test_process_mx_fallback(void)
{
	static const char *const one[] = { "bob@mx.test" };
	static const char *const nx[] = { "x@nonexistent.test" };
	static const char *const nul[] = { "x@nullmx.test" };
	struct result res[RESULTS_MAX];
	struct server srv;
	char want[128];
	int n;

	if (!server_start(&srv, 0)) {
		return;
	}
	cfg_base(10, 2);
	cfg_route("mx.test", "mxdomain.test", srv.port, 1);
	mta_start(write_zone());
	mta_hello();
	send_deliver(2, "Q2", "mx.test", content1, one, 1);
	n = collect(2, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_DELIVERED,
	    "delivered through the second MX: %d %s", n,
	    n > 0 ? res[0].reply : "");
	snprintf(want, sizeof(want),
	    "Q2: connect to dead.mxdomain.test[127.0.0.2]:%u: Connection "
	    "refused",
	    srv.port);
	send_deliver(3, "Q3", "nonexistent.test", content1, nx, 1);
	n = collect(3, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_PERMFAIL &&
		strcmp(res[0].dsn, "5.1.2") == 0 &&
		strcmp(res[0].relay, "none") == 0,
	    "NXDOMAIN: %d %s %s", n, n > 0 ? res[0].dsn : "",
	    n > 0 ? res[0].relay : "");
	send_deliver(4, "Q4", "nullmx.test", content1, nul, 1);
	n = collect(4, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_PERMFAIL &&
		strcmp(res[0].dsn, "5.1.10") == 0,
	    "null MX: %d %s", n, n > 0 ? res[0].dsn : "");
	mta_stop();
	TEST_CHECK(strstr(logs, want) != NULL, "log line \"%s\" missing: %s",
	    want, logs);
	server_stop(&srv);
}

static void
test_process_reuse_and_limits(void)
{
	static const char *const r1[] = { "a@example.test" };
	struct result res[RESULTS_MAX];
	struct server srv;
	uint32_t peer;
	int n;

	if (!server_start(&srv, 0)) {
		return;
	}
	/* one connection per destination: three jobs queue up behind it
	 * and take the same connection one after the other */
	cfg_base(10, 1);
	cfg_route("example.test", "127.0.0.1", srv.port, 0);
	mta_start(write_zone());
	mta_hello();
	for (peer = 10; peer < 13; peer++) {
		send_deliver(peer, "QR", "example.test", content1, r1, 1);
	}
	for (peer = 10; peer < 13; peer++) {
		n = collect(peer, res, RESULTS_MAX);
		TEST_CHECK(n == 1 && res[0].status == MSG_DELIVERED,
		    "job %u: %d %s", peer, n, n > 0 ? res[0].reply : "");
	}
	/* a later job within MTA_IDLE_KEEP_MS reuses it too */
	send_deliver(13, "QR", "example.test", content1, r1, 1);
	n = collect(13, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_DELIVERED, "job 13");
	TEST_CHECK(server_connections(&srv) == 1, "%d connections",
	    server_connections(&srv));
	mta_stop();
	server_stop(&srv);
}

static void
test_process_queue_restart(void)
{
	static const char *const r1[] = { "a@example.test" };
	static const char *const r2[] = { "b@other.test" };
	struct result res[RESULTS_MAX];
	struct server live, silent;
	uint8_t role[4];
	int q[2], n;

	if (!server_start(&live, 0) || !server_start(&silent, 1)) {
		return;
	}
	cfg_base(10, 2);
	cfg_route("example.test", "127.0.0.1", silent.port, 0);
	cfg_route("other.test", "127.0.0.1", live.port, 0);
	mta_start(write_zone());
	mta_hello();
	/* a job stuck waiting for a greeting that never comes */
	send_deliver(20, "QS", "example.test", content1, r1, 1);
	usleep(200000);
	/* the queue restarts: old socket gone, a new one through PEER */
	close(mta.qsock);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, q)) {
		test_fail("socketpair");
		return;
	}
	mta.qsock = q[0];
	msg_reader_init(&mta.qr, mta.qsock);
	msg_writer_init(&mta.qw, mta.qsock);
	msg_put_u32(role, MSG_ROLE_QUEUE);
	msg_compose(&mta.pw, MSG_PEER, 0, q[1], role, sizeof(role));
	flush_all(&mta.pw);
	close(q[1]);
	send_deliver(21, "QL", "other.test", content1, r2, 1);
	n = collect(21, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_DELIVERED,
	    "after the restart: %d %s", n, n > 0 ? res[0].reply : "");
	mta_stop();
	TEST_CHECK(strstr(logs, "queue channel closed") != NULL,
	    "no log of the lost queue: %s", logs);
	server_stop(&live);
	server_stop(&silent);
}

static void
test_process_bad_message(void)
{
	int status = -1, i;

	cfg_base(10, 2);
	mta_start(write_zone());
	mta_hello();
	/* the queue may only send M_DELIVER: anything else is fatal */
	msg_compose(&mta.qw, MSG_M_DONE, 1, -1, "\0\0\0\0", 4);
	flush_all(&mta.qw);
	for (i = 0; i < 200; i++) {
		if (waitpid(mta.pid, &status, WNOHANG) == mta.pid) {
			break;
		}
		usleep(10000);
	}
	if (i == 200) {
		kill(mta.pid, SIGKILL);
		waitpid(mta.pid, &status, 0);
	}
	TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "exit status %d, want 1", status);
	close(mta.psock);
	close(mta.qsock);
}

/* test_process_starttls - STARTTLS through the hook; a failed handshake
 * under "may" is retried in plaintext on the same host (RFC 7435) */
static void
test_process_starttls(void)
{
	static const char *const r1[] = { "a@example.test" };
	struct result res[RESULTS_MAX];
	struct server srv;
	int n;

	if (!server_start(&srv, 0)) {
		return;
	}
	cfg_base(10, 2);
	cfg_route("example.test", "127.0.0.1", srv.port, 0);
	use_fake_tls = 1;
	fake_tls_fail = 0;
	mta_start(write_zone());
	mta_hello();
	send_deliver(30, "QT", "example.test", content1, r1, 1);
	n = collect(30, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_DELIVERED &&
		strcmp(res[0].tls, "TLSv1.3 with cipher FAKE") == 0,
	    "over TLS: %d \"%s\" tls \"%s\"", n, n > 0 ? res[0].reply : "",
	    n > 0 ? res[0].tls : "");
	mta_stop();
	fake_tls_fail = 1;
	mta_start(write_zone());
	mta_hello();
	send_deliver(31, "QU", "example.test", content1, r1, 1);
	n = collect(31, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_DELIVERED &&
		res[0].tls[0] == '\0',
	    "plaintext retry: %d \"%s\"", n, n > 0 ? res[0].reply : "");
	mta_stop();
	TEST_CHECK(strstr(logs,
		       "QU: TLS handshake with host 127.0.0.1"
		       "[127.0.0.1] failed: fake handshake failure"),
	    "log: %s", logs);
	TEST_CHECK(server_connections(&srv) == 3, "%d connections",
	    server_connections(&srv));
	/* required TLS that fails is never plaintext */
	cfg.ntls_policies = 1;
	snprintf(cfg.tls_policies[0].name, sizeof(cfg.tls_policies[0].name),
	    "strict");
	cfg.tls_policies[0].mode = CONFIG_TLS_ENCRYPT;
	snprintf(cfg.delivery.tls_policy, sizeof(cfg.delivery.tls_policy),
	    "strict");
	mta_start(write_zone());
	mta_hello();
	send_deliver(32, "QV", "example.test", content1, r1, 1);
	n = collect(32, res, RESULTS_MAX);
	TEST_CHECK(n == 1 && res[0].status == MSG_TEMPFAIL &&
		strcmp(res[0].dsn, "4.7.5") == 0,
	    "encrypt: %d %s \"%s\"", n, n > 0 ? res[0].dsn : "",
	    n > 0 ? res[0].reply : "");
	mta_stop();
	use_fake_tls = 0;
	server_stop(&srv);
}

const struct test_case test_cases[] = {
	{ "mta_process_deliver", test_process_deliver },
	{ "mta_process_starttls", test_process_starttls },
	{ "mta_process_mx_fallback", test_process_mx_fallback },
	{ "mta_process_reuse_and_limits", test_process_reuse_and_limits },
	{ "mta_process_queue_restart", test_process_queue_restart },
	{ "mta_process_bad_message", test_process_bad_message },
};
const size_t test_ncases = SK_NELEM(test_cases);

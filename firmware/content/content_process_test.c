/*
 * content_process_test.c - the content process in a forked child over
 * socketpairs, with the real core (content_facts.c, content_decide.c):
 * the test plays the supervisor and smtp, and a fake clamd and milter
 * (a forked process of the test, one unix socket per behaviour) answer
 * clean, FOUND, never, when the test opens a gate, or as a milter.
 *
 * Cases: a null chain and a clean clamd accept; EICAR is a 550 5.7.1
 * reject; a silent clamd past its 1 s timeout is a 451 4.7.1, or an
 * accept with a warning under on-failure accept-and-log; a milter's
 * added field (folded with "\n") comes back as a CRLF header block and
 * its header change is logged as not applied; 70 checks at
 * once get 6 immediate 451 busy answers and 64 verdicts; SHUTDOWN while
 * 8 jobs run and 2 wait: the 2 get a 451 at once, the 8 finish and are
 * answered, then the process exits 0.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../policy/policy_msg.h"
#include "content.h"
#include "content_process.h"
#include "log.h"
#include "msg.h"
#include "msg_body.h"
#include "test.h"

#define WAIT_MS 10000  /* the longest a case waits for one message */
#define LOGS_MAX 65536 /* the child's log lines kept */
#define BUSY_CHECKS (CONTENT_JOBS_MAX + 6)
#define EICAR_REPLY "stream: Eicar-Test-Signature FOUND"

/* ---- the fake clamd --------------------------------------------------
 * A process of its own (forked while the test has no threads, so the
 * content process forked later carries none of the fake's threads):
 * one socket per behaviour, a thread per connection, a control pipe for
 * the gate, and one octet on the served pipe per stream read whole. */

enum fake_mode {
	FAKE_CLEAN,  /* stream: OK */
	FAKE_FOUND,  /* stream: Eicar-Test-Signature FOUND */
	FAKE_SILENT, /* reads everything, never answers */
	FAKE_GATE,   /* waits for the gate to open, then OK */
	FAKE_MILTER, /* a milter: adds a field, changes another, accepts */
	FAKE_MILTER_DELALL, /* a milter: deletes the one recipient */
	FAKE_MILTER_MANY,   /* a milter: adds 100 recipients */
	FAKE_MODES,
};

static const char *const fake_names[FAKE_MODES] = { "clean", "found", "silent",
	"gate", "milter", "milter-delall", "milter-many" };

static struct {
	pid_t pid, owner; /* the fake, and the test that started it */
	int ctl;          /* test -> fake: 'o' open the gate, 'c' close it */
	int served;       /* fake -> test: one octet per stream */
	unsigned nserved;
	enum fake_mode mode;
} fake = { -1, -1, -1, -1, 0, FAKE_CLEAN };

/* what the fake process itself shares between its threads */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int gate_open;
	int served_fd;
} fk = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1 };

/* fake_path - the socket of a behaviour */
static void
fake_path(enum fake_mode mode, char *out, size_t size)
{
	snprintf(out, size, "/tmp/sk-cproc-%ld-%s.sock", (long)fake.owner,
	    fake_names[mode]);
}

/* read_full - n octets or -1 */
static int
read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t got;

	while (n > 0) {
		got = read(fd, p, n);
		if (got <= 0) {
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* fake_stream - the zINSTREAM command and chunks up to the empty one */
static int
fake_stream(int fd)
{
	static const char cmd[] = "zINSTREAM";
	uint8_t buf[4096], len[4];
	uint32_t n, take;

	if (read_full(fd, buf, sizeof(cmd)) != 0 ||
	    memcmp(buf, cmd, sizeof(cmd)) != 0) {
		return -1;
	}
	for (;;) {
		if (read_full(fd, len, 4) != 0) {
			return -1;
		}
		if ((n = msg_get_u32(len)) == 0) {
			return 0;
		}
		while (n > 0) {
			take = n < sizeof(buf) ? n : (uint32_t)sizeof(buf);
			if (read_full(fd, buf, take) != 0) {
				return -1;
			}
			n -= take;
		}
	}
}

struct fake_conn {
	int fd;
	enum fake_mode mode;
};

/* fake_packet - put one milter packet: command, then data */
static int
fake_packet(int fd, char cmd, const void *data, size_t len)
{
	uint8_t buf[512];

	if (len + 5 > sizeof(buf)) {
		return -1;
	}
	msg_put_u32(buf, (uint32_t)len + 1);
	buf[4] = (uint8_t)cmd;
	if (len > 0) {
		memcpy(buf + 5, data, len);
	}
	return write(fd, buf, len + 5) == (ssize_t)(len + 5) ? 0 : -1;
}

/* fake_envelope - the envelope changes at the end of the body: a
 * recipient added, the old one deleted, the sender changed, one added
 * with DSN arguments (FAKE_MILTER); the old one deleted (DELALL); 100
 * added (MANY) */
static int
fake_envelope(int fd, enum fake_mode mode)
{
	static const char add[] = "<c@example.net>";
	static const char del[] = "<b@example.net>";
	static const char from[] = "<bounce@example.org>";
	static const char par[] = "<d@example.net>\0NOTIFY=FAILURE "
				  "ORCPT=rfc822;d@example.net";
	char many[32];
	int i;

	if (mode == FAKE_MILTER_DELALL) {
		return fake_packet(fd, '-', del, sizeof(del));
	}
	if (mode == FAKE_MILTER_MANY) {
		for (i = 0; i < 100; i++) {
			snprintf(many, sizeof(many), "<r%d@example.net>", i);
			if (fake_packet(fd, '+', many, strlen(many) + 1) != 0) {
				return -1;
			}
		}
		return 0;
	}
	return fake_packet(fd, '+', add, sizeof(add)) != 0 ||
		fake_packet(fd, '-', del, sizeof(del)) != 0 ||
		fake_packet(fd, 'e', from, sizeof(from)) != 0 ||
		fake_packet(fd, '2', par, sizeof(par)) != 0 ?
	    -1 :
	    0;
}

/* fake_milter - OPTNEG with ADDHDRS, CHGBODY, CHGHDRS and the envelope
 * changes, CONTINUE to every stage; at the end of the body an added
 * field folded with "\n", a field inserted at the top, a changed
 * Subject, a new body with bare LF, the envelope changes
 * (fake_envelope), then ACCEPT; the other modes only the envelope */
static int
fake_milter(int fd, enum fake_mode mode)
{
	static const char add[] = "X-Scanned\0yes\nmore\0";
	static const char chg[] = "\0\0\0\1Subject\0changed\0";
	static const char ins[] = "\0\0\0\0X-First\0top\0";
	static const char body[] = "new\nbody\n";
	uint8_t len[4], buf[70000], opt[12];
	int edits = mode == FAKE_MILTER;
	uint32_t n;

	for (;;) {
		if (read_full(fd, len, 4) != 0) {
			return 0; /* QUIT, then the end */
		}
		if ((n = msg_get_u32(len)) == 0 || n > sizeof(buf) ||
		    read_full(fd, buf, n) != 0) {
			return -1;
		}
		switch (buf[0]) {
		case 'O':
			msg_put_u32(opt, 6);
			/* ADDHDRS, CHGBODY, ADDRCPT, DELRCPT, CHGHDRS,
			 * CHGFROM, ADDRCPT_PAR */
			msg_put_u32(opt + 4, 0xdf);
			msg_put_u32(opt + 8, 0);
			if (fake_packet(fd, 'O', opt, sizeof(opt)) != 0) {
				return -1;
			}
			break;
		case 'D': /* macros: no reply */
		case 'Q':
			break;
		case 'E':
			if (write(fk.served_fd, "s", 1) < 0 ||
			    (edits &&
				(fake_packet(fd, 'h', add, sizeof(add) - 1) !=
					0 ||
				    fake_packet(fd, 'm', chg,
					sizeof(chg) - 1) != 0 ||
				    fake_packet(fd, 'i', ins,
					sizeof(ins) - 1) != 0 ||
				    fake_packet(fd, 'b', body,
					sizeof(body) - 1) != 0)) ||
			    fake_envelope(fd, mode) != 0 ||
			    fake_packet(fd, 'a', NULL, 0) != 0) {
				return -1;
			}
			break;
		default:
			if (fake_packet(fd, 'c', NULL, 0) != 0) {
				return -1;
			}
		}
	}
}

/* fake_serve - one connection, answered as its socket's mode says */
static void *
fake_serve(void *arg)
{
	struct fake_conn *c = arg;
	const char *reply = c->mode == FAKE_FOUND ?
	    "stream: Eicar-Test-Signature FOUND" :
	    "stream: OK";
	uint8_t junk[64];

	if (c->mode >= FAKE_MILTER) {
		(void)fake_milter(c->fd, c->mode);
	} else if (fake_stream(c->fd) == 0) {
		if (write(fk.served_fd, "s", 1) < 0) {
			/* the test is gone */
		}
		pthread_mutex_lock(&fk.lock);
		while (c->mode == FAKE_GATE && !fk.gate_open) {
			pthread_cond_wait(&fk.cond, &fk.lock);
		}
		pthread_mutex_unlock(&fk.lock);
		if (c->mode == FAKE_SILENT) {
			while (read(c->fd, junk, sizeof(junk)) > 0) {
			}
		} else if (write(c->fd, reply, strlen(reply) + 1) < 0) {
			/* the client left: nothing to tell */
		}
	}
	close(c->fd);
	free(c);
	return NULL;
}

/* fake_listen - accept on one behaviour's socket, forever */
static void *
fake_listen(void *arg)
{
	enum fake_mode mode = (enum fake_mode)(intptr_t)arg;
	struct sockaddr_un sa;
	struct fake_conn *c;
	pthread_t t;
	int lfd, fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	fake_path(mode, sa.sun_path, sizeof(sa.sun_path));
	unlink(sa.sun_path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 128) != 0) {
		_exit(1);
	}
	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			continue;
		}
		if ((c = malloc(sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->mode = mode;
		if (pthread_create(&t, NULL, fake_serve, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

/* fake_main - the fake clamd process: listeners, then the gate */
static _Noreturn void
fake_main(int ctl, int served)
{
	pthread_t t;
	char cmd;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fk.served_fd = served;
	for (i = 0; i < FAKE_MODES; i++) {
		if (pthread_create(&t, NULL, fake_listen,
			(void *)(intptr_t)i) != 0) {
			_exit(1);
		}
	}
	while (read(ctl, &cmd, 1) == 1) {
		pthread_mutex_lock(&fk.lock);
		fk.gate_open = cmd == 'o';
		pthread_cond_broadcast(&fk.cond);
		pthread_mutex_unlock(&fk.lock);
	}
	_exit(0);
}

/* fake_unlink - the sockets go when the test ends (the fake dies with
 * the test: PR_SET_PDEATHSIG) */
static void
fake_unlink(void)
{
	char path[108];
	int i;

	if (getpid() != fake.owner) {
		return;
	}
	for (i = 0; i < FAKE_MODES; i++) {
		fake_path((enum fake_mode)i, path, sizeof(path));
		unlink(path);
	}
}

/* fake_start - the fake clamd, once for the whole test; its sockets
 * are there when it returns */
static int
fake_start(void)
{
	char path[108];
	int ctl[2], srv[2], i, tries;

	if (fake.pid > 0) {
		return 0;
	}
	if (pipe2(ctl, O_CLOEXEC) != 0 || pipe2(srv, O_CLOEXEC) != 0) {
		test_fail("pipe: %s", strerror(errno));
		return -1;
	}
	fake.owner = getpid();
	atexit(fake_unlink);
	fflush(stdout);
	fflush(stderr);
	if ((fake.pid = fork()) == 0) {
		close(ctl[1]);
		close(srv[0]);
		fake_main(ctl[0], srv[1]);
	}
	close(ctl[0]);
	close(srv[1]);
	fake.ctl = ctl[1];
	fake.served = srv[0];
	fcntl(fake.served, F_SETFL, O_NONBLOCK);
	for (i = 0; i < FAKE_MODES; i++) {
		fake_path((enum fake_mode)i, path, sizeof(path));
		for (tries = 0; tries < 200 && access(path, F_OK) != 0;
		     tries++) {
			usleep(10000);
		}
	}
	return fake.pid > 0 ? 0 : -1;
}

/* fake_served - streams read whole since the last fake_set */
static unsigned
fake_served(void)
{
	char buf[64];
	ssize_t n;

	while ((n = read(fake.served, buf, sizeof(buf))) > 0) {
		fake.nserved += (unsigned)n;
	}
	return fake.nserved;
}

/* fake_set - the behaviour the next config points at; the gate shut */
static void
fake_set(enum fake_mode mode)
{
	fake.mode = mode;
	if (write(fake.ctl, "c", 1) != 1) {
		test_fail("fake clamd control: %s", strerror(errno));
	}
	/* let the fake shut the gate and the last test's streams say
	 * they were served before counting from zero: on a loaded machine
	 * a late one was counted here once */
	usleep(100000);
	(void)fake_served();
	fake.nserved = 0;
}

static void
fake_open_gate(void)
{
	if (write(fake.ctl, "o", 1) != 1) {
		test_fail("fake clamd control: %s", strerror(errno));
	}
}

/* ---- the process ------------------------------------------------------ */

static struct config cfg;

static struct {
	pid_t pid;
	int psock, ssock;
	struct msg_reader pr, sr;
	struct msg_writer pw, sw;
	char logs[LOGS_MAX];
	size_t logslen;
} cp;

/* cfg_chain - one scanner in the inbound chain */
static void
cfg_chain(enum config_scanner_type type, uint32_t timeout_ms,
    int on_failure_accept)
{
	struct config_scanner *sc = &cfg.content.scanners[0];

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.server_name, sizeof(cfg.server_name), "mx.sekimori.test");
	cfg.limits.message_size = 1 << 20;
	cfg.content.enabled = 1;
	snprintf(sc->name, sizeof(sc->name), "%s",
	    type == CONFIG_SCANNER_NULL       ? "null" :
		type == CONFIG_SCANNER_MILTER ? "mymilter" :
						"clamav");
	sc->type = type;
	if (type == CONFIG_SCANNER_CLAMD || type == CONFIG_SCANNER_MILTER) {
		fake_path(fake.mode, sc->address, sizeof(sc->address));
	}
	sc->timeout_ms = timeout_ms;
	sc->on_failure_accept = on_failure_accept;
	cfg.content.nscanners = 1;
	cfg.content.inbound.scanner[0] = 0;
	cfg.content.inbound.nscanners = 1;
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

static void
keep_log(const struct msg *m)
{
	static const char *const words[] = { "", "warning: ", "fatal: " };
	size_t n = m->hdr.len - 1;
	uint8_t level = m->body[0] < 3 ? m->body[0] : 2;
	int w;

	w = snprintf(cp.logs + cp.logslen, sizeof(cp.logs) - cp.logslen,
	    "%s%.*s\n", words[level], (int)n, (const char *)m->body + 1);
	if (w > 0 && (size_t)w < sizeof(cp.logs) - cp.logslen) {
		cp.logslen += (size_t)w;
	}
	if (getenv("CONTENT_TEST_LOG") != NULL) {
		fprintf(stderr, "log: %s%.*s\n", words[level], (int)n,
		    (const char *)m->body + 1);
	}
}

static int
logged(const char *s)
{
	return strstr(cp.logs, s) != NULL;
}

/* pump - read what both sockets have, waiting up to ms */
static void
pump(int ms)
{
	struct pollfd pf[2] = { { cp.psock, POLLIN, 0 },
		{ cp.ssock, POLLIN, 0 } };
	struct msg m;

	if (poll(pf, 2, ms) > 0) {
		if (pf[0].revents & (POLLIN | POLLHUP)) {
			(void)msg_read(&cp.pr);
		}
		if (pf[1].revents & (POLLIN | POLLHUP)) {
			(void)msg_read(&cp.sr);
		}
	}
	while (msg_next(&cp.pr, &m) == SK_OK) {
		if (m.hdr.type == MSG_LOG) {
			keep_log(&m);
		} else if (m.hdr.type != MSG_HELLO) {
			test_fail("unexpected %s to the supervisor",
			    msg_type_name(m.hdr.type));
		}
		if (m.fd >= 0) {
			close(m.fd);
		}
	}
}

/* the descriptor of the last P_VERDICT, or -1 */
static int verdict_fd = -1;

/* verdict_content - the last verdict's descriptor's content in buf */
static size_t
verdict_content(char *buf, size_t size)
{
	ssize_t n;

	if (verdict_fd < 0 || (n = pread(verdict_fd, buf, size - 1, 0)) < 0) {
		buf[0] = '\0';
		return 0;
	}
	buf[n] = '\0';
	return (size_t)n;
}

/* next_verdict - the next P_VERDICT to smtp: 1, or 0 after WAIT_MS */
static int
next_verdict(struct policy_wire_verdict *v, uint32_t *peer)
{
	struct msg m;
	int waited;

	for (waited = 0; waited <= WAIT_MS; waited += 50) {
		if (msg_next(&cp.sr, &m) == SK_OK) {
			if (verdict_fd >= 0) {
				close(verdict_fd);
			}
			verdict_fd = m.fd; /* the rewritten message, or -1 */
			*peer = m.hdr.peer;
			if (m.hdr.type != MSG_P_VERDICT ||
			    policy_msg_verdict_get(m.body, m.hdr.len, v) !=
				SK_OK) {
				test_fail("bad %s to smtp",
				    msg_type_name(m.hdr.type));
				return 0;
			}
			return 1;
		}
		pump(50);
	}
	return 0;
}

static void
cp_start(void)
{
	int p[2], s[2];

	memset(&cp, 0, sizeof(cp));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0) {
		test_fail("socketpair: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	fflush(stderr);
	if ((cp.pid = fork()) == 0) {
		close(p[0]);
		close(s[0]);
		log_init("content-test", LOG_MAIL, stderr);
		content_process(&cfg, p[1], s[1]);
	}
	close(p[1]);
	close(s[1]);
	cp.psock = p[0];
	cp.ssock = s[0];
	msg_reader_init(&cp.pr, cp.psock);
	msg_reader_init(&cp.sr, cp.ssock);
	msg_writer_init(&cp.pw, cp.psock);
	msg_writer_init(&cp.sw, cp.ssock);
}

/* cp_wait - the process must exit 0 within wait_ms */
static void
cp_wait(int wait_ms)
{
	int status = -1, waited;

	for (waited = 0; waited < wait_ms; waited += 10) {
		if (waitpid(cp.pid, &status, WNOHANG) == cp.pid) {
			break;
		}
		pump(0);
		usleep(10000);
	}
	if (waited >= wait_ms) {
		kill(cp.pid, SIGKILL);
		waitpid(cp.pid, &status, 0);
		test_fail("the content process did not exit after SHUTDOWN");
	}
	pump(0);
	TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "exit status %d (logs: %s)", status, cp.logs);
	TEST_CHECK(logged("content: shut down"), "no shutdown line: %s",
	    cp.logs);
	msg_reader_clear(&cp.pr);
	msg_reader_clear(&cp.sr);
	msg_writer_clear(&cp.pw);
	msg_writer_clear(&cp.sw);
	close(cp.psock);
	close(cp.ssock);
}

/* cp_stop - SHUTDOWN, then cp_wait */
static void
cp_stop(int wait_ms)
{
	msg_compose(&cp.pw, MSG_SHUTDOWN, 0, -1, NULL, 0);
	flush_all(&cp.pw);
	cp_wait(wait_ms);
}

static const char message[] = "From: a@example.org\r\n"
			      "To: b@example.net\r\n"
			      "Subject: test\r\n"
			      "\r\n"
			      "Hello.\r\n";

/* send_check - P_CHECK for session peer with a spool file of message */
static void
send_check(uint32_t peer, const char *qid)
{
	static struct policy_check c;
	static uint8_t body[MSG_BODY_MAX];
	struct msg_body_writer w;
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/spool-%u", test_tmpdir(), peer);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, message, sizeof(message) - 1) < 0) {
		test_fail("spool file: %s", strerror(errno));
	}
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	memset(&c, 0, sizeof(c));
	snprintf(c.qid, sizeof(c.qid), "%s", qid);
	snprintf(c.client_ip, sizeof(c.client_ip), "192.0.2.7");
	snprintf(c.helo, sizeof(c.helo), "client.example.org");
	snprintf(c.mail_from, sizeof(c.mail_from), "a@example.org");
	c.direction = MSG_POLICY_INBOUND;
	policy_check_add_rcpt(&c, "b@example.net");
	msg_body_writer_init(&w, body, sizeof(body));
	policy_msg_check_put(&w, &c);
	if (fd < 0 ||
	    msg_compose(&cp.sw, MSG_P_CHECK, peer, fd, body, w.len) != SK_OK) {
		test_fail("compose P_CHECK");
		close(fd);
	}
	flush_all(&cp.sw);
}

/* one - a process with the current config, one check, its verdict */
static int
one(struct policy_wire_verdict *v)
{
	uint32_t peer = 0;
	int got;

	cp_start();
	send_check(7, "4F2A1B3C");
	got = next_verdict(v, &peer);
	TEST_CHECK(got && peer == 7 && strcmp(v->qid, "4F2A1B3C") == 0,
	    "no verdict for session 7 (logs: %s)", cp.logs);
	pump(50);
	cp_stop(5000);
	return got;
}

/* ---- cases ----------------------------------------------------------- */

static struct policy_wire_verdict v;

static void
test_null_chain(void)
{
	cfg_chain(CONFIG_SCANNER_NULL, 0, 0);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_ACCEPT && v.reply[0] == '\0',
		    "action %u reply %s", v.action, v.reply);
	}
	TEST_CHECK(logged("4F2A1B3C: content: null=clean rule=none "
			  "action=accept"),
	    "no decision line: %s", cp.logs);
}

static void
test_clean(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_CLEAN);
	cfg_chain(CONFIG_SCANNER_CLAMD, 5000, 0);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_ACCEPT, "action %u reply %s",
		    v.action, v.reply);
	}
	TEST_CHECK(logged("4F2A1B3C: content: clamav=clean"),
	    "no decision line: %s", cp.logs);
}

static void
test_infected(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_FOUND);
	cfg_chain(CONFIG_SCANNER_CLAMD, 5000, 0);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_REJECT &&
			strncmp(v.reply, "550 5.7.1 ", 10) == 0,
		    "action %u reply %s", v.action, v.reply);
	}
	TEST_CHECK(logged("clamav=infected"), "no decision line: %s", cp.logs);
}

/* notify-on-virus: the default reject carries the administrators'
 * notice on the P_VERDICT (smtp forwards it as Q_NOTICE) */
static void
test_infected_notice(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_FOUND);
	cfg_chain(CONFIG_SCANNER_CLAMD, 5000, 0);
	cfg.content.notify_on_virus = 1;
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_REJECT &&
			strncmp(v.notice,
			    "[Sekimori] reject: message 4F2A1B3C from "
			    "a@example.org (virus ",
			    60) == 0 &&
			strstr(v.notice, "\r\nClient:     192.0.2.7\r\n") &&
			policy_msg_notice_ok(v.notice, strlen(v.notice)),
		    "notice: %s", v.notice);
	}
	TEST_CHECK(logged("4F2A1B3C: content: administrators' notice sent"),
	    "no notice line: %s", cp.logs);
}

static void
test_timeout(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_SILENT);
	cfg_chain(CONFIG_SCANNER_CLAMD, 1000, 0);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_TEMPFAIL &&
			strncmp(v.reply, "451 4.7.1 ", 10) == 0,
		    "action %u reply %s", v.action, v.reply);
	}
	TEST_CHECK(logged("clamav=error"), "no decision line: %s", cp.logs);
}

static void
test_accept_and_log(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_SILENT);
	cfg_chain(CONFIG_SCANNER_CLAMD, 1000, 1);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_ACCEPT, "action %u reply %s",
		    v.action, v.reply);
	}
	TEST_CHECK(logged("warning: 4F2A1B3C: content: scanner clamav "
			  "unavailable (clamd: timed out): accepted "
			  "unscanned (on-failure accept-and-log)"),
	    "no warning: %s", cp.logs);
}

/* expect_trailer - FAKE_MILTER's envelope trailer (msg_types.h) */
static size_t
expect_trailer(uint8_t *out, size_t size)
{
	struct msg_body_writer w;
	size_t block;

	msg_body_writer_init(&w, out, size);
	msg_body_put_u8(&w, 1);
	msg_body_put_cstr(&w, "bounce@example.org");
	msg_body_put_u32(&w, 3);
	msg_body_put_u8(&w, MSG_ENV_ADDRCPT);
	msg_body_put_cstr(&w, "c@example.net");
	msg_body_put_u32(&w, 0);
	msg_body_put_cstr(&w, "");
	msg_body_put_u8(&w, MSG_ENV_DELRCPT);
	msg_body_put_cstr(&w, "b@example.net");
	msg_body_put_u32(&w, 0);
	msg_body_put_cstr(&w, "");
	msg_body_put_u8(&w, MSG_ENV_ADDRCPT);
	msg_body_put_cstr(&w, "d@example.net");
	msg_body_put_u32(&w, MSG_NOTIFY_FAILURE);
	msg_body_put_cstr(&w, "rfc822;d@example.net");
	block = w.len;
	msg_body_put_u32(&w, (uint32_t)block);
	memcpy(out + w.len, MSG_ENV_MAGIC, MSG_ENV_MAGIC_LEN);
	return w.len + MSG_ENV_MAGIC_LEN;
}

/* the milter's edits applied in order: the added field at the end of
 * the header, the inserted one at the top, Subject changed, the new
 * body with CRLF; the envelope changes in the trailer, and logged */
static void
test_milter(void)
{
	static const char want[] = "X-First: top\r\n"
				   "From: a@example.org\r\n"
				   "To: b@example.net\r\n"
				   "Subject: changed\r\n"
				   "X-Scanned: yes\r\n\tmore\r\n"
				   "\r\n"
				   "new\r\nbody\r\n";
	char got[2048];
	uint8_t trailer[1024];
	size_t n, tn;

	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_MILTER);
	cfg_chain(CONFIG_SCANNER_MILTER, 5000, 0);
	tn = expect_trailer(trailer, sizeof(trailer));
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_ACCEPT &&
			v.rewrite == MSG_REWRITE_REPLACE && v.prepend_len == 0,
		    "action %u rewrite %u prepend \"%s\"", v.action, v.rewrite,
		    v.prepend);
		n = verdict_content(got, sizeof(got));
		TEST_CHECK(n == sizeof(want) - 1 + tn &&
			memcmp(got, want, sizeof(want) - 1) == 0 &&
			memcmp(got + sizeof(want) - 1, trailer, tn) == 0,
		    "rewritten (%zu octets): \"%s\"", n, got);
	}
	TEST_CHECK(fake_served() == 1, "the milter saw %u messages",
	    fake_served());
	TEST_CHECK(logged("4F2A1B3C: content: milter=mymilter "
			  "addrcpt=<c@example.net> delrcpt=<b@example.net> "
			  "chgfrom=<bounce@example.org> addrcpt=<d@example.net>"
			  "(NOTIFY=FAILURE ORCPT=rfc822;d@example.net)"),
	    "no envelope line: %s", cp.logs);
	TEST_CHECK(!logged("not applied"), "not applied: %s", cp.logs);
	TEST_CHECK(logged("4F2A1B3C: content: mymilter=clean"),
	    "no decision line: %s", cp.logs);
}

/* the milter deleted the only recipient: discarded, logged */
static void
test_milter_delall(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_MILTER_DELALL);
	cfg_chain(CONFIG_SCANNER_MILTER, 5000, 0);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_DISCARD &&
			v.rewrite == MSG_REWRITE_NONE &&
			strcmp(v.reply,
			    "milter mymilter deleted every recipient") == 0,
		    "action %u rewrite %u reply %s", v.action, v.rewrite,
		    v.reply);
	}
	TEST_CHECK(logged("warning: 4F2A1B3C: content: milter mymilter "
			  "deleted every recipient: action=discard"),
	    "no warning: %s", cp.logs);
}

/* 100 added to the one there: past the relay's limit (100 by default),
 * the milter counts as failed: its on-failure (tempfail) */
static void
test_milter_many(void)
{
	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_MILTER_MANY);
	cfg_chain(CONFIG_SCANNER_MILTER, 5000, 0);
	if (one(&v)) {
		TEST_CHECK(v.action == MSG_POLICY_TEMPFAIL &&
			v.rewrite == MSG_REWRITE_NONE &&
			strncmp(v.reply, "451 4.7.1 ", 10) == 0,
		    "action %u rewrite %u reply %s", v.action, v.rewrite,
		    v.reply);
	}
	TEST_CHECK(logged("mymilter=error(milter: too many recipients"),
	    "no decision line: %s", cp.logs);
}

static void
test_busy(void)
{
	uint32_t peer, i;
	char qid[16];
	int busy = 0, accepted = 0, other = 0;

	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_GATE);
	cfg_chain(CONFIG_SCANNER_CLAMD, 10000, 0);
	cp_start();
	for (i = 0; i < BUSY_CHECKS; i++) {
		snprintf(qid, sizeof(qid), "Q%u", i);
		send_check(100 + i, qid);
		pump(0);
	}
	/* the gate holds every job: only the refusals can come now */
	while (
	    busy < BUSY_CHECKS - CONTENT_JOBS_MAX && next_verdict(&v, &peer)) {
		if (v.action == MSG_POLICY_TEMPFAIL &&
		    strcmp(v.reply, CONTENT_REPLY_BUSY) == 0 &&
		    peer >= 100 + CONTENT_JOBS_MAX) {
			busy++;
		} else {
			other++;
		}
	}
	fake_open_gate();
	while (accepted + other < CONTENT_JOBS_MAX && next_verdict(&v, &peer)) {
		if (v.action == MSG_POLICY_ACCEPT &&
		    peer < 100 + CONTENT_JOBS_MAX) {
			accepted++;
		} else {
			other++;
		}
	}
	TEST_CHECK(busy == BUSY_CHECKS - CONTENT_JOBS_MAX &&
		accepted == CONTENT_JOBS_MAX && other == 0,
	    "got %d busy, %d accepted, %d other", busy, accepted, other);
	pump(50);
	TEST_CHECK(logged("warning: Q64: content: too many messages in "
			  "progress: action=tempfail"),
	    "no busy warning: %s", cp.logs);
	cp_stop(5000);
}

static void
test_shutdown(void)
{
	uint32_t peer, i;
	char qid[16];
	int refused = 0, accepted = 0, other = 0;

	if (fake_start() != 0) {
		return;
	}
	fake_set(FAKE_GATE);
	cfg_chain(CONFIG_SCANNER_CLAMD, 10000, 0);
	cp_start();
	for (i = 0; i < CONTENT_WORKERS + 2; i++) {
		snprintf(qid, sizeof(qid), "S%u", i);
		send_check(200 + i, qid);
	}
	/* every worker has a message at clamd; two more wait */
	for (i = 0; i < 500 && fake_served() < CONTENT_WORKERS; i++) {
		pump(10);
	}
	TEST_CHECK(fake_served() >= CONTENT_WORKERS, "clamd saw %u streams",
	    fake_served());
	msg_compose(&cp.pw, MSG_SHUTDOWN, 0, -1, NULL, 0);
	flush_all(&cp.pw);
	/* the waiting two are refused at once, the running ones finish */
	while (refused + other < 2 && next_verdict(&v, &peer)) {
		if (v.action == MSG_POLICY_TEMPFAIL &&
		    strcmp(v.reply, CONTENT_REPLY_UNAVAILABLE) == 0 &&
		    peer >= 200 + CONTENT_WORKERS) {
			refused++;
		} else {
			other++;
		}
	}
	fake_open_gate();
	while (accepted + other < CONTENT_WORKERS && next_verdict(&v, &peer)) {
		if (v.action == MSG_POLICY_ACCEPT &&
		    peer < 200 + CONTENT_WORKERS) {
			accepted++;
		} else {
			other++;
		}
	}
	TEST_CHECK(refused == 2 && accepted == CONTENT_WORKERS && other == 0,
	    "after SHUTDOWN: %d refused, %d accepted, %d other", refused,
	    accepted, other);
	cp_wait(5000);
	TEST_CHECK(logged("warning: S9: content: shutting down: "
			  "action=tempfail"),
	    "no refusal line: %s", cp.logs);
}

const struct test_case test_cases[] = {
	{ "content_process_null_chain", test_null_chain },
	{ "content_process_clean", test_clean },
	{ "content_process_infected", test_infected },
	{ "content_process_infected_notice", test_infected_notice },
	{ "content_process_timeout", test_timeout },
	{ "content_process_accept_and_log", test_accept_and_log },
	{ "content_process_milter", test_milter },
	{ "content_process_milter_delall", test_milter_delall },
	{ "content_process_milter_many", test_milter_many },
	{ "content_process_busy", test_busy },
	{ "content_process_shutdown", test_shutdown },
};
const size_t test_ncases = SK_NELEM(test_cases);

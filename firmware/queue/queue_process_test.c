/*
 * queue_process_test.c - the queue process driven pass by pass over real
 * socketpairs: the test plays the parent, smtp, mta and the operator.
 *
 * Group commit is counted through the sync hook (queue_spool_set_sync)
 * and the database's commit counter; time is a fake wall clock and a
 * fake monotonic clock moved together; log lines are captured.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "msg_body.h"
#include "queue_ctlcli.h"
#include "queue_int.h"
#include "test.h"

#define T0 INT64_C(1795000000000) /* wall clock at the start, ms */
#define MIN_MS INT64_C(300000)    /* minimum-backoff 300 s */
#define HOUR_MS INT64_C(3600000)
#define LOG_MAX (512 * 1024)
#define SPINS 200 /* loop passes a test waits for an answer */

struct harness {
	struct queue *q;
	int parent, smtp, mta;
	int64_t wall;
	uint64_t mono;
	unsigned long syncs;
	int sync_fail;
	uint64_t sync_ms; /* how long each sync takes on the fake clock */
};

static struct harness h;
static struct config cfg;
static struct msg_reader rd_parent, rd_smtp, rd_mta;
static struct msg_writer wr_parent, wr_smtp, wr_mta;
static char logbuf[LOG_MAX];
static size_t loglen;

/* ---- hooks ----------------------------------------------------------- */

static int64_t
fake_wall(void *arg)
{
	(void)arg;
	return h.wall;
}

static uint32_t
fake_random(void *arg)
{
	(void)arg;
	return 0; /* no jitter: exact schedules */
}

/* The monotonic clock is read on the loop's thread and moved by the
 * syncer's (count_sync): atomic */
static uint64_t
fake_mono(void *arg)
{
	(void)arg;
	return __atomic_load_n(&h.mono, __ATOMIC_SEQ_CST);
}

static uint64_t
real_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
count_sync(int fd)
{
	(void)fd;
	h.syncs++;
	__atomic_add_fetch(&h.mono, h.sync_ms, __ATOMIC_SEQ_CST);
	if (h.sync_fail) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static void
capture(enum log_level level, const char *line, void *arg)
{
	int n;

	(void)arg;
	n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s%s\n",
	    log_level_word(level), line);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen) {
		loglen += (size_t)n;
	}
	if (getenv("QUEUE_TEST_LOG") != NULL) {
		fprintf(stderr, "log: %s%s\n", log_level_word(level), line);
	}
}

/* logged - whether a captured line contains s */
static int
logged(const char *s)
{
	return memmem(logbuf, loglen, s, strlen(s)) != NULL;
}

/* count_logged - how many times s was logged */
static size_t
count_logged(const char *s)
{
	const char *p = logbuf;
	size_t n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* ---- setup ----------------------------------------------------------- */

static void
config_defaults(void)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.server_name, sizeof(cfg.server_name), "mx.sekimori.test");
	snprintf(cfg.root_directory, sizeof(cfg.root_directory), "%s/root",
	    test_tmpdir());
	cfg.queue.lifetime = 120;
	cfg.queue.minimum_backoff = 300;
	cfg.queue.maximum_backoff = 4000;
	cfg.queue.delay_notice = 4;
	cfg.queue.minimum_free_space = 0;
	cfg.limits.message_size = 1024 * 1024;
	cfg.limits.recipients = 100;
	cfg.limits.connections_total = 100;
	cfg.delivery.connections_total = 4;
	cfg.delivery.connections_per_destination = 2;
}

/* start - a queue on the test's spool, with fresh sockets */
static int
start(void)
{
	struct queue_hooks hooks = { fake_wall, fake_random, NULL, 1 };
	int p[2], s[2], m[2];
	char err[512];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, s) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, m) == -1) {
		test_fail("socketpair: %s", strerror(errno));
		return -1;
	}
	h.parent = p[0];
	h.smtp = s[0];
	h.mta = m[0];
	msg_reader_init(&rd_parent, h.parent);
	msg_reader_init(&rd_smtp, h.smtp);
	msg_reader_init(&rd_mta, h.mta);
	msg_writer_init(&wr_parent, h.parent);
	msg_writer_init(&wr_smtp, h.smtp);
	msg_writer_init(&wr_mta, h.mta);
	h.q = queue_new(&cfg, p[1], s[1], m[1], &hooks, err, sizeof(err));
	if (h.q == NULL) {
		test_fail("queue_new: %s", err);
		return -1;
	}
	/* queue_new armed its first timers on the real clock: the fake one
	 * takes over from there */
	if (h.mono < real_mono()) {
		h.mono = real_mono();
	}
	event_set_clock(&h.q->loop, fake_mono, NULL);
	return 0;
}

static int
setup(void)
{
	memset(&h, 0, sizeof(h));
	loglen = 0;
	logbuf[0] = '\0';
	h.wall = T0;
	h.mono = 0;
	config_defaults();
	queue_spool_set_sync(count_sync);
	log_set_sink(capture, NULL);
	return start();
}

/* stop - free the queue and close the test's ends */
static void
stop(void)
{
	queue_free(h.q);
	h.q = NULL;
	msg_reader_clear(&rd_parent);
	msg_reader_clear(&rd_smtp);
	msg_reader_clear(&rd_mta);
	msg_writer_clear(&wr_parent);
	msg_writer_clear(&wr_smtp);
	msg_writer_clear(&wr_mta);
	close(h.parent);
	close(h.smtp);
	if (h.mta >= 0) {
		close(h.mta);
	}
}

static void
teardown(void)
{
	stop();
	queue_spool_set_sync(NULL);
	log_set_sink(NULL, NULL);
}

/* ---- talking --------------------------------------------------------- */

static void
run(int passes)
{
	while (passes-- > 0) {
		queue_run_once(h.q, 1);
	}
}

/* advance - move both clocks */
static void
advance(int64_t ms)
{
	h.wall += ms;
	__atomic_add_fetch(&h.mono, (uint64_t)ms, __ATOMIC_SEQ_CST);
}

static void
put(struct msg_writer *w, uint32_t type, uint32_t peer, int fd,
    const struct msg_body_writer *b)
{
	TEST_CHECK(msg_compose(w, type, peer, fd, b != NULL ? b->p : NULL,
		       b != NULL ? b->len : 0) == SK_OK,
	    "compose %s", msg_type_name(type));
	TEST_CHECK(msg_flush(w) == SK_OK, "flush %s", msg_type_name(type));
}

/*
 * get - the next message on a test socket, running the queue while
 * none is there; 0, or -1 (and no failure recorded) if none came.
 */
static int
get(struct msg_reader *r, struct msg *m)
{
	enum sk_result res;
	int i;

	for (i = 0; i < SPINS; i++) {
		res = msg_next(r, m);
		if (res == SK_OK) {
			return 0;
		}
		if (res != SK_NEED_MORE) {
			return -1;
		}
		res = msg_read(r);
		if (res == SK_NEED_MORE) {
			queue_run_once(h.q, 1);
		} else if (res != SK_OK) {
			return -1;
		}
	}
	return -1;
}

/* expect - get a message of one type (a failure otherwise) */
static int
expect(struct msg_reader *r, uint32_t type, struct msg *m)
{
	if (get(r, m) == -1) {
		test_fail("no %s came", msg_type_name(type));
		return -1;
	}
	if (m->hdr.type != type) {
		test_fail("got %s, want %s", msg_type_name(m->hdr.type),
		    msg_type_name(type));
		if (m->fd >= 0) {
			close(m->fd);
		}
		return -1;
	}
	return 0;
}

/* nothing - 1 if no message waits on r after a few passes */
static int
nothing(struct msg_reader *r)
{
	struct msg m;

	run(5);
	(void)msg_read(r);
	if (msg_next(r, &m) == SK_OK) {
		if (m.fd >= 0) {
			close(m.fd);
		}
		return 0;
	}
	return 1;
}

static void
body_str(const struct msg *m, char *out, size_t size)
{
	struct msg_body_reader r;

	msg_body_reader_init(&r, m->body, m->hdr.len);
	msg_body_get_str(&r, out, size);
}

/* ---- smtp ------------------------------------------------------------ */

/* the spare id of the last Q_OPENED (a strip's original gets it) */
static char opened_spare[QUEUE_ID_SIZE];

/* q_open - Q_OPEN for a session; the content file descriptor, id (and
 * the spare id in opened_spare) */
static int
q_open(uint32_t peer, char id[QUEUE_ID_SIZE])
{
	struct msg_body_reader r;
	struct msg m;

	put(&wr_smtp, MSG_Q_OPEN, peer, -1, NULL);
	if (expect(&rd_smtp, MSG_Q_OPENED, &m) == -1) {
		return -1;
	}
	TEST_CHECK(m.hdr.peer == peer, "Q_OPENED for session %u, want %u",
	    m.hdr.peer, peer);
	msg_body_reader_init(&r, m.body, m.hdr.len);
	msg_body_get_str(&r, id, QUEUE_ID_SIZE);
	msg_body_get_str(&r, opened_spare, sizeof(opened_spare));
	TEST_CHECK(msg_body_end(&r) == 0, "Q_OPENED is not two ids");
	TEST_CHECK(queue_id_valid(id, strlen(id)), "bad id %s", id);
	TEST_CHECK(queue_id_valid(opened_spare, strlen(opened_spare)) &&
		strcmp(id, opened_spare) < 0,
	    "bad spare id %s after %s", opened_spare, id);
	TEST_CHECK(m.fd >= 0, "Q_OPENED without a descriptor");
	return m.fd;
}

static const char *commit_prepend = ""; /* Q_COMMIT's header block */
static const char *commit_reason = "";  /* Q_COMMIT's quarantine reason */
static uint8_t commit_rewrite;          /* Q_COMMIT's rewrite mode */
static int commit_fd = -1;              /* its descriptor, given away */
static const char content[] = "From: a@client.example\r\n"
			      "Subject: test\r\n"
			      "\r\n"
			      "hello\r\n";

/* q_write - the content into fd, closed */
static void
q_write(int fd, const char *text, size_t n)
{
	TEST_CHECK(write(fd, text, n) == (ssize_t)n, "write: %s",
	    strerror(errno));
	close(fd);
}

/* q_finish - queue ENVELOPE, RCPTs and COMMIT without flushing */
static void
q_finish(uint32_t peer, const char *id, const char *sender,
    const char *const *rcpts, uint32_t notify, uint8_t ret, uint64_t octets)
{
	uint8_t buf[4096];
	struct msg_body_writer b;

	msg_body_writer_init(&b, buf, sizeof(buf));
	msg_body_put_cstr(&b, id);
	msg_body_put_cstr(&b, sender);
	msg_body_put_cstr(&b, "");
	msg_body_put_u8(&b, ret);
	msg_body_put_u8(&b, MSG_BODY_7BIT);
	msg_body_put_u8(&b, 0);
	msg_body_put_cstr(&b, "");
	msg_body_put_cstr(&b, "192.0.2.7");
	msg_body_put_cstr(&b, "client.example");
	msg_body_put_cstr(&b, "client.example");
	msg_body_put_cstr(&b, "mx");
	msg_body_put_cstr(&b, "ESMTP");
	msg_body_put_cstr(&b, "");
	TEST_CHECK(msg_compose(&wr_smtp, MSG_Q_ENVELOPE, peer, -1, b.p,
		       b.len) == SK_OK,
	    "envelope");
	for (; *rcpts != NULL; rcpts++) {
		msg_body_writer_init(&b, buf, sizeof(buf));
		msg_body_put_cstr(&b, *rcpts);
		msg_body_put_u32(&b, notify);
		msg_body_put_cstr(&b, "");
		TEST_CHECK(msg_compose(&wr_smtp, MSG_Q_RCPT, peer, -1, b.p,
			       b.len) == SK_OK,
		    "rcpt");
	}
	msg_body_writer_init(&b, buf, sizeof(buf));
	msg_body_put_u64(&b, octets);
	msg_body_put_cstr(&b, commit_prepend);
	msg_body_put_cstr(&b, commit_reason);
	if (commit_rewrite != MSG_REWRITE_NONE) {
		msg_body_put_u8(&b, commit_rewrite);
	}
	TEST_CHECK(msg_compose(&wr_smtp, MSG_Q_COMMIT, peer, commit_fd, b.p,
		       b.len) == SK_OK,
	    "commit");
	commit_fd = -1;
	commit_rewrite = MSG_REWRITE_NONE;
}

/* submit - a whole transaction; the queue id, or "" on failure */
static const char *
submit(uint32_t peer, const char *sender, const char *const *rcpts,
    uint32_t notify)
{
	static char id[QUEUE_ID_SIZE];
	struct msg m;
	int fd = q_open(peer, id);

	if (fd < 0) {
		return "";
	}
	q_write(fd, content, strlen(content));
	q_finish(peer, id, sender, rcpts, notify, MSG_RET_NONE,
	    strlen(content));
	TEST_CHECK(msg_flush(&wr_smtp) == SK_OK, "flush");
	if (expect(&rd_smtp, MSG_Q_COMMITTED, &m) == -1) {
		return "";
	}
	return id;
}

/* submit_text - a whole transaction with this content, header block and
 * quarantine reason ("" = deliver); the queue id, or "" on failure */
static const char *
submit_text(uint32_t peer, const char *text, size_t n, const char *prepend,
    const char *reason, const char *const *rcpts)
{
	static char id[QUEUE_ID_SIZE];
	struct msg m;
	int fd = q_open(peer, id);

	if (fd < 0) {
		return "";
	}
	q_write(fd, text, n);
	commit_prepend = prepend;
	commit_reason = reason;
	q_finish(peer, id, "a@client.example", rcpts, 0, MSG_RET_NONE, n);
	commit_prepend = "";
	commit_reason = "";
	TEST_CHECK(msg_flush(&wr_smtp) == SK_OK, "flush");
	if (expect(&rd_smtp, MSG_Q_COMMITTED, &m) == -1) {
		return "";
	}
	return id;
}

/* ---- mta ------------------------------------------------------------- */

struct job {
	uint32_t id;
	struct queue_deliver_view v;
	uint32_t rcpt[64];
	char addr[64][QUEUE_ADDR_SIZE];
	uint32_t notify[64];
	size_t n;
	char head[64];
};

/* take_job - read one M_DELIVER into j */
static int
take_job(struct job *j)
{
	static struct queue_rcpt r;
	struct msg m;

	memset(j, 0, sizeof(*j));
	if (expect(&rd_mta, MSG_M_DELIVER, &m) == -1) {
		return -1;
	}
	j->id = m.hdr.peer;
	TEST_CHECK(m.fd >= 0, "M_DELIVER without the content file");
	if (m.fd >= 0) {
		ssize_t k = read(m.fd, j->head, sizeof(j->head) - 1);

		j->head[k > 0 ? k : 0] = '\0';
		TEST_CHECK(write(m.fd, "x", 1) == -1,
		    "the content file is writable by mta");
		close(m.fd);
	}
	if (queue_deliver_parse(m.body, m.hdr.len, &j->v) != SK_OK) {
		test_fail("malformed M_DELIVER");
		return -1;
	}
	while (j->n < 64 &&
	    queue_deliver_next(&j->v, &j->rcpt[j->n], &r) == SK_OK) {
		snprintf(j->addr[j->n], QUEUE_ADDR_SIZE, "%s", r.address);
		j->notify[j->n] = r.notify;
		j->n++;
	}
	return 0;
}

static void
m_result(const struct job *j, size_t k, uint8_t status, const char *dsn,
    const char *reply)
{
	uint8_t buf[2048];
	struct msg_body_writer b;

	msg_body_writer_init(&b, buf, sizeof(buf));
	msg_body_put_u32(&b, j->rcpt[k]);
	msg_body_put_u8(&b, status);
	msg_body_put_cstr(&b, dsn);
	msg_body_put_cstr(&b, reply);
	msg_body_put_cstr(&b, "mx.remote.example[198.51.100.25]:25");
	msg_body_put_cstr(&b, "");
	put(&wr_mta, MSG_M_RESULT, j->id, -1, &b);
}

static void
m_done(const struct job *j, uint32_t n)
{
	uint8_t buf[4];
	struct msg_body_writer b;

	msg_body_writer_init(&b, buf, sizeof(buf));
	msg_body_put_u32(&b, n);
	put(&wr_mta, MSG_M_DONE, j->id, -1, &b);
}

/* all_results - the same result for every recipient, then M_DONE */
static void
all_results(const struct job *j, uint8_t status, const char *dsn,
    const char *reply)
{
	size_t k;

	for (k = 0; k < j->n; k++) {
		m_result(j, k, status, dsn, reply);
	}
	m_done(j, (uint32_t)j->n);
	run(3);
}

/* rcpt_row - the stored row of one recipient */
static int
rcpt_row(const char *id, uint32_t rcpt, struct queue_rcpt_row *out)
{
	static struct queue_rcpt_row r;
	int found = 0;

	queue_db_rcpts_begin(&h.q->db, id);
	while (queue_db_rcpts_next(&h.q->db, &r) == SK_OK) {
		if (r.rcpt == rcpt) {
			*out = r;
			found = 1;
		}
	}
	queue_db_rcpts_end(&h.q->db);
	return found ? 0 : -1;
}

static unsigned long
messages(void)
{
	unsigned long n = 0;

	queue_db_count(&h.q->db, &n);
	return n;
}

/* file_exists - the content file of id is in the spool (once the
 * remover's thread did the removals it was given) */
static int
file_exists(const char *id)
{
	uint64_t size;

	queue_remover_flush(&h.q->remover);
	return queue_spool_size(&h.q->spool, id, &size) == 0;
}

/* ---- the cases ------------------------------------------------------- */

static void
test_hello(void)
{
	struct msg m;

	if (setup() == -1) {
		return;
	}
	if (expect(&rd_parent, MSG_HELLO, &m) == 0) {
		TEST_CHECK(msg_get_u32(m.body) == MSG_PROTO_VERSION &&
			msg_get_u32(m.body + 4) == MSG_ROLE_QUEUE,
		    "HELLO says version %u role %u", msg_get_u32(m.body),
		    msg_get_u32(m.body + 4));
	}
	teardown();
}

#define NGROUP 20

/* test_group_commit - twenty commits in one pass: one sync, one commit */
static void
test_group_commit(void)
{
	static char addr[NGROUP][64];
	const char *rcpts[2] = { NULL, NULL };
	char ids[NGROUP][QUEUE_ID_SIZE], got[QUEUE_ID_SIZE];
	char spares[NGROUP][QUEUE_ID_SIZE];
	int fds[NGROUP], i, answered = 0;
	unsigned long syncs, commits;
	uint64_t size;
	struct msg m;

	if (setup() == -1) {
		return;
	}
	for (i = 0; i < NGROUP; i++) {
		fds[i] = q_open((uint32_t)i + 1, ids[i]);
		memcpy(spares[i], opened_spare, sizeof(spares[i]));
		/* ids and spare ids come from one generator: strictly
		 * increasing, so each is unique */
		TEST_CHECK(i == 0 || strcmp(spares[i - 1], ids[i]) < 0,
		    "id %s after spare id %s", ids[i], spares[i - 1]);
	}
	for (i = 0; i < NGROUP; i++) {
		if (fds[i] >= 0) {
			q_write(fds[i], content, strlen(content));
		}
		snprintf(addr[i], sizeof(addr[i]), "b@d%d.example", i);
		rcpts[0] = addr[i];
		q_finish((uint32_t)i + 1, ids[i], "a@client.example", rcpts, 0,
		    MSG_RET_NONE, strlen(content));
	}
	syncs = h.syncs;
	commits = h.q->db.commits;
	TEST_CHECK(msg_flush(&wr_smtp) == SK_OK, "flush");
	for (i = 0; i < NGROUP; i++) {
		if (expect(&rd_smtp, MSG_Q_COMMITTED, &m) == -1) {
			break;
		}
		body_str(&m, got, sizeof(got));
		TEST_CHECK(strcmp(got, ids[m.hdr.peer - 1]) == 0,
		    "session %u committed %s, want %s", m.hdr.peer, got,
		    ids[m.hdr.peer - 1]);
		answered++;
	}
	TEST_CHECK(answered == NGROUP, "%d of %d committed", answered, NGROUP);
	for (i = 0; i < NGROUP; i++) {
		TEST_CHECK(queue_spool_size(&h.q->spool, spares[i], &size) ==
			    -1 &&
			errno == ENOENT,
		    "a file for the unused spare id %s", spares[i]);
	}
	TEST_CHECK(h.syncs - syncs == 1, "%lu syncs for %d messages, want 1",
	    h.syncs - syncs, NGROUP);
	TEST_CHECK(h.q->db.commits - commits == 1,
	    "%lu database commits for %d messages, want 1",
	    h.q->db.commits - commits, NGROUP);
	TEST_CHECK(messages() == NGROUP, "%lu messages on record", messages());
	TEST_CHECK(logged(": from=<a@client.example>, size=48, nrcpt=1 "
			  "(queue active)"),
	    "no from= line");
	/* every new message is scheduled at once: four jobs (the limit) */
	for (i = 0; i < 4; i++) {
		struct job j;

		TEST_CHECK(take_job(&j) == 0, "job %d not sent", i);
	}
	TEST_CHECK(h.q->njobs == 4, "%zu jobs in flight, want 4", h.q->njobs);
	teardown();
}

/* test_commit_refused - a short file and an oversized one: Q_FAIL TEMP,
 * the file removed, nothing on record; a sync failure: Q_FAIL TEMP, but
 * the message, committed before the sync, stays queued */
static void
test_commit_refused(void)
{
	static const char *const rcpts[] = { "b@remote.example", NULL };
	char id[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE];
	struct msg m;
	int fd;

	if (setup() == -1) {
		return;
	}
	fd = q_open(1, id);
	q_write(fd, content, 10);
	q_finish(1, id, "a@client.example", rcpts, 0, MSG_RET_NONE,
	    strlen(content));
	msg_flush(&wr_smtp);
	if (expect(&rd_smtp, MSG_Q_FAIL, &m) == 0) {
		TEST_CHECK(msg_get_u32(m.body) == MSG_QUEUE_TEMP,
		    "fail reason %u", msg_get_u32(m.body));
	}
	TEST_CHECK(!file_exists(id), "short file kept");
	TEST_CHECK(messages() == 0, "short message recorded");

	/* more than message-size plus what smtp may add */
	fd = q_open(3, id);
	q_write(fd, content, strlen(content));
	q_finish(3, id, "a@client.example", rcpts, 0, MSG_RET_NONE,
	    cfg.limits.message_size + QUEUE_ADDED_MAX + 1);
	msg_flush(&wr_smtp);
	TEST_CHECK(expect(&rd_smtp, MSG_Q_FAIL, &m) == 0 &&
		logged("not queued: message too large"),
	    "an oversized commit was taken");
	TEST_CHECK(!file_exists(id), "oversized file kept");

	h.sync_fail = 1;
	fd = q_open(2, id2);
	q_write(fd, content, strlen(content));
	q_finish(2, id2, "a@client.example", rcpts, 0, MSG_RET_NONE,
	    strlen(content));
	msg_flush(&wr_smtp);
	if (expect(&rd_smtp, MSG_Q_FAIL, &m) == 0) {
		TEST_CHECK(msg_get_u32(m.body) == MSG_QUEUE_TEMP,
		    "fail reason %u", msg_get_u32(m.body));
	}
	/* committed before the sync: refused, yet kept (and delivered) */
	TEST_CHECK(file_exists(id2), "unsynced file removed");
	TEST_CHECK(messages() == 1, "unsynced message not on record");
	TEST_CHECK(logged(": the spool could not be synced: refused, but "
			  "left queued"),
	    "failed sync not logged");
	h.sync_fail = 0;
	teardown();
}

/* submit_synced_in - a message whose sync takes ms on the fake clock */
static void
submit_synced_in(uint32_t peer, uint64_t ms)
{
	static const char *const rcpts[] = { "b@remote.example", NULL };

	h.sync_ms = ms;
	TEST_CHECK(submit(peer, "a@client.example", rcpts, 0)[0] != '\0',
	    "no commit with a sync of %llu ms", (unsigned long long)ms);
	h.sync_ms = 0;
}

/*
 * test_slow_sync - a sync of 100 ms or more is a warning with its time
 * and the messages that waited; more within a minute are counted, and
 * the next warning says how many and the slowest; a fast one is quiet
 */
static void
test_slow_sync(void)
{
	if (setup() == -1) {
		return;
	}
	submit_synced_in(1, 99);
	TEST_CHECK(count_logged("took") == 0, "a 99 ms sync was logged");
	submit_synced_in(2, 150);
	TEST_CHECK(logged("took 150 ms (1 message waited): the disk may be "
			  "slow or failing"),
	    "a 150 ms sync was not logged");
	submit_synced_in(3, 400);
	submit_synced_in(4, 200);
	TEST_CHECK(count_logged("took") == 1,
	    "more than one warning in a minute");
	advance(QUEUE_SLOW_LOG_MS);
	submit_synced_in(5, 120);
	TEST_CHECK(logged("took 120 ms (1 message waited); 2 more slow syncs "
			  "since the last warning, the slowest 400 ms"),
	    "the second warning does not count the ones between");
	TEST_CHECK(count_logged("took") == 2, "want two warnings");
	teardown();
}

/*
 * test_commit_refused_smtp_gone - smtp dies with a commit on the wire
 * that the queue refuses: the Q_FAIL write finds smtp gone, and the
 * channel's end (run inside chan_send) aborts every open transaction,
 * the refused one included. The refusal must not free it again (ASan;
 * the crash test's kills of smtp make this instant possible).
 */
static void
test_commit_refused_smtp_gone(void)
{
	static const char *const rcpts[] = { "b@remote.example", NULL };
	char id[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE];
	int fd, fd2;

	if (setup() == -1) {
		return;
	}
	fd = q_open(1, id);
	fd2 = q_open(2, id2); /* another open transaction, aborted too */
	if (fd < 0 || fd2 < 0) {
		teardown();
		return;
	}
	close(fd2);
	q_write(fd, content, 10); /* short: the commit is refused */
	q_finish(1, id, "a@client.example", rcpts, 0, MSG_RET_NONE,
	    strlen(content));
	msg_flush(&wr_smtp);
	close(h.smtp);
	h.smtp = -1;
	run(5);
	TEST_CHECK(logged("not queued: write error"), "commit not refused");
	TEST_CHECK(logged("smtp channel closed"), "smtp's end not noticed");
	TEST_CHECK(h.q->ntx == 0, "%zu transactions left open", h.q->ntx);
	TEST_CHECK(!file_exists(id) && !file_exists(id2), "content files kept");
	TEST_CHECK(messages() == 0, "a refused message recorded");
	teardown();
}

/* test_nospace - a nearly full /data refuses new mail with NOSPACE */
static void
test_nospace(void)
{
	struct msg m;

	if (setup() == -1) {
		return;
	}
	stop();
	cfg.limits.message_size = 0xffffffffu; /* 4 GiB must stay free */
	cfg.queue.minimum_free_space = 100;
	if (start() == -1) {
		return;
	}
	put(&wr_smtp, MSG_Q_OPEN, 9, -1, NULL);
	if (expect(&rd_smtp, MSG_Q_FAIL, &m) == 0) {
		TEST_CHECK(msg_get_u32(m.body) == MSG_QUEUE_NOSPACE,
		    "got reason %u, want NOSPACE", msg_get_u32(m.body));
	}
	TEST_CHECK(logged("new mail is deferred"), "full disk not logged");
	teardown();
}

/* test_abort - Q_ABORT, smtp death and protocol errors remove files */
static void
test_abort(void)
{
	char id[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE];
	int fd, s[2];
	uint8_t role[4];
	struct msg m;

	if (setup() == -1) {
		return;
	}
	fd = q_open(1, id);
	close(fd);
	put(&wr_smtp, MSG_Q_ABORT, 1, -1, NULL);
	run(3);
	TEST_CHECK(!file_exists(id), "aborted file kept");

	fd = q_open(2, id2);
	close(fd);
	TEST_CHECK(file_exists(id2), "file of an open transaction missing");
	/* smtp dies with a transaction open */
	msg_reader_clear(&rd_smtp);
	msg_writer_clear(&wr_smtp);
	close(h.smtp);
	run(3);
	TEST_CHECK(!file_exists(id2), "file of a dead session kept");
	TEST_CHECK(logged("1 open transactions aborted"), "abort not logged");

	/* the supervisor restarts smtp: PEER brings the new socket */
	TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0, "socketpair");
	h.smtp = s[0];
	msg_reader_init(&rd_smtp, h.smtp);
	msg_writer_init(&wr_smtp, h.smtp);
	msg_put_u32(role, MSG_ROLE_SMTP);
	TEST_CHECK(msg_compose(&wr_parent, MSG_PEER, 0, s[1], role, 4) == SK_OK,
	    "peer");
	msg_flush(&wr_parent);
	fd = q_open(3, id);
	if (fd >= 0) {
		close(fd);
	}
	/* a recipient for a session without a transaction breaks the
	 * protocol: the channel is dropped, the open file removed */
	{
		uint8_t buf[64];
		struct msg_body_writer b;

		msg_body_writer_init(&b, buf, sizeof(buf));
		msg_body_put_cstr(&b, "x@y.example");
		msg_body_put_u32(&b, 0);
		msg_body_put_cstr(&b, "");
		put(&wr_smtp, MSG_Q_RCPT, 77, -1, &b);
	}
	run(3);
	TEST_CHECK(logged("smtp broke the protocol"), "violation not logged");
	TEST_CHECK(!file_exists(id), "file kept after a violation");
	TEST_CHECK(get(&rd_smtp, &m) == -1, "channel not dropped");
	teardown();
}

/* test_deliver_and_bounce - one domain delivered, one bounced: a DSN
 * to the sender, the message removed, then the DSN delivered */
static void
test_deliver_and_bounce(void)
{
	static const char *const rcpts[] = { "b@one.example", "c@two.example",
		NULL };
	char id[QUEUE_ID_SIZE], bounce[QUEUE_ID_SIZE];
	struct job j1, j2, jb, *one, *two;
	const char *p;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j1) == -1 || take_job(&j2) == -1) {
		teardown();
		return;
	}
	one = strcmp(j1.v.domain, "one.example") == 0 ? &j1 : &j2;
	two = one == &j1 ? &j2 : &j1;
	TEST_CHECK(strcmp(one->v.id, id) == 0 && one->n == 1 &&
		strcmp(one->addr[0], "b@one.example") == 0 &&
		strcmp(one->v.sender, "a@client.example") == 0,
	    "job: %s %zu <%s>", one->v.id, one->n, one->addr[0]);
	TEST_CHECK(strncmp(one->head, "From: a@client.example", 22) == 0,
	    "the job's file is not the message: %s", one->head);
	all_results(one, MSG_DELIVERED, "2.0.0", "250 2.0.0 Ok");
	TEST_CHECK(messages() == 1, "removed before every recipient ended");
	all_results(two, MSG_PERMFAIL, "5.1.1", "550 5.1.1 no such user");
	TEST_CHECK(logged(": to=<b@one.example>, relay=mx.remote.example"
			  "[198.51.100.25]:25, delay=0.0, dsn=2.0.0, "
			  "status=sent (250 2.0.0 Ok)"),
	    "no sent line");
	TEST_CHECK(logged(": to=<c@two.example>, relay=mx.remote.example"
			  "[198.51.100.25]:25, delay=0.0, dsn=5.1.1, "
			  "status=bounced (550 5.1.1 no such user)"),
	    "no bounced line");
	p = memmem(logbuf, loglen, "sender non-delivery notification: ",
	    strlen("sender non-delivery notification: "));
	if (p == NULL) {
		test_fail("no non-delivery notification logged");
		teardown();
		return;
	}
	snprintf(bounce, sizeof(bounce), "%s",
	    p + strlen("sender non-delivery notification: "));
	TEST_CHECK(logged(": removed"), "original not removed");
	TEST_CHECK(!file_exists(id), "original file kept");
	TEST_CHECK(file_exists(bounce), "bounce file missing");
	/* the bounce goes out like any message: null sender, NOTIFY=NEVER */
	if (take_job(&jb) == 0) {
		TEST_CHECK(strcmp(jb.v.id, bounce) == 0 &&
			jb.v.sender[0] == '\0' && jb.n == 1 &&
			strcmp(jb.addr[0], "a@client.example") == 0 &&
			jb.notify[0] == MSG_NOTIFY_NEVER,
		    "bounce job: %s <%s> %zu", jb.v.id, jb.v.sender, jb.n);
		TEST_CHECK(strncmp(jb.head, "From: MAILER-DAEMON@mx.sekimori",
			       31) == 0,
		    "bounce content: %s", jb.head);
		all_results(&jb, MSG_DELIVERED, "2.0.0", "250 ok");
	}
	TEST_CHECK(messages() == 0, "%lu messages left", messages());
	teardown();
}

/* test_prepend - the policy's header block travels with the commit, is
 * kept in the record and reaches the mta; smtp's file is readable (the
 * policy process reads it through smtp's descriptor) */
static void
test_prepend(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static const char block[] = "Authentication-Results: mx.sekimori; "
				    "spf=pass\r\n";
	const char *text = "From: a@client.example\r\n\r\nhi\r\n";
	char id[QUEUE_ID_SIZE], head[8] = "";
	struct msg m;
	struct job j;
	int fd;

	if (setup() == -1) {
		return;
	}
	fd = q_open(1, id);
	if (fd < 0) {
		teardown();
		return;
	}
	TEST_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
		pread(fd, head, 4, 0) == 4 && strcmp(head, "From") == 0,
	    "the spool file is not readable by smtp");
	close(fd);
	commit_prepend = block;
	q_finish(1, id, "a@client.example", rcpts, 0, MSG_RET_NONE,
	    strlen(text));
	commit_prepend = "";
	TEST_CHECK(msg_flush(&wr_smtp) == SK_OK, "flush");
	if (expect(&rd_smtp, MSG_Q_COMMITTED, &m) == -1 || take_job(&j) == -1) {
		teardown();
		return;
	}
	TEST_CHECK(strcmp(j.v.prepend, block) == 0, "prepend: got \"%s\"",
	    j.v.prepend);
	TEST_CHECK(logged(": from=<a@client.example>, size=77, nrcpt=1"),
	    "the logged size does not count the block");
	all_results(&j, MSG_DELIVERED, "2.0.0", "250 2.0.0 Ok");
	teardown();
}

/* test_db_upgrade - a spool index of version 1 (before the header
 * block) opens as version 3: its messages keep their fields and have
 * no block and no quarantine */
static void
test_db_upgrade(void)
{
	/* version 1 as it shipped */
	static const char v1[] =
	    "CREATE TABLE message (id TEXT PRIMARY KEY NOT NULL, size "
	    "INTEGER NOT NULL, arrival INTEGER NOT NULL, sender TEXT NOT "
	    "NULL, envid TEXT NOT NULL, ret INTEGER NOT NULL, body INTEGER "
	    "NOT NULL, smtputf8 INTEGER NOT NULL, auth_user TEXT NOT NULL, "
	    "client_addr TEXT NOT NULL, client_name TEXT NOT NULL, helo "
	    "TEXT NOT NULL, listener TEXT NOT NULL, protocol TEXT NOT NULL, "
	    "tls TEXT NOT NULL, hold INTEGER NOT NULL DEFAULT 0, delay_sent "
	    "INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	    "CREATE TABLE recipient (message TEXT NOT NULL REFERENCES "
	    "message(id) ON DELETE CASCADE, rcpt INTEGER NOT NULL, address "
	    "TEXT NOT NULL, domain TEXT NOT NULL, notify INTEGER NOT NULL, "
	    "orcpt TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0, attempts "
	    "INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL, "
	    "last_attempt INTEGER NOT NULL DEFAULT 0, dsn TEXT NOT NULL "
	    "DEFAULT '', reply TEXT NOT NULL DEFAULT '', relay TEXT NOT NULL "
	    "DEFAULT '', reported INTEGER NOT NULL DEFAULT 0, PRIMARY KEY "
	    "(message, rcpt)) WITHOUT ROWID;"
	    "CREATE INDEX recipient_due ON recipient (status, next_attempt);"
	    "INSERT INTO message VALUES ('OLD1', 5, 1, 'a@b.example', '', 0, "
	    "0, 0, '', '192.0.2.1', 'unknown', 'h', 'mx', 'ESMTP', '', 0, 0);"
	    "PRAGMA user_version = 1;";
	static struct queue_db db;
	static struct queue_msg_row m;
	char path[512], err[256];
	sqlite3 *sq = NULL;

	snprintf(path, sizeof(path), "%s/old.db", test_tmpdir());
	if (sqlite3_open(path, &sq) != SQLITE_OK ||
	    sqlite3_exec(sq, v1, NULL, NULL, NULL) != SQLITE_OK) {
		test_fail("making a version 1 index: %s", sqlite3_errmsg(sq));
		sqlite3_close(sq);
		return;
	}
	sqlite3_close(sq);
	memset(&db, 0, sizeof(db));
	if (queue_db_open(&db, path, err, sizeof(err)) != SK_OK) {
		test_fail("opening the version 1 index: %s", err);
		return;
	}
	TEST_CHECK(queue_db_get(&db, "OLD1", &m) == SK_OK &&
		strcmp(m.env.sender, "a@b.example") == 0 && m.size == 5 &&
		m.env.prepend[0] == '\0',
	    "the old message: sender %s size %llu", m.env.sender,
	    (unsigned long long)m.size);
	queue_db_close(&db);
	/* and again: version 3 stays as it is */
	TEST_CHECK(queue_db_open(&db, path, err, sizeof(err)) == SK_OK,
	    "reopening: %s", err);
	queue_db_close(&db);
}

/* test_backoff_and_expiry - deferred by the backoff schedule, then
 * expired after the lifetime: bounced with 4.4.7 */
static void
test_backoff_and_expiry(void)
{
	static const char *const rcpts[] = { "b@slow.example", NULL };
	struct queue_rcpt_row r;
	char id[QUEUE_ID_SIZE];
	struct job j;
	int64_t arrival = T0;

	if (setup() == -1) {
		return;
	}
	stop();
	cfg.queue.delay_notice = 0;
	if (start() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 4.2.0 try later");
	TEST_CHECK(logged("status=deferred (451 4.2.0 try later)"),
	    "no deferred line");
	TEST_CHECK(rcpt_row(id, 0, &r) == 0 && r.attempts == 1 &&
		r.next_ms == h.wall + MIN_MS && strcmp(r.dsn, "4.2.0") == 0,
	    "after 1 attempt: attempts %u, wait %lld", r.attempts,
	    (long long)(r.next_ms - h.wall));
	/* not sent again before its time */
	advance(MIN_MS - 1000);
	TEST_CHECK(nothing(&rd_mta), "retried early");
	advance(1000);
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 4.2.0 try later");
	TEST_CHECK(rcpt_row(id, 0, &r) == 0 && r.attempts == 2 &&
		r.next_ms == h.wall + 2 * MIN_MS,
	    "after 2 attempts: wait %lld", (long long)(r.next_ms - h.wall));
	/* jump to the end of the lifetime: the last attempt, then bounce */
	advance(arrival + 120 * HOUR_MS - h.wall);
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 4.2.0 still busy");
	TEST_CHECK(logged("dsn=4.4.7, status=bounced (message expired after "
			  "120 hours in the queue; last reply: 451 4.2.0 "
			  "still busy)"),
	    "no expiry line");
	TEST_CHECK(logged("sender non-delivery notification"),
	    "no bounce for the expired message");
	TEST_CHECK(!file_exists(id), "expired message kept");
	teardown();
}

/* test_delay_notice - after delay-notice hours, one delay DSN */
static void
test_delay_notice(void)
{
	static const char *const rcpts[] = { "b@slow.example", NULL };
	char id[QUEUE_ID_SIZE];
	struct job j;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	advance(4 * HOUR_MS);
	all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 busy");
	TEST_CHECK(logged(": sender delay notification: "), "no delay DSN");
	TEST_CHECK(messages() == 2,
	    "%lu messages, want the original and the "
	    "notice",
	    messages());
	/* the notice goes out; the next deferral sends none */
	if (take_job(&j) == 0) {
		TEST_CHECK(j.v.sender[0] == '\0', "the notice has a sender");
		all_results(&j, MSG_DELIVERED, "2.0.0", "250 ok");
	}
	loglen = 0;
	advance(2 * MIN_MS);
	if (take_job(&j) == 0) {
		all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 busy");
	}
	TEST_CHECK(!logged("delay notification"), "a second delay DSN");
	teardown();
}

/* test_notify_never_and_null_sender - no DSN for NOTIFY=NEVER, none to
 * the null sender; SUCCESS asks for a "relayed" report */
static void
test_notify(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	struct job j;

	if (setup() == -1) {
		return;
	}
	submit(1, "a@client.example", rcpts, MSG_NOTIFY_NEVER);
	if (take_job(&j) == 0) {
		all_results(&j, MSG_PERMFAIL, "5.1.1", "550 no");
	}
	TEST_CHECK(!logged("notification"), "DSN despite NOTIFY=NEVER");
	TEST_CHECK(messages() == 0, "NOTIFY=NEVER message kept");

	submit(2, "", rcpts, 0);
	if (take_job(&j) == 0) {
		all_results(&j, MSG_PERMFAIL, "5.1.1", "550 no");
	}
	TEST_CHECK(logged("no notification to the null sender: dropped"),
	    "null-sender bounce not dropped");
	TEST_CHECK(messages() == 0, "null-sender message kept");

	submit(3, "a@client.example", rcpts, MSG_NOTIFY_SUCCESS);
	if (take_job(&j) == 0) {
		all_results(&j, MSG_DELIVERED, "2.0.0", "250 ok");
	}
	TEST_CHECK(logged("sender delivery status notification"),
	    "no success DSN for NOTIFY=SUCCESS");
	teardown();
}

/* test_mta_death - jobs in flight go back to due without an attempt */
static void
test_mta_death(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	struct queue_rcpt_row r;
	char id[QUEUE_ID_SIZE];
	uint8_t role[4];
	struct job j;
	int m[2];

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	msg_reader_clear(&rd_mta);
	msg_writer_clear(&wr_mta);
	close(h.mta);
	h.mta = -1;
	run(3);
	TEST_CHECK(logged("1 jobs in flight will be tried again"),
	    "mta death not logged");
	TEST_CHECK(h.q->njobs == 0, "%zu jobs still in flight", h.q->njobs);
	TEST_CHECK(rcpt_row(id, 0, &r) == 0 && r.attempts == 0 &&
		r.status == QUEUE_RCPT_QUEUED,
	    "attempt counted: %u", r.attempts);
	/* a new mta gets the job again at once */
	TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, m) == 0, "socketpair");
	h.mta = m[0];
	msg_reader_init(&rd_mta, h.mta);
	msg_writer_init(&wr_mta, h.mta);
	msg_put_u32(role, MSG_ROLE_MTA);
	TEST_CHECK(msg_compose(&wr_parent, MSG_PEER, 0, m[1], role, 4) == SK_OK,
	    "peer");
	msg_flush(&wr_parent);
	if (take_job(&j) == 0) {
		TEST_CHECK(strcmp(j.v.id, id) == 0, "another job came");
		/* an M_DONE without results counts as a failed attempt */
		m_done(&j, 0);
		run(3);
		TEST_CHECK(rcpt_row(id, 0, &r) == 0 && r.attempts == 1,
		    "missing result not counted");
		TEST_CHECK(logged("delivery agent returned no result"),
		    "missing result not logged");
	}
	teardown();
}

/* test_split_job - recipients that do not fit one body, and the limit
 * of connections per destination */
static void
test_split_job(void)
{
	static char addrs[60][700];
	const char *rcpts[61];
	size_t total = 0;
	struct job j;
	int i;

	if (setup() == -1) {
		return;
	}
	for (i = 0; i < 60; i++) {
		memset(addrs[i], 'x', 600);
		snprintf(addrs[i] + 600, 100, "%02d@big.example", i);
		rcpts[i] = addrs[i];
	}
	rcpts[60] = NULL;
	submit(1, "a@client.example", rcpts, 0);
	/* 60 * 626 octets: three bodies; two jobs per destination */
	for (i = 0; i < 2; i++) {
		if (take_job(&j) == 0) {
			total += j.n;
			TEST_CHECK(j.n < 60, "job %d holds every recipient", i);
		}
	}
	TEST_CHECK(nothing(&rd_mta), "a third job to the same destination");
	all_results(&j, MSG_DELIVERED, "2.0.0", "250 ok");
	if (take_job(&j) == 0) {
		total += j.n;
	}
	TEST_CHECK(total == 60, "%zu recipients in jobs, want 60", total);
	teardown();
}

/* ctl - run the operator tool in a child while the queue runs here */
static int
ctl(const char *request, char *out, size_t size)
{
	char path[512], file[512];
	int status = -1, i;
	FILE *f;
	pid_t pid;
	size_t n;

	snprintf(path, sizeof(path), "%s/control", h.q->spool.path);
	snprintf(file, sizeof(file), "%s/ctl.out", test_tmpdir());
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		f = fopen(file, "w");
		if (f == NULL) {
			_exit(9);
		}
		status = queue_ctlcli_run(path, request, f, f);
		fclose(f);
		_exit(status);
	}
	for (i = 0; i < 20000; i++) {
		h.mono++; /* a listing waits QUEUE_CTL_RETRY_MS between pages */
		queue_run_once(h.q, 1);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			break;
		}
	}
	out[0] = '\0';
	if ((f = fopen(file, "r")) != NULL) {
		n = fread(out, 1, size - 1, f);
		out[n] = '\0';
		fclose(f);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* test_operator - list, show, hold, release, flush, delete */
static void
test_operator(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static char out[64 * 1024];
	char id[QUEUE_ID_SIZE], req[64];
	struct job j;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j) == 0) {
		all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 later");
	}
	TEST_CHECK(ctl("list", out, sizeof(out)) == 0 &&
		strstr(out, id) != NULL &&
		strstr(out,
		    "status=deferred from=<a@client.example> "
		    "to=<b@one.example>") != NULL &&
		strstr(out, "1 message\n") != NULL,
	    "list: %s", out);
	snprintf(req, sizeof(req), "show %s", id);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0 &&
		strstr(out,
		    "recipient: <b@one.example> status=queued "
		    "attempts=1") != NULL &&
		strstr(out, "reply=451 later") != NULL &&
		strstr(out, "  Subject: test\n") != NULL,
	    "show: %s", out);
	snprintf(req, sizeof(req), "hold %s", id);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0, "hold: %s", out);
	TEST_CHECK(logged(": placed on hold by the operator"), "hold log");
	TEST_CHECK(ctl("flush", out, sizeof(out)) == 0 &&
		strstr(out, "1 recipient due now") != NULL,
	    "flush: %s", out);
	TEST_CHECK(nothing(&rd_mta), "a held message was sent");
	TEST_CHECK(ctl("list", out, sizeof(out)) == 0 &&
		strstr(out, "status=held") != NULL,
	    "list held: %s", out);
	snprintf(req, sizeof(req), "release %s", id);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0, "release: %s", out);
	if (take_job(&j) == 0) {
		all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 later");
	}
	snprintf(req, sizeof(req), "flush %s", id);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0, "flush id: %s", out);
	if (take_job(&j) == 0) {
		TEST_CHECK(strcmp(j.v.id, id) == 0, "flush sent another");
	}
	snprintf(req, sizeof(req), "delete %s", id);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0, "delete: %s", out);
	TEST_CHECK(logged(": deleted by the operator") && logged(": removed"),
	    "delete not logged");
	TEST_CHECK(!file_exists(id) && messages() == 0, "not deleted");
	/* the late result of the deleted message's job is harmless */
	all_results(&j, MSG_PERMFAIL, "5.0.0", "550 late");
	TEST_CHECK(!logged("notification"), "a bounce after delete");
	TEST_CHECK(ctl(req, out, sizeof(out)) == 1 &&
		strstr(out, "no such message") != NULL,
	    "delete twice: %s", out);
	TEST_CHECK(ctl("frobnicate", out, sizeof(out)) == 1 &&
		strstr(out, "unknown command") != NULL,
	    "bad command: %s", out);
	TEST_CHECK(ctl("show ../../etc", out, sizeof(out)) == 1, "bad id: %s",
	    out);
	teardown();
}

#define NMANY 2500

/* slow_reader - a client that reads nothing until the queue had to
 * wait for it: the listing goes out page by page, none lost */
static void
slow_reader(void)
{
	static struct msg_reader r;
	static struct msg_writer w;
	struct sockaddr_un sun;
	unsigned long lines = 0;
	uint8_t body[16];
	struct msg_body_writer b;
	struct msg m;
	int fd, i, end = 0, waiting;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/control",
		h.q->spool.path) >= (int)sizeof(sun.sun_path)) {
		test_fail("socket path too long");
		return;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		test_fail("connect: %s", strerror(errno));
		return;
	}
	msg_reader_init(&r, fd);
	msg_writer_init(&w, fd);
	msg_body_writer_init(&b, body, sizeof(body));
	msg_body_put_cstr(&b, "list");
	put(&w, MSG_CTL_REQUEST, 0, -1, &b);
	for (i = 0; i < 50; i++) {
		h.mono += QUEUE_CTL_RETRY_MS;
		queue_run_once(h.q, 1);
	}
	for (i = 0, waiting = 0; i < QUEUE_CTL_CLIENTS_MAX; i++) {
		struct queue_ctl_client *c = h.q->clients[i];

		waiting |= c != NULL && !c->dead &&
		    (c->listing || msg_pending(&c->ch.w) > 0);
	}
	TEST_CHECK(waiting, "the listing did not wait for the reader");
	for (i = 0; i < 100000 && !end; i++) {
		if (msg_next(&r, &m) == SK_OK) {
			lines += m.hdr.type == MSG_CTL_LINE;
			end = m.hdr.type == MSG_CTL_END;
			continue;
		}
		(void)msg_read(&r);
		h.mono += QUEUE_CTL_RETRY_MS;
		queue_run_once(h.q, 1);
	}
	TEST_CHECK(end && lines == NMANY, "got %lu lines, end %d", lines, end);
	msg_reader_clear(&r);
	msg_writer_clear(&w);
	close(fd);
}

/* submit_many - n transactions in one group commit */
static void
submit_many(uint32_t first, int n, const char *const *rcpts)
{
	static char id[100][QUEUE_ID_SIZE];
	int i, fd[100];
	struct msg m;

	for (i = 0; i < n && i < 100; i++) {
		if ((fd[i] = q_open(first + (uint32_t)i, id[i])) < 0) {
			return;
		}
	}
	for (i = 0; i < n && i < 100; i++) {
		q_write(fd[i], content, strlen(content));
		q_finish(first + (uint32_t)i, id[i], "a@client.example", rcpts,
		    0, MSG_RET_NONE, strlen(content));
		if (msg_pending(&wr_smtp) > MSG_WRITE_BUF / 2) {
			msg_flush(&wr_smtp);
		}
	}
	msg_flush(&wr_smtp);
	for (i = 0; i < n; i++) {
		if (expect(&rd_smtp, MSG_Q_COMMITTED, &m) == -1) {
			return;
		}
	}
}

/* test_list_many - a listing longer than the socket buffers */
static void
test_list_many(void)
{
	static const char *const rcpts[] = { "b@hold.example", NULL };
	static char out[2 * 1024 * 1024];
	char line[64];
	int i;

	if (setup() == -1) {
		return;
	}
	stop();
	cfg.delivery.connections_total = 1;
	cfg.delivery.connections_per_destination = 1;
	if (start() == -1) {
		return;
	}
	for (i = 0; i < NMANY; i += 100) {
		submit_many((uint32_t)i + 1, 100, rcpts);
	}
	snprintf(line, sizeof(line), "%d messages\n", NMANY);
	TEST_CHECK(ctl("list", out, sizeof(out)) == 0 &&
		strstr(out, line) != NULL,
	    "list of %d: %.200s", NMANY, out);
	slow_reader();
	teardown();
}

/*
 * test_ctl_client_gone - an operator client that sends a request and
 * leaves at once: the answer's write fails inside chan_send, which drops
 * the client there and then. Its timer must stay off: the reap frees the
 * client, and a timer left in the heap would be used after the free
 * (ASan). The next client is served as usual.
 */
static void
test_ctl_client_gone(void)
{
	static struct msg_writer w;
	struct sockaddr_un sun;
	uint8_t body[16];
	struct msg_body_writer b;
	char out[256];
	int fd, i, left = 0;

	if (setup() == -1) {
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/control",
		h.q->spool.path) >= (int)sizeof(sun.sun_path)) {
		test_fail("socket path too long");
		teardown();
		return;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		test_fail("connect: %s", strerror(errno));
		teardown();
		return;
	}
	msg_writer_init(&w, fd);
	msg_body_writer_init(&b, body, sizeof(body));
	msg_body_put_cstr(&b, "list");
	put(&w, MSG_CTL_REQUEST, 0, -1, &b);
	msg_writer_clear(&w);
	close(fd);
	for (i = 0; i < 5; i++) {
		queue_run_once(h.q, 1);
	}
	advance(QUEUE_CTL_IDLE_MS + 1000); /* the idle timer's time */
	run(5);
	for (i = 0; i < QUEUE_CTL_CLIENTS_MAX; i++) {
		left += h.q->clients[i] != NULL;
	}
	TEST_CHECK(left == 0, "%d clients left", left);
	TEST_CHECK(ctl("list", out, sizeof(out)) == 0 &&
		strstr(out, "0 messages") != NULL,
	    "list after a vanished client: %s", out);
	teardown();
}

/* test_shutdown_and_restart - commits in flight finish, the delivery
 * job in flight is waited for; the spool is whole after a restart */
static void
test_shutdown_and_restart(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static const char *const rcpts2[] = { "c@two.example", NULL };
	char id[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE], orphan[QUEUE_ID_SIZE];
	struct queue_rcpt_row r;
	struct job j;
	struct msg m;
	int fd, i;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	fd = q_open(2, id2);
	q_write(fd, content, strlen(content));
	fd = q_open(3, orphan); /* never committed */
	close(fd);
	/* the commit and the shutdown arrive in the same pass: the commit
	 * is in flight when the queue stops (were it read a pass earlier,
	 * its job could go out before the shutdown, depending on how many
	 * timers the loop holds) */
	q_finish(2, id2, "a@client.example", rcpts2, 0, MSG_RET_NONE,
	    strlen(content));
	msg_flush(&wr_smtp);
	put(&wr_parent, MSG_SHUTDOWN, 0, -1, NULL);
	TEST_CHECK(expect(&rd_smtp, MSG_Q_COMMITTED, &m) == 0,
	    "commit in flight not finished");
	run(5);
	TEST_CHECK(!queue_finished(h.q), "stopped with a job in flight");
	TEST_CHECK(nothing(&rd_mta), "a new job during shutdown");
	all_results(&j, MSG_DELIVERED, "2.0.0", "250 ok");
	for (i = 0; i < 10 && !queue_finished(h.q); i++) {
		queue_run_once(h.q, 1);
	}
	TEST_CHECK(queue_finished(h.q), "still running after the last job");
	TEST_CHECK(logged("status=sent (250 ok)"),
	    "the last result was not recorded");
	stop();
	if (start() == -1) {
		return;
	}
	TEST_CHECK(messages() == 1 && file_exists(id2) && !file_exists(id),
	    "after the restart: %lu messages", messages());
	TEST_CHECK(!file_exists(orphan), "the uncommitted file survived");
	TEST_CHECK(rcpt_row(id2, 0, &r) == 0 && r.attempts == 0,
	    "the queued message changed");
	teardown();
}

/* test_shutdown_grace - an mta that never answers does not hold the
 * shutdown for ever */
static void
test_shutdown_grace(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	struct job j;
	int i;

	if (setup() == -1) {
		return;
	}
	submit(1, "a@client.example", rcpts, 0);
	if (take_job(&j) == -1) {
		teardown();
		return;
	}
	put(&wr_parent, MSG_SHUTDOWN, 0, -1, NULL);
	run(5);
	TEST_CHECK(!queue_finished(h.q), "did not wait for the job");
	advance(QUEUE_STOP_GRACE_MS);
	for (i = 0; i < 10 && !queue_finished(h.q); i++) {
		queue_run_once(h.q, 1);
	}
	TEST_CHECK(queue_finished(h.q) &&
		logged("shutting down with 1 delivery jobs in flight"),
	    "the grace period did not end the wait");
	teardown();
}

/* test_crash_leftovers - what a queue killed mid-transaction leaves: a
 * content file without a record (made by hand here, as a kill -9 would
 * leave it), removed and logged at the next start */
static void
test_crash_leftovers(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	const char *orphan = "0000000000010000";
	char id[QUEUE_ID_SIZE];
	int fd;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	fd = queue_spool_create(&h.q->spool, orphan);
	q_write(fd, content, 5);
	stop();
	if (start() == -1) {
		return;
	}
	TEST_CHECK(logged("0000000000010000: recovery: content file without "
			  "a queue record"),
	    "orphan not logged");
	TEST_CHECK(!file_exists(orphan), "orphan kept");
	TEST_CHECK(file_exists(id) && messages() == 1, "message lost");
	teardown();
}

/* test_content_missing - a message whose file vanished is deferred, not
 * stuck at the head of the scheduler */
static void
test_content_missing(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	struct queue_rcpt_row r;
	char id[QUEUE_ID_SIZE];
	uint8_t role[4];
	int m[2];

	if (setup() == -1) {
		return;
	}
	/* no mta for now: nothing is sent while we break the spool */
	msg_reader_clear(&rd_mta);
	msg_writer_clear(&wr_mta);
	close(h.mta);
	run(3);
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	TEST_CHECK(unlinkat(h.q->spool.msgfd, id, 0) == 0, "unlink");
	TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, m) == 0, "socketpair");
	h.mta = m[0];
	msg_reader_init(&rd_mta, h.mta);
	msg_writer_init(&wr_mta, h.mta);
	msg_put_u32(role, MSG_ROLE_MTA);
	TEST_CHECK(msg_compose(&wr_parent, MSG_PEER, 0, m[1], role, 4) == SK_OK,
	    "peer");
	msg_flush(&wr_parent);
	TEST_CHECK(nothing(&rd_mta), "a job without its file was sent");
	TEST_CHECK(logged("cannot open content file") &&
		logged("status=deferred (cannot read the queue file)"),
	    "missing file not deferred");
	TEST_CHECK(rcpt_row(id, 0, &r) == 0 && r.attempts == 1 &&
		r.next_ms > h.wall,
	    "not deferred: attempts %u", r.attempts);
	teardown();
}

/* test_sweep_after_restart - results recorded, then the queue stopped
 * before the job ended: at the next start the sweep bounces and removes */
static void
test_sweep_after_restart(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	char id[QUEUE_ID_SIZE];
	struct job j;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s", submit(1, "a@client.example", rcpts, 0));
	if (take_job(&j) == 0) {
		m_result(&j, 0, MSG_PERMFAIL, "5.1.1", "550 gone");
		run(3);
	}
	stop();
	loglen = 0;
	if (start() == -1) {
		return;
	}
	run(3);
	TEST_CHECK(logged("sender non-delivery notification"),
	    "no bounce after the restart");
	TEST_CHECK(!file_exists(id) && messages() == 1,
	    "original kept: %lu messages", messages());
	teardown();
}

/* ---- quarantine ------------------------------------------------------ */

static const char quar_text[] =
    "From: a@client.example\r\n"
    "Subject: invoice\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see attached\r\n"
    "--b1\r\n"
    "Content-Type: application/zip; name=\"invoice.zip\"\r\n"
    "Content-Disposition: attachment; filename=\"invoice.zip\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n"
    "--b1--\r\n";
static const char quar_block[] = "X-Sekimori-Scan: infected\r\n";

/* quar_ctl - ctl of "VERB ID" */
static int
quar_ctl(char *out, size_t size, const char *verb, const char *id)
{
	char req[256];

	snprintf(req, sizeof(req), "%s %s", verb, id);
	return ctl(req, out, size);
}

/* spool_text - the content file of id into out (NUL-terminated) */
static size_t
spool_text(const char *id, char *out, size_t size)
{
	int fd = queue_spool_open_read(&h.q->spool, id);
	ssize_t n = fd >= 0 ? read(fd, out, size - 1) : -1;

	if (fd >= 0) {
		close(fd);
	}
	out[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* rewrite_fd - a memfd holding text, as the content process sends it */
static int
rewrite_fd(const char *text)
{
	int fd = memfd_create("test-rewrite", MFD_CLOEXEC);

	TEST_CHECK(fd >= 0 &&
		write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	    "memfd: %s", strerror(errno));
	return fd;
}

/* test_rewrite_replace - Q_COMMIT with rewrite 1: the descriptor's
 * content replaces the file before the record; the size is the new one */
static void
test_rewrite_replace(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static const char repl[] = "From: a@client.example\r\n"
				   "Subject: [TAG] test\r\n"
				   "X-Virus: clean\r\n"
				   "\r\n"
				   "hello\r\n";
	static char text[4096];
	struct queue_msg_row *m = calloc(1, sizeof(*m));
	char id[QUEUE_ID_SIZE];
	struct job j;

	if (m == NULL || setup() == -1) {
		free(m);
		return;
	}
	commit_rewrite = MSG_REWRITE_REPLACE;
	commit_fd = rewrite_fd(repl);
	snprintf(id, sizeof(id), "%s",
	    submit_text(1, content, strlen(content), "", "", rcpts));
	TEST_CHECK(id[0] != '\0', "replaced commit not acknowledged");
	spool_text(id, text, sizeof(text));
	TEST_CHECK(strcmp(text, repl) == 0, "content: %s", text);
	TEST_CHECK(queue_db_get(&h.q->db, id, m) == SK_OK &&
		m->size == strlen(repl) && m->quarantine[0] == '\0',
	    "record: size %llu", (unsigned long long)m->size);
	snprintf(text, sizeof(text), "size=%zu", strlen(repl));
	TEST_CHECK(logged(text), "logged size is not the new one");
	TEST_CHECK(take_job(&j) == 0 && strcmp(j.v.id, id) == 0,
	    "the replaced message was not sent");
	TEST_CHECK(messages() == 1, "%lu messages", messages());
	free(m);
	teardown();
}

/* test_rewrite_strip - Q_COMMIT with rewrite 2: the original becomes a
 * second message in quarantine (same envelope, its reason naming the
 * delivered id), the descriptor's content is delivered under the
 * commit's id with each token replaced by the quarantined id (here
 * across two notices, one of them cut by nothing but the test's text) */
static void
test_rewrite_strip(void)
{
	static const char *const rcpts[] = { "b@one.example", "c@one.example",
		NULL };
	static char stripped[8192], text[8192], want[512];
	struct queue_msg_row *m = calloc(1, sizeof(*m));
	char id[QUEUE_ID_SIZE], qid[QUEUE_ID_SIZE];
	const char *at;
	struct job j;

	/* the original is kept under Q_OPENED's spare id, which smtp
	 * gave the policy for the seal: the ids in the text are it */
	if (m == NULL || setup() == -1) {
		free(m);
		return;
	}
	snprintf(stripped, sizeof(stripped),
	    "From: a@client.example\r\n\r\n--b1\r\nkept as %s; ask\r\n"
	    "--b1\r\nalso %s\r\n--b1--\r\n",
	    MSG_QID_TOKEN, MSG_QID_TOKEN);
	commit_rewrite = MSG_REWRITE_STRIP;
	commit_fd = rewrite_fd(stripped);
	snprintf(id, sizeof(id), "%s",
	    submit_text(1, quar_text, strlen(quar_text), "",
		"rule exe: stripped 2 parts: file-name a.exe", rcpts));
	TEST_CHECK(id[0] != '\0', "stripped commit not acknowledged");
	spool_text(id, text, sizeof(text));
	at = strstr(text, "kept as ");
	snprintf(qid, sizeof(qid), "%.*s", QUEUE_ID_LEN,
	    at != NULL ? at + 8 : "");
	TEST_CHECK(strcmp(qid, opened_spare) == 0,
	    "the original is %s, not the spare id %s", qid, opened_spare);
	TEST_CHECK(at != NULL && strstr(text, MSG_QID_TOKEN) == NULL &&
		strlen(text) == strlen(stripped) && strcmp(qid, id) != 0 &&
		strstr(text, "also ") != NULL &&
		strncmp(strstr(text, "also ") + 5, qid, QUEUE_ID_LEN) == 0,
	    "delivered content: %s", text);
	spool_text(qid, text, sizeof(text));
	TEST_CHECK(strcmp(text, quar_text) == 0, "original not kept: %s", text);
	snprintf(want, sizeof(want),
	    "rule exe: stripped 2 parts: file-name a.exe; delivered without "
	    "them as %s",
	    id);
	TEST_CHECK(queue_db_get(&h.q->db, qid, m) == SK_OK &&
		strcmp(m->quarantine, want) == 0 &&
		m->size == strlen(quar_text) &&
		strcmp(m->env.sender, "a@client.example") == 0,
	    "quarantined record: \"%s\"", m->quarantine);
	TEST_CHECK(queue_db_get(&h.q->db, id, m) == SK_OK &&
		m->quarantine[0] == '\0' && m->size == strlen(stripped),
	    "delivered record: \"%s\"", m->quarantine);
	snprintf(want, sizeof(want),
	    "%s: stripped: 2 parts removed, original kept in quarantine as %s",
	    id, qid);
	TEST_CHECK(logged(want), "no strip line");
	TEST_CHECK(messages() == 2, "%lu messages", messages());
	TEST_CHECK(take_job(&j) == 0 && strcmp(j.v.id, id) == 0 && j.n == 2,
	    "the stripped message was not sent");
	TEST_CHECK(nothing(&rd_mta), "the quarantined original was sent");
	free(m);
	teardown();
}

/* test_rewrite_bad - a descriptor without a rewrite mode, or strip
 * without a reason, breaks the protocol */
static void
test_rewrite_bad(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	char id[QUEUE_ID_SIZE];
	int fd;

	if (setup() == -1) {
		return;
	}
	if ((fd = q_open(1, id)) >= 0) {
		q_write(fd, content, strlen(content));
		commit_rewrite = MSG_REWRITE_STRIP;
		commit_fd = rewrite_fd(content);
		q_finish(1, id, "a@client.example", rcpts, 0, MSG_RET_NONE,
		    strlen(content));
		TEST_CHECK(msg_flush(&wr_smtp) == SK_OK, "flush");
		run(3);
		TEST_CHECK(logged("malformed commit"),
		    "strip without a "
		    "reason taken");
	}
	teardown();
}

/* test_quarantine_commit - a commit with a reason is on record like any
 * message but never delivered; "quarantine list" shows it (with its
 * filters), "list" does not; the queue's own commands refuse it */
static void
test_quarantine_commit(void)
{
	static const char *const rcpts[] = { "b@one.example", "c@Two.example",
		NULL };
	static const char *const rcpts2[] = { "d@three.example", NULL };
	static char out[64 * 1024];
	char id[QUEUE_ID_SIZE], spam[QUEUE_ID_SIZE], queued[QUEUE_ID_SIZE];
	char req[256];
	long long t0 = (long long)(T0 / 1000);
	struct queue_msg_row *m = calloc(1, sizeof(*m));
	struct job j;

	if (m == NULL || setup() == -1) {
		free(m);
		return;
	}
	snprintf(id, sizeof(id), "%s",
	    submit_text(1, quar_text, strlen(quar_text), quar_block,
		"infected: Eicar-Signature", rcpts));
	TEST_CHECK(id[0] != '\0', "quarantined commit not acknowledged");
	TEST_CHECK(nothing(&rd_mta), "a quarantined message was sent");
	TEST_CHECK(logged(": quarantined: reason=\"infected: Eicar-Signature\" "
			  "from=<a@client.example> nrcpt=2"),
	    "no quarantine log line");
	TEST_CHECK(!logged("nrcpt=2 (queue active)"), "logged as queued");
	TEST_CHECK(queue_db_get(&h.q->db, id, m) == SK_OK &&
		strcmp(m->quarantine, "infected: Eicar-Signature") == 0 &&
		m->quarantined == t0 && strcmp(m->env.prepend, quar_block) == 0,
	    "record: reason \"%s\" at %lld", m->quarantine,
	    (long long)m->quarantined);
	advance(1000);
	snprintf(spam, sizeof(spam), "%s",
	    submit_text(2, content, strlen(content), "", "spam score 12",
		rcpts2));
	snprintf(queued, sizeof(queued), "%s",
	    submit(3, "a@client.example", rcpts2, 0));
	TEST_CHECK(take_job(&j) == 0 && strcmp(j.v.id, queued) == 0,
	    "the queued message was not sent");
	TEST_CHECK(nothing(&rd_mta), "a quarantined message was sent");

	TEST_CHECK(ctl("list", out, sizeof(out)) == 0 &&
		strstr(out, queued) != NULL && strstr(out, id) == NULL &&
		strstr(out, "1 message\n") != NULL,
	    "list: %s", out);
	/* the size download gives: the header block and the file */
	snprintf(req, sizeof(req), "%s size=%zu quarantined=", id,
	    strlen(quar_block) + strlen(quar_text));
	TEST_CHECK(ctl("quarantine list", out, sizeof(out)) == 0 &&
		strstr(out, req) != NULL &&
		strstr(out,
		    "from=<a@client.example> to=<b@one.example>,"
		    "<c@Two.example> reason=\"infected: "
		    "Eicar-Signature\"\n") != NULL &&
		strstr(out, spam) != NULL && strstr(out, queued) == NULL &&
		strstr(out, "2 messages\n") != NULL &&
		strstr(out, id) < strstr(out, spam),
	    "quarantine list: %s", out);
	/* filters: ANDed, substrings without regard to case */
	TEST_CHECK(ctl("quarantine list reason=EICAR to=two.EXAMPLE", out,
		       sizeof(out)) == 0 &&
		strstr(out, id) != NULL && strstr(out, spam) == NULL &&
		strstr(out, "1 message\n") != NULL,
	    "reason and to: %s", out);
	TEST_CHECK(ctl("quarantine list reason=\"score 12\" from=CLIENT", out,
		       sizeof(out)) == 0 &&
		strstr(out, spam) != NULL && strstr(out, "1 message\n"),
	    "quoted reason: %s", out);
	TEST_CHECK(ctl("quarantine list from=nobody@", out, sizeof(out)) == 0 &&
		strstr(out, "0 messages\n") != NULL,
	    "from: %s", out);
	snprintf(req, sizeof(req), "quarantine list since=%lld until=%lld",
	    t0 + 1, t0 + 5);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0 && strstr(out, spam) &&
		strstr(out, "1 message\n") != NULL,
	    "since and until: %s", out);
	snprintf(req, sizeof(req), "quarantine list until=%lld", t0 - 1);
	TEST_CHECK(ctl(req, out, sizeof(out)) == 0 &&
		strstr(out, "0 messages\n") != NULL,
	    "until: %s", out);
	TEST_CHECK(ctl("quarantine list since=x", out, sizeof(out)) == 1 &&
		strstr(out, "bad quarantine command or filter") != NULL,
	    "bad filter: %s", out);
	TEST_CHECK(ctl("quarantine list to=a to=b", out, sizeof(out)) == 1,
	    "a filter twice: %s", out);

	/* the queue's commands leave quarantined mail alone, and the other
	 * way round */
	TEST_CHECK(quar_ctl(out, sizeof(out), "hold", id) == 1 &&
		strstr(out, "is in quarantine: use \"quarantine release") !=
		    NULL,
	    "hold: %s", out);
	TEST_CHECK(quar_ctl(out, sizeof(out), "release", id) == 1 &&
		quar_ctl(out, sizeof(out), "delete", id) == 1 &&
		quar_ctl(out, sizeof(out), "flush", id) == 1 &&
		strstr(out, "is in quarantine") != NULL,
	    "release, delete, flush: %s", out);
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine release", queued) ==
		    1 &&
		strstr(out, "is not in quarantine: it is queued") != NULL,
	    "quarantine release of a queued message: %s", out);
	TEST_CHECK(ctl("quarantine show 0000000000000000", out, sizeof(out)) ==
		    1 &&
		strstr(out, "no such message") != NULL,
	    "show of nothing: %s", out);
	TEST_CHECK(queue_db_get(&h.q->db, id, m) == SK_OK &&
		m->quarantine[0] != '\0' && file_exists(id),
	    "a refused command changed the message");
	all_results(&j, MSG_DELIVERED, "2.0.0", "250 ok");
	free(m);
	teardown();
}

/* test_quarantine_show_download - show lists envelope, reason, header
 * (the policy's block first) and the MIME parts; download gives the
 * message exactly as it would be delivered */
static void
test_quarantine_show_download(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static char out[64 * 1024], want[4096];
	char id[QUEUE_ID_SIZE];

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s",
	    submit_text(1, quar_text, strlen(quar_text), quar_block,
		"infected: \"Eicar\"", rcpts));
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine show", id) == 0 &&
		strstr(out, "status: quarantined\n") != NULL &&
		strstr(out, "reason: \"infected: \\\"Eicar\\\"\"\n") != NULL &&
		strstr(out, "quarantined: 20") != NULL &&
		strstr(out, "recipient: <b@one.example> status=queued") !=
		    NULL &&
		strstr(out,
		    "header:\n  X-Sekimori-Scan: infected\n"
		    "  From: a@client.example\n") != NULL &&
		strstr(out, "part 1: multipart/mixed size=") != NULL &&
		strstr(out, "part 1.1: text/plain size=") != NULL &&
		strstr(out,
		    "part 1.2: application/zip name=\"invoice.zip\" "
		    "size=22\n") != NULL,
	    "quarantine show: %s", out);
	/* a plain show says what it is */
	TEST_CHECK(quar_ctl(out, sizeof(out), "show", id) == 0 &&
		strstr(out, "status: quarantined\n") != NULL,
	    "show: %s", out);
	snprintf(want, sizeof(want), "%s%s", quar_block, quar_text);
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine download", id) == 0 &&
		strcmp(out, want) == 0,
	    "download: got %zu octets, want %zu: %s", strlen(out), strlen(want),
	    out);
	/* a content file gone (damage): list works, show says so */
	TEST_CHECK(unlinkat(h.q->spool.msgfd, id, 0) == 0, "unlink");
	TEST_CHECK(ctl("quarantine list", out, sizeof(out)) == 0 &&
		strstr(out, id) != NULL,
	    "list without the file: %s", out);
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine show", id) == 0 &&
		strstr(out, "header: (content file missing)\n") != NULL &&
		strstr(out, "  X-Sekimori-Scan: infected\n") != NULL &&
		strstr(out, "parts: incomplete (content file missing)") != NULL,
	    "show without the file: %s", out);
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine download", id) == 1 &&
		strstr(out, "content file missing") != NULL,
	    "download without the file: %s", out);
	teardown();
}

/* test_quarantine_download_big - a download longer than the socket
 * buffers goes out page by page, byte for byte */
static void
test_quarantine_download_big(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static char text[600 * 1024], out[700 * 1024];
	char id[QUEUE_ID_SIZE];
	size_t i, n;

	if (setup() == -1) {
		return;
	}
	n = (size_t)snprintf(text, sizeof(text), "Subject: big\r\n\r\n");
	for (i = 0; n + 80 < sizeof(text); i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "line %06zu of a message too large for one CTL_DATA\r\n",
		    i);
	}
	snprintf(id, sizeof(id), "%s",
	    submit_text(1, text, n, "", "too big to look at", rcpts));
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine download", id) == 0 &&
		strlen(out) == n && memcmp(out, text, n) == 0,
	    "download of %zu octets: got %zu", n, strlen(out));
	teardown();
}

/* test_quarantine_release_delete - release delivers the same header
 * block and file to the original recipients; delete removes it */
static void
test_quarantine_release_delete(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static char out[64 * 1024];
	char id[QUEUE_ID_SIZE], id2[QUEUE_ID_SIZE];
	struct queue_rcpt_row r;
	struct job j;

	if (setup() == -1) {
		return;
	}
	snprintf(id, sizeof(id), "%s",
	    submit_text(1, quar_text, strlen(quar_text), quar_block,
		"infected: Eicar-Signature", rcpts));
	snprintf(id2, sizeof(id2), "%s",
	    submit_text(2, content, strlen(content), "", "spam", rcpts));
	/* long in quarantine: its queue lifetime starts at the release */
	advance(200 * HOUR_MS);
	run(3);
	TEST_CHECK(nothing(&rd_mta), "sent before the release");
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine release", id) == 0 &&
		strstr(out, "released from quarantine by the operator") != NULL,
	    "release: %s", out);
	TEST_CHECK(logged(": released from quarantine by operator (reason was "
			  "\"infected: Eicar-Signature\")"),
	    "release not logged");
	if (take_job(&j) == 0) {
		TEST_CHECK(strcmp(j.v.id, id) == 0 && j.n == 1 &&
			strcmp(j.addr[0], "b@one.example") == 0 &&
			strcmp(j.v.prepend, quar_block) == 0 &&
			strncmp(j.head, quar_text, strlen(j.head)) == 0 &&
			strlen(j.head) > 0,
		    "released job: %s prepend \"%s\" head \"%s\"", j.v.id,
		    j.v.prepend, j.head);
		/* a deferral is no expiry: 200 hours in quarantine do not
		 * count against the 120-hour lifetime */
		all_results(&j, MSG_TEMPFAIL, "4.2.0", "451 later");
		TEST_CHECK(rcpt_row(id, 0, &r) == 0 &&
			r.status == QUEUE_RCPT_QUEUED &&
			r.next_ms == h.wall + MIN_MS,
		    "after a deferral: status %d next %lld", r.status,
		    (long long)(r.next_ms - h.wall));
	}
	TEST_CHECK(ctl("list", out, sizeof(out)) == 0 &&
		strstr(out, id) != NULL && strstr(out, id2) == NULL,
	    "list after release: %s", out);
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine release", id) == 1 &&
		strstr(out, "is not in quarantine") != NULL,
	    "release twice: %s", out);
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine delete", id2) == 0 &&
		strstr(out, "deleted from quarantine") != NULL,
	    "delete: %s", out);
	TEST_CHECK(logged(": deleted from quarantine by operator (reason was "
			  "\"spam\")"),
	    "delete not logged");
	TEST_CHECK(!file_exists(id2) && messages() == 1, "not deleted");
	TEST_CHECK(quar_ctl(out, sizeof(out), "quarantine delete", id2) == 1 &&
		strstr(out, "no such message") != NULL,
	    "delete twice: %s", out);
	TEST_CHECK(nothing(&rd_mta), "the deleted message was sent");
	teardown();
}

/* test_quarantine_retention - max-age removes the old ones on the
 * timer; max-size the oldest after a commit; record first, then file */
static void
test_quarantine_retention(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static char big[400 * 1024];
	char a[QUEUE_ID_SIZE], b[QUEUE_ID_SIZE], c[QUEUE_ID_SIZE];
	char d[QUEUE_ID_SIZE];
	size_t n;

	if (setup() == -1) {
		return;
	}
	stop();
	cfg.content.quarantine.max_age_s = 2 * 86400;
	cfg.content.quarantine.max_bytes = 1024 * 1024;
	if (start() == -1) {
		return;
	}
	snprintf(a, sizeof(a), "%s",
	    submit_text(1, content, strlen(content), "", "old", rcpts));
	advance(24 * HOUR_MS);
	snprintf(b, sizeof(b), "%s",
	    submit_text(2, content, strlen(content), "", "younger", rcpts));
	advance(24 * HOUR_MS - 1000); /* a: a second short of two days */
	run(3);
	TEST_CHECK(!logged("removed from quarantine"), "removed too early");
	advance(QUEUE_QUAR_CHECK_MS); /* the next check */
	run(3);
	TEST_CHECK(logged(": removed from quarantine: older than 2 days"),
	    "no removal by age");
	TEST_CHECK(!file_exists(a) && file_exists(b) && messages() == 1,
	    "by age: a %d b %d, %lu messages", file_exists(a), file_exists(b),
	    messages());

	/* by size: three of 400 KiB make 1.2 MiB; b and c go, oldest
	 * first, until the rest fits in 1 MiB */
	n = (size_t)snprintf(big, sizeof(big), "Subject: big\r\n\r\n");
	memset(big + n, 'x', sizeof(big) - n);
	snprintf(c, sizeof(c), "%s",
	    submit_text(3, big, sizeof(big), "", "big one", rcpts));
	advance(1000);
	snprintf(d, sizeof(d), "%s",
	    submit_text(4, big, sizeof(big), "", "big two", rcpts));
	run(3);
	TEST_CHECK(!logged("quarantine over"), "removed under the limit");
	advance(1000);
	loglen = 0;
	snprintf(a, sizeof(a), "%s",
	    submit_text(5, big, sizeof(big), "", "big three", rcpts));
	run(3);
	TEST_CHECK(logged(": removed from quarantine: quarantine over 1 MiB"),
	    "no removal by size");
	TEST_CHECK(!file_exists(b) && !file_exists(c) && file_exists(d) &&
		file_exists(a) && messages() == 2,
	    "by size: b %d c %d d %d, %lu messages", file_exists(b),
	    file_exists(c), file_exists(d), messages());
	TEST_CHECK(nothing(&rd_mta), "a quarantined message was sent");
	teardown();
}

/* test_quarantine_kill - a quarantined message acknowledged by a queue
 * that is then killed (SIGKILL, nothing closed) is recovered at the next
 * start and stays quarantined */
static void
test_quarantine_kill(void)
{
	static const char *const rcpts[] = { "b@one.example", NULL };
	static char out[16 * 1024];
	struct queue_msg_row *m = calloc(1, sizeof(*m));
	char id[QUEUE_ID_SIZE] = "";
	int status = 0, p[2];
	pid_t pid;

	(void)test_tmpdir(); /* the child's spool is ours */
	if (m == NULL || pipe(p) == -1) {
		test_fail("setup");
		free(m);
		return;
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		const char *got = "";

		close(p[0]);
		if (setup() == 0) {
			got = submit_text(1, content, strlen(content), "",
			    "infected: Eicar-Signature", rcpts);
		}
		(void)write(p[1], got, strlen(got) + 1);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	close(p[1]);
	TEST_CHECK(read(p[0], id, sizeof(id)) > 1 && id[0] != '\0',
	    "the child committed nothing");
	close(p[0]);
	waitpid(pid, &status, 0);
	TEST_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the child was not killed");
	if (setup() == -1) {
		free(m);
		return;
	}
	TEST_CHECK(messages() == 1 && file_exists(id), "lost: %lu messages",
	    messages());
	TEST_CHECK(queue_db_get(&h.q->db, id, m) == SK_OK &&
		strcmp(m->quarantine, "infected: Eicar-Signature") == 0,
	    "reason after the restart: \"%s\"", m->quarantine);
	TEST_CHECK(nothing(&rd_mta), "sent after the restart");
	TEST_CHECK(ctl("quarantine list", out, sizeof(out)) == 0 &&
		strstr(out, id) != NULL,
	    "not listed after the restart: %s", out);
	free(m);
	teardown();
}

/* test_db_upgrade_v2 - a version 2 index opens as version 3: messages
 * stay queued (no reason), the quarantine index exists */
static void
test_db_upgrade_v2(void)
{
	static const char v2[] =
	    "CREATE TABLE message (id TEXT PRIMARY KEY NOT NULL, size "
	    "INTEGER NOT NULL, arrival INTEGER NOT NULL, sender TEXT NOT "
	    "NULL, envid TEXT NOT NULL, ret INTEGER NOT NULL, body INTEGER "
	    "NOT NULL, smtputf8 INTEGER NOT NULL, auth_user TEXT NOT NULL, "
	    "client_addr TEXT NOT NULL, client_name TEXT NOT NULL, helo "
	    "TEXT NOT NULL, listener TEXT NOT NULL, protocol TEXT NOT NULL, "
	    "tls TEXT NOT NULL, hold INTEGER NOT NULL DEFAULT 0, delay_sent "
	    "INTEGER NOT NULL DEFAULT 0, prepend TEXT NOT NULL DEFAULT '') "
	    "WITHOUT ROWID;"
	    "CREATE TABLE recipient (message TEXT NOT NULL REFERENCES "
	    "message(id) ON DELETE CASCADE, rcpt INTEGER NOT NULL, address "
	    "TEXT NOT NULL, domain TEXT NOT NULL, notify INTEGER NOT NULL, "
	    "orcpt TEXT NOT NULL, status INTEGER NOT NULL DEFAULT 0, attempts "
	    "INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL, "
	    "last_attempt INTEGER NOT NULL DEFAULT 0, dsn TEXT NOT NULL "
	    "DEFAULT '', reply TEXT NOT NULL DEFAULT '', relay TEXT NOT NULL "
	    "DEFAULT '', reported INTEGER NOT NULL DEFAULT 0, PRIMARY KEY "
	    "(message, rcpt)) WITHOUT ROWID;"
	    "CREATE INDEX recipient_due ON recipient (status, next_attempt);"
	    "INSERT INTO message VALUES ('OLD2', 7, 1, 'a@b.example', '', 0, "
	    "0, 0, '', '192.0.2.1', 'unknown', 'h', 'mx', 'ESMTP', '', 0, 0, "
	    "'X-Old: 1\r\n');"
	    "INSERT INTO recipient (message, rcpt, address, domain, notify, "
	    "orcpt, next_attempt) VALUES ('OLD2', 0, 'c@d.example', "
	    "'d.example', 0, '', 1);"
	    "PRAGMA user_version = 2;";
	static struct queue_db db;
	static struct queue_msg_row m;
	char path[512], err[256], ids[4][QUEUE_ID_SIZE];
	struct queue_quar_filter f;
	struct queue_quar_cursor cur = { -1, "" };
	char id[QUEUE_ID_SIZE], domain[QUEUE_DOMAIN_SIZE];
	sqlite3 *sq = NULL;
	size_t n = 9;

	snprintf(path, sizeof(path), "%s/v2.db", test_tmpdir());
	if (sqlite3_open(path, &sq) != SQLITE_OK ||
	    sqlite3_exec(sq, v2, NULL, NULL, NULL) != SQLITE_OK) {
		test_fail("making a version 2 index: %s", sqlite3_errmsg(sq));
		sqlite3_close(sq);
		return;
	}
	sqlite3_close(sq);
	if (queue_db_open(&db, path, err, sizeof(err)) != SK_OK) {
		test_fail("opening the version 2 index: %s", err);
		return;
	}
	TEST_CHECK(queue_db_get(&db, "OLD2", &m) == SK_OK && m.size == 7 &&
		strcmp(m.env.prepend, "X-Old: 1\r\n") == 0 &&
		m.quarantine[0] == '\0' && m.quarantined == 0,
	    "the old message: size %llu reason \"%s\"",
	    (unsigned long long)m.size, m.quarantine);
	memset(&f, 0, sizeof(f));
	TEST_CHECK(queue_db_quar_list(&db, &f, &cur, ids, 4, &n) == SK_OK &&
		n == 0,
	    "%zu quarantined after the upgrade", n);
	TEST_CHECK(queue_db_due_pick(&db, 2, id, domain) == SK_OK &&
		strcmp(id, "OLD2") == 0,
	    "the old message is not due");
	queue_db_close(&db);
	if (sqlite3_open(path, &sq) == SQLITE_OK) {
		sqlite3_stmt *st = NULL;

		TEST_CHECK(sqlite3_prepare_v2(sq,
			       "SELECT (SELECT user_version FROM "
			       "pragma_user_version), count(*) FROM "
			       "sqlite_master WHERE name = "
			       "'message_quarantine'",
			       -1, &st, NULL) == SQLITE_OK &&
			sqlite3_step(st) == SQLITE_ROW &&
			sqlite3_column_int(st, 0) == 3 &&
			sqlite3_column_int(st, 1) == 1,
		    "not version 3 with its index");
		sqlite3_finalize(st);
	}
	sqlite3_close(sq);
	TEST_CHECK(queue_db_open(&db, path, err, sizeof(err)) == SK_OK,
	    "reopening: %s", err);
	queue_db_close(&db);
}

/* test_log_to_parent - without keep_log, HELLO comes first and every
 * log line follows as MSG_LOG */
static void
test_log_to_parent(void)
{
	struct queue_hooks hooks = { fake_wall, fake_random, NULL, 0 };
	char err[512], text[MSG_LOG_TEXT_MAX + 2];
	struct msg_reader r;
	int p[2];
	struct queue *q;
	struct msg m;
	int i, logs = 0;

	config_defaults();
	queue_spool_set_sync(count_sync);
	TEST_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, p) == 0, "socketpair");
	q = queue_new(&cfg, p[1], -1, -1, &hooks, err, sizeof(err));
	if (q == NULL) {
		test_fail("queue_new: %s", err);
		close(p[0]);
		return;
	}
	msg_reader_init(&r, p[0]);
	for (i = 0; i < SPINS && logs == 0; i++) {
		(void)msg_read(&r);
		while (msg_next(&r, &m) == SK_OK) {
			if (m.hdr.type == MSG_LOG) {
				memcpy(text, m.body + 1, m.hdr.len - 1);
				text[m.hdr.len - 1] = '\0';
				TEST_CHECK(m.body[0] == MSG_LOG_INFO &&
					strstr(text, "0 messages") != NULL,
				    "log line: %s", text);
				logs++;
			} else {
				TEST_CHECK(m.hdr.type == MSG_HELLO && logs == 0,
				    "got %s before HELLO",
				    msg_type_name(m.hdr.type));
			}
		}
		queue_run_once(q, 1);
	}
	TEST_CHECK(logs > 0, "no MSG_LOG reached the parent");
	queue_free(q);
	msg_reader_clear(&r);
	close(p[0]);
	queue_spool_set_sync(NULL);
	log_set_sink(NULL, NULL);
}

/* ---- the content filter's notices ----------------------------------- */

static const char notice_text[] =
    "[Sekimori] quarantine: message 4F2A1B3C5D from a@client.example "
    "(ppap)\r\n"
    "\r\n"
    "Queue id:   4F2A1B3C5D\r\n"
    "Action:     quarantine\r\n";

/* q_notice - Q_NOTICE for session peer */
static void
q_notice(uint32_t peer, const char *text)
{
	uint8_t buf[2 + MSG_NOTICE_MAX];
	struct msg_body_writer b;

	msg_body_writer_init(&b, buf, sizeof(buf));
	msg_body_put_cstr(&b, text);
	put(&wr_smtp, MSG_Q_NOTICE, peer, -1, &b);
}

/* file_text - id's content file as a C string (cut to size) */
static void
file_text(const char *id, char *out, size_t size)
{
	int fd = queue_spool_open_read(&h.q->spool, id);
	ssize_t k = fd >= 0 ? read(fd, out, size - 1) : -1;

	out[k > 0 ? k : 0] = '\0';
	if (fd >= 0) {
		close(fd);
	}
}

/* test_content_notice - Q_NOTICE: a message of its own, null sender, to
 * the notify-recipients, synced and recorded in the pass; none without
 * recipients; no transaction needed */
static void
test_content_notice(void)
{
	static const char key[] = "4F2A1B3C5D: content notice sent as ";
	char id[QUEUE_ID_SIZE], text[4096];
	unsigned long syncs;
	struct job j1, j2, *com;
	const char *p;

	if (setup() == -1) {
		return;
	}
	q_notice(1, notice_text);
	run(5);
	TEST_CHECK(logged("4F2A1B3C5D: content notice dropped: no "
			  "notify-recipient configured"),
	    "no drop without recipients: %s", logbuf);
	TEST_CHECK(messages() == 0, "a notice without recipients");
	stop();
	snprintf(cfg.content.notify_rcpts[0], CONFIG_NOTIFY_RCPT_SIZE,
	    "postmaster@example.com");
	snprintf(cfg.content.notify_rcpts[1], CONFIG_NOTIFY_RCPT_SIZE,
	    "sec@example.org");
	cfg.content.nnotify_rcpts = 2;
	if (start() == -1) {
		return;
	}
	syncs = h.syncs;
	q_notice(7, notice_text);
	run(5);
	p = strstr(logbuf, key);
	if (p == NULL) {
		test_fail("no notice logged: %s", logbuf);
		teardown();
		return;
	}
	snprintf(id, sizeof(id), "%s", p + strlen(key));
	TEST_CHECK(logged(" to 2 administrator(s)"), "count not logged");
	TEST_CHECK(messages() == 1 && file_exists(id) && h.syncs > syncs,
	    "notice %s not on record: %lu messages, syncs %lu", id, messages(),
	    h.syncs - syncs);
	file_text(id, text, sizeof(text));
	TEST_CHECK(strncmp(text,
		       "From: \"Sekimori content filter\" "
		       "<postmaster@mx.sekimori.test>\r\n"
		       "To: <postmaster@example.com>,\r\n <sec@example.org>\r\n"
		       "Subject: [Sekimori] quarantine: message 4F2A1B3C5D "
		       "from a@client.example (ppap)\r\n",
		       180) == 0 &&
		strstr(text, "\r\nAuto-Submitted: auto-generated\r\n") &&
		strstr(text, "\r\nDate: ") &&
		strstr(text, "\r\nMessage-ID: <") &&
		strstr(text, "text/plain; charset=UTF-8\r\n") &&
		strstr(text,
		    "\r\n\r\nQueue id:   4F2A1B3C5D\r\nAction:     "
		    "quarantine\r\n"),
	    "notice content: %s", text);
	if (take_job(&j1) == 0 && take_job(&j2) == 0) {
		com = strcmp(j1.v.domain, "example.com") == 0 ? &j1 : &j2;
		TEST_CHECK(strcmp(com->v.id, id) == 0 &&
			com->v.sender[0] == '\0' && com->n == 1 &&
			strcmp(com->addr[0], "postmaster@example.com") == 0 &&
			com->notify[0] == MSG_NOTIFY_NEVER,
		    "notice job: %s <%s> %zu %s", com->v.id, com->v.sender,
		    com->n, com->addr[0]);
		all_results(&j1, MSG_DELIVERED, "2.0.0", "250 ok");
		all_results(&j2, MSG_DELIVERED, "2.0.0", "250 ok");
	}
	TEST_CHECK(messages() == 0, "%lu messages left", messages());
	teardown();
}

/* test_content_notice_rate - at most QUEUE_NOTICE_RATE a minute; the
 * rest are counted, and logged in one line when the minute is over */
static void
test_content_notice_rate(void)
{
	int i;

	if (setup() == -1) {
		return;
	}
	stop();
	snprintf(cfg.content.notify_rcpts[0], CONFIG_NOTIFY_RCPT_SIZE,
	    "postmaster@example.com");
	cfg.content.nnotify_rcpts = 1;
	if (start() == -1) {
		return;
	}
	for (i = 0; i < QUEUE_NOTICE_RATE + 5; i++) {
		q_notice(1, notice_text);
		run(1);
	}
	run(5);
	TEST_CHECK(count_logged(": content notice sent as ") ==
		    QUEUE_NOTICE_RATE &&
		messages() == QUEUE_NOTICE_RATE,
	    "sent %zu, %lu messages", count_logged(": content notice sent as "),
	    messages());
	TEST_CHECK(!logged("content notices: "), "summary before the minute");
	advance(QUEUE_NOTICE_WINDOW_MS);
	q_notice(1, notice_text);
	run(5);
	TEST_CHECK(logged("content notices: 5 not sent (more than 60 a "
			  "minute)") &&
		count_logged(": content notice sent as ") ==
		    QUEUE_NOTICE_RATE + 1,
	    "after the minute: %zu sent",
	    count_logged(": content notice sent as "));
	teardown();
}

const struct test_case test_cases[] = {
	{ "queue_process_hello", test_hello },
	{ "queue_process_log_to_parent", test_log_to_parent },
	{ "queue_process_group_commit", test_group_commit },
	{ "queue_process_commit_refused", test_commit_refused },
	{ "queue_process_slow_sync", test_slow_sync },
	{ "queue_process_prepend", test_prepend },
	{ "queue_process_db_upgrade", test_db_upgrade },
	{ "queue_process_commit_refused_smtp_gone",
	    test_commit_refused_smtp_gone },
	{ "queue_process_nospace", test_nospace },
	{ "queue_process_abort", test_abort },
	{ "queue_process_deliver_and_bounce", test_deliver_and_bounce },
	{ "queue_process_backoff_and_expiry", test_backoff_and_expiry },
	{ "queue_process_delay_notice", test_delay_notice },
	{ "queue_process_notify", test_notify },
	{ "queue_process_mta_death", test_mta_death },
	{ "queue_process_split_job", test_split_job },
	{ "queue_process_operator", test_operator },
	{ "queue_process_list_many", test_list_many },
	{ "queue_process_ctl_client_gone", test_ctl_client_gone },
	{ "queue_process_shutdown_and_restart", test_shutdown_and_restart },
	{ "queue_process_shutdown_grace", test_shutdown_grace },
	{ "queue_process_crash_leftovers", test_crash_leftovers },
	{ "queue_process_content_missing", test_content_missing },
	{ "queue_process_sweep_after_restart", test_sweep_after_restart },
	{ "queue_process_quarantine_commit", test_quarantine_commit },
	{ "queue_process_rewrite_replace", test_rewrite_replace },
	{ "queue_process_rewrite_strip", test_rewrite_strip },
	{ "queue_process_rewrite_bad", test_rewrite_bad },
	{ "queue_process_quarantine_show_download",
	    test_quarantine_show_download },
	{ "queue_process_quarantine_download_big",
	    test_quarantine_download_big },
	{ "queue_process_quarantine_release_delete",
	    test_quarantine_release_delete },
	{ "queue_process_quarantine_retention", test_quarantine_retention },
	{ "queue_process_quarantine_kill", test_quarantine_kill },
	{ "queue_process_db_upgrade_v2", test_db_upgrade_v2 },
	{ "queue_process_content_notice", test_content_notice },
	{ "queue_process_content_notice_rate", test_content_notice_rate },
};
const size_t test_ncases = SK_NELEM(test_cases);

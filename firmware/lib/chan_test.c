/*
 * chan_test.c - tests of channels: output queued during a pass goes out
 * at its end, in order and with its descriptors; a closed channel's
 * queued output is dropped, never sent later.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "chan.h"
#include "test.h"

#define HEAP_CAP 4
#define MANY 20 /* more descriptors than a writer holds (MSG_FDS_MAX) */

static struct event_loop loop;
static struct event_timer *heap[HEAP_CAP];
static struct chan ch;
static struct msg_reader rd;
static int peer = -1;

static void
on_msg(struct chan *c, struct msg *m, void *arg)
{
	(void)c;
	(void)arg;
	if (m->fd >= 0) {
		close(m->fd);
	}
}

static void
on_close(struct chan *c, enum sk_result why, void *arg)
{
	(void)c;
	(void)why;
	(void)arg;
}

static int
open_pair(void)
{
	int sv[2];

	if (event_init(&loop, heap, HEAP_CAP) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		test_fail("event_init or socketpair failed");
		return -1;
	}
	chan_init(&ch);
	if (chan_open(&ch, &loop, sv[0], on_msg, on_close, NULL) == -1) {
		test_fail("chan_open failed");
		return -1;
	}
	peer = sv[1];
	(void)fcntl(peer, F_SETFL, O_NONBLOCK);
	msg_reader_init(&rd, peer);
	return 0;
}

static void
close_pair(void)
{
	chan_close(&ch);
	msg_reader_clear(&rd);
	close(peer);
	event_close(&loop);
}

/* count - the messages waiting on the peer's side, read as a reader
 * must: parse what it holds before reading more (it keeps MSG_FDS_MAX
 * descriptors at most); descriptors are closed */
static int
count(int *nfds)
{
	struct msg m;
	int n = 0;

	*nfds = 0;
	do {
		while (msg_next(&rd, &m) == SK_OK) {
			n++;
			if (m.fd >= 0) {
				(*nfds)++;
				close(m.fd);
			}
		}
	} while (msg_read(&rd) == SK_OK);
	return n;
}

static void
send_log(const char *text)
{
	uint8_t body[64];
	size_t n = strlen(text);

	body[0] = 1;
	memcpy(body + 1, text, n);
	TEST_CHECK(chan_send(&ch, MSG_LOG, 0, -1, body, 1 + n) == SK_OK,
	    "chan_send");
}

/* test_deferred - three sends wait for the end of the pass */
static void
test_deferred(void)
{
	int n, nfds;

	if (open_pair() == -1) {
		return;
	}
	send_log("one");
	send_log("two");
	send_log("three");
	n = count(&nfds);
	TEST_CHECK(n == 0, "%d messages went out before the pass ended", n);
	event_run_once(&loop, 0);
	n = count(&nfds);
	TEST_CHECK(n == 3, "%d of 3 messages after the pass", n);
	close_pair();
}

/* test_many_fds - more descriptors in one pass than a writer holds:
 * every message arrives with its descriptor, none is refused */
static void
test_many_fds(void)
{
	uint8_t body[8] = { 1, 'x' };
	int i, n, nfds, fd;

	if (open_pair() == -1) {
		return;
	}
	for (i = 0; i < MANY; i++) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (chan_send(&ch, MSG_LOG, 0, fd, body, 2) != SK_OK) {
			test_fail("send %d with a descriptor refused", i);
			close(fd);
			break;
		}
	}
	event_run_once(&loop, 0);
	n = count(&nfds);
	TEST_CHECK(n == MANY && nfds == MANY,
	    "%d messages, %d descriptors; want %d of each", n, nfds, MANY);
	close_pair();
}

/* test_closed - output of a channel closed in the same pass is dropped,
 * and the deferred flush never touches it (ASan watches) */
static void
test_closed(void)
{
	int n, nfds;

	if (open_pair() == -1) {
		return;
	}
	send_log("lost");
	chan_close(&ch);
	event_run_once(&loop, 0);
	n = count(&nfds);
	TEST_CHECK(n == 0, "%d messages of a closed channel went out", n);
	close_pair();
}

const struct test_case test_cases[] = {
	{ "chan_deferred", test_deferred },
	{ "chan_many_fds", test_many_fds },
	{ "chan_closed", test_closed },
};
const size_t test_ncases = SK_NELEM(test_cases);

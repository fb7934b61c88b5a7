/*
 * msg_test.c - tests of the message codec, reader and writer, over a real
 * socketpair, with descriptor passing.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "test.h"

/* One header, the number of body bytes present, and the verdict. */
struct decode_case {
	const char *name;
	uint32_t type, len, flags;
	size_t have; /* body bytes actually in the buffer */
	size_t cut;  /* if non-zero, only this many bytes in total */
	enum sk_result want;
};

static const struct decode_case decode_cases[] = {
	{ "msg_decode_hello", MSG_HELLO, MSG_HELLO_LEN, 0, 8, 0, SK_OK },
	{ "msg_decode_shutdown", MSG_SHUTDOWN, 0, 0, 0, 0, SK_OK },
	{ "msg_decode_empty", MSG_HELLO, 8, 0, 0, 1, SK_NEED_MORE },
	{ "msg_decode_short_hdr", MSG_HELLO, 8, 0, 0, 15, SK_NEED_MORE },
	{ "msg_decode_short_body", MSG_HELLO, 8, 0, 7, 0, SK_NEED_MORE },
	{ "msg_decode_type_zero", MSG_NONE, 0, 0, 0, 0, SK_E_UNKNOWN },
	{ "msg_decode_type_unknown", 9999, 0, 0, 0, 0, SK_E_UNKNOWN },
	{ "msg_decode_flags_unknown", MSG_SHUTDOWN, 0, 0x2, 0, 0, SK_E_SYNTAX },
	{ "msg_decode_hello_long", MSG_HELLO, 9, 0, 9, 0, SK_E_TOO_LONG },
	{ "msg_decode_hello_short", MSG_HELLO, 7, 0, 7, 0, SK_E_RANGE },
	{ "msg_decode_log_max", MSG_LOG, 1 + MSG_LOG_TEXT_MAX, 0,
	    1 + MSG_LOG_TEXT_MAX, 0, SK_OK },
	{ "msg_decode_log_over", MSG_LOG, 2 + MSG_LOG_TEXT_MAX, 0, 0, 0,
	    SK_E_TOO_LONG },
	/* An oversized length is refused before its body arrives. */
	{ "msg_decode_huge", MSG_LOG, 0xffffffffu, 0, 0, 0, SK_E_TOO_LONG },
	{ "msg_decode_shutdown_body", MSG_SHUTDOWN, 1, 0, 1, 0, SK_E_TOO_LONG },
	{ "msg_decode_fd_flag", MSG_SHUTDOWN, 0, MSG_FLAG_FD, 0, 0, SK_OK },
};

static uint8_t scratch[MSG_HDR_LEN + MSG_BODY_MAX];

/* check_decode - build the case's bytes and decode them */
static void
check_decode(const struct decode_case *c)
{
	struct msg_hdr h;
	size_t n, used, want_used;
	enum sk_result r;

	msg_put_u32(scratch, c->type);
	msg_put_u32(scratch + 4, c->len);
	msg_put_u32(scratch + 8, 42);
	msg_put_u32(scratch + 12, c->flags);
	memset(scratch + MSG_HDR_LEN, 'x', c->have);
	n = c->cut != 0 ? c->cut : MSG_HDR_LEN + c->have;
	r = msg_decode(scratch, n, &h, &used);
	if (r != c->want) {
		test_fail("%s: got %s, want %s", c->name, sk_result_str(r),
		    sk_result_str(c->want));
		return;
	}
	want_used = r == SK_OK ? MSG_HDR_LEN + c->len : 0;
	if (used != want_used) {
		test_fail("%s: used: got %zu, want %zu", c->name, used,
		    want_used);
	}
	if (r == SK_OK && h.peer != 42) {
		test_fail("%s: peer: got %u, want 42", c->name, h.peer);
	}
}

static void
test_decode_table(void)
{
	size_t i;

	for (i = 0; i < SK_NELEM(decode_cases); i++) {
		check_decode(&decode_cases[i]);
	}
}

static void
test_encode_roundtrip(void)
{
	static const uint8_t body[MSG_HELLO_LEN] = { 0, 0, 0, 1, 0, 0, 0, 7 };
	struct msg_hdr in = { MSG_HELLO, MSG_HELLO_LEN, 0xdeadbeef, 0 };
	struct msg_hdr out;
	uint8_t wire[64];
	size_t used, used2;
	enum sk_result r;

	r = msg_encode(&in, body, wire, sizeof(wire), &used);
	TEST_CHECK(r == SK_OK, "encode: got %s", sk_result_str(r));
	r = msg_decode(wire, used, &out, &used2);
	TEST_CHECK(r == SK_OK, "decode: got %s", sk_result_str(r));
	TEST_CHECK(used2 == used, "used: got %zu, want %zu", used2, used);
	TEST_CHECK(memcmp(&in, &out, sizeof(in)) == 0,
	    "header: got type %u len %u peer %x flags %u", out.type, out.len,
	    out.peer, out.flags);
	TEST_CHECK(memcmp(wire + MSG_HDR_LEN, body, sizeof(body)) == 0,
	    "body differs after round trip");
	r = msg_encode(&in, body, wire, MSG_HDR_LEN + 7, &used);
	TEST_CHECK(r == SK_E_FULL, "small out: got %s, want %s",
	    sk_result_str(r), sk_result_str(SK_E_FULL));
}

static void
test_type_names(void)
{
	const char *name = msg_type_name(MSG_LOG);

	TEST_CHECK(name != NULL && strcmp(name, "MSG_LOG") == 0,
	    "got %s, want MSG_LOG", name != NULL ? name : "(null)");
	TEST_CHECK(msg_type_name(0) == NULL, "type 0 has a name");
}

/* Endpoints of a socketpair with a reader and a writer on each side. */
static struct msg_reader rd;
static struct msg_writer wr;
static int sv[2];

static int
pair_open(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		test_fail("socketpair failed");
		return -1;
	}
	msg_writer_init(&wr, sv[0]);
	msg_reader_init(&rd, sv[1]);
	return 0;
}

static void
pair_close(void)
{
	msg_writer_clear(&wr);
	msg_reader_clear(&rd);
	close(sv[0]);
	close(sv[1]);
}

/* next_msg - read until a message is whole; SK_NEED_MORE if none comes */
static enum sk_result
next_msg(struct msg *m)
{
	enum sk_result r;

	for (;;) {
		r = msg_next(&rd, m);
		if (r != SK_NEED_MORE) {
			return r;
		}
		r = msg_read(&rd);
		if (r != SK_OK) {
			return r;
		}
	}
}

static void
test_socket_basic(void)
{
	static const uint8_t logbody[] = "\001disk almost full";
	struct msg m;
	enum sk_result r;

	if (pair_open() == -1) {
		return;
	}
	r = msg_compose(&wr, MSG_LOG, 7, -1, logbody, sizeof(logbody) - 1);
	TEST_CHECK(r == SK_OK, "compose log: got %s", sk_result_str(r));
	r = msg_compose(&wr, MSG_SHUTDOWN, 8, -1, NULL, 0);
	TEST_CHECK(r == SK_OK, "compose shutdown: got %s", sk_result_str(r));
	r = msg_flush(&wr);
	TEST_CHECK(r == SK_OK, "flush: got %s", sk_result_str(r));
	r = next_msg(&m);
	TEST_CHECK(r == SK_OK && m.hdr.type == MSG_LOG && m.hdr.peer == 7 &&
		m.hdr.len == sizeof(logbody) - 1 &&
		memcmp(m.body, logbody, m.hdr.len) == 0 && m.fd == -1,
	    "first: got %s type %u peer %u", sk_result_str(r), m.hdr.type,
	    m.hdr.peer);
	r = next_msg(&m);
	TEST_CHECK(r == SK_OK && m.hdr.type == MSG_SHUTDOWN && m.hdr.peer == 8,
	    "second: got %s type %u", sk_result_str(r), m.hdr.type);
	r = next_msg(&m);
	TEST_CHECK(r == SK_NEED_MORE, "third: got %s, want %s",
	    sk_result_str(r), sk_result_str(SK_NEED_MORE));
	pair_close();
}

/* same_file - whether two descriptors refer to the same open file */
static int
same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) == -1 || fstat(b, &sb) == -1) {
		return 0;
	}
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
test_socket_fds(void)
{
	int p1[2], p2[2], fdflags;
	struct msg m;
	enum sk_result r;

	if (pair_open() == -1 || pipe(p1) == -1 || pipe(p2) == -1) {
		test_fail("setup failed");
		return;
	}
	/* fd, no fd, fd: each descriptor must land on its own message. */
	msg_compose(&wr, MSG_SHUTDOWN, 1, dup(p1[0]), NULL, 0);
	msg_compose(&wr, MSG_SHUTDOWN, 2, -1, NULL, 0);
	msg_compose(&wr, MSG_SHUTDOWN, 3, dup(p2[0]), NULL, 0);
	r = msg_flush(&wr);
	TEST_CHECK(r == SK_OK, "flush: got %s", sk_result_str(r));
	TEST_CHECK(wr.nfds == 0, "writer kept %zu fds, want 0", wr.nfds);
	r = next_msg(&m);
	TEST_CHECK(r == SK_OK && m.hdr.peer == 1 && same_file(m.fd, p1[0]),
	    "msg 1: got %s peer %u fd %d", sk_result_str(r), m.hdr.peer, m.fd);
	fdflags = fcntl(m.fd, F_GETFD);
	TEST_CHECK(fdflags != -1 && (fdflags & FD_CLOEXEC),
	    "received fd is not close-on-exec");
	close(m.fd);
	r = next_msg(&m);
	TEST_CHECK(r == SK_OK && m.hdr.peer == 2 && m.fd == -1,
	    "msg 2: got %s peer %u fd %d", sk_result_str(r), m.hdr.peer, m.fd);
	r = next_msg(&m);
	TEST_CHECK(r == SK_OK && m.hdr.peer == 3 && same_file(m.fd, p2[0]),
	    "msg 3: got %s peer %u fd %d", sk_result_str(r), m.hdr.peer, m.fd);
	close(m.fd);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	pair_close();
}

/* A message that announces a descriptor which never came is an error. */
static void
test_socket_fd_missing(void)
{
	uint8_t wire[MSG_HDR_LEN];
	struct msg_hdr h = { MSG_SHUTDOWN, 0, 0, MSG_FLAG_FD };
	struct msg m;
	size_t used;
	enum sk_result r;

	if (pair_open() == -1) {
		return;
	}
	msg_encode(&h, NULL, wire, sizeof(wire), &used);
	TEST_CHECK(write(sv[0], wire, used) == (ssize_t)used, "write failed");
	r = next_msg(&m);
	TEST_CHECK(r == SK_E_SYNTAX, "got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_SYNTAX));
	pair_close();
}

static void
test_socket_garbage(void)
{
	static const uint8_t junk[MSG_HDR_LEN] = "GET / HTTP/1.0\r\n";
	struct msg m;
	enum sk_result r;

	if (pair_open() == -1) {
		return;
	}
	TEST_CHECK(write(sv[0], junk, sizeof(junk)) == sizeof(junk),
	    "write failed");
	r = next_msg(&m);
	TEST_CHECK(r != SK_OK && r != SK_NEED_MORE, "got %s, want an error",
	    sk_result_str(r));
	pair_close();
}

static void
test_socket_closed(void)
{
	struct msg m;
	enum sk_result r;

	if (pair_open() == -1) {
		return;
	}
	/* Half a header, then the peer goes away. */
	TEST_CHECK(write(sv[0], "\0\0\0\3\0\0", 6) == 6, "write failed");
	shutdown(sv[0], SHUT_WR);
	r = next_msg(&m);
	TEST_CHECK(r == SK_E_CLOSED, "got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_CLOSED));
	pair_close();
}

static void
test_compose_refuses(void)
{
	uint8_t body[MSG_BODY_MAX + 1];
	enum sk_result r;

	if (pair_open() == -1) {
		return;
	}
	memset(body, 'a', sizeof(body));
	r = msg_compose(&wr, 77, 0, -1, NULL, 0);
	TEST_CHECK(r == SK_E_UNKNOWN, "unknown type: got %s", sk_result_str(r));
	r = msg_compose(&wr, MSG_LOG, 0, -1, body, sizeof(body));
	TEST_CHECK(r == SK_E_TOO_LONG, "long log: got %s", sk_result_str(r));
	r = msg_compose(&wr, MSG_HELLO, 0, -1, body, 3);
	TEST_CHECK(r == SK_E_RANGE, "short hello: got %s", sk_result_str(r));
	TEST_CHECK(msg_pending(&wr) == 0, "pending: got %zu, want 0",
	    msg_pending(&wr));
	pair_close();
}

/* A peer that stops reading fills the socket, then the bounded queue. */
static void
test_writer_backpressure(void)
{
	uint8_t body[1 + MSG_LOG_TEXT_MAX];
	enum sk_result r = SK_OK, flushed;
	struct msg m;
	size_t sent = 0, got = 0;

	if (pair_open() == -1) {
		return;
	}
	memset(body, 'q', sizeof(body));
	while (r == SK_OK && sent < 100000) {
		r = msg_compose(&wr, MSG_LOG, (uint32_t)sent, -1, body,
		    sizeof(body));
		if (r == SK_OK) {
			sent++;
			if (msg_flush(&wr) == SK_E_IO) {
				break;
			}
		}
	}
	TEST_CHECK(r == SK_E_FULL, "got %s, want %s", sk_result_str(r),
	    sk_result_str(SK_E_FULL));
	TEST_CHECK(msg_flush(&wr) == SK_NEED_MORE, "flush should wait");
	/* Drain everything: every message arrives whole and in order. */
	for (;;) {
		flushed = msg_flush(&wr);
		while ((r = next_msg(&m)) == SK_OK) {
			TEST_CHECK(m.hdr.peer == got, "order: got %u, want %zu",
			    m.hdr.peer, got);
			got++;
		}
		if (r != SK_NEED_MORE || flushed != SK_NEED_MORE) {
			break;
		}
	}
	TEST_CHECK(got == sent, "received %zu of %zu messages", got, sent);
	pair_close();
}

const struct test_case test_cases[] = {
	{ "msg_decode_table", test_decode_table },
	{ "msg_encode_roundtrip", test_encode_roundtrip },
	{ "msg_type_names", test_type_names },
	{ "msg_socket_basic", test_socket_basic },
	{ "msg_socket_fds", test_socket_fds },
	{ "msg_socket_fd_missing", test_socket_fd_missing },
	{ "msg_socket_garbage", test_socket_garbage },
	{ "msg_socket_closed", test_socket_closed },
	{ "msg_compose_refuses", test_compose_refuses },
	{ "msg_writer_backpressure", test_writer_backpressure },
};
const size_t test_ncases = SK_NELEM(test_cases);

/*
 * queue_ctlcli.c - the operator tool's client of SPOOL/control
 * (queue_ctlcli.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "msg_body.h"
#include "queue_ctl.h"
#include "queue_ctlcli.h"

#define QUEUE_CTLCLI_PREFIX "sekimori-queue: "

/* queue_ctlcli_connect - a blocking connection to path, or -1 */
static int
queue_ctlcli_connect(const char *path, FILE *err)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(err, QUEUE_CTLCLI_PREFIX "%s: path too long\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(err,
		    QUEUE_CTLCLI_PREFIX "cannot reach the queue at %s: %s "
					"(is sekimorid running, and are you "
					"root?)\n",
		    path, strerror(errno));
		if (fd != -1) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/* queue_ctlcli_wait - poll fd for events; 0, or -1 after a timeout */
static int
queue_ctlcli_wait(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	int n;

	do {
		n = poll(&p, 1, QUEUE_CTLCLI_TIMEOUT_MS);
	} while (n == -1 && errno == EINTR);
	if (n == 0) {
		errno = ETIMEDOUT;
	}
	return n > 0 ? 0 : -1;
}

/* queue_ctlcli_send - the request, written whole */
static int
queue_ctlcli_send(int fd, const char *request)
{
	static struct msg_writer w;
	uint8_t body[2 + QUEUE_CTL_REQUEST_MAX];
	struct msg_body_writer b;
	enum sk_result r;

	msg_writer_init(&w, fd);
	msg_body_writer_init(&b, body, sizeof(body));
	msg_body_put_cstr(&b, request);
	if (b.err ||
	    msg_compose(&w, MSG_CTL_REQUEST, 0, -1, b.p, b.len) != SK_OK) {
		errno = E2BIG;
		return -1;
	}
	while ((r = msg_flush(&w)) == SK_NEED_MORE) {
		if (queue_ctlcli_wait(fd, POLLOUT) == -1) {
			return -1;
		}
	}
	return r == SK_OK ? 0 : -1;
}

/* queue_ctlcli_print - a line from the queue, made safe for a terminal */
static void
queue_ctlcli_print(FILE *f, const char *prefix, const char *s)
{
	fputs(prefix, f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c >= 0x7f ? '?' : c, f);
	}
	fputc('\n', f);
}

/* queue_ctlcli_one - handle one message: 1 more, 0 END ok, -1 END fail */
static int
queue_ctlcli_one(const struct msg *m, FILE *out, FILE *err)
{
	static char text[MSG_BODY_MAX];
	struct msg_body_reader r;
	uint32_t status = 0;

	if (m->hdr.type == MSG_CTL_DATA) {
		/* a download: the octets exactly as they are */
		if (fwrite(m->body, 1, m->hdr.len, out) != m->hdr.len) {
			fprintf(err, QUEUE_CTLCLI_PREFIX "cannot write: %s\n",
			    strerror(errno));
			return -1;
		}
		return 1;
	}
	msg_body_reader_init(&r, m->body, m->hdr.len);
	if (m->hdr.type == MSG_CTL_END) {
		status = msg_body_get_u32(&r);
	}
	msg_body_get_str(&r, text, sizeof(text));
	if ((m->hdr.type != MSG_CTL_LINE && m->hdr.type != MSG_CTL_END) ||
	    msg_body_end(&r) != 0) {
		fprintf(err, QUEUE_CTLCLI_PREFIX "malformed answer\n");
		return -1;
	}
	if (m->hdr.type == MSG_CTL_LINE) {
		queue_ctlcli_print(out, "", text);
		return 1;
	}
	if (status != 0) {
		queue_ctlcli_print(err, QUEUE_CTLCLI_PREFIX, text);
		return -1;
	}
	if (text[0] != '\0') {
		queue_ctlcli_print(out, "", text);
	}
	return 0;
}

/* queue_ctlcli_read - answers until CTL_END */
static int
queue_ctlcli_read(int fd, FILE *out, FILE *err)
{
	static struct msg_reader rd;
	enum sk_result r;
	struct msg m;
	int k;

	msg_reader_init(&rd, fd);
	for (;;) {
		while ((r = msg_next(&rd, &m)) == SK_OK) {
			if (m.fd >= 0) {
				close(m.fd);
			}
			if ((k = queue_ctlcli_one(&m, out, err)) <= 0) {
				msg_reader_clear(&rd);
				return k == 0 ? 0 : 1;
			}
		}
		if (r != SK_NEED_MORE) {
			break;
		}
		if (queue_ctlcli_wait(fd, POLLIN) == -1) {
			fprintf(err, QUEUE_CTLCLI_PREFIX "no answer: %s\n",
			    strerror(errno));
			return 1;
		}
		r = msg_read(&rd);
		if (r != SK_OK && r != SK_NEED_MORE) {
			break;
		}
	}
	fprintf(err,
	    QUEUE_CTLCLI_PREFIX "the queue closed the connection (%s)\n",
	    sk_result_str(r));
	msg_reader_clear(&rd);
	return 1;
}

int
queue_ctlcli_run(const char *path, const char *request, FILE *out, FILE *err)
{
	int fd = queue_ctlcli_connect(path, err);
	int r;

	if (fd == -1) {
		return 1;
	}
	if (queue_ctlcli_send(fd, request) == -1) {
		fprintf(err, QUEUE_CTLCLI_PREFIX "cannot send: %s\n",
		    strerror(errno));
		close(fd);
		return 1;
	}
	r = queue_ctlcli_read(fd, out, err);
	close(fd);
	return r;
}

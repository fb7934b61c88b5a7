/*
 * msg.c - the typed message layer: codec, reader and writer.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

struct msg_type_row {
	uint32_t type;
	uint32_t lo, hi;
	const char *name;
};

static const struct msg_type_row msg_rows[] = {
#define MSG_TYPE_ROW(name, value, lo, hi) { value, lo, hi, #name },
	MSG_TYPES(MSG_TYPE_ROW)
#undef MSG_TYPE_ROW
};

/* msg_row - the table row of a type, or NULL */
static const struct msg_type_row *
msg_row(uint32_t type)
{
	size_t i;

	for (i = 0; i < SK_NELEM(msg_rows); i++) {
		if (msg_rows[i].type == type) {
			return &msg_rows[i];
		}
	}
	return NULL;
}

/* msg_type_name - "MSG_HELLO", "MSG_LOG"...; NULL for an unknown type */
const char *
msg_type_name(uint32_t type)
{
	const struct msg_type_row *row = msg_row(type);

	return row != NULL ? row->name : NULL;
}

uint32_t
msg_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void
msg_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* msg_check - whether a type and body length are allowed */
enum sk_result
msg_check(uint32_t type, size_t len)
{
	const struct msg_type_row *row = msg_row(type);

	if (row == NULL) {
		return SK_E_UNKNOWN;
	}
	if (len > MSG_BODY_MAX || len > row->hi) {
		return SK_E_TOO_LONG;
	}
	if (len < row->lo) {
		return SK_E_RANGE;
	}
	return SK_OK;
}

/* msg_decode - check the message at buf; *used is its size when SK_OK */
enum sk_result
msg_decode(const uint8_t *buf, size_t len, struct msg_hdr *h, size_t *used)
{
	enum sk_result r;

	*used = 0;
	if (len < MSG_HDR_LEN) {
		return SK_NEED_MORE;
	}
	h->type = msg_get_u32(buf);
	h->len = msg_get_u32(buf + 4);
	h->peer = msg_get_u32(buf + 8);
	h->flags = msg_get_u32(buf + 12);
	/* Judge the header before waiting for a body that may never fit. */
	if ((h->flags & ~MSG_FLAGS_KNOWN) != 0) {
		return SK_E_SYNTAX;
	}
	if ((r = msg_check(h->type, h->len)) != SK_OK) {
		return r;
	}
	if (len - MSG_HDR_LEN < h->len) {
		return SK_NEED_MORE;
	}
	*used = MSG_HDR_LEN + (size_t)h->len;
	return SK_OK;
}

/* msg_encode - write header and body into out[cap]; *used is the size */
enum sk_result
msg_encode(const struct msg_hdr *h, const void *body, uint8_t *out, size_t cap,
    size_t *used)
{
	enum sk_result r;

	*used = 0;
	if ((h->flags & ~MSG_FLAGS_KNOWN) != 0) {
		return SK_E_SYNTAX;
	}
	if ((r = msg_check(h->type, h->len)) != SK_OK) {
		return r;
	}
	if (cap < MSG_HDR_LEN || cap - MSG_HDR_LEN < h->len) {
		return SK_E_FULL;
	}
	msg_put_u32(out, h->type);
	msg_put_u32(out + 4, h->len);
	msg_put_u32(out + 8, h->peer);
	msg_put_u32(out + 12, h->flags);
	if (h->len > 0) {
		memcpy(out + MSG_HDR_LEN, body, h->len);
	}
	*used = MSG_HDR_LEN + (size_t)h->len;
	return SK_OK;
}

/* msg_reader_init - read messages from sock; the caller keeps sock */
void
msg_reader_init(struct msg_reader *r, int sock)
{
	r->sock = sock;
	buf_init(&r->in, r->storage, sizeof(r->storage));
	r->last = 0;
	r->nfds = 0;
}

/* msg_reader_release - drop the message msg_next returned last */
static void
msg_reader_release(struct msg_reader *r)
{
	buf_consume(&r->in, r->last);
	r->last = 0;
}

/* msg_take_fds - queue the descriptors of one control message */
static enum sk_result
msg_take_fds(struct msg_reader *r, struct cmsghdr *c)
{
	enum sk_result res = SK_OK;
	size_t i, n;
	int fd;

	n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	for (i = 0; i < n; i++) {
		memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		if (r->nfds == MSG_FDS_MAX) {
			close(fd);
			res = SK_E_FULL;
			continue;
		}
		r->fds[r->nfds++] = fd;
	}
	return res;
}

/* msg_read_ctl - take descriptors from a received control buffer */
static enum sk_result
msg_read_ctl(struct msg_reader *r, struct msghdr *mh)
{
	enum sk_result res = SK_OK;
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    msg_take_fds(r, c) != SK_OK) {
			res = SK_E_FULL;
		}
	}
	/* The kernel closed what did not fit: descriptors went missing. */
	if ((mh->msg_flags & MSG_CTRUNC) != 0) {
		res = SK_E_FULL;
	}
	return res;
}

/* msg_read - one recvmsg into the reader's buffer */
enum sk_result
msg_read(struct msg_reader *r)
{
	union {
		struct cmsghdr align;
		uint8_t space[CMSG_SPACE(sizeof(int) * MSG_FDS_MAX)];
	} ctl;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;

	msg_reader_release(r);
	iov.iov_base = buf_space(&r->in, &iov.iov_len);
	if (iov.iov_len == 0) {
		return SK_E_FULL;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.space;
	mh.msg_controllen = sizeof(ctl.space);
	do {
		n = recvmsg(r->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		return errno == EAGAIN || errno == EWOULDBLOCK ? SK_NEED_MORE :
								 SK_E_IO;
	}
	if (n == 0) {
		return SK_E_CLOSED;
	}
	buf_commit(&r->in, (size_t)n);
	return msg_read_ctl(r, &mh);
}

/* msg_next - the next whole message: SK_OK, SK_NEED_MORE or an error */
enum sk_result
msg_next(struct msg_reader *r, struct msg *m)
{
	enum sk_result res;
	size_t used;

	msg_reader_release(r);
	m->fd = -1;
	m->body = NULL;
	res = msg_decode(buf_head(&r->in), buf_len(&r->in), &m->hdr, &used);
	if (res != SK_OK) {
		return res;
	}
	if ((m->hdr.flags & MSG_FLAG_FD) != 0) {
		/* The descriptor rides with the first byte, so it is here. */
		if (r->nfds == 0) {
			return SK_E_SYNTAX;
		}
		m->fd = r->fds[0];
		r->nfds--;
		memmove(r->fds, r->fds + 1, r->nfds * sizeof(r->fds[0]));
	}
	m->body = buf_head(&r->in) + MSG_HDR_LEN;
	r->last = used;
	return SK_OK;
}

/* msg_reader_clear - close descriptors that no message claimed */
void
msg_reader_clear(struct msg_reader *r)
{
	while (r->nfds > 0) {
		close(r->fds[--r->nfds]);
	}
	buf_init(&r->in, r->storage, sizeof(r->storage));
	r->last = 0;
}

/* msg_writer_init - queue messages for sock; the caller keeps sock */
void
msg_writer_init(struct msg_writer *w, int sock)
{
	w->sock = sock;
	buf_init(&w->out, w->storage, sizeof(w->storage));
	w->sent = 0;
	w->nfds = 0;
}

/* msg_pending - bytes queued and not yet sent */
size_t
msg_pending(const struct msg_writer *w)
{
	return buf_len(&w->out);
}

/* msg_compose - queue one message; SK_E_FULL when the queue has no room */
enum sk_result
msg_compose(struct msg_writer *w, uint32_t type, uint32_t peer, int fd,
    const void *body, size_t len)
{
	struct msg_hdr h;
	enum sk_result r;
	uint8_t *tail;
	size_t avail, used;

	if ((r = msg_check(type, len)) != SK_OK) {
		return r;
	}
	if (fd >= 0 && w->nfds == MSG_FDS_MAX) {
		return SK_E_FULL;
	}
	h.type = type;
	h.len = (uint32_t)len;
	h.peer = peer;
	h.flags = fd >= 0 ? MSG_FLAG_FD : 0;
	tail = buf_space(&w->out, &avail);
	if ((r = msg_encode(&h, body, tail, avail, &used)) != SK_OK) {
		return r;
	}
	if (fd >= 0) {
		w->fds[w->nfds].at = w->sent + buf_len(&w->out);
		w->fds[w->nfds].fd = fd;
		w->nfds++;
	}
	buf_commit(&w->out, used);
	return SK_OK;
}

/* msg_send_span - how many bytes the next sendmsg may carry, and its fd */
static size_t
msg_send_span(const struct msg_writer *w, int *fd)
{
	size_t n = buf_len(&w->out);

	*fd = -1;
	if (w->nfds == 0) {
		return n;
	}
	/* A descriptor goes with the first byte of its own message. */
	if (w->fds[0].at == w->sent) {
		*fd = w->fds[0].fd;
		if (w->nfds > 1) {
			n = (size_t)(w->fds[1].at - w->sent);
		}
		return n;
	}
	return (size_t)(w->fds[0].at - w->sent);
}

/* msg_send_one - one sendmsg of n bytes, with fd if fd >= 0 */
static ssize_t
msg_send_one(struct msg_writer *w, size_t n, int fd)
{
	union {
		struct cmsghdr align;
		uint8_t space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *c;
	ssize_t k;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = w->out.data + w->out.off;
	iov.iov_len = n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.space;
		mh.msg_controllen = sizeof(ctl.space);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		k = sendmsg(w->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (k == -1 && errno == EINTR);
	return k;
}

/* msg_flush - send what the socket takes now */
enum sk_result
msg_flush(struct msg_writer *w)
{
	ssize_t k;
	size_t n;
	int fd;

	while (buf_len(&w->out) > 0) {
		n = msg_send_span(w, &fd);
		k = msg_send_one(w, n, fd);
		if (k == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return SK_NEED_MORE;
		}
		if (k == 0) {
			return SK_NEED_MORE;
		}
		if (k == -1) {
			return errno == EPIPE || errno == ECONNRESET ?
			    SK_E_CLOSED :
			    SK_E_IO;
		}
		if (fd >= 0) {
			close(fd);
			w->nfds--;
			memmove(w->fds, w->fds + 1,
			    w->nfds * sizeof(w->fds[0]));
		}
		w->sent += (uint64_t)k;
		buf_consume(&w->out, (size_t)k);
	}
	return SK_OK;
}

/* msg_writer_clear - drop the queue and close its descriptors */
void
msg_writer_clear(struct msg_writer *w)
{
	while (w->nfds > 0) {
		close(w->fds[--w->nfds].fd);
	}
	w->sent += buf_len(&w->out);
	buf_init(&w->out, w->storage, sizeof(w->storage));
}

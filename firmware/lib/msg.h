/*
 * msg.h - the typed message layer between Sekimori processes.
 *
 * Processes talk over SOCK_STREAM socketpairs (STYLE.md item 3). A message
 * is a fixed MSG_HDR_LEN-byte header, big-endian,
 *
 *	u32 type    one of msg_types.h
 *	u32 len     body length, within the type's bounds, <= MSG_BODY_MAX
 *	u32 peer    the sender's id for the subject (session, transaction)
 *	u32 flags   MSG_FLAG_FD: one descriptor travels with this message
 *
 * followed by len body bytes. A descriptor is passed with SCM_RIGHTS on the
 * sendmsg that carries the first byte of its message; the reader keeps
 * received descriptors in arrival order and hands the oldest to the next
 * message that has MSG_FLAG_FD.
 *
 * Three layers:
 *   msg_decode/msg_encode   sans-I/O, over caller buffers, no allocation.
 *                           msg_decode is total: any byte string gives
 *                           SK_OK, SK_NEED_MORE, or an error.
 *   struct msg_reader       recvmsg into a bounded buffer, then msg_next.
 *   struct msg_writer       msg_compose into a bounded queue, msg_flush.
 * Neither reader nor writer ever blocks (MSG_DONTWAIT) nor allocates; the
 * caller owns the structs and the socket. Any error from msg_next means
 * the peer broke the protocol: a daemon calls fatal() and the supervisor
 * restarts it (STYLE.md item 3).
 *
 * Descriptor ownership: msg_next hands m->fd to the caller, who must close
 * it. msg_compose takes fd on SK_OK only (closed once sent, or by
 * msg_writer_clear); on any error the caller still owns it.
 */
#ifndef SK_MSG_H
#define SK_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "msg_types.h"
#include "sk.h"

#define MSG_HDR_LEN 16
/* Bodies carry control data only; mail itself crosses as a descriptor. */
#define MSG_BODY_MAX 16384
#define MSG_FLAG_FD 0x1u
#define MSG_FLAGS_KNOWN MSG_FLAG_FD
/* Received descriptors not yet claimed; one per message is the norm. */
#define MSG_FDS_MAX 8
/* The reader holds two of the largest messages, so one is always whole. */
#define MSG_READ_BUF (2 * (MSG_HDR_LEN + MSG_BODY_MAX))
/* Bounded output queue: a peer that stops reading makes us fail, not grow. */
#define MSG_WRITE_BUF (4 * (MSG_HDR_LEN + MSG_BODY_MAX))

struct msg_hdr {
	uint32_t type;
	uint32_t len;
	uint32_t peer;
	uint32_t flags;
};

struct msg {
	struct msg_hdr hdr;
	const uint8_t *body; /* hdr.len bytes, valid until next msg_next/read */
	int fd;              /* -1, or a descriptor the caller now owns */
};

/* msg_decode - check the message at buf; *used is its size when SK_OK */
enum sk_result msg_decode(const uint8_t *buf, size_t len, struct msg_hdr *h,
    size_t *used);
/* msg_encode - write header and body into out[cap]; *used is the size */
enum sk_result msg_encode(const struct msg_hdr *h, const void *body,
    uint8_t *out, size_t cap, size_t *used);
/* msg_check - whether a type and body length are allowed */
enum sk_result msg_check(uint32_t type, size_t len);
/* msg_type_name - "MSG_HELLO", "MSG_LOG"...; NULL for an unknown type */
const char *msg_type_name(uint32_t type);

uint32_t msg_get_u32(const uint8_t *p);
void msg_put_u32(uint8_t *p, uint32_t v);

struct msg_reader {
	int sock;
	struct buf in;
	size_t last; /* size of the message msg_next returned last */
	int fds[MSG_FDS_MAX];
	size_t nfds;
	uint8_t storage[MSG_READ_BUF];
};

/* msg_reader_init - read messages from sock; the caller keeps sock */
void msg_reader_init(struct msg_reader *r, int sock);
/*
 * msg_read - one recvmsg: SK_OK (bytes came), SK_NEED_MORE (nothing to
 * read now), SK_E_CLOSED, SK_E_IO (errno), SK_E_FULL (no room for bytes
 * or descriptors: a protocol violation).
 */
enum sk_result msg_read(struct msg_reader *r);
/* msg_next - the next whole message: SK_OK, SK_NEED_MORE or an error */
enum sk_result msg_next(struct msg_reader *r, struct msg *m);
/* msg_reader_clear - close descriptors that no message claimed */
void msg_reader_clear(struct msg_reader *r);

struct msg_writer {
	int sock;
	struct buf out;
	uint64_t sent; /* stream offset of the first byte in out */
	struct {
		uint64_t at; /* stream offset of the message it goes with */
		int fd;
	} fds[MSG_FDS_MAX];
	size_t nfds;
	uint8_t storage[MSG_WRITE_BUF];
};

/* msg_writer_init - queue messages for sock; the caller keeps sock */
void msg_writer_init(struct msg_writer *w, int sock);
/* msg_compose - queue one message; SK_E_FULL when the queue has no room */
enum sk_result msg_compose(struct msg_writer *w, uint32_t type, uint32_t peer,
    int fd, const void *body, size_t len);
/*
 * msg_flush - send what the socket takes now: SK_OK (queue empty),
 * SK_NEED_MORE (wait for EPOLLOUT), SK_E_CLOSED, SK_E_IO (errno).
 */
enum sk_result msg_flush(struct msg_writer *w);
/* msg_pending - bytes queued and not yet sent */
size_t msg_pending(const struct msg_writer *w);
/* msg_writer_clear - drop the queue and close its descriptors */
void msg_writer_clear(struct msg_writer *w);

#endif /* SK_MSG_H */

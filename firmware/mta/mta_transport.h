/*
 * mta_transport.h - the byte transport under the SMTP client: a small
 * table of operations (STYLE.md item 8) over one connected socket.
 *
 * Two implementations: plaintext (here) and TLS (firmware/tls, being
 * written). The TLS one is reached only through the hook below, so that
 * this folder builds and is tested without it:
 *
 *	mta_transport_set_tls(fn)   installs fn, which turns a plaintext
 *	                            transport into a TLS one over the same
 *	                            socket (STARTTLS, or implicit TLS).
 *
 * Until something installs it, mta_transport_tls_available() is 0: the
 * delivery policy then never attempts STARTTLS under "may" and fails
 * deliveries whose policy requires TLS ("encrypt", "verify") with a
 * temporary error, so that nothing is ever sent in plaintext against a
 * policy.
 *
 * All operations are non-blocking. read and write move what the socket
 * takes now and say what to wait for; start_tls begins or continues the
 * handshake (call it again on the readiness it asks for) and returns
 * MTA_IO_OK once the session is encrypted. After MTA_IO_ERROR, t->err
 * holds an errno (0 for a TLS failure) and t->why a short reason.
 *
 * Ownership: the caller owns struct mta_transport; from
 * mta_transport_plain on, the transport owns the socket: close() closes
 * it and frees whatever a TLS wrapper allocated.
 */
#ifndef SK_MTA_TRANSPORT_H
#define SK_MTA_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mta_policy.h"

#define MTA_TLS_INFO_MAX 128 /* "TLSv1.3 with cipher TLS_AES_128_GCM..." */
#define MTA_WHY_MAX 128      /* a failure's reason */

enum mta_io {
	MTA_IO_OK,         /* done: bytes moved, or handshake complete */
	MTA_IO_WANT_READ,  /* nothing now: wait until readable */
	MTA_IO_WANT_WRITE, /* nothing now: wait until writable */
	MTA_IO_EOF,        /* the peer closed the connection */
	MTA_IO_ERROR,      /* failed: t->err, t->why */
};

struct mta_transport;

struct mta_transport_ops {
	const char *name;
	enum mta_io (*read)(struct mta_transport *t, uint8_t *buf, size_t cap,
	    size_t *got);
	enum mta_io (*write)(struct mta_transport *t, const uint8_t *buf,
	    size_t len, size_t *put);
	enum mta_io (*start_tls)(struct mta_transport *t);
	void (*close)(struct mta_transport *t);
};

struct mta_transport {
	const struct mta_transport_ops *ops;
	void *ctx; /* the implementation's state; NULL for plaintext */
	int fd;
	int err;
	char why[MTA_WHY_MAX];
	char tls_info[MTA_TLS_INFO_MAX]; /* "" until encrypted */
};

/* What a TLS implementation needs to know of the connection. */
struct mta_tls_params {
	const struct mta_tls_policy *policy;
	const char *server_name; /* SNI and, for verify, the name to match */
};

/*
 * mta_tls_wrap_fn - make t a TLS client transport over t->fd: replace
 * t->ops and t->ctx (the old ones are plaintext, nothing to free).
 * Returns 0, or -1 with t->why set (t is then unchanged). The handshake
 * itself happens in later start_tls calls.
 */
typedef int mta_tls_wrap_fn(struct mta_transport *t,
    const struct mta_tls_params *p);

/* mta_transport_plain - a plaintext transport over the connected fd */
void mta_transport_plain(struct mta_transport *t, int fd);

/* mta_transport_set_tls - install the TLS implementation (NULL: none) */
void mta_transport_set_tls(mta_tls_wrap_fn *fn);

/* mta_transport_tls_available - whether a TLS implementation is set */
int mta_transport_tls_available(void);

/* mta_transport_wrap_tls - the hook's wrap; -1 when there is none */
int mta_transport_wrap_tls(struct mta_transport *t,
    const struct mta_tls_params *p);

/* mta_transport_close - close through the ops; harmless when closed */
void mta_transport_close(struct mta_transport *t);

#endif /* SK_MTA_TRANSPORT_H */

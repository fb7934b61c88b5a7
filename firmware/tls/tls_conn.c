/*
 * tls_conn.c - the pump between a socket and a BearSSL engine.
 *
 * The engine tells what it can do (br_ssl_engine_current_state): take
 * records from the network (RECVREC), give records to send (SENDREC),
 * take plaintext (SENDAPP), give plaintext (RECVAPP). Every function
 * below is one loop: first push pending records out, then do what was
 * asked, reading records in when the engine needs them, until it is done
 * or the socket would block.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "tls_conn.h"
#include "tls_names.h"
#include "tls_policy.h"

struct tls_conn {
	int fd;
	int handshake_done;
	int eof;       /* the peer closed TCP */
	int failed;    /* sticky error; err says why */
	size_t memory; /* what we allocated */
	br_ssl_engine_context *eng;
	union {
		br_ssl_server_context server;
		br_ssl_client_context client;
	} u;
	int is_client;
	struct tls_peer *peer; /* client side only */
	char host[CONFIG_DOMAIN_SIZE];
	char err[TLS_CONN_ERR_MAX];
	/* the engine's records, both directions (README.md: why BIDI) */
	size_t iolen;
	unsigned char iobuf[];
};

/*
 * tls_conn_alloc - a zeroed connection over fd, its engine chosen, with
 * its I/O buffer: full duplex (BIDI) on both sides, for the reasons in
 * README.md. The incoming half is always whole (16 KiB records: the peer
 * decides their size), the outgoing one of a server is cut to
 * TLS_CONN_SERVER_OUTPUT: it sends SMTP replies, and BearSSL then simply
 * sends smaller records.
 */
static struct tls_conn *
tls_conn_alloc(int fd, int is_client)
{
	size_t iolen = is_client ?
	    BR_SSL_BUFSIZE_BIDI :
	    BR_SSL_BUFSIZE_INPUT + TLS_CONN_SERVER_OUTPUT;
	struct tls_conn *c;

	if ((c = calloc(1, sizeof(*c) + iolen)) == NULL) {
		return NULL;
	}
	c->fd = fd;
	c->memory = sizeof(*c) + iolen;
	c->iolen = iolen;
	c->is_client = is_client;
	c->eng = is_client ? &c->u.client.eng : &c->u.server.eng;
	return c;
}

enum sk_result
tls_conn_server(struct tls_conn **out, struct tls_server *srv, int fd)
{
	struct tls_conn *c;

	*out = NULL;
	if ((c = tls_conn_alloc(fd, 0)) == NULL) {
		return SK_E_FULL;
	}
	tls_server_setup(srv, &c->u.server); /* zeroes the engine first */
	br_ssl_engine_set_buffer(c->eng, c->iobuf, c->iolen, 1);
	if (tls_policy_seed(c->eng) != SK_OK ||
	    !br_ssl_server_reset(&c->u.server)) {
		tls_conn_free(c);
		return SK_E_IO;
	}
	*out = c;
	return SK_OK;
}

enum sk_result
tls_conn_client(struct tls_conn **out, struct tls_client *cli, int fd,
    const char *host)
{
	struct tls_conn *c;
	const char *sni;

	*out = NULL;
	if (cli->mode == CONFIG_TLS_NONE) {
		return SK_E_RANGE;
	}
	if ((c = tls_conn_alloc(fd, 1)) == NULL) {
		return SK_E_FULL;
	}
	if ((c->peer = calloc(1, sizeof(*c->peer))) == NULL) {
		tls_conn_free(c);
		return SK_E_FULL;
	}
	c->memory += sizeof(*c->peer);
	snprintf(c->host, sizeof(c->host), "%s", host);
	sni = tls_client_setup(cli, &c->u.client, c->peer, c->host);
	br_ssl_engine_set_buffer(c->eng, c->iobuf, c->iolen, 1);
	if (tls_policy_seed(c->eng) != SK_OK ||
	    !br_ssl_client_reset(&c->u.client, sni, 0)) {
		tls_conn_free(c);
		return SK_E_IO;
	}
	*out = c;
	return SK_OK;
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL) {
		return;
	}
	if (c->peer != NULL) {
		explicit_bzero(c->peer, sizeof(*c->peer));
		free(c->peer);
	}
	/* session keys and plaintext live in the context and buffer */
	explicit_bzero(c, sizeof(*c) + c->iolen);
	free(c);
}

/* ---- failure ------------------------------------------------------ */

static enum tls_status tls_conn_fail(struct tls_conn *c, const char *fmt, ...)
    SK_PRINTF(2, 3);

/* tls_conn_fail - record why the connection failed; TLS_ERROR */
static enum tls_status
tls_conn_fail(struct tls_conn *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->failed) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
		c->failed = 1;
	}
	return TLS_ERROR;
}

/* tls_conn_ended - the engine is closed: a clean end, or an error */
static enum tls_status
tls_conn_ended(struct tls_conn *c)
{
	char why[TLS_NAMES_ERR_MAX];
	int err = br_ssl_engine_last_error(c->eng);

	if (c->failed) {
		return TLS_ERROR;
	}
	if (err == BR_ERR_OK && c->handshake_done) {
		return TLS_CLOSED;
	}
	tls_names_error(err, why, sizeof(why));
	return tls_conn_fail(c, "%s%s",
	    c->handshake_done ? "" : "handshake: ", why);
}

/* ---- socket I/O --------------------------------------------------- */

/* tls_conn_send - records the engine has ready onto the socket */
static enum tls_status
tls_conn_send(struct tls_conn *c)
{
	unsigned char *buf;
	size_t len;
	ssize_t n;

	while ((buf = br_ssl_engine_sendrec_buf(c->eng, &len)) != NULL) {
		n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return TLS_WANT_WRITE;
		}
		if (n < 0) {
			return tls_conn_fail(c, "send: %s", strerror(errno));
		}
		br_ssl_engine_sendrec_ack(c->eng, (size_t)n);
	}
	return TLS_OK;
}

/* tls_conn_recv - one recv of records into the engine */
static enum tls_status
tls_conn_recv(struct tls_conn *c)
{
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if ((buf = br_ssl_engine_recvrec_buf(c->eng, &len)) == NULL) {
		return TLS_OK;
	}
	do {
		n = recv(c->fd, buf, len, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return TLS_WANT_READ;
	}
	if (n < 0) {
		return tls_conn_fail(c, "recv: %s", strerror(errno));
	}
	if (n == 0) {
		c->eof = 1;
		if (!c->handshake_done) {
			return tls_conn_fail(c,
			    "handshake: peer closed the connection");
		}
		return TLS_CLOSED;
	}
	br_ssl_engine_recvrec_ack(c->eng, (size_t)n);
	return TLS_OK;
}

/*
 * tls_conn_step - one move when the caller's wish cannot be met yet:
 * send what is pending, else read what the engine waits for. TLS_OK
 * means progress was made; anything else is what to return.
 */
static enum tls_status
tls_conn_step(struct tls_conn *c)
{
	unsigned state;
	enum tls_status r;

	if (c->failed) {
		return TLS_ERROR;
	}
	if (c->eof) {
		return c->handshake_done ? TLS_CLOSED : TLS_ERROR;
	}
	state = br_ssl_engine_current_state(c->eng);
	if (state & BR_SSL_CLOSED) {
		return tls_conn_ended(c);
	}
	if (state & BR_SSL_SENDREC) {
		r = tls_conn_send(c);
		/* bidi: a full socket need not stop reading */
		if (r != TLS_WANT_WRITE || !(state & BR_SSL_RECVREC)) {
			return r;
		}
		r = tls_conn_recv(c);
		return r == TLS_WANT_READ ? TLS_WANT_WRITE : r;
	}
	if (state & BR_SSL_RECVREC) {
		return tls_conn_recv(c);
	}
	return TLS_WANT_READ;
}

/* ---- the caller's operations ------------------------------------- */

/* tls_conn_ready - the handshake is over: the engine moves plaintext */
static int
tls_conn_ready(struct tls_conn *c)
{
	unsigned state = br_ssl_engine_current_state(c->eng);

	if (!c->handshake_done && (state & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) {
		c->handshake_done = 1;
	}
	return c->handshake_done;
}

/* tls_conn_pending - records wait to be sent */
static int
tls_conn_pending(const struct tls_conn *c)
{
	return (br_ssl_engine_current_state(c->eng) & BR_SSL_SENDREC) != 0;
}

enum tls_status
tls_conn_handshake(struct tls_conn *c)
{
	enum tls_status r;

	for (;;) {
		if (c->failed) {
			return TLS_ERROR;
		}
		/* done once our last flight (Finished) is on the socket */
		if (tls_conn_ready(c) && !tls_conn_pending(c)) {
			return TLS_OK;
		}
		if ((r = tls_conn_step(c)) != TLS_OK) {
			return r;
		}
	}
}

enum tls_status
tls_conn_read(struct tls_conn *c, void *buf, size_t cap, size_t *n)
{
	unsigned char *app;
	enum tls_status r;
	size_t len;

	*n = 0;
	for (;;) {
		if (c->failed) {
			return TLS_ERROR;
		}
		tls_conn_ready(c);
		app = br_ssl_engine_recvapp_buf(c->eng, &len);
		if (app != NULL) {
			*n = len < cap ? len : cap;
			memcpy(buf, app, *n);
			br_ssl_engine_recvapp_ack(c->eng, *n);
			return TLS_OK;
		}
		if ((r = tls_conn_step(c)) != TLS_OK) {
			return r;
		}
	}
}

enum tls_status
tls_conn_write(struct tls_conn *c, const void *buf, size_t len, size_t *n)
{
	const unsigned char *p = buf;
	unsigned char *app;
	enum tls_status r;
	size_t room, k;

	*n = 0;
	for (;;) {
		if (c->failed) {
			return TLS_ERROR;
		}
		app = tls_conn_ready(c) ?
		    br_ssl_engine_sendapp_buf(c->eng, &room) :
		    NULL;
		if (app != NULL && *n < len) {
			k = len - *n < room ? len - *n : room;
			memcpy(app, p + *n, k);
			br_ssl_engine_sendapp_ack(c->eng, k);
			*n += k;
			continue;
		}
		if (c->handshake_done && *n == len) {
			/* a record now: SMTP replies must not linger */
			br_ssl_engine_flush(c->eng, 0);
			if (!tls_conn_pending(c)) {
				return TLS_OK;
			}
		}
		if ((r = tls_conn_step(c)) != TLS_OK) {
			return r;
		}
	}
}

enum tls_status
tls_conn_close(struct tls_conn *c)
{
	enum tls_status r;

	if (c->failed) {
		return TLS_ERROR;
	}
	if (c->eof) {
		return TLS_OK; /* nobody left to tell */
	}
	br_ssl_engine_close(c->eng);
	while (tls_conn_pending(c)) {
		if ((r = tls_conn_send(c)) != TLS_OK) {
			return r;
		}
	}
	return TLS_OK;
}

uint32_t
tls_conn_events(const struct tls_conn *c)
{
	unsigned state;
	uint32_t ev = 0;

	if (c->failed || c->eof) {
		return 0;
	}
	state = br_ssl_engine_current_state(c->eng);
	if (state & BR_SSL_CLOSED) {
		return 0;
	}
	if (state & BR_SSL_SENDREC) {
		ev |= EVENT_WRITE;
	}
	if (state & BR_SSL_RECVREC) {
		ev |= EVENT_READ;
	}
	return ev;
}

const char *
tls_conn_error(const struct tls_conn *c)
{
	if (c->failed) {
		return c->err;
	}
	return c->eof && c->handshake_done ? "closed without close_notify" : "";
}

/* ---- what was negotiated ------------------------------------------ */

const char *
tls_conn_version(const struct tls_conn *c)
{
	return tls_names_version(br_ssl_engine_get_version(c->eng));
}

/* tls_conn_suite - the negotiated cipher suite, 0 before the handshake */
static uint16_t
tls_conn_suite(const struct tls_conn *c)
{
	br_ssl_session_parameters sp;
	uint16_t suite;

	if (!c->handshake_done) {
		return 0;
	}
	br_ssl_engine_get_session_parameters(c->eng, &sp);
	suite = sp.cipher_suite;
	explicit_bzero(&sp, sizeof(sp)); /* it holds the master secret */
	return suite;
}

const char *
tls_conn_cipher(const struct tls_conn *c)
{
	const char *name = tls_policy_suite_name(tls_conn_suite(c), NULL, NULL);

	return name != NULL ? name : "unknown";
}

size_t
tls_conn_summary(const struct tls_conn *c, char *out, size_t size)
{
	unsigned bits, alg_bits;
	const char *name;
	int n;

	name = tls_policy_suite_name(tls_conn_suite(c), &bits, &alg_bits);
	n = snprintf(out, size, "%s with cipher %s (%u/%u bits)",
	    tls_conn_version(c), name != NULL ? name : "unknown", bits,
	    alg_bits);
	if (n < 0) {
		return 0;
	}
	return (size_t)n < size ? (size_t)n : (size > 0 ? size - 1 : 0);
}

void
tls_conn_bits(const struct tls_conn *c, unsigned *bits, unsigned *alg_bits)
{
	(void)tls_policy_suite_name(tls_conn_suite(c), bits, alg_bits);
}

const char *
tls_conn_sni(const struct tls_conn *c)
{
	if (c->is_client) {
		return "";
	}
	return br_ssl_engine_get_server_name(c->eng);
}

int
tls_conn_verified(const struct tls_conn *c)
{
	return c->peer != NULL && c->handshake_done &&
	    tls_peer_verified(c->peer);
}

void
tls_conn_verify_reason(const struct tls_conn *c, char *out, size_t size)
{
	if (c->peer == NULL) {
		snprintf(out, size, "not a client connection");
		return;
	}
	tls_peer_reason(c->peer, out, size);
}

size_t
tls_conn_memory(const struct tls_conn *c)
{
	return c->memory;
}

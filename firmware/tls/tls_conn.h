/*
 * tls_conn.h - one TLS connection over a non-blocking socket: BearSSL's
 * sans-I/O engine pumped through send(2)/recv(2) on the caller's fd.
 *
 * How the smtp process uses it (server side):
 *   - plaintext SMTP until STARTTLS; answer "220 2.0.0 Ready to start
 *     TLS", discard every buffered input octet (RFC 3207 4, CVE-2011-0411),
 *     then tls_conn_server(&c, srv, fd) on the same descriptor;
 *   - implicit TLS (RFC 8314 port 465): tls_conn_server right after
 *     accept, before any octet is read or written;
 *   - from the epoll loop, call tls_conn_handshake until TLS_OK, then
 *     read and write SMTP through tls_conn_read and tls_conn_write;
 *   - QUIT: tls_conn_close (close_notify), then tls_conn_free, close(fd).
 * The client side (mta) is the same after "220 Ready to start TLS" (or
 * right after connect for implicit TLS), with tls_conn_client.
 *
 * Readiness. Calls never block (MSG_DONTWAIT). TLS_WANT_READ and
 * TLS_WANT_WRITE mean "nothing more can happen now": set the descriptor's
 * epoll interest to tls_conn_events(c) (it may ask for both directions:
 * a read can need a write, as when an alert or a handshake message is
 * pending, and the other way round) and call the same function again when
 * it fires. Decrypted data can sit inside the engine where epoll cannot
 * see it: keep calling tls_conn_read until it returns TLS_WANT_*, before
 * waiting. Handshake timeouts are the caller's (its timers).
 *
 * Errors are sticky: after TLS_ERROR every call returns TLS_ERROR, and
 * tls_conn_error says why ("handshake: X509_NOT_TRUSTED: ...", "recv:
 * Connection reset by peer", "received fatal alert ..."). TLS_CLOSED:
 * the peer ended the session (close_notify, or TCP closed after the
 * handshake: SMTP has its own end markers, so a missing close_notify
 * cannot truncate a message unnoticed).
 *
 * Memory: the engine context and its I/O buffer are allocated by
 * tls_conn_server/tls_conn_client, when TLS starts, and freed by exactly
 * one tls_conn_free; plaintext sessions cost nothing. The buffer is
 * full duplex: 33,178 octets for a client, 20,890 for a server (whole
 * incoming records, 4 KiB outgoing ones); README.md has the measured
 * sizes and why not half duplex (MONO). The descriptor stays the
 * caller's: tls_conn_free does not close it.
 */
#ifndef SK_TLS_CONN_H
#define SK_TLS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"
#include "tls_client.h"
#include "tls_server.h"

#define TLS_CONN_ERR_MAX 192 /* tls_conn_error text */
/* A server's outgoing half of the I/O buffer: records of 4 KiB plus
 * BearSSL's largest overhead (README.md, "Memory") */
#define TLS_CONN_SERVER_OUTPUT (4096 + 85)
#define TLS_CONN_SUMMARY_MAX 128 /* tls_conn_summary text */

enum tls_status {
	TLS_OK = 0,     /* done: handshake complete, or *n octets moved */
	TLS_WANT_READ,  /* wait for tls_conn_events(c), then call again */
	TLS_WANT_WRITE, /* wait for tls_conn_events(c), then call again */
	TLS_CLOSED,     /* the peer ended the session */
	TLS_ERROR,      /* failed for good: tls_conn_error says why */
};

struct tls_conn;

/* tls_conn_server - start the server side on fd; SK_E_FULL (no memory),
 * SK_E_IO (no entropy) */
enum sk_result tls_conn_server(struct tls_conn **out, struct tls_server *srv,
    int fd);

/*
 * tls_conn_client - start the client side on fd towards host (a name:
 * sent as SNI and checked against the certificate; or an address).
 * SK_E_RANGE if the policy is "none", SK_E_FULL, SK_E_IO as above.
 */
enum sk_result tls_conn_client(struct tls_conn **out, struct tls_client *cli,
    int fd, const char *host);

/* tls_conn_handshake - drive the handshake; TLS_OK once it is complete */
enum tls_status tls_conn_handshake(struct tls_conn *c);

/*
 * tls_conn_read - up to cap (> 0) decrypted octets into buf; TLS_OK with
 * *n > 0, or a TLS_WANT_*, TLS_CLOSED, TLS_ERROR with *n = 0. Runs the
 * handshake first if it is not complete.
 */
enum tls_status tls_conn_read(struct tls_conn *c, void *buf, size_t cap,
    size_t *n);

/*
 * tls_conn_write - encrypt len octets and send them. *n is how many the
 * engine took, even when the result is not TLS_OK. TLS_OK: all len taken
 * and on the socket. TLS_WANT_*: call again with the rest (buf + *n,
 * len - *n; len 0 just pushes out what the engine holds).
 */
enum tls_status tls_conn_write(struct tls_conn *c, const void *buf, size_t len,
    size_t *n);

/*
 * tls_conn_close - send close_notify (RFC 5246 7.2.1); TLS_OK once it is
 * on the socket (we do not wait for the peer's), TLS_WANT_WRITE until
 * then. Then tls_conn_free and close the descriptor.
 */
enum tls_status tls_conn_close(struct tls_conn *c);

/* tls_conn_free - wipe and free; NULL is fine; fd is left open */
void tls_conn_free(struct tls_conn *c);

/* tls_conn_events - EVENT_READ | EVENT_WRITE (event.h) the engine waits
 * for; 0 when it waits for nothing (closed or failed) */
uint32_t tls_conn_events(const struct tls_conn *c);

/* tls_conn_error - why the connection failed or closed ("" if it did not) */
const char *tls_conn_error(const struct tls_conn *c);

/*
 * After the handshake: tls_conn_version ("TLSv1.2"), tls_conn_cipher
 * ("ECDHE-RSA-AES128-GCM-SHA256"), and tls_conn_summary, the text for
 * logs and Received headers: "TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-
 * SHA256 (128/128 bits)" (Postfix's form). Returns the length written.
 */
const char *tls_conn_version(const struct tls_conn *c);
const char *tls_conn_cipher(const struct tls_conn *c);
size_t tls_conn_summary(const struct tls_conn *c, char *out, size_t size);
/* tls_conn_bits - the summary's "(bits/alg_bits bits)"; 0 before the
 * handshake */
void tls_conn_bits(const struct tls_conn *c, unsigned *bits,
    unsigned *alg_bits);

/* tls_conn_sni - server side: the name the client asked for, or "" */
const char *tls_conn_sni(const struct tls_conn *c);

/*
 * Client side, after the handshake: whether the server's certificate
 * verified (chain to a trusted CA, and a name we accept), and why not
 * (tls_peer_reason): "verified", "not checked (no CA bundle)", ...
 */
int tls_conn_verified(const struct tls_conn *c);
void tls_conn_verify_reason(const struct tls_conn *c, char *out, size_t size);

/* tls_conn_memory - octets allocated for this connection */
size_t tls_conn_memory(const struct tls_conn *c);

#endif /* SK_TLS_CONN_H */

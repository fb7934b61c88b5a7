/*
 * fuzz_tls_handshake.c - libFuzzer target for the connection pump
 * (tls_conn.h) on the server side: the input is what a client sends,
 * written to the other end of a socketpair in chunks, while the server
 * runs its handshake and, if it ever completes, reads.
 *
 * The first octet is the chunk size. The server's certificate is an
 * ECDSA one made at start with tls_selfsigned_make (fuzz builds seed
 * every random generator with a constant, so runs replay). Invariants:
 * results are members of enum tls_status, a failed connection stays
 * failed and wants no events, its error text is a non-empty line, a
 * read never reports more octets than asked.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls_conn.h"
#include "tls_selfsigned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tls_server *server;

static struct tls_server *
fuzz_server(void)
{
	static char cert[TLS_SELFSIGNED_PEM_MAX], key[TLS_SELFSIGNED_PEM_MAX];
	char err[TLS_PEM_ERR_MAX];

	if (server == NULL &&
	    (tls_selfsigned_make(CONFIG_KEY_ECDSA_P256, "mx.example.org", 30,
		 1893553445, cert, key, err, sizeof(err)) != SK_OK ||
		tls_server_new_pem(&server, (const uint8_t *)cert, strlen(cert),
		    (const uint8_t *)key, strlen(key), CONFIG_TLS_1_0,
		    CONFIG_CIPHERS_LEGACY, err, sizeof(err)) != SK_OK)) {
		abort();
	}
	return server;
}

/* drain - throw away what the server sent */
static void
drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
	}
}

static void
check(struct tls_conn *c, enum tls_status st)
{
	if (st > TLS_ERROR) {
		abort();
	}
	if (st == TLS_ERROR &&
	    (tls_conn_events(c) != 0 || tls_conn_error(c)[0] == '\0' ||
		tls_conn_handshake(c) != TLS_ERROR)) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_conn *c = NULL;
	enum tls_status st = TLS_WANT_READ;
	uint8_t buf[512];
	size_t chunk, off, n;
	int fd[2];

	if (size < 1 || socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0) {
		return 0;
	}
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	chunk = (size_t)data[0] * 8 + 1;
	if (tls_conn_server(&c, fuzz_server(), fd[0]) != SK_OK) {
		abort();
	}
	for (off = 1; off < size && st != TLS_ERROR && st != TLS_CLOSED;
	     off += chunk) {
		n = size - off < chunk ? size - off : chunk;
		if (write(fd[1], data + off, n) != (ssize_t)n) {
			break;
		}
		st = tls_conn_handshake(c);
		check(c, st);
		while (st == TLS_OK &&
		    (st = tls_conn_read(c, buf, sizeof(buf), &n)) == TLS_OK) {
			if (n == 0 || n > sizeof(buf)) {
				abort();
			}
		}
		check(c, st);
		drain(fd[1]);
	}
	shutdown(fd[1], SHUT_WR);
	st = tls_conn_handshake(c);
	check(c, st);
	tls_conn_free(c);
	close(fd[0]);
	close(fd[1]);
	return 0;
}

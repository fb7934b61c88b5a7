/*
 * probe_main.c - tls-probe, the driver of ci/tls-interop.sh: our TLS
 * server and client on real TCP sockets, so that openssl s_client and
 * s_server can talk to them. A test program: built with the unit tests,
 * never installed.
 *
 *   tls-probe server [-m MIN] [-c CIPHERS] [-n COUNT] [-s] CERT KEY
 *       listens on 127.0.0.1 (the port is printed first: "PORT n"), and
 *       for each of COUNT connections (default 1) runs the handshake
 *       (with -s: after a minimal SMTP dialogue up to STARTTLS, RFC 3207),
 *       prints "OK <summary>" or "FAIL <why>", answers each line it gets
 *       with "250 ok" ("221 bye" to QUIT, then close_notify).
 *   tls-probe client [-b BUNDLE] [-M NAME]... [-m MIN] [-c CIPHERS]
 *                    HOST PORT MODE
 *       connects to 127.0.0.1:PORT as if to HOST (SNI, name check), MODE
 *       may, encrypt or verify; prints "OK <summary>; verified|unverified:
 *       <reason>" or "FAIL <why>", sends "ping", prints "READ <line>" of
 *       the answer, closes. Exit 0 on OK.
 *   tls-probe suites POLICY
 *       the OpenSSL names of the suites of modern, compatible or legacy,
 *       one a line, so the script checks against our table, not a copy.
 *   tls-probe selfsigned ROOT NAME TYPE DAYS
 *       tls_selfsigned_ensure for ROOT/config/tls/probe.{crt,key}, TYPE
 *       rsa-2048, rsa-3072 or ecdsa-p256; prints "MADE" or "KEPT".
 *
 * Options come first (POSIX getopt, as musl's does not reorder). Every
 * wait is a poll(2) on tls_conn_events, bounded by PROBE_WAIT_MS.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "tls_conn.h"
#include "tls_policy.h"
#include "tls_selfsigned.h"

#define PROBE_WAIT_MS 10000 /* no peer of a test takes longer */
#define PROBE_LINE_MAX 512

static const char *const probe_versions[] = { "tls1.0", "tls1.1", "tls1.2" };
static const char *const probe_ciphers[] = { "modern", "compatible", "legacy" };
static const char *const probe_modes[] = { "none", "may", "encrypt", "verify" };
static const char *const probe_keys[] = { "rsa-2048", "rsa-3072",
	"ecdsa-p256" };

/* probe_enum - index of word in names, or exit with usage */
static int
probe_enum(const char *word, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcmp(word, names[i]) == 0) {
			return i;
		}
	}
	fprintf(stderr, "tls-probe: unknown value %s\n", word);
	exit(2);
}

/* probe_wait - poll fd for what the connection waits for; -1: timeout */
static int
probe_wait(int fd, uint32_t events)
{
	struct pollfd p = { fd, 0, 0 };

	p.events = (short)(((events & EVENT_READ) ? POLLIN : 0) |
	    ((events & EVENT_WRITE) ? POLLOUT : 0));
	if (p.events == 0) {
		p.events = POLLIN;
	}
	return poll(&p, 1, PROBE_WAIT_MS) == 1 ? 0 : -1;
}

/* probe_handshake - to the end; 0 when done */
static int
probe_handshake(struct tls_conn *c, int fd)
{
	enum tls_status st;

	while ((st = tls_conn_handshake(c)) == TLS_WANT_READ ||
	    st == TLS_WANT_WRITE) {
		if (probe_wait(fd, tls_conn_events(c)) != 0) {
			return -1;
		}
	}
	return st == TLS_OK ? 0 : -1;
}

/* probe_write - all of s; 0 when sent */
static int
probe_write(struct tls_conn *c, int fd, const char *s)
{
	size_t len = strlen(s), off = 0, n;
	enum tls_status st;

	for (;;) {
		st = tls_conn_write(c, s + off, len - off, &n);
		off += n;
		if (st == TLS_OK) {
			return 0;
		}
		if ((st != TLS_WANT_READ && st != TLS_WANT_WRITE) ||
		    probe_wait(fd, tls_conn_events(c)) != 0) {
			return -1;
		}
	}
}

/* probe_line - one line (LF ended, at most size - 1) from TLS; its
 * length, or -1 when the session ended */
static int
probe_line(struct tls_conn *c, int fd, char *line, size_t size)
{
	enum tls_status st;
	size_t len = 0, n;
	char ch;

	while (len + 1 < size) {
		st = tls_conn_read(c, &ch, 1, &n);
		if (st == TLS_OK) {
			line[len++] = ch;
			if (ch == '\n') {
				break;
			}
			continue;
		}
		if ((st != TLS_WANT_READ && st != TLS_WANT_WRITE) ||
		    probe_wait(fd, tls_conn_events(c)) != 0) {
			return -1;
		}
	}
	line[len] = '\0';
	return (int)len;
}

/* probe_plain_line - one plaintext line, read octet by octet so that
 * nothing after it is consumed (the rest belongs to TLS) */
static int
probe_plain_line(int fd, char *line, size_t size)
{
	size_t len = 0;
	char ch;

	while (len + 1 < size) {
		if (probe_wait(fd, EVENT_READ) != 0 || read(fd, &ch, 1) != 1) {
			return -1;
		}
		line[len++] = ch;
		if (ch == '\n') {
			break;
		}
	}
	line[len] = '\0';
	return (int)len;
}

/* probe_starttls - the server's plaintext part of RFC 3207 */
static int
probe_starttls(int fd)
{
	static const char banner[] = "220 tls-probe ESMTP\r\n";
	static const char ehlo[] = "250-tls-probe\r\n250 STARTTLS\r\n";
	static const char go[] = "220 2.0.0 Ready to start TLS\r\n";
	char line[PROBE_LINE_MAX];

	if (write(fd, banner, sizeof(banner) - 1) < 0) {
		return -1;
	}
	while (probe_plain_line(fd, line, sizeof(line)) > 0) {
		if (strncasecmp(line, "STARTTLS", 8) == 0) {
			return write(fd, go, sizeof(go) - 1) < 0 ? -1 : 0;
		}
		if (strncasecmp(line, "EHLO", 4) == 0 &&
		    write(fd, ehlo, sizeof(ehlo) - 1) < 0) {
			return -1;
		}
	}
	return -1;
}

/* probe_serve_one - one accepted connection */
static void
probe_serve_one(struct tls_server *srv, int fd, int starttls)
{
	char line[PROBE_LINE_MAX], sum[TLS_CONN_SUMMARY_MAX];
	struct tls_conn *c = NULL;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (starttls && probe_starttls(fd) != 0) {
		printf("FAIL no STARTTLS from the client\n");
		return;
	}
	if (tls_conn_server(&c, srv, fd) != SK_OK) {
		printf("FAIL cannot start TLS\n");
		return;
	}
	if (probe_handshake(c, fd) != 0) {
		printf("FAIL %s\n",
		    tls_conn_error(c)[0] != '\0' ? tls_conn_error(c) :
						   "handshake timed out");
		tls_conn_free(c);
		return;
	}
	tls_conn_summary(c, sum, sizeof(sum));
	printf("OK %s\n", sum);
	fflush(stdout);
	if (!starttls) {
		probe_write(c, fd, "220 tls-probe ready\r\n");
	}
	while (probe_line(c, fd, line, sizeof(line)) > 0) {
		if (strncasecmp(line, "QUIT", 4) == 0) {
			probe_write(c, fd, "221 bye\r\n");
			break;
		}
		probe_write(c, fd, "250 ok\r\n");
	}
	tls_conn_close(c);
	tls_conn_free(c);
}

/* probe_listen - a socket on 127.0.0.1, port from the kernel */
static int
probe_listen(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		perror("tls-probe: listen");
		exit(1);
	}
	printf("PORT %u\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static int
probe_server(int argc, char **argv)
{
	enum config_tls_version v = CONFIG_TLS_1_2;
	enum config_ciphers ciphers = CONFIG_CIPHERS_MODERN;
	char err[TLS_PEM_ERR_MAX];
	struct tls_server *srv;
	int opt, count = 1, starttls = 0, lfd, fd;

	while ((opt = getopt(argc, argv, "m:c:n:s")) != -1) {
		switch (opt) {
		case 'm':
			v = probe_enum(optarg, probe_versions, 3);
			break;
		case 'c':
			ciphers = probe_enum(optarg, probe_ciphers, 3);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 's':
			starttls = 1;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		return 2;
	}
	if (tls_server_new_files(&srv, argv[optind], argv[optind + 1], v,
		ciphers, err, sizeof(err)) != SK_OK) {
		printf("FAIL %s\n", err);
		return 1;
	}
	lfd = probe_listen();
	while (count-- > 0 && (fd = accept(lfd, NULL, NULL)) >= 0) {
		probe_serve_one(srv, fd, starttls);
		fflush(stdout);
		close(fd);
	}
	close(lfd);
	tls_server_free(srv);
	return 0;
}

/* probe_connect - a TCP connection to 127.0.0.1:port, non-blocking */
static int
probe_connect(const char *port)
{
	struct sockaddr_in a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* probe_talk - after the handshake: report, one line each way, close */
static int
probe_talk(struct tls_conn *c, int fd)
{
	char sum[TLS_CONN_SUMMARY_MAX], why[128], line[PROBE_LINE_MAX];

	tls_conn_summary(c, sum, sizeof(sum));
	tls_conn_verify_reason(c, why, sizeof(why));
	printf("OK %s; %s: %s\n", sum,
	    tls_conn_verified(c) ? "verified" : "unverified", why);
	if (probe_write(c, fd, "ping\n") != 0) {
		printf("FAIL write: %s\n", tls_conn_error(c));
		return 1;
	}
	if (probe_line(c, fd, line, sizeof(line)) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		printf("READ %s\n", line);
	}
	tls_conn_close(c);
	return 0;
}

static int
probe_client(int argc, char **argv)
{
	static struct config_tls_policy pol;
	const char *bundle = "";
	char err[TLS_PEM_ERR_MAX];
	struct tls_client *cli;
	struct tls_conn *c = NULL;
	int opt, fd, rc = 1;

	pol.min_version = CONFIG_TLS_1_2;
	while ((opt = getopt(argc, argv, "b:M:m:c:")) != -1) {
		switch (opt) {
		case 'b':
			bundle = optarg;
			break;
		case 'M':
			if (pol.nmatch_names < CONFIG_MATCH_NAMES_MAX) {
				snprintf(pol.match_names[pol.nmatch_names++],
				    CONFIG_DOMAIN_SIZE, "%s", optarg);
			}
			break;
		case 'm':
			pol.min_version = probe_enum(optarg, probe_versions, 3);
			break;
		case 'c':
			pol.ciphers = probe_enum(optarg, probe_ciphers, 3);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 3) {
		return 2;
	}
	pol.mode = probe_enum(argv[optind + 2], probe_modes, 4);
	if (tls_client_new_bundle(&cli, &pol, bundle, err, sizeof(err)) !=
	    SK_OK) {
		printf("FAIL %s\n", err);
		return 1;
	}
	if ((fd = probe_connect(argv[optind + 1])) < 0) {
		printf("FAIL cannot connect to port %s\n", argv[optind + 1]);
	} else if (tls_conn_client(&c, cli, fd, argv[optind]) != SK_OK) {
		printf("FAIL cannot start TLS\n");
	} else if (probe_handshake(c, fd) != 0) {
		printf("FAIL %s\n",
		    tls_conn_error(c)[0] != '\0' ? tls_conn_error(c) :
						   "handshake timed out");
	} else {
		rc = probe_talk(c, fd);
	}
	tls_conn_free(c);
	if (fd >= 0) {
		close(fd);
	}
	tls_client_free(cli);
	return rc;
}

static int
probe_suites(int argc, char **argv)
{
	uint16_t suites[TLS_POLICY_SUITES_MAX];
	size_t n, i;

	if (argc != 2) {
		return 2;
	}
	n = tls_policy_suites(probe_enum(argv[1], probe_ciphers, 3), suites,
	    SK_NELEM(suites));
	for (i = 0; i < n; i++) {
		printf("%s\n", tls_policy_suite_name(suites[i], NULL, NULL));
	}
	return 0;
}

static int
probe_selfsigned(int argc, char **argv)
{
	static struct config_certificate cert;
	char err[TLS_PEM_ERR_MAX];
	int made;

	if (argc != 5) {
		return 2;
	}
	cert.self_signed = 1;
	snprintf(cert.name, sizeof(cert.name), "probe");
	snprintf(cert.cert_file, sizeof(cert.cert_file),
	    "/config/tls/probe.crt");
	snprintf(cert.key_file, sizeof(cert.key_file), "/config/tls/probe.key");
	snprintf(cert.common_name, sizeof(cert.common_name), "%s", argv[2]);
	cert.key_type = probe_enum(argv[3], probe_keys, 3);
	cert.validity = (uint16_t)atoi(argv[4]);
	if (tls_selfsigned_ensure(&cert, argv[2], argv[1], time(NULL), &made,
		err, sizeof(err)) != SK_OK) {
		printf("FAIL %s\n", err);
		return 1;
	}
	printf("%s\n", made ? "MADE" : "KEPT");
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "server") == 0) {
		rc = probe_server(argc - 1, argv + 1);
	} else if (argc >= 2 && strcmp(argv[1], "client") == 0) {
		rc = probe_client(argc - 1, argv + 1);
	} else if (argc >= 2 && strcmp(argv[1], "suites") == 0) {
		rc = probe_suites(argc - 1, argv + 1);
	} else if (argc >= 2 && strcmp(argv[1], "selfsigned") == 0) {
		rc = probe_selfsigned(argc - 1, argv + 1);
	}
	if (rc == 2) {
		fprintf(stderr,
		    "usage: tls-probe server [-m MIN] [-c CIPHERS] "
		    "[-n COUNT] [-s] CERT KEY\n"
		    "       tls-probe client [-b BUNDLE] [-M NAME]... "
		    "[-m MIN] [-c CIPHERS] HOST PORT MODE\n"
		    "       tls-probe suites POLICY\n"
		    "       tls-probe selfsigned ROOT NAME TYPE "
		    "DAYS\n");
	}
	return rc;
}

/*
 * scan_io.c - blocking socket helpers with deadlines (scan_io.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scan.h"
#include "scan_io.h"

uint64_t
scan_io_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
scan_io_deadline(uint32_t timeout_ms)
{
	return scan_io_now() +
	    (timeout_ms ? timeout_ms : SCAN_TIMEOUT_DEFAULT_MS);
}

/* parse_port - 1..65535, digits only */
static enum sk_result
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (s[0] == '\0' || strlen(s) > 5) {
		return SK_E_SYNTAX;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return SK_E_SYNTAX;
		}
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535) {
		return SK_E_RANGE;
	}
	*port = (uint16_t)v;
	return SK_OK;
}

static enum sk_result
copy_host(struct scan_addr *a, const char *s, size_t len)
{
	size_t i;

	if (len == 0) {
		return SK_E_SYNTAX;
	}
	if (len >= SCAN_HOST_MAX) {
		return SK_E_TOO_LONG;
	}
	for (i = 0; i < len; i++) {
		if (s[i] <= 0x20 || s[i] > 0x7e || s[i] == '/' || s[i] == '[' ||
		    s[i] == ']' || s[i] == '@') {
			return SK_E_SYNTAX;
		}
	}
	memcpy(a->host, s, len);
	a->host[len] = '\0';
	return SK_OK;
}

/* parse_inet - "host:port" or "[v6]:port" */
static enum sk_result
parse_inet(const char *s, struct scan_addr *a)
{
	const char *colon, *close;
	enum sk_result r;

	if (s[0] == '[') {
		close = strchr(s, ']');
		if (close == NULL || close[1] != ':') {
			return SK_E_SYNTAX;
		}
		r = copy_host(a, s + 1, (size_t)(close - s - 1));
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || memchr(s, ':', (size_t)(colon - s))) {
			return SK_E_SYNTAX; /* a bare IPv6 needs brackets */
		}
		r = copy_host(a, s, (size_t)(colon - s));
	}
	return r != SK_OK ? r : parse_port(colon + 1, &a->port);
}

/* parse_sendmail_inet - "inet:port@host" / "inet6:port@host" */
static enum sk_result
parse_sendmail_inet(const char *s, struct scan_addr *a)
{
	const char *at = strchr(s, '@');
	char port[8];
	size_t n;
	enum sk_result r;

	if (at == NULL) {
		return SK_E_SYNTAX;
	}
	n = (size_t)(at - s);
	if (n == 0 || n >= sizeof(port)) {
		return SK_E_SYNTAX;
	}
	memcpy(port, s, n);
	port[n] = '\0';
	r = copy_host(a, at + 1, strlen(at + 1));
	return r != SK_OK ? r : parse_port(port, &a->port);
}

enum sk_result
scan_addr_parse(const char *s, struct scan_addr *a)
{
	size_t len;

	memset(a, 0, sizeof(*a));
	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0) {
		s = strchr(s, ':') + 1;
	}
	if (s[0] == '/') {
		len = strlen(s);
		if (len >= SCAN_PATH_MAX) {
			return SK_E_TOO_LONG;
		}
		memcpy(a->host, s, len + 1);
		a->unix_path = 1;
		return SK_OK;
	}
	if (strncmp(s, "inet:", 5) == 0) {
		return parse_sendmail_inet(s + 5, a);
	}
	if (strncmp(s, "inet6:", 6) == 0) {
		return parse_sendmail_inet(s + 6, a);
	}
	return parse_inet(s, a);
}

int
scan_io_wait(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t now;
	int n;

	for (;;) {
		now = scan_io_now();
		if (now >= deadline) {
			return 0;
		}
		n = poll(&p, 1,
		    deadline - now > 60000 ? 60000 : (int)(deadline - now));
		if (n > 0) {
			return p.revents;
		}
		if (n < 0 && errno != EINTR) {
			return -1;
		}
	}
}

/* connect_one - a non-blocking connect to sa, finished by deadline */
static int
connect_one(int family, const struct sockaddr *sa, socklen_t salen,
    uint64_t deadline, char *why, size_t size)
{
	int fd, err = 0, ev;
	socklen_t elen = sizeof(err);

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, size, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, sa, salen) == 0) {
		return fd;
	}
	/* EAGAIN on a unix socket is a full backlog, not a connect in
	 * progress: the scanner is overloaded, an error like any other */
	if (errno != EINPROGRESS) {
		snprintf(why, size, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	ev = scan_io_wait(fd, POLLOUT, deadline);
	if (ev <= 0) {
		snprintf(why, size, "connect: %s",
		    ev == 0 ? "timed out" : strerror(errno));
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err) {
		snprintf(why, size, "connect: %s", strerror(err ? err : errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
connect_unix(const struct scan_addr *a, uint64_t deadline, char *why,
    size_t size)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, a->host, strlen(a->host) + 1);
	return connect_one(AF_UNIX, (const struct sockaddr *)&sun, sizeof(sun),
	    deadline, why, size);
}

/* connect_inet - each address of the name in turn (getaddrinfo blocks:
 * use address literals where the deadline matters) */
static int
connect_inet(const struct scan_addr *a, uint64_t deadline, char *why,
    size_t size)
{
	struct addrinfo hints, *res, *ai;
	char port[8];
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)a->port);
	rc = getaddrinfo(a->host, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, size, "%s: %s", a->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen,
		    deadline, why, size);
	}
	freeaddrinfo(res);
	return fd;
}

int
scan_io_connect(const char *address, uint64_t deadline, char *why, size_t size)
{
	struct scan_addr a;
	enum sk_result r;

	r = scan_addr_parse(address, &a);
	if (r != SK_OK) {
		snprintf(why, size, "bad scanner address (%s)",
		    sk_result_str(r));
		return -1;
	}
	if (a.unix_path) {
		return connect_unix(&a, deadline, why, size);
	}
	return connect_inet(&a, deadline, why, size);
}

/*
 * scan_io.h - the blocking socket helpers the scanner drivers share.
 *
 * Every call takes an absolute deadline on scan_io_now()'s clock and
 * returns by it. Sockets are non-blocking and close-on-exec; writes never
 * raise SIGPIPE. Nothing here logs: errors are -1 with a reason written
 * into the caller's buffer.
 */
#ifndef SK_SCAN_IO_H
#define SK_SCAN_IO_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

/* a host name (RFC 1035 2.3.4: 253 and NUL) or a unix socket path
 * (sun_path: 108 with NUL) */
#define SCAN_HOST_MAX 254
#define SCAN_PATH_MAX 108

struct scan_addr {
	int unix_path; /* 1: host is a unix socket path */
	char host[SCAN_HOST_MAX];
	uint16_t port;
};

/* scan_io_now - CLOCK_MONOTONIC in milliseconds */
uint64_t scan_io_now(void);
/* scan_io_deadline - now + timeout_ms (0: SCAN_TIMEOUT_DEFAULT_MS) */
uint64_t scan_io_deadline(uint32_t timeout_ms);

/*
 * scan_addr_parse - "/path/to/socket", "unix:/path", "host:port",
 * "192.0.2.1:3310", "[2001:db8::1]:3310", "inet:port@host" (Sendmail's
 * milter form): SK_OK, SK_E_SYNTAX, SK_E_TOO_LONG, SK_E_RANGE (port).
 */
enum sk_result scan_addr_parse(const char *s, struct scan_addr *a);

/* scan_io_connect - a connected socket, or -1 and why[size] */
int scan_io_connect(const char *address, uint64_t deadline, char *why,
    size_t size);

/*
 * scan_io_wait - poll fd for events until deadline: the revents (POLLIN,
 * POLLOUT, POLLHUP, POLLERR), 0 on timeout, -1 on error.
 */
int scan_io_wait(int fd, short events, uint64_t deadline);

#endif /* SK_SCAN_IO_H */

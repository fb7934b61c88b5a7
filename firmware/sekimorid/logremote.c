/*
 * logremote.c - RFC 5424 lines to remote collectors (logremote.h).
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logremote.h"

struct collector {
	const struct config_syslog_remote *cfg;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	int connected; /* TCP: the connection is up */
	time_t last_try;
	unsigned long dropped;
	size_t len; /* TCP: octets waiting in buf */
	char buf[LOGREMOTE_BUF];
};

static struct collector logremote[CONFIG_SYSLOG_REMOTES_MAX];
static size_t nlogremote;
static int logremote_facility = 2;
static char logremote_host[CONFIG_DOMAIN_SIZE] = "-";

/* resolve - the collector's address (numeric or by name) */
static int
resolve(struct collector *c)
{
	struct addrinfo hints, *res;
	char port[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = c->cfg->transport == CONFIG_TRANSPORT_TCP ?
	    SOCK_STREAM :
	    SOCK_DGRAM;
	snprintf(port, sizeof(port), "%u", c->cfg->port);
	if (getaddrinfo(c->cfg->host, port, &hints, &res) != 0) {
		return -1;
	}
	memcpy(&c->addr, res->ai_addr, res->ai_addrlen);
	c->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
logremote_open(const struct config *cfg, const char *hostname, char *err,
    size_t errlen)
{
	size_t i;
	int rc = 0;

	logremote_facility = cfg->logging.facility;
	if (hostname != NULL && hostname[0] != '\0') {
		snprintf(logremote_host, sizeof(logremote_host), "%s",
		    hostname);
	}
	for (i = 0; i < cfg->nsyslog_remotes; i++) {
		struct collector *c = &logremote[nlogremote];

		memset(c, 0, sizeof(*c));
		c->cfg = &cfg->syslog_remotes[i];
		c->fd = -1;
		if (resolve(c) == -1) {
			snprintf(err, errlen,
			    "syslog remote %s: cannot resolve %s", c->cfg->name,
			    c->cfg->host);
			rc = -1;
			continue;
		}
		nlogremote++;
	}
	return rc;
}

void
logremote_close(void)
{
	size_t i;

	for (i = 0; i < nlogremote; i++) {
		if (logremote[i].fd != -1) {
			close(logremote[i].fd);
		}
	}
	nlogremote = 0;
}

void
logremote_forget(void)
{
	nlogremote = 0; /* the descriptors are closed with the rest */
}

/* tcp_connect - start a non-blocking connection, at most every few s */
static void
tcp_connect(struct collector *c, time_t now)
{
	if (c->fd != -1 || now - c->last_try < LOGREMOTE_RETRY_S) {
		return;
	}
	c->last_try = now;
	c->fd = socket(c->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&c->addr, c->addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
	}
}

/* tcp_flush - send what the socket takes; drop the connection on error */
static void
tcp_flush(struct collector *c)
{
	ssize_t w;

	while (c->fd != -1 && c->len > 0) {
		w = send(c->fd, c->buf, c->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK ||
			errno == ENOTCONN)) {
			return; /* connecting, or full: the next line tries */
		}
		if (w <= 0) {
			close(c->fd);
			c->fd = -1;
			return;
		}
		memmove(c->buf, c->buf + w, c->len - (size_t)w);
		c->len -= (size_t)w;
	}
}

/* tcp_queue - append one octet-counted frame; drop it when full */
static void
tcp_queue(struct collector *c, const char *msg, size_t n)
{
	char head[16];
	int h = snprintf(head, sizeof(head), "%zu ", n);

	if (h < 0 || c->len + (size_t)h + n > sizeof(c->buf)) {
		c->dropped++;
		return;
	}
	memcpy(c->buf + c->len, head, (size_t)h);
	memcpy(c->buf + c->len + (size_t)h, msg, n);
	c->len += (size_t)h + n;
}

/* format - one RFC 5424 message (no structured data, no MSGID) */
static size_t
format(char *out, size_t size, int sev, const char *app, pid_t pid,
    const char *text)
{
	struct timeval tv;
	struct tm tm;
	char stamp[40];
	int n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(out, size, "<%d>1 %s.%06ldZ %s %s %ld - - %s",
	    logremote_facility * 8 + sev, stamp, (long)tv.tv_usec,
	    logremote_host, app, (long)pid, text);
	if (n < 0) {
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* wanted - whether collector c takes a line of severity sev */
static int
wanted(const struct collector *c, int sev)
{
	return sev <= c->cfg->severity &&
	    (c->cfg->facility < 0 || c->cfg->facility == logremote_facility);
}

void
logremote_line(const char *app, pid_t pid, int sev, const char *text)
{
	char msg[1400], note[64];
	time_t now = time(NULL);
	size_t i, n;

	if (nlogremote == 0) {
		return;
	}
	n = format(msg, sizeof(msg), sev, app, pid, text);
	for (i = 0; i < nlogremote; i++) {
		struct collector *c = &logremote[i];

		if (!wanted(c, sev)) {
			continue;
		}
		if (c->cfg->transport == CONFIG_TRANSPORT_UDP) {
			if (c->fd == -1) {
				c->fd = socket(c->addr.ss_family,
				    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				    0);
			}
			(void)sendto(c->fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL,
			    (struct sockaddr *)&c->addr, c->addrlen);
			continue;
		}
		if (c->dropped > 0 && c->len == 0) {
			size_t k = format(note, sizeof(note), 4, "sekimorid",
			    getpid(), "log lines dropped");

			tcp_queue(c, note, k);
			c->dropped = 0;
		}
		tcp_queue(c, msg, n);
		tcp_connect(c, now);
		tcp_flush(c);
	}
}

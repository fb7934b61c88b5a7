/*
 * listen.c - bind the listeners (listen.h).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

/* listen_addr - the sockaddr of listener l; its length */
static socklen_t
listen_addr(const struct config_listener *l, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (l->address.family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(l->port);
		memcpy(&sin->sin_addr, l->address.addr, 4);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(l->port);
	if (l->address.family == AF_INET6) {
		memcpy(&sin6->sin6_addr, l->address.addr, 16);
	} else {
		sin6->sin6_addr = in6addr_any;
	}
	return sizeof(*sin6);
}

/* listen_one - a bound, listening, non-blocking socket, or -1 */
int
listen_one(const struct config_listener *l, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = listen_addr(l, &ss);
	int fd, on = 1, off = 0;

	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 && ss.ss_family == AF_INET6 && l->address.family == 0) {
		/* no IPv6 on this host: every IPv4 address instead */
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof(ss));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(l->port);
		len = sizeof(*sin);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	}
	if (fd == -1) {
		snprintf(err, errlen, "listener %s: socket: %s", l->name,
		    strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6 && l->address.family == 0) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof(off));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errlen,
		    "listener %s: cannot listen on [%s]:%u: %s", l->name,
		    l->address_text[0] != '\0' ? l->address_text : "*", l->port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

enum sk_result
listen_open(const struct config *cfg, int *fds, size_t *n, char *err,
    size_t errlen)
{
	size_t i, j;

	*n = cfg->nlisteners;
	for (i = 0; i < cfg->nlisteners; i++) {
		fds[i] = -1;
		if (!cfg->listeners[i].enabled) {
			continue;
		}
		fds[i] = listen_one(&cfg->listeners[i], err, errlen);
		if (fds[i] == -1) {
			for (j = 0; j < i; j++) {
				if (fds[j] != -1) {
					close(fds[j]);
				}
			}
			return SK_E_IO;
		}
	}
	return SK_OK;
}

int
listen_same(const struct config_listener *a, const struct config_listener *b)
{
	return a->port == b->port && a->address.family == b->address.family &&
	    memcmp(a->address.addr, b->address.addr,
		a->address.family == AF_INET ? 4 : 16) == 0;
}

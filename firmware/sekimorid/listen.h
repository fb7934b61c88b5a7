/*
 * listen.h - the listening sockets of the config's listeners.
 *
 * The supervisor binds them before any child starts (ports below 1024
 * need root) and hands them to the smtp process, which only accepts.
 */
#ifndef SEKIMORID_LISTEN_H
#define SEKIMORID_LISTEN_H
#include <stddef.h>

#include "../config/config.h"

#define LISTEN_BACKLOG 1024

/*
 * listen_open - one socket per listener of cfg, in the same order
 * (fds[i] = -1 for a disabled listener); *n = cfg->nlisteners. A listener
 * without an address listens on every IPv6 and IPv4 address. On error,
 * every socket opened so far is closed and err names the listener.
 */
enum sk_result listen_open(const struct config *cfg, int *fds, size_t *n,
    char *err, size_t errlen);

/* listen_one - the socket of one enabled listener l, or -1 with err set
 * (naming the listener, its address and port) */
int listen_one(const struct config_listener *l, char *err, size_t errlen);

/*
 * listen_same - whether listeners a and b bind the same address and
 * port, so that a reload keeps a's socket for b (binding it a second
 * time would fail: it is in use)
 */
int listen_same(const struct config_listener *a,
    const struct config_listener *b);

#endif /* SEKIMORID_LISTEN_H */

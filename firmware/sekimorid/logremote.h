/*
 * logremote.h - the log lines for remote collectors (system syslog
 * remote in the config): RFC 5424 messages over UDP (RFC 5426, one per
 * datagram) or TCP (RFC 6587 octet counting).
 *
 * The supervisor calls logremote_line for every line it writes. Nothing
 * here blocks: UDP sends are fire-and-forget (a collector that is away
 * loses lines, as RFC 5426 says it may); a TCP collector gets a
 * non-blocking connection, lines wait in a bounded buffer while it is
 * down (the oldest are dropped when it is full, and the count of dropped
 * lines is reported in the stream), and a lost connection is retried at
 * most every LOGREMOTE_RETRY_S seconds.
 */
#ifndef SEKIMORID_LOGREMOTE_H
#define SEKIMORID_LOGREMOTE_H
#include <sys/types.h>

#include "../config/config.h"

#define LOGREMOTE_BUF (64 * 1024) /* per TCP collector */
#define LOGREMOTE_RETRY_S 5

/*
 * logremote_open - the collectors of cfg; host names are resolved now
 * (once, at start). A collector that cannot be resolved is reported in
 * err (the others still work); 0, or -1 when err was set.
 */
int logremote_open(const struct config *cfg, const char *hostname, char *err,
    size_t errlen);
/* logremote_line - one line, RFC 5424 severity sev, to every collector
 * that wants it */
void logremote_line(const char *app, pid_t pid, int sev, const char *text);
/* logremote_close - close every collector (a reload opens them again
 * from the new config) */
void logremote_close(void);
/* logremote_forget - a child after fork: the sockets are not its own */
void logremote_forget(void);

#endif /* SEKIMORID_LOGREMOTE_H */

/*
 * logd.h - where the supervisor writes every process's log lines.
 *
 * Children cannot reach syslog themselves (smtp runs in an empty chroot),
 * so they send MSG_LOG to the supervisor, which writes one line per event
 * in Postfix's shape, "sekimori/smtp[1234]: 4F2A...: client=...", to:
 *   - standard error (host runs and tests: --log-stderr), or
 *   - the local syslog socket /dev/log (the appliance: busybox syslogd),
 *     as RFC 3164 datagrams with the config's facility.
 * Remote collectors (RFC 5424) from the config get every line too
 * (logremote.h).
 */
#ifndef SEKIMORID_LOGD_H
#define SEKIMORID_LOGD_H
#include <sys/types.h>

#include "log.h"

/* logd_open - to stderr when to_stderr, else /dev/log; facility RFC 5424 */
void logd_open(int to_stderr, int facility);
/* logd_line - one line of process name[pid] at level */
void logd_line(const char *name, pid_t pid, enum log_level level,
    const char *text);
/* logd_sink - log.h sink for the supervisor's own lines */
void logd_sink(enum log_level level, const char *line, void *arg);
/* logd_set_facility - the facility of a reloaded config */
void logd_set_facility(int facility);
/* logd_forget - a child after fork: the socket is not ours to use */
void logd_forget(void);

#endif /* SEKIMORID_LOGD_H */

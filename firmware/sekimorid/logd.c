/*
 * logd.c - the supervisor's log output (logd.h).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "logd.h"
#include "logremote.h"

#define LOGD_DEVLOG "/dev/log"

static int logd_stderr = 1;
static int logd_facility = 2; /* mail */
static int logd_fd = -1;
static time_t logd_retry; /* last reconnect attempt */

/* logd_connect - (re)connect the datagram socket to /dev/log */
static void
logd_connect(void)
{
	struct sockaddr_un sun;

	if (logd_fd == -1) {
		logd_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (logd_fd == -1) {
			return;
		}
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, LOGD_DEVLOG, sizeof(LOGD_DEVLOG));
	(void)connect(logd_fd, (struct sockaddr *)&sun, sizeof(sun));
}

void
logd_open(int to_stderr, int facility)
{
	logd_stderr = to_stderr;
	logd_facility = facility;
	if (!to_stderr) {
		logd_connect();
	}
}

void
logd_set_facility(int facility)
{
	logd_facility = facility;
}

void
logd_forget(void)
{
	logd_fd = -1; /* child_close_inherited closes it */
	logremote_forget();
}

/* logd_severity - RFC 5424 severity of a level */
static int
logd_severity(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_INFO:
		return 6;
	case LOG_LEVEL_WARN:
		return 4;
	case LOG_LEVEL_FATAL:
		return 2;
	case LOG_LEVEL_PANIC:
		return 1;
	}
	return 6;
}

void
logd_line(const char *name, pid_t pid, enum log_level level, const char *text)
{
	char line[LOG_LINE_MAX + 128], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	logremote_line(name, pid, logd_severity(level), text);
	if (logd_stderr) {
		fprintf(stderr, "%s[%ld]: %s%s\n", name, (long)pid,
		    log_level_word(level), text);
		return;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %s%s",
	    logd_facility * 8 + logd_severity(level), stamp, name, (long)pid,
	    log_level_word(level), text);
	if (n < 0) {
		return;
	}
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
	}
	if (send(logd_fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == -1 &&
	    errno != EAGAIN && now != logd_retry) {
		/* syslogd restarted (or is not there yet): reconnect and
		 * retry, at most once a second, so its absence costs little */
		logd_retry = now;
		logd_connect();
		(void)send(logd_fd, line, (size_t)n,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

void
logd_sink(enum log_level level, const char *line, void *arg)
{
	(void)arg;
	logd_line("sekimorid", getpid(), level, line);
}

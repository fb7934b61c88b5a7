/*
 * log.c - log_info, log_warn, fatal and panic.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "log.h"

static const char *log_tag = "sekimori";
static FILE *log_fp;
static log_fatal_hook *log_hook;
static log_sink_fn *log_sink;
static void *log_sink_arg;

/* log_init - name the process; fp NULL means syslog with this facility */
void
log_init(const char *tag, int facility, FILE *fp)
{
	log_tag = tag;
	log_fp = fp;
	if (fp == NULL) {
		openlog(tag, LOG_PID | LOG_NDELAY, facility);
	}
}

void
log_set_sink(log_sink_fn *fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

const char *
log_level_word(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_INFO:
		return "";
	case LOG_LEVEL_WARN:
		return "warning: ";
	case LOG_LEVEL_FATAL:
		return "fatal: ";
	case LOG_LEVEL_PANIC:
		return "panic: ";
	}
	return "";
}

/* log_set_fatal_hook - call hook(line) instead of exiting; NULL restores */
void
log_set_fatal_hook(log_fatal_hook *hook)
{
	log_hook = hook;
}

/* log_sanitize - replace control and non-ASCII bytes so a line stays one */
static void
log_sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			*s = '?';
		}
	}
}

/* log_vemit - format one line and send it to syslog or the stream */
static void log_vemit(int, enum log_level, char *, const char *, va_list)
    SK_PRINTF(4, 0);

static void
log_vemit(int prio, enum log_level level, char *line, const char *fmt,
    va_list ap)
{
	vsnprintf(line, LOG_LINE_MAX, fmt, ap);
	log_sanitize(line);
	if (log_sink != NULL) {
		log_sink(level, line, log_sink_arg);
		return;
	}
	if (log_fp == NULL) {
		syslog(prio, "%s%s", log_level_word(level), line);
		return;
	}
	fprintf(log_fp, "%s: %s%s\n", log_tag, log_level_word(level), line);
	fflush(log_fp);
}

void
log_info(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, LOG_LEVEL_INFO, line, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, LOG_LEVEL_WARN, line, fmt, ap);
	va_end(ap);
}

_Noreturn void
fatal(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, LOG_LEVEL_FATAL, line, fmt, ap);
	va_end(ap);
	if (log_hook != NULL) {
		log_hook(line);
	}
	exit(1);
}

_Noreturn void
panic(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_ALERT, LOG_LEVEL_PANIC, line, fmt, ap);
	va_end(ap);
	abort();
}

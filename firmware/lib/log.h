/*
 * log.h - the error verbs of Sekimori processes (STYLE.md item 6).
 *
 *   log_info   something an operator may want to know; nothing is wrong
 *   log_warn   a recoverable problem; the process goes on
 *   fatal      this process cannot go on: log and exit(1); the supervisor
 *              restarts it and the queue guarantees nothing is lost
 *   panic      an invariant broke: log and abort() for a core dump
 *
 * Libraries (everything under lib/ except this file) never log: they
 * return an enum sk_result and let the process decide.
 *
 * Lines look like Postfix's: info lines are the text alone, the others
 * start with "warning: ", "fatal: " or "panic: ".
 * Lines go to syslog, or to a stream when one is given to log_init
 * (stderr for programs run by hand, a pipe or a memory stream in tests).
 * Bytes outside printable ASCII are shown as '?' so that a peer's data in
 * a message cannot forge a second log line.
 *
 * Under a fuzzer or a unit test, log_set_fatal_hook() makes fatal()
 * catchable: the hook is called instead of exit() and must not return
 * (it longjmps back into the harness). If it does return, fatal() exits.
 *
 * Ownership: log_init keeps the tag pointer; it must outlive the process.
 */
#ifndef SK_LOG_H
#define SK_LOG_H

#include <stdio.h>

#include "sk.h"

#define LOG_LINE_MAX 1024 /* longer lines are cut: syslog(3) would cut too */

typedef void log_fatal_hook(const char *line);

/* Levels as a sink sees them (the same numbers as msg_types.h's
 * enum msg_log_level, so a child can forward them unchanged). */
enum log_level {
	LOG_LEVEL_INFO = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_FATAL = 2,
	LOG_LEVEL_PANIC = 3,
};
typedef void log_sink_fn(enum log_level level, const char *line, void *arg);

/* log_init - name the process; fp NULL means syslog with this facility */
void log_init(const char *tag, int facility, FILE *fp);

void log_info(const char *fmt, ...) SK_PRINTF(1, 2);
void log_warn(const char *fmt, ...) SK_PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) SK_PRINTF(1, 2);
_Noreturn void panic(const char *fmt, ...) SK_PRINTF(1, 2);

/*
 * log_set_sink - hand every sanitized line to fn instead of syslog or the
 * stream (a chrooted child forwards them to its supervisor); NULL
 * restores. The line has no tag and no level word.
 */
void log_set_sink(log_sink_fn *fn, void *arg);
/* log_level_word - "" for info, "warning: ", "fatal: ", "panic: " */
const char *log_level_word(enum log_level level);
/* log_set_fatal_hook - call hook(line) instead of exiting; NULL restores */
void log_set_fatal_hook(log_fatal_hook *hook);

#endif /* SK_LOG_H */

/*
 * services.h - sans-I/O parser of /etc/sekimori/services, and the match
 * of a service's command against a process's /proc/PID/cmdline.
 *
 * Grammar, one service per line:
 *	line    = name SP command LF | "#" text LF | LF
 *	name    = 1*SERVICES_NAME_MAX of [a-z0-9._-], starting with [a-z0-9]
 *	command = words of visible ASCII separated by single spaces
 * The last line may lack its LF (the file is edited by hand).
 *
 * Ownership: entries point into the caller's buffer.
 */
#ifndef SK_SERVICES_H
#define SK_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "sk.h"

#define SERVICES_NAME_MAX 32  /* fits a status line on an 80-column console */
#define SERVICES_LINE_MAX 512 /* commands are paths plus a few options */
#define SERVICES_MAX 64       /* more services than the appliance runs */

struct services_entry {
	const uint8_t *name;
	size_t namelen;
	const uint8_t *cmd;
	size_t cmdlen;
};

/*
 * services_next - the next service from *off: SK_OK, SK_END, or an error
 * (SK_E_SYNTAX, SK_E_TOO_LONG) with *line the 1-based bad line. *line
 * counts every line read so far; start both *off and *line at 0.
 */
enum sk_result services_next(const uint8_t *buf, size_t len, size_t *off,
    size_t *line, struct services_entry *e);

/*
 * services_cmd_match - whether a process runs cmd: its NUL-separated
 * cmdline starts with cmd's words, and the last word ends an argument.
 */
int services_cmd_match(const uint8_t *cmd, size_t cmdlen, const uint8_t *proc,
    size_t plen);

/*
 * services_name_match - whether a process's /proc/PID/comm is name. A
 * service whose command is a wrapper that execs the real program (the DHCP
 * client) is found by its name; the kernel keeps only the first
 * SERVICES_COMM_MAX bytes of a process name.
 */
#define SERVICES_COMM_MAX 15 /* TASK_COMM_LEN - 1 */
int services_name_match(const uint8_t *name, size_t namelen,
    const uint8_t *comm, size_t commlen);

#endif /* SK_SERVICES_H */
